/*
 * series.h - the agent pages plages d'ouverture and absences have in
 * common: both are series (a dated window, an optional recurrence rule,
 * deleted and moved occurrences) with the same ten routes. series.c owns
 * the flow of those routes (parse, check access with plages_may, call
 * lib/plages, render, flash, redirect); plages.c and absences.c each give a
 * struct series_kind: names, templates, the SQL of their list and the
 * calls into lib/plages for their own struct.
 */
#ifndef RDV_BOOKING_SERIES_H
#define RDV_BOOKING_SERIES_H

#include "booking.h"
#include "plages.h"

/* The form as typed (kept after an error) or as stored (edit); a kind
 * reads only its own fields (lieu and motifs: plages; end day: absences). */
struct series_form {
	const char *agent_id, *lieu_id, *title, *first_day, *start_time, *end_day, *end_time;
	const char *rec, *interval, *until;
	unsigned weekdays;
	const char *motifs[PLAGES_MAX_MOTIFS + 1];
	size_t n_motifs;
};

/* A plage or an absence (as), with what the shared pages read of it
 * (series.c fills these from as). */
struct series_item {
	long long id, agent_id, exception_of_id;
	const char *title;
	struct series series;                   /* no exceptions */
	union {
		struct plage plage;
		struct absence absence;
	} as;
};

struct series_kind {
	int absence;                            /* it->as is an absence (1) or a plage (0) */
	const char *segment;                    /* URL part after /agent/organisations/N/ */
	const char *list_title, *list_loop;     /* index page title, loop of its rows */
	const char *new_title, *edit_title;
	const char *created, *updated, *deleted; /* flash messages */
	int flash_names_day;                    /* "occurrence deleted" names the day */
	const char *not_an_occurrence;          /* error of a day outside the series */
	const char *default_end_time;           /* new form */
	const char *tmpl_index, *tmpl_form, *tmpl_show, *tmpl_move;
	/* The list, columns 0-3 id, title, recurrence, moved, then the kind's:
	 * count and page of ($1 org, $2 agent[, $3 limit, $4 offset]). */
	const char *sql_count, *sql_page;
	/* The exception days of $1, as day numbers, sorted. */
	const char *sql_exceptions;
	/* What only the kind has: list row columns, form fields (to the form
	 * from a stored item, then to the page), show page variables. */
	void (*index_row)(struct ctx *c, PGresult *r, int i, struct tmpl_vars *row);
	void (*form_from_item)(struct ctx *c, const struct series_item *it, struct series_form *f);
	int (*form_vars)(struct ctx *c, long long org, const struct series_form *f);
	int (*show_vars)(struct ctx *c, const struct series_item *it);
	/* The form (rule NULL: none) → it->as by the kind's *_validate:
	 * 0, RDV_EINVAL (errors filled) or a db error. */
	int (*validate)(struct ctx *c, long long org, const struct series_form *f, const struct recurrence *rule,
			struct series_item *it, json_t *errors);
};

/* The ten routes of a kind. */
int series_index(struct ctx *c, const struct series_kind *k);
int series_new(struct ctx *c, const struct series_kind *k);
int series_create(struct ctx *c, const struct series_kind *k);
int series_show(struct ctx *c, const struct series_kind *k);
int series_edit(struct ctx *c, const struct series_kind *k);
int series_update(struct ctx *c, const struct series_kind *k);
int series_delete(struct ctx *c, const struct series_kind *k);
int series_occurrence_delete(struct ctx *c, const struct series_kind *k);
int series_occurrence_move_form(struct ctx *c, const struct series_kind *k);
int series_occurrence_move(struct ctx *c, const struct series_kind *k);

/* The route table `table` of kind under pattern prefix (route handlers
 * take no argument: one static wrapper per route binds the kind). */
#define SERIES_HANDLER(table, route, kind) \
	static int table##_##route(struct ctx *c) { return series_##route(c, &(kind)); }
#define SERIES_ROUTE_TABLE(table, prefix, kind) \
	SERIES_HANDLER(table, index, kind) \
	SERIES_HANDLER(table, new, kind) \
	SERIES_HANDLER(table, create, kind) \
	SERIES_HANDLER(table, show, kind) \
	SERIES_HANDLER(table, edit, kind) \
	SERIES_HANDLER(table, update, kind) \
	SERIES_HANDLER(table, delete, kind) \
	SERIES_HANDLER(table, occurrence_delete, kind) \
	SERIES_HANDLER(table, occurrence_move_form, kind) \
	SERIES_HANDLER(table, occurrence_move, kind) \
	ROUTE_TABLE(table, \
		{HTTP_GET, prefix, table##_index, ROUTE_AGENT, 0}, \
		{HTTP_GET, prefix "/new", table##_new, ROUTE_AGENT, 0}, \
		{HTTP_POST, prefix, table##_create, ROUTE_AGENT, 0}, \
		{HTTP_GET, prefix "/:id", table##_show, ROUTE_AGENT, 0}, \
		{HTTP_GET, prefix "/:id/edit", table##_edit, ROUTE_AGENT, 0}, \
		{HTTP_POST, prefix "/:id", table##_update, ROUTE_AGENT, 0}, \
		{HTTP_POST, prefix "/:id/delete", table##_delete, ROUTE_AGENT, 0}, \
		{HTTP_POST, prefix "/:id/occurrences/delete", table##_occurrence_delete, ROUTE_AGENT, 0}, \
		{HTTP_GET, prefix "/:id/occurrences/move", table##_occurrence_move_form, ROUTE_AGENT, 0}, \
		{HTTP_POST, prefix "/:id/occurrences/move", table##_occurrence_move, ROUTE_AGENT, 0}, \
	)

#endif
