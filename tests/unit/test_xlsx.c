/* test_xlsx.c - the streamed XLSX writer: escaping, cells, ZIP container, big sheets. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../http/zipread.h"
#include "rdv.h"
#include "xlsx.h"

static int to_buf(void *arg, const char *data, size_t len)
{
	return buf_append(arg, data, len);
}

static int refuse(void *arg, const char *data, size_t len)
{
	return 1;
}

static char *text(const char *s)
{
	static struct buf b = BUF_INIT;
	buf_reset(&b);
	CU_ASSERT_EQUAL(xlsx_put_text(&b, s), 0);
	return b.data ? b.data : "";
}

static void test_escaping(void)
{
	CU_ASSERT_STRING_EQUAL(text("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c'");
	/* control characters dropped, tab and newline kept, CR as a reference */
	CU_ASSERT_STRING_EQUAL(text("x\x01\x08\x1f\ty\nz\r"), "x\ty\nz&#13;");
	/* UTF-8 kept; invalid bytes, surrogates, overlongs, U+FFFE dropped */
	CU_ASSERT_STRING_EQUAL(text("Créé\xff\xc0\xaf\xed\xa0\x80\xef\xbf\xbe\xf0\x9f\x98\x80!"), "Créé\xf0\x9f\x98\x80!");
	CU_ASSERT_STRING_EQUAL(text("\xc3"), "");          /* truncated sequence */
	CU_ASSERT_STRING_EQUAL(text(""), "");
}

static void test_cell_limit(void)
{
	char *s = malloc(80001);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(s, 'x', 40000);
	s[40000] = '\0';
	CU_ASSERT_EQUAL(strlen(text(s)), XLSX_MAX_CELL_CHARS);
	/* two-byte characters: 32,767 characters, never half of one */
	for (int i = 0; i < 80000; i += 2)
		memcpy(s + i, "\xc3\xa9", 2);
	s[80000] = '\0';
	CU_ASSERT_EQUAL(strlen(text(s)), 2 * XLSX_MAX_CELL_CHARS);
	free(s);
}

/* CRC of member name in the central directory equals the CRC of its data. */
static int crc_ok(const struct buf *zip, const char *name, const char *data, size_t len)
{
	const unsigned char *z = (const unsigned char *)zip->data;
	for (size_t p = 0; p + 46 < zip->len; p++) {
		if (memcmp(z + p, "PK\x01\x02", 4) != 0 || (size_t)(z[p + 28] | z[p + 29] << 8) != strlen(name) ||
		    memcmp(z + p + 46, name, strlen(name)) != 0)
			continue;
		uint32_t crc = z[p + 16] | z[p + 17] << 8 | z[p + 18] << 16 | (uint32_t)z[p + 19] << 24;
		return crc == (uint32_t)crc32(0, (const Bytef *)data, (uInt)len);
	}
	return 0;
}

static char *sheet_of(const struct buf *zip, size_t *n)
{
	char *xml = zip_extract((const unsigned char *)zip->data, zip->len, "xl/worksheets/sheet1.xml", n);
	CU_ASSERT_PTR_NOT_NULL(xml);
	if (xml != NULL)
		CU_ASSERT(crc_ok(zip, "xl/worksheets/sheet1.xml", xml, *n));
	return xml;
}

