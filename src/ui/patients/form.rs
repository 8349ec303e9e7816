//! The registration/edit form (the one form, scrolled to keep the focused field in view) and its
//! popups: likely duplicates and someone else's save. ("Discard the form?" and "open the existing
//! patient instead?" are the shell's confirm popup.)

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::Keys;
use crate::app::patients::{Clock, Cmd, Form, FormPopup, Panel, StaleInfo};
use crate::app::widgets::List;
use crate::domain::patient::{DuplicateCandidate, PatientField};
use crate::ui::theme::Theme;
use crate::ui::widgets::form::{self, Layout as FormLayout};
use crate::ui::widgets::{centered, popup_block, spinner, truncate};

/// Two for the focus mark, then the longest label ("Emergency contact phone") and a space; the
/// field leaves room after it for the longest hint (the date formats) at 80 columns.
const LAYOUT: FormLayout = FormLayout {
    label_width: 26,
    field_width: Some(27),
};

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    form: &Form,
    clock: &Clock,
    keys: &Keys,
    theme: Theme,
) -> Option<Position> {
    let mut status = Vec::new();
    let doing = if form.kind.checking.in_flight() {
        Some("checking for duplicates…")
    } else if form.saving.in_flight() {
        Some("saving…")
    } else {
        None
    };
    if let Some(doing) = doing {
        status.push(Span::styled(
            format!(" {} {doing} ", spinner(clock.now)),
            theme.warning(),
        ));
    } else if form.changed() {
        status.push(Span::raw(" changed, not saved "));
    }
    let block = Block::bordered()
        .title(Span::styled(format!(" {} ", form.title), theme.title()))
        .title(
            Line::from(vec![
                Span::raw(" "),
                Span::styled(keys.of(Some(Panel::Form), Cmd::Save), theme.key()),
                Span::raw(" save "),
            ])
            .right_aligned(),
        )
        .title_bottom(Line::from(status).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let failure_height = u16::from(form.error.is_some()) * 2;
    let [failure, fields] = inner.layout(&Layout::vertical([
        Constraint::Length(failure_height),
        Constraint::Min(0),
    ]));
    if let Some(why) = &form.error {
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("! ", theme.error()),
                Span::styled(why.clone(), theme.error()),
            ]))
            .wrap(Wrap { trim: true }),
            failure,
        );
    }
    let cursor = form::draw(
        frame,
        fields,
        form,
        LAYOUT,
        form.kind.popup.is_none(),
        theme,
    );
    match &form.kind.popup {
        None => cursor,
        Some(FormPopup::Duplicates { candidates, .. }) => {
            duplicates(frame, area, candidates, keys, theme);
            None
        }
        Some(FormPopup::Stale(info)) => {
            stale(frame, area, info, &form.kind.adopted, clock, keys, theme);
            None
        }
    }
}

fn key_hint(key: String, what: &str, theme: Theme) -> Vec<Span<'static>> {
    vec![
        Span::styled(key, theme.key()),
        Span::raw(format!(" {what}   ")),
    ]
}

