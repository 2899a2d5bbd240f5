//! The command-line front end: argument definitions, dispatch and exit codes.
//!
//! Exit codes: 0 the command completed; 1 a user or data error (bad file, bad
//! definition, failing verification); 2 a usage error (bad arguments).

mod common;
mod compare;
mod conventions;
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
    #[command(after_help = examples::LIST)]
    List(list::ListArgs),
    /// Show an instrument: items, options with points, scales, bands, flags, source.
    #[command(after_help = examples::SHOW)]
    Show(show::ShowArgs),
    /// Check definition files and text packs, reporting every problem with its place.
    #[command(after_help = examples::VALIDATE)]
    Validate(validate::ValidateArgs),
    /// Run the instruments' known-answer examples.
    #[command(after_help = examples::VERIFY)]
    Verify(verify::VerifyArgs),
    /// Score an export (CSV or a workbook): one output row for every input row.
    #[command(after_help = examples::SCORE)]
    Score(score::ScoreArgs),
    /// Explain a rule table's recommendation for one family: every rule, whether it matched, and why.
    #[command(after_help = examples::EXPLAIN)]
    Explain(explain::ExplainArgs),
    /// Compare two rule tables on an export: level moves, referral counts and the rules behind them.
    #[command(after_help = examples::COMPARE)]
    Compare(compare::CompareArgs),
    /// Validate cutoffs against a reference standard: Se/Sp, ROC/AUC, optimal cutoffs.
    #[command(after_help = examples::CUTOFFS)]
    Cutoffs(cutoffs::CutoffsArgs),
    /// Import an instrument from a FHIR Questionnaire or a REDCap data dictionary.
    #[command(subcommand, after_help = examples::IMPORT)]
    Import(import::ImportCommand),
    /// Enter one visit's answers, with immediate flag warnings, scores and the care level.
    #[command(after_help = examples::VISIT)]
    Visit(visit::VisitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(conventions::CompletionsArgs),
    /// Write the manual pages (roff), generated from these command definitions.
    #[command(after_help = examples::MAN)]
    Man(conventions::ManArgs),
    /// Print the JSON Schema of a YAML format, for editors (instrument, rule-table, text-pack).
    #[command(after_help = examples::SCHEMA)]
    Schema(conventions::SchemaArgs),
    /// Who is due, overdue, or had an urgent result no later visit closed, from saved visits and exports.
    #[command(name = "follow-up", after_help = examples::FOLLOW_UP)]
    FollowUp(followup::FollowUpArgs),
}

