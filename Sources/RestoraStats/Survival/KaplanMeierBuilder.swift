import Foundation

/// Incremental product-limit estimate: observations arrive in ascending time order and a step is emitted
/// each time the time changes. Several builders (one per group) can be fed from one pass over a sorted
/// sample, so grouped curves need neither a second sort nor a gather.
struct KaplanMeierBuilder {
    let confidenceType: SurvivalConfidenceType
    let z: Double
    private(set) var steps: [KaplanMeierStep] = []
    private(set) var subjects: Int
    private(set) var totalEvents = 0
    private var atRisk: Int
    private var survival = 1.0
    private var greenwood = 0.0
    private var pendingTime = -Double.infinity
    private var pendingEvents = 0
    private var pendingCensored = 0

    init(subjects: Int, confidenceType: SurvivalConfidenceType, z: Double) {
        self.subjects = subjects
        atRisk = subjects
        self.confidenceType = confidenceType
        self.z = z
    }

    mutating func reserveSteps(_ count: Int) { steps.reserveCapacity(count) }

    @inline(__always)
    mutating func add(time: Double, event: Bool) {
        if time != pendingTime {
            flush()
            pendingTime = time
        }
        if event { pendingEvents += 1 } else { pendingCensored += 1 }
    }

    /// A whole distinct time at once (from a `GroupedEventTable`).
    mutating func add(time: Double, events d: Int, censored c: Int) {
        flush()
        pendingTime = time
        pendingEvents = d
        pendingCensored = c
        flush()
    }

    mutating func flush() {
        let d = pendingEvents, c = pendingCensored
        guard d + c > 0 else { return }
        if d > 0 {
            survival *= Double(atRisk - d) / Double(atRisk)
            // As R survfit: a step to zero (d = n) makes the Greenwood term infinite.
            greenwood += atRisk > d ? Double(d) / (Double(atRisk) * Double(atRisk - d)) : .infinity
        }
        let se = greenwood.squareRoot()
        let (lower, upper) = confidenceType.limits(survival: survival, seLog: se, z: z)
        steps.append(KaplanMeierStep(
            time: pendingTime, atRisk: atRisk, events: d, censored: c, survival: survival,
            standardErrorLog: se, lower: lower, upper: upper))
        totalEvents += d
        atRisk -= d + c
        pendingEvents = 0
        pendingCensored = 0
    }

    mutating func finish(confidenceLevel: Double) -> KaplanMeierCurve {
        flush()
        return KaplanMeierCurve(
            steps: steps, subjects: subjects, totalEvents: totalEvents,
            confidenceType: confidenceType, confidenceLevel: confidenceLevel)
    }
}
