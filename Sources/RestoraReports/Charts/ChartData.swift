import RestoraDomain

/// One plotted value on one calendar date.
struct ChartPoint: Sendable, Equatable {
    var date: CalendarDate
    var value: Double
}

/// The points of one series, and what was left out and why (told to the reader in the chart's description).
struct ChartSeriesData: Sendable, Equatable {
    var points: [ChartPoint] = []
    /// Units that could not be read for this series, as recorded (shown escaped in the description).
    var skippedUnits: [String] = []
    var skippedCount = 0

    /// Reads the observations `matches` accepts; `convert` turns a quantity into the display unit or returns
    /// nil for a unit it does not know. Non-quantities, non-finite values and values outside `allowed` (in the
    /// display unit; negative amounts are impossible here) are skipped and counted.
    static func read(
        _ observations: [Observation], matches: (Coding) -> Bool, convert: (Quantity) -> Double?,
        allowed: ClosedRange<Double> = 0...1e12
    ) -> ChartSeriesData {
        var data = ChartSeriesData()
        var units = Set<String>()
        for observation in observations where matches(observation.code) {
            guard let quantity = observation.value.quantity, quantity.value.isFinite else {
                data.skippedCount += 1
                continue
            }
            guard let value = convert(quantity), value.isFinite else {
                data.skippedCount += 1
                units.insert(quantity.unit)
                continue
            }
            guard allowed.contains(value) else {
                data.skippedCount += 1
                continue
            }
            data.points.append(ChartPoint(date: observation.effectiveDate, value: value))
        }
        data.points.sort { ($0.date, $0.value) < ($1.date, $1.value) }
        data.skippedUnits = units.sorted()
        return data
    }

    /// " 2 values not plotted (unit not recognised: mg/dl?)." or "" when nothing was skipped.
    var skippedSentence: String {
        guard skippedCount > 0 else { return "" }
        let units = skippedUnits.isEmpty ? "no usable value: not a number, or out of range" : "unit not recognised: " + skippedUnits.joined(separator: ", ")
        return " \(ReportNumber.count(skippedCount, "value")) not plotted (\(units))."
    }

    /// "3 values from Jan 2025 to Jun 2025, latest 12.5 10^6/mL on 2025-06-02".
    func summary(unit: String, places: Int = 1) -> String {
        guard let first = points.first, let last = points.last else { return "no values" }
        return "\(ReportNumber.count(points.count, "value")) from \(first.date) to \(last.date), latest "
            + "\(ChartText.short(last.value, places: places)) \(unit) on \(last.date)"
    }
}
