/* admin.h - the administration program: one file per resource, each with its route table. */
#ifndef RDV_ADMIN_H
#define RDV_ADMIN_H

#include "app.h"
#include "policy.h"

#endif
