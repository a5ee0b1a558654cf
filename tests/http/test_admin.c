/*
 * test_admin.c - the administration program against the running stack:
 * every page for the three levels (territory admin, organisation admin,
 * basic agent) plus an admin of another organisation, invitations and role
 * changes, the last-admin and future-RDV invariants, no escalation, motif
 * and lieu validation in French, webhooks, settings and the audit trail.
 */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define TERR_ADMIN "admin.territoire@demo.rdv-solidarites.fr"
#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"
#define PMI "agent.pmi@demo.rdv-solidarites.fr"
#define LENS_ADMIN "agent.lens@demo.rdv-solidarites.fr"

static long long arras, lens, terr;

static void ids(void)
{
	char out[32];
	arras = test_org_id("MDS d'Arras");
	lens = test_org_id("MDS de Lens");
	test_sql("SELECT id FROM territories WHERE departement_number = '62'", out, sizeof(out));
	terr = atoll(out);
}

static void sign_in(struct browser *b, const char *email)
{
	browser_init(b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(b, email, NULL), 303);
	browser_get(b, "/admin/");   /* the session's CSRF token */
}

static long long sql_ll(const char *sql)
{
	char out[64] = "";
	test_sql(sql, out, sizeof(out));
	return atoll(out);
}

static const char *path(char *buf, size_t n, const char *fmt, long long a)
{
	snprintf(buf, n, fmt, a);
	return buf;
}

/* ------------------------------------------------------------ access */

static const char *const org_pages[] = {"", "/edit", "/agents", "/agents/new", "/lieux", "/lieux/new", "/motifs",
					"/motifs/new", "/webhooks", "/audit", "/agenda_accesses", NULL};

static void test_org_pages_three_levels(void)
{
	ids();
	struct browser ta, oa, basic, other;
	sign_in(&ta, TERR_ADMIN);
	sign_in(&oa, ADMIN_ARRAS);
	sign_in(&basic, PMI);
	sign_in(&other, LENS_ADMIN);
	char p[256];
	for (int i = 0; org_pages[i]; i++) {
		snprintf(p, sizeof(p), "/admin/organisations/%lld%s", arras, org_pages[i]);
		CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
		CU_ASSERT_EQUAL(browser_get(&oa, p), 200);
		CU_ASSERT_EQUAL(browser_get(&basic, p), 403);
		CU_ASSERT(browser_body_has(&basic, "réservée aux administrateurs"));
		CU_ASSERT_EQUAL(browser_get(&other, p), 404);
	}
	/* the territory admin reaches every organisation of the territory */
	CU_ASSERT_EQUAL(browser_get(&ta, path(p, sizeof(p), "/admin/organisations/%lld/motifs", lens)), 200);
	struct browser anon;
	browser_init(&anon);
	CU_ASSERT_EQUAL(browser_get(&anon, path(p, sizeof(p), "/admin/organisations/%lld/agents", arras)), 302);
	browser_free(&anon);
	browser_free(&ta);
	browser_free(&oa);
	browser_free(&basic);
	browser_free(&other);
}

static const char *const terr_admin_pages[] = {"/sectors", "/settings", "/audit", "/sectorisation_test",
					       "/zones/import", "/organisations/new", NULL};

