//! The JSON Schemas for editors: committed copies that match the loader's
//! types, and every shipped YAML file valid against them.

mod common;

use std::path::{Path, PathBuf};

use common::{root, stepcare};
use stepcare::schemas::SchemaKind;

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// Every shipped definition and rule table, with the kind of its schema.
fn shipped() -> Vec<(PathBuf, SchemaKind)> {
    let mut files: Vec<(PathBuf, SchemaKind)> = yaml_files(&root().join("instruments"))
        .into_iter()
        .map(|p| (p, SchemaKind::Instrument))
        .collect();
    for dir in ["instruments/rules", "examples/rules"] {
        files.extend(
            yaml_files(&root().join(dir))
                .into_iter()
                .map(|p| (p, SchemaKind::RuleTable)),
        );
    }
    assert!(files.len() >= 13, "{files:?}");
    files
}

fn committed(kind: SchemaKind) -> PathBuf {
    root().join("schemas").join(kind.file_name())
}

#[test]
fn committed_schemas_are_the_generated_ones() {
    for kind in SchemaKind::ALL {
        let path = committed(kind);
        let generated = kind.text();
        // SCHEMAS_UPDATE=1 cargo test --test schemas rewrites them after a format change.
        if std::env::var_os("SCHEMAS_UPDATE").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == generated,
            "{} is stale: the loader's types changed. Regenerate with \
             `SCHEMAS_UPDATE=1 cargo test --test schemas` and review the diff.",
            path.display()
        );
    }
}

#[test]
fn schema_prints_the_committed_schema() {
    for kind in SchemaKind::ALL {
        let output = stepcare().args(["schema", kind.name()]).output().unwrap();
        assert!(output.status.success());
        assert_eq!(
            String::from_utf8(output.stdout).unwrap(),
            std::fs::read_to_string(committed(kind)).unwrap()
        );
    }
    let unknown = stepcare().args(["schema", "band"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

fn validator(kind: SchemaKind) -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(committed(kind)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn yaml_value(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn every_shipped_yaml_names_and_meets_its_schema() {
    for (path, kind) in shipped() {
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let reference = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: no yaml-language-server line first", path.display()));
        let target = path.parent().unwrap().join(reference);
        assert_eq!(
            target.canonicalize().unwrap(),
            committed(kind).canonicalize().unwrap(),
            "{}",
            path.display()
        );
        let validator = validator(kind);
        let value = yaml_value(&text);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

#[test]
fn the_schema_flags_what_the_loader_refuses() {
    let epds = std::fs::read_to_string(root().join("instruments/epds.yaml")).unwrap();
    let validator = validator(SchemaKind::Instrument);
    assert!(validator.is_valid(&yaml_value(&epds)));
    // An unknown key, as a typo would make it.
    let typo = epds.replacen("\nversion:", "\nversoin:", 1);
    assert!(!validator.is_valid(&yaml_value(&typo)));
    // A label that is not a map of languages.
    let mut value = yaml_value(&epds);
    value["name"] = serde_json::json!(["EPDS"]);
    assert!(!validator.is_valid(&value));

    let pack =
        "instrument: epds\nlanguage: en\nitems:\n  q1:\n    text: A wording\n    colour: red\n";
    assert!(!validator_for_pack().is_valid(&yaml_value(pack)));
    let good = "instrument: epds\nlanguage: en\nitems:\n  q1:\n    text: A wording\n";
    assert!(validator_for_pack().is_valid(&yaml_value(good)));
}

fn validator_for_pack() -> jsonschema::Validator {
    validator(SchemaKind::TextPack)
}
