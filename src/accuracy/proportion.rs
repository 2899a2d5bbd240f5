//! Binomial proportions and their 95 % confidence intervals.
//!
//! * **Wilson** score interval (Wilson 1927, *JASA* 22:209–212), without
//!   continuity correction: the set of p for which the score test of
//!   H₀: π = p is not rejected,
//!   (x + z²/2) / (n + z²) ± z / (n + z²) · √(x (n − x) / n + z²/4).
//!   It never leaves \[0, 1\] and keeps close to nominal coverage in small
//!   samples, which is why it is the default.
//! * **Clopper–Pearson** "exact" interval (Clopper & Pearson 1934,
//!   *Biometrika* 26:404–413): the bounds are Beta quantiles,
//!   lower = B⁻¹(α/2; x, n − x + 1), upper = B⁻¹(1 − α/2; x + 1, n − x),
//!   with lower = 0 when x = 0 and upper = 1 when x = n. Conservative: its
//!   coverage is at least nominal.
//!
//! A proportion with a zero denominator has no estimate and no interval.

use super::special::{Z_95, beta_quantile};

/// How confidence intervals of proportions are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CiMethod {
    /// The Wilson score interval (default).
    #[default]
    Wilson,
    /// The Clopper–Pearson interval from Beta quantiles.
    Exact,
}

impl CiMethod {
    /// The method's name as printed in reports.
    pub fn label(self) -> &'static str {
        match self {
            CiMethod::Wilson => "Wilson",
            CiMethod::Exact => "Clopper-Pearson",
        }
    }
}

/// A closed interval \[lower, upper\].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// A proportion x / n with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    /// Numerator (successes).
    pub numerator: u64,
    /// Denominator (trials).
    pub denominator: u64,
    /// x / n, or `None` when n = 0.
    pub estimate: Option<f64>,
    /// The 95 % interval, or `None` when n = 0.
    pub ci: Option<Interval>,
}

impl Proportion {
    /// Builds x / n with an interval by `method`; x must not exceed n.
    pub fn new(numerator: u64, denominator: u64, method: CiMethod) -> Self {
        debug_assert!(numerator <= denominator);
        if denominator == 0 {
            return Proportion {
                numerator,
                denominator,
                estimate: None,
                ci: None,
            };
        }
        let ci = match method {
            CiMethod::Wilson => wilson(numerator, denominator),
            CiMethod::Exact => clopper_pearson(numerator, denominator),
        };
        Proportion {
            numerator,
            denominator,
            estimate: Some(numerator as f64 / denominator as f64),
            ci: Some(ci),
        }
    }
}

/// The 95 % Wilson score interval for x successes out of n > 0 trials.
pub fn wilson(x: u64, n: u64) -> Interval {
    let (x, n) = (x as f64, n as f64);
    let z2 = Z_95 * Z_95;
    let denom = n + z2;
    let centre = (x + z2 / 2.0) / denom;
    let half = Z_95 / denom * (x * (n - x) / n + z2 / 4.0).sqrt();
    Interval {
        lower: (centre - half).max(0.0),
        upper: (centre + half).min(1.0),
    }
}

/// The 95 % Clopper–Pearson interval for x successes out of n > 0 trials.
pub fn clopper_pearson(x: u64, n: u64) -> Interval {
    let alpha = 0.05;
    let lower = if x == 0 {
        0.0
    } else {
        beta_quantile(alpha / 2.0, x as f64, (n - x + 1) as f64)
    };
    let upper = if x == n {
        1.0
    } else {
        beta_quantile(1.0 - alpha / 2.0, (x + 1) as f64, (n - x) as f64)
    };
    Interval { lower, upper }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clopper_pearson_matches_r_binom_test_example() {
        // R's documentation of binom.test (stats package, ?binom.test) prints
        // for binom.test(c(682, 243), p = 3/4):
        // "95 percent confidence interval: 0.7076683 0.7654066".
        let ci = clopper_pearson(682, 925);
        assert!((ci.lower - 0.707_668_3).abs() < 5e-8, "{ci:?}");
        assert!((ci.upper - 0.765_406_6).abs() < 5e-8, "{ci:?}");
    }

    #[test]
    fn clopper_pearson_matches_high_precision_reference() {
        // Beta quantiles computed independently with mpmath (40 digits,
        // bisection on its regularized incomplete beta).
        let cases = [
            (26, 41, 0.469_362_548_032_833_5, 0.778_772_137_938_934_7),
            (1, 113, 0.000_224_026_300_450_99, 0.048_320_648_564_102_29),
            (428, 496, 0.829_458_809_059_853_8, 0.891_941_910_393_599_6),
            (682, 925, 0.707_668_264_079_039, 0.765_406_558_241_525_2),
        ];
        for (x, n, lower, upper) in cases {
            let ci = clopper_pearson(x, n);
            assert!((ci.lower - lower).abs() < 1e-12, "{x}/{n}: {ci:?}");
            assert!((ci.upper - upper).abs() < 1e-12, "{x}/{n}: {ci:?}");
        }
    }

    #[test]
    fn clopper_pearson_closed_forms_at_the_edges() {
        // x = 0: upper = 1 − (α/2)^(1/n); x = n: lower = (α/2)^(1/n).
        for n in [1_u64, 5, 10, 41, 1000] {
            let ci = clopper_pearson(0, n);
            let expected = 1.0 - 0.025_f64.powf(1.0 / n as f64);
            assert_eq!(ci.lower, 0.0);
            assert!((ci.upper - expected).abs() < 1e-12, "n = {n}");
            let ci = clopper_pearson(n, n);
            assert!((ci.lower - 0.025_f64.powf(1.0 / n as f64)).abs() < 1e-12);
            assert_eq!(ci.upper, 1.0);
        }
    }

    #[test]
    fn wilson_closed_form() {
        // x = 26, n = 41 worked by hand from the formula.
        let z2 = Z_95 * Z_95;
        let centre = (26.0 + z2 / 2.0) / (41.0 + z2);
        let half = Z_95 / (41.0 + z2) * (26.0 * 15.0 / 41.0 + z2 / 4.0_f64).sqrt();
        let ci = wilson(26, 41);
        assert!((ci.lower - (centre - half)).abs() < 1e-15);
        assert!((ci.upper - (centre + half)).abs() < 1e-15);
        // Wilson is inside Clopper–Pearson for interior x.
        let cp = clopper_pearson(26, 41);
        assert!(cp.lower < ci.lower && ci.upper < cp.upper);
    }

    #[test]
    fn empty_denominator_has_no_estimate() {
        let p = Proportion::new(0, 0, CiMethod::Wilson);
        assert_eq!(p.estimate, None);
        assert_eq!(p.ci, None);
    }

    #[test]
    fn large_counts_are_fine() {
        let ci = clopper_pearson(3_000_000, 10_000_000);
        assert!(ci.lower < 0.3 && ci.upper > 0.3 && ci.upper - ci.lower < 0.001);
        let w = wilson(3_000_000, 10_000_000);
        assert!((w.lower - ci.lower).abs() < 1e-5);
    }
}
