#!/usr/bin/env python3
"""`restora stats km` + `restora stats logrank` on a 10^6-row CSV, end to end (two processes: start, read the
file, analyse, print), against pandas.read_csv + lifelines KaplanMeierFitter (both arms) + logrank_test on the
same file in the same run (issue 13: restora at least 3x faster). Benchmarks do not run in CI.

    swift build -c release --scratch-path .build-bench       # or, as deployed: add --static-swift-stdlib
    python3 scripts/bench/csv_km.py --restora .build-bench/release/restora [--rows 1000000] [--repeat 5]

The CSV is the survival workload of `restora bench` (seeded SplitMix64: exponential times rounded to 0.01 day,
two arms, censoring), written with `restora bench --only km --write-data DIR`. Python's side is timed inside
the interpreter after its imports (pandas and lifelines already loaded), so it is not charged for start-up;
restora's side is charged for two process start-ups. Each figure is the fastest of --repeat runs, the two sides
interleaved. The check line shows both computed the same chi-square and medians.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_restora(binary, path, json_output=False):
    common = ["--input", path, "--time", "time", "--event", "event", "--group", "group"]
    extra = ["--json"] if json_output else []
    c0, w0 = children_cpu(), time.perf_counter()
    km = subprocess.run([binary, "stats", "km", *common, *extra], capture_output=True, check=True)
    w1 = time.perf_counter()
    lr = subprocess.run([binary, "stats", "logrank", *common, *extra], capture_output=True, check=True)
    w2 = time.perf_counter()
    return {"km": w1 - w0, "logrank": w2 - w1, "wall": w2 - w0, "cpu": children_cpu() - c0,
            "stdout": (km.stdout, lr.stdout)}


def run_python(path):
    import pandas as pd
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import logrank_test

    c0, w0 = time.process_time(), time.perf_counter()
    df = pd.read_csv(path)
    w1 = time.perf_counter()
    a, b = df[df.group == 0], df[df.group == 1]
    k0 = KaplanMeierFitter().fit(a.time, a.event)
    k1 = KaplanMeierFitter().fit(b.time, b.event)
    test = logrank_test(a.time, b.time, a.event, b.event)
    w2 = time.perf_counter()
    return {"read_csv": w1 - w0, "analysis": w2 - w1, "wall": w2 - w0, "cpu": time.process_time() - c0,
            "chisq": test.test_statistic, "median0": k0.median_survival_time_, "median1": k1.median_survival_time_}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--restora", default=".build-bench/release/restora")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", help="folder for survival.csv (default: a temporary folder)")
    args = parser.parse_args()

    folder = args.data or tempfile.mkdtemp(prefix="restora-csv-km-")
    path = os.path.join(folder, "survival.csv")
    if not os.path.exists(path):
        subprocess.run([args.restora, "bench", "--only", "km", "--subjects", str(args.rows), "--repeat", "1",
                        "--write-data", folder], check=True, capture_output=True)
    size = os.path.getsize(path)

    # Warm the page cache and the dynamic loader once on both sides, and check they agree.
    check = run_restora(args.restora, path, json_output=True)
    km_json, lr_json = json.loads(check["stdout"][0]), json.loads(check["stdout"][1])
    py = run_python(path)
    medians = [next((q["estimate"] for q in g["quantiles"] if q["probability"] == 0.5), None) for g in km_json["groups"]]
    print(f"file: {path} ({args.rows} rows, {size / 1e6:.1f} MB); machine: {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"check: chi-square restora {lr_json['chiSquare']:.6f} lifelines {py['chisq']:.6f}; "
          f"medians restora {medians} lifelines [{py['median0']}, {py['median1']}]")

    best_r, best_p = None, None
    for _ in range(args.repeat):
        r = run_restora(args.restora, path)
        p = run_python(path)
        if best_r is None or r["wall"] < best_r["wall"]:
            best_r = r
        if best_p is None or p["wall"] < best_p["wall"]:
            best_p = p
    print(f"restora stats km + logrank (2 processes): {best_r['wall']:.3f} s wall "
          f"(km {best_r['km']:.3f}, logrank {best_r['logrank']:.3f}), {best_r['cpu']:.3f} s CPU")
    print(f"pandas.read_csv + lifelines KM x2 + logrank_test: {best_p['wall']:.3f} s wall "
          f"(read_csv {best_p['read_csv']:.3f}, analysis {best_p['analysis']:.3f}), {best_p['cpu']:.3f} s CPU")
    ratio = best_p["wall"] / best_r["wall"]
    print(f"ratio (pandas + lifelines / restora): {ratio:.1f}x wall, {best_p['cpu'] / best_r['cpu']:.1f}x CPU "
          f"(target: at least 3x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
