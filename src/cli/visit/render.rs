//! What the visit shows: question wording, the immediate flag warning and the result screen.
//!
//! Everything here builds strings; the front ends decide where they go.

use std::fmt::Write as _;

use stepcare::instrument::{Instrument, fmt_score};
use stepcare::lang::Lang;
use stepcare::scoring::InstrumentScore;
use stepcare::session::{Question, VisitSession};
use stepcare::texts::TextPack;

use super::age;
use super::messages::Msg;
use super::recommend::Advice;

/// Item wording: the licensed text from a text pack, else the instrument's own labels.
#[derive(Debug)]
pub struct Wording {
    /// The language of the visit's own strings and of the fallback labels.
    pub lang: Lang,
    /// Text packs, at most one per instrument.
    pub packs: Vec<TextPack>,
}

impl Wording {
    fn pack(&self, instrument: &Instrument) -> Option<&TextPack> {
        self.packs.iter().find(|p| p.instrument == instrument.id)
    }

    /// The question's text.
    pub fn item(&self, instrument: &Instrument, item: usize) -> String {
        let own = &instrument.items[item];
        self.pack(instrument)
            .and_then(|p| p.item(&own.id))
            .map_or_else(|| own.label.get(self.lang).to_owned(), |w| w.text.clone())
    }

    /// An option's text.
    pub fn option(&self, instrument: &Instrument, item: usize, option: usize) -> String {
        let own = &instrument.items[item];
        self.pack(instrument)
            .and_then(|p| p.item(&own.id))
            .and_then(|w| w.options.get(&option))
            .map_or_else(
                || own.options[option].label.get(self.lang).to_owned(),
                Clone::clone,
            )
    }

    /// Instructions shown before an instrument's first question, from its text pack.
    pub fn instructions(&self, instrument: &Instrument) -> Option<&str> {
        self.pack(instrument)
            .and_then(|p| p.instructions.as_deref())
    }
}

/// How text is decorated: ANSI styles on a terminal, plain otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Whether ANSI colours and bold may be used.
    pub color: bool,
}

impl Style {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// Bold.
    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// Bold white on red: only for urgent warnings.
    pub fn alarm(self, text: &str) -> String {
        self.wrap("1;97;41", text)
    }

    /// Bold yellow: non-urgent warnings.
    pub fn caution(self, text: &str) -> String {
        self.wrap("1;33", text)
    }

    /// Dim, for hints.
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
}

/// The short name of an instrument: the abbreviation in its name (`EPDS`,
/// `PHQ-9`), else its id in capitals.
pub fn short_name(instrument: &Instrument) -> String {
    let name = instrument.name.get(Lang::En).trim();
    if let Some(inner) = name
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once('('))
        .map(|(_, inner)| inner)
        .filter(|inner| !inner.is_empty() && !inner.contains(' '))
    {
        return inner.to_owned();
    }
    if let Some(first) = name.split_whitespace().next()
        && first.len() > 1
        && first
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
    {
        return first.to_owned();
    }
    instrument.id.to_uppercase()
}

/// "EPDS spørsmål 10": `number` is the item's 0-based place on its form.
pub fn item_ref(instrument: &Instrument, number: usize, lang: Lang) -> String {
    format!(
        "{} {} {}",
        short_name(instrument),
        Msg::ItemWord.get(lang),
        number + 1
    )
}

/// The option lines of a question: `  1. As usual`.
pub fn option_lines(wording: &Wording, instrument: &Instrument, item: usize) -> Vec<String> {
    (0..instrument.items[item].options.len())
        .map(|option| {
            format!(
                "{}. {}",
                option + 1,
                wording.option(instrument, item, option)
            )
        })
        .collect()
}

/// The line introducing an instrument whose form has `count` questions.
pub fn instrument_intro(instrument: &Instrument, count: usize, lang: Lang) -> String {
    Msg::by_count(count, Msg::InstrumentIntroOne, Msg::InstrumentIntro).fill(
        lang,
        &[
            ("name", instrument.name.get(lang)),
            ("count", &count.to_string()),
        ],
    )
}

