//! Age-banded questionnaires: interval choice at every window edge, corrected
//! age at its 3-week and 24-month boundaries, concern boxes, adjusted totals,
//! definition checks, and the commands on the synthetic `se-demo` definition.

mod common;

use common::{catalog, root, stepcare, transcript};
use proptest::prelude::*;
use stepcare::instrument::age::{Age, ChildAge, Date, Gestation, age_from_dates};
use stepcare::instrument::{Instrument, load_instrument};
use stepcare::scoring::{Answer, Context, Status, score, score_with};

fn demo() -> &'static Instrument {
    catalog().get("se-demo").expect("se-demo is shipped")
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// The interval id chosen for a child born on `birth` (at `gestation`) and screened on `screening`.
fn interval_of(
    instrument: &Instrument,
    birth: &str,
    screening: &str,
    gestation: Option<Gestation>,
) -> Result<String, String> {
    let banding = instrument.age_banding.as_ref().unwrap();
    let age = age_from_dates(
        date(birth),
        date(screening),
        gestation,
        banding.correction.as_ref(),
    )
    .map_err(|e| e.to_string())?;
    banding
        .interval_for(&age)
        .map(|i| banding.intervals[i].id.clone())
        .map_err(|outside| outside.to_string())
}

fn chosen(age: Age) -> Result<String, String> {
    let banding = demo().age_banding.as_ref().unwrap();
    let child = ChildAge {
        chronological: age,
        corrected: None,
        early_days: 0,
    };
    banding
        .interval_for(&child)
        .map(|i| banding.intervals[i].id.clone())
        .map_err(|outside| outside.to_string())
}

#[test]
fn every_window_edge_of_se_demo() {
    // The last day of one window and the first day of the next.
    assert_eq!(
        chosen(Age::new(2, 30)).unwrap_err(),
        "age 2m 30d is outside every interval; nearest: d06 (3m 0d to 8m 30d)"
    );
    assert_eq!(chosen(Age::new(3, 0)).unwrap(), "d06");
    assert_eq!(chosen(Age::new(8, 30)).unwrap(), "d06");
    assert_eq!(chosen(Age::new(9, 0)).unwrap(), "d12");
    assert_eq!(chosen(Age::new(17, 30)).unwrap(), "d12");
    assert_eq!(chosen(Age::new(18, 0)).unwrap(), "d24");
    assert_eq!(chosen(Age::new(29, 30)).unwrap(), "d24");
    assert_eq!(
        chosen(Age::new(30, 0)).unwrap_err(),
        "age 30m 0d is outside every interval; nearest: d24 (18m 0d to 29m 30d)"
    );
}

#[test]
fn window_edges_by_calendar_dates() {
    let demo = demo();
    // Born 1 February: the 8-month birthday is 1 October, and October has 31
    // days, so 31 October is 8m 30d (the last day of d06) and 1 November 9m 0d.
    assert_eq!(
        interval_of(demo, "2025-02-01", "2025-10-31", None).unwrap(),
        "d06"
    );
    assert_eq!(
        interval_of(demo, "2025-02-01", "2025-11-01", None).unwrap(),
        "d12"
    );
    // Born 1 January: September has 30 days, so 30 September is 8m 29d, the
    // last day of d06 for this child, and 1 October 9m 0d.
    assert_eq!(
        interval_of(demo, "2025-01-01", "2025-09-30", None).unwrap(),
        "d06"
    );
    assert_eq!(
        interval_of(demo, "2025-01-01", "2025-10-01", None).unwrap(),
        "d12"
    );
    // The 3-month start, and 30 months just past d24.
    assert!(interval_of(demo, "2025-01-31", "2025-04-29", None).is_err());
    assert_eq!(
        interval_of(demo, "2025-01-31", "2025-04-30", None).unwrap(),
        "d06"
    );
    assert_eq!(
        interval_of(demo, "2024-01-10", "2026-07-09", None).unwrap(),
        "d24"
    );
    assert!(
        interval_of(demo, "2024-01-10", "2026-07-10", None)
            .unwrap_err()
            .contains("30m 0d is outside every interval")
    );
}

