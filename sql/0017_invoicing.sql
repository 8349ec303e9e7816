-- Invoicing and payments as a clinic's books need them (issue 9, items 2 and 3):
--
-- * Lines name their service, and carry a discount and a tax rate; the database computes each
--   line's net, tax (rounded half away from zero to the minor unit, per line) and amount, and the
--   invoice's total and tax. Prices are net of tax.
-- * The status follows the money: issued -> partially_paid -> paid as payments and credit notes
--   land (and back when a refund does); whatever a client writes, the database derives it. void
--   (with a reason) only while nothing is paid or credited.
-- * An issued invoice never changes: a correction is a credit note, an invoice of kind
--   'credit_note' linked to it, numbered in the same gap-free series. Issuing it credits the
--   original; what the original had been paid beyond what it still owes becomes the patient's
--   credit.
-- * A payment is money received for an invoice: the part the invoice still owed is applied to it,
--   the rest becomes the patient's credit (an append-only ledger, clinic.patient_credit), which can
--   be applied to another invoice (method 'credit') or paid back. Refunds are their own entries,
--   never more than the invoice was paid. Nothing here is ever updated or deleted.
-- * clinic.record_payment / clinic.record_refund are the psql-level entry points the screens use:
--   a retry with the same idempotency key records nothing twice and answers as the first did.
SET LOCAL ROLE clinic_owner;

-- Nothing of the old rules may hold an overpaid invoice (they let one be paid beyond its total).
DO $$
BEGIN
  IF EXISTS (SELECT FROM clinic.invoices i WHERE i.paid_minor > i.total_minor OR i.paid_minor < 0) THEN
    RAISE EXCEPTION 'an invoice is paid beyond its total: move the excess to a refund before migrating';
  END IF;
END $$;

-- Statuses, kinds, the tax total and what credit notes took off.
ALTER TABLE clinic.invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE clinic.invoices ADD CONSTRAINT invoices_status_check
  CHECK (status IN ('draft', 'issued', 'partially_paid', 'paid', 'void'));
ALTER TABLE clinic.invoices
  ADD COLUMN kind text NOT NULL DEFAULT 'invoice' CHECK (kind IN ('invoice', 'credit_note')),
  ADD COLUMN credits_invoice_id bigint REFERENCES clinic.invoices (id),
  ADD COLUMN credit_reason text CHECK (pg_catalog.length(credit_reason) <= 200),
  ADD COLUMN tax_minor bigint NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
  ADD COLUMN credited_minor bigint NOT NULL DEFAULT 0 CHECK (credited_minor >= 0);
ALTER TABLE clinic.invoices
  ADD CONSTRAINT invoices_credit_note_names_its_invoice
    CHECK ((kind = 'credit_note') = (credits_invoice_id IS NOT NULL)),
  ADD CONSTRAINT invoices_credit_note_says_why
    CHECK (kind <> 'credit_note' OR pg_catalog.btrim(credit_reason) <> ''),
  ADD CONSTRAINT invoices_never_overpaid
    CHECK (paid_minor >= 0 AND paid_minor + credited_minor <= total_minor);
-- An appointment is invoiced once (a void invoice frees it for a new one).
CREATE UNIQUE INDEX invoices_one_per_appointment ON clinic.invoices (appointment_id)
  WHERE kind = 'invoice' AND status <> 'void' AND appointment_id IS NOT NULL;
DROP INDEX clinic.invoices_open;
CREATE INDEX invoices_open ON clinic.invoices (issued_at)
  WHERE kind = 'invoice' AND status IN ('issued', 'partially_paid');
CREATE INDEX invoices_credit_notes ON clinic.invoices (credits_invoice_id) WHERE credits_invoice_id IS NOT NULL;

-- Lines: service, discount and tax; net, tax and amount computed by the database.
ALTER TABLE clinic.invoice_lines
  ADD COLUMN service_id bigint REFERENCES clinic.services (id),
  ADD COLUMN discount_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN tax_rate numeric(5,2) NOT NULL DEFAULT 0 CHECK (tax_rate BETWEEN 0 AND 100);
