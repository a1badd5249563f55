import Foundation
@testable import RestoraWeb
import Testing

/// Escaping by UTF-8 bytes gives what escaping by Characters gave, for ASCII, accents, combining marks, emoji and
/// every character that is replaced; route parameters are encoded as Foundation encodes them; a plain `next` path
/// gets the full check's answer from the short one.
struct HTMLEscapeTests {
    /// The Character-by-Character escaping the byte version replaced.
    static func byCharacter(_ text: String, quotes: Bool) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let samples = [
        "", "plain text", "demo-asc-009-enrolment", "<script>alert('x')</script>", "a & b", "\"quoted\" and 'single'",
        "Müller-Lüdenscheidt", "e\u{301}te\u{301}", "🧬 sperm <40%> 👨‍👩‍👦", "&amp; already", "><&\"'", "tab\tnew\nline",
        String(repeating: "x", count: 300) + "<",
    ]

    @Test("text and attributes escape exactly as Character by Character did")
    func sameAsByCharacter() {
        for sample in Self.samples {
            #expect(HTMLEscape.text(sample) == Self.byCharacter(sample, quotes: false), "\(sample)")
            #expect(HTMLEscape.attribute(sample) == Self.byCharacter(sample, quotes: true), "\(sample)")
        }
        #expect(Node.element(name: "a", attributes: [.init("title", "O'Neil & \"Co\"")], children: [.text("1 < 2")]).render()
                == "<a title=\"O&#39;Neil &amp; &quot;Co&quot;\">1 &lt; 2</a>")
    }

    @Test("route parameters: ids pass as they are; anything else is encoded as Foundation encodes a path segment")
    func fill() {
        let allowed = CharacterSet.urlPathAllowed.subtracting(["/"])
        for value in ["demo-asc-009", "0193f4c2-7d1e-7a2b-9c3d-4e5f60718293", "a.b_c~d", "", "a b/c?d#e", "Müller", "50%", "x;y=z"] {
            let expected = "/participants/" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value) + "/labs/new"
            #expect(RoutePattern.fill("/participants/:id/labs/new", [value]) == expected, "\(value)")
        }
    }

    @Test("a `next` path of plain ASCII takes the short check and gets the full check's answer")
    func safeNext() {
        let paths = ["/dashboard", "/participants/p-1?tab=labs&x=1", "//evil.example", "/a//b", "dashboard", "", "/", "/a/b/",
                     "/~user/._-", "/%2F%2Fevil", "/\\evil", "/\t/evil", "/a b", "/caf\u{e9}", "/a%zz", "/?next=//x", "https://x.example/"]
        for path in paths {
            #expect(WebPath.safeNext(path) == WebPath.checkedNext(path), "\(path)")
        }
        #expect(WebPath.safeNext("/participants/p-1?tab=labs") == "/participants/p-1?tab=labs")
        #expect(WebPath.safeNext("//evil.example") == WebPath.dashboard && WebPath.safeNext(nil) == WebPath.dashboard)
        #expect(WebPath.safeNext("/" + String(repeating: "a", count: 600)) == WebPath.dashboard)
    }
}
