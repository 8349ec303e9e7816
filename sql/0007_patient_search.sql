-- Patient search: the indexes and the small typo dictionary behind clinic::db::patients::search and
-- ::duplicates. Measured at 1,000,000 patients (docs/benchmarks.md): every lookup form is an index
-- range of a few pages; no fuzzy index over the whole table is needed.
SET LOCAL ROLE clinic_owner;

-- Surname prefix with the whole folded name alongside, in byte order (text_pattern_ops): a lookup
-- reads the range for what was typed in ranked order (an exact surname sorts before its longer
-- prefixes), checks the other typed words against name_folded inside the index (index-only scan,
-- no heap visit for rows that do not match), and stops after one screenful. It replaces the
-- single-column surname index of 0002, which it covers.
CREATE INDEX patients_family_name ON clinic.patients (family_folded text_pattern_ops, name_folded text_pattern_ops, id);
DROP INDEX clinic.patients_family_prefix;

-- The trigram index of 0002 over every full name is not used, and only slowed every registration.
-- Measured at 1M patients: a `%` similarity query on it takes 15-265 ms; raised to a threshold where
-- it is fast (0.6) it no longer finds "jhon smiht" (similarity 0.22 to "john smith"); a KNN `<->` on
-- a GiST index takes 11 ms for a common name but 230-350 ms for rare names, typos and partial words.
-- Typos are found through the dictionary below instead.
DROP INDEX clinic.patients_name_trgm;

-- The typo dictionary: every distinct folded word of patients' names (and each whole multi-word
-- surname), with its deletion neighbourhood: the word itself and the word with any one letter left
-- out. Two words one slip apart (a letter inserted, left out or replaced, two neighbours swapped)
-- always share a member ("jhon" and "john" share "jon"), so a typo is found by one GIN lookup in a
-- table of tens of thousands of words rather than a trigram search over a million names. Words under
-- four letters keep only themselves: they have too many neighbours to guess from.
CREATE FUNCTION clinic.name_variants(w text) RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = ''
  RETURN CASE WHEN pg_catalog.length(w) < 4 THEN ARRAY[w]
              ELSE ARRAY(SELECT w
                         UNION
                         SELECT pg_catalog.overlay(w, '', i, 1)
                           FROM pg_catalog.generate_series(1, pg_catalog.length(w)) AS i)
         END;
GRANT EXECUTE ON FUNCTION clinic.name_variants(text) TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- The dictionary's words of one patient: each word of the folded full name, and the folded surname
-- whole when it has several words ("de luca", "smith-jones").
CREATE FUNCTION clinic.name_words(name_folded text, family_folded text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = ''
  AS $$
    SELECT w FROM pg_catalog.regexp_split_to_table(name_folded, '[[:space:]-]+') AS w WHERE pg_catalog.length(w) >= 2
    UNION
    SELECT family_folded WHERE family_folded OPERATOR(pg_catalog.~) '[[:space:]-]'
  $$;

CREATE TABLE clinic.patient_name_words (
  word text PRIMARY KEY,
  variants text[] NOT NULL,
  -- How many patients carry the word: among a typo's neighbours the common name is the likelier
  -- one ("smiht" is Smith before Smit). Counted up on registration and renaming, never down (a
  -- ranking hint, not a statistic); rebuild_name_words() counts afresh.
  patient_count bigint NOT NULL DEFAULT 1
);
CREATE INDEX patient_name_words_variants ON clinic.patient_name_words USING gin (variants);

-- Kept by the database as patients are registered or renamed, so no client can let it drift. A word
-- no longer carried by anyone stays: it only ever leads to an empty lookup. Definer rights, because
-- the desk that registers a patient has no business writing the dictionary itself. Two desks
-- registering the same surname at once queue on its row only for the instant of their INSERT.
CREATE FUNCTION clinic.remember_name_words() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    INSERT INTO clinic.patient_name_words AS d (word, variants)
    SELECT w, clinic.name_variants(w)
      FROM (SELECT w FROM clinic.name_words(NEW.name_folded, NEW.family_folded) AS w
            EXCEPT
            -- OLD is NULL on INSERT, and name_words of NULL is no words.
            SELECT w FROM clinic.name_words(OLD.name_folded, OLD.family_folded) AS w) AS added
    ON CONFLICT (word) DO UPDATE SET patient_count = d.patient_count + 1;
    RETURN NULL;
  END $$;
CREATE TRIGGER patients_name_words AFTER INSERT OR UPDATE OF family_name, given_names ON clinic.patients
  FOR EACH ROW EXECUTE FUNCTION clinic.remember_name_words();

-- Rebuild from scratch, dropping words nobody carries any more: after a bulk load with triggers off
-- (clinic-bench generate), or as occasional housekeeping. Owner and superuser only.
CREATE FUNCTION clinic.rebuild_name_words() RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    n bigint;
  BEGIN
    DELETE FROM clinic.patient_name_words;
    INSERT INTO clinic.patient_name_words (word, variants, patient_count)
    SELECT w, clinic.name_variants(w), carriers
      FROM (SELECT w, count(*) AS carriers FROM clinic.patients p, clinic.name_words(p.name_folded, p.family_folded) AS w
             GROUP BY w) AS words;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
  END $$;
SELECT clinic.rebuild_name_words();

-- Words of names, detached from any patient; still, every table in the schema has row security.
ALTER TABLE clinic.patient_name_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.patient_name_words FORCE ROW LEVEL SECURITY;
GRANT SELECT ON clinic.patient_name_words TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
CREATE POLICY patient_name_words_read ON clinic.patient_name_words FOR SELECT
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant USING (true);
CREATE POLICY patient_name_words_owner ON clinic.patient_name_words TO clinic_owner USING (true) WITH CHECK (true);

-- Accountants look patients up too (to find whose invoice it is). The search keys hold nothing
-- beyond the name and phone columns they may already read, so they may read the keys as well, and
-- the one search serves every role.
GRANT SELECT (phone_digits, family_folded, name_folded) ON clinic.patients TO clinic_accountant;
