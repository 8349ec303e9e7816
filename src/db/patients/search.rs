//! Finding patients as the desk types, and the likely-duplicate check before a registration.
//!
//! Each shape of input has its own index (design.md, "Patient search"; sql/0002 and sql/0007):
//! a name is a surname prefix read in ranked order from `patients_family_name`, with the other
//! words checked inside that index; only when that finds less than a screenful are typos looked up
//! in the small `patient_name_words` dictionary and the near words tried as exact surnames. A date
//! of birth, a patient number, a phone number's tail and an email's beginning are each one index
//! range. Every query stays a few index pages at a million patients (docs/benchmarks.md).
//!
//! Queries run as the caller's own login, so row-level security applies: a doctor sees only their
//! own next appointment, and the accountant reads only columns granted to them.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::Row;

use crate::db::conn::Conn;

use super::names;
pub use crate::db::plan::sequential_scans;
use crate::db::plan::Db;
use crate::db::DbError;
use crate::domain::patient::{
    Born, DuplicateCandidate, NextAppointment, PatientHit, SearchQuery, ValidPatient,
};

/// Most words of a name the lookup uses; the rest would only narrow an already short list.
const MAX_WORDS: usize = 4;
/// Phone tails shorter than this match too many numbers to be a lookup.
const MIN_PHONE_TAIL: usize = 4;
/// A phone is compared on its last nine digits, so "07700 900123" and "+44 7700 900123" meet.
const PHONE_TAIL: usize = 9;

/// The columns of a hit, selected from `p` (patients) and `na` (the next appointment). Only
/// columns the accountant may read too, so one query serves every role.
pub(super) const HIT_COLS: &str =
    "p.id, p.patient_number, p.family_name, p.given_names, p.date_of_birth, p.phone, p.email, \
     na.starts_at, na.doctor";

/// The patient's next appointment still to come. Appointments last at most eight hours (0003), so
/// looking back that far keeps it an index range on (patient_id, starts_at).
pub(super) const NEXT_APPOINTMENT: &str = "LEFT JOIN LATERAL (
       SELECT a.starts_at, s.full_name AS doctor
         FROM clinic.appointments a JOIN clinic.staff s ON s.id = a.doctor_id
        WHERE a.patient_id = p.id AND a.starts_at > now() - interval '8 hours' AND a.ends_at > now()
          AND a.status IN ('scheduled', 'checked_in', 'in_progress')
        ORDER BY a.starts_at LIMIT 1) na ON true";

/// The upper bound of a prefix range in byte order (text_pattern_ops): the prefix followed by the
/// highest code point sorts after every string that starts with the prefix. Written as a range
/// rather than LIKE so the index is used however the statement is planned.
pub(super) const TOP: &str = "U&'\\+10FFFF'";

/// Find patients by what was typed, best first, at most `limit`.
pub async fn search(
    client: &impl Conn,
    query: &SearchQuery,
    limit: i64,
) -> Result<Vec<PatientHit>, DbError> {
    search_in(
        &mut Db {
            client,
            plans: None,
        },
        query,
        limit,
    )
    .await
}

/// The plans (EXPLAIN (FORMAT JSON)) of every statement `search` would run for `query`, the
/// typo-tolerant one included; for the tests and the benchmark that check no form reads the whole
/// table.
pub async fn explain_search(
    client: &impl Conn,
    query: &SearchQuery,
    limit: i64,
) -> Result<Vec<Value>, DbError> {
    let mut plans = Vec::new();
    search_in(
        &mut Db {
            client,
            plans: Some(&mut plans),
        },
        query,
        limit,
    )
    .await?;
    Ok(plans)
}

/// The plan of the duplicate check's statement.
pub async fn explain_duplicates(
    client: &impl Conn,
    p: &ValidPatient,
    exclude: Option<i64>,
) -> Result<Vec<Value>, DbError> {
    let mut plans = Vec::new();
    duplicates_in(
        &mut Db {
            client,
            plans: Some(&mut plans),
        },
        p,
        exclude,
    )
    .await?;
    Ok(plans)
}

async fn search_in(
    db: &mut Db<'_>,
    query: &SearchQuery,
    limit: i64,
) -> Result<Vec<PatientHit>, DbError> {
    let limit = limit.clamp(1, 200);
    match query {
        SearchQuery::Empty => Ok(Vec::new()),
        SearchQuery::Date(dob) => by_date_of_birth(db, *dob, limit).await,
        SearchQuery::Digits(digits) => by_digits(db, digits, limit).await,
        SearchQuery::Email(prefix) => by_email(db, prefix, limit).await,
        SearchQuery::Name(words) => by_name(db, words, None, limit).await,
        SearchQuery::NameBorn(words, born) => by_name(db, words, Some(*born), limit).await,
    }
}

