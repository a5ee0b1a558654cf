/*
 * usager.c - usagers: validation, duplicates, search, writes (usager.h).
 *
 * Every scoped statement starts with the same three parameters, $1 the
 * organisation, $2 "sees the whole territory", $3 the territory, tested by
 * SCOPE_SQL; the id or search values follow. Statements are constants (the
 * prepared-statement cache is keyed by their text), so each search kind has
 * its own statement rather than one statement full of "$n IS NULL OR …",
 * which a generic plan could not index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "buf.h"
#include "notify.h"
#include "rdv.h"
#include "tz.h"
#include "usager.h"
#include "valid.h"

const char *const usager_field_names[UF_COUNT] = {
#define USAGER_NAME(n) #n,
	USAGER_FIELDS(USAGER_NAME)
#undef USAGER_NAME
};

/* The column of each field in UC_* order (-1: notes, kept in user_profiles). */
static const int field_col[UF_COUNT] = {
	UC_FIRST_NAME, UC_LAST_NAME, UC_BIRTH_NAME, UC_BIRTH_DATE, UC_EMAIL, UC_PHONE, UC_ADDRESS,
	UC_ADDRESS_DETAILS, UC_POST_CODE, UC_CITY_CODE, UC_CITY_NAME, UC_CAISSE, UC_AFFILIATION_NUMBER,
	UC_FAMILY_SITUATION, UC_NUMBER_OF_CHILDREN, UC_LOGEMENT, UC_CASE_NUMBER, UC_NOTIFY_SMS, UC_NOTIFY_EMAIL, -1,
};

#define COLS \
	" u.id, u.first_name, u.last_name, u.birth_name, to_char(u.birth_date, 'YYYY-MM-DD'), u.email::text," \
	" u.phone_number_formatted, u.address, u.responsible_id, u.notify_by_sms, u.notify_by_email," \
	" u.phone_number, u.address_details, u.post_code, u.city_code, u.city_name, u.caisse_affiliation," \
	" u.affiliation_number, u.family_situation, u.number_of_children, u.logement, u.case_number," \
	" u.deleted_at, (SELECT r.first_name || ' ' || upper(r.last_name) FROM users r WHERE r.id = u.responsible_id)"

#define SCOPE_SQL \
	" EXISTS (SELECT 1 FROM user_profiles sp JOIN organisations so ON so.id = sp.organisation_id" \
	" WHERE sp.user_id = u.id AND (sp.organisation_id = $1 OR ($2::boolean AND so.territory_id = $3)))"

#define IN_TERRITORY_SQL(t) \
	" EXISTS (SELECT 1 FROM user_profiles tp JOIN organisations tor ON tor.id = tp.organisation_id" \
	" WHERE tp.user_id = u.id AND tor.territory_id = " t ")"

#define SCOPE_PARAMS(a, s) db_int((a), (s)->org_id), (s)->territory_wide ? "t" : "f", db_int((a), (s)->territory_id)

/* ------------------------------------------------------------ scope */

int usager_scope_load(struct db *db, long long agent_id, long long org_id, struct usager_scope *out)
{
	char ids[2][24];
	snprintf(ids[0], sizeof(ids[0]), "%lld", agent_id);
	snprintf(ids[1], sizeof(ids[1]), "%lld", org_id);
	PGresult *r = db_q(db,
		"SELECT o.territory_id, t.visible_users_throughout_the_territory OR EXISTS (SELECT 1"
		" FROM agent_territorial_roles tr WHERE tr.agent_id = $1 AND tr.territory_id = o.territory_id),"
		" t.enable_notes_field, t.enable_caisse_affiliation_field, t.enable_affiliation_number_field,"
		" t.enable_family_situation_field, t.enable_number_of_children_field, t.enable_logement_field,"
		" t.enable_case_number, t.enable_address_details"
		" FROM agent_roles ar JOIN organisations o ON o.id = ar.organisation_id"
		" JOIN territories t ON t.id = o.territory_id WHERE ar.agent_id = $1 AND ar.organisation_id = $2",
		ids[0], ids[1]);
	if (r == NULL)
		return db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	memset(out, 0, sizeof(*out));
	out->agent_id = agent_id;
	out->org_id = org_id;
	out->territory_id = db_ll(r, 0, 0);
	out->territory_wide = db_bool(r, 0, 1);
	for (int f = 0; f < UF_COUNT; f++)
		out->show[f] = 1;
	out->show[UF_notes] = db_bool(r, 0, 2);
	out->show[UF_caisse_affiliation] = db_bool(r, 0, 3);
	out->show[UF_affiliation_number] = db_bool(r, 0, 4);
	out->show[UF_family_situation] = db_bool(r, 0, 5);
	out->show[UF_number_of_children] = db_bool(r, 0, 6);
	out->show[UF_logement] = db_bool(r, 0, 7);
	out->show[UF_case_number] = db_bool(r, 0, 8);
	out->show[UF_address_details] = db_bool(r, 0, 9);
	PQclear(r);
	return 0;
}

/* ------------------------------------------------------------ errors */

void usager_error_add(struct usager_errors *e, const char *field, const char *message)
{
	if (e->n >= USAGER_MAX_ERRORS || usager_error_get(e, field) != NULL)
		return;   /* one message per field: the first problem is the one to fix */
	e->field[e->n] = field;
	e->message[e->n] = message;
	e->n++;
}

const char *usager_error_get(const struct usager_errors *e, const char *field)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->field[i], field) == 0)
			return e->message[i];
	return NULL;
}

/* ------------------------------------------------------------ validation */

static char *trim_copy(struct arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return arena_strndup(a, s, n);
}

/* The typos agents make most ("jean.@x.fr", "jean..dupont@x.fr"), fixed
 * rather than refused, as the reference does; lower-cased for display. */
static void email_fix(char *s)
{
	char *d = s;
	for (char *p = s; *p; p++) {
		if (*p == '.' && (p[1] == '@' || p[1] == '.'))
			continue;
		*d++ = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
	}
	*d = '\0';
}

static int is_contact_field(int f)
{
	return f == UF_email || f == UF_phone_number || f == UF_address || f == UF_address_details ||
	       f == UF_post_code || f == UF_city_code || f == UF_city_name;
}

static long long today_days(void)
{
	return tz_utc_to_local_days((long long)time(NULL));
}

