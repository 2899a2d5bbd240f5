//! The terminal front end (inquire), used when standard input and standard error are terminals.
//!
//! Each question is a list of its options in printed order with their
//! numbers; an option is chosen with the arrow keys or by typing its number
//! (as printed on the paper form) and Enter. Esc goes back. After the last
//! question a review list lets any answer be changed before finishing. An
//! endorsed flag item shows its warning at once, and the visit waits until
//! the warning is acknowledged. Ctrl-C abandons the visit.

use std::fmt;

use inquire::ui::{RenderConfig, Styled};
use inquire::{InquireError, Select};
use stepcare::session::{Event, Position, SessionError, VisitSession};

use super::line::{Outcome, show_events};
use super::messages::Msg;
use super::render::{self, Style, Wording};

/// One entry of a question's list.
enum Choice {
    /// An answer option: its 1-based printed number and text.
    Option { number: usize, text: String },
    /// Leave the question unanswered (clears an earlier answer).
    NoAnswer(String),
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Choice::Option { number, text } => write!(f, "{number}. {text}"),
            Choice::NoAnswer(text) => f.write_str(text),
        }
    }
}

/// One entry of the review list.
enum ReviewChoice {
    Finish(String),
    Question {
        index: usize,
        number: usize,
        text: String,
    },
}

impl fmt::Display for ReviewChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewChoice::Finish(text) => f.write_str(text),
            ReviewChoice::Question { text, .. } => f.write_str(text),
        }
    }
}

/// Typing digits keeps only the option with that number; other text filters by wording.
fn matches_typed(input: &str, number: usize, text: &str) -> bool {
    let input = input.trim();
    if input.is_empty() {
        true
    } else if input.chars().all(|c| c.is_ascii_digit()) {
        input.parse::<usize>().is_ok_and(|n| n == number)
    } else {
        text.to_lowercase().contains(&input.to_lowercase())
    }
}

/// Options stay in printed order whatever is typed.
fn printed_order(options: &mut [(usize, i64)]) {
    options.sort_by_key(|(index, _)| *index);
}

fn question_scorer(input: &str, choice: &Choice, _shown: &str, _index: usize) -> Option<i64> {
    let keep = match choice {
        Choice::Option { number, text } => matches_typed(input, *number, text),
        Choice::NoAnswer(_) => input.trim().is_empty(),
    };
    keep.then_some(0)
}

fn review_scorer(input: &str, choice: &ReviewChoice, shown: &str, _index: usize) -> Option<i64> {
    let keep = match choice {
        ReviewChoice::Finish(_) => input.trim().is_empty(),
        ReviewChoice::Question { number, .. } => matches_typed(input, *number, shown),
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

/// Runs the visit on the terminal.
pub fn run(
    session: &mut VisitSession<'_>,
    wording: &Wording,
    warn: Style,
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
            Position::Review => {
                match review(session, wording) {
                    Ok(Some(ReviewChoice::Finish(_))) => {
                        session.finish()?;
                        return Ok(Outcome::Finished);
                    }
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
            eprintln!("{}", warn.bold(&render::instrument_intro(instrument, lang)));
            if let Some(instructions) = wording.instructions(instrument) {
                eprintln!("{instructions}");
            }
        }
        let mut choices: Vec<Choice> = (0..instrument.items[item].options.len())
            .map(|option| Choice::Option {
                number: option + 1,
                text: wording.option(instrument, item, option),
            })
            .collect();
        choices.push(Choice::NoAnswer(Msg::NoAnswerOption.get(lang).to_owned()));
        let count = choices.len();
        let title = render::question_title(wording, instrument, item);
        let help = Msg::TerminalHelp.get(lang);
        let chosen = Select::new(&title, choices)
            .with_help_message(help)
            .with_page_size(count)
            .with_starting_cursor(question.answer.unwrap_or(0))
            .with_scorer(&question_scorer)
            .with_sorter(&printed_order)
            .prompt_skippable();
        match chosen {
            Ok(Some(Choice::Option { number, .. })) => {
                let events = session.answer(number - 1)?;
                show_events(session, wording, &events, &mut stderr, warn)?;
                if events.iter().any(|e| matches!(e, Event::FlagRaised { .. }))
                    && !acknowledge(lang)?
                {
                    return Ok(Outcome::Abandoned);
                }
            }
            Ok(Some(Choice::NoAnswer(_))) => {
                if question.answer.is_some() {
                    let events = session.clear()?;
                    show_events(session, wording, &events, &mut stderr, warn)?;
                } else {
                    session.skip()?;
                }
            }
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

/// Waits until the warning is acknowledged; `false` when the visit is abandoned instead.
fn acknowledge(lang: stepcare::lang::Lang) -> anyhow::Result<bool> {
    let answer = Select::new(
        Msg::AcknowledgeQuestion.get(lang),
        vec![Msg::AcknowledgeOption.get(lang)],
    )
    .without_help_message()
    .without_filtering()
    .prompt_skippable();
    match answer {
        Ok(_) => Ok(true),
        Err(err) if is_abandon(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// The review list: finish, or pick a question to change.
fn review(
    session: &VisitSession<'_>,
    wording: &Wording,
) -> Result<Option<ReviewChoice>, InquireError> {
    let lang = wording.lang;
    let raised = session.raised_flags();
    let several = session.instruments().len() > 1;
    let mut choices = vec![ReviewChoice::Finish(Msg::ReviewFinish.get(lang).to_owned())];
    for index in 0..session.question_count() {
        let question = session.question(index);
        let instrument = question.instrument;
        let answer = match question.answer {
            Some(option) => format!(
                "{}. {}",
                option + 1,
                wording.option(instrument, question.item_index, option)
            ),
            None => format!("({})", Msg::NotAnswered.get(lang)),
        };
        let flagged = raised.iter().any(|&(i, f)| {
            i == question.instrument_index && instrument.flags[f].item == question.item_index
        });
        let prefix = if several {
            format!("{} ", render::short_name(instrument))
        } else {
            String::new()
        };
        choices.push(ReviewChoice::Question {
            index,
            number: question.item_index + 1,
            text: format!(
                "{}{}{}: {answer}",
                if flagged { "!!! " } else { "" },
                prefix,
                render::question_title(wording, instrument, question.item_index),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_a_number_keeps_only_that_option() {
        assert!(matches_typed("", 3, "Often"));
        assert!(matches_typed("3", 3, "Often"));
        assert!(matches_typed(" 3 ", 3, "Often"));
        assert!(!matches_typed("3", 2, "Seldom 3 times"));
        assert!(!matches_typed("33", 3, "Often"));
        assert!(matches_typed("oft", 3, "Often"));
        assert!(!matches_typed("never", 3, "Often"));
    }

    #[test]
    fn the_no_answer_entry_disappears_while_typing() {
        let entry = Choice::NoAnswer("(no answer)".into());
        assert_eq!(question_scorer("", &entry, "", 4), Some(0));
        assert_eq!(question_scorer("2", &entry, "", 4), None);
    }

    #[test]
    fn options_stay_in_printed_order() {
        let mut scored = vec![(3, 0), (0, 5), (2, 9), (1, 0)];
        printed_order(&mut scored);
        assert_eq!(scored, vec![(0, 5), (1, 0), (2, 9), (3, 0)]);
    }
}
