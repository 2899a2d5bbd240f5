//! Workbook input end to end: an .xlsx or .ods export gets the same answers as
//! the same data saved as CSV, and its problems are located by cell.
//!
//! The workbooks are written by the tests themselves: xlsx with
//! rust_xlsxwriter, ods as the small zip of XML that OpenDocument is.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::stepcare;

/// One cell of a test workbook.
#[derive(Debug, Clone)]
enum Cell {
    Blank,
    Text(String),
    Number(f64),
    /// A formula with the result saved with it (what the spreadsheet shows).
    Formula(&'static str, f64),
    /// A date cell (year, month, day), formatted as a date.
    Date(u16, u8, u8),
}

type Grid = Vec<Vec<Cell>>;

/// Reads a CSV example into cells: numbers as numbers, ISO and dd.mm.yyyy
/// dates in `date_columns` as date cells, everything else as text.
fn grid_from_csv(path: &str, delimiter: u8, date_columns: &[&str]) -> Grid {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_path(common::root().join(path))
        .unwrap();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for record in reader.records() {
        rows.push(record.unwrap().iter().map(str::to_owned).collect());
    }
    let header = rows[0].clone();
    rows.iter()
        .enumerate()
        .map(|(r, row)| {
            row.iter()
                .enumerate()
                .map(|(c, text)| {
                    if r == 0 {
                        return Cell::Text(text.clone());
                    }
                    if text.is_empty() {
                        return Cell::Blank;
                    }
                    if date_columns.contains(&header[c].as_str())
                        && let Some((y, m, d)) = parse_date(text)
                    {
                        return Cell::Date(y, m, d);
                    }
                    match text.parse::<f64>() {
                        Ok(x) => Cell::Number(x),
                        Err(_) => Cell::Text(text.clone()),
                    }
                })
                .collect()
        })
        .collect()
}

/// `2025-05-02` or `02.05.2025`, when it is a real calendar date.
fn parse_date(text: &str) -> Option<(u16, u8, u8)> {
    let parts: Vec<&str> = text.split(['-', '.']).collect();
    let [a, b, c] = parts[..] else { return None };
    let (y, m, d) = if text.contains('-') {
        (a, b, c)
    } else {
        (c, b, a)
    };
    let (y, m, d): (u16, u8, u8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let days = [
        31,
        28 + u8::from(y % 4 == 0),
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    (1..=12)
        .contains(&m)
        .then_some(())
        .filter(|()| d >= 1 && d <= days[usize::from(m - 1)])
        .map(|()| (y, m, d))
}

/// Writes sheets (name, grid) to an .xlsx file.
fn write_xlsx(path: &Path, sheets: &[(&str, &Grid)]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("dd.mm.yyyy");
    for (name, grid) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in grid.iter().enumerate() {
            let r = r as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Blank => {}
                    Cell::Text(text) => {
                        sheet.write_string(r, c, text).unwrap();
                    }
                    Cell::Number(x) => {
                        sheet.write_number(r, c, *x).unwrap();
                    }
                    Cell::Formula(formula, result) => {
                        let formula = Formula::new(*formula).set_result(result.to_string());
                        sheet.write_formula(r, c, formula).unwrap();
                    }
                    Cell::Date(y, m, d) => {
                        let date = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        sheet
                            .write_datetime_with_format(r, c, &date, &date_format)
                            .unwrap();
                    }
                }
            }
        }
    }
    workbook.save(path).unwrap();
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Writes sheets (name, grid) to an .ods file: a zip holding the mimetype,
/// a manifest and content.xml, as OpenDocument 1.2 lays them out.
fn write_ods(path: &Path, sheets: &[(&str, &Grid)]) {
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    for (name, grid) in sheets {
        content.push_str(&format!(
            r#"<table:table table:name="{}">"#,
            xml_escape(name)
        ));
        for row in grid.iter() {
            content.push_str("<table:table-row>");
            for cell in row {
                content.push_str(&match cell {
                    Cell::Blank => "<table:table-cell/>".to_owned(),
                    Cell::Text(text) => format!(
                        r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
                        xml_escape(text)
                    ),
                    Cell::Number(x) => format!(
                        r#"<table:table-cell office:value-type="float" office:value="{x}"><text:p>{x}</text:p></table:table-cell>"#
                    ),
                    Cell::Formula(formula, result) => format!(
                        r#"<table:table-cell table:formula="of:{}" office:value-type="float" office:value="{result}"><text:p>{result}</text:p></table:table-cell>"#,
                        xml_escape(formula)
                    ),
                    Cell::Date(y, m, d) => format!(
                        r#"<table:table-cell office:value-type="date" office:date-value="{y:04}-{m:02}-{d:02}"><text:p>{d:02}.{m:02}.{y:04}</text:p></table:table-cell>"#
                    ),
                });
            }
            content.push_str("</table:table-row>");
        }
        content.push_str("</table:table>");
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    // The mimetype comes first and uncompressed, so that tools can sniff it.
    for (name, bytes) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        zip.start_file(name, stored).unwrap();
        zip.write_all(bytes.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

/// Writes a grid as comma-separated text, as a spreadsheet would export it.
fn write_csv(path: &Path, grid: &Grid) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    for row in grid {
        writer
            .write_record(row.iter().map(|cell| match cell {
                Cell::Blank => String::new(),
                Cell::Text(text) => text.clone(),
                Cell::Number(x) | Cell::Formula(_, x) => x.to_string(),
                Cell::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            }))
            .unwrap();
    }
    writer.flush().unwrap();
}

/// The examples/epds.csv export as a workbook grid, with one answer stored as
/// text and one as a formula, as real exports have them.
fn epds_grid() -> Grid {
    let mut grid = grid_from_csv("examples/epds.csv", b';', &[]);
    // A02's EPDS1 (1) as text, A03's EPDS2 (2) as a formula showing 2.
    grid[2][2] = Cell::Text("1".into());
    grid[3][3] = Cell::Formula("=1+1", 2.0);
    grid
}

fn run(args: &[&str]) -> std::process::Output {
    stepcare().args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

fn score_jsonl(input: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "score",
        "--instrument",
        "epds",
        "--format",
        "jsonl",
        "--keep",
        "id",
        "--input",
        input.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn xlsx_and_ods_score_like_the_same_data_as_csv() {
    let dir = tempfile::tempdir().unwrap();
    let grid = epds_grid();
    let csv = temp_path(&dir, "epds.csv");
    write_csv(&csv, &grid);
    let expected = score_jsonl(&csv, &[]);
    assert!(expected.status.success(), "{}", text(&expected.stderr));
    let expected = text(&expected.stdout);
    // The formula's shown value (2) and the answer stored as text are read.
    assert!(expected.contains(r#""id":"A03""#));

    for (name, write) in [
        ("epds.xlsx", write_xlsx as fn(&Path, &[(&str, &Grid)])),
        ("epds.ods", write_ods),
    ] {
        let path = temp_path(&dir, name);
        write(&path, &[("Screening", &grid)]);
        let output = score_jsonl(&path, &[]);
        assert!(output.status.success(), "{name}: {}", text(&output.stderr));
        let got = text(&output.stdout);
        // A06's EPDS3 holds 4, not an answer: named by its cell, E7
        // (column E is EPDS3, row 7 is the sixth data row below the header).
        assert!(
            got.contains("Screening!E7 column `EPDS3`: `4` is not an answer to epds.q3"),
            "{name}: {got}"
        );
        // Apart from the cell reference, exactly what the CSV gives.
        assert_eq!(got.replace("Screening!E7 ", ""), expected, "{name}");
        assert_eq!(got.lines().count(), 8, "{name}: every row accounted for");
        assert_eq!(
            text(&output.stderr).lines().next().unwrap(),
            "8 rows read: 5 ok, 2 incomplete, 1 invalid; 2 flagged (3 urgent)",
            "{name}"
        );
    }
}

#[test]
fn a_formula_is_read_as_the_value_it_shows() {
    let dir = tempfile::tempdir().unwrap();
    let grid: Grid = vec![
        [
            "id", "EPDS1", "EPDS2", "EPDS3", "EPDS4", "EPDS5", "EPDS6", "EPDS7", "EPDS8", "EPDS9",
            "EPDS10",
        ]
        .iter()
        .map(|h| Cell::Text((*h).into()))
        .collect(),
        std::iter::once(Cell::Text("F1".into()))
            .chain(std::iter::once(Cell::Formula("=2+1", 3.0)))
            .chain((0..9).map(|_| Cell::Number(1.0)))
            .collect(),
    ];
    for name in ["f.xlsx", "f.ods"] {
        let path = temp_path(&dir, name);
        if name.ends_with("xlsx") {
            write_xlsx(&path, &[("Sheet1", &grid)]);
        } else {
            write_ods(&path, &[("Sheet1", &grid)]);
        }
        let output = score_jsonl(&path, &["--with-answers"]);
        let got = text(&output.stdout);
        assert!(got.contains(r#""total":{"score":12,"#), "{name}: {got}");
        assert!(got.contains(r#""q1":3"#), "{name}: {got}");
    }
}

#[test]
fn blank_rows_in_a_sheet_are_rows_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut grid = epds_grid();
    grid.insert(3, vec![Cell::Blank; 12]);
    let path = temp_path(&dir, "gap.xlsx");
    write_xlsx(&path, &[("Screening", &grid)]);
    let output = score_jsonl(&path, &[]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), 9);
    let blank = stdout.lines().nth(2).unwrap();
    assert!(
        blank.starts_with(r#"{"row":3,"status":"incomplete""#),
        "{blank}"
    );
    // The invalid cell moved down one row with it.
    assert!(stdout.contains("Screening!E8 column `EPDS3`"), "{stdout}");
}

#[test]
fn dates_in_date_cells_give_the_age() {
    let dir = tempfile::tempdir().unwrap();
    let grid = grid_from_csv(
        "examples/se-demo.csv",
        b',',
        &["birth_date", "screening_date"],
    );
    assert!(matches!(grid[1][1], Cell::Date(2025, 5, 2)));
    let args = |path: &Path| {
        run(&[
            "score",
            "--instrument",
            "se-demo",
            "--format",
            "jsonl",
            "--keep",
            "child_id",
            "--input",
            path.to_str().unwrap(),
        ])
    };
    let expected = args(&common::root().join("examples/se-demo.csv"));
    assert!(expected.status.success());
    let expected = text(&expected.stdout);
    assert!(expected.contains(r#""age_months""#) || expected.contains("interval"));
    for name in ["se.xlsx", "se.ods"] {
        let path = temp_path(&dir, name);
        if name.ends_with("xlsx") {
            write_xlsx(&path, &[("Children", &grid)]);
        } else {
            write_ods(&path, &[("Children", &grid)]);
        }
        let output = args(&path);
        assert!(output.status.success(), "{name}: {}", text(&output.stderr));
        assert_eq!(text(&output.stdout), expected, "{name}");
    }
}

#[test]
fn sheet_chooses_the_worksheet() {
    let dir = tempfile::tempdir().unwrap();
    let notes: Grid = vec![vec![Cell::Text("exported by the records system".into())]];
    let grid = epds_grid();
    let path = temp_path(&dir, "two.xlsx");
    write_xlsx(&path, &[("Notes", &notes), ("EPDS data", &grid)]);

    // The first sheet is read unless told: it has no EPDS columns.
    let first = score_jsonl(&path, &[]);
    assert_eq!(first.status.code(), Some(1));
    assert!(
        text(&first.stderr).contains("the input lacks"),
        "{}",
        text(&first.stderr)
    );

    let chosen = score_jsonl(&path, &["--sheet", "EPDS data"]);
    assert!(chosen.status.success(), "{}", text(&chosen.stderr));
    // A sheet name with a space is quoted, as in a spreadsheet formula.
    assert!(text(&chosen.stdout).contains("'EPDS data'!E7 column `EPDS3`"));

    let unknown = score_jsonl(&path, &["--sheet", "Ark1"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr)
            .contains("has no sheet named `Ark1`; its sheets are: Notes, EPDS data"),
        "{}",
        text(&unknown.stderr)
    );

    let not_a_workbook = run(&[
        "score",
        "--instrument",
        "epds",
        "--input",
        "examples/epds.csv",
        "--sheet",
        "Sheet1",
    ]);
    assert_eq!(not_a_workbook.status.code(), Some(2));
}

#[test]
fn strict_names_the_sheet_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "strict.xlsx");
    write_xlsx(&path, &[("Screening", &epds_grid())]);
    let output = score_jsonl(&path, &["--strict"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("row 6 (line 7) is invalid: Screening!E7"),
        "{stderr}"
    );
}

#[test]
fn a_file_that_is_not_a_workbook_is_an_error_not_an_empty_batch() {
    let dir = tempfile::tempdir().unwrap();
    let path = temp_path(&dir, "fake.xlsx");
    std::fs::write(&path, "id,EPDS1\n1,2\n").unwrap();
    let output = score_jsonl(&path, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("cannot read the workbook"));
    assert!(output.stdout.is_empty());
}

#[test]
fn cutoffs_explain_and_compare_read_workbooks() {
    let dir = tempfile::tempdir().unwrap();

    // cutoffs: the same analysis as from the CSV.
    let grid = grid_from_csv("examples/cutoffs.csv", b';', &[]);
    let xlsx = temp_path(&dir, "cutoffs.xlsx");
    write_xlsx(&xlsx, &[("Study", &grid)]);
    let cutoffs = |input: &str| {
        run(&[
            "cutoffs",
            "--input",
            input,
            "--score",
            "epds_total",
            "--reference",
            "interview",
            "--positive",
            "depressed",
            "--cutoff",
            "10",
            "--format",
            "json",
        ])
    };
    let from_csv = cutoffs("examples/cutoffs.csv");
    let from_xlsx = cutoffs(xlsx.to_str().unwrap());
    assert!(from_xlsx.status.success(), "{}", text(&from_xlsx.stderr));
    // The JSON names the delimiter read; everything else is the same.
    let normalise = |out: &[u8]| text(out).replace("\";\"", "\",\"");
    assert_eq!(normalise(&from_xlsx.stdout), normalise(&from_csv.stdout));

    // A score that is not a number is named by its cell.
    let mut bad = grid.clone();
    bad[5][1] = Cell::Text("n/a?".into());
    let bad_path = temp_path(&dir, "bad.ods");
    write_ods(&bad_path, &[("Study", &bad)]);
    let output = cutoffs(bad_path.to_str().unwrap());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("Study!B6 (column \"epds_total\"): \"n/a?\" is not a number"),
        "{}",
        text(&output.stderr)
    );

    // explain --input: the same trace for the same row.
    let rescreen = grid_from_csv("examples/rescreen.csv", b',', &[]);
    let rescreen_xlsx = temp_path(&dir, "rescreen.xlsx");
    write_xlsx(&rescreen_xlsx, &[("Sheet1", &rescreen)]);
    let explain = |input: &str| {
        run(&[
            "explain",
            "--rules",
            "no-default",
            "--instrument",
            "epds",
            "--input",
            input,
            "--row",
            "2",
            "--lang",
            "en",
        ])
    };
    let from_csv = explain("examples/rescreen.csv");
    assert!(from_csv.status.success(), "{}", text(&from_csv.stderr));
    assert_eq!(
        text(&explain(rescreen_xlsx.to_str().unwrap()).stdout),
        text(&from_csv.stdout)
    );

    // compare: the same moves and referral counts.
    let compare = |input: &str| {
        run(&[
            "compare",
            "--rules",
            "no-default",
            "--rules",
            "examples/rules/no-epds12.yaml",
            "--instrument",
            "epds",
            "--input",
            input,
            "--lang",
            "en",
        ])
    };
    let from_csv = compare("examples/rescreen.csv");
    assert!(from_csv.status.success(), "{}", text(&from_csv.stderr));
    let from_xlsx = compare(rescreen_xlsx.to_str().unwrap());
    let strip_name =
        |out: &[u8]| text(out).replace(rescreen_xlsx.to_str().unwrap(), "examples/rescreen.csv");
    assert_eq!(strip_name(&from_xlsx.stdout), text(&from_csv.stdout));
}

#[test]
fn follow_up_reads_a_workbook_like_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let grid = grid_from_csv(
        "examples/followup.csv",
        b';',
        &["screening_date", "due_date", "birth_date"],
    );
    let xlsx = temp_path(&dir, "followup.xlsx");
    let ods = temp_path(&dir, "followup.ods");
    write_xlsx(&xlsx, &[("Visits", &grid)]);
    write_ods(&ods, &[("Visits", &grid)]);
    let follow = |input: &Path| {
        run(&[
            "follow-up",
            "--rules",
            "no-default",
            "--instrument",
            "epds",
            "--today",
            "2026-12-07",
            "--format",
            "jsonl",
            "--input",
            input.to_str().unwrap(),
        ])
    };
    let csv = follow(&common::root().join("examples/followup.csv"));
    assert!(csv.status.success(), "{}", text(&csv.stderr));
    assert!(!csv.stdout.is_empty());
    for workbook in [&xlsx, &ods] {
        let output = follow(workbook);
        assert!(output.status.success(), "{}", text(&output.stderr));
        // Dates in date cells, numbers in number cells: the same families, tasks and histories.
        let same_origin = text(&output.stdout).replace(
            workbook.to_str().unwrap(),
            common::root()
                .join("examples/followup.csv")
                .to_str()
                .unwrap(),
        );
        assert_eq!(same_origin, text(&csv.stdout), "{}", workbook.display());
        let stderr = text(&output.stderr);
        assert!(stderr.contains("11 rows read"), "{stderr}");
        assert!(
            stderr.contains("row 10"),
            "the row without an id is named: {stderr}"
        );
    }
}
