//! Reference data: the ICD-10-CM list and its chapters. Every job reads it; only the owner's
//! migrations write it.

use super::{cell, run_matrix, Cell, ALL, NONE};
use crate::common::World;

/// The rows of [`matrix_reference`].
pub fn rows(_w: &World) -> Vec<Cell> {
    vec![
        cell("SELECT * FROM clinic.icd10cm WHERE code = 'E11.9'", ALL),
        cell(
            "INSERT INTO clinic.icd10cm (code, description, chapter, billable, words)
             VALUES ('E11.99', 'Made up', 4, true, 'made up')",
            NONE,
        ),
        cell(
            "UPDATE clinic.icd10cm SET description = 'Changed' WHERE code = 'E11.9'",
            NONE,
        ),
        cell("DELETE FROM clinic.icd10cm WHERE code = 'E11.9'", NONE),
        cell("TRUNCATE clinic.icd10cm", NONE),
        cell("SELECT * FROM clinic.icd10cm_chapters", ALL),
        cell(
            "INSERT INTO clinic.icd10cm_chapters VALUES (23, 'X00', 'X99', 'Made up')",
            NONE,
        ),
        cell("UPDATE clinic.icd10cm_chapters SET title = 'Changed'", NONE),
        cell("DELETE FROM clinic.icd10cm_chapters", NONE),
        cell("TRUNCATE clinic.icd10cm_chapters", NONE),
        cell(
            "SELECT code FROM clinic.icd10cm WHERE words @@ clinic.icd10_query('type 2 diab')",
            ALL,
        ),
    ]
}

#[tokio::test]
async fn matrix_reference() {
    let w = World::new().await;
    run_matrix(&w, &rows(&w)).await;
}
