//! `clinic-bench run`: the desk's lookups, the duplicate check and the calendar views, timed as a
//! receptionist on the generated data, each lookup next to the naive plan many web EHRs use
//! (`ILIKE '%q%'` across name, phone and email).

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio_postgres::Client;

use clinic::db::appointments;
use clinic::db::patients;
use clinic::demo::cluster::Cluster;
use clinic::domain::patient::PatientHit;
use clinic::domain::patient::{SearchQuery, Sex, ValidPatient};

use super::stats::{header_prepared, line_prepared, Samples};
use super::{connect, login_config, pooled, BENCH_DB, DESK_LOGIN};

/// The clinic's local date format in the bench (only the ISO form is typed below).
const LOCAL_DATE: &str = "%d/%m/%Y";
/// Issue 11's targets at 1,000,000 patients and 10,000,000 appointments.
const LOOKUP_TARGET: Duration = Duration::from_millis(2);
const DUPLICATE_TARGET: Duration = Duration::from_millis(3);
const WEEK_TARGET: Duration = Duration::from_millis(2);
const DAY_TARGET: Duration = Duration::from_millis(3);

#[derive(Args)]
pub struct Options {
    /// Timed runs per lookup form (each with a different input drawn from the data).
    #[arg(long, default_value_t = 500)]
    samples: usize,
    /// Timed runs of the naive baseline per form; each reads the whole table, so keep it small.
    #[arg(long, default_value_t = 20)]
    naive_samples: usize,
    /// Rows per lookup, as on the desk's screen.
    #[arg(long, default_value_t = 20)]
    limit: i64,
    /// Seed for choosing the inputs, so runs are comparable.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// PostgreSQL's plan_cache_mode on the prepared connection: auto (the server's default, as
    /// the app runs), force_generic_plan or force_custom_plan, to compare the plans.
    #[arg(long, default_value = "auto")]
    plan_cache_mode: String,
}

/// What is typed for one lookup, and which sampled patient it was derived from.
type Typed = (String, usize);
/// Whether a hit is the patient a lookup was derived from.
type Found = Option<fn(&Sampled, &PatientHit) -> bool>;

/// A real patient, as typed inputs are derived from one.
struct Sampled {
    family: String,
    given: String,
    dob: NaiveDate,
    phone: Option<String>,
    email: Option<String>,
    number: i64,
}

