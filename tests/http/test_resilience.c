/*
 * test_resilience.c - the database goes away: pages answer 503 in French,
 * /healthz says so, and everything recovers without restarting the programs.
 * Runs last (it stops the test cluster for a moment).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "client.h"

static int stack(const char *what)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "%s %s %s >/dev/null 2>&1", getenv("RDV_TEST_STACK"), what,
		 getenv("RDV_TEST_STATE"));
	return system(cmd);
}

static void test_database_down_then_back(void)
{
	struct browser b;
	browser_init(&b);
	CU_ASSERT_EQUAL(browser_sign_in_agent(&b, "agent.pmi@demo.rdv-solidarites.fr", NULL), 303);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda") == 302 ? browser_follow(&b) : 0, 200);
	CU_ASSERT_EQUAL_FATAL(stack("pg-stop"), 0);
	CU_ASSERT_EQUAL(browser_get(&b, "/healthz"), 503);
	CU_ASSERT_EQUAL(browser_get(&b, "/agent/agenda"), 503);
	CU_ASSERT(browser_body_has(&b, "momentanément indisponible"));
	CU_ASSERT_EQUAL(browser_get(&b, "/"), 503);
	CU_ASSERT_EQUAL_FATAL(stack("pg-start"), 0);
	/* every thread reconnects by itself: a few requests reach each of them */
	int ok = 0;
	for (int i = 0; i < 40; i++)
		ok += browser_get(&b, "/agent/") == 302;
	CU_ASSERT_EQUAL(ok, 40);
	CU_ASSERT_EQUAL(browser_get(&b, "/healthz"), 200);
	browser_free(&b);
}

void register_resilience_http(void)
{
	CU_pSuite s = CU_add_suite("http: resilience", NULL, NULL);
	CU_add_test(s, "database stopped: 503, then recovery", test_database_down_then_back);
}
