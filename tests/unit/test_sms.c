/*
 * test_sms.c - SMS text: ASCII folding, GSM-7 accounting, and every SMS
 * template rendered with long but realistic data fitting ONE segment.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sms.h"

static void test_sms_fold(void)
{
	struct buf b = BUF_INIT;
	sms_fold("Éloïse  Lefèvre,\n à l’Hôtel — «\xc2\xa0" "cœur\xc2\xa0»  ", &b);
	CU_ASSERT_STRING_EQUAL(b.data, "Eloise Lefevre, a l'Hotel - \" coeur \"");
	sms_fold("çàéèêëîïôöùûüÿ ÇÀÉÈ", &b);
	CU_ASSERT_STRING_EQUAL(b.data, "caeeeeiioouuuy CAEE");
	sms_fold("emoji \xf0\x9f\x98\x80 ok", &b);
	CU_ASSERT_STRING_EQUAL(b.data, "emoji ? ok");
	CU_ASSERT(sms_is_gsm7(b.data));
	buf_free(&b);
}

static void test_sms_segments(void)
{
	char s[400];
	memset(s, 'a', sizeof(s));
	s[160] = '\0';
	CU_ASSERT_EQUAL(sms_segments(s), 1);
	s[160] = 'a';
	s[161] = '\0';
	CU_ASSERT_EQUAL(sms_segments(s), 2);
	s[161] = 'a';
	s[306] = '\0';
	CU_ASSERT_EQUAL(sms_segments(s), 2);
	s[306] = 'a';
	s[307] = '\0';
	CU_ASSERT_EQUAL(sms_segments(s), 3);
	/* extension characters count twice */
	memset(s, 'a', 160);
	s[0] = '[';
	s[160] = '\0';
	CU_ASSERT_EQUAL(sms_gsm7_length(s), 161);
	CU_ASSERT_EQUAL(sms_segments(s), 2);
	/* one accent left: UCS-2, 70 characters per SMS */
	CU_ASSERT(!sms_is_gsm7("é"));
	CU_ASSERT_EQUAL(sms_segments("Bonjour é"), 1);
	char u[200] = "";
	for (int i = 0; i < 71; i++)
		strcat(u, i == 0 ? "\xc3\xa9" : "a");   /* test code: fixed sizes */
	CU_ASSERT_EQUAL(sms_segments(u), 2);
	CU_ASSERT(!sms_is_gsm7("a`b"));
}

static struct tmpl_set *load(void)
{
	const char *dir = getenv("RDV_TEMPLATES");
	char err[512];
	struct tmpl_set *set = tmpl_load_dir(dir && dir[0] ? dir : "templates", err, sizeof(err));
	if (set == NULL)
		fprintf(stderr, "templates: %s\n", err);
	return set;
}

/* The longest realistic values: a Pas-de-Calais lieu, a 7-digit participation id. */
static struct tmpl_vars *realistic(struct arena *a, int office)
{
	struct tmpl_vars *v = tmpl_vars_new(a);
	tmpl_set_var(v, "service", "CPEF");
	tmpl_set_var(v, "date_short", "mer. 30/12 à 14h30");
	tmpl_set_var(v, "place_long", office ? "Maison Départementale de la Solidarité d'Hénin-Beaumont, "
					       "145 boulevard Frédéric Chopin, 62110 Hénin-Beaumont"
					     : "RDV téléphonique");
	tmpl_set_var(v, "place_short", office ? "145 boulevard Frédéric Chopin, 62110 Hénin-Beaumont" : "par téléphone");
	tmpl_set_var(v, "org_phone", "03 21 21 62 62");
	tmpl_set_var(v, "link", "https://rdv.pasdecalais.fr/r/1234567/"
				"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE");
	return v;
}

