//! Applying a rule table to one family's scores and data.
//!
//! Two ways in:
//! - [`Evaluator`]: compiled once for a run (which instruments were scored,
//!   where the data columns are), then [`Evaluator::evaluate`] per row with
//!   reused buffers and no allocation on the common path;
//! - [`recommend`]: one family at a time (the visit mode), returning an owned
//!   [`Recommendation`] with names in every language and a [`Trace`].

use std::collections::BTreeMap;

use super::build::{column_value, column_values_phrase};
use super::condition::Parsed;
use super::domain::zone_value;
use super::{Column, ColumnKind, InputKind, RuleLevel, RuleTable, Truth, Value, phrase};
use crate::instrument::Instrument;
use crate::instrument::age::Date;
use crate::lang::{Lang, Localized};
use crate::scoring::InstrumentScore;

/// Data values for one family by column name (`respondent` → `mother`),
/// matched ignoring case. Blank text means "not given".
pub type DataValues = BTreeMap<String, String>;

/// What the table decides about the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Decision {
    /// The level at this index of [`RuleTable::levels`]: the highest that a
    /// matching rule gives.
    Level(usize),
    /// No matching rule gives a level (nothing was screened, a form is too
    /// incomplete to prove anything, or a data cell could not be read).
    #[default]
    NoRule,
}

/// The result of evaluating a table for one family; buffers are reused between rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The level decision.
    pub decision: Decision,
    /// Whether any matching rule is urgent.
    pub urgent: bool,
    /// Every matching rule (indices into [`RuleTable::rules`]), in table order.
    pub matched: Vec<usize>,
    /// The matching rules in the order their referrals, advice and actions
    /// are shown: urgent rules first, then by level (highest first), then
    /// rules without a level, each group in table order.
    pub ordered: Vec<usize>,
    /// The matching rules that set the outcome: the urgent ones and those
    /// whose level is the recommended one.
    pub setters: Vec<usize>,
    /// The matching rules whose level is the recommended one.
    pub deciders: Vec<usize>,
    /// Enabled referral targets of every matching rule, in [`Outcome::ordered`]
    /// order, without repeats.
    pub referrals: Vec<usize>,
    /// Matching rules with a pending action, in [`Outcome::ordered`] order.
    pub pending: Vec<usize>,
    /// The highest level (index) that rules which could match once the
    /// missing answers are given would recommend, when above the decision.
    pub possible: Option<usize>,
    /// When to screen again, in days after the screen: the soonest window any
    /// matching rule asks for (the earliest start, the earliest end).
    pub rescreen: Option<(u32, u32)>,
}

impl Outcome {
    /// The recommended level's number, if any.
    pub fn level_number(&self, table: &RuleTable) -> Option<i64> {
        match self.decision {
            Decision::Level(index) => Some(table.levels[index].number),
            Decision::NoRule => None,
        }
    }

    /// The number of the level a completed form could still reach, if higher.
    pub fn possible_number(&self, table: &RuleTable) -> Option<i64> {
        self.possible.map(|index| table.levels[index].number)
    }
}

/// The level index a rule gives, if any.
fn level_of(rule: &super::Rule) -> Option<usize> {
    rule.level.map(|RuleLevel::Level(index)| index)
}

/// Evaluates `table` on one value per input into `out`.
///
/// Hit policy: every rule is evaluated. The level is the highest that a
/// matching rule gives; a rule with a pending action adds it next to the
/// level, never instead of it. The result is urgent if any matching rule is.
/// Referrals, advice and actions come from every matching rule. A rule
/// *matches* a partial score only when it holds for every completion of the
/// form; the rules that could still match once the missing answers are given
/// tell the level a completed form could reach ([`Outcome::possible`]).
pub fn evaluate_into(table: &RuleTable, values: &[Value], out: &mut Outcome) {
    evaluate_rules(table, values, 0..table.rules.len(), out);
}

/// [`evaluate_into`] over some of the rules only: a [`Plan`] leaves out the
/// rules that cannot match in its run (a condition on an instrument the run
/// does not score, or on a value given for the whole run, fails).
fn evaluate_rules(
    table: &RuleTable,
    values: &[Value],
    rules: impl Iterator<Item = usize>,
    out: &mut Outcome,
) {
    out.matched.clear();
    out.ordered.clear();
    out.setters.clear();
    out.deciders.clear();
    out.referrals.clear();
    out.pending.clear();
    out.urgent = false;
    out.rescreen = None;
    let mut best: Option<(i64, usize)> = None;
    let mut possible: Option<(i64, usize)> = None;
    for index in rules {
        let rule = &table.rules[index];
        match rule.truth(values) {
            Truth::True => {}
            Truth::Maybe => {
                if let Some(level) = level_of(rule) {
                    let rank = table.levels[level].number;
                    if possible.is_none_or(|(b, _)| rank > b) {
                        possible = Some((rank, level));
                    }
                }
                continue;
            }
            Truth::False => continue,
        }
        out.matched.push(index);
        out.urgent |= rule.urgent;
        if let Some((from, to)) = rule.rescreen {
            out.rescreen = Some(match out.rescreen {
                Some((f, t)) => (f.min(from), t.min(to)),
                None => (from, to),
            });
        }
        if let Some(level) = level_of(rule) {
            let rank = table.levels[level].number;
            if best.is_none_or(|(b, _)| rank > b) {
                best = Some((rank, level));
            }
        }
    }
    out.decision = best.map_or(Decision::NoRule, |(_, level)| Decision::Level(level));
    out.possible = possible
        .filter(|(rank, _)| best.is_none_or(|(b, _)| rank > &b))
        .map(|(_, level)| level);
    let best_rank = best.map(|(rank, _)| rank);
    for &index in &out.matched {
        let rule = &table.rules[index];
        let decides =
            best_rank.is_some() && level_of(rule).map(|l| table.levels[l].number) == best_rank;
        if decides {
            out.deciders.push(index);
        }
        if rule.urgent || decides {
            out.setters.push(index);
        }
    }
    out.ordered.extend_from_slice(&out.matched);
    // Stable: table order within equal keys.
    out.ordered.sort_by_key(|&index| {
        let rule = &table.rules[index];
        (
            !rule.urgent,
            level_of(rule).map_or(i64::MAX, |l| -table.levels[l].number),
        )
    });
    for &index in &out.ordered {
        let rule = &table.rules[index];
        for &referral in &rule.referrals {
            if table.referrals[referral].enabled && !out.referrals.contains(&referral) {
                out.referrals.push(referral);
            }
        }
        if rule.action.is_some() {
            out.pending.push(index);
        }
    }
}

