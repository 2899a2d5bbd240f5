//! `--rules ID|FILE` and `--set NAME=VALUE`, shared by `score`, `explain` and `compare`.

use std::path::Path;

use super::UsageError;
use super::common::{fail_with, read_file};
use stepcare::catalog::Catalog;
use stepcare::instrument::Instrument;
use stepcare::rules::constants::check_constants;
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

/// Reads `--set NAME=VALUE` options into data values for `tables`: a name
/// no table reads, a name given twice or a value a column does not accept
/// is a usage error that says what is accepted.
pub fn parse_sets(sets: &[String], tables: &[&RuleTable]) -> anyhow::Result<DataValues> {
    let mut pairs = Vec::new();
    for set in sets {
        let Some((name, value)) = set.split_once('=') else {
            return Err(UsageError(format!(
                "--set {set}: expected NAME=VALUE, for example --set respondent=mother"
            ))
            .into());
        };
        pairs.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let mut data = DataValues::new();
    for (n, pair) in pairs.iter().enumerate() {
        let key = pair.0.to_lowercase();
        if let Some((_, earlier)) = pairs[..n]
            .iter()
            .find(|(other, _)| other.to_lowercase() == key)
        {
            return Err(UsageError(format!(
                "--set {} is given twice (`{earlier}` and `{}`); give it once",
                pair.0, pair.1
            ))
            .into());
        }
        if tables.is_empty() {
            // The caller checks the names against its own table (the visit).
            data.insert(pair.0.clone(), pair.1.clone());
            continue;
        }
        let readers: Vec<&RuleTable> = tables
            .iter()
            .filter(|table| table.columns().any(|(_, c)| c.name.to_lowercase() == key))
            .copied()
            .collect();
        // A name no table reads is explained against the first table.
        let check: Vec<&RuleTable> = if readers.is_empty() {
            tables.iter().take(1).copied().collect()
        } else {
            readers
        };
        for table in check {
            let checked = check_constants(table, std::slice::from_ref(pair)).map_err(UsageError)?;
            data.extend(checked);
        }
    }
    Ok(data)
}
