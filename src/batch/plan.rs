//! The batch plan, built once per file, and the row step that reads it.
//!
//! [`BatchPlan::new`] turns the header and the options into everything that
//! is the same on every row: the cell reader of every item (by points,
//! position or label), one [`Scorer`] per instrument, which instruments are
//! *plain* (neither age bands nor concern boxes: every item is read from its
//! column whatever the row says), the age and concern columns of the others,
//! the missing codes, the header's width, the columns that tell a REDCap
//! row of another form or event, and the column in which a reader of another
//! format (FHIR responses) explains a record it could not turn into cells.
//!
//! A row then takes two small steps:
//! - [`BatchPlan::prepare`], on the reading thread, reads the answers of
//!   the plain instruments next to the parsing;
//! - [`BatchPlan::score_row`], on the scoring thread, scores the plain
//!   instruments, sets aside the forms a REDCap row does not hold, reads
//!   the age and concern cells of the other instruments, chooses the age
//!   interval, reads only the items it asks, scores them, collects the row's
//!   issues and status, and compares any stored totals with the scores.
//!
//! Neither step allocates once the buffers in [`RowWork`] and [`Scratch`]
//! are warm, except to put an unusual problem into words.

use super::ages::{self, AgeColumns};
use super::stored::{self, StoredCheck, StoredTally};
use super::{BatchOptions, CellReader, Layout, RowIssue, columns};
use crate::instrument::age::ChildAge;
use crate::instrument::{AgeBanding, Instrument};
use crate::interop::redcap::ExportPlan;
use crate::scoring::{Answer, Context, InstrumentScore, Scorer, Status};

/// One row's answers and scores, per instrument; reused from row to row.
#[derive(Debug)]
pub(super) struct RowWork {
    pub answers: Vec<Vec<Answer>>,
    pub scores: Vec<InstrumentScore>,
}

/// Buffers of the scoring thread, reused from row to row.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// Per instrument and item, whether the row ticks its concern box.
    concerns: Vec<Vec<bool>>,
    /// Why the row is incomplete or invalid.
    pub issues: Vec<RowIssue>,
    /// Per instrument, whether the row holds its form (REDCap rows may not).
    applicable: Vec<bool>,
    /// Per instrument and scale, the stored value and its agreement (empty
    /// for an instrument without stored values).
    pub stored: Vec<Vec<StoredCheck>>,
    /// The comparisons of stored values so far: instrument, scale, tally.
    tallies: Vec<(usize, usize, StoredTally)>,
}

impl Scratch {
    /// The comparisons of stored values, one per scale that has them.
    pub fn take_tallies(&mut self) -> Vec<StoredTally> {
        std::mem::take(&mut self.tallies)
            .into_iter()
            .map(|(_, _, tally)| tally)
            .collect()
    }
}

/// Everything about a file that is the same on every row.
#[derive(Debug)]
pub(super) struct BatchPlan<'a> {
    instruments: &'a [&'a Instrument],
    scorers: Vec<Scorer<'a>>,
    /// Per instrument, one reader per item.
    readers: Vec<Vec<CellReader>>,
    /// Per instrument: its answers read on the reading thread.
    plain: Vec<bool>,
    /// Per instrument, its age and concern columns.
    age_columns: Vec<AgeColumns>,
    /// Cell values that mean "not answered", trimmed.
    missing_codes: Vec<Vec<u8>>,
    /// Fields in the header.
    width: usize,
    /// The form columns of a REDCap export, if the input is one.
    redcap: Option<ExportPlan>,
    /// The column of a reader's record problems, if the input has it.
    issue_column: Option<usize>,
}

