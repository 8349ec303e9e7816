//! Typed queries per area over the pool: the only Rust that speaks SQL. The schema, roles, policies
//! and functions themselves live in sql/.

pub mod error;
pub mod migrate;
pub mod pool;
pub mod staff;
pub mod tls;

pub use error::DbError;
pub use pool::{connect_as, login, LoginError, Session};
