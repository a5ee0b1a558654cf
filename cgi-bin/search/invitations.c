/*
 * invitations.c - the "invite to book" links an agent sends
 * (/prendre_rdv?invitation_token=…, cgi-bin/booking/usagers.c): the token
 * (256-bit random, its SHA-256 in users.rdv_invitation_token, 12 weeks)
 * names the invited person. The search then offers the motifs bookable by
 * invited users too, within the invitation's scope (SEARCH_OFFER_CTE), from
 * the address of their record; booking through it is booking.c's
 * /invitation/reservation.
 */
#include <string.h>

#include "rdv.h"
#include "search.h"

int search_invitation(struct ctx *c, struct wizard *w)
{
	const char *t = w->invitation_token;
	if (t == NULL || t[0] == '\0')
		return 0;
	if (strlen(t) != AUTH_TOKEN_LEN)
		return -1;
	char hash[AUTH_HASH_HEX_LEN + 1];
	auth_token_hash(t, hash);
	PGresult *r = db_q(c->db, "SELECT user_id, coalesce(responsible_id, user_id), last_name, address, city_code,"
				  " coalesce(street_ban_id, ''), latitude::text, longitude::text"
				  " FROM rdv_invitation_user($1::bytea)", hash);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return -1;
	}
	w->invited_id = db_ll(r, 0, 0);
	w->invited_responsible_id = db_ll(r, 0, 1);
	w->invited_last_name = db_dup(c->a, r, 0, 2);
	if ((w->city_code == NULL || w->city_code[0] == '\0') && db_val(r, 0, 4) != NULL) {
		wizard_address_from(c, w, r, 3);
	}
	PQclear(r);
	return 1;
}

const char *search_offer_viewer(struct ctx *c, const struct wizard *w)
{
	if (w->invited_id)
		return arena_printf(c->a, "%lld:i", w->invited_id);
	if (w->prescripteur)
		return "0:p";
	return search_viewer(c);
}

int search_invitation_refused(struct ctx *c)
{
	return app_error(c, 404, "Ce lien d'invitation n'est plus valable : il a expiré ou il est incomplet. "
				 "Demandez un nouveau lien au service qui vous l'a envoyé, ou cherchez un rendez-vous "
				 "depuis la page d'accueil.");
}
