/*
 * rdvs.h - RDVs on the agent side and in the API: creation, update (move,
 * duration, agents, lieu, context, status), cancellation, deletion,
 * participants of collective RDVs (seats taken atomically), and the JSON
 * form of an RDV (api.md).
 *
 * Owns the RDV rules of the reference ("benign errors"): overlaps with other
 * RDVs or absences of an agent, a short gap after another RDV, the same
 * usager with the same motif the same day and a start in the past are
 * WARNINGS the agent may confirm (recorded in rdvs.overridden_warnings and
 * in the audit row); an identical RDV is refused outright. The exclusion
 * constraint agents_rdvs_no_overlap stays the real protection against double
 * bookings: checks here only explain, PostgreSQL decides (a concurrent
 * insert fails with RDV_ECONFLICT, never a second RDV).
 *
 * Every write runs in one transaction with its audit row, the messages to
 * people (notify_rdv_ex, no_webhook) and exactly one RDV webhook. Access (policy_agenda_access) is checked here too, so
 * the booking pages and the API apply the same rule.
 *
 * Memory: strings of struct rdvs_report are static or in the caller's arena;
 * rdv_json() returns a new jansson reference the caller decrefs.
 */
#ifndef RDV_RDVS_H
#define RDV_RDVS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "arena.h"
#include "db.h"
#include "policy.h"

#define RDVS_MAX_AGENTS 10
#define RDVS_MAX_USERS 50
#define RDVS_MAX_ISSUES 12

/* One field error or one warning. */
struct rdvs_issue {
	const char *field;     /* form / API field name ("starts_at", "agent_ids", …); warnings: NULL */
	const char *code;      /* warnings: "overlap", "absence", "gap", "same_day", "past" */
	const char *message;   /* French, for display */
};

/* What went wrong, filled by every write below. */
struct rdvs_report {
	struct rdvs_issue errors[RDVS_MAX_ISSUES];     /* invalid input: RDV_EINVAL (422) */
	size_t n_errors;
	struct rdvs_issue warnings[RDVS_MAX_ISSUES];   /* to confirm: RDV_ECONFLICT with conflict NULL */
	size_t n_warnings;
	const char *conflict;  /* refused (identical RDV, slot taken, full): RDV_ECONFLICT */
};

/* Who acts (for access, audit and notifications). */
struct rdvs_actor {
	long long agent_id;
	const char *ip;
};

/* A new RDV. */
struct rdvs_new {
	long long org_id, motif_id;
	long long lieu_id;           /* 0: none (required for public_office motifs) */
	const char *address;         /* home RDVs, may be NULL */
	long long starts_at;         /* UTC */
	int duration_min;            /* 0: the motif's default */
	long long agent_ids[RDVS_MAX_AGENTS];
	size_t n_agents;
	long long user_ids[RDVS_MAX_USERS];
	size_t n_users;
	const char *context;
	const char *name;            /* collective RDVs */
	int max_participants;        /* collective: 0 = unlimited */
	int confirm_warnings;        /* the agent confirmed the warnings (API: force) */
};

/* A change of an existing RDV: only the set_* parts are applied. */
struct rdvs_change {
	int set_starts;
	long long starts_at;
	int set_duration;
	int duration_min;
	int set_status;
	const char *status;          /* unknown, seen, noshow, excused, revoked */
	int set_agents;
	long long agent_ids[RDVS_MAX_AGENTS];
	size_t n_agents;
	int set_context;
	const char *context;
	int set_lieu;
	long long lieu_id;
	int set_address;             /* home RDVs: where */
	const char *address;
	int set_collective;          /* name and max participants */
	const char *name;
	int max_participants;
	int confirm_warnings;
};

/* Creates an RDV. 0 with *id set; RDV_EINVAL (report->errors), RDV_ECONFLICT
 * (report->warnings to confirm, or report->conflict), RDV_ENOTFOUND, or a db
 * error. */
int rdvs_create(struct db *db, struct arena *a, const struct rdvs_actor *who, const struct rdvs_new *in,
		struct rdvs_report *rep, long long *id);

