/// The resource types the FHIR server supports, in the order the CapabilityStatement lists them.
/// Each engineer adds their handler here with one line.
enum FHIRRegistry {
    static func handlers() -> [any FHIRResourceHandler] {
        [
            FHIRPatientHandler(),
            FHIRResearchStudyHandler(),
            FHIRResearchSubjectHandler(),
            FHIRConsentHandler(),
            FHIREncounterHandler(), FHIRObservationHandler(),
            FHIRProcedureHandler(), FHIRMedicationRequestHandler(), FHIRMedicationDispenseHandler(), FHIRMedicationStatementHandler(),
            FHIRAdverseEventHandler(), FHIRBiologicallyDerivedProductHandler(), FHIRProvenanceHandler(),
        ]
    }
}
