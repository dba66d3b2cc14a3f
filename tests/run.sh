#!/usr/bin/env bash
# Builds Attain and runs every test: installs missing Debian packages, builds
# RelWithDebInfo into build/test and runs ctest there (arguments are passed on to that
# ctest, e.g. `tests/run.sh -R period`), then builds the unit tests with AddressSanitizer
# and UBSan into build/asan and runs them, then runs the libFuzzer targets for a short
# while (tests/fuzz/run.sh). The tests start their own PostgreSQL and Redis.
# With CI=true, warnings are errors. ATTAIN_SKIP_ASAN=1 skips the sanitizer pass,
# ATTAIN_SKIP_FUZZ=1 the fuzzing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

JOBS=2
failed=()
passed=()

# step NAME CMD...: runs CMD, remembering whether it passed.
step() {
  local name=$1 start rc=0
  shift
  echo
  echo "==== $name: $*"
  start=$SECONDS
  "$@" || rc=$?
  if [[ $rc -eq 0 ]]; then
    passed+=("$name")
    echo "==== $name: ok ($((SECONDS - start)) s)"
  else
    failed+=("$name")
    echo "==== $name: FAILED (exit $rc, $((SECONDS - start)) s)"
  fi
  return "$rc"
}

summary() {
  echo
  if [[ ${#failed[@]} -eq 0 ]]; then
    echo "tests/run.sh: PASS (${passed[*]}) in $SECONDS s"
  else
    echo "tests/run.sh: FAIL (failed: ${failed[*]}${passed[*]:+; passed: ${passed[*]}}) in $SECONDS s"
  fi
}
trap summary EXIT

# Packages come from Debian with apt-get (deploy/local/install-deps.sh installs only what is missing).
step deps "$ROOT/deploy/local/install-deps.sh" || exit 1

werror=OFF
if [[ "${CI:-}" == true ]]; then werror=ON; fi

# Main build: everything, with integration and end-to-end tests.
if step configure cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DATTAIN_WERROR="$werror" &&
  step build cmake --build build/test -j"$JOBS"; then
  step tests ctest --test-dir build/test --output-on-failure -j"$JOBS" --timeout 900 \
    --no-tests=error "$@" || true
fi

# Sanitizer pass: unit tests only, Debug, ASan + UBSan.
if [[ "${ATTAIN_SKIP_ASAN:-}" != 1 ]]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=1:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  if step asan-configure cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DATTAIN_UNIT_ONLY=ON -DATTAIN_SANITIZE=ON -DATTAIN_WERROR="$werror" &&
    step asan-build cmake --build build/asan -j"$JOBS"; then
    step asan-tests ctest --test-dir build/asan -L unit --output-on-failure -j"$JOBS" \
      --timeout 900 --no-tests=error || true
  fi
fi

# Fuzzing: every target of tests/fuzz over its regressions, then 20 s each
# (ATTAIN_FUZZ_SECONDS) from a copy of its seed corpus; clang-14, build/fuzz.
if [[ "${ATTAIN_SKIP_FUZZ:-}" != 1 ]]; then
  step fuzz "$ROOT/tests/fuzz/run.sh" || true
fi

[[ ${#failed[@]} -eq 0 ]]
