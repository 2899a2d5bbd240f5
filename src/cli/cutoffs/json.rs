//! The report as one JSON object, the stable machine contract (`--format json`).

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use stepcare::accuracy::counts::ScoreCounts;
use stepcare::accuracy::input::SetData;
use stepcare::accuracy::{
    CiMethod, CutoffRow, Direction, Interval, LikelihoodRatio, PairedTest, RatioValue,
};

use super::Renderer;
use super::report::{Report, SetReport};

/// Writes the whole analysis as pretty-printed JSON.
pub(super) struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, mut out: &mut dyn Write) -> anyhow::Result<()> {
        serde_json::to_writer_pretty(&mut out, &report.json())?;
        writeln!(out)?;
        Ok(())
    }
}

impl Report {
    fn json(&self) -> JsonReport<'_> {
        let groups = self.by.as_ref().map(|_| {
            self.groups
                .iter()
                .map(|(name, set)| (name.as_str(), self.json_set(set, true)))
                .collect::<BTreeMap<_, _>>()
        });
        JsonReport {
            score: &self.score,
            reference: &self.reference,
            positive: &self.positive,
            reference_values: self
                .reference_values
                .iter()
                .map(|r| JsonReferenceValue {
                    value: &r.value,
                    rows: r.rows,
                    role: if r.positive { "case" } else { "non-case" },
                })
                .collect(),
            direction: match self.direction() {
                Direction::Higher => "higher",
                Direction::Lower => "lower",
            },
            positive_if: format!("{} {} cutoff", self.score, self.direction().ascii_sign()),
            ci_method: match self.options.ci_method {
                CiMethod::Wilson => "wilson",
                CiMethod::Exact => "exact",
            },
            auc_ci_method: "delong",
            confidence_level: 0.95,
            rows_read: self.dataset_rows,
            by: self.by.as_deref(),
            rows_missing_group: self.by.as_ref().map(|_| self.missing_group),
            overall: self.json_set(&self.overall, false),
            groups,
            comparison: self
                .overall
                .comparison
                .as_ref()
                .map(|c| self.json_comparison(c, &self.overall.data)),
            notes: &self.notes,
        }
    }

    fn json_comparison(
        &self,
        c: &Result<PairedTest, String>,
        data: &SetData,
    ) -> JsonComparison<'_> {
        let compare = self.compare.as_deref().unwrap_or("");
        match c {
            Ok(t) => JsonComparison {
                compare,
                method: "delong-paired",
                n: t.n,
                n_positive: t.n_cases,
                n_excluded: data.missing_compare,
                auc: Some(t.auc_first),
                auc_compare: Some(t.auc_second),
                auc_difference: Some(t.difference),
                ci: t.ci.map(pair),
                z: t.z,
                p_value: t.p_value,
                error: None,
            },
            Err(message) => JsonComparison {
                compare,
                method: "delong-paired",
                n: data
                    .paired
                    .as_ref()
                    .map_or(0, |p| p.cases().iter().chain(p.controls()).sum()),
                n_positive: data.paired.as_ref().map_or(0, |p| p.cases().iter().sum()),
                n_excluded: data.missing_compare,
                auc: None,
                auc_compare: None,
                auc_difference: None,
                ci: None,
                z: None,
                p_value: None,
                error: Some(message.clone()),
            },
        }
    }

    fn json_set<'s>(&'s self, set: &'s SetReport, with_comparison: bool) -> JsonSet<'s> {
        let ex = set.data.excluded;
        let comparison = if with_comparison {
            set.comparison
                .as_ref()
                .map(|c| self.json_comparison(c, &set.data))
        } else {
            None
        };
        let base = JsonSet {
            rows: set.data.rows,
            n: set.data.counts.n(),
            n_positive: set.data.counts.n_cases(),
            n_negative: set.data.counts.n_controls(),
            n_excluded: ex.total(),
            excluded: JsonExcluded {
                missing_score: ex.missing_score,
                missing_reference: ex.missing_reference,
            },
            prevalence: None,
            prevalence_ci: None,
            auc: None,
            auc_ci: None,
            auc_se: None,
            optimal: Vec::new(),
            closest_to_corner: Vec::new(),
            min_sensitivity: None,
            bootstrap: None,
            prespecified: Vec::new(),
            cutoffs: Lazy(&[], json_cutoff),
            distribution: LazyDistribution(None),
            comparison,
            error: None,
        };
        let a = match &set.analysis {
            Ok(a) => a,
            Err(message) => {
                return JsonSet {
                    error: Some(message.clone()),
                    ..base
                };
            }
        };
        let brief = |r: &CutoffRow| JsonOptimal {
            cutoff: r.cutoff,
            sensitivity: r.sensitivity.estimate,
            specificity: r.specificity.estimate,
            youden: r.youden,
            distance: r.corner_distance,
            tp: r.confusion.tp,
            fp: r.confusion.fp,
            tn: r.confusion.tn,
            fn_: r.confusion.fn_,
        };
        JsonSet {
            prevalence: a.prevalence.estimate,
            prevalence_ci: a.prevalence.ci.map(pair),
            auc: Some(a.auc.auc),
            auc_ci: a.auc.ci.map(pair),
            auc_se: a.auc.standard_error(),
            optimal: a.youden_optimal.iter().map(brief).collect(),
            closest_to_corner: a.closest_to_corner.iter().map(brief).collect(),
            min_sensitivity: a.min_sensitivity.as_ref().map(|t| JsonTarget {
                target: t.target,
                cutoff: t.row.as_ref().map(brief),
            }),
            bootstrap: a.bootstrap.as_ref().map(|b| JsonBootstrap {
                replicates: b.config.replicates,
                seed: b.config.seed,
                resampling: "stratified (cases and non-cases separately)",
                interval: "percentile (order statistics, no interpolation)",
                cutoff_ci: pair(b.cutoff),
                sensitivity_ci: pair(b.sensitivity),
                specificity_ci: pair(b.specificity),
                youden_ci: pair(b.youden),
                auc_ci: pair(b.auc),
                cutoff_frequencies: b
                    .cutoff_frequencies
                    .iter()
                    .map(|&(cutoff, count)| JsonFrequency { cutoff, count })
                    .collect(),
            }),
            prespecified: a.prespecified.iter().map(json_cutoff).collect(),
            cutoffs: Lazy(&a.rows, json_cutoff),
            distribution: LazyDistribution(Some(&a.distribution)),
            ..base
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    score: &'a str,
    reference: &'a str,
    positive: &'a str,
    reference_values: Vec<JsonReferenceValue<'a>>,
    direction: &'static str,
    positive_if: String,
    ci_method: &'static str,
    auc_ci_method: &'static str,
    confidence_level: f64,
    rows_read: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows_missing_group: Option<u64>,
    overall: JsonSet<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups: Option<BTreeMap<&'a str, JsonSet<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<JsonComparison<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonReferenceValue<'a> {
    value: &'a str,
    rows: u64,
    role: &'static str,
}

#[derive(Serialize)]
struct JsonExcluded {
    missing_score: u64,
    missing_reference: u64,
}

#[derive(Serialize)]
struct JsonSet<'a> {
    rows: u64,
    n: u64,
    n_positive: u64,
    n_negative: u64,
    n_excluded: u64,
    excluded: JsonExcluded,
    prevalence: Option<f64>,
    prevalence_ci: Option<[f64; 2]>,
    auc: Option<f64>,
    auc_ci: Option<[f64; 2]>,
    auc_se: Option<f64>,
    optimal: Vec<JsonOptimal>,
    closest_to_corner: Vec<JsonOptimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_sensitivity: Option<JsonTarget>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bootstrap: Option<JsonBootstrap>,
    prespecified: Vec<JsonCutoff>,
    cutoffs: Lazy<'a, CutoffRow, JsonCutoff>,
    distribution: LazyDistribution<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<JsonComparison<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// A list serialised one element at a time, so that the JSON of a million
/// cutoffs is streamed rather than built in memory first.
struct Lazy<'a, T, J>(&'a [T], fn(&T) -> J);

impl<T, J: Serialize> Serialize for Lazy<'_, T, J> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(self.1))
    }
}

