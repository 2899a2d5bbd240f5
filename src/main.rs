//! The `stepcare` command: parses arguments and dispatches to a subcommand.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::dispatch(args)
}
