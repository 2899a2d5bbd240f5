//! Text packs: a service's licensed or official wording of an instrument.
//!
//! stepcare ships no instrument's verbatim wording. A service that holds the
//! rights writes a text pack from its own forms and loads it with `--texts`;
//! the pack is checked against the instrument so that a wrong item id or
//! option position is caught before a family sees it.
//!
//! A pack may be in any language, named by its BCP-47 tag (`nb`, `ar`,
//! `ti-ER`, `so`): the family reads the questions in their language while
//! the screens stay in the clinician's (`--lang`).

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Diagnostic;
use crate::instrument::Instrument;
use crate::lang::Lang;
use crate::yaml::{self, Spanned};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTextPack {
    #[schemars(with = "String")]
    instrument: Spanned<String>,
    #[schemars(with = "String")]
    language: Spanned<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    instructions: Option<String>,
    #[schemars(with = "HashMap<String, RawItemText>")]
    items: HashMap<Spanned<String>, RawItemText>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawItemText {
    text: String,
    #[serde(default)]
    #[schemars(with = "HashMap<usize, String>")]
    options: HashMap<Spanned<usize>, String>,
}

/// The wording of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemText {
    /// The question as printed.
    pub text: String,
    /// Option wording by 0-based printed position.
    pub options: BTreeMap<usize, String>,
}

/// Licensed wording of one instrument in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPack {
    /// The instrument it belongs to.
    pub instrument: String,
    /// Its language, a BCP-47 tag as written in the pack (`nb`, `ar`, `ti-ER`).
    pub language: String,
    /// Where the wording comes from (the form, the permission).
    pub source: Option<String>,
    /// Instructions shown before the first question.
    pub instructions: Option<String>,
    /// Wording by item id.
    pub items: BTreeMap<String, ItemText>,
}

impl TextPack {
    /// The tool's language the pack is in, if it is one of them (`nb-NO` is
    /// Bokmål, `no` too).
    pub fn ui_lang(&self) -> Option<Lang> {
        Lang::from_locale(&self.language)
    }

    /// Whether the pack is in the language `lang`.
    pub fn is_in(&self, lang: Lang) -> bool {
        self.ui_lang() == Some(lang)
    }

    /// The wording of an item, if the pack has it.
    pub fn item(&self, id: &str) -> Option<&ItemText> {
        self.items.get(id)
    }
}

/// Reads a text pack and checks it against the instruments it may belong to.
pub fn load_text_pack(
    path: &str,
    text: &str,
    instruments: &[&Instrument],
) -> Result<TextPack, Vec<Diagnostic>> {
    let raw: RawTextPack = yaml::parse(path, text).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let error = |at: SpotOf<'_>, message: String| {
        let spot = match at {
            SpotOf::Text(s) => yaml::spot(s, text),
            SpotOf::Number(s) => yaml::spot(s, text),
        };
        Diagnostic::error(path, spot, message)
    };
    let language = if is_language_tag(&raw.language.value) {
        Some(raw.language.value.trim().to_owned())
    } else {
        problems.push(
            error(
                SpotOf::Text(&raw.language),
                format!("`{}` is not a language tag", raw.language.value),
            )
            .expected("a BCP-47 language tag such as nb, sv, en, ar, so or ti-ER".to_owned()),
        );
        None
    };
    let Some(instrument) = instruments.iter().find(|i| i.id == raw.instrument.value) else {
        let known: Vec<&str> = instruments.iter().map(|i| i.id.as_str()).collect();
        problems.push(
            error(
                SpotOf::Text(&raw.instrument),
                format!("unknown instrument `{}`", raw.instrument.value),
            )
            .expected(crate::instrument::one_of(&known)),
        );
        return Err(problems);
    };
    let mut items = BTreeMap::new();
    let mut entries: Vec<_> = raw.items.into_iter().collect();
    entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
    for (id, item_text) in entries {
        let Some(index) = instrument.item_index(&id.value) else {
            let known: Vec<&str> = instrument.items.iter().map(|i| i.id.as_str()).collect();
            problems.push(
                error(
                    SpotOf::Text(&id),
                    format!("instrument `{}` has no item `{}`", instrument.id, id.value),
                )
                .expected(crate::instrument::one_of(&known)),
            );
            continue;
        };
        let count = instrument.items[index].options.len();
        let mut options = BTreeMap::new();
        let mut option_entries: Vec<_> = item_text.options.into_iter().collect();
        option_entries.sort_by_key(|(k, _)| k.value);
        for (position, wording) in option_entries {
            if (1..=count).contains(&position.value) {
                options.insert(position.value - 1, wording);
            } else {
                problems.push(
                    error(
                        SpotOf::Number(&position),
                        format!(
                            "item `{}` has no option {} (options are numbered by printed position)",
                            id.value, position.value
                        ),
                    )
                    .expected(format!("a position from 1 to {count}")),
                );
            }
        }
        items.insert(
            id.value.clone(),
            ItemText {
                text: item_text.text,
                options,
            },
        );
    }
    match (problems.is_empty(), language) {
        (true, Some(language)) => Ok(TextPack {
            instrument: instrument.id.clone(),
            language,
            source: raw.source,
            instructions: raw.instructions,
            items,
        }),
        _ => Err(problems),
    }
}

/// Whether `tag` has the shape of a BCP-47 language tag: a primary
/// language subtag of 2-3 letters, then subtags of 1-8 letters or digits.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.trim().split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

enum SpotOf<'a> {
    Text(&'a Spanned<String>),
    Number(&'a Spanned<usize>),
}