/// The score distribution, serialised one score at a time.
struct LazyDistribution<'a>(Option<&'a ScoreCounts>);

impl Serialize for LazyDistribution<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(d) = self.0 else {
            return serializer.collect_seq(std::iter::empty::<JsonDistribution>());
        };
        serializer.collect_seq((0..d.len()).map(|i| JsonDistribution {
            score: d.values()[i],
            cases: d.cases()[i],
            non_cases: d.controls()[i],
        }))
    }
}

#[derive(Serialize)]
struct JsonOptimal {
    cutoff: f64,
    sensitivity: Option<f64>,
    specificity: Option<f64>,
    youden: f64,
    distance: f64,
    tp: u64,
    fp: u64,
    tn: u64,
    #[serde(rename = "fn")]
    fn_: u64,
}

#[derive(Serialize)]
struct JsonTarget {
    target: f64,
    cutoff: Option<JsonOptimal>,
}

#[derive(Serialize)]
struct JsonFrequency {
    cutoff: f64,
    count: u64,
}

#[derive(Serialize)]
struct JsonBootstrap {
    replicates: usize,
    seed: u64,
    resampling: &'static str,
    interval: &'static str,
    cutoff_ci: [f64; 2],
    sensitivity_ci: [f64; 2],
    specificity_ci: [f64; 2],
    youden_ci: [f64; 2],
    auc_ci: [f64; 2],
    cutoff_frequencies: Vec<JsonFrequency>,
}

