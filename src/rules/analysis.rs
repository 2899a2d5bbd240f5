//! Exact static analysis of a rule table: gaps, masked rules, lost urgent flags.
//!
//! # Method
//!
//! 1. **Partitions.** Each input's finite domain (see [`super::domain`]) is
//!    cut into classes: maximal runs of neighbouring values on which every
//!    condition of every rule gives the same verdict, so numbers are split
//!    only at rule boundaries (EPDS 0-30 becomes 0-9, 10-12, 13-30 for a
//!    table testing `>=13` and `[10..12]`), and `incomplete`, `not screened`
//!    and `blank` are classes of their own, as is each zone of an age-banded
//!    scale (whose domain is the zones some age interval reaches).
//! 2. **Groups.** Inputs that read the same instrument are not independent, so
//!    they form one group whose points are the combinations of classes (plus
//!    the instrument's urgent flags) that some answers actually produce,
//!    enumerated exactly by dynamic programming over the items (with concern
//!    boxes, and once per age interval for an age-banded instrument), plus
//!    "not screened". Each data column is a group of its own. Different groups are
//!    independent, so the space of cases is the product of the groups.
//! 3. **Cubes.** A rule accepts, in each group, the set of points its
//!    conditions allow: a rule is a box in the product space.
//! 4. **Cover checks.** "Is this box covered by the union of these rules'
//!    boxes?" is answered by recursive splitting: drop rules that miss the box;
//!    if none is left, the box is a gap (counted and kept as an example); if one
//!    rule contains the whole box, it is covered; otherwise split one group
//!    into the parts the remaining rules tell apart and recurse.
//!    - completeness: the whole space against the rules that set a level;
//!    - safety: for every urgent flag, the space where it is raised against
//!      the urgent rules;
//!    - masking: a rule's own box against the rules that outrank it (or give
//!      the same level with at least its referrals and advice) and, for an
//!      urgent rule, against the other urgent rules with at least its
//!      referrals and advice.
//!
//! # Cost
//!
//! Building the groups costs, per instrument, items × distinct DP states ×
//! (options + 2). The space holds Π over groups of (points in the group)
//! cases, but the cover checks never enumerate it: each check visits at most
//! one node per distinct box the rules cut out, and does O(rules × groups)
//! work per node, so the cost grows with the number of rules and with the
//! number of distinct classes along the inputs rules combine, not with the
//! size of the product. [`Report::nodes`] counts the nodes visited.

use super::condition::Value;
// Keys are small and come from the table, not from users: a fast hash.
use rustc_hash::FxHashMap as HashMap;

use super::domain::{FLAG_TRUE, FLAG_UNKNOWN, Tracked, input_domain, joint_tuples, zone_value};
use super::{InputKind, RuleTable};
use crate::diagnostic::{Diagnostic, SourceSpot};
use crate::instrument::fmt_score;
use crate::lang::Lang;

/// A small set of point indices.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Bits(Vec<u64>);

impl Bits {
    fn empty(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn full(n: usize) -> Bits {
        let mut bits = Bits::empty(n);
        for i in 0..n {
            bits.insert(i);
        }
        bits
    }
    fn insert(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn contains(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    fn intersects(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }
    fn is_subset(&self, other: &Bits) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & !b == 0)
    }
    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
    fn and(&self, other: &Bits) -> Bits {
        Bits(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &word)| {
            (0..64)
                .filter(move |b| word & (1 << b) != 0)
                .map(move |b| w * 64 + b)
        })
    }
}

/// A class of an input's values on which every condition agrees.
#[derive(Debug, Clone)]
pub struct Class {
    /// The values in the class (a run of numbers, or one symbolic value).
    pub values: Vec<Value>,
}

/// One independent dimension of the case space.
#[derive(Debug, Clone)]
struct Group {
    /// Instrument index, or `None` for a data column.
    instrument: Option<usize>,
    /// Inputs in this group.
    inputs: Vec<usize>,
    /// Urgent flags of the instrument (flag indices).
    urgent_flags: Vec<usize>,
    /// Each point: class per input (same order as `inputs`), then 0/1 per urgent flag.
    points: Vec<Vec<u16>>,
    /// The point that stands for "not screened", if any.
    not_screened: Option<usize>,
}

