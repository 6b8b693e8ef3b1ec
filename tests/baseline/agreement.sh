#!/usr/bin/env bash
# agreement.sh SGD_INFLUENCE SOURCE_DIR [WORK_DIR]
# The PyTorch baseline checks itself (Philox against src/util/rng.c, per-sample dot products
# and Hessian-vector products against naive loops and finite differences), then the tool and
# the baseline must give the same scores on the same inputs (tests/baseline/agreement.py),
# also for the built-in CNN on images (agreement_cnn.py, bench/baseline_torch_cnn.py).
# Exits 77 (CTest: skipped) when Debian's python3 lacks torch/functorch.
set -euo pipefail
tool=${1:?usage: agreement.sh SGD_INFLUENCE SOURCE_DIR [WORK_DIR]}
src=${2:?usage: agreement.sh SGD_INFLUENCE SOURCE_DIR [WORK_DIR]}
py=/usr/bin/python3
if ! "$py" -c 'import numpy, scipy, torch, functorch' 2>/dev/null; then
    echo "agreement: skipped: $py cannot import numpy, scipy, torch and functorch" \
         "(apt-get install python3-torch python3-scipy)" >&2
    exit 77
fi
export OMP_NUM_THREADS=1
"$py" "$src/tests/baseline/self_check.py" "$src"
"$py" "$src/tests/baseline/agreement.py" "$tool" "$src" ${3:+"$3"}
exec "$py" "$src/tests/baseline/agreement_cnn.py" "$tool" "$src" ${3:+"$3/cnn"}