ALTER TABLE clinic.invoice_lines
  ADD CONSTRAINT lines_discount_within CHECK (discount_minor >= 0 AND discount_minor <= quantity * unit_price_minor);
ALTER TABLE clinic.invoice_lines DROP COLUMN amount_minor;
ALTER TABLE clinic.invoice_lines
  ADD COLUMN net_minor bigint GENERATED ALWAYS AS (quantity * unit_price_minor - discount_minor) STORED;
ALTER TABLE clinic.invoice_lines
  ADD COLUMN tax_minor bigint GENERATED ALWAYS AS (
    pg_catalog.round((quantity * unit_price_minor - discount_minor) * tax_rate / 100)::bigint) STORED;
ALTER TABLE clinic.invoice_lines
  ADD COLUMN amount_minor bigint GENERATED ALWAYS AS (
    quantity * unit_price_minor - discount_minor
    + pg_catalog.round((quantity * unit_price_minor - discount_minor) * tax_rate / 100)::bigint) STORED;

CREATE OR REPLACE FUNCTION clinic.keep_invoice_total() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    inv bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
  BEGIN
    IF (SELECT i.status FROM clinic.invoices i WHERE i.id = inv FOR UPDATE) <> 'draft'
       OR (TG_OP = 'UPDATE' AND OLD.invoice_id <> NEW.invoice_id) THEN
      RAISE EXCEPTION 'lines of an issued or void invoice cannot change: issue a credit note'
        USING ERRCODE = 'check_violation';
    END IF;
    UPDATE clinic.invoices i
       SET (total_minor, tax_minor) =
           (SELECT COALESCE(pg_catalog.sum(l.amount_minor), 0)::bigint, COALESCE(pg_catalog.sum(l.tax_minor), 0)::bigint
              FROM clinic.invoice_lines l WHERE l.invoice_id = inv)
     WHERE i.id = inv;
    RETURN NULL;
  END $$;

-- What an issued invoice's money says its status is.
CREATE FUNCTION clinic.invoice_status_of(p_total bigint, p_paid bigint, p_credited bigint) RETURNS text
  LANGUAGE sql IMMUTABLE
  SET search_path = ''
  RETURN CASE WHEN p_paid + p_credited >= p_total THEN 'paid'
              WHEN p_paid + p_credited > 0 THEN 'partially_paid'
              ELSE 'issued' END;
GRANT EXECUTE ON FUNCTION clinic.invoice_status_of(bigint, bigint, bigint)
  TO clinic_admin, clinic_doctor, clinic_receptionist, clinic_accountant;

-- The status moves draft -> issued (then follows the money) or draft -> void; an issued invoice
-- may be voided only while nothing is paid or credited, a credit note only as a draft. Issue date,
-- kind and what a credit note credits are fixed, and a void invoice stays as it is.
CREATE OR REPLACE FUNCTION clinic.check_invoice() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    open_states constant text[] := '{issued,partially_paid,paid}';
  BEGIN
    IF TG_OP = 'INSERT' THEN
      IF NEW.total_minor <> 0 OR NEW.paid_minor <> 0 OR NEW.tax_minor <> 0 OR NEW.credited_minor <> 0 THEN
        RAISE EXCEPTION 'a new invoice has nothing charged or paid yet: add lines, then take payments'
          USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.status <> 'draft' THEN
        RAISE EXCEPTION 'a new invoice starts as a draft' USING ERRCODE = 'check_violation', COLUMN = 'status';
      END IF;
      RETURN NEW;
    END IF;
    IF (NEW.kind, NEW.credits_invoice_id, NEW.patient_id, NEW.currency, NEW.appointment_id)
       IS DISTINCT FROM (OLD.kind, OLD.credits_invoice_id, OLD.patient_id, OLD.currency, OLD.appointment_id)
       AND OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'an issued invoice never changes: issue a credit note' USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.status = 'void' THEN
      IF (NEW.status, NEW.due_on, NEW.void_reason, NEW.credit_reason)
         IS DISTINCT FROM (OLD.status, OLD.due_on, OLD.void_reason, OLD.credit_reason) THEN
        RAISE EXCEPTION 'a void invoice cannot change' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END IF;
    IF NEW.status = 'void' THEN
      IF OLD.status <> 'draft' AND (OLD.kind = 'credit_note' OR OLD.paid_minor <> 0 OR OLD.credited_minor <> 0) THEN
        RAISE EXCEPTION 'an invoice with payments or credit notes cannot be voided: refund the payments or issue a credit note'
          USING ERRCODE = 'check_violation', COLUMN = 'status';
      END IF;
    ELSIF OLD.status = 'draft' AND NEW.status <> 'draft' THEN
      IF NEW.issued_at IS NULL THEN
        NEW.issued_at := pg_catalog.now();
      END IF;
      NEW.status := clinic.invoice_status_of(NEW.total_minor, NEW.paid_minor, NEW.credited_minor);
    ELSIF OLD.status = ANY (open_states) THEN
      IF NEW.issued_at IS DISTINCT FROM OLD.issued_at THEN
        RAISE EXCEPTION 'the issue date of an issued invoice cannot change'
          USING ERRCODE = 'check_violation', COLUMN = 'issued_at';
      END IF;
      -- Whatever was written, the money decides.
      NEW.status := clinic.invoice_status_of(NEW.total_minor, NEW.paid_minor, NEW.credited_minor);
    END IF;
    IF NEW.kind = 'credit_note' AND NEW.status = ANY (open_states) THEN
      NEW.status := 'issued';
    END IF;
    RETURN NEW;
  END $$;

