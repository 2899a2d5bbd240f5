//! `stepcare explain`: why a rule table recommends what it does for one family.
//!
//! The answers come from the command line (`--answers "q1=2,q2=1,..."`, one
//! `--answers` per `--instrument`, in the same order) or from one row of an
//! export (`--input FILE --row N`). The output is the trace a clinician can
//! read: the scores, the recommendation, and every rule with whether it
//! matched and why, in the chosen language.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::UsageError;
use super::common::{CatalogArgs, SheetArgs, resolve_lang, words};
use super::rules_arg::{load_rules, parse_sets};
use super::score::Values;
use stepcare::batch::{BatchOptions, CellReader, Layout, RowSink, ScoredRow, score_stream};
use stepcare::instrument::{Instrument, ValueKind};
use stepcare::interop::responses::ISSUE_COLUMN;
use stepcare::lang::Lang;
use stepcare::rules::{DataValues, RuleTable, recommend};
use stepcare::scoring::{Answer, InstrumentScore, describe, score};

/// Arguments of `stepcare explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The rule table: a shipped id (no-default, se-default) or a file.
    #[arg(long, value_name = "ID|FILE")]
    rules: String,
    /// An instrument that was answered (repeatable; pairs in order with --answers).
    #[arg(long = "instrument", required = true, value_name = "ID")]
    instruments: Vec<String>,
    /// The answers to one instrument, as ITEM=VALUE pairs separated by commas
    /// ("q1=2,q2=1,..."); an item left out is unanswered.
    #[arg(long = "answers", value_name = "ITEM=VALUE,...")]
    answers: Vec<String>,
    /// Instead of --answers: an export (CSV or a workbook) holding the row to explain.
    #[arg(long, value_name = "FILE", conflicts_with = "answers")]
    input: Option<PathBuf>,
    #[command(flatten)]
    sheet: SheetArgs,
    /// The data row of --input to explain (1 is the first row after the header).
    #[arg(long, default_value_t = 1, requires = "input")]
    row: u64,
    /// What the answer values hold.
    #[arg(long, value_enum, default_value_t = Values::Points)]
    values: Values,
    /// A data value the rule table reads (repeatable), e.g. respondent=mother.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Language of the explanation (nb, sv or en); from LANG when absent.
    #[arg(long)]
    lang: Option<Lang>,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[command(flatten)]
    fhir: super::interop_args::FhirInputArgs,
}

fn value_kind(values: Values) -> ValueKind {
    match values {
        Values::Points => ValueKind::Points,
        Values::Position => ValueKind::Position,
        Values::Label => ValueKind::Label,
    }
}

