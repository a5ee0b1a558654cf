/*
 * valid.c - pure validators with French messages (see valid.h).
 *
 * Hand-written ASCII parsing throughout: strtol and ctype depend on the
 * locale and accept leading spaces, signs and hex that a form field should
 * not. Every table here is const, so the module is thread-safe.
 */
#include "valid.h"
#include "rdv.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#define MSG_REQUIRED "Ce champ est obligatoire."
#define MSG_BAD_CHARS "Ce champ contient des caractères non valides."
#define MSG_TOO_SHORT "Ce champ est trop court."
#define MSG_TOO_LONG "Ce champ est trop long."
#define MSG_NOT_INT "Ce champ doit être un nombre entier."
#define MSG_TOO_SMALL "La valeur est trop petite."
#define MSG_TOO_BIG "La valeur est trop grande."
#define MSG_BAD_ID "L'identifiant n'est pas valide."
#define MSG_DATE_FORMAT "La date doit être au format JJ/MM/AAAA."
#define MSG_DATE_MISSING "Cette date n'existe pas."
#define MSG_DATE_RANGE "L'année doit être comprise entre 1900 et 2100."
#define MSG_TIME_FORMAT "L'heure doit être au format HH:MM."
#define MSG_TIME_RANGE "Cette heure n'existe pas."
#define MSG_EMAIL "L'adresse électronique n'est pas valide."
#define MSG_ENUM "Cette valeur n'est pas autorisée."
#define MSG_COLOR "La couleur doit être au format #RRGGBB."
#define MSG_PW_SHORT "Le mot de passe doit contenir au moins 12 caractères."
#define MSG_PW_LONG "Le mot de passe est trop long."
#define MSG_PW_MIX "Le mot de passe doit contenir au moins un chiffre et une lettre."
#define MSG_PW_COMMON "Ce mot de passe est trop courant : choisissez-en un autre."
#define MSG_DATETIME "La date et l'heure ne sont pas valides."

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_BYTES 1024

static int fail(const char **msg, const char *text)
{
	if (msg != NULL)
		*msg = text;
	return RDV_EINVAL;
}

/* ---- ASCII and UTF-8 helpers ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int ascii_equal_nocase(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (to_lower(*a) != to_lower(*b))
			return 0;
	return *a == *b;
}

/* Decodes one strict UTF-8 sequence at s (NUL-terminated): returns its
 * length and the code point, or 0 when malformed (overlong, surrogate,
 * > U+10FFFF, truncated) or at the terminating NUL. */
static size_t utf8_decode(const char *str, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c == 0)
		return 0;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; min = 0x80; c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; min = 0x800; c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; min = 0x10000; c &= 0x07;
	} else
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int is_space_cp(unsigned cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xa0 || cp == 0x2009 ||
	       cp == 0x202f;
}

/* C0, DEL and C1 controls. */
static int is_control_cp(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Parses exactly n ASCII digits. */
static int parse_fixed(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Parses 1 or 2 digits; returns how many were used, 0 when none. */
static int parse_1or2(const char *s, int *out)
{
	if (!is_digit(s[0]))
		return 0;
	if (is_digit(s[1])) {
		*out = (s[0] - '0') * 10 + (s[1] - '0');
		return 2;
	}
	*out = s[0] - '0';
	return 1;
}

/* ---- strings ---- */

int valid_required(const char *s, const char **msg)
{
	if (s == NULL)
		return fail(msg, MSG_REQUIRED);
	while (*s != '\0') {
		unsigned cp;
		size_t len = utf8_decode(s, &cp);
		if (len == 0 || !is_space_cp(cp))
			return 0; /* something there; valid_length judges bad bytes */
		s += len;
	}
	return fail(msg, MSG_REQUIRED);
}

int valid_length(const char *s, size_t min, size_t max, const char **msg)
{
	size_t chars = 0;
	if (s == NULL)
		s = "";
	while (*s != '\0') {
		unsigned cp;
		size_t len = utf8_decode(s, &cp);
		if (len == 0)
			return fail(msg, MSG_BAD_CHARS);
		if (is_control_cp(cp) && cp != '\n' && cp != '\r' && cp != '\t')
			return fail(msg, MSG_BAD_CHARS);
		chars++;
		s += len;
	}
	if (chars < min)
		return fail(msg, min == 1 ? MSG_REQUIRED : MSG_TOO_SHORT);
	if (chars > max)
		return fail(msg, MSG_TOO_LONG);
	return 0;
}

/* ---- numbers ---- */

/* Accumulates negatively: LLONG_MIN has no positive counterpart. */
static int parse_ll(const char *s, long long *out)
{
	int neg = 0;
	long long v = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!is_digit(*s))
			return 0;
		int d = *s - '0';
		if (v < (LLONG_MIN + d) / 10)
			return -1; /* overflow */
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == LLONG_MIN)
			return -1;
		v = -v;
	}
	*out = v;
	return 1;
}

