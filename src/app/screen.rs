//! What every screen is: the [`Screen`] protocol, the context its handlers get, and what they hand
//! back. The shell and the loop know screens only through this protocol and the registry
//! (`registry.rs`), never by name.

use std::convert::Infallible;
use std::fmt::Debug;
use std::hash::Hash;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use tui_input::InputRequest;

use super::action::TextInput;
use super::confirm::Confirm;
use super::keymap::Binding;
use super::pending::{Pending, RequestId, RequestIds};
use super::registry::ScreenId;
use crate::domain::live::LiveEvent;
use crate::domain::money::{Currency, NumberFormat};
use crate::domain::staff::{Job, StaffIdentity};

/// How much of a screen's data a job may change. The database enforces it; the app only says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Full,
    ReadOnly,
}

/// One screen of the shell, described once: its keys, how it answers keys, typing, answers from
/// the database, live events, hand-overs from other screens and the clock, and what the shell
/// needs to know of its state. Its view is `ui::View`, its database work `effects::Run`; the
/// registry lists it once and everything else loops over the registry.
pub trait Screen: Default + Debug + 'static {
    /// The screen's own commands, bound to keys in `BINDINGS` and the panels' lists.
    type Cmd: Copy + Eq + Hash + Debug + 'static;
    /// What it asks of the database (plain data, run by `crate::effects`) ...
    type Request: Clone + PartialEq + Debug + Send + 'static;
    /// ... and the answers, each with the request id it answers.
    type Reply: Clone + PartialEq + Debug + Send + 'static;
    /// The parts of the screen with keys of their own (a form, a popup): while one is open its
    /// list replaces the screen's (the shell's and the global keys stay), so the footer and `?`
    /// show what works there and the same key can mean different things in a form and behind it.
    /// `std::convert::Infallible` when there are none.
    type Panel: PanelKind;

    /// The name in the top bar.
    const TITLE: &'static str;
    /// The word typed at the `:` command line.
    const COMMAND: &'static str;
    /// The keys of the screen itself.
    const BINDINGS: &'static [Binding];

    /// Whether `job` has this screen, and how much of it (design.md, "Roles and what they may do").
    fn access(job: Job) -> Option<Access>;

    /// Whether this is where `job` starts after signing in (a doctor's day, not the lookup); the
    /// first screen of the top bar when none says so.
    fn home(_job: Job) -> bool {
        false
    }

    /// The screen came to the front: it may load what it shows.
    fn entered(&mut self, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::redraw()
    }

    /// One of its keys was pressed (the panel in front decides what it means).
    fn command(&mut self, cmd: Self::Cmd, ctx: &mut Ctx) -> Outcome<Self>;

    /// Typing into the focused text field.
    fn edit(&mut self, _request: InputRequest, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::default()
    }

    /// A key for the focused multi-line editor (only while `text_area_focused`).
    fn edit_text(&mut self, _input: TextInput, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::default()
    }

    /// Esc: close the top layer (asking first when it holds typed input).
    fn back(&mut self, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::default()
    }

    /// An answer from the database.
    fn reply(&mut self, reply: Self::Reply, ctx: &mut Ctx) -> Outcome<Self>;

    /// Whether work handed over from another screen continues here.
    fn takes(_intent: &Intent) -> bool {
        false
    }

    /// Work handed over from another screen (only ones `takes` accepts).
    fn intent(&mut self, _intent: Intent, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::default()
    }

    /// The live events this screen reacts to: another desk changed something, or live updates
    /// stopped or came back.
    fn notified(&mut self, _event: LiveEvent, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::default()
    }

    /// When this screen next needs the clock (a debounce running out, a spinner's next frame, a
    /// count that moves on); `None` when nothing is due. The loop sleeps until the earliest.
    fn deadline(&self, _now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }

    /// The clock moved on (a deadline came, or the minute turned): do what is due.
    fn tick(&mut self, _ctx: &mut Ctx) -> Outcome<Self> {
        Outcome::default()
    }

    /// Typed but not saved: quitting must ask first.
    fn has_unsaved_input(&self) -> bool {
        false
    }

    /// A text field has the focus, so plain characters are typed rather than taken as commands.
    fn text_focused(&self) -> bool {
        false
    }

    /// A multi-line editor has the focus: every key its place does not bind goes to it
    /// (`edit_text`), Enter and the arrows included.
    fn text_area_focused(&self) -> bool {
        false
    }

    /// Whether this person is offered `cmd` in the footer: a key their job cannot use only crowds
    /// out one they can. (The key still answers, with a refusal in words.)
    fn offers(&self, _cmd: Self::Cmd) -> bool {
        true
    }

    /// The part of the screen in front, when it has keys of its own.
    fn panel(&self) -> Option<Self::Panel> {
        None
    }

    /// Something on the screen closes with `back` (Esc): a panel, or a step half taken.
    fn can_go_back(&self) -> bool {
        self.panel().is_some()
    }

    /// Something is out that the person should see moving.
    fn spinning(&self, _now: DateTime<Utc>) -> bool {
        false
    }
}

