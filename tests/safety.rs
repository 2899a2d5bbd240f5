//! Safety of the recommendation: nothing clinically important is lost.
//!
//! Each of the five findings of the clinical review (an incomplete form hid a
//! level-3 recommendation; referrals of lower rules were dropped; a blank
//! self-harm item got no action; an endorsed self-harm item was labelled
//! universal; a rescreen after specialist care stepped down to universal) is
//! checked end to end with `score --rules` on a crafted export, and the
//! invariants behind them are checked as properties and by the exact
//! analysis of the shipped tables.

mod common;

use std::collections::BTreeSet;

use common::{catalog, stepcare};
use proptest::prelude::*;
use serde_json::Value as Json;
use stepcare::instrument::Instrument;
use stepcare::rules::{BUILTIN_TABLES, DataValues, RuleTable, analysis, load_builtin};
use stepcare::scoring::{Answer, score};

const EPDS_HEADER: &str = "epds1;epds2;epds3;epds4;epds5;epds6;epds7;epds8;epds9;epds10";
const RISK_HEADER: &str = "risk1;risk2;risk3;risk4;risk5;risk6;risk7;risk8";

/// Scores `csv` with `no-default` (or `table`) as JSON Lines and returns the `care` objects.
fn care_rows(table: &str, instruments: &[&str], csv: &str, extra: &[&str]) -> Vec<Json> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, csv).unwrap();
    let mut args = vec!["score", "--rules", table, "--format", "jsonl", "--input"];
    let input = input.to_str().unwrap().to_owned();
    args.push(&input);
    for id in instruments {
        args.extend(["--instrument", id]);
    }
    args.extend(extra);
    let output = stepcare().args(&args).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Json>(line).unwrap()["care"].clone())
        .collect()
}

fn ids(value: &Json) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

