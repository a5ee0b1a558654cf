/*
 * test_invite_links.c - "invite to book" links (reference: users.
 * rdv_invitation_token): an agent invites a usager from their page (outbox
 * row, audit row); the link opens the search at the usager's address with
 * the motifs bookable by invited users, which nobody sees without it (nor
 * the public API); booking through it asks the three letters, books for the
 * invited person only and signs in for that RDV; expired or tampered links
 * show a French page and nothing else; another organisation cannot invite.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "fixtures.h"

#define MOTIF_NAME "Invitation test PMI"

static char g_arras[16], g_lens[16], g_motif[32], g_lieu[32], g_user[32], g_token[64];

/* The motif bookable by invited users only, with plages, and the usager
 * (Arras, e-mail, no phone, address in Arras) it is for. */
static int setup(void)
{
	char pmi[16], social[16], admin[16];
	fx_demo_ids(g_arras, g_lens, pmi, social, admin);
	fx_sql(g_motif, sizeof(g_motif),
	       "INSERT INTO motifs (organisation_id, service_id, name, default_duration_in_min, location_type,"
	       " bookable_by, sectorisation_level) SELECT o.id, s.id, '%s', 30, 'public_office',"
	       " 'agents_and_prescripteurs_and_invited_users', 'departement' FROM organisations o, services s"
	       " WHERE o.id = %s AND s.short_name = 'PMI' RETURNING id", MOTIF_NAME, g_arras);
	fx_sql(g_lieu, sizeof(g_lieu),
	       "WITH p AS (INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day,"
	       " start_time, end_time) SELECT l.organisation_id, a.id, l.id, 'Test invitation', current_date + d,"
	       " '08:00', '12:00' FROM unnest('{3,4,5,6,7,8}'::int[]) d, agents a, lieux l WHERE a.id = %s"
	       " AND l.name = 'MDS d''Arras – site Gambetta' RETURNING id, lieu_id),"
	       " pm AS (INSERT INTO plage_ouverture_motifs SELECT p.id, %s FROM p) SELECT min(lieu_id) FROM p",
	       pmi, g_motif);
	fx_sql(g_user, sizeof(g_user),
	       "WITH u AS (INSERT INTO users (first_name, last_name, email, address, city_code, street_ban_id,"
	       " created_through) VALUES ('Inès', 'Éluard', 'invitee-' || gen_random_uuid() || '@example.org',"
	       " '3 rue Ronville 62000 Arras', '62041', '62041_0460', 'agent_creation') RETURNING id),"
	       " p AS (INSERT INTO user_profiles (user_id, organisation_id) SELECT id, %s FROM u)"
	       " SELECT id FROM u", g_arras);
	return g_motif[0] && g_lieu[0] && g_user[0] ? 0 : -1;
}

