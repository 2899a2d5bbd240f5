//! `stepcare import`: an instrument definition from a FHIR Questionnaire or a REDCap dictionary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::UsageError;
use super::common::{CatalogArgs, fail_with};
use stepcare::instrument::{Instrument, load_instrument};
use stepcare::interop::{Draft, DraftFlag, fhir, lint, redcap};
use stepcare::lang::Lang;

/// The formats `import` reads.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// A FHIR R4/R5 Questionnaire (JSON: the resource, or a Bundle holding it).
    Fhir(FhirArgs),
    /// A REDCap data dictionary (the 18-column CSV, API metadata JSON, or an instrument ZIP holding instrument.csv).
    Redcap(RedcapArgs),
}

/// What every import shares.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// The new instrument's id; derived from the source when absent.
    #[arg(long)]
    id: Option<String>,
    /// Where to write the definition (atomically); standard output when absent.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Compare with this instrument instead of the one with the same LOINC panel code.
    #[arg(long, value_name = "ID")]
    like: Option<String>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// Arguments of `stepcare import fhir`.
#[derive(Debug, clap::Args)]
pub struct FhirArgs {
    /// The Questionnaire JSON file, then any files holding the ValueSets or CodeSystems it refers to.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

/// Arguments of `stepcare import redcap`.
#[derive(Debug, clap::Args)]
pub struct RedcapArgs {
    /// The data dictionary (CSV or metadata JSON), or a REDCap instrument ZIP (its instrument.csv is read).
    dictionary: PathBuf,
    /// The form (instrument) to import.
    #[arg(long)]
    form: String,
    #[command(flatten)]
    common: CommonArgs,
}

/// Runs `stepcare import`.
pub fn run(command: ImportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ImportCommand::Fhir(args) => {
            let mut files = Vec::new();
            for path in &args.files {
                let text = read_bounded(path)?;
                let shown = path.display().to_string();
                let value = fhir::parse_json(&text, &shown)?;
                files.push((shown, value));
            }
            let draft = fhir::import_questionnaire(&files, args.common.id.as_deref())?;
            finish(draft, &args.common)
        }
        ImportCommand::Redcap(args) => {
            let bytes = read_bounded_bytes(&args.dictionary)?;
            let mut shown = args.dictionary.display().to_string();
            let text = if redcap::is_zip(&bytes) {
                let text =
                    redcap::instrument_csv_from_zip(&bytes, &shown, fhir::MAX_RESOURCE_BYTES)?;
                shown = format!("{shown}/{}", redcap::ZIP_DICTIONARY);
                text
            } else {
                String::from_utf8(bytes).map_err(|e| {
                    anyhow::anyhow!(
                        "`{shown}` is not UTF-8 text (byte {}): a REDCap data dictionary (CSV or metadata JSON) or instrument ZIP was expected",
                        e.utf8_error().valid_up_to()
                    )
                })?
            };
            let fields = redcap::read_dictionary(&text, &shown)?;
            let draft =
                redcap::import_form(&fields, &args.form, &shown, args.common.id.as_deref())?;
            finish(draft, &args.common)
        }
    }
}

/// Reads a file of at most [`fhir::MAX_RESOURCE_BYTES`], as bytes.
fn read_bounded_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    check_size(path)?;
    std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))
}

/// Reads a file of at most [`fhir::MAX_RESOURCE_BYTES`].
fn read_bounded(path: &Path) -> anyhow::Result<String> {
    check_size(path)?;
    super::common::read_file(path)
}

/// Refuses a file larger than [`fhir::MAX_RESOURCE_BYTES`]: a definition is read whole.
fn check_size(path: &Path) -> anyhow::Result<()> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?
        .len();
    if size > fhir::MAX_RESOURCE_BYTES {
        anyhow::bail!(
            "`{}` is {} MiB; a definition is read whole, and at most {} MiB is accepted",
            path.display(),
            size >> 20,
            fhir::MAX_RESOURCE_BYTES >> 20
        );
    }
    Ok(())
}

/// Loads a draft's YAML as a definition, or fails with every problem in it.
fn validated(yaml: &str, shown: &str) -> anyhow::Result<Instrument> {
    let (instrument, diagnostics) = load_instrument(shown, yaml);
    match instrument {
        Some(instrument) => Ok(instrument),
        None => {
            let text = yaml.to_owned();
            Err(fail_with(diagnostics, |_| Some(text.clone()))
                .context("the imported definition does not validate"))
        }
    }
}

