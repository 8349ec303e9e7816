//! The matrix: each cell a statement run by every job's real login, in a transaction rolled back,
//! and a check against the catalog that every table has cells for every operation.

mod appointments;
mod audit_log_and_views;
mod billing;
mod clinical;
mod reference;
mod staff_and_patients;

use crate::common::{strings, try_sql, why, Allowed, Denied, Expect, World, JOBS};

/// One row of the matrix: a statement and what each job (admin, doctor, receptionist, accountant)
/// should get from it.
pub struct Cell {
    sql: String,
    expect: [Expect; 4],
}

pub fn cell(sql: impl Into<String>, expect: [Expect; 4]) -> Cell {
    Cell {
        sql: sql.into(),
        expect,
    }
}

/// Run every row for every job; report all mismatches at once.
pub async fn run_matrix(w: &World, rows: &[Cell]) {
    let clients = w.clients().await;
    let mut failures = Vec::new();
    for row in rows {
        for (i, job) in JOBS.iter().enumerate() {
            let got = try_sql(&clients[i], &row.sql).await;
            if !got.matches(row.expect[i]) {
                failures.push(format!(
                    "{job}: expected {:?}, got {got:?} {}\n    {}",
                    row.expect[i],
                    why(&clients[i], &row.sql).await,
                    one_line(&row.sql)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cells wrong:\n{}",
        failures.len(),
        rows.len() * JOBS.len(),
        failures.join("\n")
    );
}

fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

//                                         admin    doctor    reception  accountant
pub const ALL: [Expect; 4] = [Allowed, Allowed, Allowed, Allowed];
pub const NONE: [Expect; 4] = [Denied, Denied, Denied, Denied];

/// Every matrix test's rows, so the coverage check sees what the matrix tests run.
const GROUPS: [fn(&World) -> Vec<Cell>; 6] = [
    staff_and_patients::rows,
    appointments::rows,
    clinical::rows,
    billing::rows,
    audit_log_and_views::rows,
    reference::rows,
];

/// Each operation and how a statement names the table it runs on. A TRUNCATE cell does not stand in
/// for DELETE: every table has a DELETE cell, and truncate_on_every_clinic_table_is_refused covers
/// TRUNCATE on every table.
const OPERATIONS: [(&str, &str); 4] = [
    ("SELECT", "FROM"),
    ("INSERT", "INSERT INTO"),
    ("UPDATE", "UPDATE"),
    ("DELETE", "DELETE FROM"),
];

/// Whether `sql` (on one line) is a statement of operation `op` on `clinic.<table>`.
fn exercises(sql: &str, (op, names_target): (&str, &str), table: &str) -> bool {
    let target = format!("{names_target} clinic.{table}");
    sql.starts_with(op)
        && sql.match_indices(&target).any(|(at, _)| {
            !sql[at + target.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// The catalog, not the matrix, decides which tables there are: a table added by a migration
/// without cells for it fails here, naming the table and operation.
#[tokio::test]
async fn matrix_covers_every_table_and_operation() {
    let w = World::new().await;
    let statements: Vec<String> = GROUPS
        .iter()
        .flat_map(|rows| rows(&w))
        .map(|c| one_line(&c.sql))
        .collect();
    // The migrations' own bookkeeping lives in clinic_meta, so every table here is the clinic's.
    let tables = strings(
        &w.su().await,
        "SELECT c.relname::text FROM pg_class c
          WHERE c.relnamespace = 'clinic'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .await;
    assert!(tables.len() >= 10, "{tables:?}");
    let mut missing = Vec::new();
    for table in &tables {
        for operation in OPERATIONS {
            if !statements
                .iter()
                .any(|sql| exercises(sql, operation, table))
            {
                missing.push(format!("{} on clinic.{table}", operation.0));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no matrix cell for {} of {} table operations:\n{}",
        missing.len(),
        tables.len() * OPERATIONS.len(),
        missing.join("\n")
    );
}
