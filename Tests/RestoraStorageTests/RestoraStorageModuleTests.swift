import Testing
@testable import RestoraStorage

@Test func moduleIsLinked() {
    #expect(RestoraStorageModule.name == "RestoraStorage")
}
