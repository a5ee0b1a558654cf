/*
 * tmpl.h - the template engine: ctemplate (Losen's C Template Library)
 * syntax, compiled once at start-up, rendered many times, HTML-escaped by
 * default. The language is specified in templates/README.md.
 *
 * Ownership:
 *  - struct tmpl_set owns every compiled template of a directory (or of one
 *    string) and all of their text; it is immutable after tmpl_load_dir() /
 *    tmpl_compile_string() return, so any number of threads may render from
 *    it at once without locking. Free it with tmpl_set_free() after the last
 *    render.
 *  - struct tmpl_vars / struct tmpl_loop (the data of one render) live in the
 *    caller's per-request arena: there is nothing to free, arena_reset()
 *    releases them. They belong to the thread that owns the arena.
 *  - tmpl_render() appends to the caller's struct buf; it allocates nothing
 *    else.
 */
#ifndef RDV_TMPL_H
#define RDV_TMPL_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

struct tmpl_set;      /* all compiled templates of a directory, immutable after load */
struct tmpl_vars;     /* a row of variables and loops (arena-allocated) */
struct tmpl_loop;     /* ordered rows */

/*
 * Compile every *.tmpl file under root (recursively; dot files and symbolic
 * links to directories are skipped) plus every file they include. Returns
 * NULL and writes "FILE:LINE: message" into err on the first error.
 */
struct tmpl_set *tmpl_load_dir(const char *root, char *err, size_t errlen);

/*
 * Compile one template from a string, registered in the set under name
 * (used for "FILE:LINE:" in messages and to resolve ".../" includes).
 * Includes are read from files under root; root NULL refuses includes.
 */
struct tmpl_set *tmpl_compile_string(const char *name, const char *text, const char *root,
				     char *err, size_t errlen);

void tmpl_set_free(struct tmpl_set *set);   /* NULL is fine */

/* 1 if the set holds a template of that name (relative to the root,
 * e.g. "booking/agenda.tmpl"; included files are part of the set), else 0. */
int tmpl_has(const struct tmpl_set *set, const char *name);

/*
 * Render template name with vars (NULL = no variables), appending to out.
 * Returns 0, RDV_ENOTFOUND if the set has no such template, RDV_ENOMEM if
 * the output buffer could not grow (out then holds a truncated page).
 */
int tmpl_render(const struct tmpl_set *set, const char *name, const struct tmpl_vars *vars,
		struct buf *out);

/*
 * The data of a render, shaped like ctemplate's TMPL_add_var / TMPL_add_loop
 * / TMPL_add_varlist. Every setter copies what it is given into the arena of
 * the row and returns 0, RDV_EINVAL (NULL row or empty name) or RDV_ENOMEM.
 * Setting a name that exists in the same row replaces its value.
 */
struct tmpl_vars *tmpl_vars_new(struct arena *a);   /* NULL on ENOMEM */
int tmpl_set_var(struct tmpl_vars *v, const char *name, const char *value); /* value NULL = absent */
int tmpl_set_varf(struct tmpl_vars *v, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tmpl_set_int(struct tmpl_vars *v, const char *name, long long value);
int tmpl_set_bool(struct tmpl_vars *v, const char *name, int flag); /* "1" when true, absent when false */
/* A form's one refused field: "error_field" (the field's id, tested with
 * <TMPL_IF name="error_field" value="…">) and "field_error" (the message
 * shown next to it); nothing when field or message is NULL. */
int tmpl_set_field_error(struct tmpl_vars *v, const char *field, const char *message);

/* The loop of that name in v, created empty if v has none; NULL on ENOMEM
 * or bad arguments. Loops and simple variables are separate namespaces. */
struct tmpl_loop *tmpl_add_loop(struct tmpl_vars *v, const char *name);
/* A new empty row appended to the loop (same arena); NULL on ENOMEM. */
struct tmpl_vars *tmpl_loop_add_row(struct tmpl_loop *loop);
size_t tmpl_loop_rows(const struct tmpl_loop *loop);

/* The value of name in this row only (no outer scopes), NULL if absent.
 * For code that builds rows in several steps, and for tests. */
const char *tmpl_get_var(const struct tmpl_vars *v, const char *name);

#endif
