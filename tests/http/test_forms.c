/*
 * test_forms.c - forms as people use them, table-driven over the HTML forms
 * of the four programs: an invalid post answers 422 (409 for a conflict),
 * keeps what the person typed, and shows the French message next to the
 * field (DSFR error group, fr-error-text with an id the field references
 * through aria-describedby, aria-invalid). Lists: pagination when long and
 * an empty state that says what to do next.
 *
 * A new form goes in form_cases; one that loses input fails the suite.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "fixtures.h"

#define TERR_ADMIN "admin.territoire@demo.rdv-solidarites.fr"
#define CITIZEN "forms.citoyen@example.fr"
#define RIGHTS_ONLY "forms.droits@demo.rdv-solidarites.fr"   /* territory right: access rights only */

enum who { ANON, ORG_ADMIN, TERRITORY_ADMIN, RIGHTS_AGENT, AGENT, USER };

struct form_case {
	enum who who;
	const char *page;   /* GET first: the form itself (its CSRF token) */
	const char *post;   /* {org}, {terr}, {agent}, {tadmin}, {sector} and {monday} are replaced */
	const char *body;
	long status;
	const char *field;  /* id of the field that carries the message */
	const char *kept;   /* what the person typed, as it must come back */
};

static const struct form_case form_cases[] = {
	/* administration */
	{ORG_ADMIN, "/admin/organisations/{org}/lieux/new", "/admin/organisations/{org}/lieux",
	 "name=&address=Rue+Zorglub+62000+Arras&availability=enabled", 422, "name", "value=\"Rue Zorglub 62000 Arras\""},
	{ORG_ADMIN, "/admin/organisations/{org}/motifs/new", "/admin/organisations/{org}/motifs",
	 "name=Motif+Zorglub&color=vert&default_duration_in_min=30&location_type=public_office&bookable_by=agents"
	 "&visibility_type=visible_and_notified&sectorisation_level=departement", 422, "color", "value=\"Motif Zorglub\""},
	{ORG_ADMIN, "/admin/organisations/{org}/agents/new", "/admin/organisations/{org}/agents",
	 "role=agent&email=pas-un-email&first_name=Zorglub&last_name=Durand", 422, "email", "value=\"Zorglub\""},
	{ORG_ADMIN, "/admin/organisations/{org}/edit", "/admin/organisations/{org}",
	 "name=MDS+d%27Arras&address=Zorglub&external_id=Zorg+Lub+!", 422, "external_id", "value=\"Zorg Lub !\""},
	{ORG_ADMIN, "/admin/organisations/{org}/webhooks", "/admin/organisations/{org}/webhooks",
	 "target_url=http%3A%2F%2Fzorglub.fr&subscriptions=rdv", 422, "target_url", "value=\"http://zorglub.fr\""},
	{ORG_ADMIN, "/admin/organisations/{org}/webhooks", "/admin/organisations/{org}/webhooks",
	 "target_url=zorglub&subscriptions=lieu", 422, "target_url", "value=\"lieu\" checked"},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/organisations/new", "/admin/territories/{terr}/organisations",
	 "name=&address=Rue+Zorglub", 422, "name", "value=\"Rue Zorglub\""},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/settings", "/admin/territories/{terr}/settings",
	 "sms_sender_name=Zorglub+!!&reminder_hours=48&cancellation_deadline_hours=4", 422, "sms_sender_name",
	 "value=\"Zorglub !!\""},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/sectors", "/admin/territories/{terr}/sectors",
	 "name=&human_id=zorglub", 422, "name", "value=\"zorglub\""},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/zones/import", "/admin/territories/{terr}/zones/import",
	 "csv=sector_id%3Bcity_code%0Azzz%3BABCDE%0A&dry_run=1", 422, "csv", "zzz;ABCDE"},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/teams/new", "/admin/territories/{terr}/teams",
	 "name=", 422, "name", NULL},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/sectors/{sector}", "/admin/territories/{terr}/sectors/{sector}/attributions",
	 "organisation_id={org}&agent_email=zorglub%40example.fr", 422, "agent_email", "value=\"zorglub@example.fr\""},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/sectors/{sector}", "/admin/territories/{terr}/sectors/{sector}/attributions",
	 "organisation_id={org}&agent_email=zorglub%40example.fr", 422, "agent_email", "value=\"{org}\" selected"},
	{RIGHTS_AGENT, "/admin/territories/{terr}/agents/{agent}", "/admin/territories/{terr}/agents/{agent}/rights",
	 "allow_to_manage_teams=1", 422, "r2", "name=\"allow_to_manage_teams\" value=\"1\" checked"},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/agents/{tadmin}", "/admin/territories/{terr}/agents/{tadmin}/territory_admin",
	 "confirm=1", 422, "territory_admin", "name=\"territory_admin\" value=\"1\" aria-invalid"},
	{ORG_ADMIN, "/admin/organisations/{org}/agenda_accesses", "/admin/organisations/{org}/agenda_accesses",
	 "owner_agent_id={agent}&grantee_agent_id={agent}&level=write", 422, "grantee_agent_id",
	 "value=\"write\" selected"},
	/* agents' pages */
	{ANON, "/agent/sign_in", "/agent/sign_in", "email=zorglub%40example.fr&password=mauvais", 422, "password",
	 "value=\"zorglub@example.fr\""},
	{ANON, "/agent/password/new", "/agent/password", "email=zorglub", 422, "email", "value=\"zorglub\""},
	{AGENT, "/agent/profile", "/agent/profile", "first_name=Zorglub&last_name=&email=agent.pmi%40demo.rdv-solidarites.fr",
	 422, "last_name", "value=\"Zorglub\""},
	{AGENT, "/agent/organisations/{org}/plages_ouverture/new", "/agent/organisations/{org}/plages_ouverture",
	 "agent_id={agent}&title=Zorglub&first_day={monday}&start_time=25%3A00&end_time=12%3A00", 422, "start_time",
	 "value=\"Zorglub\""},
	{AGENT, "/agent/organisations/{org}/absences/new", "/agent/organisations/{org}/absences",
	 "agent_id={agent}&title=Zorglub&first_day={monday}&start_time=09%3A00&end_day=zorglub&end_time=12%3A00", 422,
	 "end_day", "value=\"Zorglub\""},
	{AGENT, "/agent/profile", "/agent/profile/api_tokens", "name=", 422, "token-name", NULL},
	{AGENT, "/agent/organisations/{org}/agenda_accesses", "/agent/organisations/{org}/agenda_accesses",
	 "owner_id={agent}&grantee_id={agent}&level=write", 422, "grantee_id", "id=\"level-write\" name=\"level\" value=\"write\" checked"},
	{AGENT, "/agent/organisations/{org}/rdvs/new", "/agent/organisations/{org}/rdvs",
	 "motif_id=&date={monday}&time=09%3A00&agent_ids={agent}&context=Zorglub", 422, "motif_id", ">Zorglub</textarea>"},
	{AGENT, "/agent/organisations/{org}/usagers/new", "/agent/organisations/{org}/usagers",
	 "first_name=Zorglub&last_name=Durand&phone_number=12", 422, "phone_number", "value=\"Zorglub\""},
	/* citizens' pages */
	{ANON, "/users/sign_up", "/users/sign_up", "first_name=Zorglub&last_name=Durand&email=pas-un-email&password=x",
	 422, "email", "value=\"Zorglub\""},
	{ANON, "/users/sign_in", "/users/sign_in", "email=zorglub%40example.fr&password=mauvais", 422, "password",
	 "value=\"zorglub@example.fr\""},
	{USER, "/relatives/new", "/relatives", "first_name=&last_name=Zorglub&birth_date=", 422, "first_name",
	 "value=\"Zorglub\""},
	{USER, "/relatives/new", "/relatives", "first_name=Zorglub&last_name=Durand&birth_date=2020-13-45", 422,
	 "birth_date", "value=\"Zorglub\""},
	{USER, "/users/informations", "/users/informations",
	 "first_name=Zorglub&last_name=Durand&phone_number=12&address=&birth_date=", 422, "phone_number",
	 "value=\"Zorglub\""},
	/* a prescripteur's steps ({presc}: a créneau's hidden fields) */
	{ANON, "/prescripteur/new?{presc}", "/prescripteur/beneficiaire",
	 "{presc}&presc_first_name=Zorglub&presc_last_name=Durand&presc_email=pas-un-email&presc_phone=0321123456", 422,
	 "presc_email", "value=\"Zorglub\""},
	{ANON, "/prescripteur/new?{presc}", "/prescripteur/recapitulatif",
	 "{presc}&presc_first_name=Camille&presc_last_name=Durand&presc_email=c%40example.org&presc_phone=0321123456"
	 "&first_name=Zorglub&last_name=Durand&birth_date=2020-13-45&phone=0611223344", 422, "birth_date",
	 "value=\"Zorglub\""},
	{ANON, "/prescripteur/new?{presc}", "/prescripteur/rdv",
	 "{presc}&presc_first_name=Camille&presc_last_name=Durand&presc_email=c%40example.org&presc_phone=0321123456"
	 "&first_name=Zorglub&last_name=Durand&phone=12", 422, "phone", "value=\"Zorglub\""},
};

