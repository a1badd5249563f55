import Foundation
import RestoraDomain

/// Provenance (https://hl7.org/fhir/R4/provenance.html): who did what to a record, one resource per entry of
/// the audit trail that created, changed or deleted it (reads and baselines are left out) — docs/fhir.md
/// "Provenance". Read-only, for the roles that read the audit trail (monitor, auditor, data manager, admin),
/// at their sites. `target` the record (version-less reference), `recorded` the entry's time, `activity`
/// CREATE/UPDATE/DELETE (`http://terminology.hl7.org/CodeSystem/v3-DataOperation`), `reason` the reason for change
/// as text, `agent` the user (type author; role as text); the changed fields (names only), the audit sequence and
/// the request id are Restora extensions. The id is `<type code>.<record id>.<audit sequence>`.
struct FHIRProvenanceHandler: FHIRResourceHandler {
    let resourceType = "Provenance"

    var searchParameters: [FHIRSearchParameter] {
        [
            FHIRSearchParameter(name: "target", kind: .reference,
                                documentation: "the record (Type/id; types: \(Self.targets.map(\.type).joined(separator: ", "))); required unless _id is given"),
            FHIRSearchParameter(name: "patient", kind: .reference, documentation: "the participant's own record (Patient/<id>): the same as target=Patient/<id>"),
        ]
    }
    var sortParameters: [String] { ["recorded", "_lastUpdated"] }

    /// The FHIR types whose records have provenance: the id code, the audited table, the record kind of
    /// `RecordReferences.owner(ofRecord:)` (nil: looked up here).
    struct Target: Sendable {
        var type: String
        var code: String
        var table: String
        var ownerKind: String?
    }

    static let targets: [Target] = [
        Target(type: "Patient", code: "pat", table: "participants", ownerKind: "participants"),
        Target(type: "ResearchSubject", code: "rs", table: "enrolments", ownerKind: "enrolments"),
        Target(type: "Encounter", code: "enc", table: "visits", ownerKind: "visits"),
        Target(type: "Observation", code: "obs", table: "observations", ownerKind: "observations"),
        Target(type: "Procedure", code: "proc", table: "procedures", ownerKind: "procedures"),
        Target(type: "AdverseEvent", code: "ae", table: "adverse_events", ownerKind: "adverse-events"),
        Target(type: "MedicationRequest", code: "medreq", table: "medication_courses", ownerKind: "medication-courses"),
        Target(type: "MedicationStatement", code: "medstmt", table: "concomitant_medications", ownerKind: nil),
        Target(type: "BiologicallyDerivedProduct", code: "bdp", table: "cell_products", ownerKind: "cell-products"),
    ]

    static let operationSystem = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
    static let agentTypeSystem = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

    static func id(_ target: Target, recordID: String, sequence: Int) -> String { "\(target.code).\(recordID).\(sequence)" }

    /// The target, record id and audit sequence a Provenance id names; nil when it names none.
    static func parse(_ id: String) -> (target: Target, recordID: String, sequence: Int)? {
        guard let first = id.firstIndex(of: "."), let last = id.lastIndex(of: "."), first < last,
              let target = targets.first(where: { $0.code == id[..<first] }),
              let sequence = Int(id[id.index(after: last)...]) else { return nil }
        let recordID = String(id[id.index(after: first)..<last])
        guard !recordID.isEmpty else { return nil }
        return (target, recordID, sequence)
    }

    /// The resource (without `meta`) of one audit entry about a record of `target`'s type; nil for an entry
    /// that is not a change (read, baseline, security).
    static func resource(_ entry: AuditEntry, target: Target) -> FHIRJSON? {
        let activity: String
        switch entry.action {
        case .create: activity = "CREATE"
        case .update: activity = "UPDATE"
        case .delete: activity = "DELETE"
        case .read, .security, .baseline: return nil
        }
        let fields = entry.changes.map(\.field)
        let agent = FHIRJSON.object([
            "type": FHIRCare.concept([FHIRCare.coding(system: agentTypeSystem, code: "author", display: "Author")]),
            "role": entry.actor.role.map { .array([FHIRCare.text($0)]) },
            "who": FHIRCare.user(entry.actor),
        ])
        return .object([
            "resourceType": .string("Provenance"),
            "id": .string(id(target, recordID: entry.recordID, sequence: entry.sequence)),
            "extension": FHIRCare.extensions([
                FHIRCare.ext("audit-sequence", "valueInteger", .integer(entry.sequence)),
                FHIRCare.ext("audit-request-id", "valueString", .string(entry.requestID)),
            ] + fields.map { FHIRCare.ext("audit-changed-field", "valueString", .string($0)) }),
            "target": .array([FHIRCare.reference(target.type, entry.recordID)]),
            "recorded": FHIRCare.instant(entry.at),
            "reason": entry.reason.map { .array([FHIRCare.text($0)]) },
            "activity": FHIRCare.concept([FHIRCare.coding(system: operationSystem, code: activity, display: activity.capitalized)]),
            "agent": .array([agent]),
        ])
    }

