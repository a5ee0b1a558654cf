/*
 * test_idor.c - the IDOR sweep: every route that takes an id, asked by the
 * wrong person.
 *
 * The routes are not listed here: each program prints its route table
 * (RDV_PRINT_ROUTES=1, binaries next to http-tests) and every route whose
 * pattern has a ":" or "*" parameter becomes a case. Each parameter name maps
 * to an object of the OTHER side (MDS de Lens for an agent of MDS d'Arras;
 * another family for a citizen); a parameter name without a mapping fails
 * the suite with "no IDOR case for <pattern>", so a new route cannot ship
 * without its case.
 *
 * Agent routes are called as admin.arras@ (session cookie and CSRF token,
 * or a Bearer token for /api), twice when the route also names an
 * organisation: with Lens's organisation, and with Arras's own organisation
 * around Lens's object (the classic IDOR: "my org, your id"). Citizen routes
 * are called as usager@demo with another family's RDV or relative. The
 * answer must be 403 or 404, and a fingerprint (md5 of every row of the
 * other side) must not change.
 */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"

#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"
#define USAGER "usager@demo.rdv-solidarites.fr"
#define VICTIM "idor-victime@exemple.fr"
#define TOKEN_ARRAS "idorTokenArrasAdmin-0123456789abcdefghijklm"   /* 43 chars */
#define TOKEN_LENS "idorTokenLensAdmin-0123456789abcdefghijklmno"    /* 43 chars */
#define FAKE_TOKEN "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* The other side's objects, found or created by setup. */
static struct {
	long long arras, lens, terr;
	long long lens_rdv, lens_usager, lens_plage, lens_absence, lens_lieu, lens_motif;
	long long lens_agent, lens_webhook, lens_api_token, sector, zone, attribution, team;
	long long victim, victim_relative, victim_rdv, victim_participation;
	int shared_users_was;   /* visible_users_throughout_the_territory, restored at the end */
	int stats_right_was;    /* admin.arras's territorial rights (bit mask), restored at the end */
} t;

/* ------------------------------------------------------------ fixtures */

/* Lens objects an Arras admin has no legitimate way to reach: their agents
 * have no role in Arras and share no agenda with admin.arras. */
#define LENS_ONLY_AGENT(col) \
	" AND " col " NOT IN (SELECT agent_id FROM agent_roles WHERE organisation_id = %lld)" \
	" AND " col " NOT IN (SELECT owner_agent_id FROM agenda_accesses)"

