/*
 * series_checks.h - what the plages and absences suites share: the same
 * agent pages (/agent/organisations/<org>/<table>) serve both kinds of
 * series, so their fixture and their access checks are written once here.
 */
#ifndef RDV_TEST_SERIES_CHECKS_H
#define RDV_TEST_SERIES_CHECKS_H

#include "fixtures.h"

/* A suite's fixture: set .table, the rest is filled by series_fixture. */
struct series_fx {
	const char *table;       /* "plages_ouverture" or "absences": the table and the path */
	char arras[16], lens[16], pmi[16], social[16], admin[16];
	char monday[16];         /* a Monday ahead: first day of the test series */
	char lens_item[16];      /* a series of the MDS de Lens */
	char social_item[16];    /* a series of agent.social (no service shared with agent.pmi) */
	int ready;
};

/* Fills f once: the demo ids, the Monday `weeks` weeks ahead, the two
 * existing series, the API tokens of the Arras admin and of agent.pmi. */
void series_fixture(struct series_fx *f, int weeks, const char *token_admin, const char *token_pmi);

/* Signs b in as the agent email, on the new-series page of Arras. */
void series_sign_in(const struct series_fx *f, struct browser *b, const char *email);

/* Signed out: the list, the new form and a series redirect to the sign-in. */
void series_check_signed_out(const struct series_fx *f);

/* A Lens series does not exist for Arras agents, under either path, and
 * stays after a delete attempt. */
void series_check_other_organisation(const struct series_fx *f);

/* agent.pmi neither sees nor changes agent.social's series (404, creating
 * one for them 403, create_form the urlencoded form); the admin sees it. */
void series_check_other_agent(const struct series_fx *f, const char *create_form);

#endif
