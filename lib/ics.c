/*
 * ics.c - RFC 5545 calendars (ics.h).
 */
#include <stdio.h>
#include <string.h>

#include "ics.h"
#include "rdv.h"
#include "tz.h"

#define ICS_FOLD 75

/* Appends one logical line, folding every 75 octets (the CRLF + space of a
 * continuation count for the next line) and never inside a UTF-8 sequence. */
static int ics_put_folded(struct buf *out, const char *line, size_t n)
{
	size_t col = 0;
	for (size_t i = 0; i < n;) {
		size_t clen = 1;
		unsigned char c = (unsigned char)line[i];
		if (c >= 0xF0) clen = 4;
		else if (c >= 0xE0) clen = 3;
		else if (c >= 0xC0) clen = 2;
		if (i + clen > n)
			clen = n - i;
		if (col + clen > ICS_FOLD) {
			buf_append(out, "\r\n ", 3);
			col = 1;
		}
		buf_append(out, line + i, clen);
		col += clen;
		i += clen;
	}
	buf_append(out, "\r\n", 2);
	return out->oom ? RDV_ENOMEM : 0;
}

static void ics_escape_text(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_puts(b, "\\\\"); break;
		case ';': buf_puts(b, "\\;"); break;
		case ',': buf_puts(b, "\\,"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': break;   /* CRLF inside a value becomes one \n */
		default: buf_putc(b, *s);
		}
	}
}

int ics_put_line(struct buf *out, const char *name, const char *value, int escape)
{
	struct buf line = BUF_INIT;
	buf_puts(&line, name);
	buf_putc(&line, ':');
	if (escape)
		ics_escape_text(&line, value ? value : "");
	else
		buf_puts(&line, value ? value : "");
	int rc = line.oom ? RDV_ENOMEM : ics_put_folded(out, line.data, line.len);
	buf_free(&line);
	return rc;
}

/* The rule of lib/tz (EU since 1996), as clients expect it. */
static const char ics_vtimezone[] =
	"BEGIN:VTIMEZONE\r\n"
	"TZID:Europe/Paris\r\n"
	"BEGIN:DAYLIGHT\r\n"
	"TZOFFSETFROM:+0100\r\n"
	"TZOFFSETTO:+0200\r\n"
	"TZNAME:CEST\r\n"
	"DTSTART:19700329T020000\r\n"
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
	"END:DAYLIGHT\r\n"
	"BEGIN:STANDARD\r\n"
	"TZOFFSETFROM:+0200\r\n"
	"TZOFFSETTO:+0100\r\n"
	"TZNAME:CET\r\n"
	"DTSTART:19701025T030000\r\n"
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
	"END:STANDARD\r\n"
	"END:VTIMEZONE\r\n";

int ics_begin(struct buf *out, const char *method)
{
	buf_puts(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//RDV Solidarites//rdv-solidarites//FR\r\n"
		 "CALSCALE:GREGORIAN\r\n");
	if (method != NULL)
		buf_printf(out, "METHOD:%s\r\n", method);
	buf_puts(out, ics_vtimezone);
	return out->oom ? RDV_ENOMEM : 0;
}

int ics_end(struct buf *out)
{
	buf_puts(out, "END:VCALENDAR\r\n");
	return out->oom ? RDV_ENOMEM : 0;
}

static void ics_local(long long utc, char out[32])
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	snprintf(out, 32, "%04d%02d%02dT%02d%02d%02d", lt.year, lt.month, lt.day, lt.hour, lt.minute, lt.second);
}

static void ics_utc(long long utc, char out[32])
{
	long long days = utc >= 0 ? utc / 86400 : (utc - 86399) / 86400;
	long long sec = utc - days * 86400;
	int y, m, d;
	tz_civil_from_days(days, &y, &m, &d);
	snprintf(out, 32, "%04d%02d%02dT%02d%02d%02dZ", y, m, d,
		 (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

/* "CN=name:mailto:addr" with the name quoted (it may hold , or ;). */
static void ics_put_person(struct buf *out, const char *prop, const char *extra, const char *name,
			   const char *email)
{
	struct buf v = BUF_INIT;
	buf_puts(&v, prop);
	if (extra != NULL)
		buf_puts(&v, extra);
	if (name != NULL && name[0] != '\0') {
		buf_puts(&v, ";CN=\"");
		for (const char *s = name; *s; s++)
			if (*s != '"' && (unsigned char)*s >= 0x20)
				buf_putc(&v, *s);
		buf_putc(&v, '"');
	}
	buf_puts(&v, ":mailto:");
	buf_puts(&v, email);
	if (!v.oom)
		ics_put_folded(out, v.data, v.len);
	buf_free(&v);
}

int ics_add_event(struct buf *out, const struct ics_event *ev)
{
	char t[32];
	buf_puts(out, "BEGIN:VEVENT\r\n");
	ics_put_line(out, "UID", ev->uid, 0);
	buf_printf(out, "SEQUENCE:%d\r\n", ev->sequence < 0 ? 0 : ev->sequence);
	ics_utc(ev->dtstamp, t);
	buf_printf(out, "DTSTAMP:%s\r\n", t);
	ics_local(ev->start, t);
	buf_printf(out, "DTSTART;TZID=Europe/Paris:%s\r\n", t);
	ics_local(ev->end, t);
	buf_printf(out, "DTEND;TZID=Europe/Paris:%s\r\n", t);
	ics_put_line(out, "SUMMARY", ev->summary, 1);
	if (ev->location != NULL && ev->location[0] != '\0')
		ics_put_line(out, "LOCATION", ev->location, 1);
	if (ev->description != NULL && ev->description[0] != '\0')
		ics_put_line(out, "DESCRIPTION", ev->description, 1);
	if (ev->url != NULL && ev->url[0] != '\0')
		ics_put_line(out, "URL", ev->url, 0);
	if (ev->organizer_email != NULL && ev->organizer_email[0] != '\0')
		ics_put_person(out, "ORGANIZER", NULL, ev->organizer_name, ev->organizer_email);
	if (ev->attendee_email != NULL && ev->attendee_email[0] != '\0')
		ics_put_person(out, "ATTENDEE", ";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED", ev->attendee_name,
			       ev->attendee_email);
	buf_printf(out, "STATUS:%s\r\n", ev->cancelled ? "CANCELLED" : "CONFIRMED");
	buf_puts(out, "TRANSP:OPAQUE\r\nEND:VEVENT\r\n");
	return out->oom ? RDV_ENOMEM : 0;
}

int ics_build(struct buf *out, const char *method, const struct ics_event *ev)
{
	ics_begin(out, method);
	ics_add_event(out, ev);
	return ics_end(out);
}
