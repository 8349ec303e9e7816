//! Medical records, as doctors write them: for now the ICD-10-CM list that diagnoses are coded
//! from, loaded by the migrations, and its as-you-type search, through real logins.

#[path = "../support/mod.rs"]
mod support;

mod icd10;
