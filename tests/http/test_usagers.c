/*
 * test_usagers.c - the usagers pages and API against the running stack:
 * list and search, create (responsable, proche) with validation and the
 * duplicate rules, other organisation → 404, add to my organisation, edit,
 * referents and "mes usagers", delete = anonymisation, merge, and the JSON
 * API (/api/v1/organisations/:org/users).
 */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"
#define TERRITOIRE "admin.territoire@demo.rdv-solidarites.fr"
#define LENS "agent.lens@demo.rdv-solidarites.fr"

static long long arras, lens;
static char base[128];      /* /agent/organisations/<arras>/usagers */

static int suite_init(void)
{
	arras = test_org_id("MDS d'Arras");
	lens = test_org_id("MDS de Lens");
	snprintf(base, sizeof(base), "/agent/organisations/%lld/usagers", arras);
	return arras && lens ? 0 : 1;
}

static long long sql_ll(const char *sql)
{
	char out[64];
	if (test_sql(sql, out, sizeof(out)) != 0)
		return -1;
	return strtoll(out, NULL, 10);
}

/* The id at the end of the last redirect ("…/usagers/123"). */
static long long location_id(const struct browser *b)
{
	const char *p = strrchr(b->location, '/');
	return p ? strtoll(p + 1, NULL, 10) : 0;
}

static void sign_in(struct browser *b, const char *email)
{
	browser_init(b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(b, email, NULL), 303);
	browser_get(b, base);   /* a fresh CSRF token */
}

/* POST a new usager; returns the status. */
static long create(struct browser *b, const char *form)
{
	char path[256];
	snprintf(path, sizeof(path), "%s", base);
	return browser_post(b, path, form, 1);
}

static long long create_ok(struct browser *b, const char *form)
{
	long st = create(b, form);
	CU_ASSERT_EQUAL(st, 303);
	return st == 303 ? location_id(b) : 0;
}

static void test_index_and_search(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, base), 302);   /* signed out */
	browser_free(&b);
	sign_in(&b, PMI);
	CU_ASSERT_EQUAL(browser_get(&b, base), 200);
	CU_ASSERT(browser_body_has(&b, "Rechercher un usager"));
	CU_ASSERT(browser_body_has(&b, "Page 1 sur"));
	/* accent- and case-insensitive, any word order */
	char path[256];
	snprintf(path, sizeof(path), "%s?q=DEM%%C3%%B4ULIN+sarah", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Sarah DEMOULIN"));
	/* by phone, typed any way */
	snprintf(path, sizeof(path), "%s?q=06.71.23.45.89", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Sarah DEMOULIN"));
	/* by birth date */
	snprintf(path, sizeof(path), "%s?q=17%%2F04%%2F1993", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Sarah DEMOULIN"));
	/* Lens usagers are not Arras's */
	snprintf(path, sizeof(path), "%s?q=jessica+lemaire", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(!browser_body_has(&b, "Jessica LEMAIRE"));
	CU_ASSERT(browser_body_has(&b, "Aucun usager ne correspond"));
	/* autocomplete for the RDV form */
	snprintf(path, sizeof(path), "%s/search.json?q=demoulin", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "{\"users\":[{\"id\":"));
	CU_ASSERT(browser_body_has(&b, "\"label\":\"DEMOULIN Sarah"));
	/* another organisation's list */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/usagers", lens);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
	/* the territory admin sees the whole territory */
	sign_in(&b, TERRITOIRE);
	snprintf(path, sizeof(path), "%s?q=jessica+lemaire", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Jessica LEMAIRE"));
	browser_free(&b);
}

/* The usager ids of a page, in page order, comma-separated: the list's links
 * ("…/usagers/<id>\"") or the API's "id": fields (key). */
static void ids_in_order(const struct browser *b, const char *key, char *out, size_t n)
{
	size_t len = 0, klen = strlen(key);
	out[0] = '\0';
	for (const char *p = b->body.data; p && (p = strstr(p, key)) != NULL; p += klen) {
		char *end;
		long long id = strtoll(p + klen, &end, 10);
		if (end == p + klen || (key[0] != '"' && *end != '"'))
			continue;
		len += (size_t)snprintf(out + len, len < n ? n - len : 0, "%s%lld", len ? "," : "", id);
	}
}

/* The ids the territory's list should show on a page: folded names (rdv_name_words,
 * recomputed from users, not the stored search_words), then ids. */
static void expected_ids(long long terr, int per_page, int page, char *out, size_t n)
{
	char sql[768];
	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(string_agg(id::text, ',' ORDER BY w, id), '') FROM"
		 " (SELECT u.id, rdv_name_words(u.last_name, u.first_name, u.birth_name) w FROM users u"
		 "   WHERE u.deleted_at IS NULL AND EXISTS (SELECT 1 FROM user_profiles p JOIN organisations o"
		 "   ON o.id = p.organisation_id WHERE p.user_id = u.id AND o.territory_id = %lld)"
		 "   ORDER BY w, u.id LIMIT %d OFFSET %d) x", terr, per_page, (page - 1) * per_page);
	out[0] = '\0';
	test_sql(sql, out, n);
}

static long long territory_count(long long terr)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT p.user_id) FROM user_profiles p JOIN organisations o"
		 " ON o.id = p.organisation_id JOIN users u ON u.id = p.user_id"
		 " WHERE o.territory_id = %lld AND u.deleted_at IS NULL", terr);
	return sql_ll(sql);
}

/* The territory admin lists the whole territory (30 a page): before the last page
 * the total is a lower bound and the pager has no "sur"; the last page has the
 * exact total; both pages in the folded-name order. */
