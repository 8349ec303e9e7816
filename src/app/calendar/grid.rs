//! What the calendar shows and where its cursor is: a day of every doctor, or a week of one, as
//! rows of 15-minute slots. The cursor is kept as a date, a column and a wall-clock time, so moving
//! to another day keeps the same time and a reload keeps the cursor where it was.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::domain::appointment::CalendarEntry;
use crate::domain::schedule::{
    local_date, local_instant, week_start, DayView, Doctor, DoctorDay, SlotState, WeekView,
};

/// One row of the grid.
pub const ROW_MINUTES: i64 = 15;
/// Doctors side by side at 80 columns; `[` and `]` page by this many.
pub const DOCTORS_PER_PAGE: usize = 3;
/// Rows PgUp/PgDn move by.
pub const PAGE_ROWS: i64 = 8;

/// The loaded data behind the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    Day(DayView),
    Week(WeekView),
}

/// Where the cursor is and what is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub tz: Tz,
    /// The day under the cursor (in the week view, one day of the week shown).
    pub date: NaiveDate,
    pub time: NaiveTime,
    /// Day view: the doctor column under the cursor (among the shown ones).
    pub col: usize,
    pub week: bool,
    /// Week view: whose week.
    pub week_doctor: Option<i64>,
    /// A doctor signed in sees only their own column.
    pub only_doctor: Option<i64>,
    /// Every doctor, as of the last day view (the week view's doctor is picked from them).
    pub doctors: Vec<Doctor>,
    pub loaded: Option<Loaded>,
}

impl Default for Grid {
    fn default() -> Self {
        Self {
            tz: Tz::UTC,
            date: NaiveDate::default(),
            time: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            col: 0,
            week: false,
            week_doctor: None,
            only_doctor: None,
            doctors: Vec::new(),
            loaded: None,
        }
    }
}

/// What the cursor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell<'a> {
    pub column: &'a DoctorDay,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub state: SlotState<'a>,
}

/// A time floored to the grid's rows.
pub fn floor_to_row(t: NaiveTime) -> NaiveTime {
    let minute = t.minute() - t.minute() % 15;
    NaiveTime::from_hms_opt(t.hour(), minute, 0).unwrap_or(t)
}

impl Grid {
    /// The columns on screen: the day's doctors (only one's own for a doctor), or the week's days.
    pub fn columns(&self) -> Vec<&DoctorDay> {
        match &self.loaded {
            Some(Loaded::Day(day)) => day
                .doctors
                .iter()
                .filter(|d| self.only_doctor.is_none_or(|me| d.doctor.id == me))
                .collect(),
            Some(Loaded::Week(week)) => {
                // Monday to Friday, and the weekend only when something happens in it.
                let weekend_used = week.days.iter().skip(5).any(|d| {
                    !d.hours.is_empty() || !d.appointments.is_empty() || !d.exceptions.is_empty()
                });
                let n = if weekend_used { 7 } else { 5 };
                week.days.iter().take(n).collect()
            }
            None => Vec::new(),
        }
    }

    /// The cursor's column among `columns()`.
    pub fn cursor_col(&self) -> usize {
        if self.week {
            let days = self.date.weekday().num_days_from_monday();
            usize::try_from(days).unwrap_or(0)
        } else {
            self.col
        }
    }

    /// The rows: from the earliest working period or appointment shown to the latest end, or
    /// 08:00 to 18:00 when nothing is shown (a doctor with no hours and no patients).
    pub fn rows(&self) -> Vec<NaiveTime> {
        let mut lo: Option<i64> = None;
        let mut hi: Option<i64> = None;
        let minutes = |t: NaiveTime| i64::from(t.hour() * 60 + t.minute());
        for col in self.columns() {
            let spans = col
                .periods
                .iter()
                .map(|p| (p.starts_at, p.ends_at))
                .chain(col.appointments.iter().map(|e| (e.starts_at, e.ends_at)));
            for (s, e) in spans {
                let start = if local_date(self.tz, s) == col.date {
                    minutes(floor_to_row(s.with_timezone(&self.tz).time()))
                } else {
                    0
                };
                let end = if local_date(self.tz, e) == col.date {
                    minutes(e.with_timezone(&self.tz).time())
                } else {
                    24 * 60
                };
                lo = Some(lo.map_or(start, |l| l.min(start)));
                hi = Some(hi.map_or(end, |h| h.max(end)));
            }
        }
        let (lo, hi) = (lo.unwrap_or(8 * 60), hi.unwrap_or(18 * 60));
        (lo..hi)
            .step_by(15)
            .filter_map(|m| {
                NaiveTime::from_hms_opt(u32::try_from(m / 60).ok()?, u32::try_from(m % 60).ok()?, 0)
            })
            .collect()
    }

    /// The time of the row the cursor is on: the wanted time when the day has that row, else the
    /// nearest row shown (a cursor left at 21:30 sits on a day's last row, 16:45, and that is the
    /// slot Enter books).
    pub fn cursor_time(&self) -> NaiveTime {
        self.rows()
            .get(self.cursor_row())
            .copied()
            .unwrap_or(self.time)
    }

