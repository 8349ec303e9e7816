//! The clinic's types and rules. Pure: no IO, and nothing else of ours is imported here.

pub mod appointment;
pub mod audit;
pub mod audit_trail;
pub mod dates;
pub mod diagnosis;
pub mod invoice;
pub mod live;
pub mod money;
pub mod patient;
pub mod permissions;
pub mod receivables;
pub mod record;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod staff;
pub mod statement;
pub mod stored;
pub mod text;
