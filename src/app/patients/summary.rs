//! One patient's summary: who they are, how to reach them, their appointments and what they owe,
//! as much of it as the person at the desk may read.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{book, Cmd, Form, LookupFocus, PatientsScreen, Request};
use crate::app::pending::{Pending, RequestId};
use crate::app::screen::{Ctx, Intent, Outcome};
use crate::domain::appointment::{patient_list_name, AppointmentStatus, PatientAppointment};
use crate::domain::money::Money;
use crate::domain::patient::{BillingPatient, Patient};
use crate::domain::staff::Job;

/// What the summary may read for the job at the desk: the database refuses the rest anyway, but
/// asking only for what is granted keeps a refusal from hiding everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryScope {
    /// Only the columns granted to accountants (no sex, gender, emergency contact, versions).
    pub billing_only: bool,
    /// The open balance: for the roles that may read invoices, never for doctors.
    pub balance: bool,
}

/// The record as far as this login may read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Details {
    Full(Box<Patient>),
    Billing(Box<BillingPatient>),
}

impl Details {
    pub fn id(&self) -> i64 {
        match self {
            Details::Full(p) => p.id,
            Details::Billing(p) => p.id,
        }
    }

    pub fn patient_number(&self) -> i64 {
        match self {
            Details::Full(p) => p.patient_number,
            Details::Billing(p) => p.patient_number,
        }
    }

    pub fn family_name(&self) -> &str {
        match self {
            Details::Full(p) => &p.family_name,
            Details::Billing(p) => &p.family_name,
        }
    }

    pub fn given_names(&self) -> &str {
        match self {
            Details::Full(p) => &p.given_names,
            Details::Billing(p) => &p.given_names,
        }
    }

    pub fn date_of_birth(&self) -> NaiveDate {
        match self {
            Details::Full(p) => p.date_of_birth,
            Details::Billing(p) => p.date_of_birth,
        }
    }
}

/// Everything the summary shows, read in one go.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub details: Details,
    /// Upcoming soonest first, then past latest first, as read.
    pub appointments: Vec<PatientAppointment>,
    /// What the patient owes on open invoices, per currency: `None` when not asked for (a
    /// doctor); empty when nothing is owed.
    pub balance: Option<Vec<Money>>,
}

impl Summary {
    /// Today's and later appointments, soonest first.
    pub fn upcoming(&self, today: NaiveDate, tz: Tz) -> Vec<&PatientAppointment> {
        let mut out: Vec<_> = self
            .appointments
            .iter()
            .filter(|a| local_date(a.starts_at, tz) >= today)
            .collect();
        out.sort_by_key(|a| a.starts_at);
        out
    }

    /// Earlier days' appointments, latest first.
    pub fn past(&self, today: NaiveDate, tz: Tz) -> Vec<&PatientAppointment> {
        let mut out: Vec<_> = self
            .appointments
            .iter()
            .filter(|a| local_date(a.starts_at, tz) < today)
            .collect();
        out.sort_by_key(|a| std::cmp::Reverse(a.starts_at));
        out
    }

    /// The appointment a check-in is for: today's first one still waiting for the patient.
    pub fn to_check_in(&self, today: NaiveDate, tz: Tz) -> Option<&PatientAppointment> {
        self.upcoming(today, tz).into_iter().find(|a| {
            local_date(a.starts_at, tz) == today && a.status == AppointmentStatus::Scheduled
        })
    }
}

/// "DOE, John": the family name stands out, as on the lookup's list and the clinic's letters.
pub fn title_name(family_name: &str, given_names: &str) -> String {
    format!(
        "{}, {}",
        family_name.trim().to_uppercase(),
        given_names.trim()
    )
}

