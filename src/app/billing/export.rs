//! Taking the books out: the CSV export of a period for the clinic's accounting software (the
//! three files `clinic billing export` writes, from one snapshot, with a count of the rows as they
//! go), and a patient's statement as printable text, shown and kept as a file to print or post.
//! The files are written where clinic runs (over SSH: on that machine), in `[billing]
//! export_dir` unless the person types another folder.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};

use super::{BillingScreen, Popup, Reply, Request, Tab};
use crate::app::pending::Pending;
use crate::app::progress::Progress;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::domain::patient::{date_problem, parse_date};
use crate::domain::staff::Job;

/// The export form's fields.
pub const EXPORT_FROM: usize = 0;
pub const EXPORT_TO: usize = 1;
pub const EXPORT_DIR: usize = 2;

/// The export form's state beyond its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportAsk {
    /// The folder holds an earlier export and the person was told: Enter again replaces it.
    pub replace: bool,
}

/// Why an export did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportRefused {
    /// The folder holds an export already (and replacing it was not asked for).
    Exists,
    Failed(String),
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub invoices: u64,
    pub lines: u64,
    pub payments: u64,
}

/// An export on its way (it goes on when its popup is closed) and how far it got.
#[derive(Debug, Default)]
pub struct ExportRun {
    /// The folder being written.
    pub pending: Pending<PathBuf>,
    pub progress: Progress,
}

/// A patient's statement, as the database answered it and where it was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementView {
    pub patient: String,
    pub path: PathBuf,
    pub text: String,
    /// Lines scrolled past.
    pub scroll: u16,
}

/// `~/` as the person's home, as a shell would.
pub fn expand_home(typed: &str) -> PathBuf {
    match (typed.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(typed),
    }
}

/// The month before `today`'s: what an accountant exports at the start of a month.
pub fn last_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_of_this = today.with_day(1).unwrap_or(today);
    let last = first_of_this.pred_opt().unwrap_or(first_of_this);
    (last.with_day(1).unwrap_or(last), last)
}

/// A path as the person would type it: under their home as `~/`.
pub fn shown(path: &Path) -> String {
    match std::env::var_os("HOME").map(PathBuf::from) {
        Some(home) if path.starts_with(&home) && home.as_os_str().len() > 1 => {
            format!("~/{}", path.strip_prefix(&home).unwrap_or(path).display())
        }
        _ => path.display().to_string(),
    }
}

impl BillingScreen {
    pub(super) fn open_export(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if !matches!(ctx.me.job, Job::Accountant | Job::Admin) {
            return Outcome::notice("Exporting the books is the accounts office's.");
        }
        let (from, to) = last_month(ctx.today());
        let folder = ctx.export_dir.join(from.format("%Y-%m").to_string());
        let fields = vec![
            Field::text("From", from.format("%Y-%m-%d").to_string()).required(true),
            Field::text("To", to.format("%Y-%m-%d").to_string()).required(true),
            Field::text("Folder", shown(&folder)).required(true),
        ];
        self.popup = Some(Popup::Export(Box::new(Form::new(
            "Export invoices, lines and payments",
            ExportAsk::default(),
            fields,
            EXPORT_FROM,
        ))));
        Outcome::redraw()
    }

