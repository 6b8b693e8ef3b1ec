/*
 * progress.c — the progress line (see progress.h).
 */
#include "progress.h"

#include <stdio.h>
#include <time.h>

static const double min_interval = 0.1; // seconds between redraws: <= 10 a second

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_init(cli_progress *p, bool enabled) {
    p->enabled = enabled;
    p->shown = false;
    p->start = cli_now();
    p->last = 0.0;
    p->width = 0;
}

static const char *phase_name(sgdi_phase phase) {
    switch (phase) {
    case SGDI_PHASE_TRAIN:
        return "training";
    case SGDI_PHASE_SCORE:
        return "scoring";
    case SGDI_PHASE_VALIDATE:
        return "self-check retraining";
    }
    return "working";
}

// "1:05:09" or "5:09".
static void format_duration(char *out, size_t cap, double seconds) {
    long s = seconds < 0 ? 0 : seconds > 359999999.0 ? 359999999L : (long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(out, cap, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, cap, "%ld:%02ld", s / 60, s % 60);
}

void cli_progress_update(void *user, const sgdi_progress *pr) {
    cli_progress *p = user;
    if (!p || !p->enabled || !pr) return;
    double now = cli_now();
    bool finished = pr->total > 0 && pr->done >= pr->total;
    if (p->shown && now - p->last < min_interval && !finished) return;
    p->last = now;

    double fraction = pr->total > 0 ? (double)pr->done / (double)pr->total : 0.0;
    if (fraction < 0) fraction = 0;
    if (fraction > 1) fraction = 1;
    double elapsed = now - p->start;
    char left[32] = "--:--";
    // Wait for a little work before extrapolating from it.
    if (fraction > 0 && elapsed >= 1.0)
        format_duration(left, sizeof left, elapsed * (1 - fraction) / fraction);
    char line[160];
    int len;
    if (pr->trials > 1)
        len = snprintf(line, sizeof line, "%s, trial %d/%d: %3d%%, %s left", phase_name(pr->phase),
                       pr->trial + 1, pr->trials, (int)(100 * fraction), left);
    else
        len = snprintf(line, sizeof line, "%s: %3d%%, %s left", phase_name(pr->phase),
                       (int)(100 * fraction), left);
    if (len < 0) return;
    if (len >= (int)sizeof line) len = (int)sizeof line - 1;
    int pad = p->width > len ? p->width - len : 0;
    fprintf(stderr, "\r%s%*s", line, pad, "");
    fflush(stderr);
    p->width = len;
    p->shown = true;
}

void cli_progress_finish(cli_progress *p, bool success) {
    if (p->enabled && p->shown) {
        if (success) {
            char took[32], line[64];
            format_duration(took, sizeof took, cli_now() - p->start);
            int len = snprintf(line, sizeof line, "done: 100%%, took %s", took);
            int pad = p->width > len ? p->width - len : 0;
            fprintf(stderr, "\r%s%*s", line, pad, "");
        }
        fputc('\n', stderr);
        fflush(stderr);
    }
    p->shown = false;
}
