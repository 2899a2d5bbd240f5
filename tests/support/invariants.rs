//! Invariants that hold for any input, shared by the fuzz targets (`fuzz/`)
//! and the proptest properties (`tests/invariants.rs`).
//!
//! Each check takes arbitrary bytes, turns them into an input of one reader
//! (an instrument definition, a rule table, an export, a cutoffs file, the
//! answers of a visit) and asserts what the reader promises, not just that
//! it returns: every well-formed row yields one output row, every endorsed
//! critical item is urgent in the output, a definition is either loaded
//! without errors or refused with at least one, and no message carries a
//! library's wording. A failed assertion is a bug.

#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use stepcare::accuracy::input::{InputSpec, ScoreSource, read_dataset};
use stepcare::batch::care::Care;
use stepcare::batch::output::JsonlSink;
use stepcare::batch::{BatchOptions, Encoding, score_stream};
use stepcare::catalog::Catalog;
use stepcare::diagnostic::Diagnostic;
use stepcare::instrument::{Instrument, ValueKind};
use stepcare::lang::Lang;
use stepcare::rules::{DataValues, RuleTable};
use stepcare::scoring::Answer;
use stepcare::session::{Event, Position, VisitSession};

/// Reads fuzz bytes front to back; zeros once they run out.
pub struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, at: 0 }
    }

    /// The next byte, or 0 at the end.
    pub fn byte(&mut self) -> u8 {
        let byte = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    /// Whether every byte has been read.
    pub fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    /// The bytes not yet read.
    pub fn rest(&self) -> &'a [u8] {
        self.data.get(self.at..).unwrap_or(&[])
    }
}

/// The shipped instruments, loaded once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

fn epds() -> &'static Instrument {
    catalog().get("epds").expect("epds ships")
}

/// The shipped Norwegian rule table, loaded once.
fn no_default() -> Arc<RuleTable> {
    static TABLE: OnceLock<Arc<RuleTable>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let instruments: Vec<&Instrument> = catalog().instruments().iter().collect();
            Arc::new(
                stepcare::rules::load_builtin("no-default", &instruments)
                    .expect("no-default loads"),
            )
        })
        .clone()
}

/// Wording of libraries that must never reach a person.
const LIBRARY_WORDS: [&str; 8] = [
    "budget breached",
    "ScalarBytes",
    "DuplicateKeyPolicy",
    "serde",
    "invalid type:",
    "Some(",
    "Error {",
    "Utf8Error",
];

/// Asserts that a message shown to people has no library wording in it
/// (unless the input itself holds the words, as a message may quote it).
pub fn assert_for_people(message: &str, input: &str) {
    for word in LIBRARY_WORDS {
        assert!(
            !message.contains(word) || input.contains(word),
            "a message carries library wording `{word}`: {message}"
        );
    }
}

/// Asserts what every loader promises about its diagnostics: a result only
/// without errors, at least one error without a result, and each rendered
/// for people.
fn check_diagnostics(loaded: bool, diagnostics: &[Diagnostic], text: &str) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if loaded {
        assert_eq!(errors, 0, "loaded although it has errors: {diagnostics:?}");
    } else {
        assert!(errors > 0, "refused without an error: {diagnostics:?}");
    }
    for diagnostic in diagnostics {
        let rendered = diagnostic.render(Some(text), false);
        assert_for_people(&diagnostic.message, text);
        if let Some(expected) = &diagnostic.expected {
            assert_for_people(expected, text);
        }
        assert!(!rendered.is_empty());
    }
}

/// An instrument definition: loaded without errors or refused with one; a
/// loaded one scores any answers within each scale's reach.
pub fn instrument_yaml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (instrument, diagnostics) = stepcare::instrument::load_instrument("fuzz.yaml", &text);
    check_diagnostics(instrument.is_some(), &diagnostics, &text);
    let Some(instrument) = instrument else {
        return;
    };
    for pick in [0usize, usize::MAX] {
        let answers: Vec<Answer> = instrument
            .items
            .iter()
            .map(|item| Answer::Chosen(pick.min(item.options.len() - 1) as u8))
            .collect();
        let scored = stepcare::scoring::score(&instrument, &answers);
        for flag in &scored.flags {
            assert!(*flag < instrument.flags.len());
        }
    }
}

