-- Bank statement reconciliation (issue 9, item 4). A statement's money-in lines are staged here
-- with one call, matched to open invoices in sets (never a round trip per line), and reviewed by
-- the accounts office one keystroke at a time:
--
-- * Each line has a key: the bank's own entry reference when the file carries one (CAMT.053), or
--   a digest of its day, amount, text and payer with its occurrence in the file (CSV). The key is
--   unique, so importing the same file again, or one that overlaps, records nothing twice.
-- * Suggestions, each with a confidence: an invoice number in the text (99 when the amount is
--   what is owed, 90 when not); else a payer whose words hold the family name of a patient with an
--   open invoice of exactly that amount (50-95 by how alike the names are); else the one open
--   invoice of exactly that amount (30). Ties are not guessed at.
-- * Accepting records a bank-transfer payment through clinic.record_payment with a key derived
--   from the line, so a retried accept records it once; a split records several. A line can be
--   marked "not ours" (someone else's money) and opened again. Nothing here is deleted.
SET LOCAL ROLE clinic_owner;

CREATE TABLE clinic.bank_statements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL CHECK (pg_catalog.length(source) BETWEEN 1 AND 200),
  format text NOT NULL CHECK (format IN ('csv', 'camt053')),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  -- Money-in lines in the file; those new to the books are the lines that name it.
  lines_read integer NOT NULL CHECK (lines_read >= 0),
  imported_at timestamptz NOT NULL DEFAULT now(),
  imported_by bigint REFERENCES clinic.staff (id) DEFAULT clinic.current_staff_id()
);

CREATE TABLE clinic.bank_lines (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  statement_id bigint NOT NULL REFERENCES clinic.bank_statements (id),
  line_key text NOT NULL UNIQUE CHECK (pg_catalog.length(line_key) BETWEEN 1 AND 300),
  -- Where it was in its file (the first file it came in), for the person comparing.
  line_no integer NOT NULL CHECK (line_no > 0),
  booked_on date NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  reference text NOT NULL DEFAULT '' CHECK (pg_catalog.length(reference) <= 500),
  payer text NOT NULL DEFAULT '' CHECK (pg_catalog.length(payer) <= 200),
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'matched', 'not_ours')),
  suggested_invoice_id bigint REFERENCES clinic.invoices (id),
  confidence smallint CHECK (confidence BETWEEN 0 AND 100),
  rule text CHECK (rule IN ('number', 'name_amount', 'amount', 'chosen')),
  resolved_at timestamptz,
  resolved_by bigint REFERENCES clinic.staff (id),
  CHECK ((suggested_invoice_id IS NULL) = (confidence IS NULL) AND (confidence IS NULL) = (rule IS NULL))
);
CREATE INDEX bank_lines_open ON clinic.bank_lines (booked_on, id) WHERE state = 'open';

-- The payments a line became (several when it was split).
CREATE TABLE clinic.bank_line_payments (
  bank_line_id bigint NOT NULL REFERENCES clinic.bank_lines (id),
  payment_id bigint NOT NULL REFERENCES clinic.payments (id),
  PRIMARY KEY (bank_line_id, payment_id)
);

-- What an open invoice still owes, indexed for matching by amount.
CREATE INDEX invoices_open_owed ON clinic.invoices ((total_minor - paid_minor - credited_minor))
  WHERE kind = 'invoice' AND status IN ('issued', 'partially_paid');

ALTER TABLE clinic.bank_statements ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.bank_statements FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.bank_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.bank_lines FORCE ROW LEVEL SECURITY;
ALTER TABLE clinic.bank_line_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.bank_line_payments FORCE ROW LEVEL SECURITY;

-- The accounts office reads, and writes only through the functions below (security definer,
-- each checking the caller is the accounts office), so no line is staged already matched, tied
-- to someone else's payment or resolved in another person's name; admins read.
GRANT SELECT ON clinic.bank_statements, clinic.bank_lines, clinic.bank_line_payments
  TO clinic_accountant, clinic_admin;
CREATE POLICY bank_statements_accounts ON clinic.bank_statements TO clinic_accountant
  USING (true) WITH CHECK (imported_by = (SELECT clinic.current_staff_id()));
