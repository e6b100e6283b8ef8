#!/usr/bin/env bash
# Groth16 `prove` against rapidsnark: same files, whole processes, interleaved (zkprove, rapidsnark,
# zkprove, rapidsnark, ...), all cores for both; each proof checked with snarkjs.
#
# Usage: scripts/bench-rapidsnark.sh [FIXTURE_DIR...]
#   FIXTURE_DIR holds circuit.zkey, witness.wtns and (optional) verification_key.json, as made by
#   e2e/make-fixtures.sh. With no argument it benchmarks the e2e fixtures in target/e2e-fixtures
#   (made if missing) plus insecure synthetic multiplication chains of 2^$SYNTH_LOG_SIZES (default
#   "14 16"; `zkprove zkey synthetic`, made in target/bench-rapidsnark/).
# Environment:
#   ZKPROVE     zkprove binary (default target/release/zkprove, built if missing)
#   RAPIDSNARK  rapidsnark prover (default ../shared/tools/rapidsnark/prover)
#   SNARKJS     snarkjs (default e2e/node_modules/.bin/snarkjs)
#   CPU         passed as `zkprove --cpu $CPU` (portable, adx, avx2, avx512, ifma, native)
#   REPS        proofs per tool and circuit (default 3); the median is reported
# Not part of CI: it needs rapidsnark, which is not shipped.
#
# Per circuit: domain (log_n), median wall seconds, median CPU seconds (user + system), max peak
# RSS (MB) of each tool, and the ratios zkprove / rapidsnark.
set -euo pipefail
cd "$(dirname "$0")/.."
ZKPROVE=${ZKPROVE:-target/release/zkprove}
RAPIDSNARK=${RAPIDSNARK:-../shared/tools/rapidsnark/prover}
SNARKJS=${SNARKJS:-e2e/node_modules/.bin/snarkjs}
REPS=${REPS:-3}
CPU=${CPU:-native}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time: apt-get install -y time" >&2; exit 2; }
[ -x "$RAPIDSNARK" ] || { echo "rapidsnark prover not found at $RAPIDSNARK (set RAPIDSNARK)" >&2; exit 2; }
[ -x "$ZKPROVE" ] || cargo build --release -p zkprove-cli
ZKPROVE=$(realpath "$ZKPROVE")
RAPIDSNARK=$(realpath "$RAPIDSNARK")

dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  [ -e target/e2e-fixtures/poseidon/circuit.zkey ] || e2e/make-fixtures.sh target/e2e-fixtures
  for d in target/e2e-fixtures/*/; do [ -e "$d/circuit.zkey" ] && dirs+=("${d%/}"); done
  if [ "${BENCH_CIRCUITS:-}" != none ]; then
    ZKPROVE="$ZKPROVE" scripts/make-bench-circuits.sh target/bench-circuits
    for name in ${BENCH_CIRCUITS:-merkle_poseidon_d${MERKLE_DEPTH:-31} sha256_64B sha256_448B}; do
      dirs+=("target/bench-circuits/$name")
    done
  fi
  for k in ${SYNTH_LOG_SIZES:-14 16}; do
    d=target/bench-rapidsnark/synthetic_k$k
    if [ ! -e "$d/circuit.zkey" ]; then
      mkdir -p "$d"
      "$ZKPROVE" zkey synthetic "$k" "$d/circuit.zkey" "$d/witness.wtns"
    fi
    [ -e "$d/verification_key.json" ] || "$ZKPROVE" zkey export-vkey "$d/circuit.zkey" "$d/verification_key.json"
    dirs+=("$d")
  done
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One timed run: prints "wall cpu rss_kb" (GNU time -v fields).
timed() {
  "$TIME" -v -o "$TMP/time" "$@" >"$TMP/out" 2>&1 || { cat "$TMP/out" "$TMP/time" >&2; return 1; }
  awk -F': ' '
    /User time/ {u=$2} /System time/ {s=$2} /Maximum resident/ {m=$2}
    /Elapsed \(wall clock\)/ { n=split($2, a, ":"); w=0; for (i=1;i<=n;i++) w=w*60+a[i] }
    END { printf "%.3f %.3f %d\n", w, u+s, m }' "$TMP/time"
}
# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
verify() {
  local vk="$1" pub="$2" proof="$3"
  if [ -e "$vk" ] && [ -x "$SNARKJS" ]; then
    "$SNARKJS" groth16 verify "$vk" "$pub" "$proof" | grep -q "OK" || { echo "snarkjs rejected $proof" >&2; return 1; }
  fi
}

echo "# $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p') nproc=$(nproc) zkprove --cpu $CPU; reps=$REPS (median wall/cpu, max rss)"
printf '%-20s %5s | %8s %8s %8s | %8s %8s %8s | %6s %6s %6s\n' circuit log_n \
  zk_wall zk_cpu zk_MB rs_wall rs_cpu rs_MB wall_x cpu_x rss_x
for dir in "${dirs[@]}"; do
  name=$(basename "$dir")
  zkey="$dir/circuit.zkey"; wtns="$dir/witness.wtns"; vk="$dir/verification_key.json"
  log_n=$("$ZKPROVE" zkey info "$zkey" --json 2>/dev/null | sed -nE 's/.*"log_domain_size":([0-9]+).*/\1/p')
  : >"$TMP/zk"; : >"$TMP/rs"
  for _ in $(seq "$REPS"); do
    timed "$ZKPROVE" --cpu "$CPU" groth16 prove "$zkey" "$wtns" "$TMP/zp.json" "$TMP/zpub.json" >>"$TMP/zk"
    verify "$vk" "$TMP/zpub.json" "$TMP/zp.json"
    timed "$RAPIDSNARK" "$zkey" "$wtns" "$TMP/rp.json" "$TMP/rpub.json" >>"$TMP/rs"
    verify "$vk" "$TMP/rpub.json" "$TMP/rp.json"
  done
  zw=$(cut -d' ' -f1 "$TMP/zk" | median); zc=$(cut -d' ' -f2 "$TMP/zk" | median)
  zm=$(cut -d' ' -f3 "$TMP/zk" | sort -g | tail -1)
  rw=$(cut -d' ' -f1 "$TMP/rs" | median); rc=$(cut -d' ' -f2 "$TMP/rs" | median)
  rm_=$(cut -d' ' -f3 "$TMP/rs" | sort -g | tail -1)
  awk -v n="$name" -v l="${log_n:-?}" -v zw="$zw" -v zc="$zc" -v zm="$zm" -v rw="$rw" -v rc="$rc" -v rm="$rm_" 'BEGIN{
    printf "%-20s %5s | %8.3f %8.3f %8.1f | %8.3f %8.3f %8.1f | %6.2f %6.2f %6.2f\n",
      n, l, zw, zc, zm/1024, rw, rc, rm/1024, r(zw, rw), r(zc, rc), r(zm, rm) }
    # A ratio of times below GNU time'"'"'s 10 ms resolution says nothing: printed as 0.
    function r(a, b) { return b >= 0.05 ? a / b : 0 }'
done
