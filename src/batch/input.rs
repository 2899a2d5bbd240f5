//! Opening an export: delimiter detection and text encoding.

use std::io::{self, BufRead, BufReader, Read};

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

    #[test]
    fn finds_the_line_of_bad_utf8() {
        assert_eq!(first_invalid_utf8(b"a\nb\n\xe5\n", true), Some((3, 4)));
        assert_eq!(first_invalid_utf8("a\nø".as_bytes(), true), None);
        // A cut-off multi-byte character at the window's end is fine.
        assert_eq!(first_invalid_utf8(&"ø".as_bytes()[..1], false), None);
    }
}
