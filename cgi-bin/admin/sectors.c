/*
 * sectors.c - sectorisation of a territory, for territory admins: secteurs
 * (name, human id), their zones (a commune, or a street of a commune), their
 * attributions (to an organisation, or to an agent within one), the zones
 * CSV import (dry run listing every bad line, nothing changes until the
 * confirmation) and export, and "tester une adresse".
 *
 * The import text comes from a <textarea> (the http layer parses urlencoded
 * bodies only; templates/static/admin.js fills it from a chosen file). Its
 * size is bounded by RDV_MAX_BODY (1 MiB by default: ~30,000 zone lines).
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "csv.h"
#include "rdv.h"
#include "sector.h"
#include "valid.h"

static const char *terr_path(struct ctx *c, long long terr, const char *suffix)
{
	return arena_printf(c->a, "/admin/territories/%lld%s", terr, suffix);
}

/* ------------------------------------------------------------- secteurs */

static int sectors_render(struct ctx *c, const struct admin_territory *t, int status)
{
	struct admin_pager p;
	admin_pager_init(c, &p);
	PGresult *r = db_q(c->db,
		"SELECT s.id, s.name, s.human_id, (SELECT count(*) FROM zones WHERE sector_id = s.id),"
		" (SELECT string_agg(o.name || coalesce(' – ' || a.first_name || ' ' || a.last_name, ''), ', ')"
		"   FROM sector_attributions sa JOIN organisations o ON o.id = sa.organisation_id"
		"   LEFT JOIN agents a ON a.id = sa.agent_id WHERE sa.sector_id = s.id), count(*) OVER ()"
		" FROM sectors s WHERE s.territory_id = $1 ORDER BY s.name, s.id LIMIT 50 OFFSET $2",
		db_int(c->a, t->id), db_int(c->a, p.offset));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "sectors");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		static const char *const names[] = {"id", "name", "human_id", "zones", "attributions"};
		for (int j = 0; j < 5; j++)
			tmpl_set_var(row, names[j], db_val(r, i, j));
	}
	long long total = PQntuples(r) ? db_ll(r, 0, 5) : 0;
	PQclear(r);
	admin_pager_vars(c, &p, total, app_url(c, terr_path(c, t->id, "/sectors?")));
	tmpl_set_var(c->vars, "title", "Sectorisation");
	return app_render(c, status, "admin/sectors.tmpl");
}

static int sectors_index(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	return sectors_render(c, &t, 200);
}

static int sector_validate(struct ctx *c, struct admin_form *f, const char **name, const char **hid)
{
	*name = admin_param(c, "name");
	*hid = admin_param(c, "human_id");
	tmpl_set_var(c->vars, "name", *name);
	tmpl_set_var(c->vars, "human_id", *hid);
	const char *msg;
	if ((*name)[0] == '\0')
		admin_form_error(f, "name", "Le nom du secteur est obligatoire.");
	else if (valid_length(*name, 1, 200, &msg) != 0)
		admin_form_error(f, "name", msg);
	if (!sector_valid_human_id(*hid))
		admin_form_error(f, "human_id", "L'identifiant est obligatoire : lettres minuscules, chiffres, « - » et "
						"« _ », 64 caractères au plus (ex. : arras-centre).");
	admin_form_summary(f);
	return f->n_errors;
}

static int sector_create(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	struct admin_form f = {c, 0};
	const char *name, *hid;
	if (sector_validate(c, &f, &name, &hid))
		return sectors_render(c, &t, 422);
	db_begin(c->db);
	PGresult *r = db_q(c->db, "INSERT INTO sectors (territory_id, name, human_id) VALUES ($1, $2, $3)"
				  " RETURNING id, to_jsonb(sectors.*)", db_int(c->a, t.id), name, hid);
	if (r == NULL) {
		int rc = c->db->err;
		db_rollback(c->db);
		if (rc != RDV_ECONFLICT)
			return rc;
		admin_form_error(&f, "human_id", "Un secteur du territoire a déjà cet identifiant.");
		admin_form_summary(&f);
		return sectors_render(c, &t, 422);
	}
	long long id = db_ll(r, 0, 0);
	int rc = admin_audit(c, 0, t.id, "sector", id, "create", NULL, db_val(r, 0, 1));
	PQclear(r);
	return admin_commit_redirect(c, rc, "Le secteur a été créé. Ajoutez-lui des zones et des attributions.",
				     terr_path(c, t.id, arena_printf(c->a, "/sectors/%lld", id)));
}