-- A credit note, once issued, takes its total off the invoice it corrects; what that invoice had
-- been paid beyond what it now owes becomes the patient's credit.
CREATE TABLE clinic.patient_credit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id bigint NOT NULL REFERENCES clinic.patients (id),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- Positive when credit arises, negative when it is used or paid back.
  amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
  kind text NOT NULL CHECK (kind IN ('overpayment', 'credit_note', 'applied', 'refunded')),
  payment_id bigint REFERENCES clinic.payments (id),
  invoice_id bigint REFERENCES clinic.invoices (id),
  -- How credit paid back left the clinic.
  method text CHECK (method IN ('cash', 'card', 'bank_transfer', 'insurance', 'other')),
  reference text CHECK (pg_catalog.length(reference) <= 100),
  idempotency_key uuid UNIQUE,
  at timestamptz NOT NULL DEFAULT now(),
  by_staff bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id(),
  CHECK ((kind IN ('overpayment', 'credit_note')) = (amount_minor > 0)),
  CHECK ((kind = 'refunded') = (method IS NOT NULL AND idempotency_key IS NOT NULL)),
  CHECK (kind NOT IN ('overpayment', 'applied') OR payment_id IS NOT NULL),
  CHECK (kind <> 'credit_note' OR invoice_id IS NOT NULL)
);
CREATE INDEX patient_credit_patient ON clinic.patient_credit (patient_id, currency);
CREATE TRIGGER patient_credit_no_change BEFORE UPDATE OR DELETE ON clinic.patient_credit
  FOR EACH ROW EXECUTE FUNCTION clinic.payments_are_append_only();
CREATE TRIGGER patient_credit_audit AFTER INSERT ON clinic.patient_credit
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');
ALTER TABLE clinic.patient_credit ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.patient_credit FORCE ROW LEVEL SECURITY;
-- Written only by the payment triggers and clinic.refund_credit; read by who reads payments.
GRANT SELECT ON clinic.patient_credit TO clinic_accountant, clinic_receptionist, clinic_admin;
CREATE POLICY patient_credit_read ON clinic.patient_credit FOR SELECT
  TO clinic_accountant, clinic_receptionist, clinic_admin USING (true);
CREATE POLICY patient_credit_owner ON clinic.patient_credit TO clinic_owner USING (true) WITH CHECK (true);

-- Moves of one patient's credit, one at a time (a lock for the length of the moving transaction,
-- on that patient's credit only).
CREATE FUNCTION clinic.lock_patient_credit(p_patient_id bigint) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('clinic.patient_credit:' || p_patient_id, 0));
    RETURN p_patient_id;
  END $$;

