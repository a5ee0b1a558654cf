/* test_recurrence.c - recurrence rules: parsing (api.md and Montrose forms,
 * French errors), canonical JSON, RRULE, expansion (weekly, every N weeks,
 * several weekdays, until, nth weekday monthly, DST, holidays, exceptions,
 * multi-day absences), next_start, and thousands of random rules and
 * windows checked against a naive day-by-day reference written here. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "holidays.h"
#include "rdv.h"
#include "recurrence.h"
#include "tz.h"

static long long paris(int y, int mo, int d, int h, int mi)
{
	struct local_dt lt = {y, mo, d, h, mi, 0};
	return tz_local_to_utc(&lt);
}

static long long utc_of(int y, int mo, int d, int h, int mi)
{
	return tz_days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL;
}

/* A series from a date, "HH:MM"-ish minutes and a rule in JSON. */
static struct series series_of(int y, int m, int d, int start_min, int end_min, const char *rule)
{
	struct series s;
	memset(&s, 0, sizeof s);
	s.first_y = y;
	s.first_m = m;
	s.first_d = d;
	s.start_min = start_min;
	s.end_min = end_min;
	const char *msg;
	int rc = recurrence_parse(rule, &s.rule, &msg);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0)
		fprintf(stderr, "parse %s: %s\n", rule ? rule : "NULL", msg ? msg : "");
	return s;
}

/* Local starts of the occurrences, "YYYY-MM-DDTHH:MM+hh" joined by spaces;
 * each occurrence with a duration other than dur_min gets "/<minutes>". */
static const char *starts_of(const struct series *s, long long ws, long long we, int hol,
			     int dur_min)
{
	static char text[4096];
	struct occurrence occ[64];
	long long n = recurrence_expand(s, ws, we, hol, occ, 64);
	size_t len = 0;
	text[0] = '\0';
	if (n < 0 || n > 64) {
		snprintf(text, sizeof text, "count %lld", n);
		return text;
	}
	for (long long i = 0; i < n; i++) {
		char iso[32];
		tz_format_iso(occ[i].start, iso);
		long long dur = (occ[i].end - occ[i].start) / 60;
		len += (size_t)snprintf(text + len, sizeof text - len, "%s%.16s%.3s", i ? " " : "", iso,
					iso + 19);
		if (dur != dur_min)
			len += (size_t)snprintf(text + len, sizeof text - len, "/%lld", dur);
	}
	return text;
}

#define ASSERT_STARTS(s, ws, we, hol, dur, want)                                     \
	do {                                                                          \
		const char *got_ = starts_of((s), (ws), (we), (hol), (dur));          \
		if (strcmp(got_, (want)) != 0)                                        \
			fprintf(stderr, "\n%s:%d\n  got  %s\n  want %s\n", __FILE__,   \
				__LINE__, got_, (want));                              \
		CU_ASSERT_STRING_EQUAL(got_, (want));                                 \
	} while (0)

/* ------------------------------------------------------------------ parse */

static void test_recurrence_parse_valid(void)
{
	struct recurrence r;
	const char *msg = "x";
	const char *none[] = {NULL, "", "  \n", "null", " null \t"};
	for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
		CU_ASSERT_EQUAL(recurrence_parse(none[i], &r, &msg), 0);
		CU_ASSERT_EQUAL(r.every, REC_NONE);
		CU_ASSERT_PTR_NULL(msg);
	}
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"week\",\"interval\":1,\"on\":[\"monday\","
					 "\"thursday\"],\"until\":\"2027-06-30\"}", &r, &msg), 0);
	CU_ASSERT(r.every == REC_WEEK && r.interval == 1 && r.weekdays == ((1u << 0) | (1u << 3)));
	CU_ASSERT(r.has_until && r.until_y == 2027 && r.until_m == 6 && r.until_d == 30);
	CU_ASSERT(!r.has_starts);

	CU_ASSERT_EQUAL(recurrence_parse("{\"every\": \"month\", \"interval\": 1, \"day\": "
					 "{\"weekday\": \"tuesday\", \"nth\": 2}}", &r, NULL), 0);
	CU_ASSERT(r.every == REC_MONTH && r.interval == 1 && r.nth == 2 && r.month_weekday == 1);
	CU_ASSERT(!r.has_until);

	/* Montrose: starts recorded, until null, day as {"weekday": [n]} */
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"week\",\"interval\":2,\"on\":[\"friday\"],"
					 "\"starts\":\"2026-01-09\",\"until\":null}", &r, &msg), 0);
	CU_ASSERT(r.every == REC_WEEK && r.interval == 2 && r.weekdays == 1u << 4 && !r.has_until);
	CU_ASSERT(r.has_starts && r.starts_y == 2026 && r.starts_m == 1 && r.starts_d == 9);
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"month\",\"interval\":3,\"day\":{\"sunday\":[-1]},"
					 "\"starts\":\"2026-01-25T00:00:00.000+01:00\","
					 "\"until\":\"2027-01-31 00:00:00 +0100\"}", &r, &msg), 0);
	CU_ASSERT(r.every == REC_MONTH && r.interval == 3 && r.nth == -1 && r.month_weekday == 6);
	CU_ASSERT(r.has_until && r.until_y == 2027 && r.until_m == 1 && r.until_d == 31);
	/* defaults: interval 1, weekday / rank of first_day */
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"week\"}", &r, &msg), 0);
	CU_ASSERT(r.every == REC_WEEK && r.interval == 1 && r.weekdays == 0);
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"month\"}", &r, &msg), 0);
	CU_ASSERT(r.every == REC_MONTH && r.nth == 0);
	recurrence_resolve(&r, 2026, 1, 29);   /* fifth Thursday */
	CU_ASSERT(r.nth == 5 && r.month_weekday == 3);
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"week\",\"on\":\"Saturday\"}", &r, &msg), 0);
	CU_ASSERT_EQUAL(r.weekdays, 1u << 5);
	recurrence_resolve(&r, 2026, 1, 5);    /* explicit days stay */
	CU_ASSERT_EQUAL(r.weekdays, 1u << 5);
	CU_ASSERT_EQUAL(recurrence_parse("{\"on\":[\"monday\",\"monday\"],\"every\":\"week\","
					 "\"interval\":52}", &r, &msg), 0);
	CU_ASSERT(r.weekdays == 1u && r.interval == 52);
}

