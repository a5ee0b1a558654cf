/*
 * exports.c - RDV and participation exports, CSV and XLSX (exports.h).
 *
 * All formatting is done by PostgreSQL in the one export query (the session
 * time zone is Europe/Paris), so CSV and XLSX cells are the same strings and
 * the C side only moves rows from a cursor to a writer.
 */
#include "exports.h"
#include "csv.h"
#include "rdv.h"
#include "tz.h"
#include "xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const export_rdv_header[EXPORT_RDV_COLUMNS] = {
	"année", "date prise rdv", "heure prise rdv", "origine", "date rdv", "heure rdv", "service",
	"motif", "contexte", "statut", "lieu", "professionnel.le(s)", "usager(s)",
	"commune du premier responsable", "au moins un usager mineur ?", "résultat des notifications",
	"Organisation", "date naissance", "code postal du premier responsable", "créé par",
	"email(s) professionnel.le(s)", "rdv collectif",
};

const char *const export_participation_header[EXPORT_PARTICIPATION_COLUMNS] = {
	"usager", "rdv_id", "année", "date prise rdv", "heure prise rdv", "origine", "date rdv",
	"heure rdv", "service", "motif", "contexte", "statut", "lieu", "professionnel.le(s)",
	"commune du responsable", "usager mineur ?", "résultat des notifications", "Organisation",
	"date naissance", "code postal du responsable", "créé par", "email(s) professionnel.le(s)",
	"rdv collectif", "inscription au rdv collectif par",
};

/* The shared part, set-based (hash joins over the selection, no query per
 * row): the selected RDVs, their agents, usagers and receipts aggregated once.
 * Lists are aggregated from one sorted subquery (ORDER BY group, order) rather
 * than with string_agg(… ORDER BY …), which sorts each group on its own: one
 * tuplesort per RDV and per aggregate was a third of the query's time.
 * $1 org ids, $2 viewer, $3 from, $4 to, $5 agent, $6 lieu, $7 motif,
 * $8 status, $9 every agenda (a territory-wide right was checked). */