CREATE FUNCTION clinic.credit_balance(p_patient_id bigint, p_currency text) RETURNS bigint
  LANGUAGE sql STABLE
  SET search_path = ''
  RETURN (SELECT COALESCE(pg_catalog.sum(c.amount_minor), 0)::bigint FROM clinic.patient_credit c
           WHERE c.patient_id = p_patient_id AND c.currency = p_currency);
GRANT EXECUTE ON FUNCTION clinic.credit_balance(bigint, text) TO clinic_accountant, clinic_receptionist, clinic_admin;

CREATE FUNCTION clinic.apply_credit_note() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    orig clinic.invoices;
    excess bigint;
  BEGIN
    SELECT * INTO orig FROM clinic.invoices i WHERE i.id = NEW.credits_invoice_id FOR UPDATE;
    IF orig.kind <> 'invoice' OR orig.status NOT IN ('issued', 'partially_paid', 'paid') THEN
      RAISE EXCEPTION 'a credit note corrects an issued invoice' USING ERRCODE = 'check_violation';
    END IF;
    IF (orig.patient_id, orig.currency) IS DISTINCT FROM (NEW.patient_id, NEW.currency) THEN
      RAISE EXCEPTION 'a credit note is for the patient and currency of its invoice' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.total_minor = 0 THEN
      RAISE EXCEPTION 'a credit note credits something: give it a line' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.total_minor > orig.total_minor - orig.credited_minor THEN
      RAISE EXCEPTION 'a credit note cannot credit more than is left of its invoice (% minor units)',
        orig.total_minor - orig.credited_minor USING ERRCODE = 'check_violation';
    END IF;
    excess := GREATEST(orig.paid_minor + orig.credited_minor + NEW.total_minor - orig.total_minor, 0);
    UPDATE clinic.invoices i
       SET credited_minor = i.credited_minor + NEW.total_minor, paid_minor = i.paid_minor - excess
     WHERE i.id = orig.id;
    IF excess > 0 THEN
      PERFORM clinic.lock_patient_credit(orig.patient_id);
      INSERT INTO clinic.patient_credit (patient_id, currency, amount_minor, kind, invoice_id)
      VALUES (orig.patient_id, orig.currency, excess, 'credit_note', NEW.id);
    END IF;
    RETURN NULL;
  END $$;
CREATE TRIGGER invoices_credit_note AFTER UPDATE OF status ON clinic.invoices
  FOR EACH ROW WHEN (NEW.kind = 'credit_note' AND OLD.status = 'draft' AND NEW.status = 'issued')
  EXECUTE FUNCTION clinic.apply_credit_note();

-- Payments: what part of the money the invoice still owed (applied), and credit used or arising.
ALTER TABLE clinic.payments DROP CONSTRAINT payments_method_check;
ALTER TABLE clinic.payments ADD CONSTRAINT payments_method_check
  CHECK (method IN ('cash', 'card', 'bank_transfer', 'insurance', 'credit', 'other'));
ALTER TABLE clinic.payments ADD COLUMN applied_minor bigint;
ALTER TABLE clinic.payments DISABLE TRIGGER USER;
UPDATE clinic.payments SET applied_minor = amount_minor;
ALTER TABLE clinic.payments ENABLE TRIGGER USER;
ALTER TABLE clinic.payments ALTER COLUMN applied_minor SET NOT NULL;
ALTER TABLE clinic.payments
  ADD CONSTRAINT payments_applied_within CHECK (
    CASE WHEN kind = 'payment' THEN applied_minor BETWEEN 0 AND amount_minor ELSE applied_minor = amount_minor END),
  ADD CONSTRAINT payments_credit_is_used_whole CHECK (method <> 'credit' OR (kind = 'payment' AND applied_minor = amount_minor));