pub async fn run(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let mut su = connect(cluster.superuser_config(BENCH_DB)).await?;
    // A bench database made before the latest migrations gets them, as a clinic's would.
    let applied = clinic::db::migrate::migrate(&mut su).await?;
    if !applied.is_empty() {
        eprintln!("migrated: {}", applied.join(", "));
    }
    // The desk as the app connects: pooled, each statement prepared once per connection. Beside it
    // the same login on a bare connection, which plans every call (the app before prepared
    // statements).
    let (_pool, desk) = pooled(login_config(cluster, DESK_LOGIN))
        .await
        .context("signing in as the bench receptionist (run `clinic-bench generate` first)")?;
    desk.batch_execute(&format!(
        "SET plan_cache_mode = {}",
        quote_setting(&opts.plan_cache_mode)?
    ))
    .await?;
    let bare = connect(login_config(cluster, DESK_LOGIN)).await?;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let people = sample_patients(&su, opts.samples.max(opts.naive_samples), opts.seed).await?;
    describe(&su, opts).await?;

    // Each form: its name, (what is typed, whom it was derived from), and when the result counts as
    // having found that patient (None: the form only narrows, as a surname or a birth date does).
    let same_name: fn(&Sampled, &PatientHit) -> bool =
        |p, h| h.family_name == p.family && first_word(&h.given_names) == first_word(&p.given);
    let same_patient: fn(&Sampled, &PatientHit) -> bool = |p, h| h.patient_number == p.number;
    let mut typed = |f: &mut dyn FnMut(&Sampled, &mut StdRng) -> Option<String>| -> Vec<Typed> {
        people
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((f(p, &mut rng)?, i)))
            .collect()
    };
    let forms: Vec<(&str, Vec<Typed>, Found)> = vec![
        (
            "partial surname",
            typed(&mut |p, r| Some(partial(&p.family, r))),
            None,
        ),
        (
            "full name",
            typed(&mut |p, _| Some(format!("{} {}", first_word(&p.given), p.family))),
            Some(same_name),
        ),
        (
            "name with a typo",
            typed(&mut |p, r| Some(format!("{} {}", first_word(&p.given), typo(&p.family, r)))),
            Some(same_name),
        ),
        (
            "date of birth",
            typed(&mut |p, _| Some(p.dob.format("%Y-%m-%d").to_string())),
            None,
        ),
        (
            "phone tail",
            typed(&mut |p, _| phone_tail(p.phone.as_deref()?)),
            Some(same_patient),
        ),
        (
            "patient number",
            typed(&mut |p, _| Some(p.number.to_string())),
            Some(same_patient),
        ),
        (
            "email prefix",
            typed(&mut |p, _| Some(format!("{}@", p.email.as_deref()?.split('@').next()?))),
            None,
        ),
    ];

    // Every form's statements, planned as the receptionist: none may read the whole table.
    for (name, inputs, _) in &forms {
        for (typed, _) in inputs.iter().take(5) {
            let query = SearchQuery::parse(typed, LOCAL_DATE);
            for plan in patients::explain_search(&desk, &query, opts.limit).await? {
                let scans = patients::sequential_scans(&plan);
                anyhow::ensure!(
                    !scans.iter().any(|t| t == "patients"),
                    "{name} ({typed:?}) reads all patients:\n{plan:#}"
                );
            }
        }
    }
    println!("plans: no lookup form reads the patients table sequentially\n");

    // Round-robin over the forms, so a burst of other work on the machine falls on every form
    // alike instead of on whichever was being measured at the time.
    let queries: Vec<Vec<SearchQuery>> = forms
        .iter()
        .map(|(_, inputs, _)| {
            inputs
                .iter()
                .take(opts.samples)
                .map(|(t, _)| SearchQuery::parse(t, LOCAL_DATE))
                .collect()
        })
        .collect();
    for query in queries.iter().flat_map(|qs| qs.iter().take(20)) {
        patients::search(&desk, query, opts.limit).await?;
        patients::search(&bare, query, opts.limit).await?;
    }
    let mut times = vec![Vec::new(); queries.len()];
    let mut planned = vec![Vec::new(); queries.len()];
    let mut found = vec![0usize; queries.len()];
    for k in 0..opts.samples {
        for (form, qs) in queries.iter().enumerate() {
            if let Some(query) = qs.get(k) {
                // Once untimed, so neither connection pays for reading the pages first, then each
                // timed, in turns of who goes first.
                patients::search(&bare, query, opts.limit).await?;
                let mut hits = Vec::new();
                for turn in [k % 2, 1 - k % 2] {
                    let t = Instant::now();
                    if turn == 0 {
                        hits = patients::search(&desk, query, opts.limit).await?;
                        times[form].push(t.elapsed());
                    } else {
                        patients::search(&bare, query, opts.limit).await?;
                        planned[form].push(t.elapsed());
                    }
                }
                let (_, inputs, test) = &forms[form];
                if let Some(test) = test {
                    let person = &people[inputs[k].1];
                    found[form] += usize::from(hits.iter().any(|h| test(person, h)));
                }
            }
        }
    }
    println!("{}", header_prepared("lookup (limit 20)"));
    for ((((name, inputs, test), times), planned), found) in
        forms.iter().zip(times).zip(planned).zip(found)
    {
        let naive_inputs: Vec<&String> = inputs
            .iter()
            .take(opts.naive_samples)
            .map(|(t, _)| t)
            .collect();
        let naive = Samples::measure(&naive_inputs, 1, |typed| {
            naive_lookup(&desk, typed, opts.limit)
        })
        .await?;
        let measured = Samples::from_times(times);
        let planned = Samples::from_times(planned);
        let mut out = line_prepared(name, &measured, &planned, Some(&naive), Some(LOOKUP_TARGET));
        if test.is_some() {
            out.push_str(&format!(
                "; found {:.1}%",
                100.0 * found as f64 / measured.len().max(1) as f64
            ));
        }
        println!("{out}");
    }

    println!("\n{}", header_prepared("before registering"));
    let drafts: Vec<ValidPatient> = people
        .iter()
        .take(opts.samples)
        .enumerate()
        .map(|(i, p)| draft_like(p, i % 2 == 1, &mut rng))
        .collect();
    let drafts: Vec<&ValidPatient> = drafts.iter().collect();
    // Each registration copies a real patient (half with a slip in the surname): is that patient
    // among the candidates? Checked apart from the timing,
    // and before it, so neither connection pays for reading the pages first.
    let mut found = 0usize;
    for (d, p) in drafts.iter().zip(&people) {
        let candidates = patients::duplicates(&desk, d, None).await?;
        found += usize::from(
            candidates
                .iter()
                .any(|c| c.patient.patient_number == p.number),
        );
    }
    let dups = Samples::measure(&drafts, 20, |d| {
        let (desk, d) = (&desk, *d);
        async move { Ok(patients::duplicates(desk, d, None).await?) }
    })
    .await?;
    let dups_planned = Samples::measure(&drafts, 20, |d| {
        let (bare, d) = (&bare, *d);
        async move { Ok(patients::duplicates(bare, d, None).await?) }
    })
    .await?;
    let mut out = line_prepared(
        "duplicate check",
        &dups,
        &dups_planned,
        None,
        Some(DUPLICATE_TARGET),
    );
    out.push_str(&format!(
        "; found {:.1}%",
        100.0 * found as f64 / drafts.len().max(1) as f64
    ));
    println!("{out}");

    calendar(&su, &desk, &bare, opts, &mut rng).await
}