    /// A Provenance is not versioned: version 1, lastUpdated = recorded.
    static func stored(_ entry: AuditEntry, target: Target) -> FHIRStoredResource? {
        resource(entry, target: target).map {
            FHIRStoredResource(type: "Provenance", id: id(target, recordID: entry.recordID, sequence: entry.sequence),
                               versionID: 1, lastUpdated: entry.at, resource: $0)
        }
    }

    /// The audit entries of a record the user may see (their role reads the audit trail, the record is at
    /// their sites); anything else is 404 (403 for a role that reads no audit trail).
    func entries(_ target: Target, recordID: String, in context: FHIRInteractionContext) async throws -> [AuditEntry] {
        guard context.user.role.readsAudit else {
            throw FHIRError(status: 403, code: .forbidden, diagnostics: "the \(context.user.role.rawValue) role cannot read the audit trail (Provenance)")
        }
        guard FHIRCare.isValidID(recordID) else { throw FHIRError.notFound(target.type, recordID) }
        let repositories = context.repositories
        let owner: Identifier<Participant>
        do {
            if let kind = target.ownerKind {
                owner = try await RecordReferences(repositories: repositories).owner(ofRecord: kind, id: recordID)
            } else {
                owner = try await repositories.concomitantMedications.get(Identifier(recordID)).value.participantID
            }
        } catch RepositoryError.notFound {
            throw FHIRError.notFound(target.type, recordID)
        }
        do {
            _ = try await FHIRCare.visibleParticipant(owner, in: context)
        } catch is FHIRError {
            throw FHIRError.notFound(target.type, recordID)
        }
        return try await repositories.audit.history(table: target.table, recordID: recordID)
    }

    func read(id: String, in context: FHIRInteractionContext) async throws -> FHIRStoredResource {
        guard FHIRCare.isValidID(id), let (target, recordID, sequence) = Self.parse(id) else { throw FHIRError.notFound(resourceType, id) }
        let found: [AuditEntry]
        do {
            found = try await entries(target, recordID: recordID, in: context)
        } catch let error as FHIRError where error.status == 404 {
            throw FHIRError.notFound(resourceType, id)
        }
        guard let entry = found.first(where: { $0.sequence == sequence }), let stored = Self.stored(entry, target: target) else {
            throw FHIRError.notFound(resourceType, id)
        }
        return stored
    }

    func search(_ query: FHIRSearchQuery, in context: FHIRInteractionContext) async throws -> FHIRSearchPage {
        try FHIRCare.refuseUnknown(query, supported: ["_id", "_lastUpdated", "target", "patient"], type: resourceType)
        guard context.user.role.readsAudit else {
            throw FHIRError(status: 403, code: .forbidden, diagnostics: "the \(context.user.role.rawValue) role cannot read the audit trail (Provenance)")
        }
        var targetGroups: [[(Target, String)]] = []
        for criterion in query.criteria where criterion.name == "target" || criterion.name == "patient" {
            targetGroups.append(try criterion.values.map { value in
                var reference = value
                if criterion.name == "patient", !reference.contains("/") { reference = "Patient/" + reference }
                if let modifier = criterion.modifier, !reference.contains("/") { reference = "\(modifier)/\(reference)" }
                let parts = reference.split(separator: "/").suffix(2).map(String.init)
                guard parts.count == 2, let target = Self.targets.first(where: { $0.type == parts[0] }),
                      criterion.name == "target" || target.type == "Patient" else {
                    throw FHIRError.invalid(
                        "\(criterion.name) is a reference Type/id to one of \(Self.targets.map(\.type).joined(separator: ", ")), got '\(value)'",
                        at: criterion.name)
                }
                return (target, parts[1])
            })
        }
        let ids = FHIRCare.ids(in: query)
        var wanted: [(Target, String)] = []
        if let first = targetGroups.first {
            wanted = first.filter { candidate in
                targetGroups.dropFirst().allSatisfy { group in group.contains { $0.0.type == candidate.0.type && $0.1 == candidate.1 } }
            }
        } else if let ids {
            wanted = ids.compactMap { Self.parse($0) }.map { ($0.target, $0.recordID) }
        } else {
            throw FHIRError(status: 400, code: .tooCostly, diagnostics: "a Provenance search needs target (Type/id) or _id", expression: ["target"])
        }
        var candidates: [FHIRCare.Candidate] = []
        var seen = Set<String>()
        for (target, recordID) in wanted where seen.insert("\(target.type)/\(recordID)").inserted {
            let found: [AuditEntry]
            do {
                found = try await entries(target, recordID: recordID, in: context)
            } catch let error as FHIRError where error.status == 404 {
                continue
            }
            for entry in found {
                guard let stored = Self.stored(entry, target: target) else { continue }
                if let ids, !ids.contains(stored.id) { continue }
                let sequence = String(entry.sequence)
                let key = FHIRCare.sortKey(entry.at) + String(repeating: "0", count: max(0, 15 - sequence.count)) + sequence
                candidates.append(FHIRCare.Candidate(sortKey: key, lastUpdated: key, resource: stored))
            }
        }
        return try FHIRCare.page(candidates, query, dateKey: "recorded")
    }
}
