//! Rule tables: the static analysis finds planted defects, every rule of the
//! shipped tables fires for some family, levels never fall when a score (or a
//! child's zone) rises, urgent flags are never lost, and the commands show
//! what they should.

mod common;

use std::collections::BTreeSet;

use common::{catalog, root, stepcare, transcript};
use proptest::prelude::*;
use stepcare::catalog::Catalog;
use stepcare::diagnostic::Diagnostic;
use stepcare::instrument::Instrument;
use stepcare::rules::{BUILTIN_TABLES, DataValues, RuleTable, analysis, load_builtin, load_table};
use stepcare::scoring::{Answer, Context, InstrumentScore, score, score_with};

fn instruments() -> Vec<&'static Instrument> {
    catalog().instruments().iter().collect()
}

fn shipped(id: &str) -> &'static RuleTable {
    static TABLES: std::sync::OnceLock<Vec<RuleTable>> = std::sync::OnceLock::new();
    TABLES
        .get_or_init(|| {
            BUILTIN_TABLES
                .iter()
                .map(|(id, _, _)| load_builtin(id, &instruments()).expect("shipped table loads"))
                .collect()
        })
        .iter()
        .find(|t| t.id == id)
        .expect("shipped table")
}

/// Loads a fixture under tests/fixtures/rules and renders its diagnostics as a user sees them.
fn fixture(name: &str) -> (Option<RuleTable>, Vec<Diagnostic>, String) {
    let path = format!("tests/fixtures/rules/{name}.yaml");
    let text = std::fs::read_to_string(root().join(&path)).unwrap();
    let (table, mut diagnostics) = load_table(&path, &text, &instruments());
    // As `stepcare validate` does: the full analysis adds the masked rules.
    if let Some(table) = &table {
        let report = analysis::analyze(table);
        diagnostics.extend(report.masking_diagnostics(table, &path, &text));
    }
    let rendered = diagnostics
        .iter()
        .map(|d| d.render(Some(&text), false))
        .collect::<Vec<_>>()
        .join("\n\n");
    (table, diagnostics, rendered)
}

// --- The analysis finds planted defects -------------------------------------

#[test]
fn the_base_fixture_is_clean() {
    let (table, diagnostics, rendered) = fixture("base");
    assert!(table.is_some(), "{rendered}");
    assert!(diagnostics.is_empty(), "{rendered}");
}

#[test]
fn a_planted_gap_is_reported_with_an_example() {
    let (table, diagnostics, rendered) = fixture("gap");
    assert!(table.is_none(), "a table with a gap is refused");
    assert_eq!(diagnostics.len(), 1, "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn a_planted_shadowed_rule_is_a_warning_naming_the_rule_that_masks_it() {
    let (table, diagnostics, rendered) = fixture("shadowed");
    assert!(table.is_some(), "a warning does not refuse the table");
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn impossible_conditions_and_unknown_references_are_all_listed_with_their_place() {
    let (table, diagnostics, rendered) = fixture("impossible");
    assert!(table.is_none());
    // Every error is listed, not just the first.
    assert!(diagnostics.len() >= 7, "{rendered}");
    assert!(
        diagnostics
            .iter()
            .all(|d| d.spot.line > 0 && d.spot.column > 0)
    );
    insta::assert_snapshot!(rendered);
}

#[test]
fn a_lost_urgent_flag_is_an_error() {
    let (table, diagnostics, rendered) = fixture("lost-urgent");
    assert!(table.is_none());
    // Lost when raised on an incomplete form, and whenever unknown (an
    // unanswered item 10 always leaves the total incomplete).
    assert_eq!(diagnostics.len(), 2, "{rendered}");
    insta::assert_snapshot!(rendered);
}

#[test]
fn an_unknown_instrument_is_an_error_at_its_place() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/rules/base.yaml"))
        .unwrap()
        .replace("instruments: [epds]", "instruments: [epds, phq99]");
    let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
    assert!(table.is_none());
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0].message, "unknown instrument `phq99`");
    assert_eq!(
        (diagnostics[0].spot.line, diagnostics[0].spot.column),
        (7, 21)
    );
}

#[test]
fn a_table_whose_rule_cites_no_source_is_refused() {
    let text = std::fs::read_to_string(root().join("tests/fixtures/rules/base.yaml"))
        .unwrap()
        .replace("    source: own rule\n", "");
    let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
    assert!(table.is_none());
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    assert!(
        diagnostics
            .iter()
            .all(|d| d.message.contains("cites no source"))
    );
}

#[test]
fn shipped_tables_are_clean_and_analysed_quickly() {
    for (id, file, text) in BUILTIN_TABLES {
        let started = std::time::Instant::now();
        let (table, diagnostics) = load_table(file, text, &instruments());
        let elapsed = started.elapsed();
        assert!(diagnostics.is_empty(), "{id}: {diagnostics:#?}");
        let table = table.unwrap();
        let report = analysis::analyze(&table);
        assert_eq!(report.gaps.count, 0);
        assert!(report.lost_flags.is_empty() && report.masked.is_empty());
        assert!(
            report.combinations > 1_000_000_000,
            "{}",
            report.combinations
        );
        // Well under a second in release builds; generous for debug builds on CI.
        assert!(elapsed.as_secs_f64() < 10.0, "{id}: {elapsed:?}");
    }
}

// --- Every rule of the shipped tables fires for some family -------------------

/// Answers from a compact spec: `q10=1` sets an item's points, `missing=q5`
/// leaves items blank, and `total=15` fills the other items (flag items
/// excepted) greedily, in order, so that the points add up to 15.
fn answers(instrument: &Instrument, spec: &str) -> Vec<Answer> {
    let mut chosen: Vec<Option<Answer>> = vec![None; instrument.items.len()];
    let mut total: Option<i32> = None;
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').expect("key=value");
        match key {
            "total" => total = Some(value.parse().unwrap()),
            "missing" => {
                for id in value.split('+') {
                    chosen[instrument.item_index(id).expect("item")] = Some(Answer::Missing);
                }
            }
            _ => {
                let index = instrument.item_index(key).expect("item");
                let points: i32 = value.parse().unwrap();
                let option = instrument.items[index]
                    .options
                    .iter()
                    .position(|o| o.points == points)
                    .expect("option with these points");
                chosen[index] = Some(Answer::Chosen(option as u8));
            }
        }
    }
    let flag_items: Vec<usize> = instrument.flags.iter().map(|f| f.item).collect();
    let explicit: i32 = chosen
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match a {
            Some(Answer::Chosen(o)) => Some(instrument.items[i].options[*o as usize].points),
            _ => None,
        })
        .sum::<i32>();
    let mut remaining = total.map_or(0, |t| t - explicit);
    let mut out = Vec::new();
    for (index, item) in instrument.items.iter().enumerate() {
        if let Some(answer) = chosen[index] {
            out.push(answer);
            continue;
        }
        let allowed = if flag_items.contains(&index) {
            0
        } else {
            remaining
        };
        let (option, points) = item
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.points <= allowed)
            .max_by_key(|(_, o)| o.points)
            .map(|(i, o)| (i, o.points))
            .expect("an option scoring 0");
        remaining -= points;
        out.push(Answer::Chosen(option as u8));
    }
    assert_eq!(
        remaining, 0,
        "{}: cannot reach the total in `{spec}`",
        instrument.id
    );
    out
}

/// One family: (instrument, answer spec) pairs and data values.
struct Case {
    rule: &'static str,
    screened: &'static [(&'static str, &'static str)],
    data: &'static [(&'static str, &'static str)],
}

const MOTHER: &[(&str, &str)] = &[("respondent", "mother")];
const PARTNER: &[(&str, &str)] = &[("respondent", "partner")];

