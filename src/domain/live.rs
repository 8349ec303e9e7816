//! Live updates: what another desk changed, as the listening connection hears it.
//!
//! Any login may NOTIFY on any channel, so an event is only ever a hint to re-read through the
//! reader's own policies: it names an id, never a patient's data.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveEvent {
    /// This appointment was booked or changed: refetch it.
    Appointment(i64),
    /// Listening (again). Sent after the first LISTEN too, so the app (and tests) know from when on
    /// nothing is missed; after a loss it means "refetch everything shown".
    Reconnected,
    /// The connection dropped; live updates pause until `Reconnected`.
    Lost,
}
