//! Reading the audit trail (sql/0001, 0011, 0025): pages of it newest first under a filter, the
//! words for the filter's pickers, a cheap count, the chain check with progress, and the CSV
//! export of a filtered range.
//!
//! Who may: the database decides. Administrators read every entry; a doctor reads only their own
//! (RLS), so these functions give a doctor their own entries and nothing else; reception and the
//! accounts office are refused (no SELECT on the log). The chain check is for administrators
//! only (clinic.audit_verify_range refuses everyone else).
//!
//! Pages are keyset pages, newest first by (at, id): each filter (person, patient, action, table,
//! and any date range) has an index on (that column, at, id) or (at, id) that the page's range
//! scan reads in order and stops after the page, so page 1,000 costs what page 1 does. Entries
//! arriving meanwhile land before page 1 and never shift a page an admin is on.
//!
//! No clinical content: an entry's `detail` is reduced to its safe parts in words by
//! [`crate::domain::audit_trail::summary`]; nothing else of it leaves this module.

use std::io::Write;

use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, IsolationLevel};

use super::billing_reports::{csv_writer, ExportError};
use super::DbError;
pub use crate::domain::audit_trail::{
    checked_words, AuditEntry, AuditFilter, ChainBreak, ChainCheck, Cursor, EntryCount, Page,
    Pickers,
};
use crate::domain::audit_trail::{csv_fields, summary, CSV_HEADER};

/// A page as long as this is refused: the screen shows a screenful, the export reads in batches.
pub const MAX_PAGE: i64 = 10_000;

/// How many entries [`count`] counts exactly before it settles for the planner's estimate.
pub const COUNT_CAP: i64 = 10_000;

/// Chain positions checked per call of clinic.audit_verify_range by [`verify_chain`]: about a
/// second's work on a small server, so the progress moves and no statement runs long.
pub const VERIFY_CHUNK: i64 = 100_000;

/// Which end of the filtered trail a read starts from, and which way it goes.
#[derive(Clone, Copy)]
enum Start {
    /// Newest first from the newest entry.
    Newest,
    /// Newest first from just older than the cursor.
    OlderThan(Cursor),
    /// Oldest first from just newer than the cursor.
    NewerThan(Cursor),
    /// Oldest first from the oldest entry.
    Oldest,
}

/// The filter as SQL conditions on `a` (clinic.audit_log), its values pushed onto `params`.
fn conditions<'a>(f: &'a AuditFilter, params: &mut Vec<&'a (dyn ToSql + Sync)>) -> Vec<String> {
    let add = |sql: &str, v: &'a (dyn ToSql + Sync), params: &mut Vec<&'a (dyn ToSql + Sync)>| {
        params.push(v);
        sql.replace('?', &format!("${}", params.len()))
    };
    let mut c = Vec::new();
    if let Some(v) = &f.person {
        c.push(add("a.actor_login = ?", v, params));
    }
    if let Some(v) = &f.patient_id {
        c.push(add("a.patient_id = ?", v, params));
    }
    if let Some(v) = &f.action {
        c.push(add("a.action = ?", v, params));
    }
    if let Some(v) = &f.table {
        c.push(add("a.table_name = ?", v, params));
    }
    // Clinic days, from the start of `from` to the end of `to`, in the clinic's time zone.
    if let Some(v) = &f.from {
        c.push(add(
            "a.at >= (?::date)::timestamp AT TIME ZONE clinic.clinic_time_zone()",
            v,
            params,
        ));
    }
    if let Some(v) = &f.to {
        c.push(add(
            "a.at < (?::date + 1)::timestamp AT TIME ZONE clinic.clinic_time_zone()",
            v,
            params,
        ));
    }
    c
}

