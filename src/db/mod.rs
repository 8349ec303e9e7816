//! Typed queries per area over the pool: the only Rust that speaks SQL. The schema, roles, policies
//! and functions themselves live in sql/.

pub mod appointments;
pub mod audit;
pub mod audit_trail;
pub mod availability;
pub mod backup;
pub mod billing;
pub mod billing_reports;
pub mod clinic_settings;
pub mod conn;
pub mod error;
pub mod icd10;
pub mod listen;
pub mod migrate;
pub mod patients;
pub mod permissions;
pub mod plan;
pub mod pool;
pub mod reconcile;
pub mod records;
pub mod reports;
pub mod reports_books;
pub mod reports_mine;
pub mod staff;
pub mod tls;

pub use error::DbError;
pub use pool::{connect_as, login, Session};
