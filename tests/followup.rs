//! `stepcare follow-up`, time points, rescreen windows and schedules, end to end.

mod common;

use std::collections::BTreeMap;

use common::{catalog, root, stepcare, transcript};
use serde_json::Value as Json;
use stepcare::instrument::Instrument;
use stepcare::rules::{BUILTIN_TABLES, Window, analysis, load_builtin, load_table};

/// Families of `examples/followup.csv` by id and respondent, as JSON.
fn follow(args: &[&str]) -> (BTreeMap<(String, String), Json>, String) {
    let output = stepcare()
        .args(["follow-up", "--format", "jsonl"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let families = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: Json = serde_json::from_str(line).unwrap();
            (
                (
                    v["id"].as_str().unwrap().to_owned(),
                    v["respondent"].as_str().unwrap().to_owned(),
                ),
                v,
            )
        })
        .collect();
    (families, String::from_utf8(output.stderr).unwrap())
}

fn whats(family: &Json, list: &str) -> Vec<String> {
    family[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["what"].as_str().unwrap().to_owned())
        .collect()
}

const EXAMPLE: [&str; 6] = [
    "--rules",
    "no-default",
    "--instrument",
    "epds",
    "--input",
    "examples/followup.csv",
];

#[test]
fn the_weekly_list_finds_urgent_overdue_and_due_families() {
    let mut args = EXAMPLE.to_vec();
    args.extend(["--today", "2026-12-07"]);
    let (families, stderr) = follow(&args);
    let f = |id: &str| &families[&(id.to_owned(), "mother".to_owned())];
    // An endorsed self-harm item on the last visit: open.
    assert_eq!(f("F02")["open_urgent"][0]["date"], "2026-11-28");
    // EPDS 15 six weeks after birth asked for a rescreen in 2-4 weeks, now past.
    assert_eq!(whats(f("F01"), "overdue"), ["rescreen"]);
    assert_eq!(f("F01")["overdue"][0]["to"], "2026-11-30");
    // Pregnant, week 20 passed without the planned EPDS.
    assert_eq!(whats(f("F05"), "overdue"), ["epds-pregnancy"]);
    // Newly delivered: the 6-week EPDS window is open.
    assert_eq!(whats(f("F04"), "due"), ["epds-6w"]);
    // An urgent result that a later visit closed, and nothing else due.
    let closed = f("F03");
    assert!(closed["open_urgent"].as_array().unwrap().is_empty());
    assert!(closed["overdue"].as_array().unwrap().is_empty());
    assert_eq!(closed["history"].as_array().unwrap().len(), 2);
    // Every row is accounted for.
    assert!(stderr.contains("11 rows read"), "{stderr}");
    assert!(stderr.contains("1 row without an id"), "{stderr}");
    assert!(
        stderr.contains("1 row without a screening date"),
        "{stderr}"
    );
}

#[test]
fn due_within_lists_what_opens_soon_and_a_later_day_moves_due_to_overdue() {
    let mut args = EXAMPLE.to_vec();
    args.extend(["--today", "2026-11-25"]);
    let (families, _) = follow(&args);
    let f04 = &families[&("F04".to_owned(), "mother".to_owned())];
    assert!(whats(f04, "due").is_empty());
    args.extend(["--due-within", "7"]);
    let (families, _) = follow(&args);
    let f04 = &families[&("F04".to_owned(), "mother".to_owned())];
    assert_eq!(whats(f04, "due"), ["epds-6w"]);
    let mut later = EXAMPLE.to_vec();
    later.extend(["--today", "2027-01-10"]);
    let (families, _) = follow(&later);
    let f04 = &families[&("F04".to_owned(), "mother".to_owned())];
    assert_eq!(whats(f04, "overdue"), ["epds-6w"]);
}

#[test]
fn the_table_shows_a_trend_and_the_families_that_need_something() {
    let output = stepcare()
        .args(["follow-up", "--today", "2026-12-07"])
        .args(EXAMPLE)
        .output()
        .unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn visits_saved_by_visit_are_followed_up() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.csv");
    // Item 10 endorsed: an urgent result that nothing has closed.
    let output = stepcare()
        .args([
            "visit",
            "--lang",
            "en",
            "--rules",
            "no-default",
            "--id",
            "H-17",
            "--save",
        ])
        .arg(&save)
        .write_stdin("1\n1\n1\n1\n1\n1\n1\n1\n1\n2\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let (families, _) = follow(&[
        "--rules",
        "no-default",
        "--instrument",
        "epds",
        "--input",
        save.to_str().unwrap(),
    ]);
    let family = &families[&("H-17".to_owned(), "mother".to_owned())];
    assert_eq!(
        family["open_urgent"].as_array().unwrap().len(),
        1,
        "{family}"
    );
}

