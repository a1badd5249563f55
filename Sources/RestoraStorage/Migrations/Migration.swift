import SQLKit

/// One schema step. Named `NNNN_VerbNoun`, never edited once landed: a change is a new migration.
/// The DDL is written in the subset both SQLite and PostgreSQL accept (TEXT, BIGINT, DOUBLE PRECISION,
/// BOOLEAN), so one statement list serves both engines; where the dialects differ (reading JSON text to move
/// it into typed columns, changing a column's type) a step carries one statement per engine.
struct Migration: Sendable {
    var name: String
    var steps: [MigrationStep]
    /// What to do when a constraint this migration adds is broken by data already stored (said with the error).
    var ifDataConflicts: String? = nil

    init(name: String, statements: [String], ifDataConflicts: String? = nil) {
        self.init(name: name, steps: statements.map(MigrationStep.sql), ifDataConflicts: ifDataConflicts)
    }

    init(name: String, steps: [MigrationStep], ifDataConflicts: String? = nil) {
        self.name = name
        self.steps = steps
        self.ifDataConflicts = ifDataConflicts
    }
}

/// One step of a migration, run in order inside the migration's transaction.
enum MigrationStep: Sendable {
    /// The same statement on both engines.
    case sql(String)
    /// One statement per engine; nil skips the step on that engine.
    case engine(sqlite: String?, postgres: String?)
    /// A data-move verification: `countQuery` must return one row with one integer column `problems`; any
    /// value other than 0 rolls the whole migration back with `StorageError.migrationVerificationFailed`
    /// naming `what` (e.g. "observations whose value did not move into typed columns").
    case verify(what: String, countQuery: String)

    func statement(for engine: SQLEngine) -> String? {
        switch self {
        case let .sql(text): return text
        case let .engine(sqlite, postgres): return engine == .sqlite ? sqlite : postgres
        case let .verify(_, query): return query
        }
    }
}

/// The bookkeeping columns of every record table.
let recordBookkeeping = """
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
"""

/// Every migration, in order.
let allMigrations: [Migration] = [
    m0001_CreateSites, m0002_CreateParticipants, m0003_CreatePrograms, m0004_CreateEnrolments,
    m0005_CreateVisits, m0006_CreateObservations, m0007_CreateProcedures, m0008_CreateCellProducts,
    m0009_CreateMedicationCourses, m0010_CreateAdverseEvents, m0011_CreateSafetyAlerts, m0012_CreateUsers,
    m0013_CreateAuditLog, m0014_CreateIdempotencyKeys, m0015_CreateDataQueries, m0016_CreateScreenings, m0017_AddReleaseDecision,
    m0018_CreateInstanceSettings,
    m0019_CreatePrescreenCandidates,
    m0020_AddObservationUpperLimitOfNormal,
    m0021_OneOpenEnrolmentPerProgram,
    m0022_TypedObservationValues, m0023_ConstrainTypedObservationValues,
    m0024_MoveEnrolmentTransitionsToRows, m0025_MoveCellProductListsToRows, m0026_MoveDispensingsToRows,
    m0027_AddSiteIDToClinicalTables, m0028_SiteScopedUniqueIndexes, m0029_AuditChainPerSite,
    m0030_AddDashboardIndexes,
    m0031_CreateProtocolDeviations,
    m0032_CreateScreeningInputs,
    m0033_MedicationFrequencyPeriod,
    m0034_AddObservationDateIndex,
    m0035_EnrolmentProtocolVersion,
    m0036_LinkPrescreenCandidates,
    m0037_RecordHashes,
    m0038_CodeAdverseEvents,
    m0039_SafetyActions,
    m0040_CreateNotifications,
    m0041_CreateExportJobs,
    m0042_CreateRandomisation,
    m0043_CreateConsent,
    m0044_CreateElectronicSignatures,
    m0045_CreateRecordLocks,
    m0046_CreateSourceVerification,
    m0047_FHIRPatientSearchIndexes,
    m0048_RandomisationKeysLedBySite,
    m0049_CreateFHIRBulkJobs,
    m0050_AddObservationCreatedOrderIndex,
    m0051_AddObservationSiteIndex,
    m0052_CountLiveRecords,
    m0053_KeepDashboardSchedules,
    m0054_CountVisitDueDays,
]

/// Migration steps written in Swift, by migration name: run after that migration's statements, in its
/// transaction (`Migrator`).
let migrationCode: [String: @Sendable (any SQLDatabase, SQLEngine) async throws -> Void] = [
    m0037_RecordHashes.name: m0037_writeBaseline,
    m0038_CodeAdverseEvents.name: { db, engine in try await AdverseEventCoding.migrate(db, engine: engine) },
    m0039_SafetyActions.name: m0039_auditFilledDates,
    m0052_CountLiveRecords.name: m0052_verifyCounts,
    m0053_KeepDashboardSchedules.name: m0053_verify,
    m0054_CountVisitDueDays.name: m0054_verify,
]
