/*
 * ics.h - iCalendar (RFC 5545) text for RDVs: the invitation, update and
 * cancellation attached to e-mails (METHOD:REQUEST / METHOD:CANCEL, which
 * Outlook and Thunderbird turn into calendar entries) and, later, the agents'
 * calendar feeds (METHOD:PUBLISH with many events).
 *
 * Times are given as UTC epochs and written in Europe/Paris local time with
 * TZID and a VTIMEZONE block, so that a client without tzdata still shows
 * the right hour on both sides of a DST change. Lines end with CRLF and are
 * folded at 75 octets without splitting a UTF-8 character; TEXT values are
 * escaped (\\ \; \, \n).
 *
 * Everything is appended to the caller's struct buf; nothing to free here.
 */
#ifndef RDV_ICS_H
#define RDV_ICS_H

#include "buf.h"

struct ics_event {
	const char *uid;           /* the RDV's uuid (suffixed with "@host" by the caller if wanted) */
	int sequence;              /* increases at each update so clients replace the entry */
	long long dtstamp;         /* UTC epoch of this version */
	long long start, end;      /* UTC epochs */
	const char *summary;
	const char *location;      /* NULL: none */
	const char *description;   /* NULL: none */
	const char *url;           /* NULL: none */
	const char *organizer_name;  /* NULL: no ORGANIZER (a PUBLISH feed) */
	const char *organizer_email;
	const char *attendee_name;   /* NULL: no ATTENDEE */
	const char *attendee_email;
	int cancelled;             /* STATUS:CANCELLED */
};

/* "BEGIN:VCALENDAR" … "VTIMEZONE"; method "REQUEST", "CANCEL", "PUBLISH" or NULL. */
int ics_begin(struct buf *out, const char *method);
int ics_add_event(struct buf *out, const struct ics_event *ev);
int ics_end(struct buf *out);

/* A whole calendar holding one event. Returns 0 or RDV_ENOMEM. */
int ics_build(struct buf *out, const char *method, const struct ics_event *ev);

/* Appends "NAME:value" (or "NAME;params:value") folded, with value escaped as TEXT
 * when escape is 1. Exposed for the feed and the tests. */
int ics_put_line(struct buf *out, const char *name, const char *value, int escape);

#endif
