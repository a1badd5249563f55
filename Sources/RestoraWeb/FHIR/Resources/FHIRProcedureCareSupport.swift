import Foundation
import RestoraDomain

/// What the CARE resource types (Procedure, MedicationRequest/Dispense/Statement, AdverseEvent,
/// BiologicallyDerivedProduct, Provenance) share: FHIR datatypes built from Restora values, the date search
/// parameter with its prefixes, and keyset paging over a participant's records read in memory.
enum FHIRCare {
    /// Restora's own extensions (docs/fhir.md lists each).
    static let extensionBase = "https://restora.example/fhir/StructureDefinition/"
    /// Restora's local code systems that exist only in FHIR (e.g. the procedure kind).
    static let codeSystemBase = CodeSystem.restora.uri + "/"

    // MARK: datatypes

    static func reference(_ type: String, _ id: String, display: String? = nil) -> FHIRJSON {
        .object(["reference": .string("\(type)/\(id)"), "display": display.map(FHIRJSON.string)])
    }

    static func patient(_ id: Identifier<Participant>) -> FHIRJSON { reference("Patient", id.rawValue) }

    /// A person Restora knows by user id only (no Practitioner resource): a logical reference.
    static func user(_ actor: Actor) -> FHIRJSON {
        .object([
            "identifier": .object(["system": .string("urn:restora:user"), "value": .string(actor.userID)]),
            "display": .string(actor.description),
        ])
    }

    static func coding(_ coding: Coding) -> FHIRJSON {
        .object([
            "system": .string(coding.system.uri), "code": .string(coding.code),
            "display": coding.display.map(FHIRJSON.string),
        ])
    }

    static func coding(system: String, code: String, display: String? = nil) -> FHIRJSON {
        .object(["system": .string(system), "code": .string(code), "display": display.map(FHIRJSON.string)])
    }

    static func concept(_ codings: [FHIRJSON], text: String? = nil) -> FHIRJSON {
        .object(["coding": codings.isEmpty ? nil : .array(codings), "text": text.map(FHIRJSON.string)])
    }

    static func text(_ text: String) -> FHIRJSON { .object(["text": .string(text)]) }

    /// A UCUM quantity; `ucum` is the UCUM code (`mL`, `10*6/mL`), `unit` the human unit (defaults to the code).
    static func quantity(_ value: Double, ucum: String, unit: String? = nil) -> FHIRJSON {
        .object([
            "value": .number(value), "unit": .string(unit ?? ucum),
            "system": .string(CodeSystem.ucum.uri), "code": .string(ucum),
        ])
    }

    static func ext(_ name: String, _ valueKey: String, _ value: FHIRJSON?) -> FHIRJSON? {
        value.map { .object([("url", .string(extensionBase + name)), (valueKey, $0)]) }
    }

    static func extensions(_ list: [FHIRJSON?]) -> FHIRJSON? {
        let present = list.compactMap { $0 }
        return present.isEmpty ? nil : .array(present)
    }

    static func annotation(_ text: String?) -> FHIRJSON? {
        guard let text, !text.isEmpty else { return nil }
        return .array([.object(["text": .string(text)])])
    }

    static func date(_ date: CalendarDate) -> FHIRJSON { .string(date.description) }

    static func instant(_ date: Date) -> FHIRJSON { .string(instantText(date)) }

    /// `YYYY-MM-DDThh:mm:ss[.sss]Z` without a formatter (bulk export maps many of these per second).
    static func instantText(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let dayMillis = 86_400_000
        let day = millis >= 0 ? millis / dayMillis : (millis - dayMillis + 1) / dayMillis
        var rest = millis - day * dayMillis
        let hour = rest / 3_600_000; rest -= hour * 3_600_000
        let minute = rest / 60_000; rest -= minute * 60_000
        let second = rest / 1000
        let fraction = rest - second * 1000
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = "\(CalendarDate(dayNumber: day))T\(two(hour)):\(two(minute)):\(two(second))"
        if fraction > 0 {
            text += "." + (fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)")
        }
        return text + "Z"
    }

