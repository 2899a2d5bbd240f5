//! The 2×2 table at every cutoff, the empirical ROC curve and its area.
//!
//! A cutoff c splits subjects into screen-positive (score ≥ c, or score ≤ c
//! with [`Direction::Lower`]) and screen-negative. Every distinct observed
//! score is a candidate cutoff; an unobserved cutoff gives the same split as
//! the nearest observed score on its positive side.
//!
//! The area under the empirical ROC curve equals the Mann–Whitney
//! statistic: the probability that a random case scores more suspiciously
//! than a random non-case, ties counted one half (Bamber 1975; Hanley &
//! McNeil 1982). It is computed exactly from the per-score counts as
//! Σ cases(v) · (2 · non-cases beyond v + non-cases(v)) / (2 · P · N).

use super::counts::ScoreCounts;

/// Which side of the cutoff is screen-positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Score ≥ cutoff is positive (higher scores mean more likely a case).
    #[default]
    Higher,
    /// Score ≤ cutoff is positive (lower scores mean more likely a case).
    Lower,
}

impl Direction {
    /// The comparison sign as printed before a cutoff, "≥" or "≤".
    pub fn sign(self) -> &'static str {
        match self {
            Direction::Higher => "≥",
            Direction::Lower => "≤",
        }
    }

    /// The ASCII form of the sign, ">=" or "<=".
    pub fn ascii_sign(self) -> &'static str {
        match self {
            Direction::Higher => ">=",
            Direction::Lower => "<=",
        }
    }

    /// Whether `score` is screen-positive at `cutoff`.
    pub fn is_positive(self, score: f64, cutoff: f64) -> bool {
        match self {
            Direction::Higher => score >= cutoff,
            Direction::Lower => score <= cutoff,
        }
    }
}

/// The 2×2 table of screen result against reference standard at one cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confusion {
    /// Cases that screen positive.
    pub tp: u64,
    /// Non-cases that screen positive.
    pub fp: u64,
    /// Non-cases that screen negative.
    pub tn: u64,
    /// Cases that screen negative.
    pub fn_: u64,
}

impl Confusion {
    /// Number of cases, P = TP + FN.
    pub fn cases(&self) -> u64 {
        self.tp + self.fn_
    }

    /// Number of non-cases, N = FP + TN.
    pub fn controls(&self) -> u64 {
        self.fp + self.tn
    }

    /// Number of subjects.
    pub fn n(&self) -> u64 {
        self.cases() + self.controls()
    }

    /// The Youden criterion scaled to an integer: TP·N + TN·P. J itself is
    /// this divided by P·N, minus one, so comparing it compares J exactly.
    pub fn youden_key(&self) -> u128 {
        u128::from(self.tp) * u128::from(self.controls())
            + u128::from(self.tn) * u128::from(self.cases())
    }

    /// The squared distance to the corner (0, 1) scaled to an integer:
    /// (FN·N)² + (FP·P)², i.e. ((1 − Se)² + (1 − Sp)²) · (P·N)².
    pub fn corner_key(&self) -> u128 {
        let a = u128::from(self.fn_) * u128::from(self.controls());
        let b = u128::from(self.fp) * u128::from(self.cases());
        a * a + b * b
    }

    /// Youden's J = Se + Sp − 1, computed from the counts in one division.
    pub fn youden(&self) -> Option<f64> {
        let (p, n) = (self.cases(), self.controls());
        if p == 0 || n == 0 {
            return None;
        }
        let pn = i128::from(p) * i128::from(n);
        let key = self.youden_key() as i128;
        Some((key - pn) as f64 / pn as f64)
    }

    /// The distance from the ROC point to the corner (0, 1).
    pub fn corner_distance(&self) -> Option<f64> {
        let (p, n) = (self.cases(), self.controls());
        if p == 0 || n == 0 {
            return None;
        }
        let miss = self.fn_ as f64 / p as f64;
        let false_alarm = self.fp as f64 / n as f64;
        Some(miss.hypot(false_alarm))
    }
}

/// The 2×2 table at every distinct observed score, ascending by cutoff.
pub fn confusion_table(counts: &ScoreCounts, direction: Direction) -> Vec<Confusion> {
    let (p, n) = (counts.n_cases(), counts.n_controls());
    let k = counts.len();
    let mut rows = Vec::with_capacity(k);
    match direction {
        Direction::Higher => {
            // Positive at v_i: everything at index ≥ i. Walk down from the top.
            let (mut tp, mut fp) = (0, 0);
            for i in (0..k).rev() {
                tp += counts.cases()[i];
                fp += counts.controls()[i];
                rows.push(Confusion {
                    tp,
                    fp,
                    tn: n - fp,
                    fn_: p - tp,
                });
            }
            rows.reverse();
        }
        Direction::Lower => {
            let (mut tp, mut fp) = (0, 0);
            for i in 0..k {
                tp += counts.cases()[i];
                fp += counts.controls()[i];
                rows.push(Confusion {
                    tp,
                    fp,
                    tn: n - fp,
                    fn_: p - tp,
                });
            }
        }
    }
    rows
}

/// The 2×2 table at an arbitrary cutoff (observed or not).
pub fn confusion_at(counts: &ScoreCounts, direction: Direction, cutoff: f64) -> Confusion {
    let (p, n) = (counts.n_cases(), counts.n_controls());
    let (mut tp, mut fp) = (0, 0);
    for ((&v, &c), &d) in counts
        .values()
        .iter()
        .zip(counts.cases())
        .zip(counts.controls())
    {
        if direction.is_positive(v, cutoff) {
            tp += c;
            fp += d;
        }
    }
    Confusion {
        tp,
        fp,
        tn: n - fp,
        fn_: p - tp,
    }
}

