//! The age and concern-box columns of age-banded instruments, and reading them per row.
//!
//! An age-banded instrument needs the child's age to choose the
//! questionnaire: a birth date and a screening date (ISO `2026-11-23` or
//! `23.11.2026`), or an age in months; and, when its definition corrects the
//! age of children born early, the gestational weeks at birth (`36+4`; a
//! blank cell means born at term or not known). These columns are found
//! from the header before any row is read. Concern boxes are read from
//! `<instrument>.<item>.concern` or `<item>_concern` columns: yes/no, 1/0,
//! x or blank.

use std::collections::BTreeMap;

use super::MissingColumn;
use super::columns::{ColumnError, HeaderIndex, closest};
use crate::instrument::age::{AgeError, AgeFacts, AgeInput, ChildAge, Date, Gestation};
use crate::instrument::{AgeBanding, Instrument};

/// The age fields an export can hold, with the header names each is known by.
/// Headers that hold the child's birth date.
pub(crate) const BIRTH_DATE_NAMES: &[&str] = &[
    "birth_date",
    "date_of_birth",
    "dob",
    "birthdate",
    "fodselsdato",
    "fødselsdato",
    "födelsedatum",
];

/// Headers that hold the date of the screen.
pub(crate) const SCREENING_DATE_NAMES: &[&str] = &[
    "screening_date",
    "visit_date",
    "screeningdato",
    "screeningdatum",
    "besoksdato",
    "besøksdato",
];

const FIELDS: [(&str, &[&str]); 4] = [
    ("birth_date", BIRTH_DATE_NAMES),
    ("screening_date", SCREENING_DATE_NAMES),
    (
        "gestational_weeks",
        &[
            "gestational_weeks",
            "gestational_age",
            "ga_weeks",
            "svangerskapsuke",
            "gestasjonsuke",
            "graviditetsvecka",
        ],
    ),
    (
        "age_months",
        &[
            "age_months",
            "alder_maneder",
            "alder_måneder",
            "alder_mnd",
            "alder_i_maneder",
            "ålder_månader",
        ],
    ),
];

const BIRTH: usize = 0;
const SCREENING: usize = 1;
const GESTATION: usize = 2;
const MONTHS: usize = 3;

/// Where one instrument's age and concern cells are (`None`: no such column).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgeColumns {
    /// Birth date, screening date, gestational weeks and age in months.
    pub fields: [Option<usize>; 4],
    /// Per item, the column of its concern box (`None` when the item has no
    /// box or the input has no column for it).
    pub concerns: Vec<Option<usize>>,
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Whether a column-map target (the part after `<instrument>.`) names an age
/// field or a concern box rather than an item.
pub(crate) fn is_age_target(instrument: &Instrument, target: &str) -> bool {
    (instrument.age_banding.is_some() && FIELDS.iter().any(|(name, _)| *name == target))
        || target
            .strip_suffix(".concern")
            .and_then(|item| instrument.item_index(item))
            .is_some_and(|i| instrument.concerns[i].is_some())
}

