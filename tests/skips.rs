//! Skip instructions: blank items a form tells the respondent to skip are
//! scored as the form says (known answers from the WHO AUDIT form, Babor et
//! al. 2001), the loader refuses instructions that cannot work, and the
//! rule-table enumeration (which does not model skips) still holds every
//! result a skip can produce.

mod common;

use std::collections::BTreeSet;

use common::{by_points, catalog, stepcare, transcript};
use proptest::prelude::*;
use stepcare::instrument::Instrument;
use stepcare::rules::Value;
use stepcare::rules::domain::{FLAG_FALSE, FLAG_TRUE, FLAG_UNKNOWN, Tracked, joint_tuples};
use stepcare::scoring::{Answer, Status, score};

#[test]
fn audit_items_2_to_8_blank_after_never_score_0() {
    let audit = catalog().get("audit").unwrap();
    let mut points = vec![None; 10];
    points[0] = Some(0);
    points[8] = Some(4);
    points[9] = Some(2);
    let result = score(audit, &by_points(audit, &points));
    assert_eq!(result.status(), Status::Ok);
    assert_eq!(result.scales[0].score, Some(6.0));
    assert_eq!(result.skipped_items, vec![1, 2, 3, 4, 5, 6, 7]);
    assert!(result.missing_items.is_empty());
}

#[test]
fn audit_second_skip_needs_items_2_and_3_to_add_up_to_0() {
    let audit = catalog().get("audit").unwrap();
    // Items 2 + 3 = 0: items 4-8 skipped.
    let mut points = vec![None; 10];
    for (i, p) in [(0, 2), (1, 0), (2, 0), (8, 0), (9, 0)] {
        points[i] = Some(p);
    }
    let result = score(audit, &by_points(audit, &points));
    assert_eq!(result.scales[0].score, Some(2.0));
    assert_eq!(result.skipped_items, vec![3, 4, 5, 6, 7]);
    // Items 2 + 3 = 1: nothing is skipped and items 4-8 are missing.
    points[2] = Some(1);
    let result = score(audit, &by_points(audit, &points));
    assert_eq!(result.status(), Status::Incomplete);
    assert_eq!(result.scales[0].score, None);
    assert!(result.skipped_items.is_empty());
    assert_eq!(result.missing_items, vec![3, 4, 5, 6, 7]);
}

#[test]
fn a_skip_never_fills_an_invalid_answer_nor_reads_one() {
    let audit = catalog().get("audit").unwrap();
    let mut answers = by_points(audit, &[Some(0); 10]);
    answers[1] = Answer::Invalid;
    answers[2] = Answer::Missing;
    let result = score(audit, &answers);
    assert_eq!(result.status(), Status::Invalid);
    assert_eq!(result.invalid_items, vec![1]);
    // Item 3 is still skipped by the first instruction (item 1 is "never").
    assert_eq!(result.skipped_items, vec![2]);
    // An invalid deciding item skips nothing.
    let mut answers = by_points(audit, &[None; 10]);
    answers[0] = Answer::Invalid;
    let result = score(audit, &answers);
    assert!(result.skipped_items.is_empty());
}

#[test]
fn violence_danger_counts_as_no_only_when_nothing_current_was_disclosed() {
    let violence = catalog().get("violence").unwrap();
    let flagged = |points: [Option<i32>; 7]| {
        let result = score(violence, &by_points(violence, &points));
        (result.skipped_items.clone(), result.missing_items.clone())
    };
    let none = [Some(0), Some(0), Some(0), Some(0), Some(1), Some(0), None];
    assert_eq!(flagged(none), (vec![6], vec![]));
    let current = [Some(1), Some(0), Some(0), Some(0), Some(0), Some(0), None];
    assert_eq!(flagged(current), (vec![], vec![6]));
    let child = [Some(0), Some(0), Some(0), Some(0), Some(0), Some(1), None];
    assert_eq!(flagged(child), (vec![], vec![6]));
    let unasked = [Some(0), None, Some(0), Some(0), Some(0), Some(0), None];
    assert_eq!(flagged(unasked), (vec![], vec![1, 6]));
}

