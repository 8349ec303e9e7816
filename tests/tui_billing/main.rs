//! The Billing screen driven by Actions without a terminal or a database: replies are built by
//! hand, screens drawn at 80x24 with the fixed clock (insta snapshots in tests/snapshots/).

#[path = "../tui/support.rs"]
#[allow(dead_code)]
mod support;

mod common;

mod access;
mod books;
mod export;
mod lines;
mod prices;
mod reconcile;
mod reports;
mod terminal;
