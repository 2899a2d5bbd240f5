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
    assert_eq!(
        text.matches("is also the code of option").count(),
        1,
        "{text}"
    );
}

fn run(args: &[&str]) -> std::process::Output {
    stepcare().args(args).output().unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Imports a Questionnaire (and any further files) into a fresh directory, returning it.
fn import_into(files: &[&str], id: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(format!("{id}.yaml"));
    let mut args = vec!["import", "fhir"];
    args.extend(files);
    let out_text = out.to_str().unwrap().to_owned();
    args.extend(["--id", id, "--output", &out_text]);
    let output = run(&args);
    (dir, output)
}

#[test]
fn import_fhir_reads_ordinal_values_flattens_groups_and_keeps_the_total_as_a_stored_value() {
    let (dir, output) = import_into(
        &["tests/fixtures/fhir/phq9-ordinalvalue.questionnaire.json"],
        "phq9-test",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    let yaml = std::fs::read_to_string(dir.path().join("phq9-test.yaml")).unwrap();
    assert!(yaml.contains("link_id: \"/44250-9\""), "{yaml}");
    assert!(yaml.contains("{points: 3, label: {en: \"Nearly every day\"}, code: \"LA6571-9\", system: \"http://loinc.org\"}"), "{yaml}");
    assert!(yaml.contains("stored: [\"/44261-6\"]"), "{yaml}");
    assert!(yaml.contains("codes: {loinc: \"44261-6\"}"), "{yaml}");
    assert!(yaml.contains("user's own data"), "{yaml}");
    let err = stderr(&output);
    // The unscored difficulty question is listed with its linkId, not turned into zeros.
    assert!(err.contains("`/69722-7`: no option has points"), "{err}");
    // Lint against the shipped PHQ-9: same items and points; other missing-data rule, no bands, no flag.
    assert!(
        err.contains("differs from the shipped `phq9` in 3 way(s)"),
        "{err}"
    );
    assert!(!err.contains("scores its options"), "{err}");
    let check = run(&[
        "validate",
        dir.path().join("phq9-test.yaml").to_str().unwrap(),
    ]);
    assert!(check.status.success(), "{}", transcript(&check));
}

#[test]
fn the_lint_reports_a_wrong_weight_inside_value_coding_naming_both_instruments() {
    let (_dir, output) = import_into(
        &["tests/fixtures/fhir/phq9-wrong-weight.questionnaire.json"],
        "phq9-wrong",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    let err = stderr(&output);
    assert!(
        err.contains("item `phq9-q4` (linkId `phq9-q4`) of `phq9-wrong` scores its options 0, 1, 2, 4 in printed order; `phq9` item `q4` scores 0, 1, 2, 3"),
        "{err}"
    );
    assert!(
        err.contains("answer `LA6571-9` weighs 4; in `phq9` item `q4` it weighs 3"),
        "{err}"
    );
}

#[test]
fn import_fhir_reads_weights_from_value_sets_and_code_systems() {
    let (dir, output) = import_into(
        &["tests/fixtures/fhir/worry-compose.questionnaire.json"],
        "worry",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    let yaml = std::fs::read_to_string(dir.path().join("worry.yaml")).unwrap();
    // compose.include.concept weights; item 3 is reverse-keyed in printed order.
    assert!(
        yaml.contains("{points: 2, label: {en: \"Never\"}, code: \"never\""),
        "{yaml}"
    );
    let err = stderr(&output);
    assert!(err.contains("`w2`: enableWhen"), "{err}");
    assert!(
        err.contains("`w-total`: a calculated expression that is not a plain sum"),
        "{err}"
    );
    assert!(
        err.contains("`w-note`: a string item (not scored)"),
        "{err}"
    );
    assert!(err.contains("--like ID"), "{err}");

    let (dir, output) = import_into(
        &["tests/fixtures/fhir/worry-expansion.bundle.json"],
        "worry-b",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    let yaml = std::fs::read_to_string(dir.path().join("worry-b.yaml")).unwrap();
    // expansion.contains extension (w1) and the backported expansion property (w3).
    assert!(
        yaml.contains("{points: 1, label: {en: \"Sometimes\"}"),
        "{yaml}"
    );
    assert!(yaml.contains("link_id: \"w3\""), "{yaml}");
    assert!(
        yaml.contains("{points: 2, label: {en: \"Never\"}"),
        "{yaml}"
    );

    let (dir, output) = import_into(
        &["tests/fixtures/fhir/worry-codesystem.questionnaire.json"],
        "worry-cs",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    let yaml = std::fs::read_to_string(dir.path().join("worry-cs.yaml")).unwrap();
    assert!(
        yaml.contains("{points: 2, label: {en: \"Often\"}, code: \"often\""),
        "{yaml}"
    );
}

#[test]
fn import_fhir_refuses_what_it_cannot_score() {
    let output = run(&[
        "import",
        "fhir",
        "tests/fixtures/fhir/no-weights.questionnaire.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no item has points"),
        "{}",
        transcript(&output)
    );

    let output = run(&[
        "import",
        "fhir",
        "tests/fixtures/fhir/bad-structure.questionnaire.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("item `a`: options without points (y)"),
        "{err}"
    );
    assert!(err.contains("linkId `a` is used by two items"), "{err}");

    let output = run(&["import", "fhir", "tests/fixtures/fhir/observation.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("holds a FHIR Observation, not a Questionnaire"),
        "{}",
        transcript(&output)
    );

    let output = run(&["import", "fhir", "tests/fixtures/redcap/dictionary.csv"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("is not JSON (line 1"),
        "{}",
        transcript(&output)
    );
}

#[test]
fn import_redcap_takes_codes_as_points_and_a_sum_calc_field_as_the_stored_total() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("phq9-rc.yaml");
    let output = run(&[
        "import",
        "redcap",
        "tests/fixtures/redcap/dictionary.csv",
        "--form",
        "phq9",
        "--id",
        "phq9-rc",
        "--like",
        "phq9",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let yaml = std::fs::read_to_string(&out).unwrap();
    assert!(yaml.contains("stored: [\"phq9_total\"]"), "{yaml}");
    assert!(yaml.contains("redcap: \"phq9\""), "{yaml}");
    let err = stderr(&output);
    assert!(
        err.contains("`phq9_9`: branching logic `[age] >= 18`"),
        "{err}"
    );
    assert!(
        err.contains("`phq9_band`: a calc field that is not a plain sum"),
        "{err}"
    );
    assert!(err.contains("sum(), which skips blank fields"), "{err}");
    assert!(err.contains("differs from the shipped `phq9`"), "{err}");

    let output = run(&[
        "import",
        "redcap",
        "tests/fixtures/redcap/dictionary.csv",
        "--form",
        "mood",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let err = stderr(&output);
    assert!(err.contains("start at 1 (mood_1, mood_2)"), "{err}");
    assert!(err.contains("--na 999"), "{err}");

    let output = run(&[
        "import",
        "redcap",
        "tests/fixtures/redcap/metadata.json",
        "--form",
        "phq9",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(stdout(&output).contains("stored: [\"phq9_total\"]"));

    let output = run(&[
        "import",
        "redcap",
        "tests/fixtures/redcap/dictionary.csv",
        "--form",
        "nope",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("its forms are: demographics, phq9, mood, bp"),
        "{}",
        transcript(&output)
    );
}

#[test]
fn fhir_responses_score_with_the_shipped_phq9_by_loinc_link_ids() {
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-responses.ndjson",
        "--keep",
        "id",
        "--keep",
        "subject",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn fhir_responses_as_json_lines_report_stored_totals() {
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-responses.bundle.json",
        "--format",
        "jsonl",
        "--keep",
        "id",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["results"]["phq9"]["scales"]["total"]["stored"], 27);
    assert_eq!(
        lines[0]["results"]["phq9"]["scales"]["total"]["agrees"],
        true
    );
    // No stored total in the second response: null on both sides of the comparison.
    assert_eq!(lines[1]["results"]["phq9"]["scales"]["total"]["score"], 1);
    assert!(lines[1]["results"]["phq9"]["scales"]["total"]["stored"].is_null());
    assert!(lines[1]["results"]["phq9"]["scales"]["total"]["agrees"].is_null());
}

#[test]
fn a_questionnaire_file_matches_local_link_ids_through_its_item_codes() {
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-local.response.json",
        "--questionnaire",
        "tests/fixtures/fhir/phq9-local.questionnaire.json",
        "--format",
        "jsonl",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let row: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(row["status"], "ok");
    assert_eq!(row["results"]["phq9"]["scales"]["total"]["score"], 8);
    assert_eq!(row["results"]["phq9"]["scales"]["total"]["agrees"], true);
    // Without it, the local linkIds match nothing and are listed once.
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-local.response.json",
    ]);
    let err = stderr(&output);
    assert!(err.contains("linkIds that match no item"), "{err}");
    assert!(err.contains("`PHQ-9.1` (1 response(s))"), "{err}");
}

#[test]
fn a_map_names_link_ids_for_items_and_for_the_stored_total() {
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-mapped.response.json",
        "--map",
        "tests/fixtures/fhir/phq9-mapped.map.yaml",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let out = stdout(&output);
    assert!(out.starts_with("row,status,phq9.total,phq9.total.band,phq9.total.stored,phq9.total.agrees,phq9.flags,errors\n"), "{out}");
    assert!(out.contains("1,ok,27,severe,27,true,self_harm,"), "{out}");
}

#[test]
fn responses_to_an_imported_questionnaire_match_its_link_ids_and_codes() {
    let (dir, output) = import_into(
        &["tests/fixtures/fhir/worry-compose.questionnaire.json"],
        "worry",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    let output = run(&[
        "score",
        "--instruments",
        dir.path().to_str().unwrap(),
        "--instrument",
        "worry",
        "--input",
        "tests/fixtures/fhir/worry-responses.ndjson",
        "--keep",
        "id",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let out = stdout(&output);
    // often (2) + sometimes (1) + never on the reversed item (2) = 5, as stored.
    assert!(out.contains("1,w-1,ok,5,5,true,"), "{out}");
    // Two answers to one question and a code that is no option: invalid, naming linkId and value.
    assert!(
        out.contains("linkId w2: 2 answers to one question"),
        "{out}"
    );
    assert!(out.contains("linkId w3: valueCoding rarely"), "{out}");
}

#[test]
fn fhir_out_writes_observations_with_loinc_codes_bands_and_provenance() {
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-responses.bundle.json",
        "--format",
        "fhir",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let first: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().next().unwrap()).unwrap();
    assert_eq!(first["resourceType"], "Observation");
    assert_eq!(first["code"]["coding"][0]["code"], "44261-6");
    assert_eq!(first["valueInteger"], 27);
    assert_eq!(first["interpretation"][0]["coding"][0]["code"], "severe");
    assert_eq!(
        first["derivedFrom"][0]["reference"],
        "QuestionnaireResponse/b1"
    );
    assert_eq!(first["subject"]["reference"], "Patient/b1");
    assert_eq!(stdout(&output).lines().count(), 2);
}

#[test]
fn redcap_exports_recompute_stored_totals_and_set_other_events_aside() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("phq9-rc.yaml");
    let output = run(&[
        "import",
        "redcap",
        "tests/fixtures/redcap/dictionary.csv",
        "--form",
        "phq9",
        "--id",
        "phq9-rc",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let output = run(&[
        "score",
        "--instruments",
        dir.path().to_str().unwrap(),
        "--instrument",
        "phq9-rc",
        "--input",
        "tests/fixtures/redcap/export-longitudinal.csv",
        "--keep",
        "record_id",
        "--keep",
        "redcap_event_name",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));

    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/redcap/export-repeating.csv",
        "--map",
        "tests/fixtures/redcap/repeating-map.yaml",
        "--format",
        "jsonl",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let statuses: Vec<String> = stdout(&output)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(statuses, ["not_applicable", "ok", "ok", "not_applicable"]);
}

#[test]
fn bad_fhir_input_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("array.json", "[1, 2]", "a JSON array, not FHIR"),
        (
            "plain.json",
            "{\n \"hello\": 1\n}\n",
            "JSON but not FHIR (no `resourceType`)",
        ),
        (
            "broken.json",
            "{\n \"resourceType\": \"QuestionnaireResponse\",\n \"item\": [\n",
            "not JSON (line 4",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = run(&[
            "score",
            "--instrument",
            "phq9",
            "--input",
            path.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            transcript(&output)
        );
    }
}

/// Every `stepcare` command in docs/interop.md runs as written (from a
/// directory that holds the repository's `tests` folder) and succeeds.
#[cfg(unix)]
#[test]
fn the_commands_in_docs_interop_run_as_written() {
    let doc = std::fs::read_to_string(common::root().join("docs/interop.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(common::root().join("tests"), dir.path().join("tests")).unwrap();
    let mut in_sh = false;
    let mut ran = 0;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        if let Some(path) = line.strip_prefix("mkdir -p ") {
            std::fs::create_dir_all(dir.path().join(path)).unwrap();
        } else if let Some(command) = line.strip_prefix("stepcare ") {
            let args: Vec<&str> = command.split_whitespace().collect();
            let output = stepcare()
                .current_dir(dir.path())
                .args(&args)
                .output()
                .unwrap();
            assert!(output.status.success(), "{line}\n{}", transcript(&output));
            ran += 1;
        } else {
            panic!("docs/interop.md: a line the test cannot run: {line}");
        }
    }
    assert!(ran >= 10, "only {ran} commands found");
}

#[test]
fn responses_to_another_questionnaire_are_counted_in_a_warning() {
    let (dir, output) = import_into(
        &["tests/fixtures/fhir/phq9-ordinalvalue.questionnaire.json"],
        "phq9-test",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    // Flags are not imported; the lint says which critical item loses its flag.
    assert!(
        stderr(&output)
            .contains("`phq9` raises the URGENT flag `self_harm` when item `q9` scores 1 or more"),
        "{}",
        transcript(&output)
    );
    let output = run(&[
        "score",
        "--instruments",
        dir.path().to_str().unwrap(),
        "--instrument",
        "phq9-test",
        "--input",
        "tests/fixtures/fhir/phq9-responses.ndjson",
        "--format",
        "jsonl",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let err = stderr(&output);
    assert!(
        err.contains("WARNING: 1 response(s) answer another Questionnaire than `http://example.org/Questionnaire/phq9-test`: row 7 (`http://example.org/Questionnaire/other`)"),
        "{err}"
    );
    // The imported instrument matches the responses by its linkIds and LOINC codes alike.
    let first: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().next().unwrap()).unwrap();
    assert_eq!(first["results"]["phq9-test"]["scales"]["total"]["score"], 8);
    assert_eq!(
        first["results"]["phq9-test"]["scales"]["total"]["agrees"],
        true
    );
}
