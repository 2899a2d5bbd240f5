//! Languages of user-facing text and per-language labels.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language the tool can speak: Norwegian Bokmål, Norwegian Nynorsk, Swedish or English.
///
/// Nynorsk is a language of the tool's own strings (the visit's screens,
/// explanations); a definition or rule-table text without an `nn` version is
/// shown in Bokmål ([`Localized::get`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Norwegian Bokmål.
    Nb,
    /// Norwegian Nynorsk.
    Nn,
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl Lang {
    /// Every language, in the order labels are listed.
    pub const ALL: [Lang; 4] = [Lang::Nb, Lang::Nn, Lang::Sv, Lang::En];

    /// The ISO 639 code (`nb`, `nn`, `sv`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Picks a language from a POSIX locale such as `nb_NO.UTF-8`, if it is one of ours.
    ///
    /// `no` is read as Bokmål.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let code = locale
            .split(['_', '.', '-', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match code.as_str() {
            "nb" | "no" => Some(Lang::Nb),
            "nn" => Some(Lang::Nn),
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
            "nn" => Ok(Lang::Nn),
            "sv" => Ok(Lang::Sv),
            "en" => Ok(Lang::En),
            other => Err(format!(
                "unknown language `{other}` (expected nb, nn, sv or en)"
            )),
        }
    }
}

/// A short text in one or more languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Localized(pub BTreeMap<Lang, String>);

impl Localized {
    /// Text in `lang`, falling back to English and then to any language
    /// present; a Nynorsk text falls back to Bokmål first.
    pub fn get(&self, lang: Lang) -> &str {
        self.0
            .get(&lang)
            .or_else(|| (lang == Lang::Nn).then(|| self.0.get(&Lang::Nb)).flatten())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nynorsk_texts_fall_back_to_bokmal_then_english() {
        let both = Localized(BTreeMap::from([
            (Lang::Nb, "ikke".to_owned()),
            (Lang::En, "not".to_owned()),
        ]));
        assert_eq!(both.get(Lang::Nn), "ikke");
        assert_eq!(Localized::single(Lang::En, "not").get(Lang::Nn), "not");
        let nn = Localized(BTreeMap::from([
            (Lang::Nb, "ikke".to_owned()),
            (Lang::Nn, "ikkje".to_owned()),
        ]));
        assert_eq!(nn.get(Lang::Nn), "ikkje");
        assert_eq!(nn.get(Lang::Sv), "ikke");
    }

    #[test]
    fn locales_and_codes_name_nynorsk() {
        assert_eq!(Lang::from_locale("nn_NO.UTF-8"), Some(Lang::Nn));
        assert_eq!(Lang::from_locale("no_NO"), Some(Lang::Nb));
        assert_eq!("NN".parse::<Lang>(), Ok(Lang::Nn));
        assert!(
            "ar".parse::<Lang>()
                .unwrap_err()
                .contains("nb, nn, sv or en")
        );
    }
}
