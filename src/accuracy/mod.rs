//! Diagnostic accuracy of a screening score against a reference standard.
//!
//! Given, for every subject, a score and whether the reference standard
//! (for example a diagnostic interview) classed them as a case, this module
//! computes what a cutoff-validation study reports:
//!
//! * the 2×2 table at every observed cutoff and at pre-specified ones, with
//!   sensitivity, specificity, predictive values and accuracy (95 % Wilson
//!   or Clopper–Pearson intervals, [`proportion`]), likelihood ratios
//!   ([`ratio`]) and Youden's J;
//! * the empirical ROC curve and the Mann–Whitney AUC ([`roc`]) with
//!   DeLong's variance and the paired DeLong test of two scores
//!   ([`delong`]);
//! * exploratory optimal cutoffs ([`optimal`]) and bootstrap intervals for
//!   them ([`bootstrap`]);
//! * an SVG drawing of the ROC curve ([`svg`]).
//!
//! Data arrive through [`input`], which streams a delimited file once into
//! per-score counts ([`counts`]).
//!
//! Conventions: a subject screens positive when score ≥ cutoff
//! ([`Direction::Higher`], the default) or score ≤ cutoff
//! ([`Direction::Lower`]); the direction is always chosen by the caller and
//! never flipped to make the AUC exceed one half.

pub mod bootstrap;
pub mod counts;
pub mod delong;
pub mod input;
pub mod optimal;
pub mod proportion;
pub mod ratio;
pub mod roc;
pub mod special;
pub mod svg;

pub use bootstrap::{BootstrapConfig, BootstrapSummary};
pub use counts::{CountsBuilder, PairedBuilder, PairedCounts, ScoreCounts};
pub use delong::{AucEstimate, PairedTest};
pub use proportion::{CiMethod, Interval, Proportion};
pub use ratio::{LikelihoodRatio, RatioValue};
pub use roc::{Confusion, Direction};

/// What to compute besides the per-cutoff table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalysisOptions {
    /// Which side of the cutoff is positive.
    pub direction: Direction,
    /// How intervals of proportions are computed.
    pub ci_method: CiMethod,
    /// Pre-specified cutoffs to report separately (in this order).
    pub prespecified: Vec<f64>,
    /// A sensitivity target for the "most specific cutoff reaching it".
    pub min_sensitivity: Option<f64>,
    /// Bootstrap of the Youden-optimal cutoff.
    pub bootstrap: Option<BootstrapConfig>,
}

/// Everything reported about one cutoff.
#[derive(Debug, Clone, PartialEq)]
pub struct CutoffRow {
    /// The cutoff c.
    pub cutoff: f64,
    /// Whether some subject scored exactly c.
    pub observed: bool,
    /// The 2×2 table.
    pub confusion: Confusion,
    /// TP / P.
    pub sensitivity: Proportion,
    /// TN / N.
    pub specificity: Proportion,
    /// TP / (TP + FP), at the sample prevalence.
    pub ppv: Proportion,
    /// TN / (TN + FN), at the sample prevalence.
    pub npv: Proportion,
    /// (TP + TN) / n.
    pub accuracy: Proportion,
    /// (TP + FP) / n, the share screening positive.
    pub screen_positive: Proportion,
    /// LR+.
    pub lr_positive: LikelihoodRatio,
    /// LR−.
    pub lr_negative: LikelihoodRatio,
    /// Youden's J = Se + Sp − 1.
    pub youden: f64,
    /// Distance of the ROC point from (0, 1).
    pub corner_distance: f64,
}

impl CutoffRow {
    /// Derives every statistic of a cutoff from its 2×2 table; the table
    /// must contain at least one case and one non-case.
    pub fn new(cutoff: f64, observed: bool, c: Confusion, method: CiMethod) -> Self {
        CutoffRow {
            cutoff,
            observed,
            confusion: c,
            sensitivity: Proportion::new(c.tp, c.cases(), method),
            specificity: Proportion::new(c.tn, c.controls(), method),
            ppv: Proportion::new(c.tp, c.tp + c.fp, method),
            npv: Proportion::new(c.tn, c.tn + c.fn_, method),
            accuracy: Proportion::new(c.tp + c.tn, c.n(), method),
            screen_positive: Proportion::new(c.tp + c.fp, c.n(), method),
            lr_positive: ratio::positive(c.tp, c.fp, c.tn, c.fn_),
            lr_negative: ratio::negative(c.tp, c.fp, c.tn, c.fn_),
            youden: c.youden().unwrap_or(f64::NAN),
            corner_distance: c.corner_distance().unwrap_or(f64::NAN),
        }
    }
}

