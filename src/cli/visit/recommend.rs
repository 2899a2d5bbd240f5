//! The stepped-care part of the result: care level, referrals and the rules that fired.

use std::fmt::Write as _;

use stepcare::lang::Lang;

use super::messages::Msg;
use super::render::Style;

/// What the result screen says about care.
#[derive(Debug)]
pub enum Advice {
    /// No rule table was chosen.
    NoRules,
}

impl Advice {
    /// The saved row's care columns: care_level, urgent, referrals,
    /// rules_fired, rule_table, rule_table_version.
    pub fn columns(&self) -> Vec<String> {
        match self {
            Advice::NoRules => vec![String::new(); 6],
        }
    }

    /// The care section of the result screen.
    pub fn render(&self, lang: Lang, style: Style) -> String {
        let mut out = String::new();
        match self {
            Advice::NoRules => {
                let _ = writeln!(
                    out,
                    "{}: {}",
                    style.bold(Msg::CareLevelLabel.get(lang)),
                    Msg::NoRules.get(lang)
                );
            }
        }
        out
    }
}