impl<'a> BatchPlan<'a> {
    /// The plan of a file whose header gave `layout` and `age_columns`.
    pub fn new(
        instruments: &'a [&'a Instrument],
        options: &BatchOptions,
        layout: &Layout<'_>,
        age_columns: Vec<AgeColumns>,
    ) -> BatchPlan<'a> {
        let readers = instruments
            .iter()
            .map(|instrument| item_readers(instrument, options))
            .collect();
        let plain = instruments
            .iter()
            .map(|i| i.age_banding.is_none() && i.concerns.iter().all(Option::is_none))
            .collect();
        BatchPlan {
            instruments,
            scorers: instruments.iter().map(|i| Scorer::new(i)).collect(),
            readers,
            plain,
            age_columns,
            missing_codes: options
                .missing_codes
                .iter()
                .map(|c| c.trim().as_bytes().to_vec())
                .collect(),
            width: layout.headers.len(),
            redcap: ExportPlan::new(&layout.headers, instruments),
            issue_column: options
                .issue_column
                .as_ref()
                .and_then(|name| layout.headers.iter().position(|h| h == name)),
        }
    }

    /// Per instrument, one cell reader per item.
    pub fn readers(&self) -> &[Vec<CellReader>] {
        &self.readers
    }

    /// Fresh buffers for one row.
    pub fn new_work(&self) -> RowWork {
        RowWork {
            answers: self
                .instruments
                .iter()
                .map(|i| vec![Answer::Missing; i.items.len()])
                .collect(),
            scores: vec![InstrumentScore::default(); self.instruments.len()],
        }
    }

    /// Fresh buffers for the scoring thread.
    pub fn new_scratch(&self, layout: &Layout<'_>) -> Scratch {
        // Stored values: one check per scale of an instrument that has any.
        let stored = layout
            .stored
            .iter()
            .map(|scales| {
                if scales.iter().any(Option::is_some) {
                    vec![StoredCheck::default(); scales.len()]
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut tallies = Vec::new();
        for (slot, scales) in layout.stored.iter().enumerate() {
            for scale in (0..scales.len()).filter(|&scale| scales[scale].is_some()) {
                let instrument = self.instruments[slot];
                let name = format!("{}.{}", instrument.id, instrument.scales[scale].id);
                let tally = StoredTally {
                    scale: name,
                    ..Default::default()
                };
                tallies.push((slot, scale, tally));
            }
        }
        Scratch {
            concerns: self
                .instruments
                .iter()
                .map(|i| vec![false; i.items.len()])
                .collect(),
            issues: Vec::new(),
            applicable: vec![true; self.instruments.len()],
            stored,
            tallies,
        }
    }

    /// The reading thread's step: reads the answers of the plain instruments.
    ///
    /// Parsing and reading the cells cost about what scoring, the rest of
    /// the row step and writing the row cost, so the scoring is left to the
    /// other thread, which keeps the two busy alike.
    pub fn prepare(&self, layout: &Layout<'_>, record: &csv::ByteRecord, work: &mut RowWork) {
        for (slot, readers) in self.readers.iter().enumerate() {
            if !self.plain[slot] {
                continue;
            }
            let columns = &layout.columns.items[slot];
            let answers = &mut work.answers[slot];
            for ((answer, reader), &column) in answers.iter_mut().zip(readers).zip(columns) {
                *answer = reader.read(record.get(column).unwrap_or(b""), &self.missing_codes);
            }
        }
    }

    /// The scoring thread's step: finishes the row and gives its status; the
    /// reasons are left in `scratch.issues`.
    pub fn score_row(
        &self,
        layout: &Layout<'_>,
        record: &csv::ByteRecord,
        work: &mut RowWork,
        scratch: &mut Scratch,
    ) -> Status {
        scratch.issues.clear();
        let mut status = Status::Ok;
        if record.len() != self.width {
            scratch.issues.push(RowIssue::FieldCount {
                found: record.len(),
                expected: self.width,
            });
            status = Status::Invalid;
        }
        // A record the input's reader could not turn into cells: its reason
        // alone explains the row (no "items missing" for every scale).
        let record_problem = self.record_problem(record, &mut scratch.issues);
        if record_problem {
            status = Status::Invalid;
        }
        let mut not_applicable = 0;
        scratch.applicable.fill(true);
        for slot in 0..self.instruments.len() {
            if self.plain[slot] {
                let (answers, score) = (&work.answers[slot], &mut work.scores[slot]);
                self.scorers[slot].score_into(answers, Context::default(), score);
            }
            if self.not_applicable(layout, record, slot, work) {
                not_applicable += 1;
                scratch.applicable[slot] = false;
                continue;
            }
            let scored = if self.plain[slot] {
                let invalid = &work.scores[slot].invalid_items;
                self.invalid_cells(layout, slot, invalid, &mut scratch.issues);
                true
            } else {
                let (read, scored) = self.read_form(layout, record, slot, work, scratch);
                status = status.max(read);
                scored
            };
            let score = &work.scores[slot];
            let form = score.status();
            if form == Status::Incomplete && scored && !record_problem {
                unscored_scales(slot, score, &mut scratch.issues);
            }
            status = status.max(form);
        }
        if not_applicable > 0 && not_applicable == self.instruments.len() && status == Status::Ok {
            status = Status::NotApplicable;
        }
        self.check_stored(layout, record, work, scratch);
        status
    }

    /// Adds the reason of a record the input's reader could not turn into
    /// cells, if the row has one.
    fn record_problem(&self, record: &csv::ByteRecord, issues: &mut Vec<RowIssue>) -> bool {
        let Some(column) = self.issue_column else {
            return false;
        };
        let cell = record.get(column).unwrap_or(b"");
        if cell.is_empty() {
            return false;
        }
        issues.push(RowIssue::Other(String::from_utf8_lossy(cell).into_owned()));
        true
    }

    /// Whether the row is a REDCap row of another instrument or event, which
    /// is accounted for as not applicable; such a form's scores are blank.
    fn not_applicable(
        &self,
        layout: &Layout<'_>,
        record: &csv::ByteRecord,
        slot: usize,
        work: &mut RowWork,
    ) -> bool {
        let item_columns = &layout.columns.items[slot];
        if !self
            .redcap
            .as_ref()
            .is_some_and(|plan| plan.not_applicable(slot, record, item_columns))
        {
            return false;
        }
        if !self.plain[slot] {
            // Scores are reused from row to row: never leave another row's behind.
            work.answers[slot].fill(Answer::Missing);
            let (answers, score) = (&work.answers[slot], &mut work.scores[slot]);
            self.scorers[slot].score_into(answers, Context::default(), score);
        }
        true
    }

    /// Compares every stored total with the score, for the row and the tally.
    fn check_stored(
        &self,
        layout: &Layout<'_>,
        record: &csv::ByteRecord,
        work: &RowWork,
        scratch: &mut Scratch,
    ) {
        for (slot, scale, tally) in &mut scratch.tallies {
            let (slot, scale) = (*slot, *scale);
            if !scratch.applicable[slot] {
                scratch.stored[slot][scale] = StoredCheck::default();
                continue;
            }
            let column = layout.stored[slot][scale].unwrap_or(usize::MAX);
            let instrument = self.instruments[slot];
            let check = stored::check(
                record.get(column).unwrap_or(b""),
                &instrument.scales[scale],
                &work.scores[slot].scales[scale],
                &work.answers[slot],
                &instrument.items,
            );
            tally.add(&check);
            scratch.stored[slot][scale] = check;
        }
    }

    /// Adds an issue for every invalid answer of a plain instrument, from
    /// the `invalid` items its scorer listed (in item order).
    fn invalid_cells(
        &self,
        layout: &Layout<'_>,
        slot: usize,
        invalid: &[usize],
        issues: &mut Vec<RowIssue>,
    ) {
        for &item in invalid {
            issues.push(RowIssue::InvalidCell {
                instrument: slot,
                item,
                column: layout.columns.items[slot][item],
            });
        }
    }

    /// Reads and scores an instrument with age bands or concern boxes.
    ///
    /// Gives the status its cells alone set (invalid when a needed cell or
    /// column is wrong or absent), and whether it was scored at all (an
    /// age-banded form without an interval is not).
    fn read_form(
        &self,
        layout: &Layout<'_>,
        record: &csv::ByteRecord,
        slot: usize,
        work: &mut RowWork,
        scratch: &mut Scratch,
    ) -> (Status, bool) {
        let instrument = self.instruments[slot];
        let mut status = Status::Ok;
        // An age-banded instrument: the age chooses the interval, whose items alone are read.
        let (interval, age) = match &instrument.age_banding {
            None => (None, None),
            Some(banding) => self.interval(layout, record, slot, banding, &mut scratch.issues),
        };
        if instrument.age_banding.is_some() && interval.is_none() {
            status = Status::Invalid;
        }
        let asked = instrument
            .age_banding
            .as_ref()
            .map(|b| interval.map_or(&[][..], |i| &b.intervals[i].items[..]));
        let form = Form {
            layout,
            record,
            slot,
            interval,
            asked,
        };
        for item in 0..instrument.items.len() {
            let (answer, item_status) = self.read_item(&form, item, scratch);
            work.answers[slot][item] = answer;
            status = status.max(item_status);
        }
        let context = Context {
            concerns: &scratch.concerns[slot],
            interval,
            age,
        };
        self.scorers[slot].score_into(&work.answers[slot], context, &mut work.scores[slot]);
        (
            status,
            instrument.age_banding.is_none() || interval.is_some(),
        )
    }

    /// The row's age interval and age, or an issue saying why there is none.
    fn interval(
        &self,
        layout: &Layout<'_>,
        record: &csv::ByteRecord,
        slot: usize,
        banding: &AgeBanding,
        issues: &mut Vec<RowIssue>,
    ) -> (Option<usize>, Option<ChildAge>) {
        let instrument = self.instruments[slot];
        let columns = &self.age_columns[slot];
        match ages::row_interval(record, &layout.headers, instrument, banding, columns) {
            Ok((interval, age)) => (Some(interval), Some(age)),
            Err((age, message)) => {
                issues.push(RowIssue::Other(message));
                (None, age)
            }
        }
    }

    /// Reads one item of a form with age bands or concern boxes, and its concern box.
    fn read_item(&self, form: &Form<'_>, item: usize, scratch: &mut Scratch) -> (Answer, Status) {
        let slot = form.slot;
        let instrument = self.instruments[slot];
        let column = form.layout.columns.items[slot][item];
        scratch.concerns[slot][item] = false;
        if form.asked.is_some_and(|asked| !asked.contains(&item)) {
            return (Answer::Missing, Status::Ok);
        }
        // A column the row's questionnaire needs but the input lacks.
        let mut absent = form.asked.is_some() && column == usize::MAX;
        if absent {
            let interval = form.interval.and_then(|i| {
                let banding = instrument.age_banding.as_ref()?;
                Some(banding.intervals[i].id.as_str())
            });
            scratch.issues.push(RowIssue::Other(format!(
                "{}: the questionnaire for this age ({}) asks {}, but the input has no column for it",
                instrument.id,
                interval.unwrap_or(""),
                instrument.items[item].id
            )));
        }
        let mut status = if absent { Status::Invalid } else { Status::Ok };
        if instrument.concerns[item].is_some() {
            match self.read_concern(form, item, scratch) {
                Ok(()) => {}
                Err(column_absent) => {
                    status = Status::Invalid;
                    absent |= column_absent;
                }
            }
        }
        if absent {
            // Never scored without the column: the total would be too low.
            return (Answer::Invalid, status);
        }
        let cell = form.record.get(column).unwrap_or(b"");
        let answer = self.readers[slot][item].read(cell, &self.missing_codes);
        if answer == Answer::Invalid {
            scratch.issues.push(RowIssue::InvalidCell {
                instrument: slot,
                item,
                column,
            });
        }
        (answer, status)
    }

    /// Reads an item's concern box into `scratch`; an error adds an issue and
    /// tells whether it is the column that is absent (then the item is not scored).
    fn read_concern(
        &self,
        form: &Form<'_>,
        item: usize,
        scratch: &mut Scratch,
    ) -> Result<(), bool> {
        let slot = form.slot;
        let instrument = self.instruments[slot];
        match self.age_columns[slot].concerns[item] {
            Some(column) => {
                let cell = form.record.get(column).unwrap_or(b"");
                match ages::read_concern(cell, &self.missing_codes) {
                    Some(ticked) => {
                        scratch.concerns[slot][item] = ticked;
                        Ok(())
                    }
                    None => {
                        scratch.issues.push(RowIssue::Other(format!(
                            "column `{}`: `{}` is not a concern mark (yes/no, 1/0, x or blank)",
                            columns::visible(&form.layout.headers[column]),
                            columns::visible(String::from_utf8_lossy(cell).trim_matches(' '))
                        )));
                        Err(false)
                    }
                }
            }
            None if form.asked.is_some() => {
                let item = &instrument.items[item].id;
                scratch.issues.push(RowIssue::Other(format!(
                    "{}: the input has no concern column for {item} (such as {}.{item}.concern)",
                    instrument.id, instrument.id
                )));
                Err(true)
            }
            None => Ok(()),
        }
    }
}

/// One form in one row, as [`BatchPlan::read_item`] sees it.
struct Form<'r> {
    layout: &'r Layout<'r>,
    record: &'r csv::ByteRecord,
    slot: usize,
    interval: Option<usize>,
    /// For an age-banded form, the items its interval asks (none without one).
    asked: Option<&'r [usize]>,
}

/// The item readers of one instrument, with any extra label wording for it.
fn item_readers(instrument: &Instrument, options: &BatchOptions) -> Vec<CellReader> {
    instrument
        .items
        .iter()
        .map(|item| {
            let extra: Vec<(usize, String)> = options
                .extra_labels
                .iter()
                .filter(|(i, it, _, _)| *i == instrument.id && *it == item.id)
                .map(|(_, _, option, text)| (*option, text.clone()))
                .collect();
            CellReader::new(item, options.values, &extra)
        })
        .collect()
}

/// Adds an issue for every scale its missing-data policy leaves unscored.
fn unscored_scales(slot: usize, score: &InstrumentScore, issues: &mut Vec<RowIssue>) {
    for (scale, result) in score.scales.iter().enumerate() {
        if result.score.is_none() && result.invalid == 0 {
            issues.push(RowIssue::Unscored {
                instrument: slot,
                scale,
            });
        }
    }
}
