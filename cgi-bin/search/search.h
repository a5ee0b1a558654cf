/*
 * search.h - the public program: one file per resource, each with its route
 * table, and the helpers they share (common.c): the wizard's accumulated
 * choices, the citizen's session cookie, mailed tokens, French dates.
 */
#ifndef RDV_SEARCH_H
#define RDV_SEARCH_H

#include "app.h"

/* The choices the wizard's query string accumulates (all arena strings,
 * NULL when absent). */
struct wizard {
	const char *address, *city_code, *street_ban_id, *lat, *lon;
	const char *service_id;          /* "" or an id */
	const char *motif_name, *location_type;
	long long lieu_id;
	const char *date;                /* YYYY-MM-DD, first day of the week shown */
	const char *invitation_token;    /* an agent's "invite to book" link, kept in every URL */
	long long invited_id;            /* the invited person once the token checked, else 0 */
	long long invited_responsible_id;/* who books for them (themselves or their responsable) */
	const char *invited_last_name;
	int prescripteur;                /* prescripteur mode (prescripteur=1): booking for someone else */
};

void wizard_parse(struct ctx *c, struct wizard *w);
/* Checks w->invitation_token (invitations.c): 0 without one, 1 when live
 * (invited_* set, and the address taken from their record when the URL has
 * none), -1 when expired or unknown. */
int search_invitation(struct ctx *c, struct wizard *w);
/* The $4 of SEARCH_OFFER_CTE for this wizard: the invited person with the
 * invitation flag, "0:p" in prescripteur mode, else search_viewer(). */
const char *search_offer_viewer(struct ctx *c, const struct wizard *w);
/* The French page of a dead invitation link (no data shown). */
int search_invitation_refused(struct ctx *c);
/* "/prendre_rdv?address=…&city_code=…" with the fields up to (and
 * including) level: 0 address, 1 service, 2 motif, 3 lieu, 4 date. */
const char *wizard_url(struct ctx *c, const struct wizard *w, int level);
/* The chosen address from five consecutive columns of row 0 of r, from col:
 * label, city_code, street_ban_id, lat, lon (copied into c->a). */
void wizard_address_from(struct ctx *c, struct wizard *w, const PGresult *r, int col);
/* The same fields as a query string without "?" (hidden fields of forms). */
const char *wizard_query(struct ctx *c, const struct wizard *w, int level);

/* The SQL of the motifs a citizen may book from an address: $1 city_code,
 * $2 street_ban_id ('' if none), $3 service_id ('' for all), $4 the usager
 * whose referents open follow-up motifs ('0' for none: search_viewer), or
 * "<id>:i" for a person whose invitation link the request checked
 * (search_offer_viewer): then motifs bookable by invited users are offered
 * too, within the invitation's organisation, service and motifs; or "0:p"
 * for a prescripteur (search_offer_viewer): motifs bookable by prescripteurs
 * (and by invited users) are offered too.
 * Callers number their own parameters from $5. Defines the CTEs terr,
 * street, sect, attr (organisation_id, agent_id of the secteurs the address
 * falls in), ref (agent_id of the usager's referents), inv (the invitation's
 * scope, no row outside an invitation) and offer (the
 * bookable motifs). Street zones take precedence: the commune's zones apply
 * only when no street zone matches. A follow-up motif is offered only with
 * a referent's plage (or a collective RDV of a referent): without referents
 * it does not appear. */
