//! FHIR QuestionnaireResponses read as rows for the batch scorer.
