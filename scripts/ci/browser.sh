#!/usr/bin/env bash
# Browser tests of the clinic web app (docs/web-app.md), as a person would use it, in headless Chromium.
# Installs Chromium, chromedriver and Selenium + pytest only if missing; makes a fresh SQLite database with
# sites, a program and users through the real CLI; runs `restora serve` on a random port; runs
# browser-tests/ against it; checks the server log holds none of the patient names/MRNs the tests typed.
# Screenshots are kept in the folder printed at the end.
# Usage: scripts/ci/browser.sh path/to/restora [pytest args, e.g. -k sign_in]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 path/to/restora [pytest args]" >&2; exit 2; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
[ -x "$bin" ] || { echo "no restora binary at $bin" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL $*" >&2; exit 1; }
SUDO=$(command -v sudo || true)
[ "$(id -u)" = 0 ] && SUDO=

# ---- tools -------------------------------------------------------------------------------------------------
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { $SUDO apt-get update -qq >/dev/null || true; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/tmp/restora-browser-apt.log 2>&1 \
    || { tail -20 /tmp/restora-browser-apt.log >&2; return 1; }
}
missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] || { echo "installing ${missing[*]}"; apt_install "${missing[@]}" fonts-liberation || fail "could not install ${missing[*]}"; }
chrome=$(command -v chromium)
driver=/usr/bin/chromedriver
[ -x "$driver" ] || fail "no chromedriver at $driver"

# Debian's Python gets Debian's python3-selenium / python3-pytest; a pyenv or other python3 first on PATH
# would not see them, so use /usr/bin/python3 explicitly, and a venv under /tmp only as a fallback.
py_ok() { "$1" -c 'import selenium, pytest' 2>/dev/null; }
py=${RESTORA_BROWSER_PYTHON:-/usr/bin/python3}   # override: a python that has selenium and pytest
if ! py_ok "$py"; then
  echo "installing python3-selenium python3-pytest"
  apt_install python3 python3-selenium python3-pytest || true
fi
if ! py_ok "$py"; then
  venv=/tmp/restora-browser-venv
  [ -x "$venv/bin/python" ] || { apt_install python3-venv >/dev/null 2>&1 || true; python3 -m venv "$venv"; }
  py_ok "$venv/bin/python" || "$venv/bin/pip" install -q selenium pytest
  py=$venv/bin/python
fi
py_ok "$py" || fail "selenium/pytest not importable by $py"

# axe-core for browser-tests/test_accessibility.py: the axe.min.js that PyPI's selenium-axe-python bundles
# (2.2.0 ships axe-core 4.9.1, MPL-2.0; it needs Python >= 3.9, so Debian 12's 3.11 will do). Only that file
# is used, injected with driver.execute_script, so: `--no-deps` (Debian's python3-selenium stays the one the
# tests import) and `--target` a folder under /tmp rather than any site-packages: a plain `pip install` into
# Debian's /usr/bin/python3 is refused (PEP 668, externally managed) and `--break-system-packages` could
# shadow Debian's own packages; `--target` installs nothing the interpreter imports and needs no venv. pip
# itself comes from python3-pip when missing. Downloaded once per machine; the tests run offline after that.
# RESTORA_AXE_JS=/path/to/axe.min.js uses another copy (e.g. a vendored one) and skips all this.
axe_pkg=selenium-axe-python==2.2.0
axe_dir=/tmp/restora-browser-axe-2.2.0
if [ -z "${RESTORA_AXE_JS:-}" ]; then
  RESTORA_AXE_JS=$axe_dir/selenium_axe_python/axe-core/axe.min.js
  if [ ! -s "$RESTORA_AXE_JS" ]; then
    pip_py=
    for candidate in "$py" /usr/bin/python3; do
      "$candidate" -m pip --version >/dev/null 2>&1 && { pip_py=$candidate; break; }
    done
    if [ -z "$pip_py" ]; then apt_install python3-pip || true; /usr/bin/python3 -m pip --version >/dev/null 2>&1 && pip_py=/usr/bin/python3; fi
    if [ -n "$pip_py" ]; then
      echo "installing $axe_pkg (axe-core) into $axe_dir"
      "$pip_py" -m pip install -q --disable-pip-version-check --no-deps --upgrade --target "$axe_dir" "$axe_pkg" >&2 \
        || echo "WARN could not install $axe_pkg: the accessibility tests will fail" >&2
    else
      echo "WARN no pip to install $axe_pkg: the accessibility tests will fail" >&2
    fi
  fi
