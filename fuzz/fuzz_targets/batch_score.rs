#![no_main]
//! Fuzz target: the batch scorer on well-formed exports built from the bytes
//! (every value mode, both encodings, with and without a rule table) and on
//! raw bytes after a header. See `tests/support/invariants.rs`.

#[path = "../../tests/support/invariants.rs"]
mod invariants;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The first byte's top bit picks structured or raw input.
    match data.split_first() {
        Some((first, rest)) if first & 0x80 != 0 => invariants::batch_raw(rest),
        Some((_, rest)) => invariants::batch_structured(rest),
        None => {}
    }
});
