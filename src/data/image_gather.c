/*
 * image_gather.c — an image dataset's rows as network samples: which input
 * shapes it can feed, and gathering a batch from the cache or by decoding
 * again (see images.h and sgdi_dataset_gather in dataset.h).
 *
 * Rows are converted in parallel, each by itself, so the bytes written do not
 * depend on the thread count; a failure is reported for the first failing
 * row of the batch in batch order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/images.h"
#include "util/error.h"

// The per-sample shape images are converted to.
typedef struct target {
    int64_t channels, height, width;
} target;

static void format_shape(char *out, size_t cap, sgdi_shape s) {
    size_t o = (size_t)snprintf(out, cap, "(");
    for (int d = 0; d < s.ndim && o < cap; d++)
        o += (size_t)snprintf(out + o, cap - o, "%s%lld", d ? ", " : "", (long long)s.dim[d]);
    if (o < cap) snprintf(out + o, cap - o, ")");
}

static sgdi_status resolve_target(const sgdi_dataset *ds, sgdi_shape shape, target *t,
                                  sgdi_error *err) {
    char shown[128];
    format_shape(shown, sizeof shown, shape);
    int64_t count = 1;
    bool valid = shape.ndim >= 1 && shape.ndim <= SGDI_MAX_DIMS;
    for (int d = 0; valid && d < shape.ndim; d++)
        valid = shape.dim[d] >= 1 && sgdi_mul_i64(count, shape.dim[d], &count);
    if (!valid)
        return sgdi_fail(err, SGDI_ERR_INVALID, "%s: the network's input shape %s is not valid",
                         ds->path, shown);
    sgdi_image_limits limits = sgdi_image_default_limits();
    if (shape.ndim == 3) {
        *t = (target){shape.dim[0], shape.dim[1], shape.dim[2]};
        if (t->channels != 1 && t->channels != 3 && t->channels != 4)
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "%s: the network's input %s has %lld channels; images give 1 (grey), "
                             "3 (RGB) or 4 (RGBA)",
                             ds->path, shown, (long long)t->channels);
        if (t->height > limits.max_side || t->width > limits.max_side ||
            t->height * t->width > limits.max_pixels)
            return sgdi_fail(err, SGDI_ERR_INVALID,
                             "%s: the network's input %s is larger than any image may be", ds->path,
                             shown);
        return SGDI_OK;
    }
    sgdi_image_shape s = ds->images->shapes[0];
    if (count == ds->features) {
        *t = (target){s.channels, s.height, s.width};
        return SGDI_OK;
    }
    return sgdi_fail(err, SGDI_ERR_INVALID,
                     "%s: the network's input %s takes %lld values per sample, but the images are "
                     "%dx%dx%d (channels x height x width, %lld values); a (channels, height, "
                     "width) input would convert and resize them",
                     ds->path, shown, (long long)count, (int)s.channels, (int)s.height,
                     (int)s.width, (long long)ds->features);
}

// With strict sizes, an image of another height or width is an error.
static sgdi_status check_size(const sgdi_dataset *ds, int64_t row, const target *t,
                              sgdi_error *err) {
    sgdi_image_shape s = ds->images->shapes[row];
    if (!ds->images->strict_size || (s.height == t->height && s.width == t->width)) return SGDI_OK;
    char where[512];
    sgdi_images_describe_row(ds, row, where, sizeof where);
    return sgdi_fail(err, SGDI_ERR_INVALID,
                     "%s is %dx%d pixels (height x width) but the network takes %lldx%lld; with "
                     "strict image sizes images are not resized",
                     where, (int)s.height, (int)s.width, (long long)t->height, (long long)t->width);
}

sgdi_status sgdi_images_check_shape(const sgdi_dataset *ds, sgdi_shape shape, sgdi_error *err) {
    target t;
    sgdi_status st = resolve_target(ds, shape, &t, err);
    for (int64_t r = 0; r < ds->rows && st == SGDI_OK; r++) st = check_size(ds, r, &t, err);
    return st;
}

// One row into out[channels][height][width]; on failure err holds the bare reason.
static sgdi_status gather_one(const sgdi_dataset *ds, int64_t row, const target *t, float *out,
                              sgdi_error *err) {
    const sgdi_images *im = ds->images;
    sgdi_image_shape shape = im->shapes[row];
    const void *pixels = im->cache[row];
    void *decoded = NULL;
    if (!pixels) {
        sgdi_image_limits limits = sgdi_image_default_limits();
        sgdi_image_shape now;
        sgdi_status st =
            sgdi_image_load_file(sgdi_images_path(im, row), &limits, &now, &decoded, err);
        if (st != SGDI_OK) return st;
        if (memcmp(&now, &shape, sizeof now) != 0) {
            free(decoded);
            return sgdi_fail(err, SGDI_ERR_FORMAT,
                             "the file changed since the dataset was loaded (%dx%dx%d at %d bits "
                             "then, %dx%dx%d at %d bits now)",
                             (int)shape.channels, (int)shape.height, (int)shape.width,
                             (int)shape.depth, (int)now.channels, (int)now.height, (int)now.width,
                             (int)now.depth);
        }
        pixels = decoded;
    }
    uint16_t *scratch = NULL;
    if (t->channels != shape.channels) {
        scratch = sgdi_alloc_array((int64_t)sgdi_image_scratch_count(shape, t->channels),
                                   sizeof *scratch);
        if (!scratch) {
            free(decoded);
            return sgdi_fail(err, SGDI_ERR_NOMEM, "out of memory converting the image");
        }
    }
    sgdi_image_to_chw(pixels, shape, t->channels, t->height, t->width, im->normalize, scratch, out);
    free(scratch);
    free(decoded);
    return SGDI_OK;
}

sgdi_status sgdi_images_gather(const sgdi_dataset *ds, const int64_t *rows, int64_t n,
                               sgdi_shape shape, float *x, sgdi_error *err) {
    target t;
    sgdi_status st = resolve_target(ds, shape, &t, err);
    for (int64_t i = 0; i < n && st == SGDI_OK; i++) st = check_size(ds, rows[i], &t, err);
    if (st != SGDI_OK || n == 0) return st;
    size_t count = (size_t)(t.channels * t.height * t.width);
    sgdi_status *status = sgdi_alloc_array(n, sizeof *status);
    if (!status)
        return sgdi_fail(err, SGDI_ERR_NOMEM, "%s: out of memory gathering %lld images", ds->path,
                         (long long)n);
#pragma omp parallel for num_threads(ds->images->threads) schedule(dynamic, 1) if (n > 1)
    for (int64_t i = 0; i < n; i++)
        status[i] = gather_one(ds, rows[i], &t, x + (size_t)i * count, NULL);
    for (int64_t i = 0; i < n && st == SGDI_OK; i++) {
        if (status[i] == SGDI_OK) continue;
        // Again, alone, for the reason (it may also succeed now: then the row is filled).
        sgdi_error why;
        if (gather_one(ds, rows[i], &t, x + (size_t)i * count, &why) == SGDI_OK) continue;
        char where[512];
        sgdi_images_describe_row(ds, rows[i], where, sizeof where);
        st = sgdi_fail(err, why.status, "%s: %s", where, why.message);
    }
    free(status);
    return st;
}
