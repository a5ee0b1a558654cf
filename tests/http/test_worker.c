/*
 * test_worker.c - rdv-worker end to end: RDVs created through SQL, queued by
 * notify_rdv() (lib/notify), sent by `rdv-worker --once` runs to a real SMTP
 * sink and HTTP endpoint (tests/http/sinks.c). The stack's own worker keeps
 * running: this suite's rows go to a private outbox lane (RDV_WORKER_QUEUE),
 * so only the workers started here send them.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "auth.h"
#include "client.h"
#include "db.h"
#include "notify.h"
#include "sinks.h"
#include "webhook.h"

static struct db *db;
static struct arena *ar;
static char lane[64];
static long long org_id, motif_id, lieu_id, agent_id, user_id;
static int seq;

static int suite_init(void)
{
	if (getenv("DATABASE_URL") == NULL || auth_init() != 0)
		return 1;
	db = db_open(getenv("DATABASE_URL"), "worker-test");
	ar = arena_new(16384);
	snprintf(lane, sizeof(lane), "test-%d", (int)getpid());
	char *v = db_s(db, ar, "SELECT id FROM organisations WHERE name = 'MDS d''Arras'");
	org_id = v ? atoll(v) : 0;
	v = db_s(db, ar, "SELECT id FROM motifs WHERE organisation_id = $1 AND NOT collectif AND deleted_at IS NULL"
		 " AND location_type = 'public_office' AND visibility_type = 'visible_and_notified' ORDER BY id LIMIT 1",
		 db_int(ar, org_id));
	motif_id = v ? atoll(v) : 0;
	v = db_s(db, ar, "SELECT id FROM lieux WHERE organisation_id = $1 AND availability = 'enabled' ORDER BY id LIMIT 1",
		 db_int(ar, org_id));
	lieu_id = v ? atoll(v) : 0;
	const char *tag = db_int(ar, getpid());
	v = db_s(db, ar, "INSERT INTO agents (email, first_name, last_name, rdv_notifications_level)"
		 " VALUES ('agent-worker-' || $1 || '@example.fr', 'Agathe', 'Testeuse', 'all') RETURNING id", tag);
	agent_id = v ? atoll(v) : 0;
	db_x(db, "INSERT INTO agent_roles (agent_id, organisation_id) VALUES ($1, $2)", db_int(ar, agent_id),
	     db_int(ar, org_id));
	v = db_s(db, ar, "INSERT INTO users (first_name, last_name, email, phone_number, phone_number_formatted)"
		 " VALUES ('Éloïse', 'Lefèvre', 'usager-worker-' || $1 || '@example.fr', '06 12 34 56 78',"
		 " '+33612345678') RETURNING id", tag);
	user_id = v ? atoll(v) : 0;
	return org_id && motif_id && lieu_id && agent_id && user_id ? 0 : 1;
}

static int suite_clean(void)
{
	db_close(db);
	arena_free(ar);
	return 0;
}

static long long rdv_create_for(long long motif, int hours_ahead, int created_days_ago, long long *participation);

/* An RDV of the test agent and user, hours_ahead from now (distinct slots). */
static long long rdv_create(int hours_ahead, int created_days_ago, long long *participation)
{
	return rdv_create_for(motif_id, hours_ahead, created_days_ago, participation);
}

static long long rdv_create_for(long long motif, int hours_ahead, int created_days_ago, long long *participation)
{
	seq++;
	char *id = db_s(db, ar,
		"INSERT INTO rdvs (organisation_id, motif_id, lieu_id, starts_at, ends_at, created_by_agent_id, created_at)"
		" VALUES ($1, $2, $3, date_trunc('minute', now()) + make_interval(hours => $4::int, mins => $5::int * 40),"
		"         date_trunc('minute', now()) + make_interval(hours => $4::int, mins => $5::int * 40 + 30),"
		"         $6, now() - make_interval(days => $7::int)) RETURNING id",
		db_int(ar, org_id), db_int(ar, motif), db_int(ar, lieu_id), db_int(ar, hours_ahead), db_int(ar, seq),
		db_int(ar, agent_id), db_int(ar, created_days_ago));
	if (id == NULL)
		return 0;
	db_x(db, "INSERT INTO agents_rdvs (rdv_id, agent_id) VALUES ($1, $2)", id, db_int(ar, agent_id));
	char *p = db_s(db, ar, "INSERT INTO participations (rdv_id, user_id) VALUES ($1, $2) RETURNING id", id,
		       db_int(ar, user_id));
	if (participation)
		*participation = p ? atoll(p) : 0;
	return atoll(id);
}

