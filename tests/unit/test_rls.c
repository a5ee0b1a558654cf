/*
 * test_rls.c - the row-level security wall (0014_rls.sql, lib/rls.c) as the
 * FastCGI programs meet it: connected as rdv_app (RDV_APP_DATABASE_URL, set
 * by nginx/stack.sh; the fixtures are read as the owner through DATABASE_URL;
 * skipped when either is unset). Deliberately unscoped queries (no WHERE on
 * the organisation) must see only what the declared actor may see, and
 * rdv_app must not be able to switch the wall off.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "buf.h"
#include "db.h"
#include "rdv.h"
#include "rls.h"

static struct db *owner, *app;
static struct arena *A;
/* demo fixtures: an agent of MDS d'Arras only, its organisation, MDS de Lens, a citizen */
static const char *agent_a, *org_a, *org_b, *citizen;

static const char *owner_s(const char *sql, const char *p1)
{
	return db_s(owner, A, sql, p1);
}

static int suite_init(void)
{
	const char *url = getenv("DATABASE_URL"), *app_url = getenv("RDV_APP_DATABASE_URL");
	if (url == NULL || app_url == NULL)
		return 0;
	A = arena_new(8192);
	owner = db_open(url, "unit-tests");
	app = db_open(app_url, "unit-tests-rls");
	if (A == NULL || owner == NULL || app == NULL)
		return -1;
	agent_a = owner_s("SELECT id FROM agents WHERE email = $1", "secretariat.arras@demo.rdv-solidarites.fr");
	org_a = owner_s("SELECT id FROM organisations WHERE name = $1", "MDS d'Arras");
	org_b = owner_s("SELECT id FROM organisations WHERE name = $1", "MDS de Lens");
	citizen = owner_s("SELECT id FROM users WHERE email = $1", "usager@demo.rdv-solidarites.fr");
	return 0;
}

static int suite_clean(void)
{
	db_close(app);
	db_close(owner);
	arena_free(A);
	return 0;
}

#define NEED_DB() do { if (app == NULL || agent_a == NULL || org_a == NULL || org_b == NULL || citizen == NULL) { \
	fprintf(stderr, "(no RDV_APP_DATABASE_URL or demo data: skipped) "); return; } } while (0)

static long long app_count(const char *sql)
{
	char *v = db_s(app, A, sql);
	return v ? strtoll(v, NULL, 10) : -1;
}

static long long owner_count(const char *sql, const char *p1)
{
	const char *v = owner_s(sql, p1);
	return v ? strtoll(v, NULL, 10) : -1;
}

static void test_role_cannot_bypass(void)
{
	NEED_DB();
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT current_user"), "rdv_app");
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT (rolbypassrls OR rolsuper)::text FROM pg_roles"
					  " WHERE rolname = current_user"), "false");
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT (tableowner = current_user)::text FROM pg_tables"
					  " WHERE tablename = 'rdvs'"), "false");
	CU_ASSERT_EQUAL(rls_set_actor(app, 0, 0), 0);
	/* row_security = off makes a policy-filtered query fail, never bypass */
	CU_ASSERT_EQUAL(db_x(app, "SET row_security = off"), 0);
	CU_ASSERT_PTR_NULL(db_s(app, A, "SELECT count(*) FROM rdvs"));
	CU_ASSERT_STRING_EQUAL(app->sqlstate, "42501");
	CU_ASSERT_EQUAL(db_x(app, "RESET row_security"), 0);
	/* no way to become the owner or to switch the policies off */
	CU_ASSERT_NOT_EQUAL(db_x(app, "SET ROLE rdv"), 0);
	CU_ASSERT_NOT_EQUAL(db_x(app, "ALTER TABLE rdvs DISABLE ROW LEVEL SECURITY"), 0);
	CU_ASSERT_NOT_EQUAL(db_x(app, "ALTER ROLE rdv_app BYPASSRLS"), 0);
	CU_ASSERT_NOT_EQUAL(db_x(app, "DROP POLICY rls_read ON rdvs"), 0);
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT current_user"), "rdv_app");
}

