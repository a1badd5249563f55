import Foundation
import RestoraDemo
import RestoraDomain
import Testing

/// The demo clinic's randomised trial (DemoRCT.swift; examples/protocols/isotretinoin-rct.yaml): 20 men at two sites,
/// each screened eligible on the trial's own criteria and stopped at the move to enrolled, with no arm — the
/// seeder's randomisation allocates it (RandomisationStorageTests covers the allocation itself).
@Suite("Demo randomised trial")
struct RandomisationDemoTests {
    /// protocols/ (the built-in protocols) holds the trial, byte-identical to examples/protocols (DeploymentTests).
    static func clinic() throws -> DemoClinic { try DemoFixture.clinic() }

    @Test("20 participants at two sites, eligible on the trial's criteria, up to enrolled, no arm, no treatment")
    func trial() throws {
        let clinic = try Self.clinic()
        let program = try #require(clinic.program(protocolID: "isotretinoin-rct"))
        #expect(program.name.count <= 200 && program.siteIDs.count == 2)
        let men = clinic.participants(protocolID: "isotretinoin-rct")
        #expect(men.count == 20)
        #expect(Set(men.map(\.participant.siteID)) == Set(program.siteIDs))
        for man in men {
            #expect(man.enrolment.status == .enrolled && man.enrolment.armID == nil)
            #expect(man.enrolment.transitions.map(\.to) == [.screening, .eligible, .consented, .enrolled])
            #expect(man.record.medicationCourses.isEmpty && man.record.adverseEvents.isEmpty)
            let enrolledAt = try #require(man.enrolment.transitions.last?.at)
            #expect(man.record.observations.allSatisfy { $0.effective <= enrolledAt })
            #expect(CalendarDate(enrolledAt) <= clinic.today)
        }
        // The other programs are drawn from their own streams: adding the trial changes none of them.
        let without = try DemoClinic.generate(protocols: try DemoFixture.protocols().filter { $0.id != "isotretinoin-rct" })
        #expect(clinic.participants.filter { $0.enrolment.programID != program.id } == without.participants)
    }
}
