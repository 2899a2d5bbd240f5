//! `stepcare cutoffs`: diagnostic accuracy of a score against a reference standard.
//!
//! Reads the file once, analyses the whole sample (and each subgroup with
//! `--by`) into a [`Report`] (`report`), and lays it out with one
//! [`Renderer`] per format: a table for reading (`table`), CSV with one row
//! per cutoff (`csv_rows`), JSON, the stable contract (`json`), and the ROC
//! plot as SVG (`plot`). The statistics live in `stepcare::accuracy`.

mod csv_rows;
mod json;
mod plot;
mod report;
mod table;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use report::{Report, fmt_number};

use super::UsageError;
use super::common::CatalogArgs;
use super::interop_args::FhirInputArgs;
use super::outfile::{Input, OutputFile};
use stepcare::accuracy::input::{
    Dataset, InputError, InputSpec, RowScorer, ScoreSource, read_dataset,
};
use stepcare::accuracy::{AnalysisOptions, BootstrapConfig, CiMethod, Direction};
use stepcare::batch::{BatchOptions, CellReader, plan_columns};
use stepcare::instrument::{Instrument, ValueKind};
use stepcare::interop::responses::{ISSUE_COLUMN, Opened};
use stepcare::scoring::{Answer, InstrumentScore, score_into};

/// Output formats of `cutoffs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables and a summary for reading.
    Table,
    /// One row per cutoff (and per group), for spreadsheets.
    Csv,
    /// The full analysis as one JSON object: the stable machine contract.
    Json,
}

/// Which side of the cutoff screens positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DirectionArg {
    /// Score >= cutoff is positive.
    Higher,
    /// Score <= cutoff is positive.
    Lower,
}

/// Confidence intervals of proportions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CiArg {
    /// Wilson score interval.
    Wilson,
    /// Clopper-Pearson ("exact") interval.
    Exact,
}

/// Arguments of `stepcare cutoffs`.
#[derive(Debug, clap::Args)]
pub struct CutoffsArgs {
    /// The file to analyse (delimiter `,` `;` or tab, detected; or a workbook: .xlsx, .xlsm, .xlsb, .xls, .ods), or `-` for standard input.
    #[arg(long, value_name = "FILE|-")]
    input: PathBuf,
    #[command(flatten)]
    sheet: super::common::SheetArgs,
    /// Column holding the score.
    #[arg(
        long,
        value_name = "COLUMN",
        required_unless_present = "instrument",
        conflicts_with = "instrument"
    )]
    score: Option<String>,
    /// Compute the score from item columns with this instrument.
    #[arg(long, value_name = "ID")]
    instrument: Option<String>,
    /// The instrument's scale to analyse (default: `total`, else its first scale).
    #[arg(long, value_name = "ID", requires = "instrument")]
    scale: Option<String>,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[command(flatten)]
    fhir: FhirInputArgs,
    /// Column holding the reference-standard result (for FHIR responses: a linkId, whose answer's code or value is read).
    #[arg(long, value_name = "COLUMN")]
    reference: String,
    /// The reference value that marks a case; every other non-missing value is a non-case.
    #[arg(long, value_name = "VALUE")]
    positive: String,
    /// Repeat the analysis within each value of this column (direction as for the whole sample).
    #[arg(long, value_name = "COLUMN")]
    by: Option<String>,
    /// A second score on the same subjects: compare the AUCs (paired DeLong test).
    #[arg(long, value_name = "COLUMN")]
    compare: Option<String>,
    /// A pre-specified cutoff to report (repeatable).
    #[arg(long = "cutoff", value_name = "N", allow_negative_numbers = true)]
    cutoffs: Vec<f64>,
    /// Which side of the cutoff screens positive.
    #[arg(long, value_enum, default_value_t = DirectionArg::Higher)]
    direction: DirectionArg,
    /// Confidence intervals for sensitivity, specificity, predictive values and accuracy.
    #[arg(long, value_enum, default_value_t = CiArg::Wilson)]
    ci: CiArg,
    /// Also report the most specific cutoff whose sensitivity reaches this value (0-1).
    #[arg(long, value_name = "P")]
    min_sensitivity: Option<f64>,
    /// Bootstrap the Youden-optimal cutoff with N stratified resamples (needs --seed).
    #[arg(long, value_name = "N", requires = "seed")]
    bootstrap: Option<usize>,
    /// Seed of the bootstrap's random numbers (same seed, same result).
    #[arg(long, value_name = "S", requires = "bootstrap")]
    seed: Option<u64>,
    /// Draw the ROC curve to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Largest number of bootstrap replicates accepted.
const MAX_BOOTSTRAP: usize = 1_000_000;

