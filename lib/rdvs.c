/*
 * rdvs.c - RDV writes and their rules (rdvs.h): validation, warnings the
 * agent may confirm, the identical-RDV refusal, transactions with audit and
 * notifications, collective seats, and the API JSON of an RDV.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "notify.h"
#include "occurrences.h"
#include "rdv.h"
#include "rdvs.h"
#include "tz.h"

/* ------------------------------------------------------------ helpers */

static void rep_error(struct rdvs_report *rep, const char *field, const char *message)
{
	if (rep->n_errors < RDVS_MAX_ISSUES)
		rep->errors[rep->n_errors++] = (struct rdvs_issue){field, NULL, message};
}

static void rep_warning(struct rdvs_report *rep, const char *code, const char *message)
{
	for (size_t i = 0; i < rep->n_warnings; i++)
		if (strcmp(rep->warnings[i].code, code) == 0)
			return;   /* one warning per kind: the first example is enough */
	if (rep->n_warnings < RDVS_MAX_ISSUES)
		rep->warnings[rep->n_warnings++] = (struct rdvs_issue){NULL, code, message};
}

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;
	return a < b ? -1 : a > b;
}

/* Sorts ids and drops duplicates and non-positive values; returns the new count. */
static size_t ids_normalize(long long *ids, size_t n)
{
	qsort(ids, n, sizeof(ids[0]), cmp_ll);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (ids[i] > 0 && (k == 0 || ids[k - 1] != ids[i]))
			ids[k++] = ids[i];
	return k;
}

static const char *ts_param(struct arena *a, long long utc)
{
	return db_int(a, utc);
}

static const char *fr_long(struct arena *a, long long utc)
{
	char s[80];
	tz_format_fr_long(utc, s, sizeof(s));
	return arena_strdup(a, s);
}

int rdvs_status_valid(const char *s)
{
	static const char *const ok[] = {"unknown", "seen", "noshow", "excused", "revoked"};
	for (size_t i = 0; s != NULL && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(s, ok[i]) == 0)
			return 1;
	return 0;
}

static int status_cancelled(const char *s)
{
	return s != NULL && (strcmp(s, "excused") == 0 || strcmp(s, "revoked") == 0);
}

static int status_active(const char *s)
{
	return s != NULL && (strcmp(s, "unknown") == 0 || strcmp(s, "seen") == 0 || strcmp(s, "noshow") == 0);
}

const char *rdvs_status_label(const char *status, int past)
{
	if (status == NULL)
		return "";
	if (strcmp(status, "unknown") == 0)
		return past ? "À renseigner" : "À venir";
	if (strcmp(status, "seen") == 0)
		return "Vu";
	if (strcmp(status, "noshow") == 0)
		return "Absent non excusé";
	if (strcmp(status, "excused") == 0)
		return "Annulé (excusé)";
	if (strcmp(status, "revoked") == 0)
		return "Annulé (par le service)";
	return status;
}

/* ---------------------------------------------------------------- JSON */

static json_t *json_id_list(const char *csv)
{
	json_t *arr = json_array();
	for (const char *p = csv; p != NULL && *p != '\0';) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		json_array_append_new(arr, json_integer(v));
		p = *end == ',' ? end + 1 : end;
	}
	return arr;
}

static json_t *json_time_or_null(const char *epoch)
{
	if (epoch == NULL)
		return json_null();
	char iso[32];
	tz_format_iso(strtoll(epoch, NULL, 10), iso);
	return json_string(iso);
}

static json_t *json_ll_or_null(const char *v)
{
	return v ? json_integer(strtoll(v, NULL, 10)) : json_null();
}

json_t *rdvs_json_row(const PGresult *r, int i)
{
	long long starts = db_ll(r, i, 1), ends = db_ll(r, i, 2);
	const char *ctx = db_val(r, i, 8);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(db_ll(r, i, 0)));
	json_object_set_new(o, "starts_at", json_time_or_null(db_val(r, i, 1)));
	json_object_set_new(o, "ends_at", json_time_or_null(db_val(r, i, 2)));
	json_object_set_new(o, "duration_in_min", json_integer((ends - starts) / 60));
	json_object_set_new(o, "motif_id", json_ll_or_null(db_val(r, i, 3)));
	json_object_set_new(o, "lieu_id", json_ll_or_null(db_val(r, i, 4)));
	json_object_set_new(o, "status", json_string(db_val(r, i, 5)));
	json_object_set_new(o, "agent_ids", json_id_list(db_val(r, i, 6)));
	json_object_set_new(o, "user_ids", json_id_list(db_val(r, i, 7)));
	json_object_set_new(o, "context", ctx ? json_string(ctx) : json_null());
	json_object_set_new(o, "created_by", json_string(db_val(r, i, 9)));
	json_object_set_new(o, "collectif", json_boolean(db_bool(r, i, 10)));
	json_object_set_new(o, "max_participants_count", json_ll_or_null(db_val(r, i, 11)));
	json_object_set_new(o, "cancelled_at", json_time_or_null(db_val(r, i, 12)));
	return o;
}

json_t *rdv_json(struct db *db, struct arena *a, long long rdv_id)
{
	PGresult *r = db_q(db, "SELECT " RDVS_JSON_COLS " FROM rdvs r WHERE r.id = $1", db_int(a, rdv_id));
	if (r == NULL)
		return NULL;
	json_t *o = PQntuples(r) == 1 ? rdvs_json_row(r, 0) : NULL;
	PQclear(r);
	return o;
}

/* The RDV as stored, with its agents and users, as JSON text for the audit. */
static char *rdv_audit_json(struct db *db, struct arena *a, long long id)
{
	return db_s(db, a,
		"SELECT (to_jsonb(r) || jsonb_build_object("
		"  'agent_ids', coalesce((SELECT jsonb_agg(x.agent_id ORDER BY x.agent_id) FROM agents_rdvs x WHERE x.rdv_id = r.id), '[]'),"
		"  'participations', coalesce((SELECT jsonb_agg(jsonb_build_object('user_id', p.user_id, 'status', p.status)"
		"     ORDER BY p.user_id) FROM participations p WHERE p.rdv_id = r.id), '[]')))::text"
		" FROM rdvs r WHERE r.id = $1", db_int(a, id));
}

/* ------------------------------------------------------ access checks */

int rdvs_access(struct db *db, long long viewer_id, long long org_id, long long id, enum agenda_access *lvl)
{
	char sid[24], sorg[24];
	snprintf(sid, sizeof(sid), "%lld", id);
	snprintf(sorg, sizeof(sorg), "%lld", org_id);
	PGresult *r = db_q(db,
		"SELECT x.agent_id FROM rdvs r LEFT JOIN agents_rdvs x ON x.rdv_id = r.id"
		" WHERE r.id = $1 AND r.organisation_id = $2", sid, sorg);
	if (r == NULL)
		return db->err;
	int n = PQntuples(r), rc = n == 0 ? RDV_ENOTFOUND : 0;
	*lvl = AGENDA_NONE;
	for (int i = 0; i < n && rc == 0; i++) {
		enum agenda_access l = AGENDA_NONE;
		if (db_val(r, i, 0) == NULL)
			continue;
		rc = policy_agenda_access(db, viewer_id, db_ll(r, i, 0), org_id, &l);
		if (rc == 0 && l > *lvl)
			*lvl = l;
	}
	PQclear(r);
	return rc;
}

