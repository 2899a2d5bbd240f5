//! Turns a parsed rule table into a checked [`RuleTable`], collecting every problem.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::condition::{self, Parsed, Test};
use super::schema::{RawIds, RawInput, RawLabel, RawRule, RawScreening, RawTable};
use super::{
    BUILTIN_PREFIX, BUILTIN_TABLES, Column, ColumnKind, Condition, Input, InputKind, Level,
    Referral, Rule, RuleLevel, RuleTable, Screening, Value, Window, analysis, domain,
};
use crate::diagnostic::{Diagnostic, Diagnostics, SourceSpot};
use crate::instrument::{Instrument, one_of};
use crate::lang::{Lang, Localized};
use crate::yaml::{self, Spanned};

/// Loads a rule table from the text of `path`, checks it against `instruments`
/// and runs the static safety analysis (gaps, lost urgent flags, impossible
/// rules; [`analysis::analyze`] adds the shadowed and redundant rules).
///
/// Returns the table only when nothing is an error, together with every
/// problem found (errors and warnings), in file order. A table with an error
/// is never returned half-built.
pub fn load_table(
    path: &str,
    text: &str,
    instruments: &[&Instrument],
) -> (Option<RuleTable>, Vec<Diagnostic>) {
    load_table_with(path, text, instruments, true)
}

/// Like [`load_table`]; `analyze: false` skips the completeness, shadowing and
/// safety analysis (for tests of the analysis itself).
pub fn load_table_with(
    path: &str,
    text: &str,
    instruments: &[&Instrument],
    analyze: bool,
) -> (Option<RuleTable>, Vec<Diagnostic>) {
    let raw: RawTable = match yaml::parse(path, text) {
        Ok(raw) => raw,
        Err(diagnostic) => return (None, vec![diagnostic]),
    };
    let mut builder = Builder {
        path,
        text,
        diagnostics: Vec::new(),
        languages: Vec::new(),
    };
    let table = builder.table(&raw, instruments);
    let mut diagnostics = builder.diagnostics;
    let mut ok = !diagnostics.iter().any(Diagnostic::is_error);
    if ok && analyze {
        // Safety only: shadowed and redundant rules are warnings that
        // `stepcare validate` adds, and most of the analysis's work.
        let report = analysis::analyze_safety(&table);
        diagnostics.extend(report.diagnostics(&table, path, text));
        ok = !diagnostics.iter().any(Diagnostic::is_error);
    }
    diagnostics.sort_by_key(|d| (d.spot.line, d.spot.column));
    (ok.then_some(table), diagnostics)
}

/// Loads a shipped table by id (`no-default`), or every problem found.
pub fn load_builtin(id: &str, instruments: &[&Instrument]) -> Result<RuleTable, Diagnostics> {
    let Some((_, file, text)) = BUILTIN_TABLES.iter().find(|(name, _, _)| *name == id) else {
        let known: Vec<&str> = BUILTIN_TABLES.iter().map(|(name, _, _)| *name).collect();
        return Err(Diagnostics {
            diagnostics: vec![
                Diagnostic::error(
                    id,
                    SourceSpot::unknown(),
                    format!("no shipped rule table `{id}`"),
                )
                .expected(one_of(&known)),
            ],
        });
    };
    let path = format!("{BUILTIN_PREFIX}{file}");
    // A shipped table over the shipped instruments is proven complete and
    // urgent-safe by the test suite (tests/safety.rs), so loading it for a
    // run skips the analysis, which grows with every instrument the table
    // reads. With a service's own definitions in the catalog (a licensed
    // `se-local` may be chosen for `first_available`), it is analysed as
    // always.
    let proven = instruments
        .iter()
        .all(|i| i.source_path.starts_with(crate::catalog::BUILTIN_PREFIX));
    match load_table_with(&path, text, instruments, !proven) {
        (Some(table), _) => Ok(table),
        (None, diagnostics) => Err(Diagnostics { diagnostics }),
    }
}

struct Builder<'a> {
    path: &'a str,
    text: &'a str,
    diagnostics: Vec<Diagnostic>,
    languages: Vec<Lang>,
}

