import Foundation
import RestoraDomain

/// The one place the FHIR server maps Restora's code systems to canonical FHIR URIs and back, and names the
/// other FHIR code systems and extensions it writes. Other resource owners add lines here (small edits).
///
/// Restora systems (`CodeSystem`): LOINC http://loinc.org, SNOMED CT http://snomed.info/sct, UCUM
/// http://unitsofmeasure.org, ICD-10-CM http://hl7.org/fhir/sid/icd-10-cm, RxNorm
/// http://www.nlm.nih.gov/research/umls/rxnorm, CTCAE and Restora's local codes as `CodeSystem.uri` says.
/// MedDRA (the codes of CTCAE v5 terms) is http://terminology.hl7.org/CodeSystem/mdr (HL7 Terminology, THO).
enum FHIRCodeSystems {
    // MARK: HL7 code systems the resources use
    static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
    static let observationInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
    static let actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    static let meddra = "http://terminology.hl7.org/CodeSystem/mdr"
    /// NCI Thesaurus (HL7 THO `v3-nciThesaurus`).
    static let nciThesaurus = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
    /// CTCAE grades 0–5 as integers (HL7 CTCAE IG, http://hl7.org/fhir/us/ctcae): the grade of a CTCAE-graded
    /// laboratory value in `Observation.interpretation`.
    static let ctcaeGrade = "http://hl7.org/fhir/us/ctcae/CodeSystem/ctcae-grade-code-system"
    static let ucum = CodeSystem.ucum.uri
    /// Restora's own local codes (also the system of a visit's schedule name, Encounter.type).
    static let restora = CodeSystem.restora.uri
    static let visitType = CodeSystem.restora.uri + "/visit"
    static let encounterStatus = CodeSystem.restora.uri + "/visit-status"

    // MARK: Restora extensions (https://restora.example/fhir/StructureDefinition/<name>)
    static let extensionBase = "https://restora.example/fhir/StructureDefinition/"
    static func extensionURL(_ name: String) -> String { extensionBase + name }
    /// Observation: the panel (semen analysis, DXA scan) the value was recorded in.
    static let panelExtension = extensionURL("observation-panel")
    /// Observation, Encounter: the enrolment (ResearchSubject) the record belongs to.
    static let enrolmentExtension = extensionURL("research-subject")
    /// Every update (PUT) of recorded data (Patient, Observation, AdverseEvent): the reason for change the audit
    /// trail requires (valueString; FHIR has no element for it). The one URL every type reads (docs/fhir.md).
    static let changeReasonExtension = extensionURL("change-reason")
    /// Observation: the CTCAE v5.0 term a graded laboratory value was graded under, and how.
    static let ctcaeTermExtension = extensionURL("ctcae-term")
    /// Encounter: the protocol's planned day and visit window.
    static let visitWindowExtension = extensionURL("visit-window")
    /// Encounter: Restora's own visit status (scheduled, completed, missed, cancelled) beside the R4 status.
    static let visitStatusExtension = extensionURL("visit-status")
    /// Contained Specimen of an Observation: centrifugation and pellet examination (REFERENCE.md B2, B3).
    static let specimenCentrifugedExtension = extensionURL("specimen-centrifuged")
    static let specimenCentrifugationGExtension = extensionURL("specimen-centrifugation-g")
    static let specimenCentrifugationMinutesExtension = extensionURL("specimen-centrifugation-minutes")
    static let specimenPelletExaminedExtension = extensionURL("specimen-pellet-examined")
    static let specimenPelletFindingExtension = extensionURL("specimen-pellet-finding")
    static let specimenAbstinenceDaysExtension = extensionURL("specimen-abstinence-days")

    // MARK: Restora system ↔ URI

    static func uri(_ system: CodeSystem) -> String { system.uri }

    /// The Restora system a FHIR `system` URI stands for (nil: a system Restora does not record).
    static func system(uri: String) -> CodeSystem? {
        if let known = byURI[uri] { return known }
        // Common spellings seen in practice.
        switch uri {
        case "http://www.snomed.org/", "urn:oid:2.16.840.1.113883.6.96": return .snomed
        case "urn:oid:2.16.840.1.113883.6.1": return .loinc
        case "urn:oid:2.16.840.1.113883.6.8": return .ucum
        case "urn:oid:2.16.840.1.113883.6.90": return .icd10cm
        case "urn:oid:2.16.840.1.113883.6.88": return .rxnorm
        default: return nil
        }
    }

    private static let byURI: [String: CodeSystem] = Dictionary(uniqueKeysWithValues: CodeSystem.allCases.map { ($0.uri, $0) })

    static func coding(_ coding: Coding) -> FHIRJSON {
        .object([
            "system": .string(coding.system.uri),
            "code": .string(coding.code),
            "display": coding.display.map { .string($0) },
        ])
    }

    static func codeableConcept(_ coding: Coding, text: String? = nil) -> FHIRJSON {
        .object([
            "coding": .array([self.coding(coding)]),
            "text": (text ?? coding.display).map { .string($0) },
        ])
    }

