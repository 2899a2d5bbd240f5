//! `stepcare visit` fit for a real consultation (issue 11): critical items,
//! the acknowledgement, the one-screen result, the clinical context, saving
//! that never loses a visit, the journal note, languages and scripts.
//!
//! EPDS keying, for reading the inputs: items 1, 2 and 4 score 0-1-2-3 from
//! the first printed option, the others 3-2-1-0.

mod common;

use common::{stepcare, transcript};

fn visit(args: &[&str], input: &str) -> std::process::Output {
    stepcare()
        .arg("visit")
        .args(args)
        .write_stdin(input)
        .output()
        .expect("stepcare runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// EPDS 16 (items 1-9), item 10 "Never".
const SIXTEEN: &str = "2\n2\n2\n3\n2\n2\n2\n2\n2\n4\n";
/// EPDS items 1-9 at 15 points, item 10 left empty.
const ITEM_10_SKIPPED: &str = "2\n2\n2\n2\n2\n2\n2\n2\n2\n\n";

#[test]
fn a_skipped_self_harm_item_is_unknown_and_urgent_never_no_flag() {
    let output = visit(&["--lang", "nb", "--rules", "no-default"], ITEM_10_SKIPPED);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    // Said at once, right after the empty line, and at the top of the result.
    let skipped = stderr.rfind("tom linje)> \n").expect("item 10 left empty");
    let warned = stderr
        .find("!!! HASTAR")
        .or_else(|| stderr.find("!!! HASTER: Tanker om selvskading er ukjent"))
        .expect("warned at once");
    assert!(warned > skipped, "{stderr}");
    assert!(
        stdout.trim_start().starts_with(
            "!!! HASTER: Tanker om selvskading er ukjent: EPDS spørsmål 10 er ikke besvart."
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Spør om EPDS spørsmål 10 nå"), "{stdout}");
    assert!(!stdout.contains("Flagg                  ingen"), "{stdout}");
    assert!(
        stdout.contains("HASTER: Tanker om selvskading (ukjent, spørsmål 10 ikke besvart)"),
        "{stdout}"
    );
}

#[test]
fn a_bad_save_target_fails_before_the_first_question() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        dir.path().join("no-such-dir").join("visits.csv"),
        dir.path().to_path_buf(),
    ];
    for target in cases {
        let output = visit(
            &["--lang", "nb", "--save", target.to_str().unwrap()],
            SIXTEEN,
        );
        assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
        let stderr = text(&output.stderr);
        assert!(stderr.contains("ingen spørsmål er stilt"), "{stderr}");
        assert!(!stderr.contains("1/10"), "no question was asked: {stderr}");
        assert!(output.stdout.is_empty());
    }
    // A file with other columns: refused before the first question, left alone.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "row,something\n1,2\n").unwrap();
    let output = visit(
        &["--lang", "en", "--save", other.to_str().unwrap()],
        SIXTEEN,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("other columns than this visit"));
    assert!(!text(&output.stderr).contains("1/10"));
    assert_eq!(
        std::fs::read_to_string(&other).unwrap(),
        "row,something\n1,2\n"
    );
}

/// The directory of the save file disappears during the visit: the result is
/// printed whole, the failure said plainly, exit 1.
#[cfg(unix)]
#[test]
fn a_failed_save_after_the_visit_still_prints_the_result() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("visits");
    std::fs::create_dir(&sub).unwrap();
    let save = sub.join("visits.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepcare"))
        .args(["visit", "--lang", "en", "--rules", "no-default", "--save"])
        .arg(&save)
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("1/10") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the visit started"
        );
    }
    std::fs::remove_dir_all(&sub).unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(SIXTEEN.as_bytes())
        .unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("EPDS total                16"), "{stdout}");
    assert!(stdout.contains("Rules that fired"), "{stdout}");
    assert!(rest.contains("!!! The visit was NOT saved in"), "{rest}");
}

#[test]
fn a_rescreen_given_with_set_changes_the_level_and_the_rest_is_not_assessed() {
    let plain = visit(&["--lang", "en", "--rules", "no-default"], SIXTEEN);
    let rescreen = visit(
        &[
            "--lang",
            "en",
            "--rules",
            "no-default",
            "--set",
            "previous_level=2",
        ],
        SIXTEEN,
    );
    assert_eq!(rescreen.status.code(), Some(0));
    let plain = text(&plain.stdout);
    let rescreen = text(&rescreen.stdout);
    assert!(plain.contains("Recommended care level: Level 2"), "{plain}");
    assert!(
        rescreen.contains("Recommended care level: Level 3"),
        "{rescreen}"
    );
    assert!(
        rescreen.contains("Level at the previous screen: Level 2"),
        "{rescreen}"
    );
    assert!(
        plain.contains("Not assessed: Level at the previous screen;"),
        "{plain}"
    );
    assert!(!rescreen.contains("Not assessed: Level at the previous screen"));
}

