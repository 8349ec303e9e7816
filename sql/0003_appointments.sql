-- Appointments, their status machine and its history.
SET LOCAL ROLE clinic_owner;

CREATE TABLE clinic.appointments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id bigint NOT NULL REFERENCES clinic.patients (id),
  doctor_id bigint NOT NULL REFERENCES clinic.staff (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  reason text CHECK (pg_catalog.length(reason) <= 200),
  status text NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show')),
  cancel_reason text CHECK (pg_catalog.length(cancel_reason) <= 200),
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  status_changed_by bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  booked_at timestamptz NOT NULL DEFAULT now(),
  booked_by bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES clinic.staff (id),
  version integer NOT NULL DEFAULT 1,
  CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '8 hours'),
  CHECK (status <> 'cancelled' OR cancel_reason IS NOT NULL),
  -- Double booking is impossible by construction: one doctor's live appointments never overlap.
  CONSTRAINT appointments_no_double_booking EXCLUDE USING gist (
    doctor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
  ) WHERE (status <> 'cancelled')
);
CREATE INDEX appointments_doctor_time ON clinic.appointments (doctor_id, starts_at);
CREATE INDEX appointments_time ON clinic.appointments (starts_at);
CREATE INDEX appointments_patient ON clinic.appointments (patient_id, starts_at);

CREATE TABLE clinic.appointment_status_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  appointment_id bigint NOT NULL REFERENCES clinic.appointments (id),
  from_status text,
  to_status text NOT NULL,
  reason text,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by bigint REFERENCES clinic.staff (id)
);
CREATE INDEX appointment_status_history_appt ON clinic.appointment_status_history (appointment_id, changed_at);

-- The allowed moves, and nothing else.
CREATE FUNCTION clinic.status_transition_allowed(from_status text, to_status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE
  SET search_path = ''
  RETURN (from_status, to_status) IN (
    ('scheduled', 'checked_in'), ('checked_in', 'in_progress'), ('in_progress', 'completed'),
    ('scheduled', 'cancelled'), ('checked_in', 'cancelled'),
    ('scheduled', 'no_show'), ('checked_in', 'no_show'));

CREATE FUNCTION clinic.check_appointment() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      IF NEW.status <> 'scheduled' AND NOT pg_catalog.pg_has_role(current_user, 'clinic_owner', 'USAGE') THEN
        RAISE EXCEPTION 'a new appointment starts as scheduled' USING ERRCODE = 'check_violation';
      END IF;
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
      IF NOT clinic.status_transition_allowed(OLD.status, NEW.status) THEN
        RAISE EXCEPTION 'an appointment cannot go from % to %', OLD.status, NEW.status
          USING ERRCODE = 'check_violation', COLUMN = 'status';
      END IF;
      -- Doctors move their own patients through the consultation; reception does the rest.
      IF pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER')
         AND (OLD.status, NEW.status) NOT IN (('checked_in', 'in_progress'), ('in_progress', 'completed')) THEN
        RAISE EXCEPTION 'a doctor can only start or complete a consultation' USING ERRCODE = 'insufficient_privilege';
      END IF;
      NEW.status_changed_at := pg_catalog.now();
      NEW.status_changed_by := clinic.current_staff_id();
    ELSIF OLD.status IN ('completed', 'cancelled', 'no_show')
          AND (NEW.starts_at, NEW.ends_at, NEW.doctor_id, NEW.patient_id) IS DISTINCT FROM
              (OLD.starts_at, OLD.ends_at, OLD.doctor_id, OLD.patient_id) THEN
      RAISE EXCEPTION 'a % appointment cannot be moved', OLD.status USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT FROM clinic.staff s WHERE s.id = NEW.doctor_id AND s.job = 'doctor') THEN
      RAISE EXCEPTION 'appointments are booked with a doctor' USING ERRCODE = 'foreign_key_violation', COLUMN = 'doctor_id';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER appointments_check BEFORE INSERT OR UPDATE ON clinic.appointments
  FOR EACH ROW EXECUTE FUNCTION clinic.check_appointment();