/* notify_rdv in a transaction, its rows moved to this suite's lane. */
static int notify_in_lane(long long rdv, enum notify_rdv_event ev, long long by_agent, long long by_user)
{
	db_begin(db);
	int rc = notify_rdv(db, ar, rdv, ev, by_agent, by_user, 0);
	if (rc == 0)
		rc = db_x(db, "UPDATE outbox SET queue = $2 WHERE rdv_id = $1 AND status = 'queued'", db_int(ar, rdv), lane);
	if (rc == 0)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

static long long q_ll(const char *sql, long long a1)
{
	char *v = db_s(db, ar, sql, db_int(ar, a1));
	return v ? atoll(v) : -1;
}

/* Starts `rdv-worker --once` (next to this binary) with the sinks' settings;
 * backoff: RDV_WORKER_BACKOFF_SCALE ("0": failed rows are retried at once). */
static pid_t worker_start_scaled(int smtp_port, int http_port, const char *jobs, const char *backoff)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	snprintf(slash + 1, sizeof(exe) - (size_t)(slash + 1 - exe), "rdv-worker");
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	char url[64], sms[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", smtp_port);
	snprintf(sms, sizeof(sms), "http://127.0.0.1:%d/sms", http_port);
	setenv("RDV_SMTP_URL", url, 1);
	setenv("RDV_SMS_ADAPTER", "http", 1);
	setenv("RDV_SMS_URL", sms, 1);
	setenv("RDV_SMS_KEY", "cle-de-test", 1);
	setenv("RDV_WORKER_QUEUE", lane, 1);
	setenv("RDV_WORKER_BACKOFF_SCALE", backoff, 1);
	setenv("RDV_WORKER_JOBS", jobs, 1);
	setenv("RDV_WORKER_WAITING_HOURS", "0-24", 1);   /* the waiting list test must not depend on the clock */
	execl(exe, exe, "--once", (char *)NULL);
	_exit(127);
}

static pid_t worker_start(int smtp_port, int http_port, const char *jobs)
{
	return worker_start_scaled(smtp_port, http_port, jobs, "0");
}

static int worker_wait(pid_t pid)
{
	int st = 0;
	if (pid <= 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int worker_run(struct sink *smtp, struct sink *http, const char *jobs)
{
	return worker_wait(worker_start(smtp->port, http->port, jobs));
}

static int sink_has(struct sink *s, const char *rcpt, const char *needle)
{
	int found = 0;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->count; i++)
		if ((rcpt == NULL || strcmp(s->msgs[i].rcpt, rcpt) == 0) &&
		    (needle == NULL || strstr(s->msgs[i].data, needle) != NULL))
			found++;
	pthread_mutex_unlock(&s->lock);
	return found;
}

static void test_worker_rdv_events(void)
{
	struct sink smtp = {0}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	long long pid = 0, rdv = rdv_create(24 * 10, 0, &pid);
	CU_ASSERT_FATAL(rdv > 0);
	CU_ASSERT_EQUAL(notify_in_lane(rdv, NOTIFY_RDV_CREATED, 0, user_id), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND channel <> 'webhook'", rdv), 3);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "none"), 0);
	char user_mail[128], agent_mail[128];
	snprintf(user_mail, sizeof(user_mail), "usager-worker-%d@example.fr", (int)getpid());
	snprintf(agent_mail, sizeof(agent_mail), "agent-worker-%d@example.fr", (int)getpid());
	CU_ASSERT_EQUAL(sink_count(&smtp), 2);
	CU_ASSERT_EQUAL(sink_has(&smtp, user_mail, "method=REQUEST"), 1);
	CU_ASSERT_EQUAL(sink_has(&smtp, user_mail, "Subject: =?UTF-8?B?"), 1);
	CU_ASSERT_EQUAL(sink_has(&smtp, agent_mail, "invite.ics"), 1);
	CU_ASSERT_EQUAL(sink_count(&http), 1);
	char link[64];
	snprintf(link, sizeof(link), "/r/%lld/", rdv);   /* the RDV id: rdv_links.c checks the token belongs to it */
	CU_ASSERT_EQUAL(sink_has(&http, "/sms", "\"to\":\"+33612345678\""), 1);
	CU_ASSERT_EQUAL(sink_has(&http, "/sms", link), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND status = 'sent' AND attempts = 1"
			     " AND channel <> 'webhook'", rdv), 3);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM receipts WHERE rdv_id = $1 AND result = 'sent'", rdv), 3);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM receipts WHERE rdv_id = $1 AND channel = 'sms' AND sms_count = 1", rdv), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND payload ? 'token'", rdv), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM rdv_tokens WHERE participation_id = $1"
			     " AND expires_at > now() + interval '83 days'", pid), 2);
	/* cancelled by the usager: e-mails (usager, agent), no SMS */
	db_x(db, "UPDATE rdvs SET status = 'excused', cancelled_at = now() WHERE id = $1", db_int(ar, rdv));
	db_x(db, "UPDATE participations SET status = 'excused' WHERE rdv_id = $1", db_int(ar, rdv));
	CU_ASSERT_EQUAL(notify_in_lane(rdv, NOTIFY_RDV_CANCELLED, 0, user_id), 0);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "none"), 0);
	CU_ASSERT_EQUAL(sink_count(&smtp), 4);
	CU_ASSERT_EQUAL(sink_has(&smtp, user_mail, "method=CANCEL"), 1);
	CU_ASSERT_EQUAL(sink_has(&smtp, agent_mail, "method=CANCEL"), 1);
	CU_ASSERT_EQUAL(sink_count(&http), 1);
	sink_stop(&smtp);
	sink_stop(&http);
}