#[test]
fn set_is_checked_like_score_before_the_first_question() {
    for args in [
        &["--set", "previous_level=2"][..],
        &["--rules", "no-default", "--set", "previous_level=9"],
        &["--rules", "no-default", "--set", "no_such_column=1"],
        &["--rules", "no-default", "--set", "previous_level"],
    ] {
        let output = visit(args, SIXTEEN);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            transcript(&output)
        );
        assert!(!text(&output.stderr).contains("1/10"));
    }
}

#[test]
fn format_jsonl_prints_one_json_object() {
    let output = visit(
        &[
            "--lang",
            "en",
            "--rules",
            "no-default",
            "--format",
            "jsonl",
            "--date",
            "2026-11-23",
            "--id",
            "H-1",
        ],
        ITEM_10_SKIPPED,
    );
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value["visit"]["date"], "2026-11-23");
    assert_eq!(value["visit"]["id"], "H-1");
    assert_eq!(value["visit"]["respondent"], "mother");
    assert_eq!(
        value["results"]["epds"]["scales"]["total"]["score"],
        serde_json::Value::Null
    );
    assert!(value["care"].is_object());
    assert!(value["visit"]["not_assessed"].as_array().unwrap().len() >= 3);
}

#[test]
fn a_jsonl_file_holds_visits_with_any_instruments() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.jsonl");
    let path = save.to_str().unwrap();
    let first = visit(&["--lang", "en", "--save", path], SIXTEEN);
    assert_eq!(first.status.code(), Some(0), "{}", transcript(&first));
    let second = visit(
        &["--lang", "sv", "--save", path, "--instrument", "phq9"],
        "1\n1\n1\n1\n1\n1\n1\n1\n1\n",
    );
    assert_eq!(second.status.code(), Some(0), "{}", transcript(&second));
    assert!(text(&second.stderr).contains("Sparat som rad 2"));
    let saved = stepcare::visit_record::read_saved(&save).unwrap();
    assert_eq!(saved.len(), 2);
    assert_eq!(saved[0].fields["visit.instruments"], "[\"epds\"]");
    assert_eq!(saved[1].fields["visit.instruments"], "[\"phq9\"]");
    assert!(
        saved[0]
            .fields
            .contains_key("results.epds.scales.total.score")
    );
    assert!(
        saved[1]
            .fields
            .contains_key("results.phq9.scales.total.score")
    );
}

#[test]
fn nordic_csv_files_use_semicolons_and_keep_the_visit_date_apart() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("besok.csv");
    let output = visit(
        &[
            "--lang",
            "nn",
            "--save",
            save.to_str().unwrap(),
            "--date",
            "2026-11-20",
        ],
        SIXTEEN,
    );
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let csv = std::fs::read_to_string(&save).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("row;id;visit_date;timestamp;respondent;status;")
    );
    let row = lines.next().unwrap();
    assert!(row.starts_with("1;;2026-11-20;"), "{row}");
    let saved = stepcare::visit_record::read_saved(&save).unwrap();
    assert_eq!(
        saved[0].visit_date.map(|d| d.to_string()).as_deref(),
        Some("2026-11-20")
    );
}

#[test]
fn an_identity_number_as_id_is_warned_about() {
    let output = visit(&["--lang", "nb", "--id", "01019012480"], SIXTEEN);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        text(&output.stderr).contains("Advarsel: --id ser ut som et norsk fødselsnummer"),
        "{}",
        text(&output.stderr)
    );
    let output = visit(&["--lang", "sv", "--id", "811218-9876"], SIXTEEN);
    assert!(text(&output.stderr).contains("svenskt personnummer"));
    let output = visit(&["--lang", "en", "--id", "H-2291"], SIXTEEN);
    assert!(!text(&output.stderr).contains("Warning: --id"));
}

