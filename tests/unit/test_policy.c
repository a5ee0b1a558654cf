/*
 * test_policy.c - lib/policy and the SQL rule of migration 0005
 * (agenda_access_level, visible_agendas) against the demo département
 * (DATABASE_URL; skipped when unset). Grants and a second territory are
 * inserted as fixtures and removed at the end (and before, should an earlier
 * run have died half-way).
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "policy.h"
#include "rdv.h"

#define DEMO "@demo.rdv-solidarites.fr"

static struct db *db;
static struct arena *a;

/* the demo cast, by e-mail */
static long long admin_arras, sec_arras, pmi, social, lemaire, roussel, vasseur, intervenant;
static long long lens_admin, lens_basic, outsider;
static long long arras, lens, bethune, other_org;

static long long id_of(const char *sql, const char *param)
{
	char *v = db_s(db, a, sql, param);
	return v ? strtoll(v, NULL, 10) : 0;
}

static long long agent(const char *email)
{
	return id_of("SELECT id FROM agents WHERE email = $1", email);
}

static long long org(const char *name)
{
	return id_of("SELECT id FROM organisations WHERE name = $1", name);
}

/* The SQL function's answer, as text. */
static const char *level(long long viewer, long long owner, long long in_org)
{
	char *v = db_s(db, a, "SELECT agenda_access_level($1, $2, $3)", db_int(a, viewer), db_int(a, owner),
		       db_int(a, in_org));
	return v ? v : "(error)";
}

static void grant(long long owner, long long grantee, const char *lvl)
{
	db_x(db, "INSERT INTO agenda_accesses (owner_agent_id, grantee_agent_id, level) VALUES ($1, $2, $3)"
		 " ON CONFLICT (owner_agent_id, grantee_agent_id) DO UPDATE SET level = EXCLUDED.level",
	     db_int(a, owner), db_int(a, grantee), lvl);
}

static void remove_fixtures(void)
{
	/* The demo data has no grants: every grant between demo agents is ours. */
	db_x(db, "DELETE FROM agenda_accesses g USING agents o WHERE o.id = g.owner_agent_id AND o.email LIKE '%' || $1",
	     DEMO);
	db_x(db, "DELETE FROM agenda_accesses WHERE grantee_agent_id IN"
		 " (SELECT id FROM agents WHERE email = 'policy.outsider@exemple.fr')");
	db_x(db, "DELETE FROM agents WHERE email = 'policy.outsider@exemple.fr'");
	db_x(db, "DELETE FROM organisations WHERE name = 'Organisation test policy'");
	db_x(db, "DELETE FROM territories WHERE name = 'Territoire test policy'");
}

/* A second territory with one basic PMI agent: grants never cross territories. */
static void add_outsider(void)
{
	long long terr = id_of("INSERT INTO territories (departement_number, name, sms_sender_name)"
			       " VALUES ('99', $1, 'TestPolicy') RETURNING id",
			       "Territoire test policy");
	other_org = id_of("INSERT INTO organisations (territory_id, name) VALUES ($1, 'Organisation test policy')"
			  " RETURNING id", db_int(a, terr));
	outsider = id_of("INSERT INTO agents (email, first_name, last_name) VALUES ($1, 'Hors', 'Territoire')"
			 " RETURNING id", "policy.outsider@exemple.fr");
	db_x(db, "INSERT INTO agent_roles (agent_id, organisation_id, access_level) VALUES ($1, $2, 'basic')",
	     db_int(a, outsider), db_int(a, other_org));
	db_x(db, "INSERT INTO agent_services (agent_id, service_id)"
		 " SELECT $1, id FROM services WHERE short_name = 'PMI'", db_int(a, outsider));
}

static int suite_init(void)
{
	const char *url = getenv("DATABASE_URL");
	if (url == NULL)
		return 0;
	db = db_open(url, "unit-tests-policy");
	a = arena_new(1 << 16);
	if (db == NULL || a == NULL)
		return 1;
	remove_fixtures();
	admin_arras = agent("admin.arras" DEMO);
	sec_arras = agent("secretariat.arras" DEMO);
	pmi = agent("agent.pmi" DEMO);
	social = agent("agent.social" DEMO);
	lemaire = agent("pierre.lemaire" DEMO);
	roussel = agent("isabelle.roussel" DEMO);
	vasseur = agent("mathilde.vasseur" DEMO);
	lens_admin = agent("agent.lens" DEMO);
	lens_basic = agent("basic.lens" DEMO);
	intervenant = id_of("SELECT id FROM agents WHERE email IS NULL AND last_name = $1", "Morel");
	arras = org("MDS d'Arras");
	lens = org("MDS de Lens");
	bethune = org("MDS de Béthune");
	add_outsider();
	return 0;
}

