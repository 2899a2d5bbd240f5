//! The terminal front end (inquire), used when standard input and standard error are terminals.
//!
//! Each question is a list of its options in printed order with their
//! numbers; an option is chosen with the arrow keys or by typing its number
//! (as printed on the paper form) and Enter. Esc goes back. After the last
//! question a review list lets any answer be changed before finishing. An
//! endorsed flag item shows its warning at once, and the visit waits until
//! the warning is acknowledged. Ctrl-C abandons the visit.
//!
//! An item with a concern box lists each option twice: plain, and with the
//! box ticked (`2x. Sometimes (concern ticked)`); typing `2x` keeps only the
//! latter. A child questionnaire first asks the age step: the birth date,
//! the screening date (Enter accepts today's) and the gestational weeks at
//! birth (empty for born at term), each checked as it is typed; a refused
//! age is explained and the fields are asked again, filled in with what was
//! typed. The review list starts with the age, which can be opened and
//! changed there.

use std::fmt;

use inquire::ui::{RenderConfig, Styled};
use inquire::validator::Validation;
use inquire::{InquireError, Select, Text};
use stepcare::instrument::age::Date;
use stepcare::session::{Event, Position, SessionError, VisitSession};

use stepcare::visit_record::Acknowledgement;

use stepcare::rules::ColumnKind;

use super::age::{self, Draft, Field};
use super::line::{Outcome, show_events};
use super::messages::Msg;
use super::recommend::{ContextInput, Rules};
use super::render::{self, Style, Wording};

/// One entry of a question's list.
enum Choice {
    /// An answer option: its 1-based printed number, whether the concern box
    /// is ticked with it, and the text shown.
    Option {
        number: usize,
        concern: bool,
        text: String,
    },
    /// Leave the question unanswered (clears an earlier answer). Listed
    /// for ordinary items; shown only when `0` is typed.
    NoAnswer(String),
    /// Leave a critical item unanswered on purpose (not asked, or declined):
    /// shown only when `0` is typed, so no arrow key reaches it by accident.
    Declined(String),
    /// A typed number that is not an option: shown as a message, chosen it
    /// re-asks. Knows the item's options and whether it has a concern box.
    NotAnOption {
        options: usize,
        concern_box: bool,
        text: String,
    },
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Choice::Option {
                number,
                concern: false,
                text,
            } => write!(f, "{number}. {text}"),
            Choice::Option {
                number,
                concern: true,
                text,
            } => write!(f, "{number}x. {text}"),
            Choice::NoAnswer(text) | Choice::Declined(text) | Choice::NotAnOption { text, .. } => {
                f.write_str(text)
            }
        }
    }
}

/// One entry of the review list.
enum ReviewChoice {
    Finish(String),
    Age(String),
    Question {
        index: usize,
        number: usize,
        text: String,
    },
}

impl fmt::Display for ReviewChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewChoice::Finish(text) | ReviewChoice::Age(text) => f.write_str(text),
            ReviewChoice::Question { text, .. } => f.write_str(text),
        }
    }
}

/// What was typed into a list: a number (with `x`: the concern box ticked), or text.
fn typed_number(input: &str) -> Option<(usize, bool)> {
    let (digits, concern) = match input.strip_suffix(['x', 'X']) {
        Some(rest) => (rest.trim_end(), true),
        None => (input, false),
    };
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| digits.parse::<usize>().ok().map(|n| (n, concern)))
        .flatten()
}

/// Typing digits keeps only the option with that number (`2x`: the one with
/// the concern box ticked); other text filters by wording.
fn matches_typed(input: &str, number: usize, concern: bool, text: &str) -> bool {
    let input = input.trim();
    if input.is_empty() {
        true
    } else if let Some((typed, typed_concern)) = typed_number(input) {
        typed == number && typed_concern == concern
    } else if input.chars().all(|c| c.is_ascii_digit()) {
        // Too many digits for a number: nothing has it.
        false
    } else {
        text.to_lowercase().contains(&input.to_lowercase())
    }
}

