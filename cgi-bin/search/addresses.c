/*
 * addresses.c - address autocomplete: GET /adresses?q=… answers JSON from
 * the local copy of the national address base (table addresses, imported
 * by sql/import-ban.sh), accent-insensitive through the trigram index on
 * addresses.search. When RDV_ADDRESS_API_URL is set (an api-adresse
 * compatible service), it is asked first, with a short timeout, and the
 * local table answers whenever it fails.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "rdv.h"
#include "search.h"
#include "valid.h"

#define MAX_WORDS 3

/* Splits q into folded words (letters/digits runs), keeps the longest
 * MAX_WORDS of 3+ characters as LIKE patterns and a leading house number. */
static int address_words(struct ctx *c, const char *q, const char *pats[MAX_WORDS], const char **num)
{
	const char *words[16];
	size_t nw = 0;
	*num = "";
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
			if (nw == 0 && strspn(w, "0123456789") == strlen(w) && strlen(w) <= 4)
				*num = w;
			else if (strlen(w) >= 3)
				words[nw++] = w;
		}
	}
	if (nw == 0)
		return 0;
	/* longest first: the most selective trigrams */
	for (size_t i = 1; i < nw; i++)
		for (size_t j = i; j > 0 && strlen(words[j]) > strlen(words[j - 1]); j--) {
			const char *t = words[j];
			words[j] = words[j - 1];
			words[j - 1] = t;
		}
	for (size_t i = 0; i < MAX_WORDS; i++)
		pats[i] = arena_printf(c->a, "%%%s%%", words[i < nw ? i : 0]);
	return 1;
}

PGresult *address_lookup(struct ctx *c, const char *q, int limit)
{
	const char *pats[MAX_WORDS], *num;
	if (q == NULL || !address_words(c, q, pats, &num))
		return db_q(c->db, "SELECT id, label, code_insee, street_id, lat, lon, nom_commune, code_postal"
				   " FROM addresses WHERE false");
	/* The LIKEs use the GIN trigram index (a bitmap AND); similarity then
	 * orders a bounded candidate set. */
	return db_q(c->db,
		"SELECT id, label, code_insee, street_id, lat, lon, nom_commune, code_postal FROM ("
		" SELECT * FROM addresses WHERE search LIKE $1 AND search LIKE $2 AND search LIKE $3"
		" AND ($4 = '' OR numero = $4) LIMIT 300) a"
		" ORDER BY similarity(a.search, rdv_fold($5)) DESC, a.nom_voie, length(a.numero), a.numero LIMIT $6::int",
		pats[0], pats[1], pats[2], num, q, db_int(c->a, limit));
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