static void setup_lens(void)
{
	t.arras = test_org_id("MDS d'Arras");
	t.lens = test_org_id("MDS de Lens");
	t.terr = fx_ll("SELECT territory_id FROM organisations WHERE id = %lld", t.lens);
	t.shared_users_was = (int)fx_ll("SELECT visible_users_throughout_the_territory::int FROM territories"
					  " WHERE id = %lld", t.terr);
	fx_ll("UPDATE territories SET visible_users_throughout_the_territory = false WHERE id = %lld", t.terr);
	/* The territorial rights (export, invite agents, teams, access rights)
	 * legitimately open territory pages and every organisation's RDVs to
	 * their holder: withdrawn for the sweep (a bit mask, restored at the
	 * end), so that the territory routes must refuse too. */
	t.stats_right_was = (int)fx_ll("SELECT allow_to_download_stats::int | allow_to_invite_agents::int << 1"
					 " | allow_to_manage_teams::int << 2 | allow_to_manage_access_rights::int << 3"
					 " FROM agent_territorial_access_rights"
					 " WHERE agent_id = %lld AND territory_id = %lld", test_agent_id(ADMIN_ARRAS), t.terr);
	fx_ll("UPDATE agent_territorial_access_rights SET allow_to_download_stats = false, allow_to_invite_agents = false,"
	      " allow_to_manage_teams = false, allow_to_manage_access_rights = false"
	      " WHERE agent_id = %lld AND territory_id = %lld", test_agent_id(ADMIN_ARRAS), t.terr);
	t.lens_agent = test_agent_id("agent.lens@demo.rdv-solidarites.fr");
	t.lens_usager = fx_ll("SELECT user_id FROM user_profiles WHERE organisation_id = %lld AND user_id NOT IN"
			      " (SELECT user_id FROM user_profiles WHERE organisation_id <> %lld)"
			      " AND user_id IN (SELECT id FROM users WHERE deleted_at IS NULL)"
			      " ORDER BY user_id LIMIT 1", t.lens, t.lens);
	t.lens_rdv = fx_ll("SELECT r.id FROM rdvs r WHERE r.organisation_id = %lld AND r.cancelled_at IS NULL"
			   " AND NOT EXISTS (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id AND (x.agent_id IN"
			   "  (SELECT agent_id FROM agent_roles WHERE organisation_id = %lld)"
			   "  OR x.agent_id IN (SELECT owner_agent_id FROM agenda_accesses)))"
			   " AND EXISTS (SELECT 1 FROM participations p WHERE p.rdv_id = r.id AND p.user_id = %lld)"
			   " ORDER BY r.starts_at DESC LIMIT 1", t.lens, t.arras, t.lens_usager);
	if (t.lens_rdv == 0)   /* that usager has no RDV: any Lens-only one */
		t.lens_rdv = fx_ll("SELECT r.id FROM rdvs r WHERE r.organisation_id = %lld AND NOT EXISTS"
				   " (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id AND x.agent_id IN"
				   "  (SELECT agent_id FROM agent_roles WHERE organisation_id = %lld))"
				   " ORDER BY r.starts_at DESC LIMIT 1", t.lens, t.arras);
	t.lens_plage = fx_ll("SELECT id FROM plages_ouverture WHERE organisation_id = %lld" LENS_ONLY_AGENT("agent_id")
			     " ORDER BY id LIMIT 1", t.lens, t.arras);
	t.lens_absence = fx_ll("SELECT id FROM absences WHERE organisation_id = %lld" LENS_ONLY_AGENT("agent_id")
			       " ORDER BY id LIMIT 1", t.lens, t.arras);
	if (t.lens_absence == 0)
		t.lens_absence = fx_ll("INSERT INTO absences (agent_id, organisation_id, title, first_day, start_time,"
				       " end_day, end_time) VALUES (%lld, %lld, 'IDOR', current_date + 30, '09:00',"
				       " current_date + 30, '10:00') RETURNING id", t.lens_agent, t.lens);
	t.lens_lieu = fx_ll("SELECT id FROM lieux WHERE organisation_id = %lld ORDER BY id LIMIT 1", t.lens);
	t.lens_motif = fx_ll("SELECT id FROM motifs WHERE organisation_id = %lld AND deleted_at IS NULL"
			     " ORDER BY id LIMIT 1", t.lens);
	t.lens_webhook = fx_ll("INSERT INTO webhook_endpoints (organisation_id, target_url, secret)"
			       " VALUES (%lld, 'https://idor.example/hook', 'idor-secret')"
			       " ON CONFLICT (organisation_id, target_url) DO UPDATE SET secret = 'idor-secret'"
			       " RETURNING id", t.lens);
	t.lens_api_token = fx_ll("INSERT INTO api_tokens (agent_id, token_hash, name) VALUES (%lld,"
				 " sha256('" TOKEN_LENS "'::bytea), 'idor-lens') ON CONFLICT (token_hash)"
				 " DO UPDATE SET revoked_at = NULL RETURNING id", t.lens_agent);
	fx_ll("INSERT INTO api_tokens (agent_id, token_hash, name) VALUES (%lld, sha256('" TOKEN_ARRAS "'::bytea),"
	      " 'idor-arras') ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL RETURNING id",
	      test_agent_id(ADMIN_ARRAS));
	t.sector = fx_ll("SELECT id FROM sectors ORDER BY id LIMIT 1");
	t.zone = fx_ll("SELECT id FROM zones ORDER BY id LIMIT 1");
	/* a team of the territory (admin.arras holds no team right during the sweep) */
	t.team = fx_ll("SELECT coalesce(min(id), 0) FROM teams WHERE territory_id = %lld", t.terr);
	if (t.team == 0)
		t.team = fx_ll("INSERT INTO teams (territory_id, name) VALUES (%lld, 'Équipe du balayage IDOR') RETURNING id", t.terr);
	t.attribution = fx_ll("SELECT id FROM sector_attributions WHERE organisation_id = %lld ORDER BY id LIMIT 1",
			      t.lens);
}

