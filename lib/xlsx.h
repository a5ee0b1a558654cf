/*
 * xlsx.h - a streamed XLSX writer: one worksheet of inline strings and
 * numbers, the first row bold. The ZIP container is written front to back
 * (each member's sizes and CRC follow its data in a data descriptor, nothing
 * is seeked back), the sheet is deflated at zlib's fastest level and handed
 * to a sink in chunks of 64 KiB: memory stays flat (~0.4 MB, whatever the
 * number of rows) and no temporary file is written.
 *
 *   struct xlsx_writer w;
 *   xlsx_begin(&w, "Export", sink, arg);
 *   xlsx_row(&w, header, n, XLSX_BOLD, 0);
 *   xlsx_row(&w, cells, n, 0, numbers);      // bit j set: cell j is a number
 *   rc = xlsx_end(&w);                       // always frees
 *
 * Every string is XML-escaped; control characters, invalid UTF-8 and
 * U+FFFE/U+FFFF are dropped; a cell keeps at most 32,767 characters (Excel's
 * limit). A cell of the number mask that does not read as a number is
 * written as text.
 */
#ifndef RDV_XLSX_H
#define RDV_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Receives the file in order; returns 0, or non-zero to stop the writer. */
typedef int (*xlsx_sink_fn)(void *arg, const char *data, size_t len);

#define XLSX_BOLD 1
#define XLSX_MAX_ROWS 1048576u      /* Excel's last row */
#define XLSX_MAX_CELL_CHARS 32767   /* Excel's longest cell */
#define XLSX_MEMBERS 5

struct xlsx_member {
	const char *name;
	uint32_t crc, csize, usize, offset;
};

struct xlsx_writer {
	xlsx_sink_fn sink;
	void *arg;
	void *z;                    /* owned z_stream of the member being written */
	struct buf xml;             /* owned: sheet XML waiting to be deflated */
	char *out;                  /* owned: deflated bytes waiting for the sink */
	size_t out_len;
	uint64_t offset;            /* bytes handed to the sink so far */
	struct xlsx_member members[XLSX_MEMBERS + 1];
	int n_members;
	uint32_t rows;
	int err;                    /* first error (rdv_err), sticky */
};

/* Writes the fixed parts (content types, workbook, styles) and opens the
 * sheet. Returns 0 or an rdv_err (then call xlsx_end to free). */
int xlsx_begin(struct xlsx_writer *w, const char *sheet_name, xlsx_sink_fn sink, void *arg);
/* One row; cells[j] NULL or "" leaves the cell empty. style: 0 or XLSX_BOLD. */
int xlsx_row(struct xlsx_writer *w, const char *const *cells, int n, int style, uint64_t numbers);
/* Closes the sheet and the ZIP (central directory); frees everything.
 * Returns 0 or the first error met. */
int xlsx_end(struct xlsx_writer *w);

/* Appends s as XML character data (escaped and cleaned as above). */
int xlsx_put_text(struct buf *b, const char *s);

#endif
