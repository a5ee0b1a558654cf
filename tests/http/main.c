/*
 * main.c - the HTTP test runner: every suite against the running stack at
 * RDV_TEST_URL (started by nginx/stack.sh test). An optional argument runs
 * one suite. The resilience suite (database stopped) runs last.
 */
#include <CUnit/Basic.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

#define DECLARE(m) void register_##m##_http(void) __attribute__((weak));
HTTP_SUITES(DECLARE)

int main(int argc, char **argv)
{
	test_base_url = getenv("RDV_TEST_URL");
	test_demo_password = getenv("RDV_DEMO_PASSWORD");
	if (test_base_url == NULL || test_demo_password == NULL) {
		fprintf(stderr, "RDV_TEST_URL and RDV_DEMO_PASSWORD must be set (use make test)\n");
		return 2;
	}
	const char *only = argc > 1 ? argv[1] : NULL;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define REGISTER(m) \
	if (register_##m##_http != NULL && (only == NULL || strcmp(only, #m) == 0)) \
		register_##m##_http();
	HTTP_SUITES(REGISTER)
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	curl_global_cleanup();
	if (run == 0) {
		fprintf(stderr, "no http test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
