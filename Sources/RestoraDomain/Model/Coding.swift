/// The code systems Restora speaks (REFERENCE.md F). `restora` is our own local system for concepts that
/// have no standard code (e.g. "semen classification", "pellet examined").
public enum CodeSystem: String, Codable, Sendable, CaseIterable {
    case loinc
    case snomed
    case icd10cm = "icd10-cm"
    case rxnorm
    case ucum
    case ctcae
    case restora

    /// The canonical URI used in FHIR.
    public var uri: String {
        switch self {
        case .loinc: return "http://loinc.org"
        case .snomed: return "http://snomed.info/sct"
        case .icd10cm: return "http://hl7.org/fhir/sid/icd-10-cm"
        case .rxnorm: return "http://www.nlm.nih.gov/research/umls/rxnorm"
        case .ucum: return "http://unitsofmeasure.org"
        case .ctcae: return "https://evs.nci.nih.gov/ftp1/CTCAE"
        case .restora: return "https://restora.example/codes"
        }
    }
}

/// A code in a code system, with an optional human display.
public struct Coding: Hashable, Sendable, Codable, CustomStringConvertible {
    public var system: CodeSystem
    public var code: String
    public var display: String?

    public init(_ system: CodeSystem, _ code: String, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }

    /// Two codings denote the same concept when system and code agree; the display is decoration.
    public func sameConcept(as other: Coding) -> Bool { system == other.system && code == other.code }

    public var description: String { "\(system.rawValue)#\(code)" }
}
