//! The one form: a column of labelled fields (free text, a choice among fixed values, or a patient
//! picked with the lookup), each keeping what was typed and showing its own message under it
//! (screens.md, "Forms"), plus a message for the whole form and the save on its way.
//!
//! What a form is for lives in its `kind`; the keys (Ctrl-S saves, Esc asks before throwing typed
//! input away) are the screen's, which asks through the confirm popup. Nothing typed is ever lost
//! to a refusal: a bad field, a conflict or a lost connection only add messages.

use chrono::{DateTime, Utc};
use tui_input::{Input, InputRequest};

use super::picker::PatientPicker;
use crate::app::pending::{earliest, Pending};

/// What a field holds.
#[derive(Debug, Clone)]
pub enum Value {
    Text(Input),
    /// One of `choices`, cycled with the arrows.
    Choice {
        choices: Vec<String>,
        choice: usize,
    },
    /// A patient, found by typing and picked from the matches.
    Patient(Box<PatientPicker>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub value: Value,
    /// Why the value was refused, shown under the field.
    pub error: Option<String>,
    /// Something about the value worth a second look that does not stop a save (shown under the
    /// field when there is no error).
    pub warning: Option<String>,
    /// Shown after the field, dimmed (e.g. the date formats).
    pub hint: Option<String>,
    pub required: bool,
    /// Typed text shown as dots (a password).
    pub secret: bool,
}

impl Field {
    fn new(label: &'static str, value: Value) -> Self {
        Self {
            label,
            value,
            error: None,
            warning: None,
            hint: None,
            required: false,
            secret: false,
        }
    }

    /// A hidden text field (a password): shown as dots, never prefilled.
    pub fn secret(label: &'static str) -> Self {
        Self {
            secret: true,
            ..Self::new(label, Value::Text(Input::default()))
        }
    }

    pub fn text(label: &'static str, value: impl Into<String>) -> Self {
        Self::new(label, Value::Text(Input::new(value.into())))
    }

    pub fn choice(label: &'static str, choices: Vec<String>, choice: usize) -> Self {
        let choice = choice.min(choices.len().saturating_sub(1));
        Self::new(label, Value::Choice { choices, choice })
    }

    pub fn patient(label: &'static str, picker: PatientPicker) -> Self {
        Self::new(label, Value::Patient(Box::new(picker)))
    }

    pub fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    pub fn is_choice(&self) -> bool {
        matches!(self.value, Value::Choice { .. })
    }

    /// What the field shows: the text typed, or the choice made.
    pub fn value(&self) -> &str {
        match &self.value {
            Value::Text(input) => input.value(),
            Value::Choice { choices, choice } => choices.get(*choice).map_or("", String::as_str),
            Value::Patient(picker) => picker.input.value(),
        }
    }

    /// The index of the choice made (0 for other fields).
    pub fn chosen(&self) -> usize {
        match &self.value {
            Value::Choice { choice, .. } => *choice,
            _ => 0,
        }
    }

    /// The text input, for the fields that take typing.
    pub fn input(&self) -> Option<&Input> {
        match &self.value {
            Value::Text(input) => Some(input),
            Value::Patient(picker) => Some(&picker.input),
            Value::Choice { .. } => None,
        }
    }

    pub fn picker(&self) -> Option<&PatientPicker> {
        match &self.value {
            Value::Patient(picker) => Some(picker),
            _ => None,
        }
    }

