/*
 * booking.h - the agent-side program (/agent/…): handlers by resource, one
 * file each. main.c holds the route table.
 */
#ifndef RDV_BOOKING_H
#define RDV_BOOKING_H

#include "app.h"

/* session.c */
int session_new(struct ctx *c);
int session_create(struct ctx *c);
int session_destroy(struct ctx *c);
int password_new(struct ctx *c);
int password_create(struct ctx *c);
int password_edit(struct ctx *c);
int password_update(struct ctx *c);

/* agenda.c */
int agenda_home(struct ctx *c);
int agenda_show(struct ctx *c);

#endif