/* Read for details, write for changes; below read the RDV does not exist. */
static int require_access(struct db *db, long long viewer, long long org, long long id, enum agenda_access min)
{
	enum agenda_access lvl;
	int rc = rdvs_access(db, viewer, org, id, &lvl);
	if (rc != 0)
		return rc;
	if (lvl < AGENDA_READ)
		return RDV_ENOTFOUND;
	return lvl >= min ? 0 : RDV_EFORBIDDEN;
}

/* ------------------------------------------------------------ validation */

struct motif_info {
	int duration;
	char location_type[16];
	int collectif;
	int follow_up;
	long long territory_id;
};

/* The motif, if of org and usable by the agent (admin, secrétaire, or one of
 * the agent's services). */
static int motif_load(struct db *db, struct arena *a, long long agent, long long org, long long motif,
		      struct motif_info *out)
{
	PGresult *r = db_q(db,
		"SELECT m.default_duration_in_min, m.location_type::text, m.collectif, o.territory_id, m.follow_up"
		" FROM motifs m JOIN organisations o ON o.id = m.organisation_id"
		" WHERE m.id = $1 AND m.organisation_id = $2 AND m.deleted_at IS NULL"
		" AND EXISTS (SELECT 1 FROM agent_roles ar WHERE ar.agent_id = $3 AND ar.organisation_id = m.organisation_id"
		"   AND ar.access_level <> 'intervenant' AND (ar.access_level = 'admin'"
		"   OR EXISTS (SELECT 1 FROM agent_services s JOIN services sv ON sv.id = s.service_id"
		"              WHERE s.agent_id = $3 AND (sv.name = 'Secrétariat' OR s.service_id = m.service_id))))",
		db_int(a, motif), db_int(a, org), db_int(a, agent));
	if (r == NULL)
		return db->err;
	int rc = PQntuples(r) == 1 ? 0 : RDV_ENOTFOUND;
	if (rc == 0) {
		out->duration = (int)db_ll(r, 0, 0);
		snprintf(out->location_type, sizeof(out->location_type), "%s", db_val(r, 0, 1));
		out->collectif = db_bool(r, 0, 2);
		out->territory_id = db_ll(r, 0, 3);
		out->follow_up = db_bool(r, 0, 4);
	}
	PQclear(r);
	return rc;
}

static int check_lieu(struct db *db, struct arena *a, long long org, long long lieu, const char *loc_type,
		      struct rdvs_report *rep)
{
	if (lieu == 0) {
		if (strcmp(loc_type, "public_office") == 0)
			rep_error(rep, "lieu_id", "Choisissez le lieu du rendez-vous.");
		return 0;
	}
	PGresult *r = db_q(db, "SELECT 1 FROM lieux WHERE id = $1 AND organisation_id = $2 AND availability = 'enabled'",
			   db_int(a, lieu), db_int(a, org));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1)
		rep_error(rep, "lieu_id", "Ce lieu n'existe pas ou n'est plus ouvert.");
	PQclear(r);
	return 0;
}

/* Agents: of org, and the actor may write in their agendas. */
static int check_agents(struct db *db, struct arena *a, long long actor, long long org, const long long *ids,
			size_t n, struct rdvs_report *rep)
{
	if (n == 0) {
		rep_error(rep, "agent_ids", "Choisissez au moins un agent.");
		return 0;
	}
	PGresult *r = db_q(db,
		"SELECT count(*) FROM agent_roles ar JOIN agents ag ON ag.id = ar.agent_id"
		" WHERE ar.organisation_id = $1 AND ar.agent_id = ANY($2::bigint[]) AND ag.deleted_at IS NULL",
		db_int(a, org), occurrences_id_array(a, ids, n));
	if (r == NULL)
		return db->err;
	int found = (int)db_ll(r, 0, 0);
	PQclear(r);
	if ((size_t)found != n) {
		rep_error(rep, "agent_ids", "Un des agents choisis n'appartient pas à cette organisation.");
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		enum agenda_access lvl;
		int rc = policy_agenda_access(db, actor, ids[i], org, &lvl);
		if (rc != 0)
			return rc;
		if (lvl < AGENDA_WRITE) {
			rep_error(rep, "agent_ids", "Vous n'avez pas le droit de prendre des rendez-vous dans l'agenda "
						    "d'un des agents choisis.");
			return 0;
		}
	}
	return 0;
}

/* Usagers: each must have a profile in org. */
static int check_users(struct db *db, struct arena *a, long long org, const long long *ids, size_t n,
		       int collectif, struct rdvs_report *rep)
{
	if (n == 0) {
		if (!collectif)
			rep_error(rep, "user_ids", "Choisissez au moins un usager.");
		return 0;
	}
	PGresult *r = db_q(db,
		"SELECT count(*) FROM user_profiles up JOIN users u ON u.id = up.user_id"
		" WHERE up.organisation_id = $1 AND up.user_id = ANY($2::bigint[]) AND u.deleted_at IS NULL",
		db_int(a, org), occurrences_id_array(a, ids, n));
	if (r == NULL)
		return db->err;
	if ((size_t)db_ll(r, 0, 0) != n)
		rep_error(rep, "user_ids", "Un des usagers choisis n'est pas suivi par cette organisation.");
	PQclear(r);
	return 0;
}

/* Follow-up motifs are booked only with a referent (referent_assignations)
 * of every usager: each (agent, usager) pair must be an assignation. */
static int check_follow_up(struct db *db, struct arena *a, const struct rdvs_new *in, struct rdvs_report *rep)
{
	if (in->n_agents == 0 || in->n_users == 0)
		return 0;
	PGresult *r = db_q(db, "SELECT count(*) FROM referent_assignations"
			       " WHERE agent_id = ANY($1::bigint[]) AND user_id = ANY($2::bigint[])",
			   occurrences_id_array(a, in->agent_ids, in->n_agents),
			   occurrences_id_array(a, in->user_ids, in->n_users));
	if (r == NULL)
		return db->err;
	if ((size_t)db_ll(r, 0, 0) != in->n_agents * in->n_users)
		rep_error(rep, "agent_ids", "Ce motif de suivi ne peut être pris qu'avec un référent de l'usager.");
	PQclear(r);
	return 0;
}

static void check_duration(int minutes, struct rdvs_report *rep)
{
	if (minutes < 5 || minutes > 720)
		rep_error(rep, "duration_in_min", "La durée doit être comprise entre 5 et 720 minutes.");
}

/* ------------------------------------------------------ conflicts, warnings */

/* The time and people of an RDV being checked. */
struct slot {
	long long org_id, rdv_id, motif_id, lieu_id, start, end;
	const long long *agents;
	size_t n_agents;
	const long long *users;
	size_t n_users;
};

/* An RDV with the same organisation, lieu, times, motif, agents and users
 * is refused: it is a double submission, never intended. */
static int check_identical(struct db *db, struct arena *a, const struct slot *s, struct rdvs_report *rep)
{
	PGresult *r = db_q(db,
		"SELECT r.id FROM rdvs r WHERE r.organisation_id = $1 AND r.lieu_id IS NOT DISTINCT FROM $2::bigint"
		" AND r.starts_at = to_timestamp($3::bigint) AND r.ends_at = to_timestamp($4::bigint)"
		" AND r.motif_id = $5 AND r.status NOT IN ('excused', 'revoked') AND r.id <> $6"
		" AND ARRAY(SELECT x.agent_id FROM agents_rdvs x WHERE x.rdv_id = r.id ORDER BY 1) = $7::bigint[]"
		" AND ARRAY(SELECT p.user_id FROM participations p WHERE p.rdv_id = r.id"
		"           AND p.status NOT IN ('excused', 'revoked') ORDER BY 1) = $8::bigint[]"
		" LIMIT 1",
		db_int(a, s->org_id), s->lieu_id ? db_int(a, s->lieu_id) : NULL, ts_param(a, s->start),
		ts_param(a, s->end), db_int(a, s->motif_id), db_int(a, s->rdv_id),
		occurrences_id_array(a, s->agents, s->n_agents), occurrences_id_array(a, s->users, s->n_users));
	if (r == NULL)
		return db->err;
	int found = PQntuples(r) > 0;
	PQclear(r);
	if (!found)
		return 0;
	rep->conflict = "Un rendez-vous identique existe déjà (même motif, lieu, horaire, agents et usagers).";
	return RDV_ECONFLICT;
}

