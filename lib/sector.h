/*
 * sector.h - sectorisation: which organisations and agents serve an address,
 * and the zones CSV format the administration imports and exports.
 *
 * Owns: the routing rule (address → matching zones → sectors → attributions)
 * shared by the public search and the admin "tester une adresse" page, and
 * the pure parser of the zones CSV file (no I/O: fuzzable).
 *
 * Routing rule (the same as the public search, cgi-bin/search/search.h): the
 * sectors with a street zone of the address's BAN street id
 * ("<code_insee>_<fantoir>", addresses.street_id) — a street in two sectors
 * gives both —, and only when no street zone matches, the sectors with a city
 * zone of its INSEE code. (RDV-Solidarités' GeoSearch ORs both; our users
 * asked that a street carved out of a commune go to its own sector.) Organisation-level
 * attributions give organisations; agent-level attributions give agents
 * (each with the organisation they are attributed in).
 */
#ifndef RDV_SECTOR_H
#define RDV_SECTOR_H

#include <stddef.h>

#include "arena.h"
#include "db.h"

struct sector_match {
	size_t n_sectors;
	long long *sector_ids;             /* arena, distinct, ascending */
	size_t n_organisations;
	long long *organisation_ids;       /* organisation-level attributions, distinct, ascending */
	size_t n_agents;
	long long *agent_ids;              /* agent-level attributions, distinct agent × organisation */
	long long *agent_organisation_ids; /* parallel to agent_ids: the organisation of the attribution */
};

/*
 * Routes an address of territory_id. city_code is the INSEE code (required:
 * NULL or "" gives an empty match); street_ban_id may be NULL or "" (then
 * only city zones match). Arrays are allocated in a (valid until the arena
 * is reset); out is zeroed first. Returns 0, RDV_ENOMEM or a db error.
 */
int sector_route(struct db *db, struct arena *a, long long territory_id, const char *city_code,
		 const char *street_ban_id, struct sector_match *out);

/* ---------------------------------------------------------------- zones CSV
 *
 * The file: UTF-8 (an optional BOM is skipped), ";" or "," separated (the
 * header line decides), fields optionally in double quotes ("" inside a
 * quoted field is one quote), LF or CRLF line ends, a header line naming the
 * columns in any order:
 *   sector_id    the secteur's human id            required
 *   city_code    INSEE code of the commune          required
 *   city_name    name of the commune                optional
 *   street_name  name of the street                 optional
 *   street_code  BAN street id "<city_code>_<xxxx>" optional (street zone when set)
 * Other columns (sector_name, as in our export) are ignored, so an exported
 * file imports back unchanged. Blank lines are skipped.
 */

#define SECTOR_CSV_MAX_ROWS 50000

struct sector_zone_row {
	int line;                 /* 1-based line number in the file */
	const char *sector_human_id;
	const char *city_code;
	const char *city_name;    /* "" when absent */
	const char *street_name;  /* NULL for a city zone */
	const char *street_ban_id;/* NULL for a city zone */
};

struct sector_csv_error {
	int line;                 /* 1-based; 0 for the file as a whole */
	const char *message;      /* French sentence, arena or static */
};

struct sector_csv_result {
	struct sector_zone_row *rows;   /* valid rows, in file order */
	size_t n_rows;
	struct sector_csv_error *errors;/* every bad line, in file order */
	size_t n_errors;
};

/*
 * Parses buf[0..len) (need not be NUL-terminated). departement, when not
 * NULL or "", is the territory's number: every city_code must start with it.
 * Valid rows and per-line errors both go into out (arena memory). Duplicate
 * zones inside the file are errors that name the first line. Returns 0 (even
 * with line errors: look at out->n_errors), RDV_ENOMEM, or RDV_ETOOBIG past
 * SECTOR_CSV_MAX_ROWS lines (out then holds one error for line 0).
 */
int sector_zones_csv_parse(struct arena *a, const char *buf, size_t len, const char *departement,
			   struct sector_csv_result *out);

/* 1 when s is a valid secteur human id (^[a-z0-9_-]{1,64}$), else 0. */
int sector_valid_human_id(const char *s);
/* 1 when s is an INSEE commune code (^[0-9][0-9AB][0-9]{3}$, 2A/2B Corsica), else 0. */
int sector_valid_city_code(const char *s);
/* 1 when s is a BAN street id of city_code: "<city_code>_" then 4 to 10 letters or digits. */
int sector_valid_street_id(const char *s, const char *city_code);

#endif