#[test]
fn validate_reports_every_broken_skip_at_its_line() {
    let output = stepcare()
        .args(["validate", "tests/fixtures/instruments/bad-skips.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = transcript(&output);
    for expected in [
        "item `a` comes before deciding item `b` in printed order",
        "the deciding items add up to 0-2, never to 7",
        "item `d` has no option scoring 0",
        "item `a` both decides and is skipped",
        "unknown item `zz`",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn show_lists_the_skips() {
    let output = stepcare().args(["show", "audit"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("when q1 add up to 0: blank q2, q3, q4, q5, q6, q7, q8 score 0"),
        "{text}"
    );
    assert!(
        text.contains("when q2, q3 add up to 0: blank q4, q5, q6, q7, q8 score 0"),
        "{text}"
    );
}

/// A scale's value as one class number: a score, a partial score by its
/// bounds, or none.
fn class(value: Value) -> u16 {
    match value {
        Value::Score(v) => (v * 2.0) as u16,
        Value::Partial { low, high } => 1000 + (low * 200.0 + high * 2.0) as u16,
        _ => u16::MAX,
    }
}

/// The classes the rule-table enumeration tracks for `instrument`: every
/// scale's value and every flag's state, read as the rule engine reads them.
fn tuple_of(instrument: &Instrument, answers: &[Answer]) -> Vec<u16> {
    let result = score(instrument, answers);
    let mut tuple: Vec<u16> = result
        .scales
        .iter()
        .map(|s| {
            class(match (s.score, s.bounds) {
                (Some(score), _) => Value::Score(score),
                (None, Some((low, high))) => Value::Partial { low, high },
                (None, None) => Value::NoScore,
            })
        })
        .collect();
    tuple.extend((0..instrument.flags.len()).map(|f| {
        if result.flags.contains(&f) {
            FLAG_TRUE
        } else if result.flag_unknown(instrument, f) {
            FLAG_UNKNOWN
        } else {
            FLAG_FALSE
        }
    }));
    tuple
}

fn enumerated(instrument: &'static Instrument) -> BTreeSet<Vec<u16>> {
    let tracked: Vec<Tracked<'_>> = (0..instrument.scales.len())
        .map(|scale| Tracked {
            scale,
            classify: Box::new(|_, value| class(value)),
        })
        .collect();
    let flags: Vec<usize> = (0..instrument.flags.len()).collect();
    joint_tuples(instrument, &tracked, &flags)
        .into_iter()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever is blank, the result with skips applied is one the rule
    /// tables' enumeration (which knows nothing of skips) already holds, so
    /// the completeness and safety analysis stays sound.
    #[test]
    fn every_result_with_skips_is_enumerated(
        which in 0..3usize,
        cells in proptest::collection::vec(proptest::option::of(0..5u8), 10),
    ) {
        let instrument = catalog().get(["auditc", "audit", "violence"][which]).unwrap();
        let answers: Vec<Answer> = instrument
            .items
            .iter()
            .zip(cells.iter().cycle())
            .map(|(item, c)| match c {
                Some(o) if usize::from(*o) < item.options.len() => Answer::Chosen(*o),
                _ => Answer::Missing,
            })
            .collect();
        // A form with every item blank was not given (not screened).
        prop_assume!(answers.iter().any(|a| *a != Answer::Missing));
        static ENUMERATED: [std::sync::OnceLock<BTreeSet<Vec<u16>>>; 3] =
            [const { std::sync::OnceLock::new() }; 3];
        let tuples = ENUMERATED[which].get_or_init(|| enumerated(instrument));
        prop_assert!(tuples.contains(&tuple_of(instrument, &answers)));
    }
}
