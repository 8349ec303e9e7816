-- Billing: invoices, their lines and payments. Amounts are integers in the currency's minor units;
-- totals are kept by the database, never added up by a client. Payments are append-only: a refund or
-- a reversal is a new row.
SET LOCAL ROLE clinic_owner;

CREATE SEQUENCE clinic.invoice_number_seq START 1001;

CREATE TABLE clinic.invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_number text NOT NULL UNIQUE DEFAULT ('INV-' || nextval('clinic.invoice_number_seq')),
  patient_id bigint NOT NULL REFERENCES clinic.patients (id),
  appointment_id bigint REFERENCES clinic.appointments (id),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued', 'void')),
  issued_at timestamptz,
  due_on date,
  total_minor bigint NOT NULL DEFAULT 0 CHECK (total_minor >= 0),
  paid_minor bigint NOT NULL DEFAULT 0,
  void_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES clinic.staff (id),
  version integer NOT NULL DEFAULT 1,
  CHECK ((status = 'draft') = (issued_at IS NULL) OR status = 'void'),
  CHECK (status <> 'void' OR void_reason IS NOT NULL)
);
CREATE INDEX invoices_patient ON clinic.invoices (patient_id, created_at);
CREATE INDEX invoices_open ON clinic.invoices (issued_at) WHERE status = 'issued' AND paid_minor < total_minor;

CREATE TABLE clinic.invoice_lines (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id bigint NOT NULL REFERENCES clinic.invoices (id),
  description text NOT NULL CHECK (pg_catalog.btrim(description) <> '' AND pg_catalog.length(description) <= 200),
  quantity integer NOT NULL DEFAULT 1 CHECK (quantity > 0 AND quantity <= 1000),
  unit_price_minor bigint NOT NULL CHECK (unit_price_minor >= 0),
  amount_minor bigint GENERATED ALWAYS AS (quantity * unit_price_minor) STORED
);
CREATE INDEX invoice_lines_invoice ON clinic.invoice_lines (invoice_id);

CREATE TABLE clinic.payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id bigint NOT NULL REFERENCES clinic.invoices (id),
  kind text NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'refund')),
  -- Positive for a payment, negative for a refund.
  amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
  method text NOT NULL CHECK (method IN ('cash', 'card', 'bank_transfer', 'insurance', 'other')),
  reference text CHECK (pg_catalog.length(reference) <= 100),
  received_at timestamptz NOT NULL DEFAULT now(),
  received_by bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  -- A retried payment carries the same key and is refused, so it can never be taken twice.
  idempotency_key uuid NOT NULL UNIQUE,
  CHECK ((kind = 'payment') = (amount_minor > 0))
);
CREATE INDEX payments_invoice ON clinic.payments (invoice_id);

-- Lines may change only while the invoice is a draft; the total follows in the same statement.
CREATE FUNCTION clinic.keep_invoice_total() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    inv bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
  BEGIN
    IF (SELECT i.status FROM clinic.invoices i WHERE i.id = inv FOR UPDATE) <> 'draft'
       OR (TG_OP = 'UPDATE' AND OLD.invoice_id <> NEW.invoice_id) THEN
      RAISE EXCEPTION 'lines of an issued or void invoice cannot change' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE clinic.invoices i
       SET total_minor = (SELECT COALESCE(pg_catalog.sum(l.amount_minor), 0)::bigint
                            FROM clinic.invoice_lines l WHERE l.invoice_id = inv)
     WHERE i.id = inv;
    RETURN NULL;
  END $$;
CREATE TRIGGER invoice_lines_total AFTER INSERT OR UPDATE OR DELETE ON clinic.invoice_lines
  FOR EACH ROW EXECUTE FUNCTION clinic.keep_invoice_total();

-- A payment lands on an issued invoice only, and moves its paid amount in one locked update.
CREATE FUNCTION clinic.apply_payment() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    UPDATE clinic.invoices i SET paid_minor = i.paid_minor + NEW.amount_minor
     WHERE i.id = NEW.invoice_id AND i.status = 'issued';
    IF NOT FOUND THEN
      RAISE EXCEPTION 'payments can only be taken on an issued invoice' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
  END $$;
CREATE TRIGGER payments_apply AFTER INSERT ON clinic.payments
  FOR EACH ROW EXECUTE FUNCTION clinic.apply_payment();

CREATE FUNCTION clinic.payments_are_append_only() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    RAISE EXCEPTION 'payments cannot be changed or removed; record a refund instead' USING ERRCODE = 'insufficient_privilege';
  END $$;
CREATE TRIGGER payments_no_change BEFORE UPDATE OR DELETE ON clinic.payments
  FOR EACH ROW EXECUTE FUNCTION clinic.payments_are_append_only();

