//! What a finished visit is, and how it is saved and read back.
//!
//! A [`VisitFacts`] holds what a visit records besides its answers: the
//! identifier, the visit date (apart from the moment it was saved), who
//! answered, the clinical context given to the rule table (blank = not
//! assessed) and the acknowledged warnings. Together with the
//! [`VisitSession`] and the rule table it becomes one row of the batch
//! contract: [`csv_record`] (the columns of `stepcare score --with-answers
//! --rules TABLE`, the visit's own columns where a batch run keeps its
//! columns) or [`json_record`] (the `score` JSON Lines object with a
//! `"visit"` part).
//!
//! Saving never loses a visit silently: [`check_target`] checks a save file
//! before the first question (a regular file or a new one in an existing
//! directory, writable, and for CSV the same header, read with a bound);
//! [`append`] then appends under an advisory lock, in one write, synced.
//! A CSV file keeps the delimiter it has; a new one gets the one given (`;`
//! for the Nordic languages, whose spreadsheets read `,` as one column). A
//! JSON Lines file (`.jsonl`) holds visits with any instruments.
//!
//! [`read_saved`] reads such files back (both formats), for commands that
//! follow up saved visits.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::batch::care::{CARE_COLUMNS, Care};
use crate::batch::input::sniff_delimiter;
use crate::batch::output::{CsvSink, JsonlSink, LIST_SEPARATOR};
use crate::batch::{ColumnPlan, Layout, RowIssue, RowSink, ScoredRow};
use crate::instrument::ValueKind;
use crate::instrument::age::Date;
use crate::scoring::{InstrumentScore, Status};
use crate::session::VisitSession;

/// The visit's own columns, before the clinical context, where a batch run
/// puts its kept columns.
pub const KEEP: [&str; 4] = ["id", "visit_date", "timestamp", "respondent"];

/// The columns after the batch columns and the child questionnaire's inputs.
pub const VISIT: [&str; 4] = [
    "acknowledged",
    "rule_table",
    "rule_table_version",
    "definitions",
];

/// How many bytes of an existing save file are read to check its header.
pub const HEADER_LIMIT: usize = 64 * 1024;

/// A warning seen and acknowledged during the visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// The instrument's id (`epds`).
    pub instrument: String,
    /// The flag's id (`self_harm`).
    pub flag: String,
    /// When, RFC 3339 local time with offset.
    pub at: String,
}

impl Acknowledgement {
    /// `epds.self_harm@2026-11-23T10:41:07+01:00`, as saved in CSV.
    pub fn cell(&self) -> String {
        format!("{}.{}@{}", self.instrument, self.flag, self.at)
    }
}

/// What a visit records besides its answers.
#[derive(Debug, Clone, Default)]
pub struct VisitFacts {
    /// `--id`, or empty.
    pub id: String,
    /// The day of the visit (`--date`, default today), apart from the save time.
    pub visit_date: Option<Date>,
    /// When the visit was saved, RFC 3339 local time with offset.
    pub saved_at: String,
    /// Who answered.
    pub respondent: String,
    /// The rule table's clinician inputs, in the table's order: (column,
    /// value); an empty value is "not assessed".
    pub context: Vec<(String, String)>,
    /// The family's dates the rule table uses, after the context:
    /// (`due_date` or `birth_date`, ISO date); an empty value is unknown.
    /// Saved so that `stepcare follow-up` can place the visit in time.
    pub dates: Vec<(String, String)>,
    /// The warnings acknowledged during the visit.
    pub acknowledgements: Vec<Acknowledgement>,
    /// The rule table's id and version (empty without a table).
    pub rule_table: [String; 2],
}

impl VisitFacts {
    /// The kept columns' names: [`KEEP`], the context's columns and the dates'.
    pub fn keep_names(&self) -> Vec<String> {
        KEEP.iter()
            .map(|s| (*s).to_owned())
            .chain(self.context.iter().map(|(name, _)| name.clone()))
            .chain(self.dates.iter().map(|(name, _)| name.clone()))
            .collect()
    }

    /// The date saved in `column` (`due_date`, `birth_date`), if known.
    pub fn date(&self, column: &str) -> Option<Date> {
        self.dates
            .iter()
            .find(|(name, _)| name == column)
            .and_then(|(_, value)| Date::parse(value).ok())
    }

