//! Batch scoring of exported data: one output row for every input row.
//!
//! The input is streamed: one reused record, per-item cell readers built once
//! from the header, and no allocation per row on the scoring path, so memory
//! does not grow with the input. Every data row yields exactly one
//! [`ScoredRow`], in input order, with status `ok`, `incomplete` or `invalid`
//! and the reasons.

pub mod ages;
pub mod care;
mod columns;
pub mod input;
pub mod output;
mod pipeline;
pub mod stored;
mod values;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::Arc;

pub use columns::{ColumnError, ColumnPlan, MissingColumn, plan_columns};
pub use input::Encoding;
pub use values::CellReader;

use crate::instrument::{Instrument, ValueKind};
use crate::scoring::{Answer, Context, InstrumentScore, Scorer, Status};
use crate::sheet::SheetOrigin;

/// How a batch is read and scored.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// What the item cells hold.
    pub values: ValueKind,
    /// Input columns copied to the output.
    pub keep: Vec<String>,
    /// Explicit header → `instrument.item` names.
    pub map: BTreeMap<String, String>,
    /// Cell values that mean "not answered" besides a blank (for example `NA`).
    pub missing_codes: Vec<String>,
    /// The field delimiter; detected from the header when `None`.
    pub delimiter: Option<u8>,
    /// The input's text encoding.
    pub encoding: Encoding,
    /// Stop at the first invalid row.
    pub strict: bool,
    /// Extra wording per (instrument, item, option) accepted in label mode.
    pub extra_labels: Vec<(String, String, usize, String)>,
    /// A column whose text, when not blank, makes the row invalid with that
    /// text as the reason (how a reader of another format, such as FHIR
    /// responses, reports a record it could not turn into cells).
    pub issue_column: Option<String>,
    /// The worksheet the input was read from, so messages name cells (`Sheet1!C17`).
    pub origin: Option<SheetOrigin>,
}

/// What a batch is scoring, known once the header has been read.
#[derive(Debug, Clone)]
pub struct Layout<'a> {
    /// The instruments, in the order chosen.
    pub instruments: Vec<&'a Instrument>,
    /// The input's header.
    pub headers: Vec<String>,
    /// Where items and kept columns are.
    pub columns: ColumnPlan,
    /// The delimiter found or given.
    pub delimiter: u8,
    /// What the item cells hold.
    pub values: ValueKind,
    /// Per instrument and scale, the column holding a stored value of the scale, if any.
    pub stored: Vec<Vec<Option<usize>>>,
    /// The worksheet the input was read from, if it was a workbook.
    pub origin: Option<SheetOrigin>,
}

impl Layout<'_> {
    /// The column of the stored value of a scale, if the input has one.
    pub fn stored_column(&self, slot: usize, scale: usize) -> Option<usize> {
        self.stored.get(slot)?.get(scale).copied().flatten()
    }
}

/// One scored input row.
#[derive(Debug)]
pub struct ScoredRow<'a> {
    /// Data row number, from 1 (the header is not counted).
    pub number: u64,
    /// ok, incomplete or invalid.
    pub status: Status,
    /// The raw input record, for kept columns.
    pub record: &'a csv::ByteRecord,
    /// One result per instrument.
    pub scores: &'a [InstrumentScore],
    /// The answers read, per instrument and item.
    pub answers: &'a [Vec<Answer>],
    /// Why the row is incomplete or invalid.
    pub issues: &'a [RowIssue],
    /// Per instrument and scale, the stored value and its agreement (empty
    /// for an instrument without stored values).
    pub stored: &'a [Vec<stored::StoredCheck>],
}

impl ScoredRow<'_> {
    /// The stored-value check of a scale, when the input has a stored value for it.
    pub fn stored_check(&self, slot: usize, scale: usize) -> Option<&stored::StoredCheck> {
        self.stored.get(slot)?.get(scale)
    }
}

impl ScoredRow<'_> {
    /// Every issue as a phrase for people, in order.
    pub fn messages(&self, layout: &Layout<'_>) -> Vec<String> {
        self.issues
            .iter()
            .map(|issue| {
                let mut text = String::new();
                // Writing into a String cannot fail.
                let _ = issue.write(layout, self, &mut text);
                text
            })
            .collect()
    }

    /// Every issue joined with `separator`, written into `out`.
    pub fn write_messages(
        &self,
        layout: &Layout<'_>,
        separator: &str,
        out: &mut dyn std::fmt::Write,
    ) -> std::fmt::Result {
        for (n, issue) in self.issues.iter().enumerate() {
            if n > 0 {
                out.write_str(separator)?;
            }
            issue.write(layout, self, out)?;
        }
        Ok(())
    }
}

