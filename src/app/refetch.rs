//! "Read it again soon": how a view follows other desks' changes without every desk of the
//! clinic asking the server at the same instant.
//!
//! A NOTIFY reaches every signed-in desk within the same millisecond. Were each screen to re-read
//! at once, fifty desks would send the server fifty-odd heavy reads per change together, and every
//! desk's own work would queue behind them (docs/benchmarks.md, "50 desks at once"). So:
//! - only the screen in front re-reads; one not in front only notes that it is behind, and the
//!   read it does anyway when it comes to the front (`entered`) covers the change;
//! - the re-read waits this desk's own short delay ([`EARLIEST`]..=[`LATEST`], drawn once per
//!   desk), so the desks' reads spread out over a few hundred milliseconds;
//! - changes heard while a re-read is waiting, or while a read of the view is on its way (which may
//!   predate them), make one more read between them, never one each. The last change is always read.
//!
//! The delay runs on the app's clock (a deadline, then `tick`), so tests drive it with a fixed clock.

use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;

use super::screen::Ctx;

/// The shortest wait before a re-read: changes a moment apart are read together.
pub const EARLIEST: TimeDelta = TimeDelta::milliseconds(50);
/// The longest: a change still shows well within a second.
pub const LATEST: TimeDelta = TimeDelta::milliseconds(400);

/// This desk's wait before a re-read, drawn once per desk so the clinic's desks spread out.
pub fn desk_delay(rng: &mut impl Rng) -> TimeDelta {
    TimeDelta::milliseconds(rng.gen_range(EARLIEST.num_milliseconds()..=LATEST.num_milliseconds()))
}

/// A view's re-read after other desks' changes: none wanted, waiting for its moment, or owed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Refetch {
    /// When the re-read goes out (the screen is in front and nothing of it is on its way).
    due: Option<DateTime<Utc>>,
    /// A change heard and not read yet: while the screen was not in front (it is read when the
    /// screen is shown), or while a read was on its way (read after the answer).
    behind: bool,
}

impl Refetch {
    /// Another desk changed something the view shows. `reading`: a read of it is on its way,
    /// which may have been answered before the change.
    pub fn heard(&mut self, ctx: &Ctx, reading: bool) {
        if ctx.front && !reading {
            // One waiting already goes out after this change: it reads it too.
            self.due.get_or_insert(ctx.now + ctx.refetch_delay);
        } else {
            self.behind = true;
        }
    }

    /// A read of the whole view went out: it covers every change heard until now.
    pub fn started(&mut self) {
        *self = Self::default();
    }

    /// A read of the view was answered: what was heard while it was out is read after the delay
    /// (in front), or when the screen is shown.
    pub fn answered(&mut self, ctx: &Ctx) {
        if self.behind && ctx.front {
            self.behind = false;
            self.due.get_or_insert(ctx.now + ctx.refetch_delay);
        }
    }

    /// When the clock must wake the screen for its re-read.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.due
    }

    /// The clock moved on: whether the re-read goes out now. A screen sent to the back while it
    /// waited reads when it is shown instead.
    pub fn due(&mut self, ctx: &Ctx) -> bool {
        match self.due {
            Some(at) if at <= ctx.now => {
                self.due = None;
                self.behind |= !ctx.front;
                ctx.front
            }
            _ => false,
        }
    }

    /// A change was heard that the view does not show yet.
    pub fn behind(&self) -> bool {
        self.behind || self.due.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::pending::RequestIds;
    use crate::app::screen::Access;
    use crate::domain::money::{Currency, NumberFormat};
    use crate::domain::staff::{Job, StaffIdentity};
    use crate::domain::statement::CsvLayout;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).expect("an instant")
    }

    /// Runs `f` with a context at `ms`, in front or not, with a 200 ms delay.
    fn with_ctx<R>(ms: i64, front: bool, f: impl FnOnce(&Ctx) -> R) -> R {
        let me = StaffIdentity {
            staff_id: 1,
            login: "rita".into(),
            full_name: "Rita".into(),
            job: Job::Receptionist,
        };
        let mut ids = RequestIds::default();
        let csv = CsvLayout::default();
        let ctx = Ctx {
            me: &me,
            access: Access::Full,
            now: at(ms),
            tz: chrono_tz::UTC,
            date_format: "%d/%m/%Y",
            number_format: NumberFormat::default(),
            currency: Currency::USD,
            body_rows: 20,
            password_hash: None,
            break_glass_minutes: 30,
            payment_terms_days: 30,
            bank_csv: &csv,
            export_dir: std::path::Path::new("."),
            clinic_name: "Clinic",
            front,
            refetch_delay: TimeDelta::milliseconds(200),
            ids: &mut ids,
        };
        f(&ctx)
    }

    #[test]
    fn a_burst_of_changes_makes_one_read_after_the_delay() {
        let mut r = Refetch::default();
        for ms in [0, 10, 150, 199] {
            with_ctx(ms, true, |ctx| r.heard(ctx, false));
        }
        assert_eq!(
            r.deadline(),
            Some(at(200)),
            "the first change sets the moment"
        );
        assert!(!with_ctx(199, true, |ctx| r.due(ctx)), "not before");
        assert!(with_ctx(200, true, |ctx| r.due(ctx)), "then once");
        r.started();
        assert!(!with_ctx(400, true, |ctx| r.due(ctx)), "and only once");
        assert_eq!(r.deadline(), None);
    }

    #[test]
    fn a_change_heard_while_a_read_is_out_is_read_once_after_its_answer() {
        let mut r = Refetch::default();
        with_ctx(0, true, |ctx| r.heard(ctx, true));
        with_ctx(5, true, |ctx| r.heard(ctx, true));
        assert_eq!(r.deadline(), None, "nothing while the read is out");
        with_ctx(30, true, |ctx| r.answered(ctx));
        assert_eq!(
            r.deadline(),
            Some(at(230)),
            "the last change is not dropped"
        );
        with_ctx(40, true, |ctx| r.answered(ctx));
        assert_eq!(r.deadline(), Some(at(230)), "one read, not two");
    }

    #[test]
    fn a_screen_not_in_front_reads_nothing_until_it_is_shown() {
        let mut r = Refetch::default();
        with_ctx(0, false, |ctx| r.heard(ctx, false));
        assert_eq!(r.deadline(), None);
        assert!(r.behind(), "it knows it is behind");
        // Sent to the back while its read waited: it waits to be shown.
        let mut r = Refetch::default();
        with_ctx(0, true, |ctx| r.heard(ctx, false));
        assert!(!with_ctx(300, false, |ctx| r.due(ctx)));
        assert!(r.behind() && r.deadline().is_none());
        r.started();
        assert!(!r.behind(), "the read on being shown covers it");
    }

    #[test]
    fn the_desk_delays_stay_in_their_window_and_differ() {
        let mut rng = rand::thread_rng();
        let delays: Vec<TimeDelta> = (0..200).map(|_| desk_delay(&mut rng)).collect();
        assert!(delays.iter().all(|d| (EARLIEST..=LATEST).contains(d)));
        assert!(
            delays.iter().any(|d| *d != delays[0]),
            "spread, not one instant"
        );
    }
}
