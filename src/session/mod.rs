//! The question flow of a visit: a pure state machine over one or more instruments.
//!
//! A [`VisitSession`] walks through every item of the chosen instruments in
//! printed order. The front end (a terminal, a line reader, a test) shows the
//! current [`Question`], and calls [`answer`](VisitSession::answer),
//! [`back`](VisitSession::back), [`skip`](VisitSession::skip),
//! [`clear`](VisitSession::clear) or, from the review step,
//! [`jump`](VisitSession::jump) and [`finish`](VisitSession::finish). The
//! session knows nothing about terminals or languages.
//!
//! Guarantees (each is a test in `tests.rs`, most of them property tests):
//! - No sequence of calls panics; a call that does not fit the current step
//!   returns a [`SessionError`] and changes nothing.
//! - Every stored answer is a valid option of its item.
//! - `back` never changes an answer, and answering after `back` replaces the
//!   earlier answer.
//! - Answering a flag item (EPDS item 10, PHQ-9 item 9) with an option that
//!   reaches the flag's threshold returns [`Event::FlagRaised`], every time;
//!   an answer that takes a raised flag away returns [`Event::FlagCleared`].
//!   No other call returns a flag event.
//! - After an answer the flow moves to the next question not yet settled
//!   (answered or skipped), so correcting an earlier answer returns to where
//!   the visit was, never re-asking settled questions; when every later
//!   question is settled it moves to the review step.
//! - The scores are always those of [`scoring::score`](crate::scoring::score)
//!   over the stored answers.

#[cfg(test)]
mod tests;

use crate::instrument::{Instrument, Item};
use crate::scoring::{self, Answer, InstrumentScore};

/// Where a visit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Asking the question at this index of the whole visit (0-based, over all instruments).
    Question(usize),
    /// Every question has been settled; answers can be checked and changed.
    Review,
    /// The visit is finished; nothing can change any more.
    Finished,
}

/// Something the front end must show at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An answer just reached a critical-item flag's threshold (for example
    /// an endorsed self-harm item).
    FlagRaised {
        /// Index of the instrument in the visit.
        instrument: usize,
        /// Index of the flag in the instrument.
        flag: usize,
    },
    /// A changed or cleared answer no longer reaches a flag that was raised.
    FlagCleared {
        /// Index of the instrument in the visit.
        instrument: usize,
        /// Index of the flag in the instrument.
        flag: usize,
    },
}

/// Why a call does not fit the session's current step. The session is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The visit has no instrument, or an instrument has no item.
    #[error("a visit needs at least one instrument with at least one item")]
    Empty,
    /// The option does not exist for the current item.
    #[error("option {given} does not exist: the item has options 1 to {options}")]
    NoSuchOption {
        /// The 0-based option index given.
        given: usize,
        /// How many options the item has.
        options: usize,
    },
    /// Answering, skipping or clearing needs a current question.
    #[error("there is no current question")]
    NotAtQuestion,
    /// `back` at the first question.
    #[error("already at the first question")]
    AtFirstQuestion,
    /// `jump` to a question index outside the visit.
    #[error("question {given} does not exist: the visit has {count}")]
    NoSuchQuestion {
        /// The 0-based question index given.
        given: usize,
        /// How many questions the visit has.
        count: usize,
    },
    /// `finish` is only possible from the review step.
    #[error("the visit can only be finished from the review step")]
    NotAtReview,
    /// The visit is finished.
    #[error("the visit is already finished")]
    Finished,
}

/// The current question, with everything a front end needs to show it.
#[derive(Debug, Clone, Copy)]
pub struct Question<'a> {
    /// Index of the question in the whole visit (0-based).
    pub index: usize,
    /// Number of questions in the whole visit.
    pub count: usize,
    /// Index of the instrument in the visit.
    pub instrument_index: usize,
    /// The instrument.
    pub instrument: &'a Instrument,
    /// Index of the item in its instrument.
    pub item_index: usize,
    /// The item.
    pub item: &'a Item,
    /// The option chosen so far (0-based), if any.
    pub answer: Option<usize>,
    /// Whether the question was reached from the review step (answering returns there).
    pub from_review: bool,
}

/// One visit's question flow over one or more instruments.
#[derive(Debug, Clone)]
pub struct VisitSession<'a> {
    instruments: Vec<&'a Instrument>,
    /// (instrument, item) of every question, in order.
    questions: Vec<(usize, usize)>,
    answers: Vec<Vec<Answer>>,
    /// Per question: answered or skipped at least once.
    settled: Vec<bool>,
    position: Position,
    return_to_review: bool,
}

