/*
 * addresses.c - address autocomplete: GET /adresses?q=… answers JSON from
 * the local copy of the national address base (table addresses, imported
 * by sql/import-ban.sh), accent-insensitive: streets are matched first,
 * word by word (address_streets, address_street_words, address_words,
 * derived from addresses: migration 0018), then their numbers. When
 * RDV_ADDRESS_API_URL is set (an api-adresse compatible service), it is
 * asked first, with a short timeout, and the local table answers whenever
 * it fails.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "rdv.h"
#include "search.h"
#include "valid.h"

#define MAX_WORDS 3
struct words {
	const char *w[MAX_WORDS];
	size_t n;
	const char *num;       /* a leading house number, or "" */
};

/* Splits q into folded words (letters/digits runs, as rdv_search_text),
 * keeps the longest MAX_WORDS of 3+ characters and a leading house number. */
static int address_words(struct ctx *c, const char *q, struct words *out)
{
	const char *words[16];
	size_t nw = 0;
	out->num = "";
	out->n = 0;
	for (const char *p = q; *p && nw < 16;) {
		while (*p && (unsigned char)*p < 0x80 && !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
							   (*p >= '0' && *p <= '9')))
			p++;
		const char *s = p;
		while (*p && ((unsigned char)*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9')))
			p++;
		if (p > s) {
			char *w = valid_normalize_name(c->a, arena_strndup(c->a, s, (size_t)(p - s)));
			if (w == NULL)
				continue;
			if (nw == 0 && out->n == 0 && out->num[0] == '\0' && strspn(w, "0123456789") == strlen(w) &&
			    strlen(w) <= 4)
				out->num = w;
			else if (strlen(w) >= 3)
				words[nw++] = w;
		}
	}
	/* longest first: the most selective trigrams */
	for (size_t i = 1; i < nw; i++)
		for (size_t j = i; j > 0 && strlen(words[j]) > strlen(words[j - 1]); j--) {
			const char *t = words[j];
			words[j] = words[j - 1];
			words[j - 1] = t;
		}
	for (size_t i = 0; i < nw && i < MAX_WORDS; i++)
		out->w[out->n++] = words[i];
	return out->n > 0;
}

/* {"a","b"} as a PostgreSQL array literal (words are [a-z0-9] only). */
static const char *pg_array(struct ctx *c, const char *const *w, size_t n)
{
	struct buf b = BUF_INIT;
	buf_putc(&b, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, w[i]);
	}
	buf_putc(&b, '}');
	const char *s = b.oom ? "{}" : arena_strdup(c->a, b.data);
	buf_free(&b);
	return s;
}

PGresult *address_lookup(struct ctx *c, const char *q, int limit)
{
	struct words w;
	if (q == NULL || !address_words(c, q, &w))
		return db_q(c->db, "SELECT id, label, code_insee, street_id, lat, lon, nom_commune, code_postal"
				   " FROM addresses WHERE false");
	/* d: the typed word that starts the words of the fewest streets drives
	 * a btree range in order; every word must start a word of the street;
	 * the first 50 such streets are ranked by similarity; then the first
	 * numbers (or the typed one) of the best streets, each an index probe. */
	return db_q(c->db,
		"SELECT a.id, a.label, a.code_insee, a.street_id, a.lat, a.lon, a.nom_commune, a.code_postal FROM ("
		" SELECT s.street_id, similarity(s.search, rdv_search_text($2)) AS sim FROM ("
		"  SELECT DISTINCT ON (street_id) street_id, search FROM ("
		"   SELECT u.w FROM unnest($1::text[]) u(w) ORDER BY coalesce((SELECT sum(streets) FROM address_words"
		"    WHERE word >= u.w COLLATE \"C\" AND word < (u.w || chr(1114111)) COLLATE \"C\"), 0),"
		"    length(u.w) DESC, u.w LIMIT 1) d"
		"  CROSS JOIN LATERAL (SELECT st.street_id, st.search FROM address_street_words x"
		"   JOIN address_streets st ON st.street_id = x.street_id"
		"   WHERE x.word >= d.w COLLATE \"C\" AND x.word < (d.w || chr(1114111)) COLLATE \"C\""
		"   AND NOT EXISTS (SELECT 1 FROM unnest($1::text[]) f WHERE strpos(' ' || st.search, ' ' || f) = 0)"
		"   LIMIT 50) l ORDER BY street_id) s"
		"  ORDER BY sim DESC, s.street_id LIMIT $4::int) top"
		" CROSS JOIN LATERAL (SELECT * FROM addresses a WHERE a.street_id = top.street_id"
		"  AND ($3 = '' OR a.numero = $3) ORDER BY length(a.numero), a.numero, a.rep NULLS FIRST, a.id"
		"  LIMIT $4::int) a"
		" ORDER BY top.sim DESC, a.nom_voie, length(a.numero), a.numero, a.id LIMIT $4::int",
		pg_array(c, w.w, w.n), q, w.num, db_int(c->a, limit));
}

