//! The clinic's types and rules. Pure: no IO, and nothing else of ours is imported here.

pub mod staff;