/// The question's title, numbered as on its form: `3/10 Needless self-blame`.
pub fn question_title(wording: &Wording, question: &Question<'_>) -> String {
    format!(
        "{}/{} {}",
        question.number + 1,
        question.of,
        wording.item(question.instrument, question.item_index)
    )
}

/// A chosen option as the visit shows it: `2. Sometimes`, or with a ticked
/// concern box `2x. Sometimes (concern ticked)`.
pub fn answer_text(wording: &Wording, question: &Question<'_>, option: usize) -> String {
    let text = wording.option(question.instrument, question.item_index, option);
    if question.concern {
        format!(
            "{}x. {text} ({})",
            option + 1,
            Msg::ConcernTicked.get(wording.lang)
        )
    } else {
        format!("{}. {text}", option + 1)
    }
}

/// The lines of the immediate warning for a raised flag; each carries a
/// `!!!` marker so it stands out without colour too.
pub fn flag_raised_lines(
    session: &VisitSession<'_>,
    wording: &Wording,
    instrument: usize,
    flag: usize,
    style: Style,
) -> Vec<String> {
    let lang = wording.lang;
    let definition = session.instruments()[instrument];
    let flag = &definition.flags[flag];
    let answer = match session.answers()[instrument][flag.item] {
        stepcare::scoring::Answer::Chosen(option) => {
            wording.option(definition, flag.item, usize::from(option))
        }
        _ => String::new(),
    };
    let marker = if flag.urgent {
        Msg::Urgent
    } else {
        Msg::Warning
    };
    let headline = Msg::FlagRaisedNow.fill(
        lang,
        &[
            ("marker", marker.get(lang)),
            ("flag", flag.label.get(lang)),
            (
                "question",
                &item_ref(
                    definition,
                    session.place_on_form(instrument, flag.item).0,
                    lang,
                ),
            ),
            ("answer", &answer),
        ],
    );
    let action = format!("{}: {}", Msg::ActionLabel.get(lang), flag.action.get(lang));
    let paint = |text: &str| {
        let line = format!("!!! {text}");
        if flag.urgent {
            style.alarm(&line)
        } else {
            style.caution(&line)
        }
    };
    vec![paint(&headline), paint(&action)]
}

/// The lines of the warning for an urgent flag whose item has no answer:
/// the flag is unknown and the item must be asked now.
pub fn flag_unknown_lines(
    session: &VisitSession<'_>,
    wording: &Wording,
    instrument: usize,
    flag: usize,
    style: Style,
) -> Vec<String> {
    let lang = wording.lang;
    let definition = session.instruments()[instrument];
    let flag = &definition.flags[flag];
    let question = item_ref(
        definition,
        session.place_on_form(instrument, flag.item).0,
        lang,
    );
    let headline = Msg::FlagUnknownNow.fill(
        lang,
        &[
            ("marker", Msg::Urgent.get(lang)),
            ("flag", flag.label.get(lang)),
            ("question", &question),
        ],
    );
    let action = format!(
        "{}: {}",
        Msg::ActionLabel.get(lang),
        Msg::AskNow.fill(
            lang,
            &[("question", &question), ("action", flag.action.get(lang))]
        )
    );
    [headline, action]
        .iter()
        .map(|text| style.alarm(&format!("!!! {text}")))
        .collect()
}

/// The line shown when a changed answer takes a flag away.
pub fn flag_cleared_line(
    session: &VisitSession<'_>,
    lang: Lang,
    instrument: usize,
    flag: usize,
) -> String {
    let definition = session.instruments()[instrument];
    let flag = &definition.flags[flag];
    let number = session.place_on_form(instrument, flag.item).0;
    Msg::FlagClearedNow.fill(
        lang,
        &[
            ("question", &item_ref(definition, number, lang)),
            ("flag", flag.label.get(lang)),
        ],
    )
}

