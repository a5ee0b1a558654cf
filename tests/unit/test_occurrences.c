/*
 * test_occurrences.c - lib/occurrences: rows (as the SQL columns give them)
 * into occurrences: weekly rules, exceptions, public holidays closing plages
 * but not absences, DST, multi-day absences, the recurrence_ends_at column,
 * malformed rows.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "occurrences.h"
#include "rdv.h"
#include "tz.h"

static struct arena *A;

static int suite_init(void) { A = arena_new(1 << 16); return A == NULL; }
static int suite_clean(void) { arena_free(A); return 0; }

static const char *day(int y, int m, int d)
{
	static char buf[8][16];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%lld", tz_days_from_civil(y, m, d));
	return buf[k];
}

static long long utc(int y, int mo, int d, int h, int mi)
{
	struct local_dt lt = {y, mo, d, h, mi, 0};
	return tz_local_to_utc(&lt);
}

static struct occ_row row_of(enum occ_kind kind, const char *const cols[OCC_NCOLS])
{
	struct occ_row r = {.kind = kind, .id = 1, .agent_id = 7, .lieu_id = 3, .title = "t"};
	CU_ASSERT_EQUAL_FATAL(occurrences_parse(A, cols, &r.s), 0);
	return r;
}

/* occurrences_expand over [from, to), which must succeed: the count, the occurrences in *o. */
static size_t expand(const struct occ_row *rows, size_t n_rows, long long from, long long to, struct occ **o)
{
	size_t n = 0;
	CU_ASSERT_EQUAL(occurrences_expand(A, rows, n_rows, from, to, o, &n), 0);
	return n;
}

static void test_weekly_and_exception(void)
{
	const char *cols[OCC_NCOLS] = {day(2026, 3, 2), "540", "720", "0",
		"{\"every\":\"week\",\"interval\":1,\"on\":[\"monday\",\"thursday\"]}", NULL, NULL};
	struct occ_row r = row_of(OCC_PLAGE, cols);
	struct occ *o;
	size_t n = expand(&r, 1, utc(2026, 3, 2, 0, 0), utc(2026, 3, 16, 0, 0), &o);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(o[0].start, utc(2026, 3, 2, 9, 0));
	CU_ASSERT_EQUAL(o[0].end, utc(2026, 3, 2, 12, 0));
	CU_ASSERT_EQUAL(o[1].start, utc(2026, 3, 5, 9, 0));
	CU_ASSERT_PTR_EQUAL(o[0].row, &r);
	/* exceptions, unsorted in the column: both deleted */
	char ex[64];
	snprintf(ex, sizeof(ex), "%s,%s", day(2026, 3, 9), day(2026, 3, 5));
	const char *cols2[OCC_NCOLS] = {cols[0], "540", "720", "0", cols[4], NULL, ex};
	struct occ_row r2 = row_of(OCC_PLAGE, cols2);
	n = expand(&r2, 1, utc(2026, 3, 2, 0, 0), utc(2026, 3, 16, 0, 0), &o);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(o[0].start, utc(2026, 3, 2, 9, 0));
	CU_ASSERT_EQUAL(o[1].start, utc(2026, 3, 12, 9, 0));
}

static void test_holidays_close_plages_not_absences(void)
{
	/* Easter Monday 2026 is 6 April. */
	const char *cols[OCC_NCOLS] = {day(2026, 3, 30), "540", "720", "0",
		"{\"every\":\"week\",\"on\":[\"monday\"]}", NULL, NULL};
	struct occ_row rows[2] = {row_of(OCC_PLAGE, cols), row_of(OCC_ABSENCE, cols)};
	struct occ *o;
	size_t n = expand(rows, 1, utc(2026, 4, 6, 0, 0), utc(2026, 4, 7, 0, 0), &o);
	CU_ASSERT_EQUAL(n, 0);
	n = expand(rows + 1, 1, utc(2026, 4, 6, 0, 0), utc(2026, 4, 7, 0, 0), &o);
	CU_ASSERT_EQUAL(n, 1);
	/* both kinds together, sorted by start */
	n = expand(rows, 2, utc(2026, 3, 30, 0, 0), utc(2026, 4, 14, 0, 0), &o);
	CU_ASSERT_EQUAL(n, 5);   /* plage 30/3, 13/4; absence 30/3, 6/4, 13/4 */
	for (size_t i = 1; i < n; i++)
		CU_ASSERT(o[i - 1].start <= o[i].start);
}