    /// A fixed-width instant text (always with milliseconds) that orders as its instant: sort keys and cursors.
    static func sortKey(_ date: Date) -> String {
        let text = instantText(date)
        return text.contains(".") ? text : String(text.dropLast()) + ".000Z"
    }

    /// An id as FHIR allows it (`[A-Za-z0-9\-\.]{1,64}`); anything else is unknown (404), never looked up.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { byte in
            (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45 || byte == 46
        }
    }

    /// The participant a `patient`/`subject` value names: `Patient/<id>`, `<id>`, or a full URL ending so.
    static func patientID(_ value: String, parameter: String) throws -> Identifier<Participant> {
        var text = value
        if let range = text.range(of: "Patient/", options: .backwards) { text = String(text[range.upperBound...]) }
        else if text.contains("/") {
            throw FHIRError.invalid("\(parameter) must reference a Patient (Patient/<id>), got '\(value)'", at: parameter)
        }
        guard isValidID(text) else { throw FHIRError.invalid("'\(value)' is not a Patient id", at: parameter) }
        return Identifier(text)
    }

    // MARK: access

    /// The participant, if the user may see it; `FHIRError.notFound` otherwise (also for another site's).
    static func visibleParticipant(_ id: Identifier<Participant>, in context: FHIRInteractionContext) async throws -> Versioned<Participant> {
        let participant: Versioned<Participant>
        do {
            participant = try await context.repositories.participants.get(id)
        } catch RepositoryError.notFound {
            throw FHIRError.notFound("Patient", id.rawValue)
        }
        guard context.user.canSee(site: participant.value.siteID) else { throw FHIRError.notFound("Patient", id.rawValue) }
        return participant
    }

    /// Reads a record by id; unknown, deleted and other-site records are all `FHIRError.notFound(type, id)`.
    static func visibleRecord<Value: Sendable>(
        _ type: String, _ id: String, in context: FHIRInteractionContext,
        get: (String) async throws -> Versioned<Value>, participant: (Value) -> Identifier<Participant>
    ) async throws -> Versioned<Value> {
        guard isValidID(id) else { throw FHIRError.notFound(type, id) }
        let record: Versioned<Value>
        do {
            record = try await get(id)
        } catch RepositoryError.notFound {
            throw FHIRError.notFound(type, id)
        }
        do {
            _ = try await visibleParticipant(participant(record.value), in: context)
        } catch is FHIRError {
            throw FHIRError.notFound(type, id)
        }
        return record
    }

    // MARK: search over one participant's records

    /// The participants a search names with `patient` / `subject` (values ORed, repeats ANDed); nil when none.
    static func participants(in query: FHIRSearchQuery, names: [String]) throws -> [Identifier<Participant>]? {
        var result: Set<Identifier<Participant>>?
        for criterion in query.criteria where names.contains(criterion.name) {
            if let modifier = criterion.modifier, modifier != "Patient" {
                throw FHIRError.invalid("the modifier :\(modifier) is not supported on \(criterion.name)", at: criterion.name)
            }
            let ids = Set(try criterion.values.map { try patientID($0, parameter: criterion.name) })
            result = result.map { $0.intersection(ids) } ?? ids
        }
        return result.map { $0.sorted() }
    }

    /// The records a per-patient search starts from: the named participants' records (participants the user
    /// may not see give none), else the `_id`s' records; neither is a 400 (these types are searched per patient).
    /// `_id` also filters the participants' records.
    static func perPatientRecords<Value: Sendable & Identifiable>(
        _ query: FHIRSearchQuery, in context: FHIRInteractionContext, type: String, names: [String] = ["patient", "subject"],
        list: (Identifier<Participant>) async throws -> [Versioned<Value>],
        get: (String) async throws -> Versioned<Value>
    ) async throws -> [Versioned<Value>] where Value.ID == Identifier<Value> {
        let ids = ids(in: query)
        var found: [Versioned<Value>] = []
        if let people = try participants(in: query, names: names) {
            for person in people {
                guard (try? await visibleParticipant(person, in: context)) != nil else { continue }
                found += try await list(person)
            }
            if let ids { found = found.filter { ids.contains($0.value.id.rawValue) } }
        } else if let ids {
            for id in ids.sorted() {
                do { found.append(try await get(id)) } catch let error as FHIRError where error.status == 404 { continue }
            }
        } else {
            throw FHIRError(status: 400, code: .tooCostly,
                            diagnostics: "a \(type) search needs \(names.first ?? "patient") (Patient/<id>) or _id", expression: [names.first ?? "patient"])
        }
        return found
    }

    /// `_id` values (ORed; repeats ANDed); nil when the search has none.
    static func ids(in query: FHIRSearchQuery) -> Set<String>? {
        var result: Set<String>?
        for criterion in query.values("_id") {
            let ids = Set(criterion.values)
            result = result.map { $0.intersection(ids) } ?? ids
        }
        return result
    }

    /// Refuses a parameter the type does not support (the server may have let it through).
    static func refuseUnknown(_ query: FHIRSearchQuery, supported: Set<String>, type: String) throws {
        for criterion in query.criteria where !supported.contains(criterion.name) {
            throw FHIRError.invalid("\(type) has no search parameter '\(criterion.name)'", at: criterion.name)
        }
    }

    /// One candidate of an in-memory search: the sort key (a date or instant text that orders as text) and
    /// the mapped resource.
    struct Candidate {
        var sortKey: String
        var lastUpdated: String
        var resource: FHIRStoredResource
    }

    /// Sorts, filters by `_lastUpdated`, and pages by keyset (cursor = sort key + id of the last row).
    /// `dateKey` is the name of the type's date sort parameter (`date`), if any.
    static func page(_ candidates: [Candidate], _ query: FHIRSearchQuery, dateKey: String?) throws -> FHIRSearchPage {
        var rows = candidates
        for criterion in query.values("_lastUpdated") {
            let params = try criterion.values.map { try DateParameter(parsing: $0, parameter: "_lastUpdated") }
            rows = rows.filter { row in
                let instant = row.resource.lastUpdated
                let ms = Int((instant.timeIntervalSince1970 * 1000).rounded(.down))
                return params.contains { $0.matches(start: ms, end: ms + 1) }
            }
        }
        let sort = query.sort.first
        let byUpdated = sort?.name == "_lastUpdated"
        if let sort, sort.name != "_lastUpdated", sort.name != dateKey, sort.name != "_id" {
            throw FHIRError.invalid("\(sort.name) is not a sort key of this type", at: "_sort")
        }
        let descending = sort?.descending ?? false
        func key(_ row: Candidate) -> String {
            if sort?.name == "_id" { return "" }
            return byUpdated ? row.lastUpdated : row.sortKey
        }
        rows.sort { a, b in
            let (ka, kb) = (key(a), key(b))
            if ka != kb { return descending ? ka > kb : ka < kb }
            return descending ? a.resource.id > b.resource.id : a.resource.id < b.resource.id
        }
        let total = rows.count
        if let cursor = query.cursor {
            guard let separator = cursor.firstIndex(of: "|") else { throw FHIRError.invalid("the paging cursor is not valid", at: "_cursor") }
            let (ck, cid) = (String(cursor[..<separator]), String(cursor[cursor.index(after: separator)...]))
            rows = rows.filter { row in
                let k = key(row)
                if k != ck { return descending ? k < ck : k > ck }
                return descending ? row.resource.id < cid : row.resource.id > cid
            }
        }
        let count = max(0, query.count)
        let pageRows = Array(rows.prefix(count))
        let next = rows.count > count ? pageRows.last.map { "\(key($0))|\($0.resource.id)" } : nil
        return FHIRSearchPage(resources: pageRows.map(\.resource), nextCursor: count == 0 ? nil : next, total: total)
    }
}

