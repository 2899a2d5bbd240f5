//! Hints after `score` (issue 10): an item whose cells are mostly not answers
//! gets the option that reads them, values that fit printed positions better
//! than points get a warning, and a missing item is named. Each hint that
//! suggests options is taken at its word: run again with them, every cell reads.

mod common;

use common::stepcare;

const HEADER: &str = "id;EPDS1;EPDS2;EPDS3;EPDS4;EPDS5;EPDS6;EPDS7;EPDS8;EPDS9;EPDS10";

/// `n` EPDS rows whose ten cells are taken in turn from `cells`, shifted per row.
fn rows(n: usize, cells: &[&str]) -> String {
    let mut out = format!("{HEADER}\n");
    for row in 0..n {
        let values: Vec<&str> = (0..10)
            .map(|i| cells[(row * 3 + i * 7) % cells.len()])
            .collect();
        out.push_str(&format!("r{row};{}\n", values.join(";")));
    }
    out
}

fn score(input: &str, args: &[&str]) -> (String, String) {
    let run = stepcare()
        .args(["score", "--instrument", "epds", "--input", "-"])
        .args(args)
        .write_stdin(input.to_owned())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    (
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

fn hints(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("hint: ")).collect()
}

/// The options a hint says to run again with.
fn suggested(hint: &str) -> Vec<String> {
    let (_, options) = hint.split_once("run again with ").expect(hint);
    let options = options.split(',').next().unwrap();
    options.split_whitespace().map(str::to_owned).collect()
}

/// "N rows read: A ok, B incomplete, C invalid": C.
fn invalid_rows(stderr: &str) -> u64 {
    let line = stderr.lines().find(|l| l.contains(" rows read: ")).unwrap();
    let (_, rest) = line.split_once(" incomplete, ").unwrap();
    rest.split(' ').next().unwrap().parse().unwrap()
}

/// Runs `input`, expects exactly one hint containing `wanted` that suggests
/// `options`, and checks that running again with them leaves no invalid row.
fn hint_reads_every_cell(input: &str, args: &[&str], wanted: &str, options: &[&str]) {
    let (_, err) = score(input, args);
    assert!(invalid_rows(&err) > 0, "{err}");
    let found: Vec<&str> = hints(&err)
        .into_iter()
        .filter(|h| h.contains("most cells are not answers"))
        .collect();
    assert_eq!(found.len(), 1, "{err}");
    assert!(found[0].contains(wanted), "{wanted}: {err}");
    let given = suggested(found[0]);
    assert_eq!(given, options, "{err}");
    // The suggested --values replaces the one given.
    let mut again: Vec<&str> = Vec::new();
    let mut rest = args.iter();
    while let Some(&arg) = rest.next() {
        if arg == "--values" && given.iter().any(|g| g == "--values") {
            rest.next();
        } else {
            again.push(arg);
        }
    }
    again.extend(given.iter().map(String::as_str));
    let (_, err) = score(input, &again);
    assert_eq!(invalid_rows(&err), 0, "{again:?}: {err}");
    assert!(
        hints(&err)
            .iter()
            .all(|h| !h.contains("most cells are not answers")),
        "{err}"
    );
}

#[test]
fn labels_read_as_points_suggest_values_label() {
    // Each item's own short labels (see `stepcare show epds`).
    let mut input = format!("{HEADER}\n");
    for row in 0..12 {
        let (first, sixth, other) = if row % 2 == 0 {
            ("As usual", "Coping as usual", "Never")
        } else {
            ("Somewhat less than before", "Mostly coping", "Seldom")
        };
        input.push_str(&format!(
            "r{row};{first};{first};{other};{other};{other};{sixth};{other};{other};{other};{other}\n"
        ));
    }
    hint_reads_every_cell(
        &input,
        &[],
        "epds.q1, epds.q2, epds.q3 and 7 more items",
        &["--values", "label"],
    );
}

#[test]
fn a_file_that_mixes_labels_and_points_is_told_so() {
    let mut input = format!("{HEADER}\n");
    for row in 0..12 {
        let first = ["As usual", "Somewhat less than before"][row % 2];
        input.push_str(&format!("r{row};{first};{first};0;1;0;1;0;0;1;0\n"));
    }
    let (_, err) = score(&input, &[]);
    let found = hints(&err);
    assert_eq!(found.len(), 1, "{err}");
    assert!(
        found[0]
            .starts_with("hint: epds.q1 and epds.q2: most cells are not answers (for example `"),
        "{err}"
    );
    assert!(found[0].contains("read as option labels, every cell is an answer, but the answers of epds.q3, epds.q4, epds.q5 and 5 more items would then not be: the export mixes kinds of values"), "{err}");
}

#[test]
fn positions_read_as_points_suggest_values_position() {
    // Printed positions 1-4, the last option often: 4 is never a point of an EPDS item.
    let input = rows(40, &["4", "1", "4", "2", "4", "3", "4"]);
    hint_reads_every_cell(&input, &[], "for example `4`", &["--values", "position"]);
}

#[test]
fn points_read_as_positions_suggest_values_points() {
    let input = rows(40, &["0", "1", "0", "2", "0", "3", "0"]);
    hint_reads_every_cell(
        &input,
        &["--values", "position"],
        "for example `0`",
        &["--values", "points"],
    );
}

#[test]
fn a_code_for_not_answered_suggests_na() {
    let mut input = format!("{HEADER}\n");
    for row in 0..20 {
        let q10 = if row % 5 == 0 { "0" } else { "NA" };
        input.push_str(&format!("r{row};0;1;0;2;0;1;0;0;1;{q10}\n"));
    }
    hint_reads_every_cell(&input, &[], "epds.q10: most cells", &["--na", "NA"]);
}

#[test]
fn positions_with_a_code_suggest_both() {
    let input = rows(30, &["1", "4", "99", "2", "99", "4", "3"]);
    hint_reads_every_cell(
        &input,
        &[],
        "every cell is an answer or `99`",
        &["--values", "position", "--na", "99"],
    );
}

#[test]
fn words_of_another_item_are_never_suggested_as_not_answered() {
    // "Seldom" is a label of other EPDS items: never offered as --na.
    let input = rows(20, &["Seldom", "Never"]);
    let (_, err) = score(&input, &[]);
    for hint in hints(&err) {
        assert!(!hint.contains("--na"), "{hint}");
    }
}

#[test]
fn values_that_fit_positions_better_get_a_warning_even_when_all_are_valid() {
    // 1-3 only: every cell is a valid point, but no cell in 40 rows is 0.
    let input = rows(40, &["1", "2", "1", "3", "2", "1"]);
    let (out, err) = score(&input, &[]);
    assert_eq!(invalid_rows(&err), 0, "{err}");
    assert!(out.lines().count() == 41);
    let found = hints(&err);
    assert_eq!(found.len(), 1, "{err}");
    assert!(
        found[0].contains("the values fit printed positions (1-4) better than points (0-3)"),
        "{err}"
    );
    assert_eq!(suggested(found[0]), ["--values", "position"]);

    // Cells at 4 and none at 0: a warning even with a few rows.
    let input = rows(3, &["1", "4", "2"]);
    let (_, err) = score(&input, &[]);
    assert!(
        hints(&err)
            .iter()
            .any(|h| h.contains("fit printed positions")),
        "{err}"
    );

    // Real points (with 0s), or too few rows to tell: no warning.
    for input in [
        rows(40, &["0", "1", "2", "3", "1"]),
        rows(5, &["1", "2", "3"]),
    ] {
        let (_, err) = score(&input, &[]);
        assert!(hints(&err).is_empty(), "{err}");
    }
}

#[test]
fn missing_items_are_named_the_critical_one_first() {
    let input = format!("{HEADER}\nr1;0;0;;0;0;0;0;0;0;\nr2;0;0;0;0;0;0;0;0;0;0\n");
    let (out, err) = score(&input, &["--keep", "id"]);
    let row = out.lines().nth(1).unwrap();
    assert!(
        row.contains("epds.total: 2 of 10 items missing (none may be): q10 (critical), q3"),
        "{row}"
    );
    assert!(
        row.contains("epds.anxiety: 1 of 3 items missing (none may be): q3"),
        "{row}"
    );
    assert!(
        err.contains("WARNING: 1 row leaves a critical item unanswered (epds.q10)"),
        "{err}"
    );
}
