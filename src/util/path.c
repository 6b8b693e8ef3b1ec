/*
 * path.c — lexical file-name arithmetic (see path.h).
 */
#include "util/path.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *copy_bytes(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *sgdi_path_dirname(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return copy_bytes("", 0);
    size_t n = (size_t)(slash - path);
    while (n > 0 && path[n - 1] == '/') n--;
    if (n == 0) return copy_bytes("/", 1); // the root, or a name right under it
    return copy_bytes(path, n);
}

char *sgdi_path_join(const char *folder, const char *name, size_t name_len) {
    bool absolute = name_len > 0 && (name[0] == '/' || name[0] == '\\');
    size_t folder_len = absolute ? 0 : strlen(folder);
    bool slash = folder_len > 0 && folder[folder_len - 1] != '/';
    if (name_len > SIZE_MAX - folder_len - 2) return NULL;
    char *p = malloc(folder_len + slash + name_len + 1);
    if (!p) return NULL;
    memcpy(p, folder, folder_len);
    if (slash) p[folder_len] = '/';
    char *q = p + folder_len + slash;
    for (size_t i = 0; i < name_len; i++) q[i] = name[i] == '\\' ? '/' : name[i];
    q[name_len] = '\0';
    return p;
}

// Normalises an absolute path in place (see sgdi_path_absolute).
static void normalise(char *p) {
    size_t out = 0, in = 0, len = strlen(p);
    // p[0] == '/': `out` always ends just after a '/' or is 1 (the root).
    p[out++] = '/';
    while (in < len) {
        while (in < len && p[in] == '/') in++;
        size_t start = in;
        while (in < len && p[in] != '/') in++;
        size_t n = in - start;
        if (n == 0 || (n == 1 && p[start] == '.')) continue;
        if (n == 2 && p[start] == '.' && p[start + 1] == '.') {
            if (out > 1) { // drop the last component and its '/'
                out--;
                while (out > 1 && p[out - 1] != '/') out--;
            }
            continue;
        }
        memmove(p + out, p + start, n);
        out += n;
        p[out++] = '/';
    }
    if (out > 1) out--; // no trailing '/' except for the root
    p[out] = '\0';
}

char *sgdi_path_absolute(const char *path) {
    size_t len = strlen(path);
    if (path[0] == '/') {
        char *p = copy_bytes(path, len);
        if (p) normalise(p);
        return p;
    }
    size_t cap = 256;
    char *cwd = NULL;
    for (;;) {
        char *bigger = realloc(cwd, cap);
        if (!bigger) {
            free(cwd);
            return NULL;
        }
        cwd = bigger;
        if (getcwd(cwd, cap)) break;
        if (errno != ERANGE || cap > (1u << 20)) {
            free(cwd);
            return NULL;
        }
        cap *= 2;
    }
    size_t cwd_len = strlen(cwd);
    char *p = malloc(cwd_len + len + 2);
    if (p) {
        memcpy(p, cwd, cwd_len);
        p[cwd_len] = '/';
        memcpy(p + cwd_len + 1, path, len + 1);
        normalise(p);
    }
    free(cwd);
    return p;
}

// Length of the next component of `p` at `i` (p[i] is not '/').
static size_t component(const char *p, size_t i) {
    size_t n = 0;
    while (p[i + n] && p[i + n] != '/') n++;
    return n;
}

char *sgdi_path_relative(const char *target, const char *from) {
    // Skip the components both share.
    size_t t = 1, f = 1; // past the leading '/'
    for (;;) {
        size_t nt = component(target, t), nf = component(from, f);
        if (nt == 0 || nt != nf || memcmp(target + t, from + f, nt) != 0) break;
        t += nt;
        f += nf;
        if (target[t] == '/') t++;
        if (from[f] == '/') f++;
    }
    size_t ups = 0;
    for (size_t i = f; from[i];) {
        size_t n = component(from, i);
        if (n > 0) ups++;
        i += n;
        if (from[i] == '/') i++;
    }
    size_t rest = strlen(target + t);
    if (ups == 0 && rest == 0) return copy_bytes(".", 1);
    char *p = malloc(ups * 3 + rest + 1);
    if (!p) return NULL;
    size_t o = 0;
    for (size_t k = 0; k < ups; k++) {
        memcpy(p + o, "../", 3);
        o += 3;
    }
    memcpy(p + o, target + t, rest + 1);
    if (rest == 0) p[o - 1] = '\0'; // "../.." rather than "../../"
    return p;
}
