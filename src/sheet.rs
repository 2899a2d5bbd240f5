//! Spreadsheet input: a worksheet read as the CSV text the batch readers consume.
//!
//! Municipal analysts receive Excel and LibreOffice workbooks. Rather than a
//! second scoring path, a worksheet is turned into the record stream the CSV
//! path already reads (`score`, `cutoffs`, `explain`, `compare`), so every
//! guarantee of that path (one output row per input row, located errors,
//! streaming output) holds for workbooks as well. Only the cell values change
//! form on the way:
//!
//! * numbers are written as Excel shows them in its General format: at most
//!   15 significant digits, no `.0` on whole numbers (`3`, `0.3`, `12.5`);
//! * numbers stored as text pass through unchanged, so `"3"` reads as 3;
//! * formulas give the result the workbook saved with them (the value shown);
//! * dates become `YYYY-MM-DD` (with ` HH:MM:SS` when there is a time of day),
//!   which the age reader understands;
//! * booleans become `TRUE` / `FALSE`; error cells keep their code (`#DIV/0!`),
//!   so they are reported as invalid values, never as blanks.
//!
//! Every row of the sheet's used range below the header becomes one record,
//! blank rows included, so the data row `n` is always sheet row
//! `header row + n` and errors can name the cell (`Sheet1!C17`).
//!
//! The whole worksheet is held in memory while it is read (calamine reads a
//! sheet as one range); the output is still written row by row.

use std::fmt::Write as _;
use std::io::{self, Read};
use std::path::Path;

use calamine::{Data, Range, Reader};

/// File extensions read as workbooks (compared ignoring case).
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Whether `path` names a workbook (by its extension) rather than delimited text.
pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Where the records of a worksheet come from, to name cells in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetOrigin {
    /// The worksheet's name.
    pub sheet: String,
    /// 0-based row of the header in the sheet.
    pub top: u32,
    /// 0-based column of the first column in the sheet.
    pub left: u32,
}

impl SheetOrigin {
    /// The 1-based sheet row of data row `row` (1 is the row below the header).
    pub fn sheet_row(&self, row: u64) -> u64 {
        u64::from(self.top) + 1 + row
    }

    /// The cell reference of data row `row` in column `column` (0-based, as
    /// in the record): `Sheet1!C17`, the sheet name quoted when it needs it.
    pub fn cell(&self, row: u64, column: usize) -> String {
        let column = u32::try_from(column)
            .unwrap_or(u32::MAX)
            .saturating_add(self.left);
        format!(
            "{}!{}{}",
            quoted_sheet(&self.sheet),
            column_letters(column),
            self.sheet_row(row)
        )
    }

    /// The sheet row of data row `row`: `Sheet1 row 17`.
    pub fn row(&self, row: u64) -> String {
        format!("{} row {}", self.sheet, self.sheet_row(row))
    }
}

/// A sheet name as a cell reference writes it: `'My data'!A1` when it has
/// anything but letters, digits and `_`.
fn quoted_sheet(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// The letters of a 0-based column index: 0 is `A`, 25 `Z`, 26 `AA`.
pub fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Why a workbook could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    /// The file could not be opened or is not a workbook calamine understands.
    #[error("cannot read the workbook `{path}`: {message}")]
    Workbook {
        /// The file.
        path: String,
        /// What the reader said.
        message: String,
    },
    /// `--sheet` names no sheet of the workbook.
    #[error("the workbook `{path}` has no sheet named `{wanted}`; its sheets are: {available}")]
    NoSuchSheet {
        /// The file.
        path: String,
        /// The name asked for.
        wanted: String,
        /// The sheet names, comma-separated.
        available: String,
    },
    /// The workbook has no worksheet at all.
    #[error("the workbook `{path}` has no worksheets")]
    NoSheets {
        /// The file.
        path: String,
    },
}

