/*
 * rdvs.c - the agent's RDV pages: list (filters, pages, print), creation
 * form (by hand or from a free slot) with the warnings to confirm, RDV page
 * (details, participants, history, actions), edit, status, cancel, delete,
 * participants of collective RDVs, and the JSON move used by the agenda's
 * drag and drop. Rules live in lib/rdvs; this file parses and renders.
 */
#include <stdlib.h>
#include <string.h>

#include "booking.h"
#include "rdv.h"
#include "occurrences.h"
#include "rdvs.h"
#include "tz.h"
#include "usager.h"
#include "valid.h"

#define PER_PAGE 20

static const char *rdv_path(struct ctx *c, long long org, long long id, const char *suffix)
{
	return id ? arena_printf(c->a, "/agent/organisations/%lld/rdvs/%lld%s", org, id, suffix)
		  : arena_printf(c->a, "/agent/organisations/%lld/rdvs%s", org, suffix);
}

/* A report's field errors as error_<field> variables, warnings as a loop. */
static void report_vars(struct ctx *c, const struct rdvs_report *rep)
{
	for (size_t i = 0; i < rep->n_errors; i++)
		tmpl_set_var(c->vars, arena_printf(c->a, "error_%s", rep->errors[i].field), rep->errors[i].message);
	if (rep->n_errors > 0)
		tmpl_set_var(c->vars, "error", "Le rendez-vous n'a pas été enregistré : corrigez les champs signalés.");
	if (rep->conflict != NULL)
		tmpl_set_var(c->vars, "error", rep->conflict);
	struct tmpl_loop *w = tmpl_add_loop(c->vars, "warnings");
	for (size_t i = 0; i < rep->n_warnings && rep->conflict == NULL && rep->n_errors == 0; i++)
		tmpl_set_var(tmpl_loop_add_row(w), "message", rep->warnings[i].message);
}

/* Rows of a two-column (id, label) query as a loop with "selected" flags. */
static int options_loop(struct ctx *c, const char *name, PGresult *r, const long long *sel, size_t n_sel)
{
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, name);
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		long long id = db_ll(r, i, 0);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_var(row, "label", db_val(r, i, 1));
		for (size_t k = 0; k < n_sel; k++)
			if (sel[k] == id)
				tmpl_set_bool(row, "selected", 1);
	}
	PQclear(r);
	return 0;
}

/* Motifs, lieux and agents (usagers: the picker below). */
static int form_options(struct ctx *c, long long org, long long motif, long long lieu, const long long *agents,
			size_t n_agents)
{
	const char *o = db_int(c->a, org), *me = db_int(c->a, c->agent_id);
	int rc = options_loop(c, "motifs", db_q(c->db,
		"SELECT m.id, m.name || CASE WHEN m.collectif THEN ' (atelier collectif)' ELSE '' END FROM motifs m"
		" WHERE m.organisation_id = $1 AND m.deleted_at IS NULL"
		" AND EXISTS (SELECT 1 FROM agent_roles ar WHERE ar.agent_id = $2 AND ar.organisation_id = $1"
		"   AND (ar.access_level = 'admin' OR EXISTS (SELECT 1 FROM agent_services s JOIN services sv"
		"   ON sv.id = s.service_id WHERE s.agent_id = $2 AND (sv.name = 'Secrétariat' OR s.service_id = m.service_id))))"
		" ORDER BY m.name", o, me), &motif, 1);
	if (rc == 0)
		rc = options_loop(c, "lieux", db_q(c->db,
			"SELECT id, name FROM lieux WHERE organisation_id = $1 AND availability = 'enabled' ORDER BY name", o),
			&lieu, 1);
	/* the agents already chosen stay listed, even those the agent may not write for */
	if (rc == 0)
		rc = options_loop(c, "agents", db_q(c->db,
			"SELECT a.id, a.first_name || ' ' || a.last_name FROM agents a"
			" WHERE a.deleted_at IS NULL AND (a.id IN (SELECT v.agent_id FROM visible_agendas($2, $1) v"
			"   WHERE v.level = 'write') OR (a.id = ANY($3::bigint[])"
			"   AND EXISTS (SELECT 1 FROM agent_roles ar WHERE ar.agent_id = a.id AND ar.organisation_id = $1)))"
			" ORDER BY a.last_name, a.first_name", o, me, occurrences_id_array(c->a, agents, n_agents)),
			agents, n_agents);
	return rc;
}

/* The usager picker (booking/rdv_usager_picker.tmpl): the usagers chosen
 * (labels, checked boxes) and, when the form was sent with a search
 * (usager_q, no JavaScript), one page of matching usagers of the organisation
 * to tick. The combobox of app.js asks usagers/search.json instead. single:
 * one usager or none (user_id, radio buttons), else user_ids. */