/// Options stay in printed order whatever is typed.
fn printed_order(options: &mut [(usize, i64)]) {
    options.sort_by_key(|(index, _)| *index);
}

fn question_scorer(input: &str, choice: &Choice, _shown: &str, _index: usize) -> Option<i64> {
    let input = input.trim();
    let keep = match choice {
        Choice::Option {
            number,
            concern,
            text,
        } => matches_typed(input, *number, *concern, text),
        Choice::NoAnswer(_) => input.is_empty() || input == "0",
        Choice::Declined(_) => input == "0",
        // Listed only while the typed number fits no option, so the list is
        // never silently empty.
        Choice::NotAnOption {
            options,
            concern_box,
            ..
        } => match typed_number(input) {
            Some((0, false)) => false,
            Some((n, concern)) => n > *options || n == 0 || (concern && !concern_box),
            None => !input.is_empty() && input.chars().all(|c| c.is_ascii_digit()),
        },
    };
    keep.then_some(0)
}

fn review_scorer(input: &str, choice: &ReviewChoice, shown: &str, _index: usize) -> Option<i64> {
    let input = input.trim();
    let keep = match choice {
        ReviewChoice::Finish(_) => input.is_empty(),
        ReviewChoice::Age(text) => {
            input.is_empty()
                || (typed_number(input).is_none()
                    && text.to_lowercase().contains(&input.to_lowercase()))
        }
        ReviewChoice::Question { number, .. } => matches_typed(input, *number, false, shown),
    };
    keep.then_some(0)
}

/// Whether an inquire error means the person stopped the visit.
fn is_abandon(err: &InquireError) -> bool {
    matches!(
        err,
        InquireError::OperationInterrupted | InquireError::OperationCanceled
    )
}

