/*
 * arena.c - per-request memory pool: a list of chunks, bump allocation.
 * Large requests get a chunk of their own so a big body does not waste a
 * standard chunk.
 */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16

struct chunk {
	struct chunk *next;
	size_t size; /* usable bytes after the header */
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena {
	struct chunk *head;   /* current chunk (most recent) */
	struct chunk *first;  /* kept across resets */
	size_t chunk_size;
	size_t used_total;
};

static struct chunk *chunk_new(size_t size)
{
	struct chunk *c = malloc(sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *arena_new(size_t chunk_size)
{
	struct arena *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->chunk_size = chunk_size < 1024 ? 1024 : chunk_size;
	a->first = chunk_new(a->chunk_size);
	if (a->first == NULL) {
		free(a);
		return NULL;
	}
	a->head = a->first;
	return a;
}

static void free_chunks_except_first(struct arena *a)
{
	struct chunk *c = a->head;
	while (c != NULL && c != a->first) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
}

void arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	free_chunks_except_first(a);
	free(a->first);
	free(a);
}

void arena_reset(struct arena *a)
{
	free_chunks_except_first(a);
	a->head = a->first;
	a->first->next = NULL;
	a->first->used = 0;
	a->used_total = 0;
}

size_t arena_used(const struct arena *a)
{
	return a->used_total;
}

void *arena_alloc(struct arena *a, size_t size)
{
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need < size)
		return NULL;
	struct chunk *c = a->head;
	if (c->size - c->used < need) {
		size_t csize = need > a->chunk_size / 4 ? need : a->chunk_size;
		struct chunk *n = chunk_new(csize);
		if (n == NULL)
			return NULL;
		n->next = a->head;
		a->head = n;
		c = n;
	}
	void *p = c->data + c->used;
	c->used += need;
	a->used_total += need;
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	void *p = arena_alloc(a, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (s == NULL)
		return NULL;
	char *p = arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
