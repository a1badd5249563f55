/// What a dataset holds: its name, label and variables in order. The SDTM datasets, the CSV tables and their
/// data dictionary, define.xml and Dataset-JSON are all written from these specs, so the metadata a reader gets
/// always describes the data it gets.
public struct DatasetSpec: Sendable, Hashable {
    /// The dataset name: an SDTM domain ("DM", "LB", "SUPPLB") or a CSV table's name ("observations").
    public var name: String
    /// A human label ("Demographics"); at most 40 characters for SAS XPORT.
    public var label: String
    /// The SDTM class ("SPECIAL PURPOSE", "FINDINGS", "EVENTS", "INTERVENTIONS", "TRIAL DESIGN", "RELATIONSHIP"),
    /// nil for non-SDTM tables.
    public var observationClass: String?
    /// define.xml Structure: "One record per subject", "One record per lab test per visit per subject", …
    public var structure: String?
    /// The key variables in order (define.xml KeySequence, Dataset-JSON keySequence).
    public var keys: [String]
    public var variables: [VariableSpec]

    public init(name: String, label: String, observationClass: String? = nil, structure: String? = nil,
                keys: [String] = [], variables: [VariableSpec]) {
        self.name = name
        self.label = label
        self.observationClass = observationClass
        self.structure = structure
        self.keys = keys
        self.variables = variables
    }
}

/// One variable (column) of a dataset.
public struct VariableSpec: Sendable, Hashable {
    /// How the value is stored: SAS has only character and numeric.
    public enum Kind: String, Sendable, Hashable { case text, number }

    /// The finer type define.xml and Dataset-JSON state (define.xml DataType / Dataset-JSON dataType).
    public enum DataType: String, Sendable, Hashable {
        case text = "string", integer, float = "float", date, datetime, time, boolean

        public var kind: Kind {
            switch self {
            case .integer, .float: return .number
            default: return .text
            }
        }
    }

    /// A coded value and its meaning (a codelist entry: "M" → "Male").
    public struct Code: Sendable, Hashable {
        public var value: String
        public var meaning: String
        public init(_ value: String, _ meaning: String) {
            self.value = value
            self.meaning = meaning
        }
    }

    public var name: String
    public var label: String
    public var dataType: DataType
    /// The unit every value of the variable is in (CSV dictionary), when there is one.
    public var unit: String?
    /// The codelist's name (a CDISC CT codelist such as "SEX", or our own) when values are coded.
    public var codelist: String?
    /// The allowed values with their meanings; empty when the variable is not coded.
    public var codes: [Code]
    /// SDTM role: "Identifier", "Topic", "Timing", "Grouping Qualifier", "Result Qualifier", "Record Qualifier",
    /// "Synonym Qualifier", "Variable Qualifier", "Rule"; nil outside SDTM.
    public var role: String?
    /// define.xml Origin: "Collected", "Derived", "Assigned", "Protocol", "Predecessor".
    public var origin: String?
    /// How a derived value is computed, in words (define.xml MethodDef, CSV dictionary).
    public var derivation: String?

    public init(name: String, label: String, dataType: DataType, unit: String? = nil, codelist: String? = nil,
                codes: [Code] = [], role: String? = nil, origin: String? = nil, derivation: String? = nil) {
        self.name = name
        self.label = label
        self.dataType = dataType
        self.unit = unit
        self.codelist = codelist
        self.codes = codes
        self.role = role
        self.origin = origin
        self.derivation = derivation
    }

    public var kind: Kind { dataType.kind }
}
