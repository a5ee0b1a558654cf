/*
 * prescripteur.c - booking for someone else as a prescripteur (a social
 * worker, a partner; no account), after a créneau of the wizard in
 * prescripteur mode (flow.c, /prendre_rdv_prescripteur):
 *   GET  /prescripteur/new              who books (prénom, nom, e-mail, téléphone)
 *   POST /prescripteur/beneficiaire     for whom (identity, contact)
 *   POST /prescripteur/recapitulatif    what will be booked, to confirm
 *   POST /prescripteur/rdv              the booking, then its confirmation
 * Nothing is kept between steps but the form: every POST re-validates what
 * the earlier steps carried in hidden fields. The booking is booking.c's
 * (booking_run: créneau re-checked inside the transaction, one free agent,
 * profile, notifications, audit) with two steps of its own in the same
 * transaction: the bénéficiaire found (same first and last names, accents and
 * case ignored, and same phone) or created (created_through 'prescripteur'),
 * the prescripteur stored; then the prescripteur's confirmation e-mail.
 * A workshop (collective motif, rdv_id) takes a seat as the citizen's
 * booking does (booking.c's guarded UPDATE), the bénéficiaire becoming a
 * participant. The motif's « À lire » text is confirmed on the recap, as the
 * citizen confirms it. The audit row names the prescripteur.
 * A citizen's session plays no part: these requests act as the public.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phone.h"
#include "rdv.h"
#include "rls.h"
#include "search.h"
#include "tz.h"
#include "valid.h"

enum presc_kind { PK_NAME, PK_EMAIL, PK_PHONE, PK_DATE };

enum presc_step { STEP_PRESCRIPTEUR, STEP_BENEFICIAIRE, STEP_RECAP, STEP_DONE, STEP_OK };

/* The fields, in form order: the step that asks them, what they are and
 * the message when a required one is missing (NULL: optional). */
static const struct presc_field {
	const char *name, *label, *hint, *type, *autocomplete;
	enum presc_kind kind;
	enum presc_step step;
	const char *missing;
} presc_fields[] = {
	{"presc_first_name", "Votre prénom", NULL, "text", "given-name", PK_NAME, STEP_PRESCRIPTEUR,
	 "Indiquez votre prénom."},
	{"presc_last_name", "Votre nom", NULL, "text", "family-name", PK_NAME, STEP_PRESCRIPTEUR,
	 "Indiquez votre nom."},
	{"presc_email", "Votre adresse e-mail", "La confirmation du rendez-vous vous y sera envoyée.", "email",
	 "email", PK_EMAIL, STEP_PRESCRIPTEUR, "Indiquez votre adresse e-mail : la confirmation vous y sera envoyée."},
	{"presc_phone", "Votre numéro de téléphone", "Le service pourra vous rappeler. Exemple : 03 21 12 34 56",
	 "tel", "tel", PK_PHONE, STEP_PRESCRIPTEUR, "Indiquez votre numéro de téléphone : le service pourra vous rappeler."},
	{"first_name", "Prénom de la personne", NULL, "text", "off", PK_NAME, STEP_BENEFICIAIRE,
	 "Indiquez le prénom de la personne."},
	{"last_name", "Nom de la personne", NULL, "text", "off", PK_NAME, STEP_BENEFICIAIRE,
	 "Indiquez le nom de la personne."},
	{"birth_date", "Date de naissance (facultatif)", "Exemple : 14/07/1985", "text", "off", PK_DATE,
	 STEP_BENEFICIAIRE, NULL},
	{"phone", "Téléphone de la personne", "Pour les SMS de confirmation et de rappel. Exemple : 06 12 34 56 78",
	 "tel", "off", PK_PHONE, STEP_BENEFICIAIRE, NULL},
	{"email", "Adresse e-mail de la personne", "Facultative si vous indiquez un téléphone.", "email", "off",
	 PK_EMAIL, STEP_BENEFICIAIRE, NULL},
};
#define PF_N (sizeof(presc_fields) / sizeof(presc_fields[0]))
enum { PF_PRESC_FIRST, PF_PRESC_LAST, PF_PRESC_EMAIL, PF_PRESC_PHONE, PF_FIRST, PF_LAST, PF_BIRTH, PF_PHONE, PF_EMAIL };

/* What was typed (trimmed of nothing: shown back as is), and what it means. */
struct presc_form {
	const char *v[PF_N];
	char e164[PF_N][PHONE_E164_SIZE];   /* the phone fields, normalised */
	const char *birth;                  /* YYYY-MM-DD or NULL */
	const char *field, *msg;            /* the first refused field */
};

