import RestoraDomain
import SQLKit

/// The visits-due list from kept spans (migration 0053, SQLite): the spans of every participant not waiting in
/// `schedule_changes`, read for today by one index range, plus the waiting participants computed live by the
/// caller. BENCHMARKS.md "Dashboard: visits due from kept spans".
extension SQLDashboardQueries {
    /// `shown_through` of a span with no end (the last visit, listed until recorded): after every real date, so one
    /// index range `shown_through >= today` finds what may be listed.
    static let openEnd = VisitDueDayTriggers.openEnd

    func keptVisitsDue(programs: [Identifier<Program>], sites: Set<Identifier<Site>>?, today: CalendarDate, limit: Int,
                       fingerprint: String, pendingLimit: Int) async throws -> KeptVisitsDue? {
        guard store.engine == .sqlite else { return nil }
        guard !programs.isEmpty, sites.map({ !$0.isEmpty }) ?? true else { return KeptVisitsDue(pending: [], total: 0, first: []) }
        let day = today.description
        return try await store.read { db in
            // One read transaction: the log and the spans are of the same moment, and a refresh commits both together.
            let kept = try await db.raw("SELECT fingerprint FROM visit_due_cache_state").first()?.decode(column: "fingerprint", as: String.self)
            guard kept == fingerprint else { return nil }
            let waiting = try await db.raw("SELECT DISTINCT participant_id FROM schedule_changes LIMIT \(literal: pendingLimit + 1)").all()
                .map { Identifier<Participant>(try $0.decode(column: "participant_id", as: String.self)) }
            guard waiting.count <= pendingLimit else { return nil }
            let programIDs = programs.map(\.rawValue)
            let siteIDs = sites.map { $0.map(\.rawValue).sorted() }
            // Listed today: shown_from <= today <= shown_through, in the programs (and sites) asked for.
            var listed: SQLQueryString = """
                s.shown_through >= \(bind: day) AND s.shown_from <= \(bind: day) AND s.program_id IN (\(binds: programIDs))
                """
            if let siteIDs { listed = listed + " AND s.site_id IN (\(binds: siteIDs))" }
            // The count from the kept day counts (0054): a sum over the clinic's dates, not over its spans; the spans of
            // the participants still waiting are taken off, as they are computed live by the caller.
            var days: SQLQueryString = "d.day <= \(bind: day) AND d.program_id IN (\(binds: programIDs))"
            if let siteIDs { days = days + " AND d.site_id IN (\(binds: siteIDs))" }
            let counted = try await db.raw("""
                SELECT COALESCE(SUM(d.starting), 0) - COALESCE(SUM(CASE WHEN d.day < \(bind: day) THEN d.ending ELSE 0 END), 0) AS n
                FROM visit_due_days d WHERE \(days)
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            let waitingListed = waiting.isEmpty ? 0 : try await db.raw("""
                SELECT COUNT(*) AS n FROM visit_due_spans s WHERE \(listed) AND s.participant_id IN (\(binds: waiting.map(\.rawValue).sorted()))
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            let total = counted - waitingListed
            let notWaiting = waiting.isEmpty ? listed : listed + " AND s.participant_id NOT IN (\(binds: waiting.map(\.rawValue).sorted()))"
            var ranking = SQLQueryString("CASE s.program_id")
            for (index, program) in programs.enumerated() { ranking = ranking + " WHEN \(bind: program.rawValue) THEN \(literal: index)" }
            let rank = ranking + " END"
            // Overdue first, then the rest, each in listing order (`KeptVisitDue.precedes`): two walks of the order index
            // (0054) that stop at the limit, instead of one sort of every listed span. SQLite would pick the site or
            // date index for the filter and sort; the walk is what keeps this bounded, so the index is named.
            func first(_ part: SQLQueryString, _ count: Int) async throws -> [KeptVisitDue] {
                guard count > 0 else { return [] }
                return try await db.raw("""
                    SELECT s.participant_id AS participant_id, s.program_id AS program_id, s.enrolment_id AS enrolment_id,
                           s.visit_key AS visit_key, s.visit_index AS visit_index, s.title AS title, s.earliest AS earliest,
                           s.latest AS latest, s.shown_from AS shown_from, s.shown_through AS shown_through
                    FROM visit_due_spans s INDEXED BY visit_due_spans_order WHERE \(notWaiting) AND \(part)
                    ORDER BY s.earliest, s.latest, \(rank), s.enrolment_id, s.visit_index
                    LIMIT \(literal: count)
                    """).all().map(Self.keptVisit)
            }
            let overdue = try await first("s.latest < \(bind: day)", max(0, limit))
            let rows = overdue + (try await first("s.latest >= \(bind: day)", max(0, limit) - overdue.count))
            return KeptVisitsDue(pending: Set(waiting), total: total, first: rows)
        }
    }

    static func keptVisit(_ row: any SQLRow) throws -> KeptVisitDue {
        func date(_ column: String) throws -> CalendarDate {
            guard let value = CalendarDate(try row.decode(column: column, as: String.self)) else {
                throw StorageError.corruptRecord(table: "visit_due_spans", column: column)
            }
            return value
        }
        let through = try row.decode(column: "shown_through", as: String.self)
        return KeptVisitDue(
            participantID: Identifier(try row.decode(column: "participant_id", as: String.self)),
            programID: Identifier(try row.decode(column: "program_id", as: String.self)),
            enrolmentID: Identifier(try row.decode(column: "enrolment_id", as: String.self)),
            span: VisitDueSpan(visitKey: try row.decode(column: "visit_key", as: String.self),
                               visitIndex: try row.decode(column: "visit_index", as: Int.self),
                               title: try row.decode(column: "title", as: String.self),
                               earliest: try date("earliest"), latest: try date("latest"), shownFrom: try date("shown_from"),
                               shownThrough: through == openEnd ? nil : try date("shown_through")))
    }

    func refreshKeptVisitsDue(catalog: ProtocolCatalog, programs: [Program], lookAheadDays: Int, batch: Int) async throws -> Int {
        try await refreshKeptVisitsDue(catalog: catalog, programs: programs, lookAheadDays: lookAheadDays, batch: batch, beforeSwap: nil)
    }

    /// `beforeSwap` runs between computing the spans and swapping them in (tests: a change made meanwhile).
    func refreshKeptVisitsDue(catalog: ProtocolCatalog, programs: [Program], lookAheadDays: Int, batch: Int,
                              beforeSwap: (@Sendable () async throws -> Void)?) async throws -> Int {
        guard store.engine == .sqlite else { return 0 }
        let fingerprint = VisitDueSpan.fingerprint(catalog: catalog, programs: programs, lookAheadDays: lookAheadDays)
        let byID = Dictionary(programs.map { ($0.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        let closed = ClinicalEntry.closedStatuses.map(\.rawValue).sorted()
        try await store.transaction { db in
            let kept = try await db.raw("SELECT fingerprint FROM visit_due_cache_state").first()?.decode(column: "fingerprint", as: String.self)
            guard kept != fingerprint else { return }
            // Other protocols or programs: every open enrolment's participant is logged, to be recomputed batch by batch.
            try await db.raw("DELETE FROM visit_due_spans").run()
            try await db.raw("DELETE FROM schedule_changes").run()
            try await db.raw("""
                INSERT INTO schedule_changes (site_id, participant_id, generation)
                SELECT MIN(e.site_id), e.participant_id, 1 FROM enrolments e
                WHERE e.deleted_at IS NULL AND e.status NOT IN (\(binds: closed)) GROUP BY e.participant_id ORDER BY e.participant_id
                """).run()
            try await db.raw("DELETE FROM visit_due_cache_state").run()
            try await db.raw("INSERT INTO visit_due_cache_state (fingerprint) VALUES (\(bind: fingerprint))").run()
        }
        // The spans are computed on a reader, from the same snapshot as the logged generations, so the writer is held
        // only to swap them in: a participant whose generation moved meanwhile stays logged for the next pass.
        struct Logged: Sendable { var site: String, participant: String, generation: Int }
        let (logged, spans) = try await store.read { db in
            let logged = try await db.raw("SELECT site_id, participant_id, generation FROM schedule_changes ORDER BY rowid LIMIT \(literal: max(1, batch))")
                .all().map { row in
                    Logged(site: try row.decode(column: "site_id", as: String.self), participant: try row.decode(column: "participant_id", as: String.self),
                           generation: try row.decode(column: "generation", as: Int.self))
                }
            let participants = Array(Set(logged.map(\.participant))).sorted()
            return (logged, participants.isEmpty ? [] : try await Self.computeSpans(db, participants: participants, programs: byID, catalog: catalog,
                                                                                     lookAheadDays: lookAheadDays))
        }
        guard !logged.isEmpty else { return 0 }
        try await beforeSwap?()
        return try await store.transaction { db in
            let kept = try await db.raw("SELECT fingerprint FROM visit_due_cache_state").first()?.decode(column: "fingerprint", as: String.self)
            guard kept == fingerprint else { return 0 }
            var rows = SQLQueryString("")
            for (index, entry) in logged.enumerated() {
                rows = rows + (index == 0 ? "" : ", ") + "(\(bind: entry.site), \(bind: entry.participant), \(bind: entry.generation))"
            }
            let done = Set(try await db.raw("""
                DELETE FROM schedule_changes WHERE (site_id, participant_id, generation) IN (VALUES \(rows)) RETURNING participant_id
                """).all().map { try $0.decode(column: "participant_id", as: String.self) })
            guard !done.isEmpty else { return 0 }
            try await db.raw("DELETE FROM visit_due_spans WHERE participant_id IN (\(binds: done.sorted()))").run()
            let fresh = spans.filter { done.contains($0.span.participantID.rawValue) }
            for start in stride(from: 0, to: fresh.count, by: 200) {
                var insert = db.insert(into: "visit_due_spans").columns(
                    "site_id", "enrolment_id", "participant_id", "program_id", "visit_key", "visit_index", "title",
                    "earliest", "latest", "shown_from", "shown_through")
                for (site, kept) in fresh[start..<min(start + 200, fresh.count)] {
                    insert = insert.values(
                        SQLBind(site), SQLBind(kept.enrolmentID.rawValue), SQLBind(kept.participantID.rawValue),
                        SQLBind(kept.programID.rawValue), SQLBind(kept.span.visitKey), SQLBind(kept.span.visitIndex),
                        SQLBind(kept.span.title), SQLBind(kept.span.earliest.description), SQLBind(kept.span.latest.description),
                        SQLBind(kept.span.shownFrom.description), SQLBind(kept.span.shownThrough?.description ?? Self.openEnd))
                }
                try await insert.run()
            }
            return done.count
        }
    }

    /// Every span of the open enrolments of `participants`, each judged under the version it runs under, read in
    /// `db` (the refresh's transaction) by the statements `visitCandidates` uses.
    private static func computeSpans(
        _ db: any SQLDatabase, participants: [String], programs: [String: Program], catalog: ProtocolCatalog, lookAheadDays: Int
    ) async throws -> [(site: String, span: KeptVisitDue)] {
        let dayZero = EnrolmentMilestones.firstDate(to: .onTreatment)
        let closed = ClinicalEntry.closedStatuses.map(\.rawValue).sorted()
        let rows = try await db.raw("""
            SELECT s.* FROM (
                SELECT e.id AS id, e.participant_id AS participant_id, e.program_id AS program_id, e.site_id AS site_id,
                       e.status AS status, e.protocol_version AS protocol_version, \(dayZero) AS day_zero
                FROM enrolments e
                WHERE e.deleted_at IS NULL AND e.status NOT IN (\(binds: closed)) AND e.participant_id IN (\(binds: participants))) s
            WHERE s.day_zero IS NOT NULL
            """).all()
        let found = try rows.map(OpenEnrolmentRow.init)
        var spans: [(site: String, span: KeptVisitDue)] = []
        for (enrolment, candidate) in zip(found, try await candidates(db, found)) {
            // The dashboard's choice of schedule (DashboardModel.programVisitsDue): the enrolment's version, else the program's.
            guard let program = programs[enrolment.program], let current = try? catalog.definition(for: program) else { continue }
            let definition = enrolment.version.flatMap { try? catalog.definition(id: program.protocolID, version: $0) } ?? current
            for span in candidate.dueSpans(definition: definition, lookAheadDays: lookAheadDays) {
                spans.append((enrolment.site, KeptVisitDue(participantID: candidate.participantID, programID: program.id,
                                                           enrolmentID: candidate.enrolmentID, span: span)))
            }
        }
        return spans
    }
}
