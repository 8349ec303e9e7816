//! Bank statements: any bytes are read or refused, never a panic; a statement written from lines
//! (CSV in the configured layout, CAMT.053 as a bank writes it) reads back to the same days and
//! amounts.

use chrono::NaiveDate;
use clinic::domain::money::{Currency, Money, NumberFormat};
use clinic::domain::statement::{parse, parse_camt053, parse_csv, CsvLayout};
use proptest::prelude::*;

use crate::{cases, date};

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(vec!["EUR", "USD", "JPY", "KWD"])
        .prop_map(|c| Currency::parse(c).expect("a code"))
}

/// A layout as the config may set it: any one-byte delimiter, columns by name or number.
fn layout() -> impl Strategy<Value = CsvLayout> {
    let column = prop_oneof![
        prop::sample::select(vec![
            "date",
            "amount",
            "reference",
            "payer",
            "Date",
            "0",
            "1",
            "2",
            "3",
            "9",
            "18446744073709551616",
            ""
        ])
        .prop_map(String::from),
        "\\PC{0,6}",
    ];
    (
        0u8..=127,
        any::<bool>(),
        prop::collection::vec(column, 4),
        prop::collection::vec(
            prop_oneof![
                Just("%d.%m.%Y".to_string()),
                Just("%Q".to_string()),
                "\\PC{0,6}"
            ],
            0..3,
        ),
        prop::sample::select(vec!['.', ',']),
    )
        .prop_map(|(delimiter, header, c, date_formats, decimal)| CsvLayout {
            delimiter,
            header,
            date: c[0].clone(),
            amount: c[1].clone(),
            reference: c[2].clone(),
            payer: c[3].clone(),
            date_formats,
            decimal,
        })
}

/// Bytes of every kind, and bytes that look like the start of each format.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    let any_bytes = prop::collection::vec(any::<u8>(), 0..300);
    prop_oneof![
        any_bytes.clone(),
        (
            prop::sample::select(vec![
                &b"PK\x03\x04"[..],
                b"<",
                b"\xef\xbb\xbf<?xml",
                b"\xef\xbb\xbf",
                b"date,amount,reference,payer\n"
            ]),
            any_bytes
        )
            .prop_map(|(head, tail)| [head, &tail].concat()),
        "(date,amount\n)?([0-9./-]{0,10},[-0-9., ]{0,10}\n){0,5}".prop_map(String::into_bytes),
    ]
}

/// A line as a bank would list it: a day, an amount in or out, words.
#[derive(Debug, Clone)]
struct Line {
    day: NaiveDate,
    minor: i64,
    reference: String,
    payer: String,
}

fn lines(words: &'static str) -> impl Strategy<Value = Vec<Line>> {
    prop::collection::vec(
        (
            date(),
            prop_oneof![4 => 1i64..100_000_000_000, 1 => -100_000_000i64..=0],
            words,
            words,
        )
            .prop_map(|(day, minor, reference, payer)| Line {
                day,
                minor,
                reference,
                payer,
            }),
        0..8,
    )
}

