//! The YAML form of a rule table, as its owner writes it.
//!
//! These types mirror the file one to one and keep the position of every
//! identifier and condition, so that [`super::build`] can point at the exact
//! spot when something is wrong. Unknown keys are errors everywhere.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use crate::yaml::Spanned;

/// Texts keyed by language code (`nb`, `sv`, `en`).
pub type RawLabel = Spanned<BTreeMap<String, String>>;

/// A list of ids, each with its place in the file.
pub type RawIds = Spanned<Vec<Spanned<String>>>;

/// A whole rule-table file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub name: RawLabel,
    pub version: String,
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub description: Option<RawLabel>,
    #[schemars(with = "Vec<String>")]
    pub languages: Spanned<Vec<String>>,
    #[serde(default)]
    pub source: Option<String>,
    #[schemars(with = "Vec<String>")]
    pub instruments: Spanned<Vec<Spanned<String>>>,
    /// Names in `instruments` that stand for the first of several definitions
    /// the catalog holds (`child_se: [se-local, se-demo]`).
    #[serde(default)]
    #[schemars(with = "HashMap<String, Vec<String>>")]
    pub first_available: HashMap<Spanned<String>, RawIds>,
    #[schemars(with = "Vec<RawLevel>")]
    pub levels: Spanned<Vec<RawLevel>>,
    #[serde(default)]
    pub urgent: Option<RawUrgent>,
    #[serde(default)]
    pub referrals: Vec<RawReferral>,
    pub inputs: Vec<RawInput>,
    #[schemars(with = "Vec<RawRule>")]
    pub rules: Spanned<Vec<RawRule>>,
    /// The planned screenings.
    #[serde(default)]
    pub schedule: Vec<RawScreening>,
}

/// One planned screening of a schedule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScreening {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub name: RawLabel,
    #[schemars(with = "String")]
    pub instrument: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub respondent: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<u32>>")]
    pub pregnancy_weeks: Option<Spanned<Vec<u32>>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<u32>>")]
    pub weeks_after_birth: Option<Spanned<Vec<u32>>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<u32>>")]
    pub child_months: Option<Spanned<Vec<u32>>>,
    #[serde(default)]
    pub when_indicated: bool,
    #[serde(default)]
    pub local_choice: bool,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub source: Option<Spanned<String>>,
}

/// One care level.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLevel {
    #[schemars(with = "i64")]
    pub level: Spanned<i64>,
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub name: RawLabel,
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub description: Option<RawLabel>,
}

/// How the urgent override is named.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUrgent {
    #[schemars(with = "BTreeMap<String, String>")]
    pub name: RawLabel,
}

/// One referral target.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReferral {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "BTreeMap<String, String>")]
    pub name: RawLabel,
    #[schemars(with = "BTreeMap<String, String>")]
    pub what: RawLabel,
    #[schemars(with = "BTreeMap<String, String>")]
    pub timeframe: RawLabel,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// One input rules may test.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInput {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub label: Option<RawLabel>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub scale: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub flag: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub complete: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub column: Option<Spanned<String>>,
    #[serde(default, rename = "type")]
    #[schemars(with = "Option<String>")]
    pub kind: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub values: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub blank: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub required: Option<Spanned<bool>>,
}

/// One rule.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "HashMap<String, RawCondition>")]
    pub when: HashMap<Spanned<String>, Spanned<RawCondition>>,
    #[serde(default)]
    #[schemars(with = "Option<LevelSchema>")]
    pub level: Option<Spanned<String>>,
    #[serde(default)]
    pub urgent: bool,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub referrals: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub advice: Option<RawLabel>,
    /// A pending action shown next to the level ("complete the EPDS").
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub action: Option<RawLabel>,
    /// When to screen again: `{after_weeks: [2, 4]}` or `{after_days: [7, 14]}`.
    #[serde(default)]
    #[schemars(with = "Option<RawRescreen>")]
    pub rescreen: Option<Spanned<RawRescreen>>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub source: Option<Spanned<String>>,
}

/// When to screen again after a rule matched: a window after the screen.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRescreen {
    #[serde(default)]
    pub after_weeks: Option<Vec<u32>>,
    #[serde(default)]
    pub after_days: Option<Vec<u32>>,
}

/// A condition as written: one scalar (`">=13"`, `probable`, `true`, `12`), or a
/// YAML list of them (`[10..12]`, `[mother, partner]`), which means "any of".
#[derive(Debug, Clone, PartialEq)]
pub enum RawCondition {
    /// One unary test, possibly itself a comma-separated list.
    Text(String),
    /// Several unary tests, any of which may hold.
    List(Vec<String>),
}

impl RawCondition {
    /// The condition as one DMN unary-test string.
    pub fn as_text(&self) -> String {
        match self {
            RawCondition::Text(text) => text.clone(),
            RawCondition::List(items) if items.len() == 1 && items[0].contains("..") => {
                format!("[{}]", items[0])
            }
            RawCondition::List(items) => items.join(", "),
        }
    }
}

struct ConditionVisitor;

fn float_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

impl<'de> Visitor<'de> for ConditionVisitor {
    type Value = RawCondition;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a condition such as \">=13\", [10..12], probable, true or -")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(float_text(v)))
    }

    // `~` (null) is refused as an empty condition by the parser, never read
    // as "anything": write `-` for that.
    fn visit_unit<E: de::Error>(self) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(String::new()))
    }

    fn visit_none<E: de::Error>(self) -> Result<RawCondition, E> {
        Ok(RawCondition::Text(String::new()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawCondition, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<RawCondition>()? {
            match item {
                RawCondition::Text(text) => items.push(text),
                RawCondition::List(_) => {
                    return Err(de::Error::custom(
                        "a condition list cannot contain another list",
                    ));
                }
            }
        }
        Ok(RawCondition::List(items))
    }
}

/// What a rule's `level:` accepts, for the JSON Schema: a level number or its id.
pub struct LevelSchema;

impl JsonSchema for LevelSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleLevel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // The loader reads the level as text, so a number and a level id both work.
        schemars::json_schema!({
            "description": "The care level this rule gives: a number from the table's `levels:` (0-3).",
            "type": ["integer", "string"]
        })
    }
}

impl JsonSchema for RawCondition {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Condition".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // What the visitor above accepts: one scalar, or a list of scalars.
        schemars::json_schema!({
            "description": "A condition: \">=13\", probable, true, - (anything), or a list of them ([10..12], [mother, partner]) meaning any of them.",
            "anyOf": [
                { "type": ["string", "number", "boolean"] },
                { "type": "array", "items": { "type": ["string", "number", "boolean"] } }
            ]
        })
    }
}

impl<'de> Deserialize<'de> for RawCondition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ConditionVisitor)
    }
}
