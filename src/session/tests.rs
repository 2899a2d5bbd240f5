use proptest::prelude::*;

use super::*;
use crate::catalog::Catalog;
use crate::instrument::Instrument;

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

fn epds() -> &'static Instrument {
    catalog().get("epds").expect("epds ships")
}

fn phq9() -> &'static Instrument {
    catalog().get("phq9").expect("phq9 ships")
}

/// The printed position of the option scoring `points` on EPDS item `item`.
fn epds_option(item: usize, points: i32) -> usize {
    epds().items[item]
        .options
        .iter()
        .position(|o| o.points == points)
        .expect("points exist")
}

fn self_harm() -> Event {
    Event::FlagRaised {
        instrument: 0,
        flag: 0,
    }
}

#[test]
fn a_complete_visit_reaches_review_then_finishes() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    assert_eq!(session.question_count(), 10);
    for item in 0..10 {
        let question = session.current().unwrap();
        assert_eq!(question.index, item);
        assert_eq!(question.item_index, item);
        assert_eq!(question.answer, None);
        session.answer(epds_option(item, 1)).unwrap();
    }
    assert_eq!(session.position(), Position::Review);
    assert!(session.unanswered().is_empty());
    session.finish().unwrap();
    assert!(session.is_finished());
    let scores = session.scores();
    assert_eq!(scores[0].scales[0].score, Some(10.0));
    assert_eq!(
        scores[0].flags,
        vec![0],
        "item 10 at 1 point raises the flag"
    );
}

#[test]
fn an_empty_visit_is_refused() {
    assert_eq!(VisitSession::new(&[]).unwrap_err(), SessionError::Empty);
}

#[test]
fn back_then_answer_replaces_and_returns_to_where_the_visit_was() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    for _ in 0..5 {
        session.answer(0).unwrap();
    }
    assert_eq!(session.position(), Position::Question(5));
    session.back().unwrap();
    session.back().unwrap();
    let question = session.current().unwrap();
    assert_eq!(question.index, 3);
    assert_eq!(question.answer, Some(0), "back keeps the answer");
    session.answer(2).unwrap();
    assert_eq!(session.answers()[0][3], Answer::Chosen(2));
    assert_eq!(
        session.position(),
        Position::Question(5),
        "settled question 5 (index 4) is not asked again"
    );
}

#[test]
fn back_at_the_first_question_is_an_error_that_changes_nothing() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    assert_eq!(session.back(), Err(SessionError::AtFirstQuestion));
    assert_eq!(session.position(), Position::Question(0));
}

#[test]
fn an_option_that_does_not_exist_is_refused() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    assert_eq!(
        session.answer(4),
        Err(SessionError::NoSuchOption {
            given: 4,
            options: 4
        })
    );
    assert_eq!(
        session.answer(usize::MAX),
        Err(SessionError::NoSuchOption {
            given: usize::MAX,
            options: 4
        })
    );
    assert_eq!(session.position(), Position::Question(0));
    assert_eq!(session.answers()[0][0], Answer::Missing);
    assert!(!session.is_settled(0));
}

#[test]
fn skip_leaves_unanswered_and_keeps_an_earlier_answer() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    session.skip().unwrap();
    assert_eq!(session.answers()[0][0], Answer::Missing);
    assert!(session.is_settled(0));
    session.answer(1).unwrap();
    session.back().unwrap();
    session.skip().unwrap();
    assert_eq!(session.answers()[0][1], Answer::Chosen(1), "skip keeps it");
    assert_eq!(session.position(), Position::Question(2));
    assert_eq!(
        session.unanswered(),
        (0..10).filter(|&i| i != 1).collect::<Vec<_>>()
    );
}

#[test]
fn clear_removes_an_answer() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    session.answer(1).unwrap();
    session.back().unwrap();
    assert_eq!(session.clear().unwrap(), vec![]);
    assert_eq!(session.answers()[0][0], Answer::Missing);
    assert_eq!(session.position(), Position::Question(1));
}

