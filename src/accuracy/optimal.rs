//! Data-driven "optimal" cutoffs.
//!
//! These are exploratory: a cutoff chosen to maximise accuracy in a sample
//! overstates its accuracy in that sample (see Leeflang et al. 2008, *Clin
//! Chem* 54:729–737), so reports label them as such and keep pre-specified
//! cutoffs apart.
//!
//! * **Youden**: maximal J = Se + Sp − 1 (Youden 1950, *Cancer* 3:32–35).
//!   J is compared exactly as the integer TP·N + TN·P, never with a float
//!   tolerance, and every tied optimum is returned; no median or mean of
//!   tied cutoffs is formed (that can land on a cutoff that is not optimal).
//! * **Closest to (0, 1)**: minimal distance √((1 − Se)² + (1 − Sp)²) from
//!   the ROC point to the top-left corner, compared exactly as
//!   (FN·N)² + (FP·P)²; all ties returned.
//! * **Sensitivity target**: among cutoffs whose sensitivity reaches the
//!   target, the one with the highest specificity (the strictest such
//!   cutoff: the highest one when higher scores are positive).

use super::roc::Confusion;

/// Indices of all rows with the maximal Youden's J.
pub fn youden_optimal(rows: &[Confusion]) -> Vec<usize> {
    let Some(best) = rows.iter().map(Confusion::youden_key).max() else {
        return Vec::new();
    };
    (0..rows.len())
        .filter(|&i| rows[i].youden_key() == best)
        .collect()
}

/// Indices of all rows closest to the corner (0, 1).
pub fn closest_to_corner(rows: &[Confusion]) -> Vec<usize> {
    let Some(best) = rows.iter().map(Confusion::corner_key).min() else {
        return Vec::new();
    };
    (0..rows.len())
        .filter(|&i| rows[i].corner_key() == best)
        .collect()
}

/// Index of the most specific row whose sensitivity is at least `target`.
///
/// Sensitivity is compared as TP/P in floating point: the division is
/// correctly rounded, so a ratio that equals the decimal target exactly
/// (9/10 against 0.9) compares equal.
pub fn min_sensitivity(rows: &[Confusion], target: f64) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, row) in rows.iter().enumerate() {
        let p = row.cases();
        if p == 0 || (row.tp as f64 / p as f64) < target {
            continue;
        }
        let better = match best {
            None => true,
            Some(b) => (row.tn, row.tp) > (rows[b].tn, rows[b].tp),
        };
        if better {
            best = Some(i);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(tp: u64, fp: u64, tn: u64, fn_: u64) -> Confusion {
        Confusion { tp, fp, tn, fn_ }
    }

    #[test]
    fn all_tied_optima_are_returned() {
        // P = 4, N = 4. Rows 1 and 3 both reach J = 0.5; row 2 (their median
        // position) only J = 0.25.
        let rows = [
            c(4, 4, 0, 0),
            c(4, 2, 2, 0),
            c(3, 2, 2, 1),
            c(2, 0, 4, 2),
            c(0, 0, 4, 4),
        ];
        assert_eq!(youden_optimal(&rows), vec![1, 3]);
        assert_eq!(closest_to_corner(&rows), vec![1, 3]);
    }

    #[test]
    fn tiny_differences_are_not_ties() {
        // J differs by 1/(P·N) = 1e-8: a 1e-6 tolerance would call it a tie.
        let (p, n) = (10_000_u64, 10_000_u64);
        let a = c(9_000, 1_000, n - 1_000, p - 9_000);
        let b = c(9_001, 1_000, n - 1_000, p - 9_001);
        assert_eq!(youden_optimal(&[a, b]), vec![1]);
    }

    #[test]
    fn sensitivity_target_picks_most_specific() {
        // suicide/dsi overall at cutoffs 0, 1, 2: Se 36/36, 34/36, 32/36.
        let rows = [c(36, 496, 0, 0), c(34, 120, 376, 2), c(32, 68, 428, 4)];
        assert_eq!(min_sensitivity(&rows, 0.9), Some(1));
        assert_eq!(min_sensitivity(&rows, 32.0 / 36.0), Some(2));
        assert_eq!(min_sensitivity(&rows, 1.0), Some(0));
        assert_eq!(min_sensitivity(&[], 0.5), None);
    }
}
