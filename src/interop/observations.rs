//! Scores written back as FHIR Observations (NDJSON).