static int usager_picker(struct ctx *c, long long org, const long long *ids, size_t n, int single)
{
	tmpl_set_bool(c->vars, "picker_single", single);
	tmpl_set_var(c->vars, "usager_search_url",
		     app_url(c, arena_printf(c->a, "/agent/organisations/%lld/usagers/search.json", org)));
	PGresult *r = db_q(c->db,
		"SELECT u.id, upper(u.last_name) || ' ' || u.first_name"
		" || coalesce(' – ' || to_char(u.birth_date, 'DD/MM/YYYY'), '')"
		" FROM users u JOIN user_profiles up ON up.user_id = u.id AND up.organisation_id = $1"
		" WHERE u.id = ANY($2::bigint[]) AND u.deleted_at IS NULL ORDER BY u.last_name, u.first_name",
		db_int(c->a, org), occurrences_id_array(c->a, ids, n));
	int rc = options_loop(c, "picked_users", r, ids, n);
	const char *q = http_param(&c->req, "usager_q");
	if (rc != 0 || q == NULL || strlen(q) < 2)
		return rc;
	tmpl_set_var(c->vars, "usager_q", q);
	tmpl_set_bool(c->vars, "usager_searched", 1);
	struct usager_scope sc;
	rc = usager_scope_load(c->db, c->agent_id, org, &sc);
	if (rc != 0)
		return rc;
	sc.territory_wide = 0;
	r = usager_search(c->db, c->a, &sc, q, 0, 1, 20);
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "usager_matches");
	for (int i = 0; i < PQntuples(r); i++) {
		long long id = db_ll(r, i, UC_ID);
		int picked = 0;
		for (size_t k = 0; k < n; k++)
			picked |= ids[k] == id;
		if (picked)
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_int(row, "id", id);
		tmpl_set_var(row, "label", usager_label(c->a, r, i));
	}
	PQclear(r);
	return 0;
}

/* Ids of a repeated form/query parameter. */
static size_t param_ids(struct ctx *c, const char *name, long long *out, size_t max)
{
	const char *vals[RDVS_MAX_USERS];
	size_t n = kv_get_all(c->req.method == HTTP_GET ? &c->req.query : &c->req.form, name, vals, RDVS_MAX_USERS);
	size_t k = 0;
	for (size_t i = 0; i < n && i < RDVS_MAX_USERS && k < max; i++) {
		long long v;
		if (valid_id(vals[i], &v, NULL) == 0)
			out[k++] = v;
	}
	return k;
}

static long long param_id(struct ctx *c, const char *name)
{
	long long v = 0;
	const char *s = http_param(&c->req, name);
	if (s != NULL && valid_id(s, &v, NULL) != 0)
		v = 0;
	return v;
}

/* A field error of the form (the report has room for every field). */
static void issue_add(struct rdvs_report *rep, const char *field, const char *message)
{
	rep->errors[rep->n_errors++] = (struct rdvs_issue){field, NULL, message};
}

/* date + time fields (local) → UTC; 0 and a field error when invalid. */
static long long form_time(struct ctx *c, struct rdvs_report *rep)
{
	int y, m, d, h, mi;
	const char *msg;
	const char *ds = http_param(&c->req, "date"), *ts = http_param(&c->req, "time");
	if (valid_date(ds, &y, &m, &d, &msg) != 0) {
		issue_add(rep, "date", msg);
		return 0;
	}
	if (valid_time(ts, &h, &mi, &msg) != 0) {
		issue_add(rep, "time", msg);
		return 0;
	}
	struct local_dt lt = {y, m, d, h, mi, 0};
	return tz_local_to_utc(&lt);
}

/* duration_in_min when given (1, *minutes set; 0 when absent), a field
 * error when out of range. */
static int form_duration(struct ctx *c, struct rdvs_report *rep, int *minutes)
{
	const char *dur = http_param(&c->req, "duration_in_min");
	long long d = 0;
	if (dur == NULL || *dur == '\0')
		return 0;
	if (valid_int(dur, 5, 720, &d, NULL) != 0)
		issue_add(rep, "duration_in_min", "La durée doit être comprise entre 5 et 720 minutes.");
	*minutes = (int)d;
	return 1;
}

static void time_vars(struct ctx *c, long long utc)
{
	if (utc <= 0)
		return;
	struct local_dt lt;
	tz_utc_to_local(utc, &lt);
	tmpl_set_varf(c->vars, "date", "%04d-%02d-%02d", lt.year, lt.month, lt.day);
	tmpl_set_varf(c->vars, "time", "%02d:%02d", lt.hour, lt.minute);
}

static int render_form(struct ctx *c, int status, long long org, const struct rdvs_new *in)
{
	tmpl_set_var(c->vars, "title", "Nouveau rendez-vous");
	tmpl_set_var(c->vars, "action", app_url(c, rdv_path(c, org, 0, "")));
	time_vars(c, in->starts_at);
	if (in->duration_min > 0)
		tmpl_set_int(c->vars, "duration_in_min", in->duration_min);
	tmpl_set_var(c->vars, "context", in->context);
	tmpl_set_var(c->vars, "address", in->address);
	tmpl_set_var(c->vars, "name", in->name);
	if (in->max_participants > 0)
		tmpl_set_int(c->vars, "max_participants_count", in->max_participants);
	int rc = form_options(c, org, in->motif_id, in->lieu_id, in->agent_ids, in->n_agents);
	if (rc == 0)
		rc = usager_picker(c, org, in->user_ids, in->n_users, 0);
	return rc != 0 ? rc : app_render(c, status, "booking/rdv_form.tmpl");
}

/* GET …/rdvs/new: prefilled from a free slot (starts_at, motif_id, lieu_id, agent_id, user_id). */
static int rdv_new(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct rdvs_new in = {.org_id = org};
	in.motif_id = param_id(c, "motif_id");
	in.lieu_id = param_id(c, "lieu_id");
	in.n_agents = param_ids(c, "agent_id", in.agent_ids, RDVS_MAX_AGENTS);
	if (in.n_agents == 0)
		in.agent_ids[in.n_agents++] = c->agent_id;
	in.n_users = param_ids(c, "user_id", in.user_ids, RDVS_MAX_USERS);
	const char *s = http_param(&c->req, "starts_at");
	if (s == NULL || valid_iso_datetime(s, &in.starts_at, NULL) != 0)
		in.starts_at = 0;
	return render_form(c, 200, org, &in);
}

