/// Safeguarded Newton iteration used by every quantile: Newton steps while they stay inside the bracket,
/// bisection (geometric when the bracket spans orders of magnitude) otherwise, so it cannot diverge.
enum RootSolver {
    /// Root of an increasing function on [lo, hi] (either bound may be infinite). `f` returns value and slope.
    static func increasingRoot(
        lo lower: Double, hi upper: Double, guess: Double,
        relativeTolerance: Double = 2e-16,
        _ f: (Double) -> (value: Double, slope: Double)
    ) -> Double {
        increasingRoot(lo: lower, hi: upper, guess: guess, relativeTolerance: relativeTolerance) { x in
            let (v, d) = f(x)
            return (v, d, 0)
        }
    }

    /// As above, with Halley's correction: `f` also returns f''/f' (0 for plain Newton). Cubic convergence
    /// roughly halves the number of incomplete-beta evaluations per quantile.
    static func increasingRoot(
        lo lower: Double, hi upper: Double, guess: Double,
        relativeTolerance: Double = 2e-16,
        _ f: (Double) -> (value: Double, slope: Double, curvature: Double)
    ) -> Double {
        var lo = lower, hi = upper
        var x = guess.isFinite ? guess : 0
        if x <= lo || x >= hi { x = lo.isFinite && hi.isFinite ? lo + (hi - lo) / 2 : (lo.isFinite ? lo + 1 : (hi.isFinite ? hi - 1 : 0)) }
        // Turn infinite bounds into finite ones by stepping outward from the guess.
        if !hi.isFinite {
            var step = max(1, abs(x)), probe = x, n = 0
            while n < 2000, f(probe).value < 0 { lo = probe; probe = x + step; step *= 2; n += 1 }
            hi = probe
        }
        if !lo.isFinite {
            var step = max(1, abs(x)), probe = x, n = 0
            while n < 2000, f(probe).value > 0 { hi = probe; probe = x - step; step *= 2; n += 1 }
            lo = probe
        }
        if x <= lo || x >= hi { x = lo + (hi - lo) / 2 }
        for _ in 0..<400 {
            let (v, d, curvature) = f(x)
            if v == 0 { return x }
            if v < 0 { lo = x } else { hi = x }
            let newton = v / d
            let halley = 1 - 0.5 * newton * curvature
            let step = halley > 0.5 && halley < 2 ? newton / halley : newton
            // Converged: the correction is below 1e-14 relative. The (quadratically or cubically converging)
            // step just computed leaves an error far below that. Checked before the bracket test, since a step
            // of less than an ulp lands on the bracket end and would otherwise trigger a bisection.
            let size = max(abs(x), Double.leastNormalMagnitude)
            if d > 0, step.isFinite, abs(step) <= max(relativeTolerance * 4, 1e-14) * size {
                return min(max(x - step, lo), hi)
            }
            // A Halley step (cubic convergence) of at most 1e-6 relative leaves an error of order
            // (1e-6)³·(f''/f')², far below 1e-14: take it without one more confirming evaluation.
            if d > 0, curvature != 0, halley > 0.5, halley < 2, abs(step) <= 1e-6 * size,
               abs(step * curvature) <= 1e-3, x - step > lo, x - step < hi {
                return x - step
            }
            var next = x - step
            if !(d > 0) || !next.isFinite || next <= lo || next >= hi {
                if lo > 0, hi / lo > 8 {
                    next = (lo * hi).squareRoot()
                } else if hi < 0, lo / hi > 8 {
                    next = -(lo * hi).squareRoot()
                } else if lo == 0, hi > 0, hi < 1e-3 {
                    next = hi / 16 // approach 0 quickly when the root is tiny
                } else {
                    next = lo + (hi - lo) / 2
                }
            }
            if hi - lo <= relativeTolerance * max(abs(lo), abs(hi)) { return next }
            x = next
        }
        return x
    }
}