impl<'a> VisitSession<'a> {
    /// A visit asking every item of `instruments`, in order, starting at the first.
    pub fn new(instruments: &[&'a Instrument]) -> Result<Self, SessionError> {
        if instruments.is_empty() || instruments.iter().any(|i| i.items.is_empty()) {
            return Err(SessionError::Empty);
        }
        let questions: Vec<(usize, usize)> = instruments
            .iter()
            .enumerate()
            .flat_map(|(i, instrument)| (0..instrument.items.len()).map(move |item| (i, item)))
            .collect();
        Ok(VisitSession {
            instruments: instruments.to_vec(),
            answers: instruments
                .iter()
                .map(|i| vec![Answer::Missing; i.items.len()])
                .collect(),
            settled: vec![false; questions.len()],
            questions,
            position: Position::Question(0),
            return_to_review: false,
        })
    }

    /// The instruments of the visit, in order.
    pub fn instruments(&self) -> &[&'a Instrument] {
        &self.instruments
    }

    /// Where the visit is.
    pub fn position(&self) -> Position {
        self.position
    }

    /// Whether the visit is finished.
    pub fn is_finished(&self) -> bool {
        self.position == Position::Finished
    }

    /// Number of questions in the whole visit.
    pub fn question_count(&self) -> usize {
        self.questions.len()
    }

    /// The current question, when the visit is at one.
    pub fn current(&self) -> Option<Question<'a>> {
        match self.position {
            Position::Question(index) => Some(self.question(index)),
            Position::Review | Position::Finished => None,
        }
    }

