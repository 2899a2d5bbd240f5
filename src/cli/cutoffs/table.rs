//! The report as tables and a summary for reading (`--format table`).

use std::io::Write;

use comfy_table::{CellAlignment, ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use stepcare::accuracy::{Analysis, CutoffRow};

use super::Renderer;
use super::report::*;

/// Writes the report as text for reading.
pub(super) struct TableText;

impl Renderer for TableText {
    fn render(&self, report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
        write!(out, "{}", report.table_text())?;
        Ok(())
    }
}

/// Most cutoffs shown in the default table; beyond it the table shows the
/// pre-specified cutoffs, the band boundaries and the optima (CSV and JSON
/// always list every cutoff).
const MAX_TABLE_CUTOFFS: usize = 40;

impl Report {
    fn table_text(&self) -> String {
        let mut s = String::new();
        let sign = self.direction().sign();
        s.push_str(&format!(
            "Cutoff validation: {} against {}\n",
            self.score, self.reference
        ));
        s.push_str(&format!("Screen positive: {} {sign} cutoff\n", self.score));
        let refs: Vec<String> = self
            .reference_values
            .iter()
            .map(|r| {
                format!(
                    "{:?} = {} ({})",
                    r.value,
                    if r.positive { "case" } else { "non-case" },
                    stepcare::lang::count(r.rows, "row", "rows")
                )
            })
            .collect();
        s.push_str(&format!(
            "Reference standard ({}): {}\n",
            self.reference,
            refs.join("; ")
        ));
        s.push_str(&format!(
            "Intervals: 95%; proportions {}, AUC DeLong, LR log method\n",
            self.options.ci_method.label()
        ));
        s.push_str(&format!("Rows read: {}\n", self.dataset_rows));
        for (group, set) in self.sets() {
            s.push('\n');
            if let Some(g) = group {
                let title = format!("Subgroup: {} = {g}", self.by.as_deref().unwrap_or(""));
                s.push_str(&format!("{title}\n{}\n", "=".repeat(title.chars().count())));
            }
            self.set_text(&mut s, set);
        }
        if !self.notes.is_empty() {
            s.push_str("\nNotes\n");
            for note in &self.notes {
                s.push_str(&format!("- {note}\n"));
            }
        }
        s
    }

    fn set_text(&self, s: &mut String, set: &SetReport) {
        let sign = self.direction().sign();
        let ex = set.data.excluded;
        let analysis = match &set.analysis {
            Ok(a) => a,
            Err(message) => {
                s.push_str(&format!(
                    "Rows: {} ({} excluded: {} missing score, {} missing reference). Not analysed: {message}.\n",
                    set.data.rows,
                    ex.total(),
                    ex.missing_score,
                    ex.missing_reference
                ));
                return;
            }
        };
        let a = analysis;
        s.push_str(&format!(
            "Analysed: {} ({} cases, {} non-cases; prevalence {}); excluded: {} ({} missing score, {} missing reference)\n",
            a.n_cases + a.n_controls,
            a.n_cases,
            a.n_controls,
            fmt_proportion(&a.prevalence),
            ex.total(),
            ex.missing_score,
            ex.missing_reference
        ));
        s.push_str(&format!("{}\n", auc_text(a.auc.auc, a.auc.ci)));

        if !a.prespecified.is_empty() {
            s.push_str("\nPre-specified cutoffs\n");
            s.push_str(&cutoff_table(&a.prespecified, sign, a, false).to_string());
            s.push('\n');
        }

        s.push_str("\nData-driven cutoffs (exploratory)\n");
        for r in &a.youden_optimal {
            s.push_str(&format!(
                "- Youden-optimal: {sign} {}  Se {}  Sp {}  J {:.3}  (TP {}, FP {}, FN {}, TN {})\n",
                fmt_number(r.cutoff),
                fmt_estimate(&r.sensitivity),
                fmt_estimate(&r.specificity),
                r.youden,
                r.confusion.tp,
                r.confusion.fp,
                r.confusion.fn_,
                r.confusion.tn
            ));
        }
        if a.youden_optimal.len() > 1 {
            s.push_str(&format!(
                "  ({} cutoffs tie exactly for the highest J; all are listed, none is preferred)\n",
                a.youden_optimal.len()
            ));
        }
        for r in &a.closest_to_corner {
            s.push_str(&format!(
                "- Closest to (0,1): {sign} {}  Se {}  Sp {}  distance {:.3}\n",
                fmt_number(r.cutoff),
                fmt_estimate(&r.sensitivity),
                fmt_estimate(&r.specificity),
                r.corner_distance
            ));
        }
        if let Some(target) = &a.min_sensitivity {
            match &target.row {
                Some(r) => s.push_str(&format!(
                    "- Highest specificity with Se >= {}: {sign} {}  Se {}  Sp {}\n",
                    fmt_number(target.target),
                    fmt_number(r.cutoff),
                    fmt_estimate(&r.sensitivity),
                    fmt_estimate(&r.specificity)
                )),
                None => s.push_str(&format!(
                    "- No cutoff reaches Se >= {}\n",
                    fmt_number(target.target)
                )),
            }
        }
        if let Some(b) = &a.bootstrap {
            s.push_str(&format!(
                "- Bootstrap ({} stratified resamples, seed {}), 95% percentile intervals: optimal cutoff {} to {}, Se {}, Sp {}, J {}, AUC {}\n",
                b.config.replicates,
                b.config.seed,
                fmt_number(b.cutoff.lower),
                fmt_number(b.cutoff.upper),
                fmt_range(b.sensitivity, |v| format!("{v:.3}")),
                fmt_range(b.specificity, |v| format!("{v:.3}")),
                fmt_range(b.youden, |v| format!("{v:.3}")),
                fmt_range(b.auc, |v| format!("{v:.3}"))
            ));
            let freq: Vec<String> = b
                .cutoff_frequencies
                .iter()
                .map(|(c, n)| format!("{sign} {}: {n}", fmt_number(*c)))
                .collect();
            s.push_str(&format!(
                "  optimal cutoff across resamples: {}\n",
                freq.join(", ")
            ));
        }

        if let Some(comparison) = &set.comparison {
            let other = self.compare.as_deref().unwrap_or("");
            s.push_str(&format!("\nComparison with {other} (paired DeLong test)\n"));
            match comparison {
                Ok(t) => {
                    s.push_str(&format!(
                        "Subjects with both scores: {} ({}); {} {other}\n",
                        t.n,
                        stepcare::lang::count(t.n_cases, "case", "cases"),
                        match set.data.missing_compare {
                            1 => "1 analysed row lacks".to_owned(),
                            n => format!("{n} analysed rows lack"),
                        }
                    ));
                    s.push_str(&format!(
                        "AUC {} {:.3} vs {other} {:.3}: difference {:.3} (95% CI {}), Z = {}, p = {}\n",
                        self.score,
                        t.auc_first,
                        t.auc_second,
                        t.difference,
                        t.ci.map_or("n/a".into(), |ci| format!("{:.3} to {:.3}", ci.lower, ci.upper)),
                        t.z.map_or("n/a".into(), |z| format!("{z:.3}")),
                        t.p_value.map_or("n/a".into(), fmt_p)
                    ));
                }
                Err(message) => s.push_str(&format!("Not tested: {message}\n")),
            }
        }

        if a.rows.len() <= MAX_TABLE_CUTOFFS {
            s.push_str("\nAll observed cutoffs\n");
            s.push_str(&cutoff_table(&a.rows, sign, a, true).to_string());
            s.push('\n');
        } else {
            // A table of every cutoff of a continuous score would run to
            // millions of lines: the screen shows the ones a reader acts on.
            let selected: Vec<CutoffRow> = a
                .rows
                .iter()
                .filter(|r| {
                    a.is_prespecified(r.cutoff)
                        || a.is_youden_optimal(r.cutoff)
                        || a.closest_to_corner.iter().any(|c| c.cutoff == r.cutoff)
                        || a.min_sensitivity
                            .as_ref()
                            .and_then(|t| t.row.as_ref())
                            .is_some_and(|t| t.cutoff == r.cutoff)
                })
                .cloned()
                .collect();
            s.push_str(&format!(
                "\nSelected cutoffs: the pre-specified ones, the band boundaries and the optima ({} of {} observed; --format csv or --format json lists every one)\n",
                selected.len(),
                a.rows.len()
            ));
            s.push_str(&cutoff_table(&selected, sign, a, true).to_string());
            s.push('\n');
            s.push_str(&format!(
                "\nScore distribution by reference standard: {} distinct scores ({} cases, {} non-cases); --format json lists it\n",
                a.distribution.len(),
                a.n_cases,
                a.n_controls
            ));
            return;
        }

        s.push_str("\nScore distribution by reference standard\n");
        let mut dist = new_table();
        dist.set_header(vec!["Score", "Cases", "Non-cases"]);
        let d = &a.distribution;
        for i in 0..d.len() {
            dist.add_row(vec![
                fmt_number(d.values()[i]),
                d.cases()[i].to_string(),
                d.controls()[i].to_string(),
            ]);
        }
        dist.add_row(vec![
            "Total".to_string(),
            a.n_cases.to_string(),
            a.n_controls.to_string(),
        ]);
        right_align(&mut dist, 0..3);
        s.push_str(&dist.to_string());
        s.push('\n');
    }
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    t
}

fn right_align(table: &mut Table, columns: std::ops::Range<usize>) {
    for i in columns {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn cutoff_table(rows: &[CutoffRow], sign: &str, a: &Analysis, mark: bool) -> Table {
    let mut t = new_table();
    let mut header = vec![
        "Cutoff",
        "TP",
        "FP",
        "FN",
        "TN",
        "Se (95% CI)",
        "Sp (95% CI)",
        "PPV (95% CI)",
        "NPV (95% CI)",
        "LR+ (95% CI)",
        "LR- (95% CI)",
        "J",
        "Acc",
        "Pos %",
    ];
    if mark {
        header.push("");
    }
    t.set_header(header);
    for r in rows {
        let c = r.confusion;
        let mut cells = vec![
            format!("{sign} {}", fmt_number(r.cutoff)),
            c.tp.to_string(),
            c.fp.to_string(),
            c.fn_.to_string(),
            c.tn.to_string(),
            fmt_proportion(&r.sensitivity),
            fmt_proportion(&r.specificity),
            fmt_proportion(&r.ppv),
            fmt_proportion(&r.npv),
            fmt_ratio(&r.lr_positive),
            fmt_ratio(&r.lr_negative),
            format!("{:.3}", r.youden),
            fmt_estimate(&r.accuracy),
            r.screen_positive
                .estimate
                .map_or("n/a".into(), |e| format!("{:.1}", e * 100.0)),
        ];
        if mark {
            let mut tags = Vec::new();
            if a.is_prespecified(r.cutoff) {
                tags.push("pre-specified");
            }
            if a.is_youden_optimal(r.cutoff) {
                tags.push("Youden max");
            }
            cells.push(tags.join(", "));
        }
        if !r.observed {
            cells[0].push_str(" *");
        }
        t.add_row(cells);
    }
    right_align(&mut t, 0..5);
    right_align(&mut t, 11..14);
    t
}
