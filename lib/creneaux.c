/* creneaux.c - PLACEHOLDER: the database side of the créneaux engine (creneaux.h). */
#include "creneaux.h"

int creneaux_search(struct db *db, struct arena *a, const struct creneaux_query *q,
		    struct slot **out, size_t *n)
{
	(void)db; (void)a; (void)q;
	*out = NULL;
	*n = 0;
	return 0;
}

int creneaux_next(struct db *db, struct arena *a, const struct creneaux_query *q, struct slot *out)
{
	(void)db; (void)a; (void)q; (void)out;
	return 0;
}
