//! Screening instruments: items, answer options with points, scales, bands and flags.
//!
//! An [`Instrument`] is always loaded from a YAML definition (see
//! `docs/instrument-format.md`); nothing clinical is hard-coded. Keying is
//! explicit: every option lists its points in printed order, so a
//! reverse-keyed item simply lists `3, 2, 1, 0`.

pub mod age;
mod banding;
mod build;
mod reachable;
pub(crate) use reachable::score_from as reachable_score_from;
pub(crate) mod schema;

use std::collections::BTreeMap;

pub use banding::{
    AgeBanding, AgeWindow, Interval, OutsideIntervals, describe_age_banding, describe_missing,
};
pub use build::{fmt_score, load_instrument, one_of};

use crate::lang::{Lang, Localized};

/// A validated screening instrument.
#[derive(Debug, Clone)]
pub struct Instrument {
    /// Stable identifier (`epds`), part of the command-line interface.
    pub id: String,
    /// Full name per language.
    pub name: Localized,
    /// Version of the definition (or of the instrument it encodes).
    pub version: String,
    /// The primary source of items, scoring and cutoffs.
    pub citation: String,
    /// What may be shipped of the instrument, and who holds the rights to its wording.
    pub licence: String,
    /// An optional longer description.
    pub description: Option<Localized>,
    /// Languages every label is written in.
    pub languages: Vec<Lang>,
    /// Who may answer (for example `mother`, `partner`); empty when anyone may.
    pub respondents: Vec<String>,
    /// Standard codes (for example `loinc`).
    pub codes: BTreeMap<String, String>,
    /// The questions, in printed order.
    pub items: Vec<Item>,
    /// The scales computed from the items.
    pub scales: Vec<Scale>,
    /// Critical-item flags.
    pub flags: Vec<Flag>,
    /// Known-answer examples.
    pub examples: Vec<Example>,
    /// The file the definition came from.
    pub source_path: String,
    /// Invented for tests and demonstrations: NOT a clinical instrument.
    pub synthetic: bool,
    /// Per item (in the items' order), the points a ticked concern box adds;
    /// `None` when the item has no concern box.
    pub concerns: Vec<Option<i32>>,
    /// For an age-banded instrument (one questionnaire per age window), the
    /// age rule and the intervals; `None` for every other instrument.
    pub age_banding: Option<AgeBanding>,
    /// The form's skip instructions: blank items scored as a fixed answer
    /// when earlier answers told the respondent to skip them.
    pub skips: Vec<Skip>,
}

/// A skip instruction printed on the form ("if never, go to question 9"):
/// when the deciding items are answered and their points add up to `total`,
/// each skipped item left blank is scored as the option that scores `points`.
///
/// An answered skipped item keeps its answer, and an invalid one stays
/// invalid: only a blank is filled in. Every deciding item comes before every
/// skipped item in printed order, which the loader checks, so skips resolve
/// in one pass in printed order and can build on each other (an item filled
/// in by one skip may decide another).
#[derive(Debug, Clone, PartialEq)]
pub struct Skip {
    /// The deciding items (indices into the instrument's items).
    pub when: Vec<usize>,
    /// The points the deciding items must add up to.
    pub total: i32,
    /// The skipped items, each with the 0-based printed position of the
    /// option it is scored as.
    pub skipped: Vec<(usize, u8)>,
    /// The points a skipped item scores.
    pub points: i32,
    /// Where the instruction comes from.
    pub source: Option<String>,
}

/// One question of an instrument.
#[derive(Debug, Clone)]
pub struct Item {
    /// Identifier within the instrument (`q1`).
    pub id: String,
    /// A short label in the project's own words, per language.
    pub label: Localized,
    /// Answer options in printed order.
    pub options: Vec<AnswerOption>,
    /// Other column names this item is known by in exports.
    pub aliases: Vec<String>,
    /// Standard codes (for example `loinc`).
    pub codes: BTreeMap<String, String>,
    /// The FHIR `linkId` the question has in its Questionnaire, when known.
    pub link_id: Option<String>,
}