static void test_no_actor_sees_nothing(void)
{
	NEED_DB();
	/* a fresh connection that never declared an actor (rls_restore not involved) */
	PGconn *c = PQconnectdb(getenv("RDV_APP_DATABASE_URL"));
	CU_ASSERT_FATAL(PQstatus(c) == CONNECTION_OK);
	PGresult *r = PQexec(c, "SELECT (SELECT count(*) FROM rdvs) + (SELECT count(*) FROM users)"
				" + (SELECT count(*) FROM participations) + (SELECT count(*) FROM user_profiles)"
				" + (SELECT count(*) FROM lieux) + (SELECT count(*) FROM audit)");
	CU_ASSERT_EQUAL(PQresultStatus(r), PGRES_TUPLES_OK);
	CU_ASSERT_STRING_EQUAL(PQgetvalue(r, 0, 0), "0");
	PQclear(r);
	PQfinish(c);
	CU_ASSERT_TRUE(owner_count("SELECT count(*) FROM rdvs WHERE organisation_id = $1", org_a) > 0);
}

static void test_agent_sees_its_organisation(void)
{
	NEED_DB();
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, strtoll(agent_a, NULL, 10), 0), 0);
	long long mine = owner_count("SELECT count(*) FROM rdvs WHERE organisation_id = $1", org_a);
	CU_ASSERT_TRUE(mine > 0);
	CU_ASSERT_TRUE(owner_count("SELECT count(*) FROM rdvs WHERE organisation_id <> $1", org_a) > 0);
	/* unscoped on purpose */
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM rdvs"), mine);
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM participations"),
			owner_count("SELECT count(*) FROM participations p JOIN rdvs r ON r.id = p.rdv_id"
				    " WHERE r.organisation_id = $1", org_a));
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM stats_weekly"),
			owner_count("SELECT count(*) FROM stats_weekly WHERE organisation_id = $1", org_a));
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM webhook_endpoints"),
			owner_count("SELECT count(*) FROM webhook_endpoints WHERE organisation_id = $1", org_a));
	/* a write to MDS de Lens's RDV changes nothing (rolled back anyway if the wall fell) */
	const char *rdv_b = owner_s("SELECT min(id) FROM rdvs WHERE organisation_id = $1", org_b);
	const char *lieu_b = owner_s("SELECT min(id) FROM lieux WHERE organisation_id = $1", org_b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rdv_b);
	CU_ASSERT_EQUAL_FATAL(db_begin(app), 0);
	PGresult *r = db_q(app, "UPDATE rdvs SET context = 'fuite' WHERE id = $1", rdv_b);
	CU_ASSERT_PTR_NOT_NULL(r);
	CU_ASSERT_STRING_EQUAL(r ? PQcmdTuples(r) : "", "0");
	PQclear(r);
	r = db_q(app, "DELETE FROM participations WHERE rdv_id = $1", rdv_b);
	CU_ASSERT_STRING_EQUAL(r ? PQcmdTuples(r) : "", "0");
	PQclear(r);
	r = db_q(app, "UPDATE lieux SET name = 'fuite' WHERE id = $1", lieu_b);
	CU_ASSERT_STRING_EQUAL(r ? PQcmdTuples(r) : "", "0");
	PQclear(r);
	/* and it cannot put a row into MDS de Lens either */
	CU_ASSERT_NOT_EQUAL(db_x(app, "UPDATE rdvs SET organisation_id = $1 WHERE id = (SELECT min(id) FROM rdvs)", org_b), 0);
	db_rollback(app);
}

/* The name search reads as the owner (usager_name_page, SECURITY DEFINER, 0029): it
 * returns the agent's organisation's usagers only, whichever way it reads them (the
 * word index: 'le'; the name order: 'a', every name: '%'), and nothing of another
 * organisation, even asked by id or throughout the territory. */