pub fn local_date(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The summary being shown, or loading.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryView {
    pub patient_id: i64,
    /// The name from the list while the summary loads (empty when it came from elsewhere); kept
    /// up to date once it has.
    pub family_name: String,
    pub given_names: String,
    pub loading: Pending,
    pub data: Option<Summary>,
    pub error: Option<String>,
    pub checking_in: Pending,
    /// `c` was pressed on the list: check in once the appointments are known.
    pub check_in_when_loaded: bool,
}

impl SummaryView {
    pub fn new(patient_id: i64, family_name: &str, given_names: &str) -> Self {
        Self {
            patient_id,
            family_name: family_name.to_string(),
            given_names: given_names.to_string(),
            loading: Pending::default(),
            data: None,
            error: None,
            checking_in: Pending::default(),
            check_in_when_loaded: false,
        }
    }

    /// The answer to a load; false when it is not the newest one.
    pub fn loaded(&mut self, request: RequestId, result: Result<Box<Summary>, String>) -> bool {
        if self.loading.finish(request).is_none() {
            return false;
        }
        match result {
            Ok(summary) => {
                self.family_name = summary.details.family_name().to_string();
                self.given_names = summary.details.given_names().to_string();
                self.data = Some(*summary);
                self.error = None;
            }
            Err(why) => self.error = Some(why),
        }
        true
    }

    /// "DOE, John", as the screen titles a patient.
    pub fn title(&self) -> String {
        if self.family_name.is_empty() {
            return "Patient".into();
        }
        title_name(&self.family_name, &self.given_names)
    }

    /// "Doe, John", as the calendar lists a patient.
    pub fn list_name(&self) -> String {
        patient_list_name(&self.family_name, &self.given_names)
    }

    /// The stored record, when this login reads all of it (what an edit starts from).
    pub fn patient(&self) -> Option<&Patient> {
        match self.data.as_ref().map(|s| &s.details) {
            Some(Details::Full(p)) => Some(p),
            _ => None,
        }
    }
}

// ---- the screen's keys and answers while a summary is in front ----------------------------------

impl PatientsScreen {
    pub(super) fn open_summary(&mut self, view: SummaryView, ctx: &mut Ctx) -> Outcome<Self> {
        self.summary = Some(view);
        self.load_summary(ctx)
    }

    pub(super) fn load_summary(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(summary) = &mut self.summary else {
            return Outcome::default();
        };
        let request = ctx.start(&mut summary.loading, ());
        let job = ctx.me.job;
        Outcome::request(Request::Summary {
            request,
            patient_id: summary.patient_id,
            scope: SummaryScope {
                billing_only: job == Job::Accountant,
                balance: job != Job::Doctor,
            },
            around: ctx.start_of_today(),
        })
    }

    pub(super) fn summary_loaded(
        &mut self,
        request: RequestId,
        result: Result<Box<Summary>, String>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let Some(summary) = &mut self.summary else {
            return Outcome::default();
        };
        if !summary.loaded(request, result) {
            return Outcome::default();
        }
        if std::mem::take(&mut summary.check_in_when_loaded) && summary.data.is_some() {
            return self.check_in(ctx);
        }
        Outcome::redraw()
    }

    pub(super) fn summary_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(summary) = &self.summary else {
            return Outcome::default();
        };
        match cmd {
            Cmd::FocusSearch => {
                self.summary = None;
                self.lookup.focus = LookupFocus::Search;
                Outcome::redraw()
            }
            Cmd::Refresh => self.load_summary(ctx),
            Cmd::Edit if self.full => match summary.patient() {
                Some(patient) => {
                    let mut form = Form::edit_of(patient, ctx.date_format);
                    form.check_date_of_birth(ctx.today(), ctx.date_format);
                    self.form = Some(form);
                    Outcome::redraw()
                }
                None => Outcome::notice("The patient's details are still loading."),
            },
            Cmd::Book if self.full => book(summary.patient_id, summary.list_name()),
            Cmd::CheckIn if self.full => self.check_in(ctx),
            Cmd::Pay if self.full => Outcome::hand_over(Intent::TakePayment {
                patient_id: summary.patient_id,
                patient_name: summary.list_name(),
            }),
            Cmd::Invoices => Outcome::hand_over(Intent::PatientInvoices {
                patient_id: summary.patient_id,
                patient_name: summary.list_name(),
            }),
            Cmd::AuditTrail if ctx.me.job == crate::domain::staff::Job::Admin => {
                match summary.data.as_ref() {
                    Some(data) => Outcome::hand_over(Intent::PatientAudit {
                        patient_number: data.details.patient_number(),
                        patient_name: summary.list_name(),
                    }),
                    None => Outcome::notice("The patient's details are still loading."),
                }
            }
            Cmd::AuditTrail => Outcome::notice("The audit trail is the administrators'."),
            _ => Outcome::default(),
        }
    }

    pub(super) fn check_in(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(summary) = &mut self.summary else {
            return Outcome::default();
        };
        let Some(data) = &summary.data else {
            summary.check_in_when_loaded = true;
            return Outcome::notice("Loading the appointments first…");
        };
        if summary.checking_in.in_flight() {
            return Outcome::default();
        }
        let Some(appointment) = data.to_check_in(ctx.today(), ctx.tz) else {
            return Outcome::notice(format!(
                "{} has no appointment waiting to be checked in today.",
                summary.title()
            ));
        };
        let (appointment_id, version) = (appointment.id, appointment.version);
        let request = ctx.start(&mut summary.checking_in, ());
        Outcome::request(Request::CheckIn {
            request,
            appointment_id,
            version,
            tz: ctx.tz,
        })
    }
}
