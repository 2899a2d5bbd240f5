//! The stepped-care part of the result: care level, referrals and the rules that fired.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use stepcare::batch::care::Care;
use stepcare::instrument::Instrument;
use stepcare::lang::Lang;
use stepcare::rules::{
    BUILTIN_TABLES, DataValues, Decision, Evaluator, Recommendation, RuleTable, load_builtin,
    load_table, recommend,
};
use stepcare::scoring::InstrumentScore;

use super::super::UsageError;
use super::super::common::{fail_with, read_file};
use super::messages::Msg;
use super::render::Style;

/// A rule table chosen for the visit, with the data it reads.
#[derive(Debug)]
pub struct Rules {
    table: RuleTable,
    data: DataValues,
}

impl Rules {
    /// Loads `--rules ID|FILE` (a shipped table's id, else a file), checked
    /// against `catalog`, and makes sure the data the table needs is there
    /// before any question is asked.
    pub fn load(
        spec: &str,
        catalog: &[&Instrument],
        visit: &[&Instrument],
        respondent: &str,
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
        let data = DataValues::from([("respondent".to_owned(), respondent.to_owned())]);
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
        Ok(Rules { table, data })
    }

    /// The visit's instruments the table does not use (their scores cannot change the care level).
    pub fn unused<'a>(&self, visit: &[&'a Instrument]) -> Vec<&'a Instrument> {
        visit
            .iter()
            .filter(|i| !self.table.instruments.contains(&i.id))
            .copied()
            .collect()
    }

    /// What the table recommends for these scores.
    pub fn advise(
        self,
        instruments: &[&Instrument],
        scores: &[InstrumentScore],
    ) -> anyhow::Result<Advice> {
        let screened: Vec<(&Instrument, &InstrumentScore)> =
            instruments.iter().copied().zip(scores).collect();
        let recommendation = recommend(&self.table, &screened, &self.data)?;
        Ok(Advice::Recommended {
            table: Box::new(self.table),
            recommendation: Box::new(recommendation),
            data: self.data,
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
        table: Box<RuleTable>,
        /// What it recommends, with the trace.
        recommendation: Box<Recommendation>,
        /// The data values the table read (the respondent).
        data: DataValues,
    },
}

impl Advice {
    /// The batch writer's stepped-care part for the saved row, naming levels in `lang`.
    pub fn care(&self, lang: Lang) -> Option<Care> {
        match self {
            Advice::NoRules => None,
            Advice::Recommended { table, data, .. } => Some(Care::new(
                Arc::new(RuleTable::clone(table)),
                data.clone(),
                lang,
            )),
        }
    }

    /// The saved row's `rule_table` and `rule_table_version` (empty without rules).
    pub fn table_columns(&self) -> [String; 2] {
        match self {
            Advice::NoRules => [String::new(), String::new()],
            Advice::Recommended { table, .. } => [table.id.clone(), table.version.clone()],
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

    /// The care section of the result screen.
    pub fn render(&self, lang: Lang, style: Style) -> String {
        let mut out = String::new();
        let label = |msg: Msg| style.bold(msg.get(lang));
        let (table, recommendation) = match self {
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
        let level = recommendation.level_name.as_ref().map_or_else(
            || Msg::NoRecommendation.get(lang).to_owned(),
            |name| name.get(lang).to_owned(),
        );
        let _ = writeln!(out, "{}: {level}", label(Msg::CareLevelLabel));
        if recommendation.urgent {
            let _ = writeln!(
                out,
                "  {}",
                style.alarm(&format!("!!! {}", table.urgent_name.get(lang)))
            );
        }
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
                "  {}: {number} ({})",
                stepcare::rules::words_in(
                    lang,
                    "A completed form could reach",
                    "Et fullført skjema kan gi",
                    "Ett ifyllt formulär kan ge"
                ),
                name.get(lang)
            );
        }
        if !recommendation.pending.is_empty() {
            let _ = writeln!(
                out,
                "  {}:",
                style.bold(&stepcare::rules::words_in(
                    lang,
                    "Pending actions",
                    "Gjenstående tiltak",
                    "Återstående åtgärder"
                ))
            );
            for pending in &recommendation.pending {
                let _ = writeln!(out, "  - {} ({})", pending.action.get(lang), pending.rule);
            }
        }
        let _ = writeln!(
            out,
            "  {}: {} ({} {})",
            Msg::RuleTableLabel.get(lang),
            table.name.get(lang),
            table.id,
            table.version
        );
        if !recommendation.referrals.is_empty() {
            let _ = writeln!(out, "\n{}:", label(Msg::ReferralsLabel));
            for referral in &recommendation.referrals {
                let _ = writeln!(
                    out,
                    "  - {} ({})",
                    referral.name.get(lang),
                    referral.timeframe.get(lang)
                );
                let _ = writeln!(out, "    {}", referral.what.get(lang));
            }
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
            let _ = writeln!(out, "\n{}:", label(Msg::AdviceLabel));
            for (id, text) in advice {
                let _ = writeln!(out, "  - {id}: {text}");
            }
        }
        let _ = writeln!(out, "\n{}:", label(Msg::RulesFiredLabel));
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
