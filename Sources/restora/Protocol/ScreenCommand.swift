import ArgumentParser
import RestoraDomain

/// `restora screen --protocol <id> --participant <file.json> [--on <date>]`: eligibility criterion by
/// criterion with the evidence used. Exits 0 whatever the verdict; a bad file or id exits 1.
struct ScreenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Screen a participant record (JSON, docs/participant-format.md) against a protocol's criteria.")

    @Option(name: .customLong("protocol"), help: "The protocol id.")
    var protocolID: String

    @Option(help: "The participant record JSON file.")
    var participant: String

    @Option(help: "Screening date, YYYY-MM-DD (default: today, UTC).")
    var on: String?

    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let source = self.source, json = output.json, protocolID = self.protocolID, file = participant, on = self.on
        try await runReportingErrors {
            let date = try CLIDate.parse(on, option: "--on")
            let definition = try source.definition(id: protocolID)
            let record: ParticipantRecord
            do {
                record = try ParticipantRecord.load(file: file)
            } catch let error as DocumentProblems {
                throw CLIFailure("cannot read the participant record:\n\(error.description)")
            }
            let report = EligibilityEngine.screen(record, against: definition, on: date)
            if json {
                try CLIOutput.printJSON(report)
            } else {
                print(ScreenText.render(report))
            }
        }
    }
}
