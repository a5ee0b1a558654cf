/* sector.c - sectorisation routing and the zones CSV parser (sector.h). */
#include "sector.h"

#include <string.h>

#include "http.h"
#include "rdv.h"

/* ------------------------------------------------------------------ routing */

int sector_route(struct db *db, struct arena *a, long long territory_id, const char *city_code,
		 const char *street_ban_id, struct sector_match *out)
{
	memset(out, 0, sizeof(*out));
	if (city_code == NULL || city_code[0] == '\0')
		return 0;
	const char *street = street_ban_id != NULL && street_ban_id[0] ? street_ban_id : NULL;
	const char *terr = db_int(a, territory_id);
	/* One query: sectors, then the attributions of those sectors, tagged by kind. */
	PGresult *r = db_q(db,
		"WITH st AS (SELECT DISTINCT z.sector_id AS id FROM zones z JOIN sectors s ON s.id = z.sector_id"
		"  WHERE s.territory_id = $1 AND z.level = 'street' AND z.street_ban_id = $3),"
		/* the commune's sectors only when no street zone matches (as the public search) */
		" s AS (SELECT id FROM st UNION SELECT DISTINCT z.sector_id FROM zones z JOIN sectors s ON s.id = z.sector_id"
		"  WHERE s.territory_id = $1 AND z.level = 'city' AND z.city_code = $2 AND NOT EXISTS (SELECT 1 FROM st))"
		" SELECT 0, id, 0 FROM s"
		" UNION SELECT 1, sa.organisation_id, 0 FROM sector_attributions sa JOIN s ON s.id = sa.sector_id"
		"  WHERE sa.level = 'organisation'"
		" UNION SELECT 2, sa.agent_id, sa.organisation_id FROM sector_attributions sa JOIN s ON s.id = sa.sector_id"
		"  JOIN agents ag ON ag.id = sa.agent_id AND ag.deleted_at IS NULL WHERE sa.level = 'agent'"
		" ORDER BY 1, 2, 3",
		terr, city_code, street);
	if (r == NULL)
		return db->err;
	int rows = PQntuples(r);
	int rc = 0;
	if (rows > 0) {
		out->sector_ids = arena_calloc(a, (size_t)rows, sizeof(long long));
		out->organisation_ids = arena_calloc(a, (size_t)rows, sizeof(long long));
		out->agent_ids = arena_calloc(a, (size_t)rows, sizeof(long long));
		out->agent_organisation_ids = arena_calloc(a, (size_t)rows, sizeof(long long));
		if (!out->sector_ids || !out->organisation_ids || !out->agent_ids || !out->agent_organisation_ids)
			rc = RDV_ENOMEM;
	}
	for (int i = 0; rc == 0 && i < rows; i++) {
		long long kind = db_ll(r, i, 0), id = db_ll(r, i, 1);
		if (kind == 0) {
			out->sector_ids[out->n_sectors++] = id;
		} else if (kind == 1) {
			out->organisation_ids[out->n_organisations++] = id;
		} else {
			out->agent_organisation_ids[out->n_agents] = db_ll(r, i, 2);
			out->agent_ids[out->n_agents++] = id;
		}
	}
	PQclear(r);
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---------------------------------------------------------------- validators */

int sector_valid_human_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

int sector_valid_city_code(const char *s)
{
	if (s == NULL || strlen(s) != 5)
		return 0;
	return is_digit(s[0]) && (is_digit(s[1]) || s[1] == 'A' || s[1] == 'B') && is_digit(s[2]) &&
	       is_digit(s[3]) && is_digit(s[4]);
}

int sector_valid_street_id(const char *s, const char *city_code)
{
	if (s == NULL || city_code == NULL)
		return 0;
	size_t cn = strlen(city_code);
	if (cn == 0 || strncmp(s, city_code, cn) != 0 || s[cn] != '_')
		return 0;
	const char *f = s + cn + 1;
	size_t n = strlen(f);
	if (n < 4 || n > 10)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = f[i];
		if (!(is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
			return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- CSV parser */

#define MAX_FIELDS 32

enum col { COL_SECTOR, COL_CITY_CODE, COL_CITY_NAME, COL_STREET_NAME, COL_STREET_CODE, COL_N };
static const char *const col_names[COL_N] = {"sector_id", "city_code", "city_name", "street_name", "street_code"};

/* A record being split: fields point into the arena. */
struct record {
	int line;           /* line where the record starts */
	int n;
	const char *fields[MAX_FIELDS];
	int too_many;
	int bad_quote;
};

struct scanner {
	const char *p, *end;
	int line;
	char sep;
	struct arena *a;
};

/* Reads one field; stops at sep, line end or end of input. */
static char *scan_field(struct scanner *s, int *bad_quote)
{
	struct buf b = BUF_INIT;
	char *out;
	if (s->p < s->end && *s->p == '"') {
		s->p++;
		for (;;) {
			/* A quoted field never spans lines: zone files have no use for
			 * it, and a stray quote then spoils one line, not the rest. */
			if (s->p >= s->end || *s->p == '\n' || *s->p == '\r') {
				*bad_quote = 1;
				break;
			}
			char ch = *s->p++;
			if (ch == '"') {
				if (s->p < s->end && *s->p == '"') {
					buf_putc(&b, '"');
					s->p++;
					continue;
				}
				break;
			}
			buf_putc(&b, ch);
		}
		/* Anything between the closing quote and the separator is an error. */
		while (s->p < s->end && *s->p != s->sep && *s->p != '\n' && *s->p != '\r') {
			if (*s->p != ' ' && *s->p != '\t')
				*bad_quote = 1;
			s->p++;
		}
	} else {
		const char *st = s->p;
		while (s->p < s->end && *s->p != s->sep && *s->p != '\n' && *s->p != '\r')
			s->p++;
		buf_append(&b, st, (size_t)(s->p - st));
	}
	out = b.oom ? NULL : arena_strndup(s->a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return out;
}

/* Splits the next record. 0 at end of input, 1 with a record, RDV_ENOMEM. */
static int scan_record(struct scanner *s, struct record *r)
{
	if (s->p >= s->end)
		return 0;
	memset(r, 0, sizeof(*r));
	r->line = s->line;
	for (;;) {
		char *f = scan_field(s, &r->bad_quote);
		if (f == NULL)
			return RDV_ENOMEM;
		if (r->n < MAX_FIELDS)
			r->fields[r->n++] = f;
		else
			r->too_many = 1;
		if (s->p < s->end && *s->p == s->sep) {
			s->p++;
			continue;
		}
		break;
	}
	if (s->p < s->end && *s->p == '\r')
		s->p++;
	if (s->p < s->end && *s->p == '\n')
		s->p++;
	s->line++;
	return 1;
}

/* Trims ASCII spaces in place (the field is an arena copy). */
static const char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int record_blank(const struct record *r)
{
	for (int i = 0; i < r->n; i++)
		if (trim((char *)r->fields[i])[0] != '\0')
			return 0;
	return 1;
}

struct parse {
	struct arena *a;
	struct sector_csv_result *out;
	size_t cap_rows, cap_errors;
	int idx[COL_N];        /* column index of each known column, -1 if absent */
	int n_columns;
	const char *departement;
};

static int add_error(struct parse *ps, int line, const char *msg)
{
	struct sector_csv_result *o = ps->out;
	if (o->n_errors == ps->cap_errors) {
		size_t cap = ps->cap_errors ? ps->cap_errors * 2 : 16;
		struct sector_csv_error *e = arena_alloc(ps->a, cap * sizeof(*e));
		if (e == NULL)
			return RDV_ENOMEM;
		if (o->n_errors)
			memcpy(e, o->errors, o->n_errors * sizeof(*e));
		o->errors = e;
		ps->cap_errors = cap;
	}
	o->errors[o->n_errors++] = (struct sector_csv_error){line, msg};
	return 0;
}

static int add_row(struct parse *ps, const struct sector_zone_row *row)
{
	struct sector_csv_result *o = ps->out;
	if (o->n_rows == ps->cap_rows) {
		size_t cap = ps->cap_rows ? ps->cap_rows * 2 : 64;
		struct sector_zone_row *v = arena_alloc(ps->a, cap * sizeof(*v));
		if (v == NULL)
			return RDV_ENOMEM;
		if (o->n_rows)
			memcpy(v, o->rows, o->n_rows * sizeof(*v));
		o->rows = v;
		ps->cap_rows = cap;
	}
	o->rows[o->n_rows++] = *row;
	return 0;
}

/* A header error stops the parse: 1, or RDV_ENOMEM. */
static int header_error(struct parse *ps, int line, const char *msg)
{
	int rc = add_error(ps, line, msg ? msg : "En-tête invalide.");
	return rc < 0 ? rc : 1;
}

/* The header: which known column sits where. 0, or a file-level error. */
static int parse_header(struct parse *ps, const struct record *r)
{
	for (int c = 0; c < COL_N; c++)
		ps->idx[c] = -1;
	ps->n_columns = r->n;
	for (int i = 0; i < r->n; i++) {
		const char *name = trim((char *)r->fields[i]);
		for (int c = 0; c < COL_N; c++) {
			if (strcmp(name, col_names[c]) != 0)
				continue;
			if (ps->idx[c] >= 0)
				return header_error(ps, r->line, arena_printf(ps->a,
					"La colonne « %s » apparaît deux fois dans l'en-tête.", name));
			ps->idx[c] = i;
		}
	}
	if (ps->idx[COL_SECTOR] < 0 || ps->idx[COL_CITY_CODE] < 0)
		return header_error(ps, r->line, "L'en-tête doit contenir au moins les colonnes « sector_id » et "
					      "« city_code » (colonnes possibles : sector_id, city_code, city_name, "
					      "street_name, street_code).");
	return 0;
}

static const char *field(const struct parse *ps, const struct record *r, int c)
{
	int i = ps->idx[c];
	if (i < 0 || i >= r->n)
		return "";
	return trim((char *)r->fields[i]);
}

/* Validates one data record; the French reason or NULL when the row is good. */
static const char *check_record(struct parse *ps, const struct record *r, struct sector_zone_row *row)
{
	if (r->bad_quote)
		return "Guillemets mal fermés.";
	if (r->too_many || r->n != ps->n_columns)
		return arena_printf(ps->a, "Nombre de colonnes incorrect : %d au lieu de %d.", r->n, ps->n_columns);
	const char *sector = field(ps, r, COL_SECTOR), *city = field(ps, r, COL_CITY_CODE);
	const char *street = field(ps, r, COL_STREET_CODE);
	if (sector[0] == '\0')
		return "Identifiant de secteur (sector_id) manquant.";
	if (!sector_valid_human_id(sector))
		return arena_printf(ps->a, "Identifiant de secteur « %s » invalide : lettres minuscules, chiffres, "
					   "« - » et « _ » seulement.", sector);
	if (city[0] == '\0')
		return "Code commune (city_code) manquant.";
	if (!sector_valid_city_code(city))
		return arena_printf(ps->a, "Code commune « %s » invalide : 5 caractères, code INSEE.", city);
	if (ps->departement && ps->departement[0] &&
	    strncmp(city, ps->departement, strlen(ps->departement)) != 0)
		return arena_printf(ps->a, "La commune « %s » n'est pas dans le département %s.", city,
				    ps->departement);
	if (street[0] != '\0' && !sector_valid_street_id(street, city))
		return arena_printf(ps->a, "Identifiant de voie « %s » invalide : il doit commencer par « %s_ » "
					   "(code commune) suivi du code FANTOIR.", street, city);
	*row = (struct sector_zone_row){.line = r->line, .sector_human_id = sector, .city_code = city,
					.city_name = field(ps, r, COL_CITY_NAME)};
	if (street[0] != '\0') {
		row->street_ban_id = street;
		row->street_name = field(ps, r, COL_STREET_NAME);
	}
	return NULL;
}

/* Same zone twice in the file: the line that has it first, else 0. Quadratic
 * only over rows of the same sector and commune would be nicer; files are
 * capped, and this runs in a dry run, so a linear scan per row is fine up to
 * a few thousand lines; past that a sort would be needed. */
static int duplicate_of(const struct sector_csv_result *o, const struct sector_zone_row *row)
{
	for (size_t i = 0; i < o->n_rows; i++) {
		const struct sector_zone_row *p = &o->rows[i];
		if (strcmp(p->sector_human_id, row->sector_human_id) != 0)
			continue;
		if (row->street_ban_id == NULL && p->street_ban_id == NULL && strcmp(p->city_code, row->city_code) == 0)
			return p->line;
		if (row->street_ban_id != NULL && p->street_ban_id != NULL &&
		    strcmp(p->street_ban_id, row->street_ban_id) == 0)
			return p->line;
	}
	return 0;
}

static char detect_separator(const char *p, const char *end)
{
	int semi = 0, comma = 0;
	for (; p < end && *p != '\n'; p++) {
		semi += *p == ';';
		comma += *p == ',';
	}
	return comma > semi ? ',' : ';';
}

static int parse_records(struct parse *ps, struct scanner *s)
{
	struct record r;
	int rc, have_header = 0, count = 0;
	while ((rc = scan_record(s, &r)) == 1) {
		if (record_blank(&r))
			continue;
		if (!have_header) {
			have_header = 1;
			rc = parse_header(ps, &r);
			if (rc != 0)
				return rc < 0 ? rc : 0;
			continue;
		}
		if (++count > SECTOR_CSV_MAX_ROWS) {
			ps->out->n_rows = ps->out->n_errors = 0;
			add_error(ps, 0, "Le fichier dépasse 50 000 lignes : découpez-le en plusieurs imports.");
			return RDV_ETOOBIG;
		}
		struct sector_zone_row row;
		const char *msg = check_record(ps, &r, &row);
		int dup = msg == NULL ? duplicate_of(ps->out, &row) : 0;
		if (dup)
			msg = arena_printf(ps->a, "Zone en double : déjà présente ligne %d.", dup);
		rc = msg ? add_error(ps, r.line, msg) : add_row(ps, &row);
		if (rc != 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (!have_header)
		return add_error(ps, 0, "Le fichier est vide.");
	return 0;
}

int sector_zones_csv_parse(struct arena *a, const char *buf, size_t len, const char *departement,
			   struct sector_csv_result *out)
{
	memset(out, 0, sizeof(*out));
	struct parse ps = {.a = a, .out = out, .departement = departement};
	if (buf == NULL)
		len = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (!utf8_valid(buf, len))
		return add_error(&ps, 0, "Le fichier n'est pas encodé en UTF-8 (ou contient des caractères nuls) : "
					 "enregistrez-le en « CSV UTF-8 ».");
	struct scanner s = {.p = buf, .end = buf + len, .line = 1, .a = a};
	s.sep = detect_separator(buf, buf + len);
	return parse_records(&ps, &s);
}