static int rdv_create(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct rdvs_new in = {.org_id = org};
	struct rdvs_report pre = {0};
	in.motif_id = param_id(c, "motif_id");
	in.lieu_id = param_id(c, "lieu_id");
	in.starts_at = form_time(c, &pre);
	form_duration(c, &pre, &in.duration_min);
	in.n_agents = param_ids(c, "agent_ids", in.agent_ids, RDVS_MAX_AGENTS);
	in.n_users = param_ids(c, "user_ids", in.user_ids, RDVS_MAX_USERS);
	in.context = http_param(&c->req, "context");
	in.address = http_param(&c->req, "address");
	in.name = http_param(&c->req, "name");
	const char *max = http_param(&c->req, "max_participants_count");
	long long mx = 0;
	if (max != NULL && *max != '\0' && valid_int(max, 1, 1000, &mx, NULL) != 0)
		issue_add(&pre, "max_participants_count", "Le nombre de places doit être compris entre 1 et 1000.");
	in.max_participants = (int)mx;
	valid_bool(http_param(&c->req, "confirm_warnings"), &in.confirm_warnings);
	/* without JavaScript, "Rechercher" sends the form to look usagers up */
	if (http_param(&c->req, "search_usagers") != NULL)
		return render_form(c, 200, org, &in);
	if (in.motif_id == 0)
		issue_add(&pre, "motif_id", "Choisissez un motif.");
	if (pre.n_errors > 0) {
		report_vars(c, &pre);
		return render_form(c, 422, org, &in);
	}
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	struct rdvs_report rep;
	long long id = 0;
	rc = rdvs_create(c->db, c->a, &who, &in, &rep, &id);
	if (rc == RDV_EINVAL || rc == RDV_ECONFLICT) {
		report_vars(c, &rep);
		return render_form(c, rc == RDV_EINVAL ? 422 : 409, org, &in);
	}
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Le rendez-vous a été créé.");
	return app_redirect(c, rdv_path(c, org, id, ""));
}

/* ------------------------------------------------------------------ list */

static void filter_vars(struct ctx *c, const char *name, const char *value)
{
	if (value != NULL && *value != '\0')
		tmpl_set_var(c->vars, arena_printf(c->a, "f_%s", name), value);
}

static long long filter_date(struct ctx *c, const char *name, int end)
{
	const char *s = kv_get(&c->req.query, name);
	int y, m, d;
	if (s == NULL || valid_date(s, &y, &m, &d, NULL) != 0)
		return 0;
	filter_vars(c, name, s);
	if (end)
		tz_civil_from_days(tz_days_from_civil(y, m, d) + 1, &y, &m, &d);
	return tz_local_midnight(y, m, d);
}

static void list_row(struct ctx *c, struct tmpl_loop *l, const PGresult *r, int i, long long org)
{
	struct tmpl_vars *row = tmpl_loop_add_row(l);
	char when[80];
	tz_format_fr_long(db_ll(r, i, 1), when, sizeof(when));
	tmpl_set_var(row, "id", db_val(r, i, 0));
	tmpl_set_var(row, "href", app_url(c, rdv_path(c, org, db_ll(r, i, 0), "")));
	tmpl_set_var(row, "when", when);
	tmpl_set_var(row, "motif", db_val(r, i, RDVS_JSON_NCOLS));
	tmpl_set_var(row, "lieu", db_val(r, i, RDVS_JSON_NCOLS + 1));
	tmpl_set_var(row, "agents", db_val(r, i, RDVS_JSON_NCOLS + 2));
	tmpl_set_var(row, "users", db_val(r, i, RDVS_JSON_NCOLS + 3));
	tmpl_set_var(row, "name", db_val(r, i, RDVS_JSON_NCOLS + 5));
	tmpl_set_var(row, "status", db_val(r, i, 5));
	tmpl_set_var(row, "status_label", rdvs_status_label(db_val(r, i, 5), db_bool(r, i, RDVS_JSON_NCOLS + 7)));
}

/* total < 0 (rdvs_list): at least -total RDVs; the pages known go up to the next one. */
static void pagination(struct ctx *c, long long org, int page, long long total)
{
	int pages = total < 0 ? page + 1 : (int)((total + PER_PAGE - 1) / PER_PAGE);
	if (pages <= 1)
		return;
	/* Keep the filters: the query string without page. */
	struct buf q = BUF_INIT;
	for (size_t i = 0; i < c->req.query.n; i++) {
		if (strcmp(c->req.query.items[i].key, "page") == 0)
			continue;
		buf_put_url(&q, c->req.query.items[i].key);
		buf_putc(&q, '=');
		buf_put_url(&q, c->req.query.items[i].value);
		buf_putc(&q, '&');
	}
	const char *base = arena_printf(c->a, "%s?%s", app_url(c, rdv_path(c, org, 0, "")), q.data ? q.data : "");
	buf_free(&q);
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "pages");
	for (int p = 1; p <= pages; p++) {
		if (pages > 12 && p > 2 && p < pages - 1 && abs(p - page) > 2)
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_int(row, "number", p);
		tmpl_set_var(row, "href", arena_printf(c->a, "%spage=%d", base, p));
		tmpl_set_bool(row, "current", p == page);
	}
	if (page > 1)
		tmpl_set_var(c->vars, "prev_href", arena_printf(c->a, "%spage=%d", base, page - 1));
	if (page < pages)
		tmpl_set_var(c->vars, "next_href", arena_printf(c->a, "%spage=%d", base, page + 1));
}

