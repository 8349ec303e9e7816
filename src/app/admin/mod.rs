//! Administration: the staff and their logins (add, change job, reset a password, deactivate,
//! reactivate), the permission matrix as the catalog states it, the audit trail, the emergency
//! accesses waiting for review, and the clinic's shared settings. Admins only, and never any
//! clinical content. Every step is the database's own security-definer function (sql/0023,
//! 0024, 0027): this screen asks in its words and shows what it answered.

mod keys;
mod matrix;
mod requests;
mod settings;
mod staff;
mod trail;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tui_input::InputRequest;

pub use keys::{Panel, BINDINGS};
pub use matrix::MatrixView;
pub use requests::{Cmd, Reply, Request, StaffStep};
pub use settings::{
    SETTING_BREAK_GLASS, SETTING_CURRENCY, SETTING_IDLE, SETTING_NAME, SETTING_TIME_ZONE,
};
pub use staff::{StaffForm, JOBS};
pub use trail::{
    PageAt, TrailFilter, TrailView, FILTER_ACTION, FILTER_FROM, FILTER_PATIENT, FILTER_PERSON,
    FILTER_TABLE, FILTER_TO,
};

use super::confirm::Confirm;
use super::keymap::Binding;
use super::pending::Pending;
use super::screen::{Access, Ctx, Intent, Outcome, Screen};
use super::widgets::form::Form;
use super::widgets::List;
use crate::domain::settings::{AccessToReview, ClinicSettings};
use crate::domain::staff::{Job, StaffRow};

/// The parts of the screen, in the order of its tab bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Staff,
    Permissions,
    Audit,
    Reviews,
    Settings,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Staff,
        Tab::Permissions,
        Tab::Audit,
        Tab::Reviews,
        Tab::Settings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Staff => "Staff",
            Tab::Permissions => "Permissions",
            Tab::Audit => "Audit",
            Tab::Reviews => "Emergency access",
            Tab::Settings => "Settings",
        }
    }

    fn step(self, forward: bool) -> Tab {
        let i = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0);
        let n = Tab::ALL.len();
        Tab::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// A list read from the database, with its state.
#[derive(Debug)]
pub struct Part<T> {
    pub rows: List<T>,
    pub loaded: bool,
    pub loading: Pending,
    pub error: Option<String>,
}

impl<T> Default for Part<T> {
    fn default() -> Self {
        Self {
            rows: List::default(),
            loaded: false,
            loading: Pending::default(),
            error: None,
        }
    }
}

impl<T> Part<T> {
    /// The answer to `request`, if it is the one awaited; false for a stale one.
    fn answer<K: PartialEq>(
        &mut self,
        request: crate::app::pending::RequestId,
        result: Result<Vec<T>, String>,
        key: impl Fn(&T) -> K,
    ) -> bool {
        if self.loading.finish(request).is_none() {
            return false;
        }
        match result {
            Ok(rows) => {
                self.rows.replace(rows, key);
                self.loaded = true;
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
        true
    }

    fn move_cursor(&mut self, cmd: Cmd, page: usize) -> bool {
        match cmd {
            Cmd::Up => self.rows.move_by(-1),
            Cmd::Down => self.rows.move_by(1),
            Cmd::PageUp => self.rows.page(false, page),
            Cmd::PageDown => self.rows.page(true, page),
            _ => return false,
        }
        true
    }
}

/// What a review's note is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewOf {
    pub access_id: i64,
    pub about: String,
}

/// The form in front.
#[derive(Debug)]
pub enum Popup {
    Staff(Box<Form<StaffForm>>),
    Review(Box<Form<ReviewOf>>),
    Settings(Box<Form<i32>>),
    TrailFilter(Box<Form<()>>),
}

impl Popup {
    fn changed_and_idle(&self) -> bool {
        match self {
            Popup::Staff(f) => f.changed() && !f.saving.in_flight(),
            Popup::Review(f) => f.changed() && !f.saving.in_flight(),
            Popup::Settings(f) => f.changed() && !f.saving.in_flight(),
            // A filter throws nothing away worth asking about.
            Popup::TrailFilter(_) => false,
        }
    }