static void test_territory_list_pager(void)
{
	enum { LIST_PER_PAGE = 30 };   /* cgi-bin/booking/usagers.c PER_PAGE */
	char sql[128], path[256], want[1024], got[1024], text[128];
	snprintf(sql, sizeof(sql), "SELECT territory_id FROM organisations WHERE id = %lld", arras);
	long long terr = sql_ll(sql), count = territory_count(terr);
	long long last = (count + LIST_PER_PAGE - 1) / LIST_PER_PAGE;
	CU_ASSERT_FATAL(last >= 3);   /* the demo territory has several pages */
	struct browser b;
	sign_in(&b, TERRITOIRE);
	CU_ASSERT_EQUAL(browser_get(&b, base), 200);
	snprintf(text, sizeof(text), "Plus de %d usager(s)", LIST_PER_PAGE);
	CU_ASSERT(browser_body_has(&b, text));
	CU_ASSERT(browser_body_has(&b, "aria-current=\"page\">Page 1</a>"));
	CU_ASSERT(!browser_body_has(&b, "Page 1 sur"));
	CU_ASSERT(browser_body_has(&b, "page=2\">Page suivante</a>"));
	expected_ids(terr, LIST_PER_PAGE, 1, want, sizeof(want));
	ids_in_order(&b, "/usagers/", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, want);
	/* a middle page: still a lower bound, one page further */
	snprintf(path, sizeof(path), "%s?page=2", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	snprintf(text, sizeof(text), "Plus de %d usager(s)", 2 * LIST_PER_PAGE);
	CU_ASSERT(browser_body_has(&b, text));
	CU_ASSERT(browser_body_has(&b, "aria-current=\"page\">Page 2</a>"));
	/* the last page: the exact total, "Page L sur L", no next page */
	snprintf(path, sizeof(path), "%s?page=%lld", base, last);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	snprintf(text, sizeof(text), "<p>%lld usager(s)</p>", count);
	CU_ASSERT(browser_body_has(&b, text));
	CU_ASSERT(!browser_body_has(&b, "Plus de"));
	snprintf(text, sizeof(text), "Page %lld sur %lld</a>", last, last);
	CU_ASSERT(browser_body_has(&b, text));
	snprintf(text, sizeof(text), "page=%lld\">Page suivante</a>", last + 1);
	CU_ASSERT(!browser_body_has(&b, text));
	expected_ids(terr, LIST_PER_PAGE, (int)last, want, sizeof(want));
	ids_in_order(&b, "/usagers/", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, want);
	browser_free(&b);
}

/* Words: each typed word starts a word of the name, in either order; the words follow
 * a rename (trigger of 0017) and a usager added to another organisation. */
static void test_search_words(void)
{
	struct browser b;
	sign_in(&b, PMI);
	char path[256], form[512];
	snprintf(form, sizeof(form), "first_name=Marie-%%C3%%89lise&last_name=Quenouill%%C3%%A9-Bravet&birth_date=1981-05-06"
		 "&phone_number=06+55+44+33+%02d", (int)(getpid() % 100));
	long long id = create_ok(&b, form);
	CU_ASSERT_FATAL(id > 0);
	static const char *const hits[] = {"quenou", "QUENOUILLE", "bravet+elise", "%C3%A9lise+quen", "marie+bra", NULL};
	for (int i = 0; hits[i]; i++) {
		snprintf(path, sizeof(path), "%s/search.json?q=%s", base, hits[i]);
		CU_ASSERT_EQUAL(browser_get(&b, path), 200);
		CU_ASSERT(browser_body_has(&b, "\"label\":\"QUENOUILL"));
	}
	/* inside a word is not the start of a word; '%' and '_' are not wildcards */
	static const char *const misses[] = {"nouille", "q%25nouille", "q_enouille", NULL};
	for (int i = 0; misses[i]; i++) {
		snprintf(path, sizeof(path), "%s/search.json?q=%s", base, misses[i]);
		CU_ASSERT_EQUAL(browser_get(&b, path), 200);
		CU_ASSERT(!browser_body_has(&b, "QUENOUILL"));
	}
	/* renamed: the new name is found, the old one no longer */
	char sql[256];
	snprintf(sql, sizeof(sql), "UPDATE users SET last_name = 'Vasseur-Ochre' WHERE id = %lld RETURNING id", id);
	CU_ASSERT_EQUAL(sql_ll(sql), id);
	snprintf(path, sizeof(path), "%s?q=ochre+mar", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "VASSEUR-OCHRE"));
	snprintf(path, sizeof(path), "%s?q=quenouille", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Aucun usager ne correspond"));
	browser_free(&b);
	/* known by Lens too: found there by name */
	snprintf(sql, sizeof(sql), "INSERT INTO user_profiles (user_id, organisation_id) VALUES (%lld, %lld) RETURNING user_id",
		 id, lens);
	CU_ASSERT_EQUAL(sql_ll(sql), id);
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, LENS, NULL), 303);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/usagers/search.json?q=vasseur", lens);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "VASSEUR-OCHRE"));
	browser_free(&b);
}

