//! Dates, ages and corrected ages for age-banded questionnaires.
//!
//! Conventions (documented in `docs/age-banded.md`):
//!
//! - **Dates** are written `2026-11-23` (ISO 8601, a time after it is
//!   ignored) or `23.11.2026` (the Nordic day.month.year). `23/11/2026` is
//!   refused: a slash date is read day-first in Norway and month-first in the
//!   United States, and guessing would pick the wrong questionnaire.
//! - **Age** is counted in calendar months, as age calculators for child
//!   questionnaires do: the completed months since birth and the days since
//!   the last "month birthday". A month birthday that does not exist (the
//!   31st in a 30-day month, 29 February) falls on the last day of that
//!   month. So a child born 31 January is 1 month 0 days old on 28 February
//!   and 1 month 1 day old on 1 March.
//! - **Corrected age** (when the definition asks for it) is the calendar age
//!   counted from the birth date moved forward by the weeks the child was born
//!   before term: the age the child would have had if born at term.
//! - An **`age_months`** number (when an export has no dates) is split into
//!   whole months and days with 30-day months (6.5 is 6 months 15 days); a
//!   correction then subtracts days with 30-day months too. Dates are exact
//!   and are preferred.
//!
//! Nothing here depends on a date library: the day count of a calendar date
//! is H. Hinnant's `days_from_civil` algorithm, exact for the proleptic
//! Gregorian calendar.

use std::fmt;

/// A calendar date (proleptic Gregorian), years 1900 to 2200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// The earliest year a date may have.
pub const MIN_YEAR: i32 = 1900;
/// The latest year a date may have.
pub const MAX_YEAR: i32 = 2200;

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The number of days in `month` (1-12) of `year`.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date, if it is a real day between the years 1900 and 2200.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((MIN_YEAR..=MAX_YEAR).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1-12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn day_number(self) -> i64 {
        // H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, if it lies within the supported years.
    pub fn from_day_number(days: i64) -> Option<Date> {
        // H. Hinnant, civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The date `days` later (earlier when negative), if within the supported years.
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_day_number(self.day_number() + days)
    }

    /// The same day `months` calendar months later, or the month's last day
    /// when that day does not exist (31 January + 1 month = 28 or 29 February).
    pub fn add_months(self, months: u32) -> Option<Date> {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(months);
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u8::try_from(index.rem_euclid(12) + 1).ok()?;
        Date::new(year, month, self.day.min(days_in_month(year, month)))
    }

    /// Reads `2026-11-23` (a time after it is ignored) or `23.11.2026`.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let text = text.trim();
        let not_a_date = || DateError::NotADate(text.to_owned());
        if text.contains('/') {
            return Err(DateError::Ambiguous(text.to_owned()));
        }
        let (year, month, day) = if text.get(4..5) == Some("-") {
            // ISO: exactly YYYY-MM-DD, then optionally `T...` or ` ...` (a time).
            let date = text.get(..10).ok_or_else(not_a_date)?;
            let tail = &text[10.min(text.len())..];
            if !(tail.is_empty() || tail.starts_with('T') || tail.starts_with(' ')) {
                return Err(not_a_date());
            }
            let parts: Vec<&str> = date.split('-').collect();
            match parts.as_slice() {
                [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => (*y, *m, *d),
                _ => return Err(not_a_date()),
            }
        } else {
            let parts: Vec<&str> = text.split('.').collect();
            match parts.as_slice() {
                [d, m, y] if (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) => {
                    if y.len() != 4 {
                        return Err(DateError::ShortYear(text.to_owned()));
                    }
                    (*y, *m, *d)
                }
                _ => return Err(not_a_date()),
            }
        };
        let number = |s: &str| -> Option<i32> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let (Some(year), Some(month), Some(day)) = (number(year), number(month), number(day))
        else {
            return Err(not_a_date());
        };
        let (Ok(month), Ok(day)) = (u8::try_from(month), u8::try_from(day)) else {
            return Err(DateError::NoSuchDay(text.to_owned()));
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError::YearOutOfRange(text.to_owned()));
        }
        Date::new(year, month, day).ok_or_else(|| DateError::NoSuchDay(text.to_owned()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not written as a date at all.
    #[error("`{0}` is not a date (expected 2026-11-23 or 23.11.2026)")]
    NotADate(String),
    /// A slash date, which could be day- or month-first.
    #[error("`{0}` is ambiguous (day/month or month/day?): write 2026-11-23 or 23.11.2026")]
    Ambiguous(String),
    /// A two-digit year.
    #[error("`{0}` has a two-digit year: write all four digits (23.11.2026)")]
    ShortYear(String),
    /// Written like a date, but the day does not exist (31.02.2026).
    #[error("`{0}` is not a day of the calendar")]
    NoSuchDay(String),
    /// Outside the years 1900-2200.
    #[error("`{0}` is outside the years 1900-2200")]
    YearOutOfRange(String),
}

/// An age in completed calendar months and the days after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Age {
    /// Completed months.
    pub months: u32,
    /// Days since the last month birthday (0-30).
    pub days: u32,
}

impl Age {
    /// An age of `months` months and `days` days.
    pub fn new(months: u32, days: u32) -> Age {
        Age { months, days }
    }
}

impl fmt::Display for Age {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}m {}d", self.months, self.days)
    }
}

