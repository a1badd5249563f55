import Foundation

/// The OIDs that tie an export's Dataset-JSON files to its define.xml (Dataset-JSON itemGroupOID/itemOID are
/// foreign keys to define.xml ItemGroupDef/@OID and ItemDef/@OID; studyOID and metaDataVersionOID to
/// Study/@OID and MetaDataVersion/@OID).
enum CDISCOIDs {
    static func study(_ context: ExportContext) -> String { "STUDY." + context.studyID }
    static func metaDataVersion(_ context: ExportContext) -> String { "MDV." + context.studyID + ".SDTMIG.3.4" }
    static func itemGroup(_ dataset: String) -> String { "IG." + dataset }
    static func item(_ dataset: String, _ variable: String) -> String { "IT." + dataset + "." + variable }
    static func codeList(_ name: String) -> String { "CL." + name }
    static func method(_ dataset: String, _ variable: String) -> String { "MT." + dataset + "." + variable }

    /// ISO 8601 UTC with zone designator ("2026-12-05T07:21:30Z").
    static func dateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                      c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}

/// Writes one dataset as CDISC Dataset-JSON 1.1 (`<lowercased name>.json`, UTF-8), the JSON exchange format
/// CDISC defines beside SAS XPORT (github.com/cdisc-org/DataExchange-DatasetJson, doc/dataset-json1-1.md).
/// Top-level attributes are written in the specification's recommended order (records before columns, rows
/// last), and each string column states its `length` (the longest value, in characters): both are known only
/// after the last row, so the rows are serialized to a spool file beside the output as they arrive and copied
/// behind the header by `finish()` — memory stays flat, nothing is held but the current row.
/// Values: strings (string/date/datetime/time columns) as JSON strings, `integer` columns as JSON integers
/// (a non-integral number is refused), `float` columns as JSON numbers (shortest decimal that reads back to
/// the same double), missing as null, an empty text as "". A row that does not fit is refused with an
/// `ExportError` naming the dataset, the variable and the row, and nothing is left behind.
public struct DatasetJSONWriter: DatasetWriter {
    public let spec: DatasetSpec
    public let directory: URL
    public let context: ExportContext
    public var fileName: String { spec.name.lowercased() + ".json" }
    /// Rows appended so far.
    public var rows: Int { spool.rows }

    private let spool: RowSpool
    /// Per variable, string or number, and whether an integer (read from the spec once, not per cell).
    private let kinds: [VariableSpec.Kind]
    private let integer: [Bool]

    public init(spec: DatasetSpec, directory: URL, context: ExportContext) throws {
        guard !spec.name.isEmpty, !spec.variables.isEmpty else {
            throw ExportError("dataset \(spec.name.isEmpty ? "(unnamed)" : spec.name): no name or no variables")
        }
        var seen = Set<String>()
        for variable in spec.variables where !seen.insert(variable.name).inserted || variable.name.isEmpty {
            throw ExportError("dataset \(spec.name), variable \"\(variable.name)\": empty or repeated name")
        }
        for key in spec.keys where !seen.contains(key) {
            throw ExportError("dataset \(spec.name): key variable \(key) is not a variable of the dataset")
        }
        self.spec = spec
        self.directory = directory
        self.context = context
        kinds = spec.variables.map(\.kind)
        integer = spec.variables.map { $0.dataType == .integer }
        spool = try RowSpool(directory: directory, fileName: spec.name.lowercased() + ".json", dataset: spec.name,
                             lengths: Array(repeating: 1, count: spec.variables.count))
    }

    public mutating func append(_ row: [ExportValue]) throws {
        try spool.append { rowNumber in try spoolRow(row, rowNumber: rowNumber) }
    }

    public mutating func finish() throws -> [ExportedFile] {
        try spool.finish(directory.appendingPathComponent(fileName)) { output in
            try output.write(header())
            let input = try FileHandle(forReadingFrom: spool.output.url)
            defer { try? input.close() }
            while let block = try input.read(upToCount: 1 << 20), !block.isEmpty {
                try output.write(block)
            }
            try output.write(rows == 0 ? "]\n}\n" : "\n  ]\n}\n")
        }
        return [ExportedFile(name: fileName, rows: rows, description: "\(spec.name) as CDISC Dataset-JSON 1.1")]
    }