/// A family that fires each rule of the shipped tables (the cut-offs chosen
/// lie inside both the Norwegian and the Swedish ranges).
const CASES: &[Case] = &[
    Case {
        rule: "U-1",
        screened: &[("epds", "total=5,q10=1")],
        data: MOTHER,
    },
    Case {
        rule: "U-2",
        screened: &[("phq9", "total=5,q9=1")],
        data: MOTHER,
    },
    Case {
        rule: "U-3",
        screened: &[("epds", "total=5")],
        data: &[("respondent", "mother"), ("suspected_psychosis", "yes")],
    },
    Case {
        rule: "U-4",
        screened: &[("epds", "total=5")],
        data: &[("respondent", "mother"), ("red_flags", "x")],
    },
    Case {
        rule: "U-5",
        screened: &[("epds", "total=5")],
        data: &[("respondent", "mother"), ("immediate_danger", "ja")],
    },
    Case {
        rule: "U-1u",
        screened: &[("epds", "missing=q10,total=5")],
        data: MOTHER,
    },
    Case {
        rule: "U-2u",
        screened: &[("phq9", "missing=q9,total=2")],
        data: MOTHER,
    },
    Case {
        rule: "A-1",
        screened: &[("risk", "q5=1")],
        data: MOTHER,
    },
    Case {
        rule: "R-1",
        screened: &[("epds", "total=5")],
        data: &[("respondent", "mother"), ("previous_level", "2")],
    },
    Case {
        rule: "R-2",
        screened: &[("phq9", "total=3")],
        data: &[("respondent", "mother"), ("previous_level", "3")],
    },
    Case {
        rule: "R-3",
        screened: &[("gad7", "total=2")],
        data: &[("respondent", "mother"), ("previous_level", "2")],
    },
    Case {
        rule: "L3-1",
        screened: &[("risk", "q3=1")],
        data: MOTHER,
    },
    Case {
        rule: "L3-2",
        screened: &[("phq9", "total=22")],
        data: MOTHER,
    },
    Case {
        rule: "E-1a",
        screened: &[("epds", "total=15")],
        data: &[("respondent", "mother"), ("previous_level", "2")],
    },
    Case {
        rule: "E-1b",
        screened: &[("epds", "total=12")],
        data: &[("respondent", "partner"), ("previous_level", "3")],
    },
    Case {
        rule: "E-1c",
        screened: &[("phq9", "total=12")],
        data: &[("respondent", "mother"), ("previous_level", "2")],
    },
    Case {
        rule: "L2-1",
        screened: &[("epds", "total=15")],
        data: MOTHER,
    },
    Case {
        rule: "L2-2",
        screened: &[("phq9", "total=12")],
        data: MOTHER,
    },
    Case {
        rule: "L2-3",
        screened: &[("gad7", "total=11")],
        data: MOTHER,
    },
    Case {
        rule: "L2-4a",
        screened: &[("tweak", "q1=2")],
        data: MOTHER,
    },
    Case {
        rule: "L2-5",
        screened: &[("risk", "q5=1")],
        data: MOTHER,
    },
    Case {
        rule: "L2-7",
        screened: &[("epds", "total=11")],
        data: PARTNER,
    },
    Case {
        rule: "L2-8",
        screened: &[("risk", "q6=1")],
        data: MOTHER,
    },
    Case {
        rule: "L2-9",
        screened: &[("risk", "q1=1")],
        data: MOTHER,
    },
    Case {
        rule: "E-1d",
        screened: &[("epds", "total=10")],
        data: &[("respondent", "mother"), ("previous_level", "1")],
    },
    Case {
        rule: "L1-1",
        screened: &[("epds", "total=10")],
        data: MOTHER,
    },
    Case {
        rule: "L1-2a",
        screened: &[("phq9", "total=6")],
        data: MOTHER,
    },
    Case {
        rule: "L1-2b",
        screened: &[("gad7", "total=6")],
        data: MOTHER,
    },
    Case {
        rule: "L1-3a",
        screened: &[("whooley", "total=1")],
        data: MOTHER,
    },
    Case {
        rule: "L1-3b",
        screened: &[("phq2", "total=3")],
        data: MOTHER,
    },
    Case {
        rule: "L1-3c",
        screened: &[("gad2", "total=3")],
        data: MOTHER,
    },
    Case {
        rule: "L1-4",
        screened: &[("epds", "q3=2,q4=2,q5=2,total=8")],
        data: MOTHER,
    },
    Case {
        rule: "L1-6",
        screened: &[("epds", "total=8")],
        data: PARTNER,
    },
    Case {
        rule: "L1-8",
        screened: &[("risk", "q4=1")],
        data: MOTHER,
    },
    Case {
        rule: "L0-1",
        screened: &[("epds", "total=5")],
        data: MOTHER,
    },
    Case {
        rule: "L0-2",
        screened: &[("epds", "total=4")],
        data: PARTNER,
    },
    Case {
        rule: "L0-3",
        screened: &[("phq9", "total=2")],
        data: MOTHER,
    },
    Case {
        rule: "L0-4",
        screened: &[("gad7", "total=2")],
        data: MOTHER,
    },
    Case {
        rule: "L0-5",
        screened: &[("phq2", "total=1")],
        data: MOTHER,
    },
    Case {
        rule: "L0-6",
        screened: &[("gad2", "total=1")],
        data: MOTHER,
    },
    Case {
        rule: "L0-7",
        screened: &[("whooley", "total=0")],
        data: MOTHER,
    },
    Case {
        rule: "L0-8",
        screened: &[("tweak", "q3=1")],
        data: MOTHER,
    },
    Case {
        rule: "L0-9",
        screened: &[("auditc", "total=0")],
        data: MOTHER,
    },
    Case {
        rule: "L0-10",
        screened: &[("risk", "total=0")],
        data: MOTHER,
    },
    Case {
        rule: "N-0",
        screened: &[],
        data: MOTHER,
    },
    Case {
        rule: "N-1",
        screened: &[("epds", "missing=q5,total=8")],
        data: MOTHER,
    },
    Case {
        rule: "N-2",
        screened: &[("epds", "total=8")],
        data: &[("respondent", "")],
    },
    Case {
        rule: "N-3",
        screened: &[("phq9", "missing=q9,total=3")],
        data: MOTHER,
    },
    Case {
        rule: "N-4",
        screened: &[("gad7", "missing=q1+q2,total=3")],
        data: MOTHER,
    },
    Case {
        rule: "N-5",
        screened: &[("phq2", "missing=q1")],
        data: MOTHER,
    },
    Case {
        rule: "N-6",
        screened: &[("gad2", "missing=q2")],
        data: MOTHER,
    },
    Case {
        rule: "N-7",
        screened: &[("whooley", "missing=q1")],
        data: MOTHER,
    },
    Case {
        rule: "N-8",
        screened: &[("tweak", "missing=q5")],
        data: MOTHER,
    },
    Case {
        rule: "N-9",
        // Not after "never" on item 1: that would skip item 3 (scored 0).
        screened: &[("auditc", "q1=1,missing=q3")],
        data: MOTHER,
    },
    Case {
        rule: "N-10",
        screened: &[("risk", "missing=q2")],
        data: MOTHER,
    },
    // The child rules: the synthetic `se-demo` stands for the child's
    // questionnaire, and no data column is needed.
    Case {
        rule: "L2-6",
        screened: &[("se-demo", "interval=d06,d01=10,d02=10,d03=10,d04=5")],
        data: &[],
    },
    Case {
        rule: "L1-5",
        screened: &[("se-demo", "interval=d06,d01=10,d02=5,d03=5,concern=d01+d02")],
        data: &[],
    },
    Case {
        rule: "L0-11",
        screened: &[("se-demo", "interval=d24,d05=5")],
        data: &[],
    },
    Case {
        rule: "N-11",
        screened: &[("se-demo", "interval=d12,missing=d01+d02")],
        data: &[],
    },
    // --- Issue 16: violence, substance use, severity, partners, bonding, fear of birth ---
    Case {
        rule: "U-6",
        screened: &[("violence", "q1=1,q7=1")],
        data: MOTHER,
    },
    Case {
        rule: "U-6u",
        screened: &[("violence", "q1=1,missing=q7")],
        data: MOTHER,
    },
    Case {
        rule: "V-1",
        screened: &[("violence", "q1=1")],
        data: MOTHER,
    },
    Case {
        rule: "V-2",
        screened: &[("violence", "q6=1")],
        data: MOTHER,
    },
    Case {
        rule: "V-3",
        screened: &[("violence", "q5=1")],
        data: MOTHER,
    },
    Case {
        rule: "V-0",
        screened: &[("violence", "total=0")],
        data: MOTHER,
    },
    Case {
        rule: "V-N",
        screened: &[("violence", "missing=q2")],
        data: MOTHER,
    },
    Case {
        rule: "S-1",
        screened: &[("auditc", "total=1")],
        data: MOTHER,
    },
    Case {
        rule: "S-2",
        screened: &[("auditc", "total=3")],
        data: MOTHER,
    },
    Case {
        rule: "S-3",
        screened: &[("auditc", "total=4")],
        data: PARTNER,
    },
    Case {
        rule: "S-0p",
        screened: &[("auditc", "total=2")],
        data: PARTNER,
    },
    Case {
        rule: "S-4",
        screened: &[("tweak", "q1=2")],
        data: PARTNER,
    },
    Case {
        rule: "S-5",
        screened: &[("audit", "total=9")],
        data: MOTHER,
    },
    Case {
        rule: "S-5p",
        screened: &[("audit", "total=9")],
        data: PARTNER,
    },
    Case {
        rule: "S-6",
        screened: &[("audit", "total=17")],
        data: MOTHER,
    },
    Case {
        rule: "S-7",
        screened: &[("audit", "total=22")],
        data: PARTNER,
    },
    Case {
        rule: "S-8",
        screened: &[("dudit", "total=1")],
        data: MOTHER,
    },
    Case {
        rule: "S-9",
        screened: &[("dudit", "total=3")],
        data: MOTHER,
    },
    Case {
        rule: "S-9p",
        screened: &[("dudit", "total=7")],
        data: PARTNER,
    },
    Case {
        rule: "S-10",
        screened: &[("dudit", "total=30")],
        data: MOTHER,
    },
    Case {
        rule: "S-0",
        screened: &[("dudit", "total=0")],
        data: MOTHER,
    },
    Case {
        rule: "S-0d",
        screened: &[("dudit", "total=4")],
        data: PARTNER,
    },
    Case {
        rule: "S-0a",
        screened: &[("audit", "total=5")],
        data: MOTHER,
    },
    Case {
        rule: "S-0ap",
        screened: &[("audit", "total=5")],
        data: PARTNER,
    },
    Case {
        rule: "S-N1",
        screened: &[("audit", "q1=2,missing=q9")],
        data: MOTHER,
    },
    Case {
        rule: "S-N2",
        screened: &[("dudit", "missing=q11")],
        data: MOTHER,
    },
    Case {
        rule: "L3-3",
        screened: &[("epds", "total=22")],
        data: MOTHER,
    },
    Case {
        rule: "P-1",
        screened: &[("epds", "q3=2,q4=2,q5=2,total=6")],
        data: PARTNER,
    },
    Case {
        rule: "E-1e",
        screened: &[("gad7", "total=12")],
        data: &[("respondent", "mother"), ("previous_level", "2")],
    },
    Case {
        rule: "E-1f",
        screened: &[("epds", "total=8")],
        data: &[("respondent", "partner"), ("previous_level", "1")],
    },
    Case {
        rule: "U-7",
        screened: &[("pbq", "q24=1")],
        data: MOTHER,
    },
    Case {
        rule: "U-7u",
        screened: &[("pbq", "missing=q24")],
        data: MOTHER,
    },
    Case {
        rule: "U-8",
        screened: &[("pbq", "q18=1")],
        data: MOTHER,
    },
    Case {
        rule: "U-8u",
        screened: &[("pbq", "missing=q18")],
        data: MOTHER,
    },
    Case {
        rule: "B-1",
        screened: &[("pbq", "q3=5,q5=5,q14=3")],
        data: MOTHER,
    },
    Case {
        rule: "B-2",
        screened: &[("pbq", "q2=5,q6=5,q7=2")],
        data: MOTHER,
    },
    Case {
        rule: "B-0",
        screened: &[("pbq", "total=0")],
        data: MOTHER,
    },
    Case {
        rule: "B-N1",
        screened: &[("pbq", "missing=q1")],
        data: MOTHER,
    },
    Case {
        rule: "B-N2",
        screened: &[("pbq", "missing=q3")],
        data: MOTHER,
    },
    Case {
        rule: "F-1",
        screened: &[("fobs", "q1=60,q2=60")],
        data: MOTHER,
    },
    Case {
        rule: "F-0",
        screened: &[("fobs", "q1=10,q2=10")],
        data: MOTHER,
    },
    Case {
        rule: "F-N",
        screened: &[("fobs", "q1=80,missing=q2")],
        data: MOTHER,
    },
];

