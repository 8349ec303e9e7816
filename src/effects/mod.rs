//! The database side of the screens' effects: each area's requests run here, on tasks the event loop
//! spawns, against the signed-in person's pool; the answer goes back to the app as an Action.
//! app/ and ui/ never do IO; this is where their requests meet `crate::db`.

pub mod calendar;
pub mod patients;
pub mod queue;
