//! Saved visits and scored JSON Lines read back as delimited rows.
//!
//! `visit --save FILE.jsonl` and `score --format jsonl` write one JSON object
//! per row. Commands that read exports (such as `follow-up`) work on columns,
//! so this module turns such a file into CSV with one row per object: the kept
//! columns (`keep.*`), the answers (`results.<instrument>.answers.<item>` as
//! the column `<instrument>.<item>`, in points) and a visit's context, the
//! child's dates and the family's due and birth dates (`visit.context.*`,
//! `visit.inputs.*`, `visit.due_date`, `visit.birth_date`) when `keep` lacks them.
//!
//! The header is the union of every object's columns in the order first seen,
//! so the file is read twice; nothing is held in memory but the header.

use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};

use serde_json::Value;

/// The longest line read, so that a corrupt file cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Why a JSON Lines file could not be read as rows.
#[derive(Debug, thiserror::Error)]
pub enum JsonlRowsError {
    /// A line that is not a JSON object.
    #[error("line {line} is not a JSON object ({reason})")]
    NotAnObject {
        /// The 1-based line number.
        line: u64,
        /// What was wrong, in the parser's words.
        reason: String,
    },
    /// A FHIR resource, which is not a saved visit or a scored row.
    #[error("line {line} is a FHIR resource, not a saved visit or a `score --format jsonl` row")]
    Fhir {
        /// The 1-based line number.
        line: u64,
    },
    /// A line longer than [`MAX_LINE_BYTES`].
    #[error("line {line} is longer than {} MiB", MAX_LINE_BYTES >> 20)]
    TooLong {
        /// The 1-based line number.
        line: u64,
    },
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// True when `head` (the first bytes of a file) starts like JSON Lines: an object.
pub fn looks_like_jsonl(head: &[u8]) -> bool {
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    text.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

/// Writes the objects of `input` as CSV rows to `out`; returns the number of rows.
///
/// Blank lines are skipped. A line that is not an object stops the reading
/// with its line number: a row is never dropped or guessed.
pub fn jsonl_to_csv<R: Read + Seek, W: Write>(
    input: &mut R,
    out: W,
) -> Result<u64, JsonlRowsError> {
    let mut header: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for_each_object(&mut *input, |_, fields| {
        for (name, _) in fields {
            if seen.insert(name.clone()) {
                header.push(name);
            }
        }
    })?;
    input.seek(SeekFrom::Start(0))?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&header).map_err(csv_error)?;
    let index: std::collections::HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let mut record = vec![String::new(); header.len()];
    let mut failure = None;
    let rows = for_each_object(&mut *input, |_, fields| {
        record.iter_mut().for_each(String::clear);
        for (name, value) in fields {
            if let Some(&i) = index.get(name.as_str()) {
                record[i] = value;
            }
        }
        if failure.is_none()
            && let Err(err) = writer.write_record(&record)
        {
            failure = Some(err);
        }
    })?;
    if let Some(err) = failure {
        return Err(csv_error(err));
    }
    writer.flush()?;
    Ok(rows)
}

fn csv_error(err: csv::Error) -> JsonlRowsError {
    JsonlRowsError::Io(io::Error::other(err))
}

/// Calls `each` with the columns of every object; returns how many there were.
fn for_each_object<R: Read>(
    input: R,
    mut each: impl FnMut(u64, Vec<(String, String)>),
) -> Result<u64, JsonlRowsError> {
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    let (mut number, mut objects) = (0u64, 0u64);
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return Ok(objects);
        }
        number += 1;
        if line.len() > MAX_LINE_BYTES {
            return Err(JsonlRowsError::TooLong { line: number });
        }
        let text = if number == 1 {
            line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line)
        } else {
            &line
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let value: Value =
            serde_json::from_slice(text).map_err(|err| JsonlRowsError::NotAnObject {
                line: number,
                reason: err.to_string(),
            })?;
        let Value::Object(object) = &value else {
            return Err(JsonlRowsError::NotAnObject {
                line: number,
                reason: "a JSON value that is not an object".to_owned(),
            });
        };
        if object.contains_key("resourceType") {
            return Err(JsonlRowsError::Fhir { line: number });
        }
        objects += 1;
        each(number, columns(object));
    }
}

/// The columns of one object, in a stable order.
fn columns(object: &serde_json::Map<String, Value>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(Value::Object(keep)) = object.get("keep") {
        for (name, value) in keep {
            out.push((name.clone(), cell(value)));
        }
    }
    if let Some(Value::Object(results)) = object.get("results") {
        for (instrument, result) in results {
            if let Some(Value::Object(answers)) = result.get("answers") {
                for (item, value) in answers {
                    out.push((format!("{instrument}.{item}"), cell(value)));
                }
            }
        }
    }
    if let Some(Value::Object(visit)) = object.get("visit") {
        for part in ["context", "inputs"] {
            if let Some(Value::Object(values)) = visit.get(part) {
                for (name, value) in values {
                    if !out.iter().any(|(n, _)| n == name) {
                        out.push((name.clone(), cell(value)));
                    }
                }
            }
        }
        for (name, key) in [
            ("visit_date", "date"),
            ("id", "id"),
            ("respondent", "respondent"),
            ("due_date", "due_date"),
            ("birth_date", "birth_date"),
        ] {
            if !out.iter().any(|(n, _)| n == name)
                && let Some(value) = visit.get(key)
            {
                out.push((name.to_owned(), cell(value)));
            }
        }
    }
    out
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn convert(text: &str) -> Result<String, JsonlRowsError> {
        let mut out = Vec::new();
        jsonl_to_csv(&mut Cursor::new(text.as_bytes().to_vec()), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn objects_become_rows_under_the_union_of_their_columns() {
        let text = concat!(
            r#"{"row":1,"keep":{"id":"A","visit_date":"2026-10-01"},"results":{"epds":{"answers":{"q1":2,"q10":null}}}}"#,
            "\n\n",
            r#"{"row":2,"keep":{"id":"B"},"results":{"phq9":{"answers":{"q9":1}}},"visit":{"date":"2026-10-02","due_date":"2026-12-01","inputs":{"birth_date":"2026-09-01"}}}"#,
            "\n",
        );
        assert_eq!(
            convert(text).unwrap(),
            "id,visit_date,epds.q1,epds.q10,phq9.q9,birth_date,due_date\n\
             A,2026-10-01,2,,,,\n\
             B,2026-10-02,,,1,2026-09-01,2026-12-01\n"
        );
    }

    #[test]
    fn a_line_that_is_not_an_object_stops_with_its_number() {
        let err = convert("{\"keep\":{}}\n[1,2]\n").unwrap_err();
        assert!(
            matches!(err, JsonlRowsError::NotAnObject { line: 2, .. }),
            "{err}"
        );
        let err = convert("{\"keep\":{}}\n\n{\"keep\":\n").unwrap_err();
        assert!(
            matches!(err, JsonlRowsError::NotAnObject { line: 3, .. }),
            "{err}"
        );
    }

    #[test]
    fn detection_looks_at_the_first_byte_that_is_not_space() {
        assert!(looks_like_jsonl(b"\xEF\xBB\xBF  {\"row\":1}"));
        assert!(!looks_like_jsonl(b"id;epds.q1\n"));
        assert!(!looks_like_jsonl(b""));
    }
}
