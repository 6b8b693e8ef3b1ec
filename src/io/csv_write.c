/*
 * csv_write.c — CSV cells quoted as Python's csv writer quotes them (see
 * csv_write.h).
 */
#include "io/csv_write.h"

#include <stdbool.h>

static bool needs_quotes(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (text[i] == ',' || text[i] == '"' || text[i] == '\r' || text[i] == '\n') return true;
    return false;
}

void sgdi_csv_write_cell(FILE *fp, const char *text, size_t len) {
    if (!needs_quotes(text, len)) {
        fwrite(text, 1, len, fp);
        return;
    }
    fputc('"', fp);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"') fputc('"', fp);
        fputc(text[i], fp);
    }
    fputc('"', fp);
}
