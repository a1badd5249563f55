#!/usr/bin/env python3
"""Every storage figure of issue 13 in one run, each as a ratio to its reference measured in the same run.

  python3 scripts/bench/storage.py --restora .build-bench/release/restora [--seconds 10]
      [--postgres postgres://postgres:postgres@127.0.0.1:5432/postgres]   # adds the PostgreSQL rows
      [--scaled /tmp/bench-10k]        # a folder made by `restora demo --seed-only --participants N`: dashboard + report
      [--seed-participants 300]        # seeding rate: a fresh `restora demo --seed-only --participants N` (0 skips)
      [--csv]                          # runs scripts/bench/csv_km.py (stats km + logrank vs pandas + lifelines)

Figures (see BENCHMARKS.md "Storage core"):
- SQLite commit limit of this disk: Python's sqlite3, WAL, synchronous FULL, one observation row + one audit row
  per commit, one connection (the reference for POST observation).
- POST /api/v1/participants/{id}/observations with 1 and 16 clients (wrk, keep-alive): requests/s, p50, p99,
  and the ratio to the commit limit (group commit can pass 1.0x).
- GET /healthz and the audited GET /api/v1/participants/{id} with 16 clients: the ratio of the two.
- With --postgres: the same two rows against a fresh PostgreSQL database.
- With --scaled: the dashboard (median of 5, signed in as the demo investigator) and `restora report` for the
  isotretinoin program (wall, max RSS) against Python's sqlite3 fetching that program's observation rows.
- Seeding: observations/s of `restora demo --seed-only --participants N` (as the banner prints it).

Needs wrk (Debian: apt-get install wrk). Loopback only; every database is made in a temporary folder and
removed at the end (the --scaled folder and the --postgres server are only read / given a scratch database).
"""
import argparse, json, os, re, shutil, socket, sqlite3, statistics, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dashboard  # noqa: E402  (scripts/bench/dashboard.py: the dashboard's time, shared with its own command)
OBSERVATION = {"code": {"system": "loinc", "code": "2571-8"},
               "value": {"quantity": {"value": 150, "unit": "mg/dL"}},
               "effective": "2026-01-02T09:00:00Z"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def commit_limit(folder, seconds):
    """Commits per second of one connection on this disk, each committing an observation-sized row and an
    audit-sized row (WAL, synchronous FULL: what Restora's writer does)."""
    db = sqlite3.connect(os.path.join(folder, "limit.sqlite"), isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE obs (id TEXT PRIMARY KEY, participant_id TEXT, code_system TEXT, code TEXT, "
               "value_number REAL, value_unit TEXT, effective TEXT, version INTEGER, created_at TEXT, updated_at TEXT)")
    db.execute("CREATE TABLE audit (sequence INTEGER PRIMARY KEY, at TEXT, actor_id TEXT, action TEXT, "
               "table_name TEXT, record_id TEXT, request_id TEXT, hash TEXT)")
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        n += 1
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO obs VALUES (?, 'p-1', 'loinc', '2571-8', 150, 'mg/dL', '2026-01-02T09:00:00Z', 1, "
                   "'2026-01-02T09:00:00Z', '2026-01-02T09:00:00Z')", (f"o-{n:08d}-2c1a9f3e-7b7e-4c38-9a55",))
        db.execute("INSERT INTO audit VALUES (?, '2026-01-02T09:00:00Z', 'u-1', 'create', 'observations', ?, "
                   "'req-2c1a9f3e-7b7e-4c38-9a55', 'qz6N0P1n0t9C0m2vS5eWl0Y8lQpE0b7rW3xYzA1b2c4=')", (n, f"o-{n:08d}"))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    db.close()
    return n / elapsed


class Server:
    """`restora serve` on a database made through the CLI: a site, a coordinator, a token, one participant."""

    def __init__(self, restora, database_url, folder, label):
        self.restora, self.label = restora, label
        self.env = dict(os.environ, RESTORA_DATABASE_URL=database_url, RESTORA_LOG_LEVEL="warning")
        self.cli("migrate")
        self.cli("site", "add", "--code", "BENCH", "--name", "Benchmark clinic")
        self.cli("user", "add", "--username", "bench", "--role", "coordinator", "--site", "BENCH")
        self.token = self.cli("token", "create", "--username", "bench").strip().splitlines()[-1]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([restora, "serve", "--port", str(self.port)], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        else:
            self.stop()
            sys.exit(f"{label}: the server did not start")
        site = self.api("GET", "/api/v1/me")["siteIDs"][0]
        self.participant = self.api("POST", "/api/v1/participants",
                                    {"siteID": site, "mrn": "BENCH-1", "sex": "male", "birthDate": "1980-01-01"})["id"]
        self.scripts = folder

    def cli(self, *args):
        return subprocess.run([self.restora, *args], env=self.env, check=True, capture_output=True, text=True).stdout

    def api(self, method, path, body=None):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read() or b"null")

    def wrk(self, path, clients, seconds, method="GET", body=None, auth=True):
        script = os.path.join(self.scripts, f"wrk-{clients}-{abs(hash(path)) % 10000}.lua")
        lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
        if auth:
            lines.append(f'wrk.headers["Authorization"] = "Bearer {self.token}"')
        if body is not None:
            lines.append("wrk.body = [[" + json.dumps(body) + "]]")
        with open(script, "w") as f:
            f.write("\n".join(lines) + "\n")
        threads = min(clients, 2)
        out = subprocess.run(["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--latency", "-s", script,
                              self.base + path], capture_output=True, text=True, check=True).stdout
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        errors = re.search(r"Socket errors: (.*)", out)
        percentiles = {m.group(1): to_ms(m.group(2)) for m in re.finditer(r"\s+(50|99)%\s+([\d.]+\w+)", out)}
        return {"rate": rate, "p50": percentiles.get("50"), "p99": percentiles.get("99"),
                "non2xx": int(bad.group(1)) if bad else 0, "socket_errors": errors.group(1) if errors else None}

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def row(what, figure, reference="", ratio=""):
    print(f"{what:<58} {figure:<34} {reference:<30} {ratio}")


def http_rows(server, seconds, limit):
    post = f"/api/v1/participants/{server.participant}/observations"
    for clients in (1, 16):
        r = server.wrk(post, clients, seconds, method="POST", body=OBSERVATION)
        ratio = f"{r['rate'] / limit:.2f}x commit limit" if limit else ""
        row(f"[{server.label}] POST observation, {clients} client(s)",
            f"{r['rate']:,.0f}/s p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms",
            f"non-2xx {r['non2xx']}", ratio)
    healthz = server.wrk("/healthz", 16, seconds, auth=False)
    opened = server.wrk(f"/api/v1/participants/{server.participant}", 16, seconds)
    row(f"[{server.label}] GET /healthz, 16 clients", f"{healthz['rate']:,.0f}/s p99 {healthz['p99']:.1f} ms")
    row(f"[{server.label}] GET participant (audited read), 16 clients",
        f"{opened['rate']:,.0f}/s p99 {opened['p99']:.1f} ms", f"non-2xx {opened['non2xx']}",
        f"{opened['rate'] / healthz['rate']:.2f}x healthz")


def postgres_database(admin_url):
    """A fresh scratch database on the given server (dropped and re-made); returns its URL."""
    psql = shutil.which("psql") or next(iter(sorted(
        p for p in (os.path.join(d, "bin", "psql") for d in
                    [os.path.join("/usr/lib/postgresql", v) for v in os.listdir("/usr/lib/postgresql")]
                    if os.path.isdir("/usr/lib/postgresql")) if os.path.exists(p))), None)
    if not psql:
        sys.exit("--postgres needs psql")
    for statement in ("DROP DATABASE IF EXISTS restora_storage_bench", "CREATE DATABASE restora_storage_bench"):
        subprocess.run([psql, admin_url, "-q", "-c", statement], check=True, capture_output=True)
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path="/restora_storage_bench"))


