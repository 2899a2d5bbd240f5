//! FHIR QuestionnaireResponses read as rows for the batch scorer.
//!
//! A response becomes one CSV record with a column per item (`phq9.q1`),
//! holding the answer's points, so row accounting, statuses, flags, stored
//! totals, rule tables and every output format are the batch scorer's own.
//! Answers are matched by linkId: an item's own `link_id`, its LOINC code
//! (`44250-9` or `/44250-9`), a Questionnaire's item codes, or `--map`. An
//! answer that is not an option becomes a cell naming the linkId and the
//! value, which the scorer reports as invalid; a record that is not a
//! response gets a reason in [`ISSUE_COLUMN`].

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Read};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::fhir::{MAX_RESOURCE_BYTES, Resources, short};
use crate::instrument::{Instrument, fmt_score};

/// The column that carries a record-level problem to the batch scorer.
pub const ISSUE_COLUMN: &str = "fhir.problem";

/// The response fields `--keep` can name.
pub const KEEP_FIELDS: [&str; 5] = ["id", "subject", "authored", "questionnaire", "status"];

/// What an answer with a linkId feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// An item: (instrument slot, item index).
    Item(usize, usize),
    /// A stored value of a scale: (instrument slot, scale index).
    Stored(usize, usize),
}

/// How linkIds map to items and scales.
#[derive(Debug, Default)]
struct Matcher {
    by_link: HashMap<String, Vec<Target>>,
    /// Canonical URLs the responses are expected to answer (empty: not checked).
    canonicals: Vec<String>,
}

impl Matcher {
    /// The targets of a linkId; a path-like linkId (`/44249-1/44250-9`) also
    /// matches by its last part when that is a LOINC-style code.
    fn lookup(&self, link_id: &str) -> Option<&Vec<Target>> {
        self.by_link.get(link_id).or_else(|| {
            let last = link_id.rsplit('/').next()?;
            let loinc_like = last.len() > 2
                && last.as_bytes()[last.len() - 2] == b'-'
                && last.bytes().all(|b| b.is_ascii_digit() || b == b'-');
            (last != link_id && loinc_like)
                .then(|| self.by_link.get(last))
                .flatten()
        })
    }

    fn add(&mut self, link_id: &str, target: Target) {
        let targets = self.by_link.entry(link_id.to_owned()).or_default();
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
}

/// What happened while reading responses, for the end of the run.
#[derive(Debug, Default)]
pub struct Report {
    /// linkIds with answers that match nothing, in the order first seen, with a count.
    pub unmatched: Vec<(String, u64)>,
    /// Responses (row number, their `questionnaire`) that answer another Questionnaire.
    pub other_questionnaire: Vec<(u64, String)>,
    /// Responses read.
    pub responses: u64,
    /// The expected canonical(s), for the warning.
    pub expected: Vec<String>,
}

impl Report {
    /// Lines for standard error: unmatched linkIds (once each) and Questionnaire mismatches.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.unmatched.is_empty() {
            let list: Vec<String> = self
                .unmatched
                .iter()
                .map(|(link, n)| format!("`{link}` ({n} response(s))"))
                .collect();
            lines.push(format!(
                "linkIds that match no item of the chosen instruments (ignored; name them with --map): {}",
                list.join(", ")
            ));
        }
        if !self.other_questionnaire.is_empty() {
            let rows: Vec<String> = self
                .other_questionnaire
                .iter()
                .take(10)
                .map(|(row, q)| format!("row {row} (`{q}`)"))
                .collect();
            lines.push(format!(
                "WARNING: {} response(s) answer another Questionnaire than {}: {}{}",
                self.other_questionnaire.len(),
                self.expected
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                rows.join(", "),
                if self.other_questionnaire.len() > 10 {
                    ", ..."
                } else {
                    ""
                }
            ));
        }
        lines
    }
}

/// Why FHIR input cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ResponseError {
    /// Not FHIR, or a `--map` that names nothing.
    #[error("{0}")]
    Input(String),
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The input after detection: CSV as it was, or FHIR responses read as CSV.
pub struct Opened {
    /// What the batch scorer reads.
    pub reader: Box<dyn Read + Send>,
    /// For FHIR input, the account of the run (filled while reading).
    pub report: Option<Arc<Mutex<Report>>>,
}

