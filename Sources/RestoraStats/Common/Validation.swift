/// Input checks shared by the analyses. Each throws `StatsError.invalidInput` naming the field, so the CLI
/// can print one line that says which input is wrong.
enum Validate {
    static func finite(_ value: Double, _ field: String) throws {
        guard value.isFinite else { throw StatsError.invalidInput(field: field, message: "must be a finite number, got \(value)") }
    }

    static func confidence(_ level: Double, _ field: String = "confidence") throws {
        guard level.isFinite, level > 0, level < 1 else {
            throw StatsError.invalidInput(field: field, message: "must be strictly between 0 and 1, got \(level)")
        }
    }

    static func probability(_ p: Double, _ field: String, open: Bool = false) throws {
        guard p.isFinite, open ? (p > 0 && p < 1) : (p >= 0 && p <= 1) else {
            let range = open ? "strictly between 0 and 1" : "between 0 and 1"
            throw StatsError.invalidInput(field: field, message: "must be \(range), got \(p)")
        }
    }

    static func count(_ value: Int, _ field: String, minimum: Int = 0) throws {
        guard value >= minimum else {
            throw StatsError.invalidInput(field: field, message: "must be at least \(minimum), got \(value)")
        }
    }

    static func positive(_ value: Double, _ field: String) throws {
        guard value.isFinite, value > 0 else {
            throw StatsError.invalidInput(field: field, message: "must be a positive finite number, got \(value)")
        }
    }

    /// 0 ≤ successes ≤ trials, trials ≥ 1.
    static func successes(_ successes: Int, trials: Int, successField: String = "successes", trialField: String = "trials") throws {
        try count(trials, trialField, minimum: 1)
        // Beyond 10^15 integer arithmetic on n ± 1 could overflow and doubles no longer count exactly.
        guard trials <= 1_000_000_000_000_000 else {
            throw StatsError.invalidInput(field: trialField, message: "must be at most 10^15, got \(trials)")
        }
        try count(successes, successField)
        guard successes <= trials else {
            throw StatsError.invalidInput(field: successField, message: "must not exceed \(trialField) (\(trials)), got \(successes)")
        }
    }
}