static const char *presc_value(const struct presc_form *f, size_t i)
{
	return f->v[i] ? f->v[i] : "";
}

static int presc_refuse(struct presc_form *f, size_t i, const char *msg)
{
	f->field = presc_fields[i].name;
	f->msg = msg;
	return -1;
}

static int presc_birth_date(struct ctx *c, struct presc_form *f, size_t i)
{
	int y, m, d;
	const char *msg = NULL;
	if (valid_date(f->v[i], &y, &m, &d, &msg) != 0)
		return presc_refuse(f, i, msg);
	struct local_dt now;
	tz_utc_to_local((long long)time(NULL), &now);
	if (y * 10000 + m * 100 + d > now.year * 10000 + now.month * 100 + now.day || y <= 1890)
		return presc_refuse(f, i, "La date de naissance doit être passée (exemple : 14/07/1985).");
	f->birth = arena_printf(c->a, "%04d-%02d-%02d", y, m, d);
	return 0;
}

/* One field: required when it says so, then checked by kind. */
static int presc_check_field(struct ctx *c, struct presc_form *f, size_t i)
{
	const struct presc_field *p = &presc_fields[i];
	const char *msg = NULL;
	if (valid_required(f->v[i], NULL) != 0)
		return p->missing ? presc_refuse(f, i, p->missing) : 0;
	switch (p->kind) {
	case PK_NAME:
		if (valid_length(f->v[i], 1, 100, &msg) != 0)
			return presc_refuse(f, i, msg);
		return 0;
	case PK_EMAIL:
		if (valid_email(f->v[i], &msg) != 0)
			return presc_refuse(f, i, "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).");
		return 0;
	case PK_PHONE:
		if (phone_normalize(f->v[i], f->e164[i], &msg) != 0)
			return presc_refuse(f, i, "Le numéro de téléphone n'est pas valide (exemple : 06 12 34 56 78).");
		return 0;
	case PK_DATE:
		return presc_birth_date(c, f, i);
	}
	return 0;
}

/* The bénéficiaire already known: same names (rdv_name_key: accents, case,
 * spaces ignored) and same phone; else the owner of the e-mail typed when
 * the names match. 0 with *id (0: a new person), RDV_EINVAL when that
 * e-mail is someone else's. */
static int presc_find_usager(struct ctx *c, const struct presc_form *f, long long *id)
{
	*id = 0;
	const char *first = presc_value(f, PF_FIRST), *last = presc_value(f, PF_LAST);
	if (f->e164[PF_PHONE][0]) {
		char *s = db_s(c->db, c->a, "SELECT id FROM users WHERE deleted_at IS NULL AND phone_number_formatted = $3"
					    " AND rdv_name_key(first_name) = rdv_name_key($1)"
					    " AND rdv_name_key(last_name) = rdv_name_key($2) ORDER BY id LIMIT 1",
			       first, last, f->e164[PF_PHONE]);
		if (s != NULL) {
			*id = atoll(s);
			return 0;
		}
		if (c->db->err)
			return c->db->err;
	}
	if (valid_required(f->v[PF_EMAIL], NULL) != 0)
		return 0;
	PGresult *r = db_q(c->db, "SELECT id, rdv_name_key(first_name) = rdv_name_key($1)"
				  " AND rdv_name_key(last_name) = rdv_name_key($2) FROM users"
				  " WHERE deleted_at IS NULL AND email = $3::citext", first, last, f->v[PF_EMAIL]);
	if (r == NULL)
		return c->db->err;
	int rc = 0;
	if (PQntuples(r) == 1 && db_bool(r, 0, 1))
		*id = db_ll(r, 0, 0);
	else if (PQntuples(r) == 1)
		rc = RDV_EINVAL;
	PQclear(r);
	return rc;
}

#define MUST_ACCEPT "Confirmez avoir lu les informations à lire avant de prendre rendez-vous."
#define ALREADY_IN "Cette personne est déjà inscrite à cet atelier."
#define FULL "Cet atelier est complet : il n'y reste plus de place. Choisissez un autre atelier."

#define EMAIL_TAKEN "Cette adresse e-mail est déjà celle d'une autre personne : indiquez l'adresse de la personne " \
		    "pour qui vous prenez rendez-vous, ou laissez ce champ vide."

