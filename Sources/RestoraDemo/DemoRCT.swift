import Foundation
import RestoraDomain

/// The randomised isotretinoin trial of the demo clinic (issue #16 item 1; examples/protocols/isotretinoin-rct.yaml,
/// built into the binary): 20 synthetic men recruited over the last five months at two sites, each screened
/// eligible on the protocol's own criteria (the isotretinoin cohort's screening work-up), consented on the
/// program's consent document v1 (DemoConsent.swift) and then RANDOMISED through `RandomiseEnrolment` — the same
/// service, transaction and stratum lock as the API and the Randomise form — so their arms come from the system's
/// generator, not from this file. The demo stops at enrolment: what happens after (the course for the isotretinoin
/// arm, the visits) is for the person trying the demo to record.
enum DemoRCT {
    static let protocolID = "isotretinoin-rct"
    static let code = "RCT"
    static let participants = 20
    /// Mixed into the clinic's seed for the trial's own random stream.
    static let streamSalt: UInt64 = 0x5243_5431  // "RCT1"
    /// The protocol's title is too long for a program name (200 characters) once labelled synthetic.
    static let programName = "Isotretinoin vs observation in NOA, randomised 1:1 (\(DemoLabel.text))"

    static func build(_ context: inout DemoContext, sites: [Identifier<Site>]) throws -> [DemoParticipant] {
        try (0..<participants).map { index in
            let profile = DemoIsotretinoinProfile(
                cryptozoospermic: index % 4 == 0, priorRetrieval: index % 3 != 0,
                histology: index % 2 == 0 ? .maturationArrest : .sertoliCellOnly, responseMonth: nil, irritability: false)
            // Day 0 (had they been treated at once) 14 to 147 days before today: enrolment ~2 weeks earlier.
            let full = try DemoIsotretinoinCohort.participant(
                number: index + 1, profile: profile, start: context.today.adding(days: -(14 + 7 * index)), site: sites[index % sites.count],
                context: &context, missed: [], phqAlert: false, code: code, ongoing: true)
            return enrolledOnly(full)
        }
    }

    /// The participant as of his randomisation: the history up to enrolled, the screening work-up, no arm (the
    /// seeder's randomisation allocates it), no treatment and no visits after screening.
    static func enrolledOnly(_ full: DemoParticipant) -> DemoParticipant {
        let steps = full.enrolment.transitions.prefix { $0.from != .enrolled }
        let enrolledAt = steps.last?.at ?? Date.distantPast
        var record = full.record
        record.observations = record.observations.filter { $0.effective <= enrolledAt }
        record.medicationCourses = []
        record.adverseEvents = []
        let e = full.enrolment
        let enrolment = Enrolment(id: e.id, participantID: e.participantID, programID: e.programID, siteID: e.siteID, armID: nil,
                                  status: steps.last?.to ?? e.status, transitions: Array(steps), protocolVersion: e.protocolVersion)
        return DemoParticipant(record: record, enrolment: enrolment, visits: full.visits.filter { $0.plannedDay < 0 })
    }
}

extension DemoSeeder {
    /// The move to enrolled of a randomised protocol's participant: randomised through the service (as the
    /// demo investigator would at the site), in one transaction with the move. Returns the enrolment's version.
    func randomise(_ demo: DemoParticipant, at: Date, expectedVersion: Int, reason: String) async throws -> Int {
        let outcome = try await RandomiseEnrolment(repositories: repositories, catalog: catalog, ids: ids).randomise(
            demo.enrolment.id, factors: [:], expectedVersion: expectedVersion, at: at,
            context: AuditContext(actor: DemoEnrolmentPath.investigator, requestID: "demo-seed", reason: reason))
        return outcome.enrolment.version
    }
}
