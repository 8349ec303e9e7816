//! `clinic-bench reports`: every report over the generated million patients and ten million
//! appointments and the books, each rendered as its job's screen renders it
//! (clinic::db::reports::figures as the desk's, the accounts office's or a doctor's login: the
//! report function under that login's rights, then the layout into rows and bars) for a month and
//! for a year, beside the plain aggregate of the same figures over the base
//! tables (superuser: no policy, no small-count suppression, no totals, no layout) in the same run.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clinic::db::{migrate, reports};
use clinic::demo::cluster::Cluster;
use clinic::domain::report::{Period, ReportKind, Span};
use clinic::domain::staff::Job;

use super::books;
use super::stats::{header_over_floor, line_over_floor, Samples};
use super::{connect, login_config, pooled, ACCOUNTS_LOGIN, BENCH_DB, DESK_LOGIN, DOCTOR_LOGIN};

#[derive(clap::Args)]
pub struct Options {
    /// Timed renderings per report and period (each beside one plain aggregate).
    #[arg(long, default_value_t = 30)]
    pub samples: usize,
    /// A day whose month and year are measured (YYYY-MM-DD); by default the last day of the month
    /// before the latest day with appointments already begun.
    #[arg(long)]
    pub day: Option<NaiveDate>,
    /// Measure only these reports (their codes, e.g. `--only receivables --only my-days`).
    #[arg(long)]
    pub only: Vec<String>,
}

/// The p95 each span must meet (issue 12).
fn target(span: Span) -> Duration {
    match span {
        Span::Year => Duration::from_secs(1),
        _ => Duration::from_millis(300),
    }
}

