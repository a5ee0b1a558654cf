/* search.h - the public program: address → créneaux → booking, citizen space. */
#ifndef RDV_SEARCH_H
#define RDV_SEARCH_H

#include "app.h"

/* home.c */
int home_show(struct ctx *c);
int static_page(struct ctx *c);

#endif
