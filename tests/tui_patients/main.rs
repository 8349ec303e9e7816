//! The patients screen driven through `App::update` with keys and simulated database answers (the
//! Replies the effect runner would send), and drawn at 80x24 with the fixed clock.

#[allow(dead_code)]
#[path = "../tui/support.rs"]
mod support;

mod common;

mod access;
mod drawn;
mod form;
mod hints;
mod lookup;
mod payment;
