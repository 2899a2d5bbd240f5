//! The stepped-care recommendation added to every scored row (`score --rules`).
//!
//! A [`Care`] is handed to a CSV or JSON Lines writer. When the batch begins
//! it resolves the data columns the rule table reads from the header (or from
//! values given for the whole run) and refuses the run, listing every missing
//! column, before any row is written. Each row then gets a recommendation:
//! CSV columns [`CARE_COLUMNS`], or a JSON object `"care": {"level",
//! "urgent", "referrals", "rules", "decided_by", "pending", "possible_level"}`;
//! when no rule gives a level, `level` is null and the reason joins the row's
//! errors.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use serde_json::{Value, json};

use super::output::LIST_SEPARATOR;
use super::{Layout, ScoredRow};
use crate::instrument::age::Date;
use crate::lang::Lang;
use crate::rules::{DataValues, Decision, MissingData, Plan, RuleTable};

/// The CSV columns a recommendation adds, before `errors`.
pub const CARE_COLUMNS: [&str; 10] = [
    "care.level",
    "care.level_name",
    "care.urgent",
    "care.referrals",
    "care.rules",
    "care.decided_by",
    "care.pending",
    "care.possible_level",
    "care.rescreen_from",
    "care.rescreen_to",
];

/// Counts of the recommendations in a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CareSummary {
    /// Rows per recommended level number.
    pub levels: BTreeMap<i64, u64>,
    /// Rows for which no level could be recommended.
    pub no_level: u64,
    /// Rows with the urgent override.
    pub urgent: u64,
    /// Rows with at least one pending action (for example "complete the EPDS").
    pub pending: u64,
}

/// The data columns a rule table reads that the input lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCareColumns {
    /// The table's id.
    pub table: String,
    /// Each missing column.
    pub missing: Vec<MissingData>,
    /// The input's header, for suggestions.
    pub headers: Vec<String>,
}

impl fmt::Display for MissingCareColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the input lacks {} that rule table `{}` reads, needed before any row can be scored:",
            crate::lang::count(self.missing.len() as u64, "column", "columns"),
            self.table
        )?;
        for missing in &self.missing {
            write!(f, "\n  - {} ({})", missing.column, missing.values)?;
            let closest = closest(&self.headers, &missing.column);
            if !closest.is_empty() {
                write!(f, "; closest headers: {}", closest.join(", "))?;
            }
        }
        let example = self
            .missing
            .first()
            .map_or("respondent", |m| m.column.as_str());
        write!(
            f,
            "\nadd the column, or give one value for every row with --set {example}=VALUE"
        )
    }
}

impl std::error::Error for MissingCareColumns {}

/// A value given for every row (`--set`) for a column the input has: its
/// cells would be overridden in every row, so the run is refused (a usage
/// error, exit 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetOverridesColumn {
    /// The name given to `--set`.
    pub name: String,
    /// The input's header of that column.
    pub header: String,
}

impl fmt::Display for SetOverridesColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--set {}: the input has a column `{}`, whose value in each row --set would override; \
             remove --set to use the column, or remove the column from the input to give one value for every row",
            self.name, self.header
        )
    }
}

impl std::error::Error for SetOverridesColumn {}

/// Up to three headers that look like `wanted`.
fn closest(headers: &[String], wanted: &str) -> Vec<String> {
    let wanted = wanted.trim().to_lowercase();
    let mut scored: Vec<(f64, &String)> = headers
        .iter()
        .map(|h| {
            (
                strsim::normalized_damerau_levenshtein(&h.trim().to_lowercase(), &wanted),
                h,
            )
        })
        .filter(|(similarity, _)| *similarity >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, h)| h.clone()).collect()
}

/// A rule table applied to every row of a batch.
#[derive(Debug, Clone)]
pub struct Care {
    table: Arc<RuleTable>,
    constants: DataValues,
    lang: Lang,
    plan: Option<Plan>,
    summary: CareSummary,
    buffer: Vec<u8>,
    refuse_overrides: bool,
    /// The last row's rescreen window as dates, when its screening date is known.
    rescreen: Option<(Date, Date)>,
}

impl Care {
    /// Applies `table`, with `constants` (column → value for every row), naming levels in `lang`.
    pub fn new(table: Arc<RuleTable>, constants: DataValues, lang: Lang) -> Care {
        Care {
            table,
            constants,
            lang,
            plan: None,
            summary: CareSummary::default(),
            buffer: Vec::with_capacity(64),
            refuse_overrides: false,
            rescreen: None,
        }
    }

    /// Refuses, when the batch begins, a constant for a column the input has
    /// ([`SetOverridesColumn`]): for constants given by a person (`--set`),
    /// not for a row the program assembles itself.
    pub fn refusing_overrides(mut self) -> Care {
        self.refuse_overrides = true;
        self
    }

    /// The table.
    pub fn table(&self) -> &RuleTable {
        &self.table
    }

