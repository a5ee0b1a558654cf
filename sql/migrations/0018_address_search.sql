-- 0018 address search: autocomplete ≤ 10 ms on a full département (issue #5).
-- Matching every typed word against the 400 000+ address labels made the trigram
-- index build a bitmap of every address of a common street name, and words found in
-- nearly every label ("rue", a commune prefix) walked posting lists of the whole
-- table. The search now runs on streets (one row per BAN street: several times fewer
-- rows) with a normalised search text (accents, case and punctuation folded, as the
-- C side folds typed words), word by word: the rarest typed word (a prefix: the last
-- one may be half typed) reads its streets from a btree range in order, the other
-- words filter them, and the scan stops after 50 candidates, which similarity ranks.
-- The three tables are derived from addresses and rebuilt after every statement that
-- changes it (import-ban.sh, demo data, bench generator), in the writer's
-- transaction; readers keep seeing the previous rows meanwhile.

-- "12 Rue de l'Église 62000 Arras" → "rue de l eglise 62000 arras"
CREATE FUNCTION rdv_search_text(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT btrim(regexp_replace(public.rdv_fold($1), '[^a-z0-9]+', ' ', 'g')) $$;

CREATE TABLE address_streets (
  street_id text PRIMARY KEY,          -- addresses.street_id
  nom_voie text NOT NULL,
  code_postal text NOT NULL,
  code_insee text NOT NULL,
  nom_commune text NOT NULL,
  search text NOT NULL                 -- rdv_search_text(nom_voie code_postal nom_commune)
);

-- Each word of each street's search text; C collation: the streets holding a word
-- that starts with a typed prefix are one range of the primary key, read in order
-- and stopped after the first few candidates (no bitmap of every match).
CREATE TABLE address_street_words (
  word text COLLATE "C" NOT NULL,
  street_id text NOT NULL,
  PRIMARY KEY (word, street_id)
);

-- How many streets hold each word: the rarest typed word drives the search, the
-- others only filter its candidates.
CREATE TABLE address_words (
  word text COLLATE "C" PRIMARY KEY,
  streets int NOT NULL
);

CREATE FUNCTION address_search_refresh() RETURNS void
  LANGUAGE sql AS $$
  DELETE FROM public.address_streets;
  INSERT INTO public.address_streets (street_id, nom_voie, code_postal, code_insee, nom_commune, search)
  SELECT DISTINCT ON (street_id) street_id, nom_voie, code_postal, code_insee, nom_commune,
         public.rdv_search_text(nom_voie || ' ' || code_postal || ' ' || nom_commune)
    FROM public.addresses ORDER BY street_id, id;
  DELETE FROM public.address_street_words;
  INSERT INTO public.address_street_words (word, street_id)
  SELECT DISTINCT w, street_id FROM public.address_streets, regexp_split_to_table(search, ' ') w WHERE w <> '';
  DELETE FROM public.address_words;
  INSERT INTO public.address_words (word, streets)
  SELECT word, count(*) FROM public.address_street_words GROUP BY word;
$$;

CREATE FUNCTION address_search_refresh_trigger() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM public.address_search_refresh();
  RETURN NULL;
END $$;

CREATE TRIGGER addresses_search_refresh AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON addresses
  FOR EACH STATEMENT EXECUTE FUNCTION address_search_refresh_trigger();

SELECT address_search_refresh();
ANALYZE address_streets;
ANALYZE address_street_words;
ANALYZE address_words;
