-- Structured encounters: the medical record of a consultation holds a SOAP note, and its vitals,
-- diagnoses (ICD-10-CM) and prescriptions are rows of their own tables, so reports and FHIR export
-- can read them; allergies belong to the patient. The seed's name `medical_records` stays the
-- encounter's table (its free-text diagnosis/treatment/notes columns keep what older records say).
--
-- The rules of sql/0004 extend to every clinical table:
--   * No staff role has any privilege on them: doctors read through clinic.chart() (and
--     clinic.open_chart()), which write the audit entry in the same transaction, and write through
--     the functions below, which check the care relationship and that the encounter is the
--     caller's own unsigned draft. Receptionists, accountants and admins reach none of it.
--   * Signing freezes the encounter and everything in it, for every role, the owner included;
--     corrections are amendments (a new record pointing at the signed one).
--   * Every write is audited by trigger (table, row, patient, columns; never values).
-- And the database has a clock of its own, clinic.clinic_now(), so that expiring grants are
-- tested by moving it rather than by waiting (settings.clock_offset, 0 outside tests; the owner's).
SET LOCAL ROLE clinic_owner;

ALTER TABLE clinic.settings ADD COLUMN clock_offset interval NOT NULL DEFAULT interval '0'
  CHECK (clock_offset BETWEEN interval '-1 year' AND interval '1 year');

CREATE FUNCTION clinic.clinic_now() RETURNS timestamptz
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  RETURN pg_catalog.now() + COALESCE((SELECT s.clock_offset FROM clinic.settings s), interval '0');
GRANT EXECUTE ON FUNCTION clinic.clinic_now() TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- ---------------------------------------------------------------------------------------------
-- The encounter
-- ---------------------------------------------------------------------------------------------
ALTER TABLE clinic.medical_records
  ADD COLUMN subjective text CHECK (pg_catalog.length(subjective) <= 20000),
  ADD COLUMN objective text CHECK (pg_catalog.length(objective) <= 20000),
  ADD COLUMN assessment text CHECK (pg_catalog.length(assessment) <= 20000),
  ADD COLUMN plan text CHECK (pg_catalog.length(plan) <= 20000),
  ADD CONSTRAINT medical_records_id_patient UNIQUE (id, patient_id);
-- One consultation record per appointment (amendments point at it instead).
CREATE UNIQUE INDEX medical_records_one_per_appointment ON clinic.medical_records (appointment_id)
  WHERE appointment_id IS NOT NULL AND kind <> 'amendment';
CREATE INDEX medical_records_amends ON clinic.medical_records (amends_id) WHERE amends_id IS NOT NULL;

-- A record's appointment is one of its patient's, with its author. (Until now save_record took
-- any appointment id, so a doctor could attach a note to someone else's visit.)
CREATE FUNCTION clinic.check_record_appointment() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF NEW.appointment_id IS NOT NULL AND NOT EXISTS (
         SELECT FROM clinic.appointments a
          WHERE a.id = NEW.appointment_id AND a.patient_id = NEW.patient_id AND a.doctor_id = NEW.author_id) THEN
      RAISE EXCEPTION 'a record belongs to an appointment of the same patient with its author'
        USING ERRCODE = 'foreign_key_violation', COLUMN = 'appointment_id';
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.patient_id, NEW.author_id) IS DISTINCT FROM (OLD.patient_id, OLD.author_id) THEN
      RAISE EXCEPTION 'a record stays with its patient and its author' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER medical_records_appointment BEFORE INSERT OR UPDATE ON clinic.medical_records
  FOR EACH ROW EXECUTE FUNCTION clinic.check_record_appointment();

-- ---------------------------------------------------------------------------------------------
-- The encounter's parts, and the patient's allergies
-- ---------------------------------------------------------------------------------------------
-- Each part names its record and that record's patient (the pair is one foreign key, so a part
-- cannot be moved to another patient), for the policies, the audit and the chart's indexes.
CREATE TABLE clinic.vitals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_id bigint NOT NULL,
  patient_id bigint NOT NULL,
  taken_at timestamptz NOT NULL DEFAULT now(),
  -- Hard limits of what can be true of a living patient; the form warns about the implausible.
  systolic_mmhg smallint CHECK (systolic_mmhg BETWEEN 40 AND 300),
  diastolic_mmhg smallint CHECK (diastolic_mmhg BETWEEN 20 AND 200),
  pulse_per_min smallint CHECK (pulse_per_min BETWEEN 20 AND 300),
  temperature_c numeric(3,1) CHECK (temperature_c BETWEEN 25.0 AND 45.0),
  respiratory_per_min smallint CHECK (respiratory_per_min BETWEEN 3 AND 80),
  spo2_pct smallint CHECK (spo2_pct BETWEEN 40 AND 100),
  weight_kg numeric(5,1) CHECK (weight_kg BETWEEN 0.3 AND 500),
  height_cm numeric(4,1) CHECK (height_cm BETWEEN 20 AND 260),
  bmi numeric(6,1) GENERATED ALWAYS AS (
    CASE WHEN weight_kg IS NOT NULL AND height_cm IS NOT NULL
         THEN round(weight_kg / ((height_cm / 100) * (height_cm / 100)), 1) END) STORED,
  CHECK ((systolic_mmhg IS NULL) = (diastolic_mmhg IS NULL) AND (systolic_mmhg IS NULL OR diastolic_mmhg < systolic_mmhg)),
  CHECK (COALESCE(systolic_mmhg, pulse_per_min, respiratory_per_min, spo2_pct) IS NOT NULL
         OR COALESCE(temperature_c, weight_kg, height_cm) IS NOT NULL),
  UNIQUE (record_id),
  FOREIGN KEY (record_id, patient_id) REFERENCES clinic.medical_records (id, patient_id)
);
CREATE INDEX vitals_patient ON clinic.vitals (patient_id, taken_at);

