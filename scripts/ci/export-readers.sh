#!/usr/bin/env bash
# Installs the independent readers the export round-trip tests use (docs/xpt-format.md): pyreadstat (ReadStat,
# C) and pandas (its own read_sas xport reader) for SAS XPORT, lxml for define.xml. From PyPI into
# /tmp/restora-export-readers, a --target folder (no venv, nothing in any interpreter's site-packages: Debian's
# python3 refuses a plain pip install, PEP 668), as scripts/ci/browser.sh installs axe-core. pip comes from
# python3-pip (apt) when missing. Skips the download when the readers already import there.
# Prints, as its LAST line, the path of a wrapper script that runs python with that folder on PYTHONPATH: set
# RESTORA_EXPORT_PYTHON to it and `swift test` runs Tests/RestoraExportTests/XPTRoundTripTests.swift and the
# define.xml lxml check. Progress goes to stderr.
# Usage: export RESTORA_EXPORT_PYTHON=$(bash scripts/ci/export-readers.sh | tail -1)
set -euo pipefail
target=${RESTORA_EXPORT_READERS_DIR:-/tmp/restora-export-readers}
wrapper=$target/python
py=${RESTORA_EXPORT_BASE_PYTHON:-$(command -v python3 || true)}   # the interpreter the wrapper runs
[ -n "$py" ] || { echo "python3 missing: the export round-trip tests cannot run" >&2; exit 1; }
check='import pyreadstat, pandas, lxml.etree; print("pyreadstat", pyreadstat.__version__, "pandas", pandas.__version__, "lxml", lxml.etree.__version__)'

mkdir -p "$target"
cat >"$wrapper" <<EOF
#!/bin/sh
# python with the export readers of $target (scripts/ci/export-readers.sh)
PYTHONPATH="$target/site\${PYTHONPATH:+:\$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 exec "$py" "\$@"
EOF
chmod +x "$wrapper"

if ! "$wrapper" -c "$check" >&2 2>/dev/null; then
  if ! "$py" -m pip --version >/dev/null 2>&1; then
    SUDO=$(command -v sudo || true); [ "$(id -u)" = 0 ] && SUDO=
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-pip >/dev/null 2>&1 || true
  fi
  echo "installing pyreadstat, pandas, lxml into $target/site" >&2
  # Binary wheels only (no compiler needed); pandas >= 1.4 (the `xport` package would need pandas < 1.4).
  "$py" -m pip install -q --disable-pip-version-check --only-binary=:all: --upgrade --target "$target/site" \
    'pyreadstat>=1.2' 'pandas>=1.5' 'lxml>=4.9' >&2
fi
"$wrapper" -c "$check" >&2 || { echo "the export readers do not import with $wrapper" >&2; exit 1; }
echo "$wrapper"
