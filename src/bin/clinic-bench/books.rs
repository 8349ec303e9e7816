//! What the accounts office's and a doctor's reports read, added to the bench database before
//! `clinic-bench reports` measures them: `generate` makes patients and appointments and
//! `reconcile` makes invoices and bank statements, but neither writes invoice lines, payments or
//! the records of a doctor's year, so revenue by service, money received, the receivables' history
//! and a doctor's diagnoses and prescriptions would all be empty.
//!
//! Each step loads set-based with the tables' own triggers off, as `generate`, `chart` and
//! `reconcile` do: the rows are valid by construction (totals, paid amounts and statuses as the
//! triggers would keep them), and a step finds its rows there on a later run and skips.

use std::time::Instant;

use anyhow::Context;

/// The fee schedule the invoice lines name: code, description, price. The bench's invoice totals
/// come from `reconcile`, so a line carries its invoice's total, not this price.
const SERVICES: [(&str, &str, i64); 8] = [
    ("CONS", "Consultation", 6500),
    ("FOLLOW", "Follow-up visit", 4500),
    ("VACC", "Vaccination", 2500),
    ("ECG", "Electrocardiogram", 7400),
    ("LAB", "Blood tests", 5500),
    ("XRAY", "X-ray", 10000),
    ("MINOR", "Minor procedure", 12050),
    ("CERT", "Medical certificate", 15000),
];

/// What a doctor prescribes, most often first (the load picks early entries more often).
const DRUGS: [&str; 40] = [
    "Amlodipine",
    "Atorvastatin",
    "Metformin",
    "Lisinopril",
    "Omeprazole",
    "Levothyroxine",
    "Amoxicillin",
    "Simvastatin",
    "Losartan",
    "Salbutamol",
    "Paracetamol",
    "Ibuprofen",
    "Sertraline",
    "Bisoprolol",
    "Ramipril",
    "Furosemide",
    "Lansoprazole",
    "Citalopram",
    "Doxycycline",
    "Prednisolone",
    "Gabapentin",
    "Tramadol",
    "Clopidogrel",
    "Warfarin",
    "Apixaban",
    "Fluoxetine",
    "Naproxen",
    "Cetirizine",
    "Montelukast",
    "Hydrochlorothiazide",
    "Azithromycin",
    "Ciprofloxacin",
    "Pantoprazole",
    "Tamsulosin",
    "Allopurinol",
    "Mirtazapine",
    "Propranolol",
    "Insulin glargine",
    "Fluticasone",
    "Diclofenac",
];

/// The months of records each bench doctor is given, back from today.
const RECORD_MONTHS: i32 = 13;

/// Turn `tables`' own triggers off or back on.
async fn triggers(su: &tokio_postgres::Client, tables: &[&str], on: bool) -> anyhow::Result<()> {
    let verb = if on { "ENABLE" } else { "DISABLE" };
    let sql: String = tables
        .iter()
        .map(|t| format!("ALTER TABLE {t} {verb} TRIGGER USER;"))
        .collect();
    su.batch_execute(&sql).await?;
    Ok(())
}