    /// Resolves the table's data columns from the layout; an error lists every missing one.
    pub fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        let uncovered = self.table.uncovered_urgent_flags(&layout.instruments);
        if !uncovered.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "rule table `{}` does not list the instrument of the urgent flag(s) {}, so its recommendations could miss them: add the instrument to the table's `instruments` and rules, or score without --rules",
                    self.table.id,
                    uncovered.join(", ")
                ),
            ));
        }
        if self.refuse_overrides
            && let Some((name, header)) =
                crate::rules::constants::constant_in_header(&self.constants, &layout.headers)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                SetOverridesColumn {
                    name,
                    header: header.to_owned(),
                },
            ));
        }
        match Plan::new(
            &self.table,
            &layout.instruments,
            &layout.headers,
            &self.constants,
        ) {
            Ok(plan) => {
                self.plan = Some(plan);
                Ok(())
            }
            Err(missing) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                MissingCareColumns {
                    table: self.table.id.clone(),
                    missing,
                    headers: layout.headers.clone(),
                },
            )),
        }
    }

    /// Evaluates the table for one row and counts the result.
    pub fn evaluate(&mut self, row: &ScoredRow<'_>) {
        let Some(plan) = self.plan.as_mut() else {
            return;
        };
        let record = row.record;
        let outcome = plan.evaluate(&self.table, row.scores, |column| {
            record.get(column).unwrap_or(b"")
        });
        match outcome.decision {
            Decision::Level(index) => {
                *self
                    .summary
                    .levels
                    .entry(self.table.levels[index].number)
                    .or_default() += 1;
            }
            _ => self.summary.no_level += 1,
        }
        if outcome.urgent {
            self.summary.urgent += 1;
        }
        if !outcome.pending.is_empty() {
            self.summary.pending += 1;
        }
        self.rescreen = plan.rescreen_dates(|column| record.get(column).unwrap_or(b""));
    }

    /// The counts so far.
    pub fn summary(&self) -> &CareSummary {
        &self.summary
    }

    /// Appends the [`CARE_COLUMNS`] fields of the last evaluated row to `out`.
    pub fn push_csv(&mut self, out: &mut csv::ByteRecord) {
        let Some(plan) = &self.plan else {
            return;
        };
        let outcome = plan.outcome();
        let table = &self.table;
        match outcome.decision {
            Decision::Level(index) => {
                let level = &table.levels[index];
                self.buffer.clear();
                // Writing into a Vec cannot fail.
                let _ = write!(self.buffer, "{}", level.number);
                out.push_field(&self.buffer);
                out.push_field(level.name.get(self.lang).as_bytes());
            }
            _ => {
                out.push_field(b"");
                out.push_field(b"");
            }
        }
        out.push_field(if outcome.urgent { b"true" } else { b"false" });
        self.buffer.clear();
        for (n, &referral) in outcome.referrals.iter().enumerate() {
            if n > 0 {
                self.buffer.extend_from_slice(LIST_SEPARATOR.as_bytes());
            }
            self.buffer
                .extend_from_slice(table.referrals[referral].id.as_bytes());
        }
        out.push_field(&self.buffer);
        for rules in [&outcome.matched, &outcome.deciders, &outcome.pending] {
            self.buffer.clear();
            for (n, &rule) in rules.iter().enumerate() {
                if n > 0 {
                    self.buffer.extend_from_slice(LIST_SEPARATOR.as_bytes());
                }
                self.buffer
                    .extend_from_slice(table.rules[rule].id.as_bytes());
            }
            out.push_field(&self.buffer);
        }
        self.buffer.clear();
        if let Some(number) = outcome.possible_number(table) {
            // Writing into a Vec cannot fail.
            let _ = write!(self.buffer, "{number}");
        }
        out.push_field(&self.buffer);
        for date in [self.rescreen.map(|r| r.0), self.rescreen.map(|r| r.1)] {
            self.buffer.clear();
            if let Some(date) = date {
                let _ = write!(self.buffer, "{date}");
            }
            out.push_field(&self.buffer);
        }
    }

    /// The `care` object of the last evaluated row.
    pub fn json(&self) -> Value {
        let Some(plan) = &self.plan else {
            return Value::Null;
        };
        let outcome = plan.outcome();
        let table = &self.table;
        let level = match outcome.decision {
            Decision::Level(index) => json!(table.levels[index].number),
            _ => Value::Null,
        };
        let referrals: Vec<&str> = outcome
            .referrals
            .iter()
            .map(|&r| table.referrals[r].id.as_str())
            .collect();
        let ids = |rules: &[usize]| -> Vec<&str> {
            rules.iter().map(|&r| table.rules[r].id.as_str()).collect()
        };
        let pending: Vec<Value> = outcome
            .pending
            .iter()
            .map(|&r| {
                let rule = &table.rules[r];
                json!({
                    "rule": rule.id,
                    "action": rule.action.as_ref().map(|a| a.get(self.lang)),
                })
            })
            .collect();
        json!({
            "level": level,
            "urgent": outcome.urgent,
            "referrals": referrals,
            "rules": ids(&outcome.matched),
            "decided_by": ids(&outcome.deciders),
            "pending": pending,
            "possible_level": outcome.possible_number(table),
            "rescreen": outcome.rescreen.map(|(from, to)| json!({
                "after_days": [from, to],
                "from": self.rescreen.map(|r| r.0.to_string()),
                "to": self.rescreen.map(|r| r.1.to_string()),
            })),
        })
    }

    /// Why the last row has no level, one phrase each (empty when it has one).
    pub fn reasons(&self) -> Vec<String> {
        let Some(plan) = &self.plan else {
            return Vec::new();
        };
        let outcome = plan.outcome();
        let mut reasons: Vec<String> = plan.problems().to_vec();
        if outcome.decision == Decision::NoRule && reasons.is_empty() {
            let pending: Vec<&str> = outcome
                .pending
                .iter()
                .map(|&r| self.table.rules[r].id.as_str())
                .collect();
            reasons.push(if pending.is_empty() {
                "care: no rule gives a level".to_owned()
            } else {
                format!("care: no level yet (pending: {})", pending.join(", "))
            });
        }
        reasons
    }

    /// Appends [`Care::reasons`] to an errors text joined with `separator`.
    pub fn append_reasons(&self, text: &mut String, separator: &str) {
        for reason in self.reasons() {
            if !text.is_empty() {
                text.push_str(separator);
            }
            text.push_str(&reason);
        }
    }
}
