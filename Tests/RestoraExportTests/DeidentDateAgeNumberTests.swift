import Foundation
import RestoraDemo
import RestoraDomain
import RestoraReports
import Testing
@testable import RestoraExport

/// Date shifting, the year-only mode, ages over 89 and the study number (REFERENCE.md J; docs/deidentification.md).
@Suite struct DeidentDateShiftTests {
    @Test func everyDateOfEveryRecordKindMovesByTheSameOffset() {
        let original = DeidentFixture.full()
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 11))
        let result = deidentifier.deidentify(original)
        let before = DeidentFixture.datedFields(original), after = DeidentFixture.datedFields(result.data)
        #expect(before.count == after.count)
        // Every record kind of the fixture contributes at least one date.
        let kinds = Set(before.map { $0.0.split(separator: ".")[0] })
        #expect(kinds == ["diagnosis", "history", "observation", "specimen", "medication", "course", "dispensing", "procedure",
                          "ae", "visit", "transition", "discontinuation", "custody", "deviation"])
        let offsets = Set(zip(before, after).map { $0.1.1 - $0.0.1 })
        #expect(offsets.count == 1, "one offset per participant, got \(offsets)")
        let seconds = offsets.first ?? 0
        #expect(seconds != 0)
        #expect(seconds.truncatingRemainder(dividingBy: 86_400) == 0, "whole days: the time of day is kept")
        #expect(abs(seconds / 86_400) <= Double(Deidentifier.maximumShiftDays))
        // Intervals between any two dates are exactly preserved.
        for i in before.indices.dropFirst() {
            #expect(after[i].1 - after[0].1 == before[i].1 - before[0].1, "interval to \(before[i].0) changed")
        }
    }

    @Test func studyDaysAreTheSameAfterTheShift() {
        let original = DeidentFixture.full()
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 3))
        let result = deidentifier.deidentify(original)
        let identified = ExportParticipant.identified(original)
        let days = { (p: ExportParticipant) in
            p.data.visits.map { p.studyDay($0.actualDate, reference: p.data.dayZero) }
                + p.data.record.adverseEvents.map { p.studyDay($0.onset, reference: p.data.dayZero) }
        }
        #expect(days(result) == days(identified))
        #expect(days(result).allSatisfy { $0 != nil })
    }

    @Test func offsetsAreNeverZeroStayInRangeAndTakeBothSigns() {
        var generator = SplitMix64(seed: 99)
        let offsets = (0..<20_000).map { _ in Deidentifier.randomShift(using: &generator) }
        #expect(!offsets.contains(0))
        #expect(offsets.allSatisfy { (1...Deidentifier.maximumShiftDays).contains(abs($0)) })
        #expect(offsets.min() == -Deidentifier.maximumShiftDays && offsets.max() == Deidentifier.maximumShiftDays)
        #expect(Set(offsets).count == 2 * Deidentifier.maximumShiftDays, "every non-zero offset in ±180 can occur")
    }

    @Test func differentParticipantsGetDifferentOffsets() {
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 5))
        let original = DeidentFixture.full()
        let firstDay = original.record.procedures[0].performed
        let shifts = (0..<20).map { n in
            let result = deidentifier.deidentify(DeidentFixture.full(id: "db-participant-\(n)"))
            return result.data.record.procedures[0].performed.timeIntervalSince(firstDay) / 86_400
        }
        #expect(Set(shifts).count > 5)
        #expect(!shifts.contains(0))
    }

    @Test func yearModeKeepsDatesAndPrintsTheYearAlone() throws {
        let original = DeidentFixture.full()
        var deidentifier = Deidentifier(datePrecision: .year, generator: SplitMix64(seed: 1))
        let result = deidentifier.deidentify(original)
        #expect(result.datePrecision == .year)
        #expect(result.deidentified)
        // Dates are not shifted in this mode: the writers print the year alone (the literal Safe Harbor rule).
        #expect(DeidentFixture.datedFields(result.data).map(\.1) == DeidentFixture.datedFields(original).map(\.1))
        #expect(result.dateText(result.data.visits[0].actualDate) == "2024")
        #expect(result.dateTimeText(result.data.record.procedures[0].performed) == "2024")
        #expect(result.studyDay(result.data.visits[0].actualDate, reference: result.data.dayZero) == nil)
        // Identifiers and free text go exactly as in the shifted mode.
        #expect(result.subjectID != DeidentFixture.mrn && result.data.record.participant.givenName == nil)
        let json = try DeidentFixture.json(result.data, subject: result)
        #expect(!json.contains(DeidentFixture.birthDate.description))
        #expect(!json.contains(DeidentFixture.phone))
        #expect(result.data.record.participant.birthDate == CalendarDate(year: 2024 - 53, month: 1, day: 1))
    }
}

