/*
 * services.c - the services enabled in a territory (territory_services):
 * every service with a checkbox, and how many motifs of the territory's
 * organisations use it. Territory admins only.
 *
 * A service still used by (non-deleted) motifs of the territory cannot be
 * disabled: the whole change is refused (422) with the count per service.
 * Every change is audited (enabled service ids before / after).
 */
#include <string.h>

#include "admin.h"
#include "rdv.h"
#include "valid.h"

#define MAX_SERVICES 256

#define ENABLED_JSON \
	"SELECT jsonb_build_object('service_ids', coalesce(jsonb_agg(service_id ORDER BY service_id), '[]'::jsonb))" \
	" FROM territory_services WHERE territory_id = $1"

static const char *services_path(struct ctx *c, long long terr)
{
	return arena_printf(c->a, "/admin/territories/%lld/services", terr);
}

/* Every service: enabled (from the territory, or the posted ids when
 * wanted != NULL) and the number of motifs of the territory using it. */
static int services_render(struct ctx *c, const struct admin_territory *t, int status, const char *wanted)
{
	PGresult *r = db_q(c->db,
		"SELECT s.id, s.name, s.short_name,"
		" CASE WHEN $2::bigint[] IS NULL"
		"  THEN EXISTS (SELECT 1 FROM territory_services WHERE territory_id = $1 AND service_id = s.id)"
		"  ELSE s.id = ANY ($2::bigint[]) END,"
		" (SELECT count(*) FROM motifs m JOIN organisations o ON o.id = m.organisation_id"
		"   WHERE o.territory_id = $1 AND m.service_id = s.id AND m.deleted_at IS NULL)"
		" FROM services s ORDER BY s.name",
		db_int(c->a, t->id), wanted);
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "services");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "short_name", db_val(r, i, 2));
		tmpl_set_bool(row, "checked", db_bool(r, i, 3));
		long long n = db_ll(r, i, 4);
		if (n > 0)
			tmpl_set_var(row, "motifs", arena_printf(c->a, n == 1 ? "Utilisé par 1 motif du territoire"
									 : "Utilisé par %lld motifs du territoire", n));
	}
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Services du territoire");
	return app_render(c, status, "admin/services.tmpl");
}

static int services_edit(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	return services_render(c, &t, 200, NULL);
}

static int services_update(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	struct admin_form f = {c, 0};
	size_t n_wanted;
	const char *wanted = admin_ids_param(c, "service_ids", MAX_SERVICES, &n_wanted);
	if (wanted == NULL) {
		admin_form_error(&f, "services", "La liste des services est invalide.");
		admin_form_summary(&f);
		return services_render(c, &t, 422, NULL);
	}
	const char *tid = db_int(c->a, t.id);
	char *unknown = db_s(c->db, c->a, "SELECT count(DISTINCT x) FROM unnest($1::bigint[]) x"
					  " WHERE NOT EXISTS (SELECT 1 FROM services WHERE id = x)", wanted);
	if (unknown == NULL)
		return c->db->err;
	if (strcmp(unknown, "0") != 0) {
		admin_form_error(&f, "services", "Un des services choisis n'existe pas.");
		admin_form_summary(&f);
		return services_render(c, &t, 422, wanted);
	}
	db_begin(c->db);
	/* Locks the territory's services: concurrent saves run one after the other. */
	int rc = db_x(c->db, "SELECT 1 FROM territories WHERE id = $1 FOR UPDATE", tid);
	char *before = rc == 0 ? db_s(c->db, c->a, ENABLED_JSON, tid) : NULL;
	if (before == NULL) {
		rc = c->db->err;
		db_rollback(c->db);
		return rc;
	}
	/* Services being disabled that motifs of the territory still use. */
	PGresult *r = db_q(c->db,
		"SELECT s.name, count(m.id) FROM territory_services ts JOIN services s ON s.id = ts.service_id"
		" JOIN motifs m ON m.service_id = s.id AND m.deleted_at IS NULL"
		" JOIN organisations o ON o.id = m.organisation_id AND o.territory_id = ts.territory_id"
		" WHERE ts.territory_id = $1 AND NOT ts.service_id = ANY ($2::bigint[])"
		" GROUP BY s.id ORDER BY s.name", tid, wanted);
	if (r == NULL) {
		rc = c->db->err;
		db_rollback(c->db);
		return rc;
	}
	if (PQntuples(r) > 0) {
		struct buf b = BUF_INIT;
		for (int i = 0; i < PQntuples(r); i++) {
			long long n = db_ll(r, i, 1);
			buf_printf(&b, "%sLe service « %s » ne peut pas être désactivé : %lld motif%s des organisations du "
				       "territoire l'utilise%s encore.", i ? " " : "", db_val(r, i, 0), n, n > 1 ? "s" : "",
				   n > 1 ? "nt" : "");
		}
		PQclear(r);
		db_rollback(c->db);
		const char *msg = b.oom ? "Un service utilisé par des motifs ne peut pas être désactivé."
					: arena_strdup(c->a, b.data);
		buf_free(&b);
		admin_form_error(&f, "services", msg);
		admin_form_summary(&f);
		return services_render(c, &t, 422, wanted);
	}
	PQclear(r);
	rc = db_x(c->db, "DELETE FROM territory_services WHERE territory_id = $1 AND NOT service_id = ANY ($2::bigint[])",
		  tid, wanted);
	if (rc == 0)
		rc = db_x(c->db, "INSERT INTO territory_services (territory_id, service_id)"
				 " SELECT $1, x FROM unnest($2::bigint[]) x ON CONFLICT DO NOTHING", tid, wanted);
	char *after = rc == 0 ? db_s(c->db, c->a, ENABLED_JSON, tid) : NULL;
	if (rc == 0)
		rc = after ? (strcmp(before, after) == 0 ? 0
				: admin_audit(c, 0, t.id, "territory_services", t.id, "update", before, after))
			   : c->db->err;
	if (rc == 0)
		rc = db_commit(c->db);
	else
		db_rollback(c->db);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Les services du territoire ont été enregistrés.");
	return app_redirect(c, services_path(c, t.id));
}

ROUTE_TABLE(service_routes,
	{HTTP_GET, "/admin/territories/:terr_id/services", services_edit, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/services", services_update, ROUTE_AGENT, 0},
);
