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
	long long motif_id, lieu_id;
	long long *agent_ids;
	size_t n_agents;
	int public_side;
	struct crc_data data;   /* arrays owned by the entry */
};

static pthread_mutex_t crc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct crc_entry crc_entries[CRC_ENTRIES];
static unsigned long long crc_clock;

static void crc_entry_free(struct crc_entry *e)
{
	free(e->agent_ids);
	free((void *)e->data.occ);
	free((void *)e->data.busy);
	memset(e, 0, sizeof(*e));
}

static int crc_same_key(const struct crc_entry *e, const struct crc_key *k)
{
	if (e->motif_id != k->motif_id || e->lieu_id != k->lieu_id || e->public_side != k->public_side)
		return 0;
	size_t n = k->agent_ids ? k->n_agents : 0;
	return e->n_agents == n && (n == 0 || memcmp(e->agent_ids, k->agent_ids, n * sizeof(*k->agent_ids)) == 0);
}

/* An entry for key under version covering [lo, hi) (lo > hi: any window),
 * or NULL. Called with the lock held. */
static struct crc_entry *crc_find(const struct crc_key *k, long long version, long long lo, long long hi)
{
	for (int i = 0; i < CRC_ENTRIES; i++) {
		struct crc_entry *e = &crc_entries[i];
		if (e->version != 0 && e->version == version && crc_same_key(e, k) &&
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
		if (e->version != 0 && crc_same_key(e, k) &&
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
	size_t n_ids = k->agent_ids ? k->n_agents : 0;
	size_t occ_b = d->n_occ * sizeof(*d->occ), busy_b = d->n_busy * sizeof(*d->busy);
	if (version <= 0 || occ_b + busy_b > CRC_MAX_BYTES)
		return;
	struct crc_entry fresh = {.version = version, .motif_id = k->motif_id, .lieu_id = k->lieu_id,
				  .n_agents = n_ids, .public_side = k->public_side, .data = *d};
	fresh.agent_ids = malloc(n_ids ? n_ids * sizeof(*k->agent_ids) : 1);
	void *occ = malloc(occ_b ? occ_b : 1), *busy = malloc(busy_b ? busy_b : 1);
	fresh.data.occ = occ;
	fresh.data.busy = busy;
	if (fresh.agent_ids == NULL || occ == NULL || busy == NULL) {
		crc_entry_free(&fresh);
		return;
	}
	if (n_ids > 0)
		memcpy(fresh.agent_ids, k->agent_ids, n_ids * sizeof(*k->agent_ids));
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

void crc_clear(void)
{
	pthread_mutex_lock(&crc_lock);
	for (int i = 0; i < CRC_ENTRIES; i++)
		if (crc_entries[i].version != 0)
			crc_entry_free(&crc_entries[i]);
	pthread_mutex_unlock(&crc_lock);
}
