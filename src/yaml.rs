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

/// Reads a definition file as text: at most [`MAX_YAML_BYTES`], and UTF-8, or
/// a diagnostic that says so (for text that is not UTF-8, with the line and
/// column of the first byte that is not).
pub fn read_definition(path: &std::path::Path) -> Result<String, Diagnostic> {
    use std::io::Read;
    let shown = path.display().to_string();
    let cannot = |err: std::io::Error| {
        Diagnostic::error(
            &shown,
            SourceSpot::unknown(),
            format!(
                "cannot read the file: {}",
                crate::diagnostic::io_words(&err)
            ),
        )
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells a file that is too large without reading all of it.
    file.take(MAX_YAML_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() > MAX_YAML_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
        return Err(too_large(
            &shown,
            usize::try_from(size).unwrap_or(usize::MAX),
        ));
    }
    definition_text(&shown, bytes)
}

/// The bytes of a definition file as text, or where they stop being UTF-8.
pub fn definition_text(path: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|err| {
        let bytes = err.as_bytes();
        let at = err.utf8_error().valid_up_to();
        let before = &bytes[..at];
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        // Columns count characters, and the text before the byte on its line is UTF-8.
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        Diagnostic::error(
            path,
            SourceSpot {
                line,
                column,
                bytes: None,
            },
            format!(
                "the file is not UTF-8 text: the byte 0x{:02X} at line {line}, column {column} is not a UTF-8 character",
                bytes[at]
            ),
        )
        .expected("a file saved as UTF-8 (in an editor: save with encoding UTF-8; or `iconv -f windows-1252 -t utf-8`)")
    })
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
        let mut spot = err
            .location()
            .map(|location| spot_of(&location, text))
            .unwrap_or_default();
        let raw = plain_message(&err);
        if is_about_a_tab(&raw) {
            // The parser points at the value it was reading; the tab may be further on.
            let from = spot.bytes.as_ref().map_or(0, |b| b.start);
            if let Some(tab) = text[from..].find('\t').map(|i| from + i) {
                spot = spot_at(text, tab);
            }
        }
        let message = for_people(&raw);
        let (message, expected) = split_expected(&message);
        let mut diagnostic = Diagnostic::error(path, spot, message);
        if let Some(expected) = expected {
            diagnostic = diagnostic.expected(expected);
        }
        diagnostic
    })
}

/// The word a template writes where the user must fill something in.
pub const PLACEHOLDER: &str = "REPLACE_ME";

/// Most placeholder lines reported one by one; more are counted in a last note.
const MAX_PLACEHOLDERS_SHOWN: usize = 200;

/// Every line of a template that still holds a [`PLACEHOLDER`] outside a
/// comment, each as an error naming the key to fill in: all of them at once,
/// where parsing would stop at the first one that is not a valid value.
pub fn placeholders(path: &str, text: &str) -> Vec<Diagnostic> {
    if !text.contains(PLACEHOLDER) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut more = 0;
    // The keys leading to the current line, with the column each starts at,
    // read from the indentation in one pass.
    let mut keys: Vec<(usize, &str)> = Vec::new();
    // While inside a block scalar (`key: >-`), the indentation of its key's line.
    let mut block: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = without_comment(line.trim_end_matches(['\n', '\r']));
        if content.trim().is_empty() {
            continue;
        }
        let indent = content.len() - content.trim_start().len();
        if block.is_some_and(|owner| indent > owner) {
            // A line of the block scalar: it belongs to the block's key.
        } else {
            block = None;
            let (column, key, value) = line_key(content);
            while keys.last().is_some_and(|&(c, _)| c >= column) {
                keys.pop();
            }
            if let Some(key) = key {
                keys.push((column, key));
                let value = value.trim();
                if value.starts_with('>') || value.starts_with('|') {
                    block = Some(indent);
                }
            }
        }
        let Some(at) = content.find(PLACEHOLDER) else {
            continue;
        };
        if found.len() == MAX_PLACEHOLDERS_SHOWN {
            more += 1;
            continue;
        }
        let count = content.matches(PLACEHOLDER).count();
        // The last few keys are enough to find the place; the line number says the rest.
        let shown: Vec<&str> = keys.iter().rev().take(6).rev().map(|&(_, k)| k).collect();
        let what = if shown.is_empty() {
            "this value".to_owned()
        } else {
            format!("`{}`", shown.join("."))
        };
        let message = if count == 1 {
            format!("{what} still holds the template's placeholder `{PLACEHOLDER}`")
        } else {
            format!(
                "{what} still holds the template's placeholder `{PLACEHOLDER}` ({count} times on this line)"
            )
        };
        let at = start + at;
        let mut spot = spot_at(text, at);
        spot.bytes = Some(at..at + PLACEHOLDER.len());
        found.push(
            Diagnostic::error(path, spot, message)
                .expected("the value from your own licensed materials"),
        );
    }
    if more > 0
        && let Some(last) = found.last_mut()
    {
        last.notes.push(format!(
            "and {more} more {} with `{PLACEHOLDER}` after this one",
            if more == 1 { "line" } else { "lines" }
        ));
    }
    found
}

