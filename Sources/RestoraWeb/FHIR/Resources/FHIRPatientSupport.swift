import Foundation
import RestoraDomain

/// What the Patient, ResearchStudy, ResearchSubject and Consent handlers share: the Restora identifier systems,
/// search-value parsing (dates with prefixes, tokens, references), the keyset cursor, and reading a posted
/// resource with errors that name the FHIRPath at fault.
enum FHIRPatientSupport {
    // MARK: Identifier systems (docs/fhir.md "Patient")

    /// The participant id: Restora's study-wide number of a person (also the FHIR id).
    static let participantSystem = "urn:restora:participant"
    /// A site by its code (`managingOrganization.identifier`).
    static let siteSystem = "urn:restora:site"
    static let programSystem = "urn:restora:program"
    static let protocolSystem = "urn:restora:protocol"
    static let enrolmentSystem = "urn:restora:enrolment"
    static let kitCodeSystem = "urn:restora:kit-code"
    static let consentDocumentSystem = "urn:restora:consent-document"

    /// The MRN system of a site: `urn:restora:site:<code>:mrn` (an MRN is unique per site).
    static func mrnSystem(siteCode: String) -> String { "urn:restora:site:\(siteCode):mrn" }

    /// The site code of an MRN system, or nil when `system` is not one.
    static func siteCode(ofMRNSystem system: String) -> String? {
        let prefix = "urn:restora:site:", suffix = ":mrn"
        guard system.hasPrefix(prefix), system.hasSuffix(suffix), system.count > prefix.count + suffix.count else { return nil }
        return String(system.dropFirst(prefix.count).dropLast(suffix.count))
    }

