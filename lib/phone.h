/*
 * phone.h - French phone numbers: parsing to E.164, mobile test, display.
 *
 * Owns: the one canonical form of a phone number we store and compare
 * (E.164, "+33612345678"), so that "06 12 34 56 78" and "+33 (0)6 12 34 56 78"
 * are the same usager, and SMS are only sent to mobiles. Covers metropolitan
 * France and the overseas départements, which have their own country codes:
 * Guadeloupe +590 (0590, 0690, 0691), Martinique +596 (0596, 0696, 0697),
 * Guyane +594 (0594, 0694), La Réunion +262 (0262, 0263, 0692, 0693) and
 * Mayotte +262 (0269, 0639). A national number with such a prefix, or a +33
 * number with it, is rewritten to its own country code. Short numbers (3631)
 * and foreign numbers are refused.
 *
 * Pure functions writing into caller buffers: no allocation, thread-safe.
 */
#ifndef RDV_PHONE_H
#define RDV_PHONE_H

/* Longest E.164 we produce: "+590690123456" (13 bytes + NUL). */
#define PHONE_E164_SIZE 16
#define PHONE_NATIONAL_SIZE 20

/* Normalises in to E.164 in out. Accepts digits with spaces, dots, hyphens or
 * slashes between them: "06 12 34 56 78", "06.12.34.56.78", "0612345678",
 * "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "+33 06 12 34 56 78",
 * "0033612345678", "0690 12 34 56", "+262 692 12 34 56". Returns 0, or
 * RDV_EINVAL with *msg (when msg is not NULL) = "Le numéro de téléphone n'est
 * pas valide." and out set to "". */
int phone_normalize(const char *in, char out[PHONE_E164_SIZE], const char **msg);

/* 1 for an E.164 mobile number (+336, +337 and the overseas mobile ranges
 * +590 690/691, +596 696/697, +594 694, +262 692/693/639), else 0. */
int phone_is_mobile(const char *e164);

/* National display form grouped by two, "06 12 34 56 78", "06 90 12 34 56".
 * A string that is not one of our E.164 numbers is copied as is (truncated
 * to fit). */
void phone_format_national(const char *e164, char out[PHONE_NATIONAL_SIZE]);

#endif
