//! Stepped-care rule tables: what happens after a screen.
//!
//! A [`RuleTable`] is loaded from YAML (see `docs/rule-table-format.md`) and
//! checked against the instrument definitions it names. It declares care
//! [`Level`]s, a catalogue of [`Referral`] targets, the [`Input`]s its rules may
//! test (scale scores, flags, completeness, data columns) and the [`Rule`]s.
//!
//! Hit policy: every rule is evaluated; the level is the highest that a
//! matching rule gives; a rule may add a pending action ("complete the
//! EPDS"), shown next to the level and never instead of it; the result is
//! urgent if any matching rule is urgent; referrals, advice and actions are
//! collected from every matching rule. A partial score (an incomplete form)
//! matches a condition only when every completion of the form would, and
//! the level a completed form could still reach is reported. A flag whose
//! item is unanswered is `unknown`, never `false`. The tool recommends; the
//! clinician decides.
//!
//! Inputs of an instrument that was not scored in a run take the value
//! [`Value::NotScreened`]; a condition on such an input matches only the
//! explicit test `not_screened` (or `-`, or a `not(...)` that excludes it).
//!
//! The score of an age-banded instrument (a child's questionnaire with one
//! form per age interval) is read as its zone, [`Value::Zone`]: rules test the
//! zone's id, and a numeric test on such a score is refused, since the same
//! number falls in different zones at different ages. A table may name an
//! instrument through `first_available` (`child_se: [se-local, se-demo]`), so
//! that a service's licensed definition takes the place of the shipped
//! demonstration when the catalog holds it ([`RuleTable::instrument_names`]).
//!
//! Entry points:
//! - [`load_table`] / [`load_builtin`]: read and check a table;
//! - [`analysis::analyze`]: the exact static analysis behind `stepcare validate`;
//! - [`Evaluator`] (batch) and [`recommend`] (one family, for the visit mode);
//! - [`evaluate::Trace`]: the per-rule explanation behind `stepcare explain`.

pub mod analysis;
mod build;
pub mod condition;
pub mod constants;
pub mod domain;
pub mod evaluate;
pub(crate) mod schema;
pub mod timepoint;

pub use build::{load_builtin, load_table, load_table_with};
pub use condition::{Test, Truth, Value};
pub use evaluate::{
    DataValues, Decision, Evaluator, FiredRule, MissingData, MissingDataError, Outcome,
    PendingAction, Plan, Recommendation, ReferralAdvice, Trace, recommend,
};

use crate::instrument::{Band, Instrument};
use crate::lang::{Lang, Localized};

/// The shipped rule tables: (id, file name, text).
pub const BUILTIN_TABLES: &[(&str, &str, &str)] = &[
    (
        "no-default",
        "no-default.yaml",
        include_str!("../../instruments/rules/no-default.yaml"),
    ),
    (
        "se-default",
        "se-default.yaml",
        include_str!("../../instruments/rules/se-default.yaml"),
    ),
];

/// Where the shipped tables appear in messages.
pub const BUILTIN_PREFIX: &str = "<builtin>/instruments/rules/";

/// A validated rule table.
#[derive(Debug, Clone)]
pub struct RuleTable {
    /// Stable identifier (`no-default`).
    pub id: String,
    /// Name per language.
    pub name: Localized,
    /// Version of the table.
    pub version: String,
    /// A longer description.
    pub description: Option<Localized>,
    /// Languages every text is written in.
    pub languages: Vec<Lang>,
    /// Where the table as a whole comes from.
    pub source: Option<String>,
    /// Ids of the instruments the table uses, in the order written. For a name
    /// of `first_available`, the id of the definition chosen for it.
    pub instruments: Vec<String>,
    /// How the table's inputs name each instrument (same order): its id, or
    /// the `first_available` name it was chosen for (`child_se`).
    pub instrument_names: Vec<String>,
    /// The definitions of those instruments, as checked when the table was loaded.
    pub instrument_defs: Vec<Instrument>,
    /// Care levels, ascending by number.
    pub levels: Vec<Level>,
    /// Name of the urgent override.
    pub urgent_name: Localized,
    /// Referral targets.
    pub referrals: Vec<Referral>,
    /// What rules may test.
    pub inputs: Vec<Input>,
    /// The rules, in file order.
    pub rules: Vec<Rule>,
    /// The planned screenings, in file order.
    pub schedule: Vec<Screening>,
    /// The file the table came from.
    pub source_path: String,
}

