import Foundation

/// A record that can be source-verified, as SDV sees it: its kind (API name), id, current version, the visit it
/// belongs to (observations entered at a visit), a short label for pages, and its fields (the keys of its JSON
/// form, which is what the API shows and what a field-level mark or a data query names).
public struct SourceRecord: Hashable, Sendable {
    public var kind: String
    public var id: String
    public var version: Int
    public var visitID: Identifier<Visit>?
    public var label: String
    public var fields: [String]

    public init(kind: String, id: String, version: Int, visitID: Identifier<Visit>? = nil, label: String, fields: [String]) {
        self.kind = kind
        self.id = id
        self.version = version
        self.visitID = visitID
        self.label = label
        self.fields = fields
    }

    /// The record's fields a monitor may name: its JSON keys, less the identifiers that tie it to the participant.
    public static func fields<T: Encodable>(of value: T) -> [String] {
        guard let data = try? JSONEncoder().encode(value),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [] }
        return object.keys.filter { !["id", "participantID"].contains($0) }.sorted()
    }
}

/// Loading a participant's source-verifiable records through the repositories (one list per kind, no per-row
/// reads), and resolving one record named by kind and id.
public enum SourceRecords {
    /// Every source-verifiable record of the participant, in `SourceVerification.kinds` order.
    public static func load(_ participant: Identifier<Participant>, in r: Repositories) async throws -> [SourceRecord] {
        let enrolments = try await r.enrolments.list(participant: participant)
        let visits = try await r.visits.list(enrolments: enrolments.map(\.value.id))
        var records: [SourceRecord] = enrolments.map { record($0) } + visits.map { record($0) }
        records += try await r.observations.list(participant: participant).map { record($0) }
        records += try await r.procedures.list(participant: participant).map { record($0) }
        records += try await r.adverseEvents.list(participant: participant).map { record($0) }
        records += try await r.medicationCourses.list(participant: participant).map { record($0) }
        records += try await r.cellProducts.list(participant: participant).map { record($0) }
        return records
    }

    /// The record of `kind` and `id` if it is one of `participant`'s; otherwise the refusal naming `field`
    /// (the same answer for "does not exist" and "belongs to someone else", as `RecordReferences`).
    public static func one(kind: String, id: String, of participant: Identifier<Participant>, in r: Repositories,
                           field: String = "recordID") async throws -> SourceRecord {
        guard SourceVerification.kinds.contains(kind) else {
            throw DomainError.invalidValue(field: "recordKind", message: "recordKind must be one of \(SourceVerification.kinds.joined(separator: ", "))")
        }
        let refusal = DomainError.invalidValue(field: field, message: "\(field) names no record of kind \(kind) of this participant")
        do {
            let owner = try await RecordReferences(repositories: r).owner(ofRecord: kind, id: id)
            guard owner == participant else { throw refusal }
            switch kind {
            case "enrolments": return record(try await r.enrolments.get(Identifier(id)))
            case "visits": return record(try await r.visits.get(Identifier(id)))
            case "observations": return record(try await r.observations.get(Identifier(id)))
            case "procedures": return record(try await r.procedures.get(Identifier(id)))
            case "adverse-events": return record(try await r.adverseEvents.get(Identifier(id)))
            case "medication-courses": return record(try await r.medicationCourses.get(Identifier(id)))
            default: return record(try await r.cellProducts.get(Identifier(id)))
            }
        } catch RepositoryError.notFound {
            throw refusal
        }
    }

    static func record(_ s: Versioned<Enrolment>) -> SourceRecord {
        SourceRecord(kind: "enrolments", id: s.value.id.rawValue, version: s.version, label: "Enrolment in \(s.value.programID.rawValue)",
                     fields: SourceRecord.fields(of: s.value))
    }

    static func record(_ s: Versioned<Visit>) -> SourceRecord {
        SourceRecord(kind: "visits", id: s.value.id.rawValue, version: s.version, visitID: s.value.id,
                     label: "Visit \(s.value.visitKey)" + (s.value.actualDate.map { " on \($0)" } ?? ""), fields: SourceRecord.fields(of: s.value))
    }

    static func record(_ s: Versioned<Observation>) -> SourceRecord {
        SourceRecord(kind: "observations", id: s.value.id.rawValue, version: s.version, visitID: s.value.visitID,
                     label: "\(s.value.code.display ?? s.value.code.code) on \(s.value.effectiveDate)", fields: SourceRecord.fields(of: s.value))
    }

    static func record(_ s: Versioned<Procedure>) -> SourceRecord {
        SourceRecord(kind: "procedures", id: s.value.id.rawValue, version: s.version,
                     label: "\(s.value.kind.rawValue) on \(CalendarDate(s.value.performed))", fields: SourceRecord.fields(of: s.value))
    }

    static func record(_ s: Versioned<AdverseEvent>) -> SourceRecord {
        SourceRecord(kind: "adverse-events", id: s.value.id.rawValue, version: s.version, label: "Adverse event \(s.value.term), grade \(s.value.grade)",
                     fields: SourceRecord.fields(of: s.value))
    }

    static func record(_ s: Versioned<MedicationCourse>) -> SourceRecord {
        SourceRecord(kind: "medication-courses", id: s.value.id.rawValue, version: s.version,
                     label: "\(s.value.drug.display ?? s.value.drug.code) from \(s.value.start)", fields: SourceRecord.fields(of: s.value))
    }

    static func record(_ s: Versioned<CellProduct>) -> SourceRecord {
        SourceRecord(kind: "cell-products", id: s.value.id.rawValue, version: s.version, label: "Cell product lot \(s.value.lot)",
                     fields: SourceRecord.fields(of: s.value))
    }
}
