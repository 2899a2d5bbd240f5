//! Scoring: answers to scale scores, bands and critical-item flags.
//!
//! Rules applied, in this order, for each scale:
//! 1. An item with an invalid value makes every scale containing it unscorable
//!    (an invalid cell is never guessed at).
//! 2. If more items are missing than the scale's policy allows, or a required
//!    item is missing, the scale has no score.
//! 3. Otherwise the score is the sum (prorated if the policy says so) or the
//!    mean of the answered items, and its band is looked up.
//!
//! Flags are evaluated from every answer that is present and valid, whatever
//! happened to the scales: a missing or low total never hides a flag.
//!
//! Before any of this, a blank item that the form's skip instructions tell
//! the respondent to skip (AUDIT: items 2-3 after "never" on item 1) is
//! scored as the instruction says (see [`crate::instrument::Skip`]); it is
//! then neither missing nor invalid, and is listed in
//! [`InstrumentScore::skipped_items`].

use serde::Serialize;

use crate::instrument::age::ChildAge;
use crate::instrument::{Instrument, Scale, fmt_score};

/// One item's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    /// Not answered (a blank cell, a skipped question).
    #[default]
    Missing,
    /// The option at this 0-based printed position was chosen.
    Chosen(u8),
    /// A value that is not an option of the item.
    Invalid,
}

/// The overall status of a scored answer set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The row does not hold this form (a REDCap row of another instrument or event).
    #[serde(rename = "not_applicable")]
    NotApplicable,
    /// Every scale has a score.
    Ok,
    /// Some scale has no score because answers are missing.
    Incomplete,
    /// Some answer is not a valid option.
    Invalid,
}

impl Status {
    /// The lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotApplicable => "not_applicable",
            Status::Ok => "ok",
            Status::Incomplete => "incomplete",
            Status::Invalid => "invalid",
        }
    }
}

/// The result for one scale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScaleScore {
    /// The score, or `None` when the missing-data policy cannot compute one.
    pub score: Option<f64>,
    /// Index of the band the score falls in.
    pub band: Option<usize>,
    /// Items of the scale that were answered.
    pub answered: usize,
    /// Items of the scale that were not answered.
    pub missing: usize,
    /// Items of the scale with an invalid value.
    pub invalid: usize,
    /// Whether a required item was missing.
    pub required_missing: bool,
    /// Whether the score was prorated over missing items.
    pub prorated: bool,
    /// Without a score: the lowest and highest score the completed form
    /// could reach, from the answered items and the range of every missing
    /// or invalid one (`None` for an age-banded instrument, or with a score).
    pub bounds: Option<(f64, f64)>,
}

impl ScaleScore {
    /// Why there is no score, in one phrase; `None` when there is one.
    pub fn reason(&self, scale: &Scale) -> Option<String> {
        self.score.is_none().then(|| {
            let mut text = String::new();
            // Writing into a String cannot fail.
            let _ = self.write_reason(scale, &mut text);
            text
        })
    }

    /// Writes why there is no score (nothing when there is one).
    pub fn write_reason(&self, scale: &Scale, out: &mut dyn std::fmt::Write) -> std::fmt::Result {
        if self.score.is_some() {
            return Ok(());
        }
        let n = scale.items.len();
        if self.invalid > 0 {
            write!(out, "{} of {n} items have invalid values", self.invalid)
        } else if self.required_missing {
            out.write_str("a required item is missing")
        } else if scale.missing.max_missing == 0 {
            write!(out, "{} of {n} items missing (none may be)", self.missing)
        } else {
            write!(
                out,
                "{} of {n} items missing (at most {} may be)",
                self.missing, scale.missing.max_missing
            )
        }
    }
}

