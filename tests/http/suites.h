/*
 * suites.h - the HTTP suites, in run order (tests/http/test_<name>.c defines
 * register_<name>_http()). resilience stops the database: it stays last.
 */
#define HTTP_SUITES(X) \
	X(foundation) X(process) X(accesses) X(api_org) X(profile) X(agenda) X(creneaux) X(plages) X(absences) \
	X(rdv) X(rdv_edit) X(usagers) X(public) X(usager_space) X(reschedule) X(admin) X(invitations) X(sectors) X(teams) \
	X(worker) X(export) X(stats) X(ics) X(api) X(websec) X(forms) X(invite_links) X(prescripteur) X(idor) X(races) X(concurrency) X(resilience)
