//! What another desk's change costs every desk: each signed-in person's live-update listener
//! (the app's own, `db::listen`) hears every appointment change, and the screen in front re-reads
//! what it shows (the queue, the calendar's week, the doctor's day) after the desk's own short
//! wait, as the app's screens do through `app::refetch`: changes heard during the wait, or while
//! the re-read runs, make one more re-read between them. A screen behind reads when it is shown,
//! which the desk's own steps already do (the check-in reads the queue, the booking the week).
//! `--refetch eager` is the app before that: every loaded screen at once, on every change.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use chrono_tz::Tz;
use deadpool_postgres::Pool;
use tokio::sync::mpsc::UnboundedReceiver;

use clinic::db::{appointments, records, DbError};
use clinic::domain::live::LiveEvent;
use clinic::effects::with_client;

use super::tally::Tally;

/// What a loaded screen re-reads when it hears of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Reread {
    /// The whole view of the screen in front, after the desk's wait, as the app's screens do.
    Views,
    /// Every loaded screen's whole view at once on every change, as the app did before
    /// `app::refetch`.
    Eager,
    /// Only the appointment the notification names (`appointments::entry`, one row).
    Entry,
    /// Nothing: the listener only.
    Off,
}

impl Reread {
    pub fn words(self) -> &'static str {
        match self {
            Reread::Views => {
                "the view in front, after the desk's 50-400 ms wait, as the app's screens do"
            }
            Reread::Eager => "every loaded view at once (--refetch eager, the app before)",
            Reread::Entry => "only the appointment named (--refetch entry)",
            Reread::Off => "nothing (--refetch off)",
        }
    }
}

/// The screens a desk has loaded that re-read on a change (once opened, a screen stays loaded).
#[derive(Debug, Default, Clone, Copy)]
pub struct OnScreen {
    pub queue: bool,
    /// The calendar's week: the doctor and the Monday.
    pub week: Option<(i64, NaiveDate)>,
    pub doctor_day: bool,
    /// The screen in front.
    pub front: Front,
}

/// Which screen a desk has in front.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    Queue,
    Week,
    DoctorDay,
    /// The patient lookup, a form: nothing that re-reads itself.
    #[default]
    Elsewhere,
}

/// One person's listener and their screens' re-reads, until the channel closes or the task is
/// aborted. The re-reads are timed into `tally`, which the run empties after each phase.
pub struct Refetch {
    pub pool: Pool,
    pub screens: Arc<Mutex<OnScreen>>,
    pub tally: Arc<Mutex<Tally>>,
    pub heard: Arc<AtomicUsize>,
    pub reread: Reread,
    pub tz: Tz,
    pub today: NaiveDate,
    /// This desk's wait before a re-read (`app::refetch::desk_delay`).
    pub delay: Duration,
}

impl Refetch {
    pub async fn run(self, mut rx: UnboundedReceiver<LiveEvent>) {
        while let Some(first) = rx.recv().await {
            let mut events = vec![first];
            while let Ok(more) = rx.try_recv() {
                events.push(more);
            }
            self.heard.fetch_add(events.len(), Ordering::Relaxed);
            if !events
                .iter()
                .any(|e| matches!(e, LiveEvent::Appointment(_) | LiveEvent::Reconnected))
            {
                continue;
            }
            let mut on = self.screens.lock().map(|s| *s).unwrap_or_default();
            match self.reread {
                Reread::Entry => {
                    self.entries(on, &events).await;
                    continue;
                }
                Reread::Views => {
                    // The wait; what comes meanwhile is read by the same re-read.
                    tokio::time::sleep(self.delay).await;
                    while rx.try_recv().is_ok() {
                        self.heard.fetch_add(1, Ordering::Relaxed);
                    }
                    on = self.screens.lock().map(|s| *s).unwrap_or_default();
                    let front = on.front;
                    on.queue &= front == Front::Queue;
                    on.week = on.week.filter(|_| front == Front::Week);
                    on.doctor_day &= front == Front::DoctorDay;
                }
                Reread::Eager | Reread::Off => {}
            }
            // Each screen's re-read is its own request, on a connection of its own from the
            // pool, as the app runs each effect on a task.
            tokio::join!(self.queue(on), self.week(on), self.doctor_day(on));
        }
    }

    fn note(&self, op: &'static str, t: Instant, result: Result<(), DbError>) {
        if let Ok(mut tally) = self.tally.lock() {
            match result {
                Ok(()) => tally.ok(op, t),
                Err(e) => tally.error(op, t, e),
            }
        }
    }

    /// Each loaded screen reads the one appointment each notification names.
    async fn entries(&self, on: OnScreen, events: &[LiveEvent]) {
        let screens =
            usize::from(on.queue) + usize::from(on.week.is_some()) + usize::from(on.doctor_day);
        for event in events {
            let LiveEvent::Appointment(id) = *event else {
                continue;
            };
            let reads = (0..screens).map(|_| async move {
                let t = Instant::now();
                let r = with_client(&self.pool, async |c| {
                    appointments::entry(c, id).await.map(drop)
                })
                .await;
                self.note("appointment, re-read on a change", t, r);
            });
            futures::future::join_all(reads).await;
        }
    }

    async fn queue(&self, on: OnScreen) {
        if !on.queue {
            return;
        }
        let t = Instant::now();
        let (today, tz) = (self.today, self.tz);
        let r = with_client(&self.pool, async |c| {
            appointments::today_queue(c, today, tz).await.map(drop)
        })
        .await;
        self.note("queue, re-read on a change", t, r);
    }

    async fn week(&self, on: OnScreen) {
        let Some((doctor, monday)) = on.week else {
            return;
        };
        let t = Instant::now();
        let tz = self.tz;
        let r = with_client(&self.pool, async |c| {
            appointments::week_view(c, doctor, monday, tz)
                .await
                .map(drop)
        })
        .await;
        self.note("week view, re-read on a change", t, r);
    }

    async fn doctor_day(&self, on: OnScreen) {
        if !on.doctor_day {
            return;
        }
        let t = Instant::now();
        let today = self.today;
        let r = with_client(&self.pool, async |c| {
            records::doctor_day(&*c, today).await?;
            records::my_unsigned(&*c).await.map(drop)
        })
        .await;
        self.note("doctor's day, re-read on a change", t, r);
    }
}