static void test_territory_pages_three_levels(void)
{
	ids();
	struct browser ta, oa, basic;
	sign_in(&ta, TERR_ADMIN);
	sign_in(&oa, ADMIN_ARRAS);
	sign_in(&basic, PMI);
	char p[256];
	for (int i = 0; terr_admin_pages[i]; i++) {
		snprintf(p, sizeof(p), "/admin/territories/%lld%s", terr, terr_admin_pages[i]);
		CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
		CU_ASSERT_EQUAL(browser_get(&oa, p), 403);
		CU_ASSERT(browser_body_has(&oa, "administrateurs du territoire"));
		CU_ASSERT_EQUAL(browser_get(&basic, p), 403);
	}
	/* the territory home and agents list: any territorial right (admin.arras may invite) */
	CU_ASSERT_EQUAL(browser_get(&ta, path(p, sizeof(p), "/admin/territories/%lld", terr)), 200);
	CU_ASSERT_EQUAL(browser_get(&oa, path(p, sizeof(p), "/admin/territories/%lld/agents", terr)), 200);
	CU_ASSERT(browser_body_has(&oa, "Delcroix"));
	CU_ASSERT_EQUAL(browser_get(&basic, path(p, sizeof(p), "/admin/territories/%lld", terr)), 403);
	/* a territory that does not exist for them */
	CU_ASSERT_EQUAL(browser_get(&ta, "/admin/territories/999999/sectors"), 404);
	/* the home lists the territory for its admin */
	CU_ASSERT_EQUAL(browser_get(&ta, "/admin/"), 200);
	CU_ASSERT(browser_body_has(&ta, "Pas-de-Calais"));
	CU_ASSERT_EQUAL(browser_get(&basic, "/admin/"), 403);
	browser_free(&ta);
	browser_free(&oa);
	browser_free(&basic);
}

/* ------------------------------------------------- invite, roles, remove */

static long long invite(struct browser *b, long long org, const char *email, const char *role)
{
	char p[256], form[512];
	long long svc = sql_ll("SELECT id FROM services WHERE short_name = 'PMI'");
	snprintf(form, sizeof(form), "email=%s&first_name=Test&last_name=Invit%%C3%%A9&role=%s&service_ids=%lld",
		 email, role, svc);
	CU_ASSERT_EQUAL(browser_post(b, path(p, sizeof(p), "/admin/organisations/%lld/agents", org), form, 1), 303);
	/* the e-mail arrives URL-encoded ("%40"): decode it for the lookup */
	char plain[128], sql[256];
	const char *at = strstr(email, "%40");
	snprintf(plain, sizeof(plain), "%.*s@%s", (int)(at ? at - email : 0), email, at ? at + 3 : email);
	snprintf(sql, sizeof(sql), "SELECT id FROM agents WHERE email = '%s'", plain);
	return sql_ll(sql);
}

static void test_invite_and_roles(void)
{
	ids();
	struct browser oa;
	sign_in(&oa, ADMIN_ARRAS);
	char p[256], sql[256];
	long long id = invite(&oa, arras, "nouvel.agent%40exemple.fr", "basic");
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM outbox WHERE event = 'agent_invitation'"
			       " AND recipient = 'nouvel.agent@exemple.fr'"), 1);
	CU_ASSERT_EQUAL(browser_get(&oa, path(p, sizeof(p), "/admin/organisations/%lld/agents?q=nouvel", arras)), 200);
	CU_ASSERT(browser_body_has(&oa, "Invitation envoyée"));
	/* the same e-mail again: already a member, 422 in French */
	char form[512];
	long long svc = sql_ll("SELECT id FROM services WHERE short_name = 'PMI'");
	snprintf(form, sizeof(form), "email=nouvel.agent%%40exemple.fr&role=basic&service_ids=%lld", svc);
	CU_ASSERT_EQUAL(browser_post(&oa, path(p, sizeof(p), "/admin/organisations/%lld/agents", arras), form, 1), 422);
	CU_ASSERT(browser_body_has(&oa, "fait déjà partie"));
	/* bad input: no e-mail, no service */
	CU_ASSERT_EQUAL(browser_post(&oa, path(p, sizeof(p), "/admin/organisations/%lld/agents", arras), "role=basic", 1), 422);
	CU_ASSERT(browser_body_has(&oa, "L&#39;e-mail est obligatoire"));
	CU_ASSERT(browser_body_has(&oa, "au moins un service"));
	/* promote, then demote: the demotion asks for a confirmation first */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld/role", arras, id);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "role=admin", 1), 303);
	snprintf(sql, sizeof(sql), "SELECT access_level FROM agent_roles WHERE agent_id = %lld", id);
	char lvl[32];
	test_sql(sql, lvl, sizeof(lvl));
	CU_ASSERT_STRING_EQUAL(lvl, "admin");
	CU_ASSERT_EQUAL(browser_post(&oa, p, "role=basic", 1), 200);
	CU_ASSERT(browser_body_has(&oa, "Confirmez-vous"));
	test_sql(sql, lvl, sizeof(lvl));
	CU_ASSERT_STRING_EQUAL(lvl, "admin");
	CU_ASSERT_EQUAL(browser_post(&oa, p, "role=basic&confirm=1", 1), 303);
	test_sql(sql, lvl, sizeof(lvl));
	CU_ASSERT_STRING_EQUAL(lvl, "basic");
	/* an invented role is refused */
	CU_ASSERT_EQUAL(browser_post(&oa, p, "role=territory_admin", 1), 422);
	/* every change is in the audit, with before/after */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE item_type = 'agent_role' AND item_id = %lld"
				   " AND event = 'update' AND before IS NOT NULL AND after IS NOT NULL", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 2);
	/* remove the (pending) agent: confirmation, then soft delete (last organisation) */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld/remove", arras, id);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 200);
	CU_ASSERT(browser_body_has(&oa, "Retirer de l&#39;organisation"));
	CU_ASSERT_EQUAL(browser_post(&oa, p, "", 1), 200);   /* no confirm: the page again */
	CU_ASSERT_EQUAL(browser_post(&oa, p, "confirm=1", 1), 303);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM agents WHERE id = %lld AND deleted_at IS NOT NULL", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	browser_free(&oa);
}

