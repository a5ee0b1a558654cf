/*
 * test_plages.c - plages d'ouverture: agent pages (list, new, create, show,
 * edit, update, delete, delete/move one occurrence) and the JSON API, with
 * validation, organisation isolation, per-agent access, CSRF and audit.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "series_checks.h"

#define PMI FX_PMI
#define SOCIAL FX_SOCIAL
#define ADMIN_ARRAS FX_ADMIN_ARRAS
#define LENS "agent.lens@demo.rdv-solidarites.fr"
#define TOKEN_ADMIN "plagesTestTokenAdminArras0123456789abcdefgh"
#define TOKEN_PMI "plagesTestTokenAgentPmi0123456789abcdefghij"

static struct series_fx fx = {.table = "plages_ouverture"};
static struct {
	char nourrisson[16], vad[16], tel_as[16], lieu[16], lieu_off[16];
} arras;   /* motifs and lieux of the MDS d'Arras */

static void fixture(void)
{
	if (fx.ready)
		return;
	series_fixture(&fx, 5, TOKEN_ADMIN, TOKEN_PMI);
	fx_sql(arras.nourrisson, 16, "SELECT id FROM motifs WHERE organisation_id = %s AND name = 'Consultation PMI nourrisson'", fx.arras);
	fx_sql(arras.vad, 16, "SELECT id FROM motifs WHERE organisation_id = %s AND name = 'Visite à domicile puéricultrice'", fx.arras);
	fx_sql(arras.tel_as, 16, "SELECT id FROM motifs WHERE organisation_id = %s AND location_type = 'phone'", fx.arras);
	fx_sql(arras.lieu, 16, "SELECT id FROM lieux WHERE organisation_id = %s AND availability = 'enabled' ORDER BY id LIMIT 1", fx.arras);
	fx_sql(arras.lieu_off, 16, "SELECT id FROM lieux WHERE organisation_id = %s AND availability = 'disabled' LIMIT 1", fx.arras);
}

/* The day d days after the test Monday, as YYYY-MM-DD. */
static const char *day_after(int d)
{
	return fx_day_after(fx.monday, d);
}

/* "/agent/organisations/<org>/plages_ouverture" + the printf-style suffix. */
#define po_path(org, ...) fx_org_path((org), "plages_ouverture", __VA_ARGS__)

static void sign_in(struct browser *b, const char *email)
{
	series_sign_in(&fx, b, email);
}

/* Creates a weekly Monday plage for agent.pmi through the form; returns its id. */
static long long create_weekly(struct browser *b, const char *title)
{
	char form[1024];
	snprintf(form, sizeof(form), "agent_id=%s&title=%s&lieu_id=%s&motif_ids=%s&first_day=%s&start_time=14:00"
		 "&end_time=16:00&recurrence=weekly&interval=1&on=monday&until=", fx.pmi, title, arras.lieu,
		 arras.nourrisson, fx.monday);
	CU_ASSERT_EQUAL(browser_post(b, po_path(fx.arras, ""), form, 1), 303);
	return fx_location_id(b);
}

static void test_signed_out(void)
{
	fixture();
	series_check_signed_out(&fx);
}

static void test_list_and_empty_state(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "")), 200);
	CU_ASSERT(browser_body_has(&b, "Consultations nourrissons"));
	CU_ASSERT(browser_body_has(&b, "Toutes les semaines : lundi, jeudi"));
	CU_ASSERT(!browser_body_has(&b, "Permanence sociale"));   /* not someone else's */
	browser_free(&b);

	/* an admin looks at an agent without plages: the empty state says what to do */
	sign_in(&b, ADMIN_ARRAS);
	char sec[16];
	fx_sql(sec, 16, "SELECT id FROM agents WHERE email = 'secretariat.arras@demo.rdv-solidarites.fr'");
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "?agent_id=%s", sec)), 200);
	CU_ASSERT(browser_body_has(&b, "Aucune plage d'ouverture pour cet agent"));
	browser_free(&b);
}

