//! The ROC plot of a report, as SVG (`--plot`).

use std::io::Write;

use stepcare::accuracy::svg::{self, Curve, Marker, MarkerKind, RocPlot};
use stepcare::accuracy::{CutoffRow, delong, roc};

use super::Renderer;
use super::report::{Report, auc_text, fmt_number};

/// Writes the ROC curve of the whole sample (and of `--compare`) as SVG.
pub(super) struct Svg;

impl Renderer for Svg {
    fn render(&self, report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
        out.write_all(svg::render(&report.plot()).as_bytes())?;
        Ok(())
    }
}

impl Report {
    fn plot(&self) -> RocPlot {
        let direction = self.direction();
        let mut curves = Vec::new();
        let mut markers = Vec::new();
        if let Ok(a) = &self.overall.analysis {
            curves.push(Curve {
                legend: format!("{}: {}", self.score, auc_text(a.auc.auc, a.auc.ci)),
                points: roc::roc_points(&a.distribution, direction),
            });
            let point = |r: &CutoffRow| {
                (
                    1.0 - r.specificity.estimate.unwrap_or(0.0),
                    r.sensitivity.estimate.unwrap_or(0.0),
                )
            };
            for r in &a.prespecified {
                let (x, y) = point(r);
                markers.push(Marker {
                    x,
                    y,
                    label: format!("{} {}", direction.sign(), fmt_number(r.cutoff)),
                    kind: MarkerKind::Prespecified,
                });
            }
            for r in &a.youden_optimal {
                let (x, y) = point(r);
                markers.push(Marker {
                    x,
                    y,
                    label: format!("{} {}", direction.sign(), fmt_number(r.cutoff)),
                    kind: MarkerKind::Optimal,
                });
            }
        }
        if let (Some(name), Some(paired)) = (&self.compare, &self.overall.data.paired) {
            let second = paired.marginal_second();
            if let Some(est) = delong::auc_estimate(&second, direction) {
                curves.push(Curve {
                    legend: format!(
                        "{name} (n = {} with both scores): {}",
                        second.n(),
                        auc_text(est.auc, est.ci)
                    ),
                    points: roc::roc_points(&second, direction),
                });
            }
        }
        let a = self.overall.analysis.as_ref().ok();
        RocPlot {
            title: format!(
                "ROC: {} against {} = {} (n = {}, {} cases)",
                self.score,
                self.reference,
                self.positive,
                a.map_or(0, |a| a.n_cases + a.n_controls),
                a.map_or(0, |a| a.n_cases)
            ),
            curves,
            markers,
        }
    }
}
