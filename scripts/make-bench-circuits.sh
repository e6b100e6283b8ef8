#!/usr/bin/env bash
# Builds real circom circuits for scripts/bench-rapidsnark.sh (not CI): compiled with the pinned
# circom2 in e2e/node_modules (circomlib included), witnesses by `snarkjs wtns calculate`, and an
# INSECURE proving key from `zkprove zkey setup-insecure` (seconds, where snarkjs's powers of tau
# phase 2 takes tens of minutes at 2^16 and hours at 2^18 on two cores). Benchmark keys only:
# anyone who knows the seed can forge proofs for them.
#
# Usage: scripts/make-bench-circuits.sh OUTDIR
#
# For every circuit it writes OUTDIR/<circuit>/: circuit.circom, input.json, circuit.r1cs,
# circuit.zkey, witness.wtns, verification_key.json (`zkprove zkey export-vkey`).
# Circuits (sources in e2e/circuits/bench/, inputs deterministic):
#   merkle_poseidon_d<D>  a Poseidon(2) Merkle path of depth D ($MERKLE_DEPTH, default 31: 2^14)
#   sha256_64B            SHA-256 of 64 bytes (circomlib Sha256(512), 2 blocks: 2^16)
#   sha256_448B           SHA-256 of 448 bytes (8 blocks: 2^18)
# circom2 runs with its default simplification (--O1), as make-fixtures.sh and most circom users
# do: the linear constraints stay in the .r1cs (Poseidon's MDS layers: ~520 constraints per Merkle
# level, so depth 31 is the deepest path within 2^14; SHA-256 ~29.6k per block).
# Set $BENCH_CIRCUITS to a space-separated subset of names to build only those.
# Environment: ZKPROVE (default target/release/zkprove), SEED (setup seed, default 1).
#
# Idempotent: a circuit whose source, input and this script are unchanged since its last
# successful build (OUTDIR/<circuit>/.stamp) is skipped.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
ZKPROVE="$(realpath "${ZKPROVE:-$ROOT/target/release/zkprove}")"
SEED="${SEED:-1}"
MERKLE_DEPTH="${MERKLE_DEPTH:-31}"
[[ -x "$ZKPROVE" ]] || { echo "zkprove not found at $ZKPROVE (set ZKPROVE)" >&2; exit 2; }