static void check_birth_date(struct arena *a, struct usager_input *in, struct usager_errors *err)
{
	int y, m, d;
	const char *msg;
	if (valid_date(in->v[UF_birth_date], &y, &m, &d, &msg) != 0) {
		usager_error_add(err, "birth_date", "La date de naissance n'est pas valide (format JJ/MM/AAAA).");
		return;
	}
	long long days = tz_days_from_civil(y, m, d), today = today_days();
	if (days > today)
		usager_error_add(err, "birth_date", "La date de naissance ne peut pas être dans le futur.");
	else if (today - days > 130LL * 366)
		usager_error_add(err, "birth_date", "La date de naissance n'est pas plausible (plus de 130 ans).");
	else
		in->v[UF_birth_date] = arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

static void check_enum(struct usager_input *in, int f, const char *const *allowed, struct usager_errors *err)
{
	int idx;
	if (valid_enum(in->v[f], allowed, &idx, NULL) != 0)
		usager_error_add(err, usager_field_names[f], "Choisissez une valeur de la liste.");
}

static void check_length(struct usager_input *in, int f, size_t max, struct usager_errors *err)
{
	const char *msg;
	if (valid_length(in->v[f], 0, max, &msg) != 0)
		usager_error_add(err, usager_field_names[f], msg);
}

static void check_digits(struct usager_input *in, int f, const char *message, struct usager_errors *err)
{
	const char *s = in->v[f];
	int ok = strlen(s) == 5;
	for (int i = 0; ok && i < 5; i++)
		ok = (s[i] >= '0' && s[i] <= '9') || (f == UF_city_code && i == 1 && (s[i] == 'A' || s[i] == 'B'));
	if (!ok)
		usager_error_add(err, usager_field_names[f], message);
}

static void check_field(struct arena *a, struct usager_input *in, int f, struct usager_errors *err)
{
	static const char *const caisses[] = {"aucune", "caf", "msa", NULL};
	static const char *const situations[] = {"single", "in_a_relationship", "divorced", NULL};
	static const char *const logements[] = {"sdf", "heberge", "en_accession_propriete", "proprietaire",
						"autre", "locataire", NULL};
	const char *msg;
	const char *v = in->v[f];
	if (v[0] == '\0' && f != UF_first_name && f != UF_last_name)
		return;   /* cleared */
	switch (f) {
	case UF_first_name:
	case UF_last_name:
		if (valid_required(v, &msg) != 0 || valid_length(v, 1, 100, &msg) != 0)
			usager_error_add(err, usager_field_names[f], f == UF_first_name ? "Indiquez le prénom." :
							       v[0] ? msg : "Indiquez le nom.");
		break;
	case UF_birth_name: case UF_city_name: check_length(in, f, 100, err); break;
	case UF_address: check_length(in, f, 500, err); break;
	case UF_address_details: check_length(in, f, 200, err); break;
	case UF_affiliation_number: case UF_case_number: check_length(in, f, 50, err); break;
	case UF_notes: check_length(in, f, 5000, err); break;
	case UF_birth_date: check_birth_date(a, in, err); break;
	case UF_email: {
		char *e = arena_strdup(a, v);
		email_fix(e);
		in->v[f] = e;
		if (valid_email(e, &msg) != 0)
			usager_error_add(err, "email", "L'adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).");
		break;
	}
	case UF_phone_number:
		if (phone_normalize(v, in->phone_e164, &msg) != 0)
			usager_error_add(err, "phone_number", "Le numéro de téléphone n'est pas valide "
							     "(exemple : 06 12 34 56 78).");
		break;
	case UF_post_code: check_digits(in, f, "Le code postal doit comporter 5 chiffres.", err); break;
	case UF_city_code: check_digits(in, f, "Le code commune (INSEE) doit comporter 5 caractères.", err); break;
	case UF_caisse_affiliation: check_enum(in, f, caisses, err); break;
	case UF_family_situation: check_enum(in, f, situations, err); break;
	case UF_logement: check_enum(in, f, logements, err); break;
	case UF_number_of_children: {
		long long n;
		if (valid_int(v, 0, 30, &n, NULL) != 0)
			usager_error_add(err, "number_of_children", "Indiquez un nombre d'enfants entre 0 et 30.");
		break;
	}
	case UF_notify_by_sms:
	case UF_notify_by_email: {
		int b;
		if (valid_bool(v, &b) != 0)
			usager_error_add(err, usager_field_names[f], "Valeur invalide : oui ou non.");
		else
			in->v[f] = b ? "1" : "0";
		break;
	}
	}
}

int usager_validate(struct arena *a, const struct usager_scope *s, struct usager_input *in,
		    struct usager_errors *err)
{
	in->phone_e164[0] = '\0';
	for (int f = 0; f < UF_COUNT; f++) {
		if (s != NULL && !s->show[f]) {
			in->v[f] = NULL;      /* the territory does not collect it: never written */
			continue;
		}
		if (in->responsible_id > 0 && is_contact_field(f)) {
			in->v[f] = "";        /* a proche is reached through their responsable */
			continue;
		}
		if (in->v[f] == NULL) {
			if (f == UF_first_name || f == UF_last_name)
				in->v[f] = "";
			else
				continue;
		}
		in->v[f] = trim_copy(a, in->v[f]);
		if (in->v[f] == NULL)
			return RDV_ENOMEM;
		check_field(a, in, f, err);
	}
	return err->n;
}

/* ------------------------------------------------------------ reading */

static PGresult *fetch_any(struct db *db, struct arena *a, long long id)
{
	return db_q(db, "SELECT" COLS " FROM users u WHERE u.id = $1", db_int(a, id));
}

PGresult *usager_get(struct db *db, const struct usager_scope *s, long long id, int *err)
{
	char idbuf[24], org[24], terr[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	snprintf(org, sizeof(org), "%lld", s->org_id);
	snprintf(terr, sizeof(terr), "%lld", s->territory_id);
	PGresult *r = db_q(db, "SELECT" COLS " FROM users u WHERE u.id = $4 AND u.deleted_at IS NULL AND" SCOPE_SQL,
			   org, s->territory_wide ? "t" : "f", terr, idbuf);
	if (r == NULL) {
		*err = db->err;
		return NULL;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		*err = RDV_ENOTFOUND;
		return NULL;
	}
	*err = 0;
	return r;
}

char *usager_notes(struct db *db, struct arena *a, const struct usager_scope *s, long long id)
{
	return db_s(db, a, "SELECT notes FROM user_profiles WHERE user_id = $1 AND organisation_id = $2",
		    db_int(a, id), db_int(a, s->org_id));
}

int usager_fill_input(struct db *db, struct arena *a, const struct usager_scope *s, long long id,
		      struct usager_input *in)
{
	int err;
	PGresult *r = usager_get(db, s, id, &err);
	if (r == NULL)
		return err;
	for (int f = 0; f < UF_COUNT; f++) {
		if (in->v[f] != NULL)
			continue;
		if (f == UF_notes) {
			char *n = usager_notes(db, a, s, id);
			in->v[f] = n ? n : "";
		} else if (f == UF_notify_by_sms || f == UF_notify_by_email) {
			in->v[f] = db_bool(r, 0, field_col[f]) ? "1" : "0";
		} else {
			char *v = db_dup(a, r, 0, field_col[f]);
			in->v[f] = v ? v : "";
		}
	}
	in->responsible_id = db_ll(r, 0, UC_RESPONSIBLE_ID);
	PQclear(r);
	return 0;
}

static json_t *json_str_or_null(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v ? json_string(v) : json_null();
}

json_t *usager_json(const PGresult *r, int row)
{
	long long resp = db_ll(r, row, UC_RESPONSIBLE_ID);
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b}",
		"id", (json_int_t)db_ll(r, row, UC_ID),
		"first_name", json_str_or_null(r, row, UC_FIRST_NAME),
		"last_name", json_str_or_null(r, row, UC_LAST_NAME),
		"birth_name", json_str_or_null(r, row, UC_BIRTH_NAME),
		"birth_date", json_str_or_null(r, row, UC_BIRTH_DATE),
		"email", json_str_or_null(r, row, UC_EMAIL),
		"phone_number", json_str_or_null(r, row, UC_PHONE_E164),
		"address", json_str_or_null(r, row, UC_ADDRESS),
		"responsible_id", resp ? json_integer(resp) : json_null(),
		"notify_by_sms", db_bool(r, row, UC_NOTIFY_SMS),
		"notify_by_email", db_bool(r, row, UC_NOTIFY_EMAIL));
}