/// The calendar age on `on` of a child born on `birth`; `None` if `on` is before `birth`.
pub fn calendar_age(birth: Date, on: Date) -> Option<Age> {
    if on < birth {
        return None;
    }
    let mut months = u32::try_from(
        (i64::from(on.year()) - i64::from(birth.year())) * 12 + i64::from(on.month())
            - i64::from(birth.month()),
    )
    .ok()?;
    // The estimate can be one too many when the month birthday is still ahead.
    let mut anniversary = birth.add_months(months)?;
    if anniversary > on {
        months -= 1;
        anniversary = birth.add_months(months)?;
    }
    let days = u32::try_from(on.day_number() - anniversary.day_number()).ok()?;
    Some(Age { months, days })
}

/// A gestational age at birth, in days (`36+4` is 36 weeks 4 days = 256 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gestation {
    days: u32,
}

/// The plausible range of gestational weeks at a live birth.
pub const GESTATION_WEEKS: std::ops::RangeInclusive<u32> = 20..=45;

impl Gestation {
    /// `weeks` weeks and `days` days.
    pub fn new(weeks: u32, days: u32) -> Gestation {
        Gestation {
            days: weeks * 7 + days,
        }
    }

    /// The gestational age in days.
    pub fn days(self) -> u32 {
        self.days
    }

    /// Reads whole weeks (`36`) or weeks+days (`36+4`); decimals are refused
    /// because `36.4` is written for both 36 weeks 4 days and 36.4 weeks.
    pub fn parse(text: &str) -> Result<Gestation, String> {
        Gestation::read(text).map_err(|err| err.to_string())
    }

    /// [`parse`](Gestation::parse) with a typed error, for messages in other languages.
    pub fn read(text: &str) -> Result<Gestation, GestationError> {
        let text = text.trim();
        let digits = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let (weeks, days) = match text.split_once('+') {
            Some((w, d)) => (digits(w.trim()), digits(d.trim())),
            None => (digits(text), Some(0)),
        };
        match (weeks, days) {
            (Some(weeks), Some(days)) if days <= 6 && GESTATION_WEEKS.contains(&weeks) => {
                Ok(Gestation::new(weeks, days))
            }
            (Some(_), Some(days)) if days <= 6 => Err(GestationError::Implausible(text.to_owned())),
            _ => Err(GestationError::NotAGestation(text.to_owned())),
        }
    }
}