fi
export RESTORA_AXE_JS
[ -s "$RESTORA_AXE_JS" ] && echo "axe-core: $(head -c 200 "$RESTORA_AXE_JS" | grep -o 'axe v[0-9.]*' || echo unknown version) from $RESTORA_AXE_JS"
echo "chromium: $("$chrome" --version 2>/dev/null | head -1); chromedriver: $("$driver" --version | head -1)"
echo "python: $py, selenium $("$py" -c 'import selenium; print(selenium.__version__)')"

# ---- database, sites, program, users --------------------------------------------------------------------------
work=$(mktemp -d /tmp/restora-browser.XXXXXX)
shots=/tmp/restora-browser-screenshots/$(date -u +%Y%m%dT%H%M%SZ)-$$
mkdir -p "$shots"
server_pid=
cleanup() {
  rc=$?
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$rc" != 0 ] && [ -f "$work/server.log" ]; then
    cp "$work/server.log" "$shots/server.log" 2>/dev/null || true
    echo "--- last lines of the server log (also in $shots/server.log)"; tail -30 "$work/server.log" || true
  fi
  rm -rf "$work"
  echo "browser screenshots: $shots"
  exit "$rc"
}
trap cleanup EXIT
export RESTORA_DATABASE_URL="sqlite://$work/restora.sqlite"
cd "$repo"   # `serve` reads ./protocols

"$bin" migrate >/dev/null || fail "migrate"
site_id() { grep -o 'id [0-9a-f-]*' <<<"$1" | head -1 | cut -d' ' -f2; }
site_a=$(site_id "$("$bin" site add --code PAR1 --name "Clinic Paris" --time-zone Europe/Paris)")
site_b=$(site_id "$("$bin" site add --code LYO1 --name "Clinic Lyon" --time-zone Europe/Paris)")
[ -n "$site_a" ] && [ -n "$site_b" ] || fail "site add printed no id"
program_out=$("$bin" program add --protocol-id isotretinoin-noa --protocol-version 1.0 \
  --name "Isotretinoin for azoospermia" --site PAR1 --site LYO1)
program_id=$(grep -o 'id [0-9a-f-]*' <<<"$program_out" | head -1 | cut -d' ' -f2)
[ -n "$program_id" ] || fail "program add printed no id: $program_out"
# The two cell-therapy programs, for the per-program journeys (browser-tests/test_journeys.py).
program_asc=$("$bin" program add --protocol-id asc-azoospermia --protocol-version 1.0 \
  --name "Stem cells for azoospermia" --site PAR1 | grep -o 'id [0-9a-f-]*' | head -1 | cut -d' ' -f2)
program_ost=$("$bin" program add --protocol-id msc-osteoporosis --protocol-version 1.0 \
  --name "Stem cells for osteoporosis" --site PAR1 | grep -o 'id [0-9a-f-]*' | head -1 | cut -d' ' -f2)
[ -n "$program_asc" ] && [ -n "$program_ost" ] || fail "program add printed no id for the cell-therapy programs"
# The randomised two-arm trial (issue #16), for browser-tests/test_trial_journey.py.
program_rct=$("$bin" program add --protocol-id isotretinoin-rct --protocol-version 1.0 \
  --name "Randomised isotretinoin vs observation" --site PAR1 --site LYO1 | grep -o 'id [0-9a-f-]*' | head -1 | cut -d' ' -f2)
[ -n "$program_rct" ] || fail "program add printed no id for the randomised trial"

