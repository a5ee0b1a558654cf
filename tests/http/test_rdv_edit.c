/*
 * test_rdv_edit.c - editing an RDV from its page: agents (write right on
 * every agenda added or removed, overlap warning then recorded override,
 * who is told), lieu (only an enabled lieu of the organisation), audit rows
 * before/after; participants added and removed on an individual RDV (only
 * that usager told); the usager picker of the RDV form without JavaScript
 * and its JSON search (organisation's usagers only, masked phone); the same
 * agent put at once on several RDVs of the same time: one edit wins (the
 * exclusion constraint decides).
 * Times are ~330 days ahead at dawn, away from the demo RDVs and test_rdv.
 */
#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "fixtures.h"
#include "parallel.h"

static long long org, lens, pmi, admin, other, motif, lieu, lieu2, lens_lieu, user1, user2;
static char day[5][16];

static long long sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long sql_ll(const char *fmt, ...)
{
	char sql[1024], out[64] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	test_sql(sql, out, sizeof(out));
	return strtoll(out, NULL, 10);
}

static int setup(void)
{
	org = test_org_id("MDS d'Arras");
	lens = test_org_id("MDS de Lens");
	pmi = test_agent_id(FX_PMI);
	admin = test_agent_id(FX_ADMIN_ARRAS);
	/* an agent of Arras whose agenda agent.pmi may not write */
	other = sql_ll("SELECT ar.agent_id FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		       " WHERE ar.organisation_id = %lld AND a.deleted_at IS NULL AND ar.agent_id <> %lld"
		       " AND agenda_access_level(%lld, ar.agent_id, ar.organisation_id) <> 'write'"
		       " ORDER BY ar.agent_id LIMIT 1", org, pmi, pmi);
	motif = sql_ll("SELECT id FROM motifs WHERE organisation_id = %lld AND name = 'Consultation PMI nourrisson'", org);
	const char *l = "SELECT id FROM lieux WHERE organisation_id = %lld AND availability = 'enabled'"
			" ORDER BY id LIMIT 1 OFFSET %d";
	lieu = sql_ll(l, org, 0);
	lieu2 = sql_ll(l, org, 1);
	lens_lieu = sql_ll(l, lens, 0);
	/* usagers of Arras who get e-mails themselves */
	const char *u = "SELECT u.id FROM users u JOIN user_profiles up ON up.user_id = u.id"
			" WHERE up.organisation_id = %lld AND u.deleted_at IS NULL AND u.responsible_id IS NULL"
			" AND u.email IS NOT NULL AND u.notify_by_email ORDER BY u.id LIMIT 1 OFFSET %d";
	user1 = sql_ll(u, org, 0);
	user2 = sql_ll(u, org, 1);
	for (int i = 0; i < 5; i++)
		fx_sql(day[i], sizeof(day[i]), "SELECT to_char(current_date + %d, 'YYYY-MM-DD')", 330 + i);
	return org && lens && pmi && admin && other && motif && lieu && lieu2 && lens_lieu && user1 && user2 ? 0 : 1;
}

static const char *path(const char *fmt, long long a, long long b)
{
	static char p[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), fmt, a, b);
	return p[k];
}

static void signed_in(struct browser *b, const char *email)
{
	browser_init(b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(b, email, NULL), 303);
}

/* An RDV made through the form (confirmed); its id, 0 on failure. */
static long long make_rdv(struct browser *b, const char *date, const char *time, long long agent, long long user)
{
	char form[512];
	browser_get(b, path("/agent/organisations/%lld/rdvs/new", org, 0));
	snprintf(form, sizeof(form), "motif_id=%lld&lieu_id=%lld&date=%s&time=%s&agent_ids=%lld&user_ids=%lld"
		 "&confirm_warnings=1", motif, lieu, date, time, agent, user);
	if (browser_post(b, path("/agent/organisations/%lld/rdvs", org, 0), form, 1) != 303)
		return 0;
	const char *p = strstr(b->location, "/rdvs/");
	return p ? strtoll(p + 6, NULL, 10) : 0;
}

