/*
 * test_fuzz_replay.c — replays a fuzz corpus (fuzz/corpus/<target>/) and the
 * saved crashers (fuzz/crashers/<target>/, if present) through the fuzz target in
 * an ordinary (or sanitizer) build, so that a fixed crash stays fixed.
 *
 * Each file is copied into a buffer of exactly its size, so that a read past
 * the end is caught by AddressSanitizer. The target aborts on any broken
 * invariant; this program counts the files it replayed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

#ifndef SGDI_FUZZ_DIR
#error "SGDI_FUZZ_DIR must name the fuzz/ folder"
#endif
// The target whose fuzz_<target>.c is linked in: csv unless the build says otherwise.
#ifndef SGDI_FUZZ_TARGET
#define SGDI_FUZZ_TARGET "csv"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Replays every regular file of `dir` in name order; returns how many, or -1
// if the folder does not exist.
static int replay_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **bigger = realloc(names, cap * sizeof *names);
            CHECK(bigger != NULL);
            if (!bigger) break;
            names = bigger;
        }
        size_t len = strlen(e->d_name) + 1;
        names[n] = malloc(len);
        CHECK(names[n] != NULL);
        if (!names[n]) break;
        memcpy(names[n++], e->d_name, len);
    }
    closedir(d);
    if (n > 0) qsort(names, n, sizeof *names, compare_names);
    int replayed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        CHECK_MSG(f != NULL, "cannot open %s", path);
        if (f) {
            uint8_t *buf = NULL;
            size_t len = 0, room = 0;
            for (;;) {
                if (len == room) {
                    room = room ? room * 2 : 4096;
                    uint8_t *bigger = realloc(buf, room);
                    if (!bigger) break;
                    buf = bigger;
                }
                size_t got = fread(buf + len, 1, room - len, f);
                len += got;
                if (got == 0) break;
            }
            fclose(f);
            // An exact-size copy: reading past the end is then a heap overflow.
            uint8_t *exact = malloc(len ? len : 1);
            CHECK(exact != NULL);
            if (exact && buf) memcpy(exact, buf, len);
            if (exact) LLVMFuzzerTestOneInput(exact, len);
            free(exact);
            free(buf);
            replayed++;
        }
        free(names[i]);
    }
    free(names);
    return replayed;
}

static void test_corpus(void) {
    int n = replay_dir(SGDI_FUZZ_DIR "/corpus/" SGDI_FUZZ_TARGET);
    fprintf(stderr, "replayed %d corpus files\n", n);
    CHECK_MSG(n > 0, "no files in %s", SGDI_FUZZ_DIR "/corpus/" SGDI_FUZZ_TARGET);
}

static void test_crashers(void) {
    int n = replay_dir(SGDI_FUZZ_DIR "/crashers/" SGDI_FUZZ_TARGET);
    // An absent or empty folder is fine; each file in it must not crash.
    fprintf(stderr, "replayed %d crashers\n", n < 0 ? 0 : n);
}

int main(void) {
    RUN(test_corpus);
    RUN(test_crashers);
    return sgdi_test_finish();
}
