/*
 * atomic.c — temporary file beside the target, fsync, rename (see atomic.h).
 */
#include "io/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"

static const char temp_suffix[] = ".tmp.XXXXXX";

static void release(sgdi_atomic_file *f) {
    free(f->target);
    free(f->temp);
    f->fp = NULL;
    f->target = NULL;
    f->temp = NULL;
}

// The mode a plain fopen(path, "w") would leave: the old file's, or 0666
// minus the umask. umask() can only be read by setting it, so it is set back
// at once.
static mode_t target_mode(const char *path) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return st.st_mode & 07777;
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

// fsync the directory holding `path` so that the rename itself is durable.
// Best effort: some file systems refuse to sync a directory.
static void sync_directory(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = NULL;
    if (!slash) {
        dir = strdup(".");
    } else {
        size_t len = slash == path ? 1 : (size_t)(slash - path);
        dir = malloc(len + 1);
        if (dir) {
            memcpy(dir, path, len);
            dir[len] = '\0';
        }
    }
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

sgdi_status sgdi_atomic_open(sgdi_atomic_file *f, const char *path, sgdi_error *err) {
    f->fp = NULL;
    f->target = NULL;
    f->temp = NULL;
    if (!path || !*path) return sgdi_fail(err, SGDI_ERR_INVALID, "empty output file name");
    size_t len = strlen(path);
    f->target = strdup(path);
    f->temp = malloc(len + sizeof temp_suffix);
    if (!f->target || !f->temp) {
        release(f);
        return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory writing %s", path);
    }
    memcpy(f->temp, path, len);
    memcpy(f->temp + len, temp_suffix, sizeof temp_suffix);
    mode_t mode = target_mode(path);
    int fd = mkstemp(f->temp);
    if (fd < 0) {
        int e = errno;
        release(f);
        return sgdi_fail(err, SGDI_ERR_IO, "cannot create %s: %s", path, strerror(e));
    }
    (void)fchmod(fd, mode);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        int e = errno;
        close(fd);
        unlink(f->temp);
        release(f);
        return sgdi_fail(err, SGDI_ERR_IO, "cannot create %s: %s", path, strerror(e));
    }
    errno = 0;
    return SGDI_OK;
}

void sgdi_atomic_abort(sgdi_atomic_file *f) {
    if (f->fp) fclose(f->fp);
    if (f->temp) unlink(f->temp);
    release(f);
}

sgdi_status sgdi_atomic_commit(sgdi_atomic_file *f, sgdi_error *err) {
    if (!f->fp) return sgdi_fail(err, SGDI_ERR_INVALID, "output file is not open");
    // A write that failed earlier left errno set (the stream keeps no code).
    int e = ferror(f->fp) ? (errno ? errno : EIO) : 0;
    if (!e && fflush(f->fp) != 0) e = errno ? errno : EIO;
    if (!e && fsync(fileno(f->fp)) != 0 && errno != EINVAL && errno != EROFS) e = errno;
    if (fclose(f->fp) != 0 && !e) e = errno ? errno : EIO;
    f->fp = NULL;
    if (e) {
        unlink(f->temp);
        sgdi_status s = sgdi_fail(err, SGDI_ERR_IO, "cannot write %s: %s", f->target, strerror(e));
        release(f);
        return s;
    }
    if (rename(f->temp, f->target) != 0) {
        e = errno;
        unlink(f->temp);
        sgdi_status s =
            sgdi_fail(err, SGDI_ERR_IO, "cannot replace %s: %s", f->target, strerror(e));
        release(f);
        return s;
    }
    sync_directory(f->target);
    release(f);
    return SGDI_OK;
}