static void test_recurrence_parse_errors(void)
{
	static const struct { const char *json, *fragment; } bad[] = {
		{"{", "JSON est mal formé"},
		{"42", "JSON est mal formé"},
		{"{\"every\":\"week\",\"every\":\"month\"}", "JSON est mal formé"},
		{"[{\"every\":\"week\"}]", "un objet JSON"},
		{"{}", "« every »"},
		{"{\"every\":\"day\"}", "« every »"},
		{"{\"every\":null}", "« every »"},
		{"{\"interval\":2,\"on\":[\"monday\"]}", "« every »"},
		{"{\"every\":\"week\",\"interval\":0}", "l'intervalle doit être un entier entre 1 et 52"},
		{"{\"every\":\"week\",\"interval\":53}", "l'intervalle"},
		{"{\"every\":\"week\",\"interval\":-1}", "l'intervalle"},
		{"{\"every\":\"week\",\"interval\":\"2\"}", "l'intervalle"},
		{"{\"every\":\"week\",\"interval\":1.5}", "l'intervalle"},
		{"{\"every\":\"week\",\"on\":[]}", "la liste des jours (« on ») est vide"},
		{"{\"every\":\"week\",\"on\":[\"lundi\"]}", "jour de la semaine inconnu"},
		{"{\"every\":\"week\",\"on\":[\"monday\",\"mon\"]}", "jour de la semaine inconnu"},
		{"{\"every\":\"week\",\"on\":[1]}", "« on » doit être une liste"},
		{"{\"every\":\"week\",\"on\":{}}", "« on » doit être une liste"},
		{"{\"every\":\"week\",\"until\":\"2027-02-29\"}", "la date de fin (« until »)"},
		{"{\"every\":\"week\",\"until\":\"30/06/2027\"}", "la date de fin"},
		{"{\"every\":\"week\",\"until\":\"2027-6-30\"}", "la date de fin"},
		{"{\"every\":\"week\",\"until\":\"2027-06-30x\"}", "la date de fin"},
		{"{\"every\":\"week\",\"until\":20270630}", "la date de fin"},
		{"{\"every\":\"week\",\"starts\":\"demain\"}", "la date de début"},
		{"{\"every\":\"week\",\"count\":3}", "clé inconnue"},
		{"{\"every\":\"month\",\"on\":[\"monday\"]}", "hebdomadaire"},
		{"{\"every\":\"week\",\"day\":{\"weekday\":\"monday\",\"nth\":1}}", "mensuelle"},
		{"{\"every\":\"month\",\"day\":{\"weekday\":\"tuesday\",\"nth\":6}}", "« nth »"},
		{"{\"every\":\"month\",\"day\":{\"weekday\":\"tuesday\",\"nth\":0}}", "« nth »"},
		{"{\"every\":\"month\",\"day\":{\"weekday\":\"tuesday\",\"nth\":\"2\"}}", "« nth »"},
		{"{\"every\":\"month\",\"day\":{\"tuesday\":[1,3]}}", "« nth »"},
		{"{\"every\":\"month\",\"day\":{\"tuesday\":[]}}", "« nth »"},
		{"{\"every\":\"month\",\"day\":{\"weekday\":\"tuesday\"}}", "« day » doit être"},
		{"{\"every\":\"month\",\"day\":{\"weekday\":\"tuesday\",\"nth\":2,\"x\":1}}", "« day » doit être"},
		{"{\"every\":\"month\",\"day\":{}}", "« day » doit être"},
		{"{\"every\":\"month\",\"day\":[2]}", "« day » doit être"},
		{"{\"every\":\"month\",\"day\":{\"mardi\":[2]}}", "jour de la semaine inconnu"},
		{"{\"every\":\"month\",\"day\":{\"weekday\":\"jeudi\",\"nth\":2}}", "jour de la semaine inconnu"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct recurrence r;
		const char *msg = NULL;
		int rc = recurrence_parse(bad[i].json, &r, &msg);
		CU_ASSERT_EQUAL(rc, RDV_EINVAL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		CU_ASSERT_EQUAL(strncmp(msg, "La récurrence n'est pas valide : ",
					strlen("La récurrence n'est pas valide : ")), 0);
		if (rc != RDV_EINVAL || strstr(msg, bad[i].fragment) == NULL) {
			fprintf(stderr, "\n%s -> %d %s\n", bad[i].json, rc, msg);
			CU_FAIL("wrong message");
		}
		CU_ASSERT_EQUAL(r.every, REC_NONE);  /* nothing half-parsed */
	}
	/* msg may be NULL */
	struct recurrence r;
	CU_ASSERT_EQUAL(recurrence_parse("{", &r, NULL), RDV_EINVAL);
}

/* ------------------------------------------------------------ JSON, RRULE */

static void test_recurrence_to_json(void)
{
	static const char *const canonical[] = {
		"null",
		"{\"every\":\"week\",\"interval\":1,\"on\":[\"monday\",\"thursday\"],\"until\":\"2027-06-30\"}",
		"{\"every\":\"week\",\"interval\":2,\"on\":[\"monday\",\"tuesday\",\"wednesday\",\"thursday\","
		"\"friday\",\"saturday\",\"sunday\"]}",
		"{\"every\":\"week\",\"interval\":1}",
		"{\"every\":\"month\",\"interval\":1,\"day\":{\"weekday\":\"tuesday\",\"nth\":2}}",
		"{\"every\":\"month\",\"interval\":12,\"day\":{\"weekday\":\"sunday\",\"nth\":-1},"
		"\"until\":\"2030-01-01\"}",
		"{\"every\":\"month\",\"interval\":1}",
	};
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < sizeof canonical / sizeof canonical[0]; i++) {
		struct recurrence r, again;
		CU_ASSERT_EQUAL_FATAL(recurrence_parse(canonical[i], &r, NULL), 0);
		buf_reset(&b);
		CU_ASSERT_EQUAL(recurrence_to_json(&r, &b), 0);
		CU_ASSERT_STRING_EQUAL(b.data, canonical[i]);
		CU_ASSERT_EQUAL(recurrence_parse(b.data, &again, NULL), 0);
		CU_ASSERT_EQUAL(memcmp(&r, &again, sizeof r), 0);
	}
	/* Montrose in, api.md out (starts is the caller's business) */
	struct recurrence r;
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"month\",\"interval\":1,\"day\":{\"tuesday\":[2]},"
					 "\"starts\":\"2026-01-13\",\"until\":null}", &r, NULL), 0);
	buf_reset(&b);
	CU_ASSERT_EQUAL(recurrence_to_json(&r, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "{\"every\":\"month\",\"interval\":1,\"day\":{\"weekday\":"
				       "\"tuesday\",\"nth\":2}}");
	/* resolve makes the implicit explicit */
	CU_ASSERT_EQUAL(recurrence_parse("{\"every\":\"week\",\"interval\":3}", &r, NULL), 0);
	recurrence_resolve(&r, 2026, 1, 7);
	buf_reset(&b);
	CU_ASSERT_EQUAL(recurrence_to_json(&r, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "{\"every\":\"week\",\"interval\":3,\"on\":[\"wednesday\"]}");
	/* appends; invalid rules refused, buffer untouched */
	r.interval = 0;
	CU_ASSERT_EQUAL(recurrence_to_json(&r, &b), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(b.data, "{\"every\":\"week\",\"interval\":3,\"on\":[\"wednesday\"]}");
	r.interval = 1;
	r.weekdays = 1u << 7;
	CU_ASSERT_EQUAL(recurrence_to_json(&r, &b), RDV_EINVAL);
	buf_free(&b);
}

static void test_recurrence_rrule(void)
{
	static const struct { const char *json, *rrule; } cases[] = {
		{"{\"every\":\"week\",\"interval\":2,\"on\":[\"thursday\",\"monday\"],\"until\":\"2027-06-30\"}",
		 "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T215959Z"},
		{"{\"every\":\"week\",\"interval\":1,\"until\":\"2026-12-31\"}",
		 "FREQ=WEEKLY;INTERVAL=1;UNTIL=20261231T225959Z"},
		{"{\"every\":\"week\",\"on\":[\"saturday\",\"sunday\"]}", "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU"},
		{"{\"every\":\"month\",\"interval\":1,\"day\":{\"weekday\":\"tuesday\",\"nth\":2}}",
		 "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU"},
		{"{\"every\":\"month\",\"interval\":3,\"day\":{\"friday\":[-1]},\"until\":\"2027-03-28\"}",
		 "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR;UNTIL=20270328T215959Z"},  /* CEST from 28 March */
		{"{\"every\":\"month\",\"day\":{\"weekday\":\"thursday\",\"nth\":5}}",
		 "FREQ=MONTHLY;INTERVAL=1;BYDAY=5TH"},
		{"null", ""},
	};
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct recurrence r;
		CU_ASSERT_EQUAL_FATAL(recurrence_parse(cases[i].json, &r, NULL), 0);
		buf_reset(&b);
		buf_puts(&b, "");
		CU_ASSERT_EQUAL(recurrence_to_rrule(&r, &b), 0);
		CU_ASSERT_STRING_EQUAL(b.data, cases[i].rrule);
	}
	/* monthly "as first_day" must be resolved first */
	struct recurrence r;
	recurrence_parse("{\"every\":\"month\"}", &r, NULL);
	buf_reset(&b);
	CU_ASSERT_EQUAL(recurrence_to_rrule(&r, &b), RDV_EINVAL);
	recurrence_resolve(&r, 2026, 1, 13);
	CU_ASSERT_EQUAL(recurrence_to_rrule(&r, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU");
	buf_free(&b);
}

/* -------------------------------------------------------------- expansion */

#define H(h, m) ((h) * 60 + (m))

static void test_recurrence_weekly(void)
{
	struct series s = series_of(2026, 1, 5, H(9, 0), H(12, 0), "{\"every\":\"week\"}");
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 2, 1, 0, 0), 0, 180,
		      "2026-01-05T09:00+01 2026-01-12T09:00+01 2026-01-19T09:00+01 2026-01-26T09:00+01");
	/* a window cutting occurrences keeps those that overlap it */
	ASSERT_STARTS(&s, paris(2026, 1, 12, 11, 59), paris(2026, 1, 19, 9, 1), 0, 180,
		      "2026-01-12T09:00+01 2026-01-19T09:00+01");
	ASSERT_STARTS(&s, paris(2026, 1, 12, 12, 0), paris(2026, 1, 19, 9, 0), 0, 180, "");
	/* a window ending at 00:30 local (23:30Z the day before) holds a 00:15 start */
	struct series late = series_of(2026, 1, 5, H(0, 15), H(1, 0), "{\"every\":\"week\"}");
	ASSERT_STARTS(&late, utc_of(2026, 1, 11, 12, 0), utc_of(2026, 1, 11, 23, 30), 0, 45,
		      "2026-01-12T00:15+01");
	ASSERT_STARTS(&late, utc_of(2026, 7, 5, 12, 0), utc_of(2026, 7, 5, 22, 30), 0, 45,
		      "2026-07-06T00:15+02");
	/* nothing before first_day */
	ASSERT_STARTS(&s, paris(2025, 1, 1, 0, 0), paris(2026, 1, 6, 0, 0), 0, 180,
		      "2026-01-05T09:00+01");

	/* every 2 weeks, Monday and Thursday, from a Wednesday: weeks count from
	 * first_day's week, whose Monday is before first_day */
	s = series_of(2026, 1, 7, H(14, 0), H(17, 30),
		      "{\"every\":\"week\",\"interval\":2,\"on\":[\"monday\",\"thursday\"]}");
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 2, 6, 0, 0), 0, 210,
		      "2026-01-08T14:00+01 2026-01-19T14:00+01 2026-01-22T14:00+01 "
		      "2026-02-02T14:00+01 2026-02-05T14:00+01");

	/* until is inclusive */
	s = series_of(2026, 1, 5, H(9, 0), H(12, 0), "{\"every\":\"week\",\"until\":\"2026-01-26\"}");
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 4, 1, 0, 0), 0, 180,
		      "2026-01-05T09:00+01 2026-01-12T09:00+01 2026-01-19T09:00+01 2026-01-26T09:00+01");
	s = series_of(2026, 1, 5, H(9, 0), H(12, 0), "{\"every\":\"week\",\"until\":\"2026-01-25\"}");
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 4, 1, 0, 0), 0, 180,
		      "2026-01-05T09:00+01 2026-01-12T09:00+01 2026-01-19T09:00+01");
	/* until before first_day: nothing at all */
	s = series_of(2026, 1, 5, H(9, 0), H(12, 0), "{\"every\":\"week\",\"until\":\"2026-01-04\"}");
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 4, 1, 0, 0), 0, 180, "");
	/* one-off */
	s = series_of(2026, 1, 5, H(9, 0), H(12, 0), NULL);
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2027, 1, 1, 0, 0), 0, 180,
		      "2026-01-05T09:00+01");
	ASSERT_STARTS(&s, paris(2026, 1, 6, 0, 0), paris(2027, 1, 1, 0, 0), 0, 180, "");
	/* whole day, 00:00-24:00 */
	s = series_of(2026, 1, 5, 0, 1440, "{\"every\":\"week\",\"on\":[\"saturday\",\"sunday\"]}");
	ASSERT_STARTS(&s, paris(2026, 1, 5, 0, 0), paris(2026, 1, 12, 0, 0), 0, 1440,
		      "2026-01-10T00:00+01 2026-01-11T00:00+01");
}