    fn saving(&self) -> bool {
        match self {
            Popup::Staff(f) => f.saving.in_flight(),
            Popup::Review(f) => f.saving.in_flight(),
            Popup::Settings(f) => f.saving.in_flight(),
            Popup::TrailFilter(f) => f.saving.in_flight(),
        }
    }

    fn text_focused(&self) -> bool {
        match self {
            Popup::Staff(f) => f.text_focused(),
            Popup::Review(f) => f.text_focused(),
            Popup::Settings(f) => f.text_focused(),
            Popup::TrailFilter(f) => f.text_focused(),
        }
    }
}

#[derive(Debug, Default)]
pub struct AdminScreen {
    pub tab: Tab,
    pub staff: Part<StaffRow>,
    pub reviews: Part<AccessToReview>,
    pub settings: Option<ClinicSettings>,
    pub settings_loading: Pending,
    pub settings_error: Option<String>,
    pub matrix: MatrixView,
    pub trail: TrailView,
    /// A staff step on its way, in words ("Deactivating Rita Moreno").
    pub step: Pending<String>,
    /// The person a "deactivate?" question is about.
    asked_about: Option<i64>,
    pub popup: Option<Popup>,
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub job: Option<Job>,
    /// Signed in as (the staff list marks the person's own row).
    pub me: Option<String>,
}

impl Screen for AdminScreen {
    type Cmd = Cmd;
    type Request = Request;
    type Reply = Reply;
    type Panel = Panel;

    const TITLE: &'static str = "Admin";
    const COMMAND: &'static str = "admin";
    const BINDINGS: &'static [Binding] = BINDINGS;

    /// Admins only (design.md): and nothing of it is clinical.
    fn access(job: Job) -> Option<Access> {
        (job == Job::Admin).then_some(Access::Full)
    }

    fn home(job: Job) -> bool {
        job == Job::Admin
    }

    /// The staff list and the count of emergency accesses to review (shown on the tab bar).
    fn entered(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let reviews = self.load_reviews(ctx);
        match self.tab {
            Tab::Reviews => reviews,
            _ => reviews.and(self.load_tab(ctx)),
        }
    }

    /// The audit trail of a patient chosen in the lookup.
    fn takes(intent: &Intent) -> bool {
        matches!(intent, Intent::PatientAudit { .. })
    }

    fn intent(&mut self, intent: Intent, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let Intent::PatientAudit { patient_number, .. } = intent else {
            return Outcome::default();
        };
        // A form with typed input stays open over the trail; an untouched one closes.
        if !self.popup.as_ref().is_some_and(Popup::changed_and_idle) {
            self.popup = None;
        }
        self.tab = Tab::Audit;
        self.trail.filter = TrailFilter {
            patient_number: Some(patient_number),
            ..TrailFilter::default()
        };
        self.trail.count = None;
        self.load_trail(PageAt::Newest, ctx)
    }

    fn command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        if self.popup.is_some() {
            return self.form_command(cmd, ctx);
        }
        let page = usize::from(ctx.body_rows.saturating_sub(5)).max(1);
        if self.tab == Tab::Audit && !matches!(cmd, Cmd::NextTab | Cmd::PreviousTab | Cmd::Refresh)
        {
            return self.trail_command(cmd, ctx);
        }
        if self.tab == Tab::Permissions {
            let out = self.matrix_command(cmd);
            if out.redraw {
                return out;
            }
        }
        match cmd {
            Cmd::NextTab | Cmd::PreviousTab => {
                self.tab = self.tab.step(cmd == Cmd::NextTab);
                self.load_tab(ctx)
            }
            Cmd::Refresh => self.load_tab(ctx),
            Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown => {
                let moved = match self.tab {
                    Tab::Staff => self.staff.move_cursor(cmd, page),
                    Tab::Reviews => self.reviews.move_cursor(cmd, page),
                    Tab::Permissions => self.matrix.part.move_cursor(cmd, page),
                    _ => false,
                };
                Outcome::redraw_if(moved)
            }
            Cmd::Add | Cmd::ChangeJob | Cmd::ResetPassword => self.open_staff_form(cmd),
            Cmd::Deactivate => self.ask_deactivate(),
            Cmd::DeactivateConfirmed => self.deactivate(ctx),
            Cmd::Reactivate => self.reactivate(ctx),
            Cmd::Review => self.open_review(),
            Cmd::EditSettings => self.open_settings(),
            Cmd::Discard => {
                self.popup = None;
                Outcome::redraw()
            }
            _ => Outcome::default(),
        }
    }