/* The edit form of RDV id sent with these agents / lieu (the rest as shown). */
static long edit(struct browser *b, long long id, const char *date, const char *agents, long long lieu_id,
		 const char *extra)
{
	char form[512];
	browser_get(b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	snprintf(form, sizeof(form), "date=%s&time=07:00&duration_in_min=30&lieu_id=%lld&agents_field=1%s&context=%s",
		 date, lieu_id, agents, extra ? extra : "");
	return browser_post(b, path("/agent/organisations/%lld/rdvs/%lld", org, id), form, 1);
}

static void agents_of(long long id, char *out, size_t n)
{
	fx_sql(out, n, "SELECT string_agg(agent_id::text, ',' ORDER BY agent_id) FROM agents_rdvs WHERE rdv_id = %lld", id);
}

/* Outbox rows of RDV id for that event and kind (agent/user) and person. */
static long long outbox_count(long long id, const char *event, const char *kind, long long person)
{
	char out[32];
	fx_sql(out, sizeof(out), "SELECT count(*) FROM outbox WHERE rdv_id = %lld AND event = '%s' AND channel = 'email'"
	       " AND payload->>'kind' = '%s' AND (payload->>'%s_id')::bigint = %lld", id, event, kind, kind, person);
	return strtoll(out, NULL, 10);
}

/* 1 when that agent is told of changes made by someone else (level all or others). */
static int told_of_others(long long agent)
{
	char out[16];
	fx_sql(out, sizeof(out), "SELECT rdv_notifications_level IN ('all', 'others') FROM agents WHERE id = %lld", agent);
	return strcmp(out, "t") == 0;
}

static void test_change_agents(void)
{
	struct browser b;
	signed_in(&b, FX_ADMIN_ARRAS);
	long long id = make_rdv(&b, day[0], "07:00", pmi, user1);
	CU_ASSERT_FATAL(id > 0);
	/* the edit form lists the agents, the current one selected, and the lieux */
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id)), 200);
	CU_ASSERT(browser_body_has(&b, "name=\"agent_ids\" multiple"));
	char sel[64];
	snprintf(sel, sizeof(sel), "<option value=\"%lld\" selected>", pmi);
	CU_ASSERT(browser_body_has(&b, sel));
	snprintf(sel, sizeof(sel), "<option value=\"%lld\" selected>", lieu);
	CU_ASSERT(browser_body_has(&b, sel));
	/* the organisation's admin adds the other agent */
	char agents[128], out[256];
	snprintf(agents, sizeof(agents), "&agent_ids=%lld&agent_ids=%lld", pmi, other);
	CU_ASSERT_EQUAL(edit(&b, id, day[0], agents, lieu, NULL), 303);
	agents_of(id, out, sizeof(out));
	char want[64];
	snprintf(want, sizeof(want), "%lld,%lld", pmi < other ? pmi : other, pmi < other ? other : pmi);
	CU_ASSERT_STRING_EQUAL(out, want);
	/* the audit row has the agents before and after */
	fx_sql(out, sizeof(out), "SELECT (before->'agent_ids')::text || ' ' || (after->'agent_ids')::text FROM audit"
	       " WHERE item_type = 'rdv' AND item_id = %lld AND event = 'update' ORDER BY id DESC LIMIT 1", id);
	snprintf(want, sizeof(want), "[%lld] [%lld, %lld]", pmi, pmi < other ? pmi : other, pmi < other ? other : pmi);
	CU_ASSERT_STRING_EQUAL(out, want);
	/* the agent put on the RDV is told of a creation; the usager is not told (same time, same place) */
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_created", "agent", other), told_of_others(other));
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_updated", "user", user1), 0);
	/* agent.pmi taken off: told of a cancellation */
	snprintf(agents, sizeof(agents), "&agent_ids=%lld", other);
	CU_ASSERT_EQUAL(edit(&b, id, day[0], agents, lieu, NULL), 303);
	agents_of(id, out, sizeof(out));
	snprintf(want, sizeof(want), "%lld", other);
	CU_ASSERT_STRING_EQUAL(out, want);
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_cancelled", "agent", pmi), told_of_others(pmi));
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_updated", "user", user1), 0);
	/* no agent at all: refused, the page shows the form again with the reason */
	CU_ASSERT_EQUAL(edit(&b, id, day[0], "", lieu, NULL), 422);
	CU_ASSERT(browser_body_has(&b, "Choisissez au moins un agent."));
	agents_of(id, out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, want);
	browser_free(&b);
}

