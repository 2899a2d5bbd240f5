//! The values each input can take, and which combinations one instrument can produce.
//!
//! An input's domain is finite: a scale's reachable scores plus "no score" and
//! "not screened", a flag's yes/no plus "not screened", a column's declared
//! values plus (unless mapped) "blank". The score of an age-banded instrument
//! is read as its zone: the zones some age interval can reach. Inputs that
//! read the same instrument are not independent (an EPDS total of 0 cannot
//! come with a raised self-harm flag), so [`joint_tuples`] enumerates exactly
//! which combinations of their values the instrument's answers can produce.

use std::collections::BTreeSet;

// The enumeration hashes many short states: a fast hash, not a DoS-resistant one.
use rustc_hash::FxHashSet as HashSet;

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
            match &def.age_banding {
                // Without an age interval nothing bounds the score of a form.
                Some(_) => values.push(Value::NoScore),
                None => values.extend(partial_values(def, &def.scales[*scale])),
            }
            values.push(Value::NotScreened);
            values
        }
        InputKind::Flag { .. } => vec![
            Value::Bool(false),
            Value::Bool(true),
            Value::Unknown,
            Value::NotScreened,
        ],
        InputKind::Complete { .. } => {
            vec![Value::Bool(false), Value::Bool(true), Value::NotScreened]
        }
        InputKind::Column(column) => {
            let mut values: Vec<Value> = match &column.kind {
                ColumnKind::Boolean => vec![Value::Bool(false), Value::Bool(true)],
                ColumnKind::Choice(words) => {
                    (0..words.len()).map(|i| Value::Choice(i as u16)).collect()
                }
                ColumnKind::Period => vec![Value::Choice(0), Value::Choice(1)],
                ColumnKind::Week => (0..=super::MAX_WEEK)
                    .map(|w| Value::Number(f64::from(w)))
                    .collect(),
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

/// Every partial score of `scale`: the bounds `[low, high]` of the
/// completions of a form with at least one item of the scale unanswered or
/// invalid (an invalid answer always leaves the scale unscored, so any
/// number of unknown items can give a partial score).
pub fn partial_values(instrument: &Instrument, scale: &Scale) -> Vec<Value> {
    let items: Vec<&crate::instrument::Item> =
        scale.items.iter().map(|&i| &instrument.items[i]).collect();
    let base: i64 = items.iter().map(|i| i64::from(i.min_points())).sum();
    let top: i64 = items.iter().map(|i| i64::from(i.max_points())).sum();
    let width = usize::try_from(top - base + 1).unwrap_or(1).max(1);
    // States: (some item unknown, low - base, high - base), each seen once.
    let mut current: Vec<(bool, i64, i64)> = vec![(false, 0, 0)];
    for item in &items {
        let (min, max) = (i64::from(item.min_points()), i64::from(item.max_points()));
        // A bitmap while the score range is small, a hash set beyond.
        let dense = width <= 1024;
        let cells = if dense { width * width } else { 0 };
        let mut seen = [vec![false; cells], vec![false; cells]];
        let mut sparse: HashSet<(bool, i64, i64)> = HashSet::default();
        let mut next: Vec<(bool, i64, i64)> = Vec::new();
        let mut add = |state: (bool, i64, i64)| {
            let (u, lo, hi) = state;
            let fresh = if dense {
                let slot = &mut seen[usize::from(u)][(lo as usize) * width + hi as usize];
                !std::mem::replace(slot, true)
            } else {
                sparse.insert(state)
            };
            if fresh {
                next.push(state);
            }
        };
        for &(unknown, lo, hi) in &current {
            // Unknown: the item may take any of its options.
            add((true, lo, hi + (max - min)));
            for option in &item.options {
                let p = i64::from(option.points) - min;
                add((unknown, lo + p, hi + p));
            }
        }
        current = next;
    }
    let n = scale.items.len().max(1) as f64;
    let mut values: Vec<(f64, f64)> = current
        .into_iter()
        .filter(|(unknown, _, _)| *unknown)
        .map(|(_, lo, hi)| {
            let (lo, hi) = ((lo + base) as f64, (hi + base) as f64);
            match scale.method {
                crate::instrument::ScaleMethod::Sum => (lo, hi),
                crate::instrument::ScaleMethod::Mean => (lo / n, hi / n),
            }
        })
        .collect();
    values.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    values.dedup();
    values
        .into_iter()
        .map(|(low, high)| Value::Partial { low, high })
        .collect()
}

/// A zone (band index) as a [`Value::Zone`] number.
pub(crate) fn zone_value(band: usize) -> u16 {
    u16::try_from(band).unwrap_or(u16::MAX)
}

/// The classifier of a [`Tracked`] scale: maps the scale's value for one
/// set of answers ([`Value::Score`], [`Value::Partial`] or [`Value::NoScore`])
/// to a small class number.
pub type Classify<'a> = Box<dyn Fn(&Scale, Value) -> u16 + 'a>;

/// A scale whose score is followed through the answers, reduced to a class.
pub struct Tracked<'a> {
    /// Index of the scale in the instrument.
    pub scale: usize,
    /// Maps the value to a small class number, given the scale that computed
    /// it: the instrument's own, or for an age-banded instrument the age
    /// interval's copy with that interval's items and bands.
    pub classify: Classify<'a>,
}

/// A flag's state in a tuple of [`joint_tuples`]: not raised.
pub const FLAG_FALSE: u16 = 0;
/// A flag's state in a tuple of [`joint_tuples`]: raised.
pub const FLAG_TRUE: u16 = 1;
/// A flag's state in a tuple of [`joint_tuples`]: its item unanswered or invalid.
pub const FLAG_UNKNOWN: u16 = 2;

const FINAL: i32 = i32::MIN;
/// Slots per tracked scale in a DP state: answered items (or [`FINAL`]),
/// point sum (or the class once final), the least and the most the unknown
/// items can add, and whether the scale can no longer be scored.
const SLOTS: usize = 5;

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

/// Every distinct combination (class of each tracked scale, then the state of
/// each listed flag: [`FLAG_FALSE`], [`FLAG_TRUE`] or [`FLAG_UNKNOWN`]) that
/// some set of answers to `instrument` produces, counting unanswered and
/// invalid answers and ticked concern boxes. Answers that leave every item
/// blank are left out: such a form was not given, which a rule table reads
/// as not screened.
///
/// Dynamic programming over the items: a state keeps, per tracked scale, the
/// answered count, point sum and the range the unknown items can add (or its
/// final class once its last item is past) and, per flag, its state, so the
/// work grows with items × distinct states × options rather than with
/// options^items. An age-banded instrument is enumerated once per age
/// interval, with that interval's scales, plus the answers given with no
/// interval (an age outside every window), where no scale has a score.
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
                .map(|t| (t.classify)(&instrument.scales[t.scale], Value::NoScore))
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
    // Scales and flags that share no item vary independently: enumerate each
    // connected group on its own items and combine the results, so the work
    // grows with the largest group rather than with their product.
    let items_of_node = |node: usize| -> Vec<usize> {
        if node < tracked.len() {
            scales[tracked[node].scale].items.clone()
        } else {
            vec![instrument.flags[flags[node - tracked.len()]].item]
        }
    };
    let nodes = tracked.len() + flags.len();
    let mut component: Vec<usize> = (0..nodes).collect();
    fn root(component: &mut [usize], mut n: usize) -> usize {
        while component[n] != n {
            component[n] = component[component[n]];
            n = component[n];
        }
        n
    }
    let node_items: Vec<Vec<usize>> = (0..nodes).map(items_of_node).collect();
    for a in 0..nodes {
        for b in a + 1..nodes {
            if node_items[a].iter().any(|i| node_items[b].contains(i)) {
                let (ra, rb) = (root(&mut component, a), root(&mut component, b));
                component[ra] = rb;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: Vec<usize> = Vec::with_capacity(nodes);
    for n in 0..nodes {
        let r = root(&mut component, n);
        match groups.iter().position(|g| root(&mut component, g[0]) == r) {
            Some(g) => {
                groups[g].push(n);
                group_of.push(g);
            }
            None => {
                group_of.push(groups.len());
                groups.push(vec![n]);
            }
        }
    }
    let mut covered: Vec<bool> = vec![false; instrument.items.len()];
    // Each group's tuples: its scales' classes, its flags' states, touched.
    let mut parts: Vec<Vec<Vec<u16>>> = Vec::new();
    for group in &groups {
        let mut items: Vec<usize> = group.iter().flat_map(|&n| node_items[n].clone()).collect();
        items.sort_unstable();
        items.dedup();
        for &i in &items {
            if let Some(c) = covered.get_mut(i) {
                *c = true;
            }
        }
        let own_tracked: Vec<&Tracked<'_>> = group
            .iter()
            .filter(|&&n| n < tracked.len())
            .map(|&n| &tracked[n])
            .collect();
        let own_flags: Vec<usize> = group
            .iter()
            .filter(|&&n| n >= tracked.len())
            .map(|&n| flags[n - tracked.len()])
            .collect();
        parts.push(component_tuples(
            instrument,
            scales,
            &own_tracked,
            &own_flags,
            &items,
        ));
    }
    // An answer to an item outside every group also means the form was given.
    let touched_outside = covered.iter().any(|c| !c);
    // Where each node's value sits in its group's tuple.
    let position: Vec<usize> = (0..nodes)
        .map(|n| {
            let group = &groups[group_of[n]];
            let scales_before = group
                .iter()
                .filter(|&&m| m < tracked.len() && m < n)
                .count();
            if n < tracked.len() {
                scales_before
            } else {
                let own_scales = group.iter().filter(|&&m| m < tracked.len()).count();
                own_scales
                    + group
                        .iter()
                        .filter(|&&m| m >= tracked.len() && m < n)
                        .count()
            }
        })
        .collect();
    let mut out: Vec<Vec<u16>> = Vec::new();
    let mut choice: Vec<usize> = vec![0; parts.len()];
    if parts.iter().any(Vec::is_empty) {
        return out;
    }
    loop {
        let touched = parts
            .iter()
            .zip(&choice)
            .any(|(p, &c)| *p[c].last().expect("touched bit") == 1);
        if touched || touched_outside {
            out.push(
                (0..nodes)
                    .map(|n| parts[group_of[n]][choice[group_of[n]]][position[n]])
                    .collect(),
            );
        }
        // The next combination, like an odometer.
        let mut k = 0;
        loop {
            if k == parts.len() {
                return out;
            }
            choice[k] += 1;
            if choice[k] < parts[k].len() {
                break;
            }
            choice[k] = 0;
            k += 1;
        }
    }
}

/// The tuples of one group of scales and flags that share items, enumerated
/// over `items` only: its scales' classes, its flags' states, and last 1 when
/// some item of the group was answered or invalid (0 for all blank).
fn component_tuples(
    instrument: &Instrument,
    scales: &[Scale],
    tracked: &[&Tracked<'_>],
    flags: &[usize],
    items: &[usize],
) -> Vec<Vec<u16>> {
    let bounded = instrument.age_banding.is_none();
    let flag_base = tracked.len() * SLOTS;
    let touched = flag_base + flags.len();
    let width = touched + 1;
    let last_item: Vec<Option<usize>> = tracked
        .iter()
        .map(|t| scales[t.scale].items.iter().copied().max())
        .collect();
    let mut start = vec![0; width];
    for (t, track) in tracked.iter().enumerate() {
        if last_item[t].is_none() {
            // A scale with no items (in this interval) never has a score.
            start[SLOTS * t] = FINAL;
            start[SLOTS * t + 1] =
                i32::from((track.classify)(&scales[track.scale], Value::NoScore));
        }
    }
    let mut states: HashSet<Vec<i32>> = HashSet::default();
    states.insert(start);
    for &index in items {
        let item = &instrument.items[index];
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
        let (min, max) = (item.min_points(), item.max_points());
        let mut next: HashSet<Vec<i32>> =
            HashSet::with_capacity_and_hasher(states.len() * 2, Default::default());
        for state in &states {
            for choice in &choices {
                let mut new = state.clone();
                for (t, track) in tracked.iter().enumerate() {
                    let scale = &scales[track.scale];
                    let at = SLOTS * t;
                    if !scale.items.contains(&index) || new[at] == FINAL {
                        continue;
                    }
                    match choice {
                        Choice::Missing => {
                            new[at + 2] += min;
                            new[at + 3] += max;
                            if scale.missing.required.contains(&index) {
                                new[at + 4] = 1;
                            }
                        }
                        Choice::Invalid => {
                            new[at + 2] += min;
                            new[at + 3] += max;
                            new[at + 4] = 1;
                        }
                        Choice::Points { scale: points, .. } => {
                            new[at] += 1;
                            new[at + 1] += points;
                        }
                    }
                    if last_item[t] == Some(index) {
                        let value = final_value(scale, bounded, &new[at..at + SLOTS]);
                        new[at..at + SLOTS].fill(0);
                        new[at] = FINAL;
                        new[at + 1] = i32::from((track.classify)(scale, value));
                    }
                }
                for (f, &flag) in flags.iter().enumerate() {
                    let flag = &instrument.flags[flag];
                    if flag.item != index {
                        continue;
                    }
                    new[flag_base + f] = i32::from(match choice {
                        Choice::Missing | Choice::Invalid => FLAG_UNKNOWN,
                        Choice::Points { flag: points, .. } if *points >= flag.at_least => {
                            FLAG_TRUE
                        }
                        Choice::Points { .. } => FLAG_FALSE,
                    });
                }
                if *choice != Choice::Missing {
                    new[touched] = 1;
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
                .map(|t| state[SLOTS * t + 1] as u16)
                .collect();
            tuple.extend(state[flag_base..=touched].iter().map(|&b| b as u16));
            tuple
        })
        .collect();
    tuples.sort_unstable();
    tuples.dedup();
    tuples
}

/// The value of a scale once its last item is past, from its DP slots.
fn final_value(scale: &Scale, bounded: bool, slots: &[i32]) -> Value {
    let (answered, sum, low, high, unscorable) = (slots[0], slots[1], slots[2], slots[3], slots[4]);
    let n = scale.items.len();
    if unscorable == 0 {
        let answered = usize::try_from(answered).unwrap_or(0);
        if n - answered <= scale.missing.max_missing
            && let Some(score) = reachable_score_from(scale, i64::from(sum), answered, n)
        {
            return Value::Score(score);
        }
    }
    if !bounded {
        return Value::NoScore;
    }
    let (low, high) = (f64::from(sum + low), f64::from(sum + high));
    match scale.method {
        crate::instrument::ScaleMethod::Sum => Value::Partial { low, high },
        crate::instrument::ScaleMethod::Mean => {
            let n = n.max(1) as f64;
            Value::Partial {
                low: low / n,
                high: high / n,
            }
        }
    }
}
