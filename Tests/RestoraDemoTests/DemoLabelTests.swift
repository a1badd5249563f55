import Testing
@testable import RestoraDemo

@Test func demoLabelSaysSynthetic() {
    #expect(DemoLabel.text.contains("SYNTHETIC"))
    #expect(DemoLabel.mrnPrefix == "DEMO-")
}