/* The value of the readonly link field: the raw token after "invitation_token=". */
static int token_of(const struct browser *b, char out[64])
{
	const char *p = strstr(b->body.data ? b->body.data : "", "/prendre_rdv?invitation_token=");
	if (p == NULL)
		return -1;
	p += strlen("/prendre_rdv?invitation_token=");
	size_t n = strcspn(p, "\"&");
	if (n == 0 || n >= 64)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static void test_agent_invites(void)
{
	CU_ASSERT_EQUAL_FATAL(setup(), 0);
	struct browser b;
	fx_sign_in(&b, FX_ADMIN_ARRAS, fx_org_path(g_arras, "usagers", "/%s/invitation", g_user));
	CU_ASSERT_EQUAL(b.status, 200);
	CU_ASSERT(browser_body_has(&b, MOTIF_NAME));
	CU_ASSERT(!browser_body_has(&b, "channel-sms"));             /* no phone: no SMS */
	/* by SMS without a phone: refused in French, nothing queued */
	CU_ASSERT_EQUAL(browser_post(&b, fx_org_path(g_arras, "usagers", "/%s/invitation", g_user), "channel=sms", 1), 422);
	CU_ASSERT(browser_body_has(&b, "pas de numéro de téléphone"));
	fx_sql_is("0", "SELECT count(*) FROM outbox WHERE event = 'rdv_invitation' AND user_id = %s", g_user);
	/* by e-mail, for the invited-users motif */
	char form[128];
	snprintf(form, sizeof(form), "channel=email&motif_id=%s", g_motif);
	CU_ASSERT_EQUAL(browser_post(&b, fx_org_path(g_arras, "usagers", "/%s/invitation", g_user), form, 1), 200);
	CU_ASSERT(browser_body_has(&b, "envoyée par e-mail"));
	CU_ASSERT_EQUAL_FATAL(token_of(&b, g_token), 0);
	fx_sql_is("1", "SELECT count(*) FROM outbox o JOIN users u ON u.email = o.recipient WHERE o.event = 'rdv_invitation'"
		       " AND o.channel = 'email' AND u.id = %s AND o.payload->>'token' = '%s'", g_user, g_token);
	fx_sql_is("1", "SELECT count(*) FROM audit WHERE item_type = 'user' AND item_id = %s AND event = 'rdv_invitation'"
		       " AND organisation_id = %s", g_user, g_arras);
	/* stored hashed, never as is */
	fx_sql_is("0", "SELECT count(*) FROM users WHERE rdv_invitation_token = convert_to('%s', 'UTF8')", g_token);
	fx_sql_is("1", "SELECT count(*) FROM users WHERE id = %s AND rdv_invitation_token = sha256(convert_to('%s', 'UTF8'))",
		  g_user, g_token);
	browser_free(&b);
}

static void test_other_org_cannot_invite(void)
{
	struct browser b;
	fx_sign_in(&b, FX_ADMIN_ARRAS, fx_org_path(g_arras, "usagers", ""));
	/* a usager known only to Lens, through Arras's pages */
	char lens_user[32];
	fx_sql(lens_user, sizeof(lens_user),
	       "WITH u AS (INSERT INTO users (first_name, last_name, email) VALUES ('Lou', 'Lensois',"
	       " 'lens-' || gen_random_uuid() || '@example.org') RETURNING id),"
	       " p AS (INSERT INTO user_profiles (user_id, organisation_id) SELECT id, %s FROM u) SELECT id FROM u", g_lens);
	long st = browser_post(&b, fx_org_path(g_arras, "usagers", "/%s/invitation", lens_user), "channel=link", 1);
	CU_ASSERT(st == 404 || st == 403);
	/* Lens's pages, as an agent of Arras only */
	st = browser_post(&b, fx_org_path(g_lens, "usagers", "/%s/invitation", lens_user), "channel=link", 1);
	CU_ASSERT(st == 404 || st == 403);
	fx_sql_is("0", "SELECT count(*) FROM users WHERE id = %s AND rdv_invitation_token IS NOT NULL", lens_user);
	browser_free(&b);
}

static void test_link_opens_invited_motifs(void)
{
	CU_ASSERT_FATAL(g_token[0] != '\0');
	struct browser b;
	browser_init(&b);
	char path[512], sid[32];
	fx_sql(sid, sizeof(sid), "SELECT service_id FROM motifs WHERE id = %s", g_motif);
	/* without the link: never offered */
	snprintf(path, sizeof(path), "/prendre_rdv?address=x&city_code=62041&street_ban_id=62041_0460&service_id=%s", sid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(!browser_body_has(&b, MOTIF_NAME));
	/* nor through the public API */
	snprintf(path, sizeof(path), "/api/v1/public/next_availability?motif_id=%s", g_motif);
	long st = browser_get(&b, path);
	CU_ASSERT(st == 404 || st == 422);
	CU_ASSERT(!browser_body_has(&b, "\"starts_at\""));
	/* with it, alone: the usager's address, the invited motif (only it) and its créneaux */
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s", g_token);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, MOTIF_NAME));
	CU_ASSERT(browser_body_has(&b, "3 rue Ronville"));
	CU_ASSERT(!browser_body_has(&b, "Consultation PMI nourrisson"));
	browser_free(&b);
}

/* Invited without an address on record: the address step keeps the link. */
static void test_link_asks_missing_address(void)
{
	CU_ASSERT_FATAL(g_token[0] != '\0');
	struct browser b;
	browser_init(&b);
	char path[512], hidden[128];
	fx_sql(NULL, 0, "UPDATE users SET city_code = NULL, address = NULL WHERE id = %s RETURNING id", g_user);
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s", g_token);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	snprintf(hidden, sizeof(hidden), "name=\"invitation_token\" value=\"%s\"", g_token);
	CU_ASSERT(browser_body_has(&b, hidden));
	CU_ASSERT(browser_body_has(&b, "Votre adresse"));
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s&address=3+rue+ronville+arras", g_token);
	CU_ASSERT_EQUAL(browser_get(&b, path), 302);
	CU_ASSERT(strstr(b.location, g_token) != NULL && strstr(b.location, "city_code=62041") != NULL);
	fx_sql(NULL, 0, "UPDATE users SET city_code = '62041', address = '3 rue Ronville 62000 Arras' WHERE id = %s"
			" RETURNING id", g_user);
	browser_free(&b);
}

/* The first créneau link of the invitation's créneaux page into href. */
static int first_slot(struct browser *b, char *href, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s&motif_name=%s&location_type=public_office&lieu_id=%s",
		 g_token, "Invitation+test+PMI", g_lieu);
	if (browser_get(b, path) != 200)
		return -1;
	return fx_first_href(b, "/invitation/reservation/new?", href, n);
}

