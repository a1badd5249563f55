import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RestoraDomain
@testable import RestoraWeb
import Testing

/// Amendments (issue #14 item 7, docs/amendments.md): participants enrolled under v1.0 stay on v1.0 when the
/// program moves to v1.1, new enrolments take v1.1, each enrolment's visits are judged on its own version's
/// schedule, and a participant moves only by an explicit re-consent.
@Suite("Protocol amendments: enrolments keep their version")
struct AmendmentAPITests {
    struct EnrolmentJSON: Decodable { var id: String; var protocolVersion: String? }

    /// The repository's protocols with isotretinoin v1.1 beside v1.0: month 1's window 3 days longer after.
    static func amendedCatalog() throws -> ProtocolCatalog {
        let base = try WebHarness.catalog()
        let v10 = try base.definition(id: "isotretinoin-noa")
        var v11 = v10
        v11.version = "1.1"
        v11.schedule = v10.schedule.map { visit in
            var visit = visit
            if visit.key == "month-1" { visit.windowAfter = 10 }
            return visit
        }
        return ProtocolCatalog(directory: base.directory, protocols: base.protocols, files: base.files, amendments: [v11])
    }

    @Test("v1.0 participants stay on v1.0 while new ones enrol on v1.1; visits are judged on each one's version; re-consent moves one")
    func enrolmentsKeepTheirVersion() async throws {
        try await WebHarness.with { h, client in
            let repos = h.database.repositories
            let catalog = try Self.amendedCatalog()
            let first = try await client.execute(uri: "/api/v1/participants/p-a/enrolments", method: .post, headers: h.headers(.coordinator),
                                                 body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { r in
                try decode(EnrolmentJSON.self, r.body)
            }
            #expect(first.protocolVersion == "1.0")

            let versioning = ProtocolVersioning(repositories: repos, catalog: catalog)
            let admin = AuditContext(actor: Actor(userID: "u-admin", role: "admin"), requestID: "t", reason: "amendment 1.1 approved")
            // An unknown version and a missing reason are refused; the program does not move.
            await #expect(throws: DomainError.self) { try await versioning.setProgramVersion("prog-1", to: "9.9", context: admin) }
            await #expect(throws: DomainError.self) {
                try await versioning.setProgramVersion("prog-1", to: "1.1", context: AuditContext(actor: admin.actor, requestID: "t"))
            }
            #expect(try await repos.programs.get("prog-1").value.protocolVersion == "1.0")
            let moved = try await versioning.setProgramVersion("prog-1", to: "1.1", context: admin)
            #expect(moved.value.protocolVersion == "1.1")
            let history = try await repos.audit.history(table: "programs", recordID: "prog-1")
            #expect(history.contains { $0.reason == "amendment 1.1 approved" })

            // A new participant at site A enrols on v1.1; the first stays on v1.0.
            _ = try await repos.participants.create(
                Participant(id: "p-c", siteID: "site-a", mrn: "A-003", givenName: "Ivo", familyName: "Nunes", sex: .male,
                            birthDate: CalendarDate(year: 1984, month: 2, day: 2)!),
                context: WebHarness.setup, idempotencyKey: nil)
            let second = try await client.execute(uri: "/api/v1/participants/p-c/enrolments", method: .post, headers: h.headers(.coordinator),
                                                  body: ByteBuffer(json: #"{"programID":"prog-1"}"#)) { r in
                try decode(EnrolmentJSON.self, r.body)
            }
            #expect(second.protocolVersion == "1.1")
            #expect(try await repos.enrolments.get(Identifier(first.id)).value.protocolVersion == "1.0")

            // Month 1 on day 39: outside v1.0's window (day 23 to 37), inside v1.1's (day 23 to 40).
            let day0 = CalendarDate("2025-10-01")!
            for id in [first.id, second.id] {
                _ = try await VisitAPITests.onTreatment(h, id: Identifier(id), day0: day0)
            }
            let visits = VisitEntry(repositories: repos, catalog: catalog, ids: UUIDGenerator())
            let attended = VisitEntry.Request(visitKey: "month-1", outcome: .attended(day0.adding(days: 39)))
            await #expect(throws: DomainError.self) {
                try await visits.record(attended, enrolment: Identifier(first.id), today: CalendarDate(WebHarness.now), context: WebHarness.setup, idempotencyKey: nil)
            }
            let stored = try await visits.record(attended, enrolment: Identifier(second.id), today: CalendarDate(WebHarness.now),
                                                 context: WebHarness.setup, idempotencyKey: nil)
            #expect(stored.value.windowAfter == 10)

            // Re-consent moves the first participant to the program's version, audited.
            let reconsented = try await versioning.reconsent(
                Identifier(first.id), context: AuditContext(actor: admin.actor, requestID: "t", reason: "re-consented to amendment 1.1"))
            #expect(reconsented.value.protocolVersion == "1.1")
            _ = try await visits.record(attended, enrolment: Identifier(first.id), today: CalendarDate(WebHarness.now),
                                        context: WebHarness.setup, idempotencyKey: nil)
        }
    }
}
