//! DMN-style unary tests (`>=13`, `[10..12]`, `probable`, `true`, `incomplete`, `-`)
//! and the values they test.

use std::fmt;

/// The value one input takes for one family: what a condition is tested against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// The input's instrument was not scored in this run.
    NotScreened,
    /// The scale has no score (answers missing or invalid) and nothing bounds
    /// what a completed form would score (an age-banded scale, for example).
    NoScore,
    /// The scale has no score, but the answered items bound it: every
    /// completion of the form scores between `low` and `high` (inclusive).
    /// Tests hold for it only when they hold for every completion, and it is
    /// `incomplete` too.
    Partial {
        /// The lowest score a completion can reach.
        low: f64,
        /// The highest score a completion can reach.
        high: f64,
    },
    /// A scale score.
    Score(f64),
    /// The zone of a scale of an age-banded instrument: the index of its band,
    /// whose id (`below`, `monitoring`, `above`) is the same in every age
    /// interval while the numbers behind it are not.
    Zone(u16),
    /// A flag, a completeness input or a yes/no column.
    Bool(bool),
    /// A flag whose item was left unanswered or has an invalid value: it may
    /// be raised or not, and only asking tells.
    Unknown,
    /// One of a choice column's declared values (index).
    Choice(u16),
    /// A care level number in a level column.
    Number(f64),
    /// A data column left blank.
    Blank,
}

/// How a number is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=` or a bare number
    Eq,
}

/// A verdict in three-valued (Kleene) logic: a test on a partial score or an
/// unknown flag may hold for some completions of the form and not for others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// Holds whatever the missing answers turn out to be.
    True,
    /// Holds for some completions of the form and not for others.
    Maybe,
    /// Holds for no completion.
    False,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Maybe => Truth::Maybe,
        }
    }

    /// The verdict of a conjunction: false beats maybe beats true.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::Maybe, _) | (_, Truth::Maybe) => Truth::Maybe,
            _ => Truth::True,
        }
    }

    fn or(self, other: Truth) -> Truth {
        self.not().and(other.not()).not()
    }
}

impl Cmp {
    /// Whether every value in `[low, high]` passes (True), none does (False), or some do.
    fn holds_on(self, low: f64, high: f64, right: f64) -> Truth {
        let all = self.holds(low, right) && self.holds(high, right);
        let none = match self {
            Cmp::Lt => low >= right,
            Cmp::Le => low > right,
            Cmp::Gt => high <= right,
            Cmp::Ge => high < right,
            Cmp::Eq => right < low || right > high,
        };
        if all {
            Truth::True
        } else if none {
            Truth::False
        } else {
            Truth::Maybe
        }
    }

    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Lt => left < right,
            Cmp::Le => left <= right,
            Cmp::Gt => left > right,
            Cmp::Ge => left >= right,
            Cmp::Eq => left == right,
        }
    }
}

/// A compiled unary test.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `-`: anything.
    Any,
    /// A comparison with a number (scores and levels).
    Compare(Cmp, f64),
    /// An interval of numbers (scores and levels); a band of a scale with fixed
    /// ranges is compiled to one (a zone of an age-banded scale is [`Test::Is`]).
    Range {
        /// Lower bound.
        low: f64,
        /// Whether the lower bound is included.
        low_closed: bool,
        /// Upper bound.
        high: f64,
        /// Whether the upper bound is included.
        high_closed: bool,
    },
    /// Exactly this symbolic value (`incomplete`, `not_screened`, `blank`, `true`,
    /// a choice, a zone).
    Is(Value),
    /// Whatever the inner test does not match.
    Not(Box<Test>),
    /// Any of several tests.
    AnyOf(Vec<Test>),
}

impl Test {
    /// Whether `value` passes the test: for a partial score or an unknown
    /// flag, whether it passes whatever the missing answers turn out to be.
    pub fn matches(&self, value: &Value) -> bool {
        self.truth(value) == Truth::True
    }

