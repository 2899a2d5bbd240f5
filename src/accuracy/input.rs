//! Reading a delimited file of scores and reference results in one pass.
//!
//! Format rules:
//!
//! * The delimiter is detected from the header line: whichever of `,`, `;`
//!   and tab occurs most often outside double quotes (`,` when none does).
//! * A UTF-8 byte-order mark at the start is skipped.
//! * A cell that is blank, `NA` or `.` (after trimming spaces) is missing.
//! * Scores are decimal numbers; when the delimiter is not a comma, a
//!   decimal comma (`0,13`) is accepted as well. Any other content in a
//!   score column is an error that names the line, the column and the value:
//!   a typo in a score must not silently shrink the sample.
//! * The reference cell equal to the positive value (after trimming, case
//!   sensitive) marks a case; any other non-missing value a non-case. Every
//!   distinct reference value is counted and reported, so that a misspelt
//!   level is visible in the output.
//!
//! Rows with a missing score or reference are left out of the analysis and
//! counted by reason.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use csv::ByteRecord;

use super::counts::{CountsBuilder, PairedBuilder, PairedCounts, ScoreCounts};

/// Most distinct values accepted in the reference or grouping column.
pub const MAX_LEVELS: usize = 1000;

/// Cell contents that mean "missing".
pub const MISSING_TOKENS: [&str; 3] = ["", "NA", "."];

/// Computes a score from a whole row, for scores that are not a column
/// (for example an instrument total computed from item columns).
pub trait RowScorer {
    /// Resolves the columns the scorer needs from the header.
    fn bind(&mut self, headers: &[String]) -> Result<(), String>;
    /// The row's score, `Ok(None)` when it cannot be computed because
    /// answers are missing, `Err` for invalid content.
    fn score(&mut self, record: &ByteRecord) -> Result<Option<f64>, String>;
}

/// Where the score comes from.
pub enum ScoreSource {
    /// A column holding the score.
    Column(String),
    /// Computed from the row.
    Computed(Box<dyn RowScorer>),
}

/// What to read from the file.
pub struct InputSpec {
    /// The score.
    pub score: ScoreSource,
    /// The reference-standard column.
    pub reference: String,
    /// The reference value that marks a case.
    pub positive: String,
    /// A grouping column for subgroup analyses.
    pub by: Option<String>,
    /// A second score column to compare with the first.
    pub compare: Option<String>,
}

/// Rows left out of one analysed set, by reason. A row counts once, under
/// the first reason that applies in this order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exclusions {
    /// Score missing (or not computable).
    pub missing_score: u64,
    /// Score present, reference missing.
    pub missing_reference: u64,
}

impl Exclusions {
    /// Total rows left out.
    pub fn total(&self) -> u64 {
        self.missing_score + self.missing_reference
    }
}

/// The data of one analysed set (the whole sample or one subgroup).
#[derive(Debug, Clone, PartialEq)]
pub struct SetData {
    /// Rows in the set, excluded ones included.
    pub rows: u64,
    /// Per-score counts of the analysed rows.
    pub counts: ScoreCounts,
    /// Rows left out.
    pub excluded: Exclusions,
    /// Joint counts of the two scores, with a comparison score.
    pub paired: Option<PairedCounts>,
    /// Analysed rows without the comparison score (left out of the
    /// comparison only).
    pub missing_compare: u64,
}

/// One distinct value of the reference column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceValue {
    /// The value.
    pub value: String,
    /// Rows with it (whether or not their score was present).
    pub rows: u64,
    /// Whether it marks a case.
    pub positive: bool,
}

/// Everything read from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The delimiter used.
    pub delimiter: u8,
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// The whole sample.
    pub overall: SetData,
    /// Subgroups, sorted by value; empty without a grouping column.
    pub groups: Vec<(String, SetData)>,
    /// Rows whose grouping value is missing (in the overall analysis only).
    pub missing_group: u64,
    /// The reference values seen, the positive one first, then by value.
    pub reference_values: Vec<ReferenceValue>,
}