fn hit(row: &Row, similar: bool) -> Result<PatientHit, DbError> {
    let starts_at: Option<DateTime<Utc>> = row.try_get(7).map_err(other)?;
    let doctor: Option<String> = row.try_get(8).map_err(other)?;
    Ok(PatientHit {
        id: row.try_get(0).map_err(other)?,
        patient_number: row.try_get(1).map_err(other)?,
        family_name: row.try_get(2).map_err(other)?,
        given_names: row.try_get(3).map_err(other)?,
        date_of_birth: row.try_get(4).map_err(other)?,
        phone: row.try_get(5).map_err(other)?,
        email: row.try_get(6).map_err(other)?,
        next_appointment: starts_at
            .zip(doctor)
            .map(|(starts_at, doctor)| NextAppointment { starts_at, doctor }),
        similar,
    })
}

pub(super) fn other(e: tokio_postgres::Error) -> DbError {
    DbError::Other(e.to_string())
}

async fn by_date_of_birth(
    db: &mut Db<'_>,
    dob: NaiveDate,
    limit: i64,
) -> Result<Vec<PatientHit>, DbError> {
    let sql = format!(
        "SELECT {HIT_COLS} FROM clinic.patients p {NEXT_APPOINTMENT}
          WHERE p.date_of_birth = $1
          ORDER BY p.family_folded USING ~<~, p.name_folded USING ~<~, p.id LIMIT $2"
    );
    let rows = db
        .rows(&sql, &[(&dob, Type::DATE), (&limit, Type::INT8)])
        .await?;
    rows.iter().map(|r| hit(r, false)).collect()
}

/// A patient number is matched exactly; a phone number by its tail (the last digits, whatever was
/// typed before them), read from the reversed-digits index.
async fn by_digits(db: &mut Db<'_>, digits: &str, limit: i64) -> Result<Vec<PatientHit>, DbError> {
    let number: Option<i64> = digits.parse().ok();
    let tail = (digits.len() >= MIN_PHONE_TAIL)
        .then(|| digits[digits.len().saturating_sub(PHONE_TAIL)..].to_string());
    // Tier 0: the patient number; 1: the phone ends with everything typed; 2: only its last nine.
    let sql = format!(
        "WITH hits AS (
           (SELECT p.id, 0 AS tier FROM clinic.patients p WHERE p.patient_number = $1)
           UNION ALL
           (SELECT p.id, CASE WHEN pg_catalog.right(p.phone_digits, pg_catalog.length($3)) = $3 THEN 1 ELSE 2 END
              FROM clinic.patients p
             WHERE pg_catalog.reverse(p.phone_digits) ~>=~ pg_catalog.reverse($2)
               AND pg_catalog.reverse(p.phone_digits) ~<~ (pg_catalog.reverse($2) || {TOP})
             ORDER BY pg_catalog.reverse(p.phone_digits) USING ~<~
             LIMIT $4)
         ), best AS (SELECT id, min(tier) AS tier FROM hits GROUP BY id)
         SELECT {HIT_COLS} FROM best h JOIN clinic.patients p ON p.id = h.id {NEXT_APPOINTMENT}
          ORDER BY h.tier, p.family_folded USING ~<~, p.name_folded USING ~<~, p.id
          LIMIT $4"
    );
    let rows = db
        .rows(
            &sql,
            &[
                (&number, Type::INT8),
                (&tail, Type::TEXT),
                (&digits, Type::TEXT),
                (&limit, Type::INT8),
            ],
        )
        .await?;
    rows.iter().map(|r| hit(r, false)).collect()
}

async fn by_email(db: &mut Db<'_>, prefix: &str, limit: i64) -> Result<Vec<PatientHit>, DbError> {
    let sql = format!(
        "SELECT {HIT_COLS} FROM clinic.patients p {NEXT_APPOINTMENT}
          WHERE pg_catalog.lower(p.email) ~>=~ pg_catalog.lower($1)
            AND pg_catalog.lower(p.email) ~<~ (pg_catalog.lower($1) || {TOP})
          ORDER BY pg_catalog.lower(p.email) USING ~<~, p.id
          LIMIT $2"
    );
    let rows = db
        .rows(&sql, &[(&prefix, Type::TEXT), (&limit, Type::INT8)])
        .await?;
    rows.iter().map(|r| hit(r, false)).collect()
}

