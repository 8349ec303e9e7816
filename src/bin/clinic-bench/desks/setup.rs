//! Before the desks start: their logins, and what they will work on (patients to look up, each
//! doctor's own patients, today's appointments to check in, the week whose slots the desks race
//! for, and the invoices the accountants share).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use anyhow::Context;
use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use tokio_postgres::Client;

use clinic::db::{billing, clinic_settings, staff, Session};
use clinic::domain::invoice::NewLine;
use clinic::domain::money::Currency;
use clinic::domain::schedule::day_bounds;
use clinic::domain::staff::Job;

use super::super::{BENCH_PASSWORD, LOGIN_PREFIX};

/// A patient as the desks know them from the street: what they would type to find them.
pub struct Person {
    pub id: i64,
    pub family: String,
    pub given: String,
    pub dob: NaiveDate,
    pub phone: Option<String>,
}

/// What every desk reads; only the check-in queue changes, and only under its lock.
pub struct Shared {
    pub tz: Tz,
    pub today: NaiveDate,
    pub people: Vec<Person>,
    /// Each doctor's patients (a care relationship: an appointment with them).
    pub care: HashMap<i64, Vec<i64>>,
    /// Today's scheduled appointments not yet checked in, in a random order: each desk takes the
    /// next, as patients arrive at whichever desk is free.
    pub arrivals: Mutex<VecDeque<i64>>,
    /// The doctors whose calendars the receptionists all book into, and the first Monday of
    /// the weeks they book (after everything booked so far, so every run starts from free slots).
    pub hot_doctors: Vec<i64>,
    pub booking_monday: NaiveDate,
    pub invoices: Vec<i64>,
    /// Different in every run (the clock's seconds): what must be new each time is made with it.
    pub run_mark: i64,
}

/// The logins of each kind, made when missing: the receptionists and accountants here, the
/// doctors by `generate` (their calendars hold the appointments, so they have patients).
pub async fn logins(
    su: &Client,
    receptionists: usize,
    doctors: usize,
    accountants: usize,
) -> anyhow::Result<Vec<(String, Job)>> {
    let mut out = Vec::new();
    for n in 1..=receptionists {
        out.push((format!("{LOGIN_PREFIX}desk{n:02}"), Job::Receptionist));
    }
    for n in 1..=doctors {
        out.push((format!("{LOGIN_PREFIX}dr{n:03}"), Job::Doctor));
    }
    for n in 1..=accountants {
        out.push((format!("{LOGIN_PREFIX}acct{n:02}"), Job::Accountant));
    }
    for (login, job) in &out {
        let exists = su
            .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[login])
            .await?
            .is_some();
        match (exists, job) {
            (true, _) => {}
            (false, Job::Doctor) => anyhow::bail!(
                "there is no doctor {login}: run `clinic-bench generate --doctors {doctors}` (or more)"
            ),
            (false, job) => {
                staff::add_staff(su, login, BENCH_PASSWORD, &format!("Bench {login}"), *job)
                    .await
                    .with_context(|| format!("creating {login}"))?;
            }
        }
    }
    Ok(out)
}

/// The clinic's time zone and currency, as the desks' screens read them.
pub async fn clinic(su: &Client) -> anyhow::Result<(Tz, Currency)> {
    let s = clinic_settings::read(su).await?;
    let tz: Tz = s
        .time_zone
        .parse()
        .map_err(|e| anyhow::anyhow!("the clinic's time zone {}: {e}", s.time_zone))?;
    let currency = Currency::parse(&s.currency).context("the clinic's currency")?;
    Ok((tz, currency))
}

