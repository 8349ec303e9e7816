-- The fee schedule: services with a code, a description, a price and a tax rate, each price valid
-- for a period. A price change is a new row from a date on (clinic.set_service_price closes the old
-- one the day before), never an edit: what a service cost on a day stays what it cost, and an
-- invoice line keeps the price it was made with. Accountants keep the schedule; the desk and the
-- admin read it; doctors see no billing.
SET LOCAL ROLE clinic_owner;

CREATE TABLE clinic.services (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9.-]{0,19}$'),
  description text NOT NULL CHECK (pg_catalog.btrim(description) <> '' AND pg_catalog.length(description) <= 200),
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- Percent, e.g. 20.00; 0 for exempt medical services.
  tax_rate numeric(5,2) NOT NULL DEFAULT 0 CHECK (tax_rate BETWEEN 0 AND 100),
  valid_from date NOT NULL DEFAULT CURRENT_DATE,
  -- The last day the price holds; NULL while it is the current one.
  valid_to date CHECK (valid_to IS NULL OR valid_to >= valid_from),
  -- Appointment reasons this service is suggested for (matched case-blind), e.g. {'Check-up'}.
  suggested_for text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  -- One price per code on any day.
  CONSTRAINT services_one_price_a_day EXCLUDE USING gist (
    code WITH =, pg_catalog.daterange(valid_from, valid_to, '[]') WITH &&)
);
CREATE INDEX services_current ON clinic.services (code) WHERE valid_to IS NULL;

-- The price, tax rate and code of a row never change once written; only its description, its end
-- and its suggestions may (the column grants below), and nothing is deleted.
CREATE FUNCTION clinic.services_keep_prices() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'a service is never deleted: end it with valid_to' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.code, NEW.price_minor, NEW.currency, NEW.tax_rate, NEW.valid_from)
       IS DISTINCT FROM (OLD.code, OLD.price_minor, OLD.currency, OLD.tax_rate, OLD.valid_from) THEN
      RAISE EXCEPTION 'a price is never edited: set a new one from a date (clinic.set_service_price)'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER services_keep_prices BEFORE UPDATE OR DELETE ON clinic.services
  FOR EACH ROW EXECUTE FUNCTION clinic.services_keep_prices();
CREATE TRIGGER services_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.services
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');  -- no patient: the entry names none

ALTER TABLE clinic.services ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.services FORCE ROW LEVEL SECURITY;
GRANT SELECT, INSERT ON clinic.services TO clinic_accountant;
GRANT UPDATE (description, valid_to, suggested_for) ON clinic.services TO clinic_accountant;
GRANT SELECT ON clinic.services TO clinic_receptionist, clinic_admin;
CREATE POLICY services_accountant ON clinic.services TO clinic_accountant USING (true) WITH CHECK (true);
CREATE POLICY services_read ON clinic.services FOR SELECT TO clinic_receptionist, clinic_admin USING (true);
CREATE POLICY services_owner ON clinic.services TO clinic_owner USING (true) WITH CHECK (true);

-- A new price for `code` from `p_from` on: the row in force that day ends the day before, and the
-- new one starts, in one step. The new row's id.
CREATE FUNCTION clinic.set_service_price(p_code text, p_price_minor bigint, p_tax_rate numeric, p_from date)
  RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    cur clinic.services;
    sid bigint;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_accountant', 'MEMBER') THEN
      RAISE EXCEPTION 'only accounts keep the fee schedule' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO cur FROM clinic.services s
     WHERE s.code = p_code AND pg_catalog.daterange(s.valid_from, s.valid_to, '[]') @> p_from
     FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no price of % is in force on %: add the service instead', p_code, p_from
        USING ERRCODE = 'no_data_found';
    END IF;
    IF cur.valid_from >= p_from THEN
      RAISE EXCEPTION 'the price of % from % is the one in force that day; a new price starts later', p_code, cur.valid_from
        USING ERRCODE = 'check_violation';
    END IF;
    UPDATE clinic.services s SET valid_to = p_from - 1 WHERE s.id = cur.id;
    INSERT INTO clinic.services (code, description, price_minor, currency, tax_rate, valid_from, valid_to, suggested_for)
    VALUES (cur.code, cur.description, p_price_minor, cur.currency, COALESCE(p_tax_rate, cur.tax_rate), p_from,
            cur.valid_to, cur.suggested_for)
    RETURNING id INTO sid;
    RETURN sid;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.set_service_price(text, bigint, numeric, date) TO clinic_accountant;

-- The services to suggest for an appointment: those whose suggestions name its reason, at the
-- price in force on its day. The reason itself is not returned (accounts may not read it).
CREATE FUNCTION clinic.suggest_services(p_appointment_id bigint) RETURNS SETOF clinic.services
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = ''
  AS $$
    SELECT s.* FROM clinic.appointments a
      JOIN clinic.services s
        ON pg_catalog.lower(pg_catalog.btrim(a.reason)) = ANY (
             SELECT pg_catalog.lower(x) FROM pg_catalog.unnest(s.suggested_for) AS x)
       AND pg_catalog.daterange(s.valid_from, s.valid_to, '[]') @> clinic.clinic_date(a.starts_at)
     WHERE a.id = p_appointment_id
       AND (pg_catalog.pg_has_role(session_user, 'clinic_accountant', 'MEMBER')
            OR pg_catalog.pg_has_role(session_user, 'clinic_receptionist', 'MEMBER'))
     ORDER BY s.code
  $$;
GRANT EXECUTE ON FUNCTION clinic.suggest_services(bigint) TO clinic_accountant, clinic_receptionist;
