/*
 * user_rdvs.c - "Mes rendez-vous": the citizen's and their proches' RDVs
 * (upcoming, past), one RDV, its cancellation up to the territory's
 * deadline (territories.cancellation_deadline_hours, 4 h by default; later
 * the page says to call the service), and the waiting list (file_attentes)
 * to be told of an earlier créneau. A session opened by an RDV link sees
 * that RDV only. Rescheduling (the reference's rule, RDV_MOVABLE) is in
 * the second half: the week of free créneaux of the same motif and lieu,
 * then the move, re-checked in the transaction like a booking.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "creneaux.h"
#include "notify.h"
#include "rdv.h"
#include "search.h"
#include "tz.h"
#include "valid.h"

#define PAGE 25

/* Who may see an RDV: a participant of my family (or the link's RDV only). */
#define RDV_MINE \
	" EXISTS (SELECT 1 FROM participations p JOIN users u ON u.id = p.user_id WHERE p.rdv_id = r.id" \
	"  AND (u.id = $2 OR u.responsible_id = $2)) AND m.visibility_type <> 'invisible'" \
	" AND ($3::bigint = 0 OR r.id = $3::bigint)"

/* Movable online (reference §2(c)): individual, not cancelled, the motif
 * lets usagers edit and is bookable online, more than 2 days ahead, and
 * booked by the usager (an agent's RDV is moved by the agent). */
#define RDV_MOVABLE \
	" (r.cancelled_at IS NULL AND r.status = 'unknown' AND NOT r.collectif AND m.rdvs_editable_by_user" \
	"  AND m.bookable_by = 'everyone' AND m.deleted_at IS NULL AND r.created_by_type = 'user'" \
	"  AND r.starts_at > now() + interval '2 days')"

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
	tmpl_set_bool(c->vars, "paginated", n > PAGE || page > 1);
	tmpl_set_int(c->vars, "page", page);
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
		" o.id," RDV_MOVABLE
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
	tmpl_set_bool(c->vars, "movable", db_bool(r, 0, 17));
	tmpl_set_bool(c->vars, "created", http_param(&c->req, "created") != NULL);
	tmpl_set_bool(c->vars, "scoped", search_scoped(c));
	PQclear(r);
	tmpl_set_var(c->vars, "title", "Mon rendez-vous");
	return app_render(c, 200, "search/user_rdv.tmpl");
}

int search_family_cancel(struct ctx *c, long long id, int collectif, int quiet)
{
	const char *rid = db_int(c->a, id), *uid = db_int(c->a, c->user_id);
	int rc;
	if (collectif) {
		/* the seats freed are counted from the family's own rows: under RLS a
		 * citizen does not see the other participants */
		char *p = db_s(c->db, c->a,
			"WITH x AS (UPDATE participations p SET status = 'excused' FROM users u WHERE p.rdv_id = $1"
			"  AND u.id = p.user_id AND (u.id = $2 OR u.responsible_id = $2)"
			"  AND p.status NOT IN ('excused', 'revoked') RETURNING p.id)"
			" UPDATE rdvs SET users_count = greatest(users_count - (SELECT count(*) FROM x), 0), updated_at = now()"
			" WHERE id = $1 AND EXISTS (SELECT 1 FROM x) RETURNING id",
			rid, uid);
		rc = p ? 0 : c->db->err ? c->db->err : RDV_ENOTFOUND;
	} else {
		rc = db_x(c->db, "UPDATE participations SET status = 'excused' WHERE rdv_id = $1", rid);
		if (rc == 0)
			rc = db_x(c->db, "UPDATE rdvs SET status = 'excused', cancelled_at = now(), updated_at = now()"
					 " WHERE id = $1", rid);
		if (rc == 0)
			rc = db_x(c->db, "DELETE FROM file_attentes WHERE rdv_id = $1", rid);
	}
	if (rc == 0)
		rc = notify_rdv_ex(c->db, c->a, id, NOTIFY_RDV_CANCELLED,
				   &(struct notify_rdv_opts){.author_user_id = c->user_id, .no_users = quiet});
	if (rc == 0)
		rc = audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .item_type = "rdv",
			.item_id = id, .event = "cancel", .ip = app_client_ip(c)});
	return rc;
}

