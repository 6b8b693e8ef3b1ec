/*
 * name_index.h — names to indices, for looking up a network's variables by name: an
 * open-addressing hash table over borrowed strings. A network unrolled from repeat
 * blocks has up to 16,384 variables and functions, each read by name; a scan per lookup
 * made loading quadratic (seconds, found by the model fuzz target).
 *
 * The first index put under a name stays (later puts of the name are ignored), as the
 * scans it replaces returned the first match. Names are borrowed: they must outlive the
 * index and not change. A zeroed struct is an empty index.
 */
#ifndef SGDI_UTIL_NAME_INDEX_H
#define SGDI_UTIL_NAME_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sgdi_name_index {
    const char **names; // [cap], NULL where empty
    int64_t *values;    // [cap]
    size_t cap, count;  // cap a power of two, at least twice count
} sgdi_name_index;

// Adds name -> value (value >= 0) unless the name is in the index already; false when out
// of memory (the index is unchanged).
bool sgdi_name_index_put(sgdi_name_index *ix, const char *name, int64_t value);

// Makes room for `more` new names, so that that many puts cannot fail; false when out
// of memory (the index is unchanged).
bool sgdi_name_index_reserve(sgdi_name_index *ix, size_t more);

// The value under `name`, or -1.
int64_t sgdi_name_index_get(const sgdi_name_index *ix, const char *name);

// Frees the table (not the names) and empties the index.
void sgdi_name_index_free(sgdi_name_index *ix);

#endif // SGDI_UTIL_NAME_INDEX_H
