//! `stepcare visit`: answers entered at a visit, checked, scored and explained.
//!
//! The question flow is the library's [`VisitSession`]; this module picks a
//! front end: the terminal one ([`terminal`], inquire) when standard input
//! and standard error are both terminals, else the line one ([`line`]):
//! prompts on standard error, one answer per line on standard input. The
//! result goes to standard output. Nothing is written to disk unless `--save`
//! is given.
//!
//! Exit codes: 0 the visit was finished (and saved, with `--save`); 1 the
//! visit was abandoned (end of input, Ctrl-C; nothing is saved) or an error
//! (for example the save failed, after the result was shown); 2 a usage error.
//! The exit code never says anything about the result itself.
//!
//! A child questionnaire (an age-banded instrument such as the synthetic
//! `se-demo`) first asks the child's birth date, the screening date and the
//! gestational weeks at birth; the (corrected) age chooses the form whose
//! items are then asked.

mod age;
pub(super) use age::today;
mod line;
mod messages;
mod recommend;
mod render;
mod save;
mod terminal;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use stepcare::instrument::Instrument;
use stepcare::instrument::age::Date;
use stepcare::lang::Lang;
use stepcare::session::VisitSession;
use stepcare::texts::load_text_pack;

use super::UsageError;
use super::common::{CatalogArgs, color_stderr, fail_with, read_file, resolve_lang};
use line::Outcome;
use messages::Msg;
use recommend::{Advice, Rules};
use render::{Style, Wording};

/// The respondent when no instrument names who answers it.
const DEFAULT_RESPONDENT: &str = "mother";