/* Cancels inside one transaction, the rule re-checked by the UPDATE itself. */
static int rdv_cancel_tx(struct ctx *c, long long id, int collectif)
{
	int rc = db_begin(c->db);
	if (rc == 0)
		rc = search_family_cancel(c, id, collectif, 0);
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

/* ------------------------------------------------------------ rescheduling */

#define GONE "Ce créneau n'est plus disponible : quelqu'un vient de le réserver. Choisissez un autre créneau."
#define WEEK (7 * 86400LL)

/* An RDV being moved and who may take it. */
struct move {
	long long id, motif_id, lieu_id, starts_at;
	long long org_id;
	int follow_up, agent_level, movable, max_delay;
	const char *motif, *lieu;
	long long *agents;        /* NULL: any agent of the motif's plages */
	size_t n_agents;
	int restricted;           /* agents is the complete list (maybe empty) */
};

/* The RDV if mine (RDV_MINE), locked inside a transaction when lock is set. */
static int move_load(struct ctx *c, long long id, int lock, struct move *mv)
{
	static const char *const sql[2] = {
		"SELECT r.motif_id, coalesce(r.lieu_id, 0), extract(epoch FROM r.starts_at)::bigint, r.organisation_id,"
		" m.follow_up, m.sectorisation_level = 'agent', " RDV_MOVABLE ", m.max_public_booking_delay, m.name,"
		" l.name || ' – ' || l.address"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id LEFT JOIN lieux l ON l.id = r.lieu_id"
		" WHERE r.id = $1 AND" RDV_MINE,
		"SELECT r.motif_id, coalesce(r.lieu_id, 0), extract(epoch FROM r.starts_at)::bigint, r.organisation_id,"
		" m.follow_up, m.sectorisation_level = 'agent', " RDV_MOVABLE ", m.max_public_booking_delay, m.name,"
		" l.name || ' – ' || l.address"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id LEFT JOIN lieux l ON l.id = r.lieu_id"
		" WHERE r.id = $1 AND" RDV_MINE " FOR UPDATE OF r",
	};
	PGresult *r = db_query(c->db, sql[lock != 0], 3, (const char *const[]){db_int(c->a, id),
			       db_int(c->a, c->user_id), db_int(c->a, c->session.rdv_scope_id)});
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	memset(mv, 0, sizeof(*mv));
	mv->id = id;
	mv->motif_id = db_ll(r, 0, 0);
	mv->lieu_id = db_ll(r, 0, 1);
	mv->starts_at = db_ll(r, 0, 2);
	mv->org_id = db_ll(r, 0, 3);
	mv->follow_up = db_bool(r, 0, 4);
	mv->agent_level = db_bool(r, 0, 5);
	mv->movable = db_bool(r, 0, 6);
	mv->max_delay = (int)db_ll(r, 0, 7);
	mv->motif = db_dup(c->a, r, 0, 8);
	mv->lieu = db_dup(c->a, r, 0, 9);
	PQclear(r);
	return 0;
}

/* Ids of a one-column result into mv->agents. */
static int move_agents_from(struct ctx *c, struct move *mv, PGresult *r)
{
	if (r == NULL)
		return c->db->err;
	int n = PQntuples(r);
	mv->restricted = 1;
	mv->agents = arena_calloc(c->a, (size_t)n + 1, sizeof(*mv->agents));
	for (int i = 0; mv->agents != NULL && i < n; i++)
		mv->agents[mv->n_agents++] = db_ll(r, i, 0);
	PQclear(r);
	return mv->agents ? 0 : RDV_ENOMEM;
}

/* Who may take the moved RDV: for a follow-up motif the referents of every
 * participant (the rule of follow-up motifs); for an agent-level sectorised
 * motif its current agents (the secteur already chose them); else anyone. */
static int move_agents(struct ctx *c, struct move *mv)
{
	const char *id = db_int(c->a, mv->id);
	if (mv->follow_up)
		return move_agents_from(c, mv, db_q(c->db,
			"SELECT ra.agent_id FROM referent_assignations ra JOIN participations p ON p.user_id = ra.user_id"
			" WHERE p.rdv_id = $1 GROUP BY ra.agent_id"
			" HAVING count(*) = (SELECT count(*) FROM participations WHERE rdv_id = $1)", id));
	if (mv->agent_level)
		return move_agents_from(c, mv, db_q(c->db, "SELECT agent_id FROM agents_rdvs WHERE rdv_id = $1", id));
	return 0;
}

/* Free créneaux of the RDV's motif at its lieu in [from, to), other than its
 * own start; several agents free at one start give several entries. */
static int move_slots(struct ctx *c, const struct move *mv, long long from, long long to, struct slot **out,
		      size_t *n)
{
	*out = NULL;
	*n = 0;
	if (mv->restricted && mv->n_agents == 0)
		return 0;
	struct creneaux_query q = {.motif_id = mv->motif_id, .lieu_id = mv->lieu_id, .agent_ids = mv->agents,
				   .n_agents = mv->n_agents, .from = from, .to = to, .now = time(NULL),
				   .public_side = 1};
	struct slot *s;
	size_t ns;
	int rc = creneaux_search(c->db, c->a, &q, &s, &ns);
	if (rc != 0)
		return rc == RDV_ENOTFOUND ? 0 : rc;
	size_t k = 0;
	for (size_t i = 0; i < ns; i++)
		if (s[i].lieu_id == mv->lieu_id && s[i].start != mv->starts_at)
			s[k++] = s[i];
	*out = s;
	*n = k;
	return 0;
}

static const char *move_day(struct ctx *c, long long utc)
{
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	return arena_printf(c->a, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
}

/* Seven days of distinct free starts (slots are sorted by start). */
static void move_days(struct ctx *c, long long start, const struct slot *s, size_t n)
{
	struct tmpl_loop *days = tmpl_add_loop(c->vars, "days");
	size_t j = 0;
	for (int d = 0; d < 7; d++) {
		long long next;
		struct tmpl_loop *slots = search_day_slots(c, days, start, d, &next);
		for (; j < n && s[j].start < next; j++) {
			if (j > 0 && s[j - 1].start == s[j].start)
				continue;
			struct tmpl_vars *v = tmpl_loop_add_row(slots);
			tmpl_set_var(v, "hm", search_hm(c, s[j].start));
			tmpl_set_var(v, "when", search_fr_long(c, s[j].start));
			tmpl_set_int(v, "starts_at", s[j].start);
		}
	}
}

/* When the week is empty: the next free créneau within the booking horizon. */
static void move_next(struct ctx *c, const struct move *mv, long long from, long long now)
{
	if (mv->restricted && mv->n_agents == 0)
		return;
	struct creneaux_query q = {.motif_id = mv->motif_id, .lieu_id = mv->lieu_id, .agent_ids = mv->agents,
				   .n_agents = mv->n_agents, .from = from, .to = now + mv->max_delay + 1, .now = now,
				   .public_side = 1};
	struct slot s;
	if (creneaux_next(c->db, c->a, &q, &s) != 1)
		return;
	tmpl_set_var(c->vars, "next_when", search_fr_long(c, s.start));
	tmpl_set_var(c->vars, "next_href", app_url(c, arena_printf(c->a, "/users/rdvs/%lld/creneaux?date=%s",
								   mv->id, move_day(c, s.start))));
}

static int move_refused(struct ctx *c, long long id)
{
	app_flash(c, "error", "Ce rendez-vous ne peut pas être déplacé en ligne. Pour le changer, appelez le service.");
	return app_redirect(c, arena_printf(c->a, "/users/rdvs/%lld", id));
}

static int rdvs_creneaux(struct ctx *c)
{
	struct move mv;
	long long id = route_id(&c->match, "id"), now = time(NULL);
	int rc = move_load(c, id, 0, &mv);
	if (rc != 0)
		return rc;
	if (!mv.movable)
		return move_refused(c, id);
	if ((rc = move_agents(c, &mv)) != 0)
		return rc;
	long long start = search_week_start(http_param(&c->req, "date"), now);
	long long end = tz_local_seconds_to_utc((tz_utc_to_local_days(start) + 7) * 86400LL);
	struct slot *s;
	size_t n;
	if ((rc = move_slots(c, &mv, start > now ? start : now, end, &s, &n)) != 0)
		return rc;
	move_days(c, start, s, n);
	int closed = start > now + mv.max_delay;
	tmpl_set_bool(c->vars, "closed", closed);
	tmpl_set_bool(c->vars, "empty_week", n == 0);
	if (n == 0 && !closed)
		move_next(c, &mv, end, now);
	tmpl_set_var(c->vars, "week_label", arena_printf(c->a, "Semaine du %s", search_fr_date(c, start)));
	const char *page = arena_printf(c->a, "/users/rdvs/%lld/creneaux?date=", id);
	tmpl_set_var(c->vars, "next_week", app_url(c, arena_printf(c->a, "%s%s", page, move_day(c, end))));
	if (start > now)
		tmpl_set_var(c->vars, "prev_week", app_url(c, arena_printf(c->a, "%s%s", page, move_day(c, start - WEEK))));
	tmpl_set_int(c->vars, "id", id);
	tmpl_set_var(c->vars, "motif", mv.motif);
	tmpl_set_var(c->vars, "lieu", mv.lieu);
	tmpl_set_var(c->vars, "when", search_fr_long(c, mv.starts_at));
	tmpl_set_var(c->vars, "title", "Déplacer mon rendez-vous");
	return app_render(c, 200, "search/reschedule.tmpl");
}

/* Moves the locked RDV to `to` with one agent free then: agents replaced,
 * times updated (the motif's duration, as booked online); the exclusion
 * constraint refuses a racer's créneau with RDV_ECONFLICT. */
static int move_apply(struct ctx *c, const struct move *mv, long long to, long long agent)
{
	const char *id = db_int(c->a, mv->id);
	int rc = db_x(c->db, "DELETE FROM agents_rdvs WHERE rdv_id = $1", id);
	if (rc == 0)
		rc = db_x(c->db, "UPDATE rdvs r SET starts_at = to_timestamp($2::bigint),"
				 " ends_at = to_timestamp($2::bigint) + make_interval(mins => m.default_duration_in_min),"
				 " updated_at = now() FROM motifs m WHERE r.id = $1 AND m.id = r.motif_id",
			  id, db_int(c->a, to));
	if (rc == 0)
		rc = db_x(c->db, "INSERT INTO agents_rdvs (rdv_id, agent_id) VALUES ($1, $2)", id, db_int(c->a, agent));
	if (rc == 0)
		rc = notify_rdv(c->db, c->a, mv->id, NOTIFY_RDV_UPDATED, 0, c->user_id, mv->starts_at);
	if (rc == 0)
		rc = audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .organisation_id = mv->org_id,
			.item_type = "rdv", .item_id = mv->id, .event = "update", .ip = app_client_ip(c),
			.before_json = arena_printf(c->a, "{\"starts_at\": %lld}", mv->starts_at),
			.after_json = arena_printf(c->a, "{\"starts_at\": %lld, \"agent_id\": %lld}", to, agent)});
	return rc;
}