static void test_worker_visibility_and_past(void)
{
	/* a motif not notified: agents only; an RDV in the past: nothing */
	long long rdv = rdv_create(24 * 11, 0, NULL);
	db_begin(db);
	db_x(db, "UPDATE motifs SET visibility_type = 'visible_and_not_notified' WHERE id = $1", db_int(ar, motif_id));
	notify_rdv(db, ar, rdv, NOTIFY_RDV_CREATED, agent_id, 0, 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND channel <> 'webhook'", rdv), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND payload->>'kind' = 'agent'", rdv), 1);
	db_rollback(db);
	long long past = rdv_create(-48, 3, NULL);
	db_begin(db);
	notify_rdv(db, ar, past, NOTIFY_RDV_UPDATED, agent_id, 0, 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND channel <> 'webhook'", past), 0);
	/* level "others": the author is not told of their own change */
	db_x(db, "UPDATE agents SET rdv_notifications_level = 'others' WHERE id = $1", db_int(ar, agent_id));
	notify_rdv(db, ar, rdv, NOTIFY_RDV_UPDATED, agent_id, 0, 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND payload->>'kind' = 'agent'", rdv), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND channel = 'sms'", rdv), 1);
	db_rollback(db);
}

static void test_worker_smtp_failure(void)
{
	struct sink smtp = {.fail_code = 451}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	db_x(db, "INSERT INTO outbox (channel, event, recipient, payload, queue) VALUES ('email', 'password_reset',"
	     " 'refus@example.fr', '{\"first_name\": \"A\", \"last_name\": \"B\", \"link\": \"http://x/\"}', $1)", lane);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "none"), 0);
	CU_ASSERT_EQUAL(sink_count(&smtp), 0);
	CU_ASSERT(smtp.connections >= 8);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE recipient = 'refus@example.fr' AND status = 'failed'"
			     " AND attempts = 8 AND last_error LIKE '%451%' AND $1 > 0", 1), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM receipts WHERE recipient = 'refus@example.fr' AND result = 'failure'"
			     " AND $1 > 0", 1), 1);
	sink_stop(&smtp);
	sink_stop(&http);
}

