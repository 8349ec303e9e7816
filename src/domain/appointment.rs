//! Appointments: their status machine (the same one the database enforces), the rows the calendar
//! and the queue show, and how people are named on screen.

use std::fmt;

use chrono::{DateTime, Utc};

/// Where an appointment is in its day. The allowed moves are [`AppointmentStatus::can_move_to`];
/// `clinic.status_transition_allowed` in sql/0003 is the enforcing copy and a test keeps them equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppointmentStatus {
    Scheduled,
    CheckedIn,
    InProgress,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 6] = [
        AppointmentStatus::Scheduled,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::InProgress,
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::NoShow,
    ];

    /// The value stored in `clinic.appointments.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Scheduled => "scheduled",
            AppointmentStatus::CheckedIn => "checked_in",
            AppointmentStatus::InProgress => "in_progress",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<AppointmentStatus> {
        AppointmentStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
    }

    /// The calendar's symbol: colour is decoration, this is the signal (NO_COLOR, screen readers).
    pub fn symbol(self) -> &'static str {
        match self {
            AppointmentStatus::Scheduled => "[sc]",
            AppointmentStatus::CheckedIn => "[ck]",
            AppointmentStatus::InProgress => "[in]",
            AppointmentStatus::Completed => "[ok]",
            AppointmentStatus::Cancelled => "[x]",
            AppointmentStatus::NoShow => "[ns]",
        }
    }

    /// The word for legends, history and messages.
    pub fn word(self) -> &'static str {
        match self {
            AppointmentStatus::Scheduled => "scheduled",
            AppointmentStatus::CheckedIn => "checked in",
            AppointmentStatus::InProgress => "with doctor",
            AppointmentStatus::Completed => "done",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::NoShow => "no-show",
        }
    }

    /// Whether the status may change from `self` to `next`. Staying put is not a move (the database
    /// refuses it too, so a late second "check in" is told, not silently ignored). Back to
    /// scheduled is an undo: a check-in by mistake, or a no-show marked too soon.
    pub fn can_move_to(self, next: AppointmentStatus) -> bool {
        use AppointmentStatus::{Cancelled, CheckedIn, Completed, InProgress, NoShow, Scheduled};
        matches!(
            (self, next),
            (Scheduled, CheckedIn)
                | (CheckedIn, InProgress)
                | (InProgress, Completed)
                | (Scheduled | CheckedIn, Cancelled | NoShow)
                | (CheckedIn | NoShow, Scheduled)
        )
    }

    /// Whether going from `self` to `next` is taking a status back (an undo, which needs a reason).
    pub fn is_undo(self, next: AppointmentStatus) -> bool {
        next == AppointmentStatus::Scheduled && self.can_move_to(next)
    }

    /// Why the clock says no to going from `self` to `next` for an appointment starting at
    /// `starts_at`, at `now` in the clinic's zone `tz`: the same rules the database enforces
    /// (sql/0009), said before anything is sent.
    pub fn clock_refusal(
        self,
        next: AppointmentStatus,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Option<String> {
        use AppointmentStatus::{CheckedIn, InProgress, NoShow, Scheduled};
        let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
        let when = starts_at.with_timezone(&tz).format("%a %d %b %H:%M");
        let same_day = day(now) == day(starts_at);
        match (self, next) {
            (_, NoShow) if now < starts_at => Some(format!(
                "Not {when} yet: mark a no-show once the appointment has started."
            )),
            (_, CheckedIn) if !same_day => Some(format!(
                "That appointment is on {when}: patients check in on the day."
            )),
            (_, InProgress) if !same_day => Some(format!(
                "That appointment is on {when}: a consultation starts on its day."
            )),
            (NoShow, Scheduled) if !same_day => Some(format!(
                "A no-show can be taken back only on its day ({when})."
            )),
            _ => None,
        }
    }

    /// The statuses reachable from here, for a menu of next steps.
    pub fn next_steps(self) -> Vec<AppointmentStatus> {
        AppointmentStatus::ALL
            .into_iter()
            .filter(|n| self.can_move_to(*n))
            .collect()
    }

    /// Moving into this status needs a stated reason: cancelling does, and so does taking a
    /// status back to scheduled (an undo).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Cancelled | AppointmentStatus::Scheduled
        )
    }

    /// Holds its time slot: everything but a cancellation (a no-show's slot stays used, as it was).
    pub fn occupies_slot(self) -> bool {
        self != AppointmentStatus::Cancelled
    }

    /// Can still be moved to another time or doctor: it has not begun.
    pub fn is_movable(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Scheduled | AppointmentStatus::CheckedIn
        )
    }
}

