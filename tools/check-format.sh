#!/usr/bin/env bash
# Fails if any project C++ file differs from clang-format's output (.clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=()
while IFS= read -r -d '' f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done < <(find common services tools tests \( -name '*.cc' -o -name '*.h' \) -not -path '*/.npm/*' -print0 | sort -z)
if [[ ${#bad[@]} -gt 0 ]]; then
  echo "not clang-formatted (run: clang-format -i FILE):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "clang-format: all files formatted"
