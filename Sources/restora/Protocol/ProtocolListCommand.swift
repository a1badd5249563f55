import ArgumentParser
import Foundation
import RestoraDomain

/// `restora protocol list`: one line per protocol, or a JSON array of summaries; the other loaded versions of
/// a protocol (docs/amendments.md) follow it, marked `current: false`.
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
        var current = true
    }

    mutating func run() async throws {
        let source = self.source, json = output.json
        try await runReportingErrors {
            let catalog = try source.catalog()
            let summaries = catalog.protocols.flatMap { current in
                [Summary(id: current.id, version: current.version, title: current.title, kind: current.kind.rawValue, file: catalog.files[current.id])]
                    + catalog.amendments.filter { $0.id == current.id }.map {
                        Summary(id: $0.id, version: $0.version, title: $0.title, kind: $0.kind.rawValue,
                                file: catalog.amendmentFiles["\($0.id)@\($0.version)"], current: false)
                    }
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
                print("\(padded)  v\(summary.version)  \(summary.kind)  \(summary.title)\(summary.current ? "" : "  (other version, not current)")")
            }
        }
    }
}