/// Where an input's value comes from in a run.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    Scale {
        slot: usize,
        scale: usize,
    },
    /// An age-banded scale, read as its zone; `zones[b]` is the table's zone
    /// for the run's band `b`.
    Zone {
        slot: usize,
        scale: usize,
        zones: Vec<Option<u16>>,
    },
    Flag {
        slot: usize,
        flag: usize,
        /// The flag's item, whose blank or invalid answer makes it unknown.
        item: usize,
    },
    Complete {
        slot: usize,
    },
    NotScreened,
    /// A cell of the input; `tested`: some rule that can match in this run
    /// tests it (otherwise an unreadable cell cannot change the outcome).
    Cell {
        column: usize,
        tested: bool,
    },
    Constant(Value),
    /// A `type: period` or `type: week` input worked out from the row's dates.
    TimePoint {
        week: bool,
    },
}

/// The least a row's unreadable cells can give, over every value they could hold.
struct Worst {
    lowest: Option<(i64, usize)>,
    unlevelled: bool,
    urgent: bool,
}

/// A data column the table needs that a run does not provide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingData {
    /// The column's name.
    pub column: String,
    /// The values it may hold.
    pub values: String,
}

/// How many items each run instrument asks: all of them, or per age interval.
#[derive(Debug, Clone)]
struct Asked {
    items: usize,
    per_interval: Vec<usize>,
}

/// How to read every input of a table in one run; owns no reference to the
/// table, so a long-lived writer can keep it next to an `Arc<RuleTable>`.
#[derive(Debug, Clone)]
pub struct Plan {
    sources: Vec<Source>,
    /// Per run instrument (slot): how many items a form of it asks.
    asked: Vec<Asked>,
    /// Per slot, for the last row: whether no item was answered at all.
    blank: Vec<bool>,
    /// (slot, flag) of urgent flags whose instrument the table does not list.
    uncovered: Vec<(usize, usize)>,
    /// The same with the flag's item: (slot, flag, item).
    uncovered_items: Vec<(usize, usize, usize)>,
    values: Vec<Value>,
    outcome: Outcome,
    problems: Vec<String>,
    unreadable: Vec<usize>,
    /// Where the time point is read, when some input is worked out from dates.
    time: Option<super::timepoint::TimeColumns>,
    /// Where the screening date is: a column, or one date for the whole run.
    screening: Result<Option<usize>, Option<Date>>,
    /// The rules that can match in this run, in table order.
    live: Vec<usize>,
}