static int suite_clean(void)
{
	if (db != NULL) {
		remove_fixtures();
		db_close(db);
	}
	if (a != NULL)
		arena_free(a);
	db = NULL;
	a = NULL;
	return 0;
}

static void test_demo_cast_found(void)
{
	if (db == NULL)
		return;
	long long all[] = {admin_arras, sec_arras, pmi, social, lemaire, roussel, vasseur, intervenant,
			   lens_admin, lens_basic, outsider, arras, lens, bethune, other_org};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		CU_ASSERT(all[i] > 0);
}

static void test_self_is_write_everywhere(void)
{
	if (db == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(level(pmi, pmi, arras), "write");
	CU_ASSERT_STRING_EQUAL(level(pmi, pmi, lens), "write");     /* self, even without a role there */
	CU_ASSERT_STRING_EQUAL(level(intervenant, intervenant, arras), "write");
}

static void test_owner_needs_a_role_in_org(void)
{
	if (db == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(level(admin_arras, lens_basic, arras), "none");
	CU_ASSERT_STRING_EQUAL(level(sec_arras, lens_basic, arras), "none");
	CU_ASSERT_STRING_EQUAL(level(admin_arras, 999999999, arras), "none");
}

static void test_admin_writes_every_agenda_of_org(void)
{
	if (db == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(level(admin_arras, vasseur, arras), "write");     /* no shared service */
	CU_ASSERT_STRING_EQUAL(level(admin_arras, intervenant, arras), "write");
	CU_ASSERT_STRING_EQUAL(level(admin_arras, sec_arras, arras), "write");
	/* only in their own organisation */
	CU_ASSERT_STRING_EQUAL(level(admin_arras, lens_basic, lens), "none");
	CU_ASSERT_STRING_EQUAL(level(lens_admin, pmi, arras), "none");
	CU_ASSERT_STRING_EQUAL(level(lens_admin, lens_basic, lens), "write");
}

static void test_secretariat_writes_every_agenda_of_org(void)
{
	if (db == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(level(sec_arras, vasseur, arras), "write");
	CU_ASSERT_STRING_EQUAL(level(sec_arras, pmi, arras), "write");
	CU_ASSERT_STRING_EQUAL(level(sec_arras, admin_arras, arras), "write");
	CU_ASSERT_STRING_EQUAL(level(sec_arras, lens_basic, lens), "none");
}

static void test_basic_shares_a_service(void)
{
	if (db == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(level(pmi, roussel, arras), "write");      /* both PMI */
	CU_ASSERT_STRING_EQUAL(level(pmi, admin_arras, arras), "write");  /* admin is PMI too */
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras), "none");        /* PMI vs SSOC */
	CU_ASSERT_STRING_EQUAL(level(pmi, vasseur, arras), "none");
	CU_ASSERT_STRING_EQUAL(level(social, pmi, arras), "none");
	CU_ASSERT_STRING_EQUAL(level(lemaire, pmi, arras), "write");
	/* the viewer needs a role in org: Lemaire is in Béthune, agent.pmi is not */
	CU_ASSERT_STRING_EQUAL(level(pmi, lemaire, bethune), "none");
	CU_ASSERT_STRING_EQUAL(level(lemaire, lemaire, bethune), "write");
	/* a shared service in another territory gives nothing */
	CU_ASSERT_STRING_EQUAL(level(outsider, pmi, arras), "none");
}

static void test_intervenant_sees_only_self(void)
{
	if (db == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(level(intervenant, pmi, arras), "none");   /* shares PMI, still none */
	grant(social, intervenant, "write");
	CU_ASSERT_STRING_EQUAL(level(intervenant, social, arras), "none");
	PGresult *r = db_q(db, "SELECT agent_id FROM visible_agendas($1, $2)", db_int(a, intervenant), db_int(a, arras));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(PQntuples(r), 1);
	CU_ASSERT_EQUAL(db_ll(r, 0, 0), intervenant);
	PQclear(r);
}

static void test_explicit_grants(void)
{
	if (db == NULL)
		return;
	grant(social, pmi, "read");
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras), "read");
	CU_ASSERT_STRING_EQUAL(level(social, pmi, arras), "none");        /* one way only */
	grant(social, pmi, "busy");
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras), "busy");
	/* across organisations of the territory: agent.pmi has no role in Lens */
	grant(lens_basic, pmi, "write");
	CU_ASSERT_STRING_EQUAL(level(pmi, lens_basic, lens), "write");
	CU_ASSERT_STRING_EQUAL(level(pmi, lens_basic, arras), "none");    /* owner not in Arras */
	/* the highest level wins over a lower grant */
	grant(roussel, pmi, "busy");
	CU_ASSERT_STRING_EQUAL(level(pmi, roussel, arras), "write");
	/* never across territories */
	grant(lens_basic, outsider, "read");
	CU_ASSERT_STRING_EQUAL(level(outsider, lens_basic, lens), "none");
	/* revoked: back to the default rule */
	db_x(db, "DELETE FROM agenda_accesses WHERE owner_agent_id = $1 AND grantee_agent_id = $2",
	     db_int(a, social), db_int(a, pmi));
	CU_ASSERT_STRING_EQUAL(level(pmi, social, arras), "none");
}

