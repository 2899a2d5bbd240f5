//! Writing scored rows as CSV or JSON Lines.
//!
//! JSON Lines is the stable machine contract: one object per input row,
//! `{"row", "status", "keep", "results", "errors"}`. CSV flattens the same
//! into columns named `<instrument>.<scale>`, `<instrument>.<scale>.band` and
//! `<instrument>.flags` (several flags are joined with `|`). An age-banded
//! instrument adds [`AGE_COLUMNS`] before its scales (in JSON: `interval`,
//! `age` and `corrected_age` with `months` and `days`).

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::care::{CARE_COLUMNS, Care};
use super::{Layout, RowSink, ScoredRow};
use crate::instrument::fmt_score;
use crate::scoring::Answer;

/// The columns an age-banded instrument adds before its scales: the interval
/// used, the age in completed months and remaining days, and the corrected
/// age likewise (blank when not corrected).
pub const AGE_COLUMNS: [&str; 5] = [
    "interval",
    "age_months",
    "age_days",
    "corrected_age_months",
    "corrected_age_days",
];

/// Joins several flag ids (or other ids) in one CSV cell.
pub const LIST_SEPARATOR: &str = "|";

/// Whether a spreadsheet would read a cell as a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (the OWASP list for CSV
/// injection), and is not a plain number such as `-1` or `+2.5`.
pub fn is_formula_like(cell: &[u8]) -> bool {
    match cell.first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(&cell[1..]),
        _ => false,
    }
}

/// Digits with at most one decimal point or comma between them.
fn is_plain_number(text: &[u8]) -> bool {
    let mut digits = 0;
    let mut separators = 0;
    for &byte in text {
        match byte {
            b'0'..=b'9' => digits += 1,
            b'.' | b',' if digits > 0 => separators += 1,
            _ => return false,
        }
    }
    digits > 0 && separators <= 1 && !matches!(text.last(), Some(b'.' | b','))
}

/// Pushes a cell that comes from the input or from messages, neutralised
/// the way OWASP recommends for CSV injection when a spreadsheet would take
/// it for a formula: a `'` in front, which spreadsheets show as text.
fn push_text_field(out: &mut csv::ByteRecord, cell: &[u8], scratch: &mut Vec<u8>) {
    if is_formula_like(cell) {
        scratch.clear();
        scratch.push(b'\'');
        scratch.extend_from_slice(cell);
        out.push_field(scratch);
    } else {
        out.push_field(cell);
    }
}

/// Writes rows as CSV.
///
/// Cells copied from the input (kept columns and their headers) and the
/// messages are neutralised against CSV injection ([`is_formula_like`]);
/// JSON Lines stays raw.
pub struct CsvSink<W: Write> {
    writer: csv::Writer<W>,
    with_answers: bool,
    buffer: Vec<u8>,
    text: String,
    record: csv::ByteRecord,
    care: Option<Care>,
}

impl<W: Write> CsvSink<W> {
    /// A CSV writer with this delimiter; `with_answers` adds each item's points.
    pub fn new(out: W, delimiter: u8, with_answers: bool) -> Self {
        CsvSink {
            writer: csv::WriterBuilder::new()
                .delimiter(delimiter)
                .buffer_capacity(1 << 16)
                .from_writer(out),
            with_answers,
            buffer: Vec::with_capacity(64),
            text: String::with_capacity(256),
            record: csv::ByteRecord::with_capacity(256, 64),
            care: None,
        }
    }

    /// Adds a stepped-care recommendation to every row ([`CARE_COLUMNS`] before `errors`).
    pub fn with_care(mut self, care: Care) -> Self {
        self.care = Some(care);
        self
    }

    /// The recommendation state, with its counts, when rules are applied.
    pub fn care(&self) -> Option<&Care> {
        self.care.as_ref()
    }

