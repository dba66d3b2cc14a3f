#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang-14, ASan + UBSan) into
# build/fuzz and runs each: once over its regressions (tests/fuzz/regressions/<name>/,
# inputs that crashed it once), then for ATTAIN_FUZZ_SECONDS (default 20) seconds
# from a copy of its seed corpus (tests/fuzz/corpus/<name>/), so that the
# committed corpus does not grow. Fails if any target crashes, leaks, times out
# or runs out of memory; the input that did is copied to build/fuzz/crashes/<name>/.
# Arguments name the targets to run (default: all), e.g. `tests/fuzz/run.sh period`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

TARGETS=(period csv event template token)
if [[ $# -gt 0 ]]; then TARGETS=("$@"); fi
SECONDS_EACH=${ATTAIN_FUZZ_SECONDS:-20}
BUILD=build/fuzz
JOBS=2

werror=OFF
if [[ "${CI:-}" == true ]]; then werror=ON; fi
# CC/CXX matter only to the first configure of build/fuzz.
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DATTAIN_FUZZ=ON -DATTAIN_WERROR="$werror" >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target "${TARGETS[@]/%/_fuzz}"

# Not inherited from tests/run.sh's sanitizer pass: the first report ends the
# run (libFuzzer then saves the input), and leaks count.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

work=$(mktemp -d "${TMPDIR:-/tmp}/attain-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

failed=()
for name in "${TARGETS[@]}"; do
  bin=$BUILD/tests/fuzz/${name}_fuzz
  crashes=$BUILD/crashes/$name
  mkdir -p "$crashes"
  # -timeout: seconds for one input; -rss_limit_mb: memory of the whole process;
  # -max_len: the seeds are small, longer inputs only slow the search down.
  opts=(-timeout=10 -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$crashes/"
    -print_final_stats=1)

  regressions=(tests/fuzz/regressions/"$name"/*)
  if [[ -e ${regressions[0]} ]]; then
    echo "--- $name: regressions (${#regressions[@]} inputs)"
    if ! "$bin" "${opts[@]}" "${regressions[@]}" >"$work/$name-regressions.log" 2>&1; then
      tail -n 60 "$work/$name-regressions.log"
      echo "--- $name: FAILED on a regression input"
      failed+=("$name")
      continue
    fi
  fi

  echo "--- $name: fuzzing for ${SECONDS_EACH}s"
  mkdir -p "$work/$name"
  cp tests/fuzz/corpus/"$name"/* "$work/$name"/
  if "$bin" "${opts[@]}" -max_total_time="$SECONDS_EACH" "$work/$name" \
    >"$work/$name.log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/$name.log" |
      tr '\n' ' ' || true
    echo
  else
    tail -n 60 "$work/$name.log"
    echo "--- $name: FAILED; the input is in $crashes/"
    failed+=("$name")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${TARGETS[*]}: no crashes"