/* visible_agendas gives, for every owner with a role in org, the level of
 * agenda_access_level (rows with 'none' left out). */
static void check_agreement(long long viewer, long long in_org)
{
	PGresult *r = db_q(db,
		"SELECT count(*) FROM agent_roles r"
		" LEFT JOIN visible_agendas($1, $2) v ON v.agent_id = r.agent_id"
		" WHERE r.organisation_id = $2"
		"   AND coalesce(v.level, 'none') <> agenda_access_level($1, r.agent_id, $2)",
		db_int(a, viewer), db_int(a, in_org));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(db_val(r, 0, 0), "0");
	PQclear(r);
	r = db_q(db, "SELECT count(*) FROM visible_agendas($1, $2) WHERE level = 'none'",
		 db_int(a, viewer), db_int(a, in_org));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(db_val(r, 0, 0), "0");
	PQclear(r);
}

static void test_visible_agendas_agrees(void)
{
	if (db == NULL)
		return;
	grant(social, pmi, "read");
	grant(lens_basic, pmi, "busy");
	long long viewers[] = {admin_arras, sec_arras, pmi, social, lemaire, vasseur, intervenant, lens_admin,
			       lens_basic, outsider};
	long long orgs[] = {arras, lens, bethune};
	for (size_t i = 0; i < sizeof(viewers) / sizeof(viewers[0]); i++)
		for (size_t j = 0; j < sizeof(orgs) / sizeof(orgs[0]); j++)
			check_agreement(viewers[i], orgs[j]);
	/* the admin sees every agent of the organisation */
	char *n = db_s(db, a, "SELECT (SELECT count(*) FROM visible_agendas($1, $2))"
			      " = (SELECT count(*) FROM agent_roles WHERE organisation_id = $2)",
		       db_int(a, admin_arras), db_int(a, arras));
	CU_ASSERT_STRING_EQUAL(n, "t");
	/* agent.pmi in Lens: only the granted agenda, at its level */
	PGresult *r = db_q(db, "SELECT agent_id, level FROM visible_agendas($1, $2)", db_int(a, pmi), db_int(a, lens));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(PQntuples(r), 1);
	CU_ASSERT_EQUAL(db_ll(r, 0, 0), lens_basic);
	CU_ASSERT_STRING_EQUAL(db_val(r, 0, 1), "busy");
	PQclear(r);
}

static void test_c_functions(void)
{
	if (db == NULL)
		return;
	enum agenda_access lvl;
	grant(social, pmi, "read");
	CU_ASSERT_EQUAL(policy_agenda_access(db, pmi, social, arras, &lvl), 0);
	CU_ASSERT_EQUAL(lvl, AGENDA_READ);
	CU_ASSERT_EQUAL(policy_agenda_access(db, admin_arras, vasseur, arras, &lvl), 0);
	CU_ASSERT_EQUAL(lvl, AGENDA_WRITE);
	CU_ASSERT_EQUAL(policy_agenda_access(db, pmi, vasseur, arras, &lvl), 0);
	CU_ASSERT_EQUAL(lvl, AGENDA_NONE);
	CU_ASSERT_EQUAL(policy_require_agenda(db, pmi, social, arras, AGENDA_BUSY), 0);
	CU_ASSERT_EQUAL(policy_require_agenda(db, pmi, social, arras, AGENDA_READ), 0);
	CU_ASSERT_EQUAL(policy_require_agenda(db, pmi, social, arras, AGENDA_WRITE), RDV_EFORBIDDEN);
	CU_ASSERT_EQUAL(policy_require_agenda(db, pmi, vasseur, arras, AGENDA_BUSY), RDV_ENOTFOUND);
	/* names */
	CU_ASSERT_STRING_EQUAL(policy_agenda_level_name(AGENDA_BUSY), "busy");
	CU_ASSERT_EQUAL(policy_agenda_level_parse("write"), AGENDA_WRITE);
	CU_ASSERT_EQUAL(policy_agenda_level_parse("admin"), AGENDA_NONE);
	CU_ASSERT_EQUAL(policy_agenda_level_parse(NULL), AGENDA_NONE);
	CU_ASSERT_STRING_EQUAL(policy_agenda_level_label(AGENDA_READ), "Lecture");
}