/* test_prescripteur.c: the hidden fields of a prescripteur's booking form. */
const char *prescripteur_booking_query(void);

static char org[24], terr[24], pmi[24], tadmin[24], sector[24], monday[16];

static void ids(void)
{
	char lens[24], social[24], admin[24];
	fx_demo_ids(org, lens, pmi, social, admin);
	fx_sql(terr, sizeof(terr), "SELECT id FROM territories WHERE departement_number = '62'");
	fx_sql(tadmin, sizeof(tadmin), "SELECT r.agent_id FROM agent_territorial_roles r JOIN agents a ON a.id = r.agent_id"
	       " WHERE a.email = '%s' AND r.territory_id = %s", TERR_ADMIN, terr);
	fx_sql(sector, sizeof(sector), "SELECT min(id) FROM sectors WHERE territory_id = %s", terr);
	fx_monday(monday, 3);
	/* an agent of Arras who may manage the territory's access rights, and nothing else */
	fx_sql(NULL, 0, "INSERT INTO agents (email, first_name, last_name, password_hash, invitation_sent_at,"
	       " invitation_accepted_at) SELECT '%s', 'Droits', 'Formulaires', password_hash, invitation_sent_at,"
	       " invitation_accepted_at FROM agents WHERE email = '%s' ON CONFLICT (email) DO NOTHING", RIGHTS_ONLY, FX_PMI);
	fx_sql(NULL, 0, "INSERT INTO agent_roles (agent_id, organisation_id, access_level) SELECT id, %s, 'basic'"
	       " FROM agents WHERE email = '%s' ON CONFLICT DO NOTHING", org, RIGHTS_ONLY);
	fx_sql(NULL, 0, "INSERT INTO agent_territorial_access_rights (agent_id, territory_id, allow_to_manage_access_rights)"
	       " SELECT id, %s, true FROM agents WHERE email = '%s' ON CONFLICT DO NOTHING", terr, RIGHTS_ONLY);
}