async fn by_name(
    db: &mut Db<'_>,
    words: &[String],
    born: Option<Born>,
    limit: i64,
) -> Result<Vec<PatientHit>, DbError> {
    // LIKE's wildcards never occur in a name; dropping them keeps every pattern literal.
    let words: Vec<String> = words
        .iter()
        .map(|w| {
            w.chars()
                .filter(|c| !matches!(c, '%' | '_' | '\\'))
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(MAX_WORDS)
        .collect();
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let n = words.len();
    let mut params: Vec<(&(dyn ToSql + Sync), Type)> = words
        .iter()
        .map(|w| (w as &(dyn ToSql + Sync), Type::TEXT))
        .collect();
    params.push((&limit, Type::INT8));
    let range = born.map(|b| (b.from, b.to));
    if let Some((from, to)) = &range {
        params.push((from, Type::DATE));
        params.push((to, Type::DATE));
    }
    let born = born.is_some();
    let rows = db.rows(&names::exact_sql(n, born), &params).await?;
    let mut hits = rows
        .iter()
        .map(|r| hit(r, false))
        .collect::<Result<Vec<_>, _>>()?;
    // Each further statement only when what was found is less than a screenful: longer surnames
    // (from two words on; with one, the first statement read them), then typos.
    let statements = [
        (n > 1).then(|| (names::longer_sql(n, born), false)),
        Some((names::similar_sql(n, born), true)),
    ];
    for (sql, similar) in statements.into_iter().flatten() {
        let wanted = limit - i64::try_from(hits.len()).unwrap_or(limit);
        if wanted <= 0 {
            break;
        }
        let seen: Vec<i64> = hits.iter().map(|h| h.id).collect();
        let mut params: Vec<(&(dyn ToSql + Sync), Type)> = words
            .iter()
            .map(|w| (w as &(dyn ToSql + Sync), Type::TEXT))
            .collect();
        params.push((&wanted, Type::INT8));
        params.push((&seen, Type::INT8_ARRAY));
        if let Some((from, to)) = &range {
            params.push((from, Type::DATE));
            params.push((to, Type::DATE));
        }
        for r in &db.rows(&sql, &params).await? {
            hits.push(hit(r, similar)?);
        }
    }
    Ok(hits)
}

/// Patients who may be the same person as `p`, likeliest first: the same folded name and date of
/// birth; a similar name (any word order, a typo) and the same date of birth; a similar name and
/// the same phone number (on its last nine digits); the same email. Each test is one index lookup
/// (date of birth, reversed phone digits, lower(email)); the name is compared only on those few.
/// `exclude` is the patient being edited, who is not their own duplicate.
pub async fn duplicates(
    client: &impl Conn,
    p: &ValidPatient,
    exclude: Option<i64>,
) -> Result<Vec<DuplicateCandidate>, DbError> {
    duplicates_in(
        &mut Db {
            client,
            plans: None,
        },
        p,
        exclude,
    )
    .await
}

async fn duplicates_in(
    db: &mut Db<'_>,
    p: &ValidPatient,
    exclude: Option<i64>,
) -> Result<Vec<DuplicateCandidate>, DbError> {
    let phone_tail: Option<String> = p.phone.as_deref().and_then(|phone| {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        (digits.len() >= 6).then(|| digits[digits.len().saturating_sub(PHONE_TAIL)..].to_string())
    });
    let sql = format!(
        "WITH me AS (SELECT clinic.fold($2 || ' ' || $1) AS name),
         cand AS (
           SELECT p.id, CASE WHEN p.name_folded = me.name THEN 1.0 ELSE 0.6 + 0.3 * ext.similarity(p.name_folded, me.name) END AS score,
                  CASE WHEN p.name_folded = me.name THEN 'same name and date of birth'
                       ELSE 'similar name and same date of birth' END AS reason
             FROM clinic.patients p, me
            WHERE p.date_of_birth = $3 AND (p.name_folded = me.name OR ext.similarity(p.name_folded, me.name) >= 0.35)
           UNION ALL
           SELECT p.id, 0.5 + 0.3 * ext.similarity(p.name_folded, me.name), 'similar name and same phone number'
             FROM clinic.patients p, me
            WHERE $4::text IS NOT NULL
              AND pg_catalog.reverse(p.phone_digits) ~>=~ pg_catalog.reverse($4)
              AND pg_catalog.reverse(p.phone_digits) ~<~ (pg_catalog.reverse($4) || {TOP})
              AND ext.similarity(p.name_folded, me.name) >= 0.5
           UNION ALL
           SELECT p.id, 0.4 + 0.3 * ext.similarity(p.name_folded, me.name), 'same email address'
             FROM clinic.patients p, me
            WHERE $5::text IS NOT NULL AND pg_catalog.lower(p.email) = pg_catalog.lower($5)
         ),
         best AS (
           SELECT id, max(score) AS score, pg_catalog.string_agg(reason, '; ' ORDER BY score DESC) AS reason
             FROM cand WHERE $6::int8 IS NULL OR id <> $6 GROUP BY id
         )
         SELECT {HIT_COLS}, h.reason, h.score::float8
           FROM best h JOIN clinic.patients p ON p.id = h.id {NEXT_APPOINTMENT}
          ORDER BY h.score DESC, p.id
          LIMIT 10"
    );
    let rows = db
        .rows(
            &sql,
            &[
                (&p.family_name, Type::TEXT),
                (&p.given_names, Type::TEXT),
                (&p.date_of_birth, Type::DATE),
                (&phone_tail, Type::TEXT),
                (&p.email, Type::TEXT),
                (&exclude, Type::INT8),
            ],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DuplicateCandidate {
                patient: hit(r, false)?,
                reason: r.try_get(9).map_err(other)?,
                score: r.try_get(10).map_err(other)?,
            })
        })
        .collect()
}
