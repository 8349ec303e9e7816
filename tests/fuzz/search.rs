//! The patient lookup box: how the shape of what is typed routes the search.

use chrono::NaiveDate;
use clinic::domain::dates::parse_date;
use clinic::domain::patient::{format_date, Born, SearchQuery};
use proptest::prelude::*;

use crate::{cases, date, date_format, text};

/// Words of a name: letters of any script, as typed in any case.
fn name_words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop_oneof!["[a-zA-Z]{1,10}", "\\p{L}{1,8}", "[a-z]{1,4}['-][a-z]{1,6}"],
        1..5,
    )
}

fn lower(words: &[String]) -> Vec<String> {
    words.iter().map(|w| w.to_lowercase()).collect()
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_input_routes_somewhere_sound(s in text(), f in date_format()) {
        match SearchQuery::parse(&s, f) {
            SearchQuery::Empty => {}
            SearchQuery::Date(d) => match parse_date(&s, f) {
                Some(read) => prop_assert_eq!(read, d),
                // The one date among words with nothing else to look by ("15/06/1985 -").
                None => prop_assert!(s
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .any(|w| Born::parse(w, f).and_then(Born::date) == Some(d))),
            },
            SearchQuery::Digits(d) => {
                prop_assert!(!d.is_empty() && d.chars().all(|c| c.is_ascii_digit()), "{:?}", d);
            }
            SearchQuery::Email(e) => {
                prop_assert!(e.contains('@'));
                prop_assert_eq!(e, s.trim().to_lowercase());
            }
            SearchQuery::Name(words) | SearchQuery::NameBorn(words, _) => {
                prop_assert!(!words.is_empty());
                for w in &words {
                    prop_assert!(w.chars().any(char::is_alphanumeric), "{:?}", w);
                    prop_assert!(!w.contains(|c: char| c.is_whitespace() || c == ','), "{:?}", w);
                    prop_assert_eq!(w, &w.to_lowercase());
                }
            }
        }
    }

    #[test]
    fn a_whole_date_of_birth_is_a_date(d in date(), f in date_format(), iso in any::<bool>()) {
        let typed = if iso { d.format("%Y-%m-%d").to_string() } else { format_date(d, f).expect("a format") };
        prop_assert_eq!(SearchQuery::parse(&typed, f), SearchQuery::Date(d));
    }

    #[test]
    fn a_number_typed_with_separators_is_its_digits(
        parts in prop::collection::vec(("[0-9]{1,4}", prop::sample::select(vec!["", " ", "-", ".", "(", ")", "+", "\t"])), 1..6),
        f in date_format(),
    ) {
        let typed: String = parts.iter().map(|(d, sep)| format!("{sep}{d}")).collect();
        let digits: String = parts.iter().map(|(d, _)| d.as_str()).collect();
        let routed = SearchQuery::parse(&typed, f);
        match parse_date(&typed, f) {
            // "15.06.1985" in a clinic writing dates so is a date of birth.
            Some(d) => prop_assert_eq!(routed, SearchQuery::Date(d)),
            None => prop_assert_eq!(routed, SearchQuery::Digits(digits)),
        }
    }

    #[test]
    fn anything_with_an_at_sign_is_an_email(local in "[a-zA-Z0-9._%+-]{0,16}", domain in "[a-zA-Z0-9.-]{0,16}", f in date_format()) {
        let typed = format!(" {local}@{domain} ");
        prop_assert_eq!(SearchQuery::parse(&typed, f), SearchQuery::Email(typed.trim().to_lowercase()));
    }

    #[test]
    fn words_are_a_name_in_any_order(words in name_words(), seps in prop::collection::vec(prop::sample::select(vec![" ", "  ", ", ", ",", "\t"]), 4), f in date_format()) {
        let typed: String = words.iter().enumerate().map(|(i, w)| if i == 0 { w.clone() } else { format!("{}{w}", seps[i - 1]) }).collect();
        prop_assert_eq!(SearchQuery::parse(&typed, f), SearchQuery::Name(lower(&words)));
    }

    #[test]
    fn a_birth_year_among_the_words_narrows_the_name(words in name_words(), year in 1850i32..=2200, at in 0usize..5) {
        let mut typed = words.clone();
        typed.insert(at.min(words.len()), year.to_string());
        let born = Born {
            from: NaiveDate::from_ymd_opt(year, 1, 1).expect("a day"),
            to: NaiveDate::from_ymd_opt(year, 12, 31).expect("a day"),
        };
        prop_assert_eq!(SearchQuery::parse(&typed.join(" "), "%d/%m/%Y"), SearchQuery::NameBorn(lower(&words), born));
    }

    #[test]
    fn a_date_of_birth_among_the_words_narrows_the_name(
        words in name_words(),
        d in date(),
        // A date with spaces in it (%d %m %Y) is three words: only formats without one here.
        f in date_format().prop_filter("one word", |f| !f.contains(' ')),
        at in 0usize..5,
    ) {
        let mut typed = words.clone();
        typed.insert(at.min(words.len()), format_date(d, f).expect("a format"));
        prop_assert_eq!(SearchQuery::parse(&typed.join(" "), f), SearchQuery::NameBorn(lower(&words), Born { from: d, to: d }));
    }
}
