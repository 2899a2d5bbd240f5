//! Pieces shared by several subcommands: loading instruments, printing diagnostics.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;

use stepcare::catalog::Catalog;
use stepcare::diagnostic::{Diagnostic, Diagnostics};
use stepcare::instrument::Instrument;
use stepcare::lang::Lang;

/// `--instruments DIR`: where a service's own definitions are.
#[derive(Debug, Clone, clap::Args)]
pub struct CatalogArgs {
    /// Also load every *.yaml instrument definition in DIR (repeatable).
    #[arg(long = "instruments", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

impl CatalogArgs {
    /// The shipped instruments plus the service's own, or every problem found.
    pub fn load(&self) -> anyhow::Result<Catalog> {
        let dirs: Vec<&std::path::Path> = self.dirs.iter().map(PathBuf::as_path).collect();
        Catalog::load(&dirs).map_err(|problems| {
            print_diagnostics(&problems.diagnostics, |path| {
                std::fs::read_to_string(path).ok()
            });
            anyhow::Error::new(problems).context("the instrument definitions have errors")
        })
    }
}

/// Prints diagnostics to stderr with the offending lines, coloured on a terminal.
pub fn print_diagnostics(diagnostics: &[Diagnostic], source: impl Fn(&str) -> Option<String>) {
    let color = color_stderr();
    for diagnostic in diagnostics {
        let text = source(&diagnostic.path);
        eprintln!("{}\n", diagnostic.render(text.as_deref(), color));
    }
}

/// Whether to colour what goes to stderr (a terminal, and `NO_COLOR` unset).
pub fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// The language for people-facing text: `--lang`, else `LANG`, else English.
pub fn resolve_lang(explicit: Option<Lang>) -> Lang {
    explicit
        .or_else(|| {
            ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|var| std::env::var(var).ok())
                .find(|value| !value.is_empty())
                .and_then(|value| Lang::from_locale(&value))
        })
        .unwrap_or(Lang::En)
}

/// Reads a whole file, saying which one failed.
pub fn read_file(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))
}

/// A set of diagnostics as an error, after printing them.
pub fn fail_with(
    diagnostics: Vec<Diagnostic>,
    source: impl Fn(&str) -> Option<String>,
) -> anyhow::Error {
    print_diagnostics(&diagnostics, source);
    anyhow::Error::new(Diagnostics { diagnostics })
}

/// The instruments named by `--instrument`, in order; an unknown or repeated id is a usage error.
pub fn pick_instruments<'c>(
    catalog: &'c Catalog,
    ids: &[String],
) -> anyhow::Result<Vec<&'c Instrument>> {
    let mut instruments: Vec<&Instrument> = Vec::new();
    for id in ids {
        let instrument = catalog.require(id).map_err(super::UsageError)?;
        if instruments.iter().any(|i| i.id == instrument.id) {
            return Err(super::UsageError(format!("--instrument {id} is given twice")).into());
        }
        instruments.push(instrument);
    }
    Ok(instruments)
}

/// An input opened for reading: delimited text, or one worksheet of a workbook as CSV text.
pub struct OpenedInput {
    /// The bytes to parse as delimited text.
    pub reader: Box<dyn std::io::Read + Send>,
    /// The worksheet read, when the input is a workbook.
    pub origin: Option<stepcare::sheet::SheetOrigin>,
}

/// `--sheet NAME`: which worksheet of a workbook input to read.
#[derive(Debug, Clone, clap::Args)]
pub struct SheetArgs {
    /// With an .xlsx, .xlsm, .xlsb, .xls or .ods input: the worksheet to read (the first when absent).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

/// Opens `path` (`-` is standard input) as delimited text, or as a worksheet
/// when its extension names a workbook.
pub fn open_input(path: &Path, sheet: Option<&str>) -> anyhow::Result<OpenedInput> {
    let workbook = path.as_os_str() != "-" && stepcare::sheet::is_spreadsheet(path);
    if !workbook {
        if sheet.is_some() {
            return Err(super::UsageError(format!(
                "--sheet reads a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods), but `{}` is not one",
                path.display()
            ))
            .into());
        }
        let reader: Box<dyn std::io::Read + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(
                std::fs::File::open(path)
                    .with_context(|| format!("cannot open the input `{}`", path.display()))?,
            )
        };
        return Ok(OpenedInput {
            reader,
            origin: None,
        });
    }
    let (csv, origin) = stepcare::sheet::open(path, sheet).map_err(|err| match err {
        stepcare::sheet::SheetError::NoSuchSheet { .. } => {
            anyhow::Error::new(super::UsageError(err.to_string()))
        }
        other => anyhow::Error::new(other),
    })?;
    Ok(OpenedInput {
        reader: Box::new(csv),
        origin: Some(origin),
    })
}

/// One phrase in the language of the output: English, Norwegian (Bokmål, also for
/// Nynorsk where no Nynorsk wording is given) or Swedish.
pub fn words<'a>(lang: Lang, en: &'a str, nb: &'a str, sv: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::Nb | Lang::Nn => nb,
        Lang::Sv => sv,
    }
}