/// A box of cases: per group, a set of points.
type Space = Vec<Bits>;

/// A rule whose removal would change no outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// The rule (index).
    pub rule: usize,
    /// The rules that mask it.
    pub by: Vec<usize>,
    /// Whether every masking rule sets a strictly higher level.
    pub shadowed: bool,
}

/// Cases no rule handles, with up to a few described examples.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Uncovered {
    /// How many cases.
    pub count: u128,
    /// Examples, in words.
    pub examples: Vec<String>,
}

/// An urgent flag that some cases lose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostFlag {
    /// Instrument index.
    pub instrument: usize,
    /// Flag index in the instrument.
    pub flag: usize,
    /// Whether the cases are those where the flag is unknown (its item
    /// unanswered) rather than raised.
    pub unknown: bool,
    /// The cases where the flag is raised (or unknown) but no urgent rule matches.
    pub cases: Uncovered,
}

/// What the analysis found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Distinguishable cases in the whole space (product of the group sizes):
    /// combinations of value classes that the rules tell apart, not of raw values.
    pub combinations: u128,
    /// Classes per input.
    pub classes: Vec<Vec<Class>>,
    /// Points per group, as (name, count).
    pub groups: Vec<(String, usize)>,
    /// Cases where no rule sets a level.
    pub gaps: Uncovered,
    /// Urgent flags that some case loses.
    pub lost_flags: Vec<LostFlag>,
    /// Cases that are urgent while the level is the table's lowest
    /// (universal follow-up next to a same-day warning).
    pub urgent_at_lowest: Uncovered,
    /// Rules that match no possible case.
    pub never_match: Vec<usize>,
    /// Rules that never change the outcome.
    pub masked: Vec<Masked>,
    /// Nodes visited by the cover checks (the work done).
    pub nodes: u64,
}

/// How many examples of a gap are described.
const EXAMPLES: usize = 5;

struct Analyzer<'t> {
    table: &'t RuleTable,
    classes: Vec<Partition>,
    groups: Vec<Group>,
    /// Per rule, per group: accepted points.
    cubes: Vec<Space>,
    nodes: u64,
}

/// Analyses `table` exactly over every possible case.
pub fn analyze(table: &RuleTable) -> Report {
    analyze_with(table, true)
}

/// Analyses `table` for what makes it unsafe or unusable only: gaps, lost
/// urgent flags, urgent cases at the lowest level and rules that can never
/// match, leaving out the shadowed and redundant rules (warnings, and most of
/// the work). Loading a table for a run needs no more.
pub fn analyze_safety(table: &RuleTable) -> Report {
    analyze_with(table, false)
}