/// Whether the start of an input is JSON (FHIR) rather than CSV.
fn is_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    matches!(
        head.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Opens `input`: CSV passes through; FHIR JSON, a Bundle or NDJSON becomes CSV rows.
///
/// For FHIR input `options` is adjusted: points, `,`, the issue column, and
/// the `--map` entries are used here (linkIds), not as CSV headers. Each of
/// `extra` that is not already a column name becomes a column named by that
/// linkId, holding its answer as plain text (a coding's code, a boolean,
/// a number, a string), so that `cutoffs` can read a reference standard
/// recorded in the response.
pub fn open(
    input: Box<dyn Read + Send>,
    instruments: &[&Instrument],
    options: &mut crate::batch::BatchOptions,
    questionnaire: Option<&Value>,
    extra: &[String],
) -> Result<Opened, ResponseError> {
    let mut buffered = BufReader::with_capacity(1 << 16, input);
    let head = buffered.fill_buf()?;
    if !is_json(head) {
        if questionnaire.is_some() {
            return Err(ResponseError::Input(
                "--questionnaire matches FHIR responses, but the input is not FHIR JSON".to_owned(),
            ));
        }
        return Ok(Opened {
            reader: Box::new(buffered),
            report: None,
        });
    }
    let matcher = build_matcher(instruments, &options.map, questionnaire)?;
    let source = Source::detect(buffered)?;
    let report = Arc::new(Mutex::new(Report {
        expected: matcher.canonicals.clone(),
        ..Report::default()
    }));
    let columns = Columns::new(instruments, &matcher, &options.map, extra);
    options.delimiter = Some(b',');
    options.values = crate::instrument::ValueKind::Points;
    options.issue_column = Some(ISSUE_COLUMN.to_owned());
    // The map's linkIds were used above; stored-value columns are named `<instrument>.<scale>.stored`.
    options.map.clear();
    let reader = ResponseReader {
        source,
        matcher,
        columns,
        instruments: instruments.iter().map(|i| InstrumentCodes::of(i)).collect(),
        buffer: Vec::new(),
        position: 0,
        header_written: false,
        report: Arc::clone(&report),
        row: 0,
    };
    Ok(Opened {
        reader: Box::new(reader),
        report: Some(report),
    })
}

/// The linkId table from item link_ids, LOINC codes, a Questionnaire and the map.
fn build_matcher(
    instruments: &[&Instrument],
    map: &BTreeMap<String, String>,
    questionnaire: Option<&Value>,
) -> Result<Matcher, ResponseError> {
    let mut matcher = Matcher::default();
    for (slot, instrument) in instruments.iter().enumerate() {
        for (index, item) in instrument.items.iter().enumerate() {
            if let Some(link_id) = &item.link_id {
                matcher.add(link_id, Target::Item(slot, index));
            }
            if let Some(code) = item.codes.get("loinc") {
                matcher.add(code, Target::Item(slot, index));
                matcher.add(&format!("/{code}"), Target::Item(slot, index));
            }
        }
        for (index, scale) in instrument.scales.iter().enumerate() {
            for name in &scale.stored {
                matcher.add(name, Target::Stored(slot, index));
            }
            if let Some(code) = scale.codes.get("loinc") {
                matcher.add(code, Target::Stored(slot, index));
                matcher.add(&format!("/{code}"), Target::Stored(slot, index));
            }
        }
        if let Some(canonical) = instrument.codes.get("fhir") {
            matcher.canonicals.push(canonical.clone());
        }
    }
    if let Some(root) = questionnaire {
        let resources = Resources::of(root);
        let found = resources.of_type("Questionnaire");
        let Some(q) = found.first() else {
            return Err(ResponseError::Input(
                "--questionnaire: the file holds no FHIR Questionnaire".to_owned(),
            ));
        };
        if let Some(url) = q.get("url").and_then(Value::as_str) {
            matcher.canonicals = vec![url.to_owned()];
        }
        let mut stack: Vec<&Value> = q
            .get("item")
            .and_then(Value::as_array)
            .map(|items| items.iter().collect())
            .unwrap_or_default();
        while let Some(item) = stack.pop() {
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                stack.extend(children);
            }
            let Some(link_id) = item.get("linkId").and_then(Value::as_str) else {
                continue;
            };
            let codes: Vec<&str> = item
                .get("code")
                .and_then(Value::as_array)
                .map(|codes| {
                    codes
                        .iter()
                        .filter_map(|c| c.get("code").and_then(Value::as_str))
                        .collect()
                })
                .unwrap_or_default();
            for (slot, instrument) in instruments.iter().enumerate() {
                for (index, it) in instrument.items.iter().enumerate() {
                    if it.codes.values().any(|c| codes.contains(&c.as_str())) {
                        matcher.add(link_id, Target::Item(slot, index));
                    }
                }
                for (index, scale) in instrument.scales.iter().enumerate() {
                    if scale.codes.values().any(|c| codes.contains(&c.as_str())) {
                        matcher.add(link_id, Target::Stored(slot, index));
                    }
                }
            }
        }
    }
    for (link_id, target) in map {
        let Some((inst_id, name)) = target.split_once('.') else {
            return Err(ResponseError::Input(format!(
                "column map: `{target}` (for linkId `{link_id}`) is not of the form instrument.item or instrument.scale"
            )));
        };
        let Some(slot) = instruments.iter().position(|i| i.id == inst_id) else {
            continue;
        };
        let instrument = instruments[slot];
        if let Some(index) = instrument.item_index(name) {
            matcher
                .by_link
                .insert(link_id.clone(), vec![Target::Item(slot, index)]);
        } else if let Some(index) = instrument.scale_index(name) {
            matcher
                .by_link
                .insert(link_id.clone(), vec![Target::Stored(slot, index)]);
        } else {
            return Err(ResponseError::Input(format!(
                "column map: instrument `{inst_id}` has no item or scale `{name}` (for linkId `{link_id}`)"
            )));
        }
    }
    Ok(matcher)
}

