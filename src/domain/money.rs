//! Money: an exact amount in a currency's minor units (cents), never a floating-point number.
//!
//! Amounts are shown and typed the clinic's way (`clinic.number_format` in the config: "1,234.50"
//! or "1.234,50", also "1 234,50" and "1'234.50"), and parsed strictly in that way: a malformed
//! amount is refused with a sentence that shows how to write it, rather than guessed at, because a
//! guess between "1,234" meaning one thousand and one point two three four is a guess about money.

use std::fmt;

/// An ISO 4217 currency: its code and how many digits its minor unit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
}

/// Currencies whose minor unit is not a hundredth (ISO 4217's list, the ones in use).
const NO_MINOR_UNIT: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
const THOUSANDTHS: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

impl Currency {
    pub const USD: Currency = Currency { code: *b"USD" };

    /// Three upper-case ASCII letters, as the config and the database store it.
    pub fn parse(code: &str) -> Option<Currency> {
        let bytes: [u8; 3] = code.trim().as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency { code: bytes })
    }

    pub fn code(&self) -> &str {
        // Only ASCII letters get in (see `parse`).
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal separator: 2 for most currencies, 0 for the yen, 3 for the dinar.
    pub fn exponent(self) -> u32 {
        if NO_MINOR_UNIT.contains(&self.code()) {
            0
        } else if THOUSANDTHS.contains(&self.code()) {
            3
        } else {
            2
        }
    }

    fn scale(self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How the clinic writes numbers: the separator between thousands and the decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NumberFormat {
    pub group: char,
    pub decimal: char,
}

impl Default for NumberFormat {
    fn default() -> Self {
        Self {
            group: ',',
            decimal: '.',
        }
    }
}

impl NumberFormat {
    /// From an example written the clinic's way: "1,234.50", "1.234,50", "1 234,50" or "1'234.50".
    pub fn from_example(example: &str) -> Option<NumberFormat> {
        let mut chars = example.trim().chars();
        let (one, group, digits, decimal, cents) = (
            chars.next()?,
            chars.next()?,
            chars.by_ref().take(3).collect::<String>(),
            chars.next()?,
            chars.collect::<String>(),
        );
        let ok = one == '1'
            && digits == "234"
            && cents == "50"
            && matches!(group, ',' | '.' | ' ' | '\'' | '\u{a0}')
            && matches!(decimal, '.' | ',')
            && group != decimal;
        ok.then_some(NumberFormat { group, decimal })
    }

    /// The example this format is written as, for messages ("write amounts like 1.234,50").
    pub fn example(self) -> String {
        format!("1{}234{}50", self.group, self.decimal)
    }
}

/// An exact amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// Why an amount was not accepted, in words for the field it was typed into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("Type an amount, like {example}.")]
    Empty { example: String },
    #[error("Not an amount: write it like {example}.")]
    Malformed { example: String },
    #[error("{currency} has {digits} digits after the decimal separator at most.")]
    TooManyDecimals { currency: Currency, digits: u32 },
    #[error("That amount is in {typed}, not {currency}.")]
    OtherCurrency { typed: String, currency: Currency },
    #[error("That amount is too large.")]
    TooLarge,
    #[error("Cannot add {0} to {1}: they are different currencies.")]
    Mixed(Currency, Currency),
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    pub const fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// In minor units (cents), as the database keeps it.
    pub const fn minor(self) -> i64 {
        self.minor
    }

    pub const fn currency(self) -> Currency {
        self.currency
    }

    pub const fn is_zero(self) -> bool {
        self.minor == 0
    }

    pub const fn is_negative(self) -> bool {
        self.minor < 0
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::Mixed(other.currency, self.currency));
        }
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money::new(minor, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        let negated = other.minor.checked_neg().ok_or(MoneyError::TooLarge)?;
        self.checked_add(Money::new(negated, other.currency))
    }

    /// The number alone, the clinic's way: "1,234.50", "-5.00", "1.234,50", "500" (yen).
    pub fn amount(self, format: NumberFormat) -> String {
        let exponent = self.currency.exponent();
        let scale = self.currency.scale().unsigned_abs();
        let abs = self.minor.unsigned_abs();
        let whole = (abs / scale).to_string();
        let mut out = String::with_capacity(whole.len() + 8);
        if self.minor < 0 {
            out.push('-');
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push(format.group);
            }
            out.push(digit);
        }
        if exponent > 0 {
            out.push(format.decimal);
            let width = usize::try_from(exponent).unwrap_or(2);
            out.push_str(&format!("{:0width$}", abs % scale));
        }
        out
    }

    /// As files for other software carry it: no grouping, a point before the decimals
    /// ("-1234.50", "500" for yen), whatever the clinic's own format.
    pub fn plain(self) -> String {
        let exponent = usize::try_from(self.currency.exponent()).unwrap_or(2);
        let scale = self.currency.scale().unsigned_abs();
        let abs = self.minor.unsigned_abs();
        let sign = if self.minor < 0 { "-" } else { "" };
        if exponent == 0 {
            return format!("{sign}{abs}");
        }
        format!("{sign}{}.{:0exponent$}", abs / scale, abs % scale)
    }

    /// With its currency, as statements and summaries show it: "USD 1,234.50".
    pub fn display(self, format: NumberFormat) -> String {
        format!("{} {}", self.currency, self.amount(format))
    }

    /// An amount typed at a field, the clinic's way. The currency's code may come before or after
    /// the number ("EUR 12,50", "12,50 EUR"), a minus sign before it; thousands separators must
    /// sit every three digits, and there are never more decimals than the currency has.
    pub fn parse(
        text: &str,
        currency: Currency,
        format: NumberFormat,
    ) -> Result<Money, MoneyError> {
        let example = || {
            Money::new(123_450 * currency.scale() / 100, currency)
                .amount(format)
                .replace('-', "")
        };
        let malformed = || MoneyError::Malformed { example: example() };
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(MoneyError::Empty { example: example() });
        }
        // A currency code at either end.
        for (code, stripped) in [
            (rest.get(..3), rest.get(3..)),
            (
                rest.get(rest.len().saturating_sub(3)..),
                rest.get(..rest.len().saturating_sub(3)),
            ),
        ] {
            if let (Some(code), Some(stripped)) = (code, stripped) {
                if code.chars().all(|c| c.is_ascii_alphabetic()) && rest.len() > 3 {
                    if !code.eq_ignore_ascii_case(currency.code()) {
                        return Err(MoneyError::OtherCurrency {
                            typed: code.to_uppercase(),
                            currency,
                        });
                    }
                    rest = stripped.trim();
                    break;
                }
            }
        }
        let (negative, digits) = match rest.strip_prefix('-') {
            Some(r) => (true, r.trim_start()),
            None => (false, rest.strip_prefix('+').unwrap_or(rest).trim_start()),
        };
        let (whole, fraction) = match digits.split_once(format.decimal) {
            Some((w, f)) => (w, Some(f)),
            None => (digits, None),
        };
        let whole = ungroup(whole, format.group).ok_or_else(malformed)?;
        let exponent = currency.exponent();
        let fraction_minor = match fraction {
            None => 0,
            Some(f) if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) => {
                return Err(malformed())
            }
            Some(f) if f.len() > usize::try_from(exponent).unwrap_or(0) => {
                // Trailing zeros beyond the minor unit say nothing ("12.500" is 12.50).
                let (kept, extra) = f.split_at(usize::try_from(exponent).unwrap_or(0));
                if extra.chars().any(|c| c != '0') {
                    return Err(MoneyError::TooManyDecimals {
                        currency,
                        digits: exponent,
                    });
                }
                pad(kept, exponent)
            }
            Some(f) => pad(f, exponent),
        };
        if whole.is_empty() && fraction.is_none() {
            return Err(malformed());
        }
        // A negative amount is read as negative, so the most negative one there is fits too.
        let sign = if negative { -1 } else { 1 };
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            format!("{}{whole}", if negative { "-" } else { "" })
                .parse()
                .map_err(|_| MoneyError::TooLarge)?
        };
        let minor = whole
            .checked_mul(currency.scale())
            .and_then(|m| m.checked_add(sign * fraction_minor))
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money::new(minor, currency))
    }
}

