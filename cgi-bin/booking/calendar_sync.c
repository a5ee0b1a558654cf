/*
 * calendar_sync.c - « Synchroniser mon agenda »: the signed-in agent's secret
 * ICS feed (served by cgi-bin/export/ics_feed.c at /calendrier/<token>.ics).
 *
 *   GET  /agent/calendar_sync              how to subscribe (Outlook,
 *        Thunderbird, phones), whether a feed exists, the plages preference
 *   POST /agent/calendar_sync              creates or regenerates the feed:
 *        a new token, the old URL stops working at once; the full URL is on
 *        this answer only (only its SHA-256 is stored)
 *   POST /agent/calendar_sync/revoke       the feed stops working
 *   POST /agent/calendar_sync/preferences  include plages d'ouverture or not
 *
 * Every change is audited (item "agent", the agent themself). Only the
 * signed-in agent's own row is ever touched: no id in the paths.
 * Memory: request arena; every PGresult is cleared here.
 */
#include <string.h>

#include "audit.h"
#include "booking.h"
#include "rdv.h"
#include "tz.h"

/* Fills the page variables from the agent's row: has_feed, feed_since,
 * include_plages. */
static int sync_load(struct ctx *c)
{
	PGresult *r = db_q(c->db,
		"SELECT calendar_token_hash IS NOT NULL, extract(epoch FROM calendar_token_created_at)::bigint,"
		" calendar_include_plages FROM agents WHERE id = $1 AND deleted_at IS NULL",
		db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	tmpl_set_bool(c->vars, "has_feed", db_bool(r, 0, 0));
	if (db_bool(r, 0, 0) && db_val(r, 0, 1) != NULL) {
		char when[96];
		tz_format_fr_long(db_ll(r, 0, 1), when, sizeof(when));
		tmpl_set_var(c->vars, "feed_since", when);
	}
	tmpl_set_bool(c->vars, "include_plages", db_bool(r, 0, 2));
	PQclear(r);
	return 0;
}

static int sync_render(struct ctx *c, const char *feed_url)
{
	int rc = sync_load(c);
	if (rc != 0)
		return rc;
	tmpl_set_var(c->vars, "title", "Synchroniser mon agenda");
	if (feed_url != NULL) {
		/* The only copy of the URL: never cached, never in a redirect. */
		http_add_header(&c->res, "Cache-Control", "no-store");
		tmpl_set_var(c->vars, "feed_url", feed_url);
		/* webcal:// makes phones and Apple/Thunderbird offer a subscription. */
		const char *sep = strstr(feed_url, "://");
		if (sep != NULL)
			tmpl_set_var(c->vars, "webcal_url", arena_printf(c->a, "webcal%s", sep));
	}
	return app_render(c, 200, "booking/calendar_sync.tmpl");
}

/* GET /agent/calendar_sync */
static int sync_show(struct ctx *c)
{
	return sync_render(c, NULL);
}

/* POST /agent/calendar_sync: a new token replaces the old one in one UPDATE,
 * so there is never a moment with two valid URLs. */
static int sync_generate(struct ctx *c)
{
	char token[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_new(token);
	auth_token_hash(token, hash);
	PGresult *r = db_q(c->db,
		"WITH old AS (SELECT calendar_token_hash IS NOT NULL AS had FROM agents WHERE id = $1)"
		" UPDATE agents SET calendar_token_hash = $2::bytea, calendar_token_created_at = now()"
		" WHERE id = $1 AND deleted_at IS NULL RETURNING (SELECT had FROM old)",
		db_int(c->a, c->agent_id), hash);
	if (r == NULL)
		return c->db->err;
	int found = PQntuples(r) == 1, had = found && db_bool(r, 0, 0);
	PQclear(r);
	if (!found)
		return RDV_ENOTFOUND;
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .item_type = "agent",
		.item_id = c->agent_id, .event = had ? "calendar_feed_regenerate" : "calendar_feed_create",
		.ip = app_client_ip(c)});
	/* Shown on this very page (a flash cookie would wait for the next one). */
	tmpl_set_var(c->vars, "flash_kind", "success");
	tmpl_set_var(c->vars, "flash_message", had ? "Une nouvelle adresse a été créée : l'ancienne ne fonctionne plus."
						   : "Votre adresse de synchronisation a été créée.");
	return sync_render(c, arena_printf(c->a, "%s/calendrier/%s.ics", c->conf->public_url, token));
}

/* POST /agent/calendar_sync/revoke */
static int sync_revoke(struct ctx *c)
{
	PGresult *r = db_q(c->db,
		"UPDATE agents SET calendar_token_hash = NULL, calendar_token_created_at = NULL"
		" WHERE id = $1 AND calendar_token_hash IS NOT NULL RETURNING id",
		db_int(c->a, c->agent_id));
	if (r == NULL)
		return c->db->err;
	int revoked = PQntuples(r) == 1;
	PQclear(r);
	if (revoked) {
		audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .item_type = "agent",
			.item_id = c->agent_id, .event = "calendar_feed_revoke", .ip = app_client_ip(c)});
		app_flash(c, "success", "La synchronisation est désactivée : l'adresse ne fonctionne plus.");
	} else {
		app_flash(c, "info", "Aucune synchronisation n'était active.");
	}
	return app_redirect(c, "/agent/calendar_sync");
}

/* POST /agent/calendar_sync/preferences: include_plages=1 (a checkbox, absent
 * when unchecked). */
static int sync_preferences(struct ctx *c)
{
	const char *v = http_param(&c->req, "include_plages");
	const char *flag = v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "on") == 0) ? "true" : "false";
	PGresult *r = db_q(c->db,
		"WITH old AS (SELECT calendar_include_plages AS was FROM agents WHERE id = $1)"
		" UPDATE agents SET calendar_include_plages = $2::boolean WHERE id = $1 AND deleted_at IS NULL"
		" RETURNING jsonb_build_object('calendar_include_plages', (SELECT was FROM old))::text,"
		"  jsonb_build_object('calendar_include_plages', calendar_include_plages)::text",
		db_int(c->a, c->agent_id), flag);
	if (r == NULL)
		return c->db->err;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return RDV_ENOTFOUND;
	}
	audit_log(c->db, c->a, &(struct audit_entry){.agent_id = c->agent_id, .item_type = "agent",
		.item_id = c->agent_id, .event = "update", .before_json = db_val(r, 0, 0),
		.after_json = db_val(r, 0, 1), .ip = app_client_ip(c)});
	PQclear(r);
	app_flash(c, "success", flag[0] == 't'
		? "Vos plages d'ouverture apparaîtront dans votre agenda synchronisé."
		: "Vos plages d'ouverture n'apparaîtront plus dans votre agenda synchronisé.");
	return app_redirect(c, "/agent/calendar_sync");
}

ROUTE_TABLE(calendar_routes,
	{HTTP_GET, "/agent/calendar_sync", sync_show, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/calendar_sync", sync_generate, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/calendar_sync/revoke", sync_revoke, ROUTE_AGENT, 0},
	{HTTP_POST, "/agent/calendar_sync/preferences", sync_preferences, ROUTE_AGENT, 0},
);
