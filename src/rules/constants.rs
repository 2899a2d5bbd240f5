//! Values given for every row of a run (`--set NAME=VALUE`), checked
//! against a rule table before any row is read.
//!
//! A value for every row changes what the table decides, so nothing about
//! it is guessed: a name the table does not read, a name given twice, a
//! value the column does not accept, and a name the input also has as a
//! column (whose cells would be overridden in every row) are all refused.

use super::RuleTable;
use super::build::{column_value, column_values_phrase};
use super::evaluate::DataValues;

/// Checks `NAME=VALUE` pairs against the data columns of `table` and returns
/// them as data values, or a sentence for people saying what is wrong.
pub fn check_constants(table: &RuleTable, sets: &[(String, String)]) -> Result<DataValues, String> {
    let mut data = DataValues::new();
    for (n, (name, value)) in sets.iter().enumerate() {
        let key = name.trim().to_lowercase();
        if let Some((_, earlier)) = sets[..n]
            .iter()
            .find(|(other, _)| other.trim().to_lowercase() == key)
        {
            return Err(format!(
                "--set {name} is given twice (`{}` and `{}`); give it once",
                earlier.trim(),
                value.trim()
            ));
        }
        let Some((_, column)) = table
            .columns()
            .find(|(_, column)| column.name.to_lowercase() == key)
        else {
            return Err(unknown_name(table, name));
        };
        if column_value(column, &table.levels, value).is_none() || value.trim().is_empty() {
            return Err(format!(
                "--set {}={}: `{}` is not a value of {}; it accepts {}",
                name.trim(),
                value.trim(),
                value.trim(),
                column.name,
                column_values_phrase(column, &table.levels)
            ));
        }
        data.insert(column.name.clone(), value.trim().to_owned());
    }
    Ok(data)
}

fn unknown_name(table: &RuleTable, name: &str) -> String {
    let columns: Vec<String> = table
        .columns()
        .map(|(_, c)| format!("{} ({})", c.name, column_values_phrase(c, &table.levels)))
        .collect();
    let closest = table
        .columns()
        .map(|(_, c)| {
            (
                strsim::normalized_damerau_levenshtein(
                    &c.name.to_lowercase(),
                    &name.trim().to_lowercase(),
                ),
                c.name.as_str(),
            )
        })
        .filter(|(similarity, _)| *similarity >= 0.5)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| format!(" (did you mean {name}?)"))
        .unwrap_or_default();
    if columns.is_empty() {
        format!(
            "--set {}: rule table `{}` reads no data column, so --set has nothing to set",
            name.trim(),
            table.id
        )
    } else {
        format!(
            "--set {}: rule table `{}` reads no column `{}`{closest}; the data columns it reads are: {}",
            name.trim(),
            table.id,
            name.trim(),
            columns.join("; ")
        )
    }
}

/// The first value given for every row whose name is also a column of the
/// input (matched as the table matches columns: ignoring case and spaces
/// around it), as (name, header).
pub fn constant_in_header<'h>(
    data: &DataValues,
    headers: &'h [String],
) -> Option<(String, &'h str)> {
    data.keys().find_map(|name| {
        headers
            .iter()
            .find(|h| h.trim().to_lowercase() == name.trim().to_lowercase())
            .map(|h| (name.clone(), h.as_str()))
    })
}
