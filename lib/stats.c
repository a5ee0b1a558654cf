/*
 * stats.c - weekly statistics from stats_weekly (stats.h).
 */
#include "stats.h"
#include "rdv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scope filter shared by every query: $1 scope kind, $2 id, $3 weeks. */
#define SCOPE_WHERE \
	" WHERE week >= date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date - ($3::int - 1) * 7" \
	" AND (($1 = 'organisation' AND organisation_id = $2::bigint) OR ($1 = 'territory' AND territory_id = $2::bigint)" \
	"      OR $1 = 'instance')"

static const char *scope_name(enum stats_scope s)
{
	return s == STATS_ORGANISATION ? "organisation" : s == STATS_TERRITORY ? "territory" : "instance";
}

const char *stats_label(const char *dimension, const char *key)
{
	static const struct { const char *dim, *key, *label; } labels[] = {
		{"origin", "agent", "Créés par un agent"},
		{"origin", "user", "Pris sur internet"},
		{"origin", "prescripteur", "Créés par un prescripteur"},
		{"origin", "file_attente", "File d'attente"},
		{"status", "unknown_future", "À venir"},
		{"status", "unknown_past", "À renseigner"},
		{"status", "seen", "Présent"},
		{"status", "noshow", "Absence non excusée"},
		{"status", "excused", "Absence excusée"},
		{"status", "revoked", "Annulé par le service"},
		{"location_type", "public_office", "Sur place"},
		{"location_type", "phone", "Par téléphone"},
		{"location_type", "home", "À domicile"},
		{"location_type", "visio", "Par visioconférence"},
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].dim, dimension) == 0 && strcmp(labels[i].key, key) == 0)
			return labels[i].label;
	return key;   /* services and motifs are their own names */
}

static int find(const char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return (int)i;
	return -1;
}

int stats_series_load(struct db *db, struct arena *a, const struct stats_query *q, const char *dimension,
		      struct stats_series *out)
{
	memset(out, 0, sizeof(*out));
	out->dimension = dimension;
	const char *weeks = db_int(a, q->weeks);
	PGresult *w = db_q(db,
		"SELECT to_char(d, 'YYYY-MM-DD') FROM generate_series("
		" date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date - ($1::int - 1) * 7,"
		" date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date, interval '7 days') d", weeks);
	if (w == NULL)
		return db->err;
	out->n_weeks = (size_t)PQntuples(w);
	out->weeks = arena_calloc(a, out->n_weeks + 1, sizeof(char *));
	for (size_t i = 0; out->weeks && i < out->n_weeks; i++)
		out->weeks[i] = db_dup(a, w, (int)i, 0);
	PQclear(w);
	PGresult *r = db_q(db,
		"SELECT to_char(week, 'YYYY-MM-DD'), key, sum(value) FROM stats_weekly" SCOPE_WHERE
		" AND dimension = $4 GROUP BY week, key ORDER BY key, week",
		scope_name(q->scope), db_int(a, q->id), weeks, dimension);
	if (r == NULL)
		return db->err;
	int n = PQntuples(r);
	out->keys = arena_calloc(a, (size_t)n + 1, sizeof(char *));
	out->labels = arena_calloc(a, (size_t)n + 1, sizeof(char *));
	out->values = arena_calloc(a, ((size_t)n + 1) * (out->n_weeks + 1), sizeof(long long));
	out->key_totals = arena_calloc(a, (size_t)n + 1, sizeof(long long));
	if (out->weeks == NULL || out->keys == NULL || out->labels == NULL || out->values == NULL || out->key_totals == NULL) {
		PQclear(r);
		return RDV_ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		const char *key = db_val(r, i, 1);
		int k = find(out->keys, out->n_keys, key);
		if (k < 0) {
			k = (int)out->n_keys++;
			out->keys[k] = db_dup(a, r, i, 1);
			out->labels[k] = stats_label(dimension, out->keys[k]);
		}
		int wk = find(out->weeks, out->n_weeks, db_val(r, i, 0));
		long long v = db_ll(r, i, 2);
		if (wk >= 0)
			out->values[(size_t)k * out->n_weeks + (size_t)wk] = v;
		out->key_totals[k] += v;
	}
	PQclear(r);
	return 0;
}

