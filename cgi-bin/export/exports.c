/*
 * exports.c - the export page of an organisation and the files it offers:
 * RDVs and participations (XLSX, CSV) with the reference's columns, for one
 * organisation, several, or a whole territory; and the usagers of an
 * organisation. Every export is audited.
 *
 * Rights: a member of an organisation exports the RDVs of the agendas they
 * may read; usagers exports are for organisation admins; a territory export
 * needs the territory admin role or the "download statistics" right.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "csv.h"
#include "export.h"
#include "exports.h"
#include "rdv.h"
#include "valid.h"

/* Filters from the query string; NULL message when valid. */
static const char *read_filter(struct ctx *c, struct export_filter *f)
{
	const char *msg = NULL;
	int y, m, d;
	f->viewer_id = c->agent_id;
	f->from = http_param(&c->req, "from");
	f->to = http_param(&c->req, "to");
	if (f->from != NULL && f->from[0] == '\0')
		f->from = NULL;
	if (f->to != NULL && f->to[0] == '\0')
		f->to = NULL;
	if ((f->from && valid_date(f->from, &y, &m, &d, &msg) != 0) || (f->to && valid_date(f->to, &y, &m, &d, &msg) != 0))
		return msg;
	static const char *const ids[] = {"agent_id", "lieu_id", "motif_id"};
	long long *out[] = {&f->agent_id, &f->lieu_id, &f->motif_id};
	for (int i = 0; i < 3; i++) {
		const char *v = http_param(&c->req, ids[i]);
		*out[i] = 0;
		if (v != NULL && v[0] != '\0' && valid_id(v, out[i], &msg) != 0)
			return msg;
	}
	static const char *const statuses[] = {"unknown", "seen", "noshow", "excused", "revoked",
					       "unknown_past", "unknown_future", NULL};
	const char *st = http_param(&c->req, "status");
	int idx;
	f->status = NULL;
	if (st != NULL && st[0] != '\0') {
		if (valid_enum(st, statuses, &idx, &msg) != 0)
			return msg;
		f->status = st;
	}
	return NULL;
}

/* The organisations of the export: :org_id plus organisation_ids=… (each must be mine). */
static int read_orgs(struct ctx *c, struct export_filter *f)
{
	const char *vals[64];
	size_t n = kv_get_all(&c->req.query, "organisation_ids", vals, 64);
	long long *ids = arena_calloc(c->a, n + 1, sizeof(long long));
	if (ids == NULL)
		return RDV_ENOMEM;
	ids[0] = route_id(&c->match, "org_id");
	size_t k = 1;
	for (size_t i = 0; i < n && i < 64; i++) {
		long long id;
		const char *msg;
		if (valid_id(vals[i], &id, &msg) != 0)
			return RDV_EINVAL;
		if (id != ids[0])
			ids[k++] = id;
	}
	for (size_t i = 0; i < k; i++) {
		int rc = policy_require_role(c->db, c->agent_id, ids[i], ROLE_BASIC);
		if (rc != 0)
			return rc;
	}
	f->org_ids = ids;
	f->n_orgs = k;
	return 0;
}

static int send_export(struct ctx *c, enum export_kind kind, struct export_filter *f, int xlsx, long long org,
		       long long territory)
{
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .organisation_id = org,
		.territory_id = territory, .item_type = kind == EXPORT_RDVS ? "rdv" : "participation",
		.event = xlsx ? "export_xlsx" : "export_csv", .ip = app_client_ip(c),
		.after_json = arena_printf(c->a, "{\"organisations\": %zu}", f->n_orgs)});
	return xlsx ? export_xlsx(c->db, c->a, kind, f, &c->res) : export_csv(c->db, c->a, kind, f, &c->res);
}

static int org_export(struct ctx *c, enum export_kind kind, int xlsx)
{
	struct export_filter f = {0};
	int rc = read_orgs(c, &f);
	if (rc != 0)
		return rc;
	const char *msg = read_filter(c, &f);
	if (msg != NULL)
		return app_error(c, 400, msg);
	return send_export(c, kind, &f, xlsx, f.org_ids[0], 0);
}

static int rdvs_xlsx(struct ctx *c) { return org_export(c, EXPORT_RDVS, 1); }
static int rdvs_csv(struct ctx *c) { return org_export(c, EXPORT_RDVS, 0); }
static int parts_xlsx(struct ctx *c) { return org_export(c, EXPORT_PARTICIPATIONS, 1); }
static int parts_csv(struct ctx *c) { return org_export(c, EXPORT_PARTICIPATIONS, 0); }