fn analyze_with(table: &RuleTable, masking: bool) -> Report {
    let classes: Vec<Partition> = (0..table.inputs.len())
        .map(|input| partition(table, input))
        .collect();
    let groups = build_groups(table, &classes);
    let mut analyzer = Analyzer {
        table,
        classes,
        groups,
        cubes: Vec::new(),
        nodes: 0,
    };
    analyzer.cubes = (0..table.rules.len()).map(|r| analyzer.cube(r)).collect();
    let full: Space = analyzer
        .groups
        .iter()
        .map(|g| Bits::full(g.points.len()))
        .collect();
    let mut report = Report {
        combinations: analyzer
            .groups
            .iter()
            .map(|g| g.points.len() as u128)
            .product(),
        groups: analyzer
            .groups
            .iter()
            .map(|g| (analyzer.group_name(g), g.points.len()))
            .collect(),
        ..Report::default()
    };

    // Completeness: every case gets a level or at least a pending action.
    let deciders: Vec<usize> = (0..table.rules.len())
        .filter(|&r| table.rules[r].level.is_some() || table.rules[r].action.is_some())
        .collect();
    report.gaps = analyzer.uncovered(&full, &deciders);

    // Safety of urgent flags.
    let urgent_rules: Vec<usize> = (0..table.rules.len())
        .filter(|&r| table.rules[r].urgent)
        .collect();
    // Every urgent flag must be urgent when raised and when unknown (its item
    // unanswered: the question must be asked now).
    let mut flagged: Vec<(usize, usize, bool, Space)> = Vec::new();
    for (g, group) in analyzer.groups.iter().enumerate() {
        let Some(instrument) = group.instrument else {
            continue;
        };
        for (f, &flag) in group.urgent_flags.iter().enumerate() {
            let offset = group.inputs.len() + f;
            for (state, unknown) in [(FLAG_TRUE, false), (FLAG_UNKNOWN, true)] {
                let mut points = Bits::empty(group.points.len());
                for (p, point) in group.points.iter().enumerate() {
                    if point[offset] == state {
                        points.insert(p);
                    }
                }
                if points.is_empty() {
                    continue;
                }
                let mut space = full.clone();
                space[g] = points;
                flagged.push((instrument, flag, unknown, space));
            }
        }
    }
    for (instrument, flag, unknown, space) in flagged {
        let cases = analyzer.uncovered(&space, &urgent_rules);
        if cases.count > 0 {
            report.lost_flags.push(LostFlag {
                instrument,
                flag,
                unknown,
                cases,
            });
        }
    }

    // Urgent is never universal: no case may be urgent at the lowest level.
    if let Some(lowest) = table.levels.first().map(|l| l.number) {
        let at_lowest: Vec<usize> = (0..table.rules.len())
            .filter(|&r| {
                table.rules[r]
                    .level
                    .is_some_and(|l| table.rank(l) == lowest)
            })
            .collect();
        let above: Vec<usize> = (0..table.rules.len())
            .filter(|&r| table.rules[r].level.is_some_and(|l| table.rank(l) > lowest))
            .collect();
        let mut found = Uncovered::default();
        for &u in &urgent_rules {
            // An urgent rule with a level above the lowest lifts every case it matches.
            if table.rules[u].level.is_some_and(|l| table.rank(l) > lowest) {
                continue;
            }
            for &l in &at_lowest {
                let both: Space = analyzer.cubes[u]
                    .iter()
                    .zip(&analyzer.cubes[l])
                    .map(|(a, b)| a.and(b))
                    .collect();
                if both.iter().any(Bits::is_empty) {
                    continue;
                }
                let cases = analyzer.uncovered(&both, &above);
                if cases.count > 0 {
                    found.count += cases.count;
                    for example in cases.examples {
                        if found.examples.len() < EXAMPLES {
                            found.examples.push(format!(
                                "{example} (urgent by `{}`, level from `{}`)",
                                table.rules[u].id, table.rules[l].id
                            ));
                        }
                    }
                }
            }
        }
        report.urgent_at_lowest = found;
    }

    // Rules that never match, and rules that never change the outcome.
    for r in 0..table.rules.len() {
        let cube = analyzer.cubes[r].clone();
        if cube.iter().any(Bits::is_empty) {
            report.never_match.push(r);
            continue;
        }
        if !masking {
            continue;
        }
        let rule = &table.rules[r];
        // Another rule that, matching too, shows everything this one shows.
        let covers = |s: usize| {
            let other = &table.rules[s];
            rule.referrals.iter().all(|x| other.referrals.contains(x))
                && (rule.advice.is_none() || rule.advice == other.advice)
                && (rule.action.is_none() || rule.action == other.action)
        };
        let Some(level) = rule.level else {
            // An urgent-only rule is redundant where other urgent rules with
            // at least its referrals and advice always match too.
            if rule.urgent && rule.action.is_none() {
                let masks: Vec<usize> = urgent_rules
                    .iter()
                    .copied()
                    .filter(|&s| s != r && covers(s) && analyzer.intersects(&cube, s))
                    .collect();
                if analyzer.uncovered_count(&cube, &masks) == 0 {
                    report.masked.push(Masked {
                        rule: r,
                        by: masks,
                        shadowed: false,
                    });
                }
            }
            continue;
        };
        let rank = table.rank(level);
        let ranked = |s: usize, strictly: bool| {
            table.rules[s].level.is_some_and(|other| {
                let other = table.rank(other);
                other > rank || (!strictly && other == rank)
            })
        };
        // Redundant: wherever it matches, rules with at least its level and
        // everything it shows match too (and its urgency, if any).
        let redundant: Vec<usize> = (0..table.rules.len())
            .filter(|&s| s != r && ranked(s, false) && covers(s))
            .filter(|&s| !rule.urgent || table.rules[s].urgent)
            .filter(|&s| analyzer.intersects(&cube, s))
            .collect();
        if analyzer.uncovered_count(&cube, &redundant) == 0 {
            report.masked.push(Masked {
                rule: r,
                by: redundant,
                shadowed: false,
            });
            continue;
        }
        // Shadowed: its level never decides, since a higher level always
        // matches too (its referrals and advice are still shown).
        let higher: Vec<usize> = (0..table.rules.len())
            .filter(|&s| ranked(s, true) && analyzer.intersects(&cube, s))
            .collect();
        if analyzer.uncovered_count(&cube, &higher) == 0 {
            report.masked.push(Masked {
                rule: r,
                by: higher,
                shadowed: true,
            });
        }
    }
    report.nodes = analyzer.nodes;
    report.classes = analyzer.classes.into_iter().map(|p| p.classes).collect();
    report
}

