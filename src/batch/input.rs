//! Opening an export: delimiter detection and text encoding.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The text encoding of an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (a byte-order mark is accepted).
    #[default]
    Utf8,
    /// Windows-1252, as older Nordic Excel versions save CSV (a superset of Latin-1).
    Windows1252,
}

/// Chooses among `,`, `;` and tab by counting them, outside quotes, in the header line.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &byte in &head[..line_end] {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// Where the first byte that is not UTF-8 is, as (1-based line, byte offset), if any.
///
/// Only the start of the file is checked up front; the batch scorer checks
/// every text cell it reads as well.
pub fn first_invalid_utf8(head: &[u8], complete: bool) -> Option<(usize, usize)> {
    match std::str::from_utf8(head) {
        Ok(_) => None,
        // A character cut off at the end of the peeked window is not an error.
        Err(err) if err.error_len().is_none() && !complete => None,
        Err(err) => {
            let offset = err.valid_up_to();
            let line = head[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
            Some((line, offset))
        }
    }
}

/// A buffered input whose first 64 KiB can be inspected before parsing.
pub fn peekable<R: Read>(reader: R) -> BufReader<R> {
    BufReader::with_capacity(1 << 16, reader)
}

/// Peeks at up to the buffer's capacity without consuming it.
pub fn peek<R: Read>(reader: &mut BufReader<R>) -> io::Result<(&[u8], bool)> {
    // fill_buf returns what one read gave; keep reading until the buffer holds
    // a full line or the input ends, so the header is seen whole.
    let buffer = reader.fill_buf()?;
    let complete = buffer.len() < reader.capacity();
    Ok((reader.buffer(), complete))
}

/// What [`QuoteTracker`] has seen of the input's structure.
#[derive(Debug, Default)]
pub struct Structure {
    /// Line where a quoted field opened that is still open (0: none).
    open_quote_line: AtomicU64,
    /// Empty lines, which the CSV parser skips.
    blank_lines: AtomicU64,
}

impl Structure {
    /// The line where a quoted field opens and is never closed, if any
    /// (meaningful once the input has been read to its end).
    pub fn unterminated_quote(&self) -> Option<u64> {
        match self.open_quote_line.load(Ordering::Relaxed) {
            0 => None,
            line => Some(line),
        }
    }

    /// Empty lines seen so far.
    pub fn blank_lines(&self) -> u64 {
        self.blank_lines.load(Ordering::Relaxed)
    }
}

/// Where a [`QuoteTracker`] is in the CSV grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the end of the field or the first of `""`.
    QuoteInQuoted,
}

/// Passes bytes through unchanged while following the CSV grammar the way
/// the `csv` parser reads it (double quotes, `""` inside them, any of CR,
/// LF and CRLF ending a record), to report what that parser forgives in
/// silence: a quoted field left open at the end of the input, which would
/// swallow every later line into one cell, and empty lines, which it skips.
pub struct QuoteTracker<R> {
    inner: R,
    delimiter: u8,
    state: State,
    after_cr: bool,
    line: u64,
    open_line: u64,
    blank: u64,
    line_bytes: usize,
    structure: Arc<Structure>,
}

/// The longest line read from an export.
pub const MAX_LINE_BYTES: usize = 16 << 20;

impl<R: Read> QuoteTracker<R> {
    /// Follows `inner`, a CSV text with `delimiter`, reporting into `structure`.
    pub fn new(inner: R, delimiter: u8, structure: Arc<Structure>) -> Self {
        QuoteTracker {
            inner,
            delimiter,
            state: State::RecordStart,
            after_cr: false,
            line: 1,
            open_line: 0,
            blank: 0,
            line_bytes: 0,
            structure,
        }
    }

    fn follow(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.check_line_lengths(bytes)?;
        // Outside a quoted field and without a quote in sight, only the line
        // ends matter, and those are found many bytes at a time; otherwise
        // every byte goes through the grammar.
        let quoted = matches!(self.state, State::Quoted | State::QuoteInQuoted);
        if quoted || memchr::memchr(b'"', bytes).is_some() {
            self.follow_each_byte(bytes);
        } else {
            self.follow_unquoted(bytes);
        }
        Ok(())
    }

