/*
 * xlsx.c - streamed XLSX: ZIP members with data descriptors, raw deflate at
 * level 1, the sheet as inline strings (xlsx.h).
 */
#include "xlsx.h"
#include "rdv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define OUT_SIZE (64 * 1024)
#define XML_FLUSH_AT (64 * 1024)
#define ZIP_FLAGS 0x0808            /* data descriptor follows; names in UTF-8 */
#define ZIP_DOS_DATE 0x5021         /* 2020-01-01: members carry no meaningful date */
#define ZIP_MAX 0xFFFFFFFFu         /* no ZIP64: every size and offset on 32 bits */

#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define CT "application/vnd.openxmlformats-officedocument.spreadsheetml."

static const char content_types[] = XML_DECL
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT "sheet.main+xml\"/>"
	"<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT "styles+xml\"/>"
	"<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"" CT "worksheet+xml\"/></Types>";

static const char root_rels[] = XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">"
	"<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

static const char workbook_rels[] = XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">"
	"<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/></Relationships>";

/* Style 0: Calibri 11; style 1: the same, bold (the header row). */
static const char styles[] = XML_DECL "<styleSheet xmlns=\"" NS_MAIN "\">"
	"<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
	"<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
	"<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
	"<fill><patternFill patternType=\"gray125\"/></fill></fills>"
	"<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
	"<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
	"<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
	"<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
	"</styleSheet>";

static const char sheet_head[] = XML_DECL "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
	"<sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"/></sheetViews>"
	"<sheetFormatPr defaultRowHeight=\"15\"/><sheetData>";

static const char sheet_tail[] = "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\""
	" header=\"0.3\" footer=\"0.3\"/></worksheet>";

/* ---- output: everything goes through one 64 KiB buffer to the sink ---- */

static int fail(struct xlsx_writer *w, int err)
{
	if (w->err == 0)
		w->err = err;
	return w->err;
}

static int flush_out(struct xlsx_writer *w)
{
	if (w->err == 0 && w->out_len > 0 && w->sink(w->arg, w->out, w->out_len) != 0)
		fail(w, RDV_ESYSTEM);
	w->offset += w->out_len;
	w->out_len = 0;
	return w->err;
}

static int emit(struct xlsx_writer *w, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0 && w->err == 0) {
		size_t n = OUT_SIZE - w->out_len < len ? OUT_SIZE - w->out_len : len;
		memcpy(w->out + w->out_len, p, n);
		w->out_len += n;
		p += n;
		len -= n;
		if (w->out_len == OUT_SIZE)
			flush_out(w);
	}
	return w->err;
}

static unsigned char *le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	return p + 2;
}

static unsigned char *le32(unsigned char *p, uint32_t v)
{
	p = le16(p, v & 0xFFFF);
	return le16(p, v >> 16);
}

/* The fields local and central headers share, from "version needed" to the
 * name length (crc and sizes zero in a local header: the descriptor has them). */
static unsigned char *common_fields(unsigned char *p, const struct xlsx_member *m)
{
	p = le16(p, 20);
	p = le16(p, ZIP_FLAGS);
	p = le16(p, Z_DEFLATED);
	p = le16(p, 0);
	p = le16(p, ZIP_DOS_DATE);
	p = le32(p, m->crc);
	p = le32(p, m->csize);
	p = le32(p, m->usize);
	return le16(p, (unsigned)strlen(m->name));
}

/* ---- ZIP members ---- */

static int member_open(struct xlsx_writer *w, const char *name)
{
	if (w->err == 0 && deflateReset(w->z) != Z_OK)
		fail(w, RDV_ESYSTEM);
	struct xlsx_member *m = &w->members[w->n_members++];
	*m = (struct xlsx_member){.name = name, .offset = (uint32_t)(w->offset + w->out_len)};
	unsigned char h[30], *p = le32(h, 0x04034b50);
	p = common_fields(p, m);
	le16(p, 0);
	emit(w, h, sizeof(h));
	return emit(w, name, strlen(name));
}

/* Deflates len bytes (flush: Z_NO_FLUSH or Z_FINISH) straight into the output buffer. */
static int deflate_to_out(struct xlsx_writer *w, const char *data, size_t len, int flush)
{
	z_stream *z = w->z;
	z->next_in = (Bytef *)data;
	z->avail_in = (uInt)len;
	for (int zr = Z_OK; w->err == 0;) {
		z->next_out = (Bytef *)w->out + w->out_len;
		z->avail_out = (uInt)(OUT_SIZE - w->out_len);
		zr = deflate(z, flush);
		w->out_len = OUT_SIZE - z->avail_out;
		if (zr == Z_STREAM_ERROR)
			return fail(w, RDV_ESYSTEM);
		if (w->out_len == OUT_SIZE)
			flush_out(w);
		else if (flush == Z_FINISH ? zr == Z_STREAM_END : z->avail_in == 0)
			break;
	}
	return w->err;
}