/* Checks the fields of the steps before next; the step to show again
 * (with f->field and f->msg) or STEP_OK. */
static enum presc_step presc_check(struct ctx *c, const struct booking *b, struct presc_form *f,
				   enum presc_step next)
{
	for (size_t i = 0; i < PF_N; i++)
		if (presc_fields[i].step < next && presc_check_field(c, f, i) != 0)
			return presc_fields[i].step;
	if (next <= STEP_BENEFICIAIRE)
		return STEP_OK;
	int has_email = valid_required(f->v[PF_EMAIL], NULL) == 0;
	if (strcmp(b->location_type, "phone") == 0 && !f->e164[PF_PHONE][0]) {
		presc_refuse(f, PF_PHONE, "Indiquez le numéro auquel appeler la personne : ce rendez-vous a lieu "
					  "par téléphone.");
		return STEP_BENEFICIAIRE;
	}
	if (!f->e164[PF_PHONE][0] && !has_email) {
		presc_refuse(f, PF_PHONE, "Indiquez un téléphone ou une adresse e-mail de la personne : elle y "
					  "recevra la confirmation et le rappel du rendez-vous.");
		return STEP_BENEFICIAIRE;
	}
	long long id;
	if (presc_find_usager(c, f, &id) == RDV_EINVAL) {
		presc_refuse(f, PF_EMAIL, EMAIL_TAKEN);
		return STEP_BENEFICIAIRE;
	}
	if (next == STEP_DONE && b->restriction != NULL && b->restriction[0] &&
	    http_param(&c->req, "accept_restriction") == NULL) {
		f->field = "accept_restriction";
		f->msg = MUST_ACCEPT;
		return STEP_RECAP;
	}
	return STEP_OK;
}

static void presc_read(struct ctx *c, struct presc_form *f)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < PF_N; i++)
		f->v[i] = http_param(&c->req, presc_fields[i].name);
}

/* The fields of this step as inputs, the earlier ones carried hidden (and
 * listed for the recap). */
static void presc_field_vars(struct ctx *c, const struct presc_form *f, enum presc_step step)
{
	struct tmpl_loop *inputs = tmpl_add_loop(c->vars, "inputs"), *carried = tmpl_add_loop(c->vars, "carried");
	struct tmpl_loop *recap[2] = {tmpl_add_loop(c->vars, "recap_prescripteur"),
				      tmpl_add_loop(c->vars, "recap_beneficiaire")};
	for (size_t i = 0; i < PF_N; i++) {
		const struct presc_field *p = &presc_fields[i];
		struct tmpl_vars *row;
		if (p->step == step) {
			row = tmpl_loop_add_row(inputs);
			tmpl_set_var(row, "id", p->name);
			tmpl_set_var(row, "label", p->label);
			tmpl_set_var(row, "hint", p->hint);
			tmpl_set_var(row, "type", p->type);
			tmpl_set_var(row, "autocomplete", p->autocomplete);
			tmpl_set_bool(row, "required", p->missing != NULL);
			tmpl_set_var(row, "value", f->v[i]);
			if (f->field != NULL && strcmp(f->field, p->name) == 0)
				tmpl_set_var(row, "input_error", f->msg);
			continue;
		}
		if (p->step > step || f->v[i] == NULL)
			continue;
		row = tmpl_loop_add_row(carried);
		tmpl_set_var(row, "name", p->name);
		tmpl_set_var(row, "value", f->v[i]);
		if (valid_required(f->v[i], NULL) == 0) {
			row = tmpl_loop_add_row(recap[p->step == STEP_BENEFICIAIRE]);
			tmpl_set_var(row, "label", p->label);
			tmpl_set_var(row, "value", f->v[i]);
		}
	}
}