/// Runs `stepcare explain`.
pub fn run(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let table = load_rules(&args.rules, &catalog)?;
    let lang = resolve_lang(args.lang);
    let instruments = super::common::pick_instruments(&catalog, &args.instruments)?;
    let uncovered = table.uncovered_urgent_flags(&instruments);
    if !uncovered.is_empty() {
        return Err(UsageError(format!(
            "rule table `{}` does not list the instrument of the urgent flag(s) {}, so its explanation could miss them",
            table.id,
            uncovered.join(", ")
        ))
        .into());
    }
    let mut data = parse_sets(&args.set, &[&table])?;
    let scores: Vec<InstrumentScore> = match &args.input {
        Some(path) => {
            let (scores, row_data) = read_row(
                path,
                args.sheet.sheet.as_deref(),
                args.row,
                &instruments,
                &table,
                args.values,
                &args.fhir,
            )?;
            for (name, value) in row_data {
                if data
                    .keys()
                    .any(|set| set.to_lowercase() == name.to_lowercase())
                {
                    return Err(UsageError(format!(
                        "--set {name}: `{}` has a column `{name}` (this row: `{value}`); --set would override it, so give one or the other",
                        path.display()
                    ))
                    .into());
                }
                data.insert(name, value);
            }
            scores
        }
        None => {
            if args.answers.len() != instruments.len() {
                return Err(UsageError(format!(
                    "give one --answers for each --instrument, in the same order ({} instrument(s), {} --answers), or use --input FILE",
                    instruments.len(),
                    args.answers.len()
                ))
                .into());
            }
            instruments
                .iter()
                .zip(&args.answers)
                .map(|(instrument, text)| {
                    parse_answers(instrument, text, value_kind(args.values))
                        .map(|answers| score(instrument, &answers))
                })
                .collect::<anyhow::Result<_>>()?
        }
    };
    let screened: Vec<(&Instrument, &InstrumentScore)> =
        instruments.iter().copied().zip(scores.iter()).collect();
    let recommendation = recommend(&table, &screened, &data).map_err(|missing| {
        let names: Vec<String> = missing
            .0
            .iter()
            .map(|m| format!("--set {}=... ({})", m.column, m.values))
            .collect();
        UsageError(format!(
            "rule table `{}` needs data that was not given: {}",
            table.id,
            names.join(", ")
        ))
    })?;
    let mut out = String::new();
    for (instrument, result) in &screened {
        out.push_str(&format!("{}\n", instrument.name.get(lang)));
        for (scale, scored) in instrument.scales.iter().zip(&result.scales) {
            out.push_str(&format!(
                "  {}: {}\n",
                scale.label.get(lang),
                describe_in(scale, scored, lang)
            ));
        }
        for &flag in &result.flags {
            let flag = &instrument.flags[flag];
            out.push_str(&format!(
                "  {}{}\n",
                flag.label.get(lang),
                if flag.urgent { " (!)" } else { "" }
            ));
        }
    }
    out.push('\n');
    out.push_str(&recommendation.trace.render(&table, lang));
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// A scale's score and band, or why it has none, in `lang`.
fn describe_in(
    scale: &stepcare::instrument::Scale,
    scored: &stepcare::scoring::ScaleScore,
    lang: Lang,
) -> String {
    if scored.score.is_some() {
        return describe(scale, scored, lang);
    }
    let n = scale.items.len();
    let (i, m, k) = (scored.invalid, scored.missing, scale.missing.max_missing);
    let reason = if scored.invalid > 0 {
        match lang {
            Lang::En => format!("{i} of {n} items have invalid values"),
            Lang::Nb => format!("{i} av {n} spørsmål har ugyldige verdier"),
            Lang::Nn => format!("{i} av {n} spørsmål har ugyldige verdiar"),
            Lang::Sv => format!("{i} av {n} frågor har ogiltiga värden"),
        }
    } else if scored.required_missing {
        words(
            lang,
            "a required item is missing",
            "et spørsmål som alltid må besvares, mangler",
            "en fråga som alltid måste besvaras saknas",
        )
        .to_owned()
    } else if k == 0 {
        match lang {
            Lang::En => format!("{m} of {n} items missing (none may be)"),
            Lang::Nb => format!("{m} av {n} spørsmål mangler (ingen kan mangle)"),
            Lang::Nn => format!("{m} av {n} spørsmål manglar (ingen kan mangle)"),
            Lang::Sv => format!("{m} av {n} frågor saknas (ingen får saknas)"),
        }
    } else {
        match lang {
            Lang::En => format!("{m} of {n} items missing (at most {k} may be)"),
            Lang::Nb => format!("{m} av {n} spørsmål mangler (høyst {k} kan mangle)"),
            Lang::Nn => format!("{m} av {n} spørsmål manglar (høgst {k} kan mangle)"),
            Lang::Sv => format!("{m} av {n} frågor saknas (högst {k} får saknas)"),
        }
    };
    format!(
        "{}: {reason}",
        words(lang, "no score", "ingen skår", "ingen poäng")
    )
}

/// Reads "q1=2,q2=1,..." as one answer per item of `instrument`.
fn parse_answers(
    instrument: &Instrument,
    text: &str,
    kind: ValueKind,
) -> anyhow::Result<Vec<Answer>> {
    let mut answers = vec![Answer::Missing; instrument.items.len()];
    let mut seen: Vec<usize> = Vec::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(UsageError(format!(
                "--answers: `{pair}` is not ITEM=VALUE (for example q1=2)"
            ))
            .into());
        };
        let key = key.trim();
        let item_id = key
            .strip_prefix(&format!("{}.", instrument.id))
            .unwrap_or(key);
        let Some(index) = instrument.item_index(item_id) else {
            let known: Vec<&str> = instrument.items.iter().map(|i| i.id.as_str()).collect();
            return Err(UsageError(format!(
                "--answers: {} has no item `{key}` (items: {})",
                instrument.id,
                known.join(", ")
            ))
            .into());
        };
        if answers[index] != Answer::Missing || seen.contains(&index) {
            return Err(UsageError(format!(
                "--answers: {}.{item_id} is given twice; give each item once",
                instrument.id
            ))
            .into());
        }
        seen.push(index);
        let reader = CellReader::new(&instrument.items[index], kind, &[]);
        let answer = reader.read(value.as_bytes(), &[]);
        if answer == Answer::Invalid {
            let points: Vec<String> = instrument.items[index]
                .options
                .iter()
                .map(|o| o.points.to_string())
                .collect();
            return Err(UsageError(format!(
                "--answers: `{}` is not an answer to {}.{} (points {})",
                value.trim(),
                instrument.id,
                item_id,
                points.join(", ")
            ))
            .into());
        }
        answers[index] = answer;
    }
    Ok(answers)
}

