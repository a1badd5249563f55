import Foundation
import RestoraDomain

/// What the CARE resource types (Procedure, MedicationRequest/Dispense/Statement, AdverseEvent,
/// BiologicallyDerivedProduct, Provenance) share: FHIR datatypes built from Restora values, the date search
/// parameter with its prefixes (FHIRCareSearchValues.swift), and keyset paging over a participant's records read in memory.
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

    /// `YYYY-MM-DDThh:mm:ss[.sss]Z` without a formatter (bulk export maps many of these per second). Nudged by 1 µs
    /// before the milliseconds are cut, as `FHIRHTTP.instant`: a stored `…:00.123Z` read back is 123 ms as a
    /// `Double` relative to 2001, and about one in nine such instants lands just under …123 once moved to 1970.
    static func instantText(_ date: Date) -> String {
        let millis = Int((date.addingTimeInterval(0.000_001).timeIntervalSince1970 * 1000).rounded(.down))
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
