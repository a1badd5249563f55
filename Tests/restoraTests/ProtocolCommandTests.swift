import Foundation
import Testing
@testable import restora

/// `restora protocol|screen|schedule` run as a user runs them: the built binary, its exit status, stdout
/// and stderr. Bad input must give a one-line-per-problem error naming the file and path, exit 1, and never
/// a crash or stack trace.
@Suite struct ProtocolCommandTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `restora` binary sits beside the test bundle in the build products directory.
    static func binary() throws -> URL {
        let testProcess = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        var folder = testProcess.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("restora")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw CLIFailure("restora binary not found near \(testProcess.path); build it with `swift build --build-tests`")
    }

    static func run(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["RESTORA_PROTOCOLS_DIR"] = nil
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ contents: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("restora-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(name)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    static func noCrash(_ run: Run) -> Bool {
        !run.stderr.contains("Fatal error") && !run.stderr.contains("Stack dump") && !run.stderr.contains("backtrace")
    }

    @Test func listShowsTheThreeProtocols() throws {
        let run = try Self.run(["protocol", "list"])
        #expect(run.status == 0)
        for id in ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"] { #expect(run.stdout.contains(id)) }
    }

    @Test func unknownProtocolListsTheKnownOnes() throws {
        let run = try Self.run(["protocol", "show", "isotretinoin"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("unknown protocol 'isotretinoin'; known protocols: asc-azoospermia, isotretinoin-noa, isotretinoin-rct, msc-osteoporosis"))
        #expect(Self.noCrash(run))
    }

    @Test func showPrintsTheProtocolAsJSON() throws {
        let run = try Self.run(["protocol", "show", "isotretinoin-noa", "--json"])
        #expect(run.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["id"] as? String == "isotretinoin-noa")
    }

    @Test func validateAcceptsEachShippedProtocol() throws {
        for id in ["isotretinoin-noa", "asc-azoospermia", "msc-osteoporosis"] {
            let run = try Self.run(["protocol", "validate", "protocols/\(id).yaml"])
            #expect(run.status == 0, "\(run.stderr)")
        }
    }

    @Test func validateNamesFileLineAndPathOfAMalformedProtocol() throws {
        let original = try String(contentsOfFile: Self.root.appendingPathComponent("protocols/isotretinoin-noa.yaml").path, encoding: .utf8)
        let broken = original.replacingOccurrences(of: "rule: { age: { min: 21, max: 60 } }", with: "rule: { age: { min: adult, max: 60 } }")
        #expect(broken != original)
        let file = try Self.temporaryFile("isotretinoin-noa.yaml", broken)
        let run = try Self.run(["protocol", "validate", file])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(file):"))
        #expect(run.stderr.contains("inclusion[0].rule.age.min: expected a number"))
        #expect(Self.noCrash(run))
    }

    @Test func screenPrintsTheVerdictAsJSON() throws {
        let run = try Self.run(["screen", "--protocol", "asc-azoospermia", "--participant",
                                "examples/participants/asc-azoospermia-ineligible.json", "--on", "2026-06-01", "--json"])
        #expect(run.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(object?["verdict"] as? String == "ineligible")
        #expect(object?["failing"] as? [String] == ["prior-testicular-surgery"])
    }

    @Test func screenNamesFileAndPathOfAMalformedParticipant() throws {
        let file = try Self.temporaryFile("candidate.json", """
        {"participant": {"id": "p", "siteID": "s", "mrn": "m", "sex": "male", "birthDate": "15/03/1988"}}
        """)
        let run = try Self.run(["screen", "--protocol", "isotretinoin-noa", "--participant", file, "--on", "2026-06-01"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(file): participant.birthDate: '15/03/1988' is not a date"))
        #expect(Self.noCrash(run))
    }

    @Test func screenRefusesABadDate() throws {
        let run = try Self.run(["screen", "--protocol", "isotretinoin-noa", "--participant",
                                "examples/participants/isotretinoin-noa-eligible.json", "--on", "2026-02-30"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("--on: '2026-02-30' is not a date"))
    }

    @Test func scheduleShowsStatesAndRefusesAnUnknownVisitKey() throws {
        let good = try Self.temporaryFile("visits.json", #"{"month-1": "2026-01-30"}"#)
        let run = try Self.run(["schedule", "--protocol", "isotretinoin-noa", "--start", "2026-01-01",
                                "--today", "2026-02-23", "--visits", good, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"completed-in-window\""))
        let bad = try Self.temporaryFile("visits.json", #"{"month-01": "2026-01-30"}"#)
        let refused = try Self.run(["schedule", "--protocol", "isotretinoin-noa", "--start", "2026-01-01", "--visits", bad])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("unknown visit 'month-01'"))
        let malformed = try Self.temporaryFile("visits.json", #"{"month-1": "yesterday"}"#)
        let unreadable = try Self.run(["schedule", "--protocol", "isotretinoin-noa", "--start", "2026-01-01", "--visits", malformed])
        #expect(unreadable.status == 1)
        #expect(unreadable.stderr.contains("month-1: 'yesterday' is neither a date"))
    }

    @Test func commandsAreRegistered() {
        let names = Restora.configuration.subcommands.map { $0.configuration.commandName }
        #expect(names.contains("protocol") && names.contains("screen") && names.contains("schedule"))
    }
}

/// `restora protocol validate` of a new version lists what changed against the previous one (docs/amendments.md).
@Suite struct ProtocolValidateChangesTests {
    @Test func aNewVersionListsItsChangesAgainstThePreviousFile() throws {
        let original = try String(contentsOf: ProtocolCommandTests.root.appendingPathComponent("protocols/isotretinoin-noa.yaml"), encoding: .utf8)
        let amended = original.replacingOccurrences(of: "version: \"1.0\"", with: "version: \"1.1\"")
            .replacingOccurrences(of: "{ key: month-1, title: Month 1, day: 30, windowBefore: 7, windowAfter: 7,",
                                  with: "{ key: month-1, title: Month 1, day: 30, windowBefore: 7, windowAfter: 10,")
        let file = try ProtocolCommandTests.temporaryFile("isotretinoin-noa@1.1.yaml", amended)
        try original.write(toFile: (file as NSString).deletingLastPathComponent + "/isotretinoin-noa.yaml", atomically: true, encoding: .utf8)
        let run = try ProtocolCommandTests.run(["protocol", "validate", file])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("changes against v1.0 (1):"), "\(run.stdout)")
        #expect(run.stdout.contains("changed schedule month-1: Month 1, day 30 (window -7/+10): windowAfter"), "\(run.stdout)")
        let json = try ProtocolCommandTests.run(["protocol", "validate", file, "--json"])
        #expect(json.status == 0 && json.stdout.contains("\"kind\" : \"changed\"") && json.stdout.contains("\"from\" : \"1.0\""), "\(json.stdout)")
        // The same file is its own previous version: nothing changed.
        let same = try ProtocolCommandTests.run(["protocol", "validate", file, "--previous", file])
        #expect(same.status == 0 && same.stdout.contains("no change against v1.1"), "\(same.stdout)")
    }
}

/// A configured CTCAE term sheet that cannot be read stops every command that loads protocols, naming the
/// setting and the file (no crash, no silent fall-back to the shipped subset; docs/safety.md).
@Suite struct CTCAETermSheetConfigurationTests {
    @Test func unreadableSheetIsRefusedByName() throws {
        let source = try ProtocolSource.parse([])
        do {
            _ = try source.catalog(environment: ["RESTORA_CTCAE_TERMS_CSV": "/nonexistent/ctcae.csv"])
            Issue.record("loaded the protocols with an unreadable term sheet")
        } catch let failure as CLIFailure {
            #expect(failure.message == "RESTORA_CTCAE_TERMS_CSV: /nonexistent/ctcae.csv is not a readable CTCAE v5.0 sheet export (CSV)")
        }
        #expect(try !source.catalog(environment: [:]).protocols.isEmpty)
    }
}
