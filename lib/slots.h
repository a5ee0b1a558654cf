/*
 * slots.h - the créneaux (free slots) engine: pure arithmetic over interval
 * arrays, reference section 3 (slot computation).
 *
 * What it owns: the rules that turn plage occurrences, busy intervals and a
 * motif duration into bookable slots — subtraction, the 5-minute rounding
 * after "now", stepping by the duration, the window and booking delays, the
 * binôme intersection, the first-availability search and collective seats.
 * What it does not own: expanding recurrences (lib/recurrence), local time
 * (lib/tz), holidays, or loading anything. Every instant is UTC epoch
 * seconds; nothing assumes 24-hour days or minute-aligned inputs.
 *
 * Memory: every array the functions return is allocated in the caller's
 * arena (struct arena, lib/arena.h) and lives until arena_reset/arena_free;
 * nothing is ever freed piecemeal and nothing must be passed to free(). The
 * engine also puts its scratch copies (sorted inputs) in that arena. The
 * input arrays are never modified.
 *
 * Threads: no global mutable state, no I/O; every function is reentrant.
 * An arena belongs to one thread, so concurrent calls need one arena each.
 *
 * Errors: 0 (or 1 = found for slots_first), RDV_EINVAL for a malformed query
 * (see slots_query), RDV_ENOMEM when the arena is exhausted. On error *out
 * is left NULL and *n 0.
 *
 * Cost: O(b log b + o log b + s log k) for o occurrences, b busy intervals,
 * s slots and at most k occurrences open at the same time (merged with a
 * heap, no sort of the output), and arena scratch of about b busy records,
 * o occurrences and s slots. Nothing is done per
 * slot beyond writing it. The busy sort is skipped when the busy list is
 * already ordered by (agent_id, start), and slots_first skips its sort of
 * the occurrences when they come ordered by start: SQL callers should ORDER
 * BY accordingly. Measured (tests/bench/bench_slots.c, -O2): a 4-week public
 * search over 20 agents, 240 occurrences, 500 busy intervals, 888 slots
 * takes ~25 µs with ordered input, ~45 µs unordered; slots_first ~2 µs.
 */
#ifndef RDV_SLOTS_H
#define RDV_SLOTS_H

#include <stddef.h>

struct arena;

/* Instants must lie in [-SLOTS_TIME_LIMIT, SLOTS_TIME_LIMIT] (about ±31,000
 * years): this keeps every sum the engine makes far from overflow. */
#define SLOTS_TIME_LIMIT 1000000000000LL
/* Longest motif duration accepted, in minutes (one week). */
#define SLOTS_DURATION_MAX (7 * 24 * 60)
/* "Now" is rounded up by steps of this many seconds from the start of the
 * free interval (reference 3.6: "the smallest multiple of 5 minutes"). */
#define SLOTS_ROUNDING 300

/* One occurrence of a plage d'ouverture, [start, end), already expanded by
 * the caller (holiday closures already removed). */
struct slot_occurrence {
	long long start, end;
	long long agent_id, lieu_id; /* lieu_id 0 for motifs without a lieu */
};

/* A time the agent cannot take an RDV, [start, end): non-cancelled RDVs of
 * any organisation and motif, absence occurrences. May overlap each other,
 * cross midnight, extend beyond the occurrences. */
struct slot_busy {
	long long start, end;
	long long agent_id;
};

/* One bookable slot. */
struct slot {
	long long start, end; /* end = start + duration */
	long long agent_id, lieu_id;
};

/* Where slot starts may fall. A slot start t is kept iff
 *     from <= t < to, t >= now (always true, by the rounding), and, on the
 *     public side only, now + min_delay <= t <= now + max_delay.
 * The window only filters: slots stay aligned on their free interval. */
struct slots_window {
	long long now;
	long long from, to;
	int public_side;                /* 1: user/prescripteur search */
	long long min_delay, max_delay; /* seconds, >= 0; ignored agent side */
};