/// The same figures as `kind`'s report, aggregated plainly from the base tables: $1 and $2 the
/// period's first and after-last instants, $3 the clinic's time zone.
fn plain(kind: ReportKind) -> String {
    let sql = match kind {
        ReportKind::Appointments => {
            "SELECT (starts_at AT TIME ZONE $3)::date, doctor_id, status, count(*)
               FROM clinic.appointments WHERE starts_at >= $1 AND starts_at < $2
              GROUP BY 1, 2, 3"
        }
        ReportKind::Attendance => {
            "SELECT doctor_id, extract(isodow FROM starts_at AT TIME ZONE $3), count(*),
                    count(*) FILTER (WHERE status = 'no_show'), count(*) FILTER (WHERE status = 'cancelled')
               FROM clinic.appointments
              WHERE starts_at >= $1 AND starts_at < LEAST($2, now())
                AND (status <> 'cancelled' OR status_changed_at > starts_at - interval '24 hours')
              GROUP BY 1, 2"
        }
        ReportKind::Waiting => {
            "SELECT day, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY w),
                    percentile_cont(0.9) WITHIN GROUP (ORDER BY w)
               FROM (SELECT (a.starts_at AT TIME ZONE $3)::date AS day,
                            max(h.changed_at) FILTER (WHERE h.to_status = 'in_progress')
                            - max(h.changed_at) FILTER (WHERE h.to_status = 'checked_in') AS w
                       FROM clinic.appointments a
                       JOIN clinic.appointment_status_history h ON h.appointment_id = a.id
                      WHERE a.starts_at >= $1 AND a.starts_at < $2 AND a.status IN ('in_progress', 'completed')
                      GROUP BY a.id, a.starts_at) x
              WHERE w >= interval '0'
              GROUP BY day"
        }
        // The booked side only: the working side is a hundred rows of hours.
        ReportKind::Utilisation => {
            "SELECT date_trunc('week', starts_at AT TIME ZONE $3), doctor_id, sum(ends_at - starts_at)
               FROM clinic.appointments WHERE starts_at >= $1 AND starts_at < $2 AND status <> 'cancelled'
              GROUP BY 1, 2"
        }
        ReportKind::NewPatients => {
            "SELECT date_trunc('month', created_at AT TIME ZONE $3), count(*)
               FROM clinic.patients WHERE created_at >= $1 AND created_at < $2
              GROUP BY 1"
        }
        ReportKind::Revenue => {
            "SELECT date_trunc('month', i.issued_at AT TIME ZONE $3), l.service_id::text, sum(l.net_minor)
               FROM clinic.invoices i JOIN clinic.invoice_lines l ON l.invoice_id = i.id
              WHERE i.issued_at >= $1 AND i.issued_at < $2 AND i.status NOT IN ('draft', 'void')
              GROUP BY 1, 2
             UNION ALL
             SELECT date_trunc('month', received_at AT TIME ZONE $3), method, sum(amount_minor)
               FROM clinic.payments WHERE received_at >= $1 AND received_at < $2
              GROUP BY 1, 2"
        }
        // What is owed now on the invoices issued in time, aged at the period's end: one point
        // from the running balances, where the report rebuilds each month's end from the payments.
        ReportKind::Receivables => {
            "SELECT width_bucket(($2::timestamptz AT TIME ZONE $3)::date - due_on, ARRAY[31, 61, 91]),
                    sum(total_minor - paid_minor - credited_minor)
               FROM clinic.invoices
              WHERE status IN ('issued', 'partially_paid') AND issued_at < $2 AND $1::timestamptz IS NOT NULL
              GROUP BY 1"
        }
        ReportKind::Reconciliation => {
            "SELECT s.id, count(l.id), count(*) FILTER (WHERE l.state = 'open'), min(l.booked_on)
               FROM clinic.bank_statements s LEFT JOIN clinic.bank_lines l ON l.statement_id = s.id
              WHERE s.imported_at >= $1 AND s.imported_at < $2 AND $3::text IS NOT NULL
              GROUP BY s.id"
        }
        ReportKind::MyDays => {
            "SELECT (starts_at AT TIME ZONE $3)::date, status, count(*)
               FROM clinic.appointments
              WHERE doctor_id = (SELECT id FROM clinic.staff WHERE login = '{doctor}')
                AND starts_at >= $1 AND starts_at < $2
              GROUP BY 1, 2
             UNION ALL
             SELECT (recorded_at AT TIME ZONE $3)::date, (signed_at IS NOT NULL)::text, count(*)
               FROM clinic.medical_records
              WHERE author_id = (SELECT id FROM clinic.staff WHERE login = '{doctor}')
                AND recorded_at >= $1 AND recorded_at < $2
              GROUP BY 1, 2"
        }
        ReportKind::Diagnoses => {
            "SELECT c.chapter, count(*), count(DISTINCT g.patient_id)
               FROM clinic.diagnoses g
               JOIN clinic.medical_records m ON m.id = g.record_id
               JOIN clinic.icd10cm c ON c.code = g.code
              WHERE m.author_id = (SELECT id FROM clinic.staff WHERE login = '{doctor}')
                AND m.recorded_at >= $1 AND m.recorded_at < $2 AND $3::text IS NOT NULL
              GROUP BY 1"
        }
        ReportKind::Prescriptions => {
            "SELECT lower(btrim(p.drug)), count(*), count(DISTINCT p.patient_id)
               FROM clinic.prescriptions p
               JOIN clinic.medical_records m ON m.id = p.record_id
              WHERE m.author_id = (SELECT id FROM clinic.staff WHERE login = '{doctor}')
                AND m.recorded_at >= $1 AND m.recorded_at < $2 AND $3::text IS NOT NULL
              GROUP BY 1"
        }
    };
    sql.replace("{doctor}", DOCTOR_LOGIN)
}

/// The bench login that runs a job's reports.
fn login_of(job: Job) -> &'static str {
    match job {
        Job::Accountant => ACCOUNTS_LOGIN,
        Job::Doctor => DOCTOR_LOGIN,
        Job::Receptionist | Job::Admin => DESK_LOGIN,
    }
}

