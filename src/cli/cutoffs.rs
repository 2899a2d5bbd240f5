//! `stepcare cutoffs`: diagnostic accuracy of a score against a reference standard.

use std::process::ExitCode;

/// Arguments of `stepcare cutoffs`.
#[derive(Debug, clap::Args)]
pub struct CutoffsArgs {}

/// Runs `stepcare cutoffs`.
pub fn run(_args: CutoffsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