    fn keep_values(&self) -> Vec<String> {
        let mut values = vec![
            self.id.clone(),
            self.visit_date.map(|d| d.to_string()).unwrap_or_default(),
            self.saved_at.clone(),
            self.respondent.clone(),
        ];
        values.extend(self.context.iter().map(|(_, value)| value.clone()));
        values.extend(self.dates.iter().map(|(_, value)| value.clone()));
        values
    }
}

fn layout<'a>(session: &VisitSession<'a>, facts: &VisitFacts) -> Layout<'a> {
    let instruments = session.instruments().to_vec();
    let names = facts.keep_names();
    Layout {
        instruments: instruments.clone(),
        headers: names.clone(),
        columns: ColumnPlan {
            items: instruments.iter().map(|i| vec![0; i.items.len()]).collect(),
            keep: names.into_iter().enumerate().map(|(i, n)| (n, i)).collect(),
        },
        delimiter: b',',
        // A visit holds no stored totals to check.
        stored: Vec::new(),
        // The session stores only valid options, so no cell is ever reported as invalid.
        values: ValueKind::Position,
        origin: None,
    }
}

/// The batch status and the unscored scales of the visit, as a batch row gives them.
fn status_and_issues(scores: &[InstrumentScore]) -> (Status, Vec<RowIssue>) {
    let mut issues = Vec::new();
    let mut status = Status::Ok;
    for (slot, score) in scores.iter().enumerate() {
        status = status.max(score.status());
        for (scale, result) in score.scales.iter().enumerate() {
            if result.score.is_none() {
                issues.push(RowIssue::Unscored {
                    instrument: slot,
                    scale,
                });
            }
        }
    }
    (status, issues)
}

fn definitions(session: &VisitSession<'_>) -> String {
    session
        .instruments()
        .iter()
        .map(|i| format!("{}@{}", i.id, i.version))
        .collect::<Vec<_>>()
        .join(LIST_SEPARATOR)
}

/// The CSV header and row (as fields) of a finished visit; `row` is its
/// number in the file. `care` is the rule table applied (`None`: the care
/// columns stay empty, so every file of visits has one layout).
pub fn csv_record(
    session: &VisitSession<'_>,
    facts: &VisitFacts,
    care: Option<Care>,
    row: u64,
) -> io::Result<(Vec<String>, Vec<String>)> {
    let layout = layout(session, facts);
    let scores = session.scores();
    let (status, issues) = status_and_issues(&scores);
    let kept = csv::ByteRecord::from(facts.keep_values());
    let scored = ScoredRow {
        number: row,
        status,
        record: &kept,
        scores: &scores,
        answers: session.answers(),
        issues: &issues,

        stored: &[],
    };
    let mut sink = CsvSink::new(Vec::new(), b',', true);
    let with_care = care.is_some();
    if let Some(care) = care {
        sink = sink.with_care(care);
    }
    sink.begin(&layout)?;
    sink.row(&layout, &scored)?;
    let bytes = sink.into_inner()?;
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice())
        .into_records();
    let mut next = || -> io::Result<Vec<String>> {
        Ok(records
            .next()
            .ok_or_else(|| io::Error::other("the batch writer wrote no row"))?
            .map_err(io::Error::other)?
            .iter()
            .map(str::to_owned)
            .collect())
    };
    let mut header = next()?;
    let mut fields = next()?;
    if !with_care {
        let at = header.len() - 1;
        header.splice(at..at, CARE_COLUMNS.iter().map(|c| (*c).to_owned()));
        fields.splice(at..at, CARE_COLUMNS.iter().map(|_| String::new()));
    }
    let (inputs, values) = scored_from(session);
    header.extend(inputs);
    fields.extend(values);
    header.extend(VISIT.iter().map(|c| (*c).to_owned()));
    fields.push(
        facts
            .acknowledgements
            .iter()
            .map(Acknowledgement::cell)
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
    );
    fields.extend(facts.rule_table.iter().cloned());
    fields.push(definitions(session));
    if fields.len() != header.len() {
        return Err(io::Error::other(format!(
            "internal error: the saved row has {} fields but the header {}",
            fields.len(),
            header.len()
        )));
    }
    Ok((header, fields))
}

