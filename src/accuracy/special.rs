//! Special functions behind the confidence intervals and p-values.
//!
//! * `ln_gamma`: the Lanczos approximation (g = 7, nine terms) for small
//!   arguments and Stirling's series with five correction terms from 12 on.
//! * `incomplete_beta`: the regularized incomplete beta function
//!   I_x(a, b), from its continued fraction evaluated with the modified Lentz
//!   method, using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) so that the
//!   fraction is always evaluated where it converges fast.
//! * `beta_quantile`: the inverse of I_x(a, b) in x, by bisection (I_x is
//!   increasing in x), used for Clopper–Pearson intervals.
//! * `normal_cdf` / `normal_two_sided_p`: from the complementary error
//!   function, itself the regularized upper incomplete gamma function
//!   Q(1/2, x²), evaluated by its series or continued fraction.
//!
//! All are written for the ranges the cutoff analysis needs (positive
//! parameters, probabilities in \[0, 1\]) and aim at about 1e-13 relative
//! accuracy.

use std::f64::consts::PI;

/// The two-sided 95 % standard normal quantile, Φ⁻¹(0.975).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// ln(√(2π)).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Lanczos coefficients for g = 7, n = 9 (published with the method; they
/// give about 15 significant digits for positive arguments).
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// Arguments from which Stirling's series is used instead of Lanczos.
const STIRLING_FROM: f64 = 12.0;

/// Stirling's correction: ln Γ(x) − ((x − ½) ln x − x + ln √(2π)), for
/// x ≥ 12, where the five terms kept leave an error below 3e-15.
fn stirling_correction(x: f64) -> f64 {
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    inv * (1.0 / 12.0
        - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0))))
}

/// The natural logarithm of the gamma function for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    if x >= STIRLING_FROM {
        return (x - 0.5) * x.ln() - x + LN_SQRT_2PI + stirling_correction(x);
    }
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + 7.5;
    LN_SQRT_2PI + (x + 0.5) * t.ln() - t + sum.ln()
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), arranged to avoid the
/// cancellation of large terms when both arguments are large.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    let (p, q) = if a < b { (a, b) } else { (b, a) };
    if p >= STIRLING_FROM {
        // Both large: subtract the Stirling main terms analytically.
        let corr = stirling_correction(p) + stirling_correction(q) - stirling_correction(p + q);
        let ratio = p / (p + q);
        LN_SQRT_2PI - 0.5 * q.ln() + corr + (p - 0.5) * ratio.ln() + q * (-ratio).ln_1p()
    } else if q >= STIRLING_FROM {
        // Only the larger is large.
        let corr = stirling_correction(q) - stirling_correction(p + q);
        ln_gamma(p) + corr + p - p * (p + q).ln() + (q - 0.5) * (-p / (p + q)).ln_1p()
    } else {
        ln_gamma(p) + ln_gamma(q) - ln_gamma(p + q)
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-16;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    // Convergence takes O(√max(a, b)) steps; the cap is far above that for
    // any count that fits in memory.
    for m in 1..=100_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b) for a, b > 0.
pub fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() + b * (-x).ln_1p() - ln_beta(a, b);
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The x in \[0, 1\] with I_x(a, b) = p, found by bisection.
pub fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if incomplete_beta(mid, a, b) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The regularized upper incomplete gamma function Q(a, x) for a > 0, x ≥ 0.
pub fn upper_incomplete_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // Series for the lower function P(a, x); Q = 1 − P.
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..100_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        // Continued fraction for Q(a, x) (modified Lentz).
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
            let i = f64::from(i);
            let an = -i * (i - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        ln_front.exp() * h
    }
}

/// The complementary error function erfc(x).
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let q = upper_incomplete_gamma(0.5, x * x);
    if x >= 0.0 { q } else { 2.0 - q }
}

/// The standard normal distribution function Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The two-sided p-value of a standard normal statistic: 2 (1 − Φ(|z|)).
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn ln_gamma_matches_factorials_and_half() {
        // Γ(n) = (n − 1)!
        let mut fact = 1.0_f64;
        for n in 1..30 {
            assert!(close(ln_gamma(f64::from(n)), fact.ln(), 1e-14), "n = {n}");
            fact *= f64::from(n);
        }
        // Γ(½) = √π
        assert!(close(ln_gamma(0.5), PI.sqrt().ln(), 1e-14));
        // Γ(10.5) = 1133278.3889487855... (from Γ(½) and the recursion)
        let mut g = PI.sqrt();
        let mut x = 0.5;
        while x < 10.5 {
            g *= x;
            x += 1.0;
        }
        assert!(close(ln_gamma(10.5), g.ln(), 1e-14));
    }

    #[test]
    fn ln_beta_agrees_across_branches() {
        for &(a, b) in &[
            (3.0, 4.0),
            (12.0, 3.0),
            (15.0, 40.0),
            (250.5, 10.25),
            (1e6, 2e6),
        ] {
            let direct = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
            let tol = if a > 1e5 { 1e-9 } else { 1e-12 };
            assert!(close(ln_beta(a, b), direct, tol), "a = {a}, b = {b}");
        }
        // B(1, b) = 1 / b
        assert!(close(ln_beta(1.0, 50.0), -(50.0_f64.ln()), 1e-14));
    }

    #[test]
    fn incomplete_beta_has_closed_forms() {
        // I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a.
        for &x in &[0.01, 0.2, 0.5, 0.77, 0.999] {
            assert!(close(
                incomplete_beta(x, 1.0, 7.0),
                1.0 - (1.0 - x).powi(7),
                1e-14
            ));
            assert!(close(incomplete_beta(x, 5.0, 1.0), x.powi(5), 1e-14));
        }
        // Symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
        let v = incomplete_beta(0.3, 26.0, 16.0);
        assert!(close(v, 1.0 - incomplete_beta(0.7, 16.0, 26.0), 1e-13));
    }

    #[test]
    fn beta_quantile_inverts() {
        for &(p, a, b) in &[(0.025, 26.0, 16.0), (0.975, 27.0, 15.0), (0.5, 2.0, 3.0)] {
            let x = beta_quantile(p, a, b);
            assert!(close(incomplete_beta(x, a, b), p, 1e-12));
        }
    }

    #[test]
    fn normal_tail_values() {
        assert!(close(normal_cdf(0.0), 0.5, 1e-15));
        assert!(close(normal_cdf(Z_95), 0.975, 1e-14));
        assert!(close(normal_cdf(-Z_95), 0.025, 1e-13));
        // 2 (1 − Φ(1)) = erfc(1/√2) = 0.31731050786291415
        assert!(close(
            normal_two_sided_p(1.0),
            0.317_310_507_862_914_15,
            1e-13
        ));
        // Far tail: 2 (1 − Φ(6)) = 1.973175290075e-9
        assert!((normal_two_sided_p(6.0) / 1.973_175_290_075_4e-9 - 1.0).abs() < 1e-9);
    }
}
