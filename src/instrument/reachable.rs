//! The exact set of scores a scale can produce.
//!
//! Items have few options, so the set of (answered items, point sum) pairs is
//! small and can be enumerated exactly. Band coverage and rule-table analysis
//! both rest on this set.

use std::collections::BTreeSet;

use super::{Item, Scale, ScaleMethod};

/// Every score `scale` can produce under its missing-data policy, ascending and distinct.
pub fn reachable_scores(scale: &Scale, items: &[Item]) -> Vec<f64> {
    reachable_scores_with(scale, items, &[])
}

/// Like [`reachable_scores`], where a ticked concern box adds `concerns[item]`
/// points to an answered item (an empty slice: no item has a concern box).
pub fn reachable_scores_with(scale: &Scale, items: &[Item], concerns: &[Option<i32>]) -> Vec<f64> {
    let n = scale.items.len();
    // pairs[k] = the point sums reachable with exactly k answered items.
    let mut pairs: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); n + 1];
    pairs[0].insert(0);
    for (seen, &index) in scale.items.iter().enumerate() {
        let item = &items[index];
        let required = scale.missing.required.contains(&index);
        let mut next: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); n + 1];
        for answered in 0..=seen {
            for &sum in &pairs[answered] {
                if !required {
                    next[answered].insert(sum);
                }
                let concern = concerns.get(index).copied().flatten();
                for option in &item.options {
                    next[answered + 1].insert(sum + i64::from(option.points));
                    if let Some(extra) = concern {
                        next[answered + 1].insert(sum + i64::from(option.points + extra));
                    }
                }
            }
        }
        pairs = next;
    }
    let mut scores: Vec<f64> = Vec::new();
    let least = n.saturating_sub(scale.missing.max_missing).max(1);
    for (answered, sums) in pairs.iter().enumerate().skip(least) {
        for &sum in sums {
            if let Some(score) = score_from(scale, sum, answered, n) {
                scores.push(score);
            }
        }
    }
    scores.sort_by(f64::total_cmp);
    scores.dedup();
    scores
}

/// The scale score for a point sum over `answered` of `n` items, by the scale's method.
///
/// This is the single definition of how a scale turns points into a score; the
/// scorer calls it too, so reachability and scoring cannot drift apart.
pub(crate) fn score_from(scale: &Scale, sum: i64, answered: usize, n: usize) -> Option<f64> {
    if answered == 0 {
        return None;
    }
    let sum = sum as f64;
    Some(match scale.method {
        ScaleMethod::Mean => sum / answered as f64,
        ScaleMethod::Sum => match scale.missing.prorate {
            // sum * n / answered = sum + (sum / answered) * missing: the answered
            // items' mean stands in for each missing item (an "adjusted total").
            Some(rounding) if answered < n && n - answered >= scale.missing.prorate_from => {
                rounding.apply(sum * n as f64 / answered as f64)
            }
            _ => sum,
        },
    })
}
