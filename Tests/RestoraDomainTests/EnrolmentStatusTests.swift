import Foundation
import Testing
@testable import RestoraDomain

/// The legal moves, written out independently of `EnrolmentStatus.allowedNext` (issue 2): the forward path,
/// rescreening, withdrawal before completion, lost-to-follow-up once consented.
private let legalMoves: Set<[EnrolmentStatus]> = [
    [.prescreened, .screening], [.screening, .eligible], [.screening, .screenFailed], [.screenFailed, .screening],
    [.eligible, .consented], [.consented, .enrolled], [.enrolled, .onTreatment], [.onTreatment, .followUp],
    [.followUp, .completed],
    [.prescreened, .withdrawn], [.screening, .withdrawn], [.eligible, .withdrawn], [.consented, .withdrawn],
    [.enrolled, .withdrawn], [.onTreatment, .withdrawn], [.followUp, .withdrawn],
    [.consented, .lostToFollowUp], [.enrolled, .lostToFollowUp], [.onTreatment, .lostToFollowUp],
    [.followUp, .lostToFollowUp],
]

private let allPairs: [(EnrolmentStatus, EnrolmentStatus)] = EnrolmentStatus.allCases.flatMap { from in
    EnrolmentStatus.allCases.map { (from, $0) }
}

private let coordinator = Actor(userID: "u-coord", role: "coordinator")
private let instant = Date(timeIntervalSince1970: 1_760_000_000)

@Test(arguments: allPairs)
func everyTransitionIsAcceptedExactlyWhenLegal(from: EnrolmentStatus, to: EnrolmentStatus) throws {
    // given an enrolment sitting in `from`
    var enrolment = Enrolment(id: "e1", participantID: "p1", programID: "prog", siteID: "s1", status: from)
    let legal = legalMoves.contains([from, to])

    // when it is asked to move to `to`
    let result = Result { try enrolment.transition(to: to, by: coordinator, at: instant, reason: "test") }

    // then it moves (and records who/when/why) or refuses and stays put
    switch result {
    case .success(let record):
        #expect(legal, "\(from) → \(to) was accepted but is not legal")
        #expect(enrolment.status == to)
        #expect(record == StatusTransition(from: from, to: to, actor: coordinator, at: instant, reason: "test"))
        #expect(enrolment.transitions == [record])
    case .failure(let error):
        #expect(!legal, "\(from) → \(to) was refused but is legal: \(error)")
        #expect(enrolment.status == from)
        #expect(enrolment.transitions.isEmpty)
        guard case DomainError.illegalTransition = error else {
            Issue.record("expected illegalTransition, got \(error)")
            return
        }
    }
}

@Test func aTransitionWithoutAReasonIsRefused() {
    var enrolment = Enrolment(id: "e1", participantID: "p1", programID: "prog", siteID: "s1", status: .screening)
    #expect(throws: DomainError.invalidValue(field: "reason", message: "a reason is required for a status change")) {
        try enrolment.transition(to: .eligible, by: coordinator, at: instant, reason: "  ")
    }
    #expect(enrolment.status == .screening)
}

@Test func theWholePathFromPrescreeningToCompletionIsKept() throws {
    var enrolment = Enrolment(id: "e1", participantID: "p1", programID: "prog", siteID: "s1")
    let path: [EnrolmentStatus] = [.screening, .eligible, .consented, .enrolled, .onTreatment, .followUp, .completed]
    for (i, next) in path.enumerated() {
        try enrolment.transition(to: next, by: coordinator, at: instant.addingTimeInterval(Double(i)), reason: "step \(i)")
    }
    #expect(enrolment.status == .completed)
    #expect(enrolment.status.isTerminal)
    #expect(enrolment.transitions.map(\.to) == path)
    #expect(enrolment.transitions.first?.from == .prescreened)
}

@Test func illegalTransitionMessageNamesTheAllowedMoves() {
    var enrolment = Enrolment(id: "e1", participantID: "p1", programID: "prog", siteID: "s1", status: .completed)
    do {
        try enrolment.transition(to: .onTreatment, by: coordinator, at: instant, reason: "oops")
        Issue.record("completed → on-treatment must be refused")
    } catch {
        #expect("\(error)" == "cannot move an enrolment from completed to on-treatment (completed is final)")
    }
}
