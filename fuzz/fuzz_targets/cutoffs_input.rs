#![no_main]
//! Fuzz target: see `tests/support/invariants.rs` for what is asserted.

#[path = "../../tests/support/invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| invariants::cutoffs_input(data));