static void test_intervenant(void)
{
	ids();
	struct browser oa;
	sign_in(&oa, ADMIN_ARRAS);
	char p[256], form[256];
	long long svc = sql_ll("SELECT id FROM services WHERE short_name = 'PMI'");
	snprintf(form, sizeof(form), "role=intervenant&email=x%%40y.fr&last_name=&service_ids=%lld", svc);
	CU_ASSERT_EQUAL(browser_post(&oa, path(p, sizeof(p), "/admin/organisations/%lld/agents", arras), form, 1), 422);
	CU_ASSERT(browser_body_has(&oa, "laissez l&#39;e-mail vide"));
	snprintf(form, sizeof(form), "role=intervenant&first_name=Paul&last_name=Intervenant-Test&service_ids=%lld", svc);
	CU_ASSERT_EQUAL(browser_post(&oa, path(p, sizeof(p), "/admin/organisations/%lld/agents", arras), form, 1), 303);
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM agents a JOIN agent_roles r ON r.agent_id = a.id WHERE"
			       " a.last_name = 'Intervenant-Test' AND a.email IS NULL AND r.access_level = 'intervenant'"), 1);
	test_sql("DELETE FROM agents WHERE last_name = 'Intervenant-Test'", NULL, 0);
	browser_free(&oa);
}

static void test_last_admin_and_future_rdvs(void)
{
	ids();
	struct browser ta, oa;
	sign_in(&ta, TERR_ADMIN);
	/* a new organisation with a single (invited) admin */
	char p[256], sql[256];
	CU_ASSERT_EQUAL(browser_post(&ta, path(p, sizeof(p), "/admin/territories/%lld/organisations", terr),
				     "name=Organisation+de+test+admin", 1), 303);
	long long org = sql_ll("SELECT id FROM organisations WHERE name = 'Organisation de test admin'");
	CU_ASSERT(org > 0);
	long long id = invite(&ta, org, "seul.admin%40exemple.fr", "admin");
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld/role", org, id);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "role=basic&confirm=1", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "dernier administrateur"));
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld/remove", org, id);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "confirm=1", 1), 409);
	CU_ASSERT(browser_body_has(&ta, "dernier administrateur"));
	/* an agent with future RDVs in Arras: the page lists them, removal refused */
	long long pmi = test_agent_id(PMI);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rdvs r JOIN agents_rdvs a ON a.rdv_id = r.id WHERE a.agent_id = %lld"
				   " AND r.organisation_id = %lld AND r.starts_at > now() AND r.status IN ('unknown', 'seen', 'noshow')",
		 pmi, arras);
	long long future = sql_ll(sql);
	sign_in(&oa, ADMIN_ARRAS);
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld/remove", arras, pmi);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 200);
	if (future > 0) {
		CU_ASSERT(browser_body_has(&oa, "Action impossible"));
		CU_ASSERT(browser_body_has(&oa, "rendez-vous à venir"));
		CU_ASSERT_EQUAL(browser_post(&oa, p, "confirm=1", 1), 409);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM agent_roles WHERE agent_id = %lld AND organisation_id = %lld",
			 pmi, arras);
		CU_ASSERT_EQUAL(sql_ll(sql), 1);
	}
	browser_free(&ta);
	browser_free(&oa);
}