static void test_change_agents_without_right(void)
{
	struct browser b;
	signed_in(&b, FX_PMI);
	long long id = make_rdv(&b, day[1], "07:00", pmi, user1);
	CU_ASSERT_FATAL(id > 0);
	/* the edit form offers only agendas agent.pmi may write */
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id)), 200);
	char name[128];
	fx_sql(name, sizeof(name), "SELECT first_name || ' ' || last_name FROM agents WHERE id = %lld", other);
	CU_ASSERT(!browser_body_has(&b, name));
	/* sent anyway: refused, nothing changed, no audit row */
	char agents[128], before[64], after[64], n0[16], n1[16];
	agents_of(id, before, sizeof(before));
	fx_sql(n0, sizeof(n0), "SELECT count(*) FROM audit WHERE item_type = 'rdv' AND item_id = %lld", id);
	snprintf(agents, sizeof(agents), "&agent_ids=%lld&agent_ids=%lld", pmi, other);
	CU_ASSERT_EQUAL(edit(&b, id, day[1], agents, lieu, NULL), 422);
	CU_ASSERT(browser_body_has(&b, "Vous n&#39;avez pas le droit de prendre des rendez-vous dans l&#39;agenda"));
	/* replacing agent.pmi by the other agent: refused too */
	snprintf(agents, sizeof(agents), "&agent_ids=%lld", other);
	CU_ASSERT_EQUAL(edit(&b, id, day[1], agents, lieu, "&confirm_warnings=1"), 422);
	agents_of(id, after, sizeof(after));
	CU_ASSERT_STRING_EQUAL(before, after);
	fx_sql(n1, sizeof(n1), "SELECT count(*) FROM audit WHERE item_type = 'rdv' AND item_id = %lld", id);
	CU_ASSERT_STRING_EQUAL(n0, n1);
	/* an agent of another organisation: refused */
	long long lens_agent = sql_ll("SELECT agent_id FROM agent_roles WHERE organisation_id = %lld AND agent_id NOT IN"
				      " (SELECT agent_id FROM agent_roles WHERE organisation_id = %lld) LIMIT 1", lens, org);
	snprintf(agents, sizeof(agents), "&agent_ids=%lld&agent_ids=%lld", pmi, lens_agent);
	CU_ASSERT_EQUAL(edit(&b, id, day[1], agents, lieu, NULL), 422);
	CU_ASSERT(browser_body_has(&b, "n&#39;appartient pas à cette organisation"));
	browser_free(&b);
}

