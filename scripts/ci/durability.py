#!/usr/bin/env python3
"""Every acknowledged write survives kill -9 (issue 12's probe, kept as a check for issue 13's storage work).

Runs the real server on an SQLite file, lets 16 writers POST observations (each with its own Idempotency-Key)
and kills the server with SIGKILL mid-stream, `--rounds` times. After each kill it restarts the server and
checks that every write answered 201 is stored, then that `restora audit verify` finds the
chain intact. Bounded: each round writes for at most `--seconds` seconds. Loopback only.

Usage: scripts/ci/durability.py path/to/restora [--rounds 5] [--seconds 2]
Prints "durability: N passed, 0 failed" (the rounds and the chain check) and exits non-zero on any lost record.
"""
import argparse, json, os, random, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request, urllib.error


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, token, body=None, headers=None, timeout=5):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("restora")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--writers", type=int, default=16)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="restora-durability.")
    env = dict(os.environ, RESTORA_DATABASE_URL=f"sqlite://{work}/d.sqlite")

    def cli(*a):
        return subprocess.run([args.restora, *a], env=env, check=True, capture_output=True, text=True).stdout

    cli("migrate")
    cli("site", "add", "--code", "DUR", "--name", "Durability clinic")
    cli("user", "add", "--username", "writer", "--role", "coordinator", "--site", "DUR")
    token = cli("token", "create", "--username", "writer").strip().splitlines()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"

    def start():
        server = subprocess.Popen([args.restora, "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                return server
            except Exception:
                time.sleep(0.1)
        server.kill()
        sys.exit("durability: the server did not start")

    server = start()
    site = request("GET", f"{base}/me", token)[1]["siteIDs"][0]
    status, participant = request("POST", f"{base}/participants", token,
                                  {"siteID": site, "mrn": "DUR-1", "sex": "male", "birthDate": "1980-01-01"})
    assert status == 201, status
    pid = participant["id"]
    acknowledged = {}  # idempotency key -> observation id
    lock = threading.Lock()
    failures = 0
    for round_no in range(1, args.rounds + 1):
        stop = time.monotonic() + args.seconds
        kill_at = time.monotonic() + random.uniform(0.3, args.seconds * 0.8)

        def writer(w):
            n = 0
            while time.monotonic() < stop:
                n += 1
                key = f"r{round_no}-w{w}-{n}"
                body = {"code": {"system": "loinc", "code": "2571-8"},
                        "value": {"quantity": {"value": 100 + n % 50, "unit": "mg/dL"}},
                        "effective": "2026-01-02T09:00:00Z"}
                try:
                    status, obs = request("POST", f"{base}/participants/{pid}/observations", token, body,
                                          {"Idempotency-Key": key}, timeout=3)
                except Exception:
                    return  # the server died mid-request: this write was never acknowledged
                if status == 201:
                    with lock:
                        acknowledged[key] = obs["id"]

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(args.writers)]
        for t in threads:
            t.start()
        time.sleep(max(0, kill_at - time.monotonic()))
        server.send_signal(signal.SIGKILL)
        server.wait()
        for t in threads:
            t.join()
        server = start()
        status, stored = request("GET", f"{base}/participants/{pid}/observations", token, timeout=30)
        ids = [o["id"] for o in stored]
        lost = [k for k, oid in acknowledged.items() if oid not in set(ids)]
        ok = status == 200 and not lost
        print(f"round {round_no}: {len(acknowledged)} acknowledged so far, {len(ids)} stored, "
              f"{len(lost)} lost: {'ok' if ok else 'FAIL'}")
        failures += 0 if ok else 1
    server.send_signal(signal.SIGTERM)
    server.wait()
    verify = subprocess.run([args.restora, "audit", "verify"], env=env, capture_output=True, text=True)
    print(verify.stdout.strip())
    if verify.returncode != 0 or "intact" not in verify.stdout:
        failures += 1
    subprocess.run(["rm", "-rf", work])
    print(f"durability: {args.rounds + 1 - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