    static func codeableConcept(system: String, code: String, display: String?, text: String? = nil) -> FHIRJSON {
        .object([
            "coding": .array([.object(["system": .string(system), "code": .string(code), "display": display.map { .string($0) }])]),
            "text": text.map { .string($0) },
        ])
    }

    /// The first coding of a CodeableConcept whose system Restora records (`path` names the concept).
    /// Missing coding/code → 400 (required); only unknown systems → 422 naming the first system.
    static func coding(from concept: FHIRJSON?, at path: String) throws -> Coding {
        guard let concept, case .object = concept else {
            throw FHIRError(status: 400, code: .required, diagnostics: "\(path) is required", expression: [path])
        }
        guard let codings = concept["coding"]?.arrayValue, !codings.isEmpty else {
            throw FHIRError(status: 400, code: .required, diagnostics: "\(path).coding is required (a code with its system)", expression: ["\(path).coding"])
        }
        var firstUnknown: (Int, String)?
        for (index, coding) in codings.enumerated() {
            guard let code = coding["code"]?.stringValue?.trimmingCharacters(in: .whitespaces), !code.isEmpty else {
                throw FHIRError(status: 400, code: .required, diagnostics: "\(path).coding[\(index)].code is required",
                                expression: ["\(path).coding[\(index)].code"])
            }
            guard let uri = coding["system"]?.stringValue else {
                throw FHIRError(status: 400, code: .required, diagnostics: "\(path).coding[\(index)].system is required (e.g. http://loinc.org)",
                                expression: ["\(path).coding[\(index)].system"])
            }
            if let system = system(uri: uri) {
                return Coding(system, code, display: coding["display"]?.stringValue)
            }
            if firstUnknown == nil { firstUnknown = (index, uri) }
        }
        let (index, uri) = firstUnknown!
        throw FHIRError.unprocessable(
            "\(uri) is not a code system Restora records (LOINC, SNOMED CT, UCUM, ICD-10-CM, RxNorm, CTCAE or \(restora))",
            at: "\(path).coding[\(index)].system", code: .codeInvalid)
    }

    // MARK: Observation category (http://terminology.hl7.org/CodeSystem/observation-category)

    /// The category of an observation, from its code: DXA values are `imaging`, PHQ-9 `survey`, alcohol use
    /// `social-history`, physical findings `exam`; every other LOINC code and Restora's laboratory local codes
    /// `laboratory`; any other local code has no category.
    static func observationCategory(_ code: Coding) -> String? {
        if let explicit = explicitCategory[key(code)] { return explicit }
        return code.system == .loinc ? "laboratory" : nil
    }

    static let categoryDisplay: [String: String] = [
        "laboratory": "Laboratory", "imaging": "Imaging", "survey": "Survey", "exam": "Exam",
        "social-history": "Social History", "vital-signs": "Vital Signs", "procedure": "Procedure",
        "therapy": "Therapy", "activity": "Activity",
    ]

    private static func key(_ code: Coding) -> String { "\(code.system.rawValue)#\(code.code)" }

    static let explicitCategories: [(Coding, String)] = {
        var list: [(Coding, String)] = SkeletalSite.allCases.flatMap { [(ClinicalCodes.dxaBMD($0), "imaging"), (ClinicalCodes.dxaTScore($0), "imaging")] }
        list += [
            (ClinicalCodes.phq9, "survey"),
            (ClinicalCodes.alcohol, "social-history"),
            (ClinicalCodes.testicularVolume, "exam"),
            (ClinicalCodes.fractureReview, "exam"),
            (ClinicalCodes.semenClassification, "laboratory"),
            (ClinicalCodes.histology, "laboratory"),
            (ClinicalCodes.karyotype, "laboratory"),
            (ClinicalCodes.yMicrodeletion, "laboratory"),
        ]
        return list
    }()

    private static let explicitCategory: [String: String] = Dictionary(
        explicitCategories.map { (key($0.0), $0.1) }, uniquingKeysWith: { first, _ in first })

    /// The codes of a category as a search condition (the SQL twin of `observationCategory`).
    static func categoryCondition(_ category: String) -> FHIRTableCondition<FHIRObservationColumn> {
        func codeIs(_ coding: Coding) -> FHIRTableCondition<FHIRObservationColumn> {
            .all([.text(.codeSystem, .equal, coding.system.rawValue), .text(.code, .equal, coding.code)])
        }
        let explicit = explicitCategories.filter { $0.1 == category }.map { codeIs($0.0) }
        guard category == "laboratory" else { return .any(explicit) }
        let otherLOINC = explicitCategories.filter { $0.1 != "laboratory" && $0.0.system == .loinc }.map { codeIs($0.0) }
        return .any(explicit + [.all([.text(.codeSystem, .equal, CodeSystem.loinc.rawValue), .not(.any(otherLOINC))])])
    }
}