def scaled_rows(restora, folder):
    database = os.path.join(folder, "restora-demo.sqlite")
    db = sqlite3.connect(database)
    participants = db.execute("SELECT COUNT(*) FROM participants").fetchone()[0]
    program = db.execute("SELECT id FROM programs WHERE protocol_id = 'isotretinoin-noa'").fetchone()[0]
    fetch = []
    for _ in range(3):
        start = time.perf_counter()
        rows = db.execute("SELECT * FROM observations WHERE deleted_at IS NULL AND participant_id IN "
                          "(SELECT participant_id FROM enrolments WHERE program_id = ?)", (program,)).fetchall()
        fetch.append(time.perf_counter() - start)
    db.close()
    python_fetch = min(fetch)
    row(f"[scaled, {participants:,} participants] Python sqlite3 fetch of the program's observations",
        f"{python_fetch:.2f} s ({len(rows):,} rows)")
    output = os.path.join(tempfile.mkdtemp(prefix="restora-report-bench."), "report.json")
    report = subprocess.run(["/usr/bin/time", "-f", "%e %M", restora, "report", "--demo-folder", folder,
                             "--program", "isotretinoin-noa", "--format", "json", "--output", output],
                            capture_output=True, text=True)
    shutil.rmtree(os.path.dirname(output), ignore_errors=True)
    if report.returncode != 0:
        row("[scaled] restora report isotretinoin-noa", "FAILED", report.stderr.strip().splitlines()[-1][:60])
    else:
        wall, rss_kb = report.stderr.strip().splitlines()[-1].split()
        row("[scaled] restora report isotretinoin-noa (json)", f"{float(wall):.2f} s, max RSS {int(rss_kb) // 1024} MB",
            "", f"{float(wall) / python_fetch:.2f}x Python fetch")
    times, _ = dashboard.measure(restora, database, user="investigator", requests=6)
    row("[scaled] dashboard (median of 5 after one warm-up)", f"{statistics.median(times[1:]) * 1000:.0f} ms")