    /// Everything before the first row, in the attribute order of the specification.
    private func header() -> String {
        let created = CDISCOIDs.dateTime(context.createdAt)
        var out = "{\n"
        func attribute(_ name: String, _ json: String, last: Bool = false) {
            out += "  " + JSONText.string(name) + ": " + json + (last ? "\n" : ",\n")
        }
        attribute("datasetJSONCreationDateTime", JSONText.string(created))
        attribute("datasetJSONVersion", JSONText.string("1.1.0"))
        attribute("fileOID", JSONText.string(CDISCOIDs.study(context) + "." + spec.name + "." + created))
        // The database is read as the export runs: its state is as of the export's own time.
        attribute("dbLastModifiedDateTime", JSONText.string(created))
        attribute("originator", JSONText.string(context.sourceSystem))
        attribute("sourceSystem", "{" + JSONText.string("name") + ": " + JSONText.string(context.sourceSystem) + ", "
                  + JSONText.string("version") + ": " + JSONText.string(context.sourceSystemVersion) + "}")
        attribute("studyOID", JSONText.string(CDISCOIDs.study(context)))
        attribute("metaDataVersionOID", JSONText.string(CDISCOIDs.metaDataVersion(context)))
        attribute("metaDataRef", JSONText.string("define.xml"))
        attribute("itemGroupOID", JSONText.string(CDISCOIDs.itemGroup(spec.name)))
        attribute("records", String(rows))
        attribute("name", JSONText.string(spec.name))
        attribute("label", JSONText.string(spec.label))
        var columns: [String] = []
        for (index, variable) in spec.variables.enumerated() {
            var column = "{" + JSONText.string("itemOID") + ": " + JSONText.string(CDISCOIDs.item(spec.name, variable.name))
            column += ", " + JSONText.string("name") + ": " + JSONText.string(variable.name)
            column += ", " + JSONText.string("label") + ": " + JSONText.string(variable.label)
            column += ", " + JSONText.string("dataType") + ": " + JSONText.string(variable.dataType == .boolean ? "string" : variable.dataType.rawValue)
            if variable.dataType == .text {
                column += ", " + JSONText.string("length") + ": " + String(spool.lengths[index])
            }
            if let key = spec.keys.firstIndex(of: variable.name) {
                column += ", " + JSONText.string("keySequence") + ": " + String(key + 1)
            }
            columns.append("    " + column + "}")
        }
        attribute("columns", "[\n" + columns.joined(separator: ",\n") + "\n  ]")
        out += "  " + JSONText.string("rows") + ": ["
        return out
    }

    /// Serializes one row to the spool (JSON text of the row array, preceded by a comma after the first) and
    /// tracks each string column's longest value. The bytes go straight into the spool's buffer (no String per
    /// row); a refused row stops the writer and its spool is removed, so a half-written row is never read.
    private func spoolRow(_ row: [ExportValue], rowNumber: Int) throws {
        guard row.count == kinds.count else {
            throw ExportError("dataset \(spec.name), row \(rowNumber): \(row.count) values for \(spec.variables.count) variables")
        }
        let out = spool.output
        out.append(rowNumber == 1 ? Self.firstRowStart : Self.rowStart)
        for index in row.indices {
            func refuse(_ why: String) -> ExportError {
                ExportError("dataset \(spec.name), variable \(spec.variables[index].name), row \(rowNumber): \(why)")
            }
            if index > 0 { out.append(0x2C); out.append(0x20) }  // ", "
            switch (kinds[index], row[index]) {
            case (_, .missing):
                out.append(Self.null)
            case (.text, .text(var text)):
                // One pass over the bytes: plain ASCII (length = byte count, no escapes) is the common case.
                let (ascii, plain, count) = text.withUTF8 { bytes in
                    var ascii = true, plain = true
                    for byte in bytes {
                        if byte >= 0x80 { ascii = false } else if byte < 0x20 || byte == 0x22 || byte == 0x5C { plain = false }
                    }
                    if plain {
                        out.append(0x22)
                        out.append(bytes)
                        out.append(0x22)
                    }
                    return (ascii, plain, bytes.count)
                }
                let length = ascii ? count : text.count
                if length > spool.lengths[index] { spool.lengths[index] = length }
                if !plain { out.append(JSONText.string(text)) }
            case (.number, .number(let number)):
                guard number.isFinite else { throw refuse("the value \(number) is not a finite number") }
                if integer[index] {
                    guard number == number.rounded(), number.magnitude <= 0x1p53 else {
                        throw refuse("the value \(number) is not an integer (the variable's type is integer)")
                    }
                    Self.appendInteger(Int64(number), to: out)
                } else if number == 0 {
                    out.append(0x30)
                } else {
                    out.append(number.description)
                }
            case (.number, .text):
                throw refuse("a text value in a numeric variable")
            case (.text, .number):
                throw refuse("a number in a character variable")
            }
        }
        out.append(0x5D)  // "]"
        try out.endPiece()
    }

    private static let firstRowStart = Array("\n    [".utf8)
    private static let rowStart = Array(",\n    [".utf8)
    private static let null = Array("null".utf8)

    /// The decimal digits of `value` (what `String(value)` gives), without a String.
    @inline(__always)
    static func appendInteger(_ value: Int64, to out: FormatFileOutput) {
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }
}

/// JSON text for the writers that stream JSON by hand.
enum JSONText {
    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped, everything else
    /// as UTF-8 (RFC 8259).
    static func string(_ text: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }
}
