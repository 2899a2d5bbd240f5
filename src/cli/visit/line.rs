//! The line front end: prompts on stderr, one answer per line from standard input.
//!
//! An answer is the option's printed number, with `x` after it (`2x`) when
//! the item's concern box is ticked on the form; `b` (or `<`) goes back; an
//! empty line moves on without changing the answer (a new question stays
//! unanswered). Anything else is re-asked with a message. End of input before
//! the last question abandons the visit. There is no review step: the visit
//! finishes after the last question, so a script is one line per question.
//!
//! A child questionnaire first asks the age step, one field per line: the
//! birth date, the screening date (an empty line is today) and, when the
//! definition corrects for prematurity, the gestational weeks at birth (an
//! empty line is born at term). A field that cannot be read is asked again;
//! an age the session refuses (a screening before the birth, an age that fits
//! no form) is explained and the fields are asked again, an empty line
//! keeping what was entered.

use std::io::{self, BufRead, Write};

use stepcare::instrument::age::Date;
use stepcare::session::{Event, Position, SessionError, VisitSession};

use super::age::{self, Draft, Field};
use super::messages::Msg;
use super::render::{self, Style, Wording};

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every question was settled and the visit finished.
    Finished,
    /// The input ended (or was interrupted) first.
    Abandoned,
}

/// What one line means.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    /// The option at this 0-based position, and whether the concern box is ticked.
    Option(usize, bool),
    Back,
    Skip,
    Invalid(String),
}

fn is_back(text: &str) -> bool {
    matches!(text.trim(), "b" | "B" | "<")
}

/// Reads an answer line; `2x` (ticked concern box) only when the item has a box.
fn parse(line: &str, options: usize, concern_box: bool) -> Line {
    let text = line.trim();
    if text.is_empty() {
        return Line::Skip;
    }
    if is_back(text) {
        return Line::Back;
    }
    let (number, concern) = match text.strip_suffix(['x', 'X']) {
        Some(number) if concern_box => (number.trim_end(), true),
        _ => (text, false),
    };
    match number.parse::<usize>() {
        Ok(n) if (1..=options).contains(&n) => Line::Option(n - 1, concern),
        _ => Line::Invalid(text.chars().take(40).collect()),
    }
}

/// How the age step ended.
enum AgeOutcome {
    /// The age was entered and the session moved on.
    Entered,
    /// `b` on the first field went back to the step before.
    Back,
    /// The input ended.
    Abandoned,
}

/// Reads one line; `None` at the end of the input.
fn read_line<R: BufRead, W: Write>(
    input: &mut R,
    err: &mut W,
    buffer: &mut Vec<u8>,
    echo: bool,
) -> io::Result<Option<String>> {
    buffer.clear();
    if input.read_until(b'\n', buffer)? == 0 {
        writeln!(err)?;
        return Ok(None);
    }
    let line = String::from_utf8_lossy(buffer)
        .trim_end_matches(['\r', '\n'])
        .to_owned();
    if echo {
        writeln!(err, "{line}")?;
    }
    Ok(Some(line))
}

/// The prompt of an age field, saying what an empty line does.
fn age_prompt(field: Field, draft: &Draft, today: Date, lang: stepcare::lang::Lang) -> String {
    let (label, hint) = match field {
        Field::Birth => (
            Msg::BirthDate,
            draft
                .birth
                .map(|d| Msg::KeepsValue.fill(lang, &[("value", &d.to_string())])),
        ),
        Field::Screening => (
            Msg::ScreeningDate,
            Some(match draft.screening {
                Some(d) => Msg::KeepsValue.fill(lang, &[("value", &d.to_string())]),
                None => Msg::TodayDefault.fill(lang, &[("date", &today.to_string())]),
            }),
        ),
        Field::Gestation => (
            Msg::GestationalWeeks,
            Some(match draft.gestation {
                Some(Some(g)) => Msg::GestationHintKeep.fill(lang, &[("value", &g.to_string())]),
                _ => Msg::GestationHint.get(lang).to_owned(),
            }),
        ),
    };
    match hint {
        Some(hint) => format!("{} ({hint})> ", label.get(lang)),
        None => format!("{}> ", label.get(lang)),
    }
}

