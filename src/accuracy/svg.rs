//! A hand-written SVG drawing of one or two ROC curves.
//!
//! The output is plain deterministic text (fixed layout, coordinates with
//! two decimals, no timestamps), so it can be snapshot-tested. It is meant
//! to stay readable when printed in black and white: curves differ by dash
//! pattern as well as by shade, and cutoff markers differ by shape (filled
//! circle for pre-specified cutoffs, open square for data-driven optima).

use std::fmt::Write as _;

/// One ROC curve to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend text, e.g. "epds_total: AUC 0.91 (95% CI 0.85–0.97, DeLong)".
    pub legend: String,
    /// Points (1 − specificity, sensitivity) from (0, 0) to (1, 1).
    pub points: Vec<(f64, f64)>,
}

/// What a marked cutoff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// A cutoff fixed before looking at the data.
    Prespecified,
    /// A data-driven (Youden-optimal) cutoff.
    Optimal,
}

/// A cutoff marked on the first curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// 1 − specificity at the cutoff.
    pub x: f64,
    /// Sensitivity at the cutoff.
    pub y: f64,
    /// Label, e.g. "≥ 10".
    pub label: String,
    /// Its kind.
    pub kind: MarkerKind,
}

/// A complete ROC figure.
#[derive(Debug, Clone, PartialEq)]
pub struct RocPlot {
    /// Title above the plot.
    pub title: String,
    /// One or two curves; the first is solid black.
    pub curves: Vec<Curve>,
    /// Cutoffs marked on the first curve.
    pub markers: Vec<Marker>,
}

const LEFT: f64 = 70.0;
const TOP: f64 = 50.0;
const SIDE: f64 = 400.0;
const WIDTH: f64 = 640.0;
const LINE: f64 = 18.0;

/// Escapes text for use in SVG content and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(ch),
        }
    }
    out
}

fn px(x: f64) -> f64 {
    LEFT + x.clamp(0.0, 1.0) * SIDE
}

fn py(y: f64) -> f64 {
    TOP + (1.0 - y.clamp(0.0, 1.0)) * SIDE
}

