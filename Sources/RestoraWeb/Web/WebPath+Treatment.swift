import RestoraDomain

/// The prescribing, dispensing and adherence pages' paths (issue #14 item 5; docs/treatment.md).
extension WebPath {
    static func prescribe(_ id: Identifier<Participant>) -> String { participant(id) + "/medication-courses/new" }
    static func medicationCourse(_ id: Identifier<MedicationCourse>) -> String { "/medication-courses/\(id.rawValue)" }
    static func dispense(_ id: Identifier<MedicationCourse>) -> String { medicationCourse(id) + "/dispense" }
    static func countReturn(_ id: Identifier<MedicationCourse>) -> String { medicationCourse(id) + "/return" }
    static func courseStatus(_ id: Identifier<MedicationCourse>) -> String { medicationCourse(id) + "/status" }
}
