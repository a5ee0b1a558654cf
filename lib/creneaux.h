/*
 * creneaux.h - free slots from the database: loads, in one or two set-based
 * queries, the plage occurrences of a motif (all lieux or one, all agents or
 * some) and the busy intervals of those agents (non-cancelled RDVs in any
 * organisation, absence occurrences), expands recurrences straight into the
 * window (lib/recurrence), closes public holidays, and runs lib/slots.
 *
 * Results are allocated in the caller's arena.
 */
#ifndef RDV_CRENEAUX_H
#define RDV_CRENEAUX_H

#include "arena.h"
#include "creneaux_cache.h"
#include "db.h"
#include "slots.h"

/* The motif's rules and the schedule version (migration 0019), as a caller
 * reads them in one of its own statements (CRENEAUX_MOTIF_COLS of a motifs
 * row aliased m, then creneaux_motif_read) BEFORE any créneaux data: with
 * creneaux_query.motif set, creneaux_search and creneaux_next skip their
 * first round trip. The caller vouches that the motif may be booked on that
 * side (not deleted; public side: not by agents only). */
struct creneaux_motif {
	struct crc_motif rules;
	long long version;               /* 0: do not use the cache */
};

#define CRENEAUX_MOTIF_COLS \
	"(SELECT version FROM schedule_version), m.default_duration_in_min, m.collectif," \
	" m.min_public_booking_delay, m.max_public_booking_delay"

/* The five CRENEAUX_MOTIF_COLS of row from column col: 1 when the motif is
 * there (0: NULL columns of an outer join). The version is 0 inside a
 * transaction (its own uncommitted writes must not be cached). */
int creneaux_motif_read(const struct db *db, const PGresult *r, int row, int col, struct creneaux_motif *out);

struct creneaux_query {
	long long motif_id;
	long long lieu_id;               /* 0: every lieu */
	const long long *agent_ids;      /* NULL/0: every agent with a plage for the motif */
	size_t n_agents;
	int binome;                      /* 1: common slots of all agent_ids */
	long long from, to;              /* UTC window [from, to) */
	long long now;                   /* UTC */
	int public_side;                 /* apply the motif's booking delays and bookable_by */
	int everyone_only;               /* public API: motifs bookable by everyone, no follow-up */
	const struct creneaux_motif *motif;  /* NULL: read from the database */
};

/* Free slots sorted by (start, lieu, agent). */
int creneaux_search(struct db *db, struct arena *a, const struct creneaux_query *q,
		    struct slot **out, size_t *n);
/* The first free slot at or after q->from (q->to bounds the search; 0 = six
 * months); 1 found, 0 none, <0 error. The horizon is expanded in two chunks
 * (two weeks, then the rest at once), never week by week. */
int creneaux_next(struct db *db, struct arena *a, const struct creneaux_query *q, struct slot *out);

/* Collective motifs: their future non-revoked collective RDVs with seats left
 * whose start passes the window (and delays on the public side), sorted by
 * start. creneaux_search on a collective motif returns the same as slots
 * with agent_id 0. RDV_ENOTFOUND for an unknown / deleted motif (and, public
 * side, one only agents may book; everyone_only, one not bookable by everyone
 * or a follow-up motif) — also for creneaux_search and _next, which read the
 * motif and the schedule version in one round trip (and nothing else when
 * the créneaux cache holds the rest). */
int creneaux_collective(struct db *db, struct arena *a, const struct creneaux_query *q,
			struct slot_collective **out, size_t *n);

#endif
