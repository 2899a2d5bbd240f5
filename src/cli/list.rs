//! `stepcare list`: the instruments available.

use std::process::ExitCode;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use super::common::{CatalogArgs, resolve_lang};
use stepcare::lang::Lang;

/// Arguments of `stepcare list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Language of the names (nb, sv, en); default from LANG, else English.
    #[arg(long)]
    lang: Option<Lang>,
}

/// Runs `stepcare list`.
pub fn run(args: ListArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let lang = resolve_lang(args.lang);
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(["id", "name", "items", "scales", "flags", "from"]);
    for instrument in catalog.instruments() {
        table.add_row([
            instrument.id.clone(),
            instrument.name.get(lang).to_owned(),
            instrument.items.len().to_string(),
            instrument
                .scales
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            instrument
                .flags
                .iter()
                .map(|f| f.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            source_name(&instrument.source_path),
        ]);
    }
    println!("{table}");

    let instruments: Vec<&stepcare::instrument::Instrument> =
        catalog.instruments().iter().collect();
    let mut rules = Table::new();
    rules.load_style(UTF8_FULL_CONDENSED);
    rules.set_header(["rule table", "name", "version", "instruments", "rules"]);
    for (id, _, _) in stepcare::rules::BUILTIN_TABLES {
        // A shipped table that does not load is a defect the test suite catches;
        // here it is listed with the reason rather than hiding the others.
        match stepcare::rules::load_builtin(id, &instruments) {
            Ok(table) => rules.add_row([
                table.id.clone(),
                table.name.get(lang).to_owned(),
                table.version.clone(),
                table.instruments.join(", "),
                table.rules.len().to_string(),
            ]),
            Err(problems) => rules.add_row([
                (*id).to_owned(),
                format!("does not load: {problems}"),
                String::new(),
                String::new(),
                String::new(),
            ]),
        };
    }
    println!("\n{rules}");
    Ok(ExitCode::SUCCESS)
}

/// `shipped` for built-in definitions, else the file.
pub fn source_name(path: &str) -> String {
    if path.starts_with(stepcare::catalog::BUILTIN_PREFIX) {
        "shipped".to_owned()
    } else {
        path.to_owned()
    }
}
