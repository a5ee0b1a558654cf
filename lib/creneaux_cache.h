/*
 * creneaux_cache.h - per-process cache of what the créneaux engine loads
 * from the database for one search: the motif's rules, the plage
 * occurrences and the busy intervals (RDVs, absences) over a window.
 *
 * Beside the inputs, the computed slots of a search are kept (crc_result_*)
 * under (key, binôme, window, "now", version): they depend on "now" only
 * through the engine's epoch-second now (rounding, booking delays), so an
 * answer for the same second and version is exactly what would be
 * recomputed. A later second recomputes the slots from the cached inputs.
 *
 * Validity: an entry is stored under the schedule version (migration 0019,
 * read BEFORE the data) and is only served to a caller that read the same
 * version, for a window [lo, hi) inside the stored one. Any committed write
 * to plages, absences, RDVs, motifs, lieux, agents… changes the version, so
 * the next search reloads. Never used inside a transaction (its own
 * uncommitted writes would be cached): lib/creneaux checks db->in_tx.
 *
 * Threads: one mutex per process; lookups copy the entry into the caller's
 * arena. Memory: at most CRC_ENTRIES entries (several windows of one key
 * may coexist), each malloc'd; a new load replaces the key's older versions
 * or narrower windows, else an empty entry, else the least recently used; an entry bigger than CRC_MAX_BYTES is not kept.
 * Results: at most CRC_RESULTS entries of at most CRC_RESULT_MAX_BYTES of
 * slots; a new result replaces the same search's older one (another second
 * or version), else an empty entry, else the least recently used. One
 * mutex covers both tables.
 */
#ifndef RDV_CRENEAUX_CACHE_H
#define RDV_CRENEAUX_CACHE_H

#include <stddef.h>

#include "arena.h"
#include "slots.h"

#define CRC_ENTRIES 32
#define CRC_MAX_BYTES (1 << 20)
#define CRC_RESULTS 16
#define CRC_RESULT_MAX_BYTES (128 << 10)

/* What the search depends on besides the window. */
struct crc_key {
	long long motif_id, lieu_id;
	const long long *agent_ids;
	size_t n_agents;
	int public_side;
};

/* The motif's rules the engine uses. */
struct crc_motif {
	int duration, collectif;
	long long min_delay, max_delay;
};

/* One load: occurrences and busy intervals valid for slot starts in [lo, hi). */
struct crc_data {
	struct crc_motif motif;
	long long lo, hi;
	struct slot_occurrence *occ;
	size_t n_occ;
	struct slot_busy *busy;
	size_t n_busy;
};

/* 1 and *out (arrays copied into a) when an entry for key, stored under
 * version, covers [lo, hi); 0 otherwise; RDV_ENOMEM. */
int crc_get(struct arena *a, const struct crc_key *k, long long version, long long lo, long long hi,
	    struct crc_data *out);
/* Keeps a copy of d for key under version (best effort: silently skipped
 * when out of memory or too big). */
void crc_put(const struct crc_key *k, long long version, const struct crc_data *d);
/* What a computed result depends on besides the schedule version. */
struct crc_result_key {
	struct crc_key key;
	int binome;
	long long from, to;   /* the query's window */
	long long now;        /* the engine's now, epoch seconds */
};

/* 1 and *out, *n (a copy in a; NULL when n is 0) when the slots of exactly
 * this search were stored under version; 0 otherwise; RDV_ENOMEM. */
int crc_result_get(struct arena *a, const struct crc_result_key *k, long long version, struct slot **out,
		   size_t *n);
/* Keeps a copy of s[0..n) (best effort, as crc_put). */
void crc_result_put(const struct crc_result_key *k, long long version, const struct slot *s, size_t n);
/* Drops every entry of both tables (tests). */
void crc_clear(void);

#endif