/// Runs the visit on the terminal; `today` is the screening date Enter
/// accepts at the age step. Each acknowledged warning is added to
/// `acknowledgements`, with its time.
pub fn run(
    session: &mut VisitSession<'_>,
    wording: &Wording,
    warn: Style,
    today: Date,
    acknowledgements: &mut Vec<Acknowledgement>,
) -> anyhow::Result<Outcome> {
    let lang = wording.lang;
    // Esc means "back" here, so say that instead of inquire's "<canceled>".
    let config = RenderConfig::default();
    let mut back = Styled::new(Msg::BackIndicator.get(lang));
    back.style = config.canceled_prompt_indicator.style;
    inquire::set_global_render_config(config.with_canceled_prompt_indicator(back));
    let mut introduced: Option<usize> = None;
    let mut stderr = std::io::stderr();
    loop {
        match session.position() {
            Position::Finished => return Ok(Outcome::Finished),
            Position::Age => {
                match ask_age(session, wording, warn, today)? {
                    AgeOutcome::Entered => {
                        // The summary named the form: no second heading before its questions.
                        if let Some(question) = session.current()
                            && question.instrument.age_banding.is_some()
                            && introduced != Some(question.instrument_index)
                        {
                            introduced = Some(question.instrument_index);
                            if let Some(instructions) = wording.instructions(question.instrument) {
                                eprintln!("{instructions}");
                            }
                        }
                    }
                    AgeOutcome::Back => {}
                    AgeOutcome::Abandoned => return Ok(Outcome::Abandoned),
                }
                continue;
            }
            Position::Review => {
                match review(session, wording) {
                    Ok(Some(ReviewChoice::Finish(_))) => match confirm_unanswered(session, wording)
                    {
                        Ok(true) => {
                            session.finish()?;
                            return Ok(Outcome::Finished);
                        }
                        Ok(false) => {}
                        Err(err) if is_abandon(&err) => return Ok(Outcome::Abandoned),
                        Err(err) => return Err(err.into()),
                    },
                    Ok(Some(ReviewChoice::Age(_))) => session.jump_to_age()?,
                    Ok(Some(ReviewChoice::Question { index, .. })) => session.jump(index)?,
                    Ok(None) => session.back()?,
                    Err(err) if is_abandon(&err) => return Ok(Outcome::Abandoned),
                    Err(err) => return Err(err.into()),
                }
                continue;
            }
            Position::Question(_) => {}
        }
        let question = session.current().expect("at a question");
        let instrument = question.instrument;
        let item = question.item_index;
        if introduced != Some(question.instrument_index) {
            introduced = Some(question.instrument_index);
            eprintln!();
            eprintln!(
                "{}",
                warn.bold(&render::instrument_intro(instrument, question.of, lang))
            );
            if let Some(instructions) = wording.instructions(instrument) {
                eprintln!("{instructions}");
            }
        }
        let options = instrument.items[item].options.len();
        let mut choices: Vec<Choice> = (0..options)
            .map(|option| Choice::Option {
                number: option + 1,
                concern: false,
                text: wording.option(instrument, item, option),
            })
            .collect();
        if question.concern_box {
            choices.extend((0..options).map(|option| Choice::Option {
                number: option + 1,
                concern: true,
                text: format!(
                    "{} ({})",
                    wording.option(instrument, item, option),
                    Msg::ConcernTicked.get(lang)
                ),
            }));
        }
        if question.critical {
            choices.push(Choice::Declined(Msg::DeclinedOption.get(lang).to_owned()));
        } else {
            choices.push(Choice::NoAnswer(Msg::NoAnswerOption.get(lang).to_owned()));
        }
        // The not-an-option entry goes last: it is listed only when nothing else is.
        choices.push(Choice::NotAnOption {
            options,
            concern_box: question.concern_box,
            text: Msg::NotAnOption.fill(lang, &[("max", &options.to_string())]),
        });
        let count = choices.len();
        let cursor = match question.answer {
            Some(option) if question.concern => options + option,
            Some(option) => option,
            None => 0,
        };
        let title = render::question_title(wording, &question);
        let help = if question.critical {
            Msg::CriticalHelp.get(lang)
        } else {
            Msg::TerminalHelp.get(lang)
        };
        let chosen = Select::new(&title, choices)
            .with_help_message(help)
            .with_page_size(count)
            .with_starting_cursor(cursor)
            // The hidden entries come last, so the options keep their places
            // and the cursor stays on the earlier answer when they are filtered out.
            .with_reset_cursor(false)
            .with_scorer(&question_scorer)
            .with_sorter(&printed_order)
            .prompt_skippable();
        match chosen {
            Ok(Some(Choice::Option {
                number, concern, ..
            })) => {
                let events = session.answer_with(number - 1, concern)?;
                show_events(session, wording, &events, &mut stderr, warn)?;
                let raised: Vec<(usize, usize)> = events
                    .iter()
                    .filter_map(|e| match *e {
                        Event::FlagRaised { instrument, flag } => Some((instrument, flag)),
                        _ => None,
                    })
                    .collect();
                if !raised.is_empty() {
                    match acknowledge(lang)? {
                        Acknowledged::Yes => {
                            let at = stepcare::visit_record::now_local_rfc3339();
                            for (instrument, flag) in raised {
                                let definition = session.instruments()[instrument];
                                acknowledgements.retain(|a: &Acknowledgement| {
                                    !(a.instrument == definition.id
                                        && a.flag == definition.flags[flag].id)
                                });
                                acknowledgements.push(Acknowledgement {
                                    instrument: definition.id.clone(),
                                    flag: definition.flags[flag].id.clone(),
                                    at: at.clone(),
                                });
                            }
                        }
                        // Back to the question: the warning was not acknowledged.
                        Acknowledged::Back => session.jump(question.index)?,
                        Acknowledged::Abandoned => return Ok(Outcome::Abandoned),
                    }
                }
            }
            Ok(Some(Choice::NoAnswer(_) | Choice::Declined(_))) => {
                if question.answer.is_some() {
                    let events = session.clear()?;
                    show_events(session, wording, &events, &mut stderr, warn)?;
                } else {
                    session.skip()?;
                }
                if question.critical {
                    show_unknown(session, wording, &mut stderr, warn)?;
                }
            }
            // The number fits no option: the question is asked again.
            Ok(Some(Choice::NotAnOption { .. })) => {}
            Ok(None) => match session.back() {
                Ok(()) => {}
                Err(SessionError::AtFirstQuestion) => {
                    eprintln!("{}", warn.dim(Msg::AtFirstQuestion.get(lang)));
                }
                Err(err) => return Err(err.into()),
            },
            Err(err) if is_abandon(&err) => return Ok(Outcome::Abandoned),
            Err(err) => return Err(err.into()),
        }
    }
}