/// Why a text is not a gestational age.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GestationError {
    /// Weeks outside [`GESTATION_WEEKS`].
    #[error(
        "`{0}` weeks is not a plausible gestational age ({low}-{high} weeks)",
        low = GESTATION_WEEKS.start(),
        high = GESTATION_WEEKS.end()
    )]
    Implausible(String),
    /// Not written as weeks or weeks+days.
    #[error(
        "`{0}` is not a gestational age (expected whole weeks like 36, or weeks+days like 36+4)"
    )]
    NotAGestation(String),
}

impl fmt::Display for Gestation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}+{}", self.days / 7, self.days % 7)
    }
}

/// How the time a child was born before term is rounded before it is subtracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EarlyRounding {
    /// Exact days (36+4 with term 40 is 24 days early).
    #[default]
    Days,
    /// Whole weeks, rounded down (24 days is 3 weeks = 21 days).
    FloorWeeks,
    /// Whole weeks, to the nearest (half a week and more rounds up).
    NearestWeeks,
}

/// The definition's rule for correcting the age of children born early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The gestational week that counts as term (40).
    pub term_weeks: u32,
    /// Correct only children born at least this many weeks before term (3).
    pub min_weeks_early: u32,
    /// Correct only while the chronological age is below this many months (24).
    pub until_months: u32,
    /// How the time born early is rounded.
    pub rounding: EarlyRounding,
    /// Where the rule comes from.
    pub source: Option<String>,
}

impl Correction {
    /// The days to subtract for a child born at `gestation`, after rounding;
    /// 0 when the child was not born early enough to be corrected.
    pub fn early_days(&self, gestation: Gestation) -> u32 {
        let early = (self.term_weeks * 7).saturating_sub(gestation.days());
        let rounded = match self.rounding {
            EarlyRounding::Days => early,
            EarlyRounding::FloorWeeks => early / 7 * 7,
            EarlyRounding::NearestWeeks => (early + 3) / 7 * 7,
        };
        if rounded >= self.min_weeks_early * 7 {
            rounded
        } else {
            0
        }
    }
}

/// An age found for one child on one screening day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChildAge {
    /// The age since birth.
    pub chronological: Age,
    /// The corrected age, when the correction applies.
    pub corrected: Option<Age>,
    /// The days subtracted for being born early (0 when not corrected).
    pub early_days: u32,
}

impl ChildAge {
    /// The age that chooses the questionnaire: corrected when corrected.
    pub fn used(&self) -> Age {
        self.corrected.unwrap_or(self.chronological)
    }
}

/// Why no age could be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgeError {
    /// The screening date is before the birth date.
    #[error("the screening date {screening} is before the birth date {birth}")]
    ScreenedBeforeBirth {
        /// The birth date.
        birth: Date,
        /// The screening date.
        screening: Date,
    },
    /// Corrected for prematurity, the child is not yet at term.
    #[error(
        "the child was screened {} before reaching term (corrected age below 0)",
        crate::lang::count(u64::from(*.days), "day", "days")
    )]
    BeforeTerm {
        /// Days still to go until the corrected age is 0.
        days: u32,
    },
    /// An age in months that is not a number, or negative.
    #[error("`{0}` is not an age in months (expected a number such as 6 or 6.5)")]
    BadMonths(String),
}

/// The age on `screening` of a child born on `birth` at `gestation` weeks.
///
/// The correction applies when the definition has one, the gestation is
/// known, the child was born early enough and is younger than the limit.
pub fn age_from_dates(
    birth: Date,
    screening: Date,
    gestation: Option<Gestation>,
    correction: Option<&Correction>,
) -> Result<ChildAge, AgeError> {
    let chronological =
        calendar_age(birth, screening).ok_or(AgeError::ScreenedBeforeBirth { birth, screening })?;
    let early_days = correction_days(chronological, gestation, correction);
    if early_days == 0 {
        return Ok(ChildAge {
            chronological,
            corrected: None,
            early_days: 0,
        });
    }
    let due = birth
        .add_days(i64::from(early_days))
        .ok_or(AgeError::BeforeTerm { days: early_days })?;
    let corrected = calendar_age(due, screening).ok_or_else(|| AgeError::BeforeTerm {
        days: u32::try_from(due.day_number() - screening.day_number()).unwrap_or(u32::MAX),
    })?;
    Ok(ChildAge {
        chronological,
        corrected: Some(corrected),
        early_days,
    })
}