/// The age step: each field on its own line, until the session takes the age.
#[allow(clippy::too_many_arguments)]
fn ask_age<R: BufRead, W: Write>(
    session: &mut VisitSession<'_>,
    wording: &Wording,
    input: &mut R,
    err: &mut W,
    style: Style,
    echo: bool,
    today: Date,
    buffer: &mut Vec<u8>,
) -> io::Result<AgeOutcome> {
    let lang = wording.lang;
    let intro = age::intro(session, lang);
    writeln!(err)?;
    for (n, line) in intro.iter().enumerate() {
        if n + 1 < intro.len() {
            writeln!(err, "{}", style.bold(line))?;
        } else {
            writeln!(err, "{line}")?;
        }
    }
    writeln!(err, "{}", Msg::AgeLineHelp.get(lang))?;
    let fields = age::fields(session);
    let asks_gestation = fields.contains(&Field::Gestation);
    let mut draft = Draft::from_session(session);
    let mut at = 0;
    loop {
        if let Some(child) = draft
            .complete(asks_gestation)
            .filter(|_| at == fields.len())
        {
            match session.set_age(child) {
                Ok(events) => {
                    writeln!(err)?;
                    for line in age::summary(session, lang) {
                        writeln!(err, "{line}")?;
                    }
                    show_events(session, wording, &events, err, style)?;
                    return Ok(AgeOutcome::Entered);
                }
                Err(refused) => {
                    writeln!(err, "{}", age::refusal(&refused, session, lang))?;
                    writeln!(err, "{}", Msg::AgeAgainLine.get(lang))?;
                    at = 0;
                    continue;
                }
            }
        }
        let Some(field) = fields.get(at).copied() else {
            // Every field was entered but something is missing: ask from the start.
            at = 0;
            continue;
        };
        write!(err, "{}", age_prompt(field, &draft, today, lang))?;
        err.flush()?;
        let Some(line) = read_line(input, err, buffer, echo)? else {
            return Ok(AgeOutcome::Abandoned);
        };
        let text = line.trim();
        if is_back(text) {
            if at > 0 {
                at -= 1;
                continue;
            }
            match session.back() {
                Ok(()) => return Ok(AgeOutcome::Back),
                Err(SessionError::AtFirstQuestion) => {
                    writeln!(err, "{}", Msg::AtFirstQuestion.get(lang))?;
                    continue;
                }
                Err(other) => return Err(io::Error::other(other)),
            }
        }
        let read = match field {
            Field::Birth if text.is_empty() => match draft.birth {
                Some(_) => Ok(()),
                None => Err(Msg::BirthDateNeeded.get(lang).to_owned()),
            },
            Field::Birth => age::read_birth(text, today, lang).map(|d| draft.birth = Some(d)),
            Field::Screening if text.is_empty() => {
                draft.screening.get_or_insert(today);
                Ok(())
            }
            Field::Screening => {
                age::read_screening(text, today, lang).map(|d| draft.screening = Some(d))
            }
            Field::Gestation if text.is_empty() => {
                draft.gestation.get_or_insert(None);
                Ok(())
            }
            Field::Gestation => age::read_gestation(text, lang).map(|g| draft.gestation = Some(g)),
        };
        match read {
            Ok(()) => at += 1,
            Err(message) => writeln!(err, "{message}")?,
        }
    }
}

