//! Reports: which there are and for whom, the period one covers, and its figures as the database
//! gave them (sql/0030), ready to chart, list and export. Small counts come from the database
//! already hidden ([`Cell::Small`]); nothing here can undo that.

use chrono::{Datelike, Months, NaiveDate, TimeDelta};

use super::staff::Job;
use super::text::csv_field;

/// One report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportKind {
    Appointments,
    Attendance,
    Waiting,
    Utilisation,
    NewPatients,
    Revenue,
    Receivables,
    Reconciliation,
    MyDays,
    Diagnoses,
    Prescriptions,
}

/// The desk's reports (sql/0030).
const DESK: &[ReportKind] = &[
    ReportKind::Appointments,
    ReportKind::Attendance,
    ReportKind::Waiting,
    ReportKind::Utilisation,
    ReportKind::NewPatients,
];

/// The accounts office's (sql/0032).
const BOOKS: &[ReportKind] = &[
    ReportKind::Revenue,
    ReportKind::Receivables,
    ReportKind::Reconciliation,
];

/// An admin's: the desk's and the books', never a clinical figure.
const ADMIN: &[ReportKind] = &[
    ReportKind::Appointments,
    ReportKind::Attendance,
    ReportKind::Waiting,
    ReportKind::Utilisation,
    ReportKind::NewPatients,
    ReportKind::Revenue,
    ReportKind::Receivables,
    ReportKind::Reconciliation,
];

/// A doctor's own (sql/0033).
const MINE: &[ReportKind] = &[
    ReportKind::MyDays,
    ReportKind::Diagnoses,
    ReportKind::Prescriptions,
];

impl ReportKind {
    pub const ALL: &'static [ReportKind] = &[
        ReportKind::Appointments,
        ReportKind::Attendance,
        ReportKind::Waiting,
        ReportKind::Utilisation,
        ReportKind::NewPatients,
        ReportKind::Revenue,
        ReportKind::Receivables,
        ReportKind::Reconciliation,
        ReportKind::MyDays,
        ReportKind::Diagnoses,
        ReportKind::Prescriptions,
    ];

    /// The name on the command line (`clinic report NAME`).
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Appointments => "appointments",
            ReportKind::Attendance => "no-shows",
            ReportKind::Waiting => "waiting",
            ReportKind::Utilisation => "utilisation",
            ReportKind::NewPatients => "new-patients",
            ReportKind::Revenue => "revenue",
            ReportKind::Receivables => "receivables",
            ReportKind::Reconciliation => "reconciliation",
            ReportKind::MyDays => "my-days",
            ReportKind::Diagnoses => "diagnoses",
            ReportKind::Prescriptions => "prescriptions",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Appointments => "Appointments",
            ReportKind::Attendance => "No-shows",
            ReportKind::Waiting => "Waiting",
            ReportKind::Utilisation => "Utilisation",
            ReportKind::NewPatients => "New patients",
            ReportKind::Revenue => "Revenue",
            ReportKind::Receivables => "Receivables",
            ReportKind::Reconciliation => "Reconciliation",
            ReportKind::MyDays => "My days",
            ReportKind::Diagnoses => "Diagnoses",
            ReportKind::Prescriptions => "Prescriptions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.code() == s || (s == "utilization" && *k == ReportKind::Utilisation))
    }

    /// The reports `job` has (the database grants the same: sql/0030, 0032, 0033): the desk's
    /// numbers to the desk, the books' to the accounts office, both to an admin, and to each
    /// doctor their own work.
    pub fn for_job(job: Job) -> &'static [ReportKind] {
        match job {
            Job::Receptionist => DESK,
            Job::Accountant => BOOKS,
            Job::Admin => ADMIN,
            Job::Doctor => MINE,
        }
    }
}

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Span {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    /// Typed dates.
    Custom,
}

impl Span {
    pub fn word(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Week => "week",
            Span::Month => "month",
            Span::Quarter => "quarter",
            Span::Year => "year",
            Span::Custom => "range",
        }
    }

    /// The next longer span (a year stays a year; a range widens to a month).
    pub fn wider(self) -> Span {
        match self {
            Span::Day => Span::Week,
            Span::Week | Span::Custom => Span::Month,
            Span::Month => Span::Quarter,
            Span::Quarter | Span::Year => Span::Year,
        }
    }

    /// The next shorter span (a day stays a day; a range narrows to a week).
    pub fn narrower(self) -> Span {
        match self {
            Span::Day | Span::Week => Span::Day,
            Span::Month | Span::Custom => Span::Week,
            Span::Quarter => Span::Month,
            Span::Year => Span::Quarter,
        }
    }
}

