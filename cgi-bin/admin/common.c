/*
 * common.c - what every admin page shares (admin.h): the access check of an
 * organisation or territory page with its French 403 explanations, the admin
 * menu, forms, pagination, and the audit / webhook trail of a change.
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "audit.h"
#include "notify.h"
#include "rdv.h"
#include "tz.h"
#include "valid.h"

#define NOT_ORG_ADMIN "Cette page est réservée aux administrateurs de l'organisation. " \
		      "Demandez à un administrateur de votre site de vous donner ce rôle si vous en avez besoin."

static void nav_add(struct ctx *c, struct tmpl_loop *nav, const char *href, const char *label)
{
	struct tmpl_vars *row = tmpl_loop_add_row(nav);
	const char *url = app_url(c, href);
	tmpl_set_var(row, "href", url);
	tmpl_set_var(row, "label", label);
	tmpl_set_bool(row, "current", c->path != NULL && strcmp(c->path, href) == 0);
}

static void org_nav(struct ctx *c, const struct admin_org *o)
{
	struct tmpl_loop *nav = tmpl_add_loop(c->vars, "nav");
	static const struct { const char *suffix, *label; } items[] = {
		{"", "Organisation"}, {"/agents", "Agents"}, {"/lieux", "Lieux"}, {"/motifs", "Motifs"},
		{"/agenda_accesses", "Accès aux agendas"}, {"/webhooks", "Webhooks"}, {"/audit", "Historique"},
	};
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
		nav_add(c, nav, arena_printf(c->a, "/admin/organisations/%lld%s", o->id, items[i].suffix),
			items[i].label);
	if (o->territory_admin)
		nav_add(c, nav, arena_printf(c->a, "/admin/territories/%lld", o->territory_id), "Territoire");
}

int admin_org(struct ctx *c, struct admin_org *o)
{
	long long org = route_id(&c->match, "org_id");
	PGresult *r = db_q(c->db,
		"SELECT o.name, o.territory_id, t.name,"
		" (SELECT access_level::text FROM agent_roles WHERE agent_id = $1 AND organisation_id = o.id),"
		" EXISTS (SELECT 1 FROM agent_territorial_roles WHERE agent_id = $1 AND territory_id = o.territory_id)"
		" FROM organisations o JOIN territories t ON t.id = o.territory_id WHERE o.id = $2",
		db_int(c->a, c->agent_id), db_int(c->a, org));
	if (r == NULL)
		return app_error(c, app_status_of(c->db->err), NULL), ADMIN_DONE;
	const char *level = PQntuples(r) == 1 ? db_val(r, 0, 3) : NULL;
	int terr_admin = PQntuples(r) == 1 && db_bool(r, 0, 4);
	if (level == NULL && !terr_admin) {
		PQclear(r);
		return app_error(c, 404, NULL), ADMIN_DONE;
	}
	if (!terr_admin && strcmp(level, "admin") != 0) {
		PQclear(r);
		return app_error(c, 403, NOT_ORG_ADMIN), ADMIN_DONE;
	}
	*o = (struct admin_org){.id = org, .territory_id = db_ll(r, 0, 1), .name = db_dup(c->a, r, 0, 0),
				.territory_name = db_dup(c->a, r, 0, 2), .territory_admin = terr_admin};
	PQclear(r);
	tmpl_set_int(c->vars, "org_id", o->id);
	tmpl_set_var(c->vars, "org_name", o->name);
	tmpl_set_int(c->vars, "territory_id", o->territory_id);
	tmpl_set_var(c->vars, "territory_name", o->territory_name);
	tmpl_set_bool(c->vars, "is_territory_admin", terr_admin);
	org_nav(c, o);
	return 0;
}

static void territory_nav(struct ctx *c, const struct admin_territory *t)
{
	struct tmpl_loop *nav = tmpl_add_loop(c->vars, "nav");
	const char *base = arena_printf(c->a, "/admin/territories/%lld", t->id);
	nav_add(c, nav, base, "Territoire");
	nav_add(c, nav, arena_printf(c->a, "%s/agents", base), "Agents");
	if (t->is_admin || t->can_teams)
		nav_add(c, nav, arena_printf(c->a, "%s/teams", base), "Équipes");
	if (t->is_admin) {
		nav_add(c, nav, arena_printf(c->a, "%s/sectors", base), "Sectorisation");
		nav_add(c, nav, arena_printf(c->a, "%s/services", base), "Services");
		nav_add(c, nav, arena_printf(c->a, "%s/settings", base), "Paramètres");
		nav_add(c, nav, arena_printf(c->a, "%s/audit", base), "Historique");
	}
}

static const char *right_message(enum admin_right need)
{
	switch (need) {
	case RIGHT_INVITE_AGENTS:
		return "Cette page demande le droit « inviter des agents » sur le territoire. "
		       "Un administrateur du territoire peut vous l'accorder.";
	case RIGHT_MANAGE_TEAMS:
		return "Cette page demande le droit « gérer les équipes » sur le territoire. "
		       "Un administrateur du territoire peut vous l'accorder.";
	case RIGHT_MANAGE_ACCESS_RIGHTS:
		return "Cette page demande le droit « gérer les droits d'accès » sur le territoire. "
		       "Un administrateur du territoire peut vous l'accorder.";
	case RIGHT_DOWNLOAD_STATS:
		return "Cette page demande le droit « télécharger les statistiques » du territoire.";
	default:
		return "Cette page est réservée aux administrateurs du territoire (département). "
		       "Si vous administrez une organisation, ses pages restent accessibles depuis l'accueil "
		       "de l'administration.";
	}
}

static int has_right(const struct admin_territory *t, enum admin_right need)
{
	switch (need) {
	case RIGHT_TERRITORY_ADMIN: return t->is_admin;
	case RIGHT_INVITE_AGENTS: return t->is_admin || t->can_invite;
	case RIGHT_MANAGE_TEAMS: return t->is_admin || t->can_teams;
	case RIGHT_MANAGE_ACCESS_RIGHTS: return t->is_admin || t->can_rights;
	case RIGHT_DOWNLOAD_STATS: return t->is_admin || t->can_stats;
	case RIGHT_ANY: return t->is_admin || t->can_invite || t->can_teams || t->can_rights;
	}
	return 0;
}

int admin_territory(struct ctx *c, struct admin_territory *t, enum admin_right need)
{
	long long terr = route_id(&c->match, "terr_id");
	PGresult *r = db_q(c->db,
		"SELECT t.name, t.departement_number,"
		" EXISTS (SELECT 1 FROM agent_territorial_roles WHERE agent_id = $1 AND territory_id = t.id),"
		" coalesce(r.allow_to_invite_agents, false), coalesce(r.allow_to_manage_teams, false),"
		" coalesce(r.allow_to_manage_access_rights, false), coalesce(r.allow_to_download_stats, false),"
		" EXISTS (SELECT 1 FROM agent_roles ar JOIN organisations o ON o.id = ar.organisation_id"
		"         WHERE ar.agent_id = $1 AND o.territory_id = t.id)"
		" FROM territories t LEFT JOIN agent_territorial_access_rights r ON r.territory_id = t.id"
		"  AND r.agent_id = $1 WHERE t.id = $2",
		db_int(c->a, c->agent_id), db_int(c->a, terr));
	if (r == NULL)
		return app_error(c, app_status_of(c->db->err), NULL), ADMIN_DONE;
	if (PQntuples(r) != 1 || (!db_bool(r, 0, 2) && !db_bool(r, 0, 7))) {
		PQclear(r);
		return app_error(c, 404, NULL), ADMIN_DONE;
	}
	*t = (struct admin_territory){.id = terr, .name = db_dup(c->a, r, 0, 0), .departement = db_dup(c->a, r, 0, 1),
				      .is_admin = db_bool(r, 0, 2), .can_invite = db_bool(r, 0, 3),
				      .can_teams = db_bool(r, 0, 4), .can_rights = db_bool(r, 0, 5),
				      .can_stats = db_bool(r, 0, 6)};
	PQclear(r);
	if (!has_right(t, need))
		return app_error(c, 403, right_message(need)), ADMIN_DONE;
	tmpl_set_int(c->vars, "terr_id", t->id);
	tmpl_set_var(c->vars, "terr_name", t->name);
	tmpl_set_bool(c->vars, "is_territory_admin", t->is_admin);
	tmpl_set_bool(c->vars, "can_invite", has_right(t, RIGHT_INVITE_AGENTS));
	tmpl_set_bool(c->vars, "can_teams", has_right(t, RIGHT_MANAGE_TEAMS));
	tmpl_set_bool(c->vars, "can_rights", has_right(t, RIGHT_MANAGE_ACCESS_RIGHTS));
	territory_nav(c, t);
	return 0;
}

const char *admin_param(struct ctx *c, const char *name)
{
	const char *v = http_param(&c->req, name);
	if (v == NULL)
		return "";
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	size_t n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	char *s = arena_strndup(c->a, v, n);
	return s ? s : "";
}

const char *admin_ids_param(struct ctx *c, const char *name, size_t max, size_t *n)
{
	const char **picked = arena_calloc(c->a, max + 1, sizeof(*picked));
	long long *ids = arena_calloc(c->a, max + 1, sizeof(*ids));
	if (picked == NULL || ids == NULL)
		return NULL;
	*n = kv_get_all(&c->req.form, name, picked, max + 1);
	if (*n > max)
		return NULL;
	for (size_t i = 0; i < *n; i++)
		if (valid_id(picked[i], &ids[i], NULL) != 0)
			return NULL;
	return db_id_array(c->a, ids, *n);
}

int admin_checked(struct ctx *c, const char *name)
{
	int on = 0;
	const char *v = http_param(&c->req, name);
	return v != NULL && valid_bool(v, &on) == 0 && on;
}

void admin_form_error(struct admin_form *f, const char *field, const char *message)
{
	f->n_errors++;
	tmpl_set_var(f->c->vars, arena_printf(f->c->a, "error_%s", field), message);
}

void admin_form_summary(struct admin_form *f)
{
	if (f->n_errors == 0)
		return;
	tmpl_set_int(f->c->vars, "form_errors", f->n_errors);
	tmpl_set_var(f->c->vars, "form_error_title", f->n_errors == 1 ? "Le formulaire contient une erreur."
								     : "Le formulaire contient des erreurs.");
}

void admin_pager_init(struct ctx *c, struct admin_pager *p)
{
	const char *s = http_param(&c->req, "page");
	long long page = s ? strtoll(s, NULL, 10) : 1;
	if (page < 1 || page > 100000)
		page = 1;
	p->page = page;
	p->offset = (page - 1) * ADMIN_PAGE_SIZE;
}

void admin_pager_vars(struct ctx *c, const struct admin_pager *p, long long total, const char *base_url)
{
	long long pages = (total + ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE;
	tmpl_set_int(c->vars, "page", p->page);
	tmpl_set_int(c->vars, "pages", pages < 1 ? 1 : pages);
	tmpl_set_int(c->vars, "total", total);
	tmpl_set_bool(c->vars, "paged", pages > 1 || p->page > 1);   /* no "Page 1 sur 1" */
	if (p->page > 1)
		tmpl_set_var(c->vars, "prev_url", arena_printf(c->a, "%spage=%lld", base_url, p->page - 1));
	if (p->page < pages)
		tmpl_set_var(c->vars, "next_url", arena_printf(c->a, "%spage=%lld", base_url, p->page + 1));
}