/* One attempt, inside a transaction: the rule and the créneau re-checked
 * under the RDV's lock. RDV_EFORBIDDEN: no longer movable; RDV_ENOTFOUND:
 * the créneau is gone; RDV_ECONFLICT: a racer took the agent (try again). */
static int move_once(struct ctx *c, long long id, long long to)
{
	struct move mv;
	int rc = move_load(c, id, 1, &mv);
	if (rc != 0)
		return rc == RDV_ENOTFOUND ? RDV_EINVAL : rc;
	if (!mv.movable)
		return RDV_EFORBIDDEN;
	if ((rc = move_agents(c, &mv)) != 0)
		return rc;
	struct slot *s;
	size_t n;
	if ((rc = move_slots(c, &mv, to, to + 1, &s, &n)) != 0)
		return rc;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i].start == to)
			s[k++] = s[i];
	if (k == 0)
		return RDV_ENOTFOUND;
	return move_apply(c, &mv, to, s[k > 1 ? randombytes_uniform((uint32_t)k) : 0].agent_id);
}

static int move_run(struct ctx *c, long long id, long long to)
{
	int rc = RDV_ECONFLICT;
	for (int attempt = 0; attempt < 3 && (rc == RDV_ECONFLICT || rc == RDV_ERETRY); attempt++) {
		db_rollback(c->db);
		if ((rc = db_begin(c->db)) != 0)
			return rc;
		rc = move_once(c, id, to);
		if (rc == 0)
			rc = db_commit(c->db);
	}
	if (rc != 0)
		db_rollback(c->db);
	return rc;
}