static void test_create_show_and_audit(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "/new")), 200);
	CU_ASSERT(browser_body_has(&b, "name=\"csrf_token\""));
	CU_ASSERT(browser_body_has(&b, "Consultation PMI nourrisson"));
	char form[1024];
	snprintf(form, sizeof(form), "agent_id=%s&title=Consultations+test+creation&lieu_id=%s&motif_ids=%s&motif_ids=%s"
		 "&first_day=%s&start_time=13:30&end_time=15:00&recurrence=weekly&interval=2&on=tuesday&on=friday&until=%s",
		 fx.pmi, arras.lieu, arras.nourrisson, arras.vad, fx.monday, day_after(90));
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 1), 303);
	CU_ASSERT(strstr(b.location, "/plages_ouverture/") != NULL);
	long long id = strtoll(strrchr(b.location, '/') + 1, NULL, 10);
	CU_ASSERT(id > 0);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "La plage d&#39;ouverture a été créée."));
	CU_ASSERT(browser_body_has(&b, "Consultations test creation"));
	CU_ASSERT(browser_body_has(&b, "Toutes les 2 semaines : mardi, vendredi, jusqu&#39;au"));
	CU_ASSERT(browser_body_has(&b, "13:30 – 15:00"));
	fx_sql_is("week 2 [\"tuesday\", \"friday\"] true 2",
		  "SELECT recurrence->>'every' || ' ' || (recurrence->>'interval') || ' ' || (recurrence->'on')::text"
		 " || ' ' || (recurrence_ends_at = '%s'::date)::text || ' ' || (SELECT count(*) FROM plage_ouverture_motifs"
		 " WHERE plage_ouverture_id = p.id) FROM plages_ouverture p WHERE id = %lld", day_after(90), id);
	fx_sql_is("1", "SELECT count(*) FROM audit WHERE item_type = 'plage_ouverture' AND item_id = %lld"
		 " AND event = 'create' AND after->>'title' = 'Consultations test creation' AND agent_id = %s", id, fx.pmi);
	browser_free(&b);
}

static void test_create_bad_input(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	char form[1024];
	/* no title, end before start, no motif; the typed values come back */
	snprintf(form, sizeof(form), "agent_id=%s&title=&lieu_id=%s&first_day=%s&start_time=15:00&end_time=10:00"
		 "&recurrence=none", fx.pmi, arras.lieu, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Saisissez un titre."));
	CU_ASSERT(browser_body_has(&b, "L&#39;heure de fin doit être après l&#39;heure de début."));
	CU_ASSERT(browser_body_has(&b, "Choisissez au moins un motif."));
	char kept[64];
	snprintf(kept, sizeof(kept), "value=\"%s\"", fx.monday);
	CU_ASSERT(browser_body_has(&b, kept));
	CU_ASSERT(browser_body_has(&b, "value=\"15:00\""));
	/* an on-site motif needs a lieu */
	snprintf(form, sizeof(form), "agent_id=%s&title=Sans+lieu&lieu_id=&motif_ids=%s&first_day=%s&start_time=09:00"
		 "&end_time=10:00", fx.pmi, arras.nourrisson, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Choisissez un lieu : un des motifs se déroule sur place."));
	/* a home-visit motif alone does not */
	snprintf(form, sizeof(form), "agent_id=%s&title=Visites+sans+lieu&lieu_id=&motif_ids=%s&first_day=%s&start_time=09:00"
		 "&end_time=10:00", fx.pmi, arras.vad, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 1), 303);
	/* a motif of another service, a disabled lieu, a bad date, a bad recurrence end */
	snprintf(form, sizeof(form), "agent_id=%s&title=X&lieu_id=%s&motif_ids=%s&first_day=2017-02-30&start_time=9h"
		 "&end_time=10:00&recurrence=weekly&interval=99&until=demain", fx.pmi, arras.lieu_off, arras.tel_as);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "n&#39;appartient à aucun service de cet agent"));
	CU_ASSERT(browser_body_has(&b, "Ce lieu est désactivé"));
	CU_ASSERT(browser_body_has(&b, "L&#39;intervalle doit être un nombre entre 1 et 52."));
	CU_ASSERT(browser_body_has(&b, "id=\"first_day-error\""));
	CU_ASSERT(browser_body_has(&b, "id=\"until-error\""));
	/* the end of the recurrence before the first day */
	snprintf(form, sizeof(form), "agent_id=%s&title=X&lieu_id=%s&motif_ids=%s&first_day=%s&start_time=09:00"
		 "&end_time=10:00&recurrence=weekly&interval=1&until=%s", fx.pmi, arras.lieu, arras.nourrisson, fx.monday, day_after(-7));
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "La date de fin de la récurrence doit être le premier jour ou après."));
	browser_free(&b);
}

