# The proof's memory program: every load and store width (lw, lh, lhu, lb, lbu, sw, sh, sb) on
# read-only data in the text segment, initialised data, zeroed bss and the stack, at every byte
# offset, with sign bits set and clear. Only instructions the CPU AIR constrains. Exits with a
# checksum of everything read in a0.
    .option norelax             # no gp-relative addressing: gp is never set
    .section .text.start, "ax"
    .globl _start
_start:
    lui s0, %hi(ro)
    addi s0, s0, %lo(ro)
    lui s1, %hi(rw)
    addi s1, s1, %lo(rw)
    lui s2, %hi(zeros)
    addi s2, s2, %lo(zeros)
    addi a0, zero, 0
    # Loads from the text segment's read-only data.
    lw t0, 0(s0)
    add a0, a0, t0
    lb t0, 0(s0)
    add a0, a0, t0
    lbu t0, 1(s0)
    add a0, a0, t0
    lb t0, 2(s0)
    add a0, a0, t0
    lbu t0, 3(s0)
    add a0, a0, t0
    lh t0, 4(s0)
    add a0, a0, t0
    lhu t0, 6(s0)
    add a0, a0, t0
    lh t0, 6(s0)
    add a0, a0, t0
    # Stores into data and bss, at each offset, then read back.
    lw t1, 0(s1)
    sb t1, 1(s1)
    sb t1, 2(s2)
    sh t1, 6(s1)
    sh t1, 4(s2)
    addi t2, zero, -3
    sb t2, 3(s2)
    sb t2, 0(s2)
    sw t1, 8(s2)
    lw t0, 0(s1)
    add a0, a0, t0
    lw t0, 4(s1)
    add a0, a0, t0
    lw t0, 0(s2)
    add a0, a0, t0
    lw t0, 4(s2)
    add a0, a0, t0
    lb t0, 3(s2)
    add a0, a0, t0
    lhu t0, 10(s2)
    add a0, a0, t0
    lw t0, 12(s2)
    add a0, a0, t0
    # The stack: a frame below sp.
    addi sp, sp, -16
    sw a0, 12(sp)
    sh t2, 2(sp)
    sb t1, 0(sp)
    lw t0, 0(sp)
    add a0, a0, t0
    lw t0, 12(sp)
    add a0, a0, t0
    lbu t0, 8(sp)
    add a0, a0, t0
    addi sp, sp, 16
    addi a7, zero, 93
    ecall

    .section .rodata
    .p2align 2
ro:
    .byte 0x80, 0x7f, 0xff, 0x01, 0x34, 0x82, 0x56, 0xf0

    .data
    .p2align 2
rw:
    .word 0x9abcdef0, 0x12345678

    .bss
    .p2align 2
zeros:
    .space 16