static void test_recurrence_monthly(void)
{
	long long y26 = paris(2026, 1, 1, 0, 0), y27 = paris(2027, 1, 1, 0, 0);
	/* second Tuesday; 14 July 2026 is one, and a holiday */
	struct series s = series_of(2026, 1, 13, H(9, 0), H(12, 0),
		"{\"every\":\"month\",\"interval\":1,\"day\":{\"weekday\":\"tuesday\",\"nth\":2}}");
	const char *all = "2026-01-13T09:00+01 2026-02-10T09:00+01 2026-03-10T09:00+01 "
			  "2026-04-14T09:00+02 2026-05-12T09:00+02 2026-06-09T09:00+02 "
			  "2026-07-14T09:00+02 2026-08-11T09:00+02 2026-09-08T09:00+02 "
			  "2026-10-13T09:00+02 2026-11-10T09:00+01 2026-12-08T09:00+01";
	ASSERT_STARTS(&s, y26, y27, 0, 180, all);
	ASSERT_STARTS(&s, y26, y27, 1, 180,
		      "2026-01-13T09:00+01 2026-02-10T09:00+01 2026-03-10T09:00+01 "
		      "2026-04-14T09:00+02 2026-05-12T09:00+02 2026-06-09T09:00+02 "
		      "2026-08-11T09:00+02 2026-09-08T09:00+02 "
		      "2026-10-13T09:00+02 2026-11-10T09:00+01 2026-12-08T09:00+01");
	/* the same, rank and weekday taken from first_day (Montrose without "day") */
	s = series_of(2026, 1, 13, H(9, 0), H(12, 0), "{\"every\":\"month\"}");
	ASSERT_STARTS(&s, y26, y27, 0, 180, all);
	/* Montrose "day" form */
	s = series_of(2026, 1, 13, H(9, 0), H(12, 0), "{\"every\":\"month\",\"day\":{\"tuesday\":[2]}}");
	ASSERT_STARTS(&s, y26, y27, 0, 180, all);

	/* fifth Thursday: months without one are skipped */
	s = series_of(2026, 1, 29, H(9, 0), H(10, 0),
		      "{\"every\":\"month\",\"day\":{\"weekday\":\"thursday\",\"nth\":5}}");
	ASSERT_STARTS(&s, y26, y27, 0, 60,
		      "2026-01-29T09:00+01 2026-04-30T09:00+02 2026-07-30T09:00+02 "
		      "2026-10-29T09:00+01 2026-12-31T09:00+01");
	/* last Friday, every 2 months */
	s = series_of(2026, 1, 30, H(9, 0), H(10, 0),
		      "{\"every\":\"month\",\"interval\":2,\"day\":{\"weekday\":\"friday\",\"nth\":-1}}");
	ASSERT_STARTS(&s, y26, y27, 0, 60,
		      "2026-01-30T09:00+01 2026-03-27T09:00+01 2026-05-29T09:00+02 "
		      "2026-07-31T09:00+02 2026-09-25T09:00+02 2026-11-27T09:00+01");
	/* first_day after the month's nth weekday: the series starts next period */
	s = series_of(2026, 1, 20, H(9, 0), H(10, 0),
		      "{\"every\":\"month\",\"interval\":3,\"day\":{\"weekday\":\"monday\",\"nth\":1}}");
	ASSERT_STARTS(&s, y26, y27, 0, 60,
		      "2026-04-06T09:00+02 2026-07-06T09:00+02 2026-10-05T09:00+02");
	/* a month index that never has a fifth weekday (February of odd years,
	 * every 24 months): no occurrence, and no endless loop */
	s = series_of(2027, 2, 1, H(9, 0), H(10, 0),
		      "{\"every\":\"month\",\"interval\":24,\"day\":{\"weekday\":\"monday\",\"nth\":5}}");
	ASSERT_STARTS(&s, y26, paris(2200, 1, 1, 0, 0), 0, 60, "");
	CU_ASSERT_EQUAL(recurrence_next_start(&s, y26, 0), -1);
}

