//! `clinic-bench desks`: a clinic's staff at work at once for a fixed time (30 receptionists, 15
//! doctors and 5 accountants by default), each signed in with their own login through the app's
//! own sign-in (`db::login`: their own deadpool pool of up to 4 connections) and listening for
//! live updates on a connection of their own, as the app does, their loaded screens re-reading
//! on every change they hear (live.rs). Each works at human speed through
//! the db functions the app's screens call; the figures are every answer's time as the desk
//! would wait for it (a connection from the pool included).
//!
//! At the end: per operation N and p50/p95/p99 with unexpected errors and expected refusals (a
//! slot taken by another desk); no double bookings; the payments the bench made equal to what
//! the database holds for each invoice; the audit chain whole; and the most connections the
//! server held at once, against its max_connections.

mod accounts;
mod doctors;
mod live;
mod reception;
mod setup;
mod tally;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::TimeDelta;
use deadpool_postgres::Pool;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::mpsc::unbounded_channel;

use clinic::config::{ServerConfig, SslMode};
use clinic::db::{self, appointments, listen, pool, Session};
use clinic::demo::cluster::Cluster;
use clinic::domain::staff::Job;

use self::live::OnScreen;
use self::setup::Shared;
use self::tally::Tally;
use super::{connect, BENCH_DB, BENCH_PASSWORD};

/// Every operation's p95 should be at most this (issue 11).
const TARGET: Duration = Duration::from_millis(20);
/// The most connections one signed-in desk can hold: its pool's 4 (src/db/pool.rs) and the
/// live-update listener.
const MOST_PER_DESK: f64 = 5.0;
/// Connections kept for everything that is not a desk (docs/deploy.md, Sizing).
const OTHER_CONNECTIONS: f64 = 10.0;

#[derive(clap::Args)]
pub struct Options {
    /// Receptionists (lookups, check-ins, bookings, registrations).
    #[arg(long, default_value_t = 30)]
    receptionists: usize,
    /// Doctors (charts, notes); generate makes 20.
    #[arg(long, default_value_t = 15)]
    doctors: usize,
    /// Accountants (payments on shared invoices).
    #[arg(long, default_value_t = 5)]
    accountants: usize,
    /// How long they work, in seconds.
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// Scale of the pauses between steps (talking, reading, filling in a form): 1 is human pace,
    /// 0.1 ten times busier. Typing speed, and so the debounce, is never scaled.
    #[arg(long, default_value_t = 1.0)]
    think: f64,
    /// Doctors whose calendars every receptionist books into (fewer: more contention).
    #[arg(long, default_value_t = 3)]
    hot_doctors: usize,
    /// Invoices the accountants share (all of them pay on all of them).
    #[arg(long, default_value_t = 3)]
    invoices: usize,
    /// Seconds of a quiet clinic first (one receptionist, one doctor, one accountant at work,
    /// the others signed in): the baseline printed beside each figure. 0 skips it.
    #[arg(long, default_value_t = 30)]
    quiet_seconds: u64,
    /// What the desks' screens re-read on each change their listener hears: `views`, the whole
    /// view of the screen in front after the desk's short wait, as the app's screens do; `eager`,
    /// every loaded screen's view at once, as the app did before; `entry`, only the appointment the notification
    /// names (one row per screen, a change the screens could make); `off`, nothing (listening
    /// only), to see what the re-reads cost.
    #[arg(long, value_enum, default_value_t = live::Reread::Views)]
    refetch: live::Reread,
    /// Seed for everything chosen at random, so runs are comparable.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// One person at work: their pool, their own dice and what they measured.
pub struct Desk {
    pub pool: Pool,
    /// What this person has on screen, re-read by their listener on every change.
    pub screens: Arc<Mutex<OnScreen>>,
    pub rng: StdRng,
    pub tally: Tally,
    pub deadline: Instant,
    pub shared: Arc<Shared>,
    think: f64,
}

/// A human pause of between `seconds.start` and `seconds.end` (scaled by `--think`), never past
/// the end of the run. Whether the desk is still at work after it: a step begun before the end
/// is finished, but none is begun after it.
pub async fn pause(desk: &mut Desk, seconds: Range<f64>) -> bool {
    let s = desk.rng.gen_range(seconds) * desk.think;
    let until = (Instant::now() + Duration::from_secs_f64(s.max(0.0))).min(desk.deadline);
    tokio::time::sleep_until(until.into()).await;
    Instant::now() < desk.deadline
}

/// CPU time this process has used so far (all threads), from /proc: the bench's own desks run on
/// the server's machine, and what they cost it is part of the picture.
fn own_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 a second).
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// A signed-in person: their session, their job, what their screens show and what they will
/// have loaded once at work.
#[derive(Clone)]
struct Staff {
    session: Session,
    job: Job,
    screens: Arc<Mutex<OnScreen>>,
    at_work: OnScreen,
}

