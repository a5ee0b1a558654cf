/*
 * motifs.c - an organisation's motifs, for its admins: list with filters,
 * create (or duplicate), edit every setting of the booking core, delete
 * (explicit confirmation; soft delete when RDVs exist, so their history
 * keeps its motif; hard delete otherwise).
 *
 * Rules (reference §1.4): service never Secrétariat; max delay > min delay;
 * follow_up and for_secretariat exclusive; collectif only on site;
 * collectif and location type frozen once RDVs exist; name unique per
 * (organisation, location type, service) among live motifs.
 */
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "rdv.h"
#include "valid.h"

static const char *const loc_values[] = {"public_office", "phone", "home", "visio", NULL};
static const char *const loc_labels[] = {"Sur place", "Par téléphone", "À domicile", "En visioconférence", NULL};
static const char *const bookable_values[] = {"agents", "agents_and_prescripteurs",
					      "agents_and_prescripteurs_and_invited_users", "everyone", NULL};
static const char *const bookable_labels[] = {"Agents uniquement", "Agents et prescripteurs",
					      "Agents, prescripteurs et usagers invités", "Tout le monde (en ligne)", NULL};
static const char *const vis_values[] = {"visible_and_notified", "visible_and_not_notified", "invisible", NULL};
static const char *const vis_labels[] = {"Visible et notifié à l'usager", "Visible, sans notification",
					 "Invisible pour l'usager", NULL};
static const char *const sect_values[] = {"departement", "organisation", "agent", NULL};
static const char *const sect_labels[] = {"Tout le département", "Organisations du secteur de l'usager",
					  "Agents du secteur de l'usager", NULL};
/* Delays offered by the form (seconds), as the reference UI: 30 min to 1 year. */
static const char *const delay_values[] = {"0", "1800", "3600", "7200", "10800", "21600", "43200", "86400",
					   "172800", "259200", "604800", "1209600", "1814400", "2629746",
					   "5259492", "7889238", "15778476", "31556952", NULL};
static const char *const delay_labels[] = {"Aucun", "30 minutes", "1 heure", "2 heures", "3 heures", "6 heures",
					   "12 heures", "1 jour", "2 jours", "3 jours", "1 semaine", "2 semaines",
					   "3 semaines", "1 mois", "2 mois", "3 mois", "6 mois", "1 an", NULL};

static const char *const text_fields[] = {"name", "color", "default_duration_in_min", "service_id", "location_type",
					  "bookable_by", "min_public_booking_delay", "max_public_booking_delay",
					  "visibility_type", "sectorisation_level", "restriction_for_rdv",
					  "instruction_for_rdv", "custom_cancel_warning_message", NULL};
static const char *const bool_fields[] = {"for_secretariat", "follow_up", "collectif", "rdvs_editable_by_user",
					  "rdvs_cancellable_by_user", NULL};
#define N_TEXT 13
#define N_BOOL 5

struct motif_in {
	const char *v[N_TEXT];
	const char *b[N_BOOL];   /* "true" / "false" */
};

static const char *motif_path(struct ctx *c, long long org, const char *suffix)
{
	return arena_printf(c->a, "/admin/organisations/%lld/motifs%s", org, suffix);
}

/* Services of the territory, Secrétariat excepted (never a motif's service). */
static int service_options(struct ctx *c, const struct admin_org *o, const char *selected)
{
	PGresult *r = db_q(c->db,
		"SELECT s.id, s.name FROM services s JOIN territory_services ts ON ts.service_id = s.id"
		" WHERE ts.territory_id = $1 AND s.name <> 'Secrétariat' ORDER BY s.name", db_int(c->a, o->territory_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "service_options");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "value", db_val(r, i, 0));
		tmpl_set_var(row, "label", db_val(r, i, 1));
		tmpl_set_bool(row, "selected", selected && strcmp(selected, db_val(r, i, 0)) == 0);
	}
	PQclear(r);
	return 0;
}