static void test_recurrence_dst(void)
{
	/* Sunday plage 09:00-12:00 across both 2026 changes: same wall clock */
	struct series s = series_of(2026, 3, 1, H(9, 0), H(12, 0), "{\"every\":\"week\"}");
	ASSERT_STARTS(&s, paris(2026, 3, 20, 0, 0), paris(2026, 4, 6, 0, 0), 0, 180,
		      "2026-03-22T09:00+01 2026-03-29T09:00+02 2026-04-05T09:00+02");
	ASSERT_STARTS(&s, paris(2026, 10, 17, 0, 0), paris(2026, 11, 2, 0, 0), 0, 180,
		      "2026-10-18T09:00+02 2026-10-25T09:00+01 2026-11-01T09:00+01");
	struct occurrence o[4];
	CU_ASSERT_EQUAL(recurrence_expand(&s, utc_of(2026, 3, 29, 0, 0), utc_of(2026, 3, 30, 0, 0), 0, o, 4), 1);
	CU_ASSERT_EQUAL(o[0].start, utc_of(2026, 3, 29, 7, 0));
	CU_ASSERT_EQUAL(o[0].end, utc_of(2026, 3, 29, 10, 0));
	/* a plage across the change hour is an hour shorter / longer */
	s = series_of(2026, 3, 1, H(1, 0), H(4, 0), "{\"every\":\"week\"}");
	ASSERT_STARTS(&s, paris(2026, 3, 28, 0, 0), paris(2026, 3, 30, 0, 0), 0, 180,
		      "2026-03-29T01:00+01/120");
	ASSERT_STARTS(&s, paris(2026, 10, 24, 0, 0), paris(2026, 10, 26, 0, 0), 0, 180,
		      "2026-10-25T01:00+02/240");
	/* starting in the spring gap: moved one hour on (02:30 -> 03:30 CEST) */
	s = series_of(2026, 3, 1, H(2, 30), H(5, 0), "{\"every\":\"week\"}");
	ASSERT_STARTS(&s, paris(2026, 3, 28, 0, 0), paris(2026, 3, 30, 0, 0), 0, 150,
		      "2026-03-29T03:30+02/90");
	/* inside the gap: both ends move one hour on, 02:15-02:45 -> 03:15-03:45 */
	s = series_of(2026, 3, 1, H(2, 15), H(2, 45), "{\"every\":\"week\"}");
	ASSERT_STARTS(&s, paris(2026, 3, 21, 0, 0), paris(2026, 4, 6, 0, 0), 0, 30,
		      "2026-03-22T02:15+01 2026-03-29T03:15+02 2026-04-05T02:15+02");
	/* ending at 03:00 (= 02:00 that day): nothing is left of that occurrence */
	struct series gone = series_of(2026, 3, 1, H(2, 30), H(3, 0), "{\"every\":\"week\"}");
	ASSERT_STARTS(&gone, paris(2026, 3, 21, 0, 0), paris(2026, 4, 6, 0, 0), 0, 30,
		      "2026-03-22T02:30+01 2026-04-05T02:30+02");
	CU_ASSERT_EQUAL(recurrence_next_start(&gone, paris(2026, 3, 23, 0, 0), 0), paris(2026, 4, 5, 2, 30));
	/* in the autumn overlap: the first (CEST) reading */
	ASSERT_STARTS(&s, paris(2026, 10, 24, 0, 0), paris(2026, 10, 26, 0, 0), 0, 30,
		      "2026-10-25T02:15+02");
	/* monthly across 2027's changes */
	s = series_of(2027, 1, 31, H(10, 0), H(11, 0),
		      "{\"every\":\"month\",\"day\":{\"weekday\":\"sunday\",\"nth\":-1}}");
	ASSERT_STARTS(&s, paris(2027, 3, 1, 0, 0), paris(2027, 11, 1, 0, 0), 0, 60,
		      "2027-03-28T10:00+02 2027-04-25T10:00+02 2027-05-30T10:00+02 "
		      "2027-06-27T10:00+02 2027-07-25T10:00+02 2027-08-29T10:00+02 "
		      "2027-09-26T10:00+02 2027-10-31T10:00+01");
}

