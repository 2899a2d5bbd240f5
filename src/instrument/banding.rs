//! Age-banded instruments: one questionnaire (interval) per age window.
//!
//! Items are defined once for the instrument; each interval asks a subset of
//! them and has its own cutoffs. The instrument's scales and band ids are the
//! same in every interval, so outputs and rule tables do not change with the
//! child's age: an interval carries, for each instrument scale, a copy of the
//! scale restricted to its items, with its own missing-answer rule and its own
//! band ranges (in the same order, with the same ids).

use std::fmt;

use super::Scale;
use super::age::{Age, ChildAge, Correction};
use crate::lang::Localized;

/// An inclusive window of ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeWindow {
    /// The youngest age in the window.
    pub from: Age,
    /// The oldest age in the window.
    pub to: Age,
}

impl AgeWindow {
    /// Whether `age` falls in the window.
    pub fn contains(&self, age: Age) -> bool {
        self.from <= age && age <= self.to
    }
}

impl fmt::Display for AgeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.from, self.to)
    }
}

/// One questionnaire of an age-banded instrument.
#[derive(Debug, Clone)]
pub struct Interval {
    /// Identifier (`m12`).
    pub id: String,
    /// A short label per language.
    pub label: Localized,
    /// The ages (corrected where the correction applies) this questionnaire is for.
    pub window: AgeWindow,
    /// The items it asks (indices into the instrument's items), in printed order.
    pub items: Vec<usize>,
    /// One per instrument scale, in the same order and with the same ids: the
    /// scale over this interval's items, with this interval's missing-answer
    /// rule and band ranges.
    pub scales: Vec<Scale>,
    /// Where the window and cutoffs come from.
    pub source: Option<String>,
}

/// The age rule and the intervals of an age-banded instrument.
#[derive(Debug, Clone)]
pub struct AgeBanding {
    /// The intervals, youngest first; their windows do not overlap.
    pub intervals: Vec<Interval>,
    /// The corrected-age rule, if the definition has one.
    pub correction: Option<Correction>,
}

/// An age that no interval's window holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideIntervals {
    /// The age that was looked up.
    pub age: Age,
    /// Whether the age is a corrected age.
    pub corrected: bool,
    /// The nearest interval for younger children: (id, window).
    pub below: Option<(String, AgeWindow)>,
    /// The nearest interval for older children: (id, window).
    pub above: Option<(String, AgeWindow)>,
}

impl fmt::Display for OutsideIntervals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}age {} is outside every interval",
            if self.corrected { "corrected " } else { "" },
            self.age
        )?;
        let near: Vec<String> = [&self.below, &self.above]
            .into_iter()
            .flatten()
            .map(|(id, window)| format!("{id} ({window})"))
            .collect();
        if !near.is_empty() {
            write!(f, "; nearest: {}", near.join(" and "))?;
        }
        Ok(())
    }
}

impl AgeBanding {
    /// The interval whose window holds `age`, or the nearest ones on either side.
    pub fn interval_for(&self, age: &ChildAge) -> Result<usize, OutsideIntervals> {
        let used = age.used();
        if let Some(found) = self.intervals.iter().position(|i| i.window.contains(used)) {
            return Ok(found);
        }
        let below = self
            .intervals
            .iter()
            .filter(|i| i.window.to < used)
            .max_by_key(|i| i.window.to);
        let above = self
            .intervals
            .iter()
            .filter(|i| i.window.from > used)
            .min_by_key(|i| i.window.from);
        Err(OutsideIntervals {
            age: used,
            corrected: age.corrected.is_some(),
            below: below.map(|i| (i.id.clone(), i.window)),
            above: above.map(|i| (i.id.clone(), i.window)),
        })
    }

    /// The interval with this id.
    pub fn interval_index(&self, id: &str) -> Option<usize> {
        self.intervals.iter().position(|i| i.id == id)
    }
}

/// How a missing-answer rule reads to people: "at most 2 items missing; from
/// 2 missing the total is adjusted (total + mean item score x missing, half-up rounding)".
pub fn describe_missing(missing: &super::MissingPolicy, items: &[super::Item]) -> String {
    use std::fmt::Write as _;
    if missing.max_missing == 0 {
        return "no score if any item is missing".to_owned();
    }
    let mut text = format!(
        "at most {} missing",
        crate::lang::count(missing.max_missing as u64, "item", "items")
    );
    if let Some(rounding) = missing.prorate {
        let rounding = match rounding {
            super::Rounding::HalfUp => "half-up",
            super::Rounding::Floor => "downward",
            super::Rounding::Ceil => "upward",
            super::Rounding::None => "no",
        };
        if missing.prorate_from > 1 {
            let _ = write!(
                text,
                "; with fewer than {} missing the answered items' sum counts, from {} missing the total is adjusted",
                missing.prorate_from, missing.prorate_from
            );
        } else {
            let _ = write!(text, "; the total is adjusted");
        }
        let _ = write!(
            text,
            " (total + mean item score x missing, {rounding} rounding)"
        );
    } else {
        let _ = write!(text, "; missing items count 0");
    }
    if !missing.required.is_empty() {
        let required: Vec<&str> = missing
            .required
            .iter()
            .map(|&i| items[i].id.as_str())
            .collect();
        let _ = write!(text, "; never missing: {}", required.join(", "));
    }
    text
}

