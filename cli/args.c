/*
 * args.c — parsing the command line with getopt_long: strict numbers, enum
 * names taken from the library, the plugin's spellings as aliases, and the
 * library's own option check at the end (see args.h).
 */
#include "args.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// Long-only options.
enum {
    OPT_TRIALS = 256,
    OPT_METHOD,
    OPT_HESSIAN,
    OPT_NETWORK,
    OPT_HIDDEN,
    OPT_CHANNELS,
    OPT_ALLOW_DIVERGENCE,
    OPT_DROPOUT,
    OPT_ACTIVATION,
    OPT_SOLVER,
    OPT_LR,
    OPT_MOMENTUM,
    OPT_WEIGHT_DECAY,
    OPT_DESCRIBE,
    OPT_SAVE_MODEL,
    OPT_BETA1,
    OPT_BETA2,
    OPT_EPS,
    OPT_DECAY,
    OPT_WD,
    OPT_THREADS,
    OPT_VALIDATE,
    OPT_TRACE,
    OPT_SAVE_INITIAL,
    OPT_IMAGE_CACHE,
    OPT_STRICT_SIZE,
    OPT_NO_IMAGE_NORMALIZATION,
    OPT_INFLUENCE_STD,
};

static const char short_options[] = ":t:v:o:s:b:e:m:qhV";

// The first spelling of each option is the one messages use.
static const struct option long_options[] = {
    {"input-train", required_argument, NULL, 't'},
    {"input-val", required_argument, NULL, 'v'},
    {"output", required_argument, NULL, 'o'},
    {"seed", required_argument, NULL, 's'},
    {"batch-size", required_argument, NULL, 'b'},
    {"batch_size", required_argument, NULL, 'b'}, // the plugin's spelling
    {"epochs", required_argument, NULL, 'e'},
    {"num-epochs", required_argument, NULL, 'e'}, // the plugin's spelling
    {"trials", required_argument, NULL, OPT_TRIALS},
    {"n_trials", required_argument, NULL, OPT_TRIALS}, // the plugin's spelling
    {"method", required_argument, NULL, OPT_METHOD},
    {"hessian", required_argument, NULL, OPT_HESSIAN},
    {"network", required_argument, NULL, OPT_NETWORK},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"dropout", required_argument, NULL, OPT_DROPOUT},
    {"activation", required_argument, NULL, OPT_ACTIVATION},
    {"solver", required_argument, NULL, OPT_SOLVER},
    {"lr", required_argument, NULL, OPT_LR},
    {"momentum", required_argument, NULL, OPT_MOMENTUM},
    {"weight-decay", required_argument, NULL, OPT_WEIGHT_DECAY},
    {"beta1", required_argument, NULL, OPT_BETA1},
    {"beta2", required_argument, NULL, OPT_BETA2},
    {"eps", required_argument, NULL, OPT_EPS},
    {"decay", required_argument, NULL, OPT_DECAY},
    {"wd", required_argument, NULL, OPT_WD},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"validate", required_argument, NULL, OPT_VALIDATE},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"save-initial-params", required_argument, NULL, OPT_SAVE_INITIAL},
    {"influence-std", no_argument, NULL, OPT_INFLUENCE_STD},
    {"model", required_argument, NULL, 'm'},
    {"describe", required_argument, NULL, OPT_DESCRIBE},
    {"save-model", required_argument, NULL, OPT_SAVE_MODEL},
    {"image-cache", required_argument, NULL, OPT_IMAGE_CACHE},
    {"strict-size", no_argument, NULL, OPT_STRICT_SIZE},
    {"no-image-normalization", no_argument, NULL, OPT_NO_IMAGE_NORMALIZATION},
    {"quiet", no_argument, NULL, 'q'},
    {"allow-divergence", no_argument, NULL, OPT_ALLOW_DIVERGENCE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char *option_name(int id) {
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == id) return o->name;
    return "?";
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static cli_parse_result
usage(char *msg, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    return CLI_PARSE_USAGE;
}

// --- Numbers -------------------------------------------------------------------

typedef enum number_status { NUM_OK, NUM_SYNTAX, NUM_RANGE } number_status;

// A whole decimal integer in [lo, hi]: no spaces, no trailing text.
static number_status parse_integer(const char *s, long long lo, long long hi, long long *out) {
    if (!*s || isspace((unsigned char)*s)) return NUM_SYNTAX;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end) return NUM_SYNTAX;
    if (errno == ERANGE || v < lo || v > hi) return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

bool cli_whole_number(const char *s, long long lo, long long hi, long long *out) {
    return parse_integer(s, lo, hi, out) == NUM_OK;
}

// A whole unsigned 64-bit decimal (seeds): no sign.
static number_status parse_unsigned(const char *s, uint64_t *out) {
    if (!isdigit((unsigned char)*s)) return NUM_SYNTAX; // no sign, no spaces
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end) return NUM_SYNTAX;
    if (errno == ERANGE) return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

// A whole finite real number.
static number_status parse_real(const char *s, double *out) {
    if (!*s || isspace((unsigned char)*s)) return NUM_SYNTAX;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end) return NUM_SYNTAX;
    if (!isfinite(v)) return NUM_SYNTAX; // "inf", "nan"
    if (errno == ERANGE) return NUM_RANGE;
    *out = v;
    return NUM_OK;
}

