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
#[cfg(test)]
mod fit;
mod line;
pub(crate) mod messages;
mod recommend;
pub(crate) mod render;
mod terminal;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use stepcare::instrument::Instrument;
use stepcare::instrument::age::Date;
use stepcare::lang::Lang;
use stepcare::national_id::{self, NationalId};
use stepcare::session::VisitSession;
use stepcare::texts::load_text_pack;
use stepcare::visit_record::{self, SaveFormat, SaveProblem, SaveTarget, SavedRow, VisitFacts};

use super::UsageError;
use super::common::{
    CatalogArgs, color_stderr, fail_with, pick_instruments, read_file, resolve_lang,
};
use line::Outcome;
use messages::Msg;
use recommend::{Advice, Rules};
use render::{Style, Wording};

/// The most lines the one-screen result takes on a terminal (80x24 leaves
/// room for the last menu).
pub(crate) const MOST_LINES: usize = 20;

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

/// Today's date in the local time zone (for commands that count days from today).
pub(super) fn today() -> Date {
    visit_record::today_local()
}

/// Reads `--today` and `--date`.
fn parse_today(text: &str) -> Result<Date, String> {
    Date::parse(text).map_err(|err| err.to_string())
}

/// What `visit` prints on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VisitFormat {
    /// The result as text for people.
    Text,
    /// The result as one JSON object (the `score` JSON Lines contract with a `visit` part).
    Jsonl,
}

