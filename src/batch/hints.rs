//! What a finished batch suggests about its input: an item whose cells are
//! mostly not answers (and the option that would read them), values that fit
//! printed positions better than points, and which critical items were left
//! unanswered.
//!
//! Kept apart from the scoring loop: a [`Watched`] sink looks at each row on
//! its way to the real sink, counting per item which option was chosen and
//! which distinct cells were not answers, and [`Hints::finish`] turns the
//! counts into sentences once the input has ended.

use std::io;

use super::{BatchOptions, CellReader, Layout, RowSink, ScoredRow};
use crate::instrument::{Instrument, Item, Scale, ValueKind};
use crate::scoring::{Answer, InstrumentScore};

/// Distinct cells that are not answers remembered per item; beyond that they
/// are counted only, and no hint is given that would depend on them.
const MAX_DISTINCT_INVALID: usize = 16;

/// Rows needed before values that are all valid points, yet never a point
/// that is no printed position (such as 0), are taken as evidence of positions.
const MIN_ROWS_FOR_POSITION_EVIDENCE: u64 = 10;

/// Answered cells needed, over the instrument, for the same evidence.
const MIN_CELLS_FOR_POSITION_EVIDENCE: u64 = 30;

/// Missing items named in a row's message; more are counted.
const MAX_ITEMS_NAMED: usize = 5;

/// What was seen in one item's column.
#[derive(Debug, Clone, Default)]
struct ItemTally {
    /// Cells read as each option, by option index.
    chosen: Vec<u64>,
    /// Cells that are not an answer.
    invalid: u64,
    /// The distinct cells that are not answers (trimmed), with their counts.
    invalid_cells: Vec<(Vec<u8>, u64)>,
    /// Cells that are not answers beyond [`MAX_DISTINCT_INVALID`] distinct ones.
    invalid_unlisted: u64,
}

/// What was seen for one instrument.
#[derive(Debug, Clone, Default)]
struct InstrumentTally {
    items: Vec<ItemTally>,
    /// Rows with at least one option chosen for the instrument.
    answered_rows: u64,
    /// Per urgent flag (by flag index), rows where its item was left
    /// unanswered or invalid on a form that was given, with no urgent flag raised.
    unknown_urgent: Vec<u64>,
}

/// Counts kept over a batch for the hints printed after it.
#[derive(Debug, Clone)]
pub struct Hints {
    values: ValueKind,
    missing_codes: Vec<String>,
    extra_labels: Vec<(String, String, usize, String)>,
    rows: u64,
    instruments: Vec<InstrumentTally>,
}

impl Hints {
    /// Empty counts for a batch read with `options`.
    pub fn new(options: &BatchOptions) -> Hints {
        Hints {
            values: options.values,
            missing_codes: options.missing_codes.clone(),
            extra_labels: options.extra_labels.clone(),
            rows: 0,
            instruments: Vec::new(),
        }
    }

    /// A sink that counts every row for the hints, then hands it to `sink`.
    pub fn watch<'a>(&'a mut self, sink: &'a mut dyn RowSink) -> Watched<'a> {
        Watched { hints: self, sink }
    }

    fn begin(&mut self, layout: &Layout<'_>) {
        self.rows = 0;
        self.instruments = layout
            .instruments
            .iter()
            .map(|instrument| InstrumentTally {
                items: instrument
                    .items
                    .iter()
                    .map(|item| ItemTally {
                        chosen: vec![0; item.options.len()],
                        ..ItemTally::default()
                    })
                    .collect(),
                answered_rows: 0,
                unknown_urgent: vec![0; instrument.flags.len()],
            })
            .collect();
    }

