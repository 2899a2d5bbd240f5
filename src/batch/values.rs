//! Reading one cell as an answer to one item.

use std::collections::HashMap;

use crate::instrument::{Item, ValueKind};
use crate::scoring::Answer;

/// The largest points a cell can hold (9 digits, with an optional sign):
/// an instrument whose points go beyond is refused when it is loaded.
pub const MAX_CELL_POINTS: i32 = 999_999_999;

/// Widest range of points looked up by index; wider (sparse) points are
/// searched, so that points far apart never cost memory in proportion.
const MAX_INDEXED_SPAN: usize = 4096;

/// Turns cell bytes into an [`Answer`] for one item, by points, position or label.
#[derive(Debug, Clone)]
pub struct CellReader {
    kind: ValueKind,
    /// For points: option index by `points - min_points` (empty when the
    /// points span more than [`MAX_INDEXED_SPAN`]; then `sparse` is used).
    by_points: Vec<Option<u8>>,
    /// For points spread wide: (points, option index), sorted by points.
    sparse: Vec<(i64, u8)>,
    min_points: i64,
    options: usize,
    /// For labels: option index by lower-cased label in any language.
    by_label: HashMap<String, u8>,
    /// The answer for every one-byte cell, the common case in exports (`0`-`9`).
    /// Encoded as in [`encode`], one byte each to keep the table in few cache lines.
    single_byte: [u8; 256],
}

impl CellReader {
    /// A reader for `item`'s cells holding values of `kind`.
    ///
    /// `extra_labels` adds wording (for example from a text pack) per option.
    pub fn new(item: &Item, kind: ValueKind, extra_labels: &[(usize, String)]) -> CellReader {
        let min_points = i64::from(item.min_points());
        let span = usize::try_from(i64::from(item.max_points()) - min_points + 1).unwrap_or(0);
        let mut by_points = Vec::new();
        let mut sparse = Vec::new();
        if span <= MAX_INDEXED_SPAN {
            by_points = vec![None; span];
            for (index, option) in item.options.iter().enumerate() {
                let slot = &mut by_points
                    [usize::try_from(i64::from(option.points) - min_points).unwrap_or(0)];
                // Two options with equal points score the same; keep the first.
                if slot.is_none() {
                    *slot = Some(index as u8);
                }
            }
        } else {
            for (index, option) in item.options.iter().enumerate() {
                sparse.push((i64::from(option.points), index as u8));
            }
            // A stable sort keeps the first of two options with equal points first.
            sparse.sort_by_key(|&(points, _)| points);
            sparse.dedup_by_key(|&mut (points, _)| points);
        }
        let mut by_label = HashMap::new();
        if kind == ValueKind::Label {
            for (index, option) in item.options.iter().enumerate() {
                for (_, text) in option.label.iter() {
                    by_label.entry(normalize_label(text)).or_insert(index as u8);
                }
            }
            for (index, text) in extra_labels {
                by_label
                    .entry(normalize_label(text))
                    .or_insert(*index as u8);
            }
        }
        let mut reader = CellReader {
            kind,
            by_points,
            sparse,
            min_points,
            options: item.options.len(),
            by_label,
            single_byte: [INVALID; 256],
        };
        for byte in 0..=255u8 {
            reader.single_byte[usize::from(byte)] = encode(reader.read_slow(&[byte]));
        }
        reader
    }

    /// Reads a cell; blanks and the declared missing codes are [`Answer::Missing`].
    #[inline]
    pub fn read(&self, cell: &[u8], missing_codes: &[Vec<u8>]) -> Answer {
        match cell {
            [] => Answer::Missing,
            [byte] if missing_codes.is_empty() => decode(self.single_byte[usize::from(*byte)]),
            _ => {
                let cell = cell.trim_ascii();
                if cell.is_empty()
                    || missing_codes
                        .iter()
                        .any(|code| code.eq_ignore_ascii_case(cell))
                {
                    Answer::Missing
                } else {
                    self.read_slow(cell)
                }
            }
        }
    }

    /// Reads a cell that is not a missing code.
    fn read_slow(&self, cell: &[u8]) -> Answer {
        let cell = cell.trim_ascii();
        if cell.is_empty() {
            return Answer::Missing;
        }
        let found = match self.kind {
            ValueKind::Points if !self.sparse.is_empty() => parse_int(cell).and_then(|points| {
                let at = self
                    .sparse
                    .binary_search_by_key(&points, |&(p, _)| p)
                    .ok()?;
                Some(self.sparse[at].1)
            }),
            ValueKind::Points => parse_int(cell).and_then(|points| {
                let slot = usize::try_from(points - self.min_points).ok()?;
                *self.by_points.get(slot)?
            }),
            ValueKind::Position => parse_int(cell)
                .and_then(|p| usize::try_from(p).ok())
                .filter(|p| (1..=self.options).contains(p))
                .map(|p| (p - 1) as u8),
            ValueKind::Label => std::str::from_utf8(cell)
                .ok()
                .and_then(|text| self.by_label.get(&normalize_label(text)).copied()),
        };
        found.map_or(Answer::Invalid, Answer::Chosen)
    }
}

