-- Scheduling: each doctor's weekly working hours and the exceptions to them (leave, a blocked
-- afternoon), plus the appointment rules 0003 left loose.
--
-- Where availability is enforced, and why there:
-- * Leave is refused by the database. A doctor on leave is not in the building, so no desk, script
--   or psql session may put a live appointment into that time (trigger appointments_leave; SQLSTATE
--   23514, constraint name appointments_doctor_on_leave). Leave recorded *after* appointments were
--   booked is accepted: the absence is a fact, and the calendar shows the clashing appointments under
--   the leave so reception can rebook them.
-- * Working hours and 'blocked' time are checked by the app (db::appointments::book and move_to),
--   which refuses them unless the receptionist explicitly squeezes an urgent patient in. Working
--   hours are wall-clock times in the clinic's time zone, and that zone lives in the app's config,
--   not here: the app turns local days into UTC instants with chrono-tz and passes them as
--   parameters. Nothing in this schema reads or sets TimeZone, so a session's setting never changes
--   what a query means. A doctor with no working hours at all is unrestricted (a clinic that has not
--   set hours up yet can still book).
-- * The calendar and the slot finder show leave and blocked time as unavailable either way.
SET LOCAL ROLE clinic_owner;

-- Weekly working hours: one row per continuous stretch (a morning, an afternoon). ISO weekdays,
-- 1 = Monday .. 7 = Sunday. Times are the clinic's wall clock.
CREATE TABLE clinic.working_hours (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  doctor_id bigint NOT NULL REFERENCES clinic.staff (id),
  weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  starts time NOT NULL,
  -- 24:00 is a valid PostgreSQL time but not a valid clock time in the app; 23:59 is late enough.
  ends time NOT NULL CHECK (ends < time '24:00'),
  slot_minutes smallint NOT NULL DEFAULT 15 CHECK (slot_minutes BETWEEN 5 AND 120),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES clinic.staff (id),
  version integer NOT NULL DEFAULT 1,
  CHECK (starts < ends),
  -- A doctor's stretches on one weekday never overlap (they may touch: 09:00-12:30, 12:30-17:00).
  -- Times are pinned to an arbitrary date so a plain tsrange can compare them.
  CONSTRAINT working_hours_no_overlap EXCLUDE USING gist (
    doctor_id WITH =, weekday WITH =,
    tsrange(date '2000-01-03' + starts, date '2000-01-03' + ends, '[)') WITH &&)
);

-- Leave (the doctor is away) and blocked time (in, but not seeing patients: a meeting, admin).
CREATE TABLE clinic.schedule_exceptions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  doctor_id bigint NOT NULL REFERENCES clinic.staff (id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  kind text NOT NULL CHECK (kind IN ('leave', 'blocked')),
  -- Shown to every role that reads the calendar: it is about the doctor, never about a patient.
  note text CHECK (pg_catalog.length(note) <= 200),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES clinic.staff (id),
  version integer NOT NULL DEFAULT 1,
  CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '366 days')
);
CREATE INDEX schedule_exceptions_doctor_time ON clinic.schedule_exceptions
  USING gist (doctor_id, tstzrange(starts_at, ends_at, '[)'));

-- Both belong to a doctor; who changed them and when come from the session, not the client (the
-- desk has INSERT on the whole row, so these columns are overwritten rather than trusted).
CREATE FUNCTION clinic.check_availability_row() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF NOT EXISTS (SELECT FROM clinic.staff s WHERE s.id = NEW.doctor_id AND s.job = 'doctor') THEN
      RAISE EXCEPTION 'working hours and exceptions belong to a doctor'
        USING ERRCODE = 'foreign_key_violation', COLUMN = 'doctor_id';
    END IF;
    IF TG_OP = 'INSERT' THEN
      NEW.updated_at := pg_catalog.now();
      NEW.updated_by := clinic.current_staff_id();
      NEW.version := 1;
    END IF;
    RETURN NEW;
  END $$;

CREATE TRIGGER working_hours_check BEFORE INSERT OR UPDATE ON clinic.working_hours
  FOR EACH ROW EXECUTE FUNCTION clinic.check_availability_row();
CREATE TRIGGER working_hours_version BEFORE UPDATE ON clinic.working_hours
  FOR EACH ROW EXECUTE FUNCTION clinic.bump_version();
CREATE TRIGGER schedule_exceptions_check BEFORE INSERT OR UPDATE ON clinic.schedule_exceptions
  FOR EACH ROW EXECUTE FUNCTION clinic.check_availability_row();
CREATE TRIGGER schedule_exceptions_version BEFORE UPDATE ON clinic.schedule_exceptions
  FOR EACH ROW EXECUTE FUNCTION clinic.bump_version();
-- Audited like patient data ("who blocked Dr Smith's afternoon?"). No patient here: the argument
-- names a column these rows do not have, so each entry's patient is NULL.
CREATE TRIGGER working_hours_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.working_hours
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');
CREATE TRIGGER schedule_exceptions_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.schedule_exceptions
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');

