//! The time point of a screen: pregnancy or after birth, and the week within it.
//!
//! A rule table's `type: period` and `type: week` inputs are read from a cell
//! of their own name when the input has one; otherwise they are worked out
//! per row from the screening date and the due date (termin) or the child's
//! birth date, or from a column giving the week of pregnancy or the weeks
//! since birth. A row where nothing tells the time point reads as blank,
//! which the rules must cover like any other value.

use crate::batch::ages::{BIRTH_DATE_NAMES, SCREENING_DATE_NAMES};
use crate::instrument::age::Date;

use super::MAX_WEEK;

/// Headers that hold the due date (termin).
pub const DUE_DATE_NAMES: &[&str] = &[
    "due_date",
    "termin",
    "termindato",
    "terminsdatum",
    "edd",
    "expected_delivery_date",
];

/// Headers that hold the week of pregnancy at the screen.
pub const PREGNANCY_WEEK_NAMES: &[&str] = &[
    "pregnancy_week",
    "weeks_pregnant",
    "svangerskapsveke",
    "graviditetsvecka_vid_screening",
];

/// Headers that hold the whole weeks since birth at the screen.
pub const WEEKS_SINCE_BIRTH_NAMES: &[&str] =
    &["weeks_since_birth", "weeks_postpartum", "uker_etter_fodsel"];

/// Extra names for the screening date beyond the batch's (`date` of a saved visit).
const MORE_SCREENING_NAMES: &[&str] = &["date", "visit"];

/// A pregnancy longer than this (in weeks) is not believed without a birth date.
const LONGEST_PREGNANCY: i64 = 45;

/// Where the time point of a row can be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeColumns {
    /// The screening date.
    pub screening: Option<usize>,
    /// The due date.
    pub due: Option<usize>,
    /// The child's birth date.
    pub birth: Option<usize>,
    /// The week of pregnancy.
    pub pregnancy_week: Option<usize>,
    /// The weeks since birth.
    pub weeks_since_birth: Option<usize>,
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|name| headers.iter().position(|h| key(h) == *name))
}

impl TimeColumns {
    /// Finds the columns in a header.
    pub fn find(headers: &[String]) -> TimeColumns {
        TimeColumns {
            screening: find(headers, SCREENING_DATE_NAMES)
                .or_else(|| find(headers, MORE_SCREENING_NAMES)),
            due: find(headers, DUE_DATE_NAMES),
            birth: find(headers, BIRTH_DATE_NAMES),
            pregnancy_week: find(headers, PREGNANCY_WEEK_NAMES),
            weeks_since_birth: find(headers, WEEKS_SINCE_BIRTH_NAMES),
        }
    }

    /// Whether any column tells the time point.
    pub fn any(&self) -> bool {
        self.due.is_some()
            || self.birth.is_some()
            || self.pregnancy_week.is_some()
            || self.weeks_since_birth.is_some()
    }

    /// The time point of one row: (period, week), `None` where nothing tells it.
    /// Period 0 is pregnancy, 1 after birth. A cell that cannot be read is an
    /// error, so the caller can report it.
    pub fn read<'c>(&self, cell: impl Fn(usize) -> &'c [u8]) -> Result<Option<TimePoint>, String> {
        let text = |column: Option<usize>| -> Option<String> {
            column
                .map(|c| String::from_utf8_lossy(cell(c)).trim().to_owned())
                .filter(|t| !t.is_empty())
        };
        let date = |column: Option<usize>, what: &str| -> Result<Option<Date>, String> {
            match text(column) {
                None => Ok(None),
                Some(t) => Date::parse(&t)
                    .map(Some)
                    .map_err(|e| format!("{what} `{t}`: {e}")),
            }
        };
        let week = |column: Option<usize>, what: &str| -> Result<Option<u32>, String> {
            match text(column) {
                None => Ok(None),
                Some(t) => t
                    .split(['+', ' '])
                    .next()
                    .and_then(|w| w.parse::<u32>().ok())
                    .map(Some)
                    .ok_or_else(|| format!("{what} `{t}` is not a whole number of weeks")),
            }
        };
        let screening = date(self.screening, "screening date")?;
        let birth = date(self.birth, "birth date")?;
        let due = date(self.due, "due date")?;
        if let (Some(on), Some(birth)) = (screening, birth)
            && on.day_number() >= birth.day_number()
        {
            let weeks = (on.day_number() - birth.day_number()) / 7;
            return Ok(Some(TimePoint::after_birth(weeks)));
        }
        if let (Some(on), Some(due)) = (screening, due) {
            // Gestational age: 40 weeks on the due date.
            let days = 280 - (due.day_number() - on.day_number());
            if (0..LONGEST_PREGNANCY * 7).contains(&days) && birth.is_none() {
                return Ok(Some(TimePoint::pregnancy(days / 7)));
            }
        }
        if let Some(w) = week(self.pregnancy_week, "pregnancy week")? {
            return Ok(Some(TimePoint::pregnancy(i64::from(w))));
        }
        if let Some(w) = week(self.weeks_since_birth, "weeks since birth")? {
            return Ok(Some(TimePoint::after_birth(i64::from(w))));
        }
        Ok(None)
    }
}

/// When a screen took place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimePoint {
    /// 0 pregnancy, 1 after birth.
    pub period: u16,
    /// The whole week within the period, at most [`MAX_WEEK`].
    pub week: u32,
}

impl TimePoint {
    fn pregnancy(week: i64) -> TimePoint {
        TimePoint {
            period: 0,
            week: u32::try_from(week.clamp(0, i64::from(MAX_WEEK))).unwrap_or(MAX_WEEK),
        }
    }

    fn after_birth(week: i64) -> TimePoint {
        TimePoint {
            period: 1,
            week: u32::try_from(week.clamp(0, i64::from(MAX_WEEK))).unwrap_or(MAX_WEEK),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(headers: &[&str], cells: &[&str]) -> Result<Option<TimePoint>, String> {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        TimeColumns::find(&headers).read(|c| cells[c].as_bytes())
    }

    #[test]
    fn the_time_point_comes_from_the_dates() {
        // 40 weeks on the due date: 20 weeks before it is week 20.
        assert_eq!(
            read(
                &["screening_date", "due_date"],
                &["2026-06-01", "2026-10-19"]
            ),
            Ok(Some(TimePoint {
                period: 0,
                week: 20
            }))
        );
        // Six weeks and three days after birth is week 6.
        assert_eq!(
            read(
                &["screening_date", "birth_date"],
                &["2026-06-01", "2026-04-17"]
            ),
            Ok(Some(TimePoint { period: 1, week: 6 }))
        );
        // A birth date wins over the due date once the child is born.
        assert_eq!(
            read(
                &["screening_date", "due_date", "birth_date"],
                &["2026-06-01", "2026-04-20", "2026-04-17"]
            ),
            Ok(Some(TimePoint { period: 1, week: 6 }))
        );
        assert_eq!(
            read(&["pregnancy_week"], &["28+3"]),
            Ok(Some(TimePoint {
                period: 0,
                week: 28
            }))
        );
        assert_eq!(
            read(&["weeks_since_birth"], &["8"]),
            Ok(Some(TimePoint { period: 1, week: 8 }))
        );
        assert_eq!(read(&["screening_date"], &["2026-06-01"]), Ok(None));
        assert!(read(&["screening_date", "due_date"], &["2026-06-01", "soon"]).is_err());
        // Long after the due date with no birth date: unknown, not a guess.
        assert_eq!(
            read(
                &["screening_date", "due_date"],
                &["2026-06-01", "2026-01-01"]
            ),
            Ok(None)
        );
    }
}