    /// The header of a CSV output for this layout.
    pub fn header(layout: &Layout<'_>, with_answers: bool) -> Vec<String> {
        let mut header = vec!["row".to_owned()];
        header.extend(layout.columns.keep.iter().map(|(name, _)| {
            if is_formula_like(name.as_bytes()) {
                format!("'{name}")
            } else {
                name.clone()
            }
        }));
        header.push("status".to_owned());
        for (slot, instrument) in layout.instruments.iter().enumerate() {
            if with_answers {
                for item in &instrument.items {
                    header.push(format!("{}.{}", instrument.id, item.id));
                }
            }
            if instrument.age_banding.is_some() {
                for field in AGE_COLUMNS {
                    header.push(format!("{}.{field}", instrument.id));
                }
            }
            for (index, scale) in instrument.scales.iter().enumerate() {
                header.push(format!("{}.{}", instrument.id, scale.id));
                if !scale.bands.is_empty() {
                    header.push(format!("{}.{}.band", instrument.id, scale.id));
                }
                if layout.stored_column(slot, index).is_some() {
                    header.push(format!("{}.{}.stored", instrument.id, scale.id));
                    header.push(format!("{}.{}.agrees", instrument.id, scale.id));
                }
            }
            if !instrument.flags.is_empty() {
                header.push(format!("{}.flags", instrument.id));
            }
        }
        header.push("errors".to_owned());
        header
    }

    /// Gives back the underlying writer, flushed.
    pub fn into_inner(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|err| io::Error::other(err.to_string()))
    }
}

