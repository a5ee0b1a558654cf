/*
 * agents.c - an organisation's agents, for its admins: list, invite by
 * e-mail (single-use link valid 7 days, mailed through the outbox), create an
 * intervenant (agenda without sign-in), change role and services, resend or
 * revoke an invitation, remove from the organisation; and the per-agenda
 * access grants between the organisation's agents.
 *
 * Invariants enforced here, inside the transaction, with the organisation
 * row locked so two admins cannot both demote "the other last admin":
 *   - the organisation keeps at least one admin;
 *   - an agent with future non-cancelled RDVs in the organisation is not
 *     removed from it (the page lists those RDVs); past RDVs are never
 *     deleted; the agent's plages of that organisation go with the role;
 *   - an agent removed from their last organisation is soft-deleted.
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "auth.h"
#include "rdv.h"
#include "valid.h"

#define INVITATION_DAYS 7

static const char *const role_values[] = {"basic", "admin", "intervenant", NULL};
static const char *const role_labels[] = {"Agent (accès de base)", "Administrateur de l'organisation",
					  "Intervenant (agenda sans connexion)", NULL};

static const char *org_path(struct ctx *c, long long org, const char *suffix)
{
	return arena_printf(c->a, "/admin/organisations/%lld%s", org, suffix);
}

/* ------------------------------------------------------------ invitations */

/* New token for the agent, mailed through the outbox (in the caller's transaction). */
static int invitation_queue(struct ctx *c, long long agent_id, const struct admin_org *o)
{
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_new(token);
	auth_token_hash(token, hash);
	const char *link = arena_printf(c->a, "%s/agent/invitation?token=%s", c->conf->public_url, token);
	const char *by = arena_printf(c->a, "%s %s", c->session.first_name ? c->session.first_name : "",
				      c->session.last_name ? c->session.last_name : "");
	return db_x(c->db,
		"WITH ag AS (UPDATE agents SET invitation_token_hash = $2, invitation_sent_at = now(),"
		"   invited_by_id = $3 WHERE id = $1 AND email IS NOT NULL RETURNING email, first_name, last_name)"
		" INSERT INTO outbox (channel, event, recipient, payload, organisation_id, dedup_key)"
		" SELECT 'email', 'agent_invitation', email, jsonb_build_object('first_name', first_name,"
		"  'last_name', last_name, 'link', $4::text, 'organisation', $5::text, 'invited_by', $6::text,"
		"  'expires_in_days', 7) , $7, NULL FROM ag",
		db_int(c->a, agent_id), hash, db_int(c->a, c->agent_id), link, o->name, by, db_int(c->a, o->id));
}

/* ------------------------------------------------------------------- list */

static int agents_index(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct admin_pager p;
	admin_pager_init(c, &p);
	const char *q = admin_param(c, "q");
	const char *pattern = arena_printf(c->a, "%%%s%%", q);
	PGresult *r = db_q(c->db,
		"SELECT a.id, a.first_name, a.last_name, coalesce(a.email::text, ''), ar.access_level,"
		" (SELECT string_agg(s.short_name, ', ' ORDER BY s.short_name) FROM agent_services x"
		"   JOIN services s ON s.id = x.service_id WHERE x.agent_id = a.id),"
		" CASE WHEN ar.access_level = 'intervenant' THEN 'intervenant'"
		"      WHEN a.password_hash IS NOT NULL THEN 'active'"
		"      WHEN a.invitation_token_hash IS NULL THEN 'revoked'"
		"      WHEN a.invitation_sent_at < now() - interval '7 days' THEN 'expired' ELSE 'pending' END,"
		" count(*) OVER ()"
		" FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" WHERE ar.organisation_id = $1 AND a.deleted_at IS NULL"
		"  AND ($2 = '' OR rdv_fold(a.first_name || ' ' || a.last_name || ' ' || coalesce(a.email::text, ''))"
		"       LIKE rdv_fold($3))"
		" ORDER BY a.last_name, a.first_name, a.id LIMIT 50 OFFSET $4",
		db_int(c->a, o.id), q, pattern, db_int(c->a, p.offset));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "agents");
	long long total = PQntuples(r) ? db_ll(r, 0, 7) : 0;
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		static const char *const names[] = {"id", "first_name", "last_name", "email", "role", "services", "state"};
		for (int j = 0; j < 7; j++)
			tmpl_set_var(row, names[j], db_val(r, i, j));
		tmpl_set_bool(row, "is_admin", strcmp(db_val(r, i, 4), "admin") == 0);
	}
	PQclear(r);
	tmpl_set_var(c->vars, "q", q);
	tmpl_set_var(c->vars, "title", "Agents");
	admin_pager_vars(c, &p, total, app_url(c, arena_printf(c->a, "/admin/organisations/%lld/agents?q=%s&",
						  o.id, admin_urlenc(c, q))));
	return app_render(c, 200, "admin/agents.tmpl");
}