/* ------------------------------------------------------------ search */

/* "% w1% w2% …%" with the words in order (forward) or reversed (NULL for fewer
 * than two words): agents type "Jessica Lemaire" as often as "LEMAIRE Jessica". Each word is the start of a
 * word of the name (user_profiles.search_words, 0017_usager_search.sql); '%', '_'
 * and '\\' typed by the agent separate words, they are not wildcards. */
static char *name_pattern(struct arena *a, const char *q, int reverse)
{
	const char *w[8];
	size_t len[8];
	int n = 0;
	for (const char *p = q; *p && n < 8;) {
		while (*p && strchr(" %_\\", *p))
			p++;
		const char *e = p;
		while (*e && !strchr(" %_\\", *e))
			e++;
		if (e > p) {
			w[n] = p;
			len[n++] = (size_t)(e - p);
		}
		p = e;
	}
	if (reverse && n < 2)
		return NULL;
	struct buf b = BUF_INIT;
	buf_putc(&b, '%');
	for (int i = 0; i < n; i++) {
		int k = reverse ? n - 1 - i : i;
		buf_putc(&b, ' ');
		buf_append(&b, w[k], len[k]);
		buf_putc(&b, '%');
	}
	char *out = b.oom ? NULL : arena_strdup(a, b.data);
	buf_free(&b);
	return out;
}

#define SEARCH_HEAD "SELECT" COLS ", count(*) OVER () FROM users u WHERE u.deleted_at IS NULL AND" SCOPE_SQL
#define SEARCH_TAIL " ORDER BY u.last_name, u.first_name, u.id LIMIT $5 OFFSET $6"

/* By name: the page of matches, ordered by the folded name, comes from
 * usager_name_page() (0029_usager_search_page.sql), which reads the indexes of
 * user_profiles and the page's usagers (page.usr) as the owner within the agent's
 * organisations (rls_usager_orgs) — in one organisation, or throughout territory $3.
 * $7 (the words reversed) is NULL for one word; $8: count every match even when the
 * page is full (otherwise the total may be a lower bound, usager_search_total). */
#define NAME_SQL \
	"SELECT" COLS ", page.total FROM usager_name_page($1, $2::boolean, $3, rdv_name_pattern($4)," \
	" rdv_name_pattern($7), $5, $6, $8::boolean) page CROSS JOIN LATERAL (SELECT (page.usr).*) u" \
	" WHERE u.deleted_at IS NULL ORDER BY page.search_words, u.id"

/* Without a search: the page in the order of the folded names, from usager_list_page()
 * (0024_usager_list.sql), which reads user_profiles by organisation (or the territory's
 * names in order) as the owner within rls_usager_orgs(). Throughout a territory the
 * total is exact on the last page only, negative before it (usager_search_total). */
#define LIST_SQL \
	"SELECT" COLS ", page.total FROM usager_list_page($1, $2::boolean, $3, $4, $5) page" \
	" JOIN users u ON u.id = page.user_id WHERE u.deleted_at IS NULL ORDER BY page.search_words, u.id"

static PGresult *search(struct db *db, struct arena *a, const struct usager_scope *s, const char *q,
			long long referent_id, int page, int per_page, int exact)
{
	const char *lim = db_int(a, per_page), *off = db_int(a, (long long)(page - 1) * per_page);
	char e164[PHONE_E164_SIZE];
	int y, m, d;
	q = q ? trim_copy(a, q) : "";
	if (referent_id > 0)
		return db_q(db, SEARCH_HEAD " AND EXISTS (SELECT 1 FROM referent_assignations ra WHERE ra.user_id = u.id"
				" AND ra.agent_id = $4)" SEARCH_TAIL, SCOPE_PARAMS(a, s), db_int(a, referent_id), lim, off);
	if (q == NULL || q[0] == '\0')
		return db_q(db, LIST_SQL, SCOPE_PARAMS(a, s), lim, off);
	if (strchr(q, '@') != NULL)
		return db_q(db, SEARCH_HEAD " AND u.email = $4::citext" SEARCH_TAIL, SCOPE_PARAMS(a, s), q, lim, off);
	if ((strchr(q, '/') || strchr(q, '-')) && valid_date(q, &y, &m, &d, NULL) == 0)
		return db_q(db, SEARCH_HEAD " AND u.birth_date = $4::date" SEARCH_TAIL, SCOPE_PARAMS(a, s),
			    arena_printf(a, "%04d-%02d-%02d", y, m, d), lim, off);
	if (q[0] >= '0' && q[0] <= '9' && phone_normalize(q, e164, NULL) == 0)
		return db_q(db, SEARCH_HEAD " AND u.phone_number_formatted = $4" SEARCH_TAIL, SCOPE_PARAMS(a, s),
			    arena_strdup(a, e164), lim, off);
	if (q[0] == '+' && phone_normalize(q, e164, NULL) == 0)
		return db_q(db, SEARCH_HEAD " AND u.phone_number_formatted = $4" SEARCH_TAIL, SCOPE_PARAMS(a, s),
			    arena_strdup(a, e164), lim, off);
	return db_q(db, NAME_SQL, SCOPE_PARAMS(a, s), name_pattern(a, q, 0), lim, off, name_pattern(a, q, 1),
		    exact ? "t" : "f");
}

PGresult *usager_search(struct db *db, struct arena *a, const struct usager_scope *s, const char *q,
			long long referent_id, int page, int per_page)
{
	return search(db, a, s, q, referent_id, page, per_page, 1);
}

