//! `stepcare import`: an instrument definition from a FHIR Questionnaire or a REDCap dictionary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use super::UsageError;
use super::common::{CatalogArgs, fail_with};
use stepcare::instrument::load_instrument;
use stepcare::interop::{Draft, fhir, lint, redcap};

/// The formats `import` reads.
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// A FHIR R4/R5 Questionnaire (JSON: the resource, or a Bundle holding it).
    Fhir(FhirArgs),
    /// A REDCap data dictionary (the 18-column CSV, or API metadata JSON).
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
    /// The data dictionary (CSV or metadata JSON).
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
            let text = read_bounded(&args.dictionary)?;
            let shown = args.dictionary.display().to_string();
            let fields = redcap::read_dictionary(&text, &shown)?;
            let draft =
                redcap::import_form(&fields, &args.form, &shown, args.common.id.as_deref())?;
            finish(draft, &args.common)
        }
    }
}

/// Reads a file of at most [`fhir::MAX_RESOURCE_BYTES`].
fn read_bounded(path: &Path) -> anyhow::Result<String> {
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
    super::common::read_text(path)
}

/// Validates the draft as a definition, lints it, reports, and writes it.
fn finish(draft: Draft, args: &CommonArgs) -> anyhow::Result<ExitCode> {
    let yaml = draft.to_yaml();
    let shown = args
        .output
        .as_ref()
        .map_or("<imported>".to_owned(), |p| p.display().to_string());
    let (instrument, diagnostics) = load_instrument(&shown, &yaml);
    let Some(instrument) = instrument else {
        let text = yaml.clone();
        return Err(fail_with(diagnostics, |_| Some(text.clone()))
            .context("the imported definition does not validate"));
    };
    for note in &draft.not_carried {
        eprintln!("not carried over: {note}");
    }
    for warning in &draft.warnings {
        eprintln!("warning: {warning}");
    }
    let catalog = args.catalog.load()?;
    match lint::counterpart(&instrument, &catalog, args.like.as_deref()).map_err(UsageError)? {
        Some(vetted) => {
            let differences = lint::differences(&instrument, vetted);
            if differences.is_empty() {
                eprintln!(
                    "lint: `{}` agrees with the shipped `{}` (items, points, keying, missing-data rule, bands)",
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
            "lint: no shipped instrument has the LOINC panel code of `{}`; name one with --like ID to compare",
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
