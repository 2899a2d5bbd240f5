//! Other systems' questionnaire formats: FHIR and REDCap in, FHIR out.
//!
//! Importers turn a FHIR Questionnaire or a REDCap data dictionary into a
//! [`Draft`], which is written as an ordinary instrument definition (YAML)
//! and then loaded and validated like any other, so an imported instrument
//! is held to the same checks as a shipped one. [`lint`] compares it with a
//! vetted definition. [`responses`] reads FHIR QuestionnaireResponses as rows
//! for the batch scorer, and [`observations`] writes scores back as FHIR.

pub mod fhir;
pub mod lint;
pub mod observations;
pub mod redcap;
pub mod responses;

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An instrument read from another system, before it is written as YAML.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The instrument id.
    pub id: String,
    /// The name (the source's title).
    pub name: String,
    /// The language the labels are written in.
    pub lang: String,
    /// The source's version, or `imported`.
    pub version: String,
    /// Where the definition came from.
    pub citation: String,
    /// Who holds the rights to the labels.
    pub licence: String,
    /// Standard codes of the whole instrument (for example the LOINC panel).
    pub codes: BTreeMap<String, String>,
    /// The scored questions, in printed order.
    pub items: Vec<DraftItem>,
    /// The scales.
    pub scales: Vec<DraftScale>,
    /// What could not be carried over, each naming its linkId or field.
    pub not_carried: Vec<String>,
    /// Things the user should check (1-based codes, sum() over blanks).
    pub warnings: Vec<String>,
    /// Critical-item flags carried over from a vetted instrument.
    pub flags: Vec<DraftFlag>,
}

/// A critical-item flag of a [`Draft`], carried over from a vetted instrument.
///
/// Sources carry no flags, and an imported EPDS that never raises its
/// self-harm flag would be dangerous; `import` copies the vetted
/// instrument's flags onto the matching items and says so.
#[derive(Debug, Clone, Default)]
pub struct DraftFlag {
    /// The flag id.
    pub id: String,
    /// The id of the imported item it watches.
    pub item: String,
    /// The points at which it is raised.
    pub at_least: i32,
    /// Whether it is urgent.
    pub urgent: bool,
    /// Its label, in the draft's language.
    pub label: String,
    /// The action, in the draft's language.
    pub action: String,
    /// Where it came from (the vetted instrument and its source).
    pub source: String,
    /// The id of the vetted instrument.
    pub from: String,
    /// How the item was matched (`by LOINC code` or `by position`).
    pub matched: String,
}

/// One scored question of a [`Draft`].
#[derive(Debug, Clone, Default)]
pub struct DraftItem {
    /// The item id (derived from the linkId or field name).
    pub id: String,
    /// The question's text in the source.
    pub label: String,
    /// The FHIR linkId, for FHIR sources.
    pub link_id: Option<String>,
    /// Other column names (a REDCap field name that is not a valid id).
    pub aliases: Vec<String>,
    /// Standard codes of the question.
    pub codes: BTreeMap<String, String>,
    /// The options in printed order.
    pub options: Vec<DraftOption>,
}

/// One answer option of a [`DraftItem`].
#[derive(Debug, Clone, Default)]
pub struct DraftOption {
    /// The points it scores.
    pub points: i32,
    /// Its text in the source.
    pub label: String,
    /// Its code.
    pub code: Option<String>,
    /// Its code system.
    pub system: Option<String>,
}

/// A sum scale of a [`Draft`].
#[derive(Debug, Clone, Default)]
pub struct DraftScale {
    /// The scale id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Ids of its items.
    pub items: Vec<String>,
    /// Standard codes of the score.
    pub codes: BTreeMap<String, String>,
    /// linkIds or field names holding the source system's stored value.
    pub stored: Vec<String>,
}

/// An identifier stepcare accepts, made from a linkId or a field name.
///
/// Lower-case letters, digits, `_` and `-`, starting with a letter (`q` is
/// put in front otherwise): `/44250-9` becomes `q44250-9`.
pub fn to_id(text: &str, prefix: &str) -> String {
    let mut id: String = text
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    id = id.trim_matches('_').to_owned();
    if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        id.insert_str(0, prefix);
    }
    id
}

