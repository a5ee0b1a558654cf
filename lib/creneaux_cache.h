/*
 * creneaux_cache.h - per-process cache of what the créneaux engine loads
 * from the database for one search: the motif's rules, the plage
 * occurrences and the busy intervals (RDVs, absences) over a window.
 *
 * The slots themselves are not cached: they depend on "now" (rounding,
 * booking delays), so lib/slots recomputes them on every request from the
 * cached inputs (tens of µs) — the result is exactly what a fresh load gives.
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
 */
#ifndef RDV_CRENEAUX_CACHE_H
#define RDV_CRENEAUX_CACHE_H

#include <stddef.h>

#include "arena.h"
#include "slots.h"

#define CRC_ENTRIES 32
#define CRC_MAX_BYTES (1 << 20)

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
/* Drops every entry (tests). */
void crc_clear(void);

#endif
