#!/usr/bin/env bash
# Interleaved base/new `bench vm` runs; one JSON line per run, tagged.
cd /work/wt-trace
for round in 1; do
  for prog in fib sha256 sort sieve; do
    REPS=3; [ $prog = sort -o $prog = sieve ] && REPS=1
    for bin in base trace-v2; do
      echo "# $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg) round $round $bin $prog"
      /work/zkprove-$bin bench vm crates/vm/programs/$prog.elf --reps $REPS --threads 2 --json 2>/dev/null
      echo
    done
    python3 - "crates/vm/programs/$prog.elf" <<'PY'
import json, statistics, subprocess, sys, time
elf = sys.argv[1]
times = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run(["qemu-riscv32", elf], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=False)
    times.append((time.perf_counter() - t) * 1e3)
print(json.dumps({"qemu": elf, "median_ms": round(statistics.median(times), 2), "min_ms": round(min(times), 2)}))
PY
  done
done
