import Foundation
import RestoraDomain
@testable import RestoraStorage
import SQLKit
import Testing

/// The schema rules that let a deployment shard by site (issue #13 item 6, docs/scaling.md), read from the
/// database's own catalogue on both engines, so a later migration that forgets them fails here.
@Suite("Schema invariants for sharding by site")
struct SiteSchemaInvariantTests {
    /// Shared by every site (reference tables on Citus) or bookkeeping of the database itself: no site_id.
    static let siteless: [String: String] = [
        "sites": "reference table: the sites themselves",
        "programs": "reference table: a program spans sites (site_ids)",
        "users": "reference table: an account may see several sites",
        "api_tokens": "reference table: belongs to a user",
        "prescreen_candidates": "public pre-screening for a program, before any site takes the person on",
        "idempotency_keys": "request bookkeeping, keyed by the request's scoped key",
        "restora_migrations": "schema bookkeeping",
        "restora_instance": "instance settings",
        "audit_log": "partitioned by chain_id (the site, or '' for site-less records) instead",
        "audit_chain_heads": "one row per chain, keyed by chain_id",
        "notification_settings": "a user's own settings (address), not clinical; an account may see several sites",
        "notification_preferences": "a user's own e-mail choices per notification kind, not clinical",
        "export_jobs": "an export may span sites (issue #18); its entries are in the site-less chain",
        "fhir_bulk_jobs": "a FHIR $export may span the requester's sites (issue #17; the sites it covers are a column of the job); its entries are in the site-less chain",
        "export_job_participants": "rows of a site-less export job",
        "export_job_files": "rows of a site-less export job",
        "consent_documents": "a program's consent document versions (issue #16); a program spans sites",
        "consent_document_contents": "the bytes of a site-less consent document version",
        "visit_due_cache_state": "the fingerprint of the protocols and programs the dashboard's kept visit spans were computed with (0053, SQLite); one row for the database",
        "randomisation_strata": "the concealed state of an allocation sequence, which may span sites (minimisation, strata without site); not audited (issue #16)",
    ]

    /// Unique indexes of clinical tables that do not contain site_id, each with the reason it may stay.
    /// Primary keys on `id` alone are allowed on every table: ids are random UUIDs, unique by construction;
    /// the move to Citus turns them into (site_id, id) together with the foreign keys (docs/scaling.md).
    static let allowedWithoutSite = [
        "cell_products(lot)": "a lot is looked up without a site (get(lot:)); stays global until lookups take the site",
        "randomisation_allocations(program_id,stratum,sequence_number)": "an allocation sequence may span sites (minimisation; strata without site): its order is unique across them (issue #16)",
        "randomisation_allocations(program_id,kit_code)": "a trial's kit codes are unique across its sites (issue #16)",
    ]

    struct UniqueIndex: Hashable, CustomStringConvertible {
        var table: String
        var name: String
        var columns: [String]
        var isPrimaryKey: Bool
        /// SQLite: the index of a UNIQUE table constraint (it cannot be dropped without rebuilding the table).
        var isTableConstraint = false
        var description: String { "\(table)(\(columns.joined(separator: ",")))" }
    }

    struct Schema {
        var tables: Set<String>
        /// Table → its site_id column is present and NULL is refused (column constraint or, on SQLite, triggers).
        var siteID: [String: Bool]
        var uniques: [UniqueIndex]
    }

    static func read(_ db: StorageDatabase) async throws -> Schema {
        let engine = db.store.engine
        return try await db.store.read { sql in
            engine == .sqlite ? try await sqlite(sql) : try await postgres(sql)
        }
    }