    pub fn cursor_row(&self) -> usize {
        let rows = self.rows();
        rows.iter()
            .position(|t| *t >= self.time)
            .unwrap_or(rows.len().saturating_sub(1))
    }

    /// The instants a row covers on `date`.
    pub fn span(&self, date: NaiveDate, time: NaiveTime) -> (DateTime<Utc>, DateTime<Utc>) {
        let from = local_instant(self.tz, date, time, true);
        (from, from + Duration::minutes(ROW_MINUTES))
    }

    /// What a cell shows. `DoctorDay::slot_state` treats a day without hours as open all day
    /// (meant for a doctor with no rota at all); in a week whose other days have hours, such a day
    /// is a day off, so it shows as off hours.
    pub fn state_at<'a>(
        &self,
        column: &'a DoctorDay,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> SlotState<'a> {
        let state = column.slot_state(from, to);
        let day_off = self.week
            && column.hours.is_empty()
            && matches!(&self.loaded, Some(Loaded::Week(w)) if w.days.iter().any(|d| !d.hours.is_empty()));
        match state {
            SlotState::Free if day_off => SlotState::Closed,
            other => other,
        }
    }

    /// What is under the cursor, once something is loaded.
    pub fn cell(&self) -> Option<Cell<'_>> {
        let columns = self.columns();
        let column = *columns.get(self.cursor_col())?;
        let (from, to) = self.span(column.date, self.cursor_time());
        Some(Cell {
            column,
            from,
            to,
            state: self.state_at(column, from, to),
        })
    }

    /// The appointment under the cursor, cancelled ones included.
    pub fn entry(&self) -> Option<&CalendarEntry> {
        match self.cell()?.state {
            SlotState::Booked(e) | SlotState::Cancelled(e) => Some(e),
            _ => None,
        }
    }

    /// The doctor under the cursor (the week's doctor in the week view).
    pub fn doctor(&self) -> Option<&Doctor> {
        match &self.loaded {
            Some(Loaded::Week(w)) => Some(&w.doctor),
            _ => self.columns().get(self.col).map(|c| &c.doctor),
        }
    }

    pub fn doctor_name(&self, id: i64) -> Option<&str> {
        self.doctors
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.as_str())
            .or(match &self.loaded {
                Some(Loaded::Week(w)) if w.doctor.id == id => Some(w.doctor.name.as_str()),
                _ => None,
            })
    }

    /// The doctors the week view can show, in order.
    pub fn week_doctors(&self) -> Vec<&Doctor> {
        self.doctors
            .iter()
            .filter(|d| self.only_doctor.is_none_or(|me| d.id == me))
            .collect()
    }

    pub fn move_rows(&mut self, rows: i64) {
        let all = self.rows();
        if all.is_empty() {
            return;
        }
        let now = i64::try_from(self.cursor_row()).unwrap_or(0);
        let last = i64::try_from(all.len() - 1).unwrap_or(0);
        let to = usize::try_from((now + rows).clamp(0, last)).unwrap_or(0);
        self.time = all[to];
    }

    /// Left/right: another doctor in the day view, another day of the week in the week view.
    /// Returns whether the date changed (so the view must load).
    pub fn move_cols(&mut self, by: i64) -> bool {
        if self.week {
            let shown = i64::try_from(self.columns().len().max(5)).unwrap_or(5);
            let now = i64::from(self.date.weekday().num_days_from_monday());
            let to = (now + by).clamp(0, shown - 1);
            self.date += Duration::days(to - now);
            to != now
        } else {
            let last = self.columns().len().saturating_sub(1);
            let to = i64::try_from(self.col).unwrap_or(0) + by;
            self.col = usize::try_from(to.max(0)).unwrap_or(0).min(last);
            false
        }
    }

    /// Whether `date` is outside what is loaded (another day, or another week in the week view).
    pub fn needs_load_for(&self, date: NaiveDate) -> bool {
        match &self.loaded {
            Some(Loaded::Day(d)) => self.week || d.date != date,
            Some(Loaded::Week(w)) => {
                !self.week
                    || w.days.first().map(|d| d.date) != Some(week_start(date))
                    || self.week_doctor != Some(w.doctor.id)
            }
            None => true,
        }
    }

    /// Put the cursor on a doctor's column at a time (after the finder, or when showing one
    /// appointment). The caller loads the date when it changed.
    pub fn focus(&mut self, doctor_id: i64, at: DateTime<Utc>) {
        let local = at.with_timezone(&self.tz);
        self.date = local.date_naive();
        self.time = floor_to_row(local.time());
        if self.week {
            self.week_doctor = Some(doctor_id);
        } else if let Some(i) = self
            .doctors
            .iter()
            .filter(|d| self.only_doctor.is_none_or(|me| d.id == me))
            .position(|d| d.id == doctor_id)
        {
            self.col = i;
        }
    }

    /// Keep the column within what a new load shows.
    pub fn clamp(&mut self) {
        let n = self.columns().len();
        if !self.week && n > 0 {
            self.col = self.col.min(n - 1);
        }
    }
}