/// Why the file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Reading failed.
    #[error("cannot read the input: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not well-formed delimited text.
    #[error("malformed input: {0}")]
    Csv(String),
    /// The file has no header line.
    #[error("the input is empty (no header line)")]
    Empty,
    /// A named column is not in the header.
    #[error("no column {name:?} (given as {role}); the columns are: {available}{hint}")]
    MissingColumn {
        /// The column asked for.
        name: String,
        /// Which option named it.
        role: &'static str,
        /// The header, comma-separated.
        available: String,
        /// A suggestion, if a column matches ignoring case.
        hint: String,
    },
    /// A score cell is not a number.
    #[error(
        "line {line}, column {column:?}: {value:?} is not a number (blank, NA and . count as missing)"
    )]
    NotNumeric {
        /// 1-based line in the file.
        line: u64,
        /// Data row, from 1 (the header is not counted).
        row: u64,
        /// 0-based index of the column.
        index: usize,
        /// The column.
        column: String,
        /// The cell as read.
        value: String,
    },
    /// A computed score failed.
    #[error("line {line}: {message}")]
    Scorer {
        /// 1-based line in the file.
        line: u64,
        /// Data row, from 1 (the header is not counted).
        row: u64,
        /// What went wrong.
        message: String,
    },
    /// The scorer could not find its columns.
    #[error("{0}")]
    ScorerColumns(String),
    /// The positive reference value never occurs.
    #[error(
        "the reference value {positive:?} does not occur in column {column:?}; values seen: {seen}"
    )]
    PositiveNotFound {
        /// The value given.
        positive: String,
        /// The reference column.
        column: String,
        /// The values that do occur.
        seen: String,
    },
    /// Too many distinct values in the reference or grouping column.
    #[error(
        "column {column:?} has more than {MAX_LEVELS} distinct values; is it the right column for {role}?"
    )]
    TooManyLevels {
        /// The column.
        column: String,
        /// Which option named it.
        role: &'static str,
    },
}

impl InputError {
    /// Whether the error is about the options given rather than the data
    /// (a column that is not there).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            InputError::MissingColumn { .. } | InputError::ScorerColumns(_)
        )
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Whether a trimmed cell means "missing".
pub fn is_missing(cell: &[u8]) -> bool {
    MISSING_TOKENS.iter().any(|t| t.as_bytes() == cell)
}

/// Parses a score cell: `Ok(None)` when missing, `Err(())` when not a
/// finite number.
#[allow(clippy::result_unit_err)]
pub fn parse_score(cell: &[u8], decimal_comma: bool) -> Result<Option<f64>, ()> {
    let cell = trim(cell);
    if is_missing(cell) {
        return Ok(None);
    }
    // Fast path: a plain integer of up to 15 digits.
    let (negative, digits) = match cell.first() {
        Some(b'-') => (true, &cell[1..]),
        Some(b'+') => (false, &cell[1..]),
        _ => (false, cell),
    };
    if !digits.is_empty() && digits.len() <= 15 && digits.iter().all(u8::is_ascii_digit) {
        let mut v: i64 = 0;
        for &d in digits {
            v = v * 10 + i64::from(d - b'0');
        }
        let v = v as f64;
        return Ok(Some(if negative { -v } else { v }));
    }
    let text = std::str::from_utf8(cell).map_err(|_| ())?;
    let owned;
    let text = if decimal_comma
        && text.contains(',')
        && !text.contains('.')
        && text.matches(',').count() == 1
    {
        owned = text.replace(',', ".");
        owned.as_str()
    } else {
        text
    };
    // Rust also parses "inf" and "NaN"; only finite numbers are scores, and
    // only plain decimal notation is accepted.
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return Err(());
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v + 0.0)),
        _ => Err(()),
    }
}

struct SetBuilder {
    rows: u64,
    counts: CountsBuilder,
    paired: Option<PairedBuilder>,
    excluded: Exclusions,
    missing_compare: u64,
}

impl SetBuilder {
    fn new(compare: bool) -> Self {
        SetBuilder {
            rows: 0,
            counts: CountsBuilder::new(),
            paired: compare.then(PairedBuilder::new),
            excluded: Exclusions::default(),
            missing_compare: 0,
        }
    }

    fn add(&mut self, score: Option<f64>, case: Option<bool>, compare: Option<f64>) {
        self.rows += 1;
        match (score, case) {
            (None, _) => self.excluded.missing_score += 1,
            (Some(_), None) => self.excluded.missing_reference += 1,
            (Some(s), Some(case)) => {
                self.counts.add(s, case);
                if let Some(paired) = &mut self.paired {
                    match compare {
                        Some(c) => paired.add(s, c, case),
                        None => self.missing_compare += 1,
                    }
                }
            }
        }
    }

    fn finish(self) -> SetData {
        SetData {
            rows: self.rows,
            counts: self.counts.finish(),
            excluded: self.excluded,
            paired: self.paired.map(PairedBuilder::finish),
            missing_compare: self.missing_compare,
        }
    }
}

