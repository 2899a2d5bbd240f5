//! Unit tests of loading, analysis and evaluation on the shipped tables.

use super::*;
use crate::catalog::Catalog;

fn instruments(catalog: &Catalog) -> Vec<&Instrument> {
    catalog.instruments().iter().collect()
}

#[test]
fn shipped_tables_load_without_problems() {
    let catalog = Catalog::builtin();
    for (id, file, text) in BUILTIN_TABLES {
        let started = std::time::Instant::now();
        let (table, diagnostics) = load_table(file, text, &instruments(&catalog));
        let elapsed = started.elapsed();
        for d in &diagnostics {
            eprintln!("{}", d.render(Some(text), false));
        }
        assert!(
            diagnostics.is_empty(),
            "{id}: {} problem(s)",
            diagnostics.len()
        );
        let table = table.expect("loads");
        let report = analysis::analyze(&table);
        eprintln!(
            "{id}: {} combinations, {} nodes, groups {:?}, {elapsed:?}",
            report.combinations, report.nodes, report.groups
        );
    }
}

#[test]
fn planted_fixtures_report_problems() {
    let catalog = Catalog::builtin();
    for name in ["base", "gap", "shadowed", "impossible", "lost-urgent"] {
        let path = format!(
            "{}/tests/fixtures/rules/{name}.yaml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let (table, diagnostics) = load_table(&path, &text, &instruments(&catalog));
        eprintln!("== {name}: loaded {}", table.is_some());
        for d in &diagnostics {
            eprintln!("{}", d.render(Some(&text), false));
        }
    }
}
