//! Scores written back as FHIR Observations (NDJSON), one per scored scale.
//!
//! Each Observation carries the scale's LOINC code when the instrument has
//! one (else a stepcare code naming `instrument.scale`), the score, the band
//! as its interpretation, and, when the input was a QuestionnaireResponse,
//! its subject, date and `derivedFrom` reference, so results can go back to
//! the FHIR server the responses came from.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::responses::ISSUE_COLUMN;
use crate::batch::{Layout, RowSink, ScoredRow};
use crate::lang::Lang;

/// The code system of scales without a LOINC code.
pub const SCALE_SYSTEM: &str = "urn:stepcare:scale";

/// Writes one Observation per scored scale, as NDJSON.
pub struct ObservationSink<W: Write> {
    out: io::BufWriter<W>,
    /// Columns of the response id, subject and date (FHIR input only).
    response: Option<(usize, usize, usize)>,
    /// Observations written.
    pub written: u64,
    /// Scales left without a score (so without an Observation).
    pub unscored: u64,
}

impl<W: Write> ObservationSink<W> {
    /// A sink writing to `out`.
    pub fn new(out: W) -> Self {
        ObservationSink {
            out: io::BufWriter::with_capacity(1 << 16, out),
            response: None,
            written: 0,
            unscored: 0,
        }
    }

    /// Gives back the writer, flushed.
    pub fn into_inner(self) -> io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

impl<W: Write> RowSink for ObservationSink<W> {
    fn begin(&mut self, layout: &Layout<'_>) -> io::Result<()> {
        let find = |name: &str| layout.headers.iter().position(|h| h == name);
        if find(ISSUE_COLUMN).is_some() {
            self.response = match (find("id"), find("subject"), find("authored")) {
                (Some(a), Some(b), Some(c)) => Some((a, b, c)),
                _ => None,
            };
        }
        Ok(())
    }

    fn row(&mut self, layout: &Layout<'_>, row: &ScoredRow<'_>) -> io::Result<()> {
        let cell = |index: usize| {
            String::from_utf8_lossy(row.record.get(index).unwrap_or(b"")).into_owned()
        };
        let (id, subject, authored) = match self.response {
            Some((a, b, c)) => (cell(a), cell(b), cell(c)),
            None => Default::default(),
        };
        for (slot, instrument) in layout.instruments.iter().enumerate() {
            let result = &row.scores[slot];
            for (scale, scored) in result.scales_of(instrument).iter().zip(&result.scales) {
                let Some(score) = scored.score else {
                    self.unscored += 1;
                    continue;
                };
                let label = scale.label.get(Lang::En).to_owned();
                let code = match scale.codes.get("loinc") {
                    Some(loinc) => {
                        json!({"coding": [{"system": "http://loinc.org", "code": loinc}], "text": label})
                    }
                    None => {
                        json!({"coding": [{"system": SCALE_SYSTEM, "code": format!("{}.{}", instrument.id, scale.id)}], "text": label})
                    }
                };
                let mut observation = json!({
                    "resourceType": "Observation",
                    "status": "final",
                    "category": [{"coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey"
                    }]}],
                    "code": code,
                });
                if !subject.is_empty() {
                    observation["subject"] = json!({"reference": subject});
                }
                if !authored.is_empty() {
                    observation["effectiveDateTime"] = Value::String(authored.clone());
                }
                if score.fract() == 0.0 && score.abs() < 1e15 {
                    observation["valueInteger"] = json!(score as i64);
                } else {
                    observation["valueQuantity"] = json!({
                        "value": score,
                        "unit": "{score}",
                        "system": "http://unitsofmeasure.org",
                        "code": "{score}"
                    });
                }
                if let Some(band) = scored.band.and_then(|b| scale.bands.get(b)) {
                    observation["interpretation"] = json!([{
                        "coding": [{
                            "system": format!("urn:stepcare:band:{}.{}", instrument.id, scale.id),
                            "code": band.id,
                        }],
                        "text": band.label.get(Lang::En),
                    }]);
                }
                if !id.is_empty() {
                    observation["derivedFrom"] =
                        json!([{"reference": format!("QuestionnaireResponse/{id}")}]);
                }
                serde_json::to_writer(&mut self.out, &observation)?;
                self.out.write_all(b"\n")?;
                self.written += 1;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
