/*
 * cleanse.c — `sgd-influence cleanse`: a training CSV without the rows an
 * influence CSV ranks most harmful (sgdi_cleanse in sgdi.h does the work).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "sgdi.h"

static void print_help(FILE *out) {
    fputs("Usage: sgd-influence cleanse -i INFLUENCE.csv [-t TRAIN.csv]\n"
          "                             (-k N | --fraction F | --below X) -o OUTPUT.csv\n"
          "\n"
          "Writes the training CSV without the rows the influence CSV ranks most harmful:\n"
          "every column and the header as they are, the rows that stay in their order.\n"
          "The influence CSV is sorted ascending (most harmful first: negative influence =\n"
          "removing the row lowers the validation loss), so its first rows are removed.\n"
          "\n"
          "  -i, --influence FILE    influence CSV written by sgd-influence (required)\n"
          "  -t, --input-train FILE  the training CSV it scores (default: the one its\n"
          "                          sidecar FILE.json records, looked up from here, then\n"
          "                          from FILE's folder)\n"
          "  -o, --output FILE       the cleansed training CSV (required; not an input)\n"
          "  -k, --count N           remove the N most harmful rows\n"
          "      --fraction F        remove the most harmful F of the N rows, in [0, 1]:\n"
          "                          floor(F*N + 0.5) rows\n"
          "      --below X           remove every row whose influence is below X\n"
          "  -q, --quiet             no summary line\n"
          "  -h, --help              show this help and exit\n"
          "\n"
          "Image file names are rewritten to resolve from OUTPUT's folder (absolute ones\n"
          "stay). The influence CSV must list every training row once (checked: row count,\n"
          "datasource_index, labels and images); at least one row must stay. OUTPUT is\n"
          "written to a temporary file renamed into place; on any error nothing is written.\n"
          "A summary 'removed K of N rows' goes to stderr.\n"
          "Exit status: 0 success, 1 failure (bad input, I/O error), 2 usage error.\n",
          out);
}

// A whole finite real number.
static bool parse_real(const char *s, double *out) {
    if (!*s || strchr(" \t\n", *s)) return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v) || errno == ERANGE) return false;
    *out = v;
    return true;
}

enum { OPT_FRACTION = 256, OPT_BELOW };

int cli_cleanse_main(int argc, char **argv) {
    static const struct option long_options[] = {
        {"influence", required_argument, NULL, 'i'},
        {"input-train", required_argument, NULL, 't'},
        {"output", required_argument, NULL, 'o'},
        {"count", required_argument, NULL, 'k'},
        {"fraction", required_argument, NULL, OPT_FRACTION},
        {"below", required_argument, NULL, OPT_BELOW},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sgdi_cleanse_options opt;
    sgdi_cleanse_options_init(&opt);
    int selectors = 0;
    bool quiet = false;
    long long count;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":i:t:o:k:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'i':
            opt.influence_csv = optarg;
            break;
        case 't':
            opt.train_csv = optarg;
            break;
        case 'o':
            opt.output = optarg;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            print_help(stdout);
            return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        case 'k':
            selectors++;
            opt.by = SGDI_CLEANSE_COUNT;
            if (!cli_whole_number(optarg, 0, INT64_MAX, &count))
                return cli_usage("cleanse", "-k/--count: '%s' is not a whole number >= 0", optarg);
            opt.count = count;
            break;
        case OPT_FRACTION:
            selectors++;
            opt.by = SGDI_CLEANSE_FRACTION;
            if (!parse_real(optarg, &opt.fraction) || opt.fraction < 0 || opt.fraction > 1)
                return cli_usage("cleanse", "--fraction: '%s' is not a number in [0, 1]", optarg);
            break;
        case OPT_BELOW:
            selectors++;
            opt.by = SGDI_CLEANSE_BELOW;
            if (!parse_real(optarg, &opt.below))
                return cli_usage("cleanse", "--below: '%s' is not a finite number", optarg);
            break;
        case ':':
            return cli_usage("cleanse", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage("cleanse", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage("cleanse", "unexpected argument '%s'", argv[optind]);
    if (!opt.influence_csv) return cli_usage("cleanse", "the influence CSV (-i) is required");
    if (!opt.output) return cli_usage("cleanse", "the output file (-o) is required");
    if (selectors != 1)
        return cli_usage("cleanse", selectors
                                        ? "give only one of -k, --fraction and --below"
                                        : "say what to remove: -k N, --fraction F or --below X");

    sgdi_error err = {SGDI_OK, ""};
    char *found = NULL;
    if (!opt.train_csv) {
        if (sgdi_cleanse_train_path(opt.influence_csv, &found, &err) != SGDI_OK) {
            fprintf(stderr, "%s: %s\n", cli_program, err.message);
            return CLI_EXIT_FAILURE;
        }
        opt.train_csv = found;
    }
    sgdi_cleanse_summary sum;
    int status = CLI_EXIT_OK;
    if (sgdi_cleanse(&opt, &sum, &err) != SGDI_OK) {
        fprintf(stderr, "%s: %s\n", cli_program,
                err.message[0] ? err.message : sgdi_strerror(err.status));
        status = CLI_EXIT_FAILURE;
    } else if (!quiet) {
        char most[64] = "";
        if (sum.removed > 0)
            snprintf(most, sizeof most, " (influence up to %.6g)", sum.largest_removed);
        fprintf(stderr, "%s: removed %lld of %lld rows%s; wrote %s from %s\n", cli_program,
                (long long)sum.removed, (long long)sum.rows, most, opt.output, opt.train_csv);
    }
    free(found);
    return status;
}