static void test_book_through_link(void)
{
	CU_ASSERT_FATAL(g_token[0] != '\0');
	struct browser b;
	browser_init(&b);
	char href[1024], other[32];
	CU_ASSERT_EQUAL_FATAL(first_slot(&b, href, sizeof(href)), 0);
	const char *st = strstr(href, "starts_at=");
	CU_ASSERT_FATAL(st != NULL);
	long long starts_at = atoll(st + 10);
	CU_ASSERT_EQUAL(browser_get(&b, href), 200);
	CU_ASSERT(browser_body_has(&b, "trois premières lettres"));
	CU_ASSERT(!browser_body_has(&b, "Pour qui est ce rendez-vous"));
	/* another family's member in the form changes nothing: the RDV is for the invited person */
	fx_sql(other, sizeof(other), "SELECT id FROM users WHERE email = 'usager@demo.rdv-solidarites.fr'");
	char action[256], form[512];
	snprintf(action, sizeof(action), "/invitation/reservation?invitation_token=%s", g_token);
	snprintf(form, sizeof(form), "motif_id=%s&lieu_id=%s&starts_at=%lld&for_user_id=%s&letters=dup", g_motif, g_lieu,
		 starts_at, other);
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "ne correspondent pas"));
	snprintf(form, sizeof(form), "motif_id=%s&lieu_id=%s&starts_at=%lld&for_user_id=%s&letters=elu", g_motif, g_lieu,
		 starts_at, other);
	CU_ASSERT_EQUAL(browser_post(&b, action, form, 1), 303);
	long long rdv = fx_location_id(&b);
	CU_ASSERT(strncmp(b.location, "/users/rdvs/", 12) == 0);
	fx_sql_is(g_user, "SELECT string_agg(user_id::text, ',') FROM participations WHERE rdv_id = %lld", rdv);
	fx_sql_is("0", "SELECT count(*) FROM participations p JOIN rdvs r ON r.id = p.rdv_id WHERE r.motif_id = %s"
		       " AND p.user_id = %s", g_motif, other);
	/* signed in for that RDV only */
	char rdv_path[64];
	snprintf(rdv_path, sizeof(rdv_path), "/users/rdvs/%lld", rdv);
	CU_ASSERT_EQUAL(browser_get(&b, rdv_path), 200);
	CU_ASSERT_EQUAL(browser_get(&b, "/relatives"), 403);
	browser_free(&b);
}

/* A new invitation (no motif chosen) replaces the old link; follow-up
 * motifs open to invited users come with the invited person's referents. */
