import Foundation
import Testing
@testable import RestoraDomain

/// The participant JSON format (docs/participant-format.md): the shipped examples screen as their names say,
/// and malformed files give errors naming the file and the path.
@Suite struct ParticipantFileTests {
    typealias F = ProtocolFixture
    static let screeningDate = F.day("2026-06-01")

    static func example(_ name: String) -> String {
        F.repositoryRoot.appendingPathComponent("examples/participants/\(name).json").path
    }

    @Test(arguments: [
        ("isotretinoin-noa", "eligible", EligibilityReport.Verdict.eligible, [String]()),
        ("isotretinoin-noa", "ineligible", .ineligible, ["phenytoin-or-tetracycline", "elevated-triglycerides"]),
        ("isotretinoin-noa", "incomplete", .incomplete, []),
        ("asc-azoospermia", "eligible", .eligible, []),
        ("asc-azoospermia", "ineligible", .ineligible, ["prior-testicular-surgery"]),
        ("asc-azoospermia", "incomplete", .incomplete, []),
        ("msc-osteoporosis", "eligible", .eligible, []),
        ("msc-osteoporosis", "ineligible", .ineligible, ["anticoagulation"]),
        ("msc-osteoporosis", "incomplete", .incomplete, []),
    ])
    func examplesScreenAsNamed(_ protocolID: String, _ kind: String, _ verdict: EligibilityReport.Verdict,
                               _ failing: [String]) throws {
        let record = try ParticipantRecord.load(file: Self.example("\(protocolID)-\(kind)"))
        let report = EligibilityEngine.screen(record, against: try F.definition(protocolID), on: Self.screeningDate)
        #expect(report.verdict == verdict, "\(report.failing) \(report.missing)")
        #expect(report.failing == failing)
    }

    @Test func timestampsAndPlainDatesBothRead() throws {
        let record = try ParticipantRecord.load(file: Self.example("isotretinoin-noa-eligible"))
        let tg = try #require(record.observations.first { $0.id == "iso-001-tg" })
        #expect(tg.effectiveDate == F.day("2026-05-20"))
        #expect(record.observations.first { $0.id == "iso-001-sa1" }?.specimen?.pelletExamined == true)
    }

    static func problem(_ json: String) -> DocumentProblem? {
        do {
            _ = try ParticipantRecord.decode(json: Data(json.utf8), file: "p.json")
            return nil
        } catch {
            return error.problems.first
        }
    }

    static let minimal = """
    {"participant": {"id": "p", "siteID": "s", "mrn": "m", "sex": "male", "birthDate": "1990-01-01"},
     "observations": [{"id": "o", "participantID": "p", "code": {"system": "loinc", "code": "2571-8"},
                       "value": {"quantity": {"value": 120, "unit": "mg/dL"}}, "effective": "2026-05-01"}]}
    """

    @Test func theMinimalRecordReads() {
        #expect(Self.problem(Self.minimal) == nil)
    }

    @Test(arguments: [
        ("\"birthDate\": \"1990-01-01\"", "\"birthDate\": \"1990-13-01\"", "participant.birthDate", "not a date"),
        ("\"sex\": \"male\"", "\"sex\": \"man\"", "participant.sex", ""),
        ("\"value\": 120", "\"value\": \"120\"", "observations[0].value.quantity.value", "expected a number, found text"),
        ("\"effective\": \"2026-05-01\"", "\"effective\": \"May 1\"", "observations[0].effective", "not a date"),
        ("\"mrn\": \"m\", ", "", "participant", "missing required key 'mrn'"),
        ("{\"quantity\": {\"value\": 120, \"unit\": \"mg/dL\"}}", "{}", "observations[0].value", "exactly one of"),
    ])
    func malformedFieldsNameTheFileAndPath(_ from: String, _ to: String, _ path: String, _ message: String) throws {
        let json = Self.minimal.replacingOccurrences(of: from, with: to)
        #expect(json != Self.minimal)
        let problem = try #require(Self.problem(json))
        #expect(problem.file == "p.json")
        #expect(problem.path == path)
        #expect(message.isEmpty || problem.message.contains(message), "\(problem.message)")
    }

    @Test func brokenJSONSyntaxIsReportedNotCrashed() throws {
        let broken = Self.minimal.replacingOccurrences(of: "\"observations\": [", with: "\"observations\" [")
        #expect(broken != Self.minimal)
        let problem = try #require(Self.problem(broken))
        #expect(problem.file == "p.json")
        #expect(problem.line == 2)
        #expect(problem.description.hasPrefix("p.json:2: (top level): not valid JSON near line 2"))
    }

    @Test func aMissingFileIsNamed() {
        #expect {
            try ParticipantRecord.load(file: "/nonexistent/p.json")
        } throws: { error in
            String(describing: error).contains("/nonexistent/p.json")
        }
    }
}