static void test_name_search_within_agent_orgs(void)
{
	NEED_DB();
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, strtoll(agent_a, NULL, 10), 0), 0);
	const char *terr = owner_s("SELECT territory_id FROM organisations WHERE id = $1", org_a);
	static const char *const patterns[] = {"% le%", "% a%", "%", NULL};
	for (int i = 0; patterns[i]; i++) {
		const char *p = patterns[i];
		const char *mine = db_s(owner, A, "SELECT count(*) FROM user_profiles WHERE organisation_id = $1"
					" AND search_words LIKE $2", org_a, p);
		CU_ASSERT_TRUE_FATAL(mine != NULL && strtoll(mine, NULL, 10) > 0);
		const char *other = db_s(app, A, "SELECT count(*) FROM usager_name_page($1, false, $2, $3, NULL, 1000, 0, true)",
					 org_b, terr, p);
		CU_ASSERT_STRING_EQUAL(other ? other : "?", "0");
		const char *wide = db_s(app, A, "SELECT count(*) FROM usager_name_page($1, true, $2, $3, NULL, 1000, 0, true)",
					org_a, terr, p);
		CU_ASSERT_STRING_EQUAL(wide ? wide : "?", mine);
		/* every row is one of its organisation's usagers */
		const char *ids = owner_s("SELECT array_agg(user_id)::text FROM user_profiles WHERE organisation_id = $1", org_a);
		const char *outside = db_s(app, A, "SELECT count(*) FROM usager_name_page($1, true, $2, $3, NULL, 1000, 0, true) page"
					   " WHERE NOT (page.usr).id = ANY ($4::bigint[])", org_a, terr, p, ids);
		CU_ASSERT_STRING_EQUAL(outside ? outside : "?", "0");
	}
	CU_ASSERT_EQUAL(rls_set_actor(app, 0, 0), 0);
	const char *none = db_s(app, A, "SELECT count(*) FROM usager_name_page($1, false, 0, '%', NULL, 1000, 0, true)",
				org_a);
	CU_ASSERT_STRING_EQUAL(none ? none : "?", "0");
}

static void test_citizen_sees_its_family(void)
{
	NEED_DB();
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, strtoll(citizen, NULL, 10)), 0);
	long long family = owner_count("SELECT count(*) FROM users WHERE id = $1 OR responsible_id = $1", citizen);
	CU_ASSERT_TRUE(family > 1);
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM users"), family);
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM participations"),
			owner_count("SELECT count(*) FROM participations p JOIN users u ON u.id = p.user_id"
				    " WHERE u.id = $1 OR u.responsible_id = $1", citizen));
	/* RDVs: the family's, and collective ones (open to booking) */
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM rdvs WHERE NOT collectif"),
			owner_count("SELECT count(DISTINCT r.id) FROM rdvs r JOIN participations p ON p.rdv_id = r.id"
				    " JOIN users u ON u.id = p.user_id WHERE NOT r.collectif"
				    " AND (u.id = $1 OR u.responsible_id = $1)", citizen));
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM audit"), 0);
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM stats_weekly"), 0);
	/* another family's record: no change */
	const char *other = owner_s("SELECT min(id) FROM users WHERE id <> $1 AND responsible_id IS DISTINCT FROM $1"
				    " AND deleted_at IS NULL", citizen);
	CU_ASSERT_EQUAL_FATAL(db_begin(app), 0);
	PGresult *r = db_q(app, "UPDATE users SET first_name = 'fuite' WHERE id = $1", other);
	CU_ASSERT_STRING_EQUAL(r ? PQcmdTuples(r) : "", "0");
	PQclear(r);
	db_rollback(app);
	CU_ASSERT_EQUAL(rls_set_actor(app, 0, 0), 0);
}

/* The agenda feed's owner function (0028) against the query it replaced, run
 * as rdv_app under the policies: the same rows, byte for byte, for the agents
 * of the organisation the viewer may see; nothing for agents of another
 * organisation, nor in an organisation the viewer is not a member of, nor for
 * a citizen or an anonymous actor. */
