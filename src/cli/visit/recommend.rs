//! The stepped-care part of the result: care level, referrals and the rules that fired.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use stepcare::batch::care::Care;
use stepcare::instrument::Instrument;
use stepcare::instrument::age::Date;
use stepcare::lang::Lang;
use stepcare::rules::{
    BIRTH_DATE, BUILTIN_TABLES, ColumnKind, DUE_DATE, DataValues, Decision, Evaluator,
    Recommendation, RuleTable, load_builtin, load_table, recommend,
};
use stepcare::scoring::InstrumentScore;

use super::super::UsageError;
use super::super::common::{fail_with, read_file};
use super::messages::Msg;
use super::render::{Compact, Style};

/// A rule table chosen for the visit, with the data it reads.
#[derive(Debug)]
pub struct Rules {
    table: Arc<RuleTable>,
    data: DataValues,
    /// The family's dates the table uses: (`due_date` or `birth_date`, ISO
    /// date), empty when unknown.
    dates: Vec<(String, String)>,
}

/// One clinician input of the table (a data column other than the respondent).
#[derive(Debug, Clone)]
pub struct ContextInput {
    /// The column's name (`previous_level`).
    pub column: String,
    /// Its label per language.
    pub label: stepcare::lang::Localized,
    /// What it holds.
    pub kind: ColumnKind,
}

impl Rules {
    /// Loads `--rules ID|FILE` (a shipped table's id, else a file), checked
    /// against `catalog`, and checks `--set NAME=VALUE` against the table's
    /// data columns, before any question is asked.
    pub fn load(
        spec: &str,
        catalog: &[&Instrument],
        visit: &[&Instrument],
        respondent: &str,
        sets: &DataValues,
        visit_date: Date,
    ) -> anyhow::Result<Rules> {
        let table = if BUILTIN_TABLES.iter().any(|(id, _, _)| *id == spec) {
            load_builtin(spec, catalog)
                .map_err(|problems| fail_with(problems.diagnostics, |_| None))?
        } else if Path::new(spec).exists() {
            let text = read_file(Path::new(spec))?;
            match load_table(spec, &text, catalog) {
                (Some(table), _) => table,
                (None, diagnostics) => {
                    return Err(fail_with(diagnostics, |_| Some(text.clone()))
                        .context(format!("the rule table `{spec}` has errors")));
                }
            }
        } else {
            let known: Vec<&str> = BUILTIN_TABLES.iter().map(|(id, _, _)| *id).collect();
            return Err(UsageError(format!(
                "--rules {spec}: no shipped table has this id and no such file exists (shipped: {})",
                known.join(", ")
            ))
            .into());
        };
        Rules::with_table(Arc::new(table), visit, respondent, sets, visit_date)
    }