static void test_csrf_required(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	char form[512], count[16], after[16];
	fx_sql(count, 16, "SELECT count(*) FROM plages_ouverture");
	snprintf(form, sizeof(form), "agent_id=%s&title=Sans+jeton&lieu_id=%s&motif_ids=%s&first_day=%s&start_time=09:00"
		 "&end_time=10:00", fx.pmi, arras.lieu, arras.nourrisson, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 0), 403);
	CU_ASSERT(browser_body_has(&b, "Rechargez la page"));
	fx_sql(after, 16, "SELECT count(*) FROM plages_ouverture");
	CU_ASSERT_STRING_EQUAL(count, after);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%s/delete", fx.social_item), "", 0), 403);
	browser_free(&b);
}

static void test_other_organisation_404(void)
{
	fixture();
	series_check_other_organisation(&fx);
}

static void test_basic_agent_on_other_agent(void)
{
	fixture();
	/* PMI and service social share no service: no access, nothing revealed */
	char form[512];
	snprintf(form, sizeof(form), "agent_id=%s&title=Pour+une+autre&lieu_id=%s&motif_ids=%s&first_day=%s"
		 "&start_time=09:00&end_time=10:00", fx.social, arras.lieu, arras.tel_as, fx.monday);
	series_check_other_agent(&fx, form);
	/* an explicit read grant: the plage shows, but changing it is 403 */
	struct browser b;
	sign_in(&b, PMI);
	fx_sql(NULL, 0, "INSERT INTO agenda_accesses (owner_agent_id, grantee_agent_id, level) VALUES (%s, %s, 'read')"
		      " ON CONFLICT DO NOTHING", fx.social, fx.pmi);
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "/%s", fx.social_item)), 200);
	CU_ASSERT(browser_body_has(&b, "Karima Benali"));
	CU_ASSERT(!browser_body_has(&b, "/edit\">Modifier"));
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "/%s/edit", fx.social_item)), 403);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%s/delete", fx.social_item), "", 1), 403);
	fx_sql(NULL, 0, "DELETE FROM agenda_accesses WHERE owner_agent_id = %s AND grantee_agent_id = %s", fx.social, fx.pmi);
	fx_sql_is("1", "SELECT count(*) FROM plages_ouverture WHERE id = %s", fx.social_item);
	browser_free(&b);

	/* the organisation's admin manages everyone's plages */
	sign_in(&b, ADMIN_ARRAS);
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "/%s/edit", fx.social_item)), 200);
	CU_ASSERT(browser_body_has(&b, "Modifier la plage d&#39;ouverture"));
	browser_free(&b);
}