#[test]
fn the_three_week_boundary_changes_the_interval() {
    let demo = demo();
    // Chronologically 9m 5d: d12 when born at term or 2 weeks 6 days early,
    // d06 when born exactly 3 weeks early (corrected 8m 15d).
    let (birth, screening) = ("2025-01-10", "2025-10-15");
    assert_eq!(interval_of(demo, birth, screening, None).unwrap(), "d12");
    assert_eq!(
        interval_of(demo, birth, screening, Some(Gestation::new(37, 1))).unwrap(),
        "d12"
    );
    assert_eq!(
        interval_of(demo, birth, screening, Some(Gestation::new(37, 0))).unwrap(),
        "d06"
    );
}

/// A small age-banded definition with a window edge at 24 months.
fn two_windows(rounding: &str) -> Instrument {
    let text = format!(
        r#"
id: edge
name: {{en: Edge}}
version: "1"
citation: test
licence: test
synthetic: true
languages: [en]
concern: {{points: 5}}
option_sets:
  o:
    - {{points: 0, label: {{en: a}}}}
    - {{points: 5, label: {{en: b}}}}
    - {{points: 10, label: {{en: c}}}}
items:
  - {{id: a, label: {{en: a}}, option_set: o}}
  - {{id: b, label: {{en: b}}, option_set: o}}
scales:
  - id: total
    label: {{en: total}}
    items: [a, b]
    bands:
      - {{id: below, label: {{en: below}}}}
      - {{id: monitoring, label: {{en: monitoring}}}}
      - {{id: above, label: {{en: above}}}}
age:
  correction: {{term_weeks: 40, min_weeks_early: 3, until_months: 24, rounding: {rounding}}}
intervals:
  - id: i18
    label: {{en: i18}}
    from: {{months: 12}}
    to: {{months: 23, days: 30}}
    items: [a, b]
    cutoffs: {{total: {{monitoring: {{from: 10, to: 14}}, referral: 15}}}}
  - id: i24
    label: {{en: i24}}
    from: {{months: 24}}
    to: {{months: 35, days: 30}}
    items: [a, b]
    cutoffs: {{total: {{monitoring: {{from: 10, to: 19}}, referral: 20}}}}
"#
    );
    let (instrument, diagnostics) = load_instrument("edge.yaml", &text);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    instrument.unwrap()
}

#[test]
fn the_24_month_boundary_changes_the_interval() {
    let edge = two_windows("days");
    let born_early = Some(Gestation::new(32, 0));
    // The day before 24 months chronological age: corrected (by 8 weeks) to 22 months.
    assert_eq!(
        interval_of(&edge, "2024-01-15", "2026-01-14", born_early).unwrap(),
        "i18"
    );
    // At 24 months 0 days the age is no longer corrected.
    assert_eq!(
        interval_of(&edge, "2024-01-15", "2026-01-15", born_early).unwrap(),
        "i24"
    );
    // A child born at term is in i18 the day before 24 months too.
    assert_eq!(
        interval_of(&edge, "2024-01-15", "2026-01-14", None).unwrap(),
        "i18"
    );
}

#[test]
fn the_rounding_of_the_days_born_early_is_the_definitions() {
    // 36+4 is 3 weeks 3 days early; screened at 24 months minus 1 day.
    let days = two_windows("days");
    let floor = two_windows("floor_weeks");
    let born = "2024-03-01";
    let screened = "2026-02-28"; // 23m 27d
    let g = Some(Gestation::new(36, 4));
    let age = |instrument: &Instrument| {
        age_from_dates(
            date(born),
            date(screened),
            g,
            instrument.age_banding.as_ref().unwrap().correction.as_ref(),
        )
        .unwrap()
    };
    assert_eq!(age(&days).chronological, Age::new(23, 27));
    assert_eq!(age(&days).early_days, 24);
    assert_eq!(age(&days).corrected, Some(Age::new(23, 3)));
    assert_eq!(age(&floor).early_days, 21);
    assert_eq!(age(&floor).corrected, Some(Age::new(23, 6)));
}

