//! `stepcare follow-up`: a helsestasjon's list of who is due, overdue, or had
//! an urgent result that no later visit closed.
//!
//! Reads saved visits (`visit --save`) and exports (an `id` column,
//! `respondent`, a screening date, and a due date or the child's birth date),
//! scores each row with the chosen instruments the file has columns for,
//! applies the rule table, groups the screens by family and respondent, and
//! reports per family (see [`stepcare::followup`]). Every row is accounted
//! for: rows without an id or a date are counted and named, never dropped
//! silently.

use std::collections::{BTreeMap, HashMap};

use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use comfy_table::{Table, presets::ASCII_MARKDOWN};
use serde_json::{Value as Json, json};

use super::UsageError;
use super::common::CatalogArgs;
use super::rules_arg::{load_rules, parse_sets};
use super::score::Values;
use stepcare::batch::plan_columns;
use stepcare::batch::{BatchOptions, Layout, RowSink, ScoredRow, score_stream};
use stepcare::followup::{FamilyKey, FollowUp, History, Names, Screen, Task, assess, sparkline};
use stepcare::instrument::age::Date;
use stepcare::instrument::{Instrument, ValueKind};
use stepcare::rules::timepoint::TimeColumns;
use stepcare::rules::{DataValues, Plan, RuleTable};

/// Output formats of `follow-up`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FollowUpFormat {
    /// A table of the families that need something, for reading.
    Table,
    /// One CSV row per family.
    Csv,
    /// One JSON object per family and respondent (the stable contract).
    Jsonl,
}

/// Arguments of `stepcare follow-up`.
#[derive(Debug, clap::Args)]
pub struct FollowUpArgs {
    /// The rule table: a shipped id (no-default, se-default) or a file; its
    /// schedule and rescreen windows decide what is due.
    #[arg(long, value_name = "ID|FILE")]
    rules: String,
    /// Instrument to score (repeatable); each file is scored with those it has columns for.
    #[arg(long = "instrument", required = true, value_name = "ID")]
    instruments: Vec<String>,
    /// Saved visits or exports, repeatable: CSV (`,` `;` or tab), JSON Lines
    /// (`visit --save`, `score --format jsonl`) or a workbook (.xlsx, .xls, .xlsb, .ods).
    #[arg(long = "input", required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    sheet: super::common::SheetArgs,
    /// The day to assess (2026-11-23 or 23.11.2026); today when absent.
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
    /// Also list as due what opens within this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    due_within: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FollowUpFormat::Table)]
    format: FollowUpFormat,
    /// The column that identifies a family or person.
    #[arg(long, value_name = "COLUMN", default_value = "id")]
    id_column: String,
    /// In the table and CSV, list every family, not only those that need something.
    #[arg(long)]
    all: bool,
    /// What the item cells hold.
    #[arg(long, value_enum, default_value_t = Values::Points)]
    values: Values,
    /// A YAML map from export column names to `instrument.item`.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// A data value for every row, for a column the table reads (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// Rows that could not be followed up, by reason: (file, data row).
#[derive(Debug, Default)]
struct Unplaced {
    no_id: Vec<(u16, u64)>,
    no_date: Vec<(u16, u64)>,
}

/// Collects one file's screens into the families.
struct Collector<'a> {
    table: &'a RuleTable,
    constants: &'a DataValues,
    names: &'a Names,
    file: u16,
    /// Per run instrument of this file: its bit in [`Names::instruments`] and
    /// the index of its first scale in [`Names::scales`].
    slots: Vec<(u32, usize)>,
    plan: Option<Plan>,
    id: Option<usize>,
    respondent: Option<usize>,
    time: TimeColumns,
    families: &'a mut HashMap<FamilyKey, History>,
    unplaced: &'a mut Unplaced,
    rows: u64,
}

fn header_index(headers: &[String], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|name| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    })
}

fn cell_text(record: &csv::ByteRecord, column: Option<usize>) -> String {
    column
        .and_then(|c| record.get(c))
        .map(|b| String::from_utf8_lossy(b).trim().to_owned())
        .unwrap_or_default()
}

fn cell_date(record: &csv::ByteRecord, column: Option<usize>) -> Option<Date> {
    let text = cell_text(record, column);
    // A saved visit's timestamp (2026-11-23T10:12:00+01:00) gives its date.
    Date::parse(text.split('T').next().unwrap_or("")).ok()
}

