/*
 * test_absences.c - absences: agent pages (list, new, create, show, edit,
 * update, delete, delete/move one occurrence) and the JSON API, with
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
#define TOKEN_ADMIN "absencesTestTokenAdminArras0123456789abcdef"
#define TOKEN_PMI "absencesTestTokenAgentPmi0123456789abcdefgh"

static struct series_fx fx = {.table = "absences"};

static void fixture(void)
{
	series_fixture(&fx, 6, TOKEN_ADMIN, TOKEN_PMI);
}

static const char *day_after(int d)
{
	return fx_day_after(fx.monday, d);
}

/* "/agent/organisations/<org>/absences" + the printf-style suffix. */
#define ab_path(org, ...) fx_org_path((org), "absences", __VA_ARGS__)

static void sign_in(struct browser *b, const char *email)
{
	series_sign_in(&fx, b, email);
}

/* A weekly Wednesday absence of agent.pmi through the form; its id. */
static long long create_weekly(struct browser *b, const char *title)
{
	char form[512];
	snprintf(form, sizeof(form), "agent_id=%s&title=%s&first_day=%s&start_time=14:00&end_day=%s&end_time=15:00"
		 "&recurrence=weekly&interval=1&on=wednesday", fx.pmi, title, day_after(2), day_after(2));
	CU_ASSERT_EQUAL(browser_post(b, ab_path(fx.arras, ""), form, 1), 303);
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
	CU_ASSERT_EQUAL(browser_get(&b, ab_path(fx.arras, "")), 200);
	CU_ASSERT(browser_body_has(&b, "Réunion d&#39;équipe"));
	CU_ASSERT(browser_body_has(&b, "Toutes les semaines : vendredi"));
	browser_free(&b);
	sign_in(&b, ADMIN_ARRAS);
	char sec[16];
	fx_sql(sec, 16, "SELECT id FROM agents WHERE email = 'secretariat.arras@demo.rdv-solidarites.fr'");
	CU_ASSERT_EQUAL(browser_get(&b, ab_path(fx.arras, "?agent_id=%s", sec)), 200);
	CU_ASSERT(browser_body_has(&b, "Aucune absence pour cet agent. Déclarez une absence"));
	browser_free(&b);
}

static void test_create_multi_day_and_audit(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	CU_ASSERT_EQUAL(browser_get(&b, ab_path(fx.arras, "/new")), 200);
	CU_ASSERT(browser_body_has(&b, "Nouvelle absence"));
	char form[512], v[256];
	snprintf(form, sizeof(form), "agent_id=%s&title=Conges+test&first_day=%s&start_time=08:00&end_day=%s&end_time=18:00"
		 "&recurrence=none", fx.pmi, fx.monday, day_after(4));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, ""), form, 1), 303);
	long long id = strtoll(strrchr(b.location, '/') + 1, NULL, 10);
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "L&#39;absence a été enregistrée."));
	CU_ASSERT(browser_body_has(&b, "Conges test"));
	CU_ASSERT(browser_body_has(&b, " à 08:00 au "));
	fx_sql(v, sizeof(v), "SELECT first_day::text || ' ' || end_day::text || ' ' || coalesce(recurrence::text, 'null')"
		 " || ' ' || organisation_id FROM absences WHERE id = %lld", id);
	char want[128];
	snprintf(want, sizeof(want), "%s %s null %s", fx.monday, day_after(4), fx.arras);
	CU_ASSERT_STRING_EQUAL(v, want);
	fx_sql_is("1", "SELECT count(*) FROM audit WHERE item_type = 'absence' AND item_id = %lld AND event = 'create'"
		 " AND after->>'title' = 'Conges test'", id);
	browser_free(&b);
}

static void test_create_bad_input(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	char form[512];
	snprintf(form, sizeof(form), "agent_id=%s&title=&first_day=%s&start_time=10:00&end_day=%s&end_time=09:00",
		 fx.pmi, fx.monday, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Saisissez un titre."));
	CU_ASSERT(browser_body_has(&b, "L&#39;heure de fin doit être après l&#39;heure de début."));
	CU_ASSERT(browser_body_has(&b, "value=\"10:00\""));
	/* end day before the first day */
	snprintf(form, sizeof(form), "agent_id=%s&title=X&first_day=%s&start_time=10:00&end_day=%s&end_time=11:00",
		 fx.pmi, fx.monday, day_after(-1));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Le dernier jour doit être le premier jour ou après."));
	/* a recurrence on several days is refused */
	snprintf(form, sizeof(form), "agent_id=%s&title=X&first_day=%s&start_time=10:00&end_day=%s&end_time=11:00"
		 "&recurrence=weekly&interval=1", fx.pmi, fx.monday, day_after(2));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "La récurrence n&#39;est possible que pour une absence sur une seule journée."));
	/* an unrealistic date */
	snprintf(form, sizeof(form), "agent_id=%s&title=X&first_day=2015-01-05&start_time=10:00&end_day=&end_time=11:00", fx.pmi);
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, ""), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "La date doit être comprise entre 2018"));
	browser_free(&b);
}