PGresult *usager_search_page(struct db *db, struct arena *a, const struct usager_scope *s, const char *q,
			     long long referent_id, int page, int per_page)
{
	return search(db, a, s, q, referent_id, page, per_page, 0);
}

long long usager_search_total(const PGresult *r)
{
	return PQntuples(r) > 0 ? db_ll(r, 0, UC_COUNT) : 0;
}

int usager_count(struct db *db, const struct usager_scope *s, long long *total)
{
	char org[24], terr[24];
	snprintf(org, sizeof(org), "%lld", s->org_id);
	snprintf(terr, sizeof(terr), "%lld", s->territory_id);
	/* the usagers the list shows: a deleted usager still holding a profile is not one */
	PGresult *r = db_q(db, "SELECT count(DISTINCT sp.user_id) FROM user_profiles sp"
			   " JOIN organisations so ON so.id = sp.organisation_id JOIN users u ON u.id = sp.user_id"
			   " WHERE (sp.organisation_id = $1 OR ($2::boolean AND so.territory_id = $3)) AND u.deleted_at IS NULL",
			   org, s->territory_wide ? "t" : "f", terr);
	if (r == NULL)
		return db->err;
	*total = db_ll(r, 0, 0);
	PQclear(r);
	return 0;
}

const char *usager_phone_masked(struct arena *a, const char *e164)
{
	if (e164 == NULL)
		return NULL;
	char nat[PHONE_NATIONAL_SIZE];
	phone_format_national(e164, nat);
	size_t n = strlen(nat), digits = 0;
	for (size_t i = 0; i < n; i++)
		digits += nat[i] >= '0' && nat[i] <= '9';
	struct buf b = BUF_INIT;
	size_t seen = 0;
	for (size_t i = 0; i < n; i++) {
		int digit = nat[i] >= '0' && nat[i] <= '9';
		seen += digit;
		/* the first two and the last four digits stay */
		if (digit && seen > 2 && seen + 4 <= digits)
			buf_puts(&b, "•");
		else
			buf_putc(&b, nat[i]);
	}
	char *out = b.oom ? NULL : arena_strdup(a, b.data);
	buf_free(&b);
	return out;
}

const char *usager_label(struct arena *a, const PGresult *r, int row)
{
	const char *bd = db_val(r, row, UC_BIRTH_DATE), *ph = db_val(r, row, UC_PHONE_E164);
	char *upper = arena_strdup(a, db_val(r, row, UC_LAST_NAME));
	for (char *p = upper; p && *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 32);
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s %s", upper ? upper : "", db_val(r, row, UC_FIRST_NAME));
	if (bd != NULL && strlen(bd) == 10)
		buf_printf(&b, " – %.2s/%.2s/%.4s", bd + 8, bd + 5, bd);
	if (ph != NULL)
		buf_printf(&b, " – %s", usager_phone_masked(a, ph));
	if (db_ll(r, row, UC_RESPONSIBLE_ID))
		buf_printf(&b, " (proche de %s)", db_val(r, row, UC_RESPONSIBLE_LABEL));
	char *out = b.oom ? NULL : arena_strdup(a, b.data);
	buf_free(&b);
	return out;
}

/* ------------------------------------------------------------ duplicates */

int usager_email_taken(struct db *db, const char *email, long long exclude_id)
{
	if (email == NULL || email[0] == '\0')
		return 0;
	char id[24];
	snprintf(id, sizeof(id), "%lld", exclude_id);
	PGresult *r = db_q(db, "SELECT 1 FROM users WHERE email = $1::citext AND deleted_at IS NULL AND id <> $2",
			   email, id);
	if (r == NULL)
		return db->err;
	int taken = PQntuples(r) > 0;
	PQclear(r);
	return taken;
}

static int same_key(struct arena *a, const char *x, const char *y)
{
	const char *kx = valid_normalize_name(a, x ? x : ""), *ky = valid_normalize_name(a, y ? y : "");
	return kx && ky && strcmp(kx, ky) == 0;
}

int usager_find_duplicates(struct db *db, struct arena *a, const struct usager_scope *s, long long exclude_id,
			   const struct usager_input *in, const PGresult *before,
			   struct usager_duplicate **out, int *n)
{
	*out = NULL;
	*n = 0;
	const char *phone = in->phone_e164[0] ? in->phone_e164 : NULL;
	const char *bd = in->v[UF_birth_date] && in->v[UF_birth_date][0] ? in->v[UF_birth_date] : NULL;
	if (before != NULL) {   /* an edit warns only about what it changes */
		const char *old_phone = db_val(before, 0, UC_PHONE_E164);
		if (phone && old_phone && strcmp(phone, old_phone) == 0)
			phone = NULL;
		const char *old_bd = db_val(before, 0, UC_BIRTH_DATE);
		if (bd && old_bd && strcmp(bd, old_bd) == 0 &&
		    same_key(a, in->v[UF_first_name], db_val(before, 0, UC_FIRST_NAME)) &&
		    same_key(a, in->v[UF_last_name], db_val(before, 0, UC_LAST_NAME)))
			bd = NULL;
	}
	if (phone == NULL && bd == NULL)
		return 0;
	PGresult *r = db_q(db,
		"SELECT u.id, u.first_name, u.last_name, to_char(u.birth_date, 'DD/MM/YYYY'),"
		" coalesce(u.phone_number_formatted = $3, false),"
		" coalesce(u.birth_date = $5::date AND rdv_name_key(u.first_name) = rdv_name_key($6)"
		"   AND rdv_name_key(u.last_name) = rdv_name_key($7), false),"
		" EXISTS (SELECT 1 FROM user_profiles p WHERE p.user_id = u.id AND p.organisation_id = $1),"
		" (SELECT string_agg(o.name, ', ' ORDER BY o.name) FROM user_profiles p"
		"   JOIN organisations o ON o.id = p.organisation_id WHERE p.user_id = u.id AND o.territory_id = $2)"
		" FROM users u WHERE u.deleted_at IS NULL AND u.id <> $4"
		" AND (u.phone_number_formatted = $3 OR (u.birth_date = $5::date"
		"   AND rdv_name_key(u.first_name) = rdv_name_key($6) AND rdv_name_key(u.last_name) = rdv_name_key($7)))"
		" AND" IN_TERRITORY_SQL("$2")
		" ORDER BY (SELECT count(*) FROM participations pa WHERE pa.user_id = u.id) DESC, u.id LIMIT 10",
		db_int(a, s->org_id), db_int(a, s->territory_id), phone, db_int(a, exclude_id), bd,
		in->v[UF_first_name], in->v[UF_last_name]);
	if (r == NULL)
		return db->err;
	int rows = PQntuples(r);
	struct usager_duplicate *d = rows ? arena_calloc(a, (size_t)rows, sizeof(*d)) : NULL;
	for (int i = 0; i < rows && d; i++) {
		d[i].id = db_ll(r, i, 0);
		d[i].first_name = db_dup(a, r, i, 1);
		d[i].last_name = db_dup(a, r, i, 2);
		d[i].birth_date = db_dup(a, r, i, 3);
		d[i].same_phone = db_bool(r, i, 4);
		d[i].same_identity = db_bool(r, i, 5);
		d[i].in_org = db_bool(r, i, 6);
		d[i].organisations = db_dup(a, r, i, 7);
		d[i].visible = d[i].in_org || s->territory_wide;
	}
	PQclear(r);
	if (rows && d == NULL)
		return RDV_ENOMEM;
	*out = d;
	*n = rows;
	return 0;
}

