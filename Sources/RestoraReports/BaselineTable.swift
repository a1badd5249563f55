import RestoraDomain

/// Baseline characteristics of the analysed participants, from what the record held on day 0.
public struct BaselineTable: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var label: String
        public var value: String
        /// Participants with a value (the rest are missing).
        public var n: Int
    }

    public var population: Int
    public var rows: [Row]

    static func compute(_ analysed: some Collection<ProgramParticipantData>, semen: [SemenOutcome]) -> ReportSection<BaselineTable> {
        guard !analysed.isEmpty else { return ReportSection(unavailable: "no participants analysed") }
        var rows: [Row] = []
        let n = analysed.count
        let ages = analysed.compactMap { p in p.dayZero.map { Double(p.record.participant.age(on: $0)) } }
        rows.append(Row(label: "Age, years, median (IQR) [range]", value: summary(ages, places: 0), n: ages.count))
        let sexes = analysed.reduce(into: [String: Int]()) { $0[$1.record.participant.sex.rawValue, default: 0] += 1 }
        rows.append(Row(label: "Sex", value: sexes.keys.sorted().map { "\($0) \(count(sexes[$0] ?? 0, of: n))" }
                        .joined(separator: "; "), n: n))
        if !semen.isEmpty {
            let diagnoses = Dictionary(grouping: semen.compactMap(\.diagnosis), by: { $0 })
            if !diagnoses.isEmpty {
                rows.append(Row(label: "Diagnosis at screening (WHO classification of the screening samples)",
                                value: diagnoses.keys.sorted().map { "\($0) \(count(diagnoses[$0]?.count ?? 0, of: n))" }
                                    .joined(separator: "; "), n: diagnoses.values.reduce(0) { $0 + $1.count }))
            }
            let retrieval = analysed.count { p in
                p.record.participant.history.contains { $0.kind == .procedure && $0.code?.sameConcept(as: ReportCodes.spermRetrieval) == true }
                    || p.record.procedures.contains { $0.kind == .spermRetrieval }
            }
            rows.append(Row(label: "Prior sperm retrieval", value: count(retrieval, of: n), n: n))
            let histology = Dictionary(grouping: semen, by: { SemenOutcome.histologyName($0.histology) })
            rows.append(Row(label: "Testicular histology (REFERENCE.md B5)",
                            value: histology.keys.sorted().map { "\($0) \(count(histology[$0]?.count ?? 0, of: n))" }
                                .joined(separator: "; "), n: n))
            let fsh = semen.compactMap(\.baselineFSH)
            if !fsh.isEmpty { rows.append(Row(label: "FSH, IU/L, median (IQR) [range]", value: summary(fsh, places: 1), n: fsh.count)) }
            let volume = semen.compactMap(\.testicularVolume)
            if !volume.isEmpty {
                rows.append(Row(label: "Testicular volume, mL (mean of both sides), median (IQR) [range]",
                                value: summary(volume, places: 1), n: volume.count))
            }
        }
        rows += BoneDensitySection.baselineRows(analysed)
        return ReportSection(BaselineTable(population: n, rows: rows))
    }

    static func count(_ k: Int, of n: Int) -> String {
        "\(k) (\(ReportNumber.percent(Double(k) / Double(max(n, 1)), places: 0)))"
    }

    static func summary(_ values: [Double], places: Int) -> String {
        guard let median = ReportNumber.median(values), let q1 = ReportNumber.quantile(values, 0.25),
              let q3 = ReportNumber.quantile(values, 0.75), let lo = values.min(), let hi = values.max() else {
            return "not recorded"
        }
        let f = { ReportNumber.fixed($0, places: places) }
        // "to" rather than a dash: ranges of negative values (T-scores) stay readable.
        return "\(f(median)) (\(f(q1)) to \(f(q3))) [\(f(lo)) to \(f(hi))]"
    }
}