/// The digits of a whole part written with `group` every three digits (or not at all).
fn ungroup(whole: &str, group: char) -> Option<String> {
    let groups: Vec<&str> = whole.split(group).collect();
    let digits = |g: &str| g.chars().all(|c| c.is_ascii_digit());
    let well_grouped = match groups.as_slice() {
        [only] => digits(only),
        [first, rest @ ..] => {
            (1..=3).contains(&first.len())
                && digits(first)
                && rest.iter().all(|g| g.len() == 3 && digits(g))
        }
        [] => false,
    };
    well_grouped.then(|| groups.concat())
}

/// "5" as cents is 50: the fraction's digits, right-padded to the currency's exponent.
fn pad(fraction: &str, exponent: u32) -> i64 {
    let width = usize::try_from(exponent).unwrap_or(0);
    format!("{fraction:0<width$}").parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").expect("USD")
    }

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    #[test]
    fn files_get_plain_decimals() {
        assert_eq!(Money::new(123_450, eur()).plain(), "1234.50");
        assert_eq!(Money::new(-5, usd()).plain(), "-0.05");
        let yen = Currency::parse("JPY").expect("JPY");
        assert_eq!(Money::new(1_500, yen).plain(), "1500");
        let dinar = Currency::parse("KWD").expect("KWD");
        assert_eq!(Money::new(1_005, dinar).plain(), "1.005");
    }

    const POINT: NumberFormat = NumberFormat {
        group: ',',
        decimal: '.',
    };
    const COMMA: NumberFormat = NumberFormat {
        group: '.',
        decimal: ',',
    };

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(usd().exponent(), 2);
        assert_eq!(Currency::parse("JPY").map(Currency::exponent), Some(0));
        assert_eq!(Currency::parse("KWD").map(Currency::exponent), Some(3));
        assert_eq!(Currency::parse("usd"), None);
        assert_eq!(Currency::parse("EURO"), None);
    }

    #[test]
    fn formats_come_from_an_example() {
        assert_eq!(NumberFormat::from_example("1,234.50"), Some(POINT));
        assert_eq!(NumberFormat::from_example("1.234,50"), Some(COMMA));
        assert_eq!(
            NumberFormat::from_example("1 234,50"),
            Some(NumberFormat {
                group: ' ',
                decimal: ','
            })
        );
        assert_eq!(NumberFormat::from_example("1,234,50"), None);
        assert_eq!(NumberFormat::from_example("1234.50"), None);
        assert_eq!(COMMA.example(), "1.234,50");
    }

    #[test]
    fn amounts_are_shown_the_clinics_way() {
        let m = Money::new(123_450, usd());
        assert_eq!(m.amount(POINT), "1,234.50");
        assert_eq!(m.amount(COMMA), "1.234,50");
        assert_eq!(m.display(POINT), "USD 1,234.50");
        assert_eq!(Money::new(-500, eur()).display(COMMA), "EUR -5,00");
        assert_eq!(Money::new(7, usd()).amount(POINT), "0.07");
        assert_eq!(Money::new(123_456_789, usd()).amount(POINT), "1,234,567.89");
        let yen = Currency::parse("JPY").expect("JPY");
        assert_eq!(Money::new(1500, yen).amount(POINT), "1,500");
        let dinar = Currency::parse("KWD").expect("KWD");
        assert_eq!(Money::new(1_005, dinar).amount(POINT), "1.005");
    }

    #[test]
    fn both_decimal_styles_parse_exactly() {
        let ok = |text: &str, format| Money::parse(text, usd(), format).map(Money::minor);
        assert_eq!(ok("1,234.50", POINT), Ok(123_450));
        assert_eq!(ok("1234.5", POINT), Ok(123_450));
        assert_eq!(ok("1.234,50", COMMA), Ok(123_450));
        assert_eq!(ok("1234,5", COMMA), Ok(123_450));
        assert_eq!(ok("0.07", POINT), Ok(7));
        assert_eq!(ok(".5", POINT), Ok(50));
        assert_eq!(ok("12", POINT), Ok(1200));
        assert_eq!(ok("-5.00", POINT), Ok(-500));
        assert_eq!(ok("USD 12.00", POINT), Ok(1200));
        assert_eq!(ok("12.00 usd", POINT), Ok(1200));
        assert_eq!(ok("12.500", POINT), Ok(1250), "a zero past the cents");
        // Exactness: 0.1 + 0.2 is 0.3, as it never is in floating point.
        let sum = Money::parse("0.1", usd(), POINT)
            .and_then(|a| a.checked_add(Money::parse("0.2", usd(), POINT)?))
            .map(Money::minor);
        assert_eq!(sum, Ok(30));
    }

    #[test]
    fn malformed_amounts_are_refused_with_an_example() {
        let err = |text: &str, format| {
            Money::parse(text, usd(), format)
                .expect_err(text)
                .to_string()
        };
        // The other style's separators are not guessed at.
        assert_eq!(
            err("12,50", POINT),
            "Not an amount: write it like 1,234.50."
        );
        assert_eq!(
            err("1,234.50", COMMA),
            "Not an amount: write it like 1.234,50."
        );
        assert!(err("1,23,4.50", POINT).starts_with("Not an amount"));
        assert!(err("12.3.4", POINT).starts_with("Not an amount"));
        assert!(err("12a", POINT).starts_with("Not an amount"));
        assert!(err("-", POINT).starts_with("Not an amount"));
        assert_eq!(err("", POINT), "Type an amount, like 1,234.50.");
        assert_eq!(
            err("12.345", POINT),
            "USD has 2 digits after the decimal separator at most."
        );
        assert_eq!(err("EUR 12.00", POINT), "That amount is in EUR, not USD.");
        assert_eq!(
            err("99999999999999999999", POINT),
            "That amount is too large."
        );
    }

    #[test]
    fn sums_keep_to_one_currency() {
        let a = Money::new(100, usd());
        assert_eq!(
            a.checked_sub(Money::new(250, usd())),
            Ok(Money::new(-150, usd()))
        );
        assert!(a.checked_add(Money::new(1, eur())).is_err());
        assert_eq!(
            Money::new(i64::MAX, usd()).checked_add(a),
            Err(MoneyError::TooLarge)
        );
    }
}
