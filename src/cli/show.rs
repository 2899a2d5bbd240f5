//! `stepcare show ID`: everything about one instrument.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use super::UsageError;
use super::common::{CatalogArgs, fail_with, read_file, resolve_lang};
use stepcare::instrument::{Instrument, Rounding, ScaleMethod, fmt_score};
use stepcare::lang::Lang;
use stepcare::texts::{TextPack, load_text_pack};

/// Arguments of `stepcare show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The instrument id (see `stepcare list`).
    id: String,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Language of the labels (nb, sv, en); default from LANG, else English.
    #[arg(long)]
    lang: Option<Lang>,
    /// Show the licensed wording from this text pack instead of the short labels.
    #[arg(long, value_name = "FILE")]
    texts: Option<PathBuf>,
}

/// Runs `stepcare show`.
pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let instrument = catalog.require(&args.id).map_err(UsageError)?;
    let texts = match &args.texts {
        Some(path) => {
            let text = read_file(path)?;
            let shown = path.display().to_string();
            Some(
                load_text_pack(&shown, &text, &[instrument])
                    .map_err(|d| fail_with(d, |_| Some(text.clone())))?,
            )
        }
        None => None,
    };
    let lang = texts
        .as_ref()
        .and_then(|t| args.lang.is_none().then(|| t.ui_lang()).flatten())
        .unwrap_or_else(|| resolve_lang(args.lang));
    print!("{}", render(instrument, lang, texts.as_ref()));
    Ok(ExitCode::SUCCESS)
}