/// How the age step ended.
enum AgeOutcome {
    /// The age was entered and the session moved on.
    Entered,
    /// Esc on the first field went back to the step before.
    Back,
    /// Ctrl-C.
    Abandoned,
}

/// Checks a field as it is typed, with the reason in the visit's language.
fn check(result: Result<(), String>) -> Result<Validation, inquire::CustomUserError> {
    Ok(match result {
        Ok(()) => Validation::Valid,
        Err(message) => Validation::Invalid(message.into()),
    })
}

/// The age step: one text field per fact, each checked as it is typed.
fn ask_age(
    session: &mut VisitSession<'_>,
    wording: &Wording,
    warn: Style,
    today: Date,
) -> anyhow::Result<AgeOutcome> {
    let lang = wording.lang;
    let intro = age::intro(session, lang);
    eprintln!();
    for (n, line) in intro.iter().enumerate() {
        if n + 1 < intro.len() {
            eprintln!("{}", warn.bold(line));
        } else {
            eprintln!("{line}");
        }
    }
    let fields = age::fields(session);
    let asks_gestation = fields.contains(&Field::Gestation);
    let mut draft = Draft::from_session(session);
    let mut at = 0;
    loop {
        if at >= fields.len() {
            at = 0;
            let Some(child) = draft.complete(asks_gestation) else {
                continue;
            };
            match session.set_age(child) {
                Ok(events) => {
                    eprintln!();
                    for line in age::summary(session, lang) {
                        eprintln!("{line}");
                    }
                    show_events(session, wording, &events, &mut std::io::stderr(), warn)?;
                    return Ok(AgeOutcome::Entered);
                }
                Err(refused) => {
                    eprintln!("{}", warn.caution(&age::refusal(&refused, session, lang)));
                    eprintln!("{}", Msg::AgeAgainTerminal.get(lang));
                    continue;
                }
            }
        }
        let field = fields[at];
        let initial = match field {
            Field::Birth => draft.birth.map(|d| d.to_string()),
            Field::Screening => draft.screening.map(|d| d.to_string()),
            Field::Gestation => draft.gestation.flatten().map(|g| g.to_string()),
        }
        .unwrap_or_default();
        let today_text = today.to_string();
        let answer = match field {
            Field::Birth => Text::new(Msg::BirthDate.get(lang))
                .with_help_message(Msg::DateHelp.get(lang))
                .with_initial_value(&initial)
                .with_validator(move |input: &str| {
                    check(age::read_birth(input, today, lang).map(|_| ()))
                })
                .prompt_skippable(),
            Field::Screening => {
                let prompt =
                    Text::new(Msg::ScreeningDate.get(lang)).with_validator(move |input: &str| {
                        check(age::read_screening(input, today, lang).map(|_| ()))
                    });
                if draft.screening.is_some() {
                    prompt
                        .with_help_message(Msg::DateHelp.get(lang))
                        .with_initial_value(&initial)
                        .prompt_skippable()
                } else {
                    prompt
                        .with_help_message(Msg::ScreeningDateHelp.get(lang))
                        .with_default(&today_text)
                        .prompt_skippable()
                }
            }
            Field::Gestation => Text::new(Msg::GestationalWeeks.get(lang))
                .with_help_message(Msg::GestationHelp.get(lang))
                .with_initial_value(&initial)
                .with_validator(move |input: &str| {
                    check(if input.trim().is_empty() {
                        Ok(())
                    } else {
                        age::read_gestation(input, lang).map(|_| ())
                    })
                })
                .prompt_skippable(),
        };
        let text = match answer {
            Ok(Some(text)) => text,
            Ok(None) if at > 0 => {
                at -= 1;
                continue;
            }
            Ok(None) => match session.back() {
                Ok(()) => return Ok(AgeOutcome::Back),
                Err(SessionError::AtFirstQuestion) => {
                    eprintln!("{}", warn.dim(Msg::AtFirstQuestion.get(lang)));
                    continue;
                }
                Err(err) => return Err(err.into()),
            },
            Err(err) if is_abandon(&err) => return Ok(AgeOutcome::Abandoned),
            Err(err) => return Err(err.into()),
        };
        // The validators let only readable values through; read them again to store them.
        let stored = match field {
            Field::Birth => age::read_birth(&text, today, lang).map(|d| draft.birth = Some(d)),
            Field::Screening => {
                age::read_screening(&text, today, lang).map(|d| draft.screening = Some(d))
            }
            Field::Gestation if text.trim().is_empty() => {
                draft.gestation = Some(None);
                Ok(())
            }
            Field::Gestation => age::read_gestation(&text, lang).map(|g| draft.gestation = Some(g)),
        };
        match stored {
            Ok(()) => at += 1,
            Err(message) => eprintln!("{}", warn.caution(&message)),
        }
    }
}