/// Scores one answer spec (see [`answers`]); `interval=ID` scores an
/// age-banded instrument in that interval and `concern=d01+d02` ticks concern boxes.
fn score_spec(instrument: &Instrument, spec: &str) -> InstrumentScore {
    let mut interval = None;
    let mut concerns = vec![false; instrument.items.len()];
    let mut rest = Vec::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some(("interval", id)) => {
                interval = Some(instrument.interval_index(id).expect("interval"));
            }
            Some(("concern", ids)) => {
                for id in ids.split('+') {
                    concerns[instrument.item_index(id).expect("item")] = true;
                }
            }
            _ => rest.push(part),
        }
    }
    let context = Context {
        concerns: &concerns,
        interval,
        age: None,
    };
    score_with(instrument, &answers(instrument, &rest.join(",")), context)
}

fn recommend_case(table: &RuleTable, case: &Case) -> stepcare::rules::Recommendation {
    let instruments: Vec<&Instrument> = case
        .screened
        .iter()
        .map(|(id, _)| catalog().get(id).expect("instrument"))
        .collect();
    let scores: Vec<InstrumentScore> = instruments
        .iter()
        .zip(case.screened)
        .map(|(instrument, (_, spec))| score_spec(instrument, spec))
        .collect();
    let screened: Vec<(&Instrument, &InstrumentScore)> =
        instruments.iter().copied().zip(scores.iter()).collect();
    let data: DataValues = case
        .data
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    stepcare::rules::recommend(table, &screened, &data).expect("data complete")
}

#[test]
fn every_rule_of_every_shipped_table_fires_for_some_family() {
    for (id, _, _) in BUILTIN_TABLES {
        let table = shipped(id);
        let ids: BTreeSet<&str> = table.rules.iter().map(|r| r.id.as_str()).collect();
        let covered: BTreeSet<&str> = CASES.iter().map(|c| c.rule).collect();
        assert_eq!(ids, covered, "{id}: the cases must name every rule exactly");
        for case in CASES {
            let recommendation = recommend_case(table, case);
            let fired = recommendation
                .rules
                .iter()
                .find(|r| r.id == case.rule)
                .unwrap_or_else(|| {
                    panic!("{id}: {} does not fire: {recommendation:#?}", case.rule)
                });
            assert!(
                fired.sets_outcome || fired.action.is_some(),
                "{id}: {} fires but sets nothing and adds no action",
                case.rule
            );
        }
    }
}

#[test]
fn the_issue_examples_for_a_mother_with_the_epds_alone() {
    let table = shipped("no-default");
    let level = |spec: &'static str| {
        let case = Case {
            rule: "",
            screened: Box::leak(Box::new([("epds", spec)])),
            data: MOTHER,
        };
        let r = recommend_case(table, &case);
        (r.level, r.urgent)
    };
    // EPDS 20 or more is severe (McCabe-Beane 2016), like PHQ-9 20 or more: level 3 (L3-3).
    assert_eq!(level("total=20"), (Some(3), false));
    assert_eq!(level("total=19"), (Some(2), false));
    assert_eq!(level("total=13"), (Some(2), false));
    assert_eq!(level("total=12"), (Some(1), false));
    assert_eq!(level("total=10"), (Some(1), false));
    assert_eq!(level("total=9"), (Some(0), false));
    assert_eq!(level("q3=2,q4=2,q5=2,total=6"), (Some(1), false));
    // An endorsed self-harm item is urgent and never universal follow-up.
    assert_eq!(level("total=9,q10=1"), (Some(2), true));
    // Incomplete: the answered items already prove what they prove (q1 blank,
    // 5 points: a completed form scores 5-8, below 10 for a mother), and an
    // endorsed or unanswered item 10 is urgent.
    assert_eq!(level("missing=q1,total=5"), (Some(0), false));
    assert_eq!(level("missing=q1,q10=2,total=5"), (Some(2), true));
    assert_eq!(level("missing=q10,total=5"), (Some(2), true));
    assert_eq!(level("missing=q1,total=8"), (None, false));
    // Sweden: 12 is level 2.
    let se = shipped("se-default");
    let case = Case {
        rule: "",
        screened: &[("epds", "total=12")],
        data: MOTHER,
    };
    assert_eq!(recommend_case(se, &case).level, Some(2));
}