static void test_worker_two_workers_no_duplicate(void)
{
	struct sink smtp = {0}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	db_x(db, "INSERT INTO outbox (channel, event, recipient, payload, queue)"
	     " SELECT 'email', 'password_reset', 'lot-' || g || '@example.fr',"
	     "        '{\"first_name\": \"A\", \"last_name\": \"B\", \"link\": \"http://x/\"}', $1"
	     "   FROM generate_series(1, 40) g", lane);
	pid_t a = worker_start(smtp.port, http.port, "none");
	pid_t b = worker_start(smtp.port, http.port, "none");
	CU_ASSERT_EQUAL(worker_wait(a), 0);
	CU_ASSERT_EQUAL(worker_wait(b), 0);
	CU_ASSERT_EQUAL(sink_count(&smtp), 40);
	int distinct = 0;
	for (int i = 1; i <= 40; i++) {
		char r[64];
		snprintf(r, sizeof(r), "lot-%d@example.fr", i);
		distinct += sink_has(&smtp, r, NULL) == 1;
	}
	CU_ASSERT_EQUAL(distinct, 40);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE recipient LIKE 'lot-%' AND status = 'sent'"
			     " AND attempts = 1 AND $1 > 0", 1), 40);
	sink_stop(&smtp);
	sink_stop(&http);
}

static void test_worker_webhook_signed(void)
{
	struct sink smtp = {0}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	char url[80];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", http.port);
	const char *secret = "secret-du-crm-assez-long-pour-plus-de-32-octets";
	db_x(db, "INSERT INTO webhook_endpoints (organisation_id, target_url, secret) VALUES ($1, $2, $3)",
	     db_int(ar, org_id), url, secret);
	long long rdv = rdv_create(24 * 12, 0, NULL);
	CU_ASSERT_EQUAL(notify_in_lane(rdv, NOTIFY_RDV_CREATED, agent_id, 0), 0);
	db_x(db, "DELETE FROM webhook_endpoints WHERE target_url = $1", url);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "none"), 0);
	CU_ASSERT_EQUAL(sink_has(&http, "/hook", "\"model\":\"Rdv\""), 0);   /* endpoint deleted before sending */
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND channel = 'webhook' AND status = 'failed'",
			     rdv), 1);
	/* again with the endpoint in place */
	db_x(db, "INSERT INTO webhook_endpoints (organisation_id, target_url, secret) VALUES ($1, $2, $3)",
	     db_int(ar, org_id), url, secret);
	CU_ASSERT_EQUAL(notify_in_lane(rdv, NOTIFY_RDV_UPDATED, agent_id, 0), 0);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "none"), 0);
	db_x(db, "DELETE FROM webhook_endpoints WHERE target_url = $1", url);
	CU_ASSERT_EQUAL(sink_has(&http, "/hook", "\"event\":\"updated\""), 1);
	int verified = 0;
	pthread_mutex_lock(&http.lock);
	for (int i = 0; i < http.count; i++) {
		if (strcmp(http.msgs[i].rcpt, "/hook") != 0)
			continue;
		verified += webhook_verify(secret, http.msgs[i].data, strlen(http.msgs[i].data), http.msgs[i].signature);
		json_t *j = json_loads(http.msgs[i].data, 0, NULL);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "data"), "id")), rdv);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(j, "meta"), "model")), "Rdv");
		json_decref(j);
	}
	pthread_mutex_unlock(&http.lock);
	CU_ASSERT_EQUAL(verified, 1);
	sink_stop(&smtp);
	sink_stop(&http);
}

static void test_worker_reminders_once(void)
{
	struct sink smtp = {0}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	long long pid = 0, rdv = rdv_create(20, 5, &pid);
	CU_ASSERT_FATAL(rdv > 0);
	/* twice, and the stack's own worker may run the job too: still one reminder per channel */
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "reminders"), 0);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "reminders"), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE dedup_key = 'reminder:' || $1 || ':email'", pid), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE dedup_key = 'reminder:' || $1 || ':sms'", pid), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM participations WHERE id = $1 AND reminder_queued_at IS NOT NULL", pid), 1);
	/* an RDV created inside the window got its confirmation instead */
	long long pid2 = 0;
	rdv_create(21, 0, &pid2);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "reminders"), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE dedup_key LIKE 'reminder:' || $1 || ':%'", pid2), 0);
	sink_stop(&smtp);
	sink_stop(&http);
}