/// The points (1 − specificity, sensitivity) of the empirical ROC curve,
/// from (0, 0) (nobody positive) through every observed cutoff, strictest
/// first, to (1, 1).
pub fn roc_points(counts: &ScoreCounts, direction: Direction) -> Vec<(f64, f64)> {
    let (p, n) = (counts.n_cases() as f64, counts.n_controls() as f64);
    let mut table = confusion_table(counts, direction);
    if direction == Direction::Higher {
        table.reverse();
    }
    let mut points = Vec::with_capacity(table.len() + 1);
    points.push((0.0, 0.0));
    for c in table {
        points.push((c.fp as f64 / n, c.tp as f64 / p));
    }
    points
}

/// Per-score (cases, non-cases) ordered from the least to the most
/// suspicious score for the given direction.
pub(crate) fn oriented(counts: &ScoreCounts, direction: Direction) -> Vec<(u64, u64)> {
    let pairs = counts
        .cases()
        .iter()
        .copied()
        .zip(counts.controls().iter().copied());
    match direction {
        Direction::Higher => pairs.collect(),
        Direction::Lower => {
            let mut v: Vec<_> = pairs.collect();
            v.reverse();
            v
        }
    }
}

/// The Mann–Whitney AUC, ties counted one half; `None` without both cases
/// and non-cases.
pub fn auc(counts: &ScoreCounts, direction: Direction) -> Option<f64> {
    let (p, n) = (counts.n_cases(), counts.n_controls());
    if p == 0 || n == 0 {
        return None;
    }
    let mut below: u128 = 0;
    let mut twice_wins: u128 = 0;
    for (c, d) in oriented(counts, direction) {
        twice_wins += u128::from(c) * (2 * below + u128::from(d));
        below += u128::from(d);
    }
    Some(twice_wins as f64 / (2.0 * p as f64 * n as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> ScoreCounts {
        // cases: 1, 3, 3, 5; controls: 0, 1, 3, 4
        ScoreCounts::from_observations([
            (1.0, true),
            (3.0, true),
            (3.0, true),
            (5.0, true),
            (0.0, false),
            (1.0, false),
            (3.0, false),
            (4.0, false),
        ])
    }

    fn brute_auc(counts: &ScoreCounts, direction: Direction) -> f64 {
        let mut cases = Vec::new();
        let mut controls = Vec::new();
        for i in 0..counts.len() {
            for _ in 0..counts.cases()[i] {
                cases.push(counts.values()[i]);
            }
            for _ in 0..counts.controls()[i] {
                controls.push(counts.values()[i]);
            }
        }
        let mut s = 0.0;
        for &x in &cases {
            for &y in &controls {
                let (x, y) = if direction == Direction::Higher {
                    (x, y)
                } else {
                    (-x, -y)
                };
                s += if x > y {
                    1.0
                } else if x == y {
                    0.5
                } else {
                    0.0
                };
            }
        }
        s / (cases.len() * controls.len()) as f64
    }

    #[test]
    fn table_matches_definition() {
        let counts = small();
        let table = confusion_table(&counts, Direction::Higher);
        for (i, row) in table.iter().enumerate() {
            assert_eq!(
                *row,
                confusion_at(&counts, Direction::Higher, counts.values()[i])
            );
        }
        assert_eq!(
            table[0],
            Confusion {
                tp: 4,
                fp: 4,
                tn: 0,
                fn_: 0
            }
        );
        // cutoff 3: cases 3, 3, 5 and controls 3, 4 positive
        assert_eq!(
            table[2],
            Confusion {
                tp: 3,
                fp: 2,
                tn: 2,
                fn_: 1
            }
        );
        let lower = confusion_table(&counts, Direction::Lower);
        assert_eq!(
            lower[2],
            Confusion {
                tp: 3,
                fp: 3,
                tn: 1,
                fn_: 1
            }
        );
        // unobserved cutoff 2 acts like 3 (higher) and like 1 (lower)
        assert_eq!(confusion_at(&counts, Direction::Higher, 2.0), table[2]);
        assert_eq!(confusion_at(&counts, Direction::Lower, 2.0), lower[1]);
    }

    #[test]
    fn auc_matches_pairwise_count() {
        let counts = small();
        for dir in [Direction::Higher, Direction::Lower] {
            let a = auc(&counts, dir).unwrap();
            assert!((a - brute_auc(&counts, dir)).abs() < 1e-15);
        }
        // 16 pairs: case 1 beats 0 and ties 1 (1.5); each case 3 beats 0 and 1
        // and ties 3 (2.5); case 5 beats all four (4).
        assert_eq!(auc(&counts, Direction::Higher), Some(10.5 / 16.0));
    }

    #[test]
    fn roc_points_run_corner_to_corner() {
        let pts = roc_points(&small(), Direction::Higher);
        assert_eq!(pts.first(), Some(&(0.0, 0.0)));
        assert_eq!(pts.last(), Some(&(1.0, 1.0)));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
    }

    #[test]
    fn youden_key_orders_like_j() {
        let a = Confusion {
            tp: 32,
            fp: 68,
            tn: 428,
            fn_: 4,
        };
        let b = Confusion {
            tp: 34,
            fp: 120,
            tn: 376,
            fn_: 2,
        };
        assert!(a.youden_key() > b.youden_key());
        assert!(a.youden().unwrap() > b.youden().unwrap());
        assert!((a.youden().unwrap() - (32.0 / 36.0 + 428.0 / 496.0 - 1.0)).abs() < 1e-15);
    }
}