impl RowSink for Collector<'_> {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        let plan = Plan::new(
            self.table,
            &layout.instruments,
            &layout.headers,
            self.constants,
        )
        .map_err(|missing| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                stepcare::batch::care::MissingCareColumns {
                    table: self.table.id.clone(),
                    missing,
                    headers: layout.headers.clone(),
                },
            )
        })?;
        self.plan = Some(plan);
        self.slots = layout
            .instruments
            .iter()
            .map(|i| {
                let bit = self
                    .names
                    .instruments
                    .iter()
                    .position(|n| *n == i.id)
                    .unwrap_or(0);
                let first = format!(
                    "{}.{}",
                    i.id,
                    i.scales.first().map_or("", |s| s.id.as_str())
                );
                let scale = self
                    .names
                    .scales
                    .iter()
                    .position(|n| *n == first)
                    .unwrap_or(0);
                (bit as u32, scale)
            })
            .collect();
        self.respondent = header_index(&layout.headers, &["respondent"]);
        self.time = TimeColumns::find(&layout.headers);
        if self.time.screening.is_none() {
            // A saved visit's date is `visit_date` (the day of the visit,
            // apart from when it was saved); older files have only `timestamp`.
            self.time.screening = header_index(&layout.headers, &["visit_date"])
                .or_else(|| header_index(&layout.headers, &["timestamp"]));
        }
        Ok(())
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        self.rows += 1;
        let record = row.record;
        let id = cell_text(record, self.id);
        if id.is_empty() {
            self.unplaced.no_id.push((self.file, row.number));
            return Ok(());
        }
        let Some(date) = cell_date(record, self.time.screening) else {
            self.unplaced.no_date.push((self.file, row.number));
            return Ok(());
        };
        let plan = self.plan.as_mut().expect("begun");
        let cell = |c: usize| record.get(c).unwrap_or(b"");
        let outcome = plan.evaluate(self.table, row.scores, cell);
        let (level, urgent, window) = (
            outcome.level_number(self.table),
            outcome.urgent,
            outcome.rescreen,
        );
        let rescreen = window.and_then(|(from, to)| {
            Some((
                date.add_days(i64::from(from))?,
                date.add_days(i64::from(to))?,
            ))
        });
        let mut scores = vec![None; self.names.scales.len()];
        let mut instruments = 0u64;
        for ((instrument, score), &(bit, first)) in
            layout.instruments.iter().zip(row.scores).zip(&self.slots)
        {
            if score.is_blank(instrument) {
                continue;
            }
            instruments |= 1 << bit;
            for (k, result) in score.scales.iter().enumerate() {
                if let Some(slot) = scores.get_mut(first + k) {
                    *slot = result.score;
                }
            }
        }
        if instruments == 0 {
            // Nothing was screened in this row: not a screen to follow up.
            self.unplaced.no_date.push((self.file, row.number));
            return Ok(());
        }
        let screen = Screen {
            date,
            instruments,
            scores,
            level,
            urgent,
            rescreen,
            file: self.file,
            row: row.number,
        };
        let key = FamilyKey {
            id,
            respondent: cell_text(record, self.respondent).to_lowercase(),
        };
        let due = cell_date(record, self.time.due);
        let birth = cell_date(record, self.time.birth);
        self.families
            .entry(key)
            .or_default()
            .add(screen, due, birth);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One input opened for reading: its first bytes (for the header) and the rest.
struct OpenedFollowUp {
    head: Vec<u8>,
    rest: Box<dyn Read + Send>,
    origin: Option<stepcare::sheet::SheetOrigin>,
}