/* Another citizen's family (a responsible and a relative) with an RDV. */
static void setup_victim(void)
{
	t.victim = fx_ll("SELECT id FROM users WHERE email = '" VICTIM "'");
	if (t.victim == 0)
		t.victim = fx_ll("INSERT INTO users (first_name, last_name, email, created_through)"
				 " VALUES ('Victor', 'Idor', '" VICTIM "', 'user_sign_up') RETURNING id");
	t.victim_relative = fx_ll("SELECT id FROM users WHERE responsible_id = %lld", t.victim);
	if (t.victim_relative == 0)
		t.victim_relative = fx_ll("INSERT INTO users (first_name, last_name, responsible_id, created_through)"
					  " VALUES ('Vic', 'Idor', %lld, 'user_relative') RETURNING id", t.victim);
	fx_ll("INSERT INTO user_profiles (user_id, organisation_id) VALUES (%lld, %lld), (%lld, %lld)"
	      " ON CONFLICT DO NOTHING", t.victim, t.arras, t.victim_relative, t.arras);
	t.victim_rdv = fx_ll("SELECT rdv_id FROM participations WHERE user_id = %lld LIMIT 1", t.victim);
	if (t.victim_rdv == 0)
		t.victim_rdv = fx_ll(
			"WITH m AS (SELECT id, organisation_id FROM motifs WHERE organisation_id = %lld"
			"  AND deleted_at IS NULL AND NOT collectif ORDER BY id LIMIT 1),"
			" r AS (INSERT INTO rdvs (organisation_id, motif_id, starts_at, ends_at, created_by_type, users_count)"
			"  SELECT organisation_id, id, date_trunc('hour', now()) + interval '20 days 3 hours',"
			"  date_trunc('hour', now()) + interval '20 days 3 hours 30 minutes', 'user', 1 FROM m RETURNING id)"
			" INSERT INTO participations (rdv_id, user_id) SELECT id, %lld FROM r RETURNING rdv_id",
			t.arras, t.victim);
	t.victim_participation = fx_ll("SELECT id FROM participations WHERE rdv_id = %lld AND user_id = %lld",
				       t.victim_rdv, t.victim);
}

static int suite_init(void)
{
	setup_lens();
	setup_victim();
	return 0;
}

static int suite_clean(void)
{
	fx_ll("UPDATE territories SET visible_users_throughout_the_territory = %s WHERE id = %lld",
	      t.shared_users_was ? "true" : "false", t.terr);
	fx_ll("UPDATE agent_territorial_access_rights SET allow_to_download_stats = (%d & 1) <> 0,"
	      " allow_to_invite_agents = (%d & 2) <> 0, allow_to_manage_teams = (%d & 4) <> 0,"
	      " allow_to_manage_access_rights = (%d & 8) <> 0"
	      " WHERE agent_id = %lld AND territory_id = %lld", t.stats_right_was, t.stats_right_was,
	      t.stats_right_was, t.stats_right_was, test_agent_id(ADMIN_ARRAS), t.terr);
	fx_ll("DELETE FROM api_tokens WHERE name IN ('idor-lens', 'idor-arras')");
	return 0;
}

/* md5 of every row of the other side: Lens's organisation and objects, its
 * agents and usagers, the territory's settings and sectors, the victim's
 * family. Any change made by a refused request shows here. */