/// The clinic's dates a report covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub span: Span,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The most days one report covers.
pub const MAX_DAYS: i64 = 366 * 5;

impl Period {
    /// The day, ISO week (Monday first), month, quarter or year that holds `day`.
    pub fn holding(span: Span, day: NaiveDate) -> Period {
        let first_of_month = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(day);
        let from = match span {
            Span::Day | Span::Custom => day,
            Span::Week => day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday())),
            Span::Month => first_of_month(day.year(), day.month()),
            Span::Quarter => first_of_month(day.year(), (day.month() - 1) / 3 * 3 + 1),
            Span::Year => first_of_month(day.year(), 1),
        };
        let to = match span {
            Span::Day | Span::Custom => day,
            Span::Week => from + TimeDelta::days(6),
            Span::Month => months_on(from, 1).pred_opt().unwrap_or(from),
            Span::Quarter => months_on(from, 3).pred_opt().unwrap_or(from),
            Span::Year => months_on(from, 12).pred_opt().unwrap_or(from),
        };
        Period { span, from, to }
    }

    /// The `span` that holds this period's first day: a week seen as its month, a year as its
    /// first quarter.
    pub fn as_span(self, span: Span) -> Period {
        if span == Span::Custom {
            return self;
        }
        Period::holding(span, self.from)
    }

    /// Typed dates; the message says what is wrong.
    pub fn custom(from: NaiveDate, to: NaiveDate) -> Result<Period, &'static str> {
        if to < from {
            return Err("The period ends on or after its first day.");
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err("Five years at most in one report.");
        }
        Ok(Period {
            span: Span::Custom,
            from,
            to,
        })
    }

    /// The period before (or after) this one, of the same kind; a range moves by its length.
    pub fn step(self, forward: bool) -> Period {
        let sign = if forward { 1 } else { -1 };
        match self.span {
            Span::Custom => {
                let len = TimeDelta::days((self.to - self.from).num_days() + 1);
                let by = if forward { len } else { -len };
                Period {
                    from: self.from + by,
                    to: self.to + by,
                    ..self
                }
            }
            Span::Day => Period::holding(Span::Day, self.from + TimeDelta::days(sign)),
            Span::Week => Period::holding(Span::Week, self.from + TimeDelta::days(7 * sign)),
            Span::Month | Span::Quarter | Span::Year => {
                let months = match self.span {
                    Span::Month => 1,
                    Span::Quarter => 3,
                    _ => 12,
                };
                let day = if forward {
                    months_on(self.from, months)
                } else {
                    self.from
                        .checked_sub_months(Months::new(months))
                        .unwrap_or(self.from)
                };
                Period::holding(self.span, day)
            }
        }
    }

    /// "December 2026", "week 49, 30 Nov - 6 Dec 2026", "2026-11-01 - 2026-11-30".
    pub fn label(&self) -> String {
        match self.span {
            Span::Day => self.from.format("%a %d %b %Y").to_string(),
            Span::Week => format!(
                "week {}, {} - {}",
                self.from.iso_week().week(),
                self.from.format("%d %b"),
                self.to.format("%d %b %Y")
            ),
            Span::Month => self.from.format("%B %Y").to_string(),
            Span::Quarter => format!("Q{} {}", (self.from.month() - 1) / 3 + 1, self.from.year()),
            Span::Year => self.from.year().to_string(),
            Span::Custom => format!(
                "{} - {}",
                self.from.format("%Y-%m-%d"),
                self.to.format("%Y-%m-%d")
            ),
        }
    }

    /// What `--period` takes: `day`, `week`, `month`, `quarter`, `year` (the one holding
    /// `today`), each with `last-` for the one before (`last-month`), `YYYY-MM-DD` (a day),
    /// `YYYY-MM` (a month), `YYYY` (a year), or `FROM..TO`.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Period, String> {
        let t = text.trim().to_ascii_lowercase();
        let span_of = |w: &str| match w {
            "day" | "today" => Some(Span::Day),
            "week" => Some(Span::Week),
            "month" => Some(Span::Month),
            "quarter" => Some(Span::Quarter),
            "year" => Some(Span::Year),
            _ => None,
        };
        if let Some(span) = span_of(&t) {
            return Ok(Period::holding(span, today));
        }
        if let Some(span) = t.strip_prefix("last-").and_then(span_of) {
            return Ok(Period::holding(span, today).step(false));
        }
        if let Some((a, b)) = t.split_once("..") {
            let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
            return match (day(a), day(b)) {
                (Some(from), Some(to)) => Period::custom(from, to).map_err(str::to_string),
                _ => Err(format!("{text:?}: dates as YYYY-MM-DD..YYYY-MM-DD")),
            };
        }
        if let Ok(d) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
            return Ok(Period::holding(Span::Day, d));
        }
        if let Ok(d) = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d") {
            return Ok(Period::holding(Span::Month, d));
        }
        if let Some(d) = t
            .parse::<i32>()
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
        {
            return Ok(Period::holding(Span::Year, d));
        }
        Err(format!(
            "{text:?} is not a period: day, week, month, quarter, year (last-month, ...), \
             2026-11, 2026, 2026-11-03 or 2026-11-01..2026-11-30"
        ))
    }
}

