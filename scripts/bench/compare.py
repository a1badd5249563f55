#!/usr/bin/env python3
"""Time the same work as `restora bench` in lifelines, scipy, statsmodels (and R if installed) on the
identical data, in the same run, and print the ratios. Benchmarks do not run in CI.

    swift build -c release --scratch-path .build-bench
    python3 scripts/bench/compare.py --restora .build-bench/release/restora [--repeat 3]

The Swift side writes the synthetic data (seeded SplitMix64) as CSV with --write-data; every tool reads
those files, so all of them analyse exactly the same numbers. Times are wall-clock minima over the
repetitions and exclude reading the CSV.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd


def best_of(repeat, fn):
    """(wall, cpu) of the fastest repetition, and the result. CPU is process time (all threads)."""
    best, cpu, result = (float("inf"), float("nan")), None, None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if wall < best[0]:
            best = (wall, cpu)
    return best, result


def lifelines_km_logrank(df):
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import logrank_test

    a, b = df[df.group == 0], df[df.group == 1]
    k0 = KaplanMeierFitter().fit(a.time, a.event)  # exponential Greenwood (log-log) CI, as restora's default
    k1 = KaplanMeierFitter().fit(b.time, b.event)
    test = logrank_test(a.time, b.time, a.event, b.event)
    return {"chisq": test.test_statistic, "median0": k0.median_survival_time_, "median1": k1.median_survival_time_}


def lifelines_cox(df):
    from lifelines import CoxPHFitter

    f = CoxPHFitter().fit(df, "time", "event")
    return {"loglik": f.log_likelihood_, **{k: v for k, v in f.params_.items()}}


def scipy_clopper_pearson(count):
    from scipy.stats import beta

    # Same sweep as restora bench: x = 0..n for n = 1, 2, ..., 200, 1, 2, ... until `count` intervals.
    xs, ns, done, n = [], [], 0, 1
    while done < count:
        take = min(n + 1, count - done)
        xs.append(np.arange(take)); ns.append(np.full(take, n)); done += take
        n = n % 200 + 1
    x, n = np.concatenate(xs).astype(float), np.concatenate(ns).astype(float)

    def run():
        lo = np.where(x == 0, 0.0, beta.ppf(0.025, x, n - x + 1))
        hi = np.where(x == n, 1.0, beta.ppf(0.975, x + 1, n - x))
        return float(np.nansum(lo) + np.nansum(hi))

    return run


R_KM = """
suppressPackageStartupMessages(library(survival))
d <- read.csv("{dir}/survival.csv")
best <- Inf
for (i in 1:{repeat}) {{
  st <- system.time({{ f <- survfit(Surv(time, event) ~ group, data = d, conf.type = "log-log")
                       s <- survdiff(Surv(time, event) ~ group, data = d) }})
  if (st[["elapsed"]] < best) {{ best <- st[["elapsed"]]; cpu <- st[["user.self"]] + st[["sys.self"]] }}
}}
cat(best, s$chisq, cpu, "\\n")
"""

R_COX = """
suppressPackageStartupMessages(library(survival))
d <- read.csv("{dir}/cox.csv")
fml <- as.formula(paste("Surv(time, event) ~", paste(setdiff(names(d), c("time", "event")), collapse = "+")))
best <- Inf
for (i in 1:{repeat}) {{
  st <- system.time(f <- coxph(fml, data = d, ties = "efron"))
  if (st[["elapsed"]] < best) {{ best <- st[["elapsed"]]; cpu <- st[["user.self"]] + st[["sys.self"]] }}
}}
cat(best, format(f$loglik[2], digits = 15), cpu, "\\n")
"""


def r_fisher(tables, repeat):
    """Per-table time of R's fisher.test (each table run 10 times per repetition, as restora bench)."""
    if not shutil.which("Rscript"):
        return None
    lines = []
    for t in tables:
        m = "matrix(c(%s), nrow=%d, byrow=TRUE)" % (",".join(str(v) for row in t for v in row), len(t))
        lines.append(f"m <- {m}; best <- Inf; for (i in 1:{repeat}) {{ "
                     f"st <- system.time(for (j in 1:10) p <- fisher.test(m)$p.value); "
                     f"if (st[['elapsed']] < best) {{ best <- st[['elapsed']]; cpu <- st[['user.self']] + st[['sys.self']] }} }}; "
                     f"cat(best / 10, format(p, digits = 15), cpu / 10, '\\n')")
    out = subprocess.run(["Rscript", "-e", "\n".join(lines)], capture_output=True, text=True)
    if out.returncode != 0:
        print("R failed:", out.stderr[-500:], file=sys.stderr)
        return None
    rows = [[float(v) for v in line.split()[:3]] for line in out.stdout.strip().splitlines()]
    return [((w, c), p) for w, p, c in rows]


