#!/usr/bin/env python3
"""FHIR server and Bulk Data figures (issue #17, BENCHMARKS.md "FHIR server and Bulk Data"), all in one run on a
copy of a scaled demo database.

  swift build -c release --scratch-path .build-bench --product restora
  .build-bench/release/restora demo --seed-only --folder /tmp/bench-10k --participants 10000
  python3 scripts/bench/fhir.py --restora .build-bench/release/restora --demo-folder /tmp/bench-10k \
      [--clients 16] [--seconds 8] [--observations 20000] [--ndjson FILE] [--perf DIR] [--skip reads,export,import]

What it measures, in this order, on one copy of the demo folder (migrated first; the migration is not timed):
1. Reads and searches, FHIR beside the JSON API, each for --seconds with --clients keep-alive clients (wrk), every
   request a different participant / observation of a sample of the database (a Lua script walks the list):
     FHIR GET /fhir/Patient/{id}                       JSON GET /api/v1/participants/{id}
     FHIR GET /fhir/Observation/{id}                   (the JSON API reads no single observation)
     FHIR GET /fhir/Observation?patient=P&code=S|C     JSON GET /api/v1/participants/{P}/observations (all of P's;
     FHIR GET /fhir/Observation?patient=P&_count=1000    it has no code filter)
     FHIR GET /fhir/Patient?identifier=S|MRN           JSON GET /api/v1/participants?mrn=MRN
   plus GET /healthz (the server's ceiling on this machine). Signed in as the demo admin (every site) with a bearer
   token from `restora token create` (as scripts/ci/fhir.sh does). Every search used is checked first to match.
2. System $export: GET /fhir/$export with Prefer: respond-async, the status polled every 0.1 s (the server's
   Retry-After is 2 s; a client that obeys it would add up to 2 s), then every NDJSON file downloaded and its lines
   counted against the manifest. Rate = the sum of the manifest's counts / (manifest complete - kick-off); also the
   download time and the server's CPU seconds and peak RSS (from /proc). Target >= 50,000 resources/s.
   With --perf DIR, `perf record -F 499 -g` is attached to the server for the export (DIR/perf-export.data).
3. `restora import fhir FILE.ndjson` of --observations generated laboratory Observations (the demo's own lab and
   PHQ-9 codes, UCUM units, plausible values, random existing participants, dates in 2025), the server stopped
   first; wall time of the whole command, the rate it prints itself (load only), the observation and audit rows
   added (checked in the database). With --ndjson FILE that file is imported instead. Target >= 5,000/s with audit.
   With --perf DIR the import runs under `perf record -F 499 -g` (DIR/perf-import.data).

Prints a table and the command line. The demo folder is never written: everything runs on a copy in a temporary
folder, removed at the end (--keep keeps it). Needs wrk (Debian: apt-get install wrk).
"""
import argparse, json, os, random, re, shutil, socket, sqlite3, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

# The demo's laboratory and questionnaire tests without a specimen (REFERENCE ranges around the demo's values):
# (LOINC code, UCUM unit, low, high, decimals).
LAB_TESTS = [
    ("1742-6", "U/L", 12, 60, 0),       # ALT
    ("1920-8", "U/L", 12, 55, 0),       # AST
    ("2085-9", "mg/dL", 35, 70, 0),     # HDL cholesterol
    ("2089-1", "mg/dL", 60, 190, 0),    # LDL cholesterol
    ("2093-3", "mg/dL", 140, 270, 0),   # cholesterol
    ("2571-8", "mg/dL", 60, 220, 0),    # triglycerides
    ("10501-5", "[IU]/L", 3, 16, 1),    # LH
    ("15067-2", "[IU]/L", 4, 30, 1),    # FSH
    ("2986-8", "ng/dL", 220, 600, 0),   # testosterone
    ("44261-6", "{score}", 0, 18, 0),   # PHQ-9 total
]
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def proc_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_peak_rss_mb(pid):
    found = re.search(r"^VmHWM:\s+(\d+) kB", open(f"/proc/{pid}/status").read(), re.M)
    return int(found.group(1)) / 1024 if found else float("nan")


