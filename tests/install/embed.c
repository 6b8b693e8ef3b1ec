/*
 * embed.c — a program that uses sgd-influence as a library through the
 * installed header and pkg-config only (tests/install/run.sh builds it against
 * a temporary prefix): it scores a training table, checks the scores, writes
 * the influence CSV and a cleansed training CSV, for run.sh to compare with
 * the installed command's files for the same options.
 *
 *     embed TRAIN.csv VAL.csv EPOCHS INFLUENCE_OUT.csv CLEANSED_OUT.csv
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <sgdi.h>

static int failed(const char *what, const sgdi_error *err) {
    fprintf(stderr, "embed: %s: %s\n", what, err->message[0] ? err->message : "(no message)");
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr,
                "usage: embed TRAIN.csv VAL.csv EPOCHS INFLUENCE_OUT.csv CLEANSED_OUT.csv\n");
        return 2;
    }
    sgdi_error err = {SGDI_OK, ""};
    sgdi_dataset *train = NULL, *val = NULL;
    sgdi_result *res = NULL;
    int status = 1;
    sgdi_options opt;
    sgdi_options_init(&opt);
    opt.epochs = atoi(argv[3]);
    opt.threads = 1;
    if (sgdi_dataset_load_csv(argv[1], &train, &err) != SGDI_OK ||
        sgdi_dataset_load_csv(argv[2], &val, &err) != SGDI_OK) {
        status = failed("loading", &err);
        goto done;
    }
    if (sgdi_run(&opt, train, val, NULL, NULL, &res, &err) != SGDI_OK) {
        status = failed("sgdi_run", &err);
        goto done;
    }
    int64_t rows = sgdi_result_rows(res);
    const double *scores = sgdi_result_scores(res);
    if (rows != sgdi_dataset_rows(train) || !scores) {
        fprintf(stderr, "embed: %lld scores for %lld rows\n", (long long)rows,
                (long long)sgdi_dataset_rows(train));
        goto done;
    }
    int64_t negative = 0;
    for (int64_t r = 0; r < rows; r++) {
        if (!isfinite(scores[r])) {
            fprintf(stderr, "embed: score of row %lld is %g\n", (long long)r, scores[r]);
            goto done;
        }
        negative += scores[r] < 0;
    }
    if (sgdi_result_write_csv(res, argv[4], &err) != SGDI_OK) {
        status = failed("writing the influence CSV", &err);
        goto done;
    }
    sgdi_cleanse_options cleanse;
    sgdi_cleanse_options_init(&cleanse);
    cleanse.influence_csv = argv[4];
    cleanse.train_csv = argv[1];
    cleanse.output = argv[5];
    cleanse.by = SGDI_CLEANSE_COUNT;
    cleanse.count = 5;
    sgdi_cleanse_summary summary;
    if (sgdi_cleanse(&cleanse, &summary, &err) != SGDI_OK) {
        status = failed("sgdi_cleanse", &err);
        goto done;
    }
    if (summary.rows != rows || summary.removed != 5) {
        fprintf(stderr, "embed: cleanse removed %lld of %lld\n", (long long)summary.removed,
                (long long)summary.rows);
        goto done;
    }
    printf("sgd-influence %s: %lld rows scored, %lld harmful\n", SGDI_VERSION_STRING,
           (long long)rows, (long long)negative);
    status = 0;
done:
    sgdi_result_free(res);
    sgdi_dataset_free(val);
    sgdi_dataset_free(train);
    return status;
}
