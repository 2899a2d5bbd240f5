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