/// The `Examples:` shown at the end of each subcommand's `--help`.
///
/// Every line that starts with `stepcare` is parsed by a test, so an example
/// cannot drift from the options it uses.
mod examples {
    pub const LIST: &str = "Examples:
  stepcare list
  stepcare list --lang nb --instruments my-instruments/";
    pub const SHOW: &str = "Examples:
  stepcare show               (lists the ids)
  stepcare show epds --lang nb
  stepcare show epds --texts epds-nb.yaml";
    pub const VALIDATE: &str = "Examples:
  stepcare validate instruments/epds.yaml
  stepcare validate my-rules.yaml epds-nb.yaml --instruments my-instruments/";
    pub const VERIFY: &str = "Examples:
  stepcare verify
  stepcare verify epds phq9
  stepcare verify my-instruments/mood.yaml";
    pub const SCORE: &str = "Examples:
  stepcare score --instrument epds --input examples/epds.csv --keep id
  stepcare score --instrument epds --input export.xlsx --sheet EPDS --format jsonl --output results.jsonl
  stepcare score --instrument epds --input examples/epds.csv --rules no-default --set respondent=mother
  stepcare score --instrument se-demo --input examples/se-demo.csv --format table";
    pub const EXPLAIN: &str = "Examples:
  stepcare explain --rules no-default --instrument epds --answers q1=2,q2=2,q3=1,q4=1,q5=1,q6=2,q7=2,q8=1,q9=1,q10=1 --set respondent=mother
  stepcare explain --rules no-default --instrument epds --input examples/rescreen.csv --row 2 --lang nb";
    pub const COMPARE: &str = "Examples:
  stepcare compare --rules no-default --rules examples/rules/no-epds12.yaml --instrument epds --input examples/rescreen.csv
  stepcare compare --rules no-default --rules my-table.yaml --instrument epds --input export.xlsx --list id --format json";
    pub const CUTOFFS: &str = "Positive means score >= cutoff (score <= cutoff with --direction lower); the direction is never \
flipped automatically. Every observed score is a candidate cutoff. Optimal cutoffs are \
data-driven and exploratory; cutoffs given with --cutoff are reported as pre-specified. \
Blank, NA and . cells are missing; rows missing the score or the reference are left out and \
counted. Proportion CIs: Wilson (default) or Clopper-Pearson; AUC CI: DeLong.

Examples:
  stepcare cutoffs --input examples/cutoffs.csv --score epds_total --reference interview --positive depressed --cutoff 10 --cutoff 13
  stepcare cutoffs --input study.xlsx --score epds_total --reference interview --positive depressed --by group --plot roc.svg
  stepcare cutoffs --input examples/cutoffs.csv --score epds_total --compare phq9_total --reference interview --positive depressed --format json";
    pub const VISIT: &str = "Examples:
  stepcare visit --rules no-default --save visits.csv --id H-2291
  stepcare visit --instrument epds --lang sv --respondent partner
  stepcare visit --instrument se-demo --line";
    pub const COMPLETIONS: &str = "Examples:
  stepcare completions bash > ~/.local/share/bash-completion/completions/stepcare
  stepcare completions zsh > ~/.zfunc/_stepcare
  stepcare completions fish > ~/.config/fish/completions/stepcare.fish
  stepcare completions powershell >> $PROFILE";
    pub const SCHEMA: &str = "Examples:
  stepcare schema instrument > instrument.schema.json
  stepcare schema rule-table
  stepcare schema text-pack";
    pub const IMPORT: &str = "Examples:
  stepcare import fhir questionnaire.json --id phq9-local --output local/phq9-local.yaml
  stepcare import fhir questionnaire.json valueset.json --like phq9
  stepcare import redcap data-dictionary.csv --form epds --id epds-redcap --output local/epds-redcap.yaml";
    pub const FOLLOW_UP: &str = "Examples:
  stepcare follow-up --rules no-default --instrument epds --input examples/followup.csv --today 2026-12-07
  stepcare follow-up --rules no-default --instrument epds --input visits.csv --input export.csv --due-within 14 --format csv";
    pub const MAN: &str = "Examples:
  stepcare man                      (stepcare.1 on standard output)
  stepcare man ~/.local/share/man/man1   (one page per subcommand)";
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
        Command::Completions(args) => conventions::completions(args),
        Command::Man(args) => conventions::man(args),
        Command::Schema(args) => conventions::schema(args),
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// The command lines of an `Examples:` text, without comments or redirections.
    fn example_lines(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .map(str::trim)
            .filter(|line| line.starts_with("stepcare"))
            .map(|line| {
                let line = line.split("  (").next().unwrap_or(line);
                let line = line.split(" >").next().unwrap_or(line);
                line.split_whitespace().map(str::to_owned).collect()
            })
            .collect()
    }

    #[test]
    fn every_subcommand_has_examples_that_parse() {
        let command = Cli::command();
        for sub in command.get_subcommands() {
            let name = sub.get_name();
            let help = sub
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(help.contains("Examples:"), "{name} has no Examples:");
            let lines = example_lines(&help);
            assert!(!lines.is_empty(), "{name}: no example command lines");
            for words in lines {
                assert_eq!(words[1], name, "{name}: example for another command");
                if let Err(err) = Cli::try_parse_from(&words) {
                    panic!("{name}: `{}` does not parse: {err}", words.join(" "));
                }
            }
        }
    }

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