impl Item {
    /// The lowest points any option gives.
    pub fn min_points(&self) -> i32 {
        self.options.iter().map(|o| o.points).min().unwrap_or(0)
    }

    /// The highest points any option gives.
    pub fn max_points(&self) -> i32 {
        self.options.iter().map(|o| o.points).max().unwrap_or(0)
    }

    /// Whether the points fall as the printed position rises (a reverse-keyed item).
    pub fn is_reverse_keyed(&self) -> bool {
        self.options.len() > 1
            && self.options[0].points > self.options[self.options.len() - 1].points
    }
}

/// One answer option of an item.
#[derive(Debug, Clone)]
pub struct AnswerOption {
    /// Points this option scores.
    pub points: i32,
    /// A short label in the project's own words, per language.
    pub label: Localized,
    /// The answer's code (for example LOINC `LA6568-5`), to match coded answers.
    pub code: Option<String>,
    /// The code system of `code` (for example `http://loinc.org`).
    pub system: Option<String>,
}

/// How a scale combines its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleMethod {
    /// The sum of the items' points.
    Sum,
    /// The mean of the answered items' points.
    Mean,
}

/// How a prorated score is rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Halves away from zero (12.5 becomes 13).
    HalfUp,
    /// Down to the integer below.
    Floor,
    /// Up to the integer above.
    Ceil,
    /// Not rounded.
    None,
}

impl Rounding {
    /// Applies the rounding rule.
    pub fn apply(self, value: f64) -> f64 {
        match self {
            Rounding::HalfUp => value.round(),
            Rounding::Floor => value.floor(),
            Rounding::Ceil => value.ceil(),
            Rounding::None => value,
        }
    }
}

/// What a scale does when answers are missing.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingPolicy {
    /// The most items that may be missing for a score to be computed.
    pub max_missing: usize,
    /// For sums: scale the sum of the answered items up to all items, with this rounding.
    pub prorate: Option<Rounding>,
    /// Items (indices into the instrument's items) that must be answered.
    pub required: Vec<usize>,
    /// Prorate (adjust) only when at least this many items are missing; with
    /// fewer, the score is the answered items' sum (1 unless the definition says).
    pub prorate_from: usize,
    /// Where the policy comes from.
    pub source: Option<String>,
}

/// A score computed from a set of items, with its bands.
#[derive(Debug, Clone)]
pub struct Scale {
    /// Identifier within the instrument (`total`).
    pub id: String,
    /// A short label per language.
    pub label: Localized,
    /// Indices into the instrument's items.
    pub items: Vec<usize>,
    /// Sum or mean.
    pub method: ScaleMethod,
    /// What happens when answers are missing.
    pub missing: MissingPolicy,
    /// Named score ranges; they cover every reachable score exactly once (or are empty).
    pub bands: Vec<Band>,
    /// Where the cutoffs come from.
    pub source: Option<String>,
    /// Standard codes of the score (for example `loinc` for the total-score code).
    pub codes: BTreeMap<String, String>,
    /// Column names or FHIR linkIds holding a value of this scale stored by the source system.
    pub stored: Vec<String>,
}

impl Scale {
    /// The band a score falls in, if the scale has bands.
    pub fn band_of(&self, score: f64) -> Option<usize> {
        self.bands
            .iter()
            .position(|band| band.from <= score && score <= band.to)
    }

    /// Every score this scale can produce, ascending.
    pub fn reachable_scores(&self, items: &[Item]) -> Vec<f64> {
        reachable::reachable_scores(self, items)
    }

    /// Every score this scale can produce when a ticked concern box adds
    /// `concerns[item]` points to an answered item, ascending.
    pub fn reachable_scores_with_concerns(
        &self,
        items: &[Item],
        concerns: &[Option<i32>],
    ) -> Vec<f64> {
        reachable::reachable_scores_with(self, items, concerns)
    }
}