/// Arguments of `stepcare visit`.
#[derive(Debug, clap::Args)]
pub struct VisitArgs {
    /// Instrument to ask, in order (repeatable); EPDS when none is given.
    #[arg(long = "instrument", value_name = "ID")]
    instruments: Vec<String>,
    /// Language of the screens (nb, nn, sv, en); default from LANG, else English.
    #[arg(long)]
    lang: Option<Lang>,
    /// Who answers (one of the instruments' respondents); default: the first
    /// one every instrument accepts (mother for EPDS, parent for a child questionnaire).
    #[arg(long, value_name = "ID")]
    respondent: Option<String>,
    /// Stepped-care rule table: a shipped table's id or a YAML file.
    #[arg(long, value_name = "ID|FILE")]
    rules: Option<String>,
    /// A value for a data column the rule table reads (repeatable), as in `score`: `--set previous_level=2`.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Licensed wording of an instrument (a text pack; repeatable, one per instrument).
    #[arg(long, value_name = "FILE")]
    texts: Vec<PathBuf>,
    /// Append the finished visit to this file: CSV, or JSON Lines for `.jsonl` (created owner-only).
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// Write a journal note (plain text for the patient record) to this file.
    #[arg(long, value_name = "FILE")]
    note: Option<PathBuf>,
    /// An identifier saved with the row (no personal data: use a study or journal reference).
    #[arg(long, value_name = "TEXT")]
    id: Option<String>,
    /// The visit date (default: today, local time); saved apart from the save time.
    #[arg(long, value_name = "DATE", value_parser = parse_today)]
    date: Option<Date>,
    /// What goes to standard output: the text result, or one JSON object.
    #[arg(long, value_enum, default_value_t = VisitFormat::Text)]
    format: VisitFormat,
    /// Use the line front end even on a terminal.
    #[arg(long)]
    line: bool,
    /// Today's date (default: the computer's, local time); for tests and demonstrations.
    #[arg(long, value_name = "DATE", hide = true, value_parser = parse_today)]
    today: Option<Date>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// The urgent flags of the visit so far (raised or unknown), for the
/// message of a visit abandoned by a signal.
static URGENT_NOW: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records the visit's urgent flags (raised or left unknown), so that
/// abandoning the visit can say so plainly.
pub fn note_urgent(session: &VisitSession<'_>) {
    let lang = *LANG_NOW.lock().unwrap_or_else(|e| e.into_inner());
    let mut flags: Vec<(usize, usize)> = session
        .raised_flags()
        .into_iter()
        .filter(|&(i, f)| session.instruments()[i].flags[f].urgent)
        .collect();
    flags.extend(session.unknown_flags());
    let names = flags
        .iter()
        .map(|&(i, f)| session.instruments()[i].flags[f].label.get(lang).to_owned())
        .collect();
    *URGENT_NOW.lock().unwrap_or_else(|e| e.into_inner()) = names;
}

/// The visit's language, for [`note_urgent`].
static LANG_NOW: Mutex<Lang> = Mutex::new(Lang::En);

/// The message of an abandoned visit: plain when an urgent flag stands.
fn abandoned_message(lang: Lang) -> String {
    let urgent = URGENT_NOW.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if urgent.is_empty() {
        Msg::Abandoned.get(lang).to_owned()
    } else {
        Msg::AbandonedUrgent.fill(lang, &[("flags", &urgent.join("; "))])
    }
}

/// A save problem in the visit's language.
fn save_problem(problem: &SaveProblem, lang: Lang) -> String {
    match problem {
        SaveProblem::NoDirectory(dir) => {
            Msg::SaveNoDirectory.fill(lang, &[("dir", &dir.display().to_string())])
        }
        SaveProblem::NotAFile => Msg::SaveNotAFile.get(lang).to_owned(),
        SaveProblem::NoPermission(error) => Msg::SaveNoPermission.fill(lang, &[("error", error)]),
        SaveProblem::OtherColumns { .. } => Msg::SaveOtherColumns.get(lang).to_owned(),
        SaveProblem::NotVisits => Msg::SaveNotVisits.get(lang).to_owned(),
        SaveProblem::Io(error) => Msg::SaveIo.fill(lang, &[("error", error)]),
    }
}

/// The delimiter of a new CSV file of visits: `;` where spreadsheets read `,` as part of a number.
fn new_delimiter(lang: Lang) -> u8 {
    match lang {
        Lang::Nb | Lang::Nn | Lang::Sv => b';',
        Lang::En => b',',
    }
}

/// The visit's stage, for the signal handler: questions are being asked
/// (a signal abandons the visit), the visit is being saved (a signal waits),
/// or everything is done (a signal just ends the program).
const ASKING: u8 = 0;
const SAVING: u8 = 1;
const DONE: u8 = 2;

/// Runs `stepcare visit`.
pub fn run(args: VisitArgs) -> anyhow::Result<ExitCode> {
    let catalog = args.catalog.load()?;
    let ids = if args.instruments.is_empty() {
        vec!["epds".to_owned()]
    } else {
        args.instruments.clone()
    };
    let instruments = pick_instruments(&catalog, &ids)?;
    let respondent = choose_respondent(args.respondent.as_deref(), &instruments)?;
    let lang = resolve_lang(args.lang);
    *LANG_NOW.lock().unwrap_or_else(|e| e.into_inner()) = lang;
    if let Some(id) = &args.id {
        if id.chars().any(char::is_control) {
            return Err(UsageError("--id must be one line of text".to_owned()).into());
        }
        if let Some(kind) = national_id::looks_like(id) {
            let kind = match kind {
                NationalId::Fodselsnummer => Msg::Fodselsnummer,
                NationalId::Personnummer => Msg::Personnummer,
            };
            let warn = Style {
                color: color_stderr(),
            };
            eprintln!(
                "{}",
                warn.caution(&Msg::IdLooksNational.fill(lang, &[("kind", kind.get(lang))]))
            );
        }
    }
    let today = args.today.unwrap_or_else(visit_record::today_local);
    let visit_date = args.date.unwrap_or(today);
    if visit_date > today {
        return Err(UsageError(format!("--date {visit_date} is after today ({today})")).into());
    }
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
        if !pack.is_in(lang) {
            eprintln!(
                "{}",
                Msg::TextsLanguage.fill(
                    lang,
                    &[
                        ("instrument", &pack.instrument),
                        ("language", &pack.language)
                    ]
                )
            );
        }
        wording.packs.push(pack);
    }
    let sets = super::rules_arg::parse_sets(&args.set, &[])?;
    let mut rules = match &args.rules {
        Some(spec) => {
            let known: Vec<&Instrument> = catalog.instruments().iter().collect();
            let rules = Rules::load(spec, &known, &instruments, &respondent, &sets, visit_date)?;
            for instrument in rules.unused(&instruments) {
                eprintln!(
                    "{}",
                    Msg::RulesIgnoreInstrument
                        .fill(lang, &[("table", spec), ("instrument", &instrument.id)])
                );
            }
            Some(rules)
        }
        None if !sets.is_empty() => {
            return Err(
                UsageError("--set gives data for a rule table: add --rules".to_owned()).into(),
            );
        }
        None => None,
    };

