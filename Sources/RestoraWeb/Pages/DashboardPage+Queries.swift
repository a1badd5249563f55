import Foundation
import RestoraDomain

/// The dashboard's data queries and SDV (issue #16 item 5, docs/sdv.md): per site of the user's sites, the
/// queries waiting (open: on the site; answered: on the monitor) and the SDV progress (verified of all
/// source-verifiable records, and those changed since verified); then the participants with queries waiting,
/// most first (at most `DashboardModel.listLimit`). Counted in SQL.
struct DashboardQueriesSDV: Sendable {
    struct SiteRow: Sendable {
        var site: Site?
        var siteID: Identifier<Site>
        var progress: SDVProgress
        var open: Int
        var answered: Int
    }

    var sites: [SiteRow] = []
    var participants: [(count: OpenQueryCount, participant: Participant?)] = []

    static func load(for user: UserAccount, repositories r: Repositories, limit: Int) async throws -> DashboardQueriesSDV {
        let visible = Access.visibleSites(user)
        async let progress = r.sourceVerifications.progressBySite(sites: visible)
        async let perSite = r.queryThreads.openCounts(sites: visible, perSite: true, limit: 10_000)
        async let perParticipant = r.queryThreads.openCounts(sites: visible, perSite: false, limit: limit)
        async let siteList = r.sites.list()
        let names = Dictionary(try await siteList.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        let waiting = Dictionary(try await perSite.map { ($0.siteID, $0) }, uniquingKeysWith: { a, _ in a })
        let byProgress = Dictionary(try await progress.map { ($0.siteID, $0.progress) }, uniquingKeysWith: { a, _ in a })
        let siteIDs = Set(byProgress.keys).union(waiting.keys).sorted { $0.rawValue < $1.rawValue }
        let rows = siteIDs.map { id in
            SiteRow(site: names[id], siteID: id, progress: byProgress[id] ?? SDVProgress(), open: waiting[id]?.open ?? 0, answered: waiting[id]?.answered ?? 0)
        }
        let counts = try await perParticipant
        let people = Dictionary(try await r.participants.list(ids: counts.compactMap(\.participantID)).map { ($0.value.id, $0.value) },
                                uniquingKeysWith: { a, _ in a })
        return DashboardQueriesSDV(sites: rows, participants: counts.map { ($0, $0.participantID.flatMap { people[$0] }) })
    }
}

enum DashboardQueriesSection {
    static func view(_ m: DashboardQueriesSDV) -> Node {
        guard !m.sites.isEmpty else { return Layout.empty("No records or data queries at your sites yet.") }
        return .fragment([
            el("table", ["id": "site-queries-sdv"]) {
                el("thead") { el("tr") {
                    el("th") { "Site" }; el("th", ["class": "num"]) { "Open queries" }; el("th", ["class": "num"]) { "Answered, to close" }
                    el("th") { "Source data verification" }
                } }
                el("tbody") {
                    m.sites.map { row in
                        el("tr", ["class": "site-sdv-row", "data-site": row.siteID.rawValue]) {
                            el("td") { row.site?.name ?? row.siteID.rawValue }
                            el("td", ["class": "num site-open-queries"]) { "\(row.open)" }
                            el("td", ["class": "num site-answered-queries"]) { "\(row.answered)" }
                            el("td", ["class": "site-sdv-progress"]) { SDVText.progress(row.progress) }
                        }
                    }
                }
            },
            m.participants.isEmpty ? Layout.empty("No data query is waiting.") : el("table", ["id": "participant-queries"]) {
                el("thead") { el("tr") {
                    el("th") { "Participant" }; el("th", ["class": "num"]) { "Open" }; el("th", ["class": "num"]) { "Answered" }
                } }
                el("tbody") {
                    m.participants.map { row in
                        el("tr", ["class": "participant-queries-row"]) {
                            el("td") {
                                if let id = row.count.participantID {
                                    el("a", ["href": WebPath.participant(id) + "#queries"]) {
                                        row.participant.map { ParticipantText.name($0) } ?? id.rawValue
                                    }
                                }
                            }
                            el("td", ["class": "num"]) { "\(row.count.open)" }
                            el("td", ["class": "num"]) { "\(row.count.answered)" }
                        }
                    }
                }
            },
        ])
    }
}
