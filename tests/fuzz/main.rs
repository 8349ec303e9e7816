//! Bad input, fuzzed (issue 11, item 5): property tests for every parser and validator the app
//! has. Two properties throughout: nothing typed, configured or imported makes the app panic, and
//! what the app writes it reads back the same. Pure functions only: no database.
//!
//! Run with `cargo test --test fuzz`; every property runs at least 10,000 cases. A case a
//! property once found is kept as a plain `#[test]` beside it.

mod audit;
mod config;
mod contact;
mod dates;
mod keys;
mod money;
mod search;
mod statement;

use proptest::prelude::*;

/// 10,000 cases, and no regression files written into the tree (found cases become `#[test]`s).
pub fn cases() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(10_000)
    }
}

/// The local date formats a clinic might configure besides ISO.
pub const DATE_FORMATS: &[&str] = &[
    "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d", "%d %m %Y", "%Y.%m.%d",
];

pub fn date_format() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(DATE_FORMATS)
}

/// Any day of years 1000 to 9999, the years a four-digit %Y writes.
pub fn date() -> impl Strategy<Value = chrono::NaiveDate> {
    use chrono::{Datelike, NaiveDate};
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).map_or(0, |d| d.num_days_from_ce());
    (day(1000, 1, 1)..=day(9999, 12, 31))
        .prop_filter_map("a day", NaiveDate::from_num_days_from_ce_opt)
}

/// Text a person might type, or paste: any Unicode, and often the characters the parsers look at.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-zA-Z@.,:;+()' /-]{0,24}",
        "[ \t0-9.,/-]{0,16}",
        "\\PC{0,12}",
    ]
}