    /// The visit's rules from a table already loaded: checks `--set
    /// NAME=VALUE` against its data columns and the dates it uses.
    pub fn with_table(
        table: Arc<RuleTable>,
        visit: &[&Instrument],
        respondent: &str,
        sets: &DataValues,
        visit_date: Date,
    ) -> anyhow::Result<Rules> {
        let mut data = DataValues::from([("respondent".to_owned(), respondent.to_owned())]);
        let columns: Vec<String> = table.columns().map(|(_, c)| c.name.clone()).collect();
        let (due, birth) = table.dates_used();
        let mut dates: Vec<(String, String)> = [(DUE_DATE, due), (BIRTH_DATE, birth)]
            .into_iter()
            .filter(|(_, used)| *used)
            .map(|(column, _)| (column.to_owned(), String::new()))
            .collect();
        for (name, value) in sets {
            if [DUE_DATE, BIRTH_DATE]
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name))
            {
                let Some(slot) = dates.iter_mut().find(|(c, _)| c.eq_ignore_ascii_case(name))
                else {
                    return Err(UsageError(format!(
                        "--set {name}={value}: the rule table `{}` uses no {} (its schedule and rules do not need it)",
                        table.id,
                        if name.eq_ignore_ascii_case(DUE_DATE) { "due date" } else { "birth date" }
                    ))
                    .into());
                };
                let date = read_family_date(&slot.0, value, visit_date, Lang::En)
                    .map_err(|why| UsageError(format!("--set {name}={value}: {why}")))?;
                slot.1 = date.map(|d| d.to_string()).unwrap_or_default();
                continue;
            }
            if name.eq_ignore_ascii_case("respondent") {
                return Err(UsageError(
                    "--set respondent=...: give who answers with --respondent".to_owned(),
                )
                .into());
            }
            let Some(column) = columns.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
                return Err(UsageError(format!(
                    "--set {name}={value}: the rule table `{}` reads no column `{name}` (it reads: {})",
                    table.id,
                    columns.join(", ")
                ))
                .into());
            };
            if let Some(Err(expected)) = table.check_column_value(column, value) {
                return Err(UsageError(format!(
                    "--set {name}={value}: `{value}` is not {expected}"
                ))
                .into());
            }
            data.insert(column.clone(), value.clone());
        }
        // A clinician input not given is blank: not assessed.
        for (_, column) in table.columns().filter(|(_, c)| is_context(c)) {
            data.entry(column.name.clone()).or_default();
        }
        if let Err(missing) = Evaluator::new(&table, visit, &[], &data) {
            let columns: Vec<String> = missing
                .iter()
                .map(|m| format!("{} ({})", m.column, m.values))
                .collect();
            anyhow::bail!(
                "the rule table `{}` cannot be used for this visit (answered by the {respondent}): it needs data the visit does not give: {}",
                table.id,
                columns.join("; ")
            );
        }
        Ok(Rules { table, data, dates })
    }

    /// The family's dates the table uses: (`due_date` or `birth_date`, ISO date or empty).
    pub fn dates(&self) -> &[(String, String)] {
        &self.dates
    }

    /// Sets one of the family's dates (empty: unknown); a column the table does not use is ignored.
    pub fn set_date(&mut self, column: &str, value: String) {
        if let Some(slot) = self.dates.iter_mut().find(|(c, _)| c == column) {
            slot.1 = value;
        }
    }

    /// The table.
    pub fn table(&self) -> &RuleTable {
        &self.table
    }

    /// The batch writer's stepped-care part, naming levels in `lang`.
    pub fn care(&self, lang: Lang) -> Care {
        Care::new(Arc::clone(&self.table), self.data.clone(), lang)
    }

    /// The table's clinician inputs (its data columns but the respondent), in table order.
    pub fn context_inputs(&self) -> Vec<ContextInput> {
        self.table
            .columns()
            .filter(|(_, c)| is_context(c))
            .map(|(index, c)| ContextInput {
                column: c.name.clone(),
                label: self.table.inputs[index].label.clone(),
                kind: c.kind.clone(),
            })
            .collect()
    }

    /// The value given for a column (empty: not assessed).
    pub fn value(&self, column: &str) -> &str {
        self.data.get(column).map_or("", String::as_str)
    }

    /// Sets a clinician input (from the context step); empty is "not assessed".
    pub fn set(&mut self, column: &str, value: String) {
        self.data.insert(column.to_owned(), value);
    }

    /// The visit's instruments the table does not use (their scores cannot change the care level).
    pub fn unused<'a>(&self, visit: &[&'a Instrument]) -> Vec<&'a Instrument> {
        visit
            .iter()
            .filter(|i| !self.table.instruments.contains(&i.id))
            .copied()
            .collect()
    }

    /// What the table recommends for these scores at a visit on `visit_date`.
    pub fn advise(
        self,
        instruments: &[&Instrument],
        scores: &[InstrumentScore],
        visit_date: Date,
    ) -> anyhow::Result<Advice> {
        let screened: Vec<(&Instrument, &InstrumentScore)> =
            instruments.iter().copied().zip(scores).collect();
        // The visit date and the family's dates place the screen in time:
        // the rescreen window's dates and the table's time-point inputs.
        let mut data = self.data.clone();
        data.insert("visit_date".to_owned(), visit_date.to_string());
        for (column, value) in &self.dates {
            data.insert(column.clone(), value.clone());
        }
        let recommendation = recommend(&self.table, &screened, &data)?;
        let context = self
            .context_inputs()
            .into_iter()
            .map(|input| {
                let value = self.value(&input.column).to_owned();
                (input, value)
            })
            .collect();
        Ok(Advice::Recommended {
            table: self.table,
            recommendation: Box::new(recommendation),
            data: self.data,
            context,
            dates: self.dates,
        })
    }
}

