//! The age step of a child questionnaire, shared by both front ends.
//!
//! Reading each field (the library's date and gestation parsers, with the
//! reasons in the visit's language), explaining a refused age, and the lines
//! that show the chosen form, the age and the corrected age.

use stepcare::instrument::age::{
    Age, ChildAge, Correction, Date, DateError, GESTATION_WEEKS, Gestation, GestationError,
};
use stepcare::instrument::{AgeWindow, Instrument, Interval};
use stepcare::lang::Lang;
use stepcare::session::{AgeStepError, ChildDates, VisitSession};

use super::messages::Msg;
use super::render;

/// The fields of the age step, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The birth date.
    Birth,
    /// The screening date.
    Screening,
    /// The gestational age at birth.
    Gestation,
}

/// What has been entered so far at the age step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Draft {
    /// The birth date, once entered.
    pub birth: Option<Date>,
    /// The screening date, once entered.
    pub screening: Option<Date>,
    /// The gestational age, once entered (`Some(None)`: born at term).
    pub gestation: Option<Option<Gestation>>,
}

impl Draft {
    /// What the session recorded before, to keep when the step is revisited.
    pub fn from_session(session: &VisitSession<'_>) -> Draft {
        session.child().map_or_else(Draft::default, |child| Draft {
            birth: Some(child.birth),
            screening: Some(child.screening),
            gestation: Some(child.gestation),
        })
    }

    /// The complete entry, when every field asked has a value.
    pub fn complete(&self, asks_gestation: bool) -> Option<ChildDates> {
        Some(ChildDates {
            birth: self.birth?,
            screening: self.screening?,
            gestation: if asks_gestation {
                self.gestation?
            } else {
                None
            },
        })
    }
}

/// Whether some age-banded instrument of the visit corrects for prematurity
/// (only then is the gestational age asked).
pub fn asks_gestation(session: &VisitSession<'_>) -> bool {
    session.instruments().iter().any(|i| {
        i.age_banding
            .as_ref()
            .is_some_and(|b| b.correction.is_some())
    })
}

/// The fields asked, in order.
pub fn fields(session: &VisitSession<'_>) -> Vec<Field> {
    let mut fields = vec![Field::Birth, Field::Screening];
    if asks_gestation(session) {
        fields.push(Field::Gestation);
    }
    fields
}

/// The age-banded instruments of the visit, with their index.
fn banded<'a>(session: &VisitSession<'a>) -> impl Iterator<Item = (usize, &'a Instrument)> {
    session
        .instruments()
        .to_vec()
        .into_iter()
        .enumerate()
        .filter(|(_, i)| i.age_banding.is_some())
}

/// The heading lines shown before the age step: the age-banded instruments' names and what the step is for.
pub fn intro(session: &VisitSession<'_>, lang: Lang) -> Vec<String> {
    let mut lines: Vec<String> = banded(session)
        .map(|(_, i)| i.name.get(lang).to_owned())
        .collect();
    lines.push(Msg::AgeIntro.get(lang).to_owned());
    lines
}

fn shown(text: &str) -> String {
    text.trim().chars().take(40).collect()
}

/// Reads a date field, or says in `lang` why it is not a date.
pub fn read_date(text: &str, lang: Lang) -> Result<Date, String> {
    Date::parse(text).map_err(|err| {
        let msg = match err {
            DateError::NotADate(_) => Msg::DateNotADate,
            DateError::Ambiguous(_) => Msg::DateAmbiguous,
            DateError::ShortYear(_) => Msg::DateShortYear,
            DateError::NoSuchDay(_) => Msg::DateNoSuchDay,
            DateError::YearOutOfRange(_) => Msg::DateYearRange,
        };
        msg.fill(lang, &[("input", &shown(text))])
    })
}

/// Reads a date that cannot be after `today`, with `late` saying why when it is.
fn read_past(text: &str, today: Date, late: Msg, lang: Lang) -> Result<Date, String> {
    let date = read_date(text, lang)?;
    if date > today {
        return Err(late.fill(
            lang,
            &[("date", &date.to_string()), ("today", &today.to_string())],
        ));
    }
    Ok(date)
}

/// Reads a birth date: a date, and not after `today`.
pub fn read_birth(text: &str, today: Date, lang: Lang) -> Result<Date, String> {
    if text.trim().is_empty() {
        return Err(Msg::BirthDateNeeded.get(lang).to_owned());
    }
    read_past(text, today, Msg::BirthInFuture, lang)
}

/// Reads a screening date: a date, and not after `today`.
pub fn read_screening(text: &str, today: Date, lang: Lang) -> Result<Date, String> {
    read_past(text, today, Msg::ScreeningInFuture, lang)
}