-- Not patient data, but RLS is on and forced like everywhere else, with each role named, so a new
-- role sees nothing until someone decides what it may see.
ALTER TABLE clinic.working_hours ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.working_hours FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.schedule_exceptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.schedule_exceptions FORCE ROW LEVEL SECURITY;

-- Admins and reception keep the rota; doctors and accountants read it (all doctors': the calendar
-- shows colleagues' availability, and it says nothing about patients).
GRANT SELECT, INSERT, UPDATE, DELETE ON clinic.working_hours, clinic.schedule_exceptions
  TO clinic_admin, clinic_receptionist;
GRANT SELECT ON clinic.working_hours, clinic.schedule_exceptions TO clinic_doctor, clinic_accountant;

CREATE POLICY working_hours_rota_keepers ON clinic.working_hours
  TO clinic_admin, clinic_receptionist USING (true) WITH CHECK (true);
CREATE POLICY working_hours_read ON clinic.working_hours FOR SELECT
  TO clinic_doctor, clinic_accountant USING (true);
CREATE POLICY working_hours_owner ON clinic.working_hours TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY schedule_exceptions_rota_keepers ON clinic.schedule_exceptions
  TO clinic_admin, clinic_receptionist USING (true) WITH CHECK (true);
CREATE POLICY schedule_exceptions_read ON clinic.schedule_exceptions FOR SELECT
  TO clinic_doctor, clinic_accountant USING (true);
CREATE POLICY schedule_exceptions_owner ON clinic.schedule_exceptions TO clinic_owner USING (true) WITH CHECK (true);

-- No live appointment during the doctor's leave. SECURITY DEFINER so the check sees every leave row
-- whatever the booking role's own policies let it read.
CREATE FUNCTION clinic.check_appointment_leave() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF NEW.status = 'cancelled'
       OR (TG_OP = 'UPDATE' AND (NEW.doctor_id, NEW.starts_at, NEW.ends_at)
                                IS NOT DISTINCT FROM (OLD.doctor_id, OLD.starts_at, OLD.ends_at)) THEN
      RETURN NEW;
    END IF;
    IF EXISTS (SELECT FROM clinic.schedule_exceptions x
                WHERE x.doctor_id = NEW.doctor_id AND x.kind = 'leave'
                  AND tstzrange(x.starts_at, x.ends_at, '[)') && tstzrange(NEW.starts_at, NEW.ends_at, '[)')) THEN
      RAISE EXCEPTION 'the doctor is on leave at that time'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_doctor_on_leave';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER appointments_leave BEFORE INSERT OR UPDATE OF doctor_id, starts_at, ends_at ON clinic.appointments
  FOR EACH ROW EXECUTE FUNCTION clinic.check_appointment_leave();

-- 0003's rules, tightened:
-- * The status trigger runs as the person changing the status and calls the transition table, which
--   nobody but its owner could execute: every status change by a receptionist or a doctor failed with
--   "permission denied for function status_transition_allowed". It is a pure lookup; the roles that
--   change statuses may run it.
-- * Who booked and when, and who last changed the status, come from the session whatever the
--   INSERT grant allows (0003 once granted the whole row; a column list now keeps a desk from
--   writing someone else's id into booked_by or back-dating booked_at, and this keeps it so if a
--   grant is ever widened again). The owner (demo seed, data generator) may still write history as
--   it was.
-- * Only an appointment that has not begun (scheduled, checked in) can be moved to another time,
--   doctor or patient, whether or not the same statement also changes its status; 0003 let an
--   in-progress one move and checked the others only when the status stayed put.
-- * A cancellation needs a reason that is not blank, and the reason is written only by the update
--   that cancels (not added to a live appointment, not rewritten afterwards, which would contradict
--   the status history).
GRANT EXECUTE ON FUNCTION clinic.status_transition_allowed(text, text) TO clinic_receptionist, clinic_doctor;

CREATE OR REPLACE FUNCTION clinic.check_appointment() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    trusted boolean := pg_catalog.pg_has_role(current_user, 'clinic_owner', 'USAGE');
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
      END IF;
    ELSE
      IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT clinic.status_transition_allowed(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'an appointment cannot go from % to %', OLD.status, NEW.status
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
        NEW.status_changed_at := pg_catalog.now();
        NEW.status_changed_by := clinic.current_staff_id();
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

-- Setting the status an appointment already has is not a transition: refused, so a second desk's
-- late "check in" (or a double key press) says so instead of silently stamping nothing. Only
-- statements that name the status column are checked; a move leaves it out.
CREATE FUNCTION clinic.refuse_same_status() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    RAISE EXCEPTION 'the appointment is already %', pg_catalog.replace(OLD.status, '_', ' ')
      USING ERRCODE = 'check_violation', COLUMN = 'status';
  END $$;
CREATE TRIGGER appointments_status_repeat BEFORE UPDATE OF status ON clinic.appointments
  FOR EACH ROW WHEN (OLD.status = NEW.status) EXECUTE FUNCTION clinic.refuse_same_status();
