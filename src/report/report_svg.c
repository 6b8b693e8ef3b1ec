/*
 * report_svg.c — the page's plots as inline SVG: the score histogram, the
 * removal curve and the leave-one-out scatter. Colours come from the page's
 * stylesheet (classes harmful, helpful, random, ...), so the plots follow it.
 *
 * Coordinates are printed with one decimal: the page is the same bytes for
 * the same inputs.
 */
#include <math.h>
#include "report/report.h"

// The drawing area inside a W x H picture.
enum { PLOT_W = 640, PLOT_H = 260, LEFT = 64, RIGHT = 16, TOP = 14, BOTTOM = 46 };

typedef struct plot_frame {
    double x0, x1, y0, y1; // the data range shown
} plot_frame;

static double px(const plot_frame *f, double x) {
    return LEFT + (x - f->x0) / (f->x1 - f->x0) * (PLOT_W - LEFT - RIGHT);
}

static double py(const plot_frame *f, double y) {
    return PLOT_H - BOTTOM - (y - f->y0) / (f->y1 - f->y0) * (PLOT_H - TOP - BOTTOM);
}

// A round step (1, 2 or 5 times a power of ten) giving about `target` ticks over span.
static double tick_step(double span, int target) {
    double raw = span / target;
    double power = pow(10, floor(log10(raw)));
    double unit = raw / power;
    return (unit < 1.5 ? 1 : unit < 3.5 ? 2 : unit < 7.5 ? 5 : 10) * power;
}

// Widens [*lo, *hi] when empty or not finite, so that scales never divide by zero.
static void usable_range(double *lo, double *hi) {
    if (!isfinite(*lo) || !isfinite(*hi)) *lo = 0, *hi = 1;
    if (*hi <= *lo) {
        double pad = fabs(*lo) > 0 ? fabs(*lo) * 0.5 : 0.5;
        *lo -= pad, *hi += pad;
    }
}

static void open_svg(FILE *out, const char *id, const char *label) {
    fprintf(out,
            "<svg id=\"%s\" class=\"plot\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
            "role=\"img\" aria-label=\"",
            id, PLOT_W, PLOT_H, PLOT_W, PLOT_H);
    sgdi_report_escape(out, label);
    fputs("\" xmlns=\"http://www.w3.org/2000/svg\">\n", out);
}