static int motif_form_vars(struct ctx *c, const struct admin_org *o, const struct motif_in *in)
{
	for (int i = 0; i < N_TEXT; i++)
		tmpl_set_var(c->vars, text_fields[i], in->v[i]);
	for (int i = 0; i < N_BOOL; i++)
		tmpl_set_bool(c->vars, bool_fields[i], in->b[i] && strcmp(in->b[i], "true") == 0);
	admin_options(c, NULL, "location_options", loc_values, loc_labels, in->v[4]);
	admin_options(c, NULL, "bookable_options", bookable_values, bookable_labels, in->v[5]);
	admin_options(c, NULL, "min_delay_options", delay_values, delay_labels, in->v[6]);
	admin_options(c, NULL, "max_delay_options", delay_values + 1, delay_labels + 1, in->v[7]);
	admin_options(c, NULL, "visibility_options", vis_values, vis_labels, in->v[8]);
	admin_options(c, NULL, "sectorisation_options", sect_values, sect_labels, in->v[9]);
	return service_options(c, o, in->v[3]);
}

static void motif_defaults(struct motif_in *in)
{
	static const char *const def[N_TEXT] = {"", "#1c5dab", "30", "", "public_office", "agents", "1800", "7889238",
						"visible_and_notified", "departement", "", "", ""};
	static const char *const defb[N_BOOL] = {"false", "false", "false", "true", "true"};
	memcpy(in->v, def, sizeof(def));
	memcpy(in->b, defb, sizeof(defb));
}

/* A motif row as text fields (same order as text_fields, then bools). */
#define MOTIF_COLS "name, color, default_duration_in_min::text, service_id::text, location_type::text," \
	" bookable_by::text, min_public_booking_delay::text, max_public_booking_delay::text, visibility_type," \
	" sectorisation_level, coalesce(restriction_for_rdv, ''), coalesce(instruction_for_rdv, '')," \
	" coalesce(custom_cancel_warning_message, ''), for_secretariat::text, follow_up::text, collectif::text," \
	" rdvs_editable_by_user::text, rdvs_cancellable_by_user::text"

static void motif_from_row(struct ctx *c, const PGresult *r, int col0, struct motif_in *in)
{
	for (int i = 0; i < N_TEXT; i++)
		in->v[i] = db_dup(c->a, r, 0, col0 + i);
	for (int i = 0; i < N_BOOL; i++)
		in->b[i] = db_dup(c->a, r, 0, col0 + N_TEXT + i);
}

/* ---------------------------------------------------------------- list */

static int motifs_index(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct admin_pager p;
	admin_pager_init(c, &p);
	const char *service = admin_param(c, "service_id"), *loc = admin_param(c, "location_type");
	const char *online = admin_param(c, "online");
	long long sid = 0;
	if (service[0] && valid_id(service, &sid, NULL) != 0)
		service = "";
	int idx;
	if (loc[0] && valid_enum(loc, loc_values, &idx, NULL) != 0)
		loc = "";
	PGresult *r = db_q(c->db,
		"SELECT m.id, m.name, m.color, s.name, m.location_type, m.default_duration_in_min, m.bookable_by <> 'agents',"
		" m.collectif, count(*) OVER ()"
		" FROM motifs m JOIN services s ON s.id = m.service_id WHERE m.organisation_id = $1 AND m.deleted_at IS NULL"
		" AND ($2 = '' OR m.service_id::text = $2) AND ($3 = '' OR m.location_type::text = $3)"
		" AND ($4 = '' OR (m.bookable_by <> 'agents') = ($4 = '1'))"
		" ORDER BY s.name, m.name LIMIT 50 OFFSET $5",
		db_int(c->a, o.id), service, loc, online, db_int(c->a, p.offset));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "motifs");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "name", db_val(r, i, 1));
		tmpl_set_var(row, "color", db_val(r, i, 2));
		tmpl_set_var(row, "service", db_val(r, i, 3));
		valid_enum(db_val(r, i, 4), loc_values, &idx, NULL);
		tmpl_set_var(row, "location", loc_labels[idx]);
		tmpl_set_var(row, "duration", db_val(r, i, 5));
		tmpl_set_bool(row, "online", db_bool(r, i, 6));
		tmpl_set_bool(row, "collectif", db_bool(r, i, 7));
	}
	long long total = PQntuples(r) ? db_ll(r, 0, 8) : 0;
	PQclear(r);
	int rc = service_options(c, &o, service);
	if (rc != 0)
		return rc;
	admin_options(c, NULL, "location_options", loc_values, loc_labels, loc);
	tmpl_set_var(c->vars, "online", online);
	admin_pager_vars(c, &p, total, app_url(c, motif_path(c, o.id, arena_printf(c->a,
		"?service_id=%s&location_type=%s&online=%s&", admin_urlenc(c, service), loc, admin_urlenc(c, online)))));
	tmpl_set_var(c->vars, "title", "Motifs");
	return app_render(c, 200, "admin/motifs.tmpl");
}