static void test_recurrence_holidays_exceptions(void)
{
	/* Mondays of April-May 2026: Easter Monday 6 April, Whit Monday 25 May */
	struct series s = series_of(2026, 3, 30, H(9, 0), H(12, 0), "{\"every\":\"week\"}");
	long long ws = paris(2026, 4, 1, 0, 0), we = paris(2026, 6, 1, 0, 0);
	ASSERT_STARTS(&s, ws, we, 1, 180,
		      "2026-04-13T09:00+02 2026-04-20T09:00+02 2026-04-27T09:00+02 "
		      "2026-05-04T09:00+02 2026-05-11T09:00+02 2026-05-18T09:00+02");
	ASSERT_STARTS(&s, ws, we, 0, 180,
		      "2026-04-06T09:00+02 2026-04-13T09:00+02 2026-04-20T09:00+02 "
		      "2026-04-27T09:00+02 2026-05-04T09:00+02 2026-05-11T09:00+02 "
		      "2026-05-18T09:00+02 2026-05-25T09:00+02");
	/* exceptions: 13 April deleted, 18 May deleted, a non-occurrence day ignored */
	int skip[3] = {(int)tz_days_from_civil(2026, 4, 13), (int)tz_days_from_civil(2026, 4, 15),
		       (int)tz_days_from_civil(2026, 5, 18)};
	s.skip_days = skip;
	s.n_skip = 3;
	ASSERT_STARTS(&s, ws, we, 1, 180,
		      "2026-04-20T09:00+02 2026-04-27T09:00+02 2026-05-04T09:00+02 "
		      "2026-05-11T09:00+02");
	/* a non-holiday series on 1 January: skipped only when asked */
	s = series_of(2026, 1, 1, H(9, 0), H(12, 0), NULL);
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 1, 2, 0, 0), 1, 180, "");
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 1, 2, 0, 0), 0, 180,
		      "2026-01-01T09:00+01");
}

