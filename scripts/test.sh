#!/usr/bin/env bash
# zkprove's one test command: installs what it needs on a fresh machine, then runs every check and
# every test. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
jobs="${CARGO_BUILD_JOBS:-2}"
# A clean build (CI) gains nothing from incremental compilation state, only its overhead.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "toolchain components"
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
cargo --version

step "format"
cargo fmt --all --check

step "lint"
cargo clippy -j"$jobs" --workspace --all-targets -- -D warnings

step "zkprove-gpu with one runtime only (cargo features cuda / opencl)"
cargo check -j"$jobs" -p zkprove-gpu --no-default-features --features opencl --all-targets
cargo check -j"$jobs" -p zkprove-gpu --no-default-features --features cuda --all-targets

step "end-to-end fixtures: circuits compiled by circom2, keys and proofs by snarkjs (pinned in e2e/package-lock.json)"
if ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "npm is needed for the end-to-end fixtures (install Node.js)" >&2
    exit 1
  fi
fi
bash e2e/make-fixtures.sh target/e2e-fixtures
export ZKPROVE_E2E_FIXTURES="$PWD/target/e2e-fixtures"

step "GPU kernel checks without a GPU: PoCL (OpenCL on the CPU) and NVRTC from PyPI (compile-only)"
if ! dpkg -s pocl-opencl-icd ocl-icd-libopencl1 >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq pocl-opencl-icd ocl-icd-libopencl1 >/dev/null
  else
    echo "PoCL is needed for the OpenCL kernel tests (pocl-opencl-icd)" >&2
    exit 1
  fi
fi
# Pinned: a newer NVRTC writes PTX that a CUDA 13.0 driver refuses.
if [ ! -e target/cuda-pip/nvidia/cu13/lib/libnvrtc.so.13 ]; then
  if ! python3 -m pip --version >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq python3-pip >/dev/null
  fi
  # --target installs into target/ only (allowed even where the system Python is externally managed).
  python3 -m pip install --quiet --no-deps --target target/cuda-pip nvidia-cuda-nvrtc==13.0.88
fi
export LD_LIBRARY_PATH="$PWD/target/cuda-pip/nvidia/cu13/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export ZKPROVE_REQUIRE_NVRTC=1 ZKPROVE_REQUIRE_OPENCL=1

step "PostgreSQL for the service's queue tests: Debian's server, a throwaway cluster on a free port"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL is needed for the service's queue tests (postgresql)" >&2
    exit 1
  fi
fi
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
pg_dir="$(mktemp -d /tmp/zkprove-pg.XXXXXX)"
pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$pg_dir"
  as_pg() { su postgres -s /bin/sh -c "$1"; }
else
  as_pg() { sh -c "$1"; }
fi
as_pg "$pg_bin/initdb -D $pg_dir/data -A trust -U postgres" >/dev/null
as_pg "$pg_bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w -o '-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1' start" >/dev/null
trap 'as_pg "$pg_bin/pg_ctl -D $pg_dir/data -m fast -w stop" >/dev/null 2>&1 || true' EXIT
# The PostgreSQL tests fail (instead of saying they did not run) when this server is unreachable.
export ZKPROVE_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres" ZKPROVE_REQUIRE_POSTGRES=1

step "qemu-user: qemu-riscv32 is the oracle of the zkVM tests (crates/vm)"
if ! command -v qemu-riscv32 >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq qemu-user >/dev/null
  else
    echo "qemu-riscv32 is needed for the zkVM oracle tests (qemu-user)" >&2
    exit 1
  fi
fi
# The zkVM tests fail (instead of skipping the comparison) when qemu-riscv32 is missing.
export ZKPROVE_REQUIRE_QEMU=1

step "Chromium (headless) for the service's status-page check in a real browser"
if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "Chromium is needed for the status-page check (chromium)" >&2
    exit 1
  fi
fi
# The page test fails (instead of saying it did not run) without a browser.
export ZKPROVE_REQUIRE_BROWSER=1

step "tests (baseline x86-64 build; AVX2 / AVX-512 / IFMA paths chosen at run time)"
# --no-fail-fast: one failing test binary does not hide the results of the others.
cargo test -j"$jobs" --workspace --no-fail-fast

# PoCL is no GPU, so GpuBases::for_key keeps a key's bases without precomputed multiples there;
# prove once more with a table of 3 levels forced, as a GPU keeps them.
step "Groth16 on OpenCL with precomputed key bases (ZKPROVE_GPU_PRECOMPUTE=3)"
# `--workspace` keeps the main run's features (a `-p zkprove-gpu` build would recompile its dependencies).
ZKPROVE_GPU_PRECOMPUTE=3 cargo test -j"$jobs" --workspace --test gpu groth16_device::opencl_
step "device MSMs through the other accumulation kernel (ZKPROVE_GPU_MSM_ACC=wide)"
ZKPROVE_GPU_MSM_ACC=wide cargo test -j"$jobs" --workspace --test gpu msm_opencl::
# Several devices (zkprove_gpu::DeviceSet): PoCL exposes one CPU device unless POCL_DEVICES lists
# more (Debian 12's PoCL 3 names its CPU driver "pthread", PoCL 4 and later "cpu");
# ZKPROVE_REQUIRE_DEVICES=2 makes the test fail, not pass, when fewer than two show up.
step "DeviceSet: MSM and NTT batches split across two OpenCL devices (PoCL, POCL_DEVICES)"
pocl_cpu=pthread
if dpkg --compare-versions "$(dpkg-query -W -f='${Version}' pocl-opencl-icd 2>/dev/null || echo 0)" ge 4; then
  pocl_cpu=cpu
fi
POCL_DEVICES="$pocl_cpu $pocl_cpu" ZKPROVE_REQUIRE_DEVICES=2 \
  cargo test -j"$jobs" --workspace --test gpu device_set_opencl::

# Every SIMD path is picked at run time (BN254 ADX/IFMA, the MSM's IFMA lanes, the BabyBear/KoalaBear/
# M31/Goldilocks packings through `Field::with_packing`: NTTs, circle FFT, sumcheck rounds, Poseidon2
# batches, Merkle layers), and `.cargo/config.toml` sets no target CPU, so the main run above is a
# baseline x86-64 build that tests each path in-process at every level this CPU has
# (`cpu::set_max_cpu_level`): zkprove-field tests/cpu_levels.rs, zkprove-poly tests/ntt.rs and
# tests/circle.rs, zkprove-sumcheck tests/sumcheck.rs, zkprove-curve tests/cpu_levels.rs,
# zkprove-hash tests/poseidon2.rs. No second build for other target CPUs is needed.

step "fuzz the circom readers: each target 15 s from its seeds (fuzz/README.md); fails on any crash"
# cargo-fuzz on the stable toolchain (fuzz/run.sh sets RUSTC_BOOTSTRAP=1), installed under target/
# so a cached target/ keeps it; the targets build into target/fuzz.
if [ ! -x target/tools/bin/cargo-fuzz ]; then
  cargo install --quiet --locked --root target/tools cargo-fuzz --version 0.13.2
fi
(cd fuzz && cargo fmt --check)
PATH="$PWD/target/tools/bin:$PATH" bash fuzz/run.sh -t 15

step "all checks passed"