/* A créneaux query. Times outside ±SLOTS_TIME_LIMIT, end < start in any
 * interval, negative delays, a duration outside 1..SLOTS_DURATION_MAX or a
 * NULL array with a non-zero count make it RDV_EINVAL. Empty intervals
 * (end == start) are allowed and yield nothing. */
struct slots_query {
	const struct slot_occurrence *occ; /* any order; by start is cheapest */
	size_t n_occ;
	const struct slot_busy *busy;      /* any order; (agent_id, start) cheapest */
	size_t n_busy;
	int duration_min;                  /* motif duration: slot length and step */
	struct slots_window win;
	/* Agents to search: 0 = every agent of occ; 1 = only that agent (same
	 * results as dropping the other occurrences); 2 or more = binôme: a
	 * slot exists only where ALL of them are free at the same lieu. */
	const long long *required_agents;
	size_t n_required;
};

/*
 * Every slot of the query, sorted by (start, lieu_id, agent_id), without
 * duplicates. *out is arena memory (NULL when *n is 0).
 *
 * Ordinary search: each occurrence is slotted on its own (reference 3.5-3.6):
 * its free intervals (occurrence minus the agent's busy time, half-open:
 * touching is no overlap) each get slots from their start — or, when the
 * interval began before now, from start + the smallest multiple of 5
 * minutes reaching now — stepping by the duration while start + duration <=
 * interval end. Two overlapping occurrences of one agent at one lieu can so
 * give slots on two alignments; identical slots are reported once.
 *
 * Binôme (n_required >= 2): the free time of each required agent at a lieu
 * is the union of its free intervals there (touching ones joined); the
 * agents' sets are intersected and each common interval is slotted by the
 * same rules. Each common slot is reported ONCE, with agent_id =
 * required_agents[0]: it means "all the required agents together".
 */
int slots_search(struct arena *a, const struct slots_query *q,
		 struct slot **out, size_t *n);

/*
 * The first slot of the query (at or after win.from, before win.to) without
 * computing the others: the smallest slot in slots_search's order, i.e.
 * exactly slots_search's first element. Occurrences are scanned by start
 * and the scan stops as soon as no later occurrence can do better, so the
 * caller may pass a long horizon (e.g. now .. now + max_delay) at once
 * instead of walking week by week. Returns 1 and fills *out, 0 when there is
 * none, or a negative RDV_E* code. Binôme queries run the full search.
 */
int slots_first(struct arena *a, const struct slots_query *q, struct slot *out);

/*
 * The public view: one entry per (start, lieu_id) however many agents are
 * free then (reference 3.12: "one button per start time"). slots must be
 * sorted as slots_search returns them; each group points into that array:
 * slots[0 .. n_agents-1] are its free agents, in agent_id order, so the
 * booking step can pick one at random. *out is arena memory and stays valid
 * while both the arena and the slot array do.
 */
struct slot_group {
	long long start, end, lieu_id;
	long long first_agent_id;   /* == slots[0].agent_id */
	size_t n_agents;
	const struct slot *slots;   /* into the input array, not a copy */
};

int slots_group(struct arena *a, const struct slot *slots, size_t n,
		struct slot_group **out, size_t *n_out);

/*
 * Collective motifs (reference 3.9): the "slots" are existing collective
 * RDVs (not revoked: the caller filters) with seats left.
 */
struct slot_collective_rdv {
	long long rdv_id;
	long long start, end, lieu_id;
	int seats_max;   /* 0 = unlimited (max_participants_count NULL) */
	int seats_taken; /* users_count: non-cancelled participations */
};

struct slot_collective {
	long long rdv_id;
	long long start, end, lieu_id;
	int seats_left;  /* -1 = unlimited */
};

/*
 * The RDVs whose start passes the window rules of slots_window (so never in
 * the past, delays on the public side) and that have a seat left, sorted by
 * (start, rdv_id). *out is arena memory (NULL when *n is 0). Negative seat
 * counts or bad times are RDV_EINVAL; an overbooked RDV is simply full.
 */
int slots_collective(struct arena *a, const struct slots_window *w,
		     const struct slot_collective_rdv *rdvs, size_t n_rdvs,
		     struct slot_collective **out, size_t *n);

#endif