int admin_audit(struct ctx *c, long long org_id, long long territory_id, const char *item_type,
		long long item_id, const char *event, const char *before_json, const char *after_json)
{
	if (territory_id == 0 && org_id != 0) {
		char *t = db_s(c->db, c->a, "SELECT territory_id FROM organisations WHERE id = $1", db_int(c->a, org_id));
		territory_id = t ? strtoll(t, NULL, 10) : 0;
	}
	return audit_log(c->db, c->a, &(struct audit_entry){
		.agent_id = c->agent_id, .organisation_id = org_id, .territory_id = territory_id,
		.item_type = item_type, .item_id = item_id, .event = event,
		.before_json = before_json, .after_json = after_json, .ip = app_client_ip(c)});
}

int admin_webhook(struct ctx *c, long long org_id, const char *model, const char *event, const char *json_text)
{
	json_t *data = json_text ? json_loads(json_text, 0, NULL) : json_object();
	if (data == NULL)
		data = json_object();
	int rc = notify_webhook(c->db, c->a, org_id, model, event, data);
	json_decref(data);
	return rc;
}

int admin_record(struct ctx *c, const struct admin_org *o, const char *model, long long id, const char *event,
		 const char *hook, const char *before, const char *after)
{
	int rc = admin_audit(c, o->id, o->territory_id, model, id, event, before, after);
	return rc ? rc : admin_webhook(c, o->id, model, hook, after ? after : before);
}

