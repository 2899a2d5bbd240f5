//! `stepcare validate FILE...`: every problem in definitions and text packs.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::{CatalogArgs, color_stderr, read_file};
use stepcare::diagnostic::{Diagnostic, SourceSpot};
use stepcare::instrument::{Instrument, load_instrument};
use stepcare::lang::count;
use stepcare::rules::{analysis, load_table};
use stepcare::texts::load_text_pack;
use stepcare::verify::verify;

/// Arguments of `stepcare validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Instrument definitions or text packs to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// What kind of file a YAML file is, from its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Instrument,
    TextPack,
    RuleTable,
    Unknown,
}

fn kind_of(text: &str) -> FileKind {
    let keys = stepcare::yaml::top_level_keys(text).unwrap_or_default();
    let has = |key: &str| keys.iter().any(|k| k == key);
    if has("instrument") && has("language") {
        FileKind::TextPack
    } else if has("rules") || has("levels") {
        FileKind::RuleTable
    } else if has("items") || has("scales") || (has("id") && !has("rules")) {
        FileKind::Instrument
    } else if keys.is_empty() {
        // Unparseable: let the instrument loader report the syntax error.
        FileKind::Instrument
    } else {
        FileKind::Unknown
    }
}

/// Runs `stepcare validate`.
pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let mut sources = Vec::new();
    for path in &args.files {
        sources.push((path.display().to_string(), read_file(path)?));
    }
    // Instruments first, so text packs in the same run can refer to them.
    let mut defined: Vec<Instrument> = Vec::new();
    let mut reports: Vec<(String, Vec<Diagnostic>, String)> = Vec::new();
    for (path, text) in &sources {
        if kind_of(text) != FileKind::Instrument {
            continue;
        }
        let (instrument, mut diagnostics) = load_instrument(path, text);
        let summary = match instrument {
            Some(instrument) => {
                let outcomes = verify(&instrument);
                for outcome in outcomes.iter().filter(|o| !o.passed()) {
                    let mut diagnostic = Diagnostic::error(
                        path,
                        SourceSpot::whole_line(text, outcome.line),
                        format!("known-answer example `{}` fails", outcome.name),
                    );
                    diagnostic.notes.clone_from(&outcome.mismatches);
                    diagnostics.push(diagnostic);
                }
                let summary = format!(
                    "instrument `{}`: {}, {}, {}, {}",
                    instrument.id,
                    count(instrument.items.len() as u64, "item", "items"),
                    count(instrument.scales.len() as u64, "scale", "scales"),
                    count(instrument.flags.len() as u64, "flag", "flags"),
                    count(outcomes.len() as u64, "example", "examples")
                );
                defined.push(instrument);
                summary
            }
            None => "instrument definition".to_owned(),
        };
        reports.push((path.clone(), diagnostics, summary));
    }
    for (path, text) in &sources {
        match kind_of(text) {
            FileKind::Instrument => {}
            FileKind::TextPack => {
                let mut known: Vec<&Instrument> = catalog.instruments().iter().collect();
                known.extend(defined.iter());
                let (diagnostics, summary) = match load_text_pack(path, text, &known) {
                    Ok(pack) => (
                        Vec::new(),
                        format!(
                            "text pack for `{}` ({}): {}",
                            pack.instrument,
                            pack.language,
                            count(pack.items.len() as u64, "item", "items")
                        ),
                    ),
                    Err(diagnostics) => (diagnostics, "text pack".to_owned()),
                };
                reports.push((path.clone(), diagnostics, summary));
            }
            FileKind::RuleTable => {
                let mut known: Vec<&Instrument> = catalog.instruments().iter().collect();
                known.extend(defined.iter());
                let (table, mut diagnostics) = load_table(path, text, &known);
                let summary = match &table {
                    Some(table) => {
                        let report = analysis::analyze(table);
                        // Loading checked safety; the full analysis adds the
                        // shadowed and redundant rules.
                        diagnostics.extend(report.masking_diagnostics(table, path, text));
                        diagnostics.sort_by_key(|d| (d.spot.line, d.spot.column));
                        let schedule = match table.schedule.len() {
                            0 => String::new(),
                            1 => ", 1 planned screening".to_owned(),
                            n => format!(", {n} planned screenings"),
                        };
                        format!(
                            "rule table `{}`: {}, {}, {}, {}{schedule}; all {} distinguishable cases get a decision and keep their urgent flags (raised or unanswered)",
                            table.id,
                            count(table.levels.len() as u64, "level", "levels"),
                            count(table.referrals.len() as u64, "referral target", "referral targets"),
                            count(table.inputs.len() as u64, "input", "inputs"),
                            count(table.rules.len() as u64, "rule", "rules"),
                            report.combinations
                        )
                    }
                    None => "rule table".to_owned(),
                };
                reports.push((path.clone(), diagnostics, summary));
            }
            FileKind::Unknown => reports.push((
                path.clone(),
                vec![
                    Diagnostic::error(path, SourceSpot::unknown(), "not a definition stepcare knows")
                        .expected("an instrument definition (with `id` and `items`), a text pack (with `instrument` and `language`) or a rule table (with `levels` and `rules`)"),
                ],
                "unknown file".to_owned(),
            )),
        }
    }
    let color = color_stderr();
    let mut errors = 0;
    let mut warnings = 0;
    for (path, diagnostics, _) in &reports {
        let text = sources
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.as_str());
        for diagnostic in diagnostics {
            eprintln!("{}\n", diagnostic.render(text, color));
            if diagnostic.is_error() {
                errors += 1;
            } else {
                warnings += 1;
            }
        }
    }
    for (path, diagnostics, summary) in &reports {
        let verdict = if diagnostics.iter().any(Diagnostic::is_error) {
            "FAILED"
        } else {
            "ok"
        };
        println!("{verdict:<6} {path}: {summary}");
    }
    if errors > 0 {
        eprintln!(
            "{}, {}",
            count(errors as u64, "error", "errors"),
            count(warnings as u64, "warning", "warnings")
        );
        Ok(ExitCode::from(1))
    } else {
        if warnings > 0 {
            eprintln!("{}", count(warnings as u64, "warning", "warnings"));
        }
        Ok(ExitCode::SUCCESS)
    }
}
