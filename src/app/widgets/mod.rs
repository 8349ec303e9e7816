//! The pieces every screen builds with, so each behaves the same wherever it appears: a list with
//! a cursor, a form of labelled fields, and the patient picker (the lookup, embeddable in a form).
//! Their views are in `ui::widgets`. The confirm popup is `app::confirm`.

pub mod form;
pub mod list;
pub mod picker;

pub use form::{Field, Form, Value};
pub use list::List;
pub use picker::{PatientPicker, PatientSearch, DEBOUNCE};