#[test]
fn visits_saved_as_json_lines_are_followed_up_and_a_broken_line_stops_with_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("visits.jsonl");
    // Two visits of one family: an urgent one, then a later one that closes it.
    for (date, answers) in [
        ("2026-10-01", "1\n1\n1\n1\n1\n1\n1\n1\n1\n2\n"),
        // Printed positions: the low answer is the first option of items 1, 2 and 4 and the last of the rest.
        ("2026-10-15", "1\n1\n4\n1\n4\n4\n4\n4\n4\n4\n"),
    ] {
        let output = stepcare()
            .args(["visit", "--lang", "en", "--rules", "no-default", "--line"])
            .args(["--id", "J-5", "--date", date, "--save"])
            .arg(&save)
            .write_stdin(answers)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", transcript(&output));
    }
    // A third family's urgent visit alone in the file: open.
    let output = stepcare()
        .args(["visit", "--lang", "en", "--rules", "no-default", "--line"])
        .args(["--id", "J-6", "--date", "2026-11-20", "--save"])
        .arg(&save)
        .write_stdin("1\n1\n1\n1\n1\n1\n1\n1\n1\n2\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let args = [
        "--rules",
        "no-default",
        "--instrument",
        "epds",
        "--today",
        "2026-11-25",
        "--input",
        save.to_str().unwrap(),
    ];
    let (families, stderr) = follow(&args);
    assert!(stderr.contains("3 rows read"), "{stderr}");
    let closed = &families[&("J-5".to_owned(), "mother".to_owned())];
    assert!(
        closed["open_urgent"].as_array().unwrap().is_empty(),
        "{closed}"
    );
    assert_eq!(closed["history"].as_array().unwrap().len(), 2, "{closed}");
    let open = &families[&("J-6".to_owned(), "mother".to_owned())];
    assert_eq!(open["open_urgent"].as_array().unwrap().len(), 1, "{open}");

    // A line cut short is an error naming it, not a family silently left out.
    let mut text = std::fs::read_to_string(&save).unwrap();
    text.push_str("{\"row\": 4, \"keep\":\n");
    std::fs::write(&save, text).unwrap();
    let output = stepcare().args(["follow-up"]).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 4 is not a JSON object"), "{stderr}");
}

fn instruments() -> Vec<&'static Instrument> {
    catalog().instruments().iter().collect()
}

#[test]
fn both_shipped_tables_have_cited_schedules() {
    for (id, _, _) in BUILTIN_TABLES {
        let table = load_builtin(id, &instruments()).unwrap();
        assert!(!table.schedule.is_empty(), "{id}");
        for screening in &table.schedule {
            assert!(!screening.source.is_empty(), "{id}: {}", screening.id);
        }
    }
    let no = load_builtin("no-default", &instruments()).unwrap();
    let ids: Vec<&str> = no.schedule.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["epds-pregnancy", "home-visit", "epds-6w"]);
    assert_eq!(no.schedule[0].window, Window::PregnancyWeeks(18, 22));
    let se = load_builtin("se-default", &instruments()).unwrap();
    assert_eq!(se.schedule[0].window, Window::WeeksAfterBirth(6, 8));
    assert!(se.schedule[1].when_indicated);
}

#[test]
fn validate_checks_schedule_windows_and_respondents() {
    let base = std::fs::read_to_string(root().join("tests/fixtures/rules/base.yaml")).unwrap();
    let text = format!(
        "{base}\nschedule:\n  - id: s1\n    name: {{en: S1}}\n    instrument: epds\n    respondent: grandmother\n    weeks_after_birth: [5, 8]\n    source: test\n  - id: s2\n    name: {{en: S2}}\n    instrument: epds\n    weeks_after_birth: [8, 5]\n    source: test\n  - id: s3\n    name: {{en: S3}}\n    instrument: epds\n    source: test\n  - id: s4\n    name: {{en: S4}}\n    instrument: epds\n    respondent: mother\n    weeks_after_birth: [4, 6]\n    source: test\n  - id: s5\n    name: {{en: S5}}\n    instrument: epds\n    respondent: mother\n    weeks_after_birth: [6, 9]\n    source: test\n"
    );
    let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
    assert!(table.is_none());
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("not answered by `grandmother`")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("in order")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("exactly one window")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("overlaps `s4`")),
        "{messages:#?}"
    );
    assert!(diagnostics.iter().all(|d| d.spot.line > 0));
}

/// A table whose rules test the time point: pregnancy or after birth, and the week.
const TIMEPOINT_TABLE: &str = r#"
id: timepoint
name: {en: Time points}
version: "1"
languages: [en]
instruments: [epds]
levels:
  - {level: 0, id: universal, name: {en: Universal}}
  - {level: 1, id: level_1, name: {en: Level 1}}
  - {level: 2, id: level_2, name: {en: Level 2}}
