//! Hostile and malformed input, end to end: each test is one way a row, a
//! flag or a file used to be lost without a word (issue 10), tried against
//! the built binary.

mod common;

use std::path::Path;

use common::stepcare;

const HEADER: &str = "id;EPDS1;EPDS2;EPDS3;EPDS4;EPDS5;EPDS6;EPDS7;EPDS8;EPDS9;EPDS10";

/// `n` EPDS rows, every tenth with item 10 endorsed.
fn rows(n: usize) -> String {
    (1..=n)
        .map(|i| {
            let q10 = if i % 10 == 0 { 1 } else { 0 };
            format!("r{i};0;0;0;0;0;0;0;0;0;{q10}\n")
        })
        .collect()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn score_stdin(input: impl Into<Vec<u8>>, args: &[&str]) -> std::process::Output {
    stepcare()
        .args(["score", "--instrument", "epds", "--input", "-"])
        .args(args)
        .write_stdin(input.into())
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

// --- CSV structure -------------------------------------------------------

#[test]
fn an_unterminated_quote_names_its_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!("{HEADER}\nB;\"0;0;0;0;0;0;0;0;0;0\n{}", rows(1000));
    let input = write(dir.path(), "in.csv", input);
    let output = dir.path().join("out.csv");
    let run = stepcare()
        .args(["score", "--instrument", "epds", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("line 2: a quoted field opens here"),
        "{}",
        stderr(&run)
    );
    assert!(!output.exists(), "nothing is written to --output");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn quoted_cells_that_close_are_fine() {
    let input =
        format!("{HEADER}\n\"a;b\";0;0;0;0;0;0;0;0;0;\"1\"\n\"multi\nline\";0;0;0;0;0;0;0;0;0;0\n");
    let run = score_stdin(input, &["--keep", "id"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).starts_with("2 rows read: 2 ok"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn blank_lines_are_counted_in_the_summary() {
    let input = format!("{HEADER}\n\n{}\n\n{}", rows(3), rows(2));
    let run = score_stdin(input, &[]);
    assert!(run.status.success());
    assert!(
        stderr(&run).starts_with("5 rows read (and 3 blank lines, skipped): 5 ok"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn utf16_with_a_bom_is_decoded() {
    let text = format!("{HEADER}\n{}", rows(10));
    for big_endian in [false, true] {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        let run = score_stdin(bytes, &["--keep", "id"]);
        assert!(run.status.success(), "{}", stderr(&run));
        assert!(
            stderr(&run)
                .starts_with("10 rows read: 10 ok, 0 incomplete, 0 invalid; 1 flagged (1 urgent)"),
            "{}",
            stderr(&run)
        );
        assert_eq!(stdout(&run).lines().count(), 11);
    }
}

#[test]
fn utf16_without_a_bom_is_refused_saying_utf16() {
    let text = format!("{HEADER}\n{}", rows(2));
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let run = score_stdin(bytes, &[]);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr(&run).contains("UTF-16"), "{}", stderr(&run));
}

// --- Columns ---------------------------------------------------------------

#[test]
fn two_headers_for_one_item_are_an_error_naming_both() {
    let input = "id;EPDS1;EPDS2;EPDS3;EPDS4;EPDS5;EPDS6;EPDS7;EPDS8;EPDS9;EPDS10;EPDS 10\n\
                 a;0;0;0;0;0;0;0;0;0;0;2\n";
    let run = score_stdin(input, &[]);
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("epds.q10"), "{err}");
    assert!(
        err.contains("`EPDS10`") && err.contains("`EPDS 10`"),
        "{err}"
    );
    assert!(err.contains("--map"), "{err}");
    assert!(stdout(&run).is_empty());
}

#[test]
fn a_map_written_exactly_chooses_between_two_headers() {
    let dir = tempfile::tempdir().unwrap();
    let map = write(dir.path(), "map.yaml", "\"EPDS 10\": epds.q10\n");
    let input = "id;EPDS1;EPDS2;EPDS3;EPDS4;EPDS5;EPDS6;EPDS7;EPDS8;EPDS9;EPDS10;EPDS 10\n\
                 a;0;0;0;0;0;0;0;0;0;0;2\n";
    let run = stepcare()
        .args(["score", "--instrument", "epds", "--input", "-", "--map"])
        .arg(&map)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("self_harm"), "{}", stdout(&run));
}

#[test]
fn two_headers_for_one_kept_column_are_an_error() {
    let input = format!("id;ID;{}\na;b;0;0;0;0;0;0;0;0;0;0\n", &HEADER[3..]);
    let run = score_stdin(input, &["--keep", "id"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("`id`") && stderr(&run).contains("`ID`"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn two_headers_for_one_age_column_are_an_error() {
    let run = stepcare()
        .args(["score", "--instrument", "se-demo", "--input", "-"])
        .write_stdin("age_months;alder_maneder;q1\n12;13;1\n")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr(&run).contains("age_months"), "{}", stderr(&run));
    assert!(stderr(&run).contains("two columns"), "{}", stderr(&run));
}

// --- Options that change meaning -------------------------------------------

#[test]
fn a_not_answered_code_that_is_an_answer_is_a_usage_error() {
    let run = score_stdin(format!("{HEADER}\n{}", rows(20)), &["--na", "1"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("--na 1") && err.contains("epds.q1"), "{err}");
    assert!(stdout(&run).is_empty());
    // A code no item accepts is fine.
    let run = score_stdin(
        format!("{HEADER}\n{}", rows(20)),
        &["--na", "NA", "--na", "9"],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stderr(&run).contains("(2 urgent)"), "{}", stderr(&run));
}

#[test]
fn a_not_answered_code_is_checked_in_the_value_mode_used() {
    // `0` is no printed position, so it may mean "not answered" with --values position.
    let input = format!("{HEADER}\nr1;1;1;1;1;1;1;1;1;1;0\n");
    let run = score_stdin(input.clone(), &["--values", "position", "--na", "0"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let run = score_stdin(input, &["--values", "position", "--na", "4"]);
    assert_eq!(run.status.code(), Some(2));
}

fn score_rules(input: &str, sets: &[&str]) -> std::process::Output {
    let mut cmd = stepcare();
    cmd.args([
        "score",
        "--instrument",
        "epds",
        "--input",
        "-",
        "--rules",
        "no-default",
    ]);
    for set in sets {
        cmd.args(["--set", set]);
    }
    cmd.write_stdin(input.to_owned()).output().unwrap()
}

#[test]
fn set_for_a_column_the_input_has_is_a_usage_error() {
    let input = format!("{HEADER};respondent\nr1;0;0;0;0;0;0;0;0;0;0;partner\n");
    let run = score_rules(&input, &["respondent=mother"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains("--set respondent") && err.contains("column `respondent`"),
        "{err}"
    );
    assert!(stdout(&run).is_empty());
}

#[test]
fn set_with_an_unknown_name_lists_the_tables_columns() {
    let input = format!("{HEADER}\n{}", rows(2));
    let run = score_rules(&input, &["respondnet=mother"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("reads no column `respondnet`"), "{err}");
    assert!(err.contains("did you mean respondent?"), "{err}");
    assert!(err.contains("respondent (one of"), "{err}");
}

#[test]
fn set_twice_is_an_error() {
    let input = format!("{HEADER}\n{}", rows(2));
    let run = score_rules(&input, &["respondent=mother", "respondent=partner"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("given twice"), "{}", stderr(&run));
}

#[test]
fn set_with_an_invalid_value_says_what_is_accepted() {
    let input = format!("{HEADER}\n{}", rows(2));
    let run = score_rules(&input, &["respondent=mor"]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.contains("--set respondent=mor: `mor` is not a value of respondent; it accepts one of"),
        "{err}"
    );
    assert!(err.contains("`mother`"), "{err}");
    assert!(
        !err.contains("lacks"),
        "not reported as a missing column: {err}"
    );
}

#[test]
fn explain_with_an_item_twice_is_an_error() {
    let run = stepcare()
        .args([
            "explain",
            "--rules",
            "no-default",
            "--instrument",
            "epds",
            "--set",
            "respondent=mother",
            "--answers",
            "q1=0,q2=0,q3=0,q4=0,q5=0,q6=0,q7=0,q8=0,q9=0,q10=0,q10=2",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("epds.q10 is given twice"),
        "{}",
        stderr(&run)
    );
}

// --- Output paths ----------------------------------------------------------

fn score_to(input: &Path, output: &Path) -> std::process::Output {
    stepcare()
        .args(["score", "--instrument", "epds", "--input"])
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()
        .unwrap()
}

#[test]
fn the_output_is_never_the_input_read_from_standard_input() {
    let dir = tempfile::tempdir().unwrap();
    let original = format!("{HEADER}\n{}", rows(3));
    let input = write(dir.path(), "in.csv", &original);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("stepcare"));
    let run = cmd
        .args(["score", "--instrument", "epds", "--input", "-", "--output"])
        .arg(&input)
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("never overwrites its input"),
        "{}",
        stderr(&run)
    );
    assert_eq!(std::fs::read_to_string(&input).unwrap(), original);
}

#[cfg(unix)]
#[test]
fn the_output_is_never_the_input_under_another_name() {
    let dir = tempfile::tempdir().unwrap();
    let original = format!("{HEADER}\n{}", rows(3));
    let input = write(dir.path(), "in.csv", &original);
    let hard = dir.path().join("hard.csv");
    std::fs::hard_link(&input, &hard).unwrap();
    let soft = dir.path().join("soft.csv");
    std::os::unix::fs::symlink(&input, &soft).unwrap();
    for output in [&hard, &soft] {
        let run = score_to(&input, output);
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
        assert_eq!(std::fs::read_to_string(&input).unwrap(), original);
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_stays_a_link_and_its_target_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", format!("{HEADER}\n{}", rows(3)));
    std::fs::create_dir(dir.path().join("results")).unwrap();
    let target = write(&dir.path().join("results"), "real.csv", "old\n");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("results/real.csv", &link).unwrap();
    let run = score_to(&input, &link);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.starts_with("row;status;"), "{written}");
    // A link to a file not there yet: the file is created where it points.
    let dangling = dir.path().join("dangling.csv");
    std::os::unix::fs::symlink("results/new.csv", &dangling).unwrap();
    let run = score_to(&input, &dangling);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(dir.path().join("results/new.csv").is_file());
}

#[cfg(unix)]
#[test]
fn special_files_are_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", format!("{HEADER}\n{}", rows(3)));
    let run = score_to(&input, Path::new("/dev/null"));
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    let fifo = dir.path().join("out.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let run = score_to(&input, &fifo);
    assert!(run.status.success(), "{}", stderr(&run));
    let read = reader.join().unwrap();
    assert_eq!(read.lines().count(), 4, "{read}");
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());

    let run = score_to(&input, dir.path());
    assert_eq!(run.status.code(), Some(2), "a directory is refused");
}

#[cfg(unix)]
#[test]
fn new_outputs_are_owner_only_and_existing_ones_keep_their_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", format!("{HEADER}\n{}", rows(3)));
    let fresh = dir.path().join("fresh.csv");
    assert!(score_to(&input, &fresh).status.success());
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let shared = write(dir.path(), "shared.csv", "old");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(score_to(&input, &shared).status.success());
    let mode = std::fs::metadata(&shared).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

/// Waits until `dir` holds a file whose name starts with `.stepcare-`.
#[cfg(unix)]
fn wait_for_temporary(dir: &Path) -> bool {
    for _ in 0..200 {
        let found = std::fs::read_dir(dir).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".stepcare-")
        });
        if found {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    false
}

#[cfg(unix)]
#[test]
fn a_signal_removes_the_temporary_file() {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    for signal in ["INT", "TERM", "HUP"] {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("out.csv");
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("stepcare"))
            .args(["score", "--instrument", "epds", "--input", "-", "--output"])
            .arg(&output)
            .stdin(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Rows arrive, then the input stalls, as a slow pipe would.
        stdin
            .write_all(format!("{HEADER}\n{}", rows(5000)).as_bytes())
            .unwrap();
        stdin.flush().unwrap();
        assert!(wait_for_temporary(dir.path()), "the temporary file appears");
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert!(!status.success(), "SIG{signal}: {status:?}");
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(left.is_empty(), "SIG{signal} left {left:?}");
    }
}

// --- Spreadsheet safety ------------------------------------------------------

#[test]
fn formulas_from_the_input_are_neutralised_in_csv_only() {
    let input = format!(
        "{HEADER}\n=HYPERLINK(\"http://evil\");0;0;0;0;0;0;0;0;0;0\n@SUM(A1);0;0;0;0;0;0;0;0;0;0\n+cmd;0;0;0;0;0;0;0;0;0;0\n-1;0;0;0;0;0;0;0;0;0;0\n\tx;0;0;0;0;0;0;0;0;0;=9\n"
    );
    let run = score_stdin(input.clone(), &["--keep", "id"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    let ids: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|l| l.split(';').nth(1).unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "\"'=HYPERLINK(\"\"http://evil\"\")\"",
            "'@SUM(A1)",
            "'+cmd",
            "-1",
            "'\tx"
        ]
    );
    // A message quoting a cell is neutralised where it starts, and shows the cell.
    assert!(out.contains("`=9` is not an answer"), "{out}");
    let run = score_stdin(input, &["--keep", "id", "--format", "jsonl"]);
    let out = stdout(&run);
    assert!(
        out.contains(r#""id":"=HYPERLINK(\"http://evil\")""#),
        "{out}"
    );
    assert!(out.contains(r#""id":"@SUM(A1)""#), "{out}");
}

#[test]
fn invisible_characters_in_a_cell_are_shown() {
    let input = format!("{HEADER}\nr1;0\u{a0};0;0;0;0;0;0;0;0;\u{0}1\n");
    let run = score_stdin(input, &[]);
    let out = stdout(&run);
    assert!(out.contains("`0<NBSP>` is not an answer"), "{out}");
    assert!(out.contains("`<U+0000>1` is not an answer"), "{out}");
}

// --- Bounded resources -------------------------------------------------------

#[test]
fn a_header_line_without_end_is_refused_with_a_bound() {
    let mut input = b"id;".to_vec();
    input.extend(std::iter::repeat_n(b'x', 17 << 20));
    let run = score_stdin(input, &[]);
    assert_eq!(run.status.code(), Some(1));
    assert!(
        stderr(&run).contains("line 1 is longer than 16 MiB"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_huge_rule_table_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"id: x\nsource: \"".to_vec();
    text.extend(std::iter::repeat_n(b'a', 5 << 20));
    text.extend(b"\"\n");
    let table = write(dir.path(), "big.yaml", text);
    let run = stepcare().arg("validate").arg(&table).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("at most 4 MiB"), "{err}");
    assert!(
        err.len() < 2000,
        "the line is not echoed: {} bytes",
        err.len()
    );
}

#[cfg(unix)]
#[test]
fn visit_save_refuses_a_device_and_a_huge_header() {
    // The target is checked before the first question: a usage error (exit 2).
    let answers = "1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n";
    let run = stepcare()
        .args([
            "visit",
            "--lang",
            "en",
            "--instrument",
            "epds",
            "--save",
            "/dev/full",
        ])
        .write_stdin(answers)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("not a regular file"),
        "{}",
        stderr(&run)
    );
    let dir = tempfile::tempdir().unwrap();
    let save = write(dir.path(), "visits.csv", "x".repeat(1 << 20));
    let run = stepcare()
        .args(["visit", "--lang", "en", "--instrument", "epds", "--save"])
        .arg(&save)
        .write_stdin(answers)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(err.contains("not a file of saved visits"), "{err}");
    assert!(
        err.len() < 4000,
        "the line is not echoed: {} bytes",
        err.len()
    );
}

#[test]
fn cutoffs_show_a_bounded_table_and_list_every_cutoff_in_csv() {
    let mut input = String::from("score,ref\n");
    for i in 0..500 {
        let case = i % 3 == 0;
        input.push_str(&format!(
            "{}.{:03},{}\n",
            i / 50 + usize::from(case),
            i,
            if case { "yes" } else { "no" }
        ));
    }
    let run = stepcare()
        .args([
            "cutoffs",
            "--input",
            "-",
            "--score",
            "score",
            "--reference",
            "ref",
            "--positive",
            "yes",
            "--cutoff",
            "5",
        ])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(out.contains("Selected cutoffs"), "{out}");
    assert!(out.lines().count() < 80, "{} lines", out.lines().count());
    let run = stepcare()
        .args([
            "cutoffs",
            "--input",
            "-",
            "--score",
            "score",
            "--reference",
            "ref",
            "--positive",
            "yes",
            "--format",
            "csv",
        ])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(stdout(&run).lines().count(), 501);
}

// --- Messages for people -----------------------------------------------------

/// `text` with a Windows-1252 `é` (0xE9) at the end of line `line`.
fn with_latin1_byte(text: &str, line: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, content) in text.split_inclusive('\n').enumerate() {
        let content = content.as_bytes();
        if n + 1 == line {
            let end = content.len() - usize::from(content.ends_with(b"\n"));
            out.extend_from_slice(&content[..end]);
            out.extend_from_slice(b" # caf\xe9");
            out.extend_from_slice(&content[end..]);
        } else {
            out.extend_from_slice(content);
        }
    }
    out
}

/// Asserts that a message names `path`, line `line`, says UTF-8, and uses no library words.
fn assert_not_utf8_at(err: &str, path: &Path, line: usize) {
    let place = format!("{}:{line}:", path.display());
    assert!(err.contains(&place), "{place} not in {err}");
    assert!(err.contains("not UTF-8"), "{err}");
    assert!(!err.contains("stream did not contain"), "{err}");
}

#[test]
fn yaml_that_is_not_utf8_is_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    // An instrument: by validate, and in a folder given with --instruments.
    let gad2 = std::fs::read_to_string("instruments/gad2.yaml").unwrap();
    let folder = dir.path().join("local");
    std::fs::create_dir(&folder).unwrap();
    let instrument = write(&folder, "gad2-local.yaml", with_latin1_byte(&gad2, 12));
    let run = stepcare()
        .arg("validate")
        .arg(&instrument)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_not_utf8_at(&stderr(&run), &instrument, 12);
    let run = stepcare()
        .args(["list", "--instruments"])
        .arg(&folder)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_not_utf8_at(&stderr(&run), &instrument, 12);

    // A rule table, given to score.
    let table = std::fs::read_to_string("instruments/rules/no-default.yaml").unwrap();
    let table = write(dir.path(), "table.yaml", with_latin1_byte(&table, 20));
    let run = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
        ])
        .arg("--rules")
        .arg(&table)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_not_utf8_at(&stderr(&run), &table, 20);
    assert!(stdout(&run).is_empty(), "nothing scored");

    // A text pack.
    let pack = std::fs::read_to_string("tests/fixtures/texts/epds-invented-en.yaml").unwrap();
    let pack = write(dir.path(), "pack.yaml", with_latin1_byte(&pack, 7));
    let run = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
        ])
        .arg("--texts")
        .arg(&pack)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_not_utf8_at(&stderr(&run), &pack, 7);

    // validate goes on with the other files, and says which one failed.
    let run = stepcare()
        .arg("validate")
        .arg(&pack)
        .arg("instruments/gad2.yaml")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_not_utf8_at(&stderr(&run), &pack, 7);
    assert!(
        stdout(&run).contains("ok     instruments/gad2.yaml"),
        "{}",
        stdout(&run)
    );
}

#[test]
fn a_tab_in_a_rule_table_is_a_rule_table_error_at_the_tab() {
    let dir = tempfile::tempdir().unwrap();
    let table = std::fs::read_to_string("instruments/rules/no-default.yaml").unwrap();
    let line = table.lines().position(|l| l.starts_with("  en: ")).unwrap() + 1;
    let tabbed = table.replacen("\n  en: ", "\n\ten: ", 1);
    let table = write(dir.path(), "table.yaml", tabbed);
    let run = stepcare().arg("validate").arg(&table).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    let (out, err) = (stdout(&run), stderr(&run));
    assert!(
        out.contains("FAILED") && out.contains("rule table"),
        "{out}"
    );
    assert!(!out.contains("instrument"), "{out}");
    assert!(err.contains("a tab character"), "{err}");
    assert!(
        err.contains(&format!("{}:{line}:1", table.display())),
        "the tab's own line {line}: {err}"
    );
    assert!(!err.contains("while scanning"), "{err}");
    let run = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
        ])
        .arg("--rules")
        .arg(&table)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    assert!(err.contains("the rule table"), "{err}");
    assert!(err.contains("a tab character"), "{err}");
}

#[test]
fn points_no_cell_can_hold_are_refused_at_validate() {
    let dir = tempfile::tempdir().unwrap();
    let gad2 = std::fs::read_to_string("instruments/gad2.yaml").unwrap();
    let line = gad2.lines().position(|l| l == "    - points: 3").unwrap() + 1;
    for (points, refused) in [
        ("1000000000", true),
        ("-1000000000", true),
        ("999999999", false),
    ] {
        let text = gad2.replacen("    - points: 3\n", &format!("    - points: {points}\n"), 1);
        let file = write(dir.path(), "gad2-wide.yaml", text);
        let err = stderr(&stepcare().arg("validate").arg(&file).output().unwrap());
        let place = format!("{}:{line}:15", file.display());
        assert_eq!(
            err.contains("can never be read from a cell") && err.contains(&place),
            refused,
            "{points}: {err}"
        );
    }
}

#[test]
fn the_template_reports_every_placeholder_at_once_in_words() {
    let template = "instruments/templates/asqse2-template.yaml.example";
    let text = std::fs::read_to_string(template).unwrap();
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.split(" #").next().unwrap().contains("REPLACE_ME"))
        .filter(|(_, l)| !l.trim_start().starts_with('#'))
        .map(|(n, _)| n + 1)
        .collect();
    assert!(lines.len() > 20, "{lines:?}");
    let run = stepcare().arg("validate").arg(template).output().unwrap();
    assert_eq!(run.status.code(), Some(1));
    let err = stderr(&run);
    for line in &lines {
        assert!(
            err.contains(&format!("{template}:{line}:")),
            "line {line}: {err}"
        );
    }
    assert!(err.contains(&format!("{} errors", lines.len())), "{err}");
    assert!(err.contains("`concern.points` still holds"), "{err}");
    assert!(
        err.contains("`age.correction.term_weeks` still holds"),
        "{err}"
    );
    for word in ["i32", "invalid", "serde", "expected a"] {
        assert!(!err.contains(word), "{word}: {err}");
    }
}
