//! The question flow of a visit: a pure state machine over one or more instruments.
//!
//! A [`VisitSession`] walks through the items of the chosen instruments in
//! printed order. The front end (a terminal, a line reader, a test) shows the
//! current [`Question`], and calls [`answer`](VisitSession::answer) (or
//! [`answer_with`](VisitSession::answer_with) to tick an item's concern box),
//! [`back`](VisitSession::back), [`skip`](VisitSession::skip),
//! [`clear`](VisitSession::clear) or, from the review step,
//! [`jump`](VisitSession::jump), [`jump_to_age`](VisitSession::jump_to_age)
//! and [`finish`](VisitSession::finish). The session knows nothing about
//! terminals or languages.
//!
//! **Age-banded instruments** (child questionnaires with one form per age
//! interval) need the child's age before their items: the visit then has an
//! **age step** ([`Position::Age`]) just before the first age-banded
//! instrument's items. [`set_age`](VisitSession::set_age) takes the birth
//! date, the screening date and the gestational age at birth, resolves the
//! (corrected) age with the definition's rule and chooses each age-banded
//! instrument's interval; only that interval's items are then asked, numbered
//! as on its form. Back from the first of those items returns to the age
//! step. An age that resolves to no interval (or a screening before the birth)
//! is refused and changes nothing. Entering an age that chooses another
//! interval than before is another paper form: that instrument's answers and
//! concern marks are dropped (reported as [`Event::AnswersDropped`]) and its
//! items are asked again.
//!
//! **Critical items** (an item that can raise an urgent flag, such as EPDS
//! item 10) are marked in [`Question::critical`]; an urgent flag whose item
//! was asked and left unanswered is listed by
//! [`unknown_flags`](VisitSession::unknown_flags): unknown, never absent.
//!
//! Guarantees (each is a test in `tests.rs`, most of them property tests):
//! - No sequence of calls panics; a call that does not fit the current step
//!   returns an error and changes nothing.
//! - Every stored answer is a valid option of its item, and of an age-banded
//!   instrument only items of its interval hold answers or concern marks.
//! - `back` never changes an answer, and answering after `back` replaces the
//!   earlier answer.
//! - Answering a flag item (EPDS item 10, PHQ-9 item 9) with an option that
//!   reaches the flag's threshold returns [`Event::FlagRaised`], every time;
//!   an answer that takes a raised flag away returns [`Event::FlagCleared`],
//!   and so does an age that drops a raised flag's answer. No other call
//!   returns a flag event.
//! - After an answer the flow moves to the next step not yet settled
//!   (answered or skipped; the age step once entered), so correcting an
//!   earlier answer returns to where the visit was, never re-asking settled
//!   questions; when every later step is settled it moves to the review
//!   step. The review is never reached before the age is entered.
//! - The scores are always those of
//!   [`scoring::score_with`](crate::scoring::score_with) over the stored
//!   answers, concern marks, interval and age.

#[cfg(test)]
mod tests;

use crate::instrument::age::{AgeError, AgeFacts, AgeInput, ChildAge, Date, Gestation};
use crate::instrument::{Instrument, Item, OutsideIntervals};
use crate::scoring::{self, Answer, Context, InstrumentScore};

/// Where a visit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Asking the child's birth date, screening date and gestational age,
    /// which choose the interval of every age-banded instrument.
    Age,
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
    /// An age that chose another form dropped the answers given on the
    /// earlier one (they came from another paper form).
    AnswersDropped {
        /// Index of the instrument in the visit.
        instrument: usize,
        /// How many answers were dropped.
        count: usize,
    },
}

/// Why a call does not fit the session's current step. The session is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The visit has no instrument, or an instrument (or an interval) has no item.
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
    /// A concern mark for an item without a concern box.
    #[error("this item has no concern box")]
    NoConcernBox,
    /// Answering, skipping or clearing needs a current question.
    #[error("there is no current question")]
    NotAtQuestion,
    /// Entering the age needs the age step.
    #[error("the visit is not at the age step")]
    NotAtAge,
    /// `jump_to_age` in a visit without an age-banded instrument.
    #[error("this visit has no age step")]
    NoAgeStep,
    /// `back` at the first step.
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