static void test_reinvite_follow_up(void)
{
	CU_ASSERT_FATAL(g_token[0] != '\0');
	char old[64], m[32], pmi[16], path[512];
	snprintf(old, sizeof(old), "%s", g_token);
	fx_sql(pmi, sizeof(pmi), "SELECT id FROM agents WHERE email = '%s'", FX_PMI);
	fx_sql(m, sizeof(m),
	       "WITH m AS (INSERT INTO motifs (organisation_id, service_id, name, default_duration_in_min, location_type,"
	       " bookable_by, sectorisation_level, follow_up) SELECT %s, service_id, 'Suivi invitation test', 30,"
	       " 'public_office', 'agents_and_prescripteurs_and_invited_users', 'departement', true FROM motifs"
	       " WHERE id = %s RETURNING id),"
	       " pm AS (INSERT INTO plage_ouverture_motifs SELECT p.id, m.id FROM m, plages_ouverture p"
	       "  JOIN plage_ouverture_motifs x ON x.plage_ouverture_id = p.id AND x.motif_id = %s)"
	       " SELECT id FROM m", g_arras, g_motif, g_motif);
	CU_ASSERT_FATAL(m[0] != '\0');
	struct browser b;
	fx_sign_in(&b, FX_ADMIN_ARRAS, fx_org_path(g_arras, "usagers", "/%s/invitation", g_user));
	CU_ASSERT_EQUAL(browser_post(&b, fx_org_path(g_arras, "usagers", "/%s/invitation", g_user), "channel=link", 1), 200);
	CU_ASSERT_EQUAL_FATAL(token_of(&b, g_token), 0);
	CU_ASSERT(strcmp(old, g_token) != 0);
	browser_free(&b);
	browser_init(&b);
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s", old);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* without a referent: no follow-up motif; with the PMI agent as referent: offered */
	char sid[32];
	fx_sql(sid, sizeof(sid), "SELECT service_id FROM motifs WHERE id = %s", g_motif);
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s&service_id=%s", g_token, sid);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, MOTIF_NAME));
	CU_ASSERT(browser_body_has(&b, "Consultation PMI nourrisson"));  /* everyone's motifs too */
	CU_ASSERT(!browser_body_has(&b, "Suivi invitation test"));
	fx_sql(NULL, 0, "INSERT INTO referent_assignations (user_id, agent_id) VALUES (%s, %s)", g_user, pmi);
	CU_ASSERT_EQUAL(browser_get(&b, path), 200);
	CU_ASSERT(browser_body_has(&b, "Suivi invitation test"));
	fx_sql(NULL, 0, "DELETE FROM referent_assignations WHERE user_id = %s", g_user);
	fx_sql(NULL, 0, "UPDATE motifs SET deleted_at = now() WHERE id = %s RETURNING id", m);
	browser_free(&b);
}

static void test_dead_links(void)
{
	CU_ASSERT_FATAL(g_token[0] != '\0');
	struct browser b;
	browser_init(&b);
	char path[512], tampered[64];
	snprintf(tampered, sizeof(tampered), "%s", g_token);
	tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s", tampered);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	CU_ASSERT(browser_body_has(&b, "plus valable"));
	CU_ASSERT(!browser_body_has(&b, MOTIF_NAME));
	CU_ASSERT(!browser_body_has(&b, "Ronville"));
	snprintf(path, sizeof(path), "/invitation/reservation/new?invitation_token=%s&motif_id=%s&lieu_id=%s&starts_at=1",
		 tampered, g_motif, g_lieu);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	/* expired after 12 weeks (calendar weeks in Paris time: 2 hours for a DST change) */
	fx_sql(NULL, 0, "UPDATE users SET rdv_invitation_token_updated_at = now() - interval '12 weeks 2 hours'"
			" WHERE id = %s RETURNING id", g_user);
	snprintf(path, sizeof(path), "/prendre_rdv?invitation_token=%s", g_token);
	CU_ASSERT_EQUAL(browser_get(&b, path), 404);
	CU_ASSERT(!browser_body_has(&b, MOTIF_NAME));
	/* the next suites see no trace of the invited motif */
	fx_sql(NULL, 0, "UPDATE motifs SET deleted_at = now() WHERE id = %s RETURNING id", g_motif);
	browser_free(&b);
}

void register_invite_links_http(void)
{
	CU_pSuite s = CU_add_suite("invite_links", NULL, NULL);
	CU_add_test(s, "agent invites a usager: outbox row, audit row, token stored hashed", test_agent_invites);
	CU_add_test(s, "another organisation's agent cannot invite", test_other_org_cannot_invite);
	CU_add_test(s, "the link opens the invited-users motif (never without it, nor in the API)",
		    test_link_opens_invited_motifs);
	CU_add_test(s, "no address on record: the address step keeps the link", test_link_asks_missing_address);
	CU_add_test(s, "booking through the link: letters, for the invited person only, scoped session",
		    test_book_through_link);
	CU_add_test(s, "a new invitation replaces the link; follow-up motifs with the referents", test_reinvite_follow_up);
	CU_add_test(s, "tampered and expired links: French page, nothing shown", test_dead_links);
}