fn find_column(headers: &[String], name: &str, role: &'static str) -> Result<usize, InputError> {
    if let Some(i) = headers.iter().position(|h| h == name) {
        return Ok(i);
    }
    let hint = headers
        .iter()
        .find(|h| h.eq_ignore_ascii_case(name.trim()))
        .map(|h| format!(" (did you mean {h:?}?)"))
        .unwrap_or_default();
    Err(InputError::MissingColumn {
        name: name.to_string(),
        role,
        available: headers.join(", "),
        hint,
    })
}

/// Reads up to and including the first line break (or everything, if the
/// input has none), so that the delimiter can be sniffed.
fn read_prefix<R: Read>(reader: &mut R) -> Result<Vec<u8>, std::io::Error> {
    let mut prefix = Vec::new();
    let mut buf = vec![0_u8; 1 << 16];
    loop {
        let k = match reader.read(&mut buf) {
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if k == 0 {
            break;
        }
        let had_newline = buf[..k].contains(&b'\n');
        prefix.extend_from_slice(&buf[..k]);
        if had_newline {
            break;
        }
    }
    Ok(prefix)
}

fn csv_error(err: csv::Error) -> InputError {
    let line = err.position().map(|p| p.line());
    match (err.into_kind(), line) {
        (csv::ErrorKind::Io(io), _) => InputError::Io(io),
        (
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            },
            Some(line),
        ) => InputError::Csv(format!(
            "line {line} has {len} fields but the header has {expected_len}"
        )),
        (kind, Some(line)) => InputError::Csv(format!("line {line}: {kind:?}")),
        (kind, None) => InputError::Csv(format!("{kind:?}")),
    }
}

/// Values of a column (reference or grouping) with something kept per
/// value. A column usually has a handful of values, so lookups scan a short
/// list and only fall back to hashing beyond eight values.
struct Levels<V> {
    keys: Vec<Vec<u8>>,
    values: Vec<V>,
    index: HashMap<Vec<u8>, usize>,
}

impl<V> Levels<V> {
    fn new() -> Self {
        Levels {
            keys: Vec::new(),
            values: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn find(&self, key: &[u8]) -> Option<usize> {
        if self.keys.len() <= 8 {
            self.keys.iter().position(|k| k == key)
        } else {
            self.index.get(key).copied()
        }
    }

    /// The value kept for `key`, created with `make` if new; `None` when a
    /// new key would exceed `MAX_LEVELS`.
    fn entry(&mut self, key: &[u8], make: impl FnOnce() -> V) -> Option<&mut V> {
        let i = match self.find(key) {
            Some(i) => i,
            None => {
                if self.keys.len() >= MAX_LEVELS {
                    return None;
                }
                self.index.insert(key.to_vec(), self.keys.len());
                self.keys.push(key.to_vec());
                self.values.push(make());
                self.keys.len() - 1
            }
        };
        Some(&mut self.values[i])
    }

    fn into_pairs(self) -> impl Iterator<Item = (Vec<u8>, V)> {
        self.keys.into_iter().zip(self.values)
    }
}

/// Streams the input once and tallies scores per analysed set.
pub fn read_dataset<R: Read>(mut reader: R, spec: &mut InputSpec) -> Result<Dataset, InputError> {
    let mut prefix = read_prefix(&mut reader)?;
    if prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix.drain(..3);
    }
    let header_end = prefix
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(prefix.len());
    if trim(&prefix[..header_end]).is_empty() {
        return Err(InputError::Empty);
    }
    let delimiter = crate::batch::input::sniff_delimiter(&prefix[..header_end]);
    let decimal_comma = delimiter != b',';
    let mut csv_reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .buffer_capacity(1 << 16)
        .from_reader(Cursor::new(prefix).chain(reader));
    let headers: Vec<String> = csv_reader
        .byte_headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| String::from_utf8_lossy(trim(h)).into_owned())
        .collect();

    let score_column = match &mut spec.score {
        ScoreSource::Column(name) => Some(find_column(&headers, name, "--score")?),
        ScoreSource::Computed(scorer) => {
            scorer.bind(&headers).map_err(InputError::ScorerColumns)?;
            None
        }
    };
    let reference_column = find_column(&headers, &spec.reference, "--reference")?;
    let by_column = spec
        .by
        .as_deref()
        .map(|c| find_column(&headers, c, "--by"))
        .transpose()?;
    let compare_column = spec
        .compare
        .as_deref()
        .map(|c| find_column(&headers, c, "--compare"))
        .transpose()?;
    let positive = spec.positive.trim().as_bytes().to_vec();
    let compare = compare_column.is_some();