/// Runs the visit over `input`, writing prompts and warnings to `err`.
///
/// `echo` writes each answer read after its prompt, so a transcript of piped
/// input reads like a conversation. `today` is the screening date an empty
/// line stands for at the age step.
pub fn run<R: BufRead, W: Write>(
    session: &mut VisitSession<'_>,
    wording: &Wording,
    input: &mut R,
    err: &mut W,
    style: Style,
    echo: bool,
    today: Date,
) -> io::Result<Outcome> {
    let lang = wording.lang;
    let mut introduced: Option<usize> = None;
    let mut helped = false;
    let mut concern_helped = false;
    let mut buffer = Vec::new();
    loop {
        let question = match session.position() {
            Position::Age => {
                match ask_age(
                    session,
                    wording,
                    input,
                    err,
                    style,
                    echo,
                    today,
                    &mut buffer,
                )? {
                    AgeOutcome::Entered => {
                        // The summary named the form: its questions follow without another heading.
                        if let Some(question) = session.current()
                            && question.instrument.age_banding.is_some()
                            && introduced != Some(question.instrument_index)
                        {
                            introduced = Some(question.instrument_index);
                            help(
                                question.instrument,
                                wording,
                                err,
                                &mut helped,
                                &mut concern_helped,
                            )?;
                        }
                    }
                    AgeOutcome::Back => {}
                    AgeOutcome::Abandoned => return Ok(Outcome::Abandoned),
                }
                continue;
            }
            Position::Question(_) => session.current().expect("at a question"),
            Position::Review => {
                session
                    .finish()
                    .expect("finishing from the review always works");
                return Ok(Outcome::Finished);
            }
            Position::Finished => return Ok(Outcome::Finished),
        };
        let instrument = question.instrument;
        if introduced != Some(question.instrument_index) {
            introduced = Some(question.instrument_index);
            writeln!(err)?;
            writeln!(
                err,
                "{}",
                style.bold(&render::instrument_intro(instrument, question.of, lang))
            )?;
            help(instrument, wording, err, &mut helped, &mut concern_helped)?;
        }
        writeln!(err)?;
        writeln!(
            err,
            "{}",
            style.bold(&render::question_title(wording, &question))
        )?;
        for line in render::option_lines(wording, instrument, question.item_index) {
            writeln!(err, "  {line}")?;
        }
        if let Some(answer) = question.answer {
            let text = render::answer_text(wording, &question, answer);
            writeln!(
                err,
                "{}",
                Msg::CurrentAnswerKeep.fill(lang, &[("answer", &text)])
            )?;
        }
        let max = instrument.items[question.item_index].options.len();
        let (prompt, invalid) = if question.concern_box {
            (Msg::LinePromptConcern, Msg::InvalidAnswerConcern)
        } else {
            (Msg::LinePrompt, Msg::InvalidAnswer)
        };
        let prompt = prompt.fill(lang, &[("max", &max.to_string())]);
        // Ask until the line is something the session accepts.
        loop {
            write!(err, "{prompt}")?;
            err.flush()?;
            let Some(line) = read_line(input, err, &mut buffer, echo)? else {
                return Ok(Outcome::Abandoned);
            };
            match parse(&line, max, question.concern_box) {
                Line::Option(option, concern) => {
                    let events = session
                        .answer_with(option, concern)
                        .expect("the option and the concern box were checked against the item");
                    show_events(session, wording, &events, err, style)?;
                    break;
                }
                Line::Skip => {
                    session.skip().expect("at a question");
                    // An empty line still skips (scripts keep one line per
                    // item), but a critical item's flag is then unknown: say so at once.
                    if question.critical && question.answer.is_none() {
                        for (instrument, flag) in session.unknown_flags() {
                            writeln!(err)?;
                            for line in render::flag_unknown_lines(
                                session, wording, instrument, flag, style,
                            ) {
                                writeln!(err, "{line}")?;
                            }
                        }
                        super::note_urgent(session);
                    }
                    break;
                }
                Line::Back => match session.back() {
                    Ok(()) => break,
                    Err(SessionError::AtFirstQuestion) => {
                        writeln!(err, "{}", Msg::AtFirstQuestion.get(lang))?;
                    }
                    Err(other) => return Err(io::Error::other(other)),
                },
                Line::Invalid(text) => {
                    writeln!(
                        err,
                        "{}",
                        invalid.fill(lang, &[("input", &text), ("max", &max.to_string())])
                    )?;
                }
            }
        }
    }
}

/// The lines before an instrument's first question: its text pack's
/// instructions, how to answer (once per visit) and how to tick a concern box
/// (once per visit, for instruments with concern boxes).
fn help<W: Write>(
    instrument: &stepcare::instrument::Instrument,
    wording: &Wording,
    err: &mut W,
    helped: &mut bool,
    concern_helped: &mut bool,
) -> io::Result<()> {
    let lang = wording.lang;
    if let Some(instructions) = wording.instructions(instrument) {
        writeln!(err, "{instructions}")?;
    }
    if !*helped {
        *helped = true;
        writeln!(err, "{}", Msg::LineHelp.get(lang))?;
    }
    if instrument.has_concerns() && !*concern_helped {
        *concern_helped = true;
        writeln!(err, "{}", Msg::ConcernLineHelp.get(lang))?;
    }
    Ok(())
}