static void test_edit_update(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	long long id = create_weekly(&b, "Avant+modification");
	CU_ASSERT_FATAL(id > 0);
	char form[1024];
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "/%lld/edit", id)), 200);
	CU_ASSERT(browser_body_has(&b, "value=\"Avant modification\""));
	CU_ASSERT(browser_body_has(&b, "id=\"on-monday\" name=\"on\" value=\"monday\" checked"));
	/* invalid update: 422, nothing changed */
	snprintf(form, sizeof(form), "agent_id=%s&title=Apres&lieu_id=%s&motif_ids=%s&first_day=%s&start_time=18:00"
		 "&end_time=17:00&recurrence=monthly&interval=1", fx.pmi, arras.lieu, arras.nourrisson, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld", id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "L&#39;heure de fin doit être après l&#39;heure de début."));
	fx_sql_is("Avant modification", "SELECT title FROM plages_ouverture WHERE id = %lld", id);
	/* valid: monthly, the n-th weekday of the first day */
	snprintf(form, sizeof(form), "agent_id=%s&title=Apres+modification&lieu_id=%s&motif_ids=%s&first_day=%s"
		 "&start_time=08:30&end_time=11:00&recurrence=monthly&interval=1", fx.pmi, arras.lieu, arras.nourrisson, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld", id), form, 1), 303);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "La plage d&#39;ouverture a été modifiée."));
	CU_ASSERT(browser_body_has(&b, "Tous les mois, le "));
	fx_sql_is("Apres modification 08:30 month monday",
		  "SELECT title || ' ' || to_char(start_time, 'HH24:MI') || ' ' || (recurrence->>'every')"
		 " || ' ' || (recurrence->'day'->>'weekday') FROM plages_ouverture WHERE id = %lld", id);
	fx_sql_is("Avant modification|Apres modification",
		  "SELECT before->>'title' || '|' || (after->>'title') FROM audit WHERE item_type = 'plage_ouverture'"
		 " AND item_id = %lld AND event = 'update'", id);
	browser_free(&b);
}

static void test_delete(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	long long id = create_weekly(&b, "A+supprimer");
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld/delete", id), "", 1), 303);
	CU_ASSERT(strstr(b.location, "/plages_ouverture?agent_id=") != NULL);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "La plage d&#39;ouverture a été supprimée."));
	fx_sql_is("0", "SELECT count(*) FROM plages_ouverture WHERE id = %lld", id);
	fx_sql_is("A supprimer",
		  "SELECT before->>'title' FROM audit WHERE item_type = 'plage_ouverture' AND item_id = %lld"
		 " AND event = 'destroy'", id);
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "/%lld", id)), 404);
	browser_free(&b);
}

static void test_delete_one_occurrence(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	long long id = create_weekly(&b, "Occurrence+a+retirer");
	CU_ASSERT_FATAL(id > 0);
	char form[128];
	/* a Tuesday is not an occurrence of a Monday plage */
	snprintf(form, sizeof(form), "day=%s", day_after(1));
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld/occurrences/delete", id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Ce jour n&#39;est pas une occurrence de cette plage"));
	snprintf(form, sizeof(form), "day=%s", day_after(7));
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld/occurrences/delete", id), form, 1), 303);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Occurrences supprimées ou déplacées"));
	fx_sql_is(day_after(7), "SELECT day::text FROM plage_ouverture_exceptions WHERE plage_ouverture_id = %lld", id);
	/* twice: it is no longer an occurrence */
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld/occurrences/delete", id), form, 1), 422);
	fx_sql_is("1", "SELECT count(*) FROM audit WHERE item_type = 'plage_ouverture' AND item_id = %lld"
		 " AND event = 'update' AND jsonb_array_length(after->'exceptions') = 1", id);
	browser_free(&b);
}

static void test_move_one_occurrence(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	long long id = create_weekly(&b, "Occurrence+a+deplacer");
	CU_ASSERT_FATAL(id > 0);
	char form[256], v[128];
	CU_ASSERT_EQUAL(browser_get(&b, po_path(fx.arras, "/%lld/occurrences/move?day=%s", id, day_after(14))), 200);
	CU_ASSERT(browser_body_has(&b, "Déplacer une occurrence"));
	snprintf(form, sizeof(form), "day=%s&new_day=%s&start_time=17:00&end_time=16:00", day_after(14), day_after(15));
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld/occurrences/move", id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "L&#39;heure de fin doit être après l&#39;heure de début."));
	snprintf(form, sizeof(form), "day=%s&new_day=%s&start_time=10:00&end_time=11:30", day_after(14), day_after(15));
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld/occurrences/move", id), form, 1), 303);
	long long moved = strtoll(strrchr(b.location, '/') + 1, NULL, 10);
	CU_ASSERT(moved > id);
	fx_sql(v, sizeof(v), "SELECT first_day::text || ' ' || to_char(start_time, 'HH24:MI') || ' ' || coalesce(recurrence::text, 'null')"
		 " || ' ' || exception_of_id FROM plages_ouverture WHERE id = %lld", moved);
	char want[128];
	snprintf(want, sizeof(want), "%s 10:00 null %lld", day_after(15), id);
	CU_ASSERT_STRING_EQUAL(v, want);
	fx_sql_is(day_after(14),
		  "SELECT day::text FROM plage_ouverture_exceptions WHERE plage_ouverture_id = %lld", id);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "Voir la plage récurrente d'origine"));
	/* a not-an-occurrence day */
	snprintf(form, sizeof(form), "day=%s&new_day=%s&start_time=10:00&end_time=11:30", day_after(3), day_after(15));
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, "/%lld/occurrences/move", id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Ce jour n&#39;est pas une occurrence"));
	browser_free(&b);
}