CREATE POLICY bank_statements_admin ON clinic.bank_statements FOR SELECT TO clinic_admin USING (true);
CREATE POLICY bank_statements_owner ON clinic.bank_statements TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY bank_lines_accounts ON clinic.bank_lines TO clinic_accountant USING (true) WITH CHECK (true);
CREATE POLICY bank_lines_admin ON clinic.bank_lines FOR SELECT TO clinic_admin USING (true);
CREATE POLICY bank_lines_owner ON clinic.bank_lines TO clinic_owner USING (true) WITH CHECK (true);
CREATE POLICY bank_line_payments_accounts ON clinic.bank_line_payments TO clinic_accountant USING (true) WITH CHECK (true);
CREATE POLICY bank_line_payments_admin ON clinic.bank_line_payments FOR SELECT TO clinic_admin USING (true);
CREATE POLICY bank_line_payments_owner ON clinic.bank_line_payments TO clinic_owner USING (true) WITH CHECK (true);

-- A line's state changes only as review allows: open -> matched (through accepting) or
-- not_ours, not_ours -> open; a matched line stays matched.
CREATE FUNCTION clinic.check_bank_line() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF (NEW.statement_id, NEW.line_key, NEW.line_no, NEW.booked_on, NEW.amount_minor, NEW.currency,
        NEW.reference, NEW.payer)
       IS DISTINCT FROM (OLD.statement_id, OLD.line_key, OLD.line_no, OLD.booked_on, OLD.amount_minor,
                         OLD.currency, OLD.reference, OLD.payer) THEN
      RAISE EXCEPTION 'a bank line is as the bank wrote it' USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.state = 'matched' AND NEW.state <> 'matched' THEN
      RAISE EXCEPTION 'this line is matched already: its payments stand (refund them to undo)'
        USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.state = 'matched' AND OLD.state <> 'matched'
       AND NOT EXISTS (SELECT FROM clinic.bank_line_payments b WHERE b.bank_line_id = NEW.id) THEN
      RAISE EXCEPTION 'a line is matched by accepting it onto invoices' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$;
CREATE TRIGGER bank_lines_check BEFORE UPDATE ON clinic.bank_lines
  FOR EACH ROW EXECUTE FUNCTION clinic.check_bank_line();
-- Who imported what is the statement's entry; who resolved a line is the line's (its payments
-- have their own). The suggestions are the matcher's, not a person's, and are not entries.
CREATE TRIGGER bank_statements_audit AFTER INSERT ON clinic.bank_statements
  FOR EACH ROW EXECUTE FUNCTION clinic.audit_write('patient_id');
CREATE TRIGGER bank_lines_audit AFTER UPDATE OF state ON clinic.bank_lines
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION clinic.audit_write('suggested_invoice_id', 'invoices');
CREATE FUNCTION clinic.bank_rows_are_kept() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    RAISE EXCEPTION 'statements and what they became are kept' USING ERRCODE = 'check_violation';
  END $$;
CREATE TRIGGER bank_lines_kept BEFORE DELETE ON clinic.bank_lines
  FOR EACH ROW EXECUTE FUNCTION clinic.bank_rows_are_kept();
CREATE TRIGGER bank_statements_kept BEFORE UPDATE OR DELETE ON clinic.bank_statements
  FOR EACH ROW EXECUTE FUNCTION clinic.bank_rows_are_kept();
CREATE TRIGGER bank_line_payments_kept BEFORE UPDATE OR DELETE ON clinic.bank_line_payments
  FOR EACH ROW EXECUTE FUNCTION clinic.bank_rows_are_kept();

