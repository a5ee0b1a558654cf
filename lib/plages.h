/*
 * plages.h - plages d'ouverture and absences: validation of what agents and
 * API clients send, reads and writes (with recurrence rules, exceptions
 * "delete one occurrence" and "move one occurrence"), the audit rows and
 * webhooks of every write, the JSON objects of api.md, and the few page
 * helpers both agent pages share (field errors, pagination, French rule
 * descriptions). Access rules stay in lib/policy: plages_may() only combines
 * the organisation role with policy_agenda_access().
 *
 * Memory: strings come from the caller's arena. json_t values returned are
 * new references the caller decrefs. Errors are collected in a json_t object
 * {"field": ["message", …]} owned by the caller (the api.md "fields").
 *
 * Writes run in their own transaction (db_transaction, retried on
 * serialization failures): the row, its motifs, the audit row and the
 * webhook delivery commit together or not at all.
 */
#ifndef RDV_PLAGES_H
#define RDV_PLAGES_H

#include <jansson.h>

#include "arena.h"
#include "db.h"
#include "policy.h"
#include "recurrence.h"
#include "tmpl.h"

#define PLAGES_MAX_MOTIFS 32
#define PLAGES_PER_PAGE 20

struct plage {
	long long id, organisation_id, agent_id, lieu_id, exception_of_id;  /* lieu 0 = none */
	const char *title;
	int first_y, first_m, first_d;
	int start_min, end_min;                 /* local minutes since midnight */
	struct recurrence rule;                 /* REC_NONE: one-off */
	long long motif_ids[PLAGES_MAX_MOTIFS];
	size_t n_motifs;
};

struct absence {
	long long id, organisation_id, agent_id, exception_of_id;
	const char *title;
	int first_y, first_m, first_d;
	int end_y, end_m, end_d;
	int start_min, end_min;
	struct recurrence rule;                 /* only when first day == end day */
};

/* What a form or an API body says, as received (NULL = absent). */
struct plage_input {
	const char *agent_id, *lieu_id, *title, *first_day, *start_time, *end_time;
	const char *motif_ids[PLAGES_MAX_MOTIFS + 1];
	size_t n_motifs;                        /* PLAGES_MAX_MOTIFS + 1 = too many */
	const struct recurrence *rule;          /* NULL: none, or not parsable (error already added) */
};

struct absence_input {
	const char *agent_id, *title, *first_day, *start_time, *end_day, *end_time;
	const struct recurrence *rule;
};

/* ---- errors ---- */
/* Adds message to errors[field] (an array). */
void plages_error_add(json_t *errors, const char *field, const char *message);
/* The first message of a field, or NULL. */
const char *plages_error_get(const json_t *errors, const char *field);

/* ---- recurrence from the two sources ---- */
/* API: the "recurrence" value (object, null or absent). 0, or RDV_EINVAL
 * with errors["recurrence"] set. */
int plages_rule_from_json(const json_t *value, struct recurrence *out, json_t *errors);
/* Form: type "none" | "weekly" | "monthly", interval, weekdays (bit 0 =
 * Monday), until (date or empty); monthly = the n-th weekday of first_day
 * (resolved by plages_validate). 0 or RDV_EINVAL with field errors. */
int plages_rule_from_form(const char *type, const char *interval, unsigned weekdays, const char *until,
			  struct recurrence *out, json_t *errors);

/* ---- access ---- */
/* 1 when viewer may act on owner's plages/absences in org at level need:
 * self, organisation admins, or policy_agenda_access() >= need. */
int plages_may(struct db *db, long long viewer, long long owner, long long org, enum org_role role,
	       enum agenda_access need);

/* The same for one object: 0, RDV_ENOTFOUND when the viewer has no access
 * at all to owner's agenda (as policy_require_agenda: nothing revealed),
 * RDV_EFORBIDDEN when some but below need, or a db error. */
int plages_check(struct db *db, long long viewer, long long owner, long long org, enum org_role role,
		 enum agenda_access need);

/* ---- validation: 0, RDV_EINVAL (errors filled) or a db error ---- */
int plages_validate(struct db *db, struct arena *a, long long org, const struct plage_input *in,
		    struct plage *out, json_t *errors);