/// A FHIR date search value (https://hl7.org/fhir/R4/search.html#date): an optional prefix
/// (eq ne lt le gt ge sa eb; `ap` is refused) and a date, partial date or dateTime, as the range of
/// milliseconds since 1970 it covers: `[start, end)`.
struct DateParameter: Sendable, Hashable {
    enum Prefix: String, Sendable, CaseIterable { case eq, ne, lt, le, gt, ge, sa, eb }

    var prefix: Prefix
    var start: Int
    var end: Int

    static let dayMillis = 86_400_000

    init(prefix: Prefix, start: Int, end: Int) {
        self.prefix = prefix
        self.start = start
        self.end = end
    }

    init(parsing raw: String, parameter: String) throws {
        var text = raw.replacingOccurrences(of: " ", with: "+")
        var prefix = Prefix.eq
        if text.count > 2, let found = Prefix(rawValue: String(text.prefix(2))) {
            prefix = found
            text = String(text.dropFirst(2))
        } else if text.hasPrefix("ap") {
            throw FHIRError.invalid("the ap prefix is not supported on \(parameter)", at: parameter)
        }
        guard let range = Self.range(text) else {
            throw FHIRError.invalid("'\(raw)' is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a zone) for \(parameter)", at: parameter)
        }
        self.init(prefix: prefix, start: range.start, end: range.end)
    }

