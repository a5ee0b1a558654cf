/*
 * lieux.c - an organisation's places (lieux), for its admins: list, create,
 * edit, disable (explicit confirmation: public booking there stops), delete
 * (only when no RDV or plage ever used it; otherwise disable it).
 *
 * Coordinates are required (distance sort in the public search): taken from
 * the form, or else from the address base when the address matches one of
 * its labels exactly (accents and case ignored).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "phone.h"
#include "rdv.h"
#include "valid.h"

static const char *const avail_values[] = {"enabled", "disabled", NULL};
static const char *const avail_labels[] = {"Actif", "Désactivé", NULL};

static const char *lieu_path(struct ctx *c, long long org, const char *suffix)
{
	return arena_printf(c->a, "/admin/organisations/%lld/lieux%s", org, suffix);
}

static int lieux_index(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct admin_pager p;
	admin_pager_init(c, &p);
	PGresult *r = db_q(c->db,
		"SELECT id, name, address, coalesce(phone_number, ''), availability, count(*) OVER ()"
		" FROM lieux WHERE organisation_id = $1 AND availability <> 'single_use'"
		" ORDER BY availability, name LIMIT 50 OFFSET $2",
		db_int(c->a, o.id), db_int(c->a, p.offset));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "lieux");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "address", db_val(r, i, 2));
		tmpl_set_var(row, "phone_number", db_val(r, i, 3));
		tmpl_set_bool(row, "enabled", strcmp(db_val(r, i, 4), "enabled") == 0);
	}
	long long total = PQntuples(r) ? db_ll(r, 0, 5) : 0;
	PQclear(r);
	admin_pager_vars(c, &p, total, app_url(c, lieu_path(c, o.id, "?")));
	tmpl_set_var(c->vars, "title", "Lieux");
	return app_render(c, 200, "admin/lieux.tmpl");
}

struct lieu_in {
	const char *name, *address, *phone, *lat, *lon, *availability;
};

static void lieu_vars(struct ctx *c, const struct lieu_in *in)
{
	tmpl_set_var(c->vars, "name", in->name);
	tmpl_set_var(c->vars, "address", in->address);
	tmpl_set_var(c->vars, "phone_number", in->phone);
	tmpl_set_var(c->vars, "latitude", in->lat);
	tmpl_set_var(c->vars, "longitude", in->lon);
	admin_options(c, NULL, "availabilities", avail_values, avail_labels, in->availability);
}

static int parse_coord(const char *s, double lo, double hi, double *out)
{
	char *end;
	if (s == NULL || s[0] == '\0')
		return -1;
	/* French decimal comma accepted. */
	char *t = strdup(s);
	if (t == NULL)
		return -1;
	for (char *q = t; *q; q++)
		if (*q == ',')
			*q = '.';
	double v = strtod(t, &end);
	int bad = *end != '\0' || !isfinite(v) || v < lo || v > hi;
	free(t);
	if (bad)
		return -1;
	*out = v;
	return 0;
}

/* Validates the posted lieu into in (coordinates completed from the address
 * base when left empty). Returns the number of errors. */
