-- The clinic's clock in the database, and status changes that match it.
--
-- * clinic.settings holds the clinic's time zone, written by `clinic db migrate` (and the demo) from
--   the config's [clinic] time_zone, so "today" means the same thing in SQL as on every desk's
--   screen (the app takes the zone from here after sign-in).
-- * A no-show can be marked only once the appointment has started; a check-in and the start of a
--   consultation only on the appointment's own day (the clinic's day, not the server's).
-- * Two undos a desk needs, each with a reason that goes into the status history: a check-in by
--   mistake (checked in -> scheduled, before the consultation starts) and a no-show marked too
--   soon (no-show -> scheduled, the same day).
SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.is_time_zone(name text) RETURNS boolean
  LANGUAGE sql STABLE
  SET search_path = ''
  RETURN EXISTS (SELECT FROM pg_catalog.pg_timezone_names z WHERE z.name = is_time_zone.name);

CREATE TABLE clinic.settings (
  -- One row: the clinic's.
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  time_zone text NOT NULL DEFAULT 'UTC' CHECK (clinic.is_time_zone(time_zone))
);
INSERT INTO clinic.settings DEFAULT VALUES;

-- Not patient data, but every table is guarded the same way: everyone reads, only the owner writes.
ALTER TABLE clinic.settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.settings FORCE ROW LEVEL SECURITY;
GRANT SELECT ON clinic.settings TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
CREATE POLICY settings_read ON clinic.settings FOR SELECT
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant USING (true);
CREATE POLICY settings_owner ON clinic.settings TO clinic_owner USING (true) WITH CHECK (true);

CREATE FUNCTION clinic.clinic_time_zone() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  RETURN (SELECT s.time_zone FROM clinic.settings s);

-- The clinic's date of an instant.
CREATE FUNCTION clinic.clinic_date(t timestamptz) RETURNS date
  LANGUAGE sql STABLE
  SET search_path = ''
  RETURN (t AT TIME ZONE clinic.clinic_time_zone())::date;