    fn observe(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) {
        self.rows += 1;
        let any_urgent = row
            .scores
            .iter()
            .zip(&layout.instruments)
            .any(|(score, instrument)| score.has_urgent_flag(instrument));
        for (slot, tally) in self.instruments.iter_mut().enumerate() {
            let (Some(answers), Some(columns)) =
                (row.answers.get(slot), layout.columns.items.get(slot))
            else {
                continue;
            };
            let mut answered = false;
            for (item, answer) in answers.iter().enumerate() {
                let Some(counts) = tally.items.get_mut(item) else {
                    continue;
                };
                match *answer {
                    Answer::Chosen(option) => {
                        answered = true;
                        if let Some(count) = counts.chosen.get_mut(usize::from(option)) {
                            *count += 1;
                        }
                    }
                    Answer::Invalid => {
                        counts.invalid += 1;
                        let cell = columns
                            .get(item)
                            .and_then(|&column| row.record.get(column))
                            .unwrap_or(b"")
                            .trim_ascii();
                        match counts.invalid_cells.iter().position(|(c, _)| c == cell) {
                            Some(known) => counts.invalid_cells[known].1 += 1,
                            None if counts.invalid_cells.len() < MAX_DISTINCT_INVALID => {
                                counts.invalid_cells.push((cell.to_vec(), 1));
                            }
                            None => counts.invalid_unlisted += 1,
                        }
                    }
                    Answer::Missing => {}
                }
            }
            if answered {
                tally.answered_rows += 1;
            }
            let (Some(score), Some(instrument)) =
                (row.scores.get(slot), layout.instruments.get(slot))
            else {
                continue;
            };
            if !any_urgent && !score.is_blank(instrument) {
                for (flag, count) in tally.unknown_urgent.iter_mut().enumerate() {
                    if instrument.flags[flag].urgent && score.flag_unknown(instrument, flag) {
                        *count += 1;
                    }
                }
            }
        }
    }