impl Staff {
    /// At work: the screens of their job are loaded (and re-read on changes from now on).
    fn sit_down(&self) {
        if let Ok(mut on) = self.screens.lock() {
            *on = self.at_work;
        }
    }
}

impl Desk {
    /// The desk opened or moved a screen that re-reads itself on changes.
    pub fn show(&self, change: impl FnOnce(&mut OnScreen)) {
        if let Ok(mut on) = self.screens.lock() {
            change(&mut on);
        }
    }
}

/// The most connections seen at once while the desks worked.
#[derive(Default, Debug, Clone, Copy)]
struct Peak {
    bench: i64,
    listening: i64,
    active: i64,
    all_clients: i64,
}

pub async fn run(cluster: &Cluster, opts: &Options) -> anyhow::Result<()> {
    let su = connect(cluster.superuser_config(BENCH_DB))
        .await
        .context("the bench database (run `clinic-bench generate` first)")?;
    let logins = setup::logins(&su, opts.receptionists, opts.doctors, opts.accountants).await?;
    let (tz, currency) = setup::clinic(&su).await?;
    let server = ServerConfig {
        host: "127.0.0.1".into(),
        port: cluster.port,
        dbname: BENCH_DB.into(),
        sslmode: SslMode::Disable,
        ..ServerConfig::default()
    };
    let signing_in = Instant::now();
    let mut sessions = Vec::with_capacity(logins.len());
    for (login, job) in &logins {
        let session = db::login(&server, login, BENCH_PASSWORD)
            .await
            .map_err(|e| anyhow::anyhow!("signing in as {login}: {e}"))?;
        sessions.push((session, *job));
    }
    let signed_in = signing_in.elapsed();
    let doctor_ids: Vec<i64> = sessions
        .iter()
        .filter(|(_, j)| *j == Job::Doctor)
        .map(|(s, _)| s.me.staff_id)
        .collect();
    let accounts = sessions
        .iter()
        .find(|(_, j)| *j == Job::Accountant)
        .map(|(s, _)| s.clone())
        .context("at least one accountant")?;
    let desk_pool = sessions
        .iter()
        .find(|(_, j)| *j == Job::Receptionist)
        .map(|(s, _)| s.pool.clone())
        .context("at least one receptionist")?;
    let shared = Arc::new(setup::shared(&su, &accounts, tz, currency, &doctor_ids, opts).await?);
    let arrivals = shared.arrivals.lock().map(|a| a.len()).unwrap_or(0);
    let max_connections: String = su.query_one("SHOW max_connections", &[]).await?.get(0);
    let server_version: String = su.query_one("SHOW server_version", &[]).await?.get(0);
    let counts = su
        .query_one(
            "SELECT (SELECT reltuples::bigint FROM pg_class WHERE oid = 'clinic.patients'::regclass),
                    (SELECT reltuples::bigint FROM pg_class WHERE oid = 'clinic.appointments'::regclass)",
            &[],
        )
        .await?;
    let (patients, appts): (i64, i64) = (counts.get(0), counts.get(1));
    println!(
        "PostgreSQL {server_version} (max_connections {max_connections}), {} cores; {patients} patients, \
         {appts} appointments\n{} receptionists, {} doctors, {} accountants, each signed in as their own \
         login (all {} in {:.1} s) with the app's pool and a live-update listener (on each change the \
         loaded screens re-read {}); {} s at think {}; \
         {arrivals} arrivals today to check in, {} doctors' calendars booked into from {}, {} shared \
         invoices; seed {}\n",
        std::thread::available_parallelism().map(usize::from).unwrap_or(1),
        opts.receptionists,
        opts.doctors,
        opts.accountants,
        sessions.len(),
        signed_in.as_secs_f64(),
        opts.refetch.words(),
        opts.seconds,
        opts.think,
        shared.hot_doctors.len(),
        shared.booking_monday,
        shared.invoices.len(),
        opts.seed
    );

    // Live updates: every desk listens, as the app does, and its loaded screens re-read on each
    // change. At work, every receptionist has the queue and a week of the calendar loaded and
    // every doctor their day.
    let heard = Arc::new(AtomicUsize::new(0));
    let mut listeners = Vec::new();
    let mut refetched = Vec::new();
    let mut staff = Vec::with_capacity(sessions.len());
    for (n, ((session, job), (login, _))) in sessions.into_iter().zip(&logins).enumerate() {
        let (tx, rx) = unbounded_channel();
        let cfg = pool::pg_config(&server, login, BENCH_PASSWORD);
        listeners.push(listen::spawn_for_server(&server, cfg, tx).map_err(anyhow::Error::msg)?);
        let on = match job {
            _ if opts.refetch == live::Reread::Off => OnScreen::default(),
            Job::Receptionist => OnScreen {
                queue: true,
                week: Some((
                    shared.hot_doctors[n % shared.hot_doctors.len()],
                    shared.booking_monday,
                )),
                doctor_day: false,
                front: live::Front::Queue,
            },
            Job::Doctor => OnScreen {
                doctor_day: true,
                front: live::Front::DoctorDay,
                ..OnScreen::default()
            },
            _ => OnScreen::default(),
        };
        // Signed in, nothing loaded yet: the quiet clinic's idle desks re-read nothing.
        let screens = Arc::new(Mutex::new(OnScreen::default()));
        let tally = Arc::new(Mutex::new(Tally::default()));
        refetched.push(tally.clone());
        let refetch = live::Refetch {
            pool: session.pool.clone(),
            screens: screens.clone(),
            tally,
            heard: heard.clone(),
            reread: opts.refetch,
            tz,
            today: shared.today,
            delay: clinic::app::refetch::desk_delay(&mut StdRng::seed_from_u64(
                opts.seed.wrapping_add(1_000_000 + n as u64),
            ))
            .to_std()
            .unwrap_or(Duration::from_millis(400)),
        };
        listeners.push(tokio::spawn(refetch.run(rx)));
        staff.push(Staff {
            session,
            job,
            screens,
            at_work: on,
        });
    }
    // The re-reads timed so far, taken into a phase's tally.
    let take_refetched = |into: &mut Tally| {
        for t in &refetched {
            if let Ok(mut t) = t.lock() {
                into.merge(std::mem::take(&mut *t));
            }
        }
    };

    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        let watch = connect(cluster.superuser_config(BENCH_DB)).await?;
        tokio::spawn(async move {
            let mut peak = Peak::default();
            while !stop.load(Ordering::Relaxed) {
                if let Ok(r) = watch
                    .query_one(
                        "SELECT count(*) FILTER (WHERE usename LIKE 'bench\\_%'),
                                count(*) FILTER (WHERE usename LIKE 'bench\\_%' AND application_name = $1),
                                count(*) FILTER (WHERE usename LIKE 'bench\\_%' AND state = 'active'),
                                count(*) FILTER (WHERE backend_type = 'client backend')
                           FROM pg_stat_activity",
                        &[&listen::APPLICATION_NAME],
                    )
                    .await
                {
                    peak.bench = peak.bench.max(r.get(0));
                    peak.listening = peak.listening.max(r.get(1));
                    peak.active = peak.active.max(r.get(2));
                    peak.all_clients = peak.all_clients.max(r.get(3));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            peak
        })
    };

    // First a quiet clinic, one person of each kind while the others sit signed in (the
    // baseline), then everyone at once.
    let quiet_staff: Vec<Staff> = [Job::Receptionist, Job::Doctor, Job::Accountant]
        .iter()
        .filter_map(|want| staff.iter().find(|s| s.job == *want).cloned())
        .collect();
    let quiet = if opts.quiet_seconds > 0 {
        quiet_staff.iter().for_each(Staff::sit_down);
        let (mut tally, _) = work(quiet_staff, opts.quiet_seconds, &shared, opts, 1000).await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        take_refetched(&mut tally);
        Some(tally)
    } else {
        None
    };
    staff.iter().for_each(Staff::sit_down);
    let cpu_before = own_cpu();
    let (mut all, worked) = work(staff, opts.seconds, &shared, opts, 0).await?;
    let cpu = own_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    stop.store(true, Ordering::Relaxed);
    let peak = sampler.await?;
    // The listeners hear the last changes within a moment.
    tokio::time::sleep(Duration::from_millis(500)).await;
    take_refetched(&mut all);
    for l in listeners {
        l.abort();
    }

    println!(
        "{} desks worked {:.1} s: {} keys typed into lookup boxes, {} searches sent after the \
         150 ms pause ({:.0}% of keys)\n",
        logins.len(),
        worked.as_secs_f64(),
        all.keys,
        all.searches,
        100.0 * all.searches as f64 / all.keys.max(1) as f64
    );
    let met = all.print(TARGET, quiet.as_ref());
    println!();
    // The checks and the clean-up cover what the quiet desks did too.
    if let Some(q) = quiet {
        all.absorb(q);
    }
    let failures = check(&su, &shared, &all).await?;
    println!(
        "live updates heard by the desks' listeners: {} (each change is heard by every desk; {})",
        heard.load(Ordering::Relaxed),
        opts.refetch.words()
    );
    println!(
        "connections at the busiest (sampled every 200 ms): {} of the desks' ({} of them listening, \
         {} running a statement), {} client connections in all; max_connections {max_connections}",
        peak.bench, peak.listening, peak.active, peak.all_clients
    );
    let reserved: String = su
        .query_one("SHOW superuser_reserved_connections", &[])
        .await?
        .get(0);
    let room = max_connections.parse::<f64>().unwrap_or(0.0)
        - reserved.parse::<f64>().unwrap_or(3.0)
        - OTHER_CONNECTIONS;
    let per_desk = peak.bench as f64 / logins.len().max(1) as f64;
    println!(
        "so one server holds about {:.0} desks working like these ({per_desk:.1} connections each) \
         and {:.0} at the most a desk can hold ({MOST_PER_DESK}: 4 pooled and the listener), \
         keeping {OTHER_CONNECTIONS} for backups, monitoring and psql",
        room / per_desk.max(1.0),
        room / MOST_PER_DESK
    );
    if let Some(cpu) = cpu {
        println!(
            "the bench's own {} desks (this process, on the server's machine) used {:.1} s of CPU \
             in {:.1} s ({:.0}% of one core)",
            logins.len(),
            cpu.as_secs_f64(),
            worked.as_secs_f64(),
            100.0 * cpu.as_secs_f64() / worked.as_secs_f64().max(1e-9)
        );
    }
    clean_up(&desk_pool, &all, tz).await;
    println!(
        "\np95 target {} ms for every operation: {}",
        TARGET.as_millis(),
        if met { "met" } else { "MISSED (see above)" }
    );
    anyhow::ensure!(all.errors() == 0, "{} unexpected errors", all.errors());
    anyhow::ensure!(failures.is_empty(), "{}", failures.join("; "));
    Ok(())
}

/// `sessions` at work for `seconds`, each desk with its own dice (`seed_offset` apart from
/// another phase's): what they did, and how long until the last finished its step.
async fn work(
    sessions: Vec<Staff>,
    seconds: u64,
    shared: &Arc<Shared>,
    opts: &Options,
    seed_offset: u64,
) -> anyhow::Result<(Tally, Duration)> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for (
        n,
        Staff {
            session,
            job,
            screens,
            ..
        },
    ) in sessions.into_iter().enumerate()
    {
        let mut desk = Desk {
            pool: session.pool,
            screens,
            rng: StdRng::seed_from_u64(opts.seed + seed_offset + n as u64),
            tally: Tally::default(),
            deadline,
            shared: shared.clone(),
            think: opts.think,
        };
        let staff_id = session.me.staff_id;
        tasks.spawn(async move {
            // Not all at the same instant: people sit down over a couple of seconds.
            let start = desk.rng.gen_range(0..2000);
            tokio::time::sleep(Duration::from_millis(start)).await;
            match job {
                Job::Doctor => doctors::work(&mut desk, staff_id).await,
                Job::Accountant => accounts::work(&mut desk).await,
                _ => reception::work(&mut desk).await,
            }
            desk.tally
        });
    }
    let mut all = Tally::default();
    while let Some(done) = tasks.join_next().await {
        all.merge(done?);
    }
    Ok((all, started.elapsed()))
}

