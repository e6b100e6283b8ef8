#!/usr/bin/env bash
# zkVM front-end figures for BENCHMARKS.md: for each committed test program, `zkprove bench vm`
# (full trace generation on all threads; execution with and without trace capture on one
# thread) and qemu-riscv32's wall time on the same program and input (median of 5 runs,
# process start included). Needs a release build: cargo build -j2 --release -p zkprove-cli.
set -euo pipefail
cd "$(dirname "$0")/.."
zk="${ZKPROVE:-target/release/zkprove}"
reps="${REPS:-5}"
threads="${THREADS:-2}"
for prog in sha256 sort sieve fib; do
  elf="crates/vm/programs/$prog.elf"
  "$zk" bench vm "$elf" --reps "$reps" --threads "$threads" --json
  if command -v qemu-riscv32 >/dev/null 2>&1; then
    python3 - "$elf" <<'PY'
import json, statistics, subprocess, sys, time
elf = sys.argv[1]
times = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(["qemu-riscv32", elf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=False)
    times.append((time.perf_counter() - t) * 1e3)
print(json.dumps({"qemu": elf, "median_ms": round(statistics.median(times), 2)}))
PY
  fi
done
