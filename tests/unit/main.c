/*
 * main.c - the unit test runner: every suite of suites.h that is linked in
 * (weak symbols: a module whose test file does not exist yet is skipped),
 * run with CUnit's basic interface. Exit status is non-zero on any failure.
 * An optional argument restricts the run to one suite by name.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"

#define DECLARE(m) void register_##m##_suite(void) __attribute__((weak));
UNIT_SUITES(DECLARE)

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
#define REGISTER(m) \
	if (register_##m##_suite != NULL && (only == NULL || strcmp(only, #m) == 0)) \
		register_##m##_suite();
	UNIT_SUITES(REGISTER)
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (run == 0) {
		fprintf(stderr, "no unit test ran\n");
		return 1;
	}
	return failed ? 1 : 0;
}
