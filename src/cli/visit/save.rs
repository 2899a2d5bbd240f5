//! `--save FILE`: one CSV row per finished visit, appended safely.
//!
//! The columns are those of `stepcare score --with-answers --rules TABLE` for
//! the same instruments, with the visit's `id`, `timestamp` and `respondent`
//! where a batch run puts its `--keep` columns; the `care.*` columns are always
//! there (empty for a visit without `--rules`), so every file of visits has one
//! layout. After the batch columns come what a child questionnaire was
//! scored from, under the names `stepcare score` reads (`<id>.birth_date`,
//! `<id>.screening_date`, `<id>.gestational_weeks` when the definition
//! corrects for prematurity, and `<id>.<item>.concern` for every item with a
//! concern box: `yes`, `no`, or blank when the form did not ask the item),
//! then `rule_table`, `rule_table_version` and `definitions` (each
//! instrument's definition version). The row is written by the batch CSV
//! writer itself, stepped-care part included, so the two layouts cannot
//! drift apart, and a file of visits can be scored again as it stands.
//!
//! Safety: the file is created with owner-only permissions (0600 on Unix),
//! opened for appending, and locked (an advisory lock, so two visits saving
//! at once take turns); the header is written only when the file is empty,
//! and the header plus row go out in one write, then the file is synced. A
//! file whose header differs (other instruments) is refused rather than mixed.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};

use stepcare::batch::care::CARE_COLUMNS;
use stepcare::batch::output::{CsvSink, LIST_SEPARATOR};
use stepcare::batch::{ColumnPlan, Layout, RowIssue, RowSink, ScoredRow};
use stepcare::instrument::ValueKind;
use stepcare::lang::Lang;
use stepcare::scoring::{InstrumentScore, Status};
use stepcare::session::VisitSession;

use super::recommend::Advice;

/// The visit columns put where a batch run puts its kept columns.
const KEEP: [&str; 3] = ["id", "timestamp", "respondent"];

/// The columns after the batch columns.
const VISIT: [&str; 3] = ["rule_table", "rule_table_version", "definitions"];

/// What goes into the saved row besides the answers.
pub struct VisitFacts<'a> {
    /// `--id`, or empty.
    pub id: &'a str,
    /// When the visit finished, RFC 3339 UTC.
    pub timestamp: &'a str,
    /// Who answered.
    pub respondent: &'a str,
}

/// The header and the row (as fields) of a finished visit; `row` is the row number.
pub fn record(
    session: &VisitSession<'_>,
    facts: &VisitFacts<'_>,
    advice: &Advice,
    lang: Lang,
    row: u64,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let instruments = session.instruments().to_vec();
    let layout = Layout {
        instruments: instruments.clone(),
        headers: KEEP.iter().map(|s| (*s).to_owned()).collect(),
        columns: ColumnPlan {
            items: instruments.iter().map(|i| vec![0; i.items.len()]).collect(),
            keep: KEEP
                .iter()
                .enumerate()
                .map(|(index, name)| ((*name).to_owned(), index))
                .collect(),
        },
        delimiter: b',',
        // The session stores only valid options, so no cell is ever reported as invalid.
        values: ValueKind::Position,
        origin: None,
    };
    let scores: Vec<InstrumentScore> = session.scores();
    // The same account of unscored scales as a batch row gives.
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
    let kept = csv::ByteRecord::from(vec![facts.id, facts.timestamp, facts.respondent]);
    let scored = ScoredRow {
        number: row,
        status,
        record: &kept,
        scores: &scores,
        answers: session.answers(),
        issues: &issues,
    };
    let mut sink = CsvSink::new(Vec::new(), b',', true);
    let with_care = match advice.care(lang) {
        Some(care) => {
            sink = sink.with_care(care);
            true
        }
        None => false,
    };
    sink.begin(&layout)?;
    sink.row(&layout, &scored)?;
    let bytes = sink.into_inner()?;
    let mut records = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes.as_slice())
        .into_records();
    let mut next = || -> anyhow::Result<Vec<String>> {
        Ok(records
            .next()
            .context("the batch writer wrote no row")??
            .iter()
            .map(str::to_owned)
            .collect())
    };
    let mut header = next()?;
    let mut fields = next()?;
    if !with_care {
        // The same layout as with rules: empty care columns before `errors`.
        let at = header.len() - 1;
        header.splice(at..at, CARE_COLUMNS.iter().map(|c| (*c).to_owned()));
        fields.splice(at..at, CARE_COLUMNS.iter().map(|_| String::new()));
    }
    let (inputs, values) = scored_from(session);
    header.extend(inputs);
    fields.extend(values);
    header.extend(VISIT.iter().map(|c| (*c).to_owned()));
    fields.extend(advice.table_columns());
    fields.push(
        instruments
            .iter()
            .map(|i| format!("{}@{}", i.id, i.version))
            .collect::<Vec<_>>()
            .join(LIST_SEPARATOR),
    );
    if fields.len() != header.len() {
        bail!(
            "internal error: the saved row has {} fields but the header {}",
            fields.len(),
            header.len()
        );
    }
    Ok((header, fields))
}

/// The columns (and values) a batch run needs besides the answers to score
/// the visit again: a child questionnaire's dates and gestational age, and
/// every concern box.
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

fn csv_line(fields: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields)?;
    writer
        .into_inner()
        .map_err(|err| anyhow::anyhow!("{}", err.error()))
}