#[test]
fn the_flag_event_fires_at_once_when_item_10_is_endorsed() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    for item in 0..9 {
        assert_eq!(session.answer(epds_option(item, 0)).unwrap(), vec![]);
    }
    // First printed option of item 10 scores 3: endorsed.
    assert_eq!(session.answer(0).unwrap(), vec![self_harm()]);
    assert_eq!(session.raised_flags(), vec![(0, 0)]);
    assert_eq!(session.position(), Position::Review);
}

#[test]
fn the_flag_event_does_not_fire_for_never() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    session.jump(9).unwrap();
    assert_eq!(session.answer(epds_option(9, 0)).unwrap(), vec![]);
    assert!(session.raised_flags().is_empty());
}

#[test]
fn changing_an_endorsed_answer_clears_the_flag_and_re_endorsing_raises_it_again() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    session.jump(9).unwrap();
    assert_eq!(
        session.answer(epds_option(9, 2)).unwrap(),
        vec![self_harm()]
    );
    session.back().unwrap();
    session.back().unwrap();
    session.jump(9).unwrap();
    assert_eq!(
        session.answer(epds_option(9, 1)).unwrap(),
        vec![self_harm()]
    );
    session.jump(9).unwrap();
    assert_eq!(
        session.answer(epds_option(9, 0)).unwrap(),
        vec![Event::FlagCleared {
            instrument: 0,
            flag: 0
        }]
    );
    session.jump(9).unwrap();
    session.answer(epds_option(9, 3)).unwrap();
    session.jump(9).unwrap();
    assert_eq!(
        session.clear().unwrap(),
        vec![Event::FlagCleared {
            instrument: 0,
            flag: 0
        }]
    );
}

#[test]
fn the_flag_of_a_second_instrument_names_that_instrument() {
    let mut session = VisitSession::new(&[epds(), phq9()]).unwrap();
    assert_eq!(session.question_count(), 19);
    session.jump(18).unwrap();
    let question = session.current().unwrap();
    assert_eq!(question.instrument.id, "phq9");
    assert_eq!(question.item_index, 8);
    // PHQ-9 is forward-keyed: the second option scores 1, endorsing item 9.
    assert_eq!(
        session.answer(1).unwrap(),
        vec![Event::FlagRaised {
            instrument: 1,
            flag: 0
        }]
    );
}

#[test]
fn review_jump_answer_returns_to_review() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    for _ in 0..10 {
        session.answer(3).unwrap();
    }
    assert_eq!(session.position(), Position::Review);
    session.jump(2).unwrap();
    assert!(session.current().unwrap().from_review);
    session.answer(0).unwrap();
    assert_eq!(session.position(), Position::Review);
    assert_eq!(session.answers()[0][2], Answer::Chosen(0));
}

#[test]
fn back_from_a_question_reached_from_review_returns_to_review_unchanged() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    for _ in 0..10 {
        session.answer(3).unwrap();
    }
    session.jump(4).unwrap();
    session.back().unwrap();
    assert_eq!(session.position(), Position::Review);
    assert_eq!(session.answers()[0][4], Answer::Chosen(3));
}

#[test]
fn back_from_review_goes_to_the_last_question() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    for _ in 0..10 {
        session.skip().unwrap();
    }
    assert_eq!(session.position(), Position::Review);
    session.back().unwrap();
    assert_eq!(session.position(), Position::Question(9));
    assert!(!session.current().unwrap().from_review);
    session.answer(0).unwrap();
    assert_eq!(session.position(), Position::Review);
}

#[test]
fn finish_is_only_possible_from_review_and_is_final() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    assert_eq!(session.finish(), Err(SessionError::NotAtReview));
    session.jump(9).unwrap();
    session.answer(0).unwrap();
    assert_eq!(session.position(), Position::Review);
    assert_eq!(session.answer(0), Err(SessionError::NotAtQuestion));
    assert_eq!(session.skip(), Err(SessionError::NotAtQuestion));
    session.finish().unwrap();
    assert_eq!(session.finish(), Err(SessionError::Finished));
    assert_eq!(session.back(), Err(SessionError::Finished));
    assert_eq!(session.jump(0), Err(SessionError::Finished));
    assert_eq!(session.answer(0), Err(SessionError::Finished));
    assert_eq!(session.clear(), Err(SessionError::Finished));
    assert!(session.current().is_none());
}

