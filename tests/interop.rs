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
    // Lint against the shipped PHQ-9: same items and points (so the
    // self-harm flag is carried over); other missing-data rule, no bands.
    assert!(
        err.contains("differs from the shipped `phq9` in 2 way(s)"),
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

/// The PHQ-9 responses with a reference-standard item, as NDJSON, a Bundle and one resource.
fn reference_inputs(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let ndjson = common::root().join("tests/fixtures/fhir/phq9-reference.ndjson");
    let text = std::fs::read_to_string(&ndjson).unwrap();
    let resources: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": resources.iter().map(|r| serde_json::json!({"resource": r})).collect::<Vec<_>>(),
    });
    let bundle_path = dir.join("reference.bundle.json");
    std::fs::write(&bundle_path, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    let single_path = dir.join("reference.single.json");
    std::fs::write(
        &single_path,
        serde_json::to_string_pretty(&resources[8]).unwrap(),
    )
    .unwrap();
    vec![ndjson, bundle_path, single_path]
}

#[test]
fn cutoffs_computes_the_score_from_fhir_responses_and_reads_the_reference_by_link_id() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = reference_inputs(dir.path());
    // Cases score 8, 13, 16, 20; non-cases 0, 2, 4, 6, 10: 19 of 20 pairs
    // ordered, AUC 0.95. r10 has no reference item.
    for (input, rows, analysed, auc) in [
        (&inputs[0], 10, 9, Some(0.95)),
        (&inputs[1], 10, 9, Some(0.95)),
    ] {
        let output = run(&[
            "cutoffs",
            "--instrument",
            "phq9",
            "--input",
            input.to_str().unwrap(),
            "--reference",
            "mdd-interview",
            "--positive",
            "yes",
            "--format",
            "json",
        ]);
        assert!(output.status.success(), "{}", transcript(&output));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(report["rows_read"], rows, "{}", input.display());
        assert_eq!(report["overall"]["n"], analysed);
        assert_eq!(report["overall"]["n_positive"], 4);
        assert_eq!(report["overall"]["excluded"]["missing_reference"], 1);
        assert_eq!(report["overall"]["auc"].as_f64(), auc);
        assert!(
            stderr(&output).contains("10 FHIR QuestionnaireResponse(s) read"),
            "{}",
            transcript(&output)
        );
    }
    // One resource is one row: r9 (20 points, a case). It is read and
    // scored, and one case alone gives no ROC curve: the analysis says so.
    let output = run(&[
        "cutoffs",
        "--instrument",
        "phq9",
        "--input",
        inputs[2].to_str().unwrap(),
        "--reference",
        "mdd-interview",
        "--positive",
        "yes",
    ]);
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("1 FHIR QuestionnaireResponse(s) read"),
        "{text}"
    );
    assert!(text.contains("no non-cases"), "{text}");
    // Standard input works too, and --by names a response field.
    let output = stepcare()
        .args([
            "cutoffs",
            "--instrument",
            "phq9",
            "--input",
            "-",
            "--reference",
            "mdd-interview",
            "--positive",
            "yes",
            "--by",
            "status",
            "--format",
            "json",
        ])
        .write_stdin(std::fs::read(&inputs[0]).unwrap())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["overall"]["auc"].as_f64(), Some(0.95));
}

