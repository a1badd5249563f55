import Foundation

/// Starting a medication course and handing out its supplies, the way every entry point must: the course's
/// enrolment must be the participant's own, the dose positive and taken 1 to 6 times a day, and a dispensing
/// covers at most 30 days (REFERENCE.md E2, iPLEDGE).
public struct MedicationEntry: Sendable {
    public let repositories: Repositories

    public init(repositories: Repositories) {
        self.repositories = repositories
    }

    public func startCourse(_ course: MedicationCourse, context: AuditContext, idempotencyKey: String?) async throws -> Versioned<MedicationCourse> {
        guard course.dose.value > 0, course.dose.value.isFinite, (1...6).contains(course.timesPerDay) else {
            throw DomainError.invalidValue(field: "dose", message: "a positive dose taken 1 to 6 times a day is required")
        }
        if let stop = course.plannedStop, stop < course.start {
            throw DomainError.invalidValue(field: "plannedStop", message: "the planned stop is before the start")
        }
        try await RecordReferences(repositories: repositories).enrolment(course.enrolmentID, of: course.participantID)
        return try await repositories.medicationCourses.create(course, context: context, idempotencyKey: idempotencyKey)
    }

    public static let maxUnitsPerDispensing = 10_000

    public func dispense(
        _ dispensing: Dispensing, to course: Identifier<MedicationCourse>, expectedVersion: Int, context: AuditContext
    ) async throws -> Versioned<MedicationCourse> {
        // REFERENCE.md E2 (iPLEDGE): no more than a 30-day supply at a time.
        guard (1...30).contains(dispensing.daysCovered), dispensing.unitsDispensed > 0 else {
            throw DomainError.invalidValue(field: "daysCovered", message: "a dispensing covers 1 to 30 days with at least one unit")
        }
        // A plausibility bound, not a clinical rule: no supply of one course reaches 10,000 units.
        guard dispensing.unitsDispensed <= Self.maxUnitsPerDispensing else {
            throw DomainError.invalidValue(field: "unitsDispensed", message: "at most \(Self.maxUnitsPerDispensing) units are dispensed at a time")
        }
        if let returned = dispensing.unitsReturned, !(0...dispensing.unitsDispensed).contains(returned) {
            throw DomainError.invalidValue(field: "unitsReturned", message: "the units returned are from 0 to the units dispensed")
        }
        return try await repositories.medicationCourses.addDispensing(dispensing, to: course, expectedVersion: expectedVersion, context: context)
    }
}
