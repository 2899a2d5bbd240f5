//! Known-answer tests against published pROC and cutpointr results, and
//! property tests of the whole analysis.

use proptest::prelude::*;

use super::counts::PairedBuilder;
use super::input::{InputSpec, ScoreSource, read_dataset};
use super::*;

#[path = "../../tests/support/gpl_data.rs"]
mod gpl_data;
use gpl_data::absent;

/// The text of a data file of tests/data (checked with [`absent`] first).
fn data(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dataset(
    data: &str,
    score: &str,
    reference: &str,
    positive: &str,
    by: Option<&str>,
    compare: Option<&str>,
) -> input::Dataset {
    let mut spec = InputSpec {
        score: ScoreSource::Column(score.into()),
        reference: reference.into(),
        positive: positive.into(),
        by: by.map(Into::into),
        compare: compare.map(Into::into),
    };
    read_dataset(data.as_bytes(), &mut spec).expect("test data reads")
}

fn asah(score: &str) -> ScoreCounts {
    dataset(&data("aSAH.csv"), score, "outcome", "Poor", None, None)
        .overall
        .counts
}

fn assert_close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: got {actual:.15}, expected {expected:.15} (tolerance {tol:e})"
    );
}

// ---------------------------------------------------------------- pROC ----

#[test]
fn proc_auc_and_delong_variance() {
    if absent("aSAH.csv") {
        return;
    }
    // AUCs: xrobin/pROC tests/testthat/test-auc.R ("full auc works"):
    // wfns 0.823678861788618, ndka 0.611957994579946.
    // Variances: xrobin/pROC tests/testthat/test-var.R ("var with delong
    // works"): wfns 0.00146991470882363, ndka 0.0031908105493913,
    // s100b 0.00266868245717244.
    let cases = [
        (
            "wfns",
            Some(0.823_678_861_788_618),
            0.001_469_914_708_823_63,
        ),
        ("ndka", Some(0.611_957_994_579_946), 0.003_190_810_549_391_3),
        ("s100b", None, 0.002_668_682_457_172_44),
    ];
    for (score, auc, variance) in cases {
        let est = delong::auc_estimate(&asah(score), Direction::Higher).unwrap();
        if let Some(auc) = auc {
            assert_close(est.auc, auc, 1e-9, score);
        }
        assert_close(est.variance.unwrap(), variance, 1e-9, score);
    }
    // s100b AUC is printed as "Area under the curve: 0.7314"
    // (xrobin/pROC tests/testthat/print_output/r.s100b).
    let s100b = delong::auc_estimate(&asah("s100b"), Direction::Higher).unwrap();
    assert_close(s100b.auc, 0.7314, 5e-5, "s100b AUC");
}

#[test]
fn proc_delong_confidence_intervals() {
    if absent("aSAH.csv") {
        return;
    }
    // xrobin/pROC tests/testthat/test-ci.auc.R: expected.ci.auc for ndka is
    // c(0.501244999271703, 0.611957994579946, 0.722670989888189).
    let est = delong::auc_estimate(&asah("ndka"), Direction::Higher).unwrap();
    let ci = est.ci.unwrap();
    assert_close(ci.lower, 0.501_244_999_271_703, 1e-9, "ndka lower");
    assert_close(ci.upper, 0.722_670_989_888_189, 1e-9, "ndka upper");
    // Same file, "ci.auc works with a formula": females only,
    // c(0.5261398281, 0.6671428571, 0.8081458862).
    let female = dataset(
        &data("aSAH.csv"),
        "ndka",
        "outcome",
        "Poor",
        Some("gender"),
        None,
    );
    let (_, set) = female.groups.iter().find(|(g, _)| g == "Female").unwrap();
    let est = delong::auc_estimate(&set.counts, Direction::Higher).unwrap();
    let ci = est.ci.unwrap();
    assert_close(ci.lower, 0.526_139_828_1, 1e-10, "female ndka lower");
    assert_close(est.auc, 0.667_142_857_1, 1e-10, "female ndka auc");
    assert_close(ci.upper, 0.808_145_886_2, 1e-10, "female ndka upper");
    // The same test file checks that direction ">" on the negated score
    // gives the same interval.
    let negated = ScoreCounts::from_triples(
        asah("ndka")
            .values()
            .iter()
            .zip(asah("ndka").cases())
            .zip(asah("ndka").controls())
            .map(|((&v, &c), &d)| (-v, c, d))
            .collect(),
    );
    let low = delong::auc_estimate(&negated, Direction::Lower)
        .unwrap()
        .ci
        .unwrap();
    assert_close(
        low.lower,
        0.501_244_999_271_703,
        1e-9,
        "ndka lower, direction lower",
    );
}

