#!/usr/bin/env bash
# The API contract check (docs/api-contract.md): the OpenAPI document the server serves at /api/v1/openapi.json
# is tested against the server itself, over the synthetic demo clinic (real records, three sites), with
# schemathesis and exactly three checks: not_a_server_error, response_schema_conformance and
# status_code_conformance. Any finding (a 500, a body that does not match its documented schema, an
# undocumented status code) fails the run. Bounded: the whole script stays under 5 minutes.
#
# Steps: install schemathesis (pinned, from PyPI, into a folder of its own) if missing; seed the demo database
# (`restora demo --seed-only`); serve it on a free loopback port; create a bearer token for `admin` (a writer
# who sees every site, so generated requests reach real records); run schemathesis over every operation,
# first with the demo's real ids in the paths (so reads return real records and writes meet real versions),
# then with generated ids; then render every participant page, the dashboard, the lists and the program
# reports over what the API accepted (a page that traps stops the server); print the figures (requests
# served by status, test cases, failures). Also checks that the controllers' routes and the document's
# operations are the same set.
#
# Usage: scripts/ci/contract.sh path/to/restora
# Environment: RESTORA_CONTRACT_SECONDS (schemathesis time budget per pass, default 75),
#              RESTORA_CONTRACT_EXAMPLES (max examples per operation and pass, default 40),
#              RESTORA_CONTRACT_SEED (default 20261204: the same requests every run).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 path/to/restora" >&2; exit 2; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$bin" ] || { echo "no restora binary at $bin" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
fail() { echo "FAIL contract: $*" >&2; exit 1; }
seconds=${RESTORA_CONTRACT_SECONDS:-75}
examples=${RESTORA_CONTRACT_EXAMPLES:-40}
seed=${RESTORA_CONTRACT_SEED:-20261204}
started=$(date +%s)

# ---- schemathesis ----------------------------------------------------------------------------------------
# Pinned (4.32.5 needs Python >= 3.11: Debian 12's python3 is 3.11). Installed with `pip --target` into its
# own folder, put first on PYTHONPATH: Debian refuses a plain `pip install` into its python3 (PEP 668), and
# a folder of our own shadows nothing else and needs no venv. Downloaded once per machine.
st_version=4.32.5
st_dir=${RESTORA_SCHEMATHESIS_DIR:-/tmp/restora-schemathesis-$st_version}
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || fail "schemathesis $st_version needs Python >= 3.11; python3 is $(python3 --version 2>&1)"
st() { PYTHONPATH="$st_dir${PYTHONPATH:+:$PYTHONPATH}" python3 -m schemathesis.cli "$@"; }
if [ "$(st --version 2>/dev/null | awk '{print $NF}')" != "$st_version" ]; then
  echo "installing schemathesis $st_version into $st_dir"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    SUDO=$(command -v sudo || true); [ "$(id -u)" = 0 ] && SUDO=
    $SUDO apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  rm -rf "$st_dir"
  python3 -m pip install --quiet --disable-pip-version-check --target "$st_dir" "schemathesis==$st_version" \
    || fail "could not install schemathesis $st_version from PyPI"
fi
[ "$(st --version | awk '{print $NF}')" = "$st_version" ] || fail "schemathesis $st_version is not importable"

# ---- every registered route is documented, every documented operation is registered ----------------------
python3 - <<'PY' || fail "routes and document disagree"
import glob, json, re, sys
doc = json.load(open("Sources/RestoraWeb/Resources/openapi.json"))
documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if m != "parameters"}
registered = set()
# The typed route list (Sources/RestoraWeb/Web/APIRoute*.swift): `static let name = APIRoute(.method, "pattern")`,
# registered by controllers as `.on(.name, …)`; any route still registered by a path literal is read too.
routes = dict((name, (method, path)) for f in glob.glob("Sources/RestoraWeb/Web/APIRoute*.swift") for name, method, path in
              re.findall(r'static let (\w+) = APIRoute\(\.(\w+), "([^"]+)"\)', open(f).read()))
files = glob.glob("Sources/RestoraWeb/Controllers/*.swift") + ["Sources/RestoraWeb/Application/Application+build.swift"]
for name in files:
    text = open(name).read()
    for used in re.findall(r'\.on\(\.(\w+)\b', text):
        if used not in routes:
            print(f"{name}: .on(.{used}) names no route of APIRoute.swift", file=sys.stderr); sys.exit(1)
        method, path = routes[used]
        registered.add((method.upper(), "/" + re.sub(r":(\w+)", r"{\1}", path)))
    for method, path in re.findall(r'\b(?:group|api|router)\.(get|post|put|patch|delete)\("([^"]+)"', text):
        path = re.sub(r"^api/v1/", "", path)
        if path in ("healthz", "metrics", "openapi.json"):
            continue
        registered.add((method.upper(), "/" + re.sub(r":(\w+)", r"{\1}", path)))
