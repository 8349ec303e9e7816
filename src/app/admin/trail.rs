//! The audit trail on screen (db::audit_trail): who did what when, never clinical content, a page
//! at a time by keyset (so the millionth page costs what the first does), narrowed by person,
//! patient, action, table and clinic days; the whole chain checked with its progress shown and the
//! result in words; the filtered entries exported as CSV.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{AdminScreen, Cmd, Part, Popup, Request};
use crate::app::pending::{Pending, RequestId};
use crate::app::progress::Progress;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::domain::audit_trail::{AuditEntry, AuditFilter, Cursor, EntryCount, Page, Pickers};
use crate::domain::dates::{date_problem, parse_date};

/// The filter form's fields, in order.
pub const FILTER_PERSON: usize = 0;
pub const FILTER_PATIENT: usize = 1;
pub const FILTER_ACTION: usize = 2;
pub const FILTER_TABLE: usize = 3;
pub const FILTER_FROM: usize = 4;
pub const FILTER_TO: usize = 5;

/// What narrows the trail: the database's filter, with the patient as the desk knows them (their
/// number; the database finds the patient).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailFilter {
    pub filter: AuditFilter,
    pub patient_number: Option<i64>,
}

impl TrailFilter {
    /// In words, for the head of the list: "all entries", or "rita · read · 2026-11-01 to ...".
    pub fn words(&self) -> String {
        let f = &self.filter;
        let mut parts: Vec<String> = Vec::new();
        parts.extend(f.person.clone());
        parts.extend(self.patient_number.map(|n| format!("patient #{n}")));
        parts.extend(f.action.clone());
        parts.extend(f.table.clone());
        match (f.from, f.to) {
            (Some(a), Some(b)) => parts.push(format!("{a} to {b}")),
            (Some(a), None) => parts.push(format!("from {a}")),
            (None, Some(b)) => parts.push(format!("to {b}")),
            (None, None) => {}
        }
        if parts.is_empty() {
            "all entries".into()
        } else {
            parts.join(" · ")
        }
    }
}

/// Which page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    Newest,
    OlderThan(Cursor),
    NewerThan(Cursor),
}

#[derive(Debug, Default)]
pub struct TrailView {
    pub filter: TrailFilter,
    pub part: Part<AuditEntry>,
    pub has_newer: bool,
    pub has_older: bool,
    /// Pages from the newest (1 is the newest page).
    pub page_no: usize,
    /// How many entries the filter matches (counted up to a cap, else estimated).
    pub count: Option<EntryCount>,
    pub pickers: Option<Pickers>,
    /// The chain check on its way and how far it got; its result in words.
    pub verify: Pending,
    pub verify_progress: Progress,
    pub verified: Option<String>,
    /// An export on its way (its file) and how far it got.
    pub export: Pending<PathBuf>,
    pub export_progress: Progress,
    /// The page a read is for, so the page number follows.
    asked: Option<PageAt>,
}

impl AdminScreen {
    /// Entries a page holds: what the screen shows.
    fn page_rows(ctx: &Ctx) -> i64 {
        i64::from(ctx.body_rows.saturating_sub(7)).max(5)
    }

    pub(super) fn load_trail(&mut self, at: PageAt, ctx: &mut Ctx) -> Outcome<Self> {
        let view = &mut self.trail;
        let request = ctx.start(&mut view.part.loading, ());
        view.asked = Some(at);
        let mut out = Outcome::request(Request::AuditPage {
            request,
            filter: Box::new(view.filter.clone()),
            at,
            limit: Self::page_rows(ctx),
            count: at == PageAt::Newest,
        });
        if view.pickers.is_none() {
            out = out.and(Outcome::request(Request::AuditPickers {
                request: ctx.ids.issue(),
            }));
        }
        out
    }

