/*
 * plages.c - plages d'ouverture and absences: validation, reads, writes with
 * audit and webhooks, occurrence exceptions, api.md JSON and the page
 * helpers shared by the agent pages (plages.h).
 */
#include "plages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "buf.h"
#include "notify.h"
#include "rdv.h"
#include "tz.h"
#include "valid.h"

#define EARLIEST_YEAR 2018
#define YEARS_AHEAD 5
#define WARN_WINDOW_DAYS 731
#define WARN_MAX_OCC 800

/* ------------------------------------------------------------- errors */

void plages_error_add(json_t *errors, const char *field, const char *message)
{
	if (errors == NULL)
		return;
	json_t *list = json_object_get(errors, field);
	if (list == NULL) {
		list = json_array();
		json_object_set_new(errors, field, list);
	}
	json_array_append_new(list, json_string(message));
}

const char *plages_error_get(const json_t *errors, const char *field)
{
	return json_string_value(json_array_get(json_object_get(errors, field), 0));
}

/* ------------------------------------------------------ small helpers */

const char *plages_date_iso(struct arena *a, int y, int m, int d)
{
	return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

const char *plages_hm(struct arena *a, int minutes)
{
	return arena_printf(a, "%02d:%02d", minutes / 60, minutes % 60);
}

const char *plages_date_fr(struct arena *a, int y, int m, int d)
{
	char out[64];
	tz_format_fr_date(tz_local_midnight(y, m, d), out, sizeof(out));
	return arena_strdup(a, out);
}

static const char *id_param(struct arena *a, long long id)
{
	return id ? db_int(a, id) : NULL;
}

static int current_year(void)
{
	struct local_dt now;
	tz_utc_to_local((long long)time(NULL), &now);
	return now.year;
}

/* A date of a plage or absence: valid and "realistic" (as the reference). */
static int check_day(const char *s, const char *field, int *y, int *m, int *d, json_t *errors)
{
	const char *msg;
	if (valid_required(s, NULL) != 0) {
		plages_error_add(errors, field, "Saisissez une date.");
		return RDV_EINVAL;
	}
	if (valid_date(s, y, m, d, &msg) != 0) {
		plages_error_add(errors, field, msg);
		return RDV_EINVAL;
	}
	if (*y < EARLIEST_YEAR || *y > current_year() + YEARS_AHEAD) {
		plages_error_add(errors, field, "La date doit être comprise entre 2018 et les cinq prochaines années.");
		return RDV_EINVAL;
	}
	return 0;
}

static int check_time(const char *s, const char *field, int *minutes, json_t *errors)
{
	int h, mi;
	const char *msg;
	if (valid_required(s, NULL) != 0) {
		plages_error_add(errors, field, "Saisissez une heure.");
		return RDV_EINVAL;
	}
	if (valid_time(s, &h, &mi, &msg) != 0) {
		plages_error_add(errors, field, msg);
		return RDV_EINVAL;
	}
	*minutes = h * 60 + mi;
	return 0;
}

static int check_title(struct arena *a, const char *s, const char **out, json_t *errors)
{
	const char *msg;
	if (valid_required(s, NULL) != 0) {
		plages_error_add(errors, "title", "Saisissez un titre.");
		return RDV_EINVAL;
	}
	if (valid_length(s, 1, 200, &msg) != 0) {
		plages_error_add(errors, "title", msg);
		return RDV_EINVAL;
	}
	*out = arena_strdup(a, s);
	return 0;
}

/* The agent exists and has a role in org. */
static int check_agent(struct db *db, struct arena *a, long long org, const char *s, long long *out,
		       json_t *errors)
{
	if (s == NULL || s[0] == '\0' || valid_id(s, out, NULL) != 0) {
		plages_error_add(errors, "agent_id", "Choisissez un agent.");
		return RDV_EINVAL;
	}
	PGresult *r = db_q(db, "SELECT 1 FROM agent_roles ar JOIN agents ag ON ag.id = ar.agent_id"
			       " WHERE ar.agent_id = $1 AND ar.organisation_id = $2 AND ag.deleted_at IS NULL",
			   db_int(a, *out), db_int(a, org));
	if (r == NULL)
		return db->err;
	int found = PQntuples(r) == 1;
	PQclear(r);
	if (!found) {
		plages_error_add(errors, "agent_id", "Cet agent ne fait pas partie de l'organisation.");
		return RDV_EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------ rules */

int plages_rule_from_json(const json_t *value, struct recurrence *out, json_t *errors)
{
	memset(out, 0, sizeof *out);
	if (value == NULL || json_is_null(value))
		return 0;
	if (!json_is_object(value)) {
		plages_error_add(errors, "recurrence", "La récurrence n'est pas valide : un objet JSON ou null est attendu.");
		return RDV_EINVAL;
	}
	char *text = json_dumps(value, JSON_COMPACT);
	const char *msg = NULL;
	int rc = text ? recurrence_parse(text, out, &msg) : RDV_ENOMEM;
	free(text);
	if (rc != 0)
		plages_error_add(errors, "recurrence", msg ? msg : "La récurrence n'est pas valide.");
	return rc == 0 ? 0 : RDV_EINVAL;
}

int plages_rule_from_form(const char *type, const char *interval, unsigned weekdays, const char *until,
			  struct recurrence *out, json_t *errors)
{
	memset(out, 0, sizeof *out);
	if (type == NULL || type[0] == '\0' || strcmp(type, "none") == 0)
		return 0;
	int rc = 0;
	if (strcmp(type, "weekly") == 0)
		out->every = REC_WEEK;
	else if (strcmp(type, "monthly") == 0)
		out->every = REC_MONTH;
	else {
		plages_error_add(errors, "recurrence", "Choisissez une récurrence dans la liste.");
		return RDV_EINVAL;
	}
	long long n = 1;
	if (interval != NULL && interval[0] != '\0' && valid_int(interval, 1, REC_INTERVAL_MAX, &n, NULL) != 0) {
		plages_error_add(errors, "interval", "L'intervalle doit être un nombre entre 1 et 52.");
		rc = RDV_EINVAL;
	}
	out->interval = (int)n;
	out->weekdays = out->every == REC_WEEK ? (weekdays & 0x7f) : 0;
	if (until != NULL && until[0] != '\0') {
		const char *msg;
		if (valid_date(until, &out->until_y, &out->until_m, &out->until_d, &msg) != 0) {
			plages_error_add(errors, "until", msg);
			rc = RDV_EINVAL;
		} else {
			out->has_until = 1;
		}
	}
	return rc;
}

/* The rule against first_day; resolved so the stored JSON says it all. */
static int check_rule(struct recurrence *r, int y, int m, int d, json_t *errors)
{
	if (r->every == REC_NONE)
		return 0;
	if (r->has_starts && (r->starts_y != y || r->starts_m != m || r->starts_d != d)) {
		plages_error_add(errors, "recurrence", "La date de début de la récurrence (« starts ») doit être le premier jour.");
		return RDV_EINVAL;
	}
	if (r->has_until && tz_days_from_civil(r->until_y, r->until_m, r->until_d) < tz_days_from_civil(y, m, d)) {
		plages_error_add(errors, "recurrence", "La date de fin de la récurrence doit être le premier jour ou après.");
		return RDV_EINVAL;
	}
	r->has_starts = 0;
	recurrence_resolve(r, y, m, d);
	return 0;
}

/* --------------------------------------------------------- access */

int plages_may(struct db *db, long long viewer, long long owner, long long org, enum org_role role,
	       enum agenda_access need)
{
	if (viewer == owner || role == ROLE_ADMIN)
		return 1;
	enum agenda_access level = AGENDA_NONE;
	if (policy_agenda_access(db, viewer, owner, org, &level) != 0)
		return 0;
	return level >= need;
}

int plages_check(struct db *db, long long viewer, long long owner, long long org, enum org_role role,
		 enum agenda_access need)
{
	if (viewer == owner || role == ROLE_ADMIN)
		return 0;
	enum agenda_access level = AGENDA_NONE;
	int rc = policy_agenda_access(db, viewer, owner, org, &level);
	if (rc != 0)
		return rc;
	if (level == AGENDA_NONE)
		return RDV_ENOTFOUND;
	return level >= need ? 0 : RDV_EFORBIDDEN;
}

/* ------------------------------------------------------ validation */

/* Motifs: ≥ 1, of org, not deleted, not collectif, of one of the agent's
 * services. *public_office tells whether one is on site. */
static int check_motifs(struct db *db, struct arena *a, long long org, const struct plage_input *in,
			struct plage *out, int agent_ok, int *public_office, json_t *errors)
{
	*public_office = 0;
	if (in->n_motifs == 0) {
		plages_error_add(errors, "motif_ids", "Choisissez au moins un motif.");
		return RDV_EINVAL;
	}
	if (in->n_motifs > PLAGES_MAX_MOTIFS) {
		plages_error_add(errors, "motif_ids", "Trop de motifs (32 au plus).");
		return RDV_EINVAL;
	}
	for (size_t i = 0; i < in->n_motifs; i++) {
		long long id;
		if (valid_id(in->motif_ids[i], &id, NULL) != 0) {
			plages_error_add(errors, "motif_ids", "Motif inconnu dans cette organisation.");
			return RDV_EINVAL;
		}
		size_t j = 0;
		while (j < out->n_motifs && out->motif_ids[j] != id)
			j++;
		if (j == out->n_motifs)
			out->motif_ids[out->n_motifs++] = id;
	}
	PGresult *r = db_q(db,
		"SELECT m.name, m.location_type = 'public_office', m.collectif,"
		" m.service_id IN (SELECT service_id FROM agent_services WHERE agent_id = $3)"
		" FROM motifs m WHERE m.id = ANY($1::bigint[]) AND m.organisation_id = $2 AND m.deleted_at IS NULL",
		db_id_array(a, out->motif_ids, out->n_motifs), db_int(a, org), db_int(a, out->agent_id));
	if (r == NULL)
		return db->err;
	int rc = 0;
	if ((size_t)PQntuples(r) != out->n_motifs) {
		plages_error_add(errors, "motif_ids", "Motif inconnu dans cette organisation.");
		rc = RDV_EINVAL;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		*public_office |= db_bool(r, i, 1);
		if (db_bool(r, i, 2)) {
			plages_error_add(errors, "motif_ids", arena_printf(a, "Le motif « %s » est collectif : "
				"ses séances se créent comme des rendez-vous collectifs, pas sur une plage.", db_val(r, i, 0)));
			rc = RDV_EINVAL;
		} else if (agent_ok && !db_bool(r, i, 3)) {
			plages_error_add(errors, "motif_ids", arena_printf(a, "Le motif « %s » n'appartient à aucun "
				"service de cet agent.", db_val(r, i, 0)));
			rc = RDV_EINVAL;
		}
	}
	PQclear(r);
	return rc;
}

static int check_lieu(struct db *db, struct arena *a, long long org, const char *s, int needed,
		      long long *out, json_t *errors)
{
	*out = 0;
	if (s == NULL || s[0] == '\0') {
		if (!needed)
			return 0;
		plages_error_add(errors, "lieu_id", "Choisissez un lieu : un des motifs se déroule sur place.");
		return RDV_EINVAL;
	}
	if (valid_id(s, out, NULL) != 0) {
		plages_error_add(errors, "lieu_id", "Lieu inconnu dans cette organisation.");
		return RDV_EINVAL;
	}
	PGresult *r = db_q(db, "SELECT availability = 'enabled' FROM lieux WHERE id = $1 AND organisation_id = $2",
			   db_int(a, *out), db_int(a, org));
	if (r == NULL)
		return db->err;
	int found = PQntuples(r) == 1, enabled = found && db_bool(r, 0, 0);
	PQclear(r);
	if (!found || !enabled) {
		plages_error_add(errors, "lieu_id", found ? "Ce lieu est désactivé : choisissez un lieu ouvert."
							  : "Lieu inconnu dans cette organisation.");
		return RDV_EINVAL;
	}
	return 0;
}

int plages_validate(struct db *db, struct arena *a, long long org, const struct plage_input *in,
		    struct plage *out, json_t *errors)
{
	memset(out, 0, sizeof *out);
	out->organisation_id = org;
	int bad = 0, rc;
	rc = check_agent(db, a, org, in->agent_id, &out->agent_id, errors);
	if (rc != 0 && rc != RDV_EINVAL)
		return rc;
	int agent_ok = rc == 0;
	bad |= rc != 0;
	bad |= check_title(a, in->title, &out->title, errors) != 0;
	int day_ok = check_day(in->first_day, "first_day", &out->first_y, &out->first_m, &out->first_d, errors) == 0;
	bad |= !day_ok;
	int times_ok = check_time(in->start_time, "start_time", &out->start_min, errors) == 0;
	times_ok &= check_time(in->end_time, "end_time", &out->end_min, errors) == 0;
	if (times_ok && out->end_min <= out->start_min) {
		plages_error_add(errors, "end_time", "L'heure de fin doit être après l'heure de début.");
		times_ok = 0;
	}
	bad |= !times_ok;
	if (in->rule != NULL) {
		out->rule = *in->rule;
		if (day_ok)
			bad |= check_rule(&out->rule, out->first_y, out->first_m, out->first_d, errors) != 0;
	}
	int public_office = 0;
	rc = check_motifs(db, a, org, in, out, agent_ok, &public_office, errors);
	if (rc != 0 && rc != RDV_EINVAL)
		return rc;
	bad |= rc != 0;
	rc = check_lieu(db, a, org, in->lieu_id, public_office, &out->lieu_id, errors);
	if (rc != 0 && rc != RDV_EINVAL)
		return rc;
	bad |= rc != 0;
	return bad || json_object_size(errors) > 0 ? RDV_EINVAL : 0;
}

int absences_validate(struct db *db, struct arena *a, long long org, const struct absence_input *in,
		      struct absence *out, json_t *errors)
{
	memset(out, 0, sizeof *out);
	out->organisation_id = org;
	int bad = 0;
	int rc = check_agent(db, a, org, in->agent_id, &out->agent_id, errors);
	if (rc != 0 && rc != RDV_EINVAL)
		return rc;
	bad |= rc != 0;
	bad |= check_title(a, in->title, &out->title, errors) != 0;
	int first_ok = check_day(in->first_day, "first_day", &out->first_y, &out->first_m, &out->first_d, errors) == 0;
	int end_ok;
	if (in->end_day == NULL || in->end_day[0] == '\0') {
		/* the end day defaults to the first day, as the reference */
		out->end_y = out->first_y, out->end_m = out->first_m, out->end_d = out->first_d;
		end_ok = first_ok;
	} else {
		end_ok = check_day(in->end_day, "end_day", &out->end_y, &out->end_m, &out->end_d, errors) == 0;
	}
	int start_ok = check_time(in->start_time, "start_time", &out->start_min, errors) == 0;
	int stop_ok = check_time(in->end_time, "end_time", &out->end_min, errors) == 0;
	bad |= !first_ok || !end_ok || !start_ok || !stop_ok;
	long long d0 = first_ok ? tz_days_from_civil(out->first_y, out->first_m, out->first_d) : 0;
	long long d1 = end_ok ? tz_days_from_civil(out->end_y, out->end_m, out->end_d) : 0;
	if (first_ok && end_ok && d1 < d0) {
		plages_error_add(errors, "end_day", "Le dernier jour doit être le premier jour ou après.");
		bad = 1;
	} else if (first_ok && end_ok && start_ok && stop_ok && d1 == d0 && out->end_min <= out->start_min) {
		plages_error_add(errors, "end_time", "L'heure de fin doit être après l'heure de début.");
		bad = 1;
	}
	if (in->rule != NULL && in->rule->every != REC_NONE) {
		out->rule = *in->rule;
		if (first_ok && end_ok && d1 != d0) {
			plages_error_add(errors, "recurrence", "La récurrence n'est possible que pour une absence "
							       "sur une seule journée.");
			bad = 1;
		} else if (first_ok) {
			bad |= check_rule(&out->rule, out->first_y, out->first_m, out->first_d, errors) != 0;
		}
	}
	return bad || json_object_size(errors) > 0 ? RDV_EINVAL : 0;
}

/* ------------------------------------------------------------ reads */

static int parse_db_date(const char *s, int *y, int *m, int *d)
{
	return s != NULL && valid_date(s, y, m, d, NULL) == 0 ? 0 : RDV_EDB;
}

static int parse_db_time(const char *s)
{
	int h = 0, mi = 0;
	if (s != NULL)
		valid_time(s, &h, &mi, NULL);
	return h * 60 + mi;
}

int plages_load(struct db *db, struct arena *a, long long org, long long id, struct plage *out)
{
	memset(out, 0, sizeof *out);
	PGresult *r = db_q(db,
		"SELECT agent_id, coalesce(lieu_id, 0), title, first_day::text, to_char(start_time, 'HH24:MI'),"
		" to_char(end_time, 'HH24:MI'), recurrence::text, coalesce(exception_of_id, 0),"
		" coalesce((SELECT array_agg(motif_id ORDER BY motif_id)::text FROM plage_ouverture_motifs"
		"  WHERE plage_ouverture_id = p.id), '{}')"
		" FROM plages_ouverture p WHERE id = $1 AND organisation_id = $2", db_int(a, id), db_int(a, org));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	out->id = id;
	out->organisation_id = org;
	out->agent_id = db_ll(r, 0, 0);
	out->lieu_id = db_ll(r, 0, 1);
	out->title = db_dup(a, r, 0, 2);
	int rc = parse_db_date(db_val(r, 0, 3), &out->first_y, &out->first_m, &out->first_d);
	out->start_min = parse_db_time(db_val(r, 0, 4));
	out->end_min = parse_db_time(db_val(r, 0, 5));
	if (recurrence_parse(db_val(r, 0, 6), &out->rule, NULL) != 0)
		rc = RDV_EDB;
	out->exception_of_id = db_ll(r, 0, 7);
	const char *p = db_val(r, 0, 8);   /* "{1,2}" */
	if (*p == '{')
		p++;
	while (*p && *p != '}' && out->n_motifs < PLAGES_MAX_MOTIFS) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		out->motif_ids[out->n_motifs++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	PQclear(r);
	return rc;
}

int absences_load(struct db *db, struct arena *a, long long org, long long id, struct absence *out)
{
	memset(out, 0, sizeof *out);
	PGresult *r = db_q(db,
		"SELECT agent_id, title, first_day::text, to_char(start_time, 'HH24:MI'), end_day::text,"
		" to_char(end_time, 'HH24:MI'), recurrence::text, coalesce(exception_of_id, 0)"
		" FROM absences WHERE id = $1 AND organisation_id = $2", db_int(a, id), db_int(a, org));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	out->id = id;
	out->organisation_id = org;
	out->agent_id = db_ll(r, 0, 0);
	out->title = db_dup(a, r, 0, 1);
	int rc = parse_db_date(db_val(r, 0, 2), &out->first_y, &out->first_m, &out->first_d);
	out->start_min = parse_db_time(db_val(r, 0, 3));
	if (rc == 0)
		rc = parse_db_date(db_val(r, 0, 4), &out->end_y, &out->end_m, &out->end_d);
	out->end_min = parse_db_time(db_val(r, 0, 5));
	if (recurrence_parse(db_val(r, 0, 6), &out->rule, NULL) != 0)
		rc = RDV_EDB;
	out->exception_of_id = db_ll(r, 0, 7);
	PQclear(r);
	return rc;
}

/* api.md objects, built by PostgreSQL in one statement. */
#define PLAGE_JSON_SQL \
	"jsonb_build_object('id', p.id, 'agent_id', p.agent_id, 'lieu_id', p.lieu_id, 'title', p.title," \
	" 'first_day', p.first_day, 'start_time', to_char(p.start_time, 'HH24:MI'), 'end_time'," \
	" to_char(p.end_time, 'HH24:MI'), 'recurrence', p.recurrence, 'motif_ids', coalesce((SELECT" \
	" jsonb_agg(pm.motif_id ORDER BY pm.motif_id) FROM plage_ouverture_motifs pm WHERE" \
	" pm.plage_ouverture_id = p.id), '[]'::jsonb))::text"
#define ABSENCE_JSON_SQL \
	"jsonb_build_object('id', p.id, 'agent_id', p.agent_id, 'title', p.title, 'first_day', p.first_day," \
	" 'start_time', to_char(p.start_time, 'HH24:MI'), 'end_day', p.end_day, 'end_time'," \
	" to_char(p.end_time, 'HH24:MI'), 'recurrence', p.recurrence)::text"

/* The api.md object sql ($1 = id) selects. */
static json_t *json_of_id(struct db *db, const char *sql, long long id)
{
	char s[24];
	snprintf(s, sizeof(s), "%lld", id);
	PGresult *r = db_q(db, sql, s);
	json_t *v = NULL;
	if (r != NULL && PQntuples(r) == 1)
		v = json_loads(db_val(r, 0, 0), 0, NULL);
	PQclear(r);
	return v;
}

json_t *plages_json(struct db *db, long long id)
{
	return json_of_id(db, "SELECT " PLAGE_JSON_SQL " FROM plages_ouverture p WHERE p.id = $1", id);
}

json_t *absences_json(struct db *db, long long id)
{
	return json_of_id(db, "SELECT " ABSENCE_JSON_SQL " FROM absences p WHERE p.id = $1", id);
}

static int json_rows(PGresult *r, struct db *db, json_t **items)
{
	if (r == NULL)
		return db->err;
	*items = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(*items, json_loads(db_val(r, i, 0), 0, NULL));
	PQclear(r);
	return 0;
}

static int count_of(PGresult *r, struct db *db, long long *total)
{
	if (r == NULL)
		return db->err;
	*total = db_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

/* The rows of org (and agent, unless 0): $1 org, $2 agent or NULL. */
#define LIST_WHERE " p WHERE p.organisation_id = $1 AND ($2::bigint IS NULL OR p.agent_id = $2::bigint)"
#define LIST_PAGE " ORDER BY p.first_day, p.start_time, p.id LIMIT $3 OFFSET $4"

/* A page of a list: count_sql counts, page_sql selects the JSON (both with
 * org, agent; page_sql with limit, offset too). */
static int json_list(struct db *db, struct arena *a, const char *count_sql, const char *page_sql, long long org,
		     long long agent, int page, int per_page, json_t **items, long long *total)
{
	const char *o = db_int(a, org), *ag = id_param(a, agent);
	int rc = count_of(db_q(db, count_sql, o, ag), db, total);
	if (rc != 0)
		return rc;
	return json_rows(db_q(db, page_sql, o, ag, db_int(a, per_page), db_int(a, (long long)(page - 1) * per_page)),
			 db, items);
}

int plages_json_list(struct db *db, struct arena *a, long long org, long long agent, int page,
		     int per_page, json_t **items, long long *total)
{
	return json_list(db, a, "SELECT count(*) FROM plages_ouverture" LIST_WHERE,
			 "SELECT " PLAGE_JSON_SQL " FROM plages_ouverture" LIST_WHERE LIST_PAGE,
			 org, agent, page, per_page, items, total);
}

int absences_json_list(struct db *db, struct arena *a, long long org, long long agent, int page,
		       int per_page, json_t **items, long long *total)
{
	return json_list(db, a, "SELECT count(*) FROM absences" LIST_WHERE,
			 "SELECT " ABSENCE_JSON_SQL " FROM absences" LIST_WHERE LIST_PAGE,
			 org, agent, page, per_page, items, total);
}

/* ----------------------------------------------------------- series */

void plages_series(const struct plage *p, struct series *s)
{
	memset(s, 0, sizeof *s);
	s->first_y = p->first_y, s->first_m = p->first_m, s->first_d = p->first_d;
	s->start_min = p->start_min;
	s->end_min = p->end_min;
	s->rule = p->rule;
}

void absences_series(const struct absence *ab, struct series *s)
{
	memset(s, 0, sizeof *s);
	s->first_y = ab->first_y, s->first_m = ab->first_m, s->first_d = ab->first_d;
	s->start_min = ab->start_min;
	s->end_min = ab->end_min;
	s->end_day_offset = (int)(tz_days_from_civil(ab->end_y, ab->end_m, ab->end_d) -
				  tz_days_from_civil(ab->first_y, ab->first_m, ab->first_d));
	s->rule = ab->rule;
}

int plages_is_occurrence(struct db *db, int of_absence, long long id, const struct series *s, long long day)
{
	char ids[24], days[16];
	snprintf(ids, sizeof(ids), "%lld", id);
	snprintf(days, sizeof(days), "%lld", day);
	/* day number → date in SQL: epoch date + n */
	PGresult *r = of_absence
		? db_q(db, "SELECT 1 FROM absence_exceptions WHERE absence_id = $1 AND day = date '1970-01-01' + $2::int", ids, days)
		: db_q(db, "SELECT 1 FROM plage_ouverture_exceptions WHERE plage_ouverture_id = $1"
			   " AND day = date '1970-01-01' + $2::int", ids, days);
	if (r == NULL)
		return 0;
	int skipped = PQntuples(r) > 0;
	PQclear(r);
	if (skipped)
		return 0;
	int y, m, d;
	tz_civil_from_days(day, &y, &m, &d);
	long long from = tz_local_midnight(y, m, d);
	tz_civil_from_days(day + 1, &y, &m, &d);
	long long to = tz_local_midnight(y, m, d);
	struct occurrence occ[2];
	long long n = recurrence_expand(s, from, to, 0, occ, 2);
	/* an occurrence that *starts* that day (not one spilling from before) */
	for (long long i = 0; i < n && i < 2; i++)
		if (occ[i].start >= from && occ[i].start < to)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ writes */

struct write_op {
	struct arena *a;
	const struct plages_actor *who;
	struct plage *p;
	const struct plage *cp;
	struct absence *ab;
	const struct absence *cab;
	long long org, id, day, new_day, new_id;
	int start_min, end_min;
};

static const char *rule_json(struct arena *a, const struct recurrence *r)
{
	if (r->every == REC_NONE)
		return NULL;
	struct buf b = BUF_INIT;
	char *s = recurrence_to_json(r, &b) == 0 && !b.oom ? arena_strdup(a, b.data) : NULL;
	buf_free(&b);
	return s;
}

static const char *until_param(struct arena *a, const struct recurrence *r)
{
	return r->every != REC_NONE && r->has_until ? plages_date_iso(a, r->until_y, r->until_m, r->until_d) : NULL;
}

/* The audit snapshot: the row plus its motifs and exceptions. */
static char *plage_audit_json(struct db *db, struct arena *a, long long id)
{
	return db_s(db, a, "SELECT (to_jsonb(p) || jsonb_build_object('motif_ids', coalesce((SELECT jsonb_agg(motif_id"
			   " ORDER BY motif_id) FROM plage_ouverture_motifs WHERE plage_ouverture_id = p.id), '[]'),"
			   " 'exceptions', coalesce((SELECT jsonb_agg(day ORDER BY day) FROM plage_ouverture_exceptions"
			   " WHERE plage_ouverture_id = p.id), '[]')))::text FROM plages_ouverture p WHERE p.id = $1",
		    db_int(a, id));
}

static char *absence_audit_json(struct db *db, struct arena *a, long long id)
{
	return db_s(db, a, "SELECT (to_jsonb(p) || jsonb_build_object('exceptions', coalesce((SELECT jsonb_agg(day"
			   " ORDER BY day) FROM absence_exceptions WHERE absence_id = p.id), '[]')))::text"
			   " FROM absences p WHERE p.id = $1", db_int(a, id));
}

/* Audit row + webhook of one event on one object, in the caller's transaction. */
static int record(struct db *db, const struct write_op *op, long long org, int absence, long long id,
		  const char *event, const char *before, const char *after, const json_t *data)
{
	static const char *const hooks[][2] = {{"create", "created"}, {"update", "updated"}, {"destroy", "destroyed"}};
	int rc = audit_log(db, op->a, &(struct audit_entry){.agent_id = op->who->agent_id, .organisation_id = org,
		.item_type = absence ? "absence" : "plage_ouverture", .item_id = id, .event = event,
		.before_json = before, .after_json = after, .ip = op->who->ip});
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (strcmp(hooks[i][0], event) == 0)
			return notify_webhook(db, op->a, org, absence ? "absence" : "plage_ouverture", hooks[i][1], data);
	return 0;
}

static int record_current(struct db *db, const struct write_op *op, long long org, int absence, long long id,
			  const char *event, const char *before)
{
	const char *after = absence ? absence_audit_json(db, op->a, id) : plage_audit_json(db, op->a, id);
	if (after == NULL)
		return db->err ? db->err : RDV_EDB;
	json_t *data = absence ? absences_json(db, id) : plages_json(db, id);
	int rc = record(db, op, org, absence, id, event, before, after, data);
	json_decref(data);
	return rc;
}

static int plage_insert_row(struct db *db, struct arena *a, const struct plage *p, long long *id)
{
	PGresult *r = db_q(db,
		"INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day, start_time,"
		" end_time, recurrence, recurrence_ends_at, exception_of_id)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10) RETURNING id",
		db_int(a, p->organisation_id), db_int(a, p->agent_id), id_param(a, p->lieu_id), p->title,
		plages_date_iso(a, p->first_y, p->first_m, p->first_d), plages_hm(a, p->start_min),
		plages_hm(a, p->end_min), rule_json(a, &p->rule), until_param(a, &p->rule),
		id_param(a, p->exception_of_id));
	if (r == NULL)
		return db->err;
	*id = db_ll(r, 0, 0);
	PQclear(r);
	return db_x(db, "INSERT INTO plage_ouverture_motifs (plage_ouverture_id, motif_id)"
			" SELECT $1, unnest($2::bigint[])", db_int(a, *id), db_id_array(a, p->motif_ids, p->n_motifs));
}

static int tx_plage_create(struct db *db, void *arg)
{
	struct write_op *op = arg;
	int rc = plage_insert_row(db, op->a, op->p, &op->p->id);
	return rc ? rc : record_current(db, op, op->p->organisation_id, 0, op->p->id, "create", NULL);
}

int plages_create(struct db *db, struct arena *a, const struct plages_actor *who, struct plage *p)
{
	struct write_op op = {.a = a, .who = who, .p = p};
	return db_transaction(db, tx_plage_create, &op);
}

/* Locks the row of org (RDV_ENOTFOUND when not there) and returns its snapshot. */
static int lock_row(struct db *db, struct arena *a, int absence, long long org, long long id, char **before)
{
	const char *i = db_int(a, id), *o = db_int(a, org);
	PGresult *r = absence ? db_q(db, "SELECT 1 FROM absences WHERE id = $1 AND organisation_id = $2 FOR UPDATE", i, o)
			      : db_q(db, "SELECT 1 FROM plages_ouverture WHERE id = $1 AND organisation_id = $2 FOR UPDATE", i, o);
	if (r == NULL)
		return db->err;
	int found = PQntuples(r) == 1;
	PQclear(r);
	if (!found)
		return RDV_ENOTFOUND;
	*before = absence ? absence_audit_json(db, a, id) : plage_audit_json(db, a, id);
	return *before ? 0 : RDV_EDB;
}

static int tx_plage_update(struct db *db, void *arg)
{
	struct write_op *op = arg;
	const struct plage *p = op->cp;
	struct arena *a = op->a;
	char *before;
	int rc = lock_row(db, a, 0, p->organisation_id, p->id, &before);
	if (rc != 0)
		return rc;
	rc = db_x(db, "UPDATE plages_ouverture SET agent_id = $2, lieu_id = $3, title = $4, first_day = $5,"
		      " start_time = $6, end_time = $7, recurrence = $8::jsonb, recurrence_ends_at = $9, updated_at = now()"
		      " WHERE id = $1",
		  db_int(a, p->id), db_int(a, p->agent_id), id_param(a, p->lieu_id), p->title,
		  plages_date_iso(a, p->first_y, p->first_m, p->first_d), plages_hm(a, p->start_min),
		  plages_hm(a, p->end_min), rule_json(a, &p->rule), until_param(a, &p->rule));
	if (rc == 0)
		rc = db_x(db, "DELETE FROM plage_ouverture_motifs WHERE plage_ouverture_id = $1", db_int(a, p->id));
	if (rc == 0)
		rc = db_x(db, "INSERT INTO plage_ouverture_motifs (plage_ouverture_id, motif_id)"
			      " SELECT $1, unnest($2::bigint[])", db_int(a, p->id), db_id_array(a, p->motif_ids, p->n_motifs));
	return rc ? rc : record_current(db, op, p->organisation_id, 0, p->id, "update", before);
}

int plages_update(struct db *db, struct arena *a, const struct plages_actor *who, const struct plage *p)
{
	struct write_op op = {.a = a, .who = who, .cp = p};
	return db_transaction(db, tx_plage_update, &op);
}

static int tx_delete(struct db *db, void *arg, int absence)
{
	struct write_op *op = arg;
	char *before;
	int rc = lock_row(db, op->a, absence, op->org, op->id, &before);
	if (rc != 0)
		return rc;
	json_t *data = absence ? absences_json(db, op->id) : plages_json(db, op->id);
	const char *i = db_int(op->a, op->id);
	rc = absence ? db_x(db, "DELETE FROM absences WHERE id = $1", i)
		     : db_x(db, "DELETE FROM plages_ouverture WHERE id = $1", i);
	if (rc == 0)
		rc = record(db, op, op->org, absence, op->id, "destroy", before, NULL, data);
	json_decref(data);
	return rc;
}

static int tx_plage_delete(struct db *db, void *arg) { return tx_delete(db, arg, 0); }
static int tx_absence_delete(struct db *db, void *arg) { return tx_delete(db, arg, 1); }

int plages_delete(struct db *db, struct arena *a, const struct plages_actor *who, long long org, long long id)
{
	struct write_op op = {.a = a, .who = who, .org = org, .id = id};
	return db_transaction(db, tx_plage_delete, &op);
}

int absences_delete(struct db *db, struct arena *a, const struct plages_actor *who, long long org, long long id)
{
	struct write_op op = {.a = a, .who = who, .org = org, .id = id};
	return db_transaction(db, tx_absence_delete, &op);
}

/* The exception row for op->day on series op->id (locked first). */
static int add_exception(struct db *db, struct write_op *op, int absence, char **before)
{
	int rc = lock_row(db, op->a, absence, op->org, op->id, before);
	if (rc != 0)
		return rc;
	const char *i = db_int(op->a, op->id), *d = db_int(op->a, op->day);
	return absence ? db_x(db, "INSERT INTO absence_exceptions (absence_id, day) VALUES ($1, date '1970-01-01' + $2::int)"
				  " ON CONFLICT DO NOTHING", i, d)
		       : db_x(db, "INSERT INTO plage_ouverture_exceptions (plage_ouverture_id, day)"
				  " VALUES ($1, date '1970-01-01' + $2::int) ON CONFLICT DO NOTHING", i, d);
}

/* The exception with its audit row and webhook: what both deleting and
 * moving an occurrence do first. */
static int skip_recorded(struct db *db, struct write_op *op, int absence)
{
	char *before;
	int rc = add_exception(db, op, absence, &before);
	return rc ? rc : record_current(db, op, op->org, absence, op->id, "update", before);
}

static int tx_plage_skip(struct db *db, void *arg)
{
	struct write_op *op = arg;
	int rc = skip_recorded(db, op, 0);
	if (rc != 0 || op->new_day == 0)
		return rc;
	/* the moved occurrence: a one-off copy pointing at its series */
	struct plage copy = *op->cp;
	memset(&copy.rule, 0, sizeof copy.rule);
	tz_civil_from_days(op->new_day, &copy.first_y, &copy.first_m, &copy.first_d);
	copy.start_min = op->start_min;
	copy.end_min = op->end_min;
	copy.exception_of_id = op->id;
	rc = plage_insert_row(db, op->a, &copy, &op->new_id);
	return rc ? rc : record_current(db, op, op->org, 0, op->new_id, "create", NULL);
}

/* Deletes (new_id NULL, op->new_day 0) or moves occurrence op->day of
 * series s through tx, once the day is known to be an occurrence and the
 * new times sane. */
static int skip_occurrence(struct db *db, struct write_op *op, int absence, const struct series *s,
			   int (*tx)(struct db *, void *), long long *new_id)
{
	if (s->rule.every == REC_NONE)
		return RDV_EINVAL;   /* a one-off is deleted or edited as a whole */
	if (!plages_is_occurrence(db, absence, op->id, s, op->day))
		return RDV_EINVAL;
	if (new_id != NULL && op->end_min <= op->start_min)
		return RDV_EINVAL;
	int rc = db_transaction(db, tx, op);
	if (rc == 0 && new_id != NULL)
		*new_id = op->new_id;
	return rc;
}

int plages_move_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			   const struct plage *p, long long day, long long new_day, int start_min,
			   int end_min, long long *new_id)
{
	struct series s;
	plages_series(p, &s);
	struct write_op op = {.a = a, .who = who, .cp = p, .org = p->organisation_id, .id = p->id, .day = day,
			      .new_day = new_day, .start_min = start_min, .end_min = end_min};
	return skip_occurrence(db, &op, 0, &s, tx_plage_skip, new_id);
}

int plages_delete_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			     const struct plage *p, long long day)
{
	return plages_move_occurrence(db, a, who, p, day, 0, 0, 0, NULL);   /* no replacement */
}

static int absence_insert_row(struct db *db, struct arena *a, const struct absence *ab, long long *id)
{
	PGresult *r = db_q(db,
		"INSERT INTO absences (organisation_id, agent_id, title, first_day, start_time, end_day, end_time,"
		" recurrence, recurrence_ends_at, exception_of_id)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10) RETURNING id",
		db_int(a, ab->organisation_id), db_int(a, ab->agent_id), ab->title,
		plages_date_iso(a, ab->first_y, ab->first_m, ab->first_d), plages_hm(a, ab->start_min),
		plages_date_iso(a, ab->end_y, ab->end_m, ab->end_d), plages_hm(a, ab->end_min),
		rule_json(a, &ab->rule), until_param(a, &ab->rule), id_param(a, ab->exception_of_id));
	if (r == NULL)
		return db->err;
	*id = db_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

static int tx_absence_create(struct db *db, void *arg)
{
	struct write_op *op = arg;
	int rc = absence_insert_row(db, op->a, op->ab, &op->ab->id);
	return rc ? rc : record_current(db, op, op->ab->organisation_id, 1, op->ab->id, "create", NULL);
}

int absences_create(struct db *db, struct arena *a, const struct plages_actor *who, struct absence *ab)
{
	struct write_op op = {.a = a, .who = who, .ab = ab};
	return db_transaction(db, tx_absence_create, &op);
}

static int tx_absence_update(struct db *db, void *arg)
{
	struct write_op *op = arg;
	const struct absence *ab = op->cab;
	struct arena *a = op->a;
	char *before;
	int rc = lock_row(db, a, 1, ab->organisation_id, ab->id, &before);
	if (rc != 0)
		return rc;
	rc = db_x(db, "UPDATE absences SET agent_id = $2, title = $3, first_day = $4, start_time = $5, end_day = $6,"
		      " end_time = $7, recurrence = $8::jsonb, recurrence_ends_at = $9, updated_at = now() WHERE id = $1",
		  db_int(a, ab->id), db_int(a, ab->agent_id), ab->title,
		  plages_date_iso(a, ab->first_y, ab->first_m, ab->first_d), plages_hm(a, ab->start_min),
		  plages_date_iso(a, ab->end_y, ab->end_m, ab->end_d), plages_hm(a, ab->end_min),
		  rule_json(a, &ab->rule), until_param(a, &ab->rule));
	return rc ? rc : record_current(db, op, ab->organisation_id, 1, ab->id, "update", before);
}

int absences_update(struct db *db, struct arena *a, const struct plages_actor *who, const struct absence *ab)
{
	struct write_op op = {.a = a, .who = who, .cab = ab};
	return db_transaction(db, tx_absence_update, &op);
}

static int tx_absence_skip(struct db *db, void *arg)
{
	struct write_op *op = arg;
	int rc = skip_recorded(db, op, 1);
	if (rc != 0 || op->new_day == 0)
		return rc;
	struct absence copy = *op->cab;
	memset(&copy.rule, 0, sizeof copy.rule);
	tz_civil_from_days(op->new_day, &copy.first_y, &copy.first_m, &copy.first_d);
	copy.end_y = copy.first_y, copy.end_m = copy.first_m, copy.end_d = copy.first_d;
	copy.start_min = op->start_min;
	copy.end_min = op->end_min;
	copy.exception_of_id = op->id;
	rc = absence_insert_row(db, op->a, &copy, &op->new_id);
	return rc ? rc : record_current(db, op, op->org, 1, op->new_id, "create", NULL);
}

int absences_move_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			     const struct absence *ab, long long day, long long new_day, int start_min,
			     int end_min, long long *new_id)
{
	struct series s;
	absences_series(ab, &s);
	struct write_op op = {.a = a, .who = who, .cab = ab, .org = ab->organisation_id, .id = ab->id, .day = day,
			      .new_day = new_day, .start_min = start_min, .end_min = end_min};
	return skip_occurrence(db, &op, 1, &s, tx_absence_skip, new_id);
}

int absences_delete_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			       const struct absence *ab, long long day)
{
	return absences_move_occurrence(db, a, who, ab, day, 0, 0, 0, NULL);   /* no replacement */
}

/* ---------------------------------------------------------- warnings */

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;
	return (a > b) - (a < b);
}

/* Local day numbers of s's occurrences in [from, to): sorted, deduplicated. */
static size_t occurrence_days(const struct series *s, long long from, long long to, long long *days, size_t max)
{
	static _Thread_local struct occurrence occ[WARN_MAX_OCC];
	long long n = recurrence_expand(s, from, to, 0, occ, WARN_MAX_OCC);
	size_t k = 0;
	for (long long i = 0; i < n && i < WARN_MAX_OCC && k < max; i++) {
		long long d = tz_utc_to_local_days(occ[i].start);
		if (k == 0 || days[k - 1] != d)
			days[k++] = d;
	}
	return k;
}

static void warn_overlaps(struct db *db, struct arena *a, const struct plage *p, struct tmpl_loop *loop)
{
	long long d0 = tz_days_from_civil(p->first_y, p->first_m, p->first_d);
	int y, m, d;
	tz_civil_from_days(d0 + WARN_WINDOW_DAYS, &y, &m, &d);
	long long from = tz_local_midnight(p->first_y, p->first_m, p->first_d), to = tz_local_midnight(y, m, d);
	static _Thread_local long long mine[WARN_MAX_OCC];
	struct series s;
	plages_series(p, &s);
	size_t n = occurrence_days(&s, from, to, mine, WARN_MAX_OCC);
	if (n == 0)
		return;
	PGresult *r = db_q(db,
		"SELECT p.title, o.name, p.first_day::text, to_char(p.start_time, 'HH24:MI'), to_char(p.end_time, 'HH24:MI'),"
		" p.recurrence::text FROM plages_ouverture p JOIN organisations o ON o.id = p.organisation_id"
		" WHERE p.agent_id = $1 AND p.id <> $2 AND p.start_time < $4::time AND p.end_time > $3::time"
		" AND daterange(p.first_day, coalesce(p.recurrence_ends_at, CASE WHEN p.recurrence IS NULL THEN p.first_day END), '[]')"
		"  && daterange($5::date, $6::date, '[]') ORDER BY p.first_day, p.id LIMIT 50",
		db_int(a, p->agent_id), db_int(a, p->id), plages_hm(a, p->start_min), plages_hm(a, p->end_min),
		plages_date_iso(a, p->first_y, p->first_m, p->first_d), until_param(a, &p->rule));
	if (r == NULL)
		return;
	for (int i = 0; i < PQntuples(r); i++) {
		struct plage other = {0};
		if (parse_db_date(db_val(r, i, 2), &other.first_y, &other.first_m, &other.first_d) != 0 ||
		    recurrence_parse(db_val(r, i, 5), &other.rule, NULL) != 0)
			continue;
		other.start_min = parse_db_time(db_val(r, i, 3));
		other.end_min = parse_db_time(db_val(r, i, 4));
		struct series os;
		plages_series(&other, &os);
		static _Thread_local long long theirs[WARN_MAX_OCC];
		size_t k = occurrence_days(&os, from, to, theirs, WARN_MAX_OCC);
		for (size_t j = 0; j < k; j++) {
			if (bsearch(&theirs[j], mine, n, sizeof mine[0], cmp_ll) == NULL)
				continue;
			tz_civil_from_days(theirs[j], &y, &m, &d);
			tmpl_set_var(tmpl_loop_add_row(loop), "message", arena_printf(a,
				"Cette plage chevauche la plage « %s » (%s) du même agent, par exemple le %s.",
				db_val(r, i, 0), db_val(r, i, 1), plages_date_fr(a, y, m, d)));
			break;
		}
	}
	PQclear(r);
}

int plages_warnings(struct db *db, struct arena *a, const struct plage *p, struct tmpl_vars *v)
{
	struct tmpl_loop *loop = tmpl_add_loop(v, "warnings");
	warn_overlaps(db, a, p, loop);
	PGresult *r = db_q(db, "SELECT name, default_duration_in_min FROM motifs WHERE id = ANY($1::bigint[])"
			       " AND default_duration_in_min > $2 ORDER BY name",
			   db_id_array(a, p->motif_ids, p->n_motifs), db_int(a, p->end_min - p->start_min));
	if (r == NULL)
		return db->err;
	for (int i = 0; i < PQntuples(r); i++)
		tmpl_set_var(tmpl_loop_add_row(loop), "message", arena_printf(a,
			"Le motif « %s » dure %s minutes, plus longtemps que la plage : aucun créneau ne sera proposé pour lui.",
			db_val(r, i, 0), db_val(r, i, 1)));
	PQclear(r);
	return 0;
}

/* ------------------------------------------------------ page helpers */

const char *plages_rule_describe(struct arena *a, const struct recurrence *r)
{
	if (r->every == REC_NONE)
		return "Une seule fois";
	struct buf b = BUF_INIT;
	if (r->every == REC_WEEK) {
		if (r->interval == 1)
			buf_puts(&b, "Toutes les semaines");
		else
			buf_printf(&b, "Toutes les %d semaines", r->interval);
		const char *sep = " : ";
		for (int i = 0; i < 7; i++) {
			if (r->weekdays & (1u << i)) {
				buf_printf(&b, "%s%s", sep, tz_weekday_name(i));
				sep = ", ";
			}
		}
	} else {
		if (r->interval == 1)
			buf_puts(&b, "Tous les mois");
		else
			buf_printf(&b, "Tous les %d mois", r->interval);
		if (r->nth == -1)
			buf_printf(&b, ", le dernier %s", tz_weekday_name(r->month_weekday));
		else if (r->nth > 0)
			buf_printf(&b, ", le %d%s %s", r->nth, r->nth == 1 ? "er" : "e", tz_weekday_name(r->month_weekday));
	}
	if (r->has_until)
		buf_printf(&b, ", jusqu'au %s", plages_date_fr(a, r->until_y, r->until_m, r->until_d));
	const char *s = b.oom ? "" : arena_strdup(a, b.data);
	buf_free(&b);
	return s;
}

void plages_tmpl_errors(struct tmpl_vars *v, const json_t *errors)
{
	const char *key;
	json_t *list;
	json_object_foreach((json_t *)errors, key, list) {
		char name[96];
		snprintf(name, sizeof(name), "err_%s", key);
		tmpl_set_var(v, name, json_string_value(json_array_get(list, 0)));
	}
	if (json_object_size(errors) > 0)
		tmpl_set_bool(v, "has_errors", 1);
}

void plages_tmpl_pagination(struct arena *a, struct tmpl_vars *v, const char *href_base, int page,
			    long long total, int per_page)
{
	long long pages = (total + per_page - 1) / per_page;
	if (pages <= 1)
		return;
	tmpl_set_bool(v, "paginated", 1);
	struct tmpl_loop *loop = tmpl_add_loop(v, "pages");
	for (long long i = 1; i <= pages; i++) {
		/* first, last and the neighbours of the current page */
		if (i != 1 && i != pages && (i < page - 2 || i > page + 2))
			continue;
		struct tmpl_vars *row = tmpl_loop_add_row(loop);
		tmpl_set_int(row, "num", i);
		tmpl_set_var(row, "href", arena_printf(a, "%spage=%lld", href_base, i));
		tmpl_set_bool(row, "current", i == page);
	}
	if (page > 1)
		tmpl_set_var(v, "prev_href", arena_printf(a, "%spage=%d", href_base, page - 1));
	if (page < pages)
		tmpl_set_var(v, "next_href", arena_printf(a, "%spage=%d", href_base, page + 1));
}

int plages_page_param(const char *s)
{
	long long n;
	if (s == NULL || valid_int(s, 1, 100000, &n, NULL) != 0)
		return 1;
	return (int)n;
}