def r_time(script, directory, repeat):
    if not shutil.which("Rscript"):
        return None
    out = subprocess.run(["Rscript", "-e", script.format(dir=directory, repeat=repeat)],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print("R failed:", out.stderr[-500:], file=sys.stderr)
        return None
    seconds, check, cpu = out.stdout.split()[:3]
    return (float(seconds), float(cpu)), float(check)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--restora", default=".build-bench/release/restora", help="restora binary (release build)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--cox-subjects", type=int, default=100_000)
    ap.add_argument("--intervals", type=int, default=1_000_000)
    ap.add_argument("--skip-r", action="store_true")
    args = ap.parse_args()

    directory = tempfile.mkdtemp(prefix="restora-bench-")
    swift = json.loads(subprocess.run(
        [args.restora, "bench", "--json", "--repeat", str(args.repeat), "--write-data", directory,
         "--subjects", str(args.subjects), "--cox-subjects", str(args.cox_subjects),
         "--intervals", str(args.intervals)],
        check=True, capture_output=True, text=True).stdout)
    by_name = {t["workload"].split(" ")[0]: t for t in swift}
    fisher_rows = [t for t in swift if t["workload"] == "Fisher RxC"]

    def ours(t):
        return (t["seconds"], t["cpuSeconds"])

    rows = []
    surv = pd.read_csv(os.path.join(directory, "survival.csv"))
    t, res = best_of(args.repeat, lambda: lifelines_km_logrank(surv))
    s = by_name["Kaplan-Meier"]
    rows.append(("KM + log-rank", f"{args.subjects} subjects", ours(s), "lifelines", t,
                 f"chisq {s['check']['chisq']:.6f} vs {res['chisq']:.6f}"))
    if not args.skip_r and (r := r_time(R_KM, directory, args.repeat)):
        rows.append(("KM + log-rank", f"{args.subjects} subjects", ours(s), "R survival (survfit+survdiff)",
                     r[0], f"chisq {s['check']['chisq']:.6f} vs {r[1]:.6f}"))

    cox = pd.read_csv(os.path.join(directory, "cox.csv"))
    t, res = best_of(args.repeat, lambda: lifelines_cox(cox))
    c = by_name["Cox"]
    size = f"{args.cox_subjects} x {len(cox.columns) - 2}"
    rows.append(("Cox Efron", size, ours(c), "lifelines", t, f"loglik {c['check']['loglik']:.6f} vs {res['loglik']:.6f}"))
    if not args.skip_r and (r := r_time(R_COX, directory, args.repeat)):
        rows.append(("Cox Efron", size, ours(c), "R coxph (C code)", r[0],
                     f"loglik {c['check']['loglik']:.6f} vs {r[1]:.6f}"))

    if "Clopper-Pearson" in by_name:
        e = by_name["Clopper-Pearson"]
        t, res = best_of(args.repeat, scipy_clopper_pearson(args.intervals))
        rows.append(("Clopper-Pearson", f"{args.intervals} intervals", ours(e), "scipy beta.ppf (vectorized)", t,
                     f"sum {e['check']['sum of limits']:.6f} vs {res:.6f}"))
    if fisher_rows:
        tables = json.loads(open(os.path.join(directory, "fisher.json")).read())
        r = None if args.skip_r else r_fisher(tables, args.repeat)
        for i, f in enumerate(fisher_rows):
            if r:
                rows.append(("Fisher RxC", f["size"], ours(f), "R fisher.test (C network algorithm)", r[i][0],
                             f"p {f['check']['p']:.10g} vs {r[i][1]:.10g}"))
            else:
                rows.append(("Fisher RxC", f["size"], ours(f), "(R not installed; scipy has no RxC Fisher)",
                             (float("nan"), float("nan")), f"p {f['check']['p']:.10g}"))

    print(f"{'workload':<16} {'size':<20} {'reference':<36} {'restora wall/cpu s':>19} {'ref wall/cpu s':>17}"
          f" {'ratio wall':>10} {'ratio cpu':>9}  check")
    for name, size, (w, c), ref, (rw, rc), check in rows:
        print(f"{name:<16} {size:<20} {ref:<36} {w:>9.4f}/{c:<9.4f} {rw:>8.4f}/{rc:<8.4f}"
              f" {rw / w if w > 0 else float('nan'):>9.1f}x {rc / c if c > 0 else float('nan'):>8.1f}x  {check}")
    shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
