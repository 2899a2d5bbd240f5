//! Bootstrap percentile intervals for the Youden-optimal cutoff.
//!
//! Each replicate resamples, with replacement, P cases from the cases and N
//! non-cases from the non-cases (stratified resampling, so every replicate
//! keeps the sample's prevalence), recomputes the per-cutoff table and picks
//! the Youden-optimal cutoff; when several tie, the most sensitive one is
//! taken (the lowest cutoff when higher scores are positive). The
//! replicate's cutoff, its in-sample sensitivity, specificity and J, and the
//! replicate's AUC are recorded.
//!
//! Intervals are percentile intervals (Efron & Tibshirani 1993, ch. 13)
//! taken as order statistics without interpolation: for B replicates the
//! bounds are the ⌈0.025·B⌉-th and ⌈0.975·B⌉-th smallest values, so a
//! cutoff interval always consists of cutoffs that occurred.
//!
//! The random numbers come from xoshiro256** (Blackman & Vigna 2021)
//! seeded through SplitMix64, with Lemire's (2019) unbiased bounded
//! integers. The generator is part of this crate, so a given seed gives the
//! same replicates on every platform and in every version of the
//! dependencies.
//!
//! Cost: O(B · (P + N) · log k) for k distinct scores.

use super::counts::ScoreCounts;
use super::optimal::youden_optimal;
use super::proportion::Interval;
use super::roc::{Direction, auc, confusion_table};

/// A small, seedable, portable pseudo-random generator (xoshiro256**).
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// A generator whose whole stream is determined by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut sm = seed;
        let mut next = || {
            sm = sm.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            state: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A uniform integer in 0..bound (bound > 0), without modulo bias.
    pub fn below(&mut self, bound: u64) -> u64 {
        debug_assert!(bound > 0);
        let mut m = u128::from(self.next_u64()) * u128::from(bound);
        if (m as u64) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(bound);
            }
        }
        (m >> 64) as u64
    }
}

/// How many replicates to draw and from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootstrapConfig {
    /// Number of replicates B (≥ 1).
    pub replicates: usize,
    /// Seed of the generator.
    pub seed: u64,
}

/// Percentile intervals from the bootstrap replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapSummary {
    /// The configuration used.
    pub config: BootstrapConfig,
    /// Interval of the optimal cutoff.
    pub cutoff: Interval,
    /// Interval of the sensitivity at the replicate's optimal cutoff.
    pub sensitivity: Interval,
    /// Interval of the specificity at the replicate's optimal cutoff.
    pub specificity: Interval,
    /// Interval of the replicate's maximal J.
    pub youden: Interval,
    /// Interval of the replicate's AUC.
    pub auc: Interval,
    /// How often each cutoff was optimal, ascending by cutoff.
    pub cutoff_frequencies: Vec<(f64, u64)>,
}

/// Draws `total` items from the categories with `cumulative` counts
/// (running totals), returning how many fell in each category.
fn resample(rng: &mut Rng, cumulative: &[u64], total: u64) -> Vec<u64> {
    let mut out = vec![0_u64; cumulative.len()];
    for _ in 0..total {
        let u = rng.below(total);
        let i = cumulative.partition_point(|&c| c <= u);
        out[i] += 1;
    }
    out
}

fn running_totals(counts: &[u64]) -> Vec<u64> {
    counts
        .iter()
        .scan(0_u64, |acc, &c| {
            *acc += c;
            Some(*acc)
        })
        .collect()
}

/// The ⌈q·B⌉-th smallest value (q given in thousandths), B ≥ 1.
fn order_statistic(sorted: &[f64], per_mille: usize) -> f64 {
    let rank = (sorted.len() * per_mille).div_ceil(1000).max(1);
    sorted[rank - 1]
}

fn percentile_interval(mut values: Vec<f64>) -> Interval {
    values.sort_unstable_by(f64::total_cmp);
    Interval {
        lower: order_statistic(&values, 25),
        upper: order_statistic(&values, 975),
    }
}