    /// The critical items (of urgent flags) left unanswered or invalid on a
    /// given form in rows without an urgent flag, as `instrument.item` with
    /// their row counts, most often first.
    pub fn unanswered_critical(&self, layout_instruments: &[&Instrument]) -> Vec<(String, u64)> {
        let mut named: Vec<(String, u64)> = Vec::new();
        for (tally, instrument) in self.instruments.iter().zip(layout_instruments) {
            for (flag, &count) in tally.unknown_urgent.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let name = format!(
                    "{}.{}",
                    instrument.id, instrument.items[instrument.flags[flag].item].id
                );
                match named.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, total)) => *total = (*total).max(count),
                    None => named.push((name, count)),
                }
            }
        }
        named.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        named
    }

    /// The hints, as sentences for people, once every row has been seen.
    pub fn finish(&self, instruments: &[&Instrument]) -> Vec<String> {
        let mut hints = Vec::new();
        for (tally, instrument) in self.instruments.iter().zip(instruments) {
            self.mostly_invalid(instrument, tally, instruments, &mut hints);
            if let Some(hint) = self.positions_or_points(instrument, tally) {
                hints.push(hint);
            }
        }
        hints
    }

    /// Items whose cells are not answers in most rows, grouped by what would
    /// make them answers.
    fn mostly_invalid(
        &self,
        instrument: &Instrument,
        tally: &InstrumentTally,
        all: &[&Instrument],
        hints: &mut Vec<String>,
    ) {
        // (advice, items, an example cell)
        let mut groups: Vec<(String, Vec<&str>, String)> = Vec::new();
        for (item, counts) in instrument.items.iter().zip(&tally.items) {
            if counts.invalid == 0 || counts.invalid * 2 <= self.rows {
                continue;
            }
            let advice = self.advice(instrument, item, counts, all);
            let example = counts
                .invalid_cells
                .iter()
                .max_by_key(|(_, n)| *n)
                .map(|(cell, _)| super::columns::visible(&String::from_utf8_lossy(cell)))
                .unwrap_or_default();
            match groups.iter_mut().find(|(a, _, _)| *a == advice) {
                Some((_, items, _)) => items.push(&item.id),
                None => groups.push((advice, vec![&item.id], example)),
            }
        }
        for (advice, items, example) in groups {
            hints.push(format!(
                "{}: most cells are not answers (for example `{example}`); {advice}",
                name_items(instrument, &items)
            ));
        }
    }

    /// What would make an item's cells answers: another value mode, a "not
    /// answered" code, both, or neither (then: what to check).
    fn advice(
        &self,
        instrument: &Instrument,
        item: &Item,
        counts: &ItemTally,
        all: &[&Instrument],
    ) -> String {
        let current = self.values;
        // Every distinct cell seen, with its count: the valid ones as the
        // current mode writes them, the invalid ones as they were.
        let mut cells: Vec<(Vec<u8>, u64)> = counts
            .chosen
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(option, n)| (cell_of(item, option, current), *n))
            .collect();
        cells.extend(counts.invalid_cells.iter().cloned());
        // With more distinct cells than were remembered, no reading can be promised.
        let unlisted = counts.invalid_unlisted > 0;
        let mut best: Option<(ValueKind, Vec<String>)> = None;
        for kind in [ValueKind::Points, ValueKind::Position, ValueKind::Label] {
            if unlisted {
                break;
            }
            let reader = self.reader(instrument, item, kind);
            let left: Vec<&[u8]> = cells
                .iter()
                .filter(|(cell, _)| !matches!(reader.read(cell, &[]), Answer::Chosen(_)))
                .map(|(cell, _)| cell.as_slice())
                .collect();
            // A few codes that no chosen item accepts in this mode could be "not answered".
            let codes: Option<Vec<String>> = (left.len() <= 2)
                .then(|| {
                    left.iter()
                        .map(|cell| {
                            let code = std::str::from_utf8(cell).ok()?.trim().to_owned();
                            (!code.is_empty()
                                && code.len() <= 16
                                && !code.contains(char::is_whitespace)
                                && !self.is_an_answer(&code, all))
                            .then_some(code)
                        })
                        .collect()
                })
                .flatten();
            let Some(codes) = codes else { continue };
            let changes = usize::from(kind != current) + codes.len();
            if changes == 0 {
                continue;
            }
            // Fewest changes to the command; on a tie, a value mode that reads
            // every cell rather than a code declared "not answered".
            let better = match &best {
                None => true,
                Some((k, c)) => {
                    (changes, codes.len()) < (usize::from(*k != current) + c.len(), c.len())
                }
            };
            if better {
                best = Some((kind, codes));
            }
        }
        match best {
            Some((kind, codes)) => {
                let mut options = Vec::new();
                if kind != current {
                    options.push(format!("--values {}", kind_name(kind)));
                }
                for code in &codes {
                    options.push(format!("--na {code}"));
                }
                let reading = match (kind != current, codes.is_empty()) {
                    (true, true) => format!("read as {}, every cell is an answer", kind_words(kind)),
                    (true, false) => format!(
                        "read as {}, every cell is an answer or {}",
                        kind_words(kind),
                        quoted_codes(&codes)
                    ),
                    _ => {
                        return format!(
                            "every other cell is an answer: if {} {} \"not answered\", run again with {}",
                            quoted_codes(&codes),
                            if codes.len() == 1 { "means" } else { "mean" },
                            options.join(" ")
                        );
                    }
                };
                let broken = self.broken_by(kind, all);
                if broken.is_empty() {
                    format!("{reading}: run again with {}", options.join(" "))
                } else {
                    // A file that mixes kinds of values: no one option reads it all.
                    format!(
                        "{reading}, but the answers of {broken} would then not be: the export mixes kinds of values, so make the columns alike first (then run again with {})",
                        options.join(" ")
                    )
                }
            }
            None => "no value mode (--values points, position or label) reads these cells as answers; check that the column is this item's (--map) and what the export holds".to_owned(),
        }
    }

    /// Items with answers in the mode read that `kind` would not read, named
    /// for a message (empty when there are none).
    fn broken_by(&self, kind: ValueKind, all: &[&Instrument]) -> String {
        let mut broken = Vec::new();
        for (tally, instrument) in self.instruments.iter().zip(all) {
            for (item, counts) in instrument.items.iter().zip(&tally.items) {
                let reader = self.reader(instrument, item, kind);
                let unread = counts.chosen.iter().enumerate().any(|(option, &n)| {
                    n > 0
                        && !matches!(
                            reader.read(&cell_of(item, option, self.values), &[]),
                            Answer::Chosen(_)
                        )
                });
                if unread {
                    broken.push(format!("{}.{}", instrument.id, item.id));
                }
            }
        }
        match broken.len() {
            0 => String::new(),
            1 => broken.remove(0),
            n @ 2..=3 => format!("{} and {}", broken[..n - 1].join(", "), broken[n - 1]),
            n => format!("{} and {} more items", broken[..3].join(", "), n - 3),
        }
    }

    /// A cell reader of `item` in `kind`, with any extra labels of the run.
    fn reader(&self, instrument: &Instrument, item: &Item, kind: ValueKind) -> CellReader {
        let extra: Vec<(usize, String)> = self
            .extra_labels
            .iter()
            .filter(|(i, it, _, _)| *i == instrument.id && *it == item.id)
            .map(|(_, _, option, text)| (*option, text.clone()))
            .collect();
        CellReader::new(item, kind, &extra)
    }

    /// Whether `code` is an answer to any item of the run in any value mode
    /// (points, a position or a label are never "not answered"), or already
    /// is a "not answered" code.
    fn is_an_answer(&self, code: &str, all: &[&Instrument]) -> bool {
        self.missing_codes
            .iter()
            .any(|c| c.trim().eq_ignore_ascii_case(code))
            || all.iter().any(|instrument| {
                instrument.items.iter().any(|item| {
                    [ValueKind::Points, ValueKind::Position, ValueKind::Label]
                        .into_iter()
                        .any(|kind| {
                            matches!(
                                self.reader(instrument, item, kind)
                                    .read(code.as_bytes(), &[]),
                                Answer::Chosen(_)
                            )
                        })
                })
            })
    }

    /// A warning when the values fit printed positions (1 to n) better than
    /// the points the run reads them as, or the other way round.
    ///
    /// The evidence is the instrument's answers as a whole: a value that only
    /// a position can be (such as 4 on a 0-3 item) next to none that only a
    /// point can be (0), or, with enough rows, no value that only a point
    /// can be at all. Screening populations answer the lowest option often,
    /// so many rows without a single 0 point to positions.
    fn positions_or_points(
        &self,
        instrument: &Instrument,
        tally: &InstrumentTally,
    ) -> Option<String> {
        let (read_as, other) = match self.values {
            ValueKind::Points => (ValueKind::Points, ValueKind::Position),
            ValueKind::Position => (ValueKind::Position, ValueKind::Points),
            ValueKind::Label => return None,
        };
        // Cells only the mode read can hold, cells only the other mode can hold.
        let (mut only_read, mut only_other, mut cells) = (0u64, 0u64, 0u64);
        let mut unlisted = false;
        let mut distinct = false;
        for (item, counts) in instrument.items.iter().zip(&tally.items) {
            let points: Vec<i64> = item.options.iter().map(|o| i64::from(o.points)).collect();
            let positions: Vec<i64> = (1..=item.options.len() as i64).collect();
            let mut sorted = points.clone();
            sorted.sort_unstable();
            if sorted != positions {
                distinct = true;
            }
            let (read_set, other_set) = match read_as {
                ValueKind::Points => (&points, &positions),
                _ => (&positions, &points),
            };
            for (option, &n) in counts.chosen.iter().enumerate() {
                cells += n;
                let value = match read_as {
                    ValueKind::Points => points[option],
                    _ => option as i64 + 1,
                };
                if !other_set.contains(&value) {
                    only_read += n;
                }
            }
            for (cell, n) in &counts.invalid_cells {
                let value = std::str::from_utf8(cell)
                    .ok()
                    .and_then(|t| t.trim().parse::<i64>().ok());
                if value.is_some_and(|v| other_set.contains(&v) && !read_set.contains(&v)) {
                    only_other += n;
                    cells += n;
                }
            }
            unlisted |= counts.invalid_unlisted > 0;
        }
        if !distinct || only_read > 0 || unlisted {
            return None;
        }
        let enough = tally.answered_rows >= MIN_ROWS_FOR_POSITION_EVIDENCE
            && cells >= MIN_CELLS_FOR_POSITION_EVIDENCE;
        if only_other == 0 && !enough {
            return None;
        }
        if only_other == 0 && read_as == ValueKind::Position {
            // Positions never at a value only points can be: no evidence either way.
            return None;
        }
        let range = |kind: ValueKind| -> String {
            let (low, high) = instrument
                .items
                .iter()
                .map(|item| match kind {
                    ValueKind::Points => {
                        (i64::from(item.min_points()), i64::from(item.max_points()))
                    }
                    _ => (1, item.options.len() as i64),
                })
                .fold((i64::MAX, i64::MIN), |(l, h), (a, b)| (l.min(a), h.max(b)));
            format!("{low}-{high}")
        };
        let seen = if only_other > 0 {
            format!(
                "{} a value that only {} can be, and none holds one that only {} can be",
                if only_other == 1 {
                    "1 cell holds".to_owned()
                } else {
                    format!("{only_other} cells hold")
                },
                kind_words(other),
                kind_words(read_as)
            )
        } else {
            format!(
                "in {} answered rows no cell holds a value that only {} can be (such as the lowest points)",
                tally.answered_rows,
                kind_words(read_as)
            )
        };
        Some(format!(
            "{}: {seen}: the values fit {} ({}) better than {} ({}); if the export holds {}, run again with --values {}, as its scores are wrong read this way",
            instrument.id,
            kind_words(other),
            range(other),
            kind_words(read_as),
            range(read_as),
            kind_words(other),
            kind_name(other)
        ))
    }
}

