import RestoraCSV

/// The CSV input of `restora stats km|logrank|cox|logistic|linear|ttest…`: a `CSVDocument` (RestoraCSV, byte
/// level, RFC 4180) with the checks the analyses need. Errors name the row (header = row 1) and the column,
/// so a user can find the bad cell, and come out as `CLIFailure`.
///
/// A command that knows its columns up front (`km`, `logrank`, `cox`, `logistic`, `linear`) names them: a simple file is then read by
/// `CSVSimpleColumns` (one pass, split across the cores), and any other file — or any error — by the
/// `CSVDocument`, so the values and the messages are the same either way.
struct CSVTable: Sendable {
    private let document: CSVDocument?
    private let simple: CSVSimpleColumns?
    var source: String { simple?.source ?? document!.source }
    var header: [String] { simple?.header ?? document!.header }
    /// Whether the one-pass reader read the file (for tests and benchmarks).
    var readInOnePass: Bool { simple != nil }

    init(path: String) throws {
        document = try Self.reporting { try CSVDocument(path: path) }
        simple = nil
    }

    init(text: String, source: String = "input") throws {
        document = try Self.reporting { try CSVDocument(text: text, source: source) }
        simple = nil
    }

    /// Only the named columns: number columns (times, event indicators) and label columns (groups, strata).
    init(path: String, numbers: [String], codes: [String]) throws {
        if let columns = CSVSimpleColumns.read(path: path, numbers: numbers, codes: codes) {
            simple = columns
            document = nil
        } else {
            document = try Self.reporting { try CSVDocument(path: path) }
            simple = nil
        }
    }

    /// Data rows as written (unescaped, not trimmed), each with exactly `header.count` fields. For tests and
    /// small files: it makes a String per cell.
    var rows: [[String]] {
        guard let document else { return [] }
        return (0..<document.rowCount).map { r in header.indices.map { document.field(row: r, column: $0) } }
    }

    func columnIndex(_ name: String) throws -> Int {
        if let simple, let index = simple.header.firstIndex(of: name) { return index }
        return try Self.reporting { try full(name).columnIndex(name) }
    }

    func strings(_ name: String) throws -> [String] { try Self.reporting { try full(name).strings(name) } }

    func numbers(_ name: String) throws -> [Double] {
        if let values = simple?.numbers[name] { return values }
        return try Self.reporting { try full(name).numbers(name) }
    }

    /// Labels as codes into `labels` (sorted): a group column without a String per row.
    func codes(_ name: String) throws -> (codes: [Int32], labels: [String]) {
        if let values = simple?.codes[name] { return values }
        return try Self.reporting { try full(name).codes(name) }
    }

    /// Follow-up times: finite and not negative.
    func times(_ name: String) throws -> [Double] {
        let values = try numbers(name)
        if let i = values.firstIndex(where: { $0 < 0 }) {
            throw CLIFailure(cellPrefix(row: i, column: name) + "time \(values[i]) is negative")
        }
        return values
    }

    /// A 0/1 column (event indicator, binary outcome).
    func binary(_ name: String) throws -> [Double] {
        let values = try numbers(name)
        if let i = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw CLIFailure(cellPrefix(row: i, column: name) + "\(values[i]) is not 0 or 1")
        }
        return values
    }

    /// Event indicators: a 0/1 column as true for 1 (checked and converted in one pass over a million rows).
    func events(_ name: String) throws -> [Bool] {
        let values = try numbers(name)
        var invalid: UInt8 = 0
        let events = [Bool](unsafeUninitializedCapacity: values.count) { out, count in
            invalid = values.withUnsafeBufferPointer { v in
                var invalid: UInt8 = 0
                for i in v.indices {  // no early exit and no branch: 0/1 flags or-ed together
                    let one: UInt8 = v[i] == 1 ? 1 : 0, zero: UInt8 = v[i] == 0 ? 1 : 0
                    invalid |= 1 &- (one | zero)
                    out[i] = one == 1
                }
                return invalid
            }
            count = values.count
        }
        if invalid != 0, let i = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw CLIFailure(cellPrefix(row: i, column: name) + "\(values[i]) is not 0 or 1")
        }
        return events
    }

    private func cellPrefix(row: Int, column name: String) -> String {
        simple?.cellPrefix(row: row, column: name) ?? document!.cellPrefix(row: row, column: name)
    }

    /// The whole document; a table read for named columns has only those.
    private func full(_ name: String) throws -> CSVDocument {
        guard let document else { throw CSVError("\(source): column '\(name)' was not among the columns read") }
        return document
    }

    private static func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CSVError { throw CLIFailure(error.message) }
    }
}