/// Copies the vetted instrument's flags onto the matching items of the import
/// (see [`lint::flag_target`]); prints each flag carried, and prominently each
/// that cannot be. Returns whether any was carried.
fn carry_flags(draft: &mut Draft, imported: &Instrument, vetted: &Instrument) -> bool {
    let lang: Lang = draft.lang.parse().unwrap_or(Lang::En);
    let coded = imported.items.iter().all(|i| i.codes.contains_key("loinc"))
        && vetted.items.iter().all(|i| i.codes.contains_key("loinc"));
    let mut carried = false;
    for flag in &vetted.flags {
        if imported.flags.iter().any(|f| f.id == flag.id) {
            continue;
        }
        let strength = if flag.urgent { "URGENT flag" } else { "flag" };
        let vetted_item = &vetted.items[flag.item].id;
        match lint::flag_target(imported, vetted, flag) {
            Ok(index) => {
                let item = &imported.items[index];
                eprintln!(
                    "flag carried over: the {strength} `{}` of the vetted `{}` (item `{vetted_item}` at {} or more points) now watches item `{}`{} of `{}`; the generated definition says so",
                    flag.id,
                    vetted.id,
                    flag.at_least,
                    item.id,
                    item.link_id
                        .as_ref()
                        .map(|l| format!(" (linkId `{l}`)"))
                        .unwrap_or_default(),
                    imported.id
                );
                draft.flags.push(DraftFlag {
                    id: flag.id.clone(),
                    item: item.id.clone(),
                    at_least: flag.at_least,
                    urgent: flag.urgent,
                    label: flag.label.get(lang).to_owned(),
                    action: flag.action.get(lang).to_owned(),
                    source: format!(
                        "Carried over by `stepcare import` from the vetted `{}` {} (item `{vetted_item}`).{}",
                        vetted.id,
                        vetted.version,
                        flag.source
                            .as_ref()
                            .map(|s| format!(" {s}"))
                            .unwrap_or_default()
                    ),
                    from: vetted.id.clone(),
                    matched: if coded {
                        "by LOINC code".to_owned()
                    } else {
                        "by position".to_owned()
                    },
                });
                carried = true;
            }
            Err(reason) => eprintln!(
                "WARNING: the {strength} `{}` of the vetted `{}` (item `{vetted_item}` at {} or more points) is NOT carried over: {reason}. `{}` will never raise it; score with `{}`, or add the flag to the definition by hand.",
                flag.id, vetted.id, flag.at_least, imported.id, vetted.id
            ),
        }
    }
    carried
}

/// Validates the draft as a definition, lints it, reports, and writes it.
fn finish(mut draft: Draft, args: &CommonArgs) -> anyhow::Result<ExitCode> {
    let shown = args
        .output
        .as_ref()
        .map_or("<imported>".to_owned(), |p| p.display().to_string());
    let mut yaml = draft.to_yaml();
    let mut instrument = validated(&yaml, &shown)?;
    for note in &draft.not_carried {
        eprintln!("not carried over: {note}");
    }
    for warning in &draft.warnings {
        eprintln!("warning: {warning}");
    }
    let catalog = args.catalog.load()?;
    match lint::counterpart(&instrument, &catalog, args.like.as_deref()).map_err(UsageError)? {
        Some(vetted) => {
            if carry_flags(&mut draft, &instrument, vetted) {
                yaml = draft.to_yaml();
                instrument = validated(&yaml, &shown)?;
            }
            let differences = lint::differences(&instrument, vetted);
            if differences.is_empty() {
                eprintln!(
                    "lint: `{}` agrees with the shipped `{}` (items, points, keying, flags, missing-data rule, bands)",
                    instrument.id, vetted.id
                );
            } else {
                eprintln!(
                    "lint: `{}` (imported) differs from the shipped `{}` in {} way(s):",
                    instrument.id,
                    vetted.id,
                    differences.len()
                );
                for difference in differences {
                    eprintln!("  - {difference}");
                }
            }
        }
        None => eprintln!(
            "lint: no shipped instrument has the LOINC panel code of `{}`; name one with --like ID to compare (and to carry over its critical-item flags)",
            instrument.id
        ),
    }
    eprintln!(
        "imported `{}`: {} items, {} scale(s){}",
        instrument.id,
        instrument.items.len(),
        instrument.scales.len(),
        instrument
            .scales
            .iter()
            .filter(|s| !s.stored.is_empty())
            .map(|s| format!("; `{}` has a stored value in {}", s.id, s.stored.join(", ")))
            .collect::<String>()
    );
    match &args.output {
        Some(path) => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let mut file = tempfile::NamedTempFile::new_in(&parent)
                .with_context(|| format!("cannot create a file in `{}`", parent.display()))?;
            file.write_all(yaml.as_bytes())?;
            file.persist(path)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            eprintln!("written to `{}`", path.display());
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(yaml.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
