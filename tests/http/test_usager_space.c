/*
 * test_usager_space.c - the citizen's space: sign-in, sign-up with e-mail
 * confirmation, magic link, "Mes rendez-vous", cancellation before and after
 * the deadline, the waiting list, proches, RDV links (valid, expired,
 * tampered, wrong letters, scope), account deletion.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

#define USAGER "usager@demo.rdv-solidarites.fr"

/* An RDV of the citizen email (Arras, nourrisson) starting in `in` (SQL
 * interval); returns its id into out. */
static void make_rdv_for(const char *email, const char *in, char out[32])
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "WITH u AS (SELECT id FROM users WHERE email = '%s'),"
		 " m AS (SELECT m.id, m.organisation_id FROM motifs m JOIN organisations o ON o.id = m.organisation_id"
		 "  WHERE o.name = 'MDS d''Arras' AND m.name = 'Consultation PMI nourrisson'),"
		 " r AS (INSERT INTO rdvs (organisation_id, motif_id, starts_at, ends_at, created_by_type, users_count)"
		 "  SELECT organisation_id, id, date_trunc('minute', now() + interval '%s'),"
		 "  date_trunc('minute', now() + interval '%s') + interval '30 minutes', 'user', 1 FROM m RETURNING id),"
		 " p AS (INSERT INTO participations (rdv_id, user_id) SELECT r.id, u.id FROM r, u RETURNING rdv_id)"
		 " SELECT rdv_id FROM p", email, in, in);
	out[0] = '\0';
	test_sql(sql, out, 32);
}

static void make_rdv(const char *in, char out[32])
{
	make_rdv_for(USAGER, in, out);
}

/* Deleting an account cancels the family's future RDVs the way a citizen's
 * own cancellation does: RDV excused, agents and webhooks told (one delivery),
 * audited; in a workshop only their seat is freed. */
static void test_delete_account_cancels_rdvs(void)
{
	const char *email = "suppression.compte@exemple.fr";
	CU_ASSERT_FATAL(test_citizen(email) > 0);
	char rdv[32], atelier[32], q[1400];
	make_rdv_for(email, "9 days", rdv);
	CU_ASSERT_FATAL(atoll(rdv) > 0);
	snprintf(q, sizeof(q),
		 "WITH m AS (SELECT m.id, m.organisation_id, l.id AS lieu FROM motifs m JOIN organisations o"
		 "   ON o.id = m.organisation_id JOIN lieux l ON l.organisation_id = o.id AND l.availability = 'enabled'"
		 "   WHERE o.name = 'MDS d''Arras' AND m.collectif ORDER BY m.id, l.id LIMIT 1),"
		 " r AS (INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at, collectif, name,"
		 "   max_participants_count, users_count, created_by_type)"
		 "   SELECT organisation_id, id, lieu, date_trunc('minute', now() + interval '12 days'),"
		 "   date_trunc('minute', now() + interval '12 days 1 hour'), true, 'Atelier suppression', 5, 2, 'agent'"
		 "   FROM m RETURNING id),"
		 " p AS (INSERT INTO participations (rdv_id, user_id) SELECT r.id, u.id FROM r, users u"
		 "   WHERE u.email IN ('%s', '" USAGER "'))"
		 " SELECT id FROM r", email);
	CU_ASSERT_EQUAL_FATAL(test_sql(q, atelier, sizeof(atelier)), 0);
	snprintf(q, sizeof(q), "INSERT INTO webhook_endpoints (organisation_id, target_url, secret, subscriptions)"
		 " SELECT organisation_id, 'http://127.0.0.1:9/account-hook', 'secret-du-test-suppression-assez-long', '{rdv}'"
		 " FROM rdvs WHERE id = %s", rdv);
	CU_ASSERT_EQUAL(test_sql(q, NULL, 0), 0);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, email, NULL), 303);
	CU_ASSERT_EQUAL(browser_post(&b, "/users/delete", "", 1), 303);
	fx_sql_is("excused true", "SELECT status || ' ' || (cancelled_at IS NOT NULL) FROM rdvs WHERE id = %s", rdv);
	fx_sql_is("1", "SELECT count(*) FROM outbox WHERE rdv_id = %s AND channel = 'webhook'"
		   " AND recipient = 'http://127.0.0.1:9/account-hook'", rdv);
	fx_sql_is("1", "SELECT count(*) FROM audit WHERE item_type = 'rdv' AND item_id = %s AND event = 'cancel'", rdv);
	fx_sql_is("unknown 1", "SELECT status || ' ' || users_count FROM rdvs WHERE id = %s", atelier);
	fx_sql_is("excused,unknown", "SELECT string_agg(p.status::text, ',' ORDER BY u.deleted_at IS NULL) FROM participations p"
		   " JOIN users u ON u.id = p.user_id WHERE p.rdv_id = %s", atelier);
	test_sql("DELETE FROM webhook_endpoints WHERE target_url = 'http://127.0.0.1:9/account-hook'", NULL, 0);
	browser_free(&b);
}