/// The most specific cutoff reaching a sensitivity target.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityTarget {
    /// The target sensitivity.
    pub target: f64,
    /// The cutoff, or `None` if no cutoff reaches the target.
    pub row: Option<CutoffRow>,
}

/// The full analysis of one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The options used.
    pub options: AnalysisOptions,
    /// Number of cases P.
    pub n_cases: u64,
    /// Number of non-cases N.
    pub n_controls: u64,
    /// P / (P + N).
    pub prevalence: Proportion,
    /// The AUC with DeLong's interval.
    pub auc: AucEstimate,
    /// Every observed cutoff, ascending.
    pub rows: Vec<CutoffRow>,
    /// The pre-specified cutoffs, in the order given, without repeats.
    pub prespecified: Vec<CutoffRow>,
    /// Every Youden-optimal cutoff (exploratory), ascending.
    pub youden_optimal: Vec<CutoffRow>,
    /// Every cutoff closest to (0, 1) (exploratory), ascending.
    pub closest_to_corner: Vec<CutoffRow>,
    /// The sensitivity-target cutoff, when a target was given.
    pub min_sensitivity: Option<SensitivityTarget>,
    /// Bootstrap intervals, when asked for.
    pub bootstrap: Option<BootstrapSummary>,
    /// The score-by-outcome distribution.
    pub distribution: ScoreCounts,
}

impl Analysis {
    /// Whether `cutoff` is one of the Youden-optimal cutoffs.
    pub fn is_youden_optimal(&self, cutoff: f64) -> bool {
        self.youden_optimal.iter().any(|r| r.cutoff == cutoff)
    }

    /// Whether `cutoff` was pre-specified.
    pub fn is_prespecified(&self, cutoff: f64) -> bool {
        self.prespecified.iter().any(|r| r.cutoff == cutoff)
    }
}

/// Why a sample cannot be analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// No subject is a case.
    #[error("no cases (no subject has the positive reference value)")]
    NoCases,
    /// No subject is a non-case.
    #[error("no non-cases (every subject has the positive reference value)")]
    NoControls,
}

/// Analyses one sample given its per-score counts.
pub fn analyse(counts: ScoreCounts, options: &AnalysisOptions) -> Result<Analysis, AnalysisError> {
    let (p, n) = (counts.n_cases(), counts.n_controls());
    if p == 0 {
        return Err(AnalysisError::NoCases);
    }
    if n == 0 {
        return Err(AnalysisError::NoControls);
    }
    let method = options.ci_method;
    let direction = options.direction;
    let table = roc::confusion_table(&counts, direction);
    let rows: Vec<CutoffRow> = table
        .iter()
        .zip(counts.values())
        .map(|(&c, &v)| CutoffRow::new(v, true, c, method))
        .collect();
    let pick = |indices: Vec<usize>| {
        indices
            .into_iter()
            .map(|i| rows[i].clone())
            .collect::<Vec<_>>()
    };
    let youden_optimal = pick(optimal::youden_optimal(&table));
    let closest_to_corner = pick(optimal::closest_to_corner(&table));
    let min_sensitivity = options.min_sensitivity.map(|target| SensitivityTarget {
        target,
        row: optimal::min_sensitivity(&table, target).map(|i| rows[i].clone()),
    });
    let mut prespecified: Vec<CutoffRow> = Vec::new();
    for &cutoff in &options.prespecified {
        if prespecified.iter().any(|r| r.cutoff == cutoff) {
            continue;
        }
        let row = match counts.index_of(cutoff) {
            Some(i) => rows[i].clone(),
            None => CutoffRow::new(
                cutoff,
                false,
                roc::confusion_at(&counts, direction, cutoff),
                method,
            ),
        };
        prespecified.push(row);
    }
    let auc = delong::auc_estimate(&counts, direction).ok_or(AnalysisError::NoCases)?;
    let bootstrap = options
        .bootstrap
        .and_then(|config| bootstrap::bootstrap_optimal(&counts, direction, config));
    Ok(Analysis {
        options: options.clone(),
        n_cases: p,
        n_controls: n,
        prevalence: Proportion::new(p, p + n, method),
        auc,
        rows,
        prespecified,
        youden_optimal,
        closest_to_corner,
        min_sensitivity,
        bootstrap,
        distribution: counts,
    })
}

#[cfg(test)]
mod tests;