/// A rule table (against the shipped instruments): loaded without errors
/// or refused with one.
pub fn rule_table(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let instruments: Vec<&Instrument> = catalog().instruments().iter().collect();
    let (table, diagnostics) = stepcare::rules::load_table("fuzz-rules.yaml", &text, &instruments);
    check_diagnostics(table.is_some(), &diagnostics, &text);
}

/// How one structured export is read.
#[derive(Debug, Clone, Copy)]
struct BatchMode {
    values: ValueKind,
    encoding: Encoding,
    rules: bool,
    delimiter: u8,
    dotted_headers: bool,
}

/// One EPDS cell of a structured export, and what it means.
enum Cell {
    /// An option by index.
    Option(usize),
    Blank,
    NotAnswered,
    Junk(Vec<u8>),
}

/// A well-formed export of EPDS answers built from the bytes (every value
/// mode, both encodings, with and without a rule table), scored end to end:
/// one output row per record, in order, ids kept, and every row whose item
/// 10 is endorsed carries the urgent flag (and, with rules, is urgent).
pub fn batch_structured(data: &[u8]) {
    let mut bytes = Bytes::new(data);
    let head = bytes.byte();
    let mode = BatchMode {
        values: [ValueKind::Points, ValueKind::Position, ValueKind::Label][usize::from(head % 3)],
        encoding: if head & 4 == 0 {
            Encoding::Utf8
        } else {
            Encoding::Windows1252
        },
        rules: head & 8 != 0,
        delimiter: [b',', b';', b'\t'][usize::from((head >> 4) % 3)],
        dotted_headers: head & 64 != 0,
    };
    let instrument = epds();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    while !bytes.done() && rows.len() < 300 {
        let mut cells = Vec::new();
        for _ in 0..instrument.items.len() {
            let b = bytes.byte();
            cells.push(match b % 8 {
                0..=3 => Cell::Option(usize::from(b % 4)),
                4 => Cell::Blank,
                5 => Cell::NotAnswered,
                _ => {
                    let len = usize::from(bytes.byte() % 4);
                    let mut junk = vec![b'x'];
                    for _ in 0..len {
                        // Letters, digits, spaces, quotes, delimiters and a Latin-1 letter.
                        junk.push(b" 0123456789\";,\tx\xf8="[usize::from(bytes.byte() % 18)]);
                    }
                    Cell::Junk(junk)
                }
            });
        }
        rows.push(cells);
    }
    // The export, in Latin-1 terms: the writer quotes whatever needs it.
    let mut writer = csv::WriterBuilder::new()
        .delimiter(mode.delimiter)
        .from_writer(Vec::new());
    let mut header = vec![b"id".to_vec()];
    for item in &instrument.items {
        header.push(if mode.dotted_headers {
            format!("epds.{}", item.id).into_bytes()
        } else {
            format!("EPDS{}", &item.id[1..]).into_bytes()
        });
    }
    if mode.rules {
        header.push(b"respondent".to_vec());
    }
    writer.write_record(&header).unwrap();
    for (n, cells) in rows.iter().enumerate() {
        let mut record = vec![format!("r{n}").into_bytes()];
        for (item, cell) in instrument.items.iter().zip(cells) {
            record.push(match cell {
                Cell::Option(k) => {
                    let k = (*k).min(item.options.len() - 1);
                    match mode.values {
                        ValueKind::Points => item.options[k].points.to_string().into_bytes(),
                        ValueKind::Position => (k + 1).to_string().into_bytes(),
                        ValueKind::Label => item.options[k].label.get(Lang::En).as_bytes().to_vec(),
                    }
                }
                Cell::Blank => Vec::new(),
                Cell::NotAnswered => b"NA".to_vec(),
                Cell::Junk(junk) => junk.clone(),
            });
        }
        if mode.rules {
            record.push(b"mother".to_vec());
        }
        writer.write_record(&record).unwrap();
    }
    let latin1 = writer.into_inner().unwrap();
    let input: Vec<u8> = match mode.encoding {
        Encoding::Windows1252 => latin1,
        _ => latin1
            .iter()
            .flat_map(|&b| {
                let mut buf = [0u8; 4];
                char::from(b).encode_utf8(&mut buf).as_bytes().to_vec()
            })
            .collect(),
    };
    let options = BatchOptions {
        values: mode.values,
        missing_codes: vec!["NA".to_owned()],
        delimiter: None,
        encoding: mode.encoding,
        keep: vec!["id".to_owned()],
        ..BatchOptions::default()
    };
    let mut sink = JsonlSink::new(Vec::new(), false);
    if mode.rules {
        sink = sink.with_care(Care::new(no_default(), DataValues::new(), Lang::En));
    }
    let summary = score_stream(&input[..], &[instrument], &options, &mut sink)
        .unwrap_or_else(|err| panic!("a well-formed export is refused ({mode:?}): {err}"));
    let out = sink.into_inner().unwrap();
    let lines: Vec<serde_json::Value> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(summary.rows as usize, rows.len(), "{mode:?}");
    assert_eq!(lines.len(), rows.len(), "rows out = records in ({mode:?})");
    assert_eq!(
        summary.ok + summary.incomplete + summary.invalid,
        summary.rows
    );
    let q10 = instrument.item_index("q10").unwrap();
    for (n, (cells, line)) in rows.iter().zip(&lines).enumerate() {
        assert_eq!(line["row"], n + 1);
        assert_eq!(line["keep"]["id"], format!("r{n}"));
        let endorsed = match cells[q10] {
            Cell::Option(k) => {
                instrument.items[q10].options[k.min(instrument.items[q10].options.len() - 1)].points
                    >= 1
            }
            _ => false,
        };
        if endorsed {
            let flags = &line["results"]["epds"]["flags"];
            assert!(
                flags
                    .as_array()
                    .is_some_and(|f| f.iter().any(|f| f == "self_harm")),
                "row {n}: item 10 endorsed but no flag ({mode:?}): {line}"
            );
            if mode.rules {
                assert_eq!(
                    line["care"]["urgent"], true,
                    "row {n}: endorsed item 10 not urgent ({mode:?}): {line}"
                );
            }
        }
    }
}

