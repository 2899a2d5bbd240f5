//! `stepcare visit` with a child questionnaire (the synthetic, age-banded
//! `se-demo`): the age step (birth date, screening date, gestational weeks),
//! the form the (corrected) age chooses, concern boxes, the result, `--save`
//! and the terminal front end.
//!
//! Every visit fixes today's date with the hidden `--today 2026-11-23`, so an
//! empty screening date is 2026-11-23. se-demo keying, for reading the
//! inputs: options 1-3 are Often / Sometimes / Rarely; strength items (d01,
//! d02, d04, d06, d08, d10, d11) score 0-5-10, problem items (d03, d05, d07,
//! d09, d12) 10-5-0; `2x` ticks the item's concern box (+5).

mod common;

use common::{stepcare, transcript};

const TODAY: &str = "2026-11-23";

/// Runs a se-demo visit with `input` piped to standard input.
fn visit(args: &[&str], input: &str) -> std::process::Output {
    stepcare()
        .args(["visit", "--instrument", "se-demo", "--today", TODAY])
        .args(args)
        .write_stdin(input)
        .output()
        .expect("stepcare runs")
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_complete_visit_for_a_term_child_in_english() {
    // Born 2026-05-23, screened today: 6 months 0 days, the 6-month form.
    // An empty screening date is today; an empty gestation is born at term.
    // d01 0, d02 5 + concern 5, d03 Rarely 0, d04 0, d05 Often 10 + concern 5, d06 10 = 35.
    let output = visit(&["--lang", "en"], "2026-05-23\n\n\n1\n2x\n3\n1\n1x\n3\n");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("Answered by: parent"), "{out}");
    assert!(
        out.contains("SE-DEMO total      35 – Above the cutoff"),
        "{out}"
    );
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn a_premature_childs_corrected_age_chooses_an_earlier_form_in_norwegian() {
    // 9 months old, born at 35+0 weeks (35 days early): corrected age 7m 26d,
    // so the 6-month form instead of the 12-month one.
    let output = visit(
        &["--lang", "nb"],
        "10.03.2025\n10.12.2025\n35\n1\n1\n1x\n1\n3\n1\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("Skjema: d06 – Demoskjema 6 måneder (3 måneder 0 dager til 8 måneder 30 dager), 6 spørsmål\nAlder: 9 måneder 0 dager\nKorrigert alder: 7 måneder 26 dager (født ved 35+0 uker, 35 dager før termin; den korrigerte alderen velger skjema)"),
        "{err}"
    );
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn the_same_child_born_at_term_gets_the_12_month_form() {
    let output = visit(
        &["--lang", "en"],
        "10.03.2025\n10.12.2025\n\n1\n1\n3\n1\n3\n1\n3\n1\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("Form: d12 – Demo 12-month form"), "{err}");
    assert!(
        err.contains("Corrected age: not used (born at term)"),
        "{err}"
    );
    assert!(err.contains("8/8 Demo item 10 (strength)"), "{err}");
}

#[test]
fn an_invalid_date_is_asked_again_in_swedish() {
    // 31 February, a slash date, a two-digit year, an empty line, a birth
    // date after today, then a good one; then a screening date after today.
    let output = visit(
        &["--lang", "sv"],
        "31.02.2026\n10/03/2026\n1.3.26\n\n2026-12-01\n01.03.2026\n2027-01-01\n\n32+7\n37+1\n1\n1\n1\n1\n1\n1\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    for refused in [
        "”31.02.2026” finns inte i kalendern.",
        "”10/03/2026” kan läsas både som dag/månad och månad/dag",
        "”1.3.26” har tvåsiffrigt årtal",
        "Födelsedatumet behövs",
        "Födelsedatumet 2026-12-01 är efter dagens datum (2026-11-23).",
        "Screeningdatumet 2027-01-01 är efter dagens datum (2026-11-23).",
        "”32+7” är ingen graviditetslängd",
    ] {
        assert!(err.contains(refused), "{refused}\n{err}");
    }
    // 37+1 is 20 days early: less than the 3 weeks the definition corrects.
    assert!(
        err.contains("Korrigerad ålder: används inte (född i vecka 37+1, 20 dagar före fullgången tid; korrigeras från 3 veckor före)"),
        "{err}"
    );
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn an_age_outside_every_form_is_asked_again_naming_the_nearest_form() {
    // 1 month 22 days is younger than every form; the dates are asked again,
    // an empty line keeping what was entered. 2 years 10 months is older than
    // every form. Then a child of 18 months: the 24-month form.
    let output = visit(
        &["--lang", "en"],
        "2026-10-01\n\n\n2024-01-01\n\n\n23.05.2025\n\n\n3\n3\n3\n3\n3\n3\n3\n3\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("SE-DEMO: the age 1 month 22 days fits no form; nearest: d06 – Demo 6-month form (3 months 0 days to 8 months 30 days)."),
        "{err}"
    );
    assert!(
        err.contains("SE-DEMO: the age 34 months 22 days fits no form; nearest: d24 – Demo 24-month form (18 months 0 days to 29 months 30 days)."),
        "{err}"
    );
    assert!(err.contains("Form: d24 – Demo 24-month form"), "{err}");
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn a_child_not_yet_at_term_is_refused() {
    // Born 2026-11-01 at 32 weeks: 8 weeks early, term still 34 days away.
    let output = visit(&["--lang", "en"], "2026-11-01\n\n32\n");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("Corrected for prematurity, the child has not reached term yet (34 days to go): no form can be used."),
        "{err}"
    );
    assert!(
        err.ends_with("Visit abandoned: nothing was saved.\n"),
        "{err}"
    );
}

#[test]
fn back_from_the_first_item_returns_to_the_dates_and_another_form_starts_over() {
    // The 6-month form, two answers, back to the dates: a birth date a year
    // earlier gives the 12-month form, asked from its first item.
    let output = visit(
        &["--lang", "en"],
        "2026-05-23\n\n\n2\n2\nb\nb\nb\n2025-11-23\n\n\n1\n1\n1\n1\n1\n1\n1\n1\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("Child's birth date (empty line keeps 2026-05-23)> 2025-11-23\nScreening date (empty line keeps 2026-11-23)> \n"),
        "{err}"
    );
    assert!(err.contains("Form: d12 – Demo 12-month form"), "{err}");
    let out = stdout(&output);
    // Often on everything: strength items 0, problem items d03, d07, d09 10 each.
    assert!(
        out.contains("SE-DEMO total      30 – Below the monitoring zone"),
        "{out}"
    );
    assert!(!out.contains("Not answered"), "{out}");
}

#[test]
fn a_skipped_item_is_adjusted_and_two_leave_no_score() {
    let output = visit(&["--lang", "en"], "2026-05-23\n\n\n2\n2\n2\n2\n2\n\n");
    let out = stdout(&output);
    assert!(
        out.contains("SE-DEMO total      30 – Monitoring zone (prorated over 1 missing answer)"),
        "{out}"
    );
    assert!(out.contains("Not answered       item 6"), "{out}");
    let output = visit(&["--lang", "en"], "2026-05-23\n\n\n2\n2\n2\n2\n\n\n");
    let out = stdout(&output);
    assert!(
        out.contains("SE-DEMO total      no score: 2 of 6 unanswered (at most 1 may be)"),
        "{out}"
    );
}

#[test]
fn the_respondent_comes_from_the_instrument() {
    let output = visit(&["--lang", "nb"], "2026-05-23\n\n\n1\n1\n1\n1\n1\n1\n");
    assert!(stdout(&output).contains("Besvart av: forelder"));
    // The mother does not answer this definition.
    let output = visit(&["--respondent", "mother"], "");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "se-demo is not meant to be answered by the mother (its respondents: parent)"
        ),
        "{}",
        stderr(&output)
    );
    // No one answers both the EPDS and the child questionnaire.
    let output = stepcare()
        .args(["visit", "--instrument", "epds", "--instrument", "se-demo"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no respondent answers every instrument of this visit: epds (mother, partner); se-demo (parent)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_rule_table_recommends_for_the_form() {
    let output = visit(
        &[
            "--lang",
            "en",
            "--rules",
            "tests/fixtures/visit/child-rules.yaml",
        ],
        "2026-05-23\n\n\n1\n1\n3\n1\n3\n1\n",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("Recommended care level: Universal follow-up"),
        "{out}"
    );
    assert!(
        out.contains("  - C0 [decides]: SE-DEMO total is Below the monitoring zone, meets Below the monitoring zone or Monitoring zone or Above the cutoff"),
        "{out}"
    );
}

#[test]
fn save_writes_the_score_layout_and_the_file_scores_again_to_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("children.csv");
    let path = save.to_str().unwrap();
    let rules = ["--rules", "tests/fixtures/visit/child-rules.yaml"];
    // A premature child on the 6-month form with a concern box ticked ...
    let first = visit(
        &[&["--lang", "en", "--save", path, "--id", "c-1"][..], &rules].concat(),
        "10.03.2025\n10.12.2025\n35\n1\n1\n3x\n1\n3\n1\n",
    );
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    // ... and a term child on the 12-month form with an item skipped.
    let second = visit(
        &[&["--lang", "en", "--save", path, "--id", "c-2"][..], &rules].concat(),
        "2025-11-23\n\n\n1\n2x\n\n2\n3\n1\n2\n1\n",
    );
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let text = std::fs::read_to_string(&save).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let header: Vec<&str> = lines[0].split(',').collect();
    // What the batch writes, then what the visit was scored from, then the visit's own columns.
    let scored_from = header
        .iter()
        .position(|c| *c == "se-demo.birth_date")
        .expect("the birth date is saved");
    assert_eq!(header[scored_from - 1], "errors");
    assert_eq!(
        &header[scored_from..scored_from + 4],
        [
            "se-demo.birth_date",
            "se-demo.screening_date",
            "se-demo.gestational_weeks",
            "se-demo.d01.concern"
        ]
    );
    assert_eq!(
        &header[header.len() - 4..],
        [
            "acknowledged",
            "rule_table",
            "rule_table_version",
            "definitions"
        ]
    );
    let cells = |line: &str| line.split(',').map(str::to_owned).collect::<Vec<_>>();
    let first_row = cells(lines[1]);
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
    assert_eq!(first_row[column("se-demo.interval")], "d06");
    assert_eq!(first_row[column("se-demo.age_months")], "9");
    assert_eq!(first_row[column("se-demo.corrected_age_months")], "7");
    assert_eq!(first_row[column("se-demo.corrected_age_days")], "26");
    assert_eq!(first_row[column("se-demo.total")], "5");
    assert_eq!(first_row[column("se-demo.total.band")], "below");
    assert_eq!(first_row[column("se-demo.gestational_weeks")], "35+0");
    assert_eq!(first_row[column("se-demo.d03.concern")], "yes");
    assert_eq!(
        first_row[column("se-demo.d07.concern")],
        "",
        "not on the form"
    );
    assert_eq!(first_row[column("care.level")], "0");
    let second_row = cells(lines[2]);
    assert_eq!(second_row[column("se-demo.interval")], "d12");
    // 20 points over 7 of 8 items, adjusted: 20 x 8/7 = 22.9, rounded to 23.
    assert_eq!(second_row[column("se-demo.total")], "23");
    assert_eq!(second_row[column("se-demo.d03")], "");
    assert_eq!(second_row[column("se-demo.d02.concern")], "yes");

    // Scored again as a batch export, the file gives the same columns and rows.
    let batch = stepcare()
        .args([
            "score",
            "--instrument",
            "se-demo",
            "--input",
            path,
            "--with-answers",
            "--quiet",
        ])
        .args(rules)
        .args(["--lang", "en"])
        .args([
            "--keep",
            "id",
            "--keep",
            "visit_date",
            "--keep",
            "timestamp",
            "--keep",
            "respondent",
        ])
        .output()
        .unwrap();
    assert_eq!(batch.status.code(), Some(0), "{}", stderr(&batch));
    let batch = String::from_utf8(batch.stdout).unwrap();
    let batch_lines: Vec<&str> = batch.lines().collect();
    for (saved, scored) in lines.iter().zip(&batch_lines) {
        let fields = cells(saved);
        assert_eq!(&fields[..scored_from].join(","), scored);
    }
    assert_eq!(batch_lines.len(), 3, "{batch}");
}

/// The child-questionnaire example in docs/visit.md runs as written (on the
/// day it was captured) and prints what the page shows: the result, and the
/// beginning of standard error.
#[test]
fn documented_child_visit() {
    let doc = std::fs::read_to_string(common::root().join("docs/visit.md")).unwrap();
    let marker = doc
        .find("(documented_child_visit)")
        .expect("the checked example is marked");
    let mut blocks = doc[marker..].split("```");
    let console = blocks
        .nth(1)
        .and_then(|b| b.strip_prefix("console\n"))
        .expect("a console block follows the marker");
    let text = blocks
        .nth(1)
        .and_then(|b| b.strip_prefix("text\n"))
        .expect("a text block with the beginning of standard error follows");
    let (command, shown) = console.split_once('\n').unwrap();
    let (input, args) = command
        .strip_prefix("$ printf '")
        .and_then(|rest| rest.split_once("' | stepcare visit "))
        .expect("printf '...' | stepcare visit ...");
    let args: Vec<&str> = args
        .strip_suffix(" 2>/dev/null")
        .expect("standard error is hidden in the command")
        .split(' ')
        .collect();
    // As written: the command pins the visit date itself.
    let output = stepcare()
        .arg("visit")
        .args(&args)
        .write_stdin(input.replace("\\n", "\n"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), shown);
    // The page shows standard error up to the first answer.
    let err = stderr(&output);
    assert!(err.starts_with(text), "{err}");
}

/// The terminal front end, driven in a pseudo-terminal.
#[cfg(unix)]
mod terminal {
    use std::process::Command;
    use std::time::Duration;

    use expectrl::{Expect, Regex, Session};

    const ENTER: &str = "\r";
    const BACKSPACE: &str = "\x7f";

    type Pty = expectrl::session::OsSession;

    fn spawn(args: &[&str]) -> Pty {
        let mut command = Command::new(env!("CARGO_BIN_EXE_stepcare"));
        command
            .args(["visit", "--instrument", "se-demo", "--today", super::TODAY])
            .args(args)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C")
            .env("TERM", "xterm-256color")
            .env("NO_COLOR", "1");
        let mut pty = Session::spawn(command).expect("a pseudo-terminal");
        pty.set_expect_timeout(Some(Duration::from_secs(20)));
        pty
    }

    /// Waits for `prompt`, then types `keys`.
    fn at(pty: &mut Pty, prompt: &str, keys: &str) {
        pty.expect(prompt)
            .unwrap_or_else(|e| panic!("`{prompt}` was not asked: {e}"));
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
    fn the_dates_are_checked_as_typed_and_enter_accepts_today() {
        let mut pty = spawn(&["--lang", "en"]);
        at(
            &mut pty,
            "Child's birth date",
            &format!("31.02.2026{ENTER}"),
        );
        // Refused in place, with the reason; the text stays to be corrected.
        pty.expect("\"31.02.2026\" is not a day of the calendar.")
            .unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send(BACKSPACE.repeat(10)).unwrap();
        pty.send(format!("23.05.2026{ENTER}")).unwrap();
        // The screening date offers today's date: Enter accepts it.
        at(&mut pty, "Screening date", ENTER);
        at(&mut pty, "Gestational weeks at birth", ENTER);
        pty.expect(
            "Form: d06 – Demo 6-month form (3 months 0 days to 8 months 30 days), 6 questions",
        )
        .unwrap();
        pty.expect("Age: 6 months 0 days").unwrap();
        at(&mut pty, "1/6 ", &format!("1{ENTER}"));
        at(&mut pty, "2/6 ", &format!("1{ENTER}"));
        // Typing 3x keeps only "Rarely" with the concern box ticked.
        at(&mut pty, "3/6 ", "3x");
        pty.expect("3x. Rarely (concern ticked)").unwrap();
        pty.send(ENTER).unwrap();
        for n in 4..=6 {
            at(&mut pty, &format!("{n}/6 "), &format!("1{ENTER}"));
        }
        // The review starts with the age; finish.
        pty.expect("Child's age: born 2026-05-23, screened 2026-11-23, at term → d06")
            .unwrap();
        pty.expect(Regex(
            "3/6 Demo item 3 \\(problem\\): 3x\\. Rarely \\(concern ticked\\)",
        ))
        .unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send(ENTER).unwrap();
        // d05 "Often" is a problem item: 10; d03 Rarely 0 + concern 5.
        pty.expect(Regex("SE-DEMO total +15 – Below the monitoring zone"))
            .unwrap();
        pty.expect(Regex("Concern boxes +item 3")).unwrap();
        // The details and the journal note on request; Enter is done.
        pty.expect("More?").unwrap();
        std::thread::sleep(Duration::from_millis(150));
        pty.send(ENTER).unwrap();
        assert_eq!(exit_code(&mut pty), 0);
    }

    #[test]
    fn escape_on_the_first_item_returns_to_the_dates_filled_in() {
        let mut pty = spawn(&["--lang", "nb"]);
        at(
            &mut pty,
            "Barnets fødselsdato",
            &format!("2026-05-23{ENTER}"),
        );
        at(&mut pty, "Screeningdato", ENTER);
        at(
            &mut pty,
            "Svangerskapsuke ved fødsel",
            &format!("35{ENTER}"),
        );
        pty.expect("Korrigert alder: 4 måneder 27 dager").unwrap();
        at(&mut pty, "1/6 ", "\x1b");
        // Back at the dates, each field holds what was entered.
        at(&mut pty, "Barnets fødselsdato", ENTER);
        at(&mut pty, "Screeningdato", ENTER);
        at(&mut pty, "Svangerskapsuke ved fødsel", "");
        pty.expect("35+0").unwrap();
        pty.send("\x03").unwrap();
        pty.expect("Besøket ble avbrutt: ingenting er lagret.")
            .unwrap();
        assert_eq!(exit_code(&mut pty), 1);
    }
}
