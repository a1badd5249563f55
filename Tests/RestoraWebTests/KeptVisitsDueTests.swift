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

    /// `keptVisitsDue` for `sites` on `today` at several limits against every kept span read back, filtered to those
    /// listed that day (not of a `waiting` participant) and sorted by `KeptVisitDue.precedes`.
    static func checkAgainstSpans(_ storage: StorageDatabase, _ catalog: ProtocolCatalog, today: CalendarDate,
                                  sites: Set<Identifier<Site>>?, waiting: Set<Identifier<Participant>>) async throws {
        let programs = try await storage.repositories.programs.list().map(\.value.id)
        let all = try await storage.store.read { db in
            try await db.raw("SELECT * FROM visit_due_spans").all().map { (site: try $0.decode(column: "site_id", as: String.self), span: try SQLDashboardQueries.keptVisit($0)) }
        }
        let expected = all.filter { row in
            sites.map { $0.contains(Identifier(row.site)) } ?? true && !waiting.contains(row.span.participantID)
                && row.span.span.shownFrom <= today && row.span.span.shownThrough.map { today <= $0 } ?? true
        }.map(\.span).sorted { KeptVisitDue.precedes($0, $1, today: today, programRank: { programs.firstIndex(of: $0) ?? programs.count }) }
        for limit in [0, 1, 3, 10, DashboardModel.listLimit, 100_000] {
            let kept = try #require(try await storage.repositories.dashboard.keptVisitsDue(
                programs: programs, sites: sites, today: today, limit: limit,
                fingerprint: VisitDueSpan.fingerprint(catalog: catalog, programs: try await storage.repositories.programs.list().map(\.value),
                                                      lookAheadDays: DashboardModel.lookAheadDays),
                pendingLimit: DashboardModel.pendingLimit))
            #expect(kept.total == expected.count, "\(today) \(sites ?? []) limit \(limit)")
            #expect(kept.first == Array(expected.prefix(limit)), "\(today) \(sites ?? []) limit \(limit)")
        }
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
            // The count and the first k of every site choice and day equal the kept spans filtered and sorted here, for
            // limits below, at and above the overdue part (0054: day counts and two walks of the order index).
            // Also the first and last day of a span and the day after it, where a count that is off by a day would show.
            let bounded = try #require(try await storage.store.read { db in
                try await db.raw("SELECT * FROM visit_due_spans WHERE shown_through <> \(bind: SQLDashboardQueries.openEnd) ORDER BY shown_through LIMIT 1")
                    .first().map { try SQLDashboardQueries.keptVisit($0).span }
            })
            let last = try #require(bounded.shownThrough)
            // Two spans due the same days in two programs, the enrolment ids in the other order than the programs': the
            // program's rank decides (`KeptVisitDue.precedes`). Written straight into the kept table, removed after.
            let programIDs = try await repos.programs.list().map(\.value.id.rawValue)
            let tie = DemoClinic.defaultToday.adding(days: -3).description, from = DemoClinic.defaultToday.adding(days: -10).description
            for (enrolment, program) in [("e-tie-a", programIDs[programIDs.count - 1]), ("e-tie-z", programIDs[0])] {
                try await storage.store.transaction { db in
                    try await db.raw("""
                        INSERT INTO visit_due_spans (site_id, enrolment_id, participant_id, program_id, visit_key, visit_index, title,
                                                     earliest, latest, shown_from, shown_through)
                        VALUES (\(bind: sites[0].rawValue), \(bind: enrolment), \(bind: "p-" + enrolment), \(bind: program), 'v', 0, 'Tie',
                                \(bind: tie), \(bind: tie), \(bind: from), \(bind: SQLDashboardQueries.openEnd))
                        """).run()
                }
            }
            for today in days + [bounded.shownFrom, last, last.adding(days: 1)] {
                for sites in [nil, Set([sites[0]]), Set(sites.dropFirst())] {
                    try await Self.checkAgainstSpans(storage, catalog, today: today, sites: sites, waiting: [])
                }
            }
            try await storage.store.transaction { db in try await db.raw("DELETE FROM visit_due_spans WHERE title = 'Tie'").run() }
            let someone = try #require(kept.first.first)
            try await storage.store.transaction { db in
                try await db.raw("INSERT INTO schedule_changes (site_id, participant_id, generation) VALUES ('x', \(bind: someone.participantID.rawValue), 1)").run()
            }
            try await Self.checkAgainstSpans(storage, catalog, today: DemoClinic.defaultToday, sites: nil, waiting: [someone.participantID])
            try await storage.store.transaction { db in try await db.raw("DELETE FROM schedule_changes").run() }

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
