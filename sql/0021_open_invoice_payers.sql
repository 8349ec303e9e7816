-- Matching a bank line by payer and amount, as an index probe per payer word.
--
-- The payer-and-amount rule of 0020 joined every open invoice with its patient to find the pairs
-- (family name, amount owed) a statement names: one pass over both tables per import, 1.5 s on a
-- million invoices whose patients share family names heavily, however few lines asked. Neither
-- table alone can answer it (the name is the patient's, the amount the invoice's), so the open
-- invoices keep their payer's family name beside what they owe here, kept by triggers as
-- invoices open, are paid and close, and as patients change their name. Each payer word of a
-- line is then one probe of (family word, amount).
--
-- The row is keyed by the family name's last word, so a family name of several words ("van der
-- Berg", "García-López") is found by its last one and then checked whole against the payer.
SET LOCAL ROLE clinic_owner;

CREATE TABLE clinic.open_invoice_payers (
  invoice_id bigint PRIMARY KEY REFERENCES clinic.invoices (id),
  patient_id bigint NOT NULL,
  currency character(3) NOT NULL,
  owed_minor bigint NOT NULL,
  -- The family name folded, its words separated by single spaces, and its last word.
  family_words text NOT NULL,
  family_key text NOT NULL,
  -- The whole name folded, for how alike it is to the payer's.
  name_folded text NOT NULL
);
CREATE INDEX open_invoice_payers_match ON clinic.open_invoice_payers (family_key, owed_minor)
  INCLUDE (currency, invoice_id, family_words, name_folded);
CREATE INDEX open_invoice_payers_patient ON clinic.open_invoice_payers (patient_id);

-- Only the matcher (security definer, the owner) reads it: nobody else has a grant.
ALTER TABLE clinic.open_invoice_payers ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinic.open_invoice_payers FORCE ROW LEVEL SECURITY;
CREATE POLICY open_invoice_payers_owner ON clinic.open_invoice_payers TO clinic_owner
  USING (true) WITH CHECK (true);

