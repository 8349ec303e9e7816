//! Dates as typed at any form: ISO and the clinic's own format.

use chrono::{Datelike, NaiveDate};
use clinic::domain::dates::{date_problem, day_beyond_month, parse_date};
use clinic::domain::patient::format_date;
use proptest::prelude::*;

use crate::{cases, date, date_format, text};

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_text_in_any_format_is_read_or_refused(s in text(), f in prop_oneof![date_format().prop_map(String::from), any::<String>()]) {
        let _ = parse_date(&s, &f);
        prop_assert!(!date_problem(&s, "1985-06-15").is_empty());
        if parse_date(&s, "%Y-%m-%d").is_some() {
            // A day that exists is never called impossible.
            prop_assert_eq!(day_beyond_month(&s), None);
        }
    }

    #[test]
    fn a_day_shown_either_way_reads_back(d in date(), f in date_format(), pad in "[ \t]{0,2}") {
        let shown = format_date(d, f).expect("a valid format");
        prop_assert_eq!(parse_date(&format!("{pad}{shown}{pad}"), f), Some(d));
        let iso = d.format("%Y-%m-%d").to_string();
        prop_assert_eq!(parse_date(&iso, f), Some(d));
        prop_assert_eq!(day_beyond_month(&iso), None);
    }

    #[test]
    fn a_day_beyond_its_month_is_named_as_such(
        y in prop_oneof![1000i32..=9999, 0i32..=300_000],
        m in 0u32..=14,
        d in 0u32..=40,
        zeros in any::<bool>(),
    ) {
        let s = if zeros { format!("{y:04}-{m:02}-{d:02}") } else { format!("{y}-{m}-{d}") };
        let month_exists = NaiveDate::from_ymd_opt(y, m, 1).is_some();
        let day_exists = NaiveDate::from_ymd_opt(y, m, d).is_some();
        let said = day_beyond_month(&s);
        prop_assert_eq!(said.is_some(), month_exists && !day_exists, "{:?} -> {:?}", s, said);
        if let Some(said) = said {
            let days = (28..=31).rev().find(|&d| NaiveDate::from_ymd_opt(y, m, d).is_some());
            let expected = format!("has {} days.", days.unwrap_or(0));
            prop_assert!(said.ends_with(&expected), "{}", said);
            prop_assert_eq!(date_problem(&s, "x"), said);
        }
    }
}

/// The last month chrono knows: its days are counted without a month after it.
#[test]
fn the_last_month_there_is_has_its_days() {
    let last = NaiveDate::MAX;
    let s = format!("{}-{}-{}", last.year(), last.month(), last.day());
    assert_eq!(day_beyond_month(&s), None, "{s}");
    let beyond = format!("{}-{}-32", last.year(), last.month());
    let said = day_beyond_month(&beyond).unwrap_or_default();
    assert!(
        said.starts_with("December ") && said.ends_with(" has 31 days."),
        "{said}"
    );
}
