import RestoraDomain

/// Adverse events by CTCAE v5.0 term (REFERENCE.md E1): participants with the term and their worst grade.
public struct SafetyTable: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var term: String
        public var participants: Int
        public var percent: Double
        /// Participants by their worst grade for this term, grades 1–5.
        public var worstGrade: [Int]
        public var serious: Int
        public var text: String
    }

    public var population: Int
    public var rows: [Row]
    public var participantsWithAnyEvent: Int
    public var seriousEvents: Int
    public var discontinuedForAdverseEvent: Int

    static func compute(_ treated: some Collection<ProgramParticipantData>) -> ReportSection<SafetyTable> {
        guard !treated.isEmpty else {
            return ReportSection(unavailable: "no participant has started treatment, so there is no safety population")
        }
        // Per term and participant only the worst grade and whether any event was serious: the events
        // themselves are not copied (at 10^5 participants the copies cost about 70 MB, issue #13).
        var byTerm: [String: [String: (worst: Int, serious: Bool)]] = [:]
        var seriousEvents = 0
        for p in treated {
            for event in p.record.adverseEvents {
                let term = CTCAETerm(displayName: event.term)?.displayName ?? event.term
                let id = p.record.participant.id.rawValue
                var person = byTerm[term]?[id] ?? (worst: event.grade, serious: false)
                person.worst = max(person.worst, event.grade)
                person.serious = person.serious || event.isSerious
                byTerm[term, default: [:]][id] = person
                if event.isSerious { seriousEvents += 1 }
            }
        }
        let n = treated.count
        let rows = byTerm.map { term, people -> Row in
            var grades = [Int](repeating: 0, count: 5)
            for person in people.values { grades[min(max(person.worst, 1), 5) - 1] += 1 }
            let serious = people.values.count(where: \.serious)
            let share = Double(people.count) / Double(n)
            return Row(term: term, participants: people.count, percent: share, worstGrade: grades, serious: serious,
                       text: "\(people.count) (\(ReportNumber.percent(share, places: 0)))")
        }.sorted { ($0.participants, $1.term) > ($1.participants, $0.term) }
        let table = SafetyTable(
            population: n, rows: rows,
            participantsWithAnyEvent: treated.count { !$0.record.adverseEvents.isEmpty },
            seriousEvents: seriousEvents,
            discontinuedForAdverseEvent: treated.count { p in
                p.record.adverseEvents.contains { $0.actionTaken == .drugWithdrawn }
            })
        return ReportSection(table, notes: rows.isEmpty ? ["no adverse events recorded among \(n) treated participants"] : [])
    }
}
