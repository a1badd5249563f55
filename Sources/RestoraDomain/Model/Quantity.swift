/// A measured value with its UCUM unit, e.g. 150 "mg/dL", 0.53 "g/cm2", 16 "10*6/mL".
public struct Quantity: Hashable, Sendable, Codable, CustomStringConvertible {
    public var value: Double
    public var unit: String

    public init(_ value: Double, _ unit: String) {
        self.value = value
        self.unit = unit
    }

    public var description: String {
        let shown = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        return "\(shown) \(unit)"
    }
}