    fn edit(&mut self, request: InputRequest, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        let changed = match &mut self.popup {
            Some(Popup::Staff(f)) => f.edit(request, ctx.now, ctx.date_format),
            Some(Popup::Review(f)) => f.edit(request, ctx.now, ctx.date_format),
            Some(Popup::Settings(f)) => f.edit(request, ctx.now, ctx.date_format),
            Some(Popup::TrailFilter(f)) => f.edit(request, ctx.now, ctx.date_format),
            None => self.matrix_edit(request),
        };
        Outcome::redraw_if(changed)
    }

    fn back(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match self.popup.take() {
            Some(p) if p.changed_and_idle() => {
                self.popup = Some(p);
                Outcome::confirm(Confirm::discard(Cmd::Discard))
            }
            // Its answer must be seen (a person added, a review kept, the settings' new version).
            Some(p) if p.saving() => {
                self.popup = Some(p);
                Outcome::notice("Still saving: wait for the answer.")
            }
            Some(_) => Outcome::redraw(),
            None if self.tab == Tab::Permissions && self.matrix.filtering => {
                self.matrix.filtering = false;
                Outcome::redraw()
            }
            None => Outcome::default(),
        }
    }

    fn reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Outcome<Self> {
        self.sync(ctx);
        match reply {
            Reply::Staff { request, result } => {
                Outcome::redraw_if(self.staff.answer(request, result, |r| r.id))
            }
            Reply::Step { request, result } => self.step_done(request, result, ctx),
            Reply::Reviews { request, result } => {
                Outcome::redraw_if(self.reviews.answer(request, result, |r| r.access_id))
            }
            Reply::Reviewed { request, result } => self.reviewed(request, result, ctx),
            Reply::Settings { request, result } => {
                if self.settings_loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(s) => {
                        self.settings = Some(*s);
                        self.settings_error = None;
                    }
                    Err(e) => self.settings_error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::SettingsSaved { request, result } => self.settings_saved(request, result),
            Reply::Permissions { request, result } => {
                let view = &mut self.matrix;
                if view.part.loading.finish(request).is_none() {
                    return Outcome::default();
                }
                match result {
                    Ok(rows) => {
                        view.all = rows;
                        view.part.loaded = true;
                        view.part.error = None;
                        view.arrange();
                    }
                    Err(e) => view.part.error = Some(e),
                }
                Outcome::redraw()
            }
            Reply::AuditPage { request, result } => self.trail_page(request, result),
            Reply::AuditPickers { result, .. } => {
                if let Ok(p) = result {
                    self.trail.pickers = Some(p);
                }
                Outcome::default()
            }
            Reply::Verified { request, result } => self.verified(request, result),
            Reply::AuditExported { request, result } => self.trail_exported(request, result),
        }
    }

    fn has_unsaved_input(&self) -> bool {
        self.popup.as_ref().is_some_and(Popup::changed_and_idle)
    }

    fn text_focused(&self) -> bool {
        match &self.popup {
            Some(p) => p.text_focused(),
            None => self.tab == Tab::Permissions && self.matrix.filtering,
        }
    }

    fn panel(&self) -> Option<Panel> {
        if self.popup.is_some() {
            return Some(Panel::Form);
        }
        match self.tab {
            Tab::Staff => None,
            Tab::Permissions => Some(Panel::Permissions),
            Tab::Audit => Some(Panel::Audit),
            Tab::Reviews => Some(Panel::Reviews),
            Tab::Settings => Some(Panel::Settings),
        }
    }

    fn can_go_back(&self) -> bool {
        self.popup.is_some() || (self.tab == Tab::Permissions && self.matrix.filtering)
    }

    fn spinning(&self, now: DateTime<Utc>) -> bool {
        self.step.spinning(now)
            || self.trail.verify.in_flight()
            || self.trail.export.in_flight()
            || self.trail.part.loading.spinning(now)
            || self.matrix.part.loading.spinning(now)
            || self.staff.loading.spinning(now)
            || self.reviews.loading.spinning(now)
            || self.settings_loading.spinning(now)
    }

    fn deadline(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        crate::app::pending::earliest([
            self.step.next_frame(now),
            self.trail.verify.next_frame(now),
            self.trail.export.next_frame(now),
            self.trail.part.loading.next_frame(now),
            self.matrix.part.loading.next_frame(now),
            self.staff.loading.next_frame(now),
            self.reviews.loading.next_frame(now),
        ])
    }

    fn tick(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        self.now = ctx.now;
        Outcome::redraw_if(self.spinning(ctx.now))
    }
}

impl AdminScreen {
    fn sync(&mut self, ctx: &Ctx) {
        self.now = ctx.now;
        self.tz = ctx.tz;
        self.job = Some(ctx.me.job);
        if self.me.is_none() {
            self.me = Some(ctx.me.login.clone());
        }
    }