/// What the result screen says about care.
#[derive(Debug)]
pub enum Advice {
    /// No rule table was chosen.
    NoRules,
    /// The table's recommendation.
    Recommended {
        /// The table.
        table: Arc<RuleTable>,
        /// What it recommends, with the trace.
        recommendation: Box<Recommendation>,
        /// The data values the table read (the respondent and the context).
        data: DataValues,
        /// The clinician inputs and their values (empty: not assessed).
        context: Vec<(ContextInput, String)>,
        /// The family's dates the table uses (empty: unknown).
        dates: Vec<(String, String)>,
    },
}

impl Advice {
    /// The batch writer's stepped-care part for the saved row, naming levels in `lang`.
    pub fn care(&self, lang: Lang) -> Option<Care> {
        match self {
            Advice::NoRules => None,
            Advice::Recommended { table, data, .. } => {
                Some(Care::new(Arc::clone(table), data.clone(), lang))
            }
        }
    }

    /// The urgent line for the top of the result, when the table says the same day.
    pub fn urgent_line(&self, lang: Lang, style: Style) -> Option<String> {
        match self {
            Advice::Recommended {
                table,
                recommendation,
                ..
            } if recommendation.urgent => {
                Some(style.alarm(&format!("!!! {}", table.urgent_name.get(lang))))
            }
            _ => None,
        }
    }

    /// The clinician inputs not assessed and the dates not known (their labels in `lang`), with a table.
    pub fn not_assessed(&self, lang: Lang) -> Vec<String> {
        match self {
            Advice::NoRules => Vec::new(),
            Advice::Recommended { context, dates, .. } => context
                .iter()
                .filter(|(_, value)| value.trim().is_empty())
                .map(|(input, _)| input.label.get(lang).to_owned())
                .chain(
                    dates
                        .iter()
                        .filter(|(_, value)| value.is_empty())
                        .map(|(column, _)| date_label(column, lang).to_owned()),
                )
                .collect(),
        }
    }

    /// When to screen again, in `lang`, when a matching rule asks for it:
    /// the window's dates from the visit date, and the days.
    pub fn rescreen(&self, lang: Lang) -> Option<String> {
        match self {
            Advice::NoRules => None,
            Advice::Recommended { recommendation, .. } => recommendation.trace.rescreen_text(lang),
        }
    }

    /// The clinician inputs given, as `label: value` in `lang`.
    pub fn assessed(&self, lang: Lang) -> Vec<String> {
        match self {
            Advice::NoRules => Vec::new(),
            Advice::Recommended {
                context,
                table,
                dates,
                ..
            } => context
                .iter()
                .filter(|(_, value)| !value.trim().is_empty())
                .map(|(input, value)| {
                    format!(
                        "{}: {}",
                        input.label.get(lang),
                        context_value(table, &input.kind, value, lang)
                    )
                })
                .chain(
                    dates
                        .iter()
                        .filter(|(_, value)| !value.is_empty())
                        .map(|(column, value)| format!("{}: {value}", date_label(column, lang))),
                )
                .collect(),
        }
    }

    /// The recommended level's name in `lang`, or why there is none.
    pub fn level_text(&self, lang: Lang) -> String {
        match self {
            Advice::NoRules => Msg::NoRules.get(lang).to_owned(),
            Advice::Recommended { recommendation, .. } => {
                recommendation.level_name.as_ref().map_or_else(
                    || Msg::NoRecommendation.get(lang).to_owned(),
                    |name| name.get(lang).to_owned(),
                )
            }
        }
    }

    /// The referrals, `name (how soon)`, in `lang`.
    pub fn referral_names(&self, lang: Lang) -> Vec<String> {
        match self {
            Advice::NoRules => Vec::new(),
            Advice::Recommended { recommendation, .. } => recommendation
                .referrals
                .iter()
                .map(|r| format!("{} ({})", r.name.get(lang), r.timeframe.get(lang)))
                .collect(),
        }
    }