-- An invoice's amounts come from its lines and payments only, and its status moves one way: draft ->
-- issued -> void, or draft -> void. Reopening an issued invoice would let its lines be rewritten
-- under payments already taken; its issue date is fixed once issued, and a void invoice stays as it is.
CREATE FUNCTION clinic.check_invoice() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      IF NEW.total_minor <> 0 OR NEW.paid_minor <> 0 THEN
        RAISE EXCEPTION 'a new invoice has nothing charged or paid yet: add lines, then take payments'
          USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status
       AND (OLD.status, NEW.status) NOT IN (('draft', 'issued'), ('draft', 'void'), ('issued', 'void')) THEN
      RAISE EXCEPTION 'an invoice cannot go from % to %', OLD.status, NEW.status
        USING ERRCODE = 'check_violation', COLUMN = 'status';
    END IF;
    IF NEW.issued_at IS DISTINCT FROM OLD.issued_at AND OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'the issue date of an issued invoice cannot change'
        USING ERRCODE = 'check_violation', COLUMN = 'issued_at';
    END IF;
    IF OLD.status = 'void' AND (NEW.due_on, NEW.void_reason) IS DISTINCT FROM (OLD.due_on, OLD.void_reason) THEN
      RAISE EXCEPTION 'a void invoice cannot change' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER invoices_check BEFORE INSERT OR UPDATE ON clinic.invoices
  FOR EACH ROW EXECUTE FUNCTION clinic.check_invoice();
CREATE TRIGGER invoices_version BEFORE UPDATE ON clinic.invoices FOR EACH ROW EXECUTE FUNCTION clinic.bump_version();
CREATE TRIGGER invoices_audit AFTER INSERT OR UPDATE OR DELETE ON clinic.invoices
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');
CREATE TRIGGER payments_audit AFTER INSERT ON clinic.payments
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('invoice_id', 'invoices');

ALTER TABLE clinic.invoices ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.invoices FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.invoice_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.invoice_lines FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.payments FORCE ROW LEVEL SECURITY;

-- Accountants run the books; reception reads and takes a payment at the desk; admins read; doctors
-- have no billing access.
GRANT SELECT, INSERT ON clinic.invoices TO clinic_accountant;
GRANT UPDATE (status, issued_at, due_on, void_reason) ON clinic.invoices TO clinic_accountant;
GRANT USAGE ON SEQUENCE clinic.invoice_number_seq TO clinic_accountant;
GRANT SELECT, INSERT, UPDATE, DELETE ON clinic.invoice_lines TO clinic_accountant;
GRANT SELECT ON clinic.payments TO clinic_accountant, clinic_receptionist;
-- When and by whom are stamped by the database, so a payment cannot be backdated or put in another
-- person's name.
GRANT INSERT (invoice_id, kind, amount_minor, method, reference, idempotency_key)
  ON clinic.payments TO clinic_accountant, clinic_receptionist;
GRANT SELECT ON clinic.invoices, clinic.invoice_lines TO clinic_receptionist, clinic_admin;
GRANT SELECT ON clinic.payments TO clinic_admin;

CREATE POLICY invoices_accountant ON clinic.invoices TO clinic_accountant USING (true) WITH CHECK (true);
CREATE POLICY invoices_reception_read ON clinic.invoices FOR SELECT TO clinic_receptionist USING (true);
CREATE POLICY invoices_admin_read ON clinic.invoices FOR SELECT TO clinic_admin USING (true);
CREATE POLICY invoices_owner ON clinic.invoices TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY lines_accountant ON clinic.invoice_lines TO clinic_accountant USING (true) WITH CHECK (true);
CREATE POLICY lines_reception_read ON clinic.invoice_lines FOR SELECT TO clinic_receptionist USING (true);
CREATE POLICY lines_admin_read ON clinic.invoice_lines FOR SELECT TO clinic_admin USING (true);
CREATE POLICY lines_owner ON clinic.invoice_lines TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY payments_accountant_read ON clinic.payments FOR SELECT TO clinic_accountant USING (true);
CREATE POLICY payments_accountant_take ON clinic.payments FOR INSERT TO clinic_accountant
  WITH CHECK (received_by = (SELECT clinic.current_staff_id()));
CREATE POLICY payments_reception_read ON clinic.payments FOR SELECT TO clinic_receptionist USING (true);
-- At the desk: payments only, never refunds, in the receiving person's own name.
CREATE POLICY payments_reception_take ON clinic.payments FOR INSERT TO clinic_receptionist
  WITH CHECK (kind = 'payment' AND received_by = (SELECT clinic.current_staff_id()));
CREATE POLICY payments_admin_read ON clinic.payments FOR SELECT TO clinic_admin USING (true);
CREATE POLICY payments_owner ON clinic.payments TO clinic_owner USING (true) WITH CHECK (true);
