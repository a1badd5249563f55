import Testing
@testable import RestoraDomain
@Test func placeholder() { #expect(RestoraDomainModule.name == "RestoraDomain") }
