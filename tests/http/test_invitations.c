/*
 * test_invitations.c - agent invitations end to end: an admin invites, the
 * e-mail waits in the outbox with a single-use link, the agent sets a
 * password (valid_password rules), signs in; a used, expired, resent or
 * revoked link no longer works.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define ADMIN_ARRAS "admin.arras@demo.rdv-solidarites.fr"

static long long sql_ll(const char *sql)
{
	char out[64] = "";
	test_sql(sql, out, sizeof(out));
	return atoll(out);
}

/* Invites email (URL-encoded '@' as %40 done here) into Arras; returns the agent id. */
static long long invite(struct browser *adm, const char *local)
{
	long long arras = test_org_id("MDS d'Arras");
	long long svc = sql_ll("SELECT id FROM services WHERE short_name = 'SSOC'");
	char p[128], form[256], sql[256];
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents", arras);
	browser_get(adm, p);
	snprintf(form, sizeof(form), "email=%s%%40exemple.fr&first_name=Inv&last_name=Test&role=basic&service_ids=%lld",
		 local, svc);
	CU_ASSERT_EQUAL(browser_post(adm, p, form, 1), 303);
	snprintf(sql, sizeof(sql), "SELECT id FROM agents WHERE email = '%s@exemple.fr'", local);
	return sql_ll(sql);
}

/* The token of the last invitation mailed to local@exemple.fr. */
static int last_token(const char *local, char *tok, size_t n)
{
	char sql[256], link[512] = "";
	snprintf(sql, sizeof(sql), "SELECT payload->>'link' FROM outbox WHERE event = 'agent_invitation'"
				   " AND recipient = '%s@exemple.fr' ORDER BY id DESC LIMIT 1", local);
	test_sql(sql, link, sizeof(link));
	const char *t = strstr(link, "token=");
	if (t == NULL)
		return -1;
	snprintf(tok, n, "%s", t + 6);
	return 0;
}

static void admin_browser(struct browser *b)
{
	browser_init(b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(b, ADMIN_ARRAS, NULL), 303);
}

static void test_valid_then_reused(void)
{
	struct browser adm, b;
	admin_browser(&adm);
	CU_ASSERT(invite(&adm, "invite.valide") > 0);
	char tok[128], p[256], form[512];
	CU_ASSERT_FATAL(last_token("invite.valide", tok, sizeof(tok)) == 0);
	CU_ASSERT_EQUAL(sql_ll("SELECT count(*) FROM outbox WHERE event = 'agent_invitation'"
			       " AND recipient = 'invite.valide@exemple.fr' AND payload->>'organisation' = 'MDS d''Arras'"), 1);
	browser_init(&b);
	snprintf(p, sizeof(p), "/agent/invitation?token=%s", tok);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	CU_ASSERT(browser_body_has(&b, "invite.valide@exemple.fr"));
	/* weak password, then mismatch */
	snprintf(form, sizeof(form), "token=%s&password=azerty&password_confirmation=azerty", tok);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/invitation", form, 1), 422);
	snprintf(form, sizeof(form), "token=%s&password=%s&password_confirmation=autre-chose-123", tok, test_demo_password);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/invitation", form, 1), 422);
	CU_ASSERT(browser_body_has(&b, "ne correspondent pas"));
	const char *pw = "Une-phrase-de-passe-2026";
	snprintf(form, sizeof(form), "token=%s&password=%s&password_confirmation=%s", tok, pw, pw);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/invitation", form, 1), 303);
	CU_ASSERT(strncmp(b.location, "/agent/sign_in", 14) == 0);
	/* single use */
	CU_ASSERT_EQUAL(browser_get(&b, p), 404);
	CU_ASSERT(browser_body_has(&b, "plus valable"));
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/invitation", form, 1), 404);
	/* the account works */
	struct browser s;
	browser_init(&s);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&s, "invite.valide@exemple.fr", pw), 303);
	browser_free(&s);
	/* the admin's list shows the account as active */
	browser_free(&adm);
	browser_free(&b);
}

static void test_expired(void)
{
	struct browser adm, b;
	admin_browser(&adm);
	long long id = invite(&adm, "invite.expiree");
	char tok[128], p[256], form[512], sql[256];
	CU_ASSERT_FATAL(last_token("invite.expiree", tok, sizeof(tok)) == 0);
	snprintf(sql, sizeof(sql), "UPDATE agents SET invitation_sent_at = now() - interval '8 days' WHERE id = %lld", id);
	test_sql(sql, NULL, 0);
	browser_init(&b);
	snprintf(p, sizeof(p), "/agent/invitation?token=%s", tok);
	CU_ASSERT_EQUAL(browser_get(&b, p), 410);
	CU_ASSERT(browser_body_has(&b, "expiré"));
	browser_get(&b, "/agent/sign_in");
	snprintf(form, sizeof(form), "token=%s&password=Une-phrase-de-passe-2026&password_confirmation=Une-phrase-de-passe-2026", tok);
	CU_ASSERT_EQUAL(browser_post(&b, "/agent/invitation", form, 1), 410);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM agents WHERE id = %lld AND password_hash IS NULL", id);
	CU_ASSERT_EQUAL(sql_ll(sql), 1);
	/* resending gives a new link, the old one stays dead */
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld", test_org_id("MDS d'Arras"), id);
	CU_ASSERT_EQUAL(browser_get(&adm, p), 200);
	CU_ASSERT(browser_body_has(&adm, "invitation expirée"));
	char p2[300];
	snprintf(p2, sizeof(p2), "%s/reinvite", p);
	CU_ASSERT_EQUAL(browser_post(&adm, p2, "", 1), 303);
	char tok2[128];
	CU_ASSERT_FATAL(last_token("invite.expiree", tok2, sizeof(tok2)) == 0);
	CU_ASSERT(strcmp(tok, tok2) != 0);
	snprintf(p, sizeof(p), "/agent/invitation?token=%s", tok);
	CU_ASSERT_EQUAL(browser_get(&b, p), 404);
	snprintf(p, sizeof(p), "/agent/invitation?token=%s", tok2);
	CU_ASSERT_EQUAL(browser_get(&b, p), 200);
	browser_free(&adm);
	browser_free(&b);
}

static void test_revoked_and_garbage(void)
{
	struct browser adm, b;
	admin_browser(&adm);
	long long id = invite(&adm, "invite.revoquee");
	char tok[128], p[256];
	CU_ASSERT_FATAL(last_token("invite.revoquee", tok, sizeof(tok)) == 0);
	snprintf(p, sizeof(p), "/admin/organisations/%lld/agents/%lld/revoke", test_org_id("MDS d'Arras"), id);
	CU_ASSERT_EQUAL(browser_post(&adm, p, "", 1), 303);
	browser_init(&b);
	snprintf(p, sizeof(p), "/agent/invitation?token=%s", tok);
	CU_ASSERT_EQUAL(browser_get(&b, p), 404);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/invitation?token=nimportequoi"), 404);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/invitation"), 404);
	/* an invited agent cannot sign in before choosing a password */
	struct browser s;
	browser_init(&s);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&s, "invite.revoquee@exemple.fr", "Une-phrase-de-passe-2026"), 422);
	browser_free(&s);
	browser_free(&adm);
	browser_free(&b);
}

void register_invitations_http(void)
{
	CU_pSuite s = CU_add_suite("http: invitations", NULL, NULL);
	CU_add_test(s, "valid invitation, then the link is used up", test_valid_then_reused);
	CU_add_test(s, "expired invitation, resend", test_expired);
	CU_add_test(s, "revoked invitation, garbage tokens", test_revoked_and_garbage);
}
