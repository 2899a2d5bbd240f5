//! Scoring a workbook against scoring the same data saved as CSV.
//!
//! Run with `cargo bench --bench sheet` (add `-- --rows N` for another size).
//! It writes a synthetic export (an id and EPDS, PHQ-9 and GAD-7 answers,
//! 100,000 rows by default, about 3% blank cells) twice under
//! `target/bench-data/`: as CSV and as an .xlsx workbook holding the same
//! values as numbers. It then times the release binary end to end on each
//! (`stepcare score ... --output`), with peak memory when `/usr/bin/time` is
//! available, and checks that both give the same output.
//!
//! Each timing is the best of three runs.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let rows: u32 = std::env::args()
        .skip_while(|a| a != "--rows")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    let csv = dir.join(format!("sheet-{rows}.csv"));
    let xlsx = dir.join(format!("sheet-{rows}.xlsx"));
    if !csv.exists() || !xlsx.exists() {
        generate(&csv, &xlsx, rows);
    }
    for path in [&csv, &xlsx] {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "input: {} ({rows} rows, {:.1} MB)",
            path.display(),
            size as f64 / 1e6
        );
    }
    let from_csv = dir.join("sheet-out-csv.csv");
    let from_xlsx = dir.join("sheet-out-xlsx.csv");
    let (csv_time, csv_peak) = time_binary(&csv, &from_csv);
    report(
        "stepcare score, CSV input",
        rows,
        csv_time,
        csv_time,
        csv_peak,
    );
    let (xlsx_time, xlsx_peak) = time_binary(&xlsx, &from_xlsx);
    report(
        "stepcare score, xlsx input",
        rows,
        xlsx_time,
        csv_time,
        xlsx_peak,
    );
    let same = std::fs::read(&from_csv).expect("read") == std::fs::read(&from_xlsx).expect("read");
    assert!(same, "the CSV and xlsx inputs must give the same output");
    println!("outputs identical: {same}");
}

/// Best of three end-to-end runs, and the largest peak memory seen (KiB).
fn time_binary(input: &Path, output: &Path) -> (Duration, Option<u64>) {
    let binary = env!("CARGO_BIN_EXE_stepcare");
    let mut peak = None;
    let best = (0..3)
        .map(|_| {
            let time = Path::new("/usr/bin/time");
            let mut command = if time.exists() {
                let mut c = Command::new(time);
                c.args(["-f", "%M"]).arg(binary);
                c
            } else {
                Command::new(binary)
            };
            command.args([
                "score",
                "--instrument",
                "epds",
                "--instrument",
                "phq9",
                "--instrument",
                "gad7",
                "--keep",
                "id",
                "--quiet",
                "--input",
            ]);
            let start = Instant::now();
            let run = command
                .arg(input)
                .arg("--output")
                .arg(output)
                .output()
                .expect("run stepcare");
            let took = start.elapsed();
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            if let Some(kib) = String::from_utf8_lossy(&run.stderr)
                .lines()
                .last()
                .and_then(|l| l.trim().parse::<u64>().ok())
            {
                peak = Some(peak.map_or(kib, |p: u64| p.max(kib)));
            }
            took
        })
        .min()
        .expect("three runs");
    (best, peak)
}

fn report(what: &str, rows: u32, took: Duration, baseline: Duration, peak: Option<u64>) {
    println!(
        "{what:<32} {:>8.3} s  {:>10.0} rows/s  {:.2}x CSV  peak {}",
        took.as_secs_f64(),
        f64::from(rows) / took.as_secs_f64(),
        took.as_secs_f64() / baseline.as_secs_f64(),
        peak.map_or("n/a".to_owned(), |kib| format!(
            "{:.1} MiB",
            kib as f64 / 1024.0
        ))
    );
}

/// The same synthetic export as CSV and as xlsx (answers as numbers).
fn generate(csv: &Path, xlsx: &Path, rows: u32) {
    let mut header = vec!["id".to_owned()];
    for (instrument, items) in [("epds", 10), ("phq9", 9), ("gad7", 7)] {
        header.extend((1..=items).map(|i| format!("{instrument}.q{i}")));
    }
    let mut out = BufWriter::new(File::create(csv).expect("create csv"));
    writeln!(out, "{}", header.join(",")).expect("write");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, name) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, name).expect("write header");
    }
    // A fixed xorshift sequence keeps the files the same from run to run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut line = String::with_capacity(128);
    for row in 0..rows {
        line.clear();
        let id = format!("P{row:07}");
        line.push_str(&id);
        sheet.write_string(row + 1, 0, &id).expect("write id");
        for c in 1..=26u16 {
            let r = next();
            line.push(',');
            if r % 33 != 0 {
                let points = (r >> 8) as u8 % 4;
                line.push(char::from(b'0' + points));
                sheet
                    .write_number(row + 1, c, f64::from(points))
                    .expect("write answer");
            }
        }
        writeln!(out, "{line}").expect("write");
    }
    out.flush().expect("flush");
    workbook.save(xlsx).expect("save xlsx");
}
