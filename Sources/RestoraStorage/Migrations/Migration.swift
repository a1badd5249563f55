/// One schema step. Named `NNNN_VerbNoun`, never edited once landed: a change is a new migration.
/// The DDL is written in the subset both SQLite and PostgreSQL accept (TEXT, BIGINT, DOUBLE PRECISION,
/// BOOLEAN), so one statement list serves both engines.
struct Migration: Sendable {
    var name: String
    var statements: [String]
    /// What to do when a constraint this migration adds is broken by data already stored (said with the error).
    var ifDataConflicts: String? = nil
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
]
