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
                Position::Age => prop_assert!(false, "no age step without a child questionnaire"),
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

// ---- the age step of a child questionnaire ---------------------------------

use crate::instrument::age::{Age, Date, Gestation, age_from_dates};
use crate::scoring::Context;

fn demo() -> &'static Instrument {
    catalog().get("se-demo").expect("se-demo ships")
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

fn child(birth: &str, screening: &str, gestation: Option<Gestation>) -> ChildDates {
    ChildDates {
        birth: date(birth),
        screening: date(screening),
        gestation,
    }
}

/// A term child of 6 months: the 6-month form.
fn six_months() -> ChildDates {
    child("2026-05-23", "2026-11-23", None)
}

/// A term child of 12 months: the 12-month form.
fn twelve_months() -> ChildDates {
    child("2025-11-23", "2026-11-23", None)
}

fn interval_id(session: &VisitSession<'_>, instrument: usize) -> Option<&'static str> {
    let index = session.interval(instrument)?;
    Some(demo().age_banding.as_ref()?.intervals[index].id.as_str())
}

/// The scores the session must report: the scoring engine's over its state.
fn expected_scores(session: &VisitSession<'_>) -> Vec<InstrumentScore> {
    session
        .instruments()
        .iter()
        .enumerate()
        .map(|(i, instrument)| {
            crate::scoring::score_with(
                instrument,
                &session.answers()[i],
                Context {
                    concerns: &session.concerns()[i],
                    interval: session.interval(i),
                    age: session.child_age(i),
                },
            )
        })
        .collect()
}

#[test]
fn a_child_questionnaire_starts_at_the_age_step_then_asks_only_its_forms_items() {
    let mut session = VisitSession::new(&[demo()]).unwrap();
    assert!(session.has_age_step());
    assert_eq!(session.position(), Position::Age);
    assert_eq!(session.question_count(), 0, "no form before the age");
    assert!(session.current().is_none());
    assert_eq!(session.answer(0), Err(SessionError::NotAtQuestion));
    assert_eq!(session.skip(), Err(SessionError::NotAtQuestion));
    assert_eq!(session.back(), Err(SessionError::AtFirstQuestion));
    assert_eq!(session.finish(), Err(SessionError::NotAtReview));
    assert_eq!(session.scores()[0].scales[0].score, None);

    assert_eq!(session.set_age(six_months()).unwrap(), vec![]);
    assert_eq!(interval_id(&session, 0), Some("d06"));
    assert_eq!(session.position(), Position::Question(0));
    assert_eq!(session.question_count(), 6);
    let ids: Vec<&str> = (0..6)
        .map(|q| session.question(q).item.id.as_str())
        .collect();
    assert_eq!(ids, ["d01", "d02", "d03", "d04", "d05", "d06"]);
    let age = session.child_age(0).unwrap();
    assert_eq!(age.chronological, Age::new(6, 0));
    assert_eq!(age.corrected, None);
    for q in 0..6 {
        let question = session.current().unwrap();
        assert_eq!((question.number, question.of), (q, 6));
        assert!(question.concern_box);
        // "Often" everywhere: strength items 0, problem items 10 (d03, d05).
        session.answer(0).unwrap();
    }
    assert_eq!(session.position(), Position::Review);
    session.finish().unwrap();
    let scores = session.scores();
    assert_eq!(scores, expected_scores(&session));
    assert_eq!(scores[0].interval, Some(0));
    assert_eq!(scores[0].scales[0].score, Some(20.0));
    assert_eq!(
        scores[0].scales[0].band,
        Some(0),
        "below the monitoring zone"
    );
}

#[test]
fn a_corrected_age_chooses_the_form() {
    // 9 months old, born 5 weeks early: corrected 7m 26d, the 6-month form.
    let born_early = child("2025-03-10", "2025-12-10", Some(Gestation::new(35, 0)));
    let mut session = VisitSession::new(&[demo()]).unwrap();
    session.set_age(born_early).unwrap();
    assert_eq!(interval_id(&session, 0), Some("d06"));
    let age = session.child_age(0).unwrap();
    assert_eq!(age.chronological, Age::new(9, 0));
    assert_eq!(age.corrected, Some(Age::new(7, 26)));
    assert_eq!(session.child(), Some(born_early));
    // The same child born at term is asked the 12-month form.
    let mut session = VisitSession::new(&[demo()]).unwrap();
    session
        .set_age(ChildDates {
            gestation: None,
            ..born_early
        })
        .unwrap();
    assert_eq!(interval_id(&session, 0), Some("d12"));
    assert_eq!(session.question_count(), 8);
}

#[test]
fn an_age_in_no_window_is_refused_naming_the_nearest_forms_and_changes_nothing() {
    let mut session = VisitSession::new(&[demo()]).unwrap();
    let two_months = child("2026-09-23", "2026-11-23", None);
    match session.set_age(two_months) {
        Err(AgeStepError::Outside {
            instrument: 0,
            outside,
            ..
        }) => {
            assert_eq!(outside.age, Age::new(2, 0));
            assert_eq!(outside.below, None);
            assert_eq!(outside.above.map(|(id, _)| id), Some("d06".to_owned()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(session.position(), Position::Age);
    assert_eq!(session.child(), None);
    assert_eq!(session.question_count(), 0);
    // Once a form is chosen, a refused age keeps it and its answers.
    session.set_age(six_months()).unwrap();
    session.answer(1).unwrap();
    session.back().unwrap();
    session.back().unwrap();
    assert_eq!(session.position(), Position::Age);
    let err = session
        .set_age(child("2026-11-24", "2026-11-23", None))
        .unwrap_err();
    assert!(
        matches!(
            err,
            AgeStepError::Age {
                error: crate::instrument::age::AgeError::ScreenedBeforeBirth { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(session.child(), Some(six_months()));
    assert_eq!(session.answers()[0][0], Answer::Chosen(1));
    assert_eq!(session.position(), Position::Age);
}

#[test]
fn back_from_the_first_item_returns_to_the_age_step_and_the_same_form_keeps_its_answers() {
    let mut session = VisitSession::new(&[demo()]).unwrap();
    session.set_age(six_months()).unwrap();
    session.answer(2).unwrap();
    session.answer(1).unwrap();
    session.back().unwrap();
    session.back().unwrap();
    assert_eq!(session.position(), Position::Question(0));
    session.back().unwrap();
    assert_eq!(session.position(), Position::Age);
    // One day older: still the 6-month form; the visit goes on where it was.
    session
        .set_age(child("2026-05-22", "2026-11-23", None))
        .unwrap();
    assert_eq!(session.child_age(0).unwrap().chronological, Age::new(6, 1));
    assert_eq!(session.position(), Position::Question(2));
    assert_eq!(session.answers()[0][0], Answer::Chosen(2));
    assert_eq!(session.answers()[0][1], Answer::Chosen(1));
}

#[test]
fn another_form_drops_the_answers_and_asks_it_from_its_first_item() {
    let mut session = VisitSession::new(&[demo()]).unwrap();
    session.set_age(six_months()).unwrap();
    for _ in 0..6 {
        session.answer_with(0, true).unwrap();
    }
    assert_eq!(session.position(), Position::Review);
    session.jump_to_age().unwrap();
    assert_eq!(
        session.set_age(twelve_months()).unwrap(),
        vec![Event::AnswersDropped {
            instrument: 0,
            count: 6
        }]
    );
    assert_eq!(interval_id(&session, 0), Some("d12"));
    assert_eq!(session.position(), Position::Question(0));
    assert!(!session.current().unwrap().from_review);
    assert!(session.answers()[0].iter().all(|a| *a == Answer::Missing));
    assert!(session.concerns()[0].iter().all(|c| !c));
    assert_eq!(session.question_count(), 8);
    assert_eq!(session.question(4).item.id, "d07");
}

#[test]
fn from_the_review_the_same_form_returns_to_the_review() {
    let mut session = VisitSession::new(&[demo()]).unwrap();
    session.set_age(six_months()).unwrap();
    for _ in 0..6 {
        session.skip().unwrap();
    }
    session.jump_to_age().unwrap();
    assert_eq!(session.position(), Position::Age);
    session.back().unwrap();
    assert_eq!(
        session.position(),
        Position::Review,
        "back returns to the review"
    );
    session.jump_to_age().unwrap();
    session.set_age(six_months()).unwrap();
    assert_eq!(session.position(), Position::Review);
    session.back().unwrap();
    assert_eq!(session.position(), Position::Question(5), "the last item");
}

#[test]
fn concern_marks_add_points_and_only_items_with_a_box_take_them() {
    let mut session = VisitSession::new(&[demo()]).unwrap();
    session.set_age(six_months()).unwrap();
    // d01 "Sometimes" (5) with its concern box (+5), the rest "Often" on
    // strength items (0) and "Rarely" on problem items (0).
    session.answer_with(1, true).unwrap();
    for option in [0, 2, 0, 2, 0] {
        session.answer(option).unwrap();
    }
    assert_eq!(session.scores()[0].scales[0].score, Some(10.0));
    assert!(session.question(0).concern);
    // Answering again without the mark takes it away.
    session.jump(0).unwrap();
    session.answer(1).unwrap();
    assert_eq!(session.scores()[0].scales[0].score, Some(5.0));
    // Clearing removes answer and mark.
    session.jump(0).unwrap();
    session.answer_with(1, true).unwrap();
    session.jump(0).unwrap();
    session.clear().unwrap();
    assert!(!session.concerns()[0][0]);
    assert_eq!(session.answers()[0][0], Answer::Missing);
    // EPDS items have no concern box.
    let mut epds_visit = VisitSession::new(&[epds()]).unwrap();
    assert_eq!(
        epds_visit.answer_with(0, true),
        Err(SessionError::NoConcernBox)
    );
    assert_eq!(epds_visit.answers()[0][0], Answer::Missing);
    assert_eq!(epds_visit.position(), Position::Question(0));
}

#[test]
fn a_visit_without_a_child_questionnaire_has_no_age_step() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    assert!(!session.has_age_step());
    assert_eq!(session.jump_to_age(), Err(SessionError::NoAgeStep));
    assert!(matches!(
        session.set_age(six_months()),
        Err(AgeStepError::Session(SessionError::NotAtAge))
    ));
    assert_eq!(session.child(), None);
}

#[test]
fn the_age_step_of_a_later_instrument_follows_the_earlier_items_and_precedes_the_review() {
    let mut session = VisitSession::new(&[epds(), demo()]).unwrap();
    assert_eq!(session.age_step_index(), Some(10));
    assert_eq!(session.question_count(), 10);
    // Answering the last EPDS item first: the unsettled age step comes next,
    // never the review.
    session.jump(9).unwrap();
    session.answer(3).unwrap();
    assert_eq!(session.position(), Position::Age);
    session.back().unwrap();
    assert_eq!(session.position(), Position::Question(9));
    session.answer(3).unwrap();
    session.set_age(six_months()).unwrap();
    assert_eq!(session.position(), Position::Question(10));
    assert_eq!(session.current().unwrap().instrument.id, "se-demo");
    assert_eq!(session.current().unwrap().number, 0);
    session.back().unwrap();
    assert_eq!(session.position(), Position::Age);
    session.back().unwrap();
    assert_eq!(session.position(), Position::Question(9));
}

#[derive(Debug, Clone)]
enum AgeOp {
    Op(Op),
    AnswerMarked(usize),
    SetAge(ChildDates),
    JumpToAge,
}

fn child_dates() -> impl Strategy<Value = ChildDates> {
    let base = date("2023-06-01").day_number();
    (
        0i64..1200,
        -40i64..1000,
        prop::option::of((23u32..43, 0u32..7)),
    )
        .prop_map(move |(birth, gap, gestation)| {
            let birth = Date::from_day_number(base + birth).unwrap();
            ChildDates {
                birth,
                screening: birth.add_days(gap).unwrap(),
                gestation: gestation.map(|(w, d)| Gestation::new(w, d)),
            }
        })
}

fn age_op() -> impl Strategy<Value = AgeOp> {
    prop_oneof![
        6 => op().prop_map(AgeOp::Op),
        2 => (0usize..4).prop_map(AgeOp::AnswerMarked),
        3 => child_dates().prop_map(AgeOp::SetAge),
        1 => Just(AgeOp::JumpToAge),
    ]
}

/// The interval the definition's own rules give this child, or `None` when none fits.
fn model_interval(instrument: &Instrument, child: &ChildDates) -> Option<usize> {
    let banding = instrument.age_banding.as_ref()?;
    let age = age_from_dates(
        child.birth,
        child.screening,
        child.gestation,
        banding.correction.as_ref(),
    )
    .ok()?;
    banding.interval_for(&age).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any sequence of calls on a visit with a child questionnaire: no panic,
    /// refused calls change nothing, the form is the one the definition's age
    /// rules choose, only its items are asked and hold answers, the review
    /// (and the end) is never reached without an age, and the scores are the
    /// scoring engine's.
    #[test]
    fn any_sequence_with_an_age_step_keeps_the_invariants(
        with_epds in any::<bool>(),
        ops in proptest::collection::vec(age_op(), 0..80),
    ) {
        let instruments: Vec<&Instrument> = if with_epds { vec![epds(), demo()] } else { vec![demo()] };
        let banded = instruments.len() - 1;
        let mut session = VisitSession::new(&instruments).unwrap();
        for op in ops {
            let before = session.clone();
            let outcome: Result<(), String> = match &op {
                AgeOp::Op(Op::Answer(option)) => session.answer(*option).map(drop).map_err(|e| e.to_string()),
                AgeOp::Op(Op::Back) => session.back().map_err(|e| e.to_string()),
                AgeOp::Op(Op::Skip) => session.skip().map_err(|e| e.to_string()),
                AgeOp::Op(Op::Clear) => session.clear().map(drop).map_err(|e| e.to_string()),
                AgeOp::Op(Op::Jump(index)) => session.jump(*index).map_err(|e| e.to_string()),
                AgeOp::Op(Op::Finish) => session.finish().map_err(|e| e.to_string()),
                AgeOp::AnswerMarked(option) => session.answer_with(*option, true).map(drop).map_err(|e| e.to_string()),
                AgeOp::JumpToAge => session.jump_to_age().map_err(|e| e.to_string()),
                AgeOp::SetAge(child) => session.set_age(*child).map(drop).map_err(|e| e.to_string()),
            };
            match (&op, &outcome) {
                (_, Err(_)) => {
                    prop_assert_eq!(session.position(), before.position());
                    prop_assert_eq!(session.answers(), before.answers());
                    prop_assert_eq!(session.concerns(), before.concerns());
                    prop_assert_eq!(session.child(), before.child());
                    prop_assert_eq!(session.interval(banded), before.interval(banded));
                    prop_assert_eq!(session.question_count(), before.question_count());
                }
                (AgeOp::SetAge(child), Ok(())) => {
                    prop_assert_eq!(before.position(), Position::Age);
                    prop_assert_eq!(session.child(), Some(*child));
                    prop_assert_eq!(session.interval(banded), model_interval(demo(), child));
                    if before.interval(banded).is_some_and(|i| Some(i) != session.interval(banded)) {
                        prop_assert!(session.answers()[banded].iter().all(|a| *a == Answer::Missing));
                    }
                }
                _ => {}
            }
            if let AgeOp::SetAge(child) = &op
                && before.position() == Position::Age
                && model_interval(demo(), child).is_some()
            {
                prop_assert!(outcome.is_ok(), "an age in a window is taken: {:?}", outcome);
            }
            // Only the form's items are asked and hold answers or marks.
            let form = session
                .interval(banded)
                .map(|i| demo().age_banding.as_ref().unwrap().intervals[i].items.clone());
            let demo_questions: Vec<usize> = (0..session.question_count())
                .map(|q| session.question(q))
                .filter(|q| q.instrument_index == banded)
                .map(|q| q.item_index)
                .collect();
            prop_assert_eq!(&demo_questions, &form.clone().unwrap_or_default());
            for item in 0..demo().items.len() {
                if !form.as_ref().is_some_and(|f| f.contains(&item)) {
                    prop_assert_eq!(session.answers()[banded][item], Answer::Missing);
                    prop_assert!(!session.concerns()[banded][item]);
                }
            }
            if with_epds {
                prop_assert!(session.concerns()[0].iter().all(|c| !c), "EPDS has no concern box");
            }
            match session.position() {
                Position::Review | Position::Finished => prop_assert!(session.child().is_some()),
                Position::Question(index) => {
                    prop_assert!(index < session.question_count());
                    let q = session.current().unwrap();
                    prop_assert!(q.number < q.of);
                }
                Position::Age => prop_assert!(session.current().is_none()),
            }
            if before.is_finished() {
                prop_assert!(session.is_finished());
            }
            prop_assert_eq!(session.scores(), expected_scores(&session));
        }
    }

    /// From the first item of the form, back always returns to the age step.
    #[test]
    fn back_from_the_first_item_is_the_age_step(child in child_dates(), with_epds in any::<bool>()) {
        let instruments: Vec<&Instrument> = if with_epds { vec![epds(), demo()] } else { vec![demo()] };
        let mut session = VisitSession::new(&instruments).unwrap();
        if with_epds {
            for _ in 0..10 {
                session.skip().unwrap();
            }
        }
        prop_assert_eq!(session.position(), Position::Age);
        if session.set_age(child).is_ok() {
            let first = session.age_step_index().unwrap();
            prop_assert_eq!(session.position(), Position::Question(first));
            session.back().unwrap();
            prop_assert_eq!(session.position(), Position::Age);
        } else {
            prop_assert_eq!(model_interval(demo(), &child), None);
            prop_assert_eq!(session.position(), Position::Age);
        }
    }
}

#[test]
fn a_skipped_critical_item_leaves_its_flag_unknown() {
    let mut session = VisitSession::new(&[epds()]).unwrap();
    assert!(!session.question(0).critical);
    assert!(session.question(9).critical);
    // Not yet asked: the flag is not unknown yet, only unasked.
    assert!(session.unknown_flags().is_empty());
    for _ in 0..9 {
        session.answer(0).unwrap();
    }
    assert!(session.unknown_flags().is_empty());
    session.skip().unwrap();
    assert_eq!(session.unknown_flags(), vec![(0, 0)]);
    assert!(session.raised_flags().is_empty());
    session.jump(9).unwrap();
    session.answer(epds_option(9, 0)).unwrap();
    assert!(session.unknown_flags().is_empty());
}