    /// Enter on the last field, or Ctrl-S: checked here, then written by the effect.
    pub(super) fn save_export(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Export(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if self.export.pending.in_flight() {
            return Outcome::notice("The export is being written: wait for it to finish.");
        }
        form.clear_errors();
        let from = parse_date(form.value(EXPORT_FROM), ctx.date_format);
        let to = parse_date(form.value(EXPORT_TO), ctx.date_format);
        if from.is_none() {
            let why = date_problem(form.value(EXPORT_FROM), "2026-11-01");
            form.set_error(EXPORT_FROM, why);
        }
        match (from, to) {
            (_, None) => {
                let why = date_problem(form.value(EXPORT_TO), "2026-11-30");
                form.set_error(EXPORT_TO, why);
            }
            (Some(f), Some(t)) if t < f => {
                form.set_error(EXPORT_TO, "The period ends on or after its first day.");
            }
            (Some(f), Some(t)) if (t - f).num_days() > 366 * 10 => {
                form.set_error(EXPORT_TO, "Ten years at most in one export.");
            }
            _ => {}
        }
        let folder = form.value(EXPORT_DIR).trim().to_string();
        if folder.is_empty() {
            form.set_error(EXPORT_DIR, "The folder the three files go into.");
        }
        let (Some(from), Some(to)) = (from, to) else {
            form.focus_first_error();
            return Outcome::redraw();
        };
        if form.has_errors() {
            form.focus_first_error();
            return Outcome::redraw();
        }
        let dir = expand_home(&folder);
        let replace = form.kind.replace;
        let request = ctx.start(&mut self.export.pending, dir.clone());
        self.export.progress = Progress::default();
        Outcome::request(Request::Export {
            request,
            from,
            to,
            dir,
            replace,
            progress: self.export.progress.clone(),
        })
    }

    /// A changed folder is a new question: whether to replace what is there.
    pub(super) fn export_edited(&mut self) {
        if let Some(Popup::Export(form)) = &mut self.popup {
            if form.focus == EXPORT_DIR {
                form.kind.replace = false;
            }
        }
    }

    /// `s`: the statement of the patient whose invoice (or aging row) is selected.
    pub(super) fn ask_statement(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let who = match self.tab {
            Tab::Aging => self
                .aging
                .rows
                .selected_item()
                .map(|r| (r.patient_number, r.patient_name.clone())),
            _ => self
                .target()
                .map(|r| (r.patient_number, r.patient_name.clone())),
        };
        let Some((patient_number, patient)) = who else {
            return Outcome::notice("Choose a patient's invoice first.");
        };
        if self.statement.in_flight() {
            return Outcome::notice("Still writing the last statement.");
        }
        let today = ctx.today();
        let path = ctx.export_dir.join(format!(
            "statement-{patient_number}-{}.txt",
            today.format("%Y-%m-%d")
        ));
        let request = ctx.start(&mut self.statement, patient);
        Outcome::request(Request::Statement {
            request,
            patient_number,
            clinic_name: ctx.clinic_name.to_string(),
            today,
            currency: ctx.currency,
            format: ctx.number_format,
            path,
        })
    }

    pub(super) fn export_reply(&mut self, reply: Reply) -> Outcome<Self> {
        match reply {
            Reply::Exported { request, result } => {
                let Some(dir) = self.export.pending.finish(request) else {
                    return Outcome::default();
                };
                let form = match &mut self.popup {
                    Some(Popup::Export(form)) => Some(form),
                    _ => None,
                };
                match (result, form) {
                    (Ok(n), form) => {
                        if form.is_some() {
                            self.popup = None;
                        }
                        // The counts first: a long folder is what the line's end cuts.
                        Outcome::notice(format!(
                            "Exported {} invoices, {} lines, {} payments to {}",
                            n.invoices,
                            n.lines,
                            n.payments,
                            shown(&dir)
                        ))
                    }
                    (Err(ExportRefused::Exists), Some(form)) => {
                        form.kind.replace = true;
                        form.focus = EXPORT_DIR;
                        form.set_error(
                            EXPORT_DIR,
                            "An export is there already: Enter or Ctrl-S again replaces its three files.",
                        );
                        Outcome::redraw()
                    }
                    (Err(ExportRefused::Failed(e)), Some(form)) => {
                        form.error = Some(e);
                        Outcome::redraw()
                    }
                    (Err(ExportRefused::Exists), None) => Outcome::notice(format!(
                        "Nothing exported: {} holds an export already.",
                        shown(&dir)
                    )),
                    (Err(ExportRefused::Failed(e)), None) => {
                        Outcome::notice(format!("Nothing exported: {e}"))
                    }
                }
            }
            Reply::Statement { request, result } => {
                let Some(patient) = self.statement.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok((path, text)) => {
                        self.popup = Some(Popup::Statement(Box::new(StatementView {
                            patient,
                            path,
                            text,
                            scroll: 0,
                        })));
                        Outcome::redraw()
                    }
                    Err(e) => Outcome::notice(format!("No statement for {patient}: {e}")),
                }
            }
            _ => Outcome::default(),
        }
    }

    /// The statement popup's scroll, `shown` lines at a time: never past its last page.
    pub(super) fn scroll_statement(&mut self, by: i32, shown: u16) -> Outcome<Self> {
        if let Some(Popup::Statement(view)) = &mut self.popup {
            let lines = i32::try_from(view.text.lines().count()).unwrap_or(i32::MAX);
            let last = (lines - i32::from(shown)).max(0);
            let next = (i32::from(view.scroll) + by).clamp(0, last);
            view.scroll = u16::try_from(next).unwrap_or(0);
        }
        Outcome::redraw()
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::{expand_home, last_month};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("a date")
    }

    #[test]
    fn last_month_is_the_whole_month_before() {
        assert_eq!(
            last_month(d(2026, 12, 3)),
            (d(2026, 11, 1), d(2026, 11, 30))
        );
        assert_eq!(
            last_month(d(2027, 1, 31)),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(last_month(d(2028, 3, 1)), (d(2028, 2, 1), d(2028, 2, 29)));
    }

    #[test]
    fn a_typed_home_is_the_home() {
        if let Some(home) = std::env::var_os("HOME") {
            assert_eq!(
                expand_home("~/exports"),
                std::path::PathBuf::from(home).join("exports")
            );
        }
        assert_eq!(expand_home("/srv/x"), std::path::PathBuf::from("/srv/x"));
        assert_eq!(expand_home("~user/x"), std::path::PathBuf::from("~user/x"));
    }
}