static void test_no_escalation(void)
{
	ids();
	struct browser oa;
	sign_in(&oa, ADMIN_ARRAS);
	char p[256];
	long long pmi = test_agent_id(PMI), lens_basic = test_agent_id("basic.lens@demo.rdv-solidarites.fr");
	/* territory admin role: territory admins only */
	snprintf(p, sizeof(p), "/admin/territories/%lld/agents/%lld/territory_admin", terr, pmi);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "territory_admin=1&confirm=1", 1), 403);
	/* territorial rights: needs "gérer les droits d'accès" */
	snprintf(p, sizeof(p), "/admin/territories/%lld/agents/%lld/rights", terr, pmi);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "allow_to_invite_agents=1", 1), 403);
	/* roles in an organisation they do not administer: it does not exist for them */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld/role", lens, lens_basic);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "role=admin", 1), 404);
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM agent_territorial_roles r JOIN agents a ON a.id = r.agent_id"
			       " WHERE a.email = 'agent.pmi@demo.rdv-solidarites.fr'"), 0);
	/* a territory admin can, after confirming */
	struct browser ta;
	sign_in(&ta, TERR_ADMIN);
	snprintf(p, sizeof(p), "/admin/territories/%lld/agents/%lld/territory_admin", terr, pmi);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "territory_admin=1", 1), 200);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "territory_admin=1&confirm=1", 1), 303);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "territory_admin=0&confirm=1", 1), 303);
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM agent_territorial_roles r JOIN agents a ON a.id = r.agent_id"
			       " WHERE a.email = 'agent.pmi@demo.rdv-solidarites.fr'"), 0);
	browser_free(&oa);
	browser_free(&ta);
}

/* ------------------------------------------------------- motifs, lieux */

