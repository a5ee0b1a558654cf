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
#include "db.h"
#include "slots.h"

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