CREATE TABLE clinic.diagnoses (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_id bigint NOT NULL,
  patient_id bigint NOT NULL,
  code text NOT NULL REFERENCES clinic.icd10cm (code),
  note text CHECK (pg_catalog.length(note) <= 500),
  is_primary boolean NOT NULL DEFAULT false,
  added_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (record_id, code),
  FOREIGN KEY (record_id, patient_id) REFERENCES clinic.medical_records (id, patient_id)
);
CREATE INDEX diagnoses_patient ON clinic.diagnoses (patient_id, added_at);
CREATE UNIQUE INDEX diagnoses_one_primary ON clinic.diagnoses (record_id) WHERE is_primary;

CREATE TABLE clinic.prescriptions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  record_id bigint NOT NULL,
  patient_id bigint NOT NULL,
  drug text NOT NULL CHECK (pg_catalog.btrim(drug) <> '' AND pg_catalog.length(drug) <= 200),
  strength text CHECK (pg_catalog.length(strength) <= 60),
  form text CHECK (pg_catalog.length(form) <= 60),
  dose text CHECK (pg_catalog.length(dose) <= 60),
  route text CHECK (pg_catalog.length(route) <= 60),
  frequency text CHECK (pg_catalog.length(frequency) <= 60),
  duration_days smallint CHECK (duration_days BETWEEN 1 AND 3650),
  quantity integer CHECK (quantity BETWEEN 1 AND 100000),
  refills smallint NOT NULL DEFAULT 0 CHECK (refills BETWEEN 0 AND 12),
  instructions text CHECK (pg_catalog.length(instructions) <= 1000),
  -- Prescribed although it matched a recorded allergy, after the prescriber confirmed it.
  allergy_confirmed boolean NOT NULL DEFAULT false,
  added_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (record_id, patient_id) REFERENCES clinic.medical_records (id, patient_id)
);
CREATE INDEX prescriptions_patient ON clinic.prescriptions (patient_id, added_at);
CREATE INDEX prescriptions_record ON clinic.prescriptions (record_id);

CREATE TABLE clinic.allergies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id bigint NOT NULL REFERENCES clinic.patients (id),
  substance text NOT NULL CHECK (pg_catalog.btrim(substance) <> '' AND pg_catalog.length(substance) <= 100),
  reaction text CHECK (pg_catalog.length(reaction) <= 200),
  severity text NOT NULL DEFAULT 'unknown' CHECK (severity IN ('mild', 'moderate', 'severe', 'unknown')),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by bigint REFERENCES clinic.staff (id),
  -- An allergy is never deleted: it ends (resolved, or entered in error), with the reason.
  ended_at timestamptz,
  ended_by bigint REFERENCES clinic.staff (id),
  end_reason text CHECK (pg_catalog.length(end_reason) <= 200),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX allergies_patient ON clinic.allergies (patient_id) WHERE ended_at IS NULL;