#define FEED_WINDOW "0::float8, 4102444800::float8"
#define FEED_ROWS(from) "SELECT coalesce(md5(string_agg(f::text, '|')), '') || ':' || count(*) FROM (" from ") f"
static const char feed_reference[] = FEED_ROWS(
	"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, extract(epoch FROM r.ends_at)::bigint,"
	" r.status::text, m.name, m.color, r.organisation_id, ar.agent_id, coalesce(l.name, ''),"
	" coalesce(r.name, ''), coalesce((SELECT string_agg(trim(u.first_name || ' ' || u.last_name), ', '"
	"   ORDER BY u.last_name) FROM participations p JOIN users u ON u.id = p.user_id"
	"   WHERE p.rdv_id = r.id AND p.status NOT IN ('excused', 'revoked')), '')"
	" FROM agents_rdvs ar JOIN rdvs r ON r.id = ar.rdv_id JOIN motifs m ON m.id = r.motif_id"
	" LEFT JOIN lieux l ON l.id = r.lieu_id, (VALUES (" FEED_WINDOW ")) w(t_from, t_to)"
	" WHERE ar.agent_id = ANY($1::bigint[])"
	" AND ar.starts_at < to_timestamp(w.t_to) AND ar.starts_at > to_timestamp(w.t_from) - interval '12 hours'"
	" AND ar.ends_at > to_timestamp(w.t_from) ORDER BY r.starts_at, r.id");
static const char feed_function[] = FEED_ROWS("SELECT * FROM agenda_feed_rdvs($1, $2::bigint[], " FEED_WINDOW ")");

static void test_agenda_feed_function(void)
{
	NEED_DB();
	const char *visible = db_s(owner, A, "SELECT array_agg(agent_id)::text FROM visible_agendas($1, $2)"
					     " WHERE level <> 'none'", agent_a, org_a);
	const char *lens = db_s(owner, A, "SELECT array_agg(agent_id)::text FROM agent_roles ar"
					  " WHERE organisation_id = $1 AND NOT EXISTS (SELECT 1 FROM agent_roles o"
					  " WHERE o.agent_id = ar.agent_id AND o.organisation_id = $2)", org_b, org_a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(visible);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lens);
	const char *both = arena_printf(A, "%.*s,%s", (int)strlen(visible) - 1, visible, lens + 1);
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, strtoll(agent_a, NULL, 10), 0), 0);
	const char *expected = db_s(app, A, feed_reference, visible);
	CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
	CU_ASSERT_STRING_NOT_EQUAL(strrchr(expected, ':'), ":0");   /* the demo has RDVs there */
	CU_ASSERT_STRING_EQUAL(db_s(app, A, feed_function, org_a, both), expected);
	/* agents of MDS de Lens only, shown in MDS d'Arras: the viewer may not see them */
	CU_ASSERT_STRING_EQUAL(db_s(app, A, feed_function, org_a, lens), ":0");
	CU_ASSERT_STRING_EQUAL(db_s(app, A, feed_function, org_b, lens), ":0");
	/* a citizen, or nobody, gets no row */
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, strtoll(citizen, NULL, 10)), 0);
	CU_ASSERT_STRING_EQUAL(db_s(app, A, feed_function, org_a, visible), ":0");
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, 0), 0);
	CU_ASSERT_STRING_EQUAL(db_s(app, A, feed_function, org_a, visible), ":0");
}

/* The RDV export's owner function (0034) against the query it replaced, run as
 * rdv_app under the policies (ordered as the function orders): the same 22
 * cells, row for row, for a member of MDS d'Arras exporting its agendas;
 * nothing for MDS de Lens (not a member, no territory right), nothing for a
 * citizen or without an actor. */
