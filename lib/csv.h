/*
 * csv.h - CSV for Excel: UTF-8 with a byte-order mark, ";" separator, CRLF,
 * fields quoted when needed and formula-looking cells defused. Rows are
 * buffered and flushed to the client every 64 KiB, so a 100,000-row export
 * holds one chunk in memory, not the file.
 */
#ifndef RDV_CSV_H
#define RDV_CSV_H

#include "buf.h"
#include "http.h"

struct csv_writer {
	struct http_response *res;   /* not owned */
	struct buf chunk;            /* owned: freed by csv_end */
	int failed;                  /* the client went away */
};

/* Sends the headers (text/csv, attachment; filename=…) and the BOM. */
int csv_begin(struct csv_writer *w, struct http_response *res, const char *filename);
int csv_row(struct csv_writer *w, const char *const *cells, int n);
/* Flushes what is left; 0 or RDV_ESYSTEM if the client went away. */
int csv_end(struct csv_writer *w);

#endif
