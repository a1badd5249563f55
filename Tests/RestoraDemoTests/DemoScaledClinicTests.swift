import Foundation
import RestoraDemo
import RestoraDomain
import Testing

/// `DemoScaledClinic` (`restora demo --participants N`): extra participants made one at a time by the same
/// builders, deterministic per seed and per index, spread over the programs and their sites, labelled
/// synthetic and dated no later than "today".
@Suite struct DemoScaledClinicTests {
    static func scaled(extra: Int, seed: UInt64 = 7) throws -> DemoScaledClinic {
        let clinic = try DemoFixture.clinic()
        return try DemoScaledClinic(base: clinic, protocols: try DemoFixture.protocols(),
                                    total: clinic.participants.count + extra, seed: seed)
    }

    @Test func refusesFewerThanTheDefaultClinic() throws {
        let clinic = try DemoFixture.clinic()
        #expect(throws: DemoGenerationError.self) {
            _ = try DemoScaledClinic(base: clinic, protocols: try DemoFixture.protocols(), total: clinic.participants.count - 1, seed: 1)
        }
        let same = try DemoScaledClinic(base: clinic, protocols: try DemoFixture.protocols(), total: clinic.participants.count, seed: 1)
        #expect(same.extra == 0)
        #expect(throws: DemoGenerationError.self) { _ = try same.participant(0) }
    }

    @Test func sameSeedSameParticipantsAndEachIndexIndependentOfN() throws {
        let a = try Self.scaled(extra: 12), b = try Self.scaled(extra: 12), longer = try Self.scaled(extra: 40)
        let other = try Self.scaled(extra: 12, seed: 8)
        for k in 0..<12 {
            let p = try a.participant(k)
            #expect(p == (try b.participant(k)))
            #expect(p == (try longer.participant(k)))
            #expect(p.participant.id == (try other.participant(k)).participant.id)
        }
        // Another seed: same people (ids, programs), other values.
        let values = { (s: DemoScaledClinic) in try (0..<12).map { try s.participant($0).record.observations.count } }
        #expect(try (0..<12).map { try a.participant($0) } != (try (0..<12).map { try other.participant($0) }))
        #expect(try values(a) == values(b))
    }

    @Test func spreadOverProgramsAndSitesUniqueLabelledAndNotAfterToday() throws {
        let scaled = try Self.scaled(extra: 36)
        let clinic = scaled.base
        let people = try (0..<36).map { try scaled.participant($0) }
        let defaultIDs = Set(clinic.participants.map(\.participant.id))
        #expect(Set(people.map(\.participant.id)).count == 36)
        #expect(people.allSatisfy { !defaultIDs.contains($0.participant.id) })
        #expect(Set(people.map(\.participant.mrn)).count == 36)
        #expect(people.allSatisfy { $0.participant.mrn.hasPrefix(DemoLabel.mrnPrefix) && $0.participant.givenName == "Synthetic" })
        let lots = people.flatMap(\.cellProducts).map(\.lot) + clinic.participants.flatMap(\.cellProducts).map(\.lot)
        #expect(Set(lots).count == lots.count)
        // The randomised trial (DemoRCT.swift) keeps its 20 men: scaled participants go to the three programs.
        for program in clinic.programs where program.protocolID != "isotretinoin-rct" {
            let members = people.filter { $0.enrolment.programID == program.id }
            #expect(members.count == 12, "\(program.protocolID)")
            #expect(Set(members.map(\.participant.siteID)) == Set(program.siteIDs), "\(program.protocolID)")
            #expect(members.allSatisfy { $0.enrolment.siteID == $0.participant.siteID && program.siteIDs.contains($0.participant.siteID) })
        }
        let today = clinic.today
        for p in people {
            #expect(p.record.observations.allSatisfy { $0.effectiveDate <= today && $0.note?.contains(DemoLabel.text) == true })
            #expect(p.enrolment.transitions.allSatisfy { CalendarDate($0.at) <= today })
            #expect(p.visits.allSatisfy { ($0.actualDate ?? today) <= today })
            #expect(p.cellProducts.flatMap(\.custody).allSatisfy { CalendarDate($0.at) <= today })
            #expect(p.record.adverseEvents.allSatisfy { $0.onset <= today })
            #expect(p.record.observations.count > 5)
        }
        // Realistic timelines: the isotretinoin men finish their course; some stem-cell follow-up is still ahead.
        let iso = try #require(clinic.program(protocolID: "isotretinoin-noa"))
        #expect(people.filter { $0.enrolment.programID == iso.id }.allSatisfy { $0.enrolment.status == .completed })
        #expect(people.contains { $0.visits.contains { $0.status == .scheduled } })
    }
}
