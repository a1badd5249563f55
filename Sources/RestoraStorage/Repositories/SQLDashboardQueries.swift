import RestoraDomain
import SQLKit

/// The dashboard's figures in SQL: counts by `GROUP BY`, lists by `ORDER BY … LIMIT` on indexed columns
/// (migration 0030), records decoded by their tables' mappings. Site scoping is the participant's own site,
/// as the dashboard always scoped it (through the enrolment, which carries it). A fixed number of statements per call (chunked `IN` lists of at most
/// 500 ids where a list of records is read back), never one per participant.
struct SQLDashboardQueries: DashboardQueries {
    let store: any SQLStore
    let audit: AuditWriter

    private func records<M: TableMapping>(_ mapping: M.Type) -> RecordStore<M> { RecordStore(store: store, audit: audit) }

    func enrolmentStatusCounts(programs: [Identifier<Program>], sites: Set<Identifier<Site>>?) async throws
        -> [Identifier<Program>: [EnrolmentStatus: Int]] {
        guard !programs.isEmpty, sites.map({ !$0.isEmpty }) ?? true else { return [:] }
        // SQLite keeps the counts (`enrolment_counts`, migration 0053); PostgreSQL counts a covering index.
        let sql: SQLQueryString = store.engine == .sqlite ? """
            SELECT e.program_id AS program_id, e.status AS status, SUM(e.n) AS n
            FROM enrolment_counts e
            WHERE e.program_id IN (\(binds: programs.map(\.rawValue)))\(Self.siteFilter(sites))
            GROUP BY e.program_id, e.status HAVING SUM(e.n) > 0
            """ : """
            SELECT e.program_id AS program_id, e.status AS status, COUNT(*) AS n
            FROM enrolments e
            WHERE e.deleted_at IS NULL AND e.program_id IN (\(binds: programs.map(\.rawValue)))\(Self.siteFilter(sites))
            GROUP BY e.program_id, e.status
            """
        let rows = try await store.read { db in try await db.raw(sql).all() }
        var counts: [Identifier<Program>: [EnrolmentStatus: Int]] = [:]
        for row in rows {
            let status = try row.decode(column: "status", as: String.self)
            guard let known = EnrolmentStatus(rawValue: status) else {
                throw StorageError.corruptRecord(table: EnrolmentMapping.table, column: "status")
            }
            counts[Identifier(try row.decode(column: "program_id", as: String.self)), default: [:]][known] =
                try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    func enrolmentsByMonth(programs: [Identifier<Program>], sites: Set<Identifier<Site>>?) async throws
        -> [Identifier<Program>: [CalendarDate: Int]] {
        guard !programs.isEmpty, sites.map({ !$0.isEmpty }) ?? true else { return [:] }
        // `enrolled_on` (migration 0053) is the first move to enrolled, kept on every write: SQLite keeps the counts per
        // month (`enrolment_counts`), PostgreSQL counts a covering index.
        let sql: SQLQueryString = store.engine == .sqlite ? """
            SELECT e.program_id AS program_id, e.enrolled_month AS month, SUM(e.n) AS n
            FROM enrolment_counts e
            WHERE e.program_id IN (\(binds: programs.map(\.rawValue)))\(Self.siteFilter(sites)) AND e.enrolled_month <> ''
            GROUP BY e.program_id, e.enrolled_month HAVING SUM(e.n) > 0
            """ : """
            SELECT e.program_id AS program_id, substr(e.enrolled_on, 1, 7) AS month, COUNT(*) AS n
            FROM enrolments e
            WHERE e.deleted_at IS NULL AND e.program_id IN (\(binds: programs.map(\.rawValue)))\(Self.siteFilter(sites))
              AND e.enrolled_on IS NOT NULL
            GROUP BY e.program_id, substr(e.enrolled_on, 1, 7)
            """
        let rows = try await store.read { db in try await db.raw(sql).all() }
        var counts: [Identifier<Program>: [CalendarDate: Int]] = [:]
        for row in rows {
            let month = try row.decode(column: "month", as: String.self)
            guard let first = CalendarDate(month + "-01") else {
                throw StorageError.corruptRecord(table: EnrolmentMapping.table, column: "transitions")
            }
            counts[Identifier(try row.decode(column: "program_id", as: String.self)), default: [:]][first] =
                try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    func visitCandidates(program: Identifier<Program>, sites: Set<Identifier<Site>>?, windows: [VisitStartWindow],
                         participants: Set<Identifier<Participant>>?) async throws -> [ScheduleCandidate] {
        guard !windows.isEmpty, sites.map({ !$0.isEmpty }) ?? true, participants.map({ !$0.isEmpty }) ?? true else { return [] }
        var only = SQLQueryString("")
        if let participants { only = " AND e.participant_id IN (\(binds: participants.map(\.rawValue).sorted()))" }
        let dayZero = EnrolmentMilestones.firstDate(to: .onTreatment)
        let closed = ClinicalEntry.closedStatuses.map(\.rawValue).sorted()
        var values = SQLQueryString("")
        for (index, window) in windows.enumerated() {
            let from = window.startFrom?.description ?? "0000-01-01"
            values.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
            values.appendInterpolation(unsafeRaw: "(")
            values.appendInterpolation(binds: [window.visitKey, from, window.startThrough.description])
            values.appendInterpolation(unsafeRaw: ")")
        }
        let sql: SQLQueryString = """
            WITH w(visit_key, start_from, start_through) AS (VALUES \(values)),
            s AS (SELECT e.id AS id, e.participant_id AS participant_id, e.program_id AS program_id, e.site_id AS site_id,
                         e.status AS status, e.created_at AS created_at, e.protocol_version AS protocol_version, \(dayZero) AS day_zero
                  FROM enrolments e
                  WHERE e.deleted_at IS NULL AND e.program_id = \(bind: program.rawValue)
                    AND e.status NOT IN (\(binds: closed))\(Self.siteFilter(sites))\(only))
            SELECT s.id AS id, s.participant_id AS participant_id, s.program_id AS program_id, s.site_id AS site_id,
                   s.status AS status, s.day_zero AS day_zero, s.protocol_version AS protocol_version
            FROM s
            WHERE s.day_zero IS NOT NULL AND EXISTS (
                SELECT 1 FROM w WHERE s.day_zero >= w.start_from AND s.day_zero <= w.start_through
                AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.enrolment_id = s.id AND v.visit_key = w.visit_key
                                AND v.deleted_at IS NULL
                                AND (v.status = 'missed' OR (v.status = 'completed' AND v.actual_date IS NOT NULL))))
            ORDER BY s.created_at, s.id
            """
        return try await store.read { db in
            try await Self.candidates(db, try await db.raw(sql).all().map(OpenEnrolmentRow.init))
        }
    }

    /// An open enrolment with its day 0 as the candidate statements select it (`visitCandidates`, the kept spans'
    /// refresh): columns id, participant_id, program_id, site_id, status, day_zero, protocol_version.
    struct OpenEnrolmentRow: Sendable {
        var id, participant, program, site: String
        var status: EnrolmentStatus
        var dayZero: CalendarDate
        var version: String?

        init(_ row: any SQLRow) throws {
            guard let status = EnrolmentStatus(rawValue: try row.decode(column: "status", as: String.self)),
                  let day = CalendarDate(try row.decode(column: "day_zero", as: String.self)) else {
                throw StorageError.corruptRecord(table: EnrolmentMapping.table, column: "transitions")
            }
            id = try row.decode(column: "id", as: String.self)
            participant = try row.decode(column: "participant_id", as: String.self)
            program = try row.decode(column: "program_id", as: String.self)
            site = try row.decode(column: "site_id", as: String.self)
            self.status = status
            dayZero = day
            version = try row.decode(column: "protocol_version", as: String?.self)
        }
    }

    /// `found` with their recorded visits and data dates read in `db`, in the same order.
    static func candidates(_ db: any SQLDatabase, _ found: [OpenEnrolmentRow]) async throws -> [ScheduleCandidate] {
        let records = try await visitRecords(db, enrolments: found.map(\.id))
        let data = try await dataDates(db, enrolments: found.map { ($0.id, $0.participant) })
        return found.map { enrolment in
            ScheduleCandidate(enrolmentID: Identifier(enrolment.id), participantID: Identifier(enrolment.participant),
                              status: enrolment.status, dayZero: enrolment.dayZero, records: records[enrolment.id] ?? [:],
                              dataDates: data[enrolment.id] ?? [], protocolVersion: enrolment.version)
        }
    }

    func observationDates(enrolments: [(enrolment: Identifier<Enrolment>, participant: Identifier<Participant>)]) async throws
        -> [Identifier<Enrolment>: [CalendarDate]] {
        let pairs = enrolments.map { ($0.enrolment.rawValue, $0.participant.rawValue) }
        let dates = try await store.read { db in try await Self.dataDates(db, enrolments: pairs) }
        return Dictionary(uniqueKeysWithValues: dates.map { (Identifier($0.key), $0.value) })
    }

    /// The distinct UTC dates of each enrolment's observations (recorded against it or against no enrolment):
    /// one `SELECT DISTINCT` of two short columns per chunk of participants, never a row per observation.
    static func dataDates(_ db: any SQLDatabase, enrolments: [(id: String, participant: String)]) async throws -> [String: [CalendarDate]] {
        var byParticipant: [String: [String]] = [:]
        for (id, participant) in enrolments { byParticipant[participant, default: []].append(id) }
        let participants = byParticipant.keys.sorted()
        var dates: [String: Set<CalendarDate>] = [:]
        let size = SQLProgramRecordSource.chunkSize
        for start in stride(from: 0, to: participants.count, by: size) {
            let chunk = Array(participants[start..<min(start + size, participants.count)])
            let sql: SQLQueryString = """
                SELECT DISTINCT o.participant_id AS participant_id, o.enrolment_id AS enrolment_id, substr(o.effective, 1, 10) AS day
                FROM observations o WHERE o.deleted_at IS NULL AND o.participant_id IN (\(binds: chunk))
                """
            for row in try await db.raw(sql).all() {
                let participant = try row.decode(column: "participant_id", as: String.self)
                let enrolment = try row.decode(column: "enrolment_id", as: String?.self)
                guard let day = CalendarDate(try row.decode(column: "day", as: String.self)) else {
                    throw StorageError.corruptRecord(table: ObservationMapping.table, column: "effective")
                }
                for id in byParticipant[participant] ?? [] where enrolment == nil || enrolment == id {
                    dates[id, default: []].insert(day)
                }
            }
        }
        return dates.mapValues { $0.sorted() }
    }

    /// What was recorded for each of `enrolments`' visits (attended on a date, or missed), by visit key: four
    /// columns of the recorded rows only, in chunks of `SQLProgramRecordSource.chunkSize` enrolments.
    static func visitRecords(_ db: any SQLDatabase, enrolments: [String]) async throws -> [String: [String: VisitRecord]] {
        var records: [String: [String: VisitRecord]] = [:]
        let size = SQLProgramRecordSource.chunkSize
        for start in stride(from: 0, to: enrolments.count, by: size) {
            let chunk = Array(enrolments[start..<min(start + size, enrolments.count)])
            let sql: SQLQueryString = """
                SELECT v.enrolment_id AS enrolment_id, v.visit_key AS visit_key, v.status AS status, v.actual_date AS actual_date
                FROM visits v WHERE v.deleted_at IS NULL AND v.enrolment_id IN (\(binds: chunk))
                  AND v.status IN (\(bind: Visit.Status.missed.rawValue), \(bind: Visit.Status.completed.rawValue))
                """
            for row in try await db.raw(sql).all() {
                let enrolment = try row.decode(column: "enrolment_id", as: String.self)
                let key = try row.decode(column: "visit_key", as: String.self)
                if try row.decode(column: "status", as: String.self) == Visit.Status.missed.rawValue {
                    records[enrolment, default: [:]][key] = .missed
                } else if let text = try row.decode(column: "actual_date", as: String?.self) {
                    guard let date = CalendarDate(text) else { throw StorageError.corruptRecord(table: VisitMapping.table, column: "actual_date") }
                    records[enrolment, default: [:]][key] = .attended(date)
                }
            }
        }
        return records
    }

    func openAlerts(sites: Set<Identifier<Site>>?, limit: Int) async throws -> OpenAlertPage {
        if let sites, sites.isEmpty { return OpenAlertPage(total: 0, alerts: []) }
        var scope = SQLQueryString("")
        if let sites {
            // The alert's own site (the participant's, copied when it was raised; a participant never changes site):
            // the index on (site_id, status) reads the open alerts of those sites only. Through the participants it read
            // every participant of the sites (139 ms at 10⁵).
            scope = "AND a.site_id IN (\(binds: sites.map(\.rawValue).sorted()))"
        }
        let sql: SQLQueryString = """
            SELECT a.id AS id, COUNT(*) OVER () AS total FROM safety_alerts a
            WHERE a.deleted_at IS NULL AND a.status = \(bind: SafetyAlertRecord.Status.open.rawValue) \(scope)
            ORDER BY a.raised_at DESC, a.id
            LIMIT \(literal: max(0, limit))
            """
        let rows = try await store.read { db in try await db.raw(sql).all() }
        let total = try rows.first?.decode(column: "total", as: Int.self) ?? 0
        let ids = try rows.map { try $0.decode(column: "id", as: String.self) }
        let alerts = Dictionary(try await versioned(SafetyAlertMapping.self, ids: ids).map { ($0.value.id.rawValue, $0) },
                                uniquingKeysWith: { a, _ in a })
        let people = try await participants(alerts.values.map(\.value.participantID.rawValue))
        return OpenAlertPage(total: total, alerts: ids.compactMap { id in
            alerts[id].map { ($0, people[$0.value.participantID.rawValue]) }
        })
    }

    func recentAdverseEvents(
        programs: [Identifier<Program>], sites: Set<Identifier<Site>>?, onsetFrom: CalendarDate,
        onsetThrough: CalendarDate, limit: Int
    ) async throws -> [RecentAdverseEvent] {
        guard !programs.isEmpty, sites.map({ !$0.isEmpty }) ?? true else { return [] }
        // From the events in the onset window (index on onset) to their enrolments: SQLite takes CROSS JOIN's order as
        // written, and left to itself walked every enrolment of the programs instead (146 ms at 10⁵ participants, 3 ms so).
        let sql: SQLQueryString = """
            SELECT ae.id AS id, e.participant_id AS participant_id
            FROM adverse_events ae CROSS JOIN enrolments e CROSS JOIN programs pr
            WHERE e.participant_id = ae.participant_id AND (ae.enrolment_id IS NULL OR ae.enrolment_id = e.id) AND pr.id = e.program_id
              AND ae.deleted_at IS NULL AND e.deleted_at IS NULL
              AND ae.onset >= \(bind: onsetFrom.description) AND ae.onset <= \(bind: onsetThrough.description)
              AND e.program_id IN (\(binds: programs.map(\.rawValue)))\(Self.siteFilter(sites))
            ORDER BY ae.onset DESC, pr.created_at, pr.id, e.created_at, e.id, ae.created_at, ae.id
            LIMIT \(literal: max(0, limit))
            """
        let rows = try await store.read { db in try await db.raw(sql).all() }
        let pairs = try rows.map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "participant_id", as: String.self)) }
        let events = Dictionary(try await decoded(AdverseEventMapping.self, where: "id", in: pairs.map(\.0)).map { ($0.id.rawValue, $0) },
                                uniquingKeysWith: { a, _ in a })
        let people = try await participants(pairs.map(\.1))
        return pairs.compactMap { id, person in
            guard let event = events[id], let participant = people[person] else { return nil }
            return RecentAdverseEvent(event: event, participant: participant)
        }
    }

    // MARK: reading records back by id

    /// `AND e.site_id IN (…)` for a site-scoped user (the enrolments table is aliased `e`). An enrolment's
    /// site is its participant's (`EnrolmentEntry` copies it; 0028 relies on it), so this is the participant's
    /// site without a join to the participants table.
    private static func siteFilter(_ sites: Set<Identifier<Site>>?) -> SQLQueryString {
        guard let sites else { return "" }
        return " AND e.site_id IN (\(binds: sites.map(\.rawValue).sorted()))"
    }

    private func participants(_ ids: [String]) async throws -> [String: Participant] {
        Dictionary(try await decoded(ParticipantMapping.self, where: "id", in: ids).map { ($0.id.rawValue, $0) },
                   uniquingKeysWith: { a, _ in a })
    }

    private func decoded<M: TableMapping>(_ mapping: M.Type, where column: String, in values: [String]) async throws -> [M.Value] {
        try await versioned(mapping, column: column, values: values).map(\.value)
    }

    private func versioned<M: TableMapping>(_ mapping: M.Type, ids: [String]) async throws -> [Versioned<M.Value>] {
        try await versioned(mapping, column: "id", values: ids)
    }

    /// Rows whose `column` is one of `values`, in chunks of `SQLProgramRecordSource.chunkSize` (`RecordStore.list`: on
    /// SQLite read by position, not through SQLKit's rows by name).
    private func versioned<M: TableMapping>(_ mapping: M.Type, column: String, values: [String]) async throws -> [Versioned<M.Value>] {
        try await records(M.self).list(where: column, in: values, chunkSize: SQLProgramRecordSource.chunkSize)
    }
}

/// Dates read from an enrolment's transition history in SQL: the UTC calendar date (`YYYY-MM-DD`) of its first
/// move to a status, as `CalendarDate(transition.at)` gives it, from the rows of `enrolment_transitions`
/// (migration 0024; a reader takes the first `transition_count` of them). One indexed lookup per enrolment
/// (`UNIQUE (enrolment_id, position)`); the enrolments table is aliased `e`.
enum EnrolmentMilestones {
    static func firstDate(to status: EnrolmentStatus) -> SQLQueryString {
        """
        (SELECT substr(t.at, 1, 10) FROM enrolment_transitions t
         WHERE t.enrolment_id = e.id AND t.position < e.transition_count AND t.to_status = \(literal: status.rawValue)
         ORDER BY t.position LIMIT 1)
        """
    }
}