@Suite struct DeidentMethodLabelTests {
    @Test func theTwoModesAreLabelledAndOnlyTheYearModeCallsItselfSafeHarbor() {
        #expect(ExportParticipant.DatePrecision.year.deidentificationMethod.hasPrefix("HIPAA Safe Harbor (45 CFR 164.514(b)(2))"))
        #expect(ExportParticipant.DatePrecision.day.deidentificationMethod.contains("not Safe Harbor by themselves"))
        #expect(ExportParticipant.DatePrecision.day.deidentificationMethod.contains("180 days"))
    }
}

@Suite struct DeidentAgeTests {
    /// The fixture's reference date (first transition) is 2024-01-10.
    static func age(born birth: CalendarDate, precision: ExportParticipant.DatePrecision = .day) -> ExportParticipant {
        var deidentifier = Deidentifier(datePrecision: precision, generator: SplitMix64(seed: 21))
        return deidentifier.deidentify(DeidentFixture.full(birthDate: birth))
    }

    @Test func eightyNineStaysEightyNine() {
        let p = Self.age(born: DeidentFixture.day(1934, 1, 11)) // 90 on 2024-01-11, the day after the reference
        #expect(p.ageYears == 89)
        #expect(p.ageText == nil)
        #expect(p.data.record.participant.birthDate.age(on: CalendarDate(p.data.enrolment.transitions[0].at)) == 89)
    }

    @Test func ninetyIsNinetyOrOlder() {
        let p = Self.age(born: DeidentFixture.day(1934, 1, 10)) // 90 on the reference date
        #expect(p.ageYears == nil)
        #expect(p.ageText == "90 or older")
    }

    @Test func ninetyFiveIsNinetyOrOlderAndTheBirthYearDoesNotTell() throws {
        for precision in [ExportParticipant.DatePrecision.day, .year] {
            let p = Self.age(born: DeidentFixture.day(1929, 3, 4), precision: precision)
            #expect(p.ageYears == nil)
            #expect(p.ageText == "90 or older")
            // What stays in the birth-date field gives 90 on the (de-identified) reference date, never 95.
            let reference = CalendarDate(p.data.enrolment.transitions[0].at)
            #expect(p.data.record.participant.birthDate.age(on: reference) == 90)
            let json = try DeidentFixture.json(p.data, subject: p)
            #expect(!json.contains("1929"))
        }
    }

    @Test func agesAreComputedFromTheRealDatesBeforeTheShift() {
        // 30 on 2024-01-10 by one day: any shift that moved only one of the two dates would change it.
        for seed in UInt64(1)...30 {
            var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: seed))
            let p = deidentifier.deidentify(DeidentFixture.full(birthDate: DeidentFixture.day(1994, 1, 10)))
            #expect(p.ageYears == 30)
            let q = deidentifier.deidentify(DeidentFixture.full(id: "other", birthDate: DeidentFixture.day(1994, 1, 11)))
            #expect(q.ageYears == 29)
        }
    }

    @Test func noReferenceDateMeansNoAgeAndAnObviouslyUnknownBirthDate() {
        var data = DeidentFixture.full()
        data.enrolment = Enrolment(id: data.enrolment.id, participantID: data.enrolment.participantID,
                                   programID: data.enrolment.programID, siteID: data.enrolment.siteID)
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 2))
        let p = deidentifier.deidentify(data)
        #expect(p.ageYears == nil && p.ageText == nil)
        #expect(p.data.record.participant.birthDate == DeidentifiedRecords.unknownBirthDate)
    }
}

@Suite struct DeidentStudyNumberTests {
    static let alphabet = Set(Deidentifier.studyNumberAlphabet)