fn answers_for(instrument: &Instrument, points: &[(&str, Option<i32>)]) -> Vec<Answer> {
    let mut answers = vec![Answer::Missing; instrument.items.len()];
    for (id, value) in points {
        let index = instrument.item_index(id).unwrap();
        answers[index] = match value {
            Some(p) => Answer::Chosen(
                instrument.items[index]
                    .options
                    .iter()
                    .position(|o| o.points == *p)
                    .unwrap() as u8,
            ),
            None => Answer::Missing,
        };
    }
    answers
}

#[test]
fn concern_boxes_add_points_only_to_answered_items() {
    let demo = demo();
    let d06 = demo.interval_index("d06");
    let answers = answers_for(
        demo,
        &[
            ("d01", Some(10)),
            ("d02", Some(5)),
            ("d03", Some(5)),
            ("d04", Some(0)),
            ("d05", Some(0)),
            ("d06", None),
        ],
    );
    let mut concerns = vec![false; demo.items.len()];
    concerns[demo.item_index("d01").unwrap()] = true;
    let plain = score_with(
        demo,
        &answers,
        Context {
            interval: d06,
            ..Context::default()
        },
    );
    let with_concern = score_with(
        demo,
        &answers,
        Context {
            concerns: &concerns,
            interval: d06,
            age: None,
        },
    );
    // 20 over 5 answered items, adjusted for the missing one: 24; +5 before adjusting: 30.
    assert_eq!(plain.scales[0].score, Some(24.0));
    assert_eq!(with_concern.scales[0].score, Some(30.0));
    // A ticked box on the unanswered item adds nothing.
    concerns[demo.item_index("d06").unwrap()] = true;
    let on_missing = score_with(
        demo,
        &answers,
        Context {
            concerns: &concerns,
            interval: d06,
            age: None,
        },
    );
    assert_eq!(on_missing.scales[0].score, Some(30.0));
}

#[test]
fn without_an_interval_an_age_banded_instrument_has_no_score() {
    let demo = demo();
    let answers = vec![Answer::Chosen(0); demo.items.len()];
    let result = score(demo, &answers);
    assert_eq!(result.scales[0].score, None);
    assert_eq!(result.status(), Status::Incomplete);
    // Answers to items the interval does not ask are ignored, even invalid ones.
    let mut answers = answers_for(demo, &[("d05", Some(0)), ("d06", Some(0))]);
    answers[demo.item_index("d01").unwrap()] = Answer::Invalid;
    for id in ["d07", "d08", "d09", "d10", "d11", "d12"] {
        answers[demo.item_index(id).unwrap()] = Answer::Chosen(2);
    }
    let result = score_with(
        demo,
        &answers,
        Context {
            interval: demo.interval_index("d24"),
            ..Context::default()
        },
    );
    assert_eq!(result.status(), Status::Ok);
    assert!(result.invalid_items.is_empty());
}