fn pending(care: &Json) -> BTreeSet<String> {
    care["pending"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_incomplete_form_never_hides_a_level_3_recommendation() {
    for table in ["no-default", "se-default"] {
        // Postpartum psychosis in the history (risk item 3) and one blank EPDS item.
        let csv = format!(
            "respondent;{EPDS_HEADER};{RISK_HEADER}\nmother;1;1;;1;1;1;1;1;1;0;0;0;1;0;0;0;0;0\n\
             mother;1;1;;1;1;1;1;1;1;0;0;0;0;0;1;0;0;0\n"
        );
        let rows = care_rows(table, &["epds", "risk"], &csv, &[]);
        assert_eq!(rows[0]["level"], 3, "{table}: {}", rows[0]);
        assert!(pending(&rows[0]).contains("N-1"), "{table}: {}", rows[0]);
        // Violence disclosed with a blank EPDS item: level 2 and every referral of the violence rule.
        assert_eq!(rows[1]["level"], 2, "{table}: {}", rows[1]);
        let referrals = ids(&rows[1]["referrals"]);
        let expected: &[&str] = if table == "no-default" {
            &["krisesenter", "barnevern"]
        } else {
            &["kvinnojour", "socialtjansten"]
        };
        for target in expected {
            assert!(referrals.contains(*target), "{table}: {}", rows[1]);
        }
        // Immediate danger was not assessed: the table asks for it.
        assert!(pending(&rows[1]).contains("A-1"), "{table}: {}", rows[1]);
    }
}

#[test]
fn referrals_of_every_matching_rule_are_kept() {
    // Psychosis history and violence: level 3 with the DPS and the crisis centre and child welfare.
    let csv = format!("respondent;{RISK_HEADER}\nmother;0;0;1;0;1;0;0;0\n");
    let rows = care_rows("no-default", &["risk"], &csv, &[]);
    assert_eq!(rows[0]["level"], 3);
    let referrals = ids(&rows[0]["referrals"]);
    for target in ["fastlege", "dps", "bup_sped", "krisesenter", "barnevern"] {
        assert!(referrals.contains(target), "{}", rows[0]);
    }
    assert_eq!(
        ids(&rows[0]["decided_by"]),
        BTreeSet::from(["L3-1".to_owned()])
    );
}

#[test]
fn a_blank_self_harm_item_is_urgent_and_the_answered_items_count() {
    // EPDS items 1-9 sum to 27, item 10 blank; PHQ-9 items 1-8 sum to 24, item 9 blank.
    let epds = format!("respondent;{EPDS_HEADER}\nmother;3;3;3;3;3;3;3;3;3;\n");
    let rows = care_rows("no-default", &["epds"], &epds, &[]);
    assert_eq!(rows[0]["urgent"], true, "{}", rows[0]);
    // At least level 2 (27 is already in the severe range: level 3).
    assert!(rows[0]["level"].as_i64().unwrap() >= 2, "{}", rows[0]);
    let rules = ids(&rows[0]["rules"]);
    // 27 already meets >=13 whatever item 10 turns out to be.
    assert!(
        rules.contains("L2-1") && rules.contains("U-1u"),
        "{}",
        rows[0]
    );
    assert!(pending(&rows[0]).contains("U-1u"), "{}", rows[0]);
    let phq9 = "respondent;phq9_1;phq9_2;phq9_3;phq9_4;phq9_5;phq9_6;phq9_7;phq9_8;phq9_9\nmother;3;3;3;3;3;3;3;3;\n";
    let rows = care_rows("se-default", &["phq9"], phq9, &[]);
    assert_eq!(rows[0]["urgent"], true, "{}", rows[0]);
    // 24 already meets >=20: level 3.
    assert_eq!(rows[0]["level"], 3, "{}", rows[0]);
    assert!(pending(&rows[0]).contains("U-2u"), "{}", rows[0]);
}

#[test]
fn an_endorsed_self_harm_item_is_never_universal() {
    let csv = format!("respondent;{EPDS_HEADER}\nmother;0;0;0;0;0;0;0;0;0;1\n");
    for table in ["no-default", "se-default"] {
        let rows = care_rows(table, &["epds"], &csv, &[]);
        assert_eq!(rows[0]["urgent"], true);
        assert!(
            rows[0]["level"].as_i64().unwrap() >= 2,
            "{table}: {}",
            rows[0]
        );
    }
}

#[test]
fn a_rescreen_after_specialist_care_continues_the_plan() {
    let csv = format!(
        "respondent;previous_level;{EPDS_HEADER}\nmother;3;1;1;1;1;1;1;1;1;1;0\nmother;2;0;0;0;0;0;0;0;0;0;0\nmother;1;0;0;0;0;0;0;0;0;0;0\n"
    );
    for table in ["no-default", "se-default"] {
        let rows = care_rows(table, &["epds"], &csv, &[]);
        assert_eq!(rows[0]["level"], 1, "{table}: {}", rows[0]);
        assert_eq!(rows[1]["level"], 1, "{table}: {}", rows[1]);
        // After level 1 care, a score below the cut-off may return to universal follow-up.
        assert_eq!(rows[2]["level"], 0, "{table}: {}", rows[2]);
    }
}

#[test]
fn a_partial_score_reports_the_level_a_completed_form_could_reach() {
    // Items 1-8 sum to 8, item 9 blank, item 10 answered 0: a completed form scores 8-11.
    let csv = format!("respondent;{EPDS_HEADER}\nmother;1;1;1;1;1;1;1;1;;0\n");
    let rows = care_rows("no-default", &["epds"], &csv, &[]);
    assert_eq!(rows[0]["level"], Json::Null, "{}", rows[0]);
    assert_eq!(rows[0]["possible_level"], 1, "{}", rows[0]);
    assert!(pending(&rows[0]).contains("N-1"), "{}", rows[0]);
}

#[test]
fn a_form_with_no_answer_is_not_screened_and_raises_nothing() {
    let csv = format!(
        "respondent;{EPDS_HEADER};phq9_1;phq9_2;phq9_3;phq9_4;phq9_5;phq9_6;phq9_7;phq9_8;phq9_9\nmother;;;;;;;;;;;0;0;0;0;0;0;0;0;0\n"
    );
    let rows = care_rows("no-default", &["epds", "phq9"], &csv, &[]);
    assert_eq!(rows[0]["urgent"], false, "{}", rows[0]);
    assert_eq!(rows[0]["level"], 0, "{}", rows[0]);
}

#[test]
fn the_summary_counts_an_unanswered_critical_item_as_urgent() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        format!("{EPDS_HEADER}\n3;3;3;3;3;3;3;3;3;\n0;0;0;0;0;0;0;0;0;0\n"),
    )
    .unwrap();
    let output = stepcare()
        .args(["score", "--instrument", "epds", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("(1 urgent)"), "{stderr}");
    assert!(
        stderr.contains("1 row leaves a critical item unanswered"),
        "{stderr}"
    );
}

fn shipped(id: &str) -> &'static RuleTable {
    static TABLES: std::sync::OnceLock<Vec<RuleTable>> = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let instruments: Vec<&Instrument> = catalog().instruments().iter().collect();
        BUILTIN_TABLES
            .iter()
            .map(|(id, _, _)| load_builtin(id, &instruments).expect("shipped table loads"))
            .collect()
    });
    tables.iter().find(|t| t.id == id).expect("shipped")
}

