-- Medical records: only a doctor with a care relationship reads or writes them, every read is
-- audited in the same transaction, and a signed record never changes.
SET LOCAL ROLE clinic_owner;

CREATE TABLE clinic.medical_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id bigint NOT NULL REFERENCES clinic.patients (id),
  author_id bigint NOT NULL REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  appointment_id bigint REFERENCES clinic.appointments (id),
  kind text NOT NULL DEFAULT 'consultation'
    CHECK (kind IN ('consultation', 'note', 'prescription', 'lab_result', 'referral', 'amendment')),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  summary text NOT NULL CHECK (pg_catalog.btrim(summary) <> '' AND pg_catalog.length(summary) <= 200),
  diagnosis text,
  treatment text,
  notes text,
  -- A correction of a signed record is a new record pointing at it.
  amends_id bigint REFERENCES clinic.medical_records (id),
  signed_at timestamptz,
  signed_by bigint REFERENCES clinic.staff (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES clinic.staff (id),
  version integer NOT NULL DEFAULT 1,
  -- Written while the author's only access to the patient was an emergency grant. Such a record does
  -- not give its author a lasting care relationship, or writing one note would outlive the grant.
  written_under_emergency boolean NOT NULL DEFAULT false,
  CHECK ((signed_at IS NULL) = (signed_by IS NULL)),
  CHECK ((kind = 'amendment') = (amends_id IS NOT NULL))
);
CREATE INDEX medical_records_patient ON clinic.medical_records (patient_id, recorded_at);
CREATE INDEX medical_records_author ON clinic.medical_records (author_id, patient_id);

-- A signed record is frozen for everyone, the owner included.
CREATE FUNCTION clinic.freeze_signed_record() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF OLD.signed_at IS NOT NULL THEN
      RAISE EXCEPTION 'a signed record cannot be changed; add an amendment instead'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER medical_records_frozen BEFORE UPDATE OR DELETE ON clinic.medical_records
  FOR EACH ROW EXECUTE FUNCTION clinic.freeze_signed_record();
CREATE TRIGGER medical_records_version BEFORE UPDATE ON clinic.medical_records
  FOR EACH ROW EXECUTE FUNCTION clinic.bump_version();
CREATE TRIGGER medical_records_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.medical_records
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');

-- Break-the-glass: a doctor without a care relationship states a reason and gets access that expires;
-- the audit entry is flagged for an administrator to review.
CREATE TABLE clinic.emergency_access (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  doctor_id bigint NOT NULL REFERENCES clinic.staff (id),
  patient_id bigint NOT NULL REFERENCES clinic.patients (id),
  reason text NOT NULL CHECK (pg_catalog.length(pg_catalog.btrim(reason)) >= 10),
  granted_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  CHECK (expires_at > granted_at AND expires_at <= granted_at + interval '12 hours')
);
CREATE INDEX emergency_access_lookup ON clinic.emergency_access (doctor_id, patient_id, expires_at);

ALTER TABLE clinic.medical_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.medical_records FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.emergency_access ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.emergency_access FORCE ROW LEVEL SECURITY;
CREATE POLICY medical_records_owner ON clinic.medical_records TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY emergency_access_owner ON clinic.emergency_access TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY emergency_access_admin_read ON clinic.emergency_access FOR SELECT TO clinic_admin USING (true);
GRANT SELECT ON clinic.emergency_access TO clinic_admin;

-- The lasting part of the care relationship: the logged-in doctor has (or had) a non-cancelled
-- appointment with the patient, or wrote a record for them other than under an emergency grant.
-- Internal (no grants): called by the security-definer functions below.
CREATE FUNCTION clinic.has_standing_care_relationship(p_patient_id bigint) RETURNS boolean
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    SELECT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') AND (
      EXISTS (SELECT FROM clinic.appointments a
               WHERE a.patient_id = p_patient_id AND a.doctor_id = clinic.current_staff_id()
                 AND a.status <> 'cancelled')
      OR EXISTS (SELECT FROM clinic.medical_records r
                  WHERE r.patient_id = p_patient_id AND r.author_id = clinic.current_staff_id()
                    AND NOT r.written_under_emergency))
  $$;

-- The care relationship: the lasting one above, or an unexpired emergency grant.
CREATE FUNCTION clinic.has_care_relationship(p_patient_id bigint) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
    SELECT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') AND (
      clinic.has_standing_care_relationship(p_patient_id)
      OR EXISTS (SELECT FROM clinic.emergency_access g
                  WHERE g.patient_id = p_patient_id AND g.doctor_id = clinic.current_staff_id()
                    AND g.expires_at > pg_catalog.now()))
  $$;
GRANT EXECUTE ON FUNCTION clinic.has_care_relationship(bigint) TO clinic_doctor;