    /// The three-valued verdict: [`Truth::Maybe`] when the test holds for
    /// some completions of a partial score (or states of an unknown flag)
    /// and not for others.
    pub fn truth(&self, value: &Value) -> Truth {
        match self {
            Test::Any => Truth::True,
            Test::Compare(cmp, right) => match value {
                Value::Score(left) | Value::Number(left) => {
                    Truth::from_bool(cmp.holds(*left, *right))
                }
                Value::Partial { low, high } => cmp.holds_on(*low, *high, *right),
                _ => Truth::False,
            },
            Test::Range {
                low,
                low_closed,
                high,
                high_closed,
            } => {
                let inside = |x: f64| {
                    (if *low_closed { x >= *low } else { x > *low })
                        && (if *high_closed { x <= *high } else { x < *high })
                };
                match value {
                    Value::Score(x) | Value::Number(x) => Truth::from_bool(inside(*x)),
                    Value::Partial { low: a, high: b } => {
                        if inside(*a) && inside(*b) {
                            Truth::True
                        } else if *b < *low
                            || (*b == *low && !*low_closed)
                            || *a > *high
                            || (*a == *high && !*high_closed)
                        {
                            Truth::False
                        } else {
                            Truth::Maybe
                        }
                    }
                    _ => Truth::False,
                }
            }
            Test::Is(expected) => match (expected, value) {
                // A partial score is incomplete, whatever its bounds.
                (Value::NoScore, Value::Partial { .. }) => Truth::True,
                // An unknown flag may turn out either way.
                (Value::Bool(_), Value::Unknown) => Truth::Maybe,
                _ => Truth::from_bool(expected == value),
            },
            Test::Not(inner) => inner.truth(value).not(),
            Test::AnyOf(tests) => tests
                .iter()
                .fold(Truth::False, |acc, t| acc.or(t.truth(value))),
        }
    }

    /// Whether the test is `-` (matches anything).
    pub fn is_any(&self) -> bool {
        matches!(self, Test::Any)
    }
}

/// A parsed but not yet resolved unary test: names are still text.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// `-`
    Any,
    /// A comparison.
    Compare(Cmp, f64),
    /// An interval.
    Range(f64, bool, f64, bool),
    /// A name: a band, a column value, `true`, `incomplete`...
    Name(String),
    /// `not(...)`
    Not(Box<Parsed>),
    /// `a, b, c`
    AnyOf(Vec<Parsed>),
}

/// Why a condition could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError(pub String);

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How deeply `not(...)` may nest; deeper is refused, so no file can
/// exhaust the stack or make parsing quadratic in its length.
pub const MAX_DEPTH: usize = 8;

/// Reads one condition written in DMN unary-test style.
///
/// An empty condition is refused rather than read as "anything": a blank
/// left in a table by mistake must not quietly widen a rule. `-` or `any`
/// say "any value".
pub fn parse(text: &str) -> Result<Parsed, SyntaxError> {
    parse_at(text, 0)
}

fn parse_at(text: &str, depth: usize) -> Result<Parsed, SyntaxError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SyntaxError(
            "an empty condition; write `-` for any value, or a test such as \">=13\"".to_owned(),
        ));
    }
    if text == "-" || text.eq_ignore_ascii_case("any") {
        return Ok(Parsed::Any);
    }
    let parts = split_top_level(text)?;
    if parts.len() > 1 {
        return parts
            .iter()
            .map(|p| parse_one(p, depth))
            .collect::<Result<Vec<_>, _>>()
            .map(Parsed::AnyOf);
    }
    parse_one(text, depth)
}

fn parse_one(text: &str, depth: usize) -> Result<Parsed, SyntaxError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SyntaxError("an empty test in a list".to_owned()));
    }
    if text == "-" {
        return Ok(Parsed::Any);
    }
    let lower = text.to_ascii_lowercase();
    if let Some(inner) = lower.strip_prefix("not(").and_then(|r| r.strip_suffix(')')) {
        if depth >= MAX_DEPTH {
            return Err(SyntaxError(format!(
                "`not(...)` nested more than {MAX_DEPTH} deep; simplify the condition"
            )));
        }
        return Ok(Parsed::Not(Box::new(parse_at(inner, depth + 1)?)));
    }
    for (prefix, cmp) in [
        (">=", Cmp::Ge),
        ("<=", Cmp::Le),
        ("==", Cmp::Eq),
        (">", Cmp::Gt),
        ("<", Cmp::Lt),
        ("=", Cmp::Eq),
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let rest = rest.trim();
            return match number(rest) {
                Some(n) => Ok(Parsed::Compare(cmp, n)),
                None if cmp == Cmp::Eq && !rest.is_empty() => Ok(Parsed::Name(rest.to_owned())),
                None => Err(SyntaxError(format!(
                    "`{text}`: `{prefix}` must be followed by a number"
                ))),
            };
        }
    }
    if text.contains("..") {
        return range(text);
    }
    if let Some(n) = number(text) {
        return Ok(Parsed::Compare(Cmp::Eq, n));
    }
    if text
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ')
    {
        return Ok(Parsed::Name(text.to_owned()));
    }
    Err(SyntaxError(format!(
        "`{text}` is not a test stepcare understands"
    )))
}

