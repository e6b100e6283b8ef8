#!/usr/bin/env bash
# A/B/rapidsnark interleaved: for each circuit dir and cpu level, REPS rounds of
# base, new, rapidsnark (whole processes, GNU time), prints per-run wall/cpu and medians.
# Usage: BASE=zkprove-before NEW=zkprove-after [RAPIDSNARK=prover] CPUS="avx2 adx native" REPS=5 \
#        scripts/bench-groth16-ab.sh DIR...   (DIR from scripts/make-bench-circuits.sh)
set -euo pipefail
RS=${RAPIDSNARK:-$(dirname "$0")/../../shared/tools/rapidsnark/prover}
T=$(mktemp -d)
med() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
run() { /usr/bin/time -f "%e %U %S %M" -o "$T/t" "$@" >/dev/null 2>&1; awk '{printf "%.3f %.3f %d\n", $1, $2+$3, $4}' "$T/t"; }
echo "# $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-18s %-6s | wall: %6s %6s %6s | %6s %6s %6s | cpu: %6s %6s %6s | %6s %6s %6s\n' circuit cpu base new rs n/b n/rs b/rs base new rs n/b n/rs b/rs
for d in "$@"; do
  for cpu in ${CPUS:-avx2}; do
    : > "$T/b"; : > "$T/n"; : > "$T/r"
    for _ in $(seq ${REPS:-5}); do
      run "$BASE" --cpu $cpu groth16 prove "$d/circuit.zkey" "$d/witness.wtns" "$T/p.json" "$T/pub.json" >> "$T/b"
      run "$NEW" --cpu $cpu groth16 prove "$d/circuit.zkey" "$d/witness.wtns" "$T/p2.json" "$T/pub2.json" >> "$T/n"
      run "$RS" "$d/circuit.zkey" "$d/witness.wtns" "$T/rp.json" "$T/rpub.json" >> "$T/r"
    done
    b=$(cut -d' ' -f1 "$T/b" | med); n=$(cut -d' ' -f1 "$T/n" | med); r=$(cut -d' ' -f1 "$T/r" | med)
    bc=$(cut -d' ' -f2 "$T/b" | med); nc=$(cut -d' ' -f2 "$T/n" | med); rc=$(cut -d' ' -f2 "$T/r" | med)
    awk -v c="$(basename $d)" -v cpu=$cpu -v b=$b -v n=$n -v r=$r -v bc=$bc -v nc=$nc -v rc=$rc 'BEGIN{printf "%-18s %-6s | wall: %6.3f %6.3f %6.3f | %6.3f %6.3f %6.3f | cpu: %6.3f %6.3f %6.3f | %6.3f %6.3f %6.3f\n", c, cpu, b, n, r, n/b, n/r, b/r, bc, nc, rc, nc/bc, nc/rc, bc/rc}'
    echo "  wall base: $(cut -d' ' -f1 "$T/b" | tr '\n' ' ') new: $(cut -d' ' -f1 "$T/n" | tr '\n' ' ') rs: $(cut -d' ' -f1 "$T/r" | tr '\n' ' ')"
    echo "  cpu  base: $(cut -d' ' -f2 "$T/b" | tr '\n' ' ') new: $(cut -d' ' -f2 "$T/n" | tr '\n' ' ') rs: $(cut -d' ' -f2 "$T/r" | tr '\n' ' ')"
  done
done
echo "# end $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