static int lieu_validate(struct ctx *c, struct admin_form *f, struct lieu_in *in)
{
	const char *msg;
	*in = (struct lieu_in){admin_param(c, "name"), admin_param(c, "address"), admin_param(c, "phone_number"),
			       admin_param(c, "latitude"), admin_param(c, "longitude"), admin_param(c, "availability")};
	if (in->availability[0] == '\0')
		in->availability = "enabled";
	if (in->name[0] == '\0')
		admin_form_error(f, "name", "Le nom du lieu est obligatoire.");
	else if (valid_length(in->name, 1, 200, &msg) != 0)
		admin_form_error(f, "name", msg);
	if (in->address[0] == '\0')
		admin_form_error(f, "address", "L'adresse du lieu est obligatoire.");
	int idx;
	if (valid_enum(in->availability, avail_values, &idx, NULL) != 0)
		admin_form_error(f, "availability", "Choisissez « Actif » ou « Désactivé ».");
	if (in->phone[0]) {
		char e164[PHONE_E164_SIZE], nat[PHONE_NATIONAL_SIZE];
		if (phone_normalize(in->phone, e164, &msg) != 0) {
			admin_form_error(f, "phone_number", msg);
		} else {
			phone_format_national(e164, nat);
			in->phone = arena_strdup(c->a, nat);
		}
	}
	double lat, lon;
	if (in->lat[0] == '\0' && in->lon[0] == '\0' && in->address[0]) {
		PGresult *r = db_q(c->db, "SELECT lat, lon, label FROM addresses WHERE search = rdv_fold($1) LIMIT 1",
				   in->address);
		if (r == NULL)
			return -1;
		if (PQntuples(r) == 1) {
			in->lat = db_dup(c->a, r, 0, 0);
			in->lon = db_dup(c->a, r, 0, 1);
			in->address = db_dup(c->a, r, 0, 2);
		} else {
			admin_form_error(f, "address", "Adresse introuvable dans la base adresse : vérifiez-la (ex. : "
						       "« 12 Rue Gambetta 62000 Arras ») ou indiquez la latitude et la longitude.");
		}
		PQclear(r);
	} else if (in->address[0]) {
		if (parse_coord(in->lat, -90, 90, &lat) != 0)
			admin_form_error(f, "latitude", "La latitude doit être un nombre entre -90 et 90 (ex. : 50,2910).");
		if (parse_coord(in->lon, -180, 180, &lon) != 0)
			admin_form_error(f, "longitude", "La longitude doit être un nombre entre -180 et 180 (ex. : 2,7775).");
		if (f->n_errors == 0) {
			in->lat = arena_printf(c->a, "%.7f", lat);
			in->lon = arena_printf(c->a, "%.7f", lon);
		}
	}
	admin_form_summary(f);
	return f->n_errors;
}

static int lieu_new(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	lieu_vars(c, &(struct lieu_in){"", "", "", "", "", "enabled"});
	tmpl_set_var(c->vars, "title", "Nouveau lieu");
	tmpl_set_var(c->vars, "form_action", app_url(c, lieu_path(c, o.id, "")));
	return app_render(c, 200, "admin/lieu_form.tmpl");
}

static int lieu_create(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct admin_form f = {c, 0};
	struct lieu_in in;
	tmpl_set_var(c->vars, "title", "Nouveau lieu");
	tmpl_set_var(c->vars, "form_action", app_url(c, lieu_path(c, o.id, "")));
	int n = lieu_validate(c, &f, &in);
	if (n < 0)
		return c->db->err;
	lieu_vars(c, &in);
	if (n > 0)
		return app_render(c, 422, "admin/lieu_form.tmpl");
	db_begin(c->db);
	PGresult *r = db_q(c->db,
		"INSERT INTO lieux (organisation_id, name, address, latitude, longitude, phone_number, availability)"
		" VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7) RETURNING id, to_jsonb(lieux.*)",
		db_int(c->a, o.id), in.name, in.address, in.lat, in.lon, in.phone, in.availability);
	if (r == NULL)
		return c->db->err;
	long long id = db_ll(r, 0, 0);
	const char *after = db_dup(c->a, r, 0, 1);
	PQclear(r);
	int rc = admin_record(c, &o, "lieu", id, "create", "created", NULL, after);
	return admin_commit_redirect(c, rc, "Le lieu a été créé.", lieu_path(c, o.id, ""));
}