/// The columns of the generated CSV.
struct Columns {
    header: Vec<String>,
    /// Per instrument, the first item column.
    item_start: Vec<usize>,
    /// Per (slot, scale) with a stored column, its index.
    stored: HashMap<(usize, usize), usize>,
    /// linkIds whose answers are copied as plain text, with their column.
    extra: HashMap<String, usize>,
    issue: usize,
}

impl Columns {
    fn new(
        instruments: &[&Instrument],
        matcher: &Matcher,
        map: &BTreeMap<String, String>,
        extra: &[String],
    ) -> Columns {
        let mut header: Vec<String> = KEEP_FIELDS.iter().map(|f| (*f).to_owned()).collect();
        let mut item_start = Vec::new();
        for instrument in instruments {
            item_start.push(header.len());
            for item in &instrument.items {
                header.push(format!("{}.{}", instrument.id, item.id));
            }
        }
        let mut stored = HashMap::new();
        for (slot, instrument) in instruments.iter().enumerate() {
            for (index, scale) in instrument.scales.iter().enumerate() {
                let target = Target::Stored(slot, index);
                let mapped = map
                    .values()
                    .any(|t| *t == format!("{}.{}", instrument.id, scale.id));
                if mapped || matcher.by_link.values().any(|t| t.contains(&target)) {
                    stored.insert((slot, index), header.len());
                    header.push(format!("{}.{}.stored", instrument.id, scale.id));
                }
            }
        }
        let mut extra_columns = HashMap::new();
        for link_id in extra {
            if !header.contains(link_id) && link_id != ISSUE_COLUMN {
                extra_columns.insert(link_id.clone(), header.len());
                header.push(link_id.clone());
            }
        }
        let issue = header.len();
        header.push(ISSUE_COLUMN.to_owned());
        Columns {
            header,
            item_start,
            stored,
            extra: extra_columns,
            issue,
        }
    }
}

/// An option's code, code system and points.
type CodedOption = (Option<String>, Option<String>, i32);

/// Per item, its options' (code, system, points), for matching codings.
struct InstrumentCodes {
    items: Vec<Vec<CodedOption>>,
}

impl InstrumentCodes {
    fn of(instrument: &Instrument) -> InstrumentCodes {
        InstrumentCodes {
            items: instrument
                .items
                .iter()
                .map(|item| {
                    item.options
                        .iter()
                        .map(|o| (o.code.clone(), o.system.clone(), o.points))
                        .collect()
                })
                .collect(),
        }
    }
}