/* The sector :id of the territory: its JSON, or NULL (404). */
static const char *sector_load(struct ctx *c, const struct admin_territory *t, long long *id)
{
	*id = route_id(&c->match, "id");
	PGresult *r = db_q(c->db, "SELECT to_jsonb(s), name, human_id FROM sectors s WHERE id = $1 AND territory_id = $2",
			   db_int(c->a, *id), db_int(c->a, t->id));
	if (r == NULL || PQntuples(r) != 1) {
		PQclear(r);
		return NULL;
	}
	const char *json = db_dup(c->a, r, 0, 0);
	tmpl_set_var(c->vars, "sector_name", db_val(r, 0, 1));
	tmpl_set_var(c->vars, "name", db_val(r, 0, 1));
	tmpl_set_var(c->vars, "human_id", db_val(r, 0, 2));
	tmpl_set_var(c->vars, "sector_human_id", db_val(r, 0, 2));
	tmpl_set_int(c->vars, "sector_id", *id);
	tmpl_set_var(c->vars, "crumb_parent", "Sectorisation");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, terr_path(c, t->id, "/sectors")));
	PQclear(r);
	return json;
}

static int sector_page_loops(struct ctx *c, const struct admin_territory *t, long long id)
{
	PGresult *r = db_q(c->db,
		"SELECT id, level, city_code, city_name, coalesce(street_name, ''), coalesce(street_ban_id, '')"
		" FROM zones WHERE sector_id = $1 ORDER BY city_name, level, street_name LIMIT 2000", db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "zones");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		static const char *const names[] = {"id", "level", "city_code", "city_name", "street_name", "street_ban_id"};
		for (int j = 0; j < 6; j++)
			tmpl_set_var(row, names[j], db_val(r, i, j));
	}
	PQclear(r);
	r = db_q(c->db,
		"SELECT sa.id, o.name, coalesce(a.first_name || ' ' || a.last_name, '') FROM sector_attributions sa"
		" JOIN organisations o ON o.id = sa.organisation_id LEFT JOIN agents a ON a.id = sa.agent_id"
		" WHERE sa.sector_id = $1 ORDER BY o.name, 3", db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	l = tmpl_add_loop(c->vars, "attributions");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "organisation", db_val(r, i, 1));
		tmpl_set_var(row, "agent", db_val(r, i, 2));
	}
	PQclear(r);
	r = db_q(c->db, "SELECT id, name FROM organisations WHERE territory_id = $1 ORDER BY name", db_int(c->a, t->id));
	if (r == NULL)
		return c->db->err;
	l = tmpl_add_loop(c->vars, "organisations");
	const char *chosen = tmpl_get_var(c->vars, "a_organisation_id");   /* the attribution form, as posted */
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_bool(row, "selected", chosen != NULL && strcmp(chosen, db_val(r, i, 0)) == 0);
	}
	PQclear(r);
	return 0;
}

static int sector_render(struct ctx *c, const struct admin_territory *t, long long id, int status)
{
	int rc = sector_page_loops(c, t, id);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", arena_printf(c->a, "Secteur %s", tmpl_get_var(c->vars, "sector_name")));
	return app_render(c, status, "admin/sector.tmpl");
}

static int sector_show(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id;
	if (sector_load(c, &t, &id) == NULL)
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	return sector_render(c, &t, id, 200);
}

