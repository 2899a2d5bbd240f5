//! Throughput of `score` against a plain CSV pass-through of the same file.
//!
//! Run with `cargo bench --bench score` (options after `--`: `--rows N` for
//! another input size, `--runs N` for more rounds). It writes a synthetic
//! export with an id and EPDS, PHQ-9 and GAD-7 item columns (1,000,000 rows,
//! about 60 MB, by default) under `target/`, then times, as whole processes:
//! - the floor: a CSV pass-through that reads every record into one reused
//!   `ByteRecord` and writes every field back with `csv::Writer`;
//! - `stepcare::batch::score_stream` writing CSV, from this bench's own
//!   executable started again as a child;
//! - the release binary, `stepcare score`, with and without `--rules no-default`
//!   (the care columns);
//!
//! each on both cores and pinned to one core with `taskset -c 0`. Wall time is
//! taken around the child; CPU time (user + system) and peak resident memory
//! come from `/usr/bin/time` (the child's `getrusage`). The configurations run
//! interleaved, one of each per round, and every ratio is taken against the
//! pass-through of the same round and the same cores, so a noisy neighbour
//! slows both sides of a ratio. The report gives the median wall and CPU per
//! configuration, the largest peak memory, and min / median / max of each
//! ratio over the rounds.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use stepcare::batch::output::CsvSink;
use stepcare::batch::{BatchOptions, score_stream};
use stepcare::catalog::Catalog;

/// The instruments scored, and their item counts in the synthetic export.
const INSTRUMENTS: [(&str, usize); 3] = [("epds", 10), ("phq9", 9), ("gad7", 7)];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--child") {
        child(&args[at + 1..]);
        return;
    }
    let option = |name: &str, default: u64| {
        args.iter()
            .skip_while(|a| *a != name)
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    let rows = option("--rows", 1_000_000);
    let runs = option("--runs", 5).max(1) as usize;

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    let input = dir.join(format!("score-{rows}.csv"));
    if !input.exists() {
        generate(&input, rows);
    }
    let size = std::fs::metadata(&input).map(|m| m.len()).unwrap_or(0);
    println!(
        "input: {} ({rows} rows, {:.1} MB); {runs} rounds",
        input.display(),
        size as f64 / 1e6
    );
    let have_time = Path::new("/usr/bin/time").exists();
    let have_taskset = Path::new("/usr/bin/taskset").exists();
    if !have_time {
        println!("/usr/bin/time is missing: CPU time and peak memory are not measured");
    }
    let output = dir.join("out.csv");
    let configs = configurations(&input, &output, have_taskset);
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); configs.len()];
    for _ in 0..runs {
        for (config, samples) in configs.iter().zip(&mut samples) {
            samples.push(measure(&config.command, have_time, &dir));
        }
    }
    print_report(&configs, &samples, rows);
}

/// One thing timed: a name, a command line, and the configuration its ratios are taken against.
struct Config {
    name: String,
    command: Vec<String>,
    /// Index of the pass-through on the same cores.
    floor: usize,
}

fn configurations(input: &Path, output: &Path, have_taskset: bool) -> Vec<Config> {
    let this = std::env::current_exe()
        .expect("the bench's own path")
        .display()
        .to_string();
    let input = input.display().to_string();
    let output = output.display().to_string();
    let child = |what: &str| -> Vec<String> {
        vec![
            this.clone(),
            "--child".into(),
            what.into(),
            input.clone(),
            output.clone(),
        ]
    };
    let mut binary: Vec<String> = vec![env!("CARGO_BIN_EXE_stepcare").into(), "score".into()];
    for (id, _) in INSTRUMENTS {
        binary.extend(["--instrument".into(), id.into()]);
    }
    binary.extend(
        [
            "--keep", "id", "--quiet", "--input", &input, "--output", &output,
        ]
        .map(String::from),
    );
    let mut care = binary.clone();
    care.extend(["--rules", "no-default", "--set", "respondent=mother"].map(String::from));
    let programs = [
        ("csv pass-through (the floor)", child("pass-through")),
        ("library score_stream", child("library")),
        ("binary score", binary),
        ("binary score --rules no-default", care),
    ];
    let mut configs = Vec::new();
    let pinnings: &[bool] = if have_taskset {
        &[false, true]
    } else {
        &[false]
    };
    for &pinned in pinnings {
        let floor = configs.len();
        for (name, command) in &programs {
            let mut command = command.clone();
            if pinned {
                command.splice(0..0, ["taskset".into(), "-c".into(), "0".into()]);
            }
            configs.push(Config {
                name: format!("{name}, {}", if pinned { "1 core" } else { "2 cores" }),
                command,
                floor,
            });
        }
    }
    configs
}