static void test_signed_out_redirects(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_get(&b, "/users/rdvs"), 302);
	CU_ASSERT(strncmp(b.location, "/users/sign_in?return_to=", 25) == 0);
	CU_ASSERT_EQUAL(browser_get(&b, "/relatives"), 302);
	CU_ASSERT_EQUAL(browser_get(&b, "/users/informations"), 302);
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, USAGER, "mauvais-mot-de-passe-9"), 422);
	CU_ASSERT(browser_body_has(&b, "E-mail ou mot de passe incorrect."));
	browser_free(&b);
}

/* POST /users/rdvs/<id>/<action> with form; the status. */
static long post_rdv(struct browser *b, const char *id, const char *action, const char *form)
{
	char path[160];
	snprintf(path, sizeof(path), "/users/rdvs/%s/%s", id, action);
	return browser_post(b, path, form, 1);
}

static void test_my_rdvs(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/users/rdvs"), 200);
	CU_ASSERT(browser_body_has(&b, "Rendez-vous à venir"));
	CU_ASSERT(browser_body_has(&b, "Léo Demoulin"));
	CU_ASSERT_EQUAL(browser_get(&b, "/users/rdvs?past=1"), 200);
	CU_ASSERT(browser_body_has(&b, "Jade Demoulin"));
	/* someone else's RDV: not found */
	char other[32];
	test_sql("SELECT min(r.id) FROM rdvs r JOIN participations p ON p.rdv_id = r.id JOIN users u ON u.id = p.user_id"
		 " WHERE u.email IS DISTINCT FROM '" USAGER "' AND u.responsible_id IS NULL", other, sizeof(other));
	char path[64];
	snprintf(path, sizeof(path), "/users/rdvs/%s", other);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	browser_free(&b);
}

static void test_cancel_deadline(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	char soon[32], later[32], path[160];
	make_rdv("2 hours", soon);
	make_rdv("3 days", later);
	/* 2 hours before: too late, call the service */
	snprintf(path, sizeof(path), "/users/rdvs/%s", soon);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "ne peut plus être annulé en ligne"));
	CU_ASSERT(!browser_body_has(&b, "Annuler le rendez-vous"));
	CU_ASSERT_EQUAL(post_rdv(&b, soon, "cancel", ""), 303);
	fx_sql_is("unknown", "SELECT status FROM rdvs WHERE id = %s", soon);
	/* 3 days before: cancelled */
	CU_ASSERT_EQUAL(post_rdv(&b, later, "cancel", ""), 303);
	fx_sql_is("excused true", "SELECT status || ' ' || (cancelled_at IS NOT NULL) FROM rdvs WHERE id = %s", later);
	/* a territory with a 1-hour deadline lets the 2-hour one go */
	test_sql("UPDATE territories SET cancellation_deadline_hours = 1 WHERE departement_number = '62'", NULL, 0);
	CU_ASSERT_EQUAL(post_rdv(&b, soon, "cancel", ""), 303);
	fx_sql_is("excused", "SELECT status FROM rdvs WHERE id = %s", soon);
	test_sql("UPDATE territories SET cancellation_deadline_hours = 4 WHERE departement_number = '62'", NULL, 0);
	browser_free(&b);
}

static void test_waiting_list(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	char id[32];
	make_rdv("10 days", id);
	CU_ASSERT_EQUAL(post_rdv(&b, id, "file_attente", "action=join"), 303);
	fx_sql_is("1", "SELECT count(*) FROM file_attentes WHERE rdv_id = %s", id);
	CU_ASSERT_EQUAL(post_rdv(&b, id, "file_attente", "action=leave"), 303);
	fx_sql_is("0", "SELECT count(*) FROM file_attentes WHERE rdv_id = %s", id);
	browser_free(&b);
}