-- Doctors have no direct privileges on medical_records at all: reading goes through this function,
-- which writes the audit entry in the same transaction, so even psql cannot read without a trace.
CREATE FUNCTION clinic.open_chart(p_patient_id bigint) RETURNS SETOF clinic.medical_records
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF NOT clinic.has_care_relationship(p_patient_id) THEN
      RAISE EXCEPTION 'no care relationship with this patient' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM clinic.audit('read', 'medical_records', NULL, p_patient_id);
    RETURN QUERY SELECT r.* FROM clinic.medical_records r WHERE r.patient_id = p_patient_id ORDER BY r.recorded_at, r.id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.open_chart(bigint) TO clinic_doctor;

-- Write a draft record (new when p_id is NULL, else the caller's own unsigned draft at p_version).
CREATE FUNCTION clinic.save_record(p_id bigint, p_version integer, p_patient_id bigint, p_kind text,
                                   p_summary text, p_diagnosis text, p_treatment text, p_notes text,
                                   p_appointment_id bigint DEFAULT NULL, p_amends_id bigint DEFAULT NULL)
  RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    rid bigint;
  BEGIN
    IF NOT clinic.has_care_relationship(p_patient_id) THEN
      RAISE EXCEPTION 'no care relationship with this patient' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_amends_id IS NOT NULL AND NOT EXISTS (
         SELECT FROM clinic.medical_records r WHERE r.id = p_amends_id AND r.patient_id = p_patient_id AND r.signed_at IS NOT NULL) THEN
      RAISE EXCEPTION 'only a signed record of the same patient can be amended' USING ERRCODE = 'check_violation';
    END IF;
    IF p_id IS NULL THEN
      INSERT INTO clinic.medical_records (patient_id, author_id, appointment_id, kind, summary, diagnosis, treatment, notes, amends_id,
                                          written_under_emergency)
      VALUES (p_patient_id, clinic.current_staff_id(), p_appointment_id, p_kind, p_summary, p_diagnosis, p_treatment, p_notes, p_amends_id,
              NOT clinic.has_standing_care_relationship(p_patient_id))
      RETURNING id INTO rid;
    ELSE
      UPDATE clinic.medical_records r
         SET kind = p_kind, summary = p_summary, diagnosis = p_diagnosis, treatment = p_treatment, notes = p_notes
       WHERE r.id = p_id AND r.patient_id = p_patient_id AND r.author_id = clinic.current_staff_id()
         AND r.signed_at IS NULL AND r.version = p_version
      RETURNING r.id INTO rid;
      IF rid IS NULL THEN
        RAISE EXCEPTION 'this record was changed or signed meanwhile, or is not yours' USING ERRCODE = 'serialization_failure';
      END IF;
    END IF;
    RETURN rid;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.save_record(bigint, integer, bigint, text, text, text, text, text, bigint, bigint) TO clinic_doctor;

-- Sign one's own draft.
CREATE FUNCTION clinic.sign_record(p_id bigint) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    UPDATE clinic.medical_records r SET signed_at = pg_catalog.now(), signed_by = r.author_id
     WHERE r.id = p_id AND r.author_id = clinic.current_staff_id() AND r.signed_at IS NULL
       AND pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER');
    IF NOT FOUND THEN
      RAISE EXCEPTION 'only the author can sign an unsigned record' USING ERRCODE = 'insufficient_privilege';
    END IF;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.sign_record(bigint) TO clinic_doctor;

CREATE FUNCTION clinic.break_glass(p_patient_id bigint, p_reason text, p_minutes integer DEFAULT 60) RETURNS timestamptz
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    until timestamptz;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER') OR clinic.current_staff_id() IS NULL THEN
      RAISE EXCEPTION 'only a doctor can request emergency access' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_reason IS NULL OR pg_catalog.length(pg_catalog.btrim(p_reason)) < 10 THEN
      RAISE EXCEPTION 'state the reason for emergency access (at least 10 characters)' USING ERRCODE = 'check_violation';
    END IF;
    IF p_minutes IS NULL OR p_minutes < 1 OR p_minutes > 720 THEN
      RAISE EXCEPTION 'emergency access lasts between 1 minute and 12 hours' USING ERRCODE = 'check_violation';
    END IF;
    until := pg_catalog.now() + pg_catalog.make_interval(mins => p_minutes);
    INSERT INTO clinic.emergency_access (doctor_id, patient_id, reason, expires_at)
    VALUES (clinic.current_staff_id(), p_patient_id, p_reason, until);
    PERFORM clinic.audit('break_glass', 'patients', p_patient_id, p_patient_id,
                         pg_catalog.jsonb_build_object('minutes', p_minutes), true);
    RETURN until;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.break_glass(bigint, text, integer) TO clinic_doctor;
