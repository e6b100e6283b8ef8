#!/usr/bin/env bash
# Runs on the GPU machine what scripts/gpu-carry.sh prepared in target/gpu-carry: the CUDA
# differential tests (each kernel against the CPU backend), the AVX-512/IFMA CPU tests where that
# CPU has IFMA, then the GPU benchmarks (one JSON line each), and CUDA proofs of the carried circom
# fixtures (target/gpu-carry/fixtures/NAME/{circuit.zkey,witness.wtns}) for snarkjs to verify back
# home. Logs land in one archive, $OUT/gpu-run.tgz (the device tool returns 8 files at most), the
# summary and the benchmarks' JSON lines in $OUT/summary.txt and $OUT/bench.jsonl as they run.
# Each step has its own time limit, so one hung kernel cannot eat the whole session.
#   bash scripts/gpu-run.sh [tests|bench|all]   (default all)
set -u
cd "$(dirname "$0")/.."
what="${1:-all}"
dest="${OUT:-out}"
mkdir -p "$dest"
out=$(mktemp -d)
trap 'tar czf "$dest/gpu-run.tgz" -C "$out" .' EXIT
c=target/gpu-carry
export ZKPROVE_CUDA_CUBIN_DIR="$PWD/$c/cubins" ZKPROVE_REQUIRE_CUDA=1
z="$c/zkprove"
log() { echo "[$(date -u +%H:%M:%S)] $*" | tee -a "$dest/summary.txt"; }

{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  lscpu | grep -E 'Model name|^CPU\(s\)'
  grep -o -m1 -w 'avx512ifma' /proc/cpuinfo || echo "no avx512ifma"
} > "$out/machine.txt" 2>&1
cat "$out/machine.txt"

