/*
 * answer_cache.h - a bounded per-process LRU of rendered answers (bytes) by
 * key, valid under a data version: the address autocomplete keeps its JSON
 * per normalized query (cgi-bin/search/addresses.c), validated by the
 * address data version of migration 0027.
 *
 * Validity: the cache holds the answers of one version. A lookup or a store
 * under a newer version drops every entry first; a store under an older
 * version than the cache's is ignored (a slow request must not bring back
 * old data). The caller reads the version BEFORE the data it renders, so an
 * answer is never older than the version it is stored under.
 *
 * How often the version is read is the caller's choice; ac_version_due()
 * tells when the last reading is older than a period (ac_set_version stores
 * a new reading), so that one process reads it at most once per period.
 *
 * Memory: at most max_entries entries and max_bytes bytes (keys, answers and
 * bookkeeping); the least recently used entries make room; an answer bigger
 * than an eighth of max_bytes is not kept. Each entry is one malloc'd block
 * owned by the cache; lookups copy the answer out under the lock.
 *
 * Threads: one mutex per cache.
 */
#ifndef RDV_ANSWER_CACHE_H
#define RDV_ANSWER_CACHE_H

#include <pthread.h>
#include <stddef.h>

#include "buf.h"

struct ac_entry;

struct answer_cache {
	pthread_mutex_t lock;
	size_t max_entries, max_bytes;
	struct ac_entry **entries;   /* malloc'd array of max_entries slots; NULL: empty slot */
	size_t bytes;                /* charged to the cap */
	long long version;           /* of every entry; 0: none yet */
	long long read_ms;           /* when the version was last read; 0: never */
	unsigned long long clock;    /* LRU ticks */
};

/* 0 or RDV_ENOMEM. Release with ac_destroy(). */
int ac_init(struct answer_cache *c, size_t max_entries, size_t max_bytes);
void ac_destroy(struct answer_cache *c);

/* 1 and the answer appended to out when key is cached under version; 0 on a
 * miss; RDV_ENOMEM. */
int ac_get(struct answer_cache *c, long long version, const char *key, struct buf *out);
/* Keeps a copy of the answer (best effort: skipped when too big, out of
 * memory or under a version older than the cache's). */
void ac_put(struct answer_cache *c, long long version, const char *key, const char *data, size_t len);

/* 1 when no version was read within period_ms before now_ms (read it and
 * call ac_set_version); 0 and *version the last reading otherwise. */
int ac_version_due(struct answer_cache *c, long long now_ms, long long period_ms, long long *version);
void ac_set_version(struct answer_cache *c, long long version, long long now_ms);

/* Entries and bytes held (tests). */
size_t ac_count(struct answer_cache *c);
size_t ac_bytes(struct answer_cache *c);

#endif
