import RestoraDemo
import RestoraDomain
import Testing

/// The demo clinic is mid-program on its today (issue #15): some isotretinoin men are on treatment with an
/// active course, so a safety event can be tried on them at once; the published cohort (30 completed) is unchanged.
@Suite struct DemoOnTreatmentTests {
    @Test func fourMenOnTreatmentWithAnActiveCourseSuppliedUpToToday() throws {
        let clinic = try DemoFixture.clinic()
        let men = clinic.participants(protocolID: "isotretinoin-noa")
        let ongoing = men.filter { $0.enrolment.status == .onTreatment }
        #expect(ongoing.count == 4)
        #expect(men.filter { $0.enrolment.status == .completed }.count == 30)
        for man in ongoing {
            let course = try #require(man.record.medicationCourses.first)
            #expect(course.status == .active)
            #expect(course.stop == nil)
            #expect(!course.dispensings.isEmpty)
            #expect(course.dispensings.allSatisfy { $0.date <= clinic.today && $0.daysCovered == 30 })
            // The supply in hand has not come back yet; the earlier ones are counted.
            #expect(course.dispensings.last?.unitsReturned == nil)
            #expect(course.dispensings.dropLast().allSatisfy { $0.unitsReturned != nil })
            #expect(man.record.observations.allSatisfy { $0.effectiveDate <= clinic.today })
            #expect(man.record.adverseEvents.allSatisfy { $0.onset <= clinic.today && $0.resolution == nil })
        }
        // Day 0 of each is 20, 50, 80 and 110 days before today.
        let days = ongoing.compactMap(\.dayZero).map { $0.days(until: clinic.today) }.sorted()
        #expect(days == [20, 50, 80, 110])
    }
}
