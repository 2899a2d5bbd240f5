//! Turns a parsed definition into a validated [`Instrument`], collecting every problem.

use std::collections::{HashMap, HashSet};

use super::schema::{RawBand, RawInstrument, RawItem, RawLabel, RawOption, RawScale};
use super::{
    AnswerOption, Band, Example, Flag, Instrument, Item, MissingPolicy, Rounding, Scale,
    ScaleMethod, Skip, ValueKind,
};
use crate::diagnostic::{Diagnostic, SourceSpot};
use crate::lang::{Lang, Localized};
use crate::yaml::{self, Spanned};

/// The most options an item may have.
const MAX_OPTIONS: usize = 200;

/// Loads an instrument definition from the text of `path`.
///
/// Returns the instrument (if it has no errors) together with every problem
/// found, errors and warnings alike, in file order.
pub fn load_instrument(path: &str, text: &str) -> (Option<Instrument>, Vec<Diagnostic>) {
    let raw: RawInstrument = match yaml::parse(path, text) {
        Ok(raw) => raw,
        Err(diagnostic) => return (None, vec![diagnostic]),
    };
    let mut builder = Builder {
        path,
        text,
        diagnostics: Vec::new(),
        languages: Vec::new(),
        concerns: Vec::new(),
        age_banded: false,
    };
    let instrument = builder.instrument(raw);
    let mut diagnostics = builder.diagnostics;
    diagnostics.sort_by_key(|d| (d.spot.line, d.spot.column));
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    (ok.then_some(instrument), diagnostics)
}

struct Builder<'a> {
    path: &'a str,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
    languages: Vec<Lang>,
    /// Per item, the points its concern box adds.
    concerns: Vec<Option<i32>>,
    /// Whether the instrument has intervals (its bands take their ranges from them).
    age_banded: bool,
}

#[path = "build_banding.rs"]
mod banding;