/// How the acknowledgement prompt ended.
enum Acknowledged {
    /// Enter on "Yes, continue".
    Yes,
    /// Esc: back to the question (never forward).
    Back,
    /// Ctrl-C.
    Abandoned,
}

/// Throws away keys typed before the acknowledgement prompt appears (a
/// typed-ahead Enter must not acknowledge a warning nobody has read): waits
/// a moment, then empties both the terminal's input queue and crossterm's.
fn discard_type_ahead() {
    if crossterm::terminal::enable_raw_mode().is_err() {
        return;
    }
    std::thread::sleep(std::time::Duration::from_millis(400));
    while crossterm::event::poll(std::time::Duration::ZERO).unwrap_or(false) {
        if crossterm::event::read().is_err() {
            break;
        }
    }
    let _ = crossterm::terminal::disable_raw_mode();
}

/// Waits until the warning is acknowledged with Enter, after discarding typed-ahead keys.
fn acknowledge(lang: stepcare::lang::Lang) -> anyhow::Result<Acknowledged> {
    discard_type_ahead();
    let answer = Select::new(
        Msg::AcknowledgeQuestion.get(lang),
        vec![Msg::AcknowledgeOption.get(lang)],
    )
    .with_help_message(Msg::AcknowledgeHelp.get(lang))
    .without_filtering()
    .prompt_skippable();
    match answer {
        Ok(Some(_)) => Ok(Acknowledged::Yes),
        Ok(None) => Ok(Acknowledged::Back),
        Err(err) if is_abandon(&err) => Ok(Acknowledged::Abandoned),
        Err(err) => Err(err.into()),
    }
}

