/*
 * usager.h - usagers (citizens known to organisations) and everything that
 * changes them: validation of a record with French messages, duplicate
 * detection across the territory, search, create / update, GDPR deletion
 * (anonymisation), merge of two records, organisation profiles, the family
 * cell (responsable and proches) and referents.
 *
 * Scope: an organisation sees the usagers that have a profile there
 * (user_profiles); a territory admin, or every agent of a territory with
 * visible_users_throughout_the_territory, sees the territory's. Every query
 * here takes a struct usager_scope; an id outside it is RDV_ENOTFOUND.
 * Duplicate detection always spans the whole territory.
 *
 * Writes run in one transaction with their audit rows (before/after as
 * to_jsonb) and the "user" webhook of the organisation.
 *
 * Memory: strings in the structs below live in the caller's arena; PGresults
 * returned are the caller's to PQclear().
 */
#ifndef RDV_USAGER_H
#define RDV_USAGER_H

#include <jansson.h>
#include <libpq-fe.h>

#include "arena.h"
#include "db.h"
#include "phone.h"

/* The fields of a record an agent may type, in form order. notes is per
 * organisation (user_profiles.notes). */
#define USAGER_FIELDS(X) \
	X(first_name) X(last_name) X(birth_name) X(birth_date) X(email) X(phone_number) \
	X(address) X(address_details) X(post_code) X(city_code) X(city_name) \
	X(caisse_affiliation) X(affiliation_number) X(family_situation) X(number_of_children) \
	X(logement) X(case_number) X(notify_by_sms) X(notify_by_email) X(notes)

enum usager_field {
#define USAGER_ENUM(n) UF_##n,
	USAGER_FIELDS(USAGER_ENUM)
#undef USAGER_ENUM
	UF_COUNT
};
extern const char *const usager_field_names[UF_COUNT];

/* Who looks, where: from usager_scope_load(). */
struct usager_scope {
	long long agent_id;
	long long org_id;
	long long territory_id;
	int territory_wide;          /* sees every usager of the territory */
	/* the territory's optional fields (enable_* columns) */
	int show[UF_COUNT];          /* 1 when the field is shown and accepted */
};

/* 0, RDV_ENOTFOUND when the agent has no role in org, or a db error. */
int usager_scope_load(struct db *db, long long agent_id, long long org_id, struct usager_scope *out);

/* One record as typed. v[f] NULL = not given (kept on update), "" = cleared. */
struct usager_input {
	const char *v[UF_COUNT];
	long long responsible_id;    /* > 0: a proche of that responsable */
	const char *created_through; /* NULL: "agent_creation" */
	/* filled by usager_validate */
	char phone_e164[PHONE_E164_SIZE];
};

#define USAGER_MAX_ERRORS 24
struct usager_errors {
	int n;
	const char *field[USAGER_MAX_ERRORS];
	const char *message[USAGER_MAX_ERRORS];
};
void usager_error_add(struct usager_errors *e, const char *field, const char *message);
const char *usager_error_get(const struct usager_errors *e, const char *field);

/* Trims and normalises in->v in place (arena copies: e-mail typos ".@" and
 * "..", phone to E.164, dates to ISO), drops fields the territory hides and,
 * for a proche, every contact field (they use their responsable's). Adds a
 * French message per bad field to err. Returns the number of errors. */
int usager_validate(struct arena *a, const struct usager_scope *s, struct usager_input *in,
		    struct usager_errors *err);

/* Fills the fields of in that are NULL with the stored values of usager id
 * (an update is then a complete record). 0 or RDV_ENOTFOUND. */
int usager_fill_input(struct db *db, struct arena *a, const struct usager_scope *s, long long id,
		      struct usager_input *in);

/* Possible duplicates in the territory (never blocking). */
struct usager_duplicate {
	long long id;
	const char *first_name, *last_name, *birth_date;   /* birth_date "DD/MM/YYYY" or NULL */
	const char *organisations;                         /* names in the territory */
	int same_phone, same_identity;
	int in_org;                                        /* already in the scope's organisation */
	int visible;                                       /* the agent may open it */
};
/* E-mail already used by another live usager (anywhere): 1, 0, or a db error. */
int usager_email_taken(struct db *db, const char *email, long long exclude_id);
/* The same phone, or the same first name + last name + birth date, among the
 * territory's live usagers other than exclude_id. Rules whose attributes are
 * unchanged from before (the stored row, UC_* columns, of an edit) are
 * skipped; before is NULL for a creation. *out is an arena array of *n (≤ 10). */
int usager_find_duplicates(struct db *db, struct arena *a, const struct usager_scope *s, long long exclude_id,
			   const struct usager_input *in, const PGresult *before,
			   struct usager_duplicate **out, int *n);

/* The columns of every usager read below, in this order (usager_json reads
 * them by position). */
enum usager_col {
	UC_ID, UC_FIRST_NAME, UC_LAST_NAME, UC_BIRTH_NAME, UC_BIRTH_DATE, UC_EMAIL, UC_PHONE_E164,
	UC_ADDRESS, UC_RESPONSIBLE_ID, UC_NOTIFY_SMS, UC_NOTIFY_EMAIL, UC_PHONE, UC_ADDRESS_DETAILS,
	UC_POST_CODE, UC_CITY_CODE, UC_CITY_NAME, UC_CAISSE, UC_AFFILIATION_NUMBER, UC_FAMILY_SITUATION,
	UC_NUMBER_OF_CHILDREN, UC_LOGEMENT, UC_CASE_NUMBER, UC_DELETED_AT, UC_RESPONSIBLE_LABEL, UC_COUNT
};