CREATE FUNCTION clinic.take_payment() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    inv clinic.invoices;
    owed bigint;
    credit bigint;
  BEGIN
    SELECT * INTO inv FROM clinic.invoices i WHERE i.id = NEW.invoice_id FOR UPDATE;
    IF NOT FOUND OR inv.kind <> 'invoice' OR inv.status NOT IN ('issued', 'partially_paid', 'paid') THEN
      RAISE EXCEPTION 'payments can only be taken on an issued invoice' USING ERRCODE = 'check_violation';
    END IF;
    owed := inv.total_minor - inv.paid_minor - inv.credited_minor;
    IF NEW.kind = 'refund' THEN
      IF NEW.method = 'credit' THEN
        RAISE EXCEPTION 'a refund is paid back as money: cash, card, bank transfer or insurance'
          USING ERRCODE = 'check_violation', COLUMN = 'method';
      END IF;
      IF -NEW.amount_minor > inv.paid_minor THEN
        RAISE EXCEPTION 'a refund cannot be more than the invoice was paid (% minor units)', inv.paid_minor
          USING ERRCODE = 'check_violation', COLUMN = 'amount_minor';
      END IF;
      NEW.applied_minor := NEW.amount_minor;
    ELSIF NEW.method = 'credit' THEN
      PERFORM clinic.lock_patient_credit(inv.patient_id);
      credit := clinic.credit_balance(inv.patient_id, inv.currency);
      IF NEW.amount_minor > credit THEN
        RAISE EXCEPTION 'the patient has % minor units of credit, not %', credit, NEW.amount_minor
          USING ERRCODE = 'check_violation', COLUMN = 'amount_minor';
      END IF;
      IF NEW.amount_minor > owed THEN
        RAISE EXCEPTION 'the invoice owes % minor units: credit pays no more than that', owed
          USING ERRCODE = 'check_violation', COLUMN = 'amount_minor';
      END IF;
      NEW.applied_minor := NEW.amount_minor;
    ELSE
      NEW.applied_minor := LEAST(NEW.amount_minor, GREATEST(owed, 0));
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER payments_take BEFORE INSERT ON clinic.payments
  FOR EACH ROW EXECUTE FUNCTION clinic.take_payment();

CREATE OR REPLACE FUNCTION clinic.apply_payment() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    inv clinic.invoices;
  BEGIN
    UPDATE clinic.invoices i SET paid_minor = i.paid_minor + NEW.applied_minor
     WHERE i.id = NEW.invoice_id
    RETURNING * INTO inv;
    IF NEW.amount_minor > NEW.applied_minor AND NEW.method <> 'credit' THEN
      PERFORM clinic.lock_patient_credit(inv.patient_id);
      INSERT INTO clinic.patient_credit (patient_id, currency, amount_minor, kind, payment_id)
      VALUES (inv.patient_id, inv.currency, NEW.amount_minor - NEW.applied_minor, 'overpayment', NEW.id);
    ELSIF NEW.method = 'credit' THEN
      INSERT INTO clinic.patient_credit (patient_id, currency, amount_minor, kind, payment_id)
      VALUES (inv.patient_id, inv.currency, -NEW.amount_minor, 'applied', NEW.id);
    END IF;
    RETURN NULL;
  END $$;

-- What a payment (or refund) recorded: how much of it went to the invoice and how much became credit.
CREATE TYPE clinic.payment_receipt AS (
  payment_id bigint,
  invoice_id bigint,
  amount_minor bigint,
  applied_minor bigint,
  credit_minor bigint,
  method text,
  received_at timestamptz
);

-- Take a payment (amount > 0) on an issued invoice. The same idempotency key again records
-- nothing and answers with the payment it recorded the first time; the key used for another
-- payment is refused. Runs with the caller's rights: the desk may take payments, accounts also
-- refunds (record_refund), nobody else either.
CREATE FUNCTION clinic.record_payment(p_invoice_id bigint, p_amount_minor bigint, p_method text,
                                      p_reference text, p_idempotency_key uuid)
  RETURNS clinic.payment_receipt
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF p_amount_minor IS NULL OR p_amount_minor <= 0 THEN
      RAISE EXCEPTION 'a payment is more than nothing: a refund is recorded as a refund'
        USING ERRCODE = 'check_violation', COLUMN = 'amount_minor';
    END IF;
    RETURN clinic.record_money(p_invoice_id, 'payment', p_amount_minor, p_method, p_reference, p_idempotency_key);
  END $$;

