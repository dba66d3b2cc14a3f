#!/usr/bin/env bash
# `buf breaking`: the protos keep the v1 contract as released, i.e. as of the commit that
# resolved issues 2–5 (fe7fd8e; override with ATTAIN_PROTO_BASE=<rev>). No RPC or field is
# renamed, renumbered or removed. Exits 77 (ctest: skipped) when that commit is not in
# this clone (a shallow one).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=${ATTAIN_PROTO_BASE:-fe7fd8e}
if ! git -C "$ROOT" cat-file -e "$BASE^{commit}" 2>/dev/null; then
  echo "check-breaking: $BASE is not in this clone (shallow?): nothing to compare against" >&2
  exit 77
fi
exec "$ROOT/tools/buf.sh" breaking --against "$ROOT/.git#ref=$BASE,subdir=protos"