proptest! {
    /// The 24-month form's adjusted-total rule: up to 1 missing item the plain
    /// sum, 2 missing the total + mean x missing (rounded half up), more: no score.
    #[test]
    fn adjusted_total_rule_of_the_24_month_form(
        cells in prop::collection::vec(prop::option::weighted(0.8, prop::sample::select(vec![0, 5, 10])), 8),
        ticks in prop::collection::vec(any::<bool>(), 8),
    ) {
        let demo = demo();
        let ids = ["d05", "d06", "d07", "d08", "d09", "d10", "d11", "d12"];
        let points: Vec<(&str, Option<i32>)> = ids.iter().copied().zip(cells.iter().copied()).collect();
        let answers = answers_for(demo, &points);
        let mut concerns = vec![false; demo.items.len()];
        for (id, tick) in ids.iter().zip(&ticks) {
            concerns[demo.item_index(id).unwrap()] = *tick;
        }
        let result = score_with(demo, &answers, Context {
            concerns: &concerns,
            interval: demo.interval_index("d24"),
            age: None,
        });
        let answered: Vec<i32> = cells.iter().zip(&ticks)
            .filter_map(|(c, t)| c.map(|p| p + if *t { 5 } else { 0 }))
            .collect();
        let missing = 8 - answered.len();
        let sum: i32 = answered.iter().sum();
        let expected = match missing {
            0 | 1 => Some(f64::from(sum)),
            2 => Some((f64::from(sum) + f64::from(sum) / 6.0 * 2.0).round()),
            _ => None,
        };
        prop_assert_eq!(result.scales[0].score, expected);
        if let Some(score) = expected {
            let band = result.scales[0].band.map(|b| demo.scales[0].bands[b].id.as_str());
            let want = if score < 40.0 { "below" } else if score <= 54.0 { "monitoring" } else { "above" };
            prop_assert_eq!(band, Some(want));
        }
    }

    /// Every date pair either gives an interval, an age outside all windows, or
    /// an error: never a panic, and a corrected age is never older than the chronological one.
    #[test]
    fn any_dates_give_an_answer(birth in 0i64..3000, gap in -40i64..1200, weeks in 22u32..43, days in 0u32..7) {
        let birth = Date::from_day_number(19_000 + birth).unwrap();
        let screening = birth.add_days(gap).unwrap();
        let correction = demo().age_banding.as_ref().unwrap().correction.as_ref();
        match age_from_dates(birth, screening, Some(Gestation::new(weeks, days)), correction) {
            Ok(age) => {
                prop_assert!(age.used() <= age.chronological);
                let _ = demo().age_banding.as_ref().unwrap().interval_for(&age);
            }
            Err(err) => prop_assert!(!err.to_string().is_empty()),
        }
    }
}

#[test]
fn definition_checks_name_what_is_wrong() {
    let text = r#"
id: broken
name: {en: Broken}
version: "1"
citation: test
licence: test
languages: [en]
option_sets:
  o:
    - {points: 0, label: {en: a}}
    - {points: 10, label: {en: c}}
items:
  - {id: a, label: {en: a}, option_set: o, concern: {points: -5}}
  - {id: b, label: {en: b}, option_set: o}
scales:
  - id: total
    label: {en: total}
    items: [a, b]
    bands:
      - {id: below, from: 0, to: 5, label: {en: below}}
      - {id: monitoring, label: {en: monitoring}}
      - {id: above, label: {en: above}}
intervals:
  - id: x1
    label: {en: x1}
    from: {months: 6}
    to: {months: 12, days: 31}
    items: [a, b, zz]
    cutoffs: {total: {monitoring: {from: 0, to: 9}, referral: 12}}
  - id: x2
    label: {en: x2}
    from: {months: 12}
    to: {months: 18}
    items: [a]
    cutoffs: {other: {monitoring: {from: 1, to: 2}, referral: 3}}
examples:
  - name: no age
    answers: {a: 0}
    expect: {}
"#;
    let (instrument, diagnostics) = load_instrument("broken.yaml", text);
    assert!(instrument.is_none());
    let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
    let expect = [
        "a concern box cannot take points away",
        "band `below` has a range, but in an age-banded instrument each interval sets the ranges",
        "31 days is more than a month",
        "unknown item `zz`",
        "the monitoring zone starts at or below the lowest score 0 of interval `x1`",
        "the referral cutoff 12 does not follow the monitoring zone (0-9)",
        "unknown scale `other` in the cutoffs",
        "interval `x2` has no cutoffs for scale `total`",
        "the windows of intervals `x1` (6m 0d to 12m 31d) and `x2` (12m 0d to 18m 0d) overlap",
        "example `no age` of an age-banded instrument needs an age",
    ];
    for wanted in expect {
        assert!(
            messages.iter().any(|m| m.contains(wanted)),
            "no diagnostic says {wanted:?}; got {messages:#?}"
        );
    }
}

