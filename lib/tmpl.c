/*
 * tmpl.c - the template engine (ctemplate syntax, see templates/README.md).
 *
 * Compilation happens once, at start-up: each file is scanned a single time
 * into a flat array of nodes (text, var, branch, loop, ...). Block openers
 * store the index of their end, branches the index of the next branch, so a
 * render is a walk over index ranges that allocates nothing but output.
 * An include node points at the compiled node array of the included file:
 * each file is compiled once however often it is included.
 *
 * Memory: a struct tmpl_set owns one arena holding every template, node,
 * string and index; tmpl_set_free() releases it at once. The scratch vectors
 * of the compiler are malloc'd and freed before the compile returns.
 * Render data (struct tmpl_vars, struct tmpl_loop) lives in the caller's
 * request arena.
 *
 * Thread safety: nothing here has static mutable state; a set is never
 * written after load, so renders from many threads need no lock.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* scandir, GNU strerror_r */
#endif
#include "tmpl.h"
#include "rdv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMPL_MAX_INCLUDE_DEPTH 32   /* include chain length (cycles are caught before) */
#define TMPL_MAX_NEST 100           /* IF/UNLESS/LOOP nesting in one file: bounds render recursion */
#define TMPL_MAX_FILE (4u << 20)    /* a template over 4 MiB is certainly a mistake */
#define TMPL_MAX_DIR_DEPTH 16
#define TMPL_PATH_MAX 1024
#define ROW_LINEAR_MAX 16           /* rows above this many names get a hash index */

/* ------------------------------------------------------------------ */
/* Render data: rows of named entries, loops of rows.                  */

enum ent_kind { ENT_VAR, ENT_LOOP };

struct tmpl_ent {
	const char *name;
	uint32_t hash;
	uint32_t kind;
	union {
		const char *value;      /* NULL = absent (lookup goes on outward) */
		struct tmpl_loop *loop;
	} u;
};

struct tmpl_vars {
	struct arena *arena;
	struct tmpl_ent *ent;       /* insertion order */
	uint32_t n, cap;
	uint32_t *index;            /* open addressing on hash: ent position + 1, 0 = empty */
	uint32_t mask;
	struct tmpl_vars *next;     /* next row of the same loop */
};

struct tmpl_loop {
	struct arena *arena;
	struct tmpl_vars *first, *last;
	size_t rows;
};