static void fingerprint(char out[64])
{
	char sql[4096];
	long long L = t.lens;
	snprintf(sql, sizeof(sql),
		"WITH la AS (SELECT agent_id FROM agent_roles WHERE organisation_id = %lld),"
		" lu AS (SELECT user_id FROM user_profiles WHERE organisation_id = %lld"
		"        UNION SELECT id FROM users WHERE id IN (%lld, %lld)),"
		" lr AS (SELECT id FROM rdvs WHERE organisation_id = %lld OR id = %lld)"
		" SELECT md5(concat_ws('|',"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM rdvs x WHERE x.id IN (SELECT id FROM lr)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM participations x"
		"   WHERE x.rdv_id IN (SELECT id FROM lr) OR x.user_id IN (SELECT user_id FROM lu)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.rdv_id, x.agent_id) FROM agents_rdvs x"
		"   WHERE x.rdv_id IN (SELECT id FROM lr)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM users x WHERE x.id IN (SELECT user_id FROM lu)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.user_id, x.organisation_id) FROM user_profiles x"
		"   WHERE x.user_id IN (SELECT user_id FROM lu)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.user_id, x.agent_id) FROM referent_assignations x"
		"   WHERE x.user_id IN (SELECT user_id FROM lu)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM plages_ouverture x WHERE x.organisation_id = %lld),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM absences x"
		"   WHERE x.organisation_id = %lld OR x.agent_id IN (SELECT agent_id FROM la)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM lieux x WHERE x.organisation_id = %lld),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM motifs x WHERE x.organisation_id = %lld),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM organisations x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM agent_roles x"
		"   WHERE x.organisation_id = %lld OR x.agent_id IN (SELECT agent_id FROM la)),"
		" (SELECT string_agg(md5((x.id, x.email, x.first_name, x.last_name, x.password_hash, x.deleted_at,"
		"   x.invitation_token_hash)::text), ',' ORDER BY x.id) FROM agents x WHERE x.id IN (SELECT agent_id FROM la)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.owner_agent_id, x.grantee_agent_id) FROM agenda_accesses x),"
		" (SELECT string_agg(md5((x.id, x.revoked_at)::text), ',' ORDER BY x.id) FROM api_tokens x"
		"   WHERE x.agent_id IN (SELECT agent_id FROM la)),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM webhook_endpoints x WHERE x.organisation_id = %lld),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM territories x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.agent_id, x.territory_id) FROM agent_territorial_access_rights x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.agent_id) FROM agent_territorial_roles x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM sectors x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM teams x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.team_id, x.agent_id) FROM agent_teams x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.territory_id, x.service_id) FROM territory_services x),"
		" (SELECT count(*)::text || max(x.id)::text FROM zones x),"
		" (SELECT string_agg(md5(x::text), ',' ORDER BY x.id) FROM sector_attributions x)))",
		L, L, t.victim, t.victim_relative, L, t.victim_rdv, L, L, L, L, L, L);
	out[0] = '\0';
	test_sql(sql, out, 64);
}

/* ------------------------------------------------------------ routes */

struct route_line {
	char method[8];
	char pattern[256];
	char access[8];
	int json;
};

/* The directory of http-tests (the programs are built next to it). */
static int bin_dir(char *out, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", out, n - 1);
	if (len <= 0)
		return -1;
	out[len] = '\0';
	char *slash = strrchr(out, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	return 0;
}

/* Every route of one program; returns the count (0 if the program did not run). */
static int load_routes(const char *program, struct route_line *out, int max)
{
	char dir[PATH_MAX], cmd[PATH_MAX + 64];
	if (bin_dir(dir, sizeof(dir)) != 0)
		return 0;
	snprintf(cmd, sizeof(cmd), "RDV_PRINT_ROUTES=1 '%s/rdv-%s' 2>/dev/null", dir, program);
	FILE *f = popen(cmd, "r");
	if (f == NULL)
		return 0;
	int n = 0;
	char line[512], json[8];
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		json[0] = '\0';
		struct route_line *r = &out[n];
		if (sscanf(line, "%7s %255s %7s %7s", r->method, r->pattern, r->access, json) >= 3) {
			r->json = strcmp(json, "json") == 0;
			n++;
		}
	}
	pclose(f);
	return n;
}

