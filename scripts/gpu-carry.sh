#!/usr/bin/env bash
# Prepares what a GPU machine without a Rust toolchain, network or NVRTC needs to run zkprove's GPU
# checks, in target/gpu-carry/ (well under the 64 MiB a device session can carry):
#   *-cuda-tests  the CUDA differential tests of crates/gpu/tests/{cuda,msm_cuda,quotient_cuda,
#                 sumcheck_cuda,merkle_cuda,circle_cuda,device_set_cuda}.rs (stripped, release):
#                 each kernel against the CPU backend
#   zkprove       the CLI (stripped, release), for `zkprove devices` and `zkprove bench … --device cuda`
#   cubins/       every device program as an sm_90 CUBIN, built here with NVRTC from PyPI
#   avx512/       (with --avx512) the field, poly and curve test binaries built for AVX-512 + IFMA
#                 (x86-64-v4), to run the IFMA code paths on the GPU machine's CPU when it has them
# Everything is built for x86-64-v3 (AVX2) in its own target directory (target/gpu-build), not for
# this machine's CPU: the GPU machine's processor differs. scripts/gpu-run.sh runs it all there:
#   bash scripts/gpu-run.sh      (writes logs and the JSON lines of the benchmarks to $OUT)
# Usage: scripts/gpu-carry.sh [--no-cli] [--avx512] [ARCH]   (ARCH defaults to sm_90: H100, H200)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CARGO_BUILD_JOBS:-2}"
cli=1
avx512=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-cli) cli=0; shift ;;
    --avx512) avx512=1; shift ;;
    *) break ;;
  esac
done
arch="${1:-sm_90}"
out=target/gpu-carry
mkdir -p "$out"

if [ ! -e target/cuda-pip/nvidia/cu13/lib/libnvrtc.so.13 ]; then
  python3 -m pip install --quiet --no-deps --target target/cuda-pip nvidia-cuda-nvrtc==13.0.88
fi
export LD_LIBRARY_PATH="$PWD/target/cuda-pip/nvidia/cu13/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

export RUSTFLAGS="-C target-cpu=x86-64-v3"
export CARGO_TARGET_DIR=target/gpu-build

rm -rf "$out/cubins"
cargo run -q -j"$jobs" --release -p zkprove-gpu --example build_cubins -- "$out/cubins" "$arch"

# The executables of `cargo test --no-run` (JSON on stdin) whose target is named $1, or all test
# executables when $1 is empty.
executables() {
  python3 -c 'import json,sys
name = sys.argv[1]
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") != "compiler-artifact" or not m.get("executable"):
        continue
    if not m.get("profile", {}).get("test"):
        continue
    if name and m.get("target", {}).get("name") != name:
        continue
    print(m["target"]["name"] + " " + m["executable"])' "${1:-}"
}

# The integration tests are one binary (crates/gpu/tests/main.rs); gpu-run.sh picks the CUDA
# modules out of it by name.
bin=$(cargo test -j"$jobs" --release -p zkprove-gpu --test gpu --no-run --message-format=json \
  | executables gpu | awk '{print $2}')
cp "$bin" "$out/gpu-tests"
strip "$out/gpu-tests"

if [ "$cli" = 1 ]; then
  cargo build -j"$jobs" --release -p zkprove-cli
  cp "$CARGO_TARGET_DIR/release/zkprove" "$out/zkprove"
  strip "$out/zkprove"
fi

if [ "$avx512" = 1 ]; then
  rm -rf "$out/avx512"
  mkdir -p "$out/avx512"
  RUSTFLAGS="-C target-cpu=x86-64-v4 -C target-feature=+avx512ifma" CARGO_TARGET_DIR=target/gpu-avx512 \
    cargo test -j"$jobs" -p zkprove-field -p zkprove-poly -p zkprove-curve --no-run --message-format=json \
    | executables "" | while read -r name bin; do
      dest="$out/avx512/$(basename "$bin")"
      cp "$bin" "$dest"
      strip "$dest"
    done
fi
du -sh "$out"/*
