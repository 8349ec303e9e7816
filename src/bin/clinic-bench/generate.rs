//! `clinic-bench generate`: a fresh, migrated bench database with a million patients and ten million
//! appointments, loaded set-based from sql/bench/generate.sql.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use clinic::db::{migrate, staff};
use clinic::demo::cluster::Cluster;
use clinic::domain::staff::Job;

use super::{connect, ACCOUNTS_LOGIN, BENCH_DB, BENCH_PASSWORD, DESK_LOGIN, LOGIN_PREFIX};

const SCRIPT: &str = include_str!("../../../sql/bench/generate.sql");
const STEP: &str = "-- step: ";

#[derive(Args)]
pub struct Options {
    /// How many patients.
    #[arg(long, default_value_t = 1_000_000)]
    patients: i64,
    /// How many appointments, spread over the doctors' calendars.
    #[arg(long, default_value_t = 10_000_000)]
    appointments: i64,
    /// How many doctors share the appointments (fewer doctors means a longer history).
    #[arg(long, default_value_t = 20)]
    doctors: i64,
    /// Connections loading at once (one per core is right: the load is CPU-bound).
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Whose names: `common` (a few very common surnames, a long tail of rare ones) or `spread`
    /// (Spanish double surnames, Dutch particles, Vietnamese names, an even spread of the rest:
    /// sql/bench/generate.sql says how).
    #[arg(long, value_enum, default_value_t = Population::Common)]
    population: Population,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Population {
    Common,
    Spread,
}

/// `first..=last` cut into inclusive ranges of at most `size`.
fn ranges(first: i64, last: i64, size: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut from = first;
    while from <= last {
        let to = (from + size - 1).min(last);
        out.push((from, to));
        from = to + 1;
    }
    out
}

/// Run one statement per chunk over `jobs` connections at once, printing progress. Most of the
/// time goes into index maintenance (the appointments' exclusion constraint above all), which is
/// CPU-bound, so each core gets a connection.
async fn load(
    cluster: &Cluster,
    jobs: usize,
    what: &str,
    chunks: &[(i64, i64)],
    sql: impl Fn((i64, i64)) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let worker = || async {
        let db = connect(cluster.superuser_config(BENCH_DB)).await?;
        loop {
            let i = next.fetch_add(1, Ordering::SeqCst);
            let Some(&range) = chunks.get(i) else {
                return anyhow::Ok(());
            };
            db.batch_execute(&sql(range)?)
                .await
                .with_context(|| format!("loading {what}"))?;
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            eprint!(
                "\r{what}: {n} of {} chunks ({:.0?})",
                chunks.len(),
                t.elapsed()
            );
        }
    };
    futures::future::try_join_all((0..jobs.max(1)).map(|_| worker())).await?;
    eprintln!();
    Ok(())
}

/// The SQL of one named step of the script.
fn step(name: &str) -> anyhow::Result<&'static str> {
    let marker = format!("{STEP}{name}\n");
    let start = SCRIPT.find(&marker).context("generate.sql has the step")? + marker.len();
    let rest = &SCRIPT[start..];
    Ok(&rest[..rest.find(STEP).unwrap_or(rest.len())])
}

fn fill(sql: &str, values: &[(&str, i64)]) -> String {
    values.iter().fold(sql.to_string(), |s, (k, v)| {
        s.replace(&format!("{{{{{k}}}}}"), &v.to_string())
    })
}

