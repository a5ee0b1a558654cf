/*
 * recurrence.h - plage d'ouverture / absence recurrence rules: parsing the
 * JSON of the API (and the reference's Montrose form), writing it back,
 * RFC 5545 RRULEs for ICS feeds, and expansion into occurrences inside a
 * window, in Europe/Paris local time (a 09:00-12:00 plage stays 09:00-12:00
 * local across DST changes).
 *
 * Owns nothing: rules are plain values, outputs go to caller-owned arrays or
 * struct bufs (the caller frees the buf). No global state, thread-safe.
 *
 * Semantics (those of the reference system):
 *   - occurrences before first_day never exist; until is inclusive (the
 *     occurrence on the until day exists);
 *   - weekly: "every N weeks" counts Monday-based weeks from the week of
 *     first_day; weekdays == 0 means first_day's weekday;
 *   - monthly: the nth <weekday> of every N-th month counting from
 *     first_day's month; nth 5 is skipped in months without a fifth one,
 *     nth -1 is the last one; nth == 0 means "as first_day": its weekday and
 *     n = (day - 1) / 7 + 1 (the Montrose form without "day");
 *   - exceptions (skip_days) delete the occurrence of that local date;
 *   - skip_holidays deletes occurrences starting on a French public holiday.
 */
#ifndef RDV_RECURRENCE_H
#define RDV_RECURRENCE_H

#include <stddef.h>

struct buf;

enum recurrence_every { REC_NONE, REC_WEEK, REC_MONTH };

#define REC_INTERVAL_MAX 52

struct recurrence {
	enum recurrence_every every;
	int interval;          /* 1 .. REC_INTERVAL_MAX */
	unsigned weekdays;     /* weekly: bit 0 = Monday ... bit 6 = Sunday; 0 = weekday of first_day */
	int nth;               /* monthly: 1..5, -1 = last, 0 = as first_day */
	int month_weekday;     /* monthly: 0 = Monday ... 6 = Sunday (ignored when nth == 0) */
	int has_until;
	int until_y, until_m, until_d;  /* inclusive end date */
	/* The Montrose "starts" key, when given: the caller checks it equals
	 * first_day (parse cannot, it does not know first_day). Not written back. */
	int has_starts;
	int starts_y, starts_m, starts_d;
};

/*
 * Parses the recurrence JSON: NULL, "", blanks or "null" -> REC_NONE;
 *   {"every":"week","interval":1,"on":["monday","thursday"],"until":"2027-06-30"}
 *   {"every":"month","interval":1,"day":{"weekday":"tuesday","nth":2}}
 * and the reference's Montrose forms: "starts" (recorded, see above),
 * "until": null, "on": "monday", monthly "day":{"tuesday":[2]}, monthly
 * without "day" (nth = 0). Dates may carry a time ("2027-06-30T00:00:00+02:00"),
 * which is ignored. interval defaults to 1.
 * Returns 0, or RDV_EINVAL with a static French message in *msg ("La
 * récurrence n'est pas valide : ..."); *msg is NULL on success. msg may be NULL.
 */
int recurrence_parse(const char *json_text, struct recurrence *out, const char **msg);

/* Fills the "as first_day" defaults (weekdays == 0, nth == 0) from first_day,
 * so that to_json / to_rrule say explicitly what expand does. */
void recurrence_resolve(struct recurrence *r, int first_y, int first_m, int first_d);

/*
 * Canonical JSON (the api.md form, keys in a fixed order) appended to out;
 * REC_NONE -> "null". "on" is omitted when weekdays == 0, "day" when nth == 0,
 * "until" when there is none. Returns 0, RDV_ENOMEM, or RDV_EINVAL for a rule
 * that recurrence_parse would not accept.
 */
int recurrence_to_json(const struct recurrence *r, struct buf *out);

/*
 * RFC 5545 RRULE value appended to out, e.g.
 * "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T215959Z" (UNTIL = the
 * end of the until day in Paris, in UTC) or "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU".
 * REC_NONE appends nothing. A monthly rule with nth == 0 must be resolved
 * first (RFC's default would be the day of the month): RDV_EINVAL.
 * Weekly without weekdays omits BYDAY (RFC's default is DTSTART's weekday).
 * DTSTART must be the first real occurrence (recurrence_next_start from
 * first_day's midnight): RFC counts DTSTART even if it does not match.
 */
int recurrence_to_rrule(const struct recurrence *r, struct buf *out);

/* A series: a plage or an absence. */
struct series {
	int first_y, first_m, first_d;
	int start_min, end_min;      /* local minutes since midnight: 0..1439 and 0..1440 (24:00) */
	int end_day_offset;          /* 0 for same-day (then end_min > start_min); n >= 1 for an
					absence ending n days later (meant for REC_NONE, works with any rule) */
	struct recurrence rule;
	const int *skip_days;        /* exceptions: SORTED local dates as tz_days_from_civil()
					numbers whose occurrence is deleted (a moved one is added
					by the caller as a one-off) */
	size_t n_skip;
};

struct occurrence {
	long long start, end;        /* UTC epoch seconds */
};

/*
 * Occurrences overlapping [win_start, win_end) (UTC), in increasing order,
 * written to out (capacity max, out may be NULL when max == 0). Returns the
 * total count, which may exceed max (then retry with a larger array), or
 * RDV_EINVAL for an invalid series. The first candidate week/month at or
 * after the window is computed arithmetically: the cost is O(occurrences in
 * the window), whatever the age of the series. Windows are clamped to years
 * 1..9999.
 */
long long recurrence_expand(const struct series *s, long long win_start, long long win_end,
			    int skip_holidays, struct occurrence *out, size_t max);

/* Start of the first occurrence starting at or after t, or -1 if there is
 * none (or the series is invalid). */
long long recurrence_next_start(const struct series *s, long long t, int skip_holidays);

#endif
