# lib.sh — shared helpers of the CLI end-to-end tests; sourced by each test
# script, which gets the sgd-influence binary as its first argument.
#
# Every script works in its own temporary directory (removed on exit), counts
# failed checks and exits with their number (0 = pass).

set -u
if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 path/to/sgd-influence" >&2
    exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sgdi-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 2
FAILURES=0

fail() {
    echo "FAIL: $*" >&2
    FAILURES=$((FAILURES + 1))
}

pass() {
    echo "ok   $*"
}

# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

# run_tool ARGS...: runs the tool with stdout to out.txt, stderr to err.txt,
# and sets STATUS.
run_tool() {
    "$BIN" "$@" >out.txt 2>err.txt </dev/null
    STATUS=$?
}

# expect_status CODE DESCRIPTION ARGS...: runs the tool and checks its exit status.
expect_status() {
    local code=$1 what=$2
    shift 2
    run_tool "$@"
    if [ "$STATUS" -eq "$code" ]; then
        pass "$what (exit $code)"
    else
        fail "$what: exit $STATUS, expected $code; stderr: $(head -c 500 err.txt)"
    fi
}

# stderr_has TEXT: the last run's stderr contains TEXT (fixed string).
stderr_has() {
    if grep -qF -- "$1" err.txt; then pass "stderr mentions '$1'"; else
        fail "stderr lacks '$1': $(head -c 500 err.txt)"; fi
}

stdout_empty() {
    if [ ! -s out.txt ]; then pass "stdout empty"; else fail "stdout not empty: $(head -c 200 out.txt)"; fi
}

# make_table PATH ROWS SEED [FEATURES]: a separable-ish two-class table in
# NNC layout (x__0 .. x__F-1, y), deterministic for a given seed.
make_table() {
    awk -v n="$2" -v seed="$3" -v f="${4:-3}" 'BEGIN {
        srand(seed)
        for (j = 0; j < f; j++) printf "x__%d,", j
        print "y"
        for (i = 0; i < n; i++) {
            s = 0
            for (j = 0; j < f; j++) { x = 2 * rand() - 1; s += (j + 1) * x; printf "%.4f,", x }
            y = s > 0 ? 1 : 0
            if (rand() < 0.1) y = 1 - y # a few wrong labels
            print y
        }
    }' >"$1"
}

# no_temporaries DIR: no left-over "*.tmp.*" file of an atomic write.
no_temporaries() {
    local left
    left=$(find "${1:-.}" -name '*.tmp.*' | head -n 5)
    if [ -z "$left" ]; then pass "no temporary files left"; else fail "left over: $left"; fi
}

finish() {
    if [ "$FAILURES" -eq 0 ]; then echo "all checks passed"; else echo "$FAILURES check(s) failed"; fi
    exit $((FAILURES > 100 ? 100 : FAILURES))
}