/// The result of scoring one instrument's answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstrumentScore {
    /// One result per scale, in the instrument's order.
    pub scales: Vec<ScaleScore>,
    /// Indices of the flags raised.
    pub flags: Vec<usize>,
    /// Indices of unanswered items.
    pub missing_items: Vec<usize>,
    /// Indices of items with invalid values.
    pub invalid_items: Vec<usize>,
    /// Indices of blank items scored by a skip instruction (not missing).
    pub skipped_items: Vec<usize>,
    /// For an age-banded instrument, the interval scored in (see [`Context`]).
    pub interval: Option<usize>,
    /// For an age-banded instrument, the child's age when it was given.
    pub age: Option<ChildAge>,
}

impl InstrumentScore {
    /// The status: invalid beats incomplete beats ok.
    pub fn status(&self) -> Status {
        if !self.invalid_items.is_empty() {
            Status::Invalid
        } else if self.scales.iter().any(|s| s.score.is_none()) {
            Status::Incomplete
        } else {
            Status::Ok
        }
    }

    /// The scales the scores belong to: the interval's own scales (with its
    /// band ranges) for an age-banded instrument, else the instrument's.
    pub fn scales_of<'i>(&self, instrument: &'i Instrument) -> &'i [Scale] {
        instrument
            .scales_in(self.interval)
            .unwrap_or(&instrument.scales)
    }

    /// Whether no item was answered at all (every asked item blank): the form
    /// was not given, so a rule table reads it as not screened.
    pub fn is_blank(&self, instrument: &Instrument) -> bool {
        // Without an age interval a child's answers are not read at all.
        if instrument.age_banding.is_some() && self.interval.is_none() {
            return false;
        }
        let asked = instrument
            .age_banding
            .as_ref()
            .zip(self.interval)
            .and_then(|(banding, i)| banding.intervals.get(i))
            .map_or(instrument.items.len(), |interval| interval.items.len());
        self.invalid_items.is_empty() && self.missing_items.len() >= asked
    }

    /// Whether flag `flag`'s item was left unanswered or has an invalid value,
    /// so the flag can be neither raised nor ruled out.
    pub fn flag_unknown(&self, instrument: &Instrument, flag: usize) -> bool {
        let item = instrument.flags[flag].item;
        self.missing_items.contains(&item) || self.invalid_items.contains(&item)
    }

    /// Whether any raised flag is marked urgent.
    pub fn has_urgent_flag(&self, instrument: &Instrument) -> bool {
        self.flags.iter().any(|&f| instrument.flags[f].urgent)
    }
}

/// What scoring may need besides the answers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// Per item, whether its concern box is ticked (empty: none is). A ticked
    /// box adds the item's concern points when the item is answered.
    pub concerns: &'a [bool],
    /// For an age-banded instrument, the interval (an index into its
    /// intervals) whose items and cutoffs apply. Without one, an age-banded
    /// instrument's scales have no score.
    pub interval: Option<usize>,
    /// The child's age, carried into the result for reports.
    pub age: Option<ChildAge>,
}

/// Scores `answers` with concern boxes and, for an age-banded instrument, an interval.
pub fn score_with(
    instrument: &Instrument,
    answers: &[Answer],
    context: Context<'_>,
) -> InstrumentScore {
    let mut result = InstrumentScore::default();
    score_into_with(instrument, answers, context, &mut result);
    result
}

/// Scores `answers` (one per item, in the instrument's order).
pub fn score(instrument: &Instrument, answers: &[Answer]) -> InstrumentScore {
    let mut result = InstrumentScore::default();
    score_into(instrument, answers, &mut result);
    result
}

/// Scores `answers` into `result`, reusing its buffers (no allocation once warm).
///
/// # Panics
/// If `answers` does not hold one answer per item; callers build it from the
/// same instrument.
pub fn score_into(instrument: &Instrument, answers: &[Answer], result: &mut InstrumentScore) {
    score_into_with(instrument, answers, Context::default(), result);
}

/// [`score_into`] with concern boxes and an interval (see [`Context`]).
///
/// For an age-banded instrument, only the interval's items count: answers to
/// other items are ignored, and missing or invalid items are those of the
/// interval.
///
/// # Panics
/// If `answers` does not hold one answer per item.
pub fn score_into_with(
    instrument: &Instrument,
    answers: &[Answer],
    context: Context<'_>,
    result: &mut InstrumentScore,
) {
    Scorer::new(instrument).score_into(answers, context, result);
}