/* Services of the territory as checkboxes; checked from the request or the agent. */
static int services_vars(struct ctx *c, long long territory_id, long long agent_id, int from_request)
{
	PGresult *r = db_q(c->db,
		"SELECT s.id, s.name, EXISTS (SELECT 1 FROM agent_services WHERE agent_id = $2 AND service_id = s.id)"
		" FROM services s JOIN territory_services ts ON ts.service_id = s.id WHERE ts.territory_id = $1"
		" ORDER BY s.name",
		db_int(c->a, territory_id), db_int(c->a, agent_id));
	if (r == NULL)
		return c->db->err;
	const char *picked[64];
	size_t n = kv_get_all(&c->req.form, "service_ids", picked, 64);
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "services");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		int on = db_bool(r, i, 2);
		if (from_request) {
			on = 0;
			for (size_t k = 0; k < n && k < 64; k++)
				on |= strcmp(picked[k], db_val(r, i, 0)) == 0;
		}
		tmpl_set_bool(row, "checked", on);
	}
	PQclear(r);
	return 0;
}

/* The posted services as a bigint[] parameter, or NULL when none or one is
 * not an id (those not enabled in the territory are ignored by the queries). */
static const char *services_param(struct ctx *c)
{
	size_t n;
	const char *ids = admin_ids_param(c, "service_ids", 64, &n);
	return n > 0 ? ids : NULL;
}

static int agent_new(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	int rc = services_vars(c, o.territory_id, 0, 0);
	if (rc != 0)
		return rc;
	admin_options(c, NULL, "roles", role_values, role_labels, "basic");
	tmpl_set_var(c->vars, "title", "Ajouter un agent");
	tmpl_set_var(c->vars, "crumb_parent", "Agents");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, org_path(c, o.id, "/agents")));
	return app_render(c, 200, "admin/agent_new.tmpl");
}

struct invite {
	const char *email, *first_name, *last_name, *role, *services;
};

static int invite_validate(struct ctx *c, struct admin_form *f, struct invite *in)
{
	const char *msg;
	in->email = admin_param(c, "email");
	in->first_name = admin_param(c, "first_name");
	in->last_name = admin_param(c, "last_name");
	in->role = admin_param(c, "role");
	in->services = services_param(c);
	int idx;
	if (valid_enum(in->role, role_values, &idx, &msg) != 0)
		admin_form_error(f, "role", "Choisissez un rôle dans la liste.");
	int intervenant = strcmp(in->role, "intervenant") == 0;
	if (intervenant) {
		if (in->email[0])
			admin_form_error(f, "email", "Un intervenant ne se connecte pas : laissez l'e-mail vide.");
		if (in->last_name[0] == '\0')
			admin_form_error(f, "last_name", "Le nom de l'intervenant est obligatoire.");
	} else if (valid_email(in->email, &msg) != 0) {
		admin_form_error(f, "email", in->email[0] ? msg : "L'e-mail est obligatoire pour inviter un agent.");
	}
	if (valid_length(in->first_name, 0, 100, &msg) != 0)
		admin_form_error(f, "first_name", msg);
	if (valid_length(in->last_name, 0, 100, &msg) != 0)
		admin_form_error(f, "last_name", msg);
	if (in->services == NULL)
		admin_form_error(f, "services", "Choisissez au moins un service.");
	admin_form_summary(f);
	return f->n_errors;
}

static int invite_render_error(struct ctx *c, const struct admin_org *o, struct invite *in, int status)
{
	tmpl_set_var(c->vars, "email", in->email);
	tmpl_set_var(c->vars, "first_name", in->first_name);
	tmpl_set_var(c->vars, "last_name", in->last_name);
	admin_options(c, NULL, "roles", role_values, role_labels, in->role);
	int rc = services_vars(c, o->territory_id, 0, 1);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", "Ajouter un agent");
	return app_render(c, status, "admin/agent_new.tmpl");
}

/* Adds the role and services; the fine territorial rights row exists for
 * every agent of the territory (all false by default), as the reference. */
static int role_insert(struct ctx *c, long long agent_id, const struct admin_org *o, const struct invite *in)
{
	const char *aid = db_int(c->a, agent_id);
	int rc = db_x(c->db, "INSERT INTO agent_roles (agent_id, organisation_id, access_level) VALUES ($1, $2, $3)",
		      aid, db_int(c->a, o->id), in->role);
	if (rc == 0)
		rc = db_x(c->db,
			  "INSERT INTO agent_services (agent_id, service_id) SELECT $1, s FROM unnest($2::bigint[]) s"
			  " JOIN territory_services ts ON ts.service_id = s AND ts.territory_id = $3 ON CONFLICT DO NOTHING",
			  aid, in->services, db_int(c->a, o->territory_id));
	if (rc == 0)
		rc = db_x(c->db, "INSERT INTO agent_territorial_access_rights (agent_id, territory_id) VALUES ($1, $2)"
				 " ON CONFLICT DO NOTHING", aid, db_int(c->a, o->territory_id));
	return rc;
}