static int rdvs_reschedule(struct ctx *c)
{
	long long id = route_id(&c->match, "id"), to = 0;
	struct move mv;
	int rc = move_load(c, id, 0, &mv);   /* ownership first: another's RDV is a 404 whatever the body */
	if (rc != 0)
		return rc;
	const char *st = http_param(&c->req, "starts_at");
	if (st == NULL || valid_int(st, 1, 4102444800LL, &to, NULL) != 0)
		return app_error(c, 400, "Choisissez un créneau.");
	rc = move_run(c, id, to);
	if (rc == RDV_EINVAL)      /* not mine (or another RDV than the link's) */
		return RDV_ENOTFOUND;
	if (rc == RDV_EFORBIDDEN)
		return move_refused(c, id);
	if (rc == RDV_ENOTFOUND || rc == RDV_ECONFLICT) {
		app_flash(c, "error", GONE);
		return app_redirect(c, arena_printf(c->a, "/users/rdvs/%lld/creneaux?date=%s", id, move_day(c, to)));
	}
	if (rc != 0)
		return rc;
	app_flash(c, "success", arena_printf(c->a, "Votre rendez-vous a été déplacé au %s.", search_fr_long(c, to)));
	return app_redirect(c, arena_printf(c->a, "/users/rdvs/%lld", id));
}

ROUTE_TABLE(user_rdv_routes,
	{HTTP_GET, "/users/rdvs", rdvs_index, ROUTE_USER, 0},
	{HTTP_GET, "/users/rdvs/:id", rdvs_show, ROUTE_USER, 0},
	{HTTP_POST, "/users/rdvs/:id/cancel", rdvs_cancel, ROUTE_USER, 0},
	{HTTP_POST, "/users/rdvs/:id/file_attente", rdvs_waiting_list, ROUTE_USER, 0},
	{HTTP_GET, "/users/rdvs/:id/creneaux", rdvs_creneaux, ROUTE_USER, 0},
	{HTTP_POST, "/users/rdvs/:id/reschedule", rdvs_reschedule, ROUTE_USER, 0},
);