REVOKE EXECUTE ON FUNCTION clinic.is_time_zone(text), clinic.clinic_time_zone(), clinic.clinic_date(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION clinic.is_time_zone(text), clinic.clinic_time_zone(), clinic.clinic_date(timestamptz)
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- Why the status last went back (an undo); the status history keeps every one.
ALTER TABLE clinic.appointments ADD COLUMN status_reason text CHECK (pg_catalog.length(status_reason) <= 200);
GRANT UPDATE (status_reason) ON clinic.appointments TO clinic_receptionist;

CREATE OR REPLACE FUNCTION clinic.status_transition_allowed(from_status text, to_status text) RETURNS boolean
  LANGUAGE sql IMMUTABLE
  SET search_path = ''
  RETURN (from_status, to_status) IN (
    ('scheduled', 'checked_in'), ('checked_in', 'in_progress'), ('in_progress', 'completed'),
    ('scheduled', 'cancelled'), ('checked_in', 'cancelled'),
    ('scheduled', 'no_show'), ('checked_in', 'no_show'),
    ('checked_in', 'scheduled'), ('no_show', 'scheduled'));

CREATE OR REPLACE FUNCTION clinic.check_appointment() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    trusted boolean := pg_catalog.pg_has_role(current_user, 'clinic_owner', 'USAGE');
    undo boolean;
  BEGIN
    IF TG_OP = 'INSERT' THEN
      IF NEW.status <> 'scheduled' AND NOT trusted THEN
        RAISE EXCEPTION 'a new appointment starts as scheduled' USING ERRCODE = 'check_violation';
      END IF;
      IF NOT trusted THEN
        NEW.booked_at := pg_catalog.now();
        NEW.booked_by := clinic.current_staff_id();
        NEW.status_changed_at := pg_catalog.now();
        NEW.status_changed_by := clinic.current_staff_id();
        NEW.updated_at := pg_catalog.now();
        NEW.updated_by := NULL;
        NEW.version := 1;
        NEW.cancel_reason := NULL;
        NEW.status_reason := NULL;
      END IF;
    ELSE
      IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT clinic.status_transition_allowed(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'an appointment cannot go from % to %',
            pg_catalog.replace(OLD.status, '_', ' '), pg_catalog.replace(NEW.status, '_', ' ')
            USING ERRCODE = 'check_violation', COLUMN = 'status';
        END IF;
        -- Doctors move their own patients through the consultation; reception does the rest. A
        -- doctor is a login in the doctors' group with a doctor's staff row: a superuser doing
        -- maintenance is in every group but is nobody's doctor.
        IF pg_catalog.pg_has_role(session_user, 'clinic_doctor', 'MEMBER')
           AND EXISTS (SELECT FROM clinic.staff s WHERE s.login = session_user AND s.job = 'doctor')
           AND (OLD.status, NEW.status) NOT IN (('checked_in', 'in_progress'), ('in_progress', 'completed')) THEN
          RAISE EXCEPTION 'a doctor can only start or complete a consultation' USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The clock: the owner (seed, data generator) writes history as it was.
        IF NOT trusted THEN
          IF NEW.status = 'no_show' AND pg_catalog.now() < OLD.starts_at THEN
            RAISE EXCEPTION 'a no-show can be marked once the appointment has started'
              USING ERRCODE = 'check_violation', COLUMN = 'status';
          END IF;
          IF NEW.status IN ('checked_in', 'in_progress')
             AND clinic.clinic_date(pg_catalog.now()) <> clinic.clinic_date(OLD.starts_at) THEN
            RAISE EXCEPTION '% only on the day of the appointment',
              CASE NEW.status WHEN 'checked_in' THEN 'a patient checks in' ELSE 'a consultation starts' END
              USING ERRCODE = 'check_violation', COLUMN = 'status';
          END IF;
          IF OLD.status = 'no_show' AND NEW.status = 'scheduled'
             AND clinic.clinic_date(pg_catalog.now()) <> clinic.clinic_date(OLD.starts_at) THEN
            RAISE EXCEPTION 'a no-show can be taken back only on the day of the appointment'
              USING ERRCODE = 'check_violation', COLUMN = 'status';
          END IF;
        END IF;
        undo := NEW.status = 'scheduled';
        IF undo AND pg_catalog.btrim(COALESCE(NEW.status_reason, '')) = '' THEN
          RAISE EXCEPTION 'taking back a % needs a reason',
            CASE OLD.status WHEN 'no_show' THEN 'no-show' ELSE 'check-in' END
            USING ERRCODE = 'check_violation', COLUMN = 'status_reason';
        END IF;
        IF NOT undo THEN
          NEW.status_reason := NULL;
        END IF;
        NEW.status_changed_at := pg_catalog.now();
        NEW.status_changed_by := clinic.current_staff_id();
      ELSIF NEW.status_reason IS DISTINCT FROM OLD.status_reason THEN
        RAISE EXCEPTION 'a reason is recorded only when taking a status back'
          USING ERRCODE = 'check_violation', COLUMN = 'status_reason';
      END IF;
      IF NEW.cancel_reason IS DISTINCT FROM OLD.cancel_reason
         AND NOT (NEW.status = 'cancelled' AND OLD.status <> 'cancelled') THEN
        RAISE EXCEPTION 'a reason is recorded only when cancelling'
          USING ERRCODE = 'check_violation', COLUMN = 'cancel_reason';
      END IF;
      IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled'
         AND pg_catalog.btrim(COALESCE(NEW.cancel_reason, '')) = '' THEN
        RAISE EXCEPTION 'a cancellation needs a reason' USING ERRCODE = 'check_violation', COLUMN = 'cancel_reason';
      END IF;
      IF (NEW.starts_at, NEW.ends_at, NEW.doctor_id, NEW.patient_id) IS DISTINCT FROM
         (OLD.starts_at, OLD.ends_at, OLD.doctor_id, OLD.patient_id)
         AND OLD.status NOT IN ('scheduled', 'checked_in') THEN
        RAISE EXCEPTION 'a % appointment cannot be moved', pg_catalog.replace(OLD.status, '_', ' ')
          USING ERRCODE = 'check_violation';
      END IF;
    END IF;
    IF NOT EXISTS (SELECT FROM clinic.staff s WHERE s.id = NEW.doctor_id AND s.job = 'doctor') THEN
      RAISE EXCEPTION 'appointments are booked with a doctor' USING ERRCODE = 'foreign_key_violation', COLUMN = 'doctor_id';
    END IF;
    RETURN NEW;
  END $$;

-- The history keeps the reason of a cancellation and of an undo.
CREATE OR REPLACE FUNCTION clinic.record_appointment_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
      INSERT INTO clinic.appointment_status_history (appointment_id, from_status, to_status, reason, changed_at, changed_by)
      VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status,
              CASE WHEN NEW.status = 'cancelled' THEN NEW.cancel_reason
                   WHEN TG_OP = 'UPDATE' AND NEW.status = 'scheduled' THEN NEW.status_reason END,
              NEW.status_changed_at, NEW.status_changed_by);
    END IF;
    PERFORM pg_catalog.pg_notify('clinic_appointments', NEW.id::text);
    RETURN NULL;
  END $$;
