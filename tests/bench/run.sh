#!/usr/bin/env bash
# Builds (Release) and runs the benchmarks; prints their figures.
# Usage: tests/bench/run.sh [all|target|ingest|eval|evaluation|review|agenda] [args for that benchmark…]
set -euo pipefail
cd "$(dirname "$0")/../.."
deploy/local/install-deps.sh
cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DATTAIN_BUILD_BENCH=ON >/dev/null
cmake --build build/bench -j2 --target target_bench ingest_bench eval_bench evaluation_bench \
  review_bench review_agenda_bench
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -sr)"
bench="${1:-all}"; shift || true
if [[ $bench == all || $bench == target ]]; then build/bench/tests/bench/target_bench "$@"; fi
if [[ $bench == all || $bench == ingest ]]; then build/bench/tests/bench/ingest_bench "$@"; fi
if [[ $bench == all || $bench == eval ]]; then build/bench/tests/bench/eval_bench "$@"; fi
if [[ $bench == all || $bench == evaluation ]]; then build/bench/tests/bench/evaluation_bench "$@"; fi
if [[ $bench == all || $bench == review ]]; then build/bench/tests/bench/review_bench "$@"; fi
if [[ $bench == all || $bench == agenda ]]; then build/bench/tests/bench/review_agenda_bench "$@"; fi
