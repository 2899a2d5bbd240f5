//! Building the parts of a definition that serve age-banded questionnaires:
//! concern boxes, the corrected-age rule, intervals and their cutoffs, and the
//! age of known-answer examples.

use std::collections::HashSet;

use super::super::age::{
    Age, AgeFacts, AgeInput, Correction, Date, EarlyRounding, GESTATION_WEEKS, Gestation,
};
use super::super::schema::{RawAgeBound, RawExample, RawInstrument, RawInterval};
use super::super::{
    AgeBanding, AgeWindow, Band, ExampleInterval, Instrument, Interval, Item, Scale,
};
use super::{BandSpan, Builder, fmt_score, one_of};
use crate::yaml::Spanned;

/// An example's concern boxes, interval, and expected interval, age and corrected age.
type ExampleExtras = (
    Vec<bool>,
    Option<ExampleInterval>,
    (Option<String>, Option<String>, Option<String>),
);

/// The days a window bound may have: an age in calendar months has at most 30.
const MAX_DAYS: u32 = 30;

impl Builder<'_> {
    /// The points each item's concern box adds (`None`: no box).
    pub(super) fn concerns(&mut self, raw: &RawInstrument) -> Vec<Option<i32>> {
        let check = |builder: &mut Self, points: &Spanned<i32>| {
            if points.value < 0 {
                builder
                    .error(points, "a concern box cannot take points away")
                    .expected = Some("0 (no concern box) or more".to_owned());
            }
            (points.value > 0).then_some(points.value)
        };
        let default = raw.concern.as_ref().and_then(|c| check(self, &c.points));
        raw.items
            .iter()
            .map(|item| match &item.concern {
                Some(concern) => check(self, &concern.points),
                None => default,
            })
            .collect()
    }

    /// The age rule and intervals, if the definition has intervals.
    pub(super) fn age_banding(
        &mut self,
        raw: &RawInstrument,
        items: &[Item],
        scales: &[Scale],
    ) -> Option<AgeBanding> {
        let Some(raw_intervals) = &raw.intervals else {
            if let Some(age) = &raw.age
                && let Some(correction) = &age.correction
            {
                self.error(
                    &correction.term_weeks,
                    "an age rule needs `intervals` (it chooses among them)",
                );
            }
            return None;
        };
        if raw_intervals.value.is_empty() {
            self.error(
                raw_intervals,
                "an age-banded instrument needs at least one interval",
            );
        }
        let correction = raw
            .age
            .as_ref()
            .and_then(|a| a.correction.as_ref())
            .map(|c| {
                if !(GESTATION_WEEKS.start() + 10..=*GESTATION_WEEKS.end())
                    .contains(&c.term_weeks.value)
                {
                    self.error(&c.term_weeks, "not a plausible term week")
                        .expected = Some("a week from 30 to 45, usually 40".to_owned());
                }
                if c.min_weeks_early.value == 0 || c.min_weeks_early.value > 20 {
                    self.error(&c.min_weeks_early, "not a plausible number of weeks early")
                        .expected = Some("a number of weeks from 1 to 20".to_owned());
                }
                if c.until_months.value == 0 {
                    self.error(&c.until_months, "the correction would never apply")
                        .expected = Some("a chronological age in months, such as 24".to_owned());
                }
                let rounding = match c.rounding.as_ref().map(|r| (r, r.value.as_str())) {
                    None | Some((_, "days")) => EarlyRounding::Days,
                    Some((_, "floor_weeks")) => EarlyRounding::FloorWeeks,
                    Some((_, "nearest_weeks")) => EarlyRounding::NearestWeeks,
                    Some((at, other)) => {
                        self.error(at, format!("unknown rounding `{other}`"))
                            .expected = Some("`days`, `floor_weeks` or `nearest_weeks`".to_owned());
                        EarlyRounding::Days
                    }
                };
                Correction {
                    term_weeks: c.term_weeks.value,
                    min_weeks_early: c.min_weeks_early.value,
                    until_months: c.until_months.value,
                    rounding,
                    source: c.source.clone(),
                }
            });
        let mut intervals = Vec::new();
        let mut seen = HashSet::new();
        for raw_interval in &raw_intervals.value {
            self.check_id(&raw_interval.id, "interval");
            if !seen.insert(raw_interval.id.value.clone()) {
                self.error(
                    &raw_interval.id,
                    format!("interval `{}` is defined twice", raw_interval.id.value),
                );
            }
            intervals.push(self.interval(raw_interval, items, scales));
        }
        // Windows must not overlap: then an age chooses at most one interval.
        let mut order: Vec<usize> = (0..intervals.len()).collect();
        order.sort_by_key(|&i| intervals[i].window.from);
        for pair in order.windows(2) {
            let (a, b) = (&intervals[pair[0]], &intervals[pair[1]]);
            if b.window.from <= a.window.to {
                let at = &raw_intervals.value[pair[1]].from.months;
                self.error(
                    at,
                    format!(
                        "the windows of intervals `{}` ({}) and `{}` ({}) overlap",
                        a.id, a.window, b.id, b.window
                    ),
                )
                .expected = Some(format!("`{}` to start after {}", b.id, a.window.to));
            }
        }
        Some(AgeBanding {
            intervals,
            correction,
        })
    }

    fn age_bound(&mut self, bound: &RawAgeBound) -> Age {
        let days = bound.days.as_ref().map_or(0, |d| {
            if d.value > MAX_DAYS {
                self.error(d, format!("{} days is more than a month", d.value))
                    .expected = Some(format!(
                    "0 to {MAX_DAYS} days (ages are in calendar months and days)"
                ));
            }
            d.value
        });
        Age::new(bound.months.value, days)
    }

    fn interval(&mut self, raw: &RawInterval, items: &[Item], scales: &[Scale]) -> Interval {
        let label = self.label(&raw.label, &format!("interval `{}`", raw.id.value));
        let window = AgeWindow {
            from: self.age_bound(&raw.from),
            to: self.age_bound(&raw.to),
        };
        if window.from > window.to {
            self.error(
                &raw.to.months,
                format!(
                    "interval `{}` ends ({}) before it starts ({})",
                    raw.id.value, window.to, window.from
                ),
            );
        }
        let mut asked = Vec::new();
        for id in &raw.items.value {
            if let Some(index) = self.item_ref(items, id) {
                if asked.contains(&index) {
                    self.error(id, format!("item `{}` is listed twice", id.value));
                } else {
                    asked.push(index);
                }
            }
        }
        if raw.items.value.is_empty() {
            self.error(&raw.items, "an interval needs at least one item");
        }
        for id in raw.cutoffs.value.keys() {
            if !scales.iter().any(|s| &s.id == id) {
                let known: Vec<&str> = scales.iter().map(|s| s.id.as_str()).collect();
                self.error(&raw.cutoffs, format!("unknown scale `{id}` in the cutoffs"))
                    .expected = Some(one_of(&known));
            }
        }
        let mut own_scales = Vec::new();
        for scale in scales {
            let indices: Vec<usize> = scale
                .items
                .iter()
                .copied()
                .filter(|i| asked.contains(i))
                .collect();
            if indices.is_empty() && !asked.is_empty() {
                self.error(
                    &raw.items,
                    format!(
                        "none of the items of scale `{}` is asked in interval `{}`",
                        scale.id, raw.id.value
                    ),
                );
            }
            let scale_id = Spanned {
                value: scale.id.clone(),
                referenced: raw.id.referenced,
                defined: raw.id.defined,
            };
            let missing = match &raw.missing {
                Some(missing) => {
                    self.missing(Some(missing), &scale_id, items, &indices, scale.method)
                }
                None => {
                    let mut inherited = scale.missing.clone();
                    inherited.required.retain(|i| indices.contains(i));
                    if inherited.max_missing >= indices.len().max(1) {
                        self.error(
                            &raw.items,
                            format!(
                                "scale `{}` allows {}, which leaves none of this interval's {} to score",
                                scale.id,
                                crate::lang::count(
                                    inherited.max_missing as u64,
                                    "missing item",
                                    "missing items"
                                ),
                                indices.len()
                            ),
                        )
                        .expected = Some("a `missing:` rule for this interval".to_owned());
                    }
                    inherited
                }
            };
            let mut own = Scale {
                id: scale.id.clone(),
                label: scale.label.clone(),
                items: indices,
                method: scale.method,
                missing,
                bands: Vec::new(),
                source: raw.source.clone().or_else(|| scale.source.clone()),
                codes: scale.codes.clone(),
                stored: scale.stored.clone(),
            };
            own.bands = self.zones(raw, scale, &own, items);
            own_scales.push(own);
        }
        Interval {
            id: raw.id.value.clone(),
            label,
            window,
            items: asked,
            scales: own_scales,
            source: raw.source.clone(),
        }
    }

    /// The bands of `scale` in one interval, from its monitoring zone and referral cutoff.
    fn zones(
        &mut self,
        raw: &RawInterval,
        scale: &Scale,
        own: &Scale,
        items: &[Item],
    ) -> Vec<Band> {
        let cutoffs = raw.cutoffs.value.get(&scale.id);
        let Some(cutoffs) = cutoffs else {
            if !scale.bands.is_empty() {
                self.error(
                    &raw.cutoffs,
                    format!(
                        "interval `{}` has no cutoffs for scale `{}`",
                        raw.id.value, scale.id
                    ),
                )
                .expected = Some(format!(
                    "`{}: {{monitoring: {{from: ..., to: ...}}, referral: ...}}`",
                    scale.id
                ));
            }
            return Vec::new();
        };
        if scale.bands.len() != 3 {
            self.error(
                &raw.cutoffs,
                format!(
                    "zone cutoffs need scale `{}` to have exactly three bands (below the monitoring zone, the monitoring zone, above the cutoff); it has {}",
                    scale.id,
                    scale.bands.len()
                ),
            );
            return Vec::new();
        }
        if own.items.is_empty() || own.items.iter().any(|&i| items[i].options.is_empty()) {
            return Vec::new();
        }
        let reachable = own.reachable_scores_with_concerns(items, &self.concerns);
        let (Some(&lowest), Some(&highest)) = (reachable.first(), reachable.last()) else {
            return Vec::new();
        };
        let monitoring = &cutoffs.monitoring;
        let referral = &cutoffs.referral;
        let mut ok = true;
        if monitoring.from.value > monitoring.to.value {
            self.error(
                &monitoring.to,
                format!(
                    "the monitoring zone ends ({}) before it starts ({})",
                    fmt_score(monitoring.to.value),
                    fmt_score(monitoring.from.value)
                ),
            );
            ok = false;
        }
        if monitoring.from.value <= lowest {
            self.error(
                &monitoring.from,
                format!(
                    "the monitoring zone starts at or below the lowest score {} of interval `{}`: no score would be below it",
                    fmt_score(lowest),
                    raw.id.value
                ),
            )
            .expected = Some(format!(
                "a start above {} (reachable: {}-{})",
                fmt_score(lowest),
                fmt_score(lowest),
                fmt_score(highest)
            ));
            ok = false;
        }
        if referral.value > highest {
            self.error(
                referral,
                format!(
                    "the referral cutoff {} is above the highest score {} of interval `{}`",
                    fmt_score(referral.value),
                    fmt_score(highest),
                    raw.id.value
                ),
            );
            ok = false;
        }
        if referral.value != monitoring.to.value + 1.0 {
            self.error(
                referral,
                format!(
                    "the referral cutoff {} does not follow the monitoring zone ({}-{})",
                    fmt_score(referral.value),
                    fmt_score(monitoring.from.value),
                    fmt_score(monitoring.to.value)
                ),
            )
            .expected = Some(format!(
                "{}: the score right after the monitoring zone",
                fmt_score(monitoring.to.value + 1.0)
            ));
            ok = false;
        }
        let band = |index: usize, from: f64, to: f64| Band {
            id: scale.bands[index].id.clone(),
            from,
            to,
            label: scale.bands[index].label.clone(),
        };
        let bands = vec![
            band(0, lowest, monitoring.from.value - 1.0),
            band(1, monitoring.from.value, monitoring.to.value),
            band(2, referral.value, highest),
        ];
        if ok {
            let spans = [
                BandSpan {
                    from: monitoring.from.clone(),
                    to: monitoring.from.clone(),
                },
                BandSpan {
                    from: monitoring.from.clone(),
                    to: monitoring.to.clone(),
                },
                BandSpan {
                    from: referral.clone(),
                    to: referral.clone(),
                },
            ];
            self.check_coverage(&bands, &spans, &scale.id, &reachable);
        }
        bands
    }

    /// The concern boxes, interval and expected age of one example.
    pub(super) fn example_extras(
        &mut self,
        example: &RawExample,
        instrument: &Instrument,
    ) -> ExampleExtras {
        let mut concerns = vec![false; instrument.items.len()];
        for id in &example.concerns {
            if let Some(index) = self.item_ref(&instrument.items, id) {
                if instrument.concerns[index].is_none() {
                    self.error(id, format!("item `{}` has no concern box", id.value));
                }
                concerns[index] = true;
            }
        }
        let expect = &example.expect;
        let expect_age = (
            expect.interval.as_ref().map(|s| s.value.clone()),
            expect.age.as_ref().map(|s| s.value.clone()),
            expect.corrected_age.as_ref().map(|s| s.value.clone()),
        );
        let Some(banding) = &instrument.age_banding else {
            let stray = [
                &example.interval,
                &example.birth_date,
                &example.screening_date,
                &example.gestational_weeks,
                &example.age_months,
                &expect.interval,
                &expect.age,
                &expect.corrected_age,
            ];
            if let Some(at) = stray.into_iter().flatten().next() {
                self.error(
                    at,
                    "only examples of an age-banded instrument have an age or interval",
                );
            }
            return (concerns, None, expect_age);
        };
        if let Some(id) = &expect.interval
            && banding.interval_index(&id.value).is_none()
        {
            let known: Vec<&str> = banding.intervals.iter().map(|i| i.id.as_str()).collect();
            self.error(id, format!("unknown interval `{}`", id.value))
                .expected = Some(one_of(&known));
        }
        if let Some(given) = &example.interval {
            return match banding.interval_index(&given.value) {
                Some(index) => (concerns, Some(ExampleInterval::Given(index)), expect_age),
                None => {
                    let known: Vec<&str> =
                        banding.intervals.iter().map(|i| i.id.as_str()).collect();
                    self.error(given, format!("unknown interval `{}`", given.value))
                        .expected = Some(one_of(&known));
                    (concerns, None, expect_age)
                }
            };
        }
        let gestation = example.gestational_weeks.as_ref().and_then(|g| {
            Gestation::parse(&g.value)
                .map_err(|message| {
                    self.error(g, message);
                })
                .ok()
        });
        let date = |builder: &mut Self, text: &Spanned<String>| {
            Date::parse(&text.value)
                .map_err(|err| {
                    builder.error(text, err.to_string());
                })
                .ok()
        };
        let when = match (
            &example.birth_date,
            &example.screening_date,
            &example.age_months,
        ) {
            (Some(birth), Some(screening), None) => {
                match (date(self, birth), date(self, screening)) {
                    (Some(birth), Some(screening)) => Some(AgeInput::Dates { birth, screening }),
                    _ => None,
                }
            }
            (None, None, Some(months)) => Some(AgeInput::Months(months.value.clone())),
            _ => {
                self.error(
                    &example.name,
                    format!(
                        "example `{}` of an age-banded instrument needs an age",
                        example.name.value
                    ),
                )
                .expected = Some(
                    "`interval: ID`, or `birth_date` and `screening_date`, or `age_months`"
                        .to_owned(),
                );
                None
            }
        };
        let interval = when.map(|when| ExampleInterval::Age(AgeFacts { when, gestation }));
        (concerns, interval, expect_age)
    }
}
