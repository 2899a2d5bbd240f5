//! Follow-up over time: who is due, who is overdue, and which urgent results
//! no later visit has closed.
//!
//! The screens of a registry (saved visits, scored or unscored exports) are
//! grouped by family and respondent ([`FamilyKey`]) and ordered by date.
//! [`assess`] then reads, for one family on one day:
//! - **open urgent results**: urgent results of the family's last visit date
//!   (a later visit closes them: it is where they were acted on);
//! - **rescreens**: the window the last screen's rule table asked for
//!   (`rescreen:` in a rule), overdue once it has passed without a later screen;
//! - **planned screenings**: the rule table's schedule, against the due date
//!   or the child's birth date, done when a screen of the instrument falls in
//!   the window, overdue once it has passed (never for "when indicated"), and
//!   missed when a pregnancy window passed and the child is born.
//!
//! Memory grows with the number of families: each keeps at most
//! [`HISTORY`] screens.

use std::collections::VecDeque;

use crate::instrument::age::Date;
use crate::rules::{RuleTable, Screening};

/// The most screens kept per family (the most recent ones).
pub const HISTORY: usize = 24;

/// Who a history belongs to: the family's id and who answered.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FamilyKey {
    /// The family's or person's id in the record system.
    pub id: String,
    /// Who answered (`mother`, `partner`, ...), empty when not recorded.
    pub respondent: String,
}

/// The names a registry's screens refer to by number, so that a screen
/// stays small: instruments, scales (`epds.total`) and input files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Instrument ids; [`Screen::instruments`] is a bit set over them.
    pub instruments: Vec<String>,
    /// Scale names (`instrument.scale`), in the order of [`Screen::scores`].
    pub scales: Vec<String>,
    /// Input files, indexed by [`Screen::file`].
    pub files: Vec<String>,
}

impl Names {
    /// The ids of the instruments a screen gave.
    pub fn instruments_of(&self, screen: &Screen) -> Vec<&str> {
        self.instruments
            .iter()
            .enumerate()
            .filter(|(i, _)| screen.instruments & (1 << i) != 0)
            .map(|(_, id)| id.as_str())
            .collect()
    }

    /// Where a screen was read, as "file row N".
    pub fn origin(&self, screen: &Screen) -> String {
        let file = self
            .files
            .get(usize::from(screen.file))
            .map_or("", String::as_str);
        format!("{file} row {}", screen.row)
    }
}

/// One screen as follow-up needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    /// When it was done.
    pub date: Date,
    /// The instruments given: bit `i` is [`Names::instruments`]`[i]`.
    pub instruments: u64,
    /// Each scale's score of [`Names::scales`] (`None`: incomplete or not given).
    pub scores: Vec<Option<f64>>,
    /// The recommended level.
    pub level: Option<i64>,
    /// Whether the result was urgent.
    pub urgent: bool,
    /// When to screen again, as dates.
    pub rescreen: Option<(Date, Date)>,
    /// The input file (index into [`Names::files`]).
    pub file: u16,
    /// The data row in that file.
    pub row: u64,
}

/// A family's screens and dates.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The most recent screens, oldest first.
    pub screens: VecDeque<Screen>,
    /// Screens dropped from the front once [`HISTORY`] was reached.
    pub dropped: u64,
    /// The due date (termin), from the latest screen that gave one.
    pub due: Option<Date>,
    /// The child's birth date, from the latest screen that gave one.
    pub birth: Option<Date>,
}

impl History {
    /// Adds a screen in date order (a later row on the same date comes after).
    pub fn add(&mut self, screen: Screen, due: Option<Date>, birth: Option<Date>) {
        let at = self
            .screens
            .iter()
            .rposition(|s| s.date <= screen.date)
            .map_or(0, |i| i + 1);
        let latest = at == self.screens.len();
        if latest || self.due.is_none() {
            self.due = due.or(self.due);
        }
        if latest || self.birth.is_none() {
            self.birth = birth.or(self.birth);
        }
        self.screens.insert(at, screen);
        if self.screens.len() > HISTORY {
            self.screens.pop_front();
            self.dropped += 1;
        }
    }
}

/// Something to do for a family, with its window.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// What: a screening's id, or `rescreen`.
    pub what: String,
    /// Why, in words.
    pub why: String,
    /// The instrument, when one is planned.
    pub instrument: Option<String>,
    /// The first day of the window.
    pub from: Date,
    /// The last day of the window.
    pub to: Date,
}

/// What a family needs, on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    /// Urgent results of the last visit date, not closed by a later visit.
    pub open_urgent: Vec<Screen>,
    /// Rescreens and planned screenings whose window has passed.
    pub overdue: Vec<Task>,
    /// Rescreens and planned screenings whose window is open (or opens within the lead time).
    pub due: Vec<Task>,
    /// Planned pregnancy screenings whose window passed before the birth.
    pub missed: Vec<Task>,
}

