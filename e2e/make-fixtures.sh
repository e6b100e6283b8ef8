#!/usr/bin/env bash
# Builds the end-to-end fixtures for zkprove's circom/Groth16 tests with the pinned npm tools
# (circom2 = circom compiled to WebAssembly, snarkjs, circomlib; see package-lock.json).
#
# Usage: e2e/make-fixtures.sh OUTDIR
#
# For every circuit it writes OUTDIR/<circuit>/:
#   circuit.circom, input.json            the source (self-contained except circomlib includes)
#   circuit.r1cs                          circom2 --r1cs
#   circuit.zkey                          snarkjs groth16 setup + one (beacon) contribution
#   witness.wtns                          snarkjs wtns calculate
#   verification_key.json                 snarkjs zkey export verificationkey
#   snarkjs_proof.json, snarkjs_public.json   snarkjs groth16 prove (checked with groth16 verify)
#
# Circuits: mulchain_k<K> (a multiplication chain whose Groth16 domain is exactly 2^K, for each K
# in $MULCHAIN_LOG_SIZES, default "10"), poseidon (circomlib Poseidon(2)), multi_io (several
# public inputs and outputs), all_public (every signal public, so the zkey's C section is empty).
# Set $CIRCUITS to a space-separated subset of names to build only those.
#
# Idempotent: a circuit whose sources, input and this script are unchanged since its last
# successful build (OUTDIR/<circuit>/.stamp) is skipped. One powers of tau, of the largest power
# the selected circuits need, is built in OUTDIR/ptau/ and reused by every circuit that fits in it
# (also by later runs). Preparing phase 2 is slow in snarkjs: seconds up to power 12, minutes for
# 14, tens of minutes for 16 on two cores.
#
# Randomness: snarkjs's `contribute -e=...` mixes OS randomness into the entropy, so it cannot give
# reproducible files. The contributions here are snarkjs *beacon* contributions (a fixed public
# beacon hash), which are deterministic: re-running from scratch gives byte-identical .ptau, .zkey,
# .r1cs and .wtns files, and nothing prompts. (snarkjs proofs stay random: r and s are fresh.)
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
MULCHAIN_LOG_SIZES="${MULCHAIN_LOG_SIZES:-10}"
# Beacon: a fixed public hash and 2^10 hash iterations (snarkjs's minimum is 2^0; 10 is quick).
BEACON_HASH="0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
BEACON_ITERS=10

cd "$HERE"
if [[ ! -x node_modules/.bin/snarkjs || ! -x node_modules/.bin/circom2 ]]; then
    echo "== npm ci (pinned circom2, snarkjs, circomlib)"
    npm ci --no-audit --no-fund --loglevel=error
fi
SNARKJS="$HERE/node_modules/.bin/snarkjs"
CIRCOM2="$HERE/node_modules/.bin/circom2"

log() { echo "== $*"; }
# snarkjs is chatty at info level; keep its output in a log and show it only on failure.
run_quiet() {
    local logfile="$1"
    shift
    if ! "$@" >"$logfile" 2>&1; then
        echo "FAILED: $*" >&2
        tail -n 40 "$logfile" >&2
        exit 1
    fi
}

# Reads nConstraints and nPublic from an .r1cs header and prints snarkjs's domain power
# cirPower = floor(log2(nConstraints + nPublic)) + 1 (zkey_new.js).
r1cs_power() {
    node -e '
const b = require("fs").readFileSync(process.argv[1]);
let off = 12;
const nSections = b.readUInt32LE(8);
for (let i = 0; i < nSections; i++) {
    const id = b.readUInt32LE(off);
    const size = Number(b.readBigUInt64LE(off + 4));
    off += 12;
    if (id === 1) {
        const fs = b.readUInt32LE(off);
        let p = off + 4 + fs;
        const nPubOut = b.readUInt32LE(p + 4);
        const nPubIn = b.readUInt32LE(p + 8);
        const m = b.readUInt32LE(p + 24);
        const v = m + nPubOut + nPubIn;
        console.log(Math.floor(Math.log2(v)) + 1);
        process.exit(0);
    }
    off += size;
}
process.exit(1);
' "$1"
}

# Makes sure OUT/ptau holds a prepared (phase 2) powers of tau of at least power $1 and prints
# its path.
ensure_ptau() {
    local need="$1" p
    # Small circuits share one power-10 ceremony (a few seconds to make).
    ((need < 10)) && need=10
    mkdir -p "$OUT/ptau"
    for p in $(seq "$need" 28); do
        if [[ -f "$OUT/ptau/pot${p}_final.ptau" ]]; then
            echo "$OUT/ptau/pot${p}_final.ptau"
            return
        fi
    done
    local dir="$OUT/ptau" base="$OUT/ptau/pot${need}"
    log "powers of tau bn128, power $need" >&2
    run_quiet "$dir/log.txt" "$SNARKJS" powersoftau new bn128 "$need" "${base}_0000.ptau"
    run_quiet "$dir/log.txt" "$SNARKJS" powersoftau beacon "${base}_0000.ptau" "${base}_beacon.ptau" \
        "$BEACON_HASH" "$BEACON_ITERS" -n="zkprove e2e beacon"
    run_quiet "$dir/log.txt" "$SNARKJS" powersoftau prepare phase2 "${base}_beacon.ptau" "${base}_final.ptau.tmp"
    mv "${base}_final.ptau.tmp" "${base}_final.ptau"
    rm -f "${base}_0000.ptau" "${base}_beacon.ptau"
    echo "${base}_final.ptau"
}

