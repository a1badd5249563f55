import Foundation

/// One CTCAE v5.0 term as adverse events are coded with it (REFERENCE.md E1): the term name, its MedDRA code,
/// its system organ class, the grades CTCAE defines for it (a term whose row prints "-" under grade 4 and 5
/// cannot be graded 4 or 5) and the criteria text of each of those grades.
public struct CTCAETermEntry: Hashable, Sendable, Codable {
    public var meddraCode: String
    public var term: String
    public var systemOrganClass: String
    public var grades: [Int]
    /// The NCI criteria of each defined grade, in grade order (empty when the list read carries no texts).
    public var gradeCriteria: [GradeCriterion]
    /// Where the row came from (the data file's Source column).
    public var source: String

    /// One grade's criteria as the NCI sheet prints them ("Covering <10% BSA and no associated erythema or pruritus").
    public struct GradeCriterion: Hashable, Sendable, Codable {
        public var grade: Int
        public var criteria: String

        public init(grade: Int, criteria: String) {
            self.grade = grade
            self.criteria = criteria
        }
    }

    public init(meddraCode: String, term: String, systemOrganClass: String, grades: [Int], source: String,
                gradeCriteria: [GradeCriterion] = []) {
        self.meddraCode = meddraCode
        self.term = term
        self.systemOrganClass = systemOrganClass
        self.grades = grades
        self.gradeCriteria = gradeCriteria
        self.source = source
    }

    enum CodingKeys: String, CodingKey { case meddraCode, term, systemOrganClass, grades, gradeCriteria, source }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        meddraCode = try c.decode(String.self, forKey: .meddraCode)
        term = try c.decode(String.self, forKey: .term)
        systemOrganClass = try c.decode(String.self, forKey: .systemOrganClass)
        grades = try c.decode([Int].self, forKey: .grades)
        gradeCriteria = try c.decodeIfPresent([GradeCriterion].self, forKey: .gradeCriteria) ?? []
        source = try c.decode(String.self, forKey: .source)
    }

    /// "<SOC> - Other, specify": the only terms that take free text (CTCAE v5.0 convention).
    public var isOtherSpecify: Bool { term.lowercased().hasSuffix("- other, specify") }

    /// The criteria text of `grade`, nil when the term does not define it or the list has no texts.
    public func criteria(forGrade grade: Int) -> String? { gradeCriteria.first { $0.grade == grade }?.criteria }
}

/// The CTCAE v5.0 term list: the full NCI sheet (837 terms, 26 system organ classes) shipped in
/// `Safety/Resources/ctcae-v5-terms.csv` with its source in the file header, or another export of the NCI sheet
/// as CSV when `RESTORA_CTCAE_TERMS_CSV` names that file (docs/safety.md "Term list").
public struct CTCAETermList: Sendable {
    public let entries: [CTCAETermEntry]
    /// Where the list was read from (shown on the form and in the report draft).
    public let origin: String
    private let byCode: [String: CTCAETermEntry]
    private let byName: [String: CTCAETermEntry]

