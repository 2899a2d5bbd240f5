//! A process allowed one core scores on one thread: the output must not change.

mod common;

use std::path::Path;
use std::process::Command;

/// An export with blanks, invalid cells, an unanswered self-harm item and a
/// short row, long enough to span several of the reading thread's batches.
fn export() -> String {
    let mut text = String::from("id,");
    let items: Vec<String> = (1..=10).map(|i| format!("epds.q{i}")).collect();
    text.push_str(&items.join(","));
    text.push('\n');
    for row in 0..3000u32 {
        text.push_str(&format!("P{row}"));
        for item in 0..10u32 {
            text.push(',');
            match (row * 7 + item * 3) % 41 {
                0 => {}
                1 => text.push('7'),
                n => text.push(char::from(b'0' + (n % 4) as u8)),
            }
        }
        if row % 997 == 5 {
            text.push_str(",extra");
        }
        text.push('\n');
    }
    text
}

fn score(input: &Path, pinned: bool, extra: &[&str]) -> std::process::Output {
    let binary = env!("CARGO_BIN_EXE_stepcare");
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command
        .args(["score", "--instrument", "epds", "--keep", "id", "--input"])
        .arg(input)
        .args(extra)
        .output()
        .expect("run stepcare")
}

#[test]
fn one_core_writes_what_two_cores_write() {
    if !Path::new("/usr/bin/taskset").exists() {
        eprintln!("taskset is not installed: nothing to compare");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.csv");
    std::fs::write(&input, export()).unwrap();
    // Without --rules: loading a table runs its analysis, which is slow in a test build.
    for extra in [&[][..], &["--format", "jsonl"][..]] {
        let two = score(&input, false, extra);
        let one = score(&input, true, extra);
        assert!(two.status.success(), "{}", common::transcript(&two));
        assert_eq!(one.status, two.status);
        assert_eq!(
            String::from_utf8_lossy(&one.stdout),
            String::from_utf8_lossy(&two.stdout),
            "{extra:?}"
        );
        assert_eq!(
            String::from_utf8_lossy(&one.stderr),
            String::from_utf8_lossy(&two.stderr)
        );
        // A header (CSV) and one line per input row.
        let lines = two.stdout.iter().filter(|&&b| b == b'\n').count();
        assert!(lines >= 3000, "{lines} lines for 3000 rows");
    }
}
