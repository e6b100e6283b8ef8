#!/usr/bin/env bash
# Rebuilds the zkVM test programs (crates/vm/programs/*.c → *.elf) with Debian's
# gcc-riscv64-unknown-elf: RV32IM, ilp32, static, no C library. The ELF files are committed, so
# the tests need no cross compiler; run this after changing a program.
set -euo pipefail
cd "$(dirname "$0")/../crates/vm/programs"
cc="${RISCV_CC:-riscv64-unknown-elf-gcc}"
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "$cc not found: apt-get install -y gcc-riscv64-unknown-elf" >&2
  exit 1
fi
flags=(-march=rv32im -mabi=ilp32 -O2 -nostdlib -static -ffreestanding -fno-pic -fno-stack-protector
  -Wall -Wextra -Werror -Wl,--build-id=none -Wl,-e,_start -s)
# -s: no symbol table, whose temporary file names would make every build differ.
for prog in sha256 sort sieve fib; do
  "$cc" "${flags[@]}" -o "$prog.elf" start.S lib.c "$prog.c" -lgcc
  echo "built $prog.elf ($(stat -c %s "$prog.elf") bytes)"
done
# The proof's assembly programs (instructions the CPU AIR supports only).
for prog in sum count mem alu io; do
  "$cc" "${flags[@]}" -o "$prog.elf" "$prog.S"
  echo "built $prog.elf ($(stat -c %s "$prog.elf") bytes)"
done