    pub fn picker_mut(&mut self) -> Option<&mut PatientPicker> {
        match &mut self.value {
            Value::Patient(picker) => Some(picker),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Form<K> {
    pub title: String,
    /// What the form is for, and what it needs to know besides its fields.
    pub kind: K,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A message about the whole form (a refusal that names no field).
    pub error: Option<String>,
    /// The save on its way.
    pub saving: Pending,
    /// What each field held when the form opened (or was last based on stored values): what
    /// "changed" is measured against.
    initial: Vec<String>,
}

impl<K> Form<K> {
    pub fn new(title: impl Into<String>, kind: K, fields: Vec<Field>, focus: usize) -> Self {
        let initial = fields.iter().map(|f| f.value().to_string()).collect();
        Self {
            title: title.into(),
            kind,
            focus: focus.min(fields.len().saturating_sub(1)),
            fields,
            error: None,
            saving: Pending::default(),
            initial,
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    /// Whether typing goes into the focused field.
    pub fn text_focused(&self) -> bool {
        self.focused().is_some_and(|f| !f.is_choice())
    }

    pub fn value(&self, field: usize) -> &str {
        self.fields.get(field).map_or("", Field::value)
    }

    /// Typed (or chosen) but not saved.
    pub fn changed(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, initial)| f.value() != initial)
    }

    /// What field `i` held when the form opened (or was last rebased).
    pub fn initial(&self, i: usize) -> &str {
        self.initial.get(i).map_or("", String::as_str)
    }

    /// Whether field `i` still holds what it held when the form opened.
    pub fn untouched(&self, i: usize) -> bool {
        self.initial(i) == self.value(i)
    }

    /// "Changed" is measured against these values from now on (what is stored now).
    pub fn rebase(&mut self, values: Vec<String>) {
        self.initial = values;
    }

    /// Tab and Shift-Tab (`wrap`), or Down and Up (stopping at the ends).
    pub fn next_field(&mut self, forward: bool, wrap: bool) {
        let last = self.fields.len().saturating_sub(1);
        self.focus = match (forward, wrap) {
            (true, _) if self.focus < last => self.focus + 1,
            (true, true) => 0,
            (true, false) => last,
            (false, _) if self.focus > 0 => self.focus - 1,
            (false, true) => last,
            (false, false) => 0,
        };
    }

    /// Typing in the focused field. Returns whether its value changed: the field's message and the
    /// form's go, since they were about what was there before (they come back at the next save if
    /// the new value is still wrong).
    pub fn edit(&mut self, request: InputRequest, now: DateTime<Utc>, date_format: &str) -> bool {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return false;
        };
        let before = field.value().to_string();
        let handled = match &mut field.value {
            Value::Text(input) => input.handle(request).is_some(),
            Value::Patient(picker) => picker.edit(request, now, date_format),
            Value::Choice { .. } => false,
        };
        let changed = handled && field.value() != before;
        if changed {
            field.error = None;
            self.error = None;
        }
        changed
    }

    /// Up/Down on the focused field: the next match of a patient field's list, or the next value
    /// of a choice.
    pub fn step(&mut self, down: bool) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        match &mut field.value {
            Value::Patient(picker) if !picker.hits.is_empty() => {
                picker.hits.move_by(if down { 1 } else { -1 });
            }
            Value::Choice { choices, choice } if !choices.is_empty() => {
                let n = choices.len();
                *choice = if down {
                    (*choice + 1) % n
                } else {
                    (*choice + n - 1) % n
                };
                field.error = None;
            }
            _ => {}
        }
    }

    /// Put a value into a text field (a slot found for the person, a stored value).
    pub fn set_text(&mut self, field: usize, value: impl Into<String>) {
        if let Some(f) = self.fields.get_mut(field) {
            if let Value::Text(input) = &mut f.value {
                *input = Input::new(value.into());
                f.error = None;
            }
        }
    }

    pub fn set_choice(&mut self, field: usize, index: usize) {
        if let Some(Value::Choice { choices, choice }) =
            self.fields.get_mut(field).map(|f| &mut f.value)
        {
            *choice = index.min(choices.len().saturating_sub(1));
        }
    }

    pub fn set_error(&mut self, field: usize, message: impl Into<String>) {
        if let Some(f) = self.fields.get_mut(field) {
            f.error = Some(message.into());
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
    }

    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }

    /// Leave the focus on the first field with a message, so the person lands where to fix it.
    pub fn focus_first_error(&mut self) {
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
    }

    pub fn picker(&self, field: usize) -> Option<&PatientPicker> {
        self.fields.get(field).and_then(Field::picker)
    }

    pub fn picker_mut(&mut self, field: usize) -> Option<&mut PatientPicker> {
        self.fields.get_mut(field).and_then(Field::picker_mut)
    }

    /// When a patient field's search is due (its typing pause ends).
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        earliest(
            self.fields
                .iter()
                .map(|f| f.picker().and_then(PatientPicker::deadline)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).expect("an instant")
    }

    #[test]
    fn fields_keep_what_was_typed_and_lose_their_message_when_it_changes() {
        let mut form = Form::new(
            "Test",
            (),
            vec![
                Field::text("Name", "Ann"),
                Field::choice("Day", vec!["Mon".into(), "Tue".into()], 0),
            ],
            0,
        );
        assert!(!form.changed());
        form.set_error(0, "Too short.");
        form.error = Some("Not saved.".into());
        assert!(!form.edit(InputRequest::GoToEnd, at(0), "%d/%m/%Y"));
        assert!(form.has_errors(), "moving the cursor changes nothing");
        assert!(form.edit(InputRequest::InsertChar('e'), at(0), "%d/%m/%Y"));
        assert_eq!(form.value(0), "Anne");
        assert!(!form.has_errors());
        assert!(form.changed() && !form.untouched(0) && form.untouched(1));

        form.next_field(true, false);
        form.step(true);
        assert_eq!(form.value(1), "Tue");
        form.step(true);
        assert_eq!(form.value(1), "Mon", "a choice cycles");
        form.next_field(true, false);
        assert_eq!(form.focus, 1, "Down stops at the last field");
        form.next_field(true, true);
        assert_eq!(form.focus, 0, "Tab wraps");
    }
}