/// When a planned screening is due, relative to the family's dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Weeks of pregnancy, both ends included (from the due date: week 40).
    PregnancyWeeks(u32, u32),
    /// Whole weeks after birth, both ends included.
    WeeksAfterBirth(u32, u32),
    /// The child's age in whole months, both ends included.
    ChildMonths(u32, u32),
}

impl Window {
    /// The window's dates, from the due date and the child's birth date as known.
    pub fn dates(
        self,
        due: Option<crate::instrument::age::Date>,
        birth: Option<crate::instrument::age::Date>,
    ) -> Option<(crate::instrument::age::Date, crate::instrument::age::Date)> {
        match self {
            Window::PregnancyWeeks(from, to) => {
                let due = due?;
                // Week w of pregnancy starts (40 - w) weeks before the due date.
                let start = due.add_days(-7 * (40 - i64::from(from)))?;
                let end = due.add_days(-7 * (40 - i64::from(to)) + 6)?;
                Some((start, end))
            }
            Window::WeeksAfterBirth(from, to) => {
                let birth = birth?;
                Some((
                    birth.add_days(7 * i64::from(from))?,
                    birth.add_days(7 * i64::from(to) + 6)?,
                ))
            }
            Window::ChildMonths(from, to) => {
                let birth = birth?;
                let end = birth.add_months(to + 1)?.add_days(-1)?;
                Some((birth.add_months(from)?, end))
            }
        }
    }
}

/// A planned screening: which instrument, for whom, and when.
#[derive(Debug, Clone)]
pub struct Screening {
    /// Identifier (`epds-6w`).
    pub id: String,
    /// Name per language.
    pub name: Localized,
    /// The instrument's id (as chosen for the table).
    pub instrument: String,
    /// Who answers (`mother`, `partner`), or anyone.
    pub respondent: Option<String>,
    /// When.
    pub window: Window,
    /// Offered only when indicated: listed as due, never as overdue.
    pub when_indicated: bool,
    /// A local choice rather than a national recommendation.
    pub local_choice: bool,
    /// Where it comes from.
    pub source: String,
}

/// A care level.
#[derive(Debug, Clone)]
pub struct Level {
    /// Its number (0 universal follow-up, 1-3 rising care).
    pub number: i64,
    /// Identifier (`level_2`).
    pub id: String,
    /// Name per language.
    pub name: Localized,
    /// What the level means.
    pub description: Option<Localized>,
}

/// A place a family may be referred to.
#[derive(Debug, Clone)]
pub struct Referral {
    /// Identifier (`fastlege`).
    pub id: String,
    /// Name per language.
    pub name: Localized,
    /// What it is.
    pub what: Localized,
    /// How soon.
    pub timeframe: Localized,
    /// Whether the service has it; a switched-off target is never recommended.
    pub enabled: bool,
}

/// What an input reads.
#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// A scale's score (tests: numbers, ranges, band ids, `incomplete`). For an
    /// age-banded instrument the value is the zone ([`Value::Zone`]): band ids
    /// are the only tests of its score, since the numbers mean something
    /// different in each age interval.
    Score {
        /// Index into the table's instruments.
        instrument: usize,
        /// Index of the scale in the instrument.
        scale: usize,
    },
    /// A flag (tests: `true`, `false`).
    Flag {
        /// Index into the table's instruments.
        instrument: usize,
        /// Index of the flag in the instrument.
        flag: usize,
    },
    /// Whether every scale of the instrument has a score (tests: `true`, `false`).
    Complete {
        /// Index into the table's instruments.
        instrument: usize,
    },
    /// A data column of the input file (or a value given for the whole run).
    Column(Column),
}