static int sector_update(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id;
	const char *before = sector_load(c, &t, &id);
	if (before == NULL)
		return RDV_ENOTFOUND;
	struct admin_form f = {c, 0};
	const char *name, *hid;
	if (sector_validate(c, &f, &name, &hid))
		return sector_render(c, &t, id, 422);
	db_begin(c->db);
	char *after = db_s(c->db, c->a, "UPDATE sectors SET name = $2, human_id = $3 WHERE id = $1 RETURNING to_jsonb(sectors.*)",
			   db_int(c->a, id), name, hid);
	int rc = after ? admin_audit(c, 0, t.id, "sector", id, "update", before, after) : c->db->err;
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc == RDV_ECONFLICT) {
		db_rollback(c->db);
		admin_form_error(&f, "human_id", "Un secteur du territoire a déjà cet identifiant.");
		admin_form_summary(&f);
		return sector_render(c, &t, id, 422);
	}
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Le secteur a été modifié.");
	return app_redirect(c, terr_path(c, t.id, arena_printf(c->a, "/sectors/%lld", id)));
}

static int sector_delete(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id;
	const char *before = sector_load(c, &t, &id);
	if (before == NULL)
		return RDV_ENOTFOUND;
	const char *path = terr_path(c, t.id, arena_printf(c->a, "/sectors/%lld", id));
	if (c->req.method != HTTP_POST || !admin_checked(c, "confirm"))
		return admin_confirm(c, 200, "Supprimer le secteur",
				     "Le secteur, ses zones et ses attributions seront supprimés : les adresses de ces zones "
				     "ne seront plus orientées vers ses organisations et agents.",
				     arena_printf(c->a, "%s/delete", path), "Supprimer le secteur", path);
	db_begin(c->db);
	int rc = db_x(c->db, "DELETE FROM sectors WHERE id = $1", db_int(c->a, id));
	if (rc == 0)
		rc = admin_audit(c, 0, t.id, "sector", id, "destroy", before, NULL);
	return admin_commit_redirect(c, rc, "Le secteur a été supprimé.", terr_path(c, t.id, "/sectors"));
}

/* ----------------------------------------------------------------- zones */

/* Ends a change to a sector's zones or attributions (rc: the change so
 * far): commits, then back to the sector page with done as the message. A
 * conflict (already there) re-renders the page, conflict next to field. */
static int sector_child_done(struct ctx *c, const struct admin_territory *t, long long id, int rc,
			     struct admin_form *f, const char *field, const char *conflict, const char *done)
{
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc == RDV_ECONFLICT && f != NULL) {
		db_rollback(c->db);
		admin_form_error(f, field, conflict);
		admin_form_summary(f);
		return sector_render(c, t, id, 422);
	}
	if (rc != 0)
		return rc;
	app_flash(c, "success", done);
	return app_redirect(c, terr_path(c, t->id, arena_printf(c->a, "/sectors/%lld", id)));
}

static int zone_create(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id;
	if (sector_load(c, &t, &id) == NULL)
		return RDV_ENOTFOUND;
	const char *city = admin_param(c, "city_code"), *street = admin_param(c, "street_ban_id");
	const char *city_name = admin_param(c, "city_name"), *street_name = admin_param(c, "street_name");
	struct admin_form f = {c, 0};
	if (!sector_valid_city_code(city) || strncmp(city, t.departement, strlen(t.departement)) != 0)
		admin_form_error(&f, "city_code", arena_printf(c->a, "Le code commune doit être un code INSEE du "
								    "département %s (5 caractères).", t.departement));
	else if (street[0] && !sector_valid_street_id(street, city))
		admin_form_error(&f, "street_ban_id", arena_printf(c->a, "L'identifiant de voie doit commencer par « %s_ ».", city));
	tmpl_set_var(c->vars, "z_city_code", city);
	tmpl_set_var(c->vars, "z_city_name", city_name);
	tmpl_set_var(c->vars, "z_street_ban_id", street);
	tmpl_set_var(c->vars, "z_street_name", street_name);
	admin_form_summary(&f);
	if (f.n_errors)
		return sector_render(c, &t, id, 422);
	db_begin(c->db);
	/* Names default to the address base's when left empty. */
	char *after = db_s(c->db, c->a,
		"INSERT INTO zones (sector_id, level, city_code, city_name, street_name, street_ban_id)"
		" VALUES ($1, CASE WHEN $3 = '' THEN 'city' ELSE 'street' END, $2,"
		"  coalesce(nullif($4, ''), (SELECT nom_commune FROM addresses WHERE code_insee = $2 LIMIT 1), $2),"
		"  CASE WHEN $3 = '' THEN NULL ELSE coalesce(nullif($5, ''), (SELECT nom_voie FROM addresses"
		"   WHERE street_id = $3 LIMIT 1), $3) END, nullif($3, '')) RETURNING to_jsonb(zones.*)",
		db_int(c->a, id), city, street, city_name, street_name);
	int rc = after ? admin_audit(c, 0, t.id, "zone", id, "create", NULL, after) : c->db->err;
	return sector_child_done(c, &t, id, rc, &f, "city_code", "Cette zone fait déjà partie du secteur.", "La zone a été ajoutée.");
}

