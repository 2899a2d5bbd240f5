//! Known-answer scoring tests, each cited to the instrument's primary source.
//!
//! The YAML definitions carry their own examples (run by `stepcare verify`);
//! these tests restate the published rules independently of those files, so
//! a definition edited by mistake fails here even if its examples were
//! edited along with it.

mod common;

use common::{by_points, catalog};
use stepcare::instrument::Instrument;
use stepcare::scoring::{Answer, Status, score};

/// Answers given as 1-based printed positions.
fn by_position(positions: &[u8]) -> Vec<Answer> {
    positions.iter().map(|p| Answer::Chosen(p - 1)).collect()
}

fn total(instrument: &Instrument, answers: &[Answer]) -> (Option<f64>, Option<String>) {
    let result = score(instrument, answers);
    let scale = instrument.scale_index("total").unwrap();
    let scored = &result.scales[scale];
    (
        scored.score,
        scored
            .band
            .map(|b| instrument.scales[scale].bands[b].id.clone()),
    )
}

#[test]
fn epds_keying_follows_cox_1987() {
    // Cox, Holden & Sagovsky 1987 (Br J Psychiatry 150:782-786), scoring
    // instructions: items 1, 2 and 4 score 0-3 from the first printed option;
    // items 3 and 5-10 are reverse-scored, 3-0.
    let catalog = catalog();
    let epds = catalog.get("epds").unwrap();
    let first = by_position(&[1; 10]);
    assert_eq!(total(epds, &first), (Some(21.0), Some("probable".into())));
    let last = by_position(&[4; 10]);
    assert_eq!(total(epds, &last), (Some(9.0), Some("below".into())));
    for (item, reverse) in epds.items.iter().zip([
        false, false, true, false, true, true, true, true, true, true,
    ]) {
        assert_eq!(item.is_reverse_keyed(), reverse, "{}", item.id);
    }
}

#[test]
fn epds_cutoffs_and_item_10_follow_cox_1987() {
    // Cox 1987 scoring instructions: >= 10 possible depression, >= 13 probable
    // depression; any score above 0 on item 10 always needs further assessment.
    let catalog = catalog();
    let epds = catalog.get("epds").unwrap();
    let at = |points: [i32; 10]| total(epds, &by_points(epds, &points.map(Some)));
    assert_eq!(
        at([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]).1.as_deref(),
        Some("below")
    );
    assert_eq!(
        at([1, 1, 1, 1, 1, 1, 1, 1, 2, 0]).1.as_deref(),
        Some("possible")
    );
    assert_eq!(
        at([2, 2, 1, 1, 1, 1, 1, 1, 2, 0]).1.as_deref(),
        Some("possible")
    );
    assert_eq!(
        at([2, 2, 2, 1, 1, 1, 1, 1, 2, 0]).1.as_deref(),
        Some("probable")
    );
    let low_with_item_10 = score(
        epds,
        &by_points(epds, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 1].map(Some)),
    );
    assert_eq!(low_with_item_10.flags.len(), 1);
    assert!(low_with_item_10.has_urgent_flag(epds));
    // No official prorating rule: one missing item means no total, and the flag stands.
    let mut missing = by_points(epds, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 2].map(Some));
    missing[0] = Answer::Missing;
    let result = score(epds, &missing);
    assert_eq!(result.status(), Status::Incomplete);
    assert_eq!(
        result.scales[epds.scale_index("total").unwrap()].score,
        None
    );
    assert_eq!(result.flags.len(), 1);
}

#[test]
fn phq9_bands_and_item_9_follow_kroenke_2001() {
    // Kroenke, Spitzer & Williams 2001 (J Gen Intern Med 16:606-613): 0-4
    // minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27 severe.
    let catalog = catalog();
    let phq9 = catalog.get("phq9").unwrap();
    let with_total = |n: i32| {
        let mut points = [0; 9];
        let mut left = n;
        for p in points.iter_mut().take(8) {
            *p = left.min(3);
            left -= *p;
        }
        total(phq9, &by_points(phq9, &points.map(Some)))
    };
    for (n, band) in [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (24, "severe"),
    ] {
        assert_eq!(
            with_total(n),
            (Some(f64::from(n)), Some(band.to_owned())),
            "total {n}"
        );
    }
    let item_9 = score(
        phq9,
        &by_points(phq9, &[0, 0, 0, 0, 0, 0, 0, 0, 1].map(Some)),
    );
    assert!(item_9.has_urgent_flag(phq9));
}

#[test]
fn gad7_bands_follow_spitzer_2006() {
    // Spitzer, Kroenke, Williams & Löwe 2006 (Arch Intern Med 166:1092-1097):
    // 5, 10 and 15 mark mild, moderate and severe anxiety.
    let catalog = catalog();
    let gad7 = catalog.get("gad7").unwrap();
    for (points, band) in [
        ([0, 0, 0, 0, 0, 0, 0], "minimal"),
        ([1, 1, 1, 1, 0, 0, 0], "minimal"),
        ([1, 1, 1, 1, 1, 0, 0], "mild"),
        ([2, 2, 2, 2, 2, 0, 0], "moderate"),
        ([3, 3, 3, 3, 3, 0, 0], "severe"),
        ([3, 3, 3, 3, 3, 3, 3], "severe"),
    ] {
        let expected: i32 = points.iter().sum();
        assert_eq!(
            total(gad7, &by_points(gad7, &points.map(Some))),
            (Some(f64::from(expected)), Some(band.to_owned()))
        );
    }
}