#[test]
fn zone_gaps_from_unrounded_adjusted_totals_are_reported() {
    let text = r#"
id: gaps
name: {en: Gaps}
version: "1"
citation: test
licence: test
languages: [en]
option_sets:
  o:
    - {points: 0, label: {en: a}}
    - {points: 5, label: {en: b}}
    - {points: 10, label: {en: c}}
items:
  - {id: a, label: {en: a}, option_set: o}
  - {id: b, label: {en: b}, option_set: o}
  - {id: c, label: {en: c}, option_set: o}
scales:
  - id: total
    label: {en: total}
    items: [a, b, c]
    missing: {max_missing: 1, prorate: true, rounding: none}
    bands:
      - {id: below, label: {en: below}}
      - {id: monitoring, label: {en: monitoring}}
      - {id: above, label: {en: above}}
intervals:
  - id: x1
    label: {en: x1}
    from: {months: 6}
    to: {months: 12}
    items: [a, b, c]
    cutoffs: {total: {monitoring: {from: 8, to: 19}, referral: 20}}
"#;
    let (_, diagnostics) = load_instrument("gaps.yaml", text);
    assert!(
        diagnostics.iter().any(|d| d
            .message
            .contains("score 7.5 of scale `total` falls in no band")),
        "{diagnostics:#?}"
    );
}

#[test]
fn show_se_demo() {
    let output = stepcare()
        .args(["show", "se-demo", "--lang", "en"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains("NOT A CLINICAL INSTRUMENT")
    );
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn verify_runs_the_se_demo_examples() {
    let output = stepcare().args(["verify", "se-demo"]).output().unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("11 of 11 examples pass"));
}

#[test]
fn a_scored_table_of_the_sample_data() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "se-demo",
            "--input",
            "examples/se-demo.csv",
            "--keep",
            "child_id",
            "--format",
            "table",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn csv_output_reports_interval_age_corrected_age_total_zone_and_status() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "se-demo",
            "--input",
            "examples/se-demo.csv",
            "--keep",
            "child_id",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn missing_age_and_concern_columns_are_an_error_before_any_row() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,dob,d01,d02,d03,d04,d05,d06\n1,2025-01-01,0,0,0,0,0,0\n",
    )
    .unwrap();
    let output = stepcare()
        .args(["score", "--instrument", "se-demo", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for wanted in [
        "se-demo.birth_date and se-demo.screening_date, or se-demo.age_months",
        "se-demo.gestational_weeks",
        "concern-box columns such as se-demo.d01.concern",
    ] {
        assert!(stderr.contains(wanted), "{wanted}: {stderr}");
    }
}

#[test]
fn a_column_map_names_age_and_concern_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id;født;dato;uke;d01;d02;d03;d04;d05;d06;bekymring1\n\
         1;20.01.2026;20.07.2026;;10;5;5;0;0;0;ja\n",
    )
    .unwrap();
    let map = dir.path().join("map.yaml");
    std::fs::write(
        &map,
        "født: se-demo.birth_date\ndato: se-demo.screening_date\nuke: se-demo.gestational_weeks\nbekymring1: se-demo.d01.concern\n",
    )
    .unwrap();
    let output = stepcare()
        .args(["score", "--instrument", "se-demo", "-q", "--map"])
        .arg(&map)
        .arg("--input")
        .arg(&input)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The dates are read through the map; the other concern columns are
    // absent, so the row is invalid and says which, with no total.
    assert!(stdout.contains("1;invalid;d06;6;0;;;;;"), "{stdout}");
    assert!(
        stdout.contains("the input has no concern column for d02"),
        "{stdout}"
    );
}

#[test]
fn a_services_own_definition_loads_from_its_directory() {
    // A licensed service keeps its definition outside the repository and
    // points --instruments at it; here a renamed copy of se-demo stands in.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("instruments/se-demo.yaml"))
        .unwrap()
        .replace("id: se-demo", "id: local-se");
    std::fs::write(dir.path().join("local-se.yaml"), text).unwrap();
    let output = stepcare()
        .args(["verify", "local-se", "--instruments"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let template = root().join("instruments/templates/asqse2-template.yaml.example");
    assert!(
        template.exists(),
        "the template for licensed definitions is shipped"
    );
    let output = stepcare()
        .args(["validate"])
        .arg(&template)
        .output()
        .unwrap();
    // The template holds placeholders only: it must not validate as it is.
    assert_eq!(output.status.code(), Some(1));
}
