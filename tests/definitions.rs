//! What users see from `list`, `show`, `validate` and `verify`.

mod common;

use common::{stepcare, transcript};

#[test]
fn show_epds_lists_items_points_scales_bands_and_flags() {
    let output = stepcare()
        .args(["show", "epds", "--lang", "en"])
        .output()
        .unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn show_in_norwegian() {
    let output = stepcare()
        .args(["show", "epds"])
        .env("LANG", "nb_NO.UTF-8")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Sannsynlig depresjon"), "{text}");
    assert!(text.contains("Tanker om å skade seg selv"), "{text}");
}

#[test]
fn show_with_a_text_pack_uses_its_wording() {
    let output = stepcare()
        .args([
            "show",
            "epds",
            "--texts",
            "tests/fixtures/texts/epds-invented-en.yaml",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Invented question one"), "{text}");
    assert!(text.contains("Invented answer 1a = 0"), "{text}");
}

#[test]
fn validate_reports_every_problem_with_a_caret() {
    let output = stepcare()
        .args(["validate", "tests/fixtures/instruments/broken.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn validate_reports_band_gaps_overlaps_and_unreachable_bands() {
    let output = stepcare()
        .args(["validate", "tests/fixtures/instruments/bad-bands.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn validate_reports_unknown_keys_with_what_was_expected() {
    let output = stepcare()
        .args(["validate", "tests/fixtures/instruments/unknown-key.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn validate_reports_failing_examples_at_their_line() {
    let output = stepcare()
        .args(["validate", "tests/fixtures/instruments/wrong-example.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn validate_checks_text_packs_against_the_instrument() {
    let output = stepcare()
        .args(["validate", "tests/fixtures/texts/epds-bad.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn validate_accepts_the_shipped_definitions() {
    let mut files: Vec<String> = std::fs::read_dir(common::root().join("instruments"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| format!("instruments/{}", p.file_name().unwrap().to_str().unwrap()))
        .collect();
    files.sort();
    let output = stepcare().arg("validate").args(&files).output().unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
}

#[test]
fn verify_runs_every_shipped_example() {
    let output = stepcare().arg("verify").output().unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("epds"), "{text}");
    assert!(!text.contains("FAILED"), "{text}");
}

#[test]
fn verify_fails_on_a_mismatch() {
    let output = stepcare()
        .args(["verify", "tests/fixtures/instruments/wrong-example.yaml"])
        .output()
        .unwrap();
    // The file has errors, so it is refused with its diagnostics.
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn an_instrument_defined_twice_names_both_files() {
    let output = stepcare()
        .args(["list", "--instruments", "tests/fixtures/duplicate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("instrument `epds` is defined twice"),
        "{text}"
    );
    assert!(
        text.contains("tests/fixtures/duplicate/epds-copy.yaml"),
        "{text}"
    );
    assert!(text.contains("<builtin>/instruments/epds.yaml"), "{text}");
}

#[test]
fn a_service_can_add_its_own_instrument() {
    let output = stepcare()
        .args(["show", "mood2", "--instruments", "tests/fixtures/service"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
}

#[test]
fn unknown_instrument_is_a_usage_error() {
    let output = stepcare().args(["show", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("unknown instrument `nope`"), "{text}");
}

#[test]
fn bad_arguments_exit_2() {
    let output = stepcare().args(["score", "--bogus"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn list_shows_instruments_and_rule_tables() {
    let output = stepcare().args(["list", "--lang", "en"]).output().unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "epds",
        "phq9",
        "gad7",
        "se-demo",
        "no-default",
        "se-default",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains("does not load"), "{text}");
}
