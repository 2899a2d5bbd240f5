//! The fuzz targets' invariants (`tests/support/invariants.rs`) as proptest
//! properties, so that `cargo test` checks them on every change; `fuzz/`
//! runs the same checks under libFuzzer for hours.

#[path = "support/invariants.rs"]
mod invariants;

use proptest::prelude::*;

fn seed(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn well_formed_exports_keep_every_row_and_every_urgent_flag(
        data in proptest::collection::vec(any::<u8>(), 0..600)
    ) {
        invariants::batch_structured(&data);
    }

    #[test]
    fn any_bytes_after_a_header_are_scored_or_refused(
        data in proptest::collection::vec(any::<u8>(), 0..400)
    ) {
        invariants::batch_raw(&data);
    }

    #[test]
    fn any_cutoffs_input_is_read_or_refused(
        data in proptest::collection::vec(any::<u8>(), 0..400)
    ) {
        let mut input = b"epds_total;interview\n".to_vec();
        input.extend_from_slice(&data);
        invariants::cutoffs_input(&input);
    }

    #[test]
    fn a_visit_raises_the_urgent_flag_on_every_endorsed_item_10(
        data in proptest::collection::vec(any::<u8>(), 0..300)
    ) {
        invariants::visit_session(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_damaged_instrument_is_loaded_or_refused_with_an_error(
        at in 0usize..5000, byte in any::<u8>(), cut in any::<bool>()
    ) {
        let mut text = seed("instruments/epds.yaml");
        let at = at % text.len();
        if cut { text.truncate(at) } else { text[at] = byte }
        invariants::instrument_yaml(&text);
    }

    #[test]
    fn a_damaged_rule_table_is_loaded_or_refused_with_an_error(
        at in 0usize..20000, byte in any::<u8>(), cut in any::<bool>()
    ) {
        let mut text = seed("tests/fixtures/rules/base.yaml");
        let at = at % text.len();
        if cut { text.truncate(at) } else { text[at] = byte }
        invariants::rule_table(&text);
    }
}

#[test]
fn the_seeds_hold_the_invariants() {
    // The last: a crash the fuzzer found (a duplicate key reported in the YAML library's words).
    for path in [
        "instruments/epds.yaml",
        "instruments/phq9.yaml",
        "instruments/se-demo.yaml",
        "tests/fixtures/fuzz/instrument-duplicate-key.yaml",
    ] {
        invariants::instrument_yaml(&seed(path));
    }
    for path in [
        "instruments/rules/no-default.yaml",
        "tests/fixtures/rules/base.yaml",
    ] {
        invariants::rule_table(&seed(path));
    }
    invariants::cutoffs_input(&seed("examples/cutoffs.csv"));
    let epds = seed("examples/epds.csv");
    let header_end = epds.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut raw = vec![0u8];
    raw.extend_from_slice(&epds[header_end..]);
    invariants::batch_raw(&raw);
}