/// Opens a CSV file, a workbook's sheet, or JSON Lines of saved visits or scored
/// rows (turned into CSV in a temporary file), keeping the first 64 KiB apart.
fn open_follow_up_input(path: &Path, sheet: Option<&str>) -> anyhow::Result<OpenedFollowUp> {
    let opened = super::common::open_input(path, sheet)?;
    let mut reader = opened.reader;
    let mut head = Vec::with_capacity(64 * 1024);
    (&mut reader)
        .take(64 * 1024)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    if opened.origin.is_none() && stepcare::saved_rows::looks_like_jsonl(&head) {
        let mut json = tempfile::tempfile()?;
        io::copy(&mut io::Cursor::new(&head).chain(reader), &mut json)?;
        json.seek(io::SeekFrom::Start(0))?;
        let mut rows = tempfile::tempfile()?;
        stepcare::saved_rows::jsonl_to_csv(&mut json, io::BufWriter::new(&mut rows))
            .with_context(|| format!("reading `{}` as JSON Lines", path.display()))?;
        rows.seek(io::SeekFrom::Start(0))?;
        let mut head = Vec::with_capacity(64 * 1024);
        (&mut rows).take(64 * 1024).read_to_end(&mut head)?;
        return Ok(OpenedFollowUp {
            head,
            rest: Box::new(rows),
            origin: None,
        });
    }
    Ok(OpenedFollowUp {
        head,
        rest: reader,
        origin: opened.origin,
    })
}

