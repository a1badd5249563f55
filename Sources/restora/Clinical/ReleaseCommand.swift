import ArgumentParser
import Foundation
import RestoraDomain

/// `restora release --product lot.json [--protocol <id>]`: the release decision for a cell-product lot,
/// every criterion listed (REFERENCE.md D2). Exits 0 whatever the decision; a bad file or id exits 1.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Decide release of a cell-product lot against ISCT 2006 defaults or a protocol's release specification.")

    @Option(help: "The lot as JSON: a CellProduct, or just its release-test results (docs/clinical-rules.md).")
    var product: String
    @Option(name: .customLong("protocol"), help: "Use this protocol's release specification instead of the built-in defaults.")
    var protocolID: String?

    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let command = self
        try await runReportingErrors {
            let (lot, results) = try ReleaseCommand.load(command.product)
            var specification = ReleaseSpecification.isct2006Default
            var origin = "built-in ISCT 2006 defaults (REFERENCE.md D2)"
            if let id = command.protocolID {
                let definition = try command.source.definition(id: id)
                guard let release = definition.release else {
                    throw CLIFailure("protocol '\(id)' defines no release specification")
                }
                specification = release
                origin = "protocol \(id)"
            }
            let decision = try ClinicalCLI.rule { try specification.evaluate(results, specificationSource: origin) }
            if command.output.json {
                try CLIOutput.printJSON(decision)
            } else {
                print(ReleaseText.render(decision, lot: lot))
            }
        }
    }

    /// Accepts a whole `CellProduct` (its own viability fills a missing test value) or bare `ReleaseTestResults`.
    static func load(_ path: String) throws -> (lot: String?, results: ReleaseTestResults) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIFailure("--product: cannot read '\(path)'")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        // A whole lot names its lot or carries `releaseTests`; anything else is read as bare test results, so
        // a mistake is reported against the shape the file was meant to have.
        let keys = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]).map { Set($0.keys) } ?? []
        do {
            if !keys.isDisjoint(with: ["lot", "releaseTests", "id", "participantID"]) {
                let product = try decoder.decode(CellProduct.self, from: data)
                var results = product.releaseTests
                if results.viabilityPercent == nil { results.viabilityPercent = product.viabilityPercent }
                return (product.lot, results)
            }
            return (nil, try decoder.decode(ReleaseTestResults.self, from: data))
        } catch let error as DecodingError {
            if let syntax = DocumentProblem.jsonSyntax(data, file: path) { throw CLIFailure("--product: \(syntax.description)") }
            throw CLIFailure("--product: " + DocumentProblem(decodingError: error, file: path).description)
        }
    }
}

enum ReleaseText {
    static func render(_ d: ReleaseDecision, lot: String?) -> String {
        var lines = ["Lot \(lot ?? "(unnamed)") — \(d.outcome == .cannotDecide ? "CANNOT DECIDE" : d.outcome.rawValue.uppercased())", "Specification: \(d.specificationSource)", ""]
        for c in d.criteria {
            let mark = switch c.status { case .pass: "pass"; case .fail: "FAIL"; case .missing: "missing" }
            var line = "  [\(mark)] \(c.criterion): \(c.observed ?? "–") (requires \(c.requirement))"
            if let note = c.note { line += " — \(note)" }
            lines.append(line)
        }
        lines.append("")
        lines.append(d.summary)
        return lines.joined(separator: "\n")
    }
}
