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

    /// The fields live in one copy-on-write box, so the value is one reference wide: the CSV tables pass a
    /// participant to a column closure for every cell, and a value of several hundred bytes was copied onto the
    /// stack for each (issue #18, ≈ 5 % of the CSV export's time). Value semantics are kept: a change to a
    /// shared box copies it first.
    private final class Fields: @unchecked Sendable {
        var data: ProgramParticipantData
        var dayZero: CalendarDate?
        var subjectID: String
        var ageYears: Int?
        var ageText: String?
        var datePrecision: DatePrecision
        var deidentified: Bool

        init(data: ProgramParticipantData, subjectID: String, ageYears: Int?, ageText: String?,
             datePrecision: DatePrecision, deidentified: Bool) {
            self.data = data
            self.dayZero = data.dayZero
            self.subjectID = subjectID
            self.ageYears = ageYears
            self.ageText = ageText
            self.datePrecision = datePrecision
            self.deidentified = deidentified
        }

        func copy() -> Fields {
            Fields(data: data, subjectID: subjectID, ageYears: ageYears, ageText: ageText, datePrecision: datePrecision,
                   deidentified: deidentified)
        }
    }

    private var fields: Fields

    /// The box, copied first when another value shares it.
    private mutating func unique() -> Fields {
        if !isKnownUniquelyReferenced(&fields) { fields = fields.copy() }
        return fields
    }

    public var data: ProgramParticipantData {
        get { fields.data }
        set {
            let box = unique()
            box.data = newValue
            box.dayZero = newValue.dayZero
        }
    }
    /// `data.dayZero` (the first move to on-treatment, study day 1), found once rather than for every row.
    public var dayZero: CalendarDate? { fields.dayZero }
    /// The subject identifier every dataset writes (SUBJID, ODM SubjectKey, the CSV `subject` column): the
    /// participant's id in an identified export, a random study number in a de-identified one.
    public var subjectID: String {
        get { fields.subjectID }
        set { unique().subjectID = newValue }
    }
    /// Age in whole years on the reference date (the enrolment's first transition); nil when that is unknown.
    /// A de-identified export leaves it nil for anyone over 89 and sets `ageText` to "90 or older".
    public var ageYears: Int? {
        get { fields.ageYears }
        set { unique().ageYears = newValue }
    }
    /// The age as text when it cannot be a number: "90 or older" (Safe Harbor); nil otherwise.
    public var ageText: String? {
        get { fields.ageText }
        set { unique().ageText = newValue }
    }
    public var datePrecision: DatePrecision {
        get { fields.datePrecision }
        set { unique().datePrecision = newValue }
    }
    public var deidentified: Bool {
        get { fields.deidentified }
        set { unique().deidentified = newValue }
    }

    public init(data: ProgramParticipantData, subjectID: String, ageYears: Int?, ageText: String? = nil,
                datePrecision: DatePrecision = .day, deidentified: Bool = false) {
        fields = Fields(data: data, subjectID: subjectID, ageYears: ageYears, ageText: ageText, datePrecision: datePrecision,
                        deidentified: deidentified)
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
        case .day: return Self.isoText(date, secondsOfDay: nil)
        case .year: return Self.yearText(date.year)
        }
    }

    /// ISO 8601 date and time in UTC without zone designator ("2025-03-04T09:30:00", the SDTM --DTC form; a
    /// fraction of a second is dropped), or the year alone when dates are reduced to the year.
    public func dateTimeText(_ date: Date?) -> String? {
        date.map { Self.dateTimeText($0, precision: datePrecision) }
    }

    /// The same for a date that is not one of the participant's (e.g. when a record was signed).
    static func dateTimeText(_ date: Date, precision datePrecision: DatePrecision) -> String {
        // Computed from the seconds since 1970 (UTC, proleptic Gregorian) rather than through Calendar and
        // String(format:), which cost more than the rest of a row on every observation of a large export.
        let seconds = date.timeIntervalSince1970
        let dayNumber = Int((seconds / 86_400).rounded(.down))
        let day = CalendarDate(dayNumber: dayNumber)
        switch datePrecision {
        case .day:
            let ofDay = min(max(Int((seconds - Double(dayNumber) * 86_400).rounded(.down)), 0), 86_399)
            return Self.isoText(day, secondsOfDay: ofDay)
        case .year:
            return Self.yearText(day.year)
        }
    }

    /// "YYYY-MM-DD", or "YYYY-MM-DDThh:mm:ss" with the time of day.
    static func isoText(_ date: CalendarDate, secondsOfDay: Int?) -> String {
        let length = secondsOfDay == nil ? 10 : 19
        return String(unsafeUninitializedCapacity: length) { buffer in
            func put(_ value: Int, width: Int, at offset: Int) {
                var rest = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(date.year, width: 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(date.month, width: 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(date.day, width: 2, at: 8)
            if let secondsOfDay {
                buffer[10] = UInt8(ascii: "T")
                put(secondsOfDay / 3_600, width: 2, at: 11)
                buffer[13] = UInt8(ascii: ":")
                put(secondsOfDay / 60 % 60, width: 2, at: 14)
                buffer[16] = UInt8(ascii: ":")
                put(secondsOfDay % 60, width: 2, at: 17)
            }
            return length
        }
    }

    static func yearText(_ year: Int) -> String {
        let digits = String(year)
        return digits.count >= 4 ? digits : String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// The SDTM study day of `date` counted from `reference` (day 1 is the reference date; there is no day 0:
    /// the day before it is -1). nil when either date is missing or dates are reduced to the year.
    public func studyDay(_ date: CalendarDate?, reference: CalendarDate?) -> Int? {
        guard datePrecision == .day, let date, let reference else { return nil }
        let days = reference.days(until: date)
        return days >= 0 ? days + 1 : days
    }
}
