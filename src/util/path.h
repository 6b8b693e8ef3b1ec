/*
 * path.h — file-name arithmetic on POSIX path strings, done lexically (as
 * Python's os.path does it): no file is looked at, symbolic links are not
 * resolved. Every function returns a malloc'd string the caller frees, or
 * NULL when memory runs out (or, for sgdi_path_absolute, when the working
 * directory cannot be read).
 */
#ifndef SGDI_UTIL_PATH_H
#define SGDI_UTIL_PATH_H

#include <stddef.h>

// The folder part of `path` without the final '/': "a/b.csv" -> "a",
// "b.csv" -> "", "/b.csv" -> "/".
char *sgdi_path_dirname(const char *path);

// `name` (name_len bytes) as Neural Network Console resolves a file cell of a
// CSV: backslashes become '/', and a relative name is joined to `folder`
// ("" = the working directory); an absolute name stays as it is.
char *sgdi_path_join(const char *folder, const char *name, size_t name_len);

// `path` made absolute against the working directory and normalised: no
// "." components, no repeated '/', ".." removes the component before it
// (".." at the root stays at the root).
char *sgdi_path_absolute(const char *path);

// The path that leads from folder `from` to `target`, both absolute and
// normalised (sgdi_path_absolute): "../img/a.png", or "." when they are equal.
char *sgdi_path_relative(const char *target, const char *from);

#endif // SGDI_UTIL_PATH_H
