import Foundation

/// One measured or assessed fact about a participant: a lab value, one parameter of a semen analysis,
/// a DXA BMD, a PHQ-9 score, a coded finding. Panels (a semen analysis, a lipid panel) are several
/// observations sharing a `panelID` and, where relevant, a specimen.
public struct Observation: Hashable, Sendable, Codable, Identifiable {
    public var id: Identifier<Observation>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>?
    public var visitID: Identifier<Visit>?
    public var panelID: String?
    public var code: Coding
    public var value: ObservationValue
    public var effective: Date
    public var specimen: SpecimenDetails?
    /// e.g. "left", "lumbar spine L1-L4", "femoral neck": where on the body the value was measured.
    public var bodySite: String?
    public var note: String?
    /// The upper limit of normal the laboratory printed with the value, in the value's unit: CTCAE grades
    /// ALT, AST, bilirubin, GGT, ALP and cholesterol relative to it (REFERENCE.md E1).
    public var upperLimitOfNormal: Double?

    public init(
        id: Identifier<Observation>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        visitID: Identifier<Visit>? = nil, panelID: String? = nil, code: Coding, value: ObservationValue,
        effective: Date, specimen: SpecimenDetails? = nil, bodySite: String? = nil, note: String? = nil,
        upperLimitOfNormal: Double? = nil
    ) {
        self.upperLimitOfNormal = upperLimitOfNormal
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.visitID = visitID
        self.panelID = panelID
        self.code = code
        self.value = value
        self.effective = effective
        self.specimen = specimen
        self.bodySite = bodySite
        self.note = note
    }

    public var effectiveDate: CalendarDate { CalendarDate(effective) }
}

/// The value of an observation: a quantity with a UCUM unit, a coded value, a count, a yes/no or text.
/// Encoded as a keyed object with exactly one key, e.g. `{"quantity": {"value": 150, "unit": "mg/dL"}}`,
/// `{"coded": {"system": "restora", "code": "azoospermia"}}`, `{"boolean": true}`.
public enum ObservationValue: Hashable, Sendable {
    case quantity(Quantity)
    case coded(Coding)
    case integer(Int)
    case boolean(Bool)
    case text(String)

    public var quantity: Quantity? { if case let .quantity(q) = self { return q } else { return nil } }
    public var coding: Coding? { if case let .coded(c) = self { return c } else { return nil } }

    /// A numeric reading of the value where one exists (quantity value or integer).
    public var number: Double? {
        switch self {
        case let .quantity(q): return q.value
        case let .integer(i): return Double(i)
        default: return nil
        }
    }
}

extension ObservationValue: Codable {
    private enum Key: String, CodingKey, CaseIterable { case quantity, coded, integer, boolean, text }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let present = c.allKeys
        guard present.count == 1, let key = present.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a value needs exactly one of: quantity, coded, integer, boolean, text"))
        }
        switch key {
        case .quantity: self = .quantity(try c.decode(Quantity.self, forKey: .quantity))
        case .coded: self = .coded(try c.decode(Coding.self, forKey: .coded))
        case .integer: self = .integer(try c.decode(Int.self, forKey: .integer))
        case .boolean: self = .boolean(try c.decode(Bool.self, forKey: .boolean))
        case .text: self = .text(try c.decode(String.self, forKey: .text))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case let .quantity(q): try c.encode(q, forKey: .quantity)
        case let .coded(v): try c.encode(v, forKey: .coded)
        case let .integer(v): try c.encode(v, forKey: .integer)
        case let .boolean(v): try c.encode(v, forKey: .boolean)
        case let .text(v): try c.encode(v, forKey: .text)
        }
    }
}

/// How the specimen was handled, where the rules depend on it. Azoospermia is only confirmed when the
/// pellet of a centrifuged sample was examined (REFERENCE.md B2, B3).
public struct SpecimenDetails: Hashable, Sendable, Codable {
    public enum PelletFinding: String, Hashable, Sendable, Codable, CaseIterable {
        case noSperm = "no-sperm"
        case nonMotileSperm = "non-motile-sperm"
        case motileSperm = "motile-sperm"
    }

    /// e.g. "semen", "serum", "bone-marrow-aspirate".
    public var type: String
    public var collected: Date?
    public var centrifuged: Bool?
    public var centrifugationG: Double?
    public var centrifugationMinutes: Double?
    public var pelletExamined: Bool?
    public var pelletFinding: PelletFinding?
    public var abstinenceDays: Int?
    public var note: String?

    public init(
        type: String, collected: Date? = nil, centrifuged: Bool? = nil, centrifugationG: Double? = nil,
        centrifugationMinutes: Double? = nil, pelletExamined: Bool? = nil, pelletFinding: PelletFinding? = nil,
        abstinenceDays: Int? = nil, note: String? = nil
    ) {
        self.type = type
        self.collected = collected
        self.centrifuged = centrifuged
        self.centrifugationG = centrifugationG
        self.centrifugationMinutes = centrifugationMinutes
        self.pelletExamined = pelletExamined
        self.pelletFinding = pelletFinding
        self.abstinenceDays = abstinenceDays
        self.note = note
    }
}