/// Appends the visit to `path` and returns its row number.
///
/// `build` makes the header and row for a row number; it is called under the
/// lock, once the number of rows already in the file is known.
pub fn append(
    path: &Path,
    build: impl Fn(u64) -> anyhow::Result<(Vec<String>, Vec<String>)>,
) -> anyhow::Result<u64> {
    let shown = path.display();
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file: File = options
        .open(path)
        .with_context(|| format!("cannot open `{shown}` to save the visit"))?;
    file.lock()
        .with_context(|| format!("cannot lock `{shown}` to save the visit"))?;
    let mut existing = Vec::new();
    file.read_to_end(&mut existing)
        .with_context(|| format!("cannot read `{shown}`"))?;

    let mut out = Vec::new();
    let row_number;
    if existing.iter().all(u8::is_ascii_whitespace) {
        let (header, row) = build(1)?;
        if !existing.is_empty() {
            bail!("`{shown}` holds only blank lines; save to a new or empty file");
        }
        out.extend(csv_line(&header)?);
        out.extend(csv_line(&row)?);
        row_number = 1;
    } else {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(existing.as_slice());
        let mut records = reader.byte_records();
        let found: Vec<String> = match records.next() {
            Some(Ok(record)) => record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect(),
            _ => bail!("`{shown}` is not a CSV file of saved visits"),
        };
        let rows = records.count() as u64;
        row_number = rows + 1;
        let (header, row) = build(row_number)?;
        if found != header {
            bail!(
                "`{shown}` has other columns than this visit (other instruments, or not a file of saved visits); save to another file\n  file:  {}\n  visit: {}",
                found.join(","),
                header.join(",")
            );
        }
        if existing.last() != Some(&b'\n') {
            out.push(b'\n');
        }
        out.extend(csv_line(&row)?);
    }
    // One write of the whole row: with O_APPEND and the lock held, rows never interleave.
    file.write_all(&out)
        .with_context(|| format!("cannot write to `{shown}`"))?;
    file.sync_all()
        .with_context(|| format!("cannot write to `{shown}`"))?;
    file.unlock()
        .with_context(|| format!("cannot unlock `{shown}`"))?;
    Ok(row_number)
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

/// The current time as RFC 3339 in UTC, to the second: `2026-11-23T05:41:07Z`.
pub fn now_rfc3339() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(seconds)
}

/// Formats seconds since the Unix epoch as RFC 3339 UTC.
fn rfc3339(seconds: u64) -> String {
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
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
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_164_800), "2024-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_735_689_599), "2024-12-31T23:59:59Z");
        assert_eq!(rfc3339(4_102_444_800), "2100-01-01T00:00:00Z");
        assert_eq!(now_rfc3339().len(), 20);
    }

    #[test]
    fn every_day_follows_the_one_before() {
        let mut previous = civil_from_days(-1);
        for day in 0..200_000 {
            let (y, m, d) = civil_from_days(day);
            let (py, pm, pd) = previous;
            let next_day = (y, m, d) == (py, pm, pd + 1);
            let next_month = (y, m, d) == (py, pm + 1, 1);
            let next_year = (y, m, d) == (py + 1, 1, 1) && (pm, pd) == (12, 31);
            assert!(
                next_day || next_month || next_year,
                "{previous:?} -> {y}-{m}-{d}"
            );
            previous = (y, m, d);
        }
    }

    fn fields(header: &[&str], row: &[&str]) -> (Vec<String>, Vec<String>) {
        (
            header.iter().map(|s| (*s).to_owned()).collect(),
            row.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    #[test]
    fn append_writes_the_header_once_and_numbers_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("visits.csv");
        let build = |n: u64| Ok(fields(&["row", "a, b"], &[&n.to_string(), "x\ny"]));
        assert_eq!(append(&path, build).unwrap(), 1);
        assert_eq!(append(&path, build).unwrap(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "row,\"a, b\"\n1,\"x\ny\"\n2,\"x\ny\"\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            assert_eq!(readable_by_others(&path), Some(false));
        }
    }

    #[test]
    fn a_file_with_other_columns_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("visits.csv");
        std::fs::write(&path, "row,other\n1,2\n").unwrap();
        let err = append(&path, |n| Ok(fields(&["row", "a"], &[&n.to_string(), "x"])))
            .unwrap_err()
            .to_string();
        assert!(err.contains("has other columns"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "row,other\n1,2\n");
    }

    #[test]
    fn a_missing_final_newline_does_not_glue_rows_together() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("visits.csv");
        std::fs::write(&path, "row,a\n1,x").unwrap();
        let row = append(&path, |n| Ok(fields(&["row", "a"], &[&n.to_string(), "y"]))).unwrap();
        assert_eq!(row, 2);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "row,a\n1,x\n2,y\n");
    }

    #[test]
    fn concurrent_appends_never_interleave() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("visits.csv");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        let long = format!("{t}").repeat(5000);
                        append(&path, |n| {
                            Ok(fields(&["row", "who"], &[&n.to_string(), &long]))
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 81);
        assert_eq!(lines[0], "row,who");
        for (n, line) in lines[1..].iter().enumerate() {
            let (number, who) = line.split_once(',').unwrap();
            assert_eq!(number, (n + 1).to_string(), "rows are numbered in order");
            assert_eq!(who.len(), 5000);
            assert!(who.chars().all(|c| c == who.chars().next().unwrap()));
        }
    }
}