#[test]
fn cutoffs_on_fhir_input_stops_at_a_record_it_cannot_score_naming_the_response() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string(common::root().join("tests/fixtures/fhir/phq9-reference.ndjson"))
            .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cases = [
        (
            "observation.ndjson",
            format!(
                "{}\n{{\"resourceType\":\"Observation\",\"id\":\"o1\"}}\n{}\n",
                lines[..3].join("\n"),
                lines[3..].join("\n")
            ),
            "response 4: (id `o1`) line 4: a FHIR Observation, not a QuestionnaireResponse",
        ),
        (
            "bad-code.ndjson",
            text.replacen("LA6571-9", "LA9999-9", 1),
            "response 8: (id `r8`) linkId /44250-9: valueCoding http://loinc.org|LA9999-9 is not an answer to phq9.q1",
        ),
        (
            "wrong-reference.ndjson",
            text.clone(),
            "does not occur in column \"mdd\"; values seen: none (the input is FHIR QuestionnaireResponses",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let reference = if name.starts_with("wrong") {
            "mdd"
        } else {
            "mdd-interview"
        };
        let output = run(&[
            "cutoffs",
            "--instrument",
            "phq9",
            "--input",
            path.to_str().unwrap(),
            "--reference",
            reference,
            "--positive",
            "yes",
        ]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{name}: {}",
            transcript(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            transcript(&output)
        );
    }
}

#[test]
fn explain_and_compare_read_fhir_responses_and_say_what_they_could_not_read() {
    let input = "tests/fixtures/fhir/phq9-responses.ndjson";
    // Row 2 answers item 9 (self-harm): the urgent rule is explained.
    let output = run(&[
        "explain",
        "--rules",
        "no-default",
        "--instrument",
        "phq9",
        "--input",
        input,
        "--row",
        "2",
        "--lang",
        "en",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let out = stdout(&output);
    assert!(out.contains("PHQ-9 total: 10"), "{out}");
    assert!(out.contains("URGENT"), "{out}");
    // Row 4 is an Observation: nothing to explain, and it must not pass for
    // a form with every answer missing.
    let output = run(&[
        "explain",
        "--rules",
        "no-default",
        "--instrument",
        "phq9",
        "--input",
        input,
        "--row",
        "4",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(
        stderr(&output).contains(
            "--row 4 of `tests/fixtures/fhir/phq9-responses.ndjson` cannot be explained: line 4: a FHIR Observation, not a QuestionnaireResponse"
        ),
        "{}",
        transcript(&output)
    );
    // --questionnaire matches local linkIds in explain as in score.
    let output = run(&[
        "explain",
        "--rules",
        "no-default",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-local.response.json",
        "--questionnaire",
        "tests/fixtures/fhir/phq9-local.questionnaire.json",
        "--lang",
        "en",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(
        stdout(&output).contains("PHQ-9 total: "),
        "{}",
        transcript(&output)
    );
    let output = run(&[
        "compare",
        "--rules",
        "no-default",
        "--rules",
        "se-default",
        "--instrument",
        "phq9",
        "--input",
        input,
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["rows"], 7);
    let err = stderr(&output);
    assert!(
        err.contains("3 of 7 FHIR record(s) could not be scored"),
        "{err}"
    );
    assert!(err.contains("`/69722-7` (1 response(s))"), "{err}");
}

#[test]
fn import_carries_the_vetted_self_harm_flag_onto_the_item_matched_by_loinc_code() {
    let (dir, output) = import_into(
        &["tests/fixtures/fhir/phq9-ordinalvalue.questionnaire.json"],
        "phq9-test",
    );
    assert!(output.status.success(), "{}", transcript(&output));
    let err = stderr(&output);
    assert!(
        err.contains("flag carried over: the URGENT flag `self_harm` of the vetted `phq9` (item `q9` at 1 or more points) now watches item `q44260-8` (linkId `/44260-8`) of `phq9-test`"),
        "{err}"
    );
    assert!(!err.contains("raises the URGENT flag"), "{err}");
    let yaml = std::fs::read_to_string(dir.path().join("phq9-test.yaml")).unwrap();
    for expected in [
        "# Critical-item flags: carried over from stepcare's vetted definitions",
        "matches the vetted item (by LOINC code)",
        "  - id: \"self_harm\"\n    item: \"q44260-8\"\n    at_least: 1\n    urgent: true",
        "Carried over by `stepcare import` from the vetted `phq9`",
    ] {
        assert!(yaml.contains(expected), "missing {expected:?} in\n{yaml}");
    }
    // The imported instrument raises it: p2-a answers item 9 with 2 points.
    let output = run(&[
        "score",
        "--instruments",
        dir.path().to_str().unwrap(),
        "--instrument",
        "phq9-test",
        "--input",
        "tests/fixtures/fhir/phq9-responses.ndjson",
        "--keep",
        "id",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let row = stdout(&output)
        .lines()
        .find(|l| l.contains("p2-a"))
        .unwrap()
        .to_owned();
    assert!(row.contains("self_harm"), "{row}");
    assert!(
        stderr(&output).contains("URGENT"),
        "{}",
        transcript(&output)
    );
}

/// An EPDS form as a REDCap dictionary; `item10` lists its choices as given.
fn epds_dictionary(item10: &str) -> String {
    let mut text = String::from(
        "Variable / Field Name,Form Name,Section Header,Field Type,Field Label,\"Choices, Calculations, OR Slider Labels\",Field Note,Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,Identifier?,Branching Logic (Show field only if...),Required Field?,Custom Alignment,Question Number (surveys only),Matrix Group Name,Matrix Ranking?,Field Annotation\nrecord_id,epds,,text,Record ID,,,,,,,,,,,,,\n",
    );
    let forward = "0, a | 1, b | 2, c | 3, d";
    let reverse = "3, a | 2, b | 1, c | 0, d";
    for n in 1..=10 {
        let choices = match n {
            1 | 2 | 4 => forward,
            10 => item10,
            _ => reverse,
        };
        text.push_str(&format!(
            "epds_{n},epds,,radio,Question {n},\"{choices}\",,,,,,,,,,,,\n"
        ));
    }
    text
}

#[test]
fn import_carries_flags_by_position_only_when_the_points_agree_and_warns_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, epds_dictionary("3, a | 2, b | 1, c | 0, d")).unwrap();
    let out = dir.path().join("epds-rc.yaml");
    let output = run(&[
        "import",
        "redcap",
        good.to_str().unwrap(),
        "--form",
        "epds",
        "--id",
        "epds-rc",
        "--like",
        "epds",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(
        stderr(&output).contains("flag carried over: the URGENT flag `self_harm` of the vetted `epds` (item `q10` at 1 or more points) now watches item `epds_10` of `epds-rc`"),
        "{}",
        transcript(&output)
    );
    let yaml = std::fs::read_to_string(&out).unwrap();
    assert!(
        yaml.contains("matches the vetted item (by position)"),
        "{yaml}"
    );
    // A record endorsing item 10 ("2, b": 2 points) with a low total is flagged.
    let export = dir.path().join("export.csv");
    std::fs::write(
        &export,
        "record_id,epds_1,epds_2,epds_3,epds_4,epds_5,epds_6,epds_7,epds_8,epds_9,epds_10\n1,0,0,0,0,0,0,0,0,0,2\n2,0,0,0,0,0,0,0,0,0,0\n",
    )
    .unwrap();
    let output = run(&[
        "score",
        "--instruments",
        dir.path().to_str().unwrap(),
        "--instrument",
        "epds-rc",
        "--input",
        export.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let rows: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let flags = |row: &serde_json::Value| row["results"]["epds-rc"]["flags"].to_string();
    assert!(flags(&rows[0]).contains("self_harm"), "{}", rows[0]);
    assert!(!flags(&rows[1]).contains("self_harm"), "{}", rows[1]);

    // Item 10 listed forwards (the mis-keying seen in a public library
    // EPDS): 1 point would mean "hardly ever", so the flag is not carried
    // and the warning says so.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, epds_dictionary("0, a | 1, b | 2, c | 3, d")).unwrap();
    let out = dir.path().join("epds-bad.yaml");
    let output = run(&[
        "import",
        "redcap",
        bad.to_str().unwrap(),
        "--form",
        "epds",
        "--id",
        "epds-bad",
        "--like",
        "epds",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let err = stderr(&output);
    assert!(
        err.contains("WARNING: the URGENT flag `self_harm` of the vetted `epds` (item `q10` at 1 or more points) is NOT carried over: item `epds_10` of `epds-bad` scores its options 0, 1, 2, 3 in printed order, `epds` item `q10` 3, 2, 1, 0"),
        "{err}"
    );
    assert!(
        err.contains("`epds` raises the URGENT flag `self_harm` when item `q10` scores 1 or more; `epds-bad` has no such flag"),
        "{err}"
    );
    let yaml = std::fs::read_to_string(&out).unwrap();
    assert!(!yaml.contains("flags:"), "{yaml}");

    // Without a counterpart nothing is carried, and the lint says how to get one.
    let output = run(&["import", "redcap", good.to_str().unwrap(), "--form", "epds"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(
        stderr(&output).contains(
            "name one with --like ID to compare (and to carry over its critical-item flags)"
        ),
        "{}",
        transcript(&output)
    );
}

/// A ZIP with the given entries (deflate-compressed), as REDCap's "download instrument" writes.
fn write_zip(path: &std::path::Path, entries: &[(&str, &[u8])]) {
    use std::io::Write as _;
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn import_redcap_reads_instrument_csv_inside_an_instrument_zip() {
    let dir = tempfile::tempdir().unwrap();
    let dictionary =
        std::fs::read(common::root().join("tests/fixtures/redcap/dictionary.csv")).unwrap();
    let zip_path = dir.path().join("phq9-instrument.zip");
    write_zip(
        &zip_path,
        &[
            ("instrument.csv", &dictionary),
            ("OriginID.txt", b"example.org"),
        ],
    );
    let out = dir.path().join("phq9-rc.yaml");
    let output = run(&[
        "import",
        "redcap",
        zip_path.to_str().unwrap(),
        "--form",
        "phq9",
        "--id",
        "phq9-rc",
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    // The same definition as from the CSV itself, but for where it came from.
    let from_zip = std::fs::read_to_string(&out).unwrap();
    let plain = run(&[
        "import",
        "redcap",
        "tests/fixtures/redcap/dictionary.csv",
        "--form",
        "phq9",
        "--id",
        "phq9-rc",
    ]);
    assert!(plain.status.success(), "{}", transcript(&plain));
    let zip_name = format!("{}/instrument.csv", zip_path.display());
    assert_eq!(
        from_zip.replace(&zip_name, "tests/fixtures/redcap/dictionary.csv"),
        stdout(&plain)
    );
    assert!(
        from_zip.contains("phq9-instrument.zip/instrument.csv"),
        "{from_zip}"
    );

    // A ZIP without instrument.csv, one with two, and a file that only looks like a ZIP.
    let empty = dir.path().join("other.zip");
    write_zip(
        &empty,
        &[("readme.txt", b"hello"), ("data/export.csv", b"a,b\n")],
    );
    let two = dir.path().join("two.zip");
    write_zip(
        &two,
        &[
            ("a/instrument.csv", &dictionary),
            ("b/instrument.csv", &dictionary),
        ],
    );
    let broken = dir.path().join("broken.zip");
    std::fs::write(&broken, b"PK\x03\x04 this is not really a zip").unwrap();
    for (path, expected) in [
        (
            &empty,
            "holds no `instrument.csv`, so it is not a REDCap instrument ZIP (it holds `readme.txt`, `data/export.csv`)",
        ),
        (
            &two,
            "holds 2 files named `instrument.csv` (`a/instrument.csv`, `b/instrument.csv`)",
        ),
        (&broken, "is not a ZIP archive stepcare can read"),
    ] {
        let output = run(&["import", "redcap", path.to_str().unwrap(), "--form", "phq9"]);
        assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
        assert!(
            stderr(&output).contains(expected),
            "{}: {}",
            path.display(),
            transcript(&output)
        );
        assert!(stdout(&output).is_empty());
    }
}

/// A PHQ-9 response with LOINC linkIds, every item answered "not at all"; `change` edits its items.
fn phq9_response(
    id: &str,
    status: &str,
    change: impl FnOnce(&mut Vec<serde_json::Value>),
) -> String {
    let answer = |code: &str| serde_json::json!([{"valueCoding": {"system": "http://loinc.org", "code": code}}]);
    let mut items: Vec<serde_json::Value> = [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3",
        "44260-8",
    ]
    .iter()
    .map(|l| serde_json::json!({"linkId": l, "answer": answer("LA6568-5")}))
    .collect();
    change(&mut items);
    serde_json::json!({"resourceType": "QuestionnaireResponse", "id": id, "status": status, "item": items})
        .to_string()
}

#[test]
fn bad_fhir_records_are_rows_with_located_reasons_and_every_record_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let answer = |code: &str| serde_json::json!([{"valueCoding": {"system": "http://loinc.org", "code": code}}]);
    let lines = [
        phq9_response("ok1", "completed", |_| {}),
        phq9_response("dup", "completed", |items| {
            items.push(serde_json::json!({"linkId": "44250-9", "answer": answer("LA6571-9")}));
        }),
        phq9_response("group", "completed", |items| {
            items.insert(
                0,
                serde_json::json!({"linkId": "grp", "answer": answer("LA6569-3"),
                    "item": [{"linkId": "inner", "answer": answer("LA6569-3")}]}),
            );
        }),
        phq9_response("nolink", "completed", |items| {
            items.push(serde_json::json!({"answer": answer("LA6569-3")}));
        }),
        r#"{"resourceType": "Patient", "id": "pat1"}"#.to_owned(),
        phq9_response("eie", "entered-in-error", |_| {}),
        String::new(),
        r#"{"resourceType": "QuestionnaireResponse", "id": "cut""#.to_owned(),
        phq9_response("ok2", "completed", |_| {}),
    ];
    let path = dir.path().join("bad.ndjson");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        path.to_str().unwrap(),
        "--keep",
        "id",
        "--format",
        "jsonl",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let rows: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Eight records (the blank line is not one), eight rows, in order.
    let expected = [
        ("ok1", "ok", None),
        (
            "dup",
            "invalid",
            Some("line 2: linkId `44250-9` appears twice in the response"),
        ),
        (
            "group",
            "invalid",
            Some("line 3: linkId `grp` is a group (it has items) but also has answers"),
        ),
        (
            "nolink",
            "invalid",
            Some("line 4: an item without a linkId"),
        ),
        (
            "pat1",
            "invalid",
            Some("line 5: a FHIR Patient, not a QuestionnaireResponse"),
        ),
        (
            "eie",
            "invalid",
            Some("line 6: the response is marked entered-in-error"),
        ),
        ("", "invalid", Some("line 8: not JSON at column")),
        ("ok2", "ok", None),
    ];
    assert_eq!(rows.len(), expected.len(), "{}", transcript(&output));
    for (row, (id, status, reason)) in rows.iter().zip(expected) {
        assert_eq!(row["keep"]["id"], id, "{row}");
        assert_eq!(row["status"], status, "{row}");
        if let Some(reason) = reason {
            assert!(
                row["errors"].to_string().contains(reason),
                "{reason:?} in {row}"
            );
        }
    }
    // Two different answers to one question: which holds is unknown, so no total.
    assert_eq!(
        rows[1]["results"]["phq9"]["scales"]["total"]["score"],
        serde_json::Value::Null
    );
    assert!(
        stderr(&output).contains("8 rows read: 2 ok, 0 incomplete, 6 invalid"),
        "{}",
        transcript(&output)
    );
    // The group's child is listed once as unmatched, not per row.
    assert!(
        stderr(&output).contains("`inner` (1 response(s))"),
        "{}",
        transcript(&output)
    );

    // A Bundle with a Questionnaire and an entry without a resource; a
    // Questionnaire given as the input by mistake.
    let bundle = serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": serde_json::from_str::<serde_json::Value>(&phq9_response("b1", "completed", |_| {})).unwrap()},
        {"resource": {"resourceType": "Questionnaire", "id": "q"}},
        {"fullUrl": "urn:uuid:1"},
    ]});
    let bundle_path = dir.path().join("bundle.json");
    std::fs::write(&bundle_path, serde_json::to_string_pretty(&bundle).unwrap()).unwrap();
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        bundle_path.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let out = stdout(&output);
    assert!(
        out.contains("Bundle entry 2: a FHIR Questionnaire, not a QuestionnaireResponse"),
        "{out}"
    );
    assert!(
        out.contains("Bundle entry 3: an entry without a resource"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 4, "{out}");
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        "tests/fixtures/fhir/phq9-ordinalvalue.questionnaire.json",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(
        stdout(&output).contains("the input: a FHIR Questionnaire, not a QuestionnaireResponse"),
        "{}",
        transcript(&output)
    );
}

/// One JSON document is read whole, so it is bounded (64 MiB); NDJSON is
/// read a line at a time, and a line over the bound is one invalid row.
#[test]
fn huge_fhir_input_is_bounded_per_resource_and_ndjson_is_read_line_by_line() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let filler = "x".repeat(1 << 20);
    let big = dir.path().join("big.json");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        write!(file, "{{\n \"resourceType\": \"Bundle\",\n \"note\": \"").unwrap();
        for _ in 0..65 {
            file.write_all(filler.as_bytes()).unwrap();
        }
        write!(file, "\"\n}}\n").unwrap();
    }
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        big.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(
        stderr(&output).contains(
            "one JSON document larger than 64 MiB; give large sets of responses as NDJSON"
        ),
        "{}",
        transcript(&output)
    );
    let ndjson = dir.path().join("big.ndjson");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&ndjson).unwrap());
        writeln!(file, "{}", phq9_response("before", "completed", |_| {})).unwrap();
        write!(
            file,
            "{{\"resourceType\": \"QuestionnaireResponse\", \"id\": \"huge\", \"note\": \""
        )
        .unwrap();
        for _ in 0..65 {
            file.write_all(filler.as_bytes()).unwrap();
        }
        writeln!(file, "\"}}").unwrap();
        writeln!(file, "{}", phq9_response("after", "completed", |_| {})).unwrap();
    }
    let output = run(&[
        "score",
        "--instrument",
        "phq9",
        "--input",
        ndjson.to_str().unwrap(),
        "--keep",
        "id",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].starts_with("1,before,ok,0,"), "{out}");
    assert!(
        lines[2].contains("line 2: a line longer than 64 MiB (not read)"),
        "{out}"
    );
    assert!(lines[3].starts_with("3,after,ok,0,"), "{out}");
}

/// The shipped GAD-7's LOINC codes (checked against public Questionnaires,
/// see instruments/gad7.yaml) match a LOINC-coded response with
/// `--instrument gad7` alone, and its total goes back out as 70274-6.
#[test]
fn a_loinc_coded_gad7_response_scores_with_the_shipped_gad7_alone() {
    let dir = tempfile::tempdir().unwrap();
    let codes = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"];
    // Items in the printed order of the GAD-7, with points 3, 2, 1, 0, 1, 2, 3 = 12.
    let items: Vec<serde_json::Value> = [
        ("69725-0", 3),
        ("68509-9", 2),
        ("69733-4", 1),
        ("69734-2", 0),
        ("69735-9", 1),
        ("69689-8", 2),
        ("69736-7", 3),
    ]
    .iter()
    .map(|(link, points)| {
        serde_json::json!({"linkId": link, "answer": [{"valueCoding": {"system": "http://loinc.org", "code": codes[*points]}}]})
    })
    .chain([serde_json::json!({"linkId": "70274-6", "answer": [{"valueInteger": 12}]})])
    .collect();
    let response = serde_json::json!({"resourceType": "QuestionnaireResponse", "id": "g1",
        "status": "completed", "subject": {"reference": "Patient/g"}, "item": items});
    // Item 2 answered with the code another public GAD-7 uses there: not an option, so invalid.
    let mut other = response.clone();
    other["id"] = "g2".into();
    other["item"][1]["answer"][0]["valueCoding"]["code"] = "LA18938-3".into();
    let path = dir.path().join("gad7.ndjson");
    std::fs::write(&path, format!("{response}\n{other}\n")).unwrap();
    let output = run(&[
        "score",
        "--instrument",
        "gad7",
        "--input",
        path.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let rows: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let total = &rows[0]["results"]["gad7"]["scales"]["total"];
    assert_eq!(total["score"], 12, "{}", rows[0]);
    assert_eq!(total["stored"], 12, "{}", rows[0]);
    assert_eq!(total["agrees"], true, "{}", rows[0]);
    assert_eq!(rows[1]["status"], "invalid", "{}", rows[1]);
    assert!(
        rows[1]["errors"]
            .to_string()
            .contains("linkId 68509-9: valueCoding http://loinc.org|LA18938-3"),
        "{}",
        rows[1]
    );
    let output = run(&[
        "score",
        "--instrument",
        "gad7",
        "--input",
        path.to_str().unwrap(),
        "--format",
        "fhir",
    ]);
    assert!(output.status.success(), "{}", transcript(&output));
    let observation: serde_json::Value =
        serde_json::from_str(stdout(&output).lines().next().unwrap()).unwrap();
    assert_eq!(
        observation["code"]["coding"][0]["code"], "70274-6",
        "{observation}"
    );
    assert_eq!(observation["valueInteger"], 12, "{observation}");
}