/// A named, inclusive range of scale scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Identifier (`probable`).
    pub id: String,
    /// Lowest score in the band.
    pub from: f64,
    /// Highest score in the band.
    pub to: f64,
    /// A short label per language.
    pub label: Localized,
}

/// A critical item: raised when the item's points reach a threshold, whatever the total.
#[derive(Debug, Clone)]
pub struct Flag {
    /// Identifier (`self_harm`).
    pub id: String,
    /// Index into the instrument's items.
    pub item: usize,
    /// The flag is raised when the item scores at least this many points.
    pub at_least: i32,
    /// Whether the flag calls for action the same day.
    pub urgent: bool,
    /// A short label per language.
    pub label: Localized,
    /// What the clinician should do, per language.
    pub action: Localized,
    /// Where the rule comes from.
    pub source: Option<String>,
}

/// How cells or example answers express an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueKind {
    /// The points the option scores.
    #[default]
    Points,
    /// The 1-based printed position of the option.
    Position,
    /// The option's label in any language.
    Label,
}

/// A known-answer example: answers and what they must score.
#[derive(Debug, Clone)]
pub struct Example {
    /// What the example shows.
    pub name: String,
    /// The chosen option (index) for each item, `None` when unanswered.
    pub answers: Vec<Option<usize>>,
    /// The expected status (`ok` or `incomplete`), when stated.
    pub status: Option<String>,
    /// Expected score (or `None` for no score) and band per scale id.
    pub scales: Vec<(String, Option<f64>, Option<String>)>,
    /// Expected flags, when stated (an empty list means none).
    pub flags: Option<Vec<String>>,
    /// Where the example is in the file (line).
    pub line: usize,
    /// Per item, whether its concern box is ticked.
    pub concerns: Vec<bool>,
    /// The interval to score in (age-banded instruments), given directly or found from the age.
    pub interval: Option<ExampleInterval>,
    /// The expected interval id, age and corrected age (`none` when not corrected), when stated.
    pub expect_age: (Option<String>, Option<String>, Option<String>),
}

/// How an example of an age-banded instrument chooses its interval.
#[derive(Debug, Clone, PartialEq)]
pub enum ExampleInterval {
    /// This interval (an index into the intervals).
    Given(usize),
    /// The interval for this child's age.
    Age(age::AgeFacts),
}

impl Instrument {
    /// The item with this id.
    pub fn item_index(&self, id: &str) -> Option<usize> {
        self.items.iter().position(|item| item.id == id)
    }

    /// The scale with this id.
    pub fn scale_index(&self, id: &str) -> Option<usize> {
        self.scales.iter().position(|scale| scale.id == id)
    }

    /// The flag with this id.
    pub fn flag_index(&self, id: &str) -> Option<usize> {
        self.flags.iter().position(|flag| flag.id == id)
    }

    /// The interval with this id (age-banded instruments).
    pub fn interval_index(&self, id: &str) -> Option<usize> {
        self.age_banding.as_ref()?.interval_index(id)
    }

    /// The scales that score an answer set: an interval's own scales for an
    /// age-banded instrument (`None` when there is no such interval), else the
    /// instrument's.
    pub fn scales_in(&self, interval: Option<usize>) -> Option<&[Scale]> {
        match (&self.age_banding, interval) {
            (None, _) => Some(&self.scales),
            (Some(banding), Some(index)) => banding.intervals.get(index).map(|i| &i.scales[..]),
            (Some(_), None) => None,
        }
    }

    /// Whether some item has a concern box.
    pub fn has_concerns(&self) -> bool {
        self.concerns.iter().any(Option::is_some)
    }
}

/// A column name reduced to what header matching compares: lower-case letters and digits.
///
/// `EPDS 1`, `epds-1` and `Epds1` all become `epds1`.
pub fn column_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