/// An input's classes, with a fast lookup from value to class.
#[derive(Debug, Clone, Default)]
struct Partition {
    classes: Vec<Class>,
    index: HashMap<ValueKey, u16>,
}

/// A value as a hashable key (scores compared by their bits).
type ValueKey = (u8, u64, u64);

fn value_key(value: &Value) -> ValueKey {
    match *value {
        Value::NotScreened => (0, 0, 0),
        Value::NoScore => (1, 0, 0),
        Value::Partial { low, high } => (2, low.to_bits(), high.to_bits()),
        Value::Score(s) => (3, s.to_bits(), 0),
        Value::Zone(z) => (4, u64::from(z), 0),
        Value::Bool(b) => (5, u64::from(b), 0),
        Value::Unknown => (6, 0, 0),
        Value::Choice(c) => (7, u64::from(c), 0),
        Value::Number(n) => (8, n.to_bits(), 0),
        Value::Blank => (9, 0, 0),
    }
}

impl Partition {
    /// The class holding `value` (the first class for a value outside the domain).
    fn class_of(&self, value: &Value) -> u16 {
        self.index.get(&value_key(value)).copied().unwrap_or(0)
    }

    fn len(&self) -> usize {
        self.classes.len()
    }
}

impl std::ops::Index<usize> for Partition {
    type Output = Class;
    fn index(&self, i: usize) -> &Class {
        &self.classes[i]
    }
}

/// Cuts an input's domain into classes of values no condition tells apart:
/// runs of neighbouring numbers, all partial scores with the same verdicts,
/// and each other value on its own.
fn partition(table: &RuleTable, input: usize) -> Partition {
    let tests: Vec<&super::Test> = table
        .rules
        .iter()
        .flat_map(|r| r.conditions.iter())
        .filter(|c| c.input == input)
        .map(|c| &c.test)
        .collect();
    let mut classes: Vec<Class> = Vec::new();
    let mut index: HashMap<ValueKey, u16> = HashMap::default();
    let mut partial_classes: HashMap<Vec<bool>, u16> = HashMap::default();
    let mut last: Option<(Vec<bool>, bool)> = None;
    for value in input_domain(table, input) {
        let signature: Vec<bool> = tests.iter().map(|t| t.matches(&value)).collect();
        if matches!(value, Value::Partial { .. }) {
            let class = *partial_classes.entry(signature).or_insert_with(|| {
                classes.push(Class { values: Vec::new() });
                (classes.len() - 1) as u16
            });
            classes[usize::from(class)].values.push(value);
            index.insert(value_key(&value), class);
            last = None;
            continue;
        }
        let numeric = matches!(value, Value::Score(_) | Value::Number(_));
        let joins = numeric
            && last
                .as_ref()
                .is_some_and(|(sig, was_numeric)| *was_numeric && *sig == signature);
        if !joins {
            classes.push(Class { values: Vec::new() });
        }
        let class = classes.len() - 1;
        classes[class].values.push(value);
        index.insert(value_key(&value), class as u16);
        last = Some((signature, numeric));
    }
    Partition { classes, index }
}