#define SEARCH_OFFER_CTE \
	"WITH terr AS (SELECT id, cancellation_deadline_hours FROM territories" \
	"  WHERE departement_number = CASE WHEN $1 LIKE '97%' THEN left($1, 3) ELSE left($1, 2) END)," \
	" street AS (SELECT z.sector_id FROM zones z JOIN sectors s ON s.id = z.sector_id" \
	"  WHERE s.territory_id IN (SELECT id FROM terr) AND z.level = 'street' AND z.street_ban_id = nullif($2, ''))," \
	" sect AS (SELECT sector_id FROM street UNION SELECT z.sector_id FROM zones z JOIN sectors s ON s.id = z.sector_id" \
	"  WHERE s.territory_id IN (SELECT id FROM terr) AND z.level = 'city' AND z.city_code = $1" \
	"  AND NOT EXISTS (SELECT 1 FROM street))," \
	" attr AS (SELECT sa.organisation_id, sa.agent_id FROM sector_attributions sa" \
	"  WHERE sa.sector_id IN (SELECT sector_id FROM sect))," \
	" ref AS (SELECT ra.agent_id FROM referent_assignations ra WHERE ra.user_id = split_part($4, ':', 1)::bigint)," \
	" inv AS (SELECT * FROM rdv_invitation_scope(split_part($4, ':', 1)::bigint) WHERE $4 LIKE '%:i')," \
	" elig AS (SELECT m.* FROM motifs m JOIN organisations o ON o.id = m.organisation_id" \
	"  WHERE o.territory_id IN (SELECT id FROM terr) AND m.deleted_at IS NULL " \
	"  AND (m.bookable_by = 'everyone' OR (m.bookable_by = 'agents_and_prescripteurs_and_invited_users'" \
	"       AND EXISTS (SELECT 1 FROM inv))" \
	"   OR ($4 LIKE '%:p' AND m.bookable_by <> 'agents'))" \
	"  AND NOT EXISTS (SELECT 1 FROM inv WHERE m.organisation_id <> coalesce(inv.organisation_id, m.organisation_id)" \
	"       OR m.service_id <> coalesce(inv.service_id, m.service_id)" \
	"       OR (coalesce(cardinality(inv.motif_ids), 0) > 0 AND m.id <> ALL (inv.motif_ids)))" \
	"  AND NOT m.for_secretariat AND m.visibility_type <> 'invisible'" \
	"  AND (nullif($3, '') IS NULL OR m.service_id = nullif($3, '')::bigint)" \
	"  AND (m.sectorisation_level = 'departement'" \
	"   OR (m.sectorisation_level = 'organisation' AND m.organisation_id IN" \
	"       (SELECT organisation_id FROM attr WHERE agent_id IS NULL))" \
	"   OR (m.sectorisation_level = 'agent' AND EXISTS (SELECT 1 FROM attr" \
	"       WHERE attr.organisation_id = m.organisation_id AND attr.agent_id IS NOT NULL))))," \
	" offer AS (SELECT e.* FROM elig e WHERE" \
	"  (NOT e.collectif AND EXISTS (SELECT 1 FROM plage_ouverture_motifs pm" \
	"    JOIN plages_ouverture p ON p.id = pm.plage_ouverture_id LEFT JOIN lieux l ON l.id = p.lieu_id" \
	"    WHERE pm.motif_id = e.id AND coalesce(l.availability, 'enabled') <> 'disabled'" \
	"    AND coalesce(p.recurrence_ends_at, CASE WHEN p.recurrence IS NULL THEN p.first_day END, 'infinity'::date) >= current_date" \
	"    AND (e.sectorisation_level <> 'agent' OR p.agent_id IN" \
	"         (SELECT agent_id FROM attr WHERE attr.organisation_id = e.organisation_id))" \
	"    AND (NOT e.follow_up OR p.agent_id IN (SELECT agent_id FROM ref))))" \
	"  OR (e.collectif AND EXISTS (SELECT 1 FROM rdvs r WHERE r.motif_id = e.id AND r.collectif" \
	"    AND r.cancelled_at IS NULL AND r.status <> 'revoked'" \
	"    AND r.starts_at > now() + make_interval(secs => e.min_public_booking_delay)" \
	"    AND r.starts_at < now() + make_interval(secs => e.max_public_booking_delay)" \
	"    AND (r.max_participants_count IS NULL OR r.users_count < r.max_participants_count)" \
	"    AND (NOT e.follow_up OR EXISTS (SELECT 1 FROM agents_rdvs ar WHERE ar.rdv_id = r.id" \
	"         AND ar.agent_id IN (SELECT agent_id FROM ref)))))) "

/* The usager whose referents this request may book follow-up motifs with:
 * the signed-in citizen, 0 when signed out or signed in by an RDV link.
 * search_viewer is the same as the $4 text of SEARCH_OFFER_CTE. */
long long search_viewer_id(const struct ctx *c);
const char *search_viewer(struct ctx *c);

/* After SEARCH_OFFER_CTE, the agents a motif (alias m) may be booked with
 * when it is restricted (m.sectorisation_level = 'agent' OR m.follow_up):
 * agent-level, the attributed agents; follow-up, the referents; both, the
 * attributed referents. A subquery of one column, agent_id. */
#define SEARCH_MOTIF_AGENTS \
	"SELECT a.agent_id FROM attr a WHERE m.sectorisation_level = 'agent'" \
	"  AND a.organisation_id = m.organisation_id AND a.agent_id IS NOT NULL" \
	"  AND (NOT m.follow_up OR a.agent_id IN (SELECT agent_id FROM ref))" \
	" UNION SELECT agent_id FROM ref WHERE m.follow_up AND m.sectorisation_level <> 'agent'"

/* Agents a motif may be booked with from that address: NULL/0 = all, or the
 * agents attributed for agent-level motifs, and for follow-up motifs only
 * the referents of viewer (the $4 of SEARCH_OFFER_CTE) (both rules when both
 * apply). Arena array. */
int search_motif_agents(struct ctx *c, long long motif_id, const char *city_code, const char *street_ban_id,
			const char *viewer, long long **ids, size_t *n, int *restricted);

/* "lundi 7 décembre 2026 à 14 h 30" in the arena. */
const char *search_fr_long(struct ctx *c, long long utc);
const char *search_fr_date(struct ctx *c, long long utc);
const char *search_hm(struct ctx *c, long long utc);

