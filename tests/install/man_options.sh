# man_options.sh — every long option that `sgd-influence --help` and each subcommand's
# --help print appears in the man page, so the page cannot fall behind the code silently.
# A subcommand this build lacks (its --help fails) is skipped and named.
#
#   bash man_options.sh SGD-INFLUENCE MAN_PAGE
set -u
bin=$1 page=$2
FAILURES=0
# The page's text with roff's escaped hyphens (\-) as plain ones.
text=$(sed 's/\\-/-/g' "$page")
for command in "" cleanse evaluate report; do
    # shellcheck disable=SC2086
    if ! help=$("$bin" $command --help 2>/dev/null); then
        echo "skip sgd-influence $command: no --help in this build"
        continue
    fi
    before=$FAILURES
    options=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9_-]*[a-z0-9]' | sort -u)
    [ -n "$options" ] || { echo "FAIL: sgd-influence $command --help lists no option"; FAILURES=$((FAILURES + 1)); }
    for option in $options; do
        if ! printf '%s\n' "$text" | grep -qE -- "${option}([^a-z0-9_-]|$)"; then
            echo "FAIL: sgd-influence $command $option is not in $page"
            FAILURES=$((FAILURES + 1))
        fi
    done
    [ -n "$command" ] && if ! printf '%s\n' "$text" | grep -qE "sgd-influence $command"; then
        echo "FAIL: the subcommand $command is not in $page"
        FAILURES=$((FAILURES + 1))
    fi
    [ "$FAILURES" -eq "$before" ] &&
        echo "ok   sgd-influence $command: $(printf '%s\n' "$options" | wc -w) options in the page"
done
exit $((FAILURES > 100 ? 100 : FAILURES))