/// The whole description of an instrument, as `show` prints it.
pub fn render(instrument: &Instrument, lang: Lang, texts: Option<&TextPack>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", instrument.name.get(lang), instrument.id);
    if instrument.synthetic {
        let _ = writeln!(
            out,
            "!!! NOT A CLINICAL INSTRUMENT: a synthetic definition for tests and demonstrations; never use it to screen anyone. !!!"
        );
    }
    if let Some(description) = &instrument.description {
        let _ = writeln!(out, "{}", description.get(lang));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "version:     {}", instrument.version);
    let _ = writeln!(out, "source:      {}", instrument.citation);
    let _ = writeln!(out, "licence:     {}", instrument.licence);
    let langs: Vec<&str> = instrument.languages.iter().map(|l| l.code()).collect();
    let _ = writeln!(out, "languages:   {}", langs.join(", "));
    if !instrument.respondents.is_empty() {
        let _ = writeln!(out, "respondents: {}", instrument.respondents.join(", "));
    }
    for (system, code) in &instrument.codes {
        let _ = writeln!(out, "{:<13}{code}", format!("{system}:"));
    }
    if let Some(pack) = texts {
        let _ = writeln!(
            out,
            "wording:     text pack ({}){}",
            pack.language,
            pack.source
                .as_ref()
                .map(|s| format!(", {s}"))
                .unwrap_or_default()
        );
    }

    let _ = writeln!(out, "\nItems (options in printed order, with points):");
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(["item", "label", "options", "keying"]);
    for (item_index, item) in instrument.items.iter().enumerate() {
        let wording = texts.and_then(|t| t.item(&item.id));
        let label = wording.map_or_else(|| item.label.get(lang).to_owned(), |w| w.text.clone());
        let options: Vec<String> = item
            .options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let text = wording
                    .and_then(|w| w.options.get(&i))
                    .map_or_else(|| option.label.get(lang).to_owned(), Clone::clone);
                format!("{}. {text} = {}", i + 1, option.points)
            })
            .collect();
        let keying = if item.is_reverse_keyed() {
            "reverse"
        } else {
            "forward"
        };
        let concern = instrument
            .concerns
            .get(item_index)
            .copied()
            .flatten()
            .map(|points| format!("\nconcern +{points}"))
            .unwrap_or_default();
        let keying = format!("{keying}{concern}");
        table.add_row([item.id.clone(), label, options.join("\n"), keying]);
    }
    let _ = writeln!(out, "{table}");

    let _ = writeln!(out, "\nScales:");
    for scale in &instrument.scales {
        let items: Vec<&str> = scale
            .items
            .iter()
            .map(|&i| instrument.items[i].id.as_str())
            .collect();
        let reachable =
            scale.reachable_scores_with_concerns(&instrument.items, &instrument.concerns);
        let range = match (reachable.first(), reachable.last()) {
            _ if instrument.age_banding.is_some() => "range per interval".to_owned(),
            (Some(lo), Some(hi)) => format!("{}-{}", fmt_score(*lo), fmt_score(*hi)),
            _ => "-".to_owned(),
        };
        let method = match scale.method {
            ScaleMethod::Sum => "sum",
            ScaleMethod::Mean => "mean",
        };
        let _ = writeln!(
            out,
            "  {} - {}: {method} of {} ({range})",
            scale.id,
            scale.label.get(lang),
            items.join(", ")
        );
        let missing = &scale.missing;
        let policy = if missing.max_missing == 0 {
            "no score if any item is missing".to_owned()
        } else {
            let mut text = format!("at most {} item(s) missing", missing.max_missing);
            if let Some(rounding) = missing.prorate {
                let rounding = match rounding {
                    Rounding::HalfUp => "half_up",
                    Rounding::Floor => "floor",
                    Rounding::Ceil => "ceil",
                    Rounding::None => "none",
                };
                let _ = write!(text, ", prorated (rounding {rounding})");
            }
            if !missing.required.is_empty() {
                let required: Vec<&str> = missing
                    .required
                    .iter()
                    .map(|&i| instrument.items[i].id.as_str())
                    .collect();
                let _ = write!(text, "; never missing: {}", required.join(", "));
            }
            text
        };
        let _ = writeln!(out, "    missing answers: {policy}");
        if let Some(source) = &missing.source {
            let _ = writeln!(out, "      ({source})");
        }
        for band in &scale.bands {
            let range = if instrument.age_banding.is_some() {
                "zone".to_owned()
            } else {
                format!("{}-{}", fmt_score(band.from), fmt_score(band.to))
            };
            let _ = writeln!(
                out,
                "    {:>7}  {} - {}",
                range,
                band.id,
                band.label.get(lang)
            );
        }
        if let Some(source) = &scale.source {
            let _ = writeln!(out, "    source: {source}");
        }
    }

    if let Some(intervals) = stepcare::instrument::describe_age_banding(instrument, lang) {
        out.push_str(&intervals);
    }

    if !instrument.skips.is_empty() {
        let _ = writeln!(
            out,
            "\nSkips (a blank skipped item is scored, not missing):"
        );
        let ids = |items: &mut dyn Iterator<Item = usize>| -> String {
            items
                .map(|i| instrument.items[i].id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        for skip in &instrument.skips {
            let _ = writeln!(
                out,
                "  when {} add up to {}: blank {} score {}",
                ids(&mut skip.when.iter().copied()),
                skip.total,
                ids(&mut skip.skipped.iter().map(|&(i, _)| i)),
                skip.points
            );
            if let Some(source) = &skip.source {
                let _ = writeln!(out, "    ({source})");
            }
        }
    }

    if !instrument.flags.is_empty() {
        let _ = writeln!(
            out,
            "\nFlags (raised whatever the total, even when a scale is incomplete):"
        );
        for flag in &instrument.flags {
            let _ = writeln!(
                out,
                "  {}{}: {} >= {} - {}",
                flag.id,
                if flag.urgent { " [URGENT]" } else { "" },
                instrument.items[flag.item].id,
                flag.at_least,
                flag.label.get(lang)
            );
            let _ = writeln!(out, "    action: {}", flag.action.get(lang));
        }
    }
    let _ = writeln!(
        out,
        "\nKnown-answer examples: {} (run `stepcare verify {}`)",
        instrument.examples.len(),
        instrument.id
    );
    out
}