static void test_change_agents_overlap(void)
{
	struct browser b;
	signed_in(&b, FX_ADMIN_ARRAS);
	long long busy = make_rdv(&b, day[2], "07:00", other, user2);
	long long id = make_rdv(&b, day[2], "07:00", pmi, user1);
	CU_ASSERT_FATAL(busy > 0 && id > 0);
	char agents[128], out[256];
	snprintf(agents, sizeof(agents), "&agent_ids=%lld&agent_ids=%lld", pmi, other);
	/* the other agent is busy then: a warning to confirm, the form as typed */
	CU_ASSERT_EQUAL(edit(&b, id, day[2], agents, lieu, "gard%C3%A9"), 409);
	CU_ASSERT(browser_body_has(&b, "chevauche"));
	CU_ASSERT(browser_body_has(&b, "name=\"confirm_warnings\" value=\"1\">Confirmer malgré les avertissements"));
	char sel[64];
	snprintf(sel, sizeof(sel), "<option value=\"%lld\" selected>", other);
	CU_ASSERT(browser_body_has(&b, sel));
	CU_ASSERT(browser_body_has(&b, ">gardé</textarea>"));
	agents_of(id, out, sizeof(out));
	char one[32];
	snprintf(one, sizeof(one), "%lld", pmi);
	CU_ASSERT_STRING_EQUAL(out, one);
	/* confirmed: saved, the override recorded on the RDV, the agent's row and the audit */
	CU_ASSERT_EQUAL(edit(&b, id, day[2], agents, lieu, "&confirm_warnings=1"), 303);
	fx_sql(out, sizeof(out), "SELECT overlap_override FROM agents_rdvs WHERE rdv_id = %lld AND agent_id = %lld", id, other);
	CU_ASSERT_STRING_EQUAL(out, "t");
	fx_sql(out, sizeof(out), "SELECT 'overlap' = ANY(overridden_warnings) FROM rdvs WHERE id = %lld", id);
	CU_ASSERT_STRING_EQUAL(out, "t");
	fx_sql(out, sizeof(out), "SELECT count(*) FROM audit WHERE item_type = 'rdv' AND item_id = %lld AND event = 'update'"
	       " AND after->'overridden_warnings' ? 'overlap' AND jsonb_array_length(after->'agent_ids') = 2"
	       " AND jsonb_array_length(before->'agent_ids') = 1", id);
	CU_ASSERT_STRING_EQUAL(out, "1");
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	CU_ASSERT(browser_body_has(&b, "avertissements confirmés : overlap"));
	browser_free(&b);
}

#define N_RACE 5

/* N_RACE RDVs of the same time, each with its own agent; the same other
 * agent added to all of them at once, without confirming: one edit is saved,
 * the others are refused (warning or exclusion constraint), never a double
 * booking. */
static void test_change_agents_race(void)
{
	static struct job jobs[N_RACE];
	long long agents[N_RACE];
	const char *u = "SELECT user_id FROM user_profiles WHERE organisation_id = %lld ORDER BY user_id LIMIT 1 OFFSET %d";
	for (int i = 0; i < N_RACE; i++) {
		agents[i] = sql_ll("SELECT ar.agent_id FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
				   " WHERE ar.organisation_id = %lld AND a.deleted_at IS NULL AND ar.agent_id <> %lld"
				   " AND ar.access_level <> 'intervenant' ORDER BY ar.agent_id LIMIT 1 OFFSET %d", org, other, i);
		CU_ASSERT_FATAL(agents[i] > 0);
	}
	for (int i = 0; i < N_RACE; i++) {
		struct job *j = &jobs[i];
		signed_in(&j->b, FX_ADMIN_ARRAS);
		long long id = make_rdv(&j->b, day[4], "05:00", agents[i], sql_ll(u, org, 60 + i));
		CU_ASSERT_FATAL(id > 0);
		snprintf(j->path, sizeof(j->path), "/agent/organisations/%lld/rdvs/%lld", org, id);
		browser_get(&j->b, j->path);
		snprintf(j->body, sizeof(j->body), "date=%s&time=05:00&lieu_id=%lld&agents_field=1&agent_ids=%lld"
			 "&agent_ids=%lld", day[4], lieu, agents[i], other);
		j->method = "POST";
		j->headers = NULL;
	}
	parallel_run(jobs, N_RACE);
	int saved = 0, refused = 0;
	for (int i = 0; i < N_RACE; i++) {
		saved += jobs[i].status == 303;
		refused += jobs[i].status == 409;
		browser_free(&jobs[i].b);
	}
	CU_ASSERT_EQUAL(saved, 1);
	CU_ASSERT_EQUAL(refused, N_RACE - 1);
	char out[16];
	fx_sql(out, sizeof(out), "SELECT count(*) FROM agents_rdvs x JOIN rdvs r ON r.id = x.rdv_id WHERE x.agent_id = %lld"
	       " AND r.starts_at = ('%s 05:00'::timestamp AT TIME ZONE 'Europe/Paris')", other, day[4]);
	CU_ASSERT_STRING_EQUAL(out, "1");
}

