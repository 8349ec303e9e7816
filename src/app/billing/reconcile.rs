//! Reconciling a bank statement: import a file (CSV or CAMT.053; a bad one is refused whole with
//! its line numbers), then go through the lines still open, surest suggestion first: accept it,
//! put the line on another invoice by its number, mark it not ours, or leave it for later. The
//! matching and the payments are the database's (sql/0020).

use tui_input::Input;

use super::{BillingScreen, Cmd, Popup, Reply, Request};
use crate::app::pending::Pending;
use crate::app::progress::Progress;
use crate::app::screen::{Access, Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::app::widgets::List;
use crate::domain::money::Money;
use crate::domain::staff::Job;
use crate::domain::statement::{BankLine, ImportSummary};

/// Most lines the review list holds at once (it says how many more are open).
pub const LINES_LIMIT: i64 = 500;

#[derive(Debug, Default)]
pub struct ReconcileView {
    pub lines: List<BankLine>,
    /// Lines open in all.
    pub open: i64,
    pub loaded: bool,
    pub loading: Pending,
    pub error: Option<String>,
    /// How far the import on its way got.
    pub progress: Progress,
    /// The last import from here, for the line at the top.
    pub last_import: Option<(String, ImportSummary)>,
    /// An accept or a mark on its way, with the line's words.
    pub working: Pending<String>,
}

/// Putting a line on an invoice typed by its number.
#[derive(Debug)]
pub struct PickInvoice {
    pub line: BankLine,
    pub number: Input,
    /// The invoice found for the number as typed: (number, id, patient, owed).
    pub found: Option<(String, i64, String, i64)>,
    pub error: Option<String>,
    /// The lookup on its way, with the number it asks about.
    pub looking: Pending<String>,
}

impl BillingScreen {
    pub(super) fn load_bank_lines(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.reconcile.loading, ());
        Outcome::request(Request::BankLines {
            request,
            limit: LINES_LIMIT,
        })
    }

    fn may_reconcile(ctx: &Ctx) -> Option<Outcome<Self>> {
        (ctx.me.job != Job::Accountant || ctx.access != Access::Full).then(|| {
            Outcome::notice("Reconciling is the accounts office's: you can read the lines.")
        })
    }

    pub(super) fn reconcile_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let rows = usize::from(ctx.body_rows.saturating_sub(5)).max(1);
        let view = &mut self.reconcile;
        match cmd {
            Cmd::Up => view.lines.move_by(-1),
            Cmd::Down | Cmd::Skip => view.lines.move_by(1),
            Cmd::PageUp => view.lines.page(false, rows),
            Cmd::PageDown => view.lines.page(true, rows),
            Cmd::Import => {
                if let Some(no) = Self::may_reconcile(ctx) {
                    return no;
                }
                self.popup = Some(Popup::Import {
                    path: Input::default(),
                    error: None,
                });
            }
            Cmd::Split => {
                if let Some(no) = Self::may_reconcile(ctx) {
                    return no;
                }
                let Some(line) = view.lines.selected_item().cloned() else {
                    return Outcome::notice("No statement line is open: i imports a statement.");
                };
                let hint = |n: &str| Some(format!("invoice {n}"));
                let fields = vec![
                    Field::text("Invoice 1", "").with_hint(hint("number")),
                    Field::text("Amount 1", ""),
                    Field::text("Invoice 2", "").with_hint(hint("number")),
                    Field::text("Amount 2", ""),
                    Field::text("Invoice 3", "").with_hint(Some("if needed".into())),
                    Field::text("Amount 3", ""),
                ];
                let title = format!(
                    "Split {} over invoices",
                    Money::new(line.amount_minor, line.currency).display(ctx.number_format)
                );
                self.popup = Some(Popup::Split {
                    line: Box::new(line),
                    form: Box::new(Form::new(title, (), fields, 0)),
                });
            }
            Cmd::Accept | Cmd::Pick | Cmd::NotOurs => {
                if let Some(no) = Self::may_reconcile(ctx) {
                    return no;
                }
                let Some(line) = view.lines.selected_item().cloned() else {
                    return Outcome::notice("No statement line is open: i imports a statement.");
                };
                if view.working.in_flight() {
                    return Outcome::notice("Still working on the last line.");
                }
                match cmd {
                    Cmd::Accept => {
                        let Some(s) = &line.suggestion else {
                            return Outcome::notice(
                                "Nothing is suggested for this line: p puts it on an invoice by its number.",
                            );
                        };
                        let words = format!(
                            "{} to {}",
                            Money::new(line.amount_minor, line.currency).display(ctx.number_format),
                            s.number.clone().unwrap_or_default()
                        );
                        let parts = vec![(s.invoice_id, line.amount_minor)];
                        let request = ctx.start(&mut view.working, words);
                        return Outcome::request(Request::Accept {
                            request,
                            line_id: line.id,
                            parts,
                        });
                    }
                    Cmd::NotOurs => {
                        let request = ctx.start(&mut view.working, "not ours".into());
                        return Outcome::request(Request::NotOurs {
                            request,
                            line_id: line.id,
                        });
                    }
                    _ => {
                        self.popup = Some(Popup::Pick(Box::new(PickInvoice {
                            number: Input::new(
                                line.suggestion
                                    .as_ref()
                                    .and_then(|s| s.number.clone())
                                    .unwrap_or_default(),
                            ),
                            line,
                            found: None,
                            error: None,
                            looking: Pending::default(),
                        })));
                    }
                }
            }
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }

    /// Ctrl-S in the split form: every part an invoice number and an amount, adding up to the line.
    pub(super) fn submit_split(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Split { line, form }) = &mut self.popup else {
            return Outcome::default();
        };
        if self.reconcile.working.in_flight() {
            return Outcome::notice("Still working on the last line.");
        }
        form.clear_errors();
        let mut parts = Vec::new();
        for k in 0..3 {
            let (ni, ai) = (2 * k, 2 * k + 1);
            let number = form.value(ni).trim().to_string();
            let amount = form.value(ai).trim().to_string();
            if number.is_empty() && amount.is_empty() {
                continue;
            }
            if number.is_empty() {
                form.set_error(ni, "Which invoice (its number)?");
                continue;
            }
            match Money::parse(&amount, line.currency, ctx.number_format) {
                Ok(m) if m.minor() > 0 => parts.push((number, m.minor())),
                Ok(_) => form.set_error(ai, "More than nothing."),
                Err(e) => form.set_error(ai, e.to_string()),
            }
        }
        if !form.has_errors() {
            let sum: i64 = parts.iter().map(|p| p.1).sum();
            if parts.len() < 2 {
                form.set_error(2, "A split is over two invoices or more (a accepts one).");
            } else if sum != line.amount_minor {
                form.set_error(
                    1,
                    format!(
                        "The parts come to {}, the line is {}.",
                        Money::new(sum, line.currency).display(ctx.number_format),
                        Money::new(line.amount_minor, line.currency).display(ctx.number_format)
                    ),
                );
            }
        }
        if form.has_errors() {
            form.focus_first_error();
            return Outcome::redraw();
        }
        let (line_id, currency) = (line.id, line.currency);
        let words = format!("split over {} invoices", parts.len());
        let request = ctx.start(&mut self.reconcile.working, words);
        Outcome::request(Request::Split {
            request,
            line_id,
            currency,
            parts,
        })
    }

    /// Enter in the import popup: the file is read and staged by the effect.
    pub(super) fn submit_import(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Import { path, error }) = &mut self.popup else {
            return Outcome::default();
        };
        let typed = path.value().trim();
        if typed.is_empty() {
            *error = Some("Type the statement file's path (CSV or CAMT.053 XML).".into());
            return Outcome::redraw();
        }
        let expanded = super::expand_home(typed);
        if self.reconcile.working.in_flight() {
            return Outcome::notice("Still working on the last step.");
        }
        let request = ctx.start(&mut self.reconcile.working, typed.to_string());
        self.reconcile.progress = Progress::default();
        Outcome::request(Request::Import {
            request,
            path: expanded,
            layout: ctx.bank_csv.clone(),
            currency: ctx.currency,
            progress: self.reconcile.progress.clone(),
        })
    }

    /// Enter in the pick popup: look the number up, or (once found as typed) accept onto it.
    pub(super) fn submit_pick(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Pick(pick)) = &mut self.popup else {
            return Outcome::default();
        };
        let typed = pick.number.value().trim().to_string();
        if typed.is_empty() {
            pick.error = Some("Type the invoice's number, e.g. 2026-000123.".into());
            return Outcome::redraw();
        }
        match &pick.found {
            Some((number, invoice_id, _, _)) if *number == typed => {
                if self.reconcile.working.in_flight() {
                    return Outcome::notice("Still working on the last line.");
                }
                let (line_id, amount, invoice_id) =
                    (pick.line.id, pick.line.amount_minor, *invoice_id);
                let request = ctx.start(&mut self.reconcile.working, typed);
                Outcome::request(Request::Accept {
                    request,
                    line_id,
                    parts: vec![(invoice_id, amount)],
                })
            }
            _ => {
                pick.found = None;
                let request = ctx.start(&mut pick.looking, typed.clone());
                Outcome::request(Request::FindInvoice {
                    request,
                    number: typed,
                    currency: pick.line.currency,
                })
            }
        }
    }

    pub(super) fn reconcile_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        match reply {
            Reply::BankLines { request, result } => {
                let view = &mut self.reconcile;
                if view.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok((lines, open)) => {
                        view.lines.replace(lines, |l| l.id);
                        view.open = open;
                        view.loaded = true;
                        view.error = None;
                    }
                    Err(e) => view.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::Imported { request, result } => {
                let Some(file) = self.reconcile.working.finish(request) else {
                    return Outcome::default();
                };
                let importing = matches!(self.popup, Some(Popup::Import { .. }));
                match result {
                    Ok(summary) => {
                        if importing {
                            self.popup = None;
                        }
                        let name = std::path::Path::new(&file)
                            .file_name()
                            .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
                        let words = format!(
                            "{}: {} lines, {} new, {} with a suggestion.",
                            name,
                            summary.lines_read,
                            summary.lines_new,
                            summary.by_number + summary.by_name + summary.by_amount
                        );
                        self.reconcile.last_import = Some((name, summary));
                        self.load_bank_lines(ctx).with_notice(words)
                    }
                    Err(e) => match &mut self.popup {
                        Some(Popup::Import { error, .. }) => {
                            *error = Some(e.clone());
                            Outcome::redraw()
                        }
                        // The popup was closed meanwhile: the refusal is said all the same.
                        _ => Outcome::notice(format!("{file}: {e}")),
                    },
                }
            }
            Reply::Accepted { request, result } => {
                let Some(words) = self.reconcile.working.finish(request) else {
                    return Outcome::default();
                };
                match result {
                    Ok(_) => {
                        if matches!(self.popup, Some(Popup::Pick(_) | Popup::Split { .. })) {
                            self.popup = None;
                        }
                        self.load_bank_lines(ctx)
                            .with_notice(format!("Recorded: {words}."))
                    }
                    Err(e) => {
                        match &mut self.popup {
                            Some(Popup::Pick(pick)) => pick.error = Some(e.clone()),
                            Some(Popup::Split { form, .. }) => form.error = Some(e.clone()),
                            _ => {}
                        }
                        Outcome::notice(e)
                    }
                }
            }
            Reply::Marked { request, result } => {
                if self.reconcile.working.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(()) => self
                        .load_bank_lines(ctx)
                        .with_notice("Marked not ours: it leaves the list."),
                    Err(e) => Outcome::notice(e),
                }
            }
            Reply::FoundInvoice { request, result } => {
                let Some(Popup::Pick(pick)) = &mut self.popup else {
                    return Outcome::default();
                };
                let Some(asked) = pick.looking.finish(request) else {
                    return Outcome::default();
                };
                if asked != pick.number.value().trim() {
                    // Typed on since: this answer is about another number.
                    return Outcome::default();
                }
                match result {
                    Ok(Some((id, name, owed))) => {
                        pick.found = Some((asked, id, name, owed));
                        pick.error = None;
                    }
                    Ok(None) => {
                        pick.error = Some(
                            "No open invoice has that number (paid, void, or mistyped?).".into(),
                        );
                    }
                    Err(e) => pick.error = Some(e),
                }
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }
}
