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

/// The largest definition file read, in bytes: the largest shipped one is
/// about 30 KiB, so 4 MiB leaves room for any real table and refuses a
/// runaway file at once rather than after seconds of parsing.
pub const MAX_YAML_BYTES: usize = 4 << 20;
/// Deepest nesting of lists and mappings.
const MAX_DEPTH: usize = 32;
/// Most aliases (`*name`) in one file.
const MAX_ALIASES: usize = 1_000;
/// Most values (scalars, lists, mappings) in one file.
const MAX_NODES: usize = 200_000;

/// The error for a file over [`MAX_YAML_BYTES`].
pub fn too_large(path: &str, bytes: usize) -> Diagnostic {
    Diagnostic::error(
        path,
        SourceSpot::unknown(),
        format!(
            "the file is {} MiB; a definition file may be at most {} MiB, so this is not one",
            bytes.div_ceil(1 << 20),
            MAX_YAML_BYTES >> 20
        ),
    )
}

/// Parses `text` (the contents of `path`) into `T`, or explains what is wrong.
pub fn parse<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, Diagnostic> {
    if text.len() > MAX_YAML_BYTES {
        return Err(too_large(path, text.len()));
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = MAX_ALIASES;
    budget.max_nodes = MAX_NODES;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|err| {
        let spot = err
            .location()
            .map(|location| spot_of(&location, text))
            .unwrap_or_default();
        let message = for_people(&plain_message(&err));
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
    // The parser repeats the location at the end; it is shown once, above the snippet.
    let first = match first.rfind(" at line ") {
        Some(i) if first[i..].contains(", column ") => &first[..i],
        _ => first,
    };
    first.to_owned()
}

/// The parser's message in the project's words: no option names of the
/// library, no Debug output, no Rust type names.
fn for_people(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or("")
            .trim_start_matches(':')
            .trim();
        return if key.is_empty() {
            "a key is written twice in this mapping".to_owned()
        } else {
            format!("the key `{key}` is written twice in this mapping")
        };
    }
    if let Some(breach) = message.strip_prefix("budget breached: ") {
        let kind = breach.split([' ', '{', '(']).next().unwrap_or("");
        return match kind {
            "Depth" => format!("the file nests lists and mappings more than {MAX_DEPTH} deep"),
            "Aliases" | "AliasAnchorRatio" | "RecordedAnchorEvents" | "RecordedAnchorBytes" => {
                format!(
                    "the file uses more than {MAX_ALIASES} aliases (`*name`) or expands them too often"
                )
            }
            "Nodes" | "Events" => {
                format!(
                    "the file has more than {MAX_NODES} values, far more than a definition needs"
                )
            }
            "Documents" => "the file holds more than one YAML document".to_owned(),
            _ => format!(
                "the file is larger than a definition can be (at most {} MiB of text)",
                MAX_YAML_BYTES >> 20
            ),
        };
    }
    if let Some(ty) = message.strip_prefix("invalid ")
        && let Some(what) = rust_type(ty.trim())
    {
        return format!("this is not {what}");
    }
    if message.starts_with("internal ")
        || message.starts_with("recursive references")
        || message.starts_with("input does not contain value verbatim")
        || message == "IO error"
    {
        return "the YAML cannot be read here".to_owned();
    }
    if let Some(value) = message
        .strip_prefix("The string value [")
        .and_then(|v| v.strip_suffix("] must be quoted"))
    {
        return format!("the value `{value}` must be written in quotes");
    }
    let message = message
        .replace("invalid type: ", "found ")
        .replace("invalid value: ", "found ")
        .replace("invalid length ", "found a length of ");
    // serde names the Rust type that was expected; say what a person writes.
    match message.rsplit_once(", expected ") {
        Some((head, expected)) => match rust_type(expected.trim()) {
            Some(what) => format!("{head}, expected {what}"),
            None if expected.starts_with("struct ") || expected.starts_with("a map") => {
                format!("{head}, expected a mapping (`key: value` lines)")
            }
            None if expected.starts_with("a sequence") => {
                format!("{head}, expected a list")
            }
            None => message.clone(),
        },
        None => message.clone(),
    }
}

/// What a person writes for a Rust scalar type serde names.
fn rust_type(name: &str) -> Option<&'static str> {
    Some(match name {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" | "u64" | "usize" | "u128" => "a whole number, 0 or more",
        "i8" => "a whole number from -128 to 127",
        "i16" => "a whole number from -32768 to 32767",
        "i32" => "a whole number from -2147483648 to 2147483647",
        "i64" | "isize" | "i128" => "a whole number",
        "f32" | "f64" => "a number",
        "bool" | "a boolean" => "true or false",
        "char" | "a character" => "a single character",
        _ => return None,
    })
}

/// Splits serde's "..., expected X" into the message and what was expected.
fn split_expected(message: &str) -> (String, Option<String>) {
    match message.rsplit_once(", expected ") {
        Some((head, expected)) => (head.to_owned(), Some(expected.to_owned())),
        None => (message.to_owned(), None),
    }
}

/// The top-level keys of a YAML mapping, to tell kinds of definition file apart.
pub fn top_level_keys(text: &str) -> Option<Vec<String>> {
    if text.len() > MAX_YAML_BYTES {
        return None;
    }
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
        assert!(err.message.contains("written twice"), "{err:?}");
        assert_eq!(err.spot.line, 2);
    }

    #[test]
    fn messages_carry_no_library_wording() {
        let cases = [
            (
                "id: a\nid: b\npoints: []\n",
                "the key `id` is written twice",
            ),
            (
                "id: a\npoints: [1, two]\n",
                "not a whole number from 0 to 255",
            ),
            ("id: a\npoints: [300]\n", "from 0 to 255"),
            ("id: [a\n", ""),
        ];
        for (text, wanted) in cases {
            let err = parse::<Doc>("x.yaml", text).unwrap_err();
            let all = format!("{} {:?}", err.message, err.expected);
            for word in ["DuplicateKeyPolicy", "budget", "u8", "i32", "Options", "{"] {
                assert!(!all.contains(word), "{word} in {all}");
            }
            assert!(all.contains(wanted), "{wanted} not in {all}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_in_words() {
        let text = format!("a: {}1{}\n", "[".repeat(40), "]".repeat(40));
        let err = parse::<serde::de::IgnoredAny>("x.yaml", &text).unwrap_err();
        assert!(err.message.contains("more than 32 deep"), "{}", err.message);
    }

    #[test]
    fn a_huge_file_is_refused_before_parsing() {
        let text = format!("id: \"{}\"\npoints: []\n", "x".repeat(MAX_YAML_BYTES));
        let err = parse::<Doc>("big.yaml", &text).unwrap_err();
        assert!(err.message.contains("at most 4 MiB"), "{}", err.message);
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