/* The object a parameter names, for the attacker. own_org: Arras in the
 * organisation parameter (variant "my organisation, your object").
 * Returns 0 with *value set, -1 when the parameter has no case. */
static int param_value(const struct route_line *r, const char *name, const char *prev, int own_org,
		       char *value, size_t n)
{
	long long v = -1;
	int user = strcmp(r->access, "user") == 0 || strcmp(r->access, "public") == 0;
	if (strcmp(name, "org_id") == 0 || strcmp(name, "org") == 0)
		v = own_org ? t.arras : t.lens;
	else if (strcmp(name, "terr_id") == 0 || strcmp(name, "territory_id") == 0)
		v = t.terr;   /* admin.arras is not a territory admin */
	else if (strcmp(name, "lieu_id") == 0)
		v = t.lens_lieu;
	else if (strcmp(name, "user_id") == 0)
		v = t.lens_usager;
	else if (strcmp(name, "agent_id") == 0 || strcmp(name, "grantee_id") == 0)
		v = t.lens_agent;
	else if (strcmp(name, "zone_id") == 0)
		v = t.zone;
	else if (strcmp(name, "attr_id") == 0)
		v = t.attribution;
	else if (strcmp(name, "token") == 0) {
		snprintf(value, n, "%s", FAKE_TOKEN);
		return 0;
	} else if (strcmp(name, "id") == 0 && user) {
		if (strcmp(prev, "rdvs") == 0 || strcmp(prev, "r") == 0)
			v = strcmp(prev, "r") == 0 ? t.victim_participation : t.victim_rdv;
		else if (strcmp(prev, "relatives") == 0)
			v = t.victim_relative;
	} else if (strcmp(name, "id") == 0) {
		static const struct { const char *seg; const long long *id; } by_seg[] = {
			{"rdvs", &t.lens_rdv}, {"usagers", &t.lens_usager}, {"users", &t.lens_usager},
			{"plages_ouverture", &t.lens_plage}, {"absences", &t.lens_absence},
			{"lieux", &t.lens_lieu}, {"motifs", &t.lens_motif}, {"agents", &t.lens_agent},
			{"webhooks", &t.lens_webhook}, {"api_tokens", &t.lens_api_token}, {"sectors", &t.sector},
			{"teams", &t.team},
		};
		for (size_t i = 0; i < sizeof(by_seg) / sizeof(by_seg[0]); i++)
			if (strcmp(prev, by_seg[i].seg) == 0)
				v = *by_seg[i].id;
	}
	if (v < 0)
		return -1;
	snprintf(value, n, "%lld", v);
	return 0;
}

/* Pattern → path. Returns -1 (and names the parameter) when one has no case;
 * *has_org tells whether the organisation was a parameter. */
static int build_path(const struct route_line *r, int own_org, char *path, size_t n, int *has_org,
		      char *missing, size_t mn)
{
	char prev[64] = "";
	size_t len = 0;
	*has_org = 0;
	const char *p = r->pattern;
	path[0] = '\0';
	while (*p == '/') {
		p++;
		size_t seg = strcspn(p, "/");
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)seg, p);
		char value[128];
		if (name[0] == ':' || name[0] == '*') {
			if (param_value(r, name + 1, prev, own_org, value, sizeof(value)) != 0) {
				snprintf(missing, mn, "%s", name);
				return -1;
			}
			if (strcmp(name + 1, "org_id") == 0 || strcmp(name + 1, "org") == 0)
				*has_org = 1;
		} else {
			snprintf(value, sizeof(value), "%s", name);
			snprintf(prev, sizeof(prev), "%s", name);
		}
		len += (size_t)snprintf(path + len, len < n ? n - len : 0, "/%s", value);
		p += seg;
	}
	return len < n ? 0 : -1;
}

/* ------------------------------------------------------------ attackers */

static struct browser agent_b, user_b;
static char agent_csrf[128], user_csrf[128];

static void latest_csrf(const char *who_sql, char out[128])
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT csrf_token FROM sessions WHERE %s ORDER BY id DESC LIMIT 1", who_sql);
	test_sql(sql, out, 128);
}