fn months_on(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(d)
}

/// One figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Count(i64),
    /// 1 to 4, hidden by the database: it could point to a person.
    Small,
    Minutes(i64),
    /// Parts per thousand, shown as a percentage with one decimal.
    Permille(i64),
    /// Money in minor units of a currency with `exponent` decimals, shown as "1234.50".
    Money {
        minor: i64,
        exponent: u32,
    },
    /// Whole days.
    Days(i64),
    /// Nothing to show (a rate of nothing, a rate resting on a hidden count).
    None,
}

impl Cell {
    /// A count as the database gave it: NULL is a hidden small one.
    pub fn count(n: Option<i64>) -> Cell {
        n.map_or(Cell::Small, Cell::Count)
    }

    /// How tall its bar is (a hidden count has none: its height would give it away).
    pub fn bar(self) -> u64 {
        match self {
            Cell::Count(n) | Cell::Minutes(n) | Cell::Permille(n) | Cell::Days(n) => {
                u64::try_from(n).unwrap_or(0)
            }
            Cell::Money { minor, .. } => u64::try_from(minor).unwrap_or(0),
            Cell::Small | Cell::None => 0,
        }
    }
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Count(n) | Cell::Minutes(n) | Cell::Days(n) => write!(f, "{n}"),
            Cell::Money { minor, exponent } => {
                let unit = 10u64.pow(*exponent);
                let sign = if *minor < 0 { "-" } else { "" };
                let (whole, part) = (minor.unsigned_abs() / unit, minor.unsigned_abs() % unit);
                if *exponent == 0 {
                    write!(f, "{sign}{whole}")
                } else {
                    write!(f, "{sign}{whole}.{part:0w$}", w = *exponent as usize)
                }
            }
            Cell::Small => f.write_str("<5"),
            Cell::Permille(p) => write!(f, "{}.{} %", p / 10, p % 10),
            Cell::None => f.write_str("-"),
        }
    }
}

/// A row of figures: what it is about (a day, a doctor, both; "all" in a total) and its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    pub label: Vec<String>,
    pub cells: Vec<Cell>,
    /// A total of the rows before it.
    pub total: bool,
}

/// One bar of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: Cell,
}

/// A report's figures over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub kind: ReportKind,
    pub period: Period,
    /// The headers of the label's parts, then of the values.
    pub label_columns: Vec<&'static str>,
    pub columns: Vec<&'static str>,
    pub rows: Vec<FigureRow>,
    /// What the chart shows, and its bars in order.
    pub chart_title: String,
    pub bars: Vec<Bar>,
    /// What one bar stands for ("day", "doctor", "month").
    pub bar_unit: &'static str,
}