/// An instrument prepared for scoring many answer sets (a batch).
///
/// It holds every option's points in one flat table, so that summing a scale
/// reads one small array instead of following item and option records. All
/// scoring goes through it; [`score`] and its siblings build one per call.
#[derive(Debug, Clone)]
pub struct Scorer<'a> {
    instrument: &'a Instrument,
    /// Where item `i`'s options start in `points`.
    offsets: Vec<usize>,
    /// Points of every option of every item, item by item in printed order.
    points: Vec<i32>,
    /// Points a ticked concern box adds, per item (0 without one).
    concern_points: Vec<i32>,
    /// Whether to work out the bounds of an unscored scale (plain instruments).
    bounded: bool,
    /// Whether the instrument has skip instructions (most have none, and
    /// then a blank item is simply missing).
    skips: bool,
    /// Per item, its least and its most points.
    extremes: Vec<(i32, i32)>,
}

impl<'a> Scorer<'a> {
    /// Prepares `instrument` for scoring.
    pub fn new(instrument: &'a Instrument) -> Scorer<'a> {
        let mut offsets = Vec::with_capacity(instrument.items.len());
        let mut points = Vec::new();
        for item in &instrument.items {
            offsets.push(points.len());
            points.extend(item.options.iter().map(|o| o.points));
        }
        let concern_points = (0..instrument.items.len())
            .map(|i| instrument.concerns.get(i).copied().flatten().unwrap_or(0))
            .collect();
        Scorer {
            instrument,
            offsets,
            points,
            concern_points,
            bounded: instrument.age_banding.is_none(),
            skips: !instrument.skips.is_empty(),
            extremes: instrument
                .items
                .iter()
                .map(|item| (item.min_points(), item.max_points()))
                .collect(),
        }
    }

    /// The instrument being scored.
    pub fn instrument(&self) -> &'a Instrument {
        self.instrument
    }

    /// Points of option `option` of item `item`.
    #[inline]
    fn points_of(&self, item: usize, option: u8) -> i32 {
        self.points[self.offsets[item] + usize::from(option)]
    }

    /// Scores `answers` into `result`, reusing its buffers (no allocation once warm).
    ///
    /// # Panics
    /// If `answers` does not hold one answer per item.
    pub fn score_into(
        &self,
        answers: &[Answer],
        context: Context<'_>,
        result: &mut InstrumentScore,
    ) {
        let instrument = self.instrument;
        assert_eq!(answers.len(), instrument.items.len(), "one answer per item");
        result.missing_items.clear();
        result.invalid_items.clear();
        result.skipped_items.clear();
        result.interval = context.interval;
        result.age = context.age;
        let asked = instrument
            .age_banding
            .as_ref()
            .zip(context.interval)
            .and_then(|(banding, i)| banding.intervals.get(i))
            .map(|interval| &interval.items[..]);
        for (index, answer) in answers.iter().enumerate() {
            if asked.is_some_and(|items| !items.contains(&index)) {
                continue;
            }
            match answer {
                Answer::Missing if self.skips && self.skipped(answers, index).is_some() => {
                    result.skipped_items.push(index);
                }
                Answer::Missing => result.missing_items.push(index),
                Answer::Invalid => result.invalid_items.push(index),
                Answer::Chosen(_) => {}
            }
        }
        result
            .scales
            .resize(instrument.scales.len(), ScaleScore::default());
        match instrument.scales_in(context.interval) {
            Some(scales) => {
                for (scale, out) in scales.iter().zip(result.scales.iter_mut()) {
                    *out = self.score_scale(scale, answers, context.concerns);
                }
            }
            None => result.scales.fill(ScaleScore::default()),
        }
        result.flags.clear();
        for (index, flag) in instrument.flags.iter().enumerate() {
            if let Answer::Chosen(option) = self.answer_at(answers, flag.item)
                && self.points_of(flag.item, option) >= flag.at_least
            {
                result.flags.push(index);
            }
        }
    }