/// The header of an input and its delimiter, for choosing its instruments.
fn read_header(path: &Path, input: &OpenedFollowUp) -> anyhow::Result<(Vec<String>, u8)> {
    let delimiter = match input.origin {
        Some(_) => b',',
        None => stepcare::batch::input::sniff_delimiter(&input.head),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(&input.head[..]);
    let headers = reader
        .headers()
        .with_context(|| format!("cannot read the header of `{}`", path.display()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_owned())
        .collect();
    Ok((headers, delimiter))
}

/// Runs `stepcare follow-up`.
pub fn run(args: FollowUpArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let table = load_rules(&args.rules, &catalog)?;
    let instruments = super::common::pick_instruments(&catalog, &args.instruments)?;
    let today = match &args.today {
        Some(text) => Date::parse(text).map_err(|e| UsageError(format!("--today {text}: {e}")))?,
        None => super::visit::today(),
    };
    let constants = parse_sets(&args.set, &[&table])?;
    let map = match &args.map {
        Some(path) => super::score::read_map(path)?,
        None => BTreeMap::new(),
    };
    let options = BatchOptions {
        values: match args.values {
            Values::Points => ValueKind::Points,
            Values::Position => ValueKind::Position,
            Values::Label => ValueKind::Label,
        },
        map: map.clone(),
        ..BatchOptions::default()
    };
    let mut families: HashMap<FamilyKey, History> = HashMap::new();
    let mut unplaced = Unplaced::default();
    if instruments.len() > 64 {
        return Err(
            UsageError("follow-up follows at most 64 instruments at once".to_owned()).into(),
        );
    }
    let names = Names {
        instruments: instruments.iter().map(|i| i.id.clone()).collect(),
        scales: instruments
            .iter()
            .flat_map(|i| i.scales.iter().map(move |s| format!("{}.{}", i.id, s.id)))
            .collect(),
        files: args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    };
    let mut rows = 0;
    // The CSV output uses the first input's delimiter, so it opens in the same spreadsheet.
    let mut delimiter = None;
    for (file, path) in args.inputs.iter().enumerate() {
        let input = open_follow_up_input(path, args.sheet.sheet.as_deref())?;
        let (headers, found) = read_header(path, &input)?;
        delimiter.get_or_insert(found);
        let present: Vec<&Instrument> = instruments
            .iter()
            .copied()
            .filter(|i| plan_columns(&headers, &[i], &[], &map).is_ok())
            .collect();
        if present.is_empty() {
            return Err(anyhow::anyhow!(
                "`{}` has the item columns of none of the instruments chosen ({}); name them with --map",
                path.display(),
                args.instruments.join(", ")
            ));
        }
        let id = header_index(&headers, &[args.id_column.as_str()]);
        if id.is_none() {
            return Err(anyhow::anyhow!(
                "`{}` has no column `{}` to tell the families apart (choose one with --id-column)",
                path.display(),
                args.id_column
            ));
        }
        let mut collector = Collector {
            table: &table,
            constants: &constants,
            names: &names,
            file: u16::try_from(file).unwrap_or(u16::MAX),
            slots: Vec::new(),
            plan: None,
            id,
            respondent: None,
            time: TimeColumns::default(),
            families: &mut families,
            unplaced: &mut unplaced,
            rows: 0,
        };
        let options = BatchOptions {
            origin: input.origin.clone(),
            ..options.clone()
        };
        let reader = io::Cursor::new(input.head).chain(input.rest);
        score_stream(reader, &present, &options, &mut collector)
            .with_context(|| format!("reading `{}`", path.display()))?;
        rows += collector.rows;
    }
    let mut report: Vec<(FamilyKey, &History, FollowUp)> = families
        .iter()
        .map(|(key, history)| {
            let follow = assess(&table, &names, key, history, today, args.due_within);
            (key.clone(), history, follow)
        })
        .collect();
    report.sort_by(|a, b| {
        let rank = |f: &FollowUp| {
            (
                f.open_urgent.is_empty(),
                f.overdue.is_empty(),
                f.due.is_empty(),
            )
        };
        rank(&a.2).cmp(&rank(&b.2)).then_with(|| a.0.cmp(&b.0))
    });
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.format {
        FollowUpFormat::Jsonl => {
            for (key, history, follow) in &report {
                writeln!(out, "{}", to_json(&names, key, history, follow))?;
            }
        }
        FollowUpFormat::Csv => write_csv(&mut out, &report, args.all, delimiter.unwrap_or(b','))?,
        FollowUpFormat::Table => {
            write!(
                out,
                "{}",
                to_table(&names, &report, &catalog, args.all, today)
            )?;
        }
    }
    out.flush()?;
    let urgent = report
        .iter()
        .filter(|r| !r.2.open_urgent.is_empty())
        .count();
    let overdue = report.iter().filter(|r| !r.2.overdue.is_empty()).count();
    let due = report.iter().filter(|r| !r.2.due.is_empty()).count();
    eprintln!(
        "{} read: {} followed up on {today}; {urgent} with an open urgent result, {overdue} overdue, {due} due",
        stepcare::lang::count(rows, "row", "rows"),
        stepcare::lang::count(
            report.len() as u64,
            "family and respondent",
            "families and respondents"
        ),
    );
    for (what, list) in [
        ("without an id", &unplaced.no_id),
        ("without a screening date or answers", &unplaced.no_date),
    ] {
        if !list.is_empty() {
            let shown: Vec<String> = list
                .iter()
                .take(10)
                .map(|&(file, row)| format!("{} row {row}", names.files[usize::from(file)]))
                .collect();
            eprintln!(
                "WARNING: {} {what} {} not followed up: {}{}",
                stepcare::lang::count(list.len() as u64, "row", "rows"),
                if list.len() == 1 { "is" } else { "are" },
                shown.join(", "),
                if list.len() > 10 { ", ..." } else { "" }
            );
        }
    }
    if urgent > 0 {
        eprintln!(
            "WARNING: {} an URGENT result that no later visit closed: act on {} today.",
            if urgent == 1 {
                "1 family has".to_owned()
            } else {
                format!("{urgent} families have")
            },
            if urgent == 1 { "it" } else { "them" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn task_json(task: &Task) -> Json {
    json!({
        "what": task.what,
        "why": task.why,
        "instrument": task.instrument,
        "from": task.from.to_string(),
        "to": task.to.to_string(),
    })
}

fn screen_json(names: &Names, screen: &Screen) -> Json {
    let given = names.instruments_of(screen);
    let scores: serde_json::Map<String, Json> = names
        .scales
        .iter()
        .zip(&screen.scores)
        .filter(|(name, _)| given.iter().any(|i| name.split('.').next() == Some(*i)))
        .map(|(k, v)| (k.clone(), stepcare::batch::output::score_json(*v)))
        .collect();
    json!({
        "date": screen.date.to_string(),
        "instruments": given,
        "scores": scores,
        "level": screen.level,
        "urgent": screen.urgent,
        "rescreen": screen.rescreen.map(|(from, to)| json!({"from": from.to_string(), "to": to.to_string()})),
        "origin": names.origin(screen),
    })
}

fn to_json(names: &Names, key: &FamilyKey, history: &History, follow: &FollowUp) -> Json {
    let screens = |list: &mut dyn Iterator<Item = &Screen>| -> Vec<Json> {
        list.map(|s| screen_json(names, s)).collect()
    };
    json!({
        "id": key.id,
        "respondent": key.respondent,
        "open_urgent": screens(&mut follow.open_urgent.iter()),
        "overdue": follow.overdue.iter().map(task_json).collect::<Vec<_>>(),
        "due": follow.due.iter().map(task_json).collect::<Vec<_>>(),
        "missed": follow.missed.iter().map(task_json).collect::<Vec<_>>(),
        "history": screens(&mut history.screens.iter()),
        "history_dropped": history.dropped,
        "due_date": history.due.map(|d| d.to_string()),
        "birth_date": history.birth.map(|d| d.to_string()),
    })
}

fn tasks_text(tasks: &[Task]) -> String {
    tasks
        .iter()
        .map(|t| format!("{} ({}..{})", t.what, t.from, t.to))
        .collect::<Vec<_>>()
        .join("|")
}

fn write_csv(
    out: &mut impl Write,
    report: &[(FamilyKey, &History, FollowUp)],
    all: bool,
    delimiter: u8,
) -> anyhow::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(out);
    writer.write_record([
        "id",
        "respondent",
        "open_urgent",
        "overdue",
        "due",
        "missed",
        "last_date",
        "last_level",
        "screens",
    ])?;
    for (key, history, follow) in report {
        if !all && !follow.needs_action() {
            continue;
        }
        let last = history.screens.back();
        let urgent: Vec<String> = follow
            .open_urgent
            .iter()
            .map(|s| s.date.to_string())
            .collect();
        writer.write_record([
            key.id.clone(),
            key.respondent.clone(),
            urgent.join("|"),
            tasks_text(&follow.overdue),
            tasks_text(&follow.due),
            tasks_text(&follow.missed),
            last.map(|s| s.date.to_string()).unwrap_or_default(),
            last.and_then(|s| s.level)
                .map(|l| l.to_string())
                .unwrap_or_default(),
            (history.screens.len() as u64 + history.dropped).to_string(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// The range of a scale's scores, for the trend.
fn scale_range(catalog: &stepcare::catalog::Catalog, key: &str) -> (f64, f64) {
    key.split_once('.')
        .and_then(|(instrument, scale)| {
            let instrument = catalog.get(instrument)?;
            let scale = instrument.scale_index(scale)?;
            let scores = instrument.scales[scale].reachable_scores(&instrument.items);
            Some((*scores.first()?, *scores.last()?))
        })
        .unwrap_or((0.0, 1.0))
}

fn to_table(
    names: &Names,
    report: &[(FamilyKey, &History, FollowUp)],
    catalog: &stepcare::catalog::Catalog,
    all: bool,
    today: Date,
) -> String {
    let mut table = Table::new();
    table.load_style(ASCII_MARKDOWN);
    table.set_header([
        "id",
        "respondent",
        "open urgent",
        "overdue",
        "due",
        "last screen",
        "level",
        "trend",
    ]);
    let mut shown = 0;
    for (key, history, follow) in report {
        if !all && !follow.needs_action() {
            continue;
        }
        shown += 1;
        let last = history.screens.back();
        // The trend of the first scale of the last screen's first instrument,
        // over the screens that gave that instrument.
        let trend = last
            .and_then(|s| names.instruments_of(s).first().copied())
            .and_then(|id| {
                let bit = names.instruments.iter().position(|i| i == id)?;
                let scale = names
                    .scales
                    .iter()
                    .position(|n| n.split('.').next() == Some(id))?;
                let values: Vec<Option<f64>> = history
                    .screens
                    .iter()
                    .filter(|s| s.instruments & (1 << bit) != 0)
                    .map(|s| s.scores[scale])
                    .collect();
                let name = &names.scales[scale];
                Some(format!(
                    "{} {name}",
                    sparkline(&values, scale_range(catalog, name))
                ))
            })
            .unwrap_or_default();
        let list = |tasks: &[Task]| {
            tasks
                .iter()
                .map(|t| format!("{} {}..{}", t.what, t.from, t.to))
                .collect::<Vec<_>>()
                .join("\n")
        };
        table.add_row([
            key.id.clone(),
            key.respondent.clone(),
            follow
                .open_urgent
                .iter()
                .map(|s| format!("URGENT {}", s.date))
                .collect::<Vec<_>>()
                .join("\n"),
            list(&follow.overdue),
            list(&follow.due),
            last.map(|s| s.date.to_string()).unwrap_or_default(),
            last.and_then(|s| s.level)
                .map_or_else(|| "-".to_owned(), |l| l.to_string()),
            trend,
        ]);
    }
    if shown == 0 {
        return format!("Nothing is due, overdue or urgent on {today}.\n");
    }
    format!("Follow-up on {today}\n\n{table}\n")
}
