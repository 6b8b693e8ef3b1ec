/*
 * atomic.h — writing a file so that readers see either the old file or the
 * complete new one, never a partial one.
 *
 * The data goes to a temporary file `path.tmp.XXXXXX` created with mkstemp
 * beside the target (same directory, so same file system); commit flushes,
 * fsyncs and closes it and renames it over the target. Any failure, in
 * commit or before it (sgdi_atomic_abort), removes the temporary file and
 * leaves the target as it was.
 *
 *     sgdi_atomic_file f;
 *     if (sgdi_atomic_open(&f, "out.csv", err) != SGDI_OK) return err->status;
 *     fprintf(f.fp, "...");                 // errors are caught at commit
 *     if (something_failed) { sgdi_atomic_abort(&f); return ...; }
 *     return sgdi_atomic_commit(&f, err);   // releases f in every case
 *
 * The new file gets the mode of the file it replaces, or 0666 minus the
 * umask for a new file (as fopen would).
 */
#ifndef SGDI_IO_ATOMIC_H
#define SGDI_IO_ATOMIC_H

#include <stdio.h>

#include "sgdi.h"

typedef struct sgdi_atomic_file {
    FILE *fp;     // write the content here
    char *target; // the path as given (owned copy)
    char *temp;   // the temporary file's path (owned)
} sgdi_atomic_file;

// Creates and opens the temporary file for `path`. On failure `f` is left
// released (abort is a no-op) and `err` names `path`.
sgdi_status sgdi_atomic_open(sgdi_atomic_file *f, const char *path, sgdi_error *err);

// Flushes, syncs and closes the temporary file and renames it over the
// target. On failure the temporary file is removed and the target untouched.
// Releases `f` in every case.
sgdi_status sgdi_atomic_commit(sgdi_atomic_file *f, sgdi_error *err);

// Closes and removes the temporary file. Safe on a released `f`.
void sgdi_atomic_abort(sgdi_atomic_file *f);

#endif // SGDI_IO_ATOMIC_H