/// A flag's state in a DP tuple as the value rules test.
fn flag_value(state: u16) -> Value {
    match state {
        FLAG_TRUE => Value::Bool(true),
        FLAG_UNKNOWN => Value::Unknown,
        _ => Value::Bool(false),
    }
}

fn build_groups(table: &RuleTable, classes: &[Partition]) -> Vec<Group> {
    let mut groups = Vec::new();
    for (instrument, def) in table.instrument_defs.iter().enumerate() {
        let inputs: Vec<usize> = (0..table.inputs.len())
            .filter(|&i| table.inputs[i].instrument() == Some(instrument))
            .collect();
        let urgent_flags: Vec<usize> = (0..def.flags.len())
            .filter(|&f| def.flags[f].urgent)
            .collect();
        if inputs.is_empty() && urgent_flags.is_empty() {
            continue;
        }
        // What the DP must follow: scales (for score and completeness inputs) and flags.
        let mut tracked: Vec<Tracked<'_>> = Vec::new();
        // Per input: how to read its class from a DP tuple.
        enum Read {
            Scale(usize),
            Flag(usize),
            Complete(Vec<usize>),
        }
        let mut flags: Vec<usize> = urgent_flags.clone();
        let mut reads = Vec::new();
        for &input in &inputs {
            match &table.inputs[input].kind {
                InputKind::Score { scale, .. } => {
                    let own = &classes[input];
                    let zoned = def.age_banding.is_some();
                    tracked.push(Tracked {
                        scale: *scale,
                        classify: Box::new(move |scale, value| {
                            let value = match value {
                                // The zone of the interval that scored it, as the scorer finds it.
                                Value::Score(s) if zoned => scale
                                    .band_of(s)
                                    .map_or(Value::NoScore, |b| Value::Zone(zone_value(b))),
                                other => other,
                            };
                            own.class_of(&value)
                        }),
                    });
                    reads.push(Read::Scale(tracked.len() - 1));
                }
                InputKind::Flag { flag, .. } => {
                    let position = flags.iter().position(|f| f == flag).unwrap_or_else(|| {
                        flags.push(*flag);
                        flags.len() - 1
                    });
                    reads.push(Read::Flag(position));
                }
                InputKind::Complete { .. } => {
                    let start = tracked.len();
                    for scale in 0..def.scales.len() {
                        tracked.push(Tracked {
                            scale,
                            classify: Box::new(|_, value| {
                                u16::from(matches!(value, Value::Score(_)))
                            }),
                        });
                    }
                    reads.push(Read::Complete((start..tracked.len()).collect()));
                }
                InputKind::Column(_) => unreachable!("instrument inputs only"),
            }
        }
        let tuples = joint_tuples(def, &tracked, &flags);
        let flag_base = tracked.len();
        let mut points: Vec<Vec<u16>> = Vec::new();
        for tuple in tuples {
            let mut point: Vec<u16> = reads
                .iter()
                .zip(&inputs)
                .map(|(read, &input)| match read {
                    Read::Scale(t) => tuple[*t],
                    Read::Flag(f) => classes[input].class_of(&flag_value(tuple[flag_base + f])),
                    Read::Complete(ts) => {
                        classes[input].class_of(&Value::Bool(ts.iter().all(|&t| tuple[t] == 1)))
                    }
                })
                .collect();
            point.extend((0..urgent_flags.len()).map(|f| tuple[flag_base + f]));
            points.push(point);
        }
        let mut absent: Vec<u16> = inputs
            .iter()
            .map(|&input| classes[input].class_of(&Value::NotScreened))
            .collect();
        absent.extend(urgent_flags.iter().map(|_| 0));
        points.sort();
        points.dedup();
        points.retain(|p| *p != absent);
        points.push(absent);
        groups.push(Group {
            instrument: Some(instrument),
            inputs,
            urgent_flags,
            not_screened: Some(points.len() - 1),
            points,
        });
    }
    for (input, spec) in table.inputs.iter().enumerate() {
        if matches!(spec.kind, InputKind::Column(_)) {
            groups.push(Group {
                instrument: None,
                inputs: vec![input],
                urgent_flags: Vec::new(),
                points: (0..classes[input].len()).map(|c| vec![c as u16]).collect(),
                not_screened: None,
            });
        }
    }
    groups
}

