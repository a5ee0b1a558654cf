/*
 * fixtures.c - fixture helpers shared by HTTP suites (fixtures.h).
 */
#include "fixtures.h"

#include <stdarg.h>
#include <stdio.h>
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

long fx_api(struct browser *b, const char *method, const char *path, const char *token, const char *body)
{
	char auth[128];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token ? token : "");
	const char *h[] = {"Content-Type: application/json", token ? auth : NULL, NULL};
	return browser_request(b, method, path, h, body, body ? strlen(body) : 0);
}