static const char export_reference[] =
	"WITH vis AS (SELECT o AS organisation_id, v.agent_id FROM unnest($1::bigint[]) o, visible_agendas($2, o) v"
	"  WHERE v.level IN ('read', 'write')),"
	" sel AS (SELECT r.* FROM rdvs r WHERE r.organisation_id = ANY($1::bigint[])"
	"  AND EXISTS (SELECT 1 FROM agents_rdvs v JOIN vis ON vis.agent_id = v.agent_id"
	"              AND vis.organisation_id = r.organisation_id WHERE v.rdv_id = r.id)),"
	" ag AS (SELECT t.rdv_id, string_agg(t.name, ', ') AS names, string_agg(t.email, ', ') AS emails FROM ("
	"  SELECT x.rdv_id, a.first_name || ' ' || upper(a.last_name) AS name, a.email FROM sel"
	"  JOIN agents_rdvs x ON x.rdv_id = sel.id JOIN agents a ON a.id = x.agent_id ORDER BY x.rdv_id, a.last_name) t"
	"  GROUP BY t.rdv_id),"
	" rc AS (SELECT rc.rdv_id, CASE WHEN bool_or(rc.result = 'failure') THEN 'Échec' WHEN bool_or(rc.result = 'delivered')"
	"  THEN 'Délivré' WHEN bool_or(rc.result = 'sent') THEN 'Envoyé' ELSE 'Traité' END AS result"
	"  FROM sel JOIN receipts rc ON rc.rdv_id = sel.id GROUP BY rc.rdv_id),"
	" us AS (SELECT t.rdv_id, string_agg(t.name, ', ') AS names, string_agg(t.birth, ', ') AS birth_dates,"
	"  bool_or(t.minor) AS has_minor, (array_agg(t.city) FILTER (WHERE t.city IS NOT NULL))[1] AS first_city,"
	"  (array_agg(t.post_code) FILTER (WHERE t.post_code IS NOT NULL))[1] AS first_post_code FROM ("
	"  SELECT p.rdv_id, u.first_name || ' ' || upper(u.last_name) AS name, to_char(u.birth_date, 'DD/MM/YYYY') AS birth,"
	"   u.birth_date > current_date - interval '18 years' AS minor, coalesce(rs.city_name, u.city_name) AS city,"
	"   coalesce(rs.post_code, u.post_code) AS post_code FROM sel JOIN participations p ON p.rdv_id = sel.id"
	"  JOIN users u ON u.id = p.user_id LEFT JOIN users rs ON rs.id = u.responsible_id ORDER BY p.rdv_id, p.id) t"
	"  GROUP BY t.rdv_id)"
	" SELECT extract(year FROM r.created_at)::int::text, to_char(r.created_at, 'DD/MM/YYYY'),"
	"  to_char(r.created_at, 'HH24\"h\"MI'), CASE r.created_by_type WHEN 'agent' THEN 'Créé par un agent'"
	"  WHEN 'user' THEN 'RDV Pris sur internet' WHEN 'prescripteur' THEN 'Créé par un prescripteur'"
	"  ELSE 'File d''attente' END, to_char(r.starts_at, 'DD/MM/YYYY'), to_char(r.starts_at, 'HH24\"h\"MI'),"
	"  s.name, m.name, r.context, CASE r.status WHEN 'unknown' THEN CASE WHEN r.starts_at < now() THEN 'À renseigner'"
	"  ELSE 'À venir' END WHEN 'seen' THEN 'Présent' WHEN 'noshow' THEN 'Absence non excusée'"
	"  WHEN 'excused' THEN 'Absence excusée' WHEN 'revoked' THEN 'Annulé' END,"
	"  CASE m.location_type WHEN 'phone' THEN 'Par téléphone' WHEN 'home' THEN 'À domicile'"
	"  WHEN 'visio' THEN 'Par visioconférence' ELSE l.name || ' (' || l.address || ')' END, ag.names, u.names,"
	"  u.first_city, CASE WHEN u.has_minor THEN 'oui' ELSE 'non' END, rc.result, o.name, u.birth_dates,"
	"  u.first_post_code, CASE WHEN r.created_by_type = 'agent' THEN nullif(trim(ca.first_name || ' ' ||"
	"  upper(ca.last_name)), '') WHEN r.created_by_type = 'user' THEN 'Usager' END, ag.emails,"
	"  CASE WHEN r.collectif THEN 'oui' ELSE 'non' END"
	" FROM sel r JOIN motifs m ON m.id = r.motif_id JOIN services s ON s.id = m.service_id"
	" JOIN organisations o ON o.id = r.organisation_id LEFT JOIN lieux l ON l.id = r.lieu_id"
	" LEFT JOIN agents ca ON ca.id = r.created_by_agent_id LEFT JOIN ag ON ag.rdv_id = r.id"
	" LEFT JOIN rc ON rc.rdv_id = r.id LEFT JOIN us u ON u.rdv_id = r.id"
	" ORDER BY r.organisation_id, r.starts_at, r.id";