/* The lieu :id of the organisation (not single-use), its JSON in *json. */
static int lieu_load(struct ctx *c, const struct admin_org *o, long long *id, const char **json, int lock)
{
	*id = route_id(&c->match, "id");
	PGresult *r = db_q(c->db, lock
		? "SELECT to_jsonb(l), name, address, coalesce(phone_number, ''), latitude, longitude, availability"
		  " FROM lieux l WHERE id = $1 AND organisation_id = $2 AND availability <> 'single_use' FOR UPDATE"
		: "SELECT to_jsonb(l), name, address, coalesce(phone_number, ''), latitude, longitude, availability"
		  " FROM lieux l WHERE id = $1 AND organisation_id = $2 AND availability <> 'single_use'",
		db_int(c->a, *id), db_int(c->a, o->id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	*json = db_dup(c->a, r, 0, 0);
	if (!lock)
		lieu_vars(c, &(struct lieu_in){db_dup(c->a, r, 0, 1), db_dup(c->a, r, 0, 2), db_dup(c->a, r, 0, 3),
					       db_dup(c->a, r, 0, 4), db_dup(c->a, r, 0, 5), db_dup(c->a, r, 0, 6)});
	tmpl_set_var(c->vars, "current_availability", db_val(r, 0, 6));
	PQclear(r);
	tmpl_set_int(c->vars, "lieu_id", *id);
	tmpl_set_var(c->vars, "crumb_parent", "Lieux");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, lieu_path(c, o->id, "")));
	return 0;
}

static int lieu_edit(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	long long id;
	const char *json;
	int rc = lieu_load(c, &o, &id, &json, 0);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", "Modifier le lieu");
	tmpl_set_var(c->vars, "form_action", app_url(c, lieu_path(c, o.id, arena_printf(c->a, "/%lld", id))));
	tmpl_set_bool(c->vars, "editing", 1);
	return app_render(c, 200, "admin/lieu_form.tmpl");
}

/* Every posted field (but the CSRF token and confirm) as hidden inputs of the confirmation page. */
static void hidden_from_form(struct ctx *c)
{
	struct tmpl_loop *h = tmpl_add_loop(c->vars, "hidden");
	for (size_t i = 0; i < c->req.form.n; i++) {
		const struct kv *kv = &c->req.form.items[i];
		if (strcmp(kv->key, "csrf_token") == 0 || strcmp(kv->key, "confirm") == 0)
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(h);
		tmpl_set_var(row, "name", kv->key);
		tmpl_set_var(row, "value", kv->value);
	}
}

static int disable_confirm(struct ctx *c, const struct admin_org *o, long long id)
{
	char *n = db_s(c->db, c->a,
		"SELECT count(*) FROM rdvs WHERE lieu_id = $1 AND starts_at > now() AND status IN ('unknown', 'seen', 'noshow')",
		db_int(c->a, id));
	if (n == NULL)
		return c->db->err;
	hidden_from_form(c);
	const char *path = lieu_path(c, o->id, arena_printf(c->a, "/%lld", id));
	return admin_confirm(c, 200, "Désactiver le lieu",
			     arena_printf(c->a, "Ce lieu ne sera plus proposé pour de nouveaux rendez-vous ni pour la "
						"réservation en ligne. Les %s rendez-vous à venir dans ce lieu sont conservés "
						"et restent à honorer ou à déplacer. Vous pourrez le réactiver plus tard.", n),
			     path, "Désactiver le lieu", arena_printf(c->a, "%s/edit", path));
}

