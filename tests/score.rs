//! Batch scoring end to end: what an analyst's exports get back.

mod common;

use common::{catalog, stepcare, transcript};
use proptest::prelude::*;
use stepcare::batch::output::CsvSink;
use stepcare::batch::{BatchOptions, score_stream};
use stepcare::instrument::ValueKind;

fn run_csv(input: &str, args: &[&str]) -> std::process::Output {
    stepcare()
        .args(["score", "--input", "-"])
        .args(args)
        .write_stdin(input.to_owned())
        .output()
        .unwrap()
}

#[test]
fn readme_example_scores_every_row() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
            "--keep",
            "id",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn table_output() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
            "--keep",
            "id",
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn jsonl_is_the_documented_contract() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
            "--keep",
            "id",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows[2],
        serde_json::json!({"row": 3, "status": "ok", "keep": {"id": "A03"},
            "results": {"epds": {"scales": {"total": {"score": 17, "band": "probable"},
            "anxiety": {"score": 6, "band": null}}, "flags": []}}, "errors": []})
    );
    // Item 10 endorsed with a low total: the flag is there.
    assert_eq!(
        rows[3]["results"]["epds"]["flags"],
        serde_json::json!(["self_harm"])
    );
    assert_eq!(rows[4]["status"], "incomplete");
    assert_eq!(
        rows[4]["results"]["epds"]["scales"]["total"]["score"],
        serde_json::Value::Null
    );
    assert_eq!(rows[5]["status"], "invalid");
    assert!(
        rows[5]["errors"][0]
            .as_str()
            .unwrap()
            .contains("`EPDS3`: `4`")
    );
    // The key order is part of the contract.
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with(r#"{"row":1,"status":"ok","keep":"#)
    );
}

#[test]
fn comma_crlf_bom_and_column_name_styles() {
    let input =
        "\u{feff}Id,epds.q1,EPDS_Q2,q3,epds4,epds_05,q6,Q7,q8,q9,q10\r\nx,0,0,0,0,0,0,0,0,0,0\r\n";
    let output = run_csv(input, &["--instrument", "epds", "--keep", "id"]);
    assert!(output.status.success(), "{}", transcript(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text,
        "row,Id,status,epds.total,epds.total.band,epds.anxiety,epds.flags,errors\n1,x,ok,0,below,0,,\n"
    );
}

#[test]
fn missing_columns_are_an_error_before_any_row() {
    // A typed letter O for the zero in item 10's header, and item 9 absent.
    let input =
        "id;EPDS 1;epds2;EPDS3;EPDS4;EPDS5;EPDS6;EPDS7;EPDS8;EPDS_1O\n1;0;0;0;0;0;0;0;0;0\n";
    let output = run_csv(input, &["--instrument", "epds"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn a_column_map_names_odd_headers() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "tests/fixtures/data/odd-headers.csv",
            "--map",
            "tests/fixtures/data/odd-headers-map.yaml",
            "--values",
            "position",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    // Position 1 everywhere: items 3 and 5-10 score 3, items 1, 2 and 4 score 0.
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("1;ok;21;probable;6;self_harm"),
        "{text}"
    );
}

#[test]
fn position_and_label_values_apply_the_keying() {
    let input = "q1;q2;q3;q4;q5;q6;q7;q8;q9;q10\n1;1;1;1;1;1;1;1;1;4\n";
    let output = run_csv(input, &["--instrument", "epds", "--values", "position"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("1;ok;18;probable;6;;"), "{text}");
    let input = "q1;q2;q3;q4;q5;q6;q7;q8;q9;q10\nSom vanlig;as usual;Oftast;Never;ALDRI;Coping as usual;Never;Never;Never;Seldom\n";
    let output = run_csv(input, &["--instrument", "epds", "--values", "label"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("1;ok;4;below;3;self_harm;"), "{text}");
}

#[test]
fn extra_missing_codes() {
    let input = "q1,q2,q3,q4,q5,q6,q7,q8,q9,q10\nNA,0,0,0,0,0,0,0,0,0\n";
    let output = run_csv(input, &["--instrument", "epds", "--na", "NA"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("1,incomplete,"), "{text}");
    let output = run_csv(input, &["--instrument", "epds"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("1,invalid,"), "{text}");
}

#[test]
fn short_and_long_rows_are_invalid_not_lost() {
    let input =
        "q1,q2,q3,q4,q5,q6,q7,q8,q9,q10\n0,0,0\n0,0,0,0,0,0,0,0,0,0,0,0\n\n0,0,0,0,0,0,0,0,0,0\n";
    let output = run_csv(input, &["--instrument", "epds"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[1].starts_with("1,invalid"), "{text}");
    assert!(
        lines[1].contains("the row has 3 fields but the header has 10"),
        "{text}"
    );
    assert!(lines[2].starts_with("2,invalid"), "{text}");
    assert!(lines[3].starts_with("3,ok"), "{text}");
}

#[test]
fn strict_stops_at_the_first_invalid_row() {
    let input = "q1,q2,q3,q4,q5,q6,q7,q8,q9,q10\n0,0,0,0,0,0,0,0,0,0\n9,0,0,0,0,0,0,0,0,0\n";
    let output = run_csv(input, &["--instrument", "epds", "--strict"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("row 2 (line 3) is invalid"), "{text}");
}

#[test]
fn non_utf8_input_names_the_line_and_the_fix() {
    let mut input = b"id;q1;q2;q3;q4;q5;q6;q7;q8;q9;q10\n".to_vec();
    input.extend_from_slice(b"Bj\xf8rg;0;0;0;0;0;0;0;0;0;0\n");
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "-",
            "--keep",
            "id",
        ])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("line 2"), "{text}");
    assert!(text.contains("--encoding windows-1252"), "{text}");
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "-",
            "--keep",
            "id",
            "--encoding",
            "windows-1252",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("1;Bjørg;ok;0")
    );
}

#[test]
fn output_is_written_atomically_and_never_over_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::copy(common::root().join("examples/epds.csv"), &input).unwrap();
    let output = stepcare()
        .args(["score", "--instrument", "epds", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(common::root().join("examples/epds.csv")).unwrap()
    );
    let out = dir.path().join("out.csv");
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--format",
            "jsonl",
            "--input",
        ])
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 8);
    // Nothing but the input and the output is left in the directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn summary_on_stderr_warns_about_urgent_flags() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("8 rows read: 5 ok, 2 incomplete, 1 invalid; 2 flagged (3 urgent)"),
        "{text}"
    );
    assert!(text.contains("URGENT"), "{text}");
}

