/*
 * report.c — `sgd-influence report`: one self-contained HTML page about a run
 * (sgdi_report_write in sgdi.h does the work).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "sgdi.h"

static void print_help(FILE *out) {
    fputs("Usage: sgd-influence report -i INFLUENCE.csv [-o REPORT.html] [options]\n"
          "\n"
          "Writes one HTML page about a run that any browser shows offline (nothing is\n"
          "fetched: images are embedded, plots are inline SVG): the run's settings and\n"
          "sign convention (negative influence = removing the row lowers the validation\n"
          "loss = harmful); the most harmful and most helpful rows, as thumbnails with\n"
          "label, prediction and score for images, as the row's cells for tables; the\n"
          "distribution of the scores; the removal curve when evaluate's JSON is given;\n"
          "the leave-one-out self-check of a run with --validate; and, for a run with\n"
          "--trials N, each row's spread across the trials, flagging and listing the rows\n"
          "whose score changes sign. A script of the page counts the thumbnails that\n"
          "decoded and shows the count.\n"
          "\n"
          "  -i, --influence FILE    influence CSV written by sgd-influence (required)\n"
          "  -o, --output FILE       the page (default: report.html)\n"
          "      --sidecar FILE      the run's sidecar (default: INFLUENCE.csv.json)\n"
          "      --evaluation FILE   the JSON file of sgd-influence evaluate: adds the\n"
          "                          removal curve\n"
          "  -t, --train FILE        the training CSV, whose cells a table's rows show\n"
          "                          (default: the one the sidecar records, looked up from\n"
          "                          here, then from the sidecar's folder); not read for\n"
          "                          images, which the influence CSV names itself\n"
          "      --top N             rows shown at each end of the ranking (default: 20)\n"
          "  -q, --quiet             no summary line\n"
          "  -h, --help              show this help and exit\n"
          "\n"
          "Every input is checked before anything is written (errors name the file and\n"
          "the line or field); the page is written to a temporary file renamed into place.\n"
          "Exit status: 0 success, 1 failure (bad input, I/O error), 2 usage error.\n",
          out);
}

enum { OPT_SIDECAR = 256, OPT_EVALUATION, OPT_TOP };

int cli_report_main(int argc, char **argv) {
    static const struct option long_options[] = {
        {"influence", required_argument, NULL, 'i'},
        {"output", required_argument, NULL, 'o'},
        {"sidecar", required_argument, NULL, OPT_SIDECAR},
        {"evaluation", required_argument, NULL, OPT_EVALUATION},
        {"train", required_argument, NULL, 't'},
        {"input-train", required_argument, NULL, 't'}, // the spelling of the main command
        {"top", required_argument, NULL, OPT_TOP},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    sgdi_report_inputs in;
    sgdi_report_inputs_init(&in);
    const char *output = "report.html";
    bool quiet = false;
    long long top;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":i:o:t:qh", long_options, NULL)) != -1) {
        switch (c) {
        case 'i':
            in.influence_csv = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 't':
            in.train = optarg;
            break;
        case OPT_SIDECAR:
            in.sidecar = optarg;
            break;
        case OPT_EVALUATION:
            in.evaluation = optarg;
            break;
        case OPT_TOP:
            if (!cli_whole_number(optarg, 1, 1000000, &top))
                return cli_usage("report", "--top: '%s' is not a whole number from 1 to 1000000",
                                 optarg);
            in.top = (int)top;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            print_help(stdout);
            return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        case ':':
            return cli_usage("report", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return cli_usage("report", "unexpected argument '%s'", argv[optind]);
    if (!in.influence_csv) return cli_usage("report", "the influence CSV (-i) is required");
    if (!*output) return cli_usage("report", "the output file (-o) is empty");
    const char *inputs[] = {in.influence_csv, in.sidecar, in.evaluation, in.train};
    for (size_t k = 0; k < sizeof inputs / sizeof *inputs; k++)
        if (inputs[k] && strcmp(inputs[k], output) == 0)
            return cli_usage("report", "the output '%s' is also an input", output);

    sgdi_error err = {SGDI_OK, ""};
    if (sgdi_report_write(&in, output, &err) != SGDI_OK) {
        fprintf(stderr, "%s: %s\n", cli_program,
                err.message[0] ? err.message : sgdi_strerror(err.status));
        return CLI_EXIT_FAILURE;
    }
    if (!quiet) fprintf(stderr, "%s: wrote %s\n", cli_program, output);
    return CLI_EXIT_OK;
}
