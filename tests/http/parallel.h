/*
 * parallel.h - requests sent at the same instant, for the race suites: each
 * job has its own browser (curl handle, cookies), a barrier releases the
 * threads together, and each job keeps its status and response.
 */
#ifndef RDV_TEST_PARALLEL_H
#define RDV_TEST_PARALLEL_H

#include "client.h"

#define PARALLEL_MAX 32

struct job {
	struct browser b;
	const char *method;
	char path[256];
	char body[512];
	const char *const *headers;   /* NULL-terminated; NULL: a form with the browser's CSRF token */
	long status;
};

/* Sends the n jobs (n <= PARALLEL_MAX) at once and waits for every answer. */
void parallel_run(struct job *jobs, int n);

#endif