static int zone_delete(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id;
	if (sector_load(c, &t, &id) == NULL)
		return RDV_ENOTFOUND;
	db_begin(c->db);
	char *before = db_s(c->db, c->a, "DELETE FROM zones WHERE id = $1 AND sector_id = $2 RETURNING to_jsonb(zones.*)",
			    db_int(c->a, route_id(&c->match, "zone_id")), db_int(c->a, id));
	int rc = before ? admin_audit(c, 0, t.id, "zone", id, "destroy", before, NULL) : (c->db->err ? c->db->err : RDV_ENOTFOUND);
	return sector_child_done(c, &t, id, rc, NULL, NULL, NULL, "La zone a été retirée du secteur.");
}

static int attribution_create(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id, org, agent = 0;
	if (sector_load(c, &t, &id) == NULL)
		return RDV_ENOTFOUND;
	const char *agent_email = admin_param(c, "agent_email");
	tmpl_set_var(c->vars, "a_organisation_id", admin_param(c, "organisation_id"));
	tmpl_set_var(c->vars, "a_agent_email", agent_email);
	struct admin_form f = {c, 0};
	if (valid_id(admin_param(c, "organisation_id"), &org, NULL) != 0 ||
	    db_s(c->db, c->a, "SELECT 1 FROM organisations WHERE id = $1 AND territory_id = $2",
		 db_int(c->a, org), db_int(c->a, t.id)) == NULL) {
		admin_form_error(&f, "organisation_id", "Choisissez une organisation du territoire.");
	} else if (agent_email[0]) {
		char *aid = db_s(c->db, c->a, "SELECT a.id FROM agents a JOIN agent_roles ar ON ar.agent_id = a.id"
					      " WHERE a.email = $1 AND ar.organisation_id = $2 AND a.deleted_at IS NULL",
				 agent_email, db_int(c->a, org));
		if (aid == NULL)
			admin_form_error(&f, "agent_email", "Aucun agent de cette organisation n'a cet e-mail.");
		else
			agent = strtoll(aid, NULL, 10);
	}
	admin_form_summary(&f);
	if (f.n_errors)
		return sector_render(c, &t, id, 422);
	db_begin(c->db);
	char *after = db_s(c->db, c->a,
		"INSERT INTO sector_attributions (sector_id, organisation_id, level, agent_id)"
		" VALUES ($1, $2, CASE WHEN $3::bigint IS NULL THEN 'organisation' ELSE 'agent' END, $3::bigint)"
		" RETURNING to_jsonb(sector_attributions.*)",
		db_int(c->a, id), db_int(c->a, org), agent ? db_int(c->a, agent) : NULL);
	int rc = after ? admin_audit(c, org, t.id, "sector_attribution", id, "create", NULL, after) : c->db->err;
	return sector_child_done(c, &t, id, rc, &f, "organisation_id", "Cette attribution existe déjà.", "L'attribution a été ajoutée.");
}

