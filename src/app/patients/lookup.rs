//! The lookup: one search box read by the shape of what is typed, and the list of matches.
//!
//! Typing is debounced on the app's clock (the tick), so a burst of keys costs one query; every
//! query carries a request id and only the answer to the newest one is shown.

use chrono::{DateTime, TimeDelta, Utc};
use tui_input::{Input, InputRequest};

use super::{book, view_of, Cmd, Form, PatientsScreen, Request, SEARCH_LIMIT};
use crate::app::action::{Effect, RequestId};
use crate::app::screen::{Ctx, Outcome};
use crate::db::patients::PatientHit;
use crate::domain::appointment::patient_list_name;
use crate::domain::patient::{PatientDraft, SearchQuery};

/// The pause after the last key before the box is searched.
pub const DEBOUNCE: TimeDelta = TimeDelta::milliseconds(150);
/// Rows moved by PgUp/PgDn: about one screenful of the list at 80x24.
pub const PAGE: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LookupFocus {
    #[default]
    Search,
    List,
}

/// A search on its way to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Searching {
    pub request: RequestId,
    pub since: DateTime<Utc>,
    /// The box's text when it was sent, which the answer will be labelled with.
    pub typed: String,
}

#[derive(Debug, Default)]
pub struct Lookup {
    pub input: Input,
    pub focus: LookupFocus,
    /// How the box's text is read ("name", "date of birth", ...); `None` while it is empty.
    pub reading: Option<&'static str>,
    pub hits: Vec<PatientHit>,
    pub selected: usize,
    /// The text the hits answer.
    pub answered: Option<String>,
    /// The box changed then and has not been searched since.
    pub typed_at: Option<DateTime<Utc>>,
    pub searching: Option<Searching>,
    pub error: Option<String>,
    /// Enter was pressed before the answer came: open it if it is a single patient.
    pub open_when_found: bool,
}

/// The words for each shape of input, as the lookup shows them.
pub fn reading_of(query: &SearchQuery) -> Option<&'static str> {
    match query {
        SearchQuery::Empty => None,
        SearchQuery::Date(_) => Some("date of birth"),
        SearchQuery::Digits(_) => Some("phone or number"),
        SearchQuery::Email(_) => Some("email"),
        SearchQuery::Name(_) => Some("name"),
    }
}

impl Lookup {
    /// Typing in the box; returns whether anything visible changed.
    pub fn edit(&mut self, request: InputRequest, now: DateTime<Utc>, date_format: &str) -> bool {
        let Some(changed) = self.input.handle(request) else {
            return false;
        };
        if changed.value {
            // Typing back what the list already answers (a slip undone) needs no new search.
            let answered = self.searching.is_none()
                && self.answered.as_deref() == Some(self.input.value().trim());
            self.typed_at = (!answered).then_some(now);
            self.reading = reading_of(&SearchQuery::parse(self.input.value(), date_format));
        }
        true
    }

    /// The pause after typing is over: time to search.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.typed_at.is_some_and(|at| now - at >= DEBOUNCE)
    }

    /// Whether the box holds text the list does not answer yet.
    pub fn behind(&self) -> bool {
        self.typed_at.is_some() || self.searching.is_some()
    }

    /// Send what the box holds now. An empty box clears the list without asking anything.
    pub fn search(
        &mut self,
        request: RequestId,
        now: DateTime<Utc>,
        date_format: &str,
    ) -> Option<Effect> {
        self.typed_at = None;
        let typed = self.input.value().trim().to_string();
        let query = SearchQuery::parse(&typed, date_format);
        self.reading = reading_of(&query);
        if query == SearchQuery::Empty {
            self.searching = None;
            self.hits.clear();
            self.selected = 0;
            self.answered = None;
            self.error = None;
            self.focus = LookupFocus::Search;
            return None;
        }
        self.searching = Some(Searching {
            request,
            since: now,
            typed,
        });
        Some(Effect::Patients(Request::Search {
            request,
            query,
            limit: SEARCH_LIMIT,
        }))
    }

    /// The answer to a search; false (and nothing changes) when it is not the newest one.
    pub fn found(&mut self, request: RequestId, result: Result<Vec<PatientHit>, String>) -> bool {
        let Some(searching) = self.searching.take_if(|s| s.request == request) else {
            tracing::debug!(%request, "dropped a stale patient search answer");
            return false;
        };
        match result {
            Ok(hits) => {
                // Keep the same patient under the cursor when they are still in the list.
                let kept = self
                    .hits
                    .get(self.selected)
                    .and_then(|old| hits.iter().position(|h| h.id == old.id));
                self.selected = kept.unwrap_or(0);
                self.hits = hits;
                self.error = None;
                self.answered = Some(searching.typed);
                if self.hits.is_empty() {
                    self.focus = LookupFocus::Search;
                }
            }
            Err(why) => self.error = Some(why),
        }
        true
    }

    pub fn selected_hit(&self) -> Option<&PatientHit> {
        self.hits.get(self.selected)
    }

    /// Move the selection by `delta` rows, staying inside the list.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.hits.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Down: from the box into the list, then row by row.
    pub fn down(&mut self) {
        match self.focus {
            LookupFocus::Search if !self.hits.is_empty() => self.focus = LookupFocus::List,
            LookupFocus::Search => {}
            LookupFocus::List => self.move_by(1),
        }
    }

    /// Up: row by row, and from the first row back to the box.
    pub fn up(&mut self) {
        match self.focus {
            LookupFocus::List if self.selected == 0 => self.focus = LookupFocus::Search,
            LookupFocus::List => self.move_by(-1),
            LookupFocus::Search => {}
        }
    }

    /// Tab: between the box and the list, even an empty one: out of the box, letters are keys
    /// again (`:` for the command line, `?` for help, `q` to quit).
    pub fn switch_focus(&mut self) {
        self.focus = match self.focus {
            LookupFocus::Search => LookupFocus::List,
            LookupFocus::List => LookupFocus::Search,
        };
    }

    /// Run the box again soon (after a save, the list may show old names or appointments).
    pub fn refresh_soon(&mut self, now: DateTime<Utc>) {
        if !self.input.value().trim().is_empty() {
            self.typed_at = Some(now - DEBOUNCE);
        }
    }
}

