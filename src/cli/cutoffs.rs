//! `stepcare cutoffs`: diagnostic accuracy of a score against a reference standard.
//!
//! Reads the file once, analyses the whole sample (and each subgroup with
//! `--by`), and prints a table for reading, CSV (one row per cutoff) or JSON
//! (the stable contract). The statistics live in `stepcare::accuracy`.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use comfy_table::{CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use super::UsageError;
use super::common::CatalogArgs;
use super::interop_args::FhirInputArgs;
use super::outfile::{Input, OutputFile};
use stepcare::accuracy::counts::ScoreCounts;
use stepcare::accuracy::input::{
    Dataset, InputError, InputSpec, RowScorer, ScoreSource, SetData, read_dataset,
};
use stepcare::accuracy::svg::{Curve, Marker, MarkerKind, RocPlot};
use stepcare::accuracy::{
    Analysis, AnalysisOptions, BootstrapConfig, CiMethod, CutoffRow, Direction, Interval,
    LikelihoodRatio, PairedTest, Proportion, RatioValue, analyse, delong, roc, svg,
};
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
        let svg_text = svg::render(&report.plot());
        let input = if args.input.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(&args.input)
        };
        let mut file = OutputFile::create(path, input)?;
        file.file()
            .write_all(svg_text.as_bytes())
            .with_context(|| format!("cannot write the plot to `{}`", path.display()))?;
        file.commit()?;
        eprintln!("ROC plot written to `{}`", path.display());
    }

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        Format::Table => write!(out, "{}", report.table_text())?,
        Format::Csv => report.write_csv(&mut out)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report.json())?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Most cutoffs shown in the default table; beyond it the table shows the
/// pre-specified cutoffs, the band boundaries and the optima (CSV and JSON
/// always list every cutoff).
const MAX_TABLE_CUTOFFS: usize = 40;

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

// ------------------------------------------------------------------ model --

/// One analysed set: the whole sample or a subgroup.
struct SetReport {
    data: SetData,
    analysis: Result<Analysis, String>,
    comparison: Option<Result<PairedTest, String>>,
}

impl SetReport {
    fn new(data: &SetData, options: &AnalysisOptions) -> Self {
        let analysis = analyse(data.counts.clone(), options).map_err(|e| e.to_string());
        let comparison = data.paired.as_ref().map(|paired| {
            delong::paired_test(paired, options.direction)
                .ok_or_else(|| "fewer than two cases or two non-cases have both scores".to_string())
        });
        SetReport {
            data: data.clone(),
            analysis,
            comparison,
        }
    }
}

struct Report {
    score: String,
    reference: String,
    positive: String,
    compare: Option<String>,
    by: Option<String>,
    options: AnalysisOptions,
    dataset_rows: u64,
    missing_group: u64,
    reference_values: Vec<stepcare::accuracy::input::ReferenceValue>,
    overall: SetReport,
    groups: Vec<(String, SetReport)>,
    notes: Vec<String>,
}

impl Report {
    fn build(
        args: &CutoffsArgs,
        score: String,
        dataset: &Dataset,
        options: &AnalysisOptions,
        mut notes: Vec<String>,
    ) -> anyhow::Result<Self> {
        let overall = SetReport::new(&dataset.overall, options);
        if let Err(message) = &overall.analysis {
            anyhow::bail!("cannot analyse `{}`: {message}", args.input.display());
        }
        let groups: Vec<(String, SetReport)> = dataset
            .groups
            .iter()
            .map(|(name, data)| (name.clone(), SetReport::new(data, options)))
            .collect();
        let mut report = Report {
            score,
            reference: args.reference.clone(),
            positive: args.positive.trim().to_string(),
            compare: args.compare.clone(),
            by: args.by.clone(),
            options: options.clone(),
            dataset_rows: dataset.rows,
            missing_group: dataset.missing_group,
            reference_values: dataset.reference_values.clone(),
            overall,
            groups,
            notes: Vec::new(),
        };
        notes.extend(report.collect_notes());
        report.notes = notes;
        Ok(report)
    }

    fn sets(&self) -> impl Iterator<Item = (Option<&str>, &SetReport)> {
        std::iter::once((None, &self.overall))
            .chain(self.groups.iter().map(|(g, s)| (Some(g.as_str()), s)))
    }

    fn direction(&self) -> Direction {
        self.options.direction
    }