static int attribution_delete(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	long long id;
	if (sector_load(c, &t, &id) == NULL)
		return RDV_ENOTFOUND;
	db_begin(c->db);
	char *before = db_s(c->db, c->a,
		"DELETE FROM sector_attributions WHERE id = $1 AND sector_id = $2 RETURNING to_jsonb(sector_attributions.*)",
		db_int(c->a, route_id(&c->match, "attr_id")), db_int(c->a, id));
	int rc = before ? admin_audit(c, 0, t.id, "sector_attribution", id, "destroy", before, NULL)
			: (c->db->err ? c->db->err : RDV_ENOTFOUND);
	return sector_child_done(c, &t, id, rc, NULL, NULL, NULL, "L'attribution a été retirée.");
}

/* ------------------------------------------------------------ CSV import */

/* Checks the parsed rows against the territory's sectors (unknown human ids
 * are line errors too) and counts what would be created / updated. */
static int import_check(struct ctx *c, const struct admin_territory *t, struct sector_csv_result *res,
			long long *creates, long long *updates)
{
	*creates = *updates = 0;
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct sector_zone_row *z = &res->rows[i];
		PGresult *r = db_q(c->db,
			"SELECT s.id, EXISTS (SELECT 1 FROM zones WHERE sector_id = s.id AND city_code = $3 AND"
			" ((level = 'city' AND $4::text IS NULL) OR (level = 'street' AND street_ban_id = $4)))"
			" FROM sectors s WHERE s.territory_id = $1 AND s.human_id = $2",
			db_int(c->a, t->id), z->sector_human_id, z->city_code, z->street_ban_id);
		if (r == NULL)
			return c->db->err;
		if (PQntuples(r) == 0) {
			struct sector_csv_error *e = arena_alloc(c->a, (res->n_errors + 1) * sizeof(*e));
			if (e == NULL) {
				PQclear(r);
				return RDV_ENOMEM;
			}
			if (res->n_errors > 0)
				memcpy(e, res->errors, res->n_errors * sizeof(*e));
			e[res->n_errors++] = (struct sector_csv_error){z->line, arena_printf(c->a,
				"Secteur « %s » inconnu dans le territoire : créez-le d'abord.", z->sector_human_id)};
			res->errors = e;
		} else if (db_bool(r, 0, 1)) {
			(*updates)++;
		} else {
			(*creates)++;
		}
		PQclear(r);
	}
	return 0;
}

static int cmp_error(const void *a, const void *b)
{
	const struct sector_csv_error *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

static int import_apply(struct ctx *c, const struct admin_territory *t, const struct sector_csv_result *res)
{
	for (size_t i = 0; i < res->n_rows; i++) {
		const struct sector_zone_row *z = &res->rows[i];
		/* Rows override existing zones (names refreshed), as the reference import. */
		int rc = db_x(c->db,
			"WITH s AS (SELECT id FROM sectors WHERE territory_id = $1 AND human_id = $2),"
			" upd AS (UPDATE zones SET city_name = coalesce(nullif($4, ''), city_name),"
			"   street_name = CASE WHEN $5::text IS NULL THEN NULL ELSE coalesce(nullif($6, ''), street_name) END"
			"  WHERE sector_id = (SELECT id FROM s) AND city_code = $3 AND"
			"   ((level = 'city' AND $5::text IS NULL) OR (level = 'street' AND street_ban_id = $5)) RETURNING id)"
			" INSERT INTO zones (sector_id, level, city_code, city_name, street_name, street_ban_id)"
			" SELECT (SELECT id FROM s), CASE WHEN $5::text IS NULL THEN 'city' ELSE 'street' END, $3,"
			"  coalesce(nullif($4, ''), (SELECT nom_commune FROM addresses WHERE code_insee = $3 LIMIT 1), $3),"
			"  CASE WHEN $5::text IS NULL THEN NULL ELSE coalesce(nullif($6, ''), (SELECT nom_voie FROM"
			"   addresses WHERE street_id = $5 LIMIT 1), $5) END, $5"
			" WHERE NOT EXISTS (SELECT 1 FROM upd)",
			db_int(c->a, t->id), z->sector_human_id, z->city_code, z->city_name, z->street_ban_id,
			z->street_name);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int import_form(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	tmpl_set_var(c->vars, "title", "Importer des zones");
	tmpl_set_var(c->vars, "crumb_parent", "Sectorisation");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, terr_path(c, t.id, "/sectors")));
	return app_render(c, 200, "admin/zones_import.tmpl");
}

static int import_report(struct ctx *c, struct sector_csv_result *res, long long creates, long long updates)
{
	if (res->n_errors > 1)
		qsort(res->errors, res->n_errors, sizeof(*res->errors), cmp_error);
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "import_errors");
	for (size_t i = 0; i < res->n_errors && i < 1000; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		if (res->errors[i].line > 0)
			tmpl_set_int(row, "line", res->errors[i].line);
		tmpl_set_var(row, "message", res->errors[i].message);
	}
	/* "0" would be a true condition in the template: set only when there are errors. */
	if (res->n_errors > 0)
		tmpl_set_int(c->vars, "n_errors", (long long)res->n_errors);
	tmpl_set_int(c->vars, "n_rows", (long long)res->n_rows);
	tmpl_set_int(c->vars, "n_creates", creates);
	tmpl_set_int(c->vars, "n_updates", updates);
	tmpl_set_bool(c->vars, "dry_run_done", 1);
	tmpl_set_bool(c->vars, "can_confirm", res->n_errors == 0 && res->n_rows > 0);
	return app_render(c, res->n_errors ? 422 : 200, "admin/zones_import.tmpl");
}