// Axes with round ticks and their labels; `whole_y`: the y ticks are whole numbers.
static void axes(FILE *out, const plot_frame *f, const char *x_label, const char *y_label,
                 bool whole_y) {
    double bottom = PLOT_H - BOTTOM, right = PLOT_W - RIGHT;
    fprintf(out, "<path class=\"axis\" d=\"M%d %d V%.1f H%.1f\"/>\n", LEFT, TOP, bottom, right);
    char num[32];
    double step = tick_step(f->x1 - f->x0, 6);
    double first = ceil(f->x0 / step) * step;
    for (int i = 0; i < 24 && first + i * step <= f->x1 + step * 1e-9; i++) {
        double t = first + i * step, v = fabs(t) < step * 1e-9 ? 0 : t;
        fprintf(out,
                "<path class=\"tick\" d=\"M%.1f %.1f v5\"/><text class=\"tick-label\" x=\"%.1f\" "
                "y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                px(f, v), bottom, px(f, v), bottom + 18, sgdi_report_number(num, v, 3));
    }
    step = tick_step(f->y1 - f->y0, 5);
    if (whole_y && step < 1) step = 1;
    first = ceil(f->y0 / step) * step;
    for (int i = 0; i < 24 && first + i * step <= f->y1 + step * 1e-9; i++) {
        double t = first + i * step, v = fabs(t) < step * 1e-9 ? 0 : t;
        fprintf(out,
                "<path class=\"tick\" d=\"M%d %.1f h-5\"/><text class=\"tick-label\" x=\"%d\" "
                "y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                LEFT, py(f, v), LEFT - 8, py(f, v) + 4, sgdi_report_number(num, v, 3));
    }
    fprintf(out, "<text class=\"axis-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
            (LEFT + right) / 2, PLOT_H - 6);
    sgdi_report_escape(out, x_label);
    fprintf(out,
            "</text>\n<text class=\"axis-label\" transform=\"translate(14 %.1f) rotate(-90)\" "
            "text-anchor=\"middle\">",
            (TOP + bottom) / 2);
    sgdi_report_escape(out, y_label);
    fputs("</text>\n", out);
}

// --- Histogram -----------------------------------------------------------------

int64_t sgdi_report_histogram(const double *values, int64_t n, int bins, double *lo, double *hi,
                              int64_t *counts) {
    double min = INFINITY, max = -INFINITY;
    for (int64_t k = 0; k < n; k++)
        if (isfinite(values[k])) min = fmin(min, values[k]), max = fmax(max, values[k]);
    usable_range(&min, &max);
    for (int b = 0; b < bins; b++) counts[b] = 0;
    int64_t counted = 0;
    for (int64_t k = 0; k < n; k++) {
        if (!isfinite(values[k])) continue;
        double at = (values[k] - min) / (max - min) * bins;
        int b = at >= bins ? bins - 1 : at < 0 ? 0 : (int)at;
        counts[b]++;
        counted++;
    }
    *lo = min, *hi = max;
    return counted;
}

void sgdi_report_svg_histogram(FILE *out, const double *values, int64_t n, int bins) {
    if (bins <= 0) bins = n < 100 ? 10 : n > 3600 ? 60 : (int)ceil(sqrt((double)n));
    if (bins > SGDI_REPORT_MAX_BINS) bins = SGDI_REPORT_MAX_BINS;
    int64_t counts[SGDI_REPORT_MAX_BINS];
    double lo, hi;
    sgdi_report_histogram(values, n, bins, &lo, &hi, counts);
    int64_t tallest = 1;
    for (int b = 0; b < bins; b++)
        if (counts[b] > tallest) tallest = counts[b];
    plot_frame f = {lo, hi, 0, (double)tallest * 1.05};
    open_svg(out, "histogram", "histogram of the influence scores");
    axes(out, &f, "influence (negative = harmful)", "rows", true);
    double width = (hi - lo) / bins;
    char a[32], b_[32];
    for (int b = 0; b < bins; b++) {
        double left = lo + b * width, centre = left + width / 2;
        double x = px(&f, left), w = px(&f, left + width) - x;
        double y = py(&f, (double)counts[b]);
        fprintf(out,
                "<rect class=\"bar %s\" data-count=\"%lld\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%.1f\"><title>%s to %s: %lld rows</title></rect>\n",
                centre < 0 ? "harmful" : "helpful", (long long)counts[b], x + 0.5, y,
                w > 1.5 ? w - 1 : w, PLOT_H - BOTTOM - y, sgdi_report_number(a, left, 4),
                sgdi_report_number(b_, left + width, 4), (long long)counts[b]);
    }
    if (lo < 0 && hi > 0)
        fprintf(out, "<path class=\"zero\" d=\"M%.1f %d V%d\"/>\n", px(&f, 0), TOP,
                PLOT_H - BOTTOM);
    fputs("</svg>\n", out);
}

// --- Removal curve -------------------------------------------------------------

// The figure plotted: accuracy, or the loss when the network has no accuracy.
static double mean_of(const sgdi_report_point *p, int side, bool loss) {
    return loss ? p->loss_mean[side] : p->accuracy_mean[side];
}

// The band's half width; 0 when unknown (a single seed).
static double spread_of(const sgdi_report_point *p, int side, bool loss) {
    double s = loss ? p->loss_std[side] : p->accuracy_std[side];
    return isfinite(s) ? s : 0;
}

static bool drawn(const sgdi_report_point *p, int side, bool loss) {
    return isfinite(mean_of(p, side, loss)) && isfinite(p->fraction);
}

static void curve_series(FILE *out, const sgdi_report_curve *c, const plot_frame *f, int side,
                         bool loss) {
    static const char *const names[2] = {"harmful", "random"};
    // The band: mean + spread left to right, then mean - spread right to left.
    fprintf(out, "<path class=\"band %s\" d=\"", names[side]);
    bool first = true;
    for (int64_t k = 0; k < c->count; k++) {
        const sgdi_report_point *p = &c->points[k];
        if (!drawn(p, side, loss)) continue;
        fprintf(out, "%s%.1f %.1f", first ? "M" : " L", px(f, p->fraction),
                py(f, mean_of(p, side, loss) + spread_of(p, side, loss)));
        first = false;
    }
    for (int64_t k = c->count - 1; k >= 0; k--) {
        const sgdi_report_point *p = &c->points[k];
        if (!drawn(p, side, loss)) continue;
        fprintf(out, " L%.1f %.1f", px(f, p->fraction),
                py(f, mean_of(p, side, loss) - spread_of(p, side, loss)));
    }
    fprintf(out, "%s\"/>\n<path class=\"line %s\" d=\"", first ? "" : " Z", names[side]);
    first = true;
    for (int64_t k = 0; k < c->count; k++) {
        const sgdi_report_point *p = &c->points[k];
        if (!drawn(p, side, loss)) continue;
        fprintf(out, "%s%.1f %.1f", first ? "M" : " L", px(f, p->fraction),
                py(f, mean_of(p, side, loss)));
        first = false;
    }
    fputs("\"/>\n", out);
    char m[32], s[32];
    for (int64_t k = 0; k < c->count; k++) {
        const sgdi_report_point *p = &c->points[k];
        if (!drawn(p, side, loss)) continue;
        fprintf(out,
                "<circle class=\"dot %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>%s, %lld "
                "removed: %s %s ± %s</title></circle>\n",
                names[side], px(f, p->fraction), py(f, mean_of(p, side, loss)), names[side],
                (long long)p->k, loss ? "loss" : "accuracy",
                sgdi_report_number(m, mean_of(p, side, loss), 4),
                sgdi_report_number(s, spread_of(p, side, loss), 2));
    }
}

void sgdi_report_svg_curve(FILE *out, const sgdi_report_curve *c) {
    bool loss = true; // unless some accuracy is known
    for (int64_t k = 0; k < c->count; k++)
        for (int side = 0; side < 2; side++)
            if (isfinite(c->points[k].accuracy_mean[side])) loss = false;
    plot_frame f = {0, -INFINITY, INFINITY, -INFINITY};
    for (int64_t k = 0; k < c->count; k++) {
        const sgdi_report_point *p = &c->points[k];
        if (isfinite(p->fraction)) f.x1 = fmax(f.x1, p->fraction);
        for (int side = 0; side < 2; side++) {
            if (!drawn(p, side, loss)) continue;
            double m = mean_of(p, side, loss), s = spread_of(p, side, loss);
            f.y0 = fmin(f.y0, m - s), f.y1 = fmax(f.y1, m + s);
        }
    }
    usable_range(&f.x0, &f.x1);
    usable_range(&f.y0, &f.y1);
    double pad = (f.y1 - f.y0) * 0.08;
    f.y0 -= pad, f.y1 += pad;
    open_svg(out, "removal-curve",
             loss ? "test loss against the fraction of rows removed"
                  : "test accuracy against the fraction of rows removed");
    axes(out, &f, "fraction of the training rows removed", loss ? "test loss" : "test accuracy",
         false);
    curve_series(out, c, &f, 1, loss);
    curve_series(out, c, &f, 0, loss);
    fprintf(out,
            "<g class=\"legend\"><rect class=\"key harmful\" x=\"%d\" y=\"%d\" width=\"14\" "
            "height=\"4\"/><text x=\"%d\" y=\"%d\">most harmful removed</text>"
            "<rect class=\"key random\" x=\"%d\" y=\"%d\" width=\"14\" height=\"4\"/>"
            "<text x=\"%d\" y=\"%d\">random rows removed</text></g>\n",
            LEFT + 12, TOP + 6, LEFT + 32, TOP + 12, LEFT + 200, TOP + 6, LEFT + 220, TOP + 12);
    fputs("</svg>\n", out);
}

// --- Leave-one-out scatter -----------------------------------------------------

void sgdi_report_svg_scatter(FILE *out, const sgdi_report_validation *v) {
    plot_frame f = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    for (int64_t k = 0; k < v->count; k++) {
        if (!isfinite(v->actual[k]) || !isfinite(v->estimated[k])) continue;
        f.x0 = fmin(f.x0, v->actual[k]), f.x1 = fmax(f.x1, v->actual[k]);
        f.y0 = fmin(f.y0, v->estimated[k]), f.y1 = fmax(f.y1, v->estimated[k]);
    }
    usable_range(&f.x0, &f.x1);
    usable_range(&f.y0, &f.y1);
    double xpad = (f.x1 - f.x0) * 0.06, ypad = (f.y1 - f.y0) * 0.06;
    f.x0 -= xpad, f.x1 += xpad, f.y0 -= ypad, f.y1 += ypad;
    open_svg(out, "self-check-scatter", "estimated against actual change of the validation loss");
    axes(out, &f, "actual change (row left out, retrained)", "estimated (influence)", false);
    double from = fmax(f.x0, f.y0), to = fmin(f.x1, f.y1);
    if (from < to)
        fprintf(out, "<path class=\"diagonal\" d=\"M%.1f %.1f L%.1f %.1f\"/>\n", px(&f, from),
                py(&f, from), px(&f, to), py(&f, to));
    char a[32], e[32];
    for (int64_t k = 0; k < v->count; k++) {
        if (!isfinite(v->actual[k]) || !isfinite(v->estimated[k])) continue;
        fprintf(out, "<circle class=\"dot point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>",
                px(&f, v->actual[k]), py(&f, v->estimated[k]));
        if (v->rows) fprintf(out, "row %lld: ", (long long)v->rows[k]);
        fprintf(out, "actual %s, estimated %s</title></circle>\n",
                sgdi_report_number(a, v->actual[k], 4), sgdi_report_number(e, v->estimated[k], 4));
    }
    fputs("</svg>\n", out);
}
