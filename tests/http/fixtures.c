/*
 * fixtures.c - fixture helpers shared by HTTP suites (fixtures.h).
 */
#include "fixtures.h"

#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fx_sql(char *out, size_t n, const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	test_sql(q, out, n);
}

long long fx_ll(const char *fmt, ...)
{
	char q[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	return test_sql_ll(q);
}

void fx_demo_ids(char *arras, char *lens, char *pmi, char *social, char *admin)
{
	fx_sql(arras, 16, "SELECT id FROM organisations WHERE name = 'MDS d''Arras'");
	fx_sql(lens, 16, "SELECT id FROM organisations WHERE name = 'MDS de Lens'");
	fx_sql(pmi, 16, "SELECT id FROM agents WHERE email = '%s'", FX_PMI);
	fx_sql(social, 16, "SELECT id FROM agents WHERE email = '%s'", FX_SOCIAL);
	fx_sql(admin, 16, "SELECT id FROM agents WHERE email = '%s'", FX_ADMIN_ARRAS);
}

void fx_monday(char *out, int weeks)
{
	fx_sql(out, 16, "SELECT (current_date + %d - extract(isodow FROM current_date)::int + 1)::text", 7 * weeks);
}

const char *fx_day_after(const char *day, int d)
{
	static char out[4][16];
	static int k;
	k = (k + 1) % 4;
	fx_sql(out[k], 16, "SELECT ('%s'::date + %d)::text", day, d);
	return out[k];
}

void fx_tokens(const char *agent1, const char *token1, const char *agent2, const char *token2)
{
	fx_sql(NULL, 0, "INSERT INTO api_tokens (agent_id, token_hash) VALUES (%s, sha256('%s'::bytea)),"
			" (%s, sha256('%s'::bytea)) ON CONFLICT DO NOTHING", agent1, token1, agent2, token2);
}

int fx_rdv_link(const char *rdv_id, const char *token)
{
	char q[512];
	snprintf(q, sizeof(q), "INSERT INTO rdv_tokens (token_hash, participation_id, expires_at)"
		 " SELECT sha256(convert_to('%s', 'UTF8')), p.id, now() + interval '7 days' FROM participations p"
		 " WHERE p.rdv_id = %s", token, rdv_id);
	return test_sql(q, NULL, 0);
}

long fx_api(struct browser *b, const char *method, const char *path, const char *token, const char *body)
{
	char auth[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	const char *h[] = {"Content-Type: application/json", token ? auth : NULL, NULL};
	return browser_request(b, method, path, h, body, body ? strlen(body) : 0);
}

void fx_sign_in(struct browser *b, const char *email, const char *page)
{
	browser_init(b);
	CU_ASSERT_EQUAL_FATAL(browser_sign_in_agent(b, email, NULL), 303);
	browser_get(b, page);
}

const char *fx_org_path(const char *org, const char *resource, const char *fmt, ...)
{
	static char out[4][256];
	static int k;
	k = (k + 1) % 4;
	char suffix[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(suffix, sizeof(suffix), fmt, ap);
	va_end(ap);
	snprintf(out[k], sizeof(out[k]), "/agent/organisations/%s/%s%s", org, resource, suffix);
	return out[k];
}

long long fx_location_id(const struct browser *b)
{
	const char *slash = strrchr(b->location, '/');
	return slash ? strtoll(slash + 1, NULL, 10) : 0;
}

void fx_sql_is(const char *want, const char *fmt, ...)
{
	char q[2048], got[512] = "";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	test_sql(q, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s\n  → \"%s\", attendu \"%s\"\n", q, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

int fx_first_href(const struct browser *b, const char *prefix, char *href, size_t n)
{
	const char *p = b->body.data ? strstr(b->body.data, prefix) : NULL;
	if (p == NULL || n == 0)
		return -1;
	size_t len = strcspn(p, "\""), k = 0;
	for (size_t i = 0; i < len && k + 1 < n; i++) {
		if (strncmp(p + i, "&amp;", 5) == 0) {
			href[k++] = '&';
			i += 4;
			continue;
		}
		href[k++] = p[i];
	}
	href[k] = '\0';
	return 0;
}
