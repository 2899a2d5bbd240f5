//! `stepcare visit` end to end: the line front end through piped standard
//! input (snapshots of what the midwife sees), `--save`, and the terminal
//! front end in a pseudo-terminal.
//!
//! EPDS keying, for reading the inputs: items 1, 2 and 4 score 0-1-2-3 from
//! the first printed option, the others 3-2-1-0.

mod common;

use common::{stepcare, transcript};

/// Runs a visit with `input` piped to standard input.
fn visit(args: &[&str], input: &str) -> std::process::Output {
    stepcare()
        .arg("visit")
        .args(args)
        .write_stdin(input)
        .output()
        .expect("stepcare runs")
}

/// Replaces RFC 3339 timestamps (`2026-11-23T05:41:07Z`, or with an offset
/// `+01:00`) so snapshots are stable.
fn redact_timestamps(text: &str) -> String {
    let text = &text.replace("+00:00", "Z").chars().collect::<String>();
    let text = offsets_to_z(text);
    let text = text.as_str();
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    let mut out = String::new();
    let mut i = 0;
    while i < text.len() {
        let fits = bytes.len() >= i + shape.len()
            && shape.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                other => other == b,
            });
        if fits {
            out.push_str("[timestamp]");
            i += shape.len();
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `2026-11-23T10:41:07+01:00` → `2026-11-23T10:41:07Z`: the offset depends on the machine.
fn offsets_to_z(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let offset = i >= 8
            && matches!(chars[i], '+' | '-')
            && chars[i - 3] == ':'
            && chars[i - 6] == ':'
            && chars.get(i + 3) == Some(&':')
            && chars[i + 1..(i + 6).min(chars.len())].len() == 5
            && [1, 2, 4, 5].iter().all(|&k| chars[i + k].is_ascii_digit());
        if offset {
            out.push('Z');
            i += 6;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn a_complete_epds_in_english() {
    // 1+1+2+1+1+1+1+1+1+0 = 10: possible depression, no flag.
    let output = visit(&["--lang", "en"], "2\n2\n2\n2\n3\n3\n3\n3\n3\n4\n");
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn going_back_to_correct_an_answer_in_norwegian() {
    // Item 2 is first answered 4 (3 points), then corrected to 1 (0 points);
    // after the correction the visit goes on at item 3.
    let output = visit(&["--lang", "nb"], "1\n4\nb\n1\n4\n1\n4\n4\n4\n4\n4\n4\n");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("EPDS totalskår         0 – Under grenseverdi"),
        "{stdout}"
    );
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn an_invalid_answer_is_asked_again_in_swedish() {
    let output = visit(&["--lang", "sv"], "5\nja\n1\n\n0\n1\n1\n4\n4\n4\n4\n4\n4\n");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("är inget svar här").count(), 3, "{stderr}");
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn an_endorsed_item_10_warns_at_once_and_heads_the_result() {
    // Everything else at 0 points: a low total must not hide the flag.
    let output = visit(&["--lang", "en"], "1\n1\n4\n1\n4\n4\n4\n4\n4\n3\n");
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The warning comes right after the answer, before anything else is asked or shown.
    let answered = stderr.rfind("empty line)> 3").expect("item 10 answered");
    let warned = stderr
        .find("!!! URGENT: Thoughts of self-harm")
        .expect("warned");
    assert!(warned > answered);
    assert!(
        stdout
            .trim_start()
            .starts_with("!!! URGENT: Thoughts of self-harm"),
        "{stdout}"
    );
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn end_of_input_midway_abandons_and_saves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.csv");
    let output = visit(
        &["--lang", "en", "--save", save.to_str().unwrap()],
        "2\n2\n2\n",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no result is shown");
    assert!(!save.exists(), "nothing is written");
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn end_of_input_in_norwegian_says_so_in_norwegian() {
    let output = visit(&["--lang", "nb"], "");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.ends_with("Besøket ble avbrutt: ingenting er lagret.\n"),
        "{stderr}"
    );
}

/// Ctrl-C in the line front end: the visit is abandoned, said so, nothing saved.
#[cfg(unix)]
#[test]
fn an_interrupt_midway_abandons_and_saves_nothing() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.csv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepcare"))
        .args(["visit", "--lang", "en", "--save"])
        .arg(&save)
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Never hang the suite: kill the child if it outlives the test's patience.
    let pid = child.id().to_string();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watchdog = {
        let done = std::sync::Arc::clone(&done);
        std::thread::spawn(move || {
            for _ in 0..300 {
                if done.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        })
    };
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"2\n2\n").unwrap();
    stdin.flush().unwrap();
    // Wait until question 3 is asked, then interrupt.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains("3/10 ") {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "{seen}");
        seen.push_str(&line);
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    watchdog.join().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(1), "{rest}");
    // The prompt being drawn when the signal lands may leave a fragment of
    // blanks after the message; the message must still be the last words.
    assert!(
        rest.trim_end()
            .ends_with("Visit abandoned: nothing was saved."),
        "{rest}"
    );
    assert!(!save.exists());
}

#[test]
fn the_language_comes_from_lang_when_not_given() {
    let output = stepcare()
        .args(["visit"])
        .env("LANG", "sv_SE.UTF-8")
        .write_stdin("1\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("10 frågor"), "{stderr}");
    assert!(stderr.contains("Besöket avbröts"), "{stderr}");
}

#[test]
fn licensed_wording_comes_from_the_text_pack() {
    let output = visit(
        &["--texts", "tests/fixtures/visit/epds-invented-nb.yaml"],
        "3\n1\n1\n1\n1\n1\n1\n1\n1\n2\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Oppdiktet innledning til testskjemaet."));
    assert!(stderr.contains("1/10 Oppdiktet spørsmål én\n  1. Oppdiktet svar 1a"));
    assert!(
        stderr.contains("answered \"Oppdiktet svar 10b\""),
        "{stderr}"
    );
    // Items the pack does not word keep the project's own labels.
    assert!(stderr.contains("2/10 Looking forward to things"));
    assert!(
        stdout.contains("EPDS total"),
        "the visit's own language is English"
    );
    assert!(stderr.contains("Note: the wording of epds is in \"nb\""));
}

#[test]
fn two_instruments_with_the_partner_answering() {
    let input = "1\n1\n4\n1\n4\n4\n4\n4\n4\n4\n1\n2\n1\n1\n1\n1\n1\n1\n2\n";
    let output = visit(
        &[
            "--lang",
            "en",
            "--instrument",
            "epds",
            "--instrument",
            "phq9",
            "--respondent",
            "partner",
        ],
        input,
    );
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Answered by: partner"));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn save_appends_rows_in_the_batch_layout_to_an_owner_only_file() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.csv");
    let path = save.to_str().unwrap();
    let first = visit(
        &[
            "--lang",
            "en",
            "--save",
            path,
            "--id",
            "study-17",
            "--rules",
            "no-default",
            "--date",
            "2026-11-23",
            "--set",
            "previous_level=1",
        ],
        "2\n2\n2\n2\n3\n3\n3\n3\n3\n4\n",
    );
    assert_eq!(first.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&first.stderr).ends_with(&format!("Saved as row 1 in {path}.\n"))
    );
    // The second visit skips item 3 and uses the Norwegian default rule table.
    let second = visit(
        &[
            "--lang",
            "nb",
            "--save",
            path,
            "--rules",
            "no-default",
            "--date",
            "2026-11-20",
        ],
        "1\n1\n\n1\n4\n4\n4\n4\n4\n2\n",
    );
    assert_eq!(second.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&second.stderr).ends_with(&format!("Lagret som rad 2 i {path}.\n"))
    );
    let text = std::fs::read_to_string(&save).unwrap();
    insta::assert_snapshot!(redact_timestamps(&text));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&save).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only: {mode:o}");
    }
    // Re-scoring the file of visits as a batch export gives the same columns,
    // and for the visit that used the same rule table, the same row.
    let batch = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            path,
            "--with-answers",
        ])
        .args(["--rules", "no-default", "--lang", "nb", "--quiet"])
        .args(
            [
                "id",
                "visit_date",
                "timestamp",
                "respondent",
                "previous_level",
                "suspected_psychosis",
                "red_flags",
                "immediate_danger",
                "due_date",
                "birth_date",
            ]
            .iter()
            .flat_map(|c| ["--keep", c]),
        )
        .output()
        .unwrap();
    assert_eq!(batch.status.code(), Some(0));
    let batch = String::from_utf8(batch.stdout).unwrap();
    let without_visit_columns = |line: &str| {
        let fields: Vec<&str> = line.split(',').collect();
        fields[..fields.len() - 4].join(",")
    };
    let saved: Vec<&str> = text.lines().collect();
    let scored: Vec<&str> = batch.lines().collect();
    assert_eq!(
        scored[0],
        without_visit_columns(saved[0]),
        "the same header"
    );
    assert_eq!(scored[2], without_visit_columns(saved[2]), "the same row");
}