#[test]
fn jump_outside_the_visit_is_refused() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    assert_eq!(
        session.jump(10),
        Err(SessionError::NoSuchQuestion {
            given: 10,
            count: 10
        })
    );
}

#[test]
fn skipped_questions_leave_the_total_unscored_but_the_flag_stands() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    session.skip().unwrap();
    for _ in 1..10 {
        session.answer(0).unwrap();
    }
    let scores = session.scores();
    assert_eq!(scores[0].scales[0].score, None);
    assert_eq!(scores[0].flags, vec![0]);
}

// ---- properties -------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Answer(usize),
    Back,
    Skip,
    Clear,
    Jump(usize),
    Finish,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..6).prop_map(Op::Answer),
        2 => Just(Op::Back),
        2 => Just(Op::Skip),
        1 => Just(Op::Clear),
        1 => (0usize..22).prop_map(Op::Jump),
        1 => Just(Op::Finish),
        1 => any::<usize>().prop_map(Op::Answer),
    ]
}

fn visit_instruments() -> impl Strategy<Value = Vec<&'static Instrument>> {
    prop_oneof![
        Just(vec![epds()]),
        Just(vec![phq9()]),
        Just(vec![epds(), phq9()]),
        Just(vec![phq9(), epds()]),
    ]
}

/// Whether `points` on this item reach a flag of the instrument.
fn reaches_flag(instrument: &Instrument, item: usize, option: usize) -> Vec<usize> {
    instrument
        .flags
        .iter()
        .enumerate()
        .filter(|(_, flag)| {
            flag.item == item && instrument.items[item].options[option].points >= flag.at_least
        })
        .map(|(f, _)| f)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any sequence of calls: no panic, errors change nothing, answers stay
    /// valid and follow a simple model, and flag events fire exactly when a
    /// flag item is endorsed.
    #[test]
    fn any_sequence_keeps_the_invariants(
        instruments in visit_instruments(),
        ops in proptest::collection::vec(op(), 0..80),
    ) {
        let mut session = VisitSession::new(&instruments).unwrap();
        let mut model: Vec<Vec<Answer>> =
            instruments.iter().map(|i| vec![Answer::Missing; i.items.len()]).collect();
        let count = session.question_count();
        for op in ops {
            let before_position = session.position();
            let before_answers = session.answers().to_vec();
            let before_settled: Vec<bool> = (0..count).map(|q| session.is_settled(q)).collect();
            let current = session.current();
            let outcome: Result<Vec<Event>, SessionError> = match &op {
                Op::Answer(option) => session.answer(*option),
                Op::Back => session.back().map(|()| Vec::new()),
                Op::Skip => session.skip().map(|()| Vec::new()),
                Op::Clear => session.clear(),
                Op::Jump(index) => session.jump(*index).map(|()| Vec::new()),
                Op::Finish => session.finish().map(|()| Vec::new()),
            };
            match outcome {
                Err(_) => {
                    prop_assert_eq!(session.position(), before_position);
                    prop_assert_eq!(session.answers(), &before_answers[..]);
                    let settled: Vec<bool> = (0..count).map(|q| session.is_settled(q)).collect();
                    prop_assert_eq!(settled, before_settled);
                }
                Ok(events) => {
                    let mut expected = Vec::new();
                    match (&op, current) {
                        (Op::Answer(option), Some(q)) => {
                            model[q.instrument_index][q.item_index] = Answer::Chosen(*option as u8);
                            for flag in reaches_flag(q.instrument, q.item_index, *option) {
                                expected.push(Event::FlagRaised { instrument: q.instrument_index, flag });
                            }
                        }
                        (Op::Clear, Some(q)) => {
                            model[q.instrument_index][q.item_index] = Answer::Missing;
                        }
                        (Op::Answer(_) | Op::Clear | Op::Skip, None) => {
                            prop_assert!(false, "an answer succeeded without a question");
                        }
                        _ => {}
                    }
                    let raised: Vec<Event> = events
                        .iter()
                        .copied()
                        .filter(|e| matches!(e, Event::FlagRaised { .. }))
                        .collect();
                    prop_assert_eq!(raised, expected);
                    for event in &events {
                        if let Event::FlagCleared { instrument, flag } = event {
                            // Only a changed or cleared answer to that flag's item clears it.
                            let q = current.unwrap();
                            prop_assert_eq!(*instrument, q.instrument_index);
                            prop_assert_eq!(q.instrument.flags[*flag].item, q.item_index);
                            prop_assert!(!session.raised_flags().contains(&(*instrument, *flag)));
                        }
                    }
                    if matches!(op, Op::Back | Op::Jump(_) | Op::Finish | Op::Skip) {
                        prop_assert!(events.is_empty());
                    }
                }
            }
            // The session's answers follow the model, and every one is a valid option.
            prop_assert_eq!(session.answers(), &model[..]);
            for (instrument, answers) in instruments.iter().zip(session.answers()) {
                for (item, answer) in instrument.items.iter().zip(answers) {
                    match answer {
                        Answer::Chosen(o) => prop_assert!(usize::from(*o) < item.options.len()),
                        Answer::Missing => {}
                        Answer::Invalid => prop_assert!(false, "no invalid answer is ever stored"),
                    }
                }
            }
            match session.position() {
                Position::Question(index) => {
                    prop_assert!(index < count);
                    let q = session.current().unwrap();
                    prop_assert_eq!(q.answer, match model[q.instrument_index][q.item_index] {
                        Answer::Chosen(o) => Some(usize::from(o)),
                        _ => None,
                    });
                }
                Position::Review | Position::Finished => prop_assert!(session.current().is_none()),
            }
            if before_position == Position::Finished {
                prop_assert!(session.is_finished(), "finished is final");
            }
            // Scores are the scoring engine's over the stored answers.
            let scores = session.scores();
            for ((instrument, answers), score) in instruments.iter().zip(&model).zip(&scores) {
                prop_assert_eq!(score, &crate::scoring::score(instrument, answers));
            }
            let flagged: Vec<(usize, usize)> = scores
                .iter()
                .enumerate()
                .flat_map(|(i, s)| s.flags.iter().map(move |&f| (i, f)))
                .collect();
            prop_assert_eq!(session.raised_flags(), flagged);
        }
    }

    /// Answering every question in order, whatever the options, reaches the
    /// review after exactly one answer per question.
    #[test]
    fn answering_in_order_reaches_review(
        instruments in visit_instruments(),
        options in proptest::collection::vec(0usize..4, 19),
    ) {
        let mut session = VisitSession::new(&instruments).unwrap();
        let count = session.question_count();
        for (index, &option) in options.iter().enumerate().take(count) {
            prop_assert_eq!(session.position(), Position::Question(index));
            session.answer(option).unwrap();
        }
        prop_assert_eq!(session.position(), Position::Review);
        prop_assert!(session.unanswered().is_empty());
        session.finish().unwrap();
    }

    /// Going back k questions and answering returns to the first unsettled question.
    #[test]
    fn back_then_answer_returns_to_the_frontier(
        answered in 1usize..=10,
        back in 1usize..10,
        option in 0usize..4,
    ) {
        let back = back.min(answered);
        let mut session = VisitSession::new(&[epds()]).unwrap();
        for _ in 0..answered {
            session.answer(3).unwrap();
        }
        for _ in 0..back {
            session.back().unwrap();
        }
        let target = answered - back;
        prop_assert_eq!(session.position(), Position::Question(target));
        session.answer(option).unwrap();
        prop_assert_eq!(session.answers()[0][target], Answer::Chosen(option as u8));
        let frontier = if answered == 10 { Position::Review } else { Position::Question(answered) };
        prop_assert_eq!(session.position(), frontier);
    }
}