/// Why a row is incomplete or invalid.
///
/// Kept as data and rendered only when written, so that scoring a row
/// allocates nothing even when answers are missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowIssue {
    /// The row's field count differs from the header's.
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A cell that is not an answer to its item.
    InvalidCell {
        /// Index of the instrument in the run.
        instrument: usize,
        /// Index of the item.
        item: usize,
        /// Index of the column.
        column: usize,
    },
    /// A scale left without a score by its missing-data policy.
    Unscored {
        /// Index of the instrument in the run.
        instrument: usize,
        /// Index of the scale.
        scale: usize,
    },
    /// Any other reason, already in words.
    Other(String),
}

impl RowIssue {
    /// Writes the issue as a phrase: "column `EPDS3`: `4` is not an answer to epds.q3 (points 3, 2, 1, 0)".
    pub fn write(
        &self,
        layout: &Layout<'_>,
        row: &ScoredRow<'_>,
        out: &mut dyn std::fmt::Write,
    ) -> std::fmt::Result {
        match self {
            RowIssue::FieldCount { found, expected } => write!(
                out,
                "the row has {found} fields but the header has {expected}"
            ),
            RowIssue::InvalidCell {
                instrument,
                item,
                column,
            } => {
                let instrument = layout.instruments[*instrument];
                let cell = String::from_utf8_lossy(row.record.get(*column).unwrap_or(b""));
                if let Some(origin) = &layout.origin {
                    write!(out, "{} ", origin.cell(row.number, *column))?;
                }
                write!(
                    out,
                    "column `{}`: `{}` is not an answer to {}.{} ({})",
                    columns::visible(&layout.headers[*column]),
                    columns::visible(cell.trim_matches(' ')),
                    instrument.id,
                    instrument.items[*item].id,
                    expected_values(&instrument.items[*item], layout.values)
                )
            }
            RowIssue::Unscored { instrument, scale } => {
                let slot = *instrument;
                let instrument = layout.instruments[slot];
                let definition = &row.scores[slot].scales_of(instrument)[*scale];
                write!(out, "{}.{}: ", instrument.id, definition.id)?;
                row.scores[slot].scales[*scale].write_reason(definition, out)
            }
            RowIssue::Other(text) => out.write_str(text),
        }
    }
}

/// Receives scored rows, in input order.
pub trait RowSink {
    /// Called once, before any row.
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()>;
    /// Called for every input row.
    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()>;
    /// Called after the last row.
    fn finish(&mut self) -> io::Result<()>;
}

/// Counts of a finished batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Data rows read.
    pub rows: u64,
    /// Rows where every scale has a score.
    pub ok: u64,
    /// Rows with a scale left unscored for missing answers.
    pub incomplete: u64,
    /// Rows with an invalid value.
    pub invalid: u64,
    /// Rows that hold none of the chosen forms (REDCap rows of another instrument or event).
    pub not_applicable: u64,
    /// Rows with at least one flag raised.
    pub flagged: u64,
    /// Rows with at least one urgent flag raised, or unknown (its item left
    /// unanswered or invalid on a form that was given: ask it today).
    pub urgent: u64,
    /// Empty lines, skipped (they are not rows, but they are counted).
    pub blank_lines: u64,
    /// Of those, rows where an urgent flag is unknown and none is raised.
    pub unanswered_critical: u64,
    /// Comparisons of stored values, one per scale that has them.
    pub stored: Vec<stored::StoredTally>,
}

