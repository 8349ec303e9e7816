//! `clinic-bench`: fills a database with a large synthetic clinic and measures the queries the desks
//! run all day, each next to a naive baseline on the same data.
//!
//! It brings its own private PostgreSQL cluster (the same code as `clinic demo` and the tests), so
//! the figures come from a known configuration, and it runs every measured query as a real
//! receptionist login so row-level security is in the measured path.

mod audit;
mod booking;
mod books;
mod chart;
mod desks;
mod generate;
mod icd;
mod lookup;
mod reconcile;
mod reports;
mod stats;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use tokio_postgres::{Client, NoTls};

use clinic::demo::cluster::{Cluster, Purpose};

/// The benchmark's database inside its private cluster.
const BENCH_DB: &str = "clinic_bench";
/// Every login the bench creates starts with this, so a fresh `generate` can drop them all.
const LOGIN_PREFIX: &str = "bench_";
/// The receptionist whose session runs the measured queries.
const DESK_LOGIN: &str = "bench_desk";
const ACCOUNTS_LOGIN: &str = "bench_accounts";
/// The first of the generated doctors, whose session runs the ICD-10-CM searches.
const DOCTOR_LOGIN: &str = "bench_dr001";
/// The logins exist only in the bench's private cluster, which listens on loopback and a private
/// socket; a fixed password keeps `run` independent of `generate`'s process.
const BENCH_PASSWORD: &str = "bench-only-password";

#[derive(Parser)]
#[command(
    name = "clinic-bench",
    about = "Synthetic clinic data and query benchmarks"
)]
struct Cli {
    /// Directory of the bench's private PostgreSQL cluster (kept between runs). Under root it must
    /// be outside /root: the server runs as the `postgres` account.
    #[arg(long, global = true, default_value = "/var/tmp/clinic-bench")]
    dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// (Re)create the bench database and fill it with patients and appointments.
    Generate(generate::Options),
    /// Measure lookups, the duplicate check and the calendar as a receptionist (p50/p95/p99), then
    /// 16 desks racing to book the same slots.
    Run(lookup::Options),
    /// Look one thing up as the receptionist and print what the desk would see, with the time.
    Search {
        /// What is typed in the lookup box, e.g. "jhon smiht" or "15/06/1985".
        text: String,
    },
    /// Only the booking race: 16 desks, 50 tries each, 100 slots of 2 doctors.
    Race,
    /// Opening long charts as a doctor (clinic.chart, audited) beside the plain reads of the rows.
    Chart(chart::Options),
    /// The ICD-10-CM search as a doctor types codes and words (p50/p95/p99), beside the naive
    /// substring search.
    Icd(icd::Options),
    /// A bank statement of 10,000 lines staged and auto-matched against a million invoices, as the
    /// accounts office, beside staging the same kind of lines one round trip each.
    Reconcile(reconcile::Options),
    /// The audit trail over millions of entries as an admin: keyset pages (page 1, page 1,000,
    /// filtered) beside OFFSET paging, the count, the pickers, the chain check and an export.
    Audit(audit::Options),
    /// The clinic's staff at work at once for a fixed time (30 receptionists, 15 doctors, 5
    /// accountants), each on their own login and pool: per operation p50/p95/p99, errors and
    /// refusals, double bookings, the money, the audit chain and the connections held.
    Desks(desks::Options),
    /// Every job's reports for a month and a year as that job's login (clinic::db::reports::figures,
    /// p50/p95/p99), each beside the plain aggregate over the base tables; first makes the invoice
    /// lines, payments and doctors' records they read, once.
    Reports(reports::Options),
    /// Stop the bench's cluster.
    Stop,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Stop = cli.command {
        if let Some(cluster) = Cluster::open(&cli.dir, Purpose::Test)? {
            if cluster.is_running() {
                cluster.stop()?;
            }
        }
        return Ok(());
    }
    let (cluster, started_here) = open_cluster(&cli.dir).await?;
    let outcome = match cli.command {
        Command::Generate(opts) => generate::generate(&cluster, &opts).await,
        Command::Run(opts) => match lookup::run(&cluster, &opts).await {
            Ok(()) => booking::run(&cluster, &booking::Race::default()).await,
            Err(e) => Err(e),
        },
        Command::Search { text } => lookup::search_once(&cluster, &text).await,
        Command::Race => booking::run(&cluster, &booking::Race::default()).await,
        Command::Chart(opts) => chart::run(&cluster, &opts).await,
        Command::Icd(opts) => icd::run(&cluster, &opts).await,
        Command::Reconcile(opts) => reconcile::run(&cluster, &opts).await,
        Command::Audit(opts) => audit::run(&cluster, &opts).await,
        Command::Desks(opts) => desks::run(&cluster, &opts).await,
        Command::Reports(opts) => reports::run(&cluster, &opts).await,
        Command::Stop => Ok(()),
    };
    // Leave the server as we found it.
    if started_here {
        cluster.stop()?;
    }
    outcome
}