if [ "$what" = tests ] || [ "$what" = all ]; then
  # One test binary (crates/gpu/tests/main.rs); each CUDA module by its path (`cuda::` alone
  # would also match `msm_cuda::`, hence the --skip).
  for t in cuda msm_cuda quotient_cuda sumcheck_cuda merkle_cuda circle_cuda device_set_cuda \
      logup_cuda air_cuda zerocheck_cuda; do
    skip=()
    [ "$t" = cuda ] && skip=(--skip _cuda::)
    timeout 90 "$c/gpu-tests" "$t::" "${skip[@]}" --test-threads 1 > "$out/test-$t.log" 2>&1
    rc=$?
    log "test $t: exit $rc; $(grep -E '^test result' "$out/test-$t.log" | tail -1)"
    grep -E '^test .*FAILED|panicked' "$out/test-$t.log" | head -5 | tee -a "$dest/summary.txt"
  done
  if [ -d "$c/avx512" ] && grep -q -m1 -w avx512ifma /proc/cpuinfo; then
    : > "$out/test-avx512.log"
    for f in "$c"/avx512/*; do
      timeout 60 "$f" --test-threads 16 >> "$out/test-avx512.log" 2>&1
      log "avx512 $(basename "$f"): exit $?"
    done
  fi
fi

if [ "$what" = bench ] || [ "$what" = all ]; then
  b="$dest/bench.jsonl"   # live in $OUT: what ran comes back even if the call is cut off
  run() {
    log "bench $*"
    timeout 90 "$z" bench "$@" --json >> "$b" 2>> "$out/bench-err.log" || log "  failed: exit $?"
  }
  "$z" devices > "$out/devices.txt" 2>&1
  for n in 16 18 20 22; do run msm --device cuda --log-n "$n" --reps 10; done
  # 2^20 G1: scalars in device memory (as in a proof), then precomputed bases at several window
  # widths (16 levels of 16 bits, 15 of 18, 13 of 20: one bucket window each), then G2.
  run msm --device cuda --log-n 20 --reps 10 --resident-scalars
  for cl in "16 4" "16 16" "18 15" "20 13"; do
    set -- $cl
    run msm --device cuda --log-n 20 --reps 10 --resident-scalars --window "$1" --precompute "$2"
  done
  run msm --device cuda --log-n 20 --reps 10 --precompute 16
  run msm --device cuda --curve bn254-g2 --log-n 20 --reps 5
  run msm --device cuda --curve bn254-g2 --log-n 20 --reps 5 --resident-scalars --precompute 16
  # The accumulation kernel without the register caps (msm.cu), for the comparison.
  log "next: ZKPROVE_GPU_MSM_ACC=wide"
  ZKPROVE_GPU_MSM_ACC=wide run msm --device cuda --log-n 20 --reps 10
  ZKPROVE_GPU_MSM_ACC=wide run msm --device cuda --log-n 20 --reps 10 --resident-scalars
  ZKPROVE_GPU_MSM_ACC=wide run msm --device cuda --curve bn254-g2 --log-n 20 --reps 5
  run msm --device cpu --log-n 20 --reps 5
  for n in 20 22 24; do run ntt --device cuda --field bn254 --log-n "$n" --reps 10; done
  for f in babybear goldilocks; do run ntt --device cuda --field "$f" --log-n 24 --reps 10; done
  run ntt --device cuda --field babybear --log-n 20 --width 16 --reps 10
  # The M31 circle FFT (issue 25; never run on a GPU before): one column, a batch, the CPU's.
  for n in 20 22 24; do run ntt --device cuda --field m31 --log-n "$n" --reps 10; done
  run ntt --device cuda --field m31 --log-n 20 --width 16 --reps 10
  run ntt --device cpu --field m31 --log-n 24 --reps 3
  # Several GPUs (zkprove_gpu::DeviceSet): one MSM and NTT / circle-FFT batches split over
  # 1, 2, … devices, as many as this machine has (one: the split path's overhead alone).
  ndev=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
  for k in $(seq 1 "${ndev:-1}"); do
    run msm --device cuda --log-n 22 --reps 5 --devices "$k"
    run ntt --device cuda --field babybear --log-n 20 --width 32 --reps 5 --devices "$k"
    run ntt --device cuda --field m31 --log-n 20 --width 32 --reps 5 --devices "$k"
  done
  run merkle --device cuda --field m31 --log-n 22 --reps 10
  run merkle --device cuda --field m31 --log-n 25 --row-len 1 --reps 10
  run merkle --device cuda --field babybear --log-n 22 --reps 10
  run merkle --device cpu --field m31 --log-n 22 --reps 3
  run sumcheck --device cuda --field m31 --log-n 22 --degree 3 --reps 5
  run sumcheck --device cpu --field m31 --log-n 22 --degree 3 --reps 3
  # The AIR prover on the device (issue 23; never run on a GPU before): transfers in the JSON.
  for a in fibonacci lookup; do
    for n in 16 20; do run air --air "$a" --device cuda --log-rows "$n" --reps 5; done
    run air --air "$a" --device cpu --log-rows 20 --reps 3
  done
  run air --air poseidon2 --device cuda --log-rows 14 --reps 3
  run air --air poseidon2 --device cpu --log-rows 14 --reps 3
  # The zkVM (issue 24): proof and the trace's LogUp inversions on the device.
  # Inputs as 4 little-endian bytes: fib n = 6 (5,785 cycles), sieve up to 4000 (48,664 cycles).
  printf '\x06\x00\x00\x00' > "$out/fib.in"
  printf '\xa0\x0f\x00\x00' > "$out/sieve.in"
  for p in fib sieve; do
    run vm "crates/vm/programs/$p.elf" --input "$out/$p.in" --device cuda --reps 3
    run vm "crates/vm/programs/$p.elf" --input "$out/$p.in" --device cpu --reps 3
  done
  if "$z" bench groth16 --help 2>/dev/null | grep -q synthetic; then
    for n in 16 20; do run groth16 --synthetic "$n" --device cuda --reps 5; done
    # A stream of verified proofs (the next one queued first) against the same, one at a time.
    for n in 16 20; do run groth16 --synthetic "$n" --device cuda --reps 10 --stream; done
    # The default keeps key bases with precomputed multiples; without, for the comparison.
    log "next: ZKPROVE_GPU_PRECOMPUTE=1 (no precomputed key bases)"
    ZKPROVE_GPU_PRECOMPUTE=1 run groth16 --synthetic 20 --device cuda --reps 5
    log "next: ZKPROVE_GPU_MSM_ACC=wide ZKPROVE_GPU_PRECOMPUTE=1 (the 2026-12-04 kernels)"
    ZKPROVE_GPU_MSM_ACC=wide ZKPROVE_GPU_PRECOMPUTE=1 run groth16 --synthetic 20 --device cuda --reps 5
    run groth16 --synthetic 20 --device cpu --reps 3
  fi
  for d in examples/multiplier/ "$c"/fixtures/*/; do
    [ -e "$d/circuit.zkey" ] || continue
    name=$(basename "$d")
    cp "$d/verification_key.json" "$out/$name-vk.json" 2>/dev/null
    run groth16 "$d/circuit.zkey" "$d/witness.wtns" --device cuda --reps 10
    timeout 60 "$z" groth16 prove --device cuda "$d/circuit.zkey" "$d/witness.wtns" \
      "$out/$name-proof.json" "$out/$name-public.json" 2>> "$out/bench-err.log"
    log "groth16 prove --device cuda $name: exit $?"
  done
  cat "$b"
fi
log "done"