/// Bootstraps the Youden-optimal cutoff; `None` without both cases and
/// non-cases or with zero replicates.
pub fn bootstrap_optimal(
    counts: &ScoreCounts,
    direction: Direction,
    config: BootstrapConfig,
) -> Option<BootstrapSummary> {
    let (p, n) = (counts.n_cases(), counts.n_controls());
    if p == 0 || n == 0 || config.replicates == 0 {
        return None;
    }
    let case_totals = running_totals(counts.cases());
    let control_totals = running_totals(counts.controls());
    let mut rng = Rng::new(config.seed);
    let b = config.replicates;
    let (mut cut, mut se, mut sp, mut j, mut aucs) = (
        Vec::with_capacity(b),
        Vec::with_capacity(b),
        Vec::with_capacity(b),
        Vec::with_capacity(b),
        Vec::with_capacity(b),
    );
    for _ in 0..b {
        let cases = resample(&mut rng, &case_totals, p);
        let controls = resample(&mut rng, &control_totals, n);
        let replicate = ScoreCounts::from_triples(
            counts
                .values()
                .iter()
                .zip(cases.iter().zip(&controls))
                .map(|(&v, (&c, &d))| (v, c, d))
                .collect(),
        );
        let table = confusion_table(&replicate, direction);
        let optima = youden_optimal(&table);
        // The most sensitive of tied optima: the largest TP.
        let Some(&best) = optima.iter().max_by_key(|&&i| table[i].tp) else {
            continue;
        };
        let row = table[best];
        cut.push(replicate.values()[best]);
        se.push(row.tp as f64 / p as f64);
        sp.push(row.tn as f64 / n as f64);
        j.push(row.youden().unwrap_or(0.0));
        aucs.push(auc(&replicate, direction).unwrap_or(0.5));
    }
    if cut.is_empty() {
        return None;
    }
    let mut frequencies: Vec<(f64, u64)> = Vec::new();
    let mut sorted_cut = cut.clone();
    sorted_cut.sort_unstable_by(f64::total_cmp);
    for v in &sorted_cut {
        match frequencies.last_mut() {
            Some((last, count)) if *last == *v => *count += 1,
            _ => frequencies.push((*v, 1)),
        }
    }
    Some(BootstrapSummary {
        config,
        cutoff: percentile_interval(cut),
        sensitivity: percentile_interval(se),
        specificity: percentile_interval(sp),
        youden: percentile_interval(j),
        auc: percentile_interval(aucs),
        cutoff_frequencies: frequencies,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_reproducible_and_bounded() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let xs: Vec<u64> = (0..100).map(|_| a.below(7)).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.below(7)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|&x| x < 7));
        // Every value of a small range shows up.
        assert!((0..7).all(|v| xs.contains(&v)));
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn order_statistics() {
        let v: Vec<f64> = (1..=2000).map(f64::from).collect();
        assert_eq!(order_statistic(&v, 25), 50.0);
        assert_eq!(order_statistic(&v, 975), 1950.0);
        assert_eq!(order_statistic(&[3.0], 25), 3.0);
        assert_eq!(order_statistic(&[3.0], 975), 3.0);
    }

    #[test]
    fn bootstrap_is_reproducible_and_stratified() {
        let counts = ScoreCounts::from_triples(vec![
            (0.0, 1, 30),
            (1.0, 2, 10),
            (2.0, 5, 4),
            (3.0, 6, 2),
            (4.0, 4, 1),
        ]);
        let config = BootstrapConfig {
            replicates: 200,
            seed: 7,
        };
        let a = bootstrap_optimal(&counts, Direction::Higher, config).unwrap();
        let b = bootstrap_optimal(&counts, Direction::Higher, config).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.cutoff_frequencies.iter().map(|f| f.1).sum::<u64>(), 200);
        assert!(a.cutoff.lower <= a.cutoff.upper);
        assert!(a.sensitivity.lower <= a.sensitivity.upper);
        let other = bootstrap_optimal(
            &counts,
            Direction::Higher,
            BootstrapConfig {
                replicates: 200,
                seed: 8,
            },
        );
        assert_ne!(Some(a), other);
    }
}