/// The name of a respondent (`mother`, `partner`) in `lang`.
pub fn respondent_name(respondent: &str, lang: Lang) -> String {
    match respondent {
        "mother" => Msg::Mother.get(lang).to_owned(),
        "partner" => Msg::Partner.get(lang).to_owned(),
        "parent" => Msg::Parent.get(lang).to_owned(),
        other => other.to_owned(),
    }
}

/// Why a scale has no score, in `lang`.
fn no_score_reason(
    scale: &stepcare::instrument::Scale,
    result: &stepcare::scoring::ScaleScore,
    lang: Lang,
) -> String {
    if result.required_missing {
        Msg::NoScoreRequired.get(lang).to_owned()
    } else {
        let msg = if scale.missing.max_missing == 0 {
            Msg::NoScoreMissingNone
        } else {
            Msg::NoScoreMissing
        };
        msg.fill(
            lang,
            &[
                ("missing", &result.missing.to_string()),
                ("count", &scale.items.len().to_string()),
                ("allowed", &scale.missing.max_missing.to_string()),
            ],
        )
    }
}

/// The warnings that head the result: raised flags (urgent first), urgent
/// flags left unknown, and the table's same-day marker.
///
/// `short` (a crowded screen): an unknown flag's action says only to ask
/// the item now, and the same-day marker goes next to the level instead of
/// on a line of its own, when a flag's warning already heads the result.
pub fn warnings(
    session: &VisitSession<'_>,
    wording: &Wording,
    advice: &Advice,
    style: Style,
    short: bool,
) -> Vec<String> {
    let lang = wording.lang;
    let mut lines = Vec::new();
    let mut raised = session.raised_flags();
    raised.sort_by_key(|&(i, f)| !session.instruments()[i].flags[f].urgent);
    for &(instrument, flag) in &raised {
        let mut flag_lines = flag_raised_lines(session, wording, instrument, flag, style);
        // A crowded screen keeps a warning's headline; what to do is in the details.
        if short && !session.instruments()[instrument].flags[flag].urgent {
            flag_lines.truncate(1);
        }
        lines.extend(flag_lines);
    }
    for (instrument, flag) in session.unknown_flags() {
        let mut unknown = flag_unknown_lines(session, wording, instrument, flag, style);
        if short {
            let definition = session.instruments()[instrument];
            let question = item_ref(
                definition,
                session
                    .place_on_form(instrument, definition.flags[flag].item)
                    .0,
                lang,
            );
            unknown[1] = style.alarm(&format!(
                "!!! {}: {}",
                Msg::ActionLabel.get(lang),
                Msg::AskNowShort.fill(lang, &[("question", &question)])
            ));
        }
        lines.extend(unknown);
    }
    if (!short || lines.is_empty())
        && let Some(line) = advice.urgent_line(lang, style)
    {
        lines.push(line);
    }
    lines
}

/// The visit's facts the result shows besides the session.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    /// Who answered (`mother`).
    pub respondent: &'a str,
    /// The visit date.
    pub date: stepcare::instrument::age::Date,
}

/// How much of the one-screen result is left to the details, so that it
/// fits the screen; nothing to act on is ever left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Compact {
    /// Everything the summary can hold.
    Full,
    /// Several instruments share one table of rows, without their names.
    OneTable,
    /// What was not assessed is counted rather than named, and the context
    /// given is left to the note and the details.
    CountNotAssessed,
    /// Referrals by name, without how soon (the details say it).
    ReferralNames,
    /// No blank lines.
    Tight,
    /// An unknown flag's warning says only to ask the item now (the table's
    /// advice says what follows), the flags row only that it is unknown, and
    /// the same-day marker stands next to the level.
    ShortWarnings,
    /// Only what is acted on: the count of what was not assessed and the
    /// closing line are left to the note and the details.
    ActionsOnly,
}