def load_average():
    return " / ".join(open("/proc/loadavg").read().split()[:3])


class Server:
    """`restora serve` on the copied database, with a bearer token of the demo admin."""

    def __init__(self, restora, env, work):
        self.restora, self.env, self.work = restora, env, work
        self.token = self.cli("token", "create", "--username", "admin").strip().splitlines()[-1]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(work, "server.log"), "w")
        self.process = subprocess.Popen([restora, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                        env=env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except Exception:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        sys.exit("the server did not start: " + open(os.path.join(work, "server.log")).read()[-2000:])

    def cli(self, *args):
        return subprocess.run([self.restora, *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def request(self, path, accept="application/fhir+json", headers=None, method="GET"):
        """(status, headers, body bytes) of one request with the token."""
        req = urllib.request.Request(self.base + path, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", accept)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, path):
        status, _, body = self.request(path)
        if status != 200:
            sys.exit(f"GET {path}: {status} {body[:500]!r}")
        return json.loads(body)

    def wrk(self, name, paths, clients, seconds):
        """wrk with `clients` keep-alive connections for `seconds`, each request the next path of `paths`."""
        script = os.path.join(self.work, f"wrk-{name}.lua")
        with open(script, "w") as f:
            f.write(f'wrk.headers["Authorization"] = "Bearer {self.token}"\n')
            f.write('wrk.headers["Accept"] = "application/fhir+json, application/json"\n')
            f.write("local paths = {\n" + ",\n".join(lua_string(p) for p in paths) + "\n}\n")
            f.write("local i = math.random(#paths)\n"
                    "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n")
        out = subprocess.run(["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script,
                              self.base + "/"], capture_output=True, text=True, check=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        total = int(re.search(r"(\d+) requests in", out).group(1))
        transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
        percentiles = {m.group(1): to_ms(m.group(2)) for m in re.finditer(r"\s+(50|99)%\s+([\d.]+\w+)", out)}
        return {"rate": rate, "p50": percentiles.get("50"), "p99": percentiles.get("99"), "requests": total,
                "non2xx": int(bad.group(1)) if bad else 0,
                "transfer": f"{transfer.group(1)} {transfer.group(2)}/s" if transfer else ""}

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sample(db_path, count, seed):
    """Participants (id, mrn, site code) and observations (id, participant id) picked at random, live rows only."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    rng = random.Random(seed)
    total = db.execute("SELECT max(rowid) FROM participants").fetchone()[0]
    participants = []
    for rowid in rng.sample(range(1, total + 1), min(count * 2, total)):
        row = db.execute("SELECT p.id, p.mrn, s.code FROM participants p JOIN sites s ON s.id = p.site_id "
                         "WHERE p.rowid = ? AND p.deleted_at IS NULL", (rowid,)).fetchone()
        if row:
            participants.append(row)
        if len(participants) == count:
            break
    total = db.execute("SELECT max(rowid) FROM observations").fetchone()[0]
    observations = []
    for rowid in rng.sample(range(1, total + 1), min(count * 2, total)):
        row = db.execute("SELECT id, participant_id FROM observations WHERE rowid = ? AND deleted_at IS NULL", (rowid,)).fetchone()
        if row:
            observations.append(row)
        if len(observations) == count:
            break
    counts = {"participants": db.execute("SELECT count(*) FROM participants").fetchone()[0],
              "observations": db.execute("SELECT count(*) FROM observations WHERE deleted_at IS NULL").fetchone()[0]}
    db.close()
    return participants, observations, counts


def row_counts(db_path):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return (db.execute("SELECT count(*) FROM observations").fetchone()[0],
                db.execute("SELECT count(*) FROM audit_log").fetchone()[0])
    finally:
        db.close()


def reads(server, participants, observations, clients, seconds, results):
    """The read and search rows. Every search is run once first and must match (else the figure means nothing)."""
    # One FHIR read of each sampled observation: warms the server and gives each its code token.
    searches = []
    for obs_id, patient_id in observations:
        resource = server.json(f"/fhir/Observation/{obs_id}")
        coding = resource["code"]["coding"][0]
        searches.append((patient_id, f"{coding['system']}|{coding['code']}"))
    q = urllib.parse.quote
    by_code = [f"/fhir/Observation?patient={p}&code={q(token, safe='')}" for p, token in searches]
    by_patient = [f"/fhir/Observation?patient={p}&_count=1000" for p, _ in searches]
    by_identifier = [f"/fhir/Patient?identifier={q(f'urn:restora:site:{site}:mrn|{mrn}', safe='')}" for _, mrn, site in participants]
    by_mrn = [f"/api/v1/participants?mrn={q(mrn, safe='')}" for _, mrn, _ in participants]
    for path in by_code[:5] + by_identifier[:5]:
        bundle = server.json(path)
        if not bundle.get("entry"):
            sys.exit(f"the search {path} matched nothing: the figure would not measure a search")
    for path in by_mrn[:5]:
        status, _, body = server.request(path, accept="application/json")
        items = json.loads(body).get("items", json.loads(body).get("participants")) if status == 200 else None
        if status != 200 or not items:
            sys.exit(f"GET {path}: {status} {body[:300]!r} (expected one participant)")
    entries = [len(server.json(p).get("entry", [])) for p in by_patient[:20]]
    sizes = sum(entries) / len(entries)
    pairs = [
        ("GET /healthz (ceiling)", None, ["/healthz"]),
        ("read Patient", "FHIR", [f"/fhir/Patient/{p}" for p, _, _ in participants]),
        ("read Patient", "JSON", [f"/api/v1/participants/{p}" for p, _, _ in participants]),
        ("read Observation", "FHIR", [f"/fhir/Observation/{o}" for o, _ in observations]),
        ("search Observation?patient&code", "FHIR", by_code),
        (f"search Observation?patient (all, ~{sizes:.0f} per patient)", "FHIR", by_patient),
        ("list participant's observations (all)", "JSON", [f"/api/v1/participants/{p}/observations" for p, _ in searches]),
        ("search Patient?identifier=MRN", "FHIR", by_identifier),
        ("search participants?mrn=MRN", "JSON", by_mrn),
    ]
    for index, (what, api, paths) in enumerate(pairs):
        r = server.wrk(f"r{index}", paths, clients, seconds)
        r.update({"what": what, "api": api or "", "load": load_average()})
        results.append(r)
        print(f"  {api or '':<5}{what:<48}{r['rate']:>9,.0f}/s  p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms  "
              f"non-2xx {r['non2xx']}  ({r['transfer']}, load {r['load']})", flush=True)


def export(server, perf_dir):
    """System $export: kick-off, poll, manifest, download every file; counts checked."""
    pid = server.process.pid
    cpu_before = proc_cpu_seconds(pid)
    perf = None
    if perf_dir:
        os.makedirs(perf_dir, exist_ok=True)
        perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(pid), "-o", os.path.join(perf_dir, "perf-export.data")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    load = load_average()
    started = time.perf_counter()
    status, headers, body = server.request("/fhir/$export", headers={"Prefer": "respond-async"})
    if status != 202:
        sys.exit(f"$export kick-off: {status} {body[:500]!r}")
    location = headers["Content-Location"]
    status_path = urllib.parse.urlparse(location).path
    polls = 0
    while True:
        polls += 1
        status, headers, body = server.request(status_path)
        if status == 200:
            break
        if status != 202:
            sys.exit(f"$export status: {status} {body[:500]!r}")
        time.sleep(0.1)
    manifest_seconds = time.perf_counter() - started
    cpu_export = proc_cpu_seconds(pid) - cpu_before
    if perf:
        perf.send_signal(2)
        perf.wait()
    manifest = json.loads(body)
    download_started = time.perf_counter()
    files, total_bytes = [], 0
    for output in manifest["output"]:
        req = urllib.request.Request(server.base + urllib.parse.urlparse(output["url"]).path)
        req.add_header("Authorization", f"Bearer {server.token}")
        lines = size = 0
        with urllib.request.urlopen(req, timeout=600) as r:
            for line in r:
                lines += 1
                size += len(line)
        if lines != output["count"]:
            sys.exit(f"{output['type']}: {lines} lines, the manifest says {output['count']}")
        files.append((output["type"], output["count"], size))
        total_bytes += size
    download_seconds = time.perf_counter() - download_started
    resources = sum(count for _, count, _ in files)
    return {"resources": resources, "files": files, "seconds": manifest_seconds, "polls": polls,
            "download": download_seconds, "bytes": total_bytes, "cpu": cpu_export,
            "rss": proc_peak_rss_mb(pid), "load": load}


def generate_ndjson(db_path, path, count, seed):
    """`count` laboratory / PHQ-9 Observations for random existing participants (no ids: the server assigns them)."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    participants = [r[0] for r in db.execute("SELECT id FROM participants")]
    db.close()
    rng = random.Random(seed)
    with open(path, "w") as f:
        for _ in range(count):
            code, unit, low, high, decimals = rng.choice(LAB_TESTS)
            value = round(rng.uniform(low, high), decimals)
            if decimals == 0:
                value = int(value)
            effective = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(7, 17):02d}:{rng.randint(0, 59):02d}:00Z"
            f.write(json.dumps({
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": LOINC, "code": code}]},
                "subject": {"reference": f"Patient/{rng.choice(participants)}"},
                "effectiveDateTime": effective,
                "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
            }, separators=(",", ":")) + "\n")


def import_fhir(restora, env, db_path, ndjson, work, perf_dir):
    observations_before, audit_before = row_counts(db_path)
    lines = sum(1 for _ in open(ndjson))
    report = os.path.join(work, "refused.csv")
    load = load_average()
    started = time.perf_counter()
    perf = ["perf", "record", "-F", "499", "-g", "-o", os.path.join(perf_dir, "perf-import.data"), "--"] if perf_dir else []
    if perf_dir:
        os.makedirs(perf_dir, exist_ok=True)
    proc = subprocess.run(["/usr/bin/time", "-v", *perf, restora, "import", "fhir", ndjson, "--report", report],
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 2):
        sys.exit(f"import failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    observations_after, audit_after = row_counts(db_path)
    printed = re.search(r"(\d+) loaded .*?, (\d+) refused, ([\d.]+) s, (\d+) resources/s", proc.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", proc.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", proc.stderr)
    refused = sum(1 for _ in open(report)) - 1 if os.path.exists(report) else 0
    reasons = {}
    if refused:
        for line in list(open(report))[1:]:
            reason = line.rstrip("\n").split(",", 2)[-1]
            reasons[reason] = reasons.get(reason, 0) + 1
    return {"lines": lines, "loaded": observations_after - observations_before, "audit": audit_after - audit_before,
            "refused": refused, "reasons": reasons, "wall": wall, "load": load,
            "own_seconds": float(printed.group(3)) if printed else float("nan"),
            "own_rate": int(printed.group(4)) if printed else 0,
            "cpu": (float(user.group(1)) + float(system.group(1))) if user and system else float("nan"),
            "rss": int(rss.group(1)) / 1024 if rss else float("nan")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--restora", required=True)
    ap.add_argument("--demo-folder", required=True, help="made by `restora demo --seed-only --participants N` (copied, never written)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--sample", type=int, default=200, help="participants and observations the reads walk through")
    ap.add_argument("--observations", type=int, default=20000, help="Observations generated for the import")
    ap.add_argument("--ndjson", help="import this NDJSON file instead of generating one")
    ap.add_argument("--perf", metavar="DIR", help="perf record -F 499 -g the server during $export and the import (DIR/perf-*.data)")
    ap.add_argument("--skip", default="", help="comma-separated: reads, export, import")
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    restora = os.path.abspath(args.restora)
    commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="restora-fhir-bench-")
    server = None
    try:
        folder = os.path.join(work, "demo")
        t = time.perf_counter()
        shutil.copytree(args.demo_folder, folder)
        db_path = os.path.join(folder, "restora-demo.sqlite")
        env = dict(os.environ, RESTORA_DATABASE_URL="sqlite://" + db_path, RESTORA_LOG_LEVEL="warning",
                   RESTORA_EXPORT_DIRECTORY=os.path.join(work, "exports"))
        os.makedirs(env["RESTORA_EXPORT_DIRECTORY"])
        # The copy's dirty pages flushed before anything is timed: the kernel would otherwise write them back during
        # the export and hold the export's own writes back with them (stalls of 3-4 s at 10^5).
        os.sync()
        copied = time.perf_counter() - t
        t = time.perf_counter()
        subprocess.run([restora, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        print(f"copied {args.demo_folder} in {copied:.1f} s, migrated the copy in {time.perf_counter() - t:.1f} s (not timed below)", flush=True)
        participants, observations, counts = sample(db_path, args.sample, args.seed)
        print(f"database: {counts['participants']:,} participants, {counts['observations']:,} observations; "
              f"nproc {os.cpu_count()}, load {load_average()}, HEAD {commit}", flush=True)
        reads_results, exported, imported = [], None, None
        if not {"reads", "export"} <= skip:
            server = Server(restora, env, work)
        if "reads" not in skip:
            print(f"reads and searches, {args.clients} clients, {args.seconds} s each:", flush=True)
            reads(server, participants, observations, args.clients, args.seconds, reads_results)
        if "export" not in skip:
            exported = export(server, args.perf)
            print(f"$export: {exported['resources']:,} resources in {exported['seconds']:.2f} s to the manifest", flush=True)
        if server:
            server.stop()
            server = None
        if "import" not in skip:
            ndjson = args.ndjson or os.path.join(work, "observations.ndjson")
            if not args.ndjson:
                generate_ndjson(db_path, ndjson, args.observations, args.seed)
            imported = import_fhir(restora, env, db_path, ndjson, work, args.perf)

        print()
        print(f"restora FHIR benchmark: {args.demo_folder} ({counts['participants']:,} participants, "
              f"{counts['observations']:,} observations), HEAD {commit}, {restora}")
        if reads_results:
            print(f"{'':<5}{'request (' + str(args.clients) + ' clients, ' + str(args.seconds) + ' s)':<48}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}  load")
            for r in reads_results:
                print(f"{r['api']:<5}{r['what']:<48}{r['rate']:>10,.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['non2xx']:>9}  {r['load']}")
            by = {(r["api"], r["what"]): r["rate"] for r in reads_results}
            for fhir, json_api, what in [("read Patient", "read Patient", "read Patient"),
                                         ("search Patient?identifier=MRN", "search participants?mrn=MRN", "Patient by MRN")]:
                if ("FHIR", fhir) in by and ("JSON", json_api) in by:
                    print(f"  FHIR / JSON, {what}: {by[('FHIR', fhir)] / by[('JSON', json_api)]:.2f}")
        if exported:
            e = exported
            rate = e["resources"] / e["seconds"]
            print(f"$export (system): {e['resources']:,} resources ("
                  + ", ".join(f"{c:,} {t}" for t, c, _ in e["files"])
                  + f"), kick-off -> manifest {e['seconds']:.2f} s ({e['polls']} polls): {rate:,.0f} resources/s "
                  f"(target >= 50,000: {'met' if rate >= 50000 else 'NOT met'}); server CPU {e['cpu']:.1f} s "
                  f"({e['resources'] / max(e['cpu'], 0.001):,.0f} resources per CPU-second), peak RSS {e['rss']:.0f} MB; "
                  f"download {e['bytes'] / 1e6:.1f} MB in {e['download']:.2f} s; load at kick-off {e['load']}")
        if imported:
            i = imported
            rate = i["loaded"] / i["wall"]
            print(f"import fhir: {i['lines']:,} lines, {i['loaded']:,} observations added, {i['audit']:,} audit entries added, "
                  f"{i['refused']:,} refused; whole command {i['wall']:.2f} s: {rate:,.0f} observations/s "
                  f"(target >= 5,000: {'met' if rate >= 5000 else 'NOT met'}); the import's own figure {i['own_rate']:,}/s "
                  f"over {i['own_seconds']:.1f} s; CPU {i['cpu']:.1f} s, max RSS {i['rss']:.0f} MB; load at start {i['load']}")
            for reason, n in sorted(i["reasons"].items(), key=lambda kv: -kv[1])[:5]:
                print(f"  refused {n}: {reason}")
        print("command: python3 " + " ".join(sys.argv))
    finally:
        if server:
            server.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