static int presc_render(struct ctx *c, const struct booking *b, const struct presc_form *f, enum presc_step step,
			int status)
{
	static const char *const steps[] = {"prescripteur", "beneficiaire", "recapitulatif", "confirmation"};
	static const char *const actions[] = {"beneficiaire", "recapitulatif", "rdv", ""};
	static const char *const titles[] = {"Vos coordonnées de prescripteur", "La personne pour qui vous prenez "
					     "rendez-vous", "Vérifier et confirmer", "Rendez-vous confirmé"};
	tmpl_set_var(c->vars, "title", titles[step]);
	tmpl_set_var(c->vars, "step", steps[step]);
	tmpl_set_int(c->vars, "step_number", step + 1);
	tmpl_set_var(c->vars, "action", arena_printf(c->a, "/prescripteur/%s?%s", actions[step],
						     wizard_query(c, &b->w, 3)));
	tmpl_set_var(c->vars, "motif_name", b->motif_name);
	tmpl_set_var(c->vars, "when", search_fr_long(c, b->starts_at));
	tmpl_set_var(c->vars, "address", b->w.address);
	tmpl_set_var(c->vars, "instruction", b->instruction);
	tmpl_set_var(c->vars, "restriction", step == STEP_DONE ? NULL : b->restriction);
	tmpl_set_bool(c->vars, "phone_motif", strcmp(b->location_type, "phone") == 0);
	tmpl_set_int(c->vars, "motif_id", b->motif_id);
	tmpl_set_int(c->vars, "lieu_id", b->lieu_id);
	tmpl_set_int(c->vars, "starts_at", b->starts_at);
	tmpl_set_int(c->vars, "rdv_id", b->rdv_id);
	tmpl_set_bool(c->vars, "collectif", b->collectif);
	tmpl_set_field_error(c->vars, f->field, f->msg);
	tmpl_set_var(c->vars, "back_href", app_url(c, wizard_url(c, &b->w, 3)));
	tmpl_set_var(c->vars, "beneficiaire", arena_printf(c->a, "%s %s", presc_value(f, PF_FIRST),
							   presc_value(f, PF_LAST)));
	tmpl_set_var(c->vars, "presc_email", presc_value(f, PF_PRESC_EMAIL));
	if (b->lieu_id)
		tmpl_set_var(c->vars, "lieu", db_s(c->db, c->a, "SELECT name || ' – ' || address FROM lieux WHERE id = $1",
						   db_int(c->a, b->lieu_id)));
	presc_field_vars(c, f, step);
	tmpl_set_var(c->vars, "error", f->msg);
	return app_render(c, status, "search/prescripteur.tmpl");
}

/* Inside booking_run's transaction: the bénéficiaire found or created at the
 * wizard's address, the prescripteur stored. */
static int presc_before_insert(struct ctx *c, struct booking *b)
{
	const struct presc_form *f = b->arg;
	long long id;
	int rc = presc_find_usager(c, f, &id);
	if (rc != 0)
		return rc;
	if (id == 0) {
		const char *none = "";
		char *s = db_s(c->db, c->a,
			"INSERT INTO users (first_name, last_name, birth_date, email, phone_number, phone_number_formatted,"
			" address, city_code, street_ban_id, latitude, longitude, created_through)"
			" VALUES (btrim($1), btrim($2), nullif($3, '')::date, nullif(btrim($4), ''), nullif(btrim($5), ''),"
			" nullif($6, ''), nullif($7, ''), nullif($8, ''), nullif($9, ''), nullif($10, '')::float8,"
			" nullif($11, '')::float8, 'prescripteur') RETURNING id",
			presc_value(f, PF_FIRST), presc_value(f, PF_LAST), f->birth ? f->birth : none,
			presc_value(f, PF_EMAIL), presc_value(f, PF_PHONE), f->e164[PF_PHONE],
			b->w.address ? b->w.address : none, b->w.city_code ? b->w.city_code : none,
			b->w.street_ban_id ? b->w.street_ban_id : none, b->w.lat ? b->w.lat : none,
			b->w.lon ? b->w.lon : none);
		if (s == NULL)
			return c->db->err ? c->db->err : RDV_EDB;
		id = atoll(s);
	}
	b->for_user_id = id;
	/* an owner function (0033): the anonymous role may not read prescripteurs back */
	char *p = db_s(c->db, c->a, "SELECT prescripteur_create($1, $2, $3, $4)",
		       presc_value(f, PF_PRESC_FIRST), presc_value(f, PF_PRESC_LAST), presc_value(f, PF_PRESC_EMAIL),
		       presc_value(f, PF_PRESC_PHONE));
	if (p == NULL)
		return c->db->err ? c->db->err : RDV_EDB;
	b->prescripteur_id = atoll(p);
	return 0;
}

/* The prescripteur's confirmation e-mail (templates/mail/
 * prescripteur_rdv_created.*): the RDV, for whom; no link. */
