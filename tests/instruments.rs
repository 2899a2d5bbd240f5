//! Every shipped instrument loads cleanly and passes its known-answer examples.

use stepcare::catalog::{BUILTIN, Catalog};
use stepcare::instrument::load_instrument;
use stepcare::verify::verify;

#[test]
fn every_shipped_definition_loads_without_problems() {
    for (name, text) in BUILTIN {
        let (instrument, diagnostics) = load_instrument(name, text);
        assert!(diagnostics.is_empty(), "{name}: {diagnostics:#?}");
        assert!(instrument.is_some());
    }
}

#[test]
fn every_yaml_file_in_instruments_is_shipped() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/instruments");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(
                BUILTIN.iter().any(|(n, _)| *n == name),
                "{name} is in instruments/ but not in catalog::BUILTIN"
            );
        }
    }
}

#[test]
fn every_shipped_example_passes() {
    let catalog = Catalog::builtin();
    for instrument in catalog.instruments() {
        assert!(
            instrument.examples.len() >= 5,
            "{} needs at least 5 known-answer examples",
            instrument.id
        );
        for outcome in verify(instrument) {
            assert!(
                outcome.passed(),
                "{} / {}: {:?}",
                instrument.id,
                outcome.name,
                outcome.mismatches
            );
        }
    }
}
