-- A middle name found by an index probe, not by reading every patient of a surname.
--
-- A lookup like "alfie smith" may mean John Alfie Smith. Until now that was found by reading the
-- whole "smith" range of patients_family_name (0007) and testing every name in it, which at a
-- million patients is 11,000 index entries for Smith: the dearest part of a full-name lookup, and
-- paid on every full name whose surname is common, since that branch ran whatever the others
-- found. Indexing the given names after the first under the surname makes it a range of a few
-- entries: the probe finds the second given name by its start ("alfie" and "alf"); a third is
-- found with the first or the second typed too ("john james smith", "alfie james smith").
SET LOCAL ROLE clinic_owner;

-- The given names after the first, as they stand in name_folded (folded given names, a space,
-- the folded surname; sql/0002), a hyphen counting as a space ("mary-ann smith" gives "ann").
-- Empty for one given name.
CREATE FUNCTION clinic.middle_names(name_folded text, family_folded text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = ''
  RETURN (SELECT CASE WHEN pg_catalog.strpos(g, ' ') > 0
                      THEN pg_catalog.substr(g, pg_catalog.strpos(g, ' ') + 1)
                      ELSE '' END
            FROM (SELECT pg_catalog.translate(
                           pg_catalog.left(name_folded,
                                           GREATEST(pg_catalog.length(name_folded) - pg_catalog.length(family_folded) - 1, 0)),
                           '-', ' ') AS g) AS given);
GRANT EXECUTE ON FUNCTION clinic.middle_names(text, text) TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- Each probe's key is one expression, so that a generic plan (a prepared statement after its
-- fifth run, planned without the typed values) has only one index that can serve it; with the
-- surname as a column of its own the planner may instead pick patients_family_name and read every
-- patient of a common surname. E'\x1f' (the unit separator, which no typed name holds) divides the
-- key's parts.
--
-- The surname, then the given names after the first. Only patients with more than one given name
-- have a key; the probe repeats the predicate so the planner may use the index.
CREATE INDEX patients_middle_names ON clinic.patients
  ((family_folded || E'\x1f' || clinic.middle_names(name_folded, family_folded)) text_pattern_ops)
  WHERE clinic.middle_names(name_folded, family_folded) <> '';

-- The first given name, then the surname: a given name typed in full with the start of a longer
-- surname ("jose garcia" for José García Márquez, "oliver s" while the surname is still being
-- typed) is one range, rather than a probe under every surname that starts so.
CREATE INDEX patients_first_name ON clinic.patients
  ((pg_catalog.split_part(pg_catalog.translate(name_folded, '-', ' '), ' ', 1) || E'\x1f' || family_folded) text_pattern_ops);

-- The planner knows an expression index's values only after the table is analysed, and nothing
-- else would analyse it now (autovacuum waits for rows to change): until then it guesses, and a
-- lookup planned on a guess read a million-patient table through for a second.
ANALYZE clinic.patients;