impl Plan {
    /// Compiles `table` for a run scoring `instruments` (in slot order).
    ///
    /// Data columns are looked up in `headers` (ignoring case and surrounding
    /// spaces), after `constants` (column name → value for every row, as given
    /// with `--set`). Every required column found in neither (or given a value
    /// it cannot hold) is returned, so the caller can refuse the run before any
    /// row, unless no rule testing the column can match in this run (each also
    /// tests an instrument the run does not score, with a test `not_screened`
    /// fails): such a column cannot change any outcome, so it reads as blank,
    /// and so does a cell of it that holds no value of the column (a visit of
    /// a child's questionnaire, answered by a `parent`, needs no `respondent`
    /// that the mothers' and partners' EPDS rules read).
    pub fn new(
        table: &RuleTable,
        instruments: &[&Instrument],
        headers: &[String],
        constants: &DataValues,
    ) -> Result<Plan, Vec<MissingData>> {
        let mut sources = Vec::with_capacity(table.inputs.len());
        for (index, input) in table.inputs.iter().enumerate() {
            let slot = input.instrument().and_then(|i| {
                let id = &table.instruments[i];
                instruments.iter().position(|run| run.id == *id)
            });
            let source = match (&input.kind, slot) {
                (InputKind::Score { instrument, scale }, Some(slot)) => {
                    let declared = &table.instrument_defs[*instrument].scales[*scale];
                    match instruments[slot].scale_index(&declared.id) {
                        Some(run_scale) if table.zones(index).is_some() => Source::Zone {
                            slot,
                            scale: run_scale,
                            // The run's band indices as the table's zones, by id.
                            zones: instruments[slot].scales[run_scale]
                                .bands
                                .iter()
                                .map(|band| {
                                    declared
                                        .bands
                                        .iter()
                                        .position(|b| b.id == band.id)
                                        .map(zone_value)
                                })
                                .collect(),
                        },
                        Some(scale) => Source::Scale { slot, scale },
                        None => Source::NotScreened,
                    }
                }
                (InputKind::Flag { instrument, flag }, Some(slot)) => {
                    let id = &table.instrument_defs[*instrument].flags[*flag].id;
                    match instruments[slot].flag_index(id) {
                        Some(flag) => Source::Flag {
                            slot,
                            flag,
                            item: instruments[slot].flags[flag].item,
                        },
                        None => Source::NotScreened,
                    }
                }
                (InputKind::Complete { .. }, Some(slot)) => Source::Complete { slot },
                // Resolved below, once it is known which rules can match.
                (InputKind::Column(_), _) => Source::Constant(Value::Blank),
                (_, None) => Source::NotScreened,
            };
            sources.push(source);
        }
        // Rules that can match in this run: none of their conditions rejects
        // `not_screened` on an input the run does not score.
        let live: Vec<&super::Rule> = table
            .rules
            .iter()
            .filter(|rule| {
                rule.conditions.iter().all(|c| {
                    sources[c.input] != Source::NotScreened || c.test.matches(&Value::NotScreened)
                })
            })
            .collect();
        let mut missing = Vec::new();
        for (index, column) in table.columns() {
            let tested = live
                .iter()
                .any(|rule| rule.conditions.iter().any(|c| c.input == index));
            let derived = matches!(column.kind, ColumnKind::Period | ColumnKind::Week)
                && !constants
                    .keys()
                    .any(|k| k.trim().eq_ignore_ascii_case(&column.name))
                && !headers
                    .iter()
                    .any(|h| h.trim().eq_ignore_ascii_case(&column.name));
            let time = super::timepoint::TimeColumns::find(headers);
            if derived && time.any() {
                sources[index] = Source::TimePoint {
                    week: column.kind == ColumnKind::Week,
                };
                continue;
            }
            sources[index] = match find_column(column, table, headers, constants) {
                Ok(Source::Cell { column, .. }) => Source::Cell { column, tested },
                Ok(source) => source,
                Err(gap) => {
                    if tested {
                        missing.push(gap);
                    }
                    Source::Constant(column.blank.unwrap_or(Value::Blank))
                }
            };
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        let uncovered_items: Vec<(usize, usize, usize)> = instruments
            .iter()
            .enumerate()
            .filter(|(_, i)| !table.instruments.contains(&i.id))
            .flat_map(|(slot, i)| {
                (0..i.flags.len())
                    .filter(|&f| i.flags[f].urgent)
                    .map(move |f| (slot, f, i.flags[f].item))
            })
            .collect();
        let uncovered = uncovered_items.iter().map(|&(s, f, _)| (s, f)).collect();
        let asked = instruments
            .iter()
            .map(|i| Asked {
                items: i.items.len(),
                per_interval: i
                    .age_banding
                    .as_ref()
                    .map(|b| b.intervals.iter().map(|iv| iv.items.len()).collect())
                    .unwrap_or_default(),
            })
            .collect();
        let time = sources
            .iter()
            .any(|s| matches!(s, Source::TimePoint { .. }))
            .then(|| super::timepoint::TimeColumns::find(headers));
        let screening = match constants.iter().find(|(k, _)| {
            matches!(
                k.trim().to_lowercase().as_str(),
                "screening_date" | "date" | "visit_date"
            )
        }) {
            Some((_, text)) => Err(Date::parse(text.trim()).ok()),
            None => Ok(super::timepoint::TimeColumns::find(headers).screening),
        };
        // Rules with a condition that fails on a value fixed for the whole run
        // (an instrument not scored, a value given with --set) never match.
        let live = (0..table.rules.len())
            .filter(|&r| {
                table.rules[r].conditions.iter().all(|c| {
                    let fixed = match &sources[c.input] {
                        Source::NotScreened => Some(Value::NotScreened),
                        Source::Constant(value) => Some(*value),
                        _ => None,
                    };
                    fixed.is_none_or(|v| c.test.truth(&v) != Truth::False)
                })
            })
            .collect();
        Ok(Plan {
            live,
            screening,
            time,
            uncovered,
            uncovered_items,
            blank: vec![false; instruments.len()],
            asked,
            values: vec![Value::NotScreened; sources.len()],
            sources,
            outcome: Outcome::default(),
            problems: Vec::new(),
            unreadable: Vec::new(),
        })
    }

    /// Evaluates one row: the run's scores (one per instrument slot) and a way
    /// to read a data cell by column index.
    ///
    /// [`Plan::problems`] then lists unreadable data cells. A row with an
    /// unreadable cell gets the lowest level that any value the cell could
    /// hold gives (none if one of them gives none), and is urgent if any
    /// value would make it urgent.
    pub fn evaluate<'c>(
        &mut self,
        table: &RuleTable,
        scores: &[InstrumentScore],
        cell: impl Fn(usize) -> &'c [u8],
    ) -> &Outcome {
        self.problems.clear();
        self.unreadable.clear();
        // A form with no answer at all was not given: its inputs read as not
        // screened, so a row of an export that holds several instruments is
        // not made urgent by the blank columns of a form nobody filled in.
        for (slot, score) in scores.iter().enumerate() {
            let asked = &self.asked[slot];
            // Without an age interval a child's answers are not read at all,
            // so nothing tells a blank form from one for the wrong age.
            let age_unknown = !asked.per_interval.is_empty() && score.interval.is_none();
            let items = score
                .interval
                .and_then(|i| asked.per_interval.get(i).copied())
                .unwrap_or(asked.items);
            self.blank[slot] = !age_unknown
                && score.invalid_items.is_empty()
                && score.missing_items.len() >= items;
        }
        let time = match &self.time {
            Some(columns) => match columns.read(&cell) {
                Ok(point) => Ok(point),
                Err(message) => {
                    self.problems.push(format!(
                        "time point: {message} (no level recommended from it)"
                    ));
                    Err(())
                }
            },
            None => Ok(None),
        };
        for (index, source) in self.sources.iter().enumerate() {
            if let Source::TimePoint { week } = source {
                self.values[index] = match time {
                    Ok(Some(point)) if *week => Value::Number(f64::from(point.week)),
                    Ok(Some(point)) => Value::Choice(point.period),
                    Ok(None) => Value::Blank,
                    Err(()) => {
                        self.unreadable.push(index);
                        Value::Blank
                    }
                };
                continue;
            }
            let blank_slot = match source {
                Source::Scale { slot, .. }
                | Source::Zone { slot, .. }
                | Source::Flag { slot, .. }
                | Source::Complete { slot } => self.blank[*slot],
                _ => false,
            };
            if blank_slot {
                self.values[index] = Value::NotScreened;
                continue;
            }
            self.values[index] = match source {
                Source::Scale { slot, scale } => {
                    let result = &scores[*slot].scales[*scale];
                    match (result.score, result.bounds) {
                        (Some(score), _) => Value::Score(score),
                        (None, Some((low, high))) => Value::Partial { low, high },
                        (None, None) => Value::NoScore,
                    }
                }
                Source::Zone { slot, scale, zones } => {
                    let result = &scores[*slot].scales[*scale];
                    match result.score.and(result.band) {
                        Some(band) => zones
                            .get(band)
                            .copied()
                            .flatten()
                            .map_or(Value::NoScore, Value::Zone),
                        None => Value::NoScore,
                    }
                }
                Source::Flag { slot, flag, item } => {
                    let score = &scores[*slot];
                    if score.flags.contains(flag) {
                        Value::Bool(true)
                    } else if score.missing_items.contains(item)
                        || score.invalid_items.contains(item)
                    {
                        Value::Unknown
                    } else {
                        Value::Bool(false)
                    }
                }
                Source::Complete { slot } => {
                    Value::Bool(scores[*slot].scales.iter().all(|s| s.score.is_some()))
                }
                Source::NotScreened => Value::NotScreened,
                Source::Constant(value) => *value,
                // Read above, from the row's dates.
                Source::TimePoint { .. } => Value::Blank,
                Source::Cell { column, tested } => {
                    let raw = cell(*column);
                    let InputKind::Column(declared) = &table.inputs[index].kind else {
                        unreachable!("cells feed column inputs only")
                    };
                    match std::str::from_utf8(raw)
                        .ok()
                        .and_then(|text| column_value(declared, &table.levels, text))
                    {
                        Some(value) => value,
                        // No rule that can match tests it: as if blank.
                        None if !tested => declared.blank.unwrap_or(Value::Blank),
                        None => {
                            self.problems.push(format!(
                                "column `{}`: `{}` is not {} (no level recommended)",
                                declared.name,
                                String::from_utf8_lossy(raw).trim(),
                                column_values_phrase(declared, &table.levels)
                            ));
                            self.unreadable.push(index);
                            Value::Blank
                        }
                    }
                }
            };
        }
        evaluate_rules(
            table,
            &self.values,
            self.live.iter().copied(),
            &mut self.outcome,
        );
        // Safety net: an urgent flag the table cannot see still makes the row
        // urgent, raised or unknown (its item unanswered on a form that was given).
        if self.uncovered.iter().any(|(slot, flag)| {
            let score = &scores[*slot];
            score.flags.contains(flag)
                || (!self.blank[*slot] && self.flag_item_unknown(score, *slot, *flag))
        }) {
            self.outcome.urgent = true;
        }
        if !self.unreadable.is_empty() {
            // The cell could hold any value of its column: keep the level that
            // every one of them gives at least, and urgency if any gives it.
            let unreadable = std::mem::take(&mut self.unreadable);
            let mut worst = Worst {
                lowest: None,
                unlevelled: false,
                urgent: self.outcome.urgent,
            };
            self.explore(table, &unreadable, 0, &mut worst);
            self.unreadable = unreadable;
            self.outcome.decision = match (worst.unlevelled, worst.lowest) {
                (false, Some((_, level))) => Decision::Level(level),
                _ => Decision::NoRule,
            };
            self.outcome.urgent = worst.urgent;
        }
        &self.outcome
    }