/// Why [`VisitSession::set_age`] refused an age. The session is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgeStepError {
    /// The call does not fit the current step.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// No age: the screening is before the birth, or (corrected for
    /// prematurity) before the child reached term.
    #[error("{instrument_id}: {error}")]
    Age {
        /// Index of the instrument in the visit.
        instrument: usize,
        /// Its id, for messages.
        instrument_id: String,
        /// Why.
        error: AgeError,
    },
    /// The age is in no interval's window.
    #[error("{instrument_id}: {outside}")]
    Outside {
        /// Index of the instrument in the visit.
        instrument: usize,
        /// Its id, for messages.
        instrument_id: String,
        /// The age and the nearest intervals.
        outside: OutsideIntervals,
    },
}

/// What the age step records about the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildDates {
    /// The birth date.
    pub birth: Date,
    /// The screening date (the day the form was filled in).
    pub screening: Date,
    /// The gestational age at birth; `None` when born at term or not known
    /// (then the age is never corrected).
    pub gestation: Option<Gestation>,
}

impl ChildDates {
    /// The same facts in the form the age rules read.
    pub fn facts(&self) -> AgeFacts {
        AgeFacts {
            when: AgeInput::Dates {
                birth: self.birth,
                screening: self.screening,
            },
            gestation: self.gestation,
        }
    }
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
    /// The question's place on its form (0-based): the item index, or for an
    /// age-banded instrument its place among the interval's items.
    pub number: usize,
    /// How many questions its form has: the instrument's items, or the interval's.
    pub of: usize,
    /// The option chosen so far (0-based), if any.
    pub answer: Option<usize>,
    /// Whether the item has a concern box.
    pub concern_box: bool,
    /// Whether its concern box is ticked.
    pub concern: bool,
    /// Whether the question was reached from the review step (answering returns there).
    pub from_review: bool,
    /// Whether the item can raise an urgent flag (a critical item, such as
    /// EPDS item 10): front ends let it be left unanswered only deliberately.
    pub critical: bool,
}

/// One visit's question flow over one or more instruments.
#[derive(Debug, Clone)]
pub struct VisitSession<'a> {
    instruments: Vec<&'a Instrument>,
    /// (instrument, item) of every question now known, in order. An
    /// age-banded instrument has questions only once its interval is chosen.
    questions: Vec<(usize, usize)>,
    answers: Vec<Vec<Answer>>,
    concerns: Vec<Vec<bool>>,
    /// Per instrument and item: answered or skipped at least once.
    settled: Vec<Vec<bool>>,
    /// The index in `questions` before which the age step sits (the number of
    /// questions of the instruments before the first age-banded one), if any.
    age_step: Option<usize>,
    child: Option<ChildDates>,
    /// Per instrument, the chosen interval (age-banded instruments only).
    intervals: Vec<Option<usize>>,
    /// Per instrument, the child's age (age-banded instruments only).
    ages: Vec<Option<ChildAge>>,
    position: Position,
    return_to_review: bool,
}