/// The result and the journal note in every UI language, for a visit with
/// item 10 endorsed and a rule table.
#[test]
fn the_result_and_the_journal_note_in_every_language() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["nb", "nn", "sv", "en"] {
        let note = dir.path().join(format!("note-{lang}.txt"));
        let table = if lang == "sv" {
            "se-default"
        } else {
            "no-default"
        };
        let output = visit(
            &[
                "--lang",
                lang,
                "--rules",
                table,
                "--date",
                "2026-11-23",
                "--note",
                note.to_str().unwrap(),
            ],
            "2\n2\n2\n3\n2\n2\n2\n2\n2\n3\n",
        );
        assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
        insta::assert_snapshot!(format!("result_{lang}"), text(&output.stdout));
        insta::assert_snapshot!(
            format!("note_{lang}"),
            std::fs::read_to_string(&note).unwrap()
        );
    }
}

/// A pack in Arabic and one in Tigrinya script (short invented texts written
/// for this test, not instrument wording): the family reads them while the
/// screens stay in the clinician's language.
#[test]
fn text_packs_in_any_language_leave_the_screens_in_the_clinicians() {
    let dir = tempfile::tempdir().unwrap();
    let arabic = dir.path().join("epds-ar.yaml");
    std::fs::write(
        &arabic,
        "instrument: epds\nlanguage: ar\nitems:\n  q1:\n    text: \"سؤال تجريبي واحد\"\n    options:\n      1: \"خيار أ\"\n      2: \"خيار ب\"\n",
    )
    .unwrap();
    let output = visit(
        &["--lang", "nb", "--texts", arabic.to_str().unwrap()],
        SIXTEEN,
    );
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("1/10 سؤال تجريبي واحد"), "{stderr}");
    assert!(stderr.contains("1. خيار أ"), "{stderr}");
    assert!(stderr.contains("Svar (1-4, b, tom linje)> "), "{stderr}");
    assert!(stderr.contains("«ar»"), "{stderr}");
    let tigrinya = dir.path().join("epds-ti.yaml");
    std::fs::write(
        &tigrinya,
        "instrument: epds\nlanguage: ti-ER\nitems:\n  q2:\n    text: \"ፈተና ሕቶ ክልተ\"\n",
    )
    .unwrap();
    let output = visit(
        &["--lang", "sv", "--texts", tigrinya.to_str().unwrap()],
        SIXTEEN,
    );
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("2/10 ፈተና ሕቶ ክልተ"), "{stderr}");
    assert!(
        stderr.contains("1/10 Humor och skratt") || stderr.contains("1/10 "),
        "{stderr}"
    );
    assert!(text(&output.stdout).contains("· Besvarad av: mamma"));
    // Not a language tag at all: refused with the file and line.
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "instrument: epds\nlanguage: \"Arabic!\"\nitems: {}\n").unwrap();
    let output = visit(&["--texts", bad.to_str().unwrap()], SIXTEEN);
    assert_ne!(output.status.code(), Some(0));
    assert!(text(&output.stderr).contains("not a language tag"));
}

#[test]
fn nynorsk_is_a_language_of_the_visit() {
    let output = visit(&["--lang", "nn"], SIXTEEN);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("· Svart av: mor"), "{stdout}");
    assert!(stdout.contains("ikkje ein diagnose"), "{stdout}");
    let output = visit(&[], SIXTEEN);
    assert_eq!(output.status.code(), Some(0));
    let output = stepcare()
        .args(["visit"])
        .env("LANG", "nn_NO.UTF-8")
        .write_stdin(SIXTEEN)
        .output()
        .unwrap();
    assert!(text(&output.stdout).contains("Svart av: mor"));
}

/// Scripts keep exactly one line per item: with a rule table and a context
/// the line front end asks nothing more.
#[test]
fn the_line_front_end_reads_exactly_one_line_per_item() {
    let output = visit(&["--lang", "en", "--rules", "no-default"], SIXTEEN);
    assert_eq!(output.status.code(), Some(0));
    // Eleven lines: the visit ends after the tenth, the eleventh is never read.
    let output = visit(
        &["--lang", "en", "--rules", "no-default"],
        &format!("{SIXTEEN}garbage\n"),
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr).matches("Answer (1-4").count(), 10);
}

/// The terminal front end, driven in a pseudo-terminal.
#[cfg(unix)]
mod terminal {
    use std::process::Command;
    use std::time::Duration;

    use expectrl::{Expect, Session};

    const UP: &str = "\x1b[A";
    const DOWN: &str = "\x1b[B";
    const ESC: &str = "\x1b";
    const ENTER: &str = "\r";

    type Pty = expectrl::session::OsSession;

