#!/usr/bin/env bash
# Prepares what a GPU machine without a Rust toolchain, network or NVRTC needs to run zkprove's CUDA
# checks, in target/gpu-carry/ (well under the 64 MiB a device session can carry):
#   cuda-tests   the differential tests of crates/gpu/tests/cuda.rs (stripped, release)
#   msm-cuda-tests  the MSM tests of crates/gpu/tests/msm_cuda.rs (G1/G2 against the CPU)
#   quotient-cuda-tests  crates/gpu/tests/quotient_cuda.rs (Groth16 quotient pieces, device-scalar MSMs)
#   sumcheck-cuda-tests  crates/gpu/tests/sumcheck_cuda.rs (sumcheck folds, rounds, proofs against the CPU)
#   zkprove      the CLI (stripped, release), for `zkprove devices` and `zkprove bench ntt --device cuda`
#   cubins/      every field program as an sm_90 CUBIN, built here with NVRTC from PyPI
# On the GPU machine:
#   export ZKPROVE_CUDA_CUBIN_DIR=$PWD/target/gpu-carry/cubins
#   ZKPROVE_REQUIRE_CUDA=1 target/gpu-carry/cuda-tests --nocapture --test-threads 1
#   ZKPROVE_REQUIRE_CUDA=1 target/gpu-carry/msm-cuda-tests --nocapture --test-threads 1
#   ZKPROVE_REQUIRE_CUDA=1 target/gpu-carry/quotient-cuda-tests --nocapture --test-threads 1
#   ZKPROVE_REQUIRE_CUDA=1 target/gpu-carry/sumcheck-cuda-tests --nocapture --test-threads 1
#   target/gpu-carry/zkprove bench sumcheck --device cuda --field m31 --log-n 22 --degree 3 --json
#   target/gpu-carry/zkprove bench msm --device cuda --log-n 20 --json
#   target/gpu-carry/zkprove devices
#   target/gpu-carry/zkprove bench ntt --device cuda --field babybear --log-n 24 --json
#   target/gpu-carry/zkprove bench ntt --device cuda --field bn254 --log-n 22 --json
# Usage: scripts/gpu-carry.sh [--no-cli] [ARCH]   (ARCH defaults to sm_90, the H100)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"
cli=1
if [ "${1:-}" = "--no-cli" ]; then cli=0; shift; fi
arch="${1:-sm_90}"
out=target/gpu-carry
mkdir -p "$out"

if [ ! -e target/cuda-pip/nvidia/cu13/lib/libnvrtc.so.13 ]; then
  python3 -m pip install --quiet --no-deps --target target/cuda-pip nvidia-cuda-nvrtc==13.0.88
fi
export LD_LIBRARY_PATH="$PWD/target/cuda-pip/nvidia/cu13/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

rm -rf "$out/cubins"
cargo run -q -j"$jobs" --release -p zkprove-gpu --example build_cubins -- "$out/cubins" "$arch"

bin=$(cargo test -j"$jobs" --release -p zkprove-gpu --test cuda --no-run --message-format=json \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "cuda" and m.get("executable"):
        print(m["executable"])')
cp "$bin" "$out/cuda-tests"
strip "$out/cuda-tests"

bin=$(cargo test -j"$jobs" --release -p zkprove-gpu --test msm_cuda --no-run --message-format=json \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "msm_cuda" and m.get("executable"):
        print(m["executable"])')
cp "$bin" "$out/msm-cuda-tests"
strip "$out/msm-cuda-tests"

bin=$(cargo test -j"$jobs" --release -p zkprove-gpu --test quotient_cuda --no-run --message-format=json \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "quotient_cuda" and m.get("executable"):
        print(m["executable"])')
cp "$bin" "$out/quotient-cuda-tests"
strip "$out/quotient-cuda-tests"

bin=$(cargo test -j"$jobs" --release -p zkprove-gpu --test sumcheck_cuda --no-run --message-format=json \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "sumcheck_cuda" and m.get("executable"):
        print(m["executable"])')
cp "$bin" "$out/sumcheck-cuda-tests"
strip "$out/sumcheck-cuda-tests"

if [ "$cli" = 1 ]; then
  cargo build -j"$jobs" --release -p zkprove-cli
  cp "${CARGO_TARGET_DIR:-target}/release/zkprove" "$out/zkprove"
  strip "$out/zkprove"
fi
du -sh "$out"/*