/// Finishing with unanswered questions asks first; `true` to finish.
fn confirm_unanswered(session: &VisitSession<'_>, wording: &Wording) -> Result<bool, InquireError> {
    let lang = wording.lang;
    let unanswered = session.unanswered();
    if unanswered.is_empty() {
        return Ok(true);
    }
    let several = session.instruments().len() > 1;
    let items: Vec<String> = unanswered
        .iter()
        .map(|&q| {
            let question = session.question(q);
            if several {
                format!(
                    "{} {}",
                    render::short_name(question.instrument),
                    question.number + 1
                )
            } else {
                (question.number + 1).to_string()
            }
        })
        .collect();
    let title = Msg::by_count(
        unanswered.len(),
        Msg::ConfirmUnansweredOne,
        Msg::ConfirmUnanswered,
    )
    .fill(
        lang,
        &[
            ("count", &unanswered.len().to_string()),
            ("items", &items.join(", ")),
        ],
    );
    let answer = Select::new(
        &title,
        vec![Msg::ConfirmNo.get(lang), Msg::ConfirmYes.get(lang)],
    )
    .without_filtering()
    .without_help_message()
    .prompt_skippable()?;
    Ok(answer == Some(Msg::ConfirmYes.get(lang)))
}

/// The warning for critical items left unanswered, right after leaving one.
fn show_unknown(
    session: &VisitSession<'_>,
    wording: &Wording,
    err: &mut std::io::Stderr,
    warn: Style,
) -> std::io::Result<()> {
    use std::io::Write as _;
    for (instrument, flag) in session.unknown_flags() {
        writeln!(err)?;
        for line in render::flag_unknown_lines(session, wording, instrument, flag, warn) {
            writeln!(err, "{line}")?;
        }
    }
    Ok(())
}

/// The review list: finish, or pick a question to change.
fn review(
    session: &VisitSession<'_>,
    wording: &Wording,
) -> Result<Option<ReviewChoice>, InquireError> {
    let lang = wording.lang;
    let raised = session.raised_flags();
    let unknown = session.unknown_flags();
    let several = session.instruments().len() > 1;
    let mut choices = vec![ReviewChoice::Finish(Msg::ReviewFinish.get(lang).to_owned())];
    choices.extend(age::review_entry(session, lang).map(ReviewChoice::Age));
    for index in 0..session.question_count() {
        let question = session.question(index);
        let instrument = question.instrument;
        let answer = match question.answer {
            Some(option) => render::answer_text(wording, &question, option),
            None => format!("({})", Msg::NotAnswered.get(lang)),
        };
        // A raised flag, or a critical item left unanswered (its flag unknown), stands out.
        let flagged = raised.iter().chain(&unknown).any(|&(i, f)| {
            i == question.instrument_index && instrument.flags[f].item == question.item_index
        });
        let mark = if flagged {
            "!!! "
        } else if question.answer.is_none() {
            "? "
        } else {
            ""
        };
        let prefix = if several {
            format!("{} ", render::short_name(instrument))
        } else {
            String::new()
        };
        choices.push(ReviewChoice::Question {
            index,
            number: question.number + 1,
            text: format!(
                "{mark}{}{}: {answer}",
                prefix,
                render::question_title(wording, &question),
            ),
        });
    }
    let page = choices.len().min(14);
    Select::new(Msg::ReviewTitle.get(lang), choices)
        .with_help_message(Msg::ReviewHelp.get(lang))
        .with_page_size(page)
        .with_scorer(&review_scorer)
        .with_sorter(&printed_order)
        .prompt_skippable()
}

