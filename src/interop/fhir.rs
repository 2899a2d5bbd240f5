//! FHIR R4/R5 Questionnaire JSON to an instrument [`Draft`].
//!
//! Points are read from every place real Questionnaires put them (see
//! `docs/interop.md`): the `ordinalValue` / `itemWeight` extension (and the
//! older `iso21090-CO-value` and STU3 names) on an answerOption or inside its
//! valueCoding; on the concepts of a contained or bundled ValueSet's
//! `compose` or `expansion` (also as the backported expansion property); or
//! as a property of a CodeSystem in the same file. Weights belong to the
//! Questionnaire: the same LOINC answer code weighs differently in different
//! Questionnaires, so no code table is consulted.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Draft, DraftItem, DraftOption, DraftScale, to_id, unique_id};

/// The largest single JSON resource read whole (NDJSON is streamed instead).
pub const MAX_RESOURCE_BYTES: u64 = 64 << 20;

/// Marks a problem that only matters when no item at all can be scored.
const UNRESOLVED: &str = "\u{1}";
const SDC: &str = "http://hl7.org/fhir/uv/sdc/StructureDefinition/";
const HELSENORGE_SCORING: &str = "http://ehelse.no/scoringFormulas";

/// Why a Questionnaire could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, or not a Questionnaire.
    #[error("{0}")]
    NotQuestionnaire(String),
    /// Items that cannot be scored, each with its linkId.
    #[error("the Questionnaire cannot be imported:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Problems(Vec<String>),
}

/// Whether an extension URL names a weight (ordinalValue, itemWeight and older names).
pub fn is_weight_url(url: &str) -> bool {
    let name = url.rsplit('/').next().unwrap_or(url);
    matches!(
        name,
        "ordinalValue"
            | "itemWeight"
            | "questionnaire-ordinalValue"
            | "valueset-ordinalValue"
            | "iso21090-CO-value"
    )
}

/// A number from a `valueDecimal` / `valueInteger` (or a number-like string).
fn number(value: &Value) -> Option<f64> {
    ["valueDecimal", "valueInteger", "valueString"]
        .iter()
        .find_map(|key| match value.get(key) {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) if *key == "valueString" => s.trim().parse().ok(),
            _ => None,
        })
}

/// The weight in an element's `extension` list.
pub fn weight_in(element: &Value) -> Option<f64> {
    let extensions = element.get("extension")?.as_array()?;
    for extension in extensions {
        let url = extension.get("url").and_then(Value::as_str).unwrap_or("");
        if is_weight_url(url)
            && let Some(n) = extension
                .get("valueDecimal")
                .or_else(|| extension.get("valueInteger"))
                .and_then(Value::as_f64)
        {
            return Some(n);
        }
        // The R5 expansion property backported to R4: {code: itemWeight, value: n}.
        if url.ends_with("extension-ValueSet.expansion.contains.property") {
            let parts = extension.get("extension").and_then(Value::as_array);
            if let Some(parts) = parts {
                let is_weight = parts.iter().any(|p| {
                    p.get("valueCode")
                        .and_then(Value::as_str)
                        .is_some_and(|c| c == "itemWeight" || c == "ordinalValue")
                });
                if is_weight && let Some(n) = parts.iter().find_map(number) {
                    return Some(n);
                }
            }
        }
    }
    None
}

/// The resources of a file: a resource, a Bundle's entries, and anything contained.
#[derive(Debug, Default)]
pub struct Resources<'a> {
    /// Every resource in the file, Bundle entries and contained resources included.
    pub all: Vec<&'a Value>,
}

impl<'a> Resources<'a> {
    /// Collects `root` and what it holds.
    pub fn of(root: &'a Value) -> Resources<'a> {
        let mut resources = Resources::default();
        resources.add(root);
        resources
    }

    fn add(&mut self, resource: &'a Value) {
        self.all.push(resource);
        if let Some(entries) = resource.get("entry").and_then(Value::as_array) {
            for entry in entries {
                if let Some(inner) = entry.get("resource") {
                    self.add(inner);
                }
            }
        }
        if let Some(contained) = resource.get("contained").and_then(Value::as_array) {
            for inner in contained {
                self.add(inner);
            }
        }
    }

    /// Resources of one type.
    pub fn of_type(&self, kind: &str) -> Vec<&'a Value> {
        self.all
            .iter()
            .copied()
            .filter(|r| r.get("resourceType").and_then(Value::as_str) == Some(kind))
            .collect()
    }

