//! stepcare: scoring of perinatal and infant mental-health screening
//! instruments, stepped-care recommendations and cutoff validation.
//!
//! The library holds the domain model and never prints; the `stepcare`
//! binary owns the terminal.
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![warn(missing_docs)]

pub mod accuracy;
pub mod batch;
pub mod catalog;
pub mod diagnostic;
pub mod followup;
pub mod instrument;
pub mod interop;
pub mod lang;
pub mod national_id;
pub mod rules;
pub mod saved_rows;
pub mod schemas;
pub mod scoring;
pub mod session;
pub mod sheet;
pub mod texts;
pub mod verify;
pub mod visit_record;
pub mod yaml;
