/// One cell of an exported dataset. Every writer (SAS XPORT, Dataset-JSON, CSV, ODM) renders the same values,
/// so the formats of one export agree cell by cell.
public enum ExportValue: Sendable, Hashable {
    /// Character data (UTF-8). An empty text and `.missing` are the same in SAS (a blank character value).
    case text(String)
    /// A number: SAS numeric (IBM System/370 double in XPT), JSON number, CSV decimal with a dot.
    case number(Double)
    /// A missing value: SAS "." for numbers and blank for characters, JSON null, empty CSV field.
    case missing

    /// `.text`, or `.missing` when `value` is nil.
    public static func text(_ value: String?) -> ExportValue { value.map { .text($0) } ?? .missing }
    /// `.number`, or `.missing` when `value` is nil.
    public static func number(_ value: Double?) -> ExportValue { value.map { .number($0) } ?? .missing }
    public static func integer(_ value: Int?) -> ExportValue { value.map { .number(Double($0)) } ?? .missing }

    public var isMissing: Bool {
        switch self {
        case .missing: return true
        case .text(let s): return s.isEmpty
        case .number: return false
        }
    }
}