static int lieu_update(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	long long id;
	const char *before;
	int rc = lieu_load(c, &o, &id, &before, 0);
	if (rc != 0)
		return rc;
	struct admin_form f = {c, 0};
	struct lieu_in in;
	tmpl_set_var(c->vars, "title", "Modifier le lieu");
	tmpl_set_var(c->vars, "form_action", app_url(c, lieu_path(c, o.id, arena_printf(c->a, "/%lld", id))));
	tmpl_set_bool(c->vars, "editing", 1);
	int n = lieu_validate(c, &f, &in);
	if (n < 0)
		return c->db->err;
	lieu_vars(c, &in);
	if (n > 0)
		return app_render(c, 422, "admin/lieu_form.tmpl");
	const char *was = tmpl_get_var(c->vars, "current_availability");
	int disabling = was != NULL && strcmp(was, "enabled") == 0 && strcmp(in.availability, "disabled") == 0;
	if (disabling && !admin_checked(c, "confirm"))
		return disable_confirm(c, &o, id);
	db_begin(c->db);
	rc = lieu_load(c, &o, &id, &before, 1);
	PGresult *r = rc ? NULL : db_q(c->db,
		"UPDATE lieux SET name = $2, address = $3, latitude = $4, longitude = $5, phone_number = nullif($6, ''),"
		" availability = $7 WHERE id = $1 RETURNING to_jsonb(lieux.*)",
		db_int(c->a, id), in.name, in.address, in.lat, in.lon, in.phone, in.availability);
	if (r == NULL)
		return rc ? rc : c->db->err;
	const char *after = db_dup(c->a, r, 0, 0);
	PQclear(r);
	rc = admin_record(c, &o, "lieu", id, "update", "updated", before, after);
	return admin_commit_redirect(c, rc, disabling ? "Le lieu a été désactivé." : "Le lieu a été modifié.",
				     lieu_path(c, o.id, ""));
}

/* How many RDVs and plages use the lieu (a lieu in use is never deleted). */
static int lieu_uses(struct ctx *c, long long id, long long *n)
{
	char *s = db_s(c->db, c->a,
		"SELECT (SELECT count(*) FROM rdvs WHERE lieu_id = $1) + (SELECT count(*) FROM plages_ouverture WHERE lieu_id = $1)",
		db_int(c->a, id));
	if (s == NULL)
		return c->db->err;
	*n = strtoll(s, NULL, 10);
	return 0;
}

static int lieu_delete(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	long long id, uses = 0;
	const char *before;
	int rc = lieu_load(c, &o, &id, &before, 0);
	if (rc == 0)
		rc = lieu_uses(c, id, &uses);
	if (rc != 0)
		return rc;
	const char *path = lieu_path(c, o.id, arena_printf(c->a, "/%lld", id));
	const char *back = arena_printf(c->a, "%s/edit", path);
	if (uses > 0) {
		tmpl_set_bool(c->vars, "blocked", 1);
		return admin_confirm(c, c->req.method == HTTP_POST ? 409 : 200, "Supprimer le lieu",
				     "Ce lieu a servi à des rendez-vous ou des plages d'ouverture : il ne peut pas être "
				     "supprimé, l'historique en dépend. Désactivez-le plutôt (modifier le lieu, "
				     "statut « Désactivé »).", "", "", back);
	}
	if (c->req.method != HTTP_POST || !admin_checked(c, "confirm"))
		return admin_confirm(c, 200, "Supprimer le lieu",
				     "Ce lieu n'a jamais été utilisé ; il sera supprimé définitivement.",
				     arena_printf(c->a, "%s/delete", path), "Supprimer le lieu", back);
	db_begin(c->db);
	rc = db_x(c->db, "DELETE FROM lieux WHERE id = $1 AND organisation_id = $2", db_int(c->a, id), db_int(c->a, o.id));
	if (rc == 0)
		rc = admin_record(c, &o, "lieu", id, "destroy", "destroyed", before, NULL);
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc == RDV_ECONFLICT || rc == RDV_EINVAL) {
		/* A plage or RDV appeared meanwhile (foreign key): same answer as above. */
		tmpl_set_bool(c->vars, "blocked", 1);
		return admin_confirm(c, 409, "Supprimer le lieu", "Ce lieu vient d'être utilisé : désactivez-le plutôt.",
				     "", "", back);
	}
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Le lieu a été supprimé.");
	return app_redirect(c, lieu_path(c, o.id, ""));
}

ROUTE_TABLE(lieu_routes,
	{HTTP_GET, "/admin/organisations/:org_id/lieux", lieux_index, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/lieux/new", lieu_new, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/lieux", lieu_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/lieux/:id/edit", lieu_edit, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/lieux/:id", lieu_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/lieux/:id/delete", lieu_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/lieux/:id/delete", lieu_delete, ROUTE_AGENT, 0},
);