static void test_roles_and_managers(void)
{
	if (db == NULL)
		return;
	enum org_role role;
	CU_ASSERT_EQUAL(policy_org_role(db, admin_arras, arras, &role), 0);
	CU_ASSERT_EQUAL(role, ROLE_ADMIN);
	CU_ASSERT_EQUAL(policy_org_role(db, pmi, lens, &role), 0);
	CU_ASSERT_EQUAL(role, ROLE_NONE);
	CU_ASSERT_EQUAL(policy_require_role(db, pmi, arras, ROLE_ADMIN), RDV_EFORBIDDEN);
	CU_ASSERT_EQUAL(policy_require_role(db, pmi, lens, ROLE_BASIC), RDV_ENOTFOUND);
	CU_ASSERT(policy_can_manage_org(db, admin_arras, arras));
	CU_ASSERT(!policy_can_manage_org(db, admin_arras, lens));
	CU_ASSERT(!policy_can_manage_org(db, pmi, arras));
	/* grants: the owner, or an admin of org for an agent of org */
	CU_ASSERT_EQUAL(policy_require_grant_manager(db, pmi, pmi, arras), 0);
	CU_ASSERT_EQUAL(policy_require_grant_manager(db, admin_arras, pmi, arras), 0);
	CU_ASSERT_EQUAL(policy_require_grant_manager(db, pmi, roussel, arras), RDV_EFORBIDDEN);
	CU_ASSERT_EQUAL(policy_require_grant_manager(db, admin_arras, lens_basic, arras), RDV_ENOTFOUND);
	CU_ASSERT_EQUAL(policy_require_grant_manager(db, pmi, pmi, lens), RDV_ENOTFOUND);
	CU_ASSERT_EQUAL(policy_require_grant_manager(db, intervenant, intervenant, arras), RDV_EFORBIDDEN);
	/* colleagues of the territory */
	CU_ASSERT(policy_is_territory_colleague(db, lens_basic, arras));
	CU_ASSERT(!policy_is_territory_colleague(db, outsider, arras));
	CU_ASSERT(!policy_is_territory_colleague(db, intervenant, arras));
}

/* The list query stays fast: one visible_agendas over the largest demo
 * organisation, well under a frame (a regression guard, not a benchmark). */
static void test_visible_agendas_plan_is_inlined(void)
{
	if (db == NULL)
		return;
	PGresult *r = db_q(db, "EXPLAIN SELECT * FROM visible_agendas($1::bigint, $2::bigint)",
			   db_int(a, pmi), db_int(a, arras));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	int function_scan = 0;
	for (int i = 0; i < PQntuples(r); i++)
		function_scan |= strstr(db_val(r, i, 0), "Function Scan on visible_agendas") != NULL;
	CU_ASSERT_FALSE(function_scan);   /* inlined into the caller's plan */
	PQclear(r);
}

void register_policy_suite(void)
{
	CU_pSuite s = CU_add_suite("policy", suite_init, suite_clean);
	CU_add_test(s, "demo agents and organisations found", test_demo_cast_found);
	CU_add_test(s, "self: write, in any organisation", test_self_is_write_everywhere);
	CU_add_test(s, "the owner must have a role in org", test_owner_needs_a_role_in_org);
	CU_add_test(s, "org admin: write on every agenda of the org", test_admin_writes_every_agenda_of_org);
	CU_add_test(s, "Secrétariat: write on every agenda of the org", test_secretariat_writes_every_agenda_of_org);
	CU_add_test(s, "basic agents sharing a service: write", test_basic_shares_a_service);
	CU_add_test(s, "intervenant: self only, grants ignored", test_intervenant_sees_only_self);
	CU_add_test(s, "explicit grants across the territory", test_explicit_grants);
	CU_add_test(s, "visible_agendas agrees with agenda_access_level", test_visible_agendas_agrees);
	CU_add_test(s, "policy_agenda_access and friends", test_c_functions);
	CU_add_test(s, "roles, org managers, grant managers", test_roles_and_managers);
	CU_add_test(s, "visible_agendas is inlined by the planner", test_visible_agendas_plan_is_inlined);
}