/// One run of one configuration.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: f64,
    /// User + system seconds, when `/usr/bin/time` is there.
    cpu: Option<f64>,
    peak_kib: Option<u64>,
}

fn measure(command: &[String], have_time: bool, dir: &Path) -> Sample {
    let stats = dir.join("time.txt");
    let mut run = if have_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-o").arg(&stats).args(["-f", "%U %S %M"]);
        c.args(command);
        c
    } else {
        let mut c = Command::new(&command[0]);
        c.args(&command[1..]);
        c
    };
    let start = Instant::now();
    let done = run.output().expect("run a child");
    let wall = start.elapsed().as_secs_f64();
    assert!(
        done.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let mut sample = Sample {
        wall,
        cpu: None,
        peak_kib: None,
    };
    if have_time {
        let text = std::fs::read_to_string(&stats).unwrap_or_default();
        let fields: Vec<f64> = text
            .lines()
            .last()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        if let [user, system, peak] = fields[..] {
            sample.cpu = Some(user + system);
            sample.peak_kib = Some(peak as u64);
        }
    }
    sample
}

fn print_report(configs: &[Config], samples: &[Vec<Sample>], rows: u64) {
    println!(
        "\n{:<46} {:>8} {:>8} {:>9} {:>10}",
        "median of the rounds", "wall s", "CPU s", "peak MiB", "rows/s"
    );
    for (config, runs) in configs.iter().zip(samples) {
        let wall = median(runs.iter().map(|s| s.wall).collect());
        let cpu = runs.iter().map(|s| s.cpu).collect::<Option<Vec<_>>>();
        let peak = runs.iter().filter_map(|s| s.peak_kib).max();
        println!(
            "{:<46} {:>8.3} {:>8} {:>9} {:>10.0}",
            config.name,
            wall,
            cpu.map_or("-".into(), |c| format!("{:.3}", median(c))),
            peak.map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
            rows as f64 / wall
        );
    }
    println!(
        "\n{:<46} {:>22} {:>22}",
        "ratio to the floor, same round and cores", "wall min/med/max", "CPU min/med/max"
    );
    for (index, (config, runs)) in configs.iter().zip(samples).enumerate() {
        if index == config.floor {
            continue;
        }
        let floor = &samples[config.floor];
        let ratios = |pick: fn(&Sample) -> Option<f64>| -> String {
            let list: Option<Vec<f64>> = runs
                .iter()
                .zip(floor)
                .map(|(s, f)| Some(pick(s)? / pick(f)?))
                .collect();
            match list {
                Some(mut list) if !list.is_empty() => {
                    list.sort_by(f64::total_cmp);
                    format!(
                        "{:.2} / {:.2} / {:.2}",
                        list[0],
                        median(list.clone()),
                        list[list.len() - 1]
                    )
                }
                _ => "-".into(),
            }
        };
        println!(
            "{:<46} {:>22} {:>22}",
            config.name,
            ratios(|s| Some(s.wall)),
            ratios(|s| s.cpu)
        );
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The bench started again as a child: `--child pass-through|library INPUT OUTPUT`.
fn child(args: &[String]) {
    let [what, input, output] = args else {
        panic!("usage: --child pass-through|library INPUT OUTPUT");
    };
    match what.as_str() {
        "pass-through" => pass_through(Path::new(input), Path::new(output)),
        "library" => library(Path::new(input), Path::new(output)),
        other => panic!("unknown child `{other}`"),
    }
}

/// The floor: every record read into one reused record and every field written back.
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

/// The library on the same file, writing CSV like the binary does.
fn library(input: &Path, output: &Path) {
    let catalog = Catalog::builtin();
    let instruments: Vec<_> = INSTRUMENTS
        .iter()
        .map(|(id, _)| catalog.get(id).expect("shipped instrument"))
        .collect();
    let options = BatchOptions {
        keep: vec!["id".to_owned()],
        ..BatchOptions::default()
    };
    let out = BufWriter::new(File::create(output).expect("create output"));
    let mut sink = CsvSink::new(out, b',', false);
    let file = File::open(input).expect("open input");
    score_stream(file, &instruments, &options, &mut sink).expect("score");
}

/// A synthetic export: an id and 26 item columns, about 3% blanks.
fn generate(path: &Path, rows: u64) {
    let mut out = BufWriter::new(File::create(path).expect("create input"));
    let mut header = vec!["id".to_owned()];
    for (instrument, items) in INSTRUMENTS {
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
