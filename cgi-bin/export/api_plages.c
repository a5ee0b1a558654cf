/*
 * api_plages.c - JSON API (api.md) of plages d'ouverture and absences:
 * GET and POST /api/v1/organisations/:org/plages_ouverture and …/absences.
 * The token's agent needs a role in :org (else 404); reading or writing
 * another agent's plages goes through plages_may (else 403).
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "export.h"
#include "plages.h"
#include "rdv.h"
#include "valid.h"


/* A body value as the validators want it: strings as is, integers printed,
 * null or absent → NULL, anything else → a value every validator refuses. */
static const char *body_str(struct ctx *c, const json_t *body, const char *key)
{
	const json_t *v = json_object_get(body, key);
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return db_int(c->a, (long long)json_integer_value(v));
	return "\x01";
}

/* The organisation of the path, with the caller's role there. */
static int plage_api_org(struct ctx *c, long long *org, enum org_role *role)
{
	*org = route_id(&c->match, "org");
	int rc = policy_require_role(c->db, c->agent_id, *org, ROLE_INTERVENANT);
	return rc ? rc : policy_org_role(c->db, c->agent_id, *org, role);
}

/* ?agent_id= (checked), or every agent for admins, else the caller. */
static int list_agent(struct ctx *c, long long org, enum org_role role, long long *agent)
{
	const char *s = http_param(&c->req, "agent_id");
	if (s == NULL || s[0] == '\0') {
		*agent = role == ROLE_ADMIN ? 0 : c->agent_id;
		return 0;
	}
	if (valid_id(s, agent, NULL) != 0)
		return app_json_error(c, 400, "bad_request", "Le paramètre agent_id doit être un identifiant.", NULL), 1;
	if (!plages_may(c->db, c->agent_id, *agent, org, role, AGENDA_READ))
		return app_json_error(c, 403, "forbidden", "Vous n'avez pas accès à l'agenda de cet agent.", NULL), 1;
	return 0;
}


typedef int (*list_fn)(struct db *, struct arena *, long long, long long, int, int, json_t **, long long *);

static int plage_api_list(struct ctx *c, const char *key, list_fn fn)
{
	long long org, agent;
	enum org_role role;
	int rc = plage_api_org(c, &org, &role);
	if (rc != 0)
		return rc;
	if (list_agent(c, org, role, &agent) != 0)
		return 0;
	struct api_page pg;
	const char *msg;
	if (api_page_parse(c, &pg, &msg) != 0)
		return api_bad_request(c, msg);
	json_t *items;
	long long total;
	if ((rc = fn(c->db, c->a, org, agent, (int)pg.page, (int)pg.per_page, &items, &total)) != 0)
		return rc;
	return app_json(c, 200, json_pack("{s:o, s:o}", key, items, "meta", api_meta(&pg, total)));
}

static int api_plage_index(struct ctx *c) { return plage_api_list(c, "plages_ouverture", plages_json_list); }
static int api_absence_index(struct ctx *c) { return plage_api_list(c, "absences", absences_json_list); }

/* The body (an object, else 400), the target agent (default: the caller;
 * 403 when not writable). 0 to go on, 1 when the answer is set. */
static int write_prelude(struct ctx *c, long long org, enum org_role role, const char **agent_id)
{
	if (!json_is_object(c->req.json))
		return app_json_error(c, 400, "bad_request", "Le corps de la requête doit être un objet JSON.", NULL), 1;
	*agent_id = body_str(c, c->req.json, "agent_id");
	if (*agent_id == NULL)
		*agent_id = db_int(c->a, c->agent_id);
	long long id;
	if (valid_id(*agent_id, &id, NULL) == 0 && !plages_may(c->db, c->agent_id, id, org, role, AGENDA_WRITE))
		return app_json_error(c, 403, "forbidden", "Vous ne pouvez pas modifier l'agenda de cet agent.", NULL), 1;
	return 0;
}

static int validation_failed(struct ctx *c, json_t *errors)
{
	return app_json_error(c, 422, "validation_failed", "Les données envoyées ne sont pas valides.", errors);
}