    let mut overall = SetBuilder::new(compare);
    let mut groups: Levels<SetBuilder> = Levels::new();
    let mut missing_group = 0_u64;
    let mut reference_levels: Levels<u64> = Levels::new();
    let mut rows = 0_u64;
    let mut record = ByteRecord::new();
    let numeric_error = |record: &ByteRecord, column: usize, row: u64| InputError::NotNumeric {
        line: record.position().map_or(0, |p| p.line()),
        row,
        index: column,
        column: headers[column].clone(),
        value: String::from_utf8_lossy(record.get(column).unwrap_or_default()).into_owned(),
    };

    while csv_reader
        .read_byte_record(&mut record)
        .map_err(csv_error)?
    {
        rows += 1;
        let score = match (&mut spec.score, score_column) {
            (_, Some(col)) => parse_score(record.get(col).unwrap_or_default(), decimal_comma)
                .map_err(|()| numeric_error(&record, col, rows))?,
            (ScoreSource::Computed(scorer), None) => {
                scorer
                    .score(&record)
                    .map_err(|message| InputError::Scorer {
                        line: record.position().map_or(0, |p| p.line()),
                        row: rows,
                        message,
                    })?
            }
            (ScoreSource::Column(_), None) => None,
        };
        let reference = trim(record.get(reference_column).unwrap_or_default());
        let case = if is_missing(reference) {
            None
        } else {
            match reference_levels.entry(reference, || 0) {
                Some(count) => *count += 1,
                None => {
                    return Err(InputError::TooManyLevels {
                        column: spec.reference.clone(),
                        role: "--reference",
                    });
                }
            }
            Some(reference == positive.as_slice())
        };
        let compare_value = match compare_column {
            Some(col) => parse_score(record.get(col).unwrap_or_default(), decimal_comma)
                .map_err(|()| numeric_error(&record, col, rows))?,
            None => None,
        };
        overall.add(score, case, compare_value);
        if let Some(col) = by_column {
            let group = trim(record.get(col).unwrap_or_default());
            if is_missing(group) {
                missing_group += 1;
            } else {
                match groups.entry(group, || SetBuilder::new(compare)) {
                    Some(set) => set.add(score, case, compare_value),
                    None => {
                        return Err(InputError::TooManyLevels {
                            column: spec.by.clone().unwrap_or_default(),
                            role: "--by",
                        });
                    }
                }
            }
        }
    }

