/*
 * phone.c - French phone numbers to E.164 and back (see phone.h).
 *
 * Parsing is two steps: strip the separators people type into a compact
 * "+digits" or "digits" string (refusing anything else), then read it as a
 * national ten-digit number or an international one under one of our five
 * country codes. Both paths end in phone_from_national_digits so a number
 * has exactly one canonical form however it was typed.
 */
#include "phone.h"
#include "rdv.h"

#include <string.h>

#define MSG_PHONE "Le numéro de téléphone n'est pas valide."

/* Longer than any way to write a French number, even with "0033 (0)". */
#define PHONE_COMPACT_MAX 24

struct phone_zone {
	const char *cc;              /* country code */
	const char *prefixes[7];     /* first three digits of the national significant number */
	const char *mobiles[4];      /* the mobile ones among them */
};

/* The overseas départements: their numbers look national ("0690 ...") but
 * their E.164 form uses their own country code. */
static const struct phone_zone overseas_zones[] = {
	{"590", {"590", "690", "691", NULL}, {"690", "691", NULL}},  /* Guadeloupe */
	{"596", {"596", "696", "697", NULL}, {"696", "697", NULL}},  /* Martinique */
	{"594", {"594", "694", NULL}, {"694", NULL}},                /* Guyane */
	{"262", {"262", "263", "692", "693", "269", "639", NULL},
	 {"692", "693", "639", NULL}},                               /* Réunion, Mayotte */
};
#define N_ZONES (sizeof(overseas_zones) / sizeof(overseas_zones[0]))

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

static int in_list(const char *const *list, const char *three_digits)
{
	for (; *list != NULL; list++)
		if (memcmp(*list, three_digits, 3) == 0)
			return 1;
	return 0;
}

static const struct phone_zone *zone_by_prefix(const char *nsn)
{
	for (size_t i = 0; i < N_ZONES; i++)
		if (in_list(overseas_zones[i].prefixes, nsn))
			return &overseas_zones[i];
	return NULL;
}

static const struct phone_zone *zone_by_cc(const char *cc)
{
	for (size_t i = 0; i < N_ZONES; i++)
		if (strcmp(overseas_zones[i].cc, cc) == 0)
			return &overseas_zones[i];
	return NULL;
}

/* out = "+" cc nsn (nsn: 9 digits). */
static void phone_write(char out[PHONE_E164_SIZE], const char *cc, const char *nsn)
{
	size_t n = strlen(cc);
	out[0] = '+';
	memcpy(out + 1, cc, n);
	memcpy(out + 1 + n, nsn, 9);
	out[1 + n + 9] = '\0';
}

/* nsn: the 9 digits after the trunk 0 of a national number. */
static int phone_from_nsn(const char *nsn, char out[PHONE_E164_SIZE])
{
	if (nsn[0] == '0')
		return 0;
	const struct phone_zone *z = zone_by_prefix(nsn);
	phone_write(out, z != NULL ? z->cc : "33", nsn);
	return 1;
}

/* Separators between digits: space, tab, . - / and the no-break spaces a
 * copy from a word processor brings (U+00A0, U+2009, U+202F). Returns the
 * bytes to skip at s, or 0. */
static size_t separator_len(const char *s)
{
	if (*s == ' ' || *s == '\t' || *s == '.' || *s == '-' || *s == '/')
		return 1;
	/* strncmp, not memcmp: it stops at the string's NUL */
	if (strncmp(s, "\xc2\xa0", 2) == 0)
		return 2;
	if (strncmp(s, "\xe2\x80\xaf", 3) == 0 || strncmp(s, "\xe2\x80\x89", 3) == 0)
		return 3;
	return 0;
}

/* Copies the digits of in (and a leading '+', and parentheses for "(0)")
 * into c; 0 when in holds anything else or is too long. */
static int phone_compact(const char *in, char c[PHONE_COMPACT_MAX + 1])
{
	size_t n = 0;
	while (*in != '\0') {
		size_t skip = separator_len(in);
		if (skip > 0) {
			in += skip;
			continue;
		}
		int ok = is_digit(*in) || *in == '(' || *in == ')' || (*in == '+' && n == 0);
		if (!ok || n == PHONE_COMPACT_MAX)
			return 0;
		c[n++] = *in++;
	}
	c[n] = '\0';
	return n > 0;
}

