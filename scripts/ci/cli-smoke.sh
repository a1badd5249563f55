#!/usr/bin/env bash
# Runs the real `restora` binary the way a user would and checks exit codes and key output.
# Usage: scripts/ci/cli-smoke.sh path/to/restora
set -uo pipefail
bin="$1"
cd "$(dirname "$0")/../.."
pass=0
fail=0

# expect <description> <expected-exit: 0|nonzero> <grep-pattern-or-empty> -- command...
expect() {
  local what="$1" want="$2" pattern="$3"
  shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  local ok=1
  if [ "$want" = 0 ] && [ "$rc" -ne 0 ]; then ok=0; fi
  if [ "$want" = nonzero ] && [ "$rc" -eq 0 ]; then ok=0; fi
  if [ -n "$pattern" ] && ! grep -Eq -- "$pattern" <<<"$out"; then ok=0; fi
  if grep -Eq 'Fatal error|Stack dump|\(lldb\)|0x[0-9a-f]{8,}' <<<"$out"; then ok=0; fi
  if [ $ok = 1 ]; then pass=$((pass + 1)); echo "ok   $what"
  else fail=$((fail + 1)); echo "FAIL $what (exit $rc)"; echo "$out" | head -20 | sed 's/^/     /'; fi
}

source scripts/ci/cli-smoke-cases.sh

echo "cli-smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
