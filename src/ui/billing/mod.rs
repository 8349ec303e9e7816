//! Invoices and payments: the list (one row per invoice, what it owes in the clinic's number
//! format, its state in words so it reads without colour), an invoice's detail, and the popups.

mod detail;
mod popups;
mod reconcile;
mod reports;

use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::billing::{BillingScreen, Tab};
use crate::app::screen::Access;
use crate::domain::invoice::{InvoiceKind, InvoiceRow};
use crate::domain::money::{Money, NumberFormat};
use crate::domain::staff::Job;
use crate::ui::theme::Theme;
use crate::ui::widgets::list::{position, scroll_offset};
use crate::ui::widgets::truncate;
use crate::ui::{View, ViewEnv};

/// What this screen holds for `job`.
pub fn purpose(job: Job, access: Access) -> &'static str {
    match (job, access) {
        (Job::Accountant, _) => "Invoices, payments, credit notes, the aging and the day's cash.",
        (_, Access::Full) => {
            "Invoices and payments: see what a patient owes and take a payment at the desk."
        }
        (_, Access::ReadOnly) => "Invoices and payments, to read.",
    }
}

impl View for BillingScreen {
    fn draw(&self, frame: &mut Frame, area: Rect, env: &ViewEnv) -> Option<Position> {
        match (&self.detail, self.tab) {
            (Some(view), _) => detail::draw(frame, area, view, self, env.theme),
            (None, Tab::Invoices) => draw_list(frame, area, self, env),
            (None, Tab::Aging) => reports::draw_aging(frame, area, self, env.theme),
            (None, Tab::Cash) => reports::draw_cash(frame, area, self, env.theme),
            (None, Tab::Reconcile) => reconcile::draw(frame, area, self, env.theme),
            (None, Tab::Prices) => reports::draw_prices(frame, area, self, env.theme),
        }
        self.popup
            .as_ref()
            .and_then(|p| popups::draw(frame, area, p, self, env.theme))
    }
}

/// An amount without its currency, right-aligned in `width`.
pub(super) fn amount(minor: i64, row: &InvoiceRow, format: NumberFormat, width: usize) -> String {
    format!("{:>width$}", Money::new(minor, row.currency).amount(format))
}

/// The state of an invoice in a word, as the list and the detail show it.
pub(super) fn state_word(row: &InvoiceRow, today: chrono::NaiveDate) -> &'static str {
    match row.kind {
        InvoiceKind::CreditNote => "credit note",
        InvoiceKind::Invoice if row.overdue(today) => "overdue",
        InvoiceKind::Invoice => row.status.word(),
    }
}

fn state_style(row: &InvoiceRow, today: chrono::NaiveDate, theme: Theme) -> Style {
    use crate::domain::invoice::InvoiceStatus as S;
    if row.overdue(today) {
        return theme.warning();
    }
    match row.status {
        S::Paid | S::Void => theme.dim(),
        S::Draft => Style::new(),
        S::Issued | S::PartiallyPaid => Style::new(),
    }
}

fn draw_list(frame: &mut Frame, area: Rect, state: &BillingScreen, env: &ViewEnv) {
    let theme = env.theme;
    let width = usize::from(area.width);
    let today = state.now.with_timezone(&state.tz).date_naive();
    let fmt = state.number_format;
    let mut head = capitalised(&state.filter.word());
    if let Some(owed) = state.owed() {
        head.push_str(&format!(" · {} owed", owed.display(fmt)));
    }
    if state.loading.in_flight() && state.loaded {
        head.push_str(" · loading…");
    }
    head.push(' ');
    let mut lines = vec![
        tab_bar(state, &head, width, theme),
        Line::styled(
            format!(
                " {:<11} {:<21} {:<10} {:>10} {:>10} {}",
                "number", "patient", "due", "total", "owed", "state"
            ),
            theme.dim(),
        ),
    ];
    let room = usize::from(area.height).saturating_sub(lines.len() + 1);
    if !state.loaded {
        lines.push(Line::raw(match &state.error {
            Some(e) => format!(" Could not load the invoices: {e}"),
            None => format!(" loading… {}", purpose(env.job, env.access)),
        }));
    } else if state.invoices.is_empty() {
        lines.push(Line::raw(" No invoices here (f shows the others)."));
    } else if let Some(e) = &state.error {
        lines.push(Line::styled(
            truncate(&format!(" {e}"), width),
            theme.error(),
        ));
    }
    let top = scroll_offset(state.invoices.selected(), state.invoices.len(), room);
    for (i, row) in state.invoices.iter().enumerate().skip(top).take(room) {
        let selected = i == state.invoices.selected();
        let name = match &row.number {
            Some(n) => n.clone(),
            None => format!("draft #{}", row.id),
        };
        let due = row
            .due_on
            .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string());
        let text = format!(
            "{}{:<11} {:<21} {:<10} {} {} ",
            if selected { ">" } else { " " },
            truncate(&name, 11),
            truncate(&row.patient_name, 21),
            due,
            amount(row.total_minor, row, fmt, 10),
            amount(row.balance().minor(), row, fmt, 10),
        );
        let rest = width.saturating_sub(text.chars().count());
        let mut style = state_style(row, today, theme);
        let mut base = Style::new();
        if selected {
            style = style.add_modifier(Modifier::REVERSED);
            base = base.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::styled(text, base),
            Span::styled(
                format!("{:<rest$}", truncate(state_word(row, today), rest)),
                style,
            ),
        ]));
    }
    while lines.len() < usize::from(area.height).saturating_sub(1) {
        lines.push(Line::raw(""));
    }
    let mut footer = String::new();
    if let Some(what) = state.asking.what() {
        footer = format!(" working ({what})…");
    }
    let pos = if state.invoices.is_empty() {
        String::new()
    } else {
        format!(
            "{} ",
            position(
                state.invoices.selected(),
                state.invoices.len(),
                state.more,
                "invoices"
            )
        )
    };
    let gap = width.saturating_sub(footer.chars().count() + pos.chars().count());
    lines.push(Line::styled(
        format!("{footer}{}{pos}", " ".repeat(gap)),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

/// " [Invoices]  Aging  Cash" with `right` at the end of the line: where the person is, in
/// brackets as well as in colour.
pub(super) fn tab_bar(
    state: &BillingScreen,
    right: &str,
    width: usize,
    theme: Theme,
) -> Line<'static> {
    let tabs = Tab::for_job(state.job)
        .iter()
        .map(|tab| (tab.word().to_string(), *tab == state.tab));
    crate::ui::widgets::tab_bar(tabs, right, width, theme)
}

pub(super) fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}
