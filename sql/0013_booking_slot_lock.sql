-- Bookings take turns per doctor and quarter hour, not per doctor.
--
-- sql/0010 made two desks booking overlapping times with one doctor take turns instead of
-- deadlocking inside the exclusion index, with a transaction-level lock on the whole doctor. That
-- lock is held until the booking transaction ends, so a login that books one slot in an open psql
-- transaction and sits there would make every other booking with that doctor wait, the whole day's.
-- Only rows that overlap need to take turns (those would wait for each other's transaction in the
-- exclusion index anyway), so the lock is now one per doctor and quarter hour that the new row
-- covers, taken in ascending order (an appointment is at most 8 hours: at most 33 locks). Two
-- overlapping rows share at least one quarter hour and queue on it; a row elsewhere in the day goes
-- straight in.
--
-- Keyed (doctor id, quarter hours since 1970) in the two-key form, which nothing else of ours uses
-- (the migration lock is a single bigint). Only the row being written is locked: on a move, the
-- old place needs no lock, its index entry only goes away.
SET LOCAL ROLE clinic_owner;

CREATE OR REPLACE FUNCTION clinic.lock_doctor_bookings() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    doctor int4 := (NEW.doctor_id % 2147483647)::int4;
    quarter bigint := pg_catalog.floor(pg_catalog.date_part('epoch', NEW.starts_at) / 900)::bigint;
    last bigint := pg_catalog.ceil(pg_catalog.date_part('epoch', NEW.ends_at) / 900)::bigint - 1;
  BEGIN
    WHILE quarter <= last LOOP
      PERFORM pg_catalog.pg_advisory_xact_lock(doctor, (quarter % 2147483647)::int4);
      quarter := quarter + 1;
    END LOOP;
    RETURN NEW;
  END $$;
