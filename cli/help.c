/*
 * help.c — the --help and --version texts. Defaults are read from
 * sgdi_options_init, so the text cannot drift from the library.
 */
#include "args.h"

#include <string.h>

void cli_print_version(FILE *out) {
    fprintf(out, "sgd-influence %s\n", SGDI_VERSION_STRING);
}

void cli_print_help(FILE *out) {
    sgdi_options d;
    sgdi_options_init(&d);
    sgdi_dataset_options data;
    sgdi_dataset_options_init(&data);
    char hidden[128] = "", channels[128] = "";
    for (int k = 0; k < d.n_hidden; k++) {
        size_t used = strlen(hidden);
        snprintf(hidden + used, sizeof hidden - used, "%s%d", k ? "," : "", d.hidden[k]);
    }
    for (int k = 0; k < d.n_blocks; k++) {
        size_t used = strlen(channels);
        snprintf(channels + used, sizeof channels - used, "%s%d", k ? "," : "", d.channels[k]);
    }
    char activations[128] = "", solvers[128] = "";
    for (int a = 0; a <= SGDI_ACT_LEAKY_RELU; a++) {
        size_t used = strlen(activations);
        snprintf(activations + used, sizeof activations - used, "%s%s", a ? ", " : "",
                 sgdi_activation_name((sgdi_activation)a));
    }
    for (int v = 0; v <= SGDI_SOLVER_ADADELTA; v++) {
        size_t used = strlen(solvers);
        snprintf(solvers + used, sizeof solvers - used, "%s%s", v ? ", " : "",
                 sgdi_solver_name((sgdi_solver_kind)v));
    }
    fprintf(out,
            "Usage: sgd-influence -t TRAIN.csv -v VAL.csv [options]\n"
            "\n"
            "Scores every row of a training table by its SGD-Influence (Hara et al., NeurIPS\n"
            "2019): the estimated change of the validation loss had the row been left out of\n"
            "training, tracked through every SGD step.\n"
            "  negative = removing the row lowers the validation loss = the row is harmful\n"
            "  positive = the row helps the model\n"
            "The output lists every row once, sorted by influence ascending: most harmful first.\n"
            "\n"
            "Tables are in Neural Network Console's CSV layout: columns x__0, x__1, ... (or x)\n"
            "hold the features, y the class label (0, 1, ...); '#' columns are comments.\n"
            "Image datasets have one column x (x:image) of PNG or JPEG file names, relative to\n"
            "the CSV's folder, and the label y.\n"
            "\n"
            "Input and output:\n"
            "  -t, --input-train FILE  training table (required)\n"
            "  -v, --input-val FILE    validation table with the same columns (required)\n"
            "  -o, --output FILE       influence CSV (default: influence.csv); the sidecar\n"
            "                          FILE.json records the options, seeds, steps, sign\n"
            "                          convention, run time and self-check\n"
            "      --trace FILE        write the batches of trial 0, one line per step:\n"
            "                          'epoch step lr row row ...' (0-based rows)\n"
            "      --save-initial-params FILE\n"
            "                          write the initial parameters of trial 0 as raw\n"
            "                          little-endian float32\n"
            "      --influence-std     add a column influence_std to FILE: the standard\n"
            "                          deviation of each row's influence over the --trials\n"
            "                          (0 with one trial)\n"
            "\n"
            "Images (grey, RGB or RGBA, 8 or 16 bits; decoded once when loading, to check\n"
            "every file, and again when needed past the cache):\n"
            "      --image-cache MB    decoded images kept in memory (default: %zu); the rest\n"
            "                          are decoded again when needed, so datasets larger than\n"
            "                          memory work; 0 keeps none\n"
            "      --strict-size       refuse images whose size differs from the network's\n"
            "                          input instead of resizing them (bilinear, as nnabla)\n"
            "      --no-image-normalization\n"
            "                          pixel values 0..255 (0..65535) instead of 0..1\n"
            "\n"
            "Models (Neural Network Libraries / Neural Network Console .nnp files):\n"
            "  -m, --model FILE        train the model's network from its parameters with its\n"
            "                          solver, learning-rate schedule and batch size, for one\n"
            "                          epoch unless -e is given (as the plugins); the options\n"
            "                          for the built-in network and solver do not apply\n"
            "      --save-model FILE   write the model after training (trial 0) as .nnp\n"
            "      --describe FILE     print the networks, operators, shapes, parameters and\n"
            "                          solver of a .nnp and whether it can be trained; exit\n"
            "\n"
            "Training (without -m the built-in network is trained from scratch):\n"
            "  -s, --seed N            first seed; trial k uses seed+k (default: %llu)\n"
            "  -b, --batch-size N      mini-batch size (default: %lld)\n"
            "  -e, --epochs N          training epochs (default: %d)\n"
            "      --trials N          independent runs with seeds seed..seed+N-1 whose scores\n"
            "                          are averaged (default: %d)\n"
            "      --network NAME      the built-in network (default: %s: cnn for images,\n"
            "                          logreg for tables)\n"
            "          logreg affine + softmax cross-entropy\n"
            "          mlp    affine layers with an activation (and dropout) between them\n"
            "          cnn    the image plugin's CNN: per block a 3x3 convolution with batch\n"
            "                 normalization and ReLU, a 3x3 convolution with ReLU, 2x2 max\n"
            "                 pooling; then affine\n"
            "      --hidden N[,N...]   MLP hidden layer widths, 1 to %d layers (default: %s)\n"
            "      --channels N[,N...] CNN maps per block, 1 to %d blocks (default: %s)\n"
            "      --activation NAME   MLP activation: %s\n"
            "                          (default: %s)\n"
            "      --dropout P         MLP dropout after every hidden layer but the last, in\n"
            "                          [0, 1); 0 disables it (default: %g)\n"
            "      --solver NAME       %s (default: %s)\n"
            "      --lr X              step size (default: %g; %g for images, the image\n"
            "                          plugin's)\n"
            "      --momentum X        momentum of momentum/nesterov, in [0, 1) (default: %g);\n"
            "                          given without --solver it selects --solver momentum\n"
            "      --weight-decay X    L2 coefficient (default: %g)\n"
            "      --beta1 X, --beta2 X  adam/adamw moment decays (default: %g, %g)\n"
            "      --eps X             adaptive solvers' epsilon (default: nnabla's per solver)\n"
            "      --decay X           rmsprop/adadelta decay (default: nnabla's per solver)\n"
            "      --wd X              adamw decoupled weight decay (default: %g)\n"
            "                          sgd, momentum and nesterov are differentiated exactly; for\n"
            "                          the adaptive solvers the influence freezes each step's\n"
            "                          per-coordinate step size (an approximation, recorded in\n"
            "                          the sidecar)\n"
            "\n"
            "Scoring:\n"
            "      --method NAME       which parameters the recursion uses (default: %s:\n"
            "                          last for images, as the image plugin; all for tables)\n"
            "          all    every step at its own parameters, replayed from checkpoints;\n"
            "                 exact (Hara et al.), memory O(sqrt(steps) x parameters)\n"
            "          last   the steps of the last epoch, all at the final parameters;\n"
            "                 cheaper and less faithful, often good at finding bad labels\n"
            "      --hessian NAME      the curvature term of the backward recursion\n"
            "                          (default: %s: plugin for images, paper for tables)\n"
            "          plugin u -= (lr/|batch|^2) sum H u, the NNC plugins' damped recursion;\n"
            "                 the best detector of mislabelled rows\n"
            "          paper  u -= (lr/|batch|) sum H u, Hara et al.'s recursion; the closest\n"
            "                 estimate of the true leave-one-out change\n"
            "          none   no curvature term: a TracIn-like sum of gradient alignments;\n"
            "                 the cheapest\n"
            "\n"
            "Other:\n"
            "      --threads N         worker threads for the matrix work (default: the number\n"
            "                          of online processors, %d here); networks under 100,000\n"
            "                          parameters run on one, where threads cost more than\n"
            "                          they save. Same inputs and N: same bytes of output\n"
            "      --validate K        self-check: retrain K times, each time without one row\n"
            "                          (the most harmful, the most helpful, random ones), and\n"
            "                          report Kendall's tau and Pearson's r between estimated\n"
            "                          and actual change of the validation loss (default: %d)\n"
            "      --allow-divergence  write the scores even when the backward recursion\n"
            "                          blew up (the adjoint grew over 1000-fold: step size\n"
            "                          times curvature above 2), which makes them reflect the\n"
            "                          growth more than the rows; without it such a run\n"
            "                          exits 1, writes nothing and says what to change\n"
            "  -q, --quiet             no progress line and no summary (errors and the\n"
            "                          --validate report are still printed)\n"
            "  -h, --help              show this help and exit\n"
            "  -V, --version           show the version and exit\n"
            "\n"
            "The NNC plugin's spellings are accepted too: --batch_size, --n_trials, --num-epochs.\n"
            "\n"
            "Files written (each to a temporary file renamed into place, so a failed run never\n"
            "leaves a partial or truncated file):\n"
            "  FILE       index,influence,datasource_index: index = datasource_index = 0-based\n"
            "             row of the training table, influence with 17 significant digits;\n"
            "             for images x:image,y:label,influence,datasource_index, the images\n"
            "             named from FILE's folder (FILE is itself a dataset CSV)\n"
            "  FILE.json  the sidecar described above and, per training row (in row order),\n"
            "             \"samples\": the mean influence over the trials, its standard\n"
            "             deviation and sign agreement (the fraction of trials whose score\n"
            "             has the sign of the mean; zero counts as a sign of its own)\n"
            "\n"
            "Progress and a summary go to stderr when it is a terminal; stdout stays empty.\n"
            "Exit status: 0 success, 1 failure (bad input, I/O error), 2 usage error.\n"
            "\n"
            "Commands on a run's outputs (each with its own --help; man sgd-influence):\n"
            "  sgd-influence cleanse   the training CSV without its most harmful rows\n"
            "  sgd-influence evaluate  retrain without the most harmful vs random rows\n"
            "  sgd-influence report    one self-contained HTML page about a run\n",
            data.image_cache_bytes >> 20, (unsigned long long)d.seed, (long long)d.batch_size,
            d.epochs, d.trials, sgdi_network_name(d.network), SGDI_MAX_HIDDEN, hidden,
            SGDI_MAX_BLOCKS, channels, activations, sgdi_activation_name(d.activation), d.dropout,
            solvers, sgdi_solver_name(d.solver), d.lr, CLI_IMAGE_LR, d.momentum, d.weight_decay,
            d.beta1, d.beta2, d.wd, sgdi_method_name(d.method), sgdi_hessian_name(d.hessian),
            cli_default_threads(), d.validate);
}