# build NAME SOURCE_TEXT_FILE INPUT_JSON
build() {
    local name="$1" src="$2" input="$3"
    local dir="$OUT/$name"
    local stamp
    stamp="$(cat "$src" "$input" "$HERE/make-fixtures.sh" "$HERE/package-lock.json" | sha256sum | cut -d' ' -f1)"
    if [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$stamp" ]]; then
        log "$name: up to date"
        return
    fi
    log "$name"
    rm -rf "$dir"
    mkdir -p "$dir/build"
    cp "$src" "$dir/circuit.circom"
    cp "$input" "$dir/input.json"
    local t0=$SECONDS
    run_quiet "$dir/build/log.txt" "$CIRCOM2" "$dir/circuit.circom" --r1cs --wasm -o "$dir/build" \
        -l "$HERE/node_modules" -l "$HERE/circuits"
    mv "$dir/build/circuit.r1cs" "$dir/circuit.r1cs"
    local power ptau
    power="$(r1cs_power "$dir/circuit.r1cs")"
    ptau="$(ensure_ptau "$power")"
    run_quiet "$dir/build/log.txt" "$SNARKJS" groth16 setup "$dir/circuit.r1cs" "$ptau" "$dir/build/c_0000.zkey"
    run_quiet "$dir/build/log.txt" "$SNARKJS" zkey beacon "$dir/build/c_0000.zkey" "$dir/circuit.zkey" \
        "$BEACON_HASH" "$BEACON_ITERS" -n="zkprove e2e zkey beacon"
    run_quiet "$dir/build/log.txt" "$SNARKJS" zkey export verificationkey "$dir/circuit.zkey" \
        "$dir/verification_key.json"
    run_quiet "$dir/build/log.txt" "$SNARKJS" wtns calculate "$dir/build/circuit_js/circuit.wasm" \
        "$dir/input.json" "$dir/witness.wtns"
    run_quiet "$dir/build/log.txt" "$SNARKJS" wtns check "$dir/circuit.r1cs" "$dir/witness.wtns"
    run_quiet "$dir/build/log.txt" "$SNARKJS" groth16 prove "$dir/circuit.zkey" "$dir/witness.wtns" \
        "$dir/snarkjs_proof.json" "$dir/snarkjs_public.json"
    run_quiet "$dir/build/log.txt" "$SNARKJS" groth16 verify "$dir/verification_key.json" \
        "$dir/snarkjs_public.json" "$dir/snarkjs_proof.json"
    rm -rf "$dir/build"
    echo "$stamp" >"$dir/.stamp"
    log "$name: done in $((SECONDS - t0)) s (domain 2^$power)"
}

ALL=()
for k in $MULCHAIN_LOG_SIZES; do
    ALL+=("mulchain_k$k")
done
ALL+=(poseidon multi_io all_public)
SELECTED=(${CIRCUITS:-${ALL[@]}})

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
T_START=$SECONDS

# One ceremony for the whole run, of the largest power any selected circuit needs (the fixed
# circuits need at most 10; mulchain_k<K> needs exactly K): preparing phase 2 dominates the time
# (minutes from power 14 on), so making one big ptau beats one per size.
MAX_POWER=10
for name in "${SELECTED[@]}"; do
    if [[ "$name" =~ ^mulchain_k([0-9]+)$ ]] && ((BASH_REMATCH[1] > MAX_POWER && BASH_REMATCH[1] <= 28)); then
        MAX_POWER=${BASH_REMATCH[1]}
    fi
done
ensure_ptau "$MAX_POWER" >/dev/null
for name in "${SELECTED[@]}"; do
    case "$name" in
        mulchain_k*)
            k="${name#mulchain_k}"
            if ! [[ "$k" =~ ^[0-9]+$ ]] || ((k < 3 || k > 28)); then
                echo "bad mulchain size: $name (want mulchain_k3 .. mulchain_k28)" >&2
                exit 2
            fi
            # nPublic = 2 (out, b): N = 2^k - 3 constraints gives cirPower = k exactly.
            n=$(((1 << k) - 3))
            {
                cat circuits/mulchain.circom
                echo
                echo "component main {public [b]} = MulChain($n);"
            } >"$TMP/$name.circom"
            build "$name" "$TMP/$name.circom" circuits/mulchain.input.json
            ;;
        poseidon | multi_io | all_public)
            build "$name" "circuits/$name.circom" "circuits/$name.input.json"
            ;;
        *)
            echo "unknown circuit: $name" >&2
            exit 2
            ;;
    esac
done
log "all fixtures in $OUT ($((SECONDS - T_START)) s)"