    /// Evaluates every choice of values for the unreadable inputs into `worst`.
    fn explore(
        &mut self,
        table: &RuleTable,
        unreadable: &[usize],
        depth: usize,
        worst: &mut Worst,
    ) {
        if depth == unreadable.len() {
            let mut probe = Outcome::default();
            evaluate_into(table, &self.values, &mut probe);
            worst.urgent |= probe.urgent;
            match probe.decision {
                Decision::Level(level) => {
                    let rank = table.levels[level].number;
                    if worst.lowest.is_none_or(|(r, _)| rank < r) {
                        worst.lowest = Some((rank, level));
                    }
                }
                Decision::NoRule => worst.unlevelled = true,
            }
            return;
        }
        let input = unreadable[depth];
        for value in super::domain::input_domain(table, input) {
            self.values[input] = value;
            self.explore(table, unreadable, depth + 1, worst);
        }
        self.values[input] = Value::Blank;
    }

    /// Whether the item of flag `flag` of the instrument in `slot` is blank or invalid.
    fn flag_item_unknown(&self, score: &InstrumentScore, slot: usize, flag: usize) -> bool {
        self.uncovered_items
            .iter()
            .find(|(s, f, _)| *s == slot && *f == flag)
            .is_some_and(|(_, _, item)| {
                score.missing_items.contains(item) || score.invalid_items.contains(item)
            })
    }

    /// The last row's input values, one per input of the table.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The screening date of a row, when the input (or the run) gives one.
    pub fn screening_date<'c>(&self, cell: impl Fn(usize) -> &'c [u8]) -> Option<Date> {
        match self.screening {
            Err(date) => date,
            Ok(Some(column)) => std::str::from_utf8(cell(column))
                .ok()
                .and_then(|t| Date::parse(t.trim()).ok()),
            Ok(None) => None,
        }
    }

    /// The last row's rescreen window as dates, when its screening date is known.
    pub fn rescreen_dates<'c>(&self, cell: impl Fn(usize) -> &'c [u8]) -> Option<(Date, Date)> {
        let (from, to) = self.outcome.rescreen?;
        let on = self.screening_date(cell)?;
        Some((on.add_days(i64::from(from))?, on.add_days(i64::from(to))?))
    }

    /// The last row's outcome.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Why the last row's data could not be read, one phrase each.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

/// A rule table compiled for one run: which instruments were scored and where the data is.
#[derive(Debug, Clone)]
pub struct Evaluator<'t> {
    table: &'t RuleTable,
    plan: Plan,
}

impl<'t> Evaluator<'t> {
    /// Compiles `table` for a run scoring `instruments` (in slot order); see [`Plan::new`].
    pub fn new(
        table: &'t RuleTable,
        instruments: &[&Instrument],
        headers: &[String],
        constants: &DataValues,
    ) -> Result<Evaluator<'t>, Vec<MissingData>> {
        Ok(Evaluator {
            table,
            plan: Plan::new(table, instruments, headers, constants)?,
        })
    }

    /// The table.
    pub fn table(&self) -> &'t RuleTable {
        self.table
    }

    /// Evaluates one row; see [`Plan::evaluate`].
    pub fn evaluate<'c>(
        &mut self,
        scores: &[InstrumentScore],
        cell: impl Fn(usize) -> &'c [u8],
    ) -> &Outcome {
        self.plan.evaluate(self.table, scores, cell)
    }

    /// The last row's input values, one per input of the table.
    pub fn values(&self) -> &[Value] {
        self.plan.values()
    }

    /// The last row's outcome.
    pub fn outcome(&self) -> &Outcome {
        self.plan.outcome()
    }

    /// The screening date of a row, when the input (or the run) gives one.
    pub fn screening_date<'c>(&self, cell: impl Fn(usize) -> &'c [u8]) -> Option<Date> {
        self.plan.screening_date(cell)
    }

    /// Why the last row's data could not be read, one phrase each.
    pub fn problems(&self) -> &[String] {
        self.plan.problems()
    }
}

