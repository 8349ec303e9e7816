//! Bank statements, read: a CSV export laid out as the config says, or CAMT.053 (ISO 20022, read
//! with the camt053 crate), reduced to the money-in lines a clinic reconciles. A file with any bad
//! line is refused whole, each problem named with its line number, so nothing is half imported.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::money::{Currency, Money, NumberFormat};

/// Which column holds what in a CSV statement: a header name, or a column number from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLayout {
    pub delimiter: u8,
    pub header: bool,
    pub date: String,
    pub amount: String,
    pub reference: String,
    pub payer: String,
    /// chrono formats tried in order (ISO is always tried too).
    pub date_formats: Vec<String>,
    /// The amount's decimal separator ('.' or ','); the other one may group thousands.
    pub decimal: char,
}

impl Default for CsvLayout {
    fn default() -> Self {
        Self {
            delimiter: b',',
            header: true,
            date: "date".into(),
            amount: "amount".into(),
            reference: "reference".into(),
            payer: "payer".into(),
            date_formats: vec!["%d.%m.%Y".into(), "%d/%m/%Y".into()],
            decimal: '.',
        }
    }
}

/// One money-in line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// Where it is in the file (a CSV line, or the entry's place in a CAMT file), from 1.
    pub line_no: u32,
    pub booked_on: NaiveDate,
    pub amount_minor: i64,
    /// The text the payer wrote (remittance information), where invoice numbers are looked for.
    pub reference: String,
    pub payer: String,
    /// What makes the line the same line in another file: the bank's own entry reference, or a
    /// digest of the line with its occurrence.
    pub key: String,
    /// What makes it the same transfer whatever the format: a digest of its day, amount, text and
    /// payer (case and spacing aside) with its occurrence, alike for a CSV and a CAMT.053 export
    /// of the same account.
    pub content_key: String,
}

/// A statement read: its money-in lines, and the lines left out (money out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub format: &'static str,
    pub lines: Vec<StatementLine>,
    pub money_out: usize,
}

/// What was wrong, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.join("; "))]
pub struct StatementError {
    pub problems: Vec<String>,
}

impl StatementError {
    fn one(problem: impl Into<String>) -> Self {
        Self {
            problems: vec![problem.into()],
        }
    }
}

/// Most problems listed for one file (the rest are counted).
const MOST_PROBLEMS: usize = 20;