/* ------------------------------------------------------------ writes */

static char *row_json(struct db *db, struct arena *a, long long id)
{
	return db_s(db, a, "SELECT (to_jsonb(u) - 'password_hash')::text FROM users u WHERE u.id = $1", db_int(a, id));
}

static int audit_user(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		      const char *event, const char *before, const char *after)
{
	return audit_log(db, a, &(struct audit_entry){.agent_id = s->agent_id, .organisation_id = s->org_id,
		.territory_id = s->territory_id, .item_type = "user", .item_id = id, .event = event,
		.before_json = before, .after_json = after, .ip = ip});
}

static int webhook_user(struct db *db, struct arena *a, const struct usager_scope *s, long long id, const char *event)
{
	PGresult *r = fetch_any(db, a, id);
	if (r == NULL)
		return db->err;
	int rc = 0;
	if (PQntuples(r) == 1) {
		json_t *j = usager_json(r, 0);
		rc = j ? notify_webhook(db, a, s->org_id, "user", event, j) : RDV_ENOMEM;
		json_decref(j);
	}
	PQclear(r);
	return rc;
}

/* The audit row of event (before, and the row as it is now) and the "user" webhook. */
static int audit_and_notify(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
			    const char *event, const char *before, const char *webhook_event)
{
	int rc = audit_user(db, a, s, ip, id, event, before, row_json(db, a, id));
	return rc ? rc : webhook_user(db, a, s, id, webhook_event);
}

/* Usager id in the scope: 0 (*is_proche set when not NULL), RDV_ENOTFOUND or a db error. */
static int require_visible(struct db *db, const struct usager_scope *s, long long id, int *is_proche)
{
	int rc;
	PGresult *r = usager_get(db, s, id, &rc);
	if (r == NULL)
		return rc;
	if (is_proche)
		*is_proche = db_ll(r, 0, UC_RESPONSIBLE_ID) != 0;
	PQclear(r);
	return 0;
}

/* One write: its statements, audit rows and webhook (fn, with the write's own arg)
 * in one transaction, committed when fn succeeds, rolled back otherwise. */
typedef int (*write_fn)(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
			void *arg);

static int in_transaction(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
			  write_fn fn, void *arg)
{
	int rc = db_begin(db);
	if (rc != 0)
		return rc;
	rc = fn(db, a, s, ip, id, arg);
	if (rc == 0)
		rc = db_commit(db);
	if (rc != 0)
		db_rollback(db);
	return rc;
}

/* A responsable the agent may attach a proche to: visible and not a proche. */
static int check_responsable(struct db *db, const struct usager_scope *s, long long resp_id, long long proche_id)
{
	if (resp_id == proche_id)
		return RDV_EINVAL;
	int is_proche = 0, rc = require_visible(db, s, resp_id, &is_proche);
	if (rc != 0)
		return rc == RDV_ENOTFOUND ? RDV_EINVAL : rc;
	return is_proche ? RDV_EINVAL : 0;
}

static const char *v_or_null(const struct usager_input *in, int f)
{
	return in->v[f];
}

static int insert_profiles(struct db *db, struct arena *a, const struct usager_scope *s, long long id,
			   const struct usager_input *in)
{
	const char *uid = db_int(a, id), *org = db_int(a, s->org_id);
	int rc = db_x(db, "INSERT INTO user_profiles (user_id, organisation_id, notes) VALUES ($1, $2, nullif($3, ''))",
		      uid, org, v_or_null(in, UF_notes));
	if (rc != 0 || in->responsible_id <= 0)
		return rc;
	/* the family cell lives in the same organisations */
	const char *resp = db_int(a, in->responsible_id);
	rc = db_x(db, "SELECT usager_family_profiles($1)", uid);   /* 0020: also in its other organisations */
	if (rc == 0)
		rc = db_x(db, "INSERT INTO user_profiles (user_id, organisation_id) VALUES ($1, $2)"
			      " ON CONFLICT DO NOTHING", resp, org);
	return rc;
}

struct create_arg {
	const struct usager_input *in;
	long long id;
};

static int create_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long unused,
		     void *arg)
{
	(void)unused;
	struct create_arg *c = arg;
	const struct usager_input *in = c->in;
	int rc;
	if (in->responsible_id > 0 && (rc = check_responsable(db, s, in->responsible_id, 0)) != 0)
		return rc;
	const char *resp = in->responsible_id > 0 ? db_int(a, in->responsible_id) : NULL;
	const char *const p[] = {
		in->v[UF_first_name], in->v[UF_last_name], in->v[UF_birth_name], in->v[UF_birth_date],
		in->v[UF_email], in->v[UF_phone_number], in->phone_e164[0] ? in->phone_e164 : NULL,
		in->v[UF_address], in->v[UF_address_details], in->v[UF_post_code], in->v[UF_city_code],
		in->v[UF_city_name], in->v[UF_caisse_affiliation], in->v[UF_affiliation_number],
		in->v[UF_family_situation], in->v[UF_number_of_children], in->v[UF_logement], in->v[UF_case_number],
		in->v[UF_notify_by_sms], in->v[UF_notify_by_email], resp,
		in->created_through ? in->created_through : "agent_creation",
	};
	PGresult *r = db_query(db,
		"INSERT INTO users (first_name, last_name, birth_name, birth_date, email, phone_number,"
		" phone_number_formatted, address, address_details, post_code, city_code, city_name, caisse_affiliation,"
		" affiliation_number, family_situation, number_of_children, logement, case_number, notify_by_sms,"
		" notify_by_email, responsible_id, created_through) VALUES ($1, $2, nullif($3, ''), nullif($4, '')::date,"
		" nullif($5, ''), nullif($6, ''), $7, nullif($8, ''), nullif($9, ''), nullif($10, ''), nullif($11, ''),"
		" nullif($12, ''), nullif($13, ''), nullif($14, ''), nullif($15, ''), nullif($16, '')::int,"
		" nullif($17, ''), nullif($18, ''), coalesce(nullif($19, '')::boolean, true),"
		" coalesce(nullif($20, '')::boolean, true), $21, $22) RETURNING id",
		(int)(sizeof(p) / sizeof(p[0])), p);
	if (r == NULL)
		return db->err;
	c->id = db_ll(r, 0, 0);
	PQclear(r);
	rc = insert_profiles(db, a, s, c->id, in);
	return rc ? rc : audit_and_notify(db, a, s, ip, c->id, "create", NULL, "created");
}

