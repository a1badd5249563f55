import ArgumentParser
import Foundation
import RestoraDomain

/// `restora protocol list`: one line per protocol, or a JSON array of summaries.
struct ProtocolListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the known protocols.")

    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    struct Summary: Encodable {
        let id: String
        let version: String
        let title: String
        let kind: String
        let file: String?
    }

    mutating func run() async throws {
        let source = self.source, json = output.json
        try await runReportingErrors {
            let catalog = try source.catalog()
            let summaries = catalog.protocols.map {
                Summary(id: $0.id, version: $0.version, title: $0.title, kind: $0.kind.rawValue, file: catalog.files[$0.id])
            }
            if json {
                try CLIOutput.printJSON(summaries)
                return
            }
            guard !summaries.isEmpty else {
                print("No protocols in \(catalog.directory).")
                return
            }
            let width = summaries.map(\.id.count).max() ?? 0
            for summary in summaries {
                let padded = summary.id.padding(toLength: width, withPad: " ", startingAt: 0)
                print("\(padded)  v\(summary.version)  \(summary.kind)  \(summary.title)")
            }
        }
    }
}
