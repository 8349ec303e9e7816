//! `clinic-bench audit`: the Admin screen's audit trail over millions of entries, as an admin
//! login through db::audit_trail (keyset pages, newest first by (at, id)): page 1, pages 1,000
//! and 10,000, and filtered pages, beside OFFSET paging of the same rows in the same run; the
//! count, the pickers, the chunked chain check beside clinic.audit_verify(), and a CSV export.
//!
//! It brings its own database when `generate` has not made one (migrations and an admin login
//! only), and fills the log set-based in SQL, sealed into the chain once, so a later run reuses
//! it. Nothing it makes leaves the bench's private cluster.

use std::time::{Duration, Instant};

use anyhow::Context;
use clinic::db::audit_trail::{self, AuditFilter, Cursor};
use clinic::db::{migrate, staff};
use clinic::demo::cluster::Cluster;
use clinic::domain::staff::Job;

use super::stats::{header, line, Samples};
use super::{connect, login_config, BENCH_DB, BENCH_PASSWORD, LOGIN_PREFIX};

#[derive(clap::Args)]
pub struct Options {
    /// Entries in the audit log (made once, then kept; more are added when asked for more).
    #[arg(long, default_value_t = 3_000_000)]
    pub entries: i64,
    /// Entries per page, as the screen shows them.
    #[arg(long, default_value_t = 50)]
    pub page: i64,
    /// Timed fetches per measured query.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
}

fn admin_login() -> String {
    format!("{LOGIN_PREFIX}admin")
}

/// The bench database with this build's migrations, and its admin login.
async fn ensure_database(cluster: &Cluster) -> anyhow::Result<tokio_postgres::Client> {
    let postgres = connect(cluster.superuser_config("postgres")).await?;
    let exists = postgres
        .query_opt("SELECT FROM pg_database WHERE datname = $1", &[&BENCH_DB])
        .await?
        .is_some();
    if !exists {
        postgres
            .batch_execute(&format!("CREATE DATABASE {BENCH_DB}"))
            .await?;
    }
    let mut su = connect(cluster.superuser_config(BENCH_DB)).await?;
    let applied = migrate::migrate(&mut su).await?;
    if !applied.is_empty() {
        eprintln!("migrated: {}", applied.join(", "));
    }
    su.batch_execute(migrate::DATABASE_GRANTS).await?;
    let login = admin_login();
    let has = su
        .query_opt("SELECT FROM clinic.staff WHERE login = $1", &[&login])
        .await?
        .is_some();
    if !has {
        if postgres
            .query_opt("SELECT FROM pg_roles WHERE rolname = $1", &[&login])
            .await?
            .is_some()
        {
            postgres
                .batch_execute(&format!("DROP ROLE {login}"))
                .await?;
        }
        staff::add_staff(&su, &login, BENCH_PASSWORD, "Ada Bench", Job::Admin).await?;
    }
    Ok(su)
}

