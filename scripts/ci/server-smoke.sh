#!/usr/bin/env bash
# End to end through the real binary on a real SQLite file: migrate, add a site, a user and a token, run the
# server, register and read a participant over HTTP, verify the audit trail, then tamper with it and see
# `restora audit verify` fail naming the entry. Usage: scripts/ci/server-smoke.sh path/to/restora
set -euo pipefail
bin="$1"
work=$(mktemp -d /tmp/restora-smoke.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export RESTORA_DATABASE_URL="sqlite://$work/restora.sqlite"
fail() { echo "FAIL $*" >&2; exit 1; }

"$bin" migrate | grep -Eq "applied [1-9][0-9]* migration" || fail "migrate"
"$bin" site add --code PAR1 --name "Clinic Paris" --time-zone Europe/Paris >/dev/null
printf 'a-long-enough-password\n' | "$bin" user add --username alice --role coordinator --site PAR1 --password-stdin >/dev/null
"$bin" user add --username mo --role monitor --site PAR1 >/dev/null
token=$("$bin" token create --username alice)
monitor=$("$bin" token create --username mo)
[ ${#token} -ge 43 ] || fail "token too short"
site_id=$(grep -o 'id [0-9a-f-]*' <<<"$("$bin" site add --code LYO1 --name Lyon)" | cut -d' ' -f2)

port=$(( 18000 + RANDOM % 2000 ))
"$bin" serve --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$port/healthz" | grep -q ok || fail "healthz"

# The coordinator belongs to PAR1 only: creating at LYO1 is refused (404 hides the other site).
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/api/v1/participants" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"siteID\":\"$site_id\",\"mrn\":\"X1\",\"sex\":\"male\",\"birthDate\":\"1990-01-01\"}")
[ "$status" = 404 ] || fail "other-site create gave $status"
par_id=$(curl -s "http://127.0.0.1:$port/api/v1/me" -H "Authorization: Bearer $token" | grep -o '"siteIDs":\["[^"]*' | cut -d'"' -f4)
created=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/participants" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -H 'Idempotency-Key: smoke-1' \
  -d "{\"siteID\":\"$par_id\",\"mrn\":\"MRN-1\",\"givenName\":\"Jean\",\"familyName\":\"Dupont\",\"sex\":\"male\",\"birthDate\":\"1990-05-17\"}")
pid=$(grep -o '"id":"[^"]*' <<<"$created" | head -1 | cut -d'"' -f4)
curl -fs "http://127.0.0.1:$port/api/v1/participants/$pid" -H "Authorization: Bearer $monitor" | grep -q '"mrn":"MRN-1"' || fail "read back"
status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "http://127.0.0.1:$port/api/v1/participants/$pid" \
  -H "Authorization: Bearer $monitor" -H 'If-Match: "1"' -H 'Content-Type: application/json' -d '{}')
[ "$status" = 403 ] || fail "monitor write gave $status"
curl -fs "http://127.0.0.1:$port/metrics" | grep -q restora_http_requests_total || fail "metrics"
grep -q "Dupont\|MRN-1\|$token" "$work/server.log" && fail "patient data or token in the server log"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

"$bin" audit verify | grep -q "intact" || fail "audit verify on an intact trail"
if command -v python3 >/dev/null; then
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE audit_log SET actor_id='someone-else' WHERE sequence=3\"); c.commit()" "$work/restora.sqlite"
  out=$("$bin" audit verify) && fail "tampered trail verified"
  grep -q "entry 3" <<<"$out" || fail "verify did not name entry 3: $out"
fi
echo "server-smoke: ok"
