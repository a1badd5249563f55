/// Every demo record carries this label so that synthetic data can never pass for real data.
public enum DemoLabel {
    public static let text = "SYNTHETIC DEMO DATA: not a real person"
    public static let mrnPrefix = "DEMO-"
}
