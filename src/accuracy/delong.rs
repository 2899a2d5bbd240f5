//! DeLong's variance of the AUC and the paired test of two AUCs.
//!
//! DeLong, DeLong & Clarke-Pearson (1988), "Comparing the areas under two or
//! more correlated receiver operating characteristic curves: a
//! nonparametric approach", *Biometrics* 44:837–845.
//!
//! With P cases and N non-cases, each case i gets the placement
//! V10(i) = (non-cases it out-scores, plus half the non-cases it ties) / N,
//! and each non-case j the placement V01(j) = (cases out-scoring it, plus
//! half the cases it ties) / P. Both average to the AUC A. With
//! S10 = Σᵢ (V10(i) − A)² / (P − 1) and S01 = Σⱼ (V01(j) − A)² / (N − 1),
//! Var(A) = S10 / P + S01 / N. For two scores on the same subjects the
//! covariances S10¹², S01¹² are formed the same way, and
//! Var(A¹ − A²) = (S10¹¹ + S10²² − 2 S10¹²) / P + (S01¹¹ + S01²² − 2 S01¹²) / N.
//!
//! Placements depend only on a subject's score, so they are computed once
//! per distinct score from running totals of the per-score counts: the
//! mid-rank formulation of Sun & Xu (2014), "Fast implementation of
//! DeLong's algorithm for comparing the areas under correlated receiver
//! operating characteristic curves", *IEEE Signal Processing Letters*
//! 21(11):1389–1393. After the counts are built this is O(k) for k distinct
//! scores (O(n log n) overall for continuous scores, from the sort), with
//! counts held in integers so that nothing overflows at large n.
//!
//! The 95 % interval is A ± 1.96 · √Var(A), clipped to \[0, 1\].

use super::counts::{PairedCounts, ScoreCounts};
use super::proportion::Interval;
use super::roc::{Direction, auc, oriented};
use super::special::{Z_95, normal_two_sided_p};

/// The AUC with DeLong's standard error and 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AucEstimate {
    /// The Mann–Whitney AUC.
    pub auc: f64,
    /// DeLong's variance; `None` with fewer than two cases or non-cases.
    pub variance: Option<f64>,
    /// AUC ± 1.96 SE clipped to \[0, 1\]; `None` when the variance is.
    pub ci: Option<Interval>,
}

impl AucEstimate {
    /// The standard error √Var(A).
    pub fn standard_error(&self) -> Option<f64> {
        self.variance.map(f64::sqrt)
    }
}

/// Placements of one score: per distinct score (in the order of
/// `ScoreCounts::values`), the case placement V10 and non-case placement V01.
struct Placements {
    auc: f64,
    case_placement: Vec<f64>,
    control_placement: Vec<f64>,
}

fn placements(counts: &ScoreCounts, direction: Direction) -> Option<Placements> {
    let (p, n) = (counts.n_cases(), counts.n_controls());
    let a = auc(counts, direction)?;
    let levels = oriented(counts, direction);
    let k = levels.len();
    let mut case_placement = vec![0.0; k];
    let mut control_placement = vec![0.0; k];
    // Non-cases strictly less suspicious than each level, walking upwards.
    let mut below: u64 = 0;
    for (i, &(_, d)) in levels.iter().enumerate() {
        case_placement[i] = (2 * below + d) as f64 / (2.0 * n as f64);
        below += d;
    }
    // Cases strictly more suspicious than each level, walking downwards.
    let mut above: u64 = 0;
    for i in (0..k).rev() {
        let c = levels[i].0;
        control_placement[i] = (2 * above + c) as f64 / (2.0 * p as f64);
        above += c;
    }
    if direction == Direction::Lower {
        // Back to ascending-score order.
        case_placement.reverse();
        control_placement.reverse();
    }
    Some(Placements {
        auc: a,
        case_placement,
        control_placement,
    })
}

/// The AUC with DeLong's variance and 95 % interval; `None` without both
/// cases and non-cases.
pub fn auc_estimate(counts: &ScoreCounts, direction: Direction) -> Option<AucEstimate> {
    let pl = placements(counts, direction)?;
    let (p, n) = (counts.n_cases(), counts.n_controls());
    let variance = if p >= 2 && n >= 2 {
        let mut s10 = 0.0;
        let mut s01 = 0.0;
        for i in 0..counts.len() {
            let dc = pl.case_placement[i] - pl.auc;
            let dd = pl.control_placement[i] - pl.auc;
            s10 += counts.cases()[i] as f64 * dc * dc;
            s01 += counts.controls()[i] as f64 * dd * dd;
        }
        let s10 = s10 / (p - 1) as f64;
        let s01 = s01 / (n - 1) as f64;
        Some(s10 / p as f64 + s01 / n as f64)
    } else {
        None
    };
    let ci = variance.map(|v| {
        let half = Z_95 * v.sqrt();
        Interval {
            lower: (pl.auc - half).max(0.0),
            upper: (pl.auc + half).min(1.0),
        }
    });
    Some(AucEstimate {
        auc: pl.auc,
        variance,
        ci,
    })
}

/// DeLong's paired comparison of two AUCs on the same subjects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedTest {
    /// Subjects with both scores and a reference result.
    pub n: u64,
    /// Cases among them.
    pub n_cases: u64,
    /// AUC of the first score on these subjects.
    pub auc_first: f64,
    /// AUC of the second score on these subjects.
    pub auc_second: f64,
    /// AUC of the first minus AUC of the second.
    pub difference: f64,
    /// DeLong's variance of the difference.
    pub variance: f64,
    /// difference ± 1.96 √variance, clipped to \[−1, 1\]; `None` when the
    /// variance is zero.
    pub ci: Option<Interval>,
    /// difference / √variance; 0 when both the difference and the variance
    /// are zero (identical curves), `None` when only the variance is.
    pub z: Option<f64>,
    /// Two-sided p-value 2 (1 − Φ(|z|)).
    pub p_value: Option<f64>,
}

