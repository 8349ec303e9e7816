//! The reports' figures through sql/0030's functions, as the caller's own login: what they count
//! is what the caller's policies let them read, and a job without the report is refused by
//! PostgreSQL itself. Each answer is laid out here as rows of figures and the bars of its chart.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use tokio_postgres::{GenericClient, Row};

use super::reports_books as books;
use super::reports_mine as mine;
use super::DbError;
use crate::domain::report::{Bar, Cell, FigureRow, Figures, Period, ReportKind};

/// The statuses in the order of an appointment's day, with their column headers.
const STATUSES: &[(&str, &str)] = &[
    ("scheduled", "booked"),
    ("checked_in", "arrived"),
    ("in_progress", "with dr"),
    ("completed", "done"),
    ("no_show", "no-show"),
    ("cancelled", "cancelled"),
];

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `kind`'s figures over `period`.
pub async fn figures(
    client: &impl GenericClient,
    kind: ReportKind,
    period: Period,
) -> Result<Figures, DbError> {
    let function = match kind {
        ReportKind::Appointments => "report_appointments",
        ReportKind::Attendance => "report_attendance",
        ReportKind::Waiting => "report_waiting",
        ReportKind::Utilisation => "report_utilisation",
        ReportKind::NewPatients => "report_new_patients",
        ReportKind::Revenue => "report_revenue",
        ReportKind::Receivables => "report_receivables",
        ReportKind::Reconciliation => "report_reconciliation",
        ReportKind::MyDays => "report_my_days",
        ReportKind::Diagnoses => "report_my_diagnoses",
        ReportKind::Prescriptions => "report_my_prescriptions",
    };
    let rows = client
        .query(
            &format!("SELECT * FROM clinic.{function}($1, $2)"),
            &[&period.from, &period.to],
        )
        .await?;
    let mut f = Figures {
        kind,
        period,
        label_columns: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        chart_title: String::new(),
        bars: Vec::new(),
        bar_unit: match kind {
            ReportKind::Appointments | ReportKind::Waiting => "day",
            ReportKind::Attendance | ReportKind::Utilisation => "doctor",
            // The accounts office's reports say their own.
            _ => "month",
        },
    };
    match kind {
        ReportKind::Appointments => appointments(&mut f, &rows)?,
        ReportKind::Attendance => attendance(&mut f, &rows)?,
        ReportKind::Waiting => waiting(&mut f, &rows)?,
        ReportKind::Utilisation => utilisation(&mut f, &rows)?,
        ReportKind::NewPatients => new_patients(&mut f, &rows)?,
        ReportKind::Revenue => books::revenue(&mut f, &rows, books::exponent(client).await?)?,
        ReportKind::Receivables => {
            books::receivables(&mut f, &rows, books::exponent(client).await?)?
        }
        ReportKind::Reconciliation => books::reconciliation(&mut f, &rows)?,
        ReportKind::MyDays => mine::my_days(&mut f, &rows)?,
        ReportKind::Diagnoses => mine::diagnoses(&mut f, &rows)?,
        ReportKind::Prescriptions => mine::prescriptions(&mut f, &rows)?,
    }
    Ok(f)
}

fn day_label(d: Option<NaiveDate>) -> String {
    d.map_or_else(
        || "all days".into(),
        |d| d.format("%Y-%m-%d %a").to_string(),
    )
}

fn doctor_label(name: Option<String>) -> String {
    name.unwrap_or_else(|| "all doctors".into())
}

/// A bar's label: the day of the month for days, the month for months.
fn bar_day(d: NaiveDate) -> String {
    format!("{:02}", d.day())
}

/// A row of the appointments report: its day and its doctor (None in a total).
type DayDoctor = (Option<NaiveDate>, Option<i64>);

/// Rows per (day, doctor) with a column per status and the total; bars of each day's total.
fn appointments(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["day", "doctor"];
    f.columns = STATUSES.iter().map(|(_, h)| *h).chain(["total"]).collect();
    f.chart_title = "appointments per day".into();
    // In the database's order: each day's total first, then its doctors; the period's last.
    let mut order: Vec<DayDoctor> = Vec::new();
    let mut cells: BTreeMap<DayDoctor, (String, Vec<Cell>)> = BTreeMap::new();
    let mut by_day = BTreeMap::new();
    for r in rows {
        let day: Option<NaiveDate> = r.try_get(0)?;
        let doctor_id: Option<i64> = r.try_get(1)?;
        let doctor: Option<String> = r.try_get(2)?;
        let status: Option<String> = r.try_get(3)?;
        let n = Cell::count(r.try_get(4)?);
        let key = (day, doctor_id);
        let entry = cells.entry(key).or_insert_with(|| {
            order.push(key);
            (
                doctor_label(doctor),
                vec![Cell::Count(0); STATUSES.len() + 1],
            )
        });
        let at = match status {
            Some(s) => STATUSES
                .iter()
                .position(|(code, _)| *code == s)
                .ok_or_else(|| DbError::Other(format!("unknown status {s:?}")))?,
            None => STATUSES.len(),
        };
        entry.1[at] = n;
        if status_total(&key, at) {
            if let Some(d) = day {
                by_day.insert(d, n);
            }
        }
    }
    f.bars = every_day(f.period, &by_day, Cell::Count(0));
    for key in order {
        let (doctor, values) = cells.remove(&key).unwrap_or_default();
        f.rows.push(FigureRow {
            label: vec![day_label(key.0), doctor],
            cells: values,
            total: key.1.is_none(),
        });
    }
    Ok(())
}

