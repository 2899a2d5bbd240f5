//! `stepcare score`: batch scoring of an export, one output row per input row.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use super::UsageError;
use super::common::{CatalogArgs, SheetArgs, fail_with, open_input, read_file};
use super::outfile::{Input, OutputFile};
use stepcare::batch::output::{CsvSink, JsonlSink, row_json};
use stepcare::batch::{BatchOptions, Encoding, Layout, RowSink, ScoredRow, Summary, score_stream};
use stepcare::instrument::{Instrument, ValueKind, fmt_score};
use stepcare::scoring::InstrumentScore;
use stepcare::texts::load_text_pack;

use super::common::resolve_lang;
use stepcare::batch::care::{Care, CareSummary};
use stepcare::lang::Lang;

/// Output formats of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma- (or input-delimiter-) separated values.
    Csv,
    /// One JSON object per line: the stable machine contract.
    Jsonl,
    /// A table for reading on screen.
    Table,
    /// FHIR Observations (NDJSON), one per scored scale.
    Fhir,
}

/// What the item cells hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Values {
    /// The points each answer scores.
    Points,
    /// The 1-based printed position of the option (keying is applied).
    Position,
    /// The option label, in any shipped language.
    Label,
}

/// Text encodings of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputEncoding {
    /// UTF-8 (default; a byte-order mark is fine).
    #[value(name = "utf-8")]
    Utf8,
    /// Windows-1252 / Latin-1, as older Excel versions save CSV.
    #[value(name = "windows-1252", alias = "latin1", alias = "cp1252")]
    Windows1252,
}

/// Arguments of `stepcare score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Instrument to score (repeatable: `--instrument epds --instrument gad7`).
    #[arg(long = "instrument", required = true, value_name = "ID")]
    instruments: Vec<String>,
    /// The export to score: a CSV file, a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods), FHIR QuestionnaireResponses (JSON, a Bundle or NDJSON), or `-` for standard input.
    #[arg(long, value_name = "FILE|-")]
    input: PathBuf,
    #[command(flatten)]
    sheet: SheetArgs,
    /// Where to write the results (written atomically); standard output if absent.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// What the item cells hold.
    #[arg(long, value_enum, default_value_t = Values::Points)]
    values: Values,
    /// Copy this input column to the output (repeatable), e.g. an id.
    #[arg(long, value_name = "COLUMN")]
    keep: Vec<String>,
    /// A YAML map from export column names to `instrument.item`.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// A cell value meaning "not answered", besides a blank (repeatable), e.g. NA.
    #[arg(long = "na", value_name = "VALUE")]
    missing_codes: Vec<String>,
    /// The input's field delimiter; detected among `,` `;` and tab when absent.
    #[arg(long, value_parser = parse_delimiter)]
    delimiter: Option<u8>,
    /// The input's text encoding.
    #[arg(long, value_enum, default_value_t = InputEncoding::Utf8)]
    encoding: InputEncoding,
    /// Also write each item's points (after applying the keying).
    #[arg(long)]
    with_answers: bool,
    /// Stop with an error (exit 1) at the first invalid row.
    #[arg(long)]
    strict: bool,
    /// Licensed wording (text packs) whose option texts are also accepted with --values label.
    #[arg(long, value_name = "FILE")]
    texts: Vec<PathBuf>,
    /// Recommend a stepped-care level with this rule table: a shipped id (no-default, se-default) or a file.
    #[arg(long, value_name = "ID|FILE")]
    rules: Option<String>,
    /// A data value for every row, for a column the rule table reads (repeatable), e.g. respondent=mother.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Language of the care level names (nb, sv or en); from LANG when absent.
    #[arg(long)]
    lang: Option<Lang>,
    /// No summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    fhir: super::interop_args::FhirInputArgs,
    #[command(flatten)]
    catalog: CatalogArgs,
}

fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => Ok(text.as_bytes()[0]),
        _ => Err("expected one ASCII character, or `tab`".to_owned()),
    }
}

