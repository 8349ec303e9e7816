//! A patient's chart: the header with the allergies, the weight and blood pressure over time as
//! small trends, then every record newest first with its note, vitals, diagnoses, prescriptions
//! and the amendments under it. Scrolls by lines.

use chrono_tz::Tz;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use rust_decimal::prelude::ToPrimitive;

use super::patient_header;
use crate::app::records::{ChartView, RecordsScreen};
use crate::domain::record::{Chart, Encounter, Vitals};
use crate::ui::theme::Theme;
use crate::ui::widgets::{spinner, truncate, wrap};
use crate::ui::ViewEnv;

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const ASCII_BARS: [char; 8] = ['_', '.', '-', '~', '=', '+', '*', '#'];

/// A one-line trend of `values`, oldest first, scaled between their least and greatest.
pub fn spark(values: &[f64], ascii: bool) -> String {
    let bars = if ascii { ASCII_BARS } else { BARS };
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    values
        .iter()
        .map(|v| {
            if (hi - lo).abs() < f64::EPSILON {
                bars[3]
            } else {
                let step = ((v - lo) / (hi - lo) * 7.0).round();
                bars[usize::try_from(step as i64).unwrap_or(0).min(7)]
            }
        })
        .collect()
}

/// "BP 150/95 · Pulse 80 · Temp 36.9 °C · ..." for what was measured.
pub fn vitals_words(v: &Vitals) -> String {
    let mut parts = Vec::new();
    if let (Some(s), Some(d)) = (v.systolic_mmhg, v.diastolic_mmhg) {
        parts.push(format!("BP {s}/{d}"));
    }
    if let Some(p) = v.pulse_per_min {
        parts.push(format!("Pulse {p}"));
    }
    if let Some(t) = v.temperature_c {
        parts.push(format!("Temp {t} °C"));
    }
    if let Some(r) = v.respiratory_per_min {
        parts.push(format!("RR {r}"));
    }
    if let Some(s) = v.spo2_pct {
        parts.push(format!("SpO2 {s}%"));
    }
    if let Some(w) = v.weight_kg {
        parts.push(format!("Wt {w} kg"));
    }
    if let Some(h) = v.height_cm {
        parts.push(format!("Ht {h} cm"));
    }
    if let Some(b) = v.bmi {
        parts.push(format!("BMI {b}"));
    }
    parts.join(" · ")
}

/// The trends line: weight and systolic pressure over the visits that measured them.
fn trends(chart: &Chart, width: usize, theme: Theme) -> Option<Line<'static>> {
    let take = (width / 2).saturating_sub(22).clamp(4, 24);
    let series = |f: &dyn Fn(&Vitals) -> Option<f64>| -> Vec<f64> {
        let all: Vec<f64> = chart.vitals.iter().filter_map(f).collect();
        all[all.len().saturating_sub(take)..].to_vec()
    };
    let weight = series(&|v| v.weight_kg.and_then(|w| w.to_f64()));
    let systolic = series(&|v| v.systolic_mmhg.map(f64::from));
    if weight.len() < 2 && systolic.len() < 2 {
        return None;
    }
    let mut spans = vec![Span::styled(" Trends ", theme.dim())];
    if weight.len() >= 2 {
        spans.push(Span::raw(format!(
            "weight {} {:.1} kg   ",
            spark(&weight, theme.ascii()),
            weight.last().copied().unwrap_or_default()
        )));
    }
    if systolic.len() >= 2 {
        spans.push(Span::raw(format!(
            "systolic {} {:.0} mmHg",
            spark(&systolic, theme.ascii()),
            systolic.last().copied().unwrap_or_default()
        )));
    }
    Some(Line::from(spans))
}

fn text_lines(out: &mut Vec<Line<'static>>, label: &str, text: Option<&str>, width: usize) {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return;
    };
    let mut first = true;
    for para in text.lines() {
        for l in wrap(para, width.saturating_sub(6).max(10)) {
            let head = if first {
                format!("  {label:<3} ")
            } else {
                "      ".into()
            };
            first = false;
            out.push(Line::raw(format!("{head}{l}")));
        }
    }
}