/// A declared data column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's header.
    pub name: String,
    /// What it holds.
    pub kind: ColumnKind,
    /// What a blank cell means; `None` keeps blank as its own value (`blank`).
    pub blank: Option<Value>,
    /// Whether an input file must have the column; an absent optional column
    /// reads as blank in every row.
    pub required: bool,
}

/// The values a data column may hold.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    /// Yes/no (`true`/`false`, `yes`/`no`, `ja`/`nei`, `ja`/`nej`, `1`/`0`, `x`).
    Boolean,
    /// One of these words (matched ignoring case).
    Choice(Vec<String>),
    /// A care level number of this table (for rescreens).
    Level,
    /// The period of the screen: pregnancy or after birth. Read from a cell
    /// of that name, or worked out from the screening date and the due date
    /// (`due_date`) or the child's birth date (`birth_date`), or from a
    /// `gestational_week` or `weeks_since_birth` column.
    Period,
    /// The whole week within the period (the week of pregnancy, or weeks
    /// since birth), 0 to [`MAX_WEEK`]; found the same way as [`ColumnKind::Period`].
    Week,
}

/// The column of a family's due date (termin), as a visit saves it.
pub const DUE_DATE: &str = "due_date";

/// The column of the child's birth date, as a visit saves it.
pub const BIRTH_DATE: &str = "birth_date";

/// The highest week a [`ColumnKind::Week`] input takes: two years after
/// birth; later weeks read as this one.
pub const MAX_WEEK: u32 = 104;

/// The words of a [`ColumnKind::Period`] input, by value index.
pub const PERIODS: [&str; 2] = ["pregnancy", "postpartum"];

/// One input rules may test.
#[derive(Debug, Clone)]
pub struct Input {
    /// Identifier used in rules (`epds`).
    pub id: String,
    /// A short label per language (defaults to the scale, flag or column name).
    pub label: Localized,
    /// What it reads.
    pub kind: InputKind,
}

impl Input {
    /// The instrument (index into the table's list) this input reads, if any.
    pub fn instrument(&self) -> Option<usize> {
        match &self.kind {
            InputKind::Score { instrument, .. }
            | InputKind::Flag { instrument, .. }
            | InputKind::Complete { instrument } => Some(*instrument),
            InputKind::Column(_) => None,
        }
    }
}

/// What a rule says about the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    /// Recommend at least the level at this index of [`RuleTable::levels`].
    Level(usize),
}

/// One condition of a rule.
#[derive(Debug, Clone)]
pub struct Condition {
    /// Index into [`RuleTable::inputs`].
    pub input: usize,
    /// The test as written.
    pub text: String,
    /// The compiled test.
    pub test: Test,
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Identifier (`L2-1`).
    pub id: String,
    /// Conditions; an input not listed is `-` (anything).
    pub conditions: Vec<Condition>,
    /// What it says about the level, if anything.
    pub level: Option<RuleLevel>,
    /// Whether it calls for same-day action.
    pub urgent: bool,
    /// Indices into [`RuleTable::referrals`].
    pub referrals: Vec<usize>,
    /// Advice per language.
    pub advice: Option<Localized>,
    /// A pending action per language ("complete the EPDS"), shown next to
    /// the level, never instead of it.
    pub action: Option<Localized>,
    /// When to screen again: (from, to) in days after the screen.
    pub rescreen: Option<(u32, u32)>,
    /// Where the rule comes from.
    pub source: String,
    /// Line of the rule's id in the file.
    pub line: usize,
}

impl Rule {
    /// Whether every condition holds for these input values (one per input),
    /// whatever the missing answers of a partial score turn out to be.
    pub fn matches(&self, values: &[Value]) -> bool {
        self.conditions
            .iter()
            .all(|c| c.test.matches(&values[c.input]))
    }

    /// The three-valued verdict: [`Truth::Maybe`] when the rule could match
    /// once the missing answers are given.
    pub fn truth(&self, values: &[Value]) -> Truth {
        self.conditions.iter().fold(Truth::True, |acc, c| {
            acc.and(c.test.truth(&values[c.input]))
        })
    }
}