static char *agent_json(struct ctx *c, long long agent_id, long long org_id)
{
	return db_s(c->db, c->a,
		"SELECT jsonb_build_object('id', a.id, 'email', a.email, 'first_name', a.first_name,"
		" 'last_name', a.last_name, 'role', ar.access_level, 'deleted_at', a.deleted_at,"
		" 'services', (SELECT coalesce(jsonb_agg(service_id ORDER BY service_id), '[]') FROM agent_services"
		"   WHERE agent_id = a.id))"
		" FROM agents a LEFT JOIN agent_roles ar ON ar.agent_id = a.id AND ar.organisation_id = $2 WHERE a.id = $1",
		db_int(c->a, agent_id), db_int(c->a, org_id));
}

/* Existing account (same e-mail): joins the organisation, no new invitation
 * unless theirs is still pending. Returns 0, RDV_ECONFLICT when already a member. */
static int invite_existing(struct ctx *c, const struct admin_org *o, long long id, const struct invite *in,
			   int pending)
{
	char *member = db_s(c->db, c->a, "SELECT 1 FROM agent_roles WHERE agent_id = $1 AND organisation_id = $2",
			    db_int(c->a, id), db_int(c->a, o->id));
	if (member != NULL)
		return RDV_ECONFLICT;
	int rc = role_insert(c, id, o, in);
	if (rc == 0 && pending)
		rc = invitation_queue(c, id, o);
	return rc;
}

static int invite_tx(struct ctx *c, const struct admin_org *o, const struct invite *in, long long *out_id,
		     int *existed)
{
	long long id = 0;
	int pending = 0;
	if (in->email[0]) {
		PGresult *r = db_q(c->db, "SELECT id, password_hash IS NULL FROM agents WHERE email = $1 AND deleted_at IS NULL",
				   in->email);
		if (r == NULL)
			return c->db->err;
		if (PQntuples(r) == 1) {
			id = db_ll(r, 0, 0);
			pending = db_bool(r, 0, 1);
		}
		PQclear(r);
	}
	*existed = id != 0;
	int rc;
	if (id != 0) {
		rc = invite_existing(c, o, id, in, pending);
	} else {
		/* A soft-deleted agent keeps a rewritten e-mail, so this one is free. */
		char *nid = db_s(c->db, c->a,
			"INSERT INTO agents (email, first_name, last_name, invited_by_id, rdv_notifications_level,"
			" plage_ouverture_notification_level, absence_notification_level)"
			" VALUES (nullif($1, '')::citext, $2, $3, $4,"
			"  CASE WHEN $5 = 'intervenant' THEN 'none' ELSE 'others' END::notification_level,"
			"  CASE WHEN $5 = 'intervenant' THEN 'none' ELSE 'all' END::simple_notification_level,"
			"  CASE WHEN $5 = 'intervenant' THEN 'none' ELSE 'all' END::simple_notification_level) RETURNING id",
			in->email, in->first_name, in->last_name[0] ? in->last_name : in->email,
			db_int(c->a, c->agent_id), in->role);
		if (nid == NULL)
			return c->db->err;
		id = strtoll(nid, NULL, 10);
		rc = role_insert(c, id, o, in);
		if (rc == 0 && in->email[0])
			rc = invitation_queue(c, id, o);
	}
	if (rc != 0)
		return rc;
	*out_id = id;
	char *after = agent_json(c, id, o->id);
	rc = admin_audit(c, o->id, o->territory_id, "agent_role", id, *existed ? "add_to_organisation" : "invite",
			 NULL, after);
	if (rc == 0)
		rc = admin_webhook(c, o->id, "agent", "created", after);
	return rc;
}

static int agent_create(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct admin_form f = {c, 0};
	struct invite in;
	tmpl_set_var(c->vars, "crumb_parent", "Agents");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, org_path(c, o.id, "/agents")));
	if (invite_validate(c, &f, &in))
		return invite_render_error(c, &o, &in, 422);
	long long id = 0;
	int existed = 0;
	db_begin(c->db);
	int rc = invite_tx(c, &o, &in, &id, &existed);
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc == RDV_ECONFLICT) {
		db_rollback(c->db);
		admin_form_error(&f, "email", "Cet agent fait déjà partie de l'organisation.");
		admin_form_summary(&f);
		return invite_render_error(c, &o, &in, 422);
	}
	if (rc != 0)
		return rc;
	if (strcmp(in.role, "intervenant") == 0)
		app_flash(c, "success", "L'intervenant a été créé.");
	else if (existed)
		app_flash(c, "success", "Cet agent avait déjà un compte : il a été ajouté à l'organisation. "
					"Vérifiez ses services.");
	else
		app_flash(c, "success", "L'invitation a été envoyée. Le lien est valable 7 jours.");
	return app_redirect(c, org_path(c, o.id, arena_printf(c->a, "/agents/%lld", id)));
}

/* ------------------------------------------------------------- one agent */

struct member {
	long long id;
	const char *first_name, *last_name, *email, *role, *state;
};