impl fmt::Display for AppointmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// One appointment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: i64,
    pub patient_id: i64,
    pub doctor_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub status: AppointmentStatus,
    pub cancel_reason: Option<String>,
    pub status_changed_at: DateTime<Utc>,
    pub status_changed_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    /// Optimistic concurrency: a change names the version it was made from.
    pub version: i32,
}

/// A booking as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppointment {
    pub patient_id: i64,
    pub doctor_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    /// The receptionist confirmed booking outside working hours or into blocked time (an urgent
    /// patient). Leave is refused regardless.
    pub squeeze_in: bool,
    /// The receptionist confirmed booking although the patient has another doctor's appointment
    /// at the same time.
    pub overlap_ok: bool,
}

/// Where a moved appointment goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveTo {
    pub doctor_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub squeeze_in: bool,
}

/// An appointment as the calendar shows it: with the patient's name ("Family, Given").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEntry {
    pub id: i64,
    pub version: i32,
    pub patient_id: i64,
    pub patient_name: String,
    pub doctor_id: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub status: AppointmentStatus,
}

impl CalendarEntry {
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.starts_at < to && from < self.ends_at
    }
}

/// One appointment on a patient's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientAppointment {
    pub id: i64,
    pub version: i32,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub doctor: String,
    pub status: AppointmentStatus,
    pub reason: Option<String>,
}

/// One step in an appointment's status history: from what, to what, when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// `None` for the booking itself.
    pub from: Option<AppointmentStatus>,
    pub to: AppointmentStatus,
    pub at: DateTime<Utc>,
    pub by_staff_id: Option<i64>,
    /// The staff member's name, or `None` for changes made by the system (seed, migration).
    pub by_name: Option<String>,
    pub reason: Option<String>,
}

/// Where a patient is in today's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueState {
    /// Booked for today, not here yet.
    Expected,
    /// Checked in at the desk, waiting.
    Arrived {
        since: DateTime<Utc>,
    },
    /// In the consulting room.
    WithDoctor {
        since: DateTime<Utc>,
    },
    Done {
        at: DateTime<Utc>,
    },
    NoShow,
}

/// One line of today's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub appointment_id: i64,
    pub version: i32,
    pub patient_id: i64,
    pub patient_name: String,
    pub doctor_id: i64,
    pub doctor_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub status: AppointmentStatus,
    pub state: QueueState,
    /// Minutes waited since check-in, as of the query (see [`QueueEntry::waiting_minutes`] to
    /// recompute on each clock tick without a round trip).
    pub waiting_minutes: Option<i64>,
}

impl QueueEntry {
    /// The queue state an appointment's status and its last change imply. A cancelled appointment
    /// is not in the queue at all.
    pub fn state_of(status: AppointmentStatus, changed_at: DateTime<Utc>) -> Option<QueueState> {
        Some(match status {
            AppointmentStatus::Scheduled => QueueState::Expected,
            AppointmentStatus::CheckedIn => QueueState::Arrived { since: changed_at },
            AppointmentStatus::InProgress => QueueState::WithDoctor { since: changed_at },
            AppointmentStatus::Completed => QueueState::Done { at: changed_at },
            AppointmentStatus::NoShow => QueueState::NoShow,
            AppointmentStatus::Cancelled => return None,
        })
    }

    /// Whole minutes waited since check-in, at `now`; `None` unless the patient is waiting.
    pub fn waiting_minutes(&self, now: DateTime<Utc>) -> Option<i64> {
        match self.state {
            QueueState::Arrived { since } => Some((now - since).num_minutes().max(0)),
            _ => None,
        }
    }

