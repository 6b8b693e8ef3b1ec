/*
 * evaluate.c — `sgd-influence evaluate`: score the training rows (or read an
 * influence CSV), retrain without the k most harmful rows and without k
 * random rows for several seeds, and compare the models on a test table.
 *
 * The training options are the main command's: this command takes out its
 * own options and hands the rest to cli_parse, so that scoring and every
 * retraining train exactly as `sgd-influence -t ... -v ...` would. Output:
 * the table on stdout, PREFIX.csv and PREFIX.json, and when it scored,
 * PREFIX.influence.csv with its sidecar; every file is written at the end,
 * so a failure leaves none of them behind.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "progress.h"
#include "sgdi.h"

static const char default_removals[] = "0,1%,2%,5%,10%";

typedef struct eval_args {
    const char *test;      // --test, required
    const char *influence; // --influence: scores to reuse instead of scoring
    const char *removals;  // --remove
    const char *prefix;    // -o/--output
    int seeds;             // --eval-seeds
    bool help;
    char *curve_csv, *curve_json, *influence_csv, *influence_json; // derived from prefix
} eval_args;

static void print_help(FILE *out) {
    fprintf(out,
            "Usage: sgd-influence evaluate -t TRAIN.csv -v VAL.csv --test TEST.csv [options]\n"
            "       sgd-influence evaluate -t TRAIN.csv --test TEST.csv --influence FILE "
            "[options]\n"
            "\n"
            "The removal curve: for each size k, retrains without the k most harmful training\n"
            "rows and, separately, without k random rows, and measures both models' accuracy\n"
            "and loss on the test table, for several seeds. For a given seed both retrainings\n"
            "use the same training seed: the only difference is which rows are gone. If the\n"
            "scores find harmful rows, removing them beats removing random ones.\n"
            "\n"
            "  -t, --input-train FILE  training table (required)\n"
            "  -v, --input-val FILE    validation table the rows are scored against (required\n"
            "                          unless --influence is given)\n"
            "      --test FILE         test table the retrained models are measured on\n"
            "                          (required; keep it apart from the validation table)\n"
            "      --influence FILE    an influence CSV of this training table: use its scores\n"
            "                          instead of scoring\n"
            "      --remove LIST       sizes k: counts of rows or percentages of the training\n"
            "                          rows, comma-separated (default: %s)\n"
            "      --eval-seeds N      seeds per size: seed, seed+1, ... (default: 3)\n"
            "  -o, --output PREFIX     writes PREFIX.csv (one line per k: means and standard\n"
            "                          deviations over the seeds) and PREFIX.json (every\n"
            "                          seed's figures); when it scores, also\n"
            "                          PREFIX.influence.csv and its sidecar (default:\n"
            "                          evaluation)\n"
            "  -h, --help              this text\n"
            "\n"
            "Every option of the main command that sets the network or training (-m, -s, -b,\n"
            "-e, --network, --lr, --solver, --threads, ..., and -q) applies to scoring and to\n"
            "every retraining alike: see 'sgd-influence --help'. Random rows come from a\n"
            "Philox stream of each seed, nested: those of a smaller k are among a larger k's.\n"
            "A network whose loss is not over classes has no accuracy: the curve is then of\n"
            "the loss alone.\n"
            "\n"
            "Exit status: 0 on success, 1 on a failure, 2 on a usage error.\n",
            default_removals);
}

static char *concat(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 1);
    if (s) {
        memcpy(s, a, na);
        memcpy(s + na, b, nb + 1);
    }
    return s;
}

static void eval_args_free(eval_args *e) {
    free(e->curve_csv);
    free(e->curve_json);
    free(e->influence_csv);
    free(e->influence_json);
}

// --- Options --------------------------------------------------------------------------

// If argv[*i] is option `name` (--name VALUE, --name=VALUE; or -s VALUE, -sVALUE for a
// short name), sets *value and steps *i past it. A missing value sets *value to NULL.
static bool take_option(int argc, char **argv, int *i, const char *name, char short_name,
                        const char **value) {
    const char *a = argv[*i];
    size_t len = strlen(name);
    bool is_long = strncmp(a, "--", 2) == 0 && strncmp(a + 2, name, len) == 0;
    if (is_long && a[2 + len] == '=') {
        *value = a + 3 + len;
        return true;
    }
    if (short_name && a[0] == '-' && a[1] == short_name && a[2]) {
        *value = a + 2;
        return true;
    }
    if ((is_long && a[2 + len] == '\0') || (short_name && a[0] == '-' && a[1] == short_name)) {
        *value = *i + 1 < argc ? argv[++*i] : NULL;
        return true;
    }
    return false;
}

// Takes this command's options out of argv; the others go to rest[] (from rest[1]).
static int split_options(int argc, char **argv, eval_args *e, char **rest, int *n_rest, char *msg,
                         size_t cap) {
    const char *seeds = NULL;
    *n_rest = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *value = NULL;
        if (strcmp(a, "--") == 0) { // everything after is for the common parser
            while (i < argc) rest[(*n_rest)++] = argv[i++];
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            e->help = true;
            continue;
        }
        const char **slot = NULL;
        const char *name = NULL;
        if (take_option(argc, argv, &i, name = "test", 0, &value))
            slot = &e->test;
        else if (take_option(argc, argv, &i, name = "influence", 0, &value))
            slot = &e->influence;
        else if (take_option(argc, argv, &i, name = "remove", 0, &value))
            slot = &e->removals;
        else if (take_option(argc, argv, &i, name = "eval-seeds", 0, &value))
            slot = &seeds;
        else if (take_option(argc, argv, &i, name = "output", 'o', &value))
            slot = &e->prefix;
        if (!slot) {
            rest[(*n_rest)++] = argv[i];
            continue;
        }
        if (!value) return snprintf(msg, cap, "option '--%s' requires a value", name), -1;
        if (!*value) return snprintf(msg, cap, "--%s: empty value", name), -1;
        *slot = value;
    }
    if (seeds) {
        char *end;
        errno = 0;
        long v = strtol(seeds, &end, 10);
        if (end == seeds || *end || errno == ERANGE || v < 1 || v > SGDI_EVALUATE_MAX_SEEDS)
            return snprintf(msg, cap, "--eval-seeds: '%s' is not a whole number from 1 to %d",
                            seeds, SGDI_EVALUATE_MAX_SEEDS),
                   -1;
        e->seeds = (int)v;
    }
    return 0;
}

// True if a and b name the same file: the same spelling, or the same inode.
static bool same_file(const char *a, const char *b) {
    if (strcmp(a, b) == 0) return true;
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

enum { EVAL_OUTPUTS = 4 };

// The files the command writes into out[EVAL_OUTPUTS] (NULL: not written).
static void output_paths(const eval_args *e, const char *out[EVAL_OUTPUTS]) {
    out[0] = e->curve_csv, out[1] = e->curve_json;
    out[2] = e->influence ? NULL : e->influence_csv;
    out[3] = e->influence ? NULL : e->influence_json;
}

// No output may replace an input.
static bool outputs_clobber(const eval_args *e, const cli_args *a, char *msg, size_t cap) {
    const char *out[EVAL_OUTPUTS];
    output_paths(e, out);
    const char *in[][2] = {{"training table", a->train},
                           {"validation table", e->influence ? NULL : a->val},
                           {"test table", e->test},
                           {"influence CSV", e->influence},
                           {"model", a->model}};
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++)
        for (size_t k = 0; out[i] && k < sizeof in / sizeof in[0]; k++)
            if (in[k][1] && same_file(out[i], in[k][1]))
                return snprintf(msg, cap, "output '%s' would overwrite the %s", out[i], in[k][0]),
                       true;
    return false;
}

// --- Progress -------------------------------------------------------------------------

// The retraining line: "retraining 3/14: 45%, 0:12 left", at most 10 redraws a second.
static void retrain_progress(void *user, const sgdi_progress *pr) {
    cli_progress *p = user;
    if (!p->enabled) return;
    double now = cli_now();
    bool finished = pr->total > 0 && pr->done >= pr->total;
    if (p->shown && now - p->last < 0.1 && !finished) return;
    p->last = now;
    double fraction = pr->total > 0 ? (double)pr->done / (double)pr->total : 0.0;
    double elapsed = now - p->start;
    char left[32] = "--:--";
    if (fraction > 0 && elapsed >= 1.0) {
        long s = (long)(elapsed * (1 - fraction) / fraction + 0.5);
        snprintf(left, sizeof left, "%ld:%02ld", s / 60, s % 60);
    }
    int run = pr->trial < pr->trials ? pr->trial + 1 : pr->trials;
    int len = fprintf(stderr, "\rretraining %d/%d: %3d%%, %s left", run, pr->trials,
                      (int)(100 * fraction), left);
    if (len > 0 && p->width > len) fprintf(stderr, "%*s", p->width - len, "");
    fflush(stderr);
    p->width = len;
    p->shown = true;
}

// --- Steps ----------------------------------------------------------------------------

// The scores: read from --influence, or computed as the main command does. *res is the
// run (NULL with --influence), written with the curve at the end.
static int get_scores(const eval_args *e, cli_args *a, const sgdi_dataset *train,
                      const sgdi_dataset *val, bool show, double **scores, sgdi_result **res) {
    sgdi_error err = {SGDI_OK, ""};
    int64_t n = sgdi_dataset_rows(train);
    if (e->influence) {
        *scores = malloc((size_t)n * sizeof **scores);
        if (!*scores) return fprintf(stderr, "%s: out of memory\n", cli_program), CLI_EXIT_FAILURE;
        if (sgdi_influence_csv_read(e->influence, n, *scores, &err) != SGDI_OK)
            return cli_fail(&err);
        return CLI_EXIT_OK;
    }
    cli_progress progress;
    cli_progress_init(&progress, show);
    sgdi_status s = sgdi_run(&a->opt, train, val, cli_progress_update, &progress, res, &err);
    cli_progress_finish(&progress, s == SGDI_OK);
    if (s != SGDI_OK) return cli_fail(&err);
    if (sgdi_result_diverged(*res) && !a->allow_divergence) {
        fprintf(stderr,
                "%s: the backward recursion grew the validation gradient %.3g-fold: the scores "
                "reflect that growth more than the rows (see 'sgd-influence --help'); "
                "--allow-divergence evaluates them anyway\n",
                cli_program, sgdi_result_adjoint_growth(*res));
        return CLI_EXIT_FAILURE;
    }
    *scores = malloc((size_t)n * sizeof **scores);
    if (!*scores) return fprintf(stderr, "%s: out of memory\n", cli_program), CLI_EXIT_FAILURE;
    memcpy(*scores, sgdi_result_scores(*res), (size_t)n * sizeof **scores);
    return CLI_EXIT_OK;
}

// "0.9561 ± 0.0123" in a column, or "n/a".
static void cell(char *out, size_t cap, double mean, double std, bool available) {
    if (!available || !isfinite(mean))
        snprintf(out, cap, "%17s", "n/a");
    else
        snprintf(out, cap, "%8.4f ± %6.4f", mean, std);
}

static int print_table(const sgdi_evaluation *ev, const char *test) {
    int seeds = sgdi_evaluation_seeds(ev);
    bool acc = sgdi_evaluation_has_accuracy(ev);
    printf("Removal curve on %s: mean ± std over %d seed%s (%llu", test, seeds,
           seeds == 1 ? "" : "s", (unsigned long long)sgdi_evaluation_seed(ev, 0));
    if (seeds > 1) printf("..%llu", (unsigned long long)sgdi_evaluation_seed(ev, seeds - 1));
    printf(") of %lld training rows\n", (long long)sgdi_evaluation_rows(ev));
    if (!acc) printf("The network's loss is not over classes: no accuracy, the loss only.\n");
    printf("%7s %8s  %17s  %17s  %17s  %17s\n", "k", "fraction", "harmful accuracy",
           "random accuracy", "harmful loss", "random loss");
    for (int p = 0; p < sgdi_evaluation_points(ev); p++) {
        sgdi_removal_summary h = sgdi_evaluation_summary(ev, p, SGDI_REMOVE_HARMFUL);
        sgdi_removal_summary r = sgdi_evaluation_summary(ev, p, SGDI_REMOVE_RANDOM);
        char c[4][64];
        cell(c[0], sizeof c[0], h.accuracy_mean, h.accuracy_std, acc);
        cell(c[1], sizeof c[1], r.accuracy_mean, r.accuracy_std, acc);
        cell(c[2], sizeof c[2], h.loss_mean, h.loss_std, true);
        cell(c[3], sizeof c[3], r.loss_mean, r.loss_std, true);
        printf("%7lld %7.2f%%  %s  %s  %s  %s\n", (long long)sgdi_evaluation_count(ev, p),
               100.0 * sgdi_evaluation_fraction(ev, p), c[0], c[1], c[2], c[3]);
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

// Loads the model and the tables, scores, retrains, writes.
static int evaluate(eval_args *e, cli_args *a) {
    sgdi_error err = {SGDI_OK, ""};
    sgdi_model *model = NULL;
    sgdi_dataset *train = NULL, *val = NULL, *test = NULL;
    sgdi_result *res = NULL;
    sgdi_evaluation *ev = NULL;
    double *scores = NULL;
    int status = CLI_EXIT_FAILURE;
    bool show = isatty(STDERR_FILENO) == 1 && !a->quiet;
    int64_t counts[SGDI_EVALUATE_MAX_POINTS];
    int n_counts = 0;
    if (a->model) {
        if (sgdi_model_load(a->model, &model, &err) != SGDI_OK) goto failed;
        a->opt.model = model;
        // As the main command (and the plugins): one more epoch from the file's parameters.
        if (!a->epochs_given) a->opt.epochs = 1;
        if (!a->batch_given && sgdi_model_batch_size(model) > 0)
            a->opt.batch_size = sgdi_model_batch_size(model);
    }
    if (sgdi_dataset_load_csv_opts(a->train, &a->data, &train, &err) != SGDI_OK ||
        (!e->influence && sgdi_dataset_load_csv_opts(a->val, &a->data, &val, &err) != SGDI_OK) ||
        sgdi_dataset_load_csv_opts(e->test, &a->data, &test, &err) != SGDI_OK ||
        (val && sgdi_dataset_check_compatible(train, val, &err) != SGDI_OK) ||
        sgdi_dataset_check_compatible(train, test, &err) != SGDI_OK)
        goto failed;
    if (sgdi_removal_counts_parse(e->removals, sgdi_dataset_rows(train), counts,
                                  SGDI_EVALUATE_MAX_POINTS, &n_counts, &err) != SGDI_OK) {
        fprintf(stderr, "%s: --remove: %s\n", cli_program, err.message);
        goto done;
    }
    if (!a->lr_given && !a->model && sgdi_dataset_is_image(train)) a->opt.lr = CLI_IMAGE_LR;
    const char *outputs[EVAL_OUTPUTS]; // writable, before minutes of retraining
    output_paths(e, outputs);
    for (int i = 0; i < EVAL_OUTPUTS; i++)
        if (outputs[i] && sgdi_check_output_path(outputs[i], &err) != SGDI_OK) goto failed;
    if ((status = get_scores(e, a, train, val, show, &scores, &res)) != CLI_EXIT_OK) goto done;
    status = CLI_EXIT_FAILURE;
    cli_progress progress;
    cli_progress_init(&progress, show);
    sgdi_status s = sgdi_evaluate_removal(&a->opt, train, test, scores, counts, n_counts, e->seeds,
                                          retrain_progress, &progress, &ev, &err);
    cli_progress_finish(&progress, s == SGDI_OK);
    if (s != SGDI_OK) goto failed;
    if ((res &&
         (sgdi_result_write_csv(res, e->influence_csv, &err) != SGDI_OK ||
          sgdi_result_write_json(res, a->train, a->val, e->influence_json, &err) != SGDI_OK)) ||
        sgdi_evaluation_write_csv(ev, e->curve_csv, &err) != SGDI_OK ||
        sgdi_evaluation_write_json(ev, e->influence ? e->influence : e->influence_csv, e->test,
                                   e->curve_json, &err) != SGDI_OK)
        goto failed;
    status = print_table(ev, e->test);
    if (show) fprintf(stderr, "%s: wrote %s and %s\n", cli_program, e->curve_csv, e->curve_json);
    goto done;
failed:
    status = cli_fail(&err);
done:
    sgdi_evaluation_free(ev);
    free(scores);
    sgdi_result_free(res);
    sgdi_dataset_free(test);
    sgdi_dataset_free(val);
    sgdi_dataset_free(train);
    sgdi_model_free(model);
    return status;
}

int cli_evaluate_main(int argc, char **argv) {
    eval_args e = {.removals = default_removals, .prefix = "evaluation", .seeds = 3};
    char msg[SGDI_ERROR_MESSAGE_MAX + 64];
    // Room for every argument plus the -o and -v this command adds.
    char **rest = calloc((size_t)argc + 5, sizeof *rest);
    if (!rest) return fprintf(stderr, "%s: out of memory\n", cli_program), CLI_EXIT_FAILURE;
    int n_rest = 0, status = CLI_EXIT_USAGE;
    cli_args a;
    if (split_options(argc, argv, &e, rest, &n_rest, msg, sizeof msg) != 0) {
        status = cli_usage("evaluate", "%s", msg);
        goto done;
    }
    if (e.help) {
        print_help(stdout);
        status = fflush(stdout) == 0 && !ferror(stdout) ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
        goto done;
    }
    if (!e.test) {
        status = cli_usage("evaluate", "%s", "missing the test table (--test)");
        goto done;
    }
    e.curve_csv = concat(e.prefix, ".csv");
    e.curve_json = concat(e.prefix, ".json");
    e.influence_csv = concat(e.prefix, ".influence.csv");
    e.influence_json = concat(e.prefix, ".influence.csv.json");
    if (!e.curve_csv || !e.curve_json || !e.influence_csv || !e.influence_json) {
        fprintf(stderr, "%s: out of memory\n", cli_program);
        status = CLI_EXIT_FAILURE;
        goto done;
    }
    rest[0] = argv[0];
    // The common parser checks that the scores' CSV does not replace an input, and wants
    // a validation table, which --influence makes unnecessary: the test table stands in
    // (it is never read as one).
    rest[n_rest++] = "-o";
    rest[n_rest++] = e.influence_csv;
    bool has_val = false;
    for (int i = 1; i < n_rest; i++)
        has_val |= strcmp(rest[i], "-v") == 0 || strncmp(rest[i], "--input-val", 11) == 0 ||
                   (strncmp(rest[i], "-v", 2) == 0 && rest[i][2] != '-');
    if (e.influence && !has_val) {
        rest[n_rest++] = "-v";
        rest[n_rest++] = (char *)e.test;
    }
    switch (cli_parse(n_rest, rest, &a, msg, sizeof msg)) {
    case CLI_PARSE_HELP:
        print_help(stdout);
        status = CLI_EXIT_OK;
        goto done;
    case CLI_PARSE_VERSION:
        cli_print_version(stdout);
        status = CLI_EXIT_OK;
        goto done;
    case CLI_PARSE_USAGE:
        status = cli_usage("evaluate", "%s", msg);
        goto done;
    case CLI_PARSE_DESCRIBE:
        status = cli_usage("evaluate", "%s", "--describe is not an option of evaluate");
        goto done;
    case CLI_PARSE_RUN:
        break;
    }
    const char *refused = a.trace            ? "--trace"
                          : a.initial_params ? "--save-initial-params"
                          : a.save_model     ? "--save-model"
                                             : NULL;
    if (refused) {
        snprintf(msg, sizeof msg, "%s is not an option of evaluate", refused);
        status = cli_usage("evaluate", "%s", msg);
    } else if (outputs_clobber(&e, &a, msg, sizeof msg)) {
        status = cli_usage("evaluate", "%s", msg);
    } else {
        // The list's form is checked now; its sizes against the training rows once loaded.
        int64_t counts[SGDI_EVALUATE_MAX_POINTS];
        int n;
        sgdi_error err;
        if (sgdi_removal_counts_parse(e.removals, 0, counts, SGDI_EVALUATE_MAX_POINTS, &n, &err) !=
            SGDI_OK) {
            snprintf(msg, sizeof msg, "--remove: %s", err.message);
            status = cli_usage("evaluate", "%s", msg);
        } else {
            status = evaluate(&e, &a);
        }
    }
done:
    eval_args_free(&e);
    free(rest);
    return status;
}
