/* test_conf.c - configuration from the environment: defaults, values, bad numbers. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static void test_conf_defaults_and_values(void)
{
	unsetenv("RDV_PROCESSES");
	unsetenv("RDV_BASE_PATH");
	setenv("RDV_THREADS", "8", 1);
	setenv("RDV_MAX_BODY", "not-a-number", 1);
	struct conf c;
	CU_ASSERT_EQUAL(conf_load(&c, "unit"), 0);
	CU_ASSERT_STRING_EQUAL(c.program, "unit");
	CU_ASSERT_EQUAL(c.processes, 2);            /* default */
	CU_ASSERT_EQUAL(c.threads, 8);              /* from the environment */
	CU_ASSERT_EQUAL(c.max_body, 1024 * 1024);   /* invalid value: the default, with a warning */
	CU_ASSERT_STRING_EQUAL(c.base_path, "");
	setenv("RDV_THREADS", "100000", 1);         /* out of range */
	CU_ASSERT_EQUAL(conf_env_long("RDV_THREADS", 4, 1, 256), 4);
	setenv("RDV_THREADS", "12", 1);
	CU_ASSERT_EQUAL(conf_env_long("RDV_THREADS", 4, 1, 256), 12);
	unsetenv("RDV_THREADS");
	unsetenv("RDV_MAX_BODY");
}

void register_conf_suite(void)
{
	CU_pSuite s = CU_add_suite("conf", NULL, NULL);
	CU_add_test(s, "defaults, values, invalid numbers", test_conf_defaults_and_values);
}