static void test_change_lieu(void)
{
	struct browser b;
	signed_in(&b, FX_PMI);
	long long id = make_rdv(&b, day[3], "07:00", pmi, user1);
	CU_ASSERT_FATAL(id > 0);
	char agents[64], out[256], want[64];
	snprintf(agents, sizeof(agents), "&agent_ids=%lld", pmi);
	/* a lieu of Lens: refused, unchanged */
	CU_ASSERT_EQUAL(edit(&b, id, day[3], agents, lens_lieu, NULL), 422);
	CU_ASSERT(browser_body_has(&b, "Ce lieu n&#39;existe pas ou n&#39;est plus ouvert."));
	fx_sql(out, sizeof(out), "SELECT lieu_id FROM rdvs WHERE id = %lld", id);
	snprintf(want, sizeof(want), "%lld", lieu);
	CU_ASSERT_STRING_EQUAL(out, want);
	/* no lieu for an RDV on site: refused */
	browser_get(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id));
	char form[256];
	snprintf(form, sizeof(form), "date=%s&time=07:00&lieu_id=&agents_field=1%s", day[3], agents);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld", org, id), form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "Choisissez le lieu du rendez-vous."));
	/* another lieu of Arras: saved, audited, the usager told of the new place */
	CU_ASSERT_EQUAL(edit(&b, id, day[3], agents, lieu2, NULL), 303);
	fx_sql(out, sizeof(out), "SELECT lieu_id FROM rdvs WHERE id = %lld", id);
	snprintf(want, sizeof(want), "%lld", lieu2);
	CU_ASSERT_STRING_EQUAL(out, want);
	fx_sql(out, sizeof(out), "SELECT (before->>'lieu_id') || ' ' || (after->>'lieu_id') FROM audit WHERE item_type = 'rdv'"
	       " AND item_id = %lld AND event = 'update' ORDER BY id DESC LIMIT 1", id);
	snprintf(want, sizeof(want), "%lld %lld", lieu, lieu2);
	CU_ASSERT_STRING_EQUAL(out, want);
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_updated", "user", user1), 1);
	browser_free(&b);
}