impl Builder<'_> {
    fn error<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) -> &mut Diagnostic {
        let spot = yaml::spot(at, self.text);
        self.diagnostics
            .push(Diagnostic::error(self.path, spot, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn warning<T>(&mut self, at: &Spanned<T>, message: impl Into<String>) -> &mut Diagnostic {
        let spot = yaml::spot(at, self.text);
        self.diagnostics
            .push(Diagnostic::warning(self.path, spot, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn check_id(&mut self, id: &Spanned<String>, what: &str) {
        let valid = id
            .value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && id
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            self.error(id, format!("`{}` is not a valid {what} id", id.value))
                .expected = Some("letters, digits, `_` or `-`, starting with a letter".to_owned());
        }
    }

    fn label(&mut self, raw: &RawLabel, what: &str) -> Localized {
        let (texts, problems) =
            crate::lang::read_labels(&raw.value, &self.languages, what, "table");
        for (message, expected) in problems {
            self.error(raw, message).expected = expected;
        }
        texts
    }

    fn table(&mut self, raw: &RawTable, known: &[&Instrument]) -> RuleTable {
        self.check_id(&raw.id, "rule table");
        for code in &raw.languages.value {
            match code.parse::<Lang>() {
                Ok(lang) => self.languages.push(lang),
                Err(message) => {
                    self.error(&raw.languages, message);
                }
            }
        }
        if self.languages.is_empty() {
            self.error(&raw.languages, "a rule table needs at least one language")
                .expected = Some("a list such as [nb, sv, en]".to_owned());
        }
        let name = self.label(&raw.name, "name");
        let description = raw
            .description
            .as_ref()
            .map(|d| self.label(d, "description"));

        let (instruments, instrument_names, instrument_defs) = self.instruments(raw, known);
        let levels = self.levels(raw);
        let urgent_name = match &raw.urgent {
            Some(urgent) => self.label(&urgent.name, "the urgent override's name"),
            None => Localized(BTreeMap::from([
                (Lang::Nb, "Haster: samme dag".to_owned()),
                (Lang::Sv, "Brådskande: samma dag".to_owned()),
                (Lang::En, "Urgent: same day".to_owned()),
            ])),
        };
        let referrals = self.referrals(raw);
        let mut table = RuleTable {
            id: raw.id.value.clone(),
            name,
            version: raw.version.clone(),
            description,
            languages: self.languages.clone(),
            source: raw.source.clone(),
            instruments,
            instrument_names,
            instrument_defs,
            levels,
            urgent_name,
            referrals,
            inputs: Vec::new(),
            rules: Vec::new(),
            schedule: Vec::new(),
            source_path: self.path.to_owned(),
        };
        table.inputs = self.inputs(&raw.inputs, &table, &raw.instruments.value);
        table.rules = self.rules(&raw.rules.value, &table);
        table.schedule = self.schedule(&raw.schedule, &table);
        if raw.rules.value.is_empty() {
            self.error(&raw.rules, "a rule table needs at least one rule");
        }
        table
    }

    /// The planned screenings, checked against the instruments and each other.
    fn schedule(&mut self, raw: &[RawScreening], table: &RuleTable) -> Vec<Screening> {
        let mut out: Vec<(Screening, &Spanned<String>)> = Vec::new();
        for entry in raw {
            self.check_id(&entry.id, "screening");
            if out.iter().any(|(s, _)| s.id == entry.id.value) {
                self.error(
                    &entry.id,
                    format!("screening `{}` is defined twice", entry.id.value),
                );
            }
            let name = self.label(
                &entry.name,
                &format!("name of screening `{}`", entry.id.value),
            );
            let Some(index) = table
                .instrument_names
                .iter()
                .position(|n| *n == entry.instrument.value)
            else {
                let ids: Vec<&str> = table.instrument_names.iter().map(String::as_str).collect();
                self.error(
                    &entry.instrument,
                    format!(
                        "instrument `{}` is not listed in `instruments`",
                        entry.instrument.value
                    ),
                )
                .expected = Some(one_of(&ids));
                continue;
            };
            let def = &table.instrument_defs[index];
            if let Some(respondent) = &entry.respondent
                && !def.respondents.is_empty()
                && !def.respondents.contains(&respondent.value)
            {
                let who: Vec<&str> = def.respondents.iter().map(String::as_str).collect();
                self.error(
                    respondent,
                    format!(
                        "{} is not answered by `{}`",
                        instrument_phrase(table, index),
                        respondent.value
                    ),
                )
                .expected = Some(one_of(&who));
            }
            let windows = [
                (&entry.pregnancy_weeks, 44, "pregnancy_weeks"),
                (&entry.weeks_after_birth, 156, "weeks_after_birth"),
                (&entry.child_months, 36, "child_months"),
            ];
            let given: Vec<_> = windows.iter().filter(|(w, _, _)| w.is_some()).collect();
            if given.len() != 1 {
                self.error(
                    &entry.id,
                    format!("screening `{}` needs exactly one window", entry.id.value),
                )
                .expected = Some(
                    "one of `pregnancy_weeks: [18, 22]`, `weeks_after_birth: [5, 8]` or `child_months: [3, 5]`"
                        .to_owned(),
                );
                continue;
            }
            let (range, top, key) = given[0];
            let range = range.as_ref().expect("given");
            let ok = range.value.len() == 2
                && range.value[0] <= range.value[1]
                && range.value[1] <= *top;
            if !ok {
                self.error(
                    range,
                    format!("`{key}` needs the first and the last, in order, from 0 to {top}"),
                );
                continue;
            }
            let (from, to) = (range.value[0], range.value[1]);
            let window = match *key {
                "pregnancy_weeks" => Window::PregnancyWeeks(from, to),
                "weeks_after_birth" => Window::WeeksAfterBirth(from, to),
                _ => Window::ChildMonths(from, to),
            };
            let source = match &entry.source {
                Some(source) if !source.value.trim().is_empty() => source.value.trim().to_owned(),
                _ => {
                    self.error(
                        &entry.id,
                        format!("screening `{}` cites no source", entry.id.value),
                    )
                    .expected =
                        Some("`source:` naming the guideline, or the local decision".to_owned());
                    String::new()
                }
            };
            let screening = Screening {
                id: entry.id.value.clone(),
                name,
                instrument: table.instruments[index].clone(),
                respondent: entry.respondent.as_ref().map(|r| r.value.clone()),
                window,
                when_indicated: entry.when_indicated,
                local_choice: entry.local_choice,
                source,
            };
            // Two windows for the same instrument and respondent that overlap
            // would list one screening twice.
            let clash = out.iter().find(|(other, _)| {
                other.instrument == screening.instrument
                    && other.respondent == screening.respondent
                    && overlap(other.window, screening.window)
            });
            if let Some((other, _)) = clash {
                let message = format!(
                    "screening `{}` overlaps `{}` (same instrument and respondent)",
                    screening.id, other.id
                );
                self.warning(&entry.id, message);
            }
            out.push((screening, &entry.id));
        }
        out.into_iter().map(|(s, _)| s).collect()
    }

    /// The instruments the table lists: (ids, names the inputs use, definitions).
    ///
    /// A name of `first_available` stands for the first of its definitions
    /// that `known` holds, so a table can name a definition the catalog may
    /// lack (a service's licensed questionnaire) and fall back to another.
    fn instruments(
        &mut self,
        raw: &RawTable,
        known: &[&Instrument],
    ) -> (Vec<String>, Vec<String>, Vec<Instrument>) {
        let mut choices: Vec<(&Spanned<String>, &RawIds)> = raw.first_available.iter().collect();
        choices.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
        for (name, candidates) in &choices {
            self.check_id(name, "instrument name");
            if known.iter().any(|i| i.id == name.value) {
                self.error(
                    *name,
                    format!(
                        "`{}` is an instrument id; a name in `first_available` must differ from every id",
                        name.value
                    ),
                )
                .expected = Some("a name of your own, such as `child_se`".to_owned());
            }
            if !raw.instruments.value.iter().any(|l| l.value == name.value) {
                self.error(
                    *name,
                    format!("`{}` is not listed in `instruments`", name.value),
                )
                .expected = Some(format!("`{}` in the table's `instruments`", name.value));
            }
            if candidates.value.is_empty() {
                self.error(
                    *candidates,
                    format!("`{}` needs at least one instrument id", name.value),
                );
            }
            for id in &candidates.value {
                self.check_id(id, "instrument");
            }
        }
        let mut ids: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut defs: Vec<Instrument> = Vec::new();
        for listed in &raw.instruments.value {
            if names.contains(&listed.value) {
                self.error(
                    listed,
                    format!("instrument `{}` is listed twice", listed.value),
                );
                continue;
            }
            let choice = choices.iter().find(|(name, _)| name.value == listed.value);
            let found = match choice {
                Some((_, candidates)) => {
                    let found = candidates
                        .value
                        .iter()
                        .find_map(|id| known.iter().find(|i| i.id == id.value));
                    if found.is_none() {
                        let wanted: Vec<&str> =
                            candidates.value.iter().map(|c| c.value.as_str()).collect();
                        let have: Vec<&str> = known.iter().map(|i| i.id.as_str()).collect();
                        self.error(
                            *candidates,
                            format!(
                                "none of the instruments `{}` may stand for is in the catalog: {}",
                                listed.value,
                                wanted.join(", ")
                            ),
                        )
                        .expected = Some(format!(
                            "{} (load a definition with --instruments DIR)",
                            one_of(&have)
                        ));
                    }
                    found
                }
                None => {
                    let found = known.iter().find(|i| i.id == listed.value);
                    if found.is_none() {
                        let mut have: Vec<&str> = known.iter().map(|i| i.id.as_str()).collect();
                        have.extend(choices.iter().map(|(name, _)| name.value.as_str()));
                        self.error(listed, format!("unknown instrument `{}`", listed.value))
                            .expected = Some(one_of(&have));
                    }
                    found
                }
            };
            let Some(def) = found else {
                continue;
            };
            if let Some(first) = ids.iter().position(|id| *id == def.id) {
                self.error(
                    listed,
                    format!(
                        "instrument `{}` is listed twice (as `{}` and as `{}`)",
                        def.id, names[first], listed.value
                    ),
                );
                continue;
            }
            ids.push(def.id.clone());
            names.push(listed.value.clone());
            defs.push((*def).clone());
        }
        (ids, names, defs)
    }

    fn levels(&mut self, raw: &RawTable) -> Vec<Level> {
        let mut levels: Vec<Level> = Vec::new();
        for level in &raw.levels.value {
            self.check_id(&level.id, "level");
            if levels.iter().any(|l| l.id == level.id.value) {
                self.error(
                    &level.id,
                    format!("level `{}` is defined twice", level.id.value),
                );
            }
            if levels.iter().any(|l| l.number == level.level.value) {
                self.error(
                    &level.level,
                    format!("level number {} is used twice", level.level.value),
                );
            }
            if !(0..=99).contains(&level.level.value) {
                self.error(&level.level, "a level number must be from 0 to 99");
            }
            let name = self.label(&level.name, &format!("level `{}`", level.id.value));
            let description = level
                .description
                .as_ref()
                .map(|d| self.label(d, &format!("description of level `{}`", level.id.value)));
            levels.push(Level {
                number: level.level.value,
                id: level.id.value.clone(),
                name,
                description,
            });
        }
        if levels.is_empty() {
            self.error(&raw.levels, "a rule table needs at least one level");
        }
        levels.sort_by_key(|l| l.number);
        levels
    }

    fn referrals(&mut self, raw: &RawTable) -> Vec<Referral> {
        let mut referrals: Vec<Referral> = Vec::new();
        for referral in &raw.referrals {
            self.check_id(&referral.id, "referral target");
            if referrals.iter().any(|r| r.id == referral.id.value) {
                self.error(
                    &referral.id,
                    format!("referral target `{}` is defined twice", referral.id.value),
                );
            }
            let what = format!("referral target `{}`", referral.id.value);
            referrals.push(Referral {
                id: referral.id.value.clone(),
                name: self.label(&referral.name, &what),
                what: self.label(&referral.what, &format!("what of {what}")),
                timeframe: self.label(&referral.timeframe, &format!("timeframe of {what}")),
                enabled: referral.enabled,
            });
        }
        referrals
    }

    /// Resolves `instrument.thing`, reporting what is unknown.
    fn instrument_part(
        &mut self,
        at: &Spanned<String>,
        table: &RuleTable,
        listed: &[Spanned<String>],
    ) -> Option<(usize, String)> {
        let Some((instrument, part)) = at.value.split_once('.') else {
            self.error(
                at,
                format!("`{}` does not name an instrument's part", at.value),
            )
            .expected = Some("`instrument.id`, for example `epds.total`".to_owned());
            return None;
        };
        match table.instrument_names.iter().position(|i| i == instrument) {
            Some(index) => Some((index, part.to_owned())),
            None => {
                if !listed.iter().any(|l| l.value == instrument) {
                    let ids: Vec<&str> =
                        table.instrument_names.iter().map(String::as_str).collect();
                    self.error(
                        at,
                        format!("instrument `{instrument}` is not listed in `instruments`"),
                    )
                    .expected = Some(one_of(&ids));
                }
                None
            }
        }
    }

    fn inputs(
        &mut self,
        raw: &[RawInput],
        table: &RuleTable,
        listed: &[Spanned<String>],
    ) -> Vec<Input> {
        let mut inputs: Vec<Input> = Vec::new();
        let mut columns: HashSet<String> = HashSet::new();
        for input in raw {
            self.check_id(&input.id, "input");
            if inputs.iter().any(|i| i.id == input.id.value) {
                self.error(
                    &input.id,
                    format!("input `{}` is defined twice", input.id.value),
                );
            }
            let sources = [
                input.scale.is_some(),
                input.flag.is_some(),
                input.complete.is_some(),
                input.column.is_some(),
            ];
            if sources.iter().filter(|&&s| s).count() != 1 {
                self.error(
                    &input.id,
                    format!(
                        "input `{}` must read exactly one of `scale`, `flag`, `complete` or `column`",
                        input.id.value
                    ),
                );
                continue;
            }
            if input.column.is_none()
                && let Some(at) = input.kind.as_ref().or(input.blank.as_ref())
            {
                self.error(at, "`type` and `blank` belong to `column` inputs only");
            }
            let default_label;
            let kind = if let Some(at) = &input.scale {
                let Some((instrument, part)) = self.instrument_part(at, table, listed) else {
                    continue;
                };
                let def = &table.instrument_defs[instrument];
                let Some(scale) = def.scale_index(&part) else {
                    let ids: Vec<&str> = def.scales.iter().map(|s| s.id.as_str()).collect();
                    self.error(
                        at,
                        format!(
                            "{} has no scale `{part}`",
                            instrument_phrase(table, instrument)
                        ),
                    )
                    .expected = Some(one_of(&ids));
                    continue;
                };
                default_label = def.scales[scale].label.clone();
                InputKind::Score { instrument, scale }
            } else if let Some(at) = &input.flag {
                let Some((instrument, part)) = self.instrument_part(at, table, listed) else {
                    continue;
                };
                let def = &table.instrument_defs[instrument];
                let Some(flag) = def.flag_index(&part) else {
                    let ids: Vec<&str> = def.flags.iter().map(|f| f.id.as_str()).collect();
                    self.error(
                        at,
                        format!(
                            "{} has no flag `{part}`",
                            instrument_phrase(table, instrument)
                        ),
                    )
                    .expected = Some(one_of(&ids));
                    continue;
                };
                let prefix = def.id.to_uppercase();
                default_label = Localized(
                    def.flags[flag]
                        .label
                        .iter()
                        .map(|(lang, text)| (lang, format!("{prefix}: {text}")))
                        .collect(),
                );
                InputKind::Flag { instrument, flag }
            } else if let Some(at) = &input.complete {
                let Some(instrument) = table.instrument_names.iter().position(|i| *i == at.value)
                else {
                    let ids: Vec<&str> =
                        table.instrument_names.iter().map(String::as_str).collect();
                    self.error(
                        at,
                        format!("instrument `{}` is not listed in `instruments`", at.value),
                    )
                    .expected = Some(one_of(&ids));
                    continue;
                };
                let prefix = at.value.to_uppercase();
                default_label = Localized(BTreeMap::from([
                    (Lang::Nb, format!("{prefix} fullstendig")),
                    (Lang::Sv, format!("{prefix} fullständig")),
                    (Lang::En, format!("{prefix} complete")),
                ]));
                InputKind::Complete { instrument }
            } else {
                let at = input.column.as_ref().expect("one source is set");
                if !columns.insert(at.value.trim().to_lowercase()) {
                    self.error(at, format!("column `{}` is read by two inputs", at.value));
                }
                let Some(column) = self.column(input, at, table) else {
                    continue;
                };
                default_label = Localized(
                    Lang::ALL
                        .iter()
                        .map(|&lang| (lang, column.name.clone()))
                        .collect(),
                );
                InputKind::Column(column)
            };
            let label = match &input.label {
                Some(label) => self.label(label, &format!("label of input `{}`", input.id.value)),
                None => default_label,
            };
            inputs.push(Input {
                id: input.id.value.clone(),
                label,
                kind,
            });
        }
        inputs
    }

    fn column(
        &mut self,
        input: &RawInput,
        at: &Spanned<String>,
        table: &RuleTable,
    ) -> Option<Column> {
        let kind_name = input.kind.as_ref().map(|k| k.value.as_str());
        let kind = match (kind_name, &input.values) {
            (Some("boolean"), None) => ColumnKind::Boolean,
            (Some("level"), None) => ColumnKind::Level,
            (Some("period"), None) => ColumnKind::Period,
            (Some("week"), None) => ColumnKind::Week,
            (None | Some("choice"), Some(values)) => {
                let mut words: Vec<String> = Vec::new();
                for value in &values.value {
                    let word = value.value.trim().to_lowercase();
                    if RESERVED.contains(&word.as_str()) {
                        self.error(
                            value,
                            format!("`{word}` is a reserved word and cannot be a column value"),
                        );
                    } else if words.contains(&word) {
                        self.error(value, format!("value `{word}` is listed twice"));
                    } else {
                        words.push(word);
                    }
                }
                if words.is_empty() {
                    self.error(values, "a choice column needs at least one value");
                    return None;
                }
                ColumnKind::Choice(words)
            }
            (Some("boolean" | "level" | "period" | "week"), Some(values)) => {
                self.error(values, "only `choice` columns list `values`");
                return None;
            }
            (None | Some("choice"), None) => {
                self.error(
                    at,
                    format!("column `{}` needs `values` or a `type`", at.value),
                )
                .expected = Some("`type: boolean`, `type: level`, or `values: [...]`".to_owned());
                return None;
            }
            (Some(other), _) => {
                let at = input.kind.as_ref().expect("matched Some");
                self.error(at, format!("unknown column type `{other}`"))
                    .expected = Some("`boolean`, `choice`, `level`, `period` or `week`".to_owned());
                return None;
            }
        };
        let mut column = Column {
            name: at.value.trim().to_owned(),
            kind,
            blank: None,
            required: input.required.as_ref().is_none_or(|r| r.value),
        };
        if let Some(blank) = &input.blank {
            match column_value(&column, &table.levels, &blank.value) {
                Some(value) => column.blank = Some(value),
                None => {
                    self.error(
                        blank,
                        format!(
                            "`{}` is not a value of column `{}`",
                            blank.value, column.name
                        ),
                    )
                    .expected = Some(column_values_phrase(&column, &table.levels));
                }
            }
        }
        Some(column)
    }

    fn rules(&mut self, raw: &[RawRule], table: &RuleTable) -> Vec<Rule> {
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for rule in raw {
            self.check_id(&rule.id, "rule");
            let line = yaml::spot(&rule.id, self.text).line;
            if let Some(first) = seen.insert(rule.id.value.clone(), line) {
                self.error(
                    &rule.id,
                    format!("rule `{}` is defined twice", rule.id.value),
                )
                .notes
                .push(format!("first defined on line {first}"));
            }
            let mut entries: Vec<_> = rule.when.iter().collect();
            entries.sort_by_key(|(k, _)| (k.referenced.line(), k.referenced.column()));
            let mut conditions = Vec::new();
            for (key, raw_condition) in entries {
                let Some(input) = table.input_index(&key.value) else {
                    let ids: Vec<&str> = table.inputs.iter().map(|i| i.id.as_str()).collect();
                    self.error(key, format!("unknown input `{}`", key.value))
                        .expected = Some(one_of(&ids));
                    continue;
                };
                let text = raw_condition.value.as_text();
                let parsed = match condition::parse(&text) {
                    Ok(parsed) => parsed,
                    Err(err) => {
                        self.error(raw_condition, err.0).expected =
                            Some(expected_tests(table, input));
                        continue;
                    }
                };
                let test = match resolve(&parsed, table, input) {
                    Ok(test) => test,
                    Err(message) => {
                        self.error(raw_condition, message).expected =
                            Some(expected_tests(table, input));
                        continue;
                    }
                };
                if test.is_any() {
                    conditions.push(Condition { input, text, test });
                    continue;
                }
                let domain = domain::input_domain(table, input);
                if !domain.iter().any(|v| test.matches(v)) {
                    self.error(
                        raw_condition,
                        format!("the condition `{text}` on `{}` can never hold", key.value),
                    )
                    .expected = Some(domain_phrase(table, input, &domain));
                    continue;
                }
                if domain.iter().all(|v| test.matches(v)) {
                    self.warning(
                        raw_condition,
                        format!("the condition `{text}` on `{}` always holds", key.value),
                    )
                    .expected = Some("`-` (or leave the input out) to mean any value".to_owned());
                }
                conditions.push(Condition { input, text, test });
            }
            conditions.retain(|c| !c.test.is_any());
            let level = rule.level.as_ref().and_then(|level| {
                let word = level.value.trim();
                if word.eq_ignore_ascii_case("none") {
                    self.error(
                        level,
                        "`level: none` is no longer a level: an incomplete form must never withhold or lower the level that other rules give",
                    )
                    .expected = Some(
                        "`action:` with a text per language (a pending action shown next to the level, such as \"complete the EPDS\")".to_owned(),
                    );
                    return None;
                }
                let found = table
                    .levels
                    .iter()
                    .position(|l| l.id == word || word.parse::<i64>().is_ok_and(|n| n == l.number));
                if found.is_none() {
                    let mut known: Vec<String> =
                        table.levels.iter().map(|l| l.number.to_string()).collect();
                    known.extend(table.levels.iter().map(|l| l.id.clone()));
                    let known: Vec<&str> = known.iter().map(String::as_str).collect();
                    self.error(level, format!("unknown level `{word}`"))
                        .expected = Some(one_of(&known));
                }
                found.map(RuleLevel::Level)
            });
            if rule.level.is_none() && !rule.urgent && rule.action.is_none() {
                self.error(
                    &rule.id,
                    format!(
                        "rule `{}` sets neither a level, `urgent` nor an `action`",
                        rule.id.value
                    ),
                )
                .expected = Some("`level: N`, `urgent: true` or `action:`".to_owned());
            }
            let mut referrals = Vec::new();
            for id in &rule.referrals {
                match table.referral_index(&id.value) {
                    Some(index) if referrals.contains(&index) => {
                        self.warning(id, format!("referral `{}` is listed twice", id.value));
                    }
                    Some(index) => referrals.push(index),
                    None => {
                        let ids: Vec<&str> =
                            table.referrals.iter().map(|r| r.id.as_str()).collect();
                        self.error(id, format!("unknown referral target `{}`", id.value))
                            .expected = Some(one_of(&ids));
                    }
                }
            }
            let advice = rule
                .advice
                .as_ref()
                .map(|a| self.label(a, &format!("advice of rule `{}`", rule.id.value)));
            let action = rule
                .action
                .as_ref()
                .map(|a| self.label(a, &format!("action of rule `{}`", rule.id.value)));
            let rescreen = rule.rescreen.as_ref().and_then(|r| {
                let window = match (&r.value.after_weeks, &r.value.after_days) {
                    (Some(w), None) if w.len() == 2 => {
                        Some((w[0].saturating_mul(7), w[1].saturating_mul(7)))
                    }
                    (None, Some(d)) if d.len() == 2 => Some((d[0], d[1])),
                    _ => None,
                };
                match window {
                    Some((from, to)) if from <= to && to <= 3 * 366 => Some((from, to)),
                    _ => {
                        self.error(
                            r,
                            "a rescreen window needs two numbers, the earliest and the latest, within three years",
                        )
                        .expected = Some("`rescreen: {after_weeks: [2, 4]}` or `rescreen: {after_days: [7, 14]}`".to_owned());
                        None
                    }
                }
            });
            let source = match &rule.source {
                Some(source) if !source.value.trim().is_empty() => source.value.trim().to_owned(),
                _ => {
                    self.error(
                        &rule.id,
                        format!("rule `{}` cites no source", rule.id.value),
                    )
                    .expected = Some("`source:` naming the guideline or study".to_owned());
                    String::new()
                }
            };
            rules.push(Rule {
                id: rule.id.value.clone(),
                conditions,
                level,
                urgent: rule.urgent,
                referrals,
                advice,
                action,
                rescreen,
                source,
                line,
            });
        }
        rules
    }
}

/// Whether two windows of the same kind share a week or month.
fn overlap(a: Window, b: Window) -> bool {
    match (a, b) {
        (Window::PregnancyWeeks(a0, a1), Window::PregnancyWeeks(b0, b1))
        | (Window::WeeksAfterBirth(a0, a1), Window::WeeksAfterBirth(b0, b1))
        | (Window::ChildMonths(a0, a1), Window::ChildMonths(b0, b1)) => a0 <= b1 && b0 <= a1,
        _ => false,
    }
}

/// "instrument `epds`", or "instrument `se-local` (chosen for `child_se`)".
fn instrument_phrase(table: &RuleTable, instrument: usize) -> String {
    let (id, name) = (
        &table.instruments[instrument],
        &table.instrument_names[instrument],
    );
    if id == name {
        format!("instrument `{id}`")
    } else {
        format!("instrument `{id}` (chosen for `{name}`)")
    }
}

/// Words with a fixed meaning in conditions.
const RESERVED: &[&str] = &[
    "incomplete",
    "not_screened",
    "blank",
    "true",
    "false",
    "unknown",
    "any",
    "none",
];

/// Reads a data cell (or a `--set` value) as a value of `column`.
pub(crate) fn column_value(column: &Column, levels: &[Level], text: &str) -> Option<Value> {
    let word = text.trim().to_lowercase();
    if word.is_empty() {
        return Some(column.blank.unwrap_or(Value::Blank));
    }
    match &column.kind {
        ColumnKind::Boolean => match word.as_str() {
            "true" | "yes" | "y" | "ja" | "j" | "1" | "x" => Some(Value::Bool(true)),
            "false" | "no" | "n" | "nei" | "nej" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
        ColumnKind::Choice(words) => words
            .iter()
            .position(|w| *w == word)
            .map(|i| Value::Choice(i as u16)),
        ColumnKind::Level => {
            let number = word.parse::<f64>().ok();
            levels
                .iter()
                .find(|l| l.id == word || number == Some(l.number as f64))
                .map(|l| Value::Number(l.number as f64))
        }
        ColumnKind::Period => period_word(&word).map(Value::Choice),
        ColumnKind::Week => word
            .parse::<u32>()
            .ok()
            .map(|w| Value::Number(f64::from(w.min(super::MAX_WEEK)))),
    }
}

/// A period word in English, Norwegian or Swedish: 0 pregnancy, 1 after birth.
fn period_word(word: &str) -> Option<u16> {
    match word {
        "pregnancy" | "pregnant" | "svangerskap" | "gravid" | "graviditet" => Some(0),
        "postpartum" | "postnatal" | "after birth" | "barsel" | "etter fødsel"
        | "efter förlossning" => Some(1),
        _ => None,
    }
}

/// "one of `mother`, `partner`" for a column.
pub(crate) fn column_values_phrase(column: &Column, levels: &[Level]) -> String {
    match &column.kind {
        ColumnKind::Boolean => "yes/no (true, false, ja, nei, nej, 1, 0, x)".to_owned(),
        ColumnKind::Choice(words) => {
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            one_of(&words)
        }
        ColumnKind::Period => {
            "`pregnancy` or `postpartum` (or a screening date with a due date or birth date)"
                .to_owned()
        }
        ColumnKind::Week => format!(
            "a whole week from 0 to {} (or a screening date with a due date or birth date)",
            super::MAX_WEEK
        ),
        ColumnKind::Level => {
            let numbers: Vec<String> = levels.iter().map(|l| l.number.to_string()).collect();
            let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
            one_of(&numbers)
        }
    }
}

/// Compiles a parsed test for one input, resolving names.
fn resolve(parsed: &Parsed, table: &RuleTable, input: usize) -> Result<Test, String> {
    Ok(match parsed {
        Parsed::Any => Test::Any,
        Parsed::Not(inner) => Test::Not(Box::new(resolve(inner, table, input)?)),
        Parsed::AnyOf(list) => Test::AnyOf(
            list.iter()
                .map(|p| resolve(p, table, input))
                .collect::<Result<_, _>>()?,
        ),
        Parsed::Compare(cmp, n) => {
            numeric(table, input, parsed)?;
            Test::Compare(*cmp, *n)
        }
        Parsed::Range(low, low_closed, high, high_closed) => {
            numeric(table, input, parsed)?;
            Test::Range {
                low: *low,
                low_closed: *low_closed,
                high: *high,
                high_closed: *high_closed,
            }
        }
        Parsed::Name(name) => {
            let word = name.trim().to_lowercase().replace([' ', '-'], "_");
            let kind = &table.inputs[input].kind;
            let instrument_input = !matches!(kind, InputKind::Column(_));
            match word.as_str() {
                "not_screened" if instrument_input => Test::Is(Value::NotScreened),
                "incomplete" | "no_score" if matches!(kind, InputKind::Score { .. }) => {
                    Test::Is(Value::NoScore)
                }
                "blank" if matches!(kind, InputKind::Column(c) if c.blank.is_none()) => {
                    Test::Is(Value::Blank)
                }
                _ => match kind {
                    InputKind::Score { instrument, scale } => {
                        let def = &table.instrument_defs[*instrument];
                        let scale = &def.scales[*scale];
                        let index = scale.bands.iter().position(|b| b.id == word);
                        let Some(index) = index else {
                            let what = if def.age_banding.is_some() {
                                "zone"
                            } else {
                                "band"
                            };
                            return Err(format!(
                                "`{name}` is not a {what} of scale `{}.{}`",
                                table.instrument_names[*instrument], scale.id
                            ));
                        };
                        if def.age_banding.is_some() {
                            // The zone's id, whatever the numbers behind it in the row's interval.
                            Test::Is(Value::Zone(domain::zone_value(index)))
                        } else {
                            let band = &scale.bands[index];
                            Test::Range {
                                low: band.from,
                                low_closed: true,
                                high: band.to,
                                high_closed: true,
                            }
                        }
                    }
                    InputKind::Flag { .. } | InputKind::Complete { .. } => match word.as_str() {
                        "true" | "yes" => Test::Is(Value::Bool(true)),
                        "false" | "no" => Test::Is(Value::Bool(false)),
                        "unknown" if matches!(kind, InputKind::Flag { .. }) => {
                            Test::Is(Value::Unknown)
                        }
                        _ => return Err(format!("`{name}` is not a test of a yes/no input")),
                    },
                    InputKind::Column(column) => column_value(column, &table.levels, &word)
                        .map(Test::Is)
                        .ok_or_else(|| {
                            format!("`{name}` is not a value of column `{}`", column.name)
                        })?,
                },
            }
        }
    })
}

fn numeric(table: &RuleTable, input: usize, parsed: &Parsed) -> Result<(), String> {
    if let Some(zones) = table.zones(input) {
        let InputKind::Score { instrument, scale } = &table.inputs[input].kind else {
            unreachable!("zones belong to score inputs");
        };
        let def = &table.instrument_defs[*instrument];
        let ids: Vec<String> = zones.iter().map(|z| format!("`{}`", z.id)).collect();
        let instead = if ids.is_empty() {
            "it has no zones, so only `incomplete` and `not_screened` can be tested".to_owned()
        } else {
            format!("test its zone instead ({})", ids.join(", "))
        };
        return Err(format!(
            "input `{}` reads `{}.{}` of the age-banded {}, whose score means something different in each age interval (each has its own cutoffs), so it cannot be compared with a number; {instead}",
            table.inputs[input].id,
            table.instrument_names[*instrument],
            def.scales[*scale].id,
            instrument_phrase(table, *instrument),
        ));
    }
    match &table.inputs[input].kind {
        InputKind::Score { .. }
        | InputKind::Column(Column {
            kind: ColumnKind::Level | ColumnKind::Week,
            ..
        }) => Ok(()),
        _ => Err(format!(
            "`{}` compares numbers, but input `{}` is not a number",
            show_parsed(parsed),
            table.inputs[input].id
        )),
    }
}

fn show_parsed(parsed: &Parsed) -> String {
    match parsed {
        Parsed::Compare(_, n) | Parsed::Range(n, ..) => format!("a test on {n}"),
        _ => "the test".to_owned(),
    }
}

/// What tests an input accepts, for messages.
fn expected_tests(table: &RuleTable, input: usize) -> String {
    match &table.inputs[input].kind {
        InputKind::Score { .. } if table.zones(input).is_some() => {
            let zones: Vec<&str> = table
                .zones(input)
                .unwrap_or_default()
                .iter()
                .map(|b| b.id.as_str())
                .collect();
            let mut text = String::new();
            if !zones.is_empty() {
                text.push_str(&format!("a zone ({}), ", zones.join(", ")));
            }
            text.push_str("`incomplete` or `not_screened`");
            text
        }
        InputKind::Score { instrument, scale } => {
            let scale = &table.instrument_defs[*instrument].scales[*scale];
            let bands: Vec<&str> = scale.bands.iter().map(|b| b.id.as_str()).collect();
            let mut text = "a score test such as \">=13\" or [10..12]".to_owned();
            if !bands.is_empty() {
                text.push_str(&format!(", a band ({})", bands.join(", ")));
            }
            text.push_str(", `incomplete` or `not_screened`");
            text
        }
        InputKind::Flag { .. } => "`true`, `false`, `unknown` or `not_screened`".to_owned(),
        InputKind::Complete { .. } => "`true`, `false` or `not_screened`".to_owned(),
        InputKind::Column(column) => {
            let mut text = column_values_phrase(column, &table.levels);
            if column.blank.is_none() {
                text.push_str(" or `blank`");
            }
            text
        }
    }
}

/// "EPDS totalskår reaches 0-30, or incomplete / not screened".
fn domain_phrase(table: &RuleTable, input: usize, domain: &[Value]) -> String {
    let numbers: Vec<f64> = domain
        .iter()
        .filter_map(|v| match v {
            Value::Score(s) | Value::Number(s) => Some(*s),
            _ => None,
        })
        .collect();
    match (&table.inputs[input].kind, numbers.first(), numbers.last()) {
        (InputKind::Score { instrument, scale }, Some(low), Some(high)) => {
            let def = &table.instrument_defs[*instrument];
            format!(
                "a test that some score of {}.{} can meet (reachable: {}-{}, or incomplete, or not_screened)",
                def.id,
                def.scales[*scale].id,
                crate::instrument::fmt_score(*low),
                crate::instrument::fmt_score(*high)
            )
        }
        _ => expected_tests(table, input),
    }
}
