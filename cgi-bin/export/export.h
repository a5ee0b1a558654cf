/* export.h - the export program: files, statistics, ICS feeds, JSON API; one file per resource. */
#ifndef RDV_EXPORT_H
#define RDV_EXPORT_H

#include "app.h"
#include "policy.h"

#endif