impl Builder<'_> {
    fn spot<T>(&self, value: &Spanned<T>) -> SourceSpot {
        yaml::spot(value, self.text)
    }

    fn error<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) -> &mut Diagnostic {
        let spot = self.spot(at);
        self.diagnostics
            .push(Diagnostic::error(self.path, spot, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn instrument(&mut self, raw: RawInstrument) -> Instrument {
        self.check_id(&raw.id, "instrument");
        self.languages = self.languages(&raw.languages);
        let name = self.label(&raw.name, "name");
        let description = raw
            .description
            .as_ref()
            .map(|d| self.label(d, "description"));
        let option_sets: HashMap<String, Vec<AnswerOption>> = raw
            .option_sets
            .iter()
            .map(|(name, options)| (name.clone(), self.options(options)))
            .collect();
        for (name, options) in &raw.option_sets {
            if options.len() > MAX_OPTIONS {
                self.error(
                    &raw.id,
                    format!("option set `{name}` has more than {MAX_OPTIONS} options"),
                );
            }
            if options.len() < 2 {
                self.error(
                    &raw.id,
                    format!("option set `{name}` needs at least two options"),
                );
            }
        }
        let items = self.items(&raw.items, &option_sets);
        self.concerns = self.concerns(&raw);
        self.age_banded = raw.intervals.is_some();
        let scales = self.scales(&raw.scales, &items);
        let flags = self.flags(&raw.flags, &items);
        let age_banding = self.age_banding(&raw, &items, &scales);
        let skips = self.skips(&raw.skips, &items);
        let mut instrument = Instrument {
            id: raw.id.value.clone(),
            name,
            version: raw.version,
            citation: raw.citation,
            licence: raw.licence,
            description,
            languages: self.languages.clone(),
            respondents: raw.respondents,
            codes: raw.codes,
            items,
            scales,
            flags,
            examples: Vec::new(),
            source_path: self.path.to_owned(),
            synthetic: raw.synthetic,
            concerns: self.concerns.clone(),
            age_banding,
            skips,
        };
        instrument.examples = self.examples(&raw.examples, &instrument);
        instrument
    }

    fn check_id(&mut self, id: &Spanned<String>, what: &str) {
        let valid = !id.value.is_empty()
            && id
                .value
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase())
            && id
                .value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            self.error(id, format!("`{}` is not a valid {what} id", id.value))
                .expected =
                Some("lower-case letters, digits, `_` or `-`, starting with a letter".to_owned());
        }
    }

    fn languages(&mut self, raw: &Spanned<Vec<String>>) -> Vec<Lang> {
        let mut languages = Vec::new();
        for code in &raw.value {
            match code.parse::<Lang>() {
                Ok(lang) => languages.push(lang),
                Err(message) => {
                    self.error(raw, message);
                }
            }
        }
        if languages.is_empty() {
            self.error(raw, "an instrument needs at least one language")
                .expected = Some("a list such as [nb, sv, en]".to_owned());
        }
        languages
    }

    fn label(&mut self, raw: &RawLabel, what: &str) -> Localized {
        let (texts, problems) =
            crate::lang::read_labels(&raw.value, &self.languages, what, "instrument");
        for (message, expected) in problems {
            self.error(raw, message).expected = expected;
        }
        texts
    }

    fn options(&mut self, raw: &[RawOption]) -> Vec<AnswerOption> {
        let options: Vec<AnswerOption> = raw
            .iter()
            .enumerate()
            .map(|(i, option)| AnswerOption {
                points: option.points.value,
                label: self.label(&option.label, &format!("option {}", i + 1)),
                code: option.code.as_ref().map(|c| c.value.clone()),
                system: option.system.clone(),
            })
            .collect();
        // Coded answers are matched by (system, code), so a code must name one option only.
        for (i, option) in raw.iter().enumerate() {
            let Some(code) = &option.code else { continue };
            if code.value.trim().is_empty() {
                self.error(code, format!("option {} has an empty code", i + 1));
                continue;
            }
            let clash = raw[..i].iter().position(|earlier| {
                earlier.code.as_ref().is_some_and(|c| c.value == code.value)
                    && earlier.system == option.system
            });
            if let Some(earlier) = clash {
                self.error(
                    code,
                    format!(
                        "the code `{}` of option {} is also the code of option {}",
                        code.value,
                        i + 1,
                        earlier + 1
                    ),
                )
                .expected = Some("codes that tell the options apart".to_owned());
            }
        }
        // Cells may hold labels (`--values label`), so a label must name one option only.
        for (i, option) in options.iter().enumerate() {
            for (lang, text) in option.label.iter() {
                let clash = options[..i].iter().position(|earlier| {
                    earlier
                        .label
                        .iter()
                        .any(|(_, other)| other.trim().eq_ignore_ascii_case(text.trim()))
                });
                if let Some(earlier) = clash {
                    self.error(
                        &raw[i].label,
                        format!(
                            "the {lang} label `{text}` of option {} is also a label of option {}",
                            i + 1,
                            earlier + 1
                        ),
                    )
                    .expected = Some("labels that tell the options apart".to_owned());
                }
            }
        }
        options
    }

    fn items(
        &mut self,
        raw: &[RawItem],
        option_sets: &HashMap<String, Vec<AnswerOption>>,
    ) -> Vec<Item> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut names: HashMap<String, String> = HashMap::new();
        let mut items = Vec::new();
        for item in raw {
            self.check_id(&item.id, "item");
            if let Some(line) = seen.insert(item.id.value.clone(), self.spot(&item.id).line) {
                self.error(
                    &item.id,
                    format!("item `{}` is defined twice", item.id.value),
                )
                .notes
                .push(format!("first defined on line {line}"));
            }
            let label = self.label(&item.label, &format!("item `{}`", item.id.value));
            let options = match (&item.options, &item.option_set) {
                (Some(options), None) => {
                    if options.value.len() < 2 {
                        self.error(options, "an item needs at least two options");
                    }
                    // Answers store the option's position in one byte.
                    if options.value.len() > MAX_OPTIONS {
                        self.error(
                            options,
                            format!("an item may have at most {MAX_OPTIONS} options"),
                        );
                    }
                    self.options(&options.value)
                }
                (None, Some(set)) => match option_sets.get(&set.value) {
                    Some(options) => options.clone(),
                    None => {
                        let known: Vec<&str> = option_sets.keys().map(String::as_str).collect();
                        self.error(set, format!("unknown option set `{}`", set.value))
                            .expected = Some(one_of(&known));
                        Vec::new()
                    }
                },
                (Some(options), Some(_)) => {
                    self.error(
                        options,
                        "an item has either `options` or `option_set`, not both",
                    );
                    Vec::new()
                }
                (None, None) => {
                    self.error(&item.id, format!("item `{}` has no options", item.id.value))
                        .expected =
                        Some("`options:` (a list in printed order) or `option_set:`".to_owned());
                    Vec::new()
                }
            };
            let mut aliases = Vec::new();
            for alias in std::iter::once(&item.id).chain(&item.aliases) {
                // The same normalisation as header matching, so a clash is caught here, not mid-batch.
                let key = super::column_key(&alias.value);
                match names.get(&key) {
                    Some(owner) if owner != &item.id.value => {
                        self.error(
                            alias,
                            format!("column name `{}` already names item `{owner}`", alias.value),
                        );
                    }
                    _ => {
                        names.insert(key, item.id.value.clone());
                    }
                }
                if !std::ptr::eq(alias, &item.id) {
                    aliases.push(alias.value.clone());
                }
            }
            items.push(Item {
                id: item.id.value.clone(),
                label,
                options,
                aliases,
                codes: item.codes.clone(),
                link_id: item.link_id.as_ref().map(|l| l.value.clone()),
            });
        }
        self.check_item_codes(raw);
        items
    }

    /// Responses are matched to items by linkId and by code, so each must name one item only.
    fn check_item_codes(&mut self, raw: &[RawItem]) {
        let mut link_ids: HashMap<&str, &str> = HashMap::new();
        let mut codes: HashMap<(&str, &str), &str> = HashMap::new();
        for item in raw {
            if let Some(link_id) = &item.link_id {
                if link_id.value.trim().is_empty() {
                    self.error(
                        link_id,
                        format!("item `{}` has an empty link_id", item.id.value),
                    );
                } else if let Some(owner) = link_ids.insert(&link_id.value, &item.id.value) {
                    self.error(
                        link_id,
                        format!(
                            "link_id `{}` of item `{}` is also the link_id of item `{owner}`",
                            link_id.value, item.id.value
                        ),
                    );
                }
            }
            for (system, code) in &item.codes {
                if let Some(owner) = codes.insert((system, code), &item.id.value) {
                    self.error(
                        &item.id,
                        format!(
                            "item `{}` has the {system} code `{code}` of item `{owner}`",
                            item.id.value
                        ),
                    )
                    .expected = Some("one code per question".to_owned());
                }
            }
        }
    }

    fn item_ref(&mut self, items: &[Item], id: &Spanned<String>) -> Option<usize> {
        let found = items.iter().position(|item| item.id == id.value);
        if found.is_none() {
            let known: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
            self.error(id, format!("unknown item `{}`", id.value))
                .expected = Some(one_of(&known));
        }
        found
    }

    fn scales(&mut self, raw: &[RawScale], items: &[Item]) -> Vec<Scale> {
        let mut seen = HashSet::new();
        let mut scales = Vec::new();
        for scale in raw {
            self.check_id(&scale.id, "scale");
            if !seen.insert(scale.id.value.clone()) {
                self.error(
                    &scale.id,
                    format!("scale `{}` is defined twice", scale.id.value),
                );
            }
            let label = self.label(&scale.label, &format!("scale `{}`", scale.id.value));
            let mut indices = Vec::new();
            for id in &scale.items {
                if let Some(index) = self.item_ref(items, id) {
                    if indices.contains(&index) {
                        self.error(
                            id,
                            format!("item `{}` is listed twice in this scale", id.value),
                        );
                    } else {
                        indices.push(index);
                    }
                }
            }
            if scale.items.is_empty() {
                self.error(&scale.id, "a scale needs at least one item");
            }
            let method = match scale.method.as_ref().map(|m| m.value.as_str()) {
                None | Some("sum") => ScaleMethod::Sum,
                Some("mean") => ScaleMethod::Mean,
                Some(other) => {
                    let at = scale.method.as_ref().expect("matched Some");
                    self.error(at, format!("unknown scoring method `{other}`"))
                        .expected = Some("`sum` or `mean`".to_owned());
                    ScaleMethod::Sum
                }
            };
            let missing = self.missing(scale.missing.as_ref(), &scale.id, items, &indices, method);
            let mut built = Scale {
                id: scale.id.value.clone(),
                label,
                items: indices,
                method,
                missing,
                bands: Vec::new(),
                source: scale.source.clone(),
                codes: scale.codes.clone(),
                stored: scale.stored.iter().map(|s| s.value.clone()).collect(),
            };
            self.check_stored(scale, items, &built);
            built.bands = self.bands(&scale.bands, &built, items);
            scales.push(built);
        }
        scales
    }

    /// A stored value is compared with a recomputed sum, and must not be an item itself.
    fn check_stored(&mut self, raw: &RawScale, items: &[Item], scale: &Scale) {
        if !raw.stored.is_empty() && scale.method != ScaleMethod::Sum {
            self.error(
                &raw.stored[0],
                format!(
                    "scale `{}` has a stored value but is not a sum",
                    raw.id.value
                ),
            )
            .expected = Some("`stored:` only on `method: sum` scales".to_owned());
        }
        for name in &raw.stored {
            let key = super::column_key(&name.value);
            let clash = items.iter().find(|item| {
                item.link_id.as_deref() == Some(name.value.as_str())
                    || std::iter::once(&item.id)
                        .chain(&item.aliases)
                        .any(|alias| super::column_key(alias) == key)
            });
            if let Some(item) = clash {
                self.error(
                    name,
                    format!(
                        "stored value `{}` of scale `{}` also names item `{}`",
                        name.value, raw.id.value, item.id
                    ),
                );
            }
        }
    }

    fn missing(
        &mut self,
        raw: Option<&super::schema::RawMissing>,
        scale_id: &Spanned<String>,
        items: &[Item],
        indices: &[usize],
        method: ScaleMethod,
    ) -> MissingPolicy {
        let Some(raw) = raw else {
            return MissingPolicy {
                max_missing: 0,
                prorate: None,
                required: Vec::new(),
                prorate_from: 1,
                source: None,
            };
        };
        let max_missing = match &raw.max_missing {
            Some(max) if max.value >= indices.len().max(1) => {
                self.error(
                    max,
                    format!("max_missing {} leaves no item to score", max.value),
                )
                .expected = Some(format!("fewer than the scale's {} items", indices.len()));
                0
            }
            Some(max) => max.value,
            None => 0,
        };
        let rounding = match raw.rounding.as_ref().map(|r| (r, r.value.as_str())) {
            None | Some((_, "half_up")) => Rounding::HalfUp,
            Some((_, "floor")) => Rounding::Floor,
            Some((_, "ceil")) => Rounding::Ceil,
            Some((_, "none")) => Rounding::None,
            Some((at, other)) => {
                self.error(at, format!("unknown rounding `{other}`"))
                    .expected = Some("`half_up`, `floor`, `ceil` or `none`".to_owned());
                Rounding::HalfUp
            }
        };
        if raw.prorate && method == ScaleMethod::Mean {
            self.error(
                scale_id,
                "a mean needs no prorating: it is taken over the answered items",
            );
        }
        let mut required = Vec::new();
        for id in &raw.required {
            if let Some(index) = self.item_ref(items, id) {
                if indices.contains(&index) {
                    required.push(index);
                } else {
                    self.error(id, format!("item `{}` is not in this scale", id.value));
                }
            }
        }
        let prorate_from = match &raw.prorate_from {
            Some(from) if !raw.prorate => {
                self.error(from, "`prorate_from` needs `prorate: true`");
                1
            }
            Some(from) if from.value == 0 || from.value > max_missing.max(1) => {
                self.error(
                    from,
                    format!(
                        "prorate_from {} can never apply (at most {} may be missing)",
                        from.value,
                        crate::lang::count(max_missing as u64, "item", "items")
                    ),
                )
                .expected = Some(format!("a number from 1 to {}", max_missing.max(1)));
                1
            }
            Some(from) => from.value,
            None => 1,
        };
        MissingPolicy {
            max_missing,
            prorate: (raw.prorate && method == ScaleMethod::Sum).then_some(rounding),
            required,
            prorate_from,
            source: raw.source.clone(),
        }
    }

    fn bands(&mut self, raw: &[RawBand], scale: &Scale, items: &[Item]) -> Vec<Band> {
        let mut bands: Vec<Band> = Vec::new();
        let mut seen = HashSet::new();
        for band in raw {
            self.check_id(&band.id, "band");
            if !seen.insert(band.id.value.clone()) {
                self.error(
                    &band.id,
                    format!("band `{}` is defined twice", band.id.value),
                );
            }
            let (from, to) = match (&band.from, &band.to) {
                (Some(from), Some(to)) if self.age_banded => {
                    self.error(
                        from,
                        format!(
                            "band `{}` has a range, but in an age-banded instrument each interval sets the ranges",
                            band.id.value
                        ),
                    )
                    .expected = Some("only `id` and `label`; the ranges go under each interval's `cutoffs`".to_owned());
                    (from.value, to.value)
                }
                (Some(from), Some(to)) => (from.value, to.value),
                (None, None) if self.age_banded => (f64::NAN, f64::NAN),
                _ => {
                    self.error(
                        &band.id,
                        format!("band `{}` needs both `from` and `to`", band.id.value),
                    );
                    (f64::NAN, f64::NAN)
                }
            };
            if from > to {
                let at = band
                    .to
                    .as_ref()
                    .expect("both bounds are present when compared");
                self.error(
                    at,
                    format!(
                        "band `{}` ends ({}) before it starts ({})",
                        band.id.value,
                        fmt_score(to),
                        fmt_score(from)
                    ),
                );
            }
            let label = self.label(&band.label, &format!("band `{}`", band.id.value));
            bands.push(Band {
                id: band.id.value.clone(),
                from,
                to,
                label,
            });
        }
        if self.age_banded
            || bands.is_empty()
            || scale.items.iter().any(|&i| items[i].options.is_empty())
        {
            return bands;
        }
        let Some(spans) = raw
            .iter()
            .map(|b| {
                Some(BandSpan {
                    from: b.from.clone()?,
                    to: b.to.clone()?,
                })
            })
            .collect::<Option<Vec<BandSpan>>>()
        else {
            return bands;
        };
        let reachable = scale.reachable_scores_with_concerns(items, &self.concerns);
        self.check_coverage(&bands, &spans, &scale.id, &reachable);
        bands
    }

    /// Checks that every reachable score falls in exactly one band, within the reachable range.
    fn check_coverage(
        &mut self,
        bands: &[Band],
        raw: &[BandSpan],
        scale_id: &str,
        reachable: &[f64],
    ) {
        struct ScaleName<'a> {
            id: &'a str,
        }
        let scale = ScaleName { id: scale_id };
        let (Some(&lowest), Some(&highest)) = (reachable.first(), reachable.last()) else {
            return;
        };
        let range = format!("{}-{}", fmt_score(lowest), fmt_score(highest));
        for (band, raw) in bands.iter().zip(raw) {
            if band.to < lowest || band.from > highest {
                self.error(
                    &raw.from,
                    format!(
                        "band `{}` ({}-{}) lies outside the scores scale `{}` can reach ({range})",
                        band.id,
                        fmt_score(band.from),
                        fmt_score(band.to),
                        scale.id
                    ),
                );
            } else if band.from < lowest {
                self.error(
                    &raw.from,
                    format!(
                        "band `{}` starts below the lowest reachable score {}",
                        band.id,
                        fmt_score(lowest)
                    ),
                )
                .expected = Some(format!("a bound within {range}"));
            } else if band.to > highest {
                self.error(
                    &raw.to,
                    format!(
                        "band `{}` ends above the highest reachable score {}",
                        band.id,
                        fmt_score(highest)
                    ),
                )
                .expected = Some(format!("a bound within {range}"));
            }
        }
        // Each reachable score must fall in exactly one band.
        let mut gap: Option<(f64, f64)> = None;
        let mut gaps = Vec::new();
        let mut reported_overlaps = HashSet::new();
        for &score in reachable {
            let holders: Vec<usize> = (0..bands.len())
                .filter(|&b| bands[b].from <= score && score <= bands[b].to)
                .collect();
            if holders.is_empty() {
                gap = Some(gap.map_or((score, score), |(from, _)| (from, score)));
            } else if let Some(found) = gap.take() {
                gaps.push(found);
            }
            if holders.len() > 1 && reported_overlaps.insert((holders[0], holders[1])) {
                let (first, second) = (&bands[holders[0]], &bands[holders[1]]);
                self.error(
                    &raw[holders[1]].from,
                    format!(
                        "bands `{}` and `{}` overlap: score {} falls in both",
                        first.id,
                        second.id,
                        fmt_score(score)
                    ),
                )
                .expected = Some("bands that do not overlap".to_owned());
            }
        }
        gaps.extend(gap);
        for (from, to) in gaps {
            let scores = if from == to {
                format!("score {} of scale `{}` falls", fmt_score(from), scale.id)
            } else {
                format!(
                    "scores {}-{} of scale `{}` fall",
                    fmt_score(from),
                    fmt_score(to),
                    scale.id
                )
            };
            let at = raw
                .iter()
                .find(|b| b.from.value > to)
                .map_or(&raw[raw.len() - 1].to, |b| &b.from);
            self.error(at, format!("{scores} in no band")).expected =
                Some(format!("bands covering every reachable score ({range})"));
        }
    }

    fn flags(&mut self, raw: &[super::schema::RawFlag], items: &[Item]) -> Vec<Flag> {
        let mut seen = HashSet::new();
        let mut flags = Vec::new();
        for flag in raw {
            self.check_id(&flag.id, "flag");
            if !seen.insert(flag.id.value.clone()) {
                self.error(
                    &flag.id,
                    format!("flag `{}` is defined twice", flag.id.value),
                );
            }
            let label = self.label(&flag.label, &format!("flag `{}`", flag.id.value));
            let action = self.label(&flag.action, &format!("action of flag `{}`", flag.id.value));
            let Some(item) = self.item_ref(items, &flag.item) else {
                continue;
            };
            let (low, high) = (items[item].min_points(), items[item].max_points());
            if !items[item].options.is_empty()
                && (flag.at_least.value > high || flag.at_least.value <= low)
            {
                let never = flag.at_least.value > high;
                self.error(
                    &flag.at_least,
                    format!(
                        "flag `{}` would {} (item `{}` scores {low}-{high})",
                        flag.id.value,
                        if never {
                            "never be raised"
                        } else {
                            "be raised by every answer"
                        },
                        items[item].id
                    ),
                )
                .expected = Some(format!("a threshold from {} to {high}", low + 1));
            }
            flags.push(Flag {
                id: flag.id.value.clone(),
                item,
                at_least: flag.at_least.value,
                urgent: flag.urgent,
                label,
                action,
                source: flag.source.clone(),
            });
        }
        flags
    }

    /// Builds the skip instructions, checking that each can apply and that
    /// its deciding items come before the items it skips.
    fn skips(&mut self, raw: &[super::schema::RawSkip], items: &[Item]) -> Vec<Skip> {
        let mut skips = Vec::new();
        for skip in raw {
            if self.age_banded {
                self.error(
                    &skip.when,
                    "skip instructions are not supported in age-banded instruments",
                );
                continue;
            }
            let when: Vec<usize> = skip
                .when
                .value
                .iter()
                .filter_map(|id| self.item_ref(items, id))
                .collect();
            if skip.when.value.is_empty() {
                self.error(&skip.when, "a skip needs at least one deciding item");
            }
            if skip.skipped.value.is_empty() {
                self.error(&skip.skipped, "a skip needs at least one skipped item");
            }
            let (low, high) = when.iter().fold((0i64, 0i64), |(lo, hi), &i| {
                (
                    lo + i64::from(items[i].min_points()),
                    hi + i64::from(items[i].max_points()),
                )
            });
            if !when.is_empty() && !(low..=high).contains(&i64::from(skip.total.value)) {
                self.error(
                    &skip.total,
                    format!(
                        "the deciding items add up to {low}-{high}, never to {}",
                        skip.total.value
                    ),
                )
                .expected = Some(format!("a total from {low} to {high}"));
            }
            let last_deciding = when.iter().copied().max();
            let mut skipped = Vec::new();
            for id in &skip.skipped.value {
                let Some(index) = self.item_ref(items, id) else {
                    continue;
                };
                if when.contains(&index) {
                    self.error(
                        id,
                        format!("item `{}` both decides and is skipped", id.value),
                    );
                    continue;
                }
                if let Some(last) = last_deciding
                    && index < last
                {
                    // Resolving in printed order needs every deciding answer first.
                    self.error(
                        id,
                        format!(
                            "item `{}` comes before deciding item `{}` in printed order",
                            id.value, items[last].id
                        ),
                    )
                    .expected = Some("skipped items printed after every deciding item".to_owned());
                    continue;
                }
                if skipped.iter().any(|&(i, _)| i == index) {
                    self.error(id, format!("item `{}` is listed twice", id.value));
                    continue;
                }
                let item = &items[index];
                match item
                    .options
                    .iter()
                    .position(|o| o.points == skip.points.value)
                {
                    Some(option) => skipped.push((index, option as u8)),
                    None if item.options.is_empty() => {}
                    None => {
                        self.error(
                            &skip.points,
                            format!(
                                "item `{}` has no option scoring {}",
                                item.id, skip.points.value
                            ),
                        )
                        .expected = Some(format!("one of the points {}", points_list(item)));
                    }
                }
            }
            skips.push(Skip {
                when,
                total: skip.total.value,
                skipped,
                points: skip.points.value,
                source: skip.source.clone(),
            });
        }
        skips
    }

    fn examples(
        &mut self,
        raw: &[super::schema::RawExample],
        instrument: &Instrument,
    ) -> Vec<Example> {
        let mut examples = Vec::new();
        for example in raw {
            let kind = match example.values.as_ref().map(|v| (v, v.value.as_str())) {
                None | Some((_, "points")) => ValueKind::Points,
                Some((_, "position")) => ValueKind::Position,
                Some((at, other)) => {
                    self.error(at, format!("unknown value kind `{other}`"))
                        .expected = Some("`points` or `position`".to_owned());
                    ValueKind::Points
                }
            };
            let mut answers = vec![None; instrument.items.len()];
            let mut entries: Vec<_> = example.answers.iter().collect();
            entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
            for (id, value) in entries {
                let Some(index) = self.item_ref(&instrument.items, id) else {
                    continue;
                };
                let Some(value) = value else { continue };
                let item = &instrument.items[index];
                let chosen = match kind {
                    ValueKind::Position => usize::try_from(value.value)
                        .ok()
                        .filter(|p| (1..=item.options.len()).contains(p))
                        .map(|p| p - 1),
                    _ => item
                        .options
                        .iter()
                        .position(|o| i64::from(o.points) == value.value),
                };
                match chosen {
                    Some(option) => answers[index] = Some(option),
                    None => {
                        let expected = match kind {
                            ValueKind::Position => {
                                format!("a position from 1 to {}", item.options.len())
                            }
                            _ => format!("one of the points {}", points_list(item)),
                        };
                        self.error(
                            value,
                            format!("{} is not an answer to item `{}`", value.value, item.id),
                        )
                        .expected = Some(expected);
                    }
                }
            }
            let status = example.expect.status.as_ref().map(|s| {
                if !matches!(s.value.as_str(), "ok" | "incomplete") {
                    self.error(s, format!("unknown status `{}`", s.value))
                        .expected = Some("`ok` or `incomplete`".to_owned());
                }
                s.value.clone()
            });
            let mut scales: Vec<_> = example.expect.scales.iter().collect();
            scales.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
            let mut expected_scales = Vec::new();
            for (id, expect) in scales {
                match instrument.scale_index(&id.value) {
                    Some(index) => {
                        if let Some(band) = &expect.band
                            && !instrument.scales[index].bands.iter().any(|b| &b.id == band)
                        {
                            self.error(id, format!("scale `{}` has no band `{band}`", id.value));
                        }
                        expected_scales.push((id.value.clone(), expect.score, expect.band.clone()));
                    }
                    None => {
                        let known: Vec<&str> =
                            instrument.scales.iter().map(|s| s.id.as_str()).collect();
                        self.error(id, format!("unknown scale `{}`", id.value))
                            .expected = Some(one_of(&known));
                    }
                }
            }
            let flags = example.expect.flags.as_ref().map(|flags| {
                flags
                    .iter()
                    .map(|flag| {
                        if instrument.flag_index(&flag.value).is_none() {
                            self.error(flag, format!("unknown flag `{}`", flag.value));
                        }
                        flag.value.clone()
                    })
                    .collect()
            });
            let (concerns, interval, expect_age) = self.example_extras(example, instrument);
            examples.push(Example {
                name: example.name.value.clone(),
                answers,
                status,
                scales: expected_scales,
                flags,
                line: self.spot(&example.name).line,
                concerns,
                interval,
                expect_age,
            });
        }
        examples
    }
}

/// Where a band's bounds are written.
#[derive(Debug, Clone)]
struct BandSpan {
    from: Spanned<f64>,
    to: Spanned<f64>,
}

/// "one of `a`, `b`, `c`": the phrase for what was expected.
pub fn one_of(known: &[&str]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for k in known {
        if !unique.contains(k) {
            unique.push(k);
        }
    }
    let known = unique;
    if known.is_empty() {
        return "nothing is defined yet".to_owned();
    }
    let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    format!("one of {}", list.join(", "))
}

/// The points an item's options score, in printed order.
pub(crate) fn points_list(item: &Item) -> String {
    item.options
        .iter()
        .map(|o| o.points.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A score as people write it: `13`, or `2.5` when it has a fraction.
pub fn fmt_score(score: f64) -> String {
    if score.fract() == 0.0 && score.abs() < 1e15 {
        format!("{}", score as i64)
    } else {
        let text = format!("{score:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}
