#!/usr/bin/env bash
# Groth16 proving time and peak memory: zkprove against snarkjs on the same files, same machine,
# same run. Usage: scripts/bench-groth16.sh FIXTURE_DIR... (each made by e2e/make-fixtures.sh, e.g.
# MULCHAIN_LOG_SIZES="10 12 14 16" CIRCUITS="mulchain_k10 ..." e2e/make-fixtures.sh DIR).
#
# Per circuit it prints one line: domain, zkey size, zkprove `groth16 prove` wall time and peak RSS
# (whole command: load, prove, verify, write), zkprove's per-proof median with the key loaded
# (`zkprove bench groth16`), snarkjs `groth16 prove` wall time and peak RSS, and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
ZKPROVE=${ZKPROVE:-target/release/zkprove}
SNARKJS=${SNARKJS:-e2e/node_modules/.bin/snarkjs}
[ -x "$ZKPROVE" ] || cargo build --release -p zkprove-cli
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf '%-16s %6s %9s | %10s %9s %10s | %10s %9s | %8s %8s\n' circuit log_n zkey_MB \
  zk_wall_s zk_rss_MB zk_med_ms snark_wall snark_MB wall_ratio rss/zkey
for dir in "$@"; do
  name=$(basename "$dir")
  zkey="$dir/circuit.zkey"; wtns="$dir/witness.wtns"
  zkey_mb=$(awk -v b="$(stat -c %s "$zkey")" 'BEGIN{printf "%.1f", b/1e6}')
  /usr/bin/time -f "%e %M" -o "$TMP/zk.time" "$ZKPROVE" groth16 prove "$zkey" "$wtns" "$TMP/p.json" "$TMP/pub.json"
  read -r zk_wall zk_kb <"$TMP/zk.time"
  "$SNARKJS" groth16 verify "$dir/verification_key.json" "$TMP/pub.json" "$TMP/p.json" >/dev/null
  json=$("$ZKPROVE" bench groth16 "$zkey" "$wtns" --reps 5 --json)
  med=$(echo "$json" | sed -E 's/.*"median_ms":([0-9.]+).*/\1/')
  log_n=$(echo "$json" | sed -E 's/.*"log_n":([0-9]+).*/\1/')
  /usr/bin/time -f "%e %M" -o "$TMP/sj.time" "$SNARKJS" groth16 prove "$zkey" "$wtns" "$TMP/sp.json" "$TMP/spub.json" >/dev/null
  read -r sj_wall sj_kb <"$TMP/sj.time"
  awk -v n="$name" -v l="$log_n" -v z="$zkey_mb" -v zw="$zk_wall" -v zk="$zk_kb" -v m="$med" \
      -v sw="$sj_wall" -v sk="$sj_kb" 'BEGIN{
    printf "%-16s %6s %9s | %10.2f %9.1f %10.1f | %10.2f %9.1f | %8.3f %8.2f\n",
      n, l, z, zw, zk/1024, m, sw, sk/1024, zw/sw, (zk*1024)/(z*1e6) }'
done