    fn collect_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let sign = self.direction().ascii_sign();
        notes.push(
            "Optimal cutoffs (Youden, closest to (0,1), sensitivity target, bootstrap) are chosen from these data: \
             exploratory, and optimistic about accuracy in new samples. Cutoffs given with --cutoff are pre-specified."
                .to_string(),
        );
        let mut infinite = false;
        let mut low_auc = Vec::new();
        let mut unobserved = Vec::new();
        for (group, set) in self.sets() {
            let Ok(a) = &set.analysis else { continue };
            let lr_special = |r: &CutoffRow| {
                !matches!(r.lr_positive.value, RatioValue::Finite(_))
                    || !matches!(r.lr_negative.value, RatioValue::Finite(_))
            };
            if a.rows.iter().chain(&a.prespecified).any(lr_special) {
                infinite = true;
            }
            if a.auc.auc < 0.5 {
                low_auc
                    .push(group.map_or("the whole sample".to_string(), |g| format!("group {g:?}")));
            }
            if group.is_none() {
                for r in a.prespecified.iter().filter(|r| !r.observed) {
                    unobserved.push(fmt_number(r.cutoff));
                }
            }
        }
        if infinite {
            notes.push(
                "LR+ is infinite (\"inf\"; null in JSON) where no non-case screens positive (FP = 0), and LR- where no \
                 non-case screens negative (TN = 0); 0/0 is undefined. No continuity correction is applied."
                    .to_string(),
            );
        }
        for set in low_auc {
            notes.push(format!(
                "AUC is below 0.5 in {set}: with {sign} as positive, cases tend to score lower than non-cases. \
                 Check --direction; the direction was not flipped."
            ));
        }
        if !unobserved.is_empty() {
            notes.push(format!(
                "No subject scored exactly {}: such a cutoff splits the sample as the nearest observed score on its \
                 positive side does.",
                unobserved.join(", ")
            ));
        }
        if self.missing_group > 0 {
            notes.push(format!(
                "{} with a missing {} value {} in the whole-sample analysis but in no group.",
                stepcare::lang::count(self.missing_group, "row", "rows"),
                self.by.as_deref().unwrap_or("group"),
                if self.missing_group == 1 { "is" } else { "are" }
            ));
        }
        for (group, set) in self.sets() {
            let label = group.map_or(String::new(), |g| format!(" (group {g:?})"));
            if let Ok(a) = &set.analysis
                && a.auc.variance.is_none()
            {
                notes.push(format!(
                    "DeLong's interval needs at least two cases and two non-cases{label}."
                ));
            }
        }
        notes
    }

    // ------------------------------------------------------------- plot --

    fn plot(&self) -> RocPlot {
        let direction = self.direction();
        let mut curves = Vec::new();
        let mut markers = Vec::new();
        if let Ok(a) = &self.overall.analysis {
            curves.push(Curve {
                legend: format!("{}: {}", self.score, auc_text(a.auc.auc, a.auc.ci)),
                points: roc::roc_points(&a.distribution, direction),
            });
            let point = |r: &CutoffRow| {
                (
                    1.0 - r.specificity.estimate.unwrap_or(0.0),
                    r.sensitivity.estimate.unwrap_or(0.0),
                )
            };
            for r in &a.prespecified {
                let (x, y) = point(r);
                markers.push(Marker {
                    x,
                    y,
                    label: format!("{} {}", direction.sign(), fmt_number(r.cutoff)),
                    kind: MarkerKind::Prespecified,
                });
            }
            for r in &a.youden_optimal {
                let (x, y) = point(r);
                markers.push(Marker {
                    x,
                    y,
                    label: format!("{} {}", direction.sign(), fmt_number(r.cutoff)),
                    kind: MarkerKind::Optimal,
                });
            }
        }
        if let (Some(name), Some(paired)) = (&self.compare, &self.overall.data.paired) {
            let second = paired.marginal_second();
            if let Some(est) = delong::auc_estimate(&second, direction) {
                curves.push(Curve {
                    legend: format!(
                        "{name} (n = {} with both scores): {}",
                        second.n(),
                        auc_text(est.auc, est.ci)
                    ),
                    points: roc::roc_points(&second, direction),
                });
            }
        }
        let a = self.overall.analysis.as_ref().ok();
        RocPlot {
            title: format!(
                "ROC: {} against {} = {} (n = {}, {} cases)",
                self.score,
                self.reference,
                self.positive,
                a.map_or(0, |a| a.n_cases + a.n_controls),
                a.map_or(0, |a| a.n_cases)
            ),
            curves,
            markers,
        }
    }

    // ------------------------------------------------------------ table --

    fn table_text(&self) -> String {
        let mut s = String::new();
        let sign = self.direction().sign();
        s.push_str(&format!(
            "Cutoff validation: {} against {}\n",
            self.score, self.reference
        ));
        s.push_str(&format!("Screen positive: {} {sign} cutoff\n", self.score));
        let refs: Vec<String> = self
            .reference_values
            .iter()
            .map(|r| {
                format!(
                    "{:?} = {} ({})",
                    r.value,
                    if r.positive { "case" } else { "non-case" },
                    stepcare::lang::count(r.rows, "row", "rows")
                )
            })
            .collect();
        s.push_str(&format!(
            "Reference standard ({}): {}\n",
            self.reference,
            refs.join("; ")
        ));
        s.push_str(&format!(
            "Intervals: 95%; proportions {}, AUC DeLong, LR log method\n",
            self.options.ci_method.label()
        ));
        s.push_str(&format!("Rows read: {}\n", self.dataset_rows));
        for (group, set) in self.sets() {
            s.push('\n');
            if let Some(g) = group {
                let title = format!("Subgroup: {} = {g}", self.by.as_deref().unwrap_or(""));
                s.push_str(&format!("{title}\n{}\n", "=".repeat(title.chars().count())));
            }
            self.set_text(&mut s, set);
        }
        if !self.notes.is_empty() {
            s.push_str("\nNotes\n");
            for note in &self.notes {
                s.push_str(&format!("- {note}\n"));
            }
        }
        s
    }

    fn set_text(&self, s: &mut String, set: &SetReport) {
        let sign = self.direction().sign();
        let ex = set.data.excluded;
        let analysis = match &set.analysis {
            Ok(a) => a,
            Err(message) => {
                s.push_str(&format!(
                    "Rows: {} ({} excluded: {} missing score, {} missing reference). Not analysed: {message}.\n",
                    set.data.rows,
                    ex.total(),
                    ex.missing_score,
                    ex.missing_reference
                ));
                return;
            }
        };
        let a = analysis;
        s.push_str(&format!(
            "Analysed: {} ({} cases, {} non-cases; prevalence {}); excluded: {} ({} missing score, {} missing reference)\n",
            a.n_cases + a.n_controls,
            a.n_cases,
            a.n_controls,
            fmt_proportion(&a.prevalence),
            ex.total(),
            ex.missing_score,
            ex.missing_reference
        ));
        s.push_str(&format!("{}\n", auc_text(a.auc.auc, a.auc.ci)));

        if !a.prespecified.is_empty() {
            s.push_str("\nPre-specified cutoffs\n");
            s.push_str(&cutoff_table(&a.prespecified, sign, a, false).to_string());
            s.push('\n');
        }

        s.push_str("\nData-driven cutoffs (exploratory)\n");
        for r in &a.youden_optimal {
            s.push_str(&format!(
                "- Youden-optimal: {sign} {}  Se {}  Sp {}  J {:.3}  (TP {}, FP {}, FN {}, TN {})\n",
                fmt_number(r.cutoff),
                fmt_estimate(&r.sensitivity),
                fmt_estimate(&r.specificity),
                r.youden,
                r.confusion.tp,
                r.confusion.fp,
                r.confusion.fn_,
                r.confusion.tn
            ));
        }
        if a.youden_optimal.len() > 1 {
            s.push_str(&format!(
                "  ({} cutoffs tie exactly for the highest J; all are listed, none is preferred)\n",
                a.youden_optimal.len()
            ));
        }
        for r in &a.closest_to_corner {
            s.push_str(&format!(
                "- Closest to (0,1): {sign} {}  Se {}  Sp {}  distance {:.3}\n",
                fmt_number(r.cutoff),
                fmt_estimate(&r.sensitivity),
                fmt_estimate(&r.specificity),
                r.corner_distance
            ));
        }
        if let Some(target) = &a.min_sensitivity {
            match &target.row {
                Some(r) => s.push_str(&format!(
                    "- Highest specificity with Se >= {}: {sign} {}  Se {}  Sp {}\n",
                    fmt_number(target.target),
                    fmt_number(r.cutoff),
                    fmt_estimate(&r.sensitivity),
                    fmt_estimate(&r.specificity)
                )),
                None => s.push_str(&format!(
                    "- No cutoff reaches Se >= {}\n",
                    fmt_number(target.target)
                )),
            }
        }
        if let Some(b) = &a.bootstrap {
            s.push_str(&format!(
                "- Bootstrap ({} stratified resamples, seed {}), 95% percentile intervals: optimal cutoff {} to {}, Se {}, Sp {}, J {}, AUC {}\n",
                b.config.replicates,
                b.config.seed,
                fmt_number(b.cutoff.lower),
                fmt_number(b.cutoff.upper),
                fmt_range(b.sensitivity, |v| format!("{v:.3}")),
                fmt_range(b.specificity, |v| format!("{v:.3}")),
                fmt_range(b.youden, |v| format!("{v:.3}")),
                fmt_range(b.auc, |v| format!("{v:.3}"))
            ));
            let freq: Vec<String> = b
                .cutoff_frequencies
                .iter()
                .map(|(c, n)| format!("{sign} {}: {n}", fmt_number(*c)))
                .collect();
            s.push_str(&format!(
                "  optimal cutoff across resamples: {}\n",
                freq.join(", ")
            ));
        }

        if let Some(comparison) = &set.comparison {
            let other = self.compare.as_deref().unwrap_or("");
            s.push_str(&format!("\nComparison with {other} (paired DeLong test)\n"));
            match comparison {
                Ok(t) => {
                    s.push_str(&format!(
                        "Subjects with both scores: {} ({}); {} {other}\n",
                        t.n,
                        stepcare::lang::count(t.n_cases, "case", "cases"),
                        match set.data.missing_compare {
                            1 => "1 analysed row lacks".to_owned(),
                            n => format!("{n} analysed rows lack"),
                        }
                    ));
                    s.push_str(&format!(
                        "AUC {} {:.3} vs {other} {:.3}: difference {:.3} (95% CI {}), Z = {}, p = {}\n",
                        self.score,
                        t.auc_first,
                        t.auc_second,
                        t.difference,
                        t.ci.map_or("n/a".into(), |ci| format!("{:.3} to {:.3}", ci.lower, ci.upper)),
                        t.z.map_or("n/a".into(), |z| format!("{z:.3}")),
                        t.p_value.map_or("n/a".into(), fmt_p)
                    ));
                }
                Err(message) => s.push_str(&format!("Not tested: {message}\n")),
            }
        }

        if a.rows.len() <= MAX_TABLE_CUTOFFS {
            s.push_str("\nAll observed cutoffs\n");
            s.push_str(&cutoff_table(&a.rows, sign, a, true).to_string());
            s.push('\n');
        } else {
            // A table of every cutoff of a continuous score would run to
            // millions of lines: the screen shows the ones a reader acts on.
            let selected: Vec<CutoffRow> = a
                .rows
                .iter()
                .filter(|r| {
                    a.is_prespecified(r.cutoff)
                        || a.is_youden_optimal(r.cutoff)
                        || a.closest_to_corner.iter().any(|c| c.cutoff == r.cutoff)
                        || a.min_sensitivity
                            .as_ref()
                            .and_then(|t| t.row.as_ref())
                            .is_some_and(|t| t.cutoff == r.cutoff)
                })
                .cloned()
                .collect();
            s.push_str(&format!(
                "\nSelected cutoffs: the pre-specified ones, the band boundaries and the optima ({} of {} observed; --format csv or --format json lists every one)\n",
                selected.len(),
                a.rows.len()
            ));
            s.push_str(&cutoff_table(&selected, sign, a, true).to_string());
            s.push('\n');
            s.push_str(&format!(
                "\nScore distribution by reference standard: {} distinct scores ({} cases, {} non-cases); --format json lists it\n",
                a.distribution.len(),
                a.n_cases,
                a.n_controls
            ));
            return;
        }

        s.push_str("\nScore distribution by reference standard\n");
        let mut dist = new_table();
        dist.set_header(vec!["Score", "Cases", "Non-cases"]);
        let d = &a.distribution;
        for i in 0..d.len() {
            dist.add_row(vec![
                fmt_number(d.values()[i]),
                d.cases()[i].to_string(),
                d.controls()[i].to_string(),
            ]);
        }
        dist.add_row(vec![
            "Total".to_string(),
            a.n_cases.to_string(),
            a.n_controls.to_string(),
        ]);
        right_align(&mut dist, 0..3);
        s.push_str(&dist.to_string());
        s.push('\n');
    }

    // -------------------------------------------------------------- csv --

    fn write_csv<W: Write>(&self, out: W) -> anyhow::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(CSV_HEADER)?;
        for (group, set) in self.sets() {
            let Ok(a) = &set.analysis else { continue };
            let mut rows: Vec<&CutoffRow> = a.rows.iter().collect();
            rows.extend(a.prespecified.iter().filter(|r| !r.observed));
            rows.sort_by(|x, y| x.cutoff.total_cmp(&y.cutoff));
            for r in rows {
                let c = r.confusion;
                let mut rec = vec![
                    group.unwrap_or("").to_string(),
                    fmt_number(r.cutoff),
                    r.observed.to_string(),
                    a.is_prespecified(r.cutoff).to_string(),
                    a.is_youden_optimal(r.cutoff).to_string(),
                    c.tp.to_string(),
                    c.fp.to_string(),
                    c.tn.to_string(),
                    c.fn_.to_string(),
                ];
                for p in [&r.sensitivity, &r.specificity, &r.ppv, &r.npv] {
                    rec.extend(csv_proportion(p));
                }
                rec.extend(csv_ratio(&r.lr_positive));
                rec.extend(csv_ratio(&r.lr_negative));
                rec.push(csv_float(Some(r.youden)));
                rec.extend(csv_proportion(&r.accuracy));
                rec.push(csv_float(r.screen_positive.estimate));
                w.write_record(&rec)?;
            }
        }
        w.flush()?;
        Ok(())
    }

    // ------------------------------------------------------------- json --

    fn json(&self) -> JsonReport<'_> {
        let groups = self.by.as_ref().map(|_| {
            self.groups
                .iter()
                .map(|(name, set)| (name.as_str(), self.json_set(set, true)))
                .collect::<BTreeMap<_, _>>()
        });
        JsonReport {
            score: &self.score,
            reference: &self.reference,
            positive: &self.positive,
            reference_values: self
                .reference_values
                .iter()
                .map(|r| JsonReferenceValue {
                    value: &r.value,
                    rows: r.rows,
                    role: if r.positive { "case" } else { "non-case" },
                })
                .collect(),
            direction: match self.direction() {
                Direction::Higher => "higher",
                Direction::Lower => "lower",
            },
            positive_if: format!("{} {} cutoff", self.score, self.direction().ascii_sign()),
            ci_method: match self.options.ci_method {
                CiMethod::Wilson => "wilson",
                CiMethod::Exact => "exact",
            },
            auc_ci_method: "delong",
            confidence_level: 0.95,
            rows_read: self.dataset_rows,
            by: self.by.as_deref(),
            rows_missing_group: self.by.as_ref().map(|_| self.missing_group),
            overall: self.json_set(&self.overall, false),
            groups,
            comparison: self
                .overall
                .comparison
                .as_ref()
                .map(|c| self.json_comparison(c, &self.overall.data)),
            notes: &self.notes,
        }
    }

    fn json_comparison(
        &self,
        c: &Result<PairedTest, String>,
        data: &SetData,
    ) -> JsonComparison<'_> {
        let compare = self.compare.as_deref().unwrap_or("");
        match c {
            Ok(t) => JsonComparison {
                compare,
                method: "delong-paired",
                n: t.n,
                n_positive: t.n_cases,
                n_excluded: data.missing_compare,
                auc: Some(t.auc_first),
                auc_compare: Some(t.auc_second),
                auc_difference: Some(t.difference),
                ci: t.ci.map(pair),
                z: t.z,
                p_value: t.p_value,
                error: None,
            },
            Err(message) => JsonComparison {
                compare,
                method: "delong-paired",
                n: data
                    .paired
                    .as_ref()
                    .map_or(0, |p| p.cases().iter().chain(p.controls()).sum()),
                n_positive: data.paired.as_ref().map_or(0, |p| p.cases().iter().sum()),
                n_excluded: data.missing_compare,
                auc: None,
                auc_compare: None,
                auc_difference: None,
                ci: None,
                z: None,
                p_value: None,
                error: Some(message.clone()),
            },
        }
    }

    fn json_set<'s>(&'s self, set: &'s SetReport, with_comparison: bool) -> JsonSet<'s> {
        let ex = set.data.excluded;
        let comparison = if with_comparison {
            set.comparison
                .as_ref()
                .map(|c| self.json_comparison(c, &set.data))
        } else {
            None
        };
        let base = JsonSet {
            rows: set.data.rows,
            n: set.data.counts.n(),
            n_positive: set.data.counts.n_cases(),
            n_negative: set.data.counts.n_controls(),
            n_excluded: ex.total(),
            excluded: JsonExcluded {
                missing_score: ex.missing_score,
                missing_reference: ex.missing_reference,
            },
            prevalence: None,
            prevalence_ci: None,
            auc: None,
            auc_ci: None,
            auc_se: None,
            optimal: Vec::new(),
            closest_to_corner: Vec::new(),
            min_sensitivity: None,
            bootstrap: None,
            prespecified: Vec::new(),
            cutoffs: Lazy(&[], json_cutoff),
            distribution: LazyDistribution(None),
            comparison,
            error: None,
        };
        let a = match &set.analysis {
            Ok(a) => a,
            Err(message) => {
                return JsonSet {
                    error: Some(message.clone()),
                    ..base
                };
            }
        };
        let brief = |r: &CutoffRow| JsonOptimal {
            cutoff: r.cutoff,
            sensitivity: r.sensitivity.estimate,
            specificity: r.specificity.estimate,
            youden: r.youden,
            distance: r.corner_distance,
            tp: r.confusion.tp,
            fp: r.confusion.fp,
            tn: r.confusion.tn,
            fn_: r.confusion.fn_,
        };
        JsonSet {
            prevalence: a.prevalence.estimate,
            prevalence_ci: a.prevalence.ci.map(pair),
            auc: Some(a.auc.auc),
            auc_ci: a.auc.ci.map(pair),
            auc_se: a.auc.standard_error(),
            optimal: a.youden_optimal.iter().map(brief).collect(),
            closest_to_corner: a.closest_to_corner.iter().map(brief).collect(),
            min_sensitivity: a.min_sensitivity.as_ref().map(|t| JsonTarget {
                target: t.target,
                cutoff: t.row.as_ref().map(brief),
            }),
            bootstrap: a.bootstrap.as_ref().map(|b| JsonBootstrap {
                replicates: b.config.replicates,
                seed: b.config.seed,
                resampling: "stratified (cases and non-cases separately)",
                interval: "percentile (order statistics, no interpolation)",
                cutoff_ci: pair(b.cutoff),
                sensitivity_ci: pair(b.sensitivity),
                specificity_ci: pair(b.specificity),
                youden_ci: pair(b.youden),
                auc_ci: pair(b.auc),
                cutoff_frequencies: b
                    .cutoff_frequencies
                    .iter()
                    .map(|&(cutoff, count)| JsonFrequency { cutoff, count })
                    .collect(),
            }),
            prespecified: a.prespecified.iter().map(json_cutoff).collect(),
            cutoffs: Lazy(&a.rows, json_cutoff),
            distribution: LazyDistribution(Some(&a.distribution)),
            ..base
        }
    }
}

