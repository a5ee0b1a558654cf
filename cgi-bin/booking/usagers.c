/*
 * usagers.c - the agent pages of usagers (/agent/organisations/:org_id/usagers…):
 * list and search, autocomplete for the RDV form, create (responsable or
 * proche) with duplicate warnings, show, edit, delete (anonymisation, with a
 * decision about the proches), add an existing usager of the territory to
 * the organisation, move a proche, referents, "mes usagers" and the merge
 * screen. Thin: parse → scope (lib/usager) → call lib/usager → render.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "booking.h"
#include "notify.h"
#include "phone.h"
#include "rdv.h"
#include "tz.h"
#include "usager.h"
#include "valid.h"

#define PER_PAGE 30

/* Labels of the form, in USAGER_FIELDS order. */
static const char *const field_labels[UF_COUNT] = {
	"Prénom", "Nom d'usage", "Nom de naissance", "Date de naissance", "E-mail", "Téléphone", "Adresse",
	"Complément d'adresse", "Code postal", "Code commune (INSEE)", "Commune", "Caisse d'affiliation",
	"Numéro d'allocataire", "Situation familiale", "Nombre d'enfants", "Logement", "Numéro de dossier",
	"Notifications par SMS", "Notifications par e-mail", "Remarques (visibles par votre organisation)",
};

struct option { const char *value, *label; };
static const struct option caisses[] = {{"aucune", "Aucune"}, {"caf", "CAF"}, {"msa", "MSA"}, {NULL, NULL}};
static const struct option situations[] = {{"single", "Célibataire"}, {"in_a_relationship", "En couple"},
					   {"divorced", "Divorcé(e) ou séparé(e)"}, {NULL, NULL}};
static const struct option logements[] = {{"locataire", "Locataire"}, {"proprietaire", "Propriétaire"},
					  {"en_accession_propriete", "En accession à la propriété"},
					  {"heberge", "Hébergé(e)"}, {"sdf", "Sans domicile fixe"}, {"autre", "Autre"},
					  {NULL, NULL}};

/* ------------------------------------------------------------ helpers */

static int page_scope(struct ctx *c, struct usager_scope *s)
{
	long long org;
	enum org_role role;
	int rc = booking_org(c, &org, &role);
	return rc ? rc : usager_scope_load(c->db, c->agent_id, org, s);
}

/* The scope and the :id of a page about one usager (usager_get or the
 * lib/usager call checks the usager is in scope). */
static int page_usager(struct ctx *c, struct usager_scope *s, long long *id)
{
	*id = route_id(&c->match, "id");
	return page_scope(c, s);
}

static const char *upath(struct ctx *c, const struct usager_scope *s, const char *fmt_suffix, long long id)
{
	if (id > 0)
		return arena_printf(c->a, "/agent/organisations/%lld/usagers/%lld%s", s->org_id, id, fmt_suffix);
	return arena_printf(c->a, "/agent/organisations/%lld/usagers%s", s->org_id, fmt_suffix);
}

static int param_page(struct ctx *c)
{
	long long p;
	if (valid_int(http_param(&c->req, "page"), 1, 100000, &p, NULL) != 0)
		return 1;
	return (int)p;
}

static long long param_id(struct ctx *c, const char *name)
{
	long long id;
	return valid_id(http_param(&c->req, name), &id, NULL) == 0 ? id : 0;
}

