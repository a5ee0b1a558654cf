/*
 * test_ics.c - RFC 5545 output of lib/ics: structure, CRLF, folding at 75
 * octets without splitting UTF-8, TEXT escaping, Europe/Paris times on both
 * sides of DST, METHOD/STATUS for cancellations.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "ics.h"
#include "tz.h"

static struct ics_event sample(void)
{
	struct local_dt lt = {2026, 12, 7, 14, 30, 0};
	long long start = tz_local_to_utc(&lt);
	struct ics_event ev = {
		.uid = "6f1c2d3e-aaaa-bbbb-cccc-1234567890ab", .sequence = 42, .dtstamp = 1767225600,
		.start = start, .end = start + 1800, .summary = "RDV PMI — MDS d'Arras",
		.location = "MDS d'Arras, 12 rue du Docteur Brassart; 62000 Arras",
		.description = "Ligne 1\nLigne 2, avec \\ et ; et , — plus un texte assez long pour devoir être replié "
			       "au moins une fois, accentué : éèàçôû",
		.organizer_name = "MDS d'Arras", .organizer_email = "ne-pas-repondre@rdv-solidarites.fr",
		.attendee_name = "Sarah Demoulin", .attendee_email = "usager@demo.rdv-solidarites.fr",
	};
	return ev;
}

/* Every line ends with CRLF, is ≤ 75 octets, and a continuation starts with a space. */
static void check_lines(const char *s)
{
	const char *p = s;
	while (*p) {
		const char *e = strstr(p, "\r\n");
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		CU_ASSERT((size_t)(e - p) <= 75);
		CU_ASSERT(memchr(p, '\n', (size_t)(e - p)) == NULL);
		p = e + 2;
	}
}

/* Unfolds (removes CRLF + space) into out. */
static void unfold(const char *s, char *out, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; s[i] && j + 1 < n; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == ' ') {
			i += 2;
			continue;
		}
		out[j++] = s[i];
	}
	out[j] = '\0';
}

static void test_ics_request(void)
{
	struct ics_event ev = sample();
	struct buf b = BUF_INIT;
	CU_ASSERT_EQUAL(ics_build(&b, "REQUEST", &ev), 0);
	check_lines(b.data);
	CU_ASSERT(strncmp(b.data, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 37) == 0);
	CU_ASSERT(strstr(b.data, "METHOD:REQUEST\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "UID:6f1c2d3e-aaaa-bbbb-cccc-1234567890ab\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "SEQUENCE:42\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "DTSTAMP:20260101T000000Z\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "DTSTART;TZID=Europe/Paris:20261207T143000\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "DTEND;TZID=Europe/Paris:20261207T150000\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "STATUS:CONFIRMED\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "ORGANIZER;CN=\"MDS d'Arras\":mailto:ne-pas-repondre@rdv-solidarites.fr") != NULL);
	char u[4096];
	unfold(b.data, u, sizeof(u));
	CU_ASSERT(strstr(u, "LOCATION:MDS d'Arras\\, 12 rue du Docteur Brassart\\; 62000 Arras\r\n") != NULL);
	CU_ASSERT(strstr(u, "DESCRIPTION:Ligne 1\\nLigne 2\\, avec \\\\ et \\; et \\, — plus") != NULL);
	CU_ASSERT(strstr(u, "accentué : éèàçôû\r\n") != NULL);
	CU_ASSERT(strstr(b.data + b.len - 15, "END:VCALENDAR\r\n") != NULL);
	/* BEGIN/END balanced */
	int depth = 1;   /* the first BEGIN has no CRLF before it */
	for (const char *p = b.data; (p = strstr(p, "\r\n")) != NULL; p += 2) {
		if (strncmp(p + 2, "BEGIN:", 6) == 0) depth++;
		if (strncmp(p + 2, "END:", 4) == 0) depth--;
	}
	CU_ASSERT_EQUAL(depth, 0);
	buf_free(&b);
}

static void test_ics_fold_utf8(void)
{
	struct buf b = BUF_INIT;
	/* 200 "é": 400 octets; no fold may cut between the two bytes of a character */
	char v[401];
	for (int i = 0; i < 200; i++)
		memcpy(v + 2 * i, "\xc3\xa9", 2);
	v[400] = '\0';
	CU_ASSERT_EQUAL(ics_put_line(&b, "SUMMARY", v, 1), 0);
	check_lines(b.data);
	for (const char *p = b.data; (p = strstr(p, "\r\n ")) != NULL; p += 3)
		CU_ASSERT((unsigned char)p[3] == 0xc3);
	char u[1024];
	unfold(b.data, u, sizeof(u));
	CU_ASSERT(strncmp(u, "SUMMARY:", 8) == 0 && strncmp(u + 8, v, 400) == 0);
	buf_free(&b);
}

static void test_ics_summer_and_cancel(void)
{
	struct ics_event ev = sample();
	struct local_dt lt = {2027, 6, 7, 9, 0, 0};
	ev.start = tz_local_to_utc(&lt);
	ev.end = ev.start + 3600;
	ev.cancelled = 1;
	CU_ASSERT_EQUAL(ev.start % 86400, 7 * 3600);   /* 09:00 CEST is 07:00Z */
	struct buf b = BUF_INIT;
	CU_ASSERT_EQUAL(ics_build(&b, "CANCEL", &ev), 0);
	CU_ASSERT(strstr(b.data, "METHOD:CANCEL\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "STATUS:CANCELLED\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "DTSTART;TZID=Europe/Paris:20270607T090000\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "DTEND;TZID=Europe/Paris:20270607T100000\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n") != NULL);
	CU_ASSERT(strstr(b.data, "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n") != NULL);
	buf_free(&b);
}

static void test_ics_feed_without_people(void)
{
	struct ics_event ev = sample();
	ev.organizer_email = NULL;
	ev.attendee_email = NULL;
	ev.location = NULL;
	struct buf b = BUF_INIT;
	ics_begin(&b, "PUBLISH");
	ics_add_event(&b, &ev);
	ev.uid = "second";
	ics_add_event(&b, &ev);
	ics_end(&b);
	CU_ASSERT(strstr(b.data, "ORGANIZER") == NULL);
	CU_ASSERT(strstr(b.data, "LOCATION") == NULL);
	CU_ASSERT(strstr(strstr(b.data, "BEGIN:VEVENT") + 1, "BEGIN:VEVENT") != NULL);
	check_lines(b.data);
	buf_free(&b);
}

void register_ics_suite(void)
{
	CU_pSuite s = CU_add_suite("ics", NULL, NULL);
	CU_add_test(s, "request: structure, escaping, Paris time", test_ics_request);
	CU_add_test(s, "folding never splits UTF-8", test_ics_fold_utf8);
	CU_add_test(s, "summer time and cancellation", test_ics_summer_and_cancel);
	CU_add_test(s, "feed: several events, no people", test_ics_feed_without_people);
}
