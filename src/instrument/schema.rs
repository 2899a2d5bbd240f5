//! The YAML form of an instrument definition, as written by its author.
//!
//! These types mirror the file one to one and keep the position of every
//! identifier, so that [`super::build`] can point at the exact spot when a
//! reference is wrong. Unknown keys are errors everywhere.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::yaml::Spanned;

/// Labels keyed by language code (`nb`, `sv`, `en`).
pub type RawLabel = Spanned<BTreeMap<String, String>>;

/// A whole instrument file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInstrument {
    pub id: Spanned<String>,
    pub name: RawLabel,
    pub version: String,
    pub citation: String,
    pub licence: String,
    #[serde(default)]
    pub description: Option<RawLabel>,
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
}

/// One question.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    pub id: Spanned<String>,
    pub label: RawLabel,
    #[serde(default)]
    pub options: Option<Spanned<Vec<RawOption>>>,
    #[serde(default)]
    pub option_set: Option<Spanned<String>>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
}

/// One answer option, in printed order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    pub points: Spanned<i32>,
    pub label: RawLabel,
}

/// One scale.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScale {
    pub id: Spanned<String>,
    pub label: RawLabel,
    pub items: Vec<Spanned<String>>,
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    #[serde(default)]
    pub missing: Option<RawMissing>,
    #[serde(default)]
    pub bands: Vec<RawBand>,
    #[serde(default)]
    pub source: Option<String>,
}

/// A scale's missing-data policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMissing {
    #[serde(default)]
    pub max_missing: Option<Spanned<usize>>,
    #[serde(default)]
    pub prorate: bool,
    #[serde(default)]
    pub rounding: Option<Spanned<String>>,
    #[serde(default)]
    pub required: Vec<Spanned<String>>,
    #[serde(default)]
    pub source: Option<String>,
}

/// A band of scores: an inclusive range with a name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    pub id: Spanned<String>,
    pub from: Spanned<f64>,
    pub to: Spanned<f64>,
    pub label: RawLabel,
}

/// A critical-item flag.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFlag {
    pub id: Spanned<String>,
    pub item: Spanned<String>,
    pub at_least: Spanned<i32>,
    #[serde(default)]
    pub urgent: bool,
    pub label: RawLabel,
    pub action: RawLabel,
    #[serde(default)]
    pub source: Option<String>,
}

/// A known-answer example that `stepcare verify` checks.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExample {
    pub name: Spanned<String>,
    #[serde(default)]
    pub values: Option<Spanned<String>>,
    pub answers: HashMap<Spanned<String>, Option<Spanned<i64>>>,
    pub expect: RawExpect,
}

/// What an example must produce.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    #[serde(default)]
    pub status: Option<Spanned<String>>,
    #[serde(default)]
    pub scales: HashMap<Spanned<String>, RawExpectScale>,
    #[serde(default)]
    pub flags: Option<Vec<Spanned<String>>>,
}

/// The expected score and band of one scale.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpectScale {
    pub score: Option<f64>,
    #[serde(default)]
    pub band: Option<String>,
}
