//! Per-score counts of cases and non-cases, built in one streaming pass.
//!
//! Everything in the cutoff analysis (the 2×2 table at each cutoff, the ROC
//! curve, the Mann–Whitney AUC and DeLong's variance) depends on the data
//! only through the number of cases and non-cases at each distinct score.
//! Integer scores, which is what questionnaire totals are, are tallied
//! directly (a dense array for 0..1024, a hash map beyond), so memory does
//! not grow with the number of rows. Non-integer scores are kept as raw
//! values and sorted once at the end, so they cost O(n) memory and
//! O(n log n) time.
//!
//! For comparing two scores on the same subjects, [`PairedBuilder`] tallies
//! the joint distinct pairs in the same way.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Integer scores in 0..DENSE are counted in a plain array.
const DENSE: usize = 1024;

/// Largest magnitude at which every integer is exactly representable in f64.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// A small multiplicative hasher for integer keys (not DoS-resistant, which
/// does not matter for counting scores from a local file).
#[derive(Default, Clone, Copy)]
pub(crate) struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_i64(&mut self, i: i64) {
        self.0 = (self.0.rotate_left(5) ^ i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u64(&mut self, i: u64) {
        self.write_i64(i as i64);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_i64(i as i64);
    }
}

/// A hash map keyed by integers with [`IntHasher`].
pub(crate) type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// The score as an exactly representable integer, if it is one.
fn as_integer(score: f64) -> Option<i64> {
    if score.fract() == 0.0 && score.abs() < EXACT_INT {
        Some(score as i64)
    } else {
        None
    }
}

/// Turns −0.0 into 0.0 so that the two compare and hash alike.
fn normalise(score: f64) -> f64 {
    score + 0.0
}

/// Number of cases and non-cases at every distinct score, in ascending
/// score order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreCounts {
    values: Vec<f64>,
    cases: Vec<u64>,
    controls: Vec<u64>,
}

impl ScoreCounts {
    /// Builds the counts from (score, count of cases, count of non-cases)
    /// triples in any order; equal scores are merged and empty ones dropped.
    pub fn from_triples(mut triples: Vec<(f64, u64, u64)>) -> Self {
        triples.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut out = ScoreCounts::default();
        for (value, cases, controls) in triples {
            if cases == 0 && controls == 0 {
                continue;
            }
            let value = normalise(value);
            if out.values.last() == Some(&value) {
                let last = out.values.len() - 1;
                out.cases[last] += cases;
                out.controls[last] += controls;
            } else {
                out.values.push(value);
                out.cases.push(cases);
                out.controls.push(controls);
            }
        }
        out
    }

    /// Builds the counts from individual observations (score, is a case).
    pub fn from_observations<I: IntoIterator<Item = (f64, bool)>>(observations: I) -> Self {
        let mut builder = CountsBuilder::new();
        for (score, is_case) in observations {
            builder.add(score, is_case);
        }
        builder.finish()
    }

    /// The distinct scores, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of cases at each distinct score.
    pub fn cases(&self) -> &[u64] {
        &self.cases
    }

    /// Number of non-cases at each distinct score.
    pub fn controls(&self) -> &[u64] {
        &self.controls
    }

    /// Number of distinct scores.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are no observations at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Total number of cases.
    pub fn n_cases(&self) -> u64 {
        self.cases.iter().sum()
    }

    /// Total number of non-cases.
    pub fn n_controls(&self) -> u64 {
        self.controls.iter().sum()
    }

    /// Total number of observations.
    pub fn n(&self) -> u64 {
        self.n_cases() + self.n_controls()
    }

    /// Index of `value` among the distinct scores, if it was observed.
    pub fn index_of(&self, value: f64) -> Option<usize> {
        self.values
            .binary_search_by(|v| v.total_cmp(&normalise(value)))
            .ok()
    }
}

/// Streaming builder of [`ScoreCounts`].
#[derive(Debug, Clone)]
pub struct CountsBuilder {
    dense: Vec<[u64; 2]>,
    sparse: IntMap<i64, [u64; 2]>,
    other: Vec<(f64, bool)>,
}

impl Default for CountsBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl CountsBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        CountsBuilder {
            dense: Vec::new(),
            sparse: IntMap::default(),
            other: Vec::new(),
        }
    }

    /// Records one observation.
    pub fn add(&mut self, score: f64, is_case: bool) {
        let slot = usize::from(!is_case);
        match as_integer(score) {
            Some(i) if (0..DENSE as i64).contains(&i) => {
                if self.dense.is_empty() {
                    self.dense = vec![[0; 2]; DENSE];
                }
                self.dense[i as usize][slot] += 1;
            }
            Some(i) => self.sparse.entry(i).or_default()[slot] += 1,
            None => self.other.push((normalise(score), is_case)),
        }
    }

    /// Sorts and merges everything recorded into [`ScoreCounts`].
    pub fn finish(mut self) -> ScoreCounts {
        let mut triples: Vec<(f64, u64, u64)> = Vec::new();
        for (i, [c, d]) in self.dense.iter().enumerate() {
            if c + d > 0 {
                triples.push((i as f64, *c, *d));
            }
        }
        triples.extend(self.sparse.iter().map(|(&i, &[c, d])| (i as f64, c, d)));
        self.other.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut iter = self.other.into_iter().peekable();
        while let Some((value, is_case)) = iter.next() {
            let (mut c, mut d) = (u64::from(is_case), u64::from(!is_case));
            while let Some(&(next, next_case)) = iter.peek() {
                if next.total_cmp(&value) != Ordering::Equal {
                    break;
                }
                if next_case {
                    c += 1;
                } else {
                    d += 1;
                }
                iter.next();
            }
            triples.push((value, c, d));
        }
        ScoreCounts::from_triples(triples)
    }
}

