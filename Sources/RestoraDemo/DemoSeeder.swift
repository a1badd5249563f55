import Foundation
import RestoraDomain

/// Writes a `DemoClinic` into storage through the same code paths as real data entry: the repositories
/// (validation, version checks, audit trail) and `ClinicalEntry` for observations and adverse events (the
/// protocol safety rules run and raise alerts). Each participant's history is replayed in chronological
/// order, so every rule sees the enrolment as it was on that day. No SQL here: RestoraDemo knows only the
/// domain's repository protocols.
public struct DemoSeeder: Sendable {
    /// Every write of the seed is audited as this actor.
    public static let loader = Actor(userID: "demo-loader", role: "admin")

    public let repositories: Repositories
    public let instance: any InstanceSettingsRepository
    public let catalog: ProtocolCatalog
    public let ids: any IDGenerator

    public init(repositories: Repositories, instance: any InstanceSettingsRepository, catalog: ProtocolCatalog,
                ids: any IDGenerator = UUIDGenerator()) {
        self.repositories = repositories
        self.instance = instance
        self.catalog = catalog
        self.ids = ids
    }

    /// What the seed wrote.
    public struct Summary: Sendable, Equatable {
        public var sites = 0
        public var programs = 0
        public var participants = 0
        public var observations = 0
        public var adverseEvents = 0
        public var screenings = 0
        public var cellProducts = 0
        public var alertsRaised = 0
        public var alertsAcknowledged = 0
        public var alertsOpen = 0
        public var users = 0
        public init() {}

        mutating func add(_ other: Summary) {
            sites += other.sites; programs += other.programs; participants += other.participants
            observations += other.observations; adverseEvents += other.adverseEvents; screenings += other.screenings
            cellProducts += other.cellProducts; alertsRaised += other.alertsRaised
            alertsAcknowledged += other.alertsAcknowledged; alertsOpen += other.alertsOpen; users += other.users
        }
    }

    /// The audit context of every write: the demo loader, one request id per seed, and a reason when the
    /// write edits recorded data.
    func context(_ reason: String? = nil) -> AuditContext {
        AuditContext(actor: Self.loader, requestID: "demo-seed", reason: reason)
    }

    /// Prescriptions and their changes are the one exception to the loader: only an investigator prescribes
    /// (`MedicationEntry`), so they are audited as the demo investigator.
    func prescriber() -> AuditContext {
        AuditContext(actor: DemoEnrolmentPath.investigator, requestID: "demo-seed")
    }

    /// Seeds an empty, migrated database. The database is marked as a demo first, so a seed that fails
    /// half-way still leaves a database that `restora demo` recognises and may replace.
    public func seed(_ clinic: DemoClinic) async throws -> Summary {
        try await seed(clinic, scaled: nil)
    }

    /// Seeds the clinic and, when `scaled` is given, its extra participants after the default ones: each
    /// generated, replayed and dropped before the next (memory stays bounded as N grows). `progress` is
    /// called after every `progressEvery` extra participants with the running summary.
    public func seed(
        _ clinic: DemoClinic, scaled: DemoScaledClinic?, progressEvery: Int = 1000,
        progress: (@Sendable (Summary) -> Void)? = nil
    ) async throws -> Summary {
        var summary = Summary()
        try await instance.set(InstanceSetting.kind, to: InstanceSetting.demoKind, context: context())
        try await instance.set(InstanceSetting.demoToday, to: "\(clinic.today)", context: context())
        for site in clinic.sites {
            _ = try await repositories.sites.create(site, context: context(), idempotencyKey: nil)
            summary.sites += 1
        }
        for program in clinic.programs {
            _ = try await repositories.programs.create(program, context: context(), idempotencyKey: nil)
            summary.programs += 1
        }
        try await issueConsentDocuments(clinic)  // consent document v1 per program (DemoConsent.swift, issue #16 item 2)
        // The users are created beside the replay, their password hashing on the core the replay leaves idle.
        async let users = createUsers(sites: clinic.sites)
        for participant in clinic.participants {
            let program = try require(clinic.programs.first { $0.id == participant.enrolment.programID }, "program of \(participant.participant.mrn)")
            let definition = try catalog.definition(id: program.protocolID)
            try await replay(participant, definition: definition, summary: &summary)
        }
        if let scaled {
            for k in 0..<scaled.extra {
                let participant = try scaled.participant(k)
                let program = try require(clinic.programs.first { $0.id == participant.enrolment.programID }, "program of \(participant.participant.mrn)")
                try await replay(participant, definition: try catalog.definition(id: program.protocolID), summary: &summary)
                if let progress, (k + 1) % max(1, progressEvery) == 0 { progress(summary) }
            }
        }
        try await settleAlerts(clinic, summary: &summary)
        summary.users = try await users
        return summary
    }

    func require<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw DemoGenerationError("seed: missing \(what)") }
        return value
    }
}
