/*
 * user_rdvs.c - "Mes rendez-vous": the citizen's and their proches' RDVs
 * (upcoming, past), one RDV, its cancellation up to the territory's
 * deadline (territories.cancellation_deadline_hours, 4 h by default; later
 * the page says to call the service), and the waiting list (file_attentes)
 * to be told of an earlier créneau. A session opened by an RDV link sees
 * that RDV only.
 */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "notify.h"
#include "rdv.h"
#include "search.h"
#include "valid.h"

#define PAGE 25

/* Who may see an RDV: a participant of my family (or the link's RDV only). */
#define RDV_MINE \
	" EXISTS (SELECT 1 FROM participations p JOIN users u ON u.id = p.user_id WHERE p.rdv_id = r.id" \
	"  AND (u.id = $2 OR u.responsible_id = $2)) AND m.visibility_type <> 'invisible'" \
	" AND ($3::bigint = 0 OR r.id = $3::bigint)"

static int rdvs_index(struct ctx *c)
{
	if (search_scoped(c))
		return app_redirect(c, arena_printf(c->a, "/users/rdvs/%lld", c->session.rdv_scope_id));
	int past = http_param(&c->req, "past") != NULL;
	long long page = 1;
	const char *p = http_param(&c->req, "page");
	if (p != NULL && valid_int(p, 1, 10000, &page, NULL) != 0)
		page = 1;
	PGresult *r = db_q(c->db,
		"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, m.name, coalesce(l.name, ''), r.cancelled_at IS NOT NULL,"
		" (SELECT string_agg(u.first_name || ' ' || u.last_name, ', ') FROM participations p JOIN users u"
		"   ON u.id = p.user_id WHERE p.rdv_id = r.id AND (u.id = $2 OR u.responsible_id = $2))"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id LEFT JOIN lieux l ON l.id = r.lieu_id"
		" WHERE" RDV_MINE " AND (r.starts_at >= now()) = NOT $1::boolean"
		" ORDER BY CASE WHEN $1::boolean THEN -extract(epoch FROM r.starts_at) ELSE extract(epoch FROM r.starts_at) END, r.id"
		" LIMIT 26 OFFSET $4::int",
		past ? "t" : "f", db_int(c->a, c->user_id), "0", db_int(c->a, (page - 1) * PAGE));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "rdvs");
	int n = PQntuples(r);
	for (int i = 0; i < n && i < PAGE; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "when", search_fr_long(c, db_ll(r, i, 1)));
		tmpl_set_var(row, "motif", db_val(r, i, 2));
		tmpl_set_var(row, "lieu", db_val(r, i, 3));
		tmpl_set_bool(row, "cancelled", db_bool(r, i, 4));
		tmpl_set_var(row, "who", db_val(r, i, 5));
	}
	PQclear(r);
	if (n > PAGE)
		tmpl_set_var(c->vars, "next_page", arena_printf(c->a, "?%spage=%lld", past ? "past=1&" : "", page + 1));
	if (page > 1)
		tmpl_set_var(c->vars, "prev_page", arena_printf(c->a, "?%spage=%lld", past ? "past=1&" : "", page - 1));
	tmpl_set_bool(c->vars, "past", past);
	tmpl_set_var(c->vars, "title", "Mes rendez-vous");
	return app_render(c, 200, "search/user_rdvs.tmpl");
}

/* The RDV as its owner may see it: columns listed in rdvs_show. */
static PGresult *rdv_load(struct ctx *c, long long id)
{
	return db_q(c->db,
		"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, m.name, l.name, l.address, o.name, o.phone_number,"
		" r.cancelled_at IS NOT NULL, r.collectif, m.instruction_for_rdv, m.location_type::text,"
		" (m.rdvs_cancellable_by_user AND r.cancelled_at IS NULL"
		"  AND r.starts_at > now() + make_interval(hours => t.cancellation_deadline_hours)),"
		" t.cancellation_deadline_hours, r.starts_at > now() AND r.cancelled_at IS NULL AND NOT r.collectif,"
		" EXISTS (SELECT 1 FROM file_attentes f WHERE f.rdv_id = r.id AND f.user_id = $2),"
		" (SELECT string_agg(u.first_name || ' ' || u.last_name, ', ') FROM participations p JOIN users u"
		"   ON u.id = p.user_id WHERE p.rdv_id = r.id AND p.status <> 'excused' AND (u.id = $2 OR u.responsible_id = $2)),"
		" o.id"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id JOIN organisations o ON o.id = r.organisation_id"
		" JOIN territories t ON t.id = o.territory_id LEFT JOIN lieux l ON l.id = r.lieu_id"
		" WHERE r.id = $1 AND" RDV_MINE,
		db_int(c->a, id), db_int(c->a, c->user_id), db_int(c->a, c->session.rdv_scope_id));
}

