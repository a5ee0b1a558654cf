/*
 * suites.h - the list of CUnit suites of tests/unit. Each test_<module>.c
 * defines register_<module>_suite(), which adds its suite and tests.
 * To add a module: add one X(module) line here and write test_<module>.c.
 * Suites that need the database read DATABASE_URL and skip when it is unset.
 */
#define UNIT_SUITES(X) \
	X(buf) X(tmpl) X(http) X(valid) X(route) X(tz) X(recurrence) X(holidays) X(slots) X(phone) \
	X(db) X(auth) X(policy) X(occurrences) X(creneaux) X(rdvs) X(usager) X(sector) X(ics) X(sms) \
	X(mail) X(webhook) X(notify) X(csv) X(xlsx) X(stats) X(conf) X(app) X(rls) X(answer_cache) X(address_text)
