//! The values each input can take, and which combinations one instrument can produce.
//!
//! An input's domain is finite: a scale's reachable scores plus "no score" and
//! "not screened", a flag's yes/no plus "not screened", a column's declared
//! values plus (unless mapped) "blank". Inputs that read the same instrument
//! are not independent (an EPDS total of 0 cannot come with a raised
//! self-harm flag), so [`joint_tuples`] enumerates exactly which combinations
//! of their values the instrument's answers can produce.

use std::collections::HashSet;

use super::{ColumnKind, InputKind, RuleTable, Value};
use crate::instrument::{Instrument, reachable_score_from};

/// Every value `input` can take, in a stable order (numbers ascending first).
pub fn input_domain(table: &RuleTable, input: usize) -> Vec<Value> {
    match &table.inputs[input].kind {
        InputKind::Score { instrument, scale } => {
            let def = &table.instrument_defs[*instrument];
            let mut values: Vec<Value> = def.scales[*scale]
                .reachable_scores(&def.items)
                .into_iter()
                .map(Value::Score)
                .collect();
            values.push(Value::NoScore);
            values.push(Value::NotScreened);
            values
        }
        InputKind::Flag { .. } | InputKind::Complete { .. } => {
            vec![Value::Bool(false), Value::Bool(true), Value::NotScreened]
        }
        InputKind::Column(column) => {
            let mut values: Vec<Value> = match &column.kind {
                ColumnKind::Boolean => vec![Value::Bool(false), Value::Bool(true)],
                ColumnKind::Choice(words) => {
                    (0..words.len()).map(|i| Value::Choice(i as u16)).collect()
                }
                ColumnKind::Level => table
                    .levels
                    .iter()
                    .map(|l| Value::Number(l.number as f64))
                    .collect(),
            };
            if column.blank.is_none() {
                values.push(Value::Blank);
            }
            values
        }
    }
}

/// A scale whose score is followed through the answers, reduced to a class.
pub struct Tracked<'a> {
    /// Index of the scale in the instrument.
    pub scale: usize,
    /// Maps the score (`None`: no score) to a small class number.
    pub classify: Box<dyn Fn(Option<f64>) -> u16 + 'a>,
}

const FINAL: i32 = i32::MIN;
const POISONED: i32 = -1;

/// Every distinct combination (class of each tracked scale, then 0/1 for each
/// listed flag) that some set of answers to `instrument` produces, counting
/// unanswered and invalid answers.
///
/// Dynamic programming over the items: a state keeps, per tracked scale, the
/// answered count and point sum (or its final class once its last item is
/// past) and, per flag, whether it is raised, so the work grows with
/// items × distinct states × options rather than with options^items.
pub fn joint_tuples(
    instrument: &Instrument,
    tracked: &[Tracked<'_>],
    flags: &[usize],
) -> Vec<Vec<u16>> {
    let width = tracked.len() * 2 + flags.len();
    let last_item: Vec<usize> = tracked
        .iter()
        .map(|t| {
            instrument.scales[t.scale]
                .items
                .iter()
                .copied()
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut states: HashSet<Vec<i32>> = HashSet::new();
    states.insert(vec![0; width]);
    for (index, item) in instrument.items.iter().enumerate() {
        // Choices: missing, invalid, each option's points.
        let mut choices: Vec<Option<Option<i32>>> = vec![None, Some(None)];
        choices.extend(item.options.iter().map(|o| Some(Some(o.points))));
        let mut next: HashSet<Vec<i32>> = HashSet::with_capacity(states.len() * 2);
        for state in &states {
            for choice in &choices {
                let mut new = state.clone();
                for (t, track) in tracked.iter().enumerate() {
                    let scale = &instrument.scales[track.scale];
                    if !scale.items.contains(&index) || new[2 * t] == FINAL {
                        continue;
                    }
                    match choice {
                        None => {
                            if scale.missing.required.contains(&index) {
                                new[2 * t] = POISONED;
                            }
                        }
                        Some(None) => new[2 * t] = POISONED,
                        Some(Some(points)) => {
                            if new[2 * t] != POISONED {
                                new[2 * t] += 1;
                                new[2 * t + 1] += points;
                            }
                        }
                    }
                    if last_item[t] == index {
                        let score =
                            final_score(instrument, track.scale, new[2 * t], new[2 * t + 1]);
                        new[2 * t] = FINAL;
                        new[2 * t + 1] = i32::from((track.classify)(score));
                    }
                }
                for (f, &flag) in flags.iter().enumerate() {
                    let flag = &instrument.flags[flag];
                    if flag.item == index
                        && let Some(Some(points)) = choice
                        && *points >= flag.at_least
                    {
                        new[tracked.len() * 2 + f] = 1;
                    }
                }
                next.insert(new);
            }
        }
        states = next;
    }
    let mut tuples: Vec<Vec<u16>> = states
        .into_iter()
        .map(|state| {
            let mut tuple: Vec<u16> = (0..tracked.len())
                .map(|t| state[2 * t + 1] as u16)
                .collect();
            tuple.extend(state[tracked.len() * 2..].iter().map(|&b| b as u16));
            tuple
        })
        .collect();
    tuples.sort();
    tuples.dedup();
    tuples
}

fn final_score(instrument: &Instrument, scale: usize, answered: i32, sum: i32) -> Option<f64> {
    if answered == POISONED {
        return None;
    }
    let scale = &instrument.scales[scale];
    let n = scale.items.len();
    let answered = usize::try_from(answered).ok()?;
    if n - answered > scale.missing.max_missing {
        return None;
    }
    reachable_score_from(scale, i64::from(sum), answered, n)
}