/* Overlapping active RDVs of the agents: a warning, and the agents whose
 * agents_rdvs rows must carry overlap_override once confirmed. */
static int warn_overlap(struct db *db, struct arena *a, const struct slot *s, struct rdvs_report *rep,
			long long *ov, size_t *n_ov)
{
	PGresult *r = db_q(db,
		"SELECT ar.agent_id, ag.first_name || ' ' || ag.last_name, extract(epoch FROM ar.starts_at)::bigint"
		" FROM agents_rdvs ar JOIN agents ag ON ag.id = ar.agent_id"
		" WHERE ar.agent_id = ANY($1::bigint[]) AND ar.active AND ar.rdv_id <> $4"
		" AND tstzrange(ar.starts_at, ar.ends_at, '[)') && tstzrange(to_timestamp($2::bigint), to_timestamp($3::bigint), '[)')"
		" ORDER BY ar.starts_at",
		occurrences_id_array(a, s->agents, s->n_agents), ts_param(a, s->start), ts_param(a, s->end),
		db_int(a, s->rdv_id));
	if (r == NULL)
		return db->err;
	for (int i = 0; i < PQntuples(r); i++) {
		long long ag = db_ll(r, i, 0);
		int seen = 0;
		for (size_t k = 0; k < *n_ov; k++)
			seen |= ov[k] == ag;
		if (!seen && *n_ov < RDVS_MAX_AGENTS)
			ov[(*n_ov)++] = ag;
	}
	if (PQntuples(r) > 0)
		rep_warning(rep, "overlap", arena_printf(a, "%s a déjà un rendez-vous qui chevauche celui-ci (%s).",
							   db_val(r, 0, 1), fr_long(a, db_ll(r, 0, 2))));
	PQclear(r);
	return 0;
}

/* Another RDV of an agent ending less than 46 minutes before the start (the
 * reference's "gap" warning; back-to-back RDVs do not warn). */
static int warn_gap(struct db *db, struct arena *a, const struct slot *s, struct rdvs_report *rep)
{
	PGresult *r = db_q(db,
		"SELECT ag.first_name || ' ' || ag.last_name, extract(epoch FROM ar.ends_at)::bigint"
		" FROM agents_rdvs ar JOIN agents ag ON ag.id = ar.agent_id"
		" WHERE ar.agent_id = ANY($1::bigint[]) AND ar.active AND ar.rdv_id <> $3"
		" AND ar.ends_at > to_timestamp($2::bigint) - interval '46 minutes'"
		" AND ar.ends_at < to_timestamp($2::bigint) - interval '1 minute'"
		" ORDER BY ar.ends_at DESC LIMIT 1",
		occurrences_id_array(a, s->agents, s->n_agents), ts_param(a, s->start), db_int(a, s->rdv_id));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) > 0) {
		char hm[6];
		tz_format_hm(db_ll(r, 0, 1), hm);
		rep_warning(rep, "gap", arena_printf(a, "%s a un autre rendez-vous qui se termine à %s, moins de "
						       "46 minutes avant celui-ci.", db_val(r, 0, 0), hm));
	}
	PQclear(r);
	return 0;
}

static int warn_same_day(struct db *db, struct arena *a, const struct slot *s, struct rdvs_report *rep)
{
	if (s->n_users == 0)
		return 0;
	PGresult *r = db_q(db,
		"SELECT u.first_name || ' ' || u.last_name FROM participations p"
		" JOIN rdvs r ON r.id = p.rdv_id JOIN users u ON u.id = p.user_id"
		" WHERE p.user_id = ANY($1::bigint[]) AND r.motif_id = $2 AND r.id <> $4"
		" AND r.status NOT IN ('excused', 'revoked') AND p.status NOT IN ('excused', 'revoked')"
		" AND (r.starts_at AT TIME ZONE 'Europe/Paris')::date = (to_timestamp($3::bigint) AT TIME ZONE 'Europe/Paris')::date"
		" LIMIT 1",
		occurrences_id_array(a, s->users, s->n_users), db_int(a, s->motif_id), ts_param(a, s->start),
		db_int(a, s->rdv_id));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) > 0)
		rep_warning(rep, "same_day", arena_printf(a, "%s a déjà un rendez-vous pour ce motif le même jour.",
							    db_val(r, 0, 0)));
	PQclear(r);
	return 0;
}

/* Absences (occurrences of recurring ones included) of an agent over the RDV. */
static int warn_absence(struct db *db, struct arena *a, const struct slot *s, struct rdvs_report *rep)
{
	struct occ_row *rows = NULL;
	size_t n_rows = 0, n_occ = 0;
	struct occ *occ = NULL;
	int rc = occurrences_load(db, a, s->agents, s->n_agents, s->org_id, s->start, s->end, &rows, &n_rows);
	if (rc == 0)
		rc = occurrences_expand(a, rows, n_rows, s->start, s->end, &occ, &n_occ);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n_occ; i++) {
		if (occ[i].row->kind != OCC_ABSENCE || occ[i].start >= s->end || occ[i].end <= s->start)
			continue;
		char *who = db_s(db, a, "SELECT first_name || ' ' || last_name FROM agents WHERE id = $1",
				 db_int(a, occ[i].row->agent_id));
		rep_warning(rep, "absence", arena_printf(a, "%s est absent(e) pendant ce rendez-vous (« %s »).",
							   who ? who : "Un agent", occ[i].row->title ? occ[i].row->title : ""));
		break;
	}
	return 0;
}

static int check_warnings(struct db *db, struct arena *a, const struct slot *s, long long now,
			  struct rdvs_report *rep, long long *ov, size_t *n_ov)
{
	*n_ov = 0;
	int rc = warn_overlap(db, a, s, rep, ov, n_ov);
	if (rc == 0)
		rc = warn_absence(db, a, s, rep);
	if (rc == 0)
		rc = warn_gap(db, a, s, rep);
	if (rc == 0)
		rc = warn_same_day(db, a, s, rep);
	if (rc == 0 && s->start < now)
		rep_warning(rep, "past", "Ce rendez-vous commence dans le passé.");
	return rc;
}

/* "{overlap,gap}": the confirmed warning codes, as a text[] literal. */
static const char *warning_codes(struct arena *a, const struct rdvs_report *rep)
{
	const char *s = "{";
	for (size_t i = 0; i < rep->n_warnings; i++)
		s = arena_printf(a, "%s%s%s", s, i ? "," : "", rep->warnings[i].code);
	return arena_printf(a, "%s}", s);
}

/* A failed write: the exclusion constraint (or a unique one) refused it. */
static int write_failed(struct db *db, struct rdvs_report *rep)
{
	if (db->err == RDV_ECONFLICT && rep->conflict == NULL)
		rep->conflict = strcmp(db->constraint, "agents_rdvs_no_overlap") == 0
			? "Ce créneau n'est plus libre : un des agents a déjà un rendez-vous à ce moment-là."
			: "Ce rendez-vous entre en conflit avec un autre.";
	return db->err;
}