fn find_column(
    column: &Column,
    table: &RuleTable,
    headers: &[String],
    constants: &DataValues,
) -> Result<Source, MissingData> {
    let key = column.name.to_lowercase();
    if let Some((_, text)) = constants
        .iter()
        .find(|(name, _)| name.trim().to_lowercase() == key)
    {
        return match column_value(column, &table.levels, text) {
            Some(value) => Ok(Source::Constant(value)),
            None => Err(MissingData {
                column: format!(
                    "{} (the value `{text}` given for it is not valid)",
                    column.name
                ),
                values: column_values_phrase(column, &table.levels),
            }),
        };
    }
    if let Some(column) = headers.iter().position(|h| h.trim().to_lowercase() == key) {
        return Ok(Source::Cell {
            column,
            tested: true,
        });
    }
    if !column.required {
        return Ok(Source::Constant(column.blank.unwrap_or(Value::Blank)));
    }
    Err(MissingData {
        column: column.name.clone(),
        values: column_values_phrase(column, &table.levels),
    })
}

/// A referral target as recommended, with its texts.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralAdvice {
    /// Identifier (`fastlege`).
    pub id: String,
    /// Name per language.
    pub name: Localized,
    /// What it is, per language.
    pub what: Localized,
    /// How soon, per language.
    pub timeframe: Localized,
}

/// A matching rule, as shown to the clinician.
#[derive(Debug, Clone, PartialEq)]
pub struct FiredRule {
    /// Identifier (`L2-1`).
    pub id: String,
    /// Whether it set the outcome (urgent, or its level won).
    pub sets_outcome: bool,
    /// Whether it is urgent.
    pub urgent: bool,
    /// The level it recommends (`None` for an urgent-only or action-only rule).
    pub level: Option<i64>,
    /// Its advice per language.
    pub advice: Option<Localized>,
    /// Its pending action per language, if it adds one.
    pub action: Option<Localized>,
    /// Where it comes from.
    pub source: String,
}

/// Something to do before the recommendation is final ("complete the EPDS"),
/// shown next to the level, never instead of it.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingAction {
    /// The rule that adds it.
    pub rule: String,
    /// What to do, per language.
    pub action: Localized,
}

/// What the table recommends for one family: decision support, never a referral.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The recommended level's number; `None` when no recommendation can be made.
    pub level: Option<i64>,
    /// The level's id.
    pub level_id: Option<String>,
    /// The level's name per language.
    pub level_name: Option<Localized>,
    /// Same-day action: shown before anything else.
    pub urgent: bool,
    /// Where to refer, from every matching rule (urgent rules' first, then
    /// by level, highest first).
    pub referrals: Vec<ReferralAdvice>,
    /// Every matching rule, urgent first, then by level (highest first).
    pub rules: Vec<FiredRule>,
    /// Pending actions of the matching rules, in the same order.
    pub pending: Vec<PendingAction>,
    /// The level a completed form could still reach, when above `level`.
    pub possible_level: Option<i64>,
    /// That level's name per language.
    pub possible_level_name: Option<Localized>,
    /// Why there is no level, one phrase each (English).
    pub reasons: Vec<String>,
    /// The full per-rule explanation.
    pub trace: Trace,
}

impl Recommendation {
    /// Builds the owned recommendation from an outcome.
    pub fn from_outcome(
        table: &RuleTable,
        values: &[Value],
        outcome: &Outcome,
        problems: &[String],
    ) -> Self {
        let (level, level_id, level_name) = match outcome.decision {
            Decision::Level(index) => {
                let level = &table.levels[index];
                (
                    Some(level.number),
                    Some(level.id.clone()),
                    Some(level.name.clone()),
                )
            }
            _ => (None, None, None),
        };
        let mut reasons: Vec<String> = problems.to_vec();
        if outcome.decision == Decision::NoRule && problems.is_empty() {
            reasons.push(if outcome.pending.is_empty() {
                "no rule of the table gives a level for these values".to_owned()
            } else {
                "no rule of the table gives a level yet: see the pending actions".to_owned()
            });
        }
        Recommendation {
            level,
            level_id,
            level_name,
            urgent: outcome.urgent,
            referrals: outcome
                .referrals
                .iter()
                .map(|&r| {
                    let referral = &table.referrals[r];
                    ReferralAdvice {
                        id: referral.id.clone(),
                        name: referral.name.clone(),
                        what: referral.what.clone(),
                        timeframe: referral.timeframe.clone(),
                    }
                })
                .collect(),
            pending: outcome
                .pending
                .iter()
                .filter_map(|&r| {
                    let rule = &table.rules[r];
                    rule.action.clone().map(|action| PendingAction {
                        rule: rule.id.clone(),
                        action,
                    })
                })
                .collect(),
            possible_level: outcome.possible_number(table),
            possible_level_name: outcome.possible.map(|l| table.levels[l].name.clone()),
            rules: outcome
                .ordered
                .iter()
                .map(|&r| {
                    let rule = &table.rules[r];
                    FiredRule {
                        id: rule.id.clone(),
                        sets_outcome: outcome.setters.contains(&r),
                        urgent: rule.urgent,
                        level: rule
                            .level
                            .map(|RuleLevel::Level(index)| table.levels[index].number),
                        advice: rule.advice.clone(),
                        action: rule.action.clone(),
                        source: rule.source.clone(),
                    }
                })
                .collect(),
            reasons,
            trace: Trace::new(table, values, outcome),
        }
    }
}

/// Why a data value could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the rule table needs data the visit did not give: {}", .0.iter().map(|m| format!("{} ({})", m.column, m.values)).collect::<Vec<_>>().join("; "))]
pub struct MissingDataError(pub Vec<MissingData>);

/// The recommendation for one family: the scores of the instruments given
/// (any instrument of the table not among them counts as not screened) and the
/// data values the table's columns read (`respondent`, `previous_level`, ...).
///
/// This is the entry point for the visit mode. It fails only when a data
/// column the table reads is not in `data`; an unreadable value gives a
/// recommendation without a level, with the reason in
/// [`Recommendation::reasons`].
pub fn recommend(
    table: &RuleTable,
    screened: &[(&Instrument, &InstrumentScore)],
    data: &DataValues,
) -> Result<Recommendation, MissingDataError> {
    let instruments: Vec<&Instrument> = screened.iter().map(|(i, _)| *i).collect();
    let scores: Vec<InstrumentScore> = screened.iter().map(|(_, s)| (*s).clone()).collect();
    // The data values are read like the cells of a one-row export, so an
    // unreadable value withholds the level instead of failing.
    let headers: Vec<String> = data.keys().cloned().collect();
    let cells: Vec<&String> = data.values().collect();
    let mut evaluator = Evaluator::new(table, &instruments, &headers, &DataValues::new())
        .map_err(MissingDataError)?;
    evaluator.evaluate(&scores, |column| cells[column].as_bytes());
    let mut recommendation = Recommendation::from_outcome(
        table,
        evaluator.values(),
        evaluator.outcome(),
        evaluator.problems(),
    );
    recommendation.trace.screened_on = evaluator.screening_date(|column| cells[column].as_bytes());
    Ok(recommendation)
}

