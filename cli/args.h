/*
 * args.h — the command line of sgd-influence: what it holds once parsed, the
 * parser, and the --help / --version texts.
 */
#ifndef SGDI_CLI_ARGS_H
#define SGDI_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sgdi.h"

// Exit statuses.
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

// The step size for image datasets when --lr is not given (the image plugin's).
#define CLI_IMAGE_LR 0.05

typedef struct cli_args {
    sgdi_options opt;
    const char *train;          // -t, required
    const char *val;            // -v, required
    const char *output;         // -o, default "influence.csv"
    const char *trace;          // --trace, or NULL
    const char *initial_params; // --save-initial-params, or NULL
    const char *model;          // -m/--model: a .nnp to train instead of the built-in network
    const char *describe;       // --describe: a .nnp to describe (nothing is trained)
    const char *save_model;     // --save-model: the trained model as .nnp, or NULL
    sgdi_dataset_options data;  // --image-cache, --strict-size, --no-image-normalization
    bool epochs_given;          // -e given (else 1 epoch with a model, as the plugins)
    bool batch_given;           // -b given (else the model's batch size)
    bool lr_given;              // --lr given (else 0.05 for images, as the image plugin)
    bool quiet;
    bool allow_divergence; // write scores even when the backward recursion blew up
    bool influence_std;    // --influence-std: the CSV gets each row's std over the trials
} cli_args;

typedef enum cli_parse_result {
    CLI_PARSE_RUN,      // args filled and checked
    CLI_PARSE_HELP,     // -h/--help was given
    CLI_PARSE_VERSION,  // -V/--version was given
    CLI_PARSE_DESCRIBE, // --describe FILE was given
    CLI_PARSE_USAGE,    // usage error; message in msg
} cli_parse_result;

// Parses argv into args: defaults from sgdi_options_init, --threads from the
// number of online processors, then the options, then sgdi_options_check.
// On a usage error writes a one-line message (without the program name) to
// msg[cap].
cli_parse_result cli_parse(int argc, char **argv, cli_args *args, char *msg, size_t cap);

// A whole decimal integer in [lo, hi], no spaces, no trailing text, into *out.
bool cli_whole_number(const char *s, long long lo, long long hi, long long *out);

// The default of --threads: online processors, or the library's default.
int cli_default_threads(void);

void cli_print_help(FILE *out);
void cli_print_version(FILE *out);

#endif // SGDI_CLI_ARGS_H
