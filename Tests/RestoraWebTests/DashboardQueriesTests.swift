import Foundation
import Logging
import RestoraDemo
import RestoraDomain
import RestoraReports
@testable import RestoraStorage
@testable import RestoraWeb
import SQLKit
import Testing

/// The dashboard computed in SQL (`DashboardQueries` through `DashboardModel`) against the computation it
/// replaced — every record of every visible program loaded and aggregated in Swift (`SwiftDashboard`, kept
/// here as the reference) — on the demo clinic and on edge cases, on SQLite and PostgreSQL.
@Suite(.serialized) struct DashboardQueriesTests {
    static let setup = AuditContext(actor: Actor(userID: "setup", role: "admin"), requestID: "setup")
    static let admin = UserAccount(id: "u-admin", username: "admin", role: .admin, siteIDs: [])

    static func coordinator(_ sites: [Identifier<Site>]) -> UserAccount {
        UserAccount(id: "u-coord", username: "coord", role: .coordinator, siteIDs: sites)
    }

    @Test("the demo clinic: SQL figures equal the Swift computation for an admin and a one-site coordinator; the report from its selected observations equals the report from all")
    func demoClinic() async throws {
        let catalog = try WebHarness.catalog()
        for url in DashboardDatabase.urls {
            try await DashboardDatabase.with(url) { storage in
                let clinic = try DemoClinic.generate(protocols: catalog.protocols)
                try await storage.relaxDurabilityForThrowawayLoad()
                _ = try await DemoSeeder(repositories: storage.repositories, instance: storage.instance, catalog: catalog).seed(clinic)
                let sites = try await storage.repositories.sites.list().map(\.value.id)
                // The demo's own today, and a week after its latest adverse event (so the events list is not empty).
                let latest = try await storage.store.read { db in
                    try await db.raw("SELECT MAX(onset) AS onset FROM adverse_events").first()?.decode(column: "onset", as: String.self)
                }
                let afterEvents = try #require(latest.flatMap(CalendarDate.init)).adding(days: 7)
                for today in [DemoClinic.defaultToday, afterEvents] {
                    for user in [Self.admin, Self.coordinator([sites[0]])] {
                        let sql = try await DashboardFigures(sql: user, storage.repositories, catalog, today)
                        let swift = try await SwiftDashboard.figures(user, storage.repositories, catalog, today)
                        #expect(sql == swift, "\(url.prefix(8)) \(user.role) \(today)")
                        #expect(!sql.statusCounts.isEmpty)
                        if today == DemoClinic.defaultToday { #expect(!sql.visitsDue.isEmpty) }
                        if today == afterEvents { #expect(!sql.events.isEmpty) }
                    }
                }
                // The report reads only the observations it uses, on this engine too: the same report as from all.
                for program in try await storage.repositories.programs.list().map(\.value) {
                    func report(_ selection: ObservationSelection) async throws -> StudyReport {
                        try StudyReport.build(try await StoredProgramData.load(
                            programID: program.id, repositories: storage.repositories, catalog: catalog,
                            asOf: DemoClinic.defaultToday, synthetic: true, observations: selection, chunkSize: 10))
                    }
                    #expect(try await report(StoredProgramData.reportObservations) == report(.all), "\(program.protocolID)")
                    // And with each participant reduced to what the report reads as it loads (`loadForReport`).
                    let reduced = try StudyReport.build(try await StoredProgramData.loadForReport(
                        programID: program.id, repositories: storage.repositories, catalog: catalog,
                        asOf: DemoClinic.defaultToday, synthetic: true, chunkSize: 10))
                    #expect(try await reduced == report(.all), "\(program.protocolID), reduced")
                }
            }
        }
    }

    @Test("no participants: every count is empty, on both engines")
    func empty() async throws {
        let catalog = try WebHarness.catalog()
        for url in DashboardDatabase.urls {
            try await DashboardDatabase.with(url) { storage in
                let repos = storage.repositories
                _ = try await repos.sites.create(Site(id: "site-a", code: "A", name: "A"), context: Self.setup, idempotencyKey: nil)
                _ = try await repos.programs.create(
                    Program(id: "prog", protocolID: "isotretinoin-noa", protocolVersion: "1", name: "Iso", siteIDs: ["site-a"]),
                    context: Self.setup, idempotencyKey: nil)
                let today = CalendarDate(year: 2026, month: 6, day: 1)!
                let sql = try await DashboardFigures(sql: Self.admin, repos, catalog, today)
                #expect(sql == (try await SwiftDashboard.figures(Self.admin, repos, catalog, today)))
                #expect(sql.statusCounts == ["prog": [:]] && sql.visitsDue.isEmpty && sql.alerts.isEmpty && sql.events.isEmpty)
            }
        }
    }

    /// Enrolments whose day 0 puts today on every edge of every visit window: a week before it opens and a
    /// day earlier, its first and last day, the first overdue day, the last day before the next window opens
    /// and that day itself, long after the last visit; every other one with its visit of the moment attended.
    /// Site B has the same plus an alert and an adverse event a site-A coordinator must not see.
    @Test("window edges and another site's data: SQL equals the Swift computation; a coordinator counts only their site")
    func windowEdgesAndSites() async throws {
        let catalog = try WebHarness.catalog()
        let definition = try catalog.definition(id: "isotretinoin-noa")
        let today = CalendarDate(year: 2026, month: 6, day: 1)!
        let schedule = definition.schedule
        var offsets = Set<Int>()
        for (index, visit) in schedule.enumerated() {
            offsets.formUnion([visit.earliestDay - 8, visit.earliestDay - 7, visit.earliestDay, visit.latestDay, visit.latestDay + 1])
            if index + 1 < schedule.count {
                offsets.formUnion([schedule[index + 1].earliestDay - 1, schedule[index + 1].earliestDay])
            } else {
                offsets.insert(visit.latestDay + 400)
            }
        }
        for url in DashboardDatabase.urls {
            try await DashboardDatabase.with(url) { storage in
                let repos = storage.repositories
                for site in ["site-a", "site-b"] {
                    _ = try await repos.sites.create(Site(id: Identifier(site), code: site, name: site), context: Self.setup, idempotencyKey: nil)
                }
                _ = try await repos.programs.create(
                    Program(id: "prog", protocolID: definition.id, protocolVersion: definition.version, name: "Iso",
                            siteIDs: ["site-a", "site-b"]), context: Self.setup, idempotencyKey: nil)
                var made = 0
                for site in ["site-a", "site-b"] {
                    for (n, offset) in offsets.sorted().enumerated() {
                        made += 1
                        let start = today.adding(days: -offset)
                        let current = schedule.last { $0.earliestDay <= offset }
                        try await Self.enrol("\(site)-\(n)", site: site, start: start, repos: repos,
                                             attended: n % 2 == 1 ? current.map { ($0, start.adding(days: $0.day)) } : nil)
                    }
                }
                _ = try await repos.safetyAlerts.create(
                    SafetyAlertRecord(id: "alert-b", participantID: "p-site-b-0", ruleID: "r", action: .alert, message: "B only",
                                      raisedAt: today.startOfDayUTC), context: Self.setup, idempotencyKey: nil)
                _ = try await repos.adverseEvents.create(
                    AdverseEvent(id: "ae-b", participantID: "p-site-b-0", term: "Dry skin", grade: 1, expected: true,
                                 relatedness: .probable, onset: today.adding(days: -30)), context: Self.setup, idempotencyKey: nil)
                _ = try await repos.adverseEvents.create(
                    AdverseEvent(id: "ae-old", participantID: "p-site-a-0", term: "Dry skin", grade: 1, expected: true,
                                 relatedness: .probable, onset: today.adding(days: -31)), context: Self.setup, idempotencyKey: nil)
                let coordinator = Self.coordinator(["site-a"])
                for user in [Self.admin, coordinator] {
                    let sql = try await DashboardFigures(sql: user, repos, catalog, today)
                    #expect(sql == (try await SwiftDashboard.figures(user, repos, catalog, today)), "\(url.prefix(8)) \(user.role)")
                }
                let all = try await DashboardFigures(sql: Self.admin, repos, catalog, today)
                let mine = try await DashboardFigures(sql: coordinator, repos, catalog, today)
                #expect(all.statusCounts["prog"]?.values.reduce(0, +) == made)
                #expect(mine.statusCounts["prog"]?.values.reduce(0, +) == made / 2)
                #expect(all.alerts == ["alert-b p-site-b-0"] && mine.alerts.isEmpty && mine.alertTotal == 0)
                #expect(all.events == ["ae-b p-site-b-0"] && mine.events.isEmpty, "onset 30 days ago counts, 31 does not")
                #expect(mine.visitsDue.allSatisfy { $0.hasPrefix("p-site-a-") } && all.visitsDue.count == 2 * mine.visitsDue.count)
                #expect(mine.visitsDue.contains { $0.hasSuffix("overdue") } && mine.visitsDue.contains { $0.hasSuffix("upcoming") })
            }
        }
    }

    /// A participant at `site` enrolled and on treatment from `start`, with one visit attended if given.
    static func enrol(_ name: String, site: String, start: CalendarDate, repos: Repositories,
                      attended: (VisitDefinition, CalendarDate)?) async throws {
        let person = Identifier<Participant>("p-\(name)")
        _ = try await repos.participants.create(
            Participant(id: person, siteID: Identifier(site), mrn: "MRN-\(name)", givenName: "G", familyName: name, sex: .male,
                        birthDate: CalendarDate(year: 1990, month: 1, day: 1)!), context: setup, idempotencyKey: nil)
        let actor = Actor(userID: "setup", role: "admin")
        let day0 = start.startOfDayUTC.addingTimeInterval(15 * 3600)
        let steps: [(EnrolmentStatus, EnrolmentStatus, Date)] = [
            (.prescreened, .screening, day0 - 40 * 86_400), (.screening, .eligible, day0 - 35 * 86_400),
            (.eligible, .consented, day0 - 30 * 86_400), (.consented, .enrolled, day0 - 30 * 86_400),
            (.enrolled, .onTreatment, day0),
        ]
        let enrolment = Identifier<Enrolment>("e-\(name)")
        _ = try await repos.enrolments.create(
            Enrolment(id: enrolment, participantID: person, programID: "prog", siteID: Identifier(site), status: .onTreatment,
                      transitions: steps.map { StatusTransition(from: $0.0, to: $0.1, actor: actor, at: $0.2, reason: "test") }),
            context: setup, idempotencyKey: nil)
        if let (visit, date) = attended {
            _ = try await repos.visits.create(
                Visit(id: Identifier("v-\(name)"), enrolmentID: enrolment, visitKey: visit.key, plannedDay: visit.day,
                      windowBefore: visit.windowBefore, windowAfter: visit.windowAfter, actualDate: date, status: .completed),
                context: setup, idempotencyKey: nil)
        }
    }
}

/// What the dashboard shows, in comparable form: counts per program and status, the chart's months, each
/// visit due as "participant program visit window state", alerts and events as "id participant".
struct DashboardFigures: Equatable {
    var statusCounts: [String: [String: Int]] = [:]
    var enrolledByMonth: [String: [String: Int]] = [:]
    var notEnrolled: [String: Int] = [:]
    var visitsDue: [String] = []
    var alerts: [String] = []
    var alertTotal = 0
    var events: [String] = []

    init() {}

    /// From the SQL path: every list under `DashboardModel.listLimit` in these tests, so shown = all.
    init(sql user: UserAccount, _ repos: Repositories, _ catalog: ProtocolCatalog, _ today: CalendarDate) async throws {
        let model = try await DashboardModel.load(for: user, repositories: repos, catalog: catalog, today: today)
        for summary in model.programs {
            let id = summary.program.id.rawValue
            statusCounts[id] = Dictionary(uniqueKeysWithValues: summary.statusCounts.map { ($0.status.rawValue, $0.count) })
            enrolledByMonth[id] = Dictionary(uniqueKeysWithValues: summary.enrolledByMonth.map { ($0.key.description, $0.value) })
            notEnrolled[id] = summary.notEnrolled
        }
        #expect(model.visitsDueTotal == model.visitsDue.count && model.openAlertsTotal == model.openAlerts.count)
        #expect(model.visitsDue.allSatisfy { $0.participant?.id == $0.participantID }, "every shown visit names its participant")
        visitsDue = model.visitsDue.map { "\($0.participantID.rawValue) \($0.programName) \($0.visitTitle) \($0.window) \($0.state.rawValue)" }
        alerts = model.openAlerts.map { "\($0.alert.value.id.rawValue) \($0.participant?.id.rawValue ?? "-")" }
        alertTotal = model.openAlertsTotal
        events = model.recentAdverseEvents.map { "\($0.event.id.rawValue) \($0.participant.id.rawValue)" }
    }
}

/// The dashboard as it was computed before issue 13: every program's records loaded (`StoredProgramData`)
/// and counted, scheduled and sorted in Swift. The reference the SQL figures must equal.
enum SwiftDashboard {
    static func figures(_ user: UserAccount, _ repos: Repositories, _ catalog: ProtocolCatalog, _ today: CalendarDate) async throws
        -> DashboardFigures {
        var figures = DashboardFigures()
        let programs = try await repos.programs.list().map(\.value)
            .filter { program in user.role.seesAllSites || program.siteIDs.contains { user.canSee(site: $0) } }
        var visits: [(state: VisitState, window: String, text: String)] = []
        var events: [(AdverseEvent, Participant)] = []
        var people: [Identifier<Participant>: Participant] = [:]
        for program in programs {
            guard let definition = try? catalog.definition(id: program.protocolID) else { continue }
            let dataset = try await StoredProgramData.load(programID: program.id, repositories: repos, catalog: catalog, asOf: today, synthetic: false)
            let visible = dataset.participants.filter { user.canSee(site: $0.record.participant.siteID) }
            for row in visible { people[row.record.participant.id] = row.record.participant }
            let id = program.id.rawValue
            figures.statusCounts[id] = Dictionary(grouping: visible, by: { $0.enrolment.status.rawValue }).mapValues(\.count)
            var months: [String: Int] = [:]
            for row in visible {
                guard let at = row.enrolment.transitions.first(where: { $0.to == .enrolled })?.at else { continue }
                let day = CalendarDate(at)
                months[CalendarDate(year: day.year, month: day.month, day: 1)!.description, default: 0] += 1
            }
            figures.enrolledByMonth[id] = months
            figures.notEnrolled[id] = visible.count - months.values.reduce(0, +)
            for row in visible {
                guard let start = row.dayZero, !ClinicalEntry.closedStatuses.contains(row.enrolment.status) else { continue }
                var records: [String: VisitRecord] = [:]
                for visit in row.visits {
                    if visit.status == .missed { records[visit.visitKey] = .missed }
                    if visit.status == .completed, let date = visit.actualDate { records[visit.visitKey] = .attended(date) }
                }
                let known = Set(definition.schedule.map(\.key))
                records = records.filter { known.contains($0.key) }
                // Data entered in a visit's window make it done (docs/visits.md), as the dashboard reads them.
                let dataDates = row.record.observations.filter { $0.enrolmentID == nil || $0.enrolmentID == row.enrolment.id }.map(\.effectiveDate)
                guard let schedule = try? ScheduleEngine.schedule(for: definition, start: start, today: today, records: records,
                                                                  dataDates: dataDates) else { continue }
                for visit in schedule.visits where visit.state == .due || visit.state == .overdue
                    || (visit.state == .upcoming && visit.visit.earliest <= today.adding(days: DashboardModel.lookAheadDays)) {
                    let window = "\(visit.visit.earliest) – \(visit.visit.latest)"
                    visits.append((visit.state, window,
                                   "\(row.record.participant.id.rawValue) \(program.name) \(visit.visit.title) \(window) \(visit.state.rawValue)"))
                }
            }
            events += visible.flatMap { row in
                row.record.adverseEvents.filter { $0.onset.days(until: today) <= DashboardModel.recentEventDays && $0.onset <= today }
                    .map { ($0, row.record.participant) }
            }
        }
        figures.visitsDue = visits.sorted { ($0.state == .overdue ? 0 : 1, $0.window) < ($1.state == .overdue ? 0 : 1, $1.window) }.map(\.text)
        let open = try await repos.safetyAlerts.listOpen(sites: Access.visibleSites(user)).sorted { $0.value.raisedAt > $1.value.raisedAt }
        figures.alerts = open.map { "\($0.value.id.rawValue) \(people[$0.value.participantID]?.id.rawValue ?? "-")" }
        figures.alertTotal = open.count
        figures.events = events.sorted { $0.0.onset > $1.0.onset }.prefix(DashboardModel.recentEventLimit)
            .map { "\($0.0.id.rawValue) \($0.1.id.rawValue)" }
        return figures
    }
}

/// A migrated, empty database per engine (SQLite in a temporary file; PostgreSQL in a fresh schema when
/// RESTORA_TEST_DATABASE_URL is set, dropped afterwards).
enum DashboardDatabase {
    static var urls: [String] {
        var urls = ["sqlite::memory:"]
        if let url = ProcessInfo.processInfo.environment["RESTORA_TEST_DATABASE_URL"], !url.isEmpty { urls.append(url) }
        return urls
    }

    static func with(_ url: String, _ body: (StorageDatabase) async throws -> Void) async throws {
        var logger = Logger(label: "restora.web.dashboard.tests")
        logger.logLevel = .warning
        var schema: String?
        if case .postgres = try DatabaseLocation(url: url) {
            let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try await StorageDatabase.open(url: url, logger: logger)
            try await admin.store.transaction { db in try await db.raw("CREATE SCHEMA \(unsafeRaw: name)").run() }
            try await admin.shutdown()
            schema = name
        }
        let storage = try await StorageDatabase.open(url: url, logger: logger, hasher: CredentialHasher(bcryptCost: 4), postgresSchema: schema)
        do {
            try await storage.migrator.migrate()
            try await body(storage)
        } catch {
            try? await drop(storage, schema)
            throw error
        }
        try await drop(storage, schema)
    }

    private static func drop(_ storage: StorageDatabase, _ schema: String?) async throws {
        if let schema {
            try await storage.store.transaction { db in try await db.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
        }
        try await storage.shutdown()
    }
}
