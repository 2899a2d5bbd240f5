//! REDCap data dictionaries (the 18-column CSV, or API metadata JSON) to an instrument [`Draft`].
//!
//! In REDCap the choice code is the score: `0, Not at all | 1, Several days`.
//! Keying is whatever code the builder typed, so codes are taken as points
//! as written, with a warning when they look like positions (1-based).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Draft, DraftItem, DraftOption, DraftScale, to_id, unique_id};

/// The export columns REDCap adds around a form's fields.
pub const SYSTEM_COLUMNS: [&str; 5] = [
    "record_id",
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_survey_identifier",
];

/// One field of a data dictionary.
#[derive(Debug, Clone, Default)]
pub struct Field {
    /// Variable name.
    pub name: String,
    /// The form (instrument) it belongs to.
    pub form: String,
    /// radio, dropdown, yesno, calc, text, ...
    pub kind: String,
    /// The question text.
    pub label: String,
    /// Choices (`0, Never | 1, Often`) or a calc formula.
    pub choices: String,
    /// Branching logic, if any.
    pub branching: String,
    /// Matrix group name, if any.
    pub matrix: String,
    /// Annotations such as `@HIDDEN`.
    pub annotation: String,
}

/// Why a dictionary could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum RedcapError {
    /// The file is not a data dictionary.
    #[error("{0}")]
    NotDictionary(String),
    /// The form is not in the dictionary.
    #[error("{0}")]
    NoForm(String),
    /// Fields that cannot be scored.
    #[error("the form cannot be imported:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<String>),
}

/// The name of the data dictionary inside a REDCap instrument ZIP.
pub const ZIP_DICTIONARY: &str = "instrument.csv";

