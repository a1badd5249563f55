import Foundation
import RestoraDomain
@testable import RestoraStorage
import Testing

/// Issue #18: a program's observations are read in bulk by position (`SQLiteRowsByPosition` on SQLite, SQLKit
/// rows on PostgreSQL) and must equal, value for value and in storage order, what the by-name read gives.
@Suite("Observations read in bulk by position", .serialized)
struct ObservationBulkReadTests {
    /// Observations of every value kind, with and without specimen details, notes and limits.
    static func observations() -> [Observation] {
        let at = Fixture.instant
        return [
            Observation(id: "o-q", participantID: "p-1", panelID: "panel-1", code: Coding(.loinc, "2571-8", display: "Triglyceride"),
                        value: .quantity(Quantity(151.25, "mg/dL")), effective: at,
                        specimen: SpecimenDetails(type: "serum", collected: at.addingTimeInterval(-3_600.5)),
                        upperLimitOfNormal: 150),
            Observation(id: "o-c", participantID: "p-1", code: Coding(.restora, "semen-class"),
                        value: .coded(Coding(.snomed, "48188009", display: "Azoospermia")), effective: at.addingTimeInterval(60),
                        specimen: SpecimenDetails(type: "semen", centrifuged: true, centrifugationG: 3_000, centrifugationMinutes: 15,
                                                  pelletExamined: true, pelletFinding: .nonMotileSperm, abstinenceDays: 3,
                                                  note: "pellet, \"two\" fields"),
                        bodySite: "left", note: "line one\nline two"),
            Observation(id: "o-i", participantID: "p-1", code: Coding(.loinc, "2093-3"), value: .integer(7),
                        effective: at.addingTimeInterval(-86_400 * 400)),
            Observation(id: "o-b", participantID: "p-1", code: Coding(.restora, "flag"), value: .boolean(false),
                        effective: at.addingTimeInterval(0.001)),
            Observation(id: "o-t", participantID: "p-1", code: Coding(.restora, "words"), value: .text("é, ü — ✓"),
                        effective: Date(timeIntervalSinceReferenceDate: 1_000.25)),
        ]
    }

    static func check(_ db: StorageDatabase) async throws {
        let repos = try await Fixture.seed(db)
        for observation in Self.observations() {
            _ = try await repos.observations.create(observation, context: Fixture.coordinator, idempotencyKey: nil)
        }
        let byName = try await repos.observations.list(participant: "p-1").map(\.value)
        let bulk = try await repos.programRecords.observations(participants: ["p-1"], enrolments: [], selection: .all)
        #expect(bulk.map(\.id) == byName.map(\.id))
        #expect(bulk == byName)
        #expect(Set(bulk.map(\.id)) == Set(Self.observations().map(\.id)))

        let triglyceride = ObservationSelection(codes: ["2571-8"], specimenTypes: ["semen"])
        let selected = try await repos.programRecords.observations(participants: ["p-1"], enrolments: [], selection: triglyceride)
        #expect(selected.map(\.id.rawValue) == byName.filter(triglyceride.matches).map(\.id.rawValue))
        #expect(Set(selected.map(\.id.rawValue)) == ["o-q", "o-c"])

        let none = try await repos.programRecords.observations(participants: ["p-2"], enrolments: ["e-9"], selection: .all)
        #expect(none.isEmpty)
    }

    @Test("in memory (SQLite) and on PostgreSQL when configured", arguments: TestDatabase.urls)
    func sameAsReadByName(url: String) async throws {
        try await TestDatabase.with(url) { db in try await Self.check(db) }
    }

    @Test("on an SQLite file, through a reader connection")
    func sameOnReaders() async throws {
        try await ReaderPoolTests.withFileDatabase { db in try await Self.check(db) }
    }
}
