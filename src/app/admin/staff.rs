//! The staff list's steps: add a person, change a job, reset a password (typed twice at hidden
//! fields, checked here and sent only as a SCRAM verifier), deactivate (asked first: it ends the
//! person's sessions) and reactivate. The database refuses the rest (sql/0023): the last active
//! admin, one's own login, anything that is not a clinic login.

use super::{AdminScreen, Cmd, Popup, Request, StaffStep};
use crate::app::action::Secret;
use crate::app::confirm::Confirm;
use crate::app::pending::RequestId;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::form::{Field, Form};
use crate::domain::staff::{password_problem, valid_login_name, Job, StaffRow};

/// The jobs a form offers, in the order people are hired.
pub const JOBS: [Job; 4] = [Job::Receptionist, Job::Doctor, Job::Accountant, Job::Admin];

/// What a staff form does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffForm {
    Add,
    Job {
        staff_id: i64,
        name: String,
    },
    Reset {
        staff_id: i64,
        login: String,
        name: String,
    },
}

fn job_field(job: Job) -> Field {
    let choices = JOBS.iter().map(|j| j.as_str().to_string()).collect();
    let at = JOBS.iter().position(|j| *j == job).unwrap_or(0);
    Field::choice("Job", choices, at).with_hint(Some("← → to choose".into()))
}

fn password_fields() -> [Field; 2] {
    [
        Field::secret("Password")
            .required(true)
            .with_hint(Some("10+ characters".into())),
        Field::secret("Again").required(true),
    ]
}

impl AdminScreen {
    fn selected_person(&self) -> Option<&StaffRow> {
        self.staff.rows.selected_item()
    }

    pub(super) fn open_staff_form(&mut self, cmd: Cmd) -> Outcome<Self> {
        if self.tab != super::Tab::Staff {
            return Outcome::default();
        }
        let form = match cmd {
            Cmd::Add => {
                let mut fields = vec![
                    Field::text("Login", "")
                        .required(true)
                        .with_hint(Some("e.g. rmoreno".into())),
                    Field::text("Full name", "").required(true),
                    job_field(Job::Receptionist),
                ];
                fields.extend(password_fields());
                Form::new("Add a person", StaffForm::Add, fields, 0)
            }
            _ => {
                let Some(p) = self.selected_person() else {
                    return Outcome::notice("Nobody is selected.");
                };
                if !p.active {
                    return Outcome::notice(format!(
                        "{} is deactivated: e reactivates them first.",
                        p.full_name
                    ));
                }
                if cmd == Cmd::ChangeJob {
                    let job = Job::parse(&p.job).unwrap_or(Job::Receptionist);
                    Form::new(
                        format!("{}'s job", p.full_name),
                        StaffForm::Job {
                            staff_id: p.id,
                            name: p.full_name.clone(),
                        },
                        vec![job_field(job)],
                        0,
                    )
                } else {
                    Form::new(
                        format!("A new password for {}", p.full_name),
                        StaffForm::Reset {
                            staff_id: p.id,
                            login: p.login.clone(),
                            name: p.full_name.clone(),
                        },
                        password_fields().into(),
                        0,
                    )
                }
            }
        };
        self.popup = Some(Popup::Staff(Box::new(form)));
        Outcome::redraw()
    }

    pub(super) fn save_staff_form(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(Popup::Staff(form)) = &mut self.popup else {
            return Outcome::default();
        };
        if form.saving.in_flight() {
            return Outcome::notice("Still saving.");
        }
        form.clear_errors();
        let job_of = |form: &Form<StaffForm>, i: usize| JOBS[form.fields[i].chosen().min(3)];
        let (step, name) = match form.kind.clone() {
            StaffForm::Add => {
                let login = form.value(0).trim().to_string();
                let name = form.value(1).trim().to_string();
                if !valid_login_name(&login) {
                    form.set_error(
                        0,
                        "Lower-case letters, digits and _, starting with a letter.",
                    );
                }
                if name.is_empty() {
                    form.set_error(1, "Their name, as colleagues know it.");
                }
                check_passwords(form, &login, 3);
                let password = Secret::new(form.value(3));
                let step = StaffStep::Add {
                    login,
                    full_name: name.clone(),
                    job: job_of(form, 2),
                    password,
                };
                (step, name)
            }
            StaffForm::Job { staff_id, name } => {
                let job = job_of(form, 0);
                (StaffStep::SetJob { staff_id, job }, name)
            }
            StaffForm::Reset {
                staff_id,
                login,
                name,
            } => {
                check_passwords(form, &login, 0);
                let password = Secret::new(form.value(0));
                (StaffStep::ResetPassword { staff_id, password }, name)
            }
        };
        if form.has_errors() {
            form.focus_first_error();
            return Outcome::redraw();
        }
        let request = ctx.start(&mut form.saving, ());
        Outcome::request(Request::Step {
            request,
            step,
            name,
        })
    }

