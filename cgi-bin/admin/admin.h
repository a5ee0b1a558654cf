/*
 * admin.h - the administration program: one file per resource, each with its
 * route table (see main.c), and the helpers they share (common.c): who may
 * administer the page's organisation or territory, the admin menu, form
 * errors, pagination, audit and webhooks of a change.
 *
 * Access (reference §4, with the rules):
 *   - organisation pages /admin/organisations/:org_id/…: organisation admins,
 *     and territory admins of the organisation's territory;
 *   - territory pages /admin/territories/:terr_id/…: territory admins, or an
 *     agent holding the fine territorial right the page needs;
 *   - an agent with no link at all to the object gets 404 (its existence is
 *     not revealed); a member without the right gets a 403 page saying why.
 */
#ifndef RDV_ADMIN_H
#define RDV_ADMIN_H

#include <jansson.h>

#include "app.h"
#include "policy.h"

#define ADMIN_PAGE_SIZE 50

/* Helpers that answer themselves (error page rendered) return ADMIN_DONE:
 * the handler then returns 0. */
#define ADMIN_DONE 1

struct admin_org {
	long long id;
	long long territory_id;
	const char *name;            /* arena */
	const char *territory_name;  /* arena */
	int territory_admin;         /* the signed-in agent is territory admin */
};

/* The :org_id of the page, administered by the signed-in agent: 0 (o filled,
 * page variables org_id, org_name, territory_id and the admin menu set), or
 * ADMIN_DONE after rendering 404 / 403 / 503. */
int admin_org(struct ctx *c, struct admin_org *o);

enum admin_right {
	RIGHT_TERRITORY_ADMIN = 0,   /* territory admin only */
	RIGHT_INVITE_AGENTS,         /* allow_to_invite_agents */
	RIGHT_MANAGE_TEAMS,          /* allow_to_manage_teams */
	RIGHT_MANAGE_ACCESS_RIGHTS,  /* allow_to_manage_access_rights */
	RIGHT_DOWNLOAD_STATS,        /* allow_to_download_stats */
	RIGHT_ANY,                   /* territory admin or any of the rights (territory home) */
};

struct admin_territory {
	long long id;
	const char *name;
	const char *departement;     /* departement_number */
	int is_admin;                /* territory admin: every right */
	int can_invite, can_teams, can_rights, can_stats;
};

/* The :terr_id of the page with the right need: 0 (t filled, variables
 * terr_id, terr_name and the menu set) or ADMIN_DONE after an error page. */
int admin_territory(struct ctx *c, struct admin_territory *t, enum admin_right need);

/* A request parameter, trimmed, in the arena; "" when absent. */
const char *admin_param(struct ctx *c, const char *name);
/* 1 when a checkbox-like parameter is set. */
int admin_checked(struct ctx *c, const char *name);
/* The posted ids of a multiple choice (checkboxes "name") as a bigint[]
 * parameter ("{}" when none; *n how many), or NULL when one is not an id or
 * there are more than max. */
const char *admin_ids_param(struct ctx *c, const char *name, size_t max, size_t *n);

/* Form errors: sets "error_<field>" for the template and counts them. */
struct admin_form {
	struct ctx *c;
	int n_errors;
};
void admin_form_error(struct admin_form *f, const char *field, const char *message);
/* Sets the "form_errors" count and the summary alert variables. */
void admin_form_summary(struct admin_form *f);

/* Pagination: reads ?page=, returns the SQL offset as a string; after the
 * query, admin_pager_vars sets page / prev_url / next_url (base_url already
 * carries the other query parameters and ends with '?' or '&'). */
struct admin_pager {
	long long page;     /* from 1 */
	long long offset;
};
void admin_pager_init(struct ctx *c, struct admin_pager *p);
void admin_pager_vars(struct ctx *c, const struct admin_pager *p, long long total, const char *base_url);

/* One audit row for a change made by the signed-in agent. */
int admin_audit(struct ctx *c, long long org_id, long long territory_id, const char *item_type,
		long long item_id, const char *event, const char *before_json, const char *after_json);
/* Queues the organisation's webhooks for a model change (data: JSON text). */
int admin_webhook(struct ctx *c, long long org_id, const char *model, const char *event, const char *json_text);
/* One admin change to an object of the organisation o, inside the open
 * transaction: its audit row (event "create", "update", "destroy"…) and its
 * webhook (hook "created", "updated", "destroyed": the after JSON, or the
 * before JSON when after is NULL). */
int admin_record(struct ctx *c, const struct admin_org *o, const char *model, long long id, const char *event,
		 const char *hook, const char *before, const char *after);
/* The end of a change: commits when rc is 0 (else returns rc: the request
 * fails and the transaction is rolled back), then the flash and the redirect. */
int admin_commit_redirect(struct ctx *c, int rc, const char *flash, const char *to);

/* Sets a loop of <option>s: value/label pairs, "selected" on the match. */
void admin_options(struct ctx *c, struct tmpl_vars *v, const char *loop, const char *const *values,
		   const char *const *labels, const char *selected);

/* The confirmation page of a dangerous action (admin/confirm.tmpl): title,
 * explanation, where the form posts, the button label and where "Annuler"
 * goes. Extra hidden fields and a blockers list may be set on c->vars
 * before. status 200, or 409/422 when blocked. */
int admin_confirm(struct ctx *c, int status, const char *title, const char *message, const char *action,
		  const char *button, const char *cancel);

/* "lundi 7 décembre 2026 à 14 h 30" from an epoch (Europe/Paris). */
const char *admin_datetime(struct ctx *c, long long epoch);

/* 1 for a lower-case slug: letters, digits, '-', '_', 1 to 64 characters. */
int admin_valid_slug(const char *s);
/* s percent-encoded for a query string, in the arena. */
const char *admin_urlenc(struct ctx *c, const char *s);

#endif