static int rdv_index(struct ctx *c)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	if (rc != 0)
		return rc;
	struct rdvs_filter f = {.per_page = PER_PAGE, .page = 1};
	f.agent_id = param_id(c, "agent_id");
	f.user_id = param_id(c, "user_id");
	f.motif_id = param_id(c, "motif_id");
	f.lieu_id = param_id(c, "lieu_id");
	f.status = kv_get(&c->req.query, "status");
	static const char *const st[] = {"unknown_future", "unknown_past", "seen", "noshow", "excused", "revoked", NULL};
	if (f.status != NULL && valid_enum(f.status, st, NULL, NULL) != 0)
		f.status = NULL;
	filter_vars(c, "status", f.status);
	if (f.status != NULL)
		tmpl_set_bool(c->vars, arena_printf(c->a, "st_%s", f.status), 1);
	f.from = filter_date(c, "from", 0);
	f.to = filter_date(c, "to", 1);
	long long page = 1;
	const char *ps = kv_get(&c->req.query, "page");
	if (ps != NULL && valid_int(ps, 1, 100000, &page, NULL) != 0)
		page = 1;
	f.page = (int)page;
	PGresult *r = rdvs_list(c->db, c->a, c->agent_id, org, &f);
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "rdvs");
	long long total = 0;
	for (int i = 0; i < PQntuples(r); i++) {
		list_row(c, l, r, i, org);
		total = db_ll(r, i, RDVS_LIST_TOTAL);
	}
	PQclear(r);
	if (total < 0)
		tmpl_set_var(c->vars, "total", arena_printf(c->a, "Plus de %lld", -total - 1));
	else
		tmpl_set_int(c->vars, "total", total);
	pagination(c, org, f.page, total);
	tmpl_set_var(c->vars, "title", "Rendez-vous");
	tmpl_set_var(c->vars, "new_href", app_url(c, rdv_path(c, org, 0, "/new")));
	tmpl_set_var(c->vars, "list_href", app_url(c, rdv_path(c, org, 0, "")));
	rc = form_options(c, org, f.motif_id, f.lieu_id, &f.agent_id, 1);
	if (rc == 0)
		rc = usager_picker(c, org, &f.user_id, f.user_id ? 1 : 0, 1);
	tmpl_set_bool(c->vars, "picker_any", 1);   /* "Tous": no usager filter */
	return rc != 0 ? rc : app_render(c, 200, "booking/rdv_list.tmpl");
}

/* ------------------------------------------------------------------ show */

static int show_participants(struct ctx *c, long long id)
{
	PGresult *r = db_q(c->db,
		"SELECT u.id, u.first_name || ' ' || u.last_name, p.status::text, r.starts_at < now()"
		" FROM participations p JOIN users u ON u.id = p.user_id JOIN rdvs r ON r.id = p.rdv_id"
		" WHERE p.rdv_id = $1 ORDER BY u.last_name, u.first_name", db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "participants");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "user_id", db_val(r, i, 0));
		tmpl_set_var(row, "user_name", db_val(r, i, 1));
		tmpl_set_var(row, "p_status_label", rdvs_status_label(db_val(r, i, 2), db_bool(r, i, 3)));
	}
	PQclear(r);
	return 0;
}

/* The notifications of the RDV (receipts written by the worker): what was
 * sent or failed, to whom, by which channel. */
static int show_receipts(struct ctx *c, long long id)
{
	PGresult *r = db_q(c->db,
		"SELECT extract(epoch FROM created_at)::bigint, channel, event, result, coalesce(recipient, ''),"
		" coalesce(error_message, '') FROM receipts WHERE rdv_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50",
		db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	static const struct { const char *key, *label; } labels[] = {
		{"mail", "E-mail"}, {"sms", "SMS"}, {"webhook", "Webhook"},
		{"sent", "Envoyé"}, {"delivered", "Délivré"}, {"processed", "Traité"}, {"failure", "Échec"},
		{"rdv_created", "Confirmation"}, {"rdv_updated", "Modification"}, {"rdv_cancelled", "Annulation"},
		{"rdv_upcoming_reminder", "Rappel"}, {"new_creneau_available", "Créneau libéré"},
	};
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "receipts");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		char when[80];
		tz_format_fr_long(db_ll(r, i, 0), when, sizeof(when));
		tmpl_set_var(row, "at", when);
		static const char *const keys[] = {NULL, "channel", "event", "result"};
		for (int col = 1; col <= 3; col++) {
			const char *v = db_val(r, i, col);
			for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
				if (strcmp(v, labels[k].key) == 0)
					v = labels[k].label;
			tmpl_set_var(row, keys[col], v);
		}
		tmpl_set_var(row, "recipient", db_val(r, i, 4));
		tmpl_set_var(row, "error", db_val(r, i, 5));
		tmpl_set_bool(row, "failed", strcmp(db_val(r, i, 3), "failure") == 0);
	}
	PQclear(r);
	return 0;
}

static int show_history(struct ctx *c, long long id)
{
	PGresult *r = db_q(c->db,
		"SELECT extract(epoch FROM au.at)::bigint, coalesce(ag.first_name || ' ' || ag.last_name, au.actor, 'Système'),"
		" au.event, array_to_string(ARRAY(SELECT jsonb_array_elements_text(au.after -> 'overridden_warnings')), ', ')"
		" FROM audit au LEFT JOIN agents ag ON ag.id = au.agent_id"
		" WHERE au.item_type = 'rdv' AND au.item_id = $1 ORDER BY au.at, au.id", db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	static const struct { const char *ev, *label; } names[] = {
		{"create", "Création"}, {"update", "Modification"}, {"participant_add", "Participant ajouté"},
		{"participant_remove", "Participant retiré"},
	};
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "history");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		char when[80];
		tz_format_fr_long(db_ll(r, i, 0), when, sizeof(when));
		const char *ev = db_val(r, i, 2), *label = ev;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strcmp(ev, names[k].ev) == 0)
				label = names[k].label;
		tmpl_set_var(row, "at", when);
		tmpl_set_var(row, "who", db_val(r, i, 1));
		tmpl_set_var(row, "event", label);
		tmpl_set_var(row, "warnings", db_val(r, i, 3));
	}
	PQclear(r);
	return 0;
}

