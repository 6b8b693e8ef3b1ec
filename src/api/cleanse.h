/*
 * cleanse.h — what src/api/cleanse.c and src/api/cleanse_sidecar.c share.
 */
#ifndef SGDI_API_CLEANSE_H
#define SGDI_API_CLEANSE_H

#include <stddef.h>

#include "sgdi.h"

// Reads the whole file `path` into *data (*size bytes, malloc'd, not terminated).
sgdi_status sgdi_cleanse_read_file(const char *path, char **data, size_t *size, sgdi_error *err);

#endif // SGDI_API_CLEANSE_H