impl Compact {
    /// Every level, the fullest first.
    pub const ALL: [Compact; 7] = [
        Compact::Full,
        Compact::OneTable,
        Compact::CountNotAssessed,
        Compact::ReferralNames,
        Compact::Tight,
        Compact::ShortWarnings,
        Compact::ActionsOnly,
    ];
}

/// The one-screen result word-wrapped to `width` columns in at most `lines`
/// lines when it can be: the fullest [`Compact`] level that fits, else the
/// tightest.
pub fn summary_fitting(
    session: &VisitSession<'_>,
    wording: &Wording,
    shown: Shown<'_>,
    advice: &Advice,
    style: Style,
    width: usize,
    lines: usize,
) -> String {
    let mut text = String::new();
    for compact in Compact::ALL {
        text = wrap(
            &summary(session, wording, shown, advice, style, compact),
            width,
        );
        if text.lines().count() <= lines {
            break;
        }
    }
    text
}

/// The one-screen result: warnings first, then per instrument its scores,
/// bands and flags, then the care level, referrals and what was not
/// assessed, and the closing line. The details follow on request ([`details`]).
pub fn summary(
    session: &VisitSession<'_>,
    wording: &Wording,
    shown: Shown<'_>,
    advice: &Advice,
    style: Style,
    compact: Compact,
) -> String {
    let lang = wording.lang;
    let mut out = String::new();
    let blank = compact < Compact::Tight;
    let short = compact >= Compact::ShortWarnings;
    let warnings = warnings(session, wording, advice, style, short);
    for line in &warnings {
        let _ = writeln!(out, "{line}");
    }
    if !warnings.is_empty() && blank {
        out.push('\n');
    }
    let respondent = Msg::RespondentLine.fill(
        lang,
        &[("respondent", &respondent_name(shown.respondent, lang))],
    );
    // One instrument: its name goes in the heading, to keep the result on one screen.
    let single = session.instruments().len() == 1;
    if single {
        let _ = writeln!(
            out,
            "{}: {} · {respondent}",
            style.bold(Msg::ResultHeading.get(lang)),
            session.instruments()[0].name.get(lang)
        );
    } else {
        let _ = writeln!(
            out,
            "{} · {respondent}",
            style.bold(Msg::ResultHeading.get(lang))
        );
    }
    if single || compact < Compact::OneTable {
        for index in 0..session.instruments().len() {
            if !single && blank {
                out.push('\n');
            }
            out.push_str(&instrument_block(
                session, wording, index, !single, style, short,
            ));
        }
    } else {
        out.push_str(&aligned(
            (0..session.instruments().len())
                .flat_map(|index| {
                    let name = short_name(session.instruments()[index]);
                    instrument_rows(session, index, lang, short)
                        .into_iter()
                        .map(move |(label, value, generic)| {
                            // Rows of several instruments say whose they are.
                            if generic || !label.contains(name.as_str()) {
                                (format!("{name}: {label}"), value)
                            } else {
                                (label, value)
                            }
                        })
                })
                .collect(),
        ));
    }
    if blank {
        out.push('\n');
    }
    let flagged = !session.raised_flags().is_empty() || !session.unknown_flags().is_empty();
    out.push_str(&advice.summary(lang, style, compact, short && flagged));
    if compact < Compact::ActionsOnly {
        let _ = writeln!(out, "{}", style.bold(Msg::ClinicianDecides.get(lang)));
    }
    out
}

/// The details that follow the summary on request: every raised flag with
/// what to do, then the rules' part ([`Advice::details`]).
pub fn details(
    session: &VisitSession<'_>,
    wording: &Wording,
    advice: &Advice,
    style: Style,
) -> String {
    let mut out = String::new();
    let raised = session.raised_flags();
    if !raised.is_empty() {
        let _ = writeln!(out, "{}:", style.bold(Msg::FlagsLabel.get(wording.lang)));
        for (instrument, flag) in raised {
            for line in
                flag_raised_lines(session, wording, instrument, flag, Style { color: false })
            {
                let _ = writeln!(out, "  {}", line.trim_start_matches("!!! "));
            }
        }
        out.push('\n');
    }
    out.push_str(&advice.details(wording.lang, style));
    out
}