    fn spawn(args: &[&str]) -> Pty {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stepcare"));
        command
            .arg("visit")
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C")
            .env("TERM", "xterm-256color")
            .env("NO_COLOR", "1");
        let mut pty = Session::spawn(command).expect("a pseudo-terminal");
        pty.get_process_mut()
            .set_window_size(80, 24)
            .expect("a window size");
        pty.set_expect_timeout(Some(Duration::from_secs(20)));
        pty
    }

    fn at(pty: &mut Pty, n: usize, keys: &str) {
        pty.expect(format!("{n}/10 "))
            .unwrap_or_else(|e| panic!("question {n} was not asked: {e}"));
        std::thread::sleep(Duration::from_millis(150));
        pty.send(keys).unwrap();
    }

    fn send(pty: &mut Pty, keys: &str) {
        std::thread::sleep(Duration::from_millis(150));
        pty.send(keys).unwrap();
    }

    fn exit_code(pty: &mut Pty) -> i32 {
        match pty.get_process().wait().unwrap() {
            expectrl::process::unix::WaitStatus::Exited(_, code) => code,
            other => panic!("unexpected end: {other:?}"),
        }
    }

    /// Answers items 1-9 with the last option (3 points on items 2 and 4... see the keying).
    fn first_nine(pty: &mut Pty) {
        for n in 1..=9 {
            at(pty, n, &format!("2{ENTER}"));
        }
    }

    #[test]
    fn the_critical_item_is_not_skipped_by_accident() {
        let mut pty = spawn(&["--lang", "en"]);
        first_nine(&mut pty);
        // Up from the first option wraps to the last option, never to "skip".
        at(&mut pty, 10, &format!("{UP}{ENTER}"));
        pty.expect("Finish and show the result").unwrap();
        pty.expect("10/10 Thoughts of self-harm: 4. Never").unwrap();
        // Open item 10 again from the review and leave it unanswered on purpose: type 0.
        send(&mut pty, "10");
        send(&mut pty, ENTER);
        pty.expect("0 = not asked").unwrap();
        send(&mut pty, "0");
        pty.expect("0. Not asked / declined").unwrap();
        send(&mut pty, ENTER);
        pty.expect("URGENT: Thoughts of self-harm is unknown")
            .unwrap();
        // The review marks it, and finishing asks first.
        pty.expect("!!! 10/10 Thoughts of self-harm: (not answered)")
            .unwrap();
        send(&mut pty, ENTER);
        pty.expect("1 question is not answered (10). Finish anyway?")
            .unwrap();
        send(&mut pty, &format!("{DOWN}{ENTER}"));
        pty.expect("!!! URGENT: Thoughts of self-harm is unknown")
            .unwrap();
        pty.expect("More?").unwrap();
        send(&mut pty, ENTER);
        assert_eq!(exit_code(&mut pty), 0);
    }

    #[test]
    fn the_acknowledgement_discards_type_ahead_and_esc_goes_back() {
        let mut pty = spawn(&["--lang", "en"]);
        first_nine(&mut pty);
        // "3" and Enter, then a second Enter typed ahead at once.
        at(&mut pty, 10, &format!("3{ENTER}{ENTER}"));
        pty.expect("Warning seen?").unwrap();
        // The typed-ahead Enter was thrown away: the visit still waits.
        pty.set_expect_timeout(Some(Duration::from_millis(1500)));
        assert!(pty.expect("Finish and show the result").is_err());
        pty.set_expect_timeout(Some(Duration::from_secs(20)));
        // Esc goes back to the question, never forward.
        send(&mut pty, ESC);
        pty.expect("10/10 Thoughts of self-harm").unwrap();
        send(&mut pty, &format!("3{ENTER}"));
        pty.expect("Warning seen?").unwrap();
        send(&mut pty, ENTER);
        pty.expect("Finish and show the result").unwrap();
        send(&mut pty, ENTER);
        pty.expect("More?").unwrap();
        send(&mut pty, ENTER);
        assert_eq!(exit_code(&mut pty), 0);
    }

