//! Problems found in a definition file, with where they are and what was expected.
//!
//! Every diagnostic carries the file, a 1-based line and column, and a byte span
//! into the file's text, so that it can be rendered with a caret under the spot.

use std::fmt;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The definition cannot be used.
    Error,
    /// The definition works, but probably not as its author meant.
    Warning,
}

/// A place in a source file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceSpot {
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    /// Byte range in the file's text, when known.
    pub bytes: Option<std::ops::Range<usize>>,
}

impl SourceSpot {
    /// A spot with no known position (the problem concerns the whole file).
    pub fn unknown() -> Self {
        SourceSpot::default()
    }

    /// A spot covering the text of one line (1-based), for problems known only by line.
    pub fn whole_line(text: &str, line: usize) -> Self {
        let mut start = 0;
        for (number, content) in text.split_inclusive('\n').enumerate() {
            if number + 1 == line {
                let trimmed = content.trim_end();
                let indent = trimmed.len() - trimmed.trim_start().len();
                return SourceSpot {
                    line,
                    column: indent + 1,
                    bytes: Some(start + indent..start + trimmed.len()),
                };
            }
            start += content.len();
        }
        SourceSpot {
            line,
            column: 0,
            bytes: None,
        }
    }
}

/// One problem in a file, ready to show to the person who wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as the user named it (or `<builtin>/...` for shipped definitions).
    pub path: String,
    /// Where in the file.
    pub spot: SourceSpot,
    /// What is wrong, as one sentence.
    pub message: String,
    /// What was expected instead, shown under the caret.
    pub expected: Option<String>,
    /// Further notes (for example where a duplicate was first defined).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A new error at a spot.
    pub fn error(path: &str, spot: SourceSpot, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.to_owned(),
            spot,
            message: message.into(),
            expected: None,
            notes: Vec::new(),
        }
    }

    /// A new warning at a spot.
    pub fn warning(path: &str, spot: SourceSpot, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, spot, message)
        }
    }

    /// Adds what was expected.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic with the offending line and a caret under the spot.
    ///
    /// `source` is the file's text; `color` adds ANSI styling for terminals.
    pub fn render(&self, source: Option<&str>, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level.primary_title(self.message.as_str());
        let label = self
            .expected
            .as_deref()
            .map_or_else(|| "here".to_owned(), |e| format!("expected {e}"));
        let group = match (source, &self.spot.bytes) {
            (Some(text), Some(bytes)) if bytes.end <= text.len() => {
                let (start, window) = line_window(text, bytes.clone());
                let local = (bytes.start - start)..(bytes.end - start);
                title.element(
                    Snippet::source(window)
                        .line_start(self.spot.line.max(1))
                        .path(self.path.as_str())
                        .annotation(AnnotationKind::Primary.span(local).label(label.as_str())),
                )
            }
            _ => {
                let place = self.to_string_location();
                let mut group = title.element(annotate_snippets::Origin::path(place));
                if let Some(expected) = &self.expected {
                    group = group.element(Level::NOTE.message(format!("expected {expected}")));
                }
                group
            }
        };
        let mut report: Vec<Group<'_>> = vec![group];
        for note in &self.notes {
            report.push(Group::with_title(
                Level::NOTE.secondary_title(note.as_str()),
            ));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&report)
    }

    fn to_string_location(&self) -> String {
        if self.spot.line == 0 {
            self.path.clone()
        } else {
            format!("{}:{}:{}", self.path, self.spot.line, self.spot.column)
        }
    }
}

/// The whole lines around a byte range, and the byte offset where they start.
fn line_window(text: &str, bytes: std::ops::Range<usize>) -> (usize, &str) {
    let start = text[..bytes.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[bytes.end..]
        .find('\n')
        .map_or(text.len(), |i| bytes.end + i);
    (start, &text[start..end])
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {kind}: {}", self.to_string_location(), self.message)?;
        if let Some(expected) = &self.expected {
            write!(f, " (expected {expected})")?;
        }
        Ok(())
    }
}

/// A set of problems found in one or more files.
#[derive(Debug, Clone, Default, thiserror::Error)]
#[error("{} found", crate::lang::count(.diagnostics.len() as u64, "problem", "problems"))]
pub struct Diagnostics {
    /// The problems, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Whether any of the problems is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}