/* s with {org}, {terr}, {agent}, {monday} and {presc} replaced, into out. */
static const char *expand(char *out, size_t n, const char *s)
{
	const struct { const char *key; const char *val; } keys[] = {
		{"{org}", org}, {"{terr}", terr}, {"{agent}", pmi}, {"{tadmin}", tadmin}, {"{sector}", sector},
		{"{monday}", monday}, {"{presc}", strstr(s, "{presc}") ? prescripteur_booking_query() : ""}};
	size_t o = 0;
	while (*s && o + 1 < n) {
		size_t k = 0;
		for (; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strncmp(s, keys[k].key, strlen(keys[k].key)) == 0)
				break;
		if (k < sizeof(keys) / sizeof(keys[0])) {
			o += (size_t)snprintf(out + o, n - o, "%s", keys[k].val);
			s += strlen(keys[k].key);
		} else {
			out[o++] = *s++;
		}
	}
	out[o < n ? o : n - 1] = '\0';
	return out;
}

static void sign_in(struct browser *b, enum who who)
{
	browser_init(b);
	switch (who) {
	case ORG_ADMIN: CU_ASSERT_EQUAL(browser_sign_in_agent(b, FX_ADMIN_ARRAS, NULL), 303); break;
	case TERRITORY_ADMIN: CU_ASSERT_EQUAL(browser_sign_in_agent(b, TERR_ADMIN, NULL), 303); break;
	case RIGHTS_AGENT: CU_ASSERT_EQUAL(browser_sign_in_agent(b, RIGHTS_ONLY, NULL), 303); break;
	case AGENT: CU_ASSERT_EQUAL(browser_sign_in_agent(b, FX_PMI, NULL), 303); break;
	case USER:
		test_citizen(CITIZEN);
		CU_ASSERT_EQUAL(browser_sign_in_user(b, CITIZEN, NULL), 303);
		break;
	case ANON: break;
	}
}

