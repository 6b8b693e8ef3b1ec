#!/usr/bin/env bash
# chromium.sh — the report as a browser shows it: score examples/fashion_mnist (a small
# CNN, a few epochs, 2 trials, the leave-one-out self-check), run evaluate on the scores,
# write the page, and render it in headless Chromium. Checks: the page logs nothing to
# the console (no script error, nothing the page's Content-Security-Policy had to block,
# i.e. nothing fetched), its own self-check found every thumbnail decoded, and the
# counts it shows equal those of the CSV and sidecar; then saves a screenshot.
#
#   chromium.sh path/to/sgd-influence SOURCE_DIR OUTPUT_DIR
# Exits 77 (skipped) when Chromium is not installed; the screenshot goes to
# OUTPUT_DIR/report.png (docs/report.png is a copy of it).
set -u
if [ $# -ne 3 ]; then
    echo "usage: $0 path/to/sgd-influence SOURCE_DIR OUTPUT_DIR" >&2
    exit 2
fi
SRC=$(cd "$2" && pwd)
OUT=$3
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "SKIP: chromium is not installed (tools/install-deps.sh --tests installs it)"
    exit 77
fi
. "$SRC/tests/cli/lib.sh" "$1"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
DATA=$SRC/examples/fashion_mnist

expect_status 0 "score fashion_mnist: 2 trials, self-check of 10 rows" \
    -t "$DATA/train.csv" -v "$DATA/val.csv" -o inf.csv -e 3 --channels 4,8 --trials 2 \
    --validate 10 --threads 1 -q
expect_status 0 "evaluate: the removal curve" evaluate -t "$DATA/train.csv" --test "$DATA/val.csv" \
    --influence inf.csv --remove 0,5%,10% --eval-seeds 2 -e 3 --channels 4,8 --threads 1 -q \
    -o evaluation
expect_status 0 "report" report -i inf.csv --evaluation evaluation.json -o report.html
no_temporaries .

# Chromium as root needs --no-sandbox; its own profile keeps runs apart. The virtual
# time budget lets the page finish loading and run its script before the DOM is dumped.
browse() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$TMP/profile" --hide-scrollbars --virtual-time-budget=5000 \
        --enable-logging=stderr --v=0 "$@" "file://$TMP/report.html"
}
browse --dump-dom >dom.html 2>chromium.log
check "chromium rendered the page" test -s dom.html
if grep -q "CONSOLE" chromium.log; then
    fail "the console is not empty: $(grep CONSOLE chromium.log | head -n 5)"
else
    pass "nothing on the console"
fi

# The counts the page shows against the CSV and the sidecar.
"$PY" - dom.html inf.csv inf.csv.json evaluation.json >checks.txt 2>&1 <<'PYEOF'
import csv, json, sys
from html.parser import HTMLParser

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.text, self.body = {}, {}, {}
        self.stack, self.thumbnails = [], 0
        self.samples = {"harmful-list": 0, "helpful-list": 0}
        self.unstable_rows = self.points = self.removal_rows = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "body":
            self.body = a
        if "id" in a:
            self.ids[a["id"]] = a
        lists = [s for s in self.stack if s in self.samples]
        if "sample" in cls and lists:
            self.samples[lists[-1]] += 1
        if tag == "img" and "thumbnail" in cls:
            self.thumbnails += 1
            if not a.get("src", "").startswith("data:image/"):
                print("thumbnail not embedded:", a.get("src", "")[:60])
        if "unstable-row" in cls:
            self.unstable_rows += 1
        if tag == "circle" and "point" in cls:
            self.points += 1
        if tag == "tr" and "removal-table" in self.stack and "thead" not in self.stack:
            self.removal_rows += 1
        if tag not in ("img", "br", "meta", "path", "rect", "circle"):
            self.stack.append(a.get("id") or tag)
    def handle_endtag(self, tag):
        if tag not in ("img", "br", "meta", "path", "rect", "circle") and self.stack:
            self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1] in ("rows-scored", "thumbnails-total", "thumbnails-decoded",
                                              "unstable-count", "kendall-tau"):
            self.text[self.stack[-1]] = self.text.get(self.stack[-1], "") + data

page = Page()
page.feed(open(sys.argv[1], encoding="utf-8").read())
rows = list(csv.reader(open(sys.argv[2], encoding="utf-8")))[1:]
side = json.load(open(sys.argv[3]))
evaluation = json.load(open(sys.argv[4]))
top = 20
failures = 0
def expect(what, got, want):
    global failures
    ok = str(got) == str(want)
    failures += not ok
    print(("ok   " if ok else "FAIL ") + "%s: page %s, expected %s" % (what, got, want))

expect("rows scored = CSV rows", page.text.get("rows-scored"), len(rows))
expect("harmful rows shown", page.samples["harmful-list"], min(top, len(rows)))
expect("data-shown of the harmful list", page.ids["harmful-list"].get("data-shown"), min(top, len(rows)))
expect("helpful rows shown", page.samples["helpful-list"], min(top, len(rows) - min(top, len(rows))))
expect("thumbnails in the page", page.thumbnails, 2 * top)
expect("thumbnails the page counts", page.text.get("thumbnails-total"), 2 * top)
expect("thumbnails decoded (the page's own check)", page.body.get("data-thumbnails-decoded"), 2 * top)
expect("the page's self-check", page.body.get("data-self-check"), "ok")
expect("decoded, as the page says", page.text.get("thumbnails-decoded"), "%d of %d" % (2 * top, 2 * top))
unstable = sum(1 for a in side["samples"]["sign_agreement"] if a < 1)
expect("rows whose sign changes", page.text.get("unstable-count"), unstable)
expect("rows listed as unstable", page.unstable_rows, unstable)
expect("self-check points", page.points, side["validation"]["count"])
expect("Kendall's tau", page.text.get("kendall-tau"), "%.3g" % side["validation"]["kendall_tau"])
expect("removal curve rows", page.removal_rows, len(evaluation["points"]))
sys.exit(1 if failures else 0)
PYEOF
status=$?
cat checks.txt
FAILURES=$((FAILURES + $(grep -c '^FAIL' checks.txt)))
[ $status -eq 0 ] || [ "$(grep -c '^FAIL' checks.txt)" -gt 0 ] || fail "the page checks did not run"

browse --window-size=1100,4400 --screenshot="$OUT/report.png" >/dev/null 2>screenshot.log
check "screenshot saved to $OUT/report.png" test -s "$OUT/report.png"
finish