/* What the edit form of the RDV page starts from. */
struct rdv_edit {
	long long lieu_id;
	long long agent_ids[RDVS_MAX_AGENTS * 2];
	size_t n_agents;
};

/* Who created the RDV (show_details' columns 17 to 22: origin, when, the
 * agent's name, the prescripteur's name, e-mail and phone), as the reference
 * says it: « Créé par … le … », « Pris en ligne par l'usager le … »… */
static const char *created_by_label(struct ctx *c, const PGresult *r)
{
	const char *type = db_val(r, 0, 17);
	char when[80];
	tz_format_fr_long(db_ll(r, 0, 18), when, sizeof(when));
	if (strcmp(type, "user") == 0)
		return arena_printf(c->a, "Pris en ligne par l'usager le %s", when);
	if (strcmp(type, "file_attente") == 0)
		return arena_printf(c->a, "Créé depuis la liste d'attente le %s", when);
	if (strcmp(type, "prescripteur") == 0 && db_val(r, 0, 20) != NULL)
		return arena_printf(c->a, "Créé par %s, prescripteur (%s, %s) le %s", db_val(r, 0, 20),
				    db_val(r, 0, 21), db_val(r, 0, 22), when);
	if (strcmp(type, "prescripteur") == 0)   /* its details purged */
		return arena_printf(c->a, "Créé par un prescripteur le %s", when);
	if (db_val(r, 0, 19) != NULL)
		return arena_printf(c->a, "Créé par %s le %s", db_val(r, 0, 19), when);
	return arena_printf(c->a, "Créé par un agent le %s", when);
}

