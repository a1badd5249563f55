import ArgumentParser
import Foundation
import RestoraDomain

/// `restora schedule --protocol <id> --start <date> [--today <date>] [--visits <file.json>]`: the visit
/// calendar with windows and each visit's state. The visits file maps visit keys to a date or "missed".
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "A participant's visit calendar with windows and visit states.")

    @Option(name: .customLong("protocol"), help: "The protocol id.")
    var protocolID: String

    @Option(help: "Day 0 (first dose or injection), YYYY-MM-DD.")
    var start: String

    @Option(help: "The date to judge visit states on, YYYY-MM-DD (default: today, UTC).")
    var today: String?

    @Option(help: "JSON file of recorded visits: {\"month-1\": \"2026-02-01\", \"month-2\": \"missed\"}.")
    var visits: String?

    @OptionGroup var source: ProtocolSource
    @OptionGroup var output: OutputOptions

    mutating func run() async throws {
        let source = self.source, json = output.json, protocolID = self.protocolID
        let start = self.start, today = self.today, visits = self.visits
        try await runReportingErrors {
            let startDate = try CLIDate.parse(start, option: "--start")
            let todayDate = try CLIDate.parse(today, option: "--today")
            let definition = try source.definition(id: protocolID)
            let records = try visits.map(Self.loadVisits) ?? [:]
            let schedule: VisitSchedule
            do {
                schedule = try ScheduleEngine.schedule(for: definition, start: startDate, today: todayDate, records: records)
            } catch let error as DomainError {
                throw CLIFailure("\(visits ?? "visits"): \(error.description)")
            }
            if json {
                try CLIOutput.printJSON(schedule)
            } else {
                print(ScheduleText.render(schedule))
            }
        }
    }

    static func loadVisits(_ file: String) throws -> [String: VisitRecord] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIFailure("\(file): file not found or not readable")
        }
        do {
            return try JSONDecoder().decode([String: VisitRecord].self, from: data)
        } catch let error as DecodingError {
            if let syntax = DocumentProblem.jsonSyntax(data, file: file) { throw CLIFailure(syntax.description) }
            throw CLIFailure(DocumentProblem(decodingError: error, file: file).description)
        }
    }
}