/// Everything the desks work on. `invoices` are made by the first accountant (`accounts`), as
/// that office would, each with a total no run pays off, so every payment is applied in full.
pub async fn shared(
    su: &Client,
    accounts: &Session,
    tz: Tz,
    currency: Currency,
    doctor_ids: &[i64],
    opts: &super::Options,
) -> anyhow::Result<Shared> {
    let (hot_doctors, invoices, seed) = (opts.hot_doctors, opts.invoices, opts.seed);
    let today = Utc::now().with_timezone(&tz).date_naive();
    let people = people(su, 3000, seed).await?;
    let care = care(su, doctor_ids, seed).await?;
    let (from, to) = day_bounds(tz, today);
    let arrivals: VecDeque<i64> = su
        .query(
            "SELECT id FROM clinic.appointments
              WHERE starts_at >= $1 AND starts_at < $2 AND status = 'scheduled'
                AND doctor_id = ANY($3)
              ORDER BY md5(id::text || $4)",
            &[&from, &to, &doctor_ids, &seed.to_string()],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let last: chrono::DateTime<Utc> = su
        .query_one(
            "SELECT COALESCE(max(ends_at), now()) FROM clinic.appointments",
            &[],
        )
        .await?
        .get(0);
    let next = last.with_timezone(&tz).date_naive() + TimeDelta::days(7);
    let booking_monday = next - TimeDelta::days(i64::from(next.weekday().num_days_from_monday()));

    let mut made = Vec::with_capacity(invoices);
    let client = accounts.pool.get().await?;
    for n in 0..invoices {
        let patient = people[n % people.len()].id;
        let id = billing::new_invoice(&**client, patient, currency).await?;
        let line = NewLine {
            service_code: None,
            description: Some("Benchmark: a shared account".into()),
            quantity: 1,
            unit_price_minor: Some(1_000_000_000),
            discount_minor: 0,
            tax_rate: None,
        };
        billing::add_line(&**client, id, &line).await?;
        billing::issue(&**client, id, today + TimeDelta::days(30)).await?;
        made.push(id);
    }
    Ok(Shared {
        tz,
        today,
        people,
        care,
        arrivals: Mutex::new(arrivals),
        hot_doctors: doctor_ids
            .iter()
            .take(hot_doctors.max(1))
            .copied()
            .collect(),
        booking_monday,
        invoices: made,
        run_mark: Utc::now().timestamp(),
    })
}

/// Patients drawn at random (repeatably).
async fn people(su: &Client, n: usize, seed: u64) -> anyhow::Result<Vec<Person>> {
    let total: f64 = su
        .query_one(
            "SELECT greatest(reltuples, 1)::float8 FROM pg_class WHERE oid = 'clinic.patients'::regclass",
            &[],
        )
        .await?
        .get(0);
    let percent = (100.0 * 3.0 * n as f64 / total).clamp(0.001, 100.0);
    let rows = su
        .query(
            &format!(
                "SELECT id, family_name, given_names, date_of_birth, phone
                   FROM clinic.patients TABLESAMPLE BERNOULLI ({percent}) REPEATABLE ({seed})
                  ORDER BY md5(id::text) LIMIT {n}"
            ),
            &[],
        )
        .await?;
    anyhow::ensure!(
        !rows.is_empty(),
        "the bench database has no patients: run `clinic-bench generate`"
    );
    Ok(rows
        .iter()
        .map(|r| Person {
            id: r.get(0),
            family: r.get(1),
            given: r.get(2),
            dob: r.get(3),
            phone: r.get(4),
        })
        .collect())
}

/// Some patients of each doctor, from a sample of their appointments.
async fn care(su: &Client, doctors: &[i64], seed: u64) -> anyhow::Result<HashMap<i64, Vec<i64>>> {
    let total: f64 = su
        .query_one(
            "SELECT greatest(reltuples, 1)::float8 FROM pg_class WHERE oid = 'clinic.appointments'::regclass",
            &[],
        )
        .await?
        .get(0);
    let percent = (100.0 * 40_000.0 / total).clamp(0.001, 100.0);
    let rows = su
        .query(
            &format!(
                "SELECT doctor_id, (array_agg(DISTINCT patient_id))[1:300]
                   FROM clinic.appointments TABLESAMPLE BERNOULLI ({percent}) REPEATABLE ({seed})
                  WHERE doctor_id = ANY($1) AND status <> 'cancelled'
                  GROUP BY doctor_id"
            ),
            &[&doctors],
        )
        .await?;
    let care: HashMap<i64, Vec<i64>> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    for d in doctors {
        anyhow::ensure!(
            care.get(d).is_some_and(|p| !p.is_empty()),
            "doctor {d} has no appointments in the bench data"
        );
    }
    Ok(care)
}