/// A value for `SET name = value`, checked to be a plain word.
fn quote_setting(value: &str) -> anyhow::Result<&str> {
    anyhow::ensure!(
        !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "not a setting value: {value:?}"
    );
    Ok(value)
}

/// One lookup as the desk would run it, printed with its time and the statements' plans checked.
pub async fn search_once(cluster: &Cluster, typed: &str) -> anyhow::Result<()> {
    let (_pool, desk) = pooled(login_config(cluster, DESK_LOGIN)).await?;
    let query = SearchQuery::parse(typed, LOCAL_DATE);
    // Six times to warm the connection as a desk's would be (PostgreSQL settles on a prepared
    // statement's generic plan after five runs), then timed.
    for _ in 0..6 {
        patients::search(&desk, &query, 20).await?;
    }
    let t = std::time::Instant::now();
    let hits = patients::search(&desk, &query, 20).await?;
    let took = t.elapsed();
    println!(
        "{:.2} ms: {query:?}, {} hits (prepared, warm)",
        took.as_secs_f64() * 1000.0,
        hits.len(),
    );
    for h in &hits {
        let next = h
            .next_appointment
            .as_ref()
            .map(|a| {
                format!(
                    "next {} with {}",
                    a.starts_at.format("%Y-%m-%d %H:%M"),
                    a.doctor
                )
            })
            .unwrap_or_default();
        println!(
            "{:>8} {:<34} {} {:<20} {:<34} {}{}",
            h.patient_number,
            format!("{}, {}", h.family_name, h.given_names),
            h.date_of_birth,
            h.phone.as_deref().unwrap_or(""),
            h.email.as_deref().unwrap_or(""),
            if h.similar { "(similar) " } else { "" },
            next
        );
    }
    Ok(())
}

/// What the figures were measured on.
async fn describe(su: &Client, opts: &Options) -> anyhow::Result<()> {
    let row = su
        .query_one(
            "SELECT current_setting('server_version'), current_setting('shared_buffers'),
                    (SELECT reltuples::bigint FROM pg_class WHERE oid = 'clinic.patients'::regclass),
                    (SELECT reltuples::bigint FROM pg_class WHERE oid = 'clinic.appointments'::regclass)",
            &[],
        )
        .await?;
    let (version, buffers, patients, appts): (String, String, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let cores = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1);
    println!(
        "PostgreSQL {version} (shared_buffers {buffers}), {cores} cores; {patients} patients, {appts} appointments; \
         queries as receptionist {DESK_LOGIN}, one connection, {} inputs per form (naive {}), seed {}\n",
        opts.samples, opts.naive_samples, opts.seed
    );
    Ok(())
}

/// Patients drawn at random (repeatably): the inputs are what a desk would type to find them.
async fn sample_patients(su: &Client, n: usize, seed: u64) -> anyhow::Result<Vec<Sampled>> {
    let total: f64 = su
        .query_one("SELECT greatest(reltuples, 1)::float8 FROM pg_class WHERE oid = 'clinic.patients'::regclass", &[])
        .await?
        .get(0);
    let percent = (100.0 * 3.0 * n as f64 / total).clamp(0.001, 100.0);
    let sql = format!(
        "SELECT family_name, given_names, date_of_birth, phone, email, patient_number
           FROM clinic.patients TABLESAMPLE BERNOULLI ({percent}) REPEATABLE ({seed})
          ORDER BY md5(id::text) LIMIT {n}"
    );
    let rows = su.query(&sql, &[]).await?;
    anyhow::ensure!(
        !rows.is_empty(),
        "the bench database has no patients: run `clinic-bench generate`"
    );
    Ok(rows
        .iter()
        .map(|r| Sampled {
            family: r.get(0),
            given: r.get(1),
            dob: r.get(2),
            phone: r.get(3),
            email: r.get(4),
            number: r.get(5),
        })
        .collect())
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or(s)
}

/// The first three to five letters of a surname, as typed before the list is good enough.
fn partial(family: &str, rng: &mut StdRng) -> String {
    family
        .chars()
        .take(rng.gen_range(3..=5))
        .collect::<String>()
        .to_lowercase()
}

/// One slip of the keyboard in a word: two neighbours swapped, one letter dropped, doubled or
/// replaced (not in the first letter, which people rarely get wrong).
fn typo(word: &str, rng: &mut StdRng) -> String {
    let mut c: Vec<char> = word.to_lowercase().chars().collect();
    if c.len() < 4 {
        return c.into_iter().collect();
    }
    let i = rng.gen_range(1..c.len() - 1);
    match rng.gen_range(0..4) {
        0 => c.swap(i, i + 1),
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, c[i]),
        _ => c[i] = if c[i] == 'e' { 'a' } else { 'e' },
    }
    c.into_iter().collect()
}