    @Test func theNumberHasTheDocumentedFormAndIsNotTheMRN() {
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 8))
        let p = deidentifier.deidentify(DeidentFixture.full())
        #expect(p.subjectID.hasPrefix("S-"))
        #expect(p.subjectID.count == 10)
        #expect(p.subjectID.dropFirst(2).allSatisfy { Self.alphabet.contains($0) })
        #expect(!Self.alphabet.contains("0") && !Self.alphabet.contains("O") && !Self.alphabet.contains("1") && !Self.alphabet.contains("I"))
        #expect(p.subjectID != DeidentFixture.mrn && !p.subjectID.contains("417733"))
    }

    @Test func numbersAreUniqueWithinAnExport() {
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 13))
        let base = DeidentFixture.full()
        var numbers: Set<String> = []
        for n in 0..<5_000 {
            var data = base
            data.record.participant.id = Identifier("p\(n)")
            numbers.insert(deidentifier.deidentify(data).subjectID)
        }
        #expect(numbers.count == 5_000)
    }

    /// A generator that repeats itself: the uniqueness check must draw again rather than hand out a number twice.
    struct Repeating: RandomNumberGenerator {
        var values: [UInt64], index = 0
        mutating func next() -> UInt64 { defer { index += 1 }; return values[(index / 8) % values.count] }
    }

    @Test func aRepeatedDrawIsDrawnAgain() {
        var deidentifier = Deidentifier(datePrecision: .year, generator: Repeating(values: [1, 1, UInt64.max / 2]))
        var first = DeidentFixture.full(); first.record.participant.id = "a"
        var second = DeidentFixture.full(); second.record.participant.id = "b"
        let a = deidentifier.deidentify(first).subjectID, b = deidentifier.deidentify(second).subjectID
        #expect(a != b)
    }

    @Test func theSameParticipantKeepsItsNumberAndOffsetWithinOneExport() {
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 17))
        let data = DeidentFixture.full()
        let first = deidentifier.deidentify(data)
        _ = deidentifier.deidentify(DeidentFixture.full(id: "someone-else"))
        let again = deidentifier.deidentify(data)
        #expect(first.subjectID == again.subjectID)
        #expect(DeidentFixture.datedFields(first.data).map(\.1) == DeidentFixture.datedFields(again.data).map(\.1))
    }

    @Test func theNumberIsNotDerivedFromAnyIdentifier() {
        // The same participant in two exports (system randomness) gets unrelated numbers and offsets.
        var one = Deidentifier(datePrecision: .day), two = Deidentifier(datePrecision: .day)
        let data = DeidentFixture.full()
        let a = one.deidentify(data), b = two.deidentify(data)
        #expect(a.subjectID != b.subjectID)
        // Two participants differing only in id and MRN, given the same random draws, get the same number:
        // nothing but the generator goes into it.
        var x = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 4))
        var y = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 4))
        let p = x.deidentify(DeidentFixture.full(id: "one", mrn: "MRN-1"))
        let q = y.deidentify(DeidentFixture.full(id: "two", mrn: "MRN-2"))
        #expect(p.subjectID == q.subjectID)
    }

    @Test func aSeededGeneratorMakesTheExportReproducible() throws {
        // Numbers, pseudonymous ids and dates (JSON text itself is not compared: a Set's order differs between
        // two Set values even with the same members).
        func run() -> [[String]] {
            var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 42))
            return (0..<3).map { n in
                let p = deidentifier.deidentify(DeidentFixture.full(id: "p\(n)"))
                return [p.subjectID, p.data.enrolment.id.rawValue, p.data.cellProducts[0].lot]
                    + DeidentFixture.datedFields(p.data).map { "\($0.1)" }
            }
        }
        #expect(run() == run())
        var other = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 43))
        #expect(other.deidentify(DeidentFixture.full(id: "p0")).subjectID != run()[0][0])
    }
}

/// The demo clinic, every participant: after de-identification the encoded data holds none of the
/// participant's MRN, names, database ids or birth date, and every date in it is a shifted original.
@Suite struct DeidentDemoScanTests {
    @Test func noDemoParticipantLeaksAnIdentifierOrARealDate() throws {
        let participants = try DeidentFixture.demo()
        #expect(participants.count > 20)
        var deidentifier = Deidentifier(datePrecision: .day, generator: SplitMix64(seed: 2026))
        var checkedDates = 0
        for data in participants {
            let p = data.record.participant
            let result = deidentifier.deidentify(data)
            let json = try DeidentFixture.json(result.data, subject: result)
            let original = try DeidentFixture.json(data)
            #expect(!json.contains(p.mrn))
            if let given = p.givenName { #expect(!json.contains("\"\(given)\"")) }
            if let family = p.familyName { #expect(!json.contains(family)) }
            #expect(!json.contains(DemoLabel.text), "a note survived")
            var ids = [p.id.rawValue, data.enrolment.id.rawValue] + data.visits.map(\.id.rawValue)
            ids += data.record.observations.map(\.id.rawValue) + data.record.observations.compactMap(\.panelID)
            ids += data.record.medicationCourses.map(\.id.rawValue) + data.record.procedures.map(\.id.rawValue)
            ids += data.record.adverseEvents.map(\.id.rawValue) + data.cellProducts.map(\.id.rawValue) + data.cellProducts.map(\.lot)
            ids += data.record.medicationCourses.flatMap { $0.dispensings.compactMap(\.lot) }
            ids += data.enrolment.transitions.map(\.actor.userID)
            for id in Set(ids) { #expect(!json.contains("\"\(id)\""), "\(id) survived") }
            // Dates: the birth date (real or shifted) never appears; every date present is an original date
            // moved by this participant's offset (a shifted date may coincide with another real one).
            let days = try #require(deidentifier.shiftDays(of: p.id))
            #expect(days != 0)
            for (before, after) in zip(DeidentFixture.datedFields(data), DeidentFixture.datedFields(result.data)) {
                #expect(after.1 - before.1 == Double(days) * 86_400, "\(before.0) not moved by the offset")
            }
            #expect(!json.contains(p.birthDate.description))
            #expect(!json.contains(p.birthDate.adding(days: days).description))
            let placeholder = result.data.record.participant.birthDate.description
            let shiftedOriginals = Set(DeidentFixture.dateStrings(in: original).map { CalendarDate($0)!.adding(days: days).description })
            let present = DeidentFixture.dateStrings(in: json).subtracting([placeholder])
            #expect(present.isSubset(of: shiftedOriginals), "unshifted dates: \(present.subtracting(shiftedOriginals).sorted())")
            checkedDates += present.count
        }
        #expect(checkedDates > 1_000)
    }
}
