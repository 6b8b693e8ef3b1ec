/*
 * main.c — sgd-influence: parse the command line, load the two tables, run
 * the engine, write the influence CSV, its JSON sidecar and the optional
 * trace and initial parameters, and report.
 *
 * The only place of the project that prints or exits. Exit status 0 on
 * success, 1 on a failure (bad input, I/O), 2 on a usage error. stdout stays
 * empty during a run; messages, progress and the self-check go to stderr.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "progress.h"
#include "sgdi.h"

// "0.812" or "n/a" for a statistic that could not be computed.
static const char *statistic(char *buf, size_t cap, double v) {
    if (!isfinite(v)) return "n/a";
    snprintf(buf, cap, "%.3f", v);
    return buf;
}

static void report_validation(const sgdi_validation *v, const sgdi_options *opt) {
    char a[32], b[32];
    fprintf(stderr,
            "self-check over %lld row%s, each left out and retrained: estimated vs actual\n"
            "change of the validation loss\n",
            (long long)v->count, v->count == 1 ? "" : "s");
    fprintf(stderr, "  hessian %-6s  Kendall's tau %s, Pearson's r %s\n",
            sgdi_hessian_name(opt->hessian), statistic(a, sizeof a, v->kendall_tau),
            statistic(b, sizeof b, v->pearson_r));
    if (v->paper)
        fprintf(stderr, "  hessian %-6s  Kendall's tau %s, Pearson's r %s\n",
                sgdi_hessian_name(SGDI_HESSIAN_PAPER), statistic(a, sizeof a, v->paper_kendall_tau),
                statistic(b, sizeof b, v->paper_pearson_r));
}

// The sidecar's path, OUTPUT.json (malloc'd), or NULL with err set.
static char *sidecar_of(const char *output, sgdi_error *err) {
    size_t len = strlen(output);
    char *sidecar = malloc(len + sizeof ".json");
    if (!sidecar) {
        snprintf(err->message, sizeof err->message, "out of memory");
        err->status = SGDI_ERR_NOMEM;
        return NULL;
    }
    memcpy(sidecar, output, len);
    memcpy(sidecar + len, ".json", sizeof ".json");
    return sidecar;
}

// Writes the CSV, the sidecar and the optional files; the first failure stops.
static sgdi_status write_outputs(const cli_args *args, const sgdi_result *res, sgdi_error *err) {
    char *sidecar = sidecar_of(args->output, err);
    if (!sidecar) return err->status;
    sgdi_csv_options csv;
    sgdi_csv_options_init(&csv);
    csv.influence_std = args->influence_std;
    sgdi_status s = sgdi_result_write_csv_opts(res, args->output, &csv, err);
    if (s == SGDI_OK) s = sgdi_result_write_json(res, args->train, args->val, sidecar, err);
    if (s == SGDI_OK && args->trace) s = sgdi_result_write_trace(res, args->trace, err);
    if (s == SGDI_OK && args->initial_params)
        s = sgdi_result_write_initial_parameters(res, args->initial_params, err);
    if (s == SGDI_OK && args->save_model) s = sgdi_result_write_model(res, args->save_model, err);
    free(sidecar);
    return s;
}

// Fails if an output file of the run could not be written (checked before the run).
static sgdi_status check_outputs(const cli_args *args, sgdi_error *err) {
    char *sidecar = sidecar_of(args->output, err);
    if (!sidecar) return err->status;
    const char *paths[] = {args->output, sidecar, args->trace, args->initial_params,
                           args->save_model};
    sgdi_status s = SGDI_OK;
    for (size_t i = 0; i < sizeof paths / sizeof *paths && s == SGDI_OK; i++)
        if (paths[i]) s = sgdi_check_output_path(paths[i], err);
    free(sidecar);
    return s;
}

// --describe FILE: what the model holds and whether it can be trained, on stdout.
static int describe(const char *path) {
    sgdi_error err = {SGDI_OK, ""};
    sgdi_model *model = NULL;
    char *text = NULL;
    if (sgdi_model_load(path, &model, &err) != SGDI_OK ||
        sgdi_model_describe(model, &text, &err) != SGDI_OK) {
        sgdi_model_free(model);
        return cli_fail(&err);
    }
    fputs(text, stdout);
    free(text);
    sgdi_model_free(model);
    return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static int run(cli_args *args) {
    sgdi_error err = {SGDI_OK, ""};
    sgdi_dataset *train = NULL, *val = NULL;
    sgdi_model *model = NULL;
    sgdi_result *res = NULL;
    int status = CLI_EXIT_FAILURE;
    bool terminal = isatty(STDERR_FILENO) == 1;
    cli_progress progress;
    cli_progress_init(&progress, terminal && !args->quiet);

    if (check_outputs(args, &err) != SGDI_OK) {
        status = cli_fail(&err);
        goto done;
    }
    if (args->model) {
        if (sgdi_model_load(args->model, &model, &err) != SGDI_OK) {
            status = cli_fail(&err);
            goto done;
        }
        args->opt.model = model;
        // As the plugins: one more epoch from the file's parameters, in its batch size.
        if (!args->epochs_given) args->opt.epochs = 1;
        if (!args->batch_given && sgdi_model_batch_size(model) > 0)
            args->opt.batch_size = sgdi_model_batch_size(model);
    }
    if (sgdi_dataset_load_csv_opts(args->train, &args->data, &train, &err) != SGDI_OK ||
        sgdi_dataset_load_csv_opts(args->val, &args->data, &val, &err) != SGDI_OK ||
        sgdi_dataset_check_compatible(train, val, &err) != SGDI_OK) {
        status = cli_fail(&err);
        goto done;
    }
    // The image plugin trains its CNN with 0.05; measured on Fashion-MNIST with flipped
    // labels it also finds more of them than 0.1 (bench/README.md).
    if (!args->lr_given && !args->model && sgdi_dataset_is_image(train))
        args->opt.lr = CLI_IMAGE_LR;
    progress.start = cli_now(); // estimate the time left from the run alone
    sgdi_status s = sgdi_run(&args->opt, train, val, cli_progress_update, &progress, &res, &err);
    cli_progress_finish(&progress, s == SGDI_OK);
    if (s != SGDI_OK) {
        status = cli_fail(&err);
        goto done;
    }
    if (sgdi_result_diverged(res)) {
        // Scores dominated by the blow-up rank the rows by noise: say so instead of
        // writing them, unless the user asked for them anyway.
        fprintf(stderr,
                "%s: %s: the backward recursion grew the validation gradient %.3g-fold "
                "(step size times curvature above 2 at the parameters it used); the scores "
                "reflect that growth more than the rows. Use --hessian plugin (damped) or none, "
                "a smaller --lr, or --method all%s.\n",
                cli_program, args->allow_divergence ? "warning" : "error",
                sgdi_result_adjoint_growth(res),
                args->allow_divergence ? "" : "; --allow-divergence writes them anyway");
        if (!args->allow_divergence) {
            status = CLI_EXIT_FAILURE;
            goto done;
        }
    }
    const sgdi_validation *v = sgdi_result_validation(res);
    if (v) report_validation(v, sgdi_result_options(res));
    if (write_outputs(args, res, &err) != SGDI_OK) {
        status = cli_fail(&err);
        goto done;
    }
    if (terminal && !args->quiet)
        fprintf(stderr, "%s: scored %lld rows in %.2f s; wrote %s and %s.json\n", cli_program,
                (long long)sgdi_result_rows(res), sgdi_result_seconds(res), args->output,
                args->output);
    status = CLI_EXIT_OK;
done:
    sgdi_result_free(res);
    sgdi_dataset_free(val);
    sgdi_dataset_free(train);
    sgdi_model_free(model);
    return status;
}

int main(int argc, char **argv) {
    // "sgd-influence COMMAND ...": the commands that work on a run's outputs.
    if (argc > 1) {
        if (strcmp(argv[1], "evaluate") == 0) return cli_evaluate_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "report") == 0) return cli_report_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "cleanse") == 0) return cli_cleanse_main(argc - 1, argv + 1);
    }
    cli_args args;
    char msg[SGDI_ERROR_MESSAGE_MAX + 64];
    switch (cli_parse(argc, argv, &args, msg, sizeof msg)) {
    case CLI_PARSE_HELP:
        cli_print_help(stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    case CLI_PARSE_VERSION:
        cli_print_version(stdout);
        return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    case CLI_PARSE_USAGE:
        return cli_usage(NULL, "%s", msg);
    case CLI_PARSE_DESCRIBE:
        return describe(args.describe);
    case CLI_PARSE_RUN:
        break;
    }
    return run(&args);
}