    /// Whether a value covering `[start, end)` matches (the spec's range semantics).
    func matches(start s: Int, end e: Int) -> Bool {
        switch prefix {
        case .eq: return s >= start && e <= end
        case .ne: return !(s >= start && e <= end)
        case .lt: return s < start
        case .le: return s < end
        case .gt: return e > end
        case .ge: return e > start
        case .sa: return s >= end
        case .eb: return e <= start
        }
    }

    /// The condition on a day-precision value (a `CalendarDate`'s day number d covering `[d, d+1)` days),
    /// as inclusive day-number bounds; `negated` for `ne`.
    func dayBounds() -> (lower: Int?, upper: Int?, negated: Bool) {
        let d = Self.dayMillis
        func floorDiv(_ a: Int) -> Int { a >= 0 ? a / d : (a - d + 1) / d }
        func ceilDiv(_ a: Int) -> Int { -floorDiv(-a) }
        switch prefix {
        case .eq: return (ceilDiv(start), floorDiv(end) - 1, false)
        case .ne: return (ceilDiv(start), floorDiv(end) - 1, true)
        case .lt: return (nil, ceilDiv(start) - 1, false)
        case .le: return (nil, ceilDiv(end) - 1, false)
        case .gt: return (floorDiv(end), nil, false)
        case .ge: return (floorDiv(start), nil, false)
        case .sa: return (ceilDiv(end), nil, false)
        case .eb: return (nil, floorDiv(start) - 1, false)
        }
    }

    /// The day-precision condition as a text range of `YYYY-MM-DD` (SQL over a date column).
    func dayRange() -> FHIRAdverseEventCriteria.TextRange {
        let (lower, upper, negated) = dayBounds()
        return FHIRAdverseEventCriteria.TextRange(
            lower: lower.map { CalendarDate(dayNumber: $0).description },
            upper: upper.map { CalendarDate(dayNumber: $0 + 1).description }, negated: negated)
    }

    /// The condition on an instant (a stored `YYYY-MM-DDTHH:MM:SS.sssZ`, covering one millisecond) as a text range.
    func instantRange() -> FHIRAdverseEventCriteria.TextRange {
        func text(_ ms: Int) -> String { FHIRCare.sortKey(Date(timeIntervalSince1970: Double(ms) / 1000)) }
        switch prefix {
        case .eq: return .init(lower: text(start), upper: text(end))
        case .ne: return .init(lower: text(start), upper: text(end), negated: true)
        case .lt, .eb: return .init(lower: nil, upper: text(start))
        case .le: return .init(lower: nil, upper: text(end))
        case .gt, .sa: return .init(lower: text(end), upper: nil)
        case .ge: return .init(lower: text(start), upper: nil)
        }
    }

