import RestoraDemo
import RestoraDomain
import Testing

/// The two stem-cell programs, checked through the domain rules (release decision, LSC, state machine).
@Suite struct DemoCellTherapyProgramTests {
    let clinic: DemoClinic
    init() throws { clinic = try DemoFixture.clinic() }

    func definition(_ id: String) throws -> ProtocolDefinition {
        try #require(try DemoFixture.protocols().first { $0.id == id })
    }

    @Test func stemCellAzoospermiaChains() throws {
        let spec = try #require(try definition("asc-azoospermia").release)
        let men = clinic.participants(protocolID: "asc-azoospermia").filter(\.wasEnrolled)
        #expect((18...22).contains(men.count))
        let products = men.flatMap(\.cellProducts)
        let decisions = try products.map { try $0.evaluateRelease(specification: spec).outcome }
        #expect(decisions.filter { $0 == .rejected }.count == 1)
        #expect(products.filter { $0.releaseStatus == .rejected }.count == 1)
        // Every administered lot passed release and went back into the man it came from.
        for p in men {
            for product in p.cellProducts where product.releaseStatus == .administered {
                #expect(try product.evaluateRelease(specification: spec).outcome == .released)
                #expect(product.participantID == p.participant.id)
                #expect(p.record.procedures.contains { $0.kind == .injection && $0.cellProductID == product.id })
            }
            #expect(p.record.procedures.contains { $0.kind == .tissueHarvest })
        }
        #expect(men.filter { $0.enrolment.status == .withdrawn }.count == 1)
        let injected = men.filter { $0.record.procedures.contains { $0.kind == .injection } }
        #expect(injected.count == men.count - 1)
        #expect(try injected.filter { try $0.firstResponseDay() != nil }.count == 4)
    }

    @Test func osteoporosisDXASeries() throws {
        let people = clinic.participants(protocolID: "msc-osteoporosis").filter(\.wasEnrolled)
        #expect((38...42).contains(people.count))
        #expect(Set(people.map(\.participant.siteID)).count == 3)
        var gains = 0, losses = 0
        for p in people {
            let start = try #require(p.dayZero)
            let spine = p.record.observations.filter { $0.code.code == "24966-4" }.sorted { $0.effective < $1.effective }
            #expect(spine.count >= 2)
            guard let before = spine.first?.value.number, let after = spine.last?.value.number,
                  let last = spine.last, last.effectiveDate > start else { continue }
            let verdict = try LeastSignificantChange.assess(site: .lumbarSpine, previousGPerCm2: before, currentGPerCm2: after).verdict
            if verdict == .significantGain { gains += 1 }
            if verdict == .significantLoss { losses += 1 }
        }
        #expect(gains > 0)
        #expect(gains + losses < people.count)
        let fractures = people.filter { $0.record.adverseEvents.contains { $0.term.contains("fracture") } }
        #expect((1...5).contains(fractures.count))
        #expect(people.contains { $0.record.medications.contains { $0.adjunct && $0.drugClass == "bisphosphonate" } })
        #expect(people.contains { $0.record.medications.contains { $0.adjunct && $0.drugClass == "hrt" } })
    }
}