static const char *fr_date(struct ctx *c, const char *iso)
{
	if (iso == NULL || strlen(iso) < 10)
		return NULL;
	return arena_printf(c->a, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

static const char *display_name(struct ctx *c, const PGresult *r, int row)
{
	char *last = arena_strdup(c->a, db_val(r, row, UC_LAST_NAME));
	for (char *p = last; p && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	return arena_printf(c->a, "%s %s", db_val(r, row, UC_FIRST_NAME), last ? last : "");
}

static const char *national_phone(struct ctx *c, const char *e164)
{
	if (e164 == NULL)
		return NULL;
	char nat[PHONE_NATIONAL_SIZE];
	phone_format_national(e164, nat);
	return arena_strdup(c->a, nat);
}

/* One usager row for lists (index, proches, search results). */
static void set_usager_row(struct ctx *c, const struct usager_scope *s, struct tmpl_vars *row, const PGresult *r, int i)
{
	long long id = db_ll(r, i, UC_ID);
	tmpl_set_int(row, "id", id);
	tmpl_set_var(row, "name", display_name(c, r, i));
	tmpl_set_var(row, "birth_date", fr_date(c, db_val(r, i, UC_BIRTH_DATE)));
	tmpl_set_var(row, "phone", national_phone(c, db_val(r, i, UC_PHONE_E164)));
	tmpl_set_var(row, "email", db_val(r, i, UC_EMAIL));
	tmpl_set_var(row, "responsible_label", db_val(r, i, UC_RESPONSIBLE_LABEL));
	tmpl_set_var(row, "href", app_url(c, upath(c, s, "", id)));
}

/* total < 0: at least -total usagers, the number of pages is not known (usager_search_total). */
static void set_pager(struct ctx *c, const char *base, const char *q, int page, long long total, int per_page)
{
	long long known = total < 0 ? -total : total;
	long long pages = known > 0 ? (known + per_page - 1) / per_page : 1;
	const char *qs = "";
	if (q != NULL && q[0]) {
		struct buf b = BUF_INIT;
		buf_puts(&b, "q=");
		buf_put_url(&b, q);
		buf_putc(&b, '&');
		qs = b.oom ? "" : arena_strdup(c->a, b.data);
		buf_free(&b);
	}
	tmpl_set_int(c->vars, "page", page);
	if (total >= 0) {
		tmpl_set_int(c->vars, "pages", pages);
		tmpl_set_int(c->vars, "total", total);
	} else {
		tmpl_set_var(c->vars, "total", arena_printf(c->a, "Plus de %lld", known - 1));
	}
	tmpl_set_bool(c->vars, "paged", pages > 1);
	if (page > 1)
		tmpl_set_var(c->vars, "prev_url", app_url(c, arena_printf(c->a, "%s?%spage=%d", base, qs, page - 1)));
	if (page < pages)
		tmpl_set_var(c->vars, "next_url", app_url(c, arena_printf(c->a, "%s?%spage=%d", base, qs, page + 1)));
}

/* ------------------------------------------------------------ index, search */

static int list_render(struct ctx *c, const struct usager_scope *s, const char *q, long long referent, const char *base)
{
	int page = param_page(c);
	PGresult *r = usager_search_page(c->db, c->a, s, q, referent, page, PER_PAGE);
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *rows = tmpl_add_loop(c->vars, "usagers");
	for (int i = 0; i < PQntuples(r); i++)
		set_usager_row(c, s, tmpl_loop_add_row(rows), r, i);
	set_pager(c, base, q, page, usager_search_total(r), PER_PAGE);
	PQclear(r);
	tmpl_set_var(c->vars, "q", q);
	tmpl_set_var(c->vars, "usagers_url", app_url(c, upath(c, s, "", 0)));
	return app_render(c, 200, "booking/usagers.tmpl");
}

static int usagers_index(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", "Usagers");
	return list_render(c, &s, http_param(&c->req, "q"), 0, upath(c, &s, "", 0));
}

static int usagers_mine(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", "Mes usagers");
	tmpl_set_bool(c->vars, "mine", 1);
	return list_render(c, &s, NULL, c->agent_id,
			   arena_printf(c->a, "/agent/organisations/%lld/mes_usagers", s.org_id));
}

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* One match of the RDV form's combobox. */
static json_t *search_json_row(struct ctx *c, const PGresult *r, int i)
{
	long long resp = db_ll(r, i, UC_RESPONSIBLE_ID);
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)db_ll(r, i, UC_ID),
			 "label", usager_label(c->a, r, i), "name", display_name(c, r, i),
			 "birth_date", json_str_or_null(fr_date(c, db_val(r, i, UC_BIRTH_DATE))),
			 "phone", json_str_or_null(usager_phone_masked(c->a, db_val(r, i, UC_PHONE_E164))),
			 "responsible_id", resp ? json_integer(resp) : json_null(),
			 "responsible_label", json_str_or_null(db_val(r, i, UC_RESPONSIBLE_LABEL)));
}

/* Combobox of the RDV form: {"users": [{"id", "label", "name", "birth_date",
 * "phone" (masked), "responsible_id", "responsible_label"}]}, ≤ 20, usagers
 * of this organisation only (an RDV takes no other). q: 2 characters or more. */
static int usagers_search_json(struct ctx *c)
{
	/* the organisation alone: booking_org checks the agent's role in it, and
	 * usager_name_page the organisations whose usagers the agent sees; no
	 * territory setting is read (usager_scope_load would be one more statement) */
	struct usager_scope s = {.agent_id = c->agent_id};
	enum org_role role;
	int rc = booking_org(c, &s.org_id, &role);
	if (rc != 0)
		return rc;
	const char *q = http_param(&c->req, "q");
	json_t *list = json_array();
	if (q != NULL && strlen(q) >= 2) {
		PGresult *r = usager_search_page(c->db, c->a, &s, q, 0, 1, 20);
		if (r == NULL) {
			json_decref(list);
			return c->db->err;
		}
		for (int i = 0; i < PQntuples(r); i++)
			json_array_append_new(list, search_json_row(c, r, i));
		PQclear(r);
	}
	return app_json(c, 200, json_pack("{s:o}", "users", list));
}

/* ------------------------------------------------------------ form */

static void add_options(struct tmpl_vars *row, const struct option *opts, const char *value)
{
	struct tmpl_loop *l = tmpl_add_loop(row, "options");
	for (const struct option *o = opts; o->value; o++) {
		struct tmpl_vars *ov = tmpl_loop_add_row(l);
		tmpl_set_var(ov, "value", o->value);
		tmpl_set_var(ov, "label", o->label);
		tmpl_set_bool(ov, "selected", value && strcmp(value, o->value) == 0);
	}
}

static int field_is_contact(int f)
{
	return f == UF_email || f == UF_phone_number || f == UF_address || f == UF_address_details ||
	       f == UF_post_code || f == UF_city_code || f == UF_city_name || f == UF_notify_by_sms ||
	       f == UF_notify_by_email;
}

static void set_field_row(struct tmpl_vars *row, int f, const struct usager_input *in, const struct usager_errors *err)
{
	const char *name = usager_field_names[f];
	tmpl_set_var(row, "name", name);
	tmpl_set_var(row, "label", field_labels[f]);
	tmpl_set_var(row, "value", in->v[f]);
	tmpl_set_var(row, "error", usager_error_get(err, name));
	tmpl_set_bool(row, "required", f == UF_first_name || f == UF_last_name);
	switch (f) {
	case UF_caisse_affiliation: add_options(row, caisses, in->v[f]); tmpl_set_bool(row, "is_select", 1); break;
	case UF_family_situation: add_options(row, situations, in->v[f]); tmpl_set_bool(row, "is_select", 1); break;
	case UF_logement: add_options(row, logements, in->v[f]); tmpl_set_bool(row, "is_select", 1); break;
	case UF_notes: tmpl_set_bool(row, "is_textarea", 1); break;
	case UF_notify_by_sms:
	case UF_notify_by_email:
		tmpl_set_bool(row, "is_checkbox", 1);
		tmpl_set_bool(row, "checked", in->v[f] == NULL || strcmp(in->v[f], "1") == 0);
		break;
	default:
		tmpl_set_var(row, "type", f == UF_birth_date ? "date" : f == UF_email ? "email" :
				  f == UF_phone_number ? "tel" : f == UF_number_of_children ? "number" : "text");
		if (f == UF_phone_number)
			tmpl_set_var(row, "hint", "Exemple : 06 12 34 56 78");
		if (f == UF_birth_date)
			tmpl_set_var(row, "hint", "Format attendu : JJ/MM/AAAA");
	}
}

static void set_duplicates(struct ctx *c, const struct usager_scope *s, const struct usager_duplicate *d, int n)
{
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "duplicates");
	for (int i = 0; i < n; i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_int(row, "id", d[i].id);
		tmpl_set_varf(row, "name", "%s %s", d[i].first_name, d[i].last_name);
		tmpl_set_var(row, "birth_date", d[i].birth_date);
		tmpl_set_var(row, "organisations", d[i].organisations);
		tmpl_set_var(row, "reason", d[i].same_phone && d[i].same_identity ? "même téléphone, mêmes nom, prénom et date de naissance"
					    : d[i].same_phone ? "même numéro de téléphone"
							      : "mêmes nom, prénom et date de naissance");
		if (d[i].visible)
			tmpl_set_var(row, "open_href", app_url(c, upath(c, s, "", d[i].id)));
		if (!d[i].in_org) {
			tmpl_set_var(row, "add_href", app_url(c, upath(c, s, "/add_to_organisation", d[i].id)));
			/* what the agent typed, which matched: the proof add_to_organisation asks for */
			tmpl_set_var(row, "proof_phone", http_param(&c->req, "phone_number"));
			tmpl_set_var(row, "proof_first_name", http_param(&c->req, "first_name"));
			tmpl_set_var(row, "proof_last_name", http_param(&c->req, "last_name"));
			tmpl_set_var(row, "proof_birth_date", http_param(&c->req, "birth_date"));
		}
	}
}

