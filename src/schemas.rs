//! JSON Schemas of the YAML formats, for editors.
//!
//! Each schema is generated from the very types the loader deserializes
//! (`RawInstrument`, `RawTable`, `RawTextPack`), so a key the loader accepts
//! is a key the schema knows, and an unknown key is flagged in the editor as
//! `validate` would flag it. The committed copies under `schemas/` are checked
//! against these by a test, so they cannot drift. A schema only describes
//! the shape of a file; `stepcare validate` still checks what a shape cannot
//! say (references, bands covering every score, rule-table gaps).

use schemars::generate::SchemaSettings;

/// The formats that have a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// An instrument definition (`instruments/*.yaml`).
    Instrument,
    /// A stepped-care rule table (`instruments/rules/*.yaml`).
    RuleTable,
    /// A text pack of licensed wording, kept by a service.
    TextPack,
}

impl SchemaKind {
    /// Every kind, in the order they are listed.
    pub const ALL: [SchemaKind; 3] = [
        SchemaKind::Instrument,
        SchemaKind::RuleTable,
        SchemaKind::TextPack,
    ];

    /// The kind's name on the command line: `instrument`, `rule-table`, `text-pack`.
    pub fn name(self) -> &'static str {
        match self {
            SchemaKind::Instrument => "instrument",
            SchemaKind::RuleTable => "rule-table",
            SchemaKind::TextPack => "text-pack",
        }
    }

    /// The file the schema is committed as, under `schemas/`.
    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.name())
    }

    /// The schema as JSON.
    pub fn schema(self) -> serde_json::Value {
        // Draft 7 is the draft editors' YAML support (yaml-language-server) knows best.
        let generator = SchemaSettings::draft07().into_generator();
        let (schema, title) = match self {
            SchemaKind::Instrument => (
                generator.into_root_schema_for::<crate::instrument::schema::RawInstrument>(),
                "stepcare instrument definition",
            ),
            SchemaKind::RuleTable => (
                generator.into_root_schema_for::<crate::rules::schema::RawTable>(),
                "stepcare rule table",
            ),
            SchemaKind::TextPack => (
                generator.into_root_schema_for::<crate::texts::RawTextPack>(),
                "stepcare text pack",
            ),
        };
        let mut value = schema.to_value();
        if let Some(object) = value.as_object_mut() {
            object.insert("title".into(), title.into());
        }
        value
    }

    /// The schema as the pretty-printed text committed under `schemas/`.
    pub fn text(self) -> String {
        let mut text = serde_json::to_string_pretty(&self.schema())
            .unwrap_or_else(|_| unreachable!("a JSON value always serializes"));
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_as_the_loader_refuses_them() {
        for kind in SchemaKind::ALL {
            let schema = kind.schema();
            assert_eq!(
                schema["additionalProperties"],
                serde_json::Value::Bool(false),
                "{}",
                kind.name()
            );
        }
    }

    #[test]
    fn required_keys_follow_the_loader() {
        let instrument = SchemaKind::Instrument.schema();
        let required = instrument["required"].as_array().unwrap();
        for key in ["id", "name", "version", "citation", "licence", "items"] {
            assert!(required.iter().any(|k| k == key), "{key}");
        }
        // A key with a default is optional.
        assert!(!required.iter().any(|k| k == "flags"));
    }
}