// ------------------------------------------------------------ json types --

#[derive(Serialize)]
struct JsonReport<'a> {
    score: &'a str,
    reference: &'a str,
    positive: &'a str,
    reference_values: Vec<JsonReferenceValue<'a>>,
    direction: &'static str,
    positive_if: String,
    ci_method: &'static str,
    auc_ci_method: &'static str,
    confidence_level: f64,
    rows_read: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows_missing_group: Option<u64>,
    overall: JsonSet<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<BTreeMap<&'a str, JsonSet<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<JsonComparison<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonReferenceValue<'a> {
    value: &'a str,
    rows: u64,
    role: &'static str,
}

#[derive(Serialize)]
struct JsonExcluded {
    missing_score: u64,
    missing_reference: u64,
}

#[derive(Serialize)]
struct JsonSet<'a> {
    rows: u64,
    n: u64,
    n_positive: u64,
    n_negative: u64,
    n_excluded: u64,
    excluded: JsonExcluded,
    prevalence: Option<f64>,
    prevalence_ci: Option<[f64; 2]>,
    auc: Option<f64>,
    auc_ci: Option<[f64; 2]>,
    auc_se: Option<f64>,
    optimal: Vec<JsonOptimal>,
    closest_to_corner: Vec<JsonOptimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_sensitivity: Option<JsonTarget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<JsonBootstrap>,
    prespecified: Vec<JsonCutoff>,
    cutoffs: Lazy<'a, CutoffRow, JsonCutoff>,
    distribution: LazyDistribution<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<JsonComparison<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// A list serialised one element at a time, so that the JSON of a million