-- Suggest an invoice for the open lines of `p_statement_id` (all open lines when NULL) that have
-- none, in three set-based passes. The number of lines given a suggestion per rule.
CREATE FUNCTION clinic.match_bank_lines(p_statement_id bigint,
                                        OUT by_number integer, OUT by_name integer, OUT by_amount integer)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  -- Compiling the plans costs more than running them; the open invoices' hash fits in memory.
  SET jit = off
  SET work_mem = '128MB'
  AS $$
  DECLARE
    waiting bigint;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_accountant', 'MEMBER') THEN
      RAISE EXCEPTION 'only the accounts office reconciles statements' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- An invoice number is a probe of its unique index per number found, never a scan.
    WITH found AS (
      SELECT DISTINCT ON (l.id) l.id AS line_id, i.id AS invoice_id,
             CASE WHEN i.owed = l.amount_minor THEN 99 ELSE 90 END AS c
        FROM clinic.bank_lines l
        CROSS JOIN LATERAL pg_catalog.regexp_matches(l.reference, '\m([0-9]{4}-[0-9]{6})\M', 'g') AS m(n)
        CROSS JOIN LATERAL (
          SELECT x.id, x.total_minor - x.paid_minor - x.credited_minor AS owed
            FROM clinic.invoices x
           WHERE x.invoice_number = m.n[1] AND x.kind = 'invoice'
             AND x.status IN ('issued', 'partially_paid') AND x.currency = l.currency
           LIMIT 1) i
       WHERE l.state = 'open' AND l.suggested_invoice_id IS NULL
         AND (p_statement_id IS NULL OR l.statement_id = p_statement_id)
       ORDER BY l.id, c DESC, i.id
    )
    UPDATE clinic.bank_lines l SET suggested_invoice_id = f.invoice_id, confidence = f.c, rule = 'number'
      FROM found f WHERE l.id = f.line_id;
    GET DIAGNOSTICS by_number = ROW_COUNT;

    -- For a large statement, hash joins whatever the statistics of lines staged a moment ago say:
    -- the cost is then one pass over the open invoices, not lines x patients sharing a family
    -- name. A few lines are cheaper probed one by one through the indexes.
    SELECT pg_catalog.count(*) INTO waiting FROM clinic.bank_lines l
     WHERE l.state = 'open' AND l.suggested_invoice_id IS NULL AND l.payer <> ''
       AND (p_statement_id IS NULL OR l.statement_id = p_statement_id);
    IF waiting >= 200 THEN
      PERFORM pg_catalog.set_config('enable_nestloop', 'off', true);
      PERFORM pg_catalog.set_config('enable_mergejoin', 'off', true);
      PERFORM pg_catalog.set_config('join_collapse_limit', '1', true);
    END IF;
    WITH words AS MATERIALIZED (
      SELECT l.id AS line_id, l.amount_minor, l.currency, clinic.fold(l.payer) AS payer, w
        FROM clinic.bank_lines l
        CROSS JOIN LATERAL pg_catalog.regexp_split_to_table(clinic.fold(l.payer), '[^[:alpha:]]+') AS w
       WHERE l.state = 'open' AND l.suggested_invoice_id IS NULL AND l.payer <> ''
         AND (p_statement_id IS NULL OR l.statement_id = p_statement_id)
         AND pg_catalog.length(w) >= 2
    ), candidates AS (
      -- In this order (join_collapse_limit 1): the open invoices with their patients, then the
      -- payer's words by family name and amount.
      SELECT DISTINCT w.line_id, i.id AS invoice_id, ext.similarity(p.name_folded, w.payer) AS alike
        FROM clinic.invoices i
        JOIN (SELECT x.id, x.family_folded, x.name_folded FROM clinic.patients x
               WHERE x.family_folded IN (SELECT DISTINCT v.w FROM words v)) p ON p.id = i.patient_id
        JOIN words w ON w.w = p.family_folded
                    AND w.amount_minor = i.total_minor - i.paid_minor - i.credited_minor
                    AND w.currency = i.currency
       WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
    ), best AS (
      SELECT c.line_id, c.invoice_id, c.alike,
             pg_catalog.row_number() OVER (PARTITION BY c.line_id ORDER BY c.alike DESC, c.invoice_id) AS rank,
             pg_catalog.count(*) OVER (PARTITION BY c.line_id) AS n,
             pg_catalog.lead(c.alike) OVER (PARTITION BY c.line_id ORDER BY c.alike DESC, c.invoice_id) AS next_alike
        FROM candidates c
    )
    UPDATE clinic.bank_lines l
       SET suggested_invoice_id = b.invoice_id,
           confidence = LEAST(95, 50 + pg_catalog.round(45 * b.alike)::integer),
           rule = 'name_amount'
      FROM best b
     WHERE l.id = b.line_id AND b.rank = 1 AND (b.n = 1 OR b.next_alike < b.alike);
    GET DIAGNOSTICS by_name = ROW_COUNT;
    PERFORM pg_catalog.set_config('enable_nestloop', 'on', true);
    PERFORM pg_catalog.set_config('enable_mergejoin', 'on', true);
    PERFORM pg_catalog.set_config('join_collapse_limit', '8', true);

    WITH single AS (
      SELECT l.id AS line_id, pg_catalog.min(o.id) AS invoice_id, pg_catalog.count(*) AS n
        FROM clinic.bank_lines l
        CROSS JOIN LATERAL (
          SELECT i.id FROM clinic.invoices i
           WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
             AND i.total_minor - i.paid_minor - i.credited_minor = l.amount_minor
             AND i.currency = l.currency
           LIMIT 2) o
       WHERE l.state = 'open' AND l.suggested_invoice_id IS NULL
         AND (p_statement_id IS NULL OR l.statement_id = p_statement_id)
       GROUP BY l.id
    )
    UPDATE clinic.bank_lines l SET suggested_invoice_id = s.invoice_id, confidence = 30, rule = 'amount'
      FROM single s WHERE l.id = s.line_id AND s.n = 1;
    GET DIAGNOSTICS by_amount = ROW_COUNT;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.match_bank_lines(bigint) TO clinic_accountant;