/* Every cell of r, tab- and line-separated (NULL as \N); NULL without r. */
static const char *rows_text(PGresult *r)
{
	if (r == NULL)
		return NULL;
	struct buf b = {0};
	for (int i = 0; i < PQntuples(r); i++)
		for (int j = 0; j < PQnfields(r); j++) {
			const char *v = PQgetisnull(r, i, j) ? "\\N" : PQgetvalue(r, i, j);
			buf_append(&b, v, strlen(v));
			buf_append(&b, j + 1 < PQnfields(r) ? "\t" : "\n", 1);
		}
	const char *out = arena_printf(A, "%d:%s", PQntuples(r), b.len ? b.data : "");
	buf_free(&b);
	PQclear(r);
	return out;
}

/* The rows the function's cursor gives for orgs between from and to (NULL: no
 * bound), every agenda when all. */
static const char *export_function_rows_between(const char *orgs, const char *all, const char *from, const char *to)
{
	if (db_begin(app) != 0)
		return NULL;
	const char *rows = NULL;
	if (db_x(app, "SELECT export_rdv_open($1::bigint[], $3::date, $4::date, 0, 0, 0, NULL, $2::boolean)", orgs, all,
		 from, to) == 0)
		rows = rows_text(db_q(app, "FETCH ALL FROM rdv_export"));
	db_rollback(app);
	return rows;
}

static const char *export_function_rows(const char *orgs, const char *all)
{
	return export_function_rows_between(orgs, all, NULL, NULL);
}

static void test_export_function(void)
{
	NEED_DB();
	const char *arras = arena_printf(A, "{%s}", org_a), *lens = arena_printf(A, "{%s}", org_b);
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, strtoll(agent_a, NULL, 10), 0), 0);
	const char *expected = rows_text(db_q(app, export_reference, arras, agent_a));
	CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
	CU_ASSERT_STRING_NOT_EQUAL(expected, "0:");   /* the demo has RDVs there */
	const char *got = export_function_rows(arras, "f");
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, expected);
	/* dates that hold every RDV: the same cells, participants included (0036 reads
	 * them with the RDVs' filters) */
	CU_ASSERT_STRING_EQUAL(export_function_rows_between(arras, "f", "2000-01-01", "2099-12-31"), expected);
	/* another organisation's RDVs, even asking for every agenda */
	CU_ASSERT_STRING_EQUAL(export_function_rows(lens, "t"), "0:");
	CU_ASSERT_STRING_EQUAL(export_function_rows(lens, "f"), "0:");
	/* a citizen, or nobody, gets no row */
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, strtoll(citizen, NULL, 10)), 0);
	CU_ASSERT_STRING_EQUAL(export_function_rows(arras, "t"), "0:");
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, 0), 0);
	CU_ASSERT_STRING_EQUAL(export_function_rows(arras, "t"), "0:");
}

static const char *app_setting(const char *name)
{
	return db_s(app, A, "SELECT current_setting($1) || '/' || current_setting('app.agent_id')", name);
}

/* An agent's session, role and RLS actor in one statement (0028
 * agent_request_context): the agent is declared only once its session is
 * found; a failed or expired lookup leaves 'public'; nothing without declare. */