/* The agent :id as a member of the page's organisation, else ENOTFOUND. */
static int member_load(struct ctx *c, const struct admin_org *o, struct member *m)
{
	long long id = route_id(&c->match, "id");
	PGresult *r = db_q(c->db,
		"SELECT a.first_name, a.last_name, coalesce(a.email::text, ''), ar.access_level,"
		" CASE WHEN ar.access_level = 'intervenant' THEN 'intervenant'"
		"      WHEN a.password_hash IS NOT NULL THEN 'active'"
		"      WHEN a.invitation_token_hash IS NULL THEN 'revoked'"
		"      WHEN a.invitation_sent_at < now() - interval '7 days' THEN 'expired' ELSE 'pending' END"
		" FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" WHERE ar.organisation_id = $1 AND a.id = $2 AND a.deleted_at IS NULL",
		db_int(c->a, o->id), db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	*m = (struct member){id, db_dup(c->a, r, 0, 0), db_dup(c->a, r, 0, 1), db_dup(c->a, r, 0, 2),
			     db_dup(c->a, r, 0, 3), db_dup(c->a, r, 0, 4)};
	PQclear(r);
	tmpl_set_int(c->vars, "agent_id", m->id);
	tmpl_set_var(c->vars, "first_name", m->first_name);
	tmpl_set_var(c->vars, "last_name", m->last_name);
	tmpl_set_var(c->vars, "email", m->email);
	tmpl_set_var(c->vars, "role", m->role);
	tmpl_set_var(c->vars, "state", m->state);
	tmpl_set_bool(c->vars, "is_intervenant", strcmp(m->role, "intervenant") == 0);
	tmpl_set_bool(c->vars, "is_self", m->id == c->agent_id);
	tmpl_set_bool(c->vars, "invitation_open", strcmp(m->state, "pending") == 0 || strcmp(m->state, "expired") == 0 ||
					       strcmp(m->state, "revoked") == 0);
	tmpl_set_var(c->vars, "crumb_parent", "Agents");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, org_path(c, o->id, "/agents")));
	return 0;
}

/* The first step of every action on one member: the organisation (when the
 * signed-in agent may not administer it, the answer is already given: 1 with
 * *rc = 0) then the member (not found: 1 with *rc set). 0: go on. */
static int member_open(struct ctx *c, struct admin_org *o, struct member *m, int *rc)
{
	*rc = 0;
	if (admin_org(c, o))
		return 1;
	*rc = member_load(c, o, m);
	return *rc != 0;
}

/* The member's page, or one of its actions ("/role", "/remove"…). */
static const char *member_path(struct ctx *c, const struct admin_org *o, const struct member *m, const char *suffix)
{
	return org_path(c, o->id, arena_printf(c->a, "/agents/%lld%s", m->id, suffix));
}

/* The last step of an action whose transaction is at rc so far: commit, then
 * the flash message and back to the member's page. */
static int member_done(struct ctx *c, const struct admin_org *o, const struct member *m, int rc, const char *flash)
{
	return admin_commit_redirect(c, rc, flash, member_path(c, o, m, ""));
}

static int agent_page(struct ctx *c, const struct admin_org *o, const struct member *m, int status,
		      const char *chosen_role, int services_from_request)
{
	int rc = services_vars(c, o->territory_id, m->id, services_from_request);
	if (rc != 0)
		return rc;
	/* An intervenant has no e-mail: they cannot become admin or basic here. */
	static const char *const v2[] = {"basic", "admin", NULL};
	static const char *const l2[] = {"Agent (accès de base)", "Administrateur de l'organisation", NULL};
	admin_options(c, NULL, "roles", v2, l2, chosen_role ? chosen_role : m->role);
	tmpl_set_var(c->vars, "title", arena_printf(c->a, "%s %s", m->first_name, m->last_name));
	return app_render(c, status, "admin/agent.tmpl");
}

static int agent_show(struct ctx *c)
{
	struct admin_org o;
	struct member m;
	int rc;
	return member_open(c, &o, &m, &rc) ? rc : agent_page(c, &o, &m, 200, NULL, 0);
}