/// Why a batch could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The header does not provide what is needed.
    #[error(transparent)]
    Columns(#[from] ColumnError),
    /// The input has no header line.
    #[error("the input is empty: expected a header line naming the columns")]
    Empty,
    /// The input is not valid UTF-8.
    #[error(
        "line {line}{}: the text is not UTF-8; the file was probably saved by Excel as Windows-1252: run again with --encoding windows-1252",
        .column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default()
    )]
    NotUtf8 {
        /// 1-based line in the file.
        line: u64,
        /// The column, when known.
        column: Option<String>,
    },
    /// A quoted field that is never closed: the parser would read every
    /// later line into one cell.
    #[error(
        "line {line}: a quoted field opens here (with `\"`) and is never closed, so every later line would be read as part of one cell; nothing was scored: close the quote or remove it"
    )]
    UnterminatedQuote {
        /// 1-based line where the quote opens.
        line: u64,
    },
    /// UTF-16 text without a byte-order mark.
    #[error(
        "the input looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or as UTF-16 with a byte-order mark, which is read as is)"
    )]
    Utf16WithoutBom,
    /// A "not answered" code that is an answer to a chosen item.
    #[error(
        "--na {code}: `{code}` is an answer to {item} ({values}), so it cannot also mean \"not answered\"; give a code no chosen item accepts (a blank cell is always \"not answered\")"
    )]
    MissingCodeIsAnswer {
        /// The code as given.
        code: String,
        /// `instrument.item`.
        item: String,
        /// What the item accepts.
        values: String,
    },
    /// `--strict` and an invalid row.
    #[error("row {row} (line {line}) is invalid: {reason} (stopped because of --strict)")]
    Strict {
        /// Data row number.
        row: u64,
        /// Line in the file.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The CSV could not be parsed.
    #[error("cannot parse the input: {0}")]
    Csv(#[from] csv::Error),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl BatchError {
    /// Whether the error is about the options given (exit 2) rather than the data.
    pub fn is_usage(&self) -> bool {
        match self {
            BatchError::MissingCodeIsAnswer { .. } => true,
            // A sink refuses a `--set` that would override a column of the input.
            BatchError::Io(err) => err
                .get_ref()
                .is_some_and(|inner| inner.is::<care::SetOverridesColumn>()),
            _ => false,
        }
    }
}

/// Refuses a "not answered" code that some chosen item accepts as an answer:
/// every such cell would silently become a missing answer.
fn check_missing_codes(
    instruments: &[&Instrument],
    options: &BatchOptions,
    readers: &[Vec<CellReader>],
) -> Result<(), BatchError> {
    for code in &options.missing_codes {
        for (instrument, readers) in instruments.iter().zip(readers) {
            for (item, reader) in instrument.items.iter().zip(readers) {
                if matches!(reader.read(code.trim().as_bytes(), &[]), Answer::Chosen(_)) {
                    return Err(BatchError::MissingCodeIsAnswer {
                        code: code.clone(),
                        item: format!("{}.{}", instrument.id, item.id),
                        values: expected_values(item, options.values),
                    });
                }
            }
        }
    }
    Ok(())
}

/// One row's answers and scores, per instrument; reused from row to row.
struct RowWork {
    answers: Vec<Vec<Answer>>,
    scores: Vec<InstrumentScore>,
}

/// Scores every row of `input` and hands the rows to `sink`.
pub fn score_stream<R: Read + Send>(
    input: R,
    instruments: &[&Instrument],
    options: &BatchOptions,
    sink: &mut dyn RowSink,
) -> Result<Summary, BatchError> {
    // A UTF-16 byte-order mark decides the encoding whatever was asked: such
    // a file is never valid UTF-8 or Windows-1252 text.
    let mut raw = io::BufReader::with_capacity(1 << 12, input);
    let head = io::BufRead::fill_buf(&mut raw)?;
    if let Some(order) = input::utf16_bom(head) {
        return score_decoded(
            input::Utf16Decoder::new(raw, order),
            instruments,
            options,
            sink,
            false,
        );
    }
    if input::looks_like_bare_utf16(head) {
        return Err(BatchError::Utf16WithoutBom);
    }
    match options.encoding {
        Encoding::Utf8 => score_decoded(raw, instruments, options, sink, true),
        Encoding::Windows1252 => score_decoded(
            input::Windows1252::new(raw),
            instruments,
            options,
            sink,
            false,
        ),
    }
}

fn score_decoded<R: Read + Send>(
    input: R,
    instruments: &[&Instrument],
    options: &BatchOptions,
    sink: &mut dyn RowSink,
    check_utf8: bool,
) -> Result<Summary, BatchError> {
    let mut buffered = input::peekable(input);
    let (head, complete) = input::peek(&mut buffered)?;
    if head.is_empty() {
        return Err(BatchError::Empty);
    }
    if check_utf8 && let Some((line, _)) = input::first_invalid_utf8(head, complete) {
        return Err(BatchError::NotUtf8 {
            line: line as u64,
            column: None,
        });
    }
    // A worksheet arrives as comma-separated text (see `crate::sheet`).
    let delimiter = match options.origin {
        Some(_) => b',',
        None => options
            .delimiter
            .unwrap_or_else(|| input::sniff_delimiter(head)),
    };
    let structure = Arc::new(input::Structure::default());
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .buffer_capacity(1 << 16)
        .from_reader(input::QuoteTracker::new(
            buffered,
            delimiter,
            structure.clone(),
        ));
    let headers: Vec<String> = reader
        .byte_headers()?
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(BatchError::Empty);
    }
    let columns = plan_columns(&headers, instruments, &options.keep, &options.map);
    let (age_columns, age_missing) = ages::plan_age_columns(&headers, instruments, &options.map)?;
    let columns = match columns {
        Ok(plan) if age_missing.is_empty() => plan,
        Ok(_) => {
            return Err(ColumnError::Missing {
                missing: age_missing,
            }
            .into());
        }
        Err(ColumnError::Missing { mut missing }) => {
            missing.extend(age_missing);
            return Err(ColumnError::Missing { missing }.into());
        }
        Err(other) => return Err(other.into()),
    };
    let readers: Vec<Vec<CellReader>> = instruments
        .iter()
        .map(|instrument| {
            instrument
                .items
                .iter()
                .map(|item| {
                    let extra: Vec<(usize, String)> = options
                        .extra_labels
                        .iter()
                        .filter(|(i, it, _, _)| *i == instrument.id && *it == item.id)
                        .map(|(_, _, option, text)| (*option, text.clone()))
                        .collect();
                    CellReader::new(item, options.values, &extra)
                })
                .collect()
        })
        .collect();
    check_missing_codes(instruments, options, &readers)?;
    let missing_codes: Vec<Vec<u8>> = options
        .missing_codes
        .iter()
        .map(|c| c.trim().as_bytes().to_vec())
        .collect();
    let stored_plan = stored::plan(&headers, instruments, &options.map);
    let redcap = crate::interop::redcap::ExportPlan::new(&headers, instruments);
    let issue_column = options
        .issue_column
        .as_ref()
        .and_then(|name| headers.iter().position(|h| h == name));
    let layout = Layout {
        instruments: instruments.to_vec(),
        headers,
        columns,
        delimiter,
        values: options.values,
        stored: stored_plan,
        origin: options.origin.clone(),
    };
    sink.begin(&layout)?;

    let width = layout.headers.len();
    let scorers: Vec<Scorer<'_>> = instruments.iter().map(|i| Scorer::new(i)).collect();
    let has_concerns: Vec<bool> = instruments
        .iter()
        .map(|i| i.concerns.iter().any(Option::is_some))
        .collect();
    let mut concerns: Vec<Vec<bool>> = instruments
        .iter()
        .map(|i| vec![false; i.items.len()])
        .collect();
    let mut issues: Vec<RowIssue> = Vec::new();
    let mut summary = Summary::default();
    // Stored values: one check per scale of an instrument that has any.
    let mut stored_checks: Vec<Vec<stored::StoredCheck>> = layout
        .stored
        .iter()
        .map(|scales| {
            if scales.iter().any(Option::is_some) {
                vec![stored::StoredCheck::default(); scales.len()]
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut applicable = vec![true; instruments.len()];
    let mut tallies: Vec<(usize, usize, stored::StoredTally)> = Vec::new();
    for (slot, scales) in layout.stored.iter().enumerate() {
        for (scale, column) in scales.iter().enumerate() {
            if column.is_some() {
                tallies.push((
                    slot,
                    scale,
                    stored::StoredTally {
                        scale: format!(
                            "{}.{}",
                            instruments[slot].id, instruments[slot].scales[scale].id
                        ),
                        ..Default::default()
                    },
                ));
            }
        }
    }
    // Instruments with neither age bands nor concern boxes read every item
    // from its column whatever the row says, so they are read and scored on
    // the reading thread, next to the parsing (see `pipeline`); the other
    // instruments, and everything about the row as a whole, are done here.
    let plain: Vec<bool> = instruments
        .iter()
        .zip(&has_concerns)
        .map(|(i, concerns)| i.age_banding.is_none() && !concerns)
        .collect();
    let new_row = || RowWork {
        answers: instruments
            .iter()
            .map(|i| vec![Answer::Missing; i.items.len()])
            .collect(),
        scores: vec![InstrumentScore::default(); instruments.len()],
    };
    let prepare = |record: &csv::ByteRecord, row: &mut RowWork| {
        for (slot, reader_list) in readers.iter().enumerate() {
            if !plain[slot] {
                continue;
            }
            let columns = &layout.columns.items[slot];
            let answers = &mut row.answers[slot];
            for (item, reader) in reader_list.iter().enumerate() {
                answers[item] =
                    reader.read(record.get(columns[item]).unwrap_or(b""), &missing_codes);
            }
            scorers[slot].score_into(answers, Context::default(), &mut row.scores[slot]);
        }
    };
    let mut each = |record: &csv::ByteRecord, work: &mut RowWork| -> Result<(), BatchError> {
        let RowWork { answers, scores } = work;
        summary.rows += 1;
        issues.clear();
        let mut status = Status::Ok;
        if record.len() != width {
            issues.push(RowIssue::FieldCount {
                found: record.len(),
                expected: width,
            });
            status = Status::Invalid;
        }
        // A record the input's reader could not turn into cells: its reason
        // alone explains the row (no "items missing" for every scale).
        let mut record_problem = false;
        if let Some(column) = issue_column {
            let cell = record.get(column).unwrap_or(b"");
            if !cell.is_empty() {
                record_problem = true;
                issues.push(RowIssue::Other(String::from_utf8_lossy(cell).into_owned()));
                status = Status::Invalid;
            }
        }
        let mut not_applicable = 0;
        applicable.fill(true);
        for (slot, instrument) in instruments.iter().enumerate() {
            let item_columns = &layout.columns.items[slot];
            // A REDCap row of another instrument or event: accounted for as not applicable.
            if redcap
                .as_ref()
                .is_some_and(|plan| plan.not_applicable(slot, record, item_columns))
            {
                not_applicable += 1;
                applicable[slot] = false;
                if !plain[slot] {
                    // Scores are reused from row to row: never leave another row's behind.
                    answers[slot].fill(Answer::Missing);
                    scorers[slot].score_into(&answers[slot], Context::default(), &mut scores[slot]);
                }
                continue;
            }
            // An age-banded instrument: the age chooses the interval, whose
            // items alone are read.
            let (interval, age) = match &instrument.age_banding {
                None => (None, None),
                Some(banding) => {
                    match ages::row_interval(
                        record,
                        &layout.headers,
                        instrument,
                        banding,
                        &age_columns[slot],
                    ) {
                        Ok((interval, age)) => (Some(interval), Some(age)),
                        Err((age, message)) => {
                            issues.push(RowIssue::Other(message));
                            status = Status::Invalid;
                            (None, age)
                        }
                    }
                }
            };
            let asked = instrument
                .age_banding
                .as_ref()
                .map(|b| interval.map_or(&[][..], |i| &b.intervals[i].items[..]));
            if plain[slot] {
                for (item, &answer) in answers[slot].iter().enumerate() {
                    if answer == Answer::Invalid {
                        issues.push(RowIssue::InvalidCell {
                            instrument: slot,
                            item,
                            column: item_columns[item],
                        });
                    }
                }
            } else {
                for (item, reader) in readers[slot].iter().enumerate() {
                    concerns[slot][item] = false;
                    // A column the row's questionnaire needs but the input lacks.
                    let mut absent = false;
                    if let Some(asked) = asked {
                        if !asked.contains(&item) {
                            answers[slot][item] = Answer::Missing;
                            continue;
                        }
                        if item_columns[item] == usize::MAX {
                            issues.push(RowIssue::Other(format!(
                            "{}: the questionnaire for this age ({}) asks {}, but the input has no column for it",
                            instrument.id,
                            interval.map_or("", |i| {
                                instrument.age_banding.as_ref().map_or("", |b| b.intervals[i].id.as_str())
                            }),
                            instrument.items[item].id
                        )));
                            status = Status::Invalid;
                            absent = true;
                        }
                    }
                    if instrument.concerns[item].is_some() {
                        match age_columns[slot].concerns[item] {
                            Some(column) => {
                                let cell = record.get(column).unwrap_or(b"");
                                match ages::read_concern(cell, &missing_codes) {
                                    Some(ticked) => concerns[slot][item] = ticked,
                                    None => {
                                        issues.push(RowIssue::Other(format!(
                                        "column `{}`: `{}` is not a concern mark (yes/no, 1/0, x or blank)",
                                        columns::visible(&layout.headers[column]),
                                        columns::visible(String::from_utf8_lossy(cell).trim_matches(' '))
                                    )));
                                        status = Status::Invalid;
                                    }
                                }
                            }
                            None if asked.is_some() => {
                                issues.push(RowIssue::Other(format!(
                                "{}: the input has no concern column for {} (such as {}.{}.concern)",
                                instrument.id,
                                instrument.items[item].id,
                                instrument.id,
                                instrument.items[item].id
                            )));
                                status = Status::Invalid;
                                absent = true;
                            }
                            None => {}
                        }
                    }
                    let cell = record.get(item_columns[item]).unwrap_or(b"");
                    let answer = reader.read(cell, &missing_codes);
                    if absent {
                        // Never scored without the column: the total would be too low.
                        answers[slot][item] = Answer::Invalid;
                        continue;
                    }
                    if answer == Answer::Invalid {
                        issues.push(RowIssue::InvalidCell {
                            instrument: slot,
                            item,
                            column: item_columns[item],
                        });
                    }
                    answers[slot][item] = answer;
                }
                let context = Context {
                    concerns: &concerns[slot],
                    interval,
                    age,
                };
                scorers[slot].score_into(&answers[slot], context, &mut scores[slot]);
            }
            let instrument_status = scores[slot].status();
            let scored = instrument.age_banding.is_none() || interval.is_some();
            if instrument_status == Status::Incomplete && scored && !record_problem {
                for (scale, result) in scores[slot].scales.iter().enumerate() {
                    if result.score.is_none() && result.invalid == 0 {
                        issues.push(RowIssue::Unscored {
                            instrument: slot,
                            scale,
                        });
                    }
                }
            }
            status = status.max(instrument_status);
        }
        if not_applicable > 0 && not_applicable == instruments.len() && status == Status::Ok {
            status = Status::NotApplicable;
        }
        if check_utf8 {
            for (name, index) in &layout.columns.keep {
                if std::str::from_utf8(record.get(*index).unwrap_or(b"")).is_err() {
                    return Err(BatchError::NotUtf8 {
                        line: record.position().map_or(0, |p| p.line()),
                        column: Some(name.clone()),
                    });
                }
            }
        }
        for (slot, scale, tally) in &mut tallies {
            if !applicable[*slot] {
                stored_checks[*slot][*scale] = stored::StoredCheck::default();
                continue;
            }
            let column = layout.stored[*slot][*scale].unwrap_or(usize::MAX);
            let check = stored::check(
                record.get(column).unwrap_or(b""),
                &instruments[*slot].scales[*scale],
                &scores[*slot].scales[*scale],
                &answers[*slot],
                &instruments[*slot].items,
            );
            tally.add(&check);
            stored_checks[*slot][*scale] = check;
        }
        let row = ScoredRow {
            number: summary.rows,
            status,
            record,
            scores,
            answers,
            issues: &issues,
            stored: &stored_checks,
        };
        if status == Status::Invalid && options.strict {
            return Err(BatchError::Strict {
                row: summary.rows,
                line: match &layout.origin {
                    Some(origin) => origin.sheet_row(summary.rows),
                    None => record.position().map_or(0, |p| p.line()),
                },
                reason: row.messages(&layout).join("; "),
            });
        }
        match status {
            Status::Ok => summary.ok += 1,
            Status::Incomplete => summary.incomplete += 1,
            Status::NotApplicable => summary.not_applicable += 1,
            Status::Invalid => summary.invalid += 1,
        }
        if row.scores.iter().any(|s| !s.flags.is_empty()) {
            summary.flagged += 1;
        }
        let pairs = || row.scores.iter().zip(instruments);
        if pairs().any(|(s, i)| s.has_urgent_flag(i)) {
            summary.urgent += 1;
        } else if pairs().any(|(s, i)| {
            !s.is_blank(i) && (0..i.flags.len()).any(|f| i.flags[f].urgent && s.flag_unknown(i, f))
        }) {
            summary.urgent += 1;
            summary.unanswered_critical += 1;
        }
        sink.row(&layout, &row)?;
        Ok(())
    };
    pipeline::each_record(reader, &new_row, &prepare, &mut each)?;
    if let Some(line) = structure.unterminated_quote() {
        return Err(BatchError::UnterminatedQuote { line });
    }
    summary.blank_lines = structure.blank_lines();
    sink.finish()?;
    summary.stored = tallies.into_iter().map(|(_, _, tally)| tally).collect();
    Ok(summary)
}

/// The values an item accepts, for messages: "points 3, 2, 1, 0".
fn expected_values(item: &crate::instrument::Item, kind: ValueKind) -> String {
    match kind {
        ValueKind::Points => format!(
            "points {}",
            item.options
                .iter()
                .map(|o| o.points.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ValueKind::Position => format!("positions 1-{}", item.options.len()),
        ValueKind::Label => format!(
            "labels such as {}",
            item.options
                .iter()
                .map(|o| format!("\"{}\"", o.label.get(crate::lang::Lang::En)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
