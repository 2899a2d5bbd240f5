//! Matching an export's header to the items of the chosen instruments.
//!
//! A column names an item when, ignoring case, spaces and punctuation, it is
//! `<instrument>.<item>`, `<instrument>_<item>`, one of the item's declared
//! aliases, the bare item id when only one chosen instrument has that id, or
//! a name given in a column map (`--map`). Every item must be found before
//! any row is read.

use std::collections::{BTreeMap, HashMap};

use crate::instrument::Instrument;

/// Where each item and kept column is in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnPlan {
    /// Per instrument (in the order chosen), the column index of each item.
    pub items: Vec<Vec<usize>>,
    /// Columns copied to the output: (header as written, column index).
    pub keep: Vec<(String, usize)>,
}

/// Why the header does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    /// Items with no column.
    #[error("{}", missing_message(.missing))]
    Missing {
        /// One entry per missing item or kept column.
        missing: Vec<MissingColumn>,
    },
    /// A column that names two items, or an item named by two columns.
    #[error("{0}")]
    Ambiguous(String),
    /// A column map that names an unknown instrument or item.
    #[error("{0}")]
    BadMap(String),
}

/// An item (or kept column) the header lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingColumn {
    /// `epds.q3`, or the kept column's name.
    pub wanted: String,
    /// Names that would have matched.
    pub accepted: Vec<String>,
    /// The closest headers found.
    pub closest: Vec<String>,
}

fn missing_message(missing: &[MissingColumn]) -> String {
    let mut text = format!(
        "the input lacks {} needed before any row can be scored:",
        crate::lang::count(missing.len() as u64, "column", "columns")
    );
    for column in missing {
        text.push_str(&format!("\n  - {}", column.wanted));
        if column.accepted.len() > 1 {
            text.push_str(&format!(
                " (accepted names: {})",
                column.accepted.join(", ")
            ));
        }
        if !column.closest.is_empty() {
            text.push_str(&format!("; closest headers: {}", column.closest.join(", ")));
        }
    }
    text.push_str(
        "\nname the columns with --map FILE (a YAML map from header to `instrument.item`)",
    );
    text
}

/// Headers match ignoring case, spaces and punctuation: `EPDS 1`, `epds-1` and `Epds1` are one name.
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The columns of a header by matching key, every one of them: two headers
/// that read as one name are both kept, so that neither is silently ignored.
#[derive(Debug)]
pub(super) struct HeaderIndex<'h> {
    headers: &'h [String],
    by_key: HashMap<String, Vec<usize>>,
}

impl<'h> HeaderIndex<'h> {
    /// Indexes `headers`.
    pub(super) fn new(headers: &'h [String]) -> Self {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, header) in headers.iter().enumerate() {
            by_key.entry(key(header)).or_default().push(index);
        }
        HeaderIndex { headers, by_key }
    }

    /// The one column any of `names` matches, `None` when none does; two
    /// different columns are an [`ColumnError::Ambiguous`] error about `what`.
    pub(super) fn find(&self, names: &[String], what: &str) -> Result<Option<usize>, ColumnError> {
        let mut found: Vec<usize> = names
            .iter()
            .filter_map(|name| self.by_key.get(&key(name)))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        match found[..] {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            [first, second, ..] => Err(self.ambiguous(what, first, second)),
        }
    }

    /// The column a `--map` entry names: the header written exactly so (spaces
    /// around it aside), else the one header that matches it ignoring case and
    /// punctuation.
    pub(super) fn find_mapped(&self, header: &str) -> Result<Option<usize>, ColumnError> {
        let exact: Vec<usize> = (0..self.headers.len())
            .filter(|&i| self.headers[i].trim() == header.trim())
            .collect();
        match exact[..] {
            [one] => return Ok(Some(one)),
            [first, second, ..] => {
                return Err(ColumnError::Ambiguous(format!(
                    "the column map names `{header}`, but columns {} and {} both have that header; rename one of them in the file",
                    first + 1,
                    second + 1
                )));
            }
            [] => {}
        }
        match self.by_key.get(&key(header)).map(Vec::as_slice) {
            None | Some([]) => Ok(None),
            Some([one]) => Ok(Some(*one)),
            Some([first, second, ..]) => Err(ColumnError::Ambiguous(format!(
                "the column map names `{header}`, which could be column {} `{}` or column {} `{}`; write the header exactly as in the file",
                first + 1,
                self.headers[*first],
                second + 1,
                self.headers[*second]
            ))),
        }
    }

    fn ambiguous(&self, what: &str, first: usize, second: usize) -> ColumnError {
        ColumnError::Ambiguous(format!(
            "two columns would both be {what}: column {} `{}` and column {} `{}`; \
             remove one, or say which to use with --map FILE (a YAML map from the header, written exactly, to `instrument.item`)",
            first + 1,
            visible(&self.headers[first]),
            second + 1,
            visible(&self.headers[second])
        ))
    }
}

