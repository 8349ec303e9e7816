//! `clinic-bench reconcile`: a bank statement of 10,000 money-in lines against a million invoices,
//! parsed (the CSV reader the app uses), staged and auto-matched in one call as the accounts
//! office (clinic.import_bank_statement, set-based), beside a baseline that stages and matches the
//! same kind of lines one round trip per line, in the same run.
//!
//! The statement is made from the open invoices themselves: most lines name their invoice, some
//! only the payer (initial and family name) with the exact amount, some only an amount, a few are
//! noise. Each run's lines carry a run mark in their text, so every run stages new lines.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::Context;
use clinic::db::{migrate, reconcile};
use clinic::demo::cluster::Cluster;
use clinic::domain::money::Currency;
use clinic::domain::statement::{parse_csv, CsvLayout, Statement};

use super::{connect, login_config, ACCOUNTS_LOGIN, BENCH_DB};

#[derive(clap::Args)]
pub struct Options {
    /// Invoices in the books (made once, then kept).
    #[arg(long, default_value_t = 1_000_000)]
    pub invoices: i64,
    /// Lines in the statement.
    #[arg(long, default_value_t = 10_000)]
    pub lines: i64,
    /// Lines staged one round trip each for the baseline.
    #[arg(long, default_value_t = 10_000)]
    pub baseline_lines: i64,
    /// How the invoices' amounts are spread: `spread` (some 1,500 amounts owed), or `prices`
    /// (totals from a fee schedule of eight prices and up to two extras: 48 amounts owed, so
    /// thousands of open invoices share each amount and an amount alone tells nothing). The
    /// books are made again when they hold the other kind.
    #[arg(long, value_enum, default_value_t = Amounts::Spread)]
    pub amounts: Amounts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Amounts {
    Spread,
    Prices,
}

impl Amounts {
    /// An invoice's total for the generated row `g`, in SQL.
    fn total_sql(self) -> &'static str {
        match self {
            Amounts::Spread => {
                "(ARRAY[6500, 7400, 5500, 10000, 12050, 2500, 15000, 4500])[1 + g % 8] + (g % 97) * 25"
            }
            Amounts::Prices => {
                "(ARRAY[4500, 6500, 8000, 2500, 12000, 3500, 9500, 15000])[1 + g % 8] + ((g / 8) % 3) * 1500"
            }
        }
    }
}