/// Any bytes after an EPDS header: scored or refused with an error, never a
/// panic; when scored, one output row per row counted.
pub fn batch_raw(data: &[u8]) {
    let mut bytes = Bytes::new(data);
    let head = bytes.byte();
    let mut input = b"id;EPDS1;EPDS2;EPDS3;EPDS4;EPDS5;EPDS6;EPDS7;EPDS8;EPDS9;EPDS10\n".to_vec();
    input.extend_from_slice(bytes.rest());
    let options = BatchOptions {
        values: [ValueKind::Points, ValueKind::Position, ValueKind::Label][usize::from(head % 3)],
        encoding: if head & 4 == 0 {
            Encoding::Utf8
        } else {
            Encoding::Windows1252
        },
        keep: vec!["id".to_owned()],
        ..BatchOptions::default()
    };
    let mut sink = JsonlSink::new(Vec::new(), false);
    // The hints watch the rows on their way, as `score` has them.
    let mut hints = stepcare::batch::hints::Hints::new(&options);
    let scored = score_stream(&input[..], &[epds()], &options, &mut hints.watch(&mut sink));
    if let Ok(summary) = scored {
        let out = sink.into_inner().unwrap();
        let lines = out.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(lines as u64, summary.rows);
        assert_eq!(
            summary.ok + summary.incomplete + summary.invalid,
            summary.rows
        );
        let text = String::from_utf8_lossy(&input);
        for hint in hints.finish(&[epds()]) {
            assert_for_people(&hint, &text);
            // A suggested "not answered" code is never an answer in any value mode.
            if let Some((_, options)) = hint.split_once("--na ") {
                let code = options.split_whitespace().next().unwrap_or("");
                for kind in [ValueKind::Points, ValueKind::Position, ValueKind::Label] {
                    for item in &epds().items {
                        let reader = stepcare::batch::CellReader::new(item, kind, &[]);
                        assert!(
                            !matches!(
                                reader.read(code.as_bytes(), &[]),
                                stepcare::scoring::Answer::Chosen(_)
                            ),
                            "--na {code} is an answer to {}: {hint}",
                            item.id
                        );
                    }
                }
            }
        }
        let critical = hints.unanswered_critical(&[epds()]);
        assert!(
            critical
                .iter()
                .all(|(_, rows)| *rows <= summary.unanswered_critical)
        );
    }
}

