-- ICD-10-CM, the code list diagnoses are coded from, and the indexes behind its as-you-type search
-- (clinic::db::icd10). Reference data: the FY2026 code set with its April 1, 2026 update, public
-- domain, from sql/reference/icd10cm-fy2026-april.tsv (README, "ICD-10-CM"); loaded here in this
-- migration's transaction, so nothing is fetched at run time and a half-loaded list never shows.
--
-- It holds no patient data, and every job reads all of it: doctors code diagnoses with it, the
-- desk and the accountant read codes on referrals and claims, admins report by chapter. Only the
-- owner writes, and a later release is loaded by a new migration.
SET LOCAL ROLE clinic_owner;
-- The load's sorts (the rows in ranked order, the indexes) stay in memory.
SET LOCAL work_mem = '64MB';
SET LOCAL maintenance_work_mem = '128MB';

CREATE TABLE clinic.icd10cm_chapters (
  chapter smallint PRIMARY KEY,
  first_code text NOT NULL,
  last_code text NOT NULL,
  title text NOT NULL
);
INSERT INTO clinic.icd10cm_chapters (chapter, first_code, last_code, title) VALUES
  (1, 'A00', 'B99', 'Certain infectious and parasitic diseases'),
  (2, 'C00', 'D49', 'Neoplasms'),
  (3, 'D50', 'D89', 'Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism'),
  (4, 'E00', 'E89', 'Endocrine, nutritional and metabolic diseases'),
  (5, 'F01', 'F99', 'Mental, Behavioral and Neurodevelopmental disorders'),
  (6, 'G00', 'G99', 'Diseases of the nervous system'),
  (7, 'H00', 'H59', 'Diseases of the eye and adnexa'),
  (8, 'H60', 'H95', 'Diseases of the ear and mastoid process'),
  (9, 'I00', 'I99', 'Diseases of the circulatory system'),
  (10, 'J00', 'J99', 'Diseases of the respiratory system'),
  (11, 'K00', 'K95', 'Diseases of the digestive system'),
  (12, 'L00', 'L99', 'Diseases of the skin and subcutaneous tissue'),
  (13, 'M00', 'M99', 'Diseases of the musculoskeletal system and connective tissue'),
  (14, 'N00', 'N99', 'Diseases of the genitourinary system'),
  (15, 'O00', 'O9A', 'Pregnancy, childbirth and the puerperium'),
  (16, 'P00', 'P96', 'Certain conditions originating in the perinatal period'),
  (17, 'Q00', 'QA0', 'Congenital malformations, deformations and chromosomal abnormalities'),
  (18, 'R00', 'R99', 'Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified'),
  (19, 'S00', 'T88', 'Injury, poisoning and certain other consequences of external causes'),
  (20, 'V00', 'Y99', 'External causes of morbidity'),
  (21, 'Z00', 'Z99', 'Factors influencing health status and contact with health services'),
  (22, 'U00', 'U85', 'Codes for special purposes');

-- What was typed as a query in which every word must start a word of the description
-- ('type':* & '2':* & 'diab':*), split as the descriptions' words are (below); NULL when nothing
-- searchable was typed. Immutable, so with the typed text as a parameter the planner evaluates it
-- once and estimates from the real words how many codes match, which decides between the two
-- plans the search has (clinic::db::icd10).
CREATE FUNCTION clinic.icd10_query(typed text) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = ''
  RETURN (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(w) || ':*', ' & ' ORDER BY n)::pg_catalog.tsquery
            FROM pg_catalog.regexp_split_to_table(clinic.fold(typed), '[^a-z0-9]+') WITH ORDINALITY AS t(w, n)
           WHERE w <> '');