/// Makes `id` unique among `taken` by adding `_2`, `_3`, ...
pub fn unique_id(id: String, taken: &mut Vec<String>) -> String {
    let mut candidate = id.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{id}_{n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// A YAML double-quoted string (JSON string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// A label short enough for a table, on one line, never empty.
fn clean_label(text: &str, fallback: &str) -> String {
    let mut plain = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = plain.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.is_empty() {
        fallback.to_owned()
    } else if joined.chars().count() > 120 {
        let cut: String = joined.chars().take(117).collect();
        format!("{cut}...")
    } else {
        joined
    }
}

fn write_codes(out: &mut String, indent: &str, codes: &BTreeMap<String, String>) {
    if codes.is_empty() {
        return;
    }
    let entries: Vec<String> = codes
        .iter()
        .map(|(k, v)| format!("{}: {}", k, quoted(v)))
        .collect();
    let _ = writeln!(out, "{indent}codes: {{{}}}", entries.join(", "));
}

impl Draft {
    /// The instrument definition as YAML, with what was not carried over as comments.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        let lang = &self.lang;
        let _ = writeln!(
            out,
            "# Imported by `stepcare import`. Check the points against the source's\n# scoring instructions before using this definition for care."
        );
        if !self.not_carried.is_empty() {
            let _ = writeln!(out, "#\n# Not carried over from the source:");
            for note in &self.not_carried {
                for (n, line) in note.lines().enumerate() {
                    let lead = if n == 0 { "# - " } else { "#   " };
                    let _ = writeln!(out, "{lead}{line}");
                }
            }
        }
        if !self.flags.is_empty() {
            let _ = writeln!(
                out,
                "#\n# Critical-item flags: carried over from stepcare's vetted definitions (see `flags:`)."
            );
        }
        let _ = writeln!(out, "id: {}", quoted(&self.id));
        let _ = writeln!(out, "name: {{{lang}: {}}}", quoted(&self.name));
        let _ = writeln!(out, "version: {}", quoted(&self.version));
        let _ = writeln!(out, "citation: {}", quoted(&self.citation));
        let _ = writeln!(out, "licence: {}", quoted(&self.licence));
        let _ = writeln!(out, "languages: [{lang}]");
        write_codes(&mut out, "", &self.codes);
        let _ = writeln!(out, "items:");
        for item in &self.items {
            let _ = writeln!(out, "  - id: {}", quoted(&item.id));
            let _ = writeln!(
                out,
                "    label: {{{lang}: {}}}",
                quoted(&clean_label(&item.label, &item.id))
            );
            if let Some(link_id) = &item.link_id {
                let _ = writeln!(out, "    link_id: {}", quoted(link_id));
            }
            if !item.aliases.is_empty() {
                let aliases: Vec<String> = item.aliases.iter().map(|a| quoted(a)).collect();
                let _ = writeln!(out, "    aliases: [{}]", aliases.join(", "));
            }
            write_codes(&mut out, "    ", &item.codes);
            let _ = writeln!(out, "    options:");
            let mut seen: Vec<String> = Vec::new();
            for (n, option) in item.options.iter().enumerate() {
                let fallback = option
                    .code
                    .clone()
                    .unwrap_or_else(|| format!("option {}", n + 1));
                let mut label = clean_label(&option.label, &fallback);
                // Labels must tell the options apart (cells may hold labels).
                if seen.iter().any(|s| s.eq_ignore_ascii_case(&label)) {
                    label = format!("{label} ({})", n + 1);
                }
                seen.push(label.clone());
                let _ = write!(
                    out,
                    "      - {{points: {}, label: {{{lang}: {}}}",
                    option.points,
                    quoted(&label)
                );
                if let Some(code) = &option.code {
                    let _ = write!(out, ", code: {}", quoted(code));
                }
                if let Some(system) = &option.system {
                    let _ = write!(out, ", system: {}", quoted(system));
                }
                let _ = writeln!(out, "}}");
            }
        }
        if !self.scales.is_empty() {
            let _ = writeln!(out, "scales:");
        }
        for scale in &self.scales {
            let _ = writeln!(out, "  - id: {}", quoted(&scale.id));
            let _ = writeln!(
                out,
                "    label: {{{lang}: {}}}",
                quoted(&clean_label(&scale.label, &scale.id))
            );
            let items: Vec<String> = scale.items.iter().map(|i| quoted(i)).collect();
            let _ = writeln!(out, "    items: [{}]", items.join(", "));
            let _ = writeln!(out, "    method: sum");
            write_codes(&mut out, "    ", &scale.codes);
            if !scale.stored.is_empty() {
                let stored: Vec<String> = scale.stored.iter().map(|s| quoted(s)).collect();
                let _ = writeln!(out, "    stored: [{}]", stored.join(", "));
            }
        }
        if !self.flags.is_empty() {
            let _ = writeln!(out);
        }
        for (n, flag) in self.flags.iter().enumerate() {
            if n == 0 {
                let _ = writeln!(
                    out,
                    "# The source defines no critical-item flags. These are carried over by\n\
                     # `stepcare import` from the vetted shipped instrument(s) named in each\n\
                     # `source`: the item each watches matches the vetted item ({}) and\n\
                     # scores its options the same. Keep them: without them an endorsed\n\
                     # critical item (such as self-harm) is never raised.",
                    flag.matched
                );
                let _ = writeln!(out, "flags:");
            }
            let _ = writeln!(out, "  - id: {}", quoted(&flag.id));
            let _ = writeln!(out, "    item: {}", quoted(&flag.item));
            let _ = writeln!(out, "    at_least: {}", flag.at_least);
            let _ = writeln!(out, "    urgent: {}", flag.urgent);
            let _ = writeln!(out, "    label: {{{lang}: {}}}", quoted(&flag.label));
            let _ = writeln!(out, "    action: {{{lang}: {}}}", quoted(&flag.action));
            let _ = writeln!(out, "    source: {}", quoted(&flag.source));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_link_ids_and_field_names() {
        assert_eq!(to_id("/44250-9", "q"), "q44250-9");
        assert_eq!(to_id("PHQ-9.1", "q"), "phq-9_1");
        assert_eq!(to_id("2.1.1", "q"), "q2_1_1");
        assert_eq!(to_id("Phq8_1", "q"), "phq8_1");
        let mut taken = vec!["a".to_owned()];
        assert_eq!(unique_id("a".to_owned(), &mut taken), "a_2");
    }

    #[test]
    fn labels_lose_markup_and_newlines() {
        assert_eq!(clean_label("<b>Hi</b>\n  there", "x"), "Hi there");
        assert_eq!(clean_label("  ", "x"), "x");
    }
}
