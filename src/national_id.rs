//! Recognises national identity numbers, so that they are not saved by mistake.
//!
//! A visit's `--id` must be a record-system or study reference, never a
//! person's identity number. [`looks_like`] tells when a text is one:
//! - a Norwegian fødselsnummer (or D-number): 11 digits, a date (day + 40
//!   for a D-number, month + 40 or + 80 for test and H-numbers), and the two
//!   mod-11 check digits (weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2),
//!   as published by the Norwegian Tax Administration (Skatteetaten);
//! - a Swedish personnummer or samordningsnummer: 10 or 12 digits, with an
//!   optional `-` or `+` before the last four, a date (day + 60 for a
//!   samordningsnummer) and the Luhn check digit over the 10-digit form, as
//!   published by the Swedish Tax Agency (Skatteverket, SKV 704).

/// Which identity number a text looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NationalId {
    /// A Norwegian fødselsnummer or D-number.
    Fodselsnummer,
    /// A Swedish personnummer or samordningsnummer.
    Personnummer,
}

/// Which national identity number `text` is, if it is one (spaces ignored).
pub fn looks_like(text: &str) -> Option<NationalId> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if is_fodselsnummer(&compact) {
        return Some(NationalId::Fodselsnummer);
    }
    if is_personnummer(&compact) {
        return Some(NationalId::Personnummer);
    }
    None
}

fn digits(text: &str) -> Option<Vec<u32>> {
    text.chars().map(|c| c.to_digit(10)).collect()
}

fn plausible_date(day: u32, month: u32) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

fn is_fodselsnummer(text: &str) -> bool {
    let Some(d) = digits(text).filter(|d| d.len() == 11) else {
        return false;
    };
    let mut day = d[0] * 10 + d[1];
    if day > 40 {
        day -= 40;
    }
    let mut month = d[2] * 10 + d[3];
    if month > 80 {
        month -= 80;
    } else if month > 40 {
        month -= 40;
    }
    if !plausible_date(day, month) {
        return false;
    }
    let check = |weights: &[u32], count: usize| -> Option<u32> {
        let sum: u32 = d[..count].iter().zip(weights).map(|(a, b)| a * b).sum();
        match 11 - sum % 11 {
            11 => Some(0),
            10 => None,
            k => Some(k),
        }
    };
    check(&[3, 7, 6, 1, 8, 9, 4, 5, 2], 9) == Some(d[9])
        && check(&[5, 4, 3, 2, 7, 6, 5, 4, 3, 2], 10) == Some(d[10])
}

fn is_personnummer(text: &str) -> bool {
    let plain: String = match text.len() {
        11 | 13 if matches!(text.as_bytes()[text.len() - 5], b'-' | b'+') => {
            format!("{}{}", &text[..text.len() - 5], &text[text.len() - 4..])
        }
        _ => text.to_owned(),
    };
    let Some(mut d) = digits(&plain) else {
        return false;
    };
    match d.len() {
        10 => {}
        12 => {
            d.drain(..2);
        }
        _ => return false,
    }
    let month = d[2] * 10 + d[3];
    let mut day = d[4] * 10 + d[5];
    if day > 60 {
        day -= 60;
    }
    if !plausible_date(day, month) {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let v = if i % 2 == 0 { x * 2 } else { x };
            v / 10 + v % 10
        })
        .sum();
    (10 - sum % 10) % 10 == d[9]
}

#[cfg(test)]
mod tests {
    use super::*;

    // Synthetic numbers built with the published check-digit rules.
    #[test]
    fn norwegian_numbers_with_valid_check_digits_are_recognised() {
        assert_eq!(looks_like("01019012480"), Some(NationalId::Fodselsnummer));
        assert_eq!(looks_like("150585 32107"), Some(NationalId::Fodselsnummer));
        // A D-number (day + 40).
        assert_eq!(looks_like("41019012393"), Some(NationalId::Fodselsnummer));
        // One digit changed breaks a check digit.
        assert_eq!(looks_like("01019012481"), None);
        assert_eq!(looks_like("01019012580"), None);
    }

    #[test]
    fn swedish_numbers_with_a_valid_luhn_digit_are_recognised() {
        // Skatteverket's published example form: 811218-9876.
        assert_eq!(looks_like("811218-9876"), Some(NationalId::Personnummer));
        assert_eq!(looks_like("198112189876"), Some(NationalId::Personnummer));
        assert_eq!(looks_like("8112189876"), Some(NationalId::Personnummer));
        assert_eq!(looks_like("811218-9877"), None);
    }

    #[test]
    fn references_are_not_identity_numbers() {
        for text in [
            "H-2291",
            "12345",
            "",
            "ABC-01019012345",
            "99999999999",
            "2026-11-23",
        ] {
            assert_eq!(looks_like(text), None, "{text}");
        }
    }
}
