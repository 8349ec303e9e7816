//! `clinic-bench icd`: the diagnosis box's ICD-10-CM search (clinic::db::icd10), timed as a doctor
//! typing, keystroke by keystroke, next to the naive substring plan on the same list.
//!
//! The list is the full one every database gets from the migrations, so any generated bench
//! database will do, however few patients it has.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio_postgres::Client;

use clinic::db::icd10;
use clinic::db::plan::sequential_scans;
use clinic::demo::cluster::Cluster;
use clinic::domain::diagnosis::Icd10Query;

use super::stats::{header, line, Samples};
use super::{connect, login_config, BENCH_DB, DOCTOR_LOGIN};

const TARGET: Duration = Duration::from_millis(10);
/// The most characters of a code a doctor types before picking from the list.
const CODE_CHARS: usize = 5;

#[derive(Args)]
pub struct Options {
    /// Timed searches per form (keystrokes, each a search).
    #[arg(long, default_value_t = 500)]
    samples: usize,
    /// Timed runs of the naive baseline per form.
    #[arg(long, default_value_t = 200)]
    naive_samples: usize,
    /// Rows per search, as in the diagnosis box's list.
    #[arg(long, default_value_t = 20)]
    limit: i64,
    /// Seed for choosing the codes typed, so runs are comparable.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub async fn run(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let su = connect(cluster.superuser_config(BENCH_DB)).await?;
    let doctor = connect(login_config(cluster, DOCTOR_LOGIN))
        .await
        .context("signing in as the bench doctor (run `clinic-bench generate` first)")?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let codes = sample_codes(&su, opts.samples, opts.seed).await?;
    describe(&su, opts).await?;

    let forms: Vec<(&str, Vec<String>)> = vec![
        (
            "code, as typed",
            keystrokes(
                codes.iter().map(|(code, _)| typed_code(code, &mut rng)),
                opts.samples,
            ),
        ),
        (
            "words, as typed",
            keystrokes(
                codes
                    .iter()
                    .filter_map(|(_, description)| typed_words(description, &mut rng)),
                opts.samples,
            ),
        ),
    ];

    for (name, inputs) in &forms {
        for typed in inputs.iter().step_by(inputs.len() / 25 + 1) {
            let query = Icd10Query::parse(typed);
            for plan in icd10::explain_search(&doctor, &query, opts.limit).await? {
                anyhow::ensure!(
                    !sequential_scans(&plan).iter().any(|t| t == "icd10cm"),
                    "{name} ({typed:?}) reads the whole list:\n{plan:#}"
                );
            }
        }
    }
    println!("plans: no search form reads clinic.icd10cm sequentially\n");

    let queries: Vec<Vec<Icd10Query>> = forms
        .iter()
        .map(|(_, inputs)| inputs.iter().map(|t| Icd10Query::parse(t)).collect())
        .collect();
    for query in queries.iter().flat_map(|qs| qs.iter().take(20)) {
        icd10::search(&doctor, query, opts.limit).await?;
    }
    // Round-robin over the forms, as `run` does, so a burst of other work falls on both alike.
    let mut times = vec![Vec::new(); queries.len()];
    let mut answered = vec![0usize; queries.len()];
    for k in 0..opts.samples {
        for (form, qs) in queries.iter().enumerate() {
            if let Some(query) = qs.get(k) {
                let t = Instant::now();
                let hits = icd10::search(&doctor, query, opts.limit).await?;
                times[form].push((t.elapsed(), k));
                answered[form] += usize::from(!hits.is_empty());
            }
        }
    }