-- A signed encounter's parts are frozen with it, for everyone. The parent row is share-locked, so
-- a part written at the moment of signing either lands before the signature or is refused after.
CREATE FUNCTION clinic.freeze_signed_parts() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    ids bigint[] := ARRAY[]::bigint[];
  BEGIN
    IF TG_OP <> 'INSERT' THEN
      ids := ids || OLD.record_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      ids := ids || NEW.record_id;
    END IF;
    PERFORM FROM clinic.medical_records r WHERE r.id = ANY (ids) ORDER BY r.id FOR SHARE;
    IF EXISTS (SELECT FROM clinic.medical_records r WHERE r.id = ANY (ids) AND r.signed_at IS NOT NULL) THEN
      RAISE EXCEPTION 'a signed encounter cannot be changed; add an amendment instead'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END $$;

-- Allergies: nothing is deleted, and only an open allergy's end can be written.
CREATE FUNCTION clinic.allergies_only_end() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'DELETE' OR OLD.ended_at IS NOT NULL
       OR (NEW.id, NEW.patient_id, NEW.substance, NEW.reaction, NEW.severity, NEW.recorded_at, NEW.recorded_by)
          IS DISTINCT FROM
          (OLD.id, OLD.patient_id, OLD.substance, OLD.reaction, OLD.severity, OLD.recorded_at, OLD.recorded_by) THEN
      RAISE EXCEPTION 'an allergy is not changed or deleted: end it (with a reason) and record it anew'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END $$;

CREATE TRIGGER vitals_frozen BEFORE INSERT OR UPDATE OR DELETE ON clinic.vitals
  FOR EACH ROW EXECUTE FUNCTION clinic.freeze_signed_parts();
CREATE TRIGGER diagnoses_frozen BEFORE INSERT OR UPDATE OR DELETE ON clinic.diagnoses
  FOR EACH ROW EXECUTE FUNCTION clinic.freeze_signed_parts();
CREATE TRIGGER prescriptions_frozen BEFORE INSERT OR UPDATE OR DELETE ON clinic.prescriptions
  FOR EACH ROW EXECUTE FUNCTION clinic.freeze_signed_parts();
CREATE TRIGGER allergies_only_end BEFORE UPDATE OR DELETE ON clinic.allergies
  FOR EACH ROW EXECUTE FUNCTION clinic.allergies_only_end();
CREATE TRIGGER vitals_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.vitals
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');
CREATE TRIGGER diagnoses_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.diagnoses
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');
CREATE TRIGGER prescriptions_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.prescriptions
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');
CREATE TRIGGER allergies_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.allergies
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');

ALTER TABLE clinic.vitals ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.vitals FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.diagnoses ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.diagnoses FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.prescriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.prescriptions FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.allergies ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.allergies FORCE ROW LEVEL SECURITY;
CREATE POLICY vitals_owner ON clinic.vitals TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY diagnoses_owner ON clinic.diagnoses TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY prescriptions_owner ON clinic.prescriptions TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY allergies_owner ON clinic.allergies TO clinic_owner USING (true) WITH CHECK (true);

-- ---------------------------------------------------------------------------------------------
-- Access: the care relationship, break-the-glass on the database's clock, and audited reads
-- ---------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION clinic.has_care_relationship(p_patient_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
    SELECT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') AND (
      clinic.has_standing_care_relationship(p_patient_id)
      OR EXISTS (SELECT FROM clinic.emergency_access g
                  WHERE g.patient_id = p_patient_id AND g.doctor_id = clinic.current_staff_id()
                    AND g.granted_at <= clinic.clinic_now() AND g.expires_at > clinic.clinic_now()))
  $$;

-- The longest grant, in minutes. The app asks for what its config says (`[records]
-- break_glass_minutes`), never more than this; a longer emergency states its reason again.
CREATE FUNCTION clinic.break_glass_cap() RETURNS integer
  LANGUAGE sql IMMUTABLE
  SET search_path = ''
  RETURN 240;
GRANT EXECUTE ON FUNCTION clinic.break_glass_cap() TO clinic_doctor;

