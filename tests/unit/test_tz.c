/* test_tz.c - Europe/Paris <-> UTC: calendar arithmetic against timegm, DST
 * change instants, the spring gap and the autumn overlap, an hourly sweep
 * against the system's tzdata, French formatting. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tz.h"

/* UTC instant of a UTC civil time, for readable expectations. */
static long long utc_of(int y, int mo, int d, int h, int mi)
{
	return tz_days_from_civil(y, mo, d) * 86400 + h * 3600LL + mi * 60LL;
}

static long long paris(int y, int mo, int d, int h, int mi)
{
	struct local_dt lt = {y, mo, d, h, mi, 0};
	return tz_local_to_utc(&lt);
}

static void test_tz_days_known(void)
{
	CU_ASSERT_EQUAL(tz_days_from_civil(1970, 1, 1), 0);
	CU_ASSERT_EQUAL(tz_days_from_civil(1969, 12, 31), -1);
	CU_ASSERT_EQUAL(tz_days_from_civil(2000, 3, 1), 11017);
	CU_ASSERT_EQUAL(tz_days_from_civil(1, 1, 1), -719162);
	CU_ASSERT_EQUAL(tz_days_from_civil(10000, 1, 1), 2932897);
	CU_ASSERT_EQUAL(tz_days_from_civil(0, 3, 1), -719468);
	/* lenient months: month 13 is next January, month 0 last December */
	CU_ASSERT_EQUAL(tz_days_from_civil(2026, 13, 1), tz_days_from_civil(2027, 1, 1));
	CU_ASSERT_EQUAL(tz_days_from_civil(2026, 0, 31), tz_days_from_civil(2025, 12, 31));
	CU_ASSERT_EQUAL(tz_days_from_civil(2026, 2, 29), tz_days_from_civil(2026, 3, 1));
	CU_ASSERT_EQUAL(tz_weekday(2026, 12, 7), 0);  /* lundi 7 décembre 2026 */
	CU_ASSERT_EQUAL(tz_weekday(1970, 1, 1), 3);
	CU_ASSERT_EQUAL(tz_weekday(2000, 1, 1), 5);
	CU_ASSERT_EQUAL(tz_weekday(1969, 12, 28), 6);
	CU_ASSERT_EQUAL(tz_weekday_of_days(-1), 2);
	CU_ASSERT_EQUAL(tz_days_in_month(2024, 2), 29);
	CU_ASSERT_EQUAL(tz_days_in_month(2100, 2), 28);
	CU_ASSERT_EQUAL(tz_days_in_month(2000, 2), 29);
	CU_ASSERT_EQUAL(tz_days_in_month(2026, 13), 0);
	CU_ASSERT(tz_is_valid_date(2024, 2, 29));
	CU_ASSERT(!tz_is_valid_date(2026, 2, 29));
	CU_ASSERT(!tz_is_valid_date(2026, 4, 31));
	CU_ASSERT(!tz_is_valid_date(2026, 0, 1));
	CU_ASSERT(!tz_is_valid_date(2026, 1, 0));
}

/* Every day of 1900..2100: round trip, succession of dates, weekday steps,
 * and agreement with glibc's timegm. */