static void test_motif_validation(void)
{
	ids();
	struct browser oa;
	sign_in(&oa, ADMIN_ARRAS);
	char p[256], form[1024];
	long long svc = sql_ll("SELECT id FROM services WHERE short_name = 'PMI'");
	long long sec = sql_ll("SELECT id FROM services WHERE short_name = 'SEC'");
	snprintf(p, sizeof(p), "/admin/organisations/%lld/motifs", arras);
	snprintf(form, sizeof(form), "name=&color=bleu&default_duration_in_min=2&service_id=%lld&location_type=home"
		 "&bookable_by=everyone&min_public_booking_delay=86400&max_public_booking_delay=3600"
		 "&visibility_type=visible_and_notified&sectorisation_level=departement&collectif=1"
		 "&follow_up=1&for_secretariat=1", sec);
	CU_ASSERT_EQUAL(browser_post(&oa, p, form, 1), 422);
	CU_ASSERT(browser_body_has(&oa, "Le nom du motif est obligatoire."));
	CU_ASSERT(browser_body_has(&oa, "#RRGGBB"));
	CU_ASSERT(browser_body_has(&oa, "entre 5 et 720"));
	CU_ASSERT(browser_body_has(&oa, "secrétariat ne peut pas porter"));
	CU_ASSERT(browser_body_has(&oa, "supérieur au délai minimum"));
	CU_ASSERT(browser_body_has(&oa, "sur place"));
	CU_ASSERT(browser_body_has(&oa, "Un motif de suivi"));
	CU_ASSERT(browser_body_has(&oa, "value=\"bleu\""));   /* values kept */
	snprintf(form, sizeof(form), "name=Motif+de+test+admin&color=%%23123456&default_duration_in_min=40&service_id=%lld"
		 "&location_type=public_office&bookable_by=everyone&min_public_booking_delay=1800"
		 "&max_public_booking_delay=7889238&visibility_type=visible_and_notified&sectorisation_level=departement"
		 "&rdvs_editable_by_user=1&rdvs_cancellable_by_user=1", svc);
	CU_ASSERT_EQUAL(browser_post(&oa, p, form, 1), 303);
	long long id = sql_ll("SELECT id FROM motifs WHERE name = 'Motif de test admin'");
	CU_ASSERT(id > 0);
	/* the same name, service and type again: a French conflict message */
	CU_ASSERT_EQUAL(browser_post(&oa, p, form, 1), 422);
	CU_ASSERT(browser_body_has(&oa, "existe déjà"));
	/* delete: confirmation, then hard delete (no RDV) */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/motifs/%lld/delete", arras, id);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 200);
	CU_ASSERT(browser_body_has(&oa, "définitivement"));
	CU_ASSERT_EQUAL(browser_post(&oa, p, "confirm=1", 1), 303);
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM motifs WHERE id = %lld", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 0);
	/* a motif with RDVs is soft-deleted */
	long long used = sql_ll("SELECT m.id FROM motifs m WHERE m.organisation_id = (SELECT id FROM organisations WHERE"
				" name = 'MDS d''Arras') AND EXISTS (SELECT 1 FROM rdvs WHERE motif_id = m.id)"
				" AND m.name LIKE 'Entretien protection%' LIMIT 1");
	if (used > 0) {
		snprintf(p, sizeof(p), "/admin/organisations/%lld/motifs/%lld/delete", arras, used);
		CU_ASSERT_EQUAL(browser_post(&oa, p, "confirm=1", 1), 303);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM motifs WHERE id = %lld AND deleted_at IS NOT NULL", used);
		CU_ASSERT_EQUAL(sql_ll(sql), 1);
		test_sql("UPDATE motifs SET deleted_at = NULL WHERE name LIKE 'Entretien protection%'", NULL, 0);
	}
	/* another organisation's motif: 404 */
	long long lens_motif = sql_ll("SELECT id FROM motifs WHERE organisation_id = (SELECT id FROM organisations"
				      " WHERE name = 'MDS de Lens') LIMIT 1");
	snprintf(p, sizeof(p), "/admin/organisations/%lld/motifs/%lld/edit", arras, lens_motif);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 404);
	browser_free(&oa);
}