static int presc_before_commit(struct ctx *c, struct booking *b, long long rdv_id)
{
	const struct presc_form *f = b->arg;
	return db_x(c->db,
		"INSERT INTO outbox (channel, event, recipient, payload, organisation_id, rdv_id)"
		" VALUES ('email', 'prescripteur_rdv_created', btrim($1), jsonb_build_object('kind', 'prescripteur',"
		" 'rdv_id', $2::bigint, 'user_id', $3::bigint, 'prescripteur_first_name', btrim($4),"
		" 'prescripteur_last_name', btrim($5), 'to_name', btrim($4) || ' ' || btrim($5)), $6::bigint, $2::bigint)",
		presc_value(f, PF_PRESC_EMAIL), db_int(c->a, rdv_id), db_int(c->a, b->for_user_id),
		presc_value(f, PF_PRESC_FIRST), presc_value(f, PF_PRESC_LAST), db_int(c->a, b->org_id));
}

static int presc_book(struct ctx *c, struct booking *b, struct presc_form *f)
{
	const char *outside = booking_outside_delays(c, b);
	if (outside != NULL)
		return booking_gone(c, b, outside);
	const char *login = arena_printf(c->a, "prescripteur:%s", presc_value(f, PF_PRESC_EMAIL));
	if (booking_throttled(c, login))
		return 0;
	b->actor = arena_printf(c->a, "prescripteur %s", presc_value(f, PF_PRESC_EMAIL));
	b->before_insert = presc_before_insert;
	b->before_commit = presc_before_commit;
	b->arg = f;
	long long rdv_id = 0;
	int rc = booking_run(c, b, &rdv_id);
	if (rc == RDV_EINVAL) {   /* the e-mail became someone else's meanwhile */
		presc_refuse(f, PF_EMAIL, EMAIL_TAKEN);
		return presc_render(c, b, f, STEP_BENEFICIAIRE, 422);
	}
	if (rc == RDV_ECONFLICT && b->collectif) {   /* the bénéficiaire has a seat already */
		f->msg = ALREADY_IN;
		return presc_render(c, b, f, STEP_RECAP, 409);
	}
	if (rc == RDV_ENOTFOUND || rc == RDV_ECONFLICT)
		return booking_gone(c, b, b->collectif ? FULL : NULL);
	if (rc != 0)
		return rc;
	auth_record_attempt(c->db, "booking", login, app_client_ip(c), 0);
	return presc_render(c, b, f, STEP_DONE, 200);
}

/* Every step: as the public, the prescripteur's offer; 0 to go on. */
static int presc_start(struct ctx *c, struct booking *b, struct presc_form *f)
{
	c->user_id = 0;
	presc_read(c, f);
	int rc = rls_set_actor(c->db, 0, 0);
	if (rc == 0)
		rc = booking_load(c, b, 1);
	return rc;
}

static int presc_new(struct ctx *c)
{
	struct booking b;
	struct presc_form f;
	int rc = presc_start(c, &b, &f);
	if (rc != 0)
		return booking_refused(c, rc);
	const char *outside = booking_outside_delays(c, &b);
	if (outside != NULL)
		return booking_gone(c, &b, outside);
	int avail = b.collectif ? 1 : booking_slot_free(c, &b);   /* a workshop's seat is taken on booking */
	if (avail < 0)
		return avail;
	if (!avail)
		return booking_gone(c, &b, NULL);
	return presc_render(c, &b, &f, STEP_PRESCRIPTEUR, 200);
}

/* A POST of the form: what the earlier steps carry checked, then the next step. */
static int presc_post(struct ctx *c, enum presc_step next)
{
	struct booking b;
	struct presc_form f;
	int rc = presc_start(c, &b, &f);
	if (rc != 0)
		return booking_refused(c, rc);
	enum presc_step bad = presc_check(c, &b, &f, next);
	if (bad != STEP_OK)
		return presc_render(c, &b, &f, bad, 422);
	if (next == STEP_DONE)
		return presc_book(c, &b, &f);
	return presc_render(c, &b, &f, next, 200);
}

static int presc_beneficiaire(struct ctx *c)
{
	return presc_post(c, STEP_BENEFICIAIRE);
}

static int presc_recap(struct ctx *c)
{
	return presc_post(c, STEP_RECAP);
}

static int presc_create(struct ctx *c)
{
	return presc_post(c, STEP_DONE);
}

ROUTE_TABLE(prescripteur_routes,
	{HTTP_GET, "/prescripteur/new", presc_new, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/prescripteur/beneficiaire", presc_beneficiaire, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/prescripteur/recapitulatif", presc_recap, ROUTE_PUBLIC, 0},
	{HTTP_POST, "/prescripteur/rdv", presc_create, ROUTE_PUBLIC, 0},
);