/* ---------------------------------------------------------- validation */

static long long num(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

static void motif_read(struct ctx *c, struct motif_in *in)
{
	for (int i = 0; i < N_TEXT; i++)
		in->v[i] = admin_param(c, text_fields[i]);
	for (int i = 0; i < N_BOOL; i++)
		in->b[i] = admin_checked(c, bool_fields[i]) ? "true" : "false";
}

static int is_true(const char *b)
{
	return b && strcmp(b, "true") == 0;
}

static void motif_check_enums(struct admin_form *f, const struct motif_in *in)
{
	int idx;
	const char *msg;
	long long n;
	if (valid_enum(in->v[4], loc_values, &idx, NULL) != 0)
		admin_form_error(f, "location_type", "Choisissez un type de rendez-vous dans la liste.");
	if (valid_enum(in->v[5], bookable_values, &idx, NULL) != 0)
		admin_form_error(f, "bookable_by", "Choisissez qui peut réserver ce motif.");
	if (valid_enum(in->v[8], vis_values, &idx, NULL) != 0)
		admin_form_error(f, "visibility_type", "Choisissez une visibilité dans la liste.");
	if (valid_enum(in->v[9], sect_values, &idx, NULL) != 0)
		admin_form_error(f, "sectorisation_level", "Choisissez un niveau de sectorisation dans la liste.");
	if (valid_int(in->v[6], 0, 31556952, &n, &msg) != 0)
		admin_form_error(f, "min_public_booking_delay", "Le délai minimum doit être compris entre 0 et 1 an.");
	if (valid_int(in->v[7], 1800, 31556952, &n, &msg) != 0)
		admin_form_error(f, "max_public_booking_delay", "Le délai maximum doit être compris entre 30 minutes et 1 an.");
}

/* Validates the posted motif; rdvs_exist freezes collectif and location type. */
static int motif_validate(struct ctx *c, const struct admin_org *o, struct admin_form *f, struct motif_in *in,
			  const struct motif_in *old, int rdvs_exist)
{
	const char *msg;
	long long n;
	motif_read(c, in);
	if (in->v[0][0] == '\0')
		admin_form_error(f, "name", "Le nom du motif est obligatoire.");
	else if (valid_length(in->v[0], 1, 200, &msg) != 0)
		admin_form_error(f, "name", msg);
	if (valid_color(in->v[1], &msg) != 0)
		admin_form_error(f, "color", "La couleur doit être au format #RRGGBB (ex. : #1c5dab).");
	if (valid_int(in->v[2], 5, 720, &n, &msg) != 0)
		admin_form_error(f, "default_duration_in_min", "La durée doit être un nombre de minutes entre 5 et 720.");
	long long sid;
	char *ok = valid_id(in->v[3], &sid, NULL) != 0 ? NULL : db_s(c->db, c->a,
		"SELECT 1 FROM services s JOIN territory_services ts ON ts.service_id = s.id WHERE s.id = $1"
		" AND ts.territory_id = $2 AND s.name <> 'Secrétariat'", in->v[3], db_int(c->a, o->territory_id));
	if (ok == NULL)
		admin_form_error(f, "service_id", "Choisissez le service du motif (le secrétariat ne peut pas porter de motif).");
	motif_check_enums(f, in);
	if (num(in->v[7]) <= num(in->v[6]))
		admin_form_error(f, "max_public_booking_delay", "Le délai maximum de réservation doit être supérieur au délai minimum.");
	if (is_true(in->b[0]) && is_true(in->b[1]))
		admin_form_error(f, "follow_up", "Un motif de suivi ne peut pas être réservé au secrétariat : "
						 "décochez l'une des deux options.");
	if (is_true(in->b[2]) && strcmp(in->v[4], "public_office") != 0)
		admin_form_error(f, "collectif", "Un atelier collectif se tient forcément sur place.");
	if (rdvs_exist && old && strcmp(old->b[2], in->b[2]) != 0)
		admin_form_error(f, "collectif", "Des rendez-vous existent pour ce motif : il ne peut plus devenir ou "
						 "cesser d'être collectif. Créez un nouveau motif.");
	if (rdvs_exist && old && strcmp(old->v[4], in->v[4]) != 0)
		admin_form_error(f, "location_type", "Des rendez-vous existent pour ce motif : son type (sur place, "
						     "téléphone…) ne peut plus changer. Créez un nouveau motif.");
	for (int i = 10; i < 13; i++)
		if (valid_length(in->v[i], 0, 5000, &msg) != 0)
			admin_form_error(f, text_fields[i], msg);
	admin_form_summary(f);
	return f->n_errors;
}

static const char *const *motif_params(struct ctx *c, const struct motif_in *in, long long first_id)
{
	const char **p = arena_calloc(c->a, 1 + N_TEXT + N_BOOL, sizeof(*p));
	if (p == NULL)
		return NULL;
	p[0] = db_int(c->a, first_id);
	for (int i = 0; i < N_TEXT; i++)
		p[1 + i] = i >= 10 && in->v[i][0] == '\0' ? NULL : in->v[i];
	for (int i = 0; i < N_BOOL; i++)
		p[1 + N_TEXT + i] = in->b[i];
	return p;
}

static int motif_conflict(struct ctx *c, struct admin_form *f, int rc)
{
	if (rc != RDV_ECONFLICT && rc != RDV_EINVAL)
		return rc;
	admin_form_error(f, "name", rc == RDV_ECONFLICT
		? "Un motif de ce nom existe déjà pour ce service et ce type de rendez-vous."
		: "Le motif ne respecte pas les règles de cohérence (délais, suivi, collectif).");
	admin_form_summary(f);
	return 0;
}

/* ---------------------------------------------------------- create */

static int motif_new(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct motif_in in;
	motif_defaults(&in);
	long long from = 0;
	if (valid_id(http_param(&c->req, "from"), &from, NULL) == 0) {
		PGresult *r = db_q(c->db, "SELECT " MOTIF_COLS " FROM motifs WHERE id = $1 AND organisation_id = $2",
				   db_int(c->a, from), db_int(c->a, o.id));
		if (r == NULL)
			return c->db->err;
		if (PQntuples(r) == 1) {
			motif_from_row(c, r, 0, &in);
			in.v[0] = arena_printf(c->a, "%s (copie)", in.v[0]);
		}
		PQclear(r);
	}
	tmpl_set_var(c->vars, "title", "Nouveau motif");
	tmpl_set_var(c->vars, "form_action", app_url(c, motif_path(c, o.id, "")));
	int rc = motif_form_vars(c, &o, &in);
	return rc ? rc : app_render(c, 200, "admin/motif_form.tmpl");
}

static int motif_create(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	struct admin_form f = {c, 0};
	struct motif_in in;
	tmpl_set_var(c->vars, "title", "Nouveau motif");
	tmpl_set_var(c->vars, "form_action", app_url(c, motif_path(c, o.id, "")));
	if (motif_validate(c, &o, &f, &in, NULL, 0)) {
		int rc = motif_form_vars(c, &o, &in);
		return rc ? rc : app_render(c, 422, "admin/motif_form.tmpl");
	}
	db_begin(c->db);
	PGresult *r = db_query(c->db,
		"INSERT INTO motifs (organisation_id, name, color, default_duration_in_min, service_id, location_type,"
		" bookable_by, min_public_booking_delay, max_public_booking_delay, visibility_type, sectorisation_level,"
		" restriction_for_rdv, instruction_for_rdv, custom_cancel_warning_message, for_secretariat, follow_up,"
		" collectif, rdvs_editable_by_user, rdvs_cancellable_by_user) VALUES ($1, $2, $3, $4::int, $5::bigint,"
		" $6::location_type, $7::bookable_by, $8::int, $9::int, $10, $11, $12, $13, $14, $15::boolean, $16::boolean,"
		" $17::boolean, $18::boolean, $19::boolean) RETURNING id, to_jsonb(motifs.*)",
		1 + N_TEXT + N_BOOL, motif_params(c, &in, o.id));
	if (r == NULL) {
		int rc = c->db->err;
		db_rollback(c->db);
		if ((rc = motif_conflict(c, &f, rc)) != 0 || (rc = motif_form_vars(c, &o, &in)) != 0)
			return rc;
		return app_render(c, 422, "admin/motif_form.tmpl");
	}
	long long id = db_ll(r, 0, 0);
	const char *after = db_dup(c->a, r, 0, 1);
	PQclear(r);
	int rc = admin_record(c, &o, "motif", id, "create", "created", NULL, after);
	return admin_commit_redirect(c, rc, "Le motif a été créé.", motif_path(c, o.id, ""));
}

/* ---------------------------------------------------------- edit */

/* The live motif :id of the organisation: its settings, JSON and RDV count. */
static int motif_load(struct ctx *c, const struct admin_org *o, long long *id, struct motif_in *in,
		      const char **json, long long *rdvs)
{
	*id = route_id(&c->match, "id");
	PGresult *r = db_q(c->db,
		"SELECT to_jsonb(m), (SELECT count(*) FROM rdvs WHERE motif_id = m.id), " MOTIF_COLS
		" FROM motifs m WHERE id = $1 AND organisation_id = $2 AND deleted_at IS NULL",
		db_int(c->a, *id), db_int(c->a, o->id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	*json = db_dup(c->a, r, 0, 0);
	*rdvs = db_ll(r, 0, 1);
	motif_from_row(c, r, 2, in);
	PQclear(r);
	tmpl_set_int(c->vars, "motif_id", *id);
	tmpl_set_bool(c->vars, "editing", 1);
	tmpl_set_bool(c->vars, "frozen", *rdvs > 0);
	tmpl_set_var(c->vars, "crumb_parent", "Motifs");
	tmpl_set_var(c->vars, "crumb_parent_url", app_url(c, motif_path(c, o->id, "")));
	tmpl_set_var(c->vars, "title", "Modifier le motif");
	tmpl_set_var(c->vars, "form_action", app_url(c, motif_path(c, o->id, arena_printf(c->a, "/%lld", *id))));
	return 0;
}

static int motif_edit(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	long long id, rdvs;
	struct motif_in in;
	const char *json;
	int rc = motif_load(c, &o, &id, &in, &json, &rdvs);
	if (rc == 0)
		rc = motif_form_vars(c, &o, &in);
	return rc ? rc : app_render(c, 200, "admin/motif_form.tmpl");
}

static int motif_update(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	long long id, rdvs;
	struct motif_in old, in;
	const char *before;
	int rc = motif_load(c, &o, &id, &old, &before, &rdvs);
	if (rc != 0)
		return rc;
	struct admin_form f = {c, 0};
	if (motif_validate(c, &o, &f, &in, &old, rdvs > 0)) {
		rc = motif_form_vars(c, &o, &in);
		return rc ? rc : app_render(c, 422, "admin/motif_form.tmpl");
	}
	db_begin(c->db);
	PGresult *r = db_query(c->db,
		"UPDATE motifs SET name = $2, color = $3, default_duration_in_min = $4::int, service_id = $5::bigint,"
		" location_type = $6::location_type, bookable_by = $7::bookable_by, min_public_booking_delay = $8::int,"
		" max_public_booking_delay = $9::int, visibility_type = $10, sectorisation_level = $11,"
		" restriction_for_rdv = $12, instruction_for_rdv = $13, custom_cancel_warning_message = $14,"
		" for_secretariat = $15::boolean, follow_up = $16::boolean, collectif = $17::boolean,"
		" rdvs_editable_by_user = $18::boolean, rdvs_cancellable_by_user = $19::boolean"
		" WHERE id = $1 AND deleted_at IS NULL RETURNING to_jsonb(motifs.*)",
		1 + N_TEXT + N_BOOL, motif_params(c, &in, id));
	if (r == NULL) {
		rc = c->db->err;
		db_rollback(c->db);
		if ((rc = motif_conflict(c, &f, rc)) != 0 || (rc = motif_form_vars(c, &o, &in)) != 0)
			return rc;
		return app_render(c, 422, "admin/motif_form.tmpl");
	}
	const char *after = PQntuples(r) == 1 ? db_dup(c->a, r, 0, 0) : NULL;
	PQclear(r);
	if (after == NULL)
		return RDV_ENOTFOUND;
	rc = admin_record(c, &o, "motif", id, "update", "updated", before, after);
	return admin_commit_redirect(c, rc, "Le motif a été modifié.", motif_path(c, o.id, ""));
}

/* ---------------------------------------------------------- delete */

static int motif_delete(struct ctx *c)
{
	struct admin_org o;
	if (admin_org(c, &o))
		return 0;
	long long id, rdvs;
	struct motif_in in;
	const char *before;
	int rc = motif_load(c, &o, &id, &in, &before, &rdvs);
	if (rc != 0)
		return rc;
	const char *path = motif_path(c, o.id, arena_printf(c->a, "/%lld", id));
	if (c->req.method != HTTP_POST || !admin_checked(c, "confirm")) {
		tmpl_set_var(c->vars, "crumb_parent", "Motifs");
		return admin_confirm(c, 200, "Supprimer le motif", rdvs > 0
			? arena_printf(c->a, "« %s » a %lld rendez-vous : il sera retiré des listes et de la réservation en "
					     "ligne, mais conservé dans l'historique de ces rendez-vous.", in.v[0], rdvs)
			: arena_printf(c->a, "« %s » n'a aucun rendez-vous : il sera supprimé définitivement, ainsi que "
					     "son rattachement aux plages d'ouverture.", in.v[0]),
			arena_printf(c->a, "%s/delete", path), "Supprimer le motif", arena_printf(c->a, "%s/edit", path));
	}
	db_begin(c->db);
	const char *mid = db_int(c->a, id);
	/* Soft delete when RDVs point to it (their history keeps the motif);
	 * otherwise the row goes, with its links to plages. */
	if (rdvs > 0) {
		rc = db_x(c->db, "UPDATE motifs SET deleted_at = now() WHERE id = $1", mid);
	} else {
		rc = db_x(c->db, "DELETE FROM plage_ouverture_motifs WHERE motif_id = $1", mid);
		if (rc == 0)
			rc = db_x(c->db, "DELETE FROM motifs WHERE id = $1", mid);
	}
	if (rc == 0)
		rc = admin_record(c, &o, "motif", id, rdvs > 0 ? "soft_destroy" : "destroy", "destroyed", before, NULL);
	return admin_commit_redirect(c, rc, "Le motif a été supprimé.", motif_path(c, o.id, ""));
}

ROUTE_TABLE(motif_routes,
	{HTTP_GET, "/admin/organisations/:org_id/motifs", motifs_index, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/motifs/new", motif_new, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/motifs", motif_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/motifs/:id/edit", motif_edit, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/motifs/:id", motif_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/admin/organisations/:org_id/motifs/:id/delete", motif_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/admin/organisations/:org_id/motifs/:id/delete", motif_delete, ROUTE_AGENT, 0},
);