impl<'a> VisitSession<'a> {
    /// A visit asking the items of `instruments`, in order, starting at the
    /// first (or at the age step, when the first instrument is age-banded).
    pub fn new(instruments: &[&'a Instrument]) -> Result<Self, SessionError> {
        let empty_interval = |i: &Instrument| {
            i.age_banding.as_ref().is_some_and(|b| {
                b.intervals.is_empty() || b.intervals.iter().any(|i| i.items.is_empty())
            })
        };
        if instruments.is_empty()
            || instruments
                .iter()
                .any(|i| i.items.is_empty() || empty_interval(i))
        {
            return Err(SessionError::Empty);
        }
        let first_banded = instruments.iter().position(|i| i.age_banding.is_some());
        let age_step = first_banded.map(|first| {
            instruments[..first]
                .iter()
                .map(|i| i.items.len())
                .sum::<usize>()
        });
        let mut session = VisitSession {
            instruments: instruments.to_vec(),
            questions: Vec::new(),
            answers: instruments
                .iter()
                .map(|i| vec![Answer::Missing; i.items.len()])
                .collect(),
            concerns: instruments
                .iter()
                .map(|i| vec![false; i.items.len()])
                .collect(),
            settled: instruments
                .iter()
                .map(|i| vec![false; i.items.len()])
                .collect(),
            age_step,
            child: None,
            intervals: vec![None; instruments.len()],
            ages: vec![None; instruments.len()],
            position: Position::Question(0),
            return_to_review: false,
        };
        session.rebuild_questions();
        session.position = session.at_rank(0);
        Ok(session)
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

    /// Whether the visit has an age step (some instrument is age-banded).
    pub fn has_age_step(&self) -> bool {
        self.age_step.is_some()
    }

    /// The age step's place: the number of questions asked before it.
    pub fn age_step_index(&self) -> Option<usize> {
        self.age_step
    }

    /// What the age step recorded, once it has been entered.
    pub fn child(&self) -> Option<ChildDates> {
        self.child
    }

    /// The interval chosen for the instrument at this index of the visit
    /// (an index into its intervals), once the age is entered.
    pub fn interval(&self, instrument: usize) -> Option<usize> {
        self.intervals.get(instrument).copied().flatten()
    }

    /// The child's age as the instrument at this index counts it (with its
    /// own correction rule), once the age is entered.
    pub fn child_age(&self, instrument: usize) -> Option<ChildAge> {
        self.ages.get(instrument).copied().flatten()
    }

    /// Number of questions in the whole visit. The items of an age-banded
    /// instrument count only once its interval is chosen, and then only the
    /// interval's items.
    pub fn question_count(&self) -> usize {
        self.questions.len()
    }

    /// The current question, when the visit is at one.
    pub fn current(&self) -> Option<Question<'a>> {
        match self.position {
            Position::Question(index) => Some(self.question(index)),
            Position::Age | Position::Review | Position::Finished => None,
        }
    }

    /// The question at `index` of the whole visit (for a review list).
    ///
    /// # Panics
    /// If `index` is not below [`question_count`](Self::question_count).
    pub fn question(&self, index: usize) -> Question<'a> {
        let (instrument_index, item_index) = self.questions[index];
        let instrument = self.instruments[instrument_index];
        let (number, of) = self.place_on_form(instrument_index, item_index);
        Question {
            index,
            count: self.questions.len(),
            instrument_index,
            instrument,
            item_index,
            item: &instrument.items[item_index],
            number,
            of,
            answer: chosen(self.answers[instrument_index][item_index]),
            concern_box: instrument.concerns[item_index].is_some(),
            concern: self.concerns[instrument_index][item_index],
            from_review: self.return_to_review && self.position == Position::Question(index),
            critical: instrument
                .flags
                .iter()
                .any(|f| f.urgent && f.item == item_index),
        }
    }

    /// An item's place on its form (0-based) and the form's number of
    /// questions: the item index and the item count, or for an age-banded
    /// instrument the place among its interval's items (the item index when
    /// the interval does not ask it or none is chosen).
    pub fn place_on_form(&self, instrument: usize, item: usize) -> (usize, usize) {
        let definition = self.instruments[instrument];
        let form = definition
            .age_banding
            .as_ref()
            .zip(self.interval(instrument))
            .and_then(|(banding, i)| banding.intervals.get(i))
            .map(|interval| &interval.items[..]);
        match form {
            Some(items) => items
                .iter()
                .position(|&i| i == item)
                .map_or((item, definition.items.len()), |place| (place, items.len())),
            None => (item, definition.items.len()),
        }
    }