#[test]
fn the_care_level_comes_from_the_rule_table_in_the_visit_language() {
    // 16 points with item 10 endorsed: level 2 and same-day action.
    let output = visit(
        &["--lang", "nb", "--rules", "no-default"],
        "2\n2\n2\n2\n2\n2\n2\n2\n2\n3\n",
    );
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Anbefalt omsorgsnivå: Nivå 2"), "{stdout}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_low_score_gets_universal_follow_up_with_the_rule_that_decided() {
    let output = visit(
        &["--lang", "en", "--rules", "no-default"],
        "1\n1\n4\n1\n4\n4\n4\n4\n4\n4\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("Recommended care level: Universal follow-up"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Rules that fired:\n  - L0-1 [decides]: "),
        "{stdout}"
    );
}

#[test]
fn an_incomplete_form_keeps_the_level_and_the_same_day_action() {
    // Item 3 skipped, item 10 endorsed: no total, but the endorsed item gives
    // urgent and level 2, next to the pending "complete the form".
    let output = visit(
        &["--lang", "sv", "--rules", "no-default"],
        "1\n1\n\n1\n4\n4\n4\n4\n4\n2\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("\n!!! BRÅDSKANDE: Tankar på självskada."),
        "{stdout}"
    );
    assert!(stdout.contains("Rekommenderad vårdnivå: Nivå 2: läkarbedömning och behandling i kommunen\nGör nu:\n  - EPDS saknar svar."), "{stdout}");
    assert!(
        stdout.contains("!!! Brådskande: åtgärd samma dag"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Obesvarade              fråga 3"),
        "{stdout}"
    );
}

#[test]
fn an_unknown_rule_table_is_a_usage_error_before_any_question() {
    let output = visit(&["--rules", "no-such-table"], "1\n");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("shipped: no-default"), "{stderr}");
    assert!(!stderr.contains("1/10"), "{stderr}");
}