impl RuleTable {
    /// The input with this id.
    pub fn input_index(&self, id: &str) -> Option<usize> {
        self.inputs.iter().position(|i| i.id == id)
    }

    /// The rule with this id.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }

    /// The referral target with this id.
    pub fn referral_index(&self, id: &str) -> Option<usize> {
        self.referrals.iter().position(|r| r.id == id)
    }

    /// Urgent flags of `instruments` that this table cannot see, because it
    /// does not list their instrument, as `instrument.flag`.
    ///
    /// A run that scores such an instrument would lose the flag's urgency in
    /// the recommendation; the commands refuse it, and [`Plan`] treats a
    /// raised uncovered flag as urgent.
    pub fn uncovered_urgent_flags(&self, instruments: &[&Instrument]) -> Vec<String> {
        instruments
            .iter()
            .filter(|i| !self.instruments.contains(&i.id))
            .flat_map(|i| {
                i.flags
                    .iter()
                    .filter(|f| f.urgent)
                    .map(move |f| format!("{}.{}", i.id, f.id))
            })
            .collect()
    }

    /// The bands of the age-banded scale `input` reads, whose ids are its zones;
    /// `None` for any other input.
    pub fn zones(&self, input: usize) -> Option<&[Band]> {
        match &self.inputs[input].kind {
            InputKind::Score { instrument, scale } => {
                let def = &self.instrument_defs[*instrument];
                def.age_banding
                    .as_ref()
                    .map(|_| &def.scales[*scale].bands[..])
            }
            _ => None,
        }
    }

    /// Whether `text` is a value the data column `column` can hold (a
    /// blank is always one); the error says what it can hold. `None` when
    /// the table reads no such column.
    pub fn check_column_value(&self, column: &str, text: &str) -> Option<Result<(), String>> {
        let (_, declared) = self
            .columns()
            .find(|(_, c)| c.name.trim().eq_ignore_ascii_case(column.trim()))?;
        Some(match build::column_value(declared, &self.levels, text) {
            Some(_) => Ok(()),
            None => Err(build::column_values_phrase(declared, &self.levels)),
        })
    }

    /// The data columns the table reads, in input order.
    pub fn columns(&self) -> impl Iterator<Item = (usize, &Column)> {
        self.inputs
            .iter()
            .enumerate()
            .filter_map(|(index, input)| match &input.kind {
                InputKind::Column(column) => Some((index, column)),
                _ => None,
            })
    }

    /// Which of the family's dates the table uses, as (due date, birth date):
    /// its time-point inputs (`type: period` or `week`) read either, its
    /// schedule's pregnancy windows the due date and its other windows the
    /// child's birth date. A visit records these for `stepcare follow-up`.
    pub fn dates_used(&self) -> (bool, bool) {
        let time_inputs = self
            .columns()
            .any(|(_, c)| matches!(c.kind, ColumnKind::Period | ColumnKind::Week));
        let pregnancy = |s: &Screening| matches!(s.window, Window::PregnancyWeeks(..));
        (
            time_inputs || self.schedule.iter().any(pregnancy),
            time_inputs || self.schedule.iter().any(|s| !pregnancy(s)),
        )
    }

    /// The rank of a rule level: its number.
    pub fn rank(&self, level: RuleLevel) -> i64 {
        match level {
            RuleLevel::Level(index) => self.levels[index].number,
        }
    }

