//! clinic: a keyboard-first terminal application for a small clinic.
#![forbid(unsafe_code)]

pub mod app;
pub mod backup;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod effects;
pub mod report;
pub mod tui;
pub mod ui;