/* Territory exports: every organisation of the territory. */
static int territory_export(struct ctx *c, int xlsx)
{
	long long terr = route_id(&c->match, "territory_id");
	PGresult *r = db_q(c->db,
		"SELECT EXISTS (SELECT 1 FROM agent_territorial_roles WHERE agent_id = $1 AND territory_id = $2)"
		" OR EXISTS (SELECT 1 FROM agent_territorial_access_rights WHERE agent_id = $1 AND territory_id = $2"
		"            AND allow_to_download_stats),"
		" EXISTS (SELECT 1 FROM agent_roles ar JOIN organisations o ON o.id = ar.organisation_id"
		"         WHERE ar.agent_id = $1 AND o.territory_id = $2),"
		" array(SELECT id FROM organisations WHERE territory_id = $2 ORDER BY id)::text",
		db_int(c->a, c->agent_id), db_int(c->a, terr));
	if (r == NULL)
		return c->db->err;
	int allowed = db_bool(r, 0, 0), member = db_bool(r, 0, 1);
	char *ids = db_dup(c->a, r, 0, 2);
	PQclear(r);
	if (!member && !allowed)
		return RDV_ENOTFOUND;
	if (!allowed)
		return app_error(c, 403, "L'export du département est réservé aux administrateurs du territoire "
					 "et aux agents autorisés à télécharger les statistiques.");
	struct export_filter f = {0};
	size_t n = 0;
	long long *org_ids = arena_calloc(c->a, strlen(ids) + 1, sizeof(long long));
	for (char *p = ids + 1; org_ids && *p && *p != '}';) {
		org_ids[n++] = strtoll(p, &p, 10);
		if (*p == ',')
			p++;
	}
	f.org_ids = org_ids;
	f.n_orgs = n;
	f.all_agendas = 1;   /* the territory-wide right covers every agenda */
	const char *msg = read_filter(c, &f);
	if (msg != NULL)
		return app_error(c, 400, msg);
	return send_export(c, EXPORT_RDVS, &f, xlsx, 0, terr);
}

static int terr_xlsx(struct ctx *c) { return territory_export(c, 1); }
static int terr_csv(struct ctx *c) { return territory_export(c, 0); }

/* Usagers of an organisation, one line each (admins only). */
static int usagers_csv(struct ctx *c)
{
	long long org = route_id(&c->match, "org_id");
	int rc = policy_require_role(c->db, c->agent_id, org, ROLE_ADMIN);
	if (rc == RDV_EFORBIDDEN)
		return app_error(c, 403, "L'export des usagers est réservé aux administrateurs de l'organisation.");
	if (rc != 0)
		return rc;
	PGresult *r = db_q(c->db,
		"SELECT u.id::text, u.last_name, u.first_name, u.birth_name, to_char(u.birth_date, 'DD/MM/YYYY'),"
		" u.email, u.phone_number_formatted, u.address, u.post_code, u.city_name,"
		" CASE WHEN u.responsible_id IS NOT NULL THEN rs.first_name || ' ' || upper(rs.last_name) END,"
		" to_char(u.created_at, 'DD/MM/YYYY')"
		" FROM user_profiles up JOIN users u ON u.id = up.user_id LEFT JOIN users rs ON rs.id = u.responsible_id"
		" WHERE up.organisation_id = $1 AND u.deleted_at IS NULL ORDER BY u.last_name, u.first_name, u.id",
		db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .organisation_id = org,
		.item_type = "user", .event = "export_csv", .ip = app_client_ip(c)});
	static const char *const header[] = {"id", "nom", "prénom", "nom de naissance", "date de naissance",
		"email", "téléphone", "adresse", "code postal", "commune", "responsable", "date de création"};
	struct csv_writer w;
	rc = csv_begin(&w, &c->res, arena_printf(c->a, "export-usagers-org-%06lld.csv", org));
	csv_row(&w, header, 12);
	for (int i = 0; i < PQntuples(r) && rc == 0; i++) {
		const char *cells[12];
		for (int j = 0; j < 12; j++)
			cells[j] = db_val(r, i, j);
		rc = csv_row(&w, cells, 12);
	}
	PQclear(r);
	int end = csv_end(&w);
	return rc ? rc : end;
}

/* The export page: filters and the files on offer. */
static int export_page(struct ctx *c)
{
	long long org = route_id(&c->match, "org_id");
	enum org_role role;
	int rc = policy_org_role(c->db, c->agent_id, org, &role);
	if (rc != 0)
		return rc;
	if (role == ROLE_NONE)
		return RDV_ENOTFOUND;
	PGresult *r = db_q(c->db, "SELECT name, territory_id FROM organisations WHERE id = $1", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	tmpl_set_var(c->vars, "org_name", db_val(r, 0, 0));
	tmpl_set_var(c->vars, "territory_id", db_val(r, 0, 1));
	PQclear(r);
	tmpl_set_int(c->vars, "org_id", org);
	tmpl_set_bool(c->vars, "is_admin", role == ROLE_ADMIN);
	tmpl_set_var(c->vars, "title", "Exports");
	return app_render(c, 200, "export/index.tmpl");
}

ROUTE_TABLE(export_file_routes,
	{HTTP_GET, "/export/organisations/:org_id", export_page, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/organisations/:org_id/rdvs.xlsx", rdvs_xlsx, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/organisations/:org_id/rdvs.csv", rdvs_csv, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/organisations/:org_id/participations.xlsx", parts_xlsx, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/organisations/:org_id/participations.csv", parts_csv, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/organisations/:org_id/usagers.csv", usagers_csv, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/territories/:territory_id/rdvs.xlsx", terr_xlsx, ROUTE_AGENT, 0},
	{HTTP_GET, "/export/territories/:territory_id/rdvs.csv", terr_csv, ROUTE_AGENT, 0},
);