    /// Refuses a line longer than [`MAX_LINE_BYTES`]: a line that never ends
    /// would otherwise be gathered into memory whole (a 300 MB header, say).
    fn check_line_lengths(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut start = 0;
        let mut carried = self.line_bytes;
        let mut too_long = false;
        for end in memchr::memchr_iter(b'\n', bytes) {
            too_long |= carried + (end - start) > MAX_LINE_BYTES;
            carried = 0;
            start = end + 1;
        }
        too_long |= carried + (bytes.len() - start) > MAX_LINE_BYTES;
        self.line_bytes = carried + (bytes.len() - start);
        if too_long {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "line {} is longer than {} MiB; an export's lines (the header too) are far shorter, so this is not one",
                    self.line + memchr::memchr_iter(b'\n', bytes).count() as u64,
                    MAX_LINE_BYTES >> 20
                ),
            ));
        }
        Ok(())
    }

    /// [`Self::follow_each_byte`] for bytes that hold no quote, outside a
    /// quoted field: counts the lines and the blank ones (a line end right
    /// after another, the LF of a CRLF aside) and ends in the state the last
    /// byte leaves.
    fn follow_unquoted(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else {
            return;
        };
        // Where the last line end was (before these bytes: whether the
        // record had just ended).
        let mut previous_end: Option<usize> = None;
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let byte = bytes[at];
            let (ended, after_cr) = match at.checked_sub(1) {
                None => (self.state == State::RecordStart, self.after_cr),
                Some(before) => (previous_end == Some(before), bytes[before] == b'\r'),
            };
            // The LF of a CRLF that ended a record is not a blank line.
            if ended && !(byte == b'\n' && after_cr) {
                self.blank += 1;
            }
            if byte == b'\n' {
                self.line += 1;
            }
            previous_end = Some(at);
        }
        self.state = if last == b'\n' || last == b'\r' {
            State::RecordStart
        } else if last == self.delimiter {
            State::FieldStart
        } else {
            State::Unquoted
        };
        self.after_cr = last == b'\r';
    }

    /// Follows the grammar byte by byte.
    fn follow_each_byte(&mut self, bytes: &[u8]) {
        let delimiter = self.delimiter;
        for &byte in bytes {
            if byte == b'\n' {
                self.line += 1;
            }
            let terminator = byte == b'\n' || byte == b'\r';
            self.state = match self.state {
                State::Quoted => {
                    if byte == b'"' {
                        State::QuoteInQuoted
                    } else {
                        State::Quoted
                    }
                }
                State::RecordStart if terminator => {
                    // The LF of a CRLF that ended a record is not a blank line.
                    if !(byte == b'\n' && self.after_cr) {
                        self.blank += 1;
                    }
                    State::RecordStart
                }
                State::QuoteInQuoted if byte == b'"' => State::Quoted,
                _ if terminator => State::RecordStart,
                _ if byte == delimiter => State::FieldStart,
                State::RecordStart | State::FieldStart if byte == b'"' => {
                    self.open_line = self.line;
                    State::Quoted
                }
                _ => State::Unquoted,
            };
            self.after_cr = byte == b'\r';
        }
    }
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.follow(&out[..n])?;
        self.structure
            .blank_lines
            .store(self.blank, Ordering::Relaxed);
        if n == 0 && !out.is_empty() {
            let open = if self.state == State::Quoted {
                self.open_line
            } else {
                0
            };
            self.structure
                .open_quote_line
                .store(open, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// The text encoding a byte-order mark at the start of `head` announces.
pub fn utf16_bom(head: &[u8]) -> Option<Utf16> {
    match head {
        [0xFF, 0xFE, ..] => Some(Utf16::Little),
        [0xFE, 0xFF, ..] => Some(Utf16::Big),
        _ => None,
    }
}

/// Whether the first line looks like UTF-16 saved without a byte-order mark
/// (ASCII letters with a NUL byte beside each).
pub fn looks_like_bare_utf16(head: &[u8]) -> bool {
    let line = &head[..head.len().min(256)];
    line.len() >= 8 && line.iter().filter(|&&b| b == 0).count() * 3 >= line.len()
}

/// The byte order of UTF-16 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Utf16 {
    /// Least significant byte first (as Windows and Excel's "Unicode text" save it).
    Little,
    /// Most significant byte first.
    Big,
}

/// Decodes UTF-16 (after its byte-order mark) into UTF-8 on the fly; an
/// unpaired surrogate becomes U+FFFD, which no answer matches.
pub struct Utf16Decoder<R> {
    inner: R,
    order: Utf16,
    carry: Vec<u8>,
    pending: Vec<u8>,
    start: usize,
    skipped_bom: bool,
}

impl<R: Read> Utf16Decoder<R> {
    /// Wraps a UTF-16 byte stream that starts with its byte-order mark.
    pub fn new(inner: R, order: Utf16) -> Self {
        Utf16Decoder {
            inner,
            order,
            carry: Vec::new(),
            pending: Vec::with_capacity(1 << 15),
            start: 0,
            skipped_bom: false,
        }
    }
}

impl<R: Read> Read for Utf16Decoder<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.start == self.pending.len() {
            let mut raw = [0u8; 1 << 13];
            let n = self.inner.read(&mut raw)?;
            self.pending.clear();
            self.start = 0;
            if n == 0 {
                if self.carry.is_empty() {
                    return Ok(0);
                }
                // An odd byte or a lone high surrogate at the very end.
                self.carry.clear();
                self.pending.extend_from_slice("\u{FFFD}".as_bytes());
                break;
            }
            self.carry.extend_from_slice(&raw[..n]);
            let whole = self.carry.len() / 2 * 2;
            let mut units: Vec<u16> = self.carry[..whole]
                .chunks_exact(2)
                .map(|pair| match self.order {
                    Utf16::Little => u16::from_le_bytes([pair[0], pair[1]]),
                    Utf16::Big => u16::from_be_bytes([pair[0], pair[1]]),
                })
                .collect();
            let mut keep = self.carry[whole..].to_vec();
            // A high surrogate whose pair is in the next read waits for it.
            if let Some(&last) = units.last()
                && (0xD800..0xDC00).contains(&last)
            {
                units.pop();
                let mut held = match self.order {
                    Utf16::Little => last.to_le_bytes().to_vec(),
                    Utf16::Big => last.to_be_bytes().to_vec(),
                };
                held.extend_from_slice(&keep);
                keep = held;
            }
            self.carry = keep;
            let mut units = &units[..];
            if !self.skipped_bom {
                self.skipped_bom = true;
                if units.first() == Some(&0xFEFF) {
                    units = &units[1..];
                }
            }
            for decoded in char::decode_utf16(units.iter().copied()) {
                let c = decoded.unwrap_or('\u{FFFD}');
                let mut utf8 = [0u8; 4];
                self.pending
                    .extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
        let available = &self.pending[self.start..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.start += n;
        Ok(n)
    }
}

/// Decodes Windows-1252 bytes into UTF-8 on the fly.
pub struct Windows1252<R> {
    inner: R,
    pending: Vec<u8>,
    start: usize,
}

impl<R: Read> Windows1252<R> {
    /// Wraps a Windows-1252 byte stream.
    pub fn new(inner: R) -> Self {
        Windows1252 {
            inner,
            pending: Vec::with_capacity(1 << 15),
            start: 0,
        }
    }
}

impl<R: Read> Read for Windows1252<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.start == self.pending.len() {
            let mut raw = [0u8; 1 << 13];
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                return Ok(0);
            }
            self.pending.clear();
            self.start = 0;
            for &byte in &raw[..n] {
                let ch = decode_1252(byte);
                let mut utf8 = [0u8; 4];
                self.pending
                    .extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
            }
        }
        let available = &self.pending[self.start..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.start += n;
        Ok(n)
    }
}

