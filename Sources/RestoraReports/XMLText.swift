/// Escaping for text placed in SVG and HTML (both XML-compatible here), so a participant-entered reason
/// such as "moved <abroad> & left" can never break the markup.
enum XMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Coordinates with at most two decimals, so the SVG is compact and stable across platforms.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let text = ReportNumber.fixed(value, places: 2)
        var trimmed = text
        if trimmed.contains(".") {
            while trimmed.hasSuffix("0") { trimmed.removeLast() }
            if trimmed.hasSuffix(".") { trimmed.removeLast() }
        }
        return trimmed == "-0" ? "0" : trimmed
    }

    /// A standalone SVG saying why there is no chart (used when a section is unavailable).
    static func placeholderSVG(title: String, message: String, width: Int = 640, height: Int = 120) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(escape(title))">
        <title>\(escape(title))</title>
        <rect x="1" y="1" width="\(width - 2)" height="\(height - 2)" fill="#fafafa" stroke="#999" stroke-dasharray="4 3"/>
        <text x="\(width / 2)" y="\(height / 2)" text-anchor="middle" font-family="sans-serif" font-size="14" fill="#444">\(escape(message))</text>
        </svg>
        """
    }
}