-- A folded name's words, separated by single spaces.
CREATE FUNCTION clinic.name_words_text(folded text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = ''
  RETURN pg_catalog.btrim(pg_catalog.regexp_replace(folded, '[^[:alpha:]]+', ' ', 'g'));

-- The words of a folded payer name worth probing: two letters or more (an initial is not).
CREATE FUNCTION clinic.payer_words(folded text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  SET search_path = ''
  ROWS 3
  BEGIN ATOMIC
    SELECT w FROM pg_catalog.regexp_split_to_table(folded, '[^[:alpha:]]+') AS w
     WHERE pg_catalog.length(w) >= 2;
  END;

CREATE FUNCTION clinic.keep_open_invoice_payer() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    IF NEW.kind = 'invoice' AND NEW.status IN ('issued', 'partially_paid') THEN
      INSERT INTO clinic.open_invoice_payers AS o
             (invoice_id, patient_id, currency, owed_minor, family_words, family_key, name_folded)
      SELECT NEW.id, NEW.patient_id, NEW.currency, NEW.total_minor - NEW.paid_minor - NEW.credited_minor,
             w.words, pg_catalog.regexp_replace(w.words, '^.* ', ''), p.name_folded
        FROM clinic.patients p
        CROSS JOIN LATERAL (SELECT clinic.name_words_text(p.family_folded) AS words) w
       WHERE p.id = NEW.patient_id
      ON CONFLICT (invoice_id) DO UPDATE
        SET patient_id = EXCLUDED.patient_id, currency = EXCLUDED.currency,
            owed_minor = EXCLUDED.owed_minor, family_words = EXCLUDED.family_words,
            family_key = EXCLUDED.family_key, name_folded = EXCLUDED.name_folded;
    ELSIF TG_OP = 'UPDATE' THEN
      DELETE FROM clinic.open_invoice_payers o WHERE o.invoice_id = NEW.id;
    END IF;
    RETURN NULL;
  END $$;
CREATE TRIGGER invoices_open_payer_added AFTER INSERT ON clinic.invoices
  FOR EACH ROW WHEN (NEW.status IN ('issued', 'partially_paid'))
  EXECUTE FUNCTION clinic.keep_open_invoice_payer();
CREATE TRIGGER invoices_open_payer_kept
  AFTER UPDATE OF status, kind, total_minor, paid_minor, credited_minor, patient_id, currency ON clinic.invoices
  FOR EACH ROW WHEN ((OLD.status, OLD.kind, OLD.total_minor, OLD.paid_minor, OLD.credited_minor, OLD.patient_id, OLD.currency)
                     IS DISTINCT FROM
                     (NEW.status, NEW.kind, NEW.total_minor, NEW.paid_minor, NEW.credited_minor, NEW.patient_id, NEW.currency))
  EXECUTE FUNCTION clinic.keep_open_invoice_payer();

CREATE FUNCTION clinic.keep_open_invoice_payer_name() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  AS $$
  BEGIN
    UPDATE clinic.open_invoice_payers o
       SET family_words = w.words, family_key = pg_catalog.regexp_replace(w.words, '^.* ', ''),
           name_folded = NEW.name_folded
      FROM (SELECT clinic.name_words_text(NEW.family_folded) AS words) w
     WHERE o.patient_id = NEW.id;
    RETURN NULL;
  END $$;
CREATE TRIGGER patients_open_payer_name AFTER UPDATE OF given_names, family_name ON clinic.patients
  FOR EACH ROW WHEN ((OLD.given_names, OLD.family_name) IS DISTINCT FROM (NEW.given_names, NEW.family_name))
  EXECUTE FUNCTION clinic.keep_open_invoice_payer_name();

-- Fill it from the books as they stand, set-based (also after a bulk load with triggers off).
CREATE FUNCTION clinic.rebuild_open_invoice_payers() RETURNS bigint
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  DECLARE
    n bigint;
  BEGIN
    TRUNCATE clinic.open_invoice_payers;
    INSERT INTO clinic.open_invoice_payers (invoice_id, patient_id, currency, owed_minor, family_words, family_key,
                                            name_folded)
    SELECT i.id, i.patient_id, i.currency, i.total_minor - i.paid_minor - i.credited_minor,
           w.words, pg_catalog.regexp_replace(w.words, '^.* ', ''), p.name_folded
      FROM clinic.invoices i
      JOIN clinic.patients p ON p.id = i.patient_id
      CROSS JOIN LATERAL (SELECT clinic.name_words_text(p.family_folded) AS words) w
     WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid');
    GET DIAGNOSTICS n = ROW_COUNT;
    ANALYZE clinic.open_invoice_payers;
    RETURN n;
  END $$;
SELECT clinic.rebuild_open_invoice_payers();

-- The matcher of 0020 with the payer-and-amount pass probing the table above. A line whose text
-- names an invoice the books hold but that is not open (paid, void) gets no weaker guess by payer
-- or amount: it is the accountant's to look at, not another patient's money.
CREATE OR REPLACE FUNCTION clinic.match_bank_lines(p_statement_id bigint,
                                                   OUT by_number integer, OUT by_name integer, OUT by_amount integer)
  LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = ''
  SET jit = off
  AS $$
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

    -- Each payer word is a probe of (family's last word, amount); the family name is then
    -- checked whole among the payer's words, and the best likeness of the whole name wins when
    -- it is the only best.
    WITH words AS MATERIALIZED (
      SELECT l.id AS line_id, l.amount_minor, l.currency, f.folded,
             ' ' || clinic.name_words_text(f.folded) || ' ' AS spaced, w
        FROM clinic.bank_lines l
        CROSS JOIN LATERAL (SELECT clinic.fold(l.payer) AS folded) f
        CROSS JOIN LATERAL clinic.payer_words(f.folded) AS w
       WHERE l.state = 'open' AND l.suggested_invoice_id IS NULL AND l.payer <> ''
         AND (p_statement_id IS NULL OR l.statement_id = p_statement_id)
         AND NOT EXISTS (SELECT FROM pg_catalog.regexp_matches(l.reference, '\m([0-9]{4}-[0-9]{6})\M', 'g') AS m(n)
                           JOIN clinic.invoices x ON x.invoice_number = m.n[1])
    ), candidates AS (
      SELECT DISTINCT y.line_id, o.invoice_id, ext.similarity(o.name_folded, y.folded) AS alike
        FROM words y
        -- A probe per word (the LIMIT keeps it one: the statistics of lines staged a moment ago
        -- cannot tell the planner how few they are beside the open invoices), and never more
        -- than 51 rows, so a name most of the clinic shares costs no more than a rare one.
        CROSS JOIN LATERAL (
          SELECT x.invoice_id, x.name_folded, x.family_words FROM clinic.open_invoice_payers x
           WHERE x.family_key = y.w AND x.owed_minor = y.amount_minor AND x.currency = y.currency
           LIMIT 51) o
       WHERE pg_catalog.strpos(y.spaced, ' ' || o.family_words || ' ') > 0
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
     -- More than 50 namesakes owing the same amount: a name cannot tell them apart (and the
     -- probe stopped counting), so the line is the accountant's to pick.
     WHERE l.id = b.line_id AND b.rank = 1 AND (b.n = 1 OR b.next_alike < b.alike) AND b.n <= 50;
    GET DIAGNOSTICS by_name = ROW_COUNT;

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
         AND NOT EXISTS (SELECT FROM pg_catalog.regexp_matches(l.reference, '\m([0-9]{4}-[0-9]{6})\M', 'g') AS m(n)
                           JOIN clinic.invoices x ON x.invoice_number = m.n[1])
       GROUP BY l.id
    )
    UPDATE clinic.bank_lines l SET suggested_invoice_id = s.invoice_id, confidence = 30, rule = 'amount'
      FROM single s WHERE l.id = s.line_id AND s.n = 1;
    GET DIAGNOSTICS by_amount = ROW_COUNT;
  END $$;

-- The same transfers in two formats. A bank's CSV export and its CAMT.053 export of the same days
-- key their lines differently (a digest of the CSV's fields; the bank's entry reference), so
-- importing both staged every transfer twice and it could be accepted twice. Each line now also
-- carries the key of its content (day, amount, text and payer, case and spacing aside, with its
-- occurrence in the file), the same in either format, and a line whose content is staged already
-- is not staged again. Lines staged before this have none.
ALTER TABLE clinic.bank_lines ADD COLUMN content_key text
  CHECK (pg_catalog.length(content_key) BETWEEN 1 AND 300);
CREATE UNIQUE INDEX bank_lines_content_key ON clinic.bank_lines (content_key);

CREATE OR REPLACE FUNCTION clinic.check_bank_line() RETURNS trigger
  LANGUAGE plpgsql
  SET search_path = ''
  AS $$
  BEGIN
    IF (NEW.statement_id, NEW.line_key, NEW.content_key, NEW.line_no, NEW.booked_on, NEW.amount_minor,
        NEW.currency, NEW.reference, NEW.payer)
       IS DISTINCT FROM (OLD.statement_id, OLD.line_key, OLD.content_key, OLD.line_no, OLD.booked_on,
                         OLD.amount_minor, OLD.currency, OLD.reference, OLD.payer) THEN
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

DROP FUNCTION clinic.import_bank_statement(text, text, text, text[], integer[], date[], bigint[], text[], text[]);

-- Stage a parsed statement's money-in lines (parallel arrays, one element per line) and suggest
-- invoices for the new ones. A line already imported (by its key, or by its content from a file
-- of another format) is left as it is.
CREATE FUNCTION clinic.import_bank_statement(p_source text, p_format text, p_currency text,
                                             p_keys text[], p_line_nos integer[], p_days date[],
                                             p_amounts bigint[], p_references text[], p_payers text[],
                                             p_content_keys text[])
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
       OR n <> COALESCE(pg_catalog.cardinality(p_payers), 0)
       OR n <> COALESCE(pg_catalog.cardinality(p_content_keys), 0) THEN
      RAISE EXCEPTION 'every line needs its key, number, day, amount, text, payer and content key'
        USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO clinic.bank_statements (source, format, currency, lines_read)
    VALUES (p_source, p_format, p_currency, n) RETURNING id INTO out.statement_id;
    WITH added AS (
      INSERT INTO clinic.bank_lines (statement_id, line_key, content_key, line_no, booked_on, amount_minor,
                                     currency, reference, payer)
      SELECT out.statement_id, x.k, x.ck, x.no, x.d, x.a, p_currency, COALESCE(x.r, ''), COALESCE(x.p, '')
        FROM ROWS FROM (pg_catalog.unnest(p_keys), pg_catalog.unnest(p_content_keys),
                       pg_catalog.unnest(p_line_nos), pg_catalog.unnest(p_days),
                       pg_catalog.unnest(p_amounts), pg_catalog.unnest(p_references), pg_catalog.unnest(p_payers))
             AS x(k, ck, no, d, a, r, p)
      -- Either key seen before: the same line, from this file or one of another format.
      ON CONFLICT DO NOTHING
      RETURNING 1
    )
    SELECT pg_catalog.count(*) INTO out.lines_new FROM added;
    out.lines_read := n;
    SELECT m.by_number, m.by_name, m.by_amount INTO out.by_number, out.by_name, out.by_amount
      FROM clinic.match_bank_lines(out.statement_id) m;
    RETURN out;
  END $$;
GRANT EXECUTE ON FUNCTION clinic.import_bank_statement(text, text, text, text[], integer[], date[], bigint[],
                                                       text[], text[], text[])
  TO clinic_accountant;

-- A bank transfer is money received on the day the bank booked it. Accepting a line recorded its
-- payment at the moment of accepting, so November's transfers reconciled on 3 December fell in
-- December's cash report and export. The payment is now dated at midday of the booking day (in
-- the clinic's time zone). clinic.record_money_at is record_money with that date; record_money
-- is it with none (now). The staff's column grants on payments leave received_at out, so a
-- date given by anyone but the owner (the reconciling functions) is refused by PostgreSQL.
CREATE FUNCTION clinic.record_money_at(p_invoice_id bigint, p_kind text, p_amount_minor bigint, p_method text,
                                       p_reference text, p_idempotency_key uuid, p_received_at timestamptz)
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
      IF p_received_at IS NULL THEN
        INSERT INTO clinic.payments (invoice_id, kind, amount_minor, method, reference, idempotency_key)
        VALUES (p_invoice_id, p_kind, p_amount_minor, p_method, NULLIF(pg_catalog.btrim(p_reference), ''), p_idempotency_key)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING * INTO p;
      ELSE
        -- Only the owner may write received_at (the staff's column grants leave it out), so only
        -- the reconciling functions date a payment other than now.
        INSERT INTO clinic.payments (invoice_id, kind, amount_minor, method, reference, idempotency_key, received_at)
        VALUES (p_invoice_id, p_kind, p_amount_minor, p_method, NULLIF(pg_catalog.btrim(p_reference), ''), p_idempotency_key,
                p_received_at)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING * INTO p;
      END IF;
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
GRANT EXECUTE ON FUNCTION clinic.record_money_at(bigint, text, bigint, text, text, uuid, timestamptz)
  TO clinic_accountant, clinic_receptionist;

CREATE OR REPLACE FUNCTION clinic.record_money(p_invoice_id bigint, p_kind text, p_amount_minor bigint, p_method text,
                                               p_reference text, p_idempotency_key uuid)
  RETURNS clinic.payment_receipt
  LANGUAGE sql
  SET search_path = ''
  RETURN clinic.record_money_at(p_invoice_id, p_kind, p_amount_minor, p_method, p_reference, p_idempotency_key, NULL);

CREATE OR REPLACE FUNCTION clinic.accept_bank_line(p_line_id bigint, p_invoice_ids bigint[], p_amounts bigint[])
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
      -- Received when the bank booked it (midday at the clinic), not when it was reconciled.
      receipt := clinic.record_money_at(p_invoice_ids[k], 'payment', p_amounts[k], 'bank_transfer',
                                        pg_catalog.left(line.reference, 100),
                                        pg_catalog.md5('bank:' || line.line_key || ':' || p_invoice_ids[k])::uuid,
                                        (line.booked_on + TIME '12:00') AT TIME ZONE clinic.clinic_time_zone());
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
