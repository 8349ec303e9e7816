//! The audit trail as the Admin screen reads it (src/db/audit_trail.rs, sql/0025), by real logins:
//! keyset pages that stay exact while entries arrive, every filter, no clinical text anywhere, only
//! admins, the chunked chain check agreeing with clinic.audit_verify(), and the CSV export (also
//! through `clinic audit export`).

#[path = "../support/mod.rs"]
mod support;

mod access;
mod chain;
mod cli;
mod paging;

use clinic::db::audit_trail::{self, AuditFilter, Page};
use support::Login;
use tokio_postgres::Client;

async fn ids(c: &Client, sql: &str) -> Vec<i64> {
    c.query(sql, &[])
        .await
        .expect(sql)
        .iter()
        .map(|r| r.get(0))
        .collect()
}

async fn add_patient(su: &Client, family: &str) -> i64 {
    su.query_one(
        "INSERT INTO clinic.patients (family_name, given_names, date_of_birth, sex, gender_identity,
                                      emergency_contact_name, emergency_contact_phone, insurer, phone)
         VALUES ($1, 'Test', DATE '1980-01-01', 'female', 'woman', 'Kin', '0123456789', 'Acme', '0201234567')
         RETURNING id",
        &[&family],
    )
    .await
    .expect("a patient")
    .get(0)
}

/// `n` entries by `login`, now, as the superuser writes them straight into the log (sealed later
/// like any other).
async fn write_entries(su: &Client, login: &Login, n: i32, action: &str) {
    su.execute(
        "INSERT INTO clinic.audit_log (at, actor_login, action, table_name, row_id)
         SELECT clock_timestamp(), $1, $2, 'patients', g FROM generate_series(1, $3) g",
        &[&login.user, &action, &n],
    )
    .await
    .expect("entries");
}

/// Every page of `filter`, following `after` cursors from the first.
async fn walk(c: &Client, filter: &AuditFilter, limit: i64) -> Vec<Page> {
    let mut pages = vec![audit_trail::audit_page(c, filter, None, None, limit)
        .await
        .expect("page 1")];
    while let Some(next) = pages.last().and_then(Page::older) {
        let page = audit_trail::audit_page(c, filter, Some(next), None, limit)
            .await
            .expect("next page");
        pages.push(page);
    }
    pages
}

fn page_ids(p: &Page) -> Vec<i64> {
    p.entries.iter().map(|e| e.id).collect()
}

/// Entries at chosen instants, as the superuser writes them straight into the log (sealed later
/// like any other): (at, login, action, table, patient).
type Entry<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<i64>);

async fn entries_at(su: &Client, rows: &[Entry<'_>]) {
    for (at, login, action, table, patient) in rows {
        su.execute(
            "INSERT INTO clinic.audit_log (at, actor_login, action, table_name, patient_id)
             VALUES ($1::text::timestamptz, $2, $3, $4, $5)",
            &[at, login, action, table, patient],
        )
        .await
        .expect("an entry");
    }
}
