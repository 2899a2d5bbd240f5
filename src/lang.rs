//! Languages of user-facing text and per-language labels.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language the tool can speak: Norwegian Bokmål, Swedish or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Norwegian Bokmål.
    Nb,
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl Lang {
    /// Every language, in the order labels are listed.
    pub const ALL: [Lang; 3] = [Lang::Nb, Lang::Sv, Lang::En];

    /// The ISO 639 code (`nb`, `sv`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Picks a language from a POSIX locale such as `nb_NO.UTF-8`, if it is one of ours.
    ///
    /// `no` and `nn` are read as Bokmål because the tool ships no Nynorsk text.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let code = locale
            .split(['_', '.', '-', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match code.as_str() {
            "nb" | "no" | "nn" => Some(Lang::Nb),
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "nb" => Ok(Lang::Nb),
            "sv" => Ok(Lang::Sv),
            "en" => Ok(Lang::En),
            other => Err(format!(
                "unknown language `{other}` (expected nb, sv or en)"
            )),
        }
    }
}

/// A short text in one or more languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Localized(pub BTreeMap<Lang, String>);

impl Localized {
    /// Text in `lang`, falling back to English and then to any language present.
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| self.0.get(&Lang::En))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// Whether a text exists in `lang` itself (no fallback).
    pub fn has(&self, lang: Lang) -> bool {
        self.0.contains_key(&lang)
    }

    /// Every text with its language.
    pub fn iter(&self) -> impl Iterator<Item = (Lang, &str)> {
        self.0.iter().map(|(lang, text)| (*lang, text.as_str()))
    }

    /// A text in one language.
    pub fn single(lang: Lang, text: impl Into<String>) -> Self {
        Localized(BTreeMap::from([(lang, text.into())]))
    }
}

/// Reads texts keyed by language code, checking them against the languages a file declares.
///
/// Returns the texts (trimmed) and, as phrases with what was expected, every
/// problem: an unknown language code, an empty text, a declared language
/// with no text. `what` names the label in those phrases ("item `q1`");
/// `owner` names the file's kind ("instrument", "table").
pub fn read_labels(
    raw: &BTreeMap<String, String>,
    declared: &[Lang],
    what: &str,
    owner: &str,
) -> (Localized, Vec<(String, Option<String>)>) {
    let mut texts = BTreeMap::new();
    let mut problems = Vec::new();
    for (code, text) in raw {
        match code.parse::<Lang>() {
            Ok(lang) => {
                if text.trim().is_empty() {
                    problems.push((format!("the `{code}` text of {what} is empty"), None));
                }
                texts.insert(lang, text.trim().to_owned());
            }
            Err(message) => problems.push((format!("{what}: {message}"), None)),
        }
    }
    let missing: Vec<&str> = declared
        .iter()
        .filter(|lang| !texts.contains_key(lang))
        .map(|lang| lang.code())
        .collect();
    if !missing.is_empty() {
        let all: Vec<&str> = declared.iter().map(|l| l.code()).collect();
        problems.push((
            format!("{what} has no text in {}", missing.join(", ")),
            Some(format!(
                "a text in every language the {owner} declares ({})",
                all.join(", ")
            )),
        ));
    }
    (Localized(texts), problems)
}

/// A count with its English noun in the right number: `1 item`, `2 items`, `0 items`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
