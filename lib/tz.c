/*
 * tz.c - Europe/Paris local time <-> UTC by direct application of the EU
 * summer-time rule (see tz.h). Calendar arithmetic follows Howard Hinnant's
 * days_from_civil / civil_from_days, which are exact over the whole range
 * of long long days that map to int years, negative years included.
 */
#include "tz.h"

#include <stdio.h>
#include <string.h>

/* Floor division and modulo: C's / and % truncate toward zero, which is wrong
 * for instants before 1970. */
static long long floor_div(long long a, long long b)
{
	long long q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static long long floor_mod(long long a, long long b)
{
	return a - floor_div(a, b) * b;
}

long long tz_days_from_civil(int y, int m, int d)
{
	/* Normalise the month first so callers may pass month 13 or 0. */
	long long yy = y + floor_div(m - 1, 12);
	long long mm = floor_mod(m - 1, 12) + 1;
	yy -= mm <= 2;
	long long era = floor_div(yy, 400);
	long long yoe = yy - era * 400;                                 /* [0, 399] */
	long long doy = (153 * (mm + (mm > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* day of year from March 1st */
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] for 1 <= d <= 31 */
	return era * 146097 + doe - 719468;
}

void tz_civil_from_days(long long days, int *y, int *m, int *d)
{
	long long z = days + 719468;
	long long era = floor_div(z, 146097);
	long long doe = z - era * 146097;                                      /* [0, 146096] */
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	long long mp = (5 * doy + 2) / 153;                                    /* [0, 11], from March */
	long long dd = doy - (153 * mp + 2) / 5 + 1;
	long long mm = mp < 10 ? mp + 3 : mp - 9;
	long long yy = yoe + era * 400 + (mm <= 2);
	*y = (int)yy;
	*m = (int)mm;
	*d = (int)dd;
}

int tz_weekday_of_days(long long days)
{
	/* 1970-01-01 was a Thursday (3 when Monday = 0). */
	return (int)floor_mod(days + 3, 7);
}

int tz_weekday(int y, int m, int d)
{
	return tz_weekday_of_days(tz_days_from_civil(y, m, d));
}

int tz_days_in_month(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return len[m - 1];
}

int tz_is_valid_date(int y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= tz_days_in_month(y, m);
}

/* Day number of the last Sunday of month m of year y. */
static long long last_sunday(int y, int m)
{
	long long last = tz_days_from_civil(y, m, tz_days_in_month(y, m));
	return last - (tz_weekday_of_days(last) + 1) % 7;
}

int tz_offset_at_utc(long long utc)
{
	int y, m, d;
	tz_civil_from_days(floor_div(utc, 86400), &y, &m, &d);
	if (y < 1981)
		return TZ_CET;
	/* Both changes happen at 01:00 UTC; the UTC year is the right one since
	 * neither change is near New Year. */
	long long start = last_sunday(y, 3) * 86400 + 3600;
	long long end = last_sunday(y, y >= 1996 ? 10 : 9) * 86400 + 3600;
	return utc >= start && utc < end ? TZ_CEST : TZ_CET;
}

long long tz_local_seconds_to_utc(long long local)
{
	/* Try summer time first: it is right for ordinary summer times and picks
	 * the first (CEST) reading of an ambiguous autumn time. Otherwise
	 * local - 1 h is right in winter, and in the spring gap it is exactly
	 * "one hour later in CEST" (02:30 -> 01:30Z = 03:30 CEST). */
	long long summer = local - TZ_CEST;
	if (tz_offset_at_utc(summer) == TZ_CEST)
		return summer;
	return local - TZ_CET;
}

long long tz_local_to_utc(const struct local_dt *lt)
{
	long long local = tz_days_from_civil(lt->year, lt->month, 1) + (lt->day - 1);
	return tz_local_seconds_to_utc(local * 86400 + lt->hour * 3600LL + lt->minute * 60LL
				       + lt->second);
}

void tz_utc_to_local(long long utc, struct local_dt *out)
{
	long long local = utc + tz_offset_at_utc(utc);
	long long secs = floor_mod(local, 86400);
	tz_civil_from_days(floor_div(local, 86400), &out->year, &out->month, &out->day);
	out->hour = (int)(secs / 3600);
	out->minute = (int)(secs / 60 % 60);
	out->second = (int)(secs % 60);
}

long long tz_utc_to_local_days(long long utc)
{
	return floor_div(utc + tz_offset_at_utc(utc), 86400);
}

long long tz_local_midnight(int y, int m, int d)
{
	/* Midnight always exists in Paris (the changes happen at 02:00/03:00). */
	return tz_local_seconds_to_utc(tz_days_from_civil(y, m, d) * 86400);
}

const char *tz_weekday_name(int wd)
{
	static const char *const names[7] = {"lundi", "mardi", "mercredi", "jeudi",
					     "vendredi", "samedi", "dimanche"};
	return wd >= 0 && wd < 7 ? names[wd] : "";
}

const char *tz_month_name(int m)
{
	static const char *const names[12] = {
		"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
		"août", "septembre", "octobre", "novembre", "décembre"};
	return m >= 1 && m <= 12 ? names[m - 1] : "";
}

/* After a truncating snprintf, cut back to a whole UTF-8 character so a
 * too-small buffer never ends in half an "é". */
static void utf8_trim(char *out, size_t n, int written)
{
	if (n == 0 || written < 0 || (size_t)written < n)
		return;
	size_t len = n - 1;
	size_t i = len;
	while (i > 0 && ((unsigned char)out[i - 1] & 0xC0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)out[i - 1] & 0x80)) {
		/* out[i - 1] leads a sequence: keep it only if it is complete. */
		unsigned char lead = (unsigned char)out[i - 1];
		size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
		if (len - (i - 1) < need)
			out[i - 1] = '\0';
	}
}

void tz_format_iso(long long utc, char out[32])
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	int off = tz_offset_at_utc(utc) / 3600;
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d+%02d:00", lt.year, lt.month, lt.day,
		 lt.hour, lt.minute, lt.second, off);
}