/// A line without its `# comment`.
fn without_comment(line: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            // A quote opens a quoted value only where a value starts (not in `User's`).
            (None, '\'' | '"') if previous.is_whitespace() || "[{,:".contains(previous) => {
                quote = Some(c);
            }
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return &line[..i],
            _ => {}
        }
        previous = c;
    }
    line
}

/// The column where a line's content starts (after any `- `), its plain
/// `key:` if it has one, and the text after the key.
fn line_key(content: &str) -> (usize, Option<&str>, &str) {
    let indent = content.len() - content.trim_start().len();
    let mut rest = content.trim_start();
    let mut column = indent;
    while let Some(after) = rest.strip_prefix('-').filter(|a| a.starts_with(' ')) {
        let item = after.trim_start();
        column += rest.len() - item.len();
        rest = item;
    }
    match rest.split_once(':') {
        Some((key, value))
            if !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            (column, Some(key), value)
        }
        _ => (column, None, rest),
    }
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

/// Whether the parser's message is about a tab character.
fn is_about_a_tab(message: &str) -> bool {
    message
        .split(|c: char| !c.is_ascii_alphabetic())
        .any(|word| word == "tab" || word == "tabs")
}

/// The spot of the one character at byte `at`.
fn spot_at(text: &str, at: usize) -> SourceSpot {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    SourceSpot {
        line: text[..at].matches('\n').count() + 1,
        column: text[line_start..at].chars().count() + 1,
        bytes: Some(at..at + text[at..].chars().next().map_or(0, char::len_utf8)),
    }
}

/// The parser's message in the project's words: no option names of the
/// library, no Debug output, no Rust type names.
fn for_people(message: &str) -> String {
    if is_about_a_tab(message) {
        return "a tab character: YAML indents and separates with spaces only (replace the tab with spaces)".to_owned();
    }
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
    fn placeholders_are_found_with_their_keys_outside_comments() {
        let text = "id: x # REPLACE_ME in a comment\nname:\n  en: REPLACE_ME\ncitation: >-\n  REPLACE_ME: the reference, it's here\nlist:\n  - - points: \"REPLACE_ME\"\n    # REPLACE_ME\n";
        let found = placeholders("t.yaml", text);
        let messages: Vec<(usize, &str)> = found
            .iter()
            .map(|d| (d.spot.line, d.message.as_str()))
            .collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(
            messages[0].1.starts_with("`name.en` still holds"),
            "{messages:?}"
        );
        assert!(
            messages[1].1.starts_with("`citation` still holds"),
            "{messages:?}"
        );
        assert!(
            messages[2].1.starts_with("`list.points` still holds"),
            "{messages:?}"
        );
        assert_eq!(messages.iter().map(|m| m.0).collect::<Vec<_>>(), [3, 5, 7]);
        let bytes = found[2].spot.bytes.clone().unwrap();
        assert_eq!(&text[bytes], "REPLACE_ME");
    }

    #[test]
    fn many_deep_placeholders_are_counted_not_all_shown() {
        let mut text = String::new();
        for depth in 0..3000 {
            text.push_str(&" ".repeat(depth));
            text.push_str("k: REPLACE_ME\n");
        }
        let found = placeholders("t.yaml", &text);
        assert_eq!(found.len(), MAX_PLACEHOLDERS_SHOWN);
        assert!(found[MAX_PLACEHOLDERS_SHOWN - 1].notes[0].contains("2800 more"));
        assert!(
            found[5].message.starts_with("`k.k.k.k.k.k` still"),
            "{}",
            found[5].message
        );
    }

    #[test]
    fn a_tab_is_reported_where_it_is_in_words() {
        let text = "id: a\nname:\n  nb: x\n\ten: y\npoints: []\n";
        let err = parse::<serde::de::IgnoredAny>("x.yaml", text).unwrap_err();
        assert!(
            err.message.starts_with("a tab character"),
            "{}",
            err.message
        );
        assert_eq!((err.spot.line, err.spot.column), (4, 1), "{err:?}");
    }

    #[test]
    fn text_that_is_not_utf8_is_placed() {
        let err =
            definition_text("x.yaml", b"id: a\nname: caf\xc3\xa9 caf\xe9\n".to_vec()).unwrap_err();
        assert_eq!((err.spot.line, err.spot.column), (2, 15), "{err:?}");
        assert!(err.message.contains("0xE9"), "{}", err.message);
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