#define EXPORT_RDV_CTE \
	"WITH vis AS (" \
	" SELECT o AS organisation_id, v.agent_id FROM unnest($1::bigint[]) o, visible_agendas($2, o) v" \
	" WHERE NOT $9 AND v.level IN ('read', 'write')" \
	"), sel AS (" \
	" SELECT r.id, r.status, r.starts_at, r.collectif, r.created_at, r.created_by_type, r.created_by_agent_id," \
	"  r.context, r.motif_id, r.organisation_id, r.lieu_id FROM rdvs r" \
	" WHERE r.organisation_id = ANY($1::bigint[])" \
	"   AND ($3::date IS NULL OR r.starts_at >= $3::date)" \
	"   AND ($4::date IS NULL OR r.starts_at < $4::date + 1)" \
	"   AND ($5::bigint = 0 OR EXISTS (SELECT 1 FROM agents_rdvs x WHERE x.rdv_id = r.id AND x.agent_id = $5))" \
	"   AND ($6::bigint = 0 OR r.lieu_id = $6)" \
	"   AND ($7::bigint = 0 OR r.motif_id = $7)" \
	"   AND ($8::text IS NULL OR ($8 = 'unknown_past' AND r.status = 'unknown' AND r.starts_at < now())" \
	"        OR ($8 = 'unknown_future' AND r.status = 'unknown' AND r.starts_at >= now())" \
	"        OR r.status::text = $8)" \
	"   AND ($9 OR EXISTS (SELECT 1 FROM agents_rdvs v JOIN vis ON vis.agent_id = v.agent_id" \
	"               AND vis.organisation_id = r.organisation_id WHERE v.rdv_id = r.id))" \
	"), ag AS (" \
	" SELECT t.rdv_id, string_agg(t.name, ', ') AS names, string_agg(t.email, ', ') AS emails FROM (" \
	"  SELECT x.rdv_id, a.first_name || ' ' || upper(a.last_name) AS name, a.email" \
	"  FROM sel JOIN agents_rdvs x ON x.rdv_id = sel.id JOIN agents a ON a.id = x.agent_id" \
	"  ORDER BY x.rdv_id, a.last_name) t GROUP BY t.rdv_id" \
	"), rc AS (" \
	" SELECT rc.rdv_id, CASE WHEN bool_or(rc.result = 'failure') THEN 'Échec' WHEN bool_or(rc.result = 'delivered')" \
	"  THEN 'Délivré' WHEN bool_or(rc.result = 'sent') THEN 'Envoyé' ELSE 'Traité' END AS result" \
	" FROM sel JOIN receipts rc ON rc.rdv_id = sel.id GROUP BY rc.rdv_id" \
	"), base AS (" \
	" SELECT r.id, r.status, r.starts_at, r.collectif," \
	"  extract(year FROM r.created_at)::int::text AS annee," \
	"  to_char(r.created_at, 'DD/MM/YYYY') AS date_prise, to_char(r.created_at, 'HH24\"h\"MI') AS heure_prise," \
	"  CASE r.created_by_type WHEN 'agent' THEN 'Créé par un agent' WHEN 'user' THEN 'RDV Pris sur internet'" \
	"   WHEN 'prescripteur' THEN 'Créé par un prescripteur' ELSE 'File d''attente' END AS origine," \
	"  to_char(r.starts_at, 'DD/MM/YYYY') AS date_rdv, to_char(r.starts_at, 'HH24\"h\"MI') AS heure_rdv," \
	"  s.name AS service, m.name AS motif, r.context," \
	"  CASE m.location_type WHEN 'phone' THEN 'Par téléphone' WHEN 'home' THEN 'À domicile'" \
	"   WHEN 'visio' THEN 'Par visioconférence' ELSE l.name || ' (' || l.address || ')' END AS lieu," \
	"  ag.names AS agents, ag.emails AS agent_emails, o.name AS organisation," \
	"  CASE WHEN r.created_by_type = 'agent' THEN nullif(trim(ca.first_name || ' ' || upper(ca.last_name)), '')" \
	"   WHEN r.created_by_type = 'user' THEN 'Usager' END AS cree_par," \
	"  rc.result AS notifications" \
	" FROM sel r JOIN motifs m ON m.id = r.motif_id JOIN services s ON s.id = m.service_id" \
	" JOIN organisations o ON o.id = r.organisation_id LEFT JOIN lieux l ON l.id = r.lieu_id" \
	" LEFT JOIN agents ca ON ca.id = r.created_by_agent_id" \
	" LEFT JOIN ag ON ag.rdv_id = r.id LEFT JOIN rc ON rc.rdv_id = r.id" \
	")"

/* Status label as the reference shows it ("À renseigner" for a past unknown). */
#define EXPORT_STATUS(col, starts) \
	"CASE " col " WHEN 'unknown' THEN CASE WHEN " starts " < now() THEN 'À renseigner' ELSE 'À venir' END" \
	" WHEN 'seen' THEN 'Présent' WHEN 'noshow' THEN 'Absence non excusée' WHEN 'excused' THEN 'Absence excusée'" \
	" WHEN 'revoked' THEN 'Annulé' END"

/* The RDV export: the owner function of migration 0034 opens the cursor
 * rdv_export (scope re-checked there, rows in index order, no policy per row). */
static const char rdv_sql[] =
	"SELECT export_rdv_open($1::bigint[], $2::date, $3::date, $4::bigint, $5::bigint, $6::bigint, $7::text,"
	" $8::boolean)";