static void test_recurrence_absences(void)
{
	/* Friday 27 March 14:00 -> Monday 30 March 10:00, across the spring change */
	struct series s = series_of(2026, 3, 27, H(14, 0), H(10, 0), NULL);
	s.end_day_offset = 3;
	struct occurrence o[2];
	CU_ASSERT_EQUAL(recurrence_expand(&s, paris(2026, 3, 30, 0, 0), paris(2026, 3, 31, 0, 0), 0, o, 2), 1);
	CU_ASSERT_EQUAL(o[0].start, utc_of(2026, 3, 27, 13, 0));
	CU_ASSERT_EQUAL(o[0].end, utc_of(2026, 3, 30, 8, 0));
	CU_ASSERT_EQUAL(recurrence_expand(&s, paris(2026, 3, 28, 0, 0), paris(2026, 3, 29, 0, 0), 0, o, 2), 1);
	CU_ASSERT_EQUAL(recurrence_expand(&s, paris(2026, 3, 30, 10, 0), paris(2026, 4, 30, 0, 0), 0, o, 2), 0);
	CU_ASSERT_EQUAL(recurrence_expand(&s, paris(2026, 3, 1, 0, 0), paris(2026, 3, 27, 14, 0), 0, o, 2), 0);
	CU_ASSERT_EQUAL(recurrence_expand(&s, paris(2026, 3, 1, 0, 0), paris(2026, 3, 27, 14, 1), 0, o, 2), 1);
	/* end_time before start_time is fine on a later day */
	s = series_of(2026, 12, 24, H(18, 0), H(8, 0), NULL);
	s.end_day_offset = 1;
	ASSERT_STARTS(&s, paris(2026, 12, 1, 0, 0), paris(2027, 1, 1, 0, 0), 0, 14 * 60,
		      "2026-12-24T18:00+01");
	/* absences do not skip holidays (callers pass 0): a Christmas absence exists */
	s = series_of(2026, 12, 25, 0, 1440, NULL);
	ASSERT_STARTS(&s, paris(2026, 12, 1, 0, 0), paris(2027, 1, 1, 0, 0), 0, 1440,
		      "2026-12-25T00:00+01");
	/* a weekly recurring absence (same day) works like a plage */
	s = series_of(2026, 1, 2, H(13, 0), H(18, 0), "{\"every\":\"week\",\"until\":\"2026-01-16\"}");
	ASSERT_STARTS(&s, paris(2026, 1, 1, 0, 0), paris(2026, 2, 1, 0, 0), 0, 300,
		      "2026-01-02T13:00+01 2026-01-09T13:00+01 2026-01-16T13:00+01");
}

static void test_recurrence_capacity_and_errors(void)
{
	struct series s = series_of(2026, 1, 5, H(9, 0), H(12, 0),
				    "{\"every\":\"week\",\"on\":[\"monday\",\"tuesday\",\"friday\"]}");
	long long ws = paris(2026, 1, 1, 0, 0), we = paris(2026, 2, 1, 0, 0);
	struct occurrence all[32], two[3] = {{0, 0}, {0, 0}, {-7, -7}};
	CU_ASSERT_EQUAL(recurrence_expand(&s, ws, we, 0, all, 32), 12);
	CU_ASSERT_EQUAL(recurrence_expand(&s, ws, we, 0, two, 2), 12);
	CU_ASSERT(two[0].start == all[0].start && two[1].start == all[1].start && two[2].start == -7);
	CU_ASSERT_EQUAL(recurrence_expand(&s, ws, we, 0, NULL, 0), 12);
	for (int i = 1; i < 12; i++)
		CU_ASSERT(all[i].start > all[i - 1].start);
	CU_ASSERT_EQUAL(recurrence_expand(&s, we, ws, 0, all, 32), 0);  /* empty window */
	CU_ASSERT_EQUAL(recurrence_expand(&s, ws, ws, 0, all, 32), 0);
	/* a window of "everything" is clamped, not overflowed */
	struct series once = series_of(2026, 1, 5, H(9, 0), H(12, 0), NULL);
	CU_ASSERT_EQUAL(recurrence_expand(&once, -(1LL << 62), 1LL << 62, 0, all, 32), 1);
	s.rule.has_until = 1;
	s.rule.until_y = 2026;
	s.rule.until_m = 12;
	s.rule.until_d = 31;
	/* Mondays and Tuesdays from 5 January, Fridays but 2 January */
	CU_ASSERT_EQUAL(recurrence_expand(&s, -(1LL << 62), 1LL << 62, 0, NULL, 0), 52 + 52 + 51);

	struct series bad = s;
	bad.end_min = bad.start_min;
	CU_ASSERT_EQUAL(recurrence_expand(&bad, ws, we, 0, all, 32), RDV_EINVAL);
	bad = s;
	bad.start_min = 1440;
	bad.end_min = 1440;
	CU_ASSERT_EQUAL(recurrence_expand(&bad, ws, we, 0, all, 32), RDV_EINVAL);
	bad = s;
	bad.first_d = 32;
	CU_ASSERT_EQUAL(recurrence_expand(&bad, ws, we, 0, all, 32), RDV_EINVAL);
	bad = s;
	bad.rule.interval = 0;
	CU_ASSERT_EQUAL(recurrence_expand(&bad, ws, we, 0, all, 32), RDV_EINVAL);
	bad = s;
	bad.rule.until_m = 2;
	bad.rule.until_d = 30;
	CU_ASSERT_EQUAL(recurrence_expand(&bad, ws, we, 0, all, 32), RDV_EINVAL);
	bad = s;
	bad.n_skip = 2;
	CU_ASSERT_EQUAL(recurrence_expand(&bad, ws, we, 0, all, 32), RDV_EINVAL);
	bad = s;
	bad.end_day_offset = -1;
	CU_ASSERT_EQUAL(recurrence_expand(&bad, ws, we, 0, all, 32), RDV_EINVAL);
	CU_ASSERT_EQUAL(recurrence_next_start(&bad, ws, 0), -1);
}

