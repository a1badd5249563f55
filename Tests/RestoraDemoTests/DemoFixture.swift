import Foundation
import RestoraDemo
import RestoraDomain

/// The repository's protocols and the demo clinic built from them once per test process.
enum DemoFixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func protocols() throws -> [ProtocolDefinition] {
        try ProtocolCatalog.load(directory: repositoryRoot.appendingPathComponent("protocols").path).protocols
    }

    /// The default clinic is built once per test process; other seeds are built on demand.
    static let shared = Result<DemoClinic, any Error> { try DemoClinic.generate(protocols: try protocols()) }

    static func clinic(seed: UInt64 = DemoClinic.defaultSeed) throws -> DemoClinic {
        seed == DemoClinic.defaultSeed ? try shared.get() : try DemoClinic.generate(protocols: try protocols(), seed: seed)
    }
}

/// Questions asked of the generated records with the domain's own rules (never the generator's plan).
extension DemoParticipant {
    var wasEnrolled: Bool { enrolment.transitions.contains { $0.to == .enrolled } }

    var dayZero: CalendarDate? {
        enrolment.transitions.first { $0.to == .onTreatment }.map { CalendarDate($0.at) }
    }

    /// Semen analyses rebuilt from the stored observations, grouped by panel, oldest first.
    func semenAnalyses() throws -> [(date: CalendarDate, visit: Visit?, analysis: SemenAnalysis, recorded: String?)] {
        let panels = Dictionary(grouping: record.observations.filter { $0.specimen?.type == "semen" }) { $0.panelID ?? "" }
        return try panels.values.map { observations in
            let analysis = try SemenAnalysis(observations: observations)
            let first = observations[0]
            let recorded = observations.first { $0.code.code == "semen-classification" }?.value.coding?.code
            return (first.effectiveDate, visits.first { $0.id == first.visitID }, analysis, recorded)
        }.sorted { $0.date < $1.date }
    }

    /// Responder: motile sperm in the ejaculate (domain rule) on at least two on-treatment samples;
    /// returns the planned day of the first such visit.
    func firstResponseDay() throws -> Int? {
        guard let start = dayZero else { return nil }
        let positive = try semenAnalyses().filter { $0.date > start && $0.analysis.motileSpermInEjaculate == .present }
        guard positive.count >= 2 else { return nil }
        return positive[0].visit?.plannedDay
    }

    func histology() -> String? {
        record.observations.first { $0.code.code == "testicular-histology" }?.value.coding?.code
    }
}
