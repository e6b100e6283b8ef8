#!/usr/bin/env bash
# zkprove's one test command: installs what it needs on a fresh machine, then runs every check and
# every test. CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
jobs="${CARGO_BUILD_JOBS:-2}"

step "toolchain components"
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
cargo --version

step "format"
cargo fmt --all --check

step "lint"
cargo clippy -j"$jobs" --workspace --all-targets -- -D warnings

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

step "tests (native CPU features: AVX-512 / IFMA code paths where the CPU has them)"
cargo test -j"$jobs" --workspace

# The SIMD packings are chosen at compile time; test the other code paths too, in their own target
# directories so the main build stays cached.
if [ "$(uname -m)" = "x86_64" ]; then
  step "field tests on the AVX2 code path (x86-64-v3)"
  RUSTFLAGS="-C target-cpu=x86-64-v3" CARGO_TARGET_DIR=target/x86-64-v3 \
    cargo test -j"$jobs" -p zkprove-field --tests
  step "field tests on the portable code path (x86-64)"
  RUSTFLAGS="-C target-cpu=x86-64" CARGO_TARGET_DIR=target/x86-64 \
    cargo test -j"$jobs" -p zkprove-field --tests
fi

step "all checks passed"