static void test_relatives_crud(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/relatives"), 200);
	CU_ASSERT(browser_body_has(&b, "Jade"));
	CU_ASSERT_EQUAL(browser_post(&b, "/relatives", "first_name=&last_name=Demoulin", 1), 422);
	CU_ASSERT(browser_body_has(&b, "Indiquez le prénom"));
	CU_ASSERT_EQUAL(browser_post(&b, "/relatives", "first_name=Tom&last_name=Demoulin&birth_date=2020-02-03", 1), 303);
	char id[32], path[64];
	test_sql("SELECT max(id) FROM users WHERE first_name = 'Tom' AND last_name = 'Demoulin'", id, sizeof(id));
	snprintf(path, sizeof(path), "/relatives/%s", id);
	CU_ASSERT_EQUAL(browser_post(&b, path, "first_name=Thomas&last_name=Demoulin", 1), 303);
	snprintf(path, sizeof(path), "/relatives/%s/delete", id);
	CU_ASSERT_EQUAL(browser_post(&b, path, "", 1), 303);
	/* not my proche */
	CU_ASSERT_EQUAL(browser_post(&b, "/relatives/1/delete", "", 1), 404);
	browser_free(&b);
}

static void test_sign_up_confirm_and_magic_link(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/users/sign_up");
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", "first_name=Ana&last_name=Nouvel&email=ana.nouvel@exemple.fr"
						    "&password=azerty", 1), 422);
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", "first_name=Ana&last_name=Nouvel&email=ana.nouvel@exemple.fr"
						    "&password=Ch4mbre-bleue-du-nord", 1), 200);
	CU_ASSERT(browser_body_has(&b, "e-mail de confirmation"));
	/* not confirmed yet */
	CU_ASSERT_EQUAL(browser_sign_in_user(&b, "ana.nouvel@exemple.fr", "Ch4mbre-bleue-du-nord"), 422);
	char link[512];
	test_sql("SELECT payload->>'link' FROM outbox WHERE event = 'user_confirmation'"
		 " AND recipient = 'ana.nouvel@exemple.fr' ORDER BY id DESC LIMIT 1", link, sizeof(link));
	const char *path = strstr(link, "/users/confirmation?token=");
	CU_ASSERT_FATAL(path != NULL);
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);                  /* single use */
	struct browser c;
	browser_init(&c);
	CU_ASSERT_EQUAL(browser_sign_in_user(&c, "ana.nouvel@exemple.fr", "Ch4mbre-bleue-du-nord"), 303);
	/* magic link */
	struct browser d;
	browser_init(&d);
	browser_get(&d, "/users/sign_in");
	CU_ASSERT_EQUAL(browser_post(&d, "/users/magic_link", "email=ana.nouvel@exemple.fr", 1), 303);
	test_sql("SELECT payload->>'link' FROM outbox WHERE event = 'user_magic_link'"
		 " AND recipient = 'ana.nouvel@exemple.fr' ORDER BY id DESC LIMIT 1", link, sizeof(link));
	path = strstr(link, "token=");
	CU_ASSERT_FATAL(path != NULL);
	char form[128];
	snprintf(form, sizeof(form), "%s", path);
	CU_ASSERT_EQUAL(browser_post(&d, "/users/magic_link/sign_in", form, 1), 303);
	CU_ASSERT_EQUAL(browser_get(&d, "/users/rdvs"), 200);
	/* delete the account: anonymised, signed out */
	CU_ASSERT_EQUAL(browser_post(&d, "/users/delete", "", 1), 303);
	char n[16];
	test_sql("SELECT count(*) FROM users WHERE email = 'ana.nouvel@exemple.fr'", n, sizeof(n));
	CU_ASSERT_STRING_EQUAL(n, "0");
	CU_ASSERT_EQUAL(browser_get(&d, "/users/rdvs"), 302);
	browser_free(&b);
	browser_free(&c);
	browser_free(&d);
}

/* A validation error is told next to its field (DSFR error group, message
 * referenced by aria-describedby), in the summary on top too, and what was
 * typed is kept. */