E2E="$ROOT/e2e"
if [[ ! -x "$E2E/node_modules/.bin/snarkjs" || ! -x "$E2E/node_modules/.bin/circom2" ]]; then
    echo "== npm ci (pinned circom2, snarkjs, circomlib)"
    (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
fi
SNARKJS="$E2E/node_modules/.bin/snarkjs"
CIRCOM2="$E2E/node_modules/.bin/circom2"

log() { echo "== $*"; }
run_quiet() {
    local logfile="$1"
    shift
    if ! "$@" >>"$logfile" 2>&1; then
        echo "FAILED: $*" >&2
        tail -n 40 "$logfile" >&2
        exit 1
    fi
}

# Deterministic inputs. sha256 N: byte i = (37 i + 11) mod 256, bits most significant first.
# merkle D: leaf and siblings are SHA-256("zkprove bench <name>") reduced mod r (full-size field
# elements, as real tree nodes are), direction bits from SHA-256("zkprove bench path").
make_input() {
    node -e '
const crypto = require("crypto");
const r = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const h = (s) => crypto.createHash("sha256").update(s).digest();
const fe = (s) => (BigInt("0x" + h("zkprove bench " + s).toString("hex")) % r).toString();
const [kind, n] = [process.argv[1], Number(process.argv[2])];
if (kind === "sha256") {
    const bits = [];
    for (let i = 0; i < n; i++) {
        const b = (37 * i + 11) % 256;
        for (let k = 7; k >= 0; k--) bits.push(String((b >> k) & 1));
    }
    console.log(JSON.stringify({ in: bits }));
} else {
    const path = h("zkprove bench path");
    const bits = [];
    for (let i = 0; i < n; i++) bits.push(String((path[(i >> 3) % 32] >> (i & 7)) & 1));
    const siblings = [];
    for (let i = 0; i < n; i++) siblings.push(fe("sibling " + i));
    console.log(JSON.stringify({ leaf: fe("leaf"), siblings, pathBits: bits }));
}' "$1" "$2"
}

# build NAME SOURCE MAIN_LINE INPUT_KIND INPUT_N
build() {
    local name="$1" src="$2" main="$3" dir="$OUT/$1"
    mkdir -p "$OUT/.tmp"
    local circuit="$OUT/.tmp/$name.circom" input="$OUT/.tmp/$name.input.json"
    { cat "$src"; echo; echo "$main"; } >"$circuit"
    make_input "$4" "$5" >"$input"
    local stamp
    stamp="$(cat "$circuit" "$input" "$ROOT/scripts/make-bench-circuits.sh" "$E2E/package-lock.json" \
        | sha256sum | cut -d' ' -f1)-seed$SEED"
    if [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$stamp" ]]; then
        log "$name: up to date"
        return
    fi
    log "$name"
    rm -rf "$dir"
    mkdir -p "$dir/build"
    mv "$circuit" "$dir/circuit.circom"
    mv "$input" "$dir/input.json"
    local t0=$SECONDS
    # circom2 (WebAssembly) sees the file system relative to its working directory: run it in e2e/.
    (cd "$E2E" && run_quiet "$dir/build/log.txt" "$CIRCOM2" "$dir/circuit.circom" --r1cs --wasm -o "$dir/build" \
        -l "$E2E/node_modules")
    mv "$dir/build/circuit.r1cs" "$dir/circuit.r1cs"
    local t1=$SECONDS
    run_quiet "$dir/build/log.txt" "$ZKPROVE" zkey setup-insecure "$dir/circuit.r1cs" \
        "$dir/circuit.zkey" --seed "$SEED"
    run_quiet "$dir/build/log.txt" "$ZKPROVE" zkey export-vkey "$dir/circuit.zkey" \
        "$dir/verification_key.json"
    local t2=$SECONDS
    run_quiet "$dir/build/log.txt" "$SNARKJS" wtns calculate "$dir/build/circuit_js/circuit.wasm" \
        "$dir/input.json" "$dir/witness.wtns"
    local t3=$SECONDS
    grep -E "constraints|wires" "$dir/build/log.txt" | sed 's/^/   /' || true
    rm -rf "$dir/build"
    echo "$stamp" >"$dir/.stamp"
    log "$name: $("$ZKPROVE" zkey info "$dir/circuit.zkey" --json | sed -nE 's/.*"log_domain_size":([0-9]+).*/2^\1/p') domain;" \
        "circom2 $((t1 - t0)) s, setup-insecure $((t2 - t1)) s, wtns calculate $((t3 - t2)) s"
}

ALL=("merkle_poseidon_d$MERKLE_DEPTH" sha256_64B sha256_448B)
SELECTED=(${BENCH_CIRCUITS:-${ALL[@]}})
for name in "${SELECTED[@]}"; do
    case "$name" in
        merkle_poseidon_d*)
            d="${name#merkle_poseidon_d}"
            [[ "$d" =~ ^[0-9]+$ ]] && ((d >= 1)) || { echo "bad depth: $name" >&2; exit 2; }
            build "$name" "$E2E/circuits/bench/merkle_poseidon.circom" \
                "component main = MerklePath($d);" merkle "$d"
            ;;
        sha256_*B)
            n="${name#sha256_}"; n="${n%B}"
            [[ "$n" =~ ^[0-9]+$ ]] && ((n >= 1)) || { echo "bad size: $name" >&2; exit 2; }
            build "$name" "$E2E/circuits/bench/sha256.circom" \
                "component main = Sha256Bytes($n);" sha256 "$n"
            ;;
        *)
            echo "unknown circuit: $name (known: ${ALL[*]}, or merkle_poseidon_d<D>, sha256_<N>B)" >&2
            exit 2
            ;;
    esac
done
rm -rf "$OUT/.tmp"
log "bench circuits in $OUT"