fn where_clause(conditions: &[String]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

/// The SQL of a read of up to `limit` entries from `start` on, in the order `start` reads (newest
/// first for Newest and OlderThan, oldest first for the others), and its parameters.
fn page_query<'a>(
    filter: &'a AuditFilter,
    start: &'a Start,
    limit: &'a i64,
) -> (String, Vec<&'a (dyn ToSql + Sync)>) {
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    let mut c = conditions(filter, &mut params);
    let order = match start {
        Start::Newest => "DESC",
        Start::Oldest => "ASC",
        Start::OlderThan(cursor) | Start::NewerThan(cursor) => {
            params.push(&cursor.at);
            params.push(&cursor.id);
            let (op, order) = if matches!(start, Start::OlderThan(_)) {
                ("<", "DESC")
            } else {
                (">", "ASC")
            };
            c.push(format!(
                "(a.at, a.id) {op} (${}, ${})",
                params.len() - 1,
                params.len()
            ));
            order
        }
    };
    params.push(limit);
    let sql = format!(
        "SELECT a.id, a.at, a.actor_login, s.full_name, a.action, a.table_name, a.row_id,
                a.patient_id, p.patient_number, p.family_name || ', ' || p.given_names, a.detail,
                a.needs_review
           FROM (SELECT * FROM clinic.audit_log a {}
                  ORDER BY a.at {order}, a.id {order} LIMIT ${}) a
           LEFT JOIN clinic.staff s ON s.login = a.actor_login
           LEFT JOIN clinic.patients p ON p.id = a.patient_id
          ORDER BY a.at {order}, a.id {order}",
        where_clause(&c),
        params.len()
    );
    (sql, params)
}

/// Up to `limit` entries from `start` on (see [`page_query`]).
async fn read(
    client: &impl GenericClient,
    filter: &AuditFilter,
    start: Start,
    limit: i64,
) -> Result<Vec<AuditEntry>, DbError> {
    let (sql, params) = page_query(filter, &start, &limit);
    let rows = client.query(&sql, &params).await?;
    Ok(rows
        .iter()
        .map(|r| AuditEntry {
            id: r.get(0),
            at: r.get(1),
            actor_login: r.get(2),
            actor_name: r.get(3),
            action: r.get(4),
            table_name: r.get(5),
            row_id: r.get(6),
            patient_id: r.get(7),
            patient_number: r.get(8),
            patient_name: r.get(9),
            summary: summary(r.get::<_, Option<serde_json::Value>>(10).as_ref()),
            needs_review: r.get(11),
        })
        .collect())
}

/// A page of at most `limit` entries matching `filter`, newest first: the newest ones when
/// neither cursor is given; those just older than `after` (the next page: pass
/// [`Page::older`]); or those just newer than `before` (the previous page: pass
/// [`Page::newer`]); when fewer than a page are newer than `before`, the first page.
pub async fn audit_page(
    client: &impl GenericClient,
    filter: &AuditFilter,
    after: Option<Cursor>,
    before: Option<Cursor>,
    limit: i64,
) -> Result<Page, DbError> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(DbError::Invalid(format!(
            "a page holds 1 to {MAX_PAGE} entries"
        )));
    }
    match (after, before) {
        (Some(_), Some(_)) => Err(DbError::Invalid(
            "a page is read after one place or before one, not both".into(),
        )),
        (None, Some(before)) => {
            let mut entries = read(client, filter, Start::NewerThan(before), limit + 1).await?;
            if entries.len() as i64 <= limit {
                return Box::pin(audit_page(client, filter, None, None, limit)).await;
            }
            entries.truncate(limit as usize);
            entries.reverse();
            Ok(Page {
                entries,
                has_newer: true,
                has_older: true,
            })
        }
        (after, None) => {
            let from = after.map_or(Start::Newest, Start::OlderThan);
            let mut entries = read(client, filter, from, limit + 1).await?;
            let has_older = entries.len() as i64 > limit;
            entries.truncate(limit as usize);
            Ok(Page {
                entries,
                has_newer: after.is_some(),
                has_older,
            })
        }
    }
}