int valid_int(const char *s, long long min, long long max, long long *out, const char **msg)
{
	long long v;
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	int rc = parse_ll(s, &v);
	if (rc == 0)
		return fail(msg, MSG_NOT_INT);
	if (rc < 0)
		return fail(msg, s[0] == '-' ? MSG_TOO_SMALL : MSG_TOO_BIG);
	if (v < min)
		return fail(msg, MSG_TOO_SMALL);
	if (v > max)
		return fail(msg, MSG_TOO_BIG);
	*out = v;
	return 0;
}

int valid_id(const char *s, long long *out, const char **msg)
{
	long long v;
	if (s == NULL || parse_ll(s, &v) != 1 || v < 1)
		return fail(msg, MSG_BAD_ID);
	*out = v;
	return 0;
}

/* ---- dates and times ---- */

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* 0 when y-m-d is a real date in range, else the message. */
static const char *date_check(int y, int m, int d)
{
	if (y < 1900 || y > 2100)
		return MSG_DATE_RANGE;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return MSG_DATE_MISSING;
	return NULL;
}

/* "YYYY-MM-DD" at s; returns the characters used (10) or 0. */
static int parse_iso_date(const char *s, int *y, int *m, int *d)
{
	if (!parse_fixed(s, 4, y) || s[4] != '-' || !parse_fixed(s + 5, 2, m) ||
	    s[7] != '-' || !parse_fixed(s + 8, 2, d))
		return 0;
	return 10;
}

/* "D/M/YYYY" to "DD/MM/YYYY", the whole string. */
static int parse_french_date(const char *s, int *y, int *m, int *d)
{
	int n = parse_1or2(s, d);
	if (n == 0 || s[n] != '/')
		return 0;
	s += n + 1;
	n = parse_1or2(s, m);
	if (n == 0 || s[n] != '/')
		return 0;
	s += n + 1;
	return parse_fixed(s, 4, y) && s[4] == '\0';
}