/// Opens one worksheet of the workbook at `path` (the first when `sheet` is
/// `None`) as CSV text, with the origin that locates its cells.
pub fn open(path: &Path, sheet: Option<&str>) -> Result<(SheetCsv, SheetOrigin), SheetError> {
    let shown = path.display().to_string();
    let workbook_error = |message: String| SheetError::Workbook {
        path: shown.clone(),
        message,
    };
    let mut workbook =
        calamine::open_workbook_auto(path).map_err(|e| workbook_error(e.to_string()))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| SheetError::NoSuchSheet {
                path: shown.clone(),
                wanted: wanted.to_owned(),
                available: names.join(", "),
            })?,
        None => names.first().cloned().ok_or_else(|| SheetError::NoSheets {
            path: shown.clone(),
        })?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| workbook_error(format!("sheet `{name}`: {e}")))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let origin = SheetOrigin {
        sheet: name,
        top,
        left,
    };
    Ok((SheetCsv::new(range), origin))
}

/// A worksheet as comma-separated text, produced a row at a time.
pub struct SheetCsv {
    range: Range<Data>,
    height: usize,
    width: usize,
    next_row: usize,
    pending: Vec<u8>,
    start: usize,
    cell: String,
}

impl SheetCsv {
    /// Reads `range` as CSV: its first row is the header.
    pub fn new(range: Range<Data>) -> Self {
        let (height, width) = range.get_size();
        SheetCsv {
            range,
            height,
            width,
            next_row: 0,
            pending: Vec::with_capacity(1 << 14),
            start: 0,
            cell: String::new(),
        }
    }

    /// Appends the next row to `pending`, or returns false at the end.
    fn fill(&mut self) -> bool {
        if self.next_row >= self.height {
            return false;
        }
        self.pending.clear();
        self.start = 0;
        let row = self.next_row;
        self.next_row += 1;
        for column in 0..self.width {
            if column > 0 {
                self.pending.push(b',');
            }
            self.cell.clear();
            if let Some(value) = self.range.get((row, column)) {
                write_cell(value, &mut self.cell);
            }
            push_field(&self.cell, &mut self.pending);
        }
        self.pending.push(b'\n');
        true
    }
}

impl Read for SheetCsv {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut written = 0;
        while written < out.len() {
            if self.start == self.pending.len() && !self.fill() {
                break;
            }
            let available = &self.pending[self.start..];
            let n = available.len().min(out.len() - written);
            out[written..written + n].copy_from_slice(&available[..n]);
            self.start += n;
            written += n;
        }
        Ok(written)
    }
}