#[derive(Serialize)]
struct JsonDistribution {
    score: f64,
    cases: u64,
    non_cases: u64,
}

#[derive(Serialize)]
struct JsonCutoff {
    cutoff: f64,
    observed: bool,
    tp: u64,
    fp: u64,
    tn: u64,
    #[serde(rename = "fn")]
    fn_: u64,
    sensitivity: Option<f64>,
    sensitivity_ci: Option<[f64; 2]>,
    specificity: Option<f64>,
    specificity_ci: Option<[f64; 2]>,
    ppv: Option<f64>,
    ppv_ci: Option<[f64; 2]>,
    npv: Option<f64>,
    npv_ci: Option<[f64; 2]>,
    lr_positive: Option<f64>,
    lr_positive_ci: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lr_positive_null_because: Option<&'static str>,
    lr_negative: Option<f64>,
    lr_negative_ci: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lr_negative_null_because: Option<&'static str>,
    youden: f64,
    accuracy: Option<f64>,
    accuracy_ci: Option<[f64; 2]>,
    screen_positive: Option<f64>,
}

#[derive(Serialize)]
struct JsonComparison<'a> {
    compare: &'a str,
    method: &'static str,
    n: u64,
    n_positive: u64,
    n_excluded: u64,
    auc: Option<f64>,
    auc_compare: Option<f64>,
    auc_difference: Option<f64>,
    ci: Option<[f64; 2]>,
    z: Option<f64>,
    p_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn pair(i: Interval) -> [f64; 2] {
    [i.lower, i.upper]
}

fn json_cutoff(r: &CutoffRow) -> JsonCutoff {
    let c = r.confusion;
    let (lrp_reason, lrn_reason) = (
        null_reason(
            &r.lr_positive,
            "infinite: no non-case screens positive (FP = 0)",
            "undefined: 0/0",
        ),
        null_reason(
            &r.lr_negative,
            "infinite: no non-case screens negative (TN = 0)",
            "undefined: 0/0",
        ),
    );
    JsonCutoff {
        cutoff: r.cutoff,
        observed: r.observed,
        tp: c.tp,
        fp: c.fp,
        tn: c.tn,
        fn_: c.fn_,
        sensitivity: r.sensitivity.estimate,
        sensitivity_ci: r.sensitivity.ci.map(pair),
        specificity: r.specificity.estimate,
        specificity_ci: r.specificity.ci.map(pair),
        ppv: r.ppv.estimate,
        ppv_ci: r.ppv.ci.map(pair),
        npv: r.npv.estimate,
        npv_ci: r.npv.ci.map(pair),
        lr_positive: r.lr_positive.value.finite(),
        lr_positive_ci: r.lr_positive.ci.map(pair),
        lr_positive_null_because: lrp_reason,
        lr_negative: r.lr_negative.value.finite(),
        lr_negative_ci: r.lr_negative.ci.map(pair),
        lr_negative_null_because: lrn_reason,
        youden: r.youden,
        accuracy: r.accuracy.estimate,
        accuracy_ci: r.accuracy.ci.map(pair),
        screen_positive: r.screen_positive.estimate,
    }
}

fn null_reason(
    lr: &LikelihoodRatio,
    infinite: &'static str,
    undefined: &'static str,
) -> Option<&'static str> {
    match lr.value {
        RatioValue::Finite(_) => None,
        RatioValue::Infinite => Some(infinite),
        RatioValue::Undefined => Some(undefined),
    }
}