/// Reads a gestational age at birth (`36`, `36+4`; `t` for born at term), or says why it is not one.
pub fn read_gestation(text: &str, lang: Lang) -> Result<Option<Gestation>, String> {
    if text.trim().eq_ignore_ascii_case("t") {
        return Ok(None);
    }
    Gestation::read(text).map(Some).map_err(|err| match err {
        GestationError::Implausible(_) => Msg::GestationImplausible.fill(
            lang,
            &[
                ("input", &shown(text)),
                ("low", &GESTATION_WEEKS.start().to_string()),
                ("high", &GESTATION_WEEKS.end().to_string()),
            ],
        ),
        GestationError::NotAGestation(_) => {
            Msg::GestationBad.fill(lang, &[("input", &shown(text))])
        }
    })
}

/// `n month(s)` or `n day(s)` in `lang`.
fn count(n: u32, one: Msg, many: Msg, lang: Lang) -> String {
    format!("{n} {}", if n == 1 { one } else { many }.get(lang))
}

/// A number of days in `lang`: `35 days`.
pub fn days_text(days: u32, lang: Lang) -> String {
    count(days, Msg::Day, Msg::Days, lang)
}

/// An age in `lang`: `7 months 26 days`.
pub fn age_text(age: Age, lang: Lang) -> String {
    format!(
        "{} {}",
        count(age.months, Msg::Month, Msg::Months, lang),
        days_text(age.days, lang)
    )
}

fn window_text(window: &AgeWindow, lang: Lang) -> String {
    Msg::Window.fill(
        lang,
        &[
            ("from", &age_text(window.from, lang)),
            ("to", &age_text(window.to, lang)),
        ],
    )
}

/// A form: `d06 – Demo 6-month form (3 months 0 days to 8 months 30 days)`.
pub fn form_text(interval: &Interval, lang: Lang) -> String {
    format!(
        "{} – {} ({})",
        interval.id,
        interval.label.get(lang),
        window_text(&interval.window, lang)
    )
}

/// The corrected age and why it is (or is not) used; `None` when the
/// definition never corrects.
pub fn corrected_text(
    age: &ChildAge,
    gestation: Option<Gestation>,
    correction: Option<&Correction>,
    lang: Lang,
) -> Option<String> {
    let rule = correction?;
    let early = |g: Gestation| (rule.term_weeks * 7).saturating_sub(g.days());
    Some(match (age.corrected, gestation) {
        (Some(corrected), Some(g)) => Msg::CorrectedBecause.fill(
            lang,
            &[
                ("age", &age_text(corrected, lang)),
                ("gestation", &g.to_string()),
                ("early", &days_text(age.early_days, lang)),
            ],
        ),
        (_, Some(g)) if early(g) > 0 && age.chronological.months >= rule.until_months => {
            Msg::NotCorrectedOld.fill(lang, &[("months", &rule.until_months.to_string())])
        }
        (_, Some(g)) if early(g) > 0 => Msg::NotCorrectedEarly.fill(
            lang,
            &[
                ("gestation", &g.to_string()),
                ("early", &days_text(early(g), lang)),
                ("min", &rule.min_weeks_early.to_string()),
            ],
        ),
        _ => Msg::NotCorrectedTerm.get(lang).to_owned(),
    })
}

/// The lines shown once the age is entered: per age-banded instrument, the
/// form with its number of questions, the age and the corrected age.
pub fn summary(session: &VisitSession<'_>, lang: Lang) -> Vec<String> {
    let several = banded(session).count() > 1;
    let child = session.child();
    let mut lines = Vec::new();
    for (index, instrument) in banded(session) {
        let (Some(banding), Some(interval), Some(age)) = (
            instrument.age_banding.as_ref(),
            session.interval(index),
            session.child_age(index),
        ) else {
            continue;
        };
        let interval = &banding.intervals[interval];
        let prefix = if several {
            format!("{} ", render::short_name(instrument))
        } else {
            String::new()
        };
        lines.push(format!(
            "{prefix}{}: {}, {}",
            Msg::FormLabel.get(lang),
            form_text(interval, lang),
            Msg::by_count(
                interval.items.len(),
                Msg::QuestionCountOne,
                Msg::QuestionCount
            )
            .fill(lang, &[("count", &interval.items.len().to_string())])
        ));
        lines.push(format!(
            "{prefix}{}: {}",
            Msg::AgeLabel.get(lang),
            age_text(age.chronological, lang)
        ));
        if let Some(text) = corrected_text(
            &age,
            child.and_then(|c| c.gestation),
            banding.correction.as_ref(),
            lang,
        ) {
            lines.push(format!(
                "{prefix}{}: {text}",
                Msg::CorrectedAgeLabel.get(lang)
            ));
        }
    }
    lines
}