/* 1 when some aria-describedby of the body lists id among its tokens. */
static int described_by(const char *body, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = strstr(body, "aria-describedby=\""); p; p = strstr(p + 1, "aria-describedby=\"")) {
		const char *v = p + strlen("aria-describedby=\""), *end = strchr(v, '"');
		for (const char *t = v; end && t < end; t++)
			if (strncmp(t, id, n) == 0 && (t == v || t[-1] == ' ') && (t[n] == '"' || t[n] == ' '))
				return 1;
	}
	return 0;
}

/* The control with id="field" carries aria-invalid="true". */
static int marked_invalid(const char *body, const char *field)
{
	char needle[96];
	snprintf(needle, sizeof(needle), "id=\"%s\"", field);
	for (const char *p = strstr(body, needle); p; p = strstr(p + 1, needle)) {
		const char *start = p, *end = strchr(p, '>');
		while (start > body && *start != '<')
			start--;
		if (strncmp(start, "<input", 6) != 0 && strncmp(start, "<select", 7) != 0 &&
		    strncmp(start, "<textarea", 9) != 0)
			continue;
		const char *inv = strstr(start, "aria-invalid=\"true\"");
		if (inv && end && inv < end)
			return 1;
	}
	return 0;
}

static void check_case(const struct form_case *fc)
{
	char page[512], post[512], body[1024], errid[96];
	struct browser b;
	sign_in(&b, fc->who);
	long got = browser_get(&b, expand(page, sizeof(page), fc->page));
	CU_ASSERT_EQUAL(got, 200);
	got = browser_post(&b, expand(post, sizeof(post), fc->post), expand(body, sizeof(body), fc->body), 1);
	const char *html = b.body.data ? b.body.data : "";
	snprintf(errid, sizeof(errid), "%s-error", fc->field);
	char id_attr[128];
	snprintf(id_attr, sizeof(id_attr), "id=\"%s\"", errid);
	int ok_status = got == fc->status, ok_group = strstr(html, "-group--error") != NULL;
	int ok_text = strstr(html, "fr-error-text") != NULL && strstr(html, id_attr) != NULL;
	int ok_aria = described_by(html, errid) && marked_invalid(html, fc->field);
	char kept[256];
	int ok_kept = fc->kept == NULL || strstr(html, expand(kept, sizeof(kept), fc->kept)) != NULL;
	if (!(ok_status && ok_group && ok_text && ok_aria && ok_kept))
		fprintf(stderr, "forms: POST %s -> %ld (want %ld) group=%d error-text=%d aria=%d kept=%d\n", post, got,
			fc->status, ok_group, ok_text, ok_aria, ok_kept);
	CU_ASSERT(ok_status);
	CU_ASSERT(ok_group);
	CU_ASSERT(ok_text);
	CU_ASSERT(ok_aria);
	CU_ASSERT(ok_kept);
	browser_free(&b);
}