int usager_create(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip,
		  const struct usager_input *in, long long *id_out)
{
	struct create_arg c = {.in = in};
	int rc = in_transaction(db, a, s, ip, 0, create_tx, &c);
	if (rc == 0)
		*id_out = c.id;
	return rc;
}

/* The fields of in onto usager id: NULL = keep (fields the territory hides), "" = clear. */
static int write_fields(struct db *db, struct arena *a, long long id, const struct usager_input *in)
{
	const char *const p[] = {
		db_int(a, id), in->v[UF_first_name], in->v[UF_last_name], in->v[UF_birth_name], in->v[UF_birth_date],
		in->v[UF_email], in->v[UF_phone_number], in->v[UF_phone_number] ? in->phone_e164 : NULL,
		in->v[UF_address], in->v[UF_address_details], in->v[UF_post_code], in->v[UF_city_code],
		in->v[UF_city_name], in->v[UF_caisse_affiliation], in->v[UF_affiliation_number],
		in->v[UF_family_situation], in->v[UF_number_of_children], in->v[UF_logement], in->v[UF_case_number],
		in->v[UF_notify_by_sms], in->v[UF_notify_by_email],
	};
#define KEEP(col, n) " " col " = CASE WHEN $" n "::text IS NULL THEN " col " ELSE nullif($" n ", '') END"
	int rc = db_exec(db, "UPDATE users SET first_name = coalesce(nullif($2, ''), first_name),"
		" last_name = coalesce(nullif($3, ''), last_name)," KEEP("birth_name", "4") ","
		" birth_date = CASE WHEN $5::text IS NULL THEN birth_date ELSE nullif($5, '')::date END,"
		KEEP("email", "6") "," KEEP("phone_number", "7") "," KEEP("phone_number_formatted", "8") ","
		KEEP("address", "9") "," KEEP("address_details", "10") "," KEEP("post_code", "11") ","
		KEEP("city_code", "12") "," KEEP("city_name", "13") "," KEEP("caisse_affiliation", "14") ","
		KEEP("affiliation_number", "15") "," KEEP("family_situation", "16") ","
		" number_of_children = CASE WHEN $17::text IS NULL THEN number_of_children ELSE nullif($17, '')::int END,"
		KEEP("logement", "18") "," KEEP("case_number", "19") ","
		" notify_by_sms = coalesce(nullif($20, '')::boolean, notify_by_sms),"
		" notify_by_email = coalesce(nullif($21, '')::boolean, notify_by_email), updated_at = now()"
		" WHERE id = $1", (int)(sizeof(p) / sizeof(p[0])), p);
#undef KEEP
	return rc;
}

static int update_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		     void *arg)
{
	const struct usager_input *in = arg;
	int rc = require_visible(db, s, id, NULL);
	if (rc != 0)
		return rc;
	char *before = row_json(db, a, id);
	rc = write_fields(db, a, id, in);
	if (rc == 0 && in->v[UF_notes] != NULL)
		rc = db_x(db, "UPDATE user_profiles SET notes = nullif($3, '') WHERE user_id = $1 AND organisation_id = $2",
			  db_int(a, id), db_int(a, s->org_id), in->v[UF_notes]);
	return rc ? rc : audit_and_notify(db, a, s, ip, id, "update", before, "updated");
}

int usager_update(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		  const struct usager_input *in)
{
	return in_transaction(db, a, s, ip, id, update_tx, (void *)in);
}

/* ------------------------------------------------------------ deletion */

int usager_count_proches(struct db *db, long long id)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	PGresult *r = db_q(db, "SELECT count(*) FROM users WHERE responsible_id = $1 AND deleted_at IS NULL", idbuf);
	if (r == NULL)
		return -1;
	int n = (int)db_ll(r, 0, 0);
	PQclear(r);
	return n;
}

/* Removes every personal datum of id; what remains (the id, participations,
 * RDVs) feeds the statistics. The audit row keeps no personal data either:
 * "before" is reduced to what is not personal, and earlier rows of this
 * usager lose their before/after (they held names, phones, notes). */
static int anonymise(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		     const char *event)
{
	const char *uid = db_int(a, id);
	char *before = db_s(db, a, "SELECT jsonb_build_object('id', id, 'responsible_id', responsible_id,"
				   " 'created_at', created_at, 'created_through', created_through)::text FROM users"
				   " WHERE id = $1", uid);
	/* every organisation's rows, as the owner: 0016_rls_usagers.sql */
	int rc = db_x(db, "SELECT usager_erase($1)", uid);
	if (rc != 0)
		return rc;
	return audit_and_notify(db, a, s, ip, id, event, before, "destroyed");
}

/* Proche id becomes a responsable of their own (contact details to be given). */
static int detach(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id)
{
	char *before = row_json(db, a, id);
	int rc = db_x(db, "UPDATE users SET responsible_id = NULL, updated_at = now() WHERE id = $1", db_int(a, id));
	return rc ? rc : audit_and_notify(db, a, s, ip, id, "detach", before, "updated");
}

static int proches_decide(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
			  enum usager_proches_decision decision)
{
	PGresult *r = db_q(db, "SELECT id FROM users WHERE responsible_id = $1 AND deleted_at IS NULL ORDER BY id",
			   db_int(a, id));
	if (r == NULL)
		return db->err;
	int rc = 0;
	if (PQntuples(r) > 0 && decision == USAGER_PROCHES_NONE)
		rc = RDV_ECONFLICT;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		long long pid = db_ll(r, i, 0);
		if (decision == USAGER_PROCHES_DELETE) {
			rc = anonymise(db, a, s, ip, pid, "destroy");
			continue;
		}
		rc = detach(db, a, s, ip, pid);
	}
	PQclear(r);
	return rc;
}

static int destroy_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		      void *arg)
{
	int rc = require_visible(db, s, id, NULL);
	if (rc == 0)
		rc = proches_decide(db, a, s, ip, id, *(const enum usager_proches_decision *)arg);
	return rc ? rc : anonymise(db, a, s, ip, id, "destroy");
}

int usager_destroy(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		   enum usager_proches_decision decision)
{
	return in_transaction(db, a, s, ip, id, destroy_tx, &decision);
}

/* ------------------------------------------------------------ merge */