/// A condition in the reader's words, in `lang`: `>=13` reads "13 or more",
/// `[10..12]` "10–12", a band's or zone's id its label (`above` → "Above the
/// cutoff"), `mother` "mor", `true` "ja", `not(not_screened)` "screened".
/// A condition that cannot be read again is shown as written.
fn show_test(table: &RuleTable, input: usize, text: &str, lang: Lang) -> String {
    match super::condition::parse(text) {
        Ok(parsed) => show_parsed(table, input, &parsed, lang),
        Err(_) => text.to_owned(),
    }
}

fn show_parsed(table: &RuleTable, input: usize, parsed: &Parsed, lang: Lang) -> String {
    use super::condition::Cmp;
    use crate::instrument::fmt_score;
    let n = |x: f64| fmt_score(x);
    match parsed {
        Parsed::Any => phrase(
            lang,
            "any value",
            "alle verdier",
            "alle verdiar",
            "alla värden",
        ),
        Parsed::Compare(cmp, x) => {
            let template = match cmp {
                Cmp::Ge => phrase(
                    lang,
                    "{n} or more",
                    "{n} eller mer",
                    "{n} eller meir",
                    "{n} eller mer",
                ),
                Cmp::Le => phrase(
                    lang,
                    "{n} or less",
                    "{n} eller mindre",
                    "{n} eller mindre",
                    "{n} eller mindre",
                ),
                Cmp::Gt => phrase(
                    lang,
                    "more than {n}",
                    "mer enn {n}",
                    "meir enn {n}",
                    "mer än {n}",
                ),
                Cmp::Lt => phrase(
                    lang,
                    "less than {n}",
                    "mindre enn {n}",
                    "mindre enn {n}",
                    "mindre än {n}",
                ),
                Cmp::Eq => "{n}".to_owned(),
            };
            template.replace("{n}", &n(*x))
        }
        Parsed::Range(low, low_closed, high, high_closed) => {
            let from = if *low_closed {
                n(*low)
            } else {
                phrase(
                    lang,
                    "more than {n}",
                    "mer enn {n}",
                    "meir enn {n}",
                    "mer än {n}",
                )
                .replace("{n}", &n(*low))
            };
            let to = if *high_closed {
                n(*high)
            } else {
                phrase(
                    lang,
                    "less than {n}",
                    "mindre enn {n}",
                    "mindre enn {n}",
                    "mindre än {n}",
                )
                .replace("{n}", &n(*high))
            };
            if *low_closed && *high_closed {
                format!("{from}–{to}")
            } else {
                let and = phrase(lang, " and ", " og ", " og ", " och ");
                format!("{from}{and}{to}")
            }
        }
        Parsed::Not(inner) => {
            if matches!(inner.as_ref(), Parsed::Name(w) if normal(w) == "not_screened") {
                return phrase(lang, "screened", "kartlagt", "kartlagt", "screenad");
            }
            format!(
                "{} {}",
                phrase(lang, "not", "ikke", "ikkje", "inte"),
                show_parsed(table, input, inner, lang)
            )
        }
        Parsed::AnyOf(list) => list
            .iter()
            .map(|p| show_parsed(table, input, p, lang))
            .collect::<Vec<_>>()
            .join(&phrase(lang, " or ", " eller ", " eller ", " eller ")),
        Parsed::Name(word) => show_name(table, input, word, lang),
    }
}

fn normal(word: &str) -> String {
    word.trim().to_lowercase().replace([' ', '-'], "_")
}

/// A name in a condition in the reader's words: the reserved words, then
/// what the input gives the name (a band, a zone, a level, a choice).
fn show_name(table: &RuleTable, input: usize, word: &str, lang: Lang) -> String {
    let key = normal(word);
    match key.as_str() {
        "true" | "yes" => return phrase(lang, "yes", "ja", "ja", "ja"),
        "false" | "no" => return phrase(lang, "no", "nei", "nei", "nej"),
        "incomplete" | "no_score" => {
            return phrase(
                lang,
                "incomplete",
                "ufullstendig",
                "ufullstendig",
                "ofullständig",
            );
        }
        "not_screened" => {
            return phrase(
                lang,
                "not screened",
                "ikke kartlagt",
                "ikkje kartlagt",
                "inte screenad",
            );
        }
        "unknown" => return phrase(lang, "unknown", "ukjent", "ukjent", "okänd"),
        "blank" => {
            return phrase(
                lang,
                "not given",
                "ikke oppgitt",
                "ikkje oppgitt",
                "ej angivet",
            );
        }
        _ => {}
    }
    match &table.inputs[input].kind {
        InputKind::Score { instrument, scale } => table.instrument_defs[*instrument].scales[*scale]
            .bands
            .iter()
            .find(|b| b.id == key)
            .map_or_else(|| word.trim().to_owned(), |b| b.label.get(lang).to_owned()),
        InputKind::Column(Column {
            kind: ColumnKind::Level,
            ..
        }) => table
            .levels
            .iter()
            .find(|l| l.id == key)
            .map_or_else(|| word.trim().to_owned(), |l| l.name.get(lang).to_owned()),
        InputKind::Column(Column {
            kind: ColumnKind::Period,
            ..
        }) => match key.as_str() {
            "pregnancy" => phrase(
                lang,
                "pregnancy",
                "svangerskap",
                "svangerskap",
                "graviditet",
            ),
            "postpartum" => phrase(
                lang,
                "after birth",
                "etter fødselen",
                "etter fødselen",
                "efter förlossningen",
            ),
            _ => word.trim().to_owned(),
        },
        _ => super::choice_word(word, lang),
    }
}

