-- Bookings of one doctor wait their turn instead of deadlocking.
--
-- Two desks booking overlapping times with the same doctor at the same instant each add their row to
-- the no-double-booking exclusion index and then wait for the other's transaction; PostgreSQL's
-- deadlock detector aborts one after deadlock_timeout (a second by default), and with many desks
-- racing the retries meet again. Instead, every write that puts a row into that index (a booking, a
-- move, a status change: each writes a new index entry) first takes a transaction-level advisory
-- lock on the doctor. The second desk then waits only for the first one's commit, sees its row, and
-- is refused at once with the exclusion violation the app shows as "that slot was just taken".
-- A move to another doctor locks both, the lower id first, so two crossing moves cannot deadlock.
--
-- The lock is keyed (oid of clinic.appointments, doctor id): no other advisory lock of ours uses
-- the two-key form (the migration lock is a single bigint).
SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.lock_doctor_bookings() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    space int4 := 'clinic.appointments'::pg_catalog.regclass::pg_catalog.oid::pg_catalog.int4;
  BEGIN
    IF TG_OP = 'UPDATE' AND OLD.doctor_id <> NEW.doctor_id THEN
      PERFORM pg_catalog.pg_advisory_xact_lock(space, (LEAST(OLD.doctor_id, NEW.doctor_id) % 2147483647)::int4);
      PERFORM pg_catalog.pg_advisory_xact_lock(space, (GREATEST(OLD.doctor_id, NEW.doctor_id) % 2147483647)::int4);
    ELSE
      PERFORM pg_catalog.pg_advisory_xact_lock(space, (NEW.doctor_id % 2147483647)::int4);
    END IF;
    RETURN NEW;
  END $$;

-- Named to fire before the other BEFORE triggers (they run in name order), though any order works:
-- what matters is that the lock is taken before the row reaches the index.
CREATE TRIGGER appointments_0_lock BEFORE INSERT OR UPDATE OF doctor_id, starts_at, ends_at, status
  ON clinic.appointments
  FOR EACH ROW WHEN (NEW.status <> 'cancelled')
  EXECUTE FUNCTION clinic.lock_doctor_bookings();