static long long db_now(struct db *db, struct arena *a)
{
	char *s = db_s(db, a, "SELECT extract(epoch FROM now())::bigint");
	return s ? strtoll(s, NULL, 10) : 0;
}

static int audit_rdv(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org, long long terr,
		     long long id, const char *event, const char *before, const char *after)
{
	struct audit_entry e = {
		.agent_id = who->agent_id, .organisation_id = org, .territory_id = terr, .item_type = "rdv",
		.item_id = id, .event = event, .before_json = before, .after_json = after, .ip = who->ip,
	};
	return audit_log(db, a, &e);
}

/* Every write below queues its RDV webhook once, through rdv_webhook() at its
 * end; the messages to people it queues on the way pass no_webhook. */
int rdv_webhook(struct db *db, struct arena *a, long long org, long long id, const char *event)
{
	json_t *j = rdv_json(db, a, id);
	if (j == NULL)
		return db->err ? db->err : RDV_ENOTFOUND;
	int rc = notify_webhook(db, a, org, "rdv", event, j);
	json_decref(j);
	return rc;
}

/* The usagers and agents of RDV id told of ev by the acting agent (no webhook). */
static int notify_people(struct db *db, struct arena *a, const struct rdvs_actor *who, long long id,
			 enum notify_rdv_event ev)
{
	struct notify_rdv_opts o = {.author_agent_id = who->agent_id, .no_webhook = 1};
	return notify_rdv_ex(db, a, id, ev, &o);
}

/* --------------------------------------------------------------- create */

struct create_job {
	struct arena *a;
	const struct rdvs_actor *who;
	struct rdvs_new in;          /* copy: ids normalized */
	struct rdvs_report *rep;
	long long id;
};

static int create_validate(struct db *db, struct create_job *j, struct motif_info *m, int *duration)
{
	struct rdvs_new *in = &j->in;
	struct rdvs_report *rep = j->rep;
	int rc = motif_load(db, j->a, j->who->agent_id, in->org_id, in->motif_id, m);
	if (rc == RDV_ENOTFOUND) {
		rep_error(rep, "motif_id", "Choisissez un motif de cette organisation que vous pouvez utiliser.");
		return 0;
	}
	if (rc != 0)
		return rc;
	*duration = in->duration_min > 0 ? in->duration_min : m->duration;
	check_duration(*duration, rep);
	if (in->starts_at <= 0)
		rep_error(rep, "starts_at", "Indiquez la date et l'heure du rendez-vous.");
	rc = check_lieu(db, j->a, in->org_id, in->lieu_id, m->location_type, rep);
	if (rc == 0)
		rc = check_agents(db, j->a, j->who->agent_id, in->org_id, in->agent_ids, in->n_agents, rep);
	if (rc == 0)
		rc = check_users(db, j->a, in->org_id, in->user_ids, in->n_users, m->collectif, rep);
	if (rc == 0 && m->follow_up)
		rc = check_follow_up(db, j->a, in, rep);
	if (m->collectif) {
		if (in->name != NULL && strlen(in->name) > 200)
			rep_error(rep, "name", "Le nom de l'atelier ne doit pas dépasser 200 caractères.");
		if (in->max_participants < 0 || in->max_participants > 1000)
			rep_error(rep, "max_participants_count", "Le nombre de places doit être compris entre 1 et 1000.");
		else if (in->max_participants > 0 && (size_t)in->max_participants < in->n_users)
			rep_error(rep, "max_participants_count", "Il y a plus de participants que de places.");
	}
	if (in->context != NULL && strlen(in->context) > 5000)
		rep_error(rep, "context", "Les notes ne doivent pas dépasser 5000 caractères.");
	return 0;
}

static int create_insert(struct db *db, struct create_job *j, const struct motif_info *m, int duration,
			 const long long *ov, size_t n_ov)
{
	struct arena *a = j->a;
	struct rdvs_new *in = &j->in;
	int confirmed = j->rep->n_warnings > 0;
	PGresult *r = db_q(db,
		"INSERT INTO rdvs (organisation_id, motif_id, lieu_id, address, starts_at, ends_at, context, collectif,"
		" name, max_participants_count, users_count, created_by_type, created_by_agent_id, overridden_warnings)"
		" VALUES ($1, $2, $3, $4, to_timestamp($5::bigint), to_timestamp($5::bigint) + make_interval(mins => $6::int),"
		" $7, $8::boolean, $9, $10::int, $11::int, 'agent', $12, $13::text[]) RETURNING id",
		db_int(a, in->org_id), db_int(a, in->motif_id), in->lieu_id ? db_int(a, in->lieu_id) : NULL,
		in->address && *in->address ? in->address : NULL, ts_param(a, in->starts_at), db_int(a, duration),
		in->context && *in->context ? in->context : NULL, m->collectif ? "true" : "false",
		m->collectif && in->name && *in->name ? in->name : NULL,
		m->collectif && in->max_participants > 0 ? db_int(a, in->max_participants) : NULL,
		db_int(a, (long long)in->n_users), db_int(a, j->who->agent_id),
		confirmed ? warning_codes(a, j->rep) : "{}");
	if (r == NULL)
		return write_failed(db, j->rep);
	j->id = db_ll(r, 0, 0);
	PQclear(r);
	const char *id = db_int(a, j->id);
	if (db_x(db, "INSERT INTO agents_rdvs (rdv_id, agent_id, overlap_override)"
		     " SELECT $1, x, x = ANY($3::bigint[]) FROM unnest($2::bigint[]) x",
		 id, occurrences_id_array(a, in->agent_ids, in->n_agents), occurrences_id_array(a, ov, n_ov)) != 0)
		return write_failed(db, j->rep);
	if (in->n_users > 0 &&
	    db_x(db, "INSERT INTO participations (rdv_id, user_id, send_lifecycle_notifications, send_reminder_notification)"
		     " SELECT $1, u, m.visibility_type = 'visible_and_notified', m.visibility_type = 'visible_and_notified'"
		     " FROM unnest($2::bigint[]) u, motifs m WHERE m.id = $3",
		 id, occurrences_id_array(a, in->user_ids, in->n_users), db_int(a, in->motif_id)) != 0)
		return write_failed(db, j->rep);
	return 0;
}

static int create_tx(struct db *db, void *arg)
{
	struct create_job *j = arg;
	struct rdvs_report *rep = j->rep;
	memset(rep, 0, sizeof(*rep));
	struct motif_info m;
	int duration = 0;
	int rc = create_validate(db, j, &m, &duration);
	if (rc != 0)
		return rc;
	if (rep->n_errors > 0)
		return RDV_EINVAL;
	struct slot s = {j->in.org_id, 0, j->in.motif_id, j->in.lieu_id, j->in.starts_at,
			 j->in.starts_at + 60LL * duration, j->in.agent_ids, j->in.n_agents, j->in.user_ids, j->in.n_users};
	rc = check_identical(db, j->a, &s, rep);
	if (rc != 0)
		return rc;
	long long ov[RDVS_MAX_AGENTS];
	size_t n_ov = 0;
	rc = check_warnings(db, j->a, &s, db_now(db, j->a), rep, ov, &n_ov);
	if (rc != 0)
		return rc;
	if (rep->n_warnings > 0 && !j->in.confirm_warnings)
		return RDV_ECONFLICT;
	rc = create_insert(db, j, &m, duration, ov, n_ov);
	if (rc != 0)
		return rc;
	char *after = rdv_audit_json(db, j->a, j->id);
	rc = audit_rdv(db, j->a, j->who, j->in.org_id, m.territory_id, j->id, "create", NULL, after);
	if (rc == 0)
		rc = notify_people(db, j->a, j->who, j->id, NOTIFY_RDV_CREATED);
	if (rc == 0)
		rc = rdv_webhook(db, j->a, j->in.org_id, j->id, "created");
	return rc;
}