    /// A FHIR id (`[A-Za-z0-9\-\.]{1,64}`); anything else is not a stored record.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
        }
    }

    static func reference(_ type: String, _ id: String, display: String? = nil) -> FHIRJSON {
        .object(["reference": .string("\(type)/\(id)"), "display": display.map(FHIRJSON.string)])
    }

    /// A FHIR instant / dateTime in UTC with milliseconds, the layout the store writes (`2026-01-01T00:00:00.000Z`),
    /// without a formatter per call (a Foundation ISO 8601 formatter made per value was a fifth of a bulk export's CPU).
    static func storedInstant(_ date: Date) -> String { FHIRBulkInstant.text(date) }

    // MARK: Search values

    static func unsupported(_ criterion: FHIRSearchCriterion, _ type: String) -> FHIRError {
        FHIRError(status: 400, code: .notSupported,
                  diagnostics: "the modifier :\(criterion.modifier ?? "") is not supported on \(type) search parameter \(criterion.name)")
    }

    static func requireNoModifier(_ criterion: FHIRSearchCriterion, _ type: String) throws {
        if criterion.modifier != nil { throw unsupported(criterion, type) }
    }

    /// The values of `_id`: every one must be a valid id (an invalid one can match nothing, but is likely a typo: 400).
    static func ids(_ criterion: FHIRSearchCriterion, _ type: String) throws -> [String] {
        try requireNoModifier(criterion, type)
        return criterion.values.filter(isValidID)
    }

    /// A reference search value (`Patient/p-1`, `p-1`, or a full URL ending in `Patient/p-1`) → the id, or nil
    /// when it names another type.
    static func referenceID(_ value: String, type: String) -> String? {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 { return parts[0] }
        guard parts.count >= 2, parts[parts.count - 2] == type else { return nil }
        return parts[parts.count - 1]
    }

    /// Parses a reference criterion (`patient=Patient/p-1`, `subject:Patient=p-1`, `patient:identifier` is not
    /// supported) into ids of `type`.
    static func referenceIDs(_ criterion: FHIRSearchCriterion, type: String, in resourceType: String) throws -> [String] {
        if let modifier = criterion.modifier, modifier != type { throw unsupported(criterion, resourceType) }
        return criterion.values.compactMap { referenceID($0, type: type) }.filter(isValidID)
    }

    /// A token value `system|code`, `|code` or `code`: (system, code); system "" means "no system".
    static func token(_ value: String) -> (system: String?, code: String) {
        guard let bar = value.firstIndex(of: "|") else { return (nil, value) }
        return (String(value[..<bar]), String(value[value.index(after: bar)...]))
    }

    /// A date search value with its prefix, as text ranges over days (`YYYY-MM-DD`, `days: true`) or stored
    /// instants (`days: false`). `ap` is refused (400): Restora does not guess what "approximately" means.
    static func dateRange(_ raw: String, parameter: String, days: Bool) throws -> FHIRPatientSearchCriteria.TextRange {
        var text = Substring(raw)
        var comparator = FHIRPatientSearchCriteria.Comparator.eq
        if text.count > 2, text.prefix(2).allSatisfy(\.isLetter) {
            switch text.prefix(2) {
            case "eq": comparator = .eq
            case "ne": comparator = .ne
            case "lt", "eb": comparator = .lt
            case "le": comparator = .le
            case "gt", "sa": comparator = .gt
            case "ge": comparator = .ge
            case "ap":
                throw FHIRError(status: 400, code: .notSupported, diagnostics: "the prefix ap is not supported on \(parameter)")
            default:
                throw FHIRError.invalid("\(parameter): unknown prefix \(text.prefix(2)) (eq, ne, lt, le, gt, ge, sa, eb)")
            }
            text = text.dropFirst(2)
        }
        guard let (start, end) = period(String(text)) else {
            throw FHIRError.invalid("\(parameter): \(raw) is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a zone)")
        }
        if days {
            let lower = CalendarDate(start).description
            // The day after the last day the value covers (a dateTime covers its UTC day).
            let lastDay = CalendarDate(end.addingTimeInterval(-0.001))
            let upper = CalendarDate(dayNumber: lastDay.dayNumber + 1).description
            return .init(comparator, lower: lower, upper: upper)
        }
        return .init(comparator, lower: storedInstant(start), upper: storedInstant(end))
    }

    /// The UTC period `[start, end)` a FHIR date or dateTime value covers.
    static func period(_ text: String) -> (Date, Date)? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let digits = text.split(separator: "-", omittingEmptySubsequences: false)
        if !text.contains("T") {
            guard (1...3).contains(digits.count), digits[0].count == 4, let year = Int(digits[0]) else { return nil }
            var components = DateComponents(year: year, month: 1, day: 1)
            var step = DateComponents(year: 1)
            if digits.count >= 2 {
                guard digits[1].count == 2, let month = Int(digits[1]), (1...12).contains(month) else { return nil }
                components.month = month
                step = DateComponents(month: 1)
            }
            if digits.count == 3 {
                guard digits[2].count == 2, let day = Int(digits[2]), CalendarDate(year: year, month: components.month!, day: day) != nil else { return nil }
                components.day = day
                step = DateComponents(day: 1)
            }
            guard let start = calendar.date(from: components), let end = calendar.date(byAdding: step, to: start) else { return nil }
            return (start, end)
        }
        // A dateTime: a zone is required when there is a time (FHIR); precision to the second or millisecond.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let start = formatter.date(from: text) { return (start, start.addingTimeInterval(0.001)) }
        formatter.formatOptions = [.withInternetDateTime]
        if let start = formatter.date(from: text) { return (start, start.addingTimeInterval(1)) }
        // hh:mm without seconds
        if text.count >= 16 {
            let withSeconds = String(text.prefix(16)) + ":00" + String(text.dropFirst(16))
            if let start = formatter.date(from: withSeconds) { return (start, start.addingTimeInterval(60)) }
        }
        return nil
    }

    // MARK: Sorting and paging

    struct Sort {
        var key: FHIRPatientSearchCriteria.SortKey
        var descending: Bool
    }

    /// The one `_sort` key of a search (`_id` when none); `keys` maps FHIR names to sort keys.
    static func sort(_ query: FHIRSearchQuery, keys: [String: FHIRPatientSearchCriteria.SortKey], type: String) throws -> Sort {
        guard let first = query.sort.first else { return Sort(key: .id, descending: false) }
        guard query.sort.count == 1 else {
            throw FHIRError(status: 400, code: .notSupported, diagnostics: "\(type) is sorted by one key at a time (\(keys.keys.sorted().joined(separator: ", ")))")
        }
        guard let key = keys[first.name] else {
            throw FHIRError(status: 400, code: .notSupported, diagnostics: "\(type) cannot be sorted by \(first.name) (\(keys.keys.sorted().joined(separator: ", ")))")
        }
        return Sort(key: key, descending: first.descending)
    }

    /// The keyset cursor: the sort key it was made for and the last row's position, base64url JSON. A cursor of
    /// another sort, or not made here, is refused (400): a stale cursor never silently restarts the search.
    static func encodeCursor(_ sort: Sort, _ position: FHIRPatientSearchCriteria.Position) -> String {
        let object = FHIRJSON.object([
            "k": .string((sort.descending ? "-" : "") + sort.key.rawValue),
            "v": position.sortValue.map(FHIRJSON.string),
            "i": .string(position.id),
        ])
        return Data(object.encoded()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ cursor: String?, _ sort: Sort) throws -> FHIRPatientSearchCriteria.Position? {
        guard let cursor else { return nil }
        let refusal = FHIRError.invalid("the paging cursor is not one this server issued for this search; follow the next link as received")
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard cursor.count <= 600, let data = Data(base64Encoded: base64), let json = try? FHIRJSON.parse(data),
              json["k"]?.stringValue == (sort.descending ? "-" : "") + sort.key.rawValue,
              let id = json["i"]?.stringValue, isValidID(id) else { throw refusal }
        let value = json["v"]?.stringValue
        if sort.key != .id, value == nil { throw refusal }
        return .init(sortValue: value, id: id)
    }

    /// The sort value of a record under `key` (what the SQL compares).
    static func sortValue(_ key: FHIRPatientSearchCriteria.SortKey, updatedAt: Date, birthDate: CalendarDate? = nil) -> String? {
        switch key {
        case .id: nil
        case .lastUpdated: storedInstant(updatedAt)
        case .birthDate: birthDate?.description
        }
    }

    /// Keeps the first `count` items and makes the next cursor when there were more.
    static func page<T>(
        _ items: [T], count: Int, sort: Sort, position: (T) -> FHIRPatientSearchCriteria.Position
    ) -> (items: [T], next: String?) {
        guard items.count > count, count > 0 else { return (Array(items.prefix(max(count, 0))), nil) }
        let kept = Array(items.prefix(count))
        return (kept, kept.last.map { encodeCursor(sort, position($0)) })
    }

    // MARK: Reading posted resources

    static func structure(_ message: String, at path: String) -> FHIRError {
        FHIRError(status: 400, code: .structure, diagnostics: message, expression: [path])
    }

    static func requireType(_ resource: FHIRJSON, _ type: String) throws {
        guard case .object = resource else { throw structure("the body is not a FHIR resource (a JSON object)", at: type) }
        guard resource["resourceType"]?.stringValue == type else {
            throw structure("resourceType must be \(type)", at: "\(type).resourceType")
        }
    }

    static func string(_ value: FHIRJSON?, at path: String) throws -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue else { throw structure("\(path) must be a string", at: path) }
        return text
    }

    static func array(_ value: FHIRJSON?, at path: String) throws -> [FHIRJSON] {
        guard let value else { return [] }
        guard let values = value.arrayValue else { throw structure("\(path) must be an array", at: path) }
        return values
    }

    /// The reason for change of an update: the request's (CORE may take it from a header) or the resource's
    /// `FHIRCodeSystems.changeReasonExtension` extension (valueString), the one URL every type reads.
    static func reason(_ resource: FHIRJSON, type: String, context: FHIRInteractionContext) throws -> String? {
        if let reason = context.audit.trimmedReason { return reason }
        for (index, ext) in try array(resource["extension"], at: "\(type).extension").enumerated() where ext["url"]?.stringValue == FHIRCodeSystems.changeReasonExtension {
            return try string(ext["valueString"], at: "\(type).extension[\(index)].valueString")
        }
        return nil
    }
}
