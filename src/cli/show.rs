//! `stepcare show ID`: everything about one instrument.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use super::UsageError;
use super::common::{CatalogArgs, fail_with, read_file, resolve_lang, words};
use stepcare::catalog::Catalog;
use stepcare::instrument::{Instrument, Rounding, ScaleMethod, fmt_score};
use stepcare::lang::Lang;
use stepcare::texts::{TextPack, load_text_pack};

/// Arguments of `stepcare show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The instrument id; without it, the ids are listed.
    id: Option<String>,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Language of the labels (nb, nn, sv, en); default from LANG, else English.
    #[arg(long)]
    lang: Option<Lang>,
    /// Show the licensed wording from this text pack instead of the short labels.
    #[arg(long, value_name = "FILE")]
    texts: Option<PathBuf>,
}

/// Runs `stepcare show`.
pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let lang = resolve_lang(args.lang);
    let Some(id) = &args.id else {
        print!("{}", list_ids(&catalog, lang));
        return Ok(ExitCode::SUCCESS);
    };
    let instrument = catalog.require(id).map_err(UsageError)?;
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
        .unwrap_or(lang);
    print!("{}", render(instrument, lang, texts.as_ref()));
    Ok(ExitCode::SUCCESS)
}

/// The ids of every instrument with its name, for `show` without an id.
fn list_ids(catalog: &Catalog, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        words(
            lang,
            "Instruments (show one with `stepcare show ID`):",
            "Instrumenter (vis ett med `stepcare show ID`):",
            "Instrument (visa ett med `stepcare show ID`):"
        )
    );
    let width = catalog
        .instruments()
        .iter()
        .map(|i| i.id.len())
        .max()
        .unwrap_or(0);
    for instrument in catalog.instruments() {
        let _ = writeln!(
            out,
            "  {:<width$}  {}",
            instrument.id,
            instrument.name.get(lang)
        );
    }
    out
}