/// Where the resources come from.
enum Source {
    /// Resources already in memory: (location, resource).
    Many(VecDeque<(String, Result<Value, String>)>),
    /// NDJSON, one resource per line, read as needed.
    Lines {
        reader: Box<dyn BufRead + Send>,
        line: u64,
        first: Option<(String, Result<Value, String>)>,
    },
}

/// Reads one line of at most [`MAX_RESOURCE_BYTES`]; `Ok(None)` at the end.
fn read_line(reader: &mut dyn BufRead, out: &mut Vec<u8>) -> io::Result<Option<bool>> {
    out.clear();
    let n = reader.take(MAX_RESOURCE_BYTES + 1).read_until(b'\n', out)?;
    if n == 0 {
        return Ok(None);
    }
    if out.len() as u64 > MAX_RESOURCE_BYTES && !out.ends_with(b"\n") {
        // Skip the rest of an overlong line.
        let mut sink = Vec::new();
        loop {
            sink.clear();
            let n = reader.take(1 << 20).read_until(b'\n', &mut sink)?;
            if n == 0 || sink.ends_with(b"\n") {
                break;
            }
        }
        return Ok(Some(false));
    }
    Ok(Some(true))
}

fn parse_located(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes.trim_ascii_end()).map_err(|e| {
        let text = e.to_string();
        let what = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(w, _)| w);
        format!("not JSON at column {}: {what}", e.column())
    })
}

impl Source {
    /// Tells NDJSON from one (possibly pretty-printed) resource or Bundle.
    fn detect(mut reader: BufReader<Box<dyn Read + Send>>) -> Result<Source, ResponseError> {
        let mut first = Vec::new();
        // Skip blank lines and a byte-order mark before the first resource.
        let mut line = 0u64;
        loop {
            match read_line(&mut reader, &mut first)? {
                None => {
                    return Err(ResponseError::Input(
                        "the input is empty: expected FHIR JSON".to_owned(),
                    ));
                }
                Some(complete) => {
                    line += 1;
                    let text = first.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&first);
                    if !text.iter().all(u8::is_ascii_whitespace) || !complete {
                        let text = text.to_vec();
                        first = text;
                        break;
                    }
                }
            }
        }
        if first.first().is_some_and(|b| *b == b'[')
            || first.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
        {
            return Err(ResponseError::Input(
                "the input is a JSON array, not FHIR: expected a QuestionnaireResponse, a Bundle of them, or NDJSON (one resource per line)".to_owned(),
            ));
        }
        if let Ok(value) = serde_json::from_slice::<Value>(&first) {
            // A whole resource on the first line: NDJSON, or a one-line file.
            return Ok(Source::Lines {
                reader: Box::new(reader),
                line,
                first: Some((format!("line {line}"), Ok(value))),
            }
            .expand_single_bundle());
        }
        // A resource over several lines: read it whole, within the bound.
        let mut rest = first;
        reader
            .take(MAX_RESOURCE_BYTES + 1 - rest.len() as u64)
            .read_to_end(&mut rest)?;
        if rest.len() as u64 > MAX_RESOURCE_BYTES {
            return Err(ResponseError::Input(format!(
                "the input is one JSON document larger than {} MiB; give large sets of responses as NDJSON (one per line), which is read as a stream",
                MAX_RESOURCE_BYTES >> 20
            )));
        }
        let value: Value = serde_json::from_slice(&rest).map_err(|e| {
            ResponseError::Input(format!(
                "the input is not JSON (line {}, column {}: {e}); expected a QuestionnaireResponse, a Bundle of them, or NDJSON",
                e.line() as u64 + line - 1,
                e.column()
            ))
        })?;
        Source::single(value)
    }

    /// A single document: its Bundle entries, or itself.
    fn single(value: Value) -> Result<Source, ResponseError> {
        if value.get("resourceType").is_none() {
            return Err(ResponseError::Input(
                "the input is JSON but not FHIR (no `resourceType`): expected a QuestionnaireResponse, a Bundle of them, or NDJSON".to_owned(),
            ));
        }
        let mut queue = VecDeque::new();
        if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
            let entries = value
                .get("entry")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (n, entry) in entries.into_iter().enumerate() {
                let location = format!("Bundle entry {}", n + 1);
                match entry.get("resource") {
                    Some(resource) => queue.push_back((location, Ok(resource.clone()))),
                    None => {
                        queue.push_back((location, Err("an entry without a resource".to_owned())))
                    }
                }
            }
        } else {
            queue.push_back(("the input".to_owned(), Ok(value)));
        }
        Ok(Source::Many(queue))
    }

    /// A one-line file holding a Bundle is read as the Bundle's entries.
    fn expand_single_bundle(self) -> Source {
        match self {
            Source::Lines {
                mut reader,
                line,
                first: Some((location, Ok(value))),
            } if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") => {
                let only = reader
                    .fill_buf()
                    .map(|rest| rest.iter().all(u8::is_ascii_whitespace));
                if only.unwrap_or(false) {
                    Source::single(value).unwrap_or(Source::Many(VecDeque::new()))
                } else {
                    Source::Lines {
                        reader,
                        line,
                        first: Some((location, Ok(value))),
                    }
                }
            }
            other => other,
        }
    }

    fn next(&mut self) -> io::Result<Option<(String, Result<Value, String>)>> {
        match self {
            Source::Many(queue) => Ok(queue.pop_front()),
            Source::Lines {
                reader,
                line,
                first,
            } => {
                if let Some(found) = first.take() {
                    return Ok(Some(found));
                }
                let mut bytes = Vec::new();
                loop {
                    let Some(complete) = read_line(reader.as_mut(), &mut bytes)? else {
                        return Ok(None);
                    };
                    *line += 1;
                    let location = format!("line {line}");
                    if !complete {
                        return Ok(Some((
                            location,
                            Err(format!(
                                "a line longer than {} MiB (not read)",
                                MAX_RESOURCE_BYTES >> 20
                            )),
                        )));
                    }
                    if bytes.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Ok(Some((location, parse_located(&bytes))));
                }
            }
        }
    }
}

