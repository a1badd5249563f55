import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Concomitant medications and reviewed sections (issue #14 item 1, migration 0032) on both engines: typed
/// columns read back exactly, the participant's site, audited; the database itself refuses a stop before the
/// start, a non-RxNorm code, an unknown section and a second current review of one section.
@Suite("Screening inputs: storage", .serialized)
struct ScreeningInputStorageTests {
    static let tetracycline = ConcomitantMedication(
        drug: Coding(.rxnorm, "10395", display: "tetracycline"), drugClass: "tetracycline", dose: "250 mg four times daily",
        start: CalendarDate("2025-11-02")!, stop: CalendarDate("2025-11-16")!)
    static let alendronate = ConcomitantMedication(drug: ClinicalCodes.alendronate, drugClass: "bisphosphonate", adjunct: true)

    struct Counter: IDGenerator {
        let prefix: String
        let box = Box()
        final class Box: @unchecked Sendable { var n = 0; let lock = NSLock() }
        func next() -> String { box.lock.lock(); defer { box.lock.unlock() }; box.n += 1; return "\(prefix)-\(box.n)" }
    }

    @Test("a concomitant medication round-trips through typed columns with the participant's site, audited", arguments: TestDatabase.urls)
    func medicationRoundTrip(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.participants.create(Fixture.participant("p-2", site: "site-b", mrn: "MRN-002"), context: Fixture.coordinator, idempotencyKey: nil)
            let entry = ScreeningInputsEntry(repositories: repos, ids: Counter(prefix: "cm"))
            let today = CalendarDate("2026-01-02")!
            let first = try await entry.recordMedication(Self.tetracycline, for: "p-1", today: today, context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await entry.recordMedication(Self.alendronate, for: "p-2", today: today, context: Fixture.coordinator, idempotencyKey: nil)
            #expect(try await repos.concomitantMedications.get(first.value.id).value.medication == Self.tetracycline)
            #expect(try await repos.concomitantMedications.list(participant: "p-2").map(\.value.medication) == [Self.alendronate])
            #expect(try await repos.concomitantMedications.list(participants: ["p-1", "p-2"]).count == 2)
            let rows = try await db.store.read { sql in
                try await sql.raw("SELECT site_id, drug_code, drug_class, start_date, stop_date FROM concomitant_medications ORDER BY id").all()
                    .map { row in
                        try ["site_id", "drug_code", "drug_class", "start_date", "stop_date"]
                            .map { try row.decode(column: $0, as: String?.self) ?? "-" }.joined(separator: "|")
                    }
            }
            #expect(rows == ["site-a|10395|tetracycline|2025-11-02|2025-11-16", "site-b|46041|bisphosphonate|-|-"])
            #expect(try await repos.audit.history(table: "concomitant_medications", recordID: first.value.id.rawValue).map(\.action) == [.create])
        }
    }

    @Test("the database refuses a stop before the start and a code outside RxNorm", arguments: TestDatabase.urls)
    func databaseChecks(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Fixture.seed(db)
            let insert = """
                INSERT INTO concomitant_medications (id, site_id, participant_id, drug_system, drug_code, start_date, stop_date, adjunct,
                version, created_at, updated_at) VALUES ('x', 'site-a', 'p-1', '%@', '10395', '2026-01-10', '%@', FALSE, 1, 'now', 'now')
                """
            await #expect(throws: (any Error).self) {
                try await db.rawSQL(insert.replacingOccurrences(of: "'%@', '10395'", with: "'rxnorm', '10395'")
                    .replacingOccurrences(of: "'%@', FALSE", with: "'2026-01-09', FALSE"))
            }
            await #expect(throws: (any Error).self) {
                try await db.rawSQL(insert.replacingOccurrences(of: "'%@', '10395'", with: "'loinc', '10395'")
                    .replacingOccurrences(of: "'%@', FALSE", with: "'2026-01-11', FALSE"))
            }
            #expect(try await db.count("concomitant_medications") == 0)
        }
    }

    @Test("reviewed sections: set, kept, withdrawn (soft-deleted, audited), one current review per section", arguments: TestDatabase.urls)
    func reviews(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let entry = ScreeningInputsEntry(repositories: repos, ids: Counter(prefix: "rv"))
            let first = try await entry.setReviewedSections([.medications, .history], for: "p-1", at: Fixture.instant, context: Fixture.coordinator)
            #expect(first.map(\.value.section) == [.history, .medications])
            #expect(first.allSatisfy { $0.value.reviewedBy == Fixture.coordinator.actor && $0.value.reviewedAt == Fixture.instant })
            let later = Fixture.instant.addingTimeInterval(86_400)
            let second = try await entry.setReviewedSections([.medications, .diagnoses], for: "p-1", at: later, context: Fixture.coordinator)
            #expect(second.map(\.value.section) == [.diagnoses, .medications])
            // medications keeps its first review; history was withdrawn with a reason in the audit trail.
            #expect(second.first { $0.value.section == .medications }?.value.reviewedAt == Fixture.instant)
            let history = try #require(first.first { $0.value.section == .history })
            let trail = try await repos.audit.history(table: "participant_reviews", recordID: history.value.id.rawValue)
            #expect(trail.map(\.action) == [.create, .delete])
            #expect(try await repos.sectionReviews.list(participant: "p-1").map(\.value.section).sorted { $0.order < $1.order } == [.diagnoses, .medications])
            let site = try await db.store.read { sql in
                try await sql.raw("SELECT DISTINCT site_id FROM participant_reviews").all().map { try $0.decode(column: "site_id", as: String.self) }
            }
            #expect(site == ["site-a"])
            // A second current review of one section, and an unknown section, are refused by the database too.
            let duplicate = SectionReview(id: "rv-dup", participantID: "p-1", section: .medications, reviewedBy: Fixture.coordinator.actor, reviewedAt: later)
            await #expect(throws: (any Error).self) {
                _ = try await repos.sectionReviews.create(duplicate, context: Fixture.coordinator, idempotencyKey: nil)
            }
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("""
                    INSERT INTO participant_reviews (id, site_id, participant_id, section, reviewed_by_user, reviewed_at, version, created_at, updated_at)
                    VALUES ('rv-x', 'site-a', 'p-1', 'labs', 'u', 'now', 1, 'now', 'now')
                    """)
            }
        }
    }
}