fn csv_of(lines: &[Line], layout: &CsvLayout, currency: Currency, day_format: &str) -> Vec<u8> {
    let format = NumberFormat {
        group: if layout.decimal == ',' { '.' } else { ',' },
        decimal: layout.decimal,
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(layout.delimiter)
        .from_writer(Vec::new());
    w.write_record(["date", "amount", "reference", "payer"])
        .expect("a header");
    for l in lines {
        let amount = Money::new(l.minor, currency).amount(format);
        w.write_record([
            l.day.format(day_format).to_string(),
            amount,
            l.reference.clone(),
            l.payer.clone(),
        ])
        .expect("a record");
    }
    w.into_inner().expect("written")
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn camt_of(lines: &[Line], currency: Currency) -> Vec<u8> {
    // The bank's balances agree with its entries: from nothing to their sum, over all days.
    let closing: i64 = lines.iter().map(|l| l.minor).sum();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>\
         <GrpHdr><MsgId>FUZZ</MsgId><CreDtTm>2026-12-01T18:00:00Z</CreDtTm></GrpHdr><Stmt><Id>S1</Id><CreDtTm>2026-12-01T18:00:00Z</CreDtTm>\
         <Acct><Id><IBAN>NL00BANK0123456789</IBAN></Id><Ccy>{currency}</Ccy></Acct>\
         <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt>0</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>0999-12-31</Dt></Dt></Bal>\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt>{}</Amt><CdtDbtInd>{}</CdtDbtInd><Dt><Dt>9999-12-31</Dt></Dt></Bal>\n",
        Money::new(closing.abs(), currency).plain(),
        if closing < 0 { "DBIT" } else { "CRDT" },
    );
    for (i, l) in lines.iter().enumerate() {
        let abs = Money::new(l.minor.abs(), currency).plain();
        let side = if l.minor > 0 { "CRDT" } else { "DBIT" };
        x.push_str(&format!(
            "<Ntry><NtryRef>E-{i}</NtryRef><Amt Ccy=\"{currency}\">{abs}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>\
             <BookgDt><Dt>{}</Dt></BookgDt><ValDt><Dt>{}</Dt></ValDt><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>{}</Nm></Dbtr></RltdPties>\
             <RmtInf><Ustrd>{}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n",
            l.day, l.day, xml(&l.payer), xml(&l.reference)
        ));
    }
    x.push_str("</Stmt></BkToCstmrStmt></Document>\n");
    x.into_bytes()
}

/// What a reconciliation keeps of the lines: the money in, by day and amount.
fn money_in(lines: &[Line]) -> Vec<(NaiveDate, i64)> {
    lines
        .iter()
        .filter(|l| l.minor > 0)
        .map(|l| (l.day, l.minor))
        .collect()
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_bytes_are_read_or_refused(b in bytes(), layout in layout(), c in currency()) {
        for read in [parse(&b, &layout, c), parse_csv(&b, &layout, c), parse_camt053(&b, c)] {
            match read {
                Ok(st) => prop_assert!(st.lines.iter().all(|l| l.amount_minor > 0 && !l.key.is_empty() && !l.content_key.is_empty())),
                Err(e) => prop_assert!(!e.problems.is_empty() && e.problems.len() <= 21),
            }
        }
    }

    #[test]
    fn a_csv_statement_reads_back(
        lines in lines("\\PC{0,16}"),
        delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
        decimal in prop::sample::select(vec!['.', ',']),
        day_format in prop::sample::select(vec!["%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"]),
        c in currency(),
    ) {
        let layout = CsvLayout { delimiter, decimal, ..CsvLayout::default() };
        let file = csv_of(&lines, &layout, c, day_format);
        let st = parse(&file, &layout, c).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&file))))?;
        prop_assert_eq!(st.format, "csv");
        let read: Vec<(NaiveDate, i64)> = st.lines.iter().map(|l| (l.booked_on, l.amount_minor)).collect();
        prop_assert_eq!(read, money_in(&lines));
        prop_assert_eq!(st.money_out, lines.len() - money_in(&lines).len());
        for (read, l) in st.lines.iter().zip(lines.iter().filter(|l| l.minor > 0)) {
            prop_assert_eq!(read.reference.as_str(), l.reference.trim());
            prop_assert_eq!(read.payer.as_str(), l.payer.trim());
        }
    }

    #[test]
    fn a_camt053_statement_reads_back(lines in lines("[A-Za-z0-9][A-Za-z0-9 ./&<>-]{0,15}"), c in currency()) {
        let file = camt_of(&lines, c);
        let st = parse(&file, &CsvLayout::default(), c).map_err(|e| TestCaseError::fail(format!("{e}: {}", String::from_utf8_lossy(&file))))?;
        prop_assert_eq!(st.format, "camt053");
        // The entries come back by day (the reader sorts them).
        let mut read: Vec<(NaiveDate, i64)> = st.lines.iter().map(|l| (l.booked_on, l.amount_minor)).collect();
        let mut written = money_in(&lines);
        read.sort_unstable();
        written.sort_unstable();
        prop_assert_eq!(read, written);
        prop_assert_eq!(st.money_out, lines.len() - money_in(&lines).len());
    }
}