/* After a change to usager id (rc): its page with done as the success
 * message, or the error. */
static int usager_done(struct ctx *c, const struct usager_scope *s, long long id, int rc, const char *done)
{
	if (rc != 0)
		return rc;
	app_flash(c, "success", done);
	return app_redirect(c, upath(c, s, "", id));
}

/* The new/edit form with the values typed, errors next to fields and
 * duplicate warnings above. */
static int render_form(struct ctx *c, const struct usager_scope *s, const struct usager_input *in,
		       const struct usager_errors *err, long long id, int status)
{
	int proche = in->responsible_id > 0;
	struct tmpl_loop *fields = tmpl_add_loop(c->vars, "fields");
	struct tmpl_loop *notify = tmpl_add_loop(c->vars, "notify_fields");
	for (int f = 0; f < UF_COUNT; f++) {
		if (!s->show[f] || (proche && field_is_contact(f)))
			continue;
		int cb = f == UF_notify_by_sms || f == UF_notify_by_email;
		set_field_row(tmpl_loop_add_row(cb ? notify : fields), f, in, err);
	}
	tmpl_set_var(c->vars, "title", id ? "Modifier l'usager" : proche ? "Nouveau proche" : "Nouvel usager");
	tmpl_set_var(c->vars, "action", app_url(c, upath(c, s, "", id)));
	tmpl_set_var(c->vars, "cancel_url", app_url(c, id ? upath(c, s, "", id) : upath(c, s, "", 0)));
	tmpl_set_bool(c->vars, "editing", id > 0);
	tmpl_set_bool(c->vars, "has_errors", err->n > 0);
	tmpl_set_var(c->vars, "responsible_error", usager_error_get(err, "responsible_id"));
	if (proche) {
		tmpl_set_int(c->vars, "responsible_id", in->responsible_id);
		tmpl_set_var(c->vars, "responsible_href", app_url(c, upath(c, s, "", in->responsible_id)));
		int e;
		PGresult *r = usager_get(c->db, s, in->responsible_id, &e);
		if (r != NULL) {
			tmpl_set_var(c->vars, "responsible_name", display_name(c, r, 0));
			PQclear(r);
		}
	}
	return app_render(c, status, "booking/usagers_form.tmpl");
}

static void input_from_form(struct ctx *c, struct usager_input *in, int editing)
{
	memset(in, 0, sizeof(*in));
	for (int f = 0; f < UF_COUNT; f++)
		in->v[f] = http_param(&c->req, usager_field_names[f]);
	/* an unchecked box sends nothing: on our forms that means "no" */
	if (!editing || http_param(&c->req, "first_name") != NULL) {
		if (in->v[UF_notify_by_sms] == NULL)
			in->v[UF_notify_by_sms] = "0";
		if (in->v[UF_notify_by_email] == NULL)
			in->v[UF_notify_by_email] = "0";
	}
}

static int usagers_new(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	if (rc != 0)
		return rc;
	struct usager_input in;
	memset(&in, 0, sizeof(in));
	in.responsible_id = param_id(c, "responsible_id");
	if (in.responsible_id > 0) {
		PGresult *r = usager_get(c->db, &s, in.responsible_id, &rc);
		if (r == NULL)
			return rc;
		int is_proche = db_ll(r, 0, UC_RESPONSIBLE_ID) != 0;
		if (!is_proche)   /* proches share the responsable's last name, as a start */
			in.v[UF_last_name] = db_dup(c->a, r, 0, UC_LAST_NAME);
		PQclear(r);
		if (is_proche)
			return app_error(c, 422, "Un proche ne peut pas avoir lui-même de proches.");
	}
	struct usager_errors err = {0};
	return render_form(c, &s, &in, &err, 0, 200);
}

/* Checks shared by create and update: fields, responsable, e-mail. */
static void check_input(struct ctx *c, const struct usager_scope *s, struct usager_input *in, long long id,
			struct usager_errors *err)
{
	usager_validate(c->a, s, in, err);
	if (in->responsible_id > 0 && id == 0) {
		int e;
		PGresult *r = usager_get(c->db, s, in->responsible_id, &e);
		if (r == NULL || db_ll(r, 0, UC_RESPONSIBLE_ID) != 0)
			usager_error_add(err, "responsible_id", "Le responsable choisi n'existe pas dans votre organisation "
								"ou est lui-même un proche.");
		if (r != NULL)
			PQclear(r);
	}
	if (in->v[UF_email] && in->v[UF_email][0] && usager_error_get(err, "email") == NULL &&
	    usager_email_taken(c->db, in->v[UF_email], id) == 1)
		usager_error_add(err, "email", "Cette adresse e-mail est déjà utilisée par un autre usager.");
}

/* 1 when duplicate warnings were rendered (the agent must confirm). */
static int warn_duplicates(struct ctx *c, const struct usager_scope *s, const struct usager_input *in, long long id,
			   const PGresult *before, int *rc)
{
	*rc = 0;
	const char *confirm = http_param(&c->req, "confirm_duplicates");
	if (confirm != NULL && strcmp(confirm, "1") == 0)
		return 0;
	struct usager_duplicate *d;
	int n;
	*rc = usager_find_duplicates(c->db, c->a, s, id, in, before, &d, &n);
	if (*rc != 0 || n == 0)
		return 0;
	set_duplicates(c, s, d, n);
	return 1;
}

static int usagers_create(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	if (rc != 0)
		return rc;
	struct usager_input in;
	input_from_form(c, &in, 0);
	const char *resp = http_param(&c->req, "responsible_id");
	struct usager_errors err = {0};
	if (resp != NULL && resp[0] && valid_id(resp, &in.responsible_id, NULL) != 0)
		usager_error_add(&err, "responsible_id", "Le responsable choisi n'existe pas dans votre organisation.");
	check_input(c, &s, &in, 0, &err);
	if (err.n > 0)
		return render_form(c, &s, &in, &err, 0, 422);
	if (warn_duplicates(c, &s, &in, 0, NULL, &rc))
		return render_form(c, &s, &in, &err, 0, 200);
	if (rc != 0)
		return rc;
	long long id = 0;
	rc = usager_create(c->db, c->a, &s, app_client_ip(c), &in, &id);
	if (rc == RDV_ECONFLICT) {   /* the same e-mail saved meanwhile */
		usager_error_add(&err, "email", "Cette adresse e-mail est déjà utilisée par un autre usager.");
		return render_form(c, &s, &in, &err, 0, 422);
	}
	if (rc == RDV_EINVAL) {
		usager_error_add(&err, "responsible_id", "Le responsable choisi n'existe pas dans votre organisation.");
		return render_form(c, &s, &in, &err, 0, 422);
	}
	return usager_done(c, &s, id, rc, in.responsible_id ? "Le proche a été ajouté." : "L'usager a été créé.");
}

