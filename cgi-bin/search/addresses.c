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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address_text.h"
#include "answer_cache.h"
#include "rdv.h"
#include "search.h"
#include "valid.h"

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

/* The search of a normalized text (address_norm): address_search() of
 * migration 0027, whose plan is generic and cached per connection. */
static PGresult *address_lookup_norm(struct ctx *c, const char *norm, int limit)
{
	struct address_words w;
	if (norm == NULL || !address_words(c->a, norm, &w))
		return db_q(c->db, "SELECT id, label, code_insee, street_id, lat, lon, nom_commune, code_postal"
				   " FROM addresses WHERE false");
	return db_q(c->db, "SELECT id, label, code_insee, street_id, lat, lon, nom_commune, code_postal"
			   " FROM address_search($1::text[], $2, $3, $4::int)",
		    pg_array(c, w.w, w.n), norm, w.num, db_int(c->a, limit));
}

PGresult *address_lookup(struct ctx *c, const char *q, int limit)
{
	return address_lookup_norm(c, q ? address_norm(c->a, q) : NULL, limit);
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

/* ------------------------------------------------ rendered answers */

/* Per process: 256 answers of about 2 kB (10 addresses) fit the 512 kB cap;
 * RSS at rest stays far under 10 MB. */
#define ANSWERS_ENTRIES 256
#define ANSWERS_BYTES (512 * 1024)
/* The address data version is read at most once per second per process, not
 * with each request: the public route has no actor statement to ride with,
 * so a per-request read would be a round trip of its own, most of what a
 * cached answer costs. An import commits after minutes of work; its streets
 * show up within the second that follows. */
#define ANSWERS_VERSION_PERIOD_MS 1000

static struct answer_cache answers;
static pthread_once_t answers_once = PTHREAD_ONCE_INIT;
static int answers_ok;

static void answers_init(void)
{
	answers_ok = ac_init(&answers, ANSWERS_ENTRIES, ANSWERS_BYTES) == 0;
}

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The address data version to validate answers with (migration 0027), or 0:
 * no cache for this request. */
static long long answers_version(struct ctx *c)
{
	pthread_once(&answers_once, answers_init);
	if (!answers_ok)
		return 0;
	long long now = monotonic_ms(), v;
	if (!ac_version_due(&answers, now, ANSWERS_VERSION_PERIOD_MS, &v))
		return v;
	const char *s = db_s(c->db, c->a, "SELECT version FROM address_data_version");
	v = s ? atoll(s) : 0;
	if (v > 0)
		ac_set_version(&answers, v, now);
	return v;
}

/* The JSON answer of the local table for a normalized text. */
static int addresses_local(struct ctx *c, const char *norm)
{
	PGresult *r = address_lookup_norm(c, norm, 10);
	if (r == NULL)
		return c->db->err;
	json_t *list = json_array();
	for (int i = 0; i < PQntuples(r); i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f}",
			"label", db_val(r, i, 1), "city_code", db_val(r, i, 2),
			"street_ban_id", db_val(r, i, 3), "city", db_val(r, i, 6), "postcode", db_val(r, i, 7),
			"lat", atof(db_val(r, i, 4)), "lon", atof(db_val(r, i, 5))));
	PQclear(r);
	return app_json(c, 200, json_pack("{s:o}", "results", list));
}

/* The local answer from the cache, else searched and kept. The version is
 * read before the data: an answer is never older than its version. */
static int addresses_local_cached(struct ctx *c, const char *q)
{
	const char *norm = address_norm(c->a, q);
	if (norm == NULL)
		return RDV_ENOMEM;
	long long version = answers_version(c);
	if (version > 0) {
		buf_reset(&c->res.body);
		if (ac_get(&answers, version, norm, &c->res.body) == 1) {
			c->res.status = 200;
			c->res.content_type = "application/json; charset=utf-8";
			return 0;
		}
		buf_reset(&c->res.body);
	}
	int rc = addresses_local(c, norm);
	if (rc == 0 && version > 0)
		ac_put(&answers, version, norm, c->res.body.data, c->res.body.len);
	return rc;
}

static int addresses_search(struct ctx *c)
{
	const char *q = http_param(&c->req, "q");
	if (q == NULL || valid_length(q, 3, 200, NULL) != 0)
		return app_json(c, 200, json_pack("{s:[]}", "results"));
	http_add_header(&c->res, "Cache-Control", "private, max-age=300");
	const char *remote = getenv("RDV_ADDRESS_API_URL");
	json_t *list = remote && remote[0] ? address_remote(c, remote, q) : NULL;
	if (list != NULL)
		return app_json(c, 200, json_pack("{s:o}", "results", list));
	return addresses_local_cached(c, q);
}

ROUTE_TABLE(address_routes,
	{HTTP_GET, "/adresses", addresses_search, ROUTE_PUBLIC, ROUTE_JSON},
);