/// Writes the immediate warnings for flags an answer raised or cleared.
pub fn show_events<W: Write>(
    session: &VisitSession<'_>,
    wording: &Wording,
    events: &[Event],
    err: &mut W,
    style: Style,
) -> io::Result<()> {
    for event in events {
        match *event {
            Event::FlagRaised { instrument, flag } => {
                writeln!(err)?;
                for line in render::flag_raised_lines(session, wording, instrument, flag, style) {
                    writeln!(err, "{line}")?;
                }
            }
            Event::FlagCleared { instrument, flag } => {
                writeln!(
                    err,
                    "{}",
                    render::flag_cleared_line(session, wording.lang, instrument, flag)
                )?;
            }
            Event::AnswersDropped { instrument, count } => {
                writeln!(
                    err,
                    "{}",
                    style.caution(
                        &Msg::by_count(count, Msg::AnswersDroppedOne, Msg::AnswersDropped).fill(
                            wording.lang,
                            &[
                                (
                                    "instrument",
                                    &render::short_name(session.instruments()[instrument])
                                ),
                                ("count", &count.to_string()),
                            ],
                        )
                    )
                )?;
            }
        }
    }
    super::note_urgent(session);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;
    use stepcare::catalog::Catalog;
    use stepcare::lang::Lang;
    use stepcare::scoring::Answer;

    fn today() -> Date {
        Date::new(2026, 11, 23).unwrap()
    }

    #[test]
    fn lines_are_parsed_strictly() {
        assert_eq!(parse("2\n", 4, false), Line::Option(1, false));
        assert_eq!(parse("  4 \r\n", 4, false), Line::Option(3, false));
        assert_eq!(parse("\n", 4, false), Line::Skip);
        assert_eq!(parse("b\n", 4, false), Line::Back);
        assert_eq!(parse("<", 4, false), Line::Back);
        assert_eq!(parse("0", 4, false), Line::Invalid("0".into()));
        assert_eq!(parse("5", 4, false), Line::Invalid("5".into()));
        assert_eq!(parse("2 3", 4, false), Line::Invalid("2 3".into()));
        assert_eq!(parse("-1", 4, false), Line::Invalid("-1".into()));
        assert_eq!(
            parse("99999999999999999999999", 4, false),
            Line::Invalid("99999999999999999999999".into())
        );
    }

    #[test]
    fn an_x_after_the_number_ticks_the_concern_box_where_there_is_one() {
        assert_eq!(parse("2x\n", 3, true), Line::Option(1, true));
        assert_eq!(parse(" 3 X ", 3, true), Line::Option(2, true));
        assert_eq!(parse("2", 3, true), Line::Option(1, false));
        assert_eq!(parse("2x", 3, false), Line::Invalid("2x".into()));
        assert_eq!(parse("x", 3, true), Line::Invalid("x".into()));
        assert_eq!(parse("4x", 3, true), Line::Invalid("4x".into()));
        assert_eq!(parse("2xx", 3, true), Line::Invalid("2xx".into()));
    }

    fn visit(input: &str) -> (Outcome, Vec<Answer>, String) {
        let catalog = Catalog::builtin();
        let epds = catalog.get("epds").unwrap();
        let mut session = VisitSession::new(&[epds]).unwrap();
        let wording = Wording {
            lang: Lang::En,
            packs: Vec::new(),
        };
        let mut err = Vec::new();
        let outcome = run(
            &mut session,
            &wording,
            &mut input.as_bytes(),
            &mut err,
            Style { color: false },
            true,
            today(),
        )
        .unwrap();
        (
            outcome,
            session.answers()[0].clone(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn ten_answers_finish_the_visit() {
        let (outcome, answers, _) = visit("1\n2\n3\n4\n1\n2\n3\n4\n1\n4\n");
        assert_eq!(outcome, Outcome::Finished);
        assert_eq!(answers[9], Answer::Chosen(3));
    }

    #[test]
    fn end_of_input_abandons() {
        let (outcome, _, _) = visit("1\n2\n");
        assert_eq!(outcome, Outcome::Abandoned);
    }

    #[test]
    fn invalid_bytes_are_re_asked_not_fatal() {
        let catalog = Catalog::builtin();
        let epds = catalog.get("epds").unwrap();
        let mut session = VisitSession::new(&[epds]).unwrap();
        let wording = Wording {
            lang: Lang::Nb,
            packs: Vec::new(),
        };
        let mut input: &[u8] = b"\xff\xfe\n1\n";
        let mut err = Vec::new();
        let outcome = run(
            &mut session,
            &wording,
            &mut input,
            &mut err,
            Style { color: false },
            false,
            today(),
        )
        .unwrap();
        assert_eq!(outcome, Outcome::Abandoned);
        assert_eq!(session.answers()[0][0], Answer::Chosen(0));
        assert!(String::from_utf8_lossy(&err).contains("er ikke et svar her"));
    }

    #[test]
    fn back_at_the_first_question_says_so_and_asks_again() {
        let (_, answers, err) = visit("b\n3\n");
        assert!(err.contains("This is the first question"));
        assert_eq!(answers[0], Answer::Chosen(2));
    }

    proptest::proptest! {
        /// Whatever is typed or piped, the visit never panics: it finishes
        /// (every question settled) or is abandoned at the end of the input.
        #[test]
        fn any_input_finishes_or_abandons(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    (1usize..=4).prop_map(|n| n.to_string()),
                    proptest::strategy::Just(String::new()),
                    proptest::strategy::Just("b".to_owned()),
                    "\\PC{0,6}",
                ],
                0..40,
            ),
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..20),
        ) {
            static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
            let epds = CATALOG.get_or_init(Catalog::builtin).get("epds").unwrap();
            let mut session = VisitSession::new(&[epds]).unwrap();
            let wording = Wording { lang: Lang::Sv, packs: Vec::new() };
            let mut input = lines.join("\n").into_bytes();
            input.extend(&bytes);
            let mut err = Vec::new();
            let outcome = run(
                &mut session,
                &wording,
                &mut input.as_slice(),
                &mut err,
                Style { color: false },
                true,
                today(),
            )
            .unwrap();
            if outcome == Outcome::Finished {
                proptest::prop_assert!(session.is_finished());
                proptest::prop_assert!((0..10).all(|q| session.is_settled(q)));
            } else {
                proptest::prop_assert!(!session.is_finished());
            }
        }

        /// The same for a child questionnaire: dates (valid, impossible,
        /// outside every form, in the future), gestations, answers with and
        /// without concern marks, back and noise. A finished visit has an age,
        /// every question of its form settled, and answers only on that form.
        #[test]
        fn any_input_to_a_child_questionnaire_finishes_or_abandons(
            lines in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => (1usize..=4).prop_map(|n| n.to_string()),
                    2 => (1usize..=4).prop_map(|n| format!("{n}x")),
                    1 => proptest::strategy::Just(String::new()),
                    1 => proptest::strategy::Just("b".to_owned()),
                    2 => proptest::sample::select(vec![
                        "2026-05-23", "23.11.2025", "01.01.2026", "2026-11-01",
                        "2027-01-01", "31.02.2026", "10/08/2026", "1.1.26", "2024-12-01",
                    ]).prop_map(str::to_owned),
                    1 => proptest::sample::select(vec!["35", "32+6", "40", "t", "36.4", "12"])
                        .prop_map(str::to_owned),
                    1 => "\\PC{0,6}",
                ],
                0..50,
            ),
        ) {
            static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
            let demo = CATALOG.get_or_init(Catalog::builtin).get("se-demo").unwrap();
            let mut session = VisitSession::new(&[demo]).unwrap();
            let wording = Wording { lang: Lang::Nb, packs: Vec::new() };
            let input = lines.join("\n").into_bytes();
            let mut err = Vec::new();
            let outcome = run(
                &mut session,
                &wording,
                &mut input.as_slice(),
                &mut err,
                Style { color: false },
                true,
                today(),
            )
            .unwrap();
            if outcome == Outcome::Finished {
                proptest::prop_assert!(session.is_finished());
                let interval = session.interval(0).expect("an age was entered");
                let form = &demo.age_banding.as_ref().unwrap().intervals[interval];
                proptest::prop_assert_eq!(session.question_count(), form.items.len());
                proptest::prop_assert!((0..form.items.len()).all(|q| session.is_settled(q)));
                for (item, answer) in session.answers()[0].iter().enumerate() {
                    if !form.items.contains(&item) {
                        proptest::prop_assert_eq!(*answer, Answer::Missing);
                    }
                }
                let child = session.child().unwrap();
                proptest::prop_assert!(child.birth <= child.screening && child.screening <= today());
            } else {
                proptest::prop_assert!(!session.is_finished());
            }
        }
    }

    #[test]
    fn an_empty_line_after_back_keeps_the_answer() {
        let (_, answers, _) = visit("2\nb\n\n");
        assert_eq!(answers[0], Answer::Chosen(1));
    }
}