static void test_lieu_validation(void)
{
	ids();
	struct browser oa;
	sign_in(&oa, ADMIN_ARRAS);
	char p[256];
	snprintf(p, sizeof(p), "/admin/organisations/%lld/lieux", arras);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "name=&address=&phone_number=12", 1), 422);
	CU_ASSERT(browser_body_has(&oa, "Le nom du lieu est obligatoire."));
	CU_ASSERT(browser_body_has(&oa, "L&#39;adresse du lieu est obligatoire."));
	CU_ASSERT(browser_body_has(&oa, "numéro de téléphone"));
	CU_ASSERT_EQUAL(browser_post(&oa, p, "name=Lieu+test&address=1+rue+qui+n%27existe+pas+99999+Nulle+Part", 1), 422);
	CU_ASSERT(browser_body_has(&oa, "Adresse introuvable"));
	CU_ASSERT_EQUAL(browser_post(&oa, p, "name=Lieu+test&address=Quelque+part&latitude=120&longitude=2,5", 1), 422);
	CU_ASSERT(browser_body_has(&oa, "La latitude doit être"));
	CU_ASSERT_EQUAL(browser_post(&oa, p, "name=Lieu+test+admin&address=Quelque+part&latitude=50,29&longitude=2,77"
					  "&phone_number=0321000000", 1), 303);
	long long id = sql_ll("SELECT id FROM lieux WHERE name = 'Lieu test admin'");
	CU_ASSERT(id > 0);
	/* disabling asks for a confirmation */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/lieux/%lld", arras, id);
	const char *form = "name=Lieu+test+admin&address=Quelque+part&latitude=50.29&longitude=2.77&availability=disabled";
	CU_ASSERT_EQUAL(browser_post(&oa, p, form, 1), 200);
	CU_ASSERT(browser_body_has(&oa, "Désactiver le lieu"));
	char f2[512];
	snprintf(f2, sizeof(f2), "%s&confirm=1", form);
	CU_ASSERT_EQUAL(browser_post(&oa, p, f2, 1), 303);
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM lieux WHERE id = %lld AND availability = 'disabled'", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	/* an unused lieu can be deleted; a used one cannot */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/lieux/%lld/delete", arras, id);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "confirm=1", 1), 303);
	long long used = sql_ll("SELECT l.id FROM lieux l WHERE EXISTS (SELECT 1 FROM rdvs WHERE lieu_id = l.id) AND"
				" l.organisation_id = (SELECT id FROM organisations WHERE name = 'MDS d''Arras') LIMIT 1");
	snprintf(p, sizeof(p), "/admin/organisations/%lld/lieux/%lld/delete", arras, used);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "confirm=1", 1), 409);
	CU_ASSERT(browser_body_has(&oa, "Désactivez-le"));
	/* lieu audit rows have before/after */
	CU_ASSERT(sql_ll("SELECT count(*) FROM audit WHERE item_type = 'lieu'") >= 3);
	browser_free(&oa);
}

/* ------------------------------------------- webhooks, settings, audit */

static void test_webhooks_settings_audit(void)
{
	ids();
	struct browser oa, ta;
	sign_in(&oa, ADMIN_ARRAS);
	char p[256];
	snprintf(p, sizeof(p), "/admin/organisations/%lld/webhooks", arras);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "target_url=http%3A%2F%2Fcrm&secret=court", 1), 422);
	CU_ASSERT(browser_body_has(&oa, "https://"));
	CU_ASSERT(browser_body_has(&oa, "16 caractères"));
	CU_ASSERT(browser_body_has(&oa, "au moins une ressource"));
	CU_ASSERT_EQUAL(browser_post(&oa, p, "target_url=https%3A%2F%2Fcrm.exemple.fr%2Frdv&subscriptions=rdv"
					  "&subscriptions=motif", 1), 201);
	CU_ASSERT(browser_body_has(&oa, "il ne sera plus affiché"));
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM webhook_endpoints WHERE target_url = 'https://crm.exemple.fr/rdv'"
			       " AND subscriptions = '{rdv,motif}'"), 1);
	/* the audit never holds the secret */
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM audit WHERE item_type = 'webhook_endpoint' AND after ? 'secret'"), 0);
	/* organisation audit page, filtered */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/audit?item_type=agent_role", arras);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 200);
	CU_ASSERT(browser_body_has(&oa, "role : "));
	snprintf(p, sizeof(p), "/admin/organisations/%lld/audit?from=pas-une-date&page=-3", arras);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 200);
	/* territory settings */
	sign_in(&ta, TERR_ADMIN);
	snprintf(p, sizeof(p), "/admin/territories/%lld/settings", terr);
	CU_ASSERT_EQUAL(browser_post(&ta, p, "sms_sender_name=Beaucoup+trop+long&cancellation_deadline_hours=500"
					  "&reminder_hours=0", 1), 422);
	CU_ASSERT(browser_body_has(&ta, "11 caractères"));
	CU_ASSERT(browser_body_has(&ta, "entre 0 et 168"));
	CU_ASSERT_EQUAL(browser_post(&ta, p, "sms_sender_name=PasDeCalais&cancellation_deadline_hours=6&reminder_hours=24"
					  "&enable_notes_field=1", 1), 303);
	CU_ASSERT_EQUAL(sql_ll("SELECT cancellation_deadline_hours FROM territories WHERE departement_number = '62'"), 6);
	snprintf(p, sizeof(p), "/admin/territories/%lld/audit?item_type=territory", terr);
	CU_ASSERT_EQUAL(browser_get(&ta, p), 200);
	CU_ASSERT(browser_body_has(&ta, "cancellation_deadline_hours"));
	/* later suites (worker, export) run on the demo settings: put them back */
	test_sql("UPDATE territories SET cancellation_deadline_hours = 4, reminder_hours = 48, enable_notes_field = true,"
		 " enable_caisse_affiliation_field = true, enable_affiliation_number_field = true,"
		 " enable_family_situation_field = true, enable_number_of_children_field = true, enable_logement_field = true,"
		 " enable_case_number = true, enable_address_details = true, enable_context_field = true,"
		 " visible_users_throughout_the_territory = false WHERE departement_number = '62'", NULL, 0);
	test_sql("DELETE FROM webhook_endpoints WHERE target_url = 'https://crm.exemple.fr/rdv'", NULL, 0);
	browser_free(&oa);
	browser_free(&ta);
}