/// Runs `stepcare score`.
pub fn run(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let instruments = super::common::pick_instruments(&catalog, &args.instruments)?;
    let reading_stdin = args.input.as_os_str() == "-";
    // Opened first: an output that is the input is refused before anything is read.
    let mut output_file = match &args.output {
        Some(path) => Some(OutputFile::create(
            path,
            if reading_stdin {
                Input::Stdin
            } else {
                Input::Path(&args.input)
            },
        )?),
        None => None,
    };
    let map = match &args.map {
        Some(path) => read_map(path)?,
        None => BTreeMap::new(),
    };
    let mut extra_labels = Vec::new();
    for path in &args.texts {
        let text = read_file(path)?;
        let shown = path.display().to_string();
        let pack = load_text_pack(&shown, &text, &instruments)
            .map_err(|d| fail_with(d, |_| Some(text.clone())))?;
        for (item, wording) in &pack.items {
            for (option, words) in &wording.options {
                extra_labels.push((
                    pack.instrument.clone(),
                    item.clone(),
                    *option,
                    words.clone(),
                ));
            }
        }
    }
    let options = BatchOptions {
        values: match args.values {
            Values::Points => ValueKind::Points,
            Values::Position => ValueKind::Position,
            Values::Label => ValueKind::Label,
        },
        keep: args.keep.clone(),
        map,
        missing_codes: args.missing_codes.clone(),
        delimiter: args.delimiter,
        encoding: match args.encoding {
            InputEncoding::Utf8 => Encoding::Utf8,
            InputEncoding::Windows1252 => Encoding::Windows1252,
        },
        strict: args.strict,
        extra_labels,
        issue_column: None,
        origin: None,
    };
    let opened = open_input(&args.input, args.sheet.sheet.as_deref())?;
    if opened.origin.is_some() && (args.delimiter.is_some() || args.encoding != InputEncoding::Utf8)
    {
        return Err(UsageError(
            "--delimiter and --encoding apply to delimited text, not to a workbook".to_owned(),
        )
        .into());
    }
    let input = opened.reader;
    let options = BatchOptions {
        origin: opened.origin,
        ..options
    };
    // FHIR responses (JSON, a Bundle or NDJSON) are read as rows; CSV passes through.
    let mut options = options;
    let fhir = super::interop_args::open_input(input, &instruments, &mut options, &args.fhir)?;
    let input = fhir.reader;
    let input_name = if reading_stdin {
        "standard input".to_owned()
    } else {
        format!("`{}`", args.input.display())
    };

    let care = match &args.rules {
        Some(spec) => {
            let table = super::rules_arg::load_rules(spec, &catalog)?;
            let constants = super::rules_arg::parse_sets(&args.set, &[&table])?;
            Some(
                Care::new(
                    std::sync::Arc::new(table),
                    constants,
                    resolve_lang(args.lang),
                )
                .refusing_overrides(),
            )
        }
        None if !args.set.is_empty() => {
            return Err(
                UsageError("--set gives data for a rule table: add --rules".to_owned()).into(),
            );
        }
        None => None,
    };
    let mut care_summary: Option<CareSummary> = None;
    let summary = match output_file.take() {
        Some(mut file) => {
            let (summary, _) = write_all(
                input,
                &instruments,
                &options,
                &args,
                file.file(),
                care,
                &mut care_summary,
            )
            .with_context(|| format!("scoring {input_name}"))?;
            file.commit()?;
            summary
        }
        None => {
            let (summary, _) = write_all(
                input,
                &instruments,
                &options,
                &args,
                io::stdout().lock(),
                care,
                &mut care_summary,
            )
            .with_context(|| format!("scoring {input_name}"))?;
            summary
        }
    };
    if !args.quiet {
        report(&summary, args.output.as_deref());
        super::interop_args::report(&summary, &instruments, fhir.report.as_ref());
        if let Some(care) = &care_summary {
            report_care(care);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Scores into `out` in the chosen format and gives `out` back, flushed.
fn write_all<W: Write>(
    input: Box<dyn Read + Send>,
    instruments: &[&Instrument],
    options: &BatchOptions,
    args: &ScoreArgs,
    out: W,
    care: Option<Care>,
    care_summary: &mut Option<CareSummary>,
) -> anyhow::Result<(Summary, W)> {
    Ok(match args.format {
        Format::Csv => {
            // Same delimiter as the input unless told: a `;` export opens in the same Excel.
            let mut sink = DelimiterFollowingCsv {
                out: Some(out),
                sink: None,
                with_answers: args.with_answers,
                care,
            };
            let summary = score_stream(input, instruments, options, &mut sink)?;
            *care_summary = sink
                .sink
                .as_ref()
                .and_then(|s| s.care())
                .map(|c| c.summary().clone());
            let out = match sink.sink {
                Some(sink) => sink.into_inner()?,
                None => sink.out.expect("sink never started"),
            };
            (summary, out)
        }
        Format::Jsonl => {
            let mut sink = JsonlSink::new(out, args.with_answers);
            if let Some(care) = care {
                sink = sink.with_care(care);
            }
            let summary = score_stream(input, instruments, options, &mut sink)?;
            *care_summary = sink.care().map(|c| c.summary().clone());
            (summary, sink.into_inner()?)
        }
        Format::Fhir => {
            if care.is_some() {
                return Err(UsageError(
                    "--format fhir writes scale scores only; drop --rules or use another format"
                        .to_owned(),
                )
                .into());
            }
            let mut sink = stepcare::interop::observations::ObservationSink::new(out);
            let summary = score_stream(input, instruments, options, &mut sink)?;
            if !args.quiet {
                eprintln!(
                    "{} Observation(s) written; {} scale score(s) not computed, so not written",
                    sink.written, sink.unscored
                );
            }
            (summary, sink.into_inner()?)
        }
        Format::Table => {
            let mut sink = TableSink {
                table: Table::new(),
                with_answers: args.with_answers,
                care,
            };
            let summary = score_stream(input, instruments, options, &mut sink)?;
            *care_summary = sink.care.as_ref().map(|c| c.summary().clone());
            let mut out = out;
            writeln!(out, "{}", sink.table)?;
            out.flush()?;
            (summary, out)
        }
    })
}

/// A CSV sink created once the input's delimiter is known.
struct DelimiterFollowingCsv<W: Write> {
    out: Option<W>,
    sink: Option<CsvSink<W>>,
    with_answers: bool,
    care: Option<Care>,
}

impl<W: Write> RowSink for DelimiterFollowingCsv<W> {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        let out = self.out.take().expect("begin is called once");
        let mut sink = CsvSink::new(out, layout.delimiter, self.with_answers);
        if let Some(care) = self.care.take() {
            sink = sink.with_care(care);
        }
        sink.begin(layout)?;
        self.sink = Some(sink);
        Ok(())
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        self.sink.as_mut().expect("begun").row(layout, row)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.sink.as_mut().expect("begun").finish()
    }
}

/// Collects rows into a table for the screen.
struct TableSink {
    table: Table,
    with_answers: bool,
    care: Option<Care>,
}

impl RowSink for TableSink {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        self.table.load_style(UTF8_FULL_CONDENSED);
        let mut header = vec!["row".to_owned()];
        header.extend(layout.columns.keep.iter().map(|(name, _)| name.clone()));
        header.push("status".to_owned());
        for instrument in &layout.instruments {
            if instrument.age_banding.is_some() {
                header.push(format!("{}.interval (age)", instrument.id));
            }
            for scale in &instrument.scales {
                header.push(format!("{}.{}", instrument.id, scale.id));
            }
            if !instrument.flags.is_empty() {
                header.push(format!("{}.flags", instrument.id));
            }
        }
        if let Some(care) = &mut self.care {
            care.begin(layout)?;
            header.push("care".to_owned());
        }
        header.push("errors".to_owned());
        self.table.set_header(header);
        Ok(())
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        let json = row_json(layout, row, self.with_answers);
        let mut cells = vec![row.number.to_string()];
        for (name, _) in &layout.columns.keep {
            cells.push(json["keep"][name].as_str().unwrap_or("").to_owned());
        }
        cells.push(row.status.as_str().to_owned());
        for (slot, instrument) in layout.instruments.iter().enumerate() {
            let result = &row.scores[slot];
            if let Some(banding) = &instrument.age_banding {
                cells.push(age_cell(banding, result));
            }
            for (scale, scored) in instrument.scales.iter().zip(&result.scales) {
                cells.push(match (scored.score, scored.band) {
                    (Some(score), Some(band)) => {
                        format!("{} {}", fmt_score(score), scale.bands[band].id)
                    }
                    (Some(score), None) => fmt_score(score),
                    (None, _) => "-".to_owned(),
                });
            }
            if !instrument.flags.is_empty() {
                let flags: Vec<String> = result
                    .flags
                    .iter()
                    .map(|&f| {
                        let flag = &instrument.flags[f];
                        if flag.urgent {
                            format!("{} (URGENT)", flag.id)
                        } else {
                            flag.id.clone()
                        }
                    })
                    .collect();
                cells.push(flags.join("\n"));
            }
        }
        let mut messages = row.messages(layout);
        if let Some(care) = &mut self.care {
            care.evaluate(row);
            cells.push(care_cell(&care.json()));
            messages.extend(care.reasons());
        }
        cells.push(messages.join("\n"));
        self.table.add_row(cells);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// "d12\n11m 29d (corrected 10m 3d)": the interval and age of an age-banded row.
fn age_cell(banding: &stepcare::instrument::AgeBanding, result: &InstrumentScore) -> String {
    let interval = result
        .interval
        .and_then(|i| banding.intervals.get(i))
        .map_or("-", |i| i.id.as_str());
    match result.age {
        Some(age) => match age.corrected {
            Some(corrected) => format!("{interval}\n{} (corrected {corrected})", age.chronological),
            None => format!("{interval}\n{}", age.chronological),
        },
        None => interval.to_owned(),
    }
}

/// "level 2\nfastlege, dps\nL2-1, L0-3", with URGENT first when set: a row's recommendation.
fn care_cell(care: &serde_json::Value) -> String {
    let list = |key: &str| {
        care[key]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let mut text = String::new();
    if care["urgent"].as_bool() == Some(true) {
        text.push_str("URGENT\n");
    }
    match care["level"].as_i64() {
        Some(level) => text.push_str(&format!("level {level}")),
        None => text.push_str("no level"),
    }
    let referrals = list("referrals");
    if !referrals.is_empty() {
        text.push_str(&format!("\n{referrals}"));
    }
    text.push_str(&format!("\n{}", list("rules")));
    text
}

/// The recommendation counts on standard error.
fn report_care(care: &CareSummary) {
    let mut parts: Vec<String> = care
        .levels
        .iter()
        .map(|(level, count)| format!("level {level}: {count}"))
        .collect();
    parts.push(format!("no level: {}", care.no_level));
    eprintln!("care: {}; urgent: {}", parts.join(", "), care.urgent);
    if care.urgent > 0 {
        eprintln!(
            "WARNING: {} recommended URGENT same-day action: the clinician decides, today.",
            match care.urgent {
                1 => "1 row is".to_owned(),
                n => format!("{n} rows are"),
            }
        );
    }
}

/// The summary on standard error.
fn report(summary: &Summary, output: Option<&Path>) {
    let rows = if summary.rows == 1 { "row" } else { "rows" };
    let blank = match summary.blank_lines {
        0 => String::new(),
        1 => " (and 1 blank line, skipped)".to_owned(),
        n => format!(" (and {n} blank lines, skipped)"),
    };
    eprintln!(
        "{} {rows} read{blank}: {} ok, {} incomplete, {} invalid; {} flagged{}",
        summary.rows,
        summary.ok,
        summary.incomplete,
        summary.invalid,
        summary.flagged,
        if summary.urgent > 0 {
            format!(" ({} urgent)", summary.urgent)
        } else {
            String::new()
        }
    );
    let raised = summary.urgent - summary.unanswered_critical;
    if raised > 0 {
        eprintln!(
            "WARNING: {} an URGENT flag (for example an endorsed self-harm item): act on {} today.",
            match raised {
                1 => "1 row has".to_owned(),
                n => format!("{n} rows have"),
            },
            if raised == 1 { "it" } else { "them" }
        );
    }
    if summary.unanswered_critical > 0 {
        eprintln!(
            "WARNING: {} a critical item unanswered (for example the self-harm item): ask it today; a blank is not a no.",
            match summary.unanswered_critical {
                1 => "1 row leaves".to_owned(),
                n => format!("{n} rows leave"),
            }
        );
    }
    if let Some(path) = output {
        eprintln!("results written to `{}`", path.display());
    }
}

/// Reads a column map: a YAML mapping from export header to `instrument.item`.
pub(super) fn read_map(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let text = read_file(path)?;
    let shown = path.display().to_string();
    stepcare::yaml::parse::<BTreeMap<String, String>>(&shown, &text)
        .map_err(|d| fail_with(vec![d], |_| Some(text.clone())))
}