/// Scores `input` with the library and returns the CSV output.
fn score_lib(input: &str, kind: ValueKind) -> (String, stepcare::batch::Summary) {
    let epds = catalog().get("epds").unwrap();
    let options = BatchOptions {
        values: kind,
        ..BatchOptions::default()
    };
    let mut sink = CsvSink::new(Vec::new(), b',', false);
    let summary = score_stream(input.as_bytes(), &[epds], &options, &mut sink).unwrap();
    (
        String::from_utf8(sink.into_inner().unwrap()).unwrap(),
        summary,
    )
}

const HEADER: &str = "q1,q2,q3,q4,q5,q6,q7,q8,q9,q10";

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u8..4).prop_map(|p| p.to_string()),
        1 => Just(String::new()),
        1 => prop::sample::select(vec!["4", "-1", "x", "1.5", " 2 ", "\"3\""]).prop_map(str::to_owned),
    ]
}

fn row() -> impl Strategy<Value = String> {
    prop::collection::vec(cell(), 0..14).prop_map(|cells| cells.join(","))
}

proptest! {
    #[test]
    fn every_input_row_yields_exactly_one_output_row(rows in prop::collection::vec(row(), 0..40)) {
        // A line with no cells at all is not a CSV record, so give each row at least one byte.
        let rows: Vec<String> = rows.into_iter().map(|r| if r.is_empty() { ",".to_owned() } else { r }).collect();
        let input = format!("{HEADER}\n{}\n", rows.join("\n"));
        let (output, summary) = score_lib(&input, ValueKind::Points);
        prop_assert_eq!(summary.rows as usize, rows.len());
        prop_assert_eq!(summary.ok + summary.incomplete + summary.invalid, summary.rows);
        let numbers: Vec<u64> = output.lines().skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
        prop_assert_eq!(numbers, (1..=rows.len() as u64).collect::<Vec<_>>());
    }

    #[test]
    fn scores_stay_in_range(points in prop::collection::vec(prop::option::weighted(0.9, 0u8..4), 10)) {
        let cells: Vec<String> = points.iter().map(|p| p.map(|p| p.to_string()).unwrap_or_default()).collect();
        let (output, _) = score_lib(&format!("{HEADER}\n{}\n", cells.join(",")), ValueKind::Points);
        let fields: Vec<&str> = output.lines().nth(1).unwrap().split(',').collect();
        if let Ok(total) = fields[2].parse::<u32>() {
            prop_assert!(total <= 30);
            prop_assert!(points.iter().all(Option::is_some));
        }
        if let Ok(anxiety) = fields[4].parse::<u32>() {
            prop_assert!(anxiety <= 9);
        }
    }

    #[test]
    fn position_and_points_agree(positions in prop::collection::vec(1usize..=4, 10)) {
        let epds = catalog().get("epds").unwrap();
        let points: Vec<String> = positions
            .iter()
            .zip(&epds.items)
            .map(|(p, item)| item.options[p - 1].points.to_string())
            .collect();
        let positions: Vec<String> = positions.iter().map(ToString::to_string).collect();
        let (by_points, _) = score_lib(&format!("{HEADER}\n{}\n", points.join(",")), ValueKind::Points);
        let (by_position, _) = score_lib(&format!("{HEADER}\n{}\n", positions.join(",")), ValueKind::Position);
        prop_assert_eq!(by_points, by_position);
    }
}