pw_coord='coordinator-pass-2026'; pw_inv='investigator-pass-2026'; pw_coord_b='lyon-coordinator-2026'
pw_mon='monitor-both-sites-2026'
printf '%s\n' "$pw_coord"   | "$bin" user add --username claire --role coordinator  --site PAR1 --password-stdin >/dev/null
printf '%s\n' "$pw_inv"     | "$bin" user add --username ivan   --role investigator --site PAR1 --full-name "Dr Ivan Moreau" --password-stdin >/dev/null
printf '%s\n' "$pw_coord_b" | "$bin" user add --username lucas  --role coordinator  --site LYO1 --password-stdin >/dev/null
printf '%s\n' "$pw_mon"     | "$bin" user add --username mona   --role monitor --site PAR1 --site LYO1 --password-stdin >/dev/null
pw_dm='data-manager-both-2026'
pw_admin='admin-all-sites-2026'
printf '%s\n' "$pw_admin"   | "$bin" user add --username ada    --role admin --full-name "Ada Lefebvre" --password-stdin >/dev/null
printf '%s\n' "$pw_dm"      | "$bin" user add --username dora   --role data-manager --site PAR1 --site LYO1 --password-stdin >/dev/null
# An API token for seeding data that a test needs but is not about (e.g. a site-A participant for the
# site-B test), so one page that is missing does not fail every other test.
token=$("$bin" token create --username claire)
# The investigator's token: seeding an enrolment past the eligibility gate needs an investigator's deviation.
token_inv=$("$bin" token create --username ivan)

# ---- server -----------------------------------------------------------------------------------------------------
port=
for _ in $(seq 1 20); do
  candidate=$(( 20000 + RANDOM % 20000 ))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free port"
"$bin" serve --port "$port" >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || fail "server exited: $(tail -5 "$work/server.log")"
  sleep 0.2
done
curl -fs "$base/healthz" | grep -q ok || fail "healthz"

# ---- tests ---------------------------------------------------------------------------------------------------------
export RESTORA_URL=$base RESTORA_SCREENSHOTS=$shots RESTORA_CHROME=$chrome RESTORA_CHROMEDRIVER=$driver
export RESTORA_API_TOKEN=$token RESTORA_SITE_A=$site_a RESTORA_SITE_B=$site_b RESTORA_PROGRAM_ID=$program_id
export RESTORA_API_TOKEN_INVESTIGATOR=$token_inv RESTORA_PROGRAM_ASC=$program_asc RESTORA_PROGRAM_OST=$program_ost
export RESTORA_COORDINATOR=claire RESTORA_COORDINATOR_PASSWORD=$pw_coord
export RESTORA_INVESTIGATOR=ivan RESTORA_INVESTIGATOR_PASSWORD=$pw_inv
export RESTORA_COORDINATOR_B=lucas RESTORA_COORDINATOR_B_PASSWORD=$pw_coord_b
export RESTORA_MONITOR=mona RESTORA_MONITOR_PASSWORD=$pw_mon
export RESTORA_DATA_MANAGER=dora RESTORA_DATA_MANAGER_PASSWORD=$pw_dm
export RESTORA_ADMIN=ada RESTORA_ADMIN_PASSWORD=$pw_admin RESTORA_PROGRAM_RCT=$program_rct
export RESTORA_PII_FILE=$work/typed-pii.txt
export SE_OFFLINE=true PYTHONDONTWRITEBYTECODE=1
status=0
timeout 1500 "$py" -m pytest -p no:cacheprovider -rfE -v "$repo/browser-tests" "$@" || status=$?

kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=

# No patient name or MRN the tests typed may appear in the server log (nor the API token).
leaks=0
if [ -s "$RESTORA_PII_FILE" ]; then
  while IFS= read -r value; do
    [ -n "$value" ] || continue
    if grep -qF -- "$value" "$work/server.log"; then echo "FAIL patient data in the server log: '$value'" >&2; leaks=1; fi
  done < <(sort -u "$RESTORA_PII_FILE")
fi
for secret in "$token" "$token_inv"; do
  grep -qF -- "$secret" "$work/server.log" && { echo "FAIL an API token is in the server log" >&2; leaks=1; }
done
[ "$leaks" = 0 ] || { cp "$work/server.log" "$shots/server.log"; status=1; }
[ "$status" = 0 ] || fail "browser tests (pytest exit $status)"
echo "browser: ok"
