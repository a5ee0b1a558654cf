/* rdv.c - names of the shared error codes (rdv.h). */
#include "rdv.h"

const char *rdv_strerror(int err)
{
	switch (err) {
	case RDV_OK: return "ok";
	case RDV_ENOMEM: return "out of memory";
	case RDV_EINVAL: return "invalid input";
	case RDV_ENOTFOUND: return "not found";
	case RDV_EFORBIDDEN: return "forbidden";
	case RDV_ECONFLICT: return "conflict";
	case RDV_ERETRY: return "retry";
	case RDV_EUNAVAIL: return "database unavailable";
	case RDV_ETOOBIG: return "too big";
	case RDV_EDB: return "database error";
	case RDV_ESYSTEM: return "system error";
	}
	return "unknown error";
}