static int usagers_edit(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	struct usager_input in;
	memset(&in, 0, sizeof(in));
	if ((rc = usager_fill_input(c->db, c->a, &s, id, &in)) != 0)
		return rc;
	struct usager_errors err = {0};
	return render_form(c, &s, &in, &err, id, 200);
}

static int usagers_update(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	PGresult *before = usager_get(c->db, &s, id, &rc);
	if (before == NULL)
		return rc;
	struct usager_input in;
	input_from_form(c, &in, 1);
	rc = usager_fill_input(c->db, c->a, &s, id, &in);
	struct usager_errors err = {0};
	if (rc == 0)
		check_input(c, &s, &in, id, &err);
	int warned = rc == 0 && err.n == 0 && warn_duplicates(c, &s, &in, id, before, &rc);
	PQclear(before);
	if (rc != 0)
		return rc;
	if (err.n > 0 || warned)
		return render_form(c, &s, &in, &err, id, warned ? 200 : 422);
	rc = usager_update(c->db, c->a, &s, app_client_ip(c), id, &in);
	if (rc == RDV_ECONFLICT) {
		usager_error_add(&err, "email", "Cette adresse e-mail est déjà utilisée par un autre usager.");
		return render_form(c, &s, &in, &err, id, 422);
	}
	return usager_done(c, &s, id, rc, "Les informations de l'usager ont été enregistrées.");
}

/* ------------------------------------------------------------ show */

static const char *status_label(const char *status, int past)
{
	if (strcmp(status, "seen") == 0) return "Présent";
	if (strcmp(status, "noshow") == 0) return "Absent non excusé";
	if (strcmp(status, "excused") == 0) return "Annulé par l'usager";
	if (strcmp(status, "revoked") == 0) return "Annulé par le service";
	return past ? "À renseigner" : "À venir";
}

static int show_rdvs(struct ctx *c, const struct usager_scope *s, long long id)
{
	PGresult *r = db_q(c->db,
		"SELECT r.id, extract(epoch FROM r.starts_at)::bigint, CASE WHEN r.collectif THEN p.status ELSE r.status END,"
		" m.name, coalesce(l.name, r.address, ''), r.starts_at < now(),"
		" (SELECT string_agg(a.first_name || ' ' || a.last_name, ', ' ORDER BY a.last_name)"
		"   FROM agents_rdvs ar JOIN agents a ON a.id = ar.agent_id WHERE ar.rdv_id = r.id)"
		" FROM participations p JOIN rdvs r ON r.id = p.rdv_id JOIN motifs m ON m.id = r.motif_id"
		" LEFT JOIN lieux l ON l.id = r.lieu_id WHERE p.user_id = $1 AND r.organisation_id = $2"
		" ORDER BY r.starts_at DESC LIMIT 100", db_int(c->a, id), db_int(c->a, s->org_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *up = tmpl_add_loop(c->vars, "upcoming_rdvs"), *past = tmpl_add_loop(c->vars, "past_rdvs");
	for (int i = PQntuples(r) - 1; i >= 0; i--) {   /* upcoming soonest first */
		int is_past = db_bool(r, i, 5);
		if (is_past)
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(up);
		char when[96];
		tz_format_fr_long(db_ll(r, i, 1), when, sizeof(when));
		tmpl_set_var(row, "when", when);
		tmpl_set_var(row, "status", status_label(db_val(r, i, 2), 0));
		tmpl_set_var(row, "status_code", db_val(r, i, 2));
		tmpl_set_var(row, "motif", db_val(r, i, 3));
		tmpl_set_var(row, "lieu", db_val(r, i, 4));
		tmpl_set_var(row, "agents", db_val(r, i, 6));
		tmpl_set_var(row, "href", app_url(c, arena_printf(c->a, "/agent/organisations/%lld/rdvs/%s", s->org_id,
								  db_val(r, i, 0))));
	}
	for (int i = 0; i < PQntuples(r); i++) {   /* past: latest first */
		if (!db_bool(r, i, 5))
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(past);
		char when[96];
		tz_format_fr_long(db_ll(r, i, 1), when, sizeof(when));
		tmpl_set_var(row, "when", when);
		tmpl_set_var(row, "status", status_label(db_val(r, i, 2), 1));
		tmpl_set_var(row, "status_code", db_val(r, i, 2));
		tmpl_set_var(row, "motif", db_val(r, i, 3));
		tmpl_set_var(row, "lieu", db_val(r, i, 4));
		tmpl_set_var(row, "agents", db_val(r, i, 6));
		tmpl_set_var(row, "href", app_url(c, arena_printf(c->a, "/agent/organisations/%lld/rdvs/%s", s->org_id,
								  db_val(r, i, 0))));
	}
	PQclear(r);
	return 0;
}

static int show_proches(struct ctx *c, const struct usager_scope *s, long long id)
{
	PGresult *r = db_q(c->db, "SELECT u.id, u.first_name, u.last_name, to_char(u.birth_date, 'YYYY-MM-DD')"
				  " FROM users u WHERE u.responsible_id = $1 AND u.deleted_at IS NULL ORDER BY u.birth_date, u.id",
			   db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "proches");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_varf(row, "name", "%s %s", db_val(r, i, 1), db_val(r, i, 2));
		tmpl_set_var(row, "birth_date", fr_date(c, db_val(r, i, 3)));
		tmpl_set_var(row, "href", app_url(c, upath(c, s, "", db_ll(r, i, 0))));
	}
	PQclear(r);
	return 0;
}

static int show_referents(struct ctx *c, const struct usager_scope *s, long long id)
{
	PGresult *r = db_q(c->db,
		"SELECT a.id, a.first_name || ' ' || a.last_name, ra.agent_id IS NOT NULL"
		" FROM agent_roles ar JOIN agents a ON a.id = ar.agent_id"
		" LEFT JOIN referent_assignations ra ON ra.agent_id = a.id AND ra.user_id = $2"
		" WHERE ar.organisation_id = $1 AND a.deleted_at IS NULL ORDER BY a.last_name, a.first_name",
		db_int(c->a, s->org_id), db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *refs = tmpl_add_loop(c->vars, "referents"), *others = tmpl_add_loop(c->vars, "referent_choices");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(db_bool(r, i, 2) ? refs : others);
		tmpl_set_var(row, "agent_id", db_val(r, i, 0));
		tmpl_set_var(row, "agent_name", db_val(r, i, 1));
		tmpl_set_var(row, "remove_href", app_url(c, upath(c, s, arena_printf(c->a, "/referents/%s/delete",
										     db_val(r, i, 0)), id)));
	}
	PQclear(r);
	return 0;
}

static int show_history(struct ctx *c, long long id)
{
	PGresult *r = db_q(c->db,
		"SELECT extract(epoch FROM au.at)::bigint, au.event, coalesce(a.first_name || ' ' || a.last_name, 'Système')"
		" FROM audit au LEFT JOIN agents a ON a.id = au.agent_id WHERE au.item_type = 'user' AND au.item_id = $1"
		" ORDER BY au.at DESC, au.id DESC LIMIT 30", db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	static const struct option events[] = {{"create", "Création"}, {"update", "Modification"},
		{"move", "Changement de responsable"}, {"detach", "Détaché de son responsable"},
		{"merge", "Fusion d'un doublon"}, {"add_to_organisation", "Ajout à une organisation"},
		{"referent_add", "Ajout d'un référent"}, {"referent_remove", "Retrait d'un référent"}, {NULL, NULL}};
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "history");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		char when[96];
		tz_format_fr_long(db_ll(r, i, 0), when, sizeof(when));
		const char *ev = db_val(r, i, 1), *label = ev;
		for (const struct option *o = events; o->value; o++)
			if (strcmp(o->value, ev) == 0)
				label = o->label;
		tmpl_set_var(row, "when", when);
		tmpl_set_var(row, "event", label);
		tmpl_set_var(row, "who", db_val(r, i, 2));
	}
	PQclear(r);
	return 0;
}