/// Produces the CSV text of the responses, one record at a time.
struct ResponseReader {
    source: Source,
    matcher: Matcher,
    columns: Columns,
    instruments: Vec<InstrumentCodes>,
    buffer: Vec<u8>,
    position: usize,
    header_written: bool,
    report: Arc<Mutex<Report>>,
    row: u64,
}

impl Read for ResponseReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.position == self.buffer.len() {
            self.buffer.clear();
            self.position = 0;
            if !self.header_written {
                self.header_written = true;
                let header = self.columns.header.clone();
                self.write_record(&header)?;
                continue;
            }
            match self.source.next()? {
                None => return Ok(0),
                Some((location, resource)) => {
                    self.row += 1;
                    let cells = self.cells(&location, resource);
                    self.write_record(&cells)?;
                }
            }
        }
        let n = out.len().min(self.buffer.len() - self.position);
        out[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
        self.position += n;
        Ok(n)
    }
}

/// The text of an answer value for messages: `valueString "x"`.
fn describe_value(answer: &Value) -> String {
    answer
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.starts_with("value")))
        .map_or_else(
            || format!("an answer without a value ({})", short(answer)),
            |(k, v)| format!("{k} {}", short(v)),
        )
}

/// An answer as plain text, for a column that is not an item: a coding's
/// code, `true`/`false`, a number, or a string.
fn plain_value(answer: &Value) -> String {
    if let Some(coding) = answer.get("valueCoding") {
        return coding
            .get("code")
            .or_else(|| coding.get("display"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
    }
    if let Some(b) = answer.get("valueBoolean").and_then(Value::as_bool) {
        return b.to_string();
    }
    for key in ["valueInteger", "valueDecimal"] {
        if let Some(n) = answer.get(key).and_then(Value::as_f64) {
            return fmt_score(n);
        }
    }
    if let Some(n) = answer
        .get("valueQuantity")
        .and_then(|q| q.get("value"))
        .and_then(Value::as_f64)
    {
        return fmt_score(n);
    }
    answer
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| k.starts_with("value")))
        .and_then(|(_, v)| v.as_str())
        .unwrap_or("")
        .to_owned()
}

