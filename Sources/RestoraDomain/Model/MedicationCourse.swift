import Foundation

/// How often a dose is taken: `dosesPerPeriod` times a `period` — "2 a day" (isotretinoin 20 mg twice daily,
/// REFERENCE.md A1) or "1 a week" (alendronate 70 mg once weekly, issue #14; REFERENCE.md gives no alendronate regimen). Issue #14: a weekly dose
/// could not be expressed while the course kept only doses per day.
public struct DoseFrequency: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Period: String, Hashable, Sendable, Codable, CaseIterable {
        case day, week

        public var days: Int { self == .day ? 1 : 7 }
    }

    public var dosesPerPeriod: Int
    public var period: Period

    public init(_ dosesPerPeriod: Int, per period: Period) {
        self.dosesPerPeriod = dosesPerPeriod
        self.period = period
    }

    public static func daily(_ times: Int) -> DoseFrequency { DoseFrequency(times, per: .day) }
    public static func weekly(_ times: Int) -> DoseFrequency { DoseFrequency(times, per: .week) }

    /// Doses in `days` days of the course (fractional for a weekly dose over days that are not whole weeks).
    public func doses(inDays days: Int) -> Double { Double(days) * Double(dosesPerPeriod) / Double(period.days) }

    /// Allowed counts: 1–6 a day, 1–7 a week (a plausibility bound; the protocol's regimen is the clinical one).
    public var isPlausible: Bool {
        switch period {
        case .day: return (1...6).contains(dosesPerPeriod)
        case .week: return (1...7).contains(dosesPerPeriod)
        }
    }

    /// "twice a day", "once a week", "4 times a day".
    public var description: String {
        let times = switch dosesPerPeriod {
        case 1: "once"
        case 2: "twice"
        default: "\(dosesPerPeriod) times"
        }
        return "\(times) a \(period.rawValue)"
    }
}

/// A protocol drug course, e.g. isotretinoin 20 mg by mouth twice daily for 26 weeks (REFERENCE.md A1).
public struct MedicationCourse: Hashable, Sendable, Identifiable {
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
    /// How often the dose is taken: twice a day, once a week.
    public var frequency: DoseFrequency
    public var start: CalendarDate
    public var plannedStop: CalendarDate?
    public var stop: CalendarDate?
    public var status: Status
    public var dispensings: [Dispensing]
    public var stopReason: String?
    /// While the course is held by a protocol safety rule (issue #15 item 4, migration 0039): the alert whose
    /// rule held it and the clinical date of the value that fired it. Cleared when an investigator resumes the
    /// course (the alert keeps who lifted the hold, when and why).
    public var heldByAlertID: Identifier<SafetyAlertRecord>?
    public var heldOn: CalendarDate?

    public init(
        id: Identifier<MedicationCourse>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        drug: Coding, dose: Quantity, route: String, frequency: DoseFrequency, start: CalendarDate,
        plannedStop: CalendarDate? = nil, stop: CalendarDate? = nil, status: Status = .active,
        dispensings: [Dispensing] = [], stopReason: String? = nil,
        heldByAlertID: Identifier<SafetyAlertRecord>? = nil, heldOn: CalendarDate? = nil
    ) {
        self.id = id
        self.participantID = participantID
        self.enrolmentID = enrolmentID
        self.drug = drug
        self.dose = dose
        self.route = route
        self.frequency = frequency
        self.start = start
        self.plannedStop = plannedStop
        self.stop = stop
        self.status = status
        self.dispensings = dispensings
        self.stopReason = stopReason
        self.heldByAlertID = heldByAlertID
        self.heldOn = heldOn
    }

    /// A course taken `timesPerDay` times a day.
    public init(
        id: Identifier<MedicationCourse>, participantID: Identifier<Participant>, enrolmentID: Identifier<Enrolment>? = nil,
        drug: Coding, dose: Quantity, route: String, timesPerDay: Int, start: CalendarDate,
        plannedStop: CalendarDate? = nil, stop: CalendarDate? = nil, status: Status = .active,
        dispensings: [Dispensing] = [], stopReason: String? = nil
    ) {
        self.init(id: id, participantID: participantID, enrolmentID: enrolmentID, drug: drug, dose: dose, route: route,
                  frequency: .daily(timesPerDay), start: start, plannedStop: plannedStop, stop: stop, status: status,
                  dispensings: dispensings, stopReason: stopReason)
    }

    /// Doses per day of a daily course, as API clients and participant files before issue #14 read and wrote
    /// it; nil for a weekly course.
    public var timesPerDay: Int? { frequency.period == .day ? frequency.dosesPerPeriod : nil }

    /// The pill count over the dispensings whose returned units are counted: days covered, doses prescribed
    /// in them (`frequency.doses(inDays:)`: a 28-day supply of a weekly tablet is 4 doses, one unit a dose) and
    /// units taken (dispensed − returned). In Double: unit counts come from clinic input, and an Int overflow
    /// would stop the server (a trap). nil when no supply has been counted.
    public var pillCount: (supplies: Int, days: Int, prescribed: Double, taken: Double)? {
        let counted = dispensings.filter { $0.unitsReturned != nil && $0.daysCovered > 0 }
        guard !counted.isEmpty else { return nil }
        return (counted.count, counted.reduce(0) { $0 + $1.daysCovered },
                counted.reduce(0.0) { $0 + frequency.doses(inDays: $1.daysCovered) },
                counted.reduce(0.0) { $0 + Double($1.unitsDispensed) - Double($1.unitsReturned ?? 0) })
    }

