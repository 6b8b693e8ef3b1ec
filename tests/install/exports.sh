# exports.sh — the shared library exports exactly the functions include/sgdi.h declares:
# none missing (a declared function left undefined fails here, not in a user's link) and
# nothing else (internal helpers and the dependencies' symbols stay local).
#
#   bash exports.sh LIBSGDI.so SOURCE_DIR CC
set -u
lib=$1 source=$2 cc=$3
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sgdi-exports.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cmake -DCC="$cc" -DHEADER="$source/include/sgdi.h" -DOUT="$TMP/map" -DLIST="$TMP/declared" \
    -P "$source/cmake/sgdi_exports.cmake" || exit 1
nm -D --defined-only "$lib" | awk '{ print $NF }' | sort >"$TMP/exported"
sort -o "$TMP/declared" "$TMP/declared"
if ! cmp -s "$TMP/declared" "$TMP/exported"; then
    echo "FAIL: exported symbols differ from sgdi.h's functions (< declared only, > exported only):"
    diff "$TMP/declared" "$TMP/exported" | grep '^[<>]'
    exit 1
fi
echo "ok   $(wc -l <"$TMP/exported") functions exported, exactly those of sgdi.h"