    #[test]
    fn the_result_fits_80x24_with_the_urgent_lines_first() {
        let mut pty = spawn(&["--lang", "nb", "--rules", "no-default"]);
        first_nine(&mut pty);
        at(&mut pty, 10, &format!("3{ENTER}"));
        pty.expect("Varselet er sett?").unwrap_or_else(|_| {
            panic!("acknowledgement");
        });
        send(&mut pty, ENTER);
        pty.expect("Fullfør og vis resultatet").unwrap();
        send(&mut pty, ENTER);
        // The context step: Enter leaves each input "not assessed", and
        // each of the family's dates unknown.
        for _ in 0..4 {
            pty.expect("ikke vurdert").unwrap();
            send(&mut pty, ENTER);
        }
        pty.expect("Termindato").unwrap();
        send(&mut pty, ENTER);
        pty.expect("Barnets fødselsdato").unwrap();
        send(&mut pty, ENTER);
        let found = pty.expect("Mer?").unwrap();
        let before = String::from_utf8_lossy(found.before()).into_owned();
        let plain = strip_ansi(&before);
        let start = plain.find("!!! HASTER").expect("urgent first");
        let end = plain.find("avgjør.").expect("the closing line");
        let summary = &plain[start..end];
        let lines = summary.lines().count() + 1;
        assert!(lines <= 20, "{lines} lines:\n{summary}");
        assert!(
            summary.lines().all(|l| l.chars().count() <= 80),
            "{summary}"
        );
        let level = summary.find("Anbefalt omsorgsnivå").expect("level");
        let total = summary.find("EPDS totalskår").expect("total");
        assert!(summary.starts_with("!!! HASTER") && total < level);
        send(&mut pty, ENTER);
        assert_eq!(exit_code(&mut pty), 0);
    }

    #[test]
    fn the_context_step_asks_what_set_did_not_give() {
        let mut pty = spawn(&[
            "--lang",
            "en",
            "--rules",
            "no-default",
            "--set",
            "suspected_psychosis=no",
            "--date",
            "2026-11-23",
        ]);
        for n in 1..=10 {
            // 15 points, item 10 "Never".
            let keys = match n {
                4 => "3",
                10 => "4",
                _ => "2",
            };
            at(&mut pty, n, &format!("{keys}{ENTER}"));
        }
        pty.expect("Finish and show the result").unwrap();
        send(&mut pty, ENTER);
        pty.expect("Clinical context for the rule table").unwrap();
        // Level at the previous screen: not assessed, level 0, 1, 2: choose level 2.
        pty.expect("Level at the previous screen").unwrap();
        send(&mut pty, &format!("{DOWN}{DOWN}{DOWN}{ENTER}"));
        // Suspected psychosis was given with --set: not asked.
        pty.expect("Red flags").unwrap();
        send(&mut pty, ENTER);
        pty.expect("Immediate danger").unwrap();
        send(&mut pty, ESC);
        // The dates the table's schedule needs: a date that cannot be a due
        // date is refused, a good one kept, and a blank birth date is unknown.
        pty.expect("Dates for the follow-up").unwrap();
        pty.expect("Due date").unwrap();
        send(&mut pty, &format!("2028-01-01{ENTER}"));
        pty.expect("more than 40 weeks after the visit").unwrap();
        for _ in 0.."2028-01-01".len() {
            send(&mut pty, "\x7f");
        }
        send(&mut pty, &format!("2027-02-01{ENTER}"));
        pty.expect("Child's birth date").unwrap();
        send(&mut pty, ENTER);
        pty.expect("Recommended care level: Level 3").unwrap();
        pty.expect("Screen again: 2026-12-07 – 2026-12-21").unwrap();
        pty.expect("Due date: 2027-02-01").unwrap();
        pty.expect("Not assessed: Red flags").unwrap();
        pty.expect("More?").unwrap();
        send(&mut pty, ENTER);
        assert_eq!(exit_code(&mut pty), 0);
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for d in chars.by_ref() {
                        if d.is_ascii_alphabetic() {
                            break;
                        }
                    }
                }
                continue;
            }
            if c != '\r' {
                out.push(c);
            }
        }
        out
    }
}

/// EPDS 1, item 10 "Never".
const LOW: &str = "1\n1\n4\n1\n4\n4\n4\n4\n3\n4\n";