static void test_recurrence_next_start(void)
{
	struct series s = series_of(2026, 1, 5, H(9, 0), H(12, 0), "{\"every\":\"week\",\"until\":\"2026-03-30\"}");
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2020, 1, 1, 0, 0), 0), paris(2026, 1, 5, 9, 0));
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 1, 5, 9, 0), 0), paris(2026, 1, 5, 9, 0));
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 1, 5, 9, 1), 0), paris(2026, 1, 12, 9, 0));
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 3, 24, 0, 0), 0), paris(2026, 3, 30, 9, 0));
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 3, 30, 9, 0) + 1, 0), -1);
	/* holidays: Easter Monday 6 April 2026 */
	s = series_of(2026, 3, 30, H(9, 0), H(12, 0), "{\"every\":\"week\"}");
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 4, 1, 0, 0), 0), paris(2026, 4, 6, 9, 0));
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 4, 1, 0, 0), 1), paris(2026, 4, 13, 9, 0));
	/* one-off */
	s = series_of(2026, 1, 5, H(9, 0), H(12, 0), "null");
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 1, 1, 0, 0), 0), paris(2026, 1, 5, 9, 0));
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 1, 5, 10, 0), 0), -1);
	/* a late-evening plage: t's local day, not its UTC day, matters */
	s = series_of(2026, 7, 1, H(23, 30), H(24, 0), "{\"every\":\"week\",\"on\":[\"wednesday\"]}");
	CU_ASSERT_EQUAL(recurrence_next_start(&s, utc_of(2026, 7, 1, 21, 0), 0), paris(2026, 7, 1, 23, 30));
	/* a monthly rule years after first_day: third Wednesday of January */
	s = series_of(2020, 1, 15, H(9, 0), H(12, 0), "{\"every\":\"month\",\"interval\":12}");
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2026, 1, 1, 0, 0), 0), paris(2026, 1, 21, 9, 0));
	/* "as first_day" on 29 February 2020, a Saturday: the fifth Saturday of
	 * February, which only 2048 has next (Montrose's reading, not "the 29th") */
	s = series_of(2020, 2, 29, H(9, 0), H(12, 0), "{\"every\":\"month\",\"interval\":12}");
	CU_ASSERT_EQUAL(recurrence_next_start(&s, paris(2020, 3, 1, 0, 0), 0), paris(2048, 2, 29, 9, 0));
}

/* Expanding a centuries-old rule into one week must not walk its history. */
static void test_recurrence_old_series_fast(void)
{
	struct series w = series_of(1600, 1, 3, H(9, 0), H(12, 0),
				    "{\"every\":\"week\",\"interval\":3,\"on\":[\"monday\",\"friday\"]}");
	struct series m = series_of(1600, 1, 3, H(9, 0), H(12, 0),
				    "{\"every\":\"month\",\"day\":{\"weekday\":\"friday\",\"nth\":5}}");
	clock_t c0 = clock();
	long long total = 0;
	struct occurrence o[16];
	for (int i = 0; i < 20000; i++) {
		long long ws = paris(2026, 1, 1, 0, 0) + (long long)i * 86400;
		total += recurrence_expand(&w, ws, ws + 7 * 86400, 1, o, 16);
		total += recurrence_expand(&m, ws, ws + 7 * 86400, 1, o, 16);
	}
	double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	CU_ASSERT(total > 0);
	/* walking from 1600 would be ~22,000 weeks per call: minutes, not this */
	CU_ASSERT(secs < 3.0);
}

/* ---------------------------------------------------- naive reference */

/* Does the rule of s have an occurrence on local day `day`? Day by day, from
 * the definitions, sharing nothing with the library but tz's calendar. */
static int naive_matches(const struct series *s, long long day)
{
	long long first = tz_days_from_civil(s->first_y, s->first_m, s->first_d);
	const struct recurrence *r = &s->rule;
	if (day < first)
		return 0;
	if (r->every == REC_NONE)
		return day == first;
	if (r->has_until && day > tz_days_from_civil(r->until_y, r->until_m, r->until_d))
		return 0;
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	int wd = tz_weekday(y, m, d), fwd = tz_weekday(s->first_y, s->first_m, s->first_d);
	if (r->every == REC_WEEK) {
		unsigned mask = r->weekdays ? r->weekdays : 1u << fwd;
		long long weeks = ((day - wd) - (first - fwd)) / 7;
		return weeks % r->interval == 0 && (mask & (1u << wd));
	}
	int months = (y * 12 + m) - (s->first_y * 12 + s->first_m);
	if (months % r->interval != 0)
		return 0;
	int want_wd = r->nth ? r->month_weekday : fwd;
	int nth = r->nth ? r->nth : (s->first_d - 1) / 7 + 1;
	if (wd != want_wd)
		return 0;
	if (nth == -1)
		return d + 7 > tz_days_in_month(y, m);
	int rank = 0;
	for (int i = 1; i <= d; i++)
		rank += tz_weekday(y, m, i) == wd;
	return rank == nth;
}

static int naive_skipped(const struct series *s, long long day, int hol)
{
	for (size_t i = 0; i < s->n_skip; i++)
		if (s->skip_days[i] == day)
			return 1;
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	return hol && holidays_is_holiday(y, m, d);
}

static int naive_occurrence(const struct series *s, long long day, struct occurrence *o)
{
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	struct local_dt a = {y, m, d, 0, s->start_min, 0};
	struct local_dt b = {y, m, d + s->end_day_offset, 0, s->end_min, 0};
	o->start = tz_local_to_utc(&a);
	o->end = tz_local_to_utc(&b);
	return o->end > o->start;
}

static long long naive_expand(const struct series *s, long long ws, long long we, int hol,
			      struct occurrence *out, size_t max)
{
	long long n = 0;
	long long lo = ws / 86400 - s->end_day_offset - 3, hi = we / 86400 + 3;
	for (long long day = lo; day <= hi; day++) {
		struct occurrence o;
		if (!naive_matches(s, day) || naive_skipped(s, day, hol) || !naive_occurrence(s, day, &o))
			continue;
		if (o.start >= we || o.end <= ws)
			continue;
		if ((size_t)n < max)
			out[n] = o;
		n++;
	}
	return n;
}

static long long naive_next_start(const struct series *s, long long t, int hol)
{
	long long first = tz_days_from_civil(s->first_y, s->first_m, s->first_d);
	long long day = t / 86400 - 1;
	if (day < first)
		day = first;
	long long last = day + 40000;
	if (s->rule.every == REC_NONE)
		last = first;
	for (; day <= last; day++) {
		struct occurrence o;
		if (naive_matches(s, day) && !naive_skipped(s, day, hol) && naive_occurrence(s, day, &o)
		    && o.start >= t)
			return o.start;
	}
	return -1;
}

