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
use crate::instrument::{Instrument, fmt_score};
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
fn push_text_field(out: &mut CsvRows, cell: &[u8]) {
    if is_formula_like(cell) {
        out.push_with(|line| {
            line.push(b'\'');
            line.extend_from_slice(cell);
        });
    } else {
        out.push_field(cell);
    }
}

/// CSV lines assembled field by field straight into the output buffer,
/// quoted exactly as the `csv` crate's writer quotes them by default: a
/// field holding the delimiter, a quote, CR or LF is put in quotes with its
/// quotes doubled, a line holding one empty field is written `""`, and
/// lines end with LF.
///
/// Numbers are written in place, with no record in between and no scan
/// beyond their own few bytes: this is the batch's hot path.
#[derive(Debug)]
pub struct CsvRows {
    /// Whole lines not yet handed to the writer, then the line being assembled.
    out: Vec<u8>,
    /// Where the line being assembled starts in `out`.
    line_start: usize,
    /// Fields in the line being assembled.
    fields: usize,
    delimiter: u8,
}

/// Bytes gathered before they are handed to the underlying writer.
const OUT_BUFFER: usize = 1 << 16;

impl CsvRows {
    /// An empty buffer for lines with this delimiter.
    pub fn new(delimiter: u8) -> CsvRows {
        CsvRows {
            out: Vec::with_capacity(OUT_BUFFER + 4096),
            line_start: 0,
            fields: 0,
            delimiter,
        }
    }

    /// Adds a field to the line being assembled.
    pub fn push_field(&mut self, field: &[u8]) {
        self.push_with(|line| line.extend_from_slice(field));
    }

    /// Adds a field that `write` appends to the line, quoted afterwards if it needs it.
    pub fn push_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        if self.fields > 0 {
            self.out.push(self.delimiter);
        }
        self.fields += 1;
        let start = self.out.len();
        write(&mut self.out);
        let delimiter = self.delimiter;
        let special = |b: &u8| matches!(*b, b'"' | b'\r' | b'\n') || *b == delimiter;
        if self.out[start..].iter().any(special) {
            let raw = self.out.split_off(start);
            self.out.push(b'"');
            for &byte in &raw {
                if byte == b'"' {
                    self.out.push(b'"');
                }
                self.out.push(byte);
            }
            self.out.push(b'"');
        }
    }

    /// Ends the line being assembled; true when enough lines are gathered
    /// to hand them to the writer.
    pub fn end_line(&mut self) -> bool {
        if self.fields == 1 && self.out.len() == self.line_start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.push(b'\n');
        self.line_start = self.out.len();
        self.fields = 0;
        self.out.len() >= OUT_BUFFER
    }

    /// Hands every whole line to `writer`.
    pub fn write_to(&mut self, writer: &mut impl Write) -> io::Result<()> {
        let whole = self.line_start;
        writer.write_all(&self.out[..whole])?;
        self.out.drain(..whole);
        self.line_start = 0;
        Ok(())
    }
}

/// Writes rows as CSV.
///
/// Cells copied from the input (kept columns and their headers) and the
/// messages are neutralised against CSV injection ([`is_formula_like`]);
/// JSON Lines stays raw.
pub struct CsvSink<W: Write> {
    /// Where the lines go (taken by [`CsvSink::into_inner`]).
    writer: Option<W>,
    with_answers: bool,
    text: String,
    rows: CsvRows,
    care: Option<Care>,
}

impl<W: Write> CsvSink<W> {
    /// A CSV writer with this delimiter; `with_answers` adds each item's points.
    pub fn new(out: W, delimiter: u8, with_answers: bool) -> Self {
        CsvSink {
            writer: Some(out),
            with_answers,
            text: String::with_capacity(256),
            rows: CsvRows::new(delimiter),
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
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.writer.take().expect("the writer is only taken here"))
    }

    /// Hands every whole line to the writer and flushes it.
    fn flush(&mut self) -> io::Result<()> {
        if let Some(writer) = &mut self.writer {
            self.rows.write_to(writer)?;
            writer.flush()?;
        }
        Ok(())
    }

    /// Hands the lines gathered to the writer once there are enough of them.
    fn end_line(&mut self) -> io::Result<()> {
        if self.rows.end_line()
            && let Some(writer) = &mut self.writer
        {
            self.rows.write_to(writer)?;
        }
        Ok(())
    }
}