/* Moves participations, RDVs booked, file d'attente, proches, profiles,
 * referents, receipts and outbox of src onto keep, in every organisation
 * (as the owner, after its own check of the acting agent: 0016_rls_usagers.sql). */
static int merge_moves(struct db *db, const char *keep, const char *src)
{
	return db_x(db, "SELECT usager_merge_moves($1, $2)", keep, src);
}

/* The kept record's empty fields take the source's values; a proche keeps
 * no contact details of its own. src_json is the source before it was
 * anonymised (its e-mail freed the unique index first). */
static int merge_fill(struct db *db, const char *keep, const char *src_json)
{
	return db_x(db,
		"UPDATE users k SET birth_name = coalesce(k.birth_name, s.birth_name),"
		" birth_date = coalesce(k.birth_date, s.birth_date),"
		" email = CASE WHEN k.responsible_id IS NULL THEN coalesce(k.email, s.email) END,"
		" phone_number = CASE WHEN k.responsible_id IS NULL AND k.phone_number_formatted IS NULL"
		"   THEN s.phone_number ELSE k.phone_number END,"
		" phone_number_formatted = CASE WHEN k.responsible_id IS NULL THEN"
		"   coalesce(k.phone_number_formatted, s.phone_number_formatted) END,"
		" address = coalesce(k.address, s.address), address_details = coalesce(k.address_details, s.address_details),"
		" post_code = coalesce(k.post_code, s.post_code), city_code = coalesce(k.city_code, s.city_code),"
		" city_name = coalesce(k.city_name, s.city_name), street_ban_id = coalesce(k.street_ban_id, s.street_ban_id),"
		" latitude = coalesce(k.latitude, s.latitude), longitude = coalesce(k.longitude, s.longitude),"
		" caisse_affiliation = coalesce(k.caisse_affiliation, s.caisse_affiliation),"
		" affiliation_number = coalesce(k.affiliation_number, s.affiliation_number),"
		" family_situation = coalesce(k.family_situation, s.family_situation),"
		" number_of_children = coalesce(k.number_of_children, s.number_of_children),"
		" logement = coalesce(k.logement, s.logement), case_number = coalesce(k.case_number, s.case_number),"
		" password_hash = coalesce(k.password_hash, s.password_hash), updated_at = now()"
		" FROM jsonb_populate_record(NULL::users, $2::jsonb) s WHERE k.id = $1",
		keep, src_json);
}

/* The fields an agent chooses between when merging: identity, contact (not for a
 * kept proche, who has none) and social fields the territory shows; not the notes
 * (each organisation's are appended) nor the notification preferences. */
static int merge_offers(const struct usager_scope *s, const struct usager_input *kept, int f)
{
	return f != UF_notes && f != UF_notify_by_sms && f != UF_notify_by_email && s->show[f] &&
	       !(kept->responsible_id > 0 && is_contact_field(f));
}

/* Two stored values of field f are the same: phone numbers are compared once
 * normalised ("06 12 34 56 78" is "0612345678"), as stored otherwise. */
static int same_value(int f, const char *k, const char *o)
{
	char ek[PHONE_E164_SIZE], eo[PHONE_E164_SIZE];
	if (f == UF_phone_number && phone_normalize(k, ek, NULL) == 0 && phone_normalize(o, eo, NULL) == 0)
		return strcmp(ek, eo) == 0;
	return strcmp(k, o) == 0;
}

int usager_merge_choose(struct db *db, struct arena *a, const struct usager_scope *s, long long keep_id,
			long long source_id, const char *const pick[UF_COUNT], struct usager_merge_choice *out,
			struct usager_errors *err)
{
	memset(out, 0, sizeof(*out));
	int rc = usager_fill_input(db, a, s, keep_id, &out->kept);
	if (rc == 0)
		rc = usager_fill_input(db, a, s, source_id, &out->other);
	if (rc != 0)
		return rc;
	out->chosen = out->kept;
	out->chosen.v[UF_notes] = NULL;
	for (int f = 0; f < UF_COUNT; f++) {
		const char *k = out->kept.v[f], *o = out->other.v[f];
		if (!merge_offers(s, &out->kept, f) || same_value(f, k, o))
			continue;
		out->differs[f] = 1;
		out->from_other[f] = pick && pick[f] ? strcmp(pick[f], "source") == 0 : k[0] == '\0';
		if (out->from_other[f])
			out->chosen.v[f] = o;
	}
	usager_validate(a, s, &out->chosen, err);
	/* the other usager's e-mail is released by the merge */
	const char *email = out->chosen.v[UF_email];
	if (email && email[0] && usager_error_get(err, "email") == NULL && strcasecmp(email, out->other.v[UF_email]) != 0) {
		rc = usager_email_taken(db, email, keep_id);
		if (rc < 0)
			return rc;
		if (rc == 1)
			usager_error_add(err, "email", "Cette adresse e-mail est déjà utilisée par un autre usager.");
	}
	return 0;
}

/* The values chosen field by field onto the kept usager, once the other is
 * anonymised (its e-mail is then free); the audit row lists them. */
static int merge_apply_choice(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip,
			      long long keep_id, const struct usager_merge_choice *choice)
{
	int rc = write_fields(db, a, keep_id, &choice->chosen);
	if (rc != 0)
		return rc;
	json_t *fields = json_object();
	for (int f = 0; f < UF_COUNT; f++)
		if (choice->differs[f])
			json_object_set_new(fields, usager_field_names[f],
					    json_pack("{s:s, s:s}", "value", choice->chosen.v[f] ? choice->chosen.v[f] : "",
						      "from", choice->from_other[f] ? "merged" : "kept"));
	char *js = json_dumps(fields, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(fields);
	if (js == NULL)
		return RDV_ENOMEM;
	char *after = arena_printf(a, "{\"chosen\":%s}", js);
	free(js);
	return audit_user(db, a, s, ip, keep_id, "merge_choice", NULL, after);
}

struct merge_arg {
	long long source_id;
	const struct usager_merge_choice *choice;
};

static int merge_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long keep_id,
		    void *arg)
{
	const struct merge_arg *m = arg;
	long long source_id = m->source_id;
	const struct usager_merge_choice *choice = m->choice;
	int rc = require_visible(db, s, keep_id, NULL);
	if (rc == 0)
		rc = require_visible(db, s, source_id, NULL);
	if (rc != 0)
		return rc;
	const char *keep = db_int(a, keep_id), *src = db_int(a, source_id);
	/* the source in full, password included, for merge_fill; the audit copy without it */
	char *src_full = db_s(db, a, "SELECT to_jsonb(u)::text FROM users u WHERE u.id = $1", src);
	char *before = db_s(db, a, "SELECT jsonb_build_object('kept', (SELECT to_jsonb(k) - 'password_hash' FROM users k"
				   " WHERE k.id = $1), 'merged', (SELECT to_jsonb(m) - 'password_hash' FROM users m"
				   " WHERE m.id = $2))::text", keep, src);
	if (src_full == NULL || before == NULL)
		return db->err ? db->err : RDV_ENOMEM;
	if ((rc = merge_moves(db, keep, src)) != 0 || (rc = anonymise(db, a, s, ip, source_id, "merged_into")) != 0 ||
	    (rc = merge_fill(db, keep, src_full)) != 0 ||
	    (choice && (rc = merge_apply_choice(db, a, s, ip, keep_id, choice)) != 0))
		return rc;
	return audit_and_notify(db, a, s, ip, keep_id, "merge", before, "updated");
}