static int member_write(struct xlsx_writer *w, const char *data, size_t len)
{
	struct xlsx_member *m = &w->members[w->n_members - 1];
	if ((uint64_t)m->usize + len + w->offset + w->out_len >= ZIP_MAX)
		return fail(w, RDV_ETOOBIG);
	m->crc = (uint32_t)crc32(m->crc, (const Bytef *)data, (uInt)len);
	m->usize += (uint32_t)len;
	return deflate_to_out(w, data, len, Z_NO_FLUSH);
}

static int member_close(struct xlsx_writer *w)
{
	struct xlsx_member *m = &w->members[w->n_members - 1];
	deflate_to_out(w, NULL, 0, Z_FINISH);
	m->csize = (uint32_t)((z_stream *)w->z)->total_out;
	unsigned char d[16], *p = le32(d, 0x08074b50);
	p = le32(p, m->crc);
	p = le32(p, m->csize);
	le32(p, m->usize);
	return emit(w, d, sizeof(d));
}

static int member(struct xlsx_writer *w, const char *name, const char *data, size_t len)
{
	member_open(w, name);
	member_write(w, data, len);
	return member_close(w);
}

static int central_directory(struct xlsx_writer *w)
{
	uint64_t start = w->offset + w->out_len;
	for (int i = 0; i < w->n_members; i++) {
		const struct xlsx_member *m = &w->members[i];
		unsigned char h[46], *p = le32(h, 0x02014b50);
		p = le16(p, 20);                /* made by: MS-DOS, 2.0 */
		p = common_fields(p, m);
		p = le16(p, 0);                 /* extra */
		p = le16(p, 0);                 /* comment */
		p = le16(p, 0);                 /* disk */
		p = le16(p, 0);                 /* internal attributes */
		p = le32(p, 0);                 /* external attributes */
		le32(p, m->offset);
		emit(w, h, sizeof(h));
		emit(w, m->name, strlen(m->name));
	}
	uint64_t size = w->offset + w->out_len - start;
	if (start + size >= ZIP_MAX)
		return fail(w, RDV_ETOOBIG);
	unsigned char e[22], *p = le32(e, 0x06054b50);
	p = le32(p, 0);                         /* disk numbers */
	p = le16(p, (unsigned)w->n_members);
	p = le16(p, (unsigned)w->n_members);
	p = le32(p, (uint32_t)size);
	p = le32(p, (uint32_t)start);
	le16(p, 0);
	return emit(w, e, sizeof(e));
}

/* ---- XML text ---- */

/* Length of the valid UTF-8 sequence at s (lead byte >= 0x80), 0 if invalid
 * or a noncharacter XML forbids (U+FFFE, U+FFFF). */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	unsigned lo = 0x80, hi = 0xBF;       /* range of the second byte */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;                   /* no surrogates */
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;                   /* up to U+10FFFF */
	if (n == 0 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	if (c == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
		return 0;
	return n;
}

static int plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' && c != '"';
}

static const char *ascii_entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\t': return "\t";
	case '\n': return "\n";
	case '\r': return "&#13;";   /* a raw CR would be normalised away by the parser */
	default: return "";          /* other control characters: not allowed in XML 1.0 */
	}
}

int xlsx_put_text(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int chars = 0;
	while (*p && chars < XLSX_MAX_CELL_CHARS) {
		const unsigned char *run = p;
		while (plain_ascii(*p) && chars < XLSX_MAX_CELL_CHARS) {
			p++;
			chars++;
		}
		buf_append(b, (const char *)run, (size_t)(p - run));
		if (*p == 0 || chars >= XLSX_MAX_CELL_CHARS)
			break;
		if (*p < 0x80) {
			buf_puts(b, ascii_entity(*p));
			chars += *ascii_entity(*p) != '\0';
			p++;
			continue;
		}
		size_t n = utf8_seq(p);
		if (n == 0) {
			p++;                     /* invalid byte: dropped */
			continue;
		}
		chars += n == 4 ? 2 : 1;         /* Excel counts UTF-16 units */
		if (chars > XLSX_MAX_CELL_CHARS)
			break;
		buf_append(b, (const char *)p, n);
		p += n;
	}
	return b->oom ? RDV_ENOMEM : 0;
}

/* ---- sheet ---- */

