/*
 * jobs.c - scheduled jobs of rdv-worker: reminders, waiting list, purges.
 *
 * Several workers may run them at once: each job takes a transaction-level
 * advisory lock (pg_try_advisory_xact_lock) and skips when another holds it;
 * the reminders' outbox dedup_key ('reminder:<participation>:<channel>') is
 * the final guarantee that nothing is queued twice.
 *
 * Retention (GDPR), each 0 = never; every purge logs its row count:
 *   RDV_PURGE_SESSIONS_DAYS        sessions expired for N days (default 0: as soon as expired)
 *   RDV_PURGE_TOKENS               1: expired RDV-link tokens and password resets (default 1)
 *   RDV_PURGE_LOGIN_ATTEMPTS_DAYS  sign-in attempts (default 30)
 *   RDV_PURGE_USERS_YEARS          usagers without RDV nor change for N years are anonymised (default 2);
 *                                  prescripteurs are detached from the RDVs and seats older than that;
 *                                  a prescripteur no RDV nor seat points at any more is deleted (always)
 *   RDV_PURGE_AUDIT_YEARS          audit rows (default 5)
 *   RDV_PURGE_OUTBOX_DAYS          sent or failed outbox rows (default 90)
 *   RDV_PURGE_RECEIPTS_MONTHS      receipts anonymised (recipient, content) after N months (default 6)
 *   RDV_PURGE_RECEIPTS_YEARS       receipts deleted (default 2)
 *
 * The waiting list only messages usagers in office hours, --once included (a
 * cron run at night must not text anyone):
 *   RDV_WORKER_WAITING_HOURS       Paris-time window "HH:MM-HH:MM" (default 09:00-18:50; "0-24": always)
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "creneaux.h"
#include "log.h"
#include "rdv.h"
#include "tz.h"
#include "worker.h"

#define JOB_LOCK_REMINDERS 72010001
#define JOB_LOCK_WAITING 72010002
#define JOB_LOCK_PURGES 72010003

/* 1 if this process runs that job (RDV_WORKER_JOBS). */
static int jobs_enabled(const char *name)
{
	const char *list = getenv("RDV_WORKER_JOBS");
	if (list == NULL || list[0] == '\0')
		return 1;
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

/* 1 when the lock was taken (inside the open transaction). */
static int jobs_lock(struct worker *w, long long key)
{
	char *got = db_s(w->db, w->a, "SELECT pg_try_advisory_xact_lock($1::bigint)", db_int(w->a, key));
	return got != NULL && got[0] == 't';
}

int jobs_reminders(struct worker *w)
{
	int total = 0, rc = 0;
	for (;;) {
		if ((rc = db_begin(w->db)) != 0)
			break;
		if (!jobs_lock(w, JOB_LOCK_REMINDERS)) {
			db_rollback(w->db);
			break;
		}
		/* RDVs created inside the reminder window already got their confirmation */
		PGresult *r = db_q(w->db,
			"SELECT p.id, p.rdv_id FROM participations p JOIN rdvs r ON r.id = p.rdv_id"
			"  JOIN motifs m ON m.id = r.motif_id JOIN organisations o ON o.id = r.organisation_id"
			"  JOIN territories t ON t.id = o.territory_id"
			" WHERE p.reminder_queued_at IS NULL AND p.send_reminder_notification AND p.status = 'unknown'"
			"   AND r.status = 'unknown' AND m.visibility_type = 'visible_and_notified'"
			"   AND r.starts_at > now() AND r.starts_at <= now() + make_interval(hours => t.reminder_hours)"
			"   AND r.created_at <= r.starts_at - make_interval(hours => t.reminder_hours)"
			" ORDER BY r.starts_at, p.id LIMIT 200 FOR UPDATE OF p SKIP LOCKED");
		if (r == NULL) {
			rc = w->db->err;
			db_rollback(w->db);
			break;
		}
		int n = PQntuples(r);
		for (int i = 0; i < n && rc == 0; i++) {
			rc = notify_rdv_participation(w->db, w->a, db_ll(r, i, 1), db_ll(r, i, 0), NOTIFY_RDV_REMINDER, NULL);
			if (rc == 0)
				rc = db_x(w->db, "UPDATE participations SET reminder_queued_at = now() WHERE id = $1",
					  db_val(r, i, 0));
		}
		PQclear(r);
		if (rc == 0)
			rc = db_commit(w->db);
		else
			db_rollback(w->db);
		arena_reset(w->a);
		if (rc != 0 || n == 0)
			break;
		total += n;
	}
	if (total > 0)
		log_info("job reminders: %d participations queued", total);
	return rc;
}

/* The entries that may be told today: RDV more than a week ahead at a lieu
 * (the reference offers nothing for RDVs without one), not by phone, fewer
 * than three messages, and no message to that usager yet today (Paris). */
static PGresult *waiting_entries(struct worker *w)
{
	return db_q(w->db,
		"SELECT fa.rdv_id, fa.user_id, p.id, r.motif_id, r.lieu_id,"
		"       extract(epoch FROM r.starts_at)::bigint"
		"  FROM file_attentes fa JOIN rdvs r ON r.id = fa.rdv_id JOIN motifs m ON m.id = r.motif_id"
		"  JOIN participations p ON p.rdv_id = fa.rdv_id AND p.user_id = fa.user_id"
		" WHERE r.status = 'unknown' AND p.status = 'unknown' AND r.starts_at > now() + interval '7 days'"
		"   AND r.lieu_id IS NOT NULL AND m.location_type <> 'phone' AND fa.notifications_sent < 3"
		"   AND NOT EXISTS (SELECT 1 FROM file_attentes f2 WHERE f2.user_id = fa.user_id"
		"         AND f2.last_creneau_sent_at >= (date_trunc('day', now() AT TIME ZONE 'Europe/Paris')"
		"                                         AT TIME ZONE 'Europe/Paris'))"
		" ORDER BY r.starts_at LIMIT 500 FOR UPDATE OF fa SKIP LOCKED");
}

/* 1 when a public créneau of the entry's motif and lieu starts before
 * (RDV start - 2 days), 0 when none, < 0 on a database error. */
static int waiting_has_earlier(struct worker *w, PGresult *r, int i, long long now)
{
	struct creneaux_query q = {.motif_id = db_ll(r, i, 3), .lieu_id = db_ll(r, i, 4),
				   .from = now, .to = db_ll(r, i, 5) - 2 * 86400, .now = now,
				   .public_side = 1};
	if (q.to <= q.from)
		return 0;   /* creneaux_next reads to <= from as "six months" */
	struct slot s;
	int found = creneaux_next(w->db, w->a, &q, &s);
	/* a motif deleted or now agents-only: nothing to offer, not an error of the job */
	return found == RDV_ENOTFOUND ? 0 : found;
}

static int waiting_notify(struct worker *w, PGresult *r, int i)
{
	int rc = notify_rdv_participation(w->db, w->a, db_ll(r, i, 0), db_ll(r, i, 2), NOTIFY_RDV_UPDATED,
					  "new_creneau_available");
	if (rc != 0)
		return rc;
	return db_x(w->db,
		    "UPDATE file_attentes SET notifications_sent = notifications_sent + 1,"
		    "       last_creneau_sent_at = now() WHERE rdv_id = $1 AND user_id = $2",
		    db_val(r, i, 0), db_val(r, i, 1));
}

/* At most one message a day per usager, three per entry (the reference's rule). */
int jobs_waiting_list(struct worker *w)
{
	int rc = db_begin(w->db);
	if (rc != 0)
		return rc;
	if (!jobs_lock(w, JOB_LOCK_WAITING)) {
		db_rollback(w->db);
		return 0;
	}
	PGresult *r = waiting_entries(w);
	if (r == NULL) {
		rc = w->db->err;
		db_rollback(w->db);
		return rc;
	}
	int n = PQntuples(r), sent = 0;
	long long *done = calloc((size_t)n + 1, sizeof(*done));
	if (done == NULL)
		rc = RDV_ENOMEM;
	long long now = (long long)time(NULL);
	for (int i = 0; i < n && rc == 0; i++) {
		long long user = db_ll(r, i, 1);
		int seen = 0;
		for (int k = 0; k < sent; k++)
			seen |= done[k] == user;
		if (seen)
			continue;   /* one message a day: this usager's earliest RDV was handled */
		int found = waiting_has_earlier(w, r, i, now);
		if (found > 0 && (rc = waiting_notify(w, r, i)) == 0)
			done[sent++] = user;
		else if (found < 0)
			rc = found;
		/* a search loads months of plage occurrences: free them per entry
		 * (r and done live outside the arena) */
		arena_reset(w->a);
	}
	free(done);
	PQclear(r);
	if (rc == 0)
		rc = db_commit(w->db);
	else
		db_rollback(w->db);
	arena_reset(w->a);
	if (sent > 0)
		log_info("job waiting_list: %d usagers told of an earlier créneau", sent);
	return rc;
}

struct purge {
	const char *name;
	const char *env;
	long def;
	const char *sql;   /* $1 = the setting; returns the count */
};

static const struct purge purges[] = {
	{"sessions", "RDV_PURGE_SESSIONS_DAYS", 0,
	 "WITH d AS (DELETE FROM sessions WHERE expires_at < now() - make_interval(days => $1::int) RETURNING 1)"
	 " SELECT count(*) FROM d"},
	{"rdv_tokens", "RDV_PURGE_TOKENS", 1,
	 "WITH d AS (DELETE FROM rdv_tokens WHERE $1::int > 0 AND expires_at < now() RETURNING 1)"
	 " SELECT count(*) FROM d"},
	{"password_resets", "RDV_PURGE_TOKENS", 1,
	 "WITH d AS (DELETE FROM password_resets WHERE $1::int > 0 AND expires_at < now() - interval '1 day'"
	 " RETURNING 1) SELECT count(*) FROM d"},
	{"login_attempts", "RDV_PURGE_LOGIN_ATTEMPTS_DAYS", 30,
	 "WITH d AS (DELETE FROM login_attempts WHERE attempted_at < now() - make_interval(days => $1::int)"
	 " RETURNING 1) SELECT count(*) FROM d"},
	{"usagers", "RDV_PURGE_USERS_YEARS", 2,
	 "WITH gone AS (UPDATE users u SET first_name = 'Usager', last_name = 'anonymisé', birth_name = NULL,"
	 "    birth_date = NULL, email = NULL, phone_number = NULL, phone_number_formatted = NULL, address = NULL,"
	 "    address_details = NULL, post_code = NULL, city_code = NULL, city_name = NULL, street_ban_id = NULL,"
	 "    latitude = NULL, longitude = NULL, caisse_affiliation = NULL, affiliation_number = NULL,"
	 "    family_situation = NULL, number_of_children = NULL, logement = NULL, case_number = NULL,"
	 "    password_hash = NULL, deleted_at = now(), updated_at = now()"
	 "  WHERE u.deleted_at IS NULL AND u.created_at < now() - make_interval(years => $1::int)"
	 "    AND u.updated_at < now() - make_interval(years => $1::int)"
	 "    AND NOT EXISTS (SELECT 1 FROM participations p JOIN rdvs r ON r.id = p.rdv_id"
	 "                    WHERE p.user_id = u.id AND r.starts_at > now() - make_interval(years => $1::int))"
	 "    AND NOT EXISTS (SELECT 1 FROM users c WHERE c.responsible_id = u.id AND c.deleted_at IS NULL)"
	 "  RETURNING u.id),"
	 " notes AS (UPDATE user_profiles SET notes = NULL WHERE user_id IN (SELECT id FROM gone)),"
	 " sess AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM gone))"
	 " SELECT count(*) FROM gone"},
	/* A prescripteur's details live as long as the RDVs they booked: detached
	 * from those that started more than N years ago (the usagers' retention;
	 * created_by_type stays for the statistics), then deleted when nothing
	 * points at them any more (old, or their RDVs deleted). One statement:
	 * the DELETE sees the rows before the UPDATEs, hence the exclusions. */
	{"prescripteurs", "RDV_PURGE_USERS_YEARS", 2,
	 "WITH old_rdvs AS (UPDATE rdvs SET created_by_prescripteur_id = NULL"
	 "    WHERE $1::int > 0 AND created_by_prescripteur_id IS NOT NULL"
	 "      AND starts_at < now() - make_interval(years => $1::int) RETURNING id),"
	 " old_seats AS (UPDATE participations p SET created_by_prescripteur_id = NULL FROM rdvs r"
	 "    WHERE $1::int > 0 AND p.created_by_prescripteur_id IS NOT NULL AND r.id = p.rdv_id"
	 "      AND r.starts_at < now() - make_interval(years => $1::int) RETURNING p.id),"
	 " d AS (DELETE FROM prescripteurs x"
	 "    WHERE NOT EXISTS (SELECT 1 FROM rdvs r WHERE r.created_by_prescripteur_id = x.id"
	 "                      AND r.id NOT IN (SELECT id FROM old_rdvs))"
	 "      AND NOT EXISTS (SELECT 1 FROM participations p WHERE p.created_by_prescripteur_id = x.id"
	 "                      AND p.id NOT IN (SELECT id FROM old_seats)) RETURNING 1)"
	 " SELECT count(*) FROM d"},
	{"audit", "RDV_PURGE_AUDIT_YEARS", 5,
	 "WITH d AS (DELETE FROM audit WHERE at < now() - make_interval(years => $1::int) RETURNING 1)"
	 " SELECT count(*) FROM d"},
	{"outbox", "RDV_PURGE_OUTBOX_DAYS", 90,
	 "WITH d AS (DELETE FROM outbox WHERE status <> 'queued'"
	 "           AND created_at < now() - make_interval(days => $1::int) RETURNING 1)"
	 " SELECT count(*) FROM d"},
	{"receipts_anonymised", "RDV_PURGE_RECEIPTS_MONTHS", 6,
	 "WITH d AS (UPDATE receipts SET recipient = NULL, content = NULL"
	 "           WHERE created_at < now() - make_interval(months => $1::int)"
	 "             AND (recipient IS NOT NULL OR content IS NOT NULL) RETURNING 1)"
	 " SELECT count(*) FROM d"},
	{"receipts", "RDV_PURGE_RECEIPTS_YEARS", 2,
	 "WITH d AS (DELETE FROM receipts WHERE created_at < now() - make_interval(years => $1::int) RETURNING 1)"
	 " SELECT count(*) FROM d"},
};

int jobs_purges(struct worker *w)
{
	int rc = db_begin(w->db);
	if (rc != 0)
		return rc;
	if (!jobs_lock(w, JOB_LOCK_PURGES)) {
		db_rollback(w->db);
		return 0;
	}
	for (size_t i = 0; i < sizeof(purges) / sizeof(purges[0]) && rc == 0; i++) {
		const struct purge *p = &purges[i];
		long v = conf_env_long(p->env, p->def, 0, 100000);
		/* 0 disables a retention, except for sessions where it means "as soon as expired"
		 * and for prescripteurs, whose orphans go whatever the retention */
		if (v == 0 && strcmp(p->name, "sessions") != 0 && strcmp(p->name, "prescripteurs") != 0) {
			log_info("purge %s: disabled (%s=0)", p->name, p->env);
			continue;
		}
		char *count = db_scalar(w->db, w->a, p->sql, 1, (const char *[]){db_int(w->a, v)});
		if (count == NULL) {
			rc = w->db->err;
			log_warnx("purge %s: %s", p->name, w->db->message);
			break;
		}
		log_info("purge %s: %s rows (%s=%ld)", p->name, count, p->env, v);
	}
	if (rc == 0)
		rc = db_commit(w->db);
	else
		db_rollback(w->db);
	arena_reset(w->a);
	return rc;
}

struct schedule {
	const char *name;
	long every;          /* seconds */
	int (*run)(struct worker *w);
	long long last;
};

static struct schedule schedules[] = {
	{"reminders", 60, jobs_reminders, 0},
	{"waiting_list", 600, jobs_waiting_list, 0},
	{"purges", 86400, jobs_purges, 0},
};

/* Minutes since local midnight of "HH[:MM]" (24 allowed: end of day); -1 when malformed. */
static int jobs_hhmm(const char *s, char **end)
{
	long h = strtol(s, end, 10), m = 0;
	if (*end == s)
		return -1;
	if (**end == ':') {
		const char *p = *end + 1;
		m = strtol(p, end, 10);
		if (*end == p)
			return -1;
	}
	return h >= 0 && m >= 0 && m < 60 && h * 60 + m <= 24 * 60 ? (int)(h * 60 + m) : -1;
}

/* The waiting list's window [from, to) in Paris minutes (RDV_WORKER_WAITING_HOURS,
 * default 09:00-18:50 as the reference's schedule). */
static void jobs_waiting_hours(int *from, int *to)
{
	*from = 9 * 60;
	*to = 18 * 60 + 50;
	const char *v = getenv("RDV_WORKER_WAITING_HOURS");
	if (v == NULL || v[0] == '\0')
		return;
	char *end = NULL, *end2 = NULL;
	int f = jobs_hhmm(v, &end);
	int t = f >= 0 && *end == '-' ? jobs_hhmm(end + 1, &end2) : -1;
	if (f < 0 || t < 0 || *end2 != '\0' || f >= t) {
		log_warnx("RDV_WORKER_WAITING_HOURS=%s: expected HH:MM-HH:MM, using 09:00-18:50", v);
		return;
	}
	*from = f;
	*to = t;
}

/* The waiting list texts people: office hours only, even with --once. */
static int jobs_in_hours(const char *name, long long now)
{
	if (strcmp(name, "waiting_list") != 0)
		return 1;
	int from, to;
	jobs_waiting_hours(&from, &to);
	struct local_dt lt;
	tz_utc_to_local(now, &lt);
	int m = lt.hour * 60 + lt.minute;
	return m >= from && m < to;
}

int jobs_run_due(struct worker *w)
{
	long long now = (long long)time(NULL);
	int rc = 0;
	for (size_t i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++) {
		struct schedule *s = &schedules[i];
		if (!jobs_enabled(s->name))
			continue;
		if ((!w->once && now - s->last < s->every) || !jobs_in_hours(s->name, now))
			continue;
		s->last = now;
		int r = s->run(w);
		if (r != 0) {
			log_warnx("job %s: %s", s->name, rdv_strerror(r));
			rc = r;
		}
	}
	return rc;
}
