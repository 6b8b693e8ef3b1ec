/*
 * csv_write.h — writing CSV cells as Python's csv writer does with its
 * defaults (QUOTE_MINIMAL), so that the files we write read back the same in
 * Neural Network Console, pandas and our own reader (src/data/csv.h).
 */
#ifndef SGDI_IO_CSV_WRITE_H
#define SGDI_IO_CSV_WRITE_H

#include <stddef.h>
#include <stdio.h>

// Writes text[0 .. len-1] as one cell (no separator, no line end): quoted,
// with '"' doubled, when it holds a comma, a quote, CR or LF; as it is
// otherwise. The text may hold NUL bytes. Write errors stay in the stream.
void sgdi_csv_write_cell(FILE *fp, const char *text, size_t len);

#endif // SGDI_IO_CSV_WRITE_H
