/*
 * rdv.h - what every module of librdv shares: the error codes.
 *
 * Library functions return 0 (RDV_OK) or one of these negative codes; only
 * the request handler turns them into an HTTP status (see app.h).
 */
#ifndef RDV_H
#define RDV_H

enum rdv_err {
	RDV_OK = 0,
	RDV_ENOMEM = -1,    /* out of memory */
	RDV_EINVAL = -2,    /* malformed or invalid input */
	RDV_ENOTFOUND = -3, /* no such object (or not visible to the caller) */
	RDV_EFORBIDDEN = -4,/* visible, but the caller may not do that */
	RDV_ECONFLICT = -5, /* unique / exclusion violation: slot taken, duplicate */
	RDV_ERETRY = -6,    /* serialization failure or deadlock: run the transaction again */
	RDV_EUNAVAIL = -7,  /* the database is unreachable */
	RDV_ETOOBIG = -8,   /* input over a size limit */
	RDV_EDB = -9,       /* any other database error */
	RDV_ESYSTEM = -10,  /* a system call failed */
};

/* A static French-free name of the code, for logs. */
const char *rdv_strerror(int err);

#endif
