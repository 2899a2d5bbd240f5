//! The command-line front end: argument definitions, dispatch and exit codes.
//!
//! Exit codes: 0 the command completed; 1 a user or data error (bad file, bad
//! definition, failing verification); 2 a usage error (bad arguments).

mod common;
mod compare;
pub mod cutoffs;
mod explain;
mod followup;
mod import;
mod interop_args;
mod list;
mod outfile;
mod rules_arg;
mod score;
mod show;
mod validate;
mod verify;
mod visit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Scores perinatal and infant mental-health screening instruments and
/// recommends a stepped-care level. Decision support: the clinician decides.
#[derive(Debug, Parser)]
#[command(name = "stepcare", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the available instruments.
    List(list::ListArgs),
    /// Show an instrument: items, options with points, scales, bands, flags, source.
    Show(show::ShowArgs),
    /// Check definition files and text packs, reporting every problem with its place.
    Validate(validate::ValidateArgs),
    /// Run the instruments' known-answer examples.
    Verify(verify::VerifyArgs),
    /// Score an export (CSV): one output row for every input row.
    Score(score::ScoreArgs),
    /// Explain a rule table's recommendation for one family: every rule, whether it matched, and why.
    Explain(explain::ExplainArgs),
    /// Compare two rule tables on an export: level moves, referral counts and the rules behind them.
    Compare(compare::CompareArgs),
    /// Validate cutoffs against a reference standard: Se/Sp, ROC/AUC, optimal cutoffs.
    Cutoffs(cutoffs::CutoffsArgs),
    /// Import an instrument from a FHIR Questionnaire or a REDCap data dictionary.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Enter one visit's answers, with immediate flag warnings, scores and the care level.
    Visit(visit::VisitArgs),
    /// Who is due, overdue, or had an urgent result no later visit closed, from saved visits and exports.
    #[command(name = "follow-up")]
    FollowUp(followup::FollowUpArgs),
}

/// An error in how the command was called (exit code 2), found after parsing.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Runs the chosen subcommand and maps its outcome to an exit code.
pub fn dispatch(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Command::List(args) => list::run(args),
        Command::Show(args) => show::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Score(args) => score::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Cutoffs(args) => cutoffs::run(args),
        Command::Visit(args) => visit::run(args),
        Command::Import(command) => import::run(command),
        Command::FollowUp(args) => followup::run(args),
    };
    finish(outcome)
}

/// Turns a subcommand's result into the documented exit code, printing any error.
fn finish(outcome: anyhow::Result<ExitCode>) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(err) => {
            if is_usage(&err) {
                eprintln!("error: {err:#}");
                ExitCode::from(2)
            } else if is_broken_pipe(&err) {
                ExitCode::SUCCESS
            } else {
                eprintln!("error: {err:#}");
                ExitCode::from(1)
            }
        }
    }
}

/// Whether an error is about how the command was called (exit 2), also when
/// the library found it (a `--set` that would override a column, a `--na`
/// code that is an answer).
fn is_usage(err: &anyhow::Error) -> bool {
    err.downcast_ref::<UsageError>().is_some()
        || err.chain().any(|cause| {
            cause
                .downcast_ref::<stepcare::batch::BatchError>()
                .is_some_and(stepcare::batch::BatchError::is_usage)
        })
}

/// A reader that closed the pipe early (`stepcare score ... | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