/// The context step: each clinician input of the rule table that `--set`
/// did not give, with "not assessed" first (Enter or Esc keeps it).
/// `false` when the visit is abandoned (Ctrl-C).
pub fn context_step(
    rules: &mut Rules,
    given: &stepcare::rules::DataValues,
    lang: stepcare::lang::Lang,
    visit_date: stepcare::instrument::age::Date,
) -> anyhow::Result<bool> {
    let inputs: Vec<ContextInput> = rules
        .context_inputs()
        .into_iter()
        .filter(|c| !given.keys().any(|k| k.eq_ignore_ascii_case(&c.column)))
        .collect();
    if !inputs.is_empty() && !clinical_inputs(rules, inputs, lang)? {
        return Ok(false);
    }
    // The family's dates the table's schedule or time point needs, unless
    // given with --set or known from the child's form: blank is unknown.
    let dates: Vec<String> = rules
        .dates()
        .iter()
        .filter(|(column, value)| {
            value.is_empty() && !given.keys().any(|k| k.eq_ignore_ascii_case(column))
        })
        .map(|(column, _)| column.clone())
        .collect();
    if dates.is_empty() {
        return Ok(true);
    }
    eprintln!();
    eprintln!("{}", Msg::DatesIntro.get(lang));
    for column in dates {
        let check_column = column.clone();
        let answer = Text::new(super::recommend::date_label(&column, lang))
            .with_help_message(Msg::FamilyDateHelp.get(lang))
            .with_validator(move |input: &str| {
                check(
                    super::recommend::read_family_date(&check_column, input, visit_date, lang)
                        .map(|_| ()),
                )
            })
            .prompt_skippable();
        let value = match answer {
            Ok(Some(text)) => super::recommend::read_family_date(&column, &text, visit_date, lang)
                .ok()
                .flatten()
                .map(|d| d.to_string())
                .unwrap_or_default(),
            Ok(None) => String::new(),
            Err(err) if is_abandon(&err) => return Ok(false),
            Err(err) => return Err(err.into()),
        };
        rules.set_date(&column, value);
    }
    Ok(true)
}

/// The clinician inputs of the context step, each a short list with "not
/// assessed" first; `false` when the visit was abandoned.
fn clinical_inputs(
    rules: &mut Rules,
    inputs: Vec<ContextInput>,
    lang: stepcare::lang::Lang,
) -> anyhow::Result<bool> {
    eprintln!();
    eprintln!("{}", Msg::ContextIntro.get(lang));
    for input in inputs {
        // (value saved, text shown)
        let mut choices: Vec<(String, String)> =
            vec![(String::new(), Msg::ContextNotAssessed.get(lang).to_owned())];
        match &input.kind {
            ColumnKind::Boolean => {
                choices.push(("no".to_owned(), Msg::No.get(lang).to_owned()));
                choices.push(("yes".to_owned(), Msg::Yes.get(lang).to_owned()));
            }
            ColumnKind::Level => choices.extend(
                rules
                    .table()
                    .levels
                    .iter()
                    .map(|l| (l.number.to_string(), l.name.get(lang).to_owned())),
            ),
            ColumnKind::Choice(words) => choices.extend(
                words
                    .iter()
                    .map(|w| (w.clone(), render::respondent_name(w, lang))),
            ),
            // Worked out from dates, never asked.
            ColumnKind::Period | ColumnKind::Week => {}
        }
        let shown: Vec<String> = choices.iter().map(|(_, text)| text.clone()).collect();
        let answer = Select::new(input.label.get(lang), shown)
            .with_help_message(Msg::ContextHelp.get(lang))
            .with_page_size(choices.len())
            .without_filtering()
            .raw_prompt_skippable();
        let value = match answer {
            Ok(Some(chosen)) => choices[chosen.index].0.clone(),
            Ok(None) => String::new(),
            Err(err) if is_abandon(&err) => return Ok(false),
            Err(err) => return Err(err.into()),
        };
        rules.set(&input.column, value);
    }
    Ok(true)
}

/// After the result, on request: the rules and reasons, or the journal
/// note; the summary is shown again after either, so that nothing to act
/// on is above the fold when the program exits.
pub fn more(
    summary: &str,
    details: &str,
    note: &str,
    lang: stepcare::lang::Lang,
) -> anyhow::Result<()> {
    loop {
        let mut choices = vec![Msg::MoreDone.get(lang)];
        if !details.trim().is_empty() {
            choices.push(Msg::MoreDetails.get(lang));
        }
        choices.push(Msg::MoreNote.get(lang));
        let answer = Select::new(Msg::MoreTitle.get(lang), choices)
            .without_filtering()
            .without_help_message()
            .prompt_skippable();
        let text = match answer {
            Ok(Some(choice)) if choice == Msg::MoreDetails.get(lang) => details,
            Ok(Some(choice)) if choice == Msg::MoreNote.get(lang) => note,
            Ok(_) => return Ok(()),
            Err(err) if is_abandon(&err) => return Ok(()),
            Err(err) => return Err(err.into()),
        };
        println!();
        print!("{text}");
        println!();
        print!("{summary}");
    }
}

