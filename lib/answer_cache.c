/*
 * answer_cache.c - bounded per-process LRU of rendered answers under a data
 * version (answer_cache.h).
 */
#include <stdlib.h>
#include <string.h>

#include "answer_cache.h"
#include "rdv.h"

struct ac_entry {
	unsigned hash;
	unsigned long long used;   /* LRU tick of the last hit or store */
	size_t key_len, len;
	char data[];               /* key, NUL, answer */
};

static unsigned ac_hash(const char *s, size_t n)
{
	unsigned h = 2166136261u;   /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static size_t ac_cost(const struct ac_entry *e)
{
	return sizeof(*e) + e->key_len + 1 + e->len;
}

int ac_init(struct answer_cache *c, size_t max_entries, size_t max_bytes)
{
	memset(c, 0, sizeof(*c));
	c->entries = calloc(max_entries ? max_entries : 1, sizeof(*c->entries));
	if (c->entries == NULL)
		return RDV_ENOMEM;
	c->max_entries = max_entries;
	c->max_bytes = max_bytes;
	pthread_mutex_init(&c->lock, NULL);
	return 0;
}

/* Called with the lock held. */
static void ac_drop(struct answer_cache *c, size_t i)
{
	c->bytes -= ac_cost(c->entries[i]);
	free(c->entries[i]);
	c->entries[i] = NULL;
}

static void ac_drop_all(struct answer_cache *c)
{
	for (size_t i = 0; i < c->max_entries; i++)
		if (c->entries[i] != NULL)
			ac_drop(c, i);
}

void ac_destroy(struct answer_cache *c)
{
	if (c->entries == NULL)
		return;
	ac_drop_all(c);
	free(c->entries);
	c->entries = NULL;
	pthread_mutex_destroy(&c->lock);
}

/* Moves the cache to version when it is newer (dropping every entry);
 * returns whether the cache now holds that version. Lock held. */
static int ac_at_version(struct answer_cache *c, long long version)
{
	if (version > c->version) {
		ac_drop_all(c);
		c->version = version;
	}
	return version == c->version;
}

/* The slot of key, or -1. Lock held. */
static long ac_find(const struct answer_cache *c, const char *key, size_t key_len, unsigned hash)
{
	for (size_t i = 0; i < c->max_entries; i++) {
		const struct ac_entry *e = c->entries[i];
		if (e != NULL && e->hash == hash && e->key_len == key_len && memcmp(e->data, key, key_len) == 0)
			return (long)i;
	}
	return -1;
}

int ac_get(struct answer_cache *c, long long version, const char *key, struct buf *out)
{
	size_t key_len = strlen(key);
	unsigned hash = ac_hash(key, key_len);
	int rc = 0;
	pthread_mutex_lock(&c->lock);
	long i = ac_at_version(c, version) ? ac_find(c, key, key_len, hash) : -1;
	if (i >= 0) {
		struct ac_entry *e = c->entries[i];
		e->used = ++c->clock;
		rc = buf_append(out, e->data + e->key_len + 1, e->len) == 0 ? 1 : RDV_ENOMEM;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/* A free slot once there is room for cost more bytes, evicting the least
 * recently used entries; -1 when cost can never fit. Lock held. */
static long ac_make_room(struct answer_cache *c, size_t cost)
{
	if (cost > c->max_bytes / 8)
		return -1;
	for (;;) {
		long free_slot = -1, lru = -1;
		for (size_t i = 0; i < c->max_entries; i++) {
			const struct ac_entry *e = c->entries[i];
			if (e == NULL)
				free_slot = free_slot < 0 ? (long)i : free_slot;
			else if (lru < 0 || e->used < c->entries[lru]->used)
				lru = (long)i;
		}
		if (free_slot >= 0 && c->bytes + cost <= c->max_bytes)
			return free_slot;
		if (lru < 0)
			return -1;
		ac_drop(c, (size_t)lru);
	}
}

void ac_put(struct answer_cache *c, long long version, const char *key, const char *data, size_t len)
{
	size_t key_len = strlen(key);
	struct ac_entry *e = malloc(sizeof(*e) + key_len + 1 + len);
	if (e == NULL)
		return;
	e->hash = ac_hash(key, key_len);
	e->key_len = key_len;
	e->len = len;
	memcpy(e->data, key, key_len + 1);
	memcpy(e->data + key_len + 1, data, len);
	pthread_mutex_lock(&c->lock);
	long slot = -1;
	if (ac_at_version(c, version)) {
		long old = ac_find(c, key, key_len, e->hash);
		if (old >= 0)
			ac_drop(c, (size_t)old);
		slot = ac_make_room(c, ac_cost(e));
	}
	if (slot >= 0) {
		e->used = ++c->clock;
		c->entries[slot] = e;
		c->bytes += ac_cost(e);
		e = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	free(e);
}

int ac_version_due(struct answer_cache *c, long long now_ms, long long period_ms, long long *version)
{
	pthread_mutex_lock(&c->lock);
	int due = c->read_ms == 0 || now_ms - c->read_ms >= period_ms || now_ms < c->read_ms;
	*version = c->version;
	pthread_mutex_unlock(&c->lock);
	return due;
}

void ac_set_version(struct answer_cache *c, long long version, long long now_ms)
{
	pthread_mutex_lock(&c->lock);
	ac_at_version(c, version);
	c->read_ms = now_ms;
	pthread_mutex_unlock(&c->lock);
}

size_t ac_count(struct answer_cache *c)
{
	size_t n = 0;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->max_entries; i++)
		n += c->entries[i] != NULL;
	pthread_mutex_unlock(&c->lock);
	return n;
}

size_t ac_bytes(struct answer_cache *c)
{
	pthread_mutex_lock(&c->lock);
	size_t n = c->bytes;
	pthread_mutex_unlock(&c->lock);
	return n;
}