static void test_worker_purges(void)
{
	struct sink smtp = {0}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	db_x(db, "INSERT INTO audit (at, item_type, event) VALUES (now() - interval '6 years', 'test', 'purge-me')");
	char *old = db_s(db, ar, "INSERT INTO users (first_name, last_name, email, created_at, updated_at)"
			 " VALUES ('Ancien', 'Usager', 'ancien-' || $1 || '@example.fr', now() - interval '3 years',"
			 " now() - interval '3 years') RETURNING id", db_int(ar, getpid()));
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "purges"), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM audit WHERE event = 'purge-me' AND $1 > 0", 1), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM users WHERE id = $1 AND email IS NULL AND deleted_at IS NOT NULL"
			     " AND last_name = 'anonymisé'", old ? atoll(old) : 0), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM users WHERE id = $1 AND deleted_at IS NULL", user_id), 1);
	sink_stop(&smtp);
	sink_stop(&http);
}

/* A prescripteur row (test_worker_prescripteurs), pointed at by RDV rdv (0: none). */
static long long presc_create(long long rdv)
{
	char *id = db_s(db, ar, "INSERT INTO prescripteurs (first_name, last_name, email, phone_number)"
				" VALUES ('Purge', 'Prescripteur', 'purge.presc@example.org', '0321000000') RETURNING id");
	if (id != NULL && rdv)
		db_x(db, "UPDATE rdvs SET created_by_type = 'prescripteur', created_by_prescripteur_id = $2 WHERE id = $1",
		     db_int(ar, rdv), id);
	return id ? atoll(id) : 0;
}

/* The purge deletes the prescripteurs nothing points at any more (RDV
 * deleted) and those of RDVs past the usagers' retention; the booker of a
 * current RDV or seat stays. */
static void test_worker_prescripteurs(void)
{
	struct sink smtp = {0}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	long long pid = 0, kept_rdv = rdv_create(24 * 12, 0, &pid), old_rdv = rdv_create(24 * 13, 0, NULL);
	CU_ASSERT_FATAL(kept_rdv > 0 && old_rdv > 0 && pid > 0);
	db_x(db, "UPDATE rdvs SET starts_at = starts_at - interval '3 years', ends_at = ends_at - interval '3 years'"
		 " WHERE id = $1", db_int(ar, old_rdv));
	long long orphan = presc_create(0), kept = presc_create(kept_rdv), old = presc_create(old_rdv);
	long long seat = presc_create(0);
	db_x(db, "UPDATE participations SET created_by_prescripteur_id = $2 WHERE id = $1", db_int(ar, pid),
	     db_int(ar, seat));
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "purges"), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM prescripteurs WHERE id = $1", orphan), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM prescripteurs WHERE id = $1", old), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM rdvs WHERE id = $1 AND created_by_prescripteur_id IS NULL"
			     " AND created_by_type = 'prescripteur'", old_rdv), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM prescripteurs WHERE id = $1", kept), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM prescripteurs WHERE id = $1", seat), 1);
	/* the RDV deleted (its participations with it): both go at the next purge */
	db_x(db, "DELETE FROM rdvs WHERE id = $1", db_int(ar, kept_rdv));
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "purges"), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM prescripteurs WHERE id = $1", kept), 0);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM prescripteurs WHERE id = $1", seat), 0);
	sink_stop(&smtp);
	sink_stop(&http);
}

/* A motif any usager may book, with a plage of the test agent every day at
 * the suite's lieu from today: free créneaux long before a far RDV. */