int valid_date(const char *s, int *y, int *m, int *d, const char **msg)
{
	int yy, mm, dd;
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	int ok = (parse_iso_date(s, &yy, &mm, &dd) == 10 && s[10] == '\0') ||
		 parse_french_date(s, &yy, &mm, &dd);
	if (!ok)
		return fail(msg, MSG_DATE_FORMAT);
	const char *err = date_check(yy, mm, dd);
	if (err != NULL)
		return fail(msg, err);
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

int valid_time(const char *s, int *h, int *min, const char **msg)
{
	int hh, mm = 0;
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	int n = parse_1or2(s, &hh);
	if (n == 0)
		return fail(msg, MSG_TIME_FORMAT);
	const char *p = s + n;
	if (*p == ':') {
		if (!parse_fixed(p + 1, 2, &mm) || p[3] != '\0')
			return fail(msg, MSG_TIME_FORMAT);
	} else if (*p == 'h' || *p == 'H') {
		/* "14h" alone is how people write a full hour */
		if (p[1] != '\0' && (!parse_fixed(p + 1, 2, &mm) || p[3] != '\0'))
			return fail(msg, MSG_TIME_FORMAT);
	} else
		return fail(msg, MSG_TIME_FORMAT);
	if (hh > 23 || mm > 59)
		return fail(msg, MSG_TIME_RANGE);
	*h = hh;
	*min = mm;
	return 0;
}

/* "HH:MM[:SS[.fff]]" at s; returns the characters used or 0. */
static int parse_clock(const char *s, int *h, int *mi, int *sec)
{
	int n = 5;
	*sec = 0;
	if (!parse_fixed(s, 2, h) || s[2] != ':' || !parse_fixed(s + 3, 2, mi))
		return 0;
	if (s[5] == ':') {
		if (!parse_fixed(s + 6, 2, sec))
			return 0;
		n = 8;
		if (s[8] == '.') {
			/* fractions (JavaScript's toISOString) are truncated */
			n = 9;
			while (is_digit(s[n]))
				n++;
			if (n == 9)
				return 0;
		}
	}
	if (*h > 23 || *mi > 59 || *sec > 59)
		return 0;
	return n;
}

/* "Z" or "±HH:MM", the rest of the string; *off gets seconds east of UTC. */
static int parse_offset(const char *s, long *off)
{
	int oh, om;
	if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
		*off = 0;
		return 1;
	}
	if ((s[0] != '+' && s[0] != '-') || !parse_fixed(s + 1, 2, &oh) || s[3] != ':' ||
	    !parse_fixed(s + 4, 2, &om) || s[6] != '\0' || oh > 23 || om > 59)
		return 0;
	*off = (long)oh * 3600 + om * 60;
	if (s[0] == '-')
		*off = -*off;
	return 1;
}

int valid_iso_datetime(const char *s, long long *epoch_utc, const char **msg)
{
	int y, mo, d, h, mi, sec;
	long off;
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	if (parse_iso_date(s, &y, &mo, &d) != 10 || (s[10] != 'T' && s[10] != 't'))
		return fail(msg, MSG_DATETIME);
	int n = parse_clock(s + 11, &h, &mi, &sec);
	if (n == 0 || !parse_offset(s + 11 + n, &off))
		return fail(msg, MSG_DATETIME);
	const char *err = date_check(y, mo, d);
	if (err != NULL)
		return fail(msg, err);
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	/* timegm: UTC, no TZ lookup, thread-safe (glibc, BSDs) */
	*epoch_utc = (long long)timegm(&tm) - off;
	return 0;
}

/* ---- e-mail, enum, colour, bool ---- */

/* Bytes an address may not contain: they are legal only inside quoted local
 * parts nobody uses, and are how an address injects recipients or headers. */
static int email_char_ok(unsigned char c)
{
	if (c <= 0x20 || c == 0x7f)
		return 0;
	return strchr("\"(),:;<>[\\]", c) == NULL;
}

static int email_domain_ok(const char *dom)
{
	size_t len = strlen(dom);
	if (len < 3 || strchr(dom, '.') == NULL)
		return 0;
	if (dom[0] == '.' || dom[len - 1] == '.' || strstr(dom, "..") != NULL)
		return 0;
	return dom[0] != '-' && strchr(dom, '@') == NULL;
}

int valid_email(const char *s, const char **msg)
{
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	size_t len = strlen(s);
	const char *at = strchr(s, '@');
	if (len > 254 || at == NULL || at == s || at - s > 64)
		return fail(msg, MSG_EMAIL);
	for (const char *p = s; *p != '\0'; p++)
		if (!email_char_ok((unsigned char)*p))
			return fail(msg, MSG_EMAIL);
	/* non-ASCII (internationalised addresses) must at least be UTF-8 */
	for (const char *p = s; *p != '\0';) {
		unsigned cp;
		size_t n = utf8_decode(p, &cp);
		if (n == 0 || is_control_cp(cp))
			return fail(msg, MSG_EMAIL);
		p += n;
	}
	if (!email_domain_ok(at + 1) || s[0] == '.' || at[-1] == '.')
		return fail(msg, MSG_EMAIL);
	return 0;
}