fn duplicates(
    frame: &mut Frame,
    area: Rect,
    list: &List<DuplicateCandidate>,
    keys: &Keys,
    theme: Theme,
) {
    let (candidates, selected) = (list.items(), list.selected());
    let width = usize::from(area.width.saturating_sub(6));
    // Each candidate: its line, then why it looks like a duplicate, one reason a line when they
    // do not fit on one ("same name and date of birth; same email address").
    let entries: Vec<Vec<Line>> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mark = if i == selected { "> " } else { "  " };
            let p = &c.patient;
            let name = format!("{}, {}", p.family_name.to_uppercase(), p.given_names);
            let row = format!(
                "{mark}{:<6} {:<24} {}  {}",
                p.patient_number,
                truncate(&name, 24),
                p.date_of_birth.format("%Y-%m-%d"),
                p.phone.clone().unwrap_or_default()
            );
            let style = if i == selected {
                theme.title()
            } else {
                ratatui::style::Style::new()
            };
            let mut lines = vec![Line::styled(truncate(&row, width), style)];
            let indent = "   ";
            let reasons = if indent.len() + c.reason.chars().count() <= width {
                vec![c.reason.clone()]
            } else {
                c.reason.split("; ").map(str::to_string).collect()
            };
            lines.extend(
                reasons
                    .into_iter()
                    .map(|r| Line::styled(truncate(&format!("{indent}{r}"), width), theme.dim())),
            );
            lines
        })
        .collect();
    // As many candidates as fit, the selected one among them.
    let room = usize::from(area.height.saturating_sub(8));
    let mut first = selected;
    let mut used = entries.get(selected).map_or(0, Vec::len);
    while first > 0 && used + entries[first - 1].len() <= room {
        first -= 1;
        used += entries[first].len();
    }
    let mut last = selected + 1;
    while last < entries.len() && used + entries[last].len() <= room {
        used += entries[last].len();
        last += 1;
    }
    let mut lines = vec![Line::raw(format!(
        "Nothing is saved yet. {} may be the same person:",
        if candidates.len() == 1 {
            "This patient"
        } else {
            "These patients"
        }
    ))];
    lines.push(Line::raw(""));
    lines.extend(entries[first.min(last)..last].iter().flatten().cloned());
    lines.push(Line::raw(""));
    let mut answer = key_hint(
        keys.of(Some(Panel::Duplicates), Cmd::Open),
        "open this one instead",
        theme,
    );
    answer.extend(key_hint(
        keys.of(Some(Panel::Duplicates), Cmd::SaveAnyway),
        "save anyway",
        theme,
    ));
    answer.extend(key_hint(keys.back(), "back to the form", theme));
    lines.push(Line::from(answer));
    let title = if candidates.len() == 1 {
        "Likely duplicate".to_string()
    } else {
        format!("Likely duplicates ({})", candidates.len())
    };
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = centered(area, area.width.saturating_sub(2), height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(popup_block(&title, theme.warning(), theme)),
        popup,
    );
}

fn stale(
    frame: &mut Frame,
    area: Rect,
    info: &StaleInfo,
    adopted: &[PatientField],
    clock: &Clock,
    keys: &Keys,
    theme: Theme,
) {
    let at = info
        .changed_at
        .with_timezone(&clock.tz)
        .format("%H:%M on %a %d %b");
    let rows = info
        .differences
        .len()
        .min(usize::from(area.height.saturating_sub(10)));
    let height =
        u16::try_from(rows + 9 + usize::from(info.differences.is_empty())).unwrap_or(u16::MAX);
    let popup = centered(area, area.width.saturating_sub(2), height);
    let width = usize::from(popup.width.saturating_sub(4));
    let column = width.saturating_sub(20) / 2;
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Changed by "),
            Span::styled(info.changed_by.clone(), theme.title()),
            Span::raw(format!(" at {at}, after you opened the form.")),
        ]),
        Line::raw("Nothing was saved. What you typed stays; fields you did not edit"),
        Line::raw("now hold their values (marked \u{2190})."),
        Line::raw(""),
        Line::styled(
            format!(
                "{:<18}  {:<column$} {:<column$}",
                "Field", "Theirs", "Yours"
            ),
            theme.dim(),
        ),
    ];
    if info.differences.is_empty() {
        lines.push(Line::raw("(the same values as yours)"));
    }
    for (field, theirs, yours) in info.differences.iter().take(rows) {
        let cut = |s: &str| truncate(if s.is_empty() { "-" } else { s }, column.saturating_sub(1));
        // A field this desk never edited is not a conflict: it now holds theirs.
        let yours = if adopted.contains(field) {
            "\u{2190} theirs (not edited)".to_string()
        } else {
            cut(yours)
        };
        lines.push(Line::raw(format!(
            "{:<18}  {:<column$} {:<column$}",
            truncate(field.label(), 18),
            cut(theirs),
            yours
        )));
    }
    if info.differences.len() > rows {
        lines.push(Line::styled(
            format!("… {} more", info.differences.len() - rows),
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    let mut answer = key_hint(
        keys.of(Some(Panel::Stale), Cmd::Refresh),
        "load theirs",
        theme,
    );
    answer.extend(key_hint(
        keys.of(Some(Panel::Stale), Cmd::Save),
        "save yours over it",
        theme,
    ));
    answer.extend(key_hint(
        format!(
            "{}/{}",
            keys.of(Some(Panel::Stale), Cmd::KeepEditing),
            keys.back()
        ),
        "keep editing",
        theme,
    ));
    lines.push(Line::from(answer));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(popup_block(
            "Not saved: changed by someone else",
            theme.warning(),
            theme,
        )),
        popup,
    );
}
