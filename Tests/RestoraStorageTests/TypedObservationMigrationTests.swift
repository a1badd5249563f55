import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// Migrations 0022–0023 move observation values and specimens from JSON text into typed columns. These tests
/// build a database as the release before them left it (migrations 0001–0021, rows written the way the old
/// JSON coder wrote them), migrate it forward and read every value back through the repository.
@Suite("Typed observation values: migrating forward")
struct TypedObservationMigrationTests {
    static let lastOld = "0021_OneOpenEnrolmentPerProgram"

    static let collected = Date(timeIntervalSince1970: 1_767_312_000.125)

    /// Every kind of value, with and without specimen details, and the awkward numbers.
    static let observations: [Observation] = {
        let full = SpecimenDetails(
            type: "semen", collected: collected, centrifuged: true, centrifugationG: 3000, centrifugationMinutes: 15.5,
            pelletExamined: true, pelletFinding: .nonMotileSperm, abstinenceDays: 3, note: "pellet re-read, \"ok\"")
        let values: [(ObservationValue, SpecimenDetails?)] = [
            (.quantity(Quantity(150, "mg/dL")), SpecimenDetails(type: "serum")),
            (.quantity(Quantity(0.1 + 0.2, "mmol/L")), nil),
            (.quantity(Quantity(5.2e7, "10*6/mL")), full),
            (.quantity(Quantity(-3.25e-9, "g")), SpecimenDetails(type: "semen", centrifuged: false, pelletFinding: .noSperm)),
            (.quantity(Quantity(0, "10*6/mL")), SpecimenDetails(type: "semen", pelletExamined: false, abstinenceDays: 0)),
            (.coded(Coding(.restora, "azoospermia", display: "Azoospermia")), full),
            (.coded(Coding(.snomed, "260385009")), nil),
            (.integer(42), nil),
            (.integer(-7), SpecimenDetails(type: "urine", note: "first void")),
            (.boolean(true), nil),
            (.boolean(false), SpecimenDetails(type: "semen", pelletFinding: .motileSperm)),
            (.text("Normal morphology — ünïcode, 'quotes', \"double\", back\\slash"), nil),
            (.text(""), nil),
        ]
        return values.enumerated().map { n, item in
            Observation(
                id: Identifier("o-\(n)"), participantID: "p-1", panelID: n % 2 == 0 ? "panel-\(n / 4)" : nil,
                code: Coding(.loinc, "code-\(n % 3)", display: n % 2 == 0 ? "Display \(n)" : nil), value: item.0,
                effective: Fixture.instant.addingTimeInterval(Double(n) * 86_400 + 0.5), specimen: item.1,
                bodySite: n == 3 ? "left" : nil, note: n == 4 ? "note" : nil, upperLimitOfNormal: n == 0 ? 40 : nil)
        }
    }()

    @Test("values of every kind, with and without specimen details, read back identical after 0022–0023", arguments: TestDatabase.urls)
    func migratesForward(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.lastOld)
            try await Self.insertOldParticipant(db)
            for observation in Self.observations { try await Self.insertOld(observation, db) }

            let applied = try await db.migrator.migrate()
            #expect(applied.first == "0022_TypedObservationValues")
            #expect(applied.contains("0023_ConstrainTypedObservationValues"))

