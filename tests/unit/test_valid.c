/* test_valid.c - the validators: accepted and refused inputs, parsed values,
 * French messages, calendar and epoch arithmetic, name normalisation. */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <string.h>

#include "arena.h"
#include "rdv.h"
#include "valid.h"

static void test_required(void)
{
	const char *msg = NULL;
	CU_ASSERT_EQUAL(valid_required("a", &msg), 0);
	CU_ASSERT_PTR_NULL(msg);                    /* untouched on success */
	CU_ASSERT_EQUAL(valid_required("  x  ", &msg), 0);
	CU_ASSERT_EQUAL(valid_required("é", &msg), 0);
	CU_ASSERT_EQUAL(valid_required(NULL, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
	msg = NULL;
	CU_ASSERT_EQUAL(valid_required("", &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
	CU_ASSERT_EQUAL(valid_required(" \t\r\n", &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_required("\xc2\xa0\xe2\x80\xaf ", &msg), RDV_EINVAL); /* no-break spaces */
	CU_ASSERT_EQUAL(valid_required("", NULL), RDV_EINVAL);                      /* msg optional */
}

static void test_length(void)
{
	const char *msg = NULL;
	CU_ASSERT_EQUAL(valid_length("abc", 1, 3, &msg), 0);
	/* counted in characters: "éèà" is 6 bytes, 3 characters */
	CU_ASSERT_EQUAL(valid_length("éèà", 3, 3, &msg), 0);
	CU_ASSERT_EQUAL(valid_length("\xf0\x9f\x98\x80", 1, 1, &msg), 0);
	CU_ASSERT_EQUAL(valid_length("ligne 1\r\nligne 2\tfin", 0, 100, &msg), 0);
	CU_ASSERT_EQUAL(valid_length(NULL, 0, 10, &msg), 0);
	CU_ASSERT_EQUAL(valid_length("", 0, 10, &msg), 0);
	CU_ASSERT_EQUAL(valid_length("abcd", 1, 3, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est trop long.");
	CU_ASSERT_EQUAL(valid_length("ab", 3, 10, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est trop court.");
	CU_ASSERT_EQUAL(valid_length("", 1, 10, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
	msg = NULL;
	CU_ASSERT_EQUAL(valid_length("a\x01" "b", 0, 10, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ contient des caractères non valides.");
	CU_ASSERT_EQUAL(valid_length("a\x7f", 0, 10, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_length("a\xc2\x85", 0, 10, &msg), RDV_EINVAL);       /* C1 control NEL */
	CU_ASSERT_EQUAL(valid_length("\xc0\xaf", 0, 10, &msg), RDV_EINVAL);        /* overlong */
	CU_ASSERT_EQUAL(valid_length("\xed\xa0\x80", 0, 10, &msg), RDV_EINVAL);    /* surrogate */
	CU_ASSERT_EQUAL(valid_length("\xc3", 0, 10, &msg), RDV_EINVAL);            /* truncated */
}

static void test_int(void)
{
	const char *msg = NULL;
	long long v = -1;
	CU_ASSERT_EQUAL(valid_int("42", 0, 100, &v, &msg), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(valid_int("-17", -20, 0, &v, &msg), 0);
	CU_ASSERT_EQUAL(v, -17);
	CU_ASSERT_EQUAL(valid_int("007", 0, 10, &v, &msg), 0);
	CU_ASSERT_EQUAL(v, 7);
	CU_ASSERT_EQUAL(valid_int("9223372036854775807", LLONG_MIN, LLONG_MAX, &v, &msg), 0);
	CU_ASSERT_EQUAL(v, LLONG_MAX);
	CU_ASSERT_EQUAL(valid_int("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v, &msg), 0);
	CU_ASSERT_EQUAL(v, LLONG_MIN);
	v = 5;
	CU_ASSERT_EQUAL(valid_int("9223372036854775808", LLONG_MIN, LLONG_MAX, &v, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "La valeur est trop grande.");
	CU_ASSERT_EQUAL(v, 5);                      /* untouched on failure */
	CU_ASSERT_EQUAL(valid_int("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "La valeur est trop petite.");
	CU_ASSERT_EQUAL(valid_int("99999999999999999999999", 0, 10, &v, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_int("101", 0, 100, &v, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "La valeur est trop grande.");
	CU_ASSERT_EQUAL(valid_int("-1", 0, 100, &v, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "La valeur est trop petite.");
	const char *bad[] = {"12abc", "1.5", "1e3", "0x10", " 12", "12 ", "+12", "-", "--1", "1-", "١٢"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = NULL;
		CU_ASSERT_EQUAL(valid_int(bad[i], LLONG_MIN, LLONG_MAX, &v, &msg), RDV_EINVAL);
		CU_ASSERT_STRING_EQUAL(msg, "Ce champ doit être un nombre entier.");
	}
	CU_ASSERT_EQUAL(valid_int("", 0, 10, &v, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
	CU_ASSERT_EQUAL(valid_int(NULL, 0, 10, &v, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(v, 5);
}

static void test_id(void)
{
	const char *msg = NULL;
	long long id = 0;
	CU_ASSERT_EQUAL(valid_id("1", &id, &msg), 0);
	CU_ASSERT_EQUAL(id, 1);
	CU_ASSERT_EQUAL(valid_id("9223372036854775807", &id, &msg), 0);
	CU_ASSERT_EQUAL(id, LLONG_MAX);
	CU_ASSERT_EQUAL(valid_id("0", &id, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "L'identifiant n'est pas valide.");
	CU_ASSERT_EQUAL(valid_id("-3", &id, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_id("9223372036854775808", &id, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_id("12;DROP", &id, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_id("", &id, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_id(NULL, &id, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(id, LLONG_MAX);
}

static void test_date(void)
{
	const char *msg = NULL;
	int y = 0, m = 0, d = 0;
	CU_ASSERT_EQUAL(valid_date("2026-12-07", &y, &m, &d, &msg), 0);
	CU_ASSERT(y == 2026 && m == 12 && d == 7);
	CU_ASSERT_EQUAL(valid_date("07/12/2026", &y, &m, &d, &msg), 0);
	CU_ASSERT(y == 2026 && m == 12 && d == 7);
	CU_ASSERT_EQUAL(valid_date("7/3/2026", &y, &m, &d, &msg), 0);
	CU_ASSERT(y == 2026 && m == 3 && d == 7);
	/* leap years: every 4, not every 100, every 400 */
	CU_ASSERT_EQUAL(valid_date("2024-02-29", &y, &m, &d, &msg), 0);
	CU_ASSERT(y == 2024 && m == 2 && d == 29);
	CU_ASSERT_EQUAL(valid_date("29/02/2000", &y, &m, &d, &msg), 0);
	CU_ASSERT_EQUAL(valid_date("2023-02-29", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Cette date n'existe pas.");
	CU_ASSERT_EQUAL(valid_date("29/02/1900", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_date("2100-02-29", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_date("2024-02-30", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_date("31/04/2026", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_date("2026-13-01", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_date("2026-00-10", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_date("00/01/2026", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Cette date n'existe pas.");
	CU_ASSERT_EQUAL(valid_date("2026-12-31", &y, &m, &d, &msg), 0);
	CU_ASSERT(y == 2026 && m == 12 && d == 31);
	/* the year range */
	CU_ASSERT_EQUAL(valid_date("1900-01-01", &y, &m, &d, &msg), 0);
	CU_ASSERT_EQUAL(valid_date("31/12/2100", &y, &m, &d, &msg), 0);
	CU_ASSERT_EQUAL(valid_date("1899-12-31", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "L'année doit être comprise entre 1900 et 2100.");
	CU_ASSERT_EQUAL(valid_date("01/01/2101", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "L'année doit être comprise entre 1900 et 2100.");
	/* formats */
	const char *bad[] = {"2026-1-07", "2026/12/07", "07-12-2026", "07/12/26", "07.12.2026",
			     "2026-12-07T10:00", "2026-12-07 ", " 07/12/2026", "007/12/2026",
			     "7/12/20266", "demain", "2026-12-0a", "//"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = NULL;
		CU_ASSERT_EQUAL(valid_date(bad[i], &y, &m, &d, &msg), RDV_EINVAL);
		CU_ASSERT_STRING_EQUAL(msg, "La date doit être au format JJ/MM/AAAA.");
	}
	CU_ASSERT_EQUAL(valid_date("", &y, &m, &d, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
	CU_ASSERT(y == 2100 && m == 12 && d == 31); /* untouched by the failures */
}

static void test_time(void)
{
	const char *msg = NULL;
	int h = -1, mi = -1;
	static const struct { const char *s; int h, m; } ok[] = {
		{"00:00", 0, 0}, {"23:59", 23, 59}, {"14:30", 14, 30}, {"9:05", 9, 5},
		{"9h30", 9, 30}, {"09h30", 9, 30}, {"14H45", 14, 45}, {"14h", 14, 0}, {"0h", 0, 0},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL(valid_time(ok[i].s, &h, &mi, &msg), 0);
		CU_ASSERT_EQUAL(h, ok[i].h);
		CU_ASSERT_EQUAL(mi, ok[i].m);
	}
	CU_ASSERT_EQUAL(valid_time("24:00", &h, &mi, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Cette heure n'existe pas.");
	CU_ASSERT_EQUAL(valid_time("12:60", &h, &mi, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Cette heure n'existe pas.");
	CU_ASSERT_EQUAL(valid_time("25h", &h, &mi, &msg), RDV_EINVAL);
	const char *bad[] = {"1430", "14:3", "14:300", "14:30:00", "14h3", "14h300", "h30", ":30",
			     "123:00", "14-30", "14 h 30", "midi", "14:30 "};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = NULL;
		CU_ASSERT_EQUAL(valid_time(bad[i], &h, &mi, &msg), RDV_EINVAL);
		CU_ASSERT_STRING_EQUAL(msg, "L'heure doit être au format HH:MM.");
	}
	CU_ASSERT_EQUAL(valid_time(NULL, &h, &mi, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
	CU_ASSERT(h == 0 && mi == 0);
}

static void test_email(void)
{
	const char *msg = NULL;
	const char *ok[] = {"jean.dupont@example.fr", "a@b.co", "prenom+rdv@sous.domaine.gouv.fr",
			    "o'brien@example.com", "élodie@exemple.fr", "x_y-z@a-b.fr"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CU_ASSERT_EQUAL(valid_email(ok[i], &msg), 0);
	char long_local[80], too_long[300];
	memset(long_local, 'a', 65);
	memcpy(long_local + 65, "@example.fr", 12);
	memset(too_long, 'a', 250);
	memcpy(too_long, "a@", 2);
	memcpy(too_long + 250, ".fr", 4);  /* 253 bytes: fine */
	CU_ASSERT_EQUAL(valid_email(too_long, &msg), 0);
	memcpy(too_long + 250, "aa.fr", 6); /* 255 bytes */
	const char *bad[] = {"jean.dupont", "@example.fr", "jean@", "jean@example", "jean@@example.fr",
			     "jean@exa@mple.fr", "jean dupont@example.fr", "jean@example.fr ",
			     "jean@.example.fr", "jean@example.fr.", "jean@example..fr",
			     "a<b>@example.fr", "a,b@example.fr", "a;b@example.fr", "\"a\"@example.fr",
			     "a@example.fr\r\nBcc: x@y.fr", "a\x01@example.fr", "\xc3@example.fr",
			     ".jean@example.fr", "jean.@example.fr", long_local, too_long};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = NULL;
		CU_ASSERT_EQUAL(valid_email(bad[i], &msg), RDV_EINVAL);
		CU_ASSERT_STRING_EQUAL(msg, "L'adresse électronique n'est pas valide.");
	}
	CU_ASSERT_EQUAL(valid_email("", &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
}

static void test_enum_color_bool(void)
{
	static const char *const statuts[] = {"unknown", "seen", "excused", "revoked", "noshow", NULL};
	const char *msg = NULL;
	int idx = -1;
	CU_ASSERT_EQUAL(valid_enum("unknown", statuts, &idx, &msg), 0);
	CU_ASSERT_EQUAL(idx, 0);
	CU_ASSERT_EQUAL(valid_enum("noshow", statuts, &idx, &msg), 0);
	CU_ASSERT_EQUAL(idx, 4);
	CU_ASSERT_EQUAL(valid_enum("Seen", statuts, &idx, &msg), RDV_EINVAL);   /* exact match */
	CU_ASSERT_STRING_EQUAL(msg, "Cette valeur n'est pas autorisée.");
	CU_ASSERT_EQUAL(valid_enum("seen ", statuts, &idx, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_enum("see", statuts, &idx, &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(idx, 4);
	CU_ASSERT_EQUAL(valid_enum("", statuts, &idx, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");

	CU_ASSERT_EQUAL(valid_color("#1a2B3c", &msg), 0);
	CU_ASSERT_EQUAL(valid_color("#000000", &msg), 0);
	const char *bad_colors[] = {"1a2b3c", "#1a2b3", "#1a2b3c4", "#1g2b3c", "#fff", "red", "# 1a2b3"};
	for (size_t i = 0; i < sizeof(bad_colors) / sizeof(bad_colors[0]); i++) {
		msg = NULL;
		CU_ASSERT_EQUAL(valid_color(bad_colors[i], &msg), RDV_EINVAL);
		CU_ASSERT_STRING_EQUAL(msg, "La couleur doit être au format #RRGGBB.");
	}

	int b = -1;
	const char *yes[] = {"1", "true", "on", "oui", "ON", "Oui", "TRUE"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = -1;
		CU_ASSERT_EQUAL(valid_bool(yes[i], &b), 0);
		CU_ASSERT_EQUAL(b, 1);
	}
	const char *no[] = {NULL, "", "0", "false", "off", "non", "NON", "False"};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = -1;
		CU_ASSERT_EQUAL(valid_bool(no[i], &b), 0);
		CU_ASSERT_EQUAL(b, 0);
	}
	b = -1;
	CU_ASSERT_EQUAL(valid_bool("peut-être", &b), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_bool("2", &b), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_bool("ou", &b), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_bool("true ", &b), RDV_EINVAL);
	CU_ASSERT_EQUAL(b, -1);
}

static void test_password(void)
{
	const char *msg = NULL;
	CU_ASSERT_EQUAL(valid_password("cheval7-agrafe-batterie", &msg), 0);
	CU_ASSERT_EQUAL(valid_password("Tr0mbone-Lilas", &msg), 0);
	CU_ASSERT_EQUAL(valid_password("été1234567890", &msg), 0);  /* accented letter counts */
	CU_ASSERT_EQUAL(valid_password("h4ricot vert!", &msg), 0);
	msg = NULL;
	CU_ASSERT_EQUAL(valid_password("c0urt-mdp", &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Le mot de passe doit contenir au moins 12 caractères.");
	/* 12 bytes but 11 characters */
	CU_ASSERT_EQUAL(valid_password("élan1234567", &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Le mot de passe doit contenir au moins 12 caractères.");
	CU_ASSERT_EQUAL(valid_password("sans-chiffre-du-tout", &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Le mot de passe doit contenir au moins un chiffre et une lettre.");
	CU_ASSERT_EQUAL(valid_password("123456789012345", &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Le mot de passe doit contenir au moins un chiffre et une lettre.");
	/* common words, padded to pass the other rules, whatever the case */
	const char *common[] = {"azerty123456", "Azerty123456!", "MOTDEPASSE2024", "Motdepasse123",
				"password1234", "123456soleil", "!!Marseille13", "qwertyuiop12",
				"Bienvenue2025", "2024-Doudou-2024"};
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		msg = NULL;
		CU_ASSERT_EQUAL(valid_password(common[i], &msg), RDV_EINVAL);
		CU_ASSERT_STRING_EQUAL(msg, "Ce mot de passe est trop courant : choisissez-en un autre.");
	}
	/* a common word inside a longer phrase is fine */
	CU_ASSERT_EQUAL(valid_password("azerty-est-1-clavier", &msg), 0);
	char huge[1100];
	memset(huge, 'a', sizeof(huge) - 1);
	huge[0] = '1';
	huge[sizeof(huge) - 1] = '\0';
	CU_ASSERT_EQUAL(valid_password(huge, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Le mot de passe est trop long.");
	CU_ASSERT_EQUAL(valid_password("abc\x01" "defgh12345", &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_password("abc\xc0\xaf" "defgh12345", &msg), RDV_EINVAL);
	CU_ASSERT_EQUAL(valid_password(NULL, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Ce champ est obligatoire.");
}

static void test_iso_datetime(void)
{
	const char *msg = NULL;
	long long t = 0;
	static const struct { const char *s; long long epoch; } ok[] = {
		{"2026-12-07T14:30:00+01:00", 1796650200LL},  /* winter, Paris */
		{"2026-12-07T13:30:00Z", 1796650200LL},
		{"2026-12-07T13:30Z", 1796650200LL},          /* seconds optional */
		{"2026-12-07T08:30:00-05:00", 1796650200LL},
		{"2026-12-07T13:30:00.999Z", 1796650200LL},   /* fraction truncated */
		{"2026-07-14T10:00:00+02:00", 1784016000LL},  /* summer, Paris */
		{"2026-07-14T10:00+02:00", 1784016000LL},
		{"1970-01-01T00:00:00Z", 0LL},
		{"1970-01-01T01:00:00+01:00", 0LL},
		{"2024-02-29T23:59:59-05:30", 1709270999LL},
		{"1900-01-01T00:00:00Z", -2208988800LL},
		{"2100-12-31T23:59:59Z", 4133980799LL},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = 1;
		CU_ASSERT_EQUAL(valid_iso_datetime(ok[i].s, &t, &msg), 0);
		CU_ASSERT_EQUAL(t, ok[i].epoch);
	}
	t = 7;
	const char *bad[] = {"2026-12-07T14:30:00", "2026-12-07 14:30:00+01:00", "2026-12-07",
			     "2026-12-07T24:00:00Z", "2026-12-07T14:60:00Z", "2026-12-07T14:30:60Z",
			     "2026-12-07T14:30:00+0100", "2026-12-07T14:30:00+1:00",
			     "2026-12-07T14:30:00+24:00", "2026-12-07T14:30:00Z ", "2026-12-07T14:30:00.Z",
			     "2026-12-07T1:30Z", "07/12/2026T14:30Z", "2026-12-07T14:30:00ZZ"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg = NULL;
		CU_ASSERT_EQUAL(valid_iso_datetime(bad[i], &t, &msg), RDV_EINVAL);
		CU_ASSERT_STRING_EQUAL(msg, "La date et l'heure ne sont pas valides.");
	}
	CU_ASSERT_EQUAL(valid_iso_datetime("2023-02-29T10:00:00Z", &t, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "Cette date n'existe pas.");
	CU_ASSERT_EQUAL(valid_iso_datetime("2101-01-01T00:00:00Z", &t, &msg), RDV_EINVAL);
	CU_ASSERT_STRING_EQUAL(msg, "L'année doit être comprise entre 1900 et 2100.");
	CU_ASSERT_EQUAL(t, 7);
}

static void test_normalize_name(void)
{
	struct arena *a = arena_new(1024);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	static const struct { const char *in, *out; } cases[] = {
		{"Éloïse-Marie D'Arc", "eloisemariedarc"},
		{"François Lefèvre", "francoislefevre"},
		{"Cœur d\xe2\x80\x99" "Alène", "coeurdalene"},        /* typographic apostrophe */
		{"Lætitia Straße", "laetitiastrasse"},
		{"ÅSA ØSTERGÅRD", "asaostergard"},
		{"Łukasz Wałęsa", "lukaszwalesa"},
		{"Dvořák Šťastný", "dvorakstastny"},
		{"Ștefan Țurcanu", "stefanturcanu"},              /* Romanian comma below */
		{"Ÿvette Þór", "yvettethor"},
		{"Jean\xc2\xa0Paul", "jeanpaul"},                 /* no-break space */
		{"E\xcc\x81lise", "elise"},                       /* decomposed é */
		{"St. Pierre", "stpierre"},
		{"ANNE-SOPHIE", "annesophie"},
		{"Louis XIV 2", "louisxiv2"},
		{"Ζωή", "Ζωή"},                                   /* other scripts kept */
		{"  ", ""},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = valid_normalize_name(a, cases[i].in);
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		CU_ASSERT_STRING_EQUAL(n, cases[i].out);
	}
	/* the point: spellings of one person meet */
	CU_ASSERT_STRING_EQUAL(valid_normalize_name(a, "Jean-François O'Neil"),
			       valid_normalize_name(a, "jean francois oneil"));
	CU_ASSERT_PTR_NULL(valid_normalize_name(a, NULL));
	CU_ASSERT_PTR_NULL(valid_normalize_name(a, "bad \xc3"));
	CU_ASSERT_PTR_NULL(valid_normalize_name(a, "\xed\xa0\x80"));
	arena_free(a);
}

void register_valid_suite(void)
{
	CU_pSuite s = CU_add_suite("valid", NULL, NULL);
	CU_add_test(s, "required", test_required);
	CU_add_test(s, "length in characters", test_length);
	CU_add_test(s, "integers", test_int);
	CU_add_test(s, "ids", test_id);
	CU_add_test(s, "dates", test_date);
	CU_add_test(s, "times", test_time);
	CU_add_test(s, "e-mail addresses", test_email);
	CU_add_test(s, "enum, colour, bool", test_enum_color_bool);
	CU_add_test(s, "passwords", test_password);
	CU_add_test(s, "ISO date-times to epoch", test_iso_datetime);
	CU_add_test(s, "name normalisation", test_normalize_name);
}
