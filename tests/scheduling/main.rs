//! Scheduling against a real database, as real logins: booking, moving, cancelling and checking in
//! at the desk; the status machine (all 36 pairs); who-and-when stamps; what doctors may and may not
//! do; who keeps the rota; leave and working hours; the calendar's views, the slot finder and
//! today's queue; desks racing for the same slots; and live updates over LISTEN/NOTIFY.

#[path = "../support/mod.rs"]
mod support;

mod common;

mod calendar;
mod clock;
mod desk;
mod doctors;
mod figures;
mod live;
mod races;
mod rota;
mod status;