/// One record's block.
fn record_lines(
    out: &mut Vec<Line<'static>>,
    chart: &Chart,
    r: &Encounter,
    tz: Tz,
    width: usize,
    theme: Theme,
) {
    let when = r.recorded_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
    let state = match r.signed_at {
        Some(at) => format!("signed {}", at.with_timezone(&tz).format("%Y-%m-%d %H:%M")),
        None => "DRAFT (unsigned)".into(),
    };
    let emergency = if r.written_under_emergency {
        " · emergency access"
    } else {
        ""
    };
    out.push(Line::styled(
        truncate(
            &format!(
                " {when} · {} · {} · {state}{emergency}",
                r.author, r.summary
            ),
            width,
        ),
        if r.is_signed() {
            theme.title()
        } else {
            theme.warning()
        },
    ));
    text_lines(out, "S", r.subjective.as_deref(), width);
    text_lines(out, "O", r.objective.as_deref(), width);
    if let Some(v) = chart.vitals_of(r.id) {
        text_lines(out, "Vit", Some(&vitals_words(v)), width);
    }
    text_lines(out, "A", r.assessment.as_deref(), width);
    for d in chart.diagnoses_of(r.id) {
        let primary = if d.is_primary { " (primary)" } else { "" };
        out.push(Line::raw(truncate(
            &format!("  Dx  {} {}{primary}", d.code, d.description),
            width,
        )));
    }
    text_lines(out, "P", r.plan.as_deref(), width);
    for p in chart.prescriptions_of(r.id) {
        let flag = if p.allergy_confirmed {
            " (despite a recorded allergy)"
        } else {
            ""
        };
        out.push(Line::raw(truncate(
            &format!("  Rx  {}{flag}", p.line()),
            width,
        )));
    }
    // Records from before encounters had structure.
    text_lines(out, "Dx", r.diagnosis_text.as_deref(), width);
    text_lines(out, "Tx", r.treatment_text.as_deref(), width);
    text_lines(out, "N", r.notes_text.as_deref(), width);
    for a in chart.amendments_of(r.id) {
        out.push(Line::styled(
            truncate(
                &format!(
                    "  Amended {} by {}: {}",
                    a.recorded_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                    a.author,
                    a.summary
                ),
                width,
            ),
            theme.warning(),
        ));
        text_lines(out, "", a.notes_text.as_deref(), width);
    }
    out.push(Line::raw(""));
}

/// Every line of the chart below its header, newest record first.
pub fn chart_lines(chart: &Chart, tz: Tz, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if let Some(t) = trends(chart, width, theme) {
        out.push(t);
        out.push(Line::raw(""));
    }
    let ended: Vec<_> = chart
        .allergies
        .iter()
        .filter(|a| a.ended_at.is_some())
        .collect();
    for r in chart.records.iter().rev().filter(|r| r.amends_id.is_none()) {
        record_lines(&mut out, chart, r, tz, width, theme);
    }
    if chart.records.is_empty() {
        out.push(Line::raw(" No records yet."));
    }
    for a in ended {
        out.push(Line::styled(
            truncate(
                &format!(
                    " Allergy ended: {} ({})",
                    a.label(),
                    a.end_reason.as_deref().unwrap_or("")
                ),
                width,
            ),
            theme.dim(),
        ));
    }
    out
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    view: &ChartView,
    screen: &RecordsScreen,
    env: &ViewEnv,
) {
    let theme = env.theme;
    let width = usize::from(area.width);
    let today = screen.now.with_timezone(&screen.tz).date_naive();
    let allergies: Option<Vec<_>> = view
        .chart
        .as_ref()
        .map(|c| c.open_allergies().cloned().collect());
    let mut lines = patient_header(&view.patient, allergies.as_deref(), today, width, theme);
    if let Some(chart) = &view.chart {
        if chart.access == crate::domain::record::Access::Emergency {
            lines.push(Line::styled(
                " Emergency access: this reading is logged for review.",
                theme.error(),
            ));
        }
    }
    let body_rows = usize::from(area.height).saturating_sub(lines.len() + 1);
    match (&view.chart, &view.error) {
        (_, Some(e)) => lines.extend(
            wrap(e, width.saturating_sub(2))
                .into_iter()
                .map(|l| Line::styled(format!(" {l}"), theme.error())),
        ),
        (None, None) => lines.push(Line::raw(format!(
            " {} Opening the chart…",
            spinner(env.now)
        ))),
        (Some(chart), None) => {
            let all = chart_lines(chart, screen.tz, width, theme);
            let max_scroll = all.len().saturating_sub(body_rows);
            let scroll = usize::from(view.scroll).min(max_scroll);
            lines.extend(all.into_iter().skip(scroll).take(body_rows));
            while lines.len() < usize::from(area.height).saturating_sub(1) {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(
                format!(
                    " {} records · newest first{}",
                    chart.records.len(),
                    if scroll < max_scroll {
                        " · more below"
                    } else {
                        ""
                    }
                ),
                theme.dim(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}
