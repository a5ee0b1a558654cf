/*
 * suites.h - the list of CUnit suites of tests/unit. Each test_<module>.c
 * defines register_<module>_suite(), which adds its suite and tests.
 * To add a module: add one X(module) line here and write test_<module>.c.
 */
#define UNIT_SUITES(X) \
	X(buf) X(tmpl) X(http) X(valid) X(route) X(tz) X(recurrence) \
	X(holidays) X(slots) X(auth) X(db) X(policy) X(phone) X(ics) X(sms) \
	X(json_out) X(csv) X(sector) X(export) X(stats) X(notify) X(xlsx) X(audit) X(conf)