#[test]
fn a_missing_data_column_is_reported_and_an_invalid_value_keeps_the_least_level_it_could_give() {
    let table = shipped("no-default");
    let epds = catalog().get("epds").unwrap();
    let scored = score(epds, &answers(epds, "total=15"));
    let err =
        stepcare::rules::recommend(table, &[(epds, &scored)], &DataValues::new()).unwrap_err();
    assert_eq!(err.0.len(), 1);
    assert_eq!(err.0[0].column, "respondent");
    let data = DataValues::from([
        ("respondent".to_owned(), "mother".to_owned()),
        ("suspected_psychosis".to_owned(), "maybe".to_owned()),
    ]);
    let r = stepcare::rules::recommend(table, &[(epds, &scored)], &data).unwrap();
    // Whatever the cell holds, a mother's EPDS of 15 gives at least level 2.
    assert_eq!(r.level, Some(2));
    // `maybe` could be `yes`, which is urgent: the unreadable cell is not read as "no".
    assert!(r.urgent);
    assert!(
        r.reasons[0].contains("suspected_psychosis"),
        "{:?}",
        r.reasons
    );
}

/// The child's questionnaire alone: (level, matching rule ids).
fn child_level(
    table: &RuleTable,
    instrument: &Instrument,
    spec: &str,
) -> (Option<i64>, Vec<String>) {
    let scored = score_spec(instrument, spec);
    let r = stepcare::rules::recommend(table, &[(instrument, &scored)], &DataValues::new())
        .expect("a child screen needs no data column");
    (r.level, r.rules.into_iter().map(|f| f.id).collect())
}

#[test]
fn the_same_child_total_gives_the_level_of_its_intervals_zone() {
    let child = catalog().get("se-demo").unwrap();
    for (id, _, _) in BUILTIN_TABLES {
        let table = shipped(id);
        // A total of 35 is above the cutoff at 6 months, in the monitoring zone
        // at 12 and below it at 24: the rules test the zone, not the number.
        for (spec, level, rule) in [
            ("interval=d06,d01=10,d02=10,d03=10,d04=5", 2, "L2-6"),
            ("interval=d12,d01=10,d02=10,d03=10,d04=5", 1, "L1-5"),
            ("interval=d24,d05=10,d06=10,d07=10,d08=5", 0, "L0-11"),
        ] {
            assert_eq!(score_spec(child, spec).scales[0].score, Some(35.0));
            assert_eq!(
                child_level(table, child, spec),
                (Some(level), vec![rule.to_owned()]),
                "{id}: {spec}"
            );
        }
        // No score (too many missing answers, or no interval for the age): no level.
        assert_eq!(
            child_level(table, child, "interval=d24,missing=d05+d06+d07").0,
            None
        );
        assert_eq!(child_level(table, child, "d01=10").1, ["N-11"]);
        // With the mother's EPDS (level 1), the higher level wins.
        let epds = catalog().get("epds").unwrap();
        let mother = score(epds, &answers(epds, "total=10"));
        let data = DataValues::from([("respondent".to_owned(), "mother".to_owned())]);
        for (spec, level) in [
            ("interval=d06,d01=10,d02=10,d03=10,d04=5", 2),
            ("interval=d24,d05=10,d06=10,d07=10,d08=5", 1),
        ] {
            let scored = score_spec(child, spec);
            let r = stepcare::rules::recommend(table, &[(epds, &mother), (child, &scored)], &data)
                .unwrap();
            assert_eq!(r.level, Some(level), "{id}: {spec}");
        }
    }
}

#[test]
fn a_column_only_rules_of_unscreened_instruments_test_is_not_needed() {
    let table = shipped("no-default");
    let child = catalog().get("se-demo").unwrap();
    let epds = catalog().get("epds").unwrap();
    let scored = score_spec(child, "interval=d06,d01=10,d02=10,d03=10,d04=5");
    // `respondent` is read only by rules that also test the EPDS: a child's
    // questionnaire alone needs none, and a visit's `parent` does not withhold the level.
    for data in [
        DataValues::new(),
        DataValues::from([("respondent".to_owned(), "parent".to_owned())]),
    ] {
        let r = stepcare::rules::recommend(table, &[(child, &scored)], &data).unwrap();
        assert_eq!((r.level, r.reasons.len()), (Some(2), 0), "{data:?}");
    }
    // With the EPDS the column matters again: required, and `parent` is no value of it.
    let mother = score(epds, &answers(epds, "total=5"));
    let screened = [(child, &scored), (epds, &mother)];
    assert!(stepcare::rules::recommend(table, &screened, &DataValues::new()).is_err());
    let data = DataValues::from([("respondent".to_owned(), "parent".to_owned())]);
    let r = stepcare::rules::recommend(table, &screened, &data).unwrap();
    // Whoever answered, the child above the cutoff gives level 2; the cell is still reported.
    assert_eq!(r.level, Some(2));
    assert!(r.reasons[0].contains("respondent"), "{:?}", r.reasons);
}

#[test]
fn score_with_rules_on_the_childrens_example_fires_every_child_rule() {
    for (id, _, _) in BUILTIN_TABLES {
        let output = stepcare()
            .args([
                "score",
                "--rules",
                id,
                "--instrument",
                "se-demo",
                "--input",
                "examples/se-demo.csv",
                "--keep",
                "child_id",
                "--lang",
                "en",
            ])
            .output()
            .unwrap();
        // No `respondent` column: only the mothers' and partners' rules read it.
        assert!(output.status.success(), "{}", transcript(&output));
        let mut reader = csv::Reader::from_reader(&output.stdout[..]);
        let column = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "care.rules")
            .unwrap();
        let fired: BTreeSet<String> = reader
            .records()
            .flat_map(|row| {
                let rules = row.unwrap()[column].to_owned();
                rules.split('|').map(str::to_owned).collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            fired,
            BTreeSet::from(["L0-11", "L1-5", "L2-6", "N-11"].map(str::to_owned)),
            "{id}:\n{}",
            transcript(&output)
        );
        if *id == "no-default" {
            insta::assert_snapshot!(transcript(&output));
        }
    }
}

