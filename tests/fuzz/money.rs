//! Money typed and shown the clinic's way, in both decimal styles and every grouping.

use clinic::domain::money::{Currency, Money, MoneyError, NumberFormat};
use proptest::prelude::*;

use crate::{cases, text};

/// Every format `clinic.number_format` accepts.
fn format() -> impl Strategy<Value = NumberFormat> {
    let examples: Vec<NumberFormat> = [',', '.', ' ', '\'', '\u{a0}']
        .iter()
        .flat_map(|g| ['.', ','].map(|d| format!("1{g}234{d}50")))
        .filter_map(|e| NumberFormat::from_example(&e))
        .collect();
    assert_eq!(examples.len(), 8);
    prop::sample::select(examples)
}

/// Currencies of every minor unit (2, 0 and 3 digits), and any other code.
fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        prop::sample::select(vec![
            "USD", "EUR", "GBP", "CHF", "JPY", "KRW", "VND", "KWD", "BHD", "TND"
        ])
        .prop_map(String::from),
        "[A-Z]{3}",
    ]
    .prop_map(|c| Currency::parse(&c).expect("three capitals"))
}

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -1_000_000i64..1_000_000,
        Just(i64::MIN),
        Just(i64::MAX),
        Just(0)
    ]
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn what_is_shown_reads_back(minor in amount(), c in currency(), f in format()) {
        let m = Money::new(minor, c);
        prop_assert_eq!(Money::parse(&m.display(f), c, f), Ok(m), "{}", m.display(f));
        prop_assert_eq!(Money::parse(&m.amount(f), c, f), Ok(m), "{}", m.amount(f));
    }

    #[test]
    fn what_files_carry_reads_back(minor in amount(), c in currency()) {
        let m = Money::new(minor, c);
        let point = NumberFormat { group: ',', decimal: '.' };
        prop_assert_eq!(Money::parse(&m.plain(), c, point), Ok(m), "{}", m.plain());
    }

    #[test]
    fn any_text_is_an_amount_or_refused_in_words(s in prop_oneof![text(), "[-+]?[A-Za-z]{0,3} ?[-+]?[0-9 .,'\u{a0}]{0,20} ?[A-Za-z]{0,3}"], c in currency(), f in format()) {
        match Money::parse(&s, c, f) {
            // Whatever is taken is shown so that it reads back the same.
            Ok(m) => {
                prop_assert_eq!(m.currency(), c);
                prop_assert_eq!(Money::parse(&m.display(f), c, f), Ok(m));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn any_separators_at_all_never_panic(s in text(), group in any::<char>(), decimal in any::<char>(), c in currency()) {
        let _ = Money::parse(&s, c, NumberFormat { group, decimal });
    }

    #[test]
    fn an_amount_typed_without_grouping_is_exact(whole in 0u64..10_000_000_000_000, cents in 0u64..100, negative in any::<bool>(), f in format()) {
        let usd = Currency::USD;
        let typed = format!("{}{whole}{}{cents:02}", if negative { "-" } else { "" }, f.decimal);
        let minor = i64::try_from(whole * 100 + cents).expect("small enough");
        prop_assert_eq!(Money::parse(&typed, usd, f), Ok(Money::new(if negative { -minor } else { minor }, usd)));
    }

    #[test]
    fn another_currencys_code_is_refused(minor in amount(), c in currency(), other in currency(), f in format()) {
        prop_assume!(c != other);
        let shown = Money::new(minor, other).display(f);
        prop_assert!(matches!(Money::parse(&shown, c, f), Err(MoneyError::OtherCurrency { .. })), "{}", shown);
    }
}

/// The most negative amount there is was shown but not read back ("too large").
#[test]
fn the_most_negative_amount_reads_back() {
    let f = NumberFormat::default();
    for c in ["USD", "JPY", "KWD"] {
        let c = Currency::parse(c).expect("a code");
        let m = Money::new(i64::MIN, c);
        assert_eq!(Money::parse(&m.display(f), c, f), Ok(m), "{}", m.display(f));
        assert_eq!(Money::parse(&m.plain(), c, f), Ok(m), "{}", m.plain());
    }
}