// ---- the screen's keys while the lookup is in front ---------------------------------------------

impl PatientsScreen {
    pub(super) fn lookup_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome {
        let lookup = &mut self.lookup;
        match cmd {
            Cmd::FocusSearch => lookup.focus = LookupFocus::Search,
            Cmd::SwitchFocus => lookup.switch_focus(),
            Cmd::Down => lookup.down(),
            Cmd::Up => lookup.up(),
            Cmd::PageDown if lookup.focus == LookupFocus::List => lookup.move_by(PAGE as isize),
            Cmd::PageUp if lookup.focus == LookupFocus::List => lookup.move_by(-(PAGE as isize)),
            Cmd::PageDown => lookup.down(),
            Cmd::Open if lookup.typed_at.is_some() => {
                // The list answers older text: search now, and open the answer if it is one patient.
                let request = ctx.request();
                lookup.open_when_found = true;
                let effects = lookup.search(request, ctx.now, ctx.date_format);
                return Outcome {
                    effects: effects.into_iter().collect(),
                    redraw: true,
                    ..Outcome::default()
                };
            }
            Cmd::Open if lookup.searching.is_some() => lookup.open_when_found = true,
            Cmd::Open => {
                if let Some(hit) = lookup.selected_hit() {
                    let view = view_of(hit);
                    return self.open_summary(view, ctx);
                }
            }
            Cmd::New if self.full => {
                self.form = Some(Form::register(self.prefill(ctx)));
            }
            Cmd::Book if self.full => {
                if let Some(hit) = lookup
                    .selected_hit()
                    .filter(|_| lookup.focus == LookupFocus::List)
                {
                    return book(
                        hit.id,
                        patient_list_name(&hit.family_name, &hit.given_names),
                    );
                }
            }
            Cmd::CheckIn if self.full => {
                if let Some(hit) = lookup
                    .selected_hit()
                    .filter(|_| lookup.focus == LookupFocus::List)
                {
                    let view = view_of(hit);
                    let mut outcome = self.open_summary(view, ctx);
                    if let Some(summary) = &mut self.summary {
                        summary.check_in_when_loaded = true;
                    }
                    outcome.redraw = true;
                    return outcome;
                }
            }
            _ => return Outcome::default(),
        }
        Outcome::redraw()
    }

    /// What the lookup already says about a new patient: a date of birth, a phone or an email
    /// typed into the box goes into the form. A name does not: its word order is anyone's guess.
    pub(super) fn prefill(&self, ctx: &Ctx) -> PatientDraft {
        let typed = self.lookup.input.value().trim().to_string();
        let mut draft = PatientDraft::default();
        match SearchQuery::parse(&typed, ctx.date_format) {
            SearchQuery::Date(_) => draft.date_of_birth = typed,
            SearchQuery::Email(_) => draft.email = typed,
            SearchQuery::Digits(digits) if digits.len() >= 6 => draft.phone = typed,
            _ => {}
        }
        draft
    }
}
