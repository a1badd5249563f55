/// The printed names of the demo logins (issue #16 item 3): an electronic signature shows the signer's printed
/// name (21 CFR 11.50(a)(1), REFERENCE.md H1), so every demo account has one. Made up, like everything in the demo.
extension DemoLogin {
    public var printedName: String {
        switch username {
        case "admin": return "Alex Admin (demo)"
        case "investigator": return "Dr Ines Varga (demo)"
        case "coordinator": return "Carla Costa (demo)"
        case "monitor": return "Mona Moreau (demo)"
        case "auditor": return "Arno Aalto (demo)"
        case "datamanager": return "Dana Dekker (demo)"
        default: return "\(username) (demo)"
        }
    }
}