static cli_parse_result bad_number(char *msg, size_t cap, int id, const char *arg, number_status st,
                                   const char *what) {
    if (st == NUM_RANGE) return usage(msg, cap, "--%s: '%s' is out of range", option_name(id), arg);
    return usage(msg, cap, "--%s: '%s' is not %s", option_name(id), arg, what);
}

// --- Names ---------------------------------------------------------------------

static const char *method_name(int v) {
    return sgdi_method_name((sgdi_method)v);
}
static const char *hessian_name(int v) {
    return sgdi_hessian_name((sgdi_hessian)v);
}
static const char *network_name(int v) {
    return sgdi_network_name((sgdi_network)v);
}
static const char *activation_name(int v) {
    return sgdi_activation_name((sgdi_activation)v);
}
static const char *solver_name(int v) {
    return sgdi_solver_name((sgdi_solver_kind)v);
}

// Finds arg among name(0 .. count-1); on failure lists the choices.
static cli_parse_result parse_choice(const char *arg, int count, const char *(*name)(int), int id,
                                     int *out, char *msg, size_t cap) {
    for (int v = 0; v < count; v++) {
        if (strcmp(arg, name(v)) == 0) {
            *out = v;
            return CLI_PARSE_RUN;
        }
    }
    char choices[256] = "";
    for (int v = 0; v < count; v++) {
        size_t used = strlen(choices);
        snprintf(choices + used, sizeof choices - used, "%s%s", v ? ", " : "", name(v));
    }
    return usage(msg, cap, "--%s: '%s' is not one of: %s", option_name(id), arg, choices);
}

// "8,8": 1 to `max` comma-separated integers into widths[], their count into *n.
static cli_parse_result parse_widths(const char *arg, const char *option, int max, int *widths,
                                     int *n_out, char *msg, size_t cap) {
    int n = 0;
    const char *p = arg;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char width[32];
        if (len == 0) return usage(msg, cap, "--%s: empty width in '%s'", option, arg);
        if (n == max)
            return usage(msg, cap, "--%s: at most %d widths (got '%s')", option, max, arg);
        if (len >= sizeof width)
            return usage(msg, cap, "--%s: width out of range in '%s'", option, arg);
        memcpy(width, p, len);
        width[len] = '\0';
        long long v;
        number_status st = parse_integer(width, INT_MIN, INT_MAX, &v);
        if (st != NUM_OK)
            return usage(msg, cap, "--%s: '%s' in '%s' is %s", option, width, arg,
                         st == NUM_RANGE ? "out of range" : "not an integer");
        widths[n++] = (int)v;
        if (!comma) break;
        p = comma + 1;
    }
    *n_out = n;
    return CLI_PARSE_RUN;
}

// --- The parser ----------------------------------------------------------------

int cli_default_threads(void) {
    sgdi_options defaults;
    sgdi_options_init(&defaults);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) return defaults.threads;
    return n > 1024 ? 1024 : (int)n;
}

