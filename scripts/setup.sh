#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for Sehat Saathi: system packages (when root), the
# Python 3.11+ environment (.venv) and the Rasa environment on Python 3.10 (.venv-rasa).
# Idempotent and quick when nothing changed: each venv carries a stamp of its requirements' hash.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

APT_PACKAGES=(tesseract-ocr tesseract-ocr-eng tesseract-ocr-hin tesseract-ocr-pan
  fonts-lohit-deva fonts-lohit-guru fonts-dejavu-core espeak-ng sox libsox-fmt-mp3 lame ffmpeg
  poppler-utils chromium
  libpq-dev     # psycopg2 builds against the system libpq (pyproject.toml says why)
  prometheus    # promtool: tests/test_alerts.py checks and unit-tests deploy/prometheus/alerts.yml
  nginx         # tests/test_edge.py runs the TLS edge's template (deploy/nginx) in front of the gateway
  haproxy       # bench/replicas.py balances the gateway, Rasa and action replicas with it
  festival festvox-hi-nsk)  # bench/speech.py --voice festival: a second Hindi voice for the speech set

system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    log "installing system packages: ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # only their programs are wanted (promtool, nginx for a test): not a Prometheus server and a
    # web server on port 80 started at every boot
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      systemctl disable --now prometheus nginx >/dev/null 2>&1 || true
    fi
  else
    log "WARNING: missing system packages (run as root or install them): ${missing[*]}"
  fi
}

find_python() {  # $1 = wanted minor version regex, e.g. '3\.10' or '3\.1[1-9]'
  local want=$1 c
  local candidates=()
  [ -n "${PYTHON310:-}" ] && [ "$want" = '3\.10' ] && candidates+=("$PYTHON310")
  [ -n "${PYTHON3:-}" ] && [ "$want" != '3\.10' ] && candidates+=("$PYTHON3")
  candidates+=(python3.10 python3.11 python3.12 python3.13 python3)
  if command -v pyenv >/dev/null; then
    for v in "$(pyenv root)"/versions/*; do candidates+=("$v/bin/python3"); done
  fi
  for c in "${candidates[@]}"; do
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null | grep -qx "$want"; then
      command -v "$c"; return 0
    fi
  done
  if [ "$want" = '3\.10' ] && command -v uv >/dev/null; then
    uv python find 3.10 2>/dev/null || { uv python install 3.10 >/dev/null 2>&1 && uv python find 3.10; } && return 0
  fi
  return 1
}

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

make_venv() {  # $1 dir, $2 python, $3 stamp, rest: pip args
  local dir=$1 py=$2 stamp=$3; shift 3
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then return 0; fi
  log "creating $dir with $("$py" --version 2>&1)"
  [ -x "$dir/bin/python" ] || "$py" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@" 2>&1 | grep -v "is ignored: it is neither" >&2 || true
  "$dir/bin/python" -m pip check >/dev/null 2>&1 || true
  echo "$stamp" > "$dir/.stamp"
}

system_packages

PY311=$(find_python '3\.1[1-9]') || { log "ERROR: Python 3.11 or newer is required (set PYTHON3=/path/to/python3.11)"; exit 1; }
PY310=$(find_python '3\.10') || { log "ERROR: Python 3.10 is required for Rasa 3.6 (set PYTHON310=/path/to/python3.10, or install it with pyenv or uv)"; exit 1; }

# psycopg2 (built from source) replaces psycopg2-binary: both own the psycopg2 package, so an older
# .venv drops the binary wheel first (removing it later would delete the source build's files).
if [ -x .venv/bin/python ] && .venv/bin/python -m pip show -q psycopg2-binary >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall -q -y psycopg2-binary >/dev/null 2>&1 || true
fi
# "compat" editable mode: a .pth path entry, so packages added later import without reinstalling.
make_venv .venv "$PY311" "$(stamp_of pyproject.toml)" -e '.[dev]' --config-settings editable_mode=compat
make_venv .venv-rasa "$PY310" "$(stamp_of requirements-rasa.txt)" -r requirements-rasa.txt
.venv/bin/python -c 'import saathi, rasa_sdk' || { log "ERROR: .venv is broken"; rm -f .venv/.stamp; exit 1; }
.venv-rasa/bin/python -c 'import rasa' 2>/dev/null || { log "ERROR: .venv-rasa is broken"; rm -f .venv-rasa/.stamp; exit 1; }
log "ready"