/* The API object (api.md): id, first_name, last_name, birth_name,
 * birth_date, email, phone_number (E.164), address, responsible_id,
 * notify_by_sms, notify_by_email. New reference. */
json_t *usager_json(const PGresult *r, int row);

/* One usager in the scope (UC_* columns), or NULL with *err = RDV_ENOTFOUND
 * or a db error. */
PGresult *usager_get(struct db *db, const struct usager_scope *s, long long id, int *err);
/* The organisation's notes on the usager (arena), NULL when none. */
char *usager_notes(struct db *db, struct arena *a, const struct usager_scope *s, long long id);

/* Search. q: a name (words starting words of the name, in any order, accents
 * and case ignored; ordered by the folded name), a phone number, an e-mail or
 * a birth date; "" lists everyone in the scope, in the order of the
 * folded names (as the name search). referent_id > 0
 * keeps that agent's usagers. Rows: UC_* columns then the total count.
 * NULL with db->err on error. */
PGresult *usager_search(struct db *db, struct arena *a, const struct usager_scope *s, const char *q,
			long long referent_id, int page, int per_page);
/* As usager_search, for pages that do not need an exact total: a search by a name of
 * one or two letters stops reading once the page is full, and its total is then a
 * lower bound (negative, usager_search_total) before the last page. */
PGresult *usager_search_page(struct db *db, struct arena *a, const struct usager_scope *s, const char *q,
			     long long referent_id, int page, int per_page);
/* The total of a usager_search result; negative when only a lower bound is known
 * (the list of a whole territory without a search, or a name search of
 * usager_search_page, before its last page): there are at least -total usagers, so
 * there is a next page. */
long long usager_search_total(const PGresult *r);
/* The exact number of usagers in the scope (slow throughout a large territory). */
int usager_count(struct db *db, const struct usager_scope *s, long long *total);
/* "LEMAIRE Jessica – 12/03/1994 – 06 •• •• 44 90" for autocomplete lists. */
const char *usager_label(struct arena *a, const PGresult *r, int row);
/* "06 •• •• 44 90": a phone in pick lists, enough to tell two usagers apart
 * (arena; NULL for NULL). */
const char *usager_phone_masked(struct arena *a, const char *e164);

/* Writes: all in one transaction with audit rows and the webhook. ip may be NULL. */
int usager_create(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip,
		  const struct usager_input *in, long long *id_out);
int usager_update(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		  const struct usager_input *in);

/* Deletion (GDPR): names "Usager supprimé", contact and social fields
 * cleared, deleted_at set, profiles and referents removed, participations
 * kept (RDVs stay for statistics). A responsable with proches needs a
 * decision: delete them too, or detach them into responsables. */
enum usager_proches_decision { USAGER_PROCHES_NONE = 0, USAGER_PROCHES_DELETE, USAGER_PROCHES_DETACH };
/* RDV_ECONFLICT when id has proches and decision is NONE. */
int usager_destroy(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		   enum usager_proches_decision decision);
/* Live proches of id. -1 on error. */
int usager_count_proches(struct db *db, long long id);

/* A merge's choice, field by field, of the values the kept usager ends with. */
struct usager_merge_choice {
	struct usager_input kept, other;   /* both records as stored */
	int differs[UF_COUNT];             /* offered to the agent: the values differ */
	int from_other[UF_COUNT];          /* the kept usager takes the other's value */
	struct usager_input chosen;        /* the kept record as chosen, validated */
};
/* pick[f] (pick may be NULL): "keep" or "source"; otherwise the kept usager's
 * value, or the other's when the kept one is empty. Both usagers must be in the
 * scope (RDV_ENOTFOUND). The chosen record is validated as an edit (the other's
 * e-mail counts as free): French messages in err. 0 or an error code. */
int usager_merge_choose(struct db *db, struct arena *a, const struct usager_scope *s, long long keep_id,
			long long source_id, const char *const pick[UF_COUNT], struct usager_merge_choice *out,
			struct usager_errors *err);

/* Merge source into keep: participations (dropping duplicates), RDVs created
 * by, waiting lists, proches, profiles (notes appended), referents move to
 * keep; keep's empty fields take source's values, then choice (NULL: none)
 * sets the chosen ones (audit row "merge_choice"); source is anonymised.
 * RDV_EINVAL when both are the same, RDV_ECONFLICT when the chosen e-mail was
 * taken meanwhile. */
int usager_merge(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long keep_id,
		 long long source_id, const struct usager_merge_choice *choice);

/* Adds a usager of the territory (and their family cell) to the scope's
 * organisation. RDV_ENOTFOUND outside the territory. */
int usager_add_to_org(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id);

/* Attaches proche id to another responsable (visible, itself a responsable,
 * not the proche), who gives it their organisations. RDV_EINVAL otherwise. */
int usager_move_proche(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id,
		       long long responsible_id);

/* Proche id leaves their responsable and becomes a responsable of their own
 * (without contact details until given). RDV_EINVAL when id is not a proche. */
int usager_detach_proche(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip, long long id);

/* Referents: the agent must have a role in the scope's organisation. */
int usager_referent_add(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip,
			long long id, long long agent_id);
int usager_referent_remove(struct db *db, struct arena *a, const struct usager_scope *s, const char *ip,
			   long long id, long long agent_id);
/* 1 when agent_id is a referent of usager id (follow-up motifs), 0, or a db error. */
int usager_is_referent(struct db *db, long long id, long long agent_id);

#endif