    /// The resource of `kind` a reference names: `#id`, a canonical URL (with or without `|version`), or an id.
    fn find(&self, kind: &str, reference: &str) -> Option<&'a Value> {
        let reference = reference.split('|').next().unwrap_or(reference);
        let id = reference.strip_prefix('#').unwrap_or(reference);
        self.of_type(kind).into_iter().find(|r| {
            r.get("url").and_then(Value::as_str) == Some(reference)
                || r.get("id").and_then(Value::as_str) == Some(id)
        })
    }
}

/// A coding's system and code.
fn coding_of(value: &Value) -> (Option<String>, Option<String>) {
    (
        value
            .get("system")
            .and_then(Value::as_str)
            .map(str::to_owned),
        value.get("code").and_then(Value::as_str).map(str::to_owned),
    )
}

/// The LOINC code (or first code) of an element's `code` list.
fn loinc_of(element: &Value) -> Option<String> {
    let codes = element.get("code")?.as_array()?;
    codes
        .iter()
        .find(|c| c.get("system").and_then(Value::as_str) == Some("http://loinc.org"))
        .and_then(|c| c.get("code").and_then(Value::as_str))
        .map(str::to_owned)
}

/// Whether an element is coded with a Helsenorge scoring formula (`QS`, `SS`, `TS`).
fn helsenorge_kind(element: &Value) -> Option<String> {
    element.get("code")?.as_array()?.iter().find_map(|c| {
        let system = c.get("system").and_then(Value::as_str)?;
        system
            .starts_with(HELSENORGE_SCORING)
            .then(|| c.get("code").and_then(Value::as_str).map(str::to_owned))
            .flatten()
    })
}

