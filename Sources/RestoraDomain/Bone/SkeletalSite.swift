/// The skeletal sites on which a DXA diagnosis may rest (REFERENCE.md C1: AACE/ACE 2020 — lumbar spine (AP),
/// femoral neck, total hip or 1/3 (33 %) radius).
public enum SkeletalSite: String, Codable, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case lumbarSpine = "lumbar-spine"
    case femoralNeck = "femoral-neck"
    case totalHip = "total-hip"
    case radius33 = "radius-33"

    public var displayName: String {
        switch self {
        case .lumbarSpine: "lumbar spine"
        case .femoralNeck: "femoral neck"
        case .totalHip: "total hip"
        case .radius33: "33% (one-third) radius"
        }
    }

    /// CLI/YAML spellings: `ls`, `spine`, `fn`, `neck`, `th`, `hip`, `radius`, `33radius`, and the raw values.
    public init?(flexible text: String) {
        let key = text.lowercased().replacingOccurrences(of: "_", with: "-")
        if let site = SkeletalSite(rawValue: key) {
            self = site
            return
        }
        switch key.replacingOccurrences(of: "-", with: "") {
        case "ls", "spine", "lumbarspine", "l1l4": self = .lumbarSpine
        case "fn", "neck", "femoralneck": self = .femoralNeck
        case "th", "hip", "totalhip": self = .totalHip
        case "radius", "33radius", "radius33", "onethirdradius", "r33": self = .radius33
        default: return nil
        }
    }

    /// Order used to break ties when two sites share the lowest T-score: the order AACE lists them.
    private var order: Int { SkeletalSite.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: SkeletalSite, rhs: SkeletalSite) -> Bool { lhs.order < rhs.order }
}
