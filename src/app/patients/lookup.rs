//! The lookup: the patient picker as the screen's search box, the list of matches under it, and
//! what the screen's keys do there.

use super::{book, view_of, Cmd, Form, PatientsScreen, Request};
use crate::app::pending::RequestId;
use crate::app::screen::{Ctx, Outcome};
use crate::app::widgets::PatientPicker;
use crate::domain::appointment::patient_list_name;
use crate::domain::patient::{format_date, Born, PatientDraft, PatientHit, SearchQuery};

/// The most matches one lookup lists; more than this and the list says "100+".
pub const SEARCH_LIMIT: i64 = 100;
/// Rows of the screen that are not matches: the search box (3), the list's borders (2) and its
/// header (1). The view lays itself out the same way.
pub const LIST_CHROME: u16 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LookupFocus {
    #[default]
    Search,
    List,
}

#[derive(Debug)]
pub struct Lookup {
    pub picker: PatientPicker,
    pub focus: LookupFocus,
    /// Enter was pressed before the answer came: open it if it is a single patient.
    pub open_when_found: bool,
}

impl Default for Lookup {
    fn default() -> Self {
        Self {
            picker: PatientPicker::new(SEARCH_LIMIT),
            focus: LookupFocus::Search,
            open_when_found: false,
        }
    }
}

impl Lookup {
    /// Send what the box holds now; an empty box clears the list and takes the focus back.
    pub fn search(&mut self, ctx: &mut Ctx) -> Option<Request> {
        let search = self.picker.search(ctx);
        if search.is_none() {
            self.focus = LookupFocus::Search;
        }
        search.map(Request::from)
    }

    /// Down: from the box into the list, then row by row.
    pub fn down(&mut self) {
        match self.focus {
            LookupFocus::Search if !self.picker.hits.is_empty() => self.focus = LookupFocus::List,
            LookupFocus::Search => {}
            LookupFocus::List => self.picker.hits.move_by(1),
        }
    }

