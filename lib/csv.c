/* csv.c - streamed CSV for Excel (csv.h). */
#include "csv.h"
#include "rdv.h"

#define CSV_FLUSH_AT (64 * 1024)

int csv_begin(struct csv_writer *w, struct http_response *res, const char *filename)
{
	w->res = res;
	w->chunk = (struct buf)BUF_INIT;
	w->failed = 0;
	res->status = 200;
	res->content_type = "text/csv; charset=utf-8";
	struct buf disp = BUF_INIT;
	buf_puts(&disp, "attachment; filename=\"");
	buf_puts(&disp, filename);
	buf_puts(&disp, "\"");
	http_add_header(res, "Content-Disposition", disp.data);
	buf_free(&disp);
	buf_puts(&w->chunk, "\xEF\xBB\xBF");   /* BOM: Excel reads UTF-8 */
	if (res->write == NULL)                 /* no client stream (tests): buffer in the body */
		return 0;
	return http_stream_begin(res) == 0 ? 0 : (w->failed = 1, RDV_ESYSTEM);
}

static int flush(struct csv_writer *w)
{
	if (w->failed)
		return RDV_ESYSTEM;
	if (w->res->write == NULL) {
		buf_append(&w->res->body, w->chunk.data, w->chunk.len);
	} else if (w->chunk.len > 0 && http_stream_write(w->res, w->chunk.data, w->chunk.len) != 0) {
		w->failed = 1;
	}
	buf_reset(&w->chunk);
	return w->failed ? RDV_ESYSTEM : 0;
}

int csv_row(struct csv_writer *w, const char *const *cells, int n)
{
	for (int i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&w->chunk, ';');
		buf_put_csv(&w->chunk, cells[i] ? cells[i] : "", ';');
	}
	buf_puts(&w->chunk, "\r\n");
	if (w->chunk.oom)
		return RDV_ENOMEM;
	return w->chunk.len >= CSV_FLUSH_AT ? flush(w) : 0;
}

int csv_end(struct csv_writer *w)
{
	int rc = flush(w);
	buf_free(&w->chunk);
	return rc;
}