static long long waiting_motif(void)
{
	char *m = db_s(db, ar, "INSERT INTO motifs (organisation_id, service_id, name, bookable_by, location_type)"
		       " SELECT organisation_id, service_id, 'Attente ' || $2::text, 'everyone', 'public_office'"
		       "   FROM motifs WHERE id = $1 RETURNING id", db_int(ar, motif_id), db_int(ar, getpid()));
	char *po = db_s(db, ar, "INSERT INTO plages_ouverture (organisation_id, agent_id, lieu_id, title, first_day,"
			" start_time, end_time, recurrence) VALUES ($1, $2, $3, 'Attente', current_date, '08:00', '18:00',"
			" '{\"every\": \"week\", \"interval\": 1, \"on\": [\"monday\", \"tuesday\", \"wednesday\","
			" \"thursday\", \"friday\", \"saturday\", \"sunday\"]}') RETURNING id",
			db_int(ar, org_id), db_int(ar, agent_id), db_int(ar, lieu_id));
	if (m == NULL || po == NULL)
		return 0;
	db_x(db, "INSERT INTO plage_ouverture_motifs (plage_ouverture_id, motif_id) VALUES ($1, $2)", po, m);
	return atoll(m);
}

static void test_worker_waiting_list(void)
{
	struct sink smtp = {0}, http = {0};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	long long motif = waiting_motif(), pid = 0;
	CU_ASSERT_FATAL(motif > 0);
	long long rdv = rdv_create_for(motif, 24 * 21, 1, &pid);
	CU_ASSERT_FATAL(rdv > 0);
	db_x(db, "INSERT INTO file_attentes (rdv_id, user_id) VALUES ($1, $2)", db_int(ar, rdv), db_int(ar, user_id));
	const char *count = "SELECT count(*) FROM outbox WHERE rdv_id = $1 AND event = 'new_creneau_available'";
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "waiting_list"), 0);
	/* e-mail and SMS, each with its own link token (/r/<rdv>/<token>, see render.c) */
	CU_ASSERT_EQUAL(q_ll(count, rdv), 2);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM outbox WHERE rdv_id = $1 AND event = 'new_creneau_available'"
			     " AND channel = 'sms' AND (payload ? 'token' OR status = 'sent')", rdv), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM rdv_tokens WHERE participation_id = $1", pid), 2);
	CU_ASSERT_EQUAL(q_ll("SELECT notifications_sent FROM file_attentes WHERE rdv_id = $1", rdv), 1);
	/* the same day: nothing more */
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "waiting_list"), 0);
	CU_ASSERT_EQUAL(q_ll(count, rdv), 2);
	/* told yesterday: a second message, then a third, then no more */
	const char *yesterday = "UPDATE file_attentes SET last_creneau_sent_at = now() - interval '1 day' WHERE rdv_id = $1";
	for (int i = 2; i <= 4; i++) {
		db_x(db, yesterday, db_int(ar, rdv));
		CU_ASSERT_EQUAL(worker_run(&smtp, &http, "waiting_list"), 0);
		CU_ASSERT_EQUAL(q_ll(count, rdv), 2 * (i < 3 ? i : 3));
		CU_ASSERT_EQUAL(q_ll("SELECT notifications_sent FROM file_attentes WHERE rdv_id = $1", rdv), i < 3 ? i : 3);
	}
	/* a fresh entry but no plage left for the motif: nothing earlier, no message */
	db_x(db, "UPDATE file_attentes SET notifications_sent = 0, last_creneau_sent_at = NULL WHERE rdv_id = $1",
	     db_int(ar, rdv));
	db_x(db, "DELETE FROM plage_ouverture_motifs WHERE motif_id = $1", db_int(ar, motif));
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "waiting_list"), 0);
	CU_ASSERT_EQUAL(q_ll(count, rdv), 6);
	db_x(db, "DELETE FROM file_attentes WHERE rdv_id = $1", db_int(ar, rdv));
	sink_stop(&smtp);
	sink_stop(&http);
}

static int hook_count(struct sink *s)
{
	int n = 0;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < s->count; i++)
		n += strcmp(s->msgs[i].rcpt, "/hook") == 0;
	pthread_mutex_unlock(&s->lock);
	return n;
}