/* Locks the organisation, then counts its admins other than agent_id. */
static int other_admins(struct ctx *c, long long org, long long agent_id, long long *n)
{
	PGresult *r = db_q(c->db, "SELECT 1 FROM organisations WHERE id = $1 FOR UPDATE", db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	PQclear(r);
	char *s = db_s(c->db, c->a,
		"SELECT count(*) FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id WHERE ar.organisation_id = $1"
		" AND ar.access_level = 'admin' AND a.deleted_at IS NULL AND a.id <> $2",
		db_int(c->a, org), db_int(c->a, agent_id));
	if (s == NULL)
		return c->db->err;
	*n = strtoll(s, NULL, 10);
	return 0;
}

#define LAST_ADMIN "Cet agent est le dernier administrateur de l'organisation : nommez d'abord un autre " \
		   "administrateur. Une organisation garde toujours au moins un administrateur."

static int role_change_tx(struct ctx *c, const struct admin_org *o, const struct member *m, const char *role)
{
	const char *before = agent_json(c, m->id, o->id);
	int rc = db_x(c->db, "UPDATE agent_roles SET access_level = $3 WHERE agent_id = $1 AND organisation_id = $2",
		      db_int(c->a, m->id), db_int(c->a, o->id), role);
	if (rc != 0)
		return rc;
	const char *after = agent_json(c, m->id, o->id);
	rc = admin_audit(c, o->id, o->territory_id, "agent_role", m->id, "update", before, after);
	return rc ? rc : admin_webhook(c, o->id, "agent", "updated", after);
}

static int agent_role_update(struct ctx *c)
{
	struct admin_org o;
	struct member m;
	int rc;
	if (member_open(c, &o, &m, &rc))
		return rc;
	const char *role = admin_param(c, "role");
	static const char *const allowed[] = {"basic", "admin", NULL};
	int idx;
	if (strcmp(m.role, "intervenant") == 0 || valid_enum(role, allowed, &idx, NULL) != 0) {
		tmpl_set_var(c->vars, "error_role", strcmp(m.role, "intervenant") == 0
			? "Un intervenant n'a pas de compte : invitez la personne par e-mail pour lui donner un accès."
			: "Choisissez un rôle dans la liste : agent ou administrateur de l'organisation.");
		return agent_page(c, &o, &m, 422, NULL, 0);
	}
	if (strcmp(role, m.role) == 0)
		return app_redirect(c, member_path(c, &o, &m, ""));
	int demote = strcmp(m.role, "admin") == 0;
	db_begin(c->db);
	long long others = 1;
	if (demote && (rc = other_admins(c, o.id, m.id, &others)) != 0)
		return rc;
	if (demote && others == 0) {
		db_rollback(c->db);
		tmpl_set_var(c->vars, "error_role", LAST_ADMIN);
		return agent_page(c, &o, &m, 422, role, 0);
	}
	/* Removing admin rights is explicit: a confirmation step first (and a
	 * warning when it is one's own). */
	if (demote && !admin_checked(c, "confirm")) {
		db_rollback(c->db);
		struct tmpl_loop *h = tmpl_add_loop(c->vars, "hidden");
		struct tmpl_vars *row = tmpl_loop_add_row(h);
		tmpl_set_var(row, "name", "role");
		tmpl_set_var(row, "value", role);
		const char *msg = m.id == c->agent_id
			? "Vous allez retirer vos propres droits d'administrateur : vous n'aurez plus accès à ces pages."
			: arena_printf(c->a, "%s %s ne sera plus administrateur de l'organisation.", m.first_name, m.last_name);
		return admin_confirm(c, 200, "Retirer les droits d'administrateur", msg,
				     member_path(c, &o, &m, "/role"),
				     "Retirer les droits", member_path(c, &o, &m, ""));
	}
	rc = role_change_tx(c, &o, &m, role);
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Le rôle a été modifié.");
	if (demote && m.id == c->agent_id && !o.territory_admin)
		return app_redirect(c, "/admin/");
	return app_redirect(c, member_path(c, &o, &m, ""));
}

static int agent_profile_update(struct ctx *c)
{
	struct admin_org o;
	struct member m;
	int rc;
	if (member_open(c, &o, &m, &rc))
		return rc;
	const char *services = services_param(c);
	const char *first = admin_param(c, "first_name"), *last = admin_param(c, "last_name");
	int intervenant = strcmp(m.role, "intervenant") == 0;
	struct admin_form f = {c, 0};
	const char *msg;
	if (services == NULL)
		admin_form_error(&f, "services", "Choisissez au moins un service.");
	if (intervenant && (valid_required(last, &msg) != 0 || valid_length(last, 1, 100, &msg) != 0))
		admin_form_error(&f, "last_name", "Le nom de l'intervenant est obligatoire (100 caractères au plus).");
	if (f.n_errors) {
		admin_form_summary(&f);
		return agent_page(c, &o, &m, 422, NULL, 1);
	}
	const char *aid = db_int(c->a, m.id);
	db_begin(c->db);
	const char *before = agent_json(c, m.id, o.id);
	/* Services are global to the agent; only those enabled in this territory change. */
	rc = db_x(c->db,
		  "DELETE FROM agent_services x USING territory_services ts WHERE x.agent_id = $1"
		  " AND ts.service_id = x.service_id AND ts.territory_id = $2", aid, db_int(c->a, o.territory_id));
	if (rc == 0)
		rc = db_x(c->db,
			  "INSERT INTO agent_services (agent_id, service_id) SELECT $1, s FROM unnest($2::bigint[]) s"
			  " JOIN territory_services ts ON ts.service_id = s AND ts.territory_id = $3 ON CONFLICT DO NOTHING",
			  aid, services, db_int(c->a, o.territory_id));
	if (rc == 0 && intervenant)
		rc = db_x(c->db, "UPDATE agents SET first_name = $2, last_name = $3 WHERE id = $1", aid, first, last);
	const char *after = rc == 0 ? agent_json(c, m.id, o.id) : NULL;
	if (rc == 0)
		rc = admin_record(c, &o, "agent", m.id, "update", "updated", before, after);
	return member_done(c, &o, &m, rc, "Les informations de l'agent ont été enregistrées.");
}

/* ---------------------------------------------------------- remove agent */

/* Future non-cancelled RDVs of the agent in the organisation, as the
 * "blockers" loop. Returns how many, or a negative error. */
static int future_rdvs(struct ctx *c, long long org, long long agent_id)
{
	PGresult *r = db_q(c->db,
		"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, m.name, coalesce(l.name, ''), count(*) OVER ()"
		" FROM rdvs r JOIN agents_rdvs ar ON ar.rdv_id = r.id JOIN motifs m ON m.id = r.motif_id"
		" LEFT JOIN lieux l ON l.id = r.lieu_id"
		" WHERE ar.agent_id = $1 AND r.organisation_id = $2 AND r.starts_at > now()"
		"  AND r.status IN ('unknown', 'seen', 'noshow') AND r.cancelled_at IS NULL"
		" ORDER BY r.starts_at LIMIT 100",
		db_int(c->a, agent_id), db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	int n = PQntuples(r) ? (int)db_ll(r, 0, 4) : 0;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "blockers");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "when", admin_datetime(c, db_ll(r, i, 1)));
		tmpl_set_var(row, "what", db_val(r, i, 2));
		tmpl_set_var(row, "detail", db_val(r, i, 3));
		tmpl_set_var(row, "url", app_url(c, arena_printf(c->a, "/agent/organisations/%lld/rdvs/%s", org,
								  db_val(r, i, 0))));
	}
	PQclear(r);
	if (n > 0)
		tmpl_set_var(c->vars, "blockers_caption",
			     arena_printf(c->a, "%d rendez-vous à venir à réaffecter ou annuler", n));
	return n;
}