/// Any bytes as a cutoffs input: read or refused, never a panic; every row
/// read is analysed or excluded, once.
pub fn cutoffs_input(data: &[u8]) {
    let mut spec = InputSpec {
        score: ScoreSource::Column("epds_total".to_owned()),
        reference: "interview".to_owned(),
        positive: "depressed".to_owned(),
        by: None,
        compare: None,
    };
    if let Ok(dataset) = read_dataset(data, &mut spec) {
        let overall = &dataset.overall;
        assert_eq!(overall.rows, dataset.rows);
        let analysed = overall.counts.n_cases() + overall.counts.n_controls();
        assert_eq!(analysed + overall.excluded.total(), overall.rows);
        let values = overall.counts.values();
        assert!(
            values.windows(2).all(|w| w[0] < w[1]),
            "values sorted, distinct"
        );
        assert!(values.iter().all(|v| v.is_finite()));
    }
}

/// A visit driven by the bytes as a person at the terminal would (an
/// option, back, skip, a jump from the review): answering EPDS item 10 with
/// an endorsing option raises the urgent flag at once, and the flags at the
/// end are those of the answers.
pub fn visit_session(data: &[u8]) {
    let instrument = epds();
    let mut bytes = Bytes::new(data);
    let mut session = VisitSession::new(&[instrument]).expect("epds has items");
    let q10 = instrument.item_index("q10").unwrap();
    let self_harm = instrument.flag_index("self_harm").unwrap();
    let mut steps = 0;
    while !bytes.done() && steps < 200 {
        steps += 1;
        let b = bytes.byte();
        match (b % 8, session.position()) {
            (0..=4, Position::Question(index)) => {
                let question = session.question(index);
                let options = question.item.options.len();
                let option = usize::from(b >> 3) % (options + 1);
                let before = session.raised_flags();
                match session.answer(option) {
                    Ok(events) => {
                        let endorsed = question.item_index == q10
                            && instrument.items[q10].options[option].points >= 1;
                        let raised = events.iter().any(
                            |e| matches!(e, Event::FlagRaised { flag, .. } if *flag == self_harm),
                        );
                        if endorsed && !before.contains(&(0, self_harm)) {
                            assert!(raised, "item 10 endorsed without a flag event");
                        }
                        if !endorsed {
                            assert!(!raised);
                        }
                    }
                    Err(_) => assert!(option >= options, "a valid option refused"),
                }
            }
            (5, _) => {
                let _ = session.back();
            }
            (6, _) => {
                let _ = session.skip();
            }
            (7, Position::Review) => {
                let _ = session.jump(usize::from(b >> 3) % (session.question_count() + 1));
            }
            _ => {
                let _ = session.finish();
            }
        }
        let scores = session.scores();
        let endorsed = matches!(
            session.answers()[0][q10],
            Answer::Chosen(k) if instrument.items[q10].options[usize::from(k)].points >= 1
        );
        assert_eq!(scores[0].flags.contains(&self_harm), endorsed);
        assert_eq!(session.raised_flags().contains(&(0, self_harm)), endorsed);
    }
}