/* FNV-1a: names are short, this is fast and spreads well enough. */
static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static struct tmpl_ent *row_find(const struct tmpl_vars *v, uint32_t kind, uint32_t h,
				 const char *name)
{
	if (v->index == NULL) {
		for (uint32_t i = 0; i < v->n; i++) {
			struct tmpl_ent *e = &v->ent[i];
			if (e->hash == h && e->kind == kind && strcmp(e->name, name) == 0)
				return e;
		}
		return NULL;
	}
	for (uint32_t i = h & v->mask; v->index[i] != 0; i = (i + 1) & v->mask) {
		struct tmpl_ent *e = &v->ent[v->index[i] - 1];
		if (e->hash == h && e->kind == kind && strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

static void row_index_put(struct tmpl_vars *v, uint32_t pos)
{
	uint32_t i = v->ent[pos].hash & v->mask;
	while (v->index[i] != 0)
		i = (i + 1) & v->mask;
	v->index[i] = pos + 1;
}

/* The index is an optimisation only: if it cannot be allocated the row
 * stays on linear scans, which are always correct. */
static void row_index_build(struct tmpl_vars *v)
{
	uint32_t size = 32;
	while (size < 2 * v->cap)
		size *= 2;
	uint32_t *idx = arena_calloc(v->arena, size, sizeof(*idx));
	if (idx == NULL)
		return;
	v->index = idx;
	v->mask = size - 1;
	for (uint32_t k = 0; k < v->n; k++)
		row_index_put(v, k);
}

static struct tmpl_ent *row_insert(struct tmpl_vars *v, uint32_t kind, const char *name,
				   size_t nlen, uint32_t h)
{
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 8;
		struct tmpl_ent *ent = arena_calloc(v->arena, cap, sizeof(*ent));
		if (ent == NULL)
			return NULL;
		if (v->n > 0)
			memcpy(ent, v->ent, v->n * sizeof(*ent));
		v->ent = ent;
		v->cap = cap;
		v->index = NULL; /* rebuilt below, sized for the new capacity */
	}
	char *copy = arena_strndup(v->arena, name, nlen);
	if (copy == NULL)
		return NULL;
	struct tmpl_ent *e = &v->ent[v->n];
	e->name = copy;
	e->hash = h;
	e->kind = kind;
	e->u.value = NULL;
	v->n++;
	if (v->n > ROW_LINEAR_MAX) {
		if (v->index == NULL)
			row_index_build(v);
		else
			row_index_put(v, v->n - 1);
	}
	return e;
}

struct tmpl_vars *tmpl_vars_new(struct arena *a)
{
	if (a == NULL)
		return NULL;
	struct tmpl_vars *v = arena_calloc(a, 1, sizeof(*v));
	if (v != NULL)
		v->arena = a;
	return v;
}

/* value is stored as given when owned is set (already in the arena). */
static int vars_put(struct tmpl_vars *v, const char *name, const char *value, int owned)
{
	if (v == NULL || name == NULL || name[0] == '\0')
		return RDV_EINVAL;
	size_t nlen = strlen(name);
	uint32_t h = hash_name(name, nlen);
	struct tmpl_ent *e = row_find(v, ENT_VAR, h, name);
	if (e == NULL && value == NULL)
		return 0;
	if (value != NULL && !owned && (value = arena_strdup(v->arena, value)) == NULL)
		return RDV_ENOMEM;
	if (e == NULL && (e = row_insert(v, ENT_VAR, name, nlen, h)) == NULL)
		return RDV_ENOMEM;
	e->u.value = value;
	return 0;
}

int tmpl_set_var(struct tmpl_vars *v, const char *name, const char *value)
{
	return vars_put(v, name, value, 0);
}

int tmpl_set_field_error(struct tmpl_vars *v, const char *field, const char *message)
{
	if (field == NULL || message == NULL)
		return 0;
	int rc = tmpl_set_var(v, "error_field", field);
	return rc != 0 ? rc : tmpl_set_var(v, "field_error", message);
}

int tmpl_set_varf(struct tmpl_vars *v, const char *name, const char *fmt, ...)
{
	if (v == NULL || fmt == NULL)
		return RDV_EINVAL;
	va_list ap;
	va_start(ap, fmt);
	char *s = arena_vprintf(v->arena, fmt, ap);
	va_end(ap);
	if (s == NULL)
		return RDV_ENOMEM;
	return vars_put(v, name, s, 1);
}

int tmpl_set_int(struct tmpl_vars *v, const char *name, long long value)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%lld", value);
	return vars_put(v, name, tmp, 0);
}

int tmpl_set_bool(struct tmpl_vars *v, const char *name, int flag)
{
	/* "1" is a string literal: static storage, no copy needed. */
	return vars_put(v, name, flag ? "1" : NULL, 1);
}

const char *tmpl_get_var(const struct tmpl_vars *v, const char *name)
{
	if (v == NULL || name == NULL)
		return NULL;
	const struct tmpl_ent *e = row_find(v, ENT_VAR, hash_name(name, strlen(name)), name);
	return e != NULL ? e->u.value : NULL;
}

struct tmpl_loop *tmpl_add_loop(struct tmpl_vars *v, const char *name)
{
	if (v == NULL || name == NULL || name[0] == '\0')
		return NULL;
	size_t nlen = strlen(name);
	uint32_t h = hash_name(name, nlen);
	struct tmpl_ent *e = row_find(v, ENT_LOOP, h, name);
	if (e != NULL)
		return e->u.loop;
	struct tmpl_loop *loop = arena_calloc(v->arena, 1, sizeof(*loop));
	if (loop == NULL || (e = row_insert(v, ENT_LOOP, name, nlen, h)) == NULL)
		return NULL;
	loop->arena = v->arena;
	e->u.loop = loop;
	return loop;
}

struct tmpl_vars *tmpl_loop_add_row(struct tmpl_loop *loop)
{
	if (loop == NULL)
		return NULL;
	struct tmpl_vars *row = tmpl_vars_new(loop->arena);
	if (row == NULL)
		return NULL;
	if (loop->last != NULL)
		loop->last->next = row;
	else
		loop->first = row;
	loop->last = row;
	loop->rows++;
	return row;
}

size_t tmpl_loop_rows(const struct tmpl_loop *loop)
{
	return loop != NULL ? loop->rows : 0;
}

/* ------------------------------------------------------------------ */
/* Compiled form.                                                      */

enum node_kind { N_TEXT, N_VAR, N_BRANCH, N_ENDIF, N_LOOP, N_ENDLOOP, N_BREAK, N_CONTINUE, N_INCLUDE };
enum fmt_kind { FMT_HTML, FMT_URL, FMT_JS, FMT_NONE };
enum lvar_kind { LV_NONE, LV_FIRST, LV_LAST, LV_ODD, LV_COUNTER };

#define F_NEGATE 1      /* TMPL_UNLESS */
#define F_ALWAYS 2      /* TMPL_ELSE */
#define F_HAS_VALUE 4   /* value= given (str) */
#define F_HAS_DEFAULT 8 /* default= given (str, already escaped) */

struct node {
	uint8_t kind, fmt, lvar, flags;
	uint32_t hash;          /* of name */
	uint32_t next;          /* N_BRANCH: index of the next branch or of the N_ENDIF */
	uint32_t end;           /* opening N_BRANCH / N_LOOP: index of N_ENDIF / N_ENDLOOP;
				   N_BREAK / N_CONTINUE: level */
	const char *name;
	const char *str;        /* N_TEXT text, N_VAR escaped default, N_BRANCH value */
	size_t len;
	const struct tmpl *incl;
};

enum tmpl_state { ST_COMPILING, ST_READY };

struct tmpl {
	const char *name;       /* key: path relative to the root */
	const char *path;       /* for messages */
	uint32_t hash;
	int state;
	const struct node *nodes;
	uint32_t n;
	struct tmpl *next;      /* all templates of the set */
};

struct tmpl_set {
	struct arena *arena;
	const char *root;       /* NULL: includes refused */
	struct tmpl *all;
	const struct tmpl **index; /* open addressing, built when loading ends */
	uint32_t mask;
};

static const struct tmpl *set_find(const struct tmpl_set *set, const char *name)
{
	uint32_t h = hash_name(name, strlen(name));
	if (set->index == NULL) {
		for (const struct tmpl *t = set->all; t != NULL; t = t->next)
			if (t->hash == h && strcmp(t->name, name) == 0)
				return t;
		return NULL;
	}
	for (uint32_t i = h & set->mask; set->index[i] != NULL; i = (i + 1) & set->mask) {
		const struct tmpl *t = set->index[i];
		if (t->hash == h && strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

static int set_build_index(struct tmpl_set *set)
{
	uint32_t count = 0, size = 16;
	for (const struct tmpl *t = set->all; t != NULL; t = t->next)
		count++;
	while (size < 2 * count)
		size *= 2;
	const struct tmpl **idx = arena_calloc(set->arena, size, sizeof(*idx));
	if (idx == NULL)
		return RDV_ENOMEM;
	for (const struct tmpl *t = set->all; t != NULL; t = t->next) {
		uint32_t i = t->hash & (size - 1);
		while (idx[i] != NULL)
			i = (i + 1) & (size - 1);
		idx[i] = t;
	}
	set->index = idx;
	set->mask = size - 1;
	return 0;
}

static struct tmpl_set *set_new(const char *root)
{
	struct tmpl_set *set = calloc(1, sizeof(*set));
	if (set == NULL)
		return NULL;
	set->arena = arena_new(64 * 1024);
	if (set->arena == NULL || (root != NULL && (set->root = arena_strdup(set->arena, root)) == NULL)) {
		arena_free(set->arena);
		free(set);
		return NULL;
	}
	return set;
}

void tmpl_set_free(struct tmpl_set *set)
{
	if (set == NULL)
		return;
	arena_free(set->arena);
	free(set);
}

int tmpl_has(const struct tmpl_set *set, const char *name)
{
	return set != NULL && name != NULL && set_find(set, name) != NULL;
}

/* ------------------------------------------------------------------ */
/* Compiler state and errors.                                          */

struct compiler {
	struct tmpl_set *set;
	char *err;
	size_t errlen;
	const struct tmpl *chain[TMPL_MAX_INCLUDE_DEPTH + 1]; /* files being compiled */
	int depth;
};

enum block_kind { B_IF, B_UNLESS, B_LOOP };
static const char *const block_names[] = {"TMPL_IF", "TMPL_UNLESS", "TMPL_LOOP"};

struct block {
	int kind;
	int line;
	int else_line;          /* 0 until TMPL_ELSE */
	uint32_t first;         /* opening node */
	uint32_t last_branch;   /* whose next the following branch or end fills */
};

struct parser {
	struct compiler *c;
	struct tmpl *t;
	const char *s;
	size_t len, pos;
	int line;
	struct node *nodes;     /* malloc'd while compiling, copied to the arena at the end */
	uint32_t n, cap;
	struct buf text;        /* pending text (comments and continuations removed) */
	struct block blocks[TMPL_MAX_NEST];
	int nblocks;
	int loops;              /* TMPL_LOOPs open in this file (for BREAK level=) */
};

static void compiler_verror(struct compiler *c, const char *path, int line, const char *fmt,
			    va_list ap)
{
	if (c->err == NULL || c->errlen == 0)
		return;
	int k = line > 0 ? snprintf(c->err, c->errlen, "%s:%d: ", path, line)
			 : snprintf(c->err, c->errlen, "%s: ", path);
	if (k >= 0 && (size_t)k < c->errlen)
		vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
}

static int compiler_error(struct compiler *c, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int compiler_error(struct compiler *c, const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	compiler_verror(c, path, line, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_error(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int parse_error(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	compiler_verror(p->c, p->t->path, line, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_oom(struct parser *p)
{
	return parse_error(p, p->line, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Lexical helpers: ASCII only, independent of the locale.             */

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Bare attribute values: Losen's letters, digits, '.', '-', plus '_'
 * (so name=user_name needs no quotes). */
static int is_bare(char c)
{
	return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_';
}

static int has_prefix_ci(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return n >= k && strncasecmp(s, lit, k) == 0;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && is_space(p->s[p->pos])) {
		if (p->s[p->pos] == '\n')
			p->line++;
		p->pos++;
	}
}

/* Does a template tag start at pos? "<TMPL_", "</TMPL_", or the
 * camouflaged "<!--" [space] ["/"] "TMPL_"; anything else is text. */
static int tag_starts_at(const struct parser *p, size_t pos)
{
	const char *s = p->s + pos;
	size_t n = p->len - pos, k = 1;
	if (n >= 4 && s[1] == '!' && s[2] == '-' && s[3] == '-')
		for (k = 4; k < n && is_space(s[k]); k++)
			;
	if (k < n && s[k] == '/')
		k++;
	return k < n && has_prefix_ci(s + k, n - k, "TMPL_");
}

/* ------------------------------------------------------------------ */
/* Tags.                                                               */

enum tag_kind { T_VAR, T_IF, T_ELSIF, T_ELSE, T_UNLESS, T_LOOP, T_BREAK, T_CONTINUE, T_INCLUDE, T__MAX };
static const char *const tag_names[T__MAX] = {
	"VAR", "IF", "ELSIF", "ELSE", "UNLESS", "LOOP", "BREAK", "CONTINUE", "INCLUDE",
};

enum attr_kind { A_NAME, A_VALUE, A_DEFAULT, A_FMT, A_LEVEL, A__MAX };
static const char *const attr_names[A__MAX] = {"name", "value", "default", "fmt", "level"};

#define BIT(x) (1u << (x))
static const unsigned tag_attrs[T__MAX] = {
	[T_VAR] = BIT(A_NAME) | BIT(A_DEFAULT) | BIT(A_FMT),
	[T_IF] = BIT(A_NAME) | BIT(A_VALUE),
	[T_ELSIF] = BIT(A_NAME) | BIT(A_VALUE),
	[T_ELSE] = 0,
	[T_UNLESS] = BIT(A_NAME) | BIT(A_VALUE),
	[T_LOOP] = BIT(A_NAME),
	[T_BREAK] = BIT(A_LEVEL),
	[T_CONTINUE] = BIT(A_LEVEL),
	[T_INCLUDE] = BIT(A_NAME),
};
static const unsigned tags_with_name =
	BIT(T_VAR) | BIT(T_IF) | BIT(T_ELSIF) | BIT(T_UNLESS) | BIT(T_LOOP) | BIT(T_INCLUDE);
/* Block tags: may be closed, may not end with "/>" (a self-closed block
 * makes no sense, Losen refuses it too). */
static const unsigned tags_block = BIT(T_IF) | BIT(T_UNLESS) | BIT(T_LOOP);

struct tag {
	int kind;
	int closing;            /* </TMPL_...> */
	int camo;               /* <!-- TMPL_... --> */
	int selfclose;          /* ended with "/>" */
	int line;
	unsigned seen;          /* BIT(attr) */
	const char *val[A__MAX];/* slices of the source */
	size_t vlen[A__MAX];
	char label[24];         /* "TMPL_VAR" or "</TMPL_IF>", for messages */
};

static int tag_error_char(struct parser *p, const struct tag *tg)
{
	unsigned char ch = (unsigned char)p->s[p->pos];
	const char *hint = tg->camo ? " (a tag opened with \"<!--\" ends with \"-->\")" : "";
	if (ch > 0x20 && ch < 0x7f)
		return parse_error(p, tg->line, "%s: unexpected '%c' in tag%s", tg->label, ch, hint);
	return parse_error(p, tg->line, "%s: unexpected byte 0x%02x in tag%s", tg->label, ch, hint);
}

static int tag_scan_value(struct parser *p, struct tag *tg, int a)
{
	const char *s = p->s;
	if (p->pos >= p->len)
		return parse_error(p, tg->line, "%s tag is not closed", tg->label);
	char q = s[p->pos];
	size_t start;
	if (q == '"' || q == '\'') {
		start = ++p->pos;
		while (p->pos < p->len && s[p->pos] != q && s[p->pos] != '\n')
			p->pos++;
		if (p->pos >= p->len || s[p->pos] != q)
			return parse_error(p, tg->line, "%s: unterminated %s= value (quotes close on the same line)",
					   tg->label, attr_names[a]);
		tg->vlen[a] = p->pos - start;
		p->pos++;
	} else {
		start = p->pos;
		/* stop before "-->" so <!-- TMPL_VAR name=x--> works */
		while (p->pos < p->len && is_bare(s[p->pos]) &&
		       !(tg->camo && p->len - p->pos >= 3 && memcmp(s + p->pos, "-->", 3) == 0))
			p->pos++;
		if (p->pos == start)
			return parse_error(p, tg->line,
					   "%s: %s= has no value (quote values other than letters, digits, '.', '-', '_')",
					   tg->label, attr_names[a]);
		tg->vlen[a] = p->pos - start;
	}
	tg->val[a] = s + start;
	tg->seen |= BIT(a);
	return 0;
}

static int tag_scan_attr(struct parser *p, struct tag *tg)
{
	size_t start = p->pos;
	while (p->pos < p->len && is_alpha(p->s[p->pos]))
		p->pos++;
	size_t n = p->pos - start;
	int a = -1;
	for (int k = 0; k < A__MAX; k++)
		if (n == strlen(attr_names[k]) && strncasecmp(p->s + start, attr_names[k], n) == 0)
			a = k;
	if (a < 0 || tg->closing || !(tag_attrs[tg->kind] & BIT(a)))
		return parse_error(p, tg->line, "%s: unknown attribute \"%.*s\"", tg->label, (int)n,
				   p->s + start);
	if (tg->seen & BIT(a))
		return parse_error(p, tg->line, "%s: duplicate %s= attribute", tg->label, attr_names[a]);
	skip_space(p);
	if (p->pos >= p->len || p->s[p->pos] != '=')
		return parse_error(p, tg->line, "%s: attribute %s has no \"=\"", tg->label, attr_names[a]);
	p->pos++;
	skip_space(p);
	return tag_scan_value(p, tg, a);
}

/* After the tag name: attributes, then ">", "/>" or (camouflaged) "-->". */
static int tag_scan_attrs(struct parser *p, struct tag *tg)
{
	for (;;) {
		skip_space(p);
		if (p->pos >= p->len)
			return parse_error(p, tg->line, "%s tag is not closed", tg->label);
		const char *s = p->s + p->pos;
		size_t n = p->len - p->pos;
		if (tg->camo) {
			if (n >= 3 && memcmp(s, "-->", 3) == 0) {
				p->pos += 3;
				return 0;
			}
		} else if (s[0] == '>') {
			p->pos++;
			return 0;
		} else if (n >= 2 && s[0] == '/' && s[1] == '>') {
			p->pos += 2;
			tg->selfclose = 1;
			return 0;
		}
		/* The tag name took every letter, so a letter here follows a space
		 * (or, between attributes, a closing quote: allowed). */
		if (!is_alpha(s[0]))
			return tag_error_char(p, tg);
		if (tag_scan_attr(p, tg) != 0)
			return -1;
	}
}

/* Scan one tag at p->pos (tag_starts_at() said yes) into tg. */
static int tag_scan(struct parser *p, struct tag *tg)
{
	memset(tg, 0, sizeof(*tg));
	tg->line = p->line;
	p->pos++; /* '<' */
	if (p->s[p->pos] == '!') {
		tg->camo = 1;
		p->pos += 3;
		skip_space(p);
	}
	if (p->s[p->pos] == '/') {
		tg->closing = 1;
		p->pos++;
	}
	p->pos += 5; /* "TMPL_" */
	size_t start = p->pos;
	while (p->pos < p->len && (is_alpha(p->s[p->pos]) || p->s[p->pos] == '_'))
		p->pos++;
	size_t n = p->pos - start;
	tg->kind = -1;
	for (int k = 0; k < T__MAX; k++)
		if (n == strlen(tag_names[k]) && strncasecmp(p->s + start, tag_names[k], n) == 0)
			tg->kind = k;
	if (tg->kind < 0)
		return parse_error(p, tg->line, "unknown tag <%sTMPL_%.*s>", tg->closing ? "/" : "",
				   (int)n, p->s + start);
	snprintf(tg->label, sizeof(tg->label), tg->closing ? "</TMPL_%s>" : "TMPL_%s",
		 tag_names[tg->kind]);
	if (tg->closing && !(tags_block & BIT(tg->kind)))
		return parse_error(p, tg->line, "%s is not a closing tag (only IF, UNLESS and LOOP are closed)",
				   tg->label);
	if (tag_scan_attrs(p, tg) != 0)
		return -1;
	if (tg->selfclose && (tags_block & BIT(tg->kind)))
		return parse_error(p, tg->line, "%s cannot end with \"/>\"", tg->label);
	if (!tg->closing && (tags_with_name & BIT(tg->kind))) {
		if (!(tg->seen & BIT(A_NAME)))
			return parse_error(p, tg->line, "%s has no name= attribute", tg->label);
		if (tg->vlen[A_NAME] == 0)
			return parse_error(p, tg->line, "%s has an empty name=", tg->label);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Node emission.                                                      */

static int node_push(struct parser *p, const struct node *nd, uint32_t *at)
{
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 64;
		struct node *nodes = realloc(p->nodes, (size_t)cap * sizeof(*nodes));
		if (nodes == NULL)
			return parse_oom(p);
		p->nodes = nodes;
		p->cap = cap;
	}
	if (at != NULL)
		*at = p->n;
	p->nodes[p->n++] = *nd;
	return 0;
}

static int text_flush(struct parser *p)
{
	if (p->text.oom)
		return parse_oom(p);
	if (p->text.len == 0)
		return 0;
	struct node nd = {.kind = N_TEXT, .len = p->text.len};
	nd.str = arena_strndup(p->c->set->arena, p->text.data, p->text.len);
	buf_reset(&p->text);
	if (nd.str == NULL)
		return parse_oom(p);
	return node_push(p, &nd, NULL);
}

static const char *copy_slice(struct parser *p, const char *s, size_t n)
{
	return arena_strndup(p->c->set->arena, s, n);
}

static int lvar_lookup(const char *s, size_t n)
{
	static const char *const names[] = {NULL, "__first__", "__last__", "__odd__", "__counter__"};
	for (int k = LV_FIRST; k <= LV_COUNTER; k++)
		if (n == strlen(names[k]) && memcmp(s, names[k], n) == 0)
			return k;
	return LV_NONE;
}

/* name= into the node; names shaped __x__ are reserved for loop variables
 * so a typo such as __count__ fails at load instead of rendering nothing. */
static int node_set_name(struct parser *p, struct node *nd, const struct tag *tg, int allow_lvar)
{
	const char *s = tg->val[A_NAME];
	size_t n = tg->vlen[A_NAME];
	if (n > 4 && s[0] == '_' && s[1] == '_' && s[n - 2] == '_' && s[n - 1] == '_') {
		int lv = lvar_lookup(s, n);
		if (lv == LV_NONE)
			return parse_error(p, tg->line,
					   "%s: unknown loop variable \"%.*s\" (use __first__, __last__, __odd__ or __counter__)",
					   tg->label, (int)n, s);
		if (!allow_lvar)
			return parse_error(p, tg->line, "%s: \"%.*s\" is a loop variable, not a loop", tg->label,
					   (int)n, s);
		nd->lvar = (uint8_t)lv;
	}
	if ((nd->name = copy_slice(p, s, n)) == NULL)
		return parse_oom(p);
	nd->hash = hash_name(s, n);
	return 0;
}

static int fmt_lookup(const char *s, size_t n)
{
	static const struct { const char *name; int fmt; } fmts[] = {
		{"entity", FMT_HTML}, {"html", FMT_HTML}, {"url", FMT_URL},
		{"js", FMT_JS}, {"json", FMT_JS}, {"none", FMT_NONE},
	};
	for (size_t k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++)
		if (n == strlen(fmts[k].name) && memcmp(s, fmts[k].name, n) == 0)
			return fmts[k].fmt;
	return -1;
}

static void fmt_put(struct buf *out, int fmt, const char *s)
{
	switch (fmt) {
	case FMT_URL: buf_put_url(out, s); break;
	case FMT_JS: buf_put_js(out, s); break;
	case FMT_NONE: buf_puts(out, s); break;
	default: buf_put_html(out, s); break;
	}
}

/* default= is constant: escape it once here rather than on every render. */
static int var_set_default(struct parser *p, struct node *nd, const struct tag *tg)
{
	char *raw = strndup(tg->val[A_DEFAULT], tg->vlen[A_DEFAULT]);
	if (raw == NULL)
		return parse_oom(p);
	struct buf b = BUF_INIT;
	fmt_put(&b, nd->fmt, raw);
	free(raw);
	nd->str = b.oom ? NULL : copy_slice(p, b.data != NULL ? b.data : "", b.len);
	nd->len = b.len;
	buf_free(&b);
	if (nd->str == NULL)
		return parse_oom(p);
	nd->flags |= F_HAS_DEFAULT;
	return 0;
}

static int emit_var(struct parser *p, const struct tag *tg)
{
	struct node nd = {.kind = N_VAR, .fmt = FMT_HTML};
	if (node_set_name(p, &nd, tg, 1) != 0)
		return -1;
	if (tg->seen & BIT(A_FMT)) {
		int fmt = fmt_lookup(tg->val[A_FMT], tg->vlen[A_FMT]);
		if (fmt < 0)
			return parse_error(p, tg->line,
					   "%s: unknown fmt=\"%.*s\" (use entity, html, url, js, json or none)",
					   tg->label, (int)tg->vlen[A_FMT], tg->val[A_FMT]);
		nd.fmt = (uint8_t)fmt;
	}
	if ((tg->seen & BIT(A_DEFAULT)) && var_set_default(p, &nd, tg) != 0)
		return -1;
	return node_push(p, &nd, NULL);
}

/* A condition node: TMPL_IF, TMPL_UNLESS, TMPL_ELSIF (TMPL_ELSE has none). */
static int branch_make(struct parser *p, struct node *nd, const struct tag *tg)
{
	nd->kind = N_BRANCH;
	if (tg->kind == T_ELSE) {
		nd->flags = F_ALWAYS;
		return 0;
	}
	if (node_set_name(p, nd, tg, 1) != 0)
		return -1;
	if (tg->kind == T_UNLESS)
		nd->flags |= F_NEGATE;
	if (tg->seen & BIT(A_VALUE)) {
		nd->flags |= F_HAS_VALUE;
		nd->len = tg->vlen[A_VALUE];
		if ((nd->str = copy_slice(p, tg->val[A_VALUE], nd->len)) == NULL)
			return parse_oom(p);
	}
	return 0;
}

static int block_push(struct parser *p, int kind, int line, uint32_t first)
{
	if (p->nblocks == TMPL_MAX_NEST)
		return parse_error(p, line, "blocks nested deeper than %d", TMPL_MAX_NEST);
	p->blocks[p->nblocks++] = (struct block){.kind = kind, .line = line, .first = first,
						 .last_branch = first};
	return 0;
}

static int block_open(struct parser *p, const struct tag *tg)
{
	struct node nd = {0};
	uint32_t at;
	if (tg->kind == T_LOOP) {
		nd.kind = N_LOOP;
		if (node_set_name(p, &nd, tg, 0) != 0)
			return -1;
	} else if (branch_make(p, &nd, tg) != 0) {
		return -1;
	}
	int kind = tg->kind == T_LOOP ? B_LOOP : tg->kind == T_IF ? B_IF : B_UNLESS;
	if (block_push(p, kind, tg->line, p->n) != 0 || node_push(p, &nd, &at) != 0)
		return -1;
	if (kind == B_LOOP)
		p->loops++;
	return 0;
}

static int block_find(const struct parser *p, int kind_a, int kind_b)
{
	for (int i = p->nblocks - 1; i >= 0; i--)
		if (p->blocks[i].kind == kind_a || p->blocks[i].kind == kind_b)
			return 1;
	return 0;
}

/* TMPL_ELSIF and TMPL_ELSE continue the innermost IF/UNLESS. */
static int block_branch(struct parser *p, const struct tag *tg)
{
	struct block *b = p->nblocks > 0 ? &p->blocks[p->nblocks - 1] : NULL;
	if (b == NULL || b->kind == B_LOOP) {
		if (!block_find(p, B_IF, B_UNLESS))
			return parse_error(p, tg->line, "%s outside TMPL_IF", tg->label);
		return parse_error(p, tg->line, "%s: the TMPL_LOOP of line %d must be closed first",
				   tg->label, b->line);
	}
	if (b->kind == B_UNLESS && tg->kind == T_ELSIF)
		return parse_error(p, tg->line, "TMPL_ELSIF cannot continue the TMPL_UNLESS of line %d (use TMPL_IF)",
				   b->line);
	if (b->else_line != 0)
		return parse_error(p, tg->line, "%s after the TMPL_ELSE of line %d", tg->label, b->else_line);
	struct node nd = {0};
	uint32_t at;
	if (branch_make(p, &nd, tg) != 0 || node_push(p, &nd, &at) != 0)
		return -1;
	p->nodes[b->last_branch].next = at;
	b->last_branch = at;
	if (tg->kind == T_ELSE)
		b->else_line = tg->line;
	return 0;
}

static int block_close(struct parser *p, const struct tag *tg)
{
	int want = tg->kind == T_LOOP ? B_LOOP : tg->kind == T_IF ? B_IF : B_UNLESS;
	struct block *b = p->nblocks > 0 ? &p->blocks[p->nblocks - 1] : NULL;
	if (b == NULL || !block_find(p, want, want))
		return parse_error(p, tg->line, "unexpected %s (no %s is open)", tg->label, block_names[want]);
	if (b->kind != want)
		return parse_error(p, tg->line, "unexpected %s: the %s of line %d must be closed first",
				   tg->label, block_names[b->kind], b->line);
	struct node nd = {.kind = want == B_LOOP ? N_ENDLOOP : N_ENDIF};
	uint32_t at;
	if (node_push(p, &nd, &at) != 0)
		return -1;
	if (want == B_LOOP)
		p->loops--;
	else
		p->nodes[b->last_branch].next = at;
	p->nodes[b->first].end = at;
	p->nblocks--;
	return 0;
}

static int emit_jump(struct parser *p, const struct tag *tg)
{
	if (p->loops == 0)
		return parse_error(p, tg->line, "%s outside TMPL_LOOP", tg->label);
	long level = 1;
	if (tg->seen & BIT(A_LEVEL)) {
		const char *s = tg->val[A_LEVEL];
		size_t n = tg->vlen[A_LEVEL];
		level = 0;
		for (size_t i = 0; i < n && level <= TMPL_MAX_NEST; i++) {
			if (!is_digit(s[i])) {
				level = 0;
				break;
			}
			level = level * 10 + (s[i] - '0');
		}
		if (level < 1 || level > p->loops)
			return parse_error(p, tg->line,
					   "%s: bad level=\"%.*s\" (from 1 to %d, the TMPL_LOOPs around it in this file)",
					   tg->label, (int)n, s, p->loops);
	}
	struct node nd = {.kind = tg->kind == T_BREAK ? N_BREAK : N_CONTINUE, .end = (uint32_t)level};
	return node_push(p, &nd, NULL);
}

/* NULL if path is a clean relative path, else why not. */
static const char *path_check(const char *path)
{
	if (path[0] == '\0')
		return "empty path";
	if (path[0] == '/')
		return "absolute paths are not allowed";
	for (const char *s = path; *s != '\0';) {
		size_t n = strcspn(s, "/");
		if (n == 0)
			return "empty path component";
		if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return "\".\" and \"..\" components are not allowed";
		s += n;
		if (*s == '/' && *++s == '\0')
			return "empty path component";
	}
	return NULL;
}

/* name= of TMPL_INCLUDE to a path relative to the root: as written, or
 * after the including file's directory when it starts with ".../". */
static int include_resolve(struct parser *p, const struct tag *tg, char *rel, size_t size)
{
	const char *v = tg->val[A_NAME];
	size_t n = tg->vlen[A_NAME], dirlen = 0;
	if (n >= 4 && memcmp(v, ".../", 4) == 0) {
		const char *slash = strrchr(p->t->name, '/');
		dirlen = slash != NULL ? (size_t)(slash - p->t->name) + 1 : 0;
		v += 4;
		n -= 4;
	}
	if (dirlen + n + 1 > size)
		return parse_error(p, tg->line, "TMPL_INCLUDE: path too long");
	memcpy(rel, p->t->name, dirlen);
	memcpy(rel + dirlen, v, n);
	rel[dirlen + n] = '\0';
	const char *why = path_check(rel);
	if (why != NULL)
		return parse_error(p, tg->line, "TMPL_INCLUDE \"%.*s\": %s", (int)tg->vlen[A_NAME],
				   tg->val[A_NAME], why);
	return 0;
}

static int compiler_get(struct compiler *c, const char *rel, struct parser *from, int line,
			const struct tmpl **out);

static int emit_include(struct parser *p, const struct tag *tg)
{
	char rel[TMPL_PATH_MAX];
	struct node nd = {.kind = N_INCLUDE};
	if (include_resolve(p, tg, rel, sizeof(rel)) != 0 ||
	    compiler_get(p->c, rel, p, tg->line, &nd.incl) != 0)
		return -1;
	return node_push(p, &nd, NULL);
}

static int tag_compile(struct parser *p)
{
	struct tag tg;
	if (tag_scan(p, &tg) != 0)
		return -1;
	if (tg.closing)
		return block_close(p, &tg);
	switch (tg.kind) {
	case T_VAR: return emit_var(p, &tg);
	case T_IF: case T_UNLESS: case T_LOOP: return block_open(p, &tg);
	case T_ELSIF: case T_ELSE: return block_branch(p, &tg);
	case T_BREAK: case T_CONTINUE: return emit_jump(p, &tg);
	default: return emit_include(p, &tg);
	}
}

/* ------------------------------------------------------------------ */
/* Text: comments and line continuations.                              */

static int comment_skip(struct parser *p)
{
	int line = p->line;
	for (size_t i = p->pos + 2; i + 1 < p->len; i++) {
		if (p->s[i] == '*' && p->s[i + 1] == '>') {
			p->pos = i + 2;
			return 0;
		}
		if (p->s[i] == '\n')
			p->line++;
	}
	return parse_error(p, line, "\"<*\" has no \"*>\"");
}

/* A '\' ending a line removes itself and the line end; "\\" ending a line
 * leaves one '\' and the line end. Returns 1 if it consumed input. */
static int text_backslash(struct parser *p)
{
	size_t k = p->pos + 1;
	int twice = 0;
	if (k < p->len && p->s[k] == '\\') {
		k++;
		twice = 1;
	}
	if (k < p->len && p->s[k] == '\r')
		k++;
	if (k >= p->len || p->s[k] != '\n')
		return 0;
	if (twice) {
		buf_putc(&p->text, '\\');
		p->pos += 2; /* the line end is copied as text next */
		return 1;
	}
	p->pos = k + 1;
	p->line++;
	return 1;
}

static int parse_all(struct parser *p)
{
	while (p->pos < p->len) {
		char ch = p->s[p->pos];
		if (ch == '<' && p->pos + 1 < p->len && p->s[p->pos + 1] == '*') {
			if (comment_skip(p) != 0)
				return -1;
			continue;
		}
		if (ch == '<' && tag_starts_at(p, p->pos)) {
			if (text_flush(p) != 0 || tag_compile(p) != 0)
				return -1;
			continue;
		}
		if (ch == '\\' && text_backslash(p))
			continue;
		if (ch == '\n')
			p->line++;
		buf_putc(&p->text, ch);
		p->pos++;
	}
	if (text_flush(p) != 0)
		return -1;
	if (p->nblocks > 0) {
		const struct block *b = &p->blocks[p->nblocks - 1];
		return parse_error(p, b->line, "%s has no </%s>", block_names[b->kind], block_names[b->kind]);
	}
	return 0;
}

static int compile_text(struct compiler *c, struct tmpl *t, const char *s, size_t len)
{
	struct parser *p = calloc(1, sizeof(*p)); /* ~2.5 KiB: keep it off the stack of deep includes */
	if (p == NULL)
		return compiler_error(c, t->path, 0, "out of memory");
	*p = (struct parser){.c = c, .t = t, .s = s, .len = len, .line = 1, .text = BUF_INIT};
	c->chain[c->depth++] = t;
	int rc = parse_all(p);
	c->depth--;
	if (rc == 0 && p->n > 0) {
		struct node *nodes = arena_calloc(c->set->arena, p->n, sizeof(*nodes));
		if (nodes == NULL) {
			rc = parse_oom(p);
		} else {
			memcpy(nodes, p->nodes, (size_t)p->n * sizeof(*nodes));
			t->nodes = nodes;
			t->n = p->n;
		}
	}
	if (rc == 0)
		t->state = ST_READY;
	free(p->nodes);
	buf_free(&p->text);
	free(p);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Files and the set.                                                  */

static struct tmpl *set_register(struct tmpl_set *set, const char *name, const char *path)
{
	struct tmpl *t = arena_calloc(set->arena, 1, sizeof(*t));
	if (t == NULL || (t->name = arena_strdup(set->arena, name)) == NULL ||
	    (t->path = arena_strdup(set->arena, path)) == NULL)
		return NULL;
	t->hash = hash_name(name, strlen(name));
	t->state = ST_COMPILING;
	t->next = set->all;
	set->all = t;
	return t;
}

static const char *root_join(struct tmpl_set *set, const char *rel)
{
	size_t n = strlen(set->root);
	int slash = n > 0 && set->root[n - 1] == '/';
	return arena_printf(set->arena, "%s%s%s", set->root, slash ? "" : "/", rel);
}

/* Reads a whole regular file into malloc'd memory (caller frees). On error
 * returns NULL with errno set (EFBIG for too large, EINVAL for a NUL byte). */
static char *file_read(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *data = NULL;
	int err = 0;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EISDIR;
	else if ((uintmax_t)st.st_size > TMPL_MAX_FILE)
		err = EFBIG;
	else if ((data = malloc((size_t)st.st_size + 1)) == NULL)
		err = ENOMEM;
	size_t got = 0;
	while (err == 0 && got < (size_t)st.st_size) {
		ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? errno : EIO;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (err == 0 && memchr(data, '\0', got) != NULL)
		err = EINVAL;
	if (err != 0) {
		free(data);
		errno = err;
		return NULL;
	}
	data[got] = '\0';
	*len = got;
	return data;
}

static int include_cycle(struct compiler *c, const struct tmpl *t, struct parser *from, int line)
{
	char chain[512];
	size_t k = 0;
	int i = 0;
	while (i < c->depth && c->chain[i] != t)
		i++;
	for (chain[0] = '\0'; i < c->depth && k < sizeof(chain); i++) {
		int w = snprintf(chain + k, sizeof(chain) - k, "%s -> ", c->chain[i]->name);
		k += w > 0 ? (size_t)w : 0;
	}
	return parse_error(from, line, "TMPL_INCLUDE: include cycle %s%s", chain, t->name);
}

static int file_error(struct compiler *c, const char *rel, const char *path, struct parser *from,
		      int line)
{
	char eb[128];
	const char *why = errno == EINVAL ? "contains a NUL byte" :
			  errno == EFBIG ? "larger than 4 MiB" : strerror_r(errno, eb, sizeof(eb));
	if (from != NULL)
		return parse_error(from, line, "TMPL_INCLUDE \"%s\": cannot read %s: %s", rel, path, why);
	return compiler_error(c, path, 0, "cannot read: %s", why);
}

/* The compiled template at rel (relative to the root), compiling it now if
 * needed. from/line: the including tag, NULL for the directory walk. */
static int compiler_get(struct compiler *c, const char *rel, struct parser *from, int line,
			const struct tmpl **out)
{
	struct tmpl_set *set = c->set;
	const struct tmpl *found = set_find(set, rel);
	if (found != NULL) {
		if (found->state == ST_COMPILING)
			return include_cycle(c, found, from, line);
		*out = found;
		return 0;
	}
	if (set->root == NULL)
		return parse_error(from, line, "TMPL_INCLUDE \"%s\": includes are disabled (no templates root)", rel);
	if (c->depth >= TMPL_MAX_INCLUDE_DEPTH)
		return parse_error(from, line, "TMPL_INCLUDE \"%s\": includes nested deeper than %d", rel,
				   TMPL_MAX_INCLUDE_DEPTH);
	const char *path = root_join(set, rel);
	struct tmpl *t = path != NULL ? set_register(set, rel, path) : NULL;
	if (t == NULL)
		return from != NULL ? parse_oom(from) : compiler_error(c, rel, 0, "out of memory");
	size_t len;
	char *text = file_read(path, &len);
	if (text == NULL)
		return file_error(c, rel, path, from, line);
	int rc = compile_text(c, t, text, len);
	free(text);
	*out = t;
	return rc;
}

static int walk_dir(struct compiler *c, const char *rel, int depth);

static int walk_entry(struct compiler *c, const char *rel, const char *name, int depth)
{
	char sub[TMPL_PATH_MAX];
	int n = snprintf(sub, sizeof(sub), "%s%s", rel, name);
	const char *path = n >= 0 && (size_t)n < sizeof(sub) - 1 ? root_join(c->set, sub) : NULL;
	if (path == NULL)
		return compiler_error(c, c->set->root, 0, "path too long or out of memory under %s", rel);
	struct stat st;
	if (lstat(path, &st) != 0)
		return compiler_error(c, path, 0, "cannot stat: %s", strerror_r(errno, sub, sizeof(sub)));
	if (S_ISDIR(st.st_mode)) {
		if (depth >= TMPL_MAX_DIR_DEPTH)
			return compiler_error(c, path, 0, "directories nested deeper than %d", TMPL_MAX_DIR_DEPTH);
		sub[n] = '/';
		sub[n + 1] = '\0';
		return walk_dir(c, sub, depth + 1);
	}
	/* A symbolic link counts if it names a regular file (never a directory:
	 * no loops, no escaping the tree by walking). */
	if (S_ISLNK(st.st_mode) && (stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
		return 0;
	size_t len = (size_t)n;
	if (!S_ISREG(st.st_mode) || len < 5 || strcmp(sub + len - 5, ".tmpl") != 0)
		return 0;
	const struct tmpl *t;
	return compiler_get(c, sub, NULL, 0, &t);
}

/* rel is "" or ends with '/'. Sorted, so errors are reported in a stable order. */
static int walk_dir(struct compiler *c, const char *rel, int depth)
{
	const char *dir = root_join(c->set, rel);
	if (dir == NULL)
		return compiler_error(c, c->set->root, 0, "out of memory");
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	if (n < 0) {
		char eb[128];
		return compiler_error(c, dir, 0, "cannot read directory: %s", strerror_r(errno, eb, sizeof(eb)));
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		if (rc == 0 && list[i]->d_name[0] != '.')
			rc = walk_entry(c, rel, list[i]->d_name, depth);
		free(list[i]);
	}
	free(list);
	return rc;
}

static void err_clear(char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

static struct tmpl_set *set_finish(struct compiler *c, int rc)
{
	if (rc == 0 && set_build_index(c->set) != 0)
		rc = compiler_error(c, c->set->root != NULL ? c->set->root : "tmpl", 0, "out of memory");
	if (rc != 0) {
		tmpl_set_free(c->set);
		return NULL;
	}
	return c->set;
}

struct tmpl_set *tmpl_load_dir(const char *root, char *err, size_t errlen)
{
	err_clear(err, errlen);
	struct compiler c = {.err = err, .errlen = errlen};
	if (root == NULL || root[0] == '\0') {
		compiler_error(&c, "tmpl", 0, "no templates directory given");
		return NULL;
	}
	if ((c.set = set_new(root)) == NULL) {
		compiler_error(&c, root, 0, "out of memory");
		return NULL;
	}
	return set_finish(&c, walk_dir(&c, "", 0));
}

struct tmpl_set *tmpl_compile_string(const char *name, const char *text, const char *root,
				     char *err, size_t errlen)
{
	err_clear(err, errlen);
	struct compiler c = {.err = err, .errlen = errlen};
	if (name == NULL || text == NULL) {
		compiler_error(&c, "tmpl", 0, "tmpl_compile_string: no name or no text");
		return NULL;
	}
	if ((c.set = set_new(root)) == NULL) {
		compiler_error(&c, name, 0, "out of memory");
		return NULL;
	}
	struct tmpl *t = set_register(c.set, name, name);
	int rc = t != NULL ? compile_text(&c, t, text, strlen(text))
			   : compiler_error(&c, name, 0, "out of memory");
	return set_finish(&c, rc);
}

/* ------------------------------------------------------------------ */
/* Rendering.                                                          */

/* One scope per loop iteration, on the C stack; the root has up == NULL. */
struct scope {
	const struct tmpl_vars *row;
	const struct scope *up;
	size_t counter;         /* 1-based row number */
	int last;
};

static const char *scope_var(const struct scope *sc, const struct node *nd)
{
	for (; sc != NULL; sc = sc->up) {
		if (sc->row == NULL)
			continue;
		const struct tmpl_ent *e = row_find(sc->row, ENT_VAR, nd->hash, nd->name);
		if (e != NULL && e->u.value != NULL)
			return e->u.value;
	}
	return NULL;
}

static const struct tmpl_loop *scope_loop(const struct scope *sc, const struct node *nd)
{
	for (; sc != NULL; sc = sc->up) {
		if (sc->row == NULL)
			continue;
		const struct tmpl_ent *e = row_find(sc->row, ENT_LOOP, nd->hash, nd->name);
		if (e != NULL)
			return e->u.loop;
	}
	return NULL;
}

/* __first__ & co. of the innermost loop; absent outside loops and when false. */
static const char *loop_var(const struct scope *sc, int lvar, char tmp[static 24])
{
	if (sc->up == NULL)
		return NULL;
	switch (lvar) {
	case LV_FIRST: return sc->counter == 1 ? "1" : NULL;
	case LV_LAST: return sc->last ? "1" : NULL;
	case LV_ODD: return sc->counter % 2 == 1 ? "1" : NULL;
	default: break;
	}
	char *q = tmp + 23;
	size_t v = sc->counter;
	*q = '\0';
	do
		*--q = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return q;
}

static const char *node_value(const struct node *nd, const struct scope *sc, char tmp[static 24])
{
	return nd->lvar != LV_NONE ? loop_var(sc, nd->lvar, tmp) : scope_var(sc, nd);
}

static void render_var(struct buf *out, const struct node *nd, const struct scope *sc)
{
	char tmp[24];
	const char *v = node_value(nd, sc, tmp);
	if (v == NULL) {
		if (nd->flags & F_HAS_DEFAULT)
			buf_append(out, nd->str, nd->len);
		return;
	}
	fmt_put(out, nd->fmt, v);
}

/* Plain test: a simple variable decides if present (in any scope), else a
 * loop with at least one row. value="x": equality. value="": negation. */
static int branch_true(const struct node *nd, const struct scope *sc)
{
	if (nd->flags & F_ALWAYS)
		return 1;
	char tmp[24];
	const char *v = node_value(nd, sc, tmp);
	int r;
	if ((nd->flags & F_HAS_VALUE) && nd->len > 0) {
		r = v != NULL && strcmp(v, nd->str) == 0;
	} else {
		if (v != NULL)
			r = v[0] != '\0';
		else if (nd->lvar != LV_NONE)
			r = 0;
		else
			r = tmpl_loop_rows(scope_loop(sc, nd)) > 0;
		if (nd->flags & F_HAS_VALUE)
			r = !r;
	}
	return (nd->flags & F_NEGATE) ? !r : r;
}

/* Render nodes [from, to). Returns 0, or a pending TMPL_BREAK/CONTINUE
 * encoded as level << 1 | is_continue for the enclosing loops. */
static int render_nodes(struct buf *out, const struct node *nodes, uint32_t from, uint32_t to,
			const struct scope *sc);

static int render_loop(struct buf *out, const struct node *nodes, uint32_t at, const struct scope *sc)
{
	const struct node *nd = &nodes[at];
	const struct tmpl_loop *loop = scope_loop(sc, nd);
	if (loop == NULL)
		return 0;
	struct scope inner = {.up = sc};
	for (const struct tmpl_vars *row = loop->first; row != NULL && !out->oom; row = row->next) {
		inner.row = row;
		inner.counter++;
		inner.last = row->next == NULL;
		int ctl = render_nodes(out, nodes, at + 1, nd->end, &inner);
		if (ctl == 0)
			continue;
		if ((ctl >> 1) > 1)
			return ctl - 2; /* one level less, for the loop around this one */
		if (!(ctl & 1))
			break;
	}
	return 0;
}

static int render_nodes(struct buf *out, const struct node *nodes, uint32_t from, uint32_t to,
			const struct scope *sc)
{
	uint32_t i = from;
	while (i < to) {
		const struct node *nd = &nodes[i];
		int ctl = 0;
		switch (nd->kind) {
		case N_TEXT:
			buf_append(out, nd->str, nd->len);
			break;
		case N_VAR:
			render_var(out, nd, sc);
			break;
		case N_BRANCH:
			for (uint32_t b = i; nodes[b].kind == N_BRANCH; b = nodes[b].next) {
				if (branch_true(&nodes[b], sc)) {
					ctl = render_nodes(out, nodes, b + 1, nodes[b].next, sc);
					break;
				}
			}
			i = nd->end;
			break;
		case N_LOOP:
			ctl = render_loop(out, nodes, i, sc);
			i = nd->end;
			break;
		case N_BREAK:
			return (int)(nd->end << 1);
		case N_CONTINUE:
			return (int)(nd->end << 1 | 1);
		case N_INCLUDE:
			/* BREAK/CONTINUE never leave their file: nothing to pass on */
			render_nodes(out, nd->incl->nodes, 0, nd->incl->n, sc);
			break;
		default:
			break;
		}
		if (ctl != 0)
			return ctl;
		i++;
	}
	return 0;
}

int tmpl_render(const struct tmpl_set *set, const char *name, const struct tmpl_vars *vars,
		struct buf *out)
{
	if (set == NULL || name == NULL || out == NULL)
		return RDV_EINVAL;
	const struct tmpl *t = set_find(set, name);
	if (t == NULL)
		return RDV_ENOTFOUND;
	struct scope root = {.row = vars};
	render_nodes(out, t->nodes, 0, t->n, &root);
	return out->oom ? RDV_ENOMEM : 0;
}