/// The calculated expression of an item, if any (SDC or Helsenorge).
fn calculated_expression(item: &Value) -> Option<String> {
    let extensions = item.get("extension")?.as_array()?;
    extensions.iter().find_map(|e| {
        let url = e.get("url").and_then(Value::as_str)?;
        if url == format!("{SDC}sdc-questionnaire-calculatedExpression") {
            e.get("valueExpression")
                .and_then(|x| x.get("expression"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        } else if url.ends_with("sdf-calculatedExpression") || url.ends_with("calculatedExpression")
        {
            e.get("valueString")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| Some(String::new()))
        } else {
            None
        }
    })
}

/// Whether an expression just adds up answers (so the stored total is a sum of the items).
fn is_plain_sum(expression: &str) -> bool {
    let lower = expression.to_lowercase();
    let adds = lower.contains("sum()") || lower.contains('+') || lower.contains("sum(");
    let other = [
        "iif", "*", "/", " - ", "div", "mod", "round", "ceiling", "floor",
    ]
    .iter()
    .any(|op| lower.contains(op));
    adds && !other
}

/// Whether an item looks like a total (by its linkId or text), for items with no expression.
fn looks_like_total(item: &Value) -> bool {
    let text = format!(
        "{} {}",
        item.get("linkId").and_then(Value::as_str).unwrap_or(""),
        item.get("text").and_then(Value::as_str).unwrap_or("")
    )
    .to_lowercase();
    ["total", "score", "sum", "skår", "poäng", "poeng"]
        .iter()
        .any(|w| text.contains(w))
}

/// Options of an item, with their points when found (`None` where a weight is missing).
fn options_of(
    item: &Value,
    resources: &Resources<'_>,
    link_id: &str,
    problems: &mut Vec<String>,
) -> Option<Vec<(Option<f64>, DraftOption)>> {
    if let Some(options) = item.get("answerOption").and_then(Value::as_array) {
        let mut out = Vec::new();
        for option in options {
            if let Some(coding) = option.get("valueCoding") {
                let (system, code) = coding_of(coding);
                let weight = weight_in(option).or_else(|| weight_in(coding)).or_else(|| {
                    weight_from_terminology(resources, system.as_deref(), code.as_deref())
                });
                let label = coding
                    .get("display")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                out.push((
                    weight,
                    DraftOption {
                        points: 0,
                        label,
                        code,
                        system,
                    },
                ));
            } else if let Some(n) = option.get("valueInteger").and_then(Value::as_i64) {
                // An integer option is its own score unless a weight says otherwise.
                let weight = weight_in(option).or(Some(n as f64));
                out.push((
                    weight,
                    DraftOption {
                        points: 0,
                        label: n.to_string(),
                        code: Some(n.to_string()),
                        system: None,
                    },
                ));
            } else if let Some(text) = option.get("valueString").and_then(Value::as_str) {
                out.push((
                    weight_in(option),
                    DraftOption {
                        points: 0,
                        label: text.to_owned(),
                        code: Some(text.to_owned()),
                        system: None,
                    },
                ));
            } else {
                problems.push(format!(
                    "item `{link_id}`: an answerOption of a kind stepcare cannot read ({})",
                    short(option)
                ));
                return None;
            }
        }
        return Some(out);
    }
    let reference = item.get("answerValueSet").and_then(Value::as_str)?;
    let Some(value_set) = resources.find("ValueSet", reference) else {
        // Treated like options without points: an error only if no item has any.
        problems.push(format!(
            "{UNRESOLVED}item `{link_id}`: its answer ValueSet `{reference}` is not in the files given, so its points are unknown (give the file holding it as another FILE)"
        ));
        return Some(Vec::new());
    };
    let mut out = Vec::new();
    let contains = value_set
        .get("expansion")
        .and_then(|e| e.get("contains"))
        .and_then(Value::as_array);
    if let Some(contains) = contains {
        for concept in contains {
            let (system, code) = coding_of(concept);
            let weight = weight_in(concept)
                .or_else(|| property_weight(concept))
                .or_else(|| weight_from_terminology(resources, system.as_deref(), code.as_deref()));
            out.push((
                weight,
                DraftOption {
                    points: 0,
                    label: concept
                        .get("display")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    code,
                    system,
                },
            ));
        }
        return Some(out);
    }
    let includes = value_set
        .get("compose")
        .and_then(|c| c.get("include"))
        .and_then(Value::as_array);
    for include in includes.into_iter().flatten() {
        let system = include
            .get("system")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let concepts = include.get("concept").and_then(Value::as_array);
        match concepts {
            Some(concepts) => {
                for concept in concepts {
                    let code = concept
                        .get("code")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    let weight = weight_in(concept).or_else(|| {
                        weight_from_terminology(resources, system.as_deref(), code.as_deref())
                    });
                    out.push((
                        weight,
                        DraftOption {
                            points: 0,
                            label: concept
                                .get("display")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_owned(),
                            code,
                            system: system.clone(),
                        },
                    ));
                }
            }
            None => {
                // A whole CodeSystem: its concepts, in its order.
                let Some(code_system) = system
                    .as_deref()
                    .and_then(|s| resources.find("CodeSystem", s))
                else {
                    problems.push(format!(
                        "item `{link_id}`: its ValueSet includes the code system `{}` without listing concepts, and that CodeSystem is not in the files given",
                        system.as_deref().unwrap_or("?")
                    ));
                    return None;
                };
                for concept in code_system
                    .get("concept")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let code = concept
                        .get("code")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    out.push((
                        weight_from_terminology(resources, system.as_deref(), code.as_deref()),
                        DraftOption {
                            points: 0,
                            label: concept
                                .get("display")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_owned(),
                            code,
                            system: system.clone(),
                        },
                    ));
                }
            }
        }
    }
    Some(out)
}

/// A weight given as an R5 `property` of an expansion concept.
fn property_weight(concept: &Value) -> Option<f64> {
    concept
        .get("property")?
        .as_array()?
        .iter()
        .find(|p| {
            p.get("code")
                .and_then(Value::as_str)
                .is_some_and(|c| c == "itemWeight" || c == "ordinalValue")
        })
        .and_then(number)
}

/// A weight from a CodeSystem in the file: a concept property named itemWeight (or ordinalValue).
fn weight_from_terminology(
    resources: &Resources<'_>,
    system: Option<&str>,
    code: Option<&str>,
) -> Option<f64> {
    let (system, code) = (system?, code?);
    let code_system = resources.find("CodeSystem", system)?;
    // Property codes declared with the itemWeight URI, whatever they are called locally.
    let mut names: Vec<String> = vec!["itemWeight".to_owned(), "ordinalValue".to_owned()];
    for declared in code_system
        .get("property")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let uri = declared.get("uri").and_then(Value::as_str).unwrap_or("");
        if uri.ends_with("#itemWeight")
            && let Some(name) = declared.get("code").and_then(Value::as_str)
        {
            names.push(name.to_owned());
        }
    }
    let concept = find_concept(code_system.get("concept")?, code)?;
    concept
        .get("property")?
        .as_array()?
        .iter()
        .find(|p| {
            p.get("code")
                .and_then(Value::as_str)
                .is_some_and(|c| names.iter().any(|n| n == c))
        })
        .and_then(number)
        .or_else(|| weight_in(concept))
}

