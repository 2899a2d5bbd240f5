//! Stored totals: a scale's value as the source system computed it, compared with stepcare's.
//!
//! A column holds a stored value of `INSTRUMENT.SCALE` when `--map` maps it
//! there, when it is one of the scale's `stored:` names, or when it is named
//! `INSTRUMENT.SCALE.stored`. Output columns for the comparison appear only
//! for scales that have such a column, so every other output is unchanged.

use std::collections::BTreeMap;

use crate::instrument::{Instrument, Item, Scale, ScaleMethod, column_key, fmt_score};
use crate::scoring::{Answer, ScaleScore};

/// Why a stored value disagrees with the recomputed score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disagreement {
    /// Items are missing: a stored total over missing items never agrees.
    /// `true` when the stored value equals the sum with blanks counted as 0.
    OverMissing {
        /// The stored value equals the answered items' sum (blanks as 0).
        blanks_as_zero: bool,
    },
    /// The stored value lies outside the scores the scale can reach.
    OutOfRange,
    /// Any other difference.
    Differs,
}

/// One row's stored value of one scale and whether it agrees.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StoredCheck {
    /// The stored value, when the cell holds a number.
    pub value: Option<f64>,
    /// Whether it agrees with the recomputed score; `None` when either side is missing.
    pub agrees: Option<bool>,
    /// Why it disagrees.
    pub why: Option<Disagreement>,
    /// The cell held something that is not a number.
    pub unreadable: bool,
}

/// Counts of the comparisons of one scale over a batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredTally {
    /// `epds.total`.
    pub scale: String,
    /// Rows where both values were there and agreed.
    pub agree: u64,
    /// Rows where they disagreed.
    pub disagree: u64,
    /// Of those, stored totals over missing items that equal the sum with blanks as 0.
    pub blanks_as_zero: u64,
    /// Of those, stored totals over missing items otherwise.
    pub over_missing: u64,
    /// Of those, stored values outside the reachable range.
    pub out_of_range: u64,
    /// Rows with no stored value.
    pub absent: u64,
    /// Rows whose stored cell is not a number.
    pub unreadable: u64,
}

/// Where each scale's stored value is: per instrument, per scale, a column index.
///
/// Age-banded instruments have no stored values (their scales change with the interval).
pub fn plan(
    headers: &[String],
    instruments: &[&Instrument],
    map: &BTreeMap<String, String>,
) -> Vec<Vec<Option<usize>>> {
    let keys: Vec<String> = headers.iter().map(|h| column_key(h)).collect();
    let find = |name: &str| {
        let key = column_key(name);
        keys.iter().position(|k| *k == key)
    };
    instruments
        .iter()
        .map(|instrument| {
            if instrument.age_banding.is_some() {
                return vec![None; instrument.scales.len()];
            }
            instrument
                .scales
                .iter()
                .map(|scale| {
                    let target = format!("{}.{}", instrument.id, scale.id);
                    map.iter()
                        .filter(|(_, to)| **to == target)
                        .find_map(|(from, _)| find(from))
                        .or_else(|| scale.stored.iter().find_map(|name| find(name)))
                        .or_else(|| find(&format!("{target}.stored")))
                })
                .collect()
        })
        .collect()
}

/// A stored cell as a number: `13`, ` 13.0 `, `13,5` (decimal comma); blank is `None`.
fn parse(cell: &[u8]) -> Result<Option<f64>, ()> {
    let text = std::str::from_utf8(cell).map_err(|_| ())?.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or(())
}

/// Compares a stored cell with the recomputed score of `scale`.
pub fn check(
    cell: &[u8],
    scale: &Scale,
    result: &ScaleScore,
    answers: &[Answer],
    items: &[Item],
) -> StoredCheck {
    let value = match parse(cell) {
        Ok(value) => value,
        Err(()) => {
            return StoredCheck {
                unreadable: true,
                ..StoredCheck::default()
            };
        }
    };
    let Some(stored) = value else {
        return StoredCheck::default();
    };
    let disagree = |why| StoredCheck {
        value,
        agrees: Some(false),
        why: Some(why),
        unreadable: false,
    };
    if result.invalid > 0 {
        return StoredCheck {
            value,
            ..StoredCheck::default()
        };
    }
    let reachable = scale.reachable_scores(items);
    let out_of_range = match (reachable.first(), reachable.last()) {
        (Some(&low), Some(&high)) => stored < low - 1e-9 || stored > high + 1e-9,
        _ => false,
    };
    if result.missing > 0 {
        let blanks_as_zero = scale.method == ScaleMethod::Sum && {
            let sum: i64 = scale
                .items
                .iter()
                .filter_map(|&i| match answers[i] {
                    Answer::Chosen(option) => {
                        Some(i64::from(items[i].options[usize::from(option)].points))
                    }
                    _ => None,
                })
                .sum();
            (stored - sum as f64).abs() < 1e-9
        };
        return disagree(Disagreement::OverMissing { blanks_as_zero });
    }
    match result.score {
        Some(score) if (score - stored).abs() < 1e-9 => StoredCheck {
            value,
            agrees: Some(true),
            why: None,
            unreadable: false,
        },
        Some(_) if out_of_range => disagree(Disagreement::OutOfRange),
        Some(_) => disagree(Disagreement::Differs),
        None => StoredCheck {
            value,
            ..StoredCheck::default()
        },
    }
}