    /// The emergency accesses waiting for review: their count is on the tab bar.
    pub fn to_review(&self) -> Option<usize> {
        self.reviews.loaded.then(|| self.reviews.rows.len())
    }

    fn load_tab(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        match self.tab {
            Tab::Staff => {
                let request = ctx.start(&mut self.staff.loading, ());
                Outcome::request(Request::Staff { request })
            }
            Tab::Reviews => self.load_reviews(ctx),
            Tab::Settings => {
                let request = ctx.start(&mut self.settings_loading, ());
                Outcome::request(Request::Settings { request })
            }
            Tab::Permissions => self.load_matrix(ctx),
            Tab::Audit => self.load_trail(PageAt::Newest, ctx),
        }
    }

    fn load_reviews(&mut self, ctx: &mut Ctx) -> Outcome<Self> {
        let request = ctx.start(&mut self.reviews.loading, ());
        Outcome::request(Request::Reviews { request })
    }

    /// The keys of the form in front.
    fn form_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let save = match &mut self.popup {
            Some(Popup::Staff(f)) => form_key(f, cmd),
            Some(Popup::Review(f)) => form_key(f, cmd),
            Some(Popup::Settings(f)) => form_key(f, cmd),
            Some(Popup::TrailFilter(f)) => form_key(f, cmd),
            None => return Outcome::default(),
        };
        if cmd == Cmd::Discard {
            self.popup = None;
            return Outcome::redraw();
        }
        if !save {
            return Outcome::redraw();
        }
        match self.popup {
            Some(Popup::Staff(_)) => self.save_staff_form(ctx),
            Some(Popup::Review(_)) => self.save_review(ctx),
            Some(Popup::Settings(_)) => self.save_settings(ctx),
            Some(Popup::TrailFilter(_)) => self.apply_trail_filter(ctx),
            None => Outcome::default(),
        }
    }
}

/// A form key: moves between fields and choices; true when it asks to save (Ctrl-S, or Enter on
/// the last field).
fn form_key<K>(form: &mut Form<K>, cmd: Cmd) -> bool {
    let now = DateTime::<Utc>::MIN_UTC;
    match cmd {
        // In a text field the arrows move the cursor, as everywhere.
        Cmd::ChoiceNext if form.text_focused() => {
            form.edit(InputRequest::GoToNextChar, now, "");
        }
        Cmd::ChoicePrevious if form.text_focused() => {
            form.edit(InputRequest::GoToPrevChar, now, "");
        }
        Cmd::Save => return true,
        Cmd::FormEnter if form.focus + 1 >= form.fields.len() => return true,
        Cmd::FormEnter | Cmd::NextField => form.next_field(true, cmd == Cmd::NextField),
        Cmd::PreviousField => form.next_field(false, true),
        Cmd::ChoiceNext | Cmd::ChoicePrevious => form.step(cmd == Cmd::ChoiceNext),
        _ => {}
    }
    false
}