static const char participation_sql[] =
	"DECLARE rdv_export NO SCROLL CURSOR FOR " EXPORT_RDV_CTE
	" SELECT us.first_name || ' ' || upper(us.last_name), b.id::text, b.annee, b.date_prise, b.heure_prise,"
	"  b.origine, b.date_rdv, b.heure_rdv, b.service, b.motif, b.context, " EXPORT_STATUS("p.status", "b.starts_at") ","
	"  b.lieu, b.agents, coalesce(rs.city_name, us.city_name),"
	"  CASE WHEN us.birth_date > current_date - interval '18 years' THEN 'oui' ELSE 'non' END,"
	"  b.notifications, b.organisation, to_char(us.birth_date, 'DD/MM/YYYY'), coalesce(rs.post_code, us.post_code),"
	"  b.cree_par, b.agent_emails, CASE WHEN b.collectif THEN 'oui' ELSE 'non' END,"
	"  CASE WHEN b.collectif THEN CASE p.created_by_type WHEN 'user' THEN 'Usager' ELSE 'Agent' END END"
	" FROM base b JOIN participations p ON p.rdv_id = b.id JOIN users us ON us.id = p.user_id"
	" LEFT JOIN users rs ON rs.id = us.responsible_id"
	" ORDER BY b.starts_at, b.id, p.id";

/* Sends the next FETCH without waiting for it: PostgreSQL prepares that
 * batch while the caller writes the previous one, on the other core. */
static int fetch_send(struct db *db)
{
	return PQsendQuery(db->conn, "FETCH 1000 FROM rdv_export") == 1 ? 0 : RDV_EUNAVAIL;
}

/* The answer to the FETCH in flight; NULL with db->err set on failure. */
static PGresult *fetch_wait(struct db *db)
{
	PGresult *r = PQgetResult(db->conn), *more;
	while ((more = PQgetResult(db->conn)) != NULL)
		PQclear(more);
	if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	db->err = PQstatus(db->conn) != CONNECTION_OK ? RDV_EUNAVAIL : state ? db_map_sqlstate(state) : RDV_EDB;
	PQclear(r);
	return NULL;
}

static int rows_to(PGresult *r, export_row_fn fn, void *arg)
{
	int rows = PQntuples(r), cols = PQnfields(r), rc = 0;
	const char *cells[EXPORT_PARTICIPATION_COLUMNS];
	for (int i = 0; i < rows && rc == 0; i++) {
		for (int j = 0; j < cols && j < EXPORT_PARTICIPATION_COLUMNS; j++)
			cells[j] = db_val(r, i, j);
		rc = fn(arg, cells, cols) ? RDV_ESYSTEM : 0;
	}
	return rc;
}

/* Reads the cursor 1,000 rows at a time, one batch always in flight (two
 * batches in memory at most), until it is empty or fn stops. */
static int fetch_all(struct db *db, export_row_fn fn, void *arg)
{
	int rc = fetch_send(db), in_flight = rc == 0;
	PGresult *r = NULL;
	while (in_flight) {
		r = fetch_wait(db);
		in_flight = 0;
		if (r == NULL) {
			rc = rc ? rc : db->err;
			break;
		}
		if (rc != 0 || PQntuples(r) == 0)
			break;
		rc = fetch_send(db);
		in_flight = rc == 0;
		int written = rows_to(r, fn, arg);
		rc = rc ? rc : written;
		PQclear(r);
		r = NULL;
	}
	PQclear(r);
	return rc;
}

int export_run(struct db *db, struct arena *a, enum export_kind kind, const struct export_filter *f,
	       export_row_fn fn, void *arg)
{
	const char *orgs = db_id_array(a, f->org_ids, f->n_orgs);
	if (orgs == NULL)
		return RDV_ENOMEM;
	int rc = db_begin(db);
	if (rc != 0)
		return rc;
	/* Large exports may take longer than the 5 s guard of interactive pages.
	 * The estimates of the aggregated joins are far too high (10^11 rows):
	 * JIT spent 2 s compiling a plan that runs in 4 s. 64 MB keeps the
	 * participations' aggregates in memory instead of on disk. */
	db_x(db, "SELECT set_config('statement_timeout', '300s', true), set_config('jit', 'off', true),"
		 " set_config('work_mem', '64MB', true)");
	const char *agent = db_int(a, f->agent_id), *lieu = db_int(a, f->lieu_id), *motif = db_int(a, f->motif_id),
		   *all = f->all_agendas ? "t" : "f";
	if (kind == EXPORT_RDVS)
		rc = db_x(db, rdv_sql, orgs, f->from, f->to, agent, lieu, motif, f->status, all);
	else
		rc = db_x(db, participation_sql, orgs, db_int(a, f->viewer_id), f->from, f->to, agent, lieu, motif,
			  f->status, all);
	if (rc == 0)
		rc = fetch_all(db, fn, arg);
	if (rc == 0)
		rc = db_commit(db);
	else
		db_rollback(db);
	return rc;
}