static void test_tz_days_round_trip(void)
{
	long long lo = tz_days_from_civil(1900, 1, 1), hi = tz_days_from_civil(2100, 12, 31);
	int py, pm, pd;
	tz_civil_from_days(lo - 1, &py, &pm, &pd);
	CU_ASSERT(py == 1899 && pm == 12 && pd == 31);
	int bad = 0;
	for (long long days = lo; days <= hi; days++) {
		int y, m, d;
		tz_civil_from_days(days, &y, &m, &d);
		bad += tz_days_from_civil(y, m, d) != days;
		bad += !tz_is_valid_date(y, m, d);
		/* the next date of (py, pm, pd) */
		int ny = py, nm = pm, nd = pd + 1;
		if (nd > tz_days_in_month(py, pm)) {
			nd = 1;
			if (++nm > 12) {
				nm = 1;
				ny++;
			}
		}
		bad += y != ny || m != nm || d != nd;
		bad += tz_weekday(y, m, d) != (tz_weekday(py, pm, pd) + 1) % 7;
		struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
		bad += (long long)timegm(&tm) != days * 86400 + 12 * 3600;
		bad += tm.tm_wday != (tz_weekday(y, m, d) + 1) % 7;
		py = y;
		pm = m;
		pd = d;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Far and negative days: round trip and timegm on random dates. */
static void test_tz_days_random(void)
{
	unsigned seed = 12345;
	int bad = 0;
	for (int i = 0; i < 200000; i++) {
		long long days = (long long)(rand_r(&seed) % 8000000) - 4000000; /* about ±11,000 years */
		int y, m, d;
		tz_civil_from_days(days, &y, &m, &d);
		bad += tz_days_from_civil(y, m, d) != days || !tz_is_valid_date(y, m, d);
		if (y >= -2000 && y <= 9999) {
			struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
			bad += (long long)timegm(&tm) != days * 86400;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_tz_dst_instants(void)
{
	/* 2026: 29 March and 25 October, 01:00 UTC */
	long long spring = utc_of(2026, 3, 29, 1, 0), autumn = utc_of(2026, 10, 25, 1, 0);
	CU_ASSERT_EQUAL(tz_offset_at_utc(spring - 1), TZ_CET);
	CU_ASSERT_EQUAL(tz_offset_at_utc(spring), TZ_CEST);
	CU_ASSERT_EQUAL(tz_offset_at_utc(autumn - 1), TZ_CEST);
	CU_ASSERT_EQUAL(tz_offset_at_utc(autumn), TZ_CET);
	/* 2027: 28 March and 31 October */
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(2027, 3, 28, 0, 59)), TZ_CET);
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(2027, 3, 28, 1, 0)), TZ_CEST);
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(2027, 10, 31, 0, 59)), TZ_CEST);
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(2027, 10, 31, 1, 0)), TZ_CET);
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(2027, 1, 15, 12, 0)), TZ_CET);
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(2027, 7, 15, 12, 0)), TZ_CEST);
	/* 1995: summer time still ended in September */
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(1995, 9, 24, 0, 59)), TZ_CEST);
	CU_ASSERT_EQUAL(tz_offset_at_utc(utc_of(1995, 9, 24, 1, 0)), TZ_CET);
	/* local clock around the changes */
	struct local_dt lt;
	tz_utc_to_local(spring - 1, &lt);
	CU_ASSERT(lt.day == 29 && lt.hour == 1 && lt.minute == 59 && lt.second == 59);
	tz_utc_to_local(spring, &lt);
	CU_ASSERT(lt.day == 29 && lt.hour == 3 && lt.minute == 0);
	tz_utc_to_local(autumn - 60, &lt);
	CU_ASSERT(lt.hour == 2 && lt.minute == 59);
	tz_utc_to_local(autumn, &lt);
	CU_ASSERT(lt.hour == 2 && lt.minute == 0);
	tz_utc_to_local(utc_of(2026, 12, 31, 23, 30), &lt);
	CU_ASSERT(lt.year == 2027 && lt.month == 1 && lt.day == 1 && lt.hour == 0 && lt.minute == 30);
	tz_utc_to_local(-1, &lt);
	CU_ASSERT(lt.year == 1970 && lt.month == 1 && lt.day == 1 && lt.hour == 0 && lt.minute == 59
		  && lt.second == 59);
}

