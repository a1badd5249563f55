import Foundation

/// A protocol drug course, e.g. isotretinoin 20 mg by mouth twice daily for 26 weeks (REFERENCE.md A1).
public struct MedicationCourse: Hashable, Sendable, Codable, Identifiable {
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case planned, active, held, stopped, completed
    }

    public var id: Identifier<MedicationCourse>
    public var participantID: Identifier<Participant>
    public var enrolmentID: Identifier<Enrolment>?
    /// RxNorm ingredient code, e.g. isotretinoin 6064 (REFERENCE.md F3).
    public var drug: Coding
    public var dose: Quantity
    public var route: String
    /// Doses per day, e.g. 2 for "twice daily".
    public var timesPerDay: Int
    public var start: CalendarDate
    public var plannedStop: CalendarDate?
    public var stop: CalendarDate?
    public var status: Status
    public var dispensings: [Dispensing]
    public var stopReason: String?

    public init(
        id: Identifier<MedicationCourse>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        drug: Coding, dose: Quantity, route: String, timesPerDay: Int, start: CalendarDate,
        plannedStop: CalendarDate? = nil, stop: CalendarDate? = nil, status: Status = .active,
        dispensings: [Dispensing] = [], stopReason: String? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.drug = drug
        self.dose = dose
        self.route = route
        self.timesPerDay = timesPerDay
        self.start = start
        self.plannedStop = plannedStop
        self.stop = stop
        self.status = status
        self.dispensings = dispensings
        self.stopReason = stopReason
    }

    /// Adherence as doses taken / doses prescribed, by pill count over the returned dispensings.
    /// nil when no dispensing has a return count yet (nothing to judge from).
    public var adherence: Double? {
        let counted = dispensings.filter { $0.unitsReturned != nil && $0.daysCovered > 0 }
        guard !counted.isEmpty else { return nil }
        // In Double: unit counts come from clinic input, and an Int overflow would stop the server (a trap).
        let prescribed = counted.reduce(0.0) { $0 + Double($1.daysCovered) * Double(timesPerDay) }
        let taken = counted.reduce(0.0) { $0 + Double($1.unitsDispensed) - Double($1.unitsReturned ?? 0) }
        guard prescribed > 0 else { return nil }
        return taken / prescribed
    }
}

/// One supply handed to the participant (iPLEDGE: at most a 30-day supply, REFERENCE.md E2).
public struct Dispensing: Hashable, Sendable, Codable {
    public var date: CalendarDate
    public var unitsDispensed: Int
    public var daysCovered: Int
    public var unitsReturned: Int?
    public var lot: String?

    public init(date: CalendarDate, unitsDispensed: Int, daysCovered: Int, unitsReturned: Int? = nil, lot: String? = nil) {
        self.date = date
        self.unitsDispensed = unitsDispensed
        self.daysCovered = daysCovered
        self.unitsReturned = unitsReturned
        self.lot = lot
    }
}

/// A medicine the participant takes besides the protocol treatment (e.g. a bisphosphonate or HRT as an
/// adjunct in the osteoporosis program; a tetracycline that excludes from the isotretinoin program).
public struct ConcomitantMedication: Hashable, Sendable, Codable {
    public var drug: Coding
    /// e.g. "retinoid", "tetracycline", "bisphosphonate", "hrt", "vitamin-a": the class the criteria speak of.
    public var drugClass: String?
    public var dose: String?
    public var start: CalendarDate?
    public var stop: CalendarDate?
    /// Recorded as an adjunct therapy of the program (osteoporosis: HRT, bisphosphonates).
    public var adjunct: Bool

    public init(drug: Coding, drugClass: String? = nil, dose: String? = nil, start: CalendarDate? = nil,
                stop: CalendarDate? = nil, adjunct: Bool = false) {
        self.drug = drug
        self.drugClass = drugClass
        self.dose = dose
        self.start = start
        self.stop = stop
        self.adjunct = adjunct
    }

    /// Taken on `date`: started on or before it and not stopped before it.
    public func isCurrent(on date: CalendarDate) -> Bool {
        if let start, start > date { return false }
        if let stop, stop < date { return false }
        return true
    }
}