/// After a failed save: another file to save to, or `None` (empty, Esc, Ctrl-C).
pub fn another_path(lang: stepcare::lang::Lang) -> Option<std::path::PathBuf> {
    match Text::new(Msg::SaveElsewhere.get(lang)).prompt_skippable() {
        Ok(Some(text)) if !text.trim().is_empty() => Some(std::path::PathBuf::from(text.trim())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_a_number_keeps_only_that_option() {
        assert!(matches_typed("", 3, false, "Often"));
        assert!(matches_typed("3", 3, false, "Often"));
        assert!(matches_typed(" 3 ", 3, false, "Often"));
        assert!(!matches_typed("3", 2, false, "Seldom 3 times"));
        assert!(!matches_typed("33", 3, false, "Often"));
        assert!(matches_typed("oft", 3, false, "Often"));
        assert!(!matches_typed("never", 3, false, "Often"));
        assert!(!matches_typed("99999999999999999999999", 3, false, "Often"));
    }

    #[test]
    fn typing_a_number_with_x_keeps_only_that_option_with_its_concern_box() {
        assert!(matches_typed("2x", 2, true, "Sometimes (concern ticked)"));
        assert!(matches_typed("2 X", 2, true, "Sometimes (concern ticked)"));
        assert!(!matches_typed("2x", 2, false, "Sometimes"));
        assert!(!matches_typed("2", 2, true, "Sometimes (concern ticked)"));
        assert!(!matches_typed("3x", 2, true, "Sometimes (concern ticked)"));
        // Text still filters by wording.
        assert!(matches_typed(
            "ticked",
            2,
            true,
            "Sometimes (concern ticked)"
        ));
    }

    #[test]
    fn the_no_answer_entry_disappears_while_typing() {
        let entry = Choice::NoAnswer("(no answer)".into());
        assert_eq!(question_scorer("", &entry, "", 4), Some(0));
        assert_eq!(question_scorer("2", &entry, "", 4), None);
        assert_eq!(question_scorer("0", &entry, "", 4), Some(0));
    }

    #[test]
    fn a_critical_item_is_left_unanswered_only_by_typing_0() {
        let entry = Choice::Declined("0. Not asked / declined".into());
        assert_eq!(question_scorer("", &entry, "", 4), None);
        assert_eq!(question_scorer("2", &entry, "", 4), None);
        assert_eq!(question_scorer("0", &entry, "", 4), Some(0));
    }

    #[test]
    fn a_number_that_is_no_option_is_listed_as_a_message() {
        let entry = Choice::NotAnOption {
            options: 4,
            concern_box: false,
            text: "not an option".into(),
        };
        assert_eq!(question_scorer("", &entry, "", 4), None);
        assert_eq!(question_scorer("0", &entry, "", 4), None);
        assert_eq!(question_scorer("4", &entry, "", 4), None);
        assert_eq!(question_scorer("never", &entry, "", 4), None);
        assert_eq!(question_scorer("7", &entry, "", 4), Some(0));
        assert_eq!(question_scorer("2x", &entry, "", 4), Some(0));
        assert_eq!(
            question_scorer("99999999999999999999999", &entry, "", 4),
            Some(0)
        );
    }

    #[test]
    fn options_stay_in_printed_order() {
        let mut scored = vec![(3, 0), (0, 5), (2, 9), (1, 0)];
        printed_order(&mut scored);
        assert_eq!(scored, vec![(0, 5), (1, 0), (2, 9), (3, 0)]);
    }
}
