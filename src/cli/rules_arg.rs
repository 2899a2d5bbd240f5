//! `--rules ID|FILE` and `--set NAME=VALUE`, shared by `score`, `explain` and `compare`.

use std::path::Path;

use super::UsageError;
use super::common::{fail_with, read_file};
use stepcare::catalog::Catalog;
use stepcare::instrument::Instrument;
use stepcare::rules::{BUILTIN_TABLES, DataValues, RuleTable, load_builtin, load_table};

/// Loads a shipped rule table by id, or a rule-table file, checked against
/// the catalog. A table with any error is refused whole, after every
/// problem is printed.
pub fn load_rules(spec: &str, catalog: &Catalog) -> anyhow::Result<RuleTable> {
    let instruments: Vec<&Instrument> = catalog.instruments().iter().collect();
    if BUILTIN_TABLES.iter().any(|(id, _, _)| *id == spec) {
        return load_builtin(spec, &instruments).map_err(|problems| {
            let text = BUILTIN_TABLES
                .iter()
                .find(|(id, _, _)| *id == spec)
                .map(|(_, _, text)| (*text).to_owned());
            fail_with(problems.diagnostics, |_| text.clone())
                .context(format!("the shipped rule table `{spec}` has errors"))
        });
    }
    let path = Path::new(spec);
    if !path.exists() {
        let known: Vec<&str> = BUILTIN_TABLES.iter().map(|(id, _, _)| *id).collect();
        return Err(UsageError(format!(
            "--rules {spec}: no shipped table has this id and no such file exists (shipped: {})",
            known.join(", ")
        ))
        .into());
    }
    let text = read_file(path)?;
    match load_table(spec, &text, &instruments) {
        (Some(table), _) => Ok(table),
        (None, diagnostics) => {
            let count = diagnostics.iter().filter(|d| d.is_error()).count();
            Err(fail_with(diagnostics, |_| Some(text.clone())).context(format!(
                "the rule table `{spec}` has {} and is not used (check it with `stepcare validate {spec}`)",
                stepcare::lang::count(count as u64, "error", "errors")
            )))
        }
    }
}

/// Reads `--set NAME=VALUE` options into data values.
pub fn parse_sets(sets: &[String]) -> anyhow::Result<DataValues> {
    let mut data = DataValues::new();
    for set in sets {
        let Some((name, value)) = set.split_once('=') else {
            return Err(UsageError(format!(
                "--set {set}: expected NAME=VALUE, for example --set respondent=mother"
            ))
            .into());
        };
        data.insert(name.trim().to_owned(), value.trim().to_owned());
    }
    Ok(data)
}