static void show_identity(struct ctx *c, const struct usager_scope *s, const PGresult *r)
{
	static const struct { int col; const char *name; } cols[] = {
		{UC_FIRST_NAME, "first_name"}, {UC_LAST_NAME, "last_name"}, {UC_BIRTH_NAME, "birth_name"},
		{UC_EMAIL, "email"}, {UC_ADDRESS, "address"}, {UC_ADDRESS_DETAILS, "address_details"},
		{UC_POST_CODE, "post_code"}, {UC_CITY_CODE, "city_code"}, {UC_CITY_NAME, "city_name"},
		{UC_AFFILIATION_NUMBER, "affiliation_number"}, {UC_NUMBER_OF_CHILDREN, "number_of_children"},
		{UC_CASE_NUMBER, "case_number"},
	};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		tmpl_set_var(c->vars, cols[i].name, db_val(r, 0, cols[i].col));
	tmpl_set_var(c->vars, "name", display_name(c, r, 0));
	tmpl_set_var(c->vars, "birth_date", fr_date(c, db_val(r, 0, UC_BIRTH_DATE)));
	tmpl_set_var(c->vars, "phone", national_phone(c, db_val(r, 0, UC_PHONE_E164)));
	tmpl_set_bool(c->vars, "notify_by_sms", db_bool(r, 0, UC_NOTIFY_SMS));
	tmpl_set_bool(c->vars, "notify_by_email", db_bool(r, 0, UC_NOTIFY_EMAIL));
	const struct option *sets[] = {caisses, situations, logements};
	const int set_cols[] = {UC_CAISSE, UC_FAMILY_SITUATION, UC_LOGEMENT};
	const char *set_names[] = {"caisse_affiliation", "family_situation", "logement"};
	for (int k = 0; k < 3; k++)
		for (const struct option *o = sets[k]; o->value; o++)
			if (db_val(r, 0, set_cols[k]) && strcmp(o->value, db_val(r, 0, set_cols[k])) == 0)
				tmpl_set_var(c->vars, set_names[k], o->label);
	static const char *const show_names[UF_COUNT] = {
#define SHOW_NAME(n) "show_" #n,
		USAGER_FIELDS(SHOW_NAME)
#undef SHOW_NAME
	};
	for (int f = 0; f < UF_COUNT; f++)
		tmpl_set_bool(c->vars, show_names[f], s->show[f]);
	long long resp = db_ll(r, 0, UC_RESPONSIBLE_ID);
	if (resp) {
		tmpl_set_var(c->vars, "responsible_label", db_val(r, 0, UC_RESPONSIBLE_LABEL));
		tmpl_set_var(c->vars, "responsible_href", app_url(c, upath(c, s, "", resp)));
	}
}

static int usagers_show(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	PGresult *r = usager_get(c->db, &s, id, &rc);
	if (r == NULL)
		return rc;
	show_identity(c, &s, r);
	int proche = db_ll(r, 0, UC_RESPONSIBLE_ID) != 0;
	PQclear(r);
	tmpl_set_var(c->vars, "title", tmpl_get_var(c->vars, "name"));
	tmpl_set_int(c->vars, "id", id);
	tmpl_set_bool(c->vars, "is_proche", proche);
	if (s.show[UF_notes])
		tmpl_set_var(c->vars, "notes", usager_notes(c->db, c->a, &s, id));
	char *in_org = db_s(c->db, c->a, "SELECT 1 FROM user_profiles WHERE user_id = $1 AND organisation_id = $2",
			    db_int(c->a, id), db_int(c->a, s.org_id));
	tmpl_set_bool(c->vars, "in_org", in_org != NULL);
	tmpl_set_var(c->vars, "usager_url", app_url(c, upath(c, &s, "", id)));
	tmpl_set_var(c->vars, "usagers_url", app_url(c, upath(c, &s, "", 0)));
	tmpl_set_var(c->vars, "new_proche_url", app_url(c, arena_printf(c->a, "%s?responsible_id=%lld",
									upath(c, &s, "/new", 0), id)));
	tmpl_set_var(c->vars, "merge_url", app_url(c, arena_printf(c->a, "%s?keep_id=%lld", upath(c, &s, "/merge", 0), id)));
	if ((rc = show_proches(c, &s, id)) != 0 || (rc = show_rdvs(c, &s, id)) != 0 ||
	    (rc = show_referents(c, &s, id)) != 0)
		return rc;
	if (tmpl_get_var(c->vars, "is_admin") != NULL && (rc = show_history(c, id)) != 0)
		return rc;
	return app_render(c, 200, "booking/usagers_show.tmpl");
}

/* ------------------------------------------------------------ delete */

/* What every form about usager id shows: its name, the page title, the
 * error, where the form posts (…/:id<suffix>) and the way back. The
 * usager's row (the caller clears it), or NULL with *rc. */
