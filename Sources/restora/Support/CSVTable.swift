import RestoraCSV

/// The CSV input of `restora stats km|logrank|cox|logistic|linear|ttest…`: a `CSVDocument` (RestoraCSV, byte
/// level, RFC 4180) with the checks the analyses need. Errors name the row (header = row 1) and the column,
/// so a user can find the bad cell, and come out as `CLIFailure`.
struct CSVTable: Sendable {
    let document: CSVDocument
    var source: String { document.source }
    var header: [String] { document.header }

    init(path: String) throws {
        document = try Self.reporting { try CSVDocument(path: path) }
    }

    init(text: String, source: String = "input") throws {
        document = try Self.reporting { try CSVDocument(text: text, source: source) }
    }

    /// Data rows as written (unescaped, not trimmed), each with exactly `header.count` fields. For tests and
    /// small files: it makes a String per cell.
    var rows: [[String]] {
        (0..<document.rowCount).map { r in header.indices.map { document.field(row: r, column: $0) } }
    }

    func columnIndex(_ name: String) throws -> Int { try Self.reporting { try document.columnIndex(name) } }

    func strings(_ name: String) throws -> [String] { try Self.reporting { try document.strings(name) } }

    func numbers(_ name: String) throws -> [Double] { try Self.reporting { try document.numbers(name) } }

    /// Labels as codes into `labels` (sorted): a group column without a String per row.
    func codes(_ name: String) throws -> (codes: [Int32], labels: [String]) { try Self.reporting { try document.codes(name) } }

    /// Follow-up times: finite and not negative.
    func times(_ name: String) throws -> [Double] {
        let values = try numbers(name)
        if let i = values.firstIndex(where: { $0 < 0 }) {
            throw CLIFailure(document.cellPrefix(row: i, column: name) + "time \(values[i]) is negative")
        }
        return values
    }

    /// A 0/1 column (event indicator, binary outcome).
    func binary(_ name: String) throws -> [Double] {
        let values = try numbers(name)
        if let i = values.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw CLIFailure(document.cellPrefix(row: i, column: name) + "\(values[i]) is not 0 or 1")
        }
        return values
    }

    private static func reporting<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as CSVError { throw CLIFailure(error.message) }
    }
}
