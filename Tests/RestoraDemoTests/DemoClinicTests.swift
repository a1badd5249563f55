import RestoraDemo
import RestoraDomain
import Testing

@Suite struct DemoClinicTests {
    @Test func sameSeedSameClinic() throws {
        let a = try DemoFixture.clinic(seed: 7)
        let b = try DemoFixture.clinic(seed: 7)
        // Compared as Bools so a failure does not print two whole clinics.
        let same = a == b
        #expect(same)
        let other = try DemoFixture.clinic(seed: 8) != a
        #expect(other)
    }

    @Test func refusesATodayBeforeTheCohortFinishes() throws {
        let early = try #require(CalendarDate("2026-03-01"))
        #expect(throws: DemoGenerationError.self) { try DemoClinic.generate(protocols: try DemoFixture.protocols(), today: early) }
        let later = try #require(CalendarDate("2027-06-01"))
        let clinic = try DemoClinic.generate(protocols: try DemoFixture.protocols(), today: later)
        #expect(clinic.participants(protocolID: "msc-osteoporosis").filter { $0.enrolment.status == .completed }.count == 40)
    }

    @Test func everyoneIsLabelledSynthetic() throws {
        let clinic = try DemoFixture.clinic()
        #expect(clinic.sites.count == 3)
        #expect(!clinic.participants.isEmpty)
        for p in clinic.participants {
            #expect(p.participant.mrn.hasPrefix(DemoLabel.mrnPrefix))
            #expect(p.record.observations.allSatisfy { $0.note?.contains(DemoLabel.text) == true })
        }
        #expect(clinic.programs.allSatisfy { $0.name.contains(DemoLabel.text) })
    }

    @Test func nothingHappensAfterToday() throws {
        let clinic = try DemoFixture.clinic()
        for p in clinic.participants {
            #expect(p.record.observations.allSatisfy { $0.effectiveDate <= clinic.today })
            #expect(p.visits.allSatisfy { ($0.actualDate ?? clinic.today) <= clinic.today })
            #expect(p.enrolment.transitions.allSatisfy { CalendarDate($0.at) <= clinic.today })
        }
    }

    @Test func screenFailuresMissedVisitAndOpenAlert() throws {
        let clinic = try DemoFixture.clinic()
        #expect(clinic.participants.contains { $0.enrolment.status == .screenFailed })
        #expect(clinic.participants.contains { $0.enrolment.status == .prescreened })
        #expect(clinic.participants.flatMap(\.visits).filter { $0.status == .missed }.count == 1)
        // An enrolled man on treatment, not only the screen failure whose PHQ-9 excluded him.
        let treated = Set(clinic.participants.filter(\.wasEnrolled).map(\.participant.id))
        #expect(clinic.openAlerts.contains { $0.ruleID == "phq9-above-15" && $0.status == "open" && treated.contains($0.participantID) })
    }

    @Test func splitMixIsTheReferenceSequence() {
        // First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
    }
}

@Suite struct SplitMixRangeTests {
    @Test func integersCoverTheirRange() {
        var rng = SplitMix64(seed: 42)
        let draws = (0..<2000).map { _ in rng.int(26...44) }
        #expect(draws.min() == 26 && draws.max() == 44)
        #expect(Set(draws).count == 19)
        let units = (0..<2000).map { _ in rng.unit() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
    }
}
