//! Booking throughput: many desks racing for the same slots at once, each on its own connection as
//! the receptionist, through the app's own `book`; then proof that no slot was taken twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveTime, TimeDelta};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use clinic::db::appointments::{self, BookError};
use clinic::demo::cluster::Cluster;
use clinic::domain::appointment::NewAppointment;

use super::stats::{header, line, Samples};
use super::{connect, login_config, BENCH_DB, DESK_LOGIN};

/// Desks racing, slots they race for, and tries per desk.
pub struct Race {
    pub desks: usize,
    pub slots: usize,
    pub tries_per_desk: usize,
    pub seed: u64,
}

impl Default for Race {
    fn default() -> Self {
        Self {
            desks: 16,
            slots: 100,
            tries_per_desk: 50,
            seed: 42,
        }
    }
}

#[derive(Default)]
struct Tally {
    booked: usize,
    taken: usize,
    other: HashMap<String, usize>,
    times: Vec<Duration>,
}

/// Race `race.desks` desks for `race.slots` 15-minute slots over two doctors on a day no one has
/// booked yet; print throughput, latency, and the count of double bookings (which must be 0).
pub async fn run(cluster: &Cluster, race: &Race) -> anyhow::Result<()> {
    let su = connect(cluster.superuser_config(BENCH_DB)).await?;
    let tz = chrono_tz::UTC;
    let doctors: Vec<i64> = su
        .query(
            "SELECT id FROM clinic.staff WHERE job = 'doctor' ORDER BY id LIMIT 2",
            &[],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    anyhow::ensure!(
        doctors.len() == 2,
        "the bench database needs two doctors: run generate"
    );
    let patients: Vec<i64> = su
        .query("SELECT id FROM clinic.patients ORDER BY id LIMIT 500", &[])
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    // A weekday after everything booked so far, so every slot starts free and every run is alike.
    let last: chrono::DateTime<chrono::Utc> = su
        .query_one(
            "SELECT COALESCE(max(ends_at), now()) FROM clinic.appointments",
            &[],
        )
        .await?
        .get(0);
    let mut day = last.with_timezone(&tz).date_naive() + TimeDelta::days(7);
    while day.weekday().number_from_monday() > 5 {
        day += TimeDelta::days(1);
    }
    let per_doctor = race.slots.div_ceil(2);
    let first = day
        .and_time(NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default())
        .and_utc();
    let slot = |n: usize| {
        let doctor = doctors[n % 2];
        let index = i64::try_from(n / 2).unwrap_or(0);
        let starts_at = first + TimeDelta::minutes(15 * index);
        (doctor, starts_at, starts_at + TimeDelta::minutes(15))
    };
    let slots = per_doctor * 2;

    let mut desks = Vec::with_capacity(race.desks);
    for _ in 0..race.desks {
        desks.push(connect(login_config(cluster, DESK_LOGIN)).await?);
    }
    let deadlocks_before = deadlocks(&su).await?;
    let patients = Arc::new(patients);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (n, desk) in desks.into_iter().enumerate() {
        let patients = patients.clone();
        let tries = race.tries_per_desk;
        let mut rng = StdRng::seed_from_u64(race.seed + n as u64);
        let picks: Vec<usize> = (0..tries).map(|_| rng.gen_range(0..slots)).collect();
        let bookings: Vec<NewAppointment> = picks
            .into_iter()
            .map(|pick| {
                let (doctor_id, starts_at, ends_at) = slot(pick);
                NewAppointment {
                    patient_id: patients[rng.gen_range(0..patients.len())],
                    doctor_id,
                    starts_at,
                    ends_at,
                    reason: Some("Benchmark".into()),
                    squeeze_in: true,
                    overlap_ok: true,
                }
            })
            .collect();
        tasks.spawn(async move {
            let mut tally = Tally::default();
            for new in &bookings {
                let t = Instant::now();
                let result = appointments::book(&desk, new, tz).await;
                tally.times.push(t.elapsed());
                match result {
                    Ok(_) => tally.booked += 1,
                    Err(BookError::SlotTaken { .. }) => tally.taken += 1,
                    Err(e) => *tally.other.entry(e.to_string()).or_default() += 1,
                }
            }
            tally
        });
    }
    let mut all = Tally::default();
    while let Some(done) = tasks.join_next().await {
        let t = done?;
        all.booked += t.booked;
        all.taken += t.taken;
        all.times.extend(t.times);
        for (k, v) in t.other {
            *all.other.entry(k).or_default() += v;
        }
    }
    let elapsed = started.elapsed();
    // The desks' connections are closed by now; each server process reports its deadlocks as it
    // exits, and the statistics reach pg_stat_database within a moment.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let deadlocked = deadlocks(&su).await? - deadlocks_before;
    let (from, to) = (
        first,
        first + TimeDelta::minutes(15 * i64::try_from(per_doctor)?),
    );
    let (double, live) = overlaps_and_held(&su, from, to, &doctors).await?;
    // Leave the day free again for the next run (cancelled rows hold no slot), as the desk would.
    let desk = connect(login_config(cluster, DESK_LOGIN)).await?;
    desk.execute(
        "UPDATE clinic.appointments SET status = 'cancelled', cancel_reason = 'benchmark clean-up'
          WHERE starts_at >= $1 AND starts_at < $2 AND doctor_id = ANY($3) AND status = 'scheduled'",
        &[&from, &to, &doctors],
    )
    .await?;

    let attempts = all.booked + all.taken + all.other.values().sum::<usize>();
    println!(
        "\nbooking: {} desks, each its own connection as the receptionist, {} tries each at random \
         among {slots} slots of 2 doctors",
        race.desks, race.tries_per_desk
    );
    println!("{}", header("booking", false));
    println!(
        "{}",
        line(
            "one booking attempt",
            &Samples::from_times(all.times),
            None,
            None
        )
    );
    println!(
        "attempts {attempts}, booked {}, refused as taken {}, other errors {}; {:.0} attempts/s over {:.2} s",
        all.booked,
        all.taken,
        all.other.values().sum::<usize>(),
        attempts as f64 / elapsed.as_secs_f64().max(1e-9),
        elapsed.as_secs_f64()
    );
    for (what, n) in &all.other {
        println!("  {n} x {what}");
    }
    println!("deadlocks the server detected (each one a desk's retry): {deadlocked}");
    println!(
        "slots held after the race {live} (of {slots}); double bookings: {double}{}",
        if double == 0 { "" } else { "  <-- MUST BE 0" }
    );
    anyhow::ensure!(double == 0, "{double} double bookings");
    anyhow::ensure!(
        usize::try_from(live)? == all.booked,
        "{} bookings reported but {live} held",
        all.booked
    );
    Ok(())
}

/// The server's count of deadlocks detected in this database so far.
async fn deadlocks(su: &tokio_postgres::Client) -> anyhow::Result<i64> {
    Ok(su
        .query_one(
            "SELECT pg_stat_clear_snapshot(), deadlocks FROM pg_stat_database
              WHERE datname = current_database()",
            &[],
        )
        .await?
        .get(1))
}

/// After a run of bookings between `from` and `to`: how many pairs of live appointments of one
/// doctor overlap (must be 0), and how many live appointments `doctors` hold there.
pub async fn overlaps_and_held(
    su: &tokio_postgres::Client,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    doctors: &[i64],
) -> anyhow::Result<(i64, i64)> {
    let double: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.appointments a JOIN clinic.appointments b
                 ON a.doctor_id = b.doctor_id AND a.id < b.id
                AND tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
              WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'
                AND a.starts_at >= $1 AND a.starts_at < $2 AND b.starts_at >= $1 AND b.starts_at < $2",
            &[&from, &to],
        )
        .await?
        .get(0);
    let held: i64 = su
        .query_one(
            "SELECT count(*) FROM clinic.appointments
              WHERE status <> 'cancelled' AND starts_at >= $1 AND starts_at < $2 AND doctor_id = ANY($3)",
            &[&from, &to, &doctors],
        )
        .await?
        .get(0);
    Ok((double, held))
}
