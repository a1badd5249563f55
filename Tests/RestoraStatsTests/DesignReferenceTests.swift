import Foundation
import Testing
@testable import RestoraStats

struct PowerCase: Decodable, Sendable, CustomTestStringConvertible {
    let kind: String
    let sides: String
    let power: Double
    let alpha: Double
    // proportions
    let p1: Double?
    let p2: Double?
    let n: Double?
    let powerAt50: Double?
    let fleissN: Double?
    // means
    let design: String?
    let delta: Double?
    let sd: Double?
    let powerAt12: Double?
    let scipyPowerAt12: Double?
    // log-rank
    let hazardRatio: Double?
    let allocation: Double?
    let eventProbability: Double?
    let events: Double?
    let subjects: Int?
    var testDescription: String {
        "\(kind) \(sides) p1=\(p1 ?? .nan) p2=\(p2 ?? .nan) design=\(design ?? "-") delta=\(delta ?? .nan) hr=\(hazardRatio ?? .nan)"
    }
}

struct SimonFixtureDesign: Decodable, Sendable {
    let r1: Int
    let n1: Int
    let r: Int
    let n: Int
    let EN: Double
    let PET: Double
    let alpha: Double
    let power: Double
}

struct SimonCase: Decodable, Sendable, CustomTestStringConvertible {
    let p0: Double
    let p1: Double
    let alpha: Double
    let beta: Double
    let nmax: Int
    let optimal: SimonFixtureDesign
    let minimax: SimonFixtureDesign
    var testDescription: String { "simon p0=\(p0) p1=\(p1) α=\(alpha) β=\(beta)" }
}

/// Design calculations against R 4.2 power.prop.test / power.t.test (solved with tol = 1e-13), scipy's
/// noncentral t, the Fleiss and Schoenfeld formulas, and an independent Simon search whose designs equal
/// the published Simon (1989) tables.
@Suite struct DesignReferenceTests {
    static let powerCases = CoreFixtures.cases("core-power", as: PowerCase.self)
    static let simonCases = CoreFixtures.cases("core-simon", as: SimonCase.self)

    @Test func fixturesPresent() {
        #expect(Self.powerCases.count > 50)
        #expect(Self.simonCases.count >= 4)
    }

    @Test(arguments: powerCases)
    func power(_ c: PowerCase) throws {
        let sides = try #require(Sidedness(rawValue: c.sides))
        switch c.kind {
        case "proportions":
            let p1 = try #require(c.p1), p2 = try #require(c.p2)
            let size = try ProportionPower.sampleSize(p1: p1, p2: p2, power: c.power, alpha: c.alpha, sides: sides)
            // R's uniroot with tol 1e-13 in n: agreement to ~1e-10 relative.
            let rN = try #require(c.n), fleiss = try #require(c.fleissN), rPower = try #require(c.powerAt50)
            #expect(coreClose(size.exactSize, rN, rel: 1e-9), "n \(size.exactSize) vs R \(rN)")
            let corrected = try ProportionPower.sampleSize(
                p1: p1, p2: p2, power: c.power, alpha: c.alpha, sides: sides, continuityCorrection: true)
            #expect(coreClose(corrected.exactSize, fleiss, rel: 1e-12))
            let power50 = try ProportionPower.power(p1: p1, p2: p2, n: 50, alpha: c.alpha, sides: sides)
            #expect(coreClose(power50, rPower, rel: 1e-12))
        case "means":
            let design = try #require(MeanPower.Design(rawValue: c.design ?? ""))
            let delta = try #require(c.delta), sd = try #require(c.sd)
            let size = try MeanPower.sampleSize(delta: delta, sd: sd, power: c.power, alpha: c.alpha, sides: sides, design: design)
            let rN = try #require(c.n), rPower = try #require(c.powerAt12), sPower = try #require(c.scipyPowerAt12)
            #expect(coreClose(size.exactSize, rN, rel: 1e-8), "n \(size.exactSize) vs R \(rN)")
            let power12 = try MeanPower.power(n: 12, delta: delta, sd: sd, alpha: c.alpha, sides: sides, design: design)
            #expect(coreClose(power12, rPower, rel: 1e-10), "power \(power12) vs R \(rPower)")
            #expect(coreClose(power12, sPower, rel: 1e-9), "power \(power12) vs scipy \(sPower)")
        default:
            let hr = try #require(c.hazardRatio), allocation = try #require(c.allocation)
            let eventProbability = try #require(c.eventProbability), events = try #require(c.events)
            let subjects = try #require(c.subjects)
            let r = try LogRankSampleSize.schoenfeld(
                hazardRatio: hr, power: c.power, alpha: c.alpha, sides: sides,
                allocation: allocation, eventProbability: eventProbability)
            #expect(coreClose(r.exactEvents, events, rel: 1e-12))
            #expect(r.subjects == subjects)
        }
    }

    @Test(arguments: simonCases)
    func simon(_ c: SimonCase) throws {
        let r = try SimonTwoStage.design(p0: c.p0, p1: c.p1, alpha: c.alpha, beta: c.beta, nmax: c.nmax)
        for (mine, reference) in [(r.optimal, c.optimal), (r.minimax, c.minimax)] {
            let mineShape: [Int] = [mine.r1, mine.n1, mine.r, mine.n]
            let referenceShape: [Int] = [reference.r1, reference.n1, reference.r, reference.n]
            #expect(mineShape == referenceShape)
            #expect(coreClose(mine.expectedSizeNull, reference.EN, rel: 1e-12))
            #expect(coreClose(mine.earlyStopNull, reference.PET, rel: 1e-12))
            #expect(coreClose(mine.alpha, reference.alpha, rel: 1e-10))
            #expect(coreClose(mine.power, reference.power, rel: 1e-10))
        }
    }
}