/* The first local day (UTC of its midnight) of the week of slots shown: date
 * (YYYY-MM-DD, e.g. ?date=) unless invalid or over, else today. */
long long search_week_start(const char *date, long long now);

/* Adds day d (0: start's local day) to the week's loop days: its French date
 * and an empty "slots" loop, returned; *next is when the following day starts. */
struct tmpl_loop *search_day_slots(struct ctx *c, struct tmpl_loop *days, long long start, int d, long long *next);

/* A local path of this site to go back to after sign-in, else def. */
const char *search_return_to(const char *rt, const char *def);

/* Signs the citizen in: fresh session (rdv_scope_id for RDV links, lasting
 * life_minutes when > 0), cookie "rdv_usager". */
int search_sign_in(struct ctx *c, long long user_id, long long rdv_scope_id, int life_minutes);
void search_drop_session(struct ctx *c);

/* A single-use token mailed to the user (kind "confirmation" or "magic_link"),
 * linked as path?token=… (path may carry its own query string, kept after it),
 * queued in the outbox with event, in one statement. */
int search_mail_token(struct ctx *c, long long user_id, const char *kind, const char *event,
		      const char *path, const char *lifetime);
/* The user of a live, unused token of that kind, marked used: id, or 0. */
long long search_use_token(struct ctx *c, const char *token, const char *kind);

/* 1 when the session was opened by an RDV link (that RDV only). */
int search_scoped(const struct ctx *c);
/* Cancels RDV id for the signed-in citizen's family, inside the caller's
 * transaction: their participations excused (a collective RDV keeps its other
 * participants and frees the seats), an individual RDV itself excused and its
 * waiting list cleared, an audit row; agents and webhooks are told, and the
 * family too unless quiet (their account is being deleted). */
int search_family_cancel(struct ctx *c, long long id, int collectif, int quiet);
/* Error page for what a link session may not do. */
int search_scope_refused(struct ctx *c);

/* booking.c: one online booking being made (citizen, invitation link or
 * prescripteur). Strings live in the request arena. */
struct booking {
	struct wizard w;
	long long motif_id, lieu_id, starts_at, rdv_id, for_user_id;
	long long org_id;
	long long referents_of;          /* whose referents a follow-up motif is booked with */
	const char *viewer;              /* the $4 of SEARCH_OFFER_CTE */
	int invited;                     /* through an invitation link: for the invited person only */
	int duration, collectif, follow_up;
	long long min_delay, max_delay;  /* motif's public booking delays, seconds */
	const char *motif_name, *location_type, *restriction, *instruction;
	long long prescripteur_id;       /* set: created by that prescripteur, not by c->user_id */
	const char *actor;               /* the audit's actor when not c->user_id ("prescripteur <e-mail>") */
	/* Optional steps of booking_run inside its transaction (each attempt):
	 * before the RDV is inserted (who it is for, who books), and before the
	 * COMMIT (more messages). Non-zero aborts the attempt. */
	int (*before_insert)(struct ctx *c, struct booking *b);
	int (*before_commit)(struct ctx *c, struct booking *b, long long rdv_id);
	void *arg;
};

/* Loads what is being booked from the request (wizard, motif_id, lieu_id,
 * starts_at, rdv_id); prescripteur: the prescripteur's offer, whatever the
 * query string says. RDV_ENOTFOUND when the motif is not offered online at
 * that address, RDV_EFORBIDDEN for a dead invitation link. */
int booking_load(struct ctx *c, struct booking *b, int prescripteur);
/* booking_load's outcome as a page: 0 to go on. */
int booking_refused(struct ctx *c, int rc);
/* Why the start is outside the motif's online booking window, NULL if inside. */
const char *booking_outside_delays(struct ctx *c, const struct booking *b);
/* 1 when some agent is free at exactly that start (0 if not, < 0 on error). */
int booking_slot_free(struct ctx *c, const struct booking *b);
/* Back to the créneaux of that day with msg (NULL: "no longer available"). */
int booking_gone(struct ctx *c, const struct booking *b, const char *msg);
/* Books it in one transaction (retried on a race): re-checks the créneau,
 * inserts the RDV, the organisation profile, the notifications and the audit
 * row. 0 with *rdv_id, RDV_ENOTFOUND / RDV_ECONFLICT when the créneau is gone. */
int booking_run(struct ctx *c, struct booking *b, long long *rdv_id);
/* The throttle of online bookings ("booking" kind), keyed on login and the
 * client address: 1 when refused (a French 429 page was rendered). */
int booking_throttled(struct ctx *c, const char *login);

/* addresses.c: the best matches of a typed address in the local address
 * base (accent-insensitive, trigram index). Columns: id, label, code_insee,
 * street_id, lat, lon, nom_commune, code_postal. Caller PQclears. */
PGresult *address_lookup(struct ctx *c, const char *q, int limit);

#endif