static void test_agent_context(void)
{
	NEED_DB();
	char token[AUTH_TOKEN_LEN + 1], other[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	CU_ASSERT_EQUAL_FATAL(auth_session_create(owner, SESSION_AGENT, strtoll(agent_a, NULL, 10), 0, "127.0.0.1",
						  "unit", token), 0);
	auth_token_hash(token, hash);
	struct session s;
	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, strtoll(citizen, NULL, 10)), 0);
	CU_ASSERT_EQUAL(auth_agent_context(app, A, token, strtoll(org_a, NULL, 10), 1, &s), 0);
	CU_ASSERT_EQUAL(s.agent_id, strtoll(agent_a, NULL, 10));
	const char *level = db_s(owner, A, "SELECT access_level::text FROM agent_roles WHERE organisation_id = $1"
				 " AND agent_id = $2", org_a, agent_a);
	CU_ASSERT_PTR_NOT_NULL(level);
	CU_ASSERT_STRING_EQUAL(s.org_level ? s.org_level : "", level ? level : "?");
	CU_ASSERT_STRING_EQUAL(s.org_name ? s.org_name : "", "MDS d'Arras");
	CU_ASSERT_EQUAL(s.org_territory_id, owner_count("SELECT territory_id FROM organisations WHERE id = $1", org_a));
	CU_ASSERT_EQUAL(strlen(s.csrf), AUTH_TOKEN_LEN);
	CU_ASSERT_FALSE(app->session.pending);
	CU_ASSERT_STRING_EQUAL(app_setting("app.actor"), arena_printf(A, "agent/%s", agent_a));
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT current_setting('app.user_id')"), "0");
	/* no role in MDS de Lens: the session still, no level */
	CU_ASSERT_EQUAL(auth_agent_context(app, A, token, strtoll(org_b, NULL, 10), 1, &s), 0);
	CU_ASSERT_PTR_NULL(s.org_level);
	CU_ASSERT_PTR_NULL(s.org_name);
	/* an unknown token after the agent: back to 'public' */
	auth_token_new(other);
	CU_ASSERT_EQUAL(auth_agent_context(app, A, other, strtoll(org_a, NULL, 10), 1, &s), RDV_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(app_setting("app.actor"), "public/0");
	/* without declare, the actor is left as it is */
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, strtoll(citizen, NULL, 10)), 0);
	CU_ASSERT_EQUAL(auth_agent_context(app, A, token, 0, 0, &s), 0);
	CU_ASSERT_STRING_EQUAL(app_setting("app.actor"), "user/0");
	/* an expired session: not found, 'public' */
	CU_ASSERT_EQUAL(auth_agent_context(app, A, token, 0, 1, &s), 0);
	db_x(owner, "UPDATE sessions SET last_seen_at = now() - interval '13 hours' WHERE token_hash = $1::bytea", hash);
	CU_ASSERT_EQUAL(auth_agent_context(app, A, token, strtoll(org_a, NULL, 10), 1, &s), RDV_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(app_setting("app.actor"), "public/0");
	/* a context call that fails changes nothing on the connection: the actor
	 * recorded as set by it is sent again with the next statement */
	CU_ASSERT_EQUAL(auth_agent_context(app, A, token, 0, 0, &s), RDV_ENOTFOUND);
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, strtoll(agent_a, NULL, 10), 0), 0);
	CU_ASSERT_STRING_EQUAL(app_setting("app.actor"), arena_printf(A, "agent/%s", agent_a));
	CU_ASSERT_EQUAL(rls_actor_assumed(app, 0, 0), 0);
	CU_ASSERT_FALSE(app->session.pending);
	db_session_resend(app);
	CU_ASSERT_STRING_EQUAL(app_setting("app.actor"), "public/0");
	CU_ASSERT_EQUAL(auth_session_destroy(owner, token), 0);
	CU_ASSERT_EQUAL(rls_set_actor(app, 0, 0), 0);
}

/* 0033: the anonymous role writes a prescripteur through prescripteur_create() and
 * reads none back, not even its own. */
/* 0035: the hot functions keep generic plans whatever the connection's
 * plan_cache_mode (the agenda feed no longer runs in a transaction that sets
 * it); rdv_fold is PL/pgSQL. */
static void test_hot_functions_generic_plans(void)
{
	NEED_DB();
	CU_ASSERT_EQUAL(owner_count("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
				    " AND proname = ANY (string_to_array($1, ','))"
				    " AND 'plan_cache_mode=force_generic_plan' = ANY (proconfig)",
				    "agent_request_context,agenda_feed_rdvs,rdv_org_query,usager_name_matches,usager_name_page"), 5);
	/* rdv_fold in PL/pgSQL (its plan kept, not parsed per statement), folding as before */
	CU_ASSERT_STRING_EQUAL(owner_s("SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang"
				       " WHERE p.proname = $1", "rdv_fold"), "plpgsql");
	CU_ASSERT_STRING_EQUAL(owner_s("SELECT rdv_fold($1)", "ÉLOÏSE Çà Œuvre"), "eloise ca oeuvre");
	CU_ASSERT_STRING_EQUAL(owner_s("SELECT rdv_name_pattern($1)", "% Dupont-Éloïse%"), "% dupont eloise%");
}