    /// The question at `index` of the whole visit (for a review list).
    ///
    /// # Panics
    /// If `index` is not below [`question_count`](Self::question_count).
    pub fn question(&self, index: usize) -> Question<'a> {
        let (instrument_index, item_index) = self.questions[index];
        let instrument = self.instruments[instrument_index];
        Question {
            index,
            count: self.questions.len(),
            instrument_index,
            instrument,
            item_index,
            item: &instrument.items[item_index],
            answer: chosen(self.answers[instrument_index][item_index]),
            from_review: self.return_to_review && self.position == Position::Question(index),
        }
    }

    /// Whether the question at `index` has been answered or skipped.
    pub fn is_settled(&self, index: usize) -> bool {
        self.settled.get(index).copied().unwrap_or(false)
    }

    /// Indices of the questions with no answer, in order.
    pub fn unanswered(&self) -> Vec<usize> {
        (0..self.questions.len())
            .filter(|&index| {
                let (i, item) = self.questions[index];
                self.answers[i][item] == Answer::Missing
            })
            .collect()
    }

    /// The answers per instrument, one per item (missing or a chosen option).
    pub fn answers(&self) -> &[Vec<Answer>] {
        &self.answers
    }

    /// The scores of every instrument over the answers so far.
    pub fn scores(&self) -> Vec<InstrumentScore> {
        self.instruments
            .iter()
            .zip(&self.answers)
            .map(|(instrument, answers)| scoring::score(instrument, answers))
            .collect()
    }

    /// Every flag raised by the answers so far: (instrument index, flag index).
    pub fn raised_flags(&self) -> Vec<(usize, usize)> {
        self.instruments
            .iter()
            .enumerate()
            .flat_map(|(i, instrument)| {
                (0..instrument.flags.len())
                    .filter(move |&f| self.flag_met(i, f))
                    .map(move |f| (i, f))
            })
            .collect()
    }

    /// Answers the current question with the option at this 0-based printed
    /// position, then moves on.
    ///
    /// Returns [`Event::FlagRaised`] for each flag this answer reaches, and
    /// [`Event::FlagCleared`] for each raised flag it takes away.
    pub fn answer(&mut self, option: usize) -> Result<Vec<Event>, SessionError> {
        let index = self.question_index()?;
        let (i, item) = self.questions[index];
        let options = self.instruments[i].items[item].options.len();
        // Options are u8 in scoring; an item with more than 256 options cannot
        // be loaded, but never index past what `Answer` can hold.
        let Some(stored) = u8::try_from(option).ok().filter(|_| option < options) else {
            return Err(SessionError::NoSuchOption {
                given: option,
                options,
            });
        };
        let events = self.set(index, Answer::Chosen(stored));
        self.advance(index);
        Ok(events)
    }

    /// Moves on from the current question without changing it: an unanswered
    /// question stays unanswered, an answered one keeps its answer.
    pub fn skip(&mut self) -> Result<(), SessionError> {
        let index = self.question_index()?;
        self.settled[index] = true;
        self.advance(index);
        Ok(())
    }

    /// Removes the current question's answer (it is then unanswered), then moves on.
    pub fn clear(&mut self) -> Result<Vec<Event>, SessionError> {
        let index = self.question_index()?;
        let events = self.set(index, Answer::Missing);
        self.advance(index);
        Ok(events)
    }

    /// Goes back one question without changing any answer.
    ///
    /// From a question reached from the review step, back returns to the
    /// review; from the review it goes to the last question.
    pub fn back(&mut self) -> Result<(), SessionError> {
        match self.position {
            Position::Finished => Err(SessionError::Finished),
            Position::Review => {
                self.position = Position::Question(self.questions.len() - 1);
                Ok(())
            }
            Position::Question(_) if self.return_to_review => {
                self.return_to_review = false;
                self.position = Position::Review;
                Ok(())
            }
            Position::Question(0) => Err(SessionError::AtFirstQuestion),
            Position::Question(index) => {
                self.position = Position::Question(index - 1);
                Ok(())
            }
        }
    }

    /// Goes to the question at `index` of the whole visit. From the review
    /// step, answering (or skipping, or going back) then returns to the review.
    pub fn jump(&mut self, index: usize) -> Result<(), SessionError> {
        if self.position == Position::Finished {
            return Err(SessionError::Finished);
        }
        if index >= self.questions.len() {
            return Err(SessionError::NoSuchQuestion {
                given: index,
                count: self.questions.len(),
            });
        }
        if self.position == Position::Review {
            self.return_to_review = true;
        }
        self.position = Position::Question(index);
        Ok(())
    }

    /// Finishes the visit from the review step; after this nothing changes.
    pub fn finish(&mut self) -> Result<(), SessionError> {
        match self.position {
            Position::Review => {
                self.position = Position::Finished;
                Ok(())
            }
            Position::Finished => Err(SessionError::Finished),
            Position::Question(_) => Err(SessionError::NotAtReview),
        }
    }

    fn question_index(&self) -> Result<usize, SessionError> {
        match self.position {
            Position::Question(index) => Ok(index),
            Position::Review => Err(SessionError::NotAtQuestion),
            Position::Finished => Err(SessionError::Finished),
        }
    }

    /// Stores an answer and reports the flag events of the change.
    fn set(&mut self, index: usize, answer: Answer) -> Vec<Event> {
        let (i, item) = self.questions[index];
        let flags: Vec<usize> = (0..self.instruments[i].flags.len())
            .filter(|&f| self.instruments[i].flags[f].item == item)
            .collect();
        let before: Vec<bool> = flags.iter().map(|&f| self.flag_met(i, f)).collect();
        self.answers[i][item] = answer;
        self.settled[index] = true;
        let mut events = Vec::new();
        for (&flag, was) in flags.iter().zip(before) {
            let now = self.flag_met(i, flag);
            if now {
                events.push(Event::FlagRaised {
                    instrument: i,
                    flag,
                });
            } else if was {
                events.push(Event::FlagCleared {
                    instrument: i,
                    flag,
                });
            }
        }
        events
    }

    fn flag_met(&self, instrument: usize, flag: usize) -> bool {
        let definition = &self.instruments[instrument].flags[flag];
        match self.answers[instrument][definition.item] {
            Answer::Chosen(option) => {
                self.instruments[instrument].items[definition.item].options[usize::from(option)]
                    .points
                    >= definition.at_least
            }
            Answer::Missing | Answer::Invalid => false,
        }
    }

    /// After settling `from`: back to the review if the question came from
    /// there, else the next question not yet settled, else the review.
    fn advance(&mut self, from: usize) {
        if std::mem::take(&mut self.return_to_review) {
            self.position = Position::Review;
            return;
        }
        self.position = (from + 1..self.questions.len())
            .find(|&index| !self.settled[index])
            .map_or(Position::Review, Position::Question);
    }
}

fn chosen(answer: Answer) -> Option<usize> {
    match answer {
        Answer::Chosen(option) => Some(usize::from(option)),
        Answer::Missing | Answer::Invalid => None,
    }
}
