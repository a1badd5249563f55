import Foundation
import Logging
import RestoraDemo
import RestoraDomain
@testable import RestoraStorage
@testable import RestoraWeb
import SQLKit
import Testing

/// The dashboard's visits due from kept spans (migration 0053, SQLite) equal the same list computed from every
/// candidate's records, in the same order, for every user and day; a change logs its participant in the writing
/// transaction and the dashboard computes that participant live until the refresher has run.
@Suite(.serialized) struct KeptVisitsDueTests {
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")
    static let edit = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "edit", reason: "test correction")
    static let admin = UserAccount(id: "u-admin", username: "admin", role: .admin, siteIDs: [])

    struct Listed: Equatable, CustomStringConvertible {
        var rows: [String]
        var total: Int
        var description: String { "\(total): \(rows.prefix(3))…" }
    }

    static func listed(_ user: UserAccount, _ repos: Repositories, _ catalog: ProtocolCatalog, _ today: CalendarDate) async throws -> Listed {
        let model = try await DashboardModel.load(for: user, repositories: repos, catalog: catalog, today: today)
        return Listed(rows: model.visitsDue.map { "\($0.participantID.rawValue) \($0.programName) \($0.visitTitle) \($0.window) \($0.state.rawValue)" },
                      total: model.visitsDueTotal)
    }

    /// The same list with the kept spans set aside (another fingerprint): every candidate computed from its records.
    static func computed(_ user: UserAccount, _ storage: StorageDatabase, _ catalog: ProtocolCatalog, _ today: CalendarDate) async throws -> Listed {
        let kept = try await fingerprintStored(storage)
        try await storage.store.transaction { db in try await db.raw("UPDATE visit_due_cache_state SET fingerprint = 'set aside'").run() }
        let result = try await listed(user, storage.repositories, catalog, today)
        try await storage.store.transaction { db in try await db.raw("UPDATE visit_due_cache_state SET fingerprint = \(bind: kept ?? "")").run() }
        return result
    }

    static func fingerprintStored(_ storage: StorageDatabase) async throws -> String? {
        try await storage.store.read { db in
            try await db.raw("SELECT fingerprint FROM visit_due_cache_state").first()?.decode(column: "fingerprint", as: String.self)
        }
    }

    static func kept(_ storage: StorageDatabase, _ catalog: ProtocolCatalog, _ today: CalendarDate) async throws -> KeptVisitsDue? {
        let programs = try await storage.repositories.programs.list().map(\.value)
        return try await storage.repositories.dashboard.keptVisitsDue(
            programs: programs.map(\.id), sites: nil, today: today, limit: DashboardModel.listLimit,
            fingerprint: VisitDueSpan.fingerprint(catalog: catalog, programs: programs, lookAheadDays: DashboardModel.lookAheadDays),
            pendingLimit: DashboardModel.pendingLimit)
    }

    static func logged(_ storage: StorageDatabase) async throws -> Set<String> {
        Set(try await storage.store.read { db in
            try await db.raw("SELECT DISTINCT participant_id FROM schedule_changes").all().map { try $0.decode(column: "participant_id", as: String.self) }
        })
    }

    @Test("the demo clinic: kept spans list what every candidate's records give, in the same order; changes are computed live until refreshed")
    func demoClinic() async throws {
        let catalog = try WebHarness.catalog()
        try await DashboardDatabase.with("sqlite::memory:") { storage in
            let repos = storage.repositories
            try await storage.relaxDurabilityForThrowawayLoad()
            _ = try await DemoSeeder(repositories: repos, instance: storage.instance, catalog: catalog).seed(try DemoClinic.generate(protocols: catalog.protocols))
            let sites = try await repos.sites.list().map(\.value.id)
            let coordinator = UserAccount(id: "u-coord", username: "coord", role: .coordinator, siteIDs: [sites[0]])
            let days = [DemoClinic.defaultToday, DemoClinic.defaultToday.adding(days: -90), DemoClinic.defaultToday.adding(days: 40),
                        DemoClinic.defaultToday.adding(days: 700)]
            // Nothing kept yet: the dashboard computes every candidate.
            #expect(try await Self.kept(storage, catalog, DemoClinic.defaultToday) == nil)
            var before: [String: Listed] = [:]
            for today in days { for user in [Self.admin, coordinator] { before["\(user.username) \(today)"] = try await Self.listed(user, repos, catalog, today) } }

            let refresher = VisitDueRefresher(repositories: repos, catalog: catalog, logger: Logger(label: "test"))
            #expect(try await refresher.refreshAll() > 0)
            #expect(try await Self.logged(storage).isEmpty)
            let kept = try #require(try await Self.kept(storage, catalog, DemoClinic.defaultToday))
            #expect(kept.pending.isEmpty && kept.total > 0 && !kept.first.isEmpty)
            for today in days {
                for user in [Self.admin, coordinator] {
                    let fromKept = try await Self.listed(user, repos, catalog, today)
                    #expect(fromKept == before["\(user.username) \(today)"], "\(user.username) \(today)")
                    #expect(fromKept.total > 0 || today != DemoClinic.defaultToday)
                }
            }
            #expect(try await refresher.refreshAll() == 0, "nothing to do once the log is empty")

            // Data entered in a listed visit's window: the participant is logged by the same write and computed live.
            let today = DemoClinic.defaultToday
            let first = try #require(kept.first.first { $0.span.state(on: today) != .upcoming })
            let observation = try await repos.observations.create(
                Observation(id: "o-kept-1", participantID: first.participantID, enrolmentID: first.enrolmentID, code: ClinicalCodes.triglyceride,
                            value: .quantity(Quantity(1.2, "mmol/L")), effective: first.span.earliest.startOfDayUTC.addingTimeInterval(9 * 3600)),
                context: Self.setup, idempotencyKey: nil)
            #expect(try await Self.logged(storage) == [first.participantID.rawValue])
            let waiting = try #require(try await Self.kept(storage, catalog, today))
            #expect(waiting.pending == [first.participantID] && !waiting.first.contains(first))
            let afterData = try await Self.listed(Self.admin, repos, catalog, today)
            #expect(afterData == (try await Self.computed(Self.admin, storage, catalog, today)))
            #expect(afterData.total == before["admin \(today)"]!.total - 1, "the visit with data in its window is done")
            #expect(try await refresher.refreshAll() == 1)
            #expect(try await Self.listed(Self.admin, repos, catalog, today) == afterData)

            // Deleting that observation makes the visit overdue again, through the log and after the refresh alike.
            try await repos.observations.delete(observation.value.id, expectedVersion: observation.version, context: Self.edit)
            #expect(try await Self.logged(storage) == [first.participantID.rawValue])
            #expect(try await Self.listed(Self.admin, repos, catalog, today) == before["admin \(today)"])
            try await refresher.refreshAll()
            #expect(try await Self.listed(Self.admin, repos, catalog, today) == before["admin \(today)"])

            // A visit recorded as missed, and a move to follow-up, log the participant too.
            if let planned = try await repos.visits.list(enrolment: first.enrolmentID).first(where: { $0.value.visitKey == first.span.visitKey }) {
                var visit = planned.value
                visit.status = .missed
                _ = try await repos.visits.update(visit, expectedVersion: planned.version, context: Self.edit)
            } else {
                _ = try await repos.visits.create(
                    Visit(id: "v-kept-1", enrolmentID: first.enrolmentID, visitKey: first.span.visitKey, plannedDay: 0, windowBefore: 0,
                          windowAfter: 0, status: .missed),
                    context: Self.setup, idempotencyKey: nil)
            }
            #expect(try await Self.logged(storage) == [first.participantID.rawValue])
            let missed = try await Self.listed(Self.admin, repos, catalog, today)
            #expect(missed == (try await Self.computed(Self.admin, storage, catalog, today)) && missed.total == before["admin \(today)"]!.total - 1)
            try await refresher.refreshAll()
            let enrolment = try await repos.enrolments.get(first.enrolmentID)
            _ = try await repos.enrolments.transition(first.enrolmentID, to: .withdrawn, at: Date(), expectedVersion: enrolment.version, context: Self.edit)
            #expect(try await Self.logged(storage) == [first.participantID.rawValue])
            let withdrawn = try await Self.listed(Self.admin, repos, catalog, today)
            #expect(withdrawn == (try await Self.computed(Self.admin, storage, catalog, today)))
            #expect(!withdrawn.rows.contains { $0.hasPrefix(first.participantID.rawValue + " ") } || withdrawn.total < missed.total)
            try await refresher.refreshAll()
            #expect(try await Self.listed(Self.admin, repos, catalog, today) == withdrawn)

            // Another catalog (a program moved to another version, a changed window): nothing kept until the refresher rebuilds.
            let narrowed = ProtocolCatalog(directory: catalog.directory, protocols: catalog.protocols.map { definition in
                var changed = definition
                if !changed.schedule.isEmpty { changed.schedule[changed.schedule.count - 1].windowAfter += 3 }
                return changed
            })
            #expect(try await Self.kept(storage, narrowed, today) == nil)
            let rebuilt = try await VisitDueRefresher(repositories: repos, catalog: narrowed, logger: Logger(label: "test")).refreshAll()
            let keptNarrowed = try await Self.kept(storage, narrowed, today), keptBefore = try await Self.kept(storage, catalog, today)
            #expect(rebuilt > 0 && keptNarrowed != nil && keptBefore == nil)
            let fromKept = try await Self.listed(Self.admin, repos, narrowed, today)
            #expect(fromKept == (try await Self.computed(Self.admin, storage, narrowed, today)))
        }
    }

    @Test("PostgreSQL keeps no spans: the dashboard computes every candidate there")
    func postgresComputes() async throws {
        for url in DashboardDatabase.urls where !url.hasPrefix("sqlite") {
            try await DashboardDatabase.with(url) { storage in
                let catalog = try WebHarness.catalog()
                #expect(try await VisitDueRefresher(repositories: storage.repositories, catalog: catalog, logger: Logger(label: "test")).refreshAll() == 0)
                #expect(try await Self.kept(storage, catalog, DemoClinic.defaultToday) == nil)
            }
        }
    }
}
