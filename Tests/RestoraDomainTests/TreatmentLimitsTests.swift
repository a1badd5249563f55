import Foundation
import Testing
@testable import RestoraDomain

/// The pure checkers of issue #14 item 3 and the weekly frequency of item 5.
@Suite struct TreatmentLimitsTests {
    @Test("sites match as words with the side left out", arguments: [
        ("left testis", ["testis"], true), ("Right Testis, upper pole", ["left testis", "right testis"], true),
        ("testis", ["left testis", "right testis"], true), ("hip joint (right)", ["hip", "lumbar spine"], true),
        ("L2-L4 lumbar spine", ["lumbar spine"], true), ("right knee", ["left testis", "right testis"], false),
        ("testicle", ["testis"], false), ("right femoral neck", ["hip"], false), ("left", ["testis"], false),
        ("spine", ["lumbar spine"], false), ("ship", ["hip"], false),
    ])
    func sites(_ example: (String, [String], Bool)) {
        #expect(InterventionLimits.siteMatches(example.0, allowed: example.1) == example.2, "\(example.0)")
    }

    @Test("the issue's injection breaks four rules of the protocol's intratesticular injection, site first")
    func issueInjection() throws {
        let definition = try ProtocolFixture.definition("asc-azoospermia")
        let (intervention, step) = try #require(InterventionLimits.intervention(.injection, in: definition, arm: nil))
        let knee = Procedure(id: "pr", participantID: "p", kind: .injection, performed: Date(timeIntervalSince1970: 0),
                             anatomicalSite: "right knee", imagingGuidance: .fluoroscopy, anaesthesia: Procedure.Anaesthesia.none, volumeML: 12)
        let found = InterventionLimits.violations(knee, intervention: intervention, step: step)
        #expect(found.map(\.field) == ["anatomicalSite", "volumeML", "imagingGuidance", "anaesthesia"])
        #expect(found.map(\.rule).allSatisfy { $0.hasPrefix("intervention intratesticular-injection (Injection into the testis") })
        #expect(found.allSatisfy { $0.category == .procedure })
    }

    @Test("the osteoporosis program's injection needs image guidance and local anaesthesia, ≤ 10 mL at hip, spine or wrist")
    func osteoporosisInjection() throws {
        let definition = try ProtocolFixture.definition("msc-osteoporosis")
        let (intervention, step) = try #require(InterventionLimits.intervention(.injection, in: definition, arm: nil))
        var hip = Procedure(id: "pr", participantID: "p", kind: .injection, performed: Date(timeIntervalSince1970: 0),
                            anatomicalSite: "right hip", imagingGuidance: .fluoroscopy, anaesthesia: .local, volumeML: 8)
        #expect(InterventionLimits.violations(hip, intervention: intervention, step: step).isEmpty)
        hip.imagingGuidance = Procedure.ImagingGuidance.none
        hip.anaesthesia = .general
        #expect(InterventionLimits.violations(hip, intervention: intervention, step: step).map(\.field) == ["imagingGuidance", "anaesthesia"])
        #expect(InterventionLimits.intervention(.injection, in: try ProtocolFixture.definition("isotretinoin-noa"), arm: nil) == nil)
    }

    @Test("a regimen's dose is compared in its unit; another kind of unit cannot be compared")
    func doseUnits() {
        #expect(RegimenLimits.converted(Quantity(0.02, "g"), to: "mg") == 20)
        #expect(RegimenLimits.converted(Quantity(20_000, "ug"), to: "mg") == 20)
        #expect(RegimenLimits.converted(Quantity(20, "mL"), to: "mg") == nil)
    }

    @Test("a weekly course: alendronate 70 mg once a week, 4 tablets for 28 days, 1 returned, is 75 % adherent")
    func weeklyAdherence() {
        var course = MedicationCourse(
            id: "c", participantID: "p", drug: Coding(.rxnorm, "46041", display: "alendronate"), dose: Quantity(70, "mg"),
            route: "oral", frequency: .weekly(1), start: CalendarDate(year: 2026, month: 1, day: 5)!)
        course.dispensings = [Dispensing(date: course.start, unitsDispensed: 4, daysCovered: 28, unitsReturned: 1)]
        #expect(course.adherence == 0.75)
        #expect(course.timesPerDay == nil)
        #expect(course.adherenceBasis?.contains("3 units taken (dispensed − returned) of 4 doses prescribed over 28 days covered (once a week)") == true)
        // The same supply read as daily dosing (the old computation) would have said 3 of 28 (11 %).
        var daily = course
        daily.frequency = .daily(1)
        #expect(daily.adherence.map { ($0 * 100).rounded() } == 11)
    }

    @Test("a course's JSON keeps timesPerDay for a daily course and reads it back; a weekly course has dosesPerPeriod and period")
    func courseJSON() throws {
        let daily = MedicationCourse(id: "c", participantID: "p", drug: Coding(.rxnorm, "6064"), dose: Quantity(20, "mg"), route: "oral",
                                     timesPerDay: 2, start: CalendarDate(year: 2026, month: 1, day: 5)!)
        let text = String(decoding: try JSONEncoder().encode(daily), as: UTF8.self)
        #expect(text.contains(#""timesPerDay":2"#) && text.contains(#""period":"day""#))
        #expect(try JSONDecoder().decode(MedicationCourse.self, from: Data(text.utf8)) == daily)
        let old = #"{"id":"c","participantID":"p","drug":{"system":"rxnorm","code":"6064"},"dose":{"value":20,"unit":"mg"},"route":"oral","timesPerDay":2,"start":"2026-01-05","status":"active","dispensings":[]}"#
        #expect(try JSONDecoder().decode(MedicationCourse.self, from: Data(old.utf8)) == daily)
        var weekly = daily
        weekly.frequency = .weekly(1)
        let weeklyText = String(decoding: try JSONEncoder().encode(weekly), as: UTF8.self)
        #expect(!weeklyText.contains("timesPerDay") && weeklyText.contains(#""period":"week""#))
        #expect(try JSONDecoder().decode(MedicationCourse.self, from: Data(weeklyText.utf8)) == weekly)
    }

    @Test("a protocol's drug regimen may say timesPerWeek; both timesPerDay and timesPerWeek is a problem")
    func weeklyRegimenYAML() throws {
        let weekly = ProtocolErrorTests.valid.replacingOccurrences(of: "timesPerDay: 2", with: "timesPerWeek: 1")
        let definition = try ProtocolDocument.parse(yaml: weekly, file: "protocols/tiny.yaml")
        let (_, regimen) = try #require(RegimenLimits.intervention(in: definition, arm: "a"))
        #expect(regimen.frequency == .weekly(1))
        #expect(regimen.timesPerDay == nil)
        let both = ProtocolErrorTests.valid.replacingOccurrences(of: "timesPerDay: 2", with: "timesPerDay: 2\n      timesPerWeek: 1")
        #expect(!ProtocolErrorTests.problems(both).isEmpty)
    }
}