    /// Adherence as doses taken / doses prescribed, by pill count over the returned dispensings; nil when no
    /// dispensing has a return count yet (nothing to judge from).
    public var adherence: Double? {
        guard let count = pillCount, count.prescribed > 0, count.prescribed.isFinite else { return nil }
        return count.taken / count.prescribed
    }

    /// How adherence was computed, for a page: "54 units taken (dispensed − returned) of 60 doses prescribed
    /// over 30 days covered (twice a day), 1 returned supply".
    public var adherenceBasis: String? {
        guard let count = pillCount else { return nil }
        return "\(NumberText.plain(count.taken)) units taken (dispensed − returned) of \(NumberText.plain(count.prescribed)) doses prescribed "
            + "over \(count.days) days covered (\(frequency)), \(count.supplies) returned \(count.supplies == 1 ? "supply" : "supplies")"
    }
}

/// The JSON of a course: the frequency as `dosesPerPeriod` and `period`, and — for a daily course —
/// `timesPerDay` as before issue #14, so existing clients and participant files keep reading and writing it.
extension MedicationCourse: Codable {
    enum CodingKeys: String, CodingKey {
        case id, participantID, enrolmentID, drug, dose, route, timesPerDay, dosesPerPeriod, period, start, plannedStop, stop,
             status, dispensings, stopReason, heldByAlertID, heldOn
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Identifier<MedicationCourse>.self, forKey: .id),
            participantID: try c.decode(Identifier<Participant>.self, forKey: .participantID),
            enrolmentID: try c.decodeIfPresent(Identifier<Enrolment>.self, forKey: .enrolmentID),
            drug: try c.decode(Coding.self, forKey: .drug), dose: try c.decode(Quantity.self, forKey: .dose),
            route: try c.decode(String.self, forKey: .route),
            frequency: try DoseFrequency.decode(from: c, timesPerDay: .timesPerDay, doses: .dosesPerPeriod, period: .period),
            start: try c.decode(CalendarDate.self, forKey: .start),
            plannedStop: try c.decodeIfPresent(CalendarDate.self, forKey: .plannedStop),
            stop: try c.decodeIfPresent(CalendarDate.self, forKey: .stop),
            status: try c.decodeIfPresent(Status.self, forKey: .status) ?? .active,
            dispensings: try c.decodeIfPresent([Dispensing].self, forKey: .dispensings) ?? [],
            stopReason: try c.decodeIfPresent(String.self, forKey: .stopReason),
            heldByAlertID: try c.decodeIfPresent(Identifier<SafetyAlertRecord>.self, forKey: .heldByAlertID),
            heldOn: try c.decodeIfPresent(CalendarDate.self, forKey: .heldOn))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(participantID, forKey: .participantID)
        try c.encodeIfPresent(enrolmentID, forKey: .enrolmentID)
        try c.encode(drug, forKey: .drug)
        try c.encode(dose, forKey: .dose)
        try c.encode(route, forKey: .route)
        try c.encodeIfPresent(timesPerDay, forKey: .timesPerDay)
        try c.encode(frequency.dosesPerPeriod, forKey: .dosesPerPeriod)
        try c.encode(frequency.period, forKey: .period)
        try c.encode(start, forKey: .start)
        try c.encodeIfPresent(plannedStop, forKey: .plannedStop)
        try c.encodeIfPresent(stop, forKey: .stop)
        try c.encode(status, forKey: .status)
        try c.encode(dispensings, forKey: .dispensings)
        try c.encodeIfPresent(stopReason, forKey: .stopReason)
        try c.encodeIfPresent(heldByAlertID, forKey: .heldByAlertID)
        try c.encodeIfPresent(heldOn, forKey: .heldOn)
    }
}

extension DoseFrequency {
    /// Reads a frequency written either as `timesPerDay: n` (before issue #14) or as `dosesPerPeriod` +
    /// `period`; both at once must agree.
    public static func decode<Key: CodingKey>(
        from c: KeyedDecodingContainer<Key>, timesPerDay: Key, doses: Key, period: Key
    ) throws -> DoseFrequency {
        let daily = try c.decodeIfPresent(Int.self, forKey: timesPerDay)
        let count = try c.decodeIfPresent(Int.self, forKey: doses)
        let unit = try c.decodeIfPresent(Period.self, forKey: period)
        switch (daily, count, unit) {
        case let (n?, nil, nil), let (n?, nil, .day?): return .daily(n)
        case let (nil, n?, p?): return DoseFrequency(n, per: p)
        case let (n?, m?, .day?) where n == m: return .daily(n)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: timesPerDay, in: c,
                debugDescription: "give the frequency as timesPerDay, or as dosesPerPeriod with period (day or week)")
        }
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
