/* test_holidays.c - Easter for known years and against a second algorithm,
 * the eleven holidays of 2026, names, Ascension on 1 May. */
#include <CUnit/CUnit.h>
#include <stddef.h>

#include "holidays.h"
#include "tz.h"

static void test_holidays_easter_known(void)
{
	static const int known[][3] = {
		{2024, 3, 31}, {2025, 4, 20}, {2026, 4, 5}, {2027, 3, 28}, {2038, 4, 25},
		{2000, 4, 23}, {2008, 3, 23}, {2011, 4, 24}, {2019, 4, 21}, {1943, 4, 25},
		{1818, 3, 22}, {2285, 3, 22}, {1583, 4, 10}, {2100, 3, 28},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		int m, d;
		holidays_easter(known[i][0], &m, &d);
		CU_ASSERT_EQUAL(m, known[i][1]);
		CU_ASSERT_EQUAL(d, known[i][2]);
	}
}

/* Claus Tøndering's formulation, a different derivation of the same rule. */
static void easter_tondering(int y, int *m, int *d)
{
	int g = y % 19, c = y / 100;
	int h = (c - c / 4 - (8 * c + 13) / 25 + 19 * g + 15) % 30;
	int i = h - (h / 28) * (1 - (29 / (h + 1)) * ((21 - g) / 11));
	int j = (y + y / 4 + i + 2 - c + c / 4) % 7;
	int l = i - j;
	*m = 3 + (l + 40) / 44;
	*d = l + 28 - 31 * (*m / 4);
}

static void test_holidays_easter_sweep(void)
{
	int bad = 0;
	for (int y = 1583; y <= 4099; y++) {
		int m, d, m2, d2;
		holidays_easter(y, &m, &d);
		easter_tondering(y, &m2, &d2);
		bad += m != m2 || d != d2;
		bad += tz_weekday(y, m, d) != 6;  /* a Sunday */
		long long e = tz_days_from_civil(y, m, d);
		bad += e < tz_days_from_civil(y, 3, 22) || e > tz_days_from_civil(y, 4, 25);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_holidays_2026(void)
{
	static const struct { int m, d; const char *name; } want[] = {
		{1, 1, "Jour de l'an"},     {4, 6, "Lundi de Pâques"},   {5, 1, "Fête du Travail"},
		{5, 8, "Victoire 1945"},    {5, 14, "Ascension"},        {5, 25, "Lundi de Pentecôte"},
		{7, 14, "Fête nationale"},  {8, 15, "Assomption"},       {11, 1, "Toussaint"},
		{11, 11, "Armistice 1918"}, {12, 25, "Noël"},
	};
	int mo[16], da[16];
	CU_ASSERT_EQUAL_FATAL(holidays_in_year(2026, mo, da, 16), 11);
	for (int i = 0; i < 11; i++) {
		CU_ASSERT_EQUAL(mo[i], want[i].m);
		CU_ASSERT_EQUAL(da[i], want[i].d);
		CU_ASSERT(holidays_is_holiday(2026, want[i].m, want[i].d));
		CU_ASSERT_STRING_EQUAL(holidays_name(2026, want[i].m, want[i].d), want[i].name);
	}
	/* every other day of 2026 is a working or weekend day, not a holiday */
	int count = 0;
	for (long long d = tz_days_from_civil(2026, 1, 1); d <= tz_days_from_civil(2026, 12, 31); d++) {
		int y, m, dd;
		tz_civil_from_days(d, &y, &m, &dd);
		count += holidays_is_holiday(y, m, dd);
	}
	CU_ASSERT_EQUAL(count, 11);
	CU_ASSERT(!holidays_is_holiday(2026, 4, 5));   /* Easter Sunday itself */
	CU_ASSERT(!holidays_is_holiday(2026, 12, 26)); /* Alsace-Moselle only */
	CU_ASSERT(!holidays_is_holiday(2026, 2, 30));
	CU_ASSERT(!holidays_is_holiday(2026, 13, 1));
	CU_ASSERT_PTR_NULL(holidays_name(2026, 4, 7));
	/* max smaller than the count: only max written, the count still 11 */
	int m3[3] = {0, 0, 0}, d3[3] = {0, 0, 0};
	CU_ASSERT_EQUAL(holidays_in_year(2026, m3, d3, 2), 11);
	CU_ASSERT(m3[1] == 4 && d3[1] == 6 && m3[2] == 0);
	CU_ASSERT_EQUAL(holidays_in_year(1500, mo, da, 16), 0);
}

static void test_holidays_moving(void)
{
	/* 2008: Ascension on 1 May, one date with a joined name */
	int mo[16], da[16];
	CU_ASSERT_EQUAL(holidays_in_year(2008, mo, da, 16), 10);
	CU_ASSERT_STRING_EQUAL(holidays_name(2008, 5, 1), "Fête du Travail et Ascension");
	CU_ASSERT_STRING_EQUAL(holidays_name(2008, 3, 24), "Lundi de Pâques");
	CU_ASSERT_STRING_EQUAL(holidays_name(2008, 5, 12), "Lundi de Pentecôte");
	/* 2285: Easter 22 March, Ascension 30 April before 1 May */
	CU_ASSERT_EQUAL(holidays_in_year(2285, mo, da, 16), 11);
	CU_ASSERT(mo[2] == 4 && da[2] == 30);
	CU_ASSERT_STRING_EQUAL(holidays_name(2285, 4, 30), "Ascension");
	/* 2038: Easter 25 April, Ascension 3 June, Whit Monday 14 June */
	CU_ASSERT_STRING_EQUAL(holidays_name(2038, 4, 26), "Lundi de Pâques");
	CU_ASSERT_STRING_EQUAL(holidays_name(2038, 6, 3), "Ascension");
	CU_ASSERT_STRING_EQUAL(holidays_name(2038, 6, 14), "Lundi de Pentecôte");
	/* 2059: Easter 30 March, Ascension on 8 May */
	CU_ASSERT_EQUAL(holidays_in_year(2059, mo, da, 16), 10);
	CU_ASSERT_STRING_EQUAL(holidays_name(2059, 5, 8), "Victoire 1945 et Ascension");
	CU_ASSERT_STRING_EQUAL(holidays_name(2059, 5, 1), "Fête du Travail");
	/* all years: dates strictly increasing, Easter Monday a Monday, Ascension a Thursday */
	int bad = 0;
	for (int y = 1600; y <= 2600; y++) {
		int n = holidays_in_year(y, mo, da, 16);
		bad += n < 10 || n > 11;
		for (int i = 1; i < n; i++)
			bad += tz_days_from_civil(y, mo[i], da[i]) <= tz_days_from_civil(y, mo[i - 1], da[i - 1]);
		int em, ed;
		holidays_easter(y, &em, &ed);
		long long e = tz_days_from_civil(y, em, ed);
		int yy, m, d;
		tz_civil_from_days(e + 39, &yy, &m, &d);
		bad += !holidays_is_holiday(y, m, d) || tz_weekday(y, m, d) != 3;
		tz_civil_from_days(e + 1, &yy, &m, &d);
		bad += !holidays_is_holiday(y, m, d) || tz_weekday(y, m, d) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

void register_holidays_suite(void)
{
	CU_pSuite s = CU_add_suite("holidays", NULL, NULL);
	CU_add_test(s, "Easter, known years", test_holidays_easter_known);
	CU_add_test(s, "Easter vs Tøndering 1583-4099", test_holidays_easter_sweep);
	CU_add_test(s, "the holidays of 2026", test_holidays_2026);
	CU_add_test(s, "moving feasts, coincidences", test_holidays_moving);
}