/// Text for a message with invisible characters shown: a no-break space as
/// `<NBSP>`, control characters (NUL, tab, ...) as `<U+0000>`-style codes, so
/// that two cells or headers that look alike can be told apart.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{a0}' => out.push_str("<NBSP>"),
            '\u{feff}' => out.push_str("<BOM>"),
            '\u{200b}' => out.push_str("<ZWSP>"),
            '\t' => out.push_str("<TAB>"),
            c if c.is_control()
                || matches!(c, '\u{2000}'..='\u{200f}' | '\u{2028}'..='\u{202f}' | '\u{2060}'..='\u{2064}') =>
            {
                out.push_str(&format!("<U+{:04X}>", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Matches `headers` to the items of `instruments`, plus the `keep` columns.
///
/// `map` holds explicit header → `instrument.item` names.
pub fn plan_columns(
    headers: &[String],
    instruments: &[&Instrument],
    keep: &[String],
    map: &BTreeMap<String, String>,
) -> Result<ColumnPlan, ColumnError> {
    let index = HeaderIndex::new(headers);
    // Items named by the map, as (instrument, item) -> header index.
    let mut mapped: HashMap<(usize, usize), usize> = HashMap::new();
    for (header, target) in map {
        let Some((inst_id, item_id)) = target.split_once('.') else {
            return Err(ColumnError::BadMap(format!(
                "column map: `{target}` (for `{header}`) is not of the form instrument.item"
            )));
        };
        let Some(inst) = instruments.iter().position(|i| i.id == inst_id) else {
            // A map may serve several instruments; entries for others are ignored.
            continue;
        };
        if super::ages::is_age_target(instruments[inst], item_id) {
            // Age and concern columns are planned by `ages::plan_age_columns`.
            continue;
        }
        if instruments[inst].item_index(item_id).is_none()
            && instruments[inst].scale_index(item_id).is_some()
        {
            // A stored value of a scale, planned by `stored::plan`.
            continue;
        }
        let Some(item) = instruments[inst].item_index(item_id) else {
            return Err(ColumnError::BadMap(format!(
                "column map: instrument `{inst_id}` has no item or scale `{item_id}` (for `{header}`)"
            )));
        };
        if let Some(column) = index.find_mapped(header)? {
            mapped.insert((inst, item), column);
        }
    }
    let mut items = Vec::new();
    let mut missing = Vec::new();
    let mut owner: HashMap<usize, String> = HashMap::new();
    for (inst, instrument) in instruments.iter().enumerate() {
        let mut columns = Vec::new();
        let missing_before = missing.len();
        for (item_index, item) in instrument.items.iter().enumerate() {
            let name = format!("{}.{}", instrument.id, item.id);
            let shared = instruments
                .iter()
                .enumerate()
                .any(|(other, i)| other != inst && i.item_index(&item.id).is_some());
            let mut accepted = vec![name.clone(), format!("{}_{}", instrument.id, item.id)];
            if !shared {
                accepted.push(item.id.clone());
            }
            accepted.extend(item.aliases.iter().cloned());
            let found = match mapped.get(&(inst, item_index)) {
                Some(&column) => Some(column),
                None => index.find(&accepted, &name)?,
            };
            match found {
                Some(index) => {
                    if let Some(first) = owner.insert(index, name.clone()) {
                        return Err(ColumnError::Ambiguous(format!(
                            "column `{}` would be both {first} and {name}; name them with --map",
                            headers[index]
                        )));
                    }
                    columns.push(index);
                }
                None => {
                    columns.push(usize::MAX);
                    missing.push(MissingColumn {
                        closest: Vec::new(),
                        wanted: name,
                        accepted,
                    });
                }
            }
        }
        // An age-banded export may hold only some intervals' items: an absent
        // column is an error only for the rows whose interval asks the item.
        if instrument.age_banding.is_some() && columns.iter().any(|&c| c != usize::MAX) {
            missing.truncate(missing_before);
        }
        items.push(columns);
    }
    let mut kept = Vec::new();
    for name in keep {
        match index.find(
            std::slice::from_ref(name),
            &format!("the kept column `{name}`"),
        )? {
            Some(index) => kept.push((headers[index].clone(), index)),
            None => missing.push(MissingColumn {
                wanted: format!("{name} (--keep)"),
                accepted: vec![name.clone()],
                closest: Vec::new(),
            }),
        }
    }
    // Suggest only headers that no item already claims.
    let free: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(index, _)| !owner.contains_key(index))
        .map(|(_, header)| header.clone())
        .collect();
    for column in &mut missing {
        column.closest = closest(&free, &column.accepted);
    }
    if missing.is_empty() {
        Ok(ColumnPlan { items, keep: kept })
    } else {
        Err(ColumnError::Missing { missing })
    }
}

/// Up to three headers most like any accepted name.
pub(super) fn closest(headers: &[String], accepted: &[String]) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> = headers
        .iter()
        .map(|header| {
            let best = accepted
                .iter()
                .map(|a| strsim::normalized_damerau_levenshtein(&key(header), &key(a)))
                .fold(0.0, f64::max);
            (best, header)
        })
        .filter(|(similarity, _)| *similarity >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, h)| h.clone()).collect()
}
