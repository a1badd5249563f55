import RestoraDomain

/// Program-level charts for the clinic web app (standalone SVG strings, like `ParticipantCharts`).
public enum ProgramCharts {}

extension ProgramCharts {
    /// Cumulative number of participants enrolled by the end of each month, as a step line. An enrolment counts
    /// from the date of its first transition to `.enrolled` (later withdrawal does not uncount it); enrolments
    /// that never reached `.enrolled` are not counted.
    public static func enrolmentOverTime(_ enrolments: [Enrolment]) -> String {
        enrolmentOverTime(EnrolmentChartData(enrolments))
    }

    /// The same chart from counts already made (by the database): enrolments per first day of the month of
    /// their move to enrolled, and how many have not moved yet.
    public static func enrolmentOverTime(byMonth counts: [CalendarDate: Int], notEnrolled: Int) -> String {
        enrolmentOverTime(EnrolmentChartData(counts: counts, notEnrolled: notEnrolled))
    }

    static func enrolmentOverTime(_ data: EnrolmentChartData) -> String {
        guard !data.monthly.isEmpty else {
            return XMLText.placeholderSVG(title: EnrolmentChartData.title, message: "No participants enrolled yet")
        }
        let area = PlotArea(left: 78, top: 56, width: 560, height: 240)
        let months = MonthAxis(dates: data.monthly.map(\.month), left: area.left, width: area.width)
        let axis = NiceAxis(minimum: 0, maximum: Double(data.total), target: 5, integerSteps: true)
        let y = area.yScale(axis)
        var svg = ChartSVG.open(height: 370, title: EnrolmentChartData.title, description: data.description)
        svg += ChartSVG.text(area.left, 18, "Cumulative participants enrolled (counted at the end of each month)",
                             extra: " font-weight=\"bold\"")
        svg += ChartSVG.yAxis(area, axis, key: "enrolled", title: "Participants enrolled")
        svg += ChartSVG.xAxis(area, months)
        // Staircase: 0 at the start of the first month, then up to each month's cumulative count at its end.
        var points: [(x: Double, y: Double)] = [(months(months.first), y(0))]
        for entry in data.monthly {
            points.append((months(MonthAxis.addingMonths(1, to: entry.month)), y(Double(entry.cumulative))))
        }
        svg += ChartSVG.series(points, EnrolmentChartData.style, step: true)
        svg += ChartSVG.legend([EnrolmentChartData.style], x: area.left + 10, y: area.top - 12)
        svg += ChartSVG.text(area.left + area.width / 2, area.bottom + 36, "Month of enrolment", anchor: "middle")
        return svg + ChartSVG.close
    }
}

struct EnrolmentChartData {
    static let title = "Enrolment over time"
    static let style = SeriesStyle(key: "enrolled", name: "Enrolled (cumulative)", colour: SeriesStyle.blue, dash: nil, marker: .circle)

    struct Month: Equatable {
        /// First day of the month.
        var month: CalendarDate
        var new: Int
        var cumulative: Int
    }

    /// Every month from the first enrolment's to the last one's, including months with none.
    var monthly: [Month] = []
    var total: Int { monthly.last?.cumulative ?? 0 }
    var notEnrolled = 0

    init(_ enrolments: [Enrolment]) {
        var counts: [CalendarDate: Int] = [:]
        var notEnrolled = 0
        for enrolment in enrolments {
            guard let transition = enrolment.transitions.first(where: { $0.to == .enrolled }),
                  transition.at.timeIntervalSince1970.isFinite else {
                notEnrolled += 1
                continue
            }
            let day = CalendarDate(transition.at)
            guard let month = CalendarDate(year: day.year, month: day.month, day: 1) else { continue }
            counts[month, default: 0] += 1
        }
        self.init(counts: counts, notEnrolled: notEnrolled)
    }

    /// `counts` per first day of a month.
    init(counts: [CalendarDate: Int], notEnrolled: Int) {
        self.notEnrolled = notEnrolled
        guard let first = counts.keys.min(), let last = counts.keys.max() else { return }
        var month = first, running = 0
        while month <= last {
            let new = counts[month] ?? 0
            running += new
            monthly.append(Month(month: month, new: new, cumulative: running))
            month = MonthAxis.addingMonths(1, to: month)
        }
    }

    var description: String {
        guard let first = monthly.first, let last = monthly.last else { return "No participants enrolled." }
        let busiest = monthly.max { ($0.new, $1.month) < ($1.new, $0.month) } ?? last
        var text = "\(ReportNumber.count(total, "participant")) enrolled from \(MonthAxis.label(first.month)) to "
            + "\(MonthAxis.label(last.month)); most in \(MonthAxis.label(busiest.month)) (\(busiest.new)). By month: "
        text += monthly.filter { $0.new > 0 }.map { "\(MonthAxis.label($0.month)) \($0.cumulative)" }.joined(separator: ", ") + "."
        if notEnrolled > 0 { text += " \(ReportNumber.count(notEnrolled, "record")) not yet enrolled are not counted." }
        return text
    }
}