impl FollowUp {
    /// Whether anything needs doing.
    pub fn needs_action(&self) -> bool {
        !self.open_urgent.is_empty() || !self.overdue.is_empty() || !self.due.is_empty()
    }
}

/// What `history` needs on `today`; `lead_days` widens "due" to windows
/// opening within that many days. Planned screenings count only for the
/// instruments in `names` (those the input was read for): of the others
/// nothing tells whether they were done.
pub fn assess(
    table: &RuleTable,
    names: &Names,
    key: &FamilyKey,
    history: &History,
    today: Date,
    lead_days: u32,
) -> FollowUp {
    let mut out = FollowUp {
        open_urgent: Vec::new(),
        overdue: Vec::new(),
        due: Vec::new(),
        missed: Vec::new(),
    };
    let Some(last) = history.screens.back() else {
        return out;
    };
    let lead = i64::from(lead_days);
    // A visit is a date: urgent results on the last date are still open.
    out.open_urgent = history
        .screens
        .iter()
        .filter(|s| s.date == last.date && s.urgent)
        .cloned()
        .collect();
    // The latest rescreen window asked for on the last visit date.
    let rescreen = history
        .screens
        .iter()
        .filter(|s| s.date == last.date)
        .filter_map(|s| s.rescreen)
        .min_by_key(|(from, to)| (to.day_number(), from.day_number()));
    if let Some((from, to)) = rescreen {
        let task = Task {
            what: "rescreen".to_owned(),
            why: format!(
                "screened {} (level {}): the rule table asks to screen again",
                last.date,
                last.level
                    .map_or_else(|| "none".to_owned(), |l| l.to_string())
            ),
            instrument: None,
            from,
            to,
        };
        place(&mut out, task, today, lead, false);
    }
    for screening in &table.schedule {
        let Some(bit) = names
            .instruments
            .iter()
            .position(|i| *i == screening.instrument)
        else {
            continue;
        };
        if let Some(who) = &screening.respondent
            && !who.eq_ignore_ascii_case(&key.respondent)
        {
            continue;
        }
        let Some((from, to)) = screening.window.dates(history.due, history.birth) else {
            continue;
        };
        let done = history.screens.iter().any(|s| {
            s.instruments & (1 << bit) != 0
                && s.date.day_number() >= from.day_number()
                && s.date.day_number() <= to.day_number()
        });
        if done {
            continue;
        }
        let task = Task {
            what: screening.id.clone(),
            why: planned_why(screening),
            instrument: Some(screening.instrument.clone()),
            from,
            to,
        };
        let born = history
            .birth
            .is_some_and(|b| b.day_number() <= today.day_number());
        if matches!(screening.window, crate::rules::Window::PregnancyWeeks(..))
            && born
            && to.day_number() < today.day_number()
        {
            out.missed.push(task);
            continue;
        }
        place(&mut out, task, today, lead, screening.when_indicated);
    }
    out
}

fn planned_why(screening: &Screening) -> String {
    let mut why = format!("planned screening `{}`", screening.id);
    if let Some(who) = &screening.respondent {
        why.push_str(&format!(" for the {who}"));
    }
    if screening.when_indicated {
        why.push_str(" (when indicated)");
    }
    why
}

/// Sorts a task into overdue or due by its window, or leaves it out when it lies ahead.
fn place(out: &mut FollowUp, task: Task, today: Date, lead: i64, never_overdue: bool) {
    let day = today.day_number();
    if day > task.to.day_number() {
        if !never_overdue {
            out.overdue.push(task);
        }
    } else if day >= task.from.day_number() - lead {
        out.due.push(task);
    }
}

/// A compact trend of numbers as block characters (`▁▃▆`), scaled to `range`.
pub fn sparkline(values: &[Option<f64>], range: (f64, f64)) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (low, high) = range;
    values
        .iter()
        .map(|v| match v {
            Some(v) if high > low => {
                let share = ((v - low) / (high - low)).clamp(0.0, 1.0);
                BARS[((share * 7.0).round() as usize).min(7)]
            }
            Some(_) => BARS[0],
            None => '·',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn a_later_screen_keeps_the_history_in_date_order() {
        let mut history = History::default();
        for (day, level) in [("2026-03-01", 2), ("2026-01-01", 0), ("2026-02-01", 1)] {
            history.add(
                Screen {
                    date: date(day),
                    instruments: 1,
                    scores: Vec::new(),
                    level: Some(level),
                    urgent: false,
                    rescreen: None,
                    file: 0,
                    row: 1,
                },
                None,
                None,
            );
        }
        let levels: Vec<Option<i64>> = history.screens.iter().map(|s| s.level).collect();
        assert_eq!(levels, [Some(0), Some(1), Some(2)]);
    }

    #[test]
    fn sparklines_scale_to_the_range() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(15.0), Some(30.0), None], (0.0, 30.0)),
            "▁▅█·"
        );
    }
}