static void test_sign_up_field_errors(void)
{
	struct browser b;
	browser_init(&b);
	browser_get(&b, "/users/sign_up");
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", "first_name=Ana&last_name=Champ&email=ana.champ@exemple.fr"
						    "&password=azerty", 1), 422);
	CU_ASSERT(browser_body_has(&b, "fr-input-group fr-input-group--error\"><label class=\"fr-label\" for=\"password\""));
	CU_ASSERT(browser_body_has(&b, "aria-describedby=\"password-error\""));
	CU_ASSERT(browser_body_has(&b, "<p class=\"fr-error-text\" id=\"password-error\">"));
	CU_ASSERT(browser_body_has(&b, "fr-alert fr-alert--error"));            /* the summary stays */
	CU_ASSERT(!browser_body_has(&b, "first_name-error"));
	CU_ASSERT(browser_body_has(&b, "value=\"Ana\""));
	CU_ASSERT(browser_body_has(&b, "value=\"Champ\""));
	CU_ASSERT(browser_body_has(&b, "value=\"ana.champ@exemple.fr\""));
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", "first_name=&last_name=Champ&email=ana.champ@exemple.fr"
						    "&password=Ch4mbre-bleue-du-nord", 1), 422);
	CU_ASSERT(browser_body_has(&b, "aria-describedby=\"first_name-error\""));
	CU_ASSERT(browser_body_has(&b, "<p class=\"fr-error-text\" id=\"first_name-error\">Indiquez votre prénom.</p>"));
	CU_ASSERT(!browser_body_has(&b, "password-error"));
	/* sign-in: an empty password is flagged on its field */
	browser_get(&b, "/users/sign_in");
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_in", "email=ana.champ@exemple.fr&password=", 1), 422);
	CU_ASSERT(browser_body_has(&b, "aria-describedby=\"password-error\""));
	CU_ASSERT(browser_body_has(&b, "value=\"ana.champ@exemple.fr\""));
	browser_free(&b);
}

/* Sign up with return_to, follow the confirmation link: back to the
 * return_to (the créneau being booked), never to another site. */
static void confirm_with(const char *email, const char *return_to_enc, const char *tamper, const char *expect)
{
	struct browser b;
	browser_init(&b);
	char form[512], sql[256], link[512], path[640];
	CU_ASSERT_EQUAL(browser_get(&b, "/users/sign_up"), 200);
	snprintf(form, sizeof(form), "first_name=Rita&last_name=Retour&email=%s&password=Ch4mbre-bleue-du-nord"
		 "&return_to=%s", email, return_to_enc);
	CU_ASSERT_EQUAL(browser_post(&b, "/users/sign_up", form, 1), 200);
	snprintf(sql, sizeof(sql), "SELECT payload->>'link' FROM outbox WHERE event = 'user_confirmation'"
		 " AND recipient = '%s' ORDER BY id DESC LIMIT 1", email);
	test_sql(sql, link, sizeof(link));
	const char *p = strstr(link, "/users/confirmation?token=");
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT(strstr(p, "//evil") == NULL && strstr(p, "%2F%2Fevil") == NULL);
	snprintf(path, sizeof(path), "%s%s", p, tamper);
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);
	CU_ASSERT_STRING_EQUAL(b.location, expect);
	CU_ASSERT_EQUAL(browser_get(&b, "/users/rdvs"), 200);              /* signed in */
	browser_free(&b);
}

static void test_confirmation_return_to(void)
{
	confirm_with("rita.un@exemple.fr", "%2Freservation%2Fnew%3Fmotif_id%3D7%26starts_at%3D1800000000", "",
		     "/reservation/new?motif_id=7&starts_at=1800000000");
	/* off-site: dropped at sign-up, and refused when added to the link */
	confirm_with("rita.deux@exemple.fr", "%2F%2Fevil.example%2Fx", "", "/users/informations");
	confirm_with("rita.trois@exemple.fr", "https%3A%2F%2Fevil.example%2F", "&return_to=%2F%2Fevil.example%2F",
		     "/users/informations");
	confirm_with("rita.quatre@exemple.fr", "", "&return_to=%2F%5Cevil.example", "/users/informations");
}

#define TOKEN "Tok3nTok3nTok3nTok3nTok3nTok3nTok3nTok3nTok"