    /// The answer item `index` is scored with: its own, or for a blank item
    /// that a skip instruction applies to, the option the instruction names.
    #[inline]
    fn answer_at(&self, answers: &[Answer], index: usize) -> Answer {
        match answers[index] {
            Answer::Missing if self.skips => {
                self.skipped(answers, index).unwrap_or(Answer::Missing)
            }
            answer => answer,
        }
    }

    /// The option a skip instruction scores blank item `index` as, if one applies.
    ///
    /// A deciding item may itself be filled in by an earlier skip, so this
    /// recurses through [`Self::answer_at`]; the loader guarantees that
    /// deciding items come before skipped ones, so the recursion ends.
    fn skipped(&self, answers: &[Answer], index: usize) -> Option<Answer> {
        self.instrument.skips.iter().find_map(|skip| {
            let &(_, option) = skip.skipped.iter().find(|(i, _)| *i == index)?;
            let mut total: i64 = 0;
            for &decider in &skip.when {
                match self.answer_at(answers, decider) {
                    Answer::Chosen(chosen) => total += i64::from(self.points_of(decider, chosen)),
                    Answer::Missing | Answer::Invalid => return None,
                }
            }
            (total == i64::from(skip.total)).then_some(Answer::Chosen(option))
        })
    }

    fn score_scale(&self, scale: &Scale, answers: &[Answer], concerns: &[bool]) -> ScaleScore {
        let mut out = ScaleScore::default();
        let mut sum: i64 = 0;
        for &index in &scale.items {
            match self.answer_at(answers, index) {
                Answer::Chosen(option) => {
                    out.answered += 1;
                    sum += i64::from(self.points_of(index, option));
                    if concerns.get(index).copied().unwrap_or(false) {
                        sum += i64::from(self.concern_points[index]);
                    }
                }
                Answer::Missing => {
                    out.missing += 1;
                    out.required_missing |= scale.missing.required.contains(&index);
                }
                Answer::Invalid => out.invalid += 1,
            }
        }
        if out.invalid > 0 || out.required_missing || out.missing > scale.missing.max_missing {
            if self.bounded {
                out.bounds = Some(self.completion_bounds(scale, answers, sum));
            }
            return out;
        }
        let n = scale.items.len();
        out.score = crate::instrument::reachable_score_from(scale, sum, out.answered, n);
        out.prorated =
            out.missing >= scale.missing.prorate_from.max(1) && scale.missing.prorate.is_some();
        out.band = out.score.and_then(|s| scale.band_of(s));
        out
    }
}

impl Scorer<'_> {
    /// The lowest and highest score of a completed form: the answered items'
    /// `sum`, plus each unanswered or invalid item at its least and at its most.
    fn completion_bounds(&self, scale: &Scale, answers: &[Answer], sum: i64) -> (f64, f64) {
        let (mut low, mut high) = (sum, sum);
        for &index in &scale.items {
            if !matches!(self.answer_at(answers, index), Answer::Chosen(_)) {
                let (least, most) = self.extremes[index];
                low += i64::from(least);
                high += i64::from(most);
            }
        }
        let (low, high) = (low as f64, high as f64);
        match scale.method {
            crate::instrument::ScaleMethod::Sum => (low, high),
            crate::instrument::ScaleMethod::Mean => {
                let n = scale.items.len().max(1) as f64;
                (low / n, high / n)
            }
        }
    }
}

/// A one-line account of a score for people: `14 (probable)` or `no score: 1 of 10 items missing`.
pub fn describe(scale: &Scale, result: &ScaleScore, lang: crate::lang::Lang) -> String {
    match result.score {
        Some(score) => {
            let band = result
                .band
                .map(|b| format!(" ({})", scale.bands[b].label.get(lang)))
                .unwrap_or_default();
            format!("{}{band}", fmt_score(score))
        }
        None => format!("no score: {}", result.reason(scale).unwrap_or_default()),
    }
}