int valid_enum(const char *s, const char *const *allowed, int *index, const char **msg)
{
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	for (int i = 0; allowed != NULL && allowed[i] != NULL; i++) {
		if (strcmp(s, allowed[i]) == 0) {
			if (index != NULL)
				*index = i;
			return 0;
		}
	}
	return fail(msg, MSG_ENUM);
}

int valid_color(const char *s, const char **msg)
{
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	if (s[0] != '#' || strlen(s) != 7)
		return fail(msg, MSG_COLOR);
	for (int i = 1; i < 7; i++)
		if (!is_hex(s[i]))
			return fail(msg, MSG_COLOR);
	return 0;
}

int valid_bool(const char *s, int *out)
{
	static const char *const yes[] = {"1", "true", "on", "oui", NULL};
	static const char *const no[] = {"", "0", "false", "off", "non", NULL};
	if (s == NULL) {
		*out = 0;
		return 0;
	}
	for (int i = 0; yes[i] != NULL; i++)
		if (ascii_equal_nocase(s, yes[i])) {
			*out = 1;
			return 0;
		}
	for (int i = 0; no[i] != NULL; i++)
		if (ascii_equal_nocase(s, no[i])) {
			*out = 0;
			return 0;
		}
	return RDV_EINVAL;
}

/* ---- passwords ---- */

/* The most used passwords in French and English leaks (lower-case). Since a
 * password must be 12 characters with a digit and a letter, what matters is
 * the word people pad to get there: "Azerty123456", "Motdepasse2024!". */
static const char *const common_passwords[] = {
	"123456", "password", "12345678", "qwerty", "123456789", "12345", "1234",
	"111111", "1234567", "dragon", "123123", "baseball", "abc123", "football",
	"monkey", "letmein", "696969", "shadow", "master", "666666", "qwertyuiop",
	"123321", "mustang", "1234567890", "michael", "654321", "superman",
	"1qaz2wsx", "7777777", "121212", "000000", "qazwsx", "123qwe", "killer",
	"trustno1", "jordan", "jennifer", "zxcvbnm", "asdfgh", "hunter", "buster",
	"soccer", "harley", "batman", "andrew", "tigger", "sunshine", "iloveyou",
	"charlie", "robert", "thomas", "hockey", "ranger", "daniel", "starwars",
	"klaster", "112233", "george", "computer", "michelle", "jessica", "pepper",
	"zxcvbn", "555555", "11111111", "131313", "freedom", "777777", "pass",
	"maggie", "159753", "aaaaaa", "ginger", "princess", "joshua", "cheese",
	"amanda", "summer", "love", "ashley", "nicole", "chelsea", "biteme",
	"matthew", "access", "yankees", "987654321", "dallas", "austin", "thunder",
	"taylor", "matrix", "william", "corvette", "hello", "martin", "heather",
	"secret", "merlin", "diamond", "1234qwer", "hammer", "silver",
	"222222", "88888888", "anthony", "justin", "test", "bailey", "q1w2e3r4t5",
	"patrick", "internet", "scooter", "orange", "11111", "golfer", "cookie",
	"richard", "samantha", "bigdog", "guitar", "jackson", "whatever", "mickey",
	"chicken", "sparky", "snoopy", "maverick", "phoenix", "camaro", "peanut",
	"morgan", "welcome", "falcon", "cowboy", "ferrari", "samsung", "andrea",
	"smokey", "steelers", "joseph", "mercedes", "dakota", "arsenal", "eagles",
	"melissa", "boomer", "booboo", "spider", "nascar", "monster", "tigers",
	"yellow", "xxxxxx", "123123123", "gateway", "marina", "diablo", "bulldog",
	"qwer1234", "compaq", "purple", "hardcore", "banana", "junior", "hannah",
	"123654", "porsche", "lakers", "iceman", "money", "cowboys", "987654",
	"london", "tennis", "999999", "ncc1701", "coffee", "scooby", "0000",
	"miller", "boston", "q1w2e3r4", "brandon", "yamaha", "chester", "mother",
	"forever", "johnny", "edward", "333333", "oliver", "redsox", "player",
	"nikita", "knight", "fender", "barney", "midnight", "please", "brandy",
	"chicago", "badboy", "slayer", "rangers", "charles", "angel", "flower",
	"bigdaddy", "rabbit", "wizard", "jasper", "enter", "rachel", "chris",
	"steven", "winner", "adidas", "victoria", "natasha", "1q2w3e4r", "jasmine",
	"winter", "prince", "fishing", "cocacola",
	"casper", "james", "232323", "raiders", "888888", "marlboro", "gandalf",
	"asdfasdf", "crystal", "87654321", "12344321", "golden", "8675309",
	"admin", "administrateur", "administrator", "welcome1", "passw0rd",
	"p@ssw0rd", "p@ssword", "qwerty123", "password1", "password123",
	/* French */
	"azerty", "azertyuiop", "azerty123", "aze123", "azertyui", "azertyu",
	"wxcvbn", "qsdfgh", "qsdfghjklm", "motdepasse", "mot2passe", "mdp",
	"123soleil", "soleil", "doudou", "loulou", "chouchou", "marseille",
	"bonjour", "bienvenue", "coucou", "jetaime", "jetaimemonamour", "nicolas",
	"julien", "camille", "chocolat", "celine", "nathalie", "isabelle",
	"olivier", "alexandre", "caroline", "sebastien", "toulouse", "paris",
	"france", "liberte", "vacances", "fromage", "poisson", "princesse",
	"papillon", "amour", "monamour", "mamour", "tresor", "maison", "pompier",
	"olivia", "marine", "doudoune", "chouquette", "bisounours", "licorne",
	"bordeaux", "nantes", "lyon", "lille", "bretagne", "chatons", "chaton",
	"minou", "titi", "toto", "tata", "lolo", "nounours", "cheval",
	"psg", "allezlom", "olympique", "motdepass", "marie", "pierre",
	"jeanne", "louise", "emma", "lucas", "hugo", "manon", "sarah",
	"laura", "sophie", "famille", "enfants", "maman", "papa", "mamie", "papi",
	"bebe", "cherie", "mamounette", "garfield", "pikachu", "pokemon", "naruto",
	"solidarite", "solidarites", "rdvsolidarites", "rendezvous",
	"departement", "mairie", "accueil", "service", "agent", "utilisateur",
	NULL,
};