/// Days to correct by: those born early, when the definition corrects and the child is young enough.
fn correction_days(
    chronological: Age,
    gestation: Option<Gestation>,
    correction: Option<&Correction>,
) -> u32 {
    match (correction, gestation) {
        (Some(rule), Some(gestation)) if chronological.months < rule.until_months => {
            rule.early_days(gestation)
        }
        _ => 0,
    }
}

/// The age from an `age_months` number (30-day months; `6,5` is accepted as 6.5).
pub fn age_from_months(
    text: &str,
    gestation: Option<Gestation>,
    correction: Option<&Correction>,
) -> Result<ChildAge, AgeError> {
    let trimmed = text.trim();
    let value: f64 = trimmed
        .replace(',', ".")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0 && *v < 1200.0)
        .ok_or_else(|| AgeError::BadMonths(trimmed.to_owned()))?;
    let total_days = (value * 30.0).round() as u32;
    let chronological = Age::new(total_days / 30, total_days % 30);
    let early_days = correction_days(chronological, gestation, correction);
    if early_days == 0 {
        return Ok(ChildAge {
            chronological,
            corrected: None,
            early_days: 0,
        });
    }
    let corrected_days =
        total_days
            .checked_sub(early_days)
            .ok_or_else(|| AgeError::BeforeTerm {
                days: early_days - total_days,
            })?;
    Ok(ChildAge {
        chronological,
        corrected: Some(Age::new(corrected_days / 30, corrected_days % 30)),
        early_days,
    })
}

/// When a child was screened: two dates, or an age in months.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgeInput {
    /// The birth date and the screening date.
    Dates {
        /// The birth date.
        birth: Date,
        /// The screening date.
        screening: Date,
    },
    /// An age in months as written (`6`, `6.5`).
    Months(String),
}

/// What is known about a child's age on one screening day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeFacts {
    /// The dates or the age in months.
    pub when: AgeInput,
    /// The gestational age at birth, when known.
    pub gestation: Option<Gestation>,
}

