/*
 * booking.c - the last steps of online booking, for a signed-in citizen:
 * GET /reservation/new (who the RDV is for, what to read first, confirm)
 * and POST /reservation, which re-checks the créneau inside the
 * transaction, picks one free agent at random among those free at that
 * start and inserts rdv + agents_rdvs + participation. Two citizens racing
 * for one créneau: the agents_rdvs exclusion constraint lets one insert
 * win; the other's transaction retries, finds the créneau gone and gets a
 * French message and the next créneaux. Collective RDVs take a seat with
 * one guarded UPDATE (users_count < max), so seats never oversell.
 * Follow-up motifs are booked only with a referent of the person the RDV is
 * for: another agent's créneau is refused with a French message.
 * prescripteur.c books through the same functions (search.h), with its own
 * steps inside the transaction (struct booking's before_insert/_commit).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "creneaux.h"
#include "notify.h"
#include "phone.h"
#include "rdv.h"
#include "rdvs.h"
#include "rls.h"
#include "search.h"
#include "tz.h"
#include "valid.h"

#define GONE "Ce créneau n'est plus disponible : quelqu'un vient de le réserver. Choisissez un autre créneau."
#define NOT_REFERENT "Ce rendez-vous de suivi se prend uniquement avec l'un de vos référents : choisissez l'un " \
		     "des créneaux qui vous sont proposés."

static long long param_id(struct ctx *c, const char *key)
{
	long long v = 0;
	const char *s = http_param(&c->req, key);
	if (s == NULL || valid_id(s, &v, NULL) != 0)
		return 0;
	return v;
}

/* The family member the RDV is for must be me or one of my proches. */
static int booking_for_ok(struct ctx *c, long long user_id)
{
	char *ok = db_s(c->db, c->a, "SELECT 1 FROM users WHERE id = $1 AND deleted_at IS NULL"
				     " AND (id = $2 OR responsible_id = $2)",
			db_int(c->a, user_id), db_int(c->a, c->user_id));
	return ok != NULL;
}

/* The address decides what may be booked: the wizard's, else the account's. */
static void booking_address(struct ctx *c, struct booking *b)
{
	if (b->w.city_code != NULL && b->w.city_code[0])
		return;
	PGresult *r = db_q(c->db, "SELECT coalesce(city_code, ''), coalesce(street_ban_id, ''), address"
				  " FROM users WHERE id = $1", db_int(c->a, c->user_id));
	if (r != NULL && PQntuples(r) == 1) {
		b->w.city_code = db_dup(c->a, r, 0, 0);
		b->w.street_ban_id = db_dup(c->a, r, 0, 1);
		b->w.address = db_dup(c->a, r, 0, 2);
	}
	if (r != NULL)
		PQclear(r);
}