static PGresult *usager_form_vars(struct ctx *c, const struct usager_scope *s, long long id, const char *title,
				  const char *suffix, const char *error, int *rc)
{
	PGresult *r = usager_get(c->db, s, id, rc);
	if (r == NULL)
		return NULL;
	tmpl_set_var(c->vars, "name", display_name(c, r, 0));
	tmpl_set_var(c->vars, "title", title);
	tmpl_set_var(c->vars, "error", error);
	tmpl_set_var(c->vars, "action", app_url(c, upath(c, s, suffix, id)));
	tmpl_set_var(c->vars, "usager_url", app_url(c, upath(c, s, "", id)));
	return r;
}

static int render_delete(struct ctx *c, const struct usager_scope *s, long long id, int status, const char *error)
{
	int rc;
	PGresult *r = usager_form_vars(c, s, id, "Supprimer l'usager", "/delete", error, &rc);
	if (r == NULL)
		return rc;
	PQclear(r);
	char *others = db_s(c->db, c->a,
		"SELECT string_agg(o.name, ', ' ORDER BY o.name) FROM user_profiles p JOIN organisations o"
		" ON o.id = p.organisation_id WHERE p.user_id = $1 AND p.organisation_id <> $2",
		db_int(c->a, id), db_int(c->a, s->org_id));
	tmpl_set_var(c->vars, "other_organisations", others);
	if ((rc = show_proches(c, s, id)) != 0)
		return rc;
	return app_render(c, status, "booking/usagers_delete.tmpl");
}

static int usagers_delete_confirm(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	return rc ? rc : render_delete(c, &s, route_id(&c->match, "id"), 200, NULL);
}

static int usagers_destroy(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	const char *p = http_param(&c->req, "proches");
	enum usager_proches_decision d = p == NULL ? USAGER_PROCHES_NONE : strcmp(p, "delete") == 0 ? USAGER_PROCHES_DELETE
					 : strcmp(p, "detach") == 0 ? USAGER_PROCHES_DETACH : USAGER_PROCHES_NONE;
	rc = usager_destroy(c->db, c->a, &s, app_client_ip(c), id, d);
	if (rc == RDV_ECONFLICT)
		return render_delete(c, &s, id, 422, "Cet usager a des proches : choisissez s'ils sont supprimés aussi "
						     "ou s'ils deviennent des usagers indépendants.");
	if (rc != 0)
		return rc;
	app_flash(c, "success", "L'usager a été supprimé : ses données personnelles ont été effacées, "
				"ses rendez-vous restent anonymes dans les statistiques.");
	return app_redirect(c, upath(c, &s, "", 0));
}

/* ------------------------------------------------------------ organisation, family, referents */

/* Adding another organisation's usager to mine needs what the duplicate
 * warning matched on — the same phone number, or the same names and birth
 * date — unless the usager is already visible to me (territory-wide
 * visibility). Without it, any id of the territory could be pulled in
 * (found by the IDOR sweep). Answers 404 when the proof does not match. */
static int add_proof_matches(struct ctx *c, long long id)
{
	char e164[PHONE_E164_SIZE] = "";
	const char *phone = http_param(&c->req, "proof_phone");
	if (phone == NULL || phone[0] == '\0' || phone_normalize(phone, e164, NULL) != 0)
		e164[0] = '\0';
	const char *first = http_param(&c->req, "proof_first_name"), *last = http_param(&c->req, "proof_last_name");
	const char *birth = http_param(&c->req, "proof_birth_date");
	int y, m, d;
	const char *bd = birth != NULL && valid_date(birth, &y, &m, &d, NULL) == 0
		? arena_printf(c->a, "%04d-%02d-%02d", y, m, d) : NULL;
	char *ok = db_s(c->db, c->a,
		"SELECT 1 FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL AND ("
		" ($2 <> '' AND u.phone_number_formatted = $2)"
		" OR ($5::date IS NOT NULL AND u.birth_date = $5::date"
		"     AND rdv_name_key(u.first_name) = rdv_name_key($3) AND rdv_name_key(u.last_name) = rdv_name_key($4)))",
		db_int(c->a, id), e164, first ? first : "", last ? last : "", bd);
	return ok != NULL;
}

static int usagers_add_to_org(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	if (!s.territory_wide && !add_proof_matches(c, id))
		return c->db->err ? c->db->err : RDV_ENOTFOUND;
	rc = usager_add_to_org(c->db, c->a, &s, app_client_ip(c), id);
	return usager_done(c, &s, id, rc, "L'usager a été ajouté à votre organisation.");
}

static int render_move(struct ctx *c, const struct usager_scope *s, long long id, int status, const char *error)
{
	int rc;
	PGresult *r = usager_form_vars(c, s, id, "Changer le responsable", "/move", error, &rc);
	if (r == NULL)
		return rc;
	tmpl_set_var(c->vars, "responsible_label", db_val(r, 0, UC_RESPONSIBLE_LABEL));
	PQclear(r);
	const char *q = http_param(&c->req, "q");
	tmpl_set_var(c->vars, "q", q);
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "candidates");
	if (q != NULL && q[0]) {
		PGresult *res = usager_search_page(c->db, c->a, s, q, 0, 1, 20);
		if (res == NULL)
			return c->db->err;
		for (int i = 0; i < PQntuples(res); i++)
			if (db_ll(res, i, UC_RESPONSIBLE_ID) == 0 && db_ll(res, i, UC_ID) != id)
				set_usager_row(c, s, tmpl_loop_add_row(l), res, i);
		PQclear(res);
	}
	return app_render(c, status, "booking/usagers_move.tmpl");
}

static int usagers_move_form(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	return rc ? rc : render_move(c, &s, route_id(&c->match, "id"), 200, NULL);
}

static int usagers_move(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	rc = usager_move_proche(c->db, c->a, &s, app_client_ip(c), id, param_id(c, "responsible_id"));
	if (rc == RDV_EINVAL)
		return render_move(c, &s, id, 422, "Choisissez un responsable de votre organisation, qui n'est pas "
						   "lui-même un proche (un responsable qui a des proches ne peut pas "
						   "devenir un proche).");
	return usager_done(c, &s, id, rc, "Le proche a été rattaché à son nouveau responsable.");
}

static int usagers_referent_add(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	rc = usager_referent_add(c->db, c->a, &s, app_client_ip(c), id, param_id(c, "agent_id"));
	if (rc == RDV_EINVAL)
		return app_error(c, 422, "Choisissez un agent de votre organisation.");
	return usager_done(c, &s, id, rc, "Le référent a été ajouté.");
}

static int usagers_referent_remove(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	rc = usager_referent_remove(c->db, c->a, &s, app_client_ip(c), id, route_id(&c->match, "agent_id"));
	if (rc == RDV_EINVAL)
		return RDV_ENOTFOUND;
	return usager_done(c, &s, id, rc, "Le référent a été retiré.");
}

