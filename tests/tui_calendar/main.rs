//! The calendar and today's queue driven by Actions without a terminal or a database: replies are
//! built by hand, screens drawn to a TestBackend at 80x24 with the fixed clock (insta snapshots in
//! tests/snapshots/).

#[path = "../tui/support.rs"]
#[allow(dead_code)]
mod support;

mod common;

mod booking;
mod live;
mod queue;
mod roles;
mod slips;
mod views;