CREATE FUNCTION clinic.record_refund(p_invoice_id bigint, p_amount_minor bigint, p_method text,
                                     p_reference text, p_idempotency_key uuid)
  RETURNS clinic.payment_receipt
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF p_amount_minor IS NULL OR p_amount_minor <= 0 THEN
      RAISE EXCEPTION 'type the amount paid back, more than nothing'
        USING ERRCODE = 'check_violation', COLUMN = 'amount_minor';
    END IF;
    RETURN clinic.record_money(p_invoice_id, 'refund', -p_amount_minor, p_method, p_reference, p_idempotency_key);
  END $$;

CREATE FUNCTION clinic.record_money(p_invoice_id bigint, p_kind text, p_amount_minor bigint, p_method text,
                                    p_reference text, p_idempotency_key uuid)
  RETURNS clinic.payment_receipt
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    p clinic.payments;
  BEGIN
    IF p_idempotency_key IS NULL THEN
      RAISE EXCEPTION 'a payment carries an idempotency key' USING ERRCODE = 'not_null_violation';
    END IF;
    -- A retry finds the first answer before anything is checked again.
    SELECT * INTO p FROM clinic.payments x WHERE x.idempotency_key = p_idempotency_key;
    IF p.id IS NULL THEN
      INSERT INTO clinic.payments (invoice_id, kind, amount_minor, method, reference, idempotency_key)
      VALUES (p_invoice_id, p_kind, p_amount_minor, p_method, NULLIF(pg_catalog.btrim(p_reference), ''), p_idempotency_key)
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING * INTO p;
    END IF;
    IF p.id IS NULL THEN
      -- The same key raced in from another connection and won.
      SELECT * INTO p FROM clinic.payments x WHERE x.idempotency_key = p_idempotency_key;
    END IF;
    IF p.id IS NOT NULL THEN
      IF (p.invoice_id, p.kind, p.amount_minor, p.method) IS DISTINCT FROM (p_invoice_id, p_kind, p_amount_minor, p_method) THEN
        RAISE EXCEPTION 'that idempotency key belongs to another payment' USING ERRCODE = 'unique_violation';
      END IF;
    END IF;
    RETURN ROW(p.id, p.invoice_id, p.amount_minor, p.applied_minor,
               CASE WHEN p.method = 'credit' THEN 0 ELSE p.amount_minor - p.applied_minor END,
               p.method, p.received_at)::clinic.payment_receipt;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.record_money(bigint, text, bigint, text, text, uuid) TO clinic_accountant, clinic_receptionist;
GRANT EXECUTE ON FUNCTION clinic.record_payment(bigint, bigint, text, text, uuid) TO clinic_accountant, clinic_receptionist;
GRANT EXECUTE ON FUNCTION clinic.record_refund(bigint, bigint, text, text, uuid) TO clinic_accountant;

-- Pay a patient's credit back: accounts only, never more than the credit, once per key.
CREATE FUNCTION clinic.refund_credit(p_patient_id bigint, p_currency text, p_amount_minor bigint, p_method text,
                                     p_reference text, p_idempotency_key uuid)
  RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    entry clinic.patient_credit;
    credit bigint;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_accountant', 'MEMBER') THEN
      RAISE EXCEPTION 'only accounts pay credit back' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_amount_minor IS NULL OR p_amount_minor <= 0 OR p_idempotency_key IS NULL THEN
      RAISE EXCEPTION 'type the amount paid back, more than nothing' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO entry FROM clinic.patient_credit c WHERE c.idempotency_key = p_idempotency_key;
    IF FOUND THEN
      IF (entry.patient_id, entry.currency, entry.amount_minor, entry.method)
         IS DISTINCT FROM (p_patient_id, p_currency, -p_amount_minor, p_method) THEN
        RAISE EXCEPTION 'that idempotency key belongs to another refund' USING ERRCODE = 'unique_violation';
      END IF;
      RETURN entry.id;
    END IF;
    PERFORM clinic.lock_patient_credit(p_patient_id);
    credit := clinic.credit_balance(p_patient_id, p_currency);
    IF p_amount_minor > credit THEN
      RAISE EXCEPTION 'the patient has % minor units of credit, not %', credit, p_amount_minor
        USING ERRCODE = 'check_violation', COLUMN = 'amount_minor';
    END IF;
    INSERT INTO clinic.patient_credit (patient_id, currency, amount_minor, kind, method, reference, idempotency_key)
    VALUES (p_patient_id, p_currency, -p_amount_minor, 'refunded', p_method, NULLIF(pg_catalog.btrim(p_reference), ''),
            p_idempotency_key)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING * INTO entry;
    IF entry.id IS NULL THEN
      SELECT * INTO entry FROM clinic.patient_credit c WHERE c.idempotency_key = p_idempotency_key;
    END IF;
    RETURN entry.id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.refund_credit(bigint, text, bigint, text, text, uuid) TO clinic_accountant;