/// cutoffs is streamed rather than built in memory first.
struct Lazy<'a, T, J>(&'a [T], fn(&T) -> J);

impl<T, J: Serialize> Serialize for Lazy<'_, T, J> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(self.1))
    }
}

/// The score distribution, serialised one score at a time.
struct LazyDistribution<'a>(Option<&'a ScoreCounts>);

impl Serialize for LazyDistribution<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(d) = self.0 else {
            return serializer.collect_seq(std::iter::empty::<JsonDistribution>());
        };
        serializer.collect_seq((0..d.len()).map(|i| JsonDistribution {
            score: d.values()[i],
            cases: d.cases()[i],
            non_cases: d.controls()[i],
        }))
    }
}

#[derive(Serialize)]
struct JsonOptimal {
    cutoff: f64,
    sensitivity: Option<f64>,
    specificity: Option<f64>,
    youden: f64,
    distance: f64,
    tp: u64,
    fp: u64,
    tn: u64,
    #[serde(rename = "fn")]
    fn_: u64,
}

#[derive(Serialize)]
struct JsonTarget {
    target: f64,
    cutoff: Option<JsonOptimal>,
}

#[derive(Serialize)]
struct JsonFrequency {
    cutoff: f64,
    count: u64,
}

#[derive(Serialize)]
struct JsonBootstrap {
    replicates: usize,
    seed: u64,
    resampling: &'static str,
    interval: &'static str,
    cutoff_ci: [f64; 2],
    sensitivity_ci: [f64; 2],
    specificity_ci: [f64; 2],
    youden_ci: [f64; 2],
    auc_ci: [f64; 2],
    cutoff_frequencies: Vec<JsonFrequency>,
}