/// Joint counts of two scores measured on the same subjects: one entry per
/// distinct (first, second) pair, sorted by first then second.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PairedCounts {
    first: Vec<f64>,
    second: Vec<f64>,
    cases: Vec<u64>,
    controls: Vec<u64>,
}

impl PairedCounts {
    /// The first score of each distinct pair.
    pub fn first(&self) -> &[f64] {
        &self.first
    }

    /// The second score of each distinct pair.
    pub fn second(&self) -> &[f64] {
        &self.second
    }

    /// Number of cases with each pair.
    pub fn cases(&self) -> &[u64] {
        &self.cases
    }

    /// Number of non-cases with each pair.
    pub fn controls(&self) -> &[u64] {
        &self.controls
    }

    /// Number of distinct pairs.
    pub fn len(&self) -> usize {
        self.first.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    /// The counts of the first score alone.
    pub fn marginal_first(&self) -> ScoreCounts {
        ScoreCounts::from_triples(self.triples(&self.first))
    }

    /// The counts of the second score alone.
    pub fn marginal_second(&self) -> ScoreCounts {
        ScoreCounts::from_triples(self.triples(&self.second))
    }

    fn triples(&self, values: &[f64]) -> Vec<(f64, u64, u64)> {
        values
            .iter()
            .zip(&self.cases)
            .zip(&self.controls)
            .map(|((&v, &c), &d)| (v, c, d))
            .collect()
    }
}

/// Streaming builder of [`PairedCounts`].
#[derive(Debug, Clone, Default)]
pub struct PairedBuilder {
    integers: IntMap<(i64, i64), [u64; 2]>,
    other: Vec<(f64, f64, bool)>,
}

impl PairedBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one subject's two scores.
    pub fn add(&mut self, first: f64, second: f64, is_case: bool) {
        match (as_integer(first), as_integer(second)) {
            (Some(a), Some(b)) => {
                self.integers.entry((a, b)).or_default()[usize::from(!is_case)] += 1
            }
            _ => self
                .other
                .push((normalise(first), normalise(second), is_case)),
        }
    }

    /// Sorts and merges everything recorded into [`PairedCounts`].
    pub fn finish(self) -> PairedCounts {
        let mut quads: Vec<(f64, f64, u64, u64)> = self
            .integers
            .into_iter()
            .map(|((a, b), [c, d])| (a as f64, b as f64, c, d))
            .collect();
        quads.extend(
            self.other
                .into_iter()
                .map(|(a, b, case)| (a, b, u64::from(case), u64::from(!case))),
        );
        quads.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
        let mut out = PairedCounts::default();
        for (a, b, c, d) in quads {
            let same = out.first.last() == Some(&a) && out.second.last() == Some(&b);
            if same {
                let last = out.first.len() - 1;
                out.cases[last] += c;
                out.controls[last] += d;
            } else {
                out.first.push(a);
                out.second.push(b);
                out.cases.push(c);
                out.controls.push(d);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_and_fractional_scores_merge_in_order() {
        let counts = ScoreCounts::from_observations([
            (3.0, true),
            (0.5, false),
            (2000.0, true),
            (-1.0, false),
            (3.0, false),
            (0.5, true),
            (-0.0, false),
            (0.0, true),
        ]);
        assert_eq!(counts.values(), &[-1.0, 0.0, 0.5, 3.0, 2000.0]);
        assert_eq!(counts.cases(), &[0, 1, 1, 1, 1]);
        assert_eq!(counts.controls(), &[1, 1, 1, 1, 0]);
        assert_eq!(counts.n(), 8);
        assert_eq!(counts.index_of(3.0), Some(3));
        assert_eq!(counts.index_of(4.0), None);
    }

    #[test]
    fn paired_counts_and_marginals() {
        let mut b = PairedBuilder::new();
        b.add(1.0, 0.25, true);
        b.add(1.0, 0.25, true);
        b.add(2.0, 3.0, false);
        b.add(1.0, 3.0, false);
        let p = b.finish();
        assert_eq!(p.first(), &[1.0, 1.0, 2.0]);
        assert_eq!(p.second(), &[0.25, 3.0, 3.0]);
        assert_eq!(p.cases(), &[2, 0, 0]);
        let m = p.marginal_second();
        assert_eq!(m.values(), &[0.25, 3.0]);
        assert_eq!(m.cases(), &[2, 0]);
        assert_eq!(m.controls(), &[0, 2]);
    }
}
