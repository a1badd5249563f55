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

    /// Two participants whose observations are written alternately: the bulk read gives them grouped by
    /// participant (in id order, "p-0" before "p-1") and each participant's in storage order, the order of
    /// index observations_participant_created (migration 0050), not interleaved by time of writing.
    static func checkGroupedByParticipant(_ db: StorageDatabase) async throws {
        let repos = try await Fixture.seed(db)
        _ = try await repos.participants.create(Fixture.participant("p-0", mrn: "MRN-000"), context: Fixture.coordinator,
                                                idempotencyKey: nil)
        for (index, observation) in Self.observations().enumerated() {
            for person in ["p-1", "p-0"] {
                var copy = observation
                copy.id = Identifier("\(observation.id.rawValue)-\(person)-\(index)")
                copy.participantID = Identifier(person)
                _ = try await repos.observations.create(copy, context: Fixture.coordinator, idempotencyKey: nil)
            }
        }
        let first = try await repos.observations.list(participant: "p-0").map(\.value)
        let second = try await repos.observations.list(participant: "p-1").map(\.value)
        #expect(first.count == 5 && second.count == 5)
        let bulk = try await repos.programRecords.observations(participants: ["p-1", "p-0"], enrolments: [], selection: .all)
        #expect(bulk.map(\.id) == (first + second).map(\.id))
        #expect(bulk == first + second)
    }

    /// Forty observations whose texts repeat and vary from row to row — more distinct codes, displays and units
    /// per column than `RecentTexts` keeps, texts that share a length, on SQLite a text with a NUL inside (which both
    /// paths cut at the NUL, as SQLiteNIO reads text; PostgreSQL refuses a NUL in text) — read in bulk equal the
    /// by-name read, in order.
    static func checkRepeatedTexts(_ db: StorageDatabase, nul: Bool) async throws {
        let repos = try await Fixture.seed(db)
        let units = ["mg/dL", "ng/mL", "mmol/L"]
        var written: [Observation] = []
        for index in 0..<40 {
            let value: ObservationValue = index % 4 == 3
                ? .text(nul ? "note\u{0}hidden \(index % 4)" : "note \(index % 4)")
                : .quantity(Quantity(Double(index) / 4, units[index % 3]))
            let display = index % 3 == 0 ? nil : "Display \(index % 13) of a test, long enough to be allocated"
            written.append(Observation(
                id: Identifier("o-\(100 + index)"), participantID: "p-1", panelID: "panel-\(index / 5)",
                code: Coding(.loinc, "c-\(index % 11)", display: display), value: value,
                effective: Fixture.instant.addingTimeInterval(Double(index / 5) * 60)))
        }
        for observation in written {
            _ = try await repos.observations.create(observation, context: Fixture.coordinator, idempotencyKey: nil)
        }
        let byName = try await repos.observations.list(participant: "p-1").map(\.value)
        let bulk = try await repos.programRecords.observations(participants: ["p-1"], enrolments: [], selection: .all)
        #expect(bulk.count == 40)
        #expect(bulk == byName)
        #expect(bulk.map(\.code.display) == written.map(\.code.display))
        #expect(bulk.compactMap(\.value.quantity?.unit) == written.compactMap(\.value.quantity?.unit))
    }

    @Test("texts that repeat and vary from row to row, in memory and on PostgreSQL", arguments: TestDatabase.urls)
    func repeatedTexts(url: String) async throws {
        try await TestDatabase.with(url) { db in try await Self.checkRepeatedTexts(db, nul: url.hasPrefix("sqlite")) }
    }

    @Test("texts that repeat and vary from row to row, on an SQLite file through the bulk-read handle")
    func repeatedTextsOnReaders() async throws {
        try await ReaderPoolTests.withFileDatabase { db in
            let sqlite = try #require(db.store as? SQLiteStore)
            #expect(try await sqlite.withRawReader { _ in true } == true, "a file database's readers have bulk-read handles")
            try await Self.checkRepeatedTexts(db, nul: true)
        }
    }

    @Test("an in-memory database has no bulk-read handle (its one connection reads instead)")
    func noRawReaderInMemory() async throws {
        try await TestDatabase.with("sqlite::memory:") { db in
            let sqlite = try #require(db.store as? SQLiteStore)
            #expect(try await sqlite.withRawReader { _ in true } == nil)
        }
    }

    @Test("grouped by participant, each in storage order", arguments: TestDatabase.urls)
    func groupedByParticipant(url: String) async throws {
        try await TestDatabase.with(url) { db in try await Self.checkGroupedByParticipant(db) }
    }

    @Test("grouped by participant on an SQLite file, through a reader connection")
    func groupedByParticipantOnReaders() async throws {
        try await ReaderPoolTests.withFileDatabase { db in try await Self.checkGroupedByParticipant(db) }
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