static void test_participants_individual(void)
{
	struct browser b;
	signed_in(&b, FX_PMI);
	long long id = make_rdv(&b, day[3], "09:00", pmi, user1);
	CU_ASSERT_FATAL(id > 0);
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_created", "user", user1), 1);
	/* the page searches usagers to add (no list of every usager) */
	char last[128], q[256];
	fx_sql(last, sizeof(last), "SELECT last_name FROM users WHERE id = %lld", user2);
	snprintf(q, sizeof(q), "/agent/organisations/%lld/rdvs/%lld?usager_q=%s", org, id, last);
	CU_ASSERT_EQUAL(browser_get(&b, q), 200);
	char hidden[96];
	snprintf(hidden, sizeof(hidden), "name=\"user_id\" value=\"%lld\"", user2);
	CU_ASSERT(browser_body_has(&b, hidden));
	/* the RDV form's picker (one usager): the combobox with JavaScript, and
	 * without it "Rechercher" sends the add form back with the matches */
	CU_ASSERT(browser_body_has(&b, "data-usager-picker data-single data-field=\"user_id\""));
	CU_ASSERT(!browser_body_has(&b, "id=\"user_any\""));
	char form[256];
	snprintf(form, sizeof(form), "usager_q=%s&search_usagers=1", last);
	for (char *p = form; *p; p++)
		if (*p == ' ')
			*p = '+';
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/participants", org, id), form, 1), 200);
	snprintf(hidden, sizeof(hidden), "type=\"radio\" id=\"match_%lld\" name=\"user_id\" value=\"%lld\">", user2, user2);
	CU_ASSERT(browser_body_has(&b, hidden));
	fx_sql(form, sizeof(form), "SELECT users_count FROM rdvs WHERE id = %lld", id);
	CU_ASSERT_STRING_EQUAL(form, "1");   /* a search adds nobody */
	snprintf(form, sizeof(form), "user_id=%lld", user2);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs/%lld/participants", org, id), form, 1), 303);
	char out[32];
	fx_sql(out, sizeof(out), "SELECT users_count FROM rdvs WHERE id = %lld", id);
	CU_ASSERT_STRING_EQUAL(out, "2");
	/* only the new participant is told */
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_created", "user", user2), 1);
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_created", "user", user1), 1);
	/* removed: only that one is told of a cancellation */
	char del[256];
	snprintf(del, sizeof(del), "/agent/organisations/%lld/rdvs/%lld/participants/%lld/delete", org, id, user2);
	CU_ASSERT_EQUAL(browser_post(&b, del, "", 1), 303);
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_cancelled", "user", user2), 1);
	CU_ASSERT_EQUAL(outbox_count(id, "rdv_cancelled", "user", user1), 0);
	fx_sql(out, sizeof(out), "SELECT count(*) FROM audit WHERE item_type = 'rdv' AND item_id = %lld"
	       " AND event IN ('participant_add', 'participant_remove')", id);
	CU_ASSERT_STRING_EQUAL(out, "2");
	browser_free(&b);
}

static void test_picker_without_js(void)
{
	struct browser b;
	signed_in(&b, FX_PMI);
	CU_ASSERT_EQUAL(browser_get(&b, path("/agent/organisations/%lld/rdvs/new", org, 0)), 200);
	/* a search field, not a list of every usager */
	CU_ASSERT(browser_body_has(&b, "id=\"usager_q\""));
	CU_ASSERT(browser_body_has(&b, "data-search-url=\"/agent/organisations/"));
	CU_ASSERT(!browser_body_has(&b, "id=\"user_ids\""));
	/* Enter in a field sends the form's first submit button: the hidden
	 * "Créer le rendez-vous" placed before "Rechercher", out of the tab order
	 * and of the accessibility tree */
	const char *form_start = strstr(b.body.data, "\" novalidate>\n  <input type=\"hidden\" name=\"csrf_token\"");
	const char *first = form_start ? strstr(form_start, "type=\"submit\"") : NULL;
	const char *search = form_start ? strstr(form_start, "data-picker-search") : NULL;
	CU_ASSERT_FATAL(first != NULL && search != NULL);
	CU_ASSERT(first < search);
	const char *hidden = "type=\"submit\" tabindex=\"-1\" aria-hidden=\"true\" data-default-submit>Créer le rendez-vous<";
	CU_ASSERT(strncmp(first, hidden, strlen(hidden)) == 0);
	/* "Rechercher": the form again with the matches to tick, the usager already chosen kept */
	char last[128], form[512];
	fx_sql(last, sizeof(last), "SELECT last_name FROM users WHERE id = %lld", user2);
	snprintf(form, sizeof(form), "motif_id=%lld&date=%s&time=10:00&user_ids=%lld&usager_q=%s&search_usagers=1",
		 motif, day[0], user1, last);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs", org, 0), form, 1), 200);
	char box[128];
	snprintf(box, sizeof(box), "name=\"user_ids\" value=\"%lld\" checked>", user1);
	CU_ASSERT(browser_body_has(&b, box));
	snprintf(box, sizeof(box), "id=\"match_%lld\" name=\"user_ids\" value=\"%lld\">", user2, user2);
	CU_ASSERT(browser_body_has(&b, box));
	char sel[64];
	snprintf(sel, sizeof(sel), "<option value=\"%lld\" selected>", motif);
	CU_ASSERT(browser_body_has(&b, sel));
	/* Lens's usagers are not offered */
	snprintf(form, sizeof(form), "motif_id=%lld&usager_q=jessica+lemaire&search_usagers=1", motif);
	CU_ASSERT_EQUAL(browser_post(&b, path("/agent/organisations/%lld/rdvs", org, 0), form, 1), 200);
	CU_ASSERT(!browser_body_has(&b, "LEMAIRE Jessica"));
	CU_ASSERT(browser_body_has(&b, "Aucun usager de l'organisation ne correspond"));
	browser_free(&b);
}

