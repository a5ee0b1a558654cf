/* admin.h - the administration program's handlers, one file per resource. */
#ifndef RDV_ADMIN_H
#define RDV_ADMIN_H

#include "app.h"

/* organisations.c */
int admin_home(struct ctx *c);
int organisation_show(struct ctx *c);

#endif
