//! Reports: the clinic's numbers over a period, as a chart with the figures beside it. Which
//! reports a job has is `ReportKind::for_job`; the database decides what they count (sql/0030's
//! functions run as the person's own login, small counts hidden there). Figures are read when
//! asked for (a report is a look back, not a live view): `r` counts again.

mod keys;

use std::path::PathBuf;

use chrono::{DateTime, Utc};

pub use keys::{Panel, BINDINGS, RANGE};

use super::pending::{earliest, Pending, RequestId};
use super::screen::{Access, Ctx, Outcome, Screen};
use super::widgets::form::{Field, Form};
use crate::domain::patient::{date_problem, parse_date};
use crate::domain::report::{Figures, Period, ReportKind, Span};
use crate::domain::staff::Job;

/// The range form's fields.
pub const RANGE_FROM: usize = 0;
pub const RANGE_TO: usize = 1;

/// What this screen's keys ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    NextReport,
    PreviousReport,
    Earlier,
    Later,
    /// The period of this span holding the one shown's first day.
    Span(Span),
    Wider,
    Narrower,
    Today,
    /// Open the form for a range of dates.
    Range,
    Export,
    Down,
    Up,
    PageDown,
    PageUp,
    Refresh,
    RangeSave,
    RangeEnter,
    NextField,
    PreviousField,
}

/// Database work (and the file written) this screen asks for; run by `crate::effects::reports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Load {
        request: RequestId,
        kind: ReportKind,
        period: Period,
    },
    /// The figures shown, as CSV, into a new file named after `stem` in `dir` (never over an
    /// earlier export: a second one of the same period gets a number).
    Export {
        request: RequestId,
        dir: PathBuf,
        stem: String,
        csv: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Loaded {
        request: RequestId,
        result: Result<Figures, String>,
    },
    Exported {
        request: RequestId,
        /// The file written.
        result: Result<PathBuf, String>,
    },
}

#[derive(Debug, Default)]
pub struct ReportsScreen {
    /// The reports this person has, in the order Tab goes through them.
    pub kinds: &'static [ReportKind],
    /// The report in front (None before the screen is first shown).
    pub kind: Option<ReportKind>,
    /// The period every report shows: going from one report to the next keeps it.
    pub period: Option<Period>,
    /// The figures on screen: the report and period asked for last, once answered.
    pub figures: Option<Figures>,
    /// When they were read.
    pub read_at: Option<DateTime<Utc>>,
    pub loading: Pending<(ReportKind, Period)>,
    pub error: Option<String>,
    /// Rows of figures scrolled past.
    pub scroll: usize,
    /// The form for a period of one's own dates.
    pub range: Option<Form<()>>,
    /// The CSV being written.
    pub exporting: Pending,
    /// The clinic's time zone, for when the figures were read.
    pub tz: chrono_tz::Tz,
}

impl Screen for ReportsScreen {
    type Cmd = Cmd;
    type Request = Request;
    type Reply = Reply;
    type Panel = Panel;

    const TITLE: &'static str = "Reports";
    const COMMAND: &'static str = "reports";
    const BINDINGS: &'static [crate::app::keymap::Binding] = BINDINGS;

    /// The jobs with reports (the database grants each report's function to the same jobs).
    fn access(job: Job) -> Option<Access> {
        (!ReportKind::for_job(job).is_empty()).then_some(Access::Full)
    }

    fn entered(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.tz = ctx.tz;
        if self.kind.is_none() {
            self.kinds = ReportKind::for_job(ctx.me.job);
            self.kind = self.kinds.first().copied();
            self.period = Some(Period::holding(Span::Month, ctx.today()));
        }
        if self.figures.is_none() && !self.loading.in_flight() {
            return self.load(ctx);
        }
        Outcome::redraw()
    }

    fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let (Some(kind), Some(period)) = (self.kind, self.period) else {
            return Outcome::default();
        };
        match cmd {
            Cmd::NextReport | Cmd::PreviousReport => {
                let n = self.kinds.len().max(1);
                let i = self.kinds.iter().position(|k| *k == kind).unwrap_or(0);
                let next = if cmd == Cmd::NextReport {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.kind = self.kinds.get(next).copied();
                self.scroll = 0;
                self.load(ctx)
            }
            Cmd::Earlier | Cmd::Later => self.show(period.step(cmd == Cmd::Later), ctx),
            Cmd::Span(span) => self.show(period.as_span(span), ctx),
            Cmd::Wider => self.show(period.as_span(period.span.wider()), ctx),
            Cmd::Narrower => self.show(period.as_span(period.span.narrower()), ctx),
            Cmd::Today => {
                let span = match period.span {
                    Span::Custom => Span::Month,
                    other => other,
                };
                self.show(Period::holding(span, ctx.today()), ctx)
            }
            Cmd::Range => self.open_range(period, ctx),
            Cmd::Export => self.export(ctx),
            Cmd::Down => self.scroll_by(1),
            Cmd::Up => self.scroll_by(-1),
            Cmd::PageDown => self.scroll_by(page(ctx)),
            Cmd::PageUp => self.scroll_by(-page(ctx)),
            Cmd::Refresh => self.load(ctx),
            Cmd::RangeSave => self.save_range(ctx),
            Cmd::RangeEnter => match &mut self.range {
                Some(form) if form.focus == RANGE_FROM => {
                    form.next_field(true, false);
                    Outcome::redraw()
                }
                Some(_) => self.save_range(ctx),
                None => Outcome::default(),
            },
            Cmd::NextField | Cmd::PreviousField => match &mut self.range {
                Some(form) => {
                    form.next_field(cmd == Cmd::NextField, true);
                    Outcome::redraw()
                }
                None => Outcome::default(),
            },
        }
    }

