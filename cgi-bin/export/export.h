/* export.h - the export program's handlers (files, statistics, ICS feeds, JSON API). */
#ifndef RDV_EXPORT_H
#define RDV_EXPORT_H

#include "app.h"

/* agents_csv.c */
int export_agents_csv(struct ctx *c);

#endif