/* ------------------------------------------------ optional remote service */

struct grow {
	char *data;
	size_t len;
};

static size_t grow_write(char *p, size_t size, size_t n, void *arg)
{
	struct grow *g = arg;
	size_t k = size * n;
	if (g->len + k > 512 * 1024)
		return 0;
	char *d = realloc(g->data, g->len + k + 1);
	if (d == NULL)
		return 0;
	memcpy(d + g->len, p, k);
	g->len += k;
	d[g->len] = '\0';
	g->data = d;
	return k;
}

/* api-adresse GeoJSON → our rows; NULL when the service failed. */
static json_t *address_remote(struct ctx *c, const char *base, const char *q)
{
	CURL *h = curl_easy_init();
	if (h == NULL)
		return NULL;
	char *eq = curl_easy_escape(h, q, 0);
	const char *url = arena_printf(c->a, "%s?q=%s&limit=10", base, eq ? eq : "");
	curl_free(eq);
	struct grow g = {0};
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, grow_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &g);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1500L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	long status = 0;
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	json_t *doc = rc == CURLE_OK && status == 200 && g.data ? json_loads(g.data, 0, NULL) : NULL;
	free(g.data);
	json_t *features = json_object_get(doc, "features");
	if (!json_is_array(features)) {
		json_decref(doc);
		return NULL;
	}
	json_t *out = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(features, i, f) {
		json_t *pr = json_object_get(f, "properties");
		json_t *co = json_object_get(json_object_get(f, "geometry"), "coordinates");
		const char *id = json_string_value(json_object_get(pr, "id"));
		const char *us = id ? strchr(id, '_') : NULL;
		const char *us2 = us ? strchr(us + 1, '_') : NULL;
		json_array_append_new(out, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:f, s:f}",
			"label", json_string_value(json_object_get(pr, "label")),
			"city_code", json_string_value(json_object_get(pr, "citycode")),
			"street_ban_id", us2 ? arena_strndup(c->a, id, (size_t)(us2 - id)) : id,
			"city", json_string_value(json_object_get(pr, "city")),
			"postcode", json_string_value(json_object_get(pr, "postcode")),
			"lon", json_real_value(json_array_get(co, 0)), "lat", json_real_value(json_array_get(co, 1))));
	}
	json_decref(doc);
	return out;
}

static int addresses_search(struct ctx *c)
{
	const char *q = http_param(&c->req, "q");
	if (q == NULL || valid_length(q, 3, 200, NULL) != 0)
		return app_json(c, 200, json_pack("{s:[]}", "results"));
	const char *remote = getenv("RDV_ADDRESS_API_URL");
	json_t *list = remote && remote[0] ? address_remote(c, remote, q) : NULL;
	if (list == NULL) {
		PGresult *r = address_lookup(c, q, 10);
		if (r == NULL)
			return c->db->err;
		list = json_array();
		for (int i = 0; i < PQntuples(r); i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f}",
				"label", db_val(r, i, 1), "city_code", db_val(r, i, 2),
				"street_ban_id", db_val(r, i, 3), "city", db_val(r, i, 6), "postcode", db_val(r, i, 7),
				"lat", atof(db_val(r, i, 4)), "lon", atof(db_val(r, i, 5))));
		PQclear(r);
	}
	http_add_header(&c->res, "Cache-Control", "private, max-age=300");
	return app_json(c, 200, json_pack("{s:o}", "results", list));
}

ROUTE_TABLE(address_routes,
	{HTTP_GET, "/adresses", addresses_search, ROUTE_PUBLIC, ROUTE_JSON},
);