    println!("{}", header("ICD-10-CM (limit 20)", true));
    let mut all_ours = Vec::new();
    let mut all_naive = Vec::new();
    let mut slowest = Vec::new();
    for (((name, inputs), times), answered) in forms.iter().zip(times).zip(answered) {
        let naive_inputs: Vec<&String> = inputs.iter().take(opts.naive_samples).collect();
        let naive = Samples::measure(&naive_inputs, 5, |typed| {
            naive_search(&doctor, typed, opts.limit)
        })
        .await?;
        all_naive.extend(naive.times().iter().copied());
        let mut by_time = times.clone();
        by_time.sort();
        slowest.extend(
            by_time
                .iter()
                .rev()
                .take(5)
                .map(|(t, k)| format!("{:?} {:.1} ms", inputs[*k], t.as_secs_f64() * 1000.0)),
        );
        let times: Vec<Duration> = times.into_iter().map(|(t, _)| t).collect();
        all_ours.extend(times.iter().copied());
        let measured = Samples::from_times(times);
        println!(
            "{}; answered {:.1}%",
            line(name, &measured, Some(&naive), Some(TARGET)),
            100.0 * answered as f64 / measured.len().max(1) as f64
        );
    }
    println!(
        "{}",
        line(
            "both",
            &Samples::from_times(all_ours),
            Some(&Samples::from_times(all_naive)),
            Some(TARGET)
        )
    );
    let examples: Vec<&str> = forms
        .iter()
        .flat_map(|(_, inputs)| inputs.iter().take(12).map(String::as_str))
        .collect();
    println!("\nthe first inputs of each form: {examples:?}");
    println!("the slowest of each form: {}", slowest.join(", "));
    Ok(())
}

/// What the figures were measured on.
async fn describe(su: &Client, opts: &Options) -> anyhow::Result<()> {
    let row = su
        .query_one(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'),
                    (SELECT count(*) FROM clinic.icd10cm),
                    (SELECT count(*) FROM clinic.icd10cm WHERE billable)",
            &[],
        )
        .await?;
    let (version, buffers, all, billable): (String, String, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    println!(
        "PostgreSQL {version} (shared_buffers {buffers}), {cores} cores; {all} ICD-10-CM entries \
         ({billable} billable); searches as doctor {DOCTOR_LOGIN}, one connection, {} keystrokes \
         per form (naive {}), seed {}\n",
        opts.samples, opts.naive_samples, opts.seed
    );
    Ok(())
}

/// Billable codes drawn at random (repeatably), with their descriptions: what the doctor is
/// looking for.
async fn sample_codes(su: &Client, n: usize, seed: u64) -> anyhow::Result<Vec<(String, String)>> {
    let rows = su
        .query(
            "SELECT code, description FROM clinic.icd10cm WHERE billable
              ORDER BY md5(code || $1::text) LIMIT $2",
            &[&seed.to_string(), &i64::try_from(n)?],
        )
        .await?;
    anyhow::ensure!(!rows.is_empty(), "the bench database has no ICD-10-CM list");
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Each phrase typed one key at a time: every prefix is a search, until there are `n`.
fn keystrokes(phrases: impl Iterator<Item = String>, n: usize) -> Vec<String> {
    phrases
        .flat_map(|p| {
            p.char_indices()
                .map(|(i, c)| p[..i + c.len_utf8()].to_string())
                .collect::<Vec<_>>()
        })
        .take(n)
        .collect()
}

/// The start of a code as a doctor types it: 1 to 5 of its characters, the dot included when
/// they get that far, in lower or upper case.
fn typed_code(code: &str, rng: &mut StdRng) -> String {
    let chars = rng.gen_range(1..=CODE_CHARS);
    let mut out = String::new();
    for c in code.chars() {
        if out.chars().filter(char::is_ascii_alphanumeric).count() == chars {
            break;
        }
        out.push(c);
    }
    if rng.gen_bool(0.5) {
        out.to_lowercase()
    } else {
        out
    }
}

/// Words of a description as a doctor types them: one to three words from one that means
/// something (three letters or more), each cut to its first three to six letters, lower case.
fn typed_words(description: &str, rng: &mut StdRng) -> Option<String> {
    let words: Vec<String> = description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let starts: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].chars().count() >= 3)
        .collect();
    let start = *starts.get(rng.gen_range(0..starts.len().max(1)))?;
    let take = rng.gen_range(1..=3);
    Some(
        words
            .iter()
            .skip(start)
            .take(take)
            .map(|w| w.chars().take(rng.gen_range(3..=6)).collect::<String>())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The baseline: a substring match on the description or a prefix match on the code, in code
/// order, as a plain ICD lookup is often written. No index serves `%q%`. Benchmark-only SQL.
async fn naive_search(doctor: &Client, typed: &str, limit: i64) -> anyhow::Result<usize> {
    let typed = typed.trim().replace(['%', '_', '\\'], "");
    let rows = doctor
        .query(
            "SELECT code, description, chapter, billable FROM clinic.icd10cm
              WHERE description ILIKE '%' || $1 || '%' OR code ILIKE $1 || '%'
              ORDER BY code LIMIT $2",
            &[&typed, &limit],
        )
        .await?;
    Ok(rows.len())
}
