/*
 * exports.h - the RDV and participation exports (XLSX and CSV), with exactly
 * the reference's columns in the reference's order: départements parse them
 * by position, so new columns only ever go at the end.
 *
 * Rows come from one SQL statement read through a server-side cursor
 * (1,000 rows at a time) and are handed to a row callback: memory stays flat
 * whatever the number of rows. Cells are strings formatted as the reference
 * formats them ("07/12/2020", "12h50", "Créé par un agent", …).
 */
#ifndef RDV_EXPORT_H_LIB
#define RDV_EXPORT_H_LIB

#include "arena.h"
#include "db.h"
#include "http.h"

enum export_kind { EXPORT_RDVS, EXPORT_PARTICIPATIONS };

#define EXPORT_RDV_COLUMNS 22
#define EXPORT_PARTICIPATION_COLUMNS 24
extern const char *const export_rdv_header[EXPORT_RDV_COLUMNS];
extern const char *const export_participation_header[EXPORT_PARTICIPATION_COLUMNS];

struct export_filter {
	const long long *org_ids;   /* organisations to export (already checked by the caller) */
	size_t n_orgs;
	long long viewer_id;        /* rows limited to agendas the viewer may read… */
	int all_agendas;            /* …unless the caller checked a territory-wide right */
	const char *from;           /* "YYYY-MM-DD" inclusive, or NULL */
	const char *to;             /* "YYYY-MM-DD" inclusive, or NULL */
	long long agent_id, lieu_id, motif_id;   /* 0 = any */
	const char *status;         /* rdv_status value, "unknown_past", "unknown_future", or NULL */
};

/* Called for each row; cells[i] may be NULL (empty cell). Non-zero stops. */
typedef int (*export_row_fn)(void *arg, const char *const *cells, int n);

/* Runs the export query and calls fn per row. Returns 0 or an rdv_err. */
int export_run(struct db *db, struct arena *a, enum export_kind kind, const struct export_filter *f,
	       export_row_fn fn, void *arg);

/* The reference's file name: export-rdv-YYYY-MM-DD[-org-NNNNNN].ext (the
 * organisation id on 6 digits when a single organisation). */
const char *export_filename(struct arena *a, enum export_kind kind, const struct export_filter *f,
			    const char *ext);

/* Streams the export as XLSX (lib/xlsx: deflated as rows come, no
 * temporary file); the response starts with the first 64 KiB. */
int export_xlsx(struct db *db, struct arena *a, enum export_kind kind, const struct export_filter *f,
		struct http_response *res);
/* Streams the export as CSV for Excel (lib/csv). */
int export_csv(struct db *db, struct arena *a, enum export_kind kind, const struct export_filter *f,
	       struct http_response *res);

#endif