/// Scores an export and keeps row `wanted`: its scores and the data cells the table reads.
fn read_row(
    path: &std::path::Path,
    sheet: Option<&str>,
    wanted: u64,
    instruments: &[&Instrument],
    table: &RuleTable,
    values: Values,
    fhir: &super::interop_args::FhirInputArgs,
) -> anyhow::Result<(Vec<InstrumentScore>, DataValues)> {
    struct Capture<'t> {
        wanted: u64,
        table: &'t RuleTable,
        columns: Vec<(String, usize)>,
        found: Option<(Vec<InstrumentScore>, DataValues)>,
        /// The record-level problem of the wanted row (FHIR input: not a response, not JSON).
        problem: Option<String>,
    }
    impl RowSink for Capture<'_> {
        fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
            for (_, column) in self.table.columns() {
                let key = column.name.to_lowercase();
                if let Some(index) = layout
                    .headers
                    .iter()
                    .position(|h| h.trim().to_lowercase() == key)
                {
                    self.columns.push((column.name.clone(), index));
                }
            }
            Ok(())
        }
        fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
            if row.number == self.wanted {
                if let Some(index) = layout.headers.iter().position(|h| h == ISSUE_COLUMN) {
                    let cell = row.record.get(index).unwrap_or(b"");
                    if !cell.is_empty() {
                        self.problem = Some(String::from_utf8_lossy(cell).into_owned());
                    }
                }
                let data = self
                    .columns
                    .iter()
                    .map(|(name, index)| {
                        let cell = row.record.get(*index).unwrap_or(b"");
                        (name.clone(), String::from_utf8_lossy(cell).into_owned())
                    })
                    .collect();
                self.found = Some((row.scores.to_vec(), data));
            }
            Ok(())
        }
        fn finish(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut capture = Capture {
        wanted,
        table,
        columns: Vec::new(),
        found: None,
        problem: None,
    };
    let opened = super::common::open_input(path, sheet)?;
    let mut options = BatchOptions {
        values: value_kind(values),
        origin: opened.origin,
        ..BatchOptions::default()
    };
    // FHIR responses are read as rows too (one per response).
    let fhir_input =
        super::interop_args::open_input(opened.reader, instruments, &mut options, fhir)?;
    let summary = score_stream(fhir_input.reader, instruments, &options, &mut capture)
        .with_context(|| format!("reading `{}`", path.display()))?;
    if let Some(report) = &fhir_input.report {
        let report = report.lock().unwrap_or_else(|e| e.into_inner());
        for line in report.lines() {
            eprintln!("{line}");
        }
    }
    if let Some(problem) = capture.problem {
        // Nothing was read from such a record: explaining it as a form with
        // every answer missing would hide why.
        anyhow::bail!(
            "--row {wanted} of `{}` cannot be explained: {problem}",
            path.display()
        );
    }
    capture.found.ok_or_else(|| {
        UsageError(format!(
            "--row {wanted}: `{}` has {}",
            path.display(),
            stepcare::lang::count(summary.rows, "data row", "data rows")
        ))
        .into()
    })
}
