-- Invoice numbers without gaps, per year (2026-000123), given to issued invoices only, and without a
-- lock anyone can hold.
--
-- Until now a sequence numbered every invoice at creation, so a rolled-back insert burned a number
-- and drafts had numbers. A per-year counter row locked by the issuing transaction would be
-- gap-free, but then one login sitting in an open transaction after issuing an invoice would hold up
-- every other issue in the clinic (design.md: no login can make another wait). So numbering works as
-- the audit chain's sealing does: issuing leaves the number empty, and clinic.number_invoices()
-- numbers the issued invoices whose transactions have finished, in the order they were issued, right
-- after (the app calls it at once after an issue; anyone may call it). It never waits: while another
-- numberer holds a year's counter it returns what it did so far. A number, once given, never changes,
-- and a voided invoice keeps its own, so the years' series have no holes.
SET LOCAL ROLE clinic_owner;

ALTER TABLE clinic.invoices ALTER COLUMN invoice_number DROP DEFAULT;
ALTER TABLE clinic.invoices ALTER COLUMN invoice_number DROP NOT NULL;
ALTER TABLE clinic.invoices ADD COLUMN number_year integer;
ALTER TABLE clinic.invoices ADD COLUMN number_seq integer CHECK (number_seq > 0);
ALTER TABLE clinic.invoices ADD CONSTRAINT invoices_number_once UNIQUE (number_year, number_seq);
-- Drafts made so far lose the number the sequence gave them; issued ones keep theirs.
ALTER TABLE clinic.invoices DISABLE TRIGGER USER;
UPDATE clinic.invoices SET invoice_number = NULL WHERE issued_at IS NULL;
ALTER TABLE clinic.invoices ENABLE TRIGGER USER;
CREATE INDEX invoices_to_number ON clinic.invoices (issued_at, id)
  WHERE issued_at IS NOT NULL AND invoice_number IS NULL;

CREATE TABLE clinic.invoice_counters (
  year integer PRIMARY KEY,
  last integer NOT NULL DEFAULT 0 CHECK (last >= 0)
);
ALTER TABLE clinic.invoice_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.invoice_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY invoice_counters_owner ON clinic.invoice_counters TO clinic_owner USING (true) WITH CHECK (true);

-- A new invoice has no number (whatever the insert says); a number, once given, never changes.
CREATE FUNCTION clinic.invoice_number_rules() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      NEW.invoice_number := NULL;
      NEW.number_year := NULL;
      NEW.number_seq := NULL;
    ELSIF OLD.invoice_number IS NOT NULL
          AND (NEW.invoice_number, NEW.number_year, NEW.number_seq)
              IS DISTINCT FROM (OLD.invoice_number, OLD.number_year, OLD.number_seq) THEN
      RAISE EXCEPTION 'an invoice number never changes' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER invoices_number_rules BEFORE INSERT OR UPDATE ON clinic.invoices
  FOR EACH ROW EXECUTE FUNCTION clinic.invoice_number_rules();

-- Number the issued invoices that have none, oldest issue first; how many were numbered.
CREATE FUNCTION clinic.number_invoices() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    inv record;
    y integer;
    n integer;
    done bigint := 0;
  BEGIN
    -- One numberer at a time; the others return at once.
    IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('clinic.number_invoices')) THEN
      RETURN 0;
    END IF;
    FOR inv IN SELECT i.id, i.issued_at FROM clinic.invoices i
                WHERE i.issued_at IS NOT NULL AND i.invoice_number IS NULL
                ORDER BY i.issued_at, i.id
                -- An invoice someone holds in an open transaction waits for the next call.
                FOR UPDATE SKIP LOCKED LOOP
      y := pg_catalog.date_part('year', inv.issued_at AT TIME ZONE clinic.clinic_time_zone())::integer;
      INSERT INTO clinic.invoice_counters (year) VALUES (y) ON CONFLICT (year) DO NOTHING;
      BEGIN
        SELECT c.last + 1 INTO n FROM clinic.invoice_counters c WHERE c.year = y FOR UPDATE NOWAIT;
      EXCEPTION WHEN lock_not_available OR serialization_failure THEN
        RETURN done;
      END;
      UPDATE clinic.invoice_counters c SET last = n WHERE c.year = y;
      UPDATE clinic.invoices i
         SET invoice_number = y::text || '-' || pg_catalog.lpad(n::text, 6, '0'), number_year = y, number_seq = n
       WHERE i.id = inv.id;
      done := done + 1;
    END LOOP;
    RETURN done;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.number_invoices() TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;