#[derive(Serialize)]
struct JsonDistribution {
    score: f64,
    cases: u64,
    non_cases: u64,
}

#[derive(Serialize)]
struct JsonCutoff {
    cutoff: f64,
    observed: bool,
    tp: u64,
    fp: u64,
    tn: u64,
    #[serde(rename = "fn")]
    fn_: u64,
    sensitivity: Option<f64>,
    sensitivity_ci: Option<[f64; 2]>,
    specificity: Option<f64>,
    specificity_ci: Option<[f64; 2]>,
    ppv: Option<f64>,
    ppv_ci: Option<[f64; 2]>,
    npv: Option<f64>,
    npv_ci: Option<[f64; 2]>,
    lr_positive: Option<f64>,
    lr_positive_ci: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lr_positive_null_because: Option<&'static str>,
    lr_negative: Option<f64>,
    lr_negative_ci: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lr_negative_null_because: Option<&'static str>,
    youden: f64,
    accuracy: Option<f64>,
    accuracy_ci: Option<[f64; 2]>,
    screen_positive: Option<f64>,
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    compare: &'a str,
    method: &'static str,
    n: u64,
    n_positive: u64,
    n_excluded: u64,
    auc: Option<f64>,
    auc_compare: Option<f64>,
    auc_difference: Option<f64>,
    ci: Option<[f64; 2]>,
    z: Option<f64>,
    p_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn pair(i: Interval) -> [f64; 2] {
    [i.lower, i.upper]
}

fn json_cutoff(r: &CutoffRow) -> JsonCutoff {
    let c = r.confusion;
    let (lrp_reason, lrn_reason) = (
        null_reason(
            &r.lr_positive,
            "infinite: no non-case screens positive (FP = 0)",
            "undefined: 0/0",
        ),
        null_reason(
            &r.lr_negative,
            "infinite: no non-case screens negative (TN = 0)",
            "undefined: 0/0",
        ),
    );
    JsonCutoff {
        cutoff: r.cutoff,
        observed: r.observed,
        tp: c.tp,
        fp: c.fp,
        tn: c.tn,
        fn_: c.fn_,
        sensitivity: r.sensitivity.estimate,
        sensitivity_ci: r.sensitivity.ci.map(pair),
        specificity: r.specificity.estimate,
        specificity_ci: r.specificity.ci.map(pair),
        ppv: r.ppv.estimate,
        ppv_ci: r.ppv.ci.map(pair),
        npv: r.npv.estimate,
        npv_ci: r.npv.ci.map(pair),
        lr_positive: r.lr_positive.value.finite(),
        lr_positive_ci: r.lr_positive.ci.map(pair),
        lr_positive_null_because: lrp_reason,
        lr_negative: r.lr_negative.value.finite(),
        lr_negative_ci: r.lr_negative.ci.map(pair),
        lr_negative_null_because: lrn_reason,
        youden: r.youden,
        accuracy: r.accuracy.estimate,
        accuracy_ci: r.accuracy.ci.map(pair),
        screen_positive: r.screen_positive.estimate,
    }
}

fn null_reason(
    lr: &LikelihoodRatio,
    infinite: &'static str,
    undefined: &'static str,
) -> Option<&'static str> {
    match lr.value {
        RatioValue::Finite(_) => None,
        RatioValue::Infinite => Some(infinite),
        RatioValue::Undefined => Some(undefined),
    }
}