const char *export_filename(struct arena *a, enum export_kind kind, const struct export_filter *f,
			    const char *ext)
{
	struct local_dt now;
	tz_utc_to_local((long long)time(NULL), &now);
	char today[16];
	snprintf(today, sizeof(today), "%04d-%02d-%02d", now.year, now.month, now.day);
	const char *what = kind == EXPORT_RDVS ? "rdv" : "participations";
	if (f->n_orgs == 1)
		return arena_printf(a, "export-%s-%s-org-%06lld.%s", what, today, f->org_ids[0], ext);
	return arena_printf(a, "export-%s-%s.%s", what, today, ext);
}

/* ---- CSV ---- */

static int csv_cb(void *arg, const char *const *cells, int n)
{
	return csv_row(arg, cells, n);
}

int export_csv(struct db *db, struct arena *a, enum export_kind kind, const struct export_filter *f,
	       struct http_response *res)
{
	struct csv_writer w;
	int rc = csv_begin(&w, res, export_filename(a, kind, f, "csv"));
	if (rc == 0)
		rc = csv_row(&w, kind == EXPORT_RDVS ? export_rdv_header : export_participation_header,
			     kind == EXPORT_RDVS ? EXPORT_RDV_COLUMNS : EXPORT_PARTICIPATION_COLUMNS);
	if (rc == 0)
		rc = export_run(db, a, kind, f, csv_cb, &w);
	int end = csv_end(&w);
	return rc ? rc : end;
}

/* ---- XLSX ---- */

struct xlsx_export {
	struct xlsx_writer w;
	uint64_t numbers;                       /* columns written as numbers */
	struct http_response *res;
	const char *filename;
	int started;                            /* headers set */
};

/* The first 64 KiB of the file start the response: until then (the query
 * runs before the first row comes) an error can still be an error page. */
static int xlsx_sink(void *arg, const char *data, size_t len)
{
	struct xlsx_export *x = arg;
	struct http_response *res = x->res;
	if (!x->started) {
		x->started = 1;
		res->status = 200;
		res->content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		http_add_header(res, "Content-Disposition", x->filename);
	}
	if (res->write == NULL)                 /* no client stream (tests): buffer in the body */
		return buf_append(&res->body, data, len);
	return http_stream_write(res, data, len);
}

static int xlsx_cb(void *arg, const char *const *cells, int n)
{
	struct xlsx_export *x = arg;
	return xlsx_row(&x->w, cells, n, 0, x->numbers);
}

int export_xlsx(struct db *db, struct arena *a, enum export_kind kind, const struct export_filter *f,
		struct http_response *res)
{
	/* the year (and rdv_id) are numbers in the reference's file */
	struct xlsx_export x = {.numbers = kind == EXPORT_RDVS ? 1u : 6u, .res = res,
		.filename = arena_printf(a, "attachment; filename=\"%s\"", export_filename(a, kind, f, "xlsx"))};
	int rc = xlsx_begin(&x.w, "Export", xlsx_sink, &x);
	if (rc == 0)
		rc = xlsx_row(&x.w, kind == EXPORT_RDVS ? export_rdv_header : export_participation_header,
			      kind == EXPORT_RDVS ? EXPORT_RDV_COLUMNS : EXPORT_PARTICIPATION_COLUMNS, XLSX_BOLD, 0);
	if (rc == 0)
		rc = export_run(db, a, kind, f, xlsx_cb, &x);
	int end = xlsx_end(&x.w);
	return rc ? rc : end;
}