/// The JSON object of a finished visit: the `score` JSON Lines object
/// (`row`, `status`, `keep`, `results`, `care`, `errors`) with a `"visit"`
/// part: date, saved time, respondent, context, not assessed inputs,
/// acknowledgements, the child's dates, the rule table and the definitions.
pub fn json_record(
    session: &VisitSession<'_>,
    facts: &VisitFacts,
    care: Option<Care>,
    row: u64,
) -> io::Result<Value> {
    let layout = layout(session, facts);
    let scores = session.scores();
    let (status, issues) = status_and_issues(&scores);
    let kept = csv::ByteRecord::from(facts.keep_values());
    let scored = ScoredRow {
        number: row,
        status,
        record: &kept,
        scores: &scores,
        answers: session.answers(),
        issues: &issues,

        stored: &[],
    };
    let mut sink = JsonlSink::new(Vec::new(), true);
    if let Some(care) = care {
        sink = sink.with_care(care);
    }
    sink.begin(&layout)?;
    sink.row(&layout, &scored)?;
    let bytes = sink.into_inner()?;
    let mut object: Value = serde_json::from_slice(&bytes).map_err(io::Error::other)?;
    let (inputs, values) = scored_from(session);
    let child: Map<String, Value> = inputs
        .into_iter()
        .zip(values)
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let context: Map<String, Value> = facts
        .context
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let not_assessed: Vec<&str> = facts
        .context
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(k, _)| k.as_str())
        .collect();
    let acknowledged: Vec<Value> = facts
        .acknowledgements
        .iter()
        .map(|a| json!({"instrument": a.instrument, "flag": a.flag, "at": a.at}))
        .collect();
    let visit = json!({
        "id": facts.id,
        "date": facts.visit_date.map(|d| d.to_string()),
        "saved_at": facts.saved_at,
        "respondent": facts.respondent,
        "instruments": session.instruments().iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        "context": context,
        "not_assessed": not_assessed,
        "due_date": facts.date(crate::rules::DUE_DATE).map(|d| d.to_string()),
        "birth_date": facts.date(crate::rules::BIRTH_DATE).map(|d| d.to_string()),
        "acknowledged": acknowledged,
        "inputs": child,
        "rule_table": (!facts.rule_table[0].is_empty()).then(|| facts.rule_table[0].clone()),
        "rule_table_version": (!facts.rule_table[1].is_empty()).then(|| facts.rule_table[1].clone()),
        "definitions": definitions(session),
    });
    if let Value::Object(map) = &mut object {
        map.insert("visit".to_owned(), visit);
    }
    Ok(object)
}

/// The columns (and values) a batch run needs besides the answers to score
/// the visit again: a child questionnaire's dates and gestational age, and
/// every concern box (`yes`, `no`, or blank when the form did not ask it).
fn scored_from(session: &VisitSession<'_>) -> (Vec<String>, Vec<String>) {
    let mut header = Vec::new();
    let mut fields = Vec::new();
    let child = session.child();
    for (index, instrument) in session.instruments().iter().enumerate() {
        let id = &instrument.id;
        if let Some(banding) = &instrument.age_banding {
            header.push(format!("{id}.birth_date"));
            fields.push(child.map(|c| c.birth.to_string()).unwrap_or_default());
            header.push(format!("{id}.screening_date"));
            fields.push(child.map(|c| c.screening.to_string()).unwrap_or_default());
            if banding.correction.is_some() {
                header.push(format!("{id}.gestational_weeks"));
                fields.push(
                    child
                        .and_then(|c| c.gestation)
                        .map(|g| g.to_string())
                        .unwrap_or_default(),
                );
            }
        }
        let asked: Option<&[usize]> = match &instrument.age_banding {
            None => None,
            Some(banding) => Some(
                session
                    .interval(index)
                    .and_then(|i| banding.intervals.get(i))
                    .map_or(&[][..], |i| &i.items[..]),
            ),
        };
        for (item, definition) in instrument.items.iter().enumerate() {
            if instrument.concerns[item].is_none() {
                continue;
            }
            header.push(format!("{id}.{}.concern", definition.id));
            let value = if asked.is_some_and(|items| !items.contains(&item)) {
                ""
            } else if session.concerns()[index][item] {
                "yes"
            } else {
                "no"
            };
            fields.push(value.to_owned());
        }
    }
    (header, fields)
}

/// How a save file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFormat {
    /// CSV with this delimiter for a new file (an existing file keeps its own).
    Csv(u8),
    /// JSON Lines: one visit object per line, any instruments.
    Jsonl,
}

impl SaveFormat {
    /// JSON Lines for `.jsonl` and `.ndjson` files, else CSV with `delimiter`.
    pub fn for_path(path: &Path, delimiter: u8) -> SaveFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext)
                if ext.eq_ignore_ascii_case("jsonl") || ext.eq_ignore_ascii_case("ndjson") =>
            {
                SaveFormat::Jsonl
            }
            _ => SaveFormat::Csv(delimiter),
        }
    }
}