static void test_create_responsable_and_proche(void)
{
	struct browser b;
	sign_in(&b, PMI);
	char path[256];
	snprintf(path, sizeof(path), "%s/new", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Nouvel usager"));
	CU_ASSERT(browser_body_has(&b, "name=\"case_number\""));   /* enabled in the demo territory */
	char form[1024];
	snprintf(form, sizeof(form), "first_name=Ana%%C3%%AFs&last_name=Vandamme&birth_date=1990-02-03"
		 "&email=anais.vandamme.%d%%40exemple.fr&phone_number=06+11+22+33+%02d&notify_by_sms=1"
		 "&address=3+rue+de+la+Paix+62000+Arras&city_code=62041&notes=Premier+contact", (int)getpid(),
		 (int)(getpid() % 100));
	long long id = create_ok(&b, form);
	CU_ASSERT_FATAL(id > 0);
	char sql[512], out[128];
	snprintf(sql, sizeof(sql), "SELECT phone_number_formatted || '|' || notify_by_sms || '|' || notify_by_email"
		 " FROM users WHERE id = %lld", id);
	test_sql(sql, out, sizeof(out));
	char expect[64];
	snprintf(expect, sizeof(expect), "+336112233%02d|true|false", (int)(getpid() % 100));
	CU_ASSERT_STRING_EQUAL(out, expect);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE item_type = 'user' AND item_id = %lld AND event = 'create'"
		 " AND after->>'last_name' = 'Vandamme'", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	snprintf(sql, sizeof(sql), "SELECT notes FROM user_profiles WHERE user_id = %lld AND organisation_id = %lld", id, arras);
	test_sql(sql, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Premier contact");
	/* the page */
	snprintf(path, sizeof(path), "%s/%lld", base, id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Anaïs VANDAMME"));
	CU_ASSERT(browser_body_has(&b, "Aucun proche"));
	/* a proche: no contact fields, inherits the organisations */
	snprintf(path, sizeof(path), "%s/new?responsible_id=%lld", base, id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Nouveau proche"));
	CU_ASSERT(!browser_body_has(&b, "name=\"phone_number\""));
	snprintf(form, sizeof(form), "first_name=Tom&last_name=Vandamme&birth_date=2021-06-01&responsible_id=%lld"
		 "&email=tom%%40exemple.fr", id);
	long long proche = create_ok(&b, form);
	snprintf(sql, sizeof(sql), "SELECT responsible_id || '|' || coalesce(email::text, 'none') || '|' ||"
		 " (SELECT count(*) FROM user_profiles WHERE user_id = %lld) FROM users WHERE id = %lld", proche, proche);
	test_sql(sql, out, sizeof(out));
	snprintf(expect, sizeof(expect), "%lld|none|1", id);
	CU_ASSERT_STRING_EQUAL(out, expect);
	snprintf(path, sizeof(path), "%s/%lld", base, id);
	browser_get(&b, path);
	CU_ASSERT(browser_body_has(&b, "Tom Vandamme"));
	/* a proche without a (visible) responsable */
	CU_ASSERT_EQUAL(create(&b, "first_name=Orphelin&last_name=Test&responsible_id=999999999"), 422);
	CU_ASSERT(browser_body_has(&b, "Le responsable choisi"));
	snprintf(form, sizeof(form), "first_name=Petit&last_name=Fils&responsible_id=%lld", proche);
	CU_ASSERT_EQUAL(create(&b, form), 422);   /* a proche cannot be a responsable */
	browser_free(&b);
}

static void test_invalid_input_422(void)
{
	struct browser b;
	sign_in(&b, PMI);
	CU_ASSERT_EQUAL(create(&b, "first_name=Zo%C3%A9&last_name=&phone_number=12345&email=zoe%40&birth_date=2099-01-01"
				   "&number_of_children=40"), 422);
	CU_ASSERT(browser_body_has(&b, "Indiquez le nom."));
	CU_ASSERT(browser_body_has(&b, "Le numéro de téléphone n&#39;est pas valide"));
	CU_ASSERT(browser_body_has(&b, "L&#39;adresse e-mail n&#39;est pas valide"));
	CU_ASSERT(browser_body_has(&b, "ne peut pas être dans le futur"));
	CU_ASSERT(browser_body_has(&b, "entre 0 et 30"));
	CU_ASSERT(browser_body_has(&b, "value=\"Zoé\""));        /* values kept */
	CU_ASSERT(browser_body_has(&b, "value=\"12345\""));
	CU_ASSERT(browser_body_has(&b, "fr-input-group--error"));
	CU_ASSERT_EQUAL(create(&b, "first_name=A&last_name=B&birth_date=31%2F02%2F2000"), 422);
	CU_ASSERT(browser_body_has(&b, "La date de naissance n&#39;est pas valide"));
	/* an e-mail already used is refused (blocking) */
	CU_ASSERT_EQUAL(create(&b, "first_name=Autre&last_name=Personne&email=USAGER%40demo.rdv-solidarites.fr"), 422);
	CU_ASSERT(browser_body_has(&b, "déjà utilisée par un autre usager"));
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM users WHERE first_name = 'Autre' AND last_name = 'Personne'"), 0);
	browser_free(&b);
}

static void test_duplicate_warnings(void)
{
	struct browser b;
	sign_in(&b, PMI);
	/* same phone as the Haddad pair (Béthune): warns, even outside the organisation */
	CU_ASSERT_EQUAL(create(&b, "first_name=Nadia&last_name=Haddad&phone_number=07.45.12.23.34"), 200);
	CU_ASSERT(browser_body_has(&b, "Cet usager existe peut-être déjà"));
	CU_ASSERT(browser_body_has(&b, "même numéro de téléphone"));
	CU_ASSERT(browser_body_has(&b, "Samira Haddad"));
	CU_ASSERT(browser_body_has(&b, "Ajouter à mon organisation"));
	CU_ASSERT(browser_body_has(&b, "Créer quand même"));
	CU_ASSERT(browser_body_has(&b, "value=\"Nadia\""));
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM users WHERE first_name = 'Nadia' AND last_name = 'Haddad'"), 0);
	/* same names and birth date, accents, case and spaces ignored */
	CU_ASSERT_EQUAL(create(&b, "first_name=+J%C3%A9ssica&last_name=LE+MAIRE&birth_date=12%2F03%2F1994"), 200);
	CU_ASSERT(browser_body_has(&b, "mêmes nom, prénom et date de naissance"));
	CU_ASSERT(browser_body_has(&b, "MDS de Lens"));
	/* a different birth date: no warning */
	CU_ASSERT_EQUAL(create(&b, "first_name=Jessica&last_name=Lemaire&birth_date=13%2F03%2F1994"), 303);
	/* the agent goes on */
	CU_ASSERT_EQUAL(create(&b, "first_name=Nadia&last_name=Haddad&phone_number=07.45.12.23.34&confirm_duplicates=1"), 303);
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM users WHERE first_name = 'Nadia' AND last_name = 'Haddad'"
			       " AND phone_number_formatted = '+33745122334'"), 1);
	/* a soft-deleted usager is ignored */
	test_sql("UPDATE users SET deleted_at = now() WHERE first_name = 'Nadia' AND last_name = 'Haddad'", NULL, 0);
	CU_ASSERT_EQUAL(create(&b, "first_name=Nadia&last_name=Haddad&birth_date=1999-01-01"), 303);
	/* a proche is checked too (same names + birth date as Léo Demoulin) */
	long long resp = sql_ll("SELECT id FROM users WHERE email = 'usager@demo.rdv-solidarites.fr'");
	char form[256], sql[256], bd[32];
	snprintf(sql, sizeof(sql), "SELECT to_char(birth_date, 'YYYY-MM-DD') FROM users WHERE responsible_id = %lld"
		 " AND first_name = 'Léo'", resp);
	test_sql(sql, bd, sizeof(bd));
	snprintf(form, sizeof(form), "first_name=leo&last_name=demoulin&birth_date=%s&responsible_id=%lld", bd, resp);
	CU_ASSERT_EQUAL(create(&b, form), 200);
	CU_ASSERT(browser_body_has(&b, "Léo Demoulin"));
	CU_ASSERT(browser_body_has(&b, "Ouvrir la fiche"));
	browser_free(&b);
}

static void test_other_org_404_and_add_to_org(void)
{
	struct browser b;
	sign_in(&b, PMI);
	long long jess = sql_ll("SELECT id FROM users WHERE email = 'jessica.lemaire@exemple.fr'");
	char path[256];
	snprintf(path, sizeof(path), "%s/%lld", base, jess);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	snprintf(path, sizeof(path), "%s/%lld/edit", base, jess);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	snprintf(path, sizeof(path), "%s/%lld", base, jess);
	CU_ASSERT_EQUAL(browser_post(&b, path, "first_name=Pirate", 1), 404);
	snprintf(path, sizeof(path), "%s/%lld/delete", base, jess);
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 404);
	/* explicit: add her to Arras — with what the duplicate warning matched on;
	 * a bare id is not enough (any usager of the territory could be pulled in) */
	snprintf(path, sizeof(path), "%s/%lld/add_to_organisation", base, jess);
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 404);
	CU_ASSERT_EQUAL(browser_post(&b, path, "proof_first_name=Jessica&proof_last_name=Lemaire&proof_birth_date=01/01/1900", 1), 404);
	char proof[256], bd[32];
	snprintf(proof, sizeof(proof), "SELECT to_char(birth_date, 'DD/MM/YYYY') FROM users WHERE id = %lld", jess);
	test_sql(proof, bd, sizeof(bd));
	snprintf(proof, sizeof(proof), "proof_first_name=J%%C3%%A9ssica&proof_last_name=LEMAIRE&proof_birth_date=%s", bd);
	CU_ASSERT_EQUAL(browser_post(&b, path, proof, 1), 303);
	snprintf(path, sizeof(path), "%s/%lld", base, jess);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Jessica LEMAIRE"));
	/* a usager of no organisation of the territory cannot be added */
	snprintf(path, sizeof(path), "%s/999999999/add_to_organisation", base);
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 404);
	browser_free(&b);
}

static void test_edit_update(void)
{
	struct browser b;
	sign_in(&b, PMI);
	long long id = create_ok(&b, "first_name=Edit&last_name=Avant&phone_number=0699887766&notify_by_sms=1");
	char path[256];
	snprintf(path, sizeof(path), "%s/%lld/edit", base, id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "value=\"Avant\""));
	snprintf(path, sizeof(path), "%s/%lld", base, id);
	CU_ASSERT_EQUAL(browser_post(&b, path, "first_name=Edit&last_name=Apr%C3%A8s&phone_number=0699887766"
					     "&email=faux&notify_by_sms=1", 1), 422);
	CU_ASSERT(browser_body_has(&b, "value=\"Après\""));
	CU_ASSERT_EQUAL(browser_post(&b, path, "first_name=Edit&last_name=Apr%C3%A8s&phone_number=0699887766"
					     "&notify_by_sms=1&logement=locataire", 1), 303);
	char sql[256], out[128];
	snprintf(sql, sizeof(sql), "SELECT last_name || '|' || logement || '|' || phone_number_formatted FROM users WHERE id = %lld", id);
	test_sql(sql, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Après|locataire|+33699887766");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE item_type = 'user' AND item_id = %lld AND event = 'update'"
		 " AND before->>'last_name' = 'Avant' AND after->>'last_name' = 'Après'", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	browser_free(&b);
}

