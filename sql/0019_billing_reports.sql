-- Billing's reports (issue 9, item 5), as functions with the caller's own rights, so a report
-- shows only what its reader may read and psql gives what the screen shows:
--
-- * clinic.receivables_aging: what each patient owes on their open invoices, by how long it is
--   overdue (0-30, 31-60, 61-90, 90+ days after the due date; an invoice not yet due counts in
--   0-30). Balances as they stand now; the days as of the date given.
-- * clinic.cash_report: the money taken per day, method and the person who took it (the desk),
--   refunds and credit paid back as negative amounts, for a range of clinic days; credit used to
--   pay an invoice is not money taken.
SET LOCAL ROLE clinic_owner;

CREATE FUNCTION clinic.receivables_aging(p_as_of date, p_currency text)
  RETURNS TABLE (patient_id bigint, patient_number bigint, patient_name text, invoices bigint,
                 days_0_30 bigint, days_31_60 bigint, days_61_90 bigint, days_90_plus bigint,
                 total bigint, oldest_due date)
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    WITH open AS (
      SELECT i.patient_id,
             i.total_minor - i.paid_minor - i.credited_minor AS owed,
             COALESCE(i.due_on, clinic.clinic_date(i.issued_at)) AS due,
             GREATEST(0, p_as_of - COALESCE(i.due_on, clinic.clinic_date(i.issued_at))) AS late
        FROM clinic.invoices i
       WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
         AND i.currency = p_currency
    )
    SELECT o.patient_id, p.patient_number, p.family_name || ', ' || p.given_names,
           pg_catalog.count(*),
           COALESCE(pg_catalog.sum(o.owed) FILTER (WHERE o.late <= 30), 0)::bigint,
           COALESCE(pg_catalog.sum(o.owed) FILTER (WHERE o.late BETWEEN 31 AND 60), 0)::bigint,
           COALESCE(pg_catalog.sum(o.owed) FILTER (WHERE o.late BETWEEN 61 AND 90), 0)::bigint,
           COALESCE(pg_catalog.sum(o.owed) FILTER (WHERE o.late > 90), 0)::bigint,
           pg_catalog.sum(o.owed)::bigint,
           pg_catalog.min(o.due)
      FROM open o JOIN clinic.patients p ON p.id = o.patient_id
     GROUP BY o.patient_id, p.patient_number, p.family_name, p.given_names
     ORDER BY pg_catalog.sum(o.owed) FILTER (WHERE o.late > 90) DESC NULLS LAST,
              pg_catalog.sum(o.owed) DESC, o.patient_id
  $$;
GRANT EXECUTE ON FUNCTION clinic.receivables_aging(date, text) TO clinic_accountant, clinic_admin;

CREATE FUNCTION clinic.cash_report(p_from date, p_to date)
  RETURNS TABLE (day date, method text, received_by text, currency text, payments bigint,
                 amount_minor bigint)
  LANGUAGE sql STABLE
  SET search_path = ''
  AS $$
    -- Money received and paid back; credit used to pay an invoice is not money taken (it was
    -- counted when it came in), and credit paid back out is money gone.
    SELECT m.day, m.method, m.received_by, m.currency, pg_catalog.count(*), pg_catalog.sum(m.amount)::bigint
      FROM (
        SELECT clinic.clinic_date(p.received_at) AS day, p.method, COALESCE(s.full_name, '(unknown)') AS received_by,
               i.currency::text AS currency, p.amount_minor AS amount
          FROM clinic.payments p
          JOIN clinic.invoices i ON i.id = p.invoice_id
          LEFT JOIN clinic.staff s ON s.id = p.received_by
         WHERE p.method <> 'credit'
           AND p.received_at >= (p_from::timestamp AT TIME ZONE clinic.clinic_time_zone())
           AND p.received_at < ((p_to + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())
        UNION ALL
        SELECT clinic.clinic_date(c.at), c.method, COALESCE(s.full_name, '(unknown)'), c.currency::text, c.amount_minor
          FROM clinic.patient_credit c
          LEFT JOIN clinic.staff s ON s.id = c.by_staff
         WHERE c.kind = 'refunded'
           AND c.at >= (p_from::timestamp AT TIME ZONE clinic.clinic_time_zone())
           AND c.at < ((p_to + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone())
      ) m
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4
  $$;
GRANT EXECUTE ON FUNCTION clinic.cash_report(date, date) TO clinic_accountant, clinic_admin, clinic_receptionist;

CREATE INDEX payments_received ON clinic.payments (received_at);