/// Why a save file cannot take the visit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveProblem {
    /// The directory to create the file in does not exist.
    #[error("the directory {0} does not exist")]
    NoDirectory(PathBuf),
    /// The path is a directory, a device, a pipe or another special file.
    #[error("it is not a regular file")]
    NotAFile,
    /// The file or its directory may not be written.
    #[error("no permission to write ({0})")]
    NoPermission(String),
    /// A CSV file whose header is not this visit's.
    #[error("the file has other columns than this visit")]
    OtherColumns {
        /// The file's header.
        found: Vec<String>,
        /// The visit's header.
        expected: Vec<String>,
    },
    /// Not a file of saved visits (no header line within the bound, not
    /// CSV, or a line that is not a visit's JSON object).
    #[error("the file is not a file of saved visits")]
    NotVisits,
    /// Reading or writing failed.
    #[error("{0}")]
    Io(String),
}

/// What [`check_target`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveTarget {
    /// The file.
    pub path: PathBuf,
    /// Its format; a CSV file's delimiter is the one it has, or the new one.
    pub format: SaveFormat,
    /// Whether the file exists and holds something.
    pub exists: bool,
}

/// Checks a save file before any question is asked: an existing path must
/// be a regular file that can be opened for appending, whose first line
/// (read up to [`HEADER_LIMIT`] bytes) is `header` (CSV) or a visit's JSON
/// object (JSON Lines); a new file's directory must exist and be writable.
/// Nothing is written to an existing file.
pub fn check_target(
    path: &Path,
    format: SaveFormat,
    header: &[String],
) -> Result<SaveTarget, SaveProblem> {
    let io_problem = |err: io::Error| match err.kind() {
        io::ErrorKind::PermissionDenied => SaveProblem::NoPermission(err.to_string()),
        _ => SaveProblem::Io(err.to_string()),
    };
    match std::fs::metadata(path) {
        Ok(meta) => {
            if !meta.is_file() {
                return Err(SaveProblem::NotAFile);
            }
            let mut file = OpenOptions::new()
                .read(true)
                .append(true)
                .open(path)
                .map_err(io_problem)?;
            let mut head = Vec::new();
            (&mut file)
                .take(HEADER_LIMIT as u64)
                .read_to_end(&mut head)
                .map_err(io_problem)?;
            if head.iter().all(u8::is_ascii_whitespace) {
                if !head.is_empty() {
                    return Err(SaveProblem::NotVisits);
                }
                return Ok(SaveTarget {
                    path: path.to_owned(),
                    format,
                    exists: false,
                });
            }
            let Some(end) = head.iter().position(|&b| b == b'\n') else {
                // No line end within the bound: a header or visit that long is not ours.
                if head.len() >= HEADER_LIMIT {
                    return Err(SaveProblem::NotVisits);
                }
                return check_first_line(path, format, header, &head);
            };
            check_first_line(path, format, header, &head[..end])
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            if !dir.is_dir() {
                return Err(SaveProblem::NoDirectory(dir));
            }
            // Creating (and removing) a temporary file is the one sure test of permission.
            tempfile::NamedTempFile::new_in(&dir).map_err(io_problem)?;
            Ok(SaveTarget {
                path: path.to_owned(),
                format,
                exists: false,
            })
        }
        Err(err) => Err(io_problem(err)),
    }
}

fn check_first_line(
    path: &Path,
    format: SaveFormat,
    header: &[String],
    line: &[u8],
) -> Result<SaveTarget, SaveProblem> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match format {
        SaveFormat::Jsonl => {
            let value: Value = serde_json::from_slice(line).map_err(|_| SaveProblem::NotVisits)?;
            if value.get("visit").is_none() {
                return Err(SaveProblem::NotVisits);
            }
            Ok(SaveTarget {
                path: path.to_owned(),
                format,
                exists: true,
            })
        }
        SaveFormat::Csv(_) => {
            let delimiter = sniff_delimiter(line);
            let found = csv_fields(line, delimiter).ok_or(SaveProblem::NotVisits)?;
            if found != header {
                return Err(SaveProblem::OtherColumns {
                    found,
                    expected: header.to_vec(),
                });
            }
            Ok(SaveTarget {
                path: path.to_owned(),
                format: SaveFormat::Csv(delimiter),
                exists: true,
            })
        }
    }
}