int booking_load(struct ctx *c, struct booking *b, int prescripteur)
{
	memset(b, 0, sizeof(*b));
	wizard_parse(c, &b->w);
	b->w.prescripteur = prescripteur;
	if (prescripteur)
		b->w.invitation_token = NULL;
	b->invited = search_invitation(c, &b->w);
	if (b->invited < 0)
		return RDV_EFORBIDDEN;
	b->motif_id = param_id(c, "motif_id");
	b->lieu_id = param_id(c, "lieu_id");
	b->rdv_id = param_id(c, "rdv_id");
	/* follow-up motifs: the referents of the person the RDV is for (checked
	 * to be me or a proche), else mine */
	b->for_user_id = param_id(c, "for_user_id");
	b->referents_of = b->for_user_id && booking_for_ok(c, b->for_user_id) ? b->for_user_id : search_viewer_id(c);
	b->viewer = db_int(c->a, b->referents_of);
	if (b->invited) {
		b->for_user_id = b->referents_of = b->w.invited_id;
		b->viewer = search_offer_viewer(c, &b->w);
	}
	if (prescripteur) {   /* for someone else: nobody's referents, no family */
		b->for_user_id = b->referents_of = 0;
		b->viewer = search_offer_viewer(c, &b->w);
	}
	const char *st = http_param(&c->req, "starts_at");
	if (st != NULL && valid_int(st, 0, 4102444800LL, &b->starts_at, NULL) != 0)
		b->starts_at = 0;
	booking_address(c, b);
	if (b->rdv_id) {
		char *m = db_s(c->db, c->a, "SELECT motif_id FROM rdvs WHERE id = $1 AND collectif",
			       db_int(c->a, b->rdv_id));
		b->motif_id = m ? atoll(m) : 0;
	}
	if (b->motif_id == 0 || (b->rdv_id == 0 && b->starts_at == 0))
		return RDV_ENOTFOUND;
	PGresult *r = db_q(c->db, SEARCH_OFFER_CTE
		"SELECT organisation_id, default_duration_in_min, collectif, name, location_type::text,"
		" restriction_for_rdv, instruction_for_rdv, follow_up, min_public_booking_delay, max_public_booking_delay"
		" FROM offer WHERE id = $5",
		b->w.city_code ? b->w.city_code : "", b->w.street_ban_id, "", b->viewer,
		db_int(c->a, b->motif_id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	b->org_id = db_ll(r, 0, 0);
	b->duration = (int)db_ll(r, 0, 1);
	b->collectif = db_bool(r, 0, 2);
	b->motif_name = db_dup(c->a, r, 0, 3);
	b->location_type = db_dup(c->a, r, 0, 4);
	b->restriction = db_dup(c->a, r, 0, 5);
	b->instruction = db_dup(c->a, r, 0, 6);
	b->follow_up = db_bool(r, 0, 7);
	b->min_delay = db_ll(r, 0, 8);
	b->max_delay = db_ll(r, 0, 9);
	PQclear(r);
	if (b->collectif != (b->rdv_id != 0))
		return RDV_ENOTFOUND;
	if (b->collectif) {
		r = db_q(c->db, "SELECT extract(epoch FROM starts_at)::bigint, coalesce(lieu_id, 0) FROM rdvs WHERE id = $1",
			 db_int(c->a, b->rdv_id));
		if (r == NULL)
			return c->db->err;
		b->starts_at = db_ll(r, 0, 0);
		b->lieu_id = db_ll(r, 0, 1);
		PQclear(r);
	}
	return 0;
}

/* The free agents at exactly that start (inside the caller's transaction). */
static int booking_free_agents(struct ctx *c, const struct booking *b, long long *agents, size_t max, size_t *n)
{
	long long *ids;
	size_t nids;
	int restricted;
	*n = 0;
	int rc = search_motif_agents(c, b->motif_id, b->w.city_code, b->w.street_ban_id, b->viewer, &ids, &nids,
				     &restricted);
	if (rc != 0)
		return rc;
	if (restricted && nids == 0)
		return 0;
	struct creneaux_query q = {.motif_id = b->motif_id, .lieu_id = b->lieu_id, .agent_ids = ids,
				   .n_agents = nids, .from = b->starts_at, .to = b->starts_at + 1,
				   .now = time(NULL), .public_side = 1};
	struct slot *s;
	size_t ns;
	rc = creneaux_search(c->db, c->a, &q, &s, &ns);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < ns && *n < max; i++)
		if (s[i].start == b->starts_at && s[i].lieu_id == b->lieu_id)
			agents[(*n)++] = s[i].agent_id;
	return 0;
}

/* 1 when a follow-up créneau was refused only because its agents are not
 * referents: someone is free at that start, none of them a referent. */
static int booking_not_referent(struct ctx *c, const struct booking *b)
{
	if (!b->follow_up)
		return 0;
	struct creneaux_query q = {.motif_id = b->motif_id, .lieu_id = b->lieu_id, .from = b->starts_at,
				   .to = b->starts_at + 1, .now = time(NULL), .public_side = 1};
	struct slot *s;
	size_t ns;
	if (creneaux_search(c->db, c->a, &q, &s, &ns) != 0)
		return 0;
	for (size_t i = 0; i < ns; i++)
		if (s[i].start == b->starts_at && s[i].lieu_id == b->lieu_id)
			return 1;
	return 0;
}

int booking_slot_free(struct ctx *c, const struct booking *b)
{
	long long agents[1];
	size_t n;
	int rc = booking_free_agents(c, b, agents, 1, &n);
	return rc != 0 ? rc : n > 0;
}

static int booking_vars(struct ctx *c, const struct booking *b)
{
	tmpl_set_var(c->vars, "title", "Confirmer votre rendez-vous");
	tmpl_set_var(c->vars, "motif_name", b->motif_name);
	tmpl_set_var(c->vars, "when", search_fr_long(c, b->starts_at));
	tmpl_set_var(c->vars, "restriction", b->restriction);
	tmpl_set_var(c->vars, "instruction", b->instruction);
	tmpl_set_bool(c->vars, "phone_motif", strcmp(b->location_type, "phone") == 0);
	tmpl_set_bool(c->vars, "collectif", b->collectif);
	tmpl_set_var(c->vars, "wizard_query", wizard_query(c, &b->w, 3));
	tmpl_set_int(c->vars, "motif_id", b->motif_id);
	tmpl_set_int(c->vars, "lieu_id", b->lieu_id);
	tmpl_set_int(c->vars, "starts_at", b->starts_at);
	tmpl_set_int(c->vars, "rdv_id", b->rdv_id);
	struct wizard x = b->w;
	tmpl_set_var(c->vars, "back_href", app_url(c, wizard_url(c, &x, 3)));
	if (b->lieu_id) {
		char *l = db_s(c->db, c->a, "SELECT name || ' – ' || address FROM lieux WHERE id = $1",
			       db_int(c->a, b->lieu_id));
		tmpl_set_var(c->vars, "lieu", l);
	}
	if (b->invited) {    /* the RDV is for the invited person: no choice */
		tmpl_set_bool(c->vars, "invited", 1);
		tmpl_set_var(c->vars, "letters", http_param(&c->req, "letters"));
		return 0;
	}
	PGresult *r = db_q(c->db, "SELECT id, first_name, last_name, id = $1, coalesce(phone_number, '')"
				  " FROM users WHERE (id = $1 OR responsible_id = $1) AND deleted_at IS NULL"
				  " ORDER BY id <> $1, first_name", db_int(c->a, c->user_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "people");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_varf(row, "name", "%s %s%s", db_val(r, i, 1), db_val(r, i, 2), db_bool(r, i, 3) ? " (moi)" : "");
		tmpl_set_bool(row, "checked", (b->for_user_id ? b->for_user_id == db_ll(r, i, 0) : db_bool(r, i, 3)));
		if (db_bool(r, i, 3))
			tmpl_set_var(c->vars, "my_phone", db_val(r, i, 4));
	}
	PQclear(r);
	const char *here = arena_printf(c->a, "/reservation/new?%s", c->req.query_string);
	struct buf u = BUF_INIT;
	buf_puts(&u, "/relatives/new?return_to=");
	buf_put_url(&u, here);
	tmpl_set_var(c->vars, "add_relative_href", app_url(c, u.data ? u.data : "/relatives/new"));
	buf_free(&u);
	return 0;
}

/* "3 mois", "1 semaine", "2 jours", "30 minutes": a delay in seconds (the
 * reference's month is 2629746 s). */
static const char *booking_fr_delay(struct ctx *c, long long s)
{
	static const struct { long long secs; const char *one, *many; } units[] = {
		{2629746, "mois", "mois"}, {604800, "semaine", "semaines"}, {86400, "jour", "jours"},
		{3600, "heure", "heures"}, {60, "minute", "minutes"}};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s >= units[i].secs && s % units[i].secs == 0)
			return arena_printf(c->a, "%lld %s", s / units[i].secs, s == units[i].secs ? units[i].one : units[i].many);
	if (s >= 86400)
		return arena_printf(c->a, "%lld jours", (s + 43200) / 86400);
	return arena_printf(c->a, "%lld minutes", (s + 59) / 60);
}