    /// Up: row by row, and from the first row back to the box.
    pub fn up(&mut self) {
        match self.focus {
            LookupFocus::List if self.picker.hits.is_first() => self.focus = LookupFocus::Search,
            LookupFocus::List => self.picker.hits.move_by(-1),
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

    /// The selected match, when the list has the focus (the keys that act on a row need that).
    fn chosen(&self) -> Option<&PatientHit> {
        self.picker
            .selected_hit()
            .filter(|_| self.focus == LookupFocus::List)
    }
}

// ---- the screen's keys while the lookup is in front ---------------------------------------------

impl PatientsScreen {
    pub(super) fn lookup_command(&mut self, cmd: Cmd, ctx: &mut Ctx) -> Outcome<Self> {
        let lookup = &mut self.lookup;
        match cmd {
            Cmd::FocusSearch => lookup.focus = LookupFocus::Search,
            Cmd::SwitchFocus => lookup.switch_focus(),
            Cmd::Down => lookup.down(),
            Cmd::Up => lookup.up(),
            Cmd::PageDown | Cmd::PageUp if lookup.focus == LookupFocus::List => {
                // By the rows the list shows, so a page is a screenful, whatever the terminal.
                let shown = usize::from(ctx.body_rows.saturating_sub(LIST_CHROME)).max(1);
                lookup.picker.hits.page(cmd == Cmd::PageDown, shown);
            }
            Cmd::PageDown => lookup.down(),
            Cmd::Open if lookup.picker.typed_at.is_some() => {
                // The list answers older text: search now, and open the answer if it is one patient.
                lookup.open_when_found = true;
                let request = lookup.search(ctx);
                return Outcome {
                    requests: request.into_iter().collect(),
                    redraw: true,
                    ..Outcome::default()
                };
            }
            Cmd::Open if lookup.picker.searching.in_flight() => lookup.open_when_found = true,
            Cmd::Open => {
                if let Some(hit) = lookup.picker.selected_hit() {
                    let view = view_of(hit);
                    return self.open_summary(view, ctx);
                }
            }
            Cmd::New if self.full => {
                let mut form = Form::register(self.prefill(ctx), ctx.date_format);
                form.check_date_of_birth(ctx.today(), ctx.date_format);
                self.form = Some(form);
            }
            Cmd::Book if self.full => {
                if let Some(hit) = lookup.chosen() {
                    return book(
                        hit.id,
                        patient_list_name(&hit.family_name, &hit.given_names),
                    );
                }
            }
            Cmd::CheckIn if self.full => {
                if let Some(hit) = lookup.chosen() {
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

    /// The answer to a search: the list shows it, and Enter pressed while it was on its way opens
    /// it when it is one patient.
    pub(super) fn found(
        &mut self,
        request: RequestId,
        result: Result<Vec<PatientHit>, String>,
        ctx: &mut Ctx,
    ) -> Outcome<Self> {
        let lookup = &mut self.lookup;
        if !lookup.picker.found(request, result) {
            return Outcome::default();
        }
        if lookup.picker.hits.is_empty() && lookup.picker.error.is_none() {
            lookup.focus = LookupFocus::Search;
        }
        if std::mem::take(&mut lookup.open_when_found) && !lookup.picker.behind() {
            if let [hit] = lookup.picker.hits.items() {
                let view = view_of(hit);
                return self.open_summary(view, ctx);
            }
            lookup.down();
        }
        Outcome::redraw()
    }

    /// What the lookup already says about a new patient: the name and date of birth just searched
    /// for (the family name first, as the desk types it: "doe john 1985-06-15", or "Doe, John"),
    /// a phone or an email.
    pub(super) fn prefill(&self, ctx: &Ctx) -> PatientDraft {
        let typed = self.lookup.picker.input.value().trim().to_string();
        let mut draft = PatientDraft::default();
        match SearchQuery::parse(&typed, ctx.date_format) {
            SearchQuery::Date(_) => draft.date_of_birth = typed,
            SearchQuery::Email(_) => draft.email = typed,
            SearchQuery::Digits(digits) if digits.len() >= 6 => draft.phone = typed,
            SearchQuery::Name(_) => (draft.family_name, draft.given_names) = split_name(&typed),
            SearchQuery::NameBorn(_, born) => {
                // The typed name without the year or date in it.
                let name: Vec<&str> = typed
                    .split_whitespace()
                    .filter(|w| Born::parse(w.trim_matches(','), ctx.date_format).is_none())
                    .collect();
                (draft.family_name, draft.given_names) = split_name(&name.join(" "));
                if let Some(date) = born.date() {
                    draft.date_of_birth =
                        format_date(date, ctx.date_format).unwrap_or_else(|| date.to_string());
                }
            }
            _ => {}
        }
        draft
    }
}

/// "doe john" as (family, given): the first word is the family name, as the desk types a lookup,
/// unless a comma says where it ends ("van der Berg, Anna"). All lower case is capitalised.
fn split_name(typed: &str) -> (String, String) {
    let (family, given) = match typed.split_once(',') {
        Some((f, g)) => (f.trim().to_string(), g.trim().to_string()),
        None => {
            let mut words = typed.split_whitespace();
            let family = words.next().unwrap_or_default().to_string();
            (family, words.collect::<Vec<_>>().join(" "))
        }
    };
    (capitalise(&family), capitalise(&given))
}

/// "doe" is "Doe"; what has capitals already is kept as typed ("McDonald", "van Gogh").
fn capitalise(name: &str) -> String {
    if name.chars().any(char::is_uppercase) {
        return name.to_string();
    }
    name.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_typed_name_splits_family_first() {
        assert_eq!(
            super::split_name("doe john paul"),
            ("Doe".into(), "John Paul".into())
        );
        assert_eq!(
            super::split_name("van der Berg, anna"),
            ("van der Berg".into(), "Anna".into())
        );
        assert_eq!(
            super::split_name("müller"),
            ("Müller".into(), String::new())
        );
    }
}
