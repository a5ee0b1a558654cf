/*
 * tz.h - Europe/Paris local time <-> UTC, DST-correct, and the French
 * renderings of dates and times used by templates, mails, SMS and the API.
 *
 * Pure arithmetic: no setenv("TZ"), no localtime(), no tzdata, no global
 * state, so every function is thread-safe and allocation-free. The caller
 * owns every output buffer.
 *
 * Instants are `long long` UTC seconds since 1970-01-01T00:00:00Z (no
 * typedef: the plain type is what PostgreSQL's extract(epoch) gives back).
 * Local dates are "day numbers": days since 1970-01-01 in the proleptic
 * Gregorian calendar (negative before 1970), as tz_days_from_civil() makes.
 *
 * The rule, applied directly:
 *   - from 1996 on (EU directive 2000/84/EC and its 1996 predecessor):
 *     CEST (UTC+2) from the last Sunday of March 01:00 UTC to the last Sunday
 *     of October 01:00 UTC, CET (UTC+1) otherwise;
 *   - 1981-1995: same, but summer time ends on the last Sunday of September;
 *   - before 1981: CET all year (France's 1976-1980 summer times are not
 *     modelled: no appointment predates 2018).
 * If the EU ever abolishes the clock change, this is the one place to edit.
 *
 * Local -> UTC for the two odd hours of the year (documented choice, also
 * what PostgreSQL does for timestamptz input in Europe/Paris):
 *   - nonexistent local time (spring gap, 02:00-02:59 on the last Sunday of
 *     March): moved forward by one hour, 02:30 -> 03:30 CEST;
 *   - ambiguous local time (autumn overlap, 02:00-02:59 on the last Sunday of
 *     October): the FIRST occurrence, i.e. CEST (02:30 -> 00:30Z).
 *
 * Local fields are normalised leniently (minute 90, hour 24, day 32, month 13
 * carry into the next unit) so callers can add minutes or days to a
 * struct local_dt and convert; years must fit an int.
 */
#ifndef RDV_TZ_H
#define RDV_TZ_H

#include <stddef.h>

#define TZ_CET 3600   /* UTC offset in winter, seconds */
#define TZ_CEST 7200  /* UTC offset in summer, seconds */

struct local_dt {
	int year, month, day, hour, minute, second;
};

/* Calendar arithmetic (proleptic Gregorian, exact for negative years too). */
long long tz_days_from_civil(int y, int m, int d);  /* days since 1970-01-01 */
void tz_civil_from_days(long long days, int *y, int *m, int *d);
int tz_weekday(int y, int m, int d);                /* 0 = Monday ... 6 = Sunday */
int tz_weekday_of_days(long long days);             /* same, from a day number */
int tz_days_in_month(int y, int m);                 /* 28..31; 0 if m not in 1..12 */
int tz_is_valid_date(int y, int m, int d);          /* 1 if y-m-d is a real date */

/* Offsets and conversions. */
int tz_offset_at_utc(long long utc);                /* TZ_CET or TZ_CEST */
long long tz_local_to_utc(const struct local_dt *lt);
/* The same from local seconds (day number * 86400 + seconds of the day). */
long long tz_local_seconds_to_utc(long long local);
void tz_utc_to_local(long long utc, struct local_dt *out);
long long tz_utc_to_local_days(long long utc);      /* the local date's day number */
long long tz_local_midnight(int y, int m, int d);   /* UTC instant of local 00:00 that day */

/*
 * Formatting; outputs are always NUL-terminated (truncated to n - 1 bytes,
 * never in the middle of a UTF-8 character, when n is too small).
 */
/* "2026-12-07T14:30:00+01:00": ISO 8601 with the Paris offset (the API's form). */
void tz_format_iso(long long utc, char out[32]);
/* The same bytes, for many instants in a row (a list of créneaux): the
 * date part and the offset of the last local day seen are kept in *day
 * (zero it first), so an instant of that day costs a few divisions. A day
 * with a clock change is never kept: its instants take tz_format_iso. */
struct tz_iso_day {
	long long lo, hi;   /* [lo, hi): UTC span of the kept local day, one offset */
	char date[24];      /* "2026-12-07T" */
	char off[8];        /* "+01:00" */
};
void tz_format_iso_day(struct tz_iso_day *day, long long utc, char out[32]);
/* "lundi 7 décembre 2026 à 14 h 30", "mardi 1er décembre 2026 à 9 h" (minute
 * omitted when 0; the first of the month is written "1er", as French does). */
void tz_format_fr_long(long long utc, char *out, size_t n);
/* "lundi 7 décembre 2026" */
void tz_format_fr_date(long long utc, char *out, size_t n);
void tz_format_date(long long utc, char out[11]);   /* "07/12/2026" */
void tz_format_hm(long long utc, char out[6]);      /* "14:30" */

/* French names, lower case: tz_weekday_name(0) = "lundi", tz_month_name(12) =
 * "décembre"; "" when out of range. Static strings. */
const char *tz_weekday_name(int wd);
const char *tz_month_name(int m);

#endif
