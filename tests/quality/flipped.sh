#!/usr/bin/env bash
# Finding mislabelled rows: the bundled example has 5 % of its training labels
# flipped; at least 60 % of them must be among the 5 % most harmful rows, with
# the defaults and with --method last (measured 0.78 and 0.78).
. "$(dirname "$0")/lib.sh" "$1"
status=0
at_least "defaults" "$(flipped_share)" 0.6 || status=1
at_least "method last" "$(flipped_share --method last)" 0.6 || status=1
at_least "logreg" "$(flipped_share --network logreg)" 0.6 || status=1
exit $status
