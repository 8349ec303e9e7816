-- The accounts office's reports (issue 12, item 1), like sql/0030's: functions with the caller's
-- own rights (security invoker), so they sum what the caller's grants and policies let them
-- read, and EXECUTE only for the accounts office and the admins (who read the books). Amounts
-- are integer minor units in the clinic's currency (clinic.settings); other currencies are left
-- out. Days are the clinic's (clinic.clinic_date); a report covers p_from to p_to, both included.
--
-- * report_revenue: per month, net invoiced by service (invoice lines without tax, credit notes
--   taken off), and money received by method (payments less refunds and credit paid back;
--   paying with the patient's credit is not money received: it was counted when it came in).
-- * report_receivables: the receivables as they stood at each month's end in the period (and at
--   its last day; never past today): what was owed on the invoices issued by then, aged by days past
--   the due date (0-30 including not yet due, 31-60, 61-90, over 90); days sales outstanding
--   (owed / net invoiced over the 90 days to then x 90); and between one point and the next, the
--   collection rate (money applied to invoices / invoiced, per mille).
-- * report_reconciliation: the bank statements imported in the period, their lines matched, not
--   ours and still open, and how many days the oldest open line has waited since it was booked;
--   the total row is the backlog they leave.
--
-- Decided where the issue is silent: what an invoice owed at a past moment is its total less the
-- payments applied to it and the credit notes issued against it before then (never below 0); a
-- void invoice counts nowhere, as if never issued (only one without payments or credit notes can
-- be voided, sql/0017: a mistake undone, not a debt forgiven, which is a credit note). Amounts
-- are not counts of people, so nothing is hidden here (the accounts office reads each invoice
-- anyway), and bank lines are not patients.
SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.report_revenue(p_from date, p_to date)
  RETURNS TABLE (month date, breakdown text, item text, amount_minor bigint)
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    WITH b AS (
      SELECT (p_from::timestamp AT TIME ZONE clinic.clinic_time_zone()) AS t0,
             ((p_to + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone()) AS t1,
             (SELECT s.currency FROM clinic.settings s) AS currency
    ), billed AS (
      SELECT pg_catalog.date_trunc('month', clinic.clinic_date(i.issued_at))::date AS month,
             COALESCE(sv.code || ' ' || sv.description, 'other lines') AS item,
             l.net_minor AS amount
        FROM b, clinic.invoices i
        JOIN clinic.invoice_lines l ON l.invoice_id = i.id
        LEFT JOIN clinic.services sv ON sv.id = l.service_id
       WHERE i.kind = 'invoice' AND i.status NOT IN ('draft', 'void')
         AND i.issued_at >= b.t0 AND i.issued_at < b.t1 AND i.currency = b.currency
      UNION ALL
      SELECT pg_catalog.date_trunc('month', clinic.clinic_date(i.issued_at))::date,
             'credit notes', -(i.total_minor - i.tax_minor)
        FROM b, clinic.invoices i
       WHERE i.kind = 'credit_note' AND i.status NOT IN ('draft', 'void')
         AND i.issued_at >= b.t0 AND i.issued_at < b.t1 AND i.currency = b.currency
    ), received AS (
      SELECT pg_catalog.date_trunc('month', clinic.clinic_date(p.received_at))::date AS month,
             p.method AS item, p.amount_minor AS amount
        FROM b, clinic.payments p
        JOIN clinic.invoices i ON i.id = p.invoice_id
       WHERE p.method <> 'credit' AND i.currency = b.currency
         AND p.received_at >= b.t0 AND p.received_at < b.t1
      UNION ALL
      SELECT pg_catalog.date_trunc('month', clinic.clinic_date(c.at))::date, c.method, c.amount_minor
        FROM b, clinic.patient_credit c
       WHERE c.kind = 'refunded' AND c.currency = b.currency AND c.at >= b.t0 AND c.at < b.t1
    )
    SELECT r.month, r.breakdown, r.item, r.amount_minor
      FROM (
        SELECT x.month, 'service'::text AS breakdown, x.item, pg_catalog.sum(x.amount)::bigint AS amount_minor
          FROM billed x GROUP BY GROUPING SETS ((x.month, x.item), (x.month), (x.item), ())
        UNION ALL
        SELECT x.month, 'method', x.item, pg_catalog.sum(x.amount)::bigint
          FROM received x GROUP BY GROUPING SETS ((x.month, x.item), (x.month), (x.item), ())
      ) r
     ORDER BY r.breakdown DESC, r.month NULLS LAST, r.item NULLS LAST
  $$;

CREATE FUNCTION clinic.report_receivables(p_from date, p_to date)
  RETURNS TABLE (as_of date, days_0_30 bigint, days_31_60 bigint, days_61_90 bigint,
                 days_90_plus bigint, owed bigint, billed_90_days bigint, dso_days integer,
                 billed bigint, collected bigint, collection_permille integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    WITH b AS (
      SELECT (p_from::timestamp AT TIME ZONE clinic.clinic_time_zone()) AS t0,
             (SELECT s.currency FROM clinic.settings s) AS currency
    ), points AS (
      -- Each month's end in the period, and its last day; never a day still to come.
      SELECT DISTINCT LEAST(d, clinic.clinic_date(pg_catalog.now())) AS as_of
        FROM (
          SELECT (g + interval '1 month' - interval '1 day')::date AS d
            FROM pg_catalog.generate_series(pg_catalog.date_trunc('month', p_from::timestamp),
                                            p_to::timestamp, interval '1 month') g
          UNION SELECT p_to
        ) e
       WHERE d <= p_to AND LEAST(d, clinic.clinic_date(pg_catalog.now())) >= p_from
    ), ends AS (
      SELECT p.as_of,
             ((p.as_of + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone()) AS te,
             COALESCE(pg_catalog.lag((p.as_of + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())
                        OVER (ORDER BY p.as_of), b.t0) AS ts
        FROM points p, b
    ), invoices AS (
      -- The invoices that can owe something at one of the points: issued by the last, and not
      -- settled before the period began.
      SELECT i.id, i.total_minor, i.issued_at,
             COALESCE(i.due_on, clinic.clinic_date(i.issued_at)) AS due
        FROM b, clinic.invoices i
       WHERE i.kind = 'invoice' AND i.status NOT IN ('draft', 'void') AND i.currency = b.currency
         AND i.issued_at < (SELECT pg_catalog.max(e.te) FROM ends e)
         AND (i.status IN ('issued', 'partially_paid') OR i.issued_at >= b.t0
              OR EXISTS (SELECT 1 FROM clinic.payments p
                          WHERE p.invoice_id = i.id AND p.received_at >= b.t0)
              OR EXISTS (SELECT 1 FROM clinic.invoices c
                          WHERE c.credits_invoice_id = i.id AND c.issued_at >= b.t0))
    ), owed AS (
      SELECT e.as_of, e.as_of - i.due AS late,
             GREATEST(0, i.total_minor
               - COALESCE((SELECT pg_catalog.sum(p.applied_minor) FROM clinic.payments p
                            WHERE p.invoice_id = i.id AND p.received_at < e.te), 0)
               - COALESCE((SELECT pg_catalog.sum(c.total_minor) FROM clinic.invoices c
                            WHERE c.credits_invoice_id = i.id AND c.kind = 'credit_note'
                              AND c.status NOT IN ('draft', 'void') AND c.issued_at < e.te), 0)
             ) AS amount
        FROM ends e
        JOIN invoices i ON i.issued_at < e.te
    ), aged AS (
      SELECT o.as_of,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late <= 30), 0)::bigint AS d30,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late BETWEEN 31 AND 60), 0)::bigint AS d60,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late BETWEEN 61 AND 90), 0)::bigint AS d90,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late > 90), 0)::bigint AS dmore,
             COALESCE(pg_catalog.sum(o.amount), 0)::bigint AS total
        FROM owed o GROUP BY o.as_of
    ), net AS (
      -- Net invoiced (credit notes taken off) in a window of time.
      SELECT i.issued_at, CASE WHEN i.kind = 'credit_note' THEN -1 ELSE 1 END * i.total_minor AS amount
        FROM b, clinic.invoices i
       WHERE i.status NOT IN ('draft', 'void') AND i.currency = b.currency
         AND i.issued_at >= LEAST(b.t0, (SELECT pg_catalog.min(e.te) FROM ends e) - interval '90 days')
    ), flows AS (
      SELECT e.as_of,
             (SELECT COALESCE(pg_catalog.sum(n.amount), 0) FROM net n
               WHERE n.issued_at >= e.te - interval '90 days' AND n.issued_at < e.te)::bigint AS billed_90,
             (SELECT COALESCE(pg_catalog.sum(n.amount), 0) FROM net n
               WHERE n.issued_at >= e.ts AND n.issued_at < e.te)::bigint AS billed,
             (SELECT COALESCE(pg_catalog.sum(p.applied_minor), 0) FROM clinic.payments p
                JOIN clinic.invoices i ON i.id = p.invoice_id
               WHERE p.method <> 'credit' AND i.currency = b.currency
                 AND p.received_at >= e.ts AND p.received_at < e.te)::bigint AS collected
        FROM ends e, b
    )
    SELECT f.as_of, COALESCE(a.d30, 0), COALESCE(a.d60, 0), COALESCE(a.d90, 0), COALESCE(a.dmore, 0),
           COALESCE(a.total, 0), f.billed_90,
           CASE WHEN f.billed_90 > 0 THEN pg_catalog.round(COALESCE(a.total, 0) * 90.0 / f.billed_90)::integer END,
           f.billed, f.collected,
           CASE WHEN f.billed > 0 THEN pg_catalog.round(f.collected * 1000.0 / f.billed)::integer END
      FROM flows f LEFT JOIN aged a ON a.as_of = f.as_of
     ORDER BY f.as_of
  $$;

