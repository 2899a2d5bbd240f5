//! `stepcare cutoffs` end to end: published numbers reproduced through the
//! binary, the output contract (table, CSV, JSON, SVG), and the handling of
//! awkward input.

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/gpl_data.rs"]
mod gpl_data;
use gpl_data::absent;

fn stepcare() -> Command {
    let mut cmd = Command::cargo_bin("stepcare").expect("binary built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn run(args: &[&str]) -> Output {
    stepcare().arg("cutoffs").args(args).output().expect("runs")
}

fn run_stdin(input: &str, args: &[&str]) -> Output {
    stepcare()
        .args(["cutoffs", "--input", "-"])
        .args(args)
        .write_stdin(input.to_owned())
        .output()
        .expect("runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    serde_json::from_str(&stdout(&run(&all))).expect("valid JSON")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn assert_close(actual: &Value, expected: f64, tol: f64, what: &str) {
    let a = num(actual);
    assert!(
        (a - expected).abs() <= tol,
        "{what}: got {a}, expected {expected}"
    );
}

const ASAH: [&str; 8] = [
    "--input",
    "tests/data/aSAH.csv",
    "--reference",
    "outcome",
    "--positive",
    "Poor",
    "--score",
    "wfns",
];

const SUICIDE: [&str; 8] = [
    "--input",
    "tests/data/suicide.csv",
    "--reference",
    "suicide",
    "--positive",
    "yes",
    "--score",
    "dsi",
];

fn with<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    let mut v = base.to_vec();
    v.extend_from_slice(more);
    v
}

// ------------------------------------------------------ published values --

#[test]
fn asah_wfns_against_s100b_reproduces_proc() {
    if absent("aSAH.csv") {
        return;
    }
    let report = json(&with(&ASAH, &["--compare", "s100b"]));
    let overall = &report["overall"];
    assert_eq!(overall["n"], 113);
    assert_eq!(overall["n_positive"], 41);
    assert_eq!(overall["n_excluded"], 0);
    // xrobin/pROC tests/testthat/test-auc.R: auc(r.wfns) = 0.823678861788618.
    assert_close(&overall["auc"], 0.823_678_861_788_618, 1e-9, "wfns AUC");
    // xrobin/pROC tests/testthat/test-var.R: var(r.wfns) = 0.00146991470882363,
    // so the DeLong interval is AUC -/+ qnorm(0.975) * sqrt(var).
    let se = 0.001_469_914_708_823_63_f64.sqrt();
    let z = 1.959_963_984_540_054;
    assert_close(
        &overall["auc_ci"][0],
        0.823_678_861_788_618 - z * se,
        1e-9,
        "wfns CI lower",
    );
    assert_close(
        &overall["auc_ci"][1],
        0.823_678_861_788_618 + z * se,
        1e-9,
        "wfns CI upper",
    );
    // xrobin/pROC tests/testthat/test-roc.test.R, roc.test(r.wfns, r.s100b):
    // Z = 2.20898359144091, p = 0.0271757822291882,
    // CI 0.0104061769564846 to 0.174214419249478.
    let c = &report["comparison"];
    assert_eq!(c["compare"], "s100b");
    assert_eq!(c["n"], 113);
    assert_close(&c["z"], 2.208_983_591_440_91, 1e-9, "Z");
    assert_close(&c["p_value"], 0.027_175_782_229_188_2, 1e-9, "p");
    assert_close(&c["ci"][0], 0.010_406_176_956_484_6, 1e-9, "CI lower");
    assert_close(&c["ci"][1], 0.174_214_419_249_478, 1e-9, "CI upper");
    // pROC prints the s100b AUC as 0.7314 (tests/testthat/print_output/r.s100b).
    assert_close(&c["auc_compare"], 0.7314, 5e-5, "s100b AUC");
    assert_close(
        &c["auc_difference"],
        num(&c["auc"]) - num(&c["auc_compare"]),
        1e-15,
        "difference",
    );
}

#[test]
fn asah_ndka_interval_and_s100b_best_threshold() {
    if absent("aSAH.csv") {
        return;
    }
    // xrobin/pROC tests/testthat/test-ci.auc.R: ci.auc(r.ndka) =
    // c(0.501244999271703, 0.611957994579946, 0.722670989888189).
    let ndka = json(&[
        "--input",
        "tests/data/aSAH.csv",
        "--reference",
        "outcome",
        "--positive",
        "Poor",
        "--score",
        "ndka",
    ]);
    assert_close(
        &ndka["overall"]["auc"],
        0.611_957_994_579_946,
        1e-9,
        "ndka AUC",
    );
    assert_close(
        &ndka["overall"]["auc_ci"][0],
        0.501_244_999_271_703,
        1e-9,
        "ndka lower",
    );
    assert_close(
        &ndka["overall"]["auc_ci"][1],
        0.722_670_989_888_189,
        1e-9,
        "ndka upper",
    );
    // xrobin/pROC tests/testthat/test-coords.R: the best s100b threshold is
    // 0.205 (between 0.19 and 0.22, i.e. s100b >= 0.22) with TP 26, FP 14,
    // TN 58, FN 15.
    let s100b = json(&[
        "--input",
        "tests/data/aSAH.csv",
        "--reference",
        "outcome",
        "--positive",
        "Poor",
        "--score",
        "s100b",
    ]);
    let optimal = s100b["overall"]["optimal"].as_array().unwrap();
    assert_eq!(optimal.len(), 1);
    assert_eq!(optimal[0]["cutoff"], 0.22);
    assert_eq!(
        (
            &optimal[0]["tp"],
            &optimal[0]["fp"],
            &optimal[0]["tn"],
            &optimal[0]["fn"]
        ),
        (
            &Value::from(26),
            &Value::from(14),
            &Value::from(58),
            &Value::from(15)
        )
    );
    assert_close(
        &optimal[0]["specificity"],
        0.805_555_555_555_556,
        1e-12,
        "Sp",
    );
    assert_close(
        &optimal[0]["sensitivity"],
        0.634_146_341_463_415,
        1e-12,
        "Se",
    );
}

#[test]
fn suicide_optimal_cutoffs_overall_and_by_gender_reproduce_cutpointr() {
    if absent("suicide.csv") {
        return;
    }
    let report = json(&with(&SUICIDE, &["--by", "gender"]));
    // Thie1e/cutpointr README.md: optimal cutpoint 2 with sensitivity
    // 0.888889, specificity 0.862903, AUC 0.923779 (n_pos 36, n_neg 496).
    let overall = &report["overall"];
    assert_eq!(overall["n_positive"], 36);
    assert_eq!(overall["n_negative"], 496);
    assert_close(&overall["auc"], 0.923_779, 5e-7, "AUC");
    let best = &overall["optimal"][0];
    assert_eq!(overall["optimal"].as_array().unwrap().len(), 1);
    assert_eq!(best["cutoff"], 2.0);
    assert_close(&best["sensitivity"], 0.888_889, 5e-7, "Se");
    assert_close(&best["specificity"], 0.862_903, 5e-7, "Sp");
    assert_close(&best["youden"], 0.751_792, 5e-7, "J");
    // Same README, "Separate subgroups": female cutpoint 2 (Se 0.925926,
    // Sp 0.882192, AUC 0.944647); male cutpoint 3 (Se 0.777778,
    // Sp 0.847328, AUC 0.861747).
    let groups = report["groups"].as_object().unwrap();
    assert_eq!(groups.keys().collect::<Vec<_>>(), ["female", "male"]);
    for (g, cut, se, sp, auc) in [
        ("female", 2.0, 0.925_926, 0.882_192, 0.944_647),
        ("male", 3.0, 0.777_778, 0.847_328, 0.861_747),
    ] {
        let set = &groups[g];
        let best = &set["optimal"][0];
        assert_eq!(set["optimal"].as_array().unwrap().len(), 1, "{g}");
        assert_eq!(best["cutoff"], cut, "{g}");
        assert_close(&best["sensitivity"], se, 5e-7, g);
        assert_close(&best["specificity"], sp, 5e-7, g);
        assert_close(&set["auc"], auc, 5e-7, g);
    }
    assert_eq!(groups["female"]["n"], 392);
    assert_eq!(groups["male"]["n"], 140);
}

#[test]
fn suicide_sensitivity_target_and_closest_to_corner() {
    if absent("suicide.csv") {
        return;
    }
    let report = json(&with(&SUICIDE, &["--min-sensitivity", "0.9"]));
    let target = &report["overall"]["min_sensitivity"];
    assert_eq!(target["target"], 0.9);
    assert_eq!(target["cutoff"]["cutoff"], 1.0);
    assert_close(&target["cutoff"]["specificity"], 376.0 / 496.0, 1e-15, "Sp");
    assert_eq!(report["overall"]["closest_to_corner"][0]["cutoff"], 2.0);
}

// ------------------------------------------------------------- contract --

#[test]
fn json_contract_shape() {
    if absent("suicide.csv") {
        return;
    }
    let report = json(&with(&SUICIDE, &["--cutoff", "4"]));
    let overall = &report["overall"];
    for key in [
        "n",
        "n_positive",
        "n_excluded",
        "auc",
        "auc_ci",
        "optimal",
        "cutoffs",
    ] {
        assert!(overall.get(key).is_some(), "missing {key}");
    }
    assert!(report.get("groups").is_none());
    assert!(report.get("comparison").is_none());
    let cutoffs = overall["cutoffs"].as_array().unwrap();
    assert_eq!(cutoffs.len(), 12, "one row per observed dsi value 0..11");
    for row in cutoffs {
        for key in [
            "cutoff",
            "tp",
            "fp",
            "tn",
            "fn",
            "sensitivity",
            "sensitivity_ci",
            "specificity",
            "specificity_ci",
            "ppv",
            "ppv_ci",
            "npv",
            "npv_ci",
            "lr_positive",
            "lr_positive_ci",
            "lr_negative",
            "lr_negative_ci",
            "youden",
            "accuracy",
            "accuracy_ci",
        ] {
            assert!(row.get(key).is_some(), "cutoff row lacks {key}: {row}");
        }
        let total: u64 = ["tp", "fp", "tn", "fn"]
            .iter()
            .map(|k| row[k].as_u64().unwrap())
            .sum();
        assert_eq!(total, 532);
    }
    // dsi >= 11: no non-case screens positive, so LR+ is infinite: null
    // with the reason.
    let last = cutoffs.last().unwrap();
    assert_eq!(last["fp"], 0);
    assert!(last["lr_positive"].is_null());
    assert_eq!(
        last["lr_positive_null_because"],
        "infinite: no non-case screens positive (FP = 0)"
    );
    // The pre-specified cutoff is reported on its own as well.
    assert_eq!(overall["prespecified"][0]["cutoff"], 4.0);
    assert_eq!(overall["prespecified"][0]["tp"], 28);
}

#[test]
fn table_output_of_the_documented_example() {
    let output = run(&[
        "--input",
        "examples/cutoffs.csv",
        "--score",
        "epds_total",
        "--reference",
        "interview",
        "--positive",
        "depressed",
        "--cutoff",
        "10",
        "--cutoff",
        "13",
    ]);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn table_output_with_groups_comparison_and_bootstrap() {
    let output = run(&[
        "--input",
        "examples/cutoffs.csv",
        "--score",
        "epds_total",
        "--reference",
        "interview",
        "--positive",
        "depressed",
        "--cutoff",
        "10",
        "--by",
        "group",
        "--compare",
        "phq9_total",
        "--min-sensitivity",
        "0.9",
        "--bootstrap",
        "200",
        "--seed",
        "7",
        "--ci",
        "exact",
    ]);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn csv_output() {
    if absent("suicide.csv") {
        return;
    }
    let text = stdout(&run(&with(
        &SUICIDE,
        &["--format", "csv", "--cutoff", "2.5", "--by", "gender"],
    )));
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with(
            "group,cutoff,observed,prespecified,youden_optimal,tp,fp,tn,fn,sensitivity,"
        )
    );
    let rows: Vec<&str> = lines.collect();
    // 12 observed cutoffs overall plus the unobserved 2.5, then 11 + 1 per
    // gender (neither group has every score).
    assert_eq!(rows.iter().filter(|r| r.starts_with(',')).count(), 13);
    // The unobserved 2.5 splits like 3: TP 29, FP 56, TN 440, FN 7.
    assert!(
        rows.iter()
            .any(|r| r.starts_with(",2.5,false,true,false,29,56,440,7,0.8055555555555556,")),
        "{text}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("female,2,true,false,true,25,43,322,2,"))
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("male,3,true,false,true,7,20,111,2,"))
    );
}

#[test]
fn svg_plot_is_deterministic() {
    if absent("suicide.csv") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("roc.svg");
    let path_str = path.to_str().unwrap();
    let args = with(
        &SUICIDE,
        &["--cutoff", "4", "--plot", path_str, "--format", "json"],
    );
    stdout(&run(&args));
    let first = std::fs::read_to_string(&path).unwrap();
    stdout(&run(&args));
    assert_eq!(first, std::fs::read_to_string(&path).unwrap());
    insta::assert_snapshot!(first);
}

#[test]
fn svg_plot_with_comparison_curve() {
    if absent("aSAH.csv") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roc.svg");
    stdout(&run(&with(
        &ASAH,
        &[
            "--compare",
            "s100b",
            "--plot",
            path.to_str().unwrap(),
            "--format",
            "csv",
        ],
    )));
    let svg = std::fs::read_to_string(&path).unwrap();
    assert_eq!(svg.matches("<polyline").count(), 2);
    assert!(svg.contains("wfns: AUC 0.824 (95% CI 0.749-0.899, DeLong)"));
    assert!(
        svg.contains("s100b (n = 113 with both scores): AUC 0.731 (95% CI 0.630-0.833, DeLong)")
    );
}

// ------------------------------------------------------------ behaviour --

#[test]
fn bootstrap_is_reproducible_for_a_seed() {
    if absent("suicide.csv") {
        return;
    }
    let args = with(&SUICIDE, &["--bootstrap", "300", "--seed", "11"]);
    let a = json(&args);
    let b = json(&args);
    assert_eq!(a, b);
    let boot = &a["overall"]["bootstrap"];
    assert_eq!(boot["replicates"], 300);
    let lo = num(&boot["cutoff_ci"][0]);
    let hi = num(&boot["cutoff_ci"][1]);
    assert!(lo <= 2.0 && 2.0 <= hi, "{boot}");
    let total: u64 = boot["cutoff_frequencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 300);
    let other = json(&with(&SUICIDE, &["--bootstrap", "300", "--seed", "12"]));
    assert_ne!(a["overall"]["bootstrap"], other["overall"]["bootstrap"]);
}

#[test]
fn direction_lower_mirrors_a_negated_score() {
    if absent("suicide.csv") {
        return;
    }
    let data = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/suicide.csv"
    ))
    .unwrap();
    let mut negated = String::from("age,gender,neg_dsi,suicide\n");
    for line in data.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        negated.push_str(&format!(
            "{},{},{},{}\n",
            f[0],
            f[1],
            -f[2].parse::<i32>().unwrap(),
            f[3]
        ));
    }
    let out = run_stdin(
        &negated,
        &[
            "--score",
            "neg_dsi",
            "--reference",
            "suicide",
            "--positive",
            "yes",
            "--direction",
            "lower",
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_close(
        &report["overall"]["auc"],
        0.923_779_121_863_799_3,
        1e-12,
        "AUC",
    );
    assert_eq!(report["overall"]["optimal"][0]["cutoff"], -2.0);
    assert_eq!(report["positive_if"], "neg_dsi <= cutoff");
    // Left at "higher", the AUC falls below 0.5 and the output says so
    // instead of flipping.
    let out = run_stdin(
        &negated,
        &[
            "--score",
            "neg_dsi",
            "--reference",
            "suicide",
            "--positive",
            "yes",
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(num(&report["overall"]["auc"]) < 0.5);
    assert!(report["notes"].to_string().contains("AUC is below 0.5"));
}

#[test]
fn nordic_export_semicolons_bom_decimal_commas_and_missing_cells() {
    let input =
        "\u{feff}id;marker;dx\n1;0,5;ja\n2;1,25;nei\n3;;ja\n4;NA;nei\n5;2,0;\n6;3;ja\n7;0,25;nei\n";
    let out = run_stdin(
        input,
        &[
            "--score",
            "marker",
            "--reference",
            "dx",
            "--positive",
            "ja",
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let o = &report["overall"];
    assert_eq!(o["n"], 4);
    assert_eq!(o["n_excluded"], 3);
    assert_eq!(o["excluded"]["missing_score"], 2);
    assert_eq!(o["excluded"]["missing_reference"], 1);
    let scores: Vec<f64> = o["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| num(&d["score"]))
        .collect();
    assert_eq!(scores, [0.25, 0.5, 1.25, 3.0]);
    assert_eq!(report["reference_values"][0]["value"], "ja");
    assert_eq!(report["reference_values"][0]["role"], "case");
    assert_eq!(report["reference_values"][1]["role"], "non-case");
}

#[test]
fn tab_separated_input() {
    let input = "score\tref\n1\tyes\n0\tno\n2\tyes\n1\tno\n";
    let out = run_stdin(
        input,
        &[
            "--score",
            "score",
            "--reference",
            "ref",
            "--positive",
            "yes",
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["overall"]["auc"], 0.875);
}

#[test]
fn group_without_cases_is_reported_not_fatal() {
    let input = "s,ref,g\n1,yes,a\n0,no,a\n2,yes,a\n0,no,b\n1,no,b\n";
    let out = run_stdin(
        input,
        &[
            "--score",
            "s",
            "--reference",
            "ref",
            "--positive",
            "yes",
            "--by",
            "g",
            "--format",
            "json",
        ],
    );
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["groups"]["a"]["auc"], 1.0);
    assert!(report["groups"]["b"]["auc"].is_null());
    assert_eq!(report["groups"]["b"]["n"], 2);
    assert!(
        report["groups"]["b"]["error"]
            .as_str()
            .unwrap()
            .contains("no cases")
    );
}

#[test]
fn exact_intervals_are_clopper_pearson() {
    if absent("suicide.csv") {
        return;
    }
    let report = json(&with(&SUICIDE, &["--ci", "exact"]));
    assert_eq!(report["ci_method"], "exact");
    // Se at dsi >= 2 is 32/36; its Clopper-Pearson bounds are the Beta
    // quantiles B(0.025; 32, 5) and B(0.975; 33, 4), computed independently
    // with mpmath at 40 digits.
    let row = &report["overall"]["cutoffs"][2];
    assert_eq!(row["tp"], 32);
    assert_close(
        &row["sensitivity_ci"][0],
        0.739_389_079_489_170_8,
        1e-12,
        "lower",
    );
    assert_close(
        &row["sensitivity_ci"][1],
        0.968_883_860_054_984_8,
        1e-12,
        "upper",
    );
}

// --------------------------------------------------------------- errors --

#[test]
fn non_numeric_score_names_line_column_and_value() {
    let out = run_stdin(
        "s,ref\n1,yes\n2,no\nabc,no\n",
        &["--score", "s", "--reference", "ref", "--positive", "yes"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stderr(&out), @r#"error: reading `-`: line 4, column "s": "abc" is not a number (blank, NA and . count as missing)"#);
}

#[test]
fn unknown_column_is_a_usage_error() {
    let out = run_stdin(
        "Score,ref\n1,yes\n",
        &[
            "--score",
            "score",
            "--reference",
            "ref",
            "--positive",
            "yes",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no column \"score\" (given as --score); the columns are: Score, ref (did you mean \"Score\"?)"));
}

#[test]
fn positive_value_that_never_occurs() {
    let out = run_stdin(
        "s,ref\n1,yes\n2,no\n",
        &["--score", "s", "--reference", "ref", "--positive", "Yes"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(
        "the reference value \"Yes\" does not occur in column \"ref\"; values seen: \"no\", \"yes\""
    ));
}

#[test]
fn no_non_cases_is_a_data_error() {
    let out = run_stdin(
        "s,ref\n1,yes\n2,yes\n",
        &["--score", "s", "--reference", "ref", "--positive", "yes"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no non-cases"), "{}", stderr(&out));
}

#[test]
fn usage_errors() {
    if absent("suicide.csv") {
        return;
    }
    for (args, needle) in [
        (vec!["--bootstrap", "10"], "--seed"),
        (vec!["--min-sensitivity", "1.5"], "between 0 and 1"),
        (vec!["--compare", "dsi"], "same column"),
        (vec!["--cutoff", "NaN"], "finite"),
    ] {
        let out = run(&with(&SUICIDE, &args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    let out = run(&[
        "--input",
        "tests/data/suicide.csv",
        "--reference",
        "suicide",
        "--positive",
        "yes",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_file() {
    let out = run(&with(
        &["--input", "no/such/file.csv"],
        &["--score", "s", "--reference", "r", "--positive", "p"],
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot open the input `no/such/file.csv`"));
}

// ----------------------------------------------------------- instrument --

/// A small EPDS export: ten item columns (points), the total written out as
/// well, and an interview result; deterministic pseudo-random answers.
fn epds_export(blank_item_in_row: Option<usize>) -> String {
    let mut state: u64 = 12345;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    let mut text = String::from(
        "id;EPDS1;EPDS2;EPDS3;EPDS4;EPDS5;EPDS6;EPDS7;EPDS8;EPDS9;EPDS10;total;interview\n",
    );
    for row in 0..80 {
        let case = next() % 4 == 0;
        let items: Vec<u32> = (0..10)
            .map(|_| {
                let r = next() % 100;
                let base = if case { [15, 40, 75] } else { [45, 80, 95] };
                base.iter().filter(|&&b| r >= b).count() as u32
            })
            .collect();
        let total: u32 = items.iter().sum();
        let mut cells: Vec<String> = items.iter().map(u32::to_string).collect();
        if blank_item_in_row == Some(row) {
            cells[4].clear();
        }
        text.push_str(&format!(
            "R{row};{};{total};{}\n",
            cells.join(";"),
            if case { "depressed" } else { "not depressed" }
        ));
    }
    text
}

#[test]
fn instrument_scores_items_and_reports_its_band_boundaries() {
    let data = epds_export(None);
    let base = [
        "--reference",
        "interview",
        "--positive",
        "depressed",
        "--format",
        "json",
    ];
    let computed: Value = serde_json::from_str(&stdout(&run_stdin(
        &data,
        &with(&["--instrument", "epds"], &base),
    )))
    .unwrap();
    assert_eq!(computed["score"], "epds.total");
    let pre: Vec<f64> = computed["overall"]["prespecified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| num(&r["cutoff"]))
        .collect();
    assert_eq!(
        pre,
        [10.0, 13.0],
        "EPDS band boundaries (possible >= 10, probable >= 13)"
    );
    assert!(
        computed["notes"]
            .to_string()
            .contains("band boundaries of epds.total")
    );
    // Scoring the items on the fly gives exactly the analysis of the total
    // column written in the file.
    let column: Value = serde_json::from_str(&stdout(&run_stdin(
        &data,
        &with(
            &["--score", "total", "--cutoff", "10", "--cutoff", "13"],
            &base,
        ),
    )))
    .unwrap();
    assert_eq!(computed["overall"]["cutoffs"], column["overall"]["cutoffs"]);
    assert_eq!(computed["overall"]["auc_ci"], column["overall"]["auc_ci"]);
    assert_eq!(
        computed["overall"]["prespecified"],
        column["overall"]["prespecified"]
    );
    // --cutoff replaces the band boundaries.
    let own: Value = serde_json::from_str(&stdout(&run_stdin(
        &data,
        &with(&["--instrument", "epds", "--cutoff", "11"], &base),
    )))
    .unwrap();
    assert_eq!(own["overall"]["prespecified"].as_array().unwrap().len(), 1);
}

#[test]
fn instrument_rows_with_too_many_blank_items_are_excluded() {
    // EPDS is left unscored when an item is missing (its definition's rule),
    // so the row counts as a missing score.
    let data = epds_export(Some(5));
    let report: Value = serde_json::from_str(&stdout(&run_stdin(
        &data,
        &[
            "--instrument",
            "epds",
            "--reference",
            "interview",
            "--positive",
            "depressed",
            "--format",
            "json",
        ],
    )))
    .unwrap();
    let excluded = num(&report["overall"]["excluded"]["missing_score"]);
    let n = num(&report["overall"]["n"]);
    assert_eq!(excluded + n, 80.0);
}

#[test]
fn instrument_errors() {
    let data = epds_export(None).replacen(";2;", ";7;", 1);
    let out = run_stdin(
        &data,
        &[
            "--instrument",
            "epds",
            "--reference",
            "interview",
            "--positive",
            "depressed",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a score of item epds."),
        "{}",
        stderr(&out)
    );
    let out = run_stdin(
        "id;EPDS1;interview\nA;1;no\n",
        &[
            "--instrument",
            "epds",
            "--reference",
            "interview",
            "--positive",
            "depressed",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the input lacks 9 columns"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("epds.q10"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("--map"), "{}", stderr(&out));
    let out = run_stdin(
        &epds_export(None),
        &[
            "--instrument",
            "epds",
            "--scale",
            "nope",
            "--reference",
            "interview",
            "--positive",
            "depressed",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--scale nope: epds has the scales total, anxiety"));
}
