import RestoraDomain

/// The prescribing, dispensing and adherence pages' paths (issue #14 item 5; docs/treatment.md).
extension WebPath {
    static func prescribe(_ id: Identifier<Participant>) -> String { PageRoute.prescribe.path(id.rawValue) }
    static func medicationCourse(_ id: Identifier<MedicationCourse>) -> String { PageRoute.medicationCourse.path(id.rawValue) }
    static func dispense(_ id: Identifier<MedicationCourse>) -> String { PageRoute.dispense.path(id.rawValue) }
    static func countReturn(_ id: Identifier<MedicationCourse>) -> String { PageRoute.countReturn.path(id.rawValue) }
    static func courseStatus(_ id: Identifier<MedicationCourse>) -> String { PageRoute.courseStatus.path(id.rawValue) }
}