-- Issue a draft: issue date now, the due date given, and its number at once when the numberer is
-- free (otherwise the next clinic.number_invoices() gives it). The invoice's number, or NULL.
CREATE FUNCTION clinic.issue_invoice(p_invoice_id bigint, p_due_on date) RETURNS text
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    n text;
  BEGIN
    UPDATE clinic.invoices i SET status = 'issued', issued_at = pg_catalog.now(), due_on = p_due_on
     WHERE i.id = p_invoice_id AND i.status = 'draft';
    IF NOT FOUND THEN
      RAISE EXCEPTION 'only a draft is issued, and this one is not (or is not yours to see)'
        USING ERRCODE = 'check_violation';
    END IF;
    PERFORM clinic.number_invoices();
    SELECT i.invoice_number INTO n FROM clinic.invoices i WHERE i.id = p_invoice_id;
    RETURN n;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.issue_invoice(bigint, date) TO clinic_accountant;

-- A draft invoice for a completed appointment, with the services its reason suggests at the prices
-- of its day. The new invoice's id.
CREATE FUNCTION clinic.invoice_appointment(p_appointment_id bigint, p_currency text) RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    appt record;
    inv bigint;
    existing text;
  BEGIN
    SELECT a.id, a.patient_id, a.status INTO appt FROM clinic.appointments a WHERE a.id = p_appointment_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no such appointment' USING ERRCODE = 'no_data_found';
    END IF;
    IF appt.status <> 'completed' THEN
      RAISE EXCEPTION 'only a completed appointment is invoiced (this one is %)', pg_catalog.replace(appt.status, '_', ' ')
        USING ERRCODE = 'check_violation';
    END IF;
    SELECT COALESCE(i.invoice_number, 'a draft') INTO existing FROM clinic.invoices i
     WHERE i.appointment_id = p_appointment_id AND i.kind = 'invoice' AND i.status <> 'void';
    IF FOUND THEN
      RAISE EXCEPTION 'this appointment is invoiced already (%)', existing USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO clinic.invoices (patient_id, appointment_id, currency)
    VALUES (appt.patient_id, appt.id, p_currency) RETURNING id INTO inv;
    INSERT INTO clinic.invoice_lines (invoice_id, service_id, description, quantity, unit_price_minor, tax_rate)
    SELECT inv, s.id, s.description, 1, s.price_minor, s.tax_rate
      FROM clinic.suggest_services(p_appointment_id) s
     WHERE s.currency = p_currency;
    RETURN inv;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.invoice_appointment(bigint, text) TO clinic_accountant;

