//! The report as CSV, one row per cutoff and group (`--format csv`).

use std::io::Write;

use stepcare::accuracy::{CutoffRow, LikelihoodRatio, Proportion, RatioValue};

use super::Renderer;
use super::report::{Report, fmt_number};

/// Writes every cutoff of every set as one CSV row.
pub(super) struct Csv;

impl Renderer for Csv {
    fn render(&self, report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
        report.write_csv(out)
    }
}

impl Report {
    fn write_csv<W: Write>(&self, out: W) -> anyhow::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(CSV_HEADER)?;
        for (group, set) in self.sets() {
            let Ok(a) = &set.analysis else { continue };
            let mut rows: Vec<&CutoffRow> = a.rows.iter().collect();
            rows.extend(a.prespecified.iter().filter(|r| !r.observed));
            rows.sort_by(|x, y| x.cutoff.total_cmp(&y.cutoff));
            for r in rows {
                let c = r.confusion;
                let mut rec = vec![
                    group.unwrap_or("").to_string(),
                    fmt_number(r.cutoff),
                    r.observed.to_string(),
                    a.is_prespecified(r.cutoff).to_string(),
                    a.is_youden_optimal(r.cutoff).to_string(),
                    c.tp.to_string(),
                    c.fp.to_string(),
                    c.tn.to_string(),
                    c.fn_.to_string(),
                ];
                for p in [&r.sensitivity, &r.specificity, &r.ppv, &r.npv] {
                    rec.extend(csv_proportion(p));
                }
                rec.extend(csv_ratio(&r.lr_positive));
                rec.extend(csv_ratio(&r.lr_negative));
                rec.push(csv_float(Some(r.youden)));
                rec.extend(csv_proportion(&r.accuracy));
                rec.push(csv_float(r.screen_positive.estimate));
                w.write_record(&rec)?;
            }
        }
        w.flush()?;
        Ok(())
    }
}

fn csv_float(v: Option<f64>) -> String {
    v.map_or(String::new(), fmt_number)
}

fn csv_proportion(p: &Proportion) -> [String; 3] {
    [
        csv_float(p.estimate),
        csv_float(p.ci.map(|c| c.lower)),
        csv_float(p.ci.map(|c| c.upper)),
    ]
}

fn csv_ratio(lr: &LikelihoodRatio) -> [String; 3] {
    let value = match lr.value {
        RatioValue::Finite(v) => fmt_number(v),
        RatioValue::Infinite => "inf".to_string(),
        RatioValue::Undefined => String::new(),
    };
    [
        value,
        csv_float(lr.ci.map(|c| c.lower)),
        csv_float(lr.ci.map(|c| c.upper)),
    ]
}

/// Columns of the CSV output, one row per cutoff and group.
const CSV_HEADER: [&str; 32] = [
    "group",
    "cutoff",
    "observed",
    "prespecified",
    "youden_optimal",
    "tp",
    "fp",
    "tn",
    "fn",
    "sensitivity",
    "sensitivity_lower",
    "sensitivity_upper",
    "specificity",
    "specificity_lower",
    "specificity_upper",
    "ppv",
    "ppv_lower",
    "ppv_upper",
    "npv",
    "npv_lower",
    "npv_upper",
    "lr_positive",
    "lr_positive_lower",
    "lr_positive_upper",
    "lr_negative",
    "lr_negative_lower",
    "lr_negative_upper",
    "youden",
    "accuracy",
    "accuracy_lower",
    "accuracy_upper",
    "screen_positive",
];
