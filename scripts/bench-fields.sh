#!/usr/bin/env bash
# Field-layer benchmarks for BENCHMARKS.md: criterion (ours vs arkworks / Plonky3, same process, same
# inputs, same flags) and `zkprove bench field` (all threads). Prints everything to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -m) $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "# rustflags: $(grep rustflags .cargo/config.toml) ${RUSTFLAGS:-}"
for b in bn254 goldilocks babybear m31; do
  cargo bench -j2 -p zkprove-field --bench "$b" -- --noplot 2>&1 | grep -E '^[a-z].*|time:|thrpt:' || true
done
cargo build -q --release -p zkprove-cli
for f in bn254 bn254-fq goldilocks goldilocks-ext2 babybear babybear-ext4 m31 qm31; do
  ./target/release/zkprove bench field --field "$f" --log-n 24 --reps 5 --json
done