-- A day's completed appointments not yet invoiced, with what their invoices would hold: for the
-- preview before invoicing them all. No appointment reason is shown.
CREATE FUNCTION clinic.uninvoiced_appointments(p_day date, p_currency text)
  RETURNS TABLE (appointment_id bigint, starts_at timestamptz, patient_id bigint, patient_name text,
                 doctor_name text, services text, total_minor bigint)
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    SELECT a.id, a.starts_at, a.patient_id, p.family_name || ', ' || p.given_names, d.full_name,
           COALESCE((SELECT pg_catalog.string_agg(s.code, ' ' ORDER BY s.code)
                       FROM clinic.suggest_services(a.id) s WHERE s.currency = p_currency), ''),
           COALESCE((SELECT pg_catalog.sum(s.price_minor
                              + pg_catalog.round(s.price_minor * s.tax_rate / 100)::bigint)::bigint
                       FROM clinic.suggest_services(a.id) s WHERE s.currency = p_currency), 0)
      FROM clinic.appointments a
      JOIN clinic.patients p ON p.id = a.patient_id
      JOIN clinic.staff d ON d.id = a.doctor_id
     WHERE a.status = 'completed'
       AND a.starts_at >= (p_day::timestamp AT TIME ZONE clinic.clinic_time_zone())
       AND a.starts_at < ((p_day + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())
       AND NOT EXISTS (SELECT FROM clinic.invoices i
                        WHERE i.appointment_id = a.id AND i.kind = 'invoice' AND i.status <> 'void')
     ORDER BY a.starts_at, a.id
  $$;
GRANT EXECUTE ON FUNCTION clinic.uninvoiced_appointments(date, text) TO clinic_accountant;

-- Invoice and issue the previewed appointments (those still uninvoiced and with a service; the
-- rest are left for invoicing by hand). The new invoices' ids.
CREATE FUNCTION clinic.invoice_appointments(p_appointment_ids bigint[], p_currency text, p_due_on date)
  RETURNS SETOF bigint
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    a bigint;
    inv bigint;
  BEGIN
    FOR a IN SELECT x.id FROM clinic.appointments x
              WHERE x.id = ANY (p_appointment_ids) AND x.status = 'completed'
                AND NOT EXISTS (SELECT FROM clinic.invoices i
                                 WHERE i.appointment_id = x.id AND i.kind = 'invoice' AND i.status <> 'void')
                AND EXISTS (SELECT FROM clinic.suggest_services(x.id) s WHERE s.currency = p_currency)
              ORDER BY x.starts_at, x.id LOOP
      inv := clinic.invoice_appointment(a, p_currency);
      UPDATE clinic.invoices i SET status = 'issued', issued_at = pg_catalog.now(), due_on = p_due_on
       WHERE i.id = inv;
      RETURN NEXT inv;
    END LOOP;
    PERFORM clinic.number_invoices();
  END $$;
GRANT EXECUTE ON FUNCTION clinic.invoice_appointments(bigint[], text, date) TO clinic_accountant;

-- A draft credit note for an issued invoice, holding all its lines (reduce or remove them for a
-- partial credit, then issue it). The credit note's id.
CREATE FUNCTION clinic.credit_note(p_invoice_id bigint, p_reason text) RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    orig clinic.invoices;
    cn bigint;
  BEGIN
    SELECT * INTO orig FROM clinic.invoices i WHERE i.id = p_invoice_id;
    IF NOT FOUND OR orig.kind <> 'invoice' OR orig.status NOT IN ('issued', 'partially_paid', 'paid') THEN
      RAISE EXCEPTION 'a credit note corrects an issued invoice' USING ERRCODE = 'check_violation';
    END IF;
    IF p_reason IS NULL OR pg_catalog.btrim(p_reason) = '' THEN
      RAISE EXCEPTION 'say why the invoice is credited' USING ERRCODE = 'check_violation', COLUMN = 'credit_reason';
    END IF;
    INSERT INTO clinic.invoices (patient_id, currency, kind, credits_invoice_id, credit_reason)
    VALUES (orig.patient_id, orig.currency, 'credit_note', orig.id, pg_catalog.btrim(p_reason))
    RETURNING id INTO cn;
    INSERT INTO clinic.invoice_lines (invoice_id, service_id, description, quantity, unit_price_minor, discount_minor, tax_rate)
    SELECT cn, l.service_id, l.description, l.quantity, l.unit_price_minor, l.discount_minor, l.tax_rate
      FROM clinic.invoice_lines l WHERE l.invoice_id = orig.id ORDER BY l.id;
    RETURN cn;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.credit_note(bigint, text) TO clinic_accountant;

-- The invoices of before get the status their money says.
ALTER TABLE clinic.invoices DISABLE TRIGGER USER;
UPDATE clinic.invoices i SET status = clinic.invoice_status_of(i.total_minor, i.paid_minor, i.credited_minor)
 WHERE i.status = 'issued';
ALTER TABLE clinic.invoices ENABLE TRIGGER USER;
