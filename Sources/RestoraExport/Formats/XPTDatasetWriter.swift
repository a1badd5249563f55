import Foundation

/// Writes one dataset as a SAS XPORT version 5 transport file `<lowercased name>.xpt` with one member, the
/// layout of SAS TS-140 ("The Record Layout of a Data Set in SAS Transport (XPORT) Format"), which is what the
/// FDA accepts for study data. docs/xpt-format.md lists every decision; in short:
/// - names (dataset and variables) are 1–8 of A–Z, 0–9 and "_", starting with a letter or "_"; labels are at most
///   40 ASCII characters; character values are at most 200 bytes; anything else is REFUSED with an `ExportError`
///   naming the dataset, the variable and the row, never truncated;
/// - numbers are IBM System/370 doubles converted exactly (`IBMFloat`); missing numbers are SAS ".";
/// - character values are ASCII by default (a value with another character is refused); with `encoding: .utf8`
///   they are written as UTF-8 bytes and the reader must be told the encoding;
/// - a character variable's length is the longest value's byte length (at least 1). As that length sits in the
///   header before the data, rows are spooled to a temporary file beside the output while the lengths are
///   tracked, and `finish()` writes header + rows from the spool: memory stays flat whatever the row count.
/// A refused row or a failed finish removes the spool and leaves no `.xpt` behind.
public struct XPTDatasetWriter: DatasetWriter {
    public enum CharacterEncoding: String, Sendable, Hashable {
        /// Character values must be ASCII (the FDA's recommendation); another character is refused.
        case ascii
        /// Character values are written as UTF-8 bytes (the 200-byte limit counts bytes).
        case utf8
    }