/// The review list's entry for the age step.
pub fn review_entry(session: &VisitSession<'_>, lang: Lang) -> Option<String> {
    let child = session.child()?;
    let forms: Vec<String> = banded(session)
        .filter_map(|(index, instrument)| {
            let banding = instrument.age_banding.as_ref()?;
            Some(banding.intervals[session.interval(index)?].id.clone())
        })
        .collect();
    let gestation = match child.gestation {
        Some(g) => Msg::GestationWeeksShort.fill(lang, &[("gestation", &g.to_string())]),
        None => Msg::AtTermShort.get(lang).to_owned(),
    };
    Some(Msg::AgeReview.fill(
        lang,
        &[
            ("birth", &child.birth.to_string()),
            ("screening", &child.screening.to_string()),
            ("gestation", &gestation),
            ("forms", &forms.join(", ")),
        ],
    ))
}

/// Why an age was refused, in `lang`, naming the nearest forms when the age fits none.
pub fn refusal(error: &AgeStepError, session: &VisitSession<'_>, lang: Lang) -> String {
    use stepcare::instrument::age::AgeError;
    match error {
        AgeStepError::Age { error, .. } => match error {
            AgeError::ScreenedBeforeBirth { birth, screening } => Msg::ScreenedBeforeBirth.fill(
                lang,
                &[
                    ("birth", &birth.to_string()),
                    ("screening", &screening.to_string()),
                ],
            ),
            AgeError::BeforeTerm { days } => {
                Msg::BeforeTerm.fill(lang, &[("days", &days_text(*days, lang))])
            }
            // The visit always gives dates, never an age in months.
            AgeError::BadMonths(_) => error.to_string(),
        },
        AgeStepError::Outside {
            instrument,
            outside,
            ..
        } => {
            let definition = session.instruments()[*instrument];
            let nearest: Vec<String> = [&outside.below, &outside.above]
                .into_iter()
                .flatten()
                .filter_map(|(id, _)| {
                    let banding = definition.age_banding.as_ref()?;
                    let index = banding.interval_index(id)?;
                    Some(form_text(&banding.intervals[index], lang))
                })
                .collect();
            let which = if outside.corrected {
                Msg::TheCorrectedAge
            } else {
                Msg::TheAge
            };
            Msg::OutsideForms.fill(
                lang,
                &[
                    ("instrument", &render::short_name(definition)),
                    ("which", which.get(lang)),
                    ("age", &age_text(outside.age, lang)),
                    (
                        "nearest",
                        &nearest.join(&format!(" {} ", Msg::And.get(lang))),
                    ),
                ],
            )
        }
        AgeStepError::Session(err) => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally_in_every_language() {
        assert_eq!(age_text(Age::new(1, 1), Lang::En), "1 month 1 day");
        assert_eq!(age_text(Age::new(7, 26), Lang::Nb), "7 måneder 26 dager");
        assert_eq!(age_text(Age::new(12, 0), Lang::Sv), "12 månader 0 dagar");
    }

    #[test]
    fn fields_are_read_with_reasons_in_the_visit_language() {
        assert_eq!(
            read_date("23.11.2026", Lang::En).unwrap(),
            Date::new(2026, 11, 23).unwrap()
        );
        assert!(
            read_date("10/08/2024", Lang::Nb)
                .unwrap_err()
                .contains("dag/måned")
        );
        assert!(
            read_date("31.02.2026", Lang::Sv)
                .unwrap_err()
                .contains("finns inte")
        );
        assert!(
            read_date("x", Lang::En)
                .unwrap_err()
                .contains("is not a date")
        );
        let today = Date::new(2026, 11, 23).unwrap();
        assert!(
            read_screening("2026-11-24", today, Lang::En)
                .unwrap_err()
                .contains("after today")
        );
        assert_eq!(read_screening("2026-11-23", today, Lang::En), Ok(today));
        assert!(
            read_birth("2026-11-24", today, Lang::Sv)
                .unwrap_err()
                .contains("efter dagens datum")
        );
        assert!(
            read_birth(" ", today, Lang::En)
                .unwrap_err()
                .contains("needed")
        );
        assert_eq!(
            read_gestation("35+2", Lang::En).unwrap(),
            Some(Gestation::new(35, 2))
        );
        assert_eq!(read_gestation(" T ", Lang::En).unwrap(), None);
        assert!(
            read_gestation("36.4", Lang::Nb)
                .unwrap_err()
                .contains("uker+dager")
        );
        assert!(
            read_gestation("12", Lang::En)
                .unwrap_err()
                .contains("20–45")
        );
    }

    #[test]
    fn today_is_a_plausible_date() {
        assert!(stepcare::visit_record::today_local().year() >= 2024);
    }
}
