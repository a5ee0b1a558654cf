/*
 * booking.h - the agent-side program (/agent/…). One file per resource, each
 * defining its route table (see main.c); shared page helpers in common.c.
 * Organisation pages live under /agent/organisations/:org_id/….
 */
#ifndef RDV_BOOKING_H
#define RDV_BOOKING_H

#include "app.h"
#include "policy.h"

/* common.c */
/* The :org_id of the page: 0 when the signed-in agent has a role there
 * (role filled, page variables org_id / org_name / is_admin set), else
 * RDV_ENOTFOUND (another organisation's pages do not exist for them). */
int booking_org(struct ctx *c, long long *org_id, enum org_role *role);
/* The main menu (fills the "nav" loop), for the page's organisation or the
 * agent's first one. */
void booking_nav(struct ctx *c);
/* The agent's first organisation (by name), 0 when none. */
long long booking_first_org(struct ctx *c);

#endif