static void test_public_reads_no_prescripteur(void)
{
	NEED_DB();
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, 0), 0);
	const char *id = db_s(app, A, "SELECT prescripteur_create('Paule', 'Prescrit', 'paule@example.org', '0601020304')");
	CU_ASSERT_PTR_NOT_NULL_FATAL(id);
	CU_ASSERT_EQUAL(owner_count("SELECT count(*) FROM prescripteurs WHERE id = $1", id), 1);
	CU_ASSERT_EQUAL(app_count("SELECT count(*) FROM prescripteurs"), 0);
	PGresult *r = db_q(app, "INSERT INTO prescripteurs (first_name, last_name, email, phone_number)"
				" VALUES ('a', 'b', 'c@example.org', '0601020304')");
	CU_ASSERT_PTR_NULL(r);   /* no INSERT right: only the function writes */
	PQclear(r);
	CU_ASSERT_EQUAL(owner_count("DELETE FROM prescripteurs WHERE id = $1 RETURNING 1", id), 1);
}

static void test_actor_rides_with_next_query(void)
{
	NEED_DB();
	/* no round trip of its own: the actor is pending until the next query */
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, strtoll(agent_a, NULL, 10), 0), 0);
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT current_setting('app.actor')"), "agent");
	CU_ASSERT_FALSE(app->session.pending);
	/* carried by a BEGIN that rolls back: sent again before the next query */
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, 0), 0);
	CU_ASSERT_EQUAL_FATAL(db_begin(app), 0);
	db_rollback(app);
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT current_setting('app.actor')"), "public");
	/* carried by a statement that fails: not in effect, sent again */
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, strtoll(agent_a, NULL, 10), 0), 0);
	CU_ASSERT_PTR_NULL(db_s(app, A, "SELECT 1/0"));
	CU_ASSERT_TRUE(app->session.pending);
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT current_setting('app.agent_id')"), agent_a);
	/* a transaction that fails then "commits" (answered ROLLBACK) */
	CU_ASSERT_EQUAL_FATAL(rls_set_actor(app, 0, strtoll(citizen, NULL, 10)), 0);
	CU_ASSERT_EQUAL_FATAL(db_begin(app), 0);
	CU_ASSERT_PTR_NULL(db_s(app, A, "SELECT 1/0"));
	db_commit(app);
	CU_ASSERT_STRING_EQUAL(db_s(app, A, "SELECT current_setting('app.actor')"), "user");
	CU_ASSERT_EQUAL(rls_set_actor(app, 0, 0), 0);
}

void register_rls_suite(void)
{
	CU_pSuite s = CU_add_suite("rls", suite_init, suite_clean);
	CU_add_test(s, "rdv_app cannot switch the wall off", test_role_cannot_bypass);
	CU_add_test(s, "no actor: no row", test_no_actor_sees_nothing);
	CU_add_test(s, "agent: its organisation only", test_agent_sees_its_organisation);
	CU_add_test(s, "agent: the name search returns its organisation's usagers only", test_name_search_within_agent_orgs);
	CU_add_test(s, "citizen: its family only", test_citizen_sees_its_family);
	CU_add_test(s, "agenda feed function: the rows rdv_app would see, no more", test_agenda_feed_function);
	CU_add_test(s, "export function: the rows rdv_app would see, no more", test_export_function);
	CU_add_test(s, "agent context: session, role and actor in one statement", test_agent_context);
	CU_add_test(s, "the actor rides with the next query, again after a rollback", test_actor_rides_with_next_query);
	CU_add_test(s, "anonymous: writes a prescripteur, reads none", test_public_reads_no_prescripteur);
	CU_add_test(s, "hot functions: generic plans, rdv_fold in PL/pgSQL (0035)", test_hot_functions_generic_plans);
}