/// Runs `stepcare cutoffs`.
pub fn run(args: CutoffsArgs) -> anyhow::Result<ExitCode> {
    check_arguments(&args)?;
    let mut prespecified = args.cutoffs.clone();
    let mut notes = Vec::new();
    let (mut scorer, score_name) = match (&args.score, &args.instrument) {
        (Some(column), _) => (None, column.clone()),
        (None, Some(id)) => {
            let scorer = InstrumentScorer::new(&args.catalog, id, args.scale.as_deref())?;
            let name = scorer.name();
            notes.push(format!(
                "{name} is computed from the item columns (cells hold points) with the instrument's \
                 missing-data rule; rows it cannot score count as missing score."
            ));
            if prespecified.is_empty() {
                prespecified = scorer.band_boundaries(args.direction);
                let list: Vec<String> = prespecified.iter().map(|c| fmt_number(*c)).collect();
                notes.push(format!(
                    "The pre-specified cutoffs are the band boundaries of {name} in its definition: {}.",
                    list.join(", ")
                ));
            }
            (Some(scorer), name)
        }
        (None, None) => {
            return Err(UsageError("give --score COLUMN or --instrument ID".into()).into());
        }
    };
    // FHIR responses (detected from the content) are read as rows; the
    // reference, grouping and score columns then name linkIds (or response fields).
    let mut extra = vec![args.reference.clone()];
    extra.extend(
        args.by
            .iter()
            .chain(&args.compare)
            .chain(&args.score)
            .cloned(),
    );
    let instruments: Vec<&Instrument> = scorer.iter().map(|s| &s.instrument).collect();
    let opened = open_input(
        &args.input,
        args.sheet.sheet.as_deref(),
        &instruments,
        &args.fhir,
        &extra,
    )?;
    let fhir = opened.report.clone();
    if let Some(scorer) = &mut scorer {
        scorer.fhir = fhir.is_some();
    }
    let score = match scorer {
        Some(scorer) => ScoreSource::Computed(Box::new(scorer)),
        None => ScoreSource::Column(score_name.clone()),
    };
    let mut spec = InputSpec {
        score,
        reference: args.reference.clone(),
        positive: args.positive.clone(),
        by: args.by.clone(),
        compare: args.compare.clone(),
    };
    let dataset = read_input(
        &args.input,
        opened.reader,
        opened.origin.as_ref(),
        &mut spec,
        fhir.is_some(),
    );
    // The account of FHIR input (linkIds that matched nothing) helps most when reading failed.
    if let Some(report) = &fhir {
        let report = report.lock().unwrap_or_else(|e| e.into_inner());
        eprintln!("{} FHIR QuestionnaireResponse(s) read", report.responses);
        for line in report.lines() {
            eprintln!("{line}");
        }
    }
    let dataset = dataset?;

    let options = AnalysisOptions {
        direction: match args.direction {
            DirectionArg::Higher => Direction::Higher,
            DirectionArg::Lower => Direction::Lower,
        },
        ci_method: match args.ci {
            CiArg::Wilson => CiMethod::Wilson,
            CiArg::Exact => CiMethod::Exact,
        },
        prespecified,
        min_sensitivity: args.min_sensitivity,
        bootstrap: args
            .bootstrap
            .zip(args.seed)
            .map(|(replicates, seed)| BootstrapConfig { replicates, seed }),
    };
    let report = Report::build(&args, score_name, &dataset, &options, notes)?;

    if let Some(path) = &args.plot {
        let mut svg_text = Vec::new();
        plot::Svg.render(&report, &mut svg_text)?;
        let input = if args.input.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(&args.input)
        };
        let mut file = OutputFile::create(path, input)?;
        file.file()
            .write_all(&svg_text)
            .with_context(|| format!("cannot write the plot to `{}`", path.display()))?;
        file.commit()?;
        eprintln!("ROC plot written to `{}`", path.display());
    }

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    renderer(args.format).render(&report, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn check_arguments(args: &CutoffsArgs) -> Result<(), UsageError> {
    if let Some(c) = args.cutoffs.iter().find(|c| !c.is_finite()) {
        return Err(UsageError(format!(
            "--cutoff {c}: a cutoff must be a finite number"
        )));
    }
    if let Some(t) = args.min_sensitivity
        && !(0.0..=1.0).contains(&t)
    {
        return Err(UsageError(format!(
            "--min-sensitivity {t}: give a proportion between 0 and 1"
        )));
    }
    if let Some(b) = args.bootstrap
        && !(1..=MAX_BOOTSTRAP).contains(&b)
    {
        return Err(UsageError(format!(
            "--bootstrap {b}: give between 1 and {MAX_BOOTSTRAP} replicates"
        )));
    }
    if args.compare.is_some() && args.compare == args.score {
        return Err(UsageError(
            "--compare names the same column as --score".into(),
        ));
    }
    Ok(())
}

/// The input, opened: delimited text or a worksheet, with FHIR responses read as rows.
struct OpenedInput {
    reader: Box<dyn std::io::Read + Send>,
    origin: Option<stepcare::sheet::SheetOrigin>,
    report: Option<std::sync::Arc<std::sync::Mutex<stepcare::interop::responses::Report>>>,
}

/// Opens the input (a file, a worksheet or `-`), reading FHIR responses as
/// rows when the content is FHIR JSON; `extra` are the linkIds that become
/// columns of their own (the reference, grouping and score columns).
fn open_input(
    path: &Path,
    sheet: Option<&str>,
    instruments: &[&Instrument],
    fhir: &FhirInputArgs,
    extra: &[String],
) -> anyhow::Result<OpenedInput> {
    let opened = super::common::open_input(path, sheet)?;
    let mut options = BatchOptions::default();
    let Opened { reader, report } =
        super::interop_args::open_input_with(opened.reader, instruments, &mut options, fhir, extra)
            .with_context(|| format!("reading `{}`", path.display()))?;
    Ok(OpenedInput {
        reader,
        origin: opened.origin,
        report,
    })
}

fn read_input(
    path: &Path,
    reader: Box<dyn std::io::Read + Send>,
    origin: Option<&stepcare::sheet::SheetOrigin>,
    spec: &mut InputSpec,
    fhir: bool,
) -> anyhow::Result<Dataset> {
    const FHIR_HINT: &str = " (the input is FHIR QuestionnaireResponses: --reference, --by, --compare and --score name a linkId or a response field)";
    read_dataset(reader, spec).map_err(|err| {
        let hint = if fhir { FHIR_HINT } else { "" };
        if err.is_usage() {
            return UsageError(format!("{err}{hint}")).into();
        }
        let context = format!("reading `{}`", path.display());
        match (origin, err) {
            // Data row N of FHIR input is response N.
            (_, InputError::Scorer { row, message, .. }) if fhir => {
                anyhow::anyhow!("response {row}: {message}").context(context)
            }
            (_, InputError::NotNumeric { row, column, value, .. }) if fhir => anyhow::anyhow!(
                "response {row}, linkId {column:?}: {value:?} is not a number"
            )
            .context(context),
            (_, err @ InputError::PositiveNotFound { .. }) if fhir => {
                anyhow::anyhow!("{err}{hint}").context(context)
            }
            // In a workbook the cell is named as the spreadsheet names it.
            (
                Some(origin),
                InputError::NotNumeric {
                    row,
                    index,
                    column,
                    value,
                    ..
                },
            ) => anyhow::anyhow!(
                "{} (column {column:?}): {value:?} is not a number (blank, NA and . count as missing)",
                origin.cell(row, index)
            )
            .context(context),
            (Some(origin), InputError::Scorer { row, message, .. }) => {
                anyhow::anyhow!("{}: {message}", origin.row(row)).context(context)
            }
            (_, err) => anyhow::Error::new(err).context(context),
        }
    })
}

// ------------------------------------------------------------- scoring --

/// Computes one scale of an instrument from its item columns, row by row,
/// with the instrument's own missing-data rule. Cells hold points; blank,
/// `NA` and `.` are unanswered; any other value that is not an option's
/// points is an error naming the line, column and value.
struct InstrumentScorer {
    instrument: Instrument,
    scale: usize,
    headers: Vec<String>,
    columns: Vec<usize>,
    readers: Vec<CellReader>,
    answers: Vec<Answer>,
    result: InstrumentScore,
    missing_codes: Vec<Vec<u8>>,
    /// Whether the rows are FHIR responses (cells of invalid answers name the linkId and value).
    fhir: bool,
    /// With FHIR input: the column of record-level problems and the response id column.
    fhir_columns: Option<(usize, usize)>,
}

impl InstrumentScorer {
    fn new(catalog: &CatalogArgs, id: &str, scale: Option<&str>) -> anyhow::Result<Self> {
        let catalog = catalog.load()?;
        let instrument = catalog.require(id).map_err(UsageError)?.clone();
        if instrument.age_banding.is_some() {
            return Err(UsageError(format!(
                "--instrument {id}: an age-banded instrument needs each row's age interval; score the export \
                 with `stepcare score` and pass the scale column with --score"
            ))
            .into());
        }
        let scale = match scale {
            Some(s) => instrument.scale_index(s).ok_or_else(|| {
                let known: Vec<&str> = instrument.scales.iter().map(|s| s.id.as_str()).collect();
                UsageError(format!(
                    "--scale {s}: {id} has the scales {}",
                    known.join(", ")
                ))
            })?,
            None => instrument.scale_index("total").unwrap_or(0),
        };
        if instrument.scales.is_empty() {
            return Err(
                UsageError(format!("--instrument {id}: the instrument has no scales")).into(),
            );
        }
        let readers = instrument
            .items
            .iter()
            .map(|item| CellReader::new(item, ValueKind::Points, &[]))
            .collect();
        Ok(InstrumentScorer {
            answers: vec![Answer::Missing; instrument.items.len()],
            readers,
            scale,
            instrument,
            headers: Vec::new(),
            columns: Vec::new(),
            result: InstrumentScore::default(),
            missing_codes: vec![b"NA".to_vec(), b".".to_vec()],
            fhir: false,
            fhir_columns: None,
        })
    }

    /// `epds.total`.
    fn name(&self) -> String {
        format!(
            "{}.{}",
            self.instrument.id, self.instrument.scales[self.scale].id
        )
    }

    /// The cutoffs that separate the scale's bands: each band's lowest score
    /// but the first (higher scores positive), or each band's highest score
    /// but the last (lower scores positive).
    fn band_boundaries(&self, direction: DirectionArg) -> Vec<f64> {
        let bands = &self.instrument.scales[self.scale].bands;
        match direction {
            DirectionArg::Higher => bands.iter().skip(1).map(|b| b.from).collect(),
            DirectionArg::Lower => bands.iter().rev().skip(1).rev().map(|b| b.to).collect(),
        }
    }
}

impl RowScorer for InstrumentScorer {
    fn bind(&mut self, headers: &[String]) -> Result<(), String> {
        let plan =
            plan_columns(headers, &[&self.instrument], &[], &BTreeMap::new()).map_err(|e| {
                // The batch scorer's advice about --map does not apply here.
                e.to_string()
                    .lines()
                    .filter(|line| !line.contains("--map"))
                    .collect::<Vec<_>>()
                    .join("\n")
            })?;
        self.columns = plan.items.into_iter().next().unwrap_or_default();
        self.headers = headers.to_vec();
        if self.fhir {
            let issue = headers.iter().position(|h| h == ISSUE_COLUMN);
            let id = headers.iter().position(|h| h == "id");
            self.fhir_columns = issue.zip(id);
        }
        Ok(())
    }

    fn score(&mut self, record: &csv::ByteRecord) -> Result<Option<f64>, String> {
        let cell_text =
            |column: usize| String::from_utf8_lossy(record.get(column).unwrap_or_default());
        if let Some((issue, id)) = self.fhir_columns {
            // A record that is not a response cannot be scored, and must not
            // pass for one with every answer missing.
            let problem = cell_text(issue);
            if !problem.is_empty() {
                let id = cell_text(id);
                return Err(if id.is_empty() {
                    problem.into_owned()
                } else {
                    format!("(id `{id}`) {problem}")
                });
            }
        }
        for (i, &column) in self.columns.iter().enumerate() {
            let cell = record.get(column).unwrap_or_default();
            let answer = self.readers[i].read(cell, &self.missing_codes);
            if answer == Answer::Invalid && self.fhir {
                let id = self
                    .fhir_columns
                    .map(|(_, id)| cell_text(id).into_owned())
                    .unwrap_or_default();
                return Err(format!(
                    "{}{} is not an answer to {}.{}",
                    if id.is_empty() {
                        String::new()
                    } else {
                        format!("(id `{id}`) ")
                    },
                    String::from_utf8_lossy(cell),
                    self.instrument.id,
                    self.instrument.items[i].id
                ));
            }
            if answer == Answer::Invalid {
                return Err(format!(
                    "column {:?}: {:?} is not a score of item {}.{}",
                    self.headers[column],
                    String::from_utf8_lossy(cell),
                    self.instrument.id,
                    self.instrument.items[i].id
                ));
            }
            self.answers[i] = answer;
        }
        score_into(&self.instrument, &self.answers, &mut self.result);
        Ok(self.result.scales.get(self.scale).and_then(|s| s.score))
    }
}

/// One way of laying out a [`Report`], as hyperfine has one exporter per
/// format: the report is built once, whatever the format, and a renderer
/// only writes it.
trait Renderer {
    /// Writes the whole report to `out`.
    fn render(&self, report: &Report, out: &mut dyn Write) -> anyhow::Result<()>;
}

/// The renderer of an output format.
fn renderer(format: Format) -> Box<dyn Renderer> {
    match format {
        Format::Table => Box::new(table::TableText),
        Format::Csv => Box::new(csv_rows::Csv),
        Format::Json => Box::new(json::Json),
    }
}