#[test]
fn proc_paired_roc_test() {
    if absent("aSAH.csv") {
        return;
    }
    // xrobin/pROC tests/testthat/test-roc.test.R, "roc.test statistic and p
    // are as expected with defaults" (DeLong, paired, two-sided).
    let expected = [
        // (first, second, Z, p, CI lower, CI upper)
        (
            "wfns",
            "s100b",
            2.208_983_591_440_91,
            0.027_175_782_229_188_2,
            0.010_406_176_956_484_6,
            0.174_214_419_249_478,
        ),
        (
            "wfns",
            "ndka",
            2.797_775_918_689_04,
            0.005_145_579_706_910_98,
            0.063_401_170_933_987_6,
            0.360_040_563_483_356_6,
        ),
        (
            "ndka",
            "s100b",
            -1.390_770_025_735_58,
            0.164_295_175_223_054,
            -0.287_691_744_634_191_4,
            0.048_870_606_422_809_4,
        ),
    ];
    for (first, second, z, p, lower, upper) in expected {
        let ds = dataset(
            &data("aSAH.csv"),
            first,
            "outcome",
            "Poor",
            None,
            Some(second),
        );
        let test =
            delong::paired_test(ds.overall.paired.as_ref().unwrap(), Direction::Higher).unwrap();
        let what = format!("{first} vs {second}");
        assert_close(test.z.unwrap(), z, 1e-9, &what);
        assert_close(test.p_value.unwrap(), p, 1e-9, &what);
        let ci = test.ci.unwrap();
        assert_close(ci.lower, lower, 1e-9, &what);
        assert_close(ci.upper, upper, 1e-9, &what);
    }
    // "DeLong roc.test works when curves are identical": Z = 0, p = 1.
    let ds = dataset(
        &data("aSAH.csv"),
        "wfns",
        "outcome",
        "Poor",
        None,
        Some("wfns"),
    );
    let same = delong::paired_test(ds.overall.paired.as_ref().unwrap(), Direction::Higher).unwrap();
    assert_eq!(same.z, Some(0.0));
    assert_eq!(same.p_value, Some(1.0));
}

#[test]
fn proc_best_threshold_for_s100b() {
    if absent("aSAH.csv") {
        return;
    }
    // xrobin/pROC tests/testthat/test-coords.R: coords(r.s100b, "best") is
    // the threshold 0.205 (a midpoint; the same split as s100b >= 0.22),
    // with "tp 26 fp 14 tn 58 fn 15" ("coords returns the correct basic
    // values"), specificity 0.805555555555556 and sensitivity
    // 0.634146341463415 (helper-coords-expected.R).
    let analysis = analyse(asah("s100b"), &AnalysisOptions::default()).unwrap();
    assert_eq!(analysis.youden_optimal.len(), 1);
    let best = &analysis.youden_optimal[0];
    assert_eq!(best.cutoff, 0.22);
    assert_eq!(
        best.confusion,
        Confusion {
            tp: 26,
            fp: 14,
            tn: 58,
            fn_: 15
        }
    );
    assert_close(
        best.specificity.estimate.unwrap(),
        0.805_555_555_555_556,
        1e-12,
        "Sp",
    );
    assert_close(
        best.sensitivity.estimate.unwrap(),
        0.634_146_341_463_415,
        1e-12,
        "Se",
    );
    assert_close(
        best.accuracy.estimate.unwrap(),
        0.743_362_831_858_407,
        1e-12,
        "accuracy",
    );
    assert_close(
        best.npv.estimate.unwrap(),
        0.794_520_547_945_205,
        1e-12,
        "NPV",
    );
    assert_close(best.ppv.estimate.unwrap(), 0.65, 1e-12, "PPV");
    // pROC's "youden" column is Se + Sp (1.43970189701897 in
    // helper-coords-expected.R); J here is that minus one.
    assert_close(best.youden, 1.439_701_897_018_97 - 1.0, 1e-12, "J");
    // The s100b curve has 51 thresholds in pROC including -Inf and +Inf
    // (test-coords.R: dim 51 x 26), i.e. 50 distinct observed values.
    assert_eq!(analysis.rows.len(), 50);
}