static void test_tz_gap_and_overlap(void)
{
	/* spring gap, 2026-03-29: 02:00-02:59 does not exist, moved one hour on */
	CU_ASSERT_EQUAL(paris(2026, 3, 29, 1, 59), utc_of(2026, 3, 29, 0, 59));
	CU_ASSERT_EQUAL(paris(2026, 3, 29, 2, 0), utc_of(2026, 3, 29, 1, 0));
	CU_ASSERT_EQUAL(paris(2026, 3, 29, 2, 30), utc_of(2026, 3, 29, 1, 30));  /* = 03:30 CEST */
	CU_ASSERT_EQUAL(paris(2026, 3, 29, 3, 0), utc_of(2026, 3, 29, 1, 0));
	CU_ASSERT_EQUAL(paris(2026, 3, 29, 3, 30), utc_of(2026, 3, 29, 1, 30));
	struct local_dt lt;
	tz_utc_to_local(paris(2026, 3, 29, 2, 30), &lt);
	CU_ASSERT(lt.hour == 3 && lt.minute == 30);
	/* autumn overlap, 2026-10-25: 02:00-02:59 twice, the first (CEST) taken */
	CU_ASSERT_EQUAL(paris(2026, 10, 25, 1, 59), utc_of(2026, 10, 24, 23, 59));
	CU_ASSERT_EQUAL(paris(2026, 10, 25, 2, 0), utc_of(2026, 10, 25, 0, 0));
	CU_ASSERT_EQUAL(paris(2026, 10, 25, 2, 30), utc_of(2026, 10, 25, 0, 30));
	CU_ASSERT_EQUAL(paris(2026, 10, 25, 2, 59), utc_of(2026, 10, 25, 0, 59));
	CU_ASSERT_EQUAL(paris(2026, 10, 25, 3, 0), utc_of(2026, 10, 25, 2, 0));
	/* both UTC instants read 02:30 locally */
	tz_utc_to_local(utc_of(2026, 10, 25, 0, 30), &lt);
	CU_ASSERT(lt.hour == 2 && lt.minute == 30);
	tz_utc_to_local(utc_of(2026, 10, 25, 1, 30), &lt);
	CU_ASSERT(lt.hour == 2 && lt.minute == 30);
	/* 2027 */
	CU_ASSERT_EQUAL(paris(2027, 3, 28, 2, 30), utc_of(2027, 3, 28, 1, 30));
	CU_ASSERT_EQUAL(paris(2027, 10, 31, 2, 30), utc_of(2027, 10, 31, 0, 30));
	/* lenient fields: 24:00 is next midnight, minute 90 carries */
	struct local_dt odd = {2026, 12, 31, 24, 0, 0};
	CU_ASSERT_EQUAL(tz_local_to_utc(&odd), paris(2027, 1, 1, 0, 0));
	struct local_dt carry = {2026, 7, 1, 9, 90, 0};
	CU_ASSERT_EQUAL(tz_local_to_utc(&carry), paris(2026, 7, 1, 10, 30));
	/* midnight */
	CU_ASSERT_EQUAL(tz_local_midnight(2026, 3, 29), utc_of(2026, 3, 28, 23, 0));
	CU_ASSERT_EQUAL(tz_local_midnight(2026, 3, 30), utc_of(2026, 3, 29, 22, 0));
	CU_ASSERT_EQUAL(tz_local_midnight(2026, 10, 26) - tz_local_midnight(2026, 10, 25), 25 * 3600);
	CU_ASSERT_EQUAL(tz_local_midnight(2026, 3, 30) - tz_local_midnight(2026, 3, 29), 23 * 3600);
	CU_ASSERT_EQUAL(tz_utc_to_local_days(utc_of(2026, 6, 30, 22, 0)),
			tz_days_from_civil(2026, 7, 1));
	CU_ASSERT_EQUAL(tz_utc_to_local_days(utc_of(2026, 6, 30, 21, 59)),
			tz_days_from_civil(2026, 6, 30));
}

/* UTC -> local -> UTC is the identity except for the second pass of the
 * autumn hour, which maps back to its first (CEST) reading. */
