#!/usr/bin/env bash
# Runs buf (https://buf.build) on the protos: `tools/buf.sh lint`, `tools/buf.sh breaking …`,
# `tools/buf.sh curl …`. buf comes from the npm package @bufbuild/buf, pinned below and
# installed once into tools/.npm/ (gitignored). Runs from protos/, where buf.yaml is.
set -euo pipefail

BUF_VERSION=1.75.0

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=$ROOT/tools/.npm
BUF=$PREFIX/node_modules/.bin/buf
PKG_JSON=$PREFIX/node_modules/@bufbuild/buf/package.json

installed_version() {
  [[ -f "$PKG_JSON" ]] || return 0
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$PKG_JSON" | head -n1
}

if [[ ! -x "$BUF" || "$(installed_version)" != "$BUF_VERSION" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "tools/buf.sh: npm not found: buf comes from the npm package @bufbuild/buf." >&2
    echo "  Install Node.js and npm first (deploy/local/install-deps.sh does)." >&2
    exit 127
  fi
  mkdir -p "$PREFIX"
  # One installer at a time (ctest may run several buf tests at once).
  exec 9>"$PREFIX/.lock"
  flock 9
  if [[ ! -x "$BUF" || "$(installed_version)" != "$BUF_VERSION" ]]; then
    echo "tools/buf.sh: installing @bufbuild/buf@$BUF_VERSION into tools/.npm/" >&2
    if ! npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error \
      "@bufbuild/buf@$BUF_VERSION" >&2; then
      echo "tools/buf.sh: npm install of @bufbuild/buf@$BUF_VERSION failed" >&2
      exit 1
    fi
  fi
  flock -u 9
  exec 9>&-
  [[ -x "$BUF" ]] || { echo "tools/buf.sh: $BUF missing after npm install" >&2; exit 1; }
fi

cd "$ROOT/protos"
exec "$BUF" "$@"