/// A part of a screen with keys of its own (see `Screen::Panel`).
pub trait PanelKind: Copy + Eq + Hash + Debug + 'static {
    /// Every panel, so the keymap resolves all their keys up front.
    const ALL: &'static [Self];
    /// The heading of its keys in `?`.
    fn title(self) -> &'static str;
    fn bindings(self) -> &'static [Binding];
}

/// A screen without panels.
impl PanelKind for Infallible {
    const ALL: &'static [Self] = &[];

    fn title(self) -> &'static str {
        match self {}
    }

    fn bindings(self) -> &'static [Binding] {
        match self {}
    }
}

/// What a screen's handlers may know and use: who is signed in, with what access, the clock and
/// the clinic's conventions, and the source of request ids for what they ask.
pub struct Ctx<'a> {
    pub me: &'a StaffIdentity,
    pub access: Access,
    pub now: DateTime<Utc>,
    pub tz: chrono_tz::Tz,
    /// The clinic's local date format (chrono), besides ISO.
    pub date_format: &'a str,
    pub number_format: NumberFormat,
    pub currency: Currency,
    /// Rows the screen has on the terminal (what the shell leaves it).
    pub body_rows: u16,
    /// The argon2id hash of the password that signed in (as the lock screen checks it), for the
    /// steps that ask for the password again (signing a record); None while it is being made.
    pub password_hash: Option<&'a str>,
    /// How long an emergency access asked for from here lasts (`[records] break_glass_minutes`).
    pub break_glass_minutes: u16,
    /// Days from an invoice's issue to its due date (`[billing] payment_terms_days`).
    pub payment_terms_days: u16,
    /// How the bank's CSV statements are read (`[billing.bank_csv]`).
    pub bank_csv: &'a crate::domain::statement::CsvLayout,
    /// Where exports and statements are written (`[billing] export_dir`).
    pub export_dir: &'a std::path::Path,
    /// The clinic's name, at the head of what it prints.
    pub clinic_name: &'a str,
    /// Whether this screen is the one in front (a screen behind re-reads only when shown).
    pub front: bool,
    /// This desk's wait before re-reading after another desk's change (`refetch::desk_delay`).
    pub refetch_delay: TimeDelta,
    pub ids: &'a mut RequestIds,
}

impl Ctx<'_> {
    /// Ask again through `pending`: a fresh request id, in flight from now.
    pub fn start<T>(&mut self, pending: &mut Pending<T>, what: T) -> RequestId {
        pending.start(self.ids, self.now, what)
    }

    /// Today in the clinic's time zone.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.tz).date_naive()
    }

    /// Midnight at the clinic today, as an instant: the line between past and upcoming.
    pub fn start_of_today(&self) -> DateTime<Utc> {
        self.today()
            .and_time(NaiveTime::MIN)
            .and_local_timezone(self.tz)
            .earliest()
            .map_or(self.now, |t| t.with_timezone(&Utc))
    }
}