static void test_csrf_and_other_org(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	char form[512];
	snprintf(form, sizeof(form), "agent_id=%s&title=Sans+jeton&first_day=%s&start_time=10:00&end_time=11:00", fx.pmi, fx.monday);
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, ""), form, 0), 403);
	CU_ASSERT(browser_body_has(&b, "Rechargez la page"));
	fx_sql_is("0", "SELECT count(*) FROM absences WHERE title = 'Sans jeton'");
	browser_free(&b);
	series_check_other_organisation(&fx);
}

static void test_basic_agent_on_other_agent(void)
{
	fixture();
	char form[512];
	snprintf(form, sizeof(form), "agent_id=%s&title=Pour+une+autre&first_day=%s&start_time=10:00&end_time=11:00",
		 fx.social, fx.monday);
	series_check_other_agent(&fx, form);
}

static void test_edit_update_delete(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	long long id = create_weekly(&b, "Reunion+hebdo");
	CU_ASSERT_FATAL(id > 0);
	char form[512];
	CU_ASSERT_EQUAL(browser_get(&b, ab_path(fx.arras, "/%lld/edit", id)), 200);
	CU_ASSERT(browser_body_has(&b, "value=\"Reunion hebdo\""));
	CU_ASSERT(browser_body_has(&b, "id=\"on-wednesday\" name=\"on\" value=\"wednesday\" checked"));
	snprintf(form, sizeof(form), "agent_id=%s&title=Reunion+mensuelle&first_day=%s&start_time=14:00&end_day=%s"
		 "&end_time=16:00&recurrence=monthly&interval=1&until=%s", fx.pmi, day_after(2), day_after(2), day_after(120));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, "/%lld", id), form, 1), 303);
	CU_ASSERT_EQUAL(browser_follow(&b), 200);
	CU_ASSERT(browser_body_has(&b, "L&#39;absence a été modifiée."));
	fx_sql_is("Reunion mensuelle month wednesday true",
		  "SELECT title || ' ' || (recurrence->>'every') || ' ' || (recurrence->'day'->>'weekday')"
		 " || ' ' || (recurrence_ends_at = '%s'::date) FROM absences WHERE id = %lld", day_after(120), id);
	fx_sql_is("Reunion hebdo|Reunion mensuelle",
		  "SELECT before->>'title' || '|' || (after->>'title') FROM audit WHERE item_type = 'absence'"
		 " AND item_id = %lld AND event = 'update'", id);
	/* invalid update keeps the row */
	snprintf(form, sizeof(form), "agent_id=%s&title=&first_day=%s&start_time=14:00&end_time=16:00", fx.pmi, day_after(2));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, "/%lld", id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Saisissez un titre."));
	/* delete */
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, "/%lld/delete", id), "", 1), 303);
	fx_sql_is("0", "SELECT count(*) FROM absences WHERE id = %lld", id);
	fx_sql_is("1",
		  "SELECT count(*) FROM audit WHERE item_type = 'absence' AND item_id = %lld AND event = 'destroy'", id);
	CU_ASSERT_EQUAL(browser_get(&b, ab_path(fx.arras, "/%lld", id)), 404);
	browser_free(&b);
}

