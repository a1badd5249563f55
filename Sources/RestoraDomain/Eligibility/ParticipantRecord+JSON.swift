import Foundation

/// Reading the participant JSON format (docs/participant-format.md) with errors that name the file and the
/// path of the bad value instead of a decoder dump.
extension ParticipantRecord {
    /// Instants (observation times, procedure times) may be a full ISO 8601 timestamp or a plain
    /// `YYYY-MM-DD` date, read as midnight UTC.
    public static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = parseInstant(text) { return date }
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text)' is not a date (YYYY-MM-DD) or an ISO 8601 timestamp")
        }
        return decoder
    }

    static func parseInstant(_ text: String) -> Date? {
        if let day = CalendarDate(text) { return day.startOfDayUTC }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: text)
    }

    public static func decode(json data: Data, file: String) throws(DocumentProblems) -> ParticipantRecord {
        do {
            return try jsonDecoder().decode(ParticipantRecord.self, from: data)
        } catch let error as DecodingError {
            if case let .dataCorrupted(context) = error, context.codingPath.isEmpty, let syntax = DocumentProblem.jsonSyntax(data, file: file) {
                throw DocumentProblems([syntax])
            }
            throw DocumentProblems([DocumentProblem(decodingError: error, file: file)])
        } catch {
            throw DocumentProblems([DocumentProblem(file: file, path: [], message: "not valid JSON: \(error.localizedDescription)")])
        }
    }

    public static func load(file: String) throws(DocumentProblems) -> ParticipantRecord {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DocumentProblems([DocumentProblem(file: file, path: [], message: "file not found or not readable")])
        }
        return try decode(json: data, file: file)
    }
}