impl<W: Write> RowSink for CsvSink<W> {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        let mut header = Self::header(layout, self.with_answers);
        if let Some(care) = &mut self.care {
            care.begin(layout)?;
            let errors = header.pop();
            header.extend(CARE_COLUMNS.iter().map(|c| (*c).to_owned()));
            header.extend(errors);
        }
        self.writer.write_record(header)?;
        Ok(())
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        // The row is assembled in one reused record and written with the csv
        // writer's whole-record fast path: this is the batch's hot path.
        let out = &mut self.record;
        out.clear();
        let buf = &mut self.buffer;
        buf.clear();
        push_int(buf, row.number as i64);
        out.push_field(buf);
        for (_, index) in &layout.columns.keep {
            push_text_field(out, row.record.get(*index).unwrap_or(b""), buf);
        }
        out.push_field(row.status.as_str().as_bytes());
        for (slot, instrument) in layout.instruments.iter().enumerate() {
            let result = &row.scores[slot];
            if self.with_answers {
                for (item, answer) in instrument.items.iter().zip(&row.answers[slot]) {
                    buf.clear();
                    if let Answer::Chosen(option) = answer {
                        push_int(buf, i64::from(item.options[usize::from(*option)].points));
                    }
                    out.push_field(buf);
                }
            }
            if let Some(banding) = &instrument.age_banding {
                let interval = result.interval.and_then(|i| banding.intervals.get(i));
                out.push_field(interval.map_or(&b""[..], |i| i.id.as_bytes()));
                let chronological = result.age.map(|a| a.chronological);
                let corrected = result.age.and_then(|a| a.corrected);
                for age in [chronological, corrected] {
                    for part in [age.map(|a| a.months), age.map(|a| a.days)] {
                        buf.clear();
                        if let Some(value) = part {
                            push_int(buf, i64::from(value));
                        }
                        out.push_field(buf);
                    }
                }
            }
            for (index, (scale, scored)) in instrument.scales.iter().zip(&result.scales).enumerate()
            {
                buf.clear();
                if let Some(score) = scored.score {
                    write_score(buf, score);
                }
                out.push_field(buf);
                if !scale.bands.is_empty() {
                    let band = scored
                        .band
                        .map_or(&b""[..], |b| scale.bands[b].id.as_bytes());
                    out.push_field(band);
                }
                if layout.stored_column(slot, index).is_some() {
                    let check = row.stored_check(slot, index).copied().unwrap_or_default();
                    buf.clear();
                    if let Some(value) = check.value {
                        write_score(buf, value);
                    }
                    out.push_field(buf);
                    out.push_field(match check.agrees {
                        Some(true) => b"true",
                        Some(false) => b"false",
                        None => b"",
                    });
                }
            }
            if !instrument.flags.is_empty() {
                buf.clear();
                for (n, &flag) in result.flags.iter().enumerate() {
                    if n > 0 {
                        buf.extend_from_slice(LIST_SEPARATOR.as_bytes());
                    }
                    buf.extend_from_slice(instrument.flags[flag].id.as_bytes());
                }
                out.push_field(buf);
            }
        }
        if let Some(care) = &mut self.care {
            care.evaluate(row);
            care.push_csv(out);
        }
        self.text.clear();
        row.write_messages(layout, "; ", &mut self.text)
            .map_err(io::Error::other)?;
        if let Some(care) = &self.care {
            care.append_reasons(&mut self.text, "; ");
        }
        push_text_field(out, self.text.as_bytes(), &mut self.buffer);
        self.writer.write_byte_record(out)?;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Writes a score: integers plainly, fractions to at most 2 decimals.
fn write_score(buf: &mut Vec<u8>, score: f64) {
    // A cast and a compare tell a whole number without calling `trunc`.
    let whole = score as i64;
    if score.abs() < 1e15 && whole as f64 == score {
        push_int(buf, whole);
    } else {
        buf.extend_from_slice(fmt_score(score).as_bytes());
    }
}

/// Appends an integer in decimal without going through `core::fmt` (this is the hot path).
pub(super) fn push_int(buf: &mut Vec<u8>, value: i64) {
    // Row numbers aside, nearly every number written is a small score.
    if (0..10).contains(&value) {
        buf.push(b'0' + value as u8);
        return;
    }
    if (10..100).contains(&value) {
        buf.extend_from_slice(&[b'0' + (value / 10) as u8, b'0' + (value % 10) as u8]);
        return;
    }
    if value < 0 {
        buf.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut rest = value.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[start..]);
}

/// A score as a JSON number: an integer when it is whole.
pub fn score_json(score: Option<f64>) -> Value {
    match score {
        Some(s) if s.fract() == 0.0 && s.abs() < 1e15 => json!(s as i64),
        Some(s) => json!(s),
        None => Value::Null,
    }
}

/// The JSON object of one row (the JSON Lines contract).
pub fn row_json(layout: &Layout<'_>, row: &ScoredRow<'_>, with_answers: bool) -> Value {
    let mut keep = Map::new();
    for (name, index) in &layout.columns.keep {
        let cell = row.record.get(*index).unwrap_or(b"");
        keep.insert(
            name.clone(),
            Value::String(String::from_utf8_lossy(cell).into_owned()),
        );
    }
    let mut results = Map::new();
    for (slot, instrument) in layout.instruments.iter().enumerate() {
        let result = &row.scores[slot];
        let mut scales = Map::new();
        for (index, (scale, scored)) in instrument.scales.iter().zip(&result.scales).enumerate() {
            let band = scored
                .band
                .map_or(Value::Null, |b| Value::String(scale.bands[b].id.clone()));
            let mut object = json!({"score": score_json(scored.score), "band": band});
            if layout.stored_column(slot, index).is_some() {
                let check = row.stored_check(slot, index).copied().unwrap_or_default();
                object["stored"] = score_json(check.value);
                object["agrees"] = check.agrees.map_or(Value::Null, Value::Bool);
            }
            scales.insert(scale.id.clone(), object);
        }
        let flags: Vec<&str> = result
            .flags
            .iter()
            .map(|&f| instrument.flags[f].id.as_str())
            .collect();
        let mut object = Map::new();
        if with_answers {
            let mut answers = Map::new();
            for (item, answer) in instrument.items.iter().zip(&row.answers[slot]) {
                let value = match answer {
                    Answer::Chosen(option) => json!(item.options[usize::from(*option)].points),
                    _ => Value::Null,
                };
                answers.insert(item.id.clone(), value);
            }
            object.insert("answers".to_owned(), Value::Object(answers));
        }
        if let Some(banding) = &instrument.age_banding {
            let age_json = |age: Option<crate::instrument::age::Age>| {
                age.map_or(Value::Null, |a| json!({"months": a.months, "days": a.days}))
            };
            let interval = result
                .interval
                .and_then(|i| banding.intervals.get(i))
                .map_or(Value::Null, |i| Value::String(i.id.clone()));
            object.insert("interval".to_owned(), interval);
            object.insert(
                "age".to_owned(),
                age_json(result.age.map(|a| a.chronological)),
            );
            object.insert(
                "corrected_age".to_owned(),
                age_json(result.age.and_then(|a| a.corrected)),
            );
        }
        object.insert("scales".to_owned(), Value::Object(scales));
        object.insert("flags".to_owned(), json!(flags));
        results.insert(instrument.id.clone(), Value::Object(object));
    }
    json!({
        "row": row.number,
        "status": row.status.as_str(),
        "keep": keep,
        "results": results,
        "errors": row.messages(layout),
    })
}

/// Writes rows as JSON Lines.
pub struct JsonlSink<W: Write> {
    out: io::BufWriter<W>,
    with_answers: bool,
    care: Option<Care>,
}

impl<W: Write> JsonlSink<W> {
    /// A JSON Lines writer; `with_answers` adds each item's points.
    pub fn new(out: W, with_answers: bool) -> Self {
        JsonlSink {
            out: io::BufWriter::with_capacity(1 << 16, out),
            with_answers,
            care: None,
        }
    }