static void test_referents_and_mes_usagers(void)
{
	struct browser b;
	sign_in(&b, PMI);
	long long me = test_agent_id(PMI);
	long long id = create_ok(&b, "first_name=Suivi&last_name=Referent");
	char path[256], form[64];
	snprintf(path, sizeof(path), "%s/%lld/referents", base, id);
	snprintf(form, sizeof(form), "agent_id=%lld", me);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	long long other = test_agent_id(LENS);
	snprintf(form, sizeof(form), "agent_id=%lld", other);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 422);   /* not an agent of Arras */
	snprintf(path, sizeof(path), "/agent/organisations/%lld/mes_usagers", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Suivi REFERENT"));
	snprintf(path, sizeof(path), "%s/%lld/referents/%lld/delete", base, id, me);
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 303);
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM referent_assignations WHERE user_id = %lld", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 0);
	browser_free(&b);
}

static void test_delete_anonymises(void)
{
	struct browser b;
	sign_in(&b, PMI);
	char form[256];
	snprintf(form, sizeof(form), "first_name=Effac%%C3%%A9&last_name=Bient%%C3%%B4t&email=efface.%d%%40exemple.fr"
		 "&phone_number=0611111111&confirm_duplicates=1", (int)getpid());
	long long id = create_ok(&b, form);
	snprintf(form, sizeof(form), "first_name=Enfant&last_name=Bient%%C3%%B4t&responsible_id=%lld", id);
	long long proche = create_ok(&b, form);
	char sql[512], out[256], path[256];
	/* also known at MDS de Lens, which the agent does not see: erased there too */
	snprintf(sql, sizeof(sql), "SELECT min(id) FROM rdvs WHERE NOT collectif AND organisation_id = %lld", lens);
	long long rdv = sql_ll(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO participations (rdv_id, user_id) VALUES (%lld, %lld);"
		 " INSERT INTO user_profiles (user_id, organisation_id, notes) VALUES (%lld, %lld, 'Bientôt')",
		 rdv, id, id, lens);
	test_sql(sql, NULL, 0);
	snprintf(path, sizeof(path), "%s/%lld/delete", base, id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Enfant Bientôt"));
	/* a responsable with proches needs a decision */
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 422);
	CU_ASSERT(browser_body_has(&b, "choisissez s&#39;ils sont supprimés"));
	CU_ASSERT_EQUAL(browser_post(&b, path, "proches=detach", 1), 303);
	snprintf(sql, sizeof(sql), "SELECT first_name || ' ' || last_name || '|' || coalesce(email::text, '-') || '|' ||"
		 " coalesce(phone_number, '-') || '|' || (deleted_at IS NOT NULL) || '|' ||"
		 " (SELECT count(*) FROM user_profiles WHERE user_id = u.id) || '|' ||"
		 " (SELECT count(*) FROM participations WHERE user_id = u.id) FROM users u WHERE id = %lld", id);
	test_sql(sql, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "Usager supprimé|-|-|true|0|1");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE item_type = 'user' AND item_id = %lld"
		 " AND (before::text LIKE '%%Bient%%' OR after::text LIKE '%%Bient%%')", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 0);   /* no personal data left in the trail */
	snprintf(sql, sizeof(sql), "SELECT coalesce(responsible_id::text, 'libre') || '|' || (deleted_at IS NULL)"
		 " FROM users WHERE id = %lld", proche);
	test_sql(sql, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "libre|true");
	snprintf(path, sizeof(path), "%s/%lld", base, id);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* deleting with proches=delete removes them too */
	long long r2 = create_ok(&b, "first_name=Parent&last_name=Supprime&confirm_duplicates=1");
	snprintf(form, sizeof(form), "first_name=Enfant&last_name=Supprime&responsible_id=%lld", r2);
	long long p2 = create_ok(&b, form);
	snprintf(path, sizeof(path), "%s/%lld/delete", base, r2);
	CU_ASSERT_EQUAL(browser_post(&b, path, "proches=delete", 1), 303);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM users WHERE id IN (%lld, %lld) AND deleted_at IS NOT NULL"
		 " AND last_name = 'supprimé'", r2, p2);
	CU_ASSERT_EQUAL(sql_ll(sql), 2);
	browser_free(&b);
}

static void test_merge_moves_everything(void)
{
	struct browser b;
	sign_in(&b, ADMIN_ARRAS);
	char form[256], sql[768], out[256], path[256];
	snprintf(form, sizeof(form), "first_name=Fusion&last_name=Garde&phone_number=0622334455&confirm_duplicates=1");
	long long keep = create_ok(&b, form);
	snprintf(form, sizeof(form), "first_name=Fusion&last_name=Garde&email=fusion.%d%%40exemple.fr"
		 "&birth_date=1980-01-01&confirm_duplicates=1&notes=Note+du+doublon", (int)getpid());
	long long src = create_ok(&b, form);
	snprintf(form, sizeof(form), "first_name=Petit&last_name=Garde&responsible_id=%lld", src);
	long long proche = create_ok(&b, form);
	long long me = test_agent_id(ADMIN_ARRAS);
	long long r1 = sql_ll("SELECT min(id) FROM rdvs WHERE NOT collectif");
	/* r2 is at MDS de Lens, which the agent does not see: moved all the same */
	snprintf(sql, sizeof(sql), "SELECT max(id) FROM rdvs WHERE NOT collectif AND organisation_id = %lld", lens);
	long long r2 = sql_ll(sql);
	/* both on r1 (the duplicate participation is dropped), source alone on r2 */
	snprintf(sql, sizeof(sql), "INSERT INTO participations (rdv_id, user_id) VALUES (%lld, %lld), (%lld, %lld), (%lld, %lld);"
		 " INSERT INTO referent_assignations (user_id, agent_id) VALUES (%lld, %lld);"
		 " INSERT INTO user_profiles (user_id, organisation_id) VALUES (%lld, %lld)",
		 r1, keep, r1, src, r2, src, src, me, src, lens);
	CU_ASSERT_EQUAL(test_sql(sql, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/merge?keep_id=%lld&source_id=%lld", base, keep, src);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Fiche conservée"));
	snprintf(path, sizeof(path), "%s/merge", base);
	CU_ASSERT_EQUAL(browser_post(&b, path, "keep_id=1&source_id=1", 1), 422);
	snprintf(form, sizeof(form), "keep_id=%lld&source_id=%lld", keep, src);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	snprintf(sql, sizeof(sql),
		 "SELECT (SELECT count(*) FROM participations WHERE user_id = %lld) || '|' ||"
		 " (SELECT count(*) FROM participations WHERE user_id = %lld) || '|' ||"
		 " (SELECT responsible_id FROM users WHERE id = %lld) || '|' ||"
		 " (SELECT count(*) FROM user_profiles WHERE user_id = %lld) || '|' ||"
		 " (SELECT count(*) FROM referent_assignations WHERE user_id = %lld) || '|' ||"
		 " (SELECT email FROM users WHERE id = %lld) || '|' || (SELECT birth_date FROM users WHERE id = %lld) || '|' ||"
		 " (SELECT notes FROM user_profiles WHERE user_id = %lld AND organisation_id = %lld) || '|' ||"
		 " (SELECT last_name || (deleted_at IS NOT NULL) FROM users WHERE id = %lld)",
		 keep, src, proche, keep, keep, keep, keep, keep, arras, src);
	test_sql(sql, out, sizeof(out));
	char expect[256];
	snprintf(expect, sizeof(expect), "2|0|%lld|2|1|fusion.%d@exemple.fr|1980-01-01|Note du doublon|supprimétrue",
		 keep, (int)getpid());
	CU_ASSERT_STRING_EQUAL(out, expect);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE item_type = 'user' AND item_id = %lld AND event = 'merge'"
		 " AND before->'merged'->>'id' = '%lld'", keep, src);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	browser_free(&b);
}