/* ------------------------------------------------------------ invitation to book */

/* The invitation form (motifs of the organisation bookable online or by
 * invited users, the responsable's channels); after sending, link is the
 * link to copy. */
static int render_invitation(struct ctx *c, const struct usager_scope *s, long long id, int status, const char *error,
			     const char *link)
{
	int rc;
	PGresult *r = usager_form_vars(c, s, id, "Inviter à prendre rendez-vous", "/invitation", error, &rc);
	if (r == NULL)
		return rc;
	PQclear(r);
	tmpl_set_var(c->vars, "link", link);
	r = db_q(c->db, "SELECT r.email IS NOT NULL, r.phone_number_formatted IS NOT NULL FROM users u"
			" JOIN users r ON r.id = coalesce(u.responsible_id, u.id) WHERE u.id = $1", db_int(c->a, id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) == 1) {
		tmpl_set_bool(c->vars, "has_email", db_bool(r, 0, 0));
		tmpl_set_bool(c->vars, "has_phone", db_bool(r, 0, 1));
	}
	PQclear(r);
	r = db_q(c->db, "SELECT m.id, m.name, s.name FROM motifs m JOIN services s ON s.id = m.service_id"
			" WHERE m.organisation_id = $1 AND m.deleted_at IS NULL"
			" AND m.bookable_by IN ('everyone', 'agents_and_prescripteurs_and_invited_users')"
			" ORDER BY s.name, m.name, m.id", db_int(c->a, s->org_id));
	if (r == NULL)
		return c->db->err;
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "motifs");
	for (int i = 0; i < PQntuples(r); i++) {
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "id", db_val(r, i, 0));
		tmpl_set_varf(row, "name", "%s (%s)", db_val(r, i, 1), db_val(r, i, 2));
	}
	PQclear(r);
	return app_render(c, status, "booking/usagers_invitation.tmpl");
}

static int usagers_invitation_form(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	return rc ? rc : render_invitation(c, &s, id, 200, NULL, NULL);
}

/* Stores a fresh token (hashed) and the invitation's scope on usager id:
 * the organisation, and motif_id when chosen. The raw token in out. */
static int invitation_store(struct ctx *c, const struct usager_scope *s, long long id, long long motif_id,
			    char out[AUTH_TOKEN_LEN + 1])
{
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_new(out);
	auth_token_hash(out, hash);
	char *ok = db_s(c->db, c->a,
		"UPDATE users SET rdv_invitation_token = $2::bytea, rdv_invitation_token_updated_at = now(),"
		" rdv_invitation_organisation_id = $3, rdv_invitation_service_id = NULL,"
		" rdv_invitation_motif_ids = CASE WHEN $4::bigint > 0 THEN ARRAY[$4::bigint] END"
		" WHERE id = $1 AND deleted_at IS NULL RETURNING id",
		db_int(c->a, id), hash, db_int(c->a, s->org_id), db_int(c->a, motif_id));
	return ok ? 0 : c->db->err ? c->db->err : RDV_ENOTFOUND;
}

/* POST …/usagers/:id/invitation: channel "email", "sms" or "link" (copy it). */
static int usagers_invitation_send(struct ctx *c)
{
	struct usager_scope s;
	long long id;
	int rc = page_usager(c, &s, &id);
	if (rc != 0)
		return rc;
	PGresult *u = usager_get(c->db, &s, id, &rc);
	if (u == NULL)
		return rc;
	PQclear(u);
	const char *channel = http_param(&c->req, "channel");
	if (channel == NULL || (strcmp(channel, "email") && strcmp(channel, "sms") && strcmp(channel, "link")))
		return render_invitation(c, &s, id, 422, "Choisissez comment envoyer l'invitation.", NULL);
	long long motif_id = param_id(c, "motif_id");
	if (motif_id && db_s(c->db, c->a, "SELECT 1 FROM motifs WHERE id = $1 AND organisation_id = $2 AND deleted_at IS NULL"
					  " AND bookable_by IN ('everyone', 'agents_and_prescripteurs_and_invited_users')",
			     db_int(c->a, motif_id), db_int(c->a, s.org_id)) == NULL)
		return render_invitation(c, &s, id, 422, "Choisissez un motif de votre organisation ouvert aux invitations.",
					 NULL);
	char token[AUTH_TOKEN_LEN + 1];
	if ((rc = db_begin(c->db)) != 0)
		return rc;
	rc = invitation_store(c, &s, id, motif_id, token);
	if (rc == 0 && strcmp(channel, "link") != 0)
		rc = notify_invitation(c->db, c->a, id, s.org_id, channel, token);
	if (rc == 0)
		rc = audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .organisation_id = s.org_id,
			.territory_id = s.territory_id, .item_type = "user", .item_id = id, .event = "rdv_invitation",
			.ip = app_client_ip(c)});
	if (rc == 0)
		rc = db_commit(c->db);
	if (rc != 0)
		db_rollback(c->db);
	if (rc == RDV_EINVAL)
		return render_invitation(c, &s, id, 422, strcmp(channel, "sms") == 0
			? "Le responsable n'a pas de numéro de téléphone mobile : envoyez l'invitation par e-mail ou copiez le lien."
			: "Le responsable n'a pas d'adresse e-mail : envoyez l'invitation par SMS ou copiez le lien.", NULL);
	if (rc != 0)
		return rc;
	const char *link = arena_printf(c->a, "%s/prendre_rdv?invitation_token=%s", c->conf->public_url, token);
	tmpl_set_var(c->vars, "sent", strcmp(channel, "email") == 0 ? "L'invitation a été envoyée par e-mail."
				     : strcmp(channel, "sms") == 0 ? "L'invitation a été envoyée par SMS."
				     : "Le lien d'invitation a été créé.");
	return render_invitation(c, &s, id, 200, NULL, link);
}

/* ------------------------------------------------------------ merge */

/* One side of the comparison table. */
static int merge_side(struct ctx *c, const struct usager_scope *s, long long id, const char *prefix)
{
	int rc;
	PGresult *r = usager_get(c->db, s, id, &rc);
	if (r == NULL)
		return rc;
	const char *v[] = {display_name(c, r, 0), fr_date(c, db_val(r, 0, UC_BIRTH_DATE)), db_val(r, 0, UC_EMAIL),
			   national_phone(c, db_val(r, 0, UC_PHONE_E164)), db_val(r, 0, UC_ADDRESS)};
	const char *names[] = {"name", "birth_date", "email", "phone", "address"};
	for (int i = 0; i < 5; i++)
		tmpl_set_var(c->vars, arena_printf(c->a, "%s_%s", prefix, names[i]), v[i]);
	tmpl_set_int(c->vars, arena_printf(c->a, "%s_id", prefix), id);
	PQclear(r);
	char *n = db_s(c->db, c->a, "SELECT count(*) FROM participations WHERE user_id = $1", db_int(c->a, id));
	tmpl_set_var(c->vars, arena_printf(c->a, "%s_rdvs", prefix), n ? n : "0");
	return 0;
}