static void test_occurrences(void)
{
	fixture();
	struct browser b;
	sign_in(&b, PMI);
	long long id = create_weekly(&b, "Reunion+du+mercredi");
	CU_ASSERT_FATAL(id > 0);
	char form[256], v[128];
	/* delete the second Wednesday; a Thursday is refused */
	snprintf(form, sizeof(form), "day=%s", day_after(3));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, "/%lld/occurrences/delete", id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Ce jour n&#39;est pas une occurrence de cette absence"));
	snprintf(form, sizeof(form), "day=%s", day_after(9));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, "/%lld/occurrences/delete", id), form, 1), 303);
	fx_sql_is(day_after(9), "SELECT day::text FROM absence_exceptions WHERE absence_id = %lld", id);
	/* move the third one to the Thursday */
	CU_ASSERT_EQUAL(browser_get(&b, ab_path(fx.arras, "/%lld/occurrences/move?day=%s", id, day_after(16))), 200);
	snprintf(form, sizeof(form), "day=%s&new_day=%s&start_time=16:00&end_time=17:00", day_after(16), day_after(17));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, "/%lld/occurrences/move", id), form, 1), 303);
	long long moved = strtoll(strrchr(b.location, '/') + 1, NULL, 10);
	fx_sql(v, sizeof(v), "SELECT first_day::text || ' ' || to_char(start_time, 'HH24:MI') || ' ' || exception_of_id"
		 " FROM absences WHERE id = %lld", moved);
	char want[64];
	snprintf(want, sizeof(want), "%s 16:00 %lld", day_after(17), id);
	CU_ASSERT_STRING_EQUAL(v, want);
	fx_sql_is("2", "SELECT count(*) FROM absence_exceptions WHERE absence_id = %lld", id);
	/* bad move: no new day */
	snprintf(form, sizeof(form), "day=%s&new_day=&start_time=16:00&end_time=17:00", day_after(23));
	CU_ASSERT_EQUAL(browser_post(&b, ab_path(fx.arras, "/%lld/occurrences/move", id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Saisissez une date."));
	browser_free(&b);
}

static void test_api(void)
{
	fixture();
	struct browser b;
	browser_init(&b);
	char path[160], body[512];
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/absences", fx.arras);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, NULL, NULL), 401);
	const char *rec = "{\"every\":\"week\",\"interval\":1,\"on\":[\"monday\",\"thursday\"],\"until\":\"%s\"}";
	char recurrence[160];
	snprintf(recurrence, sizeof(recurrence), rec, day_after(60));
	snprintf(body, sizeof(body), "{\"title\": \"Permanence interne\", \"first_day\": \"%s\", \"start_time\": \"12:00\","
		 " \"end_time\": \"13:00\", \"recurrence\": %s}", fx.monday, recurrence);
	CU_ASSERT_EQUAL_FATAL(fx_api(&b, "POST", path, TOKEN_PMI, body), 201);
	json_t *got = json_loads(b.body.data, 0, NULL), *want = json_loads(recurrence, 0, NULL);
	json_t *ab = json_object_get(got, "absence");
	CU_ASSERT(json_equal(json_object_get(ab, "recurrence"), want));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ab, "end_day")), fx.monday);   /* defaults to first_day */
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(ab, "agent_id")), atoll(fx.pmi));
	long long id = json_integer_value(json_object_get(ab, "id"));
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_PMI, NULL), 200);   /* default: the caller's own */
	json_t *list = json_loads(b.body.data, 0, NULL), *it, *found = NULL;
	size_t i;
	json_array_foreach(json_object_get(list, "absences"), i, it) {
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(it, "agent_id")), atoll(fx.pmi));
		if (json_integer_value(json_object_get(it, "id")) == id)
			found = it;
	}
	CU_ASSERT(found != NULL && json_equal(found, ab));
	CU_ASSERT(json_integer_value(json_object_get(json_object_get(list, "meta"), "total")) >= 2);
	json_decref(list);
	json_decref(want);
	json_decref(got);
	/* errors */
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_PMI, "{\"title\": \"x\""), 400);
	snprintf(body, sizeof(body), "{\"title\": \"Sur deux jours\", \"first_day\": \"%s\", \"start_time\": \"12:00\","
		 " \"end_day\": \"%s\", \"end_time\": \"13:00\", \"recurrence\": {\"every\": \"week\"}}", fx.monday, day_after(1));
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_PMI, body), 422);
	CU_ASSERT(browser_body_has(&b, "\"validation_failed\""));
	CU_ASSERT(browser_body_has(&b, "La récurrence n'est possible que pour une absence sur une seule journée."));
	snprintf(body, sizeof(body), "{\"agent_id\": %s, \"title\": \"Pour une autre\", \"first_day\": \"%s\","
		 " \"start_time\": \"12:00\", \"end_time\": \"13:00\"}", fx.social, fx.monday);
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_PMI, body), 403);
	CU_ASSERT_EQUAL(fx_api(&b, "POST", path, TOKEN_ADMIN, body), 201);   /* the admin may */
	snprintf(path, sizeof(path), "/api/v1/organisations/%s/absences", fx.lens);
	CU_ASSERT_EQUAL(fx_api(&b, "GET", path, TOKEN_ADMIN, NULL), 404);
	browser_free(&b);
}

void register_absences_http(void)
{
	CU_pSuite s = CU_add_suite("http: absences", NULL, NULL);
	CU_add_test(s, "signed out: redirect to sign-in", test_signed_out);
	CU_add_test(s, "list of one's absences, empty state", test_list_and_empty_state);
	CU_add_test(s, "create over several days, show, audit", test_create_multi_day_and_audit);
	CU_add_test(s, "bad input: French errors (422)", test_create_bad_input);
	CU_add_test(s, "CSRF 403, another organisation 404", test_csrf_and_other_org);
	CU_add_test(s, "basic agent on another agent's absence: 404/403", test_basic_agent_on_other_agent);
	CU_add_test(s, "edit, update, delete", test_edit_update_delete);
	CU_add_test(s, "delete and move one occurrence", test_occurrences);
	CU_add_test(s, "API: create, round trip, errors", test_api);
}