// ----------------------------------------------------------- cutpointr ----

fn suicide_analysis(by: Option<&str>) -> (input::Dataset, AnalysisOptions) {
    let ds = dataset(&data("suicide.csv"), "dsi", "suicide", "yes", by, None);
    (ds, AnalysisOptions::default())
}

#[test]
fn cutpointr_suicide_overall() {
    if absent("suicide.csv") {
        return;
    }
    // Thie1e/cutpointr README.md, cutpointr(suicide, dsi, suicide):
    // optimal_cutpoint 2, sensitivity 0.888889, specificity 0.862903,
    // AUC 0.923779, acc 0.864662, youden 0.751792, prevalence 0.0676692;
    // summary: "Cutpoint 2: yes/yes 32, yes/no 68, no/yes 4, no/no 428",
    // n_pos 36, n_neg 496.
    let (ds, options) = suicide_analysis(None);
    let a = analyse(ds.overall.counts, &options).unwrap();
    assert_eq!((a.n_cases, a.n_controls), (36, 496));
    assert_eq!(a.youden_optimal.len(), 1);
    let best = &a.youden_optimal[0];
    assert_eq!(best.cutoff, 2.0);
    assert_eq!(
        best.confusion,
        Confusion {
            tp: 32,
            fp: 68,
            tn: 428,
            fn_: 4
        }
    );
    assert_close(best.sensitivity.estimate.unwrap(), 0.888_889, 5e-7, "Se");
    assert_close(best.specificity.estimate.unwrap(), 0.862_903, 5e-7, "Sp");
    assert_close(best.accuracy.estimate.unwrap(), 0.864_662, 5e-7, "acc");
    assert_close(best.youden, 0.751_792, 5e-7, "J");
    assert_close(a.auc.auc, 0.923_779, 5e-7, "AUC");
    assert_close(
        a.prevalence.estimate.unwrap(),
        0.067_669_2,
        5e-8,
        "prevalence",
    );
    // Closest to (0, 1) is the same cutoff here.
    assert_eq!(
        a.closest_to_corner
            .iter()
            .map(|r| r.cutoff)
            .collect::<Vec<_>>(),
        vec![2.0]
    );
}