/// Converts curve points to pixels, dropping points that coincide on the
/// 0.01-pixel grid and the inner points of vertical or horizontal runs, so
/// that a curve over millions of distinct scores stays a small file.
fn thin(points: &[(f64, f64)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for &(x, y) in points {
        let p = (format!("{:.2}", px(x)), format!("{:.2}", py(y)));
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 {
            let a = &out[out.len() - 2];
            let b = &out[out.len() - 1];
            if (a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1) {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

const CURVE_STYLES: [(&str, &str); 2] = [("#000000", "none"), ("#555555", "8 4")];

/// Renders the figure as a standalone SVG document.
pub fn render(plot: &RocPlot) -> String {
    let kinds = [MarkerKind::Prespecified, MarkerKind::Optimal]
        .iter()
        .filter(|k| plot.markers.iter().any(|m| m.kind == **k))
        .count();
    let legend_lines = plot.curves.len() + 1 + kinds;
    let height = TOP + SIDE + 60.0 + legend_lines as f64 * LINE + 10.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, "<title>{}</title>", escape(&plot.title));
    let _ = writeln!(
        s,
        "<desc>Empirical ROC curve: sensitivity against 1 - specificity for every observed cutoff.</desc>"
    );
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="24" text-anchor="middle" font-size="14" font-weight="bold">{}</text>"#,
        WIDTH / 2.0,
        escape(&plot.title)
    );
    // Grid, ticks and tick labels.
    for i in 0..=5 {
        let v = f64::from(i) / 5.0;
        let (x, y) = (px(v), py(v));
        let _ = writeln!(
            s,
            r##"<line x1="{x:.2}" y1="{TOP:.2}" x2="{x:.2}" y2="{:.2}" stroke="#dddddd" stroke-width="1"/>"##,
            TOP + SIDE
        );
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT:.2}" y1="{y:.2}" x2="{:.2}" y2="{y:.2}" stroke="#dddddd" stroke-width="1"/>"##,
            LEFT + SIDE
        );
        let _ = writeln!(
            s,
            r#"<text x="{x:.2}" y="{:.2}" text-anchor="middle">{v:.1}</text>"#,
            TOP + SIDE + 16.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{:.2}" text-anchor="end">{v:.1}</text>"#,
            LEFT - 6.0,
            y + 4.0
        );
    }
    // Frame and axis titles.
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT:.2}" y="{TOP:.2}" width="{SIDE:.2}" height="{SIDE:.2}" fill="none" stroke="#000000" stroke-width="1"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.2}" y="{:.2}" text-anchor="middle">1 - specificity (false-positive rate)</text>"#,
        LEFT + SIDE / 2.0,
        TOP + SIDE + 36.0
    );
    let _ = writeln!(
        s,
        r#"<text x="20" y="{:.2}" text-anchor="middle" transform="rotate(-90 20 {:.2})">Sensitivity (true-positive rate)</text>"#,
        TOP + SIDE / 2.0,
        TOP + SIDE / 2.0
    );
    // Chance diagonal.
    let _ = writeln!(
        s,
        r##"<line x1="{:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#888888" stroke-width="1" stroke-dasharray="2 4"/>"##,
        px(0.0),
        py(0.0),
        px(1.0),
        py(1.0)
    );
    // Curves, the first drawn last so it stays on top.
    for (i, curve) in plot.curves.iter().enumerate().rev() {
        let (colour, dash) = CURVE_STYLES[i.min(1)];
        let pts: Vec<String> = thin(&curve.points)
            .into_iter()
            .map(|(x, y)| format!("{x},{y}"))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}" points="{}"/>"#,
            pts.join(" ")
        );
    }
    // Markers: open squares for optima first, so that a pre-specified
    // cutoff that is also optimal shows as a dot inside a square.
    let mut ordered: Vec<&Marker> = plot
        .markers
        .iter()
        .filter(|m| m.kind == MarkerKind::Optimal)
        .collect();
    ordered.extend(
        plot.markers
            .iter()
            .filter(|m| m.kind == MarkerKind::Prespecified),
    );
    for marker in &ordered {
        let (x, y) = (px(marker.x), py(marker.y));
        match marker.kind {
            MarkerKind::Prespecified => {
                let _ = writeln!(
                    s,
                    r##"<circle cx="{x:.2}" cy="{y:.2}" r="4.5" fill="#000000" stroke="#ffffff" stroke-width="1"/>"##
                );
            }
            MarkerKind::Optimal => {
                let _ = writeln!(
                    s,
                    r##"<rect x="{:.2}" y="{:.2}" width="12" height="12" fill="#ffffff" stroke="#000000" stroke-width="1.5"/>"##,
                    x - 6.0,
                    y - 6.0
                );
            }
        }
    }
    // One label per marked point, staggered downwards where labels would
    // overprint.
    let mut labelled: Vec<(String, String)> = Vec::new();
    let mut placed: Vec<(f64, f64)> = Vec::new();
    for marker in &plot.markers {
        let (x, y) = (px(marker.x), py(marker.y));
        let key = (format!("{x:.2},{y:.2}"), marker.label.clone());
        if labelled.contains(&key) {
            continue;
        }
        labelled.push(key);
        let mut ly = y + 18.0;
        while placed
            .iter()
            .any(|&(px_, py_)| (px_ - x).abs() < 60.0 && (py_ - ly).abs() < 13.0)
        {
            ly += 13.0;
        }
        placed.push((x, ly));
        let _ = writeln!(
            s,
            r##"<text x="{:.2}" y="{ly:.2}" fill="#000000">{}</text>"##,
            x + 8.0,
            escape(&marker.label)
        );
    }
    // Legend.
    let mut y = TOP + SIDE + 62.0;
    for (i, curve) in plot.curves.iter().enumerate() {
        let (colour, dash) = CURVE_STYLES[i.min(1)];
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>"#,
            y - 4.0,
            LEFT + 30.0,
            y - 4.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{y:.2}">{}</text>"#,
            LEFT + 38.0,
            escape(&curve.legend)
        );
        y += LINE;
    }
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT:.2}" y1="{:.2}" x2="{:.2}" y2="{:.2}" stroke="#888888" stroke-width="1" stroke-dasharray="2 4"/>"##,
        y - 4.0,
        LEFT + 30.0,
        y - 4.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.2}" y="{y:.2}">Chance (AUC 0.5)</text>"#,
        LEFT + 38.0
    );
    y += LINE;
    if plot
        .markers
        .iter()
        .any(|m| m.kind == MarkerKind::Prespecified)
    {
        let _ = writeln!(
            s,
            r##"<circle cx="{:.2}" cy="{:.2}" r="4.5" fill="#000000" stroke="#ffffff" stroke-width="1"/>"##,
            LEFT + 15.0,
            y - 4.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{y:.2}">Pre-specified cutoff</text>"#,
            LEFT + 38.0
        );
        y += LINE;
    }
    if plot.markers.iter().any(|m| m.kind == MarkerKind::Optimal) {
        let _ = writeln!(
            s,
            r##"<rect x="{:.2}" y="{:.2}" width="12" height="12" fill="#ffffff" stroke="#000000" stroke-width="1.5"/>"##,
            LEFT + 9.0,
            y - 10.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.2}" y="{y:.2}">Youden-optimal cutoff (data-driven, exploratory)</text>"#,
            LEFT + 38.0
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_drops_collinear_and_duplicate_points() {
        let pts = [
            (0.0, 0.0),
            (0.0, 0.5),
            (0.0, 1.0),
            (0.5, 1.0),
            (1.0, 1.0),
            (1.0, 1.0),
        ];
        let thinned = thin(&pts);
        assert_eq!(
            thinned,
            vec![
                ("70.00".to_string(), "450.00".to_string()),
                ("70.00".to_string(), "50.00".to_string()),
                ("470.00".to_string(), "50.00".to_string()),
            ]
        );
    }

    #[test]
    fn escapes_text_and_is_deterministic() {
        let plot = RocPlot {
            title: "a < b & \"c\"".into(),
            curves: vec![Curve {
                legend: "x".into(),
                points: vec![(0.0, 0.0), (0.2, 0.7), (1.0, 1.0)],
            }],
            markers: vec![Marker {
                x: 0.2,
                y: 0.7,
                label: "≥ 3".into(),
                kind: MarkerKind::Optimal,
            }],
        };
        let a = render(&plot);
        assert_eq!(a, render(&plot));
        assert!(a.contains("a &lt; b &amp; &quot;c&quot;"));
        assert!(a.starts_with("<svg"));
        assert!(a.ends_with("</svg>\n"));
    }
}
