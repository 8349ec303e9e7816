//! Sample bank statements for the demo's accounts office to reconcile: the same transfers as CSV
//! (the default `[billing.bank_csv]` layout) and as CAMT.053, made from the demo's own open
//! invoices when it is seeded (invoice numbers and amounts depend on the day it was seeded).
//! Some lines name their invoice, some only the payer, one only an amount, one is someone else's
//! money, one is the bank's fee (money out, left aside).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use tokio_postgres::Client;

use super::DemoError;

/// Where the samples are written, inside the demo's directory.
pub fn sample_paths(root: &Path) -> [PathBuf; 2] {
    [
        root.join("statement-sample.csv"),
        root.join("statement-sample.xml"),
    ]
}

struct Transfer {
    day: String,
    minor: i64,
    text: String,
    payer: String,
}

fn decimal(minor: i64) -> String {
    format!(
        "{}{}.{:02}",
        if minor < 0 { "-" } else { "" },
        minor.abs() / 100,
        minor.abs() % 100
    )
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub async fn write_samples(db: &Client, root: &Path) -> Result<(), DemoError> {
    // Five that name their invoice; three whose payer and amount fit one open invoice only;
    // two whose amount alone does. (What fits depends on the day the demo was seeded.)
    let rows = db
        .query(
            "WITH open AS (
               SELECT i.id, i.invoice_number, i.issued_at, i.total_minor - i.paid_minor - i.credited_minor AS owed,
                      p.given_names, p.family_name, p.family_folded, i.currency::text AS currency
                 FROM clinic.invoices i JOIN clinic.patients p ON p.id = i.patient_id
                WHERE i.kind = 'invoice' AND i.status IN ('issued', 'partially_paid')
                  AND i.invoice_number IS NOT NULL),
             numbered AS (SELECT *, 1 AS how FROM open ORDER BY issued_at DESC, id DESC LIMIT 5),
             named AS (
               SELECT o.*, 2 AS how FROM open o
                WHERE o.id NOT IN (SELECT id FROM numbered)
                  AND pg_catalog.strpos(o.family_name, ' ') = 0
                  AND (SELECT pg_catalog.count(*) FROM open x
                        WHERE x.family_folded = o.family_folded AND x.owed = o.owed) = 1
                ORDER BY o.issued_at DESC, o.id DESC LIMIT 3),
             amounts AS (
               SELECT o.*, 3 AS how FROM open o
                WHERE o.id NOT IN (SELECT id FROM numbered UNION ALL SELECT id FROM named)
                  AND (SELECT pg_catalog.count(*) FROM open x WHERE x.owed = o.owed) = 1
                ORDER BY o.issued_at DESC, o.id DESC LIMIT 2)
             SELECT invoice_number, owed, given_names, family_name, currency, how
               FROM (SELECT * FROM numbered UNION ALL SELECT * FROM named UNION ALL SELECT * FROM amounts) t
              ORDER BY how, issued_at DESC, id DESC",
            &[],
        )
        .await?;
    let today = chrono::Utc::now().date_naive();
    let day = |back: i64| (today - chrono::TimeDelta::days(back)).to_string();
    let mut transfers = Vec::new();
    let mut currency = "USD".to_string();
    for (k, r) in rows.iter().enumerate() {
        let (number, owed, given, family, how): (String, i64, String, String, i32) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(5));
        currency = r.get(4);
        let initial: String = given.chars().take(1).collect();
        let back = i64::try_from(k % 3).unwrap_or(0) + 1;
        transfers.push(match how {
            1 => Transfer {
                day: day(back),
                minor: owed,
                text: format!("Invoice {number}"),
                payer: format!("{given} {family}"),
            },
            2 => Transfer {
                day: day(back),
                minor: owed,
                text: "doctor visit".into(),
                payer: format!("{initial} {}", family.to_uppercase()),
            },
            _ => Transfer {
                day: day(back),
                minor: owed,
                text: format!("ref {}", 40_000 + k),
                payer: String::new(),
            },
        });
    }
    transfers.push(Transfer {
        day: day(1),
        minor: 123_400,
        text: "Rent refund March".into(),
        payer: "Harbour Properties Ltd".into(),
    });
    transfers.push(Transfer {
        day: day(1),
        minor: -1_250,
        text: "Account fee".into(),
        payer: String::new(),
    });

    let mut csv = String::from("date,amount,reference,payer\n");
    for t in &transfers {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        writeln!(
            csv,
            "{},{},{},{}",
            t.day,
            decimal(t.minor),
            quote(&t.text),
            quote(&t.payer)
        )
        .ok();
    }

    let opening = 1_000_000i64;
    let closing = opening + transfers.iter().map(|t| t.minor).sum::<i64>();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n  <BkToCstmrStmt>\n    <GrpHdr><MsgId>CLINIC-DEMO-{today}</MsgId><CreDtTm>{today}T18:00:00Z</CreDtTm></GrpHdr>\n    <Stmt>\n      <Id>DEMO-{today}</Id>\n      <CreDtTm>{today}T18:00:00Z</CreDtTm>\n      <Acct><Id><IBAN>NL00DEMO0123456789</IBAN></Id><Ccy>{currency}</Ccy></Acct>\n      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt>{}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{}</Dt></Dt></Bal>\n      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt>{}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{today}</Dt></Dt></Bal>\n",
        decimal(opening),
        day(4),
        decimal(closing)
    );
    for (n, t) in transfers.iter().enumerate() {
        let (ind, party) = if t.minor < 0 {
            ("DBIT", "Cdtr")
        } else {
            ("CRDT", "Dbtr")
        };
        let parties = if t.payer.is_empty() {
            String::new()
        } else {
            format!(
                "<RltdPties><{party}><Nm>{}</Nm></{party}></RltdPties>",
                xml(&t.payer)
            )
        };
        write!(
            x,
            "      <Ntry>\n        <NtryRef>{}</NtryRef>\n        <Amt>{}</Amt>\n        <CdtDbtInd>{ind}</CdtDbtInd>\n        <Sts>BOOK</Sts>\n        <BookgDt><Dt>{}</Dt></BookgDt>\n        <ValDt><Dt>{}</Dt></ValDt>\n        <AcctSvcrRef>DEMO-{}-{}</AcctSvcrRef>\n        <NtryDtls><TxDtls>{parties}<RmtInf><Ustrd>{}</Ustrd></RmtInf></TxDtls></NtryDtls>\n      </Ntry>\n",
            n + 1,
            decimal(t.minor.abs()),
            t.day,
            t.day,
            today,
            n + 1,
            xml(&t.text)
        )
        .ok();
    }
    x.push_str("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n");
    let [csv_path, xml_path] = sample_paths(root);
    for (path, text) in [(csv_path, csv), (xml_path, x)] {
        std::fs::write(&path, text)
            .map_err(|source| crate::demo::cluster::ClusterError::Io { path, source })?;
    }
    Ok(())
}