/* Applies a change to RDV id of org (same answers as rdvs_create;
 * RDV_ENOTFOUND when not in org or not visible, RDV_EFORBIDDEN without write
 * access to its agendas). Agents added or removed must be of org with their
 * agenda writable by the actor (kept agents are not re-checked); they are
 * told by e-mail (creation / cancellation), usagers only of a new time or
 * place. */
int rdvs_update(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
		long long id, const struct rdvs_change *ch, struct rdvs_report *rep);

/* Cancels: by_user → excused, else revoked. */
int rdvs_cancel(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
		long long id, int by_user, struct rdvs_report *rep);

/* Deletes (the caller checked the agent is an org admin). */
int rdvs_delete(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id, long long id);

/* Adds a participant, taking a seat of a collective RDV atomically
 * (report->conflict "Il n'y a plus de place…" when full). */
int rdvs_add_participant(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
			 long long id, long long user_id, struct rdvs_report *rep);
/* Removes a participant (frees its seat). */
int rdvs_remove_participant(struct db *db, struct arena *a, const struct rdvs_actor *who, long long org_id,
			    long long id, long long user_id, struct rdvs_report *rep);

/* The viewer's access to RDV id of org: the best level over its agents.
 * RDV_ENOTFOUND when the RDV is not in org. */
int rdvs_access(struct db *db, long long viewer_id, long long org_id, long long id, enum agenda_access *lvl);

/* The columns rdvs_json_row() reads, from "rdvs r" (the list queries select
 * RDVS_JSON_COLS first, then their own columns). */
#define RDVS_JSON_NCOLS 13
#define RDVS_JSON_COLS \
	"r.id, extract(epoch FROM r.starts_at)::bigint, extract(epoch FROM r.ends_at)::bigint, r.motif_id," \
	" r.lieu_id, r.status::text," \
	" array_to_string(ARRAY(SELECT x.agent_id FROM agents_rdvs x WHERE x.rdv_id = r.id ORDER BY x.agent_id), ',')," \
	" array_to_string(ARRAY(SELECT p.user_id FROM participations p WHERE p.rdv_id = r.id ORDER BY p.user_id), ',')," \
	" r.context, r.created_by_type, r.collectif, r.max_participants_count," \
	" extract(epoch FROM r.cancelled_at)::bigint"

/* The API object of one row selected with RDVS_JSON_COLS (new reference). */
json_t *rdvs_json_row(const PGresult *res, int row);
/* The API object of RDV rdv_id (new reference), NULL when absent or on error. */
json_t *rdv_json(struct db *db, struct arena *a, long long rdv_id);

/* Queues the webhook of RDV id of org ("created", "updated") for its
 * subscribed endpoints, the body being rdv_json(); inside the caller's
 * transaction. One call per change. */
int rdv_webhook(struct db *db, struct arena *a, long long org, long long id, const char *event);

/* The RDVs of org the viewer may read (agenda_access_level read or write on
 * one of their agents), filtered, one page ordered by start. Columns:
 * RDVS_JSON_COLS, then motif name, lieu name, agent names, usager names,
 * total rows (same on every row; negative before the last page: there are at
 * least -total RDVs, so a next page), collective name, users_count, past flag.
 * NULL with db->err on error; the caller PQclears. */
struct rdvs_filter {
	long long agent_id, user_id, motif_id, lieu_id;   /* 0: any */
	const char *status;          /* NULL: any; a status, "unknown_past" (à renseigner) or "unknown_future" */
	long long from, to;          /* UTC, 0: open */
	int page, per_page;          /* from 1 */
};
#define RDVS_LIST_TOTAL (RDVS_JSON_NCOLS + 4)
PGresult *rdvs_list(struct db *db, struct arena *a, long long viewer, long long org, const struct rdvs_filter *f);
/* The exact number of RDVs rdvs_list() pages through (f's page ignored). */
int rdvs_count(struct db *db, struct arena *a, long long viewer, long long org, const struct rdvs_filter *f,
	       long long *total);

/* "À venir", "Vu", "Absent non excusé", "Annulé (excusé)", "Annulé (par le service)". */
const char *rdvs_status_label(const char *status, int past);
/* 1 when s is one of the five statuses. */
int rdvs_status_valid(const char *s);

#endif