/* Keeps the local day of utc (whose tz_format_iso is iso) in *day when its
 * offset does not change during the day; otherwise keeps nothing. */
static void iso_day_keep(struct tz_iso_day *day, long long utc, const char *iso)
{
	day->lo = day->hi = 0;
	const char *t = strchr(iso, 'T');
	if (t == NULL || (size_t)(t - iso) + 1 >= sizeof(day->date) || strlen(t + 1) < 8 ||
	    strlen(t + 9) >= sizeof(day->off))
		return;
	long long days = tz_utc_to_local_days(utc);
	int y, m, d;
	tz_civil_from_days(days, &y, &m, &d);
	long long lo = tz_local_midnight(y, m, d);
	tz_civil_from_days(days + 1, &y, &m, &d);
	long long hi = tz_local_midnight(y, m, d);
	if (hi - lo != 86400 || tz_offset_at_utc(lo) != tz_offset_at_utc(hi - 1))
		return;
	memcpy(day->date, iso, (size_t)(t - iso) + 1);
	day->date[t - iso + 1] = '\0';
	snprintf(day->off, sizeof(day->off), "%s", t + 9);   /* length checked above */
	day->lo = lo;
	day->hi = hi;
}

static char *put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

void tz_format_iso_day(struct tz_iso_day *day, long long utc, char out[32])
{
	if (utc < day->lo || utc >= day->hi) {
		tz_format_iso(utc, out);
		iso_day_keep(day, utc, out);
		return;
	}
	int secs = (int)(utc - day->lo);   /* local time of day: one offset all day */
	size_t n = strlen(day->date);
	memcpy(out, day->date, n);
	char *p = put2(out + n, secs / 3600);
	*p++ = ':';
	p = put2(p, secs / 60 % 60);
	*p++ = ':';
	p = put2(p, secs % 60);
	/* bounded by out[32] (in practice 11 + 8 + 6 characters and the NUL) */
	snprintf(p, 32 - (size_t)(p - out), "%s", day->off);
}

static int format_fr_date(const struct local_dt *lt, char *out, size_t n)
{
	return snprintf(out, n, "%s %d%s %s %d",
			tz_weekday_name(tz_weekday(lt->year, lt->month, lt->day)), lt->day,
			lt->day == 1 ? "er" : "", tz_month_name(lt->month), lt->year);
}

void tz_format_fr_date(long long utc, char *out, size_t n)
{
	if (n == 0)
		return;
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	utf8_trim(out, n, format_fr_date(&lt, out, n));
}

void tz_format_fr_long(long long utc, char *out, size_t n)
{
	if (n == 0)
		return;
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	int len = format_fr_date(&lt, out, n);
	if (len < 0 || (size_t)len >= n) {
		utf8_trim(out, n, len);
		return;
	}
	int more;
	if (lt.minute == 0)
		more = snprintf(out + len, n - (size_t)len, " à %d h", lt.hour);
	else
		more = snprintf(out + len, n - (size_t)len, " à %d h %02d", lt.hour, lt.minute);
	utf8_trim(out + len, n - (size_t)len, more);
}

void tz_format_date(long long utc, char out[11])
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	snprintf(out, 11, "%02d/%02d/%04d", lt.day, lt.month, lt.year);
}

void tz_format_hm(long long utc, char out[6])
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	/* By hand: hour and minute are two digits each, which snprintf's
	 * truncation warning cannot know. */
	out[0] = (char)('0' + lt.hour / 10);
	out[1] = (char)('0' + lt.hour % 10);
	out[2] = ':';
	out[3] = (char)('0' + lt.minute / 10);
	out[4] = (char)('0' + lt.minute % 10);
	out[5] = '\0';
}