/// A number from a stored total's answer: valueDecimal, valueInteger, valueQuantity.value or a number in a string.
fn stored_number(answer: &Value) -> String {
    for key in ["valueDecimal", "valueInteger"] {
        if let Some(n) = answer.get(key).and_then(Value::as_f64) {
            return fmt_score(n);
        }
    }
    if let Some(n) = answer
        .get("valueQuantity")
        .and_then(|q| q.get("value"))
        .and_then(Value::as_f64)
    {
        return fmt_score(n);
    }
    if let Some(s) = answer.get("valueString").and_then(Value::as_str) {
        return s.to_owned();
    }
    describe_value(answer)
}

impl ResponseReader {
    fn write_record(&mut self, cells: &[String]) -> io::Result<()> {
        let mut writer = csv::WriterBuilder::new().from_writer(&mut self.buffer);
        // One response, one line: line N + 1 of the generated CSV is response N.
        let cells = cells.iter().map(|c| {
            if c.contains(['\n', '\r']) {
                std::borrow::Cow::Owned(c.replace(['\n', '\r'], " ").into_bytes())
            } else {
                std::borrow::Cow::Borrowed(c.as_bytes())
            }
        });
        writer.write_record(cells).map_err(io::Error::other)?;
        writer.flush()?;
        Ok(())
    }