/// The last six digits, written as a desk might read them off a form ("946 095").
fn phone_tail(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let tail = &digits[digits.len().checked_sub(6)?..];
    Some(format!("{} {}", &tail[..3], &tail[3..]))
}

/// A registration that may duplicate `p`: the same details, or (when `slip`) with a typo in the
/// surname.
fn draft_like(p: &Sampled, slip: bool, rng: &mut StdRng) -> ValidPatient {
    ValidPatient {
        family_name: if slip {
            typo(&p.family, rng)
        } else {
            p.family.clone()
        },
        given_names: p.given.clone(),
        preferred_name: None,
        date_of_birth: p.dob,
        sex: Sex::Unknown,
        gender_identity: None,
        phone: p.phone.clone(),
        email: p.email.clone(),
        address_line1: None,
        address_line2: None,
        city: None,
        postcode: None,
        emergency_contact_name: None,
        emergency_contact_phone: None,
        insurer: None,
        insurance_number: None,
    }
}

/// The baseline: a substring match over name, phone and email, alphabetical, as many web EHRs
/// search. No index can serve `%q%`, so every lookup reads the whole table. Benchmark-only SQL.
async fn naive_lookup(desk: &Client, typed: &str, limit: i64) -> anyhow::Result<usize> {
    let pattern = format!("%{}%", typed.replace(['%', '_', '\\'], ""));
    let rows = desk
        .query(
            "SELECT id, patient_number, family_name, given_names, date_of_birth, phone, email
               FROM clinic.patients
              WHERE family_name ILIKE $1 OR given_names ILIKE $1 OR phone ILIKE $1 OR email ILIKE $1
              ORDER BY family_name, given_names LIMIT $2",
            &[&pattern, &limit],
        )
        .await?;
    Ok(rows.len())
}

/// The scheduling screens' reads (clinic::db::appointments), on the same data: one doctor's week
/// and every doctor's day, at dates drawn from the generated calendar.
async fn calendar(
    su: &Client,
    desk: &deadpool_postgres::Client,
    bare: &Client,
    opts: &Options,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let tz = chrono_tz::UTC;
    let row = su
        .query_one(
            "SELECT (SELECT array_agg(id) FROM clinic.staff WHERE job = 'doctor'),
                    (SELECT min(starts_at)::date FROM clinic.appointments),
                    (SELECT max(starts_at)::date FROM clinic.appointments)",
            &[],
        )
        .await?;
    let (doctors, first, last): (Option<Vec<i64>>, Option<NaiveDate>, Option<NaiveDate>) =
        (row.get(0), row.get(1), row.get(2));
    let (Some(doctors), Some(first), Some(last)) = (doctors, first, last) else {
        println!("\n(no appointments: calendar views skipped)");
        return Ok(());
    };
    let span = (last - first).num_days().max(1);
    let mut days = Vec::new();
    for _ in 0..opts.samples {
        let day = first + chrono::Duration::days(rng.gen_range(0..span));
        let doctor = doctors[rng.gen_range(0..doctors.len())];
        days.push((doctor, day));
    }
    // Every day read once untimed first, so the first of the two measurements does not pay for
    // reading the pages from disk.
    for &(doctor, day) in &days {
        let monday = day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()));
        appointments::week_view(bare, doctor, monday, tz).await?;
        appointments::day_view(bare, day, tz).await?;
    }
    println!("\n{}", header_prepared("calendar (db::appointments)"));
    let monday = |day: NaiveDate| {
        day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
    };
    let weeks = Samples::measure(&days, 20, |&(doctor, day)| async move {
        Ok(appointments::week_view(desk, doctor, monday(day), tz).await?)
    })
    .await?;
    let weeks_planned = Samples::measure(&days, 20, |&(doctor, day)| async move {
        Ok(appointments::week_view(bare, doctor, monday(day), tz).await?)
    })
    .await?;
    println!(
        "{}",
        line_prepared(
            "week view, one doctor",
            &weeks,
            &weeks_planned,
            None,
            Some(WEEK_TARGET)
        )
    );
    let days_view = Samples::measure(&days, 20, |&(_, day)| async move {
        Ok(appointments::day_view(desk, day, tz).await?)
    })
    .await?;
    let days_planned = Samples::measure(&days, 20, |&(_, day)| async move {
        Ok(appointments::day_view(bare, day, tz).await?)
    })
    .await?;
    println!(
        "{}",
        line_prepared(
            "day view, all doctors",
            &days_view,
            &days_planned,
            None,
            Some(DAY_TARGET)
        )
    );
    Ok(())
}