impl StoredTally {
    /// Adds one row's check.
    pub fn add(&mut self, check: &StoredCheck) {
        if check.unreadable {
            self.unreadable += 1;
        }
        match (check.value, check.agrees) {
            (None, _) if !check.unreadable => self.absent += 1,
            (_, Some(true)) => self.agree += 1,
            (_, Some(false)) => {
                self.disagree += 1;
                match check.why {
                    Some(Disagreement::OverMissing {
                        blanks_as_zero: true,
                    }) => self.blanks_as_zero += 1,
                    Some(Disagreement::OverMissing { .. }) => self.over_missing += 1,
                    Some(Disagreement::OutOfRange) => self.out_of_range += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// The tally as a line for the summary on standard error.
    pub fn describe(&self, scale: &Scale, items: &[Item]) -> String {
        let mut text = format!(
            "stored {}: {} agree, {} disagree",
            self.scale, self.agree, self.disagree
        );
        let mut why = Vec::new();
        if self.blanks_as_zero > 0 {
            why.push(format!(
                "{} computed over missing items (they equal the sum with blanks as 0)",
                self.blanks_as_zero
            ));
        }
        if self.over_missing > 0 {
            why.push(format!(
                "{} stored although items are missing",
                self.over_missing
            ));
        }
        if self.out_of_range > 0 {
            let reachable = scale.reachable_scores(items);
            let range = match (reachable.first(), reachable.last()) {
                (Some(low), Some(high)) => format!(" {}-{}", fmt_score(*low), fmt_score(*high)),
                _ => String::new(),
            };
            why.push(format!(
                "{} out of the scale's range{range}",
                self.out_of_range
            ));
        }
        let other = self.disagree - self.blanks_as_zero - self.over_missing - self.out_of_range;
        if other > 0 && !why.is_empty() {
            why.push(format!("{other} simply differ"));
        }
        if !why.is_empty() {
            text.push_str(&format!(" ({})", why.join("; ")));
        }
        if self.absent > 0 {
            text.push_str(&format!("; {} without a stored value", self.absent));
        }
        if self.unreadable > 0 {
            text.push_str(&format!("; {} not a number", self.unreadable));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::scoring::{Context, Scorer};

    fn run(cell: &str, answers: &[Option<u8>]) -> StoredCheck {
        let catalog = Catalog::builtin();
        let phq9 = catalog.get("phq9").unwrap();
        let answers: Vec<Answer> = answers
            .iter()
            .map(|a| a.map_or(Answer::Missing, Answer::Chosen))
            .collect();
        let mut result = Default::default();
        Scorer::new(phq9).score_into(&answers, Context::default(), &mut result);
        check(
            cell.as_bytes(),
            &phq9.scales[0],
            &result.scales[0],
            &answers,
            &phq9.items,
        )
    }

    #[test]
    fn agreement_of_a_stored_phq9_total() {
        let all = [Some(1); 9];
        assert_eq!(run("9", &all).agrees, Some(true));
        let wrong = run("13", &all);
        assert_eq!(wrong.agrees, Some(false));
        assert_eq!(wrong.why, Some(Disagreement::Differs));
        assert_eq!(run("40", &all).why, Some(Disagreement::OutOfRange));
        assert_eq!(run("", &all), StoredCheck::default());
        assert!(run("n/a", &all).unreadable);
        // One item missing: the prorated score is 9, and a stored 8 is the
        // REDCap sum() over the blank: never agreement.
        let mut one_missing = all;
        one_missing[0] = None;
        let check = run("8", &one_missing);
        assert_eq!(check.agrees, Some(false));
        assert_eq!(
            check.why,
            Some(Disagreement::OverMissing {
                blanks_as_zero: true
            })
        );
        assert_eq!(run("9", &one_missing).agrees, Some(false));
    }
}