/// The scores, bands and flags of the text of one urgent-aware flags row.
fn flags_text(
    session: &VisitSession<'_>,
    index: usize,
    score: &InstrumentScore,
    lang: Lang,
    short: bool,
) -> String {
    let instrument = session.instruments()[index];
    let unknown = session.unknown_flags();
    let mut flags: Vec<String> = score
        .flags
        .iter()
        .map(|&f| {
            let flag = &instrument.flags[f];
            let marker = if flag.urgent {
                Msg::Urgent
            } else {
                Msg::Warning
            };
            format!(
                "{}: {} ({} {})",
                marker.get(lang),
                flag.label.get(lang),
                Msg::ItemWord.get(lang),
                session.place_on_form(index, flag.item).0 + 1
            )
        })
        .collect();
    flags.extend(unknown.iter().filter(|(i, _)| *i == index).map(|&(_, f)| {
        let flag = &instrument.flags[f];
        format!(
            "{}: {} ({})",
            Msg::Urgent.get(lang),
            flag.label.get(lang),
            if short {
                Msg::FlagUnknownTiny.get(lang).to_owned()
            } else {
                Msg::FlagUnknownShort.fill(
                    lang,
                    &[(
                        "number",
                        &(session.place_on_form(index, flag.item).0 + 1).to_string(),
                    )],
                )
            }
        )
    }));
    if short && !flags.is_empty() {
        // Each is named in the warnings that head the result.
        Msg::FlagsAbove.fill(lang, &[("count", &flags.len().to_string())])
    } else if flags.is_empty() {
        Msg::NoFlags.get(lang).to_owned()
    } else {
        flags.join("; ")
    }
}

/// One instrument's part of the result: its name, then aligned rows.
fn instrument_block(
    session: &VisitSession<'_>,
    wording: &Wording,
    index: usize,
    named: bool,
    style: Style,
    short: bool,
) -> String {
    let lang = wording.lang;
    let instrument = session.instruments()[index];
    let mut out = String::new();
    if named {
        let _ = writeln!(out, "{}", style.bold(instrument.name.get(lang)));
    }
    let rows = instrument_rows(session, index, lang, short)
        .into_iter()
        .map(|(label, value, _)| (label, value))
        .collect();
    out.push_str(&aligned(rows));
    out
}

/// Rows of (label, value) as aligned lines, indented by two spaces.
fn aligned(rows: Vec<(String, String)>) -> String {
    let mut out = String::new();
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in rows {
        let pad = width - label.chars().count();
        let _ = writeln!(out, "  {label}{}  {value}", " ".repeat(pad));
    }
    out
}

/// One instrument's rows of the result: (label, value, whether the label is
/// generic, such as "Flags", rather than the scale's own).
fn instrument_rows(
    session: &VisitSession<'_>,
    index: usize,
    lang: Lang,
    short: bool,
) -> Vec<(String, String, bool)> {
    let instrument = session.instruments()[index];
    let score = &session.scores()[index];
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut generic = Vec::new();
    rows.extend(form_rows(session, index, lang));
    generic.resize(rows.len(), true);
    let scales = score.scales_of(instrument);
    for (scale, result) in scales.iter().zip(&score.scales) {
        let text = match result.score {
            // A crowded screen says why in a few words; the note says it all.
            None if short => Msg::NoScoreShort.fill(
                lang,
                &[
                    ("missing", &result.missing.to_string()),
                    ("count", &scale.items.len().to_string()),
                ],
            ),
            _ => scale_text(scale, result, lang),
        };
        rows.push((scale.label.get(lang).to_owned(), text));
        generic.push(false);
    }
    if !instrument.flags.is_empty() {
        rows.push((
            Msg::FlagsLabel.get(lang).to_owned(),
            flags_text(session, index, score, lang, short),
        ));
    }
    if instrument.age_banding.is_some() {
        rows.extend(zones_row(scales, lang));
    }
    if instrument.has_concerns() {
        let ticked: Vec<String> = (0..session.question_count())
            .map(|q| session.question(q))
            .filter(|q| q.instrument_index == index && q.concern && q.answer.is_some())
            .map(|q| (q.number + 1).to_string())
            .collect();
        let text = if ticked.is_empty() {
            Msg::NoFlags.get(lang).to_owned()
        } else {
            format!("{} {}", Msg::ItemWord.get(lang), ticked.join(", "))
        };
        rows.push((Msg::ConcernsLabel.get(lang).to_owned(), text));
    }
    let unanswered = unanswered_numbers(session, index);
    if !unanswered.is_empty() {
        rows.push((
            Msg::UnansweredLabel.get(lang).to_owned(),
            format!("{} {}", Msg::ItemWord.get(lang), unanswered.join(", ")),
        ));
    }
    generic.resize(rows.len(), true);
    rows.into_iter()
        .zip(generic)
        .map(|((label, value), generic)| (label, value, generic))
        .collect()
}

