import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// `ClinicalEntry.recordBatch` (the bulk form of `record`, docs/fhir.md "Bulk Data"), on both engines: the same
/// rows, alerts, treatment actions and audit entries as recording the observations one by one; a refused
/// observation in the middle is answered alone while the others are stored; a refusal at the write names its
/// item and writes nothing; idempotency keys as `record` keeps them.
@Suite("Observations recorded in a batch — on both engines", .serialized)
struct ObservationBatchTests {
    typealias Setup = SafetyActionStorageTests
    static let day0 = Setup.day0

    /// A value of a test for p-1 in e-1 (or `participant` without enrolment) on day `day`.
    static func value(_ id: String, _ code: Coding, _ value: Double, _ unit: String, day: Int, uln: Double? = nil,
                      participant: String = "p-1", enrolment: String? = "e-1") -> Observation {
        var o = Observation(id: Identifier(id), participantID: Identifier(participant), enrolmentID: enrolment.map { Identifier($0) },
                            code: code, value: .quantity(Quantity(value, unit)),
                            effective: day0.adding(days: day).startOfDayUTC.addingTimeInterval(9 * 3600))
        o.upperLimitOfNormal = uln
        return o
    }

    static let triglyceride = Coding(.loinc, "2571-8", display: "Triglyceride")
    static let alt = Coding(.loinc, "1742-6", display: "ALT")

    /// Normal values, a grade-3 triglyceride (hold), and an ALT at 5.25 × ULN whose normal baseline is the ALT
    /// recorded two lines before it in the same batch (hold only when that earlier value is seen); one value of
    /// a participant without enrolment and one without an enrolment named (all open enrolments' rules).
    static let observations: [Observation] = [
        value("o-1", triglyceride, 150, "mg/dL", day: 1),
        value("o-2", alt, 30, "U/L", day: 2, uln: 40),
        value("o-3", triglyceride, 600, "mg/dL", day: 3),
        value("o-4", alt, 210, "U/L", day: 4, uln: 40),
        value("o-5", triglyceride, 140, "mg/dL", day: 5, participant: "p-2", enrolment: nil),
        value("o-6", triglyceride, 160, "mg/dL", day: 6, enrolment: nil),
    ]

    /// p-1 on isotretinoin with an active course (`SafetyActionStorageTests.onTreatment`), p-2 at the same site.
    static func clinic(_ db: StorageDatabase) async throws -> (Repositories, ProtocolCatalog) {
        let (repos, catalog) = try await Setup.onTreatment(db)
        _ = try await repos.participants.create(Fixture.participant("p-2", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
        return (repos, catalog)
    }

    static func entry(_ repos: Repositories, _ catalog: ProtocolCatalog) -> ClinicalEntry {
        ClinicalEntry(repositories: repos, catalog: catalog, ids: ScreeningInputStorageTests.Counter(prefix: "id"))
    }

    /// Every audit entry as content, without its place in the chain (sequence, hash), sorted.
    static func auditContent(_ db: StorageDatabase) async throws -> [String] {
        try await db.store.read { sql in
            try await sql.raw("""
                SELECT chain_id, at, actor_id, actor_role, action, table_name, record_id, changes, reason, request_id, record_hash FROM audit_log
                """).all().map { row in
                try ["chain_id", "at", "actor_id", "actor_role", "action", "table_name", "record_id", "changes", "reason", "request_id", "record_hash"]
                    .map { try row.decode(column: $0, as: String?.self) ?? "∅" }.joined(separator: "|")
            }
        }.sorted()
    }

    struct Snapshot: Equatable {
        var observations: [Versioned<Observation>]
        var alerts: [Versioned<SafetyAlertRecord>]
        var courses: [Versioned<MedicationCourse>]
        var enrolment: Versioned<Enrolment>
        var audit: [String]
    }

    static func snapshot(_ db: StorageDatabase, _ repos: Repositories) async throws -> Snapshot {
        let observations = try await repos.observations.list(participant: "p-1") + repos.observations.list(participant: "p-2")
        return Snapshot(
            observations: observations.sorted { $0.value.id.rawValue < $1.value.id.rawValue },
            alerts: try await repos.safetyAlerts.list(participant: "p-1").sorted { $0.value.id.rawValue < $1.value.id.rawValue },
            courses: try await repos.medicationCourses.list(participant: "p-1"),
            enrolment: try await repos.enrolments.get("e-1"),
            audit: try await auditContent(db))
    }

    @Test("a batch stores the same observations, alerts, holds and audit entries as recording them one by one", arguments: TestDatabase.urls)
    func sameAsOneByOne(url: String) async throws {
        let oneByOne = try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.clinic(db)
            let entry = Self.entry(repos, catalog)
            var rules: [[String]] = []
            for o in Self.observations {
                rules.append(try await entry.record(o, context: Fixture.coordinator, idempotencyKey: nil).safety.alerts.map(\.value.ruleID))
            }
            return (try await Self.snapshot(db, repos), rules)
        }
        let batch = try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.clinic(db)
            let outcomes = try await Self.entry(repos, catalog).recordBatch(Self.observations.map { ($0, nil) }, context: Fixture.coordinator)
            let rules = try outcomes.map { try $0.get().safety.alerts.map(\.value.ruleID) }
            let auditCount = try await db.count("audit_log")
            #expect(try await repos.audit.verify() == .intact(entries: auditCount))
            return (try await Self.snapshot(db, repos), rules)
        }
        // The grade-3 triglyceride holds the course; the ALT is graded against the batch's own earlier ALT.
        #expect(batch.1 == [[], [], ["tg-grade3-hold"], ["alt-grade3-hold"], [], []])
        #expect(batch.1 == oneByOne.1)
        #expect(batch.0.observations.count == 6)
        #expect(batch.0.alerts.count == 2)
        #expect(batch.0.courses.map(\.value.status) == [.held])
        #expect(batch.0 == oneByOne.0)
    }