    public let spec: DatasetSpec
    public let directory: URL
    public let encoding: CharacterEncoding
    /// The file name written: `<lowercased name>.xpt`.
    public var fileName: String { spec.name.lowercased() + ".xpt" }
    /// Rows appended so far.
    public var rows: Int { spool.rows }
    /// The byte length of each character variable so far (longest value, at least 1), by variable name; numeric
    /// variables are 8. After `finish()` these are the lengths written (define.xml's Length).
    public var lengths: [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(spec.variables.map(\.name), spool.lengths))
    }

    private let spool: RowSpool
    private let createdAt: Date
    /// Per variable, numeric or character (read from the spec once, not per cell).
    private let kinds: [VariableSpec.Kind]

    /// The SAS XPORT v5 limits (TS-140).
    public static let maxNameLength = 8
    public static let maxLabelLength = 40
    public static let maxCharacterBytes = 200
    public static let maxVariables = 9999

    public init(spec: DatasetSpec, directory: URL, encoding: CharacterEncoding = .ascii,
                createdAt: Date = Date()) throws {
        try Self.validate(spec)
        self.spec = spec
        self.directory = directory
        self.encoding = encoding
        self.createdAt = createdAt
        kinds = spec.variables.map(\.kind)
        spool = try RowSpool(directory: directory, fileName: spec.name.lowercased() + ".xpt", dataset: spec.name,
                             lengths: spec.variables.map { $0.kind == .number ? 8 : 1 })
    }

    /// Checks the dataset and variable names and labels against the XPORT v5 limits.
    public static func validate(_ spec: DatasetSpec) throws {
        if let problem = nameProblem(spec.name) {
            throw ExportError("dataset \(quoted(spec.name)): the name \(problem)")
        }
        if let problem = labelProblem(spec.label) {
            throw ExportError("dataset \(spec.name): the dataset label \(problem)")
        }
        guard !spec.variables.isEmpty else { throw ExportError("dataset \(spec.name): no variables") }
        guard spec.variables.count <= maxVariables else {
            throw ExportError("dataset \(spec.name): \(spec.variables.count) variables; SAS XPORT v5 holds at most \(maxVariables)")
        }
        var seen = Set<String>()
        for variable in spec.variables {
            if let problem = nameProblem(variable.name) {
                throw ExportError("dataset \(spec.name), variable \(quoted(variable.name)): the name \(problem)")
            }
            if let problem = labelProblem(variable.label) {
                throw ExportError("dataset \(spec.name), variable \(variable.name): the label \(problem)")
            }
            guard seen.insert(variable.name).inserted else {
                throw ExportError("dataset \(spec.name), variable \(variable.name): the name appears twice")
            }
        }
    }

    /// Why `name` is not a SAS XPORT v5 name, or nil when it is one.
    public static func nameProblem(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { return "is empty" }
        guard bytes.count <= maxNameLength, name.unicodeScalars.count == bytes.count else {
            return "has \(name.count) characters; SAS XPORT v5 allows at most \(maxNameLength) ASCII characters"
        }
        func letter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || b == 0x5F }
        guard letter(bytes[0]) else { return "must start with an upper-case letter A-Z or an underscore" }
        guard bytes.allSatisfy({ letter($0) || (0x30...0x39).contains($0) }) else {
            return "may hold only upper-case letters A-Z, digits and underscores"
        }
        return nil
    }

    /// Why `label` is not a SAS XPORT v5 label, or nil when it is one.
    public static func labelProblem(_ label: String) -> String? {
        guard label.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
            return "must be printable ASCII (no accents, symbols beyond ASCII or control characters)"
        }
        guard label.utf8.count <= maxLabelLength else {
            return "has \(label.utf8.count) characters; SAS XPORT v5 allows at most \(maxLabelLength)"
        }
        return nil
    }

    public mutating func append(_ row: [ExportValue]) throws {
        try spool.append { rowNumber in try spoolRow(row, rowNumber: rowNumber) }
    }

    public mutating func finish() throws -> [ExportedFile] {
        try spool.finish(directory.appendingPathComponent(fileName)) { output in
            try writeHeader(to: output)
            try copyRows(to: output)
            // The last record is padded to 80 bytes with blanks (TS-140).
            try output.flush()
            let tail = output.bytesWritten % 80
            if tail != 0 { try output.write(repeating: 0x20, count: 80 - tail) }
        }
        let kind = encoding == .ascii ? "ASCII" : "UTF-8"
        return [ExportedFile(name: fileName, rows: rows, description: "\(spec.name) as SAS XPORT v5 (\(kind) character data)")]
    }

    // MARK: - Header (TS-140)

    private func writeHeader(to out: FormatFileOutput) throws {
        let stamp = Self.sasDateTime(createdAt)
        // Library header.
        try out.write(Self.headerRecord("LIBRARY", "000000000000000000000000000000"))
        try out.write(Self.field("SAS", 8) + Self.field("SAS", 8) + Self.field("SASLIB", 8) + Self.field("9.4", 8)
                      + Self.field("LINUX", 8) + Self.field("", 24) + stamp)
        try out.write(stamp + Self.field("", 64))
        // Member header: 0160 = the descriptor record size, 0140 = the NAMESTR size.
        try out.write(Self.headerRecord("MEMBER ", "000000000000000001600000000140"))
        try out.write(Self.headerRecord("DSCRPTR", "000000000000000000000000000000"))
        try out.write(Self.field("SAS", 8) + Self.field(spec.name, 8) + Self.field("SASDATA", 8) + Self.field("9.4", 8)
                      + Self.field("LINUX", 8) + Self.field("", 24) + stamp)
        try out.write(stamp + Self.field("", 16) + Self.field(spec.label, 40) + Self.field("", 8))
        // NAMESTR header with the variable count, then one 140-byte NAMESTR per variable.
        let count = String(spec.variables.count)
        try out.write(Self.headerRecord("NAMESTR", "000000" + String(repeating: "0", count: 4 - count.count) + count
                                        + "00000000000000000000"))
        var position = 0
        for (index, variable) in spec.variables.enumerated() {
            let length = spool.lengths[index]
            var namestr: [UInt8] = []
            namestr.reserveCapacity(140)
            func short(_ v: Int) { namestr.append(UInt8(truncatingIfNeeded: v >> 8)); namestr.append(UInt8(truncatingIfNeeded: v)) }
            short(variable.kind == .number ? 1 : 2)   // ntype
            short(0)                                   // nhfun
            short(length)                              // nlng
            short(index + 1)                           // nvar0 (varnum)
            namestr += Self.field(variable.name, 8).utf8      // nname
            namestr += Self.field(variable.label, 40).utf8    // nlabel
            namestr += Self.field("", 8).utf8                 // nform (no format)
            short(0); short(0); short(0)               // nfl, nfd, nfj
            namestr += [0, 0]                          // nfill
            namestr += Self.field("", 8).utf8                 // niform
            short(0); short(0)                         // nifl, nifd
            for shift in stride(from: 24, through: 0, by: -8) { namestr.append(UInt8(truncatingIfNeeded: position >> shift)) } // npos
            namestr += repeatElement(0, count: 52)     // rest
            try out.write(namestr)
            position += length
        }
        try out.flush()
        let tail = out.bytesWritten % 80
        if tail != 0 { try out.write(repeating: 0x20, count: 80 - tail) }
        try out.write(Self.headerRecord("OBS    ", "000000000000000000000000000000"))
    }

    /// Rewrites the spooled rows at their fixed widths: numbers as their 8 IBM bytes, text blank-padded.
    private func copyRows(to out: FormatFileOutput) throws {
        let input = try FormatFileInput(url: spool.output.url)
        defer { input.close() }
        let lengths = spool.lengths
        for _ in 0..<rows {
            for index in kinds.indices {
                switch kinds[index] {
                case .number:
                    try input.copy(8, to: out)
                case .text:
                    let count = Int(try input.readByte())
                    try input.copy(count, to: out)
                    out.append(repeating: 0x20, count: lengths[index] - count)
                }
            }
            try out.endPiece()
        }
    }

    static func headerRecord(_ kind: String, _ digits: String) -> String {
        "HEADER RECORD*******" + kind + " HEADER RECORD!!!!!!!" + digits + "  "
    }

    /// `text` left-aligned and blank-padded to `width` (callers pass validated ASCII no longer than `width`).
    static func field(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.utf8.count))
    }

    /// SAS's header datetime: ddMMMyy:hh:mm:ss in UTC ("05DEC26:07:21:30").
    static func sasDateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
        return String(format: "%02d", c.day ?? 1) + months[(c.month ?? 1) - 1]
            + String(format: "%02d:%02d:%02d:%02d", (c.year ?? 0) % 100, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    private static func quoted(_ s: String) -> String { "\"" + s + "\"" }

    // MARK: - Spool

    /// Checks one row and spools it: per variable, 8 IBM bytes for a number, or a length byte (0–200) and the
    /// character bytes for text; tracks each character variable's longest value.
    private func spoolRow(_ row: [ExportValue], rowNumber: Int) throws {
        guard row.count == spec.variables.count else {
            throw ExportError("dataset \(spec.name), row \(rowNumber): \(row.count) values for \(spec.variables.count) variables")
        }
        let out = spool.output
        for index in row.indices {
            func refuse(_ why: String) -> ExportError {
                ExportError("dataset \(spec.name), variable \(spec.variables[index].name), row \(rowNumber): \(why)")
            }
            switch (kinds[index], row[index]) {
            case (.number, .missing):
                out.append(bigEndian: IBMFloat.missingBits)
            case (.number, .number(let number)):
                switch IBMFloat.encode(number) {
                case .success(let bits): out.append(bigEndian: bits)
                case .failure(let failure): throw refuse("the value \(number) \(failure.reason)")
                }
            case (.number, .text):
                throw refuse("a text value in a numeric variable")
            case (.text, .number):
                throw refuse("a number in a character variable")
            case (.text, .missing):
                out.append(0)
            case (.text, .text(var text)):
                try text.withUTF8 { bytes in
                    guard bytes.count <= XPTDatasetWriter.maxCharacterBytes else {
                        throw refuse("the value has \(bytes.count) bytes; SAS XPORT v5 allows at most \(XPTDatasetWriter.maxCharacterBytes)")
                    }
                    var nul = false, nonASCII = false
                    for byte in bytes {
                        if byte == 0 { nul = true } else if byte >= 0x80 { nonASCII = true }
                    }
                    if nul { throw refuse("the value contains a NUL character") }
                    if encoding == .ascii, nonASCII {
                        throw refuse("the value has a non-ASCII character; this export writes ASCII character data (docs/xpt-format.md)")
                    }
                    if bytes.count > spool.lengths[index] { spool.lengths[index] = bytes.count }
                    out.append(UInt8(bytes.count))
                    out.append(bytes)
                }
            }
        }
        try out.endPiece()
    }
}
