//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The built `stepcare` binary, run from the repository root with a fixed environment.
pub fn stepcare() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("stepcare").expect("binary is built");
    cmd.current_dir(root())
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("NO_COLOR", "1");
    cmd
}

/// The shipped instruments, loaded once per test binary.
pub fn catalog() -> &'static stepcare::catalog::Catalog {
    static CATALOG: std::sync::OnceLock<stepcare::catalog::Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(stepcare::catalog::Catalog::builtin)
}

/// Answers given as points (`None`: not answered), one per item.
pub fn by_points(
    instrument: &stepcare::instrument::Instrument,
    points: &[Option<i32>],
) -> Vec<stepcare::scoring::Answer> {
    use stepcare::scoring::Answer;
    instrument
        .items
        .iter()
        .zip(points)
        .map(|(item, p)| match p {
            None => Answer::Missing,
            Some(p) => Answer::Chosen(
                item.options
                    .iter()
                    .position(|o| o.points == *p)
                    .expect("an option with these points") as u8,
            ),
        })
        .collect()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Exit code, stdout and stderr of a finished run, as one text for a snapshot.
pub fn transcript(output: &std::process::Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output
            .status
            .code()
            .map_or("signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
