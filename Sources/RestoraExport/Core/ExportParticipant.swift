import Foundation
import RestoraDomain
import RestoraReports

/// One participant's enrolment and records as an export writes them. In a de-identified export (HIPAA Safe
/// Harbor, docs/deidentification.md) `data` has already had its identifiers removed and its dates shifted, and
/// the subject is known only by a random study number. Every writer formats dates and ages through this type,
/// so the date rule of an export (full dates, or the year alone) holds in every file it writes.
public struct ExportParticipant: Sendable {
    /// How much of a date an export may show.
    public enum DatePrecision: String, Sendable, Hashable, Codable {
        /// Full dates (identified exports, and de-identified exports with dates shifted per participant).
        case day
        /// The year alone (de-identified exports that reduce dates to the year); study days are then unknown.
        case year
    }

    public var data: ProgramParticipantData
    /// The subject identifier every dataset writes (SUBJID, ODM SubjectKey, the CSV `subject` column): the
    /// participant's id in an identified export, a random study number in a de-identified one.
    public var subjectID: String
    /// Age in whole years on the reference date (the enrolment's first transition); nil when that is unknown.
    /// A de-identified export leaves it nil for anyone over 89 and sets `ageText` to "90 or older".
    public var ageYears: Int?
    /// The age as text when it cannot be a number: "90 or older" (Safe Harbor); nil otherwise.
    public var ageText: String?
    public var datePrecision: DatePrecision
    public var deidentified: Bool

    public init(data: ProgramParticipantData, subjectID: String, ageYears: Int?, ageText: String? = nil,
                datePrecision: DatePrecision = .day, deidentified: Bool = false) {
        self.data = data
        self.subjectID = subjectID
        self.ageYears = ageYears
        self.ageText = ageText
        self.datePrecision = datePrecision
        self.deidentified = deidentified
    }

    /// An identified export's participant: the record as stored, known by its participant id.
    public static func identified(_ data: ProgramParticipantData) -> ExportParticipant {
        let reference = data.enrolment.transitions.first.map { CalendarDate($0.at) }
        let age = reference.map { data.record.participant.birthDate.age(on: $0) }
        return ExportParticipant(data: data, subjectID: data.record.participant.id.rawValue, ageYears: age)
    }

    /// ISO 8601 date text ("2025-03-04"), or the year alone ("2025") when dates are reduced to the year.
    public func dateText(_ date: CalendarDate?) -> String? {
        guard let date else { return nil }
        switch datePrecision {
        case .day: return date.description
        case .year: return String(format: "%04d", date.year)
        }
    }

    /// ISO 8601 date and time in UTC without zone designator ("2025-03-04T09:30:00", the SDTM --DTC form), or
    /// the year alone when dates are reduced to the year.
    public func dateTimeText(_ date: Date?) -> String? {
        guard let date else { return nil }
        let c = Self.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        switch datePrecision {
        case .day:
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                          c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        case .year:
            return String(format: "%04d", c.year ?? 0)
        }
    }

    /// The SDTM study day of `date` counted from `reference` (day 1 is the reference date; there is no day 0:
    /// the day before it is -1). nil when either date is missing or dates are reduced to the year.
    public func studyDay(_ date: CalendarDate?, reference: CalendarDate?) -> Int? {
        guard datePrecision == .day, let date, let reference else { return nil }
        let days = reference.days(until: date)
        return days >= 0 ? days + 1 : days
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