/// Give the books `n` invoices (a third of them open), loaded set-based with the triggers off as
/// `generate` loads patients: the rows are valid by construction (totals, statuses and numbers as
/// the triggers would keep them).
async fn ensure_invoices(
    su: &tokio_postgres::Client,
    n: i64,
    amounts: Amounts,
) -> anyhow::Result<()> {
    let (have, totals): (i64, i64) = su
        .query_one(
            "SELECT count(*), count(DISTINCT total_minor) FROM clinic.invoices",
            &[],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))?;
    // The fee-schedule books hold 24 totals; the spread ones hundreds.
    let loaded = match totals {
        0 => None,
        1..=24 => Some(Amounts::Prices),
        _ => Some(Amounts::Spread),
    };
    if have >= n && loaded == Some(amounts) {
        return Ok(());
    }
    let t = Instant::now();
    let have = if loaded.is_some_and(|l| l != amounts) {
        eprintln!("the books hold {loaded:?} amounts: making them again as {amounts:?}…");
        // Triggers off for the truncate too (the books refuse one otherwise): a bench database.
        su.batch_execute(
            "SET session_replication_role = replica;
             TRUNCATE clinic.invoices CASCADE;
             RESET session_replication_role;",
        )
        .await
        .context("emptying the books")?;
        0
    } else {
        have
    };
    eprintln!("making {} invoices…", n - have);
    su.batch_execute("ALTER TABLE clinic.invoices DISABLE TRIGGER USER")
        .await?;
    let total = amounts.total_sql();
    let made = su
        .execute(
            &format!(
                "WITH p AS (SELECT min(id) AS lo, max(id) AS hi FROM clinic.patients)
                 INSERT INTO clinic.invoices (invoice_number, number_year, number_seq, patient_id, currency,
                                              status, issued_at, due_on, total_minor, paid_minor)
                 SELECT pg_catalog.format('%s-%s', 2000 + g % 20, pg_catalog.lpad((900000 + g / 20)::text, 6, '0')),
                        2000 + g % 20, 900000 + g / 20,
                        p.lo + (pg_catalog.hashint8(g) % (p.hi - p.lo + 1) + (p.hi - p.lo + 1)) % (p.hi - p.lo + 1),
                        'USD',
                        CASE WHEN g % 3 = 0 THEN 'issued' WHEN g % 3 = 1 THEN 'paid'
                             ELSE CASE WHEN g % 2 = 0 THEN 'partially_paid' ELSE 'paid' END END,
                        now() - make_interval(days => (g % 700)::int),
                        (now() - make_interval(days => (g % 700)::int))::date + 30,
                        {total},
                        CASE WHEN g % 3 = 0 THEN 0
                             WHEN g % 3 = 1 OR g % 2 = 1 THEN {total}
                             ELSE 1000 END
                   FROM p, generate_series($1::bigint + 1, $2::bigint) AS g"
            ),
            &[&have, &n],
        )
        .await;
    su.batch_execute("ALTER TABLE clinic.invoices ENABLE TRIGGER USER; ANALYZE clinic.invoices")
        .await?;
    let made = made.context("loading the invoices")?;
    // What the triggers off did not keep: the open invoices' payers the matcher probes.
    su.batch_execute("SELECT clinic.rebuild_open_invoice_payers()")
        .await
        .context("the open invoices' payers")?;
    eprintln!("made {made} invoices in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// A statement of `n` lines drawn from the open invoices, marked with `mark` so it is new.
async fn statement_text(su: &tokio_postgres::Client, n: i64, mark: &str) -> anyhow::Result<String> {
    let rows = su
        .query(
            "SELECT i.invoice_number, i.total_minor - i.paid_minor - i.credited_minor,
                    left(p.given_names, 1), upper(p.family_name)
               FROM clinic.invoices i JOIN clinic.patients p ON p.id = i.patient_id
              WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
              ORDER BY pg_catalog.hashint8(i.id)
              LIMIT $1",
            &[&n],
        )
        .await?;
    let mut csv = String::from("date,amount,reference,payer\n");
    for (k, r) in rows.iter().enumerate() {
        let (number, owed, initial, family): (String, i64, String, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let amount = format!("{}.{:02}", owed / 100, owed % 100);
        let line = match k % 20 {
            0..=10 => format!("2026-11-14,{amount},INV {number} {mark}-{k},{initial} {family}"),
            11..=15 => format!("2026-11-14,{amount},transfer {mark}-{k},{initial} {family}"),
            16..=18 => format!("2026-11-15,{amount},payment {mark}-{k},"),
            _ => format!(
                "2026-11-16,{}.17,unknown {mark}-{k},Someone Else",
                90_000 + k
            ),
        };
        writeln!(csv, "{line}")?;
    }
    Ok(csv)
}

pub async fn run(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let mut su = connect(cluster.superuser_config(BENCH_DB)).await?;
    // The books as this build's migrations have them, so the run measures this build's matcher.
    let applied = migrate::migrate(&mut su).await?;
    if !applied.is_empty() {
        eprintln!("migrated: {}", applied.join(", "));
    }
    ensure_invoices(&su, opts.invoices, opts.amounts).await?;
    let usd = Currency::USD;
    let mark = format!("r{}", chrono::Utc::now().timestamp_millis());
    let text = statement_text(&su, opts.lines, &mark).await?;
    let accounts = connect(login_config(cluster, ACCOUNTS_LOGIN)).await?;
    let invoices: i64 = su
        .query_one("SELECT count(*) FROM clinic.invoices", &[])
        .await?
        .get(0);

    let t = Instant::now();
    let statement = parse_csv(text.as_bytes(), &CsvLayout::default(), usd)
        .map_err(|e| anyhow::anyhow!("the bench's own statement: {e}"))?;
    let parsed = t.elapsed();
    let t = Instant::now();
    let summary = reconcile::import(&accounts, "bench.csv", &statement, usd).await?;
    let staged = t.elapsed();
    println!(
        "reconcile: {} lines against {invoices} invoices ({:?} amounts), as the accounts office",
        statement.lines.len(),
        opts.amounts
    );
    println!(
        "  set-based     parse {:>8.1} ms   stage + match {:>8.1} ms   total {:>8.1} ms   ({} by number, {} by payer and amount, {} by amount, {} left)",
        parsed.as_secs_f64() * 1e3,
        staged.as_secs_f64() * 1e3,
        (parsed + staged).as_secs_f64() * 1e3,
        summary.by_number,
        summary.by_name,
        summary.by_amount,
        i64::from(summary.lines_new)
            - i64::from(summary.by_number + summary.by_name + summary.by_amount)
    );

    // The baseline: the same kind of lines, staged and matched one round trip per line.
    let base_mark = format!("{mark}b");
    let text = statement_text(&su, opts.baseline_lines, &base_mark).await?;
    let statement = parse_csv(text.as_bytes(), &CsvLayout::default(), usd)
        .map_err(|e| anyhow::anyhow!("the bench's own statement: {e}"))?;
    let t = Instant::now();
    let mut matched = 0;
    for line in &statement.lines {
        let one = Statement {
            format: statement.format,
            lines: vec![line.clone()],
            money_out: 0,
        };
        let s = reconcile::import(&accounts, "bench-baseline.csv", &one, usd).await?;
        matched += s.by_number + s.by_name + s.by_amount;
    }
    let base = t.elapsed();
    println!(
        "  per line      {} round trips {:>8.1} ms   ({:.2} ms a line, {matched} with a suggestion)",
        statement.lines.len(),
        base.as_secs_f64() * 1e3,
        base.as_secs_f64() * 1e3 / statement.lines.len().max(1) as f64
    );
    Ok(())
}