static void test_forms_keep_input(void)
{
	ids();
	for (size_t i = 0; i < sizeof(form_cases) / sizeof(form_cases[0]); i++)
		check_case(&form_cases[i]);
}

/* ------------------------------------------------------------ lists */

struct list_case {
	enum who who;
	const char *path;      /* a list page that is empty for the viewer */
	const char *next_step; /* what its empty state tells to do */
};

static const struct list_case empty_lists[] = {
	{ORG_ADMIN, "/admin/organisations/{org}/agents?q=zzzzorglub", "videz le champ de recherche"},
	{TERRITORY_ADMIN, "/admin/territories/{terr}/agents?q=zzzzorglub", "videz le champ de recherche"},
	{ORG_ADMIN, "/admin/organisations/{org}/audit?item_type=zorglub", "Élargissez la période"},
	{USER, "/relatives", "pour prendre rendez-vous à sa place"},
	{USER, "/users/rdvs", "Prendre un rendez-vous"},
};

static void test_empty_states(void)
{
	ids();
	char path[512];
	for (size_t i = 0; i < sizeof(empty_lists) / sizeof(empty_lists[0]); i++) {
		struct browser b;
		sign_in(&b, empty_lists[i].who);
		CU_ASSERT_EQUAL(browser_get(&b, expand(path, sizeof(path), empty_lists[i].path)), 200);
		if (!browser_body_has(&b, empty_lists[i].next_step))
			fprintf(stderr, "forms: %s has no empty state saying « %s »\n", path, empty_lists[i].next_step);
		CU_ASSERT(browser_body_has(&b, empty_lists[i].next_step));
		browser_free(&b);
	}
}

/* 60 sectors: the list shows 50 and a DSFR pagination to the rest; a list of one
 * page has no pager ("Page 1 sur 1"). */
static void test_sectors_paginated(void)
{
	ids();
	struct browser b;
	sign_in(&b, TERRITORY_ADMIN);
	char path[256];
	snprintf(path, sizeof(path), "/admin/territories/%s/sectors", terr);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(!browser_body_has(&b, "fr-pagination"));
	CU_ASSERT(!browser_body_has(&b, "Page 1 sur 1"));
	browser_free(&b);
	fx_sql(NULL, 0, "INSERT INTO sectors (territory_id, name, human_id) SELECT %s, 'Zorglub ' || lpad(g::text, 2, '0'),"
			" 'zorglub-' || g FROM generate_series(1, 60) g", terr);
	sign_in(&b, TERRITORY_ADMIN);
	snprintf(path, sizeof(path), "/admin/territories/%s/sectors", terr);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "fr-pagination"));
	CU_ASSERT(browser_body_has(&b, "Page suivante"));
	CU_ASSERT(browser_body_has(&b, "page=2"));
	snprintf(path, sizeof(path), "/admin/territories/%s/sectors?page=2", terr);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Zorglub 60"));
	CU_ASSERT(browser_body_has(&b, "Page précédente"));
	CU_ASSERT(browser_body_has(&b, "Page 2 sur 2"));
	browser_free(&b);
	fx_sql(NULL, 0, "DELETE FROM sectors WHERE territory_id = %s AND human_id LIKE 'zorglub-%%'", terr);
}

void register_forms_http(void)
{
	CU_pSuite s = CU_add_suite("http: forms keep input and show errors in place", NULL, NULL);
	CU_add_test(s, "every form: 422, input kept, French message next to the field", test_forms_keep_input);
	CU_add_test(s, "empty lists say what to do next", test_empty_states);
	CU_add_test(s, "a long list is paginated (DSFR)", test_sectors_paginated);
}