-- Every category, subcategory and code of the release; `billable` is a code with no children
-- (what a claim may carry), the others are the headings above them. Constraints and indexes come
-- after the load: one pass each instead of a check per row.
CREATE TABLE clinic.icd10cm (
  -- As printed, with its dot: E11.9, S72.001A.
  code text NOT NULL,
  description text NOT NULL,
  chapter smallint NOT NULL,
  billable boolean NOT NULL,
  -- The code without its dot, in byte order: what a typed code is matched against.
  code_key text COLLATE "C" NOT NULL GENERATED ALWAYS AS (pg_catalog.replace(code, '.', '')) STORED,
  -- The words of the description as search keys: case- and accent-folded, split at anything but
  -- a letter or digit ("Sjögren's" is sjogren and s; "age-related", age and related), exactly as
  -- icd10_query splits what is typed. Computed by the load below rather than GENERATED, because
  -- the load needs them first to put the rows in ranked order, and computing them twice would
  -- double its time.
  words tsvector NOT NULL
);

-- The rows go in ranked order (the order of icd10cm_ranked below), so a search that walks that
-- index reads the table front to back instead of a page per row: 4x faster for "fracture".
INSERT INTO clinic.icd10cm (code, description, chapter, billable, words)
SELECT r.code, r.description, r.chapter, r.billable, r.words
  FROM (SELECT f[1] AS code, f[2] AS description, f[3]::smallint AS chapter, f[4]::boolean AS billable,
               pg_catalog.array_to_tsvector(pg_catalog.array_remove(
                 pg_catalog.regexp_split_to_array(clinic.fold(f[2]), '[^a-z0-9]+'), '')) AS words
          FROM pg_catalog.string_to_table(
\embed reference/icd10cm-fy2026-april.tsv
               , E'\n') WITH ORDINALITY AS l(line, n),
               LATERAL pg_catalog.string_to_array(l.line, E'\t') AS f
         -- The first line names the columns.
         WHERE l.n > 1 AND l.line <> ''
         -- Evaluated once per row, not again for the sort.
        OFFSET 0) r
 ORDER BY NOT r.billable, pg_catalog.length(r.words), pg_catalog.length(r.description),
          pg_catalog.replace(r.code, '.', '') COLLATE "C";

ALTER TABLE clinic.icd10cm
  ADD PRIMARY KEY (code),
  ADD CHECK (code ~ '^[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{1,4})?$'),
  ADD CHECK (pg_catalog.btrim(description) <> ''),
  ADD FOREIGN KEY (chapter) REFERENCES clinic.icd10cm_chapters;

-- A typed code: for each (billable, length) a range of codes that start with it, in code order;
-- the search reads a screenful from each and shows billable and shorter (more general) codes first.
CREATE INDEX icd10cm_code_key ON clinic.icd10cm (billable, pg_catalog.length(code_key), code_key);
-- Typed words: every word's prefix looked up in one GIN index (fast when the words are
-- selective: "type 2 diab")...
CREATE INDEX icd10cm_words ON clinic.icd10cm USING gin (words);
-- ...or, when they are not ("s", "left r"), the codes read in ranked order until a screenful
-- match: billable first, then fewer words, then a shorter description (the more general code).
CREATE INDEX icd10cm_ranked ON clinic.icd10cm ((NOT billable), pg_catalog.length(words), pg_catalog.length(description), code_key);
-- The planner picks between the two by how many codes the typed words match, from the statistics
-- of `words`; without them every test database cloned from a migrated template would plan blind.
ANALYZE clinic.icd10cm, clinic.icd10cm_chapters;

ALTER TABLE clinic.icd10cm ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.icd10cm_chapters ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY icd10cm_staff_read ON clinic.icd10cm FOR SELECT
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant USING (true);
CREATE POLICY icd10cm_owner ON clinic.icd10cm TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY icd10cm_chapters_staff_read ON clinic.icd10cm_chapters FOR SELECT
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant USING (true);
CREATE POLICY icd10cm_chapters_owner ON clinic.icd10cm_chapters TO clinic_owner USING (true) WITH CHECK (true);

GRANT SELECT ON clinic.icd10cm, clinic.icd10cm_chapters
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
GRANT EXECUTE ON FUNCTION clinic.icd10_query(text)
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