static void test_organisation_edit(void)
{
	ids();
	struct browser oa;
	sign_in(&oa, ADMIN_ARRAS);
	char p[256];
	snprintf(p, sizeof(p), "/admin/organisations/%lld", arras);
	/* the form below leaves address, website, horaires empty: keep the demo values aside */
	test_sql("CREATE TABLE test_admin_org_backup AS SELECT * FROM organisations WHERE name = 'MDS d''Arras'", NULL, 0);
	CU_ASSERT_EQUAL(browser_post(&oa, p, "name=&email=pas-un-email&external_id=Pas+Bon", 1), 422);
	CU_ASSERT(browser_body_has(&oa, "obligatoire"));
	CU_ASSERT(browser_body_has(&oa, "identifiant externe"));
	CU_ASSERT_EQUAL(browser_post(&oa, p, "name=MDS+d%27Arras&phone_number=03+21+21+47+00"
					  "&email=mds.arras%40demo.rdv-solidarites.fr&external_id=mds-arras", 1), 303);
	CU_ASSERT_EQUAL(browser_get(&oa, p), 200);
	CU_ASSERT(browser_body_has(&oa, "/org/ext/62/mds-arras"));
	/* creating organisations: territory admins only */
	CU_ASSERT_EQUAL(browser_post(&oa, path(p, sizeof(p), "/admin/territories/%lld/organisations", terr), "name=X", 1), 403);
	test_sql("UPDATE organisations o SET address = b.address, website = b.website, horaires = b.horaires,"
		 " phone_number = b.phone_number FROM test_admin_org_backup b WHERE o.id = b.id", NULL, 0);
	test_sql("DROP TABLE test_admin_org_backup", NULL, 0);
	browser_free(&oa);
}

void register_admin_http(void)
{
	CU_pSuite s = CU_add_suite("http: admin", NULL, NULL);
	CU_add_test(s, "organisation pages: territory admin, org admin, basic (403), other org (404)", test_org_pages_three_levels);
	CU_add_test(s, "territory pages by level and right", test_territory_pages_three_levels);
	CU_add_test(s, "invite, role changes with confirmation, remove", test_invite_and_roles);
	CU_add_test(s, "intervenants", test_intervenant);
	CU_add_test(s, "last admin and future RDVs are protected", test_last_admin_and_future_rdvs);
	CU_add_test(s, "no escalation beyond one's rights", test_no_escalation);
	CU_add_test(s, "motif validation in French, delete", test_motif_validation);
	CU_add_test(s, "lieu validation in French, disable, delete", test_lieu_validation);
	CU_add_test(s, "webhooks, territory settings, audit pages", test_webhooks_settings_audit);
	CU_add_test(s, "organisation edit and public link", test_organisation_edit);
}
