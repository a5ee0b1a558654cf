/*
 * recurrence.c - recurrence rules of plages and absences: JSON in and out,
 * RRULE out, and expansion in Europe/Paris local time (see recurrence.h).
 *
 * Expansion works on local day numbers (tz_days_from_civil): a rule is a
 * "next matching day at or after d" function computed arithmetically, so a
 * window costs O(occurrences in it) however old the series is. Each matching
 * day then gets its local start/end times converted to UTC.
 */
#include "recurrence.h"
#include "buf.h"
#include "holidays.h"
#include "rdv.h"
#include "tz.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NO_DAY LLONG_MAX

static const char *const weekday_keys[7] = {"monday", "tuesday", "wednesday", "thursday",
					    "friday", "saturday", "sunday"};
static const char *const weekday_rfc[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

/* ---------------------------------------------------------------- parsing */

#define MSG(s) "La récurrence n'est pas valide : " s
static const char MSG_JSON[] = MSG("le JSON est mal formé.");
static const char MSG_OBJECT[] = MSG("un objet JSON ou null est attendu.");
static const char MSG_KEY[] = MSG("clé inconnue (clés permises : every, interval, on, day, until, starts).");
static const char MSG_EVERY[] = MSG("« every » doit valoir « week » ou « month ».");
static const char MSG_INTERVAL[] = MSG("l'intervalle doit être un entier entre 1 et 52.");
static const char MSG_ON_TYPE[] = MSG("« on » doit être une liste de jours de la semaine.");
static const char MSG_ON_EMPTY[] = MSG("la liste des jours (« on ») est vide.");
static const char MSG_WEEKDAY[] = MSG("jour de la semaine inconnu (attendu : monday, tuesday, …, sunday).");
static const char MSG_ON_MONTH[] = MSG("« on » ne s'emploie qu'avec une récurrence hebdomadaire.");
static const char MSG_DAY_WEEK[] = MSG("« day » ne s'emploie qu'avec une récurrence mensuelle.");
static const char MSG_DAY[] = MSG("« day » doit être de la forme {\"weekday\": \"tuesday\", \"nth\": 2}.");
static const char MSG_NTH[] = MSG("le rang dans le mois (« nth ») doit valoir 1 à 5, ou -1 pour le dernier.");
static const char MSG_UNTIL[] = MSG("la date de fin (« until ») n'est pas une date valide (AAAA-MM-JJ).");
static const char MSG_STARTS[] = MSG("la date de début (« starts ») n'est pas une date valide (AAAA-MM-JJ).");

static int weekday_from_name(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (strcasecmp(s, weekday_keys[i]) == 0)
			return i;
	return -1;
}

static int digits(const char *s, int n, int *value)
{
	*value = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*value = *value * 10 + (s[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DD", optionally followed by a time after 'T' or ' ' (Montrose
 * sometimes stores datetimes; the time part carries no meaning here). */
static int date_parse(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	if (digits(s, 4, y) || digits(s + 5, 2, m) || digits(s + 8, 2, d))
		return -1;
	if (s[10] != '\0' && s[10] != 'T' && s[10] != ' ')
		return -1;
	return tz_is_valid_date(*y, *m, *d) ? 0 : -1;
}

static const char *parse_every(json_t *v, struct recurrence *r)
{
	const char *s = json_string_value(v);
	if (s != NULL && strcmp(s, "week") == 0)
		r->every = REC_WEEK;
	else if (s != NULL && strcmp(s, "month") == 0)
		r->every = REC_MONTH;
	else
		return MSG_EVERY;
	return NULL;
}

static const char *parse_interval(json_t *v, struct recurrence *r)
{
	if (!json_is_integer(v))
		return MSG_INTERVAL;
	json_int_t n = json_integer_value(v);
	if (n < 1 || n > REC_INTERVAL_MAX)
		return MSG_INTERVAL;
	r->interval = (int)n;
	return NULL;
}

static const char *parse_on(json_t *v, struct recurrence *r)
{
	if (json_is_string(v)) {        /* Montrose accepts a single day */
		int wd = weekday_from_name(json_string_value(v));
		if (wd < 0)
			return MSG_WEEKDAY;
		r->weekdays = 1u << wd;
		return NULL;
	}
	if (!json_is_array(v))
		return MSG_ON_TYPE;
	if (json_array_size(v) == 0)
		return MSG_ON_EMPTY;
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			return MSG_ON_TYPE;
		int wd = weekday_from_name(json_string_value(item));
		if (wd < 0)
			return MSG_WEEKDAY;
		r->weekdays |= 1u << wd;
	}
	return NULL;
}

static const char *set_nth(json_t *v, struct recurrence *r)
{
	if (!json_is_integer(v))
		return MSG_NTH;
	json_int_t n = json_integer_value(v);
	if (n != -1 && (n < 1 || n > 5))
		return MSG_NTH;
	r->nth = (int)n;
	return NULL;
}

/* {"weekday":"tuesday","nth":2} (api.md) or {"tuesday":[2]} (Montrose). */
static const char *parse_day(json_t *v, struct recurrence *r)
{
	if (!json_is_object(v))
		return MSG_DAY;
	json_t *wd = json_object_get(v, "weekday");
	json_t *nth = json_object_get(v, "nth");
	if (wd != NULL || nth != NULL) {
		if (wd == NULL || nth == NULL || json_object_size(v) != 2 || !json_is_string(wd))
			return MSG_DAY;
		r->month_weekday = weekday_from_name(json_string_value(wd));
		if (r->month_weekday < 0)
			return MSG_WEEKDAY;
		return set_nth(nth, r);
	}
	if (json_object_size(v) != 1)
		return MSG_DAY;
	const char *key;
	json_t *val;
	json_object_foreach(v, key, val) {
		r->month_weekday = weekday_from_name(key);
		if (r->month_weekday < 0)
			return MSG_WEEKDAY;
		/* One rank only: struct recurrence holds one (the reference's form
		 * only ever produces one). */
		if (json_is_array(val)) {
			if (json_array_size(val) != 1)
				return MSG_NTH;
			val = json_array_get(val, 0);
		}
		return set_nth(val, r);
	}
	return MSG_DAY;
}

static const char *parse_date_key(json_t *v, int *has, int *y, int *m, int *d, const char *err)
{
	if (json_is_null(v))
		return NULL;
	if (!json_is_string(v) || date_parse(json_string_value(v), y, m, d) != 0)
		return err;
	*has = 1;
	return NULL;
}

static const char *parse_key(const char *key, json_t *v, struct recurrence *r)
{
	if (strcmp(key, "every") == 0)
		return parse_every(v, r);
	if (strcmp(key, "interval") == 0)
		return parse_interval(v, r);
	if (strcmp(key, "on") == 0)
		return parse_on(v, r);
	if (strcmp(key, "day") == 0)
		return parse_day(v, r);
	if (strcmp(key, "until") == 0)
		return parse_date_key(v, &r->has_until, &r->until_y, &r->until_m, &r->until_d,
				      MSG_UNTIL);
	if (strcmp(key, "starts") == 0)
		return parse_date_key(v, &r->has_starts, &r->starts_y, &r->starts_m, &r->starts_d,
				      MSG_STARTS);
	return MSG_KEY;
}

static const char *parse_object(json_t *root, struct recurrence *r)
{
	if (!json_is_object(root))
		return MSG_OBJECT;
	const char *key;
	json_t *v;
	int has_on = 0, has_day = 0;
	json_object_foreach(root, key, v) {
		const char *err = parse_key(key, v, r);
		if (err != NULL)
			return err;
		has_on |= strcmp(key, "on") == 0;
		has_day |= strcmp(key, "day") == 0;
	}
	/* Cross-key checks once every key is read: JSON objects are unordered. */
	if (r->every == REC_NONE)
		return MSG_EVERY;
	if (has_on && r->every != REC_WEEK)
		return MSG_ON_MONTH;
	if (has_day && r->every != REC_MONTH)
		return MSG_DAY_WEEK;
	return NULL;
}

static int is_blank_or_null(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '\0')
		return 1;
	if (strncmp(s, "null", 4) != 0)
		return 0;
	for (s += 4; *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'; s++)
		;
	return *s == '\0';
}

int recurrence_parse(const char *json_text, struct recurrence *out, const char **msg)
{
	memset(out, 0, sizeof *out);
	if (msg != NULL)
		*msg = NULL;
	if (json_text == NULL || is_blank_or_null(json_text))
		return 0;
	out->interval = 1;
	json_error_t jerr;
	json_t *root = json_loads(json_text, JSON_REJECT_DUPLICATES, &jerr);
	const char *err = root == NULL ? MSG_JSON : parse_object(root, out);
	json_decref(root);
	if (err == NULL)
		return 0;
	memset(out, 0, sizeof *out);
	if (msg != NULL)
		*msg = err;
	return RDV_EINVAL;
}

/* ------------------------------------------------------- checks, defaults */

/* 0 if r is a rule recurrence_parse could have produced (after resolve). */
static int rule_check(const struct recurrence *r)
{
	if (r->every == REC_NONE)
		return 0;
	if (r->every != REC_WEEK && r->every != REC_MONTH)
		return RDV_EINVAL;
	if (r->interval < 1 || r->interval > REC_INTERVAL_MAX)
		return RDV_EINVAL;
	if (r->every == REC_WEEK && (r->weekdays & ~0x7Fu) != 0)
		return RDV_EINVAL;
	if (r->every == REC_MONTH && r->nth != 0
	    && (r->nth < -1 || r->nth > 5 || r->month_weekday < 0 || r->month_weekday > 6))
		return RDV_EINVAL;
	if (r->has_until && !tz_is_valid_date(r->until_y, r->until_m, r->until_d))
		return RDV_EINVAL;
	return 0;
}

void recurrence_resolve(struct recurrence *r, int first_y, int first_m, int first_d)
{
	int wd = tz_weekday(first_y, first_m, first_d);
	if (r->every == REC_WEEK && r->weekdays == 0)
		r->weekdays = 1u << wd;
	if (r->every == REC_MONTH && r->nth == 0) {
		r->nth = (first_d - 1) / 7 + 1;
		r->month_weekday = wd;
	}
}

/* ------------------------------------------------------- JSON, RRULE out */

/* A small fixed text: both outputs are bounded (< 200 bytes), and writing
 * them to out in one append keeps out unchanged on failure. */
struct text {
	char s[256];
	size_t len;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->s + t->len, sizeof t->s - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < sizeof t->s - t->len ? (size_t)n : sizeof t->s - t->len - 1;
}

static int text_flush(const struct text *t, struct buf *out)
{
	return buf_append(out, t->s, t->len) == 0 ? 0 : RDV_ENOMEM;
}

int recurrence_to_json(const struct recurrence *r, struct buf *out)
{
	if (rule_check(r) != 0)
		return RDV_EINVAL;
	struct text t = {.len = 0};
	if (r->every == REC_NONE) {
		text_add(&t, "null");
		return text_flush(&t, out);
	}
	text_add(&t, "{\"every\":\"%s\",\"interval\":%d", r->every == REC_WEEK ? "week" : "month",
		 r->interval);
	if (r->every == REC_WEEK && r->weekdays != 0) {
		text_add(&t, ",\"on\":[");
		const char *sep = "";
		for (int i = 0; i < 7; i++) {
			if (r->weekdays & (1u << i)) {
				text_add(&t, "%s\"%s\"", sep, weekday_keys[i]);
				sep = ",";
			}
		}
		text_add(&t, "]");
	}
	if (r->every == REC_MONTH && r->nth != 0)
		text_add(&t, ",\"day\":{\"weekday\":\"%s\",\"nth\":%d}", weekday_keys[r->month_weekday],
			 r->nth);
	if (r->has_until)
		text_add(&t, ",\"until\":\"%04d-%02d-%02d\"", r->until_y, r->until_m, r->until_d);
	text_add(&t, "}");
	return text_flush(&t, out);
}

int recurrence_to_rrule(const struct recurrence *r, struct buf *out)
{
	if (rule_check(r) != 0 || (r->every == REC_MONTH && r->nth == 0))
		return RDV_EINVAL;
	if (r->every == REC_NONE)
		return 0;
	struct text t = {.len = 0};
	text_add(&t, "FREQ=%s;INTERVAL=%d", r->every == REC_WEEK ? "WEEKLY" : "MONTHLY", r->interval);
	if (r->every == REC_WEEK && r->weekdays != 0) {
		const char *sep = ";BYDAY=";
		for (int i = 0; i < 7; i++) {
			if (r->weekdays & (1u << i)) {
				text_add(&t, "%s%s", sep, weekday_rfc[i]);
				sep = ",";
			}
		}
	}
	if (r->every == REC_MONTH)
		text_add(&t, ";BYDAY=%d%s", r->nth, weekday_rfc[r->month_weekday]);
	if (r->has_until) {
		/* RFC 5545: with a UTC DTSTART, UNTIL is UTC; the rule's until is a
		 * Paris date, inclusive, so its last second. */
		struct local_dt end = {r->until_y, r->until_m, r->until_d, 23, 59, 59};
		long long u = tz_local_to_utc(&end);
		int y, m, d;
		long long days = u / 86400 - (u % 86400 < 0);
		long long secs = u - days * 86400;
		tz_civil_from_days(days, &y, &m, &d);
		text_add(&t, ";UNTIL=%04d%02d%02dT%02d%02d%02dZ", y, m, d, (int)(secs / 3600),
			 (int)(secs / 60 % 60), (int)(secs % 60));
	}
	return text_flush(&t, out);
}

/* -------------------------------------------------------------- expansion */

/* A checked series in day numbers. */
struct plan {
	enum recurrence_every every;
	long long first, until;     /* day numbers; until = NO_DAY when open-ended */
	int interval;
	unsigned mask;              /* weekly: days of the week */
	long long week0;            /* weekly: Monday of first_day's week */
	int nth, wd;                /* monthly */
	long long month0;           /* monthly: year * 12 + month - 1 of first_day */
	int start_min, end_min, end_off;
	const int *skip;
	size_t n_skip;
	int skip_holidays;
};

/* Absences of more than a century are data errors, and the bound keeps
 * every day computation far from overflow. */
enum { END_OFFSET_MAX = 36600 };

static int plan_make(const struct series *s, int skip_holidays, struct plan *p)
{
	if (!tz_is_valid_date(s->first_y, s->first_m, s->first_d) || s->first_y < 1
	    || s->first_y > 9999)
		return RDV_EINVAL;
	if (s->start_min < 0 || s->start_min > 1439 || s->end_min < 0 || s->end_min > 1440)
		return RDV_EINVAL;
	if (s->end_day_offset < 0 || s->end_day_offset > END_OFFSET_MAX
	    || (s->end_day_offset == 0 && s->end_min <= s->start_min))
		return RDV_EINVAL;
	if (rule_check(&s->rule) != 0 || (s->n_skip > 0 && s->skip_days == NULL))
		return RDV_EINVAL;
	struct recurrence r = s->rule;
	recurrence_resolve(&r, s->first_y, s->first_m, s->first_d);
	memset(p, 0, sizeof *p);
	p->every = r.every;
	p->first = tz_days_from_civil(s->first_y, s->first_m, s->first_d);
	p->until = r.every != REC_NONE && r.has_until
			   ? tz_days_from_civil(r.until_y, r.until_m, r.until_d) : NO_DAY;
	p->interval = r.interval;
	p->mask = r.weekdays;
	p->week0 = p->first - tz_weekday_of_days(p->first);
	p->nth = r.nth;
	p->wd = r.month_weekday;
	p->month0 = s->first_y * 12LL + s->first_m - 1;
	p->start_min = s->start_min;
	p->end_min = s->end_min;
	p->end_off = s->end_day_offset;
	p->skip = s->skip_days;
	p->n_skip = s->n_skip;
	p->skip_holidays = skip_holidays;
	return 0;
}

/* Floor division by a positive divisor. */
static long long div_floor(long long a, long long b)
{
	return a / b - (a % b < 0);
}

static long long next_weekly(const struct plan *p, long long day)
{
	long long wk = div_floor(day - p->week0, 7);
	long long late = wk % p->interval;
	int pos = (int)(day - (p->week0 + 7 * wk));
	if (late != 0) {            /* not a week of the series: its next one */
		wk += p->interval - late;
		pos = 0;
	}
	unsigned bits = p->mask & ~((1u << pos) - 1);
	if (bits == 0) {            /* nothing left this week */
		wk += p->interval;
		bits = p->mask;
	}
	int bit = 0;
	while (!(bits & (1u << bit)))
		bit++;
	return p->week0 + 7 * wk + bit;
}

/* Day number of the nth (1..5, -1 = last) weekday wd of y-m, or NO_DAY. */
static long long nth_weekday(int y, int m, int wd, int nth)
{
	int len = tz_days_in_month(y, m);
	long long first = tz_days_from_civil(y, m, 1);
	if (nth < 0) {
		long long last = first + len - 1;
		return last - (tz_weekday_of_days(last) - wd + 7) % 7;
	}
	int off = (wd - tz_weekday_of_days(first) + 7) % 7 + 7 * (nth - 1);
	return off < len ? first + off : NO_DAY;
}

/* The Gregorian calendar repeats every 400 years = 4800 months: a month
 * sequence that found no nth weekday in 4800 steps never will. */
enum { MONTH_STEPS_MAX = 4800 };

static long long next_monthly(const struct plan *p, long long day)
{
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	long long k = y * 12LL + m - 1 - p->month0;    /* >= 0 since day >= first */
	if (k % p->interval != 0)
		k += p->interval - k % p->interval;
	for (int i = 0; i <= MONTH_STEPS_MAX; i++, k += p->interval) {
		long long idx = p->month0 + k;
		y = (int)(idx / 12);
		m = (int)(idx % 12) + 1;
		if (y > 9999 || (p->until != NO_DAY && tz_days_from_civil(y, m, 1) > p->until))
			return NO_DAY;
		long long cand = nth_weekday(y, m, p->wd, p->nth);
		if (cand != NO_DAY && cand >= day)
			return cand;
	}
	return NO_DAY;
}

/* The first day >= day on which the rule has an occurrence (exceptions and
 * holidays not applied), or NO_DAY. */
static long long plan_next_day(const struct plan *p, long long day)
{
	if (day < p->first)
		day = p->first;
	long long cand;
	switch (p->every) {
	case REC_WEEK:
		cand = next_weekly(p, day);
		break;
	case REC_MONTH:
		cand = next_monthly(p, day);
		break;
	default:
		cand = day == p->first ? p->first : NO_DAY;
		break;
	}
	return cand > p->until ? NO_DAY : cand;
}

static int plan_is_skipped(const struct plan *p, long long day)
{
	size_t lo = 0, hi = p->n_skip;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->skip[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->n_skip && p->skip[lo] == day)
		return 1;
	if (p->skip_holidays) {
		int y, m, d;
		tz_civil_from_days(day, &y, &m, &d);
		return holidays_is_holiday(y, m, d);
	}
	return 0;
}

/* The occurrence of a matching day; 0 if it vanished. Both ends go through
 * the spring-gap rule (02:15-02:45 becomes 03:15-03:45 CEST), so only an
 * occurrence ending at 03:00 or earlier but starting in the gap (02:30-03:00)
 * comes out empty. */
static int plan_occurrence(const struct plan *p, long long day, struct occurrence *o)
{
	o->start = tz_local_seconds_to_utc(day * 86400 + p->start_min * 60LL);
	o->end = tz_local_seconds_to_utc((day + p->end_off) * 86400 + p->end_min * 60LL);
	return o->end > o->start;
}

/* Supported instants: years 1..9999, so day numbers never overflow. */
static long long clamp_time(long long t)
{
	static const long long lo = -719162LL * 86400;          /* 0001-01-01 */
	static const long long hi = 2932897LL * 86400;          /* 10000-01-01 */
	return t < lo ? lo : t > hi ? hi : t;
}

long long recurrence_expand(const struct series *s, long long win_start, long long win_end,
			    int skip_holidays, struct occurrence *out, size_t max)
{
	struct plan p;
	if (plan_make(s, skip_holidays, &p) != 0)
		return RDV_EINVAL;
	win_start = clamp_time(win_start);
	win_end = clamp_time(win_end);
	if (win_end <= win_start)
		return 0;
	/* Local days whose occurrence may overlap the window: one starts no
	 * earlier than its local midnight - 2 h and ends no later than
	 * end_off + 1 days after its midnight - 1 h. The exact test follows. */
	long long dmin = div_floor(win_start + TZ_CET, 86400) - p.end_off - 1;
	long long dmax = div_floor(win_end + TZ_CEST, 86400);
	long long count = 0;
	for (long long d = plan_next_day(&p, dmin); d <= dmax; d = plan_next_day(&p, d + 1)) {
		struct occurrence o;
		if (plan_is_skipped(&p, d) || !plan_occurrence(&p, d, &o))
			continue;
		if (o.start >= win_end || o.end <= win_start)
			continue;
		if ((size_t)count < max)
			out[count] = o;
		count++;
	}
	return count;
}

/* Enough for any real series (a century of weekdays); guards against a rule
 * whose every occurrence is an exception. */
enum { NEXT_STEPS_MAX = 100000 };

long long recurrence_next_start(const struct series *s, long long t, int skip_holidays)
{
	struct plan p;
	if (plan_make(s, skip_holidays, &p) != 0)
		return -1;
	t = clamp_time(t);
	/* An occurrence of the day before t's local day starts before t. */
	long long d = tz_utc_to_local_days(t);
	for (int i = 0; i < NEXT_STEPS_MAX; i++, d++) {
		d = plan_next_day(&p, d);
		if (d == NO_DAY)
			return -1;
		struct occurrence o;
		if (!plan_is_skipped(&p, d) && plan_occurrence(&p, d, &o) && o.start >= t)
			return o.start;
	}
	return -1;
}
