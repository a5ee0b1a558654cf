/*
 * test_export.c - RDV and participation exports: the reference's columns in
 * the reference's order (CSV and XLSX opened back), filters, file names,
 * rights (other organisation, usagers export for admins, territory export),
 * audit.
 */
#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "zipread.h"

#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"
#define PMI "agent.pmi@demo.rdv-solidarites.fr"

static const char rdv_header[] =
	"\xEF\xBB\xBF" "année;date prise rdv;heure prise rdv;origine;date rdv;heure rdv;service;motif;contexte;"
	"statut;lieu;professionnel.le(s);usager(s);commune du premier responsable;au moins un usager mineur ?;"
	"résultat des notifications;Organisation;date naissance;code postal du premier responsable;créé par;"
	"email(s) professionnel.le(s);rdv collectif\r\n";

/* CSV records (CRLF outside quotes): a context typed on several lines is one record. */
static int count_lines(const char *s)
{
	int n = 0, quoted = 0;
	for (; s && *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '\n' && !quoted)
			n++;
	}
	return n;
}

/* browser_init, then signs in as the Arras admin (must succeed); the id of
 * the MDS d'Arras. */
static long long sign_in_arras_admin(struct browser *b)
{
	browser_init(b);
	long long org = test_org_id("MDS d'Arras");
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(b, ADMIN_ARRAS, NULL), 303);
	return org;
}

