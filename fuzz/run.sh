#!/usr/bin/env bash
# Builds the fuzz targets and runs each one in turn, starting from its seed corpus in corpus/<target>
# (left unchanged: new inputs go to a scratch folder). Stops at the first crash (exit status ≠ 0;
# the input is saved under fuzz/artifacts/<target>/).
#
#   fuzz/run.sh [-t SECONDS | -n RUNS] [TARGET...]     (default: -t 15, every target)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). cargo-fuzz passes nightly-only flags to
# rustc; RUSTC_BOOTSTRAP=1 lets a stable toolchain accept them. No sanitizer: zkprove-circom has no
# unsafe code, and the allocation budget of src/lib.rs checks what matters here about memory.
set -euo pipefail
cd "$(dirname "$0")"
root="$(cd .. && pwd)"

limit=(-max_total_time=15)
while getopts "t:n:" opt; do
  case "$opt" in
    t) limit=(-max_total_time="$OPTARG") ;;
    n) limit=(-runs="$OPTARG") ;;
    *) echo "usage: $0 [-t SECONDS | -n RUNS] [TARGET...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(zkey wtns r1cs ptau proof_json public_json vkey_json)

export RUSTC_BOOTSTRAP=1
target_dir="$root/target/fuzz"
cargo fuzz build -s none --target-dir "$target_dir"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  start=$(date +%s)
  status=0
  cargo fuzz run -s none --target-dir "$target_dir" "$t" "$scratch/$t" "corpus/$t" -- \
    "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 || status=$?
  secs=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz $t: ${runs:-?} executions in ${secs} s, exit status $status"
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    exit "$status"
  fi
done
