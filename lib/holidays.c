/*
 * holidays.c - French public holidays, computed for any Gregorian year
 * (see holidays.h). Everything is rebuilt on each call: it is a dozen
 * integer operations, cheaper than any cache and free of shared state.
 */
#include "holidays.h"
#include "tz.h"

#include <stddef.h>

struct holiday {
	int month, day;
	const char *name;
};

enum { HOLIDAY_COUNT = 11 };

void holidays_easter(int y, int *m, int *d)
{
	/* Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = y % 19;
	int b = y / 100;
	int c = y % 100;
	int dd = b / 4;
	int e = b % 4;
	int f = (b + 8) / 25;
	int g = (b - f + 1) / 3;
	int h = (19 * a + b - dd - g + 15) % 30;
	int i = c / 4;
	int k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int mm = (a + 11 * h + 22 * l) / 451;
	*m = (h + l - 7 * mm + 114) / 31;
	*d = (h + l - 7 * mm + 114) % 31 + 1;
}

static struct holiday easter_plus(long long easter, int days, const char *name)
{
	struct holiday h = {0, 0, name};
	int yy;
	tz_civil_from_days(easter + days, &yy, &h.month, &h.day);
	return h;
}

/* The year's holidays, sorted by date, duplicates merged; returns the count. */
static int holidays_list(int y, struct holiday out[HOLIDAY_COUNT])
{
	if (y < 1583)
		return 0;
	int em, ed;
	holidays_easter(y, &em, &ed);
	long long easter = tz_days_from_civil(y, em, ed);
	struct holiday all[HOLIDAY_COUNT] = {
		{1, 1, "Jour de l'an"},
		easter_plus(easter, 1, "Lundi de Pâques"),
		{5, 1, "Fête du Travail"},
		{5, 8, "Victoire 1945"},
		easter_plus(easter, 39, "Ascension"),
		easter_plus(easter, 50, "Lundi de Pentecôte"),
		{7, 14, "Fête nationale"},
		{8, 15, "Assomption"},
		{11, 1, "Toussaint"},
		{11, 11, "Armistice 1918"},
		{12, 25, "Noël"},
	};
	/* Only Ascension (30 April .. 3 June) moves among the fixed May days; on
	 * 1 May it goes right after it, so the merge below sees them adjacent. */
	if (all[4].month == 4) {
		struct holiday asc = all[4];
		all[4] = all[3];
		all[3] = all[2];
		all[2] = asc;
	} else if (all[4].month == 5 && all[4].day < 8) {
		struct holiday asc = all[4];
		all[4] = all[3];
		all[3] = asc;
	}
	int n = 0;
	for (int i = 0; i < HOLIDAY_COUNT; i++) {
		if (n > 0 && out[n - 1].month == all[i].month && out[n - 1].day == all[i].day) {
			/* Ascension on 1 or 8 May: one date, a joined name. */
			out[n - 1].name = all[i].day == 1 ? "Fête du Travail et Ascension"
							  : "Victoire 1945 et Ascension";
			continue;
		}
		out[n++] = all[i];
	}
	return n;
}

int holidays_in_year(int y, int out_month[], int out_day[], int max)
{
	struct holiday list[HOLIDAY_COUNT];
	int n = holidays_list(y, list);
	for (int i = 0; i < n && i < max; i++) {
		out_month[i] = list[i].month;
		out_day[i] = list[i].day;
	}
	return n;
}

const char *holidays_name(int y, int m, int d)
{
	if (!tz_is_valid_date(y, m, d))
		return NULL;
	struct holiday list[HOLIDAY_COUNT];
	int n = holidays_list(y, list);
	for (int i = 0; i < n; i++)
		if (list[i].month == m && list[i].day == d)
			return list[i].name;
	return NULL;
}

int holidays_is_holiday(int y, int m, int d)
{
	return holidays_name(y, m, d) != NULL;
}
