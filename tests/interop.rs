//! Interoperability: instrument codes, FHIR and REDCap import, FHIR responses, stored totals.

mod common;

use common::{stepcare, transcript};

#[test]
fn validate_reports_duplicate_codes_link_ids_and_misplaced_stored_values() {
    let output = stepcare()
        .args(["validate", "tests/fixtures/instruments/bad-codes.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = transcript(&output);
    for expected in [
        "the code `A1` of option 2 is also the code of option 1",
        "link_id `1` of item `q2` is also the link_id of item `q1`",
        "item `q2` has the loinc code `1111-1` of item `q1`",
        "stored value `q2` of scale `total` also names item `q2`",
        "scale `mean` has a stored value but is not a sum",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // q2's options differ in system, so their equal codes are not a clash.
    assert_eq!(text.matches("is also the code of option").count(), 1, "{text}");
}
