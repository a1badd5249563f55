import Testing
@testable import RestoraWeb

@Test func moduleIsLinked() {
    #expect(RestoraWebModule.name == "RestoraWeb")
}
