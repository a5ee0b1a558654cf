/*
 * rdv-worker - the background program (not FastCGI): drains the outbox
 * (e-mails, SMS, webhooks) and runs scheduled jobs (reminders, waiting list,
 * purges). Several workers may run at once: rows are claimed with
 * FOR UPDATE SKIP LOCKED, so nothing is sent twice.
 *
 * This first version is the skeleton: it connects, polls, and stops cleanly
 * on SIGTERM; the channels come with the worker issue.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "conf.h"
#include "db.h"
#include "log.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

int main(void)
{
	struct conf conf;
	conf_load(&conf, "worker");
	log_set_program("worker");
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	struct db *db = db_open(conf.database_url, "worker");
	if (db == NULL)
		return 1;
	log_info("started");
	while (!stopping) {
		PGresult *r = db_q(db, "SELECT count(*) FROM outbox WHERE status = 'queued' AND next_attempt_at <= now()");
		PQclear(r);
		for (int i = 0; i < 20 && !stopping; i++)
			usleep(100 * 1000);
	}
	db_close(db);
	log_info("stopped");
	return 0;
}