    pub(super) fn ask_deactivate(&mut self) -> Outcome<Self> {
        if self.tab != super::Tab::Staff {
            return Outcome::default();
        }
        let Some(p) = self.selected_person() else {
            return Outcome::notice("Nobody is selected.");
        };
        if !p.active {
            return Outcome::notice(format!("{} is deactivated already.", p.full_name));
        }
        if self.me.as_deref() == Some(p.login.as_str()) {
            return Outcome::notice("Nobody deactivates themselves: another administrator does.");
        }
        let (id, name, login) = (p.id, p.full_name.clone(), p.login.clone());
        self.asked_about = Some(id);
        Outcome::confirm(Confirm::new(
            format!("Deactivate {name}?"),
            format!(
                "{login} can no longer sign in, in the app or with psql, and their open sessions end now. Their records and the audit trail stay. An administrator can reactivate them."
            ),
            "Deactivate",
            "Keep them",
            Cmd::DeactivateConfirmed,
        ))
    }

    pub(super) fn deactivate(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let Some(id) = self.asked_about.take() else {
            return Outcome::default();
        };
        let Some(p) = self.staff.rows.iter().find(|p| p.id == id) else {
            return Outcome::notice("That person is no longer in the list.");
        };
        let name = p.full_name.clone();
        self.start_step(StaffStep::Deactivate { staff_id: id }, name, ctx)
    }

    pub(super) fn reactivate(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        if self.tab != super::Tab::Staff {
            return Outcome::default();
        }
        let Some(p) = self.selected_person() else {
            return Outcome::notice("Nobody is selected.");
        };
        if p.active {
            return Outcome::notice(format!("{} is active.", p.full_name));
        }
        let (id, name) = (p.id, p.full_name.clone());
        self.start_step(StaffStep::Reactivate { staff_id: id }, name, ctx)
    }

    fn start_step(&mut self, step: StaffStep, name: String, ctx: &mut Ctx) -> Outcome<Self> {
        if self.step.in_flight() {
            return Outcome::notice("Still doing the last step.");
        }
        let request = ctx.start(&mut self.step, name.clone());
        Outcome::request(Request::Step {
            request,
            step,
            name,
        })
    }

    /// A step's answer: the form closes (or keeps what was typed and says why), the list is read
    /// again.
    pub(super) fn step_done(
        &mut self,
        request: RequestId,
        result: Result<String, String>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let from_form = match &mut self.popup {
            Some(Popup::Staff(form)) if form.saving.is(request) => {
                form.saving.finish(request);
                true
            }
            _ => false,
        };
        if !from_form && self.step.finish(request).is_none() {
            return Outcome::default();
        }
        match result {
            Ok(words) => {
                if from_form {
                    self.popup = None;
                }
                self.load_staff(ctx).with_notice(words)
            }
            Err(e) => {
                if let (true, Some(Popup::Staff(form))) = (from_form, &mut self.popup) {
                    let field = refused_field(&form.kind, &e);
                    match field {
                        Some(i) => form.set_error(i, e.clone()),
                        None => form.error = Some(e.clone()),
                    }
                    form.focus_first_error();
                }
                Outcome::notice(e)
            }
        }
    }

    pub(super) fn load_staff(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.staff.loading, ());
        Outcome::request(Request::Staff { request })
    }
}

/// The password at field `at` and its repeat at `at + 1`: long enough, without the login, the
/// same twice. The repeat is emptied when it differs.
fn check_passwords(form: &mut Form<StaffForm>, login: &str, at: usize) {
    if let Some(why) = password_problem(login, form.value(at)) {
        form.set_error(at, why);
    } else if form.value(at + 1) != form.value(at) {
        form.set_text(at + 1, "");
        form.set_error(at + 1, "The two differ: type it again here.");
    }
}

/// Which field a refusal of the database is about, when it names one.
fn refused_field(kind: &StaffForm, error: &str) -> Option<usize> {
    let e = error.to_lowercase();
    match kind {
        StaffForm::Add if e.contains("login") || e.contains("reserved") || e.contains("exists") => {
            Some(0)
        }
        StaffForm::Add | StaffForm::Job { .. } if e.contains("job") || e.contains("admin") => {
            Some(if matches!(kind, StaffForm::Add) { 2 } else { 0 })
        }
        _ => None,
    }
}
