/*
 * valid.h - pure input validators with French messages (kcgi's kvalid_*).
 *
 * Owns: deciding whether one form or API value is acceptable and parsing it
 * into a typed value. No I/O, no locale, no global state: safe from any
 * thread. Validators take the raw string as received (NUL-terminated, already
 * percent-decoded) and do not trim it; callers that want " 12 " to be 12
 * trim first.
 *
 * Convention: each returns 0 when the value is valid (writing the parsed
 * value through the out pointers), else RDV_EINVAL, setting *msg (when msg
 * is not NULL) to a static French sentence fit for display under the field.
 * Out parameters are left untouched on failure. Nothing is allocated, except
 * by valid_normalize_name, which writes into the caller's arena.
 */
#ifndef RDV_VALID_H
#define RDV_VALID_H

#include <stddef.h>

#include "arena.h"

/* Not NULL and not only whitespace (ASCII, no-break and narrow no-break spaces). */
int valid_required(const char *s, const char **msg);

/* Valid UTF-8, no control character except \n \r \t, and between min and
 * max characters (code points, not bytes). NULL counts as "". */
int valid_length(const char *s, size_t min, size_t max, const char **msg);

/* Decimal integer, optional leading '-', nothing else; in [min, max]. */
int valid_int(const char *s, long long min, long long max, long long *out, const char **msg);

/* A database id: an integer in [1, INT64_MAX]. */
int valid_id(const char *s, long long *out, const char **msg);

/* YYYY-MM-DD (ISO, HTML date inputs) or D/M/YYYY, DD/MM/YYYY; a real
 * calendar date between 1900-01-01 and 2100-12-31. */
int valid_date(const char *s, int *y, int *m, int *d, const char **msg);

/* HH:MM or H:MM (HTML time inputs), or the French "9h30", "09h30", "14h",
 * "14H30"; 00:00 to 23:59. */
int valid_time(const char *s, int *h, int *min, const char **msg);

/* Deliberately loose, like kcgi: at most 254 bytes, one '@', a local part of
 * 1 to 64 bytes, a domain with a dot between non-empty labels; no spaces,
 * control characters or the characters that let an address smuggle other
 * recipients or headers into a mail (" ( ) , : ; < > [ \ ]). */
int valid_email(const char *s, const char **msg);

/* s equal to one of allowed[] (NULL-terminated); *index gets its position. */
int valid_enum(const char *s, const char *const *allowed, int *index, const char **msg);

/* "#RRGGBB", hex digits in either case. */
int valid_color(const char *s, const char **msg);

/* Checkbox and API booleans: "1" "true" "on" "oui" → 1; NULL "" "0" "false"
 * "off" "non" → 0 (ASCII case ignored). Anything else: RDV_EINVAL. */
int valid_bool(const char *s, int *out);

/* At least 12 characters (at most 1024 bytes), at least one digit and one
 * letter, and not one of ~200 common passwords, even with digits or symbols
 * around it ("Azerty123456!" is refused). */
int valid_password(const char *s, const char **msg);

/* RFC 3339: 2026-12-07T14:30:00+01:00, seconds optional, fractions of a
 * second ignored, offset "Z" or ±HH:MM required (a time without offset is
 * ambiguous). *epoch_utc gets the UTC Unix time. */
int valid_iso_datetime(const char *s, long long *epoch_utc, const char **msg);

/* Key for duplicate detection of people's names: lower-case, accents folded
 * (Latin-1 Supplement, Latin Extended-A, Romanian ș ț; combining accents
 * dropped; é→e ç→c œ→oe æ→ae ß→ss), spaces, hyphens, apostrophes and dots
 * removed. "Éloïse-Marie D'Arc" → "eloisemariedarc". Returns an arena
 * string, or NULL for NULL input, invalid UTF-8 or out of memory. */
char *valid_normalize_name(struct arena *a, const char *s);

#endif
