//! The report of `cutoffs`: what was analysed and found, with the notes
//! that qualify it, built once and laid out by the renderers; and the way
//! its numbers are written in text.

use stepcare::accuracy::input::SetData;
use stepcare::accuracy::{
    Analysis, AnalysisOptions, CutoffRow, Direction, Interval, LikelihoodRatio, PairedTest,
    Proportion, RatioValue, analyse, delong,
};

use super::{CutoffsArgs, Dataset};

/// One analysed set: the whole sample or a subgroup.
pub(super) struct SetReport {
    pub(super) data: SetData,
    pub(super) analysis: Result<Analysis, String>,
    pub(super) comparison: Option<Result<PairedTest, String>>,
}

impl SetReport {
    pub(super) fn new(data: &SetData, options: &AnalysisOptions) -> Self {
        let analysis = analyse(data.counts.clone(), options).map_err(|e| e.to_string());
        let comparison = data.paired.as_ref().map(|paired| {
            delong::paired_test(paired, options.direction)
                .ok_or_else(|| "fewer than two cases or two non-cases have both scores".to_string())
        });
        SetReport {
            data: data.clone(),
            analysis,
            comparison,
        }
    }
}

/// The analysis of a file, whatever the output format.
pub(super) struct Report {
    pub(super) score: String,
    pub(super) reference: String,
    pub(super) positive: String,
    pub(super) compare: Option<String>,
    pub(super) by: Option<String>,
    pub(super) options: AnalysisOptions,
    pub(super) dataset_rows: u64,
    pub(super) missing_group: u64,
    pub(super) reference_values: Vec<stepcare::accuracy::input::ReferenceValue>,
    pub(super) overall: SetReport,
    pub(super) groups: Vec<(String, SetReport)>,
    pub(super) notes: Vec<String>,
}

impl Report {
    pub(super) fn build(
        args: &CutoffsArgs,
        score: String,
        dataset: &Dataset,
        options: &AnalysisOptions,
        mut notes: Vec<String>,
    ) -> anyhow::Result<Self> {
        let overall = SetReport::new(&dataset.overall, options);
        if let Err(message) = &overall.analysis {
            anyhow::bail!("cannot analyse `{}`: {message}", args.input.display());
        }
        let groups: Vec<(String, SetReport)> = dataset
            .groups
            .iter()
            .map(|(name, data)| (name.clone(), SetReport::new(data, options)))
            .collect();
        let mut report = Report {
            score,
            reference: args.reference.clone(),
            positive: args.positive.trim().to_string(),
            compare: args.compare.clone(),
            by: args.by.clone(),
            options: options.clone(),
            dataset_rows: dataset.rows,
            missing_group: dataset.missing_group,
            reference_values: dataset.reference_values.clone(),
            overall,
            groups,
            notes: Vec::new(),
        };
        notes.extend(report.collect_notes());
        report.notes = notes;
        Ok(report)
    }

    pub(super) fn sets(&self) -> impl Iterator<Item = (Option<&str>, &SetReport)> {
        std::iter::once((None, &self.overall))
            .chain(self.groups.iter().map(|(g, s)| (Some(g.as_str()), s)))
    }

    pub(super) fn direction(&self) -> Direction {
        self.options.direction
    }

    fn collect_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let sign = self.direction().ascii_sign();
        notes.push(
            "Optimal cutoffs (Youden, closest to (0,1), sensitivity target, bootstrap) are chosen from these data: \
             exploratory, and optimistic about accuracy in new samples. Cutoffs given with --cutoff are pre-specified."
                .to_string(),
        );
        let mut infinite = false;
        let mut low_auc = Vec::new();
        let mut unobserved = Vec::new();
        for (group, set) in self.sets() {
            let Ok(a) = &set.analysis else { continue };
            let lr_special = |r: &CutoffRow| {
                !matches!(r.lr_positive.value, RatioValue::Finite(_))
                    || !matches!(r.lr_negative.value, RatioValue::Finite(_))
            };
            if a.rows.iter().chain(&a.prespecified).any(lr_special) {
                infinite = true;
            }
            if a.auc.auc < 0.5 {
                low_auc
                    .push(group.map_or("the whole sample".to_string(), |g| format!("group {g:?}")));
            }
            if group.is_none() {
                for r in a.prespecified.iter().filter(|r| !r.observed) {
                    unobserved.push(fmt_number(r.cutoff));
                }
            }
        }
        if infinite {
            notes.push(
                "LR+ is infinite (\"inf\"; null in JSON) where no non-case screens positive (FP = 0), and LR- where no \
                 non-case screens negative (TN = 0); 0/0 is undefined. No continuity correction is applied."
                    .to_string(),
            );
        }
        for set in low_auc {
            notes.push(format!(
                "AUC is below 0.5 in {set}: with {sign} as positive, cases tend to score lower than non-cases. \
                 Check --direction; the direction was not flipped."
            ));
        }
        if !unobserved.is_empty() {
            notes.push(format!(
                "No subject scored exactly {}: such a cutoff splits the sample as the nearest observed score on its \
                 positive side does.",
                unobserved.join(", ")
            ));
        }
        if self.missing_group > 0 {
            notes.push(format!(
                "{} with a missing {} value {} in the whole-sample analysis but in no group.",
                stepcare::lang::count(self.missing_group, "row", "rows"),
                self.by.as_deref().unwrap_or("group"),
                if self.missing_group == 1 { "is" } else { "are" }
            ));
        }
        for (group, set) in self.sets() {
            let label = group.map_or(String::new(), |g| format!(" (group {g:?})"));
            if let Ok(a) = &set.analysis
                && a.auc.variance.is_none()
            {
                notes.push(format!(
                    "DeLong's interval needs at least two cases and two non-cases{label}."
                ));
            }
        }
        notes
    }
}

// -------------------------------------------------------------- format --

/// A number in its shortest exact decimal form ("10", "0.22").
pub(super) fn fmt_number(v: f64) -> String {
    format!("{v}")
}

pub(super) fn fmt_p(p: f64) -> String {
    if p < 0.0001 {
        "<0.0001".to_string()
    } else {
        format!("{p:.4}")
    }
}

pub(super) fn fmt_estimate(p: &Proportion) -> String {
    p.estimate.map_or("n/a".into(), |e| format!("{e:.3}"))
}

pub(super) fn fmt_proportion(p: &Proportion) -> String {
    match (p.estimate, p.ci) {
        (Some(e), Some(ci)) => format!("{e:.3} ({:.3}-{:.3})", ci.lower, ci.upper),
        (Some(e), None) => format!("{e:.3}"),
        _ => "n/a".to_string(),
    }
}

pub(super) fn fmt_ratio(lr: &LikelihoodRatio) -> String {
    match (lr.value, lr.ci) {
        (RatioValue::Finite(v), Some(ci)) => format!("{v:.2} ({:.2}-{:.2})", ci.lower, ci.upper),
        (RatioValue::Finite(v), None) => format!("{v:.2}"),
        (RatioValue::Infinite, _) => "inf".to_string(),
        (RatioValue::Undefined, _) => "n/a".to_string(),
    }
}

pub(super) fn fmt_range(i: Interval, f: impl Fn(f64) -> String) -> String {
    format!("{}-{}", f(i.lower), f(i.upper))
}

pub(super) fn auc_text(auc: f64, ci: Option<Interval>) -> String {
    match ci {
        Some(ci) => format!(
            "AUC {auc:.3} (95% CI {:.3}-{:.3}, DeLong)",
            ci.lower, ci.upper
        ),
        None => format!("AUC {auc:.3} (no DeLong CI)"),
    }
}