/// Writes one CSV field, quoted when it holds a delimiter, quote or line break.
///
/// `;` and tab are quoted too, so that a reader sniffing the delimiter from
/// the header never takes them for it.
fn push_field(text: &str, out: &mut Vec<u8>) {
    if text
        .bytes()
        .any(|b| matches!(b, b',' | b';' | b'\t' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for byte in text.bytes() {
            if byte == b'"' {
                out.push(b'"');
            }
            out.push(byte);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Writes a cell's value as the text the CSV path expects (see the module docs).
pub fn write_cell(value: &Data, out: &mut String) {
    // Writing into a String cannot fail.
    let _ = match value {
        Data::Empty => Ok(()),
        Data::String(text) => {
            out.push_str(text);
            Ok(())
        }
        Data::Int(n) => write!(out, "{n}"),
        Data::Float(x) => write_number(*x, out),
        Data::Bool(true) => write!(out, "TRUE"),
        Data::Bool(false) => write!(out, "FALSE"),
        Data::DateTime(date) if date.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = date.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                write!(out, "{y:04}-{mo:02}-{d:02}")
            } else {
                write!(out, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        // A duration (`[h]:mm`) is a number of days, as Excel stores it.
        Data::DateTime(duration) => write_number(duration.as_f64(), out),
        Data::DateTimeIso(text) => {
            // LibreOffice writes a date as `2026-11-23`, a date-time as `2026-11-23T10:30:00`.
            let text = text.strip_suffix("T00:00:00").unwrap_or(text);
            out.push_str(&text.replacen('T', " ", 1));
            Ok(())
        }
        Data::DurationIso(text) => {
            out.push_str(text);
            Ok(())
        }
        Data::Error(code) => write!(out, "{code}"),
    };
}

/// A number as Excel's General format shows it: 15 significant digits at
/// most, so a formula's `0.1+0.2` reads `0.3` as on screen.
fn write_number(x: f64, out: &mut String) -> std::fmt::Result {
    if !x.is_finite() {
        return write!(out, "{x}");
    }
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return write!(out, "{}", x as i64);
    }
    let rounded: f64 = format!("{x:.14e}").parse().unwrap_or(x);
    write!(out, "{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};

    fn text(value: Data) -> String {
        let mut out = String::new();
        write_cell(&value, &mut out);
        out
    }

    #[test]
    fn column_letters_are_bijective_base_26() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(2), "C");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        // Excel's last column.
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        let origin = SheetOrigin {
            sheet: "Sheet1".into(),
            top: 0,
            left: 0,
        };
        // Data row 16 is below the header in row 1: sheet row 17.
        assert_eq!(origin.cell(16, 2), "Sheet1!C17");
        let shifted = SheetOrigin {
            sheet: "EPDS data".into(),
            top: 2,
            left: 1,
        };
        assert_eq!(shifted.cell(1, 0), "'EPDS data'!B4");
        assert_eq!(shifted.row(1), "EPDS data row 4");
    }

    #[test]
    fn values_read_as_shown() {
        assert_eq!(text(Data::Float(3.0)), "3");
        assert_eq!(text(Data::Float(0.1 + 0.2)), "0.3");
        assert_eq!(text(Data::Float(12.5)), "12.5");
        assert_eq!(text(Data::Float(-2.0)), "-2");
        assert_eq!(text(Data::Int(7)), "7");
        assert_eq!(text(Data::String(" 3 ".into())), " 3 ");
        assert_eq!(text(Data::Bool(true)), "TRUE");
        assert_eq!(text(Data::Error(CellErrorType::Div0)), "#DIV/0!");
        assert_eq!(text(Data::Empty), "");
    }

    #[test]
    fn dates_read_as_iso_dates() {
        // 46349 is 2026-11-23 in Excel's 1900 date system.
        let date = ExcelDateTime::new(46349.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(date)), "2026-11-23");
        let with_time = ExcelDateTime::new(46349.5, ExcelDateTimeType::DateTime, false);
        assert_eq!(text(Data::DateTime(with_time)), "2026-11-23 12:00:00");
        assert_eq!(
            text(Data::DateTimeIso("2026-11-23T00:00:00".into())),
            "2026-11-23"
        );
        assert_eq!(text(Data::DateTimeIso("2026-11-23".into())), "2026-11-23");
    }

    #[test]
    fn rows_become_csv_records_blank_rows_included() {
        let mut range = Range::new((0, 0), (3, 2));
        range.set_value((0, 0), Data::String("id".into()));
        range.set_value((0, 1), Data::String("q1".into()));
        range.set_value((0, 2), Data::String("note".into()));
        range.set_value((1, 0), Data::String("A1".into()));
        range.set_value((1, 1), Data::Float(2.0));
        range.set_value((1, 2), Data::String("said \"no\", then\nyes".into()));
        range.set_value((3, 0), Data::String("A3".into()));
        let mut csv = String::new();
        SheetCsv::new(range).read_to_string(&mut csv).unwrap();
        assert_eq!(
            csv,
            "id,q1,note\nA1,2,\"said \"\"no\"\", then\nyes\"\n,,\nA3,,\n"
        );
    }

    #[test]
    fn recognises_workbooks_by_extension() {
        assert!(is_spreadsheet(Path::new("export.XLSX")));
        assert!(is_spreadsheet(Path::new("a/b.ods")));
        assert!(!is_spreadsheet(Path::new("export.csv")));
        assert!(!is_spreadsheet(Path::new("xlsx")));
    }
}