    /// Seen or not coming: folded away in the waiting room's view.
    pub fn is_over(&self) -> bool {
        matches!(self.state, QueueState::Done { .. } | QueueState::NoShow)
    }

    /// Where the waiting room puts this patient: who is waiting first (the longest wait on top),
    /// then who is expected (by time), then who is with a doctor, then who is done.
    fn waiting_room_rank(&self) -> (u8, DateTime<Utc>) {
        match self.state {
            QueueState::Arrived { since } => (0, since),
            QueueState::Expected => (1, self.starts_at),
            QueueState::WithDoctor { since } => (2, since),
            QueueState::Done { .. } | QueueState::NoShow => (3, self.starts_at),
        }
    }
}

/// Today's queue as a waiting room reads it (see [`QueueEntry::waiting_room_rank`]); ties by
/// time, then patient.
pub fn waiting_room_order(entries: &mut [QueueEntry]) {
    entries.sort_by(|a, b| {
        a.waiting_room_rank()
            .cmp(&b.waiting_room_rank())
            .then(a.starts_at.cmp(&b.starts_at))
            .then(a.patient_name.cmp(&b.patient_name))
    });
}

/// A wait as a clock reads it: "0:09", "1:05", "12:30" (hours and minutes, never minutes and
/// seconds).
pub fn wait_words(minutes: i64) -> String {
    let minutes = minutes.max(0);
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The queue's header line: "Expected 14   Arrived 3   With doctor 2   Done 9".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub expected: usize,
    pub arrived: usize,
    pub with_doctor: usize,
    pub done: usize,
    pub no_show: usize,
}

impl QueueCounts {
    pub fn of(entries: &[QueueEntry]) -> QueueCounts {
        let mut c = QueueCounts::default();
        for e in entries {
            match e.state {
                QueueState::Expected => c.expected += 1,
                QueueState::Arrived { .. } => c.arrived += 1,
                QueueState::WithDoctor { .. } => c.with_doctor += 1,
                QueueState::Done { .. } => c.done += 1,
                QueueState::NoShow => c.no_show += 1,
            }
        }
        c
    }
}

/// "Doe, John": how lists and the calendar name a patient (family name first, sortable at a glance).
pub fn patient_list_name(family: &str, given: &str) -> String {
    format!("{}, {}", family.trim(), given.trim())
}

/// "J. Doe": the short form used in messages seen across the room (a conflict, a toast).
pub fn patient_short_name(given: &str, family: &str) -> String {
    match given.trim().chars().next() {
        Some(initial) => format!("{initial}. {}", family.trim()),
        None => family.trim().to_string(),
    }
}

/// "Dr Alice Smith".
pub fn doctor_title(full_name: &str) -> String {
    format!("Dr {}", full_name.trim())
}

#[cfg(test)]
mod tests {
    use super::AppointmentStatus::{
        Cancelled, CheckedIn, Completed, InProgress, NoShow, Scheduled,
    };
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_clock_decides_no_shows_check_ins_and_taking_a_no_show_back() {
        let tz: chrono_tz::Tz = "America/New_York".parse().expect("zone");
        // 10:30 in New York on Tue 1 Dec is 15:30 UTC.
        let at = |d, h, m| {
            Utc.with_ymd_and_hms(2026, 12, d, h, m, 0)
                .single()
                .expect("instant")
        };
        let starts = at(1, 15, 30);
        assert!(Scheduled
            .clock_refusal(NoShow, starts, at(1, 15, 0), tz)
            .is_some());
        assert_eq!(
            Scheduled.clock_refusal(NoShow, starts, at(1, 15, 30), tz),
            None
        );
        assert_eq!(
            Scheduled.clock_refusal(CheckedIn, starts, at(1, 14, 0), tz),
            None
        );
        let tomorrow = Scheduled
            .clock_refusal(CheckedIn, at(2, 15, 30), at(1, 15, 0), tz)
            .expect("refused");
        assert!(tomorrow.contains("Wed 02 Dec 10:30"), "{tomorrow}");
        // 03:00 UTC on the 2nd is still the 1st in New York: the clinic's day counts.
        assert_eq!(
            Scheduled.clock_refusal(CheckedIn, starts, at(2, 3, 0), tz),
            None
        );
        assert!(CheckedIn
            .clock_refusal(InProgress, starts, at(2, 15, 0), tz)
            .is_some());
        assert_eq!(
            NoShow.clock_refusal(Scheduled, starts, at(1, 20, 0), tz),
            None
        );
        assert!(NoShow
            .clock_refusal(Scheduled, starts, at(2, 15, 0), tz)
            .is_some());
        assert!(CheckedIn.is_undo(Scheduled) && NoShow.is_undo(Scheduled));
        assert!(!Completed.is_undo(Scheduled) && Scheduled.needs_reason());
    }

