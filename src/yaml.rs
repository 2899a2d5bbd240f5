//! The one place that reads YAML.
//!
//! Every definition file (instruments, rule tables, text packs, column maps) is
//! parsed here, with the parser's limits set once: duplicate keys are errors,
//! and alias expansion and nesting depth are bounded so a hostile file cannot
//! exhaust memory.

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, SourceSpot};

/// A value with the place in the YAML file it came from.
pub use serde_saphyr::Spanned;

/// Parses `text` (the contents of `path`) into `T`, or explains what is wrong.
pub fn parse<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, Diagnostic> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 32;
    budget.max_aliases = 1_000;
    budget.max_nodes = 200_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|err| {
        let spot = err
            .location()
            .map(|location| spot_of(&location, text))
            .unwrap_or_default();
        let message = plain_message(&err);
        let (message, expected) = split_expected(&message);
        let mut diagnostic = Diagnostic::error(path, spot, message);
        if let Some(expected) = expected {
            diagnostic = diagnostic.expected(expected);
        }
        diagnostic
    })
}

/// The place a spanned value was written.
pub fn spot<T>(value: &Spanned<T>, text: &str) -> SourceSpot {
    spot_of(&value.referenced, text)
}

fn spot_of(location: &serde_saphyr::Location, text: &str) -> SourceSpot {
    let line = usize::try_from(location.line()).unwrap_or(0);
    let column = usize::try_from(location.column()).unwrap_or(0);
    let span = location.span();
    let bytes = span.byte_offset().and_then(|start| {
        let start = usize::try_from(start).ok()?;
        let len = span
            .byte_len()
            .and_then(|len| usize::try_from(len).ok())
            .unwrap_or(0);
        Some(token_range(text, start, len))
    });
    SourceSpot {
        line,
        column,
        bytes,
    }
}

/// A non-empty byte range to put the caret under: the given span, or the token at `start`.
fn token_range(text: &str, start: usize, len: usize) -> std::ops::Range<usize> {
    let start = start.min(text.len());
    if len > 0 {
        let end = (start + len).min(text.len());
        // A multi-line span (a whole mapping) is cut to its first line.
        let end = text[start..end].find('\n').map_or(end, |i| start + i);
        if end > start {
            return start..end;
        }
    }
    let rest = &text[start..];
    let token = rest
        .find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}')
        .unwrap_or(rest.len());
    start..start + token.max(rest.chars().next().map_or(0, char::len_utf8))
}

/// The parser's message without its own location prefix and snippet.
fn plain_message(err: &serde_saphyr::Error) -> String {
    let text = err.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("").trim();
    // The parser prefixes "error: line L column C: "; we show the location ourselves.
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    let first = match first.find(": ") {
        Some(i) if first.starts_with("line ") => &first[i + 2..],
        _ => first,
    };
    first.to_owned()
}

/// Splits serde's "..., expected X" into the message and what was expected.
fn split_expected(message: &str) -> (String, Option<String>) {
    // The parser repeats the location at the end; it is shown once, above the snippet.
    let message = match message.rfind(" at line ") {
        Some(i) if message[i..].contains(", column ") => &message[..i],
        _ => message,
    };
    match message.rsplit_once(", expected ") {
        Some((head, expected)) => (head.to_owned(), Some(expected.to_owned())),
        None => (message.to_owned(), None),
    }
}

/// The top-level keys of a YAML mapping, to tell kinds of definition file apart.
pub fn top_level_keys(text: &str) -> Option<Vec<String>> {
    let map: std::collections::BTreeMap<String, serde::de::IgnoredAny> =
        serde_saphyr::from_str(text).ok()?;
    Some(map.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        id: Spanned<String>,
        points: Vec<u8>,
    }

    #[test]
    fn unknown_key_has_location_and_expectation() {
        let text = "id: a\npoints: [1]\nextra: 2\n";
        let err = parse::<Doc>("x.yaml", text).unwrap_err();
        assert_eq!(err.spot.line, 3, "{err:?}");
        assert!(err.message.contains("extra"), "{err:?}");
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let text = "id: a\nid: b\npoints: []\n";
        let err = parse::<Doc>("x.yaml", text).unwrap_err();
        assert!(err.message.contains("duplicate"), "{err:?}");
        assert_eq!(err.spot.line, 2);
    }

    #[test]
    fn wrong_type_points_at_value() {
        let text = "id: a\npoints: [1, two]\n";
        let err = parse::<Doc>("x.yaml", text).unwrap_err();
        assert_eq!(err.spot.line, 2);
        let bytes = err.spot.bytes.clone().unwrap();
        assert_eq!(&text[bytes], "two");
    }

    #[test]
    fn spanned_value_knows_its_place() {
        let text = "points: []\nid: abc\n";
        let doc: Doc = parse("x.yaml", text).unwrap();
        let spot = spot(&doc.id, text);
        assert_eq!((spot.line, spot.column), (2, 5));
        assert_eq!(&text[spot.bytes.unwrap()], "abc");
    }
}