/// The character a Windows-1252 byte stands for.
fn decode_1252(byte: u8) -> char {
    // 0x80-0x9F are printable in Windows-1252 (unlike Latin-1); the rest match Unicode.
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_nordic_semicolons() {
        assert_eq!(sniff_delimiter(b"id;q1;q2\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter(b"id,q1,q2\n"), b',');
        assert_eq!(sniff_delimiter(b"id\tq1\tq2"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c,d\n"), b',');
        assert_eq!(sniff_delimiter(b"single\n"), b',');
    }

    #[test]
    fn decodes_windows_1252() {
        let mut out = String::new();
        Windows1252::new(&b"bl\xe5b\xe6r \x80 \xd8"[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "blåbær € Ø");
    }

    fn structure_of(text: &[u8], delimiter: u8) -> (Option<u64>, u64) {
        let structure = Arc::new(Structure::default());
        let mut tracker = QuoteTracker::new(text, delimiter, structure.clone());
        let mut sink = Vec::new();
        tracker.read_to_end(&mut sink).unwrap();
        assert_eq!(sink, text);
        (structure.unterminated_quote(), structure.blank_lines())
    }

    #[test]
    fn finds_a_quote_left_open_and_blank_lines() {
        assert_eq!(structure_of(b"a;b\n1;2\n", b';'), (None, 0));
        assert_eq!(structure_of(b"a;b\n\"1;2\n3;4\n", b';'), (Some(2), 0));
        // Closed quotes, doubled quotes, a quote inside an unquoted field, a
        // multi-line field: all well-formed.
        assert_eq!(
            structure_of(b"a;b\n\"x;\"\"y\"\"\";2\nab\"c;\"multi\nline\"\n", b';'),
            (None, 0)
        );
        assert_eq!(
            structure_of(b"a,b\n\n1,2\r\n\r\n\r\n3,4\n\n", b','),
            (None, 4)
        );
        // A quote opened after a closed one on a later line.
        assert_eq!(
            structure_of(b"a,b\n\"1\",2\n3,\"4\n5,6\n", b','),
            (Some(3), 0)
        );
    }

    /// Every text over the bytes that matter, read in chunks of every size:
    /// the fast path for chunks without quotes agrees with the grammar
    /// followed byte by byte.
    #[test]
    fn following_many_bytes_at_a_time_agrees_with_byte_by_byte() {
        let alphabet = [b'a', b',', b'"', b'\n', b'\r'];
        // Chunks of 0 bytes: the whole text byte by byte.
        let follow = |text: &[u8], chunk: usize| {
            let structure = Arc::new(Structure::default());
            let mut tracker = QuoteTracker::new(&b""[..], b',', structure);
            if chunk == 0 {
                tracker.check_line_lengths(text).unwrap();
                tracker.follow_each_byte(text);
            }
            for part in text.chunks(chunk.max(1)).filter(|_| chunk > 0) {
                tracker.follow(part).unwrap();
            }
            (
                tracker.state,
                tracker.after_cr,
                tracker.line,
                tracker.open_line,
                tracker.blank,
                tracker.line_bytes,
            )
        };
        for len in 0..=6u32 {
            for mut code in 0..alphabet.len().pow(len) {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        let byte = alphabet[code % alphabet.len()];
                        code /= alphabet.len();
                        byte
                    })
                    .collect();
                let one_by_one = follow(&text, 0);
                for chunk in 1..=4 {
                    assert_eq!(follow(&text, chunk), one_by_one, "{text:?} in {chunk}s");
                }
            }
        }
    }

    #[test]
    fn decodes_utf16_with_its_bom() {
        for (order, bytes) in [
            (Utf16::Little, {
                let mut b = vec![0xFF, 0xFE];
                b.extend("id;q\nø;😀\n".encode_utf16().flat_map(u16::to_le_bytes));
                b
            }),
            (Utf16::Big, {
                let mut b = vec![0xFE, 0xFF];
                b.extend("id;q\nø;😀\n".encode_utf16().flat_map(u16::to_be_bytes));
                b
            }),
        ] {
            assert_eq!(utf16_bom(&bytes), Some(order));
            // One byte at a time, so surrogate pairs and units are split across reads.
            let mut out = String::new();
            Utf16Decoder::new(OneByte(&bytes[2..]), order)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, "id;q\nø;😀\n");
        }
    }

    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((&b, rest)), Some(slot)) => {
                    *slot = b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn finds_the_line_of_bad_utf8() {
        assert_eq!(first_invalid_utf8(b"a\nb\n\xe5\n", true), Some((3, 4)));
        assert_eq!(first_invalid_utf8("a\nø".as_bytes(), true), None);
        // A cut-off multi-byte character at the window's end is fine.
        assert_eq!(first_invalid_utf8(&"ø".as_bytes()[..1], false), None);
    }
}