static void test_workbook(void)
{
	struct buf zip = BUF_INIT;
	struct xlsx_writer w;
	CU_ASSERT_EQUAL_FATAL(xlsx_begin(&w, "Export", to_buf, &zip), 0);
	const char *head[] = {"année", "date rdv", "usager"};
	const char *row1[] = {"2026", "07/12/2020", " Léa <DUPONT> & fils "};
	const char *row2[] = {"20x6", NULL, ""};
	CU_ASSERT_EQUAL(xlsx_row(&w, head, 3, XLSX_BOLD, 0), 0);
	CU_ASSERT_EQUAL(xlsx_row(&w, row1, 3, 0, 1), 0);
	CU_ASSERT_EQUAL(xlsx_row(&w, row2, 3, 0, 1), 0);
	CU_ASSERT_EQUAL(xlsx_end(&w), 0);
	const char *parts[] = {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
			       "xl/styles.xml"};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		size_t n = 0;
		char *x = zip_extract((const unsigned char *)zip.data, zip.len, parts[i], &n);
		CU_ASSERT_PTR_NOT_NULL(x);
		CU_ASSERT(x != NULL && crc_ok(&zip, parts[i], x, n));
		free(x);
	}
	size_t n = 0;
	char *xml = sheet_of(&zip, &n);
	if (xml != NULL) {
		CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<row r=\"1\"><c r=\"A1\" s=\"1\" t=\"inlineStr\"><is><t>année</t></is></c>"));
		CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<c r=\"A2\"><v>2026</v></c>"));
		/* a date stays the reference's text */
		CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<c r=\"B2\" t=\"inlineStr\"><is><t>07/12/2020</t></is></c>"));
		CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<t xml:space=\"preserve\"> Léa &lt;DUPONT&gt; &amp; fils </t>"));
		/* not a number in a number column: text; empty cells: absent */
		CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>20x6</t></is></c></row>"));
		CU_ASSERT_PTR_NOT_NULL(strstr(xml, "</sheetData>"));
	}
	free(xml);
	buf_free(&zip);
}

static void test_big_sheet(void)
{
	struct buf zip = BUF_INIT;
	struct xlsx_writer w;
	CU_ASSERT_EQUAL_FATAL(xlsx_begin(&w, "Export", to_buf, &zip), 0);
	const char *cells[] = {"2025", "03/08/2026", "Créé par un agent", "Agent MESURE 4", "a@b.fr"};
	int rc = 0;
	for (int i = 0; i < 100000 && rc == 0; i++)
		rc = xlsx_row(&w, cells, 5, 0, 1);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(xlsx_end(&w), 0);
	CU_ASSERT(zip.len < 2 * 1024 * 1024);       /* compressed */
	size_t n = 0;
	char *xml = sheet_of(&zip, &n);
	if (xml != NULL) {
		size_t rows = 0;   /* no strstr loop: under ASan each call measures the rest */
		for (const char *p = xml; *p; p++)
			rows += strncmp(p, "<row ", 5) == 0;
		CU_ASSERT_EQUAL(rows, 100000);
		CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<c r=\"E100000\" t=\"inlineStr\"><is><t>a@b.fr</t></is></c></row>"));
	}
	free(xml);
	buf_free(&zip);
}

static void test_limits_and_errors(void)
{
	struct xlsx_writer w;
	struct buf zip = BUF_INIT;
	const char *cells[] = {"x"};
	CU_ASSERT_EQUAL_FATAL(xlsx_begin(&w, "Export", to_buf, &zip), 0);
	w.rows = XLSX_MAX_ROWS;                     /* Excel's last row is written */
	CU_ASSERT_EQUAL(xlsx_row(&w, cells, 1, 0, 0), RDV_ETOOBIG);
	CU_ASSERT_EQUAL(xlsx_end(&w), RDV_ETOOBIG);
	buf_free(&zip);
	/* the client went away: the writer stops and says so */
	CU_ASSERT_EQUAL_FATAL(xlsx_begin(&w, "Export", refuse, NULL), 0);
	int rc = 0;
	for (int i = 0; i < 100000 && rc == 0; i++)
		rc = xlsx_row(&w, cells, 1, 0, 0);
	CU_ASSERT_EQUAL(rc, RDV_ESYSTEM);
	CU_ASSERT_EQUAL(xlsx_end(&w), RDV_ESYSTEM);
}

void register_xlsx_suite(void)
{
	CU_pSuite s = CU_add_suite("xlsx", NULL, NULL);
	CU_add_test(s, "XML text escaped and cleaned", test_escaping);
	CU_add_test(s, "cell cut at 32,767 characters", test_cell_limit);
	CU_add_test(s, "workbook parts, styles, numbers, text", test_workbook);
	CU_add_test(s, "100,000 rows streamed", test_big_sheet);
	CU_add_test(s, "row limit and a failing sink", test_limits_and_errors);
}