/* Why the agent cannot leave the organisation now, or NULL. Inside a
 * transaction (the organisation row is locked by other_admins). */
static const char *remove_blocker(struct ctx *c, const struct admin_org *o, const struct member *m, int *err)
{
	long long others = 1;
	*err = 0;
	if (strcmp(m->role, "admin") == 0 && (*err = other_admins(c, o->id, m->id, &others)) != 0)
		return NULL;
	if (others == 0)
		return LAST_ADMIN;
	int n = future_rdvs(c, o->id, m->id);
	if (n < 0) {
		*err = n;
		return NULL;
	}
	if (n > 0)
		return arena_printf(c->a, "%s %s a %d rendez-vous à venir dans l'organisation. Réaffectez-les à un autre "
					  "agent ou annulez-les avant de retirer cet agent ; ses rendez-vous passés sont "
					  "toujours conservés.", m->first_name, m->last_name, n);
	return NULL;
}

static int agent_remove_confirm(struct ctx *c)
{
	struct admin_org o;
	struct member m;
	int rc;
	if (member_open(c, &o, &m, &rc))
		return rc;
	db_begin(c->db);
	const char *why = remove_blocker(c, &o, &m, &rc);
	db_rollback(c->db);
	if (rc != 0)
		return rc;
	const char *back = member_path(c, &o, &m, "");
	const char *action = member_path(c, &o, &m, "/remove");
	if (why != NULL) {
		tmpl_set_bool(c->vars, "blocked", 1);
		return admin_confirm(c, 200, "Retirer l'agent de l'organisation", why, action, "", back);
	}
	return admin_confirm(c, 200, "Retirer l'agent de l'organisation",
			     arena_printf(c->a, "%s %s n'aura plus accès à %s. Ses plages d'ouverture dans "
						"l'organisation seront supprimées ; ses rendez-vous passés sont conservés.",
					  m.first_name, m.last_name, o.name),
			     action, "Retirer de l'organisation", back);
}

static int remove_tx(struct ctx *c, const struct admin_org *o, const struct member *m)
{
	const char *aid = db_int(c->a, m->id), *oid = db_int(c->a, o->id);
	const char *before = agent_json(c, m->id, o->id);
	int rc = db_x(c->db, "DELETE FROM plages_ouverture WHERE agent_id = $1 AND organisation_id = $2", aid, oid);
	if (rc == 0)
		rc = db_x(c->db, "DELETE FROM agent_roles WHERE agent_id = $1 AND organisation_id = $2", aid, oid);
	/* Last organisation: soft delete; the e-mail is freed for a future account
	 * (the original stays in the audit row), sessions end now. */
	if (rc == 0)
		rc = db_x(c->db,
			  "UPDATE agents SET deleted_at = now(), invitation_token_hash = NULL,"
			  " email = CASE WHEN email IS NULL THEN NULL ELSE ('agent_' || id || '@deleted.invalid')::citext END"
			  " WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM agent_roles WHERE agent_id = $1)", aid);
	if (rc == 0)
		rc = db_x(c->db, "DELETE FROM sessions WHERE agent_id = $1 AND EXISTS (SELECT 1 FROM agents"
				 " WHERE id = $1 AND deleted_at IS NOT NULL)", aid);
	const char *after = rc == 0 ? agent_json(c, m->id, o->id) : NULL;
	if (rc == 0)
		rc = admin_audit(c, o->id, o->territory_id, "agent_role", m->id, "destroy", before, after);
	if (rc == 0)
		rc = admin_webhook(c, o->id, "agent", "destroyed", before);
	return rc;
}