static int sheet_flush(struct xlsx_writer *w)
{
	if (w->xml.oom)
		return fail(w, RDV_ENOMEM);
	member_write(w, w->xml.data, w->xml.len);
	buf_reset(&w->xml);
	return w->err;
}

/* Column letters of column j (0-based, < 16384) into name; returns its length. */
static size_t column_name(unsigned j, char *name)
{
	char tmp[4];
	size_t n = 0;
	for (j++; j > 0; j = (j - 1) / 26)
		tmp[n++] = (char)('A' + (j - 1) % 26);
	for (size_t i = 0; i < n; i++)
		name[i] = tmp[n - 1 - i];
	return n;
}

/* A decimal number as Excel reads it: [-]digits[.digits]. */
static int is_number(const char *s)
{
	s += *s == '-';
	size_t n = strspn(s, "0123456789");
	if (n == 0 || n > 15)
		return 0;
	if (s[n] == '.')
		return s[n + 1 + strspn(s + n + 1, "0123456789")] == '\0' && s[n + 1] != '\0';
	return s[n] == '\0';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void put_cell(struct buf *b, const char *ref, const char *v, int style, int number)
{
	buf_puts(b, "<c r=\"");
	buf_puts(b, ref);
	buf_puts(b, style == XLSX_BOLD ? "\" s=\"1" : "");
	if (number) {
		buf_puts(b, "\"><v>");
		buf_puts(b, v);
		buf_puts(b, "</v></c>");
		return;
	}
	size_t len = strlen(v);
	buf_puts(b, is_space(v[0]) || is_space(v[len - 1]) ? "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
							   : "\" t=\"inlineStr\"><is><t>");
	xlsx_put_text(b, v);
	buf_puts(b, "</t></is></c>");
}

int xlsx_row(struct xlsx_writer *w, const char *const *cells, int n, int style, uint64_t numbers)
{
	if (w->err)
		return w->err;
	if (w->rows >= XLSX_MAX_ROWS)
		return fail(w, RDV_ETOOBIG);
	char num[12], ref[16];
	int nlen = snprintf(num, sizeof(num), "%u", ++w->rows);
	buf_printf(&w->xml, "<row r=\"%s\">", num);
	for (int j = 0; j < n && j < 16384; j++) {
		if (cells[j] == NULL || cells[j][0] == '\0')
			continue;
		size_t c = column_name((unsigned)j, ref);
		memcpy(ref + c, num, (size_t)nlen + 1);
		put_cell(&w->xml, ref, cells[j], style, j < 64 && (numbers >> j & 1) && is_number(cells[j]));
	}
	buf_puts(&w->xml, "</row>");
	return w->xml.len >= XML_FLUSH_AT ? sheet_flush(w) : (w->xml.oom ? fail(w, RDV_ENOMEM) : 0);
}

int xlsx_begin(struct xlsx_writer *w, const char *sheet_name, xlsx_sink_fn sink, void *arg)
{
	*w = (struct xlsx_writer){.sink = sink, .arg = arg, .xml = BUF_INIT};
	w->out = malloc(OUT_SIZE);
	w->z = calloc(1, sizeof(z_stream));
	if (w->out == NULL || w->z == NULL)
		return fail(w, RDV_ENOMEM);
	if (deflateInit2(w->z, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(w->z);
		w->z = NULL;
		return fail(w, RDV_ENOMEM);
	}
	member(w, "[Content_Types].xml", content_types, sizeof(content_types) - 1);
	member(w, "_rels/.rels", root_rels, sizeof(root_rels) - 1);
	buf_puts(&w->xml, XML_DECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets><sheet name=\"");
	xlsx_put_text(&w->xml, sheet_name);
	buf_puts(&w->xml, "\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
	if (w->xml.oom)
		return fail(w, RDV_ENOMEM);
	member(w, "xl/workbook.xml", w->xml.data, w->xml.len);
	buf_reset(&w->xml);
	member(w, "xl/_rels/workbook.xml.rels", workbook_rels, sizeof(workbook_rels) - 1);
	member(w, "xl/styles.xml", styles, sizeof(styles) - 1);
	member_open(w, "xl/worksheets/sheet1.xml");
	buf_puts(&w->xml, sheet_head);
	return w->err;
}

int xlsx_end(struct xlsx_writer *w)
{
	if (w->err == 0 && w->z != NULL) {
		buf_puts(&w->xml, sheet_tail);
		sheet_flush(w);
		member_close(w);
		central_directory(w);
		flush_out(w);
	}
	if (w->z != NULL)
		deflateEnd(w->z);
	free(w->z);
	free(w->out);
	buf_free(&w->xml);
	w->z = NULL;
	w->out = NULL;
	return w->err;
}