-- What an import did.
CREATE TYPE clinic.statement_import AS (
  statement_id bigint,
  lines_read integer,
  lines_new integer,
  by_number integer,
  by_name integer,
  by_amount integer
);

-- Stage a parsed statement's money-in lines (parallel arrays, one element per line) and suggest
-- invoices for the new ones. Lines already imported (by their key) are left as they are.
CREATE FUNCTION clinic.import_bank_statement(p_source text, p_format text, p_currency text,
                                             p_keys text[], p_line_nos integer[], p_days date[],
                                             p_amounts bigint[], p_references text[], p_payers text[])
  RETURNS clinic.statement_import
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    n integer := COALESCE(pg_catalog.cardinality(p_keys), 0);
    out clinic.statement_import;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_accountant', 'MEMBER') THEN
      RAISE EXCEPTION 'only the accounts office reconciles statements' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF n <> COALESCE(pg_catalog.cardinality(p_line_nos), 0) OR n <> COALESCE(pg_catalog.cardinality(p_days), 0)
       OR n <> COALESCE(pg_catalog.cardinality(p_amounts), 0) OR n <> COALESCE(pg_catalog.cardinality(p_references), 0)
       OR n <> COALESCE(pg_catalog.cardinality(p_payers), 0) THEN
      RAISE EXCEPTION 'every line needs its key, number, day, amount, text and payer' USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO clinic.bank_statements (source, format, currency, lines_read)
    VALUES (p_source, p_format, p_currency, n) RETURNING id INTO out.statement_id;
    WITH added AS (
      INSERT INTO clinic.bank_lines (statement_id, line_key, line_no, booked_on, amount_minor, currency, reference, payer)
      SELECT out.statement_id, x.k, x.no, x.d, x.a, p_currency, COALESCE(x.r, ''), COALESCE(x.p, '')
        FROM ROWS FROM (pg_catalog.unnest(p_keys), pg_catalog.unnest(p_line_nos), pg_catalog.unnest(p_days),
                       pg_catalog.unnest(p_amounts), pg_catalog.unnest(p_references), pg_catalog.unnest(p_payers))
             AS x(k, no, d, a, r, p)
      ON CONFLICT (line_key) DO NOTHING
      RETURNING 1
    )
    SELECT pg_catalog.count(*) INTO out.lines_new FROM added;
    out.lines_read := n;
    SELECT m.by_number, m.by_name, m.by_amount INTO out.by_number, out.by_name, out.by_amount
      FROM clinic.match_bank_lines(out.statement_id) m;
    RETURN out;
  END $$;

GRANT EXECUTE ON FUNCTION clinic.import_bank_statement(text, text, text, text[], integer[], date[], bigint[], text[], text[])
  TO clinic_accountant;

