#!/usr/bin/env bash
# The FHIR R4 black-box suite (fhir-tests/, docs/fhir.md "Tests"): the conformance cases, the fhir.resources
# (R4B) validation of every resource the server returns and the fhirpy client tests, run over HTTP against the
# real server, twice: on the synthetic demo clinic in SQLite, then on a fresh PostgreSQL database.
#
# Steps: install the pinned PyPI packages (fhir.resources, fhirpy, pytest, requests) into a folder of their own
# (`pip --target`, like scripts/ci/contract.sh: Debian refuses a plain `pip install` into its python3, PEP 668,
# and a folder of our own shadows nothing and needs no venv); per pass: make the database (SQLite: `restora demo
# --seed-only`; PostgreSQL: a new database in the server RESTORA_TEST_DATABASE_URL names, migrated, with two
# sites, a program and users made by the real CLI), add the users the tests act as, create one bearer token per
# role, serve it on a free loopback port, run pytest with the URL and tokens in the environment, stop the server.
# Exits non-zero when a pass fails (strict xfails that pass fail it too: fhir-tests/conftest.py `missing`).
#
# Usage: scripts/ci/fhir.sh path/to/restora [pytest args, e.g. -k patient -x]
# Environment: RESTORA_FHIR_PASSES ("sqlite postgres" by default; one of them to run one pass),
#              RESTORA_TEST_DATABASE_URL (the PostgreSQL server of the second pass; .ci/run exports it),
#              RESTORA_FHIR_PYDEPS (the folder for the Python packages, default /tmp/restora-fhir-tests-<pins>).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 path/to/restora [pytest args]" >&2; exit 2; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
[ -x "$bin" ] || { echo "no restora binary at $bin" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"   # `serve` reads ./protocols
fail() { echo "FAIL fhir: $*" >&2; exit 1; }
started=$(date +%s)
passes=${RESTORA_FHIR_PASSES:-sqlite postgres}
# A misspelt pass must not run nothing and report ok.
for pass in $passes; do [[ "$pass" == sqlite || "$pass" == postgres ]] || fail "RESTORA_FHIR_PASSES: unknown pass '$pass' (sqlite, postgres)"; done
[ -n "${passes// /}" ] || fail "RESTORA_FHIR_PASSES names no pass (sqlite, postgres)"

# ---- Python packages (pinned) ---------------------------------------------------------------------------------
# fhir.resources 8.3.0 ships FHIR R5 as `fhir.resources` and R4B (4.3.0) as `fhir.resources.R4B` (pydantic 2;
# Python >= 3.8); the tests validate with R4B, the FHIR version nearest R4 4.0.1 that it ships (docs/fhir.md
# "Tests" says where R4B differs for our types). fhirpy 2.3.1 is the client (SyncFHIRClient over requests).
pins="fhir.resources==8.3.0 fhirpy==2.3.1 pytest==9.2.0 requests==2.34.2"
py_dir=${RESTORA_FHIR_PYDEPS:-/tmp/restora-fhir-tests-fr8.3.0-fp2.3.1-pt9.2.0}
py() { PYTHONPATH="$py_dir${PYTHONPATH:+:$PYTHONPATH}" python3 "$@"; }
deps_ok() { py -c 'import fhir.resources.R4B, fhirpy, pytest, requests, fhir.resources as f; assert f.__version__ == "8.3.0"' 2>/dev/null; }
if ! deps_ok; then
  echo "installing $pins into $py_dir"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    SUDO=$(command -v sudo || true); [ "$(id -u)" = 0 ] && SUDO=
    $SUDO apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  rm -rf "$py_dir"
  # shellcheck disable=SC2086
  python3 -m pip install --quiet --disable-pip-version-check --target "$py_dir" $pins 2>&1 | grep -v "dependency conflicts\|requires pydantic\|Running pip as the 'root'" >&2 || true
fi
deps_ok || fail "the pinned packages ($pins) are not importable from $py_dir"
echo "python: $(python3 --version 2>&1); $(py -c 'import fhir.resources, fhirpy, pytest, requests; print("fhir.resources", fhir.resources.__version__, "(R4B), fhirpy", fhirpy.__version__, "pytest", pytest.__version__, "requests", requests.__version__)')"

# ---- helpers ------------------------------------------------------------------------------------------------------
work=$(mktemp -d /tmp/restora-fhir.XXXXXX)
server_pid=
pg_db=
pg_admin_url=
cleanup() {
  rc=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql -q "$pg_admin_url" -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  if [ "$rc" != 0 ]; then
    for log in "$work"/server-*.log; do
      [ -f "$log" ] || continue
      cp "$log" "/tmp/restora-fhir-$(basename "$log")" 2>/dev/null || true
      echo "--- last lines of $(basename "$log") (kept in /tmp/restora-fhir-$(basename "$log"))"; tail -20 "$log" || true
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
# A snapshot of the binary and its SwiftPM resource bundles: a rebuild while the suite runs must not swap the
# server under it.
cp "$bin" "$work/restora"
for bundle in "$(dirname "$bin")"/*.resources; do [ -d "$bundle" ] && cp -R "$bundle" "$work/"; done
bin="$work/restora"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Users the tests act as, beyond those the pass made: a coordinator and a data manager of the second site only
# (site scoping of reads and of $export) and the read-only roles (403 on writes). Token-only users (no password).
add_user() { "$bin" user add --username "$1" --role "$2" "${@:3}" >/dev/null || fail "user add $1"; }

serve_and_test() {   # name
  local name=$1
  export FHIR_TOKEN_ADMIN FHIR_TOKEN_INVESTIGATOR FHIR_TOKEN_COORDINATOR FHIR_TOKEN_COORDINATOR_B FHIR_TOKEN_MONITOR FHIR_TOKEN_AUDITOR FHIR_TOKEN_DATAMANAGER_B
  FHIR_TOKEN_ADMIN=$("$bin" token create --username admin) || fail "token create admin"
  FHIR_TOKEN_INVESTIGATOR=$("$bin" token create --username investigator) || fail "token create investigator"
  FHIR_TOKEN_COORDINATOR=$("$bin" token create --username coordinator) || fail "token create coordinator"
  FHIR_TOKEN_COORDINATOR_B=$("$bin" token create --username coordinator-b) || fail "token create coordinator-b"
  FHIR_TOKEN_MONITOR=$("$bin" token create --username monitor) || fail "token create monitor"
  FHIR_TOKEN_AUDITOR=$("$bin" token create --username auditor) || fail "token create auditor"
  FHIR_TOKEN_DATAMANAGER_B=$("$bin" token create --username datamanager-b) || fail "token create datamanager-b"
  local port; port=$(free_port)
  local base="http://127.0.0.1:$port"
  "$bin" serve --host 127.0.0.1 --port "$port" --export-directory "$work/exports-$name" >"$work/server-$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    curl -fs "$base/healthz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited: $(tail -5 "$work/server-$name.log")"
    sleep 0.2
  done
  curl -fs "$base/healthz" >/dev/null || fail "the server did not start on $base"
  echo "== pass $name: serving at $base ($(( $(date +%s) - started )) s since start)"
  local rc=0
  FHIR_BASE_URL="$base/fhir" FHIR_API_URL="$base/api/v1" FHIR_DATABASE="$name" PYTHONDONTWRITEBYTECODE=1 PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 \
    timeout --kill-after=10 1200 env PYTHONPATH="$py_dir${PYTHONPATH:+:$PYTHONPATH}" python3 -m pytest \
      -p no:cacheprovider -rfEX -q "$repo/fhir-tests" --junitxml "$work/junit-$name.xml" "${pytest_args[@]}" \
      2>&1 | tee "$work/pytest-$name.log" || rc=1
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=
  if grep -q "Fatal error" "$work/server-$name.log"; then
    echo "the server crashed during the $name pass:" >&2; grep -m3 "Fatal error" "$work/server-$name.log" >&2; rc=1
  fi
  summary[$name]=$(grep -E "^(=+ )?[0-9]+ (passed|failed|xfailed|error)" "$work/pytest-$name.log" | tail -1 | sed 's/=//g; s/^ *//; s/ *$//')
  return $rc
}

pytest_args=("$@")
declare -A summary
status=0

# ---- pass 1: the demo clinic in SQLite -----------------------------------------------------------------------
if [[ " $passes " == *" sqlite "* ]]; then
  "$bin" demo --folder "$work/demo" --seed-only >"$work/seed.log" 2>&1 || { cat "$work/seed.log" >&2; fail "demo seed"; }
  db="$work/demo/restora-demo.sqlite"
  [ -f "$db" ] || fail "the demo seed made no $db"
  export RESTORA_DATABASE_URL="sqlite://$db"
  # The demo's sites and its one-site program (docs/demo-clinic.md): DEMO-BH is the coordinator's site, DEMO-NS
  # another one; isotretinoin-noa runs at DEMO-BH.
  export FHIR_SITE_A=demo-site-bh FHIR_SITE_B=demo-site-ns FHIR_PROGRAM=demo-program-isotretinoin-noa
  export FHIR_SITE_A_CODE=DEMO-BH FHIR_SITE_B_CODE=DEMO-NS
  add_user coordinator-b coordinator --site DEMO-NS
  add_user datamanager-b data-manager --site DEMO-NS
  serve_and_test sqlite || status=1
fi

# ---- pass 2: a fresh PostgreSQL database ----------------------------------------------------------------------
if [[ " $passes " == *" postgres "* ]]; then
  [ -n "${RESTORA_TEST_DATABASE_URL:-}" ] || fail "RESTORA_TEST_DATABASE_URL is not set (the PostgreSQL pass needs a server: source scripts/ci/postgres.sh; restora_pg_start)"
  command -v psql >/dev/null || fail "no psql (Debian postgresql-client)"
  pg_admin_url=$RESTORA_TEST_DATABASE_URL
  pg_db="restora_fhir_$$_$(date +%s)"
  psql -q "$pg_admin_url" -c "CREATE DATABASE $pg_db" >/dev/null || fail "could not create the database $pg_db"
  export RESTORA_DATABASE_URL="${pg_admin_url%/*}/$pg_db"
  "$bin" migrate >/dev/null || fail "migrate on PostgreSQL"
  site_id() { grep -o '(id [^)]*)' <<<"$1" | head -1 | sed 's/^(id //; s/)$//'; }
  FHIR_SITE_A=$(site_id "$("$bin" site add --code FHIR-A --name "FHIR test clinic A" --time-zone Europe/Paris)")
  FHIR_SITE_B=$(site_id "$("$bin" site add --code FHIR-B --name "FHIR test clinic B" --time-zone Europe/Paris)")
  [ -n "$FHIR_SITE_A" ] && [ -n "$FHIR_SITE_B" ] || fail "site add printed no id"
  FHIR_PROGRAM=$(site_id "$("$bin" program add --protocol-id isotretinoin-noa --protocol-version 1.0 \
    --name "Isotretinoin for azoospermia (FHIR tests)" --site FHIR-A --site FHIR-B)")
  [ -n "$FHIR_PROGRAM" ] || fail "program add printed no id"
  export FHIR_SITE_A FHIR_SITE_B FHIR_PROGRAM FHIR_SITE_A_CODE=FHIR-A FHIR_SITE_B_CODE=FHIR-B
  add_user admin admin
  add_user investigator investigator --site FHIR-A --site FHIR-B --full-name "Dr Iris Investigator"
  add_user coordinator coordinator --site FHIR-A
  add_user coordinator-b coordinator --site FHIR-B
  add_user monitor monitor --site FHIR-A --site FHIR-B
  add_user auditor auditor --site FHIR-A --site FHIR-B
  add_user datamanager-b data-manager --site FHIR-B
  serve_and_test postgres || status=1
fi

echo "== fhir figures"
for name in "${!summary[@]}"; do echo "  $name: ${summary[$name]}"; done
echo "fhir: $(( $(date +%s) - started )) s in all"
[ "$status" = 0 ] || fail "the FHIR suite failed (see above)"
echo "fhir: ok"