missing, stale = sorted(registered - documented), sorted(documented - registered)
for m, p in missing: print(f"registered but not in openapi.json: {m} {p}", file=sys.stderr)
for m, p in stale: print(f"in openapi.json but not registered: {m} {p}", file=sys.stderr)
print(f"routes: {len(registered)} registered, {len(documented)} documented")
sys.exit(1 if missing or stale else 0)
PY

# ---- a served demo database ------------------------------------------------------------------------------
work=$(mktemp -d /tmp/restora-contract.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
# A snapshot of the binary and its SwiftPM resource bundles (the served openapi.json is one): a rebuild while
# the check runs must not swap the server under it.
cp "$bin" "$work/restora"
for bundle in "$(dirname "$bin")"/*.resources; do [ -d "$bundle" ] && cp -R "$bundle" "$work/"; done
bin="$work/restora"
"$bin" demo --folder "$work/demo" --seed-only >"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; fail "demo seed"; }
db="$work/demo/restora-demo.sqlite"
[ -f "$db" ] || fail "the demo seed made no $db"
export RESTORA_DATABASE_URL="sqlite://$db"
# admin writes at every site; only an investigator decides a cell product's release.
CONTRACT_TOKEN=$("$bin" token create --username admin) || fail "token create"
CONTRACT_INVESTIGATOR_TOKEN=$("$bin" token create --username investigator) || fail "token create"
export CONTRACT_TOKEN CONTRACT_INVESTIGATOR_TOKEN
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$base/healthz" >/dev/null || { cat "$work/server.log" >&2; fail "the server did not start"; }
echo "seeded and serving the demo clinic at $base in $(( $(date +%s) - started )) s"

# Real ids from the demo, one per path kind, through the API itself (a participant with cell products, so its
# enrolment, visits, observations, courses, queries and alerts exist too).
python3 - "$base" "$CONTRACT_TOKEN" >"$work/ids.env" <<'PY' || fail "could not read ids from the demo"
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
def get(path):
    req = urllib.request.Request(base + "/api/v1" + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))
ids = {}
for p in get("/participants?limit=200")["items"]:
    products = get(f"/participants/{p['id']}/cell-products")
    if products:
        ids.update(participant=p["id"], product=products[0]["id"])
        break
pid = ids["participant"]
enrolment = get(f"/participants/{pid}/enrolments")[0]
ids["enrolment"] = enrolment["id"]
ids["visit"] = get(f"/enrolments/{enrolment['id']}/visits")[0]["id"]
ids["observation"] = get(f"/participants/{pid}/observations")[0]["id"]
ids["procedure"] = get(f"/participants/{pid}/procedures")[0]["id"]
courses = get(f"/participants/{pid}/medication-courses")
events = [e for p in get("/participants?limit=200")["items"] for e in get(f"/participants/{p['id']}/adverse-events")[:1]][:1]
alerts = get("/safety-alerts")
ids["course"] = courses[0]["id"] if courses else "none"
ids["event"] = events[0]["id"] if events else "none"
ids["alert"] = alerts[0]["id"] if alerts else "none"
for k, v in ids.items():
    print(f"CONTRACT_{k.upper()}={v}")
PY
set -a; source "$work/ids.env"; set +a

# schemathesis.toml (values from the environment above): the tokens for both passes, the real path ids for
# the first.
cat >"$work/generated-ids.toml" <<'TOML'
[headers]
Authorization = "Bearer ${CONTRACT_TOKEN}"
[[operations]]
include-path = "/cell-products/{id}/release-decision"
headers = { Authorization = "Bearer ${CONTRACT_INVESTIGATOR_TOKEN}" }
TOML
{ cat "$work/generated-ids.toml"; cat <<'TOML'; } >"$work/real-ids.toml"
[[operations]]
include-path-regex = "^/participants/\\{id\\}"
parameters = { "path.id" = "${CONTRACT_PARTICIPANT}" }
[[operations]]
include-path-regex = "^/enrolments/\\{id\\}"
parameters = { "path.id" = "${CONTRACT_ENROLMENT}" }
[[operations]]
include-path = "/visits/{id}"
parameters = { "path.id" = "${CONTRACT_VISIT}" }
[[operations]]
include-path = "/observations/{id}"
parameters = { "path.id" = "${CONTRACT_OBSERVATION}" }
[[operations]]
include-path = "/adverse-events/{id}"
parameters = { "path.id" = "${CONTRACT_EVENT}" }
[[operations]]
include-path-regex = "^/medication-courses/\\{id\\}"
parameters = { "path.id" = "${CONTRACT_COURSE}" }
[[operations]]
include-path-regex = "^/cell-products/\\{id\\}"
parameters = { "path.id" = "${CONTRACT_PRODUCT}" }
[[operations]]
include-path-regex = "^/safety-alerts/\\{id\\}"
parameters = { "path.id" = "${CONTRACT_ALERT}" }
[[operations]]
include-path = "/audit/{kind}/{id}"
parameters = { "path.kind" = "participants", "path.id" = "${CONTRACT_PARTICIPANT}" }
TOML

# ---- schemathesis ----------------------------------------------------------------------------------------
requests_served() { { curl -fs "$base/metrics" || true; } | awk '/^restora_http_requests_total/ {n += $NF} END {print n + 0}'; }
before=$(requests_served)
checks=not_a_server_error,response_schema_conformance,status_code_conformance
status=0
# One worker: two workers are two threads, and CPython before 3.12 (Debian 12 ships 3.11) builds Python AST objects
# with a recursion counter shared by all threads (CPython gh-106905); when Hypothesis describes a lambda in both at
# once, the run fails with "SystemError: AST constructor recursion depth mismatch", a Runtime Error that is not the
# server's (seen in CI). The pass is bounded by --max-time either way.
run_pass() {
  local name=$1
  echo "== schemathesis pass: $name (at most $seconds s, $examples examples per operation, seed $seed)"
  timeout --kill-after=10 $(( seconds + 60 )) \
    env PYTHONPATH="$st_dir${PYTHONPATH:+:$PYTHONPATH}" python3 -m schemathesis.cli --config-file "$work/$name.toml" \
      run "$base/api/v1/openapi.json" --checks "$checks" --workers 1 --seed "$seed" \
      --max-examples "$examples" --max-time "$seconds" --request-timeout 20 --suppress-health-check all \
      --report junit --report-junit-path "$work/junit-$name.xml" --no-color 2>&1 | tee "$work/st-$name.log" \
    || status=1
}
run_pass real-ids
run_pass generated-ids

after=$(requests_served)
{ curl -fs "$base/metrics" || true; } >"$work/metrics.txt"

# The web pages show what the API accepted: after the fuzzing, every participant page (and the dashboard, the
# lists and the program reports) must still render. A page that traps on an absurd stored value stops the
# whole server, which no API check would see. The API token doubles as the session cookie.
echo "== pages over the fuzzed data"
python3 - "$base" "$CONTRACT_TOKEN" <<'PY' || status=1
import json, re, sys, urllib.error, urllib.request
base, token = sys.argv[1], sys.argv[2]
def fetch(path, api=False):
    headers = {"Authorization": "Bearer " + token} if api else {"Cookie": "restora_session=" + token}
    try:
        with urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
ids, cursor = [], ""
while True:
    page = json.loads(fetch("/api/v1/participants?limit=200" + ("&cursor=" + cursor if cursor else ""), api=True)[1])
    ids += [p["id"] for p in page["items"]]
    cursor = page.get("nextCursor")
    if not cursor: break
status, dashboard = fetch("/dashboard")
paths = ["/dashboard", "/participants", "/prescreened"] + sorted(set(re.findall(r'href="(/programs/[^"/]+/report)"', dashboard)))
paths += ["/participants/" + urllib.request.quote(i, safe="") for i in ids]
bad = []
for path in paths:
    try:
        code = fetch(path)[0]
    except Exception as e:  # the server stopped answering
        print(f"  GET {path}: {type(e).__name__} (the server stopped?)", file=sys.stderr); sys.exit(1)
    if code >= 500: bad.append((path, code))
for path, code in bad: print(f"  GET {path}: {code}", file=sys.stderr)
print(f"  {len(paths)} pages, {len(bad)} failed")
sys.exit(1 if bad else 0)
PY
kill -0 "$server_pid" 2>/dev/null || { echo "the server stopped during the check:" >&2; grep -m3 "Fatal error" "$work/server.log" >&2; status=1; }
count() { cat "$work"/junit-*.xml 2>/dev/null | { grep -o "<$1[ >]" || true; } | wc -l; }
failures=$(count failure)
errors=$(count error)
cases=$(cat "$work"/st-*.log | awk '/^ *[0-9]+ generated,/ {n += $1} END {print n + 0}')
echo "== figures (requests the server answered before the page check, by method and status)"
awk -F'[{}]' '/^restora_http_requests_total/ {split($2, l, ","); print "  " l[1] ", " l[2] ":", $3}' "$work/metrics.txt" | sort
echo "contract: $(( after - before )) requests, $cases test cases, $failures failures, $errors errors, $(( $(date +%s) - started )) s" \
  "(schemathesis $st_version: $checks; seed $seed)"
server_errors=$(grep -c "request failed\|Fatal error" "$work/server.log" || true)
[ "$server_errors" = 0 ] || { echo "the server logged $server_errors failed requests:" >&2; grep 'request failed' "$work/server.log" | head -5 >&2; status=1; }
[ "$status" = 0 ] && [ "$failures" = 0 ] && [ "$errors" = 0 ] || fail "the contract check found problems (see above)"
echo "contract: ok"