-- Put a line's money on invoices: (invoice, amount) pairs that add up to the line. Each becomes a
-- bank-transfer payment through clinic.record_payment, keyed by the line and the invoice, so an
-- accept sent twice records each payment once. The payments' ids.
CREATE FUNCTION clinic.accept_bank_line(p_line_id bigint, p_invoice_ids bigint[], p_amounts bigint[])
  RETURNS SETOF bigint
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  DECLARE
    line clinic.bank_lines;
    receipt clinic.payment_receipt;
    k integer;
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_accountant', 'MEMBER') THEN
      RAISE EXCEPTION 'only the accounts office reconciles statements' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO line FROM clinic.bank_lines l WHERE l.id = p_line_id FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no such bank line' USING ERRCODE = 'no_data_found';
    END IF;
    IF line.state = 'not_ours' THEN
      RAISE EXCEPTION 'this line is marked not ours: open it again first' USING ERRCODE = 'check_violation';
    END IF;
    IF COALESCE(pg_catalog.cardinality(p_invoice_ids), 0) = 0
       OR pg_catalog.cardinality(p_invoice_ids) <> COALESCE(pg_catalog.cardinality(p_amounts), 0) THEN
      RAISE EXCEPTION 'say which invoices, with an amount for each' USING ERRCODE = 'check_violation';
    END IF;
    IF (SELECT pg_catalog.count(DISTINCT x) FROM pg_catalog.unnest(p_invoice_ids) AS x)
       <> pg_catalog.cardinality(p_invoice_ids) THEN
      RAISE EXCEPTION 'each invoice once: put the whole part for an invoice in one amount'
        USING ERRCODE = 'check_violation';
    END IF;
    IF (SELECT pg_catalog.sum(a) FROM pg_catalog.unnest(p_amounts) AS a) <> line.amount_minor
       OR EXISTS (SELECT FROM pg_catalog.unnest(p_amounts) AS a WHERE a <= 0) THEN
      RAISE EXCEPTION 'the parts must add up to the line''s amount, each more than nothing'
        USING ERRCODE = 'check_violation', COLUMN = 'amount_minor';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.unnest(p_invoice_ids) AS x
                 JOIN clinic.invoices i ON i.id = x WHERE i.currency <> line.currency) THEN
      RAISE EXCEPTION 'the line is in %: put it on invoices in %', line.currency, line.currency
        USING ERRCODE = 'check_violation';
    END IF;
    -- Matched already (a second desk, or a stale list): the same parts again answer with their
    -- payments; anything else would take the money twice.
    IF line.state = 'matched' THEN
      IF (SELECT pg_catalog.array_agg(pm.invoice_id || ':' || pm.amount_minor ORDER BY pm.invoice_id)
            FROM clinic.bank_line_payments b JOIN clinic.payments pm ON pm.id = b.payment_id
           WHERE b.bank_line_id = line.id)
         IS DISTINCT FROM
         (SELECT pg_catalog.array_agg(x.i || ':' || x.a ORDER BY x.i)
            FROM ROWS FROM (pg_catalog.unnest(p_invoice_ids), pg_catalog.unnest(p_amounts)) AS x(i, a)) THEN
        RAISE EXCEPTION 'this line is matched already, to other invoices: its payments stand'
          USING ERRCODE = 'unique_violation';
      END IF;
      RETURN QUERY SELECT b.payment_id FROM clinic.bank_line_payments b
                    WHERE b.bank_line_id = line.id ORDER BY b.payment_id;
      RETURN;
    END IF;
    FOR k IN 1 .. pg_catalog.cardinality(p_invoice_ids) LOOP
      receipt := clinic.record_payment(p_invoice_ids[k], p_amounts[k], 'bank_transfer',
                                       pg_catalog.left(line.reference, 100),
                                       pg_catalog.md5('bank:' || line.line_key || ':' || p_invoice_ids[k])::uuid);
      INSERT INTO clinic.bank_line_payments (bank_line_id, payment_id) VALUES (line.id, receipt.payment_id)
      ON CONFLICT DO NOTHING;
      RETURN NEXT receipt.payment_id;
    END LOOP;
    -- The invoice it went on is the line's from now on (its audit entry names that patient).
    UPDATE clinic.bank_lines l SET state = 'matched', resolved_at = pg_catalog.now(),
                                   resolved_by = clinic.current_staff_id(),
                                   suggested_invoice_id = p_invoice_ids[1], confidence = 100, rule = 'chosen'
     WHERE l.id = line.id;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.accept_bank_line(bigint, bigint[], bigint[]) TO clinic_accountant;

-- Someone else's money (not_ours), or back to the open list (open).
CREATE FUNCTION clinic.mark_bank_line(p_line_id bigint, p_state text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, 'clinic_accountant', 'MEMBER') THEN
      RAISE EXCEPTION 'only the accounts office reconciles statements' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_state NOT IN ('open', 'not_ours') THEN
      RAISE EXCEPTION 'a line is marked not ours or opened again' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE clinic.bank_lines l SET state = p_state, resolved_at = pg_catalog.now(),
                                   resolved_by = clinic.current_staff_id()
     WHERE l.id = p_line_id;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no such bank line' USING ERRCODE = 'no_data_found';
    END IF;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.mark_bank_line(bigint, text) TO clinic_accountant;
