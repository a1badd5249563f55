import ArgumentParser
import RestoraDomain

/// `restora protocol show <id>`: the whole protocol, readable, or as JSON with `--json`.
struct ProtocolShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one protocol.")

    @Argument(help: "The protocol id (see `restora protocol list`).")
    var id: String

    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let source = self.source, json = output.json, id = self.id
        try await runReportingErrors {
            let definition = try source.definition(id: id)
            if json {
                try CLIOutput.printJSON(definition)
            } else {
                print(ProtocolText.render(definition))
            }
        }
    }
}