/* Endpoint down (500): the row waits for its backoff, still queued; back up: sent once. */
static void test_worker_webhook_retry(void)
{
	struct sink smtp = {0}, http = {.fail_code = 500};
	CU_ASSERT_FATAL(sink_smtp_start(&smtp) == 0 && sink_http_start(&http) == 0);
	char url[80];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", http.port);
	const char *secret = "secret-du-crm-qui-tombe-en-panne-de-temps-en-temps";
	db_x(db, "INSERT INTO webhook_endpoints (organisation_id, target_url, secret) VALUES ($1, $2, $3)",
	     db_int(ar, org_id), url, secret);
	long long rdv = rdv_create(24 * 13, 0, NULL);
	CU_ASSERT_EQUAL(notify_in_lane(rdv, NOTIFY_RDV_UPDATED, agent_id, 0), 0);
	const char *row = "SELECT count(*) FROM outbox WHERE rdv_id = $1 AND channel = 'webhook'";
	/* the real backoff: one attempt, then the row waits a minute */
	CU_ASSERT_EQUAL(worker_wait(worker_start_scaled(smtp.port, http.port, "none", "1")), 0);
	CU_ASSERT_EQUAL(hook_count(&http), 1);
	CU_ASSERT_EQUAL(q_ll(arena_printf(ar, "%s AND status = 'queued' AND attempts = 1 AND last_error LIKE '%%500%%'"
					  " AND next_attempt_at > now() + interval '30 seconds'", row), rdv), 1);
	CU_ASSERT_EQUAL(worker_wait(worker_start_scaled(smtp.port, http.port, "none", "1")), 0);
	CU_ASSERT_EQUAL(hook_count(&http), 1);   /* not due yet */
	/* a minute later, the endpoint back up */
	db_x(db, "UPDATE outbox SET next_attempt_at = now() WHERE rdv_id = $1 AND channel = 'webhook'", db_int(ar, rdv));
	pthread_mutex_lock(&http.lock);
	http.fail_code = 0;
	pthread_mutex_unlock(&http.lock);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "none"), 0);
	CU_ASSERT_EQUAL(worker_run(&smtp, &http, "none"), 0);
	db_x(db, "DELETE FROM webhook_endpoints WHERE target_url = $1", url);
	CU_ASSERT_EQUAL(hook_count(&http), 2);
	CU_ASSERT_EQUAL(q_ll(arena_printf(ar, "%s AND status = 'sent' AND attempts = 2", row), rdv), 1);
	CU_ASSERT_EQUAL(q_ll("SELECT count(*) FROM receipts WHERE rdv_id = $1 AND channel = 'webhook'"
			     " AND result = 'sent'", rdv), 1);
	int verified = 0;
	pthread_mutex_lock(&http.lock);
	for (int i = 0; i < http.count; i++)
		if (strcmp(http.msgs[i].rcpt, "/hook") == 0)
			verified += webhook_verify(secret, http.msgs[i].data, strlen(http.msgs[i].data),
						   http.msgs[i].signature);
	pthread_mutex_unlock(&http.lock);
	CU_ASSERT_EQUAL(verified, 2);   /* the same signed body both times */
	sink_stop(&smtp);
	sink_stop(&http);
}

void register_worker_http(void)
{
	CU_pSuite s = CU_add_suite("worker", suite_init, suite_clean);
	CU_add_test(s, "RDV created and cancelled: who gets what", test_worker_rdv_events);
	CU_add_test(s, "motif visibility, past RDV, agent level", test_worker_visibility_and_past);
	CU_add_test(s, "SMTP 451: attempts recorded, then failed", test_worker_smtp_failure);
	CU_add_test(s, "two workers: no duplicate", test_worker_two_workers_no_duplicate);
	CU_add_test(s, "webhook signed and verified", test_worker_webhook_signed);
	CU_add_test(s, "reminders queued once", test_worker_reminders_once);
	CU_add_test(s, "purges", test_worker_purges);
	CU_add_test(s, "purges: prescripteurs without RDV or past the retention", test_worker_prescripteurs);
	CU_add_test(s, "waiting list: earlier créneau, once a day, three at most", test_worker_waiting_list);
	CU_add_test(s, "webhook 500: retried after its backoff, then sent once", test_worker_webhook_retry);
}