impl Figures {
    /// The figures as CSV (RFC 4180, CRLF): the label's parts, then the values as shown ("<5"
    /// for a hidden count), a header first.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<&str> = self
            .label_columns
            .iter()
            .chain(self.columns.iter())
            .copied()
            .collect();
        push_csv_line(&mut out, header.iter().map(|s| s.to_string()));
        for row in &self.rows {
            let values = row.cells.iter().map(|c| match c {
                // A rate in CSV is a number a spreadsheet reads: percent with one decimal.
                Cell::Permille(p) => format!("{}.{}", p / 10, p % 10),
                Cell::None => String::new(),
                other => other.to_string(),
            });
            push_csv_line(&mut out, row.label.iter().cloned().chain(values));
        }
        out
    }

    /// The figures as a text table, for a terminal or a mail.
    pub fn text(&self) -> String {
        let header: Vec<String> = self
            .label_columns
            .iter()
            .chain(self.columns.iter())
            .map(|s| s.to_string())
            .collect();
        let mut lines: Vec<Vec<String>> = vec![header];
        for row in &self.rows {
            lines.push(
                row.label
                    .iter()
                    .cloned()
                    .chain(row.cells.iter().map(Cell::to_string))
                    .collect(),
            );
        }
        let cols = lines[0].len();
        let widths: Vec<usize> = (0..cols)
            .map(|i| {
                lines
                    .iter()
                    .map(|l| l.get(i).map_or(0, |s| s.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let labels = self.label_columns.len();
        let mut out = format!("{} · {}\n", self.kind.title(), self.period.label());
        for l in &lines {
            let cells: Vec<String> = l
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    if i < labels {
                        format!("{s:<w$}", w = widths[i])
                    } else {
                        format!("{s:>w$}", w = widths[i])
                    }
                })
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        out
    }
}

fn push_csv_line(out: &mut String, fields: impl Iterator<Item = String>) {
    let quoted: Vec<String> = fields.map(|f| csv_field(&f)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_hold_the_day_and_step_by_their_kind() {
        let today = d(2026, 12, 4); // a Friday
        let w = Period::holding(Span::Week, today);
        assert_eq!((w.from, w.to), (d(2026, 11, 30), d(2026, 12, 6)));
        let q = Period::holding(Span::Quarter, today);
        assert_eq!((q.from, q.to), (d(2026, 10, 1), d(2026, 12, 31)));
        let m = Period::holding(Span::Month, d(2026, 3, 31)).step(false);
        assert_eq!((m.from, m.to), (d(2026, 2, 1), d(2026, 2, 28)));
        let y = Period::holding(Span::Year, today).step(true);
        assert_eq!((y.from, y.to), (d(2027, 1, 1), d(2027, 12, 31)));
        let r = Period::custom(d(2026, 11, 1), d(2026, 11, 10))
            .unwrap()
            .step(true);
        assert_eq!((r.from, r.to), (d(2026, 11, 11), d(2026, 11, 20)));
    }

    #[test]
    fn spans_widen_and_narrow_around_the_first_day() {
        let week = Period::holding(Span::Week, d(2026, 12, 2));
        let month = week.as_span(week.span.wider());
        // The week of Wed 2 December began on Monday 30 November: its month is November.
        assert_eq!((month.from, month.to), (d(2026, 11, 1), d(2026, 11, 30)));
        assert_eq!(month.as_span(Span::Month.wider()).label(), "Q4 2026");
        assert_eq!(Span::Year.wider(), Span::Year);
        assert_eq!(Span::Day.narrower(), Span::Day);
        let range = Period::custom(d(2026, 1, 5), d(2026, 2, 3)).expect("a range");
        assert_eq!(range.as_span(Span::Custom), range);
        assert_eq!(range.as_span(Span::Year).label(), "2026");
    }

    #[test]
    fn money_is_shown_exactly_in_its_currency_s_decimals() {
        let m = |minor, exponent| Cell::Money { minor, exponent }.to_string();
        assert_eq!(m(123_450, 2), "1234.50");
        assert_eq!(m(-5, 2), "-0.05");
        assert_eq!(m(0, 2), "0.00");
        assert_eq!(m(1500, 0), "1500");
        assert_eq!(m(1_234, 3), "1.234");
        assert_eq!(
            Cell::Money {
                minor: -5,
                exponent: 2
            }
            .bar(),
            0,
            "no bar below 0"
        );
    }

    #[test]
    fn typed_periods_parse_or_say_what_is_wrong() {
        let today = d(2026, 12, 4);
        let p = |s: &str| Period::parse(s, today).map(|p| (p.from, p.to));
        assert_eq!(p("last-month"), Ok((d(2026, 11, 1), d(2026, 11, 30))));
        assert_eq!(p("2026-02"), Ok((d(2026, 2, 1), d(2026, 2, 28))));
        assert_eq!(p("2025"), Ok((d(2025, 1, 1), d(2025, 12, 31))));
        assert_eq!(p("2026-11-03"), Ok((d(2026, 11, 3), d(2026, 11, 3))));
        assert_eq!(
            p("2026-11-01..2026-11-15"),
            Ok((d(2026, 11, 1), d(2026, 11, 15)))
        );
        assert!(p("2026-11-15..2026-11-01").is_err());
        assert!(p("fortnight").unwrap_err().contains("not a period"));
    }

    #[test]
    fn csv_quotes_and_writes_hidden_counts_as_fewer_than_five() {
        let f = Figures {
            kind: ReportKind::Attendance,
            period: Period::holding(Span::Day, d(2026, 12, 4)),
            label_columns: vec!["doctor"],
            columns: vec!["appointments", "no-shows", "no-show %"],
            rows: vec![FigureRow {
                label: vec!["Smith, \"Al\"".into()],
                cells: vec![Cell::Count(40), Cell::Small, Cell::None],
                total: false,
            }],
            chart_title: String::new(),
            bars: vec![],
            bar_unit: "doctor",
        };
        assert_eq!(
            f.csv(),
            "doctor,appointments,no-shows,no-show %\r\n\"Smith, \"\"Al\"\"\",40,<5,\r\n"
        );
        assert_eq!(Cell::Permille(66).to_string(), "6.6 %");
    }
}
