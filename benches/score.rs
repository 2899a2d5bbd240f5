//! Throughput of `score` against a plain CSV pass-through of the same file.
//!
//! Run with `cargo bench --bench score` (add `-- --rows N` for another size).
//! It writes a synthetic export with EPDS, PHQ-9 and GAD-7 columns (1,000,000
//! rows by default) under `target/`, then in the same run times:
//! - the baseline: read every record into one reused `ByteRecord` and write
//!   every field back with `csv::Writer`;
//! - `stepcare::batch::score_stream` on the same file, writing CSV;
//! - the release binary end to end, with its peak memory when `/usr/bin/time`
//!   is available.
//!
//! Each timing is the best of three runs; the figure that matters is the ratio.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use stepcare::batch::output::CsvSink;
use stepcare::batch::{BatchOptions, score_stream};
use stepcare::catalog::Catalog;

fn main() {
    let rows: u64 = std::env::args()
        .skip_while(|a| a != "--rows")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    let input = dir.join(format!("score-{rows}.csv"));
    if !input.exists() {
        generate(&input, rows);
    }
    let size = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
    println!(
        "input: {} ({rows} rows, {:.1} MB)",
        input.display(),
        size as f64 / 1e6
    );

    let output = dir.join("out.csv");
    let baseline = best_of(3, || pass_through(&input, &output));
    report("csv pass-through (baseline)", rows, baseline, baseline);

    let catalog = Catalog::builtin();
    let instruments: Vec<_> = ["epds", "phq9", "gad7"]
        .iter()
        .map(|id| catalog.get(id).expect("shipped instrument"))
        .collect();
    let options = BatchOptions {
        keep: vec!["id".to_owned()],
        ..BatchOptions::default()
    };
    let library = best_of(3, || {
        let out = BufWriter::new(File::create(&output).expect("create output"));
        let mut sink = CsvSink::new(out, b',', false);
        let file = File::open(&input).expect("open input");
        let summary = score_stream(file, &instruments, &options, &mut sink).expect("score");
        assert_eq!(summary.rows, rows);
    });
    report("stepcare::batch::score_stream", rows, library, baseline);

    let binary = env!("CARGO_BIN_EXE_stepcare");
    let args = [
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
    ];
    let mut peak_kib = None;
    let end_to_end = best_of(3, || {
        let time = Path::new("/usr/bin/time");
        let mut command = if time.exists() {
            let mut c = Command::new(time);
            c.args(["-f", "%M"]).arg(binary);
            c
        } else {
            Command::new(binary)
        };
        let run = command
            .args(args)
            .arg(&input)
            .arg("--output")
            .arg(&output)
            .output()
            .expect("run stepcare");
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
            peak_kib = Some(peak_kib.map_or(kib, |p: u64| p.max(kib)));
        }
    });
    report(
        "stepcare score (binary, end to end)",
        rows,
        end_to_end,
        baseline,
    );
    match peak_kib {
        Some(kib) => println!(
            "peak memory of `stepcare score`: {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("peak memory: /usr/bin/time not available"),
    }
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn report(what: &str, rows: u64, took: Duration, baseline: Duration) {
    println!(
        "{what:<40} {:>8.3} s  {:>10.0} rows/s  {:.2}x baseline",
        took.as_secs_f64(),
        rows as f64 / took.as_secs_f64(),
        took.as_secs_f64() / baseline.as_secs_f64()
    );
}

/// The baseline: every record read into one reused record and every field written back.
fn pass_through(input: &Path, output: &Path) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(input)
        .expect("open input");
    let mut writer = csv::Writer::from_path(output).expect("create output");
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).expect("read") {
        writer.write_byte_record(&record).expect("write");
    }
    writer.flush().expect("flush");
}

/// A synthetic export: an id and 26 item columns, about 3% blanks.
fn generate(path: &Path, rows: u64) {
    let mut out = BufWriter::new(File::create(path).expect("create input"));
    let mut header = vec!["id".to_owned()];
    for (instrument, items) in [("epds", 10), ("phq9", 9), ("gad7", 7)] {
        header.extend((1..=items).map(|i| format!("{instrument}.q{i}")));
    }
    writeln!(out, "{}", header.join(",")).expect("write");
    // A fixed xorshift sequence keeps the file the same from run to run.
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
        line.push_str(&format!("P{row:07}"));
        for _ in 0..26 {
            let r = next();
            line.push(',');
            if r % 33 != 0 {
                line.push(char::from(b'0' + (r >> 8) as u8 % 4));
            }
        }
        writeln!(out, "{line}").expect("write");
    }
    out.flush().expect("flush");
}