/// Who answers: `--respondent`, else the first respondent every instrument
/// accepts (in the first such instrument's order: `mother` for EPDS, `parent`
/// for a child questionnaire). An instrument without a `respondents` list
/// accepts anyone.
fn choose_respondent(
    given: Option<&str>,
    instruments: &[&Instrument],
) -> Result<String, UsageError> {
    let restricting: Vec<&&Instrument> = instruments
        .iter()
        .filter(|i| !i.respondents.is_empty())
        .collect();
    let accepted = |who: &str| {
        restricting
            .iter()
            .all(|i| i.respondents.iter().any(|r| r == who))
    };
    let listed = || {
        restricting
            .iter()
            .map(|i| format!("{} ({})", i.id, i.respondents.join(", ")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match given {
        Some(who) => match restricting
            .iter()
            .find(|i| !i.respondents.iter().any(|r| r == who))
        {
            None => Ok(who.to_owned()),
            Some(instrument) => Err(UsageError(format!(
                "{} is not meant to be answered by the {who} (its respondents: {})",
                instrument.id,
                instrument.respondents.join(", ")
            ))),
        },
        None => match restricting.first() {
            None => Ok(DEFAULT_RESPONDENT.to_owned()),
            Some(first) => first
                .respondents
                .iter()
                .find(|r| accepted(r))
                .cloned()
                .ok_or_else(|| {
                    UsageError(format!(
                        "no respondent answers every instrument of this visit: {}; ask them in separate visits",
                        listed()
                    ))
                }),
        },
    }
}

/// Reads `--today`.
fn parse_today(text: &str) -> Result<Date, String> {
    Date::parse(text).map_err(|err| err.to_string())
}

/// Arguments of `stepcare visit`.
#[derive(Debug, clap::Args)]
pub struct VisitArgs {
    /// Instrument to ask, in order (repeatable); EPDS when none is given.
    #[arg(long = "instrument", value_name = "ID")]
    instruments: Vec<String>,
    /// Language of the visit (nb, sv, en); default from LANG, else English.
    #[arg(long)]
    lang: Option<Lang>,
    /// Who answers (one of the instruments' respondents); default: the first
    /// one every instrument accepts (mother for EPDS, parent for a child questionnaire).
    #[arg(long, value_name = "ID")]
    respondent: Option<String>,
    /// Stepped-care rule table: a shipped table's id or a YAML file.
    #[arg(long, value_name = "ID|FILE")]
    rules: Option<String>,
    /// Licensed wording of an instrument (a text pack; repeatable, one per instrument).
    #[arg(long, value_name = "FILE")]
    texts: Vec<PathBuf>,
    /// Append the finished visit as one row to this CSV file (created owner-only).
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// An identifier saved with the row (no personal data: use a study or journal reference).
    #[arg(long, value_name = "TEXT")]
    id: Option<String>,
    /// Use the line front end even on a terminal.
    #[arg(long)]
    line: bool,
    /// The date an empty screening date stands for (default: today, UTC); for tests and demonstrations.
    #[arg(long, value_name = "DATE", hide = true, value_parser = parse_today)]
    today: Option<Date>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// Runs `stepcare visit`.
pub fn run(args: VisitArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let ids = if args.instruments.is_empty() {
        vec!["epds".to_owned()]
    } else {
        args.instruments.clone()
    };
    let mut instruments: Vec<&Instrument> = Vec::new();
    for id in &ids {
        let instrument = catalog.require(id).map_err(UsageError)?;
        if instruments.iter().any(|i| i.id == instrument.id) {
            return Err(UsageError(format!("--instrument {id} is given twice")).into());
        }
        instruments.push(instrument);
    }
    let respondent = choose_respondent(args.respondent.as_deref(), &instruments)?;
    if let Some(id) = &args.id
        && id.chars().any(char::is_control)
    {
        return Err(UsageError("--id must be one line of text".to_owned()).into());
    }
    let lang = resolve_lang(args.lang);
    let mut wording = Wording {
        lang,
        packs: Vec::new(),
    };
    for path in &args.texts {
        let text = read_file(path)?;
        let shown = path.display().to_string();
        let pack = load_text_pack(&shown, &text, &instruments)
            .map_err(|d| fail_with(d, |_| Some(text.clone())))?;
        if wording
            .packs
            .iter()
            .any(|p| p.instrument == pack.instrument)
        {
            return Err(UsageError(format!(
                "two --texts files are for {}; give one per instrument",
                pack.instrument
            ))
            .into());
        }
        if pack.language != lang {
            eprintln!(
                "{}",
                Msg::TextsLanguage.fill(
                    lang,
                    &[
                        ("instrument", &pack.instrument),
                        ("language", pack.language.code())
                    ]
                )
            );
        }
        wording.packs.push(pack);
    }
    let rules = match &args.rules {
        Some(spec) => {
            let known: Vec<&Instrument> = catalog.instruments().iter().collect();
            let rules = Rules::load(spec, &known, &instruments, &respondent)?;
            for instrument in rules.unused(&instruments) {
                eprintln!(
                    "{}",
                    Msg::RulesIgnoreInstrument
                        .fill(lang, &[("table", spec), ("instrument", &instrument.id)])
                );
            }
            Some(rules)
        }
        None => None,
    };

    let mut session = VisitSession::new(&instruments)?;
    let finished = Arc::new(AtomicBool::new(false));
    abandon_on_signal(lang, Arc::clone(&finished));
    let warn_style = Style {
        color: color_stderr(),
    };
    let stdin = io::stdin();
    let terminal = !args.line && stdin.is_terminal() && io::stderr().is_terminal();
    let today = args.today.unwrap_or_else(age::today);
    let outcome = if terminal {
        terminal::run(&mut session, &wording, warn_style, today)?
    } else {
        let echo = !stdin.is_terminal();
        line::run(
            &mut session,
            &wording,
            &mut stdin.lock(),
            // Not locked for the whole visit: the interrupt handler must be able to write.
            &mut io::stderr(),
            warn_style,
            echo,
            today,
        )?
    };
    if outcome == Outcome::Abandoned {
        eprintln!("{}", warn_style.bold(Msg::Abandoned.get(lang)));
        return Ok(ExitCode::from(1));
    }
    // From here the visit is complete: an interrupt no longer abandons it
    // (and cannot cut a save in half).
    finished.store(true, Ordering::SeqCst);

    let out_style = Style {
        color: io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let advice = match rules {
        Some(rules) => rules.advise(&instruments, &session.scores())?,
        None => Advice::NoRules,
    };
    let respondent = respondent.as_str();
    let mut screen = render::result_screen(&session, &wording, respondent, &advice, out_style);
    if io::stdout().is_terminal() {
        // Piped output stays one line per item for scripts; a screen gets word-wrapped.
        let width = crossterm::terminal::size().map_or(100, |(columns, _)| usize::from(columns));
        screen = render::wrap(&screen, width.clamp(40, 120) - 1);
    }
    {
        let mut out = io::stdout().lock();
        writeln!(out)?;
        write!(out, "{screen}")?;
        out.flush()?;
    }
    match &args.save {
        Some(path) => {
            let timestamp = save::now_rfc3339();
            let facts = save::VisitFacts {
                id: args.id.as_deref().unwrap_or(""),
                timestamp: &timestamp,
                respondent,
            };
            let row = save::append(path, |row| {
                save::record(&session, &facts, &advice, lang, row)
            })?;
            eprintln!(
                "{}",
                Msg::Saved.fill(
                    lang,
                    &[
                        ("row", &row.to_string()),
                        ("path", &path.display().to_string())
                    ]
                )
            );
            if save::readable_by_others(path) == Some(true) {
                eprintln!(
                    "{}",
                    Msg::ReadableByOthers.fill(lang, &[("path", &path.display().to_string())])
                );
            }
        }
        None => eprintln!("{}", Msg::NotSaved.get(lang)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C (or the terminal closing, or a kill) while questions are being
/// asked abandons the visit: say so, save nothing, exit 1. The terminal front
/// end sees Ctrl-C as a key while a question is open; this covers the line
/// front end and the moments between questions.
#[cfg(unix)]
fn abandon_on_signal(lang: Lang, finished: Arc<AtomicBool>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        for _ in signals.forever() {
            if !finished.load(Ordering::SeqCst) {
                // A kill can arrive while a question holds the terminal in raw mode.
                let _ = crossterm::terminal::disable_raw_mode();
                eprintln!("\n{}", Msg::Abandoned.get(lang));
                std::process::exit(1);
            }
        }
    });
}

#[cfg(not(unix))]
fn abandon_on_signal(_lang: Lang, _finished: Arc<AtomicBool>) {}
