//! The Admin screen and choosing one's own password, driven by Actions without a terminal or a
//! database: replies are built by hand, screens drawn at 80x24 with the fixed clock (insta
//! snapshots in tests/snapshots/); and end to end, the real binary in a pseudo-terminal against
//! the throwaway cluster (terminal.rs).

#[path = "../tui/support.rs"]
#[allow(dead_code)]
mod support;

/// The throwaway cluster, and the binary in a pseudo-terminal.
#[path = "../support/mod.rs"]
mod db;
#[path = "../support/pty.rs"]
mod pty;

mod common;

mod password;
mod reviews;
mod settings;
mod staff;
mod terminal;
mod trail;