/// Finds the age and concern columns of every instrument, or says which are lacking.
pub fn plan_age_columns(
    headers: &[String],
    instruments: &[&Instrument],
    map: &BTreeMap<String, String>,
) -> Result<(Vec<AgeColumns>, Vec<MissingColumn>), ColumnError> {
    let header_index = HeaderIndex::new(headers);
    let mapped = |target: &str| -> Result<Option<usize>, ColumnError> {
        match map.iter().find(|(_, t)| key(t) == key(target)) {
            Some((header, _)) => header_index.find_mapped(header),
            None => Ok(None),
        }
    };
    let mut plans = Vec::new();
    let mut missing = Vec::new();
    for instrument in instruments {
        let mut plan = AgeColumns::default();
        if let Some(banding) = &instrument.age_banding {
            let mut accepted_of = Vec::new();
            for (slot, (field, names)) in FIELDS.iter().enumerate() {
                let mut accepted = vec![
                    format!("{}.{field}", instrument.id),
                    format!("{}_{field}", instrument.id),
                ];
                accepted.extend(names.iter().map(|n| (*n).to_owned()));
                let target = format!("{}.{field}", instrument.id);
                // A column named for this instrument wins over a generic one
                // (a saved child visit has both `visit_date` and
                // `se-demo.screening_date`); two generic ones are ambiguous.
                plan.fields[slot] = match mapped(&target)? {
                    Some(column) => Some(column),
                    None => match header_index.find(&accepted[..2], &target)? {
                        Some(column) => Some(column),
                        None => header_index.find(&accepted[2..], &target)?,
                    },
                };
                accepted_of.push(accepted);
            }
            let dates = plan.fields[BIRTH].is_some() && plan.fields[SCREENING].is_some();
            if !dates && plan.fields[MONTHS].is_none() {
                let mut accepted = Vec::new();
                for slot in [BIRTH, SCREENING, MONTHS] {
                    if plan.fields[slot].is_none() {
                        accepted.extend(accepted_of[slot].iter().cloned());
                    }
                }
                missing.push(MissingColumn {
                    wanted: format!(
                        "{id}.birth_date and {id}.screening_date, or {id}.age_months (the age chooses the questionnaire)",
                        id = instrument.id
                    ),
                    closest: closest(headers, &accepted),
                    accepted,
                });
            }
            if correction_needs_gestation(banding) && plan.fields[GESTATION].is_none() {
                missing.push(MissingColumn {
                    wanted: format!(
                        "{}.gestational_weeks (the definition corrects the age of children born early; leave a cell blank for a child born at term)",
                        instrument.id
                    ),
                    closest: closest(headers, &accepted_of[GESTATION]),
                    accepted: accepted_of[GESTATION].clone(),
                });
            }
        }
        let mut wanted_concerns = Vec::new();
        for (index, item) in instrument.items.iter().enumerate() {
            if instrument.concerns[index].is_none() {
                plan.concerns.push(None);
                continue;
            }
            let shared = instruments
                .iter()
                .any(|other| other.id != instrument.id && other.item_index(&item.id).is_some());
            let mut accepted = vec![
                format!("{}.{}.concern", instrument.id, item.id),
                format!("{}_{}_concern", instrument.id, item.id),
            ];
            if !shared {
                accepted.push(format!("{}.concern", item.id));
                accepted.push(format!("{}_concern", item.id));
            }
            accepted.extend(item.aliases.iter().map(|a| format!("{a}_concern")));
            let target = format!("{}.{}.concern", instrument.id, item.id);
            let found = match mapped(&target)? {
                Some(column) => Some(column),
                None => header_index.find(&accepted, &target)?,
            };
            if found.is_none() {
                wanted_concerns.push(accepted);
            }
            plan.concerns.push(found);
        }
        // No concern column at all is a header problem; some absent ones
        // matter only in rows whose interval asks those items.
        if instrument.has_concerns() && plan.concerns.iter().all(Option::is_none) {
            let accepted: Vec<String> = wanted_concerns.iter().flatten().cloned().collect();
            missing.push(MissingColumn {
                wanted: format!(
                    "{}: concern-box columns such as {}.{}.concern (yes/no, 1/0 or blank)",
                    instrument.id,
                    instrument.id,
                    instrument
                        .items
                        .iter()
                        .zip(&instrument.concerns)
                        .find(|(_, c)| c.is_some())
                        .map_or("item", |(i, _)| i.id.as_str())
                ),
                closest: closest(headers, &accepted),
                accepted: accepted.into_iter().take(4).collect(),
            });
        }
        plans.push(plan);
    }
    Ok((plans, missing))
}

fn correction_needs_gestation(banding: &AgeBanding) -> bool {
    banding.correction.is_some()
}

fn cell(record: &csv::ByteRecord, column: Option<usize>) -> &str {
    column
        .and_then(|c| record.get(c))
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .map_or("", str::trim)
}

/// The child's age in one row and the interval it chooses, or why there is
/// none (with the age when it is known but outside every interval).
pub(super) fn row_interval(
    record: &csv::ByteRecord,
    headers: &[String],
    instrument: &Instrument,
    banding: &AgeBanding,
    plan: &AgeColumns,
) -> Result<(usize, ChildAge), (Option<ChildAge>, String)> {
    let age = row_age(record, headers, instrument, banding, plan).map_err(|e| (None, e))?;
    let interval = banding
        .interval_for(&age)
        .map_err(|outside| (Some(age), format!("{}: {outside}", instrument.id)))?;
    Ok((interval, age))
}

