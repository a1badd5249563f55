import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Export jobs (issue #18, migration 0041) on both engines: the job, its requested and exported participants and
/// its files round-trip; the status only moves forward; every row is audited in the site-less chain and
/// vouched for by `audit verify --records`, which also catches a participant row removed behind Restora's back.
@Suite("Export jobs: storage", .serialized)
struct ExportJobStorageTests {
    static let requester = AuditContext(actor: Actor(userID: "u-dm", role: "data-manager"), requestID: "req-export")
    static let later = Fixture.instant.addingTimeInterval(60)

    static func job(_ id: String = "job-1", participants: [Identifier<Participant>]? = nil, sites: [Identifier<Site>]? = ["site-a"]) -> ExportJob {
        ExportJob(id: Identifier(id), kind: "sdtm", programID: "prog-1", deidentified: true, datePrecision: "year", sites: sites,
                  requestedParticipants: participants, requestedBy: Actor(userID: "u-dm", role: "data-manager"),
                  requestedByName: "dana", requestedAt: Fixture.instant, synthetic: false)
    }

    static let files = [
        ExportJob.File(name: "dm.xpt", rows: 2, bytes: 1600, sha256: String(repeating: "a", count: 64), description: "SDTM DM as SAS XPORT v5"),
        ExportJob.File(name: "define.xml", rows: 0, bytes: 9000, sha256: String(repeating: "b", count: 64), description: "define.xml 2.1"),
    ]

    static func seed(_ db: StorageDatabase) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        _ = try await repos.programs.create(Fixture.program(), context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.participants.create(Fixture.participant("p-2", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
        return repos
    }

    @Test("a job round-trips: queued with its requested participants, running, done with its files and the participants exported",
          arguments: TestDatabase.urls)
    func lifecycle(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            let created = try await repos.exportJobs.create(Self.job(participants: ["p-2", "p-1"]), context: Self.requester)
            #expect(created.value == Self.job(participants: ["p-2", "p-1"]) && created.version == 1)
            let running = try await repos.exportJobs.start("job-1", at: Self.later, context: Self.requester)
            #expect(running.value.status == .running && running.value.startedAt == Self.later)
            let done = try await repos.exportJobs.finish("job-1", folder: "/srv/exports/job-1", files: Self.files, participants: ["p-2", "p-1"],
                                                         version: "1.2.3", at: Self.later, context: Self.requester)
            var expected = Self.job(participants: ["p-2", "p-1"])
            expected.status = .done
            expected.startedAt = Self.later
            expected.finishedAt = Self.later
            expected.folder = "/srv/exports/job-1"
            expected.files = Self.files
            expected.participantCount = 2
            expected.restoraVersion = "1.2.3"
            #expect(done.value == expected)
            #expect(try await repos.exportJobs.get("job-1").value == expected)
            #expect(try await repos.exportJobs.exportedParticipants("job-1") == ["p-2", "p-1"])
            // Audited in the site-less chain: the create, two status updates, 2 requested + 2 exported participant rows, 2 files.
            let entries = try await db.store.read { sql in
                try await sql.raw("SELECT table_name, action, chain_id FROM audit_log WHERE table_name LIKE 'export_job%' ORDER BY sequence").all()
                    .map { "\(try $0.decode(column: "table_name", as: String.self)):\(try $0.decode(column: "action", as: String.self)):\(try $0.decode(column: "chain_id", as: String.self))" }
            }
            #expect(entries.filter { $0.hasPrefix("export_jobs:") } == ["export_jobs:create:", "export_jobs:update:", "export_jobs:update:"])
            #expect(entries.filter { $0.hasPrefix("export_job_participants:create:") }.count == 4)
            #expect(entries.filter { $0.hasPrefix("export_job_files:create:") }.count == 2)
            let history = try await repos.audit.history(table: "export_jobs", recordID: "job-1")
            #expect(history.first?.actor == Actor(userID: "u-dm", role: "data-manager"))
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
            let report = try await db.verifyRecords()
            #expect(report.findings.isEmpty)
        }
    }

    @Test("a job moves only forward: a done job cannot fail or start again, a failed one keeps its reason", arguments: TestDatabase.urls)
    func forwardOnly(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            _ = try await repos.exportJobs.create(Self.job(), context: Self.requester)
            await #expect(throws: DomainError.self) {
                try await repos.exportJobs.finish("job-1", folder: "/x", files: [], participants: [], version: "1", at: Self.later, context: Self.requester)
            }
            let failed = try await repos.exportJobs.fail("job-1", message: "  unknown participant p-9 ", at: Self.later, context: Self.requester)
            #expect(failed.value.status == .failed && failed.value.errorMessage == "unknown participant p-9" && failed.value.finishedAt == Self.later)
            await #expect(throws: DomainError.self) { try await repos.exportJobs.start("job-1", at: Self.later, context: Self.requester) }
            await #expect(throws: DomainError.self) {
                try await repos.exportJobs.fail("job-1", message: "again", at: Self.later, context: Self.requester)
            }
            #expect(try await repos.exportJobs.get("job-1").version == 2)
            await #expect(throws: RepositoryError.self) { try await repos.exportJobs.get("job-404") }
        }
    }

    @Test("a restart fails every queued or running job with its message; lists are newest first, per requester", arguments: TestDatabase.urls)
    func unfinishedAndLists(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            var other = Self.job("job-2", sites: nil)
            other.requestedBy = Actor(userID: "u-admin", role: "admin")
            other.requestedAt = Self.later
            _ = try await repos.exportJobs.create(Self.job(), context: Self.requester)
            _ = try await repos.exportJobs.create(other, context: Self.requester)
            _ = try await repos.exportJobs.start("job-2", at: Self.later, context: Self.requester)
            #expect(try await repos.exportJobs.list(requestedBy: nil, limit: 10).map(\.value.id) == ["job-2", "job-1"])
            #expect(try await repos.exportJobs.list(requestedBy: "u-dm", limit: 10).map(\.value.id) == ["job-1"])
            #expect(try await repos.exportJobs.get("job-2").value.sites == nil)
            let system = AuditContext(actor: Actor(userID: "system", role: nil), requestID: "startup")
            #expect(try await repos.exportJobs.failUnfinished(message: "the server stopped", at: Self.later, context: system) == 2)
            #expect(try await repos.exportJobs.list(requestedBy: nil, limit: 10).allSatisfy { $0.value.status == .failed && $0.value.errorMessage == "the server stopped" })
            #expect(try await repos.exportJobs.failUnfinished(message: "x", at: Self.later, context: system) == 0)
        }
    }

    @Test("the database refuses an unknown kind or status, a bad SHA-256, an unknown participant; verify --records names a removed row",
          arguments: TestDatabase.urls)
    func constraintsAndTamper(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            _ = try await repos.exportJobs.create(Self.job(), context: Self.requester)
            _ = try await repos.exportJobs.start("job-1", at: Self.later, context: Self.requester)
            _ = try await repos.exportJobs.finish("job-1", folder: "/x", files: Self.files, participants: ["p-1", "p-2"], version: "1", at: Self.later,
                                                  context: Self.requester)
            await #expect(throws: (any Error).self) { try await db.rawSQL("UPDATE export_jobs SET kind = 'xlsx' WHERE id = 'job-1'") }
            await #expect(throws: (any Error).self) { try await db.rawSQL("UPDATE export_jobs SET status = 'finished' WHERE id = 'job-1'") }
            await #expect(throws: (any Error).self) { try await db.rawSQL("UPDATE export_job_files SET sha256 = 'abc' WHERE position = 0") }
            await #expect(throws: (any Error).self) {
                try await repos.exportJobs.create(Self.job("job-2", participants: ["p-404"]), context: Self.requester)
            }
            #expect(try await db.count("export_jobs") == 1)
            try await db.rawSQL("DELETE FROM export_job_participants WHERE id = 'job-1:1'")
            let report = try await db.verifyRecords()
            let found = report.findings.map(\.description)
            #expect(found.contains { $0.contains("job-1:1") && $0.contains("DELETED") })
            #expect(found.contains { $0.contains("participant_count is 2 but its rows say 1") })
        }
    }
}