    /// The cells of one response (or of a record that is not one, with the reason).
    fn cells(&mut self, location: &str, resource: Result<Value, String>) -> Vec<String> {
        let mut cells = vec![String::new(); self.columns.header.len()];
        let issue = self.columns.issue;
        let resource = match resource {
            Ok(resource) => resource,
            Err(problem) => {
                cells[issue] = format!("{location}: {problem}");
                return cells;
            }
        };
        let kind = resource.get("resourceType").and_then(Value::as_str);
        if kind != Some("QuestionnaireResponse") {
            cells[issue] = match kind {
                Some(kind) => format!("{location}: a FHIR {kind}, not a QuestionnaireResponse"),
                None => format!("{location}: JSON that is not FHIR (no `resourceType`)"),
            };
            if let Some(id) = resource.get("id").and_then(Value::as_str) {
                cells[0] = id.to_owned();
            }
            return cells;
        }
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
        cells[0] = text(resource.get("id"));
        cells[1] = resource
            .get("subject")
            .map(|s| {
                s.get("reference")
                    .or_else(|| s.get("identifier").and_then(|i| i.get("value")))
                    .or_else(|| s.get("display"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            })
            .unwrap_or_default();
        cells[2] = text(resource.get("authored"));
        cells[3] = text(resource.get("questionnaire"));
        cells[4] = text(resource.get("status"));
        let mut problems = Vec::new();
        if cells[4] == "entered-in-error" {
            problems.push("the response is marked entered-in-error".to_owned());
        }
        {
            let mut report = self.report.lock().unwrap_or_else(|e| e.into_inner());
            report.responses += 1;
            let canonical = cells[3].split('|').next().unwrap_or("");
            if !self.matcher.canonicals.is_empty()
                && !canonical.is_empty()
                && !canonical.starts_with('#')
                && !self.matcher.canonicals.iter().any(|c| {
                    c == canonical
                        || canonical.ends_with(&format!(
                            "Questionnaire/{}",
                            c.rsplit('/').next().unwrap_or(c)
                        ))
                })
            {
                report
                    .other_questionnaire
                    .push((self.row, cells[3].clone()));
            }
        }
        let mut seen: Vec<Target> = Vec::new();
        let mut unmatched: Vec<String> = Vec::new();
        let items = resource
            .get("item")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut stack: Vec<Value> = items.into_iter().rev().collect();
        while let Some(item) = stack.pop() {
            let link_id = item
                .get("linkId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let answers = item
                .get("answer")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let children = item
                .get("item")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            // Children first, in order: nested answers keep the printed order.
            let mut nested: Vec<Value> = children.clone();
            for answer in &answers {
                if let Some(inner) = answer.get("item").and_then(Value::as_array) {
                    nested.extend(inner.iter().cloned());
                }
            }
            stack.extend(nested.into_iter().rev());
            if link_id.is_empty() {
                problems.push("an item without a linkId".to_owned());
                continue;
            }
            if let Some(&column) = self.columns.extra.get(&link_id) {
                let texts: Vec<String> = answers.iter().map(plain_value).collect();
                cells[column] = texts.join(" | ");
                if self.matcher.lookup(&link_id).is_none() {
                    continue;
                }
            }
            let targets = self.matcher.lookup(&link_id).cloned();
            if !children.is_empty() && !answers.is_empty() {
                problems.push(format!(
                    "linkId `{link_id}` is a group (it has items) but also has answers"
                ));
                continue;
            }
            let Some(targets) = targets else {
                if !answers.is_empty() && !unmatched.contains(&link_id) {
                    unmatched.push(link_id);
                }
                continue;
            };
            for target in targets {
                if seen.contains(&target) {
                    problems.push(format!("linkId `{link_id}` appears twice in the response"));
                    // Which answer holds is unknown: the item is not scored from either.
                    if let Target::Item(slot, index) = target {
                        cells[self.columns.item_start[slot] + index] =
                            format!("linkId {link_id}: answered twice in one response");
                    }
                    continue;
                }
                seen.push(target);
                let (column, cell) = match target {
                    Target::Item(slot, index) => {
                        let column = self.columns.item_start[slot] + index;
                        let cell = match answers.as_slice() {
                            [] => String::new(),
                            [answer] => self.answer_cell(slot, index, &link_id, answer),
                            many => {
                                format!("linkId {link_id}: {} answers to one question", many.len())
                            }
                        };
                        (column, cell)
                    }
                    Target::Stored(slot, index) => {
                        let Some(&column) = self.columns.stored.get(&(slot, index)) else {
                            continue;
                        };
                        let cell = answers.first().map(stored_number).unwrap_or_default();
                        (column, cell)
                    }
                };
                cells[column] = cell;
            }
        }
        if !unmatched.is_empty() {
            let mut report = self.report.lock().unwrap_or_else(|e| e.into_inner());
            for link_id in unmatched {
                match report.unmatched.iter_mut().find(|(l, _)| *l == link_id) {
                    Some((_, n)) => *n += 1,
                    None => report.unmatched.push((link_id, 1)),
                }
            }
        }
        if !problems.is_empty() {
            cells[issue] = format!("{location}: {}", problems.join("; "));
        }
        cells
    }

    /// One answer as a points cell, or a cell naming the linkId and value when it is no option.
    fn answer_cell(&self, slot: usize, item: usize, link_id: &str, answer: &Value) -> String {
        let options = &self.instruments[slot].items[item];
        if let Some(coding) = answer.get("valueCoding") {
            let code = coding.get("code").and_then(Value::as_str);
            let system = coding.get("system").and_then(Value::as_str);
            let found = options.iter().find(|(c, s, _)| {
                c.as_deref().is_some()
                    && c.as_deref() == code
                    && match (s.as_deref(), system) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            });
            return match found {
                Some((_, _, points)) => points.to_string(),
                None => format!(
                    "linkId {link_id}: valueCoding {}{}",
                    system.map(|s| format!("{s}|")).unwrap_or_default(),
                    code.unwrap_or("(no code)")
                ),
            };
        }
        let number = answer
            .get("valueInteger")
            .and_then(Value::as_f64)
            .or_else(|| answer.get("valueDecimal").and_then(Value::as_f64));
        if let Some(n) = number
            && n.fract() == 0.0
            && options.iter().any(|(_, _, p)| f64::from(*p) == n)
        {
            return fmt_score(n);
        }
        format!("linkId {link_id}: {}", describe_value(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_like_link_ids_match_by_their_loinc_part() {
        let mut matcher = Matcher::default();
        matcher.add("44250-9", Target::Item(0, 0));
        assert_eq!(
            matcher.lookup("/44249-1/44250-9"),
            Some(&vec![Target::Item(0, 0)])
        );
        assert_eq!(matcher.lookup("/44250-9"), Some(&vec![Target::Item(0, 0)]));
        assert_eq!(matcher.lookup("group/q1"), None);
    }

    #[test]
    fn json_is_told_from_csv() {
        assert!(is_json(b"  {\"resourceType\""));
        assert!(is_json(b"\xef\xbb\xbf\n{"));
        assert!(!is_json(b"id;q1\n"));
    }
}