/* digits: the number after "+" or "00". paren: where "(0)" stood, or -1. */
static int phone_from_international(const char *digits, long paren, char out[PHONE_E164_SIZE])
{
	static const char *const ccs[] = {"33", "590", "596", "594", "262", NULL};
	for (int i = 0; ccs[i] != NULL; i++) {
		size_t cl = strlen(ccs[i]);
		if (strncmp(digits, ccs[i], cl) != 0)
			continue;
		if (paren >= 0 && (size_t)paren != cl)
			return 0;
		const char *nsn = digits + cl;
		size_t len = strlen(nsn);
		/* "+33 06 ..." is a common slip with one reading: drop the 0 */
		if (len == 10 && nsn[0] == '0' && paren < 0) {
			nsn++;
			len--;
		}
		if (len != 9 || !all_digits(nsn, 9) || nsn[0] == '0')
			return 0;
		if (cl == 2)
			return phone_from_nsn(nsn, out);
		const struct phone_zone *z = zone_by_cc(ccs[i]);
		if (!in_list(z->prefixes, nsn))
			return 0;
		phone_write(out, ccs[i], nsn);
		return 1;
	}
	return 0;
}

/* Removes a "(0)" from c; *paren gets its position, -1 when absent. Any
 * other parenthesis makes the number invalid. */
static int phone_drop_paren_zero(char *c, long *paren)
{
	char *p = strstr(c, "(0)");
	*paren = -1;
	if (p != NULL) {
		*paren = p - c;
		memmove(p, p + 3, strlen(p + 3) + 1);
	}
	return strchr(c, '(') == NULL && strchr(c, ')') == NULL;
}

static int phone_parse(const char *in, char out[PHONE_E164_SIZE])
{
	char c[PHONE_COMPACT_MAX + 1];
	long paren;
	if (in == NULL || !phone_compact(in, c) || !phone_drop_paren_zero(c, &paren))
		return 0;
	long skip = c[0] == '+' ? 1 : c[0] == '0' && c[1] == '0' ? 2 : 0;
	if (skip > 0) {
		if (paren >= 0 && paren < skip)
			return 0; /* "0(0)033...": the (0) is not after a country code */
		return phone_from_international(c + skip, paren < 0 ? -1 : paren - skip, out);
	}
	if (paren >= 0 || strlen(c) != 10 || c[0] != '0' || !all_digits(c, 10))
		return 0;
	return phone_from_nsn(c + 1, out);
}

int phone_normalize(const char *in, char out[PHONE_E164_SIZE], const char **msg)
{
	if (phone_parse(in, out))
		return 0;
	out[0] = '\0';
	if (msg != NULL)
		*msg = MSG_PHONE;
	return RDV_EINVAL;
}

/* Splits one of our E.164 numbers into its zone (NULL for +33) and its
 * 9-digit nsn; 0 when e164 is not one. */
static int phone_split(const char *e164, const struct phone_zone **zone, const char **nsn)
{
	if (e164 == NULL || e164[0] != '+')
		return 0;
	size_t len = strlen(e164 + 1);
	if (len == 11 && strncmp(e164 + 1, "33", 2) == 0) {
		*zone = NULL;
		*nsn = e164 + 3;
	} else if (len == 12) {
		char cc[4] = {e164[1], e164[2], e164[3], '\0'};
		*zone = zone_by_cc(cc);
		*nsn = e164 + 4;
		if (*zone == NULL)
			return 0;
	} else
		return 0;
	return all_digits(*nsn, 9) && (*nsn)[0] != '0';
}

int phone_is_mobile(const char *e164)
{
	const struct phone_zone *z;
	const char *nsn;
	if (!phone_split(e164, &z, &nsn))
		return 0;
	if (z == NULL)
		return nsn[0] == '6' || nsn[0] == '7';
	return in_list(z->mobiles, nsn);
}

void phone_format_national(const char *e164, char out[PHONE_NATIONAL_SIZE])
{
	const struct phone_zone *z;
	const char *nsn;
	if (!phone_split(e164, &z, &nsn)) {
		size_t n = e164 != NULL ? strnlen(e164, PHONE_NATIONAL_SIZE - 1) : 0;
		if (n > 0)
			memcpy(out, e164, n);
		out[n] = '\0';
		return;
	}
	char digits[10];
	digits[0] = '0';
	memcpy(digits + 1, nsn, 9);
	size_t j = 0;
	for (int i = 0; i < 10; i++) {
		if (i > 0 && i % 2 == 0)
			out[j++] = ' ';
		out[j++] = digits[i];
	}
	out[j] = '\0';
}
