/// The cumulative incidence of first response (1 − Kaplan–Meier) as a step curve with its pointwise 95 %
/// band, dashed landmarks at months 3 and 6, and the numbers at risk under the time axis.
public enum IncidenceCurveSVG {
    static let width = 660.0
    static let height = 400.0
    static let left = 60.0, right = 20.0, top = 30.0, plotHeight = 260.0

    public static func render(_ section: ReportSection<TimeToResponse>) -> String {
        guard let data = section.content else {
            return XMLText.placeholderSVG(title: "Time to first response", message: section.unavailable ?? "not available")
        }
        let maxMonth = Double(max(1, data.numbersAtRisk.last?.months ?? 1))
        let plotWidth = width - left - right
        let yMax = min(1, max(0.5, ((data.curve.compactMap(\.upper).max() ?? 0) * 10).rounded(.up) / 10))
        func x(_ months: Double) -> Double { left + months / maxMonth * plotWidth }
        func y(_ p: Double) -> Double { top + plotHeight - min(p, yMax) / yMax * plotHeight }
        let n = XMLText.number
        var path = "M\(n(x(0))),\(n(y(0)))"
        var upperBand: [(Double, Double)] = [(0, 0)], lowerBand: [(Double, Double)] = [(0, 0)]
        var previousUpper = 0.0, previousLower = 0.0
        for point in data.curve {
            path += " H\(n(x(point.months))) V\(n(y(point.incidence)))"
            upperBand += [(point.months, previousUpper), (point.months, point.upper ?? point.incidence)]
            lowerBand += [(point.months, previousLower), (point.months, point.lower ?? point.incidence)]
            previousUpper = point.upper ?? point.incidence
            previousLower = point.lower ?? point.incidence
        }
        path += " H\(n(x(data.maximumFollowUpMonths)))"
        upperBand.append((data.maximumFollowUpMonths, previousUpper))
        lowerBand.append((data.maximumFollowUpMonths, previousLower))
        let band = (upperBand + lowerBand.reversed()).map { "\(n(x($0.0))),\(n(y($0.1)))" }.joined(separator: " ")
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" role="img" aria-label="Cumulative incidence of first response">
        <title>Cumulative incidence of first response (1 − Kaplan–Meier), \(data.responders) of \(data.subjects) responded</title>
        <g font-family="sans-serif" font-size="12" fill="#111">
        <polygon points="\(band)" fill="#c6dbef" fill-opacity="0.6" stroke="none"/>
        <path d="\(path)" fill="none" stroke="#08519c" stroke-width="2"/>

        """
        for tick in 0...Int((yMax * 10).rounded()) {
            let p = Double(tick) / 10
            svg += "<line x1=\"\(n(left - 4))\" y1=\"\(n(y(p)))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(y(p)))\" stroke=\"#ddd\"/>\n"
            svg += "<text x=\"\(n(left - 8))\" y=\"\(n(y(p) + 4))\" text-anchor=\"end\">\(tick * 10)%</text>\n"
        }
        for landmark in data.landmarks where landmark.months <= maxMonth {
            svg += "<line x1=\"\(n(x(landmark.months)))\" y1=\"\(n(top))\" x2=\"\(n(x(landmark.months)))\" y2=\"\(n(top + plotHeight))\" stroke=\"#888\" stroke-dasharray=\"5 4\"/>\n"
            svg += "<text x=\"\(n(x(landmark.months) + 4))\" y=\"\(n(top + 12))\">\(XMLText.escape(ReportNumber.percent(landmark.incidence))) by month \(Int(landmark.months))</text>\n"
        }
        let axisY = top + plotHeight
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(axisY))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(axisY))\" stroke=\"#333\"/>\n"
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(axisY))\" stroke=\"#333\"/>\n"
        for entry in data.numbersAtRisk {
            let xm = x(Double(entry.months))
            svg += "<text x=\"\(n(xm))\" y=\"\(n(axisY + 18))\" text-anchor=\"middle\">\(entry.months)</text>\n"
            svg += "<text x=\"\(n(xm))\" y=\"\(n(axisY + 62))\" text-anchor=\"middle\">\(entry.atRisk)</text>\n"
        }
        svg += "<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(axisY + 36))\" text-anchor=\"middle\">Months from day 0</text>\n"
        svg += "<text x=\"\(n(left - 50))\" y=\"\(n(axisY + 62))\" font-weight=\"bold\">At risk</text>\n"
        svg += "<text x=\"\(n(left))\" y=\"\(n(top - 10))\" font-weight=\"bold\">Cumulative incidence of first response (shaded: 95% CI)</text>\n"
        svg += "</g>\n</svg>\n"
        return svg
    }
}
