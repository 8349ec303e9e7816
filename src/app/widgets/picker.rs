//! The patient picker: the lookup as a part of anything that needs a patient (the patients screen's
//! search, the booking form's patient field, later a walk-in encounter or an invoice by hand).
//!
//! One box read by the shape of what is typed (a name, a date of birth, digits, an email), searched
//! once typing pauses for [`DEBOUNCE`] (a burst of keys costs one query), one search at a time
//! with stale answers dropped, the matches in a [`List`], and the patient picked from them.

use chrono::{DateTime, TimeDelta, Utc};
use tui_input::{Input, InputRequest};

use super::list::List;
use crate::app::pending::{Pending, RequestId};
use crate::app::screen::Ctx;
use crate::domain::appointment::patient_list_name;
use crate::domain::patient::{PatientHit, SearchQuery};

/// The pause after the last key before the box is searched.
pub const DEBOUNCE: TimeDelta = TimeDelta::milliseconds(150);

/// A search the picker wants sent; the screen that holds the picker wraps it in its own request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientSearch {
    pub request: RequestId,
    pub query: SearchQuery,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct PatientPicker {
    pub input: Input,
    /// How the box's text is read ("name", "date of birth", ...); `None` while it is empty.
    pub reading: Option<&'static str>,
    pub hits: List<PatientHit>,
    /// The text the hits answer.
    pub answered: Option<String>,
    /// The box changed then and has not been searched since.
    pub typed_at: Option<DateTime<Utc>>,
    /// The search on its way, with the text it was sent for.
    pub searching: Pending<String>,
    pub error: Option<String>,
    /// The patient chosen (id, "Family, Given"); typing in the box drops the choice.
    pub picked: Option<(i64, String)>,
    /// The most matches one search lists.
    pub limit: i64,
}

/// The words for each shape of input, as the lookup shows them.
pub fn reading_of(query: &SearchQuery) -> Option<&'static str> {
    match query {
        SearchQuery::Empty => None,
        SearchQuery::Date(_) => Some("date of birth"),
        SearchQuery::Digits(_) => Some("phone or number"),
        SearchQuery::Email(_) => Some("email"),
        SearchQuery::Name(_) => Some("name"),
        SearchQuery::NameBorn(..) => Some("name and birth"),
    }
}

impl PatientPicker {
    pub fn new(limit: i64) -> Self {
        Self {
            input: Input::default(),
            reading: None,
            hits: List::default(),
            answered: None,
            typed_at: None,
            searching: Pending::default(),
            error: None,
            picked: None,
            limit,
        }
    }

    /// With a patient already chosen (handed over from elsewhere): the box shows their name.
    pub fn with_picked(limit: i64, patient_id: i64, name: String) -> Self {
        let mut picker = Self::new(limit);
        picker.input = Input::new(name.clone());
        picker.picked = Some((patient_id, name));
        picker
    }

    /// Typing in the box; returns whether anything visible changed.
    pub fn edit(&mut self, request: InputRequest, now: DateTime<Utc>, date_format: &str) -> bool {
        let Some(changed) = self.input.handle(request) else {
            return false;
        };
        if changed.value {
            // Typing back what the list already answers (a slip undone) needs no new search.
            let answered = !self.searching.in_flight()
                && self.answered.as_deref() == Some(self.input.value().trim());
            self.typed_at = (!answered).then_some(now);
            self.reading = reading_of(&SearchQuery::parse(self.input.value(), date_format));
            self.picked = None;
        }
        true
    }

    /// When the pause after typing is over.
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.typed_at.map(|at| at + DEBOUNCE)
    }

    /// The pause after typing is over: time to search.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        self.deadline().is_some_and(|at| now >= at)
    }

    /// Whether the box holds text the list does not answer yet.
    pub fn behind(&self) -> bool {
        self.typed_at.is_some() || self.searching.in_flight()
    }

    /// Search what the box holds now. An empty box clears the list without asking anything.
    pub fn search(&mut self, ctx: &mut Ctx) -> Option<PatientSearch> {
        self.typed_at = None;
        let typed = self.input.value().trim().to_string();
        let query = SearchQuery::parse(&typed, ctx.date_format);
        self.reading = reading_of(&query);
        if query == SearchQuery::Empty {
            self.searching.cancel();
            self.hits.clear();
            self.answered = None;
            self.error = None;
            return None;
        }
        let request = ctx.start(&mut self.searching, typed);
        Some(PatientSearch {
            request,
            query,
            limit: self.limit,
        })
    }

    /// The answer to a search; false (and nothing changes) when it is not the newest one.
    pub fn found(&mut self, request: RequestId, result: Result<Vec<PatientHit>, String>) -> bool {
        let Some(typed) = self.searching.finish(request) else {
            return false;
        };
        match result {
            Ok(hits) => {
                // Keep the same patient under the cursor when they are still in the list; else
                // start at the best match.
                let kept = self
                    .hits
                    .selected_item()
                    .and_then(|old| hits.iter().position(|h| h.id == old.id));
                self.hits.reset(hits);
                self.hits.select(kept.unwrap_or(0));
                self.error = None;
                self.answered = Some(typed);
            }
            Err(why) => self.error = Some(why),
        }
        true
    }

    /// Run the box again soon (after a save, the list may show old names or appointments).
    pub fn refresh_soon(&mut self, now: DateTime<Utc>) {
        if !self.input.value().trim().is_empty() {
            self.typed_at = Some(now - DEBOUNCE);
        }
    }

    pub fn selected_hit(&self) -> Option<&PatientHit> {
        self.hits.selected_item()
    }

    /// Choose the highlighted match: the box shows their name, the list closes. Returns false
    /// when there is nothing to choose.
    pub fn pick(&mut self) -> bool {
        let Some(hit) = self.hits.selected_item() else {
            return false;
        };
        let name = patient_list_name(&hit.family_name, &hit.given_names);
        self.picked = Some((hit.id, name.clone()));
        self.input = Input::new(name);
        self.hits.clear();
        self.typed_at = None;
        self.searching.cancel();
        self.answered = None;
        true
    }
}