/* A value as the agent reads it: dates in French, the label of a list's code. */
static const char *field_display(struct ctx *c, int f, const char *v)
{
	const struct option *opts = f == UF_caisse_affiliation ? caisses : f == UF_family_situation ? situations
				  : f == UF_logement ? logements : NULL;
	if (v == NULL || v[0] == '\0')
		return NULL;
	if (f == UF_birth_date)
		return fr_date(c, v);
	for (const struct option *o = opts; o && o->value; o++)
		if (strcmp(o->value, v) == 0)
			return o->label;
	return v;
}

/* choose_<field> of the request: "keep", "source" or NULL (the default). */
static void merge_picks(struct ctx *c, const char *pick[UF_COUNT])
{
	for (int f = 0; f < UF_COUNT; f++)
		pick[f] = http_param(&c->req, arena_printf(c->a, "choose_%s", usager_field_names[f]));
}

/* The fields whose values differ, each with its two values and the one chosen. */
static void set_merge_choices(struct ctx *c, const struct usager_merge_choice *m, const struct usager_errors *err)
{
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "choices");
	for (int f = 0; f < UF_COUNT; f++) {
		if (!m->differs[f])
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(l);
		tmpl_set_var(row, "name", usager_field_names[f]);
		tmpl_set_var(row, "label", field_labels[f]);
		tmpl_set_var(row, "keep_value", field_display(c, f, m->kept.v[f]));
		tmpl_set_var(row, "source_value", field_display(c, f, m->other.v[f]));
		tmpl_set_bool(row, "from_source", m->from_other[f]);
		tmpl_set_var(row, "error", usager_error_get(err, usager_field_names[f]));
	}
}

static int render_merge(struct ctx *c, const struct usager_scope *s, int status, const char *error)
{
	long long keep = param_id(c, "keep_id"), src = param_id(c, "source_id");
	int rc;
	tmpl_set_var(c->vars, "title", "Fusionner deux usagers");
	tmpl_set_var(c->vars, "error", error);
	tmpl_set_var(c->vars, "action", app_url(c, upath(c, s, "/merge", 0)));
	tmpl_set_var(c->vars, "usagers_url", app_url(c, upath(c, s, "", 0)));
	if (keep && (rc = merge_side(c, s, keep, "keep")) != 0)
		return rc;
	if (src && (rc = merge_side(c, s, src, "source")) != 0)
		return rc;
	tmpl_set_bool(c->vars, "ready", keep && src && keep != src);
	if (keep && src && keep != src) {
		const char *pick[UF_COUNT];
		merge_picks(c, pick);
		struct usager_merge_choice m;
		struct usager_errors err = {0};
		if ((rc = usager_merge_choose(c->db, c->a, s, keep, src, pick, &m, &err)) != 0)
			return rc;
		set_merge_choices(c, &m, &err);
	}
	const char *q = http_param(&c->req, "q");
	tmpl_set_var(c->vars, "q", q);
	struct tmpl_loop *l = tmpl_add_loop(c->vars, "candidates");
	if (keep && q != NULL && q[0]) {
		PGresult *r = usager_search_page(c->db, c->a, s, q, 0, 1, 20);
		if (r == NULL)
			return c->db->err;
		for (int i = 0; i < PQntuples(r); i++) {
			if (db_ll(r, i, UC_ID) == keep)
				continue;
			struct tmpl_vars *row = tmpl_loop_add_row(l);
			set_usager_row(c, s, row, r, i);
			tmpl_set_var(row, "pick_href", app_url(c, arena_printf(c->a, "%s?keep_id=%lld&source_id=%lld",
				upath(c, s, "/merge", 0), keep, db_ll(r, i, UC_ID))));
		}
		PQclear(r);
	}
	return app_render(c, status, "booking/usagers_merge.tmpl");
}

static int usagers_merge_form(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	return rc ? rc : render_merge(c, &s, 200, NULL);
}

static int usagers_merge(struct ctx *c)
{
	struct usager_scope s;
	int rc = page_scope(c, &s);
	if (rc != 0)
		return rc;
	long long keep = param_id(c, "keep_id"), src = param_id(c, "source_id");
	if (keep == 0 || src == 0 || keep == src)
		return render_merge(c, &s, 422, "Choisissez deux usagers différents.");
	const char *pick[UF_COUNT];
	merge_picks(c, pick);
	struct usager_merge_choice m;
	struct usager_errors err = {0};
	if ((rc = usager_merge_choose(c->db, c->a, &s, keep, src, pick, &m, &err)) != 0)
		return rc;
	if (err.n > 0)
		return render_merge(c, &s, 422, "Certaines valeurs choisies ne sont pas valides : corrigez-les sur la "
						"fiche concernée ou choisissez l'autre valeur.");
	rc = usager_merge(c->db, c->a, &s, app_client_ip(c), keep, src, &m);
	if (rc == RDV_ECONFLICT)
		return render_merge(c, &s, 422, "L'adresse e-mail choisie est déjà utilisée par un autre usager.");
	if (rc != 0)
		return rc;
	app_flash(c, "success", "Les deux usagers ont été fusionnés : rendez-vous, proches, organisations et "
				"référents sont maintenant sur la fiche conservée.");
	return app_redirect(c, upath(c, &s, "", keep));
}

ROUTE_TABLE(usager_routes,
	{HTTP_GET, "/agent/organisations/:org_id/usagers", usagers_index, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/search.json", usagers_search_json, ROUTE_AGENT, ROUTE_JSON},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/new", usagers_new, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers", usagers_create, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/merge", usagers_merge_form, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/merge", usagers_merge, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/:id", usagers_show, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/:id/edit", usagers_edit, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/:id", usagers_update, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/:id/delete", usagers_delete_confirm, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/:id/delete", usagers_destroy, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/:id/add_to_organisation", usagers_add_to_org, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/:id/move", usagers_move_form, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/:id/move", usagers_move, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/:id/referents", usagers_referent_add, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/:id/referents/:agent_id/delete", usagers_referent_remove,
	 ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/usagers/:id/invitation", usagers_invitation_form, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/organisations/:org_id/usagers/:id/invitation", usagers_invitation_send, ROUTE_AGENT, 0},
	{HTTP_GET, "/agent/organisations/:org_id/mes_usagers", usagers_mine, ROUTE_AGENT, 0},
);