/* The merge screen's choice per differing field: chosen values land on the kept
 * usager (audit row "merge_choice"), nothing else is lost; an invalid chosen value
 * is a 422 that merges nothing; another organisation's usager is 404. */
static void test_merge_choices(void)
{
	struct browser b;
	sign_in(&b, ADMIN_ARRAS);
	char form[512], sql[1024], out[256], path[256];
	int pid = (int)getpid();
	snprintf(form, sizeof(form), "first_name=Choix&last_name=Garde&birth_date=1970-01-01&email=choix.garde.%d%%40exemple.fr"
		 "&phone_number=06+33+22+11+%02d&confirm_duplicates=1", pid, pid % 100);
	long long keep = create_ok(&b, form);
	snprintf(form, sizeof(form), "first_name=Choix&last_name=Gardee&birth_date=1971-02-02&email=choix.doublon.%d%%40exemple.fr"
		 "&address=5+rue+du+Doublon+62000+Arras&confirm_duplicates=1", pid);
	long long src = create_ok(&b, form);
	snprintf(form, sizeof(form), "first_name=Petite&last_name=Gardee&responsible_id=%lld", src);
	long long proche = create_ok(&b, form);
	long long me = test_agent_id(ADMIN_ARRAS);
	long long r1 = sql_ll("SELECT min(id) FROM rdvs WHERE NOT collectif");
	snprintf(sql, sizeof(sql), "INSERT INTO participations (rdv_id, user_id) VALUES (%lld, %lld);"
		 " INSERT INTO referent_assignations (user_id, agent_id) VALUES (%lld, %lld);"
		 " INSERT INTO user_profiles (user_id, organisation_id) VALUES (%lld, %lld)", r1, src, src, me, src, lens);
	CU_ASSERT_EQUAL(test_sql(sql, NULL, 0), 0);
	/* the screen offers the differing fields, the kept value checked by default */
	snprintf(path, sizeof(path), "%s/merge?keep_id=%lld&source_id=%lld", base, keep, src);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Valeurs à conserver"));
	CU_ASSERT(browser_body_has(&b, "name=\"choose_birth_date\" value=\"keep\" checked"));
	CU_ASSERT(browser_body_has(&b, "Doublon : 02/02/1971"));
	CU_ASSERT(browser_body_has(&b, "name=\"choose_address\" value=\"source\" checked"));   /* kept one empty */
	CU_ASSERT(!browser_body_has(&b, "name=\"choose_first_name\""));                        /* same value */
	/* an invalid value chosen: 422, nothing merged */
	snprintf(sql, sizeof(sql), "UPDATE users SET phone_number = '123' WHERE id = %lld RETURNING id", src);
	CU_ASSERT_EQUAL(sql_ll(sql), src);
	snprintf(path, sizeof(path), "%s/merge", base);
	snprintf(form, sizeof(form), "keep_id=%lld&source_id=%lld&choose_phone_number=source", keep, src);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "fr-fieldset--error"));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM users WHERE id = %lld AND deleted_at IS NULL", src);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	/* birth date and e-mail from the duplicate (its e-mail is freed by the merge), the kept last name */
	snprintf(form, sizeof(form), "keep_id=%lld&source_id=%lld&choose_birth_date=source&choose_email=source"
		 "&choose_last_name=keep&choose_phone_number=keep", keep, src);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	snprintf(sql, sizeof(sql),
		 "SELECT u.last_name || '|' || u.birth_date || '|' || u.email || '|' || u.phone_number_formatted || '|' ||"
		 " u.address || '|' || (SELECT count(*) FROM participations WHERE user_id = u.id) || '|' ||"
		 " (SELECT responsible_id FROM users WHERE id = %lld) || '|' ||"
		 " (SELECT count(*) FROM user_profiles WHERE user_id = u.id) || '|' ||"
		 " (SELECT count(*) FROM referent_assignations WHERE user_id = u.id) || '|' ||"
		 " (SELECT deleted_at IS NOT NULL FROM users WHERE id = %lld) FROM users u WHERE u.id = %lld",
		 proche, src, keep);
	test_sql(sql, out, sizeof(out));
	char expect[256];
	snprintf(expect, sizeof(expect), "Garde|1971-02-02|choix.doublon.%d@exemple.fr|+336332211%02d|5 rue du Doublon 62000 Arras"
		 "|1|%lld|2|1|true", pid, pid % 100, keep);
	CU_ASSERT_STRING_EQUAL(out, expect);
	snprintf(sql, sizeof(sql), "SELECT after->'chosen'->'email'->>'from' || '|' || (after->'chosen'->'birth_date'->>'value')"
		 " || '|' || (after->'chosen'->'last_name'->>'from') FROM audit WHERE item_type = 'user' AND item_id = %lld"
		 " AND event = 'merge_choice'", keep);
	test_sql(sql, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "merged|1971-02-02|kept");
	/* another organisation's usager */
	long long jess = sql_ll("SELECT id FROM users WHERE email = 'jess.lemaire62@exemple.fr'");
	snprintf(form, sizeof(form), "keep_id=%lld&source_id=%lld&choose_email=source", keep, jess);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 404);
	snprintf(path, sizeof(path), "%s/merge?keep_id=%lld&source_id=%lld", base, keep, jess);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
}

/* The same phone number stored two ways ("06 12 …" and "0612…") is one value: the
 * merge screen offers no choice for it; a different number still is offered. */
static void test_merge_same_phone_normalised(void)
{
	struct browser b;
	sign_in(&b, ADMIN_ARRAS);
	char form[512], sql[256], path[256];
	int pid = (int)getpid();
	snprintf(form, sizeof(form), "first_name=Tel&last_name=Pareil&birth_date=1980-05-05"
		 "&phone_number=06+44+55+66+%02d&confirm_duplicates=1", pid % 100);
	long long keep = create_ok(&b, form);
	long long src = create_ok(&b, "first_name=Tel&last_name=Pareille&birth_date=1980-05-05&confirm_duplicates=1");
	snprintf(sql, sizeof(sql), "UPDATE users SET phone_number = '064455 66%02d' WHERE id = %lld RETURNING id",
		 pid % 100, src);
	CU_ASSERT_EQUAL(sql_ll(sql), src);
	snprintf(path, sizeof(path), "%s/merge?keep_id=%lld&source_id=%lld", base, keep, src);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "name=\"choose_last_name\""));
	CU_ASSERT(!browser_body_has(&b, "name=\"choose_phone_number\""));
	/* another number: offered */
	snprintf(sql, sizeof(sql), "UPDATE users SET phone_number = '07 44 55 66 %02d' WHERE id = %lld RETURNING id",
		 pid % 100, src);
	CU_ASSERT_EQUAL(sql_ll(sql), src);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "name=\"choose_phone_number\""));
	browser_free(&b);
}