static int rnd(unsigned *seed, int n)
{
	return (int)(rand_r(seed) % (unsigned)n);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* A random series around 2015-2032, biased toward the edge cases: small
 * intervals, times in the DST hours, fifth and last weekdays, until near
 * first_day, exceptions inside the window. */
static void random_series(unsigned *seed, struct series *s, int skip[8], long long *ws, long long *we)
{
	memset(s, 0, sizeof *s);
	long long first = tz_days_from_civil(2015, 1, 1) + rnd(seed, 18 * 365);
	tz_civil_from_days(first, &s->first_y, &s->first_m, &s->first_d);
	struct recurrence *r = &s->rule;
	int kind = rnd(seed, 10);
	r->every = kind < 2 ? REC_NONE : kind < 7 ? REC_WEEK : REC_MONTH;
	r->interval = rnd(seed, 3) ? 1 + rnd(seed, 4) : 1 + rnd(seed, REC_INTERVAL_MAX);
	if (r->every == REC_WEEK)
		r->weekdays = rnd(seed, 5) ? (unsigned)rnd(seed, 128) : 0;
	if (r->every == REC_MONTH) {
		r->nth = rnd(seed, 7) - 1;
		r->month_weekday = rnd(seed, 7);
	}
	if (r->every != REC_NONE && rnd(seed, 2)) {
		r->has_until = 1;
		tz_civil_from_days(first - 30 + rnd(seed, 3000), &r->until_y, &r->until_m, &r->until_d);
	}
	int when = rnd(seed, 6);
	s->start_min = when == 0 ? 100 + rnd(seed, 100) : when == 1 ? rnd(seed, 150) : rnd(seed, 1440);
	if (r->every == REC_NONE && rnd(seed, 3) == 0) {
		s->end_day_offset = 1 + rnd(seed, 10);
		s->end_min = rnd(seed, 1441);
	} else {
		s->end_min = s->start_min + 1 + rnd(seed, 1440 - s->start_min);
	}
	/* window: before, across or long after first_day (near it for one-offs,
	 * so multi-day absences get cut); its ends often close to local
	 * midnight, where day arithmetic goes wrong first */
	long long wday = r->every == REC_NONE ? first - 3 + rnd(seed, 15)
					      : first - 60 + rnd(seed, 7 * 365);
	int len = rnd(seed, 50) == 0 ? 3 * 365 : rnd(seed, 4) == 0 ? 2 : 1 + rnd(seed, 120);
	*ws = wday * 86400 + (rnd(seed, 3) ? rnd(seed, 86400) : rnd(seed, 4 * 3600) - 3 * 3600);
	*we = (wday + len) * 86400 + (rnd(seed, 3) ? rnd(seed, 86400) : rnd(seed, 4 * 3600) - 3 * 3600);
	if (*we <= *ws)
		*we = *ws + 3600;
	s->n_skip = (size_t)rnd(seed, 6);
	for (size_t i = 0; i < s->n_skip; i++)
		skip[i] = (int)(wday + rnd(seed, len + 10) - 5);
	qsort(skip, s->n_skip, sizeof skip[0], cmp_int);
	s->skip_days = skip;
}

static void test_recurrence_random_vs_naive(void)
{
	unsigned seed = 20260329;
	static struct occurrence got[1200], want[1200];
	int bad = 0, nonempty = 0, next_checked = 0;
	for (int i = 0; i < 6000; i++) {
		struct series s;
		int skip[8];
		long long ws, we;
		random_series(&seed, &s, skip, &ws, &we);
		int hol = rnd(&seed, 2);
		size_t max = rnd(&seed, 4) ? 1200 : (size_t)rnd(&seed, 4);
		long long n = recurrence_expand(&s, ws, we, hol, got, max);
		long long nn = naive_expand(&s, ws, we, hol, want, 1200);
		int miss = n != nn;
		for (long long k = 0; !miss && k < nn && (size_t)k < max; k++)
			miss = got[k].start != want[k].start || got[k].end != want[k].end;
		nonempty += nn > 0;
		if (i % 4 == 0) {
			long long t = ws;
			long long a = recurrence_next_start(&s, t, hol), b = naive_next_start(&s, t, hol);
			miss |= a != b;
			next_checked++;
		}
		if (miss && bad < 5) {
			struct buf b = BUF_INIT;
			recurrence_to_json(&s.rule, &b);
			fprintf(stderr, "\ncase %d: first %04d-%02d-%02d %d-%d+%dd rule %s hol %d skip %zu "
				"window %lld..%lld: got %lld want %lld\n", i, s.first_y, s.first_m,
				s.first_d, s.start_min, s.end_min, s.end_day_offset, b.data, hol,
				s.n_skip, ws, we, n, nn);
			buf_free(&b);
		}
		bad += miss;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(nonempty > 2000);   /* the generator does exercise the engine */
	CU_ASSERT(next_checked > 1000);
}

void register_recurrence_suite(void)
{
	CU_pSuite s = CU_add_suite("recurrence", NULL, NULL);
	CU_add_test(s, "parse: api.md and Montrose forms", test_recurrence_parse_valid);
	CU_add_test(s, "parse: errors in French", test_recurrence_parse_errors);
	CU_add_test(s, "to_json round trip", test_recurrence_to_json);
	CU_add_test(s, "RRULE", test_recurrence_rrule);
	CU_add_test(s, "weekly, every N weeks, until", test_recurrence_weekly);
	CU_add_test(s, "monthly nth weekday, fifth, last", test_recurrence_monthly);
	CU_add_test(s, "DST keeps wall-clock times", test_recurrence_dst);
	CU_add_test(s, "holidays and exceptions skipped", test_recurrence_holidays_exceptions);
	CU_add_test(s, "absences spanning days", test_recurrence_absences);
	CU_add_test(s, "capacity, clamping, invalid series", test_recurrence_capacity_and_errors);
	CU_add_test(s, "next_start", test_recurrence_next_start);
	CU_add_test(s, "old series cost O(window)", test_recurrence_old_series_fast);
	CU_add_test(s, "random rules vs naive reference", test_recurrence_random_vs_naive);
}