impl Analyzer<'_> {
    fn cube(&self, rule: usize) -> Space {
        let rule = &self.table.rules[rule];
        self.groups
            .iter()
            .map(|group| {
                let mut bits = Bits::empty(group.points.len());
                for (p, point) in group.points.iter().enumerate() {
                    let ok = rule.conditions.iter().all(|condition| {
                        match group.inputs.iter().position(|&i| i == condition.input) {
                            None => true,
                            Some(k) => {
                                let class = &self.classes[condition.input][usize::from(point[k])];
                                condition.test.matches(&class.values[0])
                            }
                        }
                    });
                    if ok {
                        bits.insert(p);
                    }
                }
                bits
            })
            .collect()
    }

    fn intersects(&self, space: &Space, rule: usize) -> bool {
        space
            .iter()
            .zip(&self.cubes[rule])
            .all(|(s, c)| s.intersects(c))
    }

    fn uncovered_count(&mut self, space: &Space, rules: &[usize]) -> u128 {
        let mut found = Uncovered::default();
        self.cover(space, rules, &mut found, 0, space);
        found.count
    }

    fn uncovered(&mut self, space: &Space, rules: &[usize]) -> Uncovered {
        let mut found = Uncovered::default();
        self.cover(space, rules, &mut found, EXAMPLES, space);
        found
    }

    /// Adds to `found` the cases of `space` that no rule of `rules` matches.
    fn cover(
        &mut self,
        space: &Space,
        rules: &[usize],
        found: &mut Uncovered,
        examples: usize,
        baseline: &Space,
    ) {
        self.nodes += 1;
        let live: Vec<usize> = rules
            .iter()
            .copied()
            .filter(|&r| self.intersects(space, r))
            .collect();
        if live.is_empty() {
            found.count += space.iter().map(|s| s.len() as u128).product::<u128>();
            if found.examples.len() < examples {
                found.examples.push(self.describe(space, baseline));
            }
            return;
        }
        if live.iter().any(|&r| {
            space
                .iter()
                .zip(&self.cubes[r])
                .all(|(s, c)| s.is_subset(c))
        }) {
            return;
        }
        // Split the group whose points the live rules cut into the fewest parts (at least 2).
        let mut best: Option<(usize, Vec<Bits>)> = None;
        // A point's signature: which live rules accept it, as bits (one
        // buffer reused for every point; a part's key is stored once).
        let mut signature: Vec<u64> = vec![0; live.len().div_ceil(64)];
        for (g, points) in space.iter().enumerate() {
            // A group no live rule restricts within the box cannot be split.
            let restricted: Vec<usize> = live
                .iter()
                .copied()
                .filter(|&r| !points.is_subset(&self.cubes[r][g]))
                .collect();
            if restricted.is_empty() {
                continue;
            }
            let mut parts: Vec<Bits> = Vec::new();
            let mut index: HashMap<Vec<u64>, usize> = HashMap::default();
            for p in points.iter() {
                signature.fill(0);
                for (k, &r) in restricted.iter().enumerate() {
                    if self.cubes[r][g].contains(p) {
                        signature[k / 64] |= 1 << (k % 64);
                    }
                }
                match index.get(&signature) {
                    Some(&part) => parts[part].insert(p),
                    None => {
                        let mut bits = Bits::empty(self.groups[g].points.len());
                        bits.insert(p);
                        index.insert(signature.clone(), parts.len());
                        parts.push(bits);
                    }
                }
            }
            if parts.len() > 1 && best.as_ref().is_none_or(|(_, b)| parts.len() < b.len()) {
                best = Some((g, parts));
            }
        }
        let Some((g, parts)) = best else {
            // Every live rule accepts all of the box or none of it: covered.
            return;
        };
        for part in parts {
            let mut sub = space.clone();
            sub[g] = part;
            self.cover(&sub, &live, found, examples, baseline);
        }
    }

    fn group_name(&self, group: &Group) -> String {
        match group.instrument {
            Some(i) => self.table.instruments[i].clone(),
            None => self.table.inputs[group.inputs[0]].id.clone(),
        }
    }

    /// A box in words, leaving out what `baseline` already implies:
    /// "EPDS total is 10-12 and respondent is partner".
    fn describe(&self, space: &Space, baseline: &Space) -> String {
        use std::collections::BTreeSet;
        let mut parts = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            let points = &space[g];
            let mut context: Vec<usize> = baseline[g].iter().collect();
            if points.len() == context.len() {
                continue;
            }
            if let (Some(ns), Some(i)) = (group.not_screened, group.instrument) {
                if points.len() == 1 && points.contains(ns) {
                    parts.push(format!("{} is not screened", self.table.instruments[i]));
                    continue;
                }
                if !points.contains(ns) {
                    // Screened: compare with the screened points only.
                    context.retain(|&p| p != ns);
                }
            }
            let chosen: Vec<&Vec<u16>> = points.iter().map(|p| &group.points[p]).collect();
            let width = group.inputs.len() + group.urgent_flags.len();
            for k in 0..width {
                let all: BTreeSet<u16> = context.iter().map(|&p| group.points[p][k]).collect();
                let here: BTreeSet<u16> = chosen.iter().map(|p| p[k]).collect();
                if here == all {
                    continue;
                }
                if let Some(&input) = group.inputs.get(k) {
                    let values: Vec<String> = here
                        .iter()
                        .map(|&c| self.describe_class(input, &self.classes[input][usize::from(c)]))
                        .collect();
                    parts.push(format!(
                        "{} is {}",
                        self.table.inputs[input].label.get(Lang::En),
                        values.join(" or ")
                    ));
                } else if let Some(i) = group.instrument {
                    let flag = group.urgent_flags[k - group.inputs.len()];
                    let declared = group.inputs.iter().any(|&input| {
                        matches!(self.table.inputs[input].kind, InputKind::Flag { flag: f, .. } if f == flag)
                    });
                    if !declared && here.len() == 1 {
                        let state = match here.iter().next() {
                            Some(&FLAG_TRUE) => "raised",
                            Some(&FLAG_UNKNOWN) => "unknown (item unanswered)",
                            _ => "not raised",
                        };
                        parts.push(format!(
                            "{}.{} is {state}",
                            self.table.instruments[i], self.table.instrument_defs[i].flags[flag].id,
                        ));
                    }
                }
            }
        }
        if parts.is_empty() {
            "any values".to_owned()
        } else {
            parts.join(" and ")
        }
    }

    fn describe_class(&self, input: usize, class: &Class) -> String {
        if class.values.len() > 1 && matches!(class.values[0], Value::Partial { .. }) {
            let (low, high) =
                class
                    .values
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), v| match v {
                        Value::Partial { low, high } => (lo.min(*low), hi.max(*high)),
                        _ => (lo, hi),
                    });
            return format!(
                "incomplete (completions within {}-{})",
                fmt_score(low),
                fmt_score(high)
            );
        }
        match (class.values.first(), class.values.last()) {
            (
                Some(Value::Score(a) | Value::Number(a)),
                Some(Value::Score(b) | Value::Number(b)),
            ) => {
                if a == b {
                    fmt_score(*a)
                } else {
                    format!("{}-{}", fmt_score(*a), fmt_score(*b))
                }
            }
            (Some(value), _) => self.table.describe_value(input, value, Lang::En),
            _ => String::new(),
        }
    }
}

