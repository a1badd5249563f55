/// Age in completed years on the screening date; both bounds inclusive ("aged 21–60").
public struct AgeRule: Hashable, Sendable, Codable {
    public var min: Int?
    public var max: Int?

    public init(min: Int? = nil, max: Int? = nil) {
        self.min = min
        self.max = max
    }
}

/// A diagnosis by exact code or code prefix (ICD-10-CM by default, REFERENCE.md F2). A prefix matches
/// the code and its subcodes: `N46.0` matches `N46.01` and `N46.023`.
public struct DiagnosisRule: Hashable, Sendable, Codable {
    public var system: CodeSystem?
    public var codes: [String]?
    public var prefixes: [String]?

    public init(system: CodeSystem? = nil, codes: [String]? = nil, prefixes: [String]? = nil) {
        self.system = system
        self.codes = codes
        self.prefixes = prefixes
    }

    public var codeSystem: CodeSystem { system ?? .icd10cm }
}

/// The most recent value of `code` within `withinDays` before the date, compared with a threshold in `unit`.
/// A value in another unit is converted only when a conversion is declared; otherwise the criterion is unknown
/// and says so — a silent unit mix-up (mmol/L read as mg/dL) is worse than a missing value.
public struct LatestValueRule: Hashable, Sendable, Codable {
    public var code: Coding
    public var withinDays: Int
    public var comparison: ThresholdComparison
    public var value: Double
    public var unit: String
    public var conversions: [UnitConversion]?

    public init(code: Coding, withinDays: Int, comparison: ThresholdComparison, value: Double, unit: String,
                conversions: [UnitConversion]? = nil) {
        self.code = code
        self.withinDays = withinDays
        self.comparison = comparison
        self.value = value
        self.unit = unit
        self.conversions = conversions
    }
}

/// `value in the rule's unit = observed value × factor`, for an observation recorded in `from`.
public struct UnitConversion: Hashable, Sendable, Codable {
    public var from: String
    public var factor: Double

    public init(from: String, factor: Double) {
        self.from = from
        self.factor = factor
    }
}

/// At least `atLeast` observations of `code` within `withinDays` before the date, optionally only those
/// whose coded value is in `values` and whose specimen meets `specimen`; with `minimumDaysApart`, the counted
/// observations must be that many days apart ("two analyses at least one week apart", REFERENCE.md A2).
public struct ObservationCountRule: Hashable, Sendable, Codable {
    public var code: Coding
    public var values: [Coding]?
    public var specimen: SpecimenCondition?
    public var withinDays: Int
    public var atLeast: Int
    public var minimumDaysApart: Int?

    public init(code: Coding, values: [Coding]? = nil, specimen: SpecimenCondition? = nil, withinDays: Int,
                atLeast: Int, minimumDaysApart: Int? = nil) {
        self.code = code
        self.values = values
        self.specimen = specimen
        self.withinDays = withinDays
        self.atLeast = atLeast
        self.minimumDaysApart = minimumDaysApart
    }
}

/// Specimen handling a counted observation must have had, e.g. an examined centrifuged pellet (REFERENCE.md B3).
public struct SpecimenCondition: Hashable, Sendable, Codable {
    public var pelletExamined: Bool?
    public var centrifuged: Bool?

    public init(pelletExamined: Bool? = nil, centrifuged: Bool? = nil) {
        self.pelletExamined = pelletExamined
        self.centrifuged = centrifuged
    }
}

/// A medication by class (`ConcomitantMedication.drugClass`) or by code. Without `withinDays` it must be
/// current on the date; with it, taken at any time in the `withinDays` before the date ("isotretinoin within
/// 8 weeks", REFERENCE.md A2).
public struct MedicationRule: Hashable, Sendable, Codable {
    public var classes: [String]?
    public var codes: [Coding]?
    public var withinDays: Int?

    public init(classes: [String]? = nil, codes: [Coding]? = nil, withinDays: Int? = nil) {
        self.classes = classes
        self.codes = codes
        self.withinDays = withinDays
    }
}

/// A prior procedure by kind or code, found among the record's procedures or its history items of kind procedure.
public struct ProcedureRule: Hashable, Sendable, Codable {
    public var kinds: [Procedure.Kind]?
    public var codes: [Coding]?

    public init(kinds: [Procedure.Kind]? = nil, codes: [Coding]? = nil) {
        self.kinds = kinds
        self.codes = codes
    }
}

/// A history item by kind and/or code.
public struct HistoryRule: Hashable, Sendable, Codable {
    public var kinds: [HistoryItem.Kind]?
    public var codes: [Coding]?

    public init(kinds: [HistoryItem.Kind]? = nil, codes: [Coding]? = nil) {
        self.kinds = kinds
        self.codes = codes
    }
}