fn csv_fields(line: &[u8], delimiter: u8) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(line);
    let record = reader.byte_records().next()?.ok()?;
    Some(
        record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect(),
    )
}

fn csv_line(fields: &[String], delimiter: u8) -> io::Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    writer.write_record(fields)?;
    writer
        .into_inner()
        .map_err(|err| io::Error::other(err.to_string()))
}

/// A visit ready to append: for a CSV file the header and fields, for JSON
/// Lines the object. Built under the lock, once the row number is known.
pub enum SavedRow {
    /// A CSV header and row.
    Csv(Vec<String>, Vec<String>),
    /// A JSON object.
    Json(Value),
}

/// Appends the visit to the checked target and returns its row number.
///
/// The file is created owner-only (0600 on Unix), opened for appending and
/// locked; a CSV header is written only to an empty file, and a file whose
/// header (or first line) changed since the check is refused; the row goes
/// out in one write and is synced.
pub fn append(
    target: &SaveTarget,
    build: impl Fn(u64) -> io::Result<SavedRow>,
) -> Result<u64, SaveProblem> {
    let io_problem = |err: io::Error| match err.kind() {
        io::ErrorKind::PermissionDenied => SaveProblem::NoPermission(err.to_string()),
        _ => SaveProblem::Io(err.to_string()),
    };
    let path = &target.path;
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(SaveProblem::NotAFile),
        _ => {}
    }
    let mut file: File = options.open(path).map_err(io_problem)?;
    file.lock().map_err(io_problem)?;
    let mut existing = Vec::new();
    file.read_to_end(&mut existing).map_err(io_problem)?;
    let empty = existing.iter().all(u8::is_ascii_whitespace);
    if empty && !existing.is_empty() {
        return Err(SaveProblem::NotVisits);
    }
    let lines = existing.iter().filter(|&&b| b == b'\n').count() as u64
        + u64::from(!existing.is_empty() && existing.last() != Some(&b'\n'));
    let mut out = Vec::new();
    if !existing.is_empty() && existing.last() != Some(&b'\n') {
        out.push(b'\n');
    }
    let row = match target.format {
        SaveFormat::Jsonl => {
            let row = lines + 1;
            let SavedRow::Json(value) = build(row).map_err(io_problem)? else {
                return Err(SaveProblem::Io("internal error: not a JSON row".to_owned()));
            };
            if !empty {
                let first = existing.split(|&b| b == b'\n').next().unwrap_or(&[]);
                check_first_line(path, target.format, &[], first)?;
            }
            serde_json::to_writer(&mut out, &value).map_err(|e| SaveProblem::Io(e.to_string()))?;
            out.push(b'\n');
            row
        }
        SaveFormat::Csv(new_delimiter) => {
            let delimiter = if empty {
                new_delimiter
            } else {
                sniff_delimiter(&existing[..existing.len().min(HEADER_LIMIT)])
            };
            let row = if empty {
                1
            } else {
                // Count records, not lines: a quoted cell may hold a line break.
                csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(true)
                    .delimiter(delimiter)
                    .from_reader(existing.as_slice())
                    .byte_records()
                    .count() as u64
                    + 1
            };
            let SavedRow::Csv(header, fields) = build(row).map_err(io_problem)? else {
                return Err(SaveProblem::Io("internal error: not a CSV row".to_owned()));
            };
            if empty {
                out.extend(csv_line(&header, delimiter).map_err(io_problem)?);
            } else {
                let end = existing
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(existing.len());
                let first = existing[..end]
                    .strip_suffix(b"\r")
                    .unwrap_or(&existing[..end]);
                if csv_fields(first, delimiter).as_deref() != Some(&header[..]) {
                    return Err(SaveProblem::OtherColumns {
                        found: csv_fields(first, delimiter).unwrap_or_default(),
                        expected: header,
                    });
                }
            }
            out.extend(csv_line(&fields, delimiter).map_err(io_problem)?);
            row
        }
    };
    file.write_all(&out).map_err(io_problem)?;
    file.sync_all().map_err(io_problem)?;
    file.unlock().map_err(io_problem)?;
    Ok(row)
}