const char *booking_outside_delays(struct ctx *c, const struct booking *b)
{
	long long now = (long long)time(NULL);
	if (b->starts_at < now + b->min_delay)
		return arena_printf(c->a, "Ce créneau ne peut plus être réservé en ligne : les rendez-vous de ce motif "
				    "se prennent au moins %s à l'avance. Choisissez un autre créneau.",
				    booking_fr_delay(c, b->min_delay));
	if (b->max_delay > 0 && b->starts_at > now + b->max_delay)
		return arena_printf(c->a, "Ce créneau ne peut pas encore être réservé en ligne : les rendez-vous de ce "
				    "motif se prennent au plus %s à l'avance. Choisissez un autre créneau.",
				    booking_fr_delay(c, b->max_delay));
	return NULL;
}

int booking_gone(struct ctx *c, const struct booking *b, const char *msg)
{
	app_flash(c, "error", msg ? msg : GONE);
	struct wizard x = b->w;
	struct local_dt lt;
	tz_utc_to_local(b->starts_at, &lt);
	x.date = arena_printf(c->a, "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	x.lieu_id = b->lieu_id;
	return app_redirect(c, wizard_url(c, &x, 4));
}

int booking_refused(struct ctx *c, int rc)
{
	if (rc == RDV_EFORBIDDEN)
		return search_invitation_refused(c);
	return rc == RDV_ENOTFOUND ? app_error(c, 404, "Ce rendez-vous ne peut pas être pris en ligne.") : rc;
}

/* GET /reservation/new (signed in) and /invitation/reservation/new (an
 * invitation link, anyone holding it: the letters are asked on POST). */
static int booking_show(struct ctx *c, int invitation)
{
	struct booking b;
	int rc = booking_load(c, &b, 0);
	if (rc == 0 && b.invited != invitation)
		rc = invitation ? RDV_EFORBIDDEN : RDV_ENOTFOUND;
	if (rc != 0)
		return booking_refused(c, rc);
	const char *outside = booking_outside_delays(c, &b);
	if (outside != NULL)
		return booking_gone(c, &b, outside);
	if (!b.collectif) {
		int avail = booking_slot_free(c, &b);
		if (avail < 0)
			return avail;
		if (!avail && booking_not_referent(c, &b))
			return app_error(c, 422, NOT_REFERENT);
		if (!avail)
			return booking_gone(c, &b, NULL);
	}
	if ((rc = booking_vars(c, &b)) != 0)
		return rc;
	return app_render(c, 200, "search/reservation.tmpl");
}

static int booking_new(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	return booking_show(c, 0);
}

static int booking_invited_new(struct ctx *c)
{
	return booking_show(c, 1);
}

/* The confirmation page again: msg on top and next to field (the id of the
 * refused input), the number typed kept. status 422, or 409 for a conflict. */
static int booking_error(struct ctx *c, struct booking *b, int status, const char *field, const char *msg)
{
	int rc = booking_vars(c, b);
	if (rc != 0)
		return rc;
	const char *phone = http_param(&c->req, "phone");
	if (phone != NULL && phone[0])
		tmpl_set_var(c->vars, "my_phone", phone);
	tmpl_set_var(c->vars, "error", msg);
	tmpl_set_field_error(c->vars, field, msg);
	return app_render(c, status, "search/reservation.tmpl");
}

/* Links the usager (and their responsable) to the organisation. */
static int booking_profile(struct ctx *c, long long org_id, long long user_id)
{
	return db_x(c->db, "INSERT INTO user_profiles (user_id, organisation_id)"
			   " SELECT u.id, $2 FROM users u, users x WHERE x.id = $1 AND u.id IN (x.id, x.responsible_id)"
			   " ON CONFLICT DO NOTHING", db_int(c->a, user_id), db_int(c->a, org_id));
}

/* Who books: a prescripteur for someone else, else the signed-in citizen
 * (created_by_type of the RDV and the participation). */
static const char *booking_by(const struct booking *b)
{
	return b->prescripteur_id ? "prescripteur" : "user";
}

/* One attempt of the individual booking, inside a transaction: 0 with
 * *rdv_id set, RDV_ENOTFOUND when the créneau is gone, RDV_ECONFLICT when a
 * racer took the agent between the check and the insert (try again). */
static int booking_insert(struct ctx *c, const struct booking *b, long long *rdv_id)
{
	long long agents[64];
	size_t n;
	int rc = booking_free_agents(c, b, agents, 64, &n);
	if (rc != 0)
		return rc;
	if (n == 0)
		return RDV_ENOTFOUND;
	long long agent = agents[n > 1 ? randombytes_uniform((uint32_t)n) : 0];
	/* a prescripteur's RDV: created by them, at the home of the person it is for */
	const char *by = booking_by(b);
	char *id = db_s(c->db, c->a,
		"INSERT INTO rdvs (organisation_id, motif_id, lieu_id, address, starts_at, ends_at, users_count,"
		" created_by_type, created_by_user_id, created_by_prescripteur_id)"
		" SELECT $1, m.id, nullif($3::bigint, 0),"
		"  CASE WHEN m.location_type = 'home' THEN (SELECT address FROM users WHERE id = $8::bigint) END,"
		"  to_timestamp($4::bigint), to_timestamp($4::bigint) + make_interval(mins => m.default_duration_in_min),"
		"  1, $6, nullif($5::bigint, 0), nullif($7::bigint, 0) FROM motifs m WHERE m.id = $2 RETURNING id",
		db_int(c->a, b->org_id), db_int(c->a, b->motif_id), db_int(c->a, b->lieu_id),
		db_int(c->a, b->starts_at), db_int(c->a, c->user_id), by, db_int(c->a, b->prescripteur_id),
		db_int(c->a, b->prescripteur_id ? b->for_user_id : c->user_id));
	if (id == NULL)
		return c->db->err ? c->db->err : RDV_EDB;
	*rdv_id = atoll(id);
	if ((rc = db_x(c->db, "INSERT INTO agents_rdvs (rdv_id, agent_id) VALUES ($1, $2)", id,
		       db_int(c->a, agent))) != 0)
		return rc;
	return db_x(c->db, "INSERT INTO participations (rdv_id, user_id, created_by_type, created_by_prescripteur_id)"
			   " VALUES ($1, $2, $3, nullif($4::bigint, 0))",
		    id, db_int(c->a, b->for_user_id), by, db_int(c->a, b->prescripteur_id));
}

/* A seat of a collective RDV: one guarded UPDATE, then the participation
 * (a cancelled one comes back to "unknown"), its id in *participation_id.
 * RDV_ECONFLICT when the family (the citizen's, or the person a prescripteur
 * books for) already has a seat there. */
static int booking_seat(struct ctx *c, const struct booking *b, long long *participation_id)
{
	char *dup = db_s(c->db, c->a,
		"SELECT 1 FROM participations p JOIN users u ON u.id = p.user_id WHERE p.rdv_id = $1"
		" AND p.status <> 'excused' AND (u.id = $2 OR u.responsible_id = $2)",
		db_int(c->a, b->rdv_id), db_int(c->a, b->prescripteur_id ? b->for_user_id : c->user_id));
	if (dup != NULL)
		return RDV_ECONFLICT;
	char *ok = db_s(c->db, c->a,
		"UPDATE rdvs r SET users_count = users_count + 1, updated_at = now() FROM motifs m"
		" WHERE r.id = $1 AND m.id = r.motif_id AND r.collectif AND r.cancelled_at IS NULL"
		" AND r.status <> 'revoked' AND r.starts_at > now() + make_interval(secs => m.min_public_booking_delay)"
		" AND (r.max_participants_count IS NULL OR r.users_count < r.max_participants_count) RETURNING r.id",
		db_int(c->a, b->rdv_id));
	if (ok == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	char *pid = db_s(c->db, c->a,
		"INSERT INTO participations (rdv_id, user_id, created_by_type, created_by_prescripteur_id)"
		" VALUES ($1, $2, $3, nullif($4::bigint, 0)) ON CONFLICT (rdv_id, user_id) DO UPDATE SET status = 'unknown',"
		" created_by_type = EXCLUDED.created_by_type, created_by_prescripteur_id = EXCLUDED.created_by_prescripteur_id"
		" RETURNING id",
		db_int(c->a, b->rdv_id), db_int(c->a, b->for_user_id), booking_by(b), db_int(c->a, b->prescripteur_id));
	if (pid == NULL)
		return c->db->err ? c->db->err : RDV_EDB;
	*participation_id = atoll(pid);
	return 0;
}

/* A new RDV: its usager and agents are told, one "created" webhook; a seat
 * taken in a workshop: only that participant is told (and the agents), the
 * workshop's webhook says "updated". */
static int booking_notify(struct ctx *c, const struct booking *b, long long rdv_id, long long participation_id)
{
	if (!b->collectif)
		return notify_rdv(c->db, c->a, rdv_id, NOTIFY_RDV_CREATED, 0, c->user_id, 0);
	struct notify_rdv_opts o = {.author_user_id = c->user_id, .participation_id = participation_id, .no_webhook = 1};
	int rc = notify_rdv_ex(c->db, c->a, rdv_id, NOTIFY_RDV_CREATED, &o);
	return rc == 0 ? rdv_webhook(c->db, c->a, b->org_id, rdv_id, "updated") : rc;
}

static int booking_commit(struct ctx *c, struct booking *b, long long rdv_id, long long participation_id)
{
	int rc = booking_profile(c, b->org_id, b->for_user_id);
	if (rc == 0)
		rc = booking_notify(c, b, rdv_id, participation_id);
	if (rc == 0)
		rc = audit_log(c->db, c->a, &(struct audit_entry){.user_id = c->user_id, .actor = b->actor,
			.organisation_id = b->org_id,
			.item_type = "rdv", .item_id = rdv_id, .event = b->collectif ? "participation" : "create",
			.ip = app_client_ip(c)});
	if (rc == 0 && b->before_commit != NULL)
		rc = b->before_commit(c, b, rdv_id);
	if (rc == 0)
		rc = db_commit(c->db);
	return rc;
}

/* Saves the phone typed for a phone motif (the agent calls it). 0 to go
 * on, 1 when an error page was rendered. */
static int booking_phone(struct ctx *c, struct booking *b)
{
	if (strcmp(b->location_type, "phone") != 0)
		return 0;
	const char *phone = http_param(&c->req, "phone");
	char e164[PHONE_E164_SIZE];
	if (phone == NULL || phone[0] == '\0') {
		if (db_s(c->db, c->a, "SELECT 1 FROM users WHERE id = $1 AND phone_number_formatted IS NOT NULL",
			 db_int(c->a, c->user_id)) != NULL)
			return 0;
		booking_error(c, b, 422, "phone", "Indiquez le numéro de téléphone auquel vous appeler.");
		return 1;
	}
	if (phone_normalize(phone, e164, NULL) != 0) {
		booking_error(c, b, 422, "phone", "Le numéro de téléphone n'est pas valide (ex. : 06 12 34 56 78).");
		return 1;
	}
	db_x(c->db, "UPDATE users SET phone_number = $2, phone_number_formatted = $3, updated_at = now() WHERE id = $1",
	     db_int(c->a, c->user_id), phone, e164);
	return 0;
}

int booking_run(struct ctx *c, struct booking *b, long long *rdv_id)
{
	int rc = RDV_ECONFLICT;
	long long participation_id = 0;
	for (int attempt = 0; attempt < 3 && (rc == RDV_ECONFLICT || rc == RDV_ERETRY); attempt++) {
		db_rollback(c->db);
		if ((rc = db_begin(c->db)) != 0)
			return rc;
		if (b->before_insert != NULL && (rc = b->before_insert(c, b)) != 0)
			continue;   /* retried only on a race */
		if (b->collectif) {
			*rdv_id = b->rdv_id;
			rc = booking_seat(c, b, &participation_id);
			if (rc == RDV_ECONFLICT)
				break;     /* already registered: no retry */
		} else {
			rc = booking_insert(c, b, rdv_id);
		}
		if (rc == 0)
			rc = booking_commit(c, b, *rdv_id, participation_id);
	}
	if (rc != 0)
		db_rollback(c->db);
	return rc;
}

/* The invitation's letters (the first three of the invited person's last
 * name, throttled like the RDV links): right, the responsable acts for this
 * request. 0 to go on, 1 when an error page was rendered. */
static int booking_invited_identity(struct ctx *c, struct booking *b)
{
	const char *ip = app_client_ip(c);
	const char *login = arena_printf(c->a, "invitation:%lld", b->w.invited_id);
	if (auth_throttled(c->db, "user", login, ip)) {
		booking_error(c, b, 429, "letters", "Trop de tentatives. Réessayez dans 15 minutes.");
		return 1;
	}
	const char *typed = valid_normalize_name(c->a, http_param(&c->req, "letters"));
	const char *name = valid_normalize_name(c->a, b->w.invited_last_name);
	int ok = typed != NULL && name != NULL && strlen(typed) == 3 && strncmp(typed, name, 3) == 0;
	auth_record_attempt(c->db, "user", login, ip, ok);
	if (!ok) {
		booking_error(c, b, 422, "letters", "Ces lettres ne correspondent pas au nom de la personne invitée.");
		return 1;
	}
	c->user_id = b->w.invited_responsible_id;
	if (rls_set_actor(c->db, 0, c->user_id) != 0) {
		booking_error(c, b, 500, "letters", "Le service est momentanément indisponible. Réessayez.");
		return 1;
	}
	return 0;
}

int booking_throttled(struct ctx *c, const char *login)
{
	if (!auth_throttled(c->db, "booking", login, app_client_ip(c)))
		return 0;
	app_error(c, 429, "Vous avez réservé beaucoup de rendez-vous en peu de temps. Réessayez dans "
			  "15 minutes, ou appelez le service pour prendre rendez-vous.");
	return 1;
}

/* POST /reservation (signed in) and /invitation/reservation (the letters
 * sign the responsable in for this booking only: a 10-minute session
 * limited to the new RDV). */
static int booking_save(struct ctx *c, int invitation)
{
	struct booking b;
	int rc = booking_load(c, &b, 0);
	if (rc == 0 && b.invited != invitation)
		rc = invitation ? RDV_EFORBIDDEN : RDV_ENOTFOUND;
	if (rc != 0)
		return booking_refused(c, rc);
	if (invitation && booking_invited_identity(c, &b))
		return 0;
	const char *outside = booking_outside_delays(c, &b);
	if (outside != NULL)
		return booking_gone(c, &b, outside);
	if (b.for_user_id == 0)
		b.for_user_id = c->user_id;
	if (!booking_for_ok(c, b.for_user_id))
		return booking_error(c, &b, 422, "for_user", "Choisissez pour qui est le rendez-vous.");
	if (b.restriction && !http_param(&c->req, "accept_restriction"))
		return booking_error(c, &b, 422, "accept_restriction",
				     "Confirmez avoir lu les informations à lire avant de prendre rendez-vous.");
	if (booking_phone(c, &b))
		return 0;
	/* Every RDV booked counts: an account or an IP booking créneau after
	 * créneau (a script emptying an agenda) is stopped for 15 minutes. */
	const char *login = arena_printf(c->a, "user:%lld", c->user_id);
	if (booking_throttled(c, login))
		return 0;
	long long rdv_id = 0;
	rc = booking_run(c, &b, &rdv_id);
	if (rc == RDV_ECONFLICT && b.collectif)
		return booking_error(c, &b, 409, "for_user", "Une personne de votre famille est déjà inscrite à cet atelier.");
	if (rc == RDV_ENOTFOUND && booking_not_referent(c, &b))
		return app_error(c, 422, NOT_REFERENT);
	if (rc == RDV_ENOTFOUND || rc == RDV_ECONFLICT)
		return booking_gone(c, &b, NULL);
	if (rc != 0)
		return rc;
	auth_record_attempt(c->db, "booking", login, app_client_ip(c), 0);
	if (invitation && (rc = search_sign_in(c, c->user_id, rdv_id, 10)) != 0)
		return rc;
	app_flash(c, "success", "Votre rendez-vous est confirmé.");
	return app_redirect(c, arena_printf(c->a, "/users/rdvs/%lld?created=1", rdv_id));
}

static int booking_create(struct ctx *c)
{
	if (search_scoped(c))
		return search_scope_refused(c);
	return booking_save(c, 0);
}

static int booking_invited_create(struct ctx *c)
{
	return booking_save(c, 1);
}

ROUTE_TABLE(booking_flow_routes,
	{HTTP_GET, "/reservation/new", booking_new, ROUTE_USER, 0},
	{HTTP_POST, "/reservation", booking_create, ROUTE_USER, 0},
	{HTTP_GET, "/invitation/reservation/new", booking_invited_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/invitation/reservation", booking_invited_create, ROUTE_PUBLIC, 0},
);
