//! Diagnostic likelihood ratios with log-method 95 % intervals.
//!
//! LR+ = Se / (1 − Sp) = (TP/P) / (FP/N) and LR− = (1 − Se) / Sp =
//! (FN/P) / (TN/N), computed from the counts rather than from rounded
//! rates. The interval is exp(ln LR ± 1.96 · SE) with
//! SE(ln LR+)² = 1/TP − 1/P + 1/FP − 1/N and
//! SE(ln LR−)² = 1/FN − 1/P + 1/TN − 1/N
//! (Simel, Samsa & Matchar 1991, *J Clin Epidemiol* 44:763–770).
//!
//! When the denominator count is zero the ratio is infinite (a positive
//! count over zero) or undefined (0/0). No continuity correction is added:
//! such a ratio is reported as infinite or undefined, with the reason.
//! A ratio of zero, or an infinite one, has no log-method interval.

use super::proportion::Interval;
use super::special::Z_95;

/// The value of a likelihood ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RatioValue {
    /// A finite ratio (possibly zero).
    Finite(f64),
    /// A positive count over a zero count: FP = 0 for LR+, TN = 0 for LR−.
    Infinite,
    /// Zero over zero.
    Undefined,
}

impl RatioValue {
    /// The finite value, if there is one.
    pub fn finite(self) -> Option<f64> {
        match self {
            RatioValue::Finite(v) => Some(v),
            _ => None,
        }
    }
}

/// A likelihood ratio with its 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LikelihoodRatio {
    /// The ratio.
    pub value: RatioValue,
    /// The log-method interval, when the ratio is finite and positive.
    pub ci: Option<Interval>,
}

/// The ratio (a / p) / (b / n) with its log-method interval, where a of p
/// cases and b of n non-cases fall on the same side of the cutoff.
fn ratio(a: u64, p: u64, b: u64, n: u64) -> LikelihoodRatio {
    if p == 0 || n == 0 {
        return LikelihoodRatio {
            value: RatioValue::Undefined,
            ci: None,
        };
    }
    let value = match (a, b) {
        (0, 0) => RatioValue::Undefined,
        (_, 0) => RatioValue::Infinite,
        _ => RatioValue::Finite((a as f64 * n as f64) / (b as f64 * p as f64)),
    };
    let ci = match value {
        RatioValue::Finite(v) if a > 0 => {
            let var = 1.0 / a as f64 - 1.0 / p as f64 + 1.0 / b as f64 - 1.0 / n as f64;
            let half = Z_95 * var.max(0.0).sqrt();
            Some(Interval {
                lower: (v.ln() - half).exp(),
                upper: (v.ln() + half).exp(),
            })
        }
        _ => None,
    };
    LikelihoodRatio { value, ci }
}

/// LR+ from the 2×2 counts.
pub fn positive(tp: u64, fp: u64, tn: u64, fn_: u64) -> LikelihoodRatio {
    ratio(tp, tp + fn_, fp, fp + tn)
}

/// LR− from the 2×2 counts.
pub fn negative(tp: u64, fp: u64, tn: u64, fn_: u64) -> LikelihoodRatio {
    ratio(fn_, tp + fn_, tn, fp + tn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s100b_at_its_youden_cutoff() {
        // TP 26, FP 14, TN 58, FN 15 (pROC tests/testthat/test-coords.R,
        // "coords returns the correct basic values", threshold 0.205).
        let lr = positive(26, 14, 58, 15);
        let v = lr.value.finite().unwrap();
        assert!((v - (26.0 / 41.0) / (14.0 / 72.0)).abs() < 1e-13);
        let ci = lr.ci.unwrap();
        let se = (1.0 / 26.0 - 1.0 / 41.0 + 1.0 / 14.0 - 1.0 / 72.0_f64).sqrt();
        assert!((ci.lower - (v.ln() - Z_95 * se).exp()).abs() < 1e-13);
        let neg = negative(26, 14, 58, 15).value.finite().unwrap();
        assert!((neg - (15.0 / 41.0) / (58.0 / 72.0)).abs() < 1e-13);
    }

    #[test]
    fn zero_counts() {
        assert_eq!(positive(5, 0, 10, 5).value, RatioValue::Infinite);
        assert_eq!(positive(0, 0, 10, 5).value, RatioValue::Undefined);
        let zero = positive(0, 3, 7, 5);
        assert_eq!(zero.value, RatioValue::Finite(0.0));
        assert_eq!(zero.ci, None);
        assert_eq!(negative(5, 10, 0, 5).value, RatioValue::Infinite);
        assert_eq!(negative(5, 10, 0, 0).value, RatioValue::Undefined);
    }
}