static void test_rdv_links(void)
{
	char id[32], path[160];
	make_rdv("6 days", id);
	CU_ASSERT_EQUAL(fx_rdv_link(id, TOKEN), 0);
	struct browser b;
	browser_init(&b);
	snprintf(path, sizeof(path), "/r/%s/%s", id, TOKEN);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "trois premières lettres"));
	CU_ASSERT_EQUAL(browser_post(&b, path, "letters=xyz", 1), 422);
	CU_ASSERT_EQUAL(browser_post(&b, path, "letters=d%C3%A9m", 1), 303);   /* "Dém", accents ignored */
	CU_ASSERT(strstr(b.location, "/users/rdvs/") != NULL);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	/* the session is limited to that RDV */
	CU_ASSERT_EQUAL(browser_get(&b, "/users/rdvs"), 302);
	CU_ASSERT_EQUAL(browser_get(&b, "/relatives"), 403);
	char other[32];
	make_rdv("7 days", other);
	snprintf(path, sizeof(path), "/users/rdvs/%s", other);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* tampered token, wrong RDV id */
	struct browser c;
	browser_init(&c);
	snprintf(path, sizeof(path), "/r/%s/%.42sX", id, TOKEN);
	CU_ASSERT_EQUAL(browser_get(&c, path), 404);
	snprintf(path, sizeof(path), "/r/%s/%s", other, TOKEN);
	CU_ASSERT_EQUAL(browser_get(&c, path), 404);
	/* expired */
	fx_sql(NULL, 0, "UPDATE rdv_tokens SET expires_at = now() - interval '1 minute'"
	       " WHERE token_hash = sha256(convert_to('%s', 'UTF8'))", TOKEN);
	snprintf(path, sizeof(path), "/r/%s/%s", id, TOKEN);
	CU_ASSERT_EQUAL(browser_get(&c, path), 404);
	browser_free(&b);
	browser_free(&c);
}

#define TOKEN2 "L1nkL1nkL1nkL1nkL1nkL1nkL1nkL1nkL1nkL1nkL1n"

/* A link's secret is its wall, whoever is signed in on the browser: a
 * citizen opening the link of another family's RDV still gets the page
 * (row-level security is not narrowed to the signed-in family there). */
static void test_rdv_link_while_signed_in(void)
{
	char id[32], sql[768], letters[16], path[160], form[64];
	make_rdv("8 days", id);
	snprintf(sql, sizeof(sql),
		 "WITH f AS (SELECT id FROM users WHERE email = '" USAGER "'),"
		 " o AS (SELECT u.id, u.last_name FROM users u, f WHERE u.id <> f.id AND u.responsible_id IS DISTINCT FROM f.id"
		 "  AND u.deleted_at IS NULL AND u.last_name ~ '^[A-Za-z]{3}' ORDER BY u.id LIMIT 1),"
		 " p AS (UPDATE participations SET user_id = o.id FROM o WHERE rdv_id = %s RETURNING participations.id)"
		 " INSERT INTO rdv_tokens (token_hash, participation_id, expires_at)"
		 " SELECT sha256(convert_to('%s', 'UTF8')), p.id, now() + interval '7 days' FROM p", id, TOKEN2);
	CU_ASSERT_EQUAL_FATAL(test_sql(sql, NULL, 0), 0);
	snprintf(sql, sizeof(sql), "SELECT lower(left(u.last_name, 3)) FROM participations p JOIN users u ON u.id = p.user_id"
		 " WHERE p.rdv_id = %s", id);
	CU_ASSERT_EQUAL_FATAL(test_sql(sql, letters, sizeof(letters)), 0);
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_user(&b, USAGER, NULL), 303);
	snprintf(path, sizeof(path), "/r/%s/%s", id, TOKEN2);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "trois premières lettres"));
	snprintf(form, sizeof(form), "letters=%s", letters);
	CU_ASSERT_EQUAL(browser_post(&b, path, form, 1), 303);
	CU_ASSERT(strstr(b.location, "/users/rdvs/") != NULL);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	browser_free(&b);
}

void register_usager_space_http(void)
{
	CU_pSuite s = CU_add_suite("usager_space", NULL, NULL);
	CU_add_test(s, "signed out: redirected to sign-in", test_signed_out_redirects);
	CU_add_test(s, "my RDVs, upcoming and past, not others'", test_my_rdvs);
	CU_add_test(s, "cancellation before / after the deadline", test_cancel_deadline);
	CU_add_test(s, "waiting list join / leave", test_waiting_list);
	CU_add_test(s, "proches CRUD", test_relatives_crud);
	CU_add_test(s, "sign-up, confirmation, magic link, delete", test_sign_up_confirm_and_magic_link);
	CU_add_test(s, "sign-up errors next to their fields", test_sign_up_field_errors);
	CU_add_test(s, "confirmation goes back to a local return_to only", test_confirmation_return_to);
	CU_add_test(s, "RDV links: valid, wrong letters, scope, tampered, expired", test_rdv_links);
	CU_add_test(s, "RDV link of another family while signed in", test_rdv_link_while_signed_in);
	CU_add_test(s, "deleting an account cancels the family's future RDVs", test_delete_account_cancels_rdvs);
}
