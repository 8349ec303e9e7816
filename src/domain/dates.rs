//! Dates as people type them at any form: ISO first, then the clinic's own format, and what was
//! wrong with one in words.

use chrono::{Months, NaiveDate};

/// ISO 1985-06-15 first, then the clinic's own format.
pub fn parse_date(s: &str, local_date_format: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, local_date_format))
        .ok()
}

/// Why `s` is not a date, in words: a day its month does not have is named as such ("November
/// 2026 has 30 days"), anything else gets `example` to copy.
pub fn date_problem(s: &str, example: &str) -> String {
    day_beyond_month(s).unwrap_or_else(|| format!("A date, like {example}."))
}

/// "November 2026 has 30 days." when `s` is a year, month and a day that month lacks.
pub fn day_beyond_month(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.trim().split('-').collect();
    if let [y, m, d] = parts.as_slice() {
        if let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
            if let Some(first) = NaiveDate::from_ymd_opt(y, m, 1) {
                // Only the last December chrono knows has no month after it.
                let days = first
                    .checked_add_months(Months::new(1))
                    .map_or(31, |next| (next - first).num_days());
                if d == 0 || i64::from(d) > days {
                    return Some(format!("{} has {days} days.", first.format("%B %Y")));
                }
            }
        }
    }
    None
}
