/*
 * parallel.c - jobs released together by a barrier (parallel.h).
 */
#include <pthread.h>
#include <string.h>

#include "parallel.h"

struct slot {
	struct job *job;
	pthread_barrier_t *start;
};

static void *run_job(void *arg)
{
	struct slot *s = arg;
	struct job *j = s->job;
	pthread_barrier_wait(s->start);
	if (j->headers == NULL)
		j->status = browser_post(&j->b, j->path, j->body, 1);
	else
		j->status = browser_request(&j->b, j->method, j->path, j->headers, j->body, strlen(j->body));
	return NULL;
}

void parallel_run(struct job *jobs, int n)
{
	pthread_t th[PARALLEL_MAX];
	struct slot slots[PARALLEL_MAX];
	pthread_barrier_t start;
	if (n > PARALLEL_MAX)
		n = PARALLEL_MAX;
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		slots[i] = (struct slot){&jobs[i], &start};
		pthread_create(&th[i], NULL, run_job, &slots[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
}