#[test]
fn cutpointr_suicide_by_gender() {
    if absent("suicide.csv") {
        return;
    }
    // Thie1e/cutpointr README.md, "Separate subgroups",
    // cutpointr(suicide, dsi, suicide, gender):
    // female: cutpoint 2, acc 0.885204, sensitivity 0.925926,
    //   specificity 0.882192, AUC 0.944647, 2x2 25 / 43 / 2 / 322;
    // male: cutpoint 3, acc 0.842857, sensitivity 0.777778,
    //   specificity 0.847328, AUC 0.861747, 2x2 7 / 20 / 2 / 111.
    let (ds, options) = suicide_analysis(Some("gender"));
    let expected = [
        (
            "female",
            2.0,
            (25, 43, 322, 2),
            0.885_204,
            0.925_926,
            0.882_192,
            0.944_647,
        ),
        (
            "male",
            3.0,
            (7, 20, 111, 2),
            0.842_857,
            0.777_778,
            0.847_328,
            0.861_747,
        ),
    ];
    assert_eq!(ds.groups.len(), 2);
    for ((name, set), (g, cut, (tp, fp, tn, fn_), acc, se, sp, auc)) in
        ds.groups.iter().zip(expected)
    {
        assert_eq!(name, g);
        let a = analyse(set.counts.clone(), &options).unwrap();
        assert_eq!(a.youden_optimal.len(), 1, "{g}");
        let best = &a.youden_optimal[0];
        assert_eq!(best.cutoff, cut, "{g}");
        assert_eq!(best.confusion, Confusion { tp, fp, tn, fn_ }, "{g}");
        assert_close(best.accuracy.estimate.unwrap(), acc, 5e-7, g);
        assert_close(best.sensitivity.estimate.unwrap(), se, 5e-7, g);
        assert_close(best.specificity.estimate.unwrap(), sp, 5e-7, g);
        assert_close(a.auc.auc, auc, 5e-7, g);
    }
}

#[test]
fn suicide_sensitivity_target() {
    if absent("suicide.csv") {
        return;
    }
    // The most specific cutoff with sensitivity >= 0.90 is dsi >= 1:
    // Se 34/36, Sp 376/496 = 0.758065 (cutpointr's spec_constrain with
    // min_constrain = 0.9 picks the same; value from the shared reference
    // notes, checked here from the counts).
    let (ds, mut options) = suicide_analysis(None);
    options.min_sensitivity = Some(0.9);
    let a = analyse(ds.overall.counts, &options).unwrap();
    let row = a.min_sensitivity.unwrap().row.unwrap();
    assert_eq!(row.cutoff, 1.0);
    assert_eq!(
        row.confusion,
        Confusion {
            tp: 34,
            fp: 120,
            tn: 376,
            fn_: 2
        }
    );
    assert_close(row.specificity.estimate.unwrap(), 0.758_065, 5e-7, "Sp");
}

#[test]
fn bootstrap_of_suicide_is_reproducible() {
    if absent("suicide.csv") {
        return;
    }
    let (ds, mut options) = suicide_analysis(None);
    options.bootstrap = Some(BootstrapConfig {
        replicates: 500,
        seed: 2024,
    });
    let a = analyse(ds.overall.counts.clone(), &options).unwrap();
    let b = analyse(ds.overall.counts, &options).unwrap();
    let (a, b) = (a.bootstrap.unwrap(), b.bootstrap.unwrap());
    assert_eq!(a, b);
    // The sample optimum lies inside its bootstrap interval.
    assert!(a.cutoff.lower <= 2.0 && 2.0 <= a.cutoff.upper, "{a:?}");
    assert!(a.sensitivity.lower <= a.sensitivity.upper);
    assert!(a.auc.lower < 0.923_779 && 0.923_779 < a.auc.upper);
}

#[test]
fn prespecified_cutoffs_between_observed_scores() {
    if absent("suicide.csv") {
        return;
    }
    // 3.5 is not observed: it splits like 4 (higher) and is flagged.
    let (ds, mut options) = suicide_analysis(None);
    options.prespecified = vec![3.5, 4.0, 3.5];
    let a = analyse(ds.overall.counts, &options).unwrap();
    assert_eq!(a.prespecified.len(), 2);
    assert!(!a.prespecified[0].observed);
    assert!(a.prespecified[1].observed);
    assert_eq!(a.prespecified[0].confusion, a.prespecified[1].confusion);
}

// --------------------------------------------------------- properties ----

fn sample() -> impl Strategy<Value = Vec<(f64, bool)>> {
    prop::collection::vec(
        (
            prop_oneof![
                (0_i32..12).prop_map(f64::from),
                (0_i32..40).prop_map(|v| f64::from(v) / 4.0)
            ],
            any::<bool>(),
        ),
        2..60,
    )
    .prop_filter("needs cases and non-cases", |v| {
        v.iter().any(|x| x.1) && v.iter().any(|x| !x.1)
    })
}

