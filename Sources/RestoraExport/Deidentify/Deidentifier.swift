import Foundation
import RestoraDomain
import RestoraReports

/// Turns a participant's enrolment and records into a de-identified export participant by the HIPAA Safe Harbor
/// method (45 CFR 164.514(b)(2), REFERENCE.md J): the identifiers of the individual removed or replaced, dates
/// shifted by one random offset per participant (or, with `.year`, printed as the year alone), ages over 89 as
/// "90 or older", typed free text dropped, and the MRN replaced by a random study number. The rule for every
/// field of every record is in docs/deidentification.md (and `DeidentifiedRecords`, which applies it).
///
/// One `Deidentifier` serves one export: it remembers the study number and date offset it gave each participant,
/// so a participant met twice in the same export keeps both, and no two participants share a number. Numbers and
/// offsets come from `generator` alone — never from an identifier — so two exports give unrelated numbers
/// (REFERENCE.md J (R): a re-identification code may not be derived from identifiers). Memory: one entry
/// (participant id, number, offset) per participant exported, about 100 bytes each.
public struct Deidentifier {
    /// The study number's alphabet: digits and upper-case letters without 0/O, 1/I/L, so that a number read
    /// aloud or copied by hand cannot be mistaken (31 symbols).
    public static let studyNumberAlphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")
    public static let studyNumberPrefix = "S-"
    public static let studyNumberLength = 8
    /// The largest date shift in days, either way; the offset is never 0 (a zero shift would leave real dates).
    public static let maximumShiftDays = 180
    /// Ages above this are written as `ageOver89Text` with no number (REFERENCE.md J (C)).
    public static let oldestReportedAge = 89
    public static let ageOver89Text = "90 or older"

    public let datePrecision: ExportParticipant.DatePrecision
    private var generator: AnyRandomNumberGenerator
    private var assigned: [Identifier<Participant>: Assignment] = [:]
    private var issuedNumbers: Set<String> = []

    /// What one participant was given in this export.
    struct Assignment: Hashable {
        var studyNumber: String
        /// Days added to every date of this participant (0 when dates are reduced to the year).
        var shiftDays: Int
    }

    public init(datePrecision: ExportParticipant.DatePrecision,
                generator: some RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.datePrecision = datePrecision
        self.generator = AnyRandomNumberGenerator(generator)
    }

    /// The de-identified form of one participant (`ExportParticipant.deidentified` is true, `subjectID` the study
    /// number). Ages are computed from the real dates before any shift, on the reference date an identified
    /// export uses (the enrolment's first transition, `ExportParticipant.identified`).
    public mutating func deidentify(_ data: ProgramParticipantData) -> ExportParticipant {
        let assignment = assignment(for: data.record.participant.id)
        let reference = data.enrolment.transitions.first.map { CalendarDate($0.at) }
        let realAge = reference.map { data.record.participant.birthDate.age(on: $0) }
        let over89 = realAge.map { $0 > Self.oldestReportedAge } ?? false
        var records = DeidentifiedRecords(studyNumber: assignment.studyNumber, shiftDays: assignment.shiftDays)
        var result = records.apply(to: data)
        // The birth date is never written in a de-identified export; what stays in the field (writers may read
        // it) is 1 January of the year that gives the reported age on the de-identified reference date — it says
        // no more than the age does, and never an age over 90 (docs/deidentification.md).
        let reportedAge = realAge.map { min($0, Self.oldestReportedAge + 1) }
        result.record.participant.birthDate = Self.placeholderBirthDate(
            age: reportedAge, reference: reference.map { $0.adding(days: assignment.shiftDays) })
        return ExportParticipant(
            data: result, subjectID: assignment.studyNumber, ageYears: over89 ? nil : realAge,
            ageText: over89 ? Self.ageOver89Text : nil, datePrecision: datePrecision, deidentified: true)
    }

    /// The date offset (days) given to a participant in this export; nil before it was de-identified.
    func shiftDays(of participant: Identifier<Participant>) -> Int? { assigned[participant]?.shiftDays }

    /// 1 January of (reference year − age), so that the age on `reference` is exactly `age`; 1900-01-01 (an
    /// obviously unknown date) when the age is unknown.
    static func placeholderBirthDate(age: Int?, reference: CalendarDate?) -> CalendarDate {
        guard let age, let reference, let date = CalendarDate(year: reference.year - age, month: 1, day: 1) else {
            return CalendarDate(year: 1900, month: 1, day: 1)!
        }
        return date
    }

    mutating func assignment(for participant: Identifier<Participant>) -> Assignment {
        if let known = assigned[participant] { return known }
        let made = Assignment(studyNumber: newStudyNumber(),
                              shiftDays: datePrecision == .day ? Self.randomShift(using: &generator) : 0)
        assigned[participant] = made
        return made
    }

    /// A fresh random study number, unique within this export ("S-" and 8 symbols: 31^8 ≈ 8.5 × 10^11 possibilities).
    mutating func newStudyNumber() -> String {
        while true {
            let symbols = (0..<Self.studyNumberLength).map { _ in Self.studyNumberAlphabet.randomElement(using: &generator)! }
            let number = Self.studyNumberPrefix + String(symbols)
            if issuedNumbers.insert(number).inserted { return number }
        }
    }

    /// Uniform over −180…−1 and 1…180 days: never 0.
    static func randomShift(using generator: inout some RandomNumberGenerator) -> Int {
        let magnitude = Int.random(in: 1...maximumShiftDays, using: &generator)
        return Bool.random(using: &generator) ? magnitude : -magnitude
    }
}

extension ExportParticipant.DatePrecision {
    /// How a de-identified export in this date mode was made, in words a package or manifest can print: the two
    /// modes are offered side by side and labelled (REFERENCE.md J), since only the year mode is Safe Harbor proper.
    public var deidentificationMethod: String {
        switch self {
        case .year:
            return "HIPAA Safe Harbor (45 CFR 164.514(b)(2)): identifiers removed, dates reduced to the year, ages over 89 as 90 or older"
        case .day:
            return "HIPAA Safe Harbor identifiers removed, ages over 89 as 90 or older; dates shifted by a random offset per participant "
                + "(1 to \(Deidentifier.maximumShiftDays) days either way, intervals kept): shifted dates are not Safe Harbor by themselves"
        }
    }
}

/// A random number generator of any type, so that `Deidentifier` is one type whatever generator it was given.
struct AnyRandomNumberGenerator: RandomNumberGenerator {
    private var base: any RandomNumberGenerator

    init(_ base: some RandomNumberGenerator) { self.base = base }

    mutating func next() -> UInt64 { base.next() }
}
