import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// E-consent (issue #16 item 2, migration 0043) through its domain services on both engines: versioned documents
/// with their SHA-256, consents on the current version only, the consent gate, re-consent tasks after a new
/// version, withdrawals with their consequences — and the refusals, each writing nothing.
@Suite("E-consent: storage and services", .serialized)
struct ConsentStorageTests {
    static let now = Date(timeIntervalSince1970: 1_768_003_200)  // 2026-01-10T00:00:00Z
    static let investigator = AuditContext(actor: Actor(userID: "u-inv", role: "investigator"), requestID: "req-c")
    static let text = Data("Informed consent for the isotretinoin study.\nYou may withdraw at any time.\n".utf8)

    /// Sites A and B; p-1 (site A) and p-2 (site B) enrolled in prog-1, e-1 and e-2, moved to `status` directly.
    static func seed(_ db: StorageDatabase, status: [EnrolmentStatus] = [.screening, .eligible]) async throws -> Repositories {
        let repos = try await Fixture.seed(db)
        var program = Fixture.program()
        program.siteIDs = ["site-a", "site-b"]
        _ = try await repos.programs.create(program, context: Fixture.coordinator, idempotencyKey: nil)
        _ = try await repos.participants.create(Fixture.participant("p-2", site: "site-b", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
        for (e, p, s) in [("e-1", "p-1", "site-a"), ("e-2", "p-2", "site-b")] {
            _ = try await repos.enrolments.create(Enrolment(id: Identifier(e), participantID: Identifier(p), programID: "prog-1", siteID: Identifier(s)),
                                                  context: Fixture.coordinator, idempotencyKey: nil)
            try await move(repos, e, through: status)
        }
        return repos
    }

    static func move(_ repos: Repositories, _ id: String, through statuses: [EnrolmentStatus]) async throws {
        for status in statuses {
            let current = try await repos.enrolments.get(Identifier(id))
            _ = try await repos.enrolments.transition(Identifier(id), to: status, at: Fixture.instant, expectedVersion: current.version,
                                                      context: AuditContext(actor: Fixture.coordinator.actor, requestID: "r", reason: "per protocol"))
        }
    }

    static func issue(_ repos: Repositories, _ id: String, witness: Bool = false, content: Data = text, at: Date = Fixture.instant) async throws -> Versioned<ConsentDocument> {
        try await ConsentDocuments(repositories: repos).issue(
            .init(title: "Participant information and consent", fileName: "consent.txt", content: content, witnessRequired: witness),
            program: "prog-1", id: Identifier(id), at: at, context: investigator)
    }

    static func consent(_ repos: Repositories, _ enrolment: String = "e-1", id: String = "c-1", version: Int? = nil, signer: String = "A. Participant",
                        signedAt: String? = "2026-01-05T09:30:00Z", method: String = "in-person", witness: String? = nil) async throws -> Versioned<ConsentRecord> {
        try await ConsentEntry(repositories: repos).record(
            .init(documentVersion: version, signerName: signer, signedAt: signedAt, method: method, witnessName: witness),
            enrolment: Identifier(enrolment), id: Identifier(id), now: now, context: Fixture.coordinator, idempotencyKey: nil)
    }

    static func gate(_ repos: Repositories, _ enrolment: String = "e-1", to target: EnrolmentStatus = .consented) async throws {
        try await ConsentGate(repositories: repos).check(moving: try await repos.enrolments.get(Identifier(enrolment)).value, to: target)
    }

    @Test("versions are numbered per program, hashed with SHA-256, served byte for byte, audited site-less; tampered bytes are never served",
          arguments: TestDatabase.urls)
    func documents(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            let v1 = try await Self.issue(repos, "doc-1")
            let pdf = Data("%PDF-1.4\n% consent v2\n".utf8)
            let v2 = try await Self.issue(repos, "doc-2", witness: true, content: pdf)
            #expect(v1.value.documentVersion == 1 && v2.value.documentVersion == 2)
            #expect(v1.value.mediaType == .text && v2.value.mediaType == .pdf && v2.value.witnessRequired)
            #expect(v1.value.sha256 == SQLConsentRepository.sha256Hex(Self.text) && v1.value.byteCount == Self.text.count)
            #expect(try await repos.consents.content(of: "doc-2") == pdf)
            #expect(try await repos.consents.documents(program: "prog-1").map(\.value.documentVersion) == [1, 2])
            let history = try await repos.audit.history(table: "consent_documents", recordID: "doc-2")
            #expect(history.map(\.action) == [.create])
            let chain = try await db.store.read { sql in
                try await sql.raw("SELECT chain_id FROM audit_log WHERE table_name = 'consent_documents'").all().map { try $0.decode(column: "chain_id", as: String.self) }
            }
            #expect(chain == ["", ""])
            try await db.rawSQL("UPDATE consent_document_contents SET content_base64 = '\(Data("%PDF-1.4\n% forged\n".utf8).base64EncodedString())' WHERE document_id = 'doc-2'")
            await #expect(throws: StorageError.corruptRecord(table: "consent_document_contents", column: "content_base64")) {
                try await repos.consents.content(of: "doc-2")
            }
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }

    @Test("issuing refuses a coordinator, an empty or binary file, a wrong media type, a path in the name, an unknown program; nothing written",
          arguments: TestDatabase.urls)
    func issueRefusals(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            let service = ConsentDocuments(repositories: repos)
            func input(_ content: Data = ConsentStorageTests.text, name: String = "c.txt", type: String? = nil, title: String = "Consent") -> ConsentDocuments.Input {
                .init(title: title, fileName: name, mediaType: type, content: content, witnessRequired: false)
            }
            await #expect(throws: RoleRefusal.self) {
                try await service.issue(input(), program: "prog-1", id: "d", at: Fixture.instant, context: Fixture.coordinator)
            }
            let cases: [(ConsentDocuments.Input, String)] = [
                (input(Data()), "content"), (input(Data([0xff, 0x00, 0x12])), "content"), (input(type: "application/pdf"), "mediaType"),
                (input(type: "image/png"), "mediaType"), (input(name: "../etc/passwd"), "fileName"), (input(title: "  "), "title"),
            ]
            for (bad, field) in cases {
                await #expect(throws: DomainError.self) {
                    do { _ = try await service.issue(bad, program: "prog-1", id: "d", at: Fixture.instant, context: Self.investigator) } catch let DomainError.invalidValue(f, _) {
                        #expect(f == field); throw DomainError.invalidValue(field: f, message: "")
                    }
                }
            }
            await #expect(throws: RepositoryError.self) {
                try await service.issue(input(), program: "prog-gone", id: "d", at: Fixture.instant, context: Self.investigator)
            }
            let documentRows = try await db.count("consent_documents")
            let contentRows = try await db.count("consent_document_contents")
            #expect(documentRows == 0 && contentRows == 0)
        }
    }

    @Test("the gate: no document → not gated; a document → consent on the current version needed; a new version → re-consent task per site until signed",
          arguments: TestDatabase.urls)
    func gateAndReconsent(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            try await Self.gate(repos)  // no document issued: not gated
            _ = try await Self.issue(repos, "doc-1")
            await #expect(throws: DomainError.protocolRule(rule: ConsentGate.rule, field: "to",
                                                           message: "consent needs a signed consent on consent document version 1; record the consent first")) {
                try await Self.gate(repos)
            }
            let c1 = try await Self.consent(repos)
            #expect(c1.value.documentVersion == 1 && c1.value.documentSHA256 == SQLConsentRepository.sha256Hex(Self.text))
            try await Self.gate(repos)
            _ = try await Self.consent(repos, "e-2", id: "c-2", signer: "B. Participant", method: "remote")
            try await Self.move(repos, "e-1", through: [.consented, .enrolled])
            try await Self.move(repos, "e-2", through: [.consented])
            #expect(try await repos.consents.reconsentTasks(sites: nil, limit: 10).total == 0)
            _ = try await Self.issue(repos, "doc-2", witness: true, at: Date(timeIntervalSince1970: 1_767_744_000))  // 2026-01-07
            let all = try await repos.consents.reconsentTasks(sites: nil, limit: 10)
            #expect(all.total == 2 && all.tasks.map(\.enrolmentID) == ["e-1", "e-2"] && all.tasks.allSatisfy { $0.signedVersion == 1 && $0.currentVersion == 2 })
            let siteB = try await repos.consents.reconsentTasks(sites: ["site-b"], limit: 10)
            #expect(siteB.tasks.map(\.participantID) == ["p-2"] && siteB.total == 1)
            #expect(try await repos.consents.reconsentTasks(sites: [], limit: 10).total == 0)
            await #expect(throws: DomainError.self) { try await Self.gate(repos, "e-2", to: .enrolled) }
            // v1 is superseded; v2 needs its witness; then e-1 re-consents and its task goes.
            await #expect(throws: DomainError.invalidValue(field: "documentVersion", message: "version 1 is superseded by version 2; the participant signs the current version")) {
                try await Self.consent(repos, id: "c-3", version: 1, signedAt: "2026-01-08T10:00:00Z")
            }
            await #expect(throws: DomainError.invalidValue(field: "witnessName", message: "version 2 requires a witness; give the witness's name")) {
                try await Self.consent(repos, id: "c-3", signedAt: "2026-01-08T10:00:00Z")
            }
            _ = try await Self.consent(repos, id: "c-3", signedAt: "2026-01-08T10:00", witness: "W. Witness")
            let after = try await repos.consents.reconsentTasks(sites: nil, limit: 10)
            #expect(after.tasks.map(\.enrolmentID) == ["e-2"])
            try await Self.gate(repos, "e-2", to: .followUp)  // moves after enrolment are not gated
        }
    }

    @Test("a consent is refused for: no document, empty signer, bad method, a time in the future or unreadable, a duplicate, a terminal enrolment, a monitor — nothing written",
          arguments: TestDatabase.urls)
    func consentRefusals(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db)
            await #expect(throws: DomainError.self) { try await Self.consent(repos) }
            _ = try await Self.issue(repos, "doc-1")
            let refused: [(String, () async throws -> Void)] = [
                ("signerName", { _ = try await Self.consent(repos, signer: " ") }),
                ("method", { _ = try await Self.consent(repos, method: "telepathy") }),
                ("signedAt", { _ = try await Self.consent(repos, signedAt: "2027-01-01T00:00:00Z") }),
                ("signedAt", { _ = try await Self.consent(repos, signedAt: "yesterday") }),
                ("documentVersion", { _ = try await Self.consent(repos, version: 7) }),
            ]
            for (field, attempt) in refused {
                do { try await attempt(); Issue.record("\(field) accepted") } catch let DomainError.invalidValue(f, _) { #expect(f == field) }
            }
            await #expect(throws: RoleRefusal.self) {
                try await ConsentEntry(repositories: repos).record(.init(signerName: "X", method: "remote"), enrolment: "e-1", id: "c-9", now: Self.now,
                                                                   context: AuditContext(actor: Actor(userID: "u-mon", role: "monitor"), requestID: "m"), idempotencyKey: nil)
            }
            _ = try await Self.consent(repos)
            await #expect(throws: DomainError.self) { try await Self.consent(repos, id: "c-2") }
            try await Self.move(repos, "e-2", through: [.withdrawn])
            await #expect(throws: DomainError.self) { try await Self.consent(repos, "e-2", id: "c-3") }
            #expect(try await db.count("consent_records") == 1)
        }
    }

    @Test("withdrawal of treatment stops the course and moves on-treatment to follow-up; follow-up withdraws; data-use is listed for exports; a repeat, a stale version and a narrower scope are refused",
          arguments: TestDatabase.urls)
    func withdrawals(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Self.seed(db, status: [.screening, .eligible, .consented, .enrolled, .onTreatment])
            var course = Fixture.course()
            course.enrolmentID = "e-1"
            _ = try await repos.medicationCourses.create(course, context: Fixture.coordinator, idempotencyKey: nil)
            let service = ConsentWithdrawals(repositories: repos)
            let e1 = try await repos.enrolments.get("e-1")
            await #expect(throws: RepositoryError.staleVersion(kind: "enrolment", id: "e-1", expected: e1.version - 1)) {
                try await service.withdraw(.init(scope: "treatment"), enrolment: "e-1", expectedVersion: e1.version - 1, id: "w-0", now: Self.now, context: Fixture.coordinator)
            }
            await #expect(throws: DomainError.self) {
                try await service.withdraw(.init(scope: "everything"), enrolment: "e-1", expectedVersion: e1.version, id: "w-0", now: Self.now, context: Fixture.coordinator)
            }
            let treatment = try await service.withdraw(.init(scope: "treatment", withdrawnAt: "2026-01-09T08:00:00Z", reason: "side effects"),
                                                       enrolment: "e-1", expectedVersion: e1.version, id: "w-1", now: Self.now, context: Fixture.coordinator)
            #expect(treatment.enrolment.value.status == .followUp && treatment.enrolment.value.treatmentDiscontinuation != nil)
            #expect(try await repos.medicationCourses.get("mc-1").value.status == .stopped)
            await #expect(throws: DomainError.self) { try await Self.gate(repos, "e-1", to: .onTreatment) }
            await #expect(throws: DomainError.self) {
                try await service.withdraw(.init(scope: "treatment"), enrolment: "e-1", expectedVersion: treatment.enrolment.version, id: "w-x", now: Self.now, context: Fixture.coordinator)
            }
            let followUp = try await service.withdraw(.init(scope: "follow-up"), enrolment: "e-1", expectedVersion: treatment.enrolment.version,
                                                      id: "w-2", now: Self.now, context: Fixture.coordinator)
            #expect(followUp.enrolment.value.status == .withdrawn)
            let e2 = try await repos.enrolments.get("e-2")
            let dataUse = try await service.withdraw(.init(scope: "data-use"), enrolment: "e-2", expectedVersion: e2.version, id: "w-3", now: Self.now, context: Fixture.coordinator)
            #expect(dataUse.enrolment.value.status == .withdrawn)
            #expect(try await repos.consents.dataUseWithdrawals(program: "prog-1") == ["p-2": Self.now])
            // data-use is still possible after the enrolment ended (e-1 withdrawn from follow-up).
            let e1After = try await repos.enrolments.get("e-1")
            _ = try await service.withdraw(.init(scope: "data-use"), enrolment: "e-1", expectedVersion: e1After.version, id: "w-4", now: Self.now, context: Fixture.coordinator)
            #expect(try await db.count("consent_withdrawals") == 4)
            let history = try await repos.audit.history(table: "consent_withdrawals", recordID: "w-1")
            #expect(history.first?.reason == "consent withdrawn (treatment): side effects")
            #expect(try await repos.audit.verify() == .intact(entries: try await db.count("audit_log")))
        }
    }
}
