//! The narrow hooks between the batch commands and `stepcare::interop`.
//!
//! `score` (and the commands that read an export like it) call [`open_input`]
//! on their input: CSV passes through, FHIR responses are read as rows. The
//! account of a FHIR run and the stored-value comparisons are printed by
//! [`report`].

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;

use stepcare::batch::{BatchOptions, Summary};
use stepcare::instrument::Instrument;
use stepcare::interop::fhir;
use stepcare::interop::responses::{self, Opened, Report};

/// Options for reading FHIR QuestionnaireResponses.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FhirInputArgs {
    /// For FHIR responses: the Questionnaire they answer; its item codes match linkIds to items.
    #[arg(long, value_name = "FILE")]
    pub questionnaire: Option<PathBuf>,
}

/// Opens the input of a batch command, detecting FHIR JSON from its content.
pub fn open_input(
    input: Box<dyn Read + Send>,
    instruments: &[&Instrument],
    options: &mut BatchOptions,
    args: &FhirInputArgs,
) -> anyhow::Result<Opened> {
    open_input_with(input, instruments, options, args, &[])
}

/// [`open_input`], with linkIds whose answers become columns of their own (`cutoffs`' reference).
pub fn open_input_with(
    input: Box<dyn Read + Send>,
    instruments: &[&Instrument],
    options: &mut BatchOptions,
    args: &FhirInputArgs,
    extra: &[String],
) -> anyhow::Result<Opened> {
    let questionnaire = match &args.questionnaire {
        Some(path) => {
            let size = std::fs::metadata(path)
                .with_context(|| format!("cannot read `{}`", path.display()))?
                .len();
            if size > fhir::MAX_RESOURCE_BYTES {
                anyhow::bail!(
                    "--questionnaire `{}` is too large ({} MiB)",
                    path.display(),
                    size >> 20
                );
            }
            let text = super::common::read_file(path)?;
            Some(fhir::parse_json(&text, &path.display().to_string())?)
        }
        None => None,
    };
    Ok(responses::open(
        input,
        instruments,
        options,
        questionnaire.as_ref(),
        extra,
    )?)
}

/// Prints the stored-value comparisons and the account of FHIR input on standard error.
pub fn report(summary: &Summary, instruments: &[&Instrument], fhir: Option<&Arc<Mutex<Report>>>) {
    if summary.not_applicable > 0 {
        eprintln!(
            "{} not applicable: REDCap rows of another instrument or event (status not_applicable)",
            stepcare::lang::count(summary.not_applicable, "row", "rows")
        );
    }
    for tally in &summary.stored {
        let scale = tally.scale.split_once('.').and_then(|(inst, scale)| {
            let instrument = instruments.iter().find(|i| i.id == inst)?;
            Some((instrument, instrument.scale_index(scale)?))
        });
        if let Some((instrument, index)) = scale {
            eprintln!(
                "{}",
                tally.describe(&instrument.scales[index], &instrument.items)
            );
        }
    }
    if let Some(report) = fhir {
        let report = report.lock().unwrap_or_else(|e| e.into_inner());
        for line in report.lines() {
            eprintln!("{line}");
        }
    }
}
