#!/usr/bin/env python3
"""Reference values for RestoraStats core (distributions, proportions, tables, means/ranks, design).

Runs scipy (and statsmodels / R where noted) on the same inputs as the Swift tests and writes
Tests/RestoraStatsTests/Fixtures/core-*.json. Every fixture records the tool and version that produced it.
Usage: python3 scripts/reference/stats_core.py [section ...]   (sections: distributions proportions
fisher chisq means design; default all). R-based values come from stats_core.R (see that file).
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import special, stats

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "RestoraStatsTests", "Fixtures")


def write(name, tool, cases, note=""):
    path = os.path.join(FIXTURES, name)
    doc = {"generator": "scripts/reference/stats_core.py", "tool": tool, "note": note, "cases": cases}
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True, allow_nan=False)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} cases")


def fin(x):
    """JSON has no inf/nan: encode infinities as strings the Swift loader understands."""
    x = float(x)
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        raise ValueError("reference produced NaN")
    return x


SCIPY = f"scipy {scipy.__version__}"


def fin_or_none(x):
    """NaN (scipy's answer for degenerate tables) becomes null: that case is compared with R only."""
    return None if math.isnan(float(x)) else fin(x)


def mp_error():
    try:
        import mpmath
        return mpmath.libmp.NoConvergence
    except (ImportError, AttributeError):
        return ValueError


def high_precision(fn, args):
    """40-digit mpmath value, used to measure accuracy (scipy itself is off by ~1e-12 in places)."""
    try:
        import mpmath as mp
    except ImportError:
        return None
    mp.mp.dps = 40
    a = [mp.mpf(x) for x in args]

    def ib(x, p, q):
        return mp.betainc(p, q, 0, x, regularized=True)

    def ibc(x, p, q):
        # 1 - I_x(p, q) = I_{1-x}(q, p): mpmath's betainc(x, 1) subtracts and returns noise in far tails.
        return mp.betainc(q, p, 0, 1 - x, regularized=True)

    if fn == "normal.cdf":
        return mp.ncdf(a[0])
    if fn == "normal.sf":
        return mp.ncdf(-a[0])
    if fn in ("gamma.p", "chisq.cdf"):
        s, x = (a[0], a[1]) if fn == "gamma.p" else (a[1] / 2, a[0] / 2)
        return mp.gammainc(s, 0, x, regularized=True)
    if fn in ("gamma.q", "chisq.sf"):
        s, x = (a[0], a[1]) if fn == "gamma.q" else (a[1] / 2, a[0] / 2)
        return mp.gammainc(s, x, mp.inf, regularized=True)
    if fn in ("ibeta", "beta.cdf"):
        return ib(a[0], a[1], a[2])
    if fn == "beta.sf":
        return ibc(a[0], a[1], a[2])
    if fn in ("t.cdf", "t.sf"):
        t, df = a
        tail = ib(df / (df + t * t), df / 2, mp.mpf(1) / 2) / 2
        if fn == "t.cdf":
            return tail if t < 0 else 1 - tail
        return tail if t > 0 else 1 - tail
    if fn in ("f.cdf", "f.sf"):
        x, d1, d2 = a
        u = d1 * x / (d1 * x + d2)
        return ib(u, d1 / 2, d2 / 2) if fn == "f.cdf" else ibc(u, d1 / 2, d2 / 2)
    if fn in ("binom.cdf", "binom.sf"):
        k, n, p = a
        if k >= n:
            return 1 if fn == "binom.cdf" else 0
        return ibc(p, k + 1, n - k) if fn == "binom.cdf" else ib(p, k + 1, n - k)
    if fn == "hyper.logpmf":
        x, m, n, k = [int(v) for v in args]
        if x < max(0, k - n) or x > min(k, m):
            return None
        return mp.log(mp.binomial(m, x)) + mp.log(mp.binomial(n, k - x)) - mp.log(mp.binomial(m + n, k))
    if fn == "lgamma":
        return mp.loggamma(a[0])
    return None


def distributions():
    cases = []

    def add(fn, args, value):
        case = {"function": fn, "args": [fin(a) for a in args], "expected": fin(value)}
        try:
            exact = high_precision(fn, args)
        except (ValueError, ZeroDivisionError, mp_error()):
            exact = None  # mpmath's hypergeometric series gives up for parameters in the millions
        if exact is not None:
            case["mpmath"] = fin(exact)
        cases.append(case)

    for z in [-38, -37.5, -30, -20, -10, -8.3, -5, -3, -1.96, -1, -0.5, -1e-8, 0, 1e-8, 0.5, 1, 1.96, 3, 5, 8.3, 10, 20, 30, 37.5]:
        add("normal.cdf", [z], stats.norm.cdf(z))
        add("normal.sf", [z], stats.norm.sf(z))
        add("normal.pdf", [z], stats.norm.pdf(z))
    for p in [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.999, 1 - 1e-10]:
        add("normal.quantile", [p], stats.norm.ppf(p))
    for df in [0.5, 1, 2, 3, 4.7, 10, 29, 100, 1e4, 1e6]:
        for t in [-1e6, -50, -10, -3, -2.045, -1, -0.1, 0, 1e-5, 0.1, 1, 2.045, 3, 10, 50, 1e6]:
            add("t.cdf", [t, df], stats.t.cdf(t, df))
            add("t.sf", [t, df], stats.t.sf(t, df))
        for p in [1e-12, 1e-6, 0.001, 0.025, 0.05, 0.2, 0.5, 0.8, 0.95, 0.975, 0.999]:
            add("t.quantile", [p, df], stats.t.ppf(p, df))
    for df in [0.5, 1, 2, 3, 7.5, 10, 50, 100, 1000, 1e5]:
        for x in [1e-10, 0.001, 0.1, 0.5, 1, 2, 3.84, 5, 10, 30, 100, 500, 1000, 5000, 1e5 + 1000]:
            add("chisq.cdf", [x, df], stats.chi2.cdf(x, df))
            add("chisq.sf", [x, df], stats.chi2.sf(x, df))
        for p in [1e-12, 1e-6, 0.001, 0.05, 0.5, 0.95, 0.999, 1 - 1e-9]:
            add("chisq.quantile", [p, df], stats.chi2.ppf(p, df))
    for d1, d2 in [(1, 1), (1, 10), (2, 5), (3, 27), (10, 10), (5.5, 100.5), (100, 3), (1000, 1000)]:
        for x in [1e-6, 0.01, 0.5, 1, 2, 4.2, 10, 100, 1e4]:
            add("f.cdf", [x, d1, d2], stats.f.cdf(x, d1, d2))
            add("f.sf", [x, d1, d2], stats.f.sf(x, d1, d2))
        for p in [1e-10, 0.01, 0.05, 0.5, 0.95, 0.99, 1 - 1e-8]:
            add("f.quantile", [p, d1, d2], stats.f.ppf(p, d1, d2))
    for a, b in [(0.5, 0.5), (0.5, 20), (1, 1), (2, 3), (12, 20), (12.5, 19.5), (100, 2), (0.01, 5), (1e4, 2e4), (1e6, 1e6 + 5)]:
        for x in [1e-12, 1e-4, 0.01, 0.2, 0.3333, 0.5, 0.5001, 0.8, 0.99, 1 - 1e-9]:
            add("beta.cdf", [x, a, b], stats.beta.cdf(x, a, b))
            add("beta.sf", [x, a, b], stats.beta.sf(x, a, b))
            add("ibeta", [x, a, b], special.betainc(a, b, x))
        for p in [1e-12, 1e-6, 0.025, 0.3, 0.5, 0.7, 0.975, 1 - 1e-9]:
            add("beta.quantile", [p, a, b], stats.beta.ppf(p, a, b))
            add("ibeta.inverse", [p, a, b], special.betaincinv(a, b, p))
    for a in [0.1, 0.5, 1, 2.5, 10, 100, 1e4, 1e6]:
        for x in [1e-8, 0.01, 0.5, 1, 2, 5, 10, 50, 150, 1e4 - 300, 1e4 + 300, 1e6 - 3000, 1e6 + 3000, 2e6]:
            add("gamma.p", [a, x], special.gammainc(a, x))
            add("gamma.q", [a, x], special.gammaincc(a, x))
    for x in [0.1, 0.5, 1, 1.5, 2, 3, 10, 30.5, 1e3, 1e6, 1e10]:
        add("lgamma", [x], special.gammaln(x))
    for n, p in [(1, 0.5), (10, 0.3), (30, 0.11), (100, 0.5), (1000, 0.001), (10**6, 0.37), (40, 1e-6)]:
        for k in sorted({0, 1, n // 10, n // 3, n // 2, int(n * p), n - 1, n}):
            add("binom.pmf", [k, n, p], stats.binom.pmf(k, n, p))
            add("binom.cdf", [k, n, p], stats.binom.cdf(k, n, p))
            add("binom.sf", [k, n, p], stats.binom.sf(k, n, p))
    for x, m, n, k in [(6, 11, 19, 11), (0, 11, 19, 11), (11, 11, 19, 11), (3, 5, 5, 5), (500, 1000, 1200, 1000), (5000, 10**4, 10**4, 10**4), (0, 3, 0, 2), (2, 3, 0, 2)]:
        add("hyper.logpmf", [x, m, n, k], stats.hypergeom.logpmf(x, m + n, m, k))
        add("hyper.cdf", [x, m, n, k], stats.hypergeom.cdf(x, m + n, m, k))
        add("hyper.sf", [x, m, n, k], stats.hypergeom.sf(x, m + n, m, k))
    for df, ncp in [(10, 1), (18, 2.5), (38, 3.2), (5, -1), (100, 0.5), (2, 6), (58, 2.8)]:
        for t in [-3, -1, 0, 0.5, 1.7, 2.1, 3, 8]:
            add("nct.cdf", [t, df, ncp], stats.nct.cdf(t, df, ncp))
            add("nct.sf", [t, df, ncp], stats.nct.sf(t, df, ncp))
    write("core-distributions.json", SCIPY, cases,
          "scipy.stats / scipy.special (cephes, Boost) values; nct via Boost's noncentral t")


def run_r(code):
    """Runs an R snippet with Rscript; the snippet prints one result per line (numbers via %.17g)."""
    import subprocess
    out = subprocess.run(["Rscript", "--vanilla", "-e", code], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()


def r_version():
    return run_r('cat(R.version.string)')[0]


def r_num(text):
    text = text.strip()
    if text in ("Inf", "-Inf"):
        return "inf" if text == "Inf" else "-inf"
    return float(text)


R_ALT = {"two-sided": "two.sided", "less": "less", "greater": "greater"}
PROPORTION_CASES = [(11, 30), (0, 1), (1, 1), (0, 10), (10, 10), (1, 30), (29, 30), (15, 30), (5, 10),
                    (0, 100), (3, 1000), (500, 1000), (123456, 1000000), (2, 3)]


def proportions():
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
    import statsmodels
    rv = r_version()
    sm = f"statsmodels {statsmodels.__version__}"
    intervals = []
    for x, n in PROPORTION_CASES:
        for conf in (0.95, 0.90, 0.99):
            code = f"""
            b <- binom.test({x}, {n}, conf.level = {conf})$conf.int
            w <- prop.test({x}, {n}, conf.level = {conf}, correct = FALSE)$conf.int
            c <- suppressWarnings(prop.test({x}, {n}, conf.level = {conf}, correct = TRUE))$conf.int
            cat(sprintf("%.17g", c(b, w, c)), sep = "\n")
            """
            v = [float(t) for t in run_r(code)]
            base = {"successes": x, "trials": n, "confidence": conf}
            intervals.append({**base, "method": "clopper-pearson", "lower": v[0], "upper": v[1], "tool": rv + " binom.test"})
            intervals.append({**base, "method": "wilson", "lower": v[2], "upper": v[3], "tool": rv + " prop.test(correct=FALSE)"})
            intervals.append({**base, "method": "wilson-cc", "lower": v[4], "upper": v[5], "tool": rv + " prop.test(correct=TRUE)"})
            for method, sm_name in (("jeffreys", "jeffreys"), ("agresti-coull", "agresti_coull")):
                lo, hi = proportion_confint(x, n, alpha=1 - conf, method=sm_name)
                intervals.append({**base, "method": method, "lower": float(lo), "upper": float(hi), "tool": sm + " proportion_confint"})
            lo, hi = proportion_confint(x, n, alpha=1 - conf, method="wilson")
            intervals.append({**base, "method": "wilson", "lower": float(lo), "upper": float(hi), "tool": sm + " proportion_confint"})
    write("core-proportion-intervals.json", f"{rv}; {sm}", intervals,
          "one-sample intervals; wilson appears twice (R and statsmodels) as a cross-check")

    tests = []
    for x, n, p0 in [(11, 30, 0.5), (11, 30, 0.2), (0, 1, 0.5), (1, 1, 0.5), (0, 10, 0.1), (10, 10, 0.9), (3, 30, 0.1),
                     (7, 20, 0.35), (682, 925, 0.75), (0, 5, 0.0), (5, 5, 1.0), (2, 5, 0.0), (12345, 100000, 0.125),
                     (9, 10, 0.5), (1, 30, 0.01)]:
        for alt in ("two-sided", "less", "greater"):
            code = f"""
            r <- binom.test({x}, {n}, p = {p0}, alternative = "{R_ALT[alt]}")
            cat(sprintf("%.17g", c(r$p.value, r$conf.int)), sep = "\n")
            """
            v = [r_num(t) for t in run_r(code)]
            tests.append({"successes": x, "trials": n, "p0": p0, "alternative": alt,
                          "pValue": v[0], "lower": v[1], "upper": v[2], "tool": rv + " binom.test"})
    write("core-binomial-test.json", rv, tests, "R binom.test: p-value and Clopper-Pearson interval")

    diffs = []
    for x1, n1, x2, n2 in [(11, 30, 5, 29), (56, 70, 48, 80), (9, 10, 3, 10), (6, 7, 2, 7), (5, 56, 0, 29),
                           (0, 10, 0, 10), (10, 10, 0, 10), (0, 1, 1, 1), (1, 1, 1, 1), (120, 400, 95, 410)]:
        for conf in (0.95, 0.90):
            lo, hi = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - conf)
            diffs.append({"successes1": x1, "trials1": n1, "successes2": x2, "trials2": n2, "confidence": conf,
                          "lower": float(lo), "upper": float(hi), "tool": sm + " confint_proportions_2indep(method='newcomb')"})
    write("core-proportion-difference.json", sm, diffs, "Newcombe (1998) method 10 hybrid score interval")


def r_matrix(table):
    rows, cols = len(table), len(table[0])
    flat = ",".join(str(v) for row in table for v in row)
    return f"matrix(c({flat}), nrow = {rows}, ncol = {cols}, byrow = TRUE)"


TABLES_2X2 = [[[6, 5], [5, 14]], [[3, 1], [1, 3]], [[0, 5], [5, 0]], [[5, 0], [0, 5]], [[0, 0], [3, 4]],
              [[1, 0], [0, 0]], [[10, 20], [30, 40]], [[100, 150], [120, 80]], [[1000, 2000], [1500, 1500]],
              [[2, 7], [8, 2]], [[0, 10], [10, 10]], [[12, 5], [0, 9]], [[1, 1], [1, 1]], [[11, 19], [5, 24]],
              [[7, 0], [3, 9]], [[0, 1], [1, 0]]]
TABLES_RXC = [[[3, 1, 0], [0, 2, 4]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[2, 0, 1], [0, 3, 0], [1, 0, 2]],
              [[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]],  # R's ?fisher.test Job satisfaction
              [[6, 5], [5, 14], [3, 9]], [[5, 0, 0, 0, 1], [0, 4, 1, 0, 0], [1, 0, 3, 2, 0]],
              [[10, 12, 8], [9, 11, 13]], [[0, 0, 0], [1, 2, 3], [4, 0, 5]], [[8, 2, 4, 1], [1, 7, 2, 6]],
              [[20, 15, 12], [14, 25, 19], [9, 11, 28]]]


def tables():
    from scipy.stats.contingency import odds_ratio
    rv = r_version()
    fisher = []
    for t in TABLES_2X2:
        for alt in ("two-sided", "less", "greater"):
            for conf in (0.95, 0.90):
                code = f"""
                r <- fisher.test({r_matrix(t)}, alternative = "{R_ALT[alt]}", conf.level = {conf})
                cat(sprintf("%.17g", c(r$p.value, r$estimate, r$conf.int)), sep = "\n")
                """
                v = [r_num(x) for x in run_r(code)]
                case = {"table": t, "alternative": alt, "confidence": conf, "pValue": v[0],
                        "rOddsRatio": v[1], "rLower": v[2], "rUpper": v[3], "tool": rv + " fisher.test"}
                # scipy solves the same conditional-likelihood equations with brentq (xtol 2e-12) instead of
                # R's uniroot (tol 1.2e-4), so it is the reference for the estimate and interval digits.
                sp_alt = {"two-sided": "two-sided", "less": "less", "greater": "greater"}[alt]
                res = odds_ratio(np.array(t), kind="conditional")
                ci = res.confidence_interval(confidence_level=conf, alternative=sp_alt)
                case.update({"scipyOddsRatio": fin_or_none(res.statistic), "scipyLower": fin_or_none(ci.low),
                             "scipyUpper": fin_or_none(ci.high),
                             "scipySampleOddsRatio": fin_or_none(odds_ratio(np.array(t), kind="sample").statistic)})
                fisher.append(case)
    write("core-fisher-2x2.json", f"{rv}; {SCIPY}", fisher,
          "p-value from R; odds ratio and interval from R (uniroot, ~1e-4) and scipy (conditional, brentq)")

    rxc = []
    for t in TABLES_RXC + TABLES_2X2[:6]:
        code = f"""
        r <- fisher.test({r_matrix(t)}, workspace = 2e7)
        cat(sprintf("%.17g", r$p.value), sep = "\n")
        """
        rxc.append({"table": t, "pValue": r_num(run_r(code)[0]), "tool": rv + " fisher.test (FEXACT)"})
    write("core-fisher-rxc.json", rv, rxc, "two-sided p of R's network algorithm (FEXACT)")

    chisq = []
    for t in TABLES_2X2 + TABLES_RXC:
        if any(sum(r) == 0 for r in t) or any(sum(c) == 0 for c in zip(*t)):
            continue
        for correct in (True, False):
            code = f"""
            r <- suppressWarnings(chisq.test({r_matrix(t)}, correct = {"TRUE" if correct else "FALSE"}))
            cat(sprintf("%.17g", c(r$statistic, r$parameter, r$p.value, t(r$expected))), sep = "\n")
            """
            v = [r_num(x) for x in run_r(code)]
            rows, cols = len(t), len(t[0])
            expected = [v[3 + i * cols: 3 + (i + 1) * cols] for i in range(rows)]
            chisq.append({"table": t, "correct": correct, "statistic": v[0], "df": int(v[1]), "pValue": v[2],
                          "expected": expected, "tool": rv + " chisq.test"})
    write("core-chisq.json", rv, chisq, "Pearson chi-square, Yates only on 2x2 as R")


def r_vec(values):
    return "c(" + ", ".join(repr(float(v)) for v in values) + ")"


SLEEP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]   # R datasets::sleep, group 1
SLEEP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]     # group 2
RNG = np.random.default_rng(20261121)
NORMAL_A = [round(v, 3) for v in RNG.normal(10, 2, 23)]
NORMAL_B = [round(v, 3) for v in RNG.normal(11, 3.5, 17)]
BIG_A = [round(v, 4) for v in RNG.normal(0, 1, 80)]
BIG_B = [round(v, 4) for v in RNG.normal(0.4, 1, 65)]
MEAN_SAMPLES = [
    ("sleep", SLEEP1, SLEEP2), ("normal", NORMAL_A, NORMAL_B), ("tiny", [1.0, 2.5], [3.0, 4.0, 7.5]),
    ("offset", [1e9 + v for v in (0.1, 0.4, 0.35, 0.8)], [1e9 + v for v in (0.9, 1.2, 0.7)]),
    ("ties", [1, 2, 2, 3, 3, 3, 4, 5], [2, 3, 4, 4, 5, 6, 6, 7, 8]), ("large", BIG_A, BIG_B),
    ("separated", [1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]), ("one-vs-many", [4.2], [1.0, 2.0, 3.5, 5.0]),
]


def means():
    rv = r_version()
    cases = []
    for name, x, y in MEAN_SAMPLES:
        for alt in ("two-sided", "less", "greater"):
            for kind in ("one-sample", "paired", "welch", "student"):
                if kind == "paired" and len(x) != len(y):
                    continue
                if kind in ("one-sample", "paired", "welch") and (len(x) < 2 or len(y) < 2):
                    if kind != "one-sample" or len(x) < 2:
                        continue
                mu = 0.5 if kind != "student" else -0.25
                call = {"one-sample": f"t.test({r_vec(x)}, mu = {mu}",
                        "paired": f"t.test({r_vec(x)}, {r_vec(y)}, paired = TRUE, mu = {mu}",
                        "welch": f"t.test({r_vec(x)}, {r_vec(y)}, mu = {mu}",
                        "student": f"t.test({r_vec(x)}, {r_vec(y)}, var.equal = TRUE, mu = {mu}"}[kind]
                code = f"""
                r <- {call}, alternative = "{R_ALT[alt]}", conf.level = 0.9)
                est <- if (length(r$estimate) == 2) r$estimate[1] - r$estimate[2] else r$estimate
                cat(sprintf("%.17g", c(r$statistic, r$parameter, r$p.value, r$conf.int, est, r$stderr)), sep = "\n")
                """
                v = [r_num(t) for t in run_r(code)]
                cases.append({"name": name, "kind": kind, "alternative": alt, "x": x, "y": y, "mu": mu, "confidence": 0.9,
                              "statistic": v[0], "df": v[1], "pValue": v[2], "lower": v[3], "upper": v[4],
                              "estimate": v[5], "stderr": v[6], "tool": rv + " t.test"})
    write("core-ttest.json", rv, cases, "R t.test; estimate is the mean difference for two samples")

    ranks = []
    for name, x, y in MEAN_SAMPLES + [("n1", [2.5], [1.0]), ("zeros", [0.5, 0.0, -1.0, 2.0, 3.0, 0.0, 4.0], [1, 2, 3, 4, 5, 6, 7])]:
        for alt in ("two-sided", "less", "greater"):
            for kind in ("signed-rank", "paired", "rank-sum"):
                if kind == "paired" and len(x) != len(y):
                    continue
                for correct in (True, False):
                    mu = 0.3 if kind == "signed-rank" else 0.0
                    call = {"signed-rank": f"wilcox.test({r_vec(x)}, mu = {mu}",
                            "paired": f"wilcox.test({r_vec(x)}, {r_vec(y)}, paired = TRUE",
                            "rank-sum": f"wilcox.test({r_vec(x)}, {r_vec(y)}"}[kind]
                    code = f"""
                    r <- suppressWarnings({call}, alternative = "{R_ALT[alt]}", correct = {"TRUE" if correct else "FALSE"},
                                          conf.int = TRUE, conf.level = 0.95))
                    cat(sprintf("%.17g", c(r$statistic, r$p.value, r$estimate, r$conf.int)), r$method,
                        sprintf("%.17g", attr(r$conf.int, "conf.level")), sep = "\n")
                    """
                    out = run_r(code)
                    v = [r_num(t) for t in out[:5]]
                    ranks.append({"name": name, "kind": kind, "alternative": alt, "correct": correct, "x": x, "y": y,
                                  "mu": mu, "statistic": v[0], "pValue": v[1], "estimate": v[2], "lower": v[3],
                                  "upper": v[4], "method": out[5], "level": float(out[6]), "tool": rv + " wilcox.test"})
    write("core-ranks.json", rv, ranks,
          "R wilcox.test; estimate/interval compared only for the exact (no ties, no zeros, n < 50) two-sided case")


def simon_search(p0, p1, alpha, beta, nmax):
    """Independent brute-force Simon (1989) search with scipy's binomial (no code shared with Swift)."""
    from scipy.stats import binom
    best_opt, best_mm = None, None
    for n in range(2, nmax + 1):
        for n1 in range(1, n):
            n2 = n - n1
            x1 = np.arange(n1 + 1)
            f0, f1 = binom.pmf(x1, n1, p0), binom.pmf(x1, n1, p1)
            for r1 in range(0, n1):
                if binom.cdf(r1, n1, p1) > beta:
                    break
                keep = x1 > r1
                rs = np.arange(r1, n + 1)
                # P(X1 > r1, X1 + X2 > r) for every r at once.
                sf0 = np.array([np.sum(f0[keep] * binom.sf(r - x1[keep], n2, p0)) for r in rs])
                ok = np.nonzero(sf0 <= alpha)[0]
                if len(ok) == 0:
                    continue
                r = int(rs[ok[0]])
                a = float(sf0[ok[0]])
                pw = float(np.sum(f1[keep] * binom.sf(r - x1[keep], n2, p1)))
                if pw < 1 - beta:
                    continue
                pet = float(binom.cdf(r1, n1, p0))
                en = n1 + (1 - pet) * n2
                d = {"r1": r1, "n1": n1, "r": r, "n": n, "EN": en, "PET": pet, "alpha": a, "power": pw}
                if best_opt is None or en < best_opt["EN"] - 1e-12:
                    best_opt = d
                if best_mm is None or n < best_mm["n"] or (n == best_mm["n"] and en < best_mm["EN"] - 1e-12):
                    best_mm = d
    return best_opt, best_mm


def design():
    rv = r_version()
    cases = []
    for p1, p2 in [(0.2, 0.4), (0.5, 0.75), (0.05, 0.15), (0.367, 0.2), (0.9, 0.95)]:
        for alt, tside in (("two-sided", "two.sided"), ("one-sided", "one.sided")):
            for pw in (0.8, 0.9):
                code = f"""
                a <- power.prop.test(p1 = {p1}, p2 = {p2}, power = {pw}, sig.level = 0.05, alternative = "{tside}", tol = 1e-13)
                b <- power.prop.test(p1 = {p1}, p2 = {p2}, n = 50, sig.level = 0.05, alternative = "{tside}")
                cat(sprintf("%.17g", c(a$n, b$power)), sep = "\n")
                """
                v = [r_num(t) for t in run_r(code)]
                za, zb = stats.norm.isf(0.05 / (2 if alt == "two-sided" else 1)), stats.norm.ppf(pw)
                pbar = (p1 + p2) / 2
                n0 = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p1 - p2) ** 2
                fleiss = n0 / 4 * (1 + math.sqrt(1 + 4 / (n0 * abs(p1 - p2)))) ** 2
                cases.append({"kind": "proportions", "p1": p1, "p2": p2, "sides": alt, "power": pw, "alpha": 0.05,
                              "n": v[0], "powerAt50": v[1], "fleissN": fleiss,
                              "tool": rv + " power.prop.test(tol=1e-13); Fleiss (1980) formula with scipy.stats.norm"})
    for delta, sd in [(1.0, 1.0), (0.5, 1.0), (2.0, 3.5), (0.2, 1.0), (3.0, 1.0)]:
        for ttype in ("two.sample", "paired", "one.sample"):
            for alt, tside in (("two-sided", "two.sided"), ("one-sided", "one.sided")):
                code = f"""
                a <- power.t.test(delta = {delta}, sd = {sd}, power = 0.8, sig.level = 0.05, type = "{ttype}", alternative = "{tside}", tol = 1e-13)
                b <- power.t.test(delta = {delta}, sd = {sd}, n = 12, sig.level = 0.05, type = "{ttype}", alternative = "{tside}")
                cat(sprintf("%.17g", c(a$n, b$power)), sep = "\n")
                """
                v = [r_num(t) for t in run_r(code)]
                design = {"two.sample": "two-sample", "paired": "paired", "one.sample": "one-sample"}[ttype]
                # scipy's nct (Boost) for the same power: an independent check of R's pnt.
                g = 2 if ttype == "two.sample" else 1
                nu = (12 - 1) * g
                crit = stats.t.isf(0.05 / (2 if alt == "two-sided" else 1), nu)
                sp = stats.nct.sf(crit, nu, math.sqrt(12 / g) * delta / sd)
                cases.append({"kind": "means", "design": design, "delta": delta, "sd": sd, "sides": alt, "power": 0.8,
                              "alpha": 0.05, "n": v[0], "powerAt12": v[1], "scipyPowerAt12": float(sp),
                              "tool": rv + " power.t.test(tol=1e-13); scipy nct"})
    for hr, alloc, pevent in [(0.5, 0.5, 1.0), (0.7, 0.5, 0.6), (1.5, 0.6667, 0.35), (0.8, 0.5, 0.9)]:
        for alt in ("two-sided", "one-sided"):
            z = stats.norm.isf(0.05 / (2 if alt == "two-sided" else 1)) + stats.norm.ppf(0.9)
            d = z ** 2 / (alloc * (1 - alloc) * math.log(hr) ** 2)
            cases.append({"kind": "logrank", "hazardRatio": hr, "allocation": alloc, "eventProbability": pevent,
                          "sides": alt, "power": 0.9, "alpha": 0.05, "events": d,
                          "subjects": math.ceil(math.ceil(d) / pevent), "tool": SCIPY + " Schoenfeld (1981) formula"})
    write("core-power.json", f"{rv}; {SCIPY}", cases, "power.prop.test / power.t.test; Fleiss and Schoenfeld formulas")

    simon = []
    published = {  # Simon (1989) Controlled Clinical Trials 10:1-10, Tables 1-2 (EN rounded to 0.1)
        (0.05, 0.25): ((0, 9, 2, 17, 12.0), (0, 12, 2, 16, 13.8)),
        (0.10, 0.30): ((1, 10, 5, 29, 15.0), (1, 15, 5, 25, 19.5)),
        (0.20, 0.40): ((3, 13, 12, 43, 20.6), (4, 18, 10, 33, 22.3)),
    }
    for (p0, p1), pub in published.items():
        opt, mm = simon_search(p0, p1, 0.05, 0.2, 60)
        simon.append({"p0": p0, "p1": p1, "alpha": 0.05, "beta": 0.2, "nmax": 60, "optimal": opt, "minimax": mm,
                      "published": {"optimal": pub[0], "minimax": pub[1]},
                      "tool": SCIPY + " brute-force search (stats_core.simon_search); published: Simon 1989"})
    opt, mm = simon_search(0.3, 0.5, 0.1, 0.1, 60)
    simon.append({"p0": 0.3, "p1": 0.5, "alpha": 0.1, "beta": 0.1, "nmax": 60, "optimal": opt, "minimax": mm,
                  "published": None, "tool": SCIPY + " brute-force search (stats_core.simon_search)"})
    write("core-simon.json", SCIPY, simon, "Simon two-stage optimal and minimax")


SECTIONS = {"distributions": distributions, "proportions": proportions, "tables": tables, "means": means,
            "design": design}

if __name__ == "__main__":
    chosen = sys.argv[1:] or list(SECTIONS)
    for name in chosen:
        SECTIONS[name]()
