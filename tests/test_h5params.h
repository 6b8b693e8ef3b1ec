/*
 * test_h5params.h — what test_h5params.c and test_h5params_formats.c share:
 * HDF5 files made in memory with libhdf5, and reading them back.
 */
#ifndef SGDI_TEST_H5PARAMS_H
#define SGDI_TEST_H5PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "nnp/h5params.h"

// A new in-memory file: `fcpl` (or H5P_DEFAULT); `latest` = the newest
// format (superblock 3, version-2 object headers, compact link messages).
hid_t image_create_with(hid_t fcpl, bool latest);
// Closes fid and returns its bytes (malloc'ed).
uint8_t *image_finish(hid_t fid, size_t *size);
void put_int_attr(hid_t obj, const char *name, hid_t type, long long value);
// need_grad as h5py writes it: an enum over int8 {FALSE, TRUE}.
void put_bool_attr(hid_t obj, bool value);
// A dataset of `type` with the given dims (intermediate groups created),
// filled from `values` (doubles) if not NULL. The caller closes it.
hid_t put_dataset(hid_t loc, const char *path, hid_t type, int ndim, const hsize_t *dims,
                  const double *values);
bool contains(const char *haystack, const char *needle);
// Reads from an exact-size copy, so that reading past the end is caught by ASan.
sgdi_status read_image(const uint8_t *bytes, size_t size, sgdi_param_list *list, sgdi_error *err);
// Finishes fid and expects reading it to fail with `status` and `needle` in the message.
void expect_bad_at(int line, hid_t fid, sgdi_status status, const char *needle);
#define EXPECT_BAD(fid, status, needle) expect_bad_at(__LINE__, fid, status, needle)

// test_h5params_formats.c
void test_numeric_types(void);
void test_format_variants(void);
void test_links_and_layouts(void);
void test_unsupported(void);

#endif // SGDI_TEST_H5PARAMS_H