/// The numbers (on the form) of the instrument's unanswered questions.
///
/// Runs of three or more read as ranges: `1–25`, `3, 4`, `2, 5–9`.
fn unanswered_numbers(session: &VisitSession<'_>, index: usize) -> Vec<String> {
    let numbers: Vec<usize> = session
        .unanswered()
        .into_iter()
        .map(|q| session.question(q))
        .filter(|q| q.instrument_index == index)
        .map(|q| q.number + 1)
        .collect();
    runs(&numbers)
}

/// Ascending numbers with runs of three or more as ranges.
fn runs(numbers: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < numbers.len() {
        let mut end = at;
        while end + 1 < numbers.len() && numbers[end + 1] == numbers[end] + 1 {
            end += 1;
        }
        if end - at >= 2 {
            out.push(format!("{}–{}", numbers[at], numbers[end]));
        } else {
            out.extend(numbers[at..=end].iter().map(ToString::to_string));
        }
        at = end + 1;
    }
    out
}

/// A scale's score and band, or why it has none.
fn scale_text(
    scale: &stepcare::instrument::Scale,
    result: &stepcare::scoring::ScaleScore,
    lang: Lang,
) -> String {
    match result.score {
        Some(value) => {
            let mut text = fmt_score(value);
            if let Some(band) = result.band {
                let _ = write!(text, " – {}", scale.bands[band].label.get(lang));
            }
            if result.prorated {
                let _ = write!(
                    text,
                    " {}",
                    Msg::by_count(result.missing, Msg::ProratedOne, Msg::Prorated)
                        .fill(lang, &[("missing", &result.missing.to_string())])
                );
            }
            text
        }
        None => no_score_reason(scale, result, lang),
    }
}