    let mut session = VisitSession::new(&instruments)?;
    let mut facts = VisitFacts {
        id: args.id.clone().unwrap_or_default(),
        visit_date: Some(visit_date),
        respondent: respondent.clone(),
        context: rules
            .as_ref()
            .map(|r| {
                r.context_inputs()
                    .into_iter()
                    .map(|c| {
                        let value = r.value(&c.column).to_owned();
                        (c.column, value)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        dates: rules
            .as_ref()
            .map(|r| r.dates().to_vec())
            .unwrap_or_default(),
        rule_table: rules
            .as_ref()
            .map(|r| [r.table().id.clone(), r.table().version.clone()])
            .unwrap_or_default(),
        ..VisitFacts::default()
    };
    // The save file is checked before the first question: a visit is never
    // entered only to find that it cannot be kept.
    let target = match &args.save {
        Some(path) => {
            let format = SaveFormat::for_path(path, new_delimiter(lang));
            let header = match format {
                SaveFormat::Jsonl => Vec::new(),
                SaveFormat::Csv(_) => {
                    let care = rules.as_ref().map(|r| r.care(lang));
                    visit_record::csv_record(&session, &facts, care, 1)?.0
                }
            };
            match visit_record::check_target(path, format, &header) {
                Ok(target) => Some(target),
                Err(problem) => {
                    eprintln!(
                        "{}",
                        Msg::SaveTargetBad.fill(
                            lang,
                            &[
                                ("path", &path.display().to_string()),
                                ("reason", &save_problem(&problem, lang))
                            ]
                        )
                    );
                    return Ok(ExitCode::from(2));
                }
            }
        }
        None => None,
    };

    let finished = Arc::new(AtomicU8::new(ASKING));
    abandon_on_signal(lang, Arc::clone(&finished));
    let warn_style = Style {
        color: color_stderr(),
    };
    let stdin = io::stdin();
    let terminal = !args.line && stdin.is_terminal() && io::stderr().is_terminal();
    let outcome = if terminal {
        terminal::run(
            &mut session,
            &wording,
            warn_style,
            visit_date,
            &mut facts.acknowledgements,
        )?
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
            visit_date,
        )?
    };
    if outcome == Outcome::Abandoned {
        note_urgent(&session);
        eprintln!("{}", warn_style.alarm(&abandoned_message(lang)));
        return Ok(ExitCode::from(1));
    }
    // A child questionnaire's birth date is the child's: the table's follow-up uses it.
    if let (Some(rules), Some(child)) = (rules.as_mut(), session.child()) {
        let birth = child.birth.to_string();
        let given = rules
            .dates()
            .iter()
            .find(|(c, _)| c == stepcare::rules::BIRTH_DATE)
            .map(|(_, v)| v.clone());
        if let Some(given) = given {
            if !given.is_empty() && given != birth {
                eprintln!(
                    "{}",
                    warn_style.caution(
                        &Msg::BirthDateFromChild
                            .fill(lang, &[("child", &birth), ("given", &given)])
                    )
                );
            }
            rules.set_date(stepcare::rules::BIRTH_DATE, birth);
        }
    }
    if terminal && let Some(rules) = rules.as_mut() {
        match terminal::context_step(rules, &sets, lang, visit_date) {
            Ok(true) => {}
            Ok(false) => {
                note_urgent(&session);
                eprintln!("{}", warn_style.alarm(&abandoned_message(lang)));
                return Ok(ExitCode::from(1));
            }
            Err(err) => return Err(err),
        }
        for (column, value) in &mut facts.context {
            *value = rules.value(column).to_owned();
        }
    }
    if let Some(rules) = rules.as_ref() {
        facts.dates = rules.dates().to_vec();
    }
    // From here the visit is complete: an interrupt no longer abandons it
    // (and cannot cut a save in half).
    finished.store(SAVING, Ordering::SeqCst);

    let advice = match rules {
        Some(rules) => rules.advise(&instruments, &session.scores(), visit_date)?,
        None => Advice::NoRules,
    };
    let shown = render::Shown {
        respondent: &respondent,
        date: visit_date,
    };
    let stdout_terminal = io::stdout().is_terminal();
    let out_style = Style {
        color: stdout_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let (width, rows) = if stdout_terminal {
        crossterm::terminal::size().map_or((80, 24), |(columns, rows)| {
            (usize::from(columns), usize::from(rows))
        })
    } else {
        // Piped output is word-wrapped to nothing: one line per item for scripts.
        (usize::MAX, usize::MAX)
    };
    let fit = |text: &str| {
        if width == usize::MAX {
            text.to_owned()
        } else {
            render::wrap(text, width.clamp(40, 120) - 1)
        }
    };
    let summary = if width == usize::MAX {
        render::summary(
            &session,
            &wording,
            shown,
            &advice,
            out_style,
            render::Compact::Full,
        )
    } else {
        // At most 20 lines, and room left for the last menu on a short screen.
        render::summary_fitting(
            &session,
            &wording,
            shown,
            &advice,
            out_style,
            width.clamp(40, 120) - 1,
            rows.saturating_sub(5).clamp(10, MOST_LINES),
        )
    };
    let details = fit(&render::details(&session, &wording, &advice, out_style));
    match args.format {
        VisitFormat::Jsonl => {
            facts.saved_at = visit_record::now_local_rfc3339();
            let object = visit_record::json_record(&session, &facts, advice.care(lang), 1)?;
            let mut out = io::stdout().lock();
            serde_json::to_writer(&mut out, &object)?;
            writeln!(out)?;
            out.flush()?;
            // People still see the result, on standard error.
            eprintln!();
            eprint!("{summary}");
        }
        VisitFormat::Text => {
            let mut out = io::stdout().lock();
            writeln!(out)?;
            if terminal && stdout_terminal {
                // The terminal front end shows the details on request.
                write!(out, "{summary}")?;
            } else if stdout_terminal {
                // On a screen the summary comes last, so nothing to act on scrolls away.
                if !details.is_empty() {
                    write!(out, "{details}")?;
                    writeln!(out)?;
                }
                write!(out, "{summary}")?;
            } else {
                write!(out, "{summary}")?;
                if !details.is_empty() {
                    writeln!(out)?;
                    write!(out, "{details}")?;
                }
            }
            out.flush()?;
        }
    }
    let note = render::journal_note(&session, &wording, shown, &advice, &facts.acknowledgements);
    let mut failed = false;
    if let Some(path) = &args.note {
        match write_note(path, &note) {
            Ok(()) => eprintln!(
                "{}",
                Msg::NoteWritten.fill(lang, &[("path", &path.display().to_string())])
            ),
            Err(err) => {
                failed = true;
                eprintln!(
                    "{}",
                    warn_style.alarm(&format!("!!! {}: {err}", path.display()))
                );
            }
        }
    }
    match target {
        Some(target) => {
            if !save(
                &session, &mut facts, &advice, lang, target, terminal, warn_style,
            ) {
                failed = true;
            }
        }
        None => eprintln!("{}", Msg::NotSaved.get(lang)),
    }
    finished.store(DONE, Ordering::SeqCst);
    if terminal && stdout_terminal && args.format == VisitFormat::Text {
        terminal::more(&summary, &details, &note, lang)?;
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes the journal note whole (a temporary file renamed into place).
fn write_note(path: &std::path::Path, note: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(note.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Saves the finished visit; on failure says so plainly and, on a
/// terminal, offers another file. `false` when the visit was not saved.
fn save(
    session: &VisitSession<'_>,
    facts: &mut VisitFacts,
    advice: &Advice,
    lang: Lang,
    mut target: SaveTarget,
    terminal: bool,
    style: Style,
) -> bool {
    loop {
        facts.saved_at = visit_record::now_local_rfc3339();
        let result = visit_record::append(&target, |row| match target.format {
            SaveFormat::Jsonl => visit_record::json_record(session, facts, advice.care(lang), row)
                .map(SavedRow::Json),
            SaveFormat::Csv(_) => visit_record::csv_record(session, facts, advice.care(lang), row)
                .map(|(header, fields)| SavedRow::Csv(header, fields)),
        });
        let path = target.path.display().to_string();
        match result {
            Ok(row) => {
                eprintln!(
                    "{}",
                    Msg::Saved.fill(lang, &[("row", &row.to_string()), ("path", &path)])
                );
                if visit_record::readable_by_others(&target.path) == Some(true) {
                    eprintln!("{}", Msg::ReadableByOthers.fill(lang, &[("path", &path)]));
                }
                return true;
            }
            Err(problem) => {
                eprintln!(
                    "{}",
                    style.alarm(&Msg::SaveFailed.fill(
                        lang,
                        &[("path", &path), ("reason", &save_problem(&problem, lang))]
                    ))
                );
                if !terminal {
                    return false;
                }
                let Some(other) = terminal::another_path(lang) else {
                    return false;
                };
                let format = SaveFormat::for_path(&other, new_delimiter(lang));
                let header = match format {
                    SaveFormat::Jsonl => Ok(Vec::new()),
                    SaveFormat::Csv(_) => {
                        visit_record::csv_record(session, facts, advice.care(lang), 1)
                            .map(|(header, _)| header)
                    }
                };
                let checked = header
                    .map_err(|e| SaveProblem::Io(e.to_string()))
                    .and_then(|header| visit_record::check_target(&other, format, &header));
                match checked {
                    Ok(next) => target = next,
                    Err(problem) => {
                        target = SaveTarget {
                            path: other,
                            format,
                            exists: false,
                        };
                        eprintln!(
                            "{}",
                            style.alarm(&Msg::SaveFailed.fill(
                                lang,
                                &[
                                    ("path", &target.path.display().to_string()),
                                    ("reason", &save_problem(&problem, lang))
                                ]
                            ))
                        );
                    }
                }
            }
        }
    }
}

/// Ctrl-C (or the terminal closing, or a kill) while questions are being
/// asked abandons the visit: say so (plainly when an urgent flag stands),
/// save nothing, exit 1. The terminal front end sees Ctrl-C as a key while
/// a question is open; this covers the line front end and the moments
/// between questions.
#[cfg(unix)]
fn abandon_on_signal(lang: Lang, finished: Arc<AtomicU8>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        for _ in signals.forever() {
            // A kill can arrive while a prompt holds the terminal in raw mode.
            let _ = crossterm::terminal::disable_raw_mode();
            match finished.load(Ordering::SeqCst) {
                ASKING => {
                    eprintln!("\n{}", abandoned_message(lang));
                    std::process::exit(1);
                }
                // The result is out and the save is done: just stop.
                DONE => std::process::exit(0),
                // Saving: never cut a save in half; the signal is dropped.
                _ => {}
            }
        }
    });
}

#[cfg(not(unix))]
fn abandon_on_signal(_lang: Lang, _finished: Arc<AtomicU8>) {}
