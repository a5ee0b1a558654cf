/* search.h - the public program: one file per resource, each with its route table. */
#ifndef RDV_SEARCH_H
#define RDV_SEARCH_H

#include "app.h"

#endif
