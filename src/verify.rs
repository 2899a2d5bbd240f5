//! Runs an instrument's known-answer examples against the scoring engine.

use crate::instrument::{ExampleInterval, Instrument, fmt_score};
use crate::scoring::{Answer, Context, score_with};

/// The outcome of one example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleOutcome {
    /// The example's name.
    pub name: String,
    /// The line of the example in its file.
    pub line: usize,
    /// Each way the result differs from the expectation; empty when it passed.
    pub mismatches: Vec<String>,
}

impl ExampleOutcome {
    /// Whether the example passed.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Scores every example of `instrument` and compares with what it expects.
pub fn verify(instrument: &Instrument) -> Vec<ExampleOutcome> {
    instrument
        .examples
        .iter()
        .map(|example| {
            let answers: Vec<Answer> = example
                .answers
                .iter()
                .map(|a| a.map_or(Answer::Missing, |o| Answer::Chosen(o as u8)))
                .collect();
            let mut mismatches = Vec::new();
            let interval = example_interval(instrument, example, &mut mismatches);
            let context = Context {
                concerns: &example.concerns,
                interval,
                age: None,
            };
            let result = score_with(instrument, &answers, context);
            let scales = instrument.scales_in(interval).unwrap_or(&instrument.scales);
            if let Some(status) = &example.status
                && result.status().as_str() != status
            {
                mismatches.push(format!(
                    "status: expected {status}, got {}",
                    result.status().as_str()
                ));
            }
            for (scale_id, expected_score, expected_band) in &example.scales {
                let Some(index) = instrument.scale_index(scale_id) else {
                    continue;
                };
                let scale = &scales[index];
                let got = &result.scales[index];
                if got.score != *expected_score {
                    mismatches.push(format!(
                        "{scale_id}: expected {}, got {}",
                        show(*expected_score),
                        show(got.score)
                    ));
                }
                if let Some(band) = expected_band {
                    let got_band = got.band.map(|b| scale.bands[b].id.as_str());
                    if got_band != Some(band.as_str()) {
                        mismatches.push(format!(
                            "{scale_id} band: expected {band}, got {}",
                            got_band.unwrap_or("none")
                        ));
                    }
                }
            }
            if let Some(flags) = &example.flags {
                let mut expected: Vec<&str> = flags.iter().map(String::as_str).collect();
                let mut got: Vec<&str> = result
                    .flags
                    .iter()
                    .map(|&f| instrument.flags[f].id.as_str())
                    .collect();
                expected.sort_unstable();
                got.sort_unstable();
                if expected != got {
                    mismatches.push(format!(
                        "flags: expected [{}], got [{}]",
                        expected.join(", "),
                        got.join(", ")
                    ));
                }
            }
            ExampleOutcome {
                name: example.name.clone(),
                line: example.line,
                mismatches,
            }
        })
        .collect()
}

/// The interval an example is scored in, checking the expected interval and ages.
fn example_interval(
    instrument: &Instrument,
    example: &crate::instrument::Example,
    mismatches: &mut Vec<String>,
) -> Option<usize> {
    let banding = instrument.age_banding.as_ref()?;
    let (expect_interval, expect_age, expect_corrected) = &example.expect_age;
    let interval = match example.interval.as_ref()? {
        ExampleInterval::Given(index) => Some(*index),
        ExampleInterval::Age(facts) => match facts.resolve(banding.correction.as_ref()) {
            Err(err) => {
                mismatches.push(format!("age: {err}"));
                None
            }
            Ok(age) => {
                if let Some(expected) = expect_age
                    && *expected != age.chronological.to_string()
                {
                    mismatches.push(format!(
                        "age: expected {expected}, got {}",
                        age.chronological
                    ));
                }
                let corrected = age.corrected.map_or("none".to_owned(), |a| a.to_string());
                if let Some(expected) = expect_corrected
                    && *expected != corrected
                {
                    mismatches.push(format!(
                        "corrected age: expected {expected}, got {corrected}"
                    ));
                }
                match banding.interval_for(&age) {
                    Ok(index) => Some(index),
                    Err(outside) => {
                        mismatches.push(format!("interval: {outside}"));
                        None
                    }
                }
            }
        },
    };
    let got = interval.map_or("none", |i| banding.intervals[i].id.as_str());
    if let Some(expected) = expect_interval
        && expected != got
    {
        mismatches.push(format!("interval: expected {expected}, got {got}"));
    }
    interval
}

fn show(score: Option<f64>) -> String {
    score.map_or_else(|| "no score".to_owned(), fmt_score)
}