// True if a and b name the same file: the same spelling, or the same inode.
static bool same_file(const char *a, const char *b) {
    if (strcmp(a, b) == 0) return true;
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

// No output may replace an input table or another output.
static cli_parse_result check_files(const cli_args *args, char *msg, size_t cap) {
    size_t len = strlen(args->output);
    char *sidecar = malloc(len + sizeof ".json");
    if (!sidecar) return usage(msg, cap, "out of memory");
    memcpy(sidecar, args->output, len);
    memcpy(sidecar + len, ".json", sizeof ".json");
    const char *out[][2] = {{"--output", args->output},
                            {"the sidecar", sidecar},
                            {"--trace", args->trace},
                            {"--save-initial-params", args->initial_params},
                            {"--save-model", args->save_model}};
    const char *in[][2] = {
        {"training table", args->train}, {"validation table", args->val}, {"model", args->model}};
    size_t n_out = sizeof out / sizeof out[0], n_in = sizeof in / sizeof in[0];
    cli_parse_result r = CLI_PARSE_RUN;
    for (size_t i = 0; i < n_out && r == CLI_PARSE_RUN; i++) {
        if (!out[i][1]) continue;
        for (size_t k = 0; k < n_in && r == CLI_PARSE_RUN; k++)
            if (in[k][1] && same_file(out[i][1], in[k][1]))
                r = usage(msg, cap, "%s '%s' would overwrite the %s", out[i][0], out[i][1],
                          in[k][0]);
        for (size_t k = 0; k < i && r == CLI_PARSE_RUN; k++)
            if (out[k][1] && same_file(out[i][1], out[k][1]))
                r = usage(msg, cap, "%s and %s are the same file '%s'", out[k][0], out[i][0],
                          out[i][1]);
    }
    free(sidecar);
    return r;
}

// Describes the option getopt_long stopped at (for '?' and ':').
static cli_parse_result getopt_error(int c, char **argv, char *msg, size_t cap) {
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    bool is_long = arg && strncmp(arg, "--", 2) == 0;
    if (c == ':') {
        if (is_long) return usage(msg, cap, "option '%s' requires a value", arg);
        return usage(msg, cap, "option '-%c' requires a value", optopt);
    }
    if (is_long) {
        const char *eq = strchr(arg, '=');
        if (eq && optopt != 0)
            return usage(msg, cap, "option '%.*s' takes no value", (int)(eq - arg), arg);
        // getopt_long also lands here for a prefix of two options ("--input").
        size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        int matches = 0, first_val = 0;
        for (const struct option *o = long_options; o->name; o++) {
            if (strncmp(o->name, arg + 2, len) != 0) continue;
            if (matches++ == 0)
                first_val = o->val;
            else if (o->val == first_val)
                matches--; // an alias of the same option
        }
        if (len > 0 && matches > 1) return usage(msg, cap, "ambiguous option '%s'", arg);
        return usage(msg, cap, "unrecognized option '%s'", arg);
    }
    if (isprint(optopt)) return usage(msg, cap, "invalid option '-%c'", optopt);
    return usage(msg, cap, "invalid option '%s'", arg);
}

cli_parse_result cli_parse(int argc, char **argv, cli_args *args, char *msg, size_t cap) {
    memset(args, 0, sizeof *args);
    sgdi_options *opt = &args->opt;
    sgdi_options_init(opt);
    opt->threads = cli_default_threads();
    sgdi_dataset_options_init(&args->data);
    args->output = "influence.csv";
    bool solver_given = false, momentum_given = false;
    msg[0] = '\0';

    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        const char *a = optarg;
        number_status st;
        long long v;
        int choice = 0;
        cli_parse_result r = CLI_PARSE_RUN;
        switch (c) {
        case 'h':
            return CLI_PARSE_HELP;
        case 'V':
            return CLI_PARSE_VERSION;
        case 'q':
            args->quiet = true;
            break;
        case OPT_ALLOW_DIVERGENCE:
            args->allow_divergence = true;
            break;
        case OPT_INFLUENCE_STD:
            args->influence_std = true;
            break;
        case 't':
            args->train = a;
            break;
        case 'v':
            args->val = a;
            break;
        case 'o':
            args->output = a;
            break;
        case OPT_TRACE:
            args->trace = a;
            break;
        case 'm':
            args->model = a;
            break;
        case OPT_DESCRIBE:
            args->describe = a;
            break;
        case OPT_SAVE_MODEL:
            args->save_model = a;
            break;
        case OPT_SAVE_INITIAL:
            args->initial_params = a;
            break;
        case 's':
            if ((st = parse_unsigned(a, &opt->seed)) != NUM_OK)
                return bad_number(msg, cap, c, a, st, "a non-negative integer");
            break;
        case 'b':
            if ((st = parse_integer(a, INT64_MIN, INT64_MAX, &v)) != NUM_OK)
                return bad_number(msg, cap, c, a, st, "an integer");
            opt->batch_size = v;
            args->batch_given = true;
            break;
        case 'e':
        case OPT_TRIALS:
        case OPT_THREADS:
        case OPT_VALIDATE:
            if ((st = parse_integer(a, INT_MIN, INT_MAX, &v)) != NUM_OK)
                return bad_number(msg, cap, c, a, st, "an integer");
            *(c == 'e'           ? &opt->epochs
              : c == OPT_TRIALS  ? &opt->trials
              : c == OPT_THREADS ? &opt->threads
                                 : &opt->validate) = (int)v;
            if (c == 'e') args->epochs_given = true;
            break;
        case OPT_DROPOUT:
        case OPT_LR:
        case OPT_MOMENTUM:
        case OPT_WEIGHT_DECAY:
        case OPT_BETA1:
        case OPT_BETA2:
        case OPT_EPS:
        case OPT_DECAY:
        case OPT_WD: {
            double x;
            if ((st = parse_real(a, &x)) != NUM_OK)
                return bad_number(msg, cap, c, a, st, "a number");
            if (c == OPT_LR) args->lr_given = true;
            *(c == OPT_DROPOUT    ? &opt->dropout
              : c == OPT_LR       ? &opt->lr
              : c == OPT_MOMENTUM ? &opt->momentum
              : c == OPT_BETA1    ? &opt->beta1
              : c == OPT_BETA2    ? &opt->beta2
              : c == OPT_EPS      ? &opt->eps
              : c == OPT_DECAY    ? &opt->decay
              : c == OPT_WD       ? &opt->wd
                                  : &opt->weight_decay) = x;
            if (c == OPT_MOMENTUM) momentum_given = true;
            break;
        }
        case OPT_HIDDEN:
            r = parse_widths(a, "hidden", SGDI_MAX_HIDDEN, opt->hidden, &opt->n_hidden, msg, cap);
            break;
        case OPT_CHANNELS:
            r = parse_widths(a, "channels", SGDI_MAX_BLOCKS, opt->channels, &opt->n_blocks, msg,
                             cap);
            break;
        case OPT_IMAGE_CACHE: // megabytes
            if ((st = parse_integer(a, 0, (long long)(SIZE_MAX >> 20), &v)) != NUM_OK)
                return bad_number(msg, cap, c, a, st, "a non-negative integer (megabytes)");
            args->data.image_cache_bytes = (size_t)v << 20;
            break;
        case OPT_STRICT_SIZE:
            args->data.strict_image_size = true;
            break;
        case OPT_NO_IMAGE_NORMALIZATION:
            args->data.no_image_normalization = true;
            break;
        case OPT_METHOD:
            r = parse_choice(a, SGDI_METHOD_AUTO + 1, method_name, c, &choice, msg, cap);
            opt->method = (sgdi_method)choice;
            break;
        case OPT_HESSIAN:
            r = parse_choice(a, SGDI_HESSIAN_AUTO + 1, hessian_name, c, &choice, msg, cap);
            opt->hessian = (sgdi_hessian)choice;
            break;
        case OPT_NETWORK:
            r = parse_choice(a, SGDI_NETWORK_AUTO + 1, network_name, c, &choice, msg, cap);
            opt->network = (sgdi_network)choice;
            break;
        case OPT_ACTIVATION:
            r = parse_choice(a, SGDI_ACT_LEAKY_RELU + 1, activation_name, c, &choice, msg, cap);
            opt->activation = (sgdi_activation)choice;
            break;
        case OPT_SOLVER:
            r = parse_choice(a, SGDI_SOLVER_ADADELTA + 1, solver_name, c, &choice, msg, cap);
            opt->solver = (sgdi_solver_kind)choice;
            solver_given = true;
            break;
        default:
            return getopt_error(c, argv, msg, cap);
        }
        if (r != CLI_PARSE_RUN) return r;
    }
    if (optind < argc) return usage(msg, cap, "unexpected argument '%s'", argv[optind]);
    if (args->describe) {
        if (!args->describe[0]) return usage(msg, cap, "--describe: empty file name");
        return CLI_PARSE_DESCRIBE;
    }
    if (!args->train) return usage(msg, cap, "missing the training table (-t/--input-train)");
    if (!args->val) return usage(msg, cap, "missing the validation table (-v/--input-val)");
    const char *files[][2] = {{"--input-train", args->train},
                              {"--input-val", args->val},
                              {"--output", args->output},
                              {"--trace", args->trace},
                              {"--save-initial-params", args->initial_params},
                              {"--model", args->model},
                              {"--save-model", args->save_model}};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
        if (files[k][1] && !files[k][1][0])
            return usage(msg, cap, "%s: empty file name", files[k][0]);
    cli_parse_result r = check_files(args, msg, cap);
    if (r != CLI_PARSE_RUN) return r;
    if (momentum_given && !solver_given) opt->solver = SGDI_SOLVER_MOMENTUM;
    args->data.threads = opt->threads; // images decode on the same threads

    sgdi_error err;
    if (sgdi_options_check(opt, &err) != SGDI_OK) return usage(msg, cap, "%s", err.message);
    return CLI_PARSE_RUN;
}
