//! Request ids and the one type that keeps track of an answer on its way.
//!
//! Every Effect that asks something carries a [`RequestId`], and its answer comes back with it. A
//! [`Pending`] is the slot that waits for one such answer: starting it issues a fresh id (so an
//! answer to anything asked before is recognised as stale and dropped), it knows whether something
//! is in flight and since when (which drives the spinner), and it can carry what the request was
//! for, handed back with the answer. In the spirit of gitui's `AsyncSingleJob`.

use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};

/// A request shorter than this gets no spinner, so quick answers do not flicker.
pub const SPINNER_AFTER: TimeDelta = TimeDelta::milliseconds(300);
/// One frame of a spinner.
pub const SPINNER_FRAME: TimeDelta = TimeDelta::milliseconds(250);

/// Tags an Effect and the Action that answers it, so an answer to a superseded request is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// The source of request ids: one per app, so no two requests ever share one.
#[derive(Debug, Default)]
pub struct RequestIds {
    last: u64,
}

impl RequestIds {
    pub fn issue(&mut self) -> RequestId {
        self.last += 1;
        RequestId(self.last)
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Flight<T> {
    id: RequestId,
    since: DateTime<Utc>,
    what: T,
}

/// One answer awaited, or none. `T` is what the request was for, given back with the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending<T = ()> {
    flight: Option<Flight<T>>,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Self { flight: None }
    }
}

impl<T> Pending<T> {
    /// Ask again: a fresh id from `ids`; whatever was in flight before is now stale.
    pub fn start(&mut self, ids: &mut RequestIds, now: DateTime<Utc>, what: T) -> RequestId {
        let id = ids.issue();
        self.flight = Some(Flight {
            id,
            since: now,
            what,
        });
        id
    }

    /// Wait for an answer already asked for through another slot (a form shows its save is on
    /// its way while the screen reports what came of it).
    pub fn expect(&mut self, id: RequestId, now: DateTime<Utc>, what: T) {
        self.flight = Some(Flight {
            id,
            since: now,
            what,
        });
    }

    /// Whether an answer is awaited.
    pub fn in_flight(&self) -> bool {
        self.flight.is_some()
    }

    /// The id of the answer awaited.
    pub fn id(&self) -> Option<RequestId> {
        self.flight.as_ref().map(|f| f.id)
    }

    /// Whether `id` is the answer awaited.
    pub fn is(&self, id: RequestId) -> bool {
        self.id() == Some(id)
    }

    /// What the request in flight is for.
    pub fn what(&self) -> Option<&T> {
        self.flight.as_ref().map(|f| &f.what)
    }

    pub fn since(&self) -> Option<DateTime<Utc>> {
        self.flight.as_ref().map(|f| f.since)
    }

    /// An answer came for `id`: when it is the one awaited, the slot is free again and what the
    /// request was for comes back; any other answer is stale and changes nothing.
    pub fn finish(&mut self, id: RequestId) -> Option<T> {
        if !self.is(id) {
            tracing::debug!(%id, "dropped a stale answer");
            return None;
        }
        self.flight.take().map(|f| f.what)
    }

    /// Stop waiting: the answer, when it comes, is dropped.
    pub fn cancel(&mut self) -> Option<T> {
        self.flight.take().map(|f| f.what)
    }

    /// In flight long enough that the person should see something moving.
    pub fn spinning(&self, now: DateTime<Utc>) -> bool {
        self.since()
            .is_some_and(|since| now - since > SPINNER_AFTER)
    }

    /// When the spinner next needs drawing: its first frame, then every frame while it turns.
    pub fn next_frame(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        spinner_frame(self.since(), now)
    }
}

/// When a spinner for something out since `since` next needs drawing: once it has been out for
/// [`SPINNER_AFTER`], then at every frame's boundary.
pub fn spinner_frame(since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let first = since? + SPINNER_AFTER + TimeDelta::milliseconds(1);
    if now < first {
        return Some(first);
    }
    let frame = SPINNER_FRAME.num_milliseconds();
    let next = (now.timestamp_millis().div_euclid(frame) + 1) * frame;
    DateTime::from_timestamp_millis(next)
}

/// The earliest of some deadlines, if any.
pub fn earliest(
    deadlines: impl IntoIterator<Item = Option<DateTime<Utc>>>,
) -> Option<DateTime<Utc>> {
    deadlines.into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_800_000_000_000 + ms).expect("an instant")
    }

    #[test]
    fn only_the_latest_request_is_answered_and_it_carries_what_it_was_for() {
        let mut ids = RequestIds::default();
        let mut p: Pending<&str> = Pending::default();
        assert!(!p.in_flight());
        let first = p.start(&mut ids, at(0), "day");
        let second = p.start(&mut ids, at(10), "week");
        assert_ne!(first, second, "a fresh id each time");
        assert!(p.in_flight() && p.is(second) && !p.is(first));
        assert_eq!(p.finish(first), None, "the superseded answer is stale");
        assert!(p.in_flight(), "and changes nothing");
        assert_eq!(p.finish(second), Some("week"));
        assert!(!p.in_flight());
        assert_eq!(p.finish(second), None, "an answer counts once");

        let third = p.start(&mut ids, at(20), "day");
        assert_eq!(p.cancel(), Some("day"));
        assert_eq!(
            p.finish(third),
            None,
            "a cancelled request's answer is dropped"
        );
    }

    #[test]
    fn the_spinner_shows_only_for_slow_answers_and_says_when_to_draw_next() {
        let mut ids = RequestIds::default();
        let mut p = Pending::<()>::default();
        assert_eq!(p.next_frame(at(0)), None, "nothing in flight, nothing due");
        p.start(&mut ids, at(0), ());
        assert!(!p.spinning(at(300)));
        assert!(p.spinning(at(301)));
        assert_eq!(p.next_frame(at(0)), Some(at(301)));
        // Then once a frame, on the frame's boundary.
        let next = p.next_frame(at(400)).expect("turning");
        assert!(next > at(400) && next <= at(650));
        assert_eq!(next.timestamp_millis() % 250, 0);
    }
}