static int attackers_ready(void)
{
	browser_init(&agent_b);
	browser_init(&user_b);
	if (browser_sign_in_agent(&agent_b, ADMIN_ARRAS, NULL) != 303)
		return 0;
	latest_csrf("agent_id = (SELECT id FROM agents WHERE email = '" ADMIN_ARRAS "')", agent_csrf);
	browser_get(&user_b, "/users/sign_in");
	char form[256];
	snprintf(form, sizeof(form), "email=%s&password=%s", USAGER, test_demo_password);
	if (browser_post(&user_b, "/users/sign_in", form, 1) != 303)
		return 0;
	latest_csrf("user_id = (SELECT id FROM users WHERE email = '" USAGER "')", user_csrf);
	return agent_csrf[0] != '\0' && user_csrf[0] != '\0';
}

static long attack(const struct route_line *r, const char *path)
{
	int api = strcmp(r->access, "api") == 0;
	int as_user = strcmp(r->access, "user") == 0;
	int public = strcmp(r->access, "public") == 0;
	struct browser anon;
	struct browser *b = as_user ? &user_b : &agent_b;
	if (public) {
		browser_init(&anon);
		b = &anon;
	}
	const char *csrf = as_user ? user_csrf : public ? "" : agent_csrf;
	int body_json = api || r->json;
	char h_csrf[200], h_auth[128], body[1024];
	snprintf(h_csrf, sizeof(h_csrf), "X-CSRF-Token: %s", csrf);
	snprintf(h_auth, sizeof(h_auth), "Authorization: Bearer %s", api ? TOKEN_ARRAS : "none");
	const char *headers[] = {body_json ? "Content-Type: application/json"
					   : "Content-Type: application/x-www-form-urlencoded",
				 h_csrf, api ? h_auth : NULL, NULL};
	if (body_json)
		snprintf(body, sizeof(body),
			 "{\"by\":\"user\",\"name\":\"IDOR\",\"title\":\"IDOR\",\"first_name\":\"IDOR\",\"last_name\":\"IDOR\","
			 "\"status\":\"excused\",\"starts_at\":\"2030-01-07T10:00:00+01:00\",\"agent_ids\":[%lld],"
			 "\"motif_id\":%lld,\"lieu_id\":%lld,\"user_ids\":[%lld]}",
			 t.lens_agent, t.lens_motif, t.lens_lieu, t.lens_usager);
	else
		snprintf(body, sizeof(body),
			 "csrf_token=%s&by=user&name=IDOR&title=IDOR&first_name=IDOR&last_name=IDOR&status=excused"
			 "&level=write&agent_id=%lld&grantee_id=%lld&user_id=%lld&role=admin&access_level=admin"
			 "&confirm=1&reason=idor&email=idor%%40exemple.fr&target_url=https%%3A%%2F%%2Fx.example"
			 "&date=2030-01-07&time=10%%3A00&starts_at=2030-01-07T10%%3A00&first_day=2030-01-07"
			 "&start_time=09%%3A00&end_time=10%%3A00&end_day=2030-01-07",
			 csrf, t.lens_agent, t.lens_agent, t.lens_usager);
	int get = strcmp(r->method, "GET") == 0;
	long st = browser_request(b, r->method, path, headers, get ? NULL : body, get ? 0 : strlen(body));
	if (public)
		browser_free(&anon);
	return st;
}

/* ------------------------------------------------------------ the sweep */

#define MAX_ROUTES 512

