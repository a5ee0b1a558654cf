/*
 * arena.h - per-request memory pool (the nginx ngx_pool_t idea).
 *
 * Everything a request allocates comes from its arena and is released at once
 * by arena_reset() when the request ends: nothing is freed piecemeal, nothing
 * leaks. Allocation never fails silently: on out-of-memory the functions
 * return NULL and callers treat it as RDV_ENOMEM.
 *
 * An arena is owned by one thread. arena_new() memory is released by
 * arena_free(); pointers returned by arena_* are owned by the arena.
 */
#ifndef RDV_ARENA_H
#define RDV_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(size_t chunk_size);          /* free with arena_free */
void arena_free(struct arena *a);
void arena_reset(struct arena *a);                    /* keeps the first chunk */
size_t arena_used(const struct arena *a);             /* bytes handed out since reset */

void *arena_alloc(struct arena *a, size_t size);      /* 16-byte aligned, uninitialised */
void *arena_calloc(struct arena *a, size_t n, size_t size); /* zeroed, overflow-checked */
char *arena_strdup(struct arena *a, const char *s);   /* NULL in, NULL out */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

#endif
