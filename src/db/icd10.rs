//! ICD-10-CM: finding a code as the doctor types (the list and its indexes: sql/0012).
//!
//! Routed by the shape of the input ([`Icd10Query::parse`]). A code's start finds the code itself
//! if it is one (by the primary key), then for each (billable, length) the codes starting with it
//! (a range of `icd10cm_code_key`), a screenful kept from each: billable codes first, shorter and
//! more general ones before longer ones, so "E11" shows E11, then E11.8 and E11.9, then E11.00 and
//! on. Each range is read in index order and stops at a screenful, so "S5" costs about what
//! "S52.5" does.
//!
//! Words go through one statement: each typed word must start a word of the description, case
//! and accents aside (`clinic.icd10_query`). When the words are selective the planner reads the
//! GIN index over the descriptions' words and sorts the few matches; when they are not ("s",
//! "left r") it walks `icd10cm_ranked` in ranked order and stops at a screenful. Either way the
//! order is the same: billable first, then descriptions of fewer words, then shorter ones (the
//! general code before its variants), then the code. The planner assumes the matches are spread
//! evenly along the ranking; for several words they tend to be long descriptions, late in it, so
//! now and then it walks further than the GIN lookup would have cost (docs/benchmarks.md).
//!
//! A code-shaped input that starts no code ("b12") is looked up as a word too: vitamin B12.

use serde_json::Value;
use tokio_postgres::types::Type;
use tokio_postgres::Row;

use crate::db::plan::Db;
use crate::db::DbError;
use crate::domain::diagnosis::{Icd10Code, Icd10Query};

/// The longest code without its dot (S72.001A).
const MAX_CODE_LEN: usize = 7;

/// Find codes by what was typed, best first, at most `limit` (1 to 200).
pub async fn search(
    client: &impl crate::db::conn::Conn,
    query: &Icd10Query,
    limit: i64,
) -> Result<Vec<Icd10Code>, DbError> {
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

/// The plans (EXPLAIN (FORMAT JSON)) of every statement `search` may run for `query`, the word
/// lookup a code-shaped input falls back to included; for the tests and the benchmark.
pub async fn explain_search(
    client: &impl crate::db::conn::Conn,
    query: &Icd10Query,
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

async fn search_in(
    db: &mut Db<'_>,
    query: &Icd10Query,
    limit: i64,
) -> Result<Vec<Icd10Code>, DbError> {
    let limit = limit.clamp(1, 200);
    match query {
        Icd10Query::Empty => Ok(Vec::new()),
        Icd10Query::Code(key) => {
            let hits = by_code(db, key, limit).await?;
            if hits.is_empty() {
                by_words(db, &key.to_lowercase(), limit).await
            } else {
                Ok(hits)
            }
        }
        Icd10Query::Words(words) => by_words(db, &words.join(" "), limit).await,
    }
}

fn code(row: &Row) -> Result<Icd10Code, DbError> {
    let other = |e: tokio_postgres::Error| DbError::Other(e.to_string());
    Ok(Icd10Code {
        code: row.try_get(0).map_err(other)?,
        description: row.try_get(1).map_err(other)?,
        chapter: row.try_get(2).map_err(other)?,
        billable: row.try_get(3).map_err(other)?,
    })
}

/// `$1` is the code typed (upper case, no dot), `$2` the limit, `$3` the code as printed. Tier 0
/// is the code itself, by its primary key; then one tier per (billable, length), billable first,
/// each a range of `icd10cm_code_key`, a screenful at most.
fn code_sql(typed_len: usize) -> String {
    let tiers: Vec<String> = [true, false]
        .iter()
        .flat_map(|billable| (typed_len + 1..=MAX_CODE_LEN).map(move |len| (billable, len)))
        .enumerate()
        .map(|(i, (billable, len))| format!("({}, {billable}, {len})", i + 1))
        .collect();
    let longer = if tiers.is_empty() {
        String::new()
    } else {
        // '~' sorts after every letter and digit in byte order: the range is the codes starting
        // with $1. Each range is ordered by the index's whole key, though two parts of it are
        // fixed, so the planner sees that the index already gives that order and reads a
        // screenful in it; ordered by the code alone it fetched and sorted the whole range (the
        // 2,500 codes under "S52": 4 to 12 ms instead of under 1).
        format!(
            "UNION ALL
             (SELECT m.code, m.description, m.chapter, m.billable, t.tier, m.code_key
                FROM (VALUES {}) AS t(tier, billable, len)
                CROSS JOIN LATERAL (
                  SELECT c.code, c.description, c.chapter, c.billable, c.code_key FROM clinic.icd10cm c
                   WHERE c.billable = t.billable AND pg_catalog.length(c.code_key) = t.len
                     AND c.code_key > $1 AND c.code_key < $1 || '~'
                   ORDER BY c.billable, pg_catalog.length(c.code_key), c.code_key LIMIT $2) m)",
            tiers.join(", ")
        )
    };
    format!(
        "SELECT h.code, h.description, h.chapter, h.billable FROM (
           (SELECT c.code, c.description, c.chapter, c.billable, 0 AS tier, c.code_key
              FROM clinic.icd10cm c WHERE c.code = $3)
           {longer}) h
          ORDER BY h.tier, h.code_key LIMIT $2"
    )
}

/// A code as printed: the dot after the category's three characters.
fn printed(key: &str) -> String {
    match key.get(3..) {
        Some(rest) if !rest.is_empty() => format!("{}.{rest}", &key[..3]),
        _ => key.to_string(),
    }
}

async fn by_code(db: &mut Db<'_>, key: &str, limit: i64) -> Result<Vec<Icd10Code>, DbError> {
    let printed = printed(key);
    let rows = db
        .rows(
            &code_sql(key.len()),
            &[
                (&key, Type::TEXT),
                (&limit, Type::INT8),
                (&printed, Type::TEXT),
            ],
        )
        .await?;
    rows.iter().map(code).collect()
}

/// Typed words, ranked as `icd10cm_ranked` is ordered, so its plan can read the index in order.
const WORDS_SQL: &str = "SELECT c.code, c.description, c.chapter, c.billable
   FROM clinic.icd10cm c
  WHERE c.words @@ clinic.icd10_query($1)
  ORDER BY NOT c.billable, pg_catalog.length(c.words), pg_catalog.length(c.description), c.code_key
  LIMIT $2";

async fn by_words(db: &mut Db<'_>, typed: &str, limit: i64) -> Result<Vec<Icd10Code>, DbError> {
    let rows = db
        .rows(WORDS_SQL, &[(&typed, Type::TEXT), (&limit, Type::INT8)])
        .await?;
    rows.iter().map(code).collect()
}

#[cfg(test)]
mod tests {
    use super::printed;

    #[test]
    fn a_code_is_printed_with_its_dot_after_the_category() {
        assert_eq!(printed("E11"), "E11");
        assert_eq!(printed("E119"), "E11.9");
        assert_eq!(printed("S72001A"), "S72.001A");
        assert_eq!(printed("E1"), "E1");
    }
}