/// Whether others than the owner may read the file (Unix); `None` elsewhere.
pub fn readable_by_others(path: &Path) -> Option<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o077 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A saved visit read back: its fields by column name (CSV) or by the
/// JSON object's paths (`visit.date`, `care.level`), and the ones every
/// follow-up needs.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedVisit {
    /// The row number in the file.
    pub row: u64,
    /// `--id`.
    pub id: String,
    /// The visit date, when it was saved.
    pub visit_date: Option<Date>,
    /// The due date (termin), when the visit recorded one.
    pub due_date: Option<Date>,
    /// The child's birth date, when the visit recorded one.
    pub birth_date: Option<Date>,
    /// The care level number, when one was recommended.
    pub level: Option<i64>,
    /// Whether the result was urgent.
    pub urgent: bool,
    /// Every field, by name.
    pub fields: BTreeMap<String, String>,
}

/// Reads a file of saved visits (CSV with `,` or `;`, or JSON Lines).
pub fn read_saved(path: &Path) -> Result<Vec<SavedVisit>, SaveProblem> {
    let bytes = std::fs::read(path).map_err(|e| SaveProblem::Io(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut visits = Vec::new();
    if SaveFormat::for_path(path, b',') == SaveFormat::Jsonl {
        for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
            let value: Value = serde_json::from_str(line).map_err(|_| SaveProblem::NotVisits)?;
            let mut fields = BTreeMap::new();
            flatten("", &value, &mut fields);
            visits.push(saved(
                n as u64 + 1,
                fields,
                "visit.id",
                "visit.date",
                "visit.",
            ));
        }
        return Ok(visits);
    }
    let delimiter = sniff_delimiter(&bytes[..bytes.len().min(HEADER_LIMIT)]);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .map_err(|_| SaveProblem::NotVisits)?
        .iter()
        .map(str::to_owned)
        .collect();
    if !header.iter().any(|h| h == "visit_date") {
        return Err(SaveProblem::NotVisits);
    }
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| SaveProblem::Io(e.to_string()))?;
        let fields: BTreeMap<String, String> = header
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        visits.push(saved(n as u64 + 1, fields, "id", "visit_date", ""));
    }
    Ok(visits)
}

fn saved(
    row: u64,
    fields: BTreeMap<String, String>,
    id: &str,
    date: &str,
    prefix: &str,
) -> SavedVisit {
    let get = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let date_of = |column: &str| Date::parse(&get(&format!("{prefix}{column}"))).ok();
    SavedVisit {
        row,
        id: get(id),
        visit_date: Date::parse(&get(date)).ok(),
        due_date: date_of(crate::rules::DUE_DATE),
        birth_date: date_of(crate::rules::BIRTH_DATE),
        level: get("care.level").parse().ok(),
        urgent: get("care.urgent") == "true",
        fields,
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, inner, out);
            }
        }
        Value::Null => {
            out.insert(prefix.to_owned(), String::new());
        }
        Value::String(text) => {
            out.insert(prefix.to_owned(), text.clone());
        }
        other => {
            out.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// Seconds east of UTC of the local time zone at `seconds` since the epoch.
#[cfg(unix)]
#[allow(unsafe_code, clippy::useless_conversion)]
fn local_offset(seconds: i64) -> i64 {
    // time_t is 64 bits wide on the platforms stepcare is built for.
    let time = seconds as libc::time_t;
    // SAFETY: localtime_r only writes the `tm` it is given; a null return means no answer.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let found = unsafe { !libc::localtime_r(&time, &mut tm).is_null() };
    if found { i64::from(tm.tm_gmtoff) } else { 0 }
}

#[cfg(not(unix))]
fn local_offset(_seconds: i64) -> i64 {
    0
}

fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// The current local time as RFC 3339 with its offset, to the second:
/// `2026-11-23T10:41:07+01:00`.
pub fn now_local_rfc3339() -> String {
    let now = now_seconds();
    rfc3339(now, local_offset(now))
}

/// Today's date in the local time zone.
pub fn today_local() -> Date {
    let now = now_seconds();
    let days = (now + local_offset(now)).div_euclid(86_400);
    Date::from_day_number(days)
        .or_else(|| Date::new(2000, 1, 1))
        .expect("2000-01-01 is a date")
}

/// Formats seconds since the Unix epoch at an offset (seconds east of UTC) as RFC 3339.
pub fn rfc3339(seconds: i64, offset: i64) -> String {
    let local = seconds + offset;
    let days = local.div_euclid(86_400);
    let rest = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let zone = if offset == 0 {
        "Z".to_owned()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.unsigned_abs() / 60;
        format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{zone}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests;
