/*
 * creneaux_cache.c - per-process cache of the créneaux engine's inputs
 * (creneaux_cache.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "creneaux_cache.h"
#include "rdv.h"

struct crc_entry {
	long long version;   /* 0: empty */
	unsigned long long used;
	struct crc_key key;     /* agent_ids owned by the entry (NULL when none) */
	struct crc_data data;   /* arrays owned by the entry */
};

/* One computed result: the slots of (key, binome, from, to, now). */
struct crc_result {
	long long version;   /* 0: empty */
	unsigned long long used;
	struct crc_result_key key;   /* key.key.agent_ids owned */
	struct slot *slots;          /* owned, n of them */
	size_t n;
};

/* One lock for both tables; used stamps come from one clock. */
static pthread_mutex_t crc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct crc_entry crc_entries[CRC_ENTRIES];
static struct crc_result crc_results[CRC_RESULTS];
static unsigned long long crc_clock;

static void crc_entry_free(struct crc_entry *e)
{
	free((void *)e->key.agent_ids);
	free((void *)e->data.occ);
	free((void *)e->data.busy);
	memset(e, 0, sizeof(*e));
}

static void crc_result_free(struct crc_result *r)
{
	free((void *)r->key.key.agent_ids);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

static size_t crc_key_agents(const struct crc_key *k)
{
	return k->agent_ids ? k->n_agents : 0;
}

static int crc_same_key(const struct crc_key *e, const struct crc_key *k)
{
	if (e->motif_id != k->motif_id || e->lieu_id != k->lieu_id || e->public_side != k->public_side)
		return 0;
	size_t n = crc_key_agents(k);
	return crc_key_agents(e) == n && (n == 0 || memcmp(e->agent_ids, k->agent_ids, n * sizeof(*k->agent_ids)) == 0);
}

/* k with its own malloc'd copy of the agent ids; 0 or RDV_ENOMEM. */
static int crc_key_dup(const struct crc_key *k, struct crc_key *out)
{
	size_t n = crc_key_agents(k);
	*out = *k;
	out->n_agents = n;
	out->agent_ids = NULL;
	if (n == 0)
		return 0;
	long long *ids = malloc(n * sizeof(*ids));
	if (ids == NULL)
		return RDV_ENOMEM;
	memcpy(ids, k->agent_ids, n * sizeof(*ids));
	out->agent_ids = ids;
	return 0;
}

/* An entry for key under version covering [lo, hi) (lo > hi: any window),
 * or NULL. Called with the lock held. */
static struct crc_entry *crc_find(const struct crc_key *k, long long version, long long lo, long long hi)
{
	for (int i = 0; i < CRC_ENTRIES; i++) {
		struct crc_entry *e = &crc_entries[i];
		if (e->version != 0 && e->version == version && crc_same_key(&e->key, k) &&
		    (lo > hi || (e->data.lo <= lo && hi <= e->data.hi)))
			return e;
	}
	return NULL;
}

static void *crc_copy(struct arena *a, const void *src, size_t bytes)
{
	void *dst = arena_alloc(a, bytes ? bytes : 1);
	if (dst != NULL && bytes > 0)
		memcpy(dst, src, bytes);
	return dst;
}

int crc_get(struct arena *a, const struct crc_key *k, long long version, long long lo, long long hi,
	    struct crc_data *out)
{
	if (version <= 0)
		return 0;
	int rc = 0;
	pthread_mutex_lock(&crc_lock);
	struct crc_entry *e = crc_find(k, version, lo, hi);
	if (e != NULL) {
		*out = e->data;
		out->occ = crc_copy(a, e->data.occ, e->data.n_occ * sizeof(*e->data.occ));
		out->busy = crc_copy(a, e->data.busy, e->data.n_busy * sizeof(*e->data.busy));
		rc = out->occ && out->busy ? 1 : RDV_ENOMEM;
		e->used = ++crc_clock;
	}
	pthread_mutex_unlock(&crc_lock);
	return rc;
}

/* Where to store d: an entry of the key that is outdated (older version, or
 * a window inside d's), else an empty one, else the least recently used. */
static struct crc_entry *crc_victim(const struct crc_key *k, long long version, const struct crc_data *d)
{
	struct crc_entry *lru = &crc_entries[0];
	for (int i = 0; i < CRC_ENTRIES; i++) {
		struct crc_entry *e = &crc_entries[i];
		if (e->version != 0 && crc_same_key(&e->key, k) &&
		    (e->version < version || (e->version == version && d->lo <= e->data.lo && e->data.hi <= d->hi)))
			return e;
		if (e->version == 0 && lru->version != 0)
			lru = e;
		else if ((e->version == 0) == (lru->version == 0) && e->used < lru->used)
			lru = e;
	}
	return lru;
}

void crc_put(const struct crc_key *k, long long version, const struct crc_data *d)
{
	size_t occ_b = d->n_occ * sizeof(*d->occ), busy_b = d->n_busy * sizeof(*d->busy);
	if (version <= 0 || occ_b + busy_b > CRC_MAX_BYTES)
		return;
	struct crc_entry fresh = {.version = version, .data = *d};
	int key_rc = crc_key_dup(k, &fresh.key);
	void *occ = malloc(occ_b ? occ_b : 1), *busy = malloc(busy_b ? busy_b : 1);
	fresh.data.occ = occ;
	fresh.data.busy = busy;
	if (key_rc != 0 || occ == NULL || busy == NULL) {
		crc_entry_free(&fresh);
		return;
	}
	if (occ_b > 0)
		memcpy(occ, d->occ, occ_b);
	if (busy_b > 0)
		memcpy(busy, d->busy, busy_b);
	pthread_mutex_lock(&crc_lock);
	struct crc_entry *e = crc_victim(k, version, d);
	struct crc_entry old = *e;
	fresh.used = ++crc_clock;
	*e = fresh;
	pthread_mutex_unlock(&crc_lock);
	if (old.version != 0)
		crc_entry_free(&old);
}

/* ------------------------------------------------------------- results */

/* Same search: key, binôme flag and window (version and now aside). */
static int crc_same_search(const struct crc_result_key *e, const struct crc_result_key *k)
{
	return e->binome == k->binome && e->from == k->from && e->to == k->to && crc_same_key(&e->key, &k->key);
}

int crc_result_get(struct arena *a, const struct crc_result_key *k, long long version, struct slot **out,
		   size_t *n)
{
	if (version <= 0)
		return 0;
	int rc = 0;
	pthread_mutex_lock(&crc_lock);
	for (int i = 0; i < CRC_RESULTS && rc == 0; i++) {
		struct crc_result *r = &crc_results[i];
		if (r->version != version || r->key.now != k->now || !crc_same_search(&r->key, k))
			continue;
		*n = r->n;
		*out = r->n > 0 ? crc_copy(a, r->slots, r->n * sizeof(*r->slots)) : NULL;
		rc = r->n == 0 || *out != NULL ? 1 : RDV_ENOMEM;
		r->used = ++crc_clock;
	}
	pthread_mutex_unlock(&crc_lock);
	return rc;
}

/* Where to store a result: the same search's entry (an older second or
 * version: never served again), else an empty one, else the least recently
 * used. Called with the lock held. */
static struct crc_result *crc_result_victim(const struct crc_result_key *k)
{
	struct crc_result *lru = &crc_results[0];
	for (int i = 0; i < CRC_RESULTS; i++) {
		struct crc_result *r = &crc_results[i];
		if (r->version != 0 && crc_same_search(&r->key, k))
			return r;
		if ((r->version == 0) != (lru->version == 0) ? r->version == 0 : r->used < lru->used)
			lru = r;
	}
	return lru;
}

void crc_result_put(const struct crc_result_key *k, long long version, const struct slot *s, size_t n)
{
	size_t bytes = n * sizeof(*s);
	if (version <= 0 || bytes > CRC_RESULT_MAX_BYTES)
		return;
	struct crc_result fresh = {.version = version, .key = *k, .n = n};
	int key_rc = crc_key_dup(&k->key, &fresh.key.key);
	fresh.slots = malloc(bytes ? bytes : 1);
	if (key_rc != 0 || fresh.slots == NULL) {
		crc_result_free(&fresh);
		return;
	}
	if (bytes > 0)
		memcpy(fresh.slots, s, bytes);
	pthread_mutex_lock(&crc_lock);
	struct crc_result *r = crc_result_victim(k);
	struct crc_result old = *r;
	fresh.used = ++crc_clock;
	*r = fresh;
	pthread_mutex_unlock(&crc_lock);
	if (old.version != 0)
		crc_result_free(&old);
}

void crc_clear(void)
{
	pthread_mutex_lock(&crc_lock);
	for (int i = 0; i < CRC_ENTRIES; i++)
		if (crc_entries[i].version != 0)
			crc_entry_free(&crc_entries[i]);
	for (int i = 0; i < CRC_RESULTS; i++)
		if (crc_results[i].version != 0)
			crc_result_free(&crc_results[i]);
	pthread_mutex_unlock(&crc_lock);
}
