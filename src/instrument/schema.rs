//! The YAML form of an instrument definition, as written by its author.
//!
//! These types mirror the file one to one and keep the position of every
//! identifier, so that [`super::build`] can point at the exact spot when a
//! reference is wrong. Unknown keys are errors everywhere.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::yaml::Spanned;

/// Labels keyed by language code (`nb`, `sv`, `en`).
pub type RawLabel = Spanned<BTreeMap<String, String>>;

/// A whole instrument file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInstrument {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub name: RawLabel,
    pub version: String,
    pub citation: String,
    pub licence: String,
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub description: Option<RawLabel>,
    #[schemars(with = "Vec<String>")]
    pub languages: Spanned<Vec<String>>,
    #[serde(default)]
    pub respondents: Vec<String>,
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
    #[serde(default)]
    pub option_sets: BTreeMap<String, Vec<RawOption>>,
    pub items: Vec<RawItem>,
    #[serde(default)]
    pub scales: Vec<RawScale>,
    #[serde(default)]
    pub flags: Vec<RawFlag>,
    #[serde(default)]
    pub examples: Vec<RawExample>,
    /// Invented for tests and demonstrations: not a clinical instrument.
    #[serde(default)]
    pub synthetic: bool,
    /// The default concern mark of every item (age-banded questionnaires).
    #[serde(default)]
    pub concern: Option<RawConcern>,
    /// How the child's age is found and corrected.
    #[serde(default)]
    pub age: Option<RawAge>,
    /// One questionnaire per age window.
    #[serde(default)]
    #[schemars(with = "Option<Vec<RawInterval>>")]
    pub intervals: Option<Spanned<Vec<RawInterval>>>,
    /// The form's skip instructions.
    #[serde(default)]
    pub skips: Vec<RawSkip>,
}

/// A skip instruction: blank items scored as a fixed answer when the
/// deciding items add up to a total.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSkip {
    #[schemars(with = "Vec<String>")]
    pub when: Spanned<Vec<Spanned<String>>>,
    #[schemars(with = "i32")]
    pub total: Spanned<i32>,
    #[schemars(with = "Vec<String>")]
    pub skipped: Spanned<Vec<Spanned<String>>>,
    #[schemars(with = "i32")]
    pub points: Spanned<i32>,
    #[serde(default)]
    pub source: Option<String>,
}

/// A concern mark: a box the respondent ticks that adds points to the item.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConcern {
    #[schemars(with = "i32")]
    pub points: Spanned<i32>,
}

/// The age rule of an age-banded instrument.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAge {
    #[serde(default)]
    pub correction: Option<RawCorrection>,
}

/// Corrected age for children born early.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCorrection {
    #[schemars(with = "u32")]
    pub term_weeks: Spanned<u32>,
    #[schemars(with = "u32")]
    pub min_weeks_early: Spanned<u32>,
    #[schemars(with = "u32")]
    pub until_months: Spanned<u32>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub rounding: Option<Spanned<String>>,
    #[serde(default)]
    pub source: Option<String>,
}

/// An age in months and days, as a window bound.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAgeBound {
    #[schemars(with = "u32")]
    pub months: Spanned<u32>,
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub days: Option<Spanned<u32>>,
}

/// One questionnaire of an age-banded instrument.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInterval {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub label: RawLabel,
    pub from: RawAgeBound,
    pub to: RawAgeBound,
    #[schemars(with = "Vec<String>")]
    pub items: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    pub missing: Option<RawMissing>,
    #[schemars(with = "BTreeMap<String, RawCutoffs>")]
    pub cutoffs: Spanned<BTreeMap<String, RawCutoffs>>,
    #[serde(default)]
    pub source: Option<String>,
}

/// The cutoffs of one scale in one interval: a monitoring zone and a referral cutoff.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCutoffs {
    pub monitoring: RawRange,
    #[schemars(with = "f64")]
    pub referral: Spanned<f64>,
}

/// An inclusive range of scores.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    #[schemars(with = "f64")]
    pub from: Spanned<f64>,
    #[schemars(with = "f64")]
    pub to: Spanned<f64>,
}

/// One question.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub label: RawLabel,
    #[serde(default)]
    #[schemars(with = "Option<Vec<RawOption>>")]
    pub options: Option<Spanned<Vec<RawOption>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub option_set: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
    /// The FHIR `linkId` of the question (imported definitions).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub link_id: Option<Spanned<String>>,
    #[serde(default)]
    pub concern: Option<RawConcern>,
}

/// One answer option, in printed order.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    #[schemars(with = "i32")]
    pub points: Spanned<i32>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub label: RawLabel,
    /// The answer's code (for example a LOINC `LA` code), to match coded answers.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub code: Option<Spanned<String>>,
    /// The code system of `code` (for example `http://loinc.org`).
    #[serde(default)]
    pub system: Option<String>,
}

/// One scale.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub label: RawLabel,
    #[schemars(with = "Vec<String>")]
    pub items: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub method: Option<Spanned<String>>,
    #[serde(default)]
    pub missing: Option<RawMissing>,
    #[serde(default)]
    pub bands: Vec<RawBand>,
    #[serde(default)]
    pub source: Option<String>,
    /// Standard codes of the score (for example the LOINC total-score code).
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
    /// Column names or FHIR linkIds that hold a value of this scale stored by
    /// the source system (a REDCap calc field, a Questionnaire's total item).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub stored: Vec<Spanned<String>>,
}

/// A scale's missing-data policy.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMissing {
    #[serde(default)]
    #[schemars(with = "Option<usize>")]
    pub max_missing: Option<Spanned<usize>>,
    #[serde(default)]
    pub prorate: bool,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub rounding: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub required: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<usize>")]
    pub prorate_from: Option<Spanned<usize>>,
    #[serde(default)]
    pub source: Option<String>,
}

/// A band of scores: an inclusive range with a name.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Absent in age-banded instruments, whose intervals set the ranges.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub from: Option<Spanned<f64>>,
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub to: Option<Spanned<f64>>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub label: RawLabel,
}

/// A critical-item flag.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFlag {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "String")]
    pub item: Spanned<String>,
    #[schemars(with = "i32")]
    pub at_least: Spanned<i32>,
    #[serde(default)]
    pub urgent: bool,
    #[schemars(with = "BTreeMap<String, String>")]
    pub label: RawLabel,
    #[schemars(with = "BTreeMap<String, String>")]
    pub action: RawLabel,
    #[serde(default)]
    pub source: Option<String>,
}

/// A known-answer example that `stepcare verify` checks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExample {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub values: Option<Spanned<String>>,
    #[schemars(with = "HashMap<String, Option<i64>>")]
    pub answers: HashMap<Spanned<String>, Option<Spanned<i64>>>,
    pub expect: RawExpect,
    /// Items whose concern box is ticked.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub concerns: Vec<Spanned<String>>,
    /// The interval to score in, instead of an age.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub interval: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub birth_date: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub screening_date: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub gestational_weeks: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub age_months: Option<Spanned<String>>,
}

/// What an example must produce.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub status: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "HashMap<String, RawExpectScale>")]
    pub scales: HashMap<Spanned<String>, RawExpectScale>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub flags: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub interval: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub age: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub corrected_age: Option<Spanned<String>>,
}

/// The expected score and band of one scale.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpectScale {
    pub score: Option<f64>,
    #[serde(default)]
    pub band: Option<String>,
}
