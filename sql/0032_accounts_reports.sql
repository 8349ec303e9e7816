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
--   (owed / net invoiced over the 90 clinic days to then x 90); and between one point and the next, the
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
  SET jit = off
  AS $$
    WITH b AS (
      -- The time zone read once (sql/0031: a function call per row costs more than the row).
      SELECT z.tz, (p_from::timestamp AT TIME ZONE z.tz) AS t0, ((p_to + 1)::timestamp AT TIME ZONE z.tz) AS t1,
             (SELECT s.currency FROM clinic.settings s) AS currency
        FROM (SELECT clinic.clinic_time_zone() AS tz) z
    ), billed AS (
      SELECT pg_catalog.date_trunc('month', i.issued_at AT TIME ZONE b.tz)::date AS month,
             COALESCE(sv.code || ' ' || sv.description, 'other lines') AS item,
             l.net_minor AS amount
        FROM b, clinic.invoices i
        JOIN clinic.invoice_lines l ON l.invoice_id = i.id
        LEFT JOIN clinic.services sv ON sv.id = l.service_id
       WHERE i.kind = 'invoice' AND i.status NOT IN ('draft', 'void')
         AND i.issued_at >= (SELECT b.t0 FROM b) AND i.issued_at < (SELECT b.t1 FROM b) AND i.currency = (SELECT b.currency FROM b)
      UNION ALL
      SELECT pg_catalog.date_trunc('month', i.issued_at AT TIME ZONE b.tz)::date,
             'credit notes', -(i.total_minor - i.tax_minor)
        FROM b, clinic.invoices i
       WHERE i.kind = 'credit_note' AND i.status NOT IN ('draft', 'void')
         AND i.issued_at >= (SELECT b.t0 FROM b) AND i.issued_at < (SELECT b.t1 FROM b) AND i.currency = (SELECT b.currency FROM b)
    ), received AS (
      SELECT pg_catalog.date_trunc('month', p.received_at AT TIME ZONE b.tz)::date AS month,
             p.method AS item, p.amount_minor AS amount
        FROM b, clinic.payments p
        JOIN clinic.invoices i ON i.id = p.invoice_id
       WHERE p.method <> 'credit' AND i.currency = (SELECT b.currency FROM b)
         AND p.received_at >= (SELECT b.t0 FROM b) AND p.received_at < (SELECT b.t1 FROM b)
      UNION ALL
      SELECT pg_catalog.date_trunc('month', c.at AT TIME ZONE b.tz)::date, c.method, c.amount_minor
        FROM b, clinic.patient_credit c
       WHERE c.kind = 'refunded' AND c.currency = (SELECT b.currency FROM b) AND c.at >= (SELECT b.t0 FROM b) AND c.at < (SELECT b.t1 FROM b)
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

-- Worked in the clinic's days: something happened by a point when its clinic date is that day or
-- earlier. The work grows with the invoices open now and the money taken since the period began,
-- not with the books' years. An invoice without a credit note owed at a point what it owes now
-- (total - paid - credited, kept by the books' triggers, sql/0017) and the money applied to it
-- since (a refund counts back), if it had been issued by then; summed per due date and day first
-- and only then per point, so a year's thirteen points cost little more than one. One that a
-- credit note was issued against is worked out invoice by invoice from its payments and credit
-- notes, since a credit note may take off more than was still owed (the rest becomes the
-- patient's credit) and what is owed stops at 0; credit notes are few.
CREATE FUNCTION clinic.report_receivables(p_from date, p_to date)
  RETURNS TABLE (as_of date, days_0_30 bigint, days_31_60 bigint, days_61_90 bigint,
                 days_90_plus bigint, owed bigint, billed_90_days bigint, dso_days integer,
                 billed bigint, collected bigint, collection_permille integer)
  LANGUAGE sql STABLE
  SET search_path = ''
  SET jit = off
  AS $$
    WITH b AS (
      SELECT z.tz, (p_from::timestamp AT TIME ZONE z.tz) AS t0,
             (SELECT s.currency FROM clinic.settings s) AS currency,
             LEAST(p_to, (pg_catalog.now() AT TIME ZONE z.tz)::date) AS last
        FROM (SELECT clinic.clinic_time_zone() AS tz) z
    ), points AS (
      -- Each month's end in the period, and its last day; never a day still to come.
      SELECT DISTINCT LEAST(e.d, b.last) AS as_of
        FROM b, (
          SELECT (g + interval '1 month' - interval '1 day')::date AS d
            FROM pg_catalog.generate_series(pg_catalog.date_trunc('month', p_from::timestamp),
                                            p_to::timestamp, interval '1 month') g
          UNION SELECT p_to
        ) e
       WHERE e.d <= p_to AND LEAST(e.d, b.last) >= p_from
    ), ends AS (
      SELECT p.as_of, COALESCE(pg_catalog.lag(p.as_of) OVER (ORDER BY p.as_of), p_from - 1) AS prev
        FROM points p
    ), credited AS (
      SELECT c.credits_invoice_id AS id FROM clinic.invoices c
       WHERE c.credits_invoice_id IS NOT NULL AND c.kind = 'credit_note' AND c.status NOT IN ('draft', 'void')
    ), still AS (
      -- What the open invoices owe now (the books' running balances), by due date and the day
      -- they were issued (the days before the period as one).
      SELECT COALESCE(i.due_on, (i.issued_at AT TIME ZONE b.tz)::date) AS due,
             GREATEST((i.issued_at AT TIME ZONE b.tz)::date, p_from - 1) AS day,
             pg_catalog.sum(i.total_minor - i.paid_minor - i.credited_minor) AS amount
        FROM b, clinic.invoices i
       WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid') AND i.currency = (SELECT b.currency FROM b)
         AND i.id NOT IN (SELECT c.id FROM credited c)
       GROUP BY 1, 2
    ), recent AS MATERIALIZED (
      -- The money applied since the period began, with its invoice's due date and issue day.
      SELECT COALESCE(i.due_on, (i.issued_at AT TIME ZONE b.tz)::date) AS due,
             GREATEST((i.issued_at AT TIME ZONE b.tz)::date, p_from - 1) AS day,
             (p.received_at AT TIME ZONE b.tz)::date AS paid_on,
             p.method = 'credit' AS by_credit,
             i.id IN (SELECT c.id FROM credited c) AS credited,
             p.applied_minor AS amount
        FROM b, clinic.payments p
        -- Each payment's invoice by its key: a month's tens of thousands of payments, not a hash
        -- of every invoice the books hold (OFFSET 0 keeps the planner from choosing the latter).
        CROSS JOIN LATERAL (SELECT x.id, x.due_on, x.issued_at FROM clinic.invoices x
                             WHERE x.id = p.invoice_id AND x.currency = b.currency OFFSET 0) i
       WHERE p.received_at >= (SELECT b.t0 FROM b)
    ), later AS (
      SELECT r.due, r.day, r.paid_on, pg_catalog.sum(r.amount) AS amount
        FROM recent r WHERE NOT r.credited
       GROUP BY 1, 2, 3
    ), owed AS (
      -- What an invoice owed at a point is what it owes now and the money applied to it since,
      -- if it had been issued by then.
      SELECT e.as_of, e.as_of - s.due AS late, s.amount
        FROM ends e JOIN still s ON s.day <= e.as_of
      UNION ALL
      SELECT e.as_of, e.as_of - l.due, l.amount
        FROM ends e JOIN later l ON l.day <= e.as_of AND l.paid_on > e.as_of
      UNION ALL
      SELECT e.as_of, e.as_of - COALESCE(i.due_on, (i.issued_at AT TIME ZONE b.tz)::date),
             GREATEST(0, i.total_minor
               - COALESCE((SELECT pg_catalog.sum(p.applied_minor) FROM clinic.payments p
                            WHERE p.invoice_id = i.id AND (p.received_at AT TIME ZONE b.tz)::date <= e.as_of), 0)
               - COALESCE((SELECT pg_catalog.sum(c.total_minor) FROM clinic.invoices c
                            WHERE c.credits_invoice_id = i.id AND c.kind = 'credit_note'
                              AND c.status NOT IN ('draft', 'void')
                              AND (c.issued_at AT TIME ZONE b.tz)::date <= e.as_of), 0))
        FROM (SELECT DISTINCT c.id FROM credited c) k
        JOIN clinic.invoices i ON i.id = k.id
        CROSS JOIN b CROSS JOIN ends e
       WHERE (i.issued_at AT TIME ZONE b.tz)::date <= e.as_of
         AND i.kind = 'invoice' AND i.status NOT IN ('draft', 'void') AND i.currency = (SELECT b.currency FROM b)
    ), aged AS (
      SELECT o.as_of,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late <= 30), 0)::bigint AS d30,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late BETWEEN 31 AND 60), 0)::bigint AS d60,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late BETWEEN 61 AND 90), 0)::bigint AS d90,
             COALESCE(pg_catalog.sum(o.amount) FILTER (WHERE o.late > 90), 0)::bigint AS dmore,
             COALESCE(pg_catalog.sum(o.amount), 0)::bigint AS total
        FROM owed o GROUP BY o.as_of
    ), net AS (
      -- Net invoiced per day (credit notes taken off), from 90 days before the first point.
      SELECT (i.issued_at AT TIME ZONE b.tz)::date AS day,
             pg_catalog.sum(CASE WHEN i.kind = 'credit_note' THEN -1 ELSE 1 END * i.total_minor) AS amount
        FROM b, clinic.invoices i
       WHERE i.status NOT IN ('draft', 'void') AND i.currency = (SELECT b.currency FROM b)
         AND i.issued_at >= (SELECT (LEAST(p_from, pg_catalog.min(p.as_of) - 89))::timestamp
                                    AT TIME ZONE (SELECT b.tz FROM b) FROM points p)
       GROUP BY 1
    ), paid_in AS (
      -- Money applied to invoices per day in the period (paying with credit is not money in).
      SELECT r.paid_on AS day, pg_catalog.sum(r.amount) AS amount
        FROM recent r WHERE NOT r.by_credit
       GROUP BY 1
    ), flows AS (
      SELECT e.as_of,
             (SELECT COALESCE(pg_catalog.sum(n.amount), 0) FROM net n
               WHERE n.day BETWEEN e.as_of - 89 AND e.as_of)::bigint AS billed_90,
             (SELECT COALESCE(pg_catalog.sum(n.amount), 0) FROM net n
               WHERE n.day > e.prev AND n.day <= e.as_of)::bigint AS billed,
             (SELECT COALESCE(pg_catalog.sum(c.amount), 0) FROM paid_in c
               WHERE c.day > e.prev AND c.day <= e.as_of)::bigint AS collected
        FROM ends e
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
-- The period's invoices whatever their state (the bounds are InitPlans above, so they reach it;
-- sql/0017's invoices_open holds the open ones only). Measured: docs/benchmarks.md, "Reports".
CREATE INDEX invoices_issued ON clinic.invoices (issued_at);
-- What the open invoices owe now, read from the index alone: the receivables' largest part, and
-- the one that grows with the open invoices rather than with the period.
CREATE INDEX invoices_open_due ON clinic.invoices (due_on, issued_at)
  INCLUDE (id, total_minor, paid_minor, credited_minor, currency)
  WHERE kind = 'invoice' AND status IN ('issued', 'partially_paid');
