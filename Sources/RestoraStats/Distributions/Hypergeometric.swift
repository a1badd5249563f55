import Foundation

/// The hypergeometric distribution in R's parameterisation: x white balls among `draws` drawn from an urn with
/// `white` white and `black` black balls (R's dhyper(x, m, n, k)).
public enum Hypergeometric {
    static func valid(_ white: Int, _ black: Int, _ draws: Int) -> Bool {
        white >= 0 && black >= 0 && draws >= 0 && draws <= white + black
    }

    /// Support bounds max(0, k − n) … min(k, m).
    public static func support(white: Int, black: Int, draws: Int) -> ClosedRange<Int> {
        max(0, draws - black)...min(draws, white)
    }

    /// log P(X = x), as R's dhyper: a ratio of three Loader binomial densities, accurate for large counts.
    public static func logPMF(_ x: Int, white: Int, black: Int, draws: Int) -> Double {
        guard valid(white, black, draws) else { return .nan }
        if x < 0 || x > white || draws - x < 0 || draws - x > black { return -.infinity }
        if draws == 0 { return 0 }
        let total = Double(white + black)
        let p = Double(draws) / total
        let q = Double(white + black - draws) / total
        let p1 = LoaderTerms.logDbinomRaw(Double(x), Double(white), p, q)
        let p2 = LoaderTerms.logDbinomRaw(Double(draws - x), Double(black), p, q)
        let p3 = LoaderTerms.logDbinomRaw(Double(draws), total, p, q)
        return p1 + p2 - p3
    }

    public static func pmf(_ x: Int, white: Int, black: Int, draws: Int) -> Double {
        exp(logPMF(x, white: white, black: black, draws: draws))
    }

    /// P(X ≤ x) by summing the shorter side of the support.
    public static func cdf(_ x: Int, white: Int, black: Int, draws: Int) -> Double {
        guard valid(white, black, draws) else { return .nan }
        let s = support(white: white, black: black, draws: draws)
        if x < s.lowerBound { return 0 }
        if x >= s.upperBound { return 1 }
        let lowerSum = (s.lowerBound...x).reduce(0.0) { $0 + pmf($1, white: white, black: black, draws: draws) }
        let upperSum = ((x + 1)...s.upperBound).reduce(0.0) { $0 + pmf($1, white: white, black: black, draws: draws) }
        return lowerSum <= upperSum ? lowerSum : 1 - upperSum
    }

    /// P(X > x).
    public static func sf(_ x: Int, white: Int, black: Int, draws: Int) -> Double {
        guard valid(white, black, draws) else { return .nan }
        let s = support(white: white, black: black, draws: draws)
        if x < s.lowerBound { return 1 }
        if x >= s.upperBound { return 0 }
        let lowerSum = (s.lowerBound...x).reduce(0.0) { $0 + pmf($1, white: white, black: black, draws: draws) }
        let upperSum = ((x + 1)...s.upperBound).reduce(0.0) { $0 + pmf($1, white: white, black: black, draws: draws) }
        return upperSum <= lowerSum ? upperSum : 1 - lowerSum
    }
}