    #[test]
    fn statuses_round_trip_and_have_distinct_symbols() {
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(AppointmentStatus::parse("Scheduled"), None);
        let mut symbols: Vec<_> = AppointmentStatus::ALL.iter().map(|s| s.symbol()).collect();
        symbols.sort_unstable();
        symbols.dedup();
        assert_eq!(symbols.len(), 6);
        assert_eq!(InProgress.symbol(), "[in]");
        assert_eq!(NoShow.word(), "no-show");
    }

    #[test]
    fn exactly_the_nine_allowed_transitions() {
        let allowed = [
            (Scheduled, CheckedIn),
            (CheckedIn, InProgress),
            (InProgress, Completed),
            (Scheduled, Cancelled),
            (CheckedIn, Cancelled),
            (Scheduled, NoShow),
            (CheckedIn, NoShow),
            // The two undos, each with a reason.
            (CheckedIn, Scheduled),
            (NoShow, Scheduled),
        ];
        for from in AppointmentStatus::ALL {
            for to in AppointmentStatus::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert_eq!(Scheduled.next_steps(), vec![CheckedIn, Cancelled, NoShow]);
        assert!(Completed.next_steps().is_empty());
        assert!(Cancelled.needs_reason() && !NoShow.needs_reason());
        assert!(Scheduled.is_movable() && CheckedIn.is_movable() && !InProgress.is_movable());
        assert!(NoShow.occupies_slot() && !Cancelled.occupies_slot());
    }

    #[test]
    fn names_read_as_on_the_sketches() {
        assert_eq!(patient_list_name("Doe", "John"), "Doe, John");
        assert_eq!(patient_short_name("John Paul", "Doe"), "J. Doe");
        assert_eq!(patient_short_name("Émile", "Zola"), "É. Zola");
        assert_eq!(patient_short_name("", "Doe"), "Doe");
        assert_eq!(doctor_title("Alice Smith"), "Dr Alice Smith");
    }

    #[test]
    fn queue_state_and_waiting_time() {
        let t = |h, m| {
            Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0)
                .single()
                .expect("valid")
        };
        let entry = |status, changed| QueueEntry {
            appointment_id: 1,
            version: 1,
            patient_id: 1,
            patient_name: "Doe, John".into(),
            doctor_id: 1,
            doctor_name: "Alice Smith".into(),
            starts_at: t(10, 30),
            ends_at: t(10, 45),
            reason: None,
            status,
            state: QueueEntry::state_of(status, changed).expect("in queue"),
            waiting_minutes: None,
        };
        let waiting = entry(CheckedIn, t(10, 21));
        assert_eq!(waiting.waiting_minutes(t(10, 30)), Some(9));
        assert_eq!(
            waiting.waiting_minutes(t(10, 0)),
            Some(0),
            "clock skew never shows negative"
        );
        assert_eq!(entry(Scheduled, t(9, 0)).waiting_minutes(t(10, 30)), None);
        assert_eq!(QueueEntry::state_of(Cancelled, t(9, 0)), None);
        let counts = QueueCounts::of(&[
            waiting,
            entry(InProgress, t(10, 32)),
            entry(Completed, t(9, 0)),
        ]);
        assert_eq!(
            (
                counts.expected,
                counts.arrived,
                counts.with_doctor,
                counts.done
            ),
            (0, 1, 1, 1)
        );
    }
}