    pub(super) fn trail_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let view = &self.trail;
        match cmd {
            Cmd::PageDown => match view.part.rows.items().last() {
                Some(last) if view.has_older => {
                    let at = PageAt::OlderThan(last.cursor());
                    self.load_trail(at, ctx)
                }
                _ => Outcome::notice("This is the oldest page."),
            },
            Cmd::PageUp => match view.part.rows.items().first() {
                Some(first) if view.has_newer => {
                    let at = PageAt::NewerThan(first.cursor());
                    self.load_trail(at, ctx)
                }
                _ => Outcome::notice("This is the newest page."),
            },
            Cmd::Up => {
                self.trail.part.rows.move_by(-1);
                Outcome::redraw()
            }
            Cmd::Down => {
                self.trail.part.rows.move_by(1);
                Outcome::redraw()
            }
            Cmd::Filter => self.open_trail_filter(),
            Cmd::Verify => {
                if self.trail.verify.in_flight() {
                    return Outcome::notice("The chain is being checked.");
                }
                let view = &mut self.trail;
                view.verify_progress = Progress::default();
                view.verified = None;
                let request = ctx.start(&mut view.verify, ());
                Outcome::request(Request::VerifyChain {
                    request,
                    progress: view.verify_progress.clone(),
                    tz: ctx.tz,
                })
            }
            Cmd::Export => {
                if self.trail.export.in_flight() {
                    return Outcome::notice("The export is still being written.");
                }
                let stamp = ctx.now.with_timezone(&ctx.tz).format("%Y-%m-%d-%H%M%S");
                let path = ctx.export_dir.join(format!("audit-{stamp}.csv"));
                let view = &mut self.trail;
                view.export_progress = Progress::default();
                let request = ctx.start(&mut view.export, path.clone());
                Outcome::request(Request::ExportAudit {
                    request,
                    filter: Box::new(view.filter.clone()),
                    path,
                    progress: view.export_progress.clone(),
                })
            }
            _ => Outcome::default(),
        }
    }

    fn open_trail_filter(&mut self) -> Outcome<Self> {
        let f = &self.trail.filter;
        let pickers = self.trail.pickers.clone().unwrap_or_default();
        let choice = |label: &'static str, all: &[String], now: &Option<String>| {
            let mut choices = vec!["any".to_string()];
            choices.extend(all.iter().cloned());
            let at = now
                .as_ref()
                .and_then(|n| choices.iter().position(|c| c == n))
                .unwrap_or(0);
            Field::choice(label, choices, at).with_hint(Some("← →".into()))
        };
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let fields = vec![
            Field::text("Person", f.filter.person.clone().unwrap_or_default())
                .with_hint(Some("their login".into())),
            Field::text(
                "Patient #",
                f.patient_number.map(|n| n.to_string()).unwrap_or_default(),
            )
            .with_hint(Some("number".into())),
            choice("Action", &pickers.actions, &f.filter.action),
            choice("Table", &pickers.tables, &f.filter.table),
            Field::text("From", day(f.filter.from)).with_hint(Some("clinic day".into())),
            Field::text("To", day(f.filter.to)).with_hint(Some("inclusive".into())),
        ];
        self.popup = Some(Popup::TrailFilter(Box::new(Form::new(
            "Narrow the audit trail",
            (),
            fields,
            0,
        ))));
        Outcome::redraw()
    }

    pub(super) fn apply_trail_filter(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::TrailFilter(form)) = &mut self.popup else {
            return Outcome::default();
        };
        form.clear_errors();
        let text = |form: &Form<()>, i: usize| {
            Some(form.value(i).trim().to_string()).filter(|t| !t.is_empty())
        };
        let chosen =
            |form: &Form<()>, i: usize| Some(form.value(i).to_string()).filter(|v| v != "any");
        let patient_number = match text(form, FILTER_PATIENT) {
            None => None,
            Some(t) => match t.trim_start_matches('#').parse::<i64>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    form.set_error(FILTER_PATIENT, "A patient number, like 10231.");
                    None
                }
            },
        };
        let mut day = |i: usize| {
            let typed = text(form, i)?;
            let parsed = parse_date(&typed, ctx.date_format);
            if parsed.is_none() {
                form.set_error(i, date_problem(&typed, "2026-11-01"));
            }
            parsed
        };
        let (from, to) = (day(FILTER_FROM), day(FILTER_TO));
        if let (Some(a), Some(b)) = (from, to) {
            if b < a {
                form.set_error(FILTER_TO, "The last day comes on or after the first.");
            }
        }
        if form.has_errors() {
            form.focus_first_error();
            return Outcome::redraw();
        }
        let filter = TrailFilter {
            filter: AuditFilter {
                person: text(form, FILTER_PERSON),
                patient_id: None,
                action: chosen(form, FILTER_ACTION),
                table: chosen(form, FILTER_TABLE),
                from,
                to,
            },
            patient_number,
        };
        self.popup = None;
        self.trail.filter = filter;
        self.trail.count = None;
        self.load_trail(PageAt::Newest, ctx)
    }

    /// A page's answer: the rows, which way more lie, and the page's number.
    pub(super) fn trail_page(
        &mut self,
        request: RequestId,
        result: Result<(Page, Option<EntryCount>), String>,
    ) -> Outcome<Self> {
        let view = &mut self.trail;
        if !view.part.loading.is(request) {
            return Outcome::default();
        }
        let at = view.asked.take();
        let result = result.map(|(page, count)| {
            view.has_newer = page.has_newer;
            view.has_older = page.has_older;
            if count.is_some() {
                view.count = count;
            }
            page.entries
        });
        let ok = result.is_ok();
        if !view.part.answer(request, result, |e| e.id) {
            return Outcome::default();
        }
        if ok {
            view.page_no = match at {
                Some(PageAt::OlderThan(_)) => view.page_no + 1,
                Some(PageAt::NewerThan(_)) if view.has_newer => {
                    view.page_no.saturating_sub(1).max(2)
                }
                _ => 1,
            };
            view.part.rows.select(match at {
                Some(PageAt::NewerThan(_)) => usize::MAX,
                _ => 0,
            });
        }
        Outcome::redraw()
    }

    pub(super) fn verified(
        &mut self,
        request: RequestId,
        result: Result<String, String>,
    ) -> Outcome<Self> {
        if self.trail.verify.finish(request).is_none() {
            return Outcome::default();
        }
        let words = match result {
            Ok(w) | Err(w) => w,
        };
        self.trail.verified = Some(words.clone());
        Outcome::notice(words)
    }

    pub(super) fn trail_exported(
        &mut self,
        request: RequestId,
        result: Result<u64, String>,
    ) -> Outcome<Self> {
        let Some(path) = self.trail.export.finish(request) else {
            return Outcome::default();
        };
        Outcome::notice(match result {
            Ok(n) => format!(
                "{} written to {}.",
                EntryCount::Exact(i64::try_from(n).unwrap_or(i64::MAX)).words(),
                crate::app::billing::shown(&path)
            ),
            Err(e) => e,
        })
    }
}