static int password_is_common_word(const char *lower, size_t n)
{
	for (int i = 0; common_passwords[i] != NULL; i++)
		if (strlen(common_passwords[i]) == n && memcmp(common_passwords[i], lower, n) == 0)
			return 1;
	return 0;
}

/* The password (already ASCII-lowered) is common, or a common word padded
 * with digits and symbols on either side. */
static int password_is_common(const char *lower, size_t n)
{
	if (password_is_common_word(lower, n))
		return 1;
	size_t b = 0, e = n;
	while (b < e && !is_alpha(lower[b]) && (unsigned char)lower[b] < 0x80)
		b++;
	while (e > b && !is_alpha(lower[e - 1]) && (unsigned char)lower[e - 1] < 0x80)
		e--;
	return e > b && password_is_common_word(lower + b, e - b);
}

/* Latin letters with accents count as letters: "Été2024forêt!" has one. */
static int is_letter_cp(unsigned cp)
{
	if (cp < 0x80)
		return is_alpha((char)cp);
	return cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7;
}

int valid_password(const char *s, const char **msg)
{
	char lower[PASSWORD_MAX_BYTES + 1];
	size_t chars = 0, n = 0;
	int digit = 0, letter = 0;
	if (s == NULL || *s == '\0')
		return fail(msg, MSG_REQUIRED);
	if (strlen(s) > PASSWORD_MAX_BYTES)
		return fail(msg, MSG_PW_LONG);
	for (const char *p = s; *p != '\0';) {
		unsigned cp;
		size_t len = utf8_decode(p, &cp);
		if (len == 0 || is_control_cp(cp))
			return fail(msg, MSG_BAD_CHARS);
		digit |= cp >= '0' && cp <= '9';
		letter |= is_letter_cp(cp);
		for (size_t i = 0; i < len; i++)
			lower[n++] = to_lower(p[i]);
		chars++;
		p += len;
	}
	lower[n] = '\0';
	if (chars < PASSWORD_MIN_CHARS)
		return fail(msg, MSG_PW_SHORT);
	if (!digit || !letter)
		return fail(msg, MSG_PW_MIX);
	if (password_is_common(lower, n))
		return fail(msg, MSG_PW_COMMON);
	return 0;
}