static void test_dst_keeps_local_hours(void)
{
	const char *cols[OCC_NCOLS] = {day(2026, 3, 23), "540", "720", "0",
		"{\"every\":\"week\",\"on\":[\"monday\"]}", NULL, NULL};
	struct occ_row r = row_of(OCC_PLAGE, cols);
	struct occ *o;
	size_t n = expand(&r, 1, utc(2026, 3, 23, 0, 0), utc(2026, 4, 1, 0, 0), &o);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(o[0].start, 1774252800LL);   /* 2026-03-23T08:00:00Z (CET) */
	CU_ASSERT_EQUAL(o[1].start, 1774854000LL);   /* 2026-03-30T07:00:00Z (CEST) */
	CU_ASSERT_EQUAL(o[1].end - o[1].start, 3 * 3600);
}

static void test_multi_day_absence_and_until_column(void)
{
	const char *cols[OCC_NCOLS] = {day(2026, 3, 10), "540", "1020", "2", NULL, NULL, NULL};
	struct occ_row r = row_of(OCC_ABSENCE, cols);
	struct occ *o;
	size_t n = expand(&r, 1, utc(2026, 3, 11, 0, 0), utc(2026, 3, 12, 0, 0), &o);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(o[0].start, utc(2026, 3, 10, 9, 0));
	CU_ASSERT_EQUAL(o[0].end, utc(2026, 3, 12, 17, 0));
	/* a rule without "until" ends at the recurrence_ends_at column */
	const char *c2[OCC_NCOLS] = {day(2026, 3, 2), "540", "720", "0", "{\"every\":\"week\",\"on\":[\"monday\"]}",
				     day(2026, 3, 9), NULL};
	struct occ_row r2 = row_of(OCC_PLAGE, c2);
	n = expand(&r2, 1, utc(2026, 3, 1, 0, 0), utc(2026, 5, 1, 0, 0), &o);
	CU_ASSERT_EQUAL(n, 2);
	/* end 24:00 */
	const char *c3[OCC_NCOLS] = {day(2026, 3, 3), "0", "1440", "0", NULL, NULL, NULL};
	struct occ_row r3 = row_of(OCC_ABSENCE, c3);
	n = expand(&r3, 1, utc(2026, 3, 1, 0, 0), utc(2026, 5, 1, 0, 0), &o);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(o[0].end - o[0].start, 86400);
}

static void test_malformed_rows(void)
{
	struct series s;
	const char *bad_time[OCC_NCOLS] = {day(2026, 3, 2), "abc", "720", "0", NULL, NULL, NULL};
	CU_ASSERT_EQUAL(occurrences_parse(A, bad_time, &s), RDV_EINVAL);
	const char *bad_rule[OCC_NCOLS] = {day(2026, 3, 2), "540", "720", "0", "{\"every\":\"year\"}", NULL, NULL};
	CU_ASSERT_EQUAL(occurrences_parse(A, bad_rule, &s), RDV_EINVAL);
	const char *null_day[OCC_NCOLS] = {NULL, "540", "720", "0", NULL, NULL, NULL};
	CU_ASSERT_EQUAL(occurrences_parse(A, null_day, &s), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(occurrences_id_array(A, (long long[]){3, 12}, 2), "{3,12}");
	CU_ASSERT_STRING_EQUAL(occurrences_id_array(A, NULL, 0), "{}");
	CU_ASSERT_STRING_EQUAL(occurrences_local_date(A, utc(2026, 3, 2, 0, 30), 0), "2026-03-02");
	CU_ASSERT_STRING_EQUAL(occurrences_local_date(A, utc(2026, 3, 2, 0, 30), -2), "2026-02-28");
}

void register_occurrences_suite(void)
{
	CU_pSuite s = CU_add_suite("occurrences", suite_init, suite_clean);
	CU_add_test(s, "weekly rule and exceptions", test_weekly_and_exception);
	CU_add_test(s, "holidays close plages, not absences", test_holidays_close_plages_not_absences);
	CU_add_test(s, "DST keeps local hours", test_dst_keeps_local_hours);
	CU_add_test(s, "multi-day absence, until column, 24:00", test_multi_day_absence_and_until_column);
	CU_add_test(s, "malformed rows and helpers", test_malformed_rows);
}