    /// The care part of the one-screen summary: level, same-day marker,
    /// why there is no level, referrals (names and how soon), clinician
    /// inputs not assessed, and the table.
    ///
    /// `marker_with_level`: the same-day marker goes on the level's line
    /// (a crowded screen whose flag warnings already head the result).
    pub fn summary(
        &self,
        lang: Lang,
        style: Style,
        compact: Compact,
        marker_with_level: bool,
    ) -> String {
        let mut out = String::new();
        let label = |msg: Msg| style.bold(msg.get(lang));
        let (_table, recommendation) = match self {
            Advice::NoRules => {
                let _ = writeln!(
                    out,
                    "{}: {}",
                    label(Msg::CareLevelLabel),
                    Msg::NoRules.get(lang)
                );
                return out;
            }
            Advice::Recommended {
                table,
                recommendation,
                ..
            } => (table, recommendation),
        };
        // The same-day marker heads the result already, or stands here.
        let marker = match (marker_with_level, self) {
            (
                true,
                Advice::Recommended {
                    table,
                    recommendation,
                    ..
                },
            ) if recommendation.urgent => {
                format!(
                    " {}",
                    style.alarm(&format!("!!! {}", table.urgent_name.get(lang)))
                )
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{}: {}{marker}",
            label(Msg::CareLevelLabel),
            self.level_text(lang)
        );
        // Why there is no level, in the visit's language (the library's reasons are English).
        if recommendation.trace.outcome.decision == Decision::NoRule
            && recommendation.pending.is_empty()
        {
            let _ = writeln!(out, "  {}", Msg::NoRuleDecides.get(lang));
        }
        if let (Some(number), Some(name)) = (
            recommendation.possible_level,
            recommendation.possible_level_name.as_ref(),
        ) {
            let _ = writeln!(
                out,
                "  {}",
                Msg::PossibleLevel.fill(
                    lang,
                    &[("level", &format!("{number} ({})", name.get(lang)))]
                )
            );
        }
        if !recommendation.pending.is_empty() && compact >= Compact::ShortWarnings {
            // On a crowded screen, the actions follow one another on one line.
            let actions: Vec<String> = recommendation
                .pending
                .iter()
                .map(|p| format!("{} ({})", p.action.get(lang), p.rule))
                .collect();
            let _ = writeln!(out, "{}: {}", label(Msg::PendingLabel), actions.join(" "));
        } else if !recommendation.pending.is_empty() {
            let _ = writeln!(out, "{}:", label(Msg::PendingLabel));
            for pending in &recommendation.pending {
                let _ = writeln!(out, "  - {} ({})", pending.action.get(lang), pending.rule);
            }
        }
        let referrals = if compact >= Compact::ReferralNames {
            match self {
                Advice::Recommended { recommendation, .. } => recommendation
                    .referrals
                    .iter()
                    .map(|r| r.name.get(lang).to_owned())
                    .collect(),
                Advice::NoRules => Vec::new(),
            }
        } else {
            self.referral_names(lang)
        };
        if !referrals.is_empty() {
            let _ = writeln!(
                out,
                "{}: {}",
                label(Msg::ReferralsLabel),
                referrals.join("; ")
            );
        }
        if let Some(when) = self.rescreen(lang) {
            let _ = writeln!(out, "{}: {when}", label(Msg::RescreenLabel));
        }
        let assessed = self.assessed(lang);
        if !assessed.is_empty() && compact < Compact::CountNotAssessed {
            let _ = writeln!(out, "{}", assessed.join("; "));
        }
        let missing = self.not_assessed(lang);
        if !missing.is_empty() && compact < Compact::CountNotAssessed {
            // On the one screen, without the labels' closing remarks in brackets.
            let short: Vec<&str> = missing.iter().map(|m| without_remark(m)).collect();
            let _ = writeln!(
                out,
                "{}: {}",
                label(Msg::NotAssessedLabel),
                short.join("; ")
            );
        } else if !missing.is_empty() && compact < Compact::ActionsOnly {
            let _ = writeln!(
                out,
                "{}: {}",
                label(Msg::NotAssessedLabel),
                Msg::NotAssessedCount.fill(lang, &[("count", &missing.len().to_string())])
            );
        }
        out
    }

    /// What follows the summary on request: each referral with what it is,
    /// the rules' advice and every rule that fired, with why.
    pub fn details(&self, lang: Lang, style: Style) -> String {
        let mut out = String::new();
        let label = |msg: Msg| style.bold(msg.get(lang));
        let Advice::Recommended {
            table,
            recommendation,
            ..
        } = self
        else {
            return out;
        };
        let _ = writeln!(
            out,
            "{}: {} ({} {})",
            Msg::RuleTableLabel.get(lang),
            table.name.get(lang),
            table.id,
            table.version
        );
        out.push('\n');
        if !recommendation.referrals.is_empty() {
            let _ = writeln!(out, "{}:", label(Msg::ReferralsLabel));
            for referral in &recommendation.referrals {
                let _ = writeln!(
                    out,
                    "  - {} ({})",
                    referral.name.get(lang),
                    referral.timeframe.get(lang)
                );
                let _ = writeln!(out, "    {}", referral.what.get(lang));
            }
            out.push('\n');
        }
        let advice: Vec<(&str, &str)> = recommendation
            .rules
            .iter()
            .filter_map(|rule| {
                rule.advice
                    .as_ref()
                    .map(|a| (rule.id.as_str(), a.get(lang)))
            })
            .collect();
        if !advice.is_empty() {
            let _ = writeln!(out, "{}:", label(Msg::AdviceLabel));
            for (id, text) in advice {
                let _ = writeln!(out, "  - {id}: {text}");
            }
            out.push('\n');
        }
        let _ = writeln!(out, "{}:", label(Msg::RulesFiredLabel));
        if recommendation.rules.is_empty() {
            let _ = writeln!(out, "  {}", Msg::NoRuleFired.get(lang));
        }
        for rule in &recommendation.rules {
            let why = table
                .rule_index(&rule.id)
                .map(|index| recommendation.trace.reason(table, index, lang))
                .unwrap_or_default();
            let mut tags = Vec::new();
            if rule.urgent {
                tags.push(Msg::Urgent.get(lang).to_lowercase());
            }
            if rule.sets_outcome {
                tags.push(Msg::Decides.get(lang).to_owned());
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", tags.join(", "))
            };
            let _ = writeln!(out, "  - {}{tags}: {why}", rule.id);
        }
        out
    }
}

/// The label of one of the family's dates in `lang`.
pub fn date_label(column: &str, lang: Lang) -> &'static str {
    if column == DUE_DATE {
        Msg::DueDate.get(lang)
    } else {
        Msg::BirthDate.get(lang)
    }
}