static int import_run(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	const char *csv = http_param(&c->req, "csv");
	tmpl_set_var(c->vars, "title", "Importer des zones");
	tmpl_set_var(c->vars, "crumb_parent", "Sectorisation");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, terr_path(c, t.id, "/sectors")));
	tmpl_set_var(c->vars, "csv", csv);
	struct sector_csv_result res;
	int rc = sector_zones_csv_parse(c->a, csv, csv ? strlen(csv) : 0, t.departement, &res);
	if (rc == RDV_ENOMEM)
		return rc;
	long long creates = 0, updates = 0;
	if (rc == 0 && (rc = import_check(c, &t, &res, &creates, &updates)) != 0)
		return rc;
	/* Anything wrong, or no confirmation yet: report, change nothing. */
	if (res.n_errors > 0 || res.n_rows == 0 || !admin_checked(c, "confirm"))
		return import_report(c, &res, creates, updates);
	db_begin(c->db);
	rc = import_apply(c, &t, &res);
	if (rc == 0)
		rc = admin_audit(c, 0, t.id, "zone_import", 0, "import", NULL,
				 arena_printf(c->a, "{\"rows\": %zu, \"created\": %lld, \"updated\": %lld}",
					      res.n_rows, creates, updates));
	const char *done = arena_printf(c->a, "Import terminé : %lld zone(s) créée(s), %lld mise(s) à jour.",
					creates, updates);
	return admin_commit_redirect(c, rc, done, terr_path(c, t.id, "/sectors"));
}

static int zones_export(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	PGresult *r = db_q(c->db,
		"SELECT s.name, s.human_id, z.city_code, z.city_name, coalesce(z.street_name, ''),"
		" coalesce(z.street_ban_id, '') FROM zones z JOIN sectors s ON s.id = z.sector_id"
		" WHERE s.territory_id = $1 ORDER BY s.human_id, z.city_code, z.level, z.street_ban_id",
		db_int(c->a, t.id));
	if (r == NULL)
		return c->db->err;
	struct csv_writer w;
	int rc = csv_begin(&w, &c->res, "zones.csv");
	static const char *const head[] = {"sector_name", "sector_id", "city_code", "city_name", "street_name", "street_code"};
	if (rc == 0)
		rc = csv_row(&w, head, 6);
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		const char *cells[6];
		for (int j = 0; j < 6; j++)
			cells[j] = db_val(r, i, j);
		rc = csv_row(&w, cells, 6);
	}
	PQclear(r);
	int rc2 = csv_end(&w);
	return rc ? rc : rc2;
}