fn brute_auc(obs: &[(f64, bool)]) -> f64 {
    let mut wins = 0.0;
    let mut pairs = 0.0;
    for &(x, cx) in obs {
        for &(y, cy) in obs {
            if cx && !cy {
                pairs += 1.0;
                wins += if x > y {
                    1.0
                } else if x == y {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    wins / pairs
}

/// Paired DeLong variance of the difference straight from the definition.
fn brute_paired_variance(obs: &[(f64, f64, bool)]) -> f64 {
    let psi = |x: f64, y: f64| {
        if x > y {
            1.0
        } else if x == y {
            0.5
        } else {
            0.0
        }
    };
    let cases: Vec<_> = obs.iter().filter(|o| o.2).collect();
    let controls: Vec<_> = obs.iter().filter(|o| !o.2).collect();
    let (m, n) = (cases.len() as f64, controls.len() as f64);
    let place = |sel: fn(&(f64, f64, bool)) -> f64| {
        let v10: Vec<f64> = cases
            .iter()
            .map(|c| controls.iter().map(|d| psi(sel(c), sel(d))).sum::<f64>() / n)
            .collect();
        let v01: Vec<f64> = controls
            .iter()
            .map(|d| cases.iter().map(|c| psi(sel(c), sel(d))).sum::<f64>() / m)
            .collect();
        (v10, v01)
    };
    let (a10, a01) = place(|o| o.0);
    let (b10, b01) = place(|o| o.1);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let cov = |x: &[f64], y: &[f64]| {
        let (mx, my) = (mean(x), mean(y));
        x.iter()
            .zip(y)
            .map(|(a, b)| (a - mx) * (b - my))
            .sum::<f64>()
            / (x.len() as f64 - 1.0)
    };
    (cov(&a10, &a10) + cov(&b10, &b10) - 2.0 * cov(&a10, &b10)) / m
        + (cov(&a01, &a01) + cov(&b01, &b01) - 2.0 * cov(&a01, &b01)) / n
}

proptest! {
    #[test]
    fn auc_matches_pairwise_definition(obs in sample()) {
        let counts = ScoreCounts::from_observations(obs.iter().copied());
        let auc = roc::auc(&counts, Direction::Higher).unwrap();
        prop_assert!((auc - brute_auc(&obs)).abs() < 1e-12);
    }

    #[test]
    fn reversed_score_mirrors_auc(obs in sample()) {
        let counts = ScoreCounts::from_observations(obs.iter().copied());
        let reversed = ScoreCounts::from_observations(obs.iter().map(|&(x, c)| (-x, c)));
        let a = roc::auc(&counts, Direction::Higher).unwrap();
        let b = roc::auc(&reversed, Direction::Higher).unwrap();
        prop_assert!((a + b - 1.0).abs() < 1e-12);
        // ... and so does flipping the direction.
        let c = roc::auc(&counts, Direction::Lower).unwrap();
        prop_assert!((a + c - 1.0).abs() < 1e-12);
    }

    #[test]
    fn auc_and_variance_invariant_under_monotone_maps(obs in sample()) {
        let counts = ScoreCounts::from_observations(obs.iter().copied());
        let base = delong::auc_estimate(&counts, Direction::Higher).unwrap();
        for f in [|x: f64| 3.0 * x + 7.0, |x: f64| x * x * x, |x: f64| (x / 3.0).exp()] {
            let mapped = ScoreCounts::from_observations(obs.iter().map(|&(x, c)| (f(x), c)));
            let est = delong::auc_estimate(&mapped, Direction::Higher).unwrap();
            prop_assert!((est.auc - base.auc).abs() < 1e-12);
            prop_assert_eq!(est.variance.is_some(), base.variance.is_some());
            if let (Some(a), Some(b)) = (est.variance, base.variance) {
                prop_assert!((a - b).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn table_is_monotone_and_complete(obs in sample()) {
        let counts = ScoreCounts::from_observations(obs.iter().copied());
        let n = obs.len() as u64;
        for dir in [Direction::Higher, Direction::Lower] {
            let a = analyse(counts.clone(), &AnalysisOptions { direction: dir, ..Default::default() }).unwrap();
            for row in &a.rows {
                prop_assert_eq!(row.confusion.n(), n);
                // Agrees with counting the observations directly.
                let tp = obs.iter().filter(|o| o.1 && dir.is_positive(o.0, row.cutoff)).count() as u64;
                prop_assert_eq!(row.confusion.tp, tp);
            }
            for w in a.rows.windows(2) {
                let (se0, se1) = (w[0].sensitivity.estimate.unwrap(), w[1].sensitivity.estimate.unwrap());
                let (sp0, sp1) = (w[0].specificity.estimate.unwrap(), w[1].specificity.estimate.unwrap());
                match dir {
                    Direction::Higher => prop_assert!(se1 <= se0 && sp1 >= sp0),
                    Direction::Lower => prop_assert!(se1 >= se0 && sp1 <= sp0),
                }
            }
        }
    }

    #[test]
    fn youden_optima_are_exactly_the_maximisers(obs in sample()) {
        let counts = ScoreCounts::from_observations(obs.iter().copied());
        let a = analyse(counts, &AnalysisOptions::default()).unwrap();
        // Compare J as exact rationals: (tp·N + tn·P) over P·N.
        let best = a.rows.iter().map(|r| r.confusion.youden_key()).max().unwrap();
        let expected: Vec<f64> = a.rows.iter().filter(|r| r.confusion.youden_key() == best).map(|r| r.cutoff).collect();
        let got: Vec<f64> = a.youden_optimal.iter().map(|r| r.cutoff).collect();
        prop_assert_eq!(got, expected);
        for r in &a.rows {
            prop_assert!(r.youden <= a.youden_optimal[0].youden + 1e-15);
        }
    }

    #[test]
    fn intervals_contain_estimates(obs in sample()) {
        let counts = ScoreCounts::from_observations(obs.iter().copied());
        for method in [CiMethod::Wilson, CiMethod::Exact] {
            let a = analyse(counts.clone(), &AnalysisOptions { ci_method: method, ..Default::default() }).unwrap();
            for row in &a.rows {
                for p in [row.sensitivity, row.specificity, row.ppv, row.npv, row.accuracy] {
                    if let (Some(e), Some(ci)) = (p.estimate, p.ci) {
                        prop_assert!(0.0 <= ci.lower && ci.lower <= e + 1e-12 && e <= ci.upper + 1e-12 && ci.upper <= 1.0);
                    }
                }
            }
            if let Some(ci) = a.auc.ci {
                prop_assert!(0.0 <= ci.lower && ci.lower <= a.auc.auc && a.auc.auc <= ci.upper && ci.upper <= 1.0);
            }
        }
    }

    #[test]
    fn paired_variance_matches_definition(
        obs in prop::collection::vec(((0_i32..8).prop_map(f64::from), (0_i32..30).prop_map(|v| f64::from(v) / 3.0), any::<bool>()), 4..40)
            .prop_filter("two of each class", |v| v.iter().filter(|x| x.2).count() >= 2 && v.iter().filter(|x| !x.2).count() >= 2)
    ) {
        let mut b = PairedBuilder::new();
        for &(x, y, c) in &obs {
            b.add(x, y, c);
        }
        let t = delong::paired_test(&b.finish(), Direction::Higher).unwrap();
        prop_assert!((t.variance - brute_paired_variance(&obs).max(0.0)).abs() < 1e-12);
        let first: Vec<(f64, bool)> = obs.iter().map(|o| (o.0, o.2)).collect();
        prop_assert!((t.auc_first - brute_auc(&first)).abs() < 1e-12);
    }
}
