//! Batch scoring of exported data: one output row for every input row.
//!
//! The input is streamed: one reused record, per-item cell readers built once
//! from the header, and no allocation per row on the scoring path, so memory
//! does not grow with the input. Every data row yields exactly one
//! [`ScoredRow`], in input order, with status `ok`, `incomplete` or `invalid`
//! and the reasons.

mod columns;
pub mod input;
pub mod output;
mod values;

use std::collections::BTreeMap;
use std::io::{self, Read};

pub use columns::{ColumnError, ColumnPlan, MissingColumn, plan_columns};
pub use input::Encoding;
pub use values::CellReader;

use crate::instrument::{Instrument, ValueKind};
use crate::scoring::{Answer, InstrumentScore, Status, score_into};

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
    /// Why the row is incomplete or invalid, one phrase each.
    pub errors: &'a [String],
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
    /// Rows with at least one flag raised.
    pub flagged: u64,
    /// Rows with at least one urgent flag raised.
    pub urgent: u64,
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

/// Scores every row of `input` and hands the rows to `sink`.
pub fn score_stream<R: Read>(
    input: R,
    instruments: &[&Instrument],
    options: &BatchOptions,
    sink: &mut dyn RowSink,
) -> Result<Summary, BatchError> {
    match options.encoding {
        Encoding::Utf8 => score_decoded(input, instruments, options, sink, true),
        Encoding::Windows1252 => score_decoded(
            input::Windows1252::new(input),
            instruments,
            options,
            sink,
            false,
        ),
    }
}

fn score_decoded<R: Read>(
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
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| input::sniff_delimiter(head));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .buffer_capacity(1 << 16)
        .from_reader(buffered);
    let headers: Vec<String> = reader
        .byte_headers()?
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(BatchError::Empty);
    }
    let columns = plan_columns(&headers, instruments, &options.keep, &options.map)?;
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
    let missing_codes: Vec<Vec<u8>> = options
        .missing_codes
        .iter()
        .map(|c| c.trim().as_bytes().to_vec())
        .collect();
    let layout = Layout {
        instruments: instruments.to_vec(),
        headers,
        columns,
        delimiter,
    };
    sink.begin(&layout)?;

    let width = layout.headers.len();
    let mut record = csv::ByteRecord::new();
    let mut answers: Vec<Vec<Answer>> = instruments
        .iter()
        .map(|i| vec![Answer::Missing; i.items.len()])
        .collect();
    let mut scores: Vec<InstrumentScore> = vec![InstrumentScore::default(); instruments.len()];
    let mut errors: Vec<String> = Vec::new();
    let mut summary = Summary::default();
    while reader.read_byte_record(&mut record)? {
        summary.rows += 1;
        errors.clear();
        let mut status = Status::Ok;
        if record.len() != width {
            errors.push(format!(
                "the row has {} fields but the header has {width}",
                record.len()
            ));
            status = Status::Invalid;
        }
        for (slot, instrument) in instruments.iter().enumerate() {
            let item_columns = &layout.columns.items[slot];
            for (item, reader) in readers[slot].iter().enumerate() {
                let cell = record.get(item_columns[item]).unwrap_or(b"");
                let answer = reader.read(cell, &missing_codes);
                if answer == Answer::Invalid {
                    errors.push(invalid_cell_message(
                        &layout.headers[item_columns[item]],
                        cell,
                        instrument,
                        item,
                        options.values,
                    ));
                }
                answers[slot][item] = answer;
            }
            score_into(instrument, &answers[slot], &mut scores[slot]);
            let instrument_status = scores[slot].status();
            if instrument_status == Status::Incomplete {
                for (scale, result) in instrument.scales.iter().zip(&scores[slot].scales) {
                    if result.invalid == 0
                        && let Some(reason) = result.reason(scale)
                    {
                        errors.push(format!("{}.{}: {reason}", instrument.id, scale.id));
                    }
                }
            }
            status = status.max(instrument_status);
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
        if status == Status::Invalid && options.strict {
            return Err(BatchError::Strict {
                row: summary.rows,
                line: record.position().map_or(0, |p| p.line()),
                reason: errors.join("; "),
            });
        }
        match status {
            Status::Ok => summary.ok += 1,
            Status::Incomplete => summary.incomplete += 1,
            Status::Invalid => summary.invalid += 1,
        }
        if scores.iter().any(|s| !s.flags.is_empty()) {
            summary.flagged += 1;
        }
        if scores
            .iter()
            .zip(instruments)
            .any(|(s, i)| s.has_urgent_flag(i))
        {
            summary.urgent += 1;
        }
        let row = ScoredRow {
            number: summary.rows,
            status,
            record: &record,
            scores: &scores,
            answers: &answers,
            errors: &errors,
        };
        sink.row(&layout, &row)?;
    }
    sink.finish()?;
    Ok(summary)
}

/// "column `EPDS_3`: `4` is not an answer to epds.q3 (points 0, 1, 2, 3)".
fn invalid_cell_message(
    header: &str,
    cell: &[u8],
    instrument: &Instrument,
    item: usize,
    kind: ValueKind,
) -> String {
    let item = &instrument.items[item];
    let expected = match kind {
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
    };
    format!(
        "column `{header}`: `{}` is not an answer to {}.{} ({expected})",
        String::from_utf8_lossy(cell).trim(),
        instrument.id,
        item.id
    )
}
