/*
 * worker.h - the parts of rdv-worker: the outbox drain (outbox.c), the
 * rendering of messages from templates/mail and templates/sms (render.c) and
 * the scheduled jobs (jobs.c). One struct worker per process, single-threaded:
 * its arena is reset after each outbox row and each job.
 *
 * Environment (besides conf.h, mail.h and sms.h):
 *   RDV_WORKER_QUEUE          outbox lane drained by this process (default "default")
 *   RDV_WORKER_MAX_ATTEMPTS   attempts before a message is marked failed (default 8)
 *   RDV_WORKER_BACKOFF_SCALE  multiplies the retry delays (default 1; 0 in tests: retry at once)
 *   RDV_WORKER_JOBS           comma list of jobs this process runs: reminders,waiting_list,purges
 *                             (default all three; "none" for a pure sender)
 *   RDV_WORKER_POLL_MS        idle poll interval (default 1000)
 *   RDV_PURGE_*               retention settings, see jobs.c
 */
#ifndef RDV_WORKER_H
#define RDV_WORKER_H

#include "arena.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "notify.h"
#include "tmpl.h"

struct worker {
	struct conf conf;
	struct db *db;
	struct arena *a;              /* reset after each unit of work */
	struct tmpl_set *tmpl;
	const char *queue;
	int max_attempts;
	double backoff_scale;
	int once;                     /* --once: every job now, whatever its schedule */
};

/* An outbox row being sent (strings in the worker's arena). */
struct outbox_row {
	const char *id, *channel, *event, *recipient;
	const char *rdv_id, *user_id, *org_id;
	int attempts;                 /* before this one */
	json_t *payload;              /* owned: json_decref */
};

/* A rendered message: subject/text/html/ics for mail, text for SMS. */
struct rendered {
	struct buf subject, text, html, ics;
	const char *ics_method;
	const char *sender;           /* SMS sender name */
	const char *to_name;
	int segments;
	const char *token;            /* the raw link token, to redact from receipts */
};

void rendered_free(struct rendered *r);

/* render.c: 0, or a negative code with err set (the row then fails for good:
 * a missing RDV or template will not appear by retrying). */
int render_mail(struct worker *w, const struct outbox_row *row, struct rendered *out, char *err, size_t errlen);
int render_sms(struct worker *w, const struct outbox_row *row, struct rendered *out, char *err, size_t errlen);

/* outbox.c: sends due rows one by one (each in its own transaction, the row
 * locked while it is sent). Returns the number handled (≤ max) or < 0. */
int outbox_drain(struct worker *w, int max);
/* Delay before attempt n+1 after n failed attempts, in seconds. */
long outbox_backoff(int attempts, double scale);

/* jobs.c */
int jobs_run_due(struct worker *w);      /* the jobs whose time has come (all with --once) */
int jobs_reminders(struct worker *w);
int jobs_waiting_list(struct worker *w);
int jobs_purges(struct worker *w);



#endif