/// A day's all-doctors, all-statuses figure: the one its bar shows.
fn status_total(key: &DayDoctor, at: usize) -> bool {
    key.1.is_none() && at == STATUSES.len()
}

/// Rows per doctor, then per weekday, then the period's; bars of the no-show rate per doctor.
fn attendance(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["doctor or weekday"];
    f.columns = vec![
        "appointments",
        "no-shows",
        "no-show %",
        "late cancel",
        "late cancel %",
    ];
    f.chart_title = "no-show rate per doctor, %".into();
    for r in rows {
        let doctor: Option<String> = r.try_get(1)?;
        let weekday: Option<i32> = r.try_get(2)?;
        let rate = |p: Option<i32>| p.map_or(Cell::None, |p| Cell::Permille(i64::from(p)));
        let no_show = rate(r.try_get(5)?);
        let label = match (&doctor, weekday) {
            (Some(d), _) => d.clone(),
            (None, Some(w)) => usize::try_from(w - 1)
                .ok()
                .and_then(|i| WEEKDAYS.get(i))
                .map_or_else(|| w.to_string(), |s| (*s).to_string()),
            (None, None) => "all".into(),
        };
        if let Some(d) = &doctor {
            f.bars.push(Bar {
                label: short_name(d),
                value: no_show,
            });
        }
        f.rows.push(FigureRow {
            label: vec![label],
            cells: vec![
                Cell::count(r.try_get(3)?),
                Cell::count(r.try_get(4)?),
                no_show,
                Cell::count(r.try_get(6)?),
                rate(r.try_get(7)?),
            ],
            total: doctor.is_none() && weekday.is_none(),
        });
    }
    Ok(())
}

/// A bar for every day of `period`, `empty` where the report has no row (a Sunday, a closed
/// day), so the days run evenly along the chart.
pub(super) fn every_day(
    period: Period,
    by_day: &BTreeMap<NaiveDate, Cell>,
    empty: Cell,
) -> Vec<Bar> {
    period
        .from
        .iter_days()
        .take_while(|d| *d <= period.to)
        .map(|d| Bar {
            label: bar_day(d),
            value: by_day.get(&d).copied().unwrap_or(empty),
        })
        .collect()
}

/// A bar for every month `period` touches, 0 where no one was registered.
pub(super) fn every_month(
    period: Period,
    by_month: &BTreeMap<NaiveDate, Cell>,
    empty: Cell,
) -> Vec<Bar> {
    let mut bars = Vec::new();
    let mut m = period.from.with_day(1).unwrap_or(period.from);
    while m <= period.to {
        bars.push(Bar {
            label: m.format("%b").to_string(),
            value: by_month.get(&m).copied().unwrap_or(empty),
        });
        match m.checked_add_months(chrono::Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    bars
}

/// A doctor's surname, for a bar's label.
fn short_name(full: &str) -> String {
    full.rsplit(' ').next().unwrap_or(full).to_string()
}

fn minutes(m: Option<i32>) -> Cell {
    m.map_or(Cell::None, |m| Cell::Minutes(i64::from(m)))
}

/// Rows per day and the period's; bars of the median wait per day.
fn waiting(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["day"];
    f.columns = vec!["seen", "median min", "p90 min"];
    f.chart_title = "median wait per day, minutes".into();
    let mut by_day = BTreeMap::new();
    for r in rows {
        let day: Option<NaiveDate> = r.try_get(0)?;
        let p50 = minutes(r.try_get(2)?);
        if let Some(d) = day {
            by_day.insert(d, p50);
        }
        f.rows.push(FigureRow {
            label: vec![day_label(day)],
            cells: vec![Cell::count(r.try_get(1)?), p50, minutes(r.try_get(3)?)],
            total: day.is_none(),
        });
    }
    f.bars = every_day(f.period, &by_day, Cell::None);
    Ok(())
}

/// Rows per week and doctor, then each doctor's period; bars of each doctor's period.
fn utilisation(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["week", "doctor"];
    f.columns = vec!["booked h", "working h", "utilisation"];
    f.chart_title = "utilisation per doctor, %".into();
    let hours = |m: i64| Cell::Count((m + 30) / 60);
    for r in rows {
        let week: Option<NaiveDate> = r.try_get(0)?;
        let doctor: String = r.try_get(2)?;
        let rate = r
            .try_get::<_, Option<i32>>(5)?
            .map_or(Cell::None, |p| Cell::Permille(i64::from(p)));
        if week.is_none() {
            f.bars.push(Bar {
                label: short_name(&doctor),
                value: rate,
            });
        }
        f.rows.push(FigureRow {
            label: vec![
                week.map_or_else(|| "period".into(), |w| w.format("%Y-%m-%d").to_string()),
                doctor,
            ],
            cells: vec![hours(r.try_get(3)?), hours(r.try_get(4)?), rate],
            total: week.is_none(),
        });
    }
    Ok(())
}

/// Rows per month and the period's; a bar per month.
fn new_patients(f: &mut Figures, rows: &[Row]) -> Result<(), DbError> {
    f.label_columns = vec!["month"];
    f.columns = vec!["new patients"];
    f.chart_title = "new patients per month".into();
    let mut by_month = BTreeMap::new();
    for r in rows {
        let month: Option<NaiveDate> = r.try_get(0)?;
        let n = Cell::count(r.try_get(1)?);
        if let Some(m) = month {
            by_month.insert(m, n);
        }
        f.rows.push(FigureRow {
            label: vec![month.map_or_else(|| "all".into(), |m| m.format("%Y-%m").to_string())],
            cells: vec![n],
            total: month.is_none(),
        });
    }
    f.bars = every_month(f.period, &by_month, Cell::Count(0));
    Ok(())
}
