import Foundation
import RestoraDomain

/// Places a protocol's schedule of assessments on dates (day 0 = first dose or injection) and records each
/// visit as a clinic would: attended a day or two off the planned date (always inside the window),
/// missed, not yet due on "today", or cancelled after a withdrawal.
enum DemoSchedule {
    static func visits(
        for definition: ProtocolDefinition, enrolmentID: Identifier<Enrolment>, start: CalendarDate,
        today: CalendarDate, rng: inout SplitMix64, missed: Set<String> = [], endedOn: CalendarDate? = nil
    ) -> [Visit] {
        definition.schedule.map { item in
            let planned = start.adding(days: item.day)
            let jitter = rng.int(-min(2, item.windowBefore)...min(2, item.windowAfter))
            let actual = planned.adding(days: jitter)
            var visit = Visit(
                id: Identifier("\(enrolmentID.rawValue)-\(item.key)"), enrolmentID: enrolmentID, visitKey: item.key,
                plannedDay: item.day, windowBefore: item.windowBefore, windowAfter: item.windowAfter)
            if let endedOn, actual > endedOn {
                visit.status = .cancelled
                visit.note = "cancelled: participant withdrew on \(endedOn)"
            } else if missed.contains(item.key), actual <= today {
                visit.status = .missed
                visit.note = "participant did not attend; not rescheduled (\(DemoLabel.text))"
            } else if actual <= today {
                visit.status = .completed
                visit.actualDate = actual
            }
            return visit
        }
    }

    static func completed(_ visits: [Visit], _ key: String) -> Visit? {
        visits.first { $0.visitKey == key && $0.status == .completed }
    }
}

/// Walks an enrolment through the domain's state machine (`Enrolment.transition`), so every demo history
/// is one the real system would accept.
enum DemoEnrolmentPath {
    static let coordinator = Actor(userID: "demo-coordinator", role: "coordinator")
    static let investigator = Actor(userID: "demo-investigator", role: "investigator")

    struct Step {
        var status: EnrolmentStatus
        var on: CalendarDate
        var reason: String
    }

    static func walk(_ enrolment: inout Enrolment, _ steps: [Step]) throws {
        for step in steps {
            let actor: Actor = [.screening, .onTreatment, .followUp].contains(step.status) ? coordinator : investigator
            try enrolment.transition(to: step.status, by: actor, at: DemoRecordBuilder.instant(step.on, hour: 15),
                                     reason: step.reason)
        }
    }

    /// The usual path of a participant who starts treatment on `start`, screened at `screened`.
    static func treated(screened: CalendarDate, start: CalendarDate) -> [Step] {
        [
            Step(status: .screening, on: screened, reason: "screening visit booked"),
            Step(status: .eligible, on: screened.adding(days: 7), reason: "all inclusion criteria met, no exclusion (screening report)"),
            Step(status: .consented, on: screened.adding(days: 10), reason: "informed consent signed"),
            Step(status: .enrolled, on: screened.adding(days: 10), reason: "enrolled by the investigator"),
            Step(status: .onTreatment, on: start, reason: "day 0: first dose or injection"),
        ]
    }
}