static void test_overlap_warning(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	/* agent.pmi already receives on Monday mornings ("Consultations nourrissons") */
	char form[1024];
	snprintf(form, sizeof(form), "agent_id=%s&title=Chevauchement&lieu_id=%s&motif_ids=%s&first_day=%s&start_time=10:00"
		 "&end_time=11:00&recurrence=none", fx.pmi, arras.lieu, arras.nourrisson, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, po_path(fx.arras, ""), form, 1), 303);   /* not blocking */
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "chevauche la plage « Consultations nourrissons »"));
	browser_free(&b);
}

/* ------------------------------------------------------------------ API */

static void test_api_round_trip(void)
{
	fixture();
	struct browser b;
	browser_init(&b);
	char path[128], body[1024];
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture", fx.arras);
	const char *rec = "{\"every\":\"month\",\"interval\":2,\"day\":{\"weekday\":\"tuesday\",\"nth\":2},\"until\":\"%s\"}";
	char recurrence[256];
	snprintf(recurrence, sizeof(recurrence), rec, day_after(200));
	snprintf(body, sizeof(body), "{\"agent_id\": %s, \"title\": \"Via l'API\", \"lieu_id\": %s, \"first_day\": \"%s\","
		 " \"start_time\": \"09:15\", \"end_time\": \"11:45\", \"motif_ids\": [%s], \"recurrence\": %s}",
		 fx.pmi, arras.lieu, day_after(8), arras.nourrisson, recurrence);
	CU_ASSERT_EQUAL_FATAL(fx_api(&b, "POST", path, TOKEN_ADMIN, body), 201);
	json_t *got = json_loads(b.body.data, 0, NULL);
	json_t *po = json_object_get(got, "plage_ouverture");
	CU_ASSERT_PTR_NOT_NULL_FATAL(po);
	json_t *want_rec = json_loads(recurrence, 0, NULL);
	CU_ASSERT(json_equal(json_object_get(po, "recurrence"), want_rec));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(po, "start_time")), "09:15");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(po, "first_day")), day_after(8));
	CU_ASSERT_EQUAL(json_integer_value(json_array_get(json_object_get(po, "motif_ids"), 0)), atoll(arras.nourrisson));
	long long id = json_integer_value(json_object_get(po, "id"));
	/* read back in the list */
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture?agent_id=%s&per_page=100", fx.arras, fx.pmi);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_ADMIN, NULL), 200);
	json_t *list = json_loads(b.body.data, 0, NULL);
	json_t *items = json_object_get(list, "plages_ouverture"), *it, *found = NULL;
	size_t i;
	json_array_foreach(items, i, it)
		if (json_integer_value(json_object_get(it, "id")) == id)
			found = it;
	CU_ASSERT_PTR_NOT_NULL(found);
	CU_ASSERT(found && json_equal(json_object_get(found, "recurrence"), want_rec));
	CU_ASSERT(found && json_equal(found, po));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(list, "meta"), "per_page")), 100);
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(list, "meta"), "total")) >= 4);
	json_decref(list);
	json_decref(want_rec);
	json_decref(got);
	/* pagination: per_page capped at 100, page 2 of 1-per-page */
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture?per_page=1&page=2", fx.arras);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_ADMIN, NULL), 200);
	list = json_loads(b.body.data, 0, NULL);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(list, "plages_ouverture")), 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(list, "meta"), "page")), 2);
	json_decref(list);
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture?per_page=500", fx.arras);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_ADMIN, NULL), 200);
	CU_ASSERT(browser_body_has(&b, "\"per_page\":100"));
	browser_free(&b);
}

