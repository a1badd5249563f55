import RestoraDemo
import RestoraDomain
import Testing

/// REFERENCE.md A1 aggregates, recomputed from the generated records with the domain's rules.
@Suite struct DemoIsotretinoinAggregateTests {
    let cohort: [DemoParticipant]

    init() throws {
        // The published cohort: the 30 men who completed (four more are still on treatment on the demo's today).
        cohort = try DemoFixture.clinic().participants(protocolID: "isotretinoin-noa").filter { $0.enrolment.status == .completed }
    }

    @Test func thirtyMenTwentySixAzoospermicFourCryptozoospermic() throws {
        #expect(cohort.count == 30)
        #expect(cohort.allSatisfy { $0.participant.sex == .male })
        var crypto = 0
        for man in cohort {
            let start = try #require(man.dayZero)
            let screening = try man.semenAnalyses().filter { $0.date < start }
            #expect(screening.count >= 2)
            let terms = try screening.map { try $0.analysis.interpret().terms }
            if terms.contains([.cryptozoospermia]) { crypto += 1 }
        }
        #expect(crypto == 4)
        #expect(cohort.count - crypto == 26)
    }

    @Test func twentyFourAzoospermicMenHadPriorRetrieval() throws {
        var withRetrieval = 0
        for man in cohort {
            let start = try #require(man.dayZero)
            let crypto = try man.semenAnalyses().filter { $0.date < start }
                .contains { try $0.analysis.interpret().terms == [.cryptozoospermia] }
            let retrieval = man.participant.history.contains { $0.kind == .procedure && $0.code?.code == "sperm-retrieval" }
            if !crypto && retrieval { withRetrieval += 1 }
        }
        #expect(withRetrieval == 24)
    }

    @Test func elevenRespondNineByMonthThree() throws {
        let days = try cohort.compactMap { try $0.firstResponseDay() }
        #expect(days.count == 11)
        #expect(days.filter { $0 <= 90 }.count == 9)
    }

    @Test func maturationArrestElevenOfWhomSixRespond() throws {
        let arrest = cohort.filter { $0.histology() == "maturation-arrest" }
        #expect(arrest.count == 11)
        #expect(try arrest.filter { try $0.firstResponseDay() != nil }.count == 6)
    }

    @Test func adverseEventCountsByTerm() {
        func men(_ term: String) -> Int {
            cohort.filter { $0.record.adverseEvents.contains { CTCAETerm(displayName: $0.term) == CTCAETerm(displayName: term) } }.count
        }
        #expect(men("Dry skin") == 30)
        #expect(men("Irritability") == 14)
        #expect(men("Cholesterol high") == 5)
        #expect(men("rash") == 4)
    }

    @Test func nobodyDiscontinues() {
        for man in cohort {
            #expect(man.enrolment.status == .completed)
            #expect(man.record.medicationCourses.allSatisfy { $0.status == .completed && $0.stopReason == nil })
            #expect(man.record.adverseEvents.allSatisfy { $0.actionTaken == .none })
        }
    }

    @Test func everySemenAnalysisClassifiesAsRecorded() throws {
        for man in cohort {
            for sample in try man.semenAnalyses() {
                let reading = try sample.analysis.interpret()
                #expect(reading.summary == sample.recorded, "\(man.participant.mrn) \(sample.date)")
            }
        }
    }

    @Test func monthlyLabsArePlausible() {
        for man in cohort {
            let cholesterol = man.record.observations.filter { $0.code.code == "2093-3" }.compactMap(\.value.number)
            #expect(cholesterol.count >= 7)
            #expect(cholesterol.allSatisfy { (120...300).contains($0) })
            let alt = man.record.observations.filter { $0.code.code == "1742-6" }.compactMap(\.value.number)
            #expect(alt.allSatisfy { (5...120).contains($0) })
        }
    }
}
