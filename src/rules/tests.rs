//! Unit tests of loading and analysis on the shipped tables (the integration
//! tests in tests/rules.rs cover the planted defects and the commands).

use super::*;
use crate::catalog::Catalog;

#[test]
fn shipped_tables_load_without_problems_and_are_complete() {
    let catalog = Catalog::builtin();
    let instruments: Vec<&Instrument> = catalog.instruments().iter().collect();
    for (id, file, text) in BUILTIN_TABLES {
        let (table, diagnostics) = load_table(file, text, &instruments);
        assert!(diagnostics.is_empty(), "{id}: {diagnostics:#?}");
        let table = table.expect("loads");
        let report = analysis::analyze(&table);
        assert_eq!(report.gaps.count, 0, "{id}");
        assert!(report.lost_flags.is_empty(), "{id}");
        // The EPDS total is split only at rule boundaries.
        let epds = table.input_index("epds").unwrap();
        let numeric = report.classes[epds]
            .iter()
            .filter(|c| matches!(c.values[0], Value::Score(_)))
            .count();
        assert!(numeric <= 6, "{id}: {numeric} EPDS classes");
    }
}

#[test]
fn the_joint_enumeration_counts_concern_boxes_in_each_interval_exactly() {
    use crate::instrument::AgeBanding;
    use domain::{Tracked, joint_tuples};
    let catalog = Catalog::builtin();
    let child = catalog.get("se-demo").expect("shipped");
    let banding = child.age_banding.as_ref().expect("age-banded");
    for interval in &banding.intervals {
        // The same instrument with this interval alone.
        let mut alone = child.clone();
        alone.age_banding = Some(AgeBanding {
            intervals: vec![interval.clone()],
            correction: None,
        });
        // An independent computation of the interval's reachable scores.
        let expected =
            interval.scales[0].reachable_scores_with_concerns(&child.items, &child.concerns);
        let reached = {
            let expected = &expected;
            let tracked = [Tracked {
                scale: 0,
                classify: Box::new(move |_, score| match score {
                    Value::Score(s) => expected
                        .iter()
                        .position(|&e| e == s)
                        .map_or(u16::MAX - 1, |i| i as u16),
                    _ => u16::MAX,
                }),
            }];
            joint_tuples(&alone, &tracked, &[])
        };
        let mut classes: Vec<u16> = reached.iter().map(|t| t[0]).collect();
        classes.dedup();
        let mut want: Vec<u16> = (0..expected.len() as u16).collect();
        want.push(u16::MAX);
        assert_eq!(classes, want, "interval {}", interval.id);
    }
}

#[test]
fn a_child_zone_input_takes_the_zones_of_its_intervals() {
    let catalog = Catalog::builtin();
    let instruments: Vec<&Instrument> = catalog.instruments().iter().collect();
    let table = load_builtin("no-default", &instruments).expect("loads");
    let input = table.input_index("child_se").expect("declared");
    assert!(table.zones(input).is_some());
    let place = table.instrument_names.iter().position(|n| n == "child_se");
    assert_eq!(
        place.map(|p| table.instruments[p].as_str()),
        Some("se-demo")
    );
    assert_eq!(
        domain::input_domain(&table, input),
        [
            Value::Zone(0),
            Value::Zone(1),
            Value::Zone(2),
            Value::NoScore,
            Value::NotScreened
        ]
    );
    let report = analysis::analyze(&table);
    assert_eq!(report.classes[input].len(), 5);
}
