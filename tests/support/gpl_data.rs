//! The GPL-3 data sets of `tests/data`, shared by the unit tests of
//! `src/accuracy` and the end-to-end tests of `cutoffs`.

/// Whether the GPL-3 data file `name` of tests/data is missing, and so its
/// tests are skipped. The files are kept out of the published crate (see
/// tests/data/README.md) but are in every checkout, so under CI a missing file
/// is a failure, never a skip.
#[allow(clippy::print_stderr)]
pub fn absent(name: &str) -> bool {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    if path.exists() {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: the known-answer tests must run in CI",
        path.display()
    );
    eprintln!(
        "skipped: {} is absent (see tests/data/README.md)",
        path.display()
    );
    true
}