impl AgeFacts {
    /// The child's age under the definition's correction rule.
    pub fn resolve(&self, correction: Option<&Correction>) -> Result<ChildAge, AgeError> {
        match &self.when {
            AgeInput::Dates { birth, screening } => {
                age_from_dates(*birth, *screening, self.gestation, correction)
            }
            AgeInput::Months(text) => age_from_months(text, self.gestation, correction),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn parses_iso_and_nordic_dates() {
        assert_eq!(d("2026-11-23"), Date::new(2026, 11, 23).unwrap());
        assert_eq!(d("23.11.2026"), Date::new(2026, 11, 23).unwrap());
        assert_eq!(d("3.1.2026"), Date::new(2026, 1, 3).unwrap());
        assert_eq!(d(" 2026-11-23T08:30:00 "), Date::new(2026, 11, 23).unwrap());
        assert_eq!(d("2026-11-23 08:30"), Date::new(2026, 11, 23).unwrap());
        assert_eq!(d("29.02.2024"), Date::new(2024, 2, 29).unwrap());
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        assert!(matches!(
            Date::parse("23/11/2026"),
            Err(DateError::Ambiguous(_))
        ));
        assert!(matches!(
            Date::parse("31.02.2026"),
            Err(DateError::NoSuchDay(_))
        ));
        assert!(matches!(
            Date::parse("29.02.2026"),
            Err(DateError::NoSuchDay(_))
        ));
        assert!(matches!(
            Date::parse("23.11.26"),
            Err(DateError::ShortYear(_))
        ));
        assert!(matches!(
            Date::parse("1850-01-01"),
            Err(DateError::YearOutOfRange(_))
        ));
        for bad in [
            "",
            "x",
            "2026-1-3",
            "2026-11-23x",
            "23.11",
            "2026-13-01",
            "+1.-2.2026",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(d("1970-01-01").day_number(), 0);
        assert_eq!(
            d("2000-03-01").day_number() - d("2000-02-28").day_number(),
            2
        );
        assert_eq!(
            d("1900-03-01").day_number() - d("1900-02-28").day_number(),
            1
        );
        for n in [-25_567, -1, 0, 1, 11_016, 20_000, 60_000] {
            assert_eq!(Date::from_day_number(n).unwrap().day_number(), n);
        }
    }

    #[test]
    fn month_birthdays_clamp_to_the_month_end() {
        assert_eq!(d("2026-01-31").add_months(1), Some(d("2026-02-28")));
        assert_eq!(d("2024-01-31").add_months(1), Some(d("2024-02-29")));
        assert_eq!(d("2026-08-31").add_months(1), Some(d("2026-09-30")));
        assert_eq!(d("2025-11-15").add_months(3), Some(d("2026-02-15")));
    }

    #[test]
    fn calendar_ages() {
        let age = |b: &str, s: &str| calendar_age(d(b), d(s)).unwrap();
        assert_eq!(age("2026-01-10", "2026-01-10"), Age::new(0, 0));
        assert_eq!(age("2026-01-10", "2026-02-09"), Age::new(0, 30));
        assert_eq!(age("2026-01-10", "2026-02-10"), Age::new(1, 0));
        assert_eq!(age("2025-11-23", "2026-11-23"), Age::new(12, 0));
        assert_eq!(age("2025-11-23", "2026-11-22"), Age::new(11, 30));
        // Born on the 31st: the month birthday in February is its last day.
        assert_eq!(age("2026-01-31", "2026-02-27"), Age::new(0, 27));
        assert_eq!(age("2026-01-31", "2026-02-28"), Age::new(1, 0));
        assert_eq!(age("2026-01-31", "2026-03-01"), Age::new(1, 1));
        assert_eq!(age("2026-01-31", "2026-03-30"), Age::new(1, 30));
        assert_eq!(age("2026-01-31", "2026-03-31"), Age::new(2, 0));
        // Leap day birthdays.
        assert_eq!(age("2024-02-29", "2025-02-28"), Age::new(12, 0));
        assert_eq!(age("2024-02-29", "2025-02-27"), Age::new(11, 29));
        assert_eq!(calendar_age(d("2026-01-02"), d("2026-01-01")), None);
    }

    fn asq_like() -> Correction {
        Correction {
            term_weeks: 40,
            min_weeks_early: 3,
            until_months: 24,
            rounding: EarlyRounding::Days,
            source: None,
        }
    }

    #[test]
    fn the_three_week_boundary() {
        let rule = asq_like();
        // 37+0 is exactly 3 weeks early: corrected by 21 days.
        assert_eq!(rule.early_days(Gestation::new(37, 0)), 21);
        // 37+1 is 20 days early: not corrected.
        assert_eq!(rule.early_days(Gestation::new(37, 1)), 0);
        assert_eq!(rule.early_days(Gestation::new(36, 4)), 24);
        assert_eq!(rule.early_days(Gestation::new(40, 0)), 0);
        assert_eq!(rule.early_days(Gestation::new(42, 0)), 0);
        let floor = Correction {
            rounding: EarlyRounding::FloorWeeks,
            ..asq_like()
        };
        assert_eq!(floor.early_days(Gestation::new(36, 4)), 21);
        assert_eq!(floor.early_days(Gestation::new(37, 1)), 0);
        let nearest = Correction {
            rounding: EarlyRounding::NearestWeeks,
            ..asq_like()
        };
        // 2 weeks 4 days rounds to 3 weeks: corrected.
        assert_eq!(nearest.early_days(Gestation::new(37, 3)), 21);
        assert_eq!(nearest.early_days(Gestation::new(37, 4)), 0);
    }

    #[test]
    fn the_24_month_boundary() {
        let rule = asq_like();
        let born = d("2024-01-15");
        let gestation = Some(Gestation::new(32, 0)); // 8 weeks early
        // One day before 24 months chronological age: corrected by 56 days.
        let age = age_from_dates(born, d("2026-01-14"), gestation, Some(&rule)).unwrap();
        assert_eq!(age.chronological, Age::new(23, 30));
        assert_eq!(age.early_days, 56);
        assert_eq!(age.corrected, Some(Age::new(22, 3)));
        // At 24 months 0 days: no longer corrected.
        let age = age_from_dates(born, d("2026-01-15"), gestation, Some(&rule)).unwrap();
        assert_eq!(age.chronological, Age::new(24, 0));
        assert_eq!(age.corrected, None);
        assert_eq!(age.used(), Age::new(24, 0));
    }

    #[test]
    fn corrected_age_counts_from_the_due_date() {
        let rule = asq_like();
        let age = age_from_dates(
            d("2026-01-01"),
            d("2026-07-01"),
            Some(Gestation::new(36, 0)),
            Some(&rule),
        )
        .unwrap();
        // Due 28 days later, on 29 January; 29 June is 5 months after it,
        // and 1 July 2 days after that.
        assert_eq!(age.chronological, Age::new(6, 0));
        assert_eq!(age.corrected, Some(Age::new(5, 2)));
        // No gestation, or no rule: no correction.
        let plain = age_from_dates(d("2026-01-01"), d("2026-07-01"), None, Some(&rule)).unwrap();
        assert_eq!(plain.corrected, None);
        let none = age_from_dates(
            d("2026-01-01"),
            d("2026-07-01"),
            Some(Gestation::new(30, 0)),
            None,
        )
        .unwrap();
        assert_eq!(none.corrected, None);
    }

    #[test]
    fn impossible_ages() {
        let rule = asq_like();
        assert!(matches!(
            age_from_dates(d("2026-03-01"), d("2026-01-01"), None, None),
            Err(AgeError::ScreenedBeforeBirth { .. })
        ));
        // Screened 10 days after a birth 8 weeks early: before term.
        assert_eq!(
            age_from_dates(
                d("2026-03-01"),
                d("2026-03-11"),
                Some(Gestation::new(32, 0)),
                Some(&rule)
            ),
            Err(AgeError::BeforeTerm { days: 46 })
        );
    }

    #[test]
    fn ages_in_months() {
        let rule = asq_like();
        assert_eq!(
            age_from_months("6", None, Some(&rule))
                .unwrap()
                .chronological,
            Age::new(6, 0)
        );
        assert_eq!(
            age_from_months("6,5", None, None).unwrap().chronological,
            Age::new(6, 15)
        );
        let early = age_from_months("6", Some(Gestation::new(36, 0)), Some(&rule)).unwrap();
        assert_eq!(early.corrected, Some(Age::new(5, 2)));
        for bad in ["", "x", "-1", "NaN", "inf"] {
            assert!(age_from_months(bad, None, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn gestations() {
        assert_eq!(Gestation::parse("36+4").unwrap().days(), 256);
        assert_eq!(Gestation::parse(" 40 ").unwrap().days(), 280);
        assert_eq!(Gestation::parse("36 + 4").unwrap().to_string(), "36+4");
        for bad in ["36.4", "36+7", "x", "", "12", "50", "+3"] {
            assert!(Gestation::parse(bad).is_err(), "{bad}");
        }
    }
}