/* An agent of Arras, not territory admin, in a territory that shares its usagers
 * (visible_users_throughout_the_territory): under row-level security (rdv_app), the
 * territory-wide search and the page of a Lens usager show the identity; Lens's notes
 * and RDVs stay Lens's (reference 1.6 and 4). */
static void test_territory_shared_usagers(void)
{
	char sql[1024], out[64], path[256];
	int pid = (int)getpid();
	long long terr = sql_ll("SELECT territory_id FROM organisations WHERE name = 'MDS de Lens'");
	snprintf(sql, sizeof(sql), "SELECT visible_users_throughout_the_territory::int FROM territories WHERE id = %lld",
		 terr);
	long long was = sql_ll(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO users (first_name, last_name, birth_date, created_through)"
		 " VALUES ('Partagee', 'Territoriale%d', '1985-06-07', 'agent_creation') RETURNING id", pid);
	long long uid = sql_ll(sql);
	long long rdv = sql_ll("SELECT r.id FROM rdvs r JOIN organisations o ON o.id = r.organisation_id"
			       " WHERE o.name = 'MDS de Lens' AND NOT r.collectif ORDER BY r.id LIMIT 1");
	snprintf(sql, sizeof(sql), "INSERT INTO user_profiles (user_id, organisation_id, notes) VALUES"
		 " (%lld, %lld, 'Note confidentielle de Lens'); INSERT INTO participations (rdv_id, user_id)"
		 " VALUES (%lld, %lld)", uid, lens, rdv, uid);
	CU_ASSERT_EQUAL_FATAL(test_sql(sql, NULL, 0), 0);
	CU_ASSERT_FATAL(uid > 0 && rdv > 0);
	char name[64], rdv_href[64];
	snprintf(name, sizeof(name), "Partagee TERRITORIALE%d", pid);
	snprintf(rdv_href, sizeof(rdv_href), "/rdvs/%lld\"", rdv);

	struct browser b;
	sign_in(&b, PMI);
	/* not shared: neither found nor opened */
	snprintf(sql, sizeof(sql), "UPDATE territories SET visible_users_throughout_the_territory = false WHERE id = %lld",
		 terr);
	test_sql(sql, NULL, 0);
	snprintf(path, sizeof(path), "%s?q=territoriale%d", base, pid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(!browser_body_has(&b, name));
	snprintf(path, sizeof(path), "%s/%lld", base, uid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* shared */
	snprintf(sql, sizeof(sql), "UPDATE territories SET visible_users_throughout_the_territory = true WHERE id = %lld",
		 terr);
	test_sql(sql, NULL, 0);
	snprintf(path, sizeof(path), "%s?q=partagee+territoriale%d", base, pid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, name));
	snprintf(path, sizeof(path), "%s/search.json?q=territoriale%d", base, pid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	snprintf(out, sizeof(out), "{\"id\":%lld,", uid);
	CU_ASSERT(!browser_body_has(&b, out));   /* the RDV form's list: this organisation only */
	snprintf(path, sizeof(path), "%s?q=07%%2F06%%2F1985", base);   /* by birth date too */
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, name));
	snprintf(path, sizeof(path), "%s/%lld", base, uid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, name));
	CU_ASSERT(browser_body_has(&b, "07/06/1985"));
	CU_ASSERT(!browser_body_has(&b, "Note confidentielle de Lens"));
	CU_ASSERT(!browser_body_has(&b, rdv_href));
	CU_ASSERT(browser_body_has(&b, "add_to_organisation"));   /* not in Arras yet */
	/* Lens's own agent sees its notes and its RDV on the same usager */
	browser_free(&b);
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(&b, LENS, NULL), 303);
	snprintf(path, sizeof(path), "/agent/organisations/%lld/usagers/%lld", lens, uid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Note confidentielle de Lens"));
	CU_ASSERT(browser_body_has(&b, rdv_href));
	browser_free(&b);
	snprintf(sql, sizeof(sql), "UPDATE territories SET visible_users_throughout_the_territory = %s WHERE id = %lld;"
		 " DELETE FROM participations WHERE user_id = %lld", was > 0 ? "true" : "false", terr, uid);
	test_sql(sql, NULL, 0);
}

/* ------------------------------------------------------------ API */

static char token[64];

static void api_token(const char *email)
{
	long long agent = test_agent_id(email);
	snprintf(token, sizeof(token), "usagers%011dabcdefghijklmnopqrstuvwxy", (int)(getpid() + agent));
	token[43] = '\0';
	char sql[256];
	snprintf(sql, sizeof(sql), "INSERT INTO api_tokens (agent_id, token_hash) VALUES (%lld, sha256('%s'::bytea))"
		 " ON CONFLICT DO NOTHING", agent, token);
	test_sql(sql, NULL, 0);
}

static long api(struct browser *b, const char *method, const char *path, const char *json)
{
	char auth[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	const char *h[] = {auth, "Content-Type: application/json", NULL};
	return browser_request(b, method, path, h, json, json ? strlen(json) : 0);
}

static void test_api_users(void)
{
	api_token(ADMIN_ARRAS);
	struct browser b;
	browser_init(&b);
	char path[256], body[512];
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users", arras);
	CU_ASSERT_EQUAL(browser_get(&b, path), 401);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 200);
	CU_ASSERT(browser_body_has(&b, "\"users\":["));
	CU_ASSERT(browser_body_has(&b, "\"meta\":{\"page\":1,\"per_page\":50,\"total\":"));
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users?search=demoulin&per_page=500", arras);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 200);
	CU_ASSERT(browser_body_has(&b, "\"phone_number\":\"+33671234589\""));
	CU_ASSERT(browser_body_has(&b, "\"per_page\":100"));
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users?page=abc", arras);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 400);
	/* create: E.164, 201, duplicates in meta */
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users", arras);
	CU_ASSERT_EQUAL(api(&b, "POST", path, "{\"first_name\":\"Api\",\"last_name\":\"Haddad\","
					      "\"phone_number\":\"07 45 12 23 34\",\"notify_by_email\":false}"), 201);
	CU_ASSERT(browser_body_has(&b, "\"phone_number\":\"+33745122334\""));
	CU_ASSERT(browser_body_has(&b, "\"possible_duplicates\":[{"));
	CU_ASSERT(browser_body_has(&b, "\"reasons\":[\"phone_number\"]"));
	CU_ASSERT(browser_body_has(&b, "\"notify_by_email\":false"));
	const char *idp = strstr(b.body.data, "\"id\":");
	long long id = idp ? strtoll(idp + 5, NULL, 10) : 0;
	CU_ASSERT(id > 0);
	/* invalid */
	CU_ASSERT_EQUAL(api(&b, "POST", path, "{\"first_name\":\"X\",\"last_name\":\"Y\",\"phone_number\":\"123\","
					      "\"birth_date\":\"2099-01-01\"}"), 422);
	CU_ASSERT(browser_body_has(&b, "\"code\":\"validation_failed\""));
	CU_ASSERT(browser_body_has(&b, "\"phone_number\":[\""));
	CU_ASSERT(browser_body_has(&b, "\"birth_date\":[\""));
	CU_ASSERT_EQUAL(api(&b, "POST", path, "{\"first_name\":\"X\",\"last_name\":\"Y\",\"email\":\"usager@demo.rdv-solidarites.fr\"}"), 422);
	CU_ASSERT(browser_body_has(&b, "\"email\":[\""));
	CU_ASSERT_EQUAL(api(&b, "POST", path, "{\"first_name\":\"X\",\"last_name\":\"Y\",\"responsible_id\":999999999}"), 422);
	CU_ASSERT(browser_body_has(&b, "\"responsible_id\""));
	CU_ASSERT_EQUAL(api(&b, "POST", path, "[1]"), 400);
	/* read, update */
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld", arras, id);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 200);
	CU_ASSERT(browser_body_has(&b, "{\"user\":{"));
	snprintf(body, sizeof(body), "{\"birth_name\":\"Martin\",\"phone_number\":\"0601020304\"}");
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, body), 200);
	CU_ASSERT(browser_body_has(&b, "\"birth_name\":\"Martin\""));
	CU_ASSERT(browser_body_has(&b, "\"first_name\":\"Api\""));
	CU_ASSERT(browser_body_has(&b, "\"phone_number\":\"+33601020304\""));
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, "{\"email\":\"pas-valide\"}"), 422);
	/* another organisation's usager, another organisation */
	long long jess = sql_ll("SELECT id FROM users WHERE email = 'jess.lemaire62@exemple.fr'");
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld", arras, jess);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 404);
	CU_ASSERT(browser_body_has(&b, "\"code\":\"not_found\""));
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, "{\"first_name\":\"Z\"}"), 404);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users", lens);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 404);
	browser_free(&b);
}

