-- Patients: demographics, contact and the few fields billing needs.
SET LOCAL ROLE clinic_owner;

CREATE SEQUENCE clinic.patient_number_seq START 10001;

CREATE TABLE clinic.patients (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The number staff say out loud and print on letters; never reused.
  patient_number bigint NOT NULL UNIQUE DEFAULT nextval('clinic.patient_number_seq'),
  family_name text NOT NULL CHECK (pg_catalog.btrim(family_name) <> '' AND pg_catalog.length(family_name) <= 100),
  given_names text NOT NULL CHECK (pg_catalog.btrim(given_names) <> '' AND pg_catalog.length(given_names) <= 100),
  preferred_name text CHECK (pg_catalog.length(preferred_name) <= 100),
  date_of_birth date NOT NULL,
  -- Administrative sex as recorded for clinical and insurance purposes; gender identity is separate
  -- and free text, recorded only when the patient wants it recorded.
  sex text NOT NULL CHECK (sex IN ('female', 'male', 'intersex', 'unknown')),
  gender_identity text CHECK (pg_catalog.length(gender_identity) <= 60),
  phone text CHECK (phone IS NULL OR phone ~ '^[0-9+() .-]{6,30}$'),
  email text CHECK (email IS NULL OR email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  address_line1 text CHECK (pg_catalog.length(address_line1) <= 200),
  address_line2 text CHECK (pg_catalog.length(address_line2) <= 200),
  city text CHECK (pg_catalog.length(city) <= 100),
  postcode text CHECK (pg_catalog.length(postcode) <= 20),
  emergency_contact_name text CHECK (pg_catalog.length(emergency_contact_name) <= 200),
  emergency_contact_phone text CHECK (emergency_contact_phone IS NULL OR emergency_contact_phone ~ '^[0-9+() .-]{6,30}$'),
  insurer text CHECK (pg_catalog.length(insurer) <= 100),
  insurance_number text CHECK (pg_catalog.length(insurance_number) <= 50),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES clinic.staff (id),
  version integer NOT NULL DEFAULT 1,
  -- Search keys, kept by the database so no client can let them drift.
  phone_digits text GENERATED ALWAYS AS (pg_catalog.regexp_replace(COALESCE(phone, ''), '[^0-9]', '', 'g')) STORED,
  family_folded text GENERATED ALWAYS AS (clinic.fold(family_name)) STORED,
  name_folded text GENERATED ALWAYS AS (clinic.fold(given_names || ' ' || family_name)) STORED
);

-- Date of birth: not in the future and not absurdly old. CHECK cannot name today, so a trigger does.
CREATE FUNCTION clinic.check_patient() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF NEW.date_of_birth > CURRENT_DATE THEN
      RAISE EXCEPTION 'date of birth is in the future' USING ERRCODE = 'check_violation', COLUMN = 'date_of_birth';
    END IF;
    IF NEW.date_of_birth < CURRENT_DATE - interval '130 years' THEN
      RAISE EXCEPTION 'date of birth is more than 130 years ago' USING ERRCODE = 'check_violation', COLUMN = 'date_of_birth';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER patients_check BEFORE INSERT OR UPDATE OF date_of_birth ON clinic.patients
  FOR EACH ROW EXECUTE FUNCTION clinic.check_patient();
CREATE TRIGGER patients_version BEFORE UPDATE ON clinic.patients
  FOR EACH ROW EXECUTE FUNCTION clinic.bump_version();
CREATE TRIGGER patients_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.patients
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('id');

-- Lookup indexes, one per shape of input (see design.md: exact/prefix first, fuzzy where cheap).
CREATE INDEX patients_family_prefix ON clinic.patients (family_folded text_pattern_ops);
CREATE INDEX patients_name_trgm ON clinic.patients USING gin (name_folded ext.gin_trgm_ops);
CREATE INDEX patients_dob ON clinic.patients (date_of_birth);
CREATE INDEX patients_phone_tail ON clinic.patients (pg_catalog.reverse(phone_digits) text_pattern_ops);
CREATE INDEX patients_email ON clinic.patients (pg_catalog.lower(email) text_pattern_ops);

ALTER TABLE clinic.patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.patients FORCE ROW LEVEL SECURITY;

-- Reception registers and edits; doctors and admins read; accountants read what billing needs.
-- Nobody deletes a patient: records must be kept for years.
-- Reception writes the demographic columns only: the number, the who/when stamps and the version are
-- the database's to keep.
GRANT SELECT ON clinic.patients TO clinic_receptionist;
GRANT INSERT (family_name, given_names, preferred_name, date_of_birth, sex, gender_identity, phone, email,
              address_line1, address_line2, city, postcode, emergency_contact_name, emergency_contact_phone,
              insurer, insurance_number)
  ON clinic.patients TO clinic_receptionist;
GRANT UPDATE (family_name, given_names, preferred_name, date_of_birth, sex, gender_identity, phone, email,
              address_line1, address_line2, city, postcode, emergency_contact_name, emergency_contact_phone,
              insurer, insurance_number)
  ON clinic.patients TO clinic_receptionist;
GRANT USAGE ON SEQUENCE clinic.patient_number_seq TO clinic_receptionist;
GRANT SELECT ON clinic.patients TO clinic_doctor, clinic_admin;
GRANT SELECT (id, patient_number, family_name, given_names, preferred_name, date_of_birth, phone, email,
              address_line1, address_line2, city, postcode, insurer, insurance_number)
  ON clinic.patients TO clinic_accountant;

CREATE POLICY patients_reception_read ON clinic.patients FOR SELECT TO clinic_receptionist USING (true);
CREATE POLICY patients_reception_register ON clinic.patients FOR INSERT TO clinic_receptionist WITH CHECK (true);
CREATE POLICY patients_reception_edit ON clinic.patients FOR UPDATE TO clinic_receptionist USING (true) WITH CHECK (true);
CREATE POLICY patients_doctor_read ON clinic.patients FOR SELECT TO clinic_doctor USING (true);
CREATE POLICY patients_admin_read ON clinic.patients FOR SELECT TO clinic_admin USING (true);
CREATE POLICY patients_accountant_read ON clinic.patients FOR SELECT TO clinic_accountant USING (true);
CREATE POLICY patients_owner ON clinic.patients TO clinic_owner USING (true) WITH CHECK (true);
