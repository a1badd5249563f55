/// The participant flow drawn as a CONSORT-style diagram: the main column of boxes from pre-screening to
/// analysis, with the people who left at each step in boxes to the right. Plain SVG, no script or fonts.
public enum FlowDiagramSVG {
    static let width = 660
    static let boxWidth = 300
    static let sideWidth = 250
    static let boxHeight = 44
    static let rowGap = 74

    public static func render(_ section: ReportSection<ParticipantFlow>) -> String {
        guard let flow = section.content else {
            return XMLText.placeholderSVG(title: "Participant flow", message: section.unavailable ?? "not available")
        }
        let steps: [(main: String, side: String?)] = [
            ("Pre-screened (n = \(flow.prescreened))", flow.notScreened > 0 ? "Not screened (n = \(flow.notScreened))" : nil),
            ("Screened (n = \(flow.screened))", flow.screenFailed > 0 ? "Screen failed (n = \(flow.screenFailed))" : nil),
            ("Eligible (n = \(flow.eligible))", flow.eligibleNotEnrolled > 0 ? "Eligible, not enrolled (n = \(flow.eligibleNotEnrolled))" : nil),
            // Issue #14: enrolled past a refused protocol rule by an investigator's deviation, said in the box.
            (flow.enrolledWithDeviation > 0 ? "Enrolled (n = \(flow.enrolled); with a deviation: \(flow.enrolledWithDeviation))"
                                            : "Enrolled (n = \(flow.enrolled))",
             flow.notTreated > 0 ? "Not treated (n = \(flow.notTreated))" : nil),
            ("Started treatment (n = \(flow.treated))", nil),
        ]
        let outcomeY = 20 + steps.count * rowGap
        let analysedY = outcomeY + rowGap
        let height = analysedY + boxHeight + 20
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="Participant flow">
        <title>Participant flow (CONSORT style)</title>
        <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>
        <g font-family="sans-serif" font-size="13" fill="#111">

        """
        let mainX = 20, sideX = 20 + boxWidth + 70, centre = 20 + boxWidth / 2
        for (index, step) in steps.enumerated() {
            let y = 20 + index * rowGap
            svg += box(x: mainX, y: y, w: boxWidth, text: step.main, fill: "#eef4fb")
            svg += arrow(x1: centre, y1: y + boxHeight, x2: centre, y2: y + rowGap)
            if let side = step.side {
                let midY = y + boxHeight + (rowGap - boxHeight) / 2
                svg += line(x1: centre, y1: midY, x2: sideX, y2: midY, arrow: true)
                svg += box(x: sideX, y: midY - boxHeight / 2, w: sideWidth, text: side, fill: "#fdf2e9")
            }
        }
        // Four short boxes so each label fits its box at 13 px (about 7 px a character).
        let quarter = (width - 40 - 30) / 4
        let outcomes = [
            "Completed (n = \(flow.completed))",
            "Ongoing (n = \(flow.ongoing))",
            "Withdrawn (n = \(flow.withdrawn))",
            "Lost (n = \(flow.lostToFollowUp))",
        ]
        for (index, text) in outcomes.enumerated() {
            svg += box(x: 20 + index * (quarter + 10), y: outcomeY, w: quarter, text: text, fill: "#f3f3f3")
        }
        svg += arrow(x1: centre, y1: outcomeY + boxHeight, x2: centre, y2: analysedY)
        svg += box(x: mainX, y: analysedY, w: boxWidth, text: "Analysed (n = \(flow.analysed))", fill: "#e8f5e9")
        svg += "</g>\n</svg>\n"
        return svg
    }

    static func box(x: Int, y: Int, w: Int, text: String, fill: String) -> String {
        "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(w)\" height=\"\(boxHeight)\" rx=\"4\" fill=\"\(fill)\" stroke=\"#335\"/>\n"
            + "<text x=\"\(x + w / 2)\" y=\"\(y + boxHeight / 2 + 5)\" text-anchor=\"middle\">\(XMLText.escape(text))</text>\n"
    }

    static func arrow(x1: Int, y1: Int, x2: Int, y2: Int) -> String { line(x1: x1, y1: y1, x2: x2, y2: y2, arrow: true) }

    static func line(x1: Int, y1: Int, x2: Int, y2: Int, arrow: Bool) -> String {
        "<line x1=\"\(x1)\" y1=\"\(y1)\" x2=\"\(x2)\" y2=\"\(y2)\" stroke=\"#333\"\(arrow ? " marker-end=\"url(#arrow)\"" : "")/>\n"
    }
}