fn find_concept<'a>(concepts: &'a Value, code: &str) -> Option<&'a Value> {
    for concept in concepts.as_array()? {
        if concept.get("code").and_then(Value::as_str) == Some(code) {
            return Some(concept);
        }
        if let Some(found) = concept.get("concept").and_then(|c| find_concept(c, code)) {
            return Some(found);
        }
    }
    None
}

/// A short rendering of a JSON value for messages.
pub fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 80 {
        format!("{}...", text.chars().take(77).collect::<String>())
    } else {
        text
    }
}

/// Options from an integer item's `minValue`/`maxValue` (an item that holds its score directly).
fn integer_range(item: &Value) -> Option<(i64, i64)> {
    let bound = |name: &str| {
        item.get("extension")?
            .as_array()?
            .iter()
            .find(|e| {
                e.get("url")
                    .and_then(Value::as_str)
                    .is_some_and(|u| u.ends_with(name))
            })
            .and_then(|e| e.get("valueInteger").and_then(Value::as_i64))
    };
    Some((bound("minValue")?, bound("maxValue")?))
}

struct Walk<'a> {
    resources: Resources<'a>,
    draft: Draft,
    problems: Vec<String>,
    taken: Vec<String>,
    link_ids: Vec<String>,
    /// Section scores: (linkId of the score item, ids of the scored items in its group).
    sections: Vec<(String, Vec<String>)>,
    /// Total items: (linkId, LOINC code).
    totals: Vec<(String, Option<String>)>,
    /// Choice items with no points at all.
    unweighted: Vec<String>,
}