    /// A value as people read it, in `lang`.
    pub fn describe_value(&self, input: usize, value: &Value, lang: Lang) -> String {
        use crate::instrument::fmt_score;
        match value {
            Value::NotScreened => phrase(
                lang,
                "not screened",
                "ikke kartlagt",
                "ikkje kartlagt",
                "inte screenad",
            ),
            Value::NoScore => phrase(
                lang,
                "incomplete",
                "ufullstendig",
                "ufullstendig",
                "ofullständig",
            ),
            Value::Partial { low, high } => format!(
                "{} ({} {}-{})",
                phrase(
                    lang,
                    "incomplete",
                    "ufullstendig",
                    "ufullstendig",
                    "ofullständig"
                ),
                phrase(
                    lang,
                    "a completed form would score",
                    "utfylt skjema ville gitt",
                    "eit utfylt skjema ville gitt",
                    "ifyllt formulär skulle ge"
                ),
                fmt_score(*low),
                fmt_score(*high)
            ),
            Value::Unknown => phrase(
                lang,
                "unknown (item not answered)",
                "ukjent (spørsmålet er ikke besvart)",
                "ukjent (spørsmålet er ikkje svart på)",
                "okänd (frågan är obesvarad)",
            ),
            Value::Score(s) | Value::Number(s) => fmt_score(*s),
            Value::Zone(z) => self
                .zones(input)
                .and_then(|bands| bands.get(usize::from(*z)))
                .map_or_else(|| z.to_string(), |band| band.label.get(lang).to_owned()),
            Value::Bool(true) => phrase(lang, "yes", "ja", "ja", "ja"),
            Value::Bool(false) => phrase(lang, "no", "nei", "nei", "nej"),
            Value::Choice(i)
                if matches!(
                    &self.inputs[input].kind,
                    InputKind::Column(Column {
                        kind: ColumnKind::Period,
                        ..
                    })
                ) =>
            {
                if *i == 0 {
                    phrase(
                        lang,
                        "pregnancy",
                        "svangerskap",
                        "svangerskap",
                        "graviditet",
                    )
                } else {
                    phrase(
                        lang,
                        "after birth",
                        "etter fødselen",
                        "etter fødselen",
                        "efter förlossningen",
                    )
                }
            }
            Value::Choice(i) => match &self.inputs[input].kind {
                InputKind::Column(Column {
                    kind: ColumnKind::Choice(values),
                    ..
                }) => values
                    .get(usize::from(*i))
                    .map_or_else(|| i.to_string(), |word| choice_word(word, lang)),
                _ => i.to_string(),
            },
            Value::Blank => match &self.inputs[input].kind {
                // A clinician's judgement left blank was not made: never "no".
                InputKind::Column(Column {
                    kind: ColumnKind::Boolean,
                    ..
                }) => phrase(
                    lang,
                    "not assessed",
                    "ikke vurdert",
                    "ikkje vurdert",
                    "inte bedömt",
                ),
                _ => phrase(
                    lang,
                    "not given",
                    "ikke oppgitt",
                    "ikkje oppgitt",
                    "ej angivet",
                ),
            },
        }
    }
}

/// One phrase in English, Norwegian Bokmål, Norwegian Nynorsk or Swedish, for renderers outside the library.
pub fn words_in(lang: Lang, en: &str, nb: &str, nn: &str, sv: &str) -> String {
    phrase(lang, en, nb, nn, sv)
}

/// One phrase in English, Norwegian Bokmål or Swedish; a Nynorsk reader gets
/// the Bokmål. For texts not yet written in Nynorsk: prefer [`phrase`].
pub(crate) fn words(lang: Lang, en: &str, nb: &str, sv: &str) -> String {
    phrase(lang, en, nb, nb, sv)
}

/// One phrase in English, Norwegian Bokmål, Norwegian Nynorsk or Swedish.
pub(crate) fn phrase(lang: Lang, en: &str, nb: &str, nn: &str, sv: &str) -> String {
    match lang {
        Lang::En => en,
        Lang::Nb => nb,
        Lang::Nn => nn,
        Lang::Sv => sv,
    }
    .to_owned()
}

/// A respondent or other word of a choice column in the reader's words:
/// `mother` is `mor` in Norwegian; a word the tool does not know stays as written.
pub fn choice_word(word: &str, lang: Lang) -> String {
    match word.trim().to_lowercase().as_str() {
        "mother" => phrase(lang, "mother", "mor", "mor", "mamma"),
        "partner" => phrase(lang, "partner", "partner", "partner", "partner"),
        "parent" => phrase(lang, "parent", "forelder", "forelder", "förälder"),
        "father" => phrase(lang, "father", "far", "far", "pappa"),
        _ => word.to_owned(),
    }
}

#[cfg(test)]
mod tests;