static void body_motifs(struct ctx *c, struct plage_input *in, json_t *errors)
{
	const json_t *ids = json_object_get(c->req.json, "motif_ids");
	if (ids != NULL && !json_is_array(ids)) {
		plages_error_add(errors, "motif_ids", "« motif_ids » doit être une liste d'identifiants.");
		return;
	}
	size_t i;
	const json_t *v;
	json_array_foreach(ids, i, v) {
		if (in->n_motifs > PLAGES_MAX_MOTIFS)
			break;
		in->motif_ids[in->n_motifs++] = json_is_integer(v) ? db_int(c->a, (long long)json_integer_value(v))
								   : json_is_string(v) ? json_string_value(v) : "\x01";
	}
}

/* The body of a new plage (agent_id already read), validated into *p. */
static int plage_from_body(struct ctx *c, long long org, const char *agent_id, struct plage *p, json_t *errors)
{
	const json_t *b = c->req.json;
	struct plage_input in = {.agent_id = agent_id};
	in.lieu_id = body_str(c, b, "lieu_id");
	in.title = body_str(c, b, "title");
	in.first_day = body_str(c, b, "first_day");
	in.start_time = body_str(c, b, "start_time");
	in.end_time = body_str(c, b, "end_time");
	body_motifs(c, &in, errors);
	struct recurrence rule;
	if (plages_rule_from_json(json_object_get(b, "recurrence"), &rule, errors) == 0)
		in.rule = &rule;
	return plages_validate(c->db, c->a, org, &in, p, errors);
}

/* The body of a new absence (agent_id already read), validated into *ab. */
static int absence_from_body(struct ctx *c, long long org, const char *agent_id, struct absence *ab, json_t *errors)
{
	const json_t *b = c->req.json;
	struct absence_input in = {.agent_id = agent_id};
	in.title = body_str(c, b, "title");
	in.first_day = body_str(c, b, "first_day");
	in.start_time = body_str(c, b, "start_time");
	in.end_day = body_str(c, b, "end_day");
	in.end_time = body_str(c, b, "end_time");
	struct recurrence rule;
	if (plages_rule_from_json(json_object_get(b, "recurrence"), &rule, errors) == 0)
		in.rule = &rule;
	return absences_validate(c->db, c->a, org, &in, ab, errors);
}

/* POST of a plage (absence 0) or an absence: 201 with the object, 422 with
 * the field errors. */
static int series_api_create(struct ctx *c, int absence)
{
	long long org;
	enum org_role role;
	int rc = plage_api_org(c, &org, &role);
	if (rc != 0)
		return rc;
	const char *agent_id;
	if (write_prelude(c, org, role, &agent_id) != 0)
		return 0;
	json_t *errors = json_object();
	union {
		struct plage plage;
		struct absence absence;
	} it;
	rc = absence ? absence_from_body(c, org, agent_id, &it.absence, errors)
		     : plage_from_body(c, org, agent_id, &it.plage, errors);
	if (rc == RDV_EINVAL)
		return validation_failed(c, errors);
	json_decref(errors);
	struct plages_actor who = {c->agent_id, app_client_ip(c)};
	if (rc == 0)
		rc = absence ? absences_create(c->db, c->a, &who, &it.absence) : plages_create(c->db, c->a, &who, &it.plage);
	if (rc != 0)
		return rc;
	json_t *obj = absence ? absences_json(c->db, it.absence.id) : plages_json(c->db, it.plage.id);
	return app_json(c, 201, json_pack("{s:o}", absence ? "absence" : "plage_ouverture", obj));
}

static int api_plage_create(struct ctx *c) { return series_api_create(c, 0); }
static int api_absence_create(struct ctx *c) { return series_api_create(c, 1); }

ROUTE_TABLE(api_plage_routes,
	{HTTP_GET, "/api/v1/organisations/:org/plages_ouverture", api_plage_index, ROUTE_API, ROUTE_JSON},
	{HTTP_POST, "/api/v1/organisations/:org/plages_ouverture", api_plage_create, ROUTE_API, ROUTE_JSON},
);

ROUTE_TABLE(api_absence_routes,
	{HTTP_GET, "/api/v1/organisations/:org/absences", api_absence_index, ROUTE_API, ROUTE_JSON},
	{HTTP_POST, "/api/v1/organisations/:org/absences", api_absence_create, ROUTE_API, ROUTE_JSON},
);