    /// Whether a day-precision value matches (the same as `matches` over the day's range).
    func matches(day: CalendarDate) -> Bool {
        let s = day.dayNumber * Self.dayMillis
        return matches(start: s, end: s + Self.dayMillis)
    }

    /// `[start, end)` in ms of `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm[:ss[.fff]](Z|±hh:mm)`.
    static func range(_ text: String) -> (start: Int, end: Int)? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[from..<(from + count)] {
                guard (48...57).contains(b) else { return nil }
                value = value * 10 + Int(b) - 48
            }
            return value
        }
        guard let year = number(0, 4) else { return nil }
        if bytes.count == 4 {
            guard let first = CalendarDate(year: year, month: 1, day: 1) else { return nil }
            let next = CalendarDate(year: year + 1, month: 1, day: 1)?.dayNumber ?? first.adding(days: 366).dayNumber
            return (first.dayNumber * dayMillis, next * dayMillis)
        }
        guard bytes.count >= 7, bytes[4] == 45, let month = number(5, 2) else { return nil }
        if bytes.count == 7 {
            guard let first = CalendarDate(year: year, month: month, day: 1) else { return nil }
            let next = month == 12 ? CalendarDate(year: year + 1, month: 1, day: 1) : CalendarDate(year: year, month: month + 1, day: 1)
            return (first.dayNumber * dayMillis, (next?.dayNumber ?? first.adding(days: 31).dayNumber) * dayMillis)
        }
        guard bytes.count >= 10, bytes[7] == 45, let dayOfMonth = number(8, 2),
              let day = CalendarDate(year: year, month: month, day: dayOfMonth) else { return nil }
        let dayStart = day.dayNumber * dayMillis
        if bytes.count == 10 { return (dayStart, dayStart + dayMillis) }
        guard bytes.count >= 16, bytes[10] == 84, bytes[13] == 58, let hour = number(11, 2), let minute = number(14, 2),
              hour < 24, minute < 60 else { return nil }
        var index = 16
        var second = 0
        var millis = 0
        var precision = 60_000
        if index < bytes.count, bytes[index] == 58 {
            guard let s = number(index + 1, 2), s < 60 else { return nil }
            second = s
            precision = 1000
            index += 3
            if index < bytes.count, bytes[index] == 46 {
                index += 1
                var digits = 0
                var fraction = 0
                while index < bytes.count, (48...57).contains(bytes[index]) {
                    if digits < 3 { fraction = fraction * 10 + Int(bytes[index]) - 48 }
                    digits += 1
                    index += 1
                }
                guard digits > 0 else { return nil }
                for _ in 0..<max(0, 3 - min(digits, 3)) { fraction *= 10 }
                millis = fraction
                precision = 1
            }
        }
        var offset = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 90, index + 1 == bytes.count {
            offset = 0
        } else if bytes[index] == 43 || bytes[index] == 45, index + 6 == bytes.count, bytes[index + 3] == 58,
                  let oh = number(index + 1, 2), let om = number(index + 4, 2), oh < 24, om < 60 {
            offset = (oh * 60 + om) * 60_000 * (bytes[index] == 43 ? 1 : -1)
        } else {
            return nil
        }
        let start = dayStart + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offset
        return (start, start + precision)
    }
}

/// A token search value `[system|]code` (`system|` alone: any code of the system; `|code`: no system).
struct FHIRCareToken: Sendable, Hashable {
    var system: String?
    var code: String?

    static func parse(_ values: [String]) -> [FHIRCareToken] {
        values.map { value in
            guard let bar = value.firstIndex(of: "|") else { return FHIRCareToken(system: nil, code: value) }
            let system = String(value[..<bar])
            let code = String(value[value.index(after: bar)...])
            return FHIRCareToken(system: system, code: code.isEmpty ? nil : code)
        }
    }

    func matches(system s: String, code c: String) -> Bool {
        if let system, system != s { return false }
        if let code, code != c { return false }
        return true
    }
}
