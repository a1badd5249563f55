import Foundation
import RestoraDomain
import RestoraReports

/// A code the protocol's schedule collects, as a column of the wide table and an item of the ODM visit forms.
struct ScheduledCode {
    var coding: Coding
    /// The assessment (protocol `assessments` id) that first names the code in the schedule.
    var assessment: String
    /// The column name: `<system>_<code>` in lower case with every other character an underscore ("loinc_3160_9").
    var variable: String
    var label: String
    /// LOINC codes are the quantitative tests of REFERENCE.md F1: a number column. Local (`restora`) codes may
    /// be coded, yes/no or text: a text column holding the value as text.
    var numeric: Bool

    /// The codes of the assessments the schedule collects, in schedule order, each once (same system and code).
    static func of(_ definition: ProtocolDefinition) -> [ScheduledCode] {
        var seen = Set<String>()
        var names = Set<String>()
        var codes: [ScheduledCode] = []
        for visit in definition.schedule {
            for id in visit.collect {
                guard let assessment = definition.assessment(id: id) else { continue }
                for coding in assessment.codes where seen.insert(coding.description).inserted {
                    var name = variableName(coding)
                    while !names.insert(name).inserted { name += "_" }
                    codes.append(ScheduledCode(
                        coding: coding, assessment: assessment.id, variable: name,
                        label: "\(coding.display ?? coding.code) (\(coding.system.rawValue) \(coding.code))",
                        numeric: coding.system == .loinc))
                }
            }
        }
        return codes
    }

    static func variableName(_ coding: Coding) -> String {
        let raw = "\(coding.system.rawValue)_\(coding.code)".lowercased()
        return String(raw.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// The value as the wide column holds it; nil when it does not fit a numeric column (then the value is in
    /// the long table only).
    func cell(_ value: ObservationValue) -> ExportValue? {
        if numeric { return value.number.map { .number($0) } }
        switch value {
        case .quantity(let q): return .text(NumberText.plain(q.value))
        case .integer(let i): return .text(String(i))
        case .coded(let c): return .text(c.code)
        case .boolean(let b): return .text(b ? "Y" : "N")
        case .text(let t): return .text(t)
        }
    }
}

/// The wide per-visit table of a program: one row per subject per visit record, one value column (and one unit
/// column) per code the protocol's schedule collects, known from the protocol definition before any data is
/// read. A code the schedule does not name stays in the long `observations` table only; when a visit holds two
/// values of one code, the row holds the latest (by measurement time, then by stored order) and the long table
/// holds both. Observations recorded at no visit are in the long table only.
struct VisitsWideTable {
    let spec: DatasetSpec
    let codes: [ScheduledCode]
    private let titles: [String: String]
    /// The position in `codes` of each scheduled concept (system and code: `Coding.sameConcept`).
    private let columns: [Concept: Int]

    /// A code as a concept: what `Coding.sameConcept` compares, and nothing else.
    private struct Concept: Hashable {
        let system: CodeSystem
        let code: String
        init(_ coding: Coding) {
            system = coding.system
            code = coding.code
        }
    }

    init(context: ExportContext) {
        codes = ScheduledCode.of(context.definition)
        columns = Dictionary(codes.enumerated().map { (Concept($1.coding), $0) }, uniquingKeysWith: { first, _ in first })
        titles = Dictionary(context.definition.schedule.map { ($0.key, $0.title) }, uniquingKeysWith: { a, _ in a })
        var variables = [
            VariableSpec(name: "subject", label: ProgramTables.subjectLabel, dataType: .text, origin: "Collected"),
            VariableSpec(name: "visit", label: "Visit key of the schedule", dataType: .text, codelist: "visit",
                         codes: context.definition.schedule.map { .init($0.key, $0.title) }, origin: "Collected"),
            VariableSpec(name: "visit_title", label: "Visit title in the protocol", dataType: .text, origin: "Protocol"),
            VariableSpec(name: "planned_day", label: "Planned day (protocol day offset from day 0)", dataType: .integer, origin: "Protocol"),
            VariableSpec(name: "date", label: "Actual date of the visit", dataType: .date, origin: "Collected"),
            VariableSpec(name: "study_day", label: "Study day of the visit", dataType: .integer, origin: "Derived",
                         derivation: ProgramTables.studyDayDerivation),
            VariableSpec(name: "status", label: "Visit status", dataType: .text, codelist: "visit_status",
                         codes: enumerationCodes(Visit.Status.self), origin: "Collected"),
        ]
        for code in codes {
            variables.append(VariableSpec(
                name: code.variable, label: code.label, dataType: code.numeric ? .float : .text, origin: "Collected",
                derivation: "The latest value of \(code.coding.system.rawValue) \(code.coding.code) recorded at the visit"
                    + (code.numeric ? "" : " as text (number with a dot, code, Y/N or words)")))
            variables.append(VariableSpec(
                name: code.variable + "_unit", label: "UCUM unit of \(code.variable)", dataType: .text, origin: "Collected"))
        }
        spec = DatasetSpec(
            name: Self.name(context.program), label: "Values per visit (wide) of \(context.program.name)",
            structure: "One record per subject per visit", keys: ["subject", "visit"], variables: variables)
    }

    /// `<program id>_visits_wide`, with any character outside letters, digits, '-', '_' and '.' an underscore.
    static func name(_ program: Program) -> String {
        let id = String(program.id.rawValue.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        return "\(id)_visits_wide"
    }

    func rows(_ participant: ExportParticipant) -> [[ExportValue]] {
        var rows: [[ExportValue]] = []
        forEachRow(participant) { rows.append($0) }
        return rows
    }

    /// The rows one at a time in one reused row array. Each observation recorded at a visit is looked at once:
    /// its code finds its column (`columns`), where it replaces an earlier-or-equal value (the same result as
    /// `latest` per code).
    func forEachRow(_ participant: ExportParticipant, _ body: ([ExportValue]) throws -> Void) rethrows {
        var byVisit: [Identifier<Visit>: [Observation]] = [:]
        for observation in participant.data.record.observations {
            if let visit = observation.visitID { byVisit[visit, default: []].append(observation) }
        }
        var row: [ExportValue] = []
        row.reserveCapacity(spec.variables.count)
        var latest = [Observation?](repeating: nil, count: codes.count)
        for visit in participant.data.visits {
            row.removeAll(keepingCapacity: true)
            row += [
                .text(participant.subjectID), .text(visit.visitKey), .text(titles[visit.visitKey]), .integer(visit.plannedDay),
                .text(participant.dateText(visit.actualDate)),
                .integer(participant.studyDay(visit.actualDate, reference: participant.dayZero)),
                .text(visit.status.rawValue),
            ]
            for index in latest.indices { latest[index] = nil }
            for observation in byVisit[visit.id] ?? [] {
                guard let column = columns[Concept(observation.code)] else { continue }
                if let current = latest[column], observation.effective < current.effective { continue }
                latest[column] = observation
            }
            for (index, code) in codes.enumerated() {
                let value = latest[index]
                row.append(value.flatMap { code.cell($0.value) } ?? .missing)
                row.append(.text(value?.value.quantity?.unit))
            }
            try body(row)
        }
    }

    /// The latest observation of `coding` (by time; the later one in stored order on a tie).
    static func latest(_ observations: [Observation], of coding: Coding) -> Observation? {
        var latest: Observation?
        for observation in observations where observation.code.sameConcept(as: coding) {
            if latest == nil || observation.effective >= latest!.effective { latest = observation }
        }
        return latest
    }
}
