import Logging
import RestoraDomain
import SQLiteKit

/// The opened database and the repositories over it: what the composition root (`restora`) wires into
/// commands and the web application.
public final class StorageDatabase: Sendable {
    public let location: DatabaseLocation
    let store: any SQLStore
    let audit: AuditWriter
    let hasher: CredentialHasher
    /// `read` audit entries waiting for the next commit (issue #13 item 4).
    let readAudit: ReadAuditQueue

    init(location: DatabaseLocation, store: any SQLStore, clock: any Clock, hasher: CredentialHasher) {
        self.location = location
        self.store = store
        self.audit = AuditWriter(clock: clock)
        self.hasher = hasher
        self.readAudit = ReadAuditQueue(store: store, audit: audit)
    }

    /// Opens `url` (see `DatabaseLocation`). Nothing is created or migrated here; call `migrator.migrate()`.
    /// `connections`: SQLite reader connections beside the writer, or the PostgreSQL pool's size. `sqliteReads`:
    /// how an SQLite file is read (`SQLiteReadProfile`; PostgreSQL ignores it).
    public static func open(
        url: String, logger: Logger, clock: any Clock = SystemClock(), hasher: CredentialHasher = CredentialHasher(),
        postgresSchema: String? = nil, connections: Int? = nil, sqliteReads: SQLiteReadProfile = .repeated
    ) async throws -> StorageDatabase {
        let location = try DatabaseLocation(url: url)
        // The drivers log statements with their bind values (patient data) at debug/trace: they never get more
        // than info, whatever level the caller runs at (DriverLogger).
        let logger = DriverLogger.clamped(logger)
        let store: any SQLStore
        switch location {
        case .sqliteMemory: store = try await SQLiteStore.open(storage: .memory, logger: logger)
        case let .sqliteFile(path):
            store = try await SQLiteStore.open(storage: .file(path: path), logger: logger,
                                               readers: connections ?? SQLiteStore.defaultReaders, profile: sqliteReads)
        case let .postgres(url):
            store = try PostgresStore(url: url, logger: logger, maxConnections: connections ?? PostgresStore.defaultConnections, schema: postgresSchema)
        }
        return StorageDatabase(location: location, store: store, clock: clock, hasher: hasher)
    }

    public var engine: SQLEngine { store.engine }
    public var migrator: Migrator { Migrator(store: store) }

    func records<M: TableMapping>(_ mapping: M.Type) -> RecordStore<M> { RecordStore(store: store, audit: audit) }

    public var repositories: Repositories {
        Self.repositories(over: store, audit: audit, hasher: hasher, readAudit: readAudit)
    }

    /// The repositories over `store`: the database itself, or one open transaction of it (`UnitOfWork`, where
    /// `readAudit` is nil: a read's entry joins the open transaction).
    static func repositories(
        over store: any SQLStore, audit: AuditWriter, hasher: CredentialHasher, readAudit: ReadAuditQueue? = nil
    ) -> Repositories {
        func records<M: TableMapping>(_ mapping: M.Type) -> RecordStore<M> { RecordStore(store: store, audit: audit) }
        return Repositories(
            sites: SQLSiteRepository(records: records(SiteMapping.self)),
            programs: SQLProgramRepository(records: records(ProgramMapping.self)),
            participants: SQLParticipantRepository(records: records(ParticipantMapping.self), readAudit: readAudit),
            enrolments: SQLEnrolmentRepository(records: records(EnrolmentMapping.self)),
            visits: SQLVisitRepository(records: records(VisitMapping.self)),
            observations: SQLClinicalRepository(records: records(ObservationMapping.self)),
            procedures: SQLClinicalRepository(records: records(ProcedureMapping.self)),
            cellProducts: SQLParentRecordRepository(records: records(CellProductMapping.self)),
            medicationCourses: SQLParentRecordRepository(records: records(MedicationCourseMapping.self)),
            adverseEvents: SQLClinicalRepository(records: records(AdverseEventMapping.self)),
            safetyAlerts: SQLClinicalRepository(records: records(SafetyAlertMapping.self)),
            queries: SQLClinicalRepository(records: records(DataQueryMapping.self)),
            screenings: SQLClinicalRepository(records: records(ScreeningMapping.self)),
            users: SQLUserRepository(records: records(UserMapping.self), hasher: hasher),
            audit: SQLAuditLog(store: store),
            prescreenCandidates: SQLPrescreenCandidateRepository(records: records(PrescreenCandidateMapping.self)),
            unitOfWork: SQLUnitOfWork(store: store, audit: audit) { repositories(over: $0, audit: $1, hasher: hasher) },
            dashboard: SQLDashboardQueries(store: store, audit: audit),
            programRecords: SQLProgramRecordSource(records: records(ObservationMapping.self)),
            deviations: SQLProtocolDeviationRepository(records: records(ProtocolDeviationMapping.self)),
            concomitantMedications: SQLClinicalRepository(records: records(ConcomitantMedicationMapping.self)),
            sectionReviews: SQLClinicalRepository(records: records(SectionReviewMapping.self)),
            notifications: SQLNotificationRepository(store: store),
            exportJobs: SQLExportJobRepository(records: records(ExportJobMapping.self)),
            signatures: SQLSignatureRepository(records: records(SignatureMapping.self)),
            consents: SQLConsentRepository(store: store, audit: audit),
            randomisation: SQLRandomisationRepository(store: store, audit: audit),
            locks: SQLRecordLockRepository(records: records(RecordLockMapping.self)),
            sourceVerifications: SQLSourceVerificationRepository(records: records(SourceVerificationMapping.self)),
            queryThreads: SQLDataQueryThreadRepository(store: store, audit: audit),
            recordHistory: SQLRecordHistory(store: store),
            fhirPatientSearch: SQLFHIRPatientSearch(store: store, audit: audit),
            fhirObservations: SQLFHIRObservationSearch(records: records(ObservationMapping.self)),
            fhirEncounters: SQLFHIREncounterSearch(records: records(VisitMapping.self)),
            fhirBulk: FHIRBulkStore(jobs: SQLFHIRBulkJobRepository(records: records(FHIRBulkJobMapping.self)),
                                    source: SQLFHIRBulkSource(store: store, audit: audit)),
            fhirAdverseEvents: SQLFHIRAdverseEventSearch(records: records(AdverseEventMapping.self)))
    }

    /// Waits until every queued `read` entry is committed (tests; shutdown does it too).
    public func flushReadAudit() async { await readAudit.flush() }

    public func shutdown() async throws {
        await readAudit.flush()
        try await store.shutdown()
    }
}