/// The journal note: a short plain-text summary for the patient record, in
/// the visit's language. No instrument wording: only the project's labels.
pub fn journal_note(
    session: &VisitSession<'_>,
    wording: &Wording,
    shown: Shown<'_>,
    advice: &Advice,
    acknowledgements: &[stepcare::visit_record::Acknowledgement],
) -> String {
    let lang = wording.lang;
    let plain = Style { color: false };
    let mut out = String::new();
    let names: Vec<String> = session
        .instruments()
        .iter()
        .map(|i| short_name(i))
        .collect();
    let _ = writeln!(
        out,
        "{}: {}",
        Msg::NoteHeading.fill(lang, &[("date", &shown.date.to_string())]),
        names.join(", ")
    );
    let _ = writeln!(
        out,
        "{}",
        Msg::RespondentLine.fill(
            lang,
            &[("respondent", &respondent_name(shown.respondent, lang))]
        )
    );
    let scores = session.scores();
    for (index, instrument) in session.instruments().iter().enumerate() {
        let score = &scores[index];
        let scales = score.scales_of(instrument);
        let mut parts: Vec<String> = scales
            .iter()
            .zip(&score.scales)
            .map(|(scale, result)| {
                format!(
                    "{} {}",
                    scale.label.get(lang),
                    scale_text(scale, result, lang)
                )
            })
            .collect();
        if let (Some(banding), Some(interval)) =
            (instrument.age_banding.as_ref(), session.interval(index))
        {
            parts.insert(
                0,
                format!(
                    "{} {}",
                    Msg::FormLabel.get(lang),
                    age::form_text(&banding.intervals[interval], lang)
                ),
            );
        }
        let _ = writeln!(out, "{}: {}", short_name(instrument), parts.join("; "));
        if !instrument.flags.is_empty() {
            let _ = writeln!(
                out,
                "  {}: {}",
                Msg::FlagsLabel.get(lang),
                flags_text(session, index, score, lang, false)
            );
        }
        let unanswered = unanswered_numbers(session, index);
        if !unanswered.is_empty() {
            let _ = writeln!(
                out,
                "  {}: {} {}",
                Msg::UnansweredLabel.get(lang),
                Msg::ItemWord.get(lang),
                unanswered.join(", ")
            );
        }
    }
    for ack in acknowledgements {
        let _ = writeln!(
            out,
            "{}: {}.{}",
            Msg::AcknowledgedAt.fill(lang, &[("time", &ack.at)]),
            ack.instrument,
            ack.flag
        );
    }
    match advice {
        Advice::NoRules => {
            let _ = writeln!(out, "{}", Msg::NoteNoRules.get(lang));
        }
        Advice::Recommended {
            table,
            recommendation,
            ..
        } => {
            let mut level = advice.level_text(lang);
            if recommendation.urgent {
                let _ = write!(level, "; {}", table.urgent_name.get(lang));
            }
            let _ = writeln!(out, "{}: {level}", Msg::NoteLevel.get(lang));
            for pending in &recommendation.pending {
                let _ = writeln!(
                    out,
                    "{}: {} ({})",
                    Msg::PendingLabel.get(lang),
                    pending.action.get(lang),
                    pending.rule
                );
            }
            let referrals = advice.referral_names(lang);
            if !referrals.is_empty() {
                let _ = writeln!(
                    out,
                    "{}: {}",
                    Msg::ReferralsLabel.get(lang),
                    referrals.join("; ")
                );
            }
            if let Some(when) = advice.rescreen(lang) {
                let _ = writeln!(out, "{}: {when}", Msg::RescreenLabel.get(lang));
            }
            let assessed = advice.assessed(lang);
            if !assessed.is_empty() {
                let _ = writeln!(out, "{}", assessed.join("; "));
            }
            let missing = advice.not_assessed(lang);
            if !missing.is_empty() {
                let _ = writeln!(
                    out,
                    "{}: {}",
                    Msg::NotAssessedLabel.get(lang),
                    missing.join("; ")
                );
            }
            let _ = writeln!(
                out,
                "{}",
                Msg::NoteRules.fill(lang, &[("table", &table.id), ("version", &table.version)])
            );
        }
    }
    let _ = writeln!(out, "{}", plain.bold(Msg::NoteClinician.get(lang)));
    out
}

/// The form, age and corrected-age rows of an age-banded instrument's result.
fn form_rows(session: &VisitSession<'_>, index: usize, lang: Lang) -> Vec<(String, String)> {
    let instrument = session.instruments()[index];
    let (Some(banding), Some(interval), Some(age), Some(child)) = (
        instrument.age_banding.as_ref(),
        session.interval(index),
        session.child_age(index),
        session.child(),
    ) else {
        return Vec::new();
    };
    let mut rows = vec![
        (
            Msg::FormLabel.get(lang).to_owned(),
            age::form_text(&banding.intervals[interval], lang),
        ),
        (
            Msg::AgeLabel.get(lang).to_owned(),
            Msg::AgeWithDates.fill(
                lang,
                &[
                    ("age", &age::age_text(age.chronological, lang)),
                    ("birth", &child.birth.to_string()),
                    ("screening", &child.screening.to_string()),
                ],
            ),
        ),
    ];
    if let Some(text) =
        age::corrected_text(&age, child.gestation, banding.correction.as_ref(), lang)
    {
        rows.push((Msg::CorrectedAgeLabel.get(lang).to_owned(), text));
    }
    rows
}