def seeding_row(restora, participants, work):
    folder = os.path.join(work, "seed")
    out = subprocess.run([restora, "demo", "--seed-only", "--folder", folder, "--participants", str(participants)],
                         capture_output=True, text=True, check=True)
    text = out.stdout + out.stderr
    match = re.search(r"Seeded in ([\d.]+) s.*? (\d+) observations,.*\((\d+) observations/s\)", text, re.S)
    figure = (f"{int(match.group(3)):,} observations/s ({int(match.group(2)):,} in {match.group(1)} s)" if match
              else "banner not found")
    row(f"seeding, restora demo --participants {participants}", figure, "target 5,000/s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--restora", default=".build-bench/release/restora")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--postgres")
    ap.add_argument("--scaled")
    ap.add_argument("--seed-participants", type=int, default=300)
    ap.add_argument("--csv", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("needs wrk (apt-get install wrk)")
    restora = os.path.abspath(args.restora)
    work = tempfile.mkdtemp(prefix="restora-storage-bench.")
    try:
        print(f"machine: nproc {os.cpu_count()}, load {os.getloadavg()[0]:.1f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        limit = commit_limit(work, min(args.seconds, 5))
        row("SQLite commit limit (python sqlite3, WAL, synchronous FULL)", f"{limit:,.0f} commits/s")
        server = Server(restora, f"sqlite://{work}/bench.sqlite", work, "sqlite")
        try:
            http_rows(server, args.seconds, limit)
        finally:
            server.stop()
        if args.postgres:
            server = Server(restora, postgres_database(args.postgres), work, "postgres")
            try:
                http_rows(server, args.seconds, None)
            finally:
                server.stop()
        if args.scaled:
            scaled_rows(restora, args.scaled)
        if args.seed_participants > 0:
            seeding_row(restora, args.seed_participants, work)
        if args.csv:
            subprocess.run([sys.executable, os.path.join(HERE, "csv_km.py"), "--restora", restora, "--repeat", "3"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
