import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports

/// The demo clinic (built once) and its programs as report inputs.
enum ReportFixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func protocols() throws -> [ProtocolDefinition] {
        try ProtocolCatalog.load(directory: repositoryRoot.appendingPathComponent("protocols").path).protocols
    }

    /// Built once per test process: generation is the slow part of these tests.
    static let shared = Result<DemoClinic, any Error> { try DemoClinic.generate(protocols: try protocols()) }

    static func clinic() throws -> DemoClinic { try shared.get() }

    static func dataset(_ protocolID: String, from clinic: DemoClinic) throws -> ProgramDataset {
        let definition = try require(try protocols().first { $0.id == protocolID }, "no protocol \(protocolID)")
        return ProgramDataset(
            definition: definition, programName: clinic.program(protocolID: protocolID)?.name, asOf: clinic.today,
            synthetic: true,
            participants: clinic.participants(protocolID: protocolID).map {
                ProgramParticipantData(record: $0.record, enrolment: $0.enrolment, visits: $0.visits, cellProducts: $0.cellProducts)
            })
    }

    static func report(_ protocolID: String) throws -> StudyReport {
        try StudyReport.build(try dataset(protocolID, from: try clinic()))
    }
}

struct FixtureError: Error { let message: String }

func require<T>(_ value: T?, _ message: String = "missing value") throws -> T {
    guard let value else { throw FixtureError(message: message) }
    return value
}