inputs:
  - {id: epds, scale: epds.total}
  - {id: self_harm, flag: epds.self_harm}
  - {id: period, column: period, type: period, required: false}
  - {id: week, column: week, type: week, required: false}
rules:
  - id: U
    when: {self_harm: "true, unknown"}
    urgent: true
    level: 2
    source: test
  - id: EARLY
    when: {period: postpartum, week: "[0..1]", epds: ">=10"}
    level: 1
    action: {en: Early days; rescreen after two weeks}
    rescreen: {after_weeks: [2, 3]}
    source: test
  - id: LATER
    when: {period: postpartum, week: ">=2", epds: ">=10"}
    level: 2
    rescreen: {after_weeks: [2, 4]}
    source: test
  - id: PREG
    when: {period: pregnancy, epds: ">=10"}
    level: 2
    source: test
  - id: LOW
    when: {epds: "[0..9]"}
    level: 0
    source: test
  - id: NOTIME
    when: {period: blank, epds: ">=10"}
    action: {en: Record the due date or the birth date}
    source: test
  - id: NOWEEK
    when: {week: blank, epds: ">=10"}
    action: {en: Record the due date or the birth date}
    source: test
  - id: INC
    when: {epds: "incomplete, not_screened"}
    action: {en: Complete the form}
    source: test
"#;

#[test]
fn rules_test_the_time_point_from_the_dates_with_the_exact_analysis() {
    let (table, diagnostics) = load_table("timepoint.yaml", TIMEPOINT_TABLE, &instruments());
    let table = table.unwrap_or_else(|| panic!("{diagnostics:#?}"));
    let report = analysis::analyze(&table);
    assert_eq!(report.gaps.count, 0, "{:?}", report.gaps);
    // A gap planted by dropping the blank period is found, with the blank in its example.
    let gap = TIMEPOINT_TABLE.replace(
        "when: {period: blank, epds: \">=10\"}",
        "when: {period: blank, epds: \">=30\"}",
    );
    let (gapped, diagnostics) = load_table("timepoint.yaml", &gap, &instruments());
    assert!(gapped.is_none());
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains("without a level")
                && d.message.contains("period is not given")),
        "{diagnostics:#?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("timepoint.yaml");
    std::fs::write(&rules, TIMEPOINT_TABLE).unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "screening_date;due_date;birth_date;epds1;epds2;epds3;epds4;epds5;epds6;epds7;epds8;epds9;epds10\n\
         2026-06-01;2026-10-19;;2;2;2;2;2;0;0;0;0;0\n\
         2026-06-01;;2026-05-28;2;2;2;2;2;0;0;0;0;0\n\
         2026-06-01;;2026-04-17;2;2;2;2;2;0;0;0;0;0\n\
         2026-06-01;;;2;2;2;2;2;0;0;0;0;0\n",
    )
    .unwrap();
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--format",
            "jsonl",
            "--rules",
        ])
        .arg(&rules)
        .arg("--input")
        .arg(&input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let care: Vec<Json> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap()["care"].clone())
        .collect();
    assert_eq!(care[0]["decided_by"][0], "PREG");
    assert_eq!(care[1]["decided_by"][0], "EARLY");
    // Rescreen 2-3 weeks after 2026-06-01.
    assert_eq!(care[1]["rescreen"]["from"], "2026-06-15");
    assert_eq!(care[1]["rescreen"]["to"], "2026-06-22");
    assert_eq!(care[2]["decided_by"][0], "LATER");
    assert_eq!(care[3]["level"], Json::Null);
    assert_eq!(care[3]["pending"][0]["rule"], "NOTIME");
}

/// Every `cargo run --release -- follow-up ...` line of docs/follow-up.md runs
/// as written, and the first one prints exactly the table the page shows.
#[test]
fn the_documented_follow_up_commands_run_as_written() {
    let doc = std::fs::read_to_string(root().join("docs/follow-up.md")).unwrap();
    let commands: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.trim().strip_prefix("cargo run --release -- "))
        .collect();
    assert!(commands.len() >= 4, "{commands:?}");
    let shown = doc
        .split("```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap();
    for (n, command) in commands.iter().enumerate() {
        let args: Vec<&str> = command.split_whitespace().collect();
        let output = stepcare().args(&args).output().unwrap();
        assert!(
            output.status.success(),
            "`{command}`:\n{}",
            transcript(&output)
        );
        if n == 0 {
            assert_eq!(String::from_utf8_lossy(&output.stdout), shown);
        }
    }
}