/// The zones of the form's scales: `0-24 Below the monitoring zone; 25-34 ...`.
fn zones_row(scales: &[stepcare::instrument::Scale], lang: Lang) -> Option<(String, String)> {
    let banded: Vec<&stepcare::instrument::Scale> =
        scales.iter().filter(|s| !s.bands.is_empty()).collect();
    let several = banded.len() > 1;
    let parts: Vec<String> = banded
        .iter()
        .map(|scale| {
            let bands: Vec<String> = scale
                .bands
                .iter()
                .map(|band| {
                    format!(
                        "{}–{} {}",
                        fmt_score(band.from),
                        fmt_score(band.to),
                        band.label.get(lang)
                    )
                })
                .collect();
            if several {
                format!("{}: {}", scale.label.get(lang), bands.join("; "))
            } else {
                bands.join("; ")
            }
        })
        .collect();
    (!parts.is_empty()).then(|| (Msg::ZonesLabel.get(lang).to_owned(), parts.join(" | ")))
}

/// The columns `text` takes on a terminal: its characters, without ANSI
/// style sequences (`ESC [ ... m`).
pub fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // Skip to the sequence's final letter.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            width += 1;
        }
    }
    width
}

/// Word-wraps every line of `text` wider than `width` columns at spaces;
/// continuation lines keep the line's indentation plus two spaces. ANSI
/// style sequences take no columns, so a styled line (a bold label, a
/// warning) wraps where it is seen to end. A word wider than the line stays
/// whole.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        if visible_width(body) <= width {
            out.push_str(line);
            continue;
        }
        let indent = body.len() - body.trim_start_matches(' ').len();
        let hanging = " ".repeat(indent + 2);
        let mut current = body[..indent].to_owned();
        let mut current_width = indent;
        let mut first_word = true;
        for word in body[indent..].split(' ') {
            let word_width = visible_width(word);
            if !first_word && current_width + 1 + word_width > width {
                out.push_str(current.trim_end());
                out.push('\n');
                current = hanging.clone();
                current_width = hanging.len();
                first_word = true;
            }
            if !first_word {
                current.push(' ');
                current_width += 1;
            }
            current.push_str(word);
            current_width += word_width;
            first_word = false;
        }
        out.push_str(&current);
        out.push_str(newline);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn long_lines_wrap_at_spaces_with_a_hanging_indent() {
        let text = "short\n  - U-1: one two three four five six\n";
        assert_eq!(
            wrap(text, 16),
            "short\n  - U-1: one two\n    three four\n    five six\n"
        );
    }

    #[test]
    fn runs_of_numbers_read_as_ranges() {
        let shown = |n: &[usize]| super::runs(n).join(", ");
        assert_eq!(shown(&[1, 2, 3, 4, 5]), "1–5");
        assert_eq!(shown(&[3, 4]), "3, 4");
        assert_eq!(shown(&[2, 5, 6, 7, 9]), "2, 5–7, 9");
        assert_eq!(shown(&[]), "");
    }

    #[test]
    fn short_and_unbreakable_lines_are_kept() {
        assert_eq!(wrap("abc\n", 2), "abc\n");
        assert_eq!(wrap("no newline at end", 100), "no newline at end");
    }

    #[test]
    fn styled_lines_wrap_where_they_are_seen_to_end() {
        // Nine visible columns before the label's reset: it fits in 16.
        let styled = "\x1b[1mReferrals\x1b[0m: one two three four";
        assert_eq!(
            wrap(styled, 16),
            "\x1b[1mReferrals\x1b[0m: one\n  two three four"
        );
        assert_eq!(super::visible_width("\x1b[1;97;41m!!! A\x1b[0m"), 5);
    }
}