int admin_commit_redirect(struct ctx *c, int rc, const char *flash, const char *to)
{
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0)
		return rc;
	app_flash(c, "success", flash);
	return app_redirect(c, to);
}

void admin_options(struct ctx *c, struct tmpl_vars *v, const char *loop, const char *const *values,
		   const char *const *labels, const char *selected)
{
	struct tmpl_loop *l = tmpl_add_loop(v ? v : c->vars, loop);
	for (size_t i = 0; values[i] != NULL; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "value", values[i]);
		tmpl_set_var(row, "label", labels[i]);
		tmpl_set_bool(row, "selected", selected != NULL && strcmp(selected, values[i]) == 0);
	}
}

int admin_confirm(struct ctx *c, int status, const char *title, const char *message, const char *action,
		  const char *button, const char *cancel)
{
	tmpl_set_var(c->vars, "title", title);
	tmpl_set_var(c->vars, "confirm_message", message);
	tmpl_set_var(c->vars, "confirm_action", app_url(c, action));
	tmpl_set_var(c->vars, "confirm_button", button);
	tmpl_set_var(c->vars, "cancel_url", app_url(c, cancel));
	return app_render(c, status, "admin/confirm.tmpl");
}

const char *admin_datetime(struct ctx *c, long long epoch)
{
	char out[96];
	tz_format_fr_long(epoch, out, sizeof(out));
	return arena_strdup(c->a, out);
}

int admin_valid_slug(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

const char *admin_urlenc(struct ctx *c, const char *s)
{
	struct buf b = BUF_INIT;
	buf_put_url(&b, s ? s : "");
	const char *out = b.oom ? "" : arena_strdup(c->a, b.data ? b.data : "");
	buf_free(&b);
	return out ? out : "";
}