/// The checks after the run: no slot held twice, the money exact, the audit chain whole. What
/// failed, in words (nothing when all held).
async fn check(
    su: &tokio_postgres::Client,
    shared: &Shared,
    all: &Tally,
) -> anyhow::Result<Vec<String>> {
    let mut failures = Vec::new();
    if !all.error_words.is_empty() {
        println!("unexpected errors:");
        for (w, n) in &all.error_words {
            println!("  {n} x {w}");
        }
    }
    let tz = shared.tz;
    let from = clinic::domain::schedule::day_bounds(tz, shared.booking_monday).0;
    let to = from + TimeDelta::weeks(5);
    let (double, held) =
        super::booking::overlaps_and_held(su, from, to, &shared.hot_doctors).await?;
    println!(
        "bookings: {} made, {held} held in those weeks; double bookings: {double}{}",
        all.booked.len(),
        if double == 0 { "" } else { "  <-- MUST BE 0" }
    );
    if double != 0 || usize::try_from(held)? != all.booked.len() {
        failures.push(format!(
            "{double} double bookings, {} booked but {held} held",
            all.booked.len()
        ));
    }
    println!(
        "check-ins: {} (wanted with no arrival left: {}); registrations: {}, stopped by the duplicate \
         check as the same person: {}, known patients it missed: {}; notes signed: {}",
        all.checked_in.len(),
        all.nothing_left,
        all.registered,
        all.same_person_found,
        all.missed_duplicates,
        all.notes
    );

    // The money: what the bench was told it recorded against what the invoices hold.
    let mut exact = true;
    for &invoice in &shared.invoices {
        let mine: Vec<_> = all
            .payments
            .iter()
            .filter(|p| p.invoice_id == invoice)
            .collect();
        let (count, amount, applied) = (
            mine.len() as i64,
            mine.iter().map(|p| p.amount_minor).sum::<i64>(),
            mine.iter().map(|p| p.applied_minor).sum::<i64>(),
        );
        let mut ids: Vec<i64> = mine.iter().map(|p| p.payment_id).collect();
        ids.sort_unstable();
        let r = su
            .query_one(
                "SELECT i.paid_minor, count(p.id), COALESCE(sum(p.amount_minor), 0)::bigint,
                        COALESCE(array_agg(p.id ORDER BY p.id) FILTER (WHERE p.id IS NOT NULL), '{}')
                   FROM clinic.invoices i LEFT JOIN clinic.payments p ON p.invoice_id = i.id
                  WHERE i.id = $1 GROUP BY i.id",
                &[&invoice],
            )
            .await?;
        let (paid, n, sum, held): (i64, i64, i64, Vec<i64>) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        // The same rows, not only the same sums: each payment the bench was told of is there
        // once, and there is no other.
        let ok = n == count && sum == amount && paid == applied && held == ids;
        exact &= ok;
        println!(
            "invoice {invoice}: the bench paid {count} times, {amount} minor units; the database holds \
             {n} payments, {sum}, paid_minor {paid}: {}",
            if ok { "exact" } else { "DIFFERENT" }
        );
    }
    println!(
        "payments sent again with their key and recorded twice: {}",
        all.doubled
    );
    if !exact || all.doubled != 0 {
        failures.push("the payments are not exact".into());
    }

    let t = Instant::now();
    let broken: Option<i64> = su
        .query_one("SELECT clinic.audit_verify()", &[])
        .await?
        .get(0);
    println!(
        "audit_verify(): {} ({:.1} s)",
        broken.map_or("whole (NULL)".to_string(), |id| format!(
            "BROKEN at entry {id}"
        )),
        t.elapsed().as_secs_f64()
    );
    if broken.is_some() {
        failures.push("the audit chain is broken".into());
    }
    Ok(failures)
}

/// Leave the data for the next run as it was found, as a desk would: check-ins taken back (today's
/// arrivals are there again) and the bookings cancelled (cancelled rows hold no slot).
async fn clean_up(desk: &Pool, all: &Tally, tz: chrono_tz::Tz) {
    let Ok(c) = desk.get().await else {
        return;
    };
    let mut failed = 0;
    for &(id, version) in &all.checked_in {
        failed += usize::from(
            appointments::take_back(&c, id, version, "benchmark clean-up", tz)
                .await
                .is_err(),
        );
    }
    for &(id, version) in &all.booked {
        failed += usize::from(
            appointments::cancel(&c, id, version, "benchmark clean-up", tz)
                .await
                .is_err(),
        );
    }
    if failed > 0 {
        println!("clean-up: {failed} check-ins or bookings could not be undone");
    }
}