/* ------------------------------------------------------- test an address */

static void route_loops(struct ctx *c, const struct sector_match *m)
{
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "route_sectors");
	for (size_t i = 0; i < m->n_sectors; i++) {
		char *name = db_s(c->db, c->a, "SELECT name || ' (' || human_id || ')' FROM sectors WHERE id = $1",
				  db_int(c->a, m->sector_ids[i]));
		tmpl_set_var(tmpl_loop_add_row(l), "name", name);
	}
	l = tmpl_add_loop(c->vars, "route_organisations");
	for (size_t i = 0; i < m->n_organisations; i++) {
		char *name = db_s(c->db, c->a, "SELECT name FROM organisations WHERE id = $1",
				  db_int(c->a, m->organisation_ids[i]));
		tmpl_set_var(tmpl_loop_add_row(l), "name", name);
	}
	l = tmpl_add_loop(c->vars, "route_agents");
	for (size_t i = 0; i < m->n_agents; i++) {
		char *name = db_s(c->db, c->a,
			"SELECT a.first_name || ' ' || a.last_name || ' (' || o.name || ')' FROM agents a, organisations o"
			" WHERE a.id = $1 AND o.id = $2", db_int(c->a, m->agent_ids[i]),
			db_int(c->a, m->agent_organisation_ids[i]));
		tmpl_set_var(tmpl_loop_add_row(l), "name", name);
	}
}

static int address_test(struct ctx *c)
{
	struct admin_territory t;
	if (admin_territory(c, &t, RIGHT_TERRITORY_ADMIN))
		return 0;
	const char *q = admin_param(c, "address");
	tmpl_set_var(c->vars, "title", "Tester une adresse");
	tmpl_set_var(c->vars, "crumb_parent", "Sectorisation");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, terr_path(c, t.id, "/sectors")));
	tmpl_set_var(c->vars, "address", q);
	if (q[0] == '\0')
		return app_render(c, 200, "admin/address_test.tmpl");
	/* The best match of the address base (trigram similarity, as the public search). */
	PGresult *r = db_q(c->db,
		"SELECT label, code_insee, street_id FROM addresses WHERE search % rdv_fold($1)"
		" ORDER BY similarity(search, rdv_fold($1)) DESC, label LIMIT 1", q);
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) == 0) {
		PQclear(r);
		tmpl_set_var(c->vars, "page_error", "Adresse introuvable dans la base adresse. Précisez le numéro, la voie et la commune.");
		return app_render(c, 422, "admin/address_test.tmpl");
	}
	const char *label = db_dup(c->a, r, 0, 0), *city = db_dup(c->a, r, 0, 1), *street = db_dup(c->a, r, 0, 2);
	PQclear(r);
	tmpl_set_var(c->vars, "found_label", label);
	tmpl_set_var(c->vars, "found_city_code", city);
	tmpl_set_var(c->vars, "found_street_id", street);
	struct sector_match m;
	int rc = sector_route(c->db, c->a, t.id, city, street, &m);
	if (rc != 0)
		return rc;
	route_loops(c, &m);
	tmpl_set_bool(c->vars, "tested", 1);
	return app_render(c, 200, "admin/address_test.tmpl");
}

ROUTE_TABLE(sector_routes,
	{HTTP_GET, "/admin/territories/:terr_id/sectors", sectors_index, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/sectors", sector_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/sectors/:id", sector_show, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/sectors/:id", sector_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/sectors/:id/delete", sector_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/sectors/:id/delete", sector_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/sectors/:id/zones", zone_create, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/sectors/:id/zones/:zone_id/delete", zone_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/sectors/:id/attributions", attribution_create, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/sectors/:id/attributions/:attr_id/delete", attribution_delete, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/zones/import", import_form, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/territories/:terr_id/zones/import", import_run, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/zones.csv", zones_export, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/territories/:terr_id/sectorisation_test", address_test, ROUTE_AGENT, 0},
);