    public init(entries: [CTCAETermEntry], origin: String) {
        self.entries = entries
        self.origin = origin
        byCode = Dictionary(entries.map { ($0.meddraCode, $0) }, uniquingKeysWith: { first, _ in first })
        byName = Dictionary(entries.map { ($0.term.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The list every door uses: the NCI sheet named by `RESTORA_CTCAE_TERMS_CSV`, else the shipped sheet.
    /// Parsed once per process (a `static let`); docs/safety.md gives the parse time.
    /// A configured sheet that cannot be read never falls back silently: `restora serve` and `restora demo`
    /// call `configured()` before they serve and refuse to start naming the file; should the list be read
    /// anyway, it is empty, so every coded term is refused rather than judged against the wrong list.
    public static let standard: CTCAETermList = (try? configured())
        ?? CTCAETermList(entries: [], origin: "RESTORA_CTCAE_TERMS_CSV could not be read")

    /// The configured list, or a refusal naming the setting and the file.
    public static func configured(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CTCAETermList {
        // The shipped sheet is parsed once per process (`shipped`); parsed again only to throw its error.
        guard let path = environment["RESTORA_CTCAE_TERMS_CSV"], !path.isEmpty else {
            return shipped.entries.isEmpty ? try shippedList() : shipped
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let list = try? CTCAETermList(csv: text, origin: path) else {
            throw DomainError.invalidValue(field: "RESTORA_CTCAE_TERMS_CSV", message: "\(path) is not a readable CTCAE v5.0 sheet export (CSV)")
        }
        return list
    }

    /// The NCI CTCAE v5.0 sheet shipped with Restora, compiled into the binary (`embedInCode` in Package.swift);
    /// a test checks that it parses to all 837 terms.
    public static let shipped: CTCAETermList = (try? shippedList()) ?? CTCAETermList(entries: [], origin: "ctcae-v5-terms.csv could not be read")

    /// How the form, the report draft and protocol validation name the shipped list.
    public static let shippedOrigin = "NCI CTCAE v5.0 sheet (ctcae-v5-terms.csv)"

    static func shippedList() throws -> CTCAETermList {
        try CTCAETermList(csv: String(decoding: PackageResources.ctcae_v5_terms_csv, as: UTF8.self), origin: shippedOrigin)
    }

    /// Reads the shipped file or the NCI "CTCAE_v5.0" sheet saved as CSV: columns are found by their header
    /// ("MedDRA Code", "MedDRA SOC", "CTCAE Term", "Grade 1" … "Grade 5", where a grade header may carry trailing
    /// non-letters as some exports do, "Grade 1 ??"; "Source" optional), lines starting with `#` are comments, a
    /// grade cell that is empty or "-" means CTCAE defines no such grade, any other grade cell is its criteria.
    public init(csv text: String, origin: String) throws {
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        let rows = CSVLines.parse(body).filter { $0.contains { !trimmed($0, .whitespaces).isEmpty } }
        guard let header = rows.first else {
            throw DomainError.invalidValue(field: "ctcaeTerms", message: "the CTCAE term list is empty")
        }
        func column(_ name: String) throws -> Int {
            let key = name.lowercased()
            guard let index = header.firstIndex(where: { trimmed($0, .whitespaces).lowercased() == key }) else {
                throw DomainError.invalidValue(field: "ctcaeTerms", message: "the CTCAE term list has no \"\(name)\" column")
            }
            return index
        }
        func gradeColumn(_ grade: Int) throws -> Int {
            let key = "grade \(grade)"
            let found = header.firstIndex { cell in
                let name = trimmed(cell, .whitespaces).lowercased()
                guard name.hasPrefix(key) else { return false }
                return !name.dropFirst(key.count).contains { $0.isLetter || $0.isNumber }
            }
            guard let found else {
                throw DomainError.invalidValue(field: "ctcaeTerms", message: "the CTCAE term list has no \"Grade \(grade)\" column")
            }
            return found
        }
        let code = try column("MedDRA Code"), soc = try column("MedDRA SOC"), term = try column("CTCAE Term")
        let grades = try (1...5).map { try gradeColumn($0) }
        let source = try? column("Source")
        var entries: [CTCAETermEntry] = []
        for row in rows.dropFirst() {
            func cell(_ i: Int) -> String { i < row.count ? trimmed(row[i], .whitespacesAndNewlines) : "" }
            let name = cell(term)
            guard !name.isEmpty, !cell(code).isEmpty else { continue }
            let criteria = (1...5).compactMap { grade -> CTCAETermEntry.GradeCriterion? in
                let text = cell(grades[grade - 1])
                // An Excel export ends the lines inside a cell with CR LF; the criteria keep plain line breaks.
                return text.isEmpty || text == "-" || text == "–" ? nil
                    : .init(grade: grade, criteria: text.replacingOccurrences(of: "\r\n", with: "\n"))
            }
            entries.append(CTCAETermEntry(
                meddraCode: cell(code), term: name, systemOrganClass: cell(soc), grades: criteria.map(\.grade),
                source: source.map(cell).flatMap { $0.isEmpty ? nil : $0 } ?? origin,
                gradeCriteria: criteria))
        }
        guard !entries.isEmpty else {
            throw DomainError.invalidValue(field: "ctcaeTerms", message: "the CTCAE term list has no terms")
        }
        self.init(entries: entries, origin: origin)
    }

    public func entry(code: String) -> CTCAETermEntry? { byCode[code] }
    /// Case-insensitive exact name match ("dry skin" finds "Dry skin"; "Dry skn" finds nothing).
    public func entry(named name: String) -> CTCAETermEntry? {
        byName[name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()]
    }

    /// The system organ classes, in the list's order of first appearance.
    public var systemOrganClasses: [String] {
        var seen = Set<String>()
        return entries.map(\.systemOrganClass).filter { seen.insert($0).inserted }
    }

    /// The "Other, specify" entry of a system organ class.
    public func otherSpecify(in soc: String) -> CTCAETermEntry? {
        entries.first { $0.isOtherSpecify && $0.systemOrganClass.lowercased() == soc.lowercased() }
    }

    /// Codes `event` with this list, or refuses it naming the field at fault:
    /// - `term`: a CTCAE term of the list (by `meddraCode`, else by exact name, case-insensitive);
    /// - `otherSpecify`: free text only with a "<SOC> - Other, specify" term, and required there;
    /// - `systemOrganClass`: when given, it must be the term's;
    /// - `grade`: one of the grades CTCAE defines for the term.
    public func coded(_ event: AdverseEvent) throws -> AdverseEvent {
        var coded = event
        let found: CTCAETermEntry?
        if let code = event.meddraCode?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
            found = entry(code: code)
            if found == nil {
                throw DomainError.invalidValue(field: "meddraCode", message: "MedDRA code \(code) is not a CTCAE v5.0 term of this list")
            }
        } else {
            found = entry(named: event.term)
        }
        guard let entry = found else {
            let shown = event.term.trimmingCharacters(in: .whitespaces)
            throw DomainError.invalidValue(
                field: "term",
                message: shown.isEmpty ? "a CTCAE v5.0 term is required"
                    : "\"\(shown)\" is not a CTCAE v5.0 term: pick one from the list, or \"<system organ class> - Other, specify\" with the text")
        }
        if let soc = event.systemOrganClass?.trimmingCharacters(in: .whitespaces), !soc.isEmpty,
           soc.lowercased() != entry.systemOrganClass.lowercased() {
            throw DomainError.invalidValue(field: "systemOrganClass", message: "\(entry.term) belongs to \(entry.systemOrganClass), not \(soc)")
        }
        let specify = event.otherSpecify?.trimmingCharacters(in: .whitespacesAndNewlines)
        if entry.isOtherSpecify {
            guard let specify, !specify.isEmpty else {
                throw DomainError.invalidValue(field: "otherSpecify", message: "\(entry.term) needs the event described in words")
            }
            coded.otherSpecify = specify
        } else if let specify, !specify.isEmpty {
            throw DomainError.invalidValue(
                field: "otherSpecify", message: "free text is taken only with a \"<system organ class> - Other, specify\" term, not with \(entry.term)")
        } else {
            coded.otherSpecify = nil
        }
        guard entry.grades.contains(event.grade) else {
            throw DomainError.invalidValue(
                field: "grade",
                message: "CTCAE v5.0 defines grade\(entry.grades.count == 1 ? "" : "s") \(entry.grades.map(String.init).joined(separator: ", ")) for \(entry.term), not grade \(event.grade)")
        }
        coded.term = entry.term
        coded.meddraCode = entry.meddraCode
        coded.systemOrganClass = entry.systemOrganClass
        return coded
    }
}

/// A minimal RFC 4180 reader (quoted fields, doubled quotes, CRLF) for the term list: the domain does not
/// depend on RestoraCSV, and the NCI sheet's criteria texts hold commas and line breaks inside quotes.
enum CSVLines {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let following = next() {
                        if following == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = following }
                    } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\r": continue
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

/// `text` without the characters of `set` at either end, as `trimmingCharacters(in:)` answers, scanning the
/// scalars in place: through Foundation every cell of the term list went through an NSString, most of the
/// time `restora` took to start (BENCHMARKS.md "`restora import fhir`: inserts bound and read by position").
private func trimmed(_ text: String, _ set: CharacterSet) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !set.contains($0) }),
          let last = scalars.lastIndex(where: { !set.contains($0) }) else { return "" }
    return String(scalars[first...last])
}
