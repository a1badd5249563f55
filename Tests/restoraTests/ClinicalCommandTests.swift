import Foundation
import Testing
@testable import restora
import RestoraDomain

/// Flag parsing of the clinical commands (docs/clinical-rules.md); the rules themselves are tested in
/// RestoraDomainTests.
@Suite("Clinical CLI parsing")
struct ClinicalCommandTests {
    @Test func semenFlagsBuildTheAnalysis() throws {
        let command = try InterpretSemenCommand.parse([
            "--volume", "3", "--concentration", "0", "--pellet", "no-sperm",
            "--centrifugation-g", "1000", "--centrifugation-minutes", "15", "--edition", "5",
        ])
        let sample = try command.analysis()
        #expect(sample.volumeML == 3)
        #expect(sample.pellet == PelletExamination(examined: true, finding: .noSperm, centrifugationG: 1000, centrifugationMinutes: 15))
        #expect(WHOEdition(flexible: command.edition) == .fifth2010)
        #expect(try sample.interpret().azoospermia?.confirmed == true)
    }

    @Test func spinWithoutPelletIsRefused() throws {
        let command = try InterpretSemenCommand.parse(["--concentration", "0", "--centrifugation-g", "3000"])
        #expect(throws: CLIFailure.self) { try command.analysis() }
    }

    @Test func dxaSitesAndFractureFlag() throws {
        let command = try InterpretDXACommand.parse([
            "--sex", "female", "--age", "62", "--menopause", "post",
            "--bmd", "fn=0.53", "--t-score", "lumbar-spine=-1.8", "--no-fragility-fracture",
        ])
        let exam = try command.exam()
        #expect(exam.sites.map(\.site) == [.lumbarSpine, .femoralNeck])
        #expect(exam.fragilityFracture == false)
        let diagnosis = try exam.diagnose()
        #expect(diagnosis.category == .osteoporosis)
        #expect(NumberText.rounded(try #require(diagnosis.lowestScore), places: 2) == "-2.73")
    }

    @Test func dxaChangeUsesGivenPrecision() throws {
        let command = try InterpretDXACommand.parse([
            "--sex", "male", "--age", "70", "--bmd", "ls=0.9", "--previous-bmd", "ls=0.93", "--precision", "ls=0.01",
        ])
        let changes = try command.changes(current: try command.exam())
        #expect(changes.map(\.verdict) == [.significantLoss])   // −0.03 ≥ LSC 0.0277 g/cm²
    }

    @Test(arguments: ["--bmd=spleen=0.5", "--bmd=fn", "--bmd=fn=abc"])
    func badSiteValuesAreRefused(flag: String) throws {
        let command = try InterpretDXACommand.parse(["--sex", "male", "--age", "70", flag])
        #expect(throws: CLIFailure.self) { try command.exam() }
    }

    @Test func gradeCommandParses() throws {
        let command = try GradeCommand.parse(["alt", "--value", "130", "--unit", "U/L", "--uln", "40", "--baseline", "normal"])
        #expect(command.term == "alt")
        #expect(command.uln == 40)
    }
}

/// `restora release` reads a whole CellProduct or bare release-test results (examples/clinical/).
@Suite("Release CLI input")
struct ReleaseCommandTests {
    static func example(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/clinical/\(name)").path
    }

    @Test(arguments: [("msc-lot-pass.json", ReleaseDecision.Outcome.released, String?.some("MSC-2026-0001")),
                      ("msc-lot-fail.json", .rejected, nil),
                      ("msc-lot-incomplete.json", .cannotDecide, nil)])
    func examplesDecideAsDocumented(file: String, outcome: ReleaseDecision.Outcome, lot: String?) throws {
        let (readLot, results) = try ReleaseCommand.load(Self.example(file))
        #expect(readLot == lot)
        #expect(try ReleaseSpecification.isct2006Default.evaluate(results).outcome == outcome)
    }

    @Test func failingExampleNamesEveryFailure() throws {
        let (_, results) = try ReleaseCommand.load(Self.example("msc-lot-fail.json"))
        let decision = try ReleaseSpecification.isct2006Default.evaluate(results)
        #expect(decision.failed.map(\.criterion) == ["identity CD90", "identity CD45", "viability"])
        #expect(decision.missing.map(\.criterion) == ["mycoplasma"])
    }

    /// Issue #19: a bad lot file is explained by its field path and what was expected, never by a Swift type or
    /// `CodingKeys(…)`; a whole lot's mistake is reported against the lot's shape.
    @Test(arguments: [
        (#"{"viabilityPercent": "high"}"#, "missing required key 'markersPercent'"),
        (#""CD73": "many""#, "releaseTests.markersPercent.CD73: expected a number, found text"),
        (#""lot": 7"#, "lot: expected text, found a number"),
        (#"[1,2"#, "not valid JSON"),
    ])
    func badProductNamesTheFieldInPlainWords(json: String, expected: String) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("restora-lot-\(UUID().uuidString).json")
        // A fragment edits the passing example lot; a whole document is written as is.
        let pass = try String(contentsOfFile: Self.example("msc-lot-pass.json"), encoding: .utf8)
        let text = json.hasPrefix("\"CD73\"") ? pass.replacingOccurrences(of: #""CD73": 99.1"#, with: json)
            : json.hasPrefix("\"lot\"") ? pass.replacingOccurrences(of: #""lot": "MSC-2026-0001""#, with: json) : json
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            _ = try ReleaseCommand.load(file.path)
            Issue.record("accepted \(json)")
        } catch let failure as CLIFailure {
            let message = failure.description
            #expect(message.contains(expected), "\(message)")
            for swift in ["CodingKeys", "stringValue", "Double", "Dictionary", "Swift."] {
                #expect(!message.contains(swift), "\(message)")
            }
        }
    }

    @Test func unreadableProductIsAOneLineFailure() {
        #expect(throws: CLIFailure.self) { try ReleaseCommand.load("/nonexistent/lot.json") }
    }
}