    /// Adds a stepped-care recommendation (`"care"`) to every row.
    pub fn with_care(mut self, care: Care) -> Self {
        self.care = Some(care);
        self
    }

    /// The recommendation state, with its counts, when rules are applied.
    pub fn care(&self) -> Option<&Care> {
        self.care.as_ref()
    }

    /// Gives back the underlying writer, flushed.
    pub fn into_inner(self) -> io::Result<W> {
        self.out.into_inner().map_err(|err| err.into_error())
    }
}

impl<W: Write> RowSink for JsonlSink<W> {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        match &mut self.care {
            Some(care) => care.begin(layout),
            None => Ok(()),
        }
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        let mut object = row_json(layout, row, self.with_answers);
        if let Some(care) = &mut self.care {
            care.evaluate(row);
            if let Value::Object(map) = &mut object {
                let errors = map.remove("errors");
                map.insert("care".to_owned(), care.json());
                let mut errors = match errors {
                    Some(Value::Array(list)) => list,
                    _ => Vec::new(),
                };
                errors.extend(care.reasons().into_iter().map(Value::String));
                map.insert("errors".to_owned(), Value::Array(errors));
            }
        }
        serde_json::to_writer(&mut self.out, &object)?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::{is_formula_like, push_int};

    #[test]
    fn formulas_are_told_from_numbers() {
        for formula in [
            &b"=HYPERLINK(\"http://x\")"[..],
            b"@SUM(A1)",
            b"+cmd|' /C calc'!A0",
            b"-2+3",
            b"\tx",
            b"\rx",
            b"=1",
            b"-",
            b"+",
            b"-1.",
        ] {
            assert!(
                is_formula_like(formula),
                "{:?}",
                String::from_utf8_lossy(formula)
            );
        }
        for plain in [
            &b"-1"[..],
            b"+2",
            b"-1.5",
            b"-0,5",
            b"12",
            b"A01",
            b"",
            b"a=b",
        ] {
            assert!(
                !is_formula_like(plain),
                "{:?}",
                String::from_utf8_lossy(plain)
            );
        }
    }

    #[test]
    fn integers_are_written_like_display() {
        for value in [
            0i64,
            7,
            9,
            -7,
            10,
            42,
            99,
            100,
            1234567890,
            i64::MIN,
            i64::MAX,
        ] {
            let mut buf = Vec::new();
            push_int(&mut buf, value);
            assert_eq!(String::from_utf8(buf).unwrap(), value.to_string());
        }
    }

    #[test]
    fn scores_are_written_whole_or_to_two_decimals() {
        for (score, text) in [(0.0, "0"), (14.0, "14"), (-3.0, "-3"), (12.5, "12.5")] {
            let mut buf = Vec::new();
            super::write_score(&mut buf, score);
            assert_eq!(String::from_utf8(buf).unwrap(), text);
        }
    }
}