CREATE OR REPLACE FUNCTION clinic.break_glass(p_patient_id bigint, p_reason text, p_minutes integer DEFAULT 60) RETURNS timestamptz
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    reason text := pg_catalog.btrim(p_reason);
    since timestamptz := clinic.clinic_now();
    until timestamptz;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') OR clinic.current_staff_id() IS NULL THEN
      RAISE EXCEPTION 'only a doctor can request emergency access' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A sentence: at least three words and fifteen characters, not a shrug.
    IF reason IS NULL OR pg_catalog.length(reason) < 15
       OR pg_catalog.array_length(pg_catalog.regexp_split_to_array(reason, '\s+'), 1) < 3 THEN
      RAISE EXCEPTION 'state the reason for emergency access in a sentence (at least three words)'
        USING ERRCODE = 'check_violation';
    END IF;
    IF p_minutes IS NULL OR p_minutes < 1 OR p_minutes > clinic.break_glass_cap() THEN
      RAISE EXCEPTION 'emergency access lasts between 1 minute and % minutes', clinic.break_glass_cap()
        USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT FROM clinic.patients p WHERE p.id = p_patient_id) THEN
      RAISE EXCEPTION 'no such patient' USING ERRCODE = 'foreign_key_violation';
    END IF;
    until := since + pg_catalog.make_interval(mins => p_minutes);
    INSERT INTO clinic.emergency_access (doctor_id, patient_id, reason, granted_at, expires_at)
    VALUES (clinic.current_staff_id(), p_patient_id, reason, since, until);
    PERFORM clinic.audit('break_glass', 'patients', p_patient_id, p_patient_id,
                         pg_catalog.jsonb_build_object('minutes', p_minutes), true);
    RETURN until;
  END $$;

-- The caller's access to a patient's chart ('care' or 'emergency'), or a refusal; and the audit
-- entry of the read, in the caller's transaction. Internal.
CREATE FUNCTION clinic.chart_access(p_patient_id bigint) RETURNS text
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    access text;
  BEGIN
    IF NOT clinic.has_care_relationship(p_patient_id) THEN
      RAISE EXCEPTION 'no care relationship with this patient' USING ERRCODE = 'insufficient_privilege';
    END IF;
    access := CASE WHEN clinic.has_standing_care_relationship(p_patient_id) THEN 'care' ELSE 'emergency' END;
    PERFORM clinic.audit('read', 'medical_records', NULL, p_patient_id,
                         pg_catalog.jsonb_build_object('access', access), access = 'emergency');
    RETURN access;
  END $$;

CREATE OR REPLACE FUNCTION clinic.open_chart(p_patient_id bigint) RETURNS SETOF clinic.medical_records
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    PERFORM clinic.chart_access(p_patient_id);
    RETURN QUERY SELECT r.* FROM clinic.medical_records r WHERE r.patient_id = p_patient_id ORDER BY r.recorded_at, r.id;
  END $$;