impl<W: Write> Drop for CsvSink<W> {
    /// Like the `csv` crate's writer, hands what is gathered to the writer
    /// even when the sink is dropped without [`RowSink::finish`].
    fn drop(&mut self) {
        let _ = self.flush();
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
        for field in &header {
            self.rows.push_field(field.as_bytes());
        }
        self.end_line()
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        let out = &mut self.rows;
        out.push_with(|line| push_int(line, row.number as i64));
        for (_, index) in &layout.columns.keep {
            push_text_field(out, row.record.get(*index).unwrap_or(b""));
        }
        out.push_field(row.status.as_str().as_bytes());
        for (slot, instrument) in layout.instruments.iter().enumerate() {
            push_instrument(out, layout, row, slot, instrument, self.with_answers);
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
        push_text_field(out, self.text.as_bytes());
        self.end_line()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.flush()
    }
}

/// Pushes one instrument's fields of a row: answers when asked for, the age
/// columns of an age-banded instrument, then per scale its score, band and
/// stored value, then its flags.
fn push_instrument(
    out: &mut CsvRows,
    layout: &Layout<'_>,
    row: &ScoredRow<'_>,
    slot: usize,
    instrument: &Instrument,
    with_answers: bool,
) {
    let result = &row.scores[slot];
    if with_answers {
        for (item, answer) in instrument.items.iter().zip(&row.answers[slot]) {
            out.push_with(|line| {
                if let Answer::Chosen(option) = answer {
                    push_int(line, i64::from(item.options[usize::from(*option)].points));
                }
            });
        }
    }
    if let Some(banding) = &instrument.age_banding {
        let interval = result.interval.and_then(|i| banding.intervals.get(i));
        out.push_field(interval.map_or(&b""[..], |i| i.id.as_bytes()));
        let chronological = result.age.map(|a| a.chronological);
        let corrected = result.age.and_then(|a| a.corrected);
        for age in [chronological, corrected] {
            for part in [age.map(|a| a.months), age.map(|a| a.days)] {
                out.push_with(|line| {
                    if let Some(value) = part {
                        push_int(line, i64::from(value));
                    }
                });
            }
        }
    }
    for (index, (scale, scored)) in instrument.scales.iter().zip(&result.scales).enumerate() {
        out.push_with(|line| {
            if let Some(score) = scored.score {
                write_score(line, score);
            }
        });
        if !scale.bands.is_empty() {
            let band = scored
                .band
                .map_or(&b""[..], |b| scale.bands[b].id.as_bytes());
            out.push_field(band);
        }
        if layout.stored_column(slot, index).is_some() {
            let check = row.stored_check(slot, index).copied().unwrap_or_default();
            out.push_with(|line| {
                if let Some(value) = check.value {
                    write_score(line, value);
                }
            });
            out.push_field(match check.agrees {
                Some(true) => b"true",
                Some(false) => b"false",
                None => b"",
            });
        }
    }
    if !instrument.flags.is_empty() {
        out.push_with(|line| {
            for (n, &flag) in result.flags.iter().enumerate() {
                if n > 0 {
                    line.extend_from_slice(LIST_SEPARATOR.as_bytes());
                }
                line.extend_from_slice(instrument.flags[flag].id.as_bytes());
            }
        });
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
    use super::{CsvRows, is_formula_like, push_int};
    use proptest::prelude::*;

    proptest! {
        /// Lines assembled field by field are byte for byte what the `csv`
        /// crate's default writer makes of the same records (quotes, line
        /// ends, delimiters and empty fields included).
        #[test]
        fn lines_are_written_as_the_csv_writer_writes_them(
            records in proptest::collection::vec(
                proptest::collection::vec("[a1;,\"\r\n ]{0,4}", 1..5),
                1..6,
            ),
            delimiter in proptest::sample::select(vec![b',', b';', b'\t', b'1']),
        ) {
            let mut expected = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .flexible(true)
                .from_writer(Vec::new());
            let mut rows = CsvRows::new(delimiter);
            let mut written = Vec::new();
            for record in &records {
                expected.write_record(record).unwrap();
                for field in record {
                    rows.push_field(field.as_bytes());
                }
                rows.end_line();
                rows.write_to(&mut written).unwrap();
            }
            let expected = expected.into_inner().unwrap();
            prop_assert_eq!(String::from_utf8(written).unwrap(), String::from_utf8(expected).unwrap());
        }
    }

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