/// DeLong's paired test; `None` with fewer than two cases or non-cases.
pub fn paired_test(paired: &PairedCounts, direction: Direction) -> Option<PairedTest> {
    let first = paired.marginal_first();
    let second = paired.marginal_second();
    let (p, n) = (first.n_cases(), first.n_controls());
    if p < 2 || n < 2 {
        return None;
    }
    let pl1 = placements(&first, direction)?;
    let pl2 = placements(&second, direction)?;
    // Accumulate the 2×2 covariance matrices over the distinct pairs.
    let (mut s10, mut s01) = ([0.0_f64; 3], [0.0_f64; 3]);
    for i in 0..paired.len() {
        let i1 = first.index_of(paired.first()[i])?;
        let i2 = second.index_of(paired.second()[i])?;
        let (c, d) = (paired.cases()[i] as f64, paired.controls()[i] as f64);
        let (x1, x2) = (
            pl1.case_placement[i1] - pl1.auc,
            pl2.case_placement[i2] - pl2.auc,
        );
        let (y1, y2) = (
            pl1.control_placement[i1] - pl1.auc,
            pl2.control_placement[i2] - pl2.auc,
        );
        s10[0] += c * x1 * x1;
        s10[1] += c * x2 * x2;
        s10[2] += c * x1 * x2;
        s01[0] += d * y1 * y1;
        s01[1] += d * y2 * y2;
        s01[2] += d * y1 * y2;
    }
    let (pf, nf) = (p as f64, n as f64);
    let s10: Vec<f64> = s10.iter().map(|s| s / (pf - 1.0)).collect();
    let s01: Vec<f64> = s01.iter().map(|s| s / (nf - 1.0)).collect();
    let variance =
        ((s10[0] + s10[1] - 2.0 * s10[2]) / pf + (s01[0] + s01[1] - 2.0 * s01[2]) / nf).max(0.0);
    let difference = pl1.auc - pl2.auc;
    let (z, ci) = if variance > 0.0 {
        let sd = variance.sqrt();
        let ci = Interval {
            lower: (difference - Z_95 * sd).max(-1.0),
            upper: (difference + Z_95 * sd).min(1.0),
        };
        (Some(difference / sd), Some(ci))
    } else if difference == 0.0 {
        (Some(0.0), None)
    } else {
        (None, None)
    };
    Some(PairedTest {
        n: p + n,
        n_cases: p,
        auc_first: pl1.auc,
        auc_second: pl2.auc,
        difference,
        variance,
        ci,
        z,
        p_value: z.map(normal_two_sided_p),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accuracy::counts::PairedBuilder;

    /// DeLong's variance straight from the definition, O(P·N).
    fn brute_variance(cases: &[f64], controls: &[f64]) -> f64 {
        let psi = |x: f64, y: f64| {
            if x > y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            }
        };
        let (m, n) = (cases.len() as f64, controls.len() as f64);
        let v10: Vec<f64> = cases
            .iter()
            .map(|&x| controls.iter().map(|&y| psi(x, y)).sum::<f64>() / n)
            .collect();
        let v01: Vec<f64> = controls
            .iter()
            .map(|&y| cases.iter().map(|&x| psi(x, y)).sum::<f64>() / m)
            .collect();
        let a = v10.iter().sum::<f64>() / m;
        let s10 = v10.iter().map(|v| (v - a) * (v - a)).sum::<f64>() / (m - 1.0);
        let s01 = v01.iter().map(|v| (v - a) * (v - a)).sum::<f64>() / (n - 1.0);
        s10 / m + s01 / n
    }

    #[test]
    fn variance_matches_definition() {
        let cases = [1.0, 3.0, 3.0, 5.0, 2.5, 7.0];
        let controls = [0.0, 1.0, 3.0, 4.0, 1.0, 0.0, 2.5];
        let counts = ScoreCounts::from_observations(
            cases
                .iter()
                .map(|&x| (x, true))
                .chain(controls.iter().map(|&x| (x, false))),
        );
        let est = auc_estimate(&counts, Direction::Higher).unwrap();
        assert!((est.variance.unwrap() - brute_variance(&cases, &controls)).abs() < 1e-15);
        // Reversing the direction mirrors the AUC and keeps the variance.
        let low = auc_estimate(&counts, Direction::Lower).unwrap();
        assert!((low.auc - (1.0 - est.auc)).abs() < 1e-15);
        assert!((low.variance.unwrap() - est.variance.unwrap()).abs() < 1e-15);
    }

    #[test]
    fn identical_scores_give_z_zero_p_one() {
        let mut b = PairedBuilder::new();
        for (x, case) in [
            (1.0, true),
            (2.0, true),
            (0.0, false),
            (1.0, false),
            (3.0, true),
            (0.5, false),
        ] {
            b.add(x, x, case);
        }
        let t = paired_test(&b.finish(), Direction::Higher).unwrap();
        assert_eq!(t.difference, 0.0);
        assert_eq!(t.z, Some(0.0));
        assert_eq!(t.p_value, Some(1.0));
    }

    #[test]
    fn single_case_has_no_variance() {
        let counts = ScoreCounts::from_observations([(1.0, true), (0.0, false), (2.0, false)]);
        let est = auc_estimate(&counts, Direction::Higher).unwrap();
        assert_eq!(est.auc, 0.5);
        assert_eq!(est.variance, None);
        assert_eq!(est.ci, None);
    }
}
