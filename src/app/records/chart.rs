//! A chart on the Records screen: opening it (refused when the patient is not in the doctor's
//! care), scrolling it, and what can be started from it.

use super::{
    ChartRefusal, ChartView, Cmd, EncounterForm, PatientLine, RecordsScreen, Request, ScreenPopup,
};
use crate::app::pending::{Pending, RequestId};
use crate::app::screen::{Ctx, Outcome};
use crate::domain::record::{Chart, DayVisit};
use tui_input::Input;

impl RecordsScreen {
    pub(super) fn open_chart(
        &mut self,
        patient: PatientLine,
        visit: Option<DayVisit>,
        then_edit: Option<i64>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let mut view = ChartView {
            patient,
            visit,
            chart: None,
            loading: Pending::default(),
            error: None,
            no_care: false,
            scroll: 0,
            then_edit,
        };
        let request = ctx.start(&mut view.loading, ());
        let patient_id = view.patient.patient_id;
        self.chart = Some(view);
        Outcome::request(Request::Chart {
            request,
            patient_id,
        })
    }

    pub(super) fn chart_loaded(
        &mut self,
        request: RequestId,
        result: Result<Chart, ChartRefusal>,
    ) -> Outcome<Self> {
        let Some(view) = &mut self.chart else {
            return Outcome::default();
        };
        if view.loading.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(chart) => {
                if let Some(record_id) = view.then_edit.take() {
                    self.encounter = EncounterForm::open(&chart, record_id, view.patient.clone());
                }
                view.chart = Some(chart);
                view.error = None;
                view.no_care = false;
            }
            Err(ChartRefusal::NoCare) => {
                view.chart = None;
                view.no_care = true;
                view.error = Some(format!(
                    "{} is not in your care (no appointment with you, no record of yours). In an \
                     emergency, b opens the chart for a while with a stated reason, logged for review.",
                    view.patient.name
                ));
            }
            Err(ChartRefusal::Other(e)) => view.error = Some(e),
        }
        self.lists_from_chart();
        Outcome::redraw()
    }

    /// The caller's unsigned record of the visit the chart was opened from, or their latest
    /// unsigned record in it.
    pub(super) fn chart_draft(&self) -> Option<i64> {
        let view = self.chart.as_ref()?;
        let chart = view.chart.as_ref()?;
        let of_visit = view.visit.as_ref().and_then(|v| v.record_id);
        chart
            .records
            .iter()
            .rev()
            .filter(|r| !r.is_signed() && r.kind != "amendment")
            .find(|r| of_visit.is_none_or(|id| id == r.id))
            .map(|r| r.id)
    }

    pub(super) fn chart_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let page = i32::from(ctx.body_rows.saturating_sub(4).max(1));
        let Some(view) = &mut self.chart else {
            return Outcome::default();
        };
        let scroll = |view: &mut ChartView, by: i32| {
            view.scroll = u16::try_from((i32::from(view.scroll) + by).max(0)).unwrap_or(0);
            Outcome::redraw()
        };
        match cmd {
            Cmd::Down => scroll(view, 1),
            Cmd::Up => scroll(view, -1),
            Cmd::PageDown => scroll(view, page),
            Cmd::PageUp => scroll(view, -page),
            Cmd::EditDraft => match (self.chart_draft(), &self.chart) {
                (Some(id), Some(view)) => {
                    let patient = view.patient.clone();
                    match view.chart.as_ref() {
                        Some(chart) => {
                            self.encounter = EncounterForm::open(chart, id, patient);
                            Outcome::redraw()
                        }
                        None => Outcome::default(),
                    }
                }
                _ => {
                    Outcome::notice("No unsigned draft of yours here: signed records are amended.")
                }
            },
            Cmd::Start => match view.visit.clone() {
                Some(v) => self.start(&v, ctx),
                None => Outcome::notice("Open the chart from today's visit to start it."),
            },
            Cmd::Refresh => self.reload_chart(ctx),
            Cmd::BreakGlass => {
                if !view.no_care {
                    return Outcome::notice("This chart is open to you already.");
                }
                self.popup = Some(ScreenPopup::BreakGlass {
                    patient: view.patient.clone(),
                    reason: Input::default(),
                    error: None,
                });
                Outcome::redraw()
            }
            Cmd::NewNote => {
                if view.chart.is_none() {
                    return Outcome::notice("Open the chart first.");
                }
                if self.asking.in_flight() {
                    return Outcome::notice("Still on it.");
                }
                let patient_id = view.patient.patient_id;
                let request = ctx.start(&mut self.asking, "new note".into());
                Outcome::request(Request::NewNote {
                    request,
                    patient_id,
                })
            }
            Cmd::Amend => match view
                .chart
                .as_ref()
                .and_then(|c| ScreenPopup::amend(c, ctx.tz))
            {
                Some(popup) => {
                    self.popup = Some(popup);
                    Outcome::redraw()
                }
                None => Outcome::notice("Nothing signed to amend: a draft is edited instead."),
            },
            _ => Outcome::default(),
        }
    }

    pub(super) fn reload_chart(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        match &mut self.chart {
            Some(view) => {
                let request = ctx.start(&mut view.loading, ());
                Outcome::request(Request::Chart {
                    request,
                    patient_id: view.patient.patient_id,
                })
            }
            None => Outcome::redraw(),
        }
    }

    /// The chart came back while an encounter is open: take its lists.
    pub fn lists_from_chart(&mut self) {
        if let (Some(form), Some(chart)) = (
            &mut self.encounter,
            self.chart.as_ref().and_then(|c| c.chart.as_ref()),
        ) {
            form.diagnoses
                .replace(chart.diagnoses_of(form.record_id).cloned().collect(), |d| {
                    d.id
                });
            form.prescriptions.replace(
                chart.prescriptions_of(form.record_id).cloned().collect(),
                |p| p.id,
            );
            form.allergies = chart.open_allergies().cloned().collect();
        }
    }
}