static void test_search_json(void)
{
	struct browser b;
	signed_in(&b, FX_PMI);
	char p[256];
	snprintf(p, sizeof(p), "/agent/organisations/%lld/usagers/search.json?q=demoulin", org);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	CU_ASSERT(browser_body_has(&b, "\"name\":\"Sarah DEMOULIN\""));
	CU_ASSERT(browser_body_has(&b, "\"birth_date\":\"17/04/1993\""));
	CU_ASSERT(browser_body_has(&b, "\"phone\":\"06 •• •• 45 89\""));
	CU_ASSERT(!browser_body_has(&b, "06 71 23 45 89"));
	CU_ASSERT(browser_body_has(&b, "\"responsible_id\":"));
	/* fewer than 2 characters: nothing */
	snprintf(p, sizeof(p), "/agent/organisations/%lld/usagers/search.json?q=d", org);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	CU_ASSERT(browser_body_has(&b, "{\"users\":[]}"));
	/* another organisation's usagers and endpoint */
	snprintf(p, sizeof(p), "/agent/organisations/%lld/usagers/search.json?q=jessica+lemaire", org);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	CU_ASSERT(!browser_body_has(&b, "LEMAIRE Jessica"));
	snprintf(p, sizeof(p), "/agent/organisations/%lld/usagers/search.json?q=lemaire", lens);
	CU_ASSERT_EQUAL(browser_get(&b, p), 404);
	browser_free(&b);
	/* the territory admin sees the territory's usagers in lists, but an RDV of Arras takes Arras's */
	signed_in(&b, "admin.territoire@demo.rdv-solidarites.fr");
	snprintf(p, sizeof(p), "/agent/organisations/%lld/usagers/search.json?q=jessica+lemaire", org);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	CU_ASSERT(!browser_body_has(&b, "LEMAIRE Jessica"));
	browser_free(&b);
	/* signed out */
	browser_init(&b);
	snprintf(p, sizeof(p), "/agent/organisations/%lld/usagers/search.json?q=demoulin", org);
	CU_ASSERT_NOT_EQUAL(browser_get(&b, p), 200);
	CU_ASSERT(!browser_body_has(&b, "DEMOULIN"));
	browser_free(&b);
}

void register_rdv_edit_http(void)
{
	CU_pSuite s = CU_add_suite("rdv_edit", setup, NULL);
	CU_add_test(s, "edit: change agents, audit, who is told", test_change_agents);
	CU_add_test(s, "edit: agents without write right, other organisation", test_change_agents_without_right);
	CU_add_test(s, "edit: agent busy → warning, confirmed override recorded", test_change_agents_overlap);
	CU_add_test(s, "edit: the same agent added to RDVs of the same time at once", test_change_agents_race);
	CU_add_test(s, "edit: lieu of another organisation, none, another lieu", test_change_lieu);
	CU_add_test(s, "participants of an individual RDV", test_participants_individual);
	CU_add_test(s, "usager picker without JavaScript", test_picker_without_js);
	CU_add_test(s, "usagers/search.json for the picker", test_search_json);
}
