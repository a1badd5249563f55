#!/usr/bin/env python3
"""Export throughput and memory (issue #18, BENCHMARKS.md "Exports"): `restora export csv` and `restora export sdtm`
of one program of a scaled demo database, each under /usr/bin/time -v.

  swift build -c release --scratch-path .build-bench --product restora
  python3 scripts/bench/export.py --restora .build-bench/release/restora --demo-folder /tmp/bench-10k [--program isotretinoin-noa]
  python3 scripts/bench/export.py --restora .build-bench/release/restora --participants 10000     # seeds a fresh demo first

Figures per kind: data rows written (the sum of the manifest's row counts), wall seconds, rows/s, max RSS (MB).
Then SDTM time ÷ CSV time. Targets (issue #18): CSV >= 100,000 rows/s with flat memory; SDTM <= 2x the CSV time.
With --small-folder DIR (or --compare-half N, a fresh demo of N participants) the CSV export also runs on a
smaller demo, so the two max RSS figures show whether memory grows with the data (flat: about the same).

The demo folder is copied into a temporary folder first (an export records its job in the database; the
original is never written). Everything made here is removed at the end.
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time


PEAKS = {}


def rss_split(pid):
    """RssAnon and RssFile (kB) of `pid`'s child (the command /usr/bin/time runs), or None."""
    try:
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
        status = open(f"/proc/{children[0]}/status").read() if children else ""
    except OSError:
        return None
    found = dict(re.findall(r"^(RssAnon|RssFile):\s+(\d+) kB", status, re.M))
    return (int(found["RssAnon"]), int(found["RssFile"])) if len(found) == 2 else None


def run_timed(cmd, env=None):
    """Runs `cmd` under /usr/bin/time -v; returns (stdout, wall seconds, max RSS in MB). Samples the command's
    anonymous and file-backed resident memory every 0.2 s (peaks in PEAKS["anon"], PEAKS["file"], MB): max RSS
    counts the pages of SQLite's memory map and of the binary too, which grow with the database file."""
    started = time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    anon = file = 0
    while proc.poll() is None:
        split = rss_split(proc.pid)
        if split:
            anon, file = max(anon, split[0]), max(file, split[1])
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{stderr[-2000:]}")
    PEAKS["anon"], PEAKS["file"] = anon / 1024, file / 1024
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return stdout, wall, (int(rss.group(1)) / 1024 if rss else float("nan"))


def seed(restora, folder, participants):
    subprocess.run([restora, "demo", "--seed-only", "--folder", folder, "--participants", str(participants)],
                   check=True, stdout=subprocess.DEVNULL)


def migrate(restora, folder):
    """Brings a copied demo up to date first, so no export's time includes a migration."""
    subprocess.run([restora, "migrate", "--database-url", "sqlite://" + os.path.join(folder, "restora-demo.sqlite")],
                   check=True, stdout=subprocess.DEVNULL)


def export(restora, folder, kind, program, out):
    stdout, wall, rss = run_timed([restora, "export", kind, "--program", program, "--output", out, "--demo-folder", folder, "--json"])
    job = json.loads(stdout)
    if job.get("status") != "done":
        sys.exit(f"{kind} export failed: {job.get('errorMessage')}")
    rows = sum(f["rows"] for f in job["files"])
    return {"kind": kind, "rows": rows, "participants": job["participantCount"], "seconds": wall, "rss": rss,
            "anon": PEAKS.get("anon", float("nan")), "file": PEAKS.get("file", float("nan")),
            "files": len(job["files"]), "bytes": sum(f["bytes"] for f in job["files"])}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--restora", required=True)
    ap.add_argument("--demo-folder", help="a folder made by `restora demo --seed-only --participants N` (copied, not written)")
    ap.add_argument("--participants", type=int, help="seed a fresh demo of this many participants instead")
    ap.add_argument("--program", default="isotretinoin-noa")
    ap.add_argument("--kinds", default="csv,sdtm")
    ap.add_argument("--compare-half", type=int, help="also export CSV from a fresh demo of this many participants (memory flatness)")
    ap.add_argument("--small-folder", help="also export CSV from this (smaller) demo folder, copied (memory flatness)")
    args = ap.parse_args()
    restora = os.path.abspath(args.restora)
    work = tempfile.mkdtemp(prefix="restora-export-bench-")
    try:
        folder = os.path.join(work, "demo")
        if args.demo_folder:
            shutil.copytree(args.demo_folder, folder)
        elif args.participants:
            seed(restora, folder, args.participants)
        else:
            sys.exit("give --demo-folder or --participants")
        migrate(restora, folder)
        results = []
        for kind in args.kinds.split(","):
            results.append(export(restora, folder, kind, args.program, os.path.join(work, f"out-{kind}")))
        if args.compare_half or args.small_folder:
            half = os.path.join(work, "half")
            if args.small_folder:
                shutil.copytree(args.small_folder, half)
                migrate(restora, half)
            else:
                seed(restora, half, args.compare_half)
            small = export(restora, half, "csv", args.program, os.path.join(work, "out-half"))
            small["kind"] = "csv (smaller demo)"
            results.append(small)
        print(f"restora export of program {args.program} ({restora})")
        print(f"{'kind':<22}{'participants':>13}{'files':>7}{'rows':>12}{'MB':>9}{'seconds':>10}{'rows/s':>11}{'max RSS MB':>12}"
              f"{'anon MB':>9}{'file MB':>9}")
        for r in results:
            print(f"{r['kind']:<22}{r['participants']:>13,}{r['files']:>7}{r['rows']:>12,}{r['bytes'] / 1e6:>9.1f}"
                  f"{r['seconds']:>10.2f}{r['rows'] / r['seconds']:>11,.0f}{r['rss']:>12.0f}{r['anon']:>9.0f}{r['file']:>9.0f}")
        by = {r["kind"]: r for r in results}
        if "csv" in by:
            rate = by["csv"]["rows"] / by["csv"]["seconds"]
            print(f"CSV: {rate:,.0f} rows/s (target >= 100,000): {'met' if rate >= 100_000 else 'NOT met'}")
        if "csv" in by and "sdtm" in by:
            ratio = by["sdtm"]["seconds"] / by["csv"]["seconds"]
            print(f"SDTM time / CSV time: {ratio:.2f} (target <= 2): {'met' if ratio <= 2 else 'NOT met'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
