-- 0025 "invite to book" links (reference: users.rdv_invitation_token, section 1).
--
-- An agent sends a citizen a link /prendre_rdv?invitation_token=…: it opens the
-- search in the invitation context (motifs bookable by everyone and by invited users,
-- restricted to the inviting organisation, and to a service or motifs when the agent
-- chose them). The reference stores an 8-character A–Z0–9 token as is; here the raw
-- token is 256-bit random (lib/auth, like the RDV links) and only its SHA-256 is
-- stored: a copy of the database opens no link, and a 41-bit token hashed would be
-- brute-forced offline in minutes. The link is never typed, so length costs nothing.
-- It lives 12 weeks (the reference's participation tokens), whatever the territory.
ALTER TABLE users
  ADD COLUMN rdv_invitation_token bytea UNIQUE,
  ADD COLUMN rdv_invitation_token_updated_at timestamptz,
  ADD COLUMN rdv_invitation_organisation_id bigint REFERENCES organisations ON DELETE SET NULL,
  ADD COLUMN rdv_invitation_service_id bigint REFERENCES services ON DELETE SET NULL,
  ADD COLUMN rdv_invitation_motif_ids bigint[];

-- The invited person of a live token, whoever is acting (the citizen opening the link
-- may be signed out or signed in as someone else): the owner reads it.
CREATE FUNCTION rdv_invitation_user(token_hash bytea) RETURNS TABLE (
  user_id bigint, responsible_id bigint, last_name text, address text, city_code text,
  street_ban_id text, latitude double precision, longitude double precision)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT u.id, u.responsible_id, u.last_name, u.address, u.city_code, u.street_ban_id,
               u.latitude, u.longitude FROM users u
        WHERE u.rdv_invitation_token = token_hash AND u.deleted_at IS NULL
          AND u.rdv_invitation_token_updated_at > now() - interval '12 weeks' $$;

-- What an invitation restricts the offer to (search.h SEARCH_OFFER_CTE, only for a
-- user whose token the request has checked).
CREATE FUNCTION rdv_invitation_scope(uid bigint) RETURNS TABLE (
  organisation_id bigint, service_id bigint, motif_ids bigint[])
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT u.rdv_invitation_organisation_id, u.rdv_invitation_service_id, u.rdv_invitation_motif_ids
        FROM users u WHERE u.id = uid AND u.rdv_invitation_token IS NOT NULL AND u.deleted_at IS NULL
          AND u.rdv_invitation_token_updated_at > now() - interval '12 weeks' $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rdv_app') THEN
    GRANT EXECUTE ON FUNCTION rdv_invitation_user(bytea) TO rdv_app;
    GRANT EXECUTE ON FUNCTION rdv_invitation_scope(bigint) TO rdv_app;
  END IF;
END $$;