/// Whether `bytes` start like a ZIP archive (a local file header).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The text of `instrument.csv` in a REDCap instrument ZIP (the Shared
/// Library's "download instrument" file), read only up to `limit` bytes.
///
/// The entry may sit at the root or in one folder; more than one is an
/// error, as is a ZIP without one (the message lists what it holds). The
/// declared size is checked before reading, and reading stops past `limit`
/// whatever the header says, so a ZIP bomb cannot fill the memory.
pub fn instrument_csv_from_zip(
    bytes: &[u8],
    file: &str,
    limit: u64,
) -> Result<String, RedcapError> {
    use std::io::Read as _;
    let not_zip = |e: zip::result::ZipError| {
        RedcapError::NotDictionary(format!(
            "`{file}` is not a ZIP archive stepcare can read ({e}); a REDCap instrument ZIP holds `{ZIP_DICTIONARY}`"
        ))
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(not_zip)?;
    let mut names = Vec::new();
    let mut found = Vec::new();
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(not_zip)?;
        let name = entry.name().map_err(not_zip)?.into_owned();
        let base = name.rsplit(['/', '\\']).next().unwrap_or(&name);
        if !entry.is_dir() && base.eq_ignore_ascii_case(ZIP_DICTIONARY) {
            found.push(index);
        }
        names.push(name);
    }
    let index = match found.as_slice() {
        [index] => *index,
        [] => {
            let shown: Vec<String> = names.iter().take(20).map(|n| format!("`{n}`")).collect();
            return Err(RedcapError::NotDictionary(format!(
                "`{file}` holds no `{ZIP_DICTIONARY}`, so it is not a REDCap instrument ZIP (it holds {}{}); unzip it and import the data dictionary itself",
                if shown.is_empty() {
                    "nothing".to_owned()
                } else {
                    shown.join(", ")
                },
                if names.len() > 20 { ", ..." } else { "" }
            )));
        }
        many => {
            let shown: Vec<String> = many.iter().map(|&i| format!("`{}`", names[i])).collect();
            return Err(RedcapError::NotDictionary(format!(
                "`{file}` holds {} files named `{ZIP_DICTIONARY}` ({}); unzip it and import the one you mean",
                many.len(),
                shown.join(", ")
            )));
        }
    };
    let name = names[index].clone();
    let mut entry = archive.by_index(index).map_err(|e| {
        RedcapError::NotDictionary(format!(
            "`{name}` in `{file}` cannot be read ({e}); stepcare reads stored and deflate-compressed entries without a password"
        ))
    })?;
    if entry.size() > limit {
        return Err(RedcapError::NotDictionary(format!(
            "`{name}` in `{file}` is {} uncompressed; at most {} is read",
            size_text(entry.size()),
            size_text(limit)
        )));
    }
    let mut data = Vec::new();
    (&mut entry)
        .take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| {
            RedcapError::NotDictionary(format!("`{name}` in `{file}` cannot be read: {e}"))
        })?;
    if data.len() as u64 > limit {
        return Err(RedcapError::NotDictionary(format!(
            "`{name}` in `{file}` is larger uncompressed than {} (more than its header says); it is not read",
            size_text(limit)
        )));
    }
    String::from_utf8(data).map_err(|e| {
        RedcapError::NotDictionary(format!(
            "`{name}` in `{file}` is not UTF-8 text (byte {}); REDCap writes its dictionaries in UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// A size for messages: whole MiB, or KiB below one MiB.
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes.div_ceil(1 << 10))
    }
}

/// Reads a dictionary: API metadata JSON when it starts with `[`, else the CSV.
pub fn read_dictionary(text: &str, file: &str) -> Result<Vec<Field>, RedcapError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('[') {
        let rows: Vec<Value> = serde_json::from_str(text).map_err(|e| {
            RedcapError::NotDictionary(format!(
                "`{file}` is not REDCap metadata JSON (line {}, column {}: {e})",
                e.line(),
                e.column()
            ))
        })?;
        let get = |row: &Value, key: &str| -> String {
            match row.get(key) {
                Some(Value::String(s)) => s.clone(),
                // Pre-parsed choices: [{code, label}].
                Some(Value::Array(list)) => list
                    .iter()
                    .map(|c| {
                        format!(
                            "{}, {}",
                            c.get("code").map_or(String::new(), |v| v
                                .as_str()
                                .map_or(v.to_string(), str::to_owned)),
                            c.get("label").and_then(Value::as_str).unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            }
        };
        return Ok(rows
            .iter()
            .map(|row| Field {
                name: get(row, "field_name"),
                form: get(row, "form_name"),
                kind: get(row, "field_type"),
                label: get(row, "field_label"),
                choices: get(row, "select_choices_or_calculations"),
                branching: get(row, "branching_logic"),
                matrix: get(row, "matrix_group_name"),
                annotation: get(row, "field_annotation"),
            })
            .collect());
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| RedcapError::NotDictionary(format!("`{file}`: {e}")))?
        .clone();
    let first = headers.get(0).unwrap_or("").to_lowercase();
    if headers.len() < 12 || !(first.contains("variable") || first.contains("field")) {
        return Err(RedcapError::NotDictionary(format!(
            "`{file}` is not a REDCap data dictionary: expected 18 columns starting with \"Variable / Field Name\", found {} starting with `{}`",
            headers.len(),
            headers.get(0).unwrap_or("")
        )));
    }
    let mut fields = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record
            .map_err(|e| RedcapError::NotDictionary(format!("`{file}` line {}: {e}", n + 2)))?;
        let cell = |i: usize| record.get(i).unwrap_or("").to_owned();
        fields.push(Field {
            name: cell(0),
            form: cell(1),
            kind: cell(3),
            label: cell(4),
            choices: cell(5),
            branching: cell(11),
            matrix: cell(15),
            annotation: cell(17),
        });
    }
    Ok(fields)
}

/// Codes that REDCap projects use for "declined" or "don't know" rather than a score.
fn is_missing_code(code: i64) -> bool {
    matches!(
        code,
        77 | 88 | 99 | 555 | 666 | 777 | 888 | 999 | -99 | -98 | -9 | -1
    )
}

/// `0, Never | 1, Often` as (code, label) pairs.
pub fn parse_choices(choices: &str) -> Vec<(String, String)> {
    choices
        .split('|')
        .filter(|c| !c.trim().is_empty())
        .map(|choice| match choice.split_once(',') {
            Some((code, label)) => (code.trim().to_owned(), label.trim().to_owned()),
            None => (choice.trim().to_owned(), choice.trim().to_owned()),
        })
        .collect()
}

/// The fields a calc formula adds up, when it is a plain sum: `sum([a],[b])` or `[a]+[b]`.
pub fn plain_sum_fields(formula: &str) -> Option<Vec<String>> {
    let compact: String = formula.chars().filter(|c| !c.is_whitespace()).collect();
    let lower = compact.to_lowercase();
    let inner = if let Some(rest) = lower.strip_prefix("sum(") {
        let body = rest.strip_suffix(')')?;
        body.split(',').map(str::to_owned).collect::<Vec<_>>()
    } else {
        lower.split('+').map(str::to_owned).collect::<Vec<_>>()
    };
    let mut fields = Vec::new();
    for part in inner {
        let name = part.strip_prefix('[')?.strip_suffix(']')?;
        if name.is_empty() || name.contains(['[', ']', '(', ')']) {
            return None;
        }
        fields.push(name.to_owned());
    }
    (!fields.is_empty()).then_some(fields)
}

/// Turns the fields of `form` into a [`Draft`].
pub fn import_form(
    fields: &[Field],
    form: &str,
    file: &str,
    id: Option<&str>,
) -> Result<Draft, RedcapError> {
    let mine: Vec<&Field> = fields.iter().filter(|f| f.form == form).collect();
    if mine.is_empty() {
        let mut forms: Vec<&str> = Vec::new();
        for field in fields {
            if !forms.contains(&field.form.as_str()) {
                forms.push(&field.form);
            }
        }
        return Err(RedcapError::NoForm(format!(
            "`{file}` has no form `{form}`; its forms are: {}",
            forms.join(", ")
        )));
    }
    let mut draft = Draft {
        id: id.map_or_else(|| to_id(form, "f"), str::to_owned),
        name: form.to_owned(),
        lang: "en".to_owned(),
        version: "imported".to_owned(),
        citation: format!(
            "Imported with `stepcare import redcap` from form `{form}` of the REDCap data dictionary `{file}`."
        ),
        licence: "The labels are the field labels of the REDCap project: they are the user's own data, not stepcare's, and may be under copyright.".to_owned(),
        ..Draft::default()
    };
    draft.codes.insert("redcap".to_owned(), form.to_owned());
    let mut problems = Vec::new();
    let mut taken = Vec::new();
    let mut one_based = Vec::new();
    let mut missing_codes: Vec<String> = Vec::new();
    let mut calcs: Vec<&Field> = Vec::new();
    let mut by_field: BTreeMap<String, String> = BTreeMap::new();
    for field in &mine {
        if !field.branching.trim().is_empty() {
            draft.not_carried.push(format!(
                "`{}`: branching logic `{}` (shown only on a condition); stepcare treats an unanswered item as missing",
                field.name,
                field.branching.trim()
            ));
        }
        let choices = match field.kind.as_str() {
            "radio" | "dropdown" => parse_choices(&field.choices),
            "yesno" => vec![("1".into(), "Yes".into()), ("0".into(), "No".into())],
            "truefalse" => vec![("1".into(), "True".into()), ("0".into(), "False".into())],
            "calc" => {
                calcs.push(field);
                continue;
            }
            "descriptive" => continue,
            other => {
                draft
                    .not_carried
                    .push(format!("`{}`: a {other} field (not scored)", field.name));
                continue;
            }
        };
        let mut options = Vec::new();
        let mut bad = Vec::new();
        for (code, label) in choices {
            match code.parse::<i64>() {
                Ok(n) if is_missing_code(n) && field.kind != "yesno" => {
                    missing_codes.push(code.clone());
                    draft.not_carried.push(format!(
                        "`{}`: choice `{code}, {label}` looks like a missing-data code, not a score; it is left out (score with --na {code})",
                        field.name
                    ));
                }
                Ok(n) if i32::try_from(n).is_ok() => options.push(DraftOption {
                    points: n as i32,
                    label,
                    code: Some(code),
                    system: None,
                }),
                _ => bad.push(code),
            }
        }
        if !bad.is_empty() {
            problems.push(format!(
                "field `{}`: choice codes that are not whole numbers ({}); REDCap codes are taken as points",
                field.name,
                bad.join(", ")
            ));
            continue;
        }
        if options.len() < 2 {
            problems.push(format!(
                "field `{}`: fewer than two scorable choices",
                field.name
            ));
            continue;
        }
        if options.iter().map(|o| o.points).min() == Some(1) && field.kind != "yesno" {
            one_based.push(field.name.clone());
        }
        let item_id = unique_id(to_id(&field.name, "q"), &mut taken);
        let aliases = if item_id == field.name {
            Vec::new()
        } else {
            vec![field.name.clone()]
        };
        by_field.insert(field.name.to_lowercase(), item_id.clone());
        draft.items.push(DraftItem {
            id: item_id,
            label: field.label.clone(),
            link_id: None,
            aliases,
            codes: BTreeMap::new(),
            options,
        });
    }
    if !one_based.is_empty() {
        draft.warnings.push(format!(
            "the choice codes of {} start at 1 ({}): REDCap codes are taken as points, so check that the source scores the first option 1 and not 0",
            one_based.len(),
            one_based.join(", ")
        ));
    }
    if !missing_codes.is_empty() {
        missing_codes.sort();
        missing_codes.dedup();
        draft.warnings.push(format!(
            "missing-data codes left out of the options ({}): score the export with {}",
            missing_codes.join(", "),
            missing_codes
                .iter()
                .map(|c| format!("--na {c}"))
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    if draft.items.is_empty() && problems.is_empty() {
        problems.push(format!(
            "form `{form}` has no radio, dropdown or yesno field to score"
        ));
    }
    if !problems.is_empty() {
        return Err(RedcapError::Problems(problems));
    }
    let mut scale_ids = Vec::new();
    for calc in calcs {
        match plain_sum_fields(&calc.choices) {
            Some(parts) if parts.iter().all(|p| by_field.contains_key(p)) => {
                let items: Vec<String> = parts.iter().map(|p| by_field[p].clone()).collect();
                draft.scales.push(DraftScale {
                    id: unique_id(to_id(&calc.name, "s"), &mut scale_ids),
                    label: calc.label.clone(),
                    items,
                    codes: BTreeMap::new(),
                    stored: vec![calc.name.clone()],
                });
                if calc.choices.to_lowercase().contains("sum(") {
                    draft.warnings.push(format!(
                        "`{}` uses REDCap's sum(), which skips blank fields: a stored total over missing items looks complete; stepcare recomputes it with the missing-data rule and reports disagreements",
                        calc.name
                    ));
                }
            }
            _ => draft.not_carried.push(format!(
                "`{}`: a calc field that is not a plain sum of this form's items ({})",
                calc.name,
                calc.choices.trim()
            )),
        }
    }
    if draft.scales.is_empty() {
        draft.scales.push(DraftScale {
            id: unique_id("total".to_owned(), &mut scale_ids),
            label: "Total".to_owned(),
            items: draft.items.iter().map(|i| i.id.clone()).collect(),
            ..DraftScale::default()
        });
    }
    Ok(draft)
}

/// Which rows of a REDCap export hold which form.
///
/// A REDCap export has one row per record, event and repeat instance; a row
/// holds only the forms of its event (or its one repeating instrument). A
/// row that does not hold an instrument's form is *not applicable* to it,
/// not an incomplete form.
#[derive(Debug, Clone)]
pub struct ExportPlan {
    repeat_instrument: Option<usize>,
    /// Per instrument: its form name and the column of `<form>_complete`.
    forms: Vec<(String, Option<usize>)>,
}

impl ExportPlan {
    /// The plan for a header, or `None` when the input is not a REDCap export.
    pub fn new(headers: &[String], instruments: &[&crate::instrument::Instrument]) -> Option<Self> {
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let forms: Vec<(String, Option<usize>)> = instruments
            .iter()
            .map(|i| {
                let form = i
                    .codes
                    .get("redcap")
                    .cloned()
                    .unwrap_or_else(|| i.id.clone());
                let complete = find(&format!("{form}_complete"));
                (form, complete)
            })
            .collect();
        let repeat_instrument = find("redcap_repeat_instrument");
        let is_export = repeat_instrument.is_some()
            || find("redcap_event_name").is_some()
            || forms.iter().any(|(_, c)| c.is_some());
        is_export.then_some(ExportPlan {
            repeat_instrument,
            forms,
        })
    }

    /// Whether the row does not hold the form of instrument `slot`.
    pub fn not_applicable(&self, slot: usize, record: &csv::ByteRecord, items: &[usize]) -> bool {
        let cell = |column: usize| record.get(column).unwrap_or(b"").trim_ascii();
        let (form, complete) = &self.forms[slot];
        if let Some(column) = self.repeat_instrument {
            let repeat = cell(column);
            if !repeat.is_empty() && !repeat.eq_ignore_ascii_case(form.as_bytes()) {
                return true;
            }
        }
        let blank = items.iter().all(|&c| c == usize::MAX || cell(c).is_empty());
        blank && complete.is_none_or(|c| cell(c).is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_and_sums() {
        assert_eq!(
            parse_choices("0, Not at all | 1, Several days, or more"),
            vec![
                ("0".to_owned(), "Not at all".to_owned()),
                ("1".to_owned(), "Several days, or more".to_owned())
            ]
        );
        assert_eq!(
            plain_sum_fields("sum([a], [b_2])"),
            Some(vec!["a".to_owned(), "b_2".to_owned()])
        );
        assert_eq!(
            plain_sum_fields("[a] + [b]"),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(plain_sum_fields("round([a]*2,1)"), None);
        assert_eq!(plain_sum_fields("if([a]=777,'',[a])"), None);
    }
}

#[cfg(test)]
mod zip_tests {
    use super::*;
    use std::io::Write as _;

    fn zip_of(name: &str, data: &[u8]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name, options).unwrap();
        zip.write_all(data).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn an_instrument_csv_larger_than_the_limit_is_not_read() {
        // 1 MiB of commas compresses to a few KiB: the bound is on what comes out.
        let bytes = zip_of("instrument.csv", &vec![b','; 1 << 20]);
        assert!(bytes.len() < 64 << 10);
        let err = instrument_csv_from_zip(&bytes, "big.zip", 1 << 16).unwrap_err();
        assert!(
            err.to_string().contains(
                "`instrument.csv` in `big.zip` is 1 MiB uncompressed; at most 64 KiB is read"
            ),
            "{err}"
        );
        let ok = instrument_csv_from_zip(&bytes, "big.zip", 2 << 20).unwrap();
        assert_eq!(ok.len(), 1 << 20);
    }
}