/// The plan of the query behind the next page after `after` (the first page when `None`), as
/// EXPLAIN prints it: the benchmark and the tests check that an index serves every filter.
pub async fn explain_page(
    client: &impl GenericClient,
    filter: &AuditFilter,
    after: Option<Cursor>,
    limit: i64,
) -> Result<String, DbError> {
    let start = after.map_or(Start::Newest, Start::OlderThan);
    let limit = limit + 1;
    let (sql, params) = page_query(filter, &start, &limit);
    let rows = client.query(&format!("EXPLAIN {sql}"), &params).await?;
    Ok(rows
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// How many entries match `filter`: counted up to [`COUNT_CAP`], past that the planner's
/// estimate (counting millions of rows for every page would cost more than the page).
pub async fn count(
    client: &impl GenericClient,
    filter: &AuditFilter,
) -> Result<EntryCount, DbError> {
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::new();
    let w = where_clause(&conditions(filter, &mut params));
    let counted: i64 = client
        .query_one(
            &format!(
                "SELECT count(*) FROM (SELECT FROM clinic.audit_log a {w} LIMIT {}) x",
                COUNT_CAP + 1
            ),
            &params,
        )
        .await?
        .get(0);
    if counted <= COUNT_CAP {
        return Ok(EntryCount::Exact(counted));
    }
    let plan: serde_json::Value = client
        .query_one(
            &format!("EXPLAIN (FORMAT JSON) SELECT FROM clinic.audit_log a {w}"),
            &params,
        )
        .await?
        .get(0);
    let estimate = plan[0]["Plan"]["Plan Rows"].as_f64().unwrap_or(0.0);
    // Never less than what was just counted.
    Ok(EntryCount::About((estimate as i64).max(counted)))
}

/// Every action and every table the trail names, for the filter's pickers: a skip scan over the
/// (action, ...) and (table_name, ...) indexes, one index probe per distinct value, however long
/// the log.
pub async fn pickers(client: &impl GenericClient) -> Result<Pickers, DbError> {
    let distinct = |column: &str| {
        format!(
            "WITH RECURSIVE v (x) AS (
               (SELECT a.{column} FROM clinic.audit_log a WHERE a.{column} IS NOT NULL
                 ORDER BY a.{column} LIMIT 1)
               UNION ALL
               SELECT (SELECT a.{column} FROM clinic.audit_log a WHERE a.{column} > v.x
                        ORDER BY a.{column} LIMIT 1)
                 FROM v WHERE v.x IS NOT NULL)
             SELECT x FROM v WHERE x IS NOT NULL"
        )
    };
    let strings = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get(0)).collect();
    Ok(Pickers {
        actions: strings(client.query(&distinct("action"), &[]).await?),
        tables: strings(client.query(&distinct("table_name"), &[]).await?),
    })
}

/// Seal what has finished, then check the whole chain as clinic.audit_verify() does, in chunks
/// of [`VERIFY_CHUNK`] positions, telling `progress(done, of)` after each; `of` is the chain's
/// length. The chunks read one snapshot (a read-only repeatable-read transaction, rolled back
/// if this is dropped), so entries sealed meanwhile do not make a break nobody made.
/// Administrators only.
pub async fn verify_chain(
    client: &mut tokio_postgres::Client,
    progress: &mut impl FnMut(u64, u64),
) -> Result<ChainCheck, DbError> {
    verify_chain_in_chunks(client, VERIFY_CHUNK, progress).await
}