fn number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+')
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// `[a..b]`, `(a..b)`, `]a..b[`, `[a..b)`, or a bare `a..b` (closed).
fn range(text: &str) -> Result<Parsed, SyntaxError> {
    let bad = || {
        SyntaxError(format!(
            "`{text}` is not a range; write it as [10..12] (both ends included) or (10..12) (both excluded)"
        ))
    };
    let first = text.chars().next().ok_or_else(bad)?;
    let last = text.chars().last().ok_or_else(bad)?;
    let (low_closed, start) = match first {
        '[' => (true, 1),
        '(' | ']' => (false, 1),
        _ => (true, 0),
    };
    let (high_closed, end) = match last {
        ']' => (true, text.len() - 1),
        ')' | '[' => (false, text.len() - 1),
        _ => (true, text.len()),
    };
    if start > end {
        return Err(bad());
    }
    let (low, high) = text[start..end].split_once("..").ok_or_else(bad)?;
    let (low, high) = (number(low).ok_or_else(bad)?, number(high).ok_or_else(bad)?);
    if low > high {
        return Err(SyntaxError(format!(
            "`{text}`: the range ends before it starts"
        )));
    }
    Ok(Parsed::Range(low, low_closed, high, high_closed))
}

/// Splits at commas that are not inside brackets.
fn split_top_level(text: &str) -> Result<Vec<&str>, SyntaxError> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut in_range = false;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth > 0 && !in_range => depth -= 1,
            '[' | ']' | ')' => {
                // Brackets of a range: `[1..2]`, `]1..2[`, `(1..2)`.
                in_range = !in_range;
                if c == ')' && depth > 0 {
                    depth -= 1;
                    in_range = false;
                }
            }
            ',' if depth == 0 && !in_range => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dmn_tests() {
        assert_eq!(parse(">=13").unwrap(), Parsed::Compare(Cmp::Ge, 13.0));
        assert_eq!(parse(" - ").unwrap(), Parsed::Any);
        assert_eq!(
            parse("[10..12]").unwrap(),
            Parsed::Range(10.0, true, 12.0, true)
        );
        assert_eq!(
            parse("]10..12[").unwrap(),
            Parsed::Range(10.0, false, 12.0, false)
        );
        assert_eq!(
            parse("10..12").unwrap(),
            Parsed::Range(10.0, true, 12.0, true)
        );
        assert_eq!(parse("12").unwrap(), Parsed::Compare(Cmp::Eq, 12.0));
        assert_eq!(parse("probable").unwrap(), Parsed::Name("probable".into()));
        assert_eq!(
            parse("mother, partner").unwrap(),
            Parsed::AnyOf(vec![
                Parsed::Name("mother".into()),
                Parsed::Name("partner".into())
            ])
        );
        assert_eq!(
            parse("[0..2], >=10").unwrap(),
            Parsed::AnyOf(vec![
                Parsed::Range(0.0, true, 2.0, true),
                Parsed::Compare(Cmp::Ge, 10.0)
            ])
        );
        assert_eq!(
            parse("not(incomplete)").unwrap(),
            Parsed::Not(Box::new(Parsed::Name("incomplete".into())))
        );
        assert!(parse(">=x").is_err());
        assert!(parse("").is_err());
        assert!(parse("  ").is_err());
        assert!(parse("[12..10]").is_err());
        assert!(parse("a$b").is_err());
    }

    #[test]
    fn matching() {
        let ge = Test::Compare(Cmp::Ge, 13.0);
        assert!(ge.matches(&Value::Score(13.0)));
        assert!(!ge.matches(&Value::Score(12.0)));
        assert!(!ge.matches(&Value::NoScore));
        assert!(!ge.matches(&Value::NotScreened));
        let not = Test::Not(Box::new(Test::Is(Value::NoScore)));
        assert!(not.matches(&Value::NotScreened));
        assert!(!not.matches(&Value::NoScore));
    }
}