/* GET of a printf-style path; the status. */
static long get_f(struct browser *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long get_f(struct browser *b, const char *fmt, ...)
{
	char path[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return browser_get(b, path);
}

/* The number the printf-style SQL answers (a count). */
static int sql_count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sql_count(const char *fmt, ...)
{
	char sql[512], out[32] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	test_sql(sql, out, sizeof(out));
	return atoi(out);
}

static void test_rdv_csv_columns_and_rows(void)
{
	struct browser b;
	long long org = sign_in_arras_admin(&b);
	CU_ASSERT_EQUAL_FATAL(get_f(&b, "/export/organisations/%lld/rdvs.csv", org), 200);
	CU_ASSERT(strncmp(b.body.data, rdv_header, strlen(rdv_header)) == 0);
	char disp[256];
	browser_header(&b, "Content-Disposition", disp, sizeof(disp));
	char want[64];
	snprintf(want, sizeof(want), "-org-%06lld.csv", org);
	CU_ASSERT(strstr(disp, "attachment; filename=\"export-rdv-") != NULL && strstr(disp, want) != NULL);
	/* as many lines as the admin may see of the organisation's RDVs (all of them) */
	CU_ASSERT_EQUAL(count_lines(b.body.data) - 1, sql_count("SELECT count(*) FROM rdvs r WHERE organisation_id = %lld"
			" AND EXISTS (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id)", org));
	CU_ASSERT(browser_body_has(&b, ";Créé par un agent;"));
	CU_ASSERT(browser_body_has(&b, ";MDS d'Arras;"));
	/* the export is audited */
	CU_ASSERT(sql_count("SELECT count(*) FROM audit WHERE event = 'export_csv' AND organisation_id = %lld", org) >= 1);
	browser_free(&b);
}

static void test_filters(void)
{
	struct browser b;
	long long org = sign_in_arras_admin(&b);
	CU_ASSERT_EQUAL(get_f(&b, "/export/organisations/%lld/rdvs.csv?status=seen", org), 200);
	CU_ASSERT_EQUAL(count_lines(b.body.data) - 1, sql_count("SELECT count(*) FROM rdvs r WHERE organisation_id = %lld"
			" AND status = 'seen' AND EXISTS (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id)", org));
	CU_ASSERT(!browser_body_has(&b, ";À venir;"));
	CU_ASSERT_EQUAL(get_f(&b, "/export/organisations/%lld/rdvs.csv?status=unknown_past", org), 200);
	CU_ASSERT(!browser_body_has(&b, ";Présent;"));
	/* a date range with nothing in it: the header only */
	CU_ASSERT_EQUAL(get_f(&b, "/export/organisations/%lld/rdvs.csv?from=2001-01-01&to=2001-12-31", org), 200);
	CU_ASSERT_EQUAL(count_lines(b.body.data), 1);
	/* bad filters are a French 400, not a crash */
	CU_ASSERT_EQUAL(get_f(&b, "/export/organisations/%lld/rdvs.csv?from=2026-02-31", org), 400);
	CU_ASSERT_EQUAL(get_f(&b, "/export/organisations/%lld/rdvs.csv?status=perdu", org), 400);
	browser_free(&b);
}

static void test_rdv_xlsx(void)
{
	struct browser b;
	long long org = sign_in_arras_admin(&b);
	CU_ASSERT_EQUAL_FATAL(get_f(&b, "/export/organisations/%lld/rdvs.xlsx?status=seen", org), 200);
	char type[128];
	browser_header(&b, "Content-Type", type, sizeof(type));
	CU_ASSERT_STRING_EQUAL(type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	size_t n = 0;
	char *xml = zip_extract((const unsigned char *)b.body.data, b.body.len, "xl/worksheets/sheet1.xml", &n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	/* header cells A1..V1 in order, then data rows */
	CU_ASSERT(strstr(xml, "<c r=\"A1\"") != NULL);
	const char *a1 = strstr(xml, ">année<");
	const char *d1 = strstr(xml, ">origine<");
	const char *v1 = strstr(xml, ">rdv collectif<");
	CU_ASSERT(a1 != NULL && d1 != NULL && v1 != NULL && a1 < d1 && d1 < v1);
	CU_ASSERT(strstr(xml, "<c r=\"V1\"") != NULL);
	CU_ASSERT(strstr(xml, "<c r=\"W1\"") == NULL);
	CU_ASSERT(strstr(xml, ">Présent<") != NULL);
	CU_ASSERT(strstr(xml, "<c r=\"A2\"") != NULL);
	free(xml);
	browser_free(&b);
}

static void test_participations_export(void)
{
	struct browser b;
	long long org = sign_in_arras_admin(&b);
	CU_ASSERT_EQUAL_FATAL(get_f(&b, "/export/organisations/%lld/participations.csv", org), 200);
	CU_ASSERT(strncmp(b.body.data, "\xEF\xBB\xBFusager;rdv_id;année;", 24) == 0);
	CU_ASSERT_EQUAL(count_lines(b.body.data) - 1, sql_count("SELECT count(*) FROM participations p JOIN rdvs r"
			" ON r.id = p.rdv_id WHERE r.organisation_id = %lld"
			" AND EXISTS (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id)", org));
	browser_free(&b);
}

/* Rows of the XLSX sheet in the last response (the header included); -1 if unreadable. */
static int xlsx_rows(struct browser *b, const char *must_have)
{
	size_t n = 0;
	char *xml = zip_extract((const unsigned char *)b->body.data, b->body.len, "xl/worksheets/sheet1.xml", &n);
	if (xml == NULL)
		return -1;
	int rows = 0;
	for (const char *p = xml; *p; p++)
		rows += strncmp(p, "<row ", 5) == 0;
	if (must_have != NULL && strstr(xml, must_have) == NULL)
		rows = -1;
	free(xml);
	return rows;
}

/* Participations and territory exports in XLSX: the same rows as their CSV,
 * rdv_id a number, the last column of the reference. */
static void test_xlsx_like_csv(void)
{
	struct browser b;
	long long org = sign_in_arras_admin(&b);
	CU_ASSERT_EQUAL_FATAL(get_f(&b, "/export/organisations/%lld/participations.csv", org), 200);
	int csv = count_lines(b.body.data);
	CU_ASSERT(csv > 1);
	CU_ASSERT_EQUAL_FATAL(get_f(&b, "/export/organisations/%lld/participations.xlsx", org), 200);
	CU_ASSERT_EQUAL(xlsx_rows(&b, ">inscription au rdv collectif par<"), csv);
	CU_ASSERT_EQUAL(xlsx_rows(&b, "<c r=\"B2\"><v>"), csv);
	browser_free(&b);

	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, "admin.territoire@demo.rdv-solidarites.fr", NULL), 303);
	char terr[32], q[128];
	snprintf(q, sizeof(q), "SELECT territory_id FROM organisations WHERE id = %lld", org);
	test_sql(q, terr, sizeof(terr));
	CU_ASSERT_EQUAL_FATAL(get_f(&b, "/export/territories/%s/rdvs.csv", terr), 200);
	csv = count_lines(b.body.data);
	CU_ASSERT_EQUAL_FATAL(get_f(&b, "/export/territories/%s/rdvs.xlsx", terr), 200);
	CU_ASSERT_EQUAL(xlsx_rows(&b, ">MDS de Lens<"), csv);
	browser_free(&b);
}

static void test_rights(void)
{
	struct browser b;
	browser_init(&b);
	long long lens = test_org_id("MDS de Lens"), arras = test_org_id("MDS d'Arras");
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, PMI, NULL), 303);
	char path[256];
	/* another organisation does not exist for me */
	snprintf(path, sizeof(path), "/export/organisations/%lld/rdvs.csv", lens);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	snprintf(path, sizeof(path), "/export/organisations/%lld/rdvs.csv?organisation_ids=%lld", arras, lens);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* usagers export is for admins */
	snprintf(path, sizeof(path), "/export/organisations/%lld/usagers.csv", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 403);
	/* a basic agent sees only RDVs of agendas they may read: never more than the admin */
	snprintf(path, sizeof(path), "/export/organisations/%lld/rdvs.csv", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	int mine = count_lines(b.body.data);
	CU_ASSERT(!browser_body_has(&b, "agent.lens@"));
	/* territory export: not for a basic agent */
	char terr[32], q[128];
	snprintf(q, sizeof(q), "SELECT territory_id FROM organisations WHERE id = %lld", arras);
	test_sql(q, terr, sizeof(terr));
	snprintf(path, sizeof(path), "/export/territories/%s/rdvs.csv", terr);
	CU_ASSERT_EQUAL(browser_get(&b, path), 403);
	browser_free(&b);

	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, "admin.territoire@demo.rdv-solidarites.fr", NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, ";MDS de Lens;"));
	CU_ASSERT(count_lines(b.body.data) >= mine);
	snprintf(path, sizeof(path), "/export/organisations/%lld/usagers.csv", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(strncmp(b.body.data, "\xEF\xBB\xBFid;nom;prénom;", 18) == 0);
	browser_free(&b);

	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);   /* signed out */
	browser_free(&b);
}

static void test_export_page(void)
{
	struct browser b;
	long long org = sign_in_arras_admin(&b);
	CU_ASSERT_EQUAL(get_f(&b, "/export/organisations/%lld", org), 200);
	CU_ASSERT(browser_body_has(&b, "Exporter les RDV (Excel)"));
	CU_ASSERT(browser_body_has(&b, "usagers.csv"));
	browser_free(&b);
}

void register_export_http(void)
{
	CU_pSuite s = CU_add_suite("http: export", NULL, NULL);
	CU_add_test(s, "RDV CSV: reference columns, rows, file name, audit", test_rdv_csv_columns_and_rows);
	CU_add_test(s, "filters and bad filters", test_filters);
	CU_add_test(s, "RDV XLSX opened back", test_rdv_xlsx);
	CU_add_test(s, "participations export", test_participations_export);
	CU_add_test(s, "participations and territory XLSX: the CSV's rows", test_xlsx_like_csv);
	CU_add_test(s, "rights: other organisation, usagers, territory", test_rights);
	CU_add_test(s, "export page", test_export_page);
}