CREATE TRIGGER appointments_version BEFORE UPDATE ON clinic.appointments
  FOR EACH ROW EXECUTE FUNCTION clinic.bump_version();

-- Each status, with who and when, goes to the history; other desks hear of every change by id only
-- (any login can LISTEN, so a notification never carries patient data).
CREATE FUNCTION clinic.record_appointment_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
      INSERT INTO clinic.appointment_status_history (appointment_id, from_status, to_status, reason, changed_at, changed_by)
      VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
              CASE WHEN NEW.status = 'cancelled' THEN NEW.cancel_reason END,
              NEW.status_changed_at, NEW.status_changed_by);
    END IF;
    PERFORM pg_catalog.pg_notify('clinic_appointments', NEW.id::text);
    RETURN NULL;
  END $$;
CREATE TRIGGER appointments_history AFTER INSERT OR UPDATE ON clinic.appointments
  FOR EACH ROW EXECUTE FUNCTION clinic.record_appointment_change();
CREATE TRIGGER appointments_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.appointments
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');

ALTER TABLE clinic.appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.appointments FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.appointment_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.appointment_status_history FORCE ROW LEVEL SECURITY;

-- Reception books, moves, cancels and checks in; doctors see their own and set their status; admins
-- and accountants read. Nobody deletes: a cancelled appointment stays as history.
GRANT SELECT ON clinic.appointments TO clinic_receptionist;
GRANT INSERT (patient_id, doctor_id, starts_at, ends_at, reason) ON clinic.appointments TO clinic_receptionist;
GRANT UPDATE (patient_id, doctor_id, starts_at, ends_at, reason, status, cancel_reason) ON clinic.appointments TO clinic_receptionist;
GRANT SELECT ON clinic.appointments TO clinic_doctor, clinic_admin;
-- Billing needs who was seen by whom and when, not why: the reason can be clinical.
GRANT SELECT (id, patient_id, doctor_id, starts_at, ends_at, status) ON clinic.appointments TO clinic_accountant;
GRANT UPDATE (status) ON clinic.appointments TO clinic_doctor;
GRANT SELECT ON clinic.appointment_status_history TO clinic_receptionist, clinic_doctor, clinic_admin;

CREATE POLICY appointments_reception_read ON clinic.appointments FOR SELECT TO clinic_receptionist USING (true);
CREATE POLICY appointments_reception_book ON clinic.appointments FOR INSERT TO clinic_receptionist WITH CHECK (true);
CREATE POLICY appointments_reception_change ON clinic.appointments FOR UPDATE TO clinic_receptionist USING (true) WITH CHECK (true);
CREATE POLICY appointments_doctor_own ON clinic.appointments FOR SELECT TO clinic_doctor
  USING (doctor_id = (SELECT clinic.current_staff_id()));
CREATE POLICY appointments_doctor_status ON clinic.appointments FOR UPDATE TO clinic_doctor
  USING (doctor_id = (SELECT clinic.current_staff_id()))
  WITH CHECK (doctor_id = (SELECT clinic.current_staff_id()));
CREATE POLICY appointments_admin_read ON clinic.appointments FOR SELECT TO clinic_admin USING (true);
CREATE POLICY appointments_accountant_read ON clinic.appointments FOR SELECT TO clinic_accountant USING (true);
CREATE POLICY appointments_owner ON clinic.appointments TO clinic_owner USING (true) WITH CHECK (true);

CREATE POLICY history_reception_read ON clinic.appointment_status_history FOR SELECT TO clinic_receptionist USING (true);
CREATE POLICY history_admin_read ON clinic.appointment_status_history FOR SELECT TO clinic_admin USING (true);
CREATE POLICY history_doctor_own ON clinic.appointment_status_history FOR SELECT TO clinic_doctor
  USING (EXISTS (SELECT FROM clinic.appointments a WHERE a.id = appointment_id));
CREATE POLICY history_owner ON clinic.appointment_status_history TO clinic_owner USING (true) WITH CHECK (true);