static int agent_remove(struct ctx *c)
{
	struct admin_org o;
	struct member m;
	int rc;
	if (member_open(c, &o, &m, &rc))
		return rc;
	if (!admin_checked(c, "confirm"))
		return agent_remove_confirm(c);
	db_begin(c->db);
	const char *why = remove_blocker(c, &o, &m, &rc);
	if (rc != 0 || why != NULL) {
		db_rollback(c->db);
		if (rc != 0)
			return rc;
		tmpl_set_bool(c->vars, "blocked", 1);
		return admin_confirm(c, 409, "Retirer l'agent de l'organisation", why, "", "",
				     member_path(c, &o, &m, ""));
	}
	rc = remove_tx(c, &o, &m);
	return admin_commit_redirect(c, rc, arena_printf(c->a, "%s %s a été retiré(e) de l'organisation.", m.first_name, m.last_name),
				     org_path(c, o.id, "/agents"));
}

/* ----------------------------------------------------- resend, revoke */

static int agent_reinvite(struct ctx *c)
{
	struct admin_org o;
	struct member m;
	int rc;
	if (member_open(c, &o, &m, &rc))
		return rc;
	if (strcmp(m.state, "active") == 0 || strcmp(m.state, "intervenant") == 0) {
		tmpl_set_var(c->vars, "page_error", "Cet agent a déjà accepté son invitation (ou n'a pas de compte) : "
						    "rien à renvoyer.");
		return agent_page(c, &o, &m, 422, NULL, 0);
	}
	db_begin(c->db);
	rc = invitation_queue(c, m.id, &o);
	if (rc == 0)
		rc = admin_audit(c, o.id, o.territory_id, "agent", m.id, "reinvite", NULL, NULL);
	return member_done(c, &o, &m, rc, "Une nouvelle invitation a été envoyée ; l'ancien lien ne fonctionne plus.");
}

static int agent_revoke(struct ctx *c)
{
	struct admin_org o;
	struct member m;
	int rc;
	if (member_open(c, &o, &m, &rc))
		return rc;
	if (strcmp(m.state, "pending") != 0 && strcmp(m.state, "expired") != 0) {
		tmpl_set_var(c->vars, "page_error", "Il n'y a pas d'invitation en attente pour cet agent.");
		return agent_page(c, &o, &m, 422, NULL, 0);
	}
	db_begin(c->db);
	const char *before = agent_json(c, m.id, o.id);
	rc = db_x(c->db, "UPDATE agents SET invitation_token_hash = NULL WHERE id = $1", db_int(c->a, m.id));
	if (rc == 0)
		rc = admin_audit(c, o.id, o.territory_id, "agent", m.id, "revoke_invitation", before,
				 agent_json(c, m.id, o.id));
	return member_done(c, &o, &m, rc, "L'invitation a été révoquée : le lien ne fonctionne plus. Vous pouvez "
					  "la renvoyer plus tard, ou retirer l'agent de l'organisation.");
}

/* ------------------------------------------------- agenda access grants */

static const char *const level_values[] = {"busy", "read", "write", NULL};
static const char *const level_labels[] = {"Voir les créneaux occupés", "Consulter l'agenda",
					   "Consulter et modifier l'agenda", NULL};

static int accesses_render(struct ctx *c, const struct admin_org *o, int status)
{
	PGresult *r = db_q(c->db,
		"SELECT x.owner_agent_id, x.grantee_agent_id, ow.first_name || ' ' || ow.last_name,"
		" gr.first_name || ' ' || gr.last_name, x.level"
		" FROM agenda_accesses x JOIN agents ow ON ow.id = x.owner_agent_id JOIN agents gr ON gr.id = x.grantee_agent_id"
		" WHERE EXISTS (SELECT 1 FROM agent_roles WHERE agent_id = x.owner_agent_id AND organisation_id = $1)"
		"  AND EXISTS (SELECT 1 FROM agent_roles WHERE agent_id = x.grantee_agent_id AND organisation_id = $1)"
		" ORDER BY ow.last_name, gr.last_name LIMIT 500", db_int(c->a, o->id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "accesses");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "owner_id", db_val(r, i, 0));
		tmpl_set_var(row, "grantee_id", db_val(r, i, 1));
		tmpl_set_var(row, "owner", db_val(r, i, 2));
		tmpl_set_var(row, "grantee", db_val(r, i, 3));
		int idx = 0;
		valid_enum(db_val(r, i, 4), level_values, &idx, NULL);
		tmpl_set_var(row, "level", level_labels[idx]);
	}
	PQclear(r);
	r = db_q(c->db, "SELECT a.id, a.last_name || ' ' || a.first_name FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
			" WHERE ar.organisation_id = $1 AND a.deleted_at IS NULL ORDER BY 2", db_int(c->a, o->id));
	if (r == NULL)
		return c->db->err;
	/* after a refused grant, the agents and the level chosen stay selected */
	const char *owner = http_param(&c->req, "owner_agent_id"), *grantee = http_param(&c->req, "grantee_agent_id");
	const char *level = http_param(&c->req, "level");
	struct tmpl_loop *ag = tmpl_add_loop(c->vars, "org_agents");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(ag);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_bool(row, "owner_selected", owner && strcmp(owner, db_val(r, i, 0)) == 0);
		tmpl_set_bool(row, "grantee_selected", grantee && strcmp(grantee, db_val(r, i, 0)) == 0);
	}
	PQclear(r);
	admin_options(c, NULL, "levels", level_values, level_labels, level ? level : "read");
	tmpl_set_var(c->vars, "title", "Accès aux agendas");
	return app_render(c, status, "admin/agenda_accesses.tmpl");
}

