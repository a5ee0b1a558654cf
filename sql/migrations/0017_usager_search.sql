-- 0017 usager search by name, fast on 500 000 usagers (`make bench`, ≤ 20 ms).
--
-- The name search used to match users.search_name with a trigram index over every
-- usager of the database, then keep those of the organisation: a common surname
-- (Martin, ≈ 0.4 % of the French) read thousands of rows of other organisations.
-- The folded words of the name are now copied onto each user_profiles row, where one
-- GIN index holds the organisation and the trigrams together (btree_gin): a search
-- reads only the organisation's matches.
--
-- Words: "last first birth", accents and case folded (rdv_fold), anything that is not
-- a letter or a digit turned into one space, with a leading space, so that
-- LIKE '% mar% jes%' means "a word starting with mar, then a word starting with jes".
-- The copy is kept by triggers: on user_profiles rows being written, and on users
-- when a name changes (merge, anonymisation, edit). SECURITY DEFINER: an agent who
-- renames a usager refreshes the rows of every organisation that knows it, including
-- those that row-level security (0014) hides from them.
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE FUNCTION rdv_name_words(last_name text, first_name text, birth_name text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ' ' || btrim(regexp_replace(public.rdv_fold(coalesce(last_name, '') || ' ' || coalesce(first_name, '')
                || ' ' || coalesce(birth_name, '')), '[^[:alnum:]]+', ' ', 'g')) $$;

-- The LIKE pattern built by lib/usager.c ("% w1% w2%"), folded the same way.
CREATE FUNCTION rdv_name_pattern(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT regexp_replace(public.rdv_fold($1), '[^[:alnum:]%]+', ' ', 'g') $$;

ALTER TABLE user_profiles ADD COLUMN search_words text NOT NULL DEFAULT '';

CREATE FUNCTION user_profiles_search_words() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  SELECT rdv_name_words(u.last_name, u.first_name, u.birth_name) INTO NEW.search_words
    FROM users u WHERE u.id = NEW.user_id;
  NEW.search_words := coalesce(NEW.search_words, '');
  RETURN NEW;
END $$;
CREATE TRIGGER user_profiles_search_words BEFORE INSERT OR UPDATE OF user_id ON user_profiles
  FOR EACH ROW EXECUTE FUNCTION user_profiles_search_words();

CREATE FUNCTION users_search_words() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  UPDATE user_profiles SET search_words = rdv_name_words(NEW.last_name, NEW.first_name, NEW.birth_name)
   WHERE user_id = NEW.id;
  RETURN NULL;
END $$;
CREATE TRIGGER users_search_words AFTER UPDATE OF last_name, first_name, birth_name ON users
  FOR EACH ROW WHEN (OLD.last_name IS DISTINCT FROM NEW.last_name OR OLD.first_name IS DISTINCT FROM NEW.first_name
                     OR OLD.birth_name IS DISTINCT FROM NEW.birth_name)
  EXECUTE FUNCTION users_search_words();

UPDATE user_profiles p SET search_words = rdv_name_words(u.last_name, u.first_name, u.birth_name)
  FROM users u WHERE u.id = p.user_id;

CREATE INDEX user_profiles_search_words ON user_profiles USING gin (organisation_id, search_words gin_trgm_ops);

-- The former trigram index on users.search_name is no longer read.
DROP INDEX users_search_name_trgm;
ANALYZE users, user_profiles;