CREATE FUNCTION clinic.report_reconciliation(p_from date, p_to date)
  RETURNS TABLE (statement_id bigint, imported_on date, source text, lines bigint, matched bigint,
                 not_ours bigint, open bigint, oldest_open_days integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    SELECT s.id, clinic.clinic_date(s.imported_at), s.source,
           pg_catalog.count(l.id), pg_catalog.count(l.id) FILTER (WHERE l.state = 'matched'),
           pg_catalog.count(l.id) FILTER (WHERE l.state = 'not_ours'),
           pg_catalog.count(l.id) FILTER (WHERE l.state = 'open'),
           clinic.clinic_date(pg_catalog.now()) - pg_catalog.min(l.booked_on) FILTER (WHERE l.state = 'open')
      FROM clinic.bank_statements s
      LEFT JOIN clinic.bank_lines l ON l.statement_id = s.id
     WHERE s.imported_at >= (p_from::timestamp AT TIME ZONE clinic.clinic_time_zone())
       AND s.imported_at < ((p_to + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())
     GROUP BY GROUPING SETS ((s.id, s.imported_at, s.source), ())
     ORDER BY s.imported_at NULLS LAST, s.id
  $$;

REVOKE ALL ON FUNCTION clinic.report_revenue(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION clinic.report_receivables(date, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION clinic.report_reconciliation(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION clinic.report_revenue(date, date) TO clinic_accountant, clinic_admin;
GRANT EXECUTE ON FUNCTION clinic.report_receivables(date, date) TO clinic_accountant, clinic_admin;
GRANT EXECUTE ON FUNCTION clinic.report_reconciliation(date, date) TO clinic_accountant, clinic_admin;

CREATE INDEX bank_statements_imported ON clinic.bank_statements (imported_at);