static int rdvs_show(struct ctx *c)
{
	long long id = route_id(&c->match, "id");
	PGresult *r = rdv_load(c, id);
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	tmpl_set_var(c->vars, "id", db_val(r, 0, 0));
	tmpl_set_var(c->vars, "when", search_fr_long(c, db_ll(r, 0, 1)));
	static const char *const names[] = {NULL, NULL, "motif", "lieu", "lieu_address", "organisation", "org_phone"};
	for (int i = 2; i < 7; i++)
		tmpl_set_var(c->vars, names[i], db_val(r, 0, i));
	tmpl_set_bool(c->vars, "cancelled", db_bool(r, 0, 7));
	tmpl_set_bool(c->vars, "collectif", db_bool(r, 0, 8));
	tmpl_set_var(c->vars, "instruction", db_val(r, 0, 9));
	tmpl_set_bool(c->vars, "phone", strcmp(db_val(r, 0, 10), "phone") == 0);
	tmpl_set_bool(c->vars, "cancellable", db_bool(r, 0, 11));
	tmpl_set_var(c->vars, "deadline_hours", db_val(r, 0, 12));
	tmpl_set_bool(c->vars, "upcoming", db_bool(r, 0, 13));
	tmpl_set_bool(c->vars, "waiting", db_bool(r, 0, 14));
	tmpl_set_var(c->vars, "who", db_val(r, 0, 15));
	tmpl_set_bool(c->vars, "created", http_param(&c->req, "created") != NULL);
	tmpl_set_bool(c->vars, "scoped", search_scoped(c));
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Mon rendez-vous");
	return app_render(c, 200, "search/user_rdv.tmpl");
}

/* Cancels inside one transaction, the rule re-checked by the UPDATE itself. */
static int rdv_cancel_tx(struct ctx *c, long long id, int collectif)
{
	const char *rid = db_int(c->a, id), *uid = db_int(c->a, c->user_id);
	int rc = db_begin(c->db);
	if (rc != 0)
		return rc;
	if (collectif) {
		char *p = db_s(c->db, c->a,
			"UPDATE participations p SET status = 'excused' FROM users u WHERE p.rdv_id = $1"
			" AND u.id = p.user_id AND (u.id = $2 OR u.responsible_id = $2) AND p.status <> 'excused' RETURNING p.id",
			rid, uid);
		rc = p ? db_x(c->db, "UPDATE rdvs SET users_count = greatest(users_count - 1, 0), updated_at = now()"
				     " WHERE id = $1", rid) : RDV_ENOTFOUND;
	} else {
		rc = db_x(c->db, "UPDATE participations SET status = 'excused' WHERE rdv_id = $1", rid);
		if (rc == 0)
			rc = db_x(c->db, "UPDATE rdvs SET status = 'excused', cancelled_at = now(), updated_at = now()"
					 " WHERE id = $1", rid);
		if (rc == 0)
			rc = db_x(c->db, "DELETE FROM file_attentes WHERE rdv_id = $1", rid);
	}
	if (rc == 0)
		rc = notify_rdv(c->db, c->a, id, NOTIFY_RDV_CANCELLED, 0, c->user_id, 0);
	if (rc == 0)
		rc = audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .item_type = "rdv",
			.item_id = id, .event = "cancel", .ip = app_client_ip(c)});
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0)
		db_rollback(c->db);
	return rc;
}

static int rdvs_cancel(struct ctx *c)
{
	long long id = route_id(&c->match, "id");
	const char *path = arena_printf(c->a, "/users/rdvs/%lld", id);
	PGresult *r = rdv_load(c, id);
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	int cancellable = db_bool(r, 0, 11), collectif = db_bool(r, 0, 8);
	const char *phone = db_dup(c->a, r, 0, 6);
	PQclear(r);
	if (!cancellable) {
		app_flash(c, "error", arena_printf(c->a, "Ce rendez-vous ne peut plus être annulé en ligne. Appelez le "
						   "service%s%s pour l'annuler.", phone ? " au " : "", phone ? phone : ""));
		return app_redirect(c, path);
	}
	int rc = rdv_cancel_tx(c, id, collectif);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Votre rendez-vous a été annulé.");
	return app_redirect(c, path);
}

/* Joins or leaves the waiting list: the worker tells of an earlier créneau. */
static int rdvs_waiting_list(struct ctx *c)
{
	long long id = route_id(&c->match, "id");
	PGresult *r = rdv_load(c, id);
	if (r == NULL)
		return c->db->err;
	int ok = PQntuples(r) == 1 && db_bool(r, 0, 13);
	PQclear(r);
	if (!ok)
		return RDV_ENOTFOUND;
	const char *action = http_param(&c->req, "action");
	int leave = action != NULL && strcmp(action, "leave") == 0;
	int rc = leave
		? db_x(c->db, "DELETE FROM file_attentes WHERE rdv_id = $1 AND user_id = $2",
		       db_int(c->a, id), db_int(c->a, c->user_id))
		: db_x(c->db, "INSERT INTO file_attentes (rdv_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
		       db_int(c->a, id), db_int(c->a, c->user_id));
	if (rc != 0)
		return rc;
	app_flash(c, "success", leave ? "Vous ne serez plus prévenu(e) des créneaux plus proches."
				      : "C'est noté : nous vous préviendrons si un créneau plus proche se libère.");
	return app_redirect(c, arena_printf(c->a, "/users/rdvs/%lld", id));
}

ROUTE_TABLE(user_rdv_routes,
	{HTTP_GET, "/users/rdvs", rdvs_index, ROUTE_USER, 0},
	{HTTP_GET, "/users/rdvs/:id", rdvs_show, ROUTE_USER, 0},
	{HTTP_POST, "/users/rdvs/:id/cancel", rdvs_cancel, ROUTE_USER, 0},
	{HTTP_POST, "/users/rdvs/:id/file_attente", rdvs_waiting_list, ROUTE_USER, 0},
);