fn row_age(
    record: &csv::ByteRecord,
    headers: &[String],
    instrument: &Instrument,
    banding: &AgeBanding,
    plan: &AgeColumns,
) -> Result<ChildAge, String> {
    let header = |slot: usize| plan.fields[slot].map_or("", |c| headers[c].as_str());
    let date = |slot: usize| -> Result<Option<Date>, String> {
        let text = cell(record, plan.fields[slot]);
        if text.is_empty() {
            return Ok(None);
        }
        Date::parse(text)
            .map(Some)
            .map_err(|err| format!("column `{}`: {err}", header(slot)))
    };
    let gestation = match cell(record, plan.fields[GESTATION]) {
        "" => None,
        text => Some(
            Gestation::parse(text)
                .map_err(|message| format!("column `{}`: {message}", header(GESTATION)))?,
        ),
    };
    let birth = date(BIRTH)?;
    let screening = date(SCREENING)?;
    let months = cell(record, plan.fields[MONTHS]);
    let when = match (birth, screening) {
        (Some(birth), Some(screening)) => AgeInput::Dates { birth, screening },
        _ if !months.is_empty() => AgeInput::Months(months.to_owned()),
        (None, _) if plan.fields[BIRTH].is_some() => {
            return Err(format!(
                "{}: column `{}` is blank; the age chooses the questionnaire",
                instrument.id,
                header(BIRTH)
            ));
        }
        (_, None) if plan.fields[SCREENING].is_some() => {
            return Err(format!(
                "{}: column `{}` is blank; the age chooses the questionnaire",
                instrument.id,
                header(SCREENING)
            ));
        }
        _ => {
            return Err(format!(
                "{}: column `{}` is blank; the age chooses the questionnaire",
                instrument.id,
                header(MONTHS)
            ));
        }
    };
    let facts = AgeFacts { when, gestation };
    facts
        .resolve(banding.correction.as_ref())
        .map_err(|err| match err {
            AgeError::BadMonths(_) => format!("column `{}`: {err}", header(MONTHS)),
            AgeError::ScreenedBeforeBirth { birth, screening } => format!(
                "{}: column `{}` ({screening}) is before column `{}` ({birth}): the screening cannot be before the birth",
                instrument.id,
                header(SCREENING),
                header(BIRTH)
            ),
            err => format!("{}: {err}", instrument.id),
        })
}

/// Reads a concern-box cell: yes/ja/1/x/true is ticked; no/nei/nej/0/false or blank is not.
pub(super) fn read_concern(cell: &[u8], missing_codes: &[Vec<u8>]) -> Option<bool> {
    let cell = cell.trim_ascii();
    if cell.is_empty() || missing_codes.iter().any(|c| c.eq_ignore_ascii_case(cell)) {
        return Some(false);
    }
    const YES: [&[u8]; 6] = [b"yes", b"y", b"ja", b"1", b"x", b"true"];
    const NO: [&[u8]; 6] = [b"no", b"n", b"nei", b"nej", b"0", b"false"];
    if YES.iter().any(|w| w.eq_ignore_ascii_case(cell)) {
        Some(true)
    } else if NO.iter().any(|w| w.eq_ignore_ascii_case(cell)) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concern_cells() {
        for yes in ["yes", "Ja", "1", "x", "TRUE", " y "] {
            assert_eq!(read_concern(yes.as_bytes(), &[]), Some(true), "{yes}");
        }
        for no in ["", "no", "Nei", "nej", "0", "false", "  "] {
            assert_eq!(read_concern(no.as_bytes(), &[]), Some(false), "{no}");
        }
        assert_eq!(read_concern(b"NA", &[b"na".to_vec()]), Some(false));
        assert_eq!(read_concern(b"maybe", &[]), None);
        assert_eq!(read_concern(b"2", &[]), None);
    }
}