int rdvs_create(struct db *db, struct arena *a, const struct rdvs_actor *who, const struct rdvs_new *in,
		struct rdvs_report *rep, long long *id)
{
	struct create_job j = {.a = a, .who = who, .in = *in, .rep = rep};
	memset(rep, 0, sizeof(*rep));
	j.in.n_agents = ids_normalize(j.in.agent_ids, in->n_agents > RDVS_MAX_AGENTS ? RDVS_MAX_AGENTS : in->n_agents);
	j.in.n_users = ids_normalize(j.in.user_ids, in->n_users > RDVS_MAX_USERS ? RDVS_MAX_USERS : in->n_users);
	int rc = db_transaction(db, create_tx, &j);
	if (rc == 0)
		*id = j.id;
	return rc;
}

/* ------------------------------------------------------ load for changes */

struct rdv_state {
	long long org_id, motif_id, lieu_id, starts, ends, territory_id;
	char status[12];
	int collectif;
	char location_type[16];
	const char *address;         /* "" when none (arena) */
	long long agents[RDVS_MAX_AGENTS * 2];
	size_t n_agents;
	long long users[RDVS_MAX_USERS];
	size_t n_users;
};

static size_t ids_parse(const char *csv, long long *out, size_t max)
{
	size_t n = 0;
	for (const char *p = csv; p != NULL && *p != '\0' && n < max;) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (end == p)
			break;
		out[n++] = v;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* The RDV of org, locked for the rest of the transaction. */
static int state_load(struct db *db, struct arena *a, long long org, long long id, struct rdv_state *st)
{
	PGresult *r = db_q(db,
		"SELECT r.motif_id, r.lieu_id, extract(epoch FROM r.starts_at)::bigint,"
		" extract(epoch FROM r.ends_at)::bigint, r.status::text, r.collectif, m.location_type::text,"
		" o.territory_id,"
		" array_to_string(ARRAY(SELECT x.agent_id FROM agents_rdvs x WHERE x.rdv_id = r.id ORDER BY 1), ','),"
		" array_to_string(ARRAY(SELECT p.user_id FROM participations p WHERE p.rdv_id = r.id"
		"   AND p.status NOT IN ('excused', 'revoked') ORDER BY 1), ','), coalesce(r.address, '')"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id JOIN organisations o ON o.id = r.organisation_id"
		" WHERE r.id = $1 AND r.organisation_id = $2 FOR UPDATE OF r",
		db_int(a, id), db_int(a, org));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	memset(st, 0, sizeof(*st));
	st->org_id = org;
	st->motif_id = db_ll(r, 0, 0);
	st->lieu_id = db_ll(r, 0, 1);
	st->starts = db_ll(r, 0, 2);
	st->ends = db_ll(r, 0, 3);
	snprintf(st->status, sizeof(st->status), "%s", db_val(r, 0, 4));
	st->collectif = db_bool(r, 0, 5);
	snprintf(st->location_type, sizeof(st->location_type), "%s", db_val(r, 0, 6));
	st->territory_id = db_ll(r, 0, 7);
	st->n_agents = ids_parse(db_val(r, 0, 8), st->agents, sizeof(st->agents) / sizeof(st->agents[0]));
	st->n_users = ids_parse(db_val(r, 0, 9), st->users, RDVS_MAX_USERS);
	st->address = db_dup(a, r, 0, 10);
	PQclear(r);
	return 0;
}

/* --------------------------------------------------------------- update */

struct update_job {
	struct arena *a;
	const struct rdvs_actor *who;
	long long org_id, id;
	struct rdvs_change ch;
	struct rdvs_report *rep;
};

/* The RDV after the change, validated. */
struct rdv_next {
	long long starts, ends, lieu_id;
	const char *status;
	const long long *agents;
	size_t n_agents;
	long long added[RDVS_MAX_AGENTS], removed[RDVS_MAX_AGENTS * 2];   /* agents, vs. before */
	size_t n_added, n_removed;
	int moved;          /* time or place changed (usagers are told) */
	int recheck;        /* time, agents or activity changed: warnings again */
};

/* ids of a not in b (both sorted). */
static size_t ids_minus(const long long *a, size_t na, const long long *b, size_t nb, long long *out, size_t max)
{
	size_t k = 0, j = 0;
	for (size_t i = 0; i < na && k < max; i++) {
		while (j < nb && b[j] < a[i])
			j++;
		if (j == nb || b[j] != a[i])
			out[k++] = a[i];
	}
	return k;
}

/* The agents taken off or put on the RDV: of org, and the actor may write in
 * their agendas (agents kept as they were are not re-checked). */
static int check_agents_change(struct db *db, struct update_job *j, struct rdv_next *nx, struct rdvs_report *rep)
{
	if (nx->n_agents == 0) {
		rep_error(rep, "agent_ids", "Choisissez au moins un agent.");
		return 0;
	}
	long long changed[RDVS_MAX_AGENTS * 3];
	size_t n = 0;
	for (size_t i = 0; i < nx->n_added; i++)
		changed[n++] = nx->added[i];
	for (size_t i = 0; i < nx->n_removed; i++)
		changed[n++] = nx->removed[i];
	return n ? check_agents(db, j->a, j->who->agent_id, j->org_id, changed, n, rep) : 0;
}

static int update_validate(struct db *db, struct update_job *j, const struct rdv_state *st, struct rdv_next *nx)
{
	const struct rdvs_change *ch = &j->ch;
	struct rdvs_report *rep = j->rep;
	int rc = 0;
	nx->starts = ch->set_starts ? ch->starts_at : st->starts;
	int duration = ch->set_duration ? ch->duration_min : (int)((st->ends - st->starts) / 60);
	if (ch->set_duration)
		check_duration(duration, rep);
	nx->ends = nx->starts + 60LL * duration;
	nx->lieu_id = ch->set_lieu ? ch->lieu_id : st->lieu_id;
	nx->status = ch->set_status ? ch->status : st->status;
	nx->agents = ch->set_agents ? ch->agent_ids : st->agents;
	nx->n_agents = ch->set_agents ? ch->n_agents : st->n_agents;
	nx->n_added = ids_minus(nx->agents, nx->n_agents, st->agents, st->n_agents, nx->added, RDVS_MAX_AGENTS);
	nx->n_removed = ids_minus(st->agents, st->n_agents, nx->agents, nx->n_agents, nx->removed,
				  RDVS_MAX_AGENTS * 2);
	int agents_changed = nx->n_added > 0 || nx->n_removed > 0;
	nx->moved = nx->starts != st->starts || nx->lieu_id != st->lieu_id ||
		    (ch->set_address && strcmp(ch->address ? ch->address : "", st->address) != 0);
	if (!rdvs_status_valid(nx->status))
		rep_error(rep, "status", "Statut inconnu.");
	else if (st->collectif && strcmp(nx->status, "excused") == 0)
		rep_error(rep, "status", "Un atelier collectif ne peut être que « À venir », « Vu » ou « Annulé par le service ».");
	else if (st->collectif && strcmp(nx->status, "noshow") == 0)
		rep_error(rep, "status", "Un atelier collectif ne peut être que « À venir », « Vu » ou « Annulé par le service ».");
	if (ch->set_lieu)
		rc = check_lieu(db, j->a, j->org_id, nx->lieu_id, st->location_type, rep);
	if (rc == 0 && ch->set_agents)
		rc = check_agents_change(db, j, nx, rep);
	if (ch->set_address && ch->address != NULL && strlen(ch->address) > 500)
		rep_error(rep, "address", "L'adresse ne doit pas dépasser 500 caractères.");
	if (ch->set_collective && ch->max_participants < 0)
		rep_error(rep, "max_participants_count", "Le nombre de places doit être positif.");
	if (ch->set_context && ch->context != NULL && strlen(ch->context) > 5000)
		rep_error(rep, "context", "Les notes ne doivent pas dépasser 5000 caractères.");
	nx->recheck = status_active(nx->status) &&
		      (nx->starts != st->starts || nx->ends != st->ends || agents_changed || nx->lieu_id != st->lieu_id ||
		       !status_active(st->status));
	return rc;
}

/* Agents removed, overrides set, times and fields updated, agents added,
 * stale overrides cleared: in this order so that the exclusion constraint
 * only ever judges the RDV's final times. */
static int update_apply(struct db *db, struct update_job *j, const struct rdv_state *st, const struct rdv_next *nx,
			const long long *ov, size_t n_ov)
{
	struct arena *a = j->a;
	const struct rdvs_change *ch = &j->ch;
	const char *id = db_int(a, j->id), *ova = occurrences_id_array(a, ov, n_ov);
	const char *agents = occurrences_id_array(a, nx->agents, nx->n_agents);
	if (ch->set_agents && db_x(db, "DELETE FROM agents_rdvs WHERE rdv_id = $1 AND NOT agent_id = ANY($2::bigint[])",
				   id, agents) != 0)
		return write_failed(db, j->rep);
	if (n_ov > 0 && db_x(db, "UPDATE agents_rdvs SET overlap_override = true WHERE rdv_id = $1"
				 " AND agent_id = ANY($2::bigint[])", id, ova) != 0)
		return write_failed(db, j->rep);
	int confirmed = nx->recheck && j->rep->n_warnings > 0;
	if (db_x(db,
		 "UPDATE rdvs SET starts_at = to_timestamp($2::bigint), ends_at = to_timestamp($3::bigint),"
		 " status = $4::rdv_status, lieu_id = $5::bigint,"
		 " cancelled_at = CASE WHEN $4 IN ('excused', 'revoked', 'noshow') THEN coalesce(cancelled_at, now()) END,"
		 " context = CASE WHEN $6::boolean THEN $7 ELSE context END,"
		 " address = CASE WHEN $12::boolean THEN $13 ELSE address END,"
		 " name = CASE WHEN $8::boolean THEN $9 ELSE name END,"
		 " max_participants_count = CASE WHEN $8::boolean THEN $10::int ELSE max_participants_count END,"
		 " overridden_warnings = ARRAY(SELECT DISTINCT w FROM unnest(overridden_warnings || $11::text[]) w),"
		 " updated_at = now() WHERE id = $1",
		 id, ts_param(a, nx->starts), ts_param(a, nx->ends), nx->status, nx->lieu_id ? db_int(a, nx->lieu_id) : NULL,
		 ch->set_context ? "true" : "false", ch->context && *ch->context ? ch->context : NULL,
		 ch->set_collective ? "true" : "false", ch->name && *ch->name ? ch->name : NULL,
		 ch->max_participants > 0 ? db_int(a, ch->max_participants) : NULL,
		 confirmed ? warning_codes(a, j->rep) : "{}", ch->set_address ? "true" : "false",
		 ch->address && *ch->address ? ch->address : NULL) != 0)
		return write_failed(db, j->rep);
	if (ch->set_agents && db_x(db, "INSERT INTO agents_rdvs (rdv_id, agent_id, overlap_override)"
				       " SELECT $1, x, x = ANY($3::bigint[]) FROM unnest($2::bigint[]) x"
				       " ON CONFLICT (rdv_id, agent_id) DO NOTHING", id, agents, ova) != 0)
		return write_failed(db, j->rep);
	if (nx->recheck && db_x(db, "UPDATE agents_rdvs SET overlap_override = false WHERE rdv_id = $1"
				    " AND overlap_override AND NOT agent_id = ANY($2::bigint[])", id, ova) != 0)
		return write_failed(db, j->rep);
	/* Participants of an individual RDV follow its status. */
	if (!st->collectif && strcmp(nx->status, st->status) != 0 &&
	    db_x(db, "UPDATE participations SET status = $2::rdv_status WHERE rdv_id = $1", id, nx->status) != 0)
		return write_failed(db, j->rep);
	if (!st->collectif &&
	    db_x(db, "UPDATE rdvs SET users_count = (SELECT count(*) FROM participations p WHERE p.rdv_id = $1"
		     " AND p.status NOT IN ('excused', 'revoked')) WHERE id = $1", id) != 0)
		return write_failed(db, j->rep);
	return 0;
}

/* An active RDV changed (the reference's rules): usagers and the agents who
 * stay are told of a new time or place, an agent put on it gets a creation,
 * an agent taken off a cancellation; a change of agents alone is not the
 * usagers' business. */
static int notify_agents_change(struct db *db, struct update_job *j, const struct rdv_state *st,
				const struct rdv_next *nx)
{
	int rc = 0;
	if (nx->moved) {
		struct notify_rdv_opts o = {.author_agent_id = j->who->agent_id, .skip_agents = nx->added,
					    .n_skip_agents = nx->n_added, .no_webhook = 1,
					    .previous_starts_at = nx->starts != st->starts ? st->starts : 0};
		rc = notify_rdv_ex(db, j->a, j->id, NOTIFY_RDV_UPDATED, &o);
	}
	if (rc == 0 && nx->n_added > 0) {
		struct notify_rdv_opts o = {.author_agent_id = j->who->agent_id, .no_users = 1, .no_webhook = 1,
					    .only_agents = nx->added, .n_only_agents = nx->n_added};
		rc = notify_rdv_ex(db, j->a, j->id, NOTIFY_RDV_CREATED, &o);
	}
	if (rc == 0 && nx->n_removed > 0) {
		struct notify_rdv_opts o = {.author_agent_id = j->who->agent_id, .no_users = 1, .no_webhook = 1,
					    .only_agents = nx->removed, .n_only_agents = nx->n_removed,
					    .previous_starts_at = nx->starts != st->starts ? st->starts : 0};
		rc = notify_rdv_ex(db, j->a, j->id, NOTIFY_RDV_CANCELLED, &o);
	}
	return rc;
}

static int update_notify(struct db *db, struct update_job *j, const struct rdv_state *st, const struct rdv_next *nx)
{
	int was = !status_cancelled(st->status), is = !status_cancelled(nx->status);
	int rc = 0;
	if (was && !is)
		rc = notify_people(db, j->a, j->who, j->id, NOTIFY_RDV_CANCELLED);
	else if (!was && is)
		rc = notify_people(db, j->a, j->who, j->id, NOTIFY_RDV_CREATED);
	else if (is)
		rc = notify_agents_change(db, j, st, nx);
	if (rc == 0)
		rc = rdv_webhook(db, j->a, j->org_id, j->id, "updated");
	return rc;
}

static int update_tx(struct db *db, void *arg)
{
	struct update_job *j = arg;
	memset(j->rep, 0, sizeof(*j->rep));
	int rc = require_access(db, j->who->agent_id, j->org_id, j->id, AGENDA_WRITE);
	struct rdv_state st;
	if (rc == 0)
		rc = state_load(db, j->a, j->org_id, j->id, &st);
	struct rdv_next nx;
	if (rc == 0)
		rc = update_validate(db, j, &st, &nx);
	if (rc != 0)
		return rc;
	if (j->rep->n_errors > 0)
		return RDV_EINVAL;
	long long ov[RDVS_MAX_AGENTS];
	size_t n_ov = 0;
	if (nx.recheck) {
		struct slot s = {j->org_id, j->id, st.motif_id, nx.lieu_id, nx.starts, nx.ends,
				 nx.agents, nx.n_agents, st.users, st.n_users};
		rc = check_identical(db, j->a, &s, j->rep);
		if (rc == 0)
			rc = check_warnings(db, j->a, &s, db_now(db, j->a), j->rep, ov, &n_ov);
		if (rc != 0)
			return rc;
		/* A past start is expected when filling in an old RDV's status. */
		if (nx.starts == st.starts && j->rep->n_warnings > 0 &&
		    strcmp(j->rep->warnings[j->rep->n_warnings - 1].code, "past") == 0)
			j->rep->n_warnings--;
		if (j->rep->n_warnings > 0 && !j->ch.confirm_warnings)
			return RDV_ECONFLICT;
	}
	char *before = rdv_audit_json(db, j->a, j->id);
	rc = update_apply(db, j, &st, &nx, ov, n_ov);
	if (rc != 0)
		return rc;
	char *after = rdv_audit_json(db, j->a, j->id);
	rc = audit_rdv(db, j->a, j->who, j->org_id, st.territory_id, j->id, "update", before, after);
	if (rc == 0)
		rc = update_notify(db, j, &st, &nx);
	return rc;
}

int rdvs_update(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
		long long id, const struct rdvs_change *ch, struct rdvs_report *rep)
{
	struct update_job j = {.a = a, .who = who, .org_id = org_id, .id = id, .ch = *ch, .rep = rep};
	memset(rep, 0, sizeof(*rep));
	if (ch->set_agents)
		j.ch.n_agents = ids_normalize(j.ch.agent_ids, ch->n_agents > RDVS_MAX_AGENTS ? RDVS_MAX_AGENTS : ch->n_agents);
	return db_transaction(db, update_tx, &j);
}

int rdvs_cancel(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
		long long id, int by_user, struct rdvs_report *rep)
{
	struct rdvs_change ch = {.set_status = 1, .status = by_user ? "excused" : "revoked"};
	return rdvs_update(db, a, who, org_id, id, &ch, rep);
}

/* --------------------------------------------------------------- delete */

struct simple_job {
	struct arena *a;
	const struct rdvs_actor *who;
	long long org_id, id, user_id;
	struct rdvs_report *rep;
};

static int delete_tx(struct db *db, void *arg)
{
	struct simple_job *j = arg;
	struct rdv_state st;
	int rc = state_load(db, j->a, j->org_id, j->id, &st);
	if (rc != 0)
		return rc;
	char *before = rdv_audit_json(db, j->a, j->id);
	json_t *data = rdv_json(db, j->a, j->id);
	if (data == NULL)
		return db->err ? db->err : RDV_ENOTFOUND;
	rc = notify_webhook(db, j->a, j->org_id, "rdv", "destroyed", data);
	json_decref(data);
	if (rc == 0 && db_x(db, "DELETE FROM rdvs WHERE id = $1 AND organisation_id = $2",
			    db_int(j->a, j->id), db_int(j->a, j->org_id)) != 0)
		rc = db->err;
	if (rc == 0)
		rc = audit_rdv(db, j->a, j->who, j->org_id, st.territory_id, j->id, "destroy", before, NULL);
	return rc;
}

int rdvs_delete(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id, long long id)
{
	struct simple_job j = {.a = a, .who = who, .org_id = org_id, .id = id};
	return db_transaction(db, delete_tx, &j);
}

/* --------------------------------------------------------- participants */

static int participant_check(struct db *db, struct simple_job *j, int *collectif, long long *terr)
{
	int rc = require_access(db, j->who->agent_id, j->org_id, j->id, AGENDA_WRITE);
	if (rc != 0)
		return rc;
	PGresult *r = db_q(db,
		"SELECT r.collectif, r.status::text, o.territory_id FROM rdvs r JOIN organisations o ON o.id = r.organisation_id"
		" WHERE r.id = $1 AND r.organisation_id = $2", db_int(j->a, j->id), db_int(j->a, j->org_id));
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	*collectif = db_bool(r, 0, 0);
	*terr = db_ll(r, 0, 2);
	if (status_cancelled(db_val(r, 0, 1)))
		j->rep->conflict = "Ce rendez-vous est annulé.";
	PQclear(r);
	return j->rep->conflict ? RDV_ECONFLICT : 0;
}

/* The seat is taken by one UPDATE whose WHERE re-reads users_count under the
 * row lock: concurrent additions serialise there and the last seat is given
 * once. The participation insert comes after; a failure rolls both back. */
/* The usager of one participation only is told (the others' RDV did not
 * change); the webhook is the caller's. */
static int notify_participant(struct db *db, struct simple_job *j, long long participation_id,
			      enum notify_rdv_event ev)
{
	struct notify_rdv_opts o = {.author_agent_id = j->who->agent_id, .participation_id = participation_id,
				    .no_agents = 1, .no_webhook = 1};
	return notify_rdv_ex(db, j->a, j->id, ev, &o);
}

static int add_participant_tx(struct db *db, void *arg)
{
	struct simple_job *j = arg;
	memset(j->rep, 0, sizeof(*j->rep));
	int collectif;
	long long terr;
	int rc = participant_check(db, j, &collectif, &terr);
	if (rc == 0)
		rc = check_users(db, j->a, j->org_id, &j->user_id, 1, 0, j->rep);
	if (rc != 0)
		return rc;
	if (j->rep->n_errors > 0)
		return RDV_EINVAL;
	const char *id = db_int(j->a, j->id);
	char *before = rdv_audit_json(db, j->a, j->id);
	PGresult *r = db_q(db,
		"UPDATE rdvs SET users_count = users_count + 1, updated_at = now() WHERE id = $1"
		" AND (max_participants_count IS NULL OR users_count < max_participants_count) RETURNING users_count", id);
	if (r == NULL)
		return write_failed(db, j->rep);
	int got = PQntuples(r) == 1;
	PQclear(r);
	if (!got) {
		j->rep->conflict = "Il n'y a plus de place dans cet atelier.";
		return RDV_ECONFLICT;
	}
	r = db_q(db,
		"INSERT INTO participations (rdv_id, user_id, send_lifecycle_notifications, send_reminder_notification)"
		" SELECT $1, $2, m.visibility_type = 'visible_and_notified', m.visibility_type = 'visible_and_notified'"
		" FROM rdvs r JOIN motifs m ON m.id = r.motif_id WHERE r.id = $1"
		" ON CONFLICT (rdv_id, user_id) DO UPDATE SET status = 'unknown'"
		" WHERE participations.status IN ('excused', 'revoked') RETURNING id", id, db_int(j->a, j->user_id));
	if (r == NULL)
		return write_failed(db, j->rep);
	got = PQntuples(r) == 1;
	long long pid = got ? db_ll(r, 0, 0) : 0;
	PQclear(r);
	if (!got) {
		j->rep->conflict = "Cet usager participe déjà à ce rendez-vous.";
		return RDV_ECONFLICT;
	}
	char *after = rdv_audit_json(db, j->a, j->id);
	rc = audit_rdv(db, j->a, j->who, j->org_id, terr, j->id, "participant_add", before, after);
	if (rc == 0)
		rc = notify_participant(db, j, pid, NOTIFY_RDV_CREATED);
	if (rc == 0)
		rc = rdv_webhook(db, j->a, j->org_id, j->id, "updated");
	(void)collectif;
	return rc;
}

int rdvs_add_participant(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
			 long long id, long long user_id, struct rdvs_report *rep)
{
	struct simple_job j = {.a = a, .who = who, .org_id = org_id, .id = id, .user_id = user_id, .rep = rep};
	memset(rep, 0, sizeof(*rep));
	return db_transaction(db, add_participant_tx, &j);
}

static int remove_participant_tx(struct db *db, void *arg)
{
	struct simple_job *j = arg;
	memset(j->rep, 0, sizeof(*j->rep));
	int collectif;
	long long terr;
	int rc = participant_check(db, j, &collectif, &terr);
	if (rc != 0)
		return rc;
	const char *id = db_int(j->a, j->id);
	char *before = rdv_audit_json(db, j->a, j->id);
	/* told before the row goes: the message is about that participation */
	PGresult *r = db_q(db, "SELECT id, status::text FROM participations WHERE rdv_id = $1 AND user_id = $2",
			   id, db_int(j->a, j->user_id));
	if (r == NULL)
		return db->err;
	int found = PQntuples(r) == 1, active = found && !status_cancelled(db_val(r, 0, 1));
	long long pid = found ? db_ll(r, 0, 0) : 0;
	PQclear(r);
	if (!found)
		return RDV_ENOTFOUND;
	if (active && (rc = notify_participant(db, j, pid, NOTIFY_RDV_CANCELLED)) != 0)
		return rc;
	if (db_x(db, "DELETE FROM participations WHERE id = $1", db_int(j->a, pid)) != 0)
		return db->err;
	if (active && db_x(db, "UPDATE rdvs SET users_count = users_count - 1, updated_at = now() WHERE id = $1", id) != 0)
		return db->err;
	if (!collectif) {
		char *left = db_s(db, j->a, "SELECT count(*) FROM participations WHERE rdv_id = $1", id);
		if (left != NULL && strcmp(left, "0") == 0) {
			j->rep->conflict = "Un rendez-vous individuel doit garder au moins un usager : annulez-le plutôt.";
			return RDV_ECONFLICT;
		}
	}
	char *after = rdv_audit_json(db, j->a, j->id);
	rc = audit_rdv(db, j->a, j->who, j->org_id, terr, j->id, "participant_remove", before, after);
	if (rc == 0)
		rc = rdv_webhook(db, j->a, j->org_id, j->id, "updated");
	return rc;
}

int rdvs_remove_participant(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
			    long long id, long long user_id, struct rdvs_report *rep)
{
	struct simple_job j = {.a = a, .who = who, .org_id = org_id, .id = id, .user_id = user_id, .rep = rep};
	memset(rep, 0, sizeof(*rep));
	return db_transaction(db, remove_participant_tx, &j);
}

/* ----------------------------------------------------------------- list */

/* The RDVs of org $1 that viewer $2 may read, filtered by $3..$9 (rdvs_filter).
 * The visibility test stays a per-row subplan (IS TRUE keeps it from becoming a
 * join over all the organisation's RDVs), so a page walks rdvs (organisation_id,
 * starts_at) in order and stops when full. */
#define LIST_WHERE \
	" WHERE r.organisation_id = $1" \
	/* the agendas $2 may read here, computed once (an init plan), not per RDV */ \
	" AND (EXISTS (SELECT 1 FROM agents_rdvs ar WHERE ar.rdv_id = r.id AND ar.agent_id = ANY (ARRAY(" \
	"   SELECT v.agent_id FROM agent_roles v WHERE v.organisation_id = $1" \
	"   AND agenda_access_level($2, v.agent_id, $1) IN ('read', 'write') UNION ALL SELECT $2)))) IS TRUE" \
	" AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id AND x.agent_id = $3))" \
	" AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM participations p WHERE p.rdv_id = r.id AND p.user_id = $4))" \
	" AND ($5::text IS NULL" \
	"   OR ($5 = 'unknown_past' AND r.status = 'unknown' AND r.starts_at < now())" \
	"   OR ($5 = 'unknown_future' AND r.status = 'unknown' AND r.starts_at >= now())" \
	"   OR r.status::text = $5)" \
	" AND ($6::bigint IS NULL OR r.motif_id = $6) AND ($7::bigint IS NULL OR r.lieu_id = $7)" \
	" AND ($8::bigint IS NULL OR r.starts_at >= to_timestamp($8))" \
	" AND ($9::bigint IS NULL OR r.starts_at < to_timestamp($9))"

#define OPT_ID(a, v) ((v) ? db_int((a), (v)) : NULL)
#define LIST_PARAMS(a, org, viewer, f) \
	db_int((a), (org)), db_int((a), (viewer)), OPT_ID((a), (f)->agent_id), OPT_ID((a), (f)->user_id), \
	(f)->status && *(f)->status ? (f)->status : NULL, OPT_ID((a), (f)->motif_id), OPT_ID((a), (f)->lieu_id), \
	(f)->from ? db_int((a), (f)->from) : NULL, (f)->to ? db_int((a), (f)->to) : NULL

/* The page's ids come first (LIMIT per + 1: is there a next page?), the names and
 * usagers are read for those rows only; no count over the whole list. */
PGresult *rdvs_list(struct db *db, struct arena *a, long long viewer, long long org, const struct rdvs_filter *f)
{
	int per = f->per_page > 0 ? f->per_page : 20, page = f->page > 0 ? f->page : 1;
	return db_q(db,
		"WITH page AS MATERIALIZED (SELECT r.id FROM rdvs r" LIST_WHERE
		"   ORDER BY r.starts_at, r.id LIMIT $10::int + 1 OFFSET $11::int)"
		" SELECT " RDVS_JSON_COLS ", m.name, l.name,"
		" (SELECT string_agg(ag.first_name || ' ' || ag.last_name, ', ' ORDER BY ag.last_name)"
		"    FROM agents_rdvs x JOIN agents ag ON ag.id = x.agent_id WHERE x.rdv_id = r.id),"
		" (SELECT string_agg(u.first_name || ' ' || u.last_name, ', ' ORDER BY u.last_name)"
		"    FROM participations p JOIN users u ON u.id = p.user_id WHERE p.rdv_id = r.id),"
		" CASE WHEN (SELECT count(*) FROM page) > $10::int THEN -($11::int + $10::int + 1)::bigint"
		"      ELSE $11::int + (SELECT count(*) FROM page) END,"
		" r.name, r.users_count, r.starts_at < now()"
		" FROM page JOIN rdvs r ON r.id = page.id JOIN motifs m ON m.id = r.motif_id"
		" LEFT JOIN lieux l ON l.id = r.lieu_id"
		" ORDER BY r.starts_at, r.id LIMIT $10::int",
		LIST_PARAMS(a, org, viewer, f), db_int(a, per), db_int(a, (long long)(page - 1) * per));
}

int rdvs_count(struct db *db, struct arena *a, long long viewer, long long org, const struct rdvs_filter *f,
	       long long *total)
{
	PGresult *r = db_q(db, "SELECT count(*) FROM rdvs r" LIST_WHERE, LIST_PARAMS(a, org, viewer, f));
	if (r == NULL)
		return db->err;
	*total = db_ll(r, 0, 0);
	PQclear(r);
	return 0;
}
#undef OPT_ID
#undef LIST_PARAMS
#undef LIST_WHERE
