//! The set of instruments a run can use: the shipped ones and a service's own.
//!
//! Shipped definitions are compiled into the binary, so `stepcare` works from
//! any directory. `--instruments DIR` adds every `*.yaml` file of a directory;
//! an id defined twice is an error naming both files.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics, SourceSpot};
use crate::instrument::{Instrument, load_instrument};

/// The shipped instrument definitions: (file name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("epds.yaml", include_str!("../instruments/epds.yaml")),
    ("phq9.yaml", include_str!("../instruments/phq9.yaml")),
    ("phq2.yaml", include_str!("../instruments/phq2.yaml")),
    ("gad7.yaml", include_str!("../instruments/gad7.yaml")),
    ("gad2.yaml", include_str!("../instruments/gad2.yaml")),
    ("whooley.yaml", include_str!("../instruments/whooley.yaml")),
    ("tweak.yaml", include_str!("../instruments/tweak.yaml")),
    ("auditc.yaml", include_str!("../instruments/auditc.yaml")),
    ("audit.yaml", include_str!("../instruments/audit.yaml")),
    ("dudit.yaml", include_str!("../instruments/dudit.yaml")),
    (
        "violence.yaml",
        include_str!("../instruments/violence.yaml"),
    ),
    ("pbq.yaml", include_str!("../instruments/pbq.yaml")),
    ("fobs.yaml", include_str!("../instruments/fobs.yaml")),
    ("risk.yaml", include_str!("../instruments/risk.yaml")),
    ("se-demo.yaml", include_str!("../instruments/se-demo.yaml")),
];

/// Where the shipped definitions appear in messages.
pub const BUILTIN_PREFIX: &str = "<builtin>/instruments/";

/// A definition file's name and text, kept for rendering diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to users.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// The instruments available to a run.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    instruments: Vec<Instrument>,
    /// Every file read, so diagnostics can show their lines.
    pub sources: Vec<SourceFile>,
}

impl Catalog {
    /// The shipped instruments only.
    ///
    /// # Panics
    /// If a shipped definition is broken; the test suite guarantees they are not.
    pub fn builtin() -> Catalog {
        Catalog::load(&[]).expect("shipped instrument definitions are valid")
    }

    /// The shipped instruments plus every `*.yaml` file in `dirs`.
    pub fn load(dirs: &[&Path]) -> Result<Catalog, Diagnostics> {
        let mut files: Vec<SourceFile> = BUILTIN
            .iter()
            .map(|(name, text)| SourceFile {
                path: format!("{BUILTIN_PREFIX}{name}"),
                text: (*text).to_owned(),
            })
            .collect();
        let mut problems = Vec::new();
        for dir in dirs {
            match read_yaml_dir(dir) {
                Ok(found) => files.extend(found),
                Err(diagnostic) => problems.push(diagnostic),
            }
        }
        let mut catalog = Catalog::default();
        for file in files {
            let (instrument, diagnostics) = load_instrument(&file.path, &file.text);
            problems.extend(diagnostics.into_iter().filter(Diagnostic::is_error));
            if let Some(instrument) = instrument {
                if let Some(first) = catalog.get(&instrument.id) {
                    problems.push(
                        Diagnostic::error(
                            &file.path,
                            SourceSpot::unknown(),
                            format!("instrument `{}` is defined twice", instrument.id),
                        )
                        .note(format!("also defined in {}", first.source_path)),
                    );
                } else {
                    catalog.instruments.push(instrument);
                }
            }
            catalog.sources.push(file);
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(Diagnostics {
                diagnostics: problems,
            })
        }
    }

    /// The instrument with this id.
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    /// Every instrument, in load order (shipped first).
    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    /// The text of a file that was read, for rendering its diagnostics.
    pub fn source_text(&self, path: &str) -> Option<&str> {
        self.sources
            .iter()
            .find(|s| s.path == path)
            .map(|s| s.text.as_str())
    }

    /// The instrument with this id, or a message listing what exists.
    pub fn require(&self, id: &str) -> Result<&Instrument, String> {
        self.get(id).ok_or_else(|| {
            let known: Vec<&str> = self.instruments.iter().map(|i| i.id.as_str()).collect();
            format!(
                "unknown instrument `{id}`; available: {} (see `stepcare list`)",
                known.join(", ")
            )
        })
    }
}

/// Reads every `*.yaml` / `*.yml` file of a directory, sorted by name.
fn read_yaml_dir(dir: &Path) -> Result<Vec<SourceFile>, Diagnostic> {
    let shown = dir.display().to_string();
    let cannot = |err: std::io::Error| {
        Diagnostic::error(
            &shown,
            SourceSpot::unknown(),
            format!("cannot read the directory: {err}"),
        )
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(cannot)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|ext| ext == "yaml" || ext == "yml")
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let shown = path.display().to_string();
            crate::yaml::read_definition(&path).map(|text| SourceFile { path: shown, text })
        })
        .collect()
}
