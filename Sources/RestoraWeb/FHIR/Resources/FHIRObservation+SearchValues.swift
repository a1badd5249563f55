import Foundation
import RestoraDomain

/// Parsing of the search values Observation and Encounter take (https://hl7.org/fhir/R4/search.html):
/// prefixed dates and numbers, tokens, references; and the keyset cursor of their pages.
enum FHIRClinicalSearch {
    enum Prefix: String, CaseIterable { case eq, ne, lt, gt, le, ge, sa, eb, ap }

    /// Splits `ge2025-01-01` into (ge, "2025-01-01"); no prefix is `eq`.
    static func prefixed(_ value: String) -> (Prefix, String) {
        if value.count > 2, let prefix = Prefix(rawValue: String(value.prefix(2))),
           let next = value.dropFirst(2).first, next.isNumber || next == "-" {
            return (prefix, String(value.dropFirst(2)))
        }
        return (.eq, value)
    }

    // MARK: Dates

    /// The instants a FHIR date/dateTime search value covers, [lower, upper): a year, a month, a day, a
    /// minute, a second or a millisecond. A time without a zone is read as UTC.
    static func dateRange(_ text: String, parameter: String) throws -> (lower: Date, upper: Date) {
        let bad = FHIRError.invalid(
            "\(parameter)=\(text) is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.sss]][Z|±hh:mm])")
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let dateParts = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(dateParts.count), dateParts[0].count == 4, let year = Int(dateParts[0]) else { throw bad }
        let month = dateParts.count > 1 ? Int(dateParts[1]) : 1
        let day = dateParts.count > 2 ? Int(dateParts[2]) : 1
        guard let month, let day, dateParts.dropFirst().allSatisfy({ $0.count == 2 }),
              let start = CalendarDate(year: year, month: month, day: day) else { throw bad }
        let startDay = Double(start.dayNumber) * 86_400
        if parts.count == 1 {
            let end: Double
            switch dateParts.count {
            case 1: end = Double(CalendarDate(year: year + 1, month: 1, day: 1)!.dayNumber) * 86_400
            case 2: end = Double((month == 12 ? CalendarDate(year: year + 1, month: 1, day: 1)! : CalendarDate(year: year, month: month + 1, day: 1)!).dayNumber) * 86_400
            default: end = startDay + 86_400
            }
            return (Date(timeIntervalSince1970: startDay), Date(timeIntervalSince1970: end))
        }
        guard dateParts.count == 3 else { throw bad }
        var time = Substring(parts[1])
        var offset = 0.0
        if time.hasSuffix("Z") {
            time = time.dropLast()
        } else if let sign = time.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = time[time.index(after: sign)...].split(separator: ":")
            guard zone.count == 2, let h = Int(zone[0]), let m = Int(zone[1]), h < 24, m < 60 else { throw bad }
            offset = Double(h * 3600 + m * 60) * (time[sign] == "+" ? 1 : -1)
            time = time[..<sign]
        }
        let fields = time.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count), fields[0].count == 2, fields[1].count == 2,
              let hour = Int(fields[0]), let minute = Int(fields[1]), hour < 24, minute < 60 else { throw bad }
        var seconds = 0.0
        var width = 60.0
        if fields.count == 3 {
            let secondParts = fields[2].split(separator: ".", omittingEmptySubsequences: false)
            guard secondParts[0].count == 2, let whole = Int(secondParts[0]), whole < 60, secondParts.count <= 2 else { throw bad }
            seconds = Double(whole)
            width = 1
            if secondParts.count == 2 {
                let fraction = secondParts[1]
                guard !fraction.isEmpty, fraction.allSatisfy(\.isNumber), let value = Double("0." + fraction) else { throw bad }
                seconds += value
                width = max(pow(10, -Double(min(fraction.count, 3))), 0.001)
            }
        }
        let lower = startDay + Double(hour * 3600 + minute * 60) + seconds - offset
        return (Date(timeIntervalSince1970: lower), Date(timeIntervalSince1970: lower + width))
    }

    /// A date search value as a condition on an instant column (prefix semantics of R4 search for a target
    /// that is an instant: eq = inside the value's range, lt/eb = before it, gt/sa = after it, le/ge include it).
    static func instantCondition<C>(_ value: String, column: C, parameter: String) throws -> FHIRTableCondition<C> {
        let (prefix, text) = prefixed(value)
        let (lower, upper) = try dateRange(text, parameter: parameter)
        switch prefix {
        case .eq: return .all([.instant(column, .greaterOrEqual, lower), .instant(column, .less, upper)])
        case .ne: return .not(.all([.instant(column, .greaterOrEqual, lower), .instant(column, .less, upper)]))
        case .lt, .eb: return .instant(column, .less, lower)
        case .le: return .instant(column, .less, upper)
        case .gt, .sa: return .instant(column, .greaterOrEqual, upper)
        case .ge: return .instant(column, .greaterOrEqual, lower)
        case .ap: throw FHIRError.invalid("the ap prefix is not supported on \(parameter); use ge and le", at: nil)
        }
    }

    /// A date search value as a condition on a calendar-date column (YYYY-MM-DD text): the value's range in
    /// whole UTC days.
    static func dateCondition<C>(_ value: String, column: C, parameter: String) throws -> FHIRTableCondition<C> {
        let (prefix, text) = prefixed(value)
        let (lower, upper) = try dateRange(text, parameter: parameter)
        let first = CalendarDate(lower).description
        // The last day the range touches: a range ending exactly at midnight ends the day before.
        let lastInstant = upper.addingTimeInterval(-0.0005)
        let last = CalendarDate(lastInstant).description
        let present: FHIRTableCondition<C> = .not(.isNull(column))
        switch prefix {
        case .eq: return .all([present, .text(column, .greaterOrEqual, first), .text(column, .lessOrEqual, last)])
        case .ne: return .all([present, .not(.all([.text(column, .greaterOrEqual, first), .text(column, .lessOrEqual, last)]))])
        case .lt, .eb: return .all([present, .text(column, .less, first)])
        case .le: return .all([present, .text(column, .lessOrEqual, last)])
        case .gt, .sa: return .all([present, .text(column, .greater, last)])
        case .ge: return .all([present, .text(column, .greaterOrEqual, first)])
        case .ap: throw FHIRError.invalid("the ap prefix is not supported on \(parameter); use ge and le", at: nil)
        }
    }

    // MARK: Numbers

    /// A number search value's condition on a numeric column: eq/ne use the value's implied precision
    /// (5.4 means [5.35, 5.45)), ap ±10 %.
    static func numberCondition<C>(_ prefix: Prefix, _ text: String, column: C, parameter: String) throws -> FHIRTableCondition<C> {
        guard let value = Double(text), value.isFinite else {
            throw FHIRError.invalid("\(parameter): \(text) is not a number")
        }
        let decimals = text.split(separator: ".", maxSplits: 1).dropFirst().first.map { $0.prefix { $0.isNumber }.count } ?? 0
        let half = 0.5 * pow(10, -Double(decimals))
        switch prefix {
        case .eq: return .all([.number(column, .greaterOrEqual, value - half), .number(column, .less, value + half)])
        case .ne: return .not(.all([.number(column, .greaterOrEqual, value - half), .number(column, .less, value + half)]))
        case .lt, .eb: return .number(column, .less, value)
        case .le: return .number(column, .lessOrEqual, value)
        case .gt, .sa: return .number(column, .greater, value)
        case .ge: return .number(column, .greaterOrEqual, value)
        case .ap:
            let spread = abs(value) * 0.1
            return .all([.number(column, .greaterOrEqual, value - spread), .number(column, .lessOrEqual, value + spread)])
        }
    }

    // MARK: Tokens and references

    /// `system|code`, `code`, `|code`, `system|` → (system given?, system, code).
    static func token(_ value: String) -> (system: String?, code: String?) {
        guard let bar = value.firstIndex(of: "|") else { return (nil, value.isEmpty ? nil : value) }
        let system = String(value[..<bar])
        let code = String(value[value.index(after: bar)...])
        return (system, code.isEmpty ? nil : code)
    }

    /// The id a reference search value names for `type` (`Patient/x`, `x`, or an absolute URL ending in
    /// `Patient/x`); nil when it names another type.
    static func referenceID(_ value: String, type: String) -> String? {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 1 { return value.isEmpty ? nil : value }
        guard parts.count >= 2, parts[parts.count - 2] == type, !parts[parts.count - 1].isEmpty else {
            // `Patient/x/_history/2`: a versioned reference names the same record.
            if parts.count >= 4, parts[parts.count - 2] == "_history", parts[parts.count - 4] == type { return String(parts[parts.count - 3]) }
            return nil
        }
        return String(parts[parts.count - 1])
    }

    /// FHIR ids are [A-Za-z0-9-.]{1,64}.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy {
            ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46
        }
    }

    // MARK: Paging cursor

    /// The next page's cursor: the order it belongs to and the last row's (sort key, id), base64url.
    /// One page of a keyset search over a SQL table (Observation, Encounter): `_count=0` is the total alone; a page
    /// reads one row more than it shows to know whether a next page exists; the total is free when the first page
    /// holds every match, else one COUNT on the first page only (later pages carry none).
    static func page<Row>(
        _ query: FHIRSearchQuery, order: String,
        count: () async throws -> Int,
        rows fetch: (_ after: FHIRTableKeyset?, _ limit: Int) async throws -> [Row],
        keyset: (Row) -> FHIRTableKeyset
    ) async throws -> (rows: [Row], nextCursor: String?, total: Int?) {
        let after = try query.cursor.map { try position($0, order: order) }
        guard query.count > 0 else { return ([], nil, try await count()) }
        let rows = try await fetch(after, query.count + 1)
        let page = Array(rows.prefix(query.count))
        var total: Int?
        if after == nil { total = rows.count <= query.count ? rows.count : try await count() }
        let next = rows.count > query.count ? page.last.map { cursor(order: order, position: keyset($0)) } : nil
        return (page, next, total)
    }

    static func cursor(order: String, position: FHIRTableKeyset) -> String {
        let text = ["v1", order, position.key, position.id].joined(separator: "\u{1F}")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func position(_ cursor: String, order: String) throws -> FHIRTableKeyset {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw FHIRError.invalid("the paging cursor is not one this server issued; follow the next link as given")
        }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == "v1" else {
            throw FHIRError.invalid("the paging cursor is not one this server issued; follow the next link as given")
        }
        guard parts[1] == order else {
            throw FHIRError.invalid("the paging cursor belongs to another _sort; follow the next link as given")
        }
        return FHIRTableKeyset(key: parts[2], id: parts[3])
    }

    /// The only sort key of a query among `allowed` (nil: none given), and whether it is descending.
    static func sort(_ query: FHIRSearchQuery, allowed: [String]) throws -> (name: String, descending: Bool)? {
        guard let first = query.sort.first else { return nil }
        guard query.sort.count == 1 else {
            throw FHIRError.invalid("_sort takes one key here (\(allowed.joined(separator: ", ")), each optionally with a leading -)")
        }
        guard allowed.contains(first.name) else {
            throw FHIRError.invalid("_sort=\(first.name) is not supported; use one of \(allowed.joined(separator: ", "))")
        }
        return (first.name, first.descending)
    }
}