int absences_validate(struct db *db, struct arena *a, long long org, const struct absence_input *in,
		      struct absence *out, json_t *errors);

/* ---- reads: 0, RDV_ENOTFOUND (not in org) or a db error ---- */
int plages_load(struct db *db, struct arena *a, long long org, long long id, struct plage *out);
int absences_load(struct db *db, struct arena *a, long long org, long long id, struct absence *out);

/* The api.md object (new reference), NULL when not found or on error. */
json_t *plages_json(struct db *db, long long id);
json_t *absences_json(struct db *db, long long id);
/* A page of api.md objects of org (agent 0 = every agent): *items new
 * array, *total the count. 0 or a db error. */
int plages_json_list(struct db *db, struct arena *a, long long org, long long agent, int page,
		     int per_page, json_t **items, long long *total);
int absences_json_list(struct db *db, struct arena *a, long long org, long long agent, int page,
		       int per_page, json_t **items, long long *total);

/* ---- writes (actor = signed-in agent, ip for the audit) ---- */
struct plages_actor {
	long long agent_id;
	const char *ip;
};
int plages_create(struct db *db, struct arena *a, const struct plages_actor *who, struct plage *p);  /* sets p->id */
int plages_update(struct db *db, struct arena *a, const struct plages_actor *who, const struct plage *p);
int plages_delete(struct db *db, struct arena *a, const struct plages_actor *who, long long org, long long id);
int absences_create(struct db *db, struct arena *a, const struct plages_actor *who, struct absence *ab);
int absences_update(struct db *db, struct arena *a, const struct plages_actor *who, const struct absence *ab);
int absences_delete(struct db *db, struct arena *a, const struct plages_actor *who, long long org, long long id);

/* Occurrence exceptions: day is a local date as tz_days_from_civil(). The
 * day must be an occurrence of the series (RDV_EINVAL otherwise). Moving
 * creates a one-off copy with exception_of_id = the series, on new_day from
 * start_min to end_min; *new_id gets its id. */
int plages_delete_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			     const struct plage *p, long long day);
int plages_move_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			   const struct plage *p, long long day, long long new_day, int start_min,
			   int end_min, long long *new_id);
int absences_delete_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			       const struct absence *ab, long long day);
int absences_move_occurrence(struct db *db, struct arena *a, const struct plages_actor *who,
			     const struct absence *ab, long long day, long long new_day, int start_min,
			     int end_min, long long *new_id);

/* 1 when day (tz_days_from_civil) holds an occurrence of the series (its
 * exceptions removed). */
int plages_is_occurrence(struct db *db, int of_absence, long long id, const struct series *s,
			 long long day);
/* Fills s from a plage / absence (no exceptions). */
void plages_series(const struct plage *p, struct series *s);
void absences_series(const struct absence *ab, struct series *s);

/* Warnings (not blocking), French sentences added to loop "warnings" of v:
 * overlap with another plage of the same agent, motif longer than the window. */
int plages_warnings(struct db *db, struct arena *a, const struct plage *p, struct tmpl_vars *v);

/* ---- page helpers ---- */
/* "Toutes les 2 semaines le lundi et le jeudi, jusqu'au …" (arena). */
const char *plages_rule_describe(struct arena *a, const struct recurrence *r);
/* "lundi 7 décembre 2026" for a local date. */
const char *plages_date_fr(struct arena *a, int y, int m, int d);
/* "YYYY-MM-DD" and "HH:MM" (arena). */
const char *plages_date_iso(struct arena *a, int y, int m, int d);
const char *plages_hm(struct arena *a, int minutes);
/* err_<field> variables for every field of errors, plus "error_summary". */
void plages_tmpl_errors(struct tmpl_vars *v, const json_t *errors);
/* DSFR pagination: loop "pages" (num, href, current), prev_href,
 * next_href, under href_base + "page=N" (href_base ends with '?' or '&'). */
void plages_tmpl_pagination(struct arena *a, struct tmpl_vars *v, const char *href_base, int page,
			    long long total, int per_page);
/* page= of a query (1 when absent or invalid). */
int plages_page_param(const char *s);

#endif