impl Walk<'_> {
    fn items(&mut self, items: &[Value], path: &str) -> Vec<String> {
        let mut scored_here = Vec::new();
        let mut section_scores = Vec::new();
        for item in items {
            let link_id = item
                .get("linkId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if link_id.is_empty() {
                self.problems
                    .push(format!("an item under `{path}` has no linkId"));
                continue;
            }
            if self.link_ids.contains(&link_id) {
                self.problems.push(format!(
                    "linkId `{link_id}` is used by two items: responses could not be matched"
                ));
                continue;
            }
            self.link_ids.push(link_id.clone());
            let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
            if item.get("enableWhen").is_some() {
                self.draft.not_carried.push(format!(
                    "`{link_id}`: enableWhen (shown only on a condition); stepcare treats an unanswered item as missing"
                ));
            }
            let scoring = helsenorge_kind(item);
            match kind {
                "group" => {
                    let inner = item
                        .get("item")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    scored_here.extend(self.items(&inner, &link_id));
                    continue;
                }
                "display" => {
                    if looks_like_total(item) && item.get("text").is_some() {
                        self.draft.not_carried.push(format!(
                            "`{link_id}`: a display-only total (it cannot hold a value, so there is no stored total to compare)"
                        ));
                    }
                    continue;
                }
                _ => {}
            }
            let expression = calculated_expression(item);
            let numeric = matches!(kind, "integer" | "decimal" | "quantity");
            if scoring.as_deref() == Some("SS") {
                section_scores.push(link_id.clone());
                continue;
            }
            if scoring.as_deref() == Some("TS")
                || (numeric && (expression.is_some() || looks_like_total(item)))
            {
                if let Some(expression) = &expression
                    && !expression.is_empty()
                    && !is_plain_sum(expression)
                {
                    self.draft.not_carried.push(format!(
                        "`{link_id}`: a calculated expression that is not a plain sum ({expression}); its stored value is compared with the sum of the items"
                    ));
                }
                self.totals.push((link_id.clone(), loinc_of(item)));
                continue;
            }
            if kind == "integer"
                && let Some((low, high)) =
                    integer_range(item).filter(|(l, h)| h - l <= 20 && l <= h)
            {
                {
                    let id = unique_id(to_id(&link_id, "q"), &mut self.taken);
                    let options = (low..=high)
                        .map(|n| DraftOption {
                            points: n as i32,
                            label: n.to_string(),
                            code: None,
                            system: None,
                        })
                        .collect();
                    self.push_item(item, &link_id, id.clone(), options);
                    self.draft.not_carried.push(format!(
                        "`{link_id}`: an integer item holding its own score ({low}-{high}); imported as options {low} to {high}, so their printed order and keying are not known"
                    ));
                    scored_here.push(id);
                    continue;
                }
            }
            if !matches!(kind, "choice" | "coding" | "open-choice") {
                if scoring.as_deref() != Some("QS") {
                    self.draft
                        .not_carried
                        .push(format!("`{link_id}`: a {kind} item (not scored)"));
                }
                continue;
            }
            let Some(options) = options_of(item, &self.resources, &link_id, &mut self.problems)
            else {
                continue;
            };
            if let Some(last) = self.problems.last()
                && let Some(note) = last.strip_prefix(UNRESOLVED)
            {
                let note = note.to_owned();
                self.problems.pop();
                self.draft
                    .not_carried
                    .push(format!("`{link_id}`: not scored: {note}"));
                self.unweighted.push(link_id.clone());
                continue;
            }
            if options.is_empty() {
                self.problems
                    .push(format!("item `{link_id}`: no answer options"));
                continue;
            }
            let weighted = options.iter().filter(|(w, _)| w.is_some()).count();
            if weighted == 0 {
                self.draft.not_carried.push(format!(
                    "`{link_id}`: no option has points, so the item is not scored (if it should be, its weights are missing)"
                ));
                self.unweighted.push(link_id.clone());
                continue;
            }
            if weighted < options.len() {
                let missing: Vec<String> = options
                    .iter()
                    .filter(|(w, _)| w.is_none())
                    .map(|(_, o)| o.code.clone().unwrap_or_else(|| o.label.clone()))
                    .collect();
                self.problems.push(format!(
                    "item `{link_id}`: options without points ({}); stepcare never reads a missing weight as 0",
                    missing.join(", ")
                ));
                continue;
            }
            let mut draft_options = Vec::new();
            let mut fractional = false;
            for (weight, mut option) in options {
                let weight = weight.unwrap_or_default();
                if weight.fract() != 0.0 || weight.abs() > 1e6 {
                    fractional = true;
                }
                option.points = weight as i32;
                draft_options.push(option);
            }
            if fractional {
                self.problems.push(format!(
                    "item `{link_id}`: weights that are not whole numbers; stepcare scores whole points"
                ));
                continue;
            }
            let id = unique_id(to_id(&link_id, "q"), &mut self.taken);
            self.push_item(item, &link_id, id.clone(), draft_options);
            scored_here.push(id);
        }
        for link_id in section_scores {
            self.sections.push((link_id, scored_here.clone()));
        }
        scored_here
    }

    fn push_item(&mut self, item: &Value, link_id: &str, id: String, options: Vec<DraftOption>) {
        let mut codes = BTreeMap::new();
        if let Some(loinc) = loinc_of(item) {
            codes.insert("loinc".to_owned(), loinc);
        }
        self.draft.items.push(DraftItem {
            id,
            label: item
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or(link_id)
                .to_owned(),
            link_id: Some(link_id.to_owned()),
            aliases: Vec::new(),
            codes,
            options,
        });
    }
}

/// Parses one file of FHIR JSON, with a located error when it is not JSON.
pub fn parse_json(text: &str, file: &str) -> Result<Value, ImportError> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        ImportError::NotQuestionnaire(format!(
            "`{file}` is not JSON (line {}, column {}: {e}); expected FHIR JSON",
            e.line(),
            e.column()
        ))
    })
}