static int show_details(struct ctx *c, long long org, long long id, struct rdv_edit *ed)
{
	PGresult *r = db_q(c->db,
		"SELECT extract(epoch FROM r.starts_at)::bigint, extract(epoch FROM r.ends_at)::bigint, r.status::text,"
		" m.name, l.name, r.address, r.context, r.collectif, r.name, r.users_count, r.max_participants_count,"
		" array_to_string(r.overridden_warnings, ', '), r.starts_at < now(),"
		" (SELECT string_agg(ag.first_name || ' ' || ag.last_name, ', ' ORDER BY ag.last_name)"
		"    FROM agents_rdvs x JOIN agents ag ON ag.id = x.agent_id WHERE x.rdv_id = r.id),"
		" coalesce(r.lieu_id, 0), m.location_type::text,"
		" array_to_string(ARRAY(SELECT x.agent_id FROM agents_rdvs x WHERE x.rdv_id = r.id ORDER BY 1), ','),"
		" r.created_by_type, extract(epoch FROM r.created_at)::bigint, ca.first_name || ' ' || ca.last_name,"
		" pr.first_name || ' ' || pr.last_name, pr.email, pr.phone_number"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id LEFT JOIN lieux l ON l.id = r.lieu_id"
		" LEFT JOIN agents ca ON ca.id = r.created_by_agent_id"
		" LEFT JOIN prescripteurs pr ON pr.id = r.created_by_prescripteur_id"
		" WHERE r.id = $1 AND r.organisation_id = $2", db_int(c->a, id), db_int(c->a, org));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	char when[80];
	tz_format_fr_long(db_ll(r, 0, 0), when, sizeof(when));
	struct tmpl_vars *v = c->vars;
	tmpl_set_var(v, "when", when);
	tmpl_set_int(v, "duration", (db_ll(r, 0, 1) - db_ll(r, 0, 0)) / 60);
	tmpl_set_var(v, "status", db_val(r, 0, 2));
	tmpl_set_var(v, "status_label", rdvs_status_label(db_val(r, 0, 2), db_bool(r, 0, 12)));
	tmpl_set_bool(v, "cancelled", strcmp(db_val(r, 0, 2), "excused") == 0 || strcmp(db_val(r, 0, 2), "revoked") == 0);
	tmpl_set_var(v, "motif", db_val(r, 0, 3));
	tmpl_set_var(v, "lieu", db_val(r, 0, 4));
	tmpl_set_var(v, "address", db_val(r, 0, 5));
	tmpl_set_var(v, "context", db_val(r, 0, 6));
	tmpl_set_bool(v, "collectif", db_bool(r, 0, 7));
	tmpl_set_var(v, "name", db_val(r, 0, 8));
	tmpl_set_var(v, "users_count", db_val(r, 0, 9));
	tmpl_set_var(v, "max_participants_count", db_val(r, 0, 10));
	tmpl_set_var(v, "overridden_warnings", db_val(r, 0, 11));
	tmpl_set_var(v, "agents", db_val(r, 0, 13));
	ed->lieu_id = db_ll(r, 0, 14);
	tmpl_set_bool(v, "at_home", strcmp(db_val(r, 0, 15), "home") == 0);
	tmpl_set_bool(v, "needs_lieu", strcmp(db_val(r, 0, 15), "public_office") == 0);
	ed->n_agents = 0;
	for (const char *p = db_val(r, 0, 16); p && *p && ed->n_agents < RDVS_MAX_AGENTS * 2;) {
		char *end;
		ed->agent_ids[ed->n_agents++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
	}
	tmpl_set_var(v, "created_by", created_by_label(c, r));
	time_vars(c, db_ll(r, 0, 0));
	PQclear(r);
	return 0;
}

/* The organisation of the page and the caller's access to RDV id there;
 * RDV_ENOTFOUND when they may not even read it. */
static int rdv_access(struct ctx *c, long long id, long long *org, enum org_role *role, enum agenda_access *lvl)
{
	*lvl = AGENDA_NONE;
	int rc = booking_org(c, org, role);
	if (rc == 0)
		rc = rdvs_access(c->db, c->agent_id, *org, id, lvl);
	if (rc == 0 && *lvl < AGENDA_READ)
		rc = RDV_ENOTFOUND;
	return rc;
}

/* The edit form as it was sent (a refused change is shown again with what
 * the agent typed, next to the reason). */
static void posted_vars(struct ctx *c, const struct rdvs_change *ch, struct rdv_edit *ed)
{
	static const char *const fields[] = {"date", "time", "context", "address"};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (http_param(&c->req, fields[i]) != NULL)
			tmpl_set_var(c->vars, fields[i], http_param(&c->req, fields[i]));
	const char *dur = http_param(&c->req, "duration_in_min");
	if (dur != NULL)
		tmpl_set_var(c->vars, "duration", dur);
	if (ch->set_lieu)
		ed->lieu_id = ch->lieu_id;
	if (ch->set_agents) {
		memcpy(ed->agent_ids, ch->agent_ids, ch->n_agents * sizeof(ch->agent_ids[0]));
		ed->n_agents = ch->n_agents;
	}
}

/* The RDV page; posted: the edit form sent and refused (its values shown). */
static int show_page(struct ctx *c, int status, long long id, const struct rdvs_change *posted)
{
	long long org;
	enum org_role role;
	enum agenda_access lvl;
	struct rdv_edit ed = {0};
	int rc = rdv_access(c, id, &org, &role, &lvl);
	if (rc == 0)
		rc = show_details(c, org, id, &ed);
	if (rc == 0 && posted != NULL)
		posted_vars(c, posted, &ed);
	if (rc == 0)
		rc = show_participants(c, id);
	if (rc == 0)
		rc = show_history(c, id);
	if (rc == 0 && lvl >= AGENDA_READ)
		rc = show_receipts(c, id);
	if (rc == 0 && lvl >= AGENDA_WRITE)
		rc = form_options(c, org, 0, ed.lieu_id, ed.agent_ids, ed.n_agents);
	if (rc == 0 && lvl >= AGENDA_WRITE)
		rc = usager_picker(c, org, NULL, 0, 1);
	if (rc != 0)
		return rc;
	tmpl_set_bool(c->vars, "can_write", lvl >= AGENDA_WRITE);
	tmpl_set_bool(c->vars, "can_delete", role == ROLE_ADMIN);
	tmpl_set_var(c->vars, "rdv_href", app_url(c, rdv_path(c, org, id, "")));
	tmpl_set_var(c->vars, "list_href", app_url(c, rdv_path(c, org, 0, "")));
	tmpl_set_var(c->vars, "title", "Rendez-vous");
	return app_render(c, status, "booking/rdv_show.tmpl");
}

static int rdv_show(struct ctx *c)
{
	return show_page(c, 200, route_id(&c->match, "id"), NULL);
}

/* -------------------------------------------------------------- changes */

/* The organisation and the :id of a page about one RDV (access to the RDV
 * itself is lib/rdvs's to check, per change). */
static int rdv_page(struct ctx *c, long long *org, long long *id)
{
	enum org_role role;
	*id = route_id(&c->match, "id");
	return booking_org(c, org, &role);
}

/* After a failed change on the RDV page: the page again with the message. */
static int change_failed(struct ctx *c, int rc, const struct rdvs_report *rep, long long org, long long id)
{
	if (rc != RDV_EINVAL && rc != RDV_ECONFLICT)
		return rc;
	if (rep->n_errors > 0)
		app_flash(c, "error", rep->errors[0].message);
	else if (rep->conflict != NULL)
		app_flash(c, "error", rep->conflict);
	else
		app_flash(c, "error", arena_printf(c->a, "%s Cochez « Confirmer malgré les avertissements » pour "
						       "enregistrer quand même.", rep->warnings[0].message));
	return app_redirect(c, rdv_path(c, org, id, ""));
}

/* A change refused before reaching lib/rdvs: field's message on the RDV page. */
static int change_refused(struct ctx *c, struct rdvs_report *rep, long long org, long long id, const char *field,
			  const char *message)
{
	issue_add(rep, field, message);
	return change_failed(c, RDV_EINVAL, rep, org, id);
}

/* After a change by lib/rdvs (rc): back on the RDV page, with done as the
 * success message or with what went wrong. */
static int change_done(struct ctx *c, int rc, const struct rdvs_report *rep, long long org, long long id,
		       const char *done)
{
	if (rc != 0)
		return change_failed(c, rc, rep, org, id);
	app_flash(c, "success", done);
	return app_redirect(c, rdv_path(c, org, id, ""));
}

/* POST …/rdvs/:id: date, time, duration, agents (agents_field: the form sent
 * them, even none), lieu ("" = none), address, context. */
static int rdv_update(struct ctx *c)
{
	long long org, id;
	int rc = rdv_page(c, &org, &id);
	if (rc != 0)
		return rc;
	struct rdvs_change ch = {0};
	struct rdvs_report rep = {0};
	if (http_param(&c->req, "date") != NULL) {
		ch.set_starts = 1;
		ch.starts_at = form_time(c, &rep);
	}
	ch.set_duration = form_duration(c, &rep, &ch.duration_min);
	ch.n_agents = param_ids(c, "agent_ids", ch.agent_ids, RDVS_MAX_AGENTS);
	/* the edit form says it sends the agents: none chosen is then an error */
	ch.set_agents = ch.n_agents > 0 || http_param(&c->req, "agents_field") != NULL;
	const char *lieu = http_param(&c->req, "lieu_id");
	if (lieu != NULL) {
		ch.set_lieu = 1;
		if (*lieu != '\0' && valid_id(lieu, &ch.lieu_id, NULL) != 0)
			issue_add(&rep, "lieu_id", "Ce lieu n'existe pas ou n'est plus ouvert.");
	}
	if (http_param(&c->req, "address") != NULL) {
		ch.set_address = 1;
		ch.address = http_param(&c->req, "address");
	}
	if (http_param(&c->req, "context") != NULL) {
		ch.set_context = 1;
		ch.context = http_param(&c->req, "context");
	}
	valid_bool(http_param(&c->req, "confirm_warnings"), &ch.confirm_warnings);
	if (rep.n_errors == 0) {
		struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
		rc = rdvs_update(c->db, c->a, &who, org, id, &ch, &rep);
	} else {
		rc = RDV_EINVAL;
	}
	if (rc != RDV_EINVAL && rc != RDV_ECONFLICT)
		return change_done(c, rc, &rep, org, id, "Le rendez-vous a été modifié.");
	/* the page again, the form as typed, with the errors or the warnings to confirm */
	report_vars(c, &rep);
	tmpl_set_bool(c->vars, "edit_refused", 1);
	return show_page(c, rc == RDV_EINVAL ? 422 : 409, id, &ch);
}

static int rdv_status(struct ctx *c)
{
	long long org, id;
	int rc = rdv_page(c, &org, &id);
	if (rc != 0)
		return rc;
	struct rdvs_change ch = {.set_status = 1, .status = http_param(&c->req, "status")};
	struct rdvs_report rep = {0};
	if (!rdvs_status_valid(ch.status))
		return change_refused(c, &rep, org, id, "status", "Choisissez un statut.");
	valid_bool(http_param(&c->req, "confirm_warnings"), &ch.confirm_warnings);
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	rc = rdvs_update(c->db, c->a, &who, org, id, &ch, &rep);
	return change_done(c, rc, &rep, org, id, "Le statut du rendez-vous a été mis à jour.");
}

static int rdv_cancel(struct ctx *c)
{
	long long org, id;
	int rc = rdv_page(c, &org, &id);
	if (rc != 0)
		return rc;
	const char *by = http_param(&c->req, "by");
	struct rdvs_report rep = {0};
	if (by == NULL || (strcmp(by, "user") != 0 && strcmp(by, "service") != 0))
		return change_refused(c, &rep, org, id, "by", "Indiquez qui annule le rendez-vous.");
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	rc = rdvs_cancel(c->db, c->a, &who, org, id, strcmp(by, "user") == 0, &rep);
	return change_done(c, rc, &rep, org, id, "Le rendez-vous a été annulé.");
}

static int rdv_delete(struct ctx *c)
{
	long long org, id = route_id(&c->match, "id");
	enum org_role role;
	enum agenda_access lvl;
	int rc = rdv_access(c, id, &org, &role, &lvl);
	if (rc == 0 && role != ROLE_ADMIN)
		rc = RDV_EFORBIDDEN;
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	if (rc == 0)
		rc = rdvs_delete(c->db, c->a, &who, org, id);
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Le rendez-vous a été supprimé.");
	return app_redirect(c, rdv_path(c, org, 0, ""));
}

static int rdv_participant_add(struct ctx *c)
{
	long long org, id;
	int rc = rdv_page(c, &org, &id);
	if (rc != 0)
		return rc;
	struct rdvs_report rep = {0};
	/* without JavaScript, "Rechercher" sends the form to look usagers up */
	if (http_param(&c->req, "search_usagers") != NULL)
		return show_page(c, 200, id, NULL);
	long long user = param_id(c, "user_id");
	if (user == 0)
		return change_refused(c, &rep, org, id, "user_id", "Choisissez un usager.");
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	rc = rdvs_add_participant(c->db, c->a, &who, org, id, user, &rep);
	return change_done(c, rc, &rep, org, id, "Le participant a été ajouté.");
}

static int rdv_participant_remove(struct ctx *c)
{
	long long org, id, user = route_id(&c->match, "user_id");
	int rc = rdv_page(c, &org, &id);
	if (rc != 0)
		return rc;
	struct rdvs_report rep = {0};
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	rc = rdvs_remove_participant(c->db, c->a, &who, org, id, user, &rep);
	return change_done(c, rc, &rep, org, id, "Le participant a été retiré.");
}

/* ----------------------------------------------------------------- move */

/* A value of the JSON body, or of the form. */
static const char *move_param(struct ctx *c, const char *name, json_t **raw)
{
	json_t *body = json_is_object(c->req.json) ? c->req.json : NULL;
	*raw = body ? json_object_get(body, name) : NULL;
	if (body != NULL)
		return json_is_string(*raw) ? json_string_value(*raw) : NULL;
	return http_param(&c->req, name);
}

static int move_answer(struct ctx *c, int rc, const struct rdvs_report *rep, long long id)
{
	if (rc == 0) {
		json_t *j = rdv_json(c->db, c->a, id);
		return j ? app_json(c, 200, json_pack("{s:o}", "rdv", j)) : RDV_ENOTFOUND;
	}
	if (rc == RDV_EINVAL && rep->n_errors > 0) {
		json_t *fields = json_object();
		for (size_t i = 0; i < rep->n_errors; i++)
			json_object_set_new(fields, rep->errors[i].field, json_pack("[s]", rep->errors[i].message));
		return app_json_error(c, 422, "validation_failed", rep->errors[0].message, fields);
	}
	if (rc != RDV_ECONFLICT)
		return rc;
	json_t *w = json_array();
	for (size_t i = 0; rep->conflict == NULL && i < rep->n_warnings; i++)
		json_array_append_new(w, json_pack("{s:s, s:s}", "code", rep->warnings[i].code,
						   "message", rep->warnings[i].message));
	const char *msg = rep->conflict ? rep->conflict
		: "Ce déplacement demande une confirmation (renvoyez-le avec force).";
	return app_json(c, 409, json_pack("{s:{s:s, s:s, s:o}}", "error", "code", "conflict", "message", msg,
					  "warnings", w));
}

/* The new agents of a move must be agendas the mover may write:
 * RDV_ENOTFOUND (404) when the agenda is not visible at all, RDV_EFORBIDDEN
 * (403) when visible but not writable; 0 when every one is writable. */
static int move_check_targets(struct ctx *c, long long org, const struct rdvs_change *ch)
{
	for (size_t i = 0; i < ch->n_agents; i++) {
		int rc = policy_require_agenda(c->db, c->agent_id, ch->agent_ids[i], org, AGENDA_WRITE);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* agent_ids: [1, 2] in the JSON body (the RDV's new agent list). */
static void move_agent_list(struct ctx *c, struct rdvs_change *ch)
{
	json_t *list = json_is_object(c->req.json) ? json_object_get(c->req.json, "agent_ids") : NULL;
	size_t i;
	json_t *v;
	if (!json_is_array(list))
		return;
	ch->set_agents = 1;
	json_array_foreach(list, i, v)
		if (json_is_integer(v) && json_integer_value(v) > 0 && ch->n_agents < RDVS_MAX_AGENTS)
			ch->agent_ids[ch->n_agents++] = json_integer_value(v);
}

/* POST …/rdvs/:id/move {starts_at, agent_id?, from_agent_id?, agent_ids?, force?}:
 * the agenda's drag and drop and its keyboard dialog. The dragged agent
 * (from_agent_id, else the only or the signed-in one) is replaced by
 * agent_id; or agent_ids gives the whole new list. New agents are checked
 * by move_check_targets, then rdvs_update (conflicts, warnings, rights). */
static int rdv_move(struct ctx *c)
{
	long long org, id;
	int rc = rdv_page(c, &org, &id);
	if (rc != 0)
		return rc;
	struct rdvs_change ch = {.set_starts = 1};
	struct rdvs_report rep = {0};
	json_t *raw;
	const char *s = move_param(c, "starts_at", &raw);
	if (s == NULL || valid_iso_datetime(s, &ch.starts_at, NULL) != 0)
		issue_add(&rep, "starts_at", "La nouvelle date est invalide (format ISO 8601 attendu).");
	const char *f = move_param(c, "force", &raw);
	ch.confirm_warnings = json_is_true(raw) || (f && valid_bool(f, &ch.confirm_warnings) == 0 && ch.confirm_warnings);
	long long to = 0, from = 0;
	const char *ag = move_param(c, "agent_id", &raw);
	to = json_is_integer(raw) ? json_integer_value(raw) : ag ? strtoll(ag, NULL, 10) : 0;
	const char *fa = move_param(c, "from_agent_id", &raw);
	from = json_is_integer(raw) ? json_integer_value(raw) : fa ? strtoll(fa, NULL, 10) : 0;
	move_agent_list(c, &ch);
	if (ch.set_agents && ch.n_agents == 0)
		issue_add(&rep, "agent_ids", "Choisissez au moins un agent.");
	if (rep.n_errors > 0)
		return move_answer(c, RDV_EINVAL, &rep, id);
	if (to > 0 && !ch.set_agents) {
		PGresult *r = db_q(c->db, "SELECT x.agent_id FROM agents_rdvs x JOIN rdvs r ON r.id = x.rdv_id"
				   " WHERE x.rdv_id = $1 AND r.organisation_id = $2 ORDER BY x.agent_id",
				   db_int(c->a, id), db_int(c->a, org));
		if (r == NULL)
			return c->db->err;
		int n = PQntuples(r);
		if (from == 0)
			from = n == 1 ? db_ll(r, 0, 0) : c->agent_id;
		ch.set_agents = 1;
		ch.agent_ids[ch.n_agents++] = to;
		for (int i = 0; i < n && ch.n_agents < RDVS_MAX_AGENTS; i++)
			if (db_ll(r, i, 0) != from)
				ch.agent_ids[ch.n_agents++] = db_ll(r, i, 0);
		PQclear(r);
	}
	if (ch.set_agents && (rc = move_check_targets(c, org, &ch)) != 0)
		return rc;
	struct rdvs_actor who = {c->agent_id, app_client_ip(c)};
	rc = rdvs_update(c->db, c->a, &who, org, id, &ch, &rep);
	return move_answer(c, rc, &rep, id);
}

ROUTE_TABLE(rdv_routes,
	{HTTP_GET, "/agent/organisations/:org_id/rdvs", rdv_index, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/rdvs/new", rdv_new, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs", rdv_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/rdvs/:id", rdv_show, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id", rdv_update, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id/move", rdv_move, ROUTE_AGENT, ROUTE_JSON},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id/status", rdv_status, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id/cancel", rdv_cancel, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id/delete", rdv_delete, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id/participants", rdv_participant_add, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/rdvs/:id/participants/:user_id/delete", rdv_participant_remove,
	 ROUTE_AGENT, 0},
);