/// Open (or initdb) the bench cluster, start it, and make sure it has memory settings fit for
/// millions of rows: the test defaults (128 MB of shared buffers) would measure the kernel's page
/// cache rather than PostgreSQL.
async fn open_cluster(dir: &Path) -> anyhow::Result<(Cluster, bool)> {
    if dir.starts_with("/root") && clinic::demo::cluster::running_as_root() {
        bail!("under root the server runs as the postgres account, which cannot enter /root; pass --dir elsewhere");
    }
    let (mut cluster, created) = Cluster::open_or_create(dir, Purpose::Test)
        .with_context(|| format!("creating the bench cluster in {}", dir.display()))?;
    if created {
        eprintln!("created a private PostgreSQL cluster in {}", dir.display());
    }
    let started_here = cluster.start()?;
    let admin = connect(cluster.superuser_config("postgres")).await?;
    let buffers: String = admin.query_one("SHOW shared_buffers", &[]).await?.get(0);
    if buffers == "128MB" {
        eprintln!("tuning the bench cluster's memory and restarting it");
        // One statement at a time: ALTER SYSTEM refuses to run inside a transaction block.
        for (name, value) in [
            ("shared_buffers", "2GB"),
            ("effective_cache_size", "8GB"),
            ("maintenance_work_mem", "1GB"),
            ("work_mem", "16MB"),
            ("max_wal_size", "8GB"),
            ("checkpoint_timeout", "30min"),
        ] {
            admin
                .batch_execute(&format!("ALTER SYSTEM SET {name} = '{value}'"))
                .await?;
        }
        drop(admin);
        cluster.stop()?;
        cluster.start()?;
        return Ok((cluster, true));
    }
    Ok((cluster, started_here))
}

/// A connection whose driver runs on this runtime.
async fn connect(cfg: tokio_postgres::Config) -> anyhow::Result<Client> {
    let (client, conn) = cfg
        .connect(NoTls)
        .await
        .context("connecting to the bench cluster")?;
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            eprintln!("connection ended: {e}");
        }
    });
    Ok(client)
}

/// One connection as the app holds it: from a deadpool pool (kept alive beside it), so the
/// statements it prepares are kept for the connection's life.
async fn pooled(
    cfg: tokio_postgres::Config,
) -> anyhow::Result<(deadpool_postgres::Pool, deadpool_postgres::Client)> {
    let mgr = deadpool_postgres::Manager::from_config(
        cfg,
        NoTls,
        deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        },
    );
    let pool = deadpool_postgres::Pool::builder(mgr).max_size(1).build()?;
    let client = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("connecting to the bench cluster: {e}"))?;
    Ok((pool, client))
}

/// Connection settings for one of the bench's staff logins.
fn login_config(cluster: &Cluster, login: &str) -> tokio_postgres::Config {
    let mut cfg = cluster.superuser_config(BENCH_DB);
    cfg.user(login).password(BENCH_PASSWORD);
    cfg
}
