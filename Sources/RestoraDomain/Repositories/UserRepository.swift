import Foundation

/// Users and their credentials. Hashing lives behind this protocol (bcrypt for passwords, SHA-256 for
/// bearer tokens) so that no caller ever holds a stored credential.
public protocol UserRepository: Sendable {
    func create(_ user: UserAccount, password: String?, context: AuditContext) async throws -> Versioned<UserAccount>
    func get(username: String) async throws -> Versioned<UserAccount>
    /// The user whose password this is, or nil (unknown user, wrong password, inactive user alike).
    func authenticate(username: String, password: String) async throws -> UserAccount?
    /// Makes a new random bearer token for the user and returns it: the only time it is ever visible.
    func issueToken(username: String, expiresAt: Date?, context: AuditContext) async throws -> String
    /// The active user holding this bearer token, or nil.
    func authenticate(bearerToken: String, now: Date) async throws -> UserAccount?
    /// Ends a token (sign-out of a web session); unknown tokens are ignored.
    func revokeToken(_ token: String, context: AuditContext) async throws
    /// Appends a security event (a sign-in lock-out) to the audit trail.
    func recordSecurityEvent(_ event: SecurityEvent, context: AuditContext) async throws
}

/// Everything the web layer and the commands need from storage, handed over as protocols.
public struct Repositories: Sendable {
    public var sites: any SiteRepository
    public var programs: any ProgramRepository
    public var participants: any ParticipantRepository
    public var enrolments: any EnrolmentRepository
    public var visits: any VisitRepository
    public var observations: any ObservationRepository
    public var procedures: any ProcedureRepository
    public var cellProducts: any CellProductRepository
    public var medicationCourses: any MedicationCourseRepository
    public var adverseEvents: any AdverseEventRepository
    public var safetyAlerts: any SafetyAlertRepository
    public var queries: any DataQueryRepository
    public var screenings: any ScreeningRepository
    public var users: any UserRepository
    public var audit: any AuditLogReader
    public var prescreenCandidates: any PrescreenCandidateRepository
    /// Runs several of these calls as one transaction (`transaction(_:)`).
    public var unitOfWork: any UnitOfWork
    /// The dashboard's counts and lists, computed in the database.
    public var dashboard: any DashboardQueries
    /// One program's observations, chunk by chunk and only the codes a reader needs (the study report).
    public var programRecords: any ProgramRecordSource
    /// Protocol deviations signed by investigators (issue #14): appended, never edited.
    public var deviations: any ProtocolDeviationRepository
    /// Concomitant medications and adjunct therapies (issue #14, migration 0032): read by eligibility and the report.
    public var concomitantMedications: any ConcomitantMedicationRepository
    /// The sections of a participant's record a clinician reviewed in full (migration 0032).
    public var sectionReviews: any SectionReviewRepository
    /// The notification outbox and each user's inbox (issue #15 item 6, migration 0040).
    public var notifications: any NotificationRepository
    /// Research data export jobs, their files and the participants they exported (issue #18, migration 0041).
    public var exportJobs: any ExportJobRepository
    /// Electronic signatures on records (issue #16 item 3, migration 0044).
    public var signatures: any SignatureRepository
    /// Consent documents, consent records and withdrawals (issue #16 item 2, migration 0043).
    public var consents: any ConsentRepository
    /// Randomised allocations, the concealed sequence state and emergency unblindings (issue #16, migration 0042).
    public var randomisation: any RandomisationRepository
    /// Locks of casebooks and visits (issue #16 item 4, migration 0045, docs/locking.md).
    public var locks: any RecordLockRepository
    /// Source data verification marks (issue #16 item 5, migration 0046, docs/sdv.md).
    public var sourceVerifications: any SourceVerificationRepository
    /// The threads of data queries: answers, closings, re-openings (migration 0046).
    public var queryThreads: any DataQueryThreadRepository
    /// Every version of a record, for FHIR vread and `_history` (issue #17, RecordHistory.swift).
    public var recordHistory: any RecordHistory
    /// Patients, research subjects and consents for FHIR search, in SQL (issue #17, FHIRPatientSearch.swift).
    public var fhirPatientSearch: any FHIRPatientSearch
    /// Observations and visits for FHIR Observation and Encounter search, in SQL (issue #17, FHIRObservationSearch.swift).
    public var fhirObservations: any FHIRObservationSearch
    public var fhirEncounters: any FHIREncounterSearch
    /// FHIR Bulk Data jobs and the chunked reads of `$export` (issue #17, migration 0049, FHIRBulkJob.swift).
    public var fhirBulk: FHIRBulkStore
    /// Adverse events for FHIR AdverseEvent search across participants, in SQL (issue #17, FHIRAdverseEventSearch.swift).
    public var fhirAdverseEvents: any FHIRAdverseEventSearch

    public init(
        sites: any SiteRepository, programs: any ProgramRepository, participants: any ParticipantRepository,
        enrolments: any EnrolmentRepository, visits: any VisitRepository, observations: any ObservationRepository,
        procedures: any ProcedureRepository, cellProducts: any CellProductRepository,
        medicationCourses: any MedicationCourseRepository, adverseEvents: any AdverseEventRepository,
        safetyAlerts: any SafetyAlertRepository, queries: any DataQueryRepository,
        screenings: any ScreeningRepository, users: any UserRepository,
        audit: any AuditLogReader,
        prescreenCandidates: any PrescreenCandidateRepository,
        unitOfWork: any UnitOfWork,
        dashboard: any DashboardQueries, programRecords: any ProgramRecordSource,
        deviations: any ProtocolDeviationRepository,
        concomitantMedications: any ConcomitantMedicationRepository, sectionReviews: any SectionReviewRepository,
        notifications: any NotificationRepository, exportJobs: any ExportJobRepository,
        signatures: any SignatureRepository,
        consents: any ConsentRepository,
        randomisation: any RandomisationRepository,
        locks: any RecordLockRepository,
        sourceVerifications: any SourceVerificationRepository,
        queryThreads: any DataQueryThreadRepository,
        recordHistory: any RecordHistory,
        fhirPatientSearch: any FHIRPatientSearch,
        fhirObservations: any FHIRObservationSearch, fhirEncounters: any FHIREncounterSearch,
        fhirBulk: FHIRBulkStore,
        fhirAdverseEvents: any FHIRAdverseEventSearch
    ) {
        self.sites = sites
        self.programs = programs
        self.participants = participants
        self.enrolments = enrolments
        self.visits = visits
        self.observations = observations
        self.procedures = procedures
        self.cellProducts = cellProducts
        self.medicationCourses = medicationCourses
        self.adverseEvents = adverseEvents
        self.safetyAlerts = safetyAlerts
        self.queries = queries
        self.screenings = screenings
        self.users = users
        self.audit = audit
        self.prescreenCandidates = prescreenCandidates
        self.unitOfWork = unitOfWork
        self.dashboard = dashboard
        self.programRecords = programRecords
        self.deviations = deviations
        self.concomitantMedications = concomitantMedications
        self.sectionReviews = sectionReviews
        self.notifications = notifications
        self.exportJobs = exportJobs
        self.signatures = signatures
        self.consents = consents
        self.randomisation = randomisation
        self.locks = locks
        self.sourceVerifications = sourceVerifications
        self.queryThreads = queryThreads
        self.recordHistory = recordHistory
        self.fhirPatientSearch = fhirPatientSearch
        self.fhirObservations = fhirObservations
        self.fhirEncounters = fhirEncounters
        self.fhirBulk = fhirBulk
        self.fhirAdverseEvents = fhirAdverseEvents
    }
}