/* The id in an API answer ({"user":{"id":N…). */
static long long answer_id(const struct browser *b)
{
	const char *p = b->body.data ? strstr(b->body.data, "\"id\":") : NULL;
	return p ? strtoll(p + 5, NULL, 10) : 0;
}

/* PATCH responsible_id: a proche moves to another responsable, or becomes a
 * responsable with contact details of their own (null); same rules as the pages. */
/* The territory admin's API list: the total stays exact (usager_count) on every page,
 * the rows in the folded-name order. */
static void test_api_users_territory_total(void)
{
	api_token(TERRITOIRE);
	char sql[128], path[256], want[1024], got[1024], text[128];
	snprintf(sql, sizeof(sql), "SELECT territory_id FROM organisations WHERE id = %lld", arras);
	long long terr = sql_ll(sql), count = territory_count(terr);
	CU_ASSERT_FATAL(count > 20);
	struct browser b;
	browser_init(&b);
	snprintf(text, sizeof(text), "\"total\":%lld}", count);
	for (int page = 1; page <= 2; page++) {
		snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users?per_page=10&page=%d", arras, page);
		CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 200);
		if (!browser_body_has(&b, text))
			fprintf(stderr, "usagers: API total, want %s in %.300s\n", text, strstr(b.body.data, "\"meta\""));
		CU_ASSERT(browser_body_has(&b, text));
		expected_ids(terr, 10, page, want, sizeof(want));
		ids_in_order(&b, "\"id\":", got, sizeof(got));
		CU_ASSERT_STRING_EQUAL(got, want);
	}
	browser_free(&b);
}

static void test_api_family(void)
{
	api_token(ADMIN_ARRAS);
	struct browser b;
	browser_init(&b);
	char path[256], body[512], sql[256];
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users", arras);
	CU_ASSERT_EQUAL(api(&b, "POST", path, "{\"first_name\":\"Resp\",\"last_name\":\"Famille-Un\"}"), 201);
	long long r1 = answer_id(&b);
	CU_ASSERT_EQUAL(api(&b, "POST", path, "{\"first_name\":\"Resp\",\"last_name\":\"Famille-Deux\"}"), 201);
	long long r2 = answer_id(&b);
	snprintf(body, sizeof(body), "{\"first_name\":\"Enfant\",\"last_name\":\"Famille-Un\",\"responsible_id\":%lld}", r1);
	CU_ASSERT_EQUAL(api(&b, "POST", path, body), 201);
	long long p = answer_id(&b);
	CU_ASSERT_FATAL(r1 > 0 && r2 > 0 && p > 0);
	/* r2 known by Lens too: the proche follows into Lens */
	snprintf(sql, sizeof(sql), "INSERT INTO user_profiles (user_id, organisation_id) VALUES (%lld, %lld)", r2, lens);
	CU_ASSERT_EQUAL(test_sql(sql, NULL, 0), 0);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld", arras, p);
	snprintf(body, sizeof(body), "{\"responsible_id\":%lld}", r2);
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, body), 200);
	snprintf(body, sizeof(body), "\"responsible_id\":%lld", r2);
	CU_ASSERT(browser_body_has(&b, body));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM user_profiles WHERE user_id = %lld AND organisation_id = %lld", p, lens);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	/* refused: itself, a proche as responsable, a responsable with proches under someone, another organisation's */
	long long jess = sql_ll("SELECT id FROM users WHERE email = 'jess.lemaire62@exemple.fr'");
	snprintf(body, sizeof(body), "{\"responsible_id\":%lld}", p);
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, body), 422);
	CU_ASSERT(browser_body_has(&b, "\"responsible_id\":[\""));
	snprintf(body, sizeof(body), "{\"responsible_id\":%lld}", jess);
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, body), 422);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld", arras, r1);
	snprintf(body, sizeof(body), "{\"responsible_id\":%lld}", p);
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, body), 422);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld", arras, r2);
	snprintf(body, sizeof(body), "{\"responsible_id\":%lld}", r1);
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, body), 422);   /* r2 has a proche */
	snprintf(sql, sizeof(sql), "SELECT responsible_id FROM users WHERE id = %lld", p);
	CU_ASSERT_EQUAL(sql_ll(sql), r2);
	/* null: a responsable of their own, with the contact details given */
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld", arras, p);
	snprintf(body, sizeof(body), "{\"responsible_id\":null,\"phone_number\":\"06 12 00 00 %02d\","
		 "\"email\":\"enfant.famille.%d@exemple.fr\"}", (int)(getpid() % 100), (int)getpid());
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, body), 200);
	CU_ASSERT(browser_body_has(&b, "\"responsible_id\":null"));
	snprintf(body, sizeof(body), "\"email\":\"enfant.famille.%d@exemple.fr\"", (int)getpid());
	CU_ASSERT(browser_body_has(&b, body));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE item_type = 'user' AND item_id = %lld AND event = 'detach'", p);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	/* a responsable stays one */
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, "{\"responsible_id\":null}"), 200);
	CU_ASSERT(browser_body_has(&b, body));
	/* another organisation's usager */
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users/%lld", arras, jess);
	CU_ASSERT_EQUAL(api(&b, "PATCH", path, "{\"responsible_id\":null}"), 404);
	browser_free(&b);
}

/* The ids of Arras's usagers with a word of the name starting with word, in the order
 * of the folded names (recomputed from users), page by page; their number. */