#[test]
fn a_number_on_an_age_banded_score_is_refused_with_its_place() {
    let (table, diagnostics, _) = fixture("zone-numeric");
    assert!(table.is_none());
    assert_eq!(diagnostics.len(), 3, "{diagnostics:#?}");
    assert!(diagnostics.iter().all(|d| d.is_error() && d.spot.line > 0));
    let output = stepcare()
        .args(["validate", "tests/fixtures/rules/zone-numeric.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn first_available_names_are_checked() {
    let base =
        std::fs::read_to_string(root().join("tests/fixtures/rules/zone-numeric.yaml")).unwrap();
    let message = |from: &str, to: &str| {
        let text = base.replace(from, to);
        assert_ne!(text, base, "{from}");
        let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
        assert!(table.is_none());
        diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        message("[se-local, se-demo]", "[se-local, se-other]").contains(
            "none of the instruments `child` may stand for is in the catalog: se-local, se-other"
        ),
    );
    assert!(
        message("  child: [se-local", "  epds: [se-local").contains("`epds` is an instrument id")
    );
    assert!(
        message("instruments: [child]", "instruments: [phq9]")
            .contains("`child` is not listed in `instruments`")
    );
    assert!(
        message("instruments: [child]", "instruments: [child, se-demo]")
            .contains("instrument `se-demo` is listed twice (as `child` and as `se-demo`)")
    );
}

#[test]
fn a_services_definition_named_se_local_takes_the_child_screens_place() {
    let dir = root().join("tests/fixtures/licensed");
    let service = Catalog::load(&[dir.as_path()]).expect("the stand-in definition loads");
    let known: Vec<&Instrument> = service.instruments().iter().collect();
    let local = service.get("se-local").unwrap();
    let demo = service.get("se-demo").unwrap();
    // 45 on the 12-month form: the demo's monitoring zone (35-49), above the
    // stand-in's cutoff (45). The shipped rules follow whichever definition they use.
    let spec = "interval=d12,d01=10,d02=10,d03=10,d04=10,d07=5";
    for (id, _, _) in BUILTIN_TABLES {
        let table = load_builtin(id, &known).expect("the shipped table loads with it");
        let place = table
            .instrument_names
            .iter()
            .position(|n| n == "child_se")
            .unwrap();
        assert_eq!(table.instruments[place], "se-local");
        assert_eq!(
            child_level(&table, local, spec),
            (Some(2), vec!["L2-6".to_owned()])
        );
        // With a service definition in place the demonstration is not used: no level.
        assert_eq!(
            child_level(&table, demo, spec),
            (None, vec!["N-0".to_owned()])
        );
        assert_eq!(
            child_level(shipped(id), demo, spec),
            (Some(1), vec!["L1-5".to_owned()])
        );
    }
    let output = stepcare()
        .args([
            "score",
            "--instruments",
            "tests/fixtures/licensed",
            "--instrument",
            "se-local",
            "--input",
            "examples/se-demo.csv",
            "--rules",
            "no-default",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let levels: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["care"]["level"].clone()
        })
        .collect();
    assert_eq!(levels.len(), 11);
    assert_eq!(levels[0], serde_json::json!(2));
}

// --- Properties ---------------------------------------------------------------

const TABLE_INSTRUMENTS: &[&str] = &[
    "epds", "phq9", "gad7", "phq2", "gad2", "whooley", "tweak", "auditc", "risk",
];

/// Option indices for every item of an instrument (complete answers).
fn complete_answers(instrument: &'static Instrument) -> impl Strategy<Value = Vec<u8>> {
    instrument
        .items
        .iter()
        .map(|item| 0..item.options.len() as u8)
        .collect::<Vec<_>>()
}

fn family() -> impl Strategy<Value = (usize, Vec<u8>, usize, Vec<u8>, usize, usize, usize, usize)> {
    (0..TABLE_INSTRUMENTS.len(), 0..TABLE_INSTRUMENTS.len()).prop_flat_map(|(a, b)| {
        let first = catalog().get(TABLE_INSTRUMENTS[a]).unwrap();
        let second = catalog().get(TABLE_INSTRUMENTS[b]).unwrap();
        (
            Just(a),
            complete_answers(first),
            Just(b),
            complete_answers(second),
            0..first.items.len(),
            0..2usize,
            0..5usize,
            0..2usize,
        )
    })
}

fn level_of(
    table: &RuleTable,
    first: &Instrument,
    first_answers: &[u8],
    second: Option<(&Instrument, &[u8])>,
    data: &DataValues,
) -> (Option<i64>, bool) {
    let chosen = |a: &[u8]| a.iter().map(|&o| Answer::Chosen(o)).collect::<Vec<_>>();
    let first_score = score(first, &chosen(first_answers));
    let second_score = second.map(|(i, a)| (i, score(i, &chosen(a))));
    let mut screened: Vec<(&Instrument, &InstrumentScore)> = vec![(first, &first_score)];
    if let Some((i, s)) = &second_score {
        screened.push((i, s));
    }
    let r = stepcare::rules::recommend(table, &screened, data).unwrap();
    (r.level, r.urgent)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Raising one answer (so a score rises) with everything else held never lowers the level.
    #[test]
    fn the_level_never_falls_when_a_score_rises(
        (a, first_answers, b, second_answers, item, respondent, previous, table_index) in family()
    ) {
        let table = shipped(BUILTIN_TABLES[table_index].0);
        let first = catalog().get(TABLE_INSTRUMENTS[a]).unwrap();
        let second = (a != b).then(|| (catalog().get(TABLE_INSTRUMENTS[b]).unwrap(), &second_answers[..]));
        let data = DataValues::from([
            ("respondent".to_owned(), ["mother", "partner"][respondent].to_owned()),
            ("previous_level".to_owned(), ["", "0", "1", "2", "3"][previous].to_owned()),
        ]);
        let options = &first.items[item].options;
        let current = options[first_answers[item] as usize].points;
        let Some(higher) = options.iter().position(|o| o.points > current) else {
            return Ok(());
        };
        let mut raised = first_answers.clone();
        raised[item] = higher as u8;
        let (before, was_urgent) = level_of(table, first, &first_answers, second, &data);
        let (after, is_urgent) = level_of(table, first, &raised, second, &data);
        prop_assert!(before.is_some() && after.is_some(), "complete answers always get a level");
        prop_assert!(after >= before, "{:?} -> {:?}", before, after);
        prop_assert!(is_urgent || !was_urgent, "raising an answer never removes urgency");
    }

    /// Whatever is missing, a raised urgent flag always makes the result urgent.
    #[test]
    fn an_urgent_flag_is_never_lost(
        which in 0..2usize,
        cells in proptest::collection::vec(proptest::option::of(0..4u8), 10),
        table_index in 0..2usize,
    ) {
        let table = shipped(BUILTIN_TABLES[table_index].0);
        let instrument = catalog().get(["epds", "phq9"][which]).unwrap();
        let answers: Vec<Answer> = instrument
            .items
            .iter()
            .zip(&cells)
            .map(|(_, c)| c.map_or(Answer::Missing, Answer::Chosen))
            .collect();
        let scored = score(instrument, &answers);
        let data = DataValues::from([("respondent".to_owned(), "mother".to_owned())]);
        let r = stepcare::rules::recommend(table, &[(instrument, &scored)], &data).unwrap();
        // Raised, or unknown on a form that was given (an unanswered self-harm
        // item must be asked now); a form with no answer at all was not given.
        let unknown = !scored.is_blank(instrument)
            && (0..instrument.flags.len())
                .any(|f| instrument.flags[f].urgent && scored.flag_unknown(instrument, f));
        prop_assert_eq!(r.urgent, scored.has_urgent_flag(instrument) || unknown);
        // An urgent result is never universal follow-up.
        if r.urgent {
            prop_assert!(r.level.is_some_and(|l| l >= 2), "{:?}", r.level);
        }
    }
}

/// The child's questionnaire scored from option indices (`None`: missing,
/// `Some(3)`: invalid) and concern boxes, in an interval or none.
fn score_child(
    interval: Option<usize>,
    cells: &[Option<u8>],
    concerns: &[bool],
) -> InstrumentScore {
    let child = catalog().get("se-demo").unwrap();
    let answers: Vec<Answer> = cells
        .iter()
        .map(|c| match c {
            None => Answer::Missing,
            Some(3) => Answer::Invalid,
            Some(o) => Answer::Chosen(*o),
        })
        .collect();
    let context = Context {
        concerns,
        interval,
        age: None,
    };
    score_with(child, &answers, context)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Raising one answer of the child's questionnaire or ticking a concern box
    /// moves the zone only up (below -> monitoring -> above), and never lowers
    /// the level, alone or next to the mother's or partner's EPDS.
    #[test]
    fn the_level_never_falls_when_the_childs_zone_rises(
        interval in 0..3usize,
        options in proptest::collection::vec(0..3u8, 12),
        concerns in proptest::collection::vec(any::<bool>(), 12),
        item in 0..12usize,
        parent in proptest::option::of((proptest::collection::vec(0..4u8, 10), 0..2usize)),
        table_index in 0..2usize,
    ) {
        let table = shipped(BUILTIN_TABLES[table_index].0);
        let child = catalog().get("se-demo").unwrap();
        let cells: Vec<Option<u8>> = options.iter().map(|&o| Some(o)).collect();
        let item_options = &child.items[item].options;
        let current = item_options[options[item] as usize].points;
        let mut raised_cells = cells.clone();
        let mut raised_concerns = concerns.clone();
        match item_options.iter().position(|o| o.points > current) {
            Some(higher) => raised_cells[item] = Some(higher as u8),
            None if !concerns[item] => raised_concerns[item] = true,
            None => return Ok(()),
        }
        let before = score_child(Some(interval), &cells, &concerns);
        let after = score_child(Some(interval), &raised_cells, &raised_concerns);
        prop_assert!(before.scales[0].band.is_some() && after.scales[0].band.is_some());
        prop_assert!(after.scales[0].band >= before.scales[0].band);
        let epds = catalog().get("epds").unwrap();
        let parent_score = parent.as_ref().map(|(cells, _)| {
            score(epds, &cells.iter().map(|&o| Answer::Chosen(o)).collect::<Vec<_>>())
        });
        let data = match &parent {
            Some((_, respondent)) => DataValues::from([(
                "respondent".to_owned(),
                ["mother", "partner"][*respondent].to_owned(),
            )]),
            None => DataValues::new(),
        };
        let level = |scored: &InstrumentScore| {
            let mut screened: Vec<(&Instrument, &InstrumentScore)> = vec![(child, scored)];
            if let Some(p) = &parent_score {
                screened.push((epds, p));
            }
            let r = stepcare::rules::recommend(table, &screened, &data).unwrap();
            (r.level, r.urgent)
        };
        let ((was, was_urgent), (is, is_urgent)) = (level(&before), level(&after));
        prop_assert!(was.is_some() && is.is_some(), "complete answers always get a level");
        prop_assert!(is >= was, "{:?} -> {:?}", was, is);
        prop_assert!(is_urgent || !was_urgent);
    }

    /// Whatever the child's answers (missing, invalid, concern boxes, no
    /// interval for the age), the shipped tables decide: the zone's level, or
    /// no level because there is no score. A value the analysis did not know
    /// of would fall through every rule.
    #[test]
    fn every_childs_answers_get_a_decision(
        interval in proptest::option::of(0..3usize),
        cells in proptest::collection::vec(proptest::option::of(0..4u8), 12),
        concerns in proptest::collection::vec(any::<bool>(), 12),
        table_index in 0..2usize,
    ) {
        let table = shipped(BUILTIN_TABLES[table_index].0);
        let child = catalog().get("se-demo").unwrap();
        let scored = score_child(interval, &cells, &concerns);
        let r = stepcare::rules::recommend(table, &[(child, &scored)], &DataValues::new()).unwrap();
        let expected = scored.scales[0].score.and(scored.scales[0].band).map(|zone| zone as i64);
        prop_assert_eq!(r.level, expected);
        if r.level.is_none() {
            // No score: "complete the form", or "nothing screened" for a form with no answer.
            let rule = if scored.is_blank(child) { "N-0" } else { "N-11" };
            prop_assert!(r.pending.iter().any(|p| p.rule == rule), "{:?}", r.pending);
        }
    }
}

// --- The commands ---------------------------------------------------------------

#[test]
fn validate_lists_every_problem_of_the_planted_fixtures() {
    let output = stepcare()
        .args([
            "validate",
            "instruments/rules/no-default.yaml",
            "tests/fixtures/rules/gap.yaml",
            "tests/fixtures/rules/shadowed.yaml",
            "tests/fixtures/rules/impossible.yaml",
            "tests/fixtures/rules/lost-urgent.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn explain_shows_every_rule_and_why() {
    let output = stepcare()
        .args([
            "explain",
            "--rules",
            "no-default",
            "--instrument",
            "epds",
            "--answers",
            "q1=2,q2=2,q3=1,q4=1,q5=1,q6=2,q7=2,q8=1,q9=1,q10=1",
            "--set",
            "respondent=mother",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn explain_in_norwegian_from_one_csv_row() {
    let output = stepcare()
        .args([
            "explain",
            "--rules",
            "no-default",
            "--instrument",
            "epds",
            "--input",
            "examples/rescreen.csv",
            "--row",
            "11",
            "--lang",
            "nb",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn compare_shows_moves_referrals_and_the_rules_behind_them() {
    let output = stepcare()
        .args([
            "compare",
            "--rules",
            "no-default",
            "--rules",
            "examples/rules/no-epds12.yaml",
            "--instrument",
            "epds",
            "--input",
            "examples/rescreen.csv",
            "--list",
            "id",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn compare_as_json() {
    let output = stepcare()
        .args([
            "compare",
            "--rules",
            "no-default",
            "--rules",
            "se-default",
            "--instrument",
            "epds",
            "--input",
            "examples/rescreen.csv",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn score_with_rules_adds_the_care_columns() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/rescreen.csv",
            "--rules",
            "no-default",
            "--keep",
            "id",
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn score_with_rules_as_json_lines() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/rescreen.csv",
            "--rules",
            "se-default",
            "--keep",
            "id",
            "--format",
            "jsonl",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in stdout.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let care = &row["care"];
        assert!(care["level"].is_i64() || care["level"].is_null(), "{line}");
        if care["level"].is_null() {
            assert!(!row["errors"].as_array().unwrap().is_empty(), "{line}");
        }
    }
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn a_data_column_the_table_needs_is_an_error_before_any_row() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/epds.csv",
            "--rules",
            "no-default",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no row is written");
    insta::assert_snapshot!(transcript(&output));
}

#[test]
fn a_rule_table_with_errors_is_refused_whole() {
    let output = stepcare()
        .args([
            "score",
            "--instrument",
            "epds",
            "--input",
            "examples/rescreen.csv",
            "--rules",
            "tests/fixtures/rules/impossible.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing is half-applied");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("error:").count(), 8, "{stderr}");
}

/// Every `cargo run --release -- ...` line of docs/rule-table-format.md runs as written.
#[test]
fn the_documented_commands_run() {
    let doc = std::fs::read_to_string(root().join("docs/rule-table-format.md")).unwrap();
    let mut ran = 0;
    let mut lines = doc.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim().strip_prefix("cargo run --release -- ") else {
            continue;
        };
        let mut command = rest.to_owned();
        while command.ends_with('\\') {
            command.pop();
            command.push(' ');
            command.push_str(lines.next().unwrap_or("").trim());
        }
        let args = shell_words(&command);
        let output = stepcare().args(&args).output().unwrap();
        let expect_failure = args.first().is_some_and(|a| a == "validate")
            && args.iter().any(|a| a.contains("fixtures"));
        assert_eq!(
            output.status.success(),
            !expect_failure,
            "`{command}`:\n{}",
            transcript(&output)
        );
        ran += 1;
    }
    assert!(
        ran >= 5,
        "the document shows at least five commands ({ran})"
    );
}

/// Splits a command line on spaces, keeping "double-quoted" words together.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            _ => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

#[test]
fn an_urgent_flag_of_an_instrument_the_table_does_not_list_is_never_lost() {
    let (table, _, _) = fixture("base");
    let table = table.unwrap();
    let phq9 = catalog().get("phq9").unwrap();
    assert_eq!(table.uncovered_urgent_flags(&[phq9]), ["phq9.self_harm"]);
    let scored = score(phq9, &answers(phq9, "total=3,q9=1"));
    let data = DataValues::from([("respondent".to_owned(), "mother".to_owned())]);
    let r = stepcare::rules::recommend(&table, &[(phq9, &scored)], &data).unwrap();
    assert!(r.urgent, "the library still marks the row urgent");
    // The commands refuse such a run before anything is shown.
    let output = stepcare()
        .args([
            "explain",
            "--rules",
            "tests/fixtures/rules/base.yaml",
            "--instrument",
            "phq9",
            "--answers",
            "q9=1",
            "--set",
            "respondent=mother",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("phq9.self_harm"),
        "{}",
        transcript(&output)
    );
}

// --- The analysis agrees with brute force -------------------------------------

/// One random rule: (score test kind, low, high, respondent, level, urgent,
/// referrals, advice, test of the child's zone).
type RandomRule = (usize, u8, u8, usize, usize, bool, usize, bool, usize);

/// Tests of the zone of the age-banded `se-demo` total.
const ZONE_TESTS: [&str; 8] = [
    "below",
    "monitoring",
    "above",
    "incomplete",
    "not_screened",
    "\"-\"",
    "\"below, monitoring\"",
    "\"not(above)\"",
];

fn random_table_yaml(rules: &[RandomRule]) -> String {
    let mut text = String::from(
        "id: random\nname: {en: Random}\nversion: \"1\"\nlanguages: [en]\ninstruments: [epds, se-demo]\nlevels:\n  - {level: 0, id: l0, name: {en: L0}}\n  - {level: 1, id: l1, name: {en: L1}}\n  - {level: 2, id: l2, name: {en: L2}}\nreferrals:\n  - {id: nurse, name: {en: N}, what: {en: N}, timeframe: {en: N}}\n  - {id: gp, name: {en: G}, what: {en: G}, timeframe: {en: G}}\ninputs:\n  - {id: epds, scale: epds.total}\n  - {id: respondent, column: respondent, values: [mother, partner]}\n  - {id: child, scale: se-demo.total}\nrules:\n",
    );
    for (n, &(kind, a, b, respondent, level, urgent, referrals, advice, zone)) in
        rules.iter().enumerate()
    {
        let epds = match kind {
            0 => format!("\"[{}..{}]\"", a.min(b), a.max(b)),
            1 => "incomplete".to_owned(),
            2 => "not_screened".to_owned(),
            _ => "\"-\"".to_owned(),
        };
        let respondent = ["mother", "partner", "blank", "\"-\""][respondent];
        let child = ZONE_TESTS[zone];
        text.push_str(&format!(
            "  - id: R{n}\n    when: {{epds: {epds}, respondent: {respondent}, child: {child}}}\n"
        ));
        match level {
            0..=2 => text.push_str(&format!("    level: {level}\n")),
            3 => text.push_str("    action: {en: Complete the form}\n"),
            _ => {}
        }
        if urgent || level > 3 {
            text.push_str("    urgent: true\n");
        }
        let referrals = ["[]", "[nurse]", "[gp]", "[nurse, gp]"][referrals];
        text.push_str(&format!("    referrals: {referrals}\n"));
        if advice {
            text.push_str("    advice: {en: Same advice}\n");
        }
        text.push_str("    source: test\n");
    }
    text
}

/// What a family sees: level, urgent, referral ids, advice and pending actions.
fn visible(
    table: &RuleTable,
    values: &[stepcare::rules::Value],
) -> (Option<i64>, bool, BTreeSet<String>, BTreeSet<String>) {
    let mut outcome = stepcare::rules::Outcome::default();
    stepcare::rules::evaluate::evaluate_into(table, values, &mut outcome);
    let advice = outcome
        .matched
        .iter()
        .flat_map(|&r| {
            let rule = &table.rules[r];
            [&rule.advice, &rule.action]
                .into_iter()
                .flatten()
                .map(|a| a.get(stepcare::lang::Lang::En).to_owned())
        })
        .collect();
    let referrals = outcome
        .referrals
        .iter()
        .map(|&r| table.referrals[r].id.clone())
        .collect();
    let level = match outcome.decision {
        stepcare::rules::Decision::Level(i) => Some(table.levels[i].number),
        stepcare::rules::Decision::NoRule if !outcome.pending.is_empty() => Some(-1),
        stepcare::rules::Decision::NoRule => None,
    };
    (level, outcome.urgent, referrals, advice)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The cover checks find a gap exactly when enumerating every value finds one, and a
    /// rule reported as masked never changes what any family sees; the values
    /// include the zone of an age-banded questionnaire (every zone is reachable in
    /// some interval of `se-demo`), next to an EPDS total and a data column.
    #[test]
    fn the_analysis_agrees_with_brute_force(
        rules in proptest::collection::vec(
            (0..4usize, 0..=30u8, 0..=30u8, 0..4usize, 0..5usize, any::<bool>(), 0..4usize, any::<bool>(), 0..ZONE_TESTS.len()),
            1..8,
        )
    ) {
        use stepcare::rules::Value;
        let text = random_table_yaml(&rules);
        let (table, diagnostics) = stepcare::rules::load_table_with("random.yaml", &text, &instruments(), false);
        let Some(table) = table else {
            // Only a condition that can never hold is refused before the analysis.
            prop_assert!(diagnostics.iter().all(|d| d.message.contains("can never hold")), "{diagnostics:#?}");
            return Ok(());
        };
        let report = analysis::analyze(&table);
        // Every EPDS value: scores, partial scores of incomplete forms, not screened.
        let scores: Vec<Value> = stepcare::rules::domain::input_domain(&table, 0);
        prop_assert!(scores.iter().any(|v| matches!(v, Value::Partial { low: _, high: _ })), "partial scores are in the domain");
        let respondents = [Value::Choice(0), Value::Choice(1), Value::Blank];
        let zones = [Value::Zone(0), Value::Zone(1), Value::Zone(2), Value::NoScore, Value::NotScreened];
        let mut gaps = 0;
        for score in &scores {
            for respondent in &respondents {
                for zone in &zones {
                    let values = [*score, *respondent, *zone];
                    if visible(&table, &values).0.is_none() {
                        gaps += 1;
                    }
                }
            }
        }
        prop_assert_eq!(report.gaps.count == 0, gaps == 0, "{} vs {}\n{}", report.gaps.count, gaps, text);
        for masked in &report.masked {
            let mut without = table.clone();
            without.rules.remove(masked.rule);
            for score in &scores {
                for respondent in &respondents {
                    for zone in &zones {
                        let values = [*score, *respondent, *zone];
                        let (with, less) = (visible(&table, &values), visible(&without, &values));
                        if masked.shadowed {
                            // Its level never decides; its referrals and advice still show.
                            prop_assert_eq!(with.0, less.0, "rule R{} is reported shadowed but its level decides at {:?}\n{}", masked.rule, values, text);
                        } else {
                            prop_assert_eq!(with, less, "rule R{} is reported redundant but matters at {:?}\n{}", masked.rule, values, text);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn combinations_no_answers_can_produce_are_known_to_be_impossible() {
    // A raised self-harm item (q10 >= 1) cannot come with an EPDS total of 0.
    let text = std::fs::read_to_string(root().join("tests/fixtures/rules/base.yaml"))
        .unwrap()
        .replace(
            "  - id: N\n",
            "  - id: X\n    when: {epds: \"0\", self_harm: true}\n    level: 2\n    source: planted\n  - id: N\n",
        );
    let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
    assert!(table.is_none());
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(
        diagnostics[0].message,
        "rule `X` can never match: no answers produce this combination"
    );
}

#[test]
fn an_empty_condition_is_refused_not_read_as_anything() {
    let base = std::fs::read_to_string(root().join("tests/fixtures/rules/base.yaml")).unwrap();
    for empty in ["\"\"", "\" \"", "~", "[]", "null"] {
        let text = base.replace(
            "when: {respondent: mother, epds: \"[10..12]\"}",
            &format!("when: {{respondent: mother, epds: {empty}}}"),
        );
        let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
        assert!(table.is_none(), "{empty} was accepted");
        assert!(
            diagnostics
                .iter()
                .any(|d| d.message.contains("an empty condition") && d.spot.line > 0),
            "{empty}: {diagnostics:#?}"
        );
    }
}

#[test]
fn deeply_nested_conditions_are_refused_at_their_place() {
    let base = std::fs::read_to_string(root().join("tests/fixtures/rules/base.yaml")).unwrap();
    for depth in [9usize, 20_000] {
        let condition = format!("{}incomplete{}", "not(".repeat(depth), ")".repeat(depth));
        let text = base.replace(
            "when: {respondent: mother, epds: \"[10..12]\"}",
            &format!("when: {{respondent: mother, epds: \"{condition}\"}}"),
        );
        let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
        assert!(table.is_none());
        assert!(
            diagnostics
                .iter()
                .any(|d| d.message.contains("nested more than") && d.spot.line > 0),
            "{depth}: {:?}",
            diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }
    // Shallow nesting is fine.
    let text = base.replace(
        "when: {respondent: mother, epds: \"[10..12]\"}",
        "when: {respondent: mother, epds: \"not(not([10..12]))\"}",
    );
    let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
    assert!(table.is_some(), "{diagnostics:#?}");
}

#[test]
fn level_none_is_refused_with_the_way_out() {
    let base = std::fs::read_to_string(root().join("tests/fixtures/rules/base.yaml")).unwrap();
    let text = base.replacen("    action: {en: Complete the form}", "    level: none", 1);
    let (table, diagnostics) = load_table("t.yaml", &text, &instruments());
    assert!(table.is_none());
    let d = diagnostics
        .iter()
        .find(|d| d.message.contains("`level: none`"))
        .expect("reported");
    assert!(
        d.expected.as_deref().unwrap_or("").contains("action:"),
        "{d:#?}"
    );
}

// --- Issue 16: content end to end ----------------------------------------------

/// Level, urgency, the ids of the matching rules and of the pending actions,
/// and the referral ids, for one family under one shipped table.
fn outcome(
    table: &str,
    screened: &'static [(&'static str, &'static str)],
    data: &'static [(&'static str, &'static str)],
) -> (Option<i64>, bool, Vec<String>, Vec<String>, Vec<String>) {
    let case = Case {
        rule: "",
        screened,
        data,
    };
    let r = recommend_case(shipped(table), &case);
    (
        r.level,
        r.urgent,
        r.rules.iter().map(|f| f.id.clone()).collect(),
        r.pending.iter().map(|p| p.rule.clone()).collect(),
        r.referrals.iter().map(|p| p.id.clone()).collect(),
    )
}

#[test]
fn whooley_yes_with_a_blank_is_positive_and_a_completed_full_instrument_decides() {
    for (id, _, _) in BUILTIN_TABLES {
        // One "yes" and one blank: every completion is positive (NICE CG192).
        let (level, _, rules, pending, _) = outcome(id, &[("whooley", "q1=1,missing=q2")], MOTHER);
        assert_eq!(level, Some(1), "{id}");
        assert!(rules.contains(&"L1-3a".to_owned()), "{id}: {rules:?}");
        assert!(pending.contains(&"N-7".to_owned()), "{id}: {pending:?}");
        // A completed EPDS of 2 at the same visit decides over the pre-screen.
        let (level, _, rules, _, _) =
            outcome(id, &[("whooley", "q1=1,q2=1"), ("epds", "total=2")], MOTHER);
        assert_eq!(level, Some(0), "{id}: {rules:?}");
        assert!(!rules.contains(&"L1-3a".to_owned()), "{id}: {rules:?}");
        // An incomplete EPDS does not silence a positive Whooley screen.
        let (level, _, rules, _, _) = outcome(
            id,
            &[("whooley", "q1=1,q2=0"), ("epds", "total=2,missing=q9")],
            MOTHER,
        );
        assert_eq!(level, Some(1), "{id}: {rules:?}");
        // PHQ-2 and GAD-2 yield to the PHQ-9 and GAD-7 likewise.
        let (level, _, _, _, _) = outcome(id, &[("phq2", "total=4"), ("phq9", "total=4")], MOTHER);
        assert_eq!(level, Some(0), "{id}");
        let (level, _, _, _, _) = outcome(id, &[("gad2", "total=4"), ("gad7", "total=4")], MOTHER);
        assert_eq!(level, Some(0), "{id}");
    }
}

#[test]
fn violence_current_past_child_and_danger_are_told_apart() {
    for (id, _, _) in BUILTIN_TABLES {
        let cps = if *id == "no-default" {
            "barnevern"
        } else {
            "socialtjansten"
        };
        let shelter = if *id == "no-default" {
            "krisesenter"
        } else {
            "kvinnojour"
        };
        // Current violence, danger assessed as absent: level 2, crisis centre, child welfare.
        let (level, urgent, _, _, referrals) = outcome(id, &[("violence", "q1=1,q7=0")], MOTHER);
        assert_eq!((level, urgent), (Some(2), false), "{id}");
        assert!(
            referrals.contains(&shelter.to_owned()),
            "{id}: {referrals:?}"
        );
        assert!(referrals.contains(&cps.to_owned()), "{id}: {referrals:?}");
        // Current violence, danger not assessed: urgent, ask for it.
        let (level, urgent, _, pending, _) =
            outcome(id, &[("violence", "q1=1,missing=q7")], MOTHER);
        assert_eq!((level, urgent), (Some(2), true), "{id}");
        assert!(pending.contains(&"U-6u".to_owned()), "{id}: {pending:?}");
        // Immediate danger: urgent, police.
        let (_, urgent, rules, _, referrals) = outcome(id, &[("violence", "q3=1,q7=1")], MOTHER);
        assert!(
            urgent && rules.contains(&"U-6".to_owned()),
            "{id}: {rules:?}"
        );
        assert!(
            referrals.iter().any(|r| r == "politi" || r == "polis"),
            "{id}"
        );
        // Earlier violence only: support at level 1, nothing urgent, no danger question.
        let (level, urgent, _, pending, _) =
            outcome(id, &[("violence", "q5=1,missing=q7")], MOTHER);
        assert_eq!((level, urgent), (Some(1), false), "{id}");
        assert!(pending.is_empty(), "{id}: {pending:?}");
    }
}

#[test]
fn the_norwegian_advice_names_avvergeplikt_and_the_swedish_sosfs() {
    let no = shipped("no-default");
    let u6 = no.rules.iter().find(|r| r.id == "U-6").unwrap();
    let nb = u6.advice.as_ref().unwrap().get(stepcare::lang::Lang::Nb);
    assert!(nb.contains("straffeloven § 196"), "{nb}");
    assert!(nb.contains("helsepersonelloven § 33"), "{nb}");
    let se = shipped("se-default");
    let v1 = se.rules.iter().find(|r| r.id == "V-1").unwrap();
    let sv = v1.advice.as_ref().unwrap().get(stepcare::lang::Lang::Sv);
    assert!(sv.contains("SOSFS 2014:4"), "{sv}");
    assert!(sv.contains("socialtjänst"), "{sv}");
}

#[test]
fn substance_use_has_a_gradient_and_fits_the_respondent() {
    for (id, _, _) in BUILTIN_TABLES {
        let level =
            |screened: &'static [(&'static str, &'static str)], data| outcome(id, screened, data).0;
        assert_eq!(level(&[("auditc", "total=1")], MOTHER), Some(1), "{id}");
        assert_eq!(level(&[("auditc", "total=12")], MOTHER), Some(2), "{id}");
        assert_eq!(level(&[("auditc", "total=3")], PARTNER), Some(0), "{id}");
        assert_eq!(level(&[("auditc", "total=5")], PARTNER), Some(1), "{id}");
        // "Never" with items 2-3 blank is scored 0 (skip), not incomplete.
        let (lvl, _, _, pending, _) = outcome(id, &[("auditc", "q1=0,missing=q2+q3")], MOTHER);
        assert_eq!(lvl, Some(0), "{id}");
        assert!(pending.is_empty(), "{id}: {pending:?}");
        assert_eq!(level(&[("tweak", "q1=2")], PARTNER), Some(1), "{id}");
        assert_eq!(level(&[("audit", "total=20")], MOTHER), Some(3), "{id}");
        assert_eq!(level(&[("audit", "total=16")], PARTNER), Some(2), "{id}");
        assert_eq!(level(&[("dudit", "total=2")], MOTHER), Some(2), "{id}");
        assert_eq!(level(&[("dudit", "total=2")], PARTNER), Some(0), "{id}");
        assert_eq!(level(&[("dudit", "total=25")], PARTNER), Some(3), "{id}");
        // TWEAK 7 with AUDIT-C 12 is no longer the same as AUDIT-C 1.
        assert_eq!(
            level(&[("tweak", "total=7"), ("auditc", "total=12")], MOTHER),
            Some(2),
            "{id}"
        );
    }
}

#[test]
fn bonding_and_fear_of_birth_reach_the_infant_and_birth_services() {
    for (id, _, _) in BUILTIN_TABLES {
        let (level, urgent, _, _, referrals) = outcome(id, &[("pbq", "q3=5,q5=5,q14=3")], MOTHER);
        assert_eq!((level, urgent), (Some(3), false), "{id}");
        assert!(
            referrals
                .iter()
                .any(|r| r == "bup_sped" || r == "bup_spadbarn"),
            "{id}: {referrals:?}"
        );
        let (_, urgent, _, _, _) = outcome(id, &[("pbq", "q24=1")], MOTHER);
        assert!(urgent, "{id}");
        let (_, urgent, _, pending, _) = outcome(id, &[("pbq", "missing=q24")], MOTHER);
        assert!(
            urgent && pending.contains(&"U-7u".to_owned()),
            "{id}: {pending:?}"
        );
        let (level, _, _, _, referrals) = outcome(id, &[("fobs", "q1=60,q2=50")], MOTHER);
        assert_eq!(level, Some(2), "{id}");
        assert!(
            referrals
                .iter()
                .any(|r| r == "fodepoliklinikk" || r == "aurora"),
            "{id}: {referrals:?}"
        );
    }
}

#[test]
fn partners_get_their_own_rules_and_escalate_on_rescreen() {
    for (id, _, _) in BUILTIN_TABLES {
        let (level, _, rules, _, _) = outcome(id, &[("epds", "q3=2,q4=2,q5=2,total=6")], PARTNER);
        assert_eq!(level, Some(1), "{id}");
        assert!(rules.contains(&"P-1".to_owned()), "{id}: {rules:?}");
        let (level, _, _, _, _) = outcome(
            id,
            &[("gad7", "total=11")],
            &[("respondent", "partner"), ("previous_level", "2")],
        );
        assert_eq!(level, Some(3), "{id}");
        let (level, _, _, _, _) = outcome(
            id,
            &[("phq9", "total=11")],
            &[("respondent", "partner"), ("previous_level", "2")],
        );
        assert_eq!(level, Some(3), "{id}");
    }
}