pub async fn generate(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let began = Instant::now();
    let admin = connect(cluster.superuser_config("postgres")).await?;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
        .await?;
    // Roles are cluster-wide and outlive the database: a fresh run makes its logins afresh.
    for row in admin
        .query(
            "SELECT rolname::text FROM pg_roles WHERE rolname LIKE $1",
            &[&format!("{LOGIN_PREFIX}%")],
        )
        .await?
    {
        let role: String = row.get(0);
        admin
            .batch_execute(&format!("DROP ROLE \"{}\"", role.replace('"', "")))
            .await?;
    }
    admin
        .batch_execute(&format!("CREATE DATABASE {BENCH_DB}"))
        .await?;
    let mut db = connect(cluster.superuser_config(BENCH_DB)).await?;
    migrate::migrate(&mut db).await?;
    db.batch_execute(migrate::DATABASE_GRANTS).await?;

    let desk = staff::add_staff(
        &db,
        DESK_LOGIN,
        BENCH_PASSWORD,
        "Rita Desk",
        Job::Receptionist,
    )
    .await?;
    staff::add_staff(
        &db,
        ACCOUNTS_LOGIN,
        BENCH_PASSWORD,
        "Adam Accounts",
        Job::Accountant,
    )
    .await?;
    for d in 1..=opts.doctors {
        let login = format!("{LOGIN_PREFIX}dr{d:03}");
        staff::add_staff(
            &db,
            &login,
            BENCH_PASSWORD,
            &format!("Dr Bench {d:03}"),
            Job::Doctor,
        )
        .await?;
    }

    // The rows are valid by construction; per-row audit, history and notification triggers would
    // write ten million audit entries, and per-row foreign-key checks would take a key-share lock on
    // a patient for every appointment. Both are switched off for the load and on again after.
    db.batch_execute(
        "ALTER TABLE clinic.patients DISABLE TRIGGER USER;
         ALTER TABLE clinic.appointments DISABLE TRIGGER ALL;
         ALTER TABLE clinic.appointment_status_history DISABLE TRIGGER ALL;
         ALTER TABLE clinic.working_hours DISABLE TRIGGER USER;",
    )
    .await?;

    let t = Instant::now();
    let chunks = ranges(1, opts.patients, 50_000);
    load(cluster, opts.jobs, "patients", &chunks, |(from, to)| {
        Ok(fill(
            step("patients")?,
            &[
                ("from", from),
                ("to", to),
                ("desk", desk),
                ("spread", i64::from(opts.population == Population::Spread)),
                ("patients", opts.patients),
            ],
        ))
    })
    .await?;
    let patients_time = t.elapsed();

    let t = Instant::now();
    let chunks = ranges(0, opts.appointments - 1, 250_000);
    load(cluster, opts.jobs, "appointments", &chunks, |(from, to)| {
        Ok(fill(
            step("appointments")?,
            &[
                ("from", from),
                ("to", to),
                ("desk", desk),
                ("doctors", opts.doctors),
                ("weeks_ahead", 8),
            ],
        ))
    })
    .await?;
    let appointments_time = t.elapsed();

    // What the status trigger would have written, and the doctors' hours (both for the reports).
    let t = Instant::now();
    db.batch_execute(&fill(step("schedule")?, &[("desk", desk)]))
        .await?;
    let (first, last): (i64, i64) = {
        let r = db
            .query_one(
                "SELECT coalesce(min(id), 1), coalesce(max(id), 0) FROM clinic.appointments",
                &[],
            )
            .await?;
        (r.get(0), r.get(1))
    };
    let chunks = ranges(first, last, 250_000);
    load(
        cluster,
        opts.jobs,
        "status history",
        &chunks,
        |(from, to)| {
            Ok(fill(
                step("history")?,
                &[("from", from), ("to", to), ("desk", desk)],
            ))
        },
    )
    .await?;
    let history_time = t.elapsed();

    db.batch_execute(
        "ALTER TABLE clinic.patients ENABLE TRIGGER USER;
         ALTER TABLE clinic.appointments ENABLE TRIGGER ALL;
         ALTER TABLE clinic.appointment_status_history ENABLE TRIGGER ALL;
         ALTER TABLE clinic.working_hours ENABLE TRIGGER USER;",
    )
    .await?;
    let t = Instant::now();
    // The search's word list is kept by a trigger that was off during the load.
    let has_words: bool = db
        .query_one(
            "SELECT to_regprocedure('clinic.rebuild_name_words()') IS NOT NULL",
            &[],
        )
        .await?
        .get(0);
    if has_words {
        db.batch_execute("SELECT clinic.rebuild_name_words()")
            .await?;
    }
    // VACUUM sets the visibility map as autovacuum would on a long-lived table, so index-only scans
    // behave as they do in a clinic that has been running for years.
    for sql in [
        "VACUUM (ANALYZE) clinic.patients",
        "VACUUM (ANALYZE) clinic.appointments",
        "VACUUM (ANALYZE) clinic.appointment_status_history",
        "ANALYZE",
    ] {
        db.batch_execute(sql).await?;
    }
    let finish_time = t.elapsed();

    println!("generated in {:.1?}: patients {patients_time:.1?}, appointments {appointments_time:.1?}, status history {history_time:.1?}, word list + vacuum/analyze {finish_time:.1?}", began.elapsed());
    for row in db
        .query(
            "SELECT c.relname::text, c.reltuples::bigint,
                    pg_size_pretty(pg_table_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid))
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'clinic' AND c.relkind = 'r' AND c.reltuples > 0
              ORDER BY pg_total_relation_size(c.oid) DESC",
            &[],
        )
        .await?
    {
        let (name, rows, table, indexes): (String, i64, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        println!("  {name:<28} {rows:>11} rows  table {table:>8}  indexes {indexes:>8}");
    }
    let size: String = db
        .query_one(
            "SELECT pg_size_pretty(pg_database_size(current_database()))",
            &[],
        )
        .await?
        .get(0);
    println!("  database {BENCH_DB}: {size}");
    Ok(())
}