    static func sqlite(_ sql: any SQLDatabase) async throws -> Schema {
        let tables = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
            .map { try $0.decode(column: "name", as: String.self) }
        let triggers = try await sql.raw("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").all()
            .map { (table: try $0.decode(column: "tbl_name", as: String.self), sql: try $0.decode(column: "sql", as: String.self)) }
        var siteID: [String: Bool] = [:]
        var uniques: [UniqueIndex] = []
        for table in tables {
            let columns = try await sql.raw("SELECT name, \"notnull\" AS nn FROM pragma_table_info(\(bind: table))").all()
            if let site = try columns.first(where: { try $0.decode(column: "name", as: String.self) == "site_id" }) {
                let notNull = try site.decode(column: "nn", as: Int.self) == 1
                // A trigger per write kind that refuses a NULL site_id with SQLite's own NOT NULL message.
                let guarded = ["BEFORE INSERT", "BEFORE UPDATE OF site_id"].allSatisfy { kind in
                    triggers.contains { $0.table == table && $0.sql.contains(kind) && $0.sql.contains("NEW.site_id IS NULL")
                        && $0.sql.contains("RAISE(ABORT, 'NOT NULL constraint failed: \(table).site_id')") }
                }
                siteID[table] = notNull || guarded
            }
            let indexes = try await sql.raw("SELECT name, \"unique\" AS u, origin FROM pragma_index_list(\(bind: table))").all()
            for index in indexes where try index.decode(column: "u", as: Int.self) == 1 {
                let name = try index.decode(column: "name", as: String.self)
                let names = try await sql.raw("SELECT name FROM pragma_index_info(\(bind: name)) ORDER BY seqno").all()
                    .map { try $0.decode(column: "name", as: String.self) }
                let origin = try index.decode(column: "origin", as: String.self)
                uniques.append(UniqueIndex(table: table, name: name, columns: names, isPrimaryKey: origin == "pk",
                                           isTableConstraint: origin == "u"))
            }
        }
        return Schema(tables: Set(tables), siteID: siteID, uniques: uniques)
    }

    static func postgres(_ sql: any SQLDatabase) async throws -> Schema {
        let tables = try await sql.raw("""
            SELECT table_name::text AS name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
            """).all().map { try $0.decode(column: "name", as: String.self) }
        let siteColumns = try await sql.raw("""
            SELECT table_name::text AS t, is_nullable::text AS n FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name = 'site_id'
            """).all()
        var siteID: [String: Bool] = [:]
        for row in siteColumns { siteID[try row.decode(column: "t", as: String.self)] = try row.decode(column: "n", as: String.self) == "NO" }
        let uniques = try await sql.raw("""
            SELECT t.relname::text AS t, i.relname::text AS i, ix.indisprimary AS pk,
                   (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord)
                    FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols
            FROM pg_index ix
            JOIN pg_class t ON t.oid = ix.indrelid
            JOIN pg_class i ON i.oid = ix.indexrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE ix.indisunique AND n.nspname = current_schema()
            """).all().map {
                UniqueIndex(table: try $0.decode(column: "t", as: String.self), name: try $0.decode(column: "i", as: String.self),
                            columns: (try $0.decode(column: "cols", as: String?.self) ?? "").split(separator: ",").map(String.init),
                            isPrimaryKey: try $0.decode(column: "pk", as: Bool.self))
            }
        return Schema(tables: Set(tables), siteID: siteID, uniques: uniques)
    }

