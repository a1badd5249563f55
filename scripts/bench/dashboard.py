#!/usr/bin/env python3
"""The dashboard's time on a demo folder (issue 13 item 5: ≤ 100 ms at 10^4 participants).

    python3 scripts/bench/dashboard.py --restora .build-bench/release/restora --folder /tmp/bench-10k-sql [--user admin] [--requests 8]

Starts `restora serve` on the folder's database (loopback, a free port), signs in through the form as the demo
user (`--user`, password `demo-<user>`), GETs /dashboard `--requests` times and prints each time and the median
after the first (warm-up). The server may write to the database (sessions, audit): point it at a copy. A folder
from an older release is migrated by the server when it starts. Benchmarks do not run in CI.
"""
import argparse, http.cookiejar, os, re, socket, statistics, subprocess, time, urllib.parse, urllib.request


def measure(restora, database, user="admin", requests=8, settle=0.0):
    """Starts `restora serve` on `database`, signs in as `user`, waits `settle` seconds (the server's background
    refresh of the dashboard's kept visit spans, migration 0053, catches up after a migration) and GETs /dashboard
    `requests` times (at least 2): the times in seconds and the last page's size in bytes."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([restora, "serve", "--port", str(port)],
                              env=dict(os.environ, RESTORA_DATABASE_URL=f"sqlite://{database}", RESTORA_LOG_LEVEL="warning"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/sign-in").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        opener.open(base + "/sign-in", urllib.parse.urlencode(
            {"_csrf": csrf, "username": user, "password": "demo-" + user, "next": "/dashboard"}).encode())
        for cookie in jar:
            cookie.secure = False
        time.sleep(settle)
        times, size = [], 0
        for _ in range(max(2, requests)):
            start = time.perf_counter()
            body = opener.open(base + "/dashboard").read()
            times.append(time.perf_counter() - start)
            assert b"sign-in-form" not in body, "the dashboard answered the sign-in page"
            size = len(body)
        return times, size
    finally:
        server.terminate()
        server.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--restora", default=".build-bench/release/restora")
    ap.add_argument("--folder", required=True, help="a demo folder (restora-demo.sqlite inside)")
    ap.add_argument("--user", default="admin")
    ap.add_argument("--requests", type=int, default=8)
    ap.add_argument("--settle", type=float, default=0.0,
                    help="seconds to wait after signing in, before the first GET (a folder just migrated to 0053: until its spans are kept)")
    args = ap.parse_args()
    times, size = measure(args.restora, os.path.join(args.folder, "restora-demo.sqlite"), args.user, args.requests, args.settle)
    print(f"dashboard as {args.user}: {', '.join(f'{t * 1000:.0f}' for t in times)} ms; "
          f"median after the first {statistics.median(times[1:]) * 1000:.0f} ms; {size:,} bytes")


if __name__ == "__main__":
    main()
