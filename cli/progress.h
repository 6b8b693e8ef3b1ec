/*
 * progress.h — the one updating progress line on stderr: phase, trial,
 * percentage and an estimate of the time left, at most 10 updates a second.
 * Shown only when enabled (stderr is a terminal and --quiet is not given).
 */
#ifndef SGDI_CLI_PROGRESS_H
#define SGDI_CLI_PROGRESS_H

#include <stdbool.h>

#include "sgdi.h"

typedef struct cli_progress {
    bool enabled;
    bool shown;   // a line is on the terminal and needs a newline at the end
    double start; // monotonic seconds when the run began
    double last;  // when the line was last drawn
    int width;    // length of the line last drawn, to blank what is left of it
} cli_progress;

// Seconds on a monotonic clock.
double cli_now(void);

void cli_progress_init(cli_progress *p, bool enabled);

// An sgdi_progress_fn; `user` is the cli_progress. Called from the thread
// that called sgdi_run.
void cli_progress_update(void *user, const sgdi_progress *progress);

// Ends the line if one was drawn: redrawn as done when `success`, then a newline.
void cli_progress_finish(cli_progress *p, bool success);

#endif // SGDI_CLI_PROGRESS_H
