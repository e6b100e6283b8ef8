# The proof's I/O program: `write` to fd 1 from read-only data at an unaligned address, from the
# stack, and an empty write; `read` from fd 0 at the end of the input (returns 0). Only
# instructions the CPU AIR constrains. Exits with 7 plus what the read returned.
    .option norelax
    .section .text.start, "ax"
    .globl _start
_start:
    lui s0, %hi(msg)
    addi s0, s0, %lo(msg)
    addi a7, zero, 64
    addi a0, zero, 1
    addi a1, s0, 1              # "ello, proof\n": starts mid-word, ends mid-word
    addi a2, zero, 12
    ecall
    addi sp, sp, -16
    lui t0, 0xa2
    addi t0, t0, 0x148          # "H!\n" and a zero byte, little-endian
    sw t0, 4(sp)
    addi a7, zero, 64
    addi a0, zero, 1
    addi a1, sp, 4
    addi a2, zero, 3
    ecall
    addi a7, zero, 64
    addi a0, zero, 1
    addi a2, zero, 0            # an empty write
    ecall
    addi a7, zero, 63
    addi a0, zero, 0
    addi a1, sp, 8
    addi a2, zero, 4
    ecall                       # no input: returns 0
    addi sp, sp, 16
    addi a0, a0, 7
    addi a7, zero, 93
    ecall

    .section .rodata
msg:
    .ascii "Hello, proof\n"