static void test_api_errors(void)
{
	fixture();
	struct browser b;
	browser_init(&b);
	char path[128], body[512];
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture", fx.arras);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, NULL, NULL), 401);
	CU_ASSERT(browser_body_has(&b, "\"code\":\"unauthorized\""));
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_PMI, "{\"title\": "), 400);
	CU_ASSERT(browser_body_has(&b, "\"error\""));
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_PMI, "[1, 2]"), 400);
	/* validation: French messages per field */
	snprintf(body, sizeof(body), "{\"title\": \"\", \"first_day\": \"2026-02-30\", \"start_time\": \"10:00\","
		 " \"end_time\": \"09:00\", \"motif_ids\": [], \"recurrence\": {\"every\": \"year\"}}");
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_PMI, body), 422);
	json_t *root = json_loads(b.body.data, 0, NULL);
	json_t *e = json_object_get(root, "error");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "code")), "validation_failed");
	json_t *fields = json_object_get(e, "fields");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(fields, "title"), 0)), "Saisissez un titre.");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(fields, "first_day"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(fields, "end_time"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_array_get(json_object_get(fields, "motif_ids"), 0)),
			       "Choisissez au moins un motif.");
	const char *rec_msg = json_string_value(json_array_get(json_object_get(fields, "recurrence"), 0));
	CU_ASSERT(rec_msg != NULL && strstr(rec_msg, "« every » doit valoir") != NULL);
	json_decref(root);
	/* another organisation: 404; another agent's agenda for a basic agent: 403 */
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture", fx.lens);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_ADMIN, NULL), 404);
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_ADMIN, "{}"), 404);
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture", fx.arras);
	snprintf(body, sizeof(body), "{\"agent_id\": %s, \"title\": \"Pour une autre\", \"lieu_id\": %s, \"first_day\": \"%s\","
		 " \"start_time\": \"09:00\", \"end_time\": \"10:00\", \"motif_ids\": [%s]}", fx.social, arras.lieu, fx.monday, arras.tel_as);
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_PMI, body), 403);
	CU_ASSERT(browser_body_has(&b, "\"code\":\"forbidden\""));
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture?agent_id=%s", fx.arras, fx.social);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_PMI, NULL), 403);
	/* a basic agent's default list is their own plages only */
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/plages_ouverture?per_page=100", fx.arras);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_PMI, NULL), 200);
	char needle[64];
	snprintf(needle, sizeof(needle), "\"agent_id\":%s", fx.social);
	CU_ASSERT(!browser_body_has(&b, needle));
	snprintf(needle, sizeof(needle), "\"agent_id\":%s", fx.pmi);
	CU_ASSERT(browser_body_has(&b, needle));
	browser_free(&b);
}

void register_plages_http(void)
{
	CU_pSuite s = CU_add_suite("http: plages d'ouverture", NULL, NULL);
	CU_add_test(s, "signed out: redirect to sign-in", test_signed_out);
	CU_add_test(s, "list of one's plages, empty state", test_list_and_empty_state);
	CU_add_test(s, "create, show, audit", test_create_show_and_audit);
	CU_add_test(s, "bad input: French errors, values kept (422)", test_create_bad_input);
	CU_add_test(s, "POST without CSRF token: 403", test_csrf_required);
	CU_add_test(s, "another organisation: 404", test_other_organisation_404);
	CU_add_test(s, "basic agent on another agent's plage: 404/403, admin allowed", test_basic_agent_on_other_agent);
	CU_add_test(s, "edit and update", test_edit_update);
	CU_add_test(s, "delete", test_delete);
	CU_add_test(s, "delete one occurrence", test_delete_one_occurrence);
	CU_add_test(s, "move one occurrence", test_move_one_occurrence);
	CU_add_test(s, "overlap warning, not blocking", test_overlap_warning);
	CU_add_test(s, "API: recurrence round trip, pagination", test_api_round_trip);
	CU_add_test(s, "API: 401, 400, 422, 404, 403", test_api_errors);
}