/// Reads one of the family's dates (`due_date`, `birth_date`) given for a
/// visit on `visit_date`; blank is unknown. A birth date after the visit, or
/// a due date more than 40 weeks after it, is refused with why, in `lang`.
pub fn read_family_date(
    column: &str,
    text: &str,
    visit_date: Date,
    lang: Lang,
) -> Result<Option<Date>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let date = super::age::read_date(text, lang)?;
    let values = [
        ("date", date.to_string()),
        ("visit", visit_date.to_string()),
    ];
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if column == DUE_DATE {
        // Week 0 of a pregnancy is 280 days before the due date.
        if visit_date.add_days(280).is_some_and(|latest| date > latest) {
            return Err(Msg::DueDateTooLate.fill(lang, &values));
        }
    } else if date > visit_date {
        return Err(Msg::BirthAfterVisit.fill(lang, &values));
    }
    Ok(Some(date))
}

/// A label without a closing remark in brackets: "Red flags (clinician's
/// judgement)" is "Red flags".
fn without_remark(label: &str) -> &str {
    match label
        .trim_end()
        .strip_suffix(')')
        .and_then(|l| l.rfind(" ("))
    {
        Some(at) if at > 0 => &label[..at],
        _ => label,
    }
}

/// Whether a data column is a clinician input of the context step: a
/// yes/no, a level or a word list, but not the respondent (the visit knows
/// it) nor the period or week (worked out from dates).
fn is_context(column: &stepcare::rules::Column) -> bool {
    !column.name.eq_ignore_ascii_case("respondent")
        && matches!(
            column.kind,
            ColumnKind::Boolean | ColumnKind::Level | ColumnKind::Choice(_)
        )
}

/// A clinician input's value as the reader says it: yes/no, a level's name, a word.
pub fn context_value(table: &RuleTable, kind: &ColumnKind, value: &str, lang: Lang) -> String {
    let word = value.trim().to_lowercase();
    match kind {
        ColumnKind::Boolean => match word.as_str() {
            "true" | "yes" | "y" | "ja" | "j" | "1" | "x" => Msg::Yes.get(lang).to_owned(),
            "false" | "no" | "n" | "nei" | "nej" | "0" => Msg::No.get(lang).to_owned(),
            _ => value.to_owned(),
        },
        ColumnKind::Level => {
            let number = word.parse::<f64>().ok();
            table
                .levels
                .iter()
                .find(|l| l.id == word || number == Some(l.number as f64))
                .map_or_else(|| value.to_owned(), |l| l.name.get(lang).to_owned())
        }
        ColumnKind::Choice(_) => super::render::respondent_name(value, lang),
        ColumnKind::Period | ColumnKind::Week => value.to_owned(),
    }
}