impl Report {
    /// The findings as diagnostics: gaps, lost urgent flags and impossible
    /// rules are errors, urgent cases at the lowest level warnings; the
    /// masked rules are in [`Report::masking_diagnostics`].
    pub fn diagnostics(&self, table: &RuleTable, path: &str, text: &str) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let rules_spot = key_spot(text, "rules");
        if self.gaps.count > 0 {
            let mut d = Diagnostic::error(
                path,
                rules_spot.clone(),
                format!(
                    "the rules leave {} of {} distinguishable case(s) without a level: {} matches no rule",
                    self.gaps.count,
                    self.combinations,
                    self.gaps.examples.first().map_or("", String::as_str)
                ),
            )
            .expected(
                "a rule for every combination of input values (a rule with `action:` where no level can be given yet)",
            );
            for example in self.gaps.examples.iter().skip(1) {
                d = d.note(format!("also without a rule: {example}"));
            }
            out.push(d);
        }
        for lost in &self.lost_flags {
            let def = &table.instrument_defs[lost.instrument];
            let flag = &def.flags[lost.flag];
            let spot = table
                .inputs
                .iter()
                .position(|i| matches!(i.kind, InputKind::Flag { instrument, flag: f } if instrument == lost.instrument && f == lost.flag))
                .and_then(|_| find_line(text, &format!("flag: {}.{}", def.id, flag.id)))
                .map_or_else(|| key_spot(text, "instruments"), |line| SourceSpot::whole_line(text, line));
            let (state, test) = if lost.unknown {
                ("unknown (its item unanswered or invalid)", "unknown")
            } else {
                ("raised", "true")
            };
            let mut d = Diagnostic::error(
                path,
                spot,
                format!(
                    "urgent flag `{}.{}` is lost: when it is {state} and {}, no urgent rule matches ({} distinguishable case(s))",
                    def.id,
                    flag.id,
                    lost.cases.examples.first().map_or("", String::as_str),
                    lost.cases.count
                ),
            )
            .expected(format!(
                "a rule with `urgent: true` that matches whenever `{}.{}` is `{test}`, whatever the scores (an unanswered critical item must be asked now)",
                def.id, flag.id
            ));
            for example in lost.cases.examples.iter().skip(1) {
                d = d.note(format!("also lost: {example}"));
            }
            out.push(d);
        }
        if self.urgent_at_lowest.count > 0 {
            let lowest = table.levels.first().map(|l| l.id.as_str()).unwrap_or("");
            let mut d = Diagnostic::warning(
                path,
                rules_spot.clone(),
                format!(
                    "{} distinguishable case(s) are urgent while the level is the lowest (`{lowest}`): {}",
                    self.urgent_at_lowest.count,
                    self.urgent_at_lowest
                        .examples
                        .first()
                        .map_or("", String::as_str)
                ),
            )
            .expected(
                "a level above the lowest on every urgent rule, so no output shows universal follow-up next to a same-day warning",
            );
            for example in self.urgent_at_lowest.examples.iter().skip(1) {
                d = d.note(format!("also urgent at the lowest level: {example}"));
            }
            out.push(d);
        }
        for &r in &self.never_match {
            let rule = &table.rules[r];
            out.push(
                Diagnostic::error(
                    path,
                    SourceSpot::whole_line(text, rule.line),
                    format!(
                        "rule `{}` can never match: no answers produce this combination",
                        rule.id
                    ),
                )
                .expected("conditions that some possible case meets together"),
            );
        }
        out
    }
}

