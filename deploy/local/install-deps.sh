#!/usr/bin/env bash
# Installs the Debian 12 packages Attain needs to build, test and run, if any are missing.
# Quiet when everything is already installed. Uses sudo for apt-get only when not root.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libhiredis-dev libpqxx-dev libpq-dev libjwt-dev libssl-dev libspdlog-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql redis-server tzdata
  nodejs npm ca-certificates clang-format openssl
  prometheus-cpp-dev clang-14 libclang-rt-14-dev python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  # Some Node.js builds (e.g. NodeSource's nodejs) ship npm themselves and conflict with
  # Debian's npm package: an npm already on PATH is good enough.
  if [[ "$p" == npm ]] && command -v npm >/dev/null 2>&1; then continue; fi
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  apt=(apt-get)
elif command -v sudo >/dev/null 2>&1; then
  apt=(sudo DEBIAN_FRONTEND=noninteractive apt-get)
else
  echo "install-deps: missing packages (${missing[*]}), and not root and no sudo to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