/// One condition of one rule, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Index into the rule's conditions.
    pub condition: usize,
    /// Whether it held (for every completion of a partial score).
    pub passed: bool,
    /// The three-valued verdict: [`Truth::Maybe`] when it holds for some
    /// completions of a partial score only.
    pub truth: Truth,
}

/// One rule, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTrace {
    /// Index into [`RuleTable::rules`].
    pub rule: usize,
    /// Whether every condition held.
    pub matched: bool,
    /// Whether it could match once the missing answers are given (no
    /// condition fails outright, some hold only for some completions).
    pub possible: bool,
    /// Whether it set the outcome.
    pub sets_outcome: bool,
    /// Every condition with its verdict.
    pub checks: Vec<Check>,
}

/// Every rule of the table with whether it matched and why: what `stepcare explain` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The value of each input.
    pub values: Vec<Value>,
    /// Each rule, in table order.
    pub rules: Vec<RuleTrace>,
    /// The outcome.
    pub outcome: Outcome,
    /// The day of the screen, when the data gave one (for the rescreen window's dates).
    pub screened_on: Option<Date>,
}

impl Trace {
    /// Checks every rule against `values`.
    pub fn new(table: &RuleTable, values: &[Value], outcome: &Outcome) -> Trace {
        let rules = table
            .rules
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                let checks: Vec<Check> = rule
                    .conditions
                    .iter()
                    .enumerate()
                    .map(|(c, condition)| {
                        let truth = condition.test.truth(&values[condition.input]);
                        Check {
                            condition: c,
                            passed: truth == Truth::True,
                            truth,
                        }
                    })
                    .collect();
                let matched = checks.iter().all(|c| c.passed);
                RuleTrace {
                    rule: index,
                    matched,
                    possible: !matched && checks.iter().all(|c| c.truth != Truth::False),
                    sets_outcome: outcome.setters.contains(&index),
                    checks,
                }
            })
            .collect();
        Trace {
            values: values.to_vec(),
            rules,
            outcome: outcome.clone(),
            screened_on: None,
        }
    }

    /// The rescreen window's dates, when a matching rule asks for one and
    /// the day of the screen is known.
    pub fn rescreen_dates(&self) -> Option<(Date, Date)> {
        let (from, to) = self.outcome.rescreen?;
        let on = self.screened_on?;
        Some((on.add_days(i64::from(from))?, on.add_days(i64::from(to))?))
    }

    /// When to screen again, in `lang`: "2026-12-07 – 2026-12-21 (14–28
    /// days after this screen)", or only the days when the screening date
    /// is not known; `None` when no matching rule asks for a rescreen.
    pub fn rescreen_text(&self, lang: Lang) -> Option<String> {
        let (from, to) = self.outcome.rescreen?;
        let days = phrase(
            lang,
            "{from}–{to} days after this screen",
            "{from}–{to} dager etter denne screeningen",
            "{from}–{to} dagar etter denne screeninga",
            "{from}–{to} dagar efter denna screening",
        )
        .replace("{from}", &from.to_string())
        .replace("{to}", &to.to_string());
        Some(match self.rescreen_dates() {
            Some((start, end)) => format!("{start} – {end} ({days})"),
            None => days,
        })
    }

    /// Why one rule matched or not, as one line in `lang`:
    /// "EPDS total is 15, meets >=13; respondent is mother, meets mother".
    pub fn reason(&self, table: &RuleTable, rule: usize, lang: Lang) -> String {
        let trace = &self.rules[rule];
        let rule_def = &table.rules[rule];
        if rule_def.conditions.is_empty() {
            return phrase(
                lang,
                "no conditions: always matches",
                "ingen vilkår: gjelder alltid",
                "ingen vilkår: gjeld alltid",
                "inga villkor: gäller alltid",
            );
        }
        let parts: Vec<String> = trace
            .checks
            .iter()
            .filter(|c| !trace.matched || c.passed)
            .filter(|c| trace.matched || !c.passed)
            .map(|check| {
                let condition = &rule_def.conditions[check.condition];
                let input = &table.inputs[condition.input];
                let value =
                    table.describe_value(condition.input, &self.values[condition.input], lang);
                let verdict = match check.truth {
                    Truth::True => phrase(lang, "meets", "oppfyller", "oppfyller", "uppfyller"),
                    Truth::Maybe => phrase(
                        lang,
                        "may meet once completed",
                        "kan oppfylle når skjemaet er fullført",
                        "kan oppfylle når skjemaet er fylt ut",
                        "kan uppfylla när formuläret är ifyllt",
                    ),
                    Truth::False => phrase(
                        lang,
                        "does not meet",
                        "oppfyller ikke",
                        "oppfyller ikkje",
                        "uppfyller inte",
                    ),
                };
                let is = phrase(lang, "is", "er", "er", "är");
                format!(
                    "{} {is} {value}, {verdict} {}",
                    input.label.get(lang),
                    show_test(table, condition.input, &condition.text, lang)
                )
            })
            .collect();
        parts.join("; ")
    }

    /// The whole explanation as text for a clinician, in `lang`.
    pub fn render(&self, table: &RuleTable, lang: Lang) -> String {
        let w = |en: &str, nb: &str, nn: &str, sv: &str| phrase(lang, en, nb, nn, sv);
        let mut out = String::new();
        out.push_str(&format!(
            "{}: {} ({} {})\n\n",
            w("Rule table", "Regeltabell", "Regeltabell", "Regeltabell"),
            table.name.get(lang),
            table.id,
            table.version
        ));
        out.push_str(&format!(
            "{}:\n",
            w("Inputs", "Inndata", "Inndata", "Indata")
        ));
        let mut unscreened: Vec<&str> = Vec::new();
        for (index, input) in table.inputs.iter().enumerate() {
            if self.values[index] == Value::NotScreened {
                if let Some(i) = input.instrument()
                    && !unscreened.contains(&table.instruments[i].as_str())
                {
                    unscreened.push(&table.instruments[i]);
                }
                continue;
            }
            out.push_str(&format!(
                "  {}: {}\n",
                input.label.get(lang),
                table.describe_value(index, &self.values[index], lang)
            ));
        }
        if !unscreened.is_empty() {
            out.push_str(&format!(
                "  {}: {}\n",
                w(
                    "Not screened",
                    "Ikke kartlagt",
                    "Ikkje kartlagt",
                    "Inte screenade"
                ),
                unscreened.join(", ")
            ));
        }
        out.push('\n');
        if self.outcome.urgent {
            out.push_str(&format!(
                "!! {}\n",
                table.urgent_name.get(lang).to_uppercase()
            ));
        }
        let level = match self.outcome.decision {
            Decision::Level(index) => {
                let level = &table.levels[index];
                format!("{} – {}", level.number, level.name.get(lang))
            }
            Decision::NoRule => w(
                "none yet: no rule gives a level",
                "ingen ennå: ingen regel gir et nivå",
                "ingen enno: ingen regel gir eit nivå",
                "ingen ännu: ingen regel ger en nivå",
            ),
        };
        out.push_str(&format!(
            "{}: {level}\n",
            w(
                "Recommended level",
                "Anbefalt nivå",
                "Tilrådd nivå",
                "Rekommenderad nivå"
            )
        ));
        if let Some(index) = self.outcome.possible {
            let level = &table.levels[index];
            out.push_str(&format!(
                "{}: {} – {}\n",
                w(
                    "A completed form could reach",
                    "Et fullført skjema kan gi",
                    "Eit fullført skjema kan gi",
                    "Ett ifyllt formulär kan ge"
                ),
                level.number,
                level.name.get(lang)
            ));
        }
        out.push_str(&format!(
            "{}: {}\n",
            w("Urgent", "Haster", "Hastar", "Brådskande"),
            if self.outcome.urgent {
                w("yes", "ja", "ja", "ja")
            } else {
                w("no", "nei", "nei", "nej")
            }
        ));
        if !self.outcome.referrals.is_empty() {
            out.push_str(&format!(
                "{}:\n",
                w(
                    "Referrals to consider",
                    "Henvisninger å vurdere",
                    "Tilvisingar å vurdere",
                    "Remisser att överväga"
                )
            ));
            for &r in &self.outcome.referrals {
                let referral = &table.referrals[r];
                out.push_str(&format!(
                    "  - {} ({})\n",
                    referral.name.get(lang),
                    referral.timeframe.get(lang)
                ));
            }
        }
        if !self.outcome.pending.is_empty() {
            out.push_str(&format!(
                "{}:\n",
                w(
                    "Pending actions",
                    "Gjenstående tiltak",
                    "Tiltak som står att",
                    "Återstående åtgärder"
                )
            ));
            for &r in &self.outcome.pending {
                let rule = &table.rules[r];
                if let Some(action) = &rule.action {
                    out.push_str(&format!("  - {} ({})\n", action.get(lang), rule.id));
                }
            }
        }
        if let Some(line) = self.rescreen_text(lang) {
            out.push_str(&format!(
                "{}: {line}\n",
                w(
                    "Screen again",
                    "Ny screening",
                    "Ny screening",
                    "Ny screening"
                )
            ));
        }
        out.push_str(&format!(
            "\n{}:\n",
            w("Rules", "Regler", "Reglar", "Regler")
        ));
        let mut not_applicable: Vec<&str> = Vec::new();
        for trace in &self.rules {
            let rule = &table.rules[trace.rule];
            let unscreened_only =
                !trace.matched
                    && trace.checks.iter().filter(|c| !c.passed).all(|c| {
                        self.values[rule.conditions[c.condition].input] == Value::NotScreened
                    });
            if unscreened_only {
                not_applicable.push(&rule.id);
                continue;
            }
            let mark = match (trace.matched, trace.sets_outcome, trace.possible) {
                (true, true, _) => "=>",
                (true, false, _) => "+ ",
                (false, _, true) => "? ",
                (false, _, false) => "  ",
            };
            let verdict = match (trace.matched, trace.sets_outcome, trace.possible) {
                (true, true, _) => w(
                    "matched, sets the outcome",
                    "treffer, avgjør",
                    "treffer, avgjer",
                    "träffar, avgör",
                ),
                (true, false, _) if table.rules[trace.rule].level.is_some() => w(
                    "matched, level outranked (referrals and advice kept)",
                    "treffer, nivået overstyres (henvisninger og råd beholdes)",
                    "treffer, nivået blir overstyrt (tilvisingar og råd blir ståande)",
                    "träffar, nivån åsidosätts (remisser och råd behålls)",
                ),
                (true, false, _) => w("matched", "treffer", "treffer", "träffar"),
                (false, _, true) => w(
                    "may match once the form is completed",
                    "kan treffe når skjemaet er fullført",
                    "kan treffe når skjemaet er fylt ut",
                    "kan träffa när formuläret är ifyllt",
                ),
                (false, _, false) => w("no match", "treffer ikke", "treffer ikkje", "träffar inte"),
            };
            out.push_str(&format!(
                "{mark} {:<6} {verdict}: {}\n",
                rule.id,
                self.reason(table, trace.rule, lang)
            ));
        }
        if !not_applicable.is_empty() {
            out.push_str(&format!(
                "   {}: {}\n",
                w(
                    "Not applicable (instrument not screened)",
                    "Ikke aktuelle (skjema ikke kartlagt)",
                    "Ikkje aktuelle (skjema ikkje kartlagt)",
                    "Inte aktuella (formulär inte screenat)",
                ),
                not_applicable.join(", ")
            ));
        }
        let advice: Vec<(&str, &str)> = self
            .outcome
            .ordered
            .iter()
            .filter_map(|&r| {
                let rule = &table.rules[r];
                rule.advice
                    .as_ref()
                    .map(|a| (rule.id.as_str(), a.get(lang)))
            })
            .collect();
        if !advice.is_empty() {
            out.push_str(&format!("\n{}:\n", w("Advice", "Råd", "Råd", "Råd")));
            for (id, text) in advice {
                out.push_str(&format!("  {id}: {text}\n"));
            }
        }
        out.push_str(&format!(
            "\n{}\n",
            w(
                "Decision support only: the clinician decides, and stepcare refers no one.",
                "Kun beslutningsstøtte: klinikeren bestemmer, og stepcare henviser ingen.",
                "Berre avgjerdsstøtte: klinikaren avgjer, og stepcare tilviser ingen.",
                "Endast beslutsstöd: klinikern beslutar, och stepcare remitterar ingen.",
            )
        ));
        out
    }
}
