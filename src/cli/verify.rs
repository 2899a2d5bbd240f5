//! `stepcare verify [ID|FILE...]`: runs the known-answer examples.

use std::path::Path;
use std::process::ExitCode;

use super::common::{CatalogArgs, fail_with, read_file};
use stepcare::instrument::{Instrument, load_instrument};
use stepcare::verify::verify;

/// Arguments of `stepcare verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Instrument ids or definition files; all available instruments when none.
    #[arg(value_name = "ID|FILE")]
    targets: Vec<String>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// Runs `stepcare verify`.
pub fn run(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let mut instruments: Vec<Instrument> = Vec::new();
    if args.targets.is_empty() {
        instruments.extend(catalog.instruments().iter().cloned());
    }
    for target in &args.targets {
        if let Some(instrument) = catalog.get(target) {
            instruments.push(instrument.clone());
            continue;
        }
        let path = Path::new(target);
        if !path.exists() {
            return Err(super::UsageError(catalog.require(target).unwrap_err()).into());
        }
        let text = read_file(path)?;
        let (instrument, diagnostics) = load_instrument(target, &text);
        match instrument {
            Some(instrument) => instruments.push(instrument),
            None => return Err(fail_with(diagnostics, |_| Some(text.clone()))),
        }
    }
    let mut failed = 0;
    let mut total = 0;
    for instrument in &instruments {
        let outcomes = verify(instrument);
        let bad: Vec<_> = outcomes.iter().filter(|o| !o.passed()).collect();
        total += outcomes.len();
        failed += bad.len();
        let verdict = if bad.is_empty() { "ok" } else { "FAILED" };
        println!(
            "{verdict:<6} {:<10} {} of {} pass",
            instrument.id,
            outcomes.len() - bad.len(),
            stepcare::lang::count(outcomes.len() as u64, "example", "examples")
        );
        for outcome in bad {
            println!("         line {}: {}", outcome.line, outcome.name);
            for mismatch in &outcome.mismatches {
                println!("           {mismatch}");
            }
        }
        if outcomes.is_empty() {
            println!("         (no examples: add known answers under `examples:`)");
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {total} examples failed");
        Ok(ExitCode::from(1))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}
