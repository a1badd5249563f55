import Testing
@testable import RestoraDomain

/// `ScheduleEngine.dueSpans` is the visit-state rule read as spans of days (what the dashboard keeps, migration
/// 0053): for every protocol, many recorded histories and every day around the schedule, the visits a span lists
/// on a day, with their state, are exactly those `ScheduleEngine.schedule` calls upcoming within the look-ahead,
/// due or overdue on that day.
@Suite struct VisitDueSpanTests {
    typealias F = ProtocolFixture
    static let start = F.day("2026-01-01")
    static let lookAhead = 7

    /// A small deterministic generator (no Foundation randomness: the same histories on every run).
    struct Histories {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static func listed(_ definition: ProtocolDefinition, records: [String: VisitRecord], dataDates: [CalendarDate], today: CalendarDate)
        throws -> [String] {
        try ScheduleEngine.schedule(for: definition, start: start, today: today, records: records, dataDates: dataDates).visits
            .filter { $0.state == .due || $0.state == .overdue
                || ($0.state == .upcoming && $0.visit.earliest <= today.adding(days: lookAhead)) }
            .map { "\($0.visit.key) \($0.state.rawValue) \($0.visit.earliest)" }
    }

    @Test("spans list on each day exactly the visits the schedule calls upcoming within a week, due or overdue",
          arguments: ["isotretinoin-noa", "isotretinoin-rct", "asc-azoospermia", "msc-osteoporosis"])
    func spansAgreeWithTheSchedule(_ id: String) throws {
        let definition = try F.definition(id)
        let last = definition.schedule.map(\.latestDay).max() ?? 0
        var random = Histories(state: UInt64(id.utf8.count))
        var listedDays = 0
        for history in 0..<60 {
            var records: [String: VisitRecord] = [:]
            var dataDates: [CalendarDate] = []
            for visit in definition.schedule where history > 0 {
                switch random.next(6) {
                case 0: records[visit.key] = .missed
                case 1: records[visit.key] = .attended(Self.start.adding(days: visit.day + random.next(21) - 10))
                case 2: dataDates.append(Self.start.adding(days: visit.day + random.next(31) - 15))
                default: break
                }
            }
            let spans = try ScheduleEngine.dueSpans(for: definition, start: Self.start, records: records, dataDates: dataDates, lookAheadDays: Self.lookAhead)
            for offset in -20...(last + 120) {
                let today = Self.start.adding(days: offset)
                let fromSpans = spans.compactMap { span in span.state(on: today).map { "\(span.visitKey) \($0.rawValue) \(span.earliest)" } }
                let expected = try Self.listed(definition, records: records, dataDates: dataDates, today: today)
                #expect(fromSpans == expected, "\(id) history \(history) on \(today)")
                listedDays += expected.isEmpty ? 0 : 1
                if fromSpans != expected { return }
            }
        }
        #expect(listedDays > 100, "the histories list visits on many days")
    }

    @Test("the last visit's span has no end; a later attended visit ends an earlier one's span with its window")
    func spanEnds() throws {
        let definition = try F.definition("isotretinoin-noa")
        let keys = definition.schedule.map(\.key)
        let open = try ScheduleEngine.dueSpans(for: definition, start: Self.start, lookAheadDays: Self.lookAhead)
        #expect(open.count == keys.count && open.last?.shownThrough == nil && open.dropLast().allSatisfy { $0.shownThrough != nil })
        let second = definition.schedule[2]
        let attended = try ScheduleEngine.dueSpans(for: definition, start: Self.start,
                                                   records: [second.key: .attended(Self.start.adding(days: second.day))], lookAheadDays: Self.lookAhead)
        let first = try #require(attended.first { $0.visitKey == keys[1] })
        #expect(first.shownThrough == first.latest, "an earlier visit is missed once a later one was attended")
        #expect(!attended.contains { $0.visitKey == second.key }, "an attended visit has no span")
        #expect(throws: DomainError.self) {
            try ScheduleEngine.dueSpans(for: definition, start: Self.start, records: ["no-such-visit": .missed], lookAheadDays: Self.lookAhead)
        }
    }

    @Test("the fingerprint changes with a schedule, a program's version or the look-ahead, and only then")
    func fingerprint() throws {
        let definition = try F.definition("isotretinoin-noa")
        let catalog = ProtocolCatalog(directory: "test", protocols: [definition])
        let program = Program(id: "p1", protocolID: definition.id, protocolVersion: definition.version, name: "P", siteIDs: [])
        let base = VisitDueSpan.fingerprint(catalog: catalog, programs: [program], lookAheadDays: 7)
        #expect(base == VisitDueSpan.fingerprint(catalog: catalog, programs: [program], lookAheadDays: 7))
        var moved = program
        moved.protocolVersion = "9"
        var widened = definition
        widened.schedule[1].windowAfter += 1
        let others = [
            VisitDueSpan.fingerprint(catalog: catalog, programs: [moved], lookAheadDays: 7),
            VisitDueSpan.fingerprint(catalog: catalog, programs: [program], lookAheadDays: 8),
            VisitDueSpan.fingerprint(catalog: ProtocolCatalog(directory: "test", protocols: [widened]), programs: [program], lookAheadDays: 7),
        ]
        #expect(others.allSatisfy { $0 != base } && Set(others).count == 3)
    }
}