/// A sink that counts each row for [`Hints`] before passing it on.
pub struct Watched<'a> {
    hints: &'a mut Hints,
    sink: &'a mut dyn RowSink,
}

impl RowSink for Watched<'_> {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        self.hints.begin(layout);
        self.sink.begin(layout)
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        self.hints.observe(layout, row);
        self.sink.row(layout, row)
    }

    fn finish(&mut self) -> io::Result<()> {
        self.sink.finish()
    }
}

/// Writes which of a scale's items are missing, the critical ones (items of
/// urgent flags) first: ": q10 (critical), q3". Nothing when none is.
pub fn write_missing_items(
    instrument: &Instrument,
    score: &InstrumentScore,
    scale: &Scale,
    out: &mut dyn std::fmt::Write,
) -> std::fmt::Result {
    let critical = |item: usize| {
        instrument
            .flags
            .iter()
            .any(|flag| flag.urgent && flag.item == item)
    };
    let missing = || {
        scale
            .items
            .iter()
            .copied()
            .filter(|item| score.missing_items.contains(item))
    };
    let total = missing().count();
    if total == 0 {
        return Ok(());
    }
    let ordered = missing()
        .filter(|&item| critical(item))
        .chain(missing().filter(|&item| !critical(item)));
    for (n, item) in ordered.take(MAX_ITEMS_NAMED).enumerate() {
        out.write_str(if n == 0 { ": " } else { ", " })?;
        out.write_str(&instrument.items[item].id)?;
        if critical(item) {
            out.write_str(" (critical)")?;
        }
    }
    if total > MAX_ITEMS_NAMED {
        write!(out, " and {} more", total - MAX_ITEMS_NAMED)?;
    }
    Ok(())
}