const MISSING: u8 = 254;
const INVALID: u8 = 255;

/// An answer in one byte: the option index, or [`MISSING`] or [`INVALID`].
fn encode(answer: Answer) -> u8 {
    match answer {
        // An item has far fewer than 254 options (the schema's options are a short list).
        Answer::Chosen(option) => option.min(253),
        Answer::Missing => MISSING,
        Answer::Invalid => INVALID,
    }
}

#[inline]
fn decode(byte: u8) -> Answer {
    match byte {
        MISSING => Answer::Missing,
        INVALID => Answer::Invalid,
        option => Answer::Chosen(option),
    }
}

/// An integer written plainly (`3`, `-1`, `+2`); anything else (`1.5`, `x`) is not one.
fn parse_int(cell: &[u8]) -> Option<i64> {
    let (negative, digits) = match cell {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, cell),
    };
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'));
    Some(if negative { -value } else { value })
}

/// Labels match ignoring case and surrounding or repeated spaces.
fn normalize_label(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::AnswerOption;
    use crate::lang::{Lang, Localized};

    fn reverse_item() -> Item {
        let option = |points: i32, en: &str, nb: &str| AnswerOption {
            points,
            label: Localized([(Lang::En, en.to_owned()), (Lang::Nb, nb.to_owned())].into()),
            code: None,
            system: None,
        };
        Item {
            id: "q3".into(),
            label: Localized::single(Lang::En, "x"),
            options: vec![
                option(3, "Mostly", "Som oftest"),
                option(2, "Sometimes", "Av og til"),
                option(1, "Seldom", "Sjelden"),
                option(0, "Never", "Aldri"),
            ],
            aliases: vec![],
            codes: Default::default(),
            link_id: None,
        }
    }

    #[test]
    fn points_cells() {
        let reader = CellReader::new(&reverse_item(), ValueKind::Points, &[]);
        assert_eq!(reader.read(b"3", &[]), Answer::Chosen(0));
        assert_eq!(reader.read(b" 0 ", &[]), Answer::Chosen(3));
        for bad in [&b"4"[..], b"-1", b"x", b"1.5", b"1,5"] {
            assert_eq!(reader.read(bad, &[]), Answer::Invalid, "{bad:?}");
        }
        assert_eq!(reader.read(b"", &[]), Answer::Missing);
        assert_eq!(reader.read(b"NA", &[b"na".to_vec()]), Answer::Missing);
    }

    #[test]
    fn position_applies_the_keying() {
        let reader = CellReader::new(&reverse_item(), ValueKind::Position, &[]);
        // Printed position 1 of a reverse-keyed item is its 3-point option.
        assert_eq!(reader.read(b"1", &[]), Answer::Chosen(0));
        assert_eq!(reader.read(b"4", &[]), Answer::Chosen(3));
        assert_eq!(reader.read(b"0", &[]), Answer::Invalid);
        assert_eq!(reader.read(b"5", &[]), Answer::Invalid);
    }

    #[test]
    fn points_far_apart_are_read_without_a_table_as_wide() {
        let mut item = reverse_item();
        item.options[0].points = MAX_CELL_POINTS;
        item.options[3].points = -MAX_CELL_POINTS;
        let reader = CellReader::new(&item, ValueKind::Points, &[]);
        assert!(reader.by_points.is_empty());
        assert_eq!(reader.read(b"999999999", &[]), Answer::Chosen(0));
        assert_eq!(reader.read(b"-999999999", &[]), Answer::Chosen(3));
        assert_eq!(reader.read(b"2", &[]), Answer::Chosen(1));
        assert_eq!(reader.read(b"0", &[]), Answer::Invalid);
        assert_eq!(reader.read(b"1000000000", &[]), Answer::Invalid);
    }

    #[test]
    fn labels_in_any_language() {
        let reader = CellReader::new(&reverse_item(), ValueKind::Label, &[]);
        assert_eq!(reader.read(b"av  og TIL", &[]), Answer::Chosen(1));
        assert_eq!(reader.read(b"Never", &[]), Answer::Chosen(3));
        assert_eq!(reader.read(b"Nope", &[]), Answer::Invalid);
    }
}
