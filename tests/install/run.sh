# run.sh — `cmake --install` of the build into a temporary prefix, then the installed
# pieces used as a user would: a program (embed.c) built with nothing but
# `pkg-config --cflags --libs sgd-influence` (and --static, against libsgdi.a) scores
# examples/breast_cancer and must write the same bytes as the installed command with the
# same options; the man page installs and renders without a warning.
#
#   bash run.sh BUILD_DIR SOURCE_DIR CC [EXTRA_CFLAGS...]
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 BUILD_DIR SOURCE_DIR CC [EXTRA_CFLAGS...]" >&2
    exit 2
fi
build=$1 source=$2 cc=$3
shift 3
extra_cflags=("$@")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sgdi-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
prefix=$TMP/prefix
FAILURES=0
fail() {
    echo "FAIL: $*" >&2
    FAILURES=$((FAILURES + 1))
}
check() {
    local what=$1
    shift
    if "$@"; then echo "ok   $what"; else fail "$what"; fi
}

if ! cmake --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1; then
    cat "$TMP/install.log" >&2
    echo "FAIL: cmake --install" >&2
    exit 1
fi
pc=$(find "$prefix" -name sgd-influence.pc | head -n 1)
check "pkg-config file installed" test -n "$pc"
check "header installed" test -f "$prefix/include/sgdi.h"
check "command installed" test -x "$prefix/bin/sgd-influence"
check "man page installed" test -s "$prefix/share/man/man1/sgd-influence.1"
libdir=$(dirname "$(dirname "$pc")")
check "shared library installed" test -f "$libdir/libsgdi.so"
check "static library installed" test -f "$libdir/libsgdi.a"
check "pkg-config file names lib/pkgconfig" test "${pc#"$prefix"/}" != "$pc"

export PKG_CONFIG_PATH=$(dirname "$pc")
unset PKG_CONFIG_LIBDIR
cflags=$(pkg-config --cflags sgd-influence) && libs=$(pkg-config --libs sgd-influence)
check "pkg-config knows sgd-influence" test -n "$libs"
check "pkg-config: version" test "$(pkg-config --modversion sgd-influence)" = \
    "$(sed -n 's/^#define SGDI_VERSION_STRING "\(.*\)"$/\1/p' "$prefix/include/sgdi.h")"
# Nothing of the build or source tree may leak into the flags.
check "flags point into the prefix only" sh -c "! printf '%s\n' \"$cflags $libs\" | grep -qF -e '$build' -e '$source'"

cd "$TMP" || exit 2
cp "$source/examples/breast_cancer/train.csv" "$source/examples/breast_cancer/val.csv" .
# shellcheck disable=SC2086
if "$cc" "${extra_cflags[@]}" -o embed "$source/tests/install/embed.c" $cflags $libs 2>build.log; then
    echo "ok   embed.c builds with pkg-config --cflags --libs"
else
    fail "embed.c does not build: $(head -c 2000 build.log)"
fi
# shellcheck disable=SC2086
static_libs=$(pkg-config --static --libs sgd-influence | sed 's/-lsgdi\b/-l:libsgdi.a/')
# shellcheck disable=SC2086
if "$cc" "${extra_cflags[@]}" -o embed-static "$source/tests/install/embed.c" $cflags \
    $static_libs 2>build-static.log; then
    echo "ok   embed.c builds against libsgdi.a with pkg-config --static"
else
    fail "embed.c does not build statically: $(head -c 2000 build-static.log)"
fi
check "the static build holds no libsgdi.so" sh -c "! ldd embed-static | grep -q libsgdi"

epochs=3
export LD_LIBRARY_PATH=$libdir
check "embed loads the installed libsgdi.so" sh -c "ldd embed | grep -qF '$libdir/libsgdi.so'"
check "embed runs" ./embed train.csv val.csv $epochs lib.csv lib-clean.csv
check "embed (static) runs" ./embed-static train.csv val.csv $epochs static.csv static-clean.csv
check "command runs" "$prefix/bin/sgd-influence" -t train.csv -v val.csv -e $epochs --threads 1 \
    -o cli.csv
check "command cleanses" "$prefix/bin/sgd-influence" cleanse -i cli.csv -k 5 -o cli-clean.csv -q
check "library and command: the same influence CSV" cmp -s lib.csv cli.csv
check "static library: the same influence CSV" cmp -s static.csv cli.csv
check "library and command: the same cleansed CSV" cmp -s lib-clean.csv cli-clean.csv
check "the influence CSV has every row" test "$(wc -l <cli.csv)" -eq "$(wc -l <train.csv)"

# The man page renders without a warning (groff's, as man uses it), if groff is here.
page=$prefix/share/man/man1/sgd-influence.1
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$page" 2>groff.log
    check "groff renders the man page without warnings" test ! -s groff.log
    [ -s groff.log ] && head -n 20 groff.log >&2
    check "man -l renders it" sh -c "MANWIDTH=80 man -l '$page' 2>/dev/null | grep -q 'SGD-Influence'"
else
    echo "skip groff is not installed: the man page is not rendered"
fi

if [ "$FAILURES" -eq 0 ]; then echo "all checks passed"; else echo "$FAILURES check(s) failed"; fi
exit $((FAILURES > 100 ? 100 : FAILURES))
