/*
 * fixtures.h - the fixture helpers the plages and absences suites share:
 * printf-style SQL on the test database, the demo organisations and
 * agents they use, a Monday ahead to put series on, API tokens, JSON
 * API requests, and the sign-in, paths and checks both suites make.
 */
#ifndef RDV_TEST_FIXTURES_H
#define RDV_TEST_FIXTURES_H

#include <stddef.h>

#include "client.h"

#define FX_PMI "agent.pmi@demo.rdv-solidarites.fr"
#define FX_SOCIAL "agent.social@demo.rdv-solidarites.fr"
#define FX_ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"

/* test_sql with a printf format; the first cell into out (may be NULL). */
void fx_sql(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The first cell of the printf-style SQL as a number; 0 when none. */
long long fx_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ids (as text, 16 bytes each) of the MDS d'Arras and de Lens and of the
 * agents FX_PMI, FX_SOCIAL and FX_ADMIN_ARRAS. */
void fx_demo_ids(char *arras, char *lens, char *pmi, char *social, char *admin);

/* The Monday of the week `weeks` weeks from now, YYYY-MM-DD (16 bytes). */
void fx_monday(char *out, int weeks);

/* day + d days, YYYY-MM-DD; the last four answers stay valid. */
const char *fx_day_after(const char *day, int d);

/* API tokens for two agents (ids as text); kept across runs. */
void fx_tokens(const char *agent1, const char *token1, const char *agent2, const char *token2);

/* An RDV link token (/r/<rdv>/<token>, valid 7 days) for the participations
 * of the RDV rdv_id; 0 on success. */
int fx_rdv_link(const char *rdv_id, const char *token);

/* A JSON API request with the bearer token (none when NULL); the status. */
long fx_api(struct browser *b, const char *method, const char *path, const char *token, const char *body);

/* browser_init, then signs in as the agent email (must succeed: 303) and
 * GETs page for the session's CSRF token. */
void fx_sign_in(struct browser *b, const char *email, const char *page);

/* "/agent/organisations/<org>/<resource>" followed by the printf-style
 * suffix; the last four answers stay valid. */
const char *fx_org_path(const char *org, const char *resource, const char *fmt, ...);

/* The id that ends the Location of the last response, or 0. */
long long fx_location_id(const struct browser *b);

/* The first href of the last page that starts with prefix (e.g. "/prescripteur/new?"),
 * its "&amp;" turned back into "&", into href (n bytes); 0, or -1 when none. */
int fx_first_href(const struct browser *b, const char *prefix, char *href, size_t n);

/* Asserts that the first cell of the printf-style SQL is want. */
void fx_sql_is(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