static void test_sms_templates_one_segment(void)
{
	struct tmpl_set *set = load();
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	static const char *const names[] = {"rdv_created", "rdv_updated", "rdv_cancelled", "rdv_upcoming_reminder",
					    "new_creneau_available"};
	struct arena *a = arena_new(8192);
	struct buf out = BUF_INIT;
	for (int office = 0; office < 2; office++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			int n = sms_build(set, names[i], realistic(a, office), &out);
			CU_ASSERT_EQUAL(n, 1);
			CU_ASSERT(out.len <= 160);
			CU_ASSERT(sms_is_gsm7(out.data));
			CU_ASSERT(strstr(out.data, "https://rdv.pasdecalais.fr/r/1234567/") != NULL);
			CU_ASSERT(strstr(out.data, "30/12 a 14h30") != NULL);
			if (n != 1 || out.len > 160)
				fprintf(stderr, "\n%s (%zu): %s\n", names[i], out.len, out.data);
		}
	}
	/* shorter data keeps more details: the lieu, then the service's phone number */
	struct tmpl_vars *v = realistic(a, 1);
	tmpl_set_var(v, "place_long", "MDS d'Arras, 2 rue X, 62000 Arras");
	CU_ASSERT_EQUAL(sms_build(set, "rdv_created", v, &out), 1);
	CU_ASSERT(strstr(out.data, "MDS d'Arras, 2 rue X") != NULL);
	tmpl_set_var(v, "link", "https://rdv.fr/r/1/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE");
	CU_ASSERT_EQUAL(sms_build(set, "rdv_created", v, &out), 1);
	CU_ASSERT(strstr(out.data, "Tel 03 21 21 62 62") != NULL);
	CU_ASSERT(strstr(out.data, "MDS d'Arras") != NULL);
	CU_ASSERT_EQUAL(sms_build(set, "no_such_template", v, &out), -3);
	buf_free(&out);
	arena_free(a);
	tmpl_set_free(set);
}

/* The "invite to book" SMS: one segment with the whole link, the
 * organisation's name dropped first when long. */
static void test_sms_invitation(void)
{
	struct tmpl_set *set = load();
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	struct arena *a = arena_new(4096);
	struct buf out = BUF_INIT;
	struct tmpl_vars *v = tmpl_vars_new(a);
	tmpl_set_var(v, "public_url", "https://rdv.pasdecalais.fr");
	tmpl_set_var(v, "token", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE");
	tmpl_set_var(v, "organisation", "MDS d'Arras");
	CU_ASSERT_EQUAL(sms_build(set, "rdv_invitation", v, &out), 1);
	CU_ASSERT(strstr(out.data, "MDS d'Arras vous invite") != NULL);
	CU_ASSERT(strstr(out.data, "https://rdv.pasdecalais.fr/prendre_rdv?invitation_token="
				   "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE") != NULL);
	tmpl_set_var(v, "organisation", "Maison Départementale de la Solidarité d'Hénin-Beaumont et de Carvin, "
					"site principal du boulevard Frédéric Chopin");
	CU_ASSERT_EQUAL(sms_build(set, "rdv_invitation", v, &out), 1);
	CU_ASSERT(out.len <= 160);
	CU_ASSERT(strstr(out.data, "invitation_token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE") != NULL);
	buf_free(&out);
	arena_free(a);
	tmpl_set_free(set);
}

static void test_sms_log_adapter(void)
{
	char dir[] = "/tmp/rdv-sms-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	char logdir[64], path[80];
	snprintf(logdir, sizeof(logdir), "%s/log", dir);
	CU_ASSERT_EQUAL(mkdir(logdir, 0700), 0);
	setenv("RDV_STATE", dir, 1);
	unsetenv("RDV_SMS_ADAPTER");
	char err[128];
	int permanent = 1;
	CU_ASSERT_EQUAL(sms_send("+33612345678", "PasDeCalais", "Bonjour", "1", err, sizeof(err), &permanent), 0);
	CU_ASSERT_EQUAL(permanent, 0);
	snprintf(path, sizeof(path), "%s/sms.log", logdir);
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char line[256] = "";
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	CU_ASSERT(strstr(line, "to=+33612345678 from=PasDeCalais segments=1 Bonjour") != NULL);
	unlink(path);
	rmdir(logdir);
	rmdir(dir);
	setenv("RDV_SMS_ADAPTER", "pigeon", 1);
	CU_ASSERT(sms_send("+33612345678", "x", "y", "1", err, sizeof(err), &permanent) < 0);
	CU_ASSERT_EQUAL(permanent, 1);
	unsetenv("RDV_SMS_ADAPTER");
}

void register_sms_suite(void)
{
	CU_pSuite s = CU_add_suite("sms", NULL, NULL);
	CU_add_test(s, "ASCII folding", test_sms_fold);
	CU_add_test(s, "GSM-7 and UCS-2 segments", test_sms_segments);
	CU_add_test(s, "every template fits one SMS with realistic data", test_sms_templates_one_segment);
	CU_add_test(s, "log adapter and unknown adapter", test_sms_log_adapter);
	CU_add_test(s, "invitation SMS: one segment, the whole link", test_sms_invitation);
}