// -------------------------------------------------------------- format --

/// A number in its shortest exact decimal form ("10", "0.22").
fn fmt_number(v: f64) -> String {
    format!("{v}")
}

fn fmt_p(p: f64) -> String {
    if p < 0.0001 {
        "<0.0001".to_string()
    } else {
        format!("{p:.4}")
    }
}

fn fmt_estimate(p: &Proportion) -> String {
    p.estimate.map_or("n/a".into(), |e| format!("{e:.3}"))
}

fn fmt_proportion(p: &Proportion) -> String {
    match (p.estimate, p.ci) {
        (Some(e), Some(ci)) => format!("{e:.3} ({:.3}-{:.3})", ci.lower, ci.upper),
        (Some(e), None) => format!("{e:.3}"),
        _ => "n/a".to_string(),
    }
}

fn fmt_ratio(lr: &LikelihoodRatio) -> String {
    match (lr.value, lr.ci) {
        (RatioValue::Finite(v), Some(ci)) => format!("{v:.2} ({:.2}-{:.2})", ci.lower, ci.upper),
        (RatioValue::Finite(v), None) => format!("{v:.2}"),
        (RatioValue::Infinite, _) => "inf".to_string(),
        (RatioValue::Undefined, _) => "n/a".to_string(),
    }
}

