//! The values each input can take, and which combinations one instrument can produce.
//!
//! An input's domain is finite: a scale's reachable scores plus "no score" and
//! "not screened", a flag's yes/no plus "not screened", a column's declared
//! values plus (unless mapped) "blank". The score of an age-banded instrument
//! is read as its zone: the zones some age interval can reach. Inputs that
//! read the same instrument are not independent (an EPDS total of 0 cannot
//! come with a raised self-harm flag), so [`joint_tuples`] enumerates exactly
//! which combinations of their values the instrument's answers can produce.

use std::collections::{BTreeSet, HashSet};

use super::{ColumnKind, InputKind, RuleTable, Value};
use crate::instrument::{Instrument, Scale, reachable_score_from};

/// Every value `input` can take, in a stable order (numbers or zones ascending first).
pub fn input_domain(table: &RuleTable, input: usize) -> Vec<Value> {
    match &table.inputs[input].kind {
        InputKind::Score { instrument, scale } => {
            let def = &table.instrument_defs[*instrument];
            let mut values: Vec<Value> = match &def.age_banding {
                None => def.scales[*scale]
                    .reachable_scores_with_concerns(&def.items, &def.concerns)
                    .into_iter()
                    .map(Value::Score)
                    .collect(),
                Some(banding) => {
                    let mut zones = BTreeSet::new();
                    for interval in &banding.intervals {
                        let own = &interval.scales[*scale];
                        for score in own.reachable_scores_with_concerns(&def.items, &def.concerns) {
                            if let Some(zone) = own.band_of(score) {
                                zones.insert(zone_value(zone));
                            }
                        }
                    }
                    zones.into_iter().map(Value::Zone).collect()
                }
            };
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

/// A zone (band index) as a [`Value::Zone`] number.
pub(crate) fn zone_value(band: usize) -> u16 {
    u16::try_from(band).unwrap_or(u16::MAX)
}

/// The classifier of a [`Tracked`] scale.
pub type Classify<'a> = Box<dyn Fn(&Scale, Option<f64>) -> u16 + 'a>;

/// A scale whose score is followed through the answers, reduced to a class.
pub struct Tracked<'a> {
    /// Index of the scale in the instrument.
    pub scale: usize,
    /// Maps the score (`None`: no score) to a small class number, given the
    /// scale that computed it: the instrument's own, or for an age-banded
    /// instrument the age interval's copy with that interval's items and bands.
    pub classify: Classify<'a>,
}

const FINAL: i32 = i32::MIN;
const POISONED: i32 = -1;

/// One way an item can be answered, for the enumeration.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    Missing,
    Invalid,
    /// An option: the points its scales count (with a ticked concern box) and
    /// the points its flags test (the option's own).
    Points {
        scale: i32,
        flag: i32,
    },
}

/// Every distinct combination (class of each tracked scale, then 0/1 for each
/// listed flag) that some set of answers to `instrument` produces, counting
/// unanswered and invalid answers and ticked concern boxes.
///
/// Dynamic programming over the items: a state keeps, per tracked scale, the
/// answered count and point sum (or its final class once its last item is
/// past) and, per flag, whether it is raised, so the work grows with
/// items × distinct states × options rather than with options^items. An
/// age-banded instrument is enumerated once per age interval, with that
/// interval's scales, plus the answers given with no interval (an age outside
/// every window), where no scale has a score.
pub fn joint_tuples(
    instrument: &Instrument,
    tracked: &[Tracked<'_>],
    flags: &[usize],
) -> Vec<Vec<u16>> {
    let mut tuples = match &instrument.age_banding {
        None => joint_in(instrument, &instrument.scales, tracked, flags),
        Some(banding) => {
            let mut all: Vec<Vec<u16>> = Vec::new();
            for interval in &banding.intervals {
                all.extend(joint_in(instrument, &interval.scales, tracked, flags));
            }
            let no_score: Vec<u16> = tracked
                .iter()
                .map(|t| (t.classify)(&instrument.scales[t.scale], None))
                .collect();
            let raised: BTreeSet<Vec<u16>> =
                all.iter().map(|t| t[tracked.len()..].to_vec()).collect();
            for flags in raised {
                let mut tuple = no_score.clone();
                tuple.extend(flags);
                all.push(tuple);
            }
            all
        }
    };
    tuples.sort();
    tuples.dedup();
    tuples
}

/// [`joint_tuples`] with these scales (the instrument's, or one interval's).
fn joint_in(
    instrument: &Instrument,
    scales: &[Scale],
    tracked: &[Tracked<'_>],
    flags: &[usize],
) -> Vec<Vec<u16>> {
    let width = tracked.len() * 2 + flags.len();
    let last_item: Vec<Option<usize>> = tracked
        .iter()
        .map(|t| scales[t.scale].items.iter().copied().max())
        .collect();
    let mut start = vec![0; width];
    for (t, track) in tracked.iter().enumerate() {
        if last_item[t].is_none() {
            // A scale with no items (in this interval) never has a score.
            start[2 * t] = FINAL;
            start[2 * t + 1] = i32::from((track.classify)(&scales[track.scale], None));
        }
    }
    let mut states: HashSet<Vec<i32>> = HashSet::new();
    states.insert(start);
    for (index, item) in instrument.items.iter().enumerate() {
        let mut choices: Vec<Choice> = vec![Choice::Missing, Choice::Invalid];
        let concern = instrument.concerns.get(index).copied().flatten();
        for option in &item.options {
            choices.push(Choice::Points {
                scale: option.points,
                flag: option.points,
            });
            if let Some(extra) = concern {
                choices.push(Choice::Points {
                    scale: option.points + extra,
                    flag: option.points,
                });
            }
        }
        let mut next: HashSet<Vec<i32>> = HashSet::with_capacity(states.len() * 2);
        for state in &states {
            for choice in &choices {
                let mut new = state.clone();
                for (t, track) in tracked.iter().enumerate() {
                    let scale = &scales[track.scale];
                    if !scale.items.contains(&index) || new[2 * t] == FINAL {
                        continue;
                    }
                    match choice {
                        Choice::Missing => {
                            if scale.missing.required.contains(&index) {
                                new[2 * t] = POISONED;
                            }
                        }
                        Choice::Invalid => new[2 * t] = POISONED,
                        Choice::Points { scale: points, .. } => {
                            if new[2 * t] != POISONED {
                                new[2 * t] += 1;
                                new[2 * t + 1] += points;
                            }
                        }
                    }
                    if last_item[t] == Some(index) {
                        let score = final_score(scale, new[2 * t], new[2 * t + 1]);
                        new[2 * t] = FINAL;
                        new[2 * t + 1] = i32::from((track.classify)(scale, score));
                    }
                }
                for (f, &flag) in flags.iter().enumerate() {
                    let flag = &instrument.flags[flag];
                    if flag.item == index
                        && let Choice::Points { flag: points, .. } = choice
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
    states
        .into_iter()
        .map(|state| {
            let mut tuple: Vec<u16> = (0..tracked.len())
                .map(|t| state[2 * t + 1] as u16)
                .collect();
            tuple.extend(state[tracked.len() * 2..].iter().map(|&b| b as u16));
            tuple
        })
        .collect()
}

fn final_score(scale: &Scale, answered: i32, sum: i32) -> Option<f64> {
    if answered == POISONED {
        return None;
    }
    let n = scale.items.len();
    let answered = usize::try_from(answered).ok()?;
    if n - answered > scale.missing.max_missing {
        return None;
    }
    reachable_score_from(scale, i64::from(sum), answered, n)
}