static int accesses_index(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	return accesses_render(c, &o, 200);
}

/* Both agents must belong to the organisation: an admin grants nothing
 * on agendas outside the organisations they administer. */
static int both_members(struct ctx *c, long long org, const char *a1, const char *a2)
{
	char *n = db_s(c->db, c->a, "SELECT count(*) FROM agent_roles WHERE organisation_id = $1 AND agent_id IN ($2, $3)",
		       db_int(c->a, org), a1, a2);
	return n != NULL && strcmp(n, "2") == 0;
}

static int accesses_create(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	const char *owner = admin_param(c, "owner_agent_id"), *grantee = admin_param(c, "grantee_agent_id");
	const char *level = admin_param(c, "level");
	long long oid = 0, gid = 0;
	int idx;
	struct admin_form f = {c, 0};
	if (valid_id(owner, &oid, NULL) != 0)
		admin_form_error(&f, "owner_agent_id", "Choisissez l'agent dont l'agenda est partagé.");
	if (valid_id(grantee, &gid, NULL) != 0 || gid == oid)
		admin_form_error(&f, "grantee_agent_id", "Choisissez un autre agent que le titulaire de l'agenda.");
	else if (f.n_errors == 0 && !both_members(c, o.id, owner, grantee))
		admin_form_error(&f, "grantee_agent_id", "Les deux agents doivent faire partie de l'organisation.");
	if (valid_enum(level, level_values, &idx, NULL) != 0)
		admin_form_error(&f, "level", "Choisissez un niveau d'accès dans la liste.");
	if (f.n_errors > 0) {
		admin_form_summary(&f);
		return accesses_render(c, &o, 422);
	}
	db_begin(c->db);
	char *after = db_s(c->db, c->a,
		"INSERT INTO agenda_accesses (owner_agent_id, grantee_agent_id, level, granted_by_id)"
		" VALUES ($1, $2, $3, $4) ON CONFLICT (owner_agent_id, grantee_agent_id) DO UPDATE SET level = EXCLUDED.level,"
		" granted_by_id = EXCLUDED.granted_by_id RETURNING to_jsonb(agenda_accesses.*)",
		owner, grantee, level, db_int(c->a, c->agent_id));
	int rc = after ? admin_audit(c, o.id, o.territory_id, "agenda_access", oid, "grant", NULL, after) : c->db->err;
	return admin_commit_redirect(c, rc, "L'accès à l'agenda a été accordé.",
				     org_path(c, o.id, "/agenda_accesses"));
}

static int accesses_delete(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	const char *owner = admin_param(c, "owner_agent_id"), *grantee = admin_param(c, "grantee_agent_id");
	long long oid, gid;
	if (valid_id(owner, &oid, NULL) != 0 || valid_id(grantee, &gid, NULL) != 0 || !both_members(c, o.id, owner, grantee))
		return RDV_ENOTFOUND;
	db_begin(c->db);
	char *before = db_s(c->db, c->a,
		"DELETE FROM agenda_accesses WHERE owner_agent_id = $1 AND grantee_agent_id = $2"
		" RETURNING to_jsonb(agenda_accesses.*)", owner, grantee);
	int rc = before ? admin_audit(c, o.id, o.territory_id, "agenda_access", oid, "revoke", before, NULL)
			: (c->db->err ? c->db->err : RDV_ENOTFOUND);
	return admin_commit_redirect(c, rc, "L'accès à l'agenda a été retiré.",
				     org_path(c, o.id, "/agenda_accesses"));
}

ROUTE_TABLE(agent_admin_routes,
	{HTTP_GET, "/admin/organisations/:org_id/agents", agents_index, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/agents/new", agent_new, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agents", agent_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/agents/:id", agent_show, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agents/:id", agent_profile_update, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agents/:id/role", agent_role_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/agents/:id/remove", agent_remove_confirm, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agents/:id/remove", agent_remove, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agents/:id/reinvite", agent_reinvite, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agents/:id/revoke", agent_revoke, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/agenda_accesses", accesses_index, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agenda_accesses", accesses_create, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/agenda_accesses/delete", accesses_delete, ROUTE_AGENT, 0},
);
