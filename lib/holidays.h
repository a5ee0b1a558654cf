/*
 * holidays.h - French public holidays (jours fériés) of metropolitan France:
 * 1 January, Easter Monday, 1 May, 8 May, Ascension (Easter + 39), Whit
 * Monday (Easter + 50), 14 July, 15 August, 1 November, 11 November,
 * 25 December. Easter is computed (anonymous Gregorian algorithm), so any
 * year works; there is no hard-coded list to renew. Alsace-Moselle's extra
 * days (Good Friday, 26 December) are not included.
 *
 * Pure functions, no state, thread-safe. Names are static strings.
 * Years < 1583 (before the Gregorian reform) have no holidays here.
 */
#ifndef RDV_HOLIDAYS_H
#define RDV_HOLIDAYS_H

/* Easter Sunday of year y (y >= 1583), into *m, *d. */
void holidays_easter(int y, int *m, int *d);

/* 1 if y-m-d is a public holiday, else 0 (also 0 for an invalid date). */
int holidays_is_holiday(int y, int m, int d);

/*
 * The holiday dates of year y in calendar order, one entry per date (when
 * Ascension falls on 1 or 8 May the date is listed once). Writes at most max
 * entries; returns the number of dates of the year (11, or 10 in a year where
 * Ascension coincides with 1 or 8 May), which may exceed max.
 */
int holidays_in_year(int y, int out_month[], int out_day[], int max);

/* French name ("Lundi de Pâques", "Fête nationale", ...) or NULL when y-m-d
 * is not a holiday. Two holidays on one date give a joined name
 * ("Fête du Travail et Ascension"). */
const char *holidays_name(int y, int m, int d);

#endif