    @Test("every clinical table has a site_id that refuses NULL; the others are named reference or bookkeeping tables",
          arguments: TestDatabase.urls)
    func everyClinicalTableHasASite(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let schema = try await Self.read(db)
            let clinical = schema.tables.subtracting(Self.siteless.keys)
            for table in clinical.sorted() {
                #expect(schema.siteID[table] == true, "\(table) has no site_id that refuses NULL")
            }
            // The write path fills exactly these tables' site_id (SiteScope), and the list is not stale.
            let scoped = Set(SiteScope.tables.keys)
            #expect(scoped.isSubset(of: clinical), "SiteScope names tables that are not clinical tables: \(scoped.subtracting(clinical).sorted())")
            let mapped = clinical.filter { SiteScope.of($0) == .siteless }
            for table in mapped.sorted() where Self.writtenByRecordStore.contains(table) {
                Issue.record("\(table) is written by the record store but SiteScope does not say where its site comes from")
            }
            // Nothing listed as site-less has quietly gained a site.
            for table in Self.siteless.keys.sorted() where schema.siteID[table] != nil {
                Issue.record("\(table) is listed as site-less but has site_id")
            }
        }
    }

    /// The tables RecordStore writes (its mappings): each must have a SiteScope entry or be site-less.
    static let writtenByRecordStore: Set<String> = [
        ParticipantMapping.table, EnrolmentMapping.table, VisitMapping.table, ObservationMapping.table, ProcedureMapping.table,
        CellProductMapping.table, MedicationCourseMapping.table, AdverseEventMapping.table, SafetyAlertMapping.table,
        DataQueryMapping.table, ScreeningMapping.table, ProtocolDeviationMapping.table,
        ConcomitantMedicationMapping.table, SectionReviewMapping.table,
    ]

    @Test("every unique index of a clinical table includes site_id (primary keys on id and named exceptions aside)",
          arguments: TestDatabase.urls)
    func everyUniqueIndexIncludesTheSite(url: String) async throws {
        try await TestDatabase.with(url) { db in
            let schema = try await Self.read(db)
            let allowed = Self.allowedWithoutSite
            var seenExceptions: Set<String> = []
            let described = Set(schema.uniques.map(\.description))
            for index in schema.uniques where Self.siteless[index.table] == nil {
                if index.columns.contains("site_id") { continue }
                if index.isPrimaryKey && index.columns == ["id"] { continue }
                if allowed[index.description] != nil { seenExceptions.insert(index.description); continue }
                // SQLite keeps a table constraint it cannot drop; it must have its site-led twin.
                if index.isTableConstraint && described.contains("\(index.table)(\((["site_id"] + index.columns).joined(separator: ",")))") {
                    continue
                }
                Issue.record("unique index \(index.name) on \(index) does not include site_id")
            }
            // An exception that no longer exists is removed from the list (and from docs/scaling.md).
            #expect(seenExceptions == Set(allowed.keys))
            // The audit trail: every unique index names the chain.
            for index in schema.uniques where index.table == "audit_log" {
                #expect(index.columns.first == "chain_id", "audit_log index \(index.name) \(index) does not lead with chain_id")
            }
            // The rules that matter clinically are still there, now per site.
            #expect(described.contains("participants(site_id,mrn)"))
            #expect(described.contains("visits(site_id,enrolment_id,visit_key)"))
            #expect(described.contains("enrolments(site_id,participant_id,program_id)"))
            #expect(described.contains("cell_products(site_id,lot)"))
        }
    }

    @Test("a clinical row without a site is refused by the database on both engines", arguments: TestDatabase.urls)
    func nullSiteRefused(url: String) async throws {
        try await TestDatabase.with(url) { db in
            _ = try await Fixture.seed(db)
            _ = try await db.repositories.adverseEvents.create(Fixture.adverseEvent(), context: Fixture.coordinator, idempotencyKey: nil)
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("UPDATE adverse_events SET site_id = NULL WHERE id = 'ae-1'")
            }
            await #expect(throws: (any Error).self) {
                try await db.rawSQL("""
                    INSERT INTO visits (id, enrolment_id, visit_key, planned_day, window_before, window_after, status, version, created_at, updated_at)
                    SELECT 'v-x', id, 'k', 1, 0, 0, 'scheduled', 1, created_at, updated_at FROM participants
                    """)
            }
            #expect(try await db.count("visits") == 0)
        }
    }
}

/// Migration 0027 on a database whose rows cannot all be given a site stops, applying nothing of itself.
@Suite("Backfilling site_id", .serialized)
struct SiteBackfillTests {
    @Test("a row whose participant is gone stops 0027 with the table named, and nothing of 0027 is applied")
    func orphanStopsTheMigration() async throws {
        try await TestDatabase.with("sqlite::memory:", migrated: false) { db in
            try await db.migrator.migrate(through: "0021_OneOpenEnrolmentPerProgram")
            let stamp = "2026-01-02T00:00:00.000Z"
            // Only possible where foreign keys were not enforced when it was written (an old SQLite file).
            try await (db.store as? SQLiteStore)?.onWriter { sql in
                try await sql.raw("PRAGMA foreign_keys = OFF").run()
                try await sql.raw(SQLQueryString("""
                    INSERT INTO adverse_events (id, participant_id, term, grade, expected, relatedness, onset, outcome, action_taken, version, created_at, updated_at)
                    VALUES ('ae-1', 'p-gone', 'Dry skin', 1, 1, 'probable', '2026-01-10', 'recovering', 'none', 1, '\(stamp)', '\(stamp)')
                    """)).run()
                try await sql.raw("PRAGMA foreign_keys = ON").run()
            }
            await #expect(throws: StorageError.migrationVerificationFailed(
                name: "0027_AddSiteIDToClinicalTables",
                what: "adverse_events rows whose site could not be copied from their participants row (participant_id names no row)", count: 1)) {
                try await db.migrator.migrate()
            }
            #expect(try await !db.migrator.applied().contains("0027_AddSiteIDToClinicalTables"))
            let columns = try await db.store.read { sql in
                try await sql.raw("SELECT name FROM pragma_table_info('adverse_events')").all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(!columns.contains("site_id"))
        }
    }
}