fn fmt_range(i: Interval, f: impl Fn(f64) -> String) -> String {
    format!("{}-{}", f(i.lower), f(i.upper))
}

fn auc_text(auc: f64, ci: Option<Interval>) -> String {
    match ci {
        Some(ci) => format!(
            "AUC {auc:.3} (95% CI {:.3}-{:.3}, DeLong)",
            ci.lower, ci.upper
        ),
        None => format!("AUC {auc:.3} (no DeLong CI)"),
    }
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    t
}

fn right_align(table: &mut Table, columns: std::ops::Range<usize>) {
    for i in columns {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn cutoff_table(rows: &[CutoffRow], sign: &str, a: &Analysis, mark: bool) -> Table {
    let mut t = new_table();
    let mut header = vec![
        "Cutoff",
        "TP",
        "FP",
        "FN",
        "TN",
        "Se (95% CI)",
        "Sp (95% CI)",
        "PPV (95% CI)",
        "NPV (95% CI)",
        "LR+ (95% CI)",
        "LR- (95% CI)",
        "J",
        "Acc",
        "Pos %",
    ];
    if mark {
        header.push("");
    }
    t.set_header(header);
    for r in rows {
        let c = r.confusion;
        let mut cells = vec![
            format!("{sign} {}", fmt_number(r.cutoff)),
            c.tp.to_string(),
            c.fp.to_string(),
            c.fn_.to_string(),
            c.tn.to_string(),
            fmt_proportion(&r.sensitivity),
            fmt_proportion(&r.specificity),
            fmt_proportion(&r.ppv),
            fmt_proportion(&r.npv),
            fmt_ratio(&r.lr_positive),
            fmt_ratio(&r.lr_negative),
            format!("{:.3}", r.youden),
            fmt_estimate(&r.accuracy),
            r.screen_positive
                .estimate
                .map_or("n/a".into(), |e| format!("{:.1}", e * 100.0)),
        ];
        if mark {
            let mut tags = Vec::new();
            if a.is_prespecified(r.cutoff) {
                tags.push("pre-specified");
            }
            if a.is_youden_optimal(r.cutoff) {
                tags.push("Youden max");
            }
            cells.push(tags.join(", "));
        }
        if !r.observed {
            cells[0].push_str(" *");
        }
        t.add_row(cells);
    }
    right_align(&mut t, 0..5);
    right_align(&mut t, 11..14);
    t
}

// ----------------------------------------------------------------- csv --

fn csv_float(v: Option<f64>) -> String {
    v.map_or(String::new(), fmt_number)
}

fn csv_proportion(p: &Proportion) -> [String; 3] {
    [
        csv_float(p.estimate),
        csv_float(p.ci.map(|c| c.lower)),
        csv_float(p.ci.map(|c| c.upper)),
    ]
}

fn csv_ratio(lr: &LikelihoodRatio) -> [String; 3] {
    let value = match lr.value {
        RatioValue::Finite(v) => fmt_number(v),
        RatioValue::Infinite => "inf".to_string(),
        RatioValue::Undefined => String::new(),
    };
    [
        value,
        csv_float(lr.ci.map(|c| c.lower)),
        csv_float(lr.ci.map(|c| c.upper)),
    ]
}

/// Columns of the CSV output, one row per cutoff and group.
const CSV_HEADER: [&str; 32] = [
    "group",
    "cutoff",
    "observed",
    "prespecified",
    "youden_optimal",
    "tp",
    "fp",
    "tn",
    "fn",
    "sensitivity",
    "sensitivity_lower",
    "sensitivity_upper",
    "specificity",
    "specificity_lower",
    "specificity_upper",
    "ppv",
    "ppv_lower",
    "ppv_upper",
    "npv",
    "npv_lower",
    "npv_upper",
    "lr_positive",
    "lr_positive_lower",
    "lr_positive_upper",
    "lr_negative",
    "lr_negative_lower",
    "lr_negative_upper",
    "youden",
    "accuracy",
    "accuracy_lower",
    "accuracy_upper",
    "screen_positive",
];
