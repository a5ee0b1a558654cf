/*
 * rdv-worker - the background program (not FastCGI): drains the outbox
 * (e-mails, SMS, webhooks) and runs scheduled jobs (reminders, waiting list,
 * purges). Several workers may run at once: rows are claimed with
 * FOR UPDATE SKIP LOCKED, so nothing is sent twice.
 *
 *   rdv-worker           run until SIGTERM/SIGINT (the current message is finished first)
 *   rdv-worker --once    run every enabled job (the waiting list in its hours only, see jobs.c),
 *                        send every due message, exit (tests, cron)
 *
 * Configuration: conf.h, worker.h, mail.h, sms.h (environment only).
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "log.h"
#include "rdv.h"
#include "worker.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* No SA_RESTART: a sleep ends at once; a send in progress finishes (bounded by its timeout). */
static void worker_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int worker_init(struct worker *w, int once)
{
	memset(w, 0, sizeof(*w));
	conf_load(&w->conf, "worker");
	w->once = once;
	w->queue = getenv("RDV_WORKER_QUEUE");
	if (w->queue == NULL || w->queue[0] == '\0')
		w->queue = "default";
	w->max_attempts = (int)conf_env_long("RDV_WORKER_MAX_ATTEMPTS", 8, 1, 100);
	const char *scale = getenv("RDV_WORKER_BACKOFF_SCALE");
	w->backoff_scale = scale && scale[0] ? strtod(scale, NULL) : 1.0;
	if (w->backoff_scale < 0)
		w->backoff_scale = 0;
	if (auth_init() != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_warnx("init failed");
		return RDV_ESYSTEM;
	}
	char err[512];
	w->tmpl = tmpl_load_dir(w->conf.templates_dir, err, sizeof(err));
	if (w->tmpl == NULL) {
		log_warnx("templates: %s", err);
		return RDV_EINVAL;
	}
	w->a = arena_new(64 * 1024);
	w->db = db_open(w->conf.database_url, "worker");
	return w->a && w->db ? 0 : RDV_ENOMEM;
}

static void worker_free(struct worker *w)
{
	db_close(w->db);
	arena_free(w->a);
	tmpl_set_free(w->tmpl);
	curl_global_cleanup();
}

/* --once: jobs first (so their messages go out in the same run), then every due row. */
static int worker_run_once(struct worker *w)
{
	int rc = jobs_run_due(w);
	int n = 0;
	while (!stopping) {
		int k = outbox_drain(w, 1000);
		if (k < 0)
			return k;
		n += k;
		if (k == 0)
			break;
	}
	log_info("once: %d messages handled", n);
	return rc;
}

static void worker_loop(struct worker *w)
{
	long poll_ms = conf_env_long("RDV_WORKER_POLL_MS", 1000, 10, 60000);
	while (!stopping) {
		if (db_ensure(w->db) != 0) {
			sleep(2);   /* database away: wait, never crash */
			continue;
		}
		jobs_run_due(w);
		int n = outbox_drain(w, 100);
		if (n > 0)
			continue;   /* more may be due: no sleep while there is work */
		for (long t = 0; t < poll_ms && !stopping; t += 100)
			usleep(100 * 1000);
	}
}

int main(int argc, char **argv)
{
	int once = argc > 1 && strcmp(argv[1], "--once") == 0;
	if (argc > 1 && !once) {
		fprintf(stderr, "usage: rdv-worker [--once]\n");
		return 2;
	}
	log_set_program("worker");
	worker_signals();
	struct worker w;
	if (worker_init(&w, once) != 0) {
		worker_free(&w);
		return 1;
	}
	log_info("started (queue %s)", w.queue);
	int rc = 0;
	if (once)
		rc = worker_run_once(&w);
	else
		worker_loop(&w);
	worker_free(&w);
	log_info("stopped");
	return rc == 0 ? 0 : 1;
}
