-- 0013 calendar feeds: each agent may publish a secret ICS feed
-- (GET /calendrier/<token>.ics, cgi-bin/export/ics_feed.c) managed from
-- /agent/calendar_sync (cgi-bin/booking/calendar_sync.c). The token itself is
-- never stored: agents.calendar_token_hash (0001) holds its SHA-256.
ALTER TABLE agents
  ADD COLUMN calendar_include_plages boolean NOT NULL DEFAULT false,  -- the feed also lists plages d'ouverture
  ADD COLUMN calendar_token_created_at timestamptz;                  -- when the current feed URL was made