/// Give the log `n` entries over the last two years: 40 logins, reads of charts, edits with the
/// columns they changed, bookings, payments, a few emergency accesses and staff steps, each about
/// one of the patients (ids 1..=20,000 when the database has none of its own). Loaded in one
/// INSERT, then sealed into the chain in one call, as the owner.
async fn ensure_entries(su: &tokio_postgres::Client, n: i64) -> anyhow::Result<()> {
    let have: i64 = su
        .query_one("SELECT count(*) FROM clinic.audit_log", &[])
        .await?
        .get(0);
    if have >= n {
        return Ok(());
    }
    let patients: i64 = su
        .query_one("SELECT coalesce(max(id), 20000) FROM clinic.patients", &[])
        .await?
        .get(0);
    eprintln!("making {} audit entries…", n - have);
    let t = Instant::now();
    su.execute(
        "INSERT INTO clinic.audit_log (at, actor_login, action, table_name, row_id, patient_id, detail, needs_review)
         SELECT now() - interval '730 days' + (g::float8 / $1::bigint) * interval '730 days',
                'bench_user' || lpad((g % 40)::text, 2, '0'),
                CASE WHEN k < 40 THEN 'read' WHEN k < 65 THEN 'update' WHEN k < 88 THEN 'insert'
                     WHEN k < 98 THEN 'delete' WHEN k < 99 THEN 'break_glass' ELSE 'add_staff' END,
                CASE WHEN k < 40 THEN 'medical_records' WHEN k < 55 THEN 'patients'
                     WHEN k < 80 THEN 'appointments' WHEN k < 88 THEN 'payments'
                     WHEN k < 98 THEN 'appointments' WHEN k < 99 THEN 'patients' ELSE 'staff' END,
                g, CASE WHEN k < 99 THEN 1 + (hashint8(g) & 2147483647) % $2::bigint END,
                CASE WHEN k BETWEEN 40 AND 64 THEN jsonb_build_object('columns', jsonb_build_array('phone', 'email'))
                     WHEN k = 98 THEN jsonb_build_object('minutes', 30) END,
                k = 98
           FROM generate_series($3::bigint + 1, $1::bigint) g, LATERAL (SELECT (g * 7919) % 100 AS k) x",
        &[&n, &patients, &have],
    )
    .await
    .context("loading the audit entries")?;
    eprintln!(
        "loaded in {:.1} s; sealing them into the chain…",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    su.batch_execute(
        "SET ROLE clinic_owner;
         DO $$ DECLARE head clinic.audit_head; BEGIN
           SELECT * INTO head FROM clinic.audit_head FOR UPDATE;
           PERFORM clinic.audit_seal_visible(head, NULL);
         END $$;
         RESET ROLE;",
    )
    .await
    .context("sealing")?;
    eprintln!("sealed in {:.1} s; vacuuming…", t.elapsed().as_secs_f64());
    su.batch_execute("VACUUM ANALYZE clinic.audit_log").await?;
    Ok(())
}

/// The OFFSET baseline: the same page (select list, joins, order) skipping `offset` rows.
fn offset_sql(filter_sql: &str, page: i64, offset: i64) -> String {
    format!(
        "SELECT a.id, a.at, a.actor_login, s.full_name, a.action, a.table_name, a.row_id,
                a.patient_id, p.patient_number, p.family_name || ', ' || p.given_names, a.detail,
                a.needs_review
           FROM (SELECT * FROM clinic.audit_log a {filter_sql}
                  ORDER BY a.at DESC, a.id DESC OFFSET {offset} LIMIT {page}) a
           LEFT JOIN clinic.staff s ON s.login = a.actor_login
           LEFT JOIN clinic.patients p ON p.id = a.patient_id
          ORDER BY a.at DESC, a.id DESC"
    )
}

/// The index the page's plan reads, for the printout.
fn index_of(plan: &str) -> String {
    plan.lines()
        .find(|l| l.contains("on audit_log"))
        .map(|l| l.trim().trim_start_matches("->").trim().to_string())
        .unwrap_or_else(|| "?".into())
}

pub async fn run(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let su = ensure_database(cluster).await?;
    ensure_entries(&su, opts.entries).await?;
    let mut admin = connect(login_config(cluster, &admin_login())).await?;
    let total: i64 = su
        .query_one("SELECT count(*) FROM clinic.audit_log", &[])
        .await?
        .get(0);
    let page = opts.page;
    let person = AuditFilter {
        person: Some("bench_user07".into()),
        ..AuditFilter::default()
    };
    let patient = AuditFilter {
        patient_id: Some(4242),
        ..AuditFilter::default()
    };
    let table_days = AuditFilter {
        action: Some("update".into()),
        table: Some("patients".into()),
        from: Some((chrono::Utc::now() - chrono::Duration::days(400)).date_naive()),
        to: Some((chrono::Utc::now() - chrono::Duration::days(300)).date_naive()),
        ..AuditFilter::default()
    };
    println!(
        "\naudit: {total} entries, pages of {page}, as an admin; keyset (ours) beside OFFSET (naive)"
    );
    println!("{}", header("audit trail", true));
    // Where page k starts under a filter: the last entry of page k - 1.
    let cursor_at = |filter_sql: &str, k: i64| {
        format!(
            "SELECT a.at, a.id FROM clinic.audit_log a {filter_sql}
              ORDER BY a.at DESC, a.id DESC OFFSET {} LIMIT 1",
            (k - 1) * page - 1
        )
    };
    let cases: [(&str, &AuditFilter, &str); 2] = [
        ("whole log", &AuditFilter::default(), ""),
        (
            "one person",
            &person,
            "WHERE a.actor_login = 'bench_user07'",
        ),
    ];
    let n = opts.samples;
    let runs: Vec<usize> = (0..n).collect();
    // Page 1 of the whole log and of one person, then deep pages of each.
    for (name, filter, sql) in cases {
        let p1 = Samples::measure(&runs, 5, |_| async {
            audit_trail::audit_page(&admin, filter, None, None, page).await?;
            Ok(())
        })
        .await?;
        let base1 = Samples::measure(&runs, 5, |_| async {
            admin.query(&offset_sql(sql, page, 0), &[]).await?;
            Ok(())
        })
        .await?;
        println!(
            "{}",
            line(&format!("{name}: page 1"), &p1, Some(&base1), None)
        );
        for k in [1_000, 10_000] {
            let Some(row) = su.query_opt(&cursor_at(sql, k), &[]).await? else {
                println!("{name}: fewer than {k} pages");
                break;
            };
            let cursor = Cursor {
                at: row.get(0),
                id: row.get(1),
            };
            let ours = Samples::measure(&runs, 5, |_| async {
                audit_trail::audit_page(&admin, filter, Some(cursor), None, page).await?;
                Ok(())
            })
            .await?;
            let base = Samples::measure(&runs[..n.min(30)], 2, |_| async {
                admin
                    .query(&offset_sql(sql, page, (k - 1) * page), &[])
                    .await?;
                Ok(())
            })
            .await?;
            println!(
                "{}",
                line(&format!("{name}: page {k}"), &ours, Some(&base), None)
            );
            let plan = audit_trail::explain_page(&admin, filter, Some(cursor), page).await?;
            println!("    plan: {}", index_of(&plan));
        }
    }
    // Filters that narrow a lot: one patient; an action on a table over a hundred days.
    for (name, filter, sql) in [
        (
            "one patient",
            &patient,
            "WHERE a.patient_id = 4242".to_string(),
        ),
        (
            "update patients, 100 days",
            &table_days,
            format!(
                "WHERE a.action = 'update' AND a.table_name = 'patients'
                   AND a.at >= '{}'::date AND a.at < '{}'::date + 1",
                table_days.from.unwrap_or_default(),
                table_days.to.unwrap_or_default()
            ),
        ),
    ] {
        let ours = Samples::measure(&runs, 5, |_| async {
            audit_trail::audit_page(&admin, filter, None, None, page).await?;
            Ok(())
        })
        .await?;
        let base = Samples::measure(&runs, 5, |_| async {
            admin.query(&offset_sql(&sql, page, 0), &[]).await?;
            Ok(())
        })
        .await?;
        println!(
            "{}",
            line(&format!("{name}: page 1"), &ours, Some(&base), None)
        );
        let plan = audit_trail::explain_page(&admin, filter, None, page).await?;
        println!("    plan: {}", index_of(&plan));
    }
    // The count a screen shows, and the pickers.
    for (name, filter) in [
        ("whole log", &AuditFilter::default()),
        ("one patient", &patient),
    ] {
        let said = audit_trail::count(&admin, filter).await?.words();
        let s = Samples::measure(&runs[..n.min(20)], 2, |_| async {
            audit_trail::count(&admin, filter).await?;
            Ok(())
        })
        .await?;
        println!(
            "{}   ({said})",
            line(&format!("count, {name}"), &s, None, None)
        );
    }
    let p = audit_trail::pickers(&admin).await?;
    let s = Samples::measure(&runs[..n.min(20)], 2, |_| async {
        audit_trail::pickers(&admin).await?;
        Ok(())
    })
    .await?;
    println!(
        "{}   ({} actions, {} tables)",
        line("pickers", &s, None, None),
        p.actions.len(),
        p.tables.len()
    );

    // The chain check: chunked with progress, beside the one-call whole check.
    let t = Instant::now();
    let mut calls = 0;
    let check = audit_trail::verify_chain(&mut admin, &mut |_, _| calls += 1).await?;
    let chunked = t.elapsed();
    let t = Instant::now();
    let whole: Option<i64> = admin
        .query_one("SELECT clinic.audit_verify()", &[])
        .await?
        .get(0);
    let one_call = t.elapsed();
    println!(
        "chain check: chunked {:.1} s in {calls} steps ({:.0} entries/s), audit_verify() {:.1} s; agree: {}\n  {}",
        chunked.as_secs_f64(),
        check.checked as f64 / chunked.as_secs_f64().max(1e-9),
        one_call.as_secs_f64(),
        check.broken.as_ref().map(|b| b.id) == whole,
        check.words(chrono_tz::UTC)
    );
    // A month of one person's entries to CSV.
    let month = AuditFilter {
        from: Some((chrono::Utc::now() - chrono::Duration::days(60)).date_naive()),
        to: Some((chrono::Utc::now() - chrono::Duration::days(30)).date_naive()),
        ..AuditFilter::default()
    };
    let t = Instant::now();
    let rows = audit_trail::export_csv(&admin, &month, std::io::sink(), &mut |_, _| {}).await?;
    let took: Duration = t.elapsed();
    println!(
        "export: a month, {rows} entries to CSV in {:.1} s ({:.0} entries/s)",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64().max(1e-9)
    );
    Ok(())
}