/// A key for a line without the bank's own reference: its day, amount, text and payer, and how
/// many identical lines came before it in the file (so two equal payments on a day stay two, and
/// the same file read again gives the same keys).
fn digest_key(day: NaiveDate, minor: i64, reference: &str, payer: &str, nth: u32) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "{day}\u{1f}{minor}\u{1f}{reference}\u{1f}{payer}\u{1f}{nth}"
    ));
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn with_digest_keys(lines: &mut [StatementLine]) {
    let mut seen: HashMap<(NaiveDate, i64, String, String), u32> = HashMap::new();
    for l in lines.iter_mut().filter(|l| l.key.is_empty()) {
        let n = seen
            .entry((
                l.booked_on,
                l.amount_minor,
                l.reference.clone(),
                l.payer.clone(),
            ))
            .or_insert(0);
        l.key = digest_key(l.booked_on, l.amount_minor, &l.reference, &l.payer, *n);
        *n += 1;
    }
    // Every line, whatever its format, also gets the key of its content.
    let plain = |t: &str| {
        t.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut seen: HashMap<(NaiveDate, i64, String, String), u32> = HashMap::new();
    for l in lines.iter_mut() {
        let (reference, payer) = (plain(&l.reference), plain(&l.payer));
        let n = seen
            .entry((
                l.booked_on,
                l.amount_minor,
                reference.clone(),
                payer.clone(),
            ))
            .or_insert(0);
        l.content_key = format!(
            "content:{}",
            digest_key(l.booked_on, l.amount_minor, &reference, &payer, *n)
        );
        *n += 1;
    }
}

fn parse_day(text: &str, formats: &[String]) -> Option<NaiveDate> {
    let t = text.trim();
    std::iter::once("%Y-%m-%d")
        .chain(formats.iter().map(String::as_str))
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
}

/// Reads a CSV statement laid out as `layout` says.
pub fn parse_csv(
    bytes: &[u8],
    layout: &CsvLayout,
    currency: Currency,
) -> Result<Statement, StatementError> {
    // A spreadsheet's "CSV UTF-8" starts with a byte order mark, which is not part of the header.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(layout.header)
        .flexible(true)
        .from_reader(bytes);
    let headers = if layout.header {
        Some(
            reader
                .headers()
                .map_err(|e| StatementError::one(format!("line 1: {e}")))?
                .iter()
                .map(|h| h.trim().to_lowercase())
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let column = |spec: &str, what: &str| -> Result<usize, StatementError> {
        if let Ok(n) = spec.trim().parse::<usize>() {
            return n.checked_sub(1).ok_or_else(|| {
                StatementError::one(format!("the {what} column is numbered from 1"))
            });
        }
        headers
            .as_ref()
            .and_then(|h| h.iter().position(|c| *c == spec.trim().to_lowercase()))
            .ok_or_else(|| {
                StatementError::one(format!(
                    "no column {spec:?} for the {what} (the header has {}); set [billing.bank_csv] {what}",
                    headers.as_ref().map_or("none".into(), |h| h.join(", "))
                ))
            })
    };
    let (date_col, amount_col) = (
        column(&layout.date, "date")?,
        column(&layout.amount, "amount")?,
    );
    let reference_col = column(&layout.reference, "reference").ok();
    let payer_col = column(&layout.payer, "payer").ok();
    let group = if layout.decimal == ',' { '.' } else { ',' };
    let format = NumberFormat {
        group,
        decimal: layout.decimal,
    };
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut money_out = 0;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let at = e.position().map_or(0, |p| p.line());
                problems.push(format!("line {at}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let day = parse_day(field(date_col), &layout.date_formats);
        let amount = Money::parse(&field(amount_col).replace(' ', ""), currency, format);
        match (day, amount) {
            (None, _) => problems.push(format!(
                "line {line}: the date {:?} is not a date (write it like 2026-11-14)",
                field(date_col)
            )),
            (_, Err(e)) => problems.push(format!(
                "line {line}: the amount {:?}: {e}",
                field(amount_col)
            )),
            (Some(_), Ok(m)) if m.minor() <= 0 => money_out += 1,
            (Some(day), Ok(m)) => lines.push(StatementLine {
                line_no: u32::try_from(line).unwrap_or(u32::MAX),
                booked_on: day,
                amount_minor: m.minor(),
                reference: reference_col.map(field).unwrap_or("").to_string(),
                payer: payer_col.map(field).unwrap_or("").to_string(),
                key: String::new(),
                content_key: String::new(),
            }),
        }
    }
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(MOST_PROBLEMS);
        problems.truncate(MOST_PROBLEMS);
        if more > 0 {
            problems.push(format!("and {more} more"));
        }
        return Err(StatementError { problems });
    }
    with_digest_keys(&mut lines);
    Ok(Statement {
        format: "csv",
        lines,
        money_out,
    })
}

/// Exact minor units of a bank's decimal amount, refusing fractions of a cent.
fn minor_of(amount: Decimal, currency: Currency) -> Option<i64> {
    let scaled = amount.checked_mul(Decimal::from(10_i64.pow(currency.exponent())))?;
    (scaled.fract().is_zero()).then(|| i64::try_from(scaled.trunc()).ok())?
}

/// Reads a CAMT.053 statement (XML, or a zip of them) in `currency`; statements in another
/// currency are refused.
pub fn parse_camt053(bytes: &[u8], currency: Currency) -> Result<Statement, StatementError> {
    let statements = camt053::SimpleStatements::from_reader(bytes)
        .map_err(|e| StatementError::one(format!("not a CAMT.053 statement this reads: {e}")))?;
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut money_out = 0;
    let mut n = 0u32;
    for st in &statements.statements {
        if let Some(c) = &st.currency {
            if c != currency.code() {
                problems.push(format!(
                    "account {} is in {c}, the clinic's books in {currency}",
                    st.account
                ));
                continue;
            }
        }
        for t in &st.transactions {
            n += 1;
            let Some(minor) = minor_of(t.amount, currency) else {
                problems.push(format!(
                    "entry {n}: the amount {} is not whole cents",
                    t.amount
                ));
                continue;
            };
            if minor <= 0 {
                money_out += 1;
                continue;
            }
            let text = t
                .description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(StatementLine {
                line_no: n,
                booked_on: t.book_date,
                amount_minor: minor,
                reference: text,
                payer: t.counter_name.clone().unwrap_or_default(),
                key: t
                    .reference
                    .as_ref()
                    .filter(|r| !r.trim().is_empty())
                    // Banks number entries afresh in each statement: the day and the amount
                    // keep one day's entry 1 from another's.
                    .map(|r| format!("camt:{}:{}:{}:{}", st.account, t.book_date, minor, r.trim()))
                    .unwrap_or_default(),
                content_key: String::new(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(StatementError { problems });
    }
    with_digest_keys(&mut lines);
    Ok(Statement {
        format: "camt053",
        lines,
        money_out,
    })
}

/// Reads a statement file, by what it holds: XML or a zip is CAMT.053, anything else CSV.
pub fn parse(
    bytes: &[u8],
    layout: &CsvLayout,
    currency: Currency,
) -> Result<Statement, StatementError> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(256)]);
    if bytes.starts_with(b"PK")
        || head
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
    {
        parse_camt053(bytes, currency)
    } else {
        parse_csv(bytes, layout, currency)
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub statement_id: i64,
    pub lines_read: i32,
    /// Not seen before (the rest came in an earlier file).
    pub lines_new: i32,
    pub by_number: i32,
    pub by_name: i32,
    pub by_amount: i32,
}

/// A staged line with what is suggested for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLine {
    pub id: i64,
    pub source: String,
    pub line_no: i32,
    pub booked_on: NaiveDate,
    pub amount_minor: i64,
    pub currency: Currency,
    pub reference: String,
    pub payer: String,
    pub suggestion: Option<Suggestion>,
}

/// The invoice suggested for a line, as it stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub invoice_id: i64,
    pub number: Option<String>,
    pub patient_name: String,
    pub owed_minor: i64,
    pub confidence: i16,
    pub rule: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    #[test]
    fn a_csv_with_a_header_reads_money_in_and_keys_repeats_apart() {
        let csv = "Date,Amount,Reference,Payer\n\
                   2026-11-14,80.00,INV 2026-000119 GARCIA,Luis Garcia\n\
                   14.11.2026,-12.00,Bank fee,\n\
                   2026-11-15,45.00,,L WILSON\n\
                   2026-11-15,45.00,,L WILSON\n";
        let s = parse_csv(csv.as_bytes(), &CsvLayout::default(), eur()).expect("reads");
        assert_eq!(s.money_out, 1);
        assert_eq!(s.lines.len(), 3);
        assert_eq!((s.lines[0].line_no, s.lines[0].amount_minor), (2, 8_000));
        assert_eq!(s.lines[0].reference, "INV 2026-000119 GARCIA");
        assert_ne!(
            s.lines[1].key, s.lines[2].key,
            "two equal payments stay two"
        );
        let again = parse_csv(csv.as_bytes(), &CsvLayout::default(), eur()).expect("reads");
        assert_eq!(again.lines, s.lines, "the same file gives the same keys");
    }

    #[test]
    fn a_csv_without_a_header_by_column_numbers_and_decimal_commas() {
        let layout = CsvLayout {
            delimiter: b';',
            header: false,
            date: "1".into(),
            amount: "3".into(),
            reference: "4".into(),
            payer: "2".into(),
            decimal: ',',
            ..CsvLayout::default()
        };
        let csv = "14.11.2026;Müller, Anna;1.234,50;RE 2026-000001\n";
        let s = parse_csv(csv.as_bytes(), &layout, eur()).expect("reads");
        assert_eq!(s.lines[0].amount_minor, 123_450);
        assert_eq!(s.lines[0].payer, "Müller, Anna");
        assert_eq!(
            s.lines[0].booked_on,
            NaiveDate::from_ymd_opt(2026, 11, 14).expect("d")
        );
    }

    #[test]
    fn a_malformed_csv_is_refused_whole_with_its_line_numbers() {
        let csv = "date,amount,reference,payer\n\
                   2026-11-14,80.00,a,b\n\
                   yesterday,80.00,a,b\n\
                   2026-11-15,80.0.0,a,b\n";
        let e = parse_csv(csv.as_bytes(), &CsvLayout::default(), eur()).expect_err("refused");
        assert_eq!(e.problems.len(), 2, "{e}");
        assert!(
            e.problems[0].starts_with("line 3: the date \"yesterday\""),
            "{e}"
        );
        assert!(
            e.problems[1].starts_with("line 4: the amount \"80.0.0\""),
            "{e}"
        );
        let missing = CsvLayout {
            payer: "name".into(),
            amount: "betrag".into(),
            ..CsvLayout::default()
        };
        let e = parse_csv(csv.as_bytes(), &missing, eur()).expect_err("no such column");
        assert!(e.to_string().contains("no column \"betrag\""), "{e}");
    }

    #[test]
    fn camt053_entries_keep_the_bank_s_reference_as_their_key() {
        let xml = include_str!("../../tests/data/camt053-sample.xml");
        let s = parse(xml.as_bytes(), &CsvLayout::default(), eur()).expect("reads");
        assert_eq!(s.format, "camt053");
        assert_eq!(s.money_out, 1);
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0].amount_minor, 8_000);
        assert!(
            s.lines[0].reference.contains("2026-000119"),
            "{:?}",
            s.lines[0]
        );
        assert_eq!(s.lines[0].payer, "Luis Garcia");
        assert!(
            s.lines[0].key.starts_with("camt:NL00BANK0123456789:"),
            "{}",
            s.lines[0].key
        );
        let usd = parse(xml.as_bytes(), &CsvLayout::default(), Currency::USD);
        assert!(usd.is_err(), "another currency is refused");
        assert!(parse(b"<Document><oops", &CsvLayout::default(), eur()).is_err());
    }

    #[test]
    fn a_spreadsheet_s_byte_order_mark_is_not_part_of_the_header() {
        let csv = "\u{feff}date,amount,reference,payer\n2026-11-14,80.00,x,y\n";
        let s = parse(csv.as_bytes(), &CsvLayout::default(), eur()).expect("reads");
        assert_eq!(s.lines.len(), 1);
    }

    #[test]
    fn fractions_of_a_cent_are_refused() {
        assert_eq!(minor_of(Decimal::new(8_000, 2), eur()), Some(8_000));
        assert_eq!(minor_of(Decimal::new(80_005, 3), eur()), None);
    }
}
