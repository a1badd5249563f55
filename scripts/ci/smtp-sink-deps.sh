#!/usr/bin/env bash
# Installs aiosmtpd (PyPI) for the notification end-to-end test's SMTP sink (scripts/ci/smtp_sink.py,
# Tests/restoraTests/NotificationDeliveryEndToEndTests.swift) into /tmp/restora-aiosmtpd, a --target folder:
# no venv, nothing in any interpreter's site-packages (Debian's python3 refuses a plain pip install, PEP 668).
# The test adds that folder to PYTHONPATH itself. Skips the download when it is already importable there.
set -euo pipefail
target=${RESTORA_AIOSMTPD_DIR:-/tmp/restora-aiosmtpd}
py=$(command -v python3 || true)
[ -n "$py" ] || { echo "python3 missing: the SMTP end-to-end test cannot run" >&2; exit 1; }
if PYTHONPATH="$target" "$py" -c 'import aiosmtpd' 2>/dev/null; then echo "aiosmtpd present in $target"; exit 0; fi
if ! "$py" -m pip --version >/dev/null 2>&1; then
  SUDO=$(command -v sudo || true); [ "$(id -u)" = 0 ] && SUDO=
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-pip >/dev/null 2>&1 || true
fi
"$py" -m pip install -q --disable-pip-version-check --target "$target" 'aiosmtpd>=1.4,<2'
PYTHONPATH="$target" "$py" -c 'import aiosmtpd; print("aiosmtpd", aiosmtpd.__version__, "in", "'"$target"'")'