#[test]
fn the_analysis_proves_both_shipped_tables_safe() {
    for (id, _, _) in BUILTIN_TABLES {
        let table = shipped(id);
        let started = std::time::Instant::now();
        let report = analysis::analyze(table);
        let took = started.elapsed();
        assert_eq!(report.gaps.count, 0, "{id}: {:?}", report.gaps);
        assert!(
            report.lost_flags.is_empty(),
            "{id}: {:?}",
            report.lost_flags
        );
        // Both states of every urgent flag were checked: raised and unknown.
        assert_eq!(
            report.urgent_at_lowest.count, 0,
            "{id}: {:?}",
            report.urgent_at_lowest
        );
        for masked in &report.masked {
            let rule = &table.rules[masked.rule];
            let level = rule.level.map(|l| table.rank(l));
            assert_ne!(level, Some(3), "{id}: level-3 rule {} is masked", rule.id);
        }
        eprintln!(
            "{id}: {} distinguishable cases, {} cover-check nodes, {took:?} (debug build)",
            report.combinations, report.nodes
        );
    }
}

/// Answers to one instrument: option index per item, or `None` for blank.
fn answers_of(instrument: &Instrument, cells: &[Option<u8>]) -> Vec<Answer> {
    instrument
        .items
        .iter()
        .zip(cells)
        .map(|(item, c)| match c {
            Some(o) if usize::from(*o) < item.options.len() => Answer::Chosen(*o),
            Some(_) => Answer::Chosen(0),
            None => Answer::Missing,
        })
        .collect()
}