/// Run `sql` with `tables`' own triggers off, then turn them back on (whether or not the load
/// succeeded) and analyse the tables.
async fn with_triggers_off(
    su: &tokio_postgres::Client,
    tables: &[&str],
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> anyhow::Result<u64> {
    triggers(su, tables, false).await?;
    let loaded = su.execute(sql, params).await;
    triggers(su, tables, true).await?;
    let loaded = loaded?;
    if loaded > 0 {
        su.batch_execute(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
    }
    Ok(loaded)
}

/// Make the books and a doctor's year complete enough for every report (once).
pub async fn ensure_report_data(su: &tokio_postgres::Client) -> anyhow::Result<()> {
    let all = Instant::now();
    currency(su).await?;
    let services = services(su).await?;
    lines(su, &services).await?;
    payments(su).await?;
    statements(su).await?;
    records(su).await?;
    eprintln!(
        "report data in place ({:.1} s)",
        all.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The reports count only the clinic's currency; make it the one the bench's invoices are in.
async fn currency(su: &tokio_postgres::Client) -> anyhow::Result<()> {
    let changed = with_triggers_off(
        su,
        &["clinic.settings"],
        "UPDATE clinic.settings s SET currency = i.currency
           FROM (SELECT currency::text AS currency FROM clinic.invoices LIMIT 1) i
          WHERE s.currency <> i.currency",
        &[],
    )
    .await
    .context("the clinic's currency")?;
    if changed > 0 {
        eprintln!("set the clinic's currency to the invoices' currency");
    }
    Ok(())
}

/// The fee schedule's ids, in SERVICES' order.
async fn services(su: &tokio_postgres::Client) -> anyhow::Result<Vec<i64>> {
    let currency: String = su
        .query_one("SELECT currency FROM clinic.settings", &[])
        .await?
        .get(0);
    let codes: Vec<&str> = SERVICES.iter().map(|s| s.0).collect();
    let names: Vec<&str> = SERVICES.iter().map(|s| s.1).collect();
    let prices: Vec<i64> = SERVICES.iter().map(|s| s.2).collect();
    // valid_from far back: the invoices go back two years, and a line keeps its day's price.
    let made = with_triggers_off(
        su,
        &["clinic.services"],
        "INSERT INTO clinic.services (code, description, price_minor, currency, valid_from, created_by)
         SELECT c, d, p, $4, DATE '2000-01-01', NULL
           FROM unnest($1::text[], $2::text[], $3::bigint[]) AS x(c, d, p)
          WHERE NOT EXISTS (SELECT 1 FROM clinic.services s WHERE s.code = x.c)",
        &[&codes, &names, &prices, &currency],
    )
    .await
    .context("the fee schedule")?;
    if made > 0 {
        eprintln!("made {made} services");
    }
    let rows = su
        .query(
            "SELECT x.c, (SELECT s.id FROM clinic.services s WHERE s.code = x.c ORDER BY s.valid_from DESC LIMIT 1)
               FROM unnest($1::text[]) WITH ORDINALITY AS x(c, n) ORDER BY x.n",
            &[&codes],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(1)).collect())
}

/// One line per invoice after the last one with lines (a load is one statement, so all or none; a
/// NOT EXISTS probe of the table being filled was planned for an empty table and went quadratic),
/// for its whole total, naming a service (consultations the most often).
/// No tax and no discount, so the line's net is the invoice's total, as the total trigger keeps.
async fn lines(su: &tokio_postgres::Client, services: &[i64]) -> anyhow::Result<()> {
    let t = Instant::now();
    let made = with_triggers_off(
        su,
        &["clinic.invoice_lines"],
        "WITH sv AS (SELECT array_agg(s.id ORDER BY n) AS ids, array_agg(s.description ORDER BY n) AS names
                       FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n) JOIN clinic.services s ON s.id = x.id)
         INSERT INTO clinic.invoice_lines (invoice_id, description, quantity, unit_price_minor, service_id,
                                           discount_minor, tax_rate)
         SELECT i.id, sv.names[k.k], 1, i.total_minor, sv.ids[k.k], 0, 0
           FROM clinic.invoices i
          CROSS JOIN sv
          CROSS JOIN LATERAL (
            -- Skewed: a quarter consultations, then fewer of each next service.
            SELECT CASE WHEN h < 25 THEN 1 WHEN h < 45 THEN 2 WHEN h < 60 THEN 3 WHEN h < 72 THEN 4
                        WHEN h < 82 THEN 5 WHEN h < 90 THEN 6 WHEN h < 96 THEN 7 ELSE 8 END AS k
              FROM (SELECT ((pg_catalog.hashint8(i.id) & 2147483647) % 100) AS h) z) k
          WHERE i.kind = 'invoice'
            AND i.id > (SELECT COALESCE(max(l.invoice_id), 0) FROM clinic.invoice_lines l)",
        &[&services],
    )
    .await
    .context("the invoice lines")?;
    if made > 0 {
        eprintln!(
            "made {made} invoice lines in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// What was paid on each invoice after the last one with payments, as one payment (a partly paid invoice's part too), by a spread
/// of methods, received some days after the invoice was issued and never after now.
async fn payments(su: &tokio_postgres::Client) -> anyhow::Result<()> {
    let t = Instant::now();
    let made = with_triggers_off(
        su,
        &["clinic.payments"],
        "INSERT INTO clinic.payments (invoice_id, kind, amount_minor, applied_minor, method, reference,
                                      received_at, received_by, idempotency_key)
         SELECT i.id, 'payment', i.paid_minor, i.paid_minor,
                (ARRAY['card', 'card', 'cash', 'bank_transfer', 'bank_transfer', 'insurance'])[1 + (i.id % 6)::int],
                'bench', LEAST(i.issued_at + pg_catalog.make_interval(days => (i.id % 45)::int, mins => (i.id % 600)::int),
                               pg_catalog.now() - interval '1 minute'),
                NULL, pg_catalog.md5('bench-payment-' || i.id)::uuid
           FROM clinic.invoices i
          WHERE i.kind = 'invoice' AND i.paid_minor > 0
            AND i.id > (SELECT COALESCE(max(p.invoice_id), 0) FROM clinic.payments p)",
        &[],
    )
    .await
    .context("the payments")?;
    if made > 0 {
        eprintln!("made {made} payments in {:.1} s", t.elapsed().as_secs_f64());
    }
    Ok(())
}

/// `reconcile` imports its statements today, so a past month would have none to report: spread
/// them back over the last year (once: while none is older than a month).
async fn statements(su: &tokio_postgres::Client) -> anyhow::Result<()> {
    let moved = with_triggers_off(
        su,
        &["clinic.bank_statements"],
        "UPDATE clinic.bank_statements SET imported_at = imported_at - pg_catalog.make_interval(days => (id % 400)::int)
          WHERE NOT EXISTS (SELECT 1 FROM clinic.bank_statements s WHERE s.imported_at < pg_catalog.now() - interval '31 days')",
        &[],
    )
    .await
    .context("spreading the bank statements")?;
    if moved > 0 {
        eprintln!("spread {moved} bank statements over the last 400 days");
    }
    Ok(())
}

/// A signed consultation record for each completed appointment of every bench doctor over the
/// last RECORD_MONTHS months (written by that appointment's doctor a quarter of an hour in), with
/// two diagnoses (billable codes, a few common ones most often) and one prescription.
async fn records(su: &tokio_postgres::Client) -> anyhow::Result<()> {
    let t = Instant::now();
    let sql = format!(
        "WITH codes AS (
           SELECT array_agg(code ORDER BY md5(code)) AS c, count(*)::int AS n FROM
             (SELECT code FROM clinic.icd10cm WHERE billable ORDER BY md5(code) LIMIT 2000) x),
              drugs AS (SELECT $1::text[] AS d),
              todo AS (
           SELECT a.id, a.patient_id, a.doctor_id, a.starts_at + interval '15 minutes' AS at
             FROM clinic.appointments a
             JOIN clinic.staff s ON s.id = a.doctor_id AND s.login LIKE 'bench\\_%'
            WHERE a.status = 'completed'
              AND a.starts_at >= pg_catalog.now() - interval '{RECORD_MONTHS} months'
              AND a.starts_at < pg_catalog.now() - interval '1 hour'
              -- Once: the load is one statement, all or none. (A probe per appointment of the
              -- table being filled was planned for an empty table, a scan of it each time.)
              AND NOT EXISTS (SELECT 1 FROM clinic.medical_records m WHERE m.appointment_id IS NOT NULL)),
              recs AS (
           INSERT INTO clinic.medical_records (patient_id, author_id, appointment_id, kind, recorded_at, summary,
                                               subjective, objective, assessment, plan, signed_at, signed_by,
                                               updated_at, updated_by)
           SELECT t.patient_id, t.doctor_id, t.id, 'consultation', t.at, 'Consultation',
                  'Reports feeling ' || (ARRAY['better', 'the same', 'worse'])[1 + (t.id % 3)::int] || '.',
                  'Examined.', 'As discussed.', 'Review as needed.',
                  t.at + interval '10 minutes', t.doctor_id, t.at + interval '10 minutes', t.doctor_id
             FROM todo t
           RETURNING id, patient_id, recorded_at),
              pick AS (
           -- The same hashes again, by record: a power of a uniform number favours the first entries.
           SELECT r.id, r.patient_id, r.recorded_at,
                  (pg_catalog.hashint8(r.id) & 2147483647)::float8 / 2147483648.0 AS u,
                  (pg_catalog.hashint8(r.id + 7) & 2147483647)::float8 / 2147483648.0 AS v
             FROM recs r),
              d AS (
           INSERT INTO clinic.diagnoses (record_id, patient_id, code, is_primary, added_at)
           SELECT p.id, p.patient_id,
                  (SELECT c FROM codes)[1 + CASE WHEN k = 0 THEN i0 ELSE (i0 + 1 + (p.id % ((SELECT n FROM codes) - 1))::int) % (SELECT n FROM codes) END],
                  k = 0, p.recorded_at
             FROM (SELECT p.*, floor((SELECT n FROM codes) * power(p.u, 3))::int AS i0 FROM pick p) p,
                  generate_series(0, 1) AS k
           RETURNING 1),
              x AS (
           INSERT INTO clinic.prescriptions (record_id, patient_id, drug, strength, form, dose, route, frequency,
                                             duration_days, quantity, added_at)
           SELECT p.id, p.patient_id, (SELECT d FROM drugs)[1 + floor(40 * power(p.v, 2))::int],
                  '10 mg', 'tablet', '1', 'oral', 'once daily', 28, 28, p.recorded_at
             FROM pick p
           RETURNING 1)
         SELECT (SELECT count(*) FROM recs) + (SELECT count(*) FROM d) + (SELECT count(*) FROM x)"
    );
    let drugs: Vec<&str> = DRUGS.to_vec();
    let tables = [
        "clinic.medical_records",
        "clinic.diagnoses",
        "clinic.prescriptions",
    ];
    triggers(su, &tables, false).await?;
    let loaded = su.query_one(&sql, &[&drugs]).await;
    triggers(su, &tables, true).await?;
    let rows: i64 = loaded.context("a doctor's year of records")?.get(0);
    if rows > 0 {
        su.batch_execute(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
        let made = su
            .query_one(
                "SELECT count(*), count(DISTINCT author_id) FROM clinic.medical_records WHERE appointment_id IS NOT NULL",
                &[],
            )
            .await?;
        let (records, doctors): (i64, i64) = (made.get(0), made.get(1));
        eprintln!(
            "made {rows} rows of records, diagnoses and prescriptions ({records} appointment records by {doctors} doctors) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