int stats_summary_load(struct db *db, struct arena *a, const struct stats_query *q, struct stats_summary *out)
{
	memset(out, 0, sizeof(*out));
	PGresult *r = db_q(db,
		"SELECT coalesce(sum(value) FILTER (WHERE dimension = 'total'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'status' AND key = 'seen'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'status' AND key = 'noshow'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'status' AND key = 'excused'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'status' AND key = 'revoked'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'delay' AND key = 'days'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'delay' AND key = 'rdvs'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'users'), 0),"
		" coalesce(sum(value) FILTER (WHERE dimension = 'agents' AND week ="
		"   date_trunc('week', now() AT TIME ZONE 'Europe/Paris')::date - 7), 0),"
		" (SELECT to_char(max(refreshed_at), 'DD/MM/YYYY à HH24\"h\"MI') FROM stats_refreshes)"
		" FROM stats_weekly" SCOPE_WHERE,
		scope_name(q->scope), db_int(a, q->id), db_int(a, q->weeks));
	if (r == NULL)
		return db->err;
	out->rdvs = db_ll(r, 0, 0);
	out->seen = db_ll(r, 0, 1);
	out->noshow = db_ll(r, 0, 2);
	out->excused = db_ll(r, 0, 3);
	out->revoked = db_ll(r, 0, 4);
	long long days = db_ll(r, 0, 5), counted = db_ll(r, 0, 6);
	out->users = db_ll(r, 0, 7);
	out->active_agents_last_week = db_ll(r, 0, 8);
	out->refreshed_at = db_dup(a, r, 0, 9);
	PQclear(r);
	out->noshow_rate = out->seen + out->noshow > 0 ? (double)out->noshow / (double)(out->seen + out->noshow) : 0;
	out->avg_delay_days = counted > 0 ? (double)days / (double)counted : 0;
	return 0;
}

/* DSFR-like palette, enough for the stacked keys; past it colours repeat. */
static const char *const palette[] = {"#000091", "#6a6af4", "#009081", "#c3992a", "#ce614a", "#a558a0",
				      "#417dc4", "#8585f6", "#66673d", "#e4794a"};

int stats_svg(const struct stats_series *s, const char *title, struct buf *out)
{
	const int W = 720, H = 260, left = 40, bottom = 40, top = 10;
	long long max = 1;
	for (size_t w = 0; w < s->n_weeks; w++) {
		long long sum = 0;
		for (size_t k = 0; k < s->n_keys; k++)
			sum += s->values[k * s->n_weeks + w];
		if (sum > max)
			max = sum;
	}
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
		   "aria-label=\"", W, H);
	buf_put_html(out, title);
	buf_puts(out, " (les valeurs sont détaillées dans le tableau)\" class=\"rdv-chart\">");
	double bw = s->n_weeks ? (double)(W - left - 10) / (double)s->n_weeks : 0;
	for (size_t w = 0; w < s->n_weeks; w++) {
		double y = H - bottom;
		for (size_t k = 0; k < s->n_keys; k++) {
			long long v = s->values[k * s->n_weeks + w];
			if (v == 0)
				continue;
			double h = (double)v * (H - bottom - top) / (double)max;
			y -= h;
			buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
				   left + (double)w * bw + 2, y, bw > 4 ? bw - 4 : bw, h, palette[k % 10]);
			buf_put_html(out, s->labels[k]);
			buf_printf(out, " – semaine du %s : %lld</title></rect>", s->weeks[w], v);
		}
		if (s->n_weeks <= 16 || w % 4 == 0)
			buf_printf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%.5s</text>",
				   left + (double)w * bw + bw / 2, H - bottom + 14, s->weeks[w] + 5);
	}
	buf_printf(out, "<text x=\"4\" y=\"%d\" font-size=\"10\">%lld</text>", top + 8, max);
	buf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#666\"/>", left, H - bottom, W - 10, H - bottom);
	/* legend */
	for (size_t k = 0; k < s->n_keys && k < 10; k++) {
		buf_printf(out, "<rect x=\"%zu\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", (size_t)left + k * 130,
			   H - 16, palette[k % 10]);
		buf_printf(out, "<text x=\"%zu\" y=\"%d\" font-size=\"10\">", (size_t)left + k * 130 + 14, H - 7);
		buf_put_html(out, s->labels[k]);
		buf_puts(out, "</text>");
	}
	buf_puts(out, "</svg>");
	return out->oom ? RDV_ENOMEM : 0;
}
