import Foundation
import Testing
@testable import RestoraDomain

/// Malformed protocol YAML gives problems that name the file, the path and the line.
@Suite struct ProtocolErrorTests {
    /// A small valid protocol; each test breaks one line of it.
    static let valid = """
    id: tiny
    version: "1"
    title: Tiny
    kind: drug-course
    arms:
      - { id: a, title: A, interventions: [drug] }
    interventions:
      - id: drug
        title: Drug
        drug:
          drug: { system: rxnorm, code: "6064" }
          dose: { value: 20, unit: mg }
          route: oral
          timesPerDay: 2
          durationWeeks: 26
    inclusion:
      - id: age
        text: Adult
        rule:
          age:
            min: 21
            max: 60
    assessments:
      - { id: lab, title: Lab, codes: [{ system: loinc, code: 2571-8 }] }
    schedule:
      - { key: v1, title: V1, day: 0, windowBefore: 0, windowAfter: 3, collect: [lab] }
      - { key: v2, title: V2, day: 30, windowBefore: 7, windowAfter: 7, collect: [lab] }
    endpoints:
      primary:
        - { id: e, title: E }
    """

    static func problems(_ yaml: String) -> [DocumentProblem] {
        do {
            _ = try ProtocolDocument.parse(yaml: yaml, file: "protocols/tiny.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func theBaseFileIsValid() {
        #expect(Self.problems(Self.valid).isEmpty)
    }

    @Test func aWrongTypeNamesThePathAndLine() throws {
        let problems = Self.problems(Self.valid.replacingOccurrences(of: "min: 21", with: "min: twenty"))
        let problem = try #require(problems.first)
        #expect(problem.file == "protocols/tiny.yaml")
        #expect(problem.path == "inclusion[0].rule.age.min")
        #expect(problem.line == 21)
        #expect(problem.description == "protocols/tiny.yaml:21: inclusion[0].rule.age.min: expected a number, found \"twenty\"")
    }

    @Test func anUnknownRuleKindListsTheKnownKinds() throws {
        let problem = try #require(Self.problems(Self.valid.replacingOccurrences(of: "      age:\n", with: "      agee:\n")).first)
        #expect(problem.path == "inclusion[0].rule.agee")
        #expect(problem.message.contains("unknown rule kind 'agee'"))
        #expect(problem.message.contains("age, sex, postmenopausal, diagnosis, latest, count"))
    }

    @Test func aMissingKeyNamesItsParent() throws {
        let problem = try #require(Self.problems(Self.valid.replacingOccurrences(of: "      route: oral\n", with: "")).first)
        #expect(problem.path == "interventions[0].drug")
        #expect(problem.message == "missing required key 'route'")
        #expect(problem.line == 11)
    }

    @Test func aMisspeltTopLevelKeyIsRefused() throws {
        let problem = try #require(Self.problems(Self.valid.replacingOccurrences(of: "inclusion:", with: "inclusoin:")).first)
        #expect(problem.message.contains("inclusoin"))
    }

    @Test func aYAMLSyntaxErrorGivesItsLine() throws {
        let problem = try #require(Self.problems(Self.valid.replacingOccurrences(of: "title: Tiny", with: "title: [Tiny")).first)
        #expect(problem.message.hasPrefix("not valid YAML"))
        #expect(problem.line != nil)
    }

    @Test(arguments: [
        ("windowAfter: 3", "windowAfter: -3", "schedule[0].windowAfter", "must not be negative"),
        ("day: 30", "day: 0", "schedule[1].day", "day offsets must increase"),
        ("day: 30", "day: 9", "schedule[1].windowBefore", "overlaps 'v1'"),
        ("collect: [lab] }\n  - { key: v2", "collect: [labs] }\n  - { key: v2", "schedule[0].collect[0]", "unknown assessment 'labs'"),
        ("min: 21", "min: 70", "inclusion[0].rule.age.min", "min 70 is above max 60"),
        ("code: 2571-8", "code: \"\"", "assessments[0].codes[0].code", "must not be empty"),
        ("interventions: [drug]", "interventions: [drugs]", "arms[0].interventions[0]", "unknown intervention 'drugs'"),
        ("  primary:\n    - { id: e, title: E }", "  primary: []", "endpoints.primary", "at least one primary endpoint"),
    ])
    func semanticChecksNameThePath(_ from: String, _ to: String, _ path: String, _ message: String) throws {
        let broken = Self.valid.replacingOccurrences(of: from, with: to)
        #expect(broken != Self.valid, "the test edits the file")
        let problems = Self.problems(broken)
        #expect(problems.contains { $0.path == path && $0.message.contains(message) && $0.line != nil }, "\(problems)")
    }

    @Test func aDuplicateCriterionIdIsRefused() {
        let yaml = Self.valid.replacingOccurrences(of: "assessments:", with: """
        exclusion:
          - { id: age, text: Again, rule: { sex: [female] } }
        assessments:
        """)
        #expect(Self.problems(yaml).contains { $0.message.contains("criterion id 'age' is used more than once") })
    }

    @Test func theCatalogReportsTheFileOfABadProtocol() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-proto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("tiny.yaml")
        try Self.valid.replacingOccurrences(of: "max: 60", with: "max: sixty").write(to: file, atomically: true, encoding: .utf8)
        #expect {
            try ProtocolCatalog.load(directory: folder.path)
        } throws: { error in
            let text = String(describing: error)
            return text.contains(file.path + ":22: inclusion[0].rule.age.max")
        }
    }
}