static void test_tz_round_trip_2026(void)
{
	long long autumn = utc_of(2026, 10, 25, 1, 0);
	int bad = 0;
	for (long long t = utc_of(2025, 12, 31, 0, 0); t < utc_of(2028, 1, 2, 0, 0); t += 900) {
		struct local_dt lt;
		tz_utc_to_local(t, &lt);
		long long back = tz_local_to_utc(&lt);
		int second_pass = (t >= autumn && t < autumn + 3600)
				  || (t >= utc_of(2027, 10, 31, 1, 0) && t < utc_of(2027, 10, 31, 2, 0));
		bad += back != (second_pass ? t - 3600 : t);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* Hourly sweep over 1981..2037 against the system's zoneinfo, when present
 * (single-threaded test: setenv is fine here, not in the library). */
static void test_tz_against_zoneinfo(void)
{
	if (access("/usr/share/zoneinfo/Europe/Paris", R_OK) != 0)
		return;
	char *saved = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	int bad = 0;
	for (long long t = utc_of(1981, 1, 1, 0, 30); t < utc_of(2038, 1, 1, 0, 0); t += 3600) {
		time_t tt = (time_t)t;
		struct tm tm;
		localtime_r(&tt, &tm);
		struct local_dt lt;
		tz_utc_to_local(t, &lt);
		int miss = tm.tm_gmtoff != tz_offset_at_utc(t) || tm.tm_hour != lt.hour
			   || tm.tm_mday != lt.day || tm.tm_mon + 1 != lt.month;
		if (miss && !bad)
			fprintf(stderr, "zoneinfo mismatch at %lld\n", t);
		bad += miss;
	}
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_tz_format_iso(void)
{
	char out[32];
	tz_format_iso(paris(2026, 12, 7, 14, 30), out);
	CU_ASSERT_STRING_EQUAL(out, "2026-12-07T14:30:00+01:00");
	tz_format_iso(paris(2027, 6, 7, 14, 30), out);
	CU_ASSERT_STRING_EQUAL(out, "2027-06-07T14:30:00+02:00");
	tz_format_iso(utc_of(2026, 10, 25, 1, 30) + 5, out);
	CU_ASSERT_STRING_EQUAL(out, "2026-10-25T02:30:05+01:00");
	tz_format_iso(utc_of(2026, 10, 25, 0, 30), out);
	CU_ASSERT_STRING_EQUAL(out, "2026-10-25T02:30:00+02:00");
	tz_format_iso(0, out);
	CU_ASSERT_STRING_EQUAL(out, "1970-01-01T01:00:00+01:00");
}

/* tz_format_iso_day gives tz_format_iso's bytes for every instant, in
 * order and out of order, across both clock changes and years. */
static void test_tz_format_iso_day(void)
{
	struct tz_iso_day day = {0};
	char want[32], got[32];
	int bad = 0;
	long long t0 = utc_of(2025, 12, 30, 0, 0), t1 = utc_of(2028, 1, 2, 0, 0);
	for (long long t = t0; t < t1; t += 433) {   /* 7 min 13 s: every second of the minute in turn */
		tz_format_iso(t, want);
		tz_format_iso_day(&day, t, got);
		bad += strcmp(want, got) != 0;
		long long back = t - 86400 * 3 + 1;   /* another day, then this day again */
		tz_format_iso(back, want);
		tz_format_iso_day(&day, back, got);
		bad += strcmp(want, got) != 0;
	}
	long long odd[] = {utc_of(2026, 3, 29, 0, 59) + 59, utc_of(2026, 3, 29, 1, 0), utc_of(2026, 10, 25, 0, 59) + 59,
			   utc_of(2026, 10, 25, 1, 0), utc_of(2026, 10, 24, 22, 0), utc_of(2026, 10, 25, 22, 59) + 59, 0};
	for (size_t i = 0; i < sizeof(odd) / sizeof(*odd); i++) {
		tz_format_iso(odd[i], want);
		tz_format_iso_day(&day, odd[i], got);
		bad += strcmp(want, got) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	tz_format_iso_day(&day, paris(2026, 11, 24, 9, 0), got);
	tz_format_iso_day(&day, paris(2026, 11, 24, 9, 30), got);
	CU_ASSERT_STRING_EQUAL(got, "2026-11-24T09:30:00+01:00");
}

static void test_tz_format_fr(void)
{
	static const char *const months[12] = {
		"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
		"septembre", "octobre", "novembre", "décembre"};
	/* the 7th of each month of 2026, weekdays by hand */
	static const char *const wd7[12] = {"mercredi", "samedi", "samedi", "mardi", "jeudi",
					    "dimanche", "mardi", "vendredi", "lundi", "mercredi",
					    "samedi", "lundi"};
	char out[96], want[96];
	for (int m = 1; m <= 12; m++) {
		long long t = paris(2026, m, 7, 14, 30);
		tz_format_fr_long(t, out, sizeof out);
		snprintf(want, sizeof want, "%s 7 %s 2026 à 14 h 30", wd7[m - 1], months[m - 1]);
		CU_ASSERT_STRING_EQUAL(out, want);
		tz_format_fr_date(t, out, sizeof out);
		snprintf(want, sizeof want, "%s 7 %s 2026", wd7[m - 1], months[m - 1]);
		CU_ASSERT_STRING_EQUAL(out, want);
		CU_ASSERT_STRING_EQUAL(tz_month_name(m), months[m - 1]);
	}
	static const char *const days[7] = {"lundi", "mardi", "mercredi", "jeudi", "vendredi",
					     "samedi", "dimanche"};
	for (int i = 0; i < 7; i++) {
		tz_format_fr_long(paris(2026, 12, 7 + i, 14, 0), out, sizeof out);
		snprintf(want, sizeof want, "%s %d décembre 2026 à 14 h", days[i], 7 + i);
		CU_ASSERT_STRING_EQUAL(out, want);
		CU_ASSERT_STRING_EQUAL(tz_weekday_name(i), days[i]);
	}
	CU_ASSERT_STRING_EQUAL(tz_weekday_name(7), "");
	CU_ASSERT_STRING_EQUAL(tz_month_name(0), "");
	tz_format_fr_long(paris(2026, 12, 7, 14, 30), out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "lundi 7 décembre 2026 à 14 h 30");
	tz_format_fr_long(paris(2026, 12, 1, 9, 5), out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "mardi 1er décembre 2026 à 9 h 05");
	tz_format_fr_long(paris(2027, 1, 1, 0, 0), out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "vendredi 1er janvier 2027 à 0 h");
	tz_format_fr_long(utc_of(2026, 6, 30, 22, 15), out, sizeof out);  /* CEST: next local day */
	CU_ASSERT_STRING_EQUAL(out, "mercredi 1er juillet 2026 à 0 h 15");

	char d[11], hm[6];
	tz_format_date(paris(2026, 12, 7, 14, 30), d);
	CU_ASSERT_STRING_EQUAL(d, "07/12/2026");
	tz_format_hm(paris(2026, 12, 7, 14, 30), hm);
	CU_ASSERT_STRING_EQUAL(hm, "14:30");
	tz_format_hm(paris(2026, 7, 7, 9, 5), hm);
	CU_ASSERT_STRING_EQUAL(hm, "09:05");
	tz_format_date(utc_of(2026, 12, 31, 23, 0), d);
	CU_ASSERT_STRING_EQUAL(d, "01/01/2027");
}

/* A too-small buffer is cut on a character boundary, never inside "é". */
static void test_tz_format_truncation(void)
{
	long long t = paris(2026, 2, 7, 14, 30);  /* samedi 7 février 2026 à 14 h 30 */
	char out[64];
	tz_format_fr_long(t, out, 13);
	CU_ASSERT_STRING_EQUAL(out, "samedi 7 fé");    /* 12 bytes: "é" is 2 */
	tz_format_fr_long(t, out, 12);
	CU_ASSERT_STRING_EQUAL(out, "samedi 7 f");     /* half an "é" dropped */
	tz_format_fr_long(t, out, 25);
	CU_ASSERT_STRING_EQUAL(out, "samedi 7 février 2026 ");  /* the "à" would be cut */
	tz_format_fr_long(t, out, 29);
	CU_ASSERT_STRING_EQUAL(out, "samedi 7 février 2026 à 14");
	tz_format_fr_long(t, out, 1);
	CU_ASSERT_STRING_EQUAL(out, "");
	tz_format_fr_date(t, out, 5);
	CU_ASSERT_STRING_EQUAL(out, "same");
}

void register_tz_suite(void)
{
	CU_pSuite s = CU_add_suite("tz", NULL, NULL);
	CU_add_test(s, "days: known values", test_tz_days_known);
	CU_add_test(s, "days: 1900-2100 round trip, timegm", test_tz_days_round_trip);
	CU_add_test(s, "days: random far and negative", test_tz_days_random);
	CU_add_test(s, "DST change instants 2026, 2027", test_tz_dst_instants);
	CU_add_test(s, "spring gap, autumn overlap", test_tz_gap_and_overlap);
	CU_add_test(s, "round trip 2026-2027", test_tz_round_trip_2026);
	CU_add_test(s, "hourly sweep vs zoneinfo", test_tz_against_zoneinfo);
	CU_add_test(s, "ISO 8601 with offset", test_tz_format_iso);
	CU_add_test(s, "ISO 8601, one conversion per day", test_tz_format_iso_day);
	CU_add_test(s, "French formats", test_tz_format_fr);
	CU_add_test(s, "formats truncate on UTF-8 boundaries", test_tz_format_truncation);
}