-- The whole chart in one audited read: records (amendments with the record they amend), vitals,
-- diagnoses with their descriptions, prescriptions and allergies, each in date order. json, not
-- jsonb: it is built once and sent, and json is three times quicker to build (a 700-encounter
-- chart's records: 11 ms against 35 ms).
CREATE FUNCTION clinic.chart(p_patient_id bigint) RETURNS json
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    access text := clinic.chart_access(p_patient_id);
  BEGIN
    -- Each part is json_agg over an ordered row set whose column names are the keys: quicker than
    -- building each object key by key.
    RETURN pg_catalog.json_build_object(
      'access', access,
      'records', COALESCE((SELECT pg_catalog.json_agg(x) FROM (
          SELECT r.id, r.kind, r.recorded_at, r.author_id, s.full_name AS author, r.appointment_id, r.summary,
                 r.subjective, r.objective, r.assessment, r.plan, r.diagnosis AS diagnosis_text,
                 r.treatment AS treatment_text, r.notes AS notes_text, r.amends_id, r.signed_at, r.version,
                 r.written_under_emergency
            FROM clinic.medical_records r JOIN clinic.staff s ON s.id = r.author_id
           WHERE r.patient_id = p_patient_id ORDER BY r.recorded_at, r.id) x), '[]'::json),
      'vitals', COALESCE((SELECT pg_catalog.json_agg(x) FROM (
          SELECT v.id, v.record_id, v.taken_at, v.systolic_mmhg, v.diastolic_mmhg, v.pulse_per_min,
                 v.temperature_c::text AS temperature_c, v.respiratory_per_min, v.spo2_pct,
                 v.weight_kg::text AS weight_kg, v.height_cm::text AS height_cm, v.bmi::text AS bmi
            FROM clinic.vitals v WHERE v.patient_id = p_patient_id ORDER BY v.taken_at, v.id) x), '[]'::json),
      'diagnoses', COALESCE((SELECT pg_catalog.json_agg(x) FROM (
          SELECT d.id, d.record_id, d.code, d.note, d.is_primary, d.added_at
            FROM clinic.diagnoses d WHERE d.patient_id = p_patient_id ORDER BY d.added_at, d.id) x), '[]'::json),
      -- Each code's description once, however often it was diagnosed.
      'codes', COALESCE((SELECT pg_catalog.json_object_agg(c.code, c.description) FROM clinic.icd10cm c
          WHERE c.code IN (SELECT d.code FROM clinic.diagnoses d WHERE d.patient_id = p_patient_id)), '{}'::json),
      'prescriptions', COALESCE((SELECT pg_catalog.json_agg(x) FROM (
          SELECT p.id, p.record_id, p.drug, p.strength, p.form, p.dose, p.route, p.frequency, p.duration_days,
                 p.quantity, p.refills, p.instructions, p.allergy_confirmed, p.added_at
            FROM clinic.prescriptions p WHERE p.patient_id = p_patient_id ORDER BY p.added_at, p.id) x), '[]'::json),
      'allergies', COALESCE((SELECT pg_catalog.json_agg(x) FROM (
          SELECT a.id, a.substance, a.reaction, a.severity, a.recorded_at, a.ended_at, a.end_reason
            FROM clinic.allergies a WHERE a.patient_id = p_patient_id ORDER BY a.recorded_at, a.id) x), '[]'::json));
  END $$;
GRANT EXECUTE ON FUNCTION clinic.chart(bigint) TO clinic_doctor;

-- ---------------------------------------------------------------------------------------------
-- Writing: the doctor's own unsigned draft, with a care relationship
-- ---------------------------------------------------------------------------------------------
-- The caller's own unsigned record, locked for this write, or a refusal. Internal.
CREATE FUNCTION clinic.my_draft(p_record_id bigint) RETURNS clinic.medical_records
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    r clinic.medical_records;
  BEGIN
    SELECT * INTO r FROM clinic.medical_records m WHERE m.id = p_record_id FOR UPDATE;
    IF NOT FOUND OR r.author_id IS DISTINCT FROM clinic.current_staff_id()
       OR NOT clinic.has_care_relationship(r.patient_id) THEN
      RAISE EXCEPTION 'not your record, or no care relationship with this patient'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF r.signed_at IS NOT NULL THEN
      RAISE EXCEPTION 'a signed encounter cannot be changed; add an amendment instead'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN r;
  END $$;

-- Start the consultation of one of the caller's appointments: the appointment goes in progress
-- (from checked in) and its encounter is opened; pressing it again opens the same encounter.
CREATE FUNCTION clinic.start_consultation(p_appointment_id bigint) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    a clinic.appointments;
    rid bigint;
  BEGIN
    SELECT * INTO a FROM clinic.appointments x
     WHERE x.id = p_appointment_id AND x.doctor_id = clinic.current_staff_id()
       AND pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER')
     FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'not one of your appointments' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT r.id INTO rid FROM clinic.medical_records r
     WHERE r.appointment_id = a.id AND r.kind <> 'amendment';
    IF a.status = 'checked_in' THEN
      UPDATE clinic.appointments x SET status = 'in_progress' WHERE x.id = a.id;
    ELSIF a.status = 'scheduled' THEN
      RAISE EXCEPTION 'not checked in yet: the desk checks the patient in first'
        USING ERRCODE = 'check_violation';
    ELSIF a.status <> 'in_progress' AND rid IS NULL THEN
      RAISE EXCEPTION 'this appointment is %', pg_catalog.replace(a.status, '_', ' ')
        USING ERRCODE = 'check_violation';
    END IF;
    IF rid IS NULL THEN
      INSERT INTO clinic.medical_records (patient_id, author_id, appointment_id, kind, summary)
      VALUES (a.patient_id, a.doctor_id, a.id, 'consultation',
              COALESCE(NULLIF(pg_catalog.btrim(a.reason), ''), 'Consultation'))
      RETURNING id INTO rid;
    END IF;
    RETURN rid;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.start_consultation(bigint) TO clinic_doctor;

-- Save an encounter's note as it is typed: a new one (a walk-in, or a note, with no appointment)
-- when p_id is NULL, else the caller's own draft at the version it read. The new version.
CREATE FUNCTION clinic.save_encounter(p_id bigint, p_version integer, p_patient_id bigint, p_summary text,
                                      p_subjective text, p_objective text, p_assessment text, p_plan text,
                                      OUT id bigint, OUT version integer)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    r clinic.medical_records;
  BEGIN
    IF p_id IS NULL THEN
      IF NOT clinic.has_care_relationship(p_patient_id) THEN
        RAISE EXCEPTION 'no care relationship with this patient' USING ERRCODE = 'insufficient_privilege';
      END IF;
      INSERT INTO clinic.medical_records (patient_id, author_id, kind, summary, subjective, objective, assessment, plan,
                                          written_under_emergency)
      VALUES (p_patient_id, clinic.current_staff_id(), 'consultation', COALESCE(NULLIF(pg_catalog.btrim(p_summary), ''), 'Consultation'),
              p_subjective, p_objective, p_assessment, p_plan, NOT clinic.has_standing_care_relationship(p_patient_id))
      RETURNING medical_records.id, medical_records.version INTO id, version;
      RETURN;
    END IF;
    r := clinic.my_draft(p_id);
    IF r.patient_id <> p_patient_id THEN
      RAISE EXCEPTION 'a record stays with its patient' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF r.version <> p_version THEN
      RAISE EXCEPTION 'this encounter was saved elsewhere meanwhile (version % , not %)', r.version, p_version
        USING ERRCODE = 'serialization_failure';
    END IF;
    UPDATE clinic.medical_records m
       SET summary = COALESCE(NULLIF(pg_catalog.btrim(p_summary), ''), m.summary),
           subjective = p_subjective, objective = p_objective, assessment = p_assessment, plan = p_plan
     WHERE m.id = p_id
    RETURNING m.id, m.version INTO id, version;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.save_encounter(bigint, integer, bigint, text, text, text, text, text) TO clinic_doctor;

-- The encounter's vitals (one set per encounter; all empty removes it).
CREATE FUNCTION clinic.save_vitals(p_record_id bigint, p_systolic smallint, p_diastolic smallint, p_pulse smallint,
                                   p_temperature_c numeric, p_respiratory smallint, p_spo2 smallint,
                                   p_weight_kg numeric, p_height_cm numeric) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    r clinic.medical_records := clinic.my_draft(p_record_id);
  BEGIN
    IF COALESCE(p_systolic, p_diastolic, p_pulse, p_respiratory, p_spo2) IS NULL
       AND COALESCE(p_temperature_c, p_weight_kg, p_height_cm) IS NULL THEN
      DELETE FROM clinic.vitals v WHERE v.record_id = r.id;
      RETURN;
    END IF;
    INSERT INTO clinic.vitals AS v (record_id, patient_id, systolic_mmhg, diastolic_mmhg, pulse_per_min, temperature_c,
                                    respiratory_per_min, spo2_pct, weight_kg, height_cm)
    VALUES (r.id, r.patient_id, p_systolic, p_diastolic, p_pulse, p_temperature_c, p_respiratory, p_spo2,
            p_weight_kg, p_height_cm)
    ON CONFLICT (record_id) DO UPDATE
      SET systolic_mmhg = EXCLUDED.systolic_mmhg, diastolic_mmhg = EXCLUDED.diastolic_mmhg,
          pulse_per_min = EXCLUDED.pulse_per_min, temperature_c = EXCLUDED.temperature_c,
          respiratory_per_min = EXCLUDED.respiratory_per_min, spo2_pct = EXCLUDED.spo2_pct,
          weight_kg = EXCLUDED.weight_kg, height_cm = EXCLUDED.height_cm, taken_at = pg_catalog.now();
  END $$;
GRANT EXECUTE ON FUNCTION clinic.save_vitals(bigint, smallint, smallint, smallint, numeric, smallint, smallint, numeric, numeric)
  TO clinic_doctor;

CREATE FUNCTION clinic.add_diagnosis(p_record_id bigint, p_code text, p_note text DEFAULT NULL,
                                     p_primary boolean DEFAULT false) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    r clinic.medical_records := clinic.my_draft(p_record_id);
    typed text := pg_catalog.upper(pg_catalog.btrim(p_code));
    did bigint;
  BEGIN
    -- A heading (E11) is not a diagnosis a claim can carry: one of its codes is.
    IF EXISTS (SELECT FROM clinic.icd10cm c WHERE c.code = typed AND NOT c.billable) THEN
      RAISE EXCEPTION '% is a category: choose one of its codes', typed USING ERRCODE = 'check_violation';
    END IF;
    IF COALESCE(p_primary, false) THEN
      UPDATE clinic.diagnoses d SET is_primary = false WHERE d.record_id = r.id AND d.is_primary;
    END IF;
    INSERT INTO clinic.diagnoses (record_id, patient_id, code, note, is_primary)
    VALUES (r.id, r.patient_id, typed, NULLIF(pg_catalog.btrim(p_note), ''),
            COALESCE(p_primary, false))
    RETURNING id INTO did;
    RETURN did;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.add_diagnosis(bigint, text, text, boolean) TO clinic_doctor;

CREATE FUNCTION clinic.remove_diagnosis(p_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    rid bigint := (SELECT d.record_id FROM clinic.diagnoses d WHERE d.id = p_id);
  BEGIN
    PERFORM clinic.my_draft(rid);
    DELETE FROM clinic.diagnoses d WHERE d.id = p_id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.remove_diagnosis(bigint) TO clinic_doctor;

-- The patient's open allergies whose substance the drug's name contains (or the other way
-- round), case- and accent-blind: "Amoxicillin" does not match "penicillin" (drug classes are a
-- formulary's job, which the clinic does not have yet), "Penicillin V" does.
CREATE FUNCTION clinic.matching_allergies(p_patient_id bigint, p_drug text) RETURNS SETOF clinic.allergies
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    SELECT a.* FROM clinic.allergies a
     WHERE a.patient_id = p_patient_id AND a.ended_at IS NULL
       AND pg_catalog.btrim(p_drug) <> ''
       AND (pg_catalog.strpos(clinic.fold(p_drug), clinic.fold(pg_catalog.btrim(a.substance))) > 0
            OR pg_catalog.strpos(clinic.fold(a.substance), clinic.fold(pg_catalog.btrim(p_drug))) > 0)
  $$;

-- Prescribe on the caller's draft. A drug matching a recorded allergy is refused (SQLSTATE CL001,
-- the allergy in the message) until the prescriber confirms it with p_allergy_confirmed.
CREATE FUNCTION clinic.add_prescription(p_record_id bigint, p_drug text, p_strength text, p_form text, p_dose text,
                                        p_route text, p_frequency text, p_duration_days integer, p_quantity integer,
                                        p_refills integer, p_instructions text, p_allergy_confirmed boolean DEFAULT false)
  RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    r clinic.medical_records := clinic.my_draft(p_record_id);
    hit clinic.allergies;
    xid bigint;
  BEGIN
    SELECT * INTO hit FROM clinic.matching_allergies(r.patient_id, p_drug) LIMIT 1;
    IF FOUND AND NOT COALESCE(p_allergy_confirmed, false) THEN
      RAISE EXCEPTION 'recorded allergy: % (%, %)', hit.substance, COALESCE(hit.reaction, 'reaction not recorded'), hit.severity
        USING ERRCODE = 'CL001', HINT = 'confirm to prescribe it anyway';
    END IF;
    INSERT INTO clinic.prescriptions (record_id, patient_id, drug, strength, form, dose, route, frequency, duration_days,
                                      quantity, refills, instructions, allergy_confirmed)
    VALUES (r.id, r.patient_id, pg_catalog.btrim(p_drug), NULLIF(pg_catalog.btrim(p_strength), ''),
            NULLIF(pg_catalog.btrim(p_form), ''), NULLIF(pg_catalog.btrim(p_dose), ''), NULLIF(pg_catalog.btrim(p_route), ''),
            NULLIF(pg_catalog.btrim(p_frequency), ''), p_duration_days, p_quantity, COALESCE(p_refills, 0),
            NULLIF(pg_catalog.btrim(p_instructions), ''), FOUND)
    RETURNING id INTO xid;
    RETURN xid;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.add_prescription(bigint, text, text, text, text, text, text, integer, integer, integer, text, boolean)
  TO clinic_doctor;

CREATE FUNCTION clinic.remove_prescription(p_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    rid bigint := (SELECT x.record_id FROM clinic.prescriptions x WHERE x.id = p_id);
  BEGIN
    PERFORM clinic.my_draft(rid);
    DELETE FROM clinic.prescriptions x WHERE x.id = p_id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.remove_prescription(bigint) TO clinic_doctor;

CREATE FUNCTION clinic.record_allergy(p_patient_id bigint, p_substance text, p_reaction text, p_severity text)
  RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    aid bigint;
  BEGIN
    IF NOT clinic.has_care_relationship(p_patient_id) THEN
      RAISE EXCEPTION 'no care relationship with this patient' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO clinic.allergies (patient_id, substance, reaction, severity, recorded_by)
    VALUES (p_patient_id, pg_catalog.btrim(p_substance), NULLIF(pg_catalog.btrim(p_reaction), ''),
            COALESCE(NULLIF(pg_catalog.btrim(p_severity), ''), 'unknown'), clinic.current_staff_id())
    RETURNING id INTO aid;
    RETURN aid;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.record_allergy(bigint, text, text, text) TO clinic_doctor;

CREATE FUNCTION clinic.end_allergy(p_id bigint, p_reason text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    pid bigint := (SELECT a.patient_id FROM clinic.allergies a WHERE a.id = p_id);
  BEGIN
    IF pid IS NULL OR NOT clinic.has_care_relationship(pid) THEN
      RAISE EXCEPTION 'no care relationship with this patient' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_reason IS NULL OR pg_catalog.btrim(p_reason) = '' THEN
      RAISE EXCEPTION 'say why the allergy ends (resolved, entered in error, ...)' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE clinic.allergies a
       SET ended_at = pg_catalog.now(), ended_by = clinic.current_staff_id(), end_reason = pg_catalog.btrim(p_reason)
     WHERE a.id = p_id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.end_allergy(bigint, text) TO clinic_doctor;

-- Sign one's own draft (the app asks for the password again first); signing a consultation
-- completes its appointment.
CREATE OR REPLACE FUNCTION clinic.sign_record(p_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    r clinic.medical_records;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') THEN
      RAISE EXCEPTION 'only the author can sign an unsigned record' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO r FROM clinic.medical_records m
     WHERE m.id = p_id AND m.author_id = clinic.current_staff_id() AND m.signed_at IS NULL
     FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'only the author can sign an unsigned record' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE clinic.medical_records m SET signed_at = pg_catalog.now(), signed_by = m.author_id WHERE m.id = p_id;
    UPDATE clinic.appointments a SET status = 'completed'
     WHERE a.id = r.appointment_id AND a.status = 'in_progress' AND r.kind <> 'amendment';
  END $$;

-- ---------------------------------------------------------------------------------------------
-- The doctor's day
-- ---------------------------------------------------------------------------------------------
-- The caller's own appointments of one clinic day (cancelled ones left out), with whether the
-- patient has an open allergy and the state of the visit's encounter. A doctor has a care
-- relationship with each of these patients by the appointment itself; the flag is the only
-- clinical fact here, so listing the day (which the screen refreshes live) is not a chart read
-- and writes no audit entry: opening the chart does.
CREATE FUNCTION clinic.doctor_day(p_day date)
  RETURNS TABLE (appointment_id bigint, starts_at timestamptz, ends_at timestamptz, status text,
                 status_changed_at timestamptz, reason text, patient_id bigint, patient_number bigint,
                 family_name text, given_names text, date_of_birth date, has_allergies boolean,
                 record_id bigint, record_signed_at timestamptz)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
    SELECT a.id, a.starts_at, a.ends_at, a.status, a.status_changed_at, a.reason, p.id, p.patient_number,
           p.family_name, p.given_names, p.date_of_birth,
           EXISTS (SELECT FROM clinic.allergies g WHERE g.patient_id = p.id AND g.ended_at IS NULL),
           r.id, r.signed_at
      FROM clinic.appointments a
      JOIN clinic.patients p ON p.id = a.patient_id
      LEFT JOIN clinic.medical_records r ON r.appointment_id = a.id AND r.kind <> 'amendment'
     WHERE pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER')
       AND a.doctor_id = clinic.current_staff_id()
       AND a.status <> 'cancelled'
       AND a.starts_at >= (p_day::timestamp AT TIME ZONE clinic.clinic_time_zone())
       AND a.starts_at < ((p_day + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())
     ORDER BY a.starts_at, a.id
  $$;
GRANT EXECUTE ON FUNCTION clinic.doctor_day(date) TO clinic_doctor;

-- The caller's unsigned records, oldest first: a draft is listed until it is signed.
CREATE FUNCTION clinic.my_unsigned()
  RETURNS TABLE (record_id bigint, recorded_at timestamptz, summary text, patient_id bigint,
                 family_name text, given_names text, appointment_id bigint)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
    SELECT r.id, r.recorded_at, r.summary, p.id, p.family_name, p.given_names, r.appointment_id
      FROM clinic.medical_records r JOIN clinic.patients p ON p.id = r.patient_id
     WHERE pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER')
       AND r.author_id = clinic.current_staff_id() AND r.signed_at IS NULL
     ORDER BY r.recorded_at, r.id
  $$;
GRANT EXECUTE ON FUNCTION clinic.my_unsigned() TO clinic_doctor;
CREATE INDEX medical_records_unsigned ON clinic.medical_records (author_id, recorded_at) WHERE signed_at IS NULL;

REVOKE ALL ON FUNCTION clinic.my_draft(bigint), clinic.chart_access(bigint),
  clinic.matching_allergies(bigint, text) FROM PUBLIC;