/// Reads the Questionnaire in `files` (a resource or a Bundle holding one) as a [`Draft`].
///
/// Further files may hold the ValueSets and CodeSystems it refers to.
pub fn import_questionnaire(
    files: &[(String, Value)],
    id: Option<&str>,
) -> Result<Draft, ImportError> {
    let file = files.first().map_or("", |(name, _)| name.as_str());
    let root = files.first().map_or(&Value::Null, |(_, v)| v);
    let mut resources = Resources::default();
    for (_, value) in files {
        resources.add(value);
    }
    let questionnaires = resources.of_type("Questionnaire");
    let questionnaire = match questionnaires.as_slice() {
        [one] => *one,
        [] => {
            let kind = root
                .get("resourceType")
                .and_then(Value::as_str)
                .map_or("JSON without a resourceType (not FHIR)".to_owned(), |k| {
                    format!("a FHIR {k}")
                });
            return Err(ImportError::NotQuestionnaire(format!(
                "`{file}` holds {kind}, not a Questionnaire"
            )));
        }
        several => {
            let ids: Vec<&str> = several
                .iter()
                .map(|q| q.get("id").and_then(Value::as_str).unwrap_or("?"))
                .collect();
            return Err(ImportError::NotQuestionnaire(format!(
                "`{file}` holds {} Questionnaires ({}); import them one at a time",
                several.len(),
                ids.join(", ")
            )));
        }
    };
    let title = questionnaire
        .get("title")
        .or_else(|| questionnaire.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("Imported questionnaire")
        .to_owned();
    let source_id = questionnaire
        .get("name")
        .or_else(|| questionnaire.get("id"))
        .and_then(Value::as_str)
        .unwrap_or("imported");
    let lang = match questionnaire
        .get("language")
        .and_then(Value::as_str)
        .unwrap_or("en")
        .get(..2)
        .unwrap_or("en")
    {
        "nb" | "no" | "nn" => "nb",
        "sv" => "sv",
        _ => "en",
    };
    let canonical = questionnaire
        .get("url")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let copyright = questionnaire
        .get("copyright")
        .and_then(Value::as_str)
        .map(|c| {
            format!(
                " The Questionnaire states: {}",
                c.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .unwrap_or_default();
    let mut draft = Draft {
        id: id.map_or_else(|| to_id(source_id, "q"), str::to_owned),
        name: title,
        lang: lang.to_owned(),
        version: questionnaire
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or("imported")
            .to_owned(),
        citation: format!(
            "Imported with `stepcare import fhir` from the FHIR Questionnaire {} in `{file}`.",
            canonical.clone().unwrap_or_else(|| format!(
                "`{}`",
                questionnaire
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
            ))
        ),
        licence: format!(
            "The labels are the item and option texts of the imported Questionnaire: they are the user's own data, not stepcare's, and may be under copyright.{copyright}"
        ),
        ..Draft::default()
    };
    if let Some(loinc) = loinc_of(questionnaire) {
        draft.codes.insert("loinc".to_owned(), loinc);
    }
    if let Some(canonical) = canonical {
        draft.codes.insert("fhir".to_owned(), canonical);
    }
    let mut walk = Walk {
        resources,
        draft,
        problems: Vec::new(),
        taken: Vec::new(),
        link_ids: Vec::new(),
        sections: Vec::new(),
        totals: Vec::new(),
        unweighted: Vec::new(),
    };
    let items = questionnaire
        .get("item")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let all = walk.items(&items, "Questionnaire");
    if all.is_empty() && walk.problems.is_empty() {
        walk.problems.push(if walk.unweighted.is_empty() {
            "no scored items: no choice item with answer options".to_owned()
        } else {
            format!(
                "no item has points (items without weights: {}); the points may live in a terminology server stepcare cannot reach: put the ValueSet or CodeSystem in the file",
                walk.unweighted.join(", ")
            )
        });
    }
    if !walk.problems.is_empty() {
        return Err(ImportError::Problems(walk.problems));
    }
    let mut draft = walk.draft;
    let mut taken: Vec<String> = Vec::new();
    let total_id = unique_id("total".to_owned(), &mut taken);
    let mut total = DraftScale {
        id: total_id,
        label: "Total".to_owned(),
        items: all.clone(),
        ..DraftScale::default()
    };
    for (link_id, loinc) in &walk.totals {
        total.stored.push(link_id.clone());
        if let Some(loinc) = loinc {
            total.codes.insert("loinc".to_owned(), loinc.clone());
        }
    }
    if walk.totals.len() > 1 {
        draft.warnings.push(format!(
            "{} total items ({}) are all taken as stored values of the total",
            walk.totals.len(),
            walk.totals
                .iter()
                .map(|(l, _)| format!("`{l}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    draft.scales.push(total);
    for (link_id, items) in walk.sections {
        if items.is_empty() || items == all {
            continue;
        }
        draft.scales.push(DraftScale {
            id: unique_id(to_id(&link_id, "s"), &mut taken),
            label: format!("Section score {link_id}"),
            items,
            stored: vec![link_id],
            ..DraftScale::default()
        });
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_sums_are_told_from_other_expressions() {
        assert!(is_plain_sum("%resource.item.answer.value.weight().sum()"));
        assert!(is_plain_sum("%a + %b + %c"));
        assert!(!is_plain_sum("iif(%a.exists(), %a, 0) + %b"));
        assert!(!is_plain_sum("(%a + %b) * 9 / 7"));
    }
}
