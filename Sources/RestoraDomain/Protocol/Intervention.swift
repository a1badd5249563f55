/// What participants receive: a drug course, or one step of a cell-therapy procedure chain
/// (harvest → processing → release → injection). Written in YAML as an id plus exactly one of
/// `drug:` or `procedure:`.
public struct Intervention: Hashable, Sendable, Codable {
    public enum Detail: Hashable, Sendable {
        case drug(DrugRegimen)
        case procedure(ProcedureStep)
    }

    public var id: String
    public var title: String
    public var detail: Detail
    public var note: String?

    public init(id: String, title: String, detail: Detail, note: String? = nil) {
        self.id = id
        self.title = title
        self.detail = detail
        self.note = note
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case id, title, drug, procedure, note }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        note = try c.decodeIfPresent(String.self, forKey: .note)
        switch (c.contains(.drug), c.contains(.procedure)) {
        case (true, false): detail = .drug(try c.decode(DrugRegimen.self, forKey: .drug))
        case (false, true): detail = .procedure(try c.decode(ProcedureStep.self, forKey: .procedure))
        default:
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "an intervention needs exactly one of: drug, procedure"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encodeIfPresent(note, forKey: .note)
        switch detail {
        case let .drug(regimen): try c.encode(regimen, forKey: .drug)
        case let .procedure(step): try c.encode(step, forKey: .procedure)
        }
    }
}

/// A drug course, e.g. isotretinoin (RxNorm 6064) 20 mg by mouth twice daily for 26 weeks (REFERENCE.md A1, F3).
/// In YAML the frequency is `timesPerDay: n` or, for a weekly dose (issue #14), `timesPerWeek: n` — exactly one.
public struct DrugRegimen: Hashable, Sendable, Codable {
    public var drug: Coding
    public var dose: Quantity
    /// "oral", "intravenous", …
    public var route: String
    public var frequency: DoseFrequency
    public var durationWeeks: Int
    /// Administration advice, e.g. "with meals" (REFERENCE.md A2, RA-4).
    public var instructions: String?

    public init(drug: Coding, dose: Quantity, route: String, frequency: DoseFrequency, durationWeeks: Int,
                instructions: String? = nil) {
        self.drug = drug
        self.dose = dose
        self.route = route
        self.frequency = frequency
        self.durationWeeks = durationWeeks
        self.instructions = instructions
    }

    public init(drug: Coding, dose: Quantity, route: String, timesPerDay: Int, durationWeeks: Int,
                instructions: String? = nil) {
        self.init(drug: drug, dose: dose, route: route, frequency: .daily(timesPerDay), durationWeeks: durationWeeks,
                  instructions: instructions)
    }

    /// Doses a day of a daily regimen; nil for a weekly one.
    public var timesPerDay: Int? { frequency.period == .day ? frequency.dosesPerPeriod : nil }

    /// The dose per period: 40 mg a day for 20 mg twice daily, 70 mg a week for 70 mg once weekly.
    public var dosePerPeriod: Quantity { Quantity(dose.value * Double(frequency.dosesPerPeriod), dose.unit) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case drug, dose, route, timesPerDay, timesPerWeek, durationWeeks, instructions
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        drug = try c.decode(Coding.self, forKey: .drug)
        dose = try c.decode(Quantity.self, forKey: .dose)
        route = try c.decode(String.self, forKey: .route)
        switch (try c.decodeIfPresent(Int.self, forKey: .timesPerDay), try c.decodeIfPresent(Int.self, forKey: .timesPerWeek)) {
        case let (n?, nil): frequency = .daily(n)
        case let (nil, n?): frequency = .weekly(n)
        default:
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "a drug regimen needs exactly one of: timesPerDay, timesPerWeek"))
        }
        durationWeeks = try c.decode(Int.self, forKey: .durationWeeks)
        instructions = try c.decodeIfPresent(String.self, forKey: .instructions)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(drug, forKey: .drug)
        try c.encode(dose, forKey: .dose)
        try c.encode(route, forKey: .route)
        try c.encode(frequency.dosesPerPeriod, forKey: frequency.period == .day ? .timesPerDay : .timesPerWeek)
        try c.encode(durationWeeks, forKey: .durationWeeks)
        try c.encodeIfPresent(instructions, forKey: .instructions)
    }
}

/// One step of an autologous cell-therapy chain with the options the protocol allows at that step.
public struct ProcedureStep: Hashable, Sendable, Codable {
    public enum Step: String, Hashable, Sendable, Codable, CaseIterable {
        case harvest, processing, release, injection
    }

    public var step: Step
    /// Harvest: allowed source tissues ("bone-marrow-aspirate", "adipose-lipoaspirate").
    public var sourceTissues: [String]?
    /// Harvest volume or injected volume in mL, inclusive range.
    public var volumeML: ValueRange?
    public var anaesthesia: [Procedure.Anaesthesia]?
    public var imagingGuidance: [Procedure.ImagingGuidance]?
    /// Injection sites the protocol allows ("testis", "hip", "lumbar spine", "wrist").
    public var anatomicalSites: [String]?
    /// Cells per dose, inclusive range; the binding value for release is `release.dose` of the protocol.
    public var doseCells: ValueRange?
    public var description: String?

    public init(step: Step, sourceTissues: [String]? = nil, volumeML: ValueRange? = nil,
                anaesthesia: [Procedure.Anaesthesia]? = nil, imagingGuidance: [Procedure.ImagingGuidance]? = nil,
                anatomicalSites: [String]? = nil, doseCells: ValueRange? = nil, description: String? = nil) {
        self.step = step
        self.sourceTissues = sourceTissues
        self.volumeML = volumeML
        self.anaesthesia = anaesthesia
        self.imagingGuidance = imagingGuidance
        self.anatomicalSites = anatomicalSites
        self.doseCells = doseCells
        self.description = description
    }
}

/// An inclusive numeric range; either end may be open.
public struct ValueRange: Hashable, Sendable, Codable {
    public var min: Double?
    public var max: Double?

    public init(min: Double? = nil, max: Double? = nil) {
        self.min = min
        self.max = max
    }

    public var text: String {
        switch (min, max) {
        case let (low?, high?): return "\(NumberText.plain(low))–\(NumberText.plain(high))"
        case let (low?, nil): return "≥ \(NumberText.plain(low))"
        case let (nil, high?): return "≤ \(NumberText.plain(high))"
        case (nil, nil): return "any"
        }
    }
}