static void expected_org_ids(const char *word, int per_page, int page, char *out, size_t n)
{
	char sql[768];
	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(string_agg(id::text, ',' ORDER BY w, id), '') FROM"
		 " (SELECT u.id, rdv_name_words(u.last_name, u.first_name, u.birth_name) w FROM users u"
		 "   JOIN user_profiles p ON p.user_id = u.id AND p.organisation_id = %lld"
		 "   WHERE u.deleted_at IS NULL AND rdv_name_words(u.last_name, u.first_name, u.birth_name) LIKE '%% %s%%'"
		 "   ORDER BY w, u.id LIMIT %d OFFSET %d) x", arras, word, per_page, (page - 1) * per_page);
	out[0] = '\0';
	test_sql(sql, out, n);
}

static long long org_matches(const char *word)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM users u JOIN user_profiles p ON p.user_id = u.id"
		 " AND p.organisation_id = %lld WHERE u.deleted_at IS NULL"
		 " AND rdv_name_words(u.last_name, u.first_name, u.birth_name) LIKE '%% %s%%'", arras, word);
	return sql_ll(sql);
}

/* A frequent word (more than 100 profiles of the organisation hold it: the name order
 * is read and stopped at the page, 0029) and a rare one (the word index): the same
 * usagers in the same order as every match sorted by folded name; the list's total
 * is a lower bound before the last page and exact on it; the API's stays exact. */
static void test_search_frequent_words(void)
{
	enum { LIST_PER_PAGE = 30 };   /* cgi-bin/booking/usagers.c PER_PAGE */
	char sql[640], path[256], want[2048], got[2048], text[128];
	/* 100 Zorglub, and 12 Abel whose first name is Zorglub: they come first */
	snprintf(sql, sizeof(sql),
		 "WITH u AS (INSERT INTO users (first_name, last_name, created_through)"
		 "  SELECT CASE WHEN i <= 100 THEN 'Pers' || lpad(i::text, 3, '0') ELSE 'Zorglub' END,"
		 "         CASE WHEN i <= 100 THEN 'Zorglub' ELSE 'Abel' END, 'agent_creation'"
		 "    FROM generate_series(1, 112) i RETURNING id),"
		 " p AS (INSERT INTO user_profiles (user_id, organisation_id) SELECT id, %lld FROM u RETURNING 1)"
		 " SELECT count(*) FROM p", arras);
	CU_ASSERT_EQUAL_FATAL(sql_ll(sql), 112);
	long long count = org_matches("zo");
	CU_ASSERT_FATAL(count > 100);
	struct browser b;
	sign_in(&b, PMI);
	/* the RDV form's autocomplete: the first 20, in order */
	static const char *const words[] = {"zo", "zorglub", NULL};
	for (int i = 0; words[i]; i++) {
		snprintf(path, sizeof(path), "%s/search.json?q=%s", base, words[i]);
		CU_ASSERT_EQUAL(browser_get(&b, path), 200);
		expected_org_ids(words[i], 20, 1, want, sizeof(want));
		ids_in_order(&b, "\"id\":", got, sizeof(got));
		CU_ASSERT_STRING_EQUAL(got, want);
	}
	CU_ASSERT(browser_body_has(&b, "\"label\":\"ABEL Zorglub"));
	/* the list: a lower bound, then the exact total on the last page */
	long long last = (count + LIST_PER_PAGE - 1) / LIST_PER_PAGE;
	for (long long page = 1; page <= last; page++) {
		snprintf(path, sizeof(path), "%s?q=zo&page=%lld", base, page);
		CU_ASSERT_EQUAL(browser_get(&b, path), 200);
		expected_org_ids("zo", LIST_PER_PAGE, (int)page, want, sizeof(want));
		ids_in_order(&b, "/usagers/", got, sizeof(got));
		CU_ASSERT_STRING_EQUAL(got, want);
		if (page < last)
			snprintf(text, sizeof(text), "Plus de %lld usager(s)", page * LIST_PER_PAGE);
		else
			snprintf(text, sizeof(text), "<p>%lld usager(s) pour", count);
		CU_ASSERT(browser_body_has(&b, text));
	}
	/* a rare pair of words: every match, counted exactly */
	snprintf(path, sizeof(path), "%s?q=zorglub+abel", base);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "<p>12 usager(s) pour"));
	browser_free(&b);
	/* the API counts every match */
	api_token(ADMIN_ARRAS);
	browser_init(&b);
	snprintf(path, sizeof(path), "/api/v1/organisations/%lld/users?search=zo&per_page=10", arras);
	CU_ASSERT_EQUAL(api(&b, "GET", path, NULL), 200);
	snprintf(text, sizeof(text), "\"total\":%lld}", count);
	CU_ASSERT(browser_body_has(&b, text));
	expected_org_ids("zo", 10, 1, want, sizeof(want));
	ids_in_order(&b, "\"id\":", got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, want);
	browser_free(&b);
	/* the other tests and suites count Arras's usagers without them */
	CU_ASSERT_EQUAL(sql_ll("WITH d AS (DELETE FROM users WHERE (last_name = 'Zorglub' AND first_name LIKE 'Pers%')"
			       " OR (last_name = 'Abel' AND first_name = 'Zorglub') RETURNING 1) SELECT count(*) FROM d"), 112);
}

void register_usagers_http(void)
{
	CU_pSuite s = CU_add_suite("http: usagers", suite_init, NULL);
	CU_add_test(s, "list, search (name, phone, date), autocomplete, scope", test_index_and_search);
	CU_add_test(s, "territory list: lower bound before the last page, exact total on it, name order",
		    test_territory_list_pager);
	CU_add_test(s, "search by the start of the words of the name, renames followed", test_search_words);
	CU_add_test(s, "frequent and rare words: the page in name order, totals", test_search_frequent_words);
	CU_add_test(s, "create a responsable and a proche", test_create_responsable_and_proche);
	CU_add_test(s, "invalid phone, e-mail, dates: 422 in French, values kept", test_invalid_input_422);
	CU_add_test(s, "duplicate warnings: phone, identity, confirm, deleted ignored", test_duplicate_warnings);
	CU_add_test(s, "another organisation's usager is 404; add to my organisation", test_other_org_404_and_add_to_org);
	CU_add_test(s, "edit and update with audit", test_edit_update);
	CU_add_test(s, "referents and mes usagers", test_referents_and_mes_usagers);
	CU_add_test(s, "delete anonymises, keeps RDVs, decides about proches", test_delete_anonymises);
	CU_add_test(s, "merge moves everything and loses nothing", test_merge_moves_everything);
	CU_add_test(s, "merge: a value chosen per differing field, validated, audited", test_merge_choices);
	CU_add_test(s, "merge: the same phone written two ways is no choice", test_merge_same_phone_normalised);
	CU_add_test(s, "territory shared with a basic agent under RLS: identity yes, Lens notes and RDVs no",
		    test_territory_shared_usagers);
	CU_add_test(s, "API users: list, create, duplicates, errors, 404", test_api_users);
	CU_add_test(s, "API users throughout the territory: exact total, name order", test_api_users_territory_total);
	CU_add_test(s, "API users: move a proche, make a proche a responsable (responsible_id)", test_api_family);
}