/// The age rule and every interval of an age-banded instrument, as `show` prints them.
pub fn describe_age_banding(
    instrument: &super::Instrument,
    lang: crate::lang::Lang,
) -> Option<String> {
    use std::fmt::Write as _;
    let banding = instrument.age_banding.as_ref()?;
    let w = |en: &str, nb: &str, sv: &str| crate::rules::words(lang, en, nb, sv);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}",
        w(
            "Age intervals (the child's age on the screening day chooses the questionnaire):",
            "Aldersintervaller (barnets alder på screeningdagen velger skjemaet):",
            "Åldersintervall (barnets ålder på screeningdagen väljer formuläret):"
        )
    );
    let _ = writeln!(
        out,
        "  {}",
        w(
            "age: completed calendar months and days since birth (dates 2026-11-23 or 23.11.2026)",
            "alder: fylte kalendermåneder og dager siden fødselen (datoer 2026-11-23 eller 23.11.2026)",
            "ålder: fyllda kalendermånader och dagar sedan födseln (datum 2026-11-23 eller 23.11.2026)"
        )
    );
    match &banding.correction {
        Some(rule) => {
            let rounding = match rule.rounding {
                super::age::EarlyRounding::Days => w("in days", "i dager", "i dagar"),
                super::age::EarlyRounding::FloorWeeks => w(
                    "in whole weeks, rounded down",
                    "i hele uker, rundet ned",
                    "i hela veckor, avrundat nedåt",
                ),
                super::age::EarlyRounding::NearestWeeks => w(
                    "in whole weeks, rounded to the nearest",
                    "i hele uker, rundet til nærmeste",
                    "i hela veckor, avrundat till närmaste",
                ),
            };
            let (weeks, term, months) = (rule.min_weeks_early, rule.term_weeks, rule.until_months);
            let _ = writeln!(
                out,
                "  {}",
                match lang {
                    crate::lang::Lang::En => format!(
                        "corrected age: for a child born at least {weeks} weeks before term (week {term}) and younger than {months} months, counted from the term date (time born early {rounding})"
                    ),
                    crate::lang::Lang::Nb => format!(
                        "korrigert alder: for et barn født minst {weeks} uker før termin (uke {term}) og yngre enn {months} måneder, regnet fra termindatoen (tiden født for tidlig {rounding})"
                    ),
                    crate::lang::Lang::Nn => format!(
                        "korrigert alder: for eit barn fødd minst {weeks} veker før termin (veke {term}) og yngre enn {months} månader, rekna frå termindatoen (tida fødd for tidleg {rounding})"
                    ),
                    crate::lang::Lang::Sv => format!(
                        "korrigerad ålder: för ett barn fött minst {weeks} veckor före termin (vecka {term}) och yngre än {months} månader, räknat från termindatumet (tiden fött för tidigt {rounding})"
                    ),
                }
            );
            if let Some(source) = &rule.source {
                let _ = writeln!(out, "    {} {source}", w("source:", "kilde:", "källa:"));
            }
        }
        None => {
            let _ = writeln!(
                out,
                "  {}",
                w(
                    "corrected age: not used by this definition",
                    "korrigert alder: brukes ikke i denne definisjonen",
                    "korrigerad ålder: används inte i denna definition"
                )
            );
        }
    }
    for interval in &banding.intervals {
        let _ = writeln!(
            out,
            "  {} - {}: {}",
            interval.id,
            interval.label.get(lang),
            interval.window
        );
        let items: Vec<&str> = interval
            .items
            .iter()
            .map(|&i| instrument.items[i].id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "    {} {}",
            w("items:", "spørsmål:", "frågor:"),
            items.join(", ")
        );
        for scale in &interval.scales {
            let _ = writeln!(
                out,
                "    {} {} {}",
                scale.id,
                w("missing answers:", "manglende svar:", "saknade svar:"),
                describe_missing(&scale.missing, &instrument.items)
            );
            for band in &scale.bands {
                let _ = writeln!(
                    out,
                    "    {:>7}  {} - {}",
                    format!(
                        "{}-{}",
                        super::fmt_score(band.from),
                        super::fmt_score(band.to)
                    ),
                    band.id,
                    band.label.get(lang)
                );
            }
        }
        if let Some(source) = &interval.source {
            let _ = writeln!(out, "    {} {source}", w("source:", "kilde:", "källa:"));
        }
    }
    Some(out)
}