/// What a screen's handler hands back to the shell.
pub struct Outcome<S: Screen> {
    /// Database work to run, each answered by a `Reply`.
    pub requests: Vec<S::Request>,
    /// A one-line message for the person (gone at their next key).
    pub notice: Option<String>,
    /// Work that continues on another screen.
    pub intent: Option<Intent>,
    /// A question before a step that cannot be undone; "yes" runs the command it carries.
    pub confirm: Option<Confirm<S::Cmd>>,
    /// Whether anything visible changed.
    pub redraw: bool,
}

impl<S: Screen> Default for Outcome<S> {
    fn default() -> Self {
        Self {
            requests: Vec::new(),
            notice: None,
            intent: None,
            confirm: None,
            redraw: false,
        }
    }
}

impl<S: Screen> Debug for Outcome<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outcome")
            .field("requests", &self.requests)
            .field("notice", &self.notice)
            .field("intent", &self.intent)
            .field("confirm", &self.confirm)
            .field("redraw", &self.redraw)
            .finish()
    }
}

impl<S: Screen> Outcome<S> {
    pub fn redraw() -> Self {
        Self {
            redraw: true,
            ..Self::default()
        }
    }

    /// Ask the database for something (and redraw: the screen shows that it is waiting).
    pub fn request(request: S::Request) -> Self {
        Self {
            requests: vec![request],
            redraw: true,
            ..Self::default()
        }
    }

    pub fn notice(text: impl Into<String>) -> Self {
        Self {
            notice: Some(text.into()),
            redraw: true,
            ..Self::default()
        }
    }

    /// Hand the work over to the screen that continues it.
    pub fn hand_over(intent: Intent) -> Self {
        Self {
            intent: Some(intent),
            redraw: true,
            ..Self::default()
        }
    }

    /// Ask before a step that cannot be undone.
    pub fn confirm(confirm: Confirm<S::Cmd>) -> Self {
        Self {
            confirm: Some(confirm),
            redraw: true,
            ..Self::default()
        }
    }

    /// Only a redraw when `changed`.
    pub fn redraw_if(changed: bool) -> Self {
        Self {
            redraw: changed,
            ..Self::default()
        }
    }

    pub fn with_notice(mut self, text: impl Into<String>) -> Self {
        self.notice = Some(text.into());
        self.redraw = true;
        self
    }

    /// Both: `other`'s requests after these; its notice, hand-over and question win when it has one.
    pub fn and(mut self, other: Outcome<S>) -> Self {
        self.requests.extend(other.requests);
        self.notice = other.notice.or(self.notice);
        self.intent = other.intent.or(self.intent);
        self.confirm = other.confirm.or(self.confirm);
        self.redraw |= other.redraw;
        self
    }
}

/// A hand-over from one screen to another (e.g. "book this patient" from the patient lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Open the calendar to book an appointment for this patient.
    Book {
        patient_id: i64,
        patient_name: String,
    },
    /// Open this patient's summary on the patients screen.
    OpenPatient { patient_id: i64 },
    /// Show this appointment on the calendar (its day, its doctor); closing it goes back to
    /// `back_to` when given (the queue, on the same row).
    ShowAppointment {
        appointment_id: i64,
        back_to: Option<ScreenId>,
    },
    /// Take a payment at the desk from this patient: their invoices on the billing screen, with
    /// the payment form on the open one.
    TakePayment {
        patient_id: i64,
        patient_name: String,
    },
    /// Show this patient's invoices on the billing screen (the accounts office, an admin).
    PatientInvoices {
        patient_id: i64,
        patient_name: String,
    },
    /// The audit trail narrowed to this patient (an administrator, from the patient lookup).
    PatientAudit {
        patient_number: i64,
        patient_name: String,
    },
    /// The clinic's settings as an administrator just saved them: this desk uses them at once (the
    /// shell's own step, taken by no screen).
    ClinicSettings(Box<crate::domain::settings::ClinicSettings>),
    /// Back to the screen that handed work over: the shell's own step, taken by no screen.
    Return { to: ScreenId },
}