/// The whole description of an instrument, as `show` prints it.
pub fn render(instrument: &Instrument, lang: Lang, texts: Option<&TextPack>) -> String {
    let w = |en: &'static str, nb: &'static str, sv: &'static str| words(lang, en, nb, sv);
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", instrument.name.get(lang), instrument.id);
    if instrument.synthetic {
        let _ = writeln!(
            out,
            "{}",
            w(
                "!!! NOT A CLINICAL INSTRUMENT: a synthetic definition for tests and demonstrations; never use it to screen anyone. !!!",
                "!!! IKKE ET KLINISK INSTRUMENT: en syntetisk definisjon for tester og demonstrasjoner; bruk den aldri til å screene noen. !!!",
                "!!! INTE ETT KLINISKT INSTRUMENT: en syntetisk definition för tester och demonstrationer; använd den aldrig för att screena någon. !!!"
            )
        );
    }
    if let Some(description) = &instrument.description {
        let _ = writeln!(out, "{}", description.get(lang));
    }
    let _ = writeln!(out);
    let field = |name: &str| format!("{:<13}", format!("{name}:"));
    let _ = writeln!(
        out,
        "{}{}",
        field(w("version", "versjon", "version")),
        instrument.version
    );
    let _ = writeln!(
        out,
        "{}{}",
        field(w("source", "kilde", "källa")),
        instrument.citation
    );
    let _ = writeln!(
        out,
        "{}{}",
        field(w("licence", "lisens", "licens")),
        instrument.licence
    );
    let langs: Vec<&str> = instrument.languages.iter().map(|l| l.code()).collect();
    let _ = writeln!(
        out,
        "{}{}",
        field(w("languages", "språk", "språk")),
        langs.join(", ")
    );
    if !instrument.respondents.is_empty() {
        let _ = writeln!(
            out,
            "{}{}",
            field(w("respondents", "svarer", "svarande")),
            instrument
                .respondents
                .iter()
                .map(|r| super::visit::render::respondent_name(r, lang))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (system, code) in &instrument.codes {
        let _ = writeln!(out, "{:<13}{code}", format!("{system}:"));
    }
    if let Some(pack) = texts {
        let _ = writeln!(
            out,
            "{}{} ({}){}",
            field(w("wording", "ordlyd", "ordalydelse")),
            w("text pack", "tekstpakke", "textpaket"),
            pack.language,
            pack.source
                .as_ref()
                .map(|s| format!(", {s}"))
                .unwrap_or_default()
        );
    }

    let _ = writeln!(
        out,
        "\n{}",
        w(
            "Items (options in printed order, with points):",
            "Spørsmål (svaralternativer i trykt rekkefølge, med poeng):",
            "Frågor (svarsalternativ i tryckt ordning, med poäng):"
        )
    );
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header([
        w("item", "spørsmål", "fråga"),
        w("label", "tekst", "text"),
        w("options", "alternativer", "alternativ"),
        w("keying", "poengretning", "poängriktning"),
    ]);
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
            w("reverse", "omvendt", "omvänd")
        } else {
            w("forward", "vanlig", "rak")
        };
        let concern = instrument
            .concerns
            .get(item_index)
            .copied()
            .flatten()
            .map(|points| format!("\n{} +{points}", w("concern", "bekymring", "oro")))
            .unwrap_or_default();
        let keying = format!("{keying}{concern}");
        table.add_row([item.id.clone(), label, options.join("\n"), keying]);
    }
    let _ = writeln!(out, "{table}");

    let _ = writeln!(out, "\n{}", w("Scales:", "Skalaer:", "Skalor:"));
    for scale in &instrument.scales {
        let items: Vec<&str> = scale
            .items
            .iter()
            .map(|&i| instrument.items[i].id.as_str())
            .collect();
        let reachable =
            scale.reachable_scores_with_concerns(&instrument.items, &instrument.concerns);
        let range = match (reachable.first(), reachable.last()) {
            _ if instrument.age_banding.is_some() => w(
                "range per interval",
                "spenn per aldersintervall",
                "spann per åldersintervall",
            )
            .to_owned(),
            (Some(lo), Some(hi)) => format!("{}-{}", fmt_score(*lo), fmt_score(*hi)),
            _ => "-".to_owned(),
        };
        let method = match scale.method {
            ScaleMethod::Sum => w("sum of", "sum av", "summa av"),
            ScaleMethod::Mean => w("mean of", "gjennomsnitt av", "medelvärde av"),
        };
        let _ = writeln!(
            out,
            "  {} - {}: {method} {} ({range})",
            scale.id,
            scale.label.get(lang),
            items.join(", ")
        );
        let missing = &scale.missing;
        let policy = if missing.max_missing == 0 {
            w(
                "no score if any item is missing",
                "ingen skår hvis et spørsmål mangler",
                "ingen poäng om en fråga saknas",
            )
            .to_owned()
        } else {
            let n = missing.max_missing;
            let mut text = match lang {
                Lang::En => format!(
                    "at most {} missing",
                    stepcare::lang::count(n as u64, "item", "items")
                ),
                Lang::Nb => format!("høyst {n} spørsmål kan mangle"),
                Lang::Nn => format!("høgst {n} spørsmål kan mangle"),
                Lang::Sv => format!(
                    "högst {n} {} får saknas",
                    if n == 1 { "fråga" } else { "frågor" }
                ),
            };
            if let Some(rounding) = missing.prorate {
                let rounding = match rounding {
                    Rounding::HalfUp => "half_up",
                    Rounding::Floor => "floor",
                    Rounding::Ceil => "ceil",
                    Rounding::None => "none",
                };
                let _ = write!(
                    text,
                    ", {} {rounding})",
                    w(
                        "prorated (rounding",
                        "justert forholdsmessig (avrunding",
                        "uppräknad proportionellt (avrundning"
                    )
                );
            }
            if !missing.required.is_empty() {
                let required: Vec<&str> = missing
                    .required
                    .iter()
                    .map(|&i| instrument.items[i].id.as_str())
                    .collect();
                let _ = write!(
                    text,
                    "; {} {}",
                    w("never missing:", "må aldri mangle:", "får aldrig saknas:"),
                    required.join(", ")
                );
            }
            text
        };
        let _ = writeln!(
            out,
            "    {} {policy}",
            w("missing answers:", "manglende svar:", "saknade svar:")
        );
        if let Some(source) = &missing.source {
            let _ = writeln!(out, "      ({source})");
        }
        for band in &scale.bands {
            let range = if instrument.age_banding.is_some() {
                w("zone", "sone", "zon").to_owned()
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
            let _ = writeln!(out, "    {} {source}", w("source:", "kilde:", "källa:"));
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
            "\n{}",
            w(
                "Flags (raised whatever the total, even when a scale is incomplete):",
                "Flagg (meldes uansett totalskår, også når en skala er ufullstendig):",
                "Flaggor (visas oavsett totalpoäng, även när en skala är ofullständig):"
            )
        );
        for flag in &instrument.flags {
            let _ = writeln!(
                out,
                "  {}{}: {} >= {} - {}",
                flag.id,
                if flag.urgent {
                    w(" [URGENT]", " [HASTER]", " [BRÅDSKANDE]")
                } else {
                    ""
                },
                instrument.items[flag.item].id,
                flag.at_least,
                flag.label.get(lang)
            );
            let _ = writeln!(
                out,
                "    {} {}",
                w("action:", "tiltak:", "åtgärd:"),
                flag.action.get(lang)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{} {} ({} `stepcare verify {}`)",
        w(
            "Known-answer examples:",
            "Eksempler med kjent svar:",
            "Exempel med känt svar:"
        ),
        instrument.examples.len(),
        w("run", "kjør", "kör"),
        instrument.id
    );
    out
}
