import RestoraDomain

/// A linear map from data values to SVG pixels. For a y axis `range.start` is the bottom pixel, so larger
/// values map upwards.
struct LinearScale: Sendable, Equatable {
    var lower: Double
    var upper: Double
    var start: Double
    var end: Double

    func callAsFunction(_ value: Double) -> Double {
        let span = upper - lower
        guard span > 0, span.isFinite else { return (start + end) / 2 }
        return start + (value - lower) / span * (end - start)
    }

    /// The pixel for `value`, held inside the axis (for bands and lines that run past the plot).
    func clamped(_ value: Double) -> Double { self(min(max(value, lower), upper)) }

    func contains(_ value: Double) -> Bool { value >= lower && value <= upper }
}

/// Round axis limits and ticks: steps of 1, 2 or 5 × 10^k.
struct NiceAxis: Sendable, Equatable {
    var lower: Double
    var upper: Double
    var step: Double

    /// An axis covering `minimum...maximum` with about `target` intervals; a flat or empty range is widened.
    init(minimum: Double, maximum: Double, target: Int = 5, integerSteps: Bool = false) {
        var low = minimum, high = maximum
        if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        var step = NiceAxis.niceStep((high - low) / Double(max(1, target)))
        if integerSteps { step = max(1, step.rounded(.up)) }
        self.step = step
        self.lower = (low / step).rounded(.down) * step
        self.upper = (high / step).rounded(.up) * step
        if upper <= lower { upper = lower + step }
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...max(0, count)).map { lower + Double($0) * step }
    }

    /// Decimals needed to print every tick exactly (0 for a step of 1 or more).
    var places: Int {
        var places = 0, step = self.step
        while step < 1 - 1e-9, places < 6 {
            step *= 10
            places += 1
        }
        return places
    }

    func label(_ value: Double) -> String { ChartText.number(value, places: places) }
}

/// The time axis: whole calendar months, from the first day of the first month with data to the first day of
/// the month after the last, with a tick at the start of every month (or every 2, 3, 6, 12 when crowded).
struct MonthAxis: Sendable, Equatable {
    var first: CalendarDate
    var end: CalendarDate
    var x: LinearScale

    init(dates: [CalendarDate], left: Double, width: Double) {
        let low = dates.min() ?? CalendarDate(dayNumber: 0)
        let high = dates.max() ?? low
        first = CalendarDate(year: low.year, month: low.month, day: 1) ?? low
        end = MonthAxis.addingMonths(1, to: CalendarDate(year: high.year, month: high.month, day: 1) ?? high)
        x = LinearScale(lower: Double(first.dayNumber), upper: Double(end.dayNumber), start: left, end: left + width)
    }

    func callAsFunction(_ date: CalendarDate) -> Double { x(Double(date.dayNumber)) }

    static func addingMonths(_ months: Int, to date: CalendarDate) -> CalendarDate {
        let index = date.year * 12 + (date.month - 1) + months
        return CalendarDate(year: index / 12, month: index % 12 + 1, day: 1) ?? date
    }

    var monthCount: Int { (end.year * 12 + end.month) - (first.year * 12 + first.month) }

    /// Month starts to tick, spaced so that labels (about 60 px each) do not collide.
    var ticks: [CalendarDate] {
        let room = max(1, Int((x.end - x.start) / 62))
        let step = [1, 2, 3, 6, 12, 24, 60].first { monthCount / $0 <= room } ?? 120
        return stride(from: 0, through: monthCount, by: step).map { MonthAxis.addingMonths($0, to: first) }
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "Mar 2025".
    static func label(_ date: CalendarDate) -> String { "\(monthNames[date.month - 1]) \(date.year)" }
}

/// Numbers as labels: fixed decimals with trailing zeros kept off, and never a crash on huge input.
enum ChartText {
    static func number(_ value: Double, places: Int) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "–" }
        var text = ReportNumber.fixed(value, places: places)
        if text == "-0" { text = "0" }
        return text
    }

    /// Up to `places` decimals, trailing zeros removed: 16 → "16", 0.835 → "0.835".
    static func short(_ value: Double, places: Int = 3) -> String {
        var text = number(value, places: places)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