fn recommend(
    table: &RuleTable,
    screened: &[(&Instrument, Vec<Answer>)],
    data: &DataValues,
) -> stepcare::rules::Recommendation {
    let scores: Vec<_> = screened.iter().map(|(i, a)| score(i, a)).collect();
    let pairs: Vec<_> = screened
        .iter()
        .map(|(i, _)| *i)
        .zip(scores.iter())
        .collect();
    stepcare::rules::recommend(table, &pairs, data).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Blanking one answer of a complete form never lowers the level, never
    /// drops a referral or the urgency, with a second instrument and the
    /// data columns of a rescreen.
    #[test]
    fn a_blank_never_lowers_the_level_or_drops_a_referral(
        epds in proptest::collection::vec(0..4u8, 10),
        risk in proptest::collection::vec(0..2u8, 8),
        blank in 0..18usize,
        respondent in 0..2usize,
        previous in 0..5usize,
        table_index in 0..2usize,
    ) {
        let table = shipped(BUILTIN_TABLES[table_index].0);
        let (e, r) = (catalog().get("epds").unwrap(), catalog().get("risk").unwrap());
        let data = DataValues::from([
            ("respondent".to_owned(), ["mother", "partner"][respondent].to_owned()),
            ("previous_level".to_owned(), ["", "0", "1", "2", "3"][previous].to_owned()),
        ]);
        let full_e: Vec<Option<u8>> = epds.iter().map(|&o| Some(o)).collect();
        let full_r: Vec<Option<u8>> = risk.iter().map(|&o| Some(o)).collect();
        let (mut part_e, mut part_r) = (full_e.clone(), full_r.clone());
        if blank < 10 { part_e[blank] = None } else { part_r[blank - 10] = None }
        let complete = recommend(table, &[(e, answers_of(e, &full_e)), (r, answers_of(r, &full_r))], &data);
        let partial = recommend(table, &[(e, answers_of(e, &part_e)), (r, answers_of(r, &part_r))], &data);
        // The level never hides what the complete form gives: it is either
        // proven already or announced as the level a completed form could
        // reach; and what is proven never exceeds what the form gives.
        let reachable = partial.possible_level.max(partial.level);
        prop_assert!(reachable >= complete.level, "{:?} -> {:?}/{:?}", complete.level, partial.level, partial.possible_level);
        // ...except that an unanswered self-harm item (EPDS item 10) is itself
        // urgent at level 2: "ask it now".
        if blank != 9 {
            prop_assert!(partial.level <= complete.level, "{:?} -> {:?}", complete.level, partial.level);
        }
        // A blank in one instrument never lowers what the other proves: the
        // risk checklist's level stands whatever the EPDS blank.
        if blank < 10 {
            let risk_alone = recommend(table, &[(r, answers_of(r, &full_r))], &data);
            prop_assert!(partial.level >= risk_alone.level, "{:?} < {:?}", partial.level, risk_alone.level);
        }
        prop_assert!(partial.urgent || !complete.urgent, "a blank never removes urgency");
        let kept: BTreeSet<String> = partial.referrals.iter().map(|r| r.id.clone()).collect();
        for referral in &complete.referrals {
            // A referral of a rule that the blank item cannot affect stays.
            let by: Vec<&str> = complete.rules.iter().filter(|f| {
                table.rules.iter().find(|r| r.id == f.id).is_some_and(|r| r.referrals.iter().any(|&i| table.referrals[i].id == referral.id))
            }).map(|f| f.id.as_str()).collect();
            let unaffected = by.iter().any(|id| partial.rules.iter().any(|f| f.id == *id));
            if unaffected {
                prop_assert!(kept.contains(&referral.id), "{} dropped", referral.id);
            }
        }
    }

    /// Every referral of every matching rule is recommended (when enabled),
    /// and an unanswered urgent item is always urgent, never at level 0.
    #[test]
    fn every_matching_rules_referrals_appear_and_unknown_is_urgent(
        epds in proptest::collection::vec(proptest::option::of(0..4u8), 10),
        risk in proptest::collection::vec(proptest::option::of(0..2u8), 8),
        respondent in 0..3usize,
        table_index in 0..2usize,
    ) {
        let table = shipped(BUILTIN_TABLES[table_index].0);
        let (e, r) = (catalog().get("epds").unwrap(), catalog().get("risk").unwrap());
        let data = DataValues::from([("respondent".to_owned(), ["mother", "partner", ""][respondent].to_owned())]);
        let rec = recommend(table, &[(e, answers_of(e, &epds)), (r, answers_of(r, &risk))], &data);
        let kept: BTreeSet<&str> = rec.referrals.iter().map(|r| r.id.as_str()).collect();
        for fired in &rec.rules {
            let rule = table.rules.iter().find(|r| r.id == fired.id).unwrap();
            for &referral in &rule.referrals {
                let target = &table.referrals[referral];
                if target.enabled {
                    prop_assert!(kept.contains(target.id.as_str()), "{} of {} lost", target.id, rule.id);
                }
            }
        }
        let answered = epds.iter().any(Option::is_some);
        if answered && epds[9].is_none() {
            prop_assert!(rec.urgent, "item 10 unanswered must be urgent");
        }
        if rec.urgent {
            prop_assert!(rec.level.is_some_and(|l| l >= 2), "urgent at {:?}", rec.level);
        }
    }
}
