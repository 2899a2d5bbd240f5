//! The line front end: prompts on stderr, one answer per line from standard input.
//!
//! An answer is the option's printed number; `b` (or `<`) goes back; an empty
//! line moves on without changing the answer (a new question stays
//! unanswered). Anything else is re-asked with a message. End of input before
//! the last question abandons the visit. There is no review step: the visit
//! finishes after the last question, so a script is one line per question.

use std::io::{self, BufRead, Write};

use stepcare::session::{Event, Position, SessionError, VisitSession};

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
    Option(usize),
    Back,
    Skip,
    Invalid(String),
}

fn parse(line: &str, options: usize) -> Line {
    let text = line.trim();
    match text {
        "" => Line::Skip,
        "b" | "B" | "<" => Line::Back,
        _ => match text.parse::<usize>() {
            Ok(number) if (1..=options).contains(&number) => Line::Option(number - 1),
            _ => Line::Invalid(text.chars().take(40).collect()),
        },
    }
}

/// Runs the visit over `input`, writing prompts and warnings to `err`.
///
/// `echo` writes each answer read after its prompt, so a transcript of piped
/// input reads like a conversation.
pub fn run<R: BufRead, W: Write>(
    session: &mut VisitSession<'_>,
    wording: &Wording,
    input: &mut R,
    err: &mut W,
    style: Style,
    echo: bool,
) -> io::Result<Outcome> {
    let lang = wording.lang;
    let mut introduced: Option<usize> = None;
    let mut helped = false;
    let mut buffer = Vec::new();
    loop {
        let question = match session.position() {
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
                style.bold(&render::instrument_intro(instrument, lang))
            )?;
            if let Some(instructions) = wording.instructions(instrument) {
                writeln!(err, "{instructions}")?;
            }
            if !helped {
                helped = true;
                writeln!(err, "{}", Msg::LineHelp.get(lang))?;
            }
        }
        writeln!(err)?;
        writeln!(
            err,
            "{}",
            style.bold(&render::question_title(
                wording,
                instrument,
                question.item_index
            ))
        )?;
        for line in render::option_lines(wording, instrument, question.item_index) {
            writeln!(err, "  {line}")?;
        }
        if let Some(answer) = question.answer {
            let text = format!(
                "{}. {}",
                answer + 1,
                wording.option(instrument, question.item_index, answer)
            );
            writeln!(
                err,
                "{}",
                Msg::CurrentAnswerKeep.fill(lang, &[("answer", &text)])
            )?;
        }
        let max = instrument.items[question.item_index].options.len();
        let prompt = Msg::LinePrompt.fill(lang, &[("max", &max.to_string())]);
        // Ask until the line is something the session accepts.
        loop {
            write!(err, "{prompt}")?;
            err.flush()?;
            buffer.clear();
            if input.read_until(b'\n', &mut buffer)? == 0 {
                writeln!(err)?;
                return Ok(Outcome::Abandoned);
            }
            let line = String::from_utf8_lossy(&buffer);
            if echo {
                writeln!(err, "{}", line.trim_end_matches(['\r', '\n']))?;
            }
            match parse(&line, max) {
                Line::Option(option) => {
                    let events = session
                        .answer(option)
                        .expect("the option was checked against the item");
                    show_events(session, wording, &events, err, style)?;
                    break;
                }
                Line::Skip => {
                    session.skip().expect("at a question");
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
                        Msg::InvalidAnswer
                            .fill(lang, &[("input", &text), ("max", &max.to_string())])
                    )?;
                }
            }
        }
    }
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
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;
    use stepcare::catalog::Catalog;
    use stepcare::lang::Lang;
    use stepcare::scoring::Answer;

    #[test]
    fn lines_are_parsed_strictly() {
        assert_eq!(parse("2\n", 4), Line::Option(1));
        assert_eq!(parse("  4 \r\n", 4), Line::Option(3));
        assert_eq!(parse("\n", 4), Line::Skip);
        assert_eq!(parse("b\n", 4), Line::Back);
        assert_eq!(parse("<", 4), Line::Back);
        assert_eq!(parse("0", 4), Line::Invalid("0".into()));
        assert_eq!(parse("5", 4), Line::Invalid("5".into()));
        assert_eq!(parse("2 3", 4), Line::Invalid("2 3".into()));
        assert_eq!(parse("-1", 4), Line::Invalid("-1".into()));
        assert_eq!(
            parse("99999999999999999999999", 4),
            Line::Invalid("99999999999999999999999".into())
        );
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
            )
            .unwrap();
            if outcome == Outcome::Finished {
                proptest::prop_assert!(session.is_finished());
                proptest::prop_assert!((0..10).all(|q| session.is_settled(q)));
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