/// The scripted example in docs/visit.md runs as written and prints what the page shows.
#[test]
fn documented_line_visit() {
    let doc = std::fs::read_to_string(common::root().join("docs/visit.md")).unwrap();
    let marker = doc
        .find("(documented_line_visit)")
        .expect("the checked example is marked");
    let block = doc[marker..]
        .split("```console\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a console block follows the marker");
    let (command, shown) = block.split_once('\n').unwrap();
    let input = command
        .strip_prefix("$ printf '")
        .and_then(|rest| rest.split_once("' | stepcare visit "))
        .expect("printf '...' | stepcare visit ...");
    let args: Vec<&str> = input
        .1
        .strip_suffix(" 2>/dev/null")
        .expect("standard error is hidden in the example")
        .split(' ')
        .collect();
    let output = visit(&args, &input.0.replace("\\n", "\n"));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), shown);
}

#[test]
fn nothing_is_written_without_save() {
    let dir = tempfile::tempdir().unwrap();
    let output = stepcare()
        .current_dir(dir.path())
        .args(["visit", "--lang", "en"])
        .write_stdin("1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .ends_with("Not saved (use --save FILE to save a row).\n")
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_save_file_with_other_columns_is_refused_before_the_first_question() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("other.csv");
    std::fs::write(&save, "name,value\na,1\n").unwrap();
    let output = visit(
        &["--lang", "en", "--save", save.to_str().unwrap()],
        "1\n1\n1\n1\n1\n1\n1\n1\n1\n4\n",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the file has other columns than this visit"),
        "{stderr}"
    );
    assert!(!stderr.contains("1/10"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&save).unwrap(), "name,value\na,1\n");
}

#[test]
fn usage_errors_exit_2_before_any_question() {
    let output = visit(&["--instrument", "nope"], "1\n");
    assert_eq!(output.status.code(), Some(2));
    let output = visit(&["--instrument", "epds", "--instrument", "epds"], "1\n");
    assert_eq!(output.status.code(), Some(2));
    let output = visit(&["--id", "two\nlines"], "1\n");
    assert_eq!(output.status.code(), Some(2));
    let output = visit(&["--lang", "de"], "1\n");
    assert_eq!(output.status.code(), Some(2));
}

/// The terminal front end, driven in a pseudo-terminal.
#[cfg(unix)]
mod terminal {
    use std::process::Command;
    use std::time::Duration;

    use expectrl::{Expect, Regex, Session};

    const DOWN: &str = "\x1b[B";
    const ESC: &str = "\x1b";
    const ENTER: &str = "\r";

    type Pty = expectrl::session::OsSession;

    fn spawn(args: &[&str], color: bool) -> Pty {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stepcare"));
        command
            .arg("visit")
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C")
            .env("TERM", "xterm-256color");
        if color {
            command.env_remove("NO_COLOR");
        } else {
            command.env("NO_COLOR", "1");
        }
        let mut pty = Session::spawn(command).expect("a pseudo-terminal");
        pty.set_expect_timeout(Some(Duration::from_secs(20)));
        pty
    }

    /// Waits for question `n` of 10, then sends `keys`.
    fn at(pty: &mut Pty, n: usize, keys: &str) {
        pty.expect(format!("{n}/10 "))
            .unwrap_or_else(|e| panic!("question {n} was not asked: {e}"));
        // Let inquire switch the terminal to raw mode before typing.
        std::thread::sleep(Duration::from_millis(150));
        pty.send(keys).unwrap();
    }

    fn exit_code(pty: &mut Pty) -> i32 {
        match pty.get_process().wait().unwrap() {
            expectrl::process::unix::WaitStatus::Exited(_, code) => code,
            other => panic!("unexpected end: {other:?}"),
        }
    }

    #[test]
    fn arrow_keys_choose_and_the_review_finishes() {
        let mut pty = spawn(&["--lang", "en"], false);
        // Two steps down: the third option of item 1 (2 points).
        at(&mut pty, 1, &format!("{DOWN}{DOWN}{ENTER}"));
        for n in 2..=10 {
            // The last option: 3 points on items 2 and 4, 0 on the others.
            at(&mut pty, n, &format!("{DOWN}{DOWN}{DOWN}{ENTER}"));
        }
        pty.expect("Finish and show the result").unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send(ENTER).unwrap();
        pty.expect(Regex("EPDS total +8 – Below cutoff")).unwrap();
        pty.expect("you, the clinician, decide").unwrap();
        pty.expect("More?").unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send(ENTER).unwrap();
        assert_eq!(exit_code(&mut pty), 0);
    }

    #[test]
    fn typing_the_printed_number_chooses_that_option() {
        let mut pty = spawn(&["--lang", "nb"], false);
        at(&mut pty, 1, "3");
        // Typing filters the list down to option 3 before Enter.
        pty.expect("3. Klart mindre enn før").unwrap();
        pty.send(ENTER).unwrap();
        pty.expect(Regex("1/10 Humor og latter.*3\\. Klart mindre enn før"))
            .unwrap();
        at(&mut pty, 2, "\x03");
        pty.expect("Besøket ble avbrutt: ingenting er lagret.")
            .unwrap();
        assert_eq!(exit_code(&mut pty), 1);
    }

    #[test]
    fn escape_goes_back_and_the_new_answer_replaces_the_old() {
        let mut pty = spawn(&["--lang", "en"], false);
        at(&mut pty, 1, &format!("4{ENTER}"));
        at(&mut pty, 2, ESC);
        pty.expect("← back").unwrap();
        // Back at item 1, the cursor is on the earlier answer; choose 1 instead.
        at(&mut pty, 1, &format!("1{ENTER}"));
        at(&mut pty, 2, &format!("1{ENTER}"));
        for n in 3..=10 {
            at(&mut pty, n, &format!("4{ENTER}"));
        }
        pty.expect(Regex("1/10 Humour and laughter: 1\\. As usual"))
            .unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send(ENTER).unwrap();
        // 0 + 0 + 0 + 3 (item 4, last option) = 3.
        pty.expect(Regex("EPDS total +3 – Below cutoff")).unwrap();
        pty.expect("More?").unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send(ENTER).unwrap();
        assert_eq!(exit_code(&mut pty), 0);
    }

    #[test]
    fn an_endorsed_item_10_warns_at_once_in_bold_red() {
        let mut pty = spawn(&["--lang", "en"], true);
        for n in 1..=9 {
            at(&mut pty, n, &format!("4{ENTER}"));
        }
        at(&mut pty, 10, &format!("3{ENTER}"));
        // Bold white on red, before the visit goes on, and it waits to be seen.
        pty.expect(
            "\x1b[1;97;41m!!! URGENT: Thoughts of self-harm. EPDS item 10 was answered \"Seldom\".",
        )
        .unwrap();
        pty.expect("Warning seen?").unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send("\x03").unwrap();
        // Abandoned with the warning standing: said plainly.
        pty.expect("The visit was abandoned with an urgent warning not yet acted on: Thoughts of self-harm. Act on it now. Nothing was saved.").unwrap();
        assert_eq!(exit_code(&mut pty), 1);
    }
}