/* ---- name normalisation ---- */

/* U+00C0..U+017F folded to one ASCII letter; '*' marks the two-letter
 * folds handled by fold_pair, '!' the two symbols (× ÷) kept as they are. */
static const char fold_latin[] =
	"aaaaaa*ceeeeiiii" /* U+00C0 */
	"dnooooo!ouuuuy**" /* U+00D0 */
	"aaaaaa*ceeeeiiii" /* U+00E0 */
	"dnooooo!ouuuuy*y" /* U+00F0 */
	"aaaaaaccccccccdd" /* U+0100 */
	"ddeeeeeeeeeegggg" /* U+0110 */
	"gggghhhhiiiiiiii" /* U+0120 */
	"ii**jjkkklllllll" /* U+0130 */
	"lllnnnnnnnnnoooo" /* U+0140 */
	"oo**rrrrrrssssss" /* U+0150 */
	"ssttttttuuuuuuuu" /* U+0160 */
	"uuuuwwyyyzzzzzzs"; /* U+0170 */
_Static_assert(sizeof(fold_latin) == 0x180 - 0xc0 + 1, "one fold per code point");

static const char *fold_pair(unsigned cp)
{
	switch (cp) {
	case 0xc6: case 0xe6: return "ae";
	case 0xde: case 0xfe: return "th";
	case 0xdf: return "ss";
	case 0x132: case 0x133: return "ij";
	case 0x152: case 0x153: return "oe";
	}
	return NULL;
}

/* Separators people write differently for the same name: spaces, hyphens,
 * dashes, apostrophes (typewriter, typographic, modifier letter, acute). */
static int is_name_separator(unsigned cp)
{
	return is_space_cp(cp) || cp == '-' || cp == '\'' || cp == '.' || cp == '`' ||
	       cp == 0xb4 || cp == 0x2bc || (cp >= 0x2010 && cp <= 0x2015) ||
	       cp == 0x2018 || cp == 0x2019;
}

/* Appends the folded form of cp (encoded as src[0..len)) at *d. */
static void name_fold_cp(unsigned cp, const char *src, size_t len, char **d)
{
	if (cp >= 0x300 && cp <= 0x36f)
		return; /* combining accents of decomposed (NFD) input */
	if (cp < 0x80) {
		*(*d)++ = to_lower((char)cp);
		return;
	}
	if (cp >= 0xc0 && cp <= 0x17f) {
		char f = fold_latin[cp - 0xc0];
		const char *pair = fold_pair(cp);
		if (pair != NULL) {
			*(*d)++ = pair[0];
			*(*d)++ = pair[1];
			return;
		}
		if (f != '!') {
			*(*d)++ = f;
			return;
		}
	}
	if (cp >= 0x218 && cp <= 0x21b) { /* Romanian ș ț, comma below */
		*(*d)++ = cp <= 0x219 ? 's' : 't';
		return;
	}
	memcpy(*d, src, len);
	*d += len;
}

char *valid_normalize_name(struct arena *a, const char *s)
{
	if (s == NULL)
		return NULL;
	/* every fold is at most as long as its UTF-8 source */
	char *out = arena_alloc(a, strlen(s) + 1);
	if (out == NULL)
		return NULL;
	char *d = out;
	while (*s != '\0') {
		unsigned cp;
		size_t len = utf8_decode(s, &cp);
		if (len == 0)
			return NULL;
		if (!is_name_separator(cp))
			name_fold_cp(cp, s, len, &d);
		s += len;
	}
	*d = '\0';
	return out;
}