    /// Whether the question at `index` has been answered or skipped.
    pub fn is_settled(&self, index: usize) -> bool {
        self.questions
            .get(index)
            .is_some_and(|&(i, item)| self.settled[i][item])
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

    /// The concern marks per instrument, one per item (ticked or not).
    pub fn concerns(&self) -> &[Vec<bool>] {
        &self.concerns
    }

    /// The scores of every instrument over the answers so far, with the
    /// concern marks and, for an age-banded instrument, its interval and the
    /// child's age (no score before the age is entered).
    pub fn scores(&self) -> Vec<InstrumentScore> {
        (0..self.instruments.len())
            .map(|i| {
                scoring::score_with(
                    self.instruments[i],
                    &self.answers[i],
                    Context {
                        concerns: &self.concerns[i],
                        interval: self.intervals[i],
                        age: self.ages[i],
                    },
                )
            })
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

    /// Every urgent flag whose item was asked but has no answer:
    /// (instrument index, flag index). Such a flag is unknown, not absent:
    /// the item must still be asked.
    pub fn unknown_flags(&self) -> Vec<(usize, usize)> {
        self.instruments
            .iter()
            .enumerate()
            .flat_map(|(i, instrument)| {
                instrument
                    .flags
                    .iter()
                    .enumerate()
                    .filter(move |(_, flag)| {
                        flag.urgent
                            && self.questions.contains(&(i, flag.item))
                            && self.settled[i][flag.item]
                            && chosen(self.answers[i][flag.item]).is_none()
                    })
                    .map(move |(f, _)| (i, f))
            })
            .collect()
    }

    /// Answers the current question with the option at this 0-based printed
    /// position (its concern box, if any, not ticked), then moves on.
    ///
    /// Returns [`Event::FlagRaised`] for each flag this answer reaches, and
    /// [`Event::FlagCleared`] for each raised flag it takes away.
    pub fn answer(&mut self, option: usize) -> Result<Vec<Event>, SessionError> {
        self.answer_with(option, false)
    }

    /// Answers the current question with the option at this 0-based printed
    /// position and sets its concern box (ticked or not), then moves on. An
    /// item without a concern box refuses a ticked one.
    pub fn answer_with(
        &mut self,
        option: usize,
        concern: bool,
    ) -> Result<Vec<Event>, SessionError> {
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
        if concern && self.instruments[i].concerns[item].is_none() {
            return Err(SessionError::NoConcernBox);
        }
        let events = self.set(index, Answer::Chosen(stored));
        self.concerns[i][item] = concern;
        self.advance(Position::Question(index));
        Ok(events)
    }

    /// Moves on from the current question without changing it: an unanswered
    /// question stays unanswered, an answered one keeps its answer.
    pub fn skip(&mut self) -> Result<(), SessionError> {
        let index = self.question_index()?;
        let (i, item) = self.questions[index];
        self.settled[i][item] = true;
        self.advance(Position::Question(index));
        Ok(())
    }

    /// Removes the current question's answer and concern mark (it is then
    /// unanswered), then moves on.
    pub fn clear(&mut self) -> Result<Vec<Event>, SessionError> {
        let index = self.question_index()?;
        let (i, item) = self.questions[index];
        let events = self.set(index, Answer::Missing);
        self.concerns[i][item] = false;
        self.advance(Position::Question(index));
        Ok(events)
    }

    /// Enters the child's age at the age step, then moves on to the first
    /// question of the chosen interval (or, when nothing changed and the age
    /// step was opened from the review, back to the review).
    ///
    /// Each age-banded instrument resolves the age with its own correction
    /// rule and chooses its interval; if any cannot (a screening before the
    /// birth or before term, an age in no window), the age is refused and
    /// nothing changes. An instrument whose interval changes loses its
    /// answers and concern marks (another form is asked); a raised flag they
    /// held is reported as [`Event::FlagCleared`], and the dropped answers as
    /// [`Event::AnswersDropped`].
    pub fn set_age(&mut self, child: ChildDates) -> Result<Vec<Event>, AgeStepError> {
        match self.position {
            Position::Age => {}
            Position::Finished => return Err(SessionError::Finished.into()),
            Position::Question(_) | Position::Review => return Err(SessionError::NotAtAge.into()),
        }
        let chosen = self.resolve(&child)?;
        let mut events = Vec::new();
        let mut changed = false;
        for (i, found) in chosen.into_iter().enumerate() {
            let Some((interval, age)) = found else {
                continue;
            };
            if self.intervals[i] != Some(interval) {
                changed |= self.intervals[i].is_some();
                let count = self.answers[i]
                    .iter()
                    .filter(|a| **a != Answer::Missing)
                    .count();
                if count > 0 {
                    events.push(Event::AnswersDropped {
                        instrument: i,
                        count,
                    });
                }
                for flag in 0..self.instruments[i].flags.len() {
                    if self.flag_met(i, flag) {
                        events.push(Event::FlagCleared {
                            instrument: i,
                            flag,
                        });
                    }
                }
                self.answers[i].fill(Answer::Missing);
                self.concerns[i].fill(false);
                self.settled[i].fill(false);
                self.intervals[i] = Some(interval);
            }
            self.ages[i] = Some(age);
        }
        self.child = Some(child);
        self.rebuild_questions();
        if changed {
            // Another form: ask it, whatever step the age was opened from.
            self.return_to_review = false;
        }
        self.advance(Position::Age);
        Ok(events)
    }

    /// The interval and age each age-banded instrument would get from
    /// `child` (`None` for the other instruments), without changing anything.
    pub fn resolve(
        &self,
        child: &ChildDates,
    ) -> Result<Vec<Option<(usize, ChildAge)>>, AgeStepError> {
        let facts = child.facts();
        let mut chosen = Vec::with_capacity(self.instruments.len());
        for (i, instrument) in self.instruments.iter().enumerate() {
            let Some(banding) = &instrument.age_banding else {
                chosen.push(None);
                continue;
            };
            let age = facts
                .resolve(banding.correction.as_ref())
                .map_err(|error| AgeStepError::Age {
                    instrument: i,
                    instrument_id: instrument.id.clone(),
                    error,
                })?;
            let interval = banding
                .interval_for(&age)
                .map_err(|outside| AgeStepError::Outside {
                    instrument: i,
                    instrument_id: instrument.id.clone(),
                    outside,
                })?;
            chosen.push(Some((interval, age)));
        }
        Ok(chosen)
    }

    /// Goes back one step without changing any answer: from the first item
    /// of an age-banded instrument to the age step, and from the age step to
    /// the question before it.
    ///
    /// From a step reached from the review step, back returns to the
    /// review; from the review it goes to the last step.
    pub fn back(&mut self) -> Result<(), SessionError> {
        match self.position {
            Position::Finished => Err(SessionError::Finished),
            Position::Review => {
                self.position = self.at_rank(self.step_count() - 1);
                Ok(())
            }
            Position::Question(_) | Position::Age if self.return_to_review => {
                self.return_to_review = false;
                self.position = Position::Review;
                Ok(())
            }
            position => match self.rank(position) {
                0 => Err(SessionError::AtFirstQuestion),
                rank => {
                    self.position = self.at_rank(rank - 1);
                    Ok(())
                }
            },
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

    /// Goes to the age step. From the review step, entering the same form's
    /// age (or going back) then returns to the review.
    pub fn jump_to_age(&mut self) -> Result<(), SessionError> {
        if self.position == Position::Finished {
            return Err(SessionError::Finished);
        }
        if self.age_step.is_none() {
            return Err(SessionError::NoAgeStep);
        }
        if self.position == Position::Review {
            self.return_to_review = true;
        }
        self.position = Position::Age;
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
            Position::Question(_) | Position::Age => Err(SessionError::NotAtReview),
        }
    }

    fn question_index(&self) -> Result<usize, SessionError> {
        match self.position {
            Position::Question(index) => Ok(index),
            Position::Age | Position::Review => Err(SessionError::NotAtQuestion),
            Position::Finished => Err(SessionError::Finished),
        }
    }

    /// The questions now known: every item of an ordinary instrument, the
    /// interval's items of an age-banded one (none before its interval is chosen).
    fn rebuild_questions(&mut self) {
        self.questions.clear();
        for (i, instrument) in self.instruments.iter().enumerate() {
            match &instrument.age_banding {
                None => self
                    .questions
                    .extend((0..instrument.items.len()).map(|item| (i, item))),
                Some(banding) => {
                    if let Some(interval) = self.intervals[i].and_then(|x| banding.intervals.get(x))
                    {
                        self.questions
                            .extend(interval.items.iter().map(|&item| (i, item)));
                    }
                }
            }
        }
    }

    /// The number of steps: the questions and the age step.
    fn step_count(&self) -> usize {
        self.questions.len() + usize::from(self.age_step.is_some())
    }

    /// A step's place in the flow (the age step before the questions from its index on).
    fn rank(&self, position: Position) -> usize {
        match (position, self.age_step) {
            (Position::Age, Some(at)) => at,
            (Position::Question(index), Some(at)) if index >= at => index + 1,
            (Position::Question(index), _) => index,
            (Position::Review | Position::Finished, _) => self.step_count(),
            (Position::Age, None) => 0,
        }
    }

    /// The step at this place in the flow.
    fn at_rank(&self, rank: usize) -> Position {
        match self.age_step {
            Some(at) if rank == at => Position::Age,
            Some(at) if rank > at => Position::Question(rank - 1),
            _ => Position::Question(rank),
        }
    }

    fn step_settled(&self, position: Position) -> bool {
        match position {
            Position::Age => self.child.is_some(),
            Position::Question(index) => self.is_settled(index),
            Position::Review | Position::Finished => true,
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
        self.settled[i][item] = true;
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

    /// After settling the step at `from`: back to the review if it came from
    /// there, else the next step not yet settled, else the age step if it is
    /// still open, else the review.
    fn advance(&mut self, from: Position) {
        if std::mem::take(&mut self.return_to_review) {
            self.position = Position::Review;
            return;
        }
        let next = (self.rank(from) + 1..self.step_count())
            .map(|rank| self.at_rank(rank))
            .find(|&step| !self.step_settled(step));
        self.position = match next {
            Some(step) => step,
            None if self.age_step.is_some() && self.child.is_none() => Position::Age,
            None => Position::Review,
        };
    }
}

fn chosen(answer: Answer) -> Option<usize> {
    match answer {
        Answer::Chosen(option) => Some(usize::from(option)),
        Answer::Missing | Answer::Invalid => None,
    }
}
