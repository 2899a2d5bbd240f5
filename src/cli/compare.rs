//! `stepcare compare`: what changing a rule table would do, before changing it.
//!
//! Scores an export once, applies two rule tables to every row, and reports
//! for service planning: a cross-table of levels (rows under table A against
//! rows under table B), how many rows each referral target would receive
//! under each table, urgent counts, and which rules cause the moves.

use std::collections::BTreeMap;
use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use comfy_table::{Table, presets::ASCII_MARKDOWN};
use serde_json::json;

use super::UsageError;
use super::common::{CatalogArgs, resolve_lang};
use super::rules_arg::{load_rules, parse_sets};
use super::score::Values;
use stepcare::batch::care::MissingCareColumns;
use stepcare::batch::{BatchOptions, Layout, RowSink, ScoredRow, score_stream};
use stepcare::instrument::ValueKind;
use stepcare::lang::Lang;
use stepcare::rules::{DataValues, Decision, Outcome, Plan, RuleTable};

/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    /// Tables for reading (Markdown-compatible).
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `stepcare compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The two rule tables, current first: `--rules no-default --rules my-table.yaml`.
    #[arg(long = "rules", value_name = "ID|FILE", num_args = 1, required = true)]
    rules: Vec<String>,
    /// Instrument to score (repeatable).
    #[arg(long = "instrument", required = true, value_name = "ID")]
    instruments: Vec<String>,
    /// The export to score (CSV, or a workbook: .xlsx, .xlsm, .xlsb, .xls, .ods).
    #[arg(long, value_name = "FILE")]
    input: PathBuf,
    #[command(flatten)]
    sheet: super::common::SheetArgs,
    /// What the item cells hold.
    #[arg(long, value_enum, default_value_t = Values::Points)]
    values: Values,
    /// A data value for every row, for a column the tables read (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Also list every row that changes level, with this input column as its label.
    #[arg(long, value_name = "COLUMN")]
    list: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Text)]
    format: CompareFormat,
    /// Language of level names (nb, sv or en); from LANG when absent.
    #[arg(long)]
    lang: Option<Lang>,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[command(flatten)]
    fhir: super::interop_args::FhirInputArgs,
}

/// A level decision as a sortable key: the level number, or `None` for no level.
type LevelKey = Option<i64>;

#[derive(Debug, Default)]
struct Stats {
    rows: u64,
    cross: BTreeMap<(LevelKey, LevelKey), u64>,
    urgent: [u64; 2],
    /// Rows with at least one pending action, per table.
    pending: [u64; 2],
    referrals: [BTreeMap<String, u64>; 2],
    /// (rules deciding under A, under B, level A, level B) → rows.
    moves: BTreeMap<(String, String, LevelKey, LevelKey), u64>,
    /// Rows that move: (label, level A, level B, rules A, rules B).
    moved: Vec<(String, LevelKey, LevelKey, String, String)>,
}

struct CompareSink<'t> {
    tables: [&'t RuleTable; 2],
    constants: DataValues,
    plans: Vec<Plan>,
    list: Option<(String, Option<usize>)>,
    stats: Stats,
}

fn level_key(table: &RuleTable, outcome: &Outcome) -> LevelKey {
    match outcome.decision {
        Decision::Level(index) => Some(table.levels[index].number),
        _ => None,
    }
}

/// The ids of the rules that decided the level ("L2-1+L1-4"), or "-" when none did.
fn deciders(table: &RuleTable, outcome: &Outcome) -> String {
    let ids: Vec<&str> = outcome
        .deciders
        .iter()
        .map(|&r| table.rules[r].id.as_str())
        .collect();
    if ids.is_empty() {
        "-".to_owned()
    } else {
        ids.join("+")
    }
}

impl RowSink for CompareSink<'_> {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        if let Some((name, header)) =
            stepcare::rules::constants::constant_in_header(&self.constants, &layout.headers)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                stepcare::batch::care::SetOverridesColumn {
                    name,
                    header: header.to_owned(),
                },
            ));
        }
        for table in self.tables {
            let uncovered = table.uncovered_urgent_flags(&layout.instruments);
            if !uncovered.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "rule table `{}` does not list the instrument of the urgent flag(s) {}",
                        table.id,
                        uncovered.join(", ")
                    ),
                ));
            }
            let plan = Plan::new(table, &layout.instruments, &layout.headers, &self.constants)
                .map_err(|missing| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        MissingCareColumns {
                            table: table.id.clone(),
                            missing,
                            headers: layout.headers.clone(),
                        },
                    )
                })?;
            self.plans.push(plan);
        }
        if let Some((name, index)) = &mut self.list {
            *index = layout
                .headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name.trim()));
            if index.is_none() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("--list {name}: the input has no such column"),
                ));
            }
        }
        Ok(())
    }

    fn row(&mut self, _layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        let stats = &mut self.stats;
        stats.rows += 1;
        let record = row.record;
        let mut keys = [None, None];
        let mut rules = [String::new(), String::new()];
        for (side, (plan, table)) in self.plans.iter_mut().zip(self.tables).enumerate() {
            let outcome = plan.evaluate(table, row.scores, |c| record.get(c).unwrap_or(b""));
            keys[side] = level_key(table, outcome);
            rules[side] = deciders(table, outcome);
            if outcome.urgent {
                stats.urgent[side] += 1;
            }
            if !outcome.pending.is_empty() {
                stats.pending[side] += 1;
            }
            for &referral in &outcome.referrals {
                *stats.referrals[side]
                    .entry(table.referrals[referral].id.clone())
                    .or_default() += 1;
            }
        }
        *stats.cross.entry((keys[0], keys[1])).or_default() += 1;
        if keys[0] != keys[1] {
            *stats
                .moves
                .entry((rules[0].clone(), rules[1].clone(), keys[0], keys[1]))
                .or_default() += 1;
            if let Some((_, Some(index))) = &self.list {
                let label = String::from_utf8_lossy(record.get(*index).unwrap_or(b"")).into_owned();
                stats
                    .moved
                    .push((label, keys[0], keys[1], rules[0].clone(), rules[1].clone()));
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn show_level(level: LevelKey) -> String {
    level.map_or_else(|| "none".to_owned(), |l| l.to_string())
}

/// Runs `stepcare compare`.
pub fn run(args: CompareArgs) -> anyhow::Result<ExitCode> {
    if args.rules.len() != 2 {
        return Err(UsageError(format!(
            "compare needs exactly two --rules (current first, proposed second); got {}",
            args.rules.len()
        ))
        .into());
    }
    let catalog = args.catalog.load()?;
    let lang = resolve_lang(args.lang);
    let a = load_rules(&args.rules[0], &catalog)?;
    let b = load_rules(&args.rules[1], &catalog)?;
    let instruments = super::common::pick_instruments(&catalog, &args.instruments)?;
    let mut sink = CompareSink {
        tables: [&a, &b],
        constants: parse_sets(&args.set, &[&a, &b])?,
        plans: Vec::new(),
        list: args.list.clone().map(|name| (name, None)),
        stats: Stats::default(),
    };
    let opened = super::common::open_input(&args.input, args.sheet.sheet.as_deref())?;
    let mut options = BatchOptions {
        values: match args.values {
            Values::Points => ValueKind::Points,
            Values::Position => ValueKind::Position,
            Values::Label => ValueKind::Label,
        },
        origin: opened.origin,
        ..BatchOptions::default()
    };
    // FHIR responses are read as rows too (one per response).
    let fhir_input =
        super::interop_args::open_input(opened.reader, &instruments, &mut options, &args.fhir)?;
    let summary = score_stream(fhir_input.reader, &instruments, &options, &mut sink)
        .with_context(|| format!("scoring `{}`", args.input.display()))?;
    if let Some(report) = &fhir_input.report {
        // Records that were not responses are rows without a level: say why.
        if summary.invalid > 0 {
            eprintln!(
                "{} of {} FHIR record(s) could not be scored (not a response, not JSON, or an answer that is no option); `stepcare score` lists the reasons",
                summary.invalid, summary.rows
            );
        }
        let report = report.lock().unwrap_or_else(|e| e.into_inner());
        for line in report.lines() {
            eprintln!("{line}");
        }
    }
    let stats = sink.stats;
    match args.format {
        CompareFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&to_json(&a, &b, &stats))?
            );
        }
        CompareFormat::Text => print!("{}", to_text(&a, &b, &stats, &args, lang)),
    }
    Ok(ExitCode::SUCCESS)
}

fn to_json(a: &RuleTable, b: &RuleTable, stats: &Stats) -> serde_json::Value {
    let cross: Vec<_> = stats
        .cross
        .iter()
        .map(|((la, lb), rows)| json!({"a": la, "b": lb, "rows": rows}))
        .collect();
    let mut targets: Vec<&String> = stats.referrals[0]
        .keys()
        .chain(stats.referrals[1].keys())
        .collect();
    targets.sort();
    targets.dedup();
    let referrals: Vec<_> = targets
        .iter()
        .map(|t| {
            json!({
                "target": t,
                "a": stats.referrals[0].get(*t).copied().unwrap_or(0),
                "b": stats.referrals[1].get(*t).copied().unwrap_or(0),
            })
        })
        .collect();
    let moves: Vec<_> = stats
        .moves
        .iter()
        .map(|((ra, rb, la, lb), rows)| {
            json!({"a_rules": ra, "b_rules": rb, "a": la, "b": lb, "rows": rows})
        })
        .collect();
    json!({
        "rows": stats.rows,
        "a": a.id,
        "b": b.id,
        "levels": cross,
        "urgent": {"a": stats.urgent[0], "b": stats.urgent[1]},
        "pending": {"a": stats.pending[0], "b": stats.pending[1]},
        "referrals": referrals,
        "moves": moves,
    })
}

fn to_text(a: &RuleTable, b: &RuleTable, stats: &Stats, args: &CompareArgs, lang: Lang) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} of `{}` under two rule tables\n  A: {} ({})\n  B: {} ({})\n\n",
        stepcare::lang::count(stats.rows, "row", "rows"),
        args.input.display(),
        a.id,
        a.name.get(lang),
        b.id,
        b.name.get(lang)
    ));
    // Cross-table of levels.
    let mut levels: Vec<LevelKey> = a
        .levels
        .iter()
        .chain(&b.levels)
        .map(|l| Some(l.number))
        .collect();
    levels.push(None);
    levels.sort_by_key(|l| l.unwrap_or(i64::MAX));
    levels.dedup();
    let mut table = Table::new();
    table.load_style(ASCII_MARKDOWN);
    let mut header = vec!["A \\ B".to_owned()];
    header.extend(levels.iter().map(|l| format!("B {}", show_level(*l))));
    header.push("total".to_owned());
    table.set_header(header);
    for &la in &levels {
        let mut row = vec![format!("A {}", show_level(la))];
        let mut total = 0;
        for &lb in &levels {
            let n = stats.cross.get(&(la, lb)).copied().unwrap_or(0);
            total += n;
            row.push(n.to_string());
        }
        row.push(total.to_string());
        table.add_row(row);
    }
    let mut totals = vec!["total".to_owned()];
    for &lb in &levels {
        let n: u64 = stats
            .cross
            .iter()
            .filter(|((_, b), _)| *b == lb)
            .map(|(_, n)| n)
            .sum();
        totals.push(n.to_string());
    }
    totals.push(stats.rows.to_string());
    table.add_row(totals);
    out.push_str("Rows by level (A rows, B columns):\n");
    out.push_str(&format!("{table}\n\n"));
    let up: u64 = stats
        .cross
        .iter()
        .filter(|((la, lb), _)| matches!((la, lb), (Some(x), Some(y)) if y > x))
        .map(|(_, n)| n)
        .sum();
    let down: u64 = stats
        .cross
        .iter()
        .filter(|((la, lb), _)| matches!((la, lb), (Some(x), Some(y)) if y < x))
        .map(|(_, n)| n)
        .sum();
    let changed: u64 = stats.moves.values().sum();
    out.push_str(&format!(
        "{} level: {up} up, {down} down, {} to or from no level.\nUrgent: {} under A, {} under B.\nWith pending actions: {} under A, {} under B.\n\n",
        match changed {
            1 => "1 row changes".to_owned(),
            n => format!("{n} rows change"),
        },
        changed - up - down,
        stats.urgent[0],
        stats.urgent[1],
        stats.pending[0],
        stats.pending[1]
    ));
    // Referral targets.
    let mut targets: Vec<&String> = stats.referrals[0]
        .keys()
        .chain(stats.referrals[1].keys())
        .collect();
    targets.sort();
    targets.dedup();
    if !targets.is_empty() {
        let mut table = Table::new();
        table.load_style(ASCII_MARKDOWN);
        table.set_header(vec![
            "referral target",
            "rows under A",
            "rows under B",
            "change",
        ]);
        for target in targets {
            let na = stats.referrals[0].get(target).copied().unwrap_or(0);
            let nb = stats.referrals[1].get(target).copied().unwrap_or(0);
            table.add_row(vec![
                target.clone(),
                na.to_string(),
                nb.to_string(),
                format!("{:+}", nb as i64 - na as i64),
            ]);
        }
        out.push_str("Referral targets recommended (rows):\n");
        out.push_str(&format!("{table}\n\n"));
    }
    if !stats.moves.is_empty() {
        let mut table = Table::new();
        table.load_style(ASCII_MARKDOWN);
        table.set_header(vec![
            "level A -> B",
            "rules under A",
            "rules under B",
            "rows",
        ]);
        let mut moves: Vec<_> = stats.moves.iter().collect();
        moves.sort_by(|x, y| y.1.cmp(x.1).then_with(|| x.0.cmp(y.0)));
        for ((ra, rb, la, lb), rows) in moves {
            table.add_row(vec![
                format!("{} -> {}", show_level(*la), show_level(*lb)),
                ra.clone(),
                rb.clone(),
                rows.to_string(),
            ]);
        }
        out.push_str("What moves the rows (the rules that decide the level):\n");
        out.push_str(&format!("{table}\n"));
    }
    if let Some(column) = &args.list
        && !stats.moved.is_empty()
    {
        let mut table = Table::new();
        table.load_style(ASCII_MARKDOWN);
        table.set_header(vec![
            column.as_str(),
            "level A -> B",
            "rules under A",
            "rules under B",
        ]);
        for (label, la, lb, ra, rb) in &stats.moved {
            table.add_row(vec![
                label.clone(),
                format!("{} -> {}", show_level(*la), show_level(*lb)),
                ra.clone(),
                rb.clone(),
            ]);
        }
        out.push_str(&format!("\nRows that change level:\n{table}\n"));
    }
    out.push_str(
        "\nPlanning aid only: a table recommends, the clinician decides, and stepcare refers no one.\n",
    );
    out
}