int usager_merge(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long keep_id,
		 long long source_id, const struct usager_merge_choice *choice)
{
	if (keep_id == source_id)
		return RDV_EINVAL;
	struct merge_arg m = {.source_id = source_id, .choice = choice};
	return in_transaction(db, a, s, ip, keep_id, merge_tx, &m);
}

/* ------------------------------------------------------------ profiles, family, referents */

static int add_to_org_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
			 void *unused)
{
	(void)unused;
	const char *uid = db_int(a, id), *org = db_int(a, s->org_id), *terr = db_int(a, s->territory_id);
	/* the whole family cell: the usager, their responsable and their proches */
	PGresult *r = db_q(db,
		"WITH target AS (SELECT coalesce(u.responsible_id, u.id) AS head FROM users u"
		"  WHERE u.id = $1 AND u.deleted_at IS NULL AND" IN_TERRITORY_SQL("$3") "),"
		" fam AS (SELECT u.id FROM users u, target WHERE (u.id = target.head OR u.responsible_id = target.head)"
		"  AND u.deleted_at IS NULL)"
		" INSERT INTO user_profiles (user_id, organisation_id) SELECT id, $2 FROM fam"
		" ON CONFLICT DO NOTHING RETURNING user_id", uid, org, terr);
	if (r == NULL)
		return db->err;
	int added = PQntuples(r);
	PQclear(r);
	char *exists = db_s(db, a, "SELECT 1 FROM users u WHERE u.id = $1 AND u.deleted_at IS NULL AND"
				   IN_TERRITORY_SQL("$2"), uid, terr);
	if (exists == NULL)
		return db->err ? db->err : RDV_ENOTFOUND;
	if (added == 0)
		return 0;
	int rc = audit_user(db, a, s, ip, id, "add_to_organisation", NULL,
			    arena_printf(a, "{\"organisation_id\": %lld}", s->org_id));
	return rc ? rc : webhook_user(db, a, s, id, "updated");
}

int usager_add_to_org(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id)
{
	return in_transaction(db, a, s, ip, id, add_to_org_tx, NULL);
}

static int move_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		   void *arg)
{
	long long responsible_id = *(const long long *)arg;
	int is_proche = 0, rc = require_visible(db, s, id, &is_proche);
	if (rc != 0)
		return rc;
	/* a responsable with proches would make a two-level family */
	if (!is_proche && usager_count_proches(db, id) != 0)
		return RDV_EINVAL;
	if ((rc = check_responsable(db, s, responsible_id, id)) != 0)
		return rc;
	const char *uid = db_int(a, id), *resp = db_int(a, responsible_id);
	char *before = row_json(db, a, id);
	/* a proche has no contact details of its own */
	if ((rc = db_x(db, "UPDATE users SET responsible_id = $2, email = NULL, phone_number = NULL,"
			   " phone_number_formatted = NULL, address = NULL, address_details = NULL, post_code = NULL,"
			   " city_code = NULL, city_name = NULL, updated_at = now() WHERE id = $1", uid, resp)) != 0 ||
	    (rc = db_x(db, "SELECT usager_family_profiles($1)", uid)) != 0)
		return rc;
	return audit_and_notify(db, a, s, ip, id, "move", before, "updated");
}

int usager_move_proche(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		       long long responsible_id)
{
	return in_transaction(db, a, s, ip, id, move_tx, &responsible_id);
}

static int detach_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		     void *unused)
{
	(void)unused;
	int is_proche = 0, rc = require_visible(db, s, id, &is_proche);
	if (rc != 0)
		return rc;
	return is_proche ? detach(db, a, s, ip, id) : RDV_EINVAL;
}

int usager_detach_proche(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id)
{
	return in_transaction(db, a, s, ip, id, detach_tx, NULL);
}

struct referent_arg {
	long long agent_id;
	int add;
};

static int referent_tx(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		       void *arg)
{
	const struct referent_arg *ra = arg;
	long long agent_id = ra->agent_id;
	int add = ra->add;
	int rc = require_visible(db, s, id, NULL);
	if (rc != 0)
		return rc;
	const char *uid = db_int(a, id), *aid = db_int(a, agent_id);
	char *member = db_s(db, a, "SELECT 1 FROM agent_roles ar JOIN agents ag ON ag.id = ar.agent_id"
				   " WHERE ar.agent_id = $1 AND ar.organisation_id = $2 AND ag.deleted_at IS NULL",
			    aid, db_int(a, s->org_id));
	if (member == NULL)
		return db->err ? db->err : RDV_EINVAL;
	rc = add ? db_x(db, "INSERT INTO referent_assignations (user_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
			uid, aid)
		 : db_x(db, "DELETE FROM referent_assignations WHERE user_id = $1 AND agent_id = $2", uid, aid);
	const char *j = arena_printf(a, "{\"referent_agent_id\": %lld}", agent_id);
	if (rc != 0 ||
	    (rc = audit_user(db, a, s, ip, id, add ? "referent_add" : "referent_remove", add ? NULL : j, add ? j : NULL)) != 0)
		return rc;
	return webhook_user(db, a, s, id, "updated");
}

int usager_referent_add(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip,
			long long id, long long agent_id)
{
	return in_transaction(db, a, s, ip, id, referent_tx, &(struct referent_arg){.agent_id = agent_id, .add = 1});
}

int usager_referent_remove(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip,
			   long long id, long long agent_id)
{
	return in_transaction(db, a, s, ip, id, referent_tx, &(struct referent_arg){.agent_id = agent_id, .add = 0});
}

int usager_is_referent(struct db *db, long long id, long long agent_id)
{
	char u[24], ag[24];
	snprintf(u, sizeof(u), "%lld", id);
	snprintf(ag, sizeof(ag), "%lld", agent_id);
	PGresult *r = db_q(db, "SELECT 1 FROM referent_assignations WHERE user_id = $1 AND agent_id = $2", u, ag);
	if (r == NULL)
		return db->err;
	int yes = PQntuples(r) > 0;
	PQclear(r);
	return yes;
}
