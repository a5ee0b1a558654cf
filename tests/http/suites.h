/* suites.h - the HTTP suites (tests/http/test_<name>.c defines register_<name>_http()). */
#define HTTP_SUITES(X) \
	X(foundation) X(agenda) X(rdv) X(plages) X(absences) X(creneaux) X(usagers) \
	X(public) X(admin) X(worker) X(export) X(api) X(idor) X(races) X(resilience)
