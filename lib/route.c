/* route.c - matching a request path against a program's route table (route.h). */
#include "route.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parses a positive int64 with no sign, no leading zero and no garbage. */
static int parse_id(const char *s, long long *out)
{
	if (s[0] < '1' || s[0] > '9')
		return -1;
	long long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (9223372036854775807LL - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* Matches the path segments against one pattern, segment by segment; "/"
 * and "" are the empty list, a trailing slash is an empty last segment. */
static int match_one(const char *pattern, char *const *segs, int nsegs, struct route_match *m)
{
	const char *p = pattern[0] == '/' ? pattern + 1 : pattern;
	int i = 0;
	m->n = 0;
	if (*p == '\0')
		return nsegs == 0 ? 0 : -1;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (i >= nsegs)
			return -1;
		const char *seg = segs[i++];
		if (len > 0 && (p[0] == ':' || p[0] == '*')) {
			long long id = 0;
			if (seg[0] == '\0' || m->n >= ROUTE_MAX_PARAMS)
				return -1;
			if (p[0] == ':' && parse_id(seg, &id) != 0)
				return -1;
			m->names[m->n] = p + 1;
			m->values[m->n] = seg;
			m->ids[m->n++] = id;
		} else if (strlen(seg) != len || memcmp(seg, p, len) != 0) {
			return -1;
		}
		if (end == NULL)
			return i == nsegs ? 0 : -1;
		p = end + 1;
	}
}

int route_find(const struct route *table, size_t n, enum http_method method, const char *path,
	       struct route_match *m)
{
	size_t plen = strlen(path);
	if (plen == 0 || path[0] != '/' || plen >= sizeof(m->buf))
		return 404;
	memcpy(m->buf, path, plen + 1);
	char *segs[64];
	int nsegs = 0;
	for (char *s = m->buf + 1;; ) {
		if (nsegs == 64)
			return 404;
		segs[nsegs++] = s;
		char *slash = strchr(s, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		s = slash + 1;
	}
	if (nsegs == 1 && segs[0][0] == '\0')
		nsegs = 0;   /* "/" */
	enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
	int other_method = 0;
	for (size_t i = 0; i < n; i++) {
		if (match_one(table[i].pattern, segs, nsegs, m) != 0)
			continue;
		if (table[i].method == want) {
			m->route = &table[i];
			return 0;
		}
		other_method = 1;
	}
	m->n = 0;
	m->route = NULL;
	return other_method ? 405 : 404;
}

long long route_id(const struct route_match *m, const char *name)
{
	for (int i = 0; i < m->n; i++) {
		size_t len = strcspn(m->names[i], "/");
		if (strlen(name) == len && memcmp(m->names[i], name, len) == 0)
			return m->ids[i];
	}
	return 0;
}

const char *route_str(const struct route_match *m, const char *name)
{
	for (int i = 0; i < m->n; i++) {
		size_t len = strcspn(m->names[i], "/");
		if (strlen(name) == len && memcmp(m->names[i], name, len) == 0)
			return m->values[i];
	}
	return NULL;
}

int route_find_in(const struct route_table *const *tables, size_t n_tables, enum http_method method,
		  const char *path, struct route_match *m)
{
	int best = 404;
	for (size_t i = 0; i < n_tables; i++) {
		if (tables[i] == NULL)
			continue;
		int rc = route_find(tables[i]->routes, tables[i]->n, method, path, m);
		if (rc == 0)
			return 0;
		if (rc == 405)
			best = 405;
	}
	m->route = NULL;
	m->n = 0;
	return best;
}
