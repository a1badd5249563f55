import RestoraDomain

/// Per-participant charts for the clinic web app: pure functions from observations to a standalone SVG string
/// (inline-embeddable; no script, no external fonts, no element ids, so several can share one page).
public enum ParticipantCharts {}

extension ParticipantCharts {
    /// Sperm concentration (10^6/mL, upper panel) and total + progressive motility (%, lower panel) over time,
    /// with the WHO 6th edition (2021) lower reference limits drawn and labelled (REFERENCE.md B1). Values below
    /// a limit are below the reference range, which does not by itself mean infertility (B1).
    public static func semen(_ observations: [Observation]) -> String {
        let data = SemenChartData(observations)
        guard data.hasPoints else {
            return XMLText.placeholderSVG(title: SemenChartData.title, message: "No semen analyses recorded yet")
        }
        let layout = SemenChartLayout(data)
        let limits = SemenChartData.limits
        var svg = ChartSVG.open(height: SemenChartLayout.height, title: SemenChartData.title, description: data.description)
        svg += ChartSVG.text(layout.upper.left, 18, "Sperm concentration (\(SemenChartData.edition.displayName) lower reference limit dashed)",
                             extra: " font-weight=\"bold\"")
        svg += ChartSVG.yAxis(layout.upper, layout.concentrationAxis, key: "concentration", title: "Concentration (10^6/mL)")
        svg += ChartSVG.xAxis(layout.upper, layout.months)
        svg += ChartSVG.referenceLine(layout.upper, y: layout.concentration(limits.concentrationMillionPerML), key: "concentration",
                                      value: limits.concentrationMillionPerML,
                                      label: "WHO 2021 lower limit \(ChartText.short(limits.concentrationMillionPerML)) × 10^6/mL")
        svg += ChartSVG.series(data.concentration.points.map { (layout.months($0.date), layout.concentration($0.value)) },
                               SemenChartData.concentrationStyle)
        svg += ChartSVG.legend([SemenChartData.concentrationStyle], x: layout.upper.left + 10, y: layout.upper.top - 12)

        svg += ChartSVG.text(layout.lower.left, layout.lower.top - 28, "Motility (lower reference limits dashed)", extra: " font-weight=\"bold\"")
        svg += ChartSVG.yAxis(layout.lower, layout.motilityAxis, key: "motility", title: "Motility (%)")
        svg += ChartSVG.xAxis(layout.lower, layout.months)
        svg += ChartSVG.referenceLine(layout.lower, y: layout.motility(limits.totalMotilityPercent), key: "total-motility",
                                      value: limits.totalMotilityPercent,
                                      label: "WHO 2021 lower limit, total (PR+NP) \(ChartText.short(limits.totalMotilityPercent))%")
        svg += ChartSVG.referenceLine(layout.lower, y: layout.motility(limits.progressiveMotilityPercent), key: "progressive-motility",
                                      value: limits.progressiveMotilityPercent,
                                      label: "WHO 2021 lower limit, progressive (PR) \(ChartText.short(limits.progressiveMotilityPercent))%")
        svg += ChartSVG.series(data.totalMotility.points.map { (layout.months($0.date), layout.motility($0.value)) },
                               SemenChartData.totalStyle)
        svg += ChartSVG.series(data.progressiveMotility.points.map { (layout.months($0.date), layout.motility($0.value)) },
                               SemenChartData.progressiveStyle)
        svg += ChartSVG.legend([SemenChartData.totalStyle, SemenChartData.progressiveStyle],
                               x: layout.lower.left + 10, y: layout.lower.top - 12)
        svg += ChartSVG.text(layout.lower.left + layout.lower.width / 2, layout.lower.bottom + 36, "Date of analysis", anchor: "middle")
        return svg + ChartSVG.close
    }
}

/// The semen series read from observations by the domain's LOINC codes and accepted units.
struct SemenChartData {
    static let title = "Semen analyses over time"
    /// WHO 6th edition (2021), the domain default (REFERENCE.md B1).
    static let edition = WHOEdition.sixth2021
    static var limits: SemenReferenceLimits { edition.lowerReferenceLimits }

    static let concentrationStyle = SeriesStyle(key: "concentration", name: "Sperm concentration", colour: SeriesStyle.blue,
                                                dash: nil, marker: .circle)
    static let totalStyle = SeriesStyle(key: "total-motility", name: "Total motility (PR+NP)", colour: SeriesStyle.vermillion,
                                        dash: nil, marker: .square)
    static let progressiveStyle = SeriesStyle(key: "progressive-motility", name: "Progressive motility (PR)",
                                              colour: SeriesStyle.green, dash: "6 3", marker: .triangle)

    var concentration: ChartSeriesData
    var totalMotility: ChartSeriesData
    var progressiveMotility: ChartSeriesData

    init(_ observations: [Observation]) {
        typealias Field = SemenAnalysis.SemenAnalysisField
        func read(_ field: Field) -> ChartSeriesData {
            let codes = SemenAnalysis.loincCodes[field] ?? []
            // Same units the classification accepts (10*6/mL, 10^6/mL, /nL are one unit; motility in %).
            // Percentages above 100 cannot be plotted truthfully on a 0–100 axis; they are counted as not plotted.
            let range = field == .concentration ? 0...1e12 : 0...100.0
            return ChartSeriesData.read(observations, matches: { $0.system == .loinc && codes.contains($0.code) },
                                        convert: { field.acceptedUnits.contains($0.unit) ? $0.value : nil }, allowed: range)
        }
        concentration = read(.concentration)
        totalMotility = read(.totalMotility)
        progressiveMotility = read(.progressiveMotility)
    }

    var hasPoints: Bool { !(concentration.points.isEmpty && totalMotility.points.isEmpty && progressiveMotility.points.isEmpty) }

    var allDates: [CalendarDate] { (concentration.points + totalMotility.points + progressiveMotility.points).map(\.date) }

    var description: String {
        let l = Self.limits
        return "Sperm concentration: \(concentration.summary(unit: "× 10^6/mL")); WHO 2021 lower reference limit "
            + "\(ChartText.short(l.concentrationMillionPerML)) × 10^6/mL.\(concentration.skippedSentence) "
            + "Total motility: \(totalMotility.summary(unit: "%", places: 0)); limit \(ChartText.short(l.totalMotilityPercent))%."
            + "\(totalMotility.skippedSentence) "
            + "Progressive motility: \(progressiveMotility.summary(unit: "%", places: 0)); limit "
            + "\(ChartText.short(l.progressiveMotilityPercent))%.\(progressiveMotility.skippedSentence)"
    }
}

/// Geometry of the two semen panels; internal so tests can check where a limit must fall.
struct SemenChartLayout {
    static let height = 500.0
    let upper = PlotArea(left: 78, top: 52, width: 560, height: 160)
    let lower = PlotArea(left: 78, top: 294, width: 560, height: 160)
    let months: MonthAxis
    let concentrationAxis: NiceAxis
    let motilityAxis = NiceAxis(minimum: 0, maximum: 100, target: 5)
    var concentration: LinearScale { upper.yScale(concentrationAxis) }
    var motility: LinearScale { lower.yScale(motilityAxis) }

    init(_ data: SemenChartData) {
        months = MonthAxis(dates: data.allDates, left: upper.left, width: upper.width)
        // Always from 0, and high enough to show the limit with room above it.
        let top = max(data.concentration.points.map(\.value).max() ?? 0, SemenChartData.limits.concentrationMillionPerML * 1.5)
        concentrationAxis = NiceAxis(minimum: 0, maximum: top, target: 5)
    }
}