static int check_case(const struct route_line *r, int own_org, int *cases)
{
	char path[1024], missing[64];
	int has_org;
	if (build_path(r, own_org, path, sizeof(path), &has_org, missing, sizeof(missing)) != 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "no IDOR case for %s %s (parameter %s)", r->method, r->pattern, missing);
		fprintf(stderr, "\n  %s", msg);
		CU_FAIL(msg);
		return 0;
	}
	/* "my organisation, your object" only makes sense with another id */
	if (own_org && (!has_org || strchr(strstr(r->pattern, ":org") + 1, ':') == NULL))
		return 1;
	char before[64], after[64];
	fingerprint(before);
	long st = attack(r, path);
	fingerprint(after);
	(*cases)++;
	int refused = st == 403 || st == 404;
	int unchanged = before[0] != '\0' && strcmp(before, after) == 0;
	if (!refused || !unchanged) {
		char loc[1100] = "";
		if (st == 302 || st == 303)
			snprintf(loc, sizeof(loc), " → %s", (r->access[0] == 'u' ? user_b : agent_b).location);
		fprintf(stderr, "\n  IDOR %s %s as %s: %ld%s%s", r->method, path, r->access, st, loc,
			unchanged ? "" : " AND THE OTHER SIDE'S ROWS CHANGED");
	}
	CU_ASSERT(refused);
	CU_ASSERT(unchanged);
	return 1;
}

static void sweep_program(const char *program)
{
	static struct route_line routes[MAX_ROUTES];
	int n = load_routes(program, routes, MAX_ROUTES);
	CU_ASSERT(n > 0);
	if (n == 0) {
		fprintf(stderr, "\n  rdv-%s printed no route (RDV_PRINT_ROUTES)", program);
		return;
	}
	int cases = 0;
	for (int i = 0; i < n; i++) {
		const struct route_line *r = &routes[i];
		if (strpbrk(r->pattern, ":*") == NULL)
			continue;
		if (check_case(r, 0, &cases))
			check_case(r, 1, &cases);
	}
	fprintf(stderr, " [%s: %d routes, %d cases]", program, n, cases);
}

static void test_setup_found_everything(void)
{
	CU_ASSERT(t.arras > 0 && t.lens > 0 && t.terr > 0);
	CU_ASSERT(t.lens_rdv > 0);
	CU_ASSERT(t.lens_usager > 0);
	CU_ASSERT(t.lens_plage > 0);
	CU_ASSERT(t.lens_absence > 0);
	CU_ASSERT(t.lens_lieu > 0 && t.lens_motif > 0 && t.lens_agent > 0);
	CU_ASSERT(t.lens_webhook > 0 && t.lens_api_token > 0);
	CU_ASSERT(t.victim > 0 && t.victim_relative > 0 && t.victim_rdv > 0 && t.victim_participation > 0);
	CU_ASSERT_FATAL(attackers_ready());
	char fp[64];
	fingerprint(fp);
	CU_ASSERT(strlen(fp) == 32);
}

static void test_sweep_booking(void) { sweep_program("booking"); }
static void test_sweep_admin(void) { sweep_program("admin"); }
static void test_sweep_export(void) { sweep_program("export"); }
static void test_sweep_search(void) { sweep_program("search"); }

/* The sweep's own check: an unknown parameter name is reported, not skipped. */
static void test_unknown_parameter_fails(void)
{
	struct route_line r = {"GET", "/agent/organisations/:org_id/widgets/:widget_id", "agent", 0};
	char path[256], missing[64];
	int has_org;
	CU_ASSERT_EQUAL(build_path(&r, 0, path, sizeof(path), &has_org, missing, sizeof(missing)), -1);
	CU_ASSERT_STRING_EQUAL(missing, ":widget_id");
}

static void test_cleanup(void)
{
	browser_free(&agent_b);
	browser_free(&user_b);
}

void register_idor_http(void)
{
	CU_pSuite s = CU_add_suite("idor", suite_init, suite_clean);
	CU_add_test(s, "setup: the other side's objects and the attackers", test_setup_found_everything);
	CU_add_test(s, "a parameter without a case fails the sweep", test_unknown_parameter_fails);
	CU_add_test(s, "booking routes: Arras admin on Lens objects", test_sweep_booking);
	CU_add_test(s, "admin routes: Arras admin on Lens objects", test_sweep_admin);
	CU_add_test(s, "export and API routes: Arras admin on Lens objects", test_sweep_export);
	CU_add_test(s, "citizen routes: another family's RDV and relative", test_sweep_search);
	CU_add_test(s, "cleanup", test_cleanup);
}