/// `epds.q3`, `epds.q3 and epds.q5`, `epds.q3, epds.q5 and 6 more items`.
fn name_items(instrument: &Instrument, items: &[&str]) -> String {
    let names: Vec<String> = items
        .iter()
        .take(3)
        .map(|item| format!("{}.{item}", instrument.id))
        .collect();
    match items.len() {
        1 => names[0].clone(),
        2 | 3 => format!(
            "{} and {}",
            names[..names.len() - 1].join(", "),
            names[names.len() - 1]
        ),
        n => format!("{} and {} more items", names.join(", "), n - 3),
    }
}

/// How the current mode writes option `option` of `item` in a cell.
fn cell_of(item: &Item, option: usize, kind: ValueKind) -> Vec<u8> {
    match kind {
        ValueKind::Points => item.options[option].points.to_string().into_bytes(),
        ValueKind::Position => (option + 1).to_string().into_bytes(),
        ValueKind::Label => item.options[option]
            .label
            .get(crate::lang::Lang::En)
            .as_bytes()
            .to_vec(),
    }
}

fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Points => "points",
        ValueKind::Position => "position",
        ValueKind::Label => "label",
    }
}

fn kind_words(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Points => "points",
        ValueKind::Position => "printed positions",
        ValueKind::Label => "option labels",
    }
}

fn quoted_codes(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(" and ")
}