/// [`verify_chain`] with chunks of `chunk` positions (tests use small ones).
pub async fn verify_chain_in_chunks(
    client: &mut tokio_postgres::Client,
    chunk: i64,
    progress: &mut impl FnMut(u64, u64),
) -> Result<ChainCheck, DbError> {
    let chunk = chunk.max(1);
    // A backlog is sealed in bounded steps of 10,000.
    for _ in 0..1_000 {
        let sealed: i64 = client
            .query_one("SELECT clinic.audit_seal()", &[])
            .await?
            .get(0);
        if sealed < 10_000 {
            break;
        }
    }
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let (mut from, mut checked) = (1i64, 0i64);
    let broken_at: Option<i64> = loop {
        let r = tx
            .query_one(
                "SELECT broken_at, checked, head_seq, next_seq
                   FROM clinic.audit_verify_range($1, $2)",
                &[&from, &from.saturating_add(chunk - 1)],
            )
            .await?;
        checked += r.get::<_, i64>(1);
        let head: i64 = r.get(2);
        progress(
            u64::try_from(checked).unwrap_or(0),
            u64::try_from(head.max(checked)).unwrap_or(0),
        );
        match (r.get::<_, Option<i64>>(0), r.get::<_, Option<i64>>(3)) {
            (None, Some(next)) => from = next,
            (broken, _) => break broken,
        }
    };
    let broken = match broken_at {
        None => None,
        Some(id) => {
            let row = tx
                .query_opt(
                    "SELECT seq, at, actor_login FROM clinic.audit_log WHERE id = $1",
                    &[&id],
                )
                .await?;
            Some(ChainBreak {
                id,
                seq: row.as_ref().and_then(|r| r.get(0)),
                at: row.as_ref().map(|r| r.get(1)),
                actor_login: row.as_ref().map(|r| r.get(2)),
            })
        }
    };
    let newest: Option<DateTime<Utc>> = tx
        .query_opt(
            "SELECT at FROM clinic.audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await?
        .map(|r| r.get(0));
    let unsealed: i64 = tx
        .query_one(
            "SELECT count(*) FROM clinic.audit_log WHERE seq IS NULL",
            &[],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(ChainCheck {
        checked,
        broken,
        newest_sealed_at: newest,
        unsealed,
    })
}

/// The entries matching `filter` as CSV (RFC 4180, CRLF; [`CSV_HEADER`]), oldest first, read
/// in keyset batches so memory stays flat however long the range; `progress(done, of)` after
/// each batch (`of` from [`count`], so an estimate past its cap). The number of entries written.
pub async fn export_csv(
    client: &impl GenericClient,
    filter: &AuditFilter,
    writer: impl Write,
    progress: &mut impl FnMut(u64, u64),
) -> Result<u64, ExportError> {
    const BATCH: i64 = 2_000;
    let of = match count(client, filter).await? {
        EntryCount::Exact(n) | EntryCount::About(n) => u64::try_from(n).unwrap_or(0),
    };
    let mut out = csv_writer(writer);
    out.write_record(CSV_HEADER)?;
    let (mut from, mut done) = (Start::Oldest, 0u64);
    loop {
        let batch = read(client, filter, from, BATCH).await?;
        for e in &batch {
            out.write_record(csv_fields(e))?;
        }
        done += batch.len() as u64;
        progress(done, of.max(done));
        match batch.last() {
            Some(last) if batch.len() as i64 == BATCH => from = Start::NewerThan(last.cursor()),
            _ => break,
        }
    }
    out.flush().map_err(csv::Error::from)?;
    // The export itself goes into the trail: who took how many entries (and of which patient).
    client
        .execute(
            "SELECT clinic.note_audit_export($1, $2)",
            &[&i64::try_from(done).unwrap_or(i64::MAX), &filter.patient_id],
        )
        .await
        .map_err(DbError::from)?;
    Ok(done)
}

/// The patient's internal id for their patient number (for `clinic audit export --patient`).
pub async fn patient_id_by_number(
    client: &impl GenericClient,
    patient_number: i64,
) -> Result<Option<i64>, DbError> {
    Ok(client
        .query_opt(
            "SELECT id FROM clinic.patients WHERE patient_number = $1",
            &[&patient_number],
        )
        .await?
        .map(|r| r.get(0)))
}
