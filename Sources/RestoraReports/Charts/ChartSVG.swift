import RestoraDomain

/// The rectangle a panel plots in, in SVG pixels.
struct PlotArea: Sendable, Equatable {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var right: Double { left + width }
    var bottom: Double { top + height }

    func yScale(_ axis: NiceAxis) -> LinearScale { LinearScale(lower: axis.lower, upper: axis.upper, start: bottom, end: top) }
}

/// How a series looks: colour (Okabe–Ito palette, safe for colour-blind readers) plus a marker shape and a dash
/// pattern, so that series stay distinct in grey print too.
struct SeriesStyle: Sendable, Equatable {
    enum Marker: Sendable { case circle, square, triangle, diamond }
    var key: String
    var name: String
    var colour: String
    var dash: String?
    var marker: Marker

    static let blue = "#0072B2", vermillion = "#D55E00", green = "#009E73", purple = "#CC79A7", black = "#222222"
}

/// SVG fragments shared by the charts. Every text goes through `XMLText.escape`; numbers through `XMLText.number`.
enum ChartSVG {
    static func n(_ value: Double) -> String { XMLText.number(value) }
    static let width = 660.0

    /// The opening of a standalone chart: `role="img"`, an `aria-label`, `<title>` and a `<desc>` in words.
    static func open(height: Double, title: String, description: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" role="img" aria-label="\(XMLText.escape(title))">
        <title>\(XMLText.escape(title))</title>
        <desc>\(XMLText.escape(description))</desc>
        <g font-family="sans-serif" font-size="12" fill="#111">

        """
    }

    static let close = "</g>\n</svg>\n"

    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "start", extra: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\"\(extra)>\(XMLText.escape(content))</text>\n"
    }

    /// Grid lines and labels for a value axis, and its title (with the unit) rotated along the left edge.
    static func yAxis(_ area: PlotArea, _ axis: NiceAxis, key: String, title: String) -> String {
        let y = area.yScale(axis)
        var svg = ""
        for tick in axis.ticks {
            svg += "<line data-axis=\"\(key)\" data-tick=\"\(axis.label(tick))\" x1=\"\(n(area.left - 4))\" y1=\"\(n(y(tick)))\" x2=\"\(n(area.right))\" y2=\"\(n(y(tick)))\" stroke=\"#e2e2e2\"/>\n"
            svg += text(area.left - 7, y(tick) + 4, axis.label(tick), anchor: "end")
        }
        svg += "<line x1=\"\(n(area.left))\" y1=\"\(n(area.top))\" x2=\"\(n(area.left))\" y2=\"\(n(area.bottom))\" stroke=\"#333\"/>\n"
        let cx = area.left - 48, cy = area.top + area.height / 2
        svg += text(cx, cy, title, anchor: "middle", extra: " transform=\"rotate(-90 \(n(cx)) \(n(cy)))\"")
        return svg
    }

    /// Month ticks along the bottom of a panel.
    static func xAxis(_ area: PlotArea, _ months: MonthAxis) -> String {
        var svg = "<line x1=\"\(n(area.left))\" y1=\"\(n(area.bottom))\" x2=\"\(n(area.right))\" y2=\"\(n(area.bottom))\" stroke=\"#333\"/>\n"
        for tick in months.ticks {
            let x = months(tick)
            svg += "<line x1=\"\(n(x))\" y1=\"\(n(area.bottom))\" x2=\"\(n(x))\" y2=\"\(n(area.bottom + 5))\" stroke=\"#333\"/>\n"
            svg += text(x, area.bottom + 18, MonthAxis.label(tick), anchor: "middle", extra: " font-size=\"11\"")
        }
        return svg
    }

    /// A horizontal reference line across the panel with its label above the right end.
    static func referenceLine(_ area: PlotArea, y: Double, key: String, value: Double, label: String) -> String {
        "<line data-limit=\"\(key)\" data-value=\"\(ChartText.short(value))\" x1=\"\(n(area.left))\" y1=\"\(n(y))\" x2=\"\(n(area.right))\" y2=\"\(n(y))\" stroke=\"#444\" stroke-width=\"1.5\" stroke-dasharray=\"8 3 2 3\"/>\n"
            + text(area.right - 4, y - 4, label, anchor: "end", extra: " font-size=\"11\" fill=\"#333\"")
    }

    /// A line through the points and a marker on each; `step` draws a staircase (horizontal, then vertical).
    static func series(_ points: [(x: Double, y: Double)], _ style: SeriesStyle, step: Bool = false) -> String {
        guard let first = points.first else { return "" }
        var d = "M\(n(first.x)),\(n(first.y))"
        for point in points.dropFirst() { d += step ? " H\(n(point.x)) V\(n(point.y))" : " L\(n(point.x)),\(n(point.y))" }
        var svg = "<g data-series=\"\(XMLText.escape(style.key))\">\n"
        if points.count > 1 {
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(style.colour)\" stroke-width=\"2\"\(dashAttribute(style.dash))/>\n"
        }
        for point in points { svg += marker(point.x, point.y, style) }
        return svg + "</g>\n"
    }

    static func dashAttribute(_ dash: String?) -> String { dash.map { " stroke-dasharray=\"\($0)\"" } ?? "" }

    /// A marker as a path, with its centre in `data-cx`/`data-cy` (tests read those).
    static func marker(_ x: Double, _ y: Double, _ style: SeriesStyle, size r: Double = 4.5) -> String {
        let d: String
        switch style.marker {
        case .circle:
            d = "M\(n(x - r)),\(n(y)) a\(n(r)),\(n(r)) 0 1,0 \(n(2 * r)),0 a\(n(r)),\(n(r)) 0 1,0 \(n(-2 * r)),0 Z"
        case .square:
            d = "M\(n(x - r)),\(n(y - r)) h\(n(2 * r)) v\(n(2 * r)) h\(n(-2 * r)) Z"
        case .triangle:
            d = "M\(n(x)),\(n(y - r - 1)) L\(n(x + r + 1)),\(n(y + r)) L\(n(x - r - 1)),\(n(y + r)) Z"
        case .diamond:
            d = "M\(n(x)),\(n(y - r - 1)) L\(n(x + r + 1)),\(n(y)) L\(n(x)),\(n(y + r + 1)) L\(n(x - r - 1)),\(n(y)) Z"
        }
        return "<path data-cx=\"\(n(x))\" data-cy=\"\(n(y))\" d=\"\(d)\" fill=\"\(style.colour)\" stroke=\"#fff\" stroke-width=\"1\"/>\n"
    }

    /// A row of legend entries (line sample + marker + name) starting at (x, y).
    static func legend(_ styles: [SeriesStyle], x: Double, y: Double) -> String {
        var svg = "", cursor = x
        for style in styles {
            svg += "<line x1=\"\(n(cursor))\" y1=\"\(n(y))\" x2=\"\(n(cursor + 28))\" y2=\"\(n(y))\" stroke=\"\(style.colour)\" stroke-width=\"2\"\(dashAttribute(style.dash))/>\n"
            svg += marker(cursor + 14, y, style)
            svg += text(cursor + 34, y + 4, style.name)
            cursor += 34 + Double(style.name.count) * 6.6 + 18
        }
        return svg
    }
}