            for observation in Self.observations {
                let stored = try await db.repositories.observations.get(observation.id)
                #expect(stored.value == observation, "\(observation.id)")
                #expect(stored.version == 1)
            }
            let byCode = try await db.repositories.observations.list(participant: "p-1", code: Coding(.loinc, "code-0"))
            // Equal creation times: the list is ordered by id.
            #expect(byCode.map(\.value.id.rawValue) == Self.observations.filter { $0.code.code == "code-0" }.map(\.id.rawValue).sorted())
        }
    }

    @Test("a stored value that does not move stops 0022 at its verify step and leaves the database at 0021", arguments: TestDatabase.urls)
    func malformedValueFailsVerify(url: String) async throws {
        try await TestDatabase.with(url, migrated: false) { db in
            try await db.migrator.migrate(through: Self.lastOld)
            let before = try await db.migrator.applied()
            try await Self.insertOldParticipant(db)
            try await Self.insertOld(Self.observations[0], db)
            let bad: [(value: String, specimen: String?)] = [
                ("not json", nil),
                (#"{"quantity":{"unit":"mL","value":"many"}}"#, nil),
                (#"{"weight":{"unit":"kg","value":80}}"#, nil),
                (#"{"boolean":true,"integer":1}"#, nil),
                (#"{"integer":2.5}"#, nil),
                (#"{"coded":{"code":"x","colour":"red","system":"restora"}}"#, nil),
                (#"{"integer":3}"#, #"{"centrifuged":"yes","type":"semen"}"#),
                (#"{"integer":3}"#, #"{"pelletFinding":"some-sperm","type":"semen"}"#),
                (#"{"integer":3}"#, #"{"note":"no type"}"#),
                (#"{"integer":3}"#, #"{"type":"semen","viscosity":"high"}"#),
                (#"{"integer":3}"#, "{broken"),
            ]
            for (n, row) in bad.enumerated() {
                try await Self.insertRaw(db, id: "bad-\(n)", value: row.value, specimen: row.specimen)
                await #expect(throws: StorageError.migrationVerificationFailed(
                    name: "0022_TypedObservationValues", what: Self.m0022Problem, count: 1), "\(row)") {
                    try await db.migrator.migrate()
                }
                #expect(try await db.migrator.applied() == before)
                try await db.rawSQL("DELETE FROM observations WHERE id = 'bad-\(n)'")
            }
            // With the bad rows corrected, the same database migrates.
            try await db.migrator.migrate()
            #expect(try await db.repositories.observations.get("o-0").value == Self.observations[0])
        }
    }

    @Test("a corrupt typed cell is a corruptRecord error naming the table and column", arguments: TestDatabase.urls)
    func corruptCellNamesColumn(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            let cases: [(sql: String, column: String)] = [
                ("UPDATE observations SET code_system = 'nonsense' WHERE id = 'o-1'", "code_system"),
                ("UPDATE observations SET effective = 'yesterday' WHERE id = 'o-1'", "effective"),
                ("UPDATE observations SET value_kind = 'coded', value_number = NULL, value_unit = NULL, value_system = 'klingon', value_code = 'x' WHERE id = 'o-1'", "value_system"),
                ("UPDATE observations SET pellet_finding = NULL, specimen_collected = 'soon' WHERE id = 'o-1'", "specimen_collected"),
            ]
            for (n, item) in cases.enumerated() {
                _ = try await repos.observations.create(Fixture.observation(), context: Fixture.coordinator, idempotencyKey: nil)
                try await db.rawSQL(item.sql)
                await #expect(throws: StorageError.corruptRecord(table: "observations", column: item.column), "case \(n)") {
                    _ = try await repos.observations.get("o-1")
                }
                try await db.rawSQL("DELETE FROM observations WHERE id = 'o-1'")
            }
        }
    }

    @Test("explicit coders of the other tables name the corrupt column too", arguments: TestDatabase.urls)
    func corruptCellsOfOtherTables(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.adverseEvents.create(Fixture.adverseEvent(), context: Fixture.coordinator, idempotencyKey: nil)
            _ = try await repos.procedures.create(Fixture.procedure(), context: Fixture.coordinator, idempotencyKey: nil)
            let participant: @Sendable () async throws -> Void = { _ = try await repos.participants.get("p-1") }
            let cases: [(sql: String, table: String, column: String, read: @Sendable () async throws -> Void)] = [
                ("UPDATE participants SET sex = 'unknown-sex' WHERE id = 'p-1'", "participants", "sex", participant),
                ("UPDATE participants SET sex = 'male', diagnoses = '[{\"code\": 7}]' WHERE id = 'p-1'", "participants", "diagnoses", participant),
                ("UPDATE participants SET diagnoses = '[]', birth_date = '17/05/1990' WHERE id = 'p-1'", "participants", "birth_date", participant),
                ("UPDATE adverse_events SET onset = '2026-02-30' WHERE id = 'ae-1'", "adverse_events", "onset",
                 { _ = try await repos.adverseEvents.get("ae-1") }),
                ("UPDATE procedures SET performed = 'last tuesday' WHERE id = 'pr-1'", "procedures", "performed",
                 { _ = try await repos.procedures.get("pr-1") }),
            ]
            for item in cases {
                try await db.rawSQL(item.sql)
                await #expect(throws: StorageError.corruptRecord(table: item.table, column: item.column), "\(item.sql)") {
                    try await item.read()
                }
            }
        }
    }

    @Test("the typed columns' CHECKs refuse a value of one kind with another kind's columns", arguments: TestDatabase.urls)
    func checksRefuseMixedKinds(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let repos = try await Fixture.seed(db)
            _ = try await repos.observations.create(Fixture.observation(), context: Fixture.coordinator, idempotencyKey: nil)
            for sql in [
                "UPDATE observations SET value_integer = 3 WHERE id = 'o-1'",
                "UPDATE observations SET value_kind = 'weight' WHERE id = 'o-1'",
                "UPDATE observations SET value_unit = NULL WHERE id = 'o-1'",
                "UPDATE observations SET pellet_finding = 'some-sperm' WHERE id = 'o-1'",
                "UPDATE observations SET specimen_type = NULL, abstinence_days = 2 WHERE id = 'o-1'",
            ] {
                await #expect(throws: (any Error).self, "\(sql)") { try await db.rawSQL(sql) }
            }
            #expect(try await repos.observations.get("o-1").value == Fixture.observation())
        }
    }

    // MARK: the old release's rows

    static let m0022Problem = "observations whose JSON value or specimen did not move into typed columns (the value is not JSON, has an unknown kind, a field of the wrong type, a key with no column, or an unknown pellet finding); correct those rows with the previous release"

    static func insertOldParticipant(_ db: StorageDatabase) async throws {
        let stamp = StoredJSON.format(Fixture.instant)
        try await db.rawSQL("""
            INSERT INTO sites (id, code, name, time_zone, version, created_at, updated_at)
            VALUES ('site-a', 'A', 'Clinic A', 'Europe/Paris', 1, '\(stamp)', '\(stamp)')
            """)
        try await db.rawSQL("""
            INSERT INTO participants (id, site_id, mrn, given_name, family_name, sex, birth_date, search_name, version, created_at, updated_at)
            VALUES ('p-1', 'site-a', 'MRN-001', 'Jean', 'Dupont', 'male', '1990-05-17', 'jean dupont', 1, '\(stamp)', '\(stamp)')
            """)
    }

    /// An observation as the JSON coder before 0022 stored it: the value and specimen as canonical JSON text.
    static func insertOld(_ o: Observation, _ db: StorageDatabase) async throws {
        func json<V: Encodable>(_ v: V) throws -> String { String(decoding: try StoredJSON.encoder().encode(v), as: UTF8.self) }
        try await insertRaw(
            db, id: o.id.rawValue, value: try json(o.value), specimen: try o.specimen.map(json), panel: o.panelID,
            code: o.code, effective: o.effective, bodySite: o.bodySite, note: o.note, uln: o.upperLimitOfNormal)
    }

    static func insertRaw(
        _ db: StorageDatabase, id: String, value: String, specimen: String?, panel: String? = nil,
        code: Coding = Coding(.loinc, "code-9"), effective: Date = Fixture.instant, bodySite: String? = nil,
        note: String? = nil, uln: Double? = nil
    ) async throws {
        let stamp = StoredJSON.format(Fixture.instant)
        try await db.store.transaction { sql in
            try await sql.insert(into: "observations")
                .columns("id", "participant_id", "panel_id", "code_system", "code", "code_display", "value", "effective",
                         "specimen", "body_site", "note", "upper_limit_of_normal", "version", "created_at", "updated_at")
                .values(SQLBind(id), SQLBind("p-1"), bind(panel), SQLBind(code.system.rawValue), SQLBind(code.code),
                        bind(code.display), SQLBind(value), SQLBind(StoredJSON.format(effective)), bind(specimen),
                        bind(bodySite), bind(note), uln.map { SQLBind($0) } ?? SQLLiteral.null,
                        SQLBind(1), SQLBind(stamp), SQLBind(stamp))
                .run()
        }
    }

    static func bind(_ text: String?) -> any SQLExpression { text.map { SQLBind($0) } ?? SQLLiteral.null }
}