    @Test("refused observations in the middle of a batch (implausible value, wrong unit) are answered alone; the others are stored", arguments: TestDatabase.urls)
    func refusedInTheMiddle(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.clinic(db)
            let auditBefore = try await db.count("audit_log")
            let items = [
                Self.value("o-1", Self.triglyceride, 150, "mg/dL", day: 1),
                Self.value("o-2", Self.triglyceride, 99_000, "mg/dL", day: 2),
                Self.value("o-3", Self.triglyceride, 150, "kg", day: 3),
                Self.value("o-4", Self.triglyceride, 600, "mg/dL", day: 4),
            ]
            let outcomes = try await Self.entry(repos, catalog).recordBatch(items.map { ($0, nil) }, context: Fixture.coordinator)
            func field(_ outcome: ClinicalEntry.BatchOutcome) -> String? {
                if case let .failure(DomainError.invalidValue(field, _)) = outcome { return field }
                return nil
            }
            #expect(outcomes.map(field) == [nil, "value.quantity.value", "value.quantity.unit", nil])
            #expect(try outcomes[3].get().safety.alerts.map(\.value.ruleID) == ["tg-grade3-hold"])
            #expect(try await repos.observations.list(participant: "p-1").map(\.value.id).sorted() == ["o-1", "o-4"])
            // Two observations, one alert, the course put on hold: four entries, the chain intact.
            #expect(try await repos.audit.verify() == .intact(entries: auditBefore + 4))
        }
    }

    @Test("a refusal at the write (a participant that is not there) names its item and writes nothing", arguments: TestDatabase.urls)
    func refusedAtTheWrite(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.clinic(db)
            let auditBefore = try await db.count("audit_log")
            let items = [
                Self.value("o-1", Self.triglyceride, 150, "mg/dL", day: 1),
                Self.value("o-2", Self.triglyceride, 150, "mg/dL", day: 2, participant: "p-unknown", enrolment: nil),
                Self.value("o-3", Self.triglyceride, 600, "mg/dL", day: 3),
            ]
            let failure = await #expect(throws: BatchItemError.self) {
                try await Self.entry(repos, catalog).recordBatch(items.map { ($0, nil) }, context: Fixture.coordinator)
            }
            #expect(failure?.index == 1)
            #expect(failure?.error as? RepositoryError == .unknownReference(kind: "observation"))
            #expect(try await repos.observations.list(participant: "p-1").isEmpty)
            #expect(try await repos.safetyAlerts.list(participant: "p-1").isEmpty)
            #expect(try await db.count("audit_log") == auditBefore)
        }
    }

    @Test("idempotency keys: a batch sent again stores nothing twice; a key repeated in a batch is one record, with another body refused", arguments: TestDatabase.urls)
    func idempotency(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let (repos, catalog) = try await Self.clinic(db)
            let entry = Self.entry(repos, catalog)
            let items: [(observation: Observation, idempotencyKey: String?)] = [
                (Self.value("o-1", Self.triglyceride, 150, "mg/dL", day: 1), "k-1"),
                (Self.value("o-2", Self.triglyceride, 600, "mg/dL", day: 2), "k-2"),
            ]
            let first = try await entry.recordBatch(items, context: Fixture.coordinator)
            let auditAfterFirst = try await db.count("audit_log")
            // The same batch again, the observations with new ids (a retried request): the first records come back.
            let again = try await entry.recordBatch(items.map { item in
                var o = item.observation
                o.id = Identifier("retry-" + o.id.rawValue)
                return (o, item.idempotencyKey)
            }, context: Fixture.coordinator)
            #expect(try again.map { try $0.get().stored.value.id } == first.map { try $0.get().stored.value.id })
            #expect(try again[1].get().safety.alerts.map(\.value.id) == first[1].get().safety.alerts.map(\.value.id))
            #expect(try await repos.observations.list(participant: "p-1").count == 2)
            #expect(try await repos.safetyAlerts.list(participant: "p-1").count == 1)
            #expect(try await db.count("audit_log") == auditAfterFirst)
            // The batch's own earlier use of a key answers a repeat of it the same way.
            let twice = try await entry.recordBatch([
                (Self.value("o-3", Self.triglyceride, 170, "mg/dL", day: 3), "k-3"),
                (Self.value("o-3b", Self.triglyceride, 170, "mg/dL", day: 3), "k-3"),
            ], context: Fixture.coordinator)
            #expect(try twice.map { try $0.get().stored.value.id } == ["o-3", "o-3"])
            #expect(try await repos.observations.list(participant: "p-1").count == 3)
            let reused = await #expect(throws: BatchItemError.self) {
                try await entry.recordBatch([
                    (Self.value("o-4", Self.triglyceride, 180, "mg/dL", day: 4), "k-4"),
                    (Self.value("o-4b", Self.triglyceride, 190, "mg/dL", day: 4), "k-4"),
                ], context: Fixture.coordinator)
            }
            #expect(reused?.index == 1)
            #expect(reused?.error as? RepositoryError == .idempotencyKeyReused(key: "k-4"))
            #expect(try await repos.observations.list(participant: "p-1").count == 3)
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }
}