impl Report {
    /// The shadowed and redundant rules as warnings (what [`analyze`] adds to
    /// [`analyze_safety`]).
    pub fn masking_diagnostics(
        &self,
        table: &RuleTable,
        path: &str,
        text: &str,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for masked in &self.masked {
            let rule = &table.rules[masked.rule];
            let names: Vec<String> = masked
                .by
                .iter()
                .map(|&s| format!("`{}`", table.rules[s].id))
                .collect();
            let message = if masked.shadowed {
                format!(
                    "the level of rule `{}` never decides: wherever it matches, a rule with a higher level also matches ({}); its referrals and advice are still shown",
                    rule.id,
                    names.join(", ")
                )
            } else {
                format!(
                    "rule `{}` never changes the outcome: wherever it matches, other rules give at least its level, referrals and advice ({})",
                    rule.id,
                    names.join(", ")
                )
            };
            out.push(Diagnostic::warning(
                path,
                SourceSpot::whole_line(text, rule.line),
                message,
            ));
        }
        out
    }
}

/// The number of the first line containing `needle`.
fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i + 1)
}

/// The spot of a top-level key.
fn key_spot(text: &str, key: &str) -> SourceSpot {
    let prefix = format!("{key}:");
    text.lines()
        .position(|line| line.starts_with(&prefix))
        .map_or_else(SourceSpot::unknown, |i| SourceSpot::whole_line(text, i + 1))
}
