//! `stepcare completions SHELL` and `stepcare man [DIR]`: what a shell and
//! `man` expect of a command-line tool, generated from the clap definitions
//! so that they always match the options the binary accepts.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::CommandFactory;

use super::Cli;

/// Arguments of `stepcare completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Arguments of `stepcare man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write stepcare.1 and one page per subcommand (stepcare-score.1, ...) into
    /// this directory; without it, stepcare.1 goes to standard output.
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Prints the completion script for one shell on standard output.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "stepcare", &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the manual pages: the main page to standard output, or every page into a directory.
pub fn man(args: ManArgs) -> anyhow::Result<ExitCode> {
    let command = Cli::command();
    match &args.dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            let written = write_pages(&command, dir)?;
            eprintln!(
                "wrote {} manual {} to `{}`",
                written,
                if written == 1 { "page" } else { "pages" },
                dir.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `stepcare.1` and `stepcare-SUB.1` for each subcommand; returns how many.
fn write_pages(command: &clap::Command, dir: &Path) -> anyhow::Result<usize> {
    clap_mangen::generate_to(command.clone(), dir)
        .with_context(|| format!("cannot write the manual pages to `{}`", dir.display()))?;
    Ok(1 + command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .count())
}

/// The formats `stepcare schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaArg {
    /// An instrument definition.
    Instrument,
    /// A stepped-care rule table.
    RuleTable,
    /// A text pack of licensed wording.
    TextPack,
}

/// Arguments of `stepcare schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// Which format's schema to print.
    #[arg(value_enum)]
    kind: SchemaArg,
}

/// Prints the JSON Schema of one YAML format on standard output.
pub fn schema(args: SchemaArgs) -> anyhow::Result<ExitCode> {
    use stepcare::schemas::SchemaKind;
    let kind = match args.kind {
        SchemaArg::Instrument => SchemaKind::Instrument,
        SchemaArg::RuleTable => SchemaKind::RuleTable,
        SchemaArg::TextPack => SchemaKind::TextPack,
    };
    let mut out = std::io::stdout().lock();
    out.write_all(kind.text().as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