    if reference_levels.find(&positive).is_none() {
        let mut seen: Vec<String> = reference_levels
            .keys
            .iter()
            .map(|k| format!("{:?}", String::from_utf8_lossy(k)))
            .collect();
        seen.sort();
        return Err(InputError::PositiveNotFound {
            positive: spec.positive.clone(),
            column: spec.reference.clone(),
            seen: if seen.is_empty() {
                "none".to_string()
            } else {
                seen.join(", ")
            },
        });
    }
    let mut reference_values: Vec<ReferenceValue> = reference_levels
        .into_pairs()
        .map(|(k, rows)| ReferenceValue {
            positive: k == positive,
            value: String::from_utf8_lossy(&k).into_owned(),
            rows,
        })
        .collect();
    reference_values.sort_by(|a, b| {
        b.positive
            .cmp(&a.positive)
            .then_with(|| a.value.cmp(&b.value))
    });
    let mut groups: Vec<(String, SetData)> = groups
        .into_pairs()
        .map(|(k, set)| (String::from_utf8_lossy(&k).into_owned(), set.finish()))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Dataset {
        delimiter,
        rows,
        overall: overall.finish(),
        groups,
        missing_group,
        reference_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(score: &str) -> InputSpec {
        InputSpec {
            score: ScoreSource::Column(score.to_string()),
            reference: "ref".to_string(),
            positive: "yes".to_string(),
            by: None,
            compare: None,
        }
    }

    #[test]
    fn parses_scores() {
        assert_eq!(parse_score(b" 12 ", false), Ok(Some(12.0)));
        assert_eq!(parse_score(b"-3", false), Ok(Some(-3.0)));
        assert_eq!(parse_score(b"0.13", false), Ok(Some(0.13)));
        assert_eq!(parse_score(b"0,13", true), Ok(Some(0.13)));
        assert_eq!(parse_score(b"0,13", false), Err(()));
        assert_eq!(parse_score(b"1e2", false), Ok(Some(100.0)));
        for missing in [&b""[..], b"  ", b"NA", b"."] {
            assert_eq!(parse_score(missing, false), Ok(None));
        }
        for bad in [&b"inf"[..], b"NaN", b"twelve", b"1O", b"--1", b"1,000,5"] {
            assert_eq!(
                parse_score(bad, true),
                Err(()),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn reads_semicolons_bom_and_counts_exclusions() {
        let data = "\u{feff}id;score;ref\n1;3;yes\n2;;no\n3;1,5;no\n4;2;\n5;NA;yes\n6;4;maybe\n";
        let ds = read_dataset(data.as_bytes(), &mut spec("score")).unwrap();
        assert_eq!(ds.delimiter, b';');
        assert_eq!(ds.rows, 6);
        assert_eq!(
            ds.overall.excluded,
            Exclusions {
                missing_score: 2,
                missing_reference: 1
            }
        );
        assert_eq!(ds.overall.counts.values(), &[1.5, 3.0, 4.0]);
        assert_eq!(ds.overall.counts.n_cases(), 1);
        let values: Vec<_> = ds
            .reference_values
            .iter()
            .map(|r| (r.value.as_str(), r.rows, r.positive))
            .collect();
        assert_eq!(
            values,
            vec![("yes", 2, true), ("maybe", 1, false), ("no", 2, false)]
        );
    }

    #[test]
    fn reports_bad_cells_and_columns() {
        let data = "score,ref\n1,yes\nx1,no\n";
        let err = read_dataset(data.as_bytes(), &mut spec("score")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3, column \"score\": \"x1\" is not a number (blank, NA and . count as missing)"
        );
        let err = read_dataset(data.as_bytes(), &mut spec("Score")).unwrap_err();
        assert!(err.is_usage());
        assert!(err.to_string().contains("did you mean \"score\"?"), "{err}");
        let mut s = spec("score");
        s.positive = "Yes".into();
        let err = read_dataset("score,ref\n1,yes\n2,no\n".as_bytes(), &mut s).unwrap_err();
        assert!(
            err.to_string().contains("values seen: \"no\", \"yes\""),
            "{err}"
        );
    }

    proptest::proptest! {
        /// Whatever the bytes, reading and analysing never panics.
        #[test]
        fn arbitrary_input_never_panics(text in "[0-9a-z,;\t\n\". -]{0,200}") {
            let mut s = InputSpec {
                score: ScoreSource::Column("s".into()),
                reference: "r".into(),
                positive: "y".into(),
                by: Some("g".into()),
                compare: Some("t".into()),
            };
            let data = format!("s,r,g,t\n{text}");
            if let Ok(ds) = read_dataset(data.as_bytes(), &mut s) {
                for set in std::iter::once(&ds.overall).chain(ds.groups.iter().map(|g| &g.1)) {
                    let options = crate::accuracy::AnalysisOptions {
                        min_sensitivity: Some(0.5),
                        prespecified: vec![1.0],
                        bootstrap: Some(crate::accuracy::BootstrapConfig { replicates: 5, seed: 1 }),
                        ..Default::default()
                    };
                    let _ = crate::accuracy::analyse(set.counts.clone(), &options);
                    if let Some(p) = &set.paired {
                        let _ = crate::accuracy::delong::paired_test(p, crate::accuracy::Direction::Higher);
                    }
                }
            }
        }
    }

    #[test]
    fn many_levels() {
        // Twenty groups go past the short-list lookup into the hash index.
        let mut data = String::from("s,ref,g\n");
        for i in 0..200 {
            data.push_str(&format!(
                "{},{},g{:02}\n",
                i % 7,
                if i % 3 == 0 { "yes" } else { "no" },
                i % 20
            ));
        }
        let mut s = spec("s");
        s.by = Some("g".into());
        let ds = read_dataset(data.as_bytes(), &mut s).unwrap();
        assert_eq!(ds.groups.len(), 20);
        assert!(ds.groups.iter().all(|(_, set)| set.rows == 10));
        assert_eq!(ds.groups[19].0, "g19");
        // A reference column with an identifier in it is refused.
        let mut data = String::from("s,ref\n1,yes\n");
        for i in 0..=MAX_LEVELS {
            data.push_str(&format!("1,id{i}\n"));
        }
        let err = read_dataset(data.as_bytes(), &mut spec("s")).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::TooManyLevels {
                    role: "--reference",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn groups_and_pairs() {
        let data = "s,t,ref,g\n1,2,yes,a\n0,,no,a\n2,1,yes,b\n0,0,no,\n";
        let mut s = spec("s");
        s.by = Some("g".into());
        s.compare = Some("t".into());
        let ds = read_dataset(data.as_bytes(), &mut s).unwrap();
        assert_eq!(ds.missing_group, 1);
        assert_eq!(ds.groups.len(), 2);
        assert_eq!(ds.groups[0].0, "a");
        assert_eq!(ds.groups[0].1.missing_compare, 1);
        assert_eq!(ds.overall.missing_compare, 1);
        assert_eq!(ds.overall.paired.as_ref().unwrap().len(), 3);
    }
}