    fn edit(&mut self, request: tui_input::InputRequest, ctx: &mut Ctx) -> Outcome<Self> {
        match &mut self.range {
            Some(form) => Outcome::redraw_if(form.edit(request, ctx.now, ctx.date_format)),
            None => Outcome::default(),
        }
    }

    /// Esc closes the range form; the period shown stays as it was (two dates are quickly typed
    /// again, so nothing is asked).
    fn back(&mut self, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::redraw_if(self.range.take().is_some())
    }

    fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        match reply {
            Reply::Loaded { request, result } => {
                if self.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(figures) => {
                        self.figures = Some(figures);
                        self.read_at = Some(ctx.now);
                        self.error = None;
                        self.scroll = self.scroll.min(self.max_scroll());
                    }
                    Err(e) => {
                        self.figures = None;
                        self.error = Some(e);
                    }
                }
                Outcome::redraw()
            }
            Reply::Exported { request, result } => {
                if self.exporting.finish(request).is_none() {
                    return Outcome::default();
                }
                Outcome::notice(match result {
                    Ok(path) => format!("CSV written: {}", shown(&path)),
                    Err(e) => format!("The CSV was not written: {e}"),
                })
            }
        }
    }

    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        earliest([self.loading.next_frame(now), self.exporting.next_frame(now)])
    }

    fn tick(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::redraw_if(self.spinning(ctx.now))
    }

    fn text_focused(&self) -> bool {
        self.range.is_some()
    }

    fn panel(&self) -> Option<Panel> {
        self.range.as_ref().map(|_| Panel::Range)
    }

    fn spinning(&self, now: DateTime<Utc>) -> bool {
        self.loading.spinning(now) || self.exporting.spinning(now)
    }
}

/// A page of figures: the rows the screen has, less the chart's.
fn page(ctx: &Ctx) -> isize {
    isize::try_from(ctx.body_rows / 2).unwrap_or(1).max(1)
}

/// A path as the person would type it, under their home as `~/`.
fn shown(path: &std::path::Path) -> String {
    crate::app::billing::shown(path)
}

impl ReportsScreen {
    /// The report in front, over `period`.
    fn show(&mut self, period: Period, ctx: &mut Ctx) -> Outcome<Self> {
        self.period = Some(period);
        self.load(ctx)
    }

    fn load(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let (Some(kind), Some(period)) = (self.kind, self.period) else {
            return Outcome::default();
        };
        // What is on screen is of another report or period now: it goes, so nobody reads
        // last month's figures under this month's name.
        if self
            .figures
            .as_ref()
            .is_some_and(|f| f.kind != kind || f.period != period)
        {
            self.figures = None;
            self.scroll = 0;
        }
        self.error = None;
        let request = ctx.start(&mut self.loading, (kind, period));
        Outcome::request(Request::Load {
            request,
            kind,
            period,
        })
    }

    /// The rows of figures that can be scrolled past.
    fn max_scroll(&self) -> usize {
        self.figures
            .as_ref()
            .map_or(0, |f| f.rows.len().saturating_sub(1))
    }

    fn scroll_by(&mut self, by: isize) -> Outcome<Self> {
        let before = self.scroll;
        self.scroll = self.scroll.saturating_add_signed(by).min(self.max_scroll());
        Outcome::redraw_if(self.scroll != before)
    }

    fn open_range(&mut self, period: Period, ctx: &mut Ctx) -> Outcome<Self> {
        let day = |d: chrono::NaiveDate| d.format(ctx.date_format).to_string();
        let fields = vec![
            Field::text("From", day(period.from)).required(true),
            Field::text("To", day(period.to)).required(true),
        ];
        self.range = Some(Form::new("A period of your own", (), fields, RANGE_FROM));
        Outcome::redraw()
    }

    /// Enter on the last field, or Ctrl-S: the dates checked at their fields, then shown.
    fn save_range(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(form) = &mut self.range else {
            return Outcome::default();
        };
        form.clear_errors();
        let from = parse_date(form.value(RANGE_FROM), ctx.date_format);
        let to = parse_date(form.value(RANGE_TO), ctx.date_format);
        if from.is_none() {
            let why = date_problem(form.value(RANGE_FROM), "2026-11-01");
            form.set_error(RANGE_FROM, why);
        }
        if to.is_none() {
            let why = date_problem(form.value(RANGE_TO), "2026-11-30");
            form.set_error(RANGE_TO, why);
        }
        let (Some(from), Some(to)) = (from, to) else {
            form.focus_first_error();
            return Outcome::redraw();
        };
        match Period::custom(from, to) {
            Ok(period) => {
                self.range = None;
                self.show(period, ctx)
            }
            Err(why) => {
                form.set_error(RANGE_TO, why);
                form.focus_first_error();
                Outcome::redraw()
            }
        }
    }

    /// `e`: the figures on screen into a CSV file in the export folder.
    fn export(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(f) = &self.figures else {
            return Outcome::notice(if self.loading.in_flight() {
                "The figures are still being counted: export them when they are shown."
            } else {
                "There are no figures to export."
            });
        };
        if self.exporting.in_flight() {
            return Outcome::notice("Still writing the last export.");
        }
        let stem = format!(
            "report-{}-{}-{}",
            f.kind.code(),
            f.period.from.format("%Y-%m-%d"),
            f.period.to.format("%Y-%m-%d")
        );
        let csv = f.csv();
        let request = ctx.start(&mut self.exporting, ());
        Outcome::request(Request::Export {
            request,
            dir: ctx.export_dir.to_path_buf(),
            stem,
            csv,
        })
    }
}