/// A rescreen given with `--set`: R-1 continues the plan at level 1 and asks
/// for the next screen in 2-4 weeks, as dates in the result, the note, the
/// JSON object and the saved row.
#[test]
fn a_rescreen_given_with_set_shows_the_window_as_dates_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.csv");
    let note = dir.path().join("note.txt");
    let args = [
        "--lang",
        "nn",
        "--rules",
        "no-default",
        "--set",
        "previous_level=2",
        "--date",
        "2026-11-02",
        "--note",
        note.to_str().unwrap(),
        "--save",
        save.to_str().unwrap(),
    ];
    let output = visit(&args, LOW);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Tilrådd omsorgsnivå: Nivå 1"), "{stdout}");
    assert!(
        stdout
            .contains("Ny screening: 2026-11-16 – 2026-11-30 (14–28 dagar etter denne screeninga)"),
        "{stdout}"
    );
    // The reasons in nynorsk, in the reader's words.
    assert!(
        stdout.contains("R-1 [avgjer]: Nivå ved forrige screening er 2, oppfyller 2 eller meir"),
        "{stdout}"
    );
    let note = std::fs::read_to_string(&note).unwrap();
    assert!(
        note.contains("Ny screening: 2026-11-16 – 2026-11-30"),
        "{note}"
    );
    let saved = stepcare::visit_record::read_saved(&save).unwrap();
    assert_eq!(saved[0].fields["care.rescreen_from"], "2026-11-16");
    assert_eq!(saved[0].fields["care.rescreen_to"], "2026-11-30");
    let output = visit(
        &[
            "--lang",
            "en",
            "--rules",
            "no-default",
            "--set",
            "previous_level=2",
            "--date",
            "2026-11-02",
            "--format",
            "jsonl",
        ],
        LOW,
    );
    let value: serde_json::Value = serde_json::from_str(&text(&output.stdout)).unwrap();
    assert_eq!(value["care"]["rescreen"]["from"], "2026-11-16");
    assert_eq!(value["care"]["rescreen"]["to"], "2026-11-30");
    assert!(text(&output.stderr).contains("Screen again: 2026-11-16 – 2026-11-30"));
}

/// The dates the table's schedule needs come with `--set` in the line front
/// end (one line per item still), are checked before the first question,
/// saved, and read back by `stepcare follow-up`.
#[test]
fn a_saved_visit_with_its_dates_is_followed_up() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.csv");
    let output = visit(
        &[
            "--lang",
            "en",
            "--rules",
            "no-default",
            "--id",
            "F-9",
            "--date",
            "2026-11-02",
            "--set",
            "previous_level=2",
            "--set",
            "birth_date=2026-09-20",
            "--set",
            "due_date=2026-09-25",
            "--save",
            save.to_str().unwrap(),
        ],
        &format!("{SIXTEEN}garbage\n"),
    );
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    assert_eq!(text(&output.stderr).matches("Answer (1-4").count(), 10);
    let saved = stepcare::visit_record::read_saved(&save).unwrap();
    assert_eq!(
        saved[0].birth_date.map(|d| d.to_string()).as_deref(),
        Some("2026-09-20")
    );
    assert_eq!(
        saved[0].due_date.map(|d| d.to_string()).as_deref(),
        Some("2026-09-25")
    );
    let follow = |today: &str| -> serde_json::Value {
        let output = stepcare()
            .args([
                "follow-up",
                "--rules",
                "no-default",
                "--instrument",
                "epds",
                "--format",
                "jsonl",
                "--today",
                today,
                "--input",
            ])
            .arg(&save)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", transcript(&output));
        serde_json::from_str(text(&output.stdout).lines().next().unwrap()).unwrap()
    };
    // While the window is open the rescreen is due, then overdue.
    let open = follow("2026-11-20");
    assert_eq!(open["id"], "F-9");
    assert_eq!(open["birth_date"], "2026-09-20");
    assert_eq!(open["due"][0]["what"], "rescreen", "{open}");
    assert_eq!(open["due"][0]["from"], "2026-11-16");
    assert_eq!(open["due"][0]["to"], "2026-11-30");
    let late = follow("2026-12-07");
    assert_eq!(late["overdue"][0]["what"], "rescreen", "{late}");
    // The EPDS 5-8 weeks after birth was done at this visit: not listed.
    assert!(!late.to_string().contains("epds-6w"), "{late}");
}

#[test]
fn dates_given_with_set_are_checked_before_the_first_question() {
    for (set, said) in [
        ("due_date=2028-06-01", "more than 40 weeks after the visit"),
        ("birth_date=2026-12-01", "is after the visit"),
        ("birth_date=1.2.26", "two-digit year"),
    ] {
        let output = visit(
            &[
                "--lang",
                "en",
                "--rules",
                "no-default",
                "--date",
                "2026-11-23",
                "--set",
                set,
            ],
            SIXTEEN,
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{set}: {}",
            transcript(&output)
        );
        let stderr = text(&output.stderr);
        assert!(stderr.contains(said), "{set}: {stderr}");
        assert!(!stderr.contains("1/10"), "{stderr}");
    }
}