pub async fn run(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let mut su = connect(cluster.superuser_config(BENCH_DB)).await?;
    let applied = migrate::migrate(&mut su)
        .await
        .context("migrating the bench database (run `clinic-bench generate` first)")?;
    if !applied.is_empty() {
        eprintln!("migrated: {}", applied.join(", "));
        su.batch_execute("ANALYZE").await?;
    }
    books::ensure_report_data(&su).await?;
    let row = su
        .query_one(
            "SELECT (SELECT count(*) FROM clinic.patients), (SELECT count(*) FROM clinic.appointments),
                    (SELECT count(*) FROM clinic.appointment_status_history),
                    (SELECT count(*) FROM clinic.invoices), (SELECT count(*) FROM clinic.payments),
                    (SELECT clinic.clinic_date(max(starts_at)) FROM clinic.appointments WHERE starts_at < now()),
                    clinic.clinic_time_zone(),
                    (SELECT count(*) FROM clinic.invoice_lines), (SELECT count(*) FROM clinic.bank_statements),
                    (SELECT count(*) FROM clinic.medical_records),
                    (SELECT count(*) FROM clinic.medical_records m JOIN clinic.staff s ON s.id = m.author_id
                      WHERE s.login = $1)",
            &[&DOCTOR_LOGIN],
        )
        .await?;
    let (lines, statements, records, mine): (i64, i64, i64, i64) =
        (row.get(7), row.get(8), row.get(9), row.get(10));
    let (patients, appointments, history, invoices, payments): (i64, i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    let latest: Option<NaiveDate> = row.get(5);
    let zone: String = row.get(6);
    let Some(latest) = latest else {
        bail!("the bench database has no past appointments: run `clinic-bench generate` first");
    };
    if history == 0 {
        eprintln!("no status history: the waiting report has nothing to count (generate again)");
    }
    let day = opts.day.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(latest.year(), latest.month(), 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(latest)
    });
    let periods = [
        ("month", Period::holding(Span::Month, day)),
        ("year", Period::holding(Span::Year, day)),
    ];
    println!(
        "\nreports over {patients} patients, {appointments} appointments, {history} status changes, \
         {invoices} invoices, {lines} invoice lines, {payments} payments, {statements} bank statements, \
         {records} medical records ({mine} by {DOCTOR_LOGIN}) (clinic time zone {zone})"
    );
    for (word, p) in &periods {
        println!("  {word}: {} to {}", p.from, p.to);
    }
    println!(
        "each job's reports as its login ({DESK_LOGIN}, {ACCOUNTS_LOGIN}, {DOCTOR_LOGIN}) through \
         clinic::db::reports::figures (the report function under the login's rights, then the \
         layout), beside the plain aggregate over the base tables as the superuser"
    );

    let mut lines = Vec::new();
    let mut sizes = Vec::new();
    for job in [Job::Receptionist, Job::Accountant, Job::Doctor] {
        let (_pool, caller) = pooled(login_config(cluster, login_of(job))).await?;
        let caller: &tokio_postgres::Client = &caller;
        for &kind in ReportKind::for_job(job) {
            if !opts.only.is_empty() && !opts.only.iter().any(|c| c == kind.code()) {
                continue;
            }
            for (word, period) in &periods {
                let bounds = su
                    .query_one(
                        "SELECT clinic.report_day_start($1::date), clinic.report_day_start($2::date + 1)",
                        &[&period.from, &period.to],
                    )
                    .await?;
                let (from, to): (DateTime<Utc>, DateTime<Utc>) = (bounds.get(0), bounds.get(1));
                let sql = plain(kind);
                // Warm both paths: the first reading of a year's pages is the disk's, not the report's.
                for _ in 0..2 {
                    reports::figures(caller, kind, *period).await?;
                    su.query(&sql, &[&from, &to, &zone]).await?;
                }
                let mut ours = Vec::with_capacity(opts.samples);
                let mut base = Vec::with_capacity(opts.samples);
                let mut shown = (0, 0, 0);
                for _ in 0..opts.samples {
                    let t = Instant::now();
                    let f = reports::figures(caller, kind, *period).await?;
                    ours.push(t.elapsed());
                    let t = Instant::now();
                    let rows = su.query(&sql, &[&from, &to, &zone]).await?;
                    base.push(t.elapsed());
                    shown = (f.rows.len(), f.bars.len(), rows.len());
                }
                sizes.push((kind, *word, shown));
                lines.push(line_over_floor(
                    &format!("{} {word}", kind.code()),
                    &Samples::from_times(ours),
                    &Samples::from_times(base),
                    Some(target(period.span)),
                ));
            }
        }
    }
    // The baseline is the floor (the same aggregate, plainly), not a naive plan.
    println!("{}", header_over_floor("report"));
    for l in lines {
        println!("{l}");
    }
    println!("rows laid out (figure rows / bars) and plain aggregate rows:");
    for (kind, word, (rows, bars, plain_rows)) in sizes {
        println!(
            "  {:<20} {rows:>6} rows {bars:>4} bars   plain {plain_rows:>6} rows",
            format!("{} {word}", kind.code())
        );
    }
    Ok(())
}
